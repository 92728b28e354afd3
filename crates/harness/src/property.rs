//! Property checks over async code, driven by proptest: cases are generated
//! and shrunk by proptest's value trees on a blocking thread, and each case runs
//! on the async side. The smallest failing case and the seed are reported.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::fmt::Debug;
use tokio::sync::mpsc;

/// How many shrink steps a property may take at most.
pub const MAX_SHRINK_STEPS: u32 = 256;

/// What one case concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseResult {
    /// The property held.
    Held,
    /// It did not; why, in words.
    Failed(String),
    /// The case could not be judged (sockspec's problem); stops the property.
    Abort(String),
}

/// A failing case.
#[derive(Debug, Clone)]
pub struct Failure<T> {
    /// The smallest failing value found.
    pub minimal: T,
    /// Why it failed.
    pub reason: String,
    /// The first failing value, before shrinking.
    pub original: T,
    /// Which case (from 1) failed first.
    pub case: u32,
    /// How many shrink steps were tried.
    pub shrink_steps: u32,
}

/// What a property concluded.
#[derive(Debug, Clone)]
pub enum PropertyResult<T> {
    /// Every case held.
    Held {
        /// How many cases ran.
        cases: u32,
    },
    /// A case failed; the smallest one found.
    Failed(Failure<T>),
    /// A case could not be judged.
    Aborted(String),
}

/// The RNG for `seed`: the same seed gives the same cases.
pub fn rng_for(seed: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&seed.wrapping_add(i as u64).to_le_bytes());
    }
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

enum Step<T> {
    Case(T),
    Done { cases: u32, shrink_steps: u32 },
}

/// Runs `test` on `cases` values of `strategy` from `seed`; on the first
/// failure, shrinks it to the smallest value that still fails.
pub async fn check<S, F>(strategy: S, seed: u64, cases: u32, mut test: F) -> PropertyResult<S::Value>
where
    S: Strategy + Send + 'static,
    S::Value: Clone + Debug + Send + 'static,
    F: AsyncFnMut(S::Value) -> CaseResult,
{
    let (step_tx, mut step_rx) = mpsc::channel::<Step<S::Value>>(1);
    let (held_tx, held_rx) = std::sync::mpsc::channel::<bool>();
    let driver = tokio::task::spawn_blocking(move || drive(strategy, seed, cases, step_tx, held_rx));

    let mut first: Option<(S::Value, String, u32)> = None;
    let mut latest: Option<(S::Value, String)> = None;
    let mut case_no = 0;
    let mut outcome = None;
    while let Some(step) = step_rx.recv().await {
        match step {
            Step::Case(value) => {
                case_no += 1;
                let result = test(value.clone()).await;
                match result {
                    CaseResult::Held => {
                        let _ = held_tx.send(true);
                    }
                    CaseResult::Failed(reason) => {
                        if first.is_none() {
                            first = Some((value.clone(), reason.clone(), case_no));
                        }
                        latest = Some((value, reason));
                        let _ = held_tx.send(false);
                    }
                    CaseResult::Abort(reason) => {
                        outcome = Some(PropertyResult::Aborted(reason));
                        break;
                    }
                }
            }
            Step::Done {
                cases: ran,
                shrink_steps,
            } => {
                outcome = Some(match (first.take(), latest.take()) {
                    (Some((original, _, case)), Some((minimal, reason))) => {
                        PropertyResult::Failed(Failure {
                            minimal,
                            reason,
                            original,
                            case,
                            shrink_steps,
                        })
                    }
                    _ => PropertyResult::Held { cases: ran },
                });
                break;
            }
        }
    }
    drop(held_tx);
    drop(step_rx);
    let _ = driver.await;
    outcome.unwrap_or_else(|| PropertyResult::Aborted("the property driver stopped".into()))
}

/// The blocking side: generates cases, and on failure walks proptest's shrinking
/// (simplify after a failure, complicate after a pass), as proptest's own runner does.
fn drive<S: Strategy>(
    strategy: S,
    seed: u64,
    cases: u32,
    steps: mpsc::Sender<Step<S::Value>>,
    held: std::sync::mpsc::Receiver<bool>,
) {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, rng_for(seed));
    let run = |value: S::Value| -> Option<bool> {
        steps.blocking_send(Step::Case(value)).ok()?;
        held.recv().ok()
    };
    let mut ran = 0;
    let mut shrink_steps = 0;
    for _ in 0..cases {
        let Ok(mut tree) = strategy.new_tree(&mut runner) else {
            break;
        };
        ran += 1;
        match run(tree.current()) {
            None => return,
            Some(true) => continue,
            Some(false) => {}
        }
        let mut last_failed = true;
        while shrink_steps < MAX_SHRINK_STEPS {
            let moved = if last_failed { tree.simplify() } else { tree.complicate() };
            if !moved {
                break;
            }
            shrink_steps += 1;
            match run(tree.current()) {
                None => return,
                Some(held) => last_failed = !held,
            }
        }
        break;
    }
    let _ = steps.blocking_send(Step::Done {
        cases: ran,
        shrink_steps,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::collection::vec;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn shrinks_to_the_smallest_failing_value() {
        // Fails whenever a vector holds a number >= 10: shrinks to [10].
        let result = check(vec(0u32..1000, 0..20), 7, 100, async |v: Vec<u32>| {
            if v.iter().any(|&x| x >= 10) {
                CaseResult::Failed(format!("{v:?} has a big number"))
            } else {
                CaseResult::Held
            }
        })
        .await;
        match result {
            PropertyResult::Failed(f) => {
                assert_eq!(f.minimal, vec![10]);
                assert!(f.shrink_steps > 0);
                assert_eq!(f.reason, "[10] has a big number");
            }
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_same_seed_gives_the_same_cases() {
        let mut seen = [Vec::new(), Vec::new()];
        for run in &mut seen {
            let r = check(0u64..u64::MAX, 42, 5, async |x| {
                run.push(x);
                CaseResult::Held
            })
            .await;
            assert!(matches!(r, PropertyResult::Held { cases: 5 }));
        }
        assert_eq!(seen[0], seen[1]);
    }
}
