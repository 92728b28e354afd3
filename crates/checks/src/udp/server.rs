//! Checks of a UDP server: sockspec is the client.

use crate::common::{LegacyVerdict as _, en, legacy};
use crate::common::{NOT_UTF8, PROBE, io_error, show, show_all, udp_baseline};
use crate::run_fn;
use proptest::prelude::*;
use sockspec_harness::property::{Property, PropertyResult};
use sockspec_harness::udp::Datagram;
use sockspec_harness::{Check, Contract, Ctx, Level, Role, Verdict};
use std::fmt::Write;

/// `udp.server.reply`
pub static REPLY: Check = Check {
    id: "udp.server.reply",
    role: Role::UdpServer,
    level: Level::Must,
    spec: "RFC 768; recvfrom(2)/sendto(2); course day01",
    title: "a datagram gets a reply sent to the sender's address and port",
    needs_sandbox: false,
    run: run_fn!(reply),
};

async fn reply(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let server = ctx.server().await?;
    let client = ctx.udp_client("client", server)?;
    let sent = client.send(PROBE).await.map_err(io_error)?;
    let patience = ctx.settings().reply_timeout;
    let ended = ctx.exit_watch();
    let Some(reply) = client
        .recv_or_end(patience, ended.as_ref())
        .await
        .map_err(io_error)?
    else {
        let me = client.local_addr().map_err(io_error)?;
        return Ok(Verdict::violated(legacy(format!(
            "No reply came back to the sender ({me}) within {} ms, and {}. A UDP server must answer \
             with sendto(reply, addr), using the addr that recvfrom() returned with the datagram.",
            patience.as_millis(),
            en(&ctx.target_state().await)
        ))));
    };
    let rtt = reply.at - sent;
    ctx.latency.observe(rtt);
    if ctx.contract() == Contract::Echo && reply.bytes != PROBE {
        let hint = if PROBE.starts_with(&reply.bytes) && !reply.bytes.is_empty() {
            format!(
                " Only the first {} bytes came back: the buffer given to recvfrom() is too small.",
                reply.bytes.len()
            )
        } else {
            String::new()
        };
        return Ok(Verdict::violated_by_text(
            legacy(format!(
                "Under contract echo the reply must be the datagram itself, but {} came back for {}.{hint}",
                show(&reply.bytes),
                show(PROBE)
            )),
            show(PROBE),
        ));
    }
    Ok(Verdict::Holds(legacy(format!(
        "replied {} bytes in {:.2} ms",
        reply.bytes.len(),
        rtt.as_secs_f64() * 1e3
    ))))
}

/// `udp.server.boundaries`
pub static BOUNDARIES: Check = Check {
    id: "udp.server.boundaries",
    role: Role::UdpServer,
    level: Level::Must,
    spec: "RFC 768; udp(7): each recvfrom() returns exactly one datagram",
    title: "any sequence of datagrams gets one reply per datagram, never merged or split",
    needs_sandbox: false,
    run: run_fn!(boundaries),
};

/// The largest datagram the property sends.
const MAX_PAYLOAD: usize = 1400;

/// One datagram: text as students type it (ASCII and Chinese), or arbitrary bytes.
fn payload() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // The edge a uniform size would almost never draw.
        1 => Just(Vec::new()),
        4 => "[ -~\u{4f60}\u{597d}\u{4e16}\u{754c}\u{7c98}\u{5305}]{0,400}".prop_map(String::into_bytes),
        4 => proptest::collection::vec(any::<u8>(), 0..=MAX_PAYLOAD),
    ]
}

async fn boundaries(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let server = ctx.server().await?;
    let client = ctx.udp_client("client", server)?;
    let rtt = udp_baseline(&client, ctx.settings().reply_timeout).await?;
    ctx.latency.observe(rtt);
    drop(client);
    let (seed, cases) = (ctx.settings().seed, ctx.settings().cases);
    ctx.facts.seed = Some(seed);
    let strategy = proptest::collection::vec(payload(), 1..=8);
    let mut prop = Property::start(strategy, seed, cases);
    while let Some(datagrams) = prop.next_case().await {
        prop.report(crate::common::case_result(
            boundaries_case(ctx, &datagrams).await,
        ));
    }
    let result = prop.finish().await;
    Ok(match result {
        PropertyResult::Held { cases } => {
            ctx.facts.cases = Some(cases);
            Verdict::Holds(legacy(format!(
                "{cases} sequences of datagrams each got one reply per datagram"
            )))
        }
        PropertyResult::Failed(f) => {
            ctx.facts.cases = Some(f.case);
            ctx.facts.notes.push(crate::common::shrink_note(&f, seed));
            crate::common::replay!(ctx, boundaries_case(ctx, &f.minimal));
            Verdict::violated_by_text(f.reason, show_all(&f.minimal))
        }
        PropertyResult::Aborted(e) => Verdict::Error(e),
    })
}

/// Sends `datagrams` back-to-back and judges the replies; `Some(reason)` when
/// they break the property.
async fn boundaries_case(ctx: &mut Ctx, datagrams: &[Vec<u8>]) -> Result<Option<String>, Verdict> {
    let server = ctx.server().await?;
    let client = ctx.udp_client("client", server)?;
    for d in datagrams {
        client.send(d).await.map_err(io_error)?;
    }
    let (patience, quiet) = (ctx.latency.patience(), ctx.latency.quiet_window());
    let ended = ctx.exit_watch();
    let replies = client
        .collect(
            datagrams.len(),
            patience,
            patience,
            Some(quiet),
            ended.as_ref(),
        )
        .await
        .map_err(io_error)?;
    // The target's state only matters (and is only waited for) when replies are missing.
    let state = if replies.len() < datagrams.len() {
        en(&ctx.target_state().await)
    } else {
        String::new()
    };
    Ok(judge_boundaries(
        datagrams,
        &replies,
        ctx.contract(),
        &state,
    ))
}

/// Whether `reply` answers `sent` under echo: equal, or a non-empty prefix
/// (truncation by a small recvfrom() buffer is `udp.server.max-size`'s business).
fn echoes(sent: &[u8], reply: &[u8]) -> bool {
    reply == sent || (!reply.is_empty() && sent.starts_with(reply))
}

fn judge_boundaries(
    sent: &[Vec<u8>],
    replies: &[Datagram],
    contract: Contract,
    state: &str,
) -> Option<String> {
    let (n, m) = (sent.len(), replies.len());
    let got: Vec<&[u8]> = replies.iter().map(|d| d.bytes.as_slice()).collect();
    let datagrams = |k: usize| {
        if k == 1 {
            "1 datagram".to_string()
        } else {
            format!("{k} datagrams")
        }
    };
    let replies_word = |k: usize| {
        if k == 1 {
            "1 reply".to_string()
        } else {
            format!("{k} replies")
        }
    };
    if m < n {
        if state.contains("exited with status 0") {
            return Some(format!(
                "{} sent back-to-back got {} and then {state}: the server took a datagram for the end and quit \
                 (see its output). A UDP server serves until it is stopped.",
                datagrams(n),
                replies_word(m)
            ));
        }
        if state.contains("exited") || state.contains("killed") {
            return Some(format!(
                "{} sent back-to-back got {} and then {state}: a datagram made the server crash (see its traceback).",
                datagrams(n),
                replies_word(m)
            ));
        }
        let merged = contract == Contract::Echo
            && got.iter().any(|r| {
                sent.windows(2).any(|w| {
                    r.len() > w[0].len() && r.starts_with(&w[0]) && !w[0].is_empty()
                        || r == &[w[0].as_slice(), w[1].as_slice()].concat().as_slice()
                })
            });
        let mut why = format!(
            "{} sent back-to-back got {}; sent one at a time each gets its own reply.",
            datagrams(n),
            replies_word(m)
        );
        if merged {
            why.push_str(
                " A reply holds the bytes of more than one datagram: the server merged datagrams.",
            );
        }
        why.push_str(
            " Each recvfrom() returns exactly one datagram: answer every datagram once, without collecting several into one reply.",
        );
        return Some(why);
    }
    if m > n {
        return Some(format!(
            "{} sent back-to-back got {}: the server split a datagram or answered one more than once. \
             Send one sendto() per datagram received.",
            datagrams(n),
            replies_word(m)
        ));
    }
    if contract == Contract::Echo {
        for (i, (s, r)) in sent.iter().zip(&got).enumerate() {
            if !echoes(s, r) {
                let mut why = format!(
                    "Reply #{} is not datagram #{} echoed: sent {}, got {}.",
                    i + 1,
                    i + 1,
                    show(s),
                    show(r)
                );
                if let Some(j) = sent.iter().position(|x| x.as_slice() == *r) {
                    let _ = write!(
                        why,
                        " It is datagram #{}: replies came back out of order.",
                        j + 1
                    );
                }
                return Some(why);
            }
        }
    }
    None
}

/// `udp.server.clients-isolated`
pub static CLIENTS_ISOLATED: Check = Check {
    id: "udp.server.clients-isolated",
    role: Role::UdpServer,
    level: Level::Must,
    spec: "RFC 768; recvfrom(2): the reply goes to the address each datagram came from",
    title: "two interleaving clients each get only their own replies",
    needs_sandbox: false,
    run: run_fn!(clients_isolated),
};

/// Messages each client sends in `clients-isolated`.
const ROUNDS: usize = 3;

async fn clients_isolated(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let server = ctx.server().await?;
    let a = ctx.udp_client("client A", server)?;
    let rtt = udp_baseline(&a, ctx.settings().reply_timeout).await?;
    ctx.latency.observe(rtt);
    let b = ctx.udp_client("client B", server)?;
    let patience = ctx.latency.patience();
    let quiet = ctx.latency.quiet_window();
    let mut seen = Vec::new();
    for round in 1..=ROUNDS {
        for (name, peer) in [("A", &a), ("B", &b)] {
            let msg = format!("client {name} says {round} 你好").into_bytes();
            peer.send(&msg).await.map_err(io_error)?;
            let own = peer.recv_within(patience).await.map_err(io_error)?;
            let other_peer = if name == "A" { &b } else { &a };
            let stray = other_peer.recv_within(quiet).await.map_err(io_error)?;
            if let Some(stray) = stray {
                let other = if name == "A" { "B" } else { "A" };
                return Ok(Verdict::violated_by_text(
                    legacy(format!(
                        "Client {other} received {}, the reply to client {name}'s datagram: the server \
                         replies to a remembered address instead of the addr recvfrom() returned with each datagram.",
                        show(&stray.bytes)
                    )),
                    format!("client {name} sent {}", show(&msg)),
                ));
            }
            let Some(own) = own else {
                return Ok(Verdict::violated_by_text(
                    legacy(format!(
                        "Client {name}'s datagram got no reply while another client was also talking, and {}. \
                         Reply to the addr that recvfrom() returned with each datagram.",
                        en(&ctx.target_state().await)
                    )),
                    format!("client {name} sent {}", show(&msg)),
                ));
            };
            if ctx.contract() == Contract::Echo && !crate::udp::server::echoes(&msg, &own.bytes) {
                return Ok(Verdict::violated_by_text(
                    legacy(format!(
                        "Client {name} got {} for its own {}: replies are mixed up between clients.",
                        show(&own.bytes),
                        show(&msg)
                    )),
                    format!("client {name} sent {}", show(&msg)),
                ));
            }
            seen.push(own);
        }
    }
    Ok(Verdict::Holds(legacy(format!(
        "{} interleaved datagrams from 2 clients each got their own reply",
        seen.len()
    ))))
}

/// `udp.server.empty-datagram`
pub static EMPTY_DATAGRAM: Check = Check {
    id: "udp.server.empty-datagram",
    role: Role::UdpServer,
    level: Level::Should,
    spec: "RFC 768 (a datagram may carry 0 bytes); udp(7)",
    title: "a 0-byte datagram is a datagram, not a close: the server keeps serving",
    needs_sandbox: false,
    run: run_fn!(empty_datagram),
};

async fn empty_datagram(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    survives(
        ctx,
        b"",
        "After a 0-byte datagram the server stopped answering, and {state}. recvfrom() returning b'' \
         in UDP is just an empty datagram, not a client closing (UDP has no connection): \
         do not break or exit on it.",
    )
    .await
}

/// `udp.server.bad-bytes`
pub static BAD_BYTES: Check = Check {
    id: "udp.server.bad-bytes",
    role: Role::UdpServer,
    level: Level::Should,
    spec: "RFC 768 (payloads are bytes); course day01",
    title: "a datagram that is not UTF-8 does not kill the server",
    needs_sandbox: false,
    run: run_fn!(bad_bytes),
};

async fn bad_bytes(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    survives(
        ctx,
        NOT_UTF8,
        "After a datagram that is not valid UTF-8 the server stopped answering, and {state}. \
         Network data is bytes: decode with data.decode('utf-8', 'replace') or catch UnicodeDecodeError.",
    )
    .await
}

/// Sends `poison`, then a plain datagram, which must still get a reply.
/// `diagnosis` has `{state}` for the target's state.
async fn survives(ctx: &mut Ctx, poison: &[u8], diagnosis: &str) -> Result<Verdict, Verdict> {
    let server = ctx.server().await?;
    let client = ctx.udp_client("client", server)?;
    let rtt = udp_baseline(&client, ctx.settings().reply_timeout).await?;
    ctx.latency.observe(rtt);
    let (patience, quiet) = (ctx.latency.patience(), ctx.latency.quiet_window());
    let ended = ctx.exit_watch();
    client.send(poison).await.map_err(io_error)?;
    // A reply to the poison is allowed, not required.
    let _ = client
        .recv_or_end(quiet, ended.as_ref())
        .await
        .map_err(io_error)?;
    client.send(PROBE).await.map_err(io_error)?;
    let answered = client
        .recv_or_end(patience, ended.as_ref())
        .await
        .map_err(io_error)?;
    if answered.is_some() {
        return Ok(Verdict::Holds(legacy(format!(
            "after {} it still answered",
            show(poison)
        ))));
    }
    Ok(Verdict::violated_by_text(
        legacy(diagnosis.replace("{state}", &en(&ctx.target_state().await))),
        format!("{} then {}", show(poison), show(PROBE)),
    ))
}

/// `udp.server.max-size`
pub static MAX_SIZE: Check = Check {
    id: "udp.server.max-size",
    role: Role::UdpServer,
    level: Level::Info,
    spec: "udp(7); recvfrom(2): a datagram larger than the buffer is truncated",
    title: "the largest datagram echoed intact (finds recvfrom(1024) truncation)",
    needs_sandbox: false,
    run: run_fn!(max_size),
};

/// Sizes tried, in order: around the course's 1024, then up to the IPv4 maximum.
const SIZES: &[usize] = &[
    64, 512, 1024, 1025, 1472, 2048, 4096, 8192, 16_384, 32_768, 65_507,
];

async fn max_size(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    if ctx.contract() != Contract::Echo {
        return Ok(Verdict::Skip(legacy(
            "needs contract echo to know what an intact reply is".into(),
        )));
    }
    let server = ctx.server().await?;
    let client = ctx.udp_client("client", server)?;
    let rtt = udp_baseline(&client, ctx.settings().reply_timeout).await?;
    ctx.latency.observe(rtt);
    let patience = ctx.latency.patience();
    let ended = ctx.exit_watch();
    let mut intact = None;
    for &size in SIZES {
        let payload: Vec<u8> = (0..size).map(|i| b'a' + (i % 26) as u8).collect();
        client.send(&payload).await.map_err(io_error)?;
        let reply = client
            .recv_or_end(patience, ended.as_ref())
            .await
            .map_err(io_error)?;
        match reply {
            Some(r) if r.bytes == payload => intact = Some(size),
            Some(r) => {
                let upto = intact.map_or("no size".to_string(), |s| format!("up to {s} bytes"));
                return Ok(Verdict::Observed(legacy(format!(
                    "Datagrams {upto} come back intact; a {size}-byte datagram came back as {} bytes{}.",
                    r.bytes.len(),
                    if r.bytes.len() < size {
                        format!(": recvfrom({}) truncates larger ones", r.bytes.len())
                    } else {
                        String::new()
                    }
                ))));
            }
            None => {
                let upto = intact.map_or("no size".to_string(), |s| format!("up to {s} bytes"));
                return Ok(Verdict::Observed(legacy(format!(
                    "Datagrams {upto} come back intact; a {size}-byte datagram got no reply ({}).",
                    en(&ctx.target_state().await)
                ))));
            }
        }
    }
    Ok(Verdict::Observed(legacy(format!(
        "Every size up to {} bytes (the IPv4 maximum) came back intact.",
        SIZES[SIZES.len() - 1]
    ))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn dg(b: &[u8]) -> Datagram {
        Datagram {
            bytes: b.to_vec(),
            from: "127.0.0.1:1".parse().unwrap(),
            at: Instant::now(),
        }
    }

    #[test]
    fn one_reply_per_datagram_holds_and_truncation_is_tolerated() {
        let sent = vec![b"abc".to_vec(), b"defgh".to_vec()];
        assert_eq!(
            judge_boundaries(
                &sent,
                &[dg(b"abc"), dg(b"def")],
                Contract::Echo,
                "it is still running"
            ),
            None
        );
    }

    #[test]
    fn merged_replies_are_named() {
        let sent = vec![b"abc".to_vec(), b"def".to_vec()];
        let why = judge_boundaries(
            &sent,
            &[dg(b"abcdef")],
            Contract::Echo,
            "it is still running",
        )
        .unwrap();
        assert!(
            why.starts_with("2 datagrams sent back-to-back got 1 reply"),
            "{why}"
        );
        assert!(why.contains("merged"), "{why}");
    }

    #[test]
    fn a_crash_is_blamed_on_the_crash() {
        let sent = vec![vec![0xff]];
        let why = judge_boundaries(&sent, &[], Contract::Any, "it exited with status 1").unwrap();
        assert!(why.contains("crash"), "{why}");
    }

    #[test]
    fn extra_replies_mean_a_split() {
        let sent = vec![b"abcdef".to_vec()];
        let why = judge_boundaries(&sent, &[dg(b"abc"), dg(b"def")], Contract::Any, "").unwrap();
        assert!(why.contains("split"), "{why}");
    }
}
