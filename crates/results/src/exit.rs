//! How a target's process ended.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How a process ended: its status, or the signal that killed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExitInfo {
    /// Its exit status, when it exited.
    pub code: Option<i32>,
    /// The signal that killed it, when one did.
    pub signal: Option<i32>,
}

/// Linux's names of signals 1 to 31.
const SIGNALS: [&str; 31] = [
    "SIGHUP",
    "SIGINT",
    "SIGQUIT",
    "SIGILL",
    "SIGTRAP",
    "SIGABRT",
    "SIGBUS",
    "SIGFPE",
    "SIGKILL",
    "SIGUSR1",
    "SIGSEGV",
    "SIGUSR2",
    "SIGPIPE",
    "SIGALRM",
    "SIGTERM",
    "SIGSTKFLT",
    "SIGCHLD",
    "SIGCONT",
    "SIGSTOP",
    "SIGTSTP",
    "SIGTTIN",
    "SIGTTOU",
    "SIGURG",
    "SIGXCPU",
    "SIGXFSZ",
    "SIGVTALRM",
    "SIGPROF",
    "SIGWINCH",
    "SIGIO",
    "SIGPWR",
    "SIGSYS",
];

impl ExitInfo {
    /// It exited with `code`.
    pub fn exited(code: i32) -> Self {
        ExitInfo {
            code: Some(code),
            signal: None,
        }
    }

    /// It was killed by `signal`.
    pub fn killed(signal: i32) -> Self {
        ExitInfo {
            code: None,
            signal: Some(signal),
        }
    }

    /// Whether it ended with status 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// The name of the signal that killed it (`SIGPIPE`), if one did.
    pub fn signal_name(&self) -> Option<String> {
        let s = self.signal?;
        Some(
            usize::try_from(s)
                .ok()
                .and_then(|i| SIGNALS.get(i.wrapping_sub(1)))
                .map_or_else(|| format!("signal {s}"), |n| (*n).to_string()),
        )
    }
}

impl fmt::Display for ExitInfo {
    /// Plain English, for logs; reports render it through the catalog.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.code, self.signal_name()) {
            (Some(c), _) => write!(f, "exited with status {c}"),
            (None, Some(name)) => write!(f, "was killed by signal {name}"),
            (None, None) => write!(f, "ended"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_are_named() {
        assert_eq!(
            ExitInfo::killed(9).signal_name().as_deref(),
            Some("SIGKILL")
        );
        assert_eq!(
            ExitInfo::killed(13).signal_name().as_deref(),
            Some("SIGPIPE")
        );
        assert_eq!(
            ExitInfo::killed(64).signal_name().as_deref(),
            Some("signal 64")
        );
        assert!(ExitInfo::exited(0).success());
    }
}
