//! `tcp.server.segmentation-invariant`: the 粘包 check. The same byte stream,
//! cut into writes in different ways, must get the same reply stream. It needs
//! no knowledge of the protocol, so it holds under every contract.

use super::replies::{Due, Kept, baseline, cutting, ending, read_due};
use crate::common::io_error;
use crate::common::{case_result, replay};
use crate::run_fn;
use proptest::prelude::*;
use sockspec_harness::property::{Property, PropertyResult};
use sockspec_harness::tcp::Ending;
use sockspec_harness::{Check, Contract, Ctx, Level, Message, Role, Verdict, msg};
use sockspec_wire::Cutting;
use sockspec_wire::segmentation::join;

/// `tcp.server.segmentation-invariant`
pub static SEGMENTATION_INVARIANT: Check = Check {
    id: "tcp.server.segmentation-invariant",
    role: Role::TcpServer,
    level: Level::Must,
    spec: "RFC 9293 §3.1 (a byte stream, no message boundaries); course day02 (粘包)",
    title: "the same byte stream cut into different writes yields the same reply stream",
    needs_sandbox: false,
    run: run_fn!(segmentation_invariant),
};

/// Streams up to this long are also sent one byte (or character) per write.
const BYTEWISE_MAX: usize = 32;

/// The finest cutting is skipped for a case when the target's slowest read of
/// a piece, times its pieces, exceeds this.
const FINEST_BUDGET: std::time::Duration = std::time::Duration::from_millis(100);

/// Messages (lines of text) and cut points, as thousandths of the stream.
fn messages_and_cuts() -> impl Strategy<Value = (Vec<Vec<u8>>, Vec<u16>)> {
    let line = "[a-z0-9 \u{4f60}\u{597d}\u{7c98}\u{5305}]{1,24}"
        .prop_map(|s| format!("{s}\n").into_bytes());
    (
        proptest::collection::vec(line, 2..=4),
        proptest::collection::vec(1u16..1000, 1..4),
    )
}

async fn segmentation_invariant(ctx: &mut Ctx) -> Result<Verdict, Verdict> {
    // Everything on one connection, so a sequential server is not blamed
    // here for what tcp.server.next-client judges.
    let mut kept = Kept::default();
    let peer = kept.get(ctx).await?;
    baseline(ctx, peer, SEGMENTATION_INVARIANT.id).await?;
    let (seed, cases) = (ctx.settings().seed, ctx.settings().cases);
    ctx.facts.seed = Some(seed);
    let mut prop = Property::start(messages_and_cuts(), seed, cases);
    while let Some((messages, cuts)) = prop.next_case().await {
        prop.report(case_result(case(ctx, &mut kept, &messages, &cuts).await));
    }
    Ok(match prop.finish().await {
        PropertyResult::Held { cases } => {
            ctx.facts.cases = Some(cases);
            Verdict::Holds(msg!("tcp-server-segmentation-holds", cases = cases))
        }
        PropertyResult::Failed(f) => {
            ctx.facts.cases = Some(f.case);
            ctx.facts.notes.push(crate::common::shrink_note(&f, seed));
            let (messages, cuts) = &f.minimal;
            replay!(ctx, case(ctx, &mut Kept::default(), messages, cuts));
            Verdict::violated_by(f.reason, messages.clone())
        }
        PropertyResult::Aborted(e) => Verdict::Error(e),
    })
}

/// The cuttings compared with one write per message, simplest first. Cuts
/// fall between characters: a character cut in two is not this check's
/// concern (a server that decodes each recv() is judged on whole characters;
/// non-UTF-8 input is tcp.server.bad-bytes').
fn cuttings(stream: &[u8], cuts: &[u16]) -> Vec<Cutting> {
    let len = stream.len();
    let boundary = |at: usize| at >= len || stream[at] & 0xC0 != 0x80;
    let mut all = vec![Cutting::Whole];
    let mut at: Vec<usize> = cuts
        .iter()
        .map(|&c| {
            let mut at = usize::from(c) * len / 1000;
            while at > 0 && !boundary(at) {
                at -= 1;
            }
            at
        })
        .filter(|&at| at > 0)
        .collect();
    at.dedup();
    all.push(Cutting::At(at));
    if len <= BYTEWISE_MAX {
        all.push(if stream.is_ascii() {
            Cutting::Bytes
        } else {
            // One character per write.
            Cutting::At((1..len).filter(|&i| boundary(i)).collect())
        });
    }
    all
}

/// Sends the stream one message at a time (each after its reply), then cut
/// the other ways, all on one connection; `Some(reason)` when a cutting gets
/// different replies.
async fn case(
    ctx: &mut Ctx,
    kept: &mut Kept,
    messages: &[Vec<u8>],
    cuts: &[u16],
) -> Result<Option<Message>, Verdict> {
    let (stream, ends) = join(messages);
    let contract = ctx.contract();
    let patience = ctx.latency.patience();
    let peer = kept.get(ctx).await?;
    // One write per message, each after its reply: the reference replies.
    let mut expected = Vec::new();
    for m in messages {
        peer.write(m).await.map_err(io_error)?;
        let (r, end) = read_due(ctx, peer, Due::of(contract, m), false).await?;
        expected.extend(r);
        if end != Ending::Open {
            kept.drop_connection();
            return Ok(Some(msg!(
                "tcp-server-segmentation-ended",
                count = messages.len(),
                ending = ending(end),
                message = m
            )));
        }
    }
    let due = match contract {
        Contract::Any => Due::Bytes(expected.len()),
        c => Due::of(c, &stream),
    };
    // The slowest the target was to read a piece of this case.
    let mut slowest = std::time::Duration::ZERO;
    for (i, cut) in cuttings(&stream, cuts).into_iter().enumerate() {
        let pieces = cut.pieces(stream.len(), &ends);
        // The finest cutting costs the target one read per piece: skipped
        // when that would take long (the coarser cuttings ran).
        if i >= 2 && slowest * pieces.len() as u32 > FINEST_BUDGET {
            continue;
        }
        for piece in pieces {
            peer.write(&stream[piece.clone()]).await.map_err(io_error)?;
            // The next write only after the target read this one, so the cut
            // lands as cut on its side.
            let start = std::time::Instant::now();
            if !peer.wait_peer_read(patience).await {
                kept.drop_connection();
                return Ok(Some(msg!(
                    "tcp-server-segmentation-stopped-reading",
                    sent = &stream[..piece.end],
                    cutting = cutting(&cut),
                    patience = patience
                )));
            }
            slowest = slowest.max(start.elapsed());
        }
        let (mut got, mut end) = read_due(ctx, peer, due, false).await?;
        // Extra replies come as soon as the due ones: a short look (a few
        // latencies) for more.
        if end == Ending::Open {
            end = linger(ctx, peer, &mut got, extra_window(ctx)).await?;
        }
        if got != expected {
            kept.drop_connection();
            return Ok(Some(explain(messages.len(), &cut, &got, &expected, end)));
        }
    }
    Ok(None)
}

/// How long to look for extra replies after a cutting's due ones: three
/// times the worst latency, at least 10 ms.
fn extra_window(ctx: &Ctx) -> std::time::Duration {
    let worst = ctx.latency.worst().unwrap_or_default();
    (worst * 3).max(std::time::Duration::from_millis(10))
}

/// Reads what else arrives until nothing has for `window`, or the target is
/// proven idle (it sends nothing more until sockspec does: all it sent is
/// already here); how the connection stood then.
async fn linger(
    ctx: &Ctx,
    peer: &mut sockspec_harness::tcp::TcpPeer,
    got: &mut Vec<u8>,
    window: std::time::Duration,
) -> Result<Ending, Verdict> {
    let quick = sockspec_harness::latency::MIN_QUIET;
    let idle = ctx.idle_watch();
    let sent_all = peer.sent_all_probe();
    loop {
        let read = match &idle {
            Some(watch) if window > watch.proof_window(Some(quick)) * 2 => {
                tokio::select! {
                    r = peer.read_some(window) => r,
                    () = watch.proven_over(window, Some(quick), &sent_all) => {
                        peer.read_some(std::time::Duration::ZERO).await
                    }
                }
            }
            _ => peer.read_some(window).await,
        };
        match read.map_err(io_error)? {
            sockspec_harness::tcp::Read::Data(d) => got.extend_from_slice(&d),
            sockspec_harness::tcp::Read::Eof => return Ok(Ending::Eof),
            sockspec_harness::tcp::Read::Reset => return Ok(Ending::Reset),
            sockspec_harness::tcp::Read::Timeout => return Ok(Ending::Open),
        }
    }
}

/// Why `n` messages sent as `cut` got `got` instead of `expected`.
fn explain(n: usize, cut: &Cutting, got: &[u8], expected: &[u8], end: Ending) -> Message {
    let lines = |b: &[u8]| b.iter().filter(|&&c| c == b'\n').count();
    let (l_got, l_exp) = (lines(got), lines(expected));
    let summary = if l_got != l_exp {
        msg!(
            "tcp-server-segmentation-line-count",
            count = n,
            cutting = cutting(cut),
            got_lines = l_got,
            expected_lines = l_exp
        )
    } else {
        msg!(
            "tcp-server-segmentation-other-replies",
            count = n,
            cutting = cutting(cut)
        )
    };
    msg!(
        "tcp-server-segmentation-differs",
        summary = summary,
        got = got,
        expected = expected,
        ending = ending(end)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_streams_are_also_cut_bytewise() {
        assert_eq!(cuttings(&[b'a'; 10], &[500]).len(), 3);
        assert_eq!(cuttings(&[b'a'; 10], &[500])[2], Cutting::Bytes);
        assert_eq!(cuttings(&[b'a'; 100], &[500]).len(), 2);
        assert_eq!(cuttings(&[b'a'; 10], &[500])[1], Cutting::At(vec![5]));
    }

    #[test]
    fn cuts_keep_characters_whole() {
        let stream = "a你好\n".as_bytes();
        assert_eq!(cuttings(stream, &[500])[1], Cutting::At(vec![4]));
        assert_eq!(cuttings(stream, &[500])[2], Cutting::At(vec![1, 4, 7]));
    }

    #[test]
    fn explains_merged_replies_in_a_students_words() {
        let en = |m: Message| sockspec_report::Lang::En.catalog().render(&m);
        let merged = en(explain(
            3,
            &Cutting::Whole,
            b"OK a b c\n",
            b"OK a\nOK b\nOK c\n",
            Ending::Open,
        ));
        assert!(
            merged.starts_with("3 messages sent all in one write got 1 reply lines; written one at a time they got 3"),
            "{merged}"
        );
        assert!(merged.contains("粘包"), "{merged}");
        let same_count = en(explain(
            3,
            &Cutting::Whole,
            b"OK a\nb\nc\n",
            b"OK a\nOK b\nOK c\n",
            Ending::Open,
        ));
        assert!(
            same_count.starts_with(
                "3 messages sent all in one write got different replies than written one at a time"
            ),
            "{same_count}"
        );
    }

    #[test]
    fn explains_merged_replies_in_chinese_too() {
        let m = explain(
            2,
            &Cutting::At(vec![3]),
            b"OK a b\n",
            b"OK a\nOK b\n",
            Ending::Eof,
        );
        let zh = sockspec_report::Lang::Zh.catalog().render(&m);
        assert!(
            zh.starts_with("2 条消息按“在字节偏移 3 处切开分几次写出”的方式发出，收到 1 行回复"),
            "{zh}"
        );
        assert!(
            zh.contains("粘包") && zh.contains("服务器关闭了连接"),
            "{zh}"
        );
        assert!(!zh.contains("messages"), "{zh}");
    }
}
