//! Checks of a UDP client: sockspec is the server, and the client's stdin
//! lines are the messages it must send.

use crate::common::io_error;
use crate::run_fn;
use sockspec_harness::output::Stream;
use sockspec_harness::udp::Datagram;
use sockspec_harness::{Check, Contract, Ctx, Level, Message, Role, Verdict, msg};
use sockspec_results::Counterexample;
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
    let script: Vec<Vec<u8>> = lines.iter().map(|l| l.as_bytes().to_vec()).collect();
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
    let shown = s
        .replies
        .iter()
        .filter(|r| {
            let text = String::from_utf8_lossy(r);
            !text.trim().is_empty() && stdout.contains(text.trim())
        })
        .count();
    if shown == 0 {
        return Ok(Verdict::Violated {
            diagnosis: msg!("udp-client-replies-not-shown", replies = s.replies.len()),
            counterexample: Some(Counterexample::Described(msg!(
                "udp-client-first-reply",
                reply = &s.replies[0]
            ))),
        });
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
