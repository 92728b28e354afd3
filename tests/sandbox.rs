//! The sandbox: broadcasts stay inside it, and hard-coded ports do not collide.

mod support;

use sockspec_harness::launch::Command;
use sockspec_harness::sandbox::{self, Availability};
use sockspec_harness::{LaunchRequest, Role, Target};
use std::time::Duration;

/// Sends three broadcasts to the limited broadcast address, as the course's
/// sender does (`'<broadcast>'` is 255.255.255.255 to Python).
const BROADCASTER: &str = "
import socket, sys
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
for i in range(3):
    s.sendto(('广播 %d' % i).encode(), ('<broadcast>' if i else '255.255.255.255', port))
print('sent')
";

fn require_sandbox() {
    if let Availability::Unavailable(why) = sandbox::availability() {
        panic!("this test needs network namespaces (run as root or with user namespaces): {why}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_targets_broadcast_is_received_inside_its_sandbox_and_nowhere_else() {
    require_sandbox();
    const PORT: u16 = 47_911;
    // A socket in the host's own namespace, on the same port: it must hear nothing.
    let host = tokio::net::UdpSocket::bind(("0.0.0.0", PORT))
        .await
        .unwrap();
    let target = Command::new(
        vec![
            "python3".into(),
            "-c".into(),
            BROADCASTER.into(),
            PORT.to_string(),
        ],
        true,
    )
    .unwrap();
    let net = target.network(&[]).unwrap();
    let inside = net
        .udp_bind(format!("0.0.0.0:{PORT}").parse().unwrap())
        .unwrap();
    let instance = target
        .launch(
            &net,
            LaunchRequest {
                role: Role::UdpClient,
                connect_to: None,
                bind_to: None,
                connect_name: None,
                input: Vec::new(),
                close_stdin: true,
                activity: tokio::sync::watch::channel(0).1,
                start_timeout: Duration::from_secs(10),
                broadcast: None,
            },
        )
        .await
        .unwrap();
    let mut buf = [0u8; 64];
    for i in 0..3 {
        let (n, _) = tokio::time::timeout(Duration::from_secs(5), inside.recv_from(&mut buf))
            .await
            .expect("the broadcast reaches a receiver in the sandbox")
            .unwrap();
        assert_eq!(&buf[..n], format!("广播 {i}").as_bytes());
    }
    let exit = instance.wait_exit(Duration::from_secs(5)).await;
    assert!(
        exit.is_some_and(|e| e.success()),
        "the sender ran to completion"
    );
    // All three arrived inside; had any left the sandbox, the host socket would
    // hold it by now. Give stragglers a generous window anyway.
    let outside = tokio::time::timeout(Duration::from_millis(300), host.recv_from(&mut buf)).await;
    assert!(
        outside.is_err(),
        "a broadcast leaked to the host namespace: {outside:?}"
    );
}

#[test]
fn two_programs_hard_coded_to_one_port_are_checked_at_the_same_time() {
    require_sandbox();
    let fixture = "fixtures/python/udp-server/echo_server.py";
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_sockspec"))
            .current_dir(support::root())
            .args([
                "run",
                "--role",
                "udp-server",
                "--contract",
                "echo",
                "--",
                "python3",
                fixture,
            ])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    for run in [a, b] {
        let out = run.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn an_unprivileged_user_gets_a_sandbox_too() {
    use std::os::unix::fs::PermissionsExt;
    // As root, drop to `nobody` to take the unprivileged path (user + network
    // namespace); as anyone else, this already is that path.
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("sockspec");
    std::fs::copy(env!("CARGO_BIN_EXE_sockspec"), &bin).unwrap();
    let server = dir.path().join("echo_server.py");
    std::fs::copy(
        support::root().join("fixtures/python/udp-server/echo_server.py"),
        &server,
    )
    .unwrap();
    for (path, mode) in [
        (dir.path(), 0o755),
        (bin.as_path(), 0o755),
        (server.as_path(), 0o644),
    ] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let report = dir.path().join("out");
    std::fs::create_dir(&report).unwrap();
    std::fs::set_permissions(&report, std::fs::Permissions::from_mode(0o777)).unwrap();
    let json = report.join("report.json");
    let mut cmd = if nix::unistd::geteuid().is_root() {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        std::process::Command::new(&bin)
    };
    let out = cmd
        .current_dir(dir.path())
        .args([
            "run",
            "--role",
            "udp-server",
            "--contract",
            "echo",
            "--only",
            "udp.server.reply",
            "--json",
        ])
        .arg(&json)
        .args(["--", "python3"])
        .arg(&server)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(!text.contains("no sandbox"), "{text}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["target"]["sandboxed"], true, "{text}");
}
