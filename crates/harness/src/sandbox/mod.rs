//! The sandbox. Every external target runs in its own user, PID, mount, IPC
//! and UTS namespaces made by bubblewrap ([`jail`]), inside a private network
//! namespace that sockspec makes and configures ([`create`]), with limits
//! ([`Limits`]: a cgroup where one can be had, else rlimits), from a bounded,
//! link-safe copy of its folder ([`copy`]).
//!
//! The network namespace: loopback is up, `255.255.255.255` is routed onto
//! loopback (so a broadcast stays inside), any non-loopback address the target
//! needs is added to loopback, and ports below 1024 need no privilege (a server
//! on port 80 binds as the unprivileged target). Nothing links the namespace to
//! the host's interfaces. When the last handle to it goes, every process still
//! in it is killed.
//!
//! Every live sandbox and temporary folder is registered process-wide:
//! [`cleanup_all`] tears them all down, and [`until_interrupted`] does so on
//! SIGINT, SIGTERM or SIGHUP.

mod cgroup;
pub mod copy;
pub mod jail;
mod limits;
mod registry;
mod rtnl;
mod stage;

pub use limits::Limits;
pub use registry::{
    ShuttingDown, cleanup_all, hold_signals, live_count, release_held_signals, until_interrupted,
};

use crate::net::Net;
use crate::procfs;
use nix::sched::{CloneFlags, unshare};
use std::io::{self, Write};
use std::net::IpAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// Whether sandboxes can be made here, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// Network namespaces and bubblewrap's sandboxes work.
    Available,
    /// They do not; the reason, for the notice and for `skip`.
    Unavailable(String),
}

static AVAILABILITY: OnceLock<Availability> = OnceLock::new();

/// Makes unprivileged sandboxes possible: when not root, moves this process into
/// a new user namespace where it is root. Must be called while the process has
/// one thread (first thing in `main`). Harmless when already root.
pub fn prepare_process() -> Availability {
    let availability = if nix::unistd::geteuid().is_root() {
        probe()
    } else {
        match enter_user_namespace() {
            Ok(()) => probe(),
            Err(e) => {
                Availability::Unavailable(format!("user namespaces are not permitted here ({e})"))
            }
        }
    };
    AVAILABILITY.get_or_init(|| availability).clone()
}

/// Whether sandboxes can be made (probed once).
pub fn availability() -> Availability {
    AVAILABILITY.get_or_init(probe).clone()
}

fn probe() -> Availability {
    let net = match create(&[]) {
        Ok(net) => net,
        Err(e) => {
            return Availability::Unavailable(format!(
                "network namespaces are not permitted ({e})"
            ));
        }
    };
    let ns = net.ns_fd().expect("a sandbox has a namespace");
    match jail::probe(ns) {
        Ok(()) => Availability::Available,
        Err(why) => Availability::Unavailable(why),
    }
}

/// How memory and processes are limited here: `Ok` with a cgroup, or the
/// reason there is none (the limits are then RLIMIT_AS and RLIMIT_NPROC).
pub fn cgroup_status() -> Result<(), String> {
    cgroup::cgroups().map(|_| ()).map_err(str::to_string)
}

fn enter_user_namespace() -> io::Result<()> {
    let uid = nix::unistd::getuid();
    let gid = nix::unistd::getgid();
    unshare(CloneFlags::CLONE_NEWUSER).map_err(io::Error::from)?;
    std::fs::write("/proc/self/setgroups", "deny")?;
    std::fs::write("/proc/self/uid_map", format!("0 {uid} 1"))?;
    std::fs::write("/proc/self/gid_map", format!("0 {gid} 1"))?;
    Ok(())
}

/// Kills every process left in the namespace when dropped. A sandboxed
/// instance's processes are gone by then (ending its sandbox ends its PID
/// namespace, and waits for that), and helper programs run to completion:
/// only a process that entered without a sandbox can be left, so `/proc` is
/// searched only when one did (`unjailed`). The search reads a link of every
/// process on the machine: a fifth of sockspec's CPU in a class, when it ran
/// for every instance.
struct Guard {
    ns_inode: u64,
    unjailed: Arc<AtomicBool>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if self.unjailed.load(Ordering::SeqCst) {
            procfs::kill_namespace(self.ns_inode);
        }
    }
}

/// Makes a sandbox with `extra` addresses on its loopback.
pub fn create(extra: &[IpAddr]) -> io::Result<Net> {
    let ns = std::thread::scope(|scope| {
        scope
            .spawn(|| -> io::Result<OwnedFd> {
                unshare(CloneFlags::CLONE_NEWNET).map_err(io::Error::from)?;
                Ok(std::fs::File::open("/proc/thread-self/ns/net")?.into())
            })
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("namespace thread panicked")))
    })?;
    let ns_inode = nix::sys::stat::fstat(ns.as_fd())
        .map_err(io::Error::from)?
        .st_ino;
    let unjailed = Arc::new(AtomicBool::new(false));
    let guard = Guard {
        ns_inode,
        unjailed: unjailed.clone(),
    };
    configure(&ns, extra)?;
    let label = format!("sandbox net:[{ns_inode}]");
    Ok(Net::namespace(ns, label, Box::new(guard), unjailed))
}

/// Sets a new network namespace up: loopback up with `extra` on it, the
/// limited broadcast routed onto it, then the namespace's own sysctls
/// ([`SYSCTLS`]).
/// Done in-process ([`rtnl`]), on a thread inside the namespace:
/// `/proc/sys/net` and rtnetlink are the namespace of the thread that opens them.
fn configure(ns: &OwnedFd, extra: &[IpAddr]) -> io::Result<()> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| -> io::Result<()> {
                nix::sched::setns(ns.as_fd(), CloneFlags::CLONE_NEWNET).map_err(io::Error::from)?;
                rtnl::set_up(extra).map_err(|e| {
                    io::Error::new(e.kind(), format!("setting up the sandbox failed: {e}"))
                })?;
                set_sysctls()
            })
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("sandbox setup thread panicked")))
    })
}

/// Per-namespace sysctls of a sandbox: any port may be bound without privilege
/// (the target is an unprivileged user; a server on port 80 still binds).
pub const SYSCTLS: [(&str, &str); 1] = [("net/ipv4/ip_unprivileged_port_start", "0")];

/// Writes [`SYSCTLS`] in the calling thread's network namespace.
fn set_sysctls() -> io::Result<()> {
    for (key, value) in SYSCTLS {
        std::fs::write(Path::new("/proc/sys").join(key), value)
            .map_err(|e| io::Error::new(e.kind(), format!("setting {key} in the sandbox: {e}")))?;
    }
    Ok(())
}

/// Runs `ip -batch -` inside the network namespace `ns`, one `ip` command a
/// line of `script`; the error carries `ip`'s own message.
pub fn ip_batch(ns: BorrowedFd<'_>, script: &str) -> io::Result<()> {
    let mut cmd = Command::new("ip");
    cmd.args(["-batch", "-"]);
    let out = run_in_namespace(ns, cmd, script.as_bytes())
        .map_err(|e| io::Error::new(e.kind(), format!("cannot run `ip` (iproute2): {e}")))?;
    if !out.status.success() {
        return Err(io::Error::other(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    Ok(())
}

/// Runs `cmd` inside the network namespace `ns` with `input` on its stdin,
/// its stdout discarded and its stderr kept: how sockspec drives `ip` and
/// `nft` in a sandbox. The error is the spawn's or the pipe's; the caller
/// judges the exit status.
pub fn run_in_namespace(
    ns: BorrowedFd<'_>,
    mut cmd: Command,
    input: &[u8],
) -> io::Result<std::process::Output> {
    let fd = ns.as_raw_fd();
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // SAFETY: setns is async-signal-safe; the descriptor (borrowed for this
    // call) stays open until exec, which happens inside `spawn` below.
    unsafe {
        cmd.pre_exec(move || {
            let ns = BorrowedFd::borrow_raw(fd);
            nix::sched::setns(ns, CloneFlags::CLONE_NEWNET).map_err(io::Error::from)
        });
    }
    // Counted until it has ended: a shutdown waits for it.
    let _running = registry::helper_starts().map_err(io::Error::other)?;
    let mut child = cmd.spawn()?;
    let written = child.stdin.take().expect("stdin is piped").write_all(input);
    let out = child.wait_with_output()?;
    // A tool that failed early may close its stdin first: its status and
    // message say more than the broken pipe.
    if out.status.success() {
        written?;
    }
    Ok(out)
}
