//! Every live instance's sandbox and temporary folder, process-wide, so that
//! sockspec tears them all down when it is interrupted (SIGINT, SIGTERM, SIGHUP)
//! before it exits.

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Something that must be torn down before sockspec exits. Tearing down twice
/// does nothing the second time.
pub(crate) trait Teardown: Send + Sync {
    /// Kills what runs, removes what was made.
    fn teardown(&self);
}

struct Registry {
    next: u64,
    live: BTreeMap<u64, Arc<dyn Teardown>>,
    /// Helper programs (`ip`, `nft`) running to completion right now.
    helpers: usize,
    /// Set by [`cleanup_all`]: nothing new may start.
    closed: bool,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    next: 0,
    live: BTreeMap::new(),
    helpers: 0,
    closed: false,
});

fn registry() -> MutexGuard<'static, Registry> {
    // A panic while holding the lock leaves the map usable.
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// sockspec is shutting down: nothing new is started.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("sockspec is shutting down")]
pub struct ShuttingDown;

/// A registered item; dropping it tears the item down and forgets it.
pub(crate) struct Registered {
    id: u64,
    item: Arc<dyn Teardown>,
}

impl Drop for Registered {
    fn drop(&mut self) {
        registry().live.remove(&self.id);
        self.item.teardown();
    }
}

/// Makes an item with `make` and registers it, atomically with respect to
/// [`cleanup_all`]: either the item is made and registered before the cleanup
/// (which then tears it down), or it is never made.
pub(crate) fn register_new<T, E>(
    make: impl FnOnce() -> Result<Arc<T>, E>,
) -> Result<Result<(Arc<T>, Registered), E>, ShuttingDown>
where
    T: Teardown + 'static,
{
    let mut reg = registry();
    if reg.closed {
        return Err(ShuttingDown);
    }
    let item = match make() {
        Ok(item) => item,
        Err(e) => return Ok(Err(e)),
    };
    let id = reg.next;
    reg.next += 1;
    let dyn_item: Arc<dyn Teardown> = item.clone();
    reg.live.insert(id, dyn_item.clone());
    Ok(Ok((item, Registered { id, item: dyn_item })))
}

/// Signalled when the last helper program ends.
static HELPERS_DONE: Condvar = Condvar::new();

/// How long [`cleanup_all`] waits for helper programs still running.
const HELPER_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// A helper program sockspec runs to completion (`ip`, `nft` setting up a
/// sandbox's network) is running; [`cleanup_all`] waits for it to end, so no
/// process sockspec forked outlives it. Dropped when the program has ended.
pub(crate) struct HelperRunning(());

impl Drop for HelperRunning {
    fn drop(&mut self) {
        let mut reg = registry();
        reg.helpers -= 1;
        if reg.helpers == 0 {
            HELPERS_DONE.notify_all();
        }
    }
}

/// Counts a helper program about to start; refused once shutting down.
pub(crate) fn helper_starts() -> Result<HelperRunning, ShuttingDown> {
    let mut reg = registry();
    if reg.closed {
        return Err(ShuttingDown);
    }
    reg.helpers += 1;
    Ok(HelperRunning(()))
}

/// Whether [`cleanup_all`] has run.
pub(crate) fn closed() -> bool {
    registry().closed
}

/// How many items are registered (for tests).
pub fn live_count() -> usize {
    registry().live.len()
}

/// Tears down every live sandbox and temporary folder (killing every process
/// they hold, waiting for them to end), waits for helper programs still
/// running, and refuses new ones from now on. Call
/// it before exiting on a signal ([`until_interrupted`] says which).
pub fn cleanup_all() {
    let items: Vec<Arc<dyn Teardown>> = {
        let mut reg = registry();
        reg.closed = true;
        std::mem::take(&mut reg.live).into_values().collect()
    };
    for item in items {
        item.teardown();
    }
    let reg = registry();
    let _ = HELPERS_DONE.wait_timeout_while(reg, HELPER_WAIT, |reg| reg.helpers > 0);
}

/// The signals that end sockspec with its sandboxes torn down.
fn interrupting() -> nix::sys::signal::SigSet {
    use nix::sys::signal::{SigSet, Signal};
    let mut set = SigSet::empty();
    for signal in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
        set.add(signal);
    }
    set
}

/// Holds SIGINT, SIGTERM and SIGHUP back (pending, not lost) on this thread and
/// the threads it starts, until [`until_interrupted`] watches them: call it
/// first thing in `main`, so a signal during start-up (a sandbox probe already
/// running) still tears everything down instead of killing sockspec outright.
/// Programs sockspec starts do not inherit the mask (std resets it).
pub fn hold_signals() {
    let _ = nix::sys::signal::pthread_sigmask(
        nix::sys::signal::SigmaskHow::SIG_BLOCK,
        Some(&interrupting()),
        None,
    );
}

/// Lets in the signals [`hold_signals`] held back: for a program sockspec
/// starts, between fork and exec (async-signal-safe: `sigprocmask` only), so
/// it gets the signal mask a program expects.
pub fn release_held_signals() -> nix::Result<()> {
    nix::sys::signal::sigprocmask(
        nix::sys::signal::SigmaskHow::SIG_UNBLOCK,
        Some(&interrupting()),
        None,
    )
}

/// Waits for SIGINT, SIGTERM or SIGHUP and returns the signal's number; the
/// caller then stops its work, runs [`cleanup_all`] and exits with 128 + it.
/// It returns as soon as the signal comes, so that work finishing while the
/// sandboxes are torn down (its targets killed under it) cannot be taken for
/// work that finished first. Never returns if the signals cannot be watched.
/// Once watching, it lets in what [`hold_signals`] held back on the thread
/// that polls it (poll it from `main`'s thread).
pub async fn until_interrupted() -> i32 {
    use tokio::signal::unix::{SignalKind, signal};
    let watch = |kind: SignalKind| signal(kind).ok();
    let (Some(mut int), Some(mut term), Some(mut hup)) = (
        watch(SignalKind::interrupt()),
        watch(SignalKind::terminate()),
        watch(SignalKind::hangup()),
    ) else {
        return std::future::pending().await;
    };
    let _ = nix::sys::signal::pthread_sigmask(
        nix::sys::signal::SigmaskHow::SIG_UNBLOCK,
        Some(&interrupting()),
        None,
    );
    tokio::select! {
        _ = int.recv() => libc_signal::SIGINT,
        _ = term.recv() => libc_signal::SIGTERM,
        _ = hup.recv() => libc_signal::SIGHUP,
    }
}

mod libc_signal {
    pub(super) const SIGINT: i32 = nix::libc::SIGINT;
    pub(super) const SIGTERM: i32 = nix::libc::SIGTERM;
    pub(super) const SIGHUP: i32 = nix::libc::SIGHUP;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counter(AtomicUsize);
    impl Teardown for Counter {
        fn teardown(&self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn dropping_a_registration_tears_down_once() {
        let (item, reg) = register_new(|| Ok::<_, ()>(Arc::new(Counter(AtomicUsize::new(0)))))
            .unwrap()
            .unwrap();
        drop(reg);
        assert_eq!(item.0.load(Ordering::SeqCst), 1);
    }
}
