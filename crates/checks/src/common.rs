//! Helpers the checks share: payloads, rendering for diagnoses, baselines.

use sockspec_harness::udp::UdpPeer;
use sockspec_harness::{Message, Verdict, msg};
use std::time::Duration;

/// A plain, ordinary message: ASCII and Chinese, as the course sends.
pub const PROBE: &[u8] = "hello from sockspec, 你好".as_bytes();

/// Bytes that are not UTF-8 (a lone continuation byte, an invalid lead, a
/// truncated sequence).
pub const NOT_UTF8: &[u8] = b"\xff\xfe not utf-8 \x80\xc3\x28";

pub use sockspec_harness::ending::{CPU_WINDOW, exit_within, spinning, spins};

/// Waits (at most half a second) until sockspec has read everything the
/// processes of `pid`'s tree wrote to their stdout and stderr pipes: what a
/// program proven not to end has printed so far.
pub async fn output_read(pid: u32) {
    let _ = tokio::time::timeout(Duration::from_millis(500), async {
        let mut backoff = sockspec_harness::poll::Backoff::default();
        while !sockspec_harness::idle::output_drained(pid) {
            backoff.pause().await;
        }
    })
    .await;
}

/// An I/O error of sockspec's socket. A reset or broken pipe is the target's
/// doing (it crashed or closed with unread data); anything else is sockspec's.
pub fn io_error(e: std::io::Error) -> Verdict {
    match connection_broken(&e) {
        true => Verdict::violated(msg!(
            "connection-broken-while-sending",
            error = e.to_string()
        )),
        false => Verdict::Error(msg!("sockspec-socket-failed", error = e.to_string())),
    }
}

/// Whether an error means the peer broke the connection (reset, broken pipe).
pub fn connection_broken(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{BrokenPipe, ConnectionAborted, ConnectionReset};
    matches!(e.kind(), ConnectionReset | BrokenPipe | ConnectionAborted)
}

/// Sends [`PROBE`] and waits for a reply: the premise of checks that judge how
/// the server replies. Returns the round-trip time; without a reply the check
/// cannot judge anything and is skipped (`udp.server.reply` says why).
pub async fn udp_baseline(client: &UdpPeer, patience: Duration) -> Result<Duration, Verdict> {
    let sent = client.send(PROBE).await.map_err(io_error)?;
    match client.recv_within(patience).await.map_err(io_error)? {
        Some(reply) => Ok(reply.at - sent),
        None => Err(Verdict::Blocked {
            by: "udp.server.reply",
            reason: msg!("blocked-no-udp-reply"),
        }),
    }
}

/// The evidence note of a shrunk property failure.
pub fn shrink_note<T>(f: &sockspec_harness::property::Failure<T>, seed: u64) -> Message {
    msg!(
        "shrink-note",
        case = f.case,
        seed = seed.to_string(),
        steps = f.shrink_steps,
        cut_short = if f.shrink_cut_short { "yes" } else { "no" }
    )
}

/// How often the smallest failing case is re-run for a transcript that shows it fail.
pub const REPLAYS: usize = 3;

/// The note when the smallest case passed on every re-run (a timing-dependent failure).
pub fn replay_passed() -> Message {
    msg!("replay-passed", runs = REPLAYS)
}

/// Whether a property case's result is a failure.
pub fn failed(result: &Result<Option<Message>, Verdict>) -> bool {
    matches!(result, Ok(Some(_)) | Err(Verdict::Violated { .. }))
}

/// A property case's result: held (`None`), failed with a reason, or a
/// verdict that ends the case (a violation fails it; anything else aborts the
/// property).
pub fn case_result(
    result: Result<Option<Message>, Verdict>,
) -> sockspec_harness::property::CaseResult {
    use sockspec_harness::property::CaseResult;
    match result {
        Ok(None) => CaseResult::Held,
        Ok(Some(why)) => CaseResult::Failed(why),
        Err(Verdict::Violated { diagnosis, .. }) => CaseResult::Failed(diagnosis),
        Err(other) => CaseResult::Abort(other.message().clone()),
    }
}

/// Re-runs a property's smallest failing case (`$case`, an expression using
/// `$ctx`) on a clean transcript until it fails again (at most [`REPLAYS`]
/// times), so the evidence shows a failing run. When it failed again, that is
/// how the failure reproduces, and the runner does not re-run the whole search.
macro_rules! replay {
    ($ctx:expr, $case:expr) => {{
        let mut runs = 0u32;
        let mut failed_again = false;
        while !failed_again && (runs as usize) < $crate::common::REPLAYS {
            $ctx.recorder().clear();
            runs += 1;
            failed_again = $crate::common::failed(&$case.await);
        }
        if failed_again {
            // The search's own failing run, and the re-runs: the runner need
            // not run the whole search again.
            $ctx.facts.reproduced = Some(sockspec_harness::Reproduced {
                failed: 2,
                runs: 1 + runs,
            });
        } else {
            // Timing-dependent: whether the check as a whole fails every
            // time is for the runner's re-runs to say.
            $ctx.facts.notes.push($crate::common::replay_passed());
        }
    }};
}
pub(crate) use replay;
