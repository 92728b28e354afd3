//! Checks of a broadcast sender: it runs on host 0 of a LAN, sockspec listens
//! on every other host and reads each datagram's destination (IP_PKTINFO).

use super::lan_for;
use crate::run_fn;
use sockspec_harness::lan::{self, Lan, Received};
use sockspec_harness::output::Stream;
use sockspec_harness::redirect::{self, Redirect};
use sockspec_harness::{Check, Ctx, Level, Role, Verdict, msg};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the receivers heard while the sender ran its script.
struct Heard {
    lan: Lan,
    port: u16,
    /// Per receiver host (hosts 1..), what it received, in order (the
    /// first [`KEPT_PER_HOST`]).
    hosts: Vec<(String, Vec<Received>)>,
    /// How many datagrams all receivers received, kept or not.
    total: usize,
    /// Whether the sender never read its stdin (it sends messages of its own).
    never_read: bool,
    /// What it sent off the LAN (e.g. to its own loopback), with where it was
    /// sent: observed by redirecting such datagrams to sockspec.
    elsewhere: Vec<Sent>,
}

/// A datagram the sender sent, with where it was sent.
type Sent = (SocketAddr, Vec<u8>);

impl Heard {
    fn total(&self) -> usize {
        self.total
    }
}

/// How long sockspec waits for the sender to finish its script.
const SENDER_LIMIT: Duration = Duration::from_secs(8);
/// How long a sender's input script may still be settling once it ended.
const STDIN_SETTLED: Duration = Duration::from_secs(2);
/// How long receivers keep listening at most after the sender ended (or
/// was seen to send on its own): a sender still sending is not waited for.
const AFTER_EXIT: Duration = Duration::from_millis(150);
/// How many datagrams each receiver keeps and shows in the transcript; it
/// counts the rest (a sender that floods the LAN costs bounded memory).
const KEPT_PER_HOST: usize = 1000;

async fn listen(ctx: &mut Ctx) -> Result<Heard, Verdict> {
    let (lan, port) = lan_for(ctx, 4)?;
    let heard: Vec<Arc<Mutex<Vec<Received>>>> =
        (1..lan.hosts.len()).map(|_| Arc::default()).collect();
    let counts: Vec<Arc<AtomicUsize>> = (1..lan.hosts.len()).map(|_| Arc::default()).collect();
    let mut tasks = Vec::new();
    for ((host, store), counted) in lan.hosts[1..].iter().zip(&heard).zip(&counts) {
        let addr = SocketAddr::new(IpAddr::from([0, 0, 0, 0]), port);
        let socket = host.net.udp_bind(addr).map_err(|e| {
            Verdict::Error(msg!(
                "broadcast-sender-listen-failed",
                host = host.name.as_str(),
                error = e.to_string()
            ))
        })?;
        lan::want_destination(&socket).map_err(|e| {
            Verdict::Error(msg!(
                "broadcast-sender-pktinfo-failed",
                error = e.to_string()
            ))
        })?;
        let (store, counted, recorder, label) = (
            store.clone(),
            counted.clone(),
            ctx.recorder().clone(),
            format!("receiver {} ({})", host.name, host.addr),
        );
        tasks.push(tokio::spawn(async move {
            while let Ok(r) = lan::recv_with_destination_async(&socket).await {
                if counted.fetch_add(1, Ordering::Relaxed) >= KEPT_PER_HOST {
                    continue;
                }
                recorder.received(&label, Some(r.from), &r.payload);
                recorder.note(
                    &label,
                    format!("that datagram was sent to {}", r.destination),
                );
                store.lock().expect("not poisoned").push(r);
            }
        }));
    }
    // Unicast off the LAN (to the sender's own loopback, or anywhere else)
    // reaches sockspec's peer with its destination; the LAN is exempt, so
    // broadcasts and unicasts to its hosts cross it as they are. Where the
    // rules cannot be installed, only the LAN is watched.
    let elsewhere: Arc<Mutex<Vec<Sent>>> = Arc::default();
    let observer = redirect::UdpPeer::bind(&lan.hosts[0].net)
        .ok()
        .and_then(|peer| {
            let rules = Redirect {
                udp_to: Some(peer.port()),
                exempt: vec![(IpAddr::V4(lan.subnet), lan.prefix)],
                ..Redirect::default()
            };
            redirect::install(&lan.hosts[0].net, &rules)
                .ok()
                .map(|r| (peer, r))
        });
    let _redirection = observer.map(|(peer, redirection)| {
        let (store, recorder) = (elsewhere.clone(), ctx.recorder().clone());
        tasks.push(tokio::spawn(async move {
            let mut buf = vec![0u8; 65_536];
            while let Ok(d) = peer.recv(&mut buf).await {
                let label = "sockspec (off the LAN)";
                recorder.received(label, Some(d.source), &buf[..d.len]);
                recorder.note(
                    label,
                    format!("that datagram was sent to {}", d.destination),
                );
                store
                    .lock()
                    .expect("not poisoned")
                    .push((d.destination, buf[..d.len].to_vec()));
            }
        }));
        redirection
    });
    ctx.place_on(lan.hosts[0].net.clone(), lan.broadcast);
    ctx.recorder().note(
        "sockspec",
        format!(
            "LAN {}/{}: the sender is {}, receivers listen on port {port}",
            lan.subnet, lan.prefix, lan.hosts[0].addr
        ),
    );
    ctx.start_client(SocketAddr::new(IpAddr::V4(lan.broadcast), port))
        .await?;
    let count = || {
        counts
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .max()
            .unwrap_or(0)
            + elsewhere.lock().expect("not poisoned").len()
    };
    if let Some(instance) = ctx.instance() {
        tokio::select! {
            _ = instance.wait_exit(SENDER_LIMIT) => {
                instance.stdin_settled(STDIN_SETTLED).await;
            }
            () = sends_on_its_own(ctx, count) => {}
        }
    }
    let never_read = ctx
        .stdin_progress()
        .is_some_and(|p| p.ignored(&ctx.settings().input, ctx.exit().is_some()));
    heard_all(ctx, count).await;
    for t in tasks {
        t.abort();
    }
    let hosts = lan.hosts[1..]
        .iter()
        .zip(heard)
        .map(|(h, store)| {
            (
                h.name.clone(),
                std::mem::take(&mut *store.lock().expect("not poisoned")),
            )
        })
        .collect();
    let elsewhere = std::mem::take(&mut *elsewhere.lock().expect("not poisoned"));
    Ok(Heard {
        lan,
        port,
        hosts,
        total: counts.iter().map(|c| c.load(Ordering::Relaxed)).sum(),
        never_read,
        elsewhere,
    })
}

/// Waits, once the sender ended, for what it sent last to cross the LAN: until
/// the receivers heard nothing new (`count()` of them) over the check's idle
/// window (which covers what is still on its way), at most [`AFTER_EXIT`].
async fn heard_all(ctx: &Ctx, count: impl Fn() -> usize) {
    let limit = tokio::time::Instant::now() + AFTER_EXIT;
    let window = ctx.latency.idle_window();
    let mut before = count();
    loop {
        let next = (tokio::time::Instant::now() + window).min(limit);
        tokio::time::sleep_until(next).await;
        let now = count();
        if now == before || next >= limit {
            return;
        }
        before = now;
    }
}

/// How many datagrams a sender must send while a line of its input script
/// lies unread, and no thread of it waits for stdin, to be taken for one that
/// sends messages of its own: a whole cycle of its loop went by without input.
const OWN_CYCLES: usize = 2;

/// Resolves once the sender shows it sends messages of its own, not its
/// input script: the lines written so far lie unread in its stdin, no thread
/// of it waits for stdin, and since the first line was written it sent
/// [`OWN_CYCLES`] more datagrams (`count()` of them heard so far). What it
/// sends then no longer depends on what sockspec does, so waiting for its
/// exit (it may never exit) shows nothing more. Never when that cannot be
/// seen (an in-process target, or a sender that reads its stdin).
async fn sends_on_its_own(ctx: &Ctx, count: impl Fn() -> usize) {
    let (Some(pid), Some(mut progress)) = (
        ctx.instance().and_then(|i| i.pid),
        ctx.instance().and_then(|i| i.stdin_watch()),
    ) else {
        return std::future::pending().await;
    };
    let lines = ctx.settings().input.clone();
    let mut heard_at_first_line = None;
    // Once the whole script is written the feeder ends: its last word stands.
    let mut fed = false;
    loop {
        let p = *progress.borrow_and_update();
        // Counted from the moment the first line was written (whether it
        // was read is known only once the line settled).
        if p.typed > 0 {
            heard_at_first_line.get_or_insert_with(&count);
        }
        let written: usize = lines.iter().take(p.written).map(|l| l.len() + 1).sum();
        if let Some(first) = heard_at_first_line
            && p.never_read(written)
        {
            let on_stdin = sockspec_harness::idle::waits_on_stdin(
                &sockspec_harness::procfs::process_tree(pid),
            );
            if count() >= first + OWN_CYCLES && on_stdin == Some(false) {
                return;
            }
        }
        tokio::select! {
            changed = progress.changed(), if !fed => fed = changed.is_err(),
            () = tokio::time::sleep(Duration::from_millis(10)) => {}
        }
    }
}

/// The verdict of a check that needs datagrams when none reached any host:
/// blocked by `address` when they went off the LAN, else by `delivers`.
fn nothing_heard(heard: &Heard) -> Verdict {
    match heard.elsewhere.first() {
        Some((to, _)) => Verdict::Blocked {
            by: "broadcast.sender.address",
            reason: msg!("broadcast-sender-went-elsewhere", destination = *to),
        },
        None => Verdict::Blocked {
            by: "broadcast.sender.delivers",
            reason: msg!("broadcast-sender-nothing-heard"),
        },
    }
}

/// `broadcast.sender.delivers`
pub static DELIVERS: Check = Check {
    id: "broadcast.sender.delivers",
    role: Role::BroadcastSender,
    level: Level::Must,
    spec: "RFC 919; socket(7) SO_BROADCAST; course day01",
    title: "datagrams reach receivers (without SO_BROADCAST, sendto fails with EACCES)",
    needs_sandbox: false,
    run: run_fn!(delivers),
};

async fn delivers(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let heard = listen(ctx).await?;
    if heard.total() > 0 {
        return Ok(Verdict::Holds(msg!(
            "broadcast-sender-delivered",
            count = heard.total()
        )));
    }
    if !heard.elsewhere.is_empty() {
        return Ok(nothing_heard(&heard));
    }
    let stderr = ctx
        .output()
        .map(|o| String::from_utf8_lossy(&o.get(Stream::Stderr).bytes).into_owned())
        .unwrap_or_default();
    let lang = ctx.language();
    if stderr.contains("PermissionError")
        || stderr.contains("Permission denied")
        || stderr.contains("EACCES")
    {
        return Ok(Verdict::violated(msg!(
            "broadcast-sender-no-so-broadcast",
            lang = lang
        )));
    }
    Ok(Verdict::violated(msg!(
        "broadcast-sender-nothing-delivered",
        port = heard.port,
        state = ctx.target_state().await,
        lang = lang
    )))
}

/// `broadcast.sender.all-hosts`
pub static ALL_HOSTS: Check = Check {
    id: "broadcast.sender.all-hosts",
    role: Role::BroadcastSender,
    level: Level::Must,
    spec: "RFC 919 §5, RFC 922 §7 (a broadcast reaches every host of the network)",
    title: "every receiver host on the LAN gets every datagram exactly once",
    needs_sandbox: false,
    run: run_fn!(all_hosts),
};

async fn all_hosts(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let heard = listen(ctx).await?;
    if heard.total() == 0 {
        return Ok(nothing_heard(&heard));
    }
    let payloads = |r: &[Received]| r.iter().map(|d| d.payload.clone()).collect::<Vec<_>>();
    let (best_host, best) = heard
        .hosts
        .iter()
        .max_by_key(|(_, r)| r.len())
        .map(|(h, r)| (h.clone(), payloads(r)))
        .expect("there are receivers");
    // A sender of its own messages (it never reads stdin) may send faster
    // than a receiver reads, and UDP drops what overflows a receiver's buffer:
    // each host must then get every distinct message, not the same count.
    let distinct = |p: &[Vec<u8>]| p.iter().cloned().collect::<std::collections::BTreeSet<_>>();
    for (host, got) in &heard.hosts {
        let differs = if heard.never_read {
            distinct(&payloads(got)) != distinct(&best)
        } else {
            payloads(got) != best
        };
        if differs {
            return Ok(Verdict::violated(msg!(
                "broadcast-sender-uneven",
                host = host.as_str(),
                got = got.len(),
                best_host = best_host.as_str(),
                best = best.len(),
                broadcast = IpAddr::V4(heard.lan.broadcast)
            )));
        }
    }
    Ok(Verdict::Holds(msg!(
        "broadcast-sender-all-hosts-held",
        hosts = heard.hosts.len(),
        count = best.len()
    )))
}

/// `broadcast.sender.boundaries`
pub static BOUNDARIES: Check = Check {
    id: "broadcast.sender.boundaries",
    role: Role::BroadcastSender,
    level: Level::Must,
    spec: "RFC 768; sendto(2): one call, one datagram",
    title: "one message, one datagram",
    needs_sandbox: false,
    run: run_fn!(boundaries),
};

async fn boundaries(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let heard = listen(ctx).await?;
    if heard.total() == 0 {
        return Ok(nothing_heard(&heard));
    }
    let lines = ctx.settings().input.clone();
    let (host, got) = heard
        .hosts
        .iter()
        .max_by_key(|(_, r)| r.len())
        .expect("there are receivers");
    let sent: Vec<&[u8]> = got
        .iter()
        .map(|d| d.payload.strip_suffix(b"\n").unwrap_or(&d.payload))
        .collect();
    if heard.never_read {
        // It sends messages of its own: each datagram is one of them.
        let distinct: std::collections::BTreeSet<&[u8]> = sent.iter().copied().collect();
        return Ok(Verdict::Holds(msg!(
            "broadcast-sender-never-reads",
            datagrams = sent.len(),
            distinct = distinct.len(),
            first = sent[0]
        )));
    }
    let wanted: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
    if sent == wanted {
        return Ok(Verdict::Holds(msg!(
            "broadcast-sender-boundaries-held",
            lines = lines.len(),
            datagrams = sent.len()
        )));
    }
    Ok(Verdict::violated_by(
        msg!(
            "broadcast-sender-boundaries-differ",
            lines = lines.len(),
            host = host.as_str(),
            datagrams = sent.len(),
            first = sent.first().copied().unwrap_or_default()
        ),
        wanted.iter().map(|l| l.to_vec()).collect(),
    ))
}

/// `broadcast.sender.address`
pub static ADDRESS: Check = Check {
    id: "broadcast.sender.address",
    role: Role::BroadcastSender,
    level: Level::Must,
    spec: "RFC 919 §7 (limited broadcast), RFC 922 (directed broadcast)",
    title: "sent to a broadcast address (limited or the LAN's directed one), not unicast",
    needs_sandbox: false,
    run: run_fn!(address),
};

async fn address(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let heard = listen(ctx).await?;
    if let Some((to, payload)) = heard.elsewhere.first() {
        return Ok(Verdict::violated_by(
            msg!(
                "broadcast-sender-unicast-elsewhere",
                payload = payload.as_slice(),
                destination = *to,
                loopback = if to.ip().is_loopback() { "yes" } else { "no" },
                broadcast = IpAddr::V4(heard.lan.broadcast),
                port = to.port()
            ),
            vec![payload.clone()],
        ));
    }
    if heard.total() == 0 {
        return Ok(nothing_heard(&heard));
    }
    for (host, got) in &heard.hosts {
        if let Some(d) = got.iter().find(|d| !heard.lan.is_broadcast(d.destination)) {
            return Ok(Verdict::violated_by(
                msg!(
                    "broadcast-sender-unicast",
                    host = host.as_str(),
                    payload = &d.payload,
                    destination = IpAddr::V4(d.destination),
                    broadcast = IpAddr::V4(heard.lan.broadcast)
                ),
                vec![d.payload.clone()],
            ));
        }
    }
    let dests: std::collections::BTreeSet<String> = heard
        .hosts
        .iter()
        .flat_map(|(_, r)| r.iter().map(|d| d.destination.to_string()))
        .collect();
    Ok(Verdict::Holds(msg!(
        "broadcast-sender-address-held",
        destinations = dests.into_iter().collect::<Vec<_>>().join(", ")
    )))
}
