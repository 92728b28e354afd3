//! "No reply" concluded on evidence, through the CLI: a server that reads
//! and never answers is proven idle (every thread waiting for input, none
//! running) from `/proc`, in its sandbox and without one, run by root and by
//! an ordinary user; the transcript says so. A server that sleeps before
//! answering is not taken for a silent one (its fixtures in the matrix pass).

mod support;

use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

/// The note a wait ended by proof of idleness leaves in the transcript.
const IDLE_NOTE: &str = "the target is idle after";

/// Runs without a sandbox (or where none can be made) share the host's port
/// 8888: one at a time.
static HOST_PORT: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `tcp.server.stream-integrity` against the never-replying fixture
/// (with `extra` arguments, as `nobody` when `unprivileged`); the check's result.
fn never_replies(extra: &[&str], unprivileged: bool) -> Value {
    let _host_port = HOST_PORT.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let bin = dir.path().join("sockspec");
    std::fs::copy(env!("CARGO_BIN_EXE_sockspec"), &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let server = dir.path().join("never_replies_server.py");
    std::fs::copy(
        support::root().join("fixtures/python/tcp-server/never_replies_server.py"),
        &server,
    )
    .unwrap();
    std::fs::set_permissions(&server, std::fs::Permissions::from_mode(0o644)).unwrap();
    let json = dir.path().join("report.json");
    let mut cmd = if unprivileged && nix::unistd::geteuid().is_root() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        Command::new(&bin)
    };
    let out = cmd
        .current_dir(dir.path())
        .env("TMPDIR", dir.path())
        .env("HOME", dir.path())
        .args(["run", "--role", "tcp-server", "--contract", "echo"])
        .args(["--only", "tcp.server.stream-integrity", "--retries", "0"])
        .args(extra)
        .arg("--json")
        .arg(&json)
        .arg("--")
        .arg("python3")
        .arg(&server)
        .output()
        .expect("sockspec runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    report["results"][0].clone()
}

fn assert_concluded_on_evidence(result: &Value, how: &str) {
    assert_eq!(result["outcome"], "fail", "{how}: {result}");
    let transcript = result["evidence"]["transcript"].to_string();
    assert!(
        transcript.contains(IDLE_NOTE),
        "{how}: the wait did not end on proof of idleness: {result}"
    );
}

fn sandbox_usable() -> bool {
    Path::new("/usr/bin/bwrap").exists() || Path::new("/bin/bwrap").exists()
}

#[test]
fn a_silent_server_is_proven_idle_in_its_sandbox() {
    if !sandbox_usable() {
        eprintln!("skipped: no bwrap");
        return;
    }
    assert_concluded_on_evidence(&never_replies(&[], false), "sandboxed");
}

#[test]
fn a_silent_server_is_proven_idle_without_a_sandbox() {
    assert_concluded_on_evidence(&never_replies(&["--no-sandbox"], false), "no sandbox");
}

#[test]
fn a_silent_server_is_proven_idle_when_an_ordinary_user_runs_sockspec() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: not root, so sockspec already runs as an ordinary user");
        return;
    }
    if sandbox_usable() {
        assert_concluded_on_evidence(&never_replies(&[], true), "sandboxed, as nobody");
    }
    assert_concluded_on_evidence(
        &never_replies(&["--no-sandbox"], true),
        "no sandbox, as nobody",
    );
}
