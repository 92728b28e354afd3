//! Hostile programs: each case is a program that tries to get out of its
//! sandbox, harm sockspec or outlive its instance, and what it must get
//! instead. Every case runs as root and again as an ordinary user
//! (`NAME_unprivileged`, through `setpriv`).

#[macro_use]
mod support;

use sockspec_harness::launch::{Command, Limits};
use sockspec_harness::sandbox::jail;
use sockspec_harness::{Instance, LaunchError, Net, Role, Target};
use std::path::Path;
use std::time::Duration;
use support::{
    CaseResult, all_ended, marked, open_tempdir, pidfd, request, require_sandbox, runtime, stderr,
    stdout, wait_for_stdout, write,
};

fn main() {
    support::run(&[
        (
            "writing_the_original_or_outside_the_copy_fails",
            writes_outside,
        ),
        (
            "setns_into_sockspecs_namespace_and_reaching_host_loopback_fail",
            setns_and_loopback,
        ),
        ("killing_its_parent_reaches_nothing", kills_parent),
        (
            "a_double_forked_daemon_that_unshares_is_gone_with_its_instance",
            daemon,
        ),
        ("shared_mmap_past_the_memory_limit_fails", mmap_bomb),
        (
            "a_fork_bomb_stops_at_the_sandboxs_own_process_limit",
            fork_bomb,
        ),
        (
            "special_files_and_links_in_the_folder_never_block_or_leak",
            special_files,
        ),
        (
            "a_program_that_is_a_link_out_of_its_folder_is_not_followed",
            program_is_a_link,
        ),
        ("a_server_on_port_80_is_found_bound", port_80),
    ]);
}

/// A unique marker for this run, to find a case's processes on the machine.
fn marker(case: &str) -> String {
    format!("sockspec-hostile-{case}-{}", std::process::id())
}

/// `python3 FILE ARGS...` as a sandboxed target.
fn python(file: &Path, args: &[String]) -> Result<Command, String> {
    let mut argv = vec!["python3".to_string(), file.to_string_lossy().into_owned()];
    argv.extend(args.iter().cloned());
    Command::new(argv, true)
}

/// Launches `target` as a client (it runs to its end) in a fresh network.
async fn start(target: &Command) -> Result<(Net, Instance), String> {
    let net = target.network(&[]).map_err(|e| e.to_string())?;
    let instance = target
        .launch(&net, request(Role::UdpClient))
        .await
        .map_err(|e| e.to_string())?;
    Ok((net, instance))
}

/// Runs `target` to its end; its stdout. Fails if it does not end in `limit`.
async fn run_to_end(target: &Command, limit: Duration) -> Result<(String, String), String> {
    let (_net, instance) = start(target).await?;
    let exit = instance.wait_exit(limit).await;
    ensure!(
        exit.is_some(),
        "it did not end within {limit:?}: {}",
        stdout(&instance)
    );
    Ok((stdout(&instance), stderr(&instance)))
}

/// The JSON object a program printed last.
fn json(out: &str, err: &str) -> Result<serde_json::Value, String> {
    out.lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .ok_or_else(|| format!("no JSON in its output:\n{out}\n{err}"))
}

const WRITES_OUTSIDE: &str = r#"
import json, os, sys
original, marker = sys.argv[1], sys.argv[2]
tried = {}
for path in [original + "/prog.py", original + "/data.txt", original + "/new.txt",
             "/usr/" + marker, "/etc/" + marker, "/" + marker, "/dev/" + marker,
             "/var/tmp/" + marker, "/proc/1/root/" + marker]:
    try:
        with open(path, "a") as f:
            f.write("pwned")
        tried[path] = "wrote"
    except OSError as e:
        tried[path] = e.strerror
# Its private /tmp is writable, and its own copy.
with open("/tmp/" + marker, "w") as f:
    f.write("x")
with open("data.txt", "a") as f:
    f.write(" copy")
print(json.dumps({
    "tried": tried,
    "original_visible": os.path.exists(original),
    "parent_cmdline": open("/proc/%d/cmdline" % os.getppid(), "rb").read().decode(errors="replace"),
    "copy": open("data.txt").read(),
    "cwd": os.getcwd(),
}))
"#;

fn writes_outside() -> CaseResult {
    require_sandbox()?;
    let dir = open_tempdir();
    let folder = dir.path().join("alice");
    let program = write(&folder, "prog.py", WRITES_OUTSIDE);
    write(&folder, "data.txt", "original");
    let mark = marker("writes");
    let target = python(
        &program,
        &[folder.to_string_lossy().into_owned(), mark.clone()],
    )?;
    let (out, err) = runtime().block_on(run_to_end(&target, Duration::from_secs(20)))?;
    let report = json(&out, &err)?;
    for (path, result) in report["tried"].as_object().ok_or("tried")? {
        ensure!(result != "wrote", "it wrote {path}: {report}");
    }
    ensure!(
        report["original_visible"] == false,
        "the original is visible: {report}"
    );
    // Its parent is the sandbox's init, whose command line names the copy
    // (and, after `--`, the arguments this test gave the program) only.
    let folder_text = folder.to_string_lossy();
    let cmdline = report["parent_cmdline"].as_str().unwrap_or_default();
    let (sandbox, args) = cmdline.split_once("\0--\0").unwrap_or((cmdline, ""));
    ensure!(
        !sandbox.contains(&*folder_text) && args.matches(&*folder_text).count() == 1,
        "its parent's command line leads to the original: {report}"
    );
    ensure!(
        report["copy"] == "original copy",
        "its copy is writable: {report}"
    );
    ensure!(
        std::fs::read_to_string(folder.join("data.txt")).unwrap() == "original"
            && std::fs::read_to_string(&program).unwrap() == WRITES_OUTSIDE
            && !folder.join("new.txt").exists(),
        "the original changed"
    );
    for place in ["/tmp", "/usr", "/etc", "/", "/var/tmp"] {
        ensure!(
            !Path::new(place).join(&mark).exists(),
            "it wrote {place}/{mark} on the machine"
        );
    }
    // The copy is gone with the instance.
    let cwd = report["cwd"].as_str().unwrap_or_default();
    ensure!(
        !cwd.is_empty() && !Path::new(cwd).exists(),
        "its copy {cwd} outlived it"
    );
    Ok(())
}

const SETNS: &str = r#"
import ctypes, json, os, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
port, sockspec = int(sys.argv[1]), sys.argv[2]
CLONE_NEWNET, CLONE_NEWUSER = 0x40000000, 0x10000000
joined = {}
paths = ["/proc/%s/ns/net" % sockspec, "/proc/%s/ns/user" % sockspec]
paths += ["/proc/%s/ns/net" % p for p in os.listdir("/proc") if p.isdigit()]
paths += ["/proc/%s/ns/user" % p for p in os.listdir("/proc") if p.isdigit()]
for path in paths:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as e:
        joined[path] = "open: " + e.strerror
        continue
    if libc.setns(fd, 0) == 0:
        joined[path] = "joined"
    else:
        joined[path] = os.strerror(ctypes.get_errno())
try:
    socket.create_connection(("127.0.0.1", port), timeout=2).send(b"escaped")
    reached = "connected"
except OSError as e:
    reached = e.strerror or str(e)
print(json.dumps({"setns": joined, "loopback": reached}))
"#;

fn setns_and_loopback() -> CaseResult {
    require_sandbox()?;
    let dir = open_tempdir();
    let program = write(dir.path(), "setns.py", SETNS);
    // A listener on the machine's loopback: nothing may reach it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let target = python(
        &program,
        &[port.to_string(), std::process::id().to_string()],
    )?;
    let (out, err) = runtime().block_on(run_to_end(&target, Duration::from_secs(20)))?;
    let report = json(&out, &err)?;
    let setns = report["setns"].as_object().ok_or("setns")?;
    ensure!(!setns.is_empty(), "{report}");
    for (path, result) in setns {
        ensure!(result != "joined", "it joined {path}: {report}");
    }
    ensure!(
        setns[&format!("/proc/{}/ns/net", std::process::id())]
            .as_str()
            .is_some_and(|r| r.starts_with("open:")),
        "sockspec's namespaces are not even visible: {report}"
    );
    ensure!(report["loopback"] != "connected", "{report}");
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(()),
        other => Err(format!(
            "the machine's loopback listener was reached: {other:?}"
        )),
    }
}

const KILLS_PARENT: &str = r#"
import json, os, signal, sys
sockspec = int(sys.argv[1])
sent = {"ppid": os.getppid()}
for name, pid in [("parent", os.getppid()), ("sockspec", sockspec), ("init", 1), ("everyone", -1)]:
    try:
        os.kill(pid, signal.SIGKILL)
        sent[name] = "sent"
    except OSError as e:
        sent[name] = e.strerror
print(json.dumps(sent), flush=True)
"#;

fn kills_parent() -> CaseResult {
    require_sandbox()?;
    let dir = open_tempdir();
    let program = write(dir.path(), "killer.py", KILLS_PARENT);
    let target = python(&program, &[std::process::id().to_string()])?;
    runtime().block_on(async {
        let (_net, instance) = start(&target).await?;
        let exit = instance.wait_exit(Duration::from_secs(20)).await;
        let report = json(&stdout(&instance), &stderr(&instance))?;
        // It ran to its end: its parent (the sandbox's init) did not die,
        // sockspec (this process) is not in its world at all.
        ensure!(exit.is_some_and(|e| e.success()), "{exit:?} {report}");
        ensure!(report["ppid"] == 1, "{report}");
        ensure!(report["sockspec"] == "No such process", "{report}");
        // And sockspec goes on: another instance starts and runs.
        let (_net, again) = start(&python(&program, &["999999".into()])?).await?;
        ensure!(
            again.wait_exit(Duration::from_secs(20)).await.is_some(),
            "a second instance ran"
        );
        Ok(())
    })
}

const DAEMON: &str = r#"
import ctypes, os, sys
tag = sys.argv[1] + "-alive"
CLONE_NEWUSER, CLONE_NEWNET, CLONE_NEWPID = 0x10000000, 0x40000000, 0x20000000
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        tried = [libc.unshare(CLONE_NEWUSER | CLONE_NEWNET), libc.unshare(CLONE_NEWNET),
                 libc.unshare(CLONE_NEWPID)]
        with open("daemon.txt", "w") as f:
            f.write(repr(tried))
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(1000)", tag])
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(1000)", tag])
    os._exit(0)
os.wait()
while not os.path.exists("daemon.txt"):
    pass
print("daemon up", open("daemon.txt").read(), flush=True)
sys.stdin.read()
"#;

fn daemon() -> CaseResult {
    require_sandbox()?;
    let dir = open_tempdir();
    let program = write(dir.path(), "daemon.py", DAEMON);
    let mark = marker("daemon");
    let target = python(&program, std::slice::from_ref(&mark))?;
    runtime().block_on(async {
        let net = target.network(&[]).map_err(|e| e.to_string())?;
        let mut req = request(Role::UdpClient);
        req.close_stdin = false;
        let instance = target.launch(&net, req).await.map_err(|e| e.to_string())?;
        ensure!(
            wait_for_stdout(&instance, "daemon up", Duration::from_secs(20)).await,
            "the daemon never started: {}\n{}",
            stdout(&instance),
            stderr(&instance)
        );
        // Both daemons exist (once they have exec'd): the test would fail
        // without a sandbox that ends them.
        let alive = format!("{mark}-alive");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mut daemons = marked(&alive);
        while daemons.len() < 2 && std::time::Instant::now() < deadline {
            tokio::task::yield_now().await;
            daemons = marked(&alive);
        }
        ensure!(daemons.len() == 2, "daemons found: {daemons:?}");
        let fds: Vec<_> = daemons.iter().filter_map(|p| pidfd(*p)).collect();
        drop(instance);
        drop(net);
        ensure!(
            all_ended(&fds, Duration::from_secs(5)),
            "a daemon outlived its instance"
        );
        ensure!(marked(&mark).is_empty(), "left: {:?}", marked(&mark));
        ensure!(marked(&alive).is_empty(), "left: {:?}", marked(&alive));
        Ok(())
    })
}

const MMAP: &str = r#"
import mmap, sys
size = int(sys.argv[1])
try:
    m = mmap.mmap(-1, size, mmap.MAP_SHARED | mmap.MAP_ANONYMOUS)
except OSError as e:
    print("refused:", e.strerror, flush=True)
    sys.exit(0)
print("mapped", flush=True)
for i in range(0, size, 4096):
    m[i] = 1
print("touched all", flush=True)
"#;

fn mmap_bomb() -> CaseResult {
    require_sandbox()?;
    let dir = open_tempdir();
    let program = write(dir.path(), "memory_hog.py", MMAP);
    let limit = Limits::default().memory_bytes;
    let target = python(&program, &[(2 * limit).to_string()])?;
    let (out, err) = runtime().block_on(run_to_end(&target, Duration::from_secs(60)))?;
    ensure!(
        !out.contains("touched all"),
        "it touched {} bytes of shared memory:\n{out}\n{err}",
        2 * limit
    );
    ensure!(
        out.contains("refused") || out.contains("mapped"),
        "it did not even run:\n{out}\n{err}"
    );
    Ok(())
}

const FORK_BOMB: &str = r#"
import os, sys, time
tries, hold = int(sys.argv[1]), float(sys.argv[2])
deadline = time.monotonic() + 30
made = 0
while made < tries and time.monotonic() < deadline:
    try:
        pid = os.fork()
    except OSError as e:
        print("refused after %d forks (%s)" % (made, e.strerror), flush=True)
        break
    if pid == 0:
        time.sleep(hold)
        os._exit(0)
    made += 1
else:
    print("forked %d times" % made, flush=True)
sys.stdin.read()
"#;

fn fork_bomb() -> CaseResult {
    require_sandbox()?;
    let dir = open_tempdir();
    let program = write(dir.path(), "bomb.py", FORK_BOMB);
    let limit = Limits::default().processes;
    let bomb = python(&program, &["2000".into(), "60".into()])?;
    let modest = python(&program, &["50".into(), "1".into()])?;
    runtime().block_on(async {
        let net = bomb.network(&[]).map_err(|e| e.to_string())?;
        let mut req = request(Role::UdpClient);
        req.close_stdin = false;
        let instance = bomb.launch(&net, req).await.map_err(|e| e.to_string())?;
        ensure!(
            wait_for_stdout(&instance, "forks (", Duration::from_secs(40)).await,
            "the fork bomb was not stopped: {}\n{}",
            stdout(&instance),
            stderr(&instance)
        );
        let out = stdout(&instance);
        let made: u64 = out
            .split_whitespace()
            .nth(2)
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("how many? {out}"))?;
        ensure!(
            made < limit && made > limit / 2,
            "it made {made} processes; the limit is {limit}"
        );
        // The limit is the sandbox's own: with the bomb at its limit, another
        // sandbox still forks.
        let (_net, other) = start(&modest).await?;
        ensure!(
            wait_for_stdout(&other, "forked 50 times", Duration::from_secs(30)).await,
            "another sandbox could not fork: {}",
            stdout(&other)
        );
        Ok(())
    })
}

const LISTS: &str = r#"
import json, os, stat
seen = {}
for root, dirs, files in os.walk("."):
    for name in dirs + files:
        path = os.path.join(root, name)[2:]
        mode = os.lstat(path).st_mode
        if stat.S_ISLNK(mode):
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
                seen[path] = "link: " + os.read(fd, 100).decode(errors="replace")
            except OSError as e:
                seen[path] = "link: " + e.strerror
        elif stat.S_ISREG(mode):
            seen[path] = "file: " + open(path).read(100)
        elif stat.S_ISDIR(mode):
            seen[path] = "dir"
        else:
            seen[path] = "special"
print(json.dumps(seen))
"#;

fn special_files() -> CaseResult {
    require_sandbox()?;
    let dir = open_tempdir();
    let folder = dir.path().join("bob");
    let program = write(&folder, "lists.py", LISTS);
    write(&folder, "real.py", "REAL");
    let link = |target: &str, name: &str| {
        std::os::unix::fs::symlink(target, folder.join(name)).map_err(|e| e.to_string())
    };
    nix::unistd::mkfifo(
        &folder.join("fifo"),
        nix::sys::stat::Mode::from_bits_truncate(0o644),
    )
    .map_err(|e| e.to_string())?;
    link("/proc/kmsg", "kmsg")?;
    link("/etc/passwd", "passwd")?;
    link("nowhere.txt", "dangling")?;
    link("loop2", "loop1")?;
    link("loop1", "loop2")?;
    link("..", "up")?;
    link("real.py", "good.py")?;
    std::fs::create_dir(folder.join("sub")).map_err(|e| e.to_string())?;
    std::os::unix::fs::symlink(folder.join("real.py"), folder.join("sub/abs"))
        .map_err(|e| e.to_string())?;
    let target = python(&program, &[])?;
    let limit = Duration::from_secs(20);
    let (out, err) = runtime().block_on(async {
        // Neither reading its source for hints nor copying may block.
        tokio::time::timeout(limit, async {
            let hints = {
                let target = python(&folder.join("kmsg"), &[])?;
                tokio::task::spawn_blocking(move || target.hinted_addrs())
            };
            hints.await.map_err(|e| e.to_string())?;
            run_to_end(&target, limit).await
        })
        .await
        .map_err(|_| "it blocked".to_string())?
    })?;
    let seen = json(&out, &err)?;
    let expect = |path: &str, what: &str| -> CaseResult {
        ensure!(seen[path] == what, "{path}: {} in {seen}", seen[path]);
        Ok(())
    };
    expect("real.py", "file: REAL")?;
    expect("good.py", "link: REAL")?;
    expect("sub/abs", "link: REAL")?;
    expect("sub", "dir")?;
    expect("dangling", "link: No such file or directory")?;
    expect("loop1", "link: Too many levels of symbolic links")?;
    for left_out in ["fifo", "kmsg", "passwd", "up"] {
        ensure!(
            seen.get(left_out).is_none(),
            "{left_out} was copied: {seen}"
        );
    }
    ensure!(
        !out.contains("root:x:0:0"),
        "the machine's passwd leaked: {out}"
    );
    Ok(())
}

fn program_is_a_link() -> CaseResult {
    require_sandbox()?;
    let dir = open_tempdir();
    let server = dir.path().join("tcp_server.py");
    std::os::unix::fs::symlink("/etc/passwd", &server).map_err(|e| e.to_string())?;
    let target = python(&server, &[])?;
    let failed = runtime().block_on(async {
        let net = target.network(&[]).map_err(|e| e.to_string())?;
        match target.launch(&net, request(Role::TcpServer)).await {
            Ok(_) => Err("a link to /etc/passwd served".to_string()),
            Err(e) => Ok(e),
        }
    })?;
    let said = failed
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.get(sockspec_harness::output::Stream::Stderr).bytes)
                .into_owned()
        })
        .unwrap_or_default();
    ensure!(
        matches!(failed, LaunchError::ExitedEarly { .. }),
        "it is the program's failure: {failed}"
    );
    ensure!(
        !said.contains("root:x:0:0") && said.contains("tcp_server.py"),
        "what it said: {said}"
    );
    Ok(())
}

const PORT_80: &str = "
from socket import *
s = socket(AF_INET, SOCK_STREAM)
s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
s.bind(('0.0.0.0', 80))
s.listen(5)
while True:
    c, _ = s.accept()
    c.sendall(c.recv(1024))
    c.close()
";

fn port_80() -> CaseResult {
    require_sandbox()?;
    let dir = open_tempdir();
    let program = write(dir.path(), "web.py", PORT_80);
    let target = python(&program, &[])?;
    runtime().block_on(async {
        let net = target.network(&[]).map_err(|e| e.to_string())?;
        let instance = target
            .launch(&net, request(Role::TcpServer))
            .await
            .map_err(|e| e.to_string())?;
        let addr = instance.addr.ok_or("no address")?;
        ensure!(addr == "127.0.0.1:80".parse().unwrap(), "found on {addr}");
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = net.tcp_connect(addr).await.map_err(|e| e.to_string())?;
        stream
            .write_all(b"port 80")
            .await
            .map_err(|e| e.to_string())?;
        let mut buf = [0u8; 16];
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .map_err(|_| "no reply")?
            .map_err(|e| e.to_string())?;
        ensure!(&buf[..n] == b"port 80", "it echoed {:?}", &buf[..n]);
        ensure!(jail::TARGET_ID != 0, "as an unprivileged user");
        Ok(())
    })
}
