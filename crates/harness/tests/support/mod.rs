//! Helpers shared by the harness's integration tests: programs written into
//! temporary folders, launch requests, processes found by a marker, and a test
//! runner that runs every case as root and again as an ordinary user.

#![allow(dead_code)]

use sockspec_harness::output::Stream;
use sockspec_harness::sandbox::{self, Availability};
use sockspec_harness::{Instance, LaunchRequest, Role};
use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a case returns: `Err` with what went wrong.
pub(crate) type CaseResult = Result<(), String>;

/// A case: its name and its body.
pub(crate) type Case = (&'static str, fn() -> CaseResult);

/// The uid and gid of the ordinary user the cases run as again (`nobody`).
pub(crate) const NOBODY: u32 = 65534;

/// Fails the case with a message unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// The workspace's `fixtures/` folder.
pub(crate) fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// A launch request for `role` with no input, stdin kept open for servers.
pub(crate) fn request(role: Role) -> LaunchRequest {
    LaunchRequest {
        role,
        connect_to: None,
        bind_to: None,
        connect_name: None,
        input: Vec::new(),
        close_stdin: !role.is_server(),
        activity: tokio::sync::watch::channel(0).1,
        start_timeout: Duration::from_secs(20),
        broadcast: None,
    }
}

/// Fails unless sandboxes can be made here.
pub(crate) fn require_sandbox() -> CaseResult {
    match sandbox::availability() {
        Availability::Available => Ok(()),
        Availability::Unavailable(why) => Err(format!(
            "this test needs the sandbox (user and network namespaces, bubblewrap): {why}"
        )),
    }
}

/// A temporary folder anyone may enter (the cases also run as `nobody`).
pub(crate) fn open_tempdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
        .expect("permissions");
    dir
}

/// Writes `code` to `dir/name` (readable by all) and returns its path.
pub(crate) fn write(dir: &Path, name: &str, code: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("a folder");
    }
    std::fs::write(&path, code).expect("a program file");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("permissions");
    path
}

/// A runtime for one case.
pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// The instance's stdout, lossily decoded.
pub(crate) fn stdout(instance: &Instance) -> String {
    String::from_utf8_lossy(&instance.output.get(Stream::Stdout).bytes).into_owned()
}

/// The instance's stderr, lossily decoded.
pub(crate) fn stderr(instance: &Instance) -> String {
    String::from_utf8_lossy(&instance.output.get(Stream::Stderr).bytes).into_owned()
}

/// Waits until the instance's stdout contains `text` (or it ends, or `limit`).
pub(crate) async fn wait_for_stdout(instance: &Instance, text: &str, limit: Duration) -> bool {
    let mut changes = instance.output.changes();
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if stdout(instance).contains(text) {
            return true;
        }
        if instance.exited().is_some() {
            // Its last words may still be on their way.
            let _ = instance.wait_exit(Duration::from_secs(1)).await;
            return stdout(instance).contains(text);
        }
        let mut exit = instance.exit_watch();
        tokio::select! {
            changed = changes.changed() => if changed.is_err() { return stdout(instance).contains(text) },
            _ = exit.changed() => {}
            _ = tokio::time::sleep_until(deadline) => return stdout(instance).contains(text),
        }
    }
}

/// The pids of processes (other than this one) whose command line holds `marker`.
pub(crate) fn marked(marker: &str) -> Vec<u32> {
    let me = std::process::id();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    procs
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| *pid != me)
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|cmdline| {
                cmdline
                    .windows(marker.len())
                    .any(|w| w == marker.as_bytes())
            })
        })
        .collect()
}

/// A pidfd for `pid`, to wait for its end.
pub(crate) fn pidfd(pid: u32) -> Option<OwnedFd> {
    // SAFETY: a plain system call returning a new descriptor.
    let fd = unsafe { nix::libc::syscall(nix::libc::SYS_pidfd_open, pid as i32, 0) };
    // SAFETY: the kernel just returned this open descriptor.
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// Waits until every process behind `fds` has ended; false if one outlives `limit`.
pub(crate) fn all_ended(fds: &[OwnedFd], limit: Duration) -> bool {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    let deadline = Instant::now() + limit;
    fds.iter().all(|fd| {
        let left = deadline.saturating_duration_since(Instant::now());
        let mut polled = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
        poll(
            &mut polled,
            PollTimeout::try_from(left).unwrap_or(PollTimeout::MAX),
        )
        .is_ok_and(|n| n > 0)
    })
}

/// Runs `cases` as tests (libtest-mimic: `--exact NAME` and filters work). As
/// root, each case runs again as `nobody` (`NAME_unprivileged`): the test
/// binary is run again under `setpriv`, where it takes the unprivileged path.
pub(crate) fn run(cases: &[Case]) -> ! {
    // An unprivileged sandbox needs a user namespace, entered while this
    // process still has one thread.
    sandbox::prepare_process();
    let args = libtest_mimic::Arguments::from_args();
    let root = nix::unistd::geteuid().is_root();
    let mut trials = Vec::new();
    for &(name, case) in cases {
        trials.push(libtest_mimic::Trial::test(name, move || {
            case().map_err(Into::into)
        }));
        if root {
            trials.push(libtest_mimic::Trial::test(
                format!("{name}_unprivileged"),
                move || as_nobody(name).map_err(Into::into),
            ));
        }
    }
    libtest_mimic::run(&args, trials).exit()
}

/// Runs the case `name` in a copy of this test binary as `nobody`.
fn as_nobody(name: &str) -> CaseResult {
    let dir = open_tempdir();
    let bin = dir.path().join("test-binary");
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    std::fs::copy(&me, &bin).map_err(|e| e.to_string())?;
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| e.to_string())?;
    let out = std::process::Command::new("setpriv")
        .args([
            format!("--reuid={NOBODY}"),
            format!("--regid={NOBODY}"),
            "--clear-groups".into(),
        ])
        .arg(&bin)
        .args(["--exact", name, "--test-threads", "1", "--nocapture"])
        .current_dir(dir.path())
        .env("TMPDIR", "/tmp")
        .output()
        .map_err(|e| format!("cannot run setpriv: {e}"))?;
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    ensure!(out.status.success(), "as uid {NOBODY}:\n{text}");
    ensure!(
        text.contains("1 passed"),
        "as uid {NOBODY}, the case did not run:\n{text}"
    );
    Ok(())
}
