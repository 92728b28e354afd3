//! sockspec-report: results rendered for people and tools — terminal text, JSON
//! (DESIGN's schema), JUnit XML and Markdown — in the reader's language, from the
//! message catalog ([`catalog`]). Depends on the result model only: no I/O
//! beyond what a caller writes.

#![forbid(unsafe_code)]

pub mod catalog;
pub mod evidence;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod text;

pub use catalog::{Catalog, Lang};
use serde::Serialize;
use sockspec_results::{CheckResult, Message, ProgramLanguage, Role, Summary, TargetKind};

/// What was checked, for the report's header and the `target` object.
#[derive(Debug, Clone, Serialize)]
pub struct TargetInfo {
    /// How the target is named (`python3 echo_server.py`).
    pub name: String,
    /// Which launcher ran it.
    pub kind: TargetKind,
    /// The language it is written in (hints speak of its API).
    pub language: ProgramLanguage,
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
    pub notices: Vec<Message>,
    /// What the run cost.
    pub stats: RunStats,
}

/// What a run cost: the JSON report's `stats`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RunStats {
    /// Instances of the target started, re-runs included.
    pub instance_starts: u32,
    /// Wall-clock time of the whole run, in milliseconds.
    pub wall_ms: u64,
}

impl Report {
    /// The outcome counts.
    pub fn summary(&self) -> Summary {
        Summary::of(&self.results)
    }

    /// The results that need a reader's attention: fail, warn, error.
    pub fn problems(&self) -> impl Iterator<Item = &CheckResult> {
        self.results
            .iter()
            .filter(|r| r.outcome.is_problem() || r.outcome == sockspec_results::Outcome::Error)
    }
}
