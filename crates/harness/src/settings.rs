//! Settings of one run, shared by every check in it.

use sockspec_results::Contract;
use std::time::Duration;

/// The input script a client gets when the user gives none: ASCII and Chinese,
/// as the course's students type.
pub const DEFAULT_INPUT: &[&str] = &["hello", "你好，世界", "sockspec 测试 123"];

/// Everything a check may need to know about the run it is part of.
#[derive(Debug, Clone)]
pub struct Settings {
    /// What the target's replies mean.
    pub contract: Contract,
    /// Seed of every property check (printed with each failure).
    pub seed: u64,
    /// Cases each property check tries.
    pub cases: u32,
    /// Lines fed to the target's stdin, one at a time.
    pub input: Vec<String>,
    /// The address a client target uses (or a server binds), when given: an
    /// override of what sockspec finds by itself.
    pub addr: Option<crate::server_addr::ServerAddr>,
    /// Wall-clock limit of one check.
    pub check_timeout: Duration,
    /// How long a server may take to bind its socket.
    pub start_timeout: Duration,
    /// How long to wait for the first reply before calling it missing.
    pub reply_timeout: Duration,
    /// How many more times a failing check is run before it is reported.
    pub retries: u32,
    /// How many checks run at once (for targets whose instances are isolated).
    pub jobs: usize,
    /// Where requests a client sends are kept, normalized, for regression.
    pub snapshot_dir: Option<std::path::PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            contract: Contract::Any,
            seed: 0,
            cases: 32,
            input: DEFAULT_INPUT.iter().map(|s| s.to_string()).collect(),
            addr: None,
            check_timeout: Duration::from_secs(30),
            start_timeout: Duration::from_secs(10),
            reply_timeout: Duration::from_secs(2),
            retries: 2,
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
            snapshot_dir: None,
        }
    }
}

/// A seed for a run that was not given one: different each run, printed so it
/// can be given back with `--seed`.
pub fn fresh_seed() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    // Keep seeds short enough to type.
    (nanos ^ u64::from(std::process::id())) % 1_000_000_007
}
