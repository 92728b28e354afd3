//! sockspec-report: results to terminal text, JSON (DESIGN's schema), JUnit XML
//! and Markdown.

pub mod grade;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod text;

use serde::Serialize;
use sockspec_harness::{CheckResult, Outcome, Role};

/// What was checked, for the report's header and the `target` object.
#[derive(Debug, Clone, Serialize)]
pub struct TargetInfo {
    /// How the target is named (`python3 echo_server.py`).
    pub name: String,
    /// `command`, `in-process` or `remote`.
    pub kind: String,
    /// The contract its replies were judged by.
    pub contract: String,
    /// Whether it ran in a sandbox.
    pub sandboxed: bool,
    /// The seed of the run's property checks.
    pub seed: u64,
}

/// One run: a target, its role and the results.
#[derive(Debug, Clone)]
pub struct Report {
    /// What was checked.
    pub target: TargetInfo,
    /// The role it played.
    pub role: Role,
    /// One result per check, in catalog order.
    pub results: Vec<CheckResult>,
    /// Notices about the run itself (e.g. no sandbox).
    pub notices: Vec<String>,
}

/// How many results had each outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Checks that held.
    pub pass: usize,
    /// `must` checks that did not hold.
    pub fail: usize,
    /// `should` checks that did not hold.
    pub warn: usize,
    /// Observations.
    pub info: usize,
    /// Checks that did not apply.
    pub skip: usize,
    /// Checks sockspec could not run.
    pub error: usize,
}

impl Summary {
    /// Counts the outcomes of `results`.
    pub fn of(results: &[CheckResult]) -> Summary {
        let mut s = Summary::default();
        for r in results {
            *match r.outcome {
                Outcome::Pass => &mut s.pass,
                Outcome::Fail => &mut s.fail,
                Outcome::Warn => &mut s.warn,
                Outcome::Info => &mut s.info,
                Outcome::Skip => &mut s.skip,
                Outcome::Error => &mut s.error,
            } += 1;
        }
        s
    }

    /// The process exit code for these outcomes: 1 on any `fail`, else 3 on any
    /// `error`, else 0.
    pub fn exit_code(&self) -> u8 {
        if self.fail > 0 {
            1
        } else if self.error > 0 {
            3
        } else {
            0
        }
    }
}

impl Report {
    /// The outcome counts.
    pub fn summary(&self) -> Summary {
        Summary::of(&self.results)
    }
}
