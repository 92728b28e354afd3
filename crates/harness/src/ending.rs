//! Whether a running target is on its way to ending: an exit is an event,
//! its absence is proven (the target idles, or it spins) rather than timed.

use crate::Ctx;
use sockspec_results::ExitInfo;
use std::time::Duration;

/// How long a target's CPU time is watched for spinning.
pub const CPU_WINDOW: Duration = Duration::from_millis(300);

/// How many [`CPU_WINDOW`]s in a row a target must be busy for sockspec to
/// stop waiting for it to end.
pub const SPIN_PROOF: u32 = 2;

/// Whether `cpu` used over [`CPU_WINDOW`] means a busy loop: more than a
/// quarter of a core (an idle program uses ~0; a spinning one, under load from
/// other checks on 2 cores, still well over half).
pub fn spinning(cpu: Duration) -> bool {
    cpu * 4 > CPU_WINDOW
}

/// How the current instance ends within `limit`, or `None` when it does not:
/// at once when it is proven not to by then, because it is idle (every
/// thread waiting for input, none due to wake within the limit; see
/// [`crate::idle`]) or because it spins (busy, as the spin checks judge,
/// over [`SPIN_PROOF`] windows of [`CPU_WINDOW`] in a row: a program
/// starting up or printing its last words on a loaded machine is busy for
/// one at most).
pub async fn exit_within(ctx: &Ctx, limit: Duration) -> Option<ExitInfo> {
    let instance = ctx.instance()?;
    tokio::select! {
        exit = instance.wait_exit(limit) => exit,
        () = ctx.proven_idle(limit) => instance.exited(),
        _ = spins(ctx) => instance.exited(),
    }
}

/// Resolves, with the busy time of the last window, once the current
/// instance was busy (see [`spinning`]) over [`SPIN_PROOF`] windows of
/// [`CPU_WINDOW`] in a row; never when that cannot be measured.
pub async fn spins(ctx: &Ctx) -> Duration {
    let mut in_a_row = 0;
    loop {
        match ctx.busy_over(CPU_WINDOW).await {
            Some(busy) if spinning(busy) => {
                in_a_row += 1;
                if in_a_row >= SPIN_PROOF && ctx.exit().is_none() {
                    return busy;
                }
            }
            Some(_) => in_a_row = 0,
            None => std::future::pending::<()>().await,
        }
    }
}
