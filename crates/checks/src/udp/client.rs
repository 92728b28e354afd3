//! Checks of a UDP client: sockspec is the server, and the client's stdin
//! lines are the messages it must send.

use crate::common::io_error;
use crate::run_fn;
use sockspec_harness::output::Stream;
use sockspec_harness::stdin::StdinProgress;
use sockspec_harness::udp::Datagram;
use sockspec_harness::{Check, Contract, Ctx, Level, Message, Role, Verdict, msg};
use sockspec_results::Counterexample;
use std::net::SocketAddr;
use std::time::Duration;

/// How long sockspec waits for the client's next datagram before deciding it
/// has stopped (the client's exit ends the wait at once).
const IDLE: Duration = Duration::from_secs(3);

/// Which datagrams the client had to send, judged from how it used its input.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expected {
    /// It never read its stdin: it is judged by what it sends.
    NeverRead,
    /// The input lines, one datagram each (the whole script was sent, or the
    /// client stopped early).
    Lines(Vec<Vec<u8>>),
    /// The lines before its quit command (`quit` is the index of the line it
    /// read and did not send, then exited with status 0), without the empty
    /// lines it skipped.
    UntilQuit {
        /// The lines it sent.
        sent: Vec<Vec<u8>>,
        /// The index of its quit command in the script.
        quit: usize,
    },
}

/// Lines a client commonly takes for "stop" (compared trimmed, ignoring case).
fn is_quit_word(line: &str) -> bool {
    matches!(
        line.trim().to_ascii_lowercase().as_str(),
        "" | "q" | "quit" | "exit" | "bye"
    )
}

/// What the client had to send, given the script `lines`, the datagrams it
/// sent (without one trailing newline), how it ended (`exited_ok`: status 0)
/// and how far it read its stdin.
fn expected(
    lines: &[String],
    sent: &[&[u8]],
    exited_ok: bool,
    progress: Option<StdinProgress>,
) -> Expected {
    let script: Vec<Vec<u8>> = lines.iter().map(|l| l.as_bytes().to_vec()).collect();
    if progress.is_some_and(|p| p.ignored(lines, exited_ok)) {
        return Expected::NeverRead;
    }
    if !exited_ok || sent.len() >= lines.len() {
        return Expected::Lines(script);
    }
    // Match the datagrams to the lines in order; only empty lines may be skipped.
    let mut next = 0;
    let mut kept = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if next == sent.len() {
            let read_it = progress.is_some_and(|p| p.unread == Some(0) && p.written == i + 1);
            if is_quit_word(line) || read_it {
                return Expected::UntilQuit {
                    sent: kept,
                    quit: i,
                };
            }
            break;
        }
        if sent[next] == line.as_bytes() {
            kept.push(script[i].clone());
            next += 1;
        } else if !line.is_empty() {
            break;
        }
    }
    Expected::Lines(script)
}

/// How long a client that exited may keep its input script's feeder busy
/// (one line's patience and settling, with a margin).
const STDIN_SETTLED: Duration = Duration::from_secs(2);

/// What a client did in one session with sockspec as its server.
struct Session {
    /// Where sockspec served.
    server: SocketAddr,
    /// The datagrams the client sent, in order.
    datagrams: Vec<Datagram>,
    /// sockspec's reply to each.
    replies: Vec<Vec<u8>>,
}

/// sockspec's reply to the client's `k`-th datagram (from 1): the datagram
/// itself under echo, else a recognisable text.
fn reply_to(contract: Contract, k: usize, datagram: &[u8]) -> Vec<u8> {
    match contract {
        Contract::Echo => datagram.to_vec(),
        _ => format!("sockspec reply {k} 收到").into_bytes(),
    }
}

/// Serves the client: answers every datagram until it exits or goes idle.
async fn session(ctx: &mut Ctx) -> Result<Session, Verdict> {
    let want = ctx.client_server_addr();
    let socket = ctx.udp_bound("server", want, None)?;
    let server = socket.local_addr().map_err(io_error)?;
    ctx.start_client(server).await?;
    let ended = ctx.exit_watch();
    let contract = ctx.contract();
    let (mut datagrams, mut replies) = (Vec::new(), Vec::new());
    while let Some(d) = socket
        .recv_or_end(IDLE, ended.as_ref())
        .await
        .map_err(io_error)?
    {
        let reply = reply_to(contract, datagrams.len() + 1, &d.bytes);
        socket.send_to(&reply, d.from).await.map_err(io_error)?;
        datagrams.push(d);
        replies.push(reply);
    }
    // What it read of its input is known once the line it was given last has
    // settled (or a write failed because it exited).
    if let Some(instance) = ctx.instance().filter(|i| i.exited().is_some()) {
        instance.stdin_settled(STDIN_SETTLED).await;
    }
    Ok(Session {
        server,
        datagrams,
        replies,
    })
}

/// A line as sent, without one trailing newline (`\n` or `\r\n`).
fn without_newline(bytes: &[u8]) -> &[u8] {
    bytes
        .strip_suffix(b"\r\n")
        .or_else(|| bytes.strip_suffix(b"\n"))
        .unwrap_or(bytes)
}

/// What the client must do when nothing arrived at all.
fn nothing_arrived(server: SocketAddr, state: Message) -> Verdict {
    Verdict::violated(msg!(
        "udp-client-nothing-arrived",
        server = server,
        state = state
    ))
}

/// `udp.client.one-line-one-datagram`
pub static ONE_LINE_ONE_DATAGRAM: Check = Check {
    id: "udp.client.one-line-one-datagram",
    role: Role::UdpClient,
    level: Level::Must,
    spec: "RFC 768; sendto(2): one call, one datagram; course day01",
    title: "each input line is sent as exactly one datagram",
    needs_sandbox: false,
    run: run_fn!(one_line_one_datagram),
};

/// What the client had to send in session `s`, from its state and stdin.
async fn expected_of(ctx: &mut Ctx, s: &Session) -> Expected {
    let sent: Vec<&[u8]> = s
        .datagrams
        .iter()
        .map(|d| without_newline(&d.bytes))
        .collect();
    let exited_ok = ctx
        .instance()
        .and_then(|i| i.exited())
        .is_some_and(|e| e.code == Some(0));
    expected(
        &ctx.settings().input,
        &sent,
        exited_ok,
        ctx.stdin_progress(),
    )
}

async fn one_line_one_datagram(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let s = session(ctx).await?;
    let lines = ctx.settings().input.clone();
    let sent: Vec<&[u8]> = s
        .datagrams
        .iter()
        .map(|d| without_newline(&d.bytes))
        .collect();
    if sent.is_empty() {
        return Ok(nothing_arrived(s.server, ctx.target_state().await));
    }
    let script = match expected_of(ctx, &s).await {
        Expected::NeverRead => {
            return Ok(Verdict::Holds(msg!(
                "udp-client-never-reads",
                datagrams = sent.len(),
                first = sent[0]
            )));
        }
        Expected::UntilQuit { sent: want, quit } if want.len() == sent.len() => {
            return Ok(Verdict::Holds(msg!(
                "udp-client-lines-held-quit",
                lines = want.len(),
                n = quit + 1,
                quit = lines[quit].as_bytes()
            )));
        }
        Expected::UntilQuit { .. } => lines.iter().map(|l| l.as_bytes().to_vec()).collect(),
        Expected::Lines(script) => script,
    };
    if sent.len() != lines.len() {
        let joined_sent: Vec<u8> = sent.concat();
        let joined_lines: Vec<u8> = script.concat();
        let how = if sent.len() > lines.len() && joined_sent == joined_lines {
            "cut"
        } else if sent.len() < lines.len() {
            "stopped"
        } else {
            "other"
        };
        return Ok(Verdict::violated_by(
            msg!(
                "udp-client-line-count",
                lines = lines.len(),
                datagrams = sent.len(),
                how = how,
                first = script.first().cloned().unwrap_or_default(),
                state = ctx.target_state().await
            ),
            script,
        ));
    }
    if ctx.contract() != Contract::Any {
        for (i, (d, line)) in sent.iter().zip(&lines).enumerate() {
            if *d != line.as_bytes() {
                return Ok(Verdict::violated_by(
                    msg!(
                        "udp-client-datagram-differs",
                        n = i + 1,
                        datagram = *d,
                        line = line.as_bytes()
                    ),
                    script,
                ));
            }
        }
    }
    Ok(Verdict::Holds(msg!(
        "udp-client-lines-held",
        lines = lines.len(),
        datagrams = sent.len()
    )))
}

/// `udp.client.handles-reply`
pub static HANDLES_REPLY: Check = Check {
    id: "udp.client.handles-reply",
    role: Role::UdpClient,
    level: Level::Should,
    spec: "recvfrom(2); course day01",
    title: "the client reads each reply and goes on to the next line",
    needs_sandbox: false,
    run: run_fn!(handles_reply),
};

async fn handles_reply(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let s = session(ctx).await?;
    let lines = ctx.settings().input.len();
    if s.datagrams.is_empty() {
        return Ok(nothing_arrived(s.server, ctx.target_state().await));
    }
    let stdout = ctx
        .instance()
        .map(|i| String::from_utf8_lossy(&i.output.get(Stream::Stdout).bytes).into_owned())
        .unwrap_or_default();
    let mut shown = 0;
    // The first reply shown only as a prefix: (its number, bytes shown).
    let mut truncated = None;
    for (i, r) in s.replies.iter().enumerate() {
        match shown_as(&stdout, r) {
            Shown::Whole => shown += 1,
            Shown::Prefix(k) => {
                shown += 1;
                truncated.get_or_insert((i + 1, k));
            }
            Shown::No => {}
        }
    }
    if shown == 0 {
        return Ok(Verdict::Violated {
            diagnosis: msg!(
                "udp-client-replies-not-shown",
                replies = s.replies.len(),
                lang = ctx.language()
            ),
            counterexample: Some(Counterexample::Described(msg!(
                "udp-client-first-reply",
                reply = &s.replies[0]
            ))),
        });
    }
    let lines = match expected_of(ctx, &s).await {
        Expected::NeverRead => 0,
        Expected::UntilQuit { sent, .. } => sent.len(),
        Expected::Lines(_) => lines,
    };
    if let Some((n, kept)) = truncated {
        ctx.facts.notes.push(msg!(
            "udp-client-reply-truncated",
            n = n,
            kept = kept,
            len = s.replies[n - 1].len()
        ));
    }
    if s.datagrams.len() < lines {
        return Ok(Verdict::violated(msg!(
            "udp-client-stopped-after-replies",
            replies = s.replies.len(),
            state = ctx.target_state().await
        )));
    }
    Ok(Verdict::Holds(msg!(
        "udp-client-replies-shown",
        shown = shown,
        replies = s.replies.len()
    )))
}

/// How a reply appears in the client's output.
#[derive(Debug, PartialEq, Eq)]
enum Shown {
    /// As text, or as Python prints bytes (`b'..'`, also inside a tuple).
    Whole,
    /// Only its first `n` bytes: the client's receive buffer is too small.
    Prefix(usize),
    /// Not at all.
    No,
}

/// How Python's `repr()` shows `bytes` (with its quotes and `b` prefix).
fn py_bytes_repr(bytes: &[u8]) -> String {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = format!("b{quote}");
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            _ if b == quote as u8 => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push(quote);
    out
}

/// Whether `reply` appears in `stdout`: as text, as Python's repr of bytes,
/// or only as a prefix (the shortest counted is 1 byte in repr form, which is
/// quoted and so exact, or 2 bytes as a line of its own).
fn shown_as(stdout: &str, reply: &[u8]) -> Shown {
    let text = String::from_utf8_lossy(reply);
    if !text.trim().is_empty() && stdout.contains(text.trim()) {
        return Shown::Whole;
    }
    if !reply.is_empty() && stdout.contains(&py_bytes_repr(reply)) {
        return Shown::Whole;
    }
    for k in (1..reply.len()).rev() {
        let prefix = &reply[..k];
        if stdout.contains(&py_bytes_repr(prefix)) {
            return Shown::Prefix(k);
        }
        if let Ok(t) = std::str::from_utf8(prefix) {
            let t = t.trim();
            if t.len() >= 2 && stdout.lines().any(|l| l.trim() == t) {
                return Shown::Prefix(k);
            }
        }
    }
    Shown::No
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_shown_as_bytes_or_in_a_tuple_counts_and_a_prefix_is_named() {
        assert_eq!(shown_as("b'so'\n", b"so"), Shown::Whole);
        let tuple = "(b'\\xe4\\xbd\\xa0 hi', ('127.0.0.1', 8888))\n";
        assert_eq!(shown_as(tuple, "你 hi".as_bytes()), Shown::Whole);
        assert_eq!(shown_as("b'he'\nb'so'\n", b"hello"), Shown::Prefix(2));
        assert_eq!(shown_as("请输入:\n", b"hello"), Shown::No);
        assert_eq!(py_bytes_repr(b"it's"), "b\"it's\"");
    }

    fn lines(l: &[&str]) -> Vec<String> {
        l.iter().map(|s| s.to_string()).collect()
    }

    fn progress(written: usize, unread: usize) -> Option<StdinProgress> {
        Some(StdinProgress {
            written,
            typed: written,
            total: written,
            unread: Some(unread),
            done: true,
        })
    }

    #[test]
    fn a_quit_command_read_then_exit_0_is_not_a_lost_datagram() {
        let script = lines(&["hello", "", "world", "q"]);
        let sent: [&[u8]; 2] = [b"hello", b"world"];
        assert_eq!(
            expected(&script, &sent, true, progress(4, 0)),
            Expected::UntilQuit {
                sent: vec![b"hello".to_vec(), b"world".to_vec()],
                quit: 3
            }
        );
        // Exiting with an error, or stopping before reading a line, is stopping early.
        assert!(matches!(
            expected(&script, &sent, false, progress(4, 0)),
            Expected::Lines(_)
        ));
        let script = lines(&["hello", "world", "again"]);
        assert!(matches!(
            expected(&script, &[b"hello"], true, progress(2, 6)),
            Expected::Lines(_)
        ));
    }

    #[test]
    fn a_client_that_never_reads_stdin_is_judged_by_what_it_sends() {
        let script = lines(&["hello", "world"]);
        assert_eq!(
            expected(&script, &[b"fixed"], true, progress(2, 12)),
            Expected::NeverRead
        );
    }

    #[test]
    fn strips_one_trailing_newline_only() {
        assert_eq!(without_newline(b"hi\r\n"), b"hi");
        assert_eq!(without_newline(b"hi\n\n"), b"hi\n");
        assert_eq!(without_newline(b"hi"), b"hi");
    }
}
