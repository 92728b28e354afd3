//! Checks of a TCP client: sockspec is the server, and the client's stdin
//! lines are the messages it must send.

use crate::common::{CPU_WINDOW, connection_broken, io_error, spinning};
use crate::run_fn;
use sockspec_harness::output::Stream;
use sockspec_harness::target::ended;
use sockspec_harness::tcp::{Read, TcpPeer};
use sockspec_harness::{Check, Contract, Ctx, Level, Message, Role, Verdict, msg};
use sockspec_results::{Counterexample, ProgramLanguage};
use std::net::SocketAddr;
use std::time::Duration;

/// How long sockspec waits for the client's next bytes before deciding it has
/// stopped (its exit or EOF ends the wait at once).
const IDLE: Duration = Duration::from_secs(3);

/// How sockspec's replies are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delivery {
    /// Each reply in one write.
    Whole,
    /// Each reply cut into pieces, each written after the client read the last.
    Pieces,
}

/// What the client did in one session.
struct Session {
    /// Where sockspec served.
    server: SocketAddr,
    /// Every byte the client sent.
    received: Vec<u8>,
    /// Whether the client connected at all.
    connected: bool,
}

/// sockspec's reply to one received chunk of `message` bytes.
fn reply_to(contract: Contract, k: usize, message: &[u8]) -> Vec<u8> {
    match contract {
        Contract::Echo => message.to_vec(),
        Contract::Lines => [b"OK ", message].concat(),
        Contract::Any => format!("sockspec reply {k}: 收到\n").into_bytes(),
    }
}

/// Listens where the client expects its server and starts the client.
async fn start(ctx: &mut Ctx) -> Result<(tokio::net::TcpListener, SocketAddr), Verdict> {
    let want = ctx.client_server_addr();
    let listener = ctx.tcp_listen(want)?;
    let server = listener.local_addr().map_err(io_error)?;
    ctx.start_client(server).await?;
    Ok((listener, server))
}

/// Serves one client connection: answers what it sends until it closes, exits
/// or goes idle.
async fn session(ctx: &mut Ctx, delivery: Delivery) -> Result<Session, Verdict> {
    let (listener, server) = start(ctx).await?;
    let limit = ctx.settings().start_timeout;
    let Some(mut peer) = ctx.tcp_accept(&listener, "server", limit).await? else {
        return Ok(Session {
            server,
            received: Vec::new(),
            connected: false,
        });
    };
    let contract = ctx.contract();
    let mut received = Vec::new();
    let mut pending = Vec::new();
    let mut k = 0;
    let mut reads_pieces = true;
    // Until the client closes, resets, exits or goes idle.
    while let Read::Data(d) = peer.read_some(IDLE).await.map_err(io_error)? {
        received.extend_from_slice(&d);
        pending.extend_from_slice(&d);
        // Under lines, answer complete lines; otherwise each chunk.
        let upto = match contract {
            Contract::Lines => pending.iter().rposition(|&b| b == b'\n').map(|i| i + 1),
            _ => Some(pending.len()),
        };
        let Some(upto) = upto else { continue };
        let chunk: Vec<u8> = pending.drain(..upto).collect();
        let messages: Vec<&[u8]> = match contract {
            Contract::Lines => chunk.split_inclusive(|&b| b == b'\n').collect(),
            _ => vec![&chunk[..]],
        };
        for m in messages {
            k += 1;
            let reply = reply_to(contract, k, m);
            if !deliver(ctx, &mut peer, &reply, delivery, &mut reads_pieces).await? {
                // The client is gone; what it did so far is the session.
                return Ok(Session {
                    server,
                    received,
                    connected: true,
                });
            }
        }
    }
    Ok(Session {
        server,
        received,
        connected: true,
    })
}

/// Writes one reply; false when the client has closed or reset the
/// connection, or stopped reading it (a write waits in vain for the reply
/// timeout: its receive buffer is full). Each piece waits until the client
/// read the one before, as long as it keeps doing so (`reads_pieces`: a
/// client that left one unread for its patience is not waited for again).
async fn deliver(
    ctx: &Ctx,
    peer: &mut TcpPeer,
    reply: &[u8],
    delivery: Delivery,
    reads_pieces: &mut bool,
) -> Result<bool, Verdict> {
    let cuts = match delivery {
        Delivery::Whole => Vec::new(),
        Delivery::Pieces => piece_cuts(reply),
    };
    let bounds: Vec<usize> = std::iter::once(0)
        .chain(cuts)
        .chain(std::iter::once(reply.len()))
        .collect();
    for piece in bounds.windows(2).map(|w| &reply[w[0]..w[1]]) {
        match tokio::time::timeout(ctx.settings().reply_timeout, peer.write(piece)).await {
            Err(_) => return Ok(false),
            Ok(Ok(())) => {}
            Ok(Err(e)) if connection_broken(&e) => return Ok(false),
            Ok(Err(e)) => return Err(io_error(e)),
        }
        if delivery == Delivery::Pieces && *reads_pieces {
            *reads_pieces = peer.wait_peer_read(ctx.latency.patience()).await;
        }
    }
    Ok(true)
}

/// Where [`Delivery::Pieces`] cuts `reply`: inside its first and its last
/// multi-byte UTF-8 character when it has any (so a client that decodes each
/// recv() on its own meets half a character), else in thirds.
fn piece_cuts(reply: &[u8]) -> Vec<usize> {
    let inside = |b: &u8| b & 0xC0 == 0x80;
    let mut cuts = match (
        reply.iter().position(inside),
        reply.iter().rposition(inside),
    ) {
        (Some(first), Some(last)) => vec![first, last],
        _ => vec![reply.len() / 3, reply.len() * 2 / 3],
    };
    cuts.retain(|&c| c > 0 && c < reply.len());
    cuts.dedup();
    cuts
}

/// The violation of a client that never connected to `server`; `state` is the
/// target's state.
fn never_connected(server: SocketAddr, state: Message) -> Verdict {
    Verdict::violated(msg!(
        "tcp-client-never-connected",
        addr = server,
        state = state
    ))
}

/// `tcp.client.sends-input`
pub static SENDS_INPUT: Check = Check {
    id: "tcp.client.sends-input",
    role: Role::TcpClient,
    level: Level::Must,
    spec: "send(2)/sendall; course day02",
    title: "the bytes the client sends match its input under the contract",
    needs_sandbox: false,
    run: run_fn!(sends_input),
};

async fn sends_input(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let s = session(ctx, Delivery::Whole).await?;
    if !s.connected {
        return Ok(never_connected(s.server, ctx.target_state().await));
    }
    let lines = ctx.settings().input.clone();
    let normalized: Vec<u8> = String::from_utf8_lossy(&s.received)
        .replace("\r\n", "\n")
        .into_bytes();
    let (got, want): (Vec<u8>, Vec<u8>) = match ctx.contract() {
        Contract::Lines => (
            normalized,
            lines
                .iter()
                .flat_map(|l| format!("{l}\n").into_bytes())
                .collect(),
        ),
        _ => (
            normalized.into_iter().filter(|&b| b != b'\n').collect(),
            lines.concat().into_bytes(),
        ),
    };
    // A client that never read its stdin sends messages of its own: it is
    // judged by what it sends (as UDP clients and broadcast senders are).
    let ended_ok = || async {
        crate::common::exit_within(ctx, ctx.latency.patience())
            .await
            .is_some_and(|e| e.code == Some(0))
    };
    // A line typed but not yet settled may have been read: let it settle.
    if let Some(mut typed) = ctx.instance().and_then(|i| i.stdin_watch()) {
        let patience = sockspec_harness::stdin::LINE_PATIENCE * 2;
        let _ = tokio::time::timeout(patience, typed.wait_for(|p| p.typed == p.written)).await;
    }
    let never_read = match ctx.stdin_progress() {
        Some(p) if p.typed == 0 => p.ignored(&lines, ended_ok().await),
        Some(p) => p.ignored(&lines, false),
        None => false,
    };
    if never_read && !s.received.is_empty() {
        return Ok(Verdict::Holds(msg!(
            "tcp-client-never-reads",
            size = s.received.len(),
            sent = s.received.as_slice()
        )));
    }
    if got == want {
        return Ok(Verdict::Holds(msg!(
            "tcp-client-sends-input-holds",
            lines = lines.len(),
            size = s.received.len()
        )));
    }
    // Everything but a short last line, and an exit with status 0 after it:
    // that line was the client's quit command (q, quit, end), not lost input.
    if let Some((last, before)) = lines.split_last()
        && last.len() <= 8
        && !before.is_empty()
    {
        let want_before: Vec<u8> = match ctx.contract() {
            Contract::Lines => before
                .iter()
                .flat_map(|l| format!("{l}\n").into_bytes())
                .collect(),
            _ => before.concat().into_bytes(),
        };
        let exited_ok = crate::common::exit_within(ctx, ctx.latency.patience())
            .await
            .is_some_and(|e| e.code == Some(0));
        if got == want_before && exited_ok {
            return Ok(Verdict::Holds(msg!(
                "tcp-client-sends-input-quit",
                lines = before.len(),
                size = s.received.len(),
                quit = last.as_bytes()
            )));
        }
    }
    let what = if ctx.contract() == Contract::Lines {
        "lines"
    } else {
        "bytes"
    };
    Ok(Verdict::violated_by(
        msg!(
            "tcp-client-sends-input-differs",
            sent = &s.received,
            want = &want,
            what = what,
            state = ctx.target_state().await
        ),
        lines.iter().map(|l| l.as_bytes().to_vec()).collect(),
    ))
}

/// `tcp.client.segmentation-invariant`
pub static SEGMENTATION_INVARIANT: Check = Check {
    id: "tcp.client.segmentation-invariant",
    role: Role::TcpClient,
    level: Level::Should,
    spec: "RFC 9293 §3.1 (a byte stream); recv(2) may return part of a reply; course day02 (粘包)",
    title: "replies cut and coalesced differently give the same client output",
    needs_sandbox: false,
    run: run_fn!(client_segmentation_invariant),
};

async fn client_segmentation_invariant(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let whole = session(ctx, Delivery::Whole).await?;
    if !whole.connected {
        return Ok(never_connected(whole.server, ctx.target_state().await));
    }
    let out_whole = stdout(ctx).await;
    ctx.stop_instance();
    let cut = session(ctx, Delivery::Pieces).await?;
    let out_cut = stdout(ctx).await;
    if !cut.connected {
        // Nothing to compare: not a pass.
        return Ok(Verdict::Skip(msg!(
            "tcp-client-segmentation-second-run-offline"
        )));
    }
    if out_cut == out_whole {
        return Ok(Verdict::Holds(msg!("tcp-client-segmentation-holds")));
    }
    Ok(Verdict::Violated {
        diagnosis: msg!(
            "tcp-client-segmentation-differs",
            cut = &out_cut,
            whole = &out_whole,
            lang = ctx.language()
        ),
        counterexample: Some(Counterexample::Described(msg!(
            "tcp-client-segmentation-input"
        ))),
    })
}

/// The client's whole stdout once its session is over: after its exit (it
/// prints its last line before exiting), or its output so far when it keeps
/// running for the patience window.
async fn stdout(ctx: &Ctx) -> Vec<u8> {
    let Some(instance) = ctx.instance() else {
        return Vec::new();
    };
    // The exit is reported once its output pipes are drained; a client that
    // is proven not to end has printed what it will (its pipes drained).
    if crate::common::exit_within(ctx, ctx.latency.patience())
        .await
        .is_none()
        && let Some(pid) = instance.pid
    {
        crate::common::output_read(pid).await;
    }
    instance.output.get(Stream::Stdout).bytes
}

/// `tcp.client.eof-exits`
pub static EOF_EXITS: Check = Check {
    id: "tcp.client.eof-exits",
    role: Role::TcpClient,
    level: Level::Must,
    spec: "recv(2): a return of 0 means the peer has shut down; course day02",
    title: "when the server closes, the client ends (or stops reading) without spinning or a traceback",
    needs_sandbox: false,
    run: run_fn!(eof_exits),
};

async fn eof_exits(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let (listener, server) = start(ctx).await?;
    let limit = ctx.settings().start_timeout;
    let Some(mut peer) = ctx.tcp_accept(&listener, "server", limit).await? else {
        return Ok(never_connected(server, ctx.target_state().await));
    };
    // Wait for the first message, then close without replying: the client is
    // in recv() and must see EOF there.
    let _ = peer.read_some(IDLE).await.map_err(io_error)?;
    peer.close();
    let waited = ctx.settings().reply_timeout;
    let Some(instance) = ctx.instance() else {
        return Ok(Verdict::Error(msg!("tcp-client-instance-gone")));
    };
    let exit = crate::common::exit_within(ctx, waited).await;
    let stderr = String::from_utf8_lossy(&instance.output.get(Stream::Stderr).bytes).into_owned();
    if let Some(exit) = exit {
        // Killed by a signal it raised itself (SIGPIPE from a send() on the
        // closed connection, SIGSEGV, an abort()): C's traceback.
        if exit.signal.is_some() {
            return Ok(Verdict::violated(killed(exit, ctx.language())));
        }
        if stderr.contains("Traceback") {
            return Ok(Verdict::violated(msg!(
                "tcp-client-eof-exits-traceback",
                lang = ctx.language(),
                state = ended(exit)
            )));
        }
        return Ok(Verdict::Holds(msg!(
            "tcp-client-eof-exits-holds",
            state = ended(exit)
        )));
    }
    match ctx.cpu_over(CPU_WINDOW).await {
        Some(cpu) if spinning(cpu) => Ok(Verdict::violated(msg!(
            "tcp-client-eof-exits-spins",
            lang = ctx.language(),
            cpu = cpu,
            window = CPU_WINDOW
        ))),
        Some(_) => Ok(Verdict::Holds(msg!("tcp-client-eof-exits-idle"))),
        None => Ok(Verdict::Skip(msg!("tcp-client-eof-exits-no-cpu-time"))),
    }
}

/// Why a client killed by a signal after the server closed is wrong, with
/// the hint for SIGPIPE (a write on the closed connection) when that was it.
fn killed(exit: sockspec_harness::ExitInfo, lang: ProgramLanguage) -> Message {
    let sigpipe = match exit.signal_name().as_deref() {
        Some("SIGPIPE") => "yes",
        _ => "no",
    };
    msg!(
        "tcp-client-eof-exits-killed",
        lang = lang,
        sigpipe = sigpipe,
        state = ended(exit)
    )
}

/// `tcp.client.refused`
pub static REFUSED: Check = Check {
    id: "tcp.client.refused",
    role: Role::TcpClient,
    level: Level::Should,
    spec: "connect(2) ECONNREFUSED; course day02 (OSError on connect)",
    title: "with no server, the client reports an error and exits instead of hanging",
    needs_sandbox: false,
    run: run_fn!(refused),
};

async fn refused(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let want = ctx.client_server_addr();
    // A port where nothing listens: the client's own in a fresh sandbox, or
    // one sockspec just freed.
    let address = if ctx.target().sandboxed() || want.port() == 0 {
        let listener = ctx.tcp_listen(want)?;
        let free = listener.local_addr().map_err(io_error)?;
        drop(listener);
        free
    } else {
        return Ok(Verdict::Skip(msg!(
            "tcp-client-refused-no-sandbox",
            addr = want
        )));
    };
    ctx.recorder()
        .note("sockspec", format!("nothing listens on {address}"));
    ctx.start_client(address).await?;
    let waited = ctx.settings().reply_timeout + Duration::from_secs(1);
    let Some(instance) = ctx.instance() else {
        return Ok(Verdict::Error(msg!("tcp-client-instance-gone")));
    };
    match crate::common::exit_within(ctx, waited).await {
        Some(exit) => {
            let said = instance.output.get(Stream::Stderr).total
                + instance.output.get(Stream::Stdout).total;
            if said == 0 {
                return Ok(Verdict::violated(msg!(
                    "tcp-client-refused-silent",
                    lang = ctx.language(),
                    state = ended(exit)
                )));
            }
            Ok(Verdict::Holds(msg!(
                "tcp-client-refused-holds",
                state = ended(exit)
            )))
        }
        None => Ok(Verdict::violated(msg!(
            "tcp-client-refused-hangs",
            lang = ctx.language(),
            addr = address,
            waited = waited
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::{killed, piece_cuts};
    use sockspec_harness::ExitInfo;
    use sockspec_report::Lang;
    use sockspec_results::ProgramLanguage;

    #[test]
    fn a_client_killed_after_the_close_is_told_why_for_its_signal() {
        let en = |signal, lang| {
            Lang::En
                .catalog()
                .render(&killed(ExitInfo::killed(signal), lang))
        };
        let zh = |signal, lang| {
            Lang::Zh
                .catalog()
                .render(&killed(ExitInfo::killed(signal), lang))
        };
        let pipe = en(13, ProgramLanguage::C);
        assert!(
            pipe.contains("SIGPIPE") && pipe.contains("send()"),
            "{pipe}"
        );
        let segv = en(11, ProgramLanguage::C);
        assert!(
            segv.contains("SIGSEGV") && !segv.contains("raised SIGPIPE"),
            "{segv}"
        );
        assert!(segv.contains("read()/recv() returns 0"), "{segv}");
        let python = en(9, ProgramLanguage::Python);
        assert!(python.contains("b''"), "{python}");
        let pipe_zh = zh(13, ProgramLanguage::C);
        assert!(
            pipe_zh.contains("SIGPIPE") && pipe_zh.contains("被杀死"),
            "{pipe_zh}"
        );
        assert!(!pipe_zh.contains("killed"), "{pipe_zh}");
        let segv_zh = zh(11, ProgramLanguage::C);
        assert!(segv_zh.contains("返回 -1 是出错"), "{segv_zh}");
    }

    #[test]
    fn pieces_cut_inside_multibyte_characters() {
        let reply = "sockspec reply 1: 收到\n".as_bytes();
        let cuts = piece_cuts(reply);
        assert_eq!(cuts.len(), 2);
        for c in cuts {
            assert!(std::str::from_utf8(&reply[..c]).is_err(), "cut at {c}");
        }
        assert_eq!(piece_cuts(b"abcdef"), vec![2, 4]);
        assert_eq!(piece_cuts(b"a"), Vec::<usize>::new());
    }
}
