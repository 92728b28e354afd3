//! The sandbox through the CLI: interrupted mid-run, sockspec leaves nothing
//! behind (processes, namespaces, temporary folders), as root and as an
//! ordinary user; killed outright, it takes every sandbox process with it; a class with a student whose program kills its parent is
//! still graded whole; where user namespaces are not permitted, the run says
//! so and skips what needs the sandbox.

use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A TCP server on the course's port that accepts and never answers, while
/// its main thread naps in short sleeps (a timer always due, so it is never
/// proven idle): every check waits its whole time for it, and sockspec is
/// mid-run for a long while.
const SILENT_SERVER: &str = "
import socket, sys, threading, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', 8888))
s.listen(5)
held = []
def take():
    while True:
        held.append(s.accept())
threading.Thread(target=take, daemon=True).start()
while True:
    time.sleep(0.1)
";

/// The pids of processes (other than this one) whose command line holds `marker`.
fn marked(marker: &str) -> Vec<u32> {
    let me = std::process::id();
    std::fs::read_dir("/proc")
        .map(|procs| {
            procs
                .flatten()
                .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
                .filter(|pid| *pid != me)
                .filter(|pid| {
                    std::fs::read(format!("/proc/{pid}/cmdline"))
                        .is_ok_and(|c| c.windows(marker.len()).any(|w| w == marker.as_bytes()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Processes in the network namespace `net:[inode]`.
fn in_namespace(ns: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|procs| {
            procs
                .flatten()
                .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
                .filter(|pid| {
                    std::fs::read_link(format!("/proc/{pid}/ns/net"))
                        .is_ok_and(|l| l.to_string_lossy() == ns)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn pidfd(pid: u32) -> Option<OwnedFd> {
    // SAFETY: a plain system call returning a new descriptor.
    let fd = unsafe { nix::libc::syscall(nix::libc::SYS_pidfd_open, pid as i32, 0) };
    // SAFETY: the kernel just returned this open descriptor.
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// Waits until the process behind `fd` has ended, up to `limit`.
fn ended(fd: &OwnedFd, limit: Duration) -> bool {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
    poll(
        &mut fds,
        PollTimeout::try_from(limit).unwrap_or(PollTimeout::MAX),
    )
    .is_ok_and(|n| n > 0)
}

/// Kills the child if the test fails before it ends.
struct Reap(Child);

impl Drop for Reap {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A folder anyone may use, with a copy of the sockspec binary in it (the
/// build folder may be out of an ordinary user's reach).
/// Spawns `cmd`, again while the executable is busy: another test's fork may
/// briefly hold a copy being written open (ETXTBSY).
fn spawn_retrying(cmd: &mut std::process::Command) -> Child {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match cmd.spawn() {
            Err(e) if e.raw_os_error() == Some(26) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other.unwrap(),
        }
    }
}

fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = dir.path().join("sockspec");
    // A link is never open for writing (a copy being written, inherited by
    // another test's fork, makes exec fail with ETXTBSY); a copy where the
    // link cannot be made.
    if std::fs::hard_link(env!("CARGO_BIN_EXE_sockspec"), &bin).is_err() {
        std::fs::copy(env!("CARGO_BIN_EXE_sockspec"), &bin).unwrap();
    }
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    (dir, bin)
}

fn write(path: &Path, text: &str, mode: u32) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// `bin` as is, or as `nobody` through `setpriv` when `unprivileged` (and root).
fn sockspec_as(bin: &Path, unprivileged: bool) -> std::process::Command {
    if unprivileged && nix::unistd::geteuid().is_root() {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin);
        c
    } else {
        std::process::Command::new(bin)
    }
}

fn interrupted_mid_run_leaves_nothing(signal: nix::sys::signal::Signal, unprivileged: bool) {
    let (dir, bin) = workspace();
    // Tests run side by side: each marks its own processes.
    let marker = format!(
        "sockspec-interrupt-{}-{}-{}",
        std::process::id(),
        signal.as_str(),
        if unprivileged { "nobody" } else { "root" }
    );
    let server = dir.path().join("server.py");
    write(&server, SILENT_SERVER, 0o644);
    // sockspec's temporary folders go here, to be counted afterwards.
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o777)).unwrap();
    let child = spawn_retrying(
        sockspec_as(&bin, unprivileged)
            .current_dir(dir.path())
            .env("TMPDIR", &tmp)
            .args(["run", "--role", "tcp-server", "--contract", "echo", "--"])
            .arg("python3")
            .arg(&server)
            .arg(&marker)
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
    );
    let mut child = Reap(child);
    // Mid-run: the server (and its sandbox's processes) are up. There is no
    // event for another process starting: look.
    // Its sandbox's processes: in a network namespace other than this one
    // (sockspec, and a child it is just starting, are in this one).
    let ours = std::fs::read_link("/proc/self/ns/net").unwrap();
    let theirs = |_: &Reap| {
        let mut pids = marked(&marker);
        pids.retain(|p| std::fs::read_link(format!("/proc/{p}/ns/net")).is_ok_and(|ns| ns != ours));
        pids
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut found = theirs(&child);
    while found.len() < 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        found = theirs(&child);
    }
    assert!(
        found.len() >= 3,
        "the sandbox's processes (bwrap, its init, the server) never all showed: {found:?}"
    );
    let namespace = found
        .iter()
        .find_map(|p| std::fs::read_link(format!("/proc/{p}/ns/net")).ok())
        .map(|l| l.to_string_lossy().into_owned())
        .expect("the sandbox's network namespace");
    let fds: Vec<OwnedFd> = found.iter().filter_map(|p| pidfd(*p)).collect();
    let sockspec = pidfd(child.0.id()).unwrap();
    // Through setpriv, sockspec is setpriv's exec: the same pid.
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.0.id() as i32), signal).unwrap();
    assert!(
        ended(&sockspec, Duration::from_secs(20)),
        "sockspec did not exit on {signal:?}"
    );
    let status = child.0.wait().unwrap();
    let mut said = String::new();
    use std::io::Read;
    child
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut said)
        .unwrap();
    let killed = signal == nix::sys::signal::Signal::SIGKILL;
    if killed {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(9), "{said}");
    } else {
        assert_eq!(status.code(), Some(128 + signal as i32), "{said}");
        assert!(said.contains("interrupted"), "{said}");
    }
    for fd in &fds {
        assert!(
            ended(fd, Duration::from_secs(5)),
            "a sandbox process outlived sockspec"
        );
    }
    // Killed processes take a moment to be gone from /proc: a bounded look.
    let gone = |find: &dyn Fn() -> Vec<u32>| {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !find().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        find()
    };
    let left = gone(&|| marked(&marker));
    assert!(left.is_empty(), "left: {left:?}");
    let left = gone(&|| in_namespace(&namespace));
    let describe = |p: &u32| {
        let status = std::fs::read_to_string(format!("/proc/{p}/status")).unwrap_or_default();
        let cmd = std::fs::read(format!("/proc/{p}/cmdline")).unwrap_or_default();
        let keep: Vec<&str> = status
            .lines()
            .filter(|l| {
                ["Name", "State", "PPid", "NSpid", "Uid"]
                    .iter()
                    .any(|k| l.starts_with(k))
            })
            .collect();
        format!("{p} {keep:?} {}", String::from_utf8_lossy(&cmd))
    };
    let described: Vec<String> = left.iter().map(describe).collect();
    assert!(
        left.is_empty(),
        "processes left in {namespace}: {described:#?}"
    );
    // Killed outright, sockspec cannot remove its folders (they are the
    // test's to remove); its sandboxes die with it all the same.
    if !killed {
        let left: Vec<_> = std::fs::read_dir(&tmp)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert!(left.is_empty(), "temporary folders left: {left:?}");
    }
}

#[test]
fn sigterm_mid_run_leaves_no_process_namespace_or_folder() {
    interrupted_mid_run_leaves_nothing(nix::sys::signal::Signal::SIGTERM, false);
}

#[test]
fn sigint_mid_run_leaves_no_process_namespace_or_folder() {
    interrupted_mid_run_leaves_nothing(nix::sys::signal::Signal::SIGINT, false);
}

#[test]
fn sigkill_mid_run_takes_every_sandbox_process_with_it() {
    interrupted_mid_run_leaves_nothing(nix::sys::signal::Signal::SIGKILL, false);
}

#[test]
fn sigkill_mid_run_as_an_ordinary_user_takes_every_sandbox_process_with_it() {
    interrupted_mid_run_leaves_nothing(nix::sys::signal::Signal::SIGKILL, true);
}

#[test]
fn sigterm_mid_run_as_an_ordinary_user_leaves_nothing() {
    interrupted_mid_run_leaves_nothing(nix::sys::signal::Signal::SIGTERM, true);
}

/// A UDP echo server that first tries to kill its parent and everything it can.
const PARENT_KILLER: &str = "
import os, signal
from socket import *
for pid in (os.getppid(), 1, -1):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
s = socket(AF_INET, SOCK_DGRAM)
s.bind(('0.0.0.0', 8888))
while True:
    data, addr = s.recvfrom(2048)
    s.sendto(data, addr)
";

const ECHO: &str = "
from socket import *
s = socket(AF_INET, SOCK_DGRAM)
s.bind(('0.0.0.0', 8888))
while True:
    data, addr = s.recvfrom(2048)
    s.sendto(data, addr)
";

#[test]
fn a_class_with_a_program_that_kills_its_parent_is_graded_whole() {
    let (dir, bin) = workspace();
    let class = dir.path().join("class");
    write(&class.join("alice/udp_server.py"), ECHO, 0o644);
    write(&class.join("mallory/udp_server.py"), PARENT_KILLER, 0o644);
    write(&class.join("zoe/udp_server.py"), ECHO, 0o644);
    let manifest = dir.path().join("grading.toml");
    write(
        &manifest,
        "seed = 1\n\n[[task]]\nname = \"udp-echo\"\nrole = \"udp-server\"\nfile = \"udp_server.py\"\n\
         contract = \"echo\"\nchecks = [\"udp.server.reply\", \"udp.server.clients-isolated\"]\n",
        0o644,
    );
    let out_dir = dir.path().join("out");
    let out = sockspec_as(&bin, false)
        .current_dir(dir.path())
        .arg("grade")
        .arg(&class)
        .arg("--manifest")
        .arg(&manifest)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let csv = std::fs::read_to_string(out_dir.join("grades.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{csv}");
    for (row, name) in rows.iter().zip(["alice", "mallory", "zoe"]) {
        assert!(row.starts_with(&format!("{name},20,20")), "{csv}");
    }
}

#[test]
fn without_user_namespaces_the_run_says_so_and_skips_what_needs_the_sandbox() {
    let (dir, bin) = workspace();
    let server = dir.path().join("tcp_server.py");
    write(
        &server,
        "from socket import *\ns = socket()\ns.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)\n\
         s.bind(('127.0.0.1', 8888))\ns.listen(5)\nwhile True:\n    c, _ = s.accept()\n\
         \x20   c.sendall(c.recv(1024))\n    c.close()\n",
        0o644,
    );
    let json = dir.path().join("report.json");
    // A user namespace of its own (where sockspec is root) that may make no
    // more user namespaces, and a network namespace of its own, so that the
    // unsandboxed run uses a loopback nobody else shares.
    let script = format!(
        "ip link set lo up && echo 0 > /proc/sys/user/max_user_namespaces && \
         exec {} run --role tcp-server --only tcp.server.accepts --only tcp.server.rebind --json {} -- python3 {}",
        bin.display(),
        json.display(),
        server.display()
    );
    let out = std::process::Command::new("unshare")
        .args(["--user", "--map-root-user", "--net", "sh", "-c", &script])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("no sandbox: bubblewrap cannot make a sandbox here"),
        "{text}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["target"]["sandboxed"], false, "{text}");
    let outcome = |id: &str| {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["outcome"].as_str().unwrap_or_default().to_string())
    };
    assert_eq!(
        outcome("tcp.server.accepts").as_deref(),
        Some("pass"),
        "{text}"
    );
    assert_eq!(
        outcome("tcp.server.rebind").as_deref(),
        Some("skip"),
        "{text}"
    );
}

/// A UDP echo server that first prints which signals it has blocked.
const MASK_SERVER: &str = "
import signal, socket
print('blocked', sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, [])), flush=True)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('0.0.0.0', 8888))
while True:
    data, addr = s.recvfrom(2048)
    s.sendto(data, addr)
";

/// sockspec holds SIGINT/SIGTERM/SIGHUP back until it watches them; the
/// programs it starts, sandboxed or not, get none of them blocked.
#[test]
fn targets_start_with_no_signal_blocked() {
    let (dir, bin) = workspace();
    let server = dir.path().join("server.py");
    write(&server, MASK_SERVER, 0o644);
    for sandbox in [true, false] {
        let report = dir.path().join("report.json");
        let mut cmd = std::process::Command::new(&bin);
        cmd.args(["run", "--role", "udp-server", "--contract", "echo"])
            .args(["--only", "udp.server.reply", "--json"])
            .arg(&report);
        if !sandbox {
            cmd.arg("--no-sandbox");
        }
        let status = cmd
            .arg("--")
            .arg("python3")
            .arg(&server)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "sandbox {sandbox}: {status}");
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
        let stdout = json["results"][0]["evidence"]["stdout_tail"].as_str();
        assert_eq!(stdout, Some("blocked []"), "sandbox {sandbox}");
    }
}
