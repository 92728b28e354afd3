//! The sandbox: what a target sees inside it, broadcasts stay inside it, and
//! hard-coded ports do not collide. Every case runs as root and again as an
//! ordinary user (`NAME_unprivileged`).

#[macro_use]
mod support;

use sockspec_harness::launch::Command;
use sockspec_harness::sandbox::{self, jail};
use sockspec_harness::{Role, Target};
use std::time::Duration;
use support::{CaseResult, open_tempdir, request, require_sandbox, runtime, stdout, write};

fn main() {
    support::run(&[
        (
            "a_target_runs_as_an_unprivileged_user_alone_in_its_namespaces",
            inside_the_sandbox,
        ),
        (
            "a_targets_broadcast_is_received_inside_its_sandbox_and_nowhere_else",
            broadcast_stays_inside,
        ),
        (
            "two_programs_hard_coded_to_one_port_run_at_the_same_time",
            one_port_twice,
        ),
        (
            "a_sandboxs_loopback_is_up_with_the_addresses_it_was_given",
            loopback_addresses,
        ),
    ]);
}

/// A sandbox made with extra addresses has them on its loopback (a server
/// hard-coded to a LAN address binds there), and no other.
fn loopback_addresses() -> CaseResult {
    require_sandbox()?;
    let extra: Vec<std::net::IpAddr> =
        vec!["176.1.2.3".parse().unwrap(), "fd00::7".parse().unwrap()];
    let net = sandbox::create(&extra).map_err(|e| e.to_string())?;
    runtime().block_on(async {
        for addr in ["127.0.0.1:0", "176.1.2.3:0"] {
            net.udp_bind(addr.parse().unwrap())
                .map_err(|e| format!("binding {addr}: {e}"))?;
        }
        if sockspec_harness::redirect::ipv6_available() {
            net.udp_bind("[fd00::7]:0".parse().unwrap())
                .map_err(|e| format!("binding [fd00::7]: {e}"))?;
        }
        let absent = net.udp_bind("176.1.2.4:0".parse().unwrap());
        ensure!(
            absent.is_err(),
            "an address the sandbox was not given binds too"
        );
        Ok(())
    })
}

/// Reports what it finds about itself, one `key=value` per line.
const INTROSPECT: &str = r#"
import ctypes, os, socket
libc = ctypes.CDLL(None, use_errno=True)
def line(k, v): print("%s=%s" % (k, v))
line("uid", os.getuid())
line("gid", os.getgid())
line("hostname", socket.gethostname())
line("own_address", socket.gethostbyname(socket.gethostname()))
line("pid", os.getpid())
line("ppid", os.getppid())
line("procs", len([p for p in os.listdir("/proc") if p.isdigit()]))
caps = [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")]
line("capeff", caps[0])
line("cwd", os.getcwd())
line("tmpdir", os.environ.get("TMPDIR"))
line("unshare_user", libc.unshare(0x10000000))
line("port_start", open("/proc/sys/net/ipv4/ip_unprivileged_port_start").read().strip())
line("links", sorted(os.listdir("/sys/class/net")) if os.path.isdir("/sys/class/net") else "hidden")
"#;

fn inside_the_sandbox() -> CaseResult {
    require_sandbox()?;
    let dir = open_tempdir();
    let program = write(dir.path(), "introspect.py", INTROSPECT);
    let target = Command::new(
        vec!["python3".into(), program.to_string_lossy().into()],
        true,
    )?;
    runtime().block_on(async {
        let net = target.network(&[]).map_err(|e| e.to_string())?;
        let instance = target
            .launch(&net, request(Role::UdpClient))
            .await
            .map_err(|e| e.to_string())?;
        let exit = instance.wait_exit(Duration::from_secs(20)).await;
        let out = stdout(&instance);
        ensure!(
            exit.is_some_and(|e| e.success()),
            "it ran to completion: {exit:?}\n{out}\n{}",
            support::stderr(&instance)
        );
        let get = |key: &str| {
            out.lines()
                .find_map(|l| l.strip_prefix(&format!("{key}=")))
                .unwrap_or("?")
                .to_string()
        };
        let id = jail::TARGET_ID.to_string();
        ensure!(get("uid") == id && get("gid") == id, "{out}");
        ensure!(get("hostname") == jail::HOSTNAME, "{out}");
        ensure!(get("own_address") == "127.0.0.1", "{out}");
        // Its own PID namespace: bwrap's init is pid 1, and there is nothing else.
        ensure!(get("ppid") == "1", "{out}");
        ensure!(get("procs").parse::<u32>().is_ok_and(|n| n <= 3), "{out}");
        ensure!(
            get("capeff") == "0000000000000000",
            "no capabilities: {out}"
        );
        ensure!(get("cwd").contains("/sockspec-"), "{out}");
        ensure!(get("tmpdir") == "/tmp", "{out}");
        ensure!(
            get("unshare_user") == "-1",
            "no nested user namespace: {out}"
        );
        ensure!(get("port_start") == "0", "{out}");
        Ok(())
    })
}

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

fn broadcast_stays_inside() -> CaseResult {
    require_sandbox()?;
    runtime().block_on(async {
        // A socket in the machine's own namespace, on the port the target
        // broadcasts to: it must hear nothing.
        let host = tokio::net::UdpSocket::bind(("0.0.0.0", 0))
            .await
            .map_err(|e| e.to_string())?;
        let port = host.local_addr().map_err(|e| e.to_string())?.port();
        let target = Command::new(
            vec![
                "python3".into(),
                "-c".into(),
                BROADCASTER.into(),
                port.to_string(),
            ],
            true,
        )?;
        let net = target.network(&[]).map_err(|e| e.to_string())?;
        let inside = net
            .udp_bind(format!("0.0.0.0:{port}").parse().unwrap())
            .map_err(|e| e.to_string())?;
        let instance = target
            .launch(&net, request(Role::UdpClient))
            .await
            .map_err(|e| e.to_string())?;
        let mut buf = [0u8; 64];
        for i in 0..3 {
            let (n, _) = tokio::time::timeout(Duration::from_secs(5), inside.recv_from(&mut buf))
                .await
                .map_err(|_| {
                    format!(
                        "broadcast {i} never reached a receiver in the sandbox: {}",
                        support::stderr(&instance)
                    )
                })?
                .map_err(|e| e.to_string())?;
            ensure!(&buf[..n] == format!("广播 {i}").as_bytes(), "broadcast {i}");
        }
        let exit = instance.wait_exit(Duration::from_secs(5)).await;
        ensure!(
            exit.is_some_and(|e| e.success()),
            "the sender ran to completion"
        );
        // All three arrived inside; had any left the sandbox, the host socket
        // would hold it by now. Give stragglers a generous window anyway.
        let outside =
            tokio::time::timeout(Duration::from_millis(300), host.recv_from(&mut buf)).await;
        ensure!(
            outside.is_err(),
            "a broadcast leaked to the host namespace: {outside:?}"
        );
        Ok(())
    })
}

/// A UDP echo server hard-coded to port 8888, as the course's are.
const ECHO_8888: &str = "
from socket import *
s = socket(AF_INET, SOCK_DGRAM)
s.bind(('0.0.0.0', 8888))
while True:
    data, addr = s.recvfrom(2048)
    s.sendto(data, addr)
";

fn one_port_twice() -> CaseResult {
    require_sandbox()?;
    let dir = open_tempdir();
    let program = write(dir.path(), "udp_server.py", ECHO_8888);
    let target = Command::new(
        vec!["python3".into(), program.to_string_lossy().into()],
        true,
    )?;
    runtime().block_on(async {
        let (net_a, net_b) = (
            target.network(&[]).map_err(|e| e.to_string())?,
            target.network(&[]).map_err(|e| e.to_string())?,
        );
        let (a, b) = tokio::join!(
            target.launch(&net_a, request(Role::UdpServer)),
            target.launch(&net_b, request(Role::UdpServer)),
        );
        let (a, b) = (a.map_err(|e| e.to_string())?, b.map_err(|e| e.to_string())?);
        for (name, net, instance) in [("a", &net_a, &a), ("b", &net_b, &b)] {
            let addr = instance.addr.ok_or("a server has an address")?;
            ensure!(addr.port() == 8888, "{name} serves on {addr}");
            let socket = net
                .udp_bind("127.0.0.1:0".parse().unwrap())
                .map_err(|e| e.to_string())?;
            socket
                .send_to(name.as_bytes(), addr)
                .await
                .map_err(|e| e.to_string())?;
            let mut buf = [0u8; 16];
            let (n, _) = tokio::time::timeout(Duration::from_secs(5), socket.recv_from(&mut buf))
                .await
                .map_err(|_| format!("{name} did not echo"))?
                .map_err(|e| e.to_string())?;
            ensure!(&buf[..n] == name.as_bytes(), "{name} echoed its own");
        }
        ensure!(
            sandbox::live_count() >= 2,
            "both instances are registered for teardown"
        );
        Ok(())
    })
}
