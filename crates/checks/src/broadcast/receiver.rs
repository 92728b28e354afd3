//! Checks of a broadcast receiver: it runs on host 0 of a LAN, sockspec
//! broadcasts from host 1 and watches the receiver's output.

use super::lan_for;
use crate::common::NOT_UTF8;
use crate::run_fn;
use sockspec_harness::idle::IdleWatch;
use sockspec_harness::lan::Lan;
use sockspec_harness::output::{Output, Stream};
use sockspec_harness::target::{ExitWatch, Instance};
use sockspec_harness::{Check, Ctx, LaunchError, Level, Role, Verdict, msg};
use sockspec_results::Counterexample;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;
use tokio::net::UdpSocket;

/// How long a broadcast may take to show in the receiver's output.
const SHOW_LIMIT: Duration = Duration::from_secs(2);

/// The LAN, the receiver's port, and sockspec's broadcasting socket on host 1.
async fn setup(ctx: &mut Ctx) -> Result<(Lan, u16, UdpSocket), Verdict> {
    let (lan, _) = lan_for(ctx, 2)?;
    ctx.place_on(lan.hosts[0].net.clone(), lan.broadcast);
    let port = ctx.server().await?.port();
    let sender = lan.hosts[1]
        .net
        .udp_bind(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0))
        .map_err(|e| {
            Verdict::Error(msg!(
                "broadcast-receiver-sender-failed",
                error = e.to_string()
            ))
        })?;
    sender.set_broadcast(true).map_err(|e| {
        Verdict::Error(msg!(
            "broadcast-receiver-so-broadcast-failed",
            error = e.to_string()
        ))
    })?;
    Ok((lan, port, sender))
}

async fn broadcast(
    ctx: &Ctx,
    sender: &UdpSocket,
    to: Ipv4Addr,
    port: u16,
    payload: &[u8],
) -> Result<(), Verdict> {
    let to = SocketAddr::new(IpAddr::V4(to), port);
    sender.send_to(payload, to).await.map_err(|e| {
        Verdict::Error(msg!(
            "broadcast-receiver-send-failed",
            to = to,
            error = e.to_string()
        ))
    })?;
    ctx.recorder().sent("sender (host h1)", Some(to), payload);
    Ok(())
}

/// What tells that a receiver instance will show nothing more: it is proven
/// idle (every thread waiting for input, none ran) with its output read by
/// sockspec, or it ended (its output then read to the end).
struct Settled {
    idle: Option<IdleWatch>,
    pid: Option<u32>,
    ended: Option<ExitWatch>,
}

impl Settled {
    /// For `instance`, with the check's latency setting the quiet window.
    fn of(ctx: &Ctx, instance: &Instance) -> Settled {
        let idle = (ctx.target().kind() != sockspec_results::TargetKind::InProcess)
            .then_some(instance.pid)
            .flatten()
            .map(|pid| IdleWatch::new(pid, instance.stdin_watch(), ctx.latency.clone()));
        Settled {
            idle,
            pid: instance.pid,
            ended: Some(instance.exit_watch()),
        }
    }

    /// For the context's current instance.
    fn current(ctx: &Ctx) -> Settled {
        match ctx.instance() {
            Some(instance) => Settled::of(ctx, instance),
            None => Settled {
                idle: None,
                pid: None,
                ended: None,
            },
        }
    }

    /// Resolves once the instance will show nothing more within `horizon`.
    async fn wait(&self, horizon: Duration) {
        let idle = async {
            match (&self.idle, self.pid) {
                (Some(watch), Some(pid)) => {
                    watch
                        .proven(horizon, || sockspec_harness::idle::output_drained(pid))
                        .await
                }
                _ => std::future::pending().await,
            }
        };
        let ended = async {
            match self.ended.clone() {
                Some(mut watch) => {
                    let _ = watch.wait_for(|e| e.is_some()).await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = idle => {}
            () = ended => {}
        }
    }
}

/// Whether `text` shows in `output`'s stdout within [`SHOW_LIMIT`], or before
/// the receiver is `settled` (it will show nothing more).
async fn shows(output: &Output, text: &str, settled: &Settled) -> bool {
    let mut changes = output.changes();
    let seen = |o: &Output| String::from_utf8_lossy(&o.get(Stream::Stdout).bytes).contains(text);
    let quiet = settled.wait(SHOW_LIMIT);
    tokio::pin!(quiet);
    tokio::time::timeout(SHOW_LIMIT, async {
        loop {
            if seen(output) {
                return true;
            }
            tokio::select! {
                changed = changes.changed() => {
                    if changed.is_err() {
                        std::future::pending::<()>().await;
                    }
                }
                () = &mut quiet => return seen(output),
            }
        }
    })
    .await
    .unwrap_or(false)
}

/// Broadcasts a plain message and blocks the check unless the receiver shows
/// it: the premise of checks about what else it survives or shares.
async fn baseline(
    ctx: &Ctx,
    sender: &UdpSocket,
    port: u16,
    output: &Output,
) -> Result<(), Verdict> {
    let text = "广播 baseline sockspec";
    broadcast(ctx, sender, Ipv4Addr::BROADCAST, port, text.as_bytes()).await?;
    if shows(output, text, &Settled::current(ctx)).await {
        return Ok(());
    }
    Err(Verdict::Blocked {
        by: "broadcast.receiver.receives",
        reason: msg!("broadcast-receiver-baseline-missed"),
    })
}

/// The receiver's output; an error when sockspec has no receiver instance.
fn stdout_of(ctx: &Ctx) -> Result<Output, Verdict> {
    ctx.instance()
        .map(|i| i.output.clone())
        .ok_or_else(|| Verdict::Error(msg!("broadcast-receiver-no-instance")))
}

/// `broadcast.receiver.receives`
pub static RECEIVES: Check = Check {
    id: "broadcast.receiver.receives",
    role: Role::BroadcastReceiver,
    level: Level::Must,
    spec: "RFC 919; udp(7): a socket bound to INADDR_ANY receives broadcasts; course day01",
    title: "broadcasts from another host reach the receiver (seen in its output)",
    needs_sandbox: false,
    run: run_fn!(receives),
};

async fn receives(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let (lan, port, sender) = setup(ctx).await?;
    let output = stdout_of(ctx)?;
    let mut missed = Vec::new();
    for (to, text) in [
        (Ipv4Addr::BROADCAST, "广播 limited sockspec"),
        (lan.broadcast, "广播 directed sockspec"),
    ] {
        broadcast(ctx, &sender, to, port, text.as_bytes()).await?;
        if !shows(&output, text, &Settled::current(ctx)).await {
            missed.push(msg!(
                "broadcast-receiver-missed-one",
                payload = text.as_bytes(),
                to = IpAddr::V4(to)
            ));
        }
    }
    let missed = match missed.as_slice() {
        [] => {
            return Ok(Verdict::Holds(msg!(
                "broadcast-receiver-received",
                directed = IpAddr::V4(lan.broadcast)
            )));
        }
        [one] => one.clone(),
        [first, second, ..] => msg!(
            "broadcast-receiver-missed-both",
            first = first.clone(),
            second = second.clone()
        ),
    };
    Ok(Verdict::violated(msg!(
        "broadcast-receiver-missed",
        port = port,
        missed = missed,
        state = ctx.target_state().await
    )))
}

/// `broadcast.receiver.shared-port`
pub static SHARED_PORT: Check = Check {
    id: "broadcast.receiver.shared-port",
    role: Role::BroadcastReceiver,
    level: Level::Should,
    spec: "socket(7) SO_REUSEADDR, SO_REUSEPORT; course day01",
    title: "two receivers on one host and port both receive",
    needs_sandbox: false,
    run: run_fn!(shared_port),
};

async fn shared_port(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let (_lan, port, sender) = setup(ctx).await?;
    let first = stdout_of(ctx)?;
    baseline(ctx, &sender, port, &first).await?;
    let second = match ctx.extra_server().await? {
        Ok(instance) => instance,
        Err(e @ (LaunchError::ExitedEarly { .. } | LaunchError::NeverReady { .. })) => {
            let stderr = e
                .output()
                .map(|o| o.get(Stream::Stderr).tail_lines(6))
                .unwrap_or_default();
            let stderr = stderr.trim_end();
            return Ok(Verdict::Violated {
                diagnosis: msg!(
                    "broadcast-receiver-second-failed",
                    error = e.message(),
                    port = port
                ),
                counterexample: (!stderr.is_empty()).then(|| {
                    Counterexample::Described(msg!("broadcast-receiver-stderr", stderr = stderr))
                }),
            });
        }
        Err(e) => return Err(Verdict::Error(e.message())),
    };
    let text = "广播 shared sockspec";
    broadcast(ctx, &sender, Ipv4Addr::BROADCAST, port, text.as_bytes()).await?;
    let (settled_a, settled_b) = (Settled::current(ctx), Settled::of(ctx, &second));
    let (a, b) = tokio::join!(
        shows(&first, text, &settled_a),
        shows(&second.output, text, &settled_b)
    );
    if a && b {
        return Ok(Verdict::Holds(msg!("broadcast-receiver-shared-held")));
    }
    Ok(Verdict::violated(msg!(
        "broadcast-receiver-shared-missed",
        port = port,
        which = match (a, b) {
            (true, false) => "first",
            (false, true) => "second",
            _ => "neither",
        }
    )))
}

/// `broadcast.receiver.bad-bytes`
pub static BAD_BYTES: Check = Check {
    id: "broadcast.receiver.bad-bytes",
    role: Role::BroadcastReceiver,
    level: Level::Should,
    spec: "RFC 768 (payloads are bytes); course day01",
    title: "a broadcast that is not UTF-8 does not kill the receiver",
    needs_sandbox: false,
    run: run_fn!(bad_bytes),
};

async fn bad_bytes(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let (_lan, port, sender) = setup(ctx).await?;
    let output = stdout_of(ctx)?;
    baseline(ctx, &sender, port, &output).await?;
    broadcast(ctx, &sender, Ipv4Addr::BROADCAST, port, NOT_UTF8).await?;
    let text = "广播 after bad bytes sockspec";
    broadcast(ctx, &sender, Ipv4Addr::BROADCAST, port, text.as_bytes()).await?;
    if shows(&output, text, &Settled::current(ctx)).await {
        return Ok(Verdict::Holds(msg!("broadcast-receiver-bad-bytes-held")));
    }
    Ok(Verdict::violated_by(
        msg!(
            "broadcast-receiver-bad-bytes-stopped",
            state = ctx.target_state().await,
            lang = ctx.language()
        ),
        vec![NOT_UTF8.to_vec(), text.as_bytes().to_vec()],
    ))
}
