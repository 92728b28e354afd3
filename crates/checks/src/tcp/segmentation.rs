//! `tcp.server.segmentation-invariant`: the 粘包 check. The same byte stream,
//! cut into writes in different ways, must get the same reply stream. It needs
//! no knowledge of the protocol, so it holds under every contract.

use super::replies::{Due, Kept, baseline, read_due};
use crate::common::{LegacyVerdict as _, legacy};
use crate::common::{io_error, show};
use crate::run_fn;
use proptest::prelude::*;
use sockspec_harness::property::{Property, PropertyResult};
use sockspec_harness::tcp::Ending;
use sockspec_harness::{Check, Contract, Ctx, Level, Role, Verdict};
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

/// Streams up to this long are also sent one byte per write.
const BYTEWISE_MAX: usize = 32;

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
    baseline(ctx, peer).await?;
    let (seed, cases) = (ctx.settings().seed, ctx.settings().cases);
    ctx.facts.seed = Some(seed);
    let mut prop = Property::start(messages_and_cuts(), seed, cases);
    while let Some((messages, cuts)) = prop.next_case().await {
        prop.report(crate::common::case_result(
            case(ctx, &mut kept, &messages, &cuts).await,
        ));
    }
    Ok(match prop.finish().await {
        PropertyResult::Held { cases } => {
            ctx.facts.cases = Some(cases);
            Verdict::Holds(legacy(format!(
                "{cases} streams got the same replies however they were cut"
            )))
        }
        PropertyResult::Failed(f) => {
            ctx.facts.cases = Some(f.case);
            ctx.facts.notes.push(crate::common::shrink_note(&f, seed));
            let (messages, cuts) = &f.minimal;
            crate::common::replay!(ctx, case(ctx, &mut Kept::default(), messages, cuts));
            let listed: Vec<String> = messages.iter().map(|m| format!("  {}", show(m))).collect();
            Verdict::violated_by_text(f.reason, listed.join("\n"))
        }
        PropertyResult::Aborted(e) => Verdict::Error(e),
    })
}

/// The cuttings compared with one write per message, simplest first.
fn cuttings(stream_len: usize, cuts: &[u16]) -> Vec<Cutting> {
    let mut all = vec![Cutting::Whole];
    let at: Vec<usize> = cuts
        .iter()
        .map(|&c| usize::from(c) * stream_len / 1000)
        .collect();
    all.push(Cutting::At(at));
    if stream_len <= BYTEWISE_MAX {
        all.push(Cutting::Bytes);
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
) -> Result<Option<String>, Verdict> {
    let (stream, ends) = join(messages);
    let contract = ctx.contract();
    let patience = ctx.latency.patience();
    let peer = kept.get(ctx).await?;
    // One write per message, each after its reply: the reference replies.
    let mut expected = Vec::new();
    for m in messages {
        peer.write(m).await.map_err(io_error)?;
        let (r, ending) = read_due(ctx, peer, Due::of(contract, m), false).await?;
        expected.extend(r);
        if ending != Ending::Open {
            kept.drop_connection();
            return Ok(Some(format!(
                "{} messages written one at a time: {} after {}.",
                messages.len(),
                ending.describe(),
                show(m)
            )));
        }
    }
    let due = match contract {
        Contract::Any => Due::Bytes(expected.len()),
        c => Due::of(c, &stream),
    };
    for cutting in cuttings(stream.len(), cuts) {
        for piece in cutting.pieces(stream.len(), &ends) {
            peer.write(&stream[piece.clone()]).await.map_err(io_error)?;
            // The next write only after the target read this one, so the cut
            // lands as cut on its side.
            if !peer.wait_peer_read(patience).await {
                kept.drop_connection();
                return Ok(Some(format!(
                    "The server stopped reading: of {} written {cutting}, bytes were still unread after {} ms.",
                    show(&stream[..piece.end]),
                    patience.as_millis()
                )));
            }
        }
        let (got, ending) = read_due(ctx, peer, due, true).await?;
        if got != expected {
            kept.drop_connection();
            return Ok(Some(explain(
                messages.len(),
                &cutting,
                &got,
                &expected,
                ending,
            )));
        }
    }
    Ok(None)
}

fn explain(
    n: usize,
    cutting: &Cutting,
    got: &[u8],
    expected: &[u8],
    ending: sockspec_harness::tcp::Ending,
) -> String {
    let lines = |b: &[u8]| b.iter().filter(|&&c| c == b'\n').count();
    let (l_got, l_exp) = (lines(got), lines(expected));
    let summary = if l_got != l_exp {
        format!(
            "{n} messages sent {cutting} got {l_got} reply lines; written one at a time they got {l_exp}"
        )
    } else {
        format!("{n} messages sent {cutting} got different replies than written one at a time")
    };
    let hint = " The server answers each recv() instead of each message: one recv() can return several \
                messages (粘包) or part of one. Keep a buffer and answer each complete message in it.";
    format!(
        "{summary}: {} instead of {} ({}).{hint}",
        show(got),
        show(expected),
        ending.describe()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_streams_are_also_cut_bytewise() {
        assert_eq!(cuttings(10, &[500]).len(), 3);
        assert_eq!(cuttings(100, &[500]).len(), 2);
        assert_eq!(cuttings(10, &[500])[1], Cutting::At(vec![5]));
    }

    #[test]
    fn explains_merged_replies_in_a_students_words() {
        use sockspec_harness::tcp::Ending;
        let merged = explain(
            3,
            &Cutting::Whole,
            b"OK a b c\n",
            b"OK a\nOK b\nOK c\n",
            Ending::Open,
        );
        assert!(
            merged.starts_with("3 messages sent all in one write got 1 reply lines; written one at a time they got 3"),
            "{merged}"
        );
        assert!(merged.contains("粘包"), "{merged}");
        let same_count = explain(
            3,
            &Cutting::Whole,
            b"OK a\nb\nc\n",
            b"OK a\nOK b\nOK c\n",
            Ending::Open,
        );
        assert!(
            same_count.starts_with(
                "3 messages sent all in one write got different replies than written one at a time"
            ),
            "{same_count}"
        );
    }
}
