//! Checks of a TCP server: sockspec is the client.

use super::replies::{Due, Kept, baseline, connect, message, read_due};
use super::replies::{accepted, cutting, ending};
use crate::common::{CPU_WINDOW, NOT_UTF8, io_error, spinning};
use crate::common::{case_result, replay};
use crate::run_fn;
use proptest::prelude::*;
use sockspec_harness::property::{Property, PropertyResult};
use sockspec_harness::sockdiag;
use sockspec_harness::target::state_of;
use sockspec_harness::tcp::Ending;
use sockspec_harness::{Check, Contract, Ctx, Level, Message, Role, Verdict, msg};
use sockspec_results::Counterexample;
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
    // Completed connections wait in the backlog until accept() takes them; an
    // accepted one is among the program's open descriptors.
    let limit = ctx.settings().reply_timeout;
    let start = Instant::now();
    loop {
        let Some(taken) = accepted(ctx, &peer)? else {
            return Ok(Verdict::Holds(msg!("tcp-server-accepts-remote")));
        };
        if taken {
            return Ok(Verdict::Holds(msg!(
                "tcp-server-accepts-holds",
                ms = start.elapsed().as_secs_f64() * 1e3
            )));
        }
        if start.elapsed() >= limit {
            return Ok(Verdict::violated(msg!(
                "tcp-server-accepts-not-accepted",
                limit = limit,
                state = ctx.target_state().await
            )));
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
        return Ok(Verdict::Skip(msg!(
            "tcp-server-stream-integrity-needs-echo"
        )));
    }
    // Everything on one connection, so a sequential server is not blamed
    // here for what tcp.server.next-client judges.
    let mut kept = Kept::default();
    let peer = kept.get(ctx).await?;
    baseline(ctx, peer, STREAM_INTEGRITY.id).await?;
    let (seed, cases) = (ctx.settings().seed, ctx.settings().cases);
    ctx.facts.seed = Some(seed);
    let mut prop = Property::start(payload_and_cuts(), seed, cases);
    while let Some((payload, cuts)) = prop.next_case().await {
        prop.report(case_result(
            integrity_case(ctx, &mut kept, &payload, &cuts).await,
        ));
    }
    match prop.finish().await {
        PropertyResult::Held { cases } => ctx.facts.cases = Some(cases),
        PropertyResult::Failed(f) => {
            ctx.facts.cases = Some(f.case);
            ctx.facts.notes.push(crate::common::shrink_note(&f, seed));
            let (payload, cuts) = &f.minimal;
            replay!(
                ctx,
                integrity_case(ctx, &mut Kept::default(), payload, cuts)
            );
            return Ok(described(
                f.reason,
                msg!(
                    "tcp-server-stream-integrity-written-as",
                    payload = payload,
                    cutting = cutting(&cutting_of(payload, cuts))
                ),
            ));
        }
        PropertyResult::Aborted(e) => return Ok(Verdict::Error(e)),
    }
    // The large payload: more than any send buffer holds, so a send() whose
    // return value is ignored loses bytes here.
    let peer = kept.get(ctx).await?;
    let payload: Vec<u8> = (0..LARGE).map(|i| (i % 251) as u8).collect();
    let (got, end) = peer
        .round_trip(&payload, ctx.latency.patience())
        .await
        .map_err(io_error)?;
    if got != payload {
        let same = got.iter().zip(&payload).take_while(|(a, b)| a == b).count();
        return Ok(described(
            msg!(
                "tcp-server-stream-integrity-large",
                size = LARGE,
                received = got.len(),
                same = same,
                ending = ending(end)
            ),
            msg!("tcp-server-stream-integrity-large-input", size = LARGE),
        ));
    }
    Ok(Verdict::Holds(msg!(
        "tcp-server-stream-integrity-holds",
        cases = ctx.facts.cases.unwrap_or(0),
        size = LARGE
    )))
}

/// A violation whose counterexample is described by `counterexample`.
fn described(diagnosis: Message, counterexample: Message) -> Verdict {
    Verdict::Violated {
        diagnosis,
        counterexample: Some(Counterexample::Described(counterexample)),
    }
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
) -> Result<Option<Message>, Verdict> {
    let peer = kept.get(ctx).await?;
    let cut = cutting_of(payload, cuts);
    for piece in cut.pieces(payload.len(), &[payload.len()]) {
        peer.write(&payload[piece]).await.map_err(io_error)?;
    }
    let (got, end) = read_due(ctx, peer, Due::Bytes(payload.len()), false).await?;
    if got == payload {
        kept.keep_if_open(end);
        return Ok(None);
    }
    kept.drop_connection();
    let same = got.iter().zip(payload).take_while(|(a, b)| a == b).count();
    Ok(Some(msg!(
        "tcp-server-stream-integrity-differs",
        size = payload.len(),
        cutting = cutting(&cut),
        received = got.len(),
        same = same,
        ending = ending(end)
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
        return Ok(Verdict::Skip(msg!("tcp-server-coalesced-needs-contract")));
    }
    let (m1, m2) = (message(1), message(2));
    let mut peer = connect(ctx, "client").await?;
    baseline(ctx, &mut peer, COALESCED_MESSAGES.id).await?;
    let mut separate = Vec::new();
    for m in [&m1, &m2] {
        peer.write(m).await.map_err(io_error)?;
        let (r, _) = read_due(ctx, &mut peer, Due::of(ctx.contract(), m), false).await?;
        separate.extend(r);
    }
    // The same two messages again, now in one write, on the same connection.
    let both = [m1.clone(), m2.clone()].concat();
    peer.write(&both).await.map_err(io_error)?;
    let (joined, end) = read_due(ctx, &mut peer, Due::of(ctx.contract(), &both), true).await?;
    let expected = if ctx.contract() == Contract::Echo {
        both.clone()
    } else {
        separate.clone()
    };
    if joined == expected {
        return Ok(Verdict::Holds(msg!("tcp-server-coalesced-holds")));
    }
    let lines = |b: &[u8]| b.iter().filter(|&&c| c == b'\n').count();
    Ok(described(
        msg!(
            "tcp-server-coalesced-lost",
            joined = &joined,
            joined_lines = lines(&joined),
            ending = ending(end),
            expected = &expected,
            expected_lines = lines(&expected)
        ),
        msg!("tcp-in-one-write", payload = &both),
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
    let (_, end) = peer
        .read_until(usize::MAX, limit, limit, None)
        .await
        .map_err(io_error)?;
    Ok(match end {
        Ending::Eof => Verdict::Holds(msg!(
            "tcp-server-eof-closes-holds",
            ms = start.elapsed().as_secs_f64() * 1e3
        )),
        Ending::Reset => Verdict::violated(msg!(
            "tcp-server-eof-closes-reset",
            state = ctx.target_state().await
        )),
        Ending::Open => Verdict::violated(msg!(
            "tcp-server-eof-closes-open",
            limit = limit,
            state = ctx.target_state().await
        )),
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
        return Ok(Verdict::Skip(msg!("tcp-server-eof-no-spin-not-external")));
    }
    let msg = message(1);
    peer.write(&msg).await.map_err(io_error)?;
    let _ = read_due(ctx, &mut peer, Due::of(ctx.contract(), &msg), false).await?;
    peer.close();
    let Some(cpu) = ctx.cpu_over(CPU_WINDOW).await else {
        return Ok(Verdict::Error(msg!("tcp-server-eof-no-spin-no-cpu-time")));
    };
    if spinning(cpu) {
        return Ok(Verdict::violated(msg!(
            "tcp-server-eof-no-spin-spins",
            cpu = cpu,
            window = CPU_WINDOW
        )));
    }
    Ok(Verdict::Holds(msg!(
        "tcp-server-eof-no-spin-holds",
        cpu = cpu,
        window = CPU_WINDOW
    )))
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
    baseline(ctx, &mut first, NEXT_CLIENT.id).await?;
    first.close();
    // The same instance: a server that exits after one client is not restarted.
    served_again(ctx, server, After::Left).await
}

/// What the first client did before the next one came.
#[derive(Debug, Clone, Copy)]
enum After {
    /// It closed its connection.
    Left,
    /// It reset its connection (RST).
    Reset,
}

impl After {
    /// The catalog's name for it (the `$after` selector).
    fn as_str(self) -> &'static str {
        match self {
            After::Left => "left",
            After::Reset => "reset",
        }
    }
}

/// Whether a new client of the same instance at `server` still gets a reply.
async fn served_again(
    ctx: &mut Ctx,
    server: std::net::SocketAddr,
    after: After,
) -> Result<Verdict, Verdict> {
    let mut next = match ctx.tcp_connect("client B", server).await? {
        Ok(peer) => peer,
        Err(e) => {
            return Ok(Verdict::violated(msg!(
                "tcp-server-next-client-refused",
                after = after.as_str(),
                error = e.to_string(),
                state = ctx.target_state().await
            )));
        }
    };
    let msg = message(2);
    next.write(&msg).await.map_err(io_error)?;
    let due = Due::of(ctx.contract(), &msg);
    let (reply, end) = read_due(ctx, &mut next, due, false).await?;
    if due.satisfied(&reply) {
        return Ok(Verdict::Holds(msg!(
            "tcp-server-next-client-holds",
            reply = &reply
        )));
    }
    Ok(Verdict::violated(msg!(
        "tcp-server-next-client-unanswered",
        after = after.as_str(),
        ending = ending(end),
        state = ctx.target_state().await
    )))
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
    let usual = baseline(ctx, &mut peer, HALF_CLOSE.id).await?;
    let msg = message(0);
    peer.write(&msg).await.map_err(io_error)?;
    peer.shutdown_write().await.map_err(io_error)?;
    let due = match ctx.contract() {
        Contract::Any => Due::Bytes(usual.len().max(1)),
        c => Due::of(c, &msg),
    };
    let (reply, end) = read_due(ctx, &mut peer, due, false).await?;
    let enough = match due {
        Due::Bytes(n) => reply.len() >= n,
        _ => reply.iter().filter(|&&b| b == b'\n').count() >= 1,
    };
    if enough {
        return Ok(Verdict::Holds(msg!("tcp-server-half-close-holds")));
    }
    Ok(described(
        msg!(
            "tcp-server-half-close-lost",
            reply = &reply,
            usual = &usual,
            ending = ending(end)
        ),
        msg!("tcp-server-half-close-input", payload = &msg),
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
    baseline(ctx, &mut first, RESET_SURVIVES.id).await?;
    first.reset().map_err(io_error)?;
    let verdict = served_again(ctx, server, After::Reset).await?;
    Ok(match verdict {
        Verdict::Violated { diagnosis, .. } => Verdict::violated(msg!(
            "tcp-server-reset-survives-lost",
            diagnosis = diagnosis
        )),
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
        return Ok(Verdict::Skip(msg!(
            "tcp-server-rebind-no-time-wait",
            port = server.port()
        )));
    }
    ctx.recorder().note(
        "sockspec",
        "killed the server with a connection in TIME_WAIT; starting it again",
    );
    match ctx.server().await {
        Ok(addr) => Ok(Verdict::Holds(msg!("tcp-server-rebind-holds", addr = addr))),
        Err(Verdict::Violated { .. }) => Ok(Verdict::violated(msg!(
            "tcp-server-rebind-fails",
            state = state_of(ctx.exit())
        ))),
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
    baseline(ctx, &mut peer, BAD_BYTES.id).await?;
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
    let (reply, end) = read_due(ctx, &mut peer, due, false).await?;
    if due.satisfied(&reply) {
        return Ok(Verdict::Holds(msg!(
            "tcp-server-bad-bytes-holds",
            poison = &poison
        )));
    }
    Ok(Verdict::violated_by(
        msg!(
            "tcp-server-bad-bytes-lost",
            reply = &reply,
            ending = ending(end),
            state = ctx.target_state().await
        ),
        vec![poison, msg],
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
    baseline(ctx, &mut first, CONCURRENT.id).await?;
    let mut second = connect(ctx, "client B").await?;
    let msg = message(2);
    second.write(&msg).await.map_err(io_error)?;
    let (reply, _) = read_due(ctx, &mut second, Due::of(ctx.contract(), &msg), false).await?;
    drop(first);
    Ok(Verdict::Observed(if reply.is_empty() {
        msg!("tcp-server-concurrent-sequential")
    } else {
        msg!("tcp-server-concurrent-concurrent")
    }))
}
