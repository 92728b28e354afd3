//! Starting a program without copying sockspec.
//!
//! `std::process::Command` forks when it has a `pre_exec` hook, and every
//! instance needs one (namespaces, rlimits, ids, a parent-death signal). A
//! fork of a process with many busy threads copies its page tables, and
//! turns each first write of every other thread into a copy-on-write fault
//! until the child execs: that was a fifth of sockspec's own CPU in a class.
//! Here the child shares sockspec's memory, as `posix_spawn`'s does
//! (`clone(CLONE_VM | CLONE_VFORK)`): it runs the same hook on a stack of its
//! own and execs, while the thread that started it waits. No crate offers a
//! spawn with a hook that does not fork.
//!
//! The child's stdin, stdout and stderr are pipes; it is waited for through
//! a pidfd, and killed and reaped if its [`Child`] is dropped first.

use std::ffi::{CString, OsStr, OsString};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use tokio::io::unix::AsyncFd;
use tokio::net::unix::pipe;

use nix::libc;

/// What the child runs between its start and `exec`. It must make only
/// async-signal-safe system calls and must not allocate: it runs in
/// sockspec's memory, while one of sockspec's threads waits for it. For the
/// same reason it changes ids with [`become_user`], never glibc's `set*id`.
pub(crate) type Setup = Arc<dyn Fn() -> io::Result<()> + Send + Sync>;

/// What runs a script that has no `#!` line.
const SHELL: &std::ffi::CStr = c"/bin/sh";

/// The child's stack: the setup makes a few system calls, no more.
const STACK_BYTES: usize = 256 * 1024;

/// A program to start, its arguments and environment (sockspec's, with
/// changes), its folder and its [`Setup`].
pub(crate) struct Launch {
    program: OsString,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    dir: Option<PathBuf>,
    setup: Option<Setup>,
}

impl Launch {
    /// `program`, found on `PATH` when it has no `/`.
    pub(crate) fn new(program: impl AsRef<OsStr>) -> Launch {
        Launch {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            env: Vec::new(),
            dir: None,
            setup: None,
        }
    }

    /// Adds arguments.
    pub(crate) fn args<I, S>(&mut self, args: I) -> &mut Launch
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets an environment variable (over sockspec's own).
    pub(crate) fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Launch {
        self.env
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// The folder the program starts in.
    pub(crate) fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Launch {
        self.dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// What the child runs before `exec`.
    ///
    /// # Safety
    /// `setup` must keep to what [`Setup`] allows.
    pub(crate) unsafe fn setup(&mut self, setup: Setup) -> &mut Launch {
        self.setup = Some(setup);
        self
    }

    /// The same program as a `std::process::Command` (which forks), for a
    /// caller that wants its conveniences (`output()`) more than speed.
    pub(crate) fn into_std(self) -> std::process::Command {
        let mut cmd = std::process::Command::new(&self.program);
        cmd.args(&self.args).envs(self.env);
        if let Some(dir) = &self.dir {
            cmd.current_dir(dir);
        }
        if let Some(setup) = self.setup {
            // SAFETY: the setup is async-signal-safe (see `Launch::setup`).
            unsafe {
                cmd.pre_exec(move || setup());
            }
        }
        cmd
    }

    /// Starts the program with piped stdin, stdout and stderr. Call it
    /// within a tokio runtime (the pipes and the pidfd join its reactor).
    pub(crate) fn spawn(&self) -> io::Result<Child> {
        let path = self.path()?;
        let argv: Vec<CString> = std::iter::once(self.program.as_os_str())
            .chain(self.args.iter().map(OsString::as_os_str))
            .map(c_string)
            .collect::<io::Result<_>>()?;
        let envp: Vec<CString> = self
            .environment()
            .into_iter()
            .map(|(k, v)| {
                let mut pair = k;
                pair.push("=");
                pair.push(v);
                c_string(&pair)
            })
            .collect::<io::Result<_>>()?;
        let dir = self
            .dir
            .as_deref()
            .map(|d| c_string(d.as_os_str()))
            .transpose()?;
        let (stdin_read, stdin_write) = pipe_pair()?;
        let (stdout_read, stdout_write) = pipe_pair()?;
        let (stderr_read, stderr_write) = pipe_pair()?;
        let argv_ptrs = null_terminated(&argv);
        let envp_ptrs = null_terminated(&envp);
        // A script without `#!` runs with the shell, as execvp runs it.
        let script_argv: Vec<*const libc::c_char> = [SHELL.as_ptr(), path.as_ptr()]
            .into_iter()
            .chain(argv_ptrs[1..].iter().copied())
            .collect();
        let failure = AtomicI32::new(0);
        let plan = ChildPlan {
            name: task_name(&path),
            path: path.as_ptr(),
            argv: argv_ptrs.as_ptr(),
            script_argv: script_argv.as_ptr(),
            envp: envp_ptrs.as_ptr(),
            dir: dir.as_ref().map_or(std::ptr::null(), |d| d.as_ptr()),
            stdio: [
                stdin_read.as_raw_fd(),
                stdout_write.as_raw_fd(),
                stderr_write.as_raw_fd(),
            ],
            setup: self.setup.as_deref(),
            failure: &failure,
        };
        let pid = clone_vfork(&plan)?;
        drop((stdin_read, stdout_write, stderr_write));
        let failed = failure.load(Ordering::SeqCst);
        if failed != 0 {
            // It never ran the program: reap what is left of it.
            let _ = wait_blocking(pid);
            return Err(io::Error::from_raw_os_error(failed));
        }
        let handles = || -> io::Result<Child> {
            let pidfd = pidfd_open(pid)?;
            // SAFETY: an OwnedFd keeps its descriptor open, and the same,
            // until the AsyncFd (which owns it) is dropped.
            let pidfd =
                unsafe { AsyncFd::register_with_interest(pidfd, tokio::io::Interest::READABLE) }
                    .map_err(io::Error::from)?;
            Ok(Child {
                pid,
                pidfd: Some(pidfd),
                status: None,
                stdin: Some(pipe::Sender::from_owned_fd(stdin_write)?),
                stdout: Some(pipe::Receiver::from_owned_fd(stdout_read)?),
                stderr: Some(pipe::Receiver::from_owned_fd(stderr_read)?),
            })
        };
        handles().inspect_err(|_| kill_and_reap(pid))
    }

    /// The program's file: as given when it names a folder, else the first
    /// on the `PATH` it will have.
    fn path(&self) -> io::Result<CString> {
        if self.program.as_bytes().contains(&b'/') {
            return c_string(&self.program);
        }
        let search = self
            .env
            .iter()
            .rev()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.clone())
            .or_else(|| std::env::var_os("PATH"))
            .unwrap_or_default();
        let name = self.program.to_string_lossy();
        let found = crate::launch::on_path(&name, &search)
            .ok_or_else(|| io::Error::from_raw_os_error(libc::ENOENT))?;
        c_string(found.as_os_str())
    }

    /// sockspec's environment with this launch's changes.
    fn environment(&self) -> Vec<(OsString, OsString)> {
        let mut env: Vec<(OsString, OsString)> = std::env::vars_os()
            .filter(|(k, _)| !self.env.iter().any(|(changed, _)| changed == k))
            .collect();
        for (i, (k, v)) in self.env.iter().enumerate() {
            // The last setting of a variable wins, as in `Command::env`.
            if !self.env[i + 1..].iter().any(|(later, _)| later == k) {
                env.push((k.clone(), v.clone()));
            }
        }
        env
    }
}

/// A started program: its pid, pipes, and its end.
pub(crate) struct Child {
    pid: u32,
    pidfd: Option<AsyncFd<OwnedFd>>,
    status: Option<ExitStatus>,
    /// Its stdin, until taken.
    pub(crate) stdin: Option<pipe::Sender>,
    /// Its stdout, until taken.
    pub(crate) stdout: Option<pipe::Receiver>,
    /// Its stderr, until taken.
    pub(crate) stderr: Option<pipe::Receiver>,
}

impl Child {
    /// Its pid (in sockspec's PID namespace).
    pub(crate) fn id(&self) -> u32 {
        self.pid
    }

    /// Waits for it to end, and reaps it.
    pub(crate) async fn wait(&mut self) -> io::Result<ExitStatus> {
        if let Some(status) = self.status {
            return Ok(status);
        }
        let pidfd = self.pidfd.as_ref().expect("kept until reaped");
        loop {
            let mut ready = pidfd.readable().await?;
            if let Some(status) = try_reap(self.pid)? {
                self.status = Some(status);
                return Ok(status);
            }
            ready.clear_ready();
        }
    }
}

impl Drop for Child {
    /// A child dropped before it ended is killed; it is reaped as soon as it
    /// is gone (on the runtime when there is one), never left a zombie.
    fn drop(&mut self) {
        if self.status.is_some() {
            return;
        }
        let pid = self.pid;
        // SAFETY: the child is not reaped, so its pid is still its own.
        unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
        if let Ok(Some(_)) = try_reap(pid) {
            return;
        }
        match (tokio::runtime::Handle::try_current(), self.pidfd.take()) {
            (Ok(runtime), Some(pidfd)) => {
                runtime.spawn(async move {
                    while let Ok(mut ready) = pidfd.readable().await {
                        if !matches!(try_reap(pid), Ok(None)) {
                            return;
                        }
                        ready.clear_ready();
                    }
                });
            }
            _ => {
                let _ = wait_blocking(pid);
            }
        }
    }
}

/// What the child needs, prepared by the parent: it only reads it.
struct ChildPlan<'a> {
    /// The name `exec` will give it (see [`task_name`]).
    name: [u8; 16],
    path: *const libc::c_char,
    argv: *const *const libc::c_char,
    /// The shell's arguments for a script without `#!`: the path, then argv's.
    script_argv: *const *const libc::c_char,
    envp: *const *const libc::c_char,
    dir: *const libc::c_char,
    stdio: [RawFd; 3],
    setup: Option<&'a (dyn Fn() -> io::Result<()> + Send + Sync)>,
    /// The errno of the step that failed, written by the child.
    failure: &'a AtomicI32,
}

/// Starts the child on a stack of its own, in sockspec's memory; returns once
/// it has exec'd (or failed to, see `ChildPlan::failure`). Every signal is
/// held meanwhile, so that none runs one of sockspec's handlers in the child.
fn clone_vfork(plan: &ChildPlan<'_>) -> io::Result<u32> {
    let mut stack = vec![0u8; STACK_BYTES];
    // The stack grows down from its (16-byte aligned) end.
    let top = (stack.as_mut_ptr() as usize + STACK_BYTES) & !15;
    let all = nix::sys::signal::SigSet::all();
    let mut held = nix::sys::signal::SigSet::empty();
    nix::sys::signal::pthread_sigmask(
        nix::sys::signal::SigmaskHow::SIG_SETMASK,
        Some(&all),
        Some(&mut held),
    )?;
    // SAFETY: CLONE_VFORK suspends this thread until the child execs or
    // exits, so the plan (on this thread's stack) and the child's stack
    // outlive its use; the child runs `child_main` only, which makes
    // async-signal-safe calls and does not allocate.
    let pid = unsafe {
        libc::clone(
            child_main,
            top as *mut libc::c_void,
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            plan as *const ChildPlan<'_> as *mut libc::c_void,
        )
    };
    let started = if pid < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(pid as u32)
    };
    nix::sys::signal::pthread_sigmask(
        nix::sys::signal::SigmaskHow::SIG_SETMASK,
        Some(&held),
        None,
    )?;
    drop(stack);
    started
}

/// The child: its pipes onto 0, 1 and 2, its folder, the signal handling a
/// program expects, the setup, then `exec`. On failure it leaves the errno in
/// the plan and exits 127.
extern "C" fn child_main(plan: *mut libc::c_void) -> libc::c_int {
    // SAFETY: the parent passed a plan that outlives this child's run.
    let plan = unsafe { &*(plan as *const ChildPlan<'_>) };
    // `child_steps` returns only on failure.
    let error = child_steps(plan).err();
    let errno = error.and_then(|e| e.raw_os_error()).filter(|n| *n != 0);
    plan.failure
        .store(errno.unwrap_or(libc::EINVAL), Ordering::SeqCst);
    // SAFETY: ends the child without running anything of sockspec's.
    unsafe { libc::_exit(127) }
}

/// The child's steps up to `exec`, which returns only on failure.
fn child_steps(plan: &ChildPlan<'_>) -> io::Result<()> {
    let check = |r: libc::c_int| {
        if r < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(())
        }
    };
    // SAFETY (all below): plain system calls on descriptors and strings that
    // the parent prepared and keeps alive until this child has exec'd.
    for (target, fd) in plan.stdio.iter().enumerate() {
        let target = target as RawFd;
        if *fd == target {
            check(unsafe { libc::fcntl(target, libc::F_SETFD, 0) })?;
        } else {
            check(unsafe { libc::dup2(*fd, target) })?;
        }
    }
    if !plan.dir.is_null() {
        check(unsafe { libc::chdir(plan.dir) })?;
    }
    // The parent resumes while exec is still under way, before exec renames
    // the child: it must not be seen in /proc under the name of the thread
    // that started it (taken for the program, it would be taken for gone
    // once renamed).
    check(unsafe { libc::prctl(libc::PR_SET_NAME, plan.name.as_ptr()) })?;
    // Handlers are sockspec's code: the program starts with the defaults,
    // SIGPIPE included (Rust ignores it), and no signal held.
    for signal in 1..=libc::SIGRTMAX() {
        let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
        if unsafe { libc::sigaction(signal, std::ptr::null(), &mut action) } != 0 {
            continue;
        }
        let handled = action.sa_sigaction != libc::SIG_DFL && action.sa_sigaction != libc::SIG_IGN;
        if handled || signal == libc::SIGPIPE {
            let mut default: libc::sigaction = unsafe { std::mem::zeroed() };
            default.sa_sigaction = libc::SIG_DFL;
            unsafe { libc::sigaction(signal, &default, std::ptr::null_mut()) };
        }
    }
    let mut none: libc::sigset_t = unsafe { std::mem::zeroed() };
    unsafe { libc::sigemptyset(&mut none) };
    check(unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &none, std::ptr::null_mut()) })?;
    if let Some(setup) = plan.setup {
        setup()?;
    }
    unsafe { libc::execve(plan.path, plan.argv, plan.envp) };
    let error = io::Error::last_os_error();
    if error.raw_os_error() == Some(libc::ENOEXEC) {
        unsafe { libc::execve(SHELL.as_ptr(), plan.script_argv, plan.envp) };
    }
    Err(error)
}

/// Makes the child `uid` and `gid` with no supplementary groups, for a
/// [`Setup`]. glibc's `setresuid` and kin make every thread of the process
/// change with the caller, through shared state and signals: in a child that
/// shares sockspec's memory, that state is sockspec's, and the child can
/// hang on it or leave it broken. The system calls themselves change the
/// calling thread only: here, all of the child.
pub(crate) fn become_user(uid: u32, gid: u32) -> io::Result<()> {
    let check = |r: libc::c_long| {
        if r < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(())
        }
    };
    // SAFETY: plain system calls on integers (and no group list).
    unsafe {
        check(libc::syscall(
            libc::SYS_setgroups,
            0,
            std::ptr::null::<libc::gid_t>(),
        ))?;
        check(libc::syscall(libc::SYS_setresgid, gid, gid, gid))?;
        check(libc::syscall(libc::SYS_setresuid, uid, uid, uid))
    }
}

/// The name a process gets when it execs `path`: the file's name, cut to
/// the kernel's 15 bytes, NUL-terminated.
fn task_name(path: &CString) -> [u8; 16] {
    let bytes = path.as_bytes();
    let file = bytes.rsplit(|b| *b == b'/').next().unwrap_or(bytes);
    let mut name = [0u8; 16];
    let len = file.len().min(15);
    name[..len].copy_from_slice(&file[..len]);
    name
}

fn c_string(s: &OsStr) -> io::Result<CString> {
    CString::new(s.as_bytes()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
}

fn null_terminated(strings: &[CString]) -> Vec<*const libc::c_char> {
    strings
        .iter()
        .map(|s| s.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect()
}

/// A pipe whose ends close on exec: (read, write).
fn pipe_pair() -> io::Result<(OwnedFd, OwnedFd)> {
    Ok(nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)?)
}

/// A pidfd for `pid` (Linux 5.3): a handle that names the process, not its
/// number, so a reused pid is never mistaken for it.
pub(crate) fn pidfd_open(pid: u32) -> io::Result<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::pid_t, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the descriptor was just made and is owned by no one else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// Its status if it has ended (and reaps it), `None` if it runs.
fn try_reap(pid: u32) -> io::Result<Option<ExitStatus>> {
    let mut status = 0;
    // SAFETY: waits for a child of this process, writing one int.
    match unsafe { libc::waitpid(pid as libc::pid_t, &mut status, libc::WNOHANG) } {
        0 => Ok(None),
        n if n < 0 => Err(io::Error::last_os_error()),
        _ => Ok(Some(ExitStatus::from_raw(status))),
    }
}

fn wait_blocking(pid: u32) -> io::Result<ExitStatus> {
    let mut status = 0;
    loop {
        // SAFETY: waits for a child of this process, writing one int.
        let n = unsafe { libc::waitpid(pid as libc::pid_t, &mut status, 0) };
        if n >= 0 {
            return Ok(ExitStatus::from_raw(status));
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}

fn kill_and_reap(pid: u32) {
    // SAFETY: the child is not reaped, so its pid is still its own.
    unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
    let _ = wait_blocking(pid);
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// All the child writes to its stdout, until it closes it.
    async fn stdout_of(child: &mut Child) -> String {
        let mut out = String::new();
        let mut stdout = child.stdout.take().expect("piped");
        stdout.read_to_string(&mut out).await.expect("readable");
        out
    }

    #[tokio::test]
    async fn a_program_gets_its_arguments_environment_folder_and_pipes() {
        let dir = tempfile::tempdir().unwrap();
        let mut launch = Launch::new("sh");
        launch
            .args([
                "-c",
                "read line; echo \"$line $1 $GREETING $(pwd)\"; echo oops >&2; exit 3",
                "sh",
                "one",
            ])
            .env("GREETING", "first")
            .env("GREETING", "hello")
            .current_dir(dir.path());
        let mut child = launch.spawn().unwrap();
        // Named for its program from the start, as exec names it (and the
        // thread that started it keeps its own name).
        let comm = std::fs::read_to_string(format!("/proc/{}/comm", child.id())).unwrap();
        assert_eq!(comm, "sh\n");
        assert_ne!(
            std::fs::read_to_string("/proc/thread-self/comm").unwrap(),
            "sh\n"
        );
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"typed\n").await.unwrap();
        drop(stdin);
        let out = stdout_of(&mut child).await;
        let mut err = String::new();
        let mut stderr = child.stderr.take().unwrap();
        stderr.read_to_string(&mut err).await.unwrap();
        let status = child.wait().await.unwrap();
        let here = dir.path().canonicalize().unwrap();
        assert_eq!(out, format!("typed one hello {}\n", here.display()));
        assert_eq!(err, "oops\n");
        assert_eq!(status.code(), Some(3));
    }

    #[tokio::test]
    async fn the_setup_runs_in_the_child_and_its_failure_is_the_spawns() {
        let mut launch = Launch::new("sh");
        launch.args(["-c", "echo $$"]);
        // SAFETY: setsid is async-signal-safe.
        unsafe {
            launch.setup(Arc::new(|| {
                nix::unistd::setsid()?;
                Ok(())
            }));
        }
        let mut child = launch.spawn().unwrap();
        let pid = child.id();
        let out = stdout_of(&mut child).await;
        assert_eq!(out.trim(), pid.to_string());
        assert!(child.wait().await.unwrap().success());
        // A session leader of its own: the setup ran in the child, not here.
        assert_ne!(nix::unistd::getsid(None).unwrap().as_raw(), pid as i32);

        let mut failing = Launch::new("true");
        // SAFETY: returns at once.
        unsafe {
            failing.setup(Arc::new(|| Err(io::Error::from_raw_os_error(libc::EPERM))));
        }
        let error = failing.spawn().err().expect("the setup failed");
        assert_eq!(error.raw_os_error(), Some(libc::EPERM));
        let missing = Launch::new("sockspec-no-such-program").spawn().err();
        assert_eq!(missing.map(|e| e.kind()), Some(io::ErrorKind::NotFound));
    }

    #[tokio::test]
    async fn a_script_without_a_shebang_runs_with_the_shell() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("plain");
        std::fs::write(&script, "echo \"$0 $1\"\n").unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut child = Launch::new(&script).args(["arg"]).spawn().unwrap();
        let out = stdout_of(&mut child).await;
        assert!(child.wait().await.unwrap().success());
        assert_eq!(out, format!("{} arg\n", script.display()));
    }

    #[test]
    fn a_child_is_named_as_exec_will_name_it() {
        let name = |p: &str| task_name(&CString::new(p).unwrap());
        assert_eq!(&name("/usr/bin/bwrap")[..6], b"bwrap\0");
        assert_eq!(
            &name("/opt/a-very-long-program-name")[..],
            b"a-very-long-pro\0"
        );
    }

    #[tokio::test]
    async fn a_program_starts_with_default_signals_and_none_held() {
        // Rust ignores SIGPIPE; the program must not inherit that.
        let mut launch = Launch::new("sh");
        launch.args(["-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status"]);
        let mut child = launch.spawn().unwrap();
        let out = stdout_of(&mut child).await;
        child.wait().await.unwrap();
        assert!(out.contains("SigBlk:\t0000000000000000"), "{out}");
        let ignored = out.lines().find(|l| l.starts_with("SigIgn")).unwrap();
        let mask = u64::from_str_radix(ignored.trim_start_matches("SigIgn:\t"), 16).unwrap();
        assert_eq!(mask & (1 << (libc::SIGPIPE - 1)), 0, "{out}");
    }

    #[tokio::test]
    async fn a_setup_can_change_the_childs_ids_and_only_its() {
        let mut launch = Launch::new("id");
        launch.args(["-u"]);
        // SAFETY: become_user makes plain system calls.
        unsafe {
            launch.setup(Arc::new(|| become_user(65534, 65534)));
        }
        let root = nix::unistd::geteuid().is_root();
        match launch.spawn() {
            Ok(mut child) => {
                assert!(root, "only root may become another user");
                assert_eq!(stdout_of(&mut child).await.trim(), "65534");
            }
            Err(e) => {
                assert!(!root, "root could not change ids: {e}");
                assert_eq!(e.raw_os_error(), Some(libc::EPERM));
            }
        }
        assert_eq!(
            nix::unistd::geteuid().is_root(),
            root,
            "sockspec kept its own ids"
        );
    }

    #[tokio::test]
    async fn a_dropped_child_is_killed_and_reaped() {
        let child = Launch::new("sleep").args(["60"]).spawn().unwrap();
        let pid = child.id();
        drop(child);
        // Reaped: not even a zombie is left in /proc.
        let proc_entry = PathBuf::from(format!("/proc/{pid}"));
        for _ in 0..500 {
            if !proc_entry.exists() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("pid {pid} was not reaped");
    }
}
