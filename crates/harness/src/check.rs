//! A check: static metadata plus an async function of a [`Ctx`], and what it concludes.

use crate::context::Ctx;
use crate::role::Role;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// How much a check matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Required: a violation is a `fail`.
    Must,
    /// Recommended: a violation is a `warn`.
    Should,
    /// An observation: reported as `info`.
    Info,
}

impl Level {
    /// The level's public name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "must",
            Level::Should => "should",
            Level::Info => "info",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The future a check's `run` returns.
pub type CheckFuture<'a> = Pin<Box<dyn Future<Output = Verdict> + Send + 'a>>;

/// One entry of the catalog.
#[derive(Debug)]
pub struct Check {
    /// Stable dotted ID, e.g. `udp.server.reply` (public interface).
    pub id: &'static str,
    /// The role of the target it judges.
    pub role: Role,
    /// must, should or info.
    pub level: Level,
    /// The reference: RFC section, POSIX function or course rule.
    pub spec: &'static str,
    /// One line saying what must hold.
    pub title: &'static str,
    /// Whether it can only run with the target in a sandbox (else `skip`).
    pub needs_sandbox: bool,
    /// The check itself.
    pub run: for<'a> fn(&'a mut Ctx) -> CheckFuture<'a>,
}

/// What a check concluded, before the runner turns it into an [`Outcome`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It holds; the message says what was seen.
    Holds(String),
    /// It does not hold.
    Violated {
        /// One sentence a student can act on.
        diagnosis: String,
        /// The smallest input that shows it, rendered.
        counterexample: Option<String>,
    },
    /// An observation (info checks).
    Observed(String),
    /// Not applicable; the reason.
    Skip(String),
    /// sockspec could not run the check; never the target's fault.
    Error(String),
}

impl Verdict {
    /// A violation without a separate counterexample.
    pub fn violated(diagnosis: impl Into<String>) -> Self {
        Verdict::Violated {
            diagnosis: diagnosis.into(),
            counterexample: None,
        }
    }

    /// A violation with the input that shows it.
    pub fn violated_by(diagnosis: impl Into<String>, counterexample: impl Into<String>) -> Self {
        Verdict::Violated {
            diagnosis: diagnosis.into(),
            counterexample: Some(counterexample.into()),
        }
    }

    /// Whether this verdict blames the target.
    pub fn is_violation(&self) -> bool {
        matches!(self, Verdict::Violated { .. })
    }
}

/// The reported result of a check (public: the JSON `outcome` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// It holds.
    Pass,
    /// A `must` does not hold.
    Fail,
    /// A `should` does not hold.
    Warn,
    /// An observation.
    Info,
    /// Not applicable (reason given).
    Skip,
    /// sockspec could not run it.
    Error,
}

impl Outcome {
    /// Every outcome, in report order.
    pub const ALL: [Outcome; 6] = [
        Outcome::Pass,
        Outcome::Fail,
        Outcome::Warn,
        Outcome::Info,
        Outcome::Skip,
        Outcome::Error,
    ];

    /// The outcome for `verdict` of a check at `level`.
    pub fn of(level: Level, verdict: &Verdict) -> Outcome {
        match (verdict, level) {
            (Verdict::Holds(_), Level::Info) | (Verdict::Observed(_), _) => Outcome::Info,
            (Verdict::Holds(_), _) => Outcome::Pass,
            (Verdict::Violated { .. }, Level::Must) => Outcome::Fail,
            (Verdict::Violated { .. }, Level::Should) => Outcome::Warn,
            (Verdict::Violated { .. }, Level::Info) => Outcome::Info,
            (Verdict::Skip(_), _) => Outcome::Skip,
            (Verdict::Error(_), _) => Outcome::Error,
        }
    }

    /// The outcome's public name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Warn => "warn",
            Outcome::Info => "info",
            Outcome::Skip => "skip",
            Outcome::Error => "error",
        }
    }

    /// Whether the check is worth re-running to see if it reproduces.
    pub fn is_problem(self) -> bool {
        matches!(self, Outcome::Fail | Outcome::Warn)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violations_map_by_level() {
        let v = Verdict::violated("x");
        assert_eq!(Outcome::of(Level::Must, &v), Outcome::Fail);
        assert_eq!(Outcome::of(Level::Should, &v), Outcome::Warn);
        assert_eq!(Outcome::of(Level::Info, &v), Outcome::Info);
        assert_eq!(
            Outcome::of(Level::Must, &Verdict::Holds(String::new())),
            Outcome::Pass
        );
        assert_eq!(
            Outcome::of(Level::Must, &Verdict::Skip("n/a".into())),
            Outcome::Skip
        );
    }
}
