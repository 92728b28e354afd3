//! The target under test: a program playing one role, started as instances.

use crate::net::{Keepalive, Net};
use crate::output::{Output, Stream};
use crate::procfs::{self, BoundSocket};
use sockspec_results::{ExitInfo, Message, Role, TargetKind, msg};
use std::fmt;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::time::Duration;
use tokio::sync::watch;

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A program playing one role. Launchers implement it: [`crate::launch::Command`]
/// (an external program), [`crate::launch::InProcess`] (Rust code in this
/// process) and [`crate::launch::Remote`] (a service already running).
pub trait Target: Send + Sync {
    /// How reports name the target, e.g. `python3 echo_server.py`.
    fn describe(&self) -> String;
    /// Which kind of launcher runs it.
    fn kind(&self) -> TargetKind;
    /// Whether instances are isolated from each other (own namespace or own
    /// port), so that checks may run at the same time.
    fn isolated(&self) -> bool;
    /// Whether instances run in a sandbox.
    fn sandboxed(&self) -> bool;
    /// Addresses written in the program's source, e.g. a client's hard-coded
    /// server `('127.0.0.1', 8888)`.
    fn hinted_addrs(&self) -> Vec<SocketAddr> {
        Vec::new()
    }
    /// The language the program is written in, for hints in its own terms.
    fn language(&self) -> sockspec_results::ProgramLanguage {
        sockspec_results::ProgramLanguage::Rust
    }
    /// The network an instance will run in, with `local` addresses made local.
    fn network(&self, local: &[IpAddr]) -> Result<Net, LaunchError>;
    /// Starts an instance in `net`; a server instance is returned once it is bound.
    fn launch<'a>(
        &'a self,
        net: &'a Net,
        request: LaunchRequest,
    ) -> BoxFuture<'a, Result<Instance, LaunchError>>;
}

/// What an instance is started with.
#[derive(Debug, Clone)]
pub struct LaunchRequest {
    /// The role it plays (servers are waited for until bound).
    pub role: Role,
    /// For clients: the server address to use (`{host}`, `{port}`).
    pub connect_to: Option<SocketAddr>,
    /// For servers: the address to offer as `{host}`/`{port}`.
    pub bind_to: Option<SocketAddr>,
    /// For clients told a host name (`--addr www.sina.com.cn:80`): the name
    /// `{host}` stands for instead of `connect_to`'s address.
    pub connect_name: Option<String>,
    /// Lines for stdin, fed one at a time.
    pub input: Vec<String>,
    /// Whether stdin is closed once the script is fed (clients) or kept open (servers).
    pub close_stdin: bool,
    /// Wire activity to pace stdin by.
    pub activity: watch::Receiver<u64>,
    /// How long a server may take to bind.
    pub start_timeout: Duration,
    /// The address `{broadcast}` stands for (default 255.255.255.255).
    pub broadcast: Option<std::net::Ipv4Addr>,
}

/// Why an instance could not be started.
#[derive(Clone)]
pub enum LaunchError {
    /// The program could not be run at all (not found, not executable).
    Spawn(String),
    /// It exited before it was ready.
    ExitedEarly {
        /// How it ended.
        exit: ExitInfo,
        /// What it wrote (its traceback).
        output: Output,
    },
    /// It ran but bound no socket of the role's transport in time.
    NeverReady {
        /// What it wrote meanwhile.
        output: Output,
        /// How long sockspec waited.
        waited: Duration,
        /// What it did bind, if anything.
        bound: Vec<BoundSocket>,
    },
    /// sockspec could not prepare what the instance needs (the sandbox).
    Setup(String),
}

impl fmt::Debug for LaunchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl LaunchError {
    /// What the program wrote before it failed to start, if it ran at all.
    pub fn output(&self) -> Option<&Output> {
        match self {
            LaunchError::ExitedEarly { output, .. } | LaunchError::NeverReady { output, .. } => {
                Some(output)
            }
            _ => None,
        }
    }
}

impl LaunchError {
    /// The error as a catalog message, for diagnoses.
    pub fn message(&self) -> Message {
        match self {
            LaunchError::Spawn(e) => msg!("launch-spawn", error = e.as_str()),
            LaunchError::ExitedEarly { exit, .. } => {
                msg!("launch-exited-early", state = ended(*exit))
            }
            LaunchError::NeverReady { waited, bound, .. } => {
                let list: Vec<String> = bound
                    .iter()
                    .map(|b| format!("{:?} {}", b.transport, b.local))
                    .collect();
                let bound = if list.is_empty() {
                    "none".to_string()
                } else {
                    list.join(", ")
                };
                msg!("launch-never-ready", waited = *waited, bound = bound)
            }
            LaunchError::Setup(e) => msg!("launch-setup", error = e.as_str()),
        }
    }
}

impl std::error::Error for LaunchError {}

impl fmt::Display for LaunchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LaunchError::Spawn(e) => write!(f, "could not start the program: {e}"),
            LaunchError::ExitedEarly { exit, .. } => {
                write!(f, "the program {exit} before it bound a socket")
            }
            LaunchError::NeverReady { waited, bound, .. } => {
                write!(
                    f,
                    "it bound no server socket within {} ms",
                    waited.as_millis()
                )?;
                if !bound.is_empty() {
                    let list: Vec<String> = bound
                        .iter()
                        .map(|b| format!("{:?} {}", b.transport, b.local))
                        .collect();
                    write!(f, " (it bound only {})", list.join(", "))?;
                }
                Ok(())
            }
            LaunchError::Setup(e) => write!(f, "could not prepare the target: {e}"),
        }
    }
}

/// An [`ExitInfo`] from a process's exit status.
pub fn exit_info(status: std::process::ExitStatus) -> ExitInfo {
    use std::os::unix::process::ExitStatusExt;
    ExitInfo {
        code: status.code(),
        signal: status.signal(),
    }
}

/// Holds `Some` once an instance has ended.
pub type ExitWatch = watch::Receiver<Option<ExitInfo>>;

/// One running instance of a target. Dropping it stops it.
pub struct Instance {
    /// Where sockspec reaches it (servers), once bound.
    pub addr: Option<SocketAddr>,
    /// Every socket it was seen bound to when it became ready.
    pub bound: Vec<BoundSocket>,
    /// Its captured stdout and stderr.
    pub output: Output,
    /// Its process, for CPU time (external programs only).
    pub pid: Option<u32>,
    exit: watch::Receiver<Option<ExitInfo>>,
    stdin: Option<watch::Receiver<crate::stdin::StdinProgress>>,
    idle_probe: Option<crate::launch::IdleProbe>,
    _keep: Vec<Box<dyn Keepalive>>,
}

impl Instance {
    /// Assembles an instance (for launchers).
    pub fn new(
        addr: Option<SocketAddr>,
        output: Output,
        pid: Option<u32>,
        exit: watch::Receiver<Option<ExitInfo>>,
        keep: Vec<Box<dyn Keepalive>>,
    ) -> Self {
        Instance {
            addr,
            bound: Vec::new(),
            output,
            pid,
            exit,
            stdin: None,
            idle_probe: None,
            _keep: keep,
        }
    }

    /// Attaches an in-process target's idle probe (for launchers).
    pub fn set_idle_probe(&mut self, probe: crate::launch::IdleProbe) {
        self.idle_probe = Some(probe);
    }

    /// An in-process target's idle probe, if it left one.
    pub fn idle_probe(&self) -> Option<crate::launch::IdleProbe> {
        self.idle_probe.clone()
    }

    /// Attaches the progress of its input script (for launchers).
    pub fn set_stdin_progress(&mut self, progress: watch::Receiver<crate::stdin::StdinProgress>) {
        self.stdin = Some(progress);
    }

    /// How far its input script got and what it read, if it has one.
    pub fn stdin_progress(&self) -> Option<crate::stdin::StdinProgress> {
        self.stdin.as_ref().map(|rx| *rx.borrow())
    }

    /// A receiver of its input script's progress, if it has one.
    pub fn stdin_watch(&self) -> Option<watch::Receiver<crate::stdin::StdinProgress>> {
        self.stdin.clone()
    }

    /// Waits (at most `limit`) until its input script's feeder has stopped:
    /// the whole script written, or a write failed because the program is
    /// gone. Then [`Instance::stdin_progress`] says what the program read of
    /// every line written, even when it exited before the last line settled.
    pub async fn stdin_settled(&self, limit: std::time::Duration) {
        let Some(mut rx) = self.stdin.clone() else {
            return;
        };
        let _ = tokio::time::timeout(limit, async {
            while !rx.borrow_and_update().done {
                if rx.changed().await.is_err() {
                    break;
                }
            }
        })
        .await;
    }

    /// A receiver that holds how the instance ended, once it has.
    pub fn exit_watch(&self) -> ExitWatch {
        self.exit.clone()
    }

    /// How it ended, if it has.
    pub fn exited(&self) -> Option<ExitInfo> {
        *self.exit.borrow()
    }

    /// Waits up to `limit` for it to end.
    pub async fn wait_exit(&self, limit: Duration) -> Option<ExitInfo> {
        let mut rx = self.exit.clone();
        let ended = tokio::time::timeout(limit, rx.wait_for(|e| e.is_some())).await;
        match ended {
            Ok(Ok(e)) => *e,
            _ => None,
        }
    }

    /// CPU time its processes used so far (external programs only).
    pub fn cpu_time(&self) -> Option<Duration> {
        self.pid
            .map(|pid| procfs::cpu_time(&procfs::process_tree(pid)))
    }

    /// How long its processes' threads were busy so far (running or waiting
    /// for a CPU; external programs only): see [`procfs::busy_time`].
    pub fn busy_time(&self) -> Option<Duration> {
        self.pid
            .map(|pid| procfs::busy_time(&procfs::process_tree(pid)))
    }

    /// The last `lines` lines of its stderr.
    pub fn stderr_tail(&self, lines: usize) -> String {
        self.output.get(Stream::Stderr).tail_lines(lines)
    }

    /// A short phrase for diagnoses: "it is still running" or "it exited with status 1".
    pub fn state(&self) -> Message {
        let stopped = self.exited().is_none()
            && self
                .pid
                .is_some_and(|pid| procfs::all_stopped(&procfs::process_tree(pid)));
        if stopped {
            return msg!("state-stopped");
        }
        state_of(self.exited())
    }

    /// Whether it is still running (not ended).
    pub fn alive(&self) -> bool {
        self.exited().is_none()
    }
}

/// The phrase for a target that is still running (`None`) or ended as `exit`.
pub fn state_of(exit: Option<ExitInfo>) -> Message {
    match exit {
        None => msg!("state-running"),
        Some(e) => ended(e),
    }
}

/// The phrase for how a process ended: exited with a status, or killed by a signal.
pub fn ended(exit: ExitInfo) -> Message {
    match (exit.code, exit.signal_name()) {
        (Some(code), _) => msg!("state-exited", code = code),
        (None, Some(signal)) => msg!("state-killed", signal = signal),
        (None, None) => msg!("state-ended"),
    }
}
