//! Property checks over async code, driven by proptest: cases are generated
//! and shrunk by proptest's value trees on a blocking thread, and each case runs
//! on the async side. The smallest failing case and the seed are reported.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use sockspec_results::Message;
use std::fmt::Debug;
use tokio::sync::mpsc;

/// How many shrink steps a property may take at most.
pub const MAX_SHRINK_STEPS: u32 = 256;
/// How long shrinking may take: each step against a target that crashes costs
/// a restart, so the smallest case found by then is reported.
pub const SHRINK_BUDGET: std::time::Duration = std::time::Duration::from_secs(3);

/// What one case concluded.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseResult {
    /// The property held.
    Held,
    /// It did not; why, in words.
    Failed(Message),
    /// The case could not be judged (sockspec's problem); stops the property.
    Abort(Message),
}

/// A failing case.
#[derive(Debug, Clone)]
pub struct Failure<T> {
    /// The smallest failing value found.
    pub minimal: T,
    /// Why it failed.
    pub reason: Message,
    /// The first failing value, before shrinking.
    pub original: T,
    /// Which case (from 1) failed first.
    pub case: u32,
    /// How many shrink steps were tried.
    pub shrink_steps: u32,
    /// Whether shrinking stopped at its step or time budget (a smaller
    /// failing case may exist).
    pub shrink_cut_short: bool,
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
    Aborted(Message),
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
    Done {
        cases: u32,
        shrink_steps: u32,
        cut_short: bool,
    },
}

/// A property being checked: call [`Property::next_case`] for each value to
/// try, [`Property::report`] with what it concluded, and [`Property::finish`].
/// On the first failure the next cases are shrinking steps toward the smallest
/// value that still fails.
pub struct Property<T> {
    steps: mpsc::Receiver<Step<T>>,
    held: std::sync::mpsc::Sender<bool>,
    driver: tokio::task::JoinHandle<()>,
    current: Option<T>,
    case_no: u32,
    first: Option<(T, u32)>,
    latest: Option<(T, Message)>,
    done: Option<(u32, u32, bool)>,
    aborted: Option<Message>,
}

impl<T: Clone + Debug + Send + 'static> Property<T> {
    /// Starts generating `cases` values of `strategy` from `seed`.
    pub fn start<S>(strategy: S, seed: u64, cases: u32) -> Self
    where
        S: Strategy<Value = T> + Send + 'static,
    {
        let (step_tx, steps) = mpsc::channel::<Step<T>>(1);
        let (held, held_rx) = std::sync::mpsc::channel::<bool>();
        let driver =
            tokio::task::spawn_blocking(move || drive(strategy, seed, cases, step_tx, held_rx));
        Property {
            steps,
            held,
            driver,
            current: None,
            case_no: 0,
            first: None,
            latest: None,
            done: None,
            aborted: None,
        }
    }

    /// The next value to try, or `None` when the property is decided.
    pub async fn next_case(&mut self) -> Option<T> {
        if self.done.is_some() || self.aborted.is_some() {
            return None;
        }
        match self.steps.recv().await? {
            Step::Case(value) => {
                self.case_no += 1;
                self.current = Some(value.clone());
                Some(value)
            }
            Step::Done {
                cases,
                shrink_steps,
                cut_short,
            } => {
                self.done = Some((cases, shrink_steps, cut_short));
                None
            }
        }
    }

    /// What the value last returned by [`Property::next_case`] concluded.
    pub fn report(&mut self, result: CaseResult) {
        let Some(value) = self.current.take() else {
            return;
        };
        match result {
            CaseResult::Held => {
                let _ = self.held.send(true);
            }
            CaseResult::Failed(reason) => {
                if self.first.is_none() {
                    self.first = Some((value.clone(), self.case_no));
                }
                self.latest = Some((value, reason));
                let _ = self.held.send(false);
            }
            CaseResult::Abort(reason) => self.aborted = Some(reason),
        }
    }

    /// What the property concluded.
    pub async fn finish(self) -> PropertyResult<T> {
        let Property {
            steps,
            held,
            driver,
            first,
            latest,
            done,
            aborted,
            ..
        } = self;
        drop(held);
        drop(steps);
        let _ = driver.await;
        if let Some(reason) = aborted {
            return PropertyResult::Aborted(reason);
        }
        let Some((cases, shrink_steps, shrink_cut_short)) = done else {
            return PropertyResult::Aborted(sockspec_results::msg!("property-driver-stopped"));
        };
        match (first, latest) {
            (Some((original, case)), Some((minimal, reason))) => PropertyResult::Failed(Failure {
                minimal,
                reason,
                original,
                case,
                shrink_steps,
                shrink_cut_short,
            }),
            _ => PropertyResult::Held { cases },
        }
    }
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
    let mut cut_short = false;
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
        let started = std::time::Instant::now();
        loop {
            if shrink_steps >= MAX_SHRINK_STEPS || started.elapsed() >= SHRINK_BUDGET {
                cut_short = true;
                break;
            }
            let moved = if last_failed {
                tree.simplify()
            } else {
                tree.complicate()
            };
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
        cut_short,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::collection::vec;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn shrinks_to_the_smallest_failing_value() {
        // Fails whenever a vector holds a number >= 10: shrinks to [10].
        let mut prop = Property::start(vec(0u32..1000, 0..20), 7, 100);
        while let Some(v) = prop.next_case().await {
            prop.report(if v.iter().any(|&x| x >= 10) {
                CaseResult::Failed(Message::new("big"))
            } else {
                CaseResult::Held
            });
        }
        let result = prop.finish().await;
        match result {
            PropertyResult::Failed(f) => {
                assert_eq!(f.minimal, vec![10]);
                assert!(f.shrink_steps > 0);
                assert_eq!(f.reason, Message::new("big"));
            }
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_same_seed_gives_the_same_cases() {
        let mut seen = [Vec::new(), Vec::new()];
        for run in &mut seen {
            let mut prop = Property::start(0u64..u64::MAX, 42, 5);
            while let Some(x) = prop.next_case().await {
                run.push(x);
                prop.report(CaseResult::Held);
            }
            let r = prop.finish().await;
            assert!(matches!(r, PropertyResult::Held { cases: 5 }));
        }
        assert_eq!(seen[0], seen[1]);
    }
}
