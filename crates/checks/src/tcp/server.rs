//! Checks of a TCP server: sockspec is the client.

use super::replies::{Due, Kept, baseline, connect, message, read_due};
use crate::common::{CPU_WINDOW, NOT_UTF8, io_error, show, spinning};
use crate::common::{LegacyVerdict as _, en, legacy};
use crate::run_fn;
use proptest::prelude::*;
use sockspec_harness::property::{Property, PropertyResult};
use sockspec_harness::tcp::Ending;
use sockspec_harness::{Check, Contract, Ctx, Level, Role, Verdict};
use sockspec_harness::{procfs, sockdiag};
use std::time::{Duration, Instant};

/// `tcp.server.accepts`
pub static ACCEPTS: Check = Check {
    id: "tcp.server.accepts",
    role: Role::TcpServer,
    level: Level::Must,
    spec: "RFC 9293 §3.5; listen(2), accept(2)",
    title: "a connection is accepted",
    needs_sandbox: false,
    run: run_fn!(accepts),
};

async fn accepts(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let peer = connect(ctx, "client").await?;
    let Some(pid) = ctx.observed_pid() else {
        return Ok(Verdict::Holds(legacy(
            "the connection was completed (accept() is not observable in a remote target)".into(),
        )));
    };
    // Completed connections wait in the backlog until accept() takes them; an
    // accepted one is among the program's open descriptors.
    let net = ctx.net()?;
    let limit = ctx.settings().reply_timeout;
    let start = Instant::now();
    loop {
        let theirs = net
            .tcp_socket(peer.peer_addr(), peer.local_addr())
            .map_err(io_error)?;
        if let Some(theirs) = theirs
            && procfs::socket_inodes(&procfs::process_tree(pid)).contains(&u64::from(theirs.inode))
        {
            return Ok(Verdict::Holds(legacy(format!(
                "accepted in {:.1} ms",
                start.elapsed().as_secs_f64() * 1e3
            ))));
        }
        if start.elapsed() >= limit {
            return Ok(Verdict::violated(legacy(format!(
                "The kernel completed the connection but the program did not accept() it within {} ms, and {}. \
                 Call accept() in a loop after listen().",
                limit.as_millis(),
                en(&ctx.target_state().await)
            ))));
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// `tcp.server.stream-integrity`
pub static STREAM_INTEGRITY: Check = Check {
    id: "tcp.server.stream-integrity",
    role: Role::TcpServer,
    level: Level::Must,
    spec: "RFC 9293 §3.1 (a reliable byte stream); send(2) may send less than asked",
    title: "under contract echo, any payload and any segmentation comes back byte-identical",
    needs_sandbox: false,
    run: run_fn!(stream_integrity),
};

/// The large payload: big enough that a send() that ignores its return value
/// loses bytes.
const LARGE: usize = 1 << 20;

fn payload_and_cuts() -> impl Strategy<Value = (Vec<u8>, Vec<u16>)> {
    let text = "[ -~\u{4f60}\u{597d}\u{7c98}\u{5305}\n]{1,600}".prop_map(String::into_bytes);
    let bytes = proptest::collection::vec(any::<u8>(), 1..=4096);
    (
        prop_oneof![text, bytes],
        proptest::collection::vec(0u16..1000, 0..6),
    )
}

async fn stream_integrity(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    if ctx.contract() != Contract::Echo {
        return Ok(Verdict::Skip(legacy(
            "needs contract echo to know what must come back".into(),
        )));
    }
    // Everything on one connection, so a sequential server is not blamed
    // here for what tcp.server.next-client judges.
    let mut kept = Kept::default();
    let peer = kept.get(ctx).await?;
    baseline(ctx, peer).await?;
    let (seed, cases) = (ctx.settings().seed, ctx.settings().cases);
    ctx.facts.seed = Some(seed);
    let mut prop = Property::start(payload_and_cuts(), seed, cases);
    while let Some((payload, cuts)) = prop.next_case().await {
        prop.report(crate::common::case_result(
            integrity_case(ctx, &mut kept, &payload, &cuts).await,
        ));
    }
    match prop.finish().await {
        PropertyResult::Held { cases } => ctx.facts.cases = Some(cases),
        PropertyResult::Failed(f) => {
            ctx.facts.cases = Some(f.case);
            ctx.facts.notes.push(crate::common::shrink_note(&f, seed));
            let (payload, cuts) = &f.minimal;
            crate::common::replay!(
                ctx,
                integrity_case(ctx, &mut Kept::default(), payload, cuts)
            );
            return Ok(Verdict::violated_by_text(
                f.reason,
                format!("{} written as {}", show(payload), cutting_of(payload, cuts)),
            ));
        }
        PropertyResult::Aborted(e) => return Ok(Verdict::Error(e)),
    }
    // The large payload: more than any send buffer holds, so a send() whose
    // return value is ignored loses bytes here.
    let peer = kept.get(ctx).await?;
    let payload: Vec<u8> = (0..LARGE).map(|i| (i % 251) as u8).collect();
    let (got, ending) = peer
        .round_trip(&payload, ctx.latency.patience())
        .await
        .map_err(io_error)?;
    if got != payload {
        let same = got.iter().zip(&payload).take_while(|(a, b)| a == b).count();
        return Ok(Verdict::violated_by_text(
            legacy(format!(
                "A {LARGE}-byte payload came back as {} bytes, identical for the first {same} ({}). \
                 send() may send only part of what it is given and returns how much: use sendall(), \
                 or loop until everything is sent.",
                got.len(),
                ending.describe()
            )),
            format!("{LARGE} bytes (i % 251) in one write"),
        ));
    }
    Ok(Verdict::Holds(legacy(format!(
        "{} payloads and one of {LARGE} bytes came back identical",
        ctx.facts.cases.unwrap_or(0)
    ))))
}

fn cutting_of(payload: &[u8], cuts: &[u16]) -> sockspec_wire::Cutting {
    let at = cuts
        .iter()
        .map(|&c| usize::from(c) * payload.len() / 1000)
        .collect();
    sockspec_wire::Cutting::At(at)
}

async fn integrity_case(
    ctx: &mut Ctx,
    kept: &mut Kept,
    payload: &[u8],
    cuts: &[u16],
) -> Result<Option<String>, Verdict> {
    let peer = kept.get(ctx).await?;
    let cutting = cutting_of(payload, cuts);
    for piece in cutting.pieces(payload.len(), &[payload.len()]) {
        peer.write(&payload[piece]).await.map_err(io_error)?;
    }
    let (got, ending) = read_due(ctx, peer, Due::Bytes(payload.len()), false).await?;
    if got == payload {
        kept.keep_if_open(ending);
        return Ok(None);
    }
    kept.drop_connection();
    let same = got.iter().zip(payload).take_while(|(a, b)| a == b).count();
    Ok(Some(format!(
        "{} bytes written as {cutting} came back as {} bytes, identical for the first {same} ({}).",
        payload.len(),
        got.len(),
        ending.describe()
    )))
}

/// `tcp.server.coalesced-messages`
pub static COALESCED_MESSAGES: Check = Check {
    id: "tcp.server.coalesced-messages",
    role: Role::TcpServer,
    level: Level::Must,
    spec: "RFC 9293 §3.1 (no message boundaries); recv(2); course day02 (粘包)",
    title: "under echo/lines, two messages written back-to-back get both replies",
    needs_sandbox: false,
    run: run_fn!(coalesced_messages),
};

async fn coalesced_messages(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    if ctx.contract() == Contract::Any {
        return Ok(Verdict::Skip(legacy(
            "needs contract echo or lines to know what a message is (tcp.server.segmentation-invariant covers any)"
                .into(),
        )));
    }
    let (m1, m2) = (message(1), message(2));
    let mut peer = connect(ctx, "client").await?;
    baseline(ctx, &mut peer).await?;
    let mut separate = Vec::new();
    for m in [&m1, &m2] {
        peer.write(m).await.map_err(io_error)?;
        let (r, _) = read_due(ctx, &mut peer, Due::of(ctx.contract(), m), false).await?;
        separate.extend(r);
    }
    // The same two messages again, now in one write, on the same connection.
    let both = [m1.clone(), m2.clone()].concat();
    peer.write(&both).await.map_err(io_error)?;
    let (joined, ending) = read_due(ctx, &mut peer, Due::of(ctx.contract(), &both), true).await?;
    let expected = if ctx.contract() == Contract::Echo {
        both.clone()
    } else {
        separate.clone()
    };
    if joined == expected {
        return Ok(Verdict::Holds(legacy(
            "both replies came back for two coalesced messages".into(),
        )));
    }
    let lines = |b: &[u8]| b.iter().filter(|&&c| c == b'\n').count();
    Ok(Verdict::violated_by_text(
        legacy(format!(
            "2 messages written back-to-back got {} ({} reply lines, {}); written one at a time they got {} \
             ({} reply lines). TCP is a byte stream: one recv() can return both messages (粘包). Keep a \
             buffer, and answer each complete message in it, not each recv().",
            show(&joined),
            lines(&joined),
            ending.describe(),
            show(&expected),
            lines(&expected)
        )),
        format!("{} in one write", show(&both)),
    ))
}

/// `tcp.server.eof-closes`
pub static EOF_CLOSES: Check = Check {
    id: "tcp.server.eof-closes",
    role: Role::TcpServer,
    level: Level::Must,
    spec: "RFC 9293 §3.6; recv(2): a return of 0 means the peer has shut down",
    title: "after the client closes, the server closes its side within the time limit",
    needs_sandbox: false,
    run: run_fn!(eof_closes),
};

async fn eof_closes(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let mut peer = connect(ctx, "client").await?;
    let msg = message(1);
    peer.write(&msg).await.map_err(io_error)?;
    let _ = read_due(ctx, &mut peer, Due::of(ctx.contract(), &msg), false).await?;
    peer.shutdown_write().await.map_err(io_error)?;
    let limit = ctx.settings().reply_timeout;
    let start = Instant::now();
    let (_, ending) = peer
        .read_until(usize::MAX, limit, limit, None)
        .await
        .map_err(io_error)?;
    Ok(match ending {
        Ending::Eof => Verdict::Holds(legacy(format!(
            "closed {:.1} ms after the client",
            start.elapsed().as_secs_f64() * 1e3
        ))),
        Ending::Reset => Verdict::violated(legacy(format!(
            "After the client closed, the server reset the connection (RST) instead of closing it, and {}. \
             When recv() returns b'', close the connection with conn.close().",
            en(&ctx.target_state().await)
        ))),
        Ending::Open => Verdict::violated(legacy(format!(
            "After the client closed, the server kept the connection open for {} ms, and {}. When recv() \
             returns b'' the client has gone: break out of the loop, conn.close(), and accept() the next client.",
            limit.as_millis(),
            en(&ctx.target_state().await)
        ))),
    })
}

/// `tcp.server.eof-no-spin`
pub static EOF_NO_SPIN: Check = Check {
    id: "tcp.server.eof-no-spin",
    role: Role::TcpServer,
    level: Level::Must,
    spec: "recv(2): 0 bytes at end of stream, returned again on every call",
    title: "after the client closes, the target does not burn CPU",
    needs_sandbox: false,
    run: run_fn!(eof_no_spin),
};

async fn eof_no_spin(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let mut peer = connect(ctx, "client").await?;
    if ctx.instance().and_then(|i| i.pid).is_none() {
        return Ok(Verdict::Skip(legacy(
            "CPU time is measured only for external programs".into(),
        )));
    }
    let msg = message(1);
    peer.write(&msg).await.map_err(io_error)?;
    let _ = read_due(ctx, &mut peer, Due::of(ctx.contract(), &msg), false).await?;
    peer.close();
    let Some(cpu) = ctx.cpu_over(CPU_WINDOW).await else {
        return Ok(Verdict::Error(legacy(
            "the target's CPU time could not be read".into(),
        )));
    };
    if spinning(cpu) {
        return Ok(Verdict::violated(legacy(format!(
            "After the client closed, the program used {} ms of CPU in {} ms: recv() returns b'' at once, \
             again and again, and the loop spins (`if not data: continue`). On b'' the client is gone: break.",
            cpu.as_millis(),
            CPU_WINDOW.as_millis()
        ))));
    }
    Ok(Verdict::Holds(legacy(format!(
        "{} ms of CPU in the {} ms after the client closed",
        cpu.as_millis(),
        CPU_WINDOW.as_millis()
    ))))
}

/// `tcp.server.next-client`
pub static NEXT_CLIENT: Check = Check {
    id: "tcp.server.next-client",
    role: Role::TcpServer,
    level: Level::Must,
    spec: "accept(2) in a loop; course day02",
    title: "after one client leaves, the next is served",
    needs_sandbox: false,
    run: run_fn!(next_client),
};

async fn next_client(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let mut first = connect(ctx, "client A").await?;
    let server = first.peer_addr();
    baseline(ctx, &mut first).await?;
    first.close();
    // The same instance: a server that exits after one client is not restarted.
    served_again(ctx, server, "After the first client left").await
}

/// Whether a new client of the same instance at `server` still gets a reply.
async fn served_again(
    ctx: &mut Ctx,
    server: std::net::SocketAddr,
    after: &str,
) -> Result<Verdict, Verdict> {
    let mut next = match ctx.tcp_connect("client B", server).await? {
        Ok(peer) => peer,
        Err(e) => {
            return Ok(Verdict::violated(legacy(format!(
                "{after}, the next client could not connect ({e}), and {}. Keep the listening socket open and \
                 loop back to accept().",
                en(&ctx.target_state().await)
            ))));
        }
    };
    let msg = message(2);
    next.write(&msg).await.map_err(io_error)?;
    let due = Due::of(ctx.contract(), &msg);
    let (reply, ending) = read_due(ctx, &mut next, due, false).await?;
    if due.satisfied(&reply) {
        return Ok(Verdict::Holds(legacy(format!(
            "the next client got {}",
            show(&reply)
        ))));
    }
    Ok(Verdict::violated(legacy(format!(
        "{after}, the next client connected but got no reply ({}), and {}. The server must close the \
         finished connection and loop back to accept().",
        ending.describe(),
        en(&ctx.target_state().await)
    ))))
}

/// `tcp.server.half-close`
pub static HALF_CLOSE: Check = Check {
    id: "tcp.server.half-close",
    role: Role::TcpServer,
    level: Level::Should,
    spec: "RFC 9293 §3.6 (half-closed connections); shutdown(2)",
    title: "after the client's shutdown(SHUT_WR), replies already due still arrive",
    needs_sandbox: false,
    run: run_fn!(half_close),
};

async fn half_close(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let mut peer = connect(ctx, "client").await?;
    let usual = baseline(ctx, &mut peer).await?;
    let msg = message(0);
    peer.write(&msg).await.map_err(io_error)?;
    peer.shutdown_write().await.map_err(io_error)?;
    let due = match ctx.contract() {
        Contract::Any => Due::Bytes(usual.len().max(1)),
        c => Due::of(c, &msg),
    };
    let (reply, ending) = read_due(ctx, &mut peer, due, false).await?;
    let enough = match due {
        Due::Bytes(n) => reply.len() >= n,
        _ => reply.iter().filter(|&&b| b == b'\n').count() >= 1,
    };
    if enough {
        return Ok(Verdict::Holds(legacy(
            "the reply arrived after the client's shutdown(SHUT_WR)".into(),
        )));
    }
    Ok(Verdict::violated_by_text(
        legacy(format!(
            "A message followed at once by the client's shutdown(SHUT_WR) got {} instead of its reply {} ({}). \
             Answer what you received before you close: b'' only means the client sends no more.",
            show(&reply),
            show(&usual),
            ending.describe()
        )),
        format!("{} then shutdown(SHUT_WR)", show(&msg)),
    ))
}

/// `tcp.server.reset-survives`
pub static RESET_SURVIVES: Check = Check {
    id: "tcp.server.reset-survives",
    role: Role::TcpServer,
    level: Level::Should,
    spec: "RFC 9293 §3.10.7.4 (reset); recv(2) ECONNRESET",
    title: "a client that aborts with RST does not kill the server",
    needs_sandbox: false,
    run: run_fn!(reset_survives),
};

async fn reset_survives(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let mut first = connect(ctx, "client A").await?;
    let server = first.peer_addr();
    baseline(ctx, &mut first).await?;
    first.reset().map_err(io_error)?;
    let verdict = served_again(ctx, server, "After a client reset its connection (RST)").await?;
    Ok(match verdict {
        Verdict::Violated { diagnosis, .. } => Verdict::violated(legacy(format!(
            "{} Catch ConnectionResetError around recv() and send(): a client may vanish at any time.",
            en(&diagnosis)
        ))),
        other => other,
    })
}

/// `tcp.server.rebind`
pub static REBIND: Check = Check {
    id: "tcp.server.rebind",
    role: Role::TcpServer,
    level: Level::Should,
    spec: "RFC 9293 §3.6.1 (TIME-WAIT); socket(7) SO_REUSEADDR; course day02",
    title: "killed with a connection in TIME_WAIT, the server restarts on its port at once (SO_REUSEADDR)",
    needs_sandbox: true,
    run: run_fn!(rebind),
};

async fn rebind(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let mut peer = connect(ctx, "client").await?;
    let server = peer.peer_addr();
    let msg = message(1);
    peer.write(&msg).await.map_err(io_error)?;
    let _ = read_due(ctx, &mut peer, Due::of(ctx.contract(), &msg), false).await?;
    // Killing the server closes its end first, so its end goes to TIME_WAIT
    // once sockspec closes too.
    ctx.stop_instance();
    let limit = ctx.settings().reply_timeout;
    let _ = peer
        .read_until(usize::MAX, limit, limit, None)
        .await
        .map_err(io_error)?;
    let net = ctx.net()?;
    let start = Instant::now();
    let (ours, theirs) = (peer.local_addr(), server);
    peer.close();
    let in_time_wait = loop {
        let state = net.tcp_socket(theirs, ours).map_err(io_error)?;
        if state.is_some_and(|s| s.state == sockdiag::TCP_TIME_WAIT) {
            break true;
        }
        if start.elapsed() >= limit {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    if !in_time_wait {
        return Ok(Verdict::Skip(legacy(format!(
            "no connection of port {} reached TIME_WAIT on the server's side (it never closed one), so a \
             restart in TIME_WAIT could not be tested",
            server.port()
        ))));
    }
    ctx.recorder().note(
        "sockspec",
        "killed the server with a connection in TIME_WAIT; starting it again",
    );
    match ctx.server().await {
        Ok(addr) => Ok(Verdict::Holds(legacy(format!(
            "restarted on {addr} at once"
        )))),
        Err(Verdict::Violated { .. }) => Ok(Verdict::violated(legacy(format!(
            "Restarted at once after being killed, the server {}: its port still has a connection in \
             TIME_WAIT, so bind() fails with 'Address already in use'. Set \
             setsockopt(SOL_SOCKET, SO_REUSEADDR, 1) before bind().",
            ctx.exit()
                .map_or_else(|| "did not start".to_string(), |e| e.to_string())
        )))),
        Err(other) => Err(other),
    }
}

/// `tcp.server.bad-bytes`
pub static BAD_BYTES: Check = Check {
    id: "tcp.server.bad-bytes",
    role: Role::TcpServer,
    level: Level::Should,
    spec: "RFC 9293 §3.1 (the stream is bytes); course day02",
    title: "non-UTF-8 bytes do not kill the server",
    needs_sandbox: false,
    run: run_fn!(bad_bytes),
};

async fn bad_bytes(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let mut peer = connect(ctx, "client").await?;
    baseline(ctx, &mut peer).await?;
    let poison = [NOT_UTF8, b"\n"].concat();
    peer.write(&poison).await.map_err(io_error)?;
    // A reply to the poison is allowed, not required.
    let _ = read_due(ctx, &mut peer, Due::Unknown, false).await?;
    let msg = message(2);
    peer.write(&msg).await.map_err(io_error)?;
    let due = match ctx.contract() {
        Contract::Echo => Due::Bytes(msg.len()),
        _ => Due::Lines(1),
    };
    let (reply, ending) = read_due(ctx, &mut peer, due, false).await?;
    if due.satisfied(&reply) {
        return Ok(Verdict::Holds(legacy(format!(
            "after {} it still answered",
            show(&poison)
        ))));
    }
    Ok(Verdict::violated_by_text(
        legacy(format!(
            "After bytes that are not UTF-8, the next message got {} ({}), and {}. Network data is bytes: \
             decode with data.decode('utf-8', 'replace') or catch UnicodeDecodeError.",
            show(&reply),
            ending.describe(),
            en(&ctx.target_state().await)
        )),
        format!("{} then {}", show(&poison), show(&msg)),
    ))
}

/// `tcp.server.concurrent`
pub static CONCURRENT: Check = Check {
    id: "tcp.server.concurrent",
    role: Role::TcpServer,
    level: Level::Info,
    spec: "accept(2); threads or select(2); course day02",
    title: "whether a second client is served while the first stays connected",
    needs_sandbox: false,
    run: run_fn!(concurrent),
};

async fn concurrent(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let mut first = connect(ctx, "client A").await?;
    baseline(ctx, &mut first).await?;
    let mut second = connect(ctx, "client B").await?;
    let msg = message(2);
    second.write(&msg).await.map_err(io_error)?;
    let (reply, _) = read_due(ctx, &mut second, Due::of(ctx.contract(), &msg), false).await?;
    drop(first);
    Ok(Verdict::Observed(legacy(if reply.is_empty() {
        "While one client stays connected, a second one waits: the server serves one client at a time.".into()
    } else {
        "A second client is served while the first stays connected: the server is concurrent."
            .into()
    })))
}
