//! What backs a result: enough to see and reproduce the problem.

use crate::exit::ExitInfo;
use crate::message::Message;
use crate::verdict::Counterexample;
use serde::{Deserialize, Serialize};
use sockspec_wire::Event;

/// How many transcript events the evidence keeps (the last ones).
pub const TRANSCRIPT_EVENTS: usize = 40;
/// How many lines of the target's stderr and stdout the evidence keeps.
pub const TAIL_LINES: usize = 20;

/// In how many runs of a check a problem showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reproduced {
    /// Runs that had the same outcome as the first.
    pub failed: u32,
    /// Runs in all.
    pub runs: u32,
}

impl std::fmt::Display for Reproduced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.failed, self.runs)
    }
}

/// The evidence of one result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// One sentence a student can act on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnosis: Option<Message>,
    /// The smallest input that shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterexample: Option<Counterexample>,
    /// The check whose failure made this one impossible to judge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked_by: Option<String>,
    /// What crossed the wire, in order (the last events).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transcript: Vec<Event>,
    /// How many events were left out before those shown.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub transcript_omitted: usize,
    /// The end of the target's stderr (its traceback).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stderr_tail: Option<String>,
    /// The end of the target's stdout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdout_tail: Option<String>,
    /// How the target ended, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<ExitInfo>,
    /// The seed of a property check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// How many cases a property check ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cases: Option<u32>,
    /// For a failure: in how many of the runs it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reproduced: Option<Reproduced>,
    /// The command that re-runs just this check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rerun: Option<String>,
    /// Anything else worth knowing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Message>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}
