//! One instance's sandbox, made by bubblewrap (`bwrap`, Debian's package
//! `bubblewrap`) and driven by sockspec:
//!
//! - a user namespace in which the target is an unprivileged uid (65534) with
//!   no capabilities; sockspec running as root first becomes uid 65534 itself
//!   (so that the target is not uid 0 on the host either); nested user
//!   namespaces are disabled;
//! - a PID namespace with a fresh `/proc` (bwrap's small init is its pid 1):
//!   sockspec is invisible, and killing pid 1 ends every process in it;
//! - a mount namespace: the system folders (`/usr`, `/etc`, ...) and the
//!   toolchains on `PATH` (`~/.pyenv`) read-only, a private `/tmp` and
//!   `/dev/shm` of bounded size, a minimal `/dev`, and the temporary copy of the
//!   program's folder, the one writable place; nothing else of the machine's
//!   (the original submission, other students, home folders, `/run`);
//! - IPC and UTS namespaces (hostname `sockspec`), a new session;
//! - the network namespace sockspec made ([`super::create`]), joined before
//!   `bwrap` runs;
//! - limits: a cgroup for memory and processes where one can be had, else
//!   RLIMIT_AS and RLIMIT_NPROC (set on the target by `prlimit`, so that the
//!   count is the sandbox's own), and rlimits for the rest.
//!
//! Ending: teardown kills the sandbox's init (the kernel then kills every
//! process in its PID namespace) and bwrap, through pidfds, and waits for
//! them. If sockspec dies, bwrap dies with it (parent-death signal) and the
//! init with bwrap (`--die-with-parent`); and since an init that bwrap is
//! still setting up has no such signal yet, every instance is born inside one
//! more PID namespace, whose pid 1 dies with sockspec and takes everything in
//! it along (see `Spawner`).

use super::Limits;
use super::cgroup::{self, Cgroup};
use super::copy::{self, Budget, CopyReport};
use super::registry::{self, Registered, ShuttingDown, Teardown};
use super::stage::Stage;
use crate::procfs;
use crate::spawn::{Child, Launch, pidfd_open};
use nix::sched::CloneFlags;
use nix::sys::resource::{Resource, getrlimit, setrlimit};
use nix::unistd::{Gid, Pid, Uid};
use std::ffi::{CString, OsStr, OsString};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The uid and gid a target runs as inside its sandbox, and on the machine
/// when sockspec is root.
pub const TARGET_ID: u32 = 65534;

/// The hostname inside a sandbox.
pub const HOSTNAME: &str = "sockspec";

/// Top-level folders of the system shown read-only (links among them, such as
/// `/bin -> usr/bin`, are recreated as links).
const SYSTEM: [&str; 11] = [
    "usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "opt", "var", "nix",
];

/// How long teardown waits for a sandbox's processes to be gone.
const END_WAIT: Duration = Duration::from_secs(2);

/// Why a sandbox could not be prepared or started.
#[derive(Debug, thiserror::Error)]
pub enum JailError {
    /// sockspec is shutting down.
    #[error(transparent)]
    ShuttingDown(#[from] ShuttingDown),
    /// Making the temporary folder or copying into it failed.
    #[error("temporary folder: {0}")]
    Folder(io::Error),
    /// Copying the program's folder failed.
    #[error("copying {0}: {1}")]
    Copy(PathBuf, io::Error),
}

/// Whom targets run as, decided once from who sockspec is.
#[derive(Debug, Clone, Copy)]
pub(super) struct Identity {
    /// Set when sockspec may and must drop to [`TARGET_ID`] before `bwrap`
    /// runs (it is root with that uid mapped): the target is then an
    /// unprivileged uid on the machine, and toolchains in folders only root can
    /// enter (`/root/.pyenv`) are shown through a private bind mount.
    pub(super) drop_to: Option<(Uid, Gid)>,
}

pub(super) fn identity() -> Identity {
    static IDENTITY: OnceLock<Identity> = OnceLock::new();
    *IDENTITY.get_or_init(|| {
        let mapped = |file: &str| {
            std::fs::read_to_string(file).is_ok_and(|map| {
                map.lines().any(|line| {
                    let f: Vec<u64> = line
                        .split_whitespace()
                        .filter_map(|n| n.parse().ok())
                        .collect();
                    f.len() == 3 && (f[0]..f[0] + f[2]).contains(&u64::from(TARGET_ID))
                })
            })
        };
        let can_drop = nix::unistd::geteuid().is_root()
            && mapped("/proc/self/uid_map")
            && mapped("/proc/self/gid_map");
        Identity {
            drop_to: can_drop.then(|| (Uid::from_raw(TARGET_ID), Gid::from_raw(TARGET_ID))),
        }
    })
}

/// Whether `path` is under one of the system folders shown anyway.
fn is_system(path: &Path) -> bool {
    let mut parts = path.components();
    parts.next(); // the root
    parts
        .next()
        .and_then(|c| c.as_os_str().to_str())
        .is_some_and(|first| SYSTEM.contains(&first))
}

/// The folder to show so that the tool in `dir` works: in a home folder, the
/// home's entry holding it (`/root/.pyenv/shims` -> `/root/.pyenv`); elsewhere
/// the folder above a `bin`, `sbin` or `shims`, else `dir` itself.
fn tool_root(dir: &Path) -> PathBuf {
    let parts: Vec<&OsStr> = dir.iter().collect();
    let home_depth = match parts.get(1).and_then(|p| p.to_str()) {
        Some("root") => Some(2),
        Some("home") => Some(3),
        _ => None,
    };
    if let Some(depth) = home_depth
        && parts.len() > depth
    {
        return parts[..=depth].iter().collect();
    }
    match dir.file_name().and_then(|n| n.to_str()) {
        Some("bin" | "sbin" | "shims") => dir.parent().unwrap_or(dir).to_path_buf(),
        _ => dir.to_path_buf(),
    }
}

/// The toolchain folders to show read-only: the folders on `PATH` and
/// `PYENV_ROOT` that are not system folders, outermost only. With `whole`,
/// each `PATH` folder's tool root ([`tool_root`]) rather than the folder
/// itself: right when the target is another uid than the files' owner (their
/// private files stay unreadable to it), wrong when it runs as the user whose
/// home it is (`~/.cargo/credentials.toml` would be readable).
fn tool_roots(argv0: &str, whole: bool) -> Vec<PathBuf> {
    let path_dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    let mut roots: Vec<PathBuf> = path_dirs
        .iter()
        .filter(|d| d.is_absolute() && !is_system(d) && d.as_path() != Path::new("/"))
        .map(|d| if whole { tool_root(d) } else { d.clone() })
        .collect();
    roots.extend(std::env::var_os("PYENV_ROOT").map(PathBuf::from));
    // A program given by its absolute path outside the system folders; one in
    // a `bin` folder with its install prefix (an interpreter's `lib` is there).
    let program = Path::new(argv0);
    if program.is_absolute()
        && !is_system(program)
        && let Some(parent) = program.parent()
    {
        let prefix = match parent.file_name().and_then(|n| n.to_str()) {
            Some("bin") => parent.parent().unwrap_or(parent),
            _ => parent,
        };
        roots.push(if whole {
            tool_root(parent)
        } else {
            prefix.to_path_buf()
        });
    }
    roots.retain(|r| r.is_absolute() && r.is_dir() && r.components().count() > 1);
    roots.sort();
    roots.dedup();
    let all = roots.clone();
    roots.retain(|r| !all.iter().any(|o| o != r && r.starts_with(o)));
    roots
}

/// A live process of an instance, for teardown.
enum Process {
    /// `bwrap`: its pid and a pidfd (so that a reused pid is never killed).
    Sandbox { pid: u32, pidfd: Option<OwnedFd> },
    /// A program run without a sandbox, leading its own process group.
    Group { pid: u32, pidfd: Option<OwnedFd> },
}

#[derive(Default)]
struct State {
    torn_down: bool,
    /// The working directory (the copy).
    dirs: Vec<tempfile::TempDir>,
    /// What else the sandbox is given (its /etc/hosts, toolchain mount points).
    stage: Option<Arc<Stage>>,
    process: Option<Process>,
    cgroup: Option<Cgroup>,
}

/// One instance's sandbox (or, unsandboxed, its process group) and temporary
/// folder, registered so that an interrupted sockspec tears it down.
pub(crate) struct Jail {
    work: PathBuf,
    state: Mutex<State>,
}

/// What [`Jail::prepare`] made.
pub(crate) struct Prepared {
    /// The copy of the program's folder: the working directory.
    pub work: PathBuf,
    /// What the copy holds.
    pub copy: Option<CopyReport>,
    /// Folders to show read-only: (where `bwrap` finds it, where it is shown).
    pub shown: Vec<(PathBuf, PathBuf)>,
    /// Bind mounts to make (as root, privately) before `bwrap` runs: (from, to).
    pub staged: Vec<(PathBuf, PathBuf)>,
    /// The sandbox's `/etc/hosts`: the machine's, and its hostname on loopback.
    pub hosts: Option<PathBuf>,
}

impl Jail {
    /// Makes the instance's working directory and registers it.
    pub(crate) fn new() -> Result<(Arc<Jail>, Registered), JailError> {
        registry::register_new(|| {
            let dir = tempfile::Builder::new()
                .prefix("sockspec-")
                .tempdir()
                .map_err(JailError::Folder)?;
            Ok(Arc::new(Jail {
                work: dir.path().to_path_buf(),
                state: Mutex::new(State {
                    dirs: vec![dir],
                    ..State::default()
                }),
            }))
        })?
    }

    /// The sandboxes' shared [`Stage`], held as long as the jail.
    fn hold_stage(&self) -> Result<Arc<Stage>, JailError> {
        let stage = Stage::shared().map_err(JailError::Folder)?;
        let mut state = self.state();
        if state.torn_down {
            return Err(ShuttingDown.into());
        }
        state.stage = Some(Arc::clone(&stage));
        Ok(stage)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Copies the program's folder (if any) into the working directory and
    /// makes what the sandbox needs (blocking: run it off the async threads).
    pub(crate) fn prepare(
        &self,
        folder: Option<&Path>,
        program_files: &[PathBuf],
        argv0: &str,
        sandboxed: bool,
    ) -> Result<Prepared, JailError> {
        let work = self.work.clone();
        let copy = match folder {
            Some(folder) => {
                let report = copy::copy_folder(folder, &work, &Budget::default())
                    .map_err(|e| JailError::Copy(folder.to_path_buf(), e))?;
                if !report.complete {
                    // Too large to copy whole: the program files at least.
                    for file in program_files {
                        if let Some(name) = file.file_name()
                            && !work.join(name).exists()
                        {
                            let _ =
                                copy::copy_file(file, &work.join(name), Budget::default().bytes);
                        }
                    }
                }
                Some(report)
            }
            None => None,
        };
        let mut prepared = Prepared {
            work,
            copy,
            shown: Vec::new(),
            staged: Vec::new(),
            hosts: None,
        };
        if !sandboxed {
            return Ok(prepared);
        }
        // What the sandbox is given besides the copy: its /etc/hosts, and
        // mount points for the toolchains bwrap could not reach itself.
        let stage = self.hold_stage()?;
        prepared.hosts = stage.hosts().map(Path::to_path_buf);
        let drop_to = identity().drop_to;
        for root in tool_roots(argv0, drop_to.is_some()) {
            if drop_to.is_some() {
                // bwrap, run as the target's uid, may not enter the folder
                // holding it (`/root` is 0700): bind it to a place it can reach.
                let point = stage.mount_point(&root).map_err(JailError::Folder)?;
                prepared.staged.push((root.clone(), point.clone()));
                prepared.shown.push((point, root));
            } else if std::fs::read_dir(&root).is_ok() {
                prepared.shown.push((root.clone(), root));
            }
        }
        if let Some((uid, gid)) = drop_to {
            chown_tree(&self.work, uid, gid).map_err(JailError::Folder)?;
        }
        Ok(prepared)
    }

    /// Gives the jail its started process (and cgroup); refused, killing it,
    /// when sockspec is shutting down.
    fn attach(&self, process: Process, cgroup: Option<Cgroup>) -> Result<(), ShuttingDown> {
        let mut state = self.state();
        if state.torn_down || registry::closed() {
            drop(state);
            end(&process);
            if let Some(c) = cgroup {
                c.remove();
            }
            return Err(ShuttingDown);
        }
        state.process = Some(process);
        state.cgroup = cgroup;
        Ok(())
    }

    /// Records a started sandbox (`bwrap`'s pid).
    pub(crate) fn attach_sandbox(
        &self,
        pid: u32,
        cgroup: Option<Cgroup>,
    ) -> Result<(), ShuttingDown> {
        let pidfd = pidfd_open(pid).ok();
        self.attach(Process::Sandbox { pid, pidfd }, cgroup)
    }

    /// Records a started unsandboxed program (leader of its process group).
    pub(crate) fn attach_group(&self, pid: u32) -> Result<(), ShuttingDown> {
        let pidfd = pidfd_open(pid).ok();
        self.attach(Process::Group { pid, pidfd }, None)
    }
}

impl Teardown for Jail {
    fn teardown(&self) {
        let (process, cgroup, dirs, stage) = {
            let mut state = self.state();
            state.torn_down = true;
            (
                state.process.take(),
                state.cgroup.take(),
                std::mem::take(&mut state.dirs),
                state.stage.take(),
            )
        };
        if let Some(process) = &process {
            end(process);
        }
        if let Some(cgroup) = cgroup {
            cgroup.remove();
        }
        // Only now that nothing can write into them.
        drop((dirs, stage));
    }
}

/// Kills a process of an instance and everything it made; for a sandbox,
/// waits (up to [`END_WAIT`]) until its PID namespace has ended.
fn end(process: &Process) {
    match process {
        Process::Sandbox { pid, pidfd } => {
            // Without pidfds (Linux < 5.3) bwrap is killed when its `Child` is
            // dropped, and its init with it (--die-with-parent): no pid is
            // ever signalled that may have been reused.
            let Some(pidfd) = pidfd else {
                return;
            };
            // bwrap's child is pid 1 of the sandbox: when it dies the kernel
            // kills every process in the namespace, then it is gone.
            let inits = inits_of(*pid, pidfd);
            for fd in &inits {
                kill(fd);
            }
            kill(pidfd);
            let deadline = Instant::now() + END_WAIT;
            for fd in inits.iter().chain(std::iter::once(pidfd)) {
                wait_ended(fd.as_fd(), deadline);
            }
        }
        Process::Group { pid, pidfd } => {
            // Only while the leader lives is its pid (and group) surely its.
            if pidfd.as_ref().is_none_or(alive) {
                let _ = nix::sys::signal::killpg(
                    Pid::from_raw(*pid as i32),
                    nix::sys::signal::Signal::SIGKILL,
                );
                procfs::kill_tree(*pid);
            }
            if let Some(fd) = pidfd {
                wait_ended(fd.as_fd(), Instant::now() + END_WAIT);
            }
        }
    }
}

/// pidfds of the children of the live bwrap `pid` (its sandbox's init),
/// each checked to be bwrap's child after it was opened: never a process that
/// took a pid freed meanwhile.
fn inits_of(pid: u32, pidfd: &OwnedFd) -> Vec<OwnedFd> {
    let children = procfs::children(pid);
    // Read while bwrap was alive: the list is bwrap's, not a reused pid's.
    if !alive(pidfd) {
        return Vec::new();
    }
    children
        .into_iter()
        .filter_map(|child| {
            let fd = pidfd_open(child).ok()?;
            (procfs::parent(child) == Some(pid) && alive(pidfd)).then_some(fd)
        })
        .collect()
}

/// Whether the process behind `pidfd` has not ended.
fn alive(pidfd: &OwnedFd) -> bool {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    let mut fds = [PollFd::new(pidfd.as_fd(), PollFlags::POLLIN)];
    poll(&mut fds, PollTimeout::ZERO).is_ok_and(|n| n == 0)
}

/// SIGKILL through a pidfd (a process that ended already is left alone).
fn kill(pidfd: &OwnedFd) {
    // SAFETY: a plain system call on a descriptor we hold.
    unsafe {
        nix::libc::syscall(
            nix::libc::SYS_pidfd_send_signal,
            pidfd.as_raw_fd(),
            nix::libc::SIGKILL,
            std::ptr::null::<nix::libc::siginfo_t>(),
            0,
        );
    }
}

/// Waits until the process behind `pidfd` has ended, or `deadline`.
fn wait_ended(pidfd: BorrowedFd<'_>, deadline: Instant) {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let timeout = PollTimeout::try_from(left).unwrap_or(PollTimeout::MAX);
        let mut fds = [PollFd::new(pidfd, PollFlags::POLLIN)];
        match poll(&mut fds, timeout) {
            Err(nix::errno::Errno::EINTR) if !left.is_zero() => continue,
            _ => return,
        }
    }
}

/// `chown -hR uid:gid path` (links themselves, never followed).
pub(super) fn chown_tree(path: &Path, uid: Uid, gid: Gid) -> io::Result<()> {
    std::os::unix::fs::lchown(path, Some(uid.as_raw()), Some(gid.as_raw()))?;
    if std::fs::symlink_metadata(path)?.is_dir() {
        for entry in std::fs::read_dir(path)? {
            chown_tree(&entry?.path(), uid, gid)?;
        }
    }
    Ok(())
}

/// What a sandboxed instance is started with.
pub(crate) struct Spec<'a> {
    /// The network namespace to join, if any.
    pub netns: Option<BorrowedFd<'a>>,
    /// Whether it is started by [`spawn`] inside the PID namespace that dies
    /// with sockspec ([`contained`]).
    pub contained: bool,
    /// Its limits.
    pub limits: Limits,
    /// What [`Jail::prepare`] made.
    pub prepared: &'a Prepared,
    /// The cgroup it runs in, if one could be had.
    pub cgroup: Option<&'a Cgroup>,
    /// The program and its arguments.
    pub argv: &'a [String],
}

/// `bwrap`'s arguments for `spec`, up to and including the program's argv.
pub(crate) fn bwrap_args(spec: &Spec<'_>) -> Vec<OsString> {
    let mut args: Vec<OsString> = Vec::new();
    let mut push = |parts: &[&OsStr]| args.extend(parts.iter().map(|p| p.to_os_string()));
    let id = TARGET_ID.to_string();
    push(&[
        "--unshare-user".as_ref(),
        "--uid".as_ref(),
        id.as_ref(),
        "--gid".as_ref(),
        id.as_ref(),
        "--disable-userns".as_ref(),
        "--unshare-pid".as_ref(),
        "--unshare-ipc".as_ref(),
        "--unshare-uts".as_ref(),
        "--unshare-cgroup-try".as_ref(),
        "--hostname".as_ref(),
        HOSTNAME.as_ref(),
        "--die-with-parent".as_ref(),
        "--new-session".as_ref(),
        "--cap-drop".as_ref(),
        "ALL".as_ref(),
    ]);
    for name in SYSTEM {
        let path = Path::new("/").join(name);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                if let Ok(to) = std::fs::read_link(&path) {
                    push(&["--symlink".as_ref(), to.as_os_str(), path.as_os_str()]);
                }
            }
            Ok(m) if m.is_dir() => {
                push(&["--ro-bind".as_ref(), path.as_os_str(), path.as_os_str()]);
            }
            _ => {}
        }
    }
    for (from, to) in &spec.prepared.shown {
        push(&["--ro-bind".as_ref(), from.as_os_str(), to.as_os_str()]);
    }
    if let Some(hosts) = &spec.prepared.hosts {
        push(&[
            "--ro-bind".as_ref(),
            hosts.as_os_str(),
            "/etc/hosts".as_ref(),
        ]);
    }
    let size = spec.limits.file_bytes.to_string();
    let work = spec.prepared.work.as_os_str();
    push(&[
        "--proc".as_ref(),
        "/proc".as_ref(),
        "--dev".as_ref(),
        "/dev".as_ref(),
        "--size".as_ref(),
        size.as_ref(),
        "--tmpfs".as_ref(),
        "/tmp".as_ref(),
        "--size".as_ref(),
        size.as_ref(),
        "--tmpfs".as_ref(),
        "/dev/shm".as_ref(),
        "--bind".as_ref(),
        work,
        work,
        // The sandbox's own root and /dev are bwrap's tmpfs: not writable.
        "--remount-ro".as_ref(),
        "/".as_ref(),
        "--remount-ro".as_ref(),
        "/dev".as_ref(),
        "--chdir".as_ref(),
        work,
        "--setenv".as_ref(),
        "TMPDIR".as_ref(),
        "/tmp".as_ref(),
        "--".as_ref(),
    ]);
    if spec.cgroup.is_none()
        && let Some(prlimit) = prlimit()
    {
        // RLIMIT_NPROC counts the processes of the sandbox's own user only
        // when it is set inside the sandbox, after bwrap made that user.
        let n = spec.limits.processes;
        push(&[
            prlimit.as_os_str(),
            format!("--nproc={n}:{n}").as_ref(),
            "--".as_ref(),
        ]);
    }
    push(&spec.argv.iter().map(OsStr::new).collect::<Vec<_>>());
    args
}

/// The sandbox's `/etc/hosts`: the machine's, then [`HOSTNAME`] on loopback
/// (so that `gethostbyname(gethostname())` works inside, as it does outside).
pub(super) fn hosts_file() -> Vec<u8> {
    let mut hosts = copy::read_regular(Path::new("/etc/hosts"), 64 * 1024).unwrap_or_default();
    if !hosts.is_empty() && !hosts.ends_with(b"\n") {
        hosts.push(b'\n');
    }
    hosts.extend_from_slice(format!("127.0.0.1\t{HOSTNAME}\n::1\t{HOSTNAME}\n").as_bytes());
    hosts
}

/// util-linux's `prlimit`, if installed.
fn prlimit() -> Option<&'static Path> {
    static PRLIMIT: OnceLock<Option<PathBuf>> = OnceLock::new();
    PRLIMIT
        .get_or_init(|| {
            ["/usr/bin/prlimit", "/bin/prlimit"]
                .iter()
                .map(PathBuf::from)
                .find(|p| p.is_file())
        })
        .as_deref()
}

/// The `bwrap` command for `spec`: joins the network namespace, the cgroup,
/// sets the rlimits, drops to [`TARGET_ID`] when root, and dies with sockspec.
pub(crate) fn command(spec: &Spec<'_>) -> io::Result<Launch> {
    let mut cmd = Launch::new("bwrap");
    cmd.args(bwrap_args(spec));
    let cstring = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(io::Error::other);
    let staged = spec
        .prepared
        .staged
        .iter()
        .map(|(from, to)| Ok((cstring(from)?, cstring(to)?)))
        .collect::<io::Result<Vec<_>>>()?;
    let netns = spec.netns.map(|fd| fd.as_raw_fd());
    let contained = spec.contained;
    let cgroup = spec.cgroup.map(|c| c.procs().clone());
    let limits = spec.limits;
    let (_, nofile_hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap_or((1024, 1024));
    let mut rlimits = vec![
        (Resource::RLIMIT_CORE, 0),
        (Resource::RLIMIT_NOFILE, limits.open_files.min(nofile_hard)),
        (Resource::RLIMIT_FSIZE, limits.file_bytes),
    ];
    if cgroup.is_none() {
        rlimits.push((Resource::RLIMIT_AS, limits.memory_bytes));
    }
    let cpu = limits.cpu_seconds;
    let drop_to = identity().drop_to;
    let parent = nix::unistd::getpid();
    // SAFETY: between the start and exec only async-signal-safe system calls
    // run, on data prepared before (no allocation); the descriptors stay open
    // until exec.
    unsafe {
        cmd.setup(Arc::new(move || {
            super::release_held_signals()?;
            // Its own process group: a terminal's Ctrl-C reaches sockspec only.
            nix::unistd::setpgid(Pid::from_raw(0), Pid::from_raw(0))?;
            if !staged.is_empty() || contained {
                use nix::mount::{MsFlags, mount};
                let none = None::<&std::ffi::CStr>;
                // A mount namespace of bwrap's own, changed for it alone.
                nix::sched::unshare(CloneFlags::CLONE_NEWNS)?;
                mount(
                    none,
                    c"/",
                    none,
                    MsFlags::MS_REC | MsFlags::MS_PRIVATE,
                    none,
                )?;
                for (from, to) in &staged {
                    mount(
                        Some(from.as_c_str()),
                        to.as_c_str(),
                        none,
                        MsFlags::MS_BIND | MsFlags::MS_REC,
                        none,
                    )?;
                }
                if contained {
                    // bwrap finds itself in /proc by the pid it has in the
                    // namespace it was born in: a /proc of that namespace.
                    mount(
                        Some(c"proc"),
                        c"/proc",
                        Some(c"proc"),
                        MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
                        none,
                    )?;
                }
            }
            if let Some(fd) = netns {
                nix::sched::setns(BorrowedFd::borrow_raw(fd), CloneFlags::CLONE_NEWNET)?;
            }
            if let Some(procs) = &cgroup {
                let fd = nix::fcntl::open(
                    procs.as_c_str(),
                    nix::fcntl::OFlag::O_WRONLY | nix::fcntl::OFlag::O_CLOEXEC,
                    nix::sys::stat::Mode::empty(),
                )?;
                nix::unistd::write(&fd, b"0")?;
            }
            for (resource, value) in &rlimits {
                setrlimit(*resource, *value, *value)?;
            }
            setrlimit(Resource::RLIMIT_CPU, cpu, cpu + 1)?;
            if let Some((uid, gid)) = drop_to {
                crate::spawn::become_user(uid.as_raw(), gid.as_raw())?;
            }
            // Set after the uid change, which clears it: when sockspec dies,
            // so does bwrap, and with it (--die-with-parent) the sandbox.
            nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)?;
            // Had sockspec died before that, it would not be signalled: stop.
            // (Inside the namespace that dies with sockspec, its parent is
            // out of sight, and it would be killed anyway.)
            if !contained && nix::unistd::getppid() != parent {
                return Err(io::Error::from_raw_os_error(nix::libc::ESRCH));
            }
            Ok(())
        }));
    }
    Ok(cmd)
}

/// Makes the cgroup for an instance with `limits`, when cgroups can be had.
pub(crate) fn cgroup_for(limits: &Limits) -> Option<Cgroup> {
    cgroup::cgroups().ok()?.create(limits).ok()
}

/// What a started process is recorded with, right where it started (see [`spawn`]).
pub(crate) type Attach = Box<dyn FnOnce(u32) -> Result<(), ShuttingDown> + Send>;

type Job = (
    tokio::runtime::Handle,
    Launch,
    Attach,
    tokio::sync::oneshot::Sender<io::Result<Child>>,
);

/// The thread that starts every instance. It has joined (for the processes
/// it forks) a PID namespace whose pid 1 dies with sockspec, killing every
/// process in it: so no sandbox outlives a sockspec killed outright
/// (SIGKILL), whatever it was doing then — even one that bwrap was still
/// setting up, whose init has no parent-death signal yet.
struct Spawner {
    jobs: Mutex<std::sync::mpsc::Sender<Job>>,
    /// Whether the thread is in that namespace (else, where it could not be
    /// made, sandboxes rely on parent-death signals alone).
    contained: bool,
}

fn spawner() -> &'static Spawner {
    static SPAWNER: OnceLock<Spawner> = OnceLock::new();
    SPAWNER.get_or_init(|| {
        let (jobs, rx) = std::sync::mpsc::channel::<Job>();
        let (ready, contained) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("sockspec-spawner".into())
            .spawn(move || {
                // Parent-death signals follow the thread that forked: this
                // one lives as long as sockspec.
                let holder = start_holder().and_then(|(ns, child)| {
                    // This thread's children are born in the namespace (and
                    // may make nested ones: it is their active namespace).
                    nix::sched::setns(ns.as_fd(), CloneFlags::CLONE_NEWPID)
                        .map_err(io::Error::from)?;
                    Ok(child)
                });
                let _ = ready.send(holder.is_ok());
                for (handle, cmd, attach, reply) in rx {
                    let _entered = handle.enter();
                    let _ = reply.send(spawn_attached(&cmd, attach));
                }
            })
            .expect("a thread can be started");
        Spawner {
            jobs: Mutex::new(jobs),
            contained: contained.recv().unwrap_or(false),
        }
    })
}

/// Starts the holder of the instances' PID namespace: `unshare --pid --fork`,
/// whose child is pid 1 there and dies with it (`--kill-child`), as it dies
/// with sockspec (its parent-death signal). Returns the namespace.
fn start_holder() -> io::Result<(OwnedFd, std::process::Child)> {
    use std::io::BufRead;
    let parent = nix::unistd::getpid();
    let mut cmd = std::process::Command::new("unshare");
    cmd.args([
        "--pid",
        "--fork",
        "--kill-child=SIGKILL",
        "--",
        "sh",
        "-c",
        "echo ready && exec sleep infinity",
    ])
    .stdin(std::process::Stdio::null())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::null());
    // SAFETY: only async-signal-safe system calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            nix::unistd::setpgid(Pid::from_raw(0), Pid::from_raw(0))?;
            nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)?;
            if nix::unistd::getppid() != parent {
                return Err(io::Error::from_raw_os_error(nix::libc::ESRCH));
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn()?;
    // Once pid 1 says so, it runs in the new namespace.
    let mut line = String::new();
    let stdout = child.stdout.take().expect("piped");
    std::io::BufReader::new(stdout).read_line(&mut line)?;
    let init = procfs::children(child.id()).first().copied();
    let (Some(init), "ready") = (init, line.trim()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(io::Error::other("unshare --pid --fork did not start"));
    };
    let ns = std::fs::File::open(format!("/proc/{init}/ns/pid"))?;
    Ok((ns.into(), child))
}

/// Whether instances are started inside the PID namespace that dies with
/// sockspec (see [`Spawner`]).
pub(crate) fn contained() -> bool {
    spawner().contained
}

/// Starts `cmd` on the spawner thread, which lives as long as sockspec, so
/// that the parent-death signal (which follows the thread that forked) fires
/// only when sockspec itself ends. `attach` records the process (in its
/// instance's jail) on that thread as soon as it started: a teardown on a
/// signal then finds it even if the task that asked is never run again.
pub(crate) async fn spawn(cmd: Launch, attach: Attach) -> io::Result<Child> {
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job = (tokio::runtime::Handle::current(), cmd, attach, reply);
    let sent = spawner()
        .jobs
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .send(job);
    match sent {
        Ok(()) => answer
            .await
            .unwrap_or_else(|_| Err(io::Error::other("the spawner thread is gone"))),
        // The thread is gone (it never ends): start it here.
        Err(std::sync::mpsc::SendError((_, cmd, attach, _))) => spawn_attached(&cmd, attach),
    }
}

/// Starts `cmd` and records it with `attach` (which ends it when sockspec is
/// shutting down).
fn spawn_attached(cmd: &Launch, attach: Attach) -> io::Result<Child> {
    if registry::closed() {
        return Err(io::Error::other(ShuttingDown));
    }
    let child = cmd.spawn()?;
    let pid = child.id();
    attach(pid).map_err(io::Error::other)?;
    Ok(child)
}

/// Runs a trivial program in a full sandbox in `netns`: whether `bwrap` works
/// here, and if not, its own message.
pub(crate) fn probe(netns: BorrowedFd<'_>) -> Result<(), String> {
    let dir = tempfile::Builder::new()
        .prefix("sockspec-probe-")
        .tempdir()
        .map_err(|e| format!("temporary folder: {e}"))?;
    if let Some((uid, gid)) = identity().drop_to {
        chown_tree(dir.path(), uid, gid).map_err(|e| format!("temporary folder: {e}"))?;
    }
    let prepared = Prepared {
        work: dir.path().to_path_buf(),
        copy: None,
        shown: Vec::new(),
        staged: Vec::new(),
        hosts: None,
    };
    let argv = ["true".to_string()];
    let spec = Spec {
        netns: Some(netns),
        contained: false,
        limits: Limits::default(),
        prepared: &prepared,
        cgroup: None,
        argv: &argv,
    };
    let out = command(&spec)
        .and_then(|c| c.into_std().stdin(std::process::Stdio::null()).output())
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => {
                "bubblewrap is not installed (`bwrap` not found; Debian package `bubblewrap`)"
                    .to_string()
            }
            _ => format!("cannot run bwrap: {e}"),
        })?;
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(format!("bubblewrap cannot make a sandbox here: {said}"));
    }
    Ok(())
}

/// How an instance run by `bwrap` ended: bwrap reports a program killed by
/// signal N as status 128 + N.
pub(crate) fn exit_of_sandbox(status: std::process::ExitStatus) -> sockspec_results::ExitInfo {
    let exit = crate::target::exit_info(status);
    match exit.code {
        Some(code @ 129..=192) => sockspec_results::ExitInfo {
            code: None,
            signal: Some(code - 128),
        },
        _ => exit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toolchains_are_shown_by_their_root_folder() {
        let root = |s: &str| tool_root(Path::new(s));
        assert_eq!(root("/root/.pyenv/shims"), PathBuf::from("/root/.pyenv"));
        assert_eq!(
            root("/root/.pyenv/plugins/pyenv-virtualenv/shims"),
            PathBuf::from("/root/.pyenv")
        );
        assert_eq!(
            root("/home/ann/.local/bin"),
            PathBuf::from("/home/ann/.local")
        );
        assert_eq!(root("/srv/venv/bin"), PathBuf::from("/srv/venv"));
        assert_eq!(root("/srv/tools"), PathBuf::from("/srv/tools"));
        assert!(is_system(Path::new("/usr/local/bin")));
        assert!(!is_system(Path::new("/root/.cargo/bin")));
    }

    #[test]
    fn a_program_killed_by_a_signal_is_told_apart_from_an_exit() {
        use std::os::unix::process::ExitStatusExt;
        let exit = exit_of_sandbox(std::process::ExitStatus::from_raw(137 << 8));
        assert_eq!((exit.code, exit.signal), (None, Some(9)));
        let exit = exit_of_sandbox(std::process::ExitStatus::from_raw(1 << 8));
        assert_eq!((exit.code, exit.signal), (Some(1), None));
    }

    #[test]
    fn the_sandbox_shows_only_the_copy_writable_and_no_network_of_its_own() {
        let prepared = Prepared {
            work: PathBuf::from("/tmp/sockspec-x"),
            copy: None,
            shown: vec![(
                PathBuf::from("/tmp/sockspec-stage-x/tool-0"),
                PathBuf::from("/root/.pyenv"),
            )],
            staged: Vec::new(),
            hosts: None,
        };
        let argv = ["python3".to_string(), "server.py".to_string()];
        let spec = Spec {
            netns: None,
            contained: false,
            limits: Limits::default(),
            prepared: &prepared,
            cgroup: None,
            argv: &argv,
        };
        let args: Vec<String> = bwrap_args(&spec)
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let joined = args.join(" ");
        assert!(!joined.contains("--unshare-net"), "{joined}");
        assert!(joined.contains("--bind /tmp/sockspec-x /tmp/sockspec-x"));
        assert!(joined.contains("--ro-bind /tmp/sockspec-stage-x/tool-0 /root/.pyenv"));
        assert_eq!(
            args.iter().filter(|a| *a == "--bind").count(),
            1,
            "{joined}"
        );
        assert!(joined.ends_with("python3 server.py"), "{joined}");
        assert!(!joined.contains("--as-pid-1"));
    }
}
