//! Checks of a UDP client: sockspec is the server, and the client's stdin
//! lines are the messages it must send.

use crate::common::{LegacyVerdict as _, en, legacy};
use crate::common::{io_error, show};
use crate::run_fn;
use sockspec_harness::output::Stream;
use sockspec_harness::udp::Datagram;
use sockspec_harness::{Check, Contract, Ctx, Level, Role, Verdict};
use std::net::SocketAddr;
use std::time::Duration;

/// How long sockspec waits for the client's next datagram before deciding it
/// has stopped (the client's exit ends the wait at once).
const IDLE: Duration = Duration::from_secs(3);

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
fn nothing_arrived(server: SocketAddr, state: &str) -> Verdict {
    Verdict::violated(legacy(format!(
        "No datagram arrived at {server}, where sockspec served, and {state}. The client must \
         sendto() each input line to the server; if it sends to a fixed address that sockspec \
         did not find in its source, give it with --addr HOST:PORT."
    )))
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

async fn one_line_one_datagram(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let s = session(ctx).await?;
    let lines = ctx.settings().input.clone();
    let sent: Vec<&[u8]> = s
        .datagrams
        .iter()
        .map(|d| without_newline(&d.bytes))
        .collect();
    if sent.is_empty() {
        return Ok(nothing_arrived(s.server, &en(&ctx.target_state().await)));
    }
    let script = lines
        .iter()
        .map(|l| format!("  {}", show(l.as_bytes())))
        .collect::<Vec<_>>()
        .join("\n");
    if sent.len() != lines.len() {
        let joined_sent: Vec<u8> = sent.concat();
        let joined_lines: Vec<u8> = lines.iter().flat_map(|l| l.bytes()).collect();
        let how = if sent.len() > lines.len() && joined_sent == joined_lines {
            format!(
                " Together they hold exactly the input: the first line {} was cut into several sendto() calls.",
                show(lines[0].as_bytes())
            )
        } else if sent.len() < lines.len() {
            format!(
                " The client stopped early, and {}.",
                en(&ctx.target_state().await)
            )
        } else {
            String::new()
        };
        return Ok(Verdict::violated_by_text(
            legacy(format!(
                "{} input lines arrived as {} datagrams.{how} Send each line with one sendto() call.",
                lines.len(),
                sent.len()
            )),
            script,
        ));
    }
    if ctx.contract() != Contract::Any {
        for (i, (d, line)) in sent.iter().zip(&lines).enumerate() {
            if *d != line.as_bytes() {
                return Ok(Verdict::violated_by_text(
                    legacy(format!(
                        "Datagram #{} is {} but input line #{} is {}: send the line's bytes as they are (line.encode()).",
                        i + 1,
                        show(d),
                        i + 1,
                        show(line.as_bytes())
                    )),
                    script,
                ));
            }
        }
    }
    Ok(Verdict::Holds(legacy(format!(
        "{} input lines arrived as {} datagrams",
        lines.len(),
        sent.len()
    ))))
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
        return Ok(nothing_arrived(s.server, &en(&ctx.target_state().await)));
    }
    let stdout = ctx
        .instance()
        .map(|i| String::from_utf8_lossy(&i.output.get(Stream::Stdout).bytes).into_owned())
        .unwrap_or_default();
    let shown = s
        .replies
        .iter()
        .filter(|r| {
            let text = String::from_utf8_lossy(r);
            !text.trim().is_empty() && stdout.contains(text.trim())
        })
        .count();
    if shown == 0 {
        return Ok(Verdict::violated_by_text(
            legacy(format!(
                "The client never showed the server's replies: none of the {} replies sockspec sent \
                 appears in its output. After sendto(), read the reply with recvfrom() and print it.",
                s.replies.len()
            )),
            format!("first reply sent: {}", show(&s.replies[0])),
        ));
    }
    if s.datagrams.len() < lines {
        return Ok(Verdict::violated(legacy(format!(
            "After {} replies the client sent nothing more for its remaining input lines, and {}.",
            s.replies.len(),
            en(&ctx.target_state().await)
        ))));
    }
    Ok(Verdict::Holds(legacy(format!(
        "{shown} of {} replies appear in the client's output",
        s.replies.len()
    ))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_one_trailing_newline_only() {
        assert_eq!(without_newline(b"hi\r\n"), b"hi");
        assert_eq!(without_newline(b"hi\n\n"), b"hi\n");
        assert_eq!(without_newline(b"hi"), b"hi");
    }
}
