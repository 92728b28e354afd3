//! Levels and outcomes of checks.

use crate::verdict::Verdict;
use serde::{Deserialize, Serialize};
use std::fmt;

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
            (Verdict::Skip(_) | Verdict::Blocked { .. }, _) => Outcome::Skip,
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
        let v = Verdict::violated(crate::Message::new("x"));
        assert_eq!(Outcome::of(Level::Must, &v), Outcome::Fail);
        assert_eq!(Outcome::of(Level::Should, &v), Outcome::Warn);
        assert_eq!(Outcome::of(Level::Info, &v), Outcome::Info);
        assert_eq!(
            Outcome::of(Level::Must, &Verdict::Holds(crate::Message::new("x"))),
            Outcome::Pass
        );
        assert_eq!(
            Outcome::of(Level::Must, &Verdict::Skip(crate::Message::new("n/a"))),
            Outcome::Skip
        );
    }
}
