//! What a run reports as it goes: reporters and the runner meet only here.

use crate::result::CheckResult;

/// One thing that happened during a run.
#[derive(Debug, Clone)]
pub enum RunEvent {
    /// A check began.
    CheckStarted {
        /// Its ID.
        id: &'static str,
    },
    /// A new instance of the target was started for a check.
    TargetStarted {
        /// The check it was started for.
        id: &'static str,
        /// How many instances that check has started so far.
        launches: u32,
    },
    /// A failing check is being run again to see whether it reproduces.
    CheckRerun {
        /// Its ID.
        id: &'static str,
        /// Which re-run (1-based).
        attempt: u32,
    },
    /// A check is done (after its re-runs).
    CheckFinished(Box<CheckResult>),
}
