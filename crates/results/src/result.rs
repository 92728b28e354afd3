//! Checks' metadata and results.

use crate::evidence::Evidence;
use crate::level::{Level, Outcome};
use crate::message::Message;
use crate::role::Role;
use crate::verdict::Verdict;
use serde::Serialize;
use std::fmt;
use std::time::Duration;

/// What a check is, without how it runs: the catalog's public entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CheckInfo {
    /// Stable dotted ID, e.g. `udp.server.reply` (public interface).
    pub id: &'static str,
    /// The role of the target it judges.
    pub role: Role,
    /// must, should or info.
    pub level: Level,
    /// The reference: RFC section, POSIX function or course rule.
    pub spec: &'static str,
    /// One line saying what must hold (English; the catalog translates it).
    pub title: &'static str,
    /// Whether it can only run with the target in a sandbox (else `skip`).
    #[serde(skip)]
    pub needs_sandbox: bool,
}

/// The result of one check (the JSON report's `results` entries).
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// The check.
    #[serde(flatten)]
    pub check: CheckInfo,
    /// What came of it.
    pub outcome: Outcome,
    /// The diagnosis, observation or reason.
    pub message: Message,
    /// What backs it.
    pub evidence: Evidence,
    /// Wall-clock time of the first run, in milliseconds.
    pub duration_ms: u64,
}

impl CheckResult {
    /// The result of `check` concluding `verdict` with `evidence`, after `took`.
    pub fn new(check: CheckInfo, verdict: Verdict, mut evidence: Evidence, took: Duration) -> Self {
        let outcome = Outcome::of(check.level, &verdict);
        let message = match verdict {
            Verdict::Holds(m) | Verdict::Observed(m) | Verdict::Skip(m) | Verdict::Error(m) => m,
            Verdict::Violated {
                diagnosis,
                counterexample,
            } => {
                evidence.diagnosis = Some(diagnosis.clone());
                evidence.counterexample = counterexample;
                diagnosis
            }
            Verdict::Blocked { by, reason } => {
                evidence.blocked_by = Some(by.to_string());
                reason
            }
        };
        CheckResult {
            check,
            outcome,
            message,
            evidence,
            duration_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
        }
    }

    /// The check's ID.
    pub fn id(&self) -> &'static str {
        self.check.id
    }
}

/// The kinds of target (the JSON report's `target.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// An external program sockspec starts.
    Command,
    /// Rust code running inside sockspec's process.
    InProcess,
    /// A service already running at an address.
    Remote,
}

impl TargetKind {
    /// The kind's public name.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Command => "command",
            TargetKind::InProcess => "in-process",
            TargetKind::Remote => "remote",
        }
    }
}

impl fmt::Display for TargetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
