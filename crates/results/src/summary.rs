//! Outcome counts and the exit status they mean.

use crate::level::Outcome;
use crate::result::CheckResult;
use serde::{Deserialize, Serialize};

/// How many results had each outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    pub fn of<'a>(results: impl IntoIterator<Item = &'a CheckResult>) -> Summary {
        let mut s = Summary::default();
        for r in results {
            s.add(r.outcome);
        }
        s
    }

    /// Counts one more outcome.
    pub fn add(&mut self, outcome: Outcome) {
        *match outcome {
            Outcome::Pass => &mut self.pass,
            Outcome::Fail => &mut self.fail,
            Outcome::Warn => &mut self.warn,
            Outcome::Info => &mut self.info,
            Outcome::Skip => &mut self.skip,
            Outcome::Error => &mut self.error,
        } += 1;
    }

    /// The count of one outcome.
    pub fn count(&self, outcome: Outcome) -> usize {
        match outcome {
            Outcome::Pass => self.pass,
            Outcome::Fail => self.fail,
            Outcome::Warn => self.warn,
            Outcome::Info => self.info,
            Outcome::Skip => self.skip,
            Outcome::Error => self.error,
        }
    }

    /// The exit status these outcomes mean.
    pub fn exit_status(&self) -> ExitStatus {
        if self.fail > 0 {
            ExitStatus::Failed
        } else if self.error > 0 {
            ExitStatus::Internal
        } else {
            ExitStatus::Ok
        }
    }
}

/// sockspec's exit statuses (DESIGN's CLI contract), in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: no `fail`.
    Ok,
    /// 1: at least one `fail`.
    Failed,
    /// 2: a usage or configuration error.
    Usage,
    /// 3: sockspec itself failed (`error`).
    Internal,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Ok => 0,
            ExitStatus::Failed => 1,
            ExitStatus::Usage => 2,
            ExitStatus::Internal => 3,
        }
    }
}
