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
    // A target proven idle (every thread waiting, none due to wake within
    // the limit) will not accept it either: concluded at once.
    let limit = ctx.settings().reply_timeout;
    let start = Instant::now();
    let idle = ctx.idle_watch();
    let proven_idle = async {
        match &idle {
            Some(watch) => watch.proven(limit, || true).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(proven_idle);
    let mut idle_now = false;
    let mut backoff = sockspec_harness::poll::Backoff::default();
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
        if idle_now || start.elapsed() >= limit {
            if idle_now {
                ctx.recorder()
                    .note("client", sockspec_harness::tcp::idle_note(start.elapsed()));
            }
            return Ok(Verdict::violated(msg!(
                "tcp-server-accepts-not-accepted",
                limit = limit,
                state = ctx.target_state().await
            )));
        }
        tokio::select! {
            () = backoff.pause() => {}
            () = &mut proven_idle => idle_now = true,
        }
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

/// Non-empty UTF-8 text (bytes that are not text are tcp.server.bad-bytes'
/// concern) of at most 900 bytes, so a server reading 1024 bytes at a time gets
/// whole characters, and cut points, as thousandths of the payload.
fn payload_and_cuts() -> impl Strategy<Value = (Vec<u8>, Vec<u16>)> {
    let text = "[ -~\u{4f60}\u{597d}\u{7c98}\u{5305}\n]{1,300}".prop_map(String::into_bytes);
    (text, proptest::collection::vec(0u16..1000, 0..6))
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
    let payload = large_text();
    let (got, end) = peer
        .round_trip(&payload, ctx.latency.patience())
        .await
        .map_err(io_error)?;
    if got != payload {
        let same = got.iter().zip(&payload).take_while(|(a, b)| a == b).count();
        return Ok(described(
            msg!(
                "tcp-server-stream-integrity-large",
                lang = ctx.language(),
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

/// [`LARGE`] bytes of ASCII text in numbered lines, so a lost stretch shows.
fn large_text() -> Vec<u8> {
    let mut text = Vec::with_capacity(LARGE + 64);
    let mut n = 0usize;
    while text.len() < LARGE {
        text.extend_from_slice(format!("line {n:07} abcdefghijklmnopqrstuvwxyz\n").as_bytes());
        n += 1;
    }
    text.truncate(LARGE);
    text
}

/// A violation whose counterexample is described by `counterexample`.
fn described(diagnosis: Message, counterexample: Message) -> Verdict {
    Verdict::Violated {
        diagnosis,
        counterexample: Some(Counterexample::Described(counterexample)),
    }
}

/// The cut points of `cuts` in `payload`, each moved back to the start of
/// its UTF-8 character: a character cut in two is tcp.server.segmentation-invariant's
/// concern, not this check's.
fn cutting_of(payload: &[u8], cuts: &[u16]) -> sockspec_wire::Cutting {
    let at = cuts
        .iter()
        .map(|&c| {
            let mut at = usize::from(c) * payload.len() / 1000;
            while at > 0 && at < payload.len() && payload[at] & 0xC0 == 0x80 {
                at -= 1;
            }
            at
        })
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
        lang = ctx.language(),
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
        let wrote = peer.write(m).await;
        let (r, end) = match wrote {
            Ok(()) => read_due(ctx, &mut peer, Due::of(ctx.contract(), m), false).await?,
            Err(e) if crate::common::connection_broken(&e) => (Vec::new(), Ending::Reset),
            Err(e) => return Err(io_error(e)),
        };
        if r.is_empty() && end != Ending::Open && ctx.exit().is_none() {
            // It ended the connection after one message: the premise (a
            // connection carries several messages) failed, as
            // tcp.server.segmentation-invariant says.
            return Err(Verdict::Blocked {
                by: "tcp.server.segmentation-invariant",
                reason: msg!(
                    "tcp-server-coalesced-connection-ended",
                    ending = ending(end)
                ),
            });
        }
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
    // Bounded: a server that answers every end-of-stream read in a loop
    // would otherwise be read from forever. One proven busy in a loop (what
    // tcp.server.eof-no-spin names) is not waited for.
    let (got, end) = tokio::select! {
        read = peer.read_until(AFTER_EOF_MAX, limit, limit, None) => read.map_err(io_error)?,
        busy = crate::common::spins(ctx) => return Err(spin_blocked(ctx, busy)),
    };
    if got.len() >= AFTER_EOF_MAX {
        return Err(looping(ctx, got.len(), start.elapsed()));
    }
    Ok(match end {
        Ending::Eof => Verdict::Holds(msg!(
            "tcp-server-eof-closes-holds",
            ms = start.elapsed().as_secs_f64() * 1e3
        )),
        Ending::Reset => Verdict::violated(msg!(
            "tcp-server-eof-closes-reset",
            lang = ctx.language(),
            state = ctx.target_state().await
        )),
        Ending::Open => {
            spin_blocks(ctx).await?;
            Verdict::violated(msg!(
                "tcp-server-eof-closes-open",
                lang = ctx.language(),
                limit = limit,
                state = ctx.target_state().await
            ))
        }
    })
}

/// More bytes than this after sockspec's end of stream (FIN) mean the server
/// answers each end-of-stream read: no reply to the messages sent is this long.
const AFTER_EOF_MAX: usize = 64 * 1024;

/// The verdict of a check whose premise (a server that stops at end of
/// stream) failed because the server answers end of stream in a loop: named by
/// tcp.server.eof-no-spin.
fn looping(ctx: &Ctx, bytes: usize, over: Duration) -> Verdict {
    Verdict::Blocked {
        by: EOF_NO_SPIN.id,
        reason: msg!(
            "tcp-server-eof-answers-in-loop",
            bytes = bytes,
            window = over,
            lang = ctx.language()
        ),
    }
}

/// `Err(Blocked by eof-no-spin)` when the target is busy in a loop now (its
/// busy time over [`CPU_WINDOW`]): what the calling check saw is a
/// consequence of the spin that tcp.server.eof-no-spin names.
async fn spin_blocks(ctx: &Ctx) -> Result<(), Verdict> {
    if ctx.exit().is_some() {
        return Ok(());
    }
    match ctx.busy_over(CPU_WINDOW).await {
        Some(busy) if spinning(busy) && ctx.exit().is_none() => Err(spin_blocked(ctx, busy)),
        _ => Ok(()),
    }
}

/// The verdict of a check blocked by a target busy in a loop (`busy` of
/// CPU over the last [`CPU_WINDOW`]), which tcp.server.eof-no-spin names.
fn spin_blocked(ctx: &Ctx, busy: Duration) -> Verdict {
    Verdict::Blocked {
        by: EOF_NO_SPIN.id,
        reason: msg!(
            "tcp-server-eof-spins-meanwhile",
            cpu = busy,
            window = CPU_WINDOW,
            lang = ctx.language()
        ),
    }
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
    // First a half-close: the server reads end of stream while sockspec still
    // reads, so a server that answers it in a loop shows its replies.
    peer.shutdown_write().await.map_err(io_error)?;
    let (busy, drained) = tokio::join!(ctx.busy_over(CPU_WINDOW), drain(&mut peer, CPU_WINDOW));
    let (bytes, _) = drained.map_err(io_error)?;
    if bytes >= AFTER_EOF_MAX / 16 {
        return Ok(Verdict::violated(msg!(
            "tcp-server-eof-no-spin-answers-in-loop",
            bytes = bytes,
            window = CPU_WINDOW,
            lang = ctx.language()
        )));
    }
    if let Some(busy) = busy
        && spinning(busy)
        && ctx.exit().is_none()
    {
        return Ok(Verdict::violated(msg!(
            "tcp-server-eof-no-spin-spins",
            cpu = busy,
            window = CPU_WINDOW,
            lang = ctx.language()
        )));
    }
    // Then the full close.
    peer.close();
    let Some(cpu) = ctx.busy_over(CPU_WINDOW).await else {
        return Ok(Verdict::Error(msg!("tcp-server-eof-no-spin-no-cpu-time")));
    };
    if ctx.exit().is_some() {
        // A target that ended is not idle: whether it would spin is not known.
        return Err(Verdict::Blocked {
            by: NEXT_CLIENT.id,
            reason: msg!(
                "tcp-server-eof-no-spin-ended",
                state = ctx.target_state().await
            ),
        });
    }
    if spinning(cpu) {
        return Ok(Verdict::violated(msg!(
            "tcp-server-eof-no-spin-spins",
            cpu = cpu,
            window = CPU_WINDOW,
            lang = ctx.language()
        )));
    }
    Ok(Verdict::Holds(msg!(
        "tcp-server-eof-no-spin-holds",
        cpu = cpu,
        window = CPU_WINDOW
    )))
}

/// Reads and counts what arrives for `window` (up to [`AFTER_EOF_MAX`]),
/// returning the count and how the connection stood.
async fn drain(
    peer: &mut sockspec_harness::tcp::TcpPeer,
    window: Duration,
) -> std::io::Result<(usize, Ending)> {
    let start = Instant::now();
    let mut bytes = 0;
    while bytes < AFTER_EOF_MAX {
        let left = window.saturating_sub(start.elapsed());
        if left.is_zero() {
            break;
        }
        match peer.read_some(left).await? {
            sockspec_harness::tcp::Read::Data(d) => bytes += d.len(),
            sockspec_harness::tcp::Read::Eof => return Ok((bytes, Ending::Eof)),
            sockspec_harness::tcp::Read::Reset => return Ok((bytes, Ending::Reset)),
            sockspec_harness::tcp::Read::Timeout => break,
        }
    }
    Ok((bytes, Ending::Open))
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
    if ctx.contract() == Contract::Any {
        // No reply is due under any: the first client only talks, then leaves.
        let msg = message(0);
        first.write(&msg).await.map_err(io_error)?;
        let _ = read_due(ctx, &mut first, Due::Unknown, false).await?;
    } else {
        baseline(ctx, &mut first, NEXT_CLIENT.id).await?;
    }
    leave(ctx, first).await?;
    // The same instance: a server that exits after one client is not restarted.
    served_again(ctx, server, After::Left).await
}

/// The client leaves as a polite one does: end of stream, then it waits for
/// the server's end (bounded: a server answering end of stream in a loop is
/// tcp.server.eof-no-spin's to name, and blocks the caller).
async fn leave(ctx: &Ctx, mut peer: sockspec_harness::tcp::TcpPeer) -> Result<(), Verdict> {
    if peer.shutdown_write().await.is_err() {
        return Ok(());
    }
    let patience = ctx.latency.patience();
    let start = Instant::now();
    let Ok((after, _)) = peer
        .read_until(AFTER_EOF_MAX, patience, patience, None)
        .await
    else {
        return Ok(());
    };
    if after.len() >= AFTER_EOF_MAX {
        return Err(looping(ctx, after.len(), start.elapsed()));
    }
    peer.close();
    Ok(())
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
        Ok(mut peer) => {
            super::replies::set_greeting_aside(ctx, &mut peer).await?;
            peer
        }
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
    let due = Due::of(ctx.contract(), &msg);
    // A connection accepted by the kernel's backlog is reset when the server
    // closes its listening socket: no reply, whoever's doing it is.
    let (reply, end) = match next.write(&msg).await {
        Ok(()) => read_due(ctx, &mut next, due, false).await?,
        Err(e) if crate::common::connection_broken(&e) => (Vec::new(), Ending::Reset),
        Err(e) => return Err(io_error(e)),
    };
    if due.satisfied(&reply) {
        return Ok(Verdict::Holds(msg!(
            "tcp-server-next-client-holds",
            reply = &reply
        )));
    }
    // Under any no reply is due: accepted by a server still running is served.
    if due == Due::Unknown
        && end == Ending::Open
        && ctx.exit().is_none()
        && super::replies::accepted(ctx, &next)? == Some(true)
    {
        return Ok(Verdict::Holds(msg!("tcp-server-next-client-accepted")));
    }
    if end == Ending::Open {
        spin_blocks(ctx).await?;
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
    let mut first = connect(ctx, "client").await?;
    let usual = baseline(ctx, &mut first, HALF_CLOSE.id).await?;
    leave(ctx, first).await?;
    // A fresh connection whose only message is followed at once by the
    // half-close: a server that reads once per connection (the mistake
    // tcp.server.segmentation-invariant names) is judged on its single read.
    // (A one-shot server is started again: tcp.server.next-client names that.)
    let mut peer = connect(ctx, "client B").await?;
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
    if end == Ending::Open {
        // Still busy with the first client's end of stream?
        spin_blocks(ctx).await?;
    }
    Ok(described(
        msg!(
            "tcp-server-half-close-lost",
            reply = &reply,
            usual = &usual,
            ending = ending(end),
            lang = ctx.language()
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
    if let Verdict::Violated { .. } = verdict {
        // Ended on its own after the first client: not the reset's doing.
        ended_after_client(ctx).await?;
    }
    Ok(match verdict {
        Verdict::Violated { diagnosis, .. } => Verdict::violated(msg!(
            "tcp-server-reset-survives-lost",
            lang = ctx.language(),
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
    let tree = ctx
        .instance()
        .and_then(|i| i.pid)
        .map(sockspec_harness::procfs::process_tree)
        .unwrap_or_default();
    ctx.stop_instance();
    let limit = ctx.settings().reply_timeout;
    // The kill is asynchronous: its listening socket must be gone before the
    // restart (a server that closed the connection itself gives no EOF to wait for).
    let start = Instant::now();
    let mut backoff = sockspec_harness::poll::Backoff::default();
    while !tree.iter().all(|&pid| sockspec_harness::procfs::ended(pid)) && start.elapsed() < limit {
        backoff.pause().await;
    }
    let _ = peer
        .read_until(usize::MAX, limit, limit, None)
        .await
        .map_err(io_error)?;
    let net = ctx.net()?;
    let start = Instant::now();
    let (ours, theirs) = (peer.local_addr(), server);
    peer.close();
    let mut backoff = sockspec_harness::poll::Backoff::default();
    let in_time_wait = loop {
        let state = net.tcp_socket(theirs, ours).map_err(io_error)?;
        if state.is_some_and(|s| s.state == sockdiag::TCP_TIME_WAIT) {
            break true;
        }
        // Gone (reset, or never accepted before the kill): no program holds
        // it and the kernel forgot it, so it never reaches TIME_WAIT.
        if state.is_none() || start.elapsed() >= limit {
            break false;
        }
        backoff.pause().await;
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
        Ok(addr) if addr.port() == server.port() => {
            Ok(Verdict::Holds(msg!("tcp-server-rebind-holds", addr = addr)))
        }
        // Clients know the port: a restart that listens elsewhere (bind()
        // failed unchecked, so listen() took an ephemeral port) serves no one.
        Ok(addr) => Ok(Verdict::violated(msg!(
            "tcp-server-rebind-other-port",
            addr = addr,
            port = server.port(),
            lang = ctx.language()
        ))),
        Err(Verdict::Violated { .. }) => Ok(Verdict::violated(msg!(
            "tcp-server-rebind-fails",
            lang = ctx.language(),
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

/// How the server ended after its client left (`None`: it runs on). An exit
/// under way (a crash, or a one-shot server shutting down, slow on a loaded
/// machine) is waited for until it is proven not to come (see
/// [`crate::common::exit_within`]). One that ended on its own (status 0) is a
/// one-shot server, which `tcp.server.next-client` names: the check is
/// blocked by it.
async fn ended_after_client(ctx: &mut Ctx) -> Result<Option<sockspec_harness::ExitInfo>, Verdict> {
    let ended = crate::common::exit_within(ctx, ctx.settings().reply_timeout).await;
    if ended.is_some_and(|exit| exit.code == Some(0)) {
        return Err(Verdict::Blocked {
            by: NEXT_CLIENT.id,
            reason: msg!(
                "tcp-server-bad-bytes-one-shot",
                state = ctx.target_state().await
            ),
        });
    }
    Ok(ended)
}

async fn bad_bytes(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let mut peer = connect(ctx, "client").await?;
    let server = peer.peer_addr();
    baseline(ctx, &mut peer, BAD_BYTES.id).await?;
    let poison = [NOT_UTF8, b"\n"].concat();
    // A server that ended the connection after the plain message (it reads
    // once per connection) may refuse the poison: the control below decides.
    let after_poison = match peer.write(&poison).await {
        Ok(()) => {
            // A reply to the poison is allowed, not required.
            read_due(ctx, &mut peer, Due::Unknown, false).await?.1
        }
        Err(e) if crate::common::connection_broken(&e) => Ending::Reset,
        Err(e) => return Err(io_error(e)),
    };
    let msg = message(2);
    let due = Due::of(ctx.contract(), &msg);
    let (reply, end) = if after_poison == Ending::Open && peer.write(&msg).await.is_ok() {
        read_due(ctx, &mut peer, due, false).await?
    } else {
        (Vec::new(), after_poison)
    };
    if due.satisfied(&reply) {
        return Ok(Verdict::Holds(msg!(
            "tcp-server-bad-bytes-holds",
            poison = &poison
        )));
    }
    // The control: closing that connection is the server's choice; what this
    // check asks is that the server lives on for the next client.
    drop(peer);
    if end == Ending::Open {
        // Busy in a loop rather than answering?
        spin_blocks(ctx).await?;
    }
    match ended_after_client(ctx).await? {
        Some(_) => {}
        None if end != Ending::Open => {
            let control = served_again(ctx, server, After::Left).await?;
            if let Verdict::Holds(_) = control {
                return Ok(Verdict::Holds(msg!(
                    "tcp-server-bad-bytes-closed-holds",
                    poison = &poison
                )));
            }
        }
        None => {}
    }
    Ok(Verdict::violated_by(
        msg!(
            "tcp-server-bad-bytes-lost",
            reply = &reply,
            ending = ending(end),
            state = ctx.target_state().await,
            lang = ctx.language()
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
