//! Checks of a UDP server: sockspec is the client.

use crate::common::{NOT_UTF8, PROBE, io_error, udp_baseline};
use crate::run_fn;
use proptest::prelude::*;
use sockspec_harness::property::{Property, PropertyResult};
use sockspec_harness::udp::{Datagram, UdpPeer};
use sockspec_harness::{Check, Contract, Ctx, Level, Message, Role, Verdict, msg};
use sockspec_results::{Arg, Counterexample, ProgramLanguage};
use std::net::SocketAddr;
use std::time::Duration;

/// No wait: only what has already arrived.
const ZERO: Duration = Duration::ZERO;

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
        return Ok(Verdict::violated(msg!(
            "udp-server-no-reply",
            me = me,
            waited = patience,
            state = ctx.target_state().await,
            lang = ctx.language()
        )));
    };
    let rtt = reply.at - sent;
    ctx.latency.observe(rtt);
    if ctx.contract() == Contract::Echo && reply.bytes != PROBE {
        // A prefix is the datagram truncated by a small recvfrom() buffer:
        // still one reply to one datagram; `udp.server.max-size` (info) says
        // how large a datagram comes back intact.
        if echoes(PROBE, &reply.bytes) {
            return Ok(Verdict::Holds(msg!(
                "udp-server-replied-truncated",
                len = reply.bytes.len(),
                sent = PROBE.len(),
                ms = rtt.as_secs_f64() * 1e3
            )));
        }
        return Ok(Verdict::violated_by(
            msg!(
                "udp-server-not-echoed",
                reply = &reply.bytes,
                sent = PROBE,
                truncated = "no",
                kept = reply.bytes.len()
            ),
            vec![PROBE.to_vec()],
        ));
    }
    Ok(Verdict::Holds(msg!(
        "udp-server-replied",
        len = reply.bytes.len(),
        ms = rtt.as_secs_f64() * 1e3
    )))
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

/// One datagram: non-empty text as students type it (ASCII and Chinese).
/// Empty and non-UTF-8 payloads are `empty-datagram`'s and `bad-bytes`'
/// concern, so a server that mishandles them fails those checks alone, and
/// shrinking ends at a small text.
fn payload() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => "[ -~\u{4f60}\u{597d}\u{4e16}\u{754c}\u{7c98}\u{5305}]{1,400}".prop_map(String::into_bytes),
        // Long ASCII lines, up to 1400 bytes: the largest datagram the property sends.
        1 => "[a-z0-9 ]{400,1400}".prop_map(String::into_bytes),
    ]
}

async fn boundaries(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    // One client for the whole property (a new one only when the server had to
    // be started again): where replies go between clients is
    // `clients-isolated`'s concern.
    let mut client = Some(serves_twice(ctx, "client").await?.0);
    let (seed, cases) = (ctx.settings().seed, ctx.settings().cases);
    ctx.facts.seed = Some(seed);
    let strategy = proptest::collection::vec(payload(), 1..=8);
    let mut prop = Property::start(strategy, seed, cases);
    while let Some(datagrams) = prop.next_case().await {
        prop.report(crate::common::case_result(
            boundaries_case(ctx, &mut client, &datagrams).await,
        ));
    }
    let result = prop.finish().await;
    Ok(match result {
        PropertyResult::Held { cases } => {
            ctx.facts.cases = Some(cases);
            Verdict::Holds(msg!("udp-server-boundaries-held", cases = cases))
        }
        PropertyResult::Failed(f) => {
            ctx.facts.cases = Some(f.case);
            ctx.facts.notes.push(crate::common::shrink_note(&f, seed));
            crate::common::replay!(ctx, boundaries_case(ctx, &mut client, &f.minimal));
            Verdict::violated_by(f.reason, f.minimal)
        }
        PropertyResult::Aborted(e) => Verdict::Error(e),
    })
}

/// Sends `datagrams` back-to-back from `client` (made anew when there is none
/// or the server was started again) and judges the replies; `Some(reason)`
/// when they break the property.
async fn boundaries_case(
    ctx: &mut Ctx,
    client: &mut Option<UdpPeer>,
    datagrams: &[Vec<u8>],
) -> Result<Option<Message>, Verdict> {
    let restarted = ctx.instance().is_none_or(|i| i.exited().is_some());
    let server = ctx.server().await?;
    if restarted || client.is_none() {
        *client = Some(ctx.udp_client("client", server)?);
    }
    let client = client.as_ref().expect("set above");
    // Late replies to an earlier case are not this case's.
    while client.recv_within(ZERO).await.map_err(io_error)?.is_some() {}
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
        Some(ctx.target_state().await)
    } else {
        None
    };
    Ok(judge_boundaries(datagrams, &replies, ctx.contract(), state))
}

/// Whether `reply` answers `sent` under echo: equal, or a non-empty prefix
/// (truncation by a small recvfrom() buffer is `udp.server.max-size`'s business).
fn echoes(sent: &[u8], reply: &[u8]) -> bool {
    reply == sent || (!reply.is_empty() && sent.starts_with(reply))
}

/// How a target ended, from its state: `Some(true)` when it exited with
/// status 0, `Some(false)` when it exited otherwise or was killed, `None` while
/// it runs.
fn ended_cleanly(state: &Message) -> Option<bool> {
    match state.id.as_ref() {
        "state-exited" => Some(state.arg("code") == Some(&Arg::Int(0))),
        "state-killed" | "state-ended" => Some(false),
        _ => None,
    }
}

/// Judges the replies to `sent`: `None` when each datagram got its own reply,
/// else why not. `state` is the target's state, needed only when replies are
/// missing.
fn judge_boundaries(
    sent: &[Vec<u8>],
    replies: &[Datagram],
    contract: Contract,
    state: Option<Message>,
) -> Option<Message> {
    let (n, m) = (sent.len(), replies.len());
    let got: Vec<&[u8]> = replies.iter().map(|d| d.bytes.as_slice()).collect();
    if m < n {
        let state = state.unwrap_or_else(|| msg!("state-running"));
        match ended_cleanly(&state) {
            Some(true) => {
                return Some(msg!(
                    "udp-server-quit-on-datagram",
                    sent = n,
                    replies = m,
                    state = state
                ));
            }
            Some(false) => {
                return Some(msg!(
                    "udp-server-crashed-on-datagram",
                    sent = n,
                    replies = m,
                    state = state
                ));
            }
            None => {}
        }
        let merged = contract == Contract::Echo
            && got.iter().any(|r| {
                sent.windows(2).any(|w| {
                    r.len() > w[0].len() && r.starts_with(&w[0]) && !w[0].is_empty()
                        || r == &[w[0].as_slice(), w[1].as_slice()].concat().as_slice()
                })
            });
        return Some(msg!(
            "udp-server-fewer-replies",
            sent = n,
            replies = m,
            merged = if merged { "yes" } else { "no" }
        ));
    }
    if m > n {
        return Some(msg!("udp-server-more-replies", sent = n, replies = m));
    }
    if contract == Contract::Echo {
        for (i, (s, r)) in sent.iter().zip(&got).enumerate() {
            if !echoes(s, r) {
                let other = sent.iter().position(|x| x.as_slice() == *r);
                return Some(msg!(
                    "udp-server-reply-not-echo",
                    n = i + 1,
                    sent = s,
                    got = *r,
                    reordered = if other.is_some() { "yes" } else { "no" },
                    other = other.map_or(0, |j| j + 1)
                ));
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
    let (a, server) = serves_twice(ctx, "client A").await?;
    let b = ctx.udp_client("client B", server)?;
    let patience = ctx.latency.patience();
    let quiet = ctx.latency.quiet_window();
    let mut seen = Vec::new();
    for round in 1..=ROUNDS {
        for (name, peer) in [("A", &a), ("B", &b)] {
            let said = format!("client {name} says {round} 你好").into_bytes();
            peer.send(&said).await.map_err(io_error)?;
            let own = peer.recv_within(patience).await.map_err(io_error)?;
            let other_peer = if name == "A" { &b } else { &a };
            let stray = other_peer.recv_within(quiet).await.map_err(io_error)?;
            if let Some(stray) = stray {
                let other = if name == "A" { "B" } else { "A" };
                return Ok(Verdict::Violated {
                    diagnosis: msg!(
                        "udp-server-stray-reply",
                        other = other,
                        name = name,
                        stray = stray.bytes
                    ),
                    counterexample: Some(client_sent(name, &said)),
                });
            }
            let Some(own) = own else {
                return Ok(Verdict::Violated {
                    diagnosis: msg!(
                        "udp-server-isolated-no-reply",
                        name = name,
                        state = ctx.target_state().await
                    ),
                    counterexample: Some(client_sent(name, &said)),
                });
            };
            if ctx.contract() == Contract::Echo && !echoes(&said, &own.bytes) {
                return Ok(Verdict::Violated {
                    diagnosis: msg!(
                        "udp-server-replies-mixed",
                        name = name,
                        got = &own.bytes,
                        sent = &said
                    ),
                    counterexample: Some(client_sent(name, &said)),
                });
            }
            seen.push(own);
        }
    }
    Ok(Verdict::Holds(msg!(
        "udp-server-isolated-held",
        count = seen.len()
    )))
}

/// The counterexample of `clients-isolated`: what client `name` sent.
fn client_sent(name: &str, said: &[u8]) -> Counterexample {
    Counterexample::Described(msg!("udp-server-client-sent", name = name, sent = said))
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
    survives(ctx, b"", |state, lang| {
        msg!("udp-server-empty-stopped", state = state, lang = lang)
    })
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
    survives(ctx, NOT_UTF8, |state, lang| {
        msg!("udp-server-bad-bytes-stopped", state = state, lang = lang)
    })
    .await
}

/// Sends `poison`, then a plain datagram, which must still get a reply;
/// `diagnosis` says why not, given the target's state. The control (the same
/// steps with a plain datagram instead of the poison: [`serves_twice`]) runs
/// first, so a server that stops after any datagram is not blamed on the
/// poison. Under echo a 0-byte datagram must get its 0-byte reply.
async fn survives(
    ctx: &mut Ctx,
    poison: &[u8],
    diagnosis: fn(Message, ProgramLanguage) -> Message,
) -> Result<Verdict, Verdict> {
    let (client, _) = serves_twice(ctx, "client").await?;
    let (patience, quiet) = (ctx.latency.patience(), ctx.latency.quiet_window());
    let ended = ctx.exit_watch();
    let lang = ctx.language();
    client.send(poison).await.map_err(io_error)?;
    // A reply to the poison is allowed, not required; under echo an empty
    // datagram is echoed like any other.
    let echo_empty = poison.is_empty() && ctx.contract() == Contract::Echo;
    let to_poison = client
        .recv_or_end(if echo_empty { patience } else { quiet }, ended.as_ref())
        .await
        .map_err(io_error)?;
    client.send(PROBE).await.map_err(io_error)?;
    let answered = client
        .recv_or_end(patience, ended.as_ref())
        .await
        .map_err(io_error)?;
    if answered.is_none() {
        return Ok(Verdict::violated_by(
            diagnosis(ctx.target_state().await, lang),
            vec![poison.to_vec(), PROBE.to_vec()],
        ));
    }
    if echo_empty && to_poison.is_none() {
        return Ok(Verdict::violated_by(
            msg!(
                "udp-server-empty-not-echoed",
                waited = patience,
                lang = lang
            ),
            vec![poison.to_vec(), PROBE.to_vec()],
        ));
    }
    Ok(Verdict::Holds(msg!("udp-server-survived", poison = poison)))
}

/// The control and premise of checks that need a second datagram answered by
/// the same instance: a baseline datagram, then a plain one, from one client
/// (the instance is started again if it had exited). A server that does not
/// answer the second is `udp.server.keeps-serving`'s failure, so the check is
/// blocked by it. Returns the client (named `label`) and the server's address.
async fn serves_twice(ctx: &mut Ctx, label: &str) -> Result<(UdpPeer, SocketAddr), Verdict> {
    let server = ctx.server().await?;
    let client = ctx.udp_client(label, server)?;
    let rtt = udp_baseline(&client, ctx.settings().reply_timeout).await?;
    ctx.latency.observe(rtt);
    let ended = ctx.exit_watch();
    client.send(PROBE).await.map_err(io_error)?;
    let again = client
        .recv_or_end(ctx.latency.patience(), ended.as_ref())
        .await
        .map_err(io_error)?;
    match again {
        Some(_) => Ok((client, server)),
        None => Err(Verdict::Blocked {
            by: "udp.server.keeps-serving",
            reason: msg!("udp-server-blocked-keeps-serving"),
        }),
    }
}

/// `udp.server.keeps-serving`
pub static KEEPS_SERVING: Check = Check {
    id: "udp.server.keeps-serving",
    role: Role::UdpServer,
    level: Level::Must,
    spec: "course day01: a UDP server serves until it is stopped",
    title: "after answering a datagram the server answers the next ones, from the same and other clients",
    needs_sandbox: false,
    run: run_fn!(keeps_serving),
};

async fn keeps_serving(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    let server = ctx.server().await?;
    let a = ctx.udp_client("client A", server)?;
    let rtt = udp_baseline(&a, ctx.settings().reply_timeout).await?;
    ctx.latency.observe(rtt);
    let b = ctx.udp_client("client B", server)?;
    let patience = ctx.latency.patience();
    let ended = ctx.exit_watch();
    let mut answered = 1;
    for (name, peer) in [("A", &a), ("B", &b), ("A", &a)] {
        let said = format!("client {name}, datagram {} 你好", answered + 1).into_bytes();
        peer.send(&said).await.map_err(io_error)?;
        let reply = peer
            .recv_or_end(patience, ended.as_ref())
            .await
            .map_err(io_error)?;
        // A reply sent to the other client still shows the server serving;
        // where replies go is `clients-isolated`'s concern.
        let other = if name == "A" { &b } else { &a };
        let stray = if reply.is_none() {
            other.recv_within(ZERO).await.map_err(io_error)?
        } else {
            None
        };
        if reply.is_none() && stray.is_none() {
            return Ok(Verdict::Violated {
                diagnosis: msg!(
                    "udp-server-stopped-serving",
                    answered = answered,
                    name = name,
                    state = ctx.target_state().await,
                    lang = ctx.language()
                ),
                counterexample: Some(client_sent(name, &said)),
            });
        }
        answered += 1;
    }
    Ok(Verdict::Holds(msg!(
        "udp-server-keeps-serving-held",
        count = answered
    )))
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
        return Ok(Verdict::Skip(msg!("udp-server-max-size-needs-echo")));
    }
    let (client, _) = serves_twice(ctx, "client").await?;
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
                return Ok(Verdict::Observed(msg!(
                    "udp-server-max-size-changed",
                    upto = intact.unwrap_or(0),
                    size = size,
                    got = r.bytes.len(),
                    shorter = if r.bytes.len() < size { "yes" } else { "no" }
                )));
            }
            None => {
                return Ok(Verdict::Observed(msg!(
                    "udp-server-max-size-no-reply",
                    upto = intact.unwrap_or(0),
                    size = size,
                    state = ctx.target_state().await
                )));
            }
        }
    }
    Ok(Verdict::Observed(msg!(
        "udp-server-max-size-all",
        max = SIZES[SIZES.len() - 1]
    )))
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

    fn running() -> Option<Message> {
        Some(msg!("state-running"))
    }

    #[test]
    fn one_reply_per_datagram_holds_and_truncation_is_tolerated() {
        let sent = vec![b"abc".to_vec(), b"defgh".to_vec()];
        assert_eq!(
            judge_boundaries(&sent, &[dg(b"abc"), dg(b"def")], Contract::Echo, None),
            None
        );
    }

    #[test]
    fn merged_replies_are_named() {
        let sent = vec![b"abc".to_vec(), b"def".to_vec()];
        let why = judge_boundaries(&sent, &[dg(b"abcdef")], Contract::Echo, running()).unwrap();
        assert_eq!(why.id, "udp-server-fewer-replies", "{why:?}");
        assert_eq!(why.arg("sent"), Some(&Arg::Int(2)));
        assert_eq!(why.arg("replies"), Some(&Arg::Int(1)));
        assert_eq!(why.arg("merged"), Some(&Arg::Text("yes".into())));
    }

    #[test]
    fn missing_replies_without_a_merge_are_not_called_merged() {
        let sent = vec![b"abc".to_vec(), b"def".to_vec()];
        let why = judge_boundaries(&sent, &[dg(b"abc")], Contract::Echo, running()).unwrap();
        assert_eq!(why.arg("merged"), Some(&Arg::Text("no".into())));
    }

    #[test]
    fn a_crash_is_blamed_on_the_crash() {
        let sent = vec![vec![0xff]];
        let exited = Some(msg!("state-exited", code = 1));
        let why = judge_boundaries(&sent, &[], Contract::Any, exited).unwrap();
        assert_eq!(why.id, "udp-server-crashed-on-datagram", "{why:?}");
        let killed = Some(msg!("state-killed", signal = "SIGSEGV"));
        let why = judge_boundaries(&sent, &[], Contract::Any, killed).unwrap();
        assert_eq!(why.id, "udp-server-crashed-on-datagram", "{why:?}");
    }

    #[test]
    fn a_clean_exit_is_blamed_on_quitting() {
        let sent = vec![Vec::new()];
        let exited = Some(msg!("state-exited", code = 0));
        let why = judge_boundaries(&sent, &[], Contract::Echo, exited).unwrap();
        assert_eq!(why.id, "udp-server-quit-on-datagram", "{why:?}");
    }

    #[test]
    fn extra_replies_mean_a_split() {
        let sent = vec![b"abcdef".to_vec()];
        let why = judge_boundaries(&sent, &[dg(b"abc"), dg(b"def")], Contract::Any, None).unwrap();
        assert_eq!(why.id, "udp-server-more-replies", "{why:?}");
    }

    #[test]
    fn out_of_order_replies_name_the_datagram_they_echo() {
        let sent = vec![b"one".to_vec(), b"two".to_vec()];
        let why = judge_boundaries(&sent, &[dg(b"two"), dg(b"one")], Contract::Echo, None).unwrap();
        assert_eq!(why.id, "udp-server-reply-not-echo", "{why:?}");
        assert_eq!(why.arg("n"), Some(&Arg::Int(1)));
        assert_eq!(why.arg("reordered"), Some(&Arg::Text("yes".into())));
        assert_eq!(why.arg("other"), Some(&Arg::Int(2)));
    }

    /// `message` in English and Chinese, after proving each renders every
    /// argument it uses (Fluent shows a missing one as `{$name}`).
    fn render(message: &Message) -> (String, String) {
        let [en, zh] = sockspec_report::Lang::ALL.map(|l| l.catalog().render(message));
        for text in [&en, &zh] {
            assert!(
                !text.contains("{$") && !text.contains(&*message.id),
                "{text}"
            );
        }
        (en, zh)
    }

    #[test]
    fn diagnoses_keep_their_english_wording_and_have_chinese() {
        let sent = vec![b"abc".to_vec(), b"def".to_vec()];
        let why = judge_boundaries(&sent, &[dg(b"abcdef")], Contract::Echo, running()).unwrap();
        let (en, zh) = render(&why);
        assert_eq!(
            en,
            "2 datagrams sent back-to-back got 1 reply; sent one at a time each gets its own reply. \
             A reply holds the bytes of more than one datagram: the server merged datagrams. \
             Each recvfrom() returns exactly one datagram: answer every datagram once, without \
             collecting several into one reply."
        );
        assert!(zh.contains("合并"), "{zh}");
        let quit = judge_boundaries(
            &[Vec::new()],
            &[],
            Contract::Echo,
            Some(msg!("state-exited", code = 0)),
        )
        .unwrap();
        let (en, zh) = render(&quit);
        assert_eq!(
            en,
            "1 datagram sent back-to-back got 0 replies and then it exited with status 0: the server \
             took a datagram for the end and quit (see its output). A UDP server serves until it is stopped."
        );
        assert!(zh.contains("退出码 0"), "{zh}");
        let swapped =
            judge_boundaries(&sent, &[dg(b"def"), dg(b"abc")], Contract::Echo, None).unwrap();
        let (en, _) = render(&swapped);
        assert_eq!(
            en,
            "Reply #1 is not datagram #1 echoed: sent \"abc\" (3 bytes), got \"def\" (3 bytes). \
             It is datagram #2: replies came back out of order."
        );
        let truncated = msg!(
            "udp-server-max-size-changed",
            upto = 1024usize,
            size = 1025usize,
            got = 1024usize,
            shorter = "yes"
        );
        assert_eq!(
            render(&truncated).0,
            "Datagrams up to 1024 bytes come back intact; a 1025-byte datagram came back as 1024 \
             bytes: recvfrom(1024) truncates larger ones."
        );
        let none = msg!(
            "udp-server-max-size-no-reply",
            upto = 0usize,
            size = 64usize,
            state = msg!("state-running")
        );
        assert_eq!(
            render(&none).0,
            "No datagram came back intact; a 64-byte datagram got no reply (it is still running)."
        );
    }
}
