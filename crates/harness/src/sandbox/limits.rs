//! The resource limits of one instance.

/// Resource limits of one instance. Memory and processes are enforced by a
/// cgroup where sockspec can make one (`memory.max`, `pids.max`), else by
/// RLIMIT_AS and RLIMIT_NPROC; the rest are rlimits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// CPU seconds of each process (RLIMIT_CPU).
    pub cpu_seconds: u64,
    /// Memory: of the whole sandbox (cgroup `memory.max`, no swap), else the
    /// address space of each process (RLIMIT_AS).
    pub memory_bytes: u64,
    /// Open files (RLIMIT_NOFILE).
    pub open_files: u64,
    /// Largest file it may write (RLIMIT_FSIZE); also the size of its private
    /// `/tmp` and `/dev/shm`.
    pub file_bytes: u64,
    /// Processes and threads in the sandbox at once (cgroup `pids.max`, else
    /// RLIMIT_NPROC of the sandbox's own user).
    pub processes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            cpu_seconds: 60,
            memory_bytes: 1 << 30,
            open_files: 1024,
            file_bytes: 64 << 20,
            processes: 256,
        }
    }
}
