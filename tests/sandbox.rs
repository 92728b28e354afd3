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
                input: Vec::new(),
                close_stdin: true,
                activity: tokio::sync::watch::channel(0).1,
                start_timeout: Duration::from_secs(10),
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
