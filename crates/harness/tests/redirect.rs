//! Redirection in a sandbox: a client reaches sockspec's peer wherever it
//! connects or sends, by address or by name, over IPv4 and IPv6, and sockspec
//! learns where it meant to go. Real Python clients run inside the sandbox's
//! network namespace (with a mount and UTS namespace of their own showing the
//! sandbox's name files, as the mount-namespace sandbox will); nothing here
//! resolves a real name or sends anything to an address outside the machine.

use sockspec_harness::Net;
use sockspec_harness::lan;
use sockspec_harness::redirect::{self, Redirect, Redirection, UdpPeer};
use sockspec_harness::sandbox::{self, Availability};
use std::net::{IpAddr, SocketAddr};
use std::os::fd::{AsRawFd, BorrowedFd};
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// How long any one step may take before the test fails (never waited out on
/// a passing run: every wait ends on an event).
const STEP: Duration = Duration::from_secs(20);

/// The host name the clients' UTS namespace gets.
const HOSTNAME: &str = "sandbox";

fn require_sandbox() {
    if let Availability::Unavailable(why) = sandbox::availability() {
        panic!("this test needs network namespaces (run as root or with user namespaces): {why}");
    }
}

/// A sandbox with sockspec's TCP and UDP peers and the redirection to them.
struct Sandboxed {
    net: Net,
    tcp: tokio::net::TcpListener,
    udp: UdpPeer,
    redirection: Redirection,
    files: tempfile::TempDir,
}

fn sandboxed(tcp: bool, udp: bool, names: bool) -> Sandboxed {
    require_sandbox();
    let net = sandbox::create(&[]).unwrap();
    let tcp_peer = redirect::tcp_peer(&net).unwrap();
    let udp_peer = UdpPeer::bind(&net).unwrap();
    let redirection = redirect::install(
        &net,
        &Redirect {
            tcp_to: tcp.then(|| tcp_peer.local_addr().unwrap().port()),
            udp_to: udp.then(|| udp_peer.port()),
            names,
            exempt: vec![],
        },
    )
    .unwrap();
    let files = name_files(&redirection);
    Sandboxed {
        net,
        tcp: tcp_peer,
        udp: udp_peer,
        redirection,
        files,
    }
}

/// The sandbox's name files, in a directory of their own.
fn name_files(redirection: &Redirection) -> tempfile::TempDir {
    let files = tempfile::tempdir().unwrap();
    for file in redirection.sandbox_files(HOSTNAME) {
        let name = Path::new(file.path).file_name().unwrap();
        std::fs::write(files.path().join(name), file.contents).unwrap();
    }
    files
}

/// Starts `python3 -c code` in the sandbox: its network namespace, and a
/// mount and UTS namespace of its own where `/etc/resolv.conf`, `/etc/hosts`
/// and `/etc/nsswitch.conf` are the sandbox's and the host name is [`HOSTNAME`].
fn spawn_client(sandbox: &Sandboxed, code: &str) -> tokio::process::Child {
    spawn_client_in(&sandbox.net, sandbox.files.path(), code, &[])
}

/// [`spawn_client`] in `net` with the name files in `files` and `args` in the
/// client's `sys.argv[1:]`.
fn spawn_client_in(net: &Net, files: &Path, code: &str, args: &[u16]) -> tokio::process::Child {
    let dir = files.display().to_string();
    let script = format!(
        "set -e; for f in resolv.conf hosts nsswitch.conf; do mount --bind {dir}/$f /etc/$f; done; \
         hostname {HOSTNAME}; exec python3 -c \"$0\" \"$@\""
    );
    let mut cmd = tokio::process::Command::new("unshare");
    cmd.args(["--mount", "--propagation", "private", "--uts", "sh", "-c"])
        .arg(script)
        .arg(code)
        .args(args.iter().map(u16::to_string))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    let fd = net.ns_fd().unwrap().as_raw_fd();
    // SAFETY: setns is async-signal-safe; the descriptor stays open until exec.
    unsafe {
        cmd.pre_exec(move || {
            let ns = BorrowedFd::borrow_raw(fd);
            nix::sched::setns(ns, nix::sched::CloneFlags::CLONE_NEWNET)
                .map_err(std::io::Error::from)
        });
    }
    cmd.spawn().expect("unshare (util-linux) and python3 run")
}

/// The client's standard output once it exits successfully.
async fn output(client: tokio::process::Child) -> String {
    let out = tokio::time::timeout(STEP, client.wait_with_output())
        .await
        .expect("the client finishes")
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "client failed: {}\n{stdout}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Accepts the next redirected connection; answers its one line with
/// `ANSWER(destination)`; returns where it was meant to go.
async fn serve_one(
    listener: &tokio::net::TcpListener,
    answer: impl Fn(SocketAddr) -> String,
) -> SocketAddr {
    let (stream, _) = tokio::time::timeout(STEP, listener.accept())
        .await
        .expect("a redirected connection arrives")
        .unwrap();
    let destination = redirect::original_destination(&stream).unwrap();
    let mut stream = BufReader::new(stream);
    let mut line = String::new();
    tokio::time::timeout(STEP, stream.read_line(&mut line))
        .await
        .expect("the client sends a line")
        .unwrap();
    stream
        .get_mut()
        .write_all(format!("{}\n", answer(destination)).as_bytes())
        .await
        .unwrap();
    destination
}

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

const TCP_CLIENT: &str = r#"
import socket, sys
for host, port in [('203.0.113.7', int(sys.argv[1])), ('2001:db8::1', int(sys.argv[2]))]:
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.connect((host, port))
    s.sendall(b'hello\n')
    print(s.getsockname()[0], s.makefile().readline().strip(), flush=True)
    s.close()
"#;

async fn tcp_to_any_address_reaches_the_peer_which_learns_the_destination() {
    let sandbox = sandboxed(true, true, true);
    // The host's own sockets on the same ports: nothing may reach them.
    // On ports the kernel picks free: a fixed one may be some connection's
    // ephemeral port just then.
    let host_v4 = std::net::TcpListener::bind(("0.0.0.0", 0)).unwrap();
    let host_v6 = std::net::TcpListener::bind(("::", 0)).unwrap();
    let v4_port = host_v4.local_addr().unwrap().port();
    let v6_port = host_v6.local_addr().unwrap().port();
    let client = spawn_client_in(
        &sandbox.net,
        sandbox.files.path(),
        TCP_CLIENT,
        &[v4_port, v6_port],
    );
    let answer = |d: SocketAddr| format!("meant {d}");
    let first = serve_one(&sandbox.tcp, answer).await;
    let second = serve_one(&sandbox.tcp, answer).await;
    assert_eq!(first, addr(&format!("203.0.113.7:{v4_port}")));
    assert_eq!(second, addr(&format!("[2001:db8::1]:{v6_port}")));
    let out = output(client).await;
    assert_eq!(
        out,
        format!("192.0.2.1 meant 203.0.113.7:{v4_port}\nfdec:5::1 meant [2001:db8::1]:{v6_port}\n")
    );
    for host in [host_v4, host_v6] {
        host.set_nonblocking(true).unwrap();
        let heard = host.accept();
        assert!(
            heard
                .as_ref()
                .is_err_and(|e| e.kind() == std::io::ErrorKind::WouldBlock),
            "a connection reached the host: {heard:?}"
        );
    }
}

const NAME_CLIENT: &str = r#"
import socket
for host in ['www.sina.com.cn', socket.gethostname(), 'localhost']:
    s = socket.create_connection((host, 47080), timeout=10)
    s.sendall(host.encode() + b'\n')
    print(host, s.makefile().readline().strip(), flush=True)
    s.close()
family, kind, proto, _, address = socket.getaddrinfo('v6.example.org', 47081, socket.AF_INET6, socket.SOCK_STREAM)[0]
s = socket.socket(family, kind, proto)
s.connect(address)
s.sendall(b'v6\n')
print('v6.example.org', s.makefile().readline().strip(), flush=True)
"#;

async fn host_names_resolve_offline_and_the_peer_learns_the_name(use_tcp_for_names: bool) {
    let sandbox = sandboxed(true, true, true);
    if use_tcp_for_names {
        // glibc asks over TCP with `use-vc`.
        let resolv = sandbox.files.path().join("resolv.conf");
        let text = std::fs::read_to_string(&resolv).unwrap();
        std::fs::write(&resolv, format!("{text}options use-vc\n")).unwrap();
    }
    let client = spawn_client(&sandbox, NAME_CLIENT);
    let redirection = &sandbox.redirection;
    let named =
        |d: SocketAddr| format!("{}@{d}", redirection.name_for(d.ip()).unwrap_or("-".into()));
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(serve_one(&sandbox.tcp, named).await);
    }
    let out = output(client).await;
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(
        lines[0],
        format!("www.sina.com.cn www.sina.com.cn@{}", seen[0])
    );
    assert!(
        redirect::names::POOL_V4.octets()[..2]
            == match seen[0].ip() {
                IpAddr::V4(v4) => v4.octets(),
                IpAddr::V6(_) => panic!("{}", seen[0]),
            }[..2]
    );
    assert_eq!(seen[0].port(), 47080);
    assert_eq!(lines[1], "sandbox sandbox@127.0.1.1:47080");
    assert!(
        seen[2].ip().is_loopback() && seen[2].port() == 47080,
        "{seen:?}"
    );
    assert!(lines[2].starts_with("localhost "), "{out}");
    assert_eq!(
        lines[3],
        format!("v6.example.org v6.example.org@{}", seen[3])
    );
    assert!(seen[3].is_ipv6() && seen[3].port() == 47081, "{seen:?}");
    let asked = redirection.names().unwrap().asked();
    assert!(asked.contains(&"www.sina.com.cn".to_string()), "{asked:?}");
    assert!(!asked.iter().any(|n| n == "localhost"), "{asked:?}");
}

const UDP_CLIENT: &str = r#"
import socket, sys
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(10)
for dst in [('198.51.100.9', port), ('198.51.100.10', port - 1)]:
    s.sendto(b'ping', dst)
    data, src = s.recvfrom(100)
    print(s.getsockname()[1], '%s:%d' % src, data.decode(), flush=True)
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s6.settimeout(10)
s6.sendto(b'ping6', ('2001:db8::9', port))
data, src = s6.recvfrom(100)
print(s6.getsockname()[1], '[%s]:%d' % src[:2], data.decode(), flush=True)
"#;

async fn udp_to_any_address_is_answered_from_that_address() {
    let sandbox = sandboxed(true, true, true);
    let host = std::net::UdpSocket::bind(("::", 0)).unwrap();
    let port = host.local_addr().unwrap().port();
    let client = spawn_client_in(&sandbox.net, sandbox.files.path(), UDP_CLIENT, &[port]);
    let mut datagrams = Vec::new();
    let mut buf = [0u8; 100];
    for _ in 0..3 {
        let d = tokio::time::timeout(STEP, sandbox.udp.recv(&mut buf))
            .await
            .expect("a redirected datagram arrives")
            .unwrap();
        let reply = format!("pong-{}", String::from_utf8_lossy(&buf[..d.len]));
        sandbox
            .udp
            .send_to(reply.as_bytes(), d.source)
            .await
            .unwrap();
        datagrams.push(d);
    }
    let out = output(client).await;
    let lines: Vec<Vec<&str>> = out.lines().map(|l| l.split(' ').collect()).collect();
    assert_eq!(lines.len(), 3, "{out}");
    let expected = [
        (format!("198.51.100.9:{port}"), "pong-ping"),
        (format!("198.51.100.10:{}", port - 1), "pong-ping"),
        (format!("[2001:db8::9]:{port}"), "pong-ping6"),
    ];
    for ((line, d), (destination, reply)) in lines.iter().zip(&datagrams).zip(expected) {
        assert_eq!(d.destination, addr(&destination), "{datagrams:?}");
        // The reply came from where the client sent.
        assert_eq!(line[1], destination, "{out}");
        assert_eq!(line[2], reply, "{out}");
        // The client's own port, even when the peer saw another.
        assert_eq!(d.client.port().to_string(), line[0], "{datagrams:?}");
    }
    assert_eq!(datagrams[0].client.ip(), IpAddr::from([192, 0, 2, 1]));
    assert_eq!(
        datagrams[2].client.ip(),
        "fdec:5::1".parse::<IpAddr>().unwrap()
    );
    // Two destinations from one socket are two flows; conntrack kept them
    // apart, so the peer saw the second from another port.
    assert_ne!(datagrams[0].source, datagrams[1].source);
    host.set_nonblocking(true).unwrap();
    let heard = host.recv_from(&mut buf);
    assert!(
        heard
            .as_ref()
            .is_err_and(|e| e.kind() == std::io::ErrorKind::WouldBlock),
        "a datagram reached the host: {heard:?}"
    );
}

const BROADCAST_AND_STRAY_CLIENT: &str = r#"
import socket, errno
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
b.sendto(b'to all', ('255.255.255.255', 47777))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.settimeout(10)
try:
    t.connect(('203.0.113.7', 47888))
    print('connected')
except OSError as e:
    print(errno.errorcode.get(e.errno, e))
"#;

const UDP_STRAY_CLIENT: &str = r#"
import socket, errno
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
try:
    u.sendto(b'nowhere', ('2001:db8::9', 47999))
    print('sent')
except OSError as e:
    print(errno.errorcode.get(e.errno, e))
"#;

async fn broadcasts_stay_and_what_is_not_redirected_fails_at_once() {
    // UDP redirected, TCP not: a broadcast still reaches a broadcast
    // receiver, and a TCP connect fails at once instead of waiting. Then
    // nothing redirected: a datagram fails at once too.
    let sandbox = sandboxed(false, true, false);
    let receiver = sandbox.net.udp_bind_shared(addr("0.0.0.0:47777")).unwrap();
    let client = spawn_client(&sandbox, BROADCAST_AND_STRAY_CLIENT);
    let mut buf = [0u8; 64];
    let (n, _) = tokio::time::timeout(STEP, receiver.recv_from(&mut buf))
        .await
        .expect("the broadcast reaches the receiver")
        .unwrap();
    assert_eq!(&buf[..n], b"to all");
    // Refused, not timed out (the client's own timeout would print `timeout`).
    assert_eq!(output(client).await, "ECONNREFUSED\n");
    let peer_got = tokio::time::timeout(Duration::from_millis(1), sandbox.udp.recv(&mut buf)).await;
    assert!(
        peer_got.is_err(),
        "the broadcast was redirected: {peer_got:?}"
    );

    let nothing = sandboxed(false, false, false);
    let client = spawn_client(&nothing, UDP_STRAY_CLIENT);
    assert_eq!(output(client).await, "EPERM\n");
}

const LAN_SENDER: &str = r#"
import socket, sys
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.sendto(b'to myself', ('127.0.0.1', port))
s.sendto(b'to all', ('10.77.0.255', port))
s.sendto(b'to h1', ('10.77.0.2', port))
"#;

async fn on_a_lan_other_hosts_are_reached_and_the_rest_is_observed() {
    // A broadcast sender on a simulated LAN, its subnet exempt: what it
    // unicasts to its own loopback reaches sockspec's peer, named; its
    // directed broadcast and its unicast to another host cross the LAN.
    require_sandbox();
    const PORT: u16 = 47555;
    let lan = lan::create(2, None).unwrap();
    let (h0, h1) = (&lan.hosts[0].net, &lan.hosts[1].net);
    let peer = UdpPeer::bind(h0).unwrap();
    let redirection = redirect::install(
        h0,
        &Redirect {
            udp_to: Some(peer.port()),
            exempt: vec![(lan.subnet.into(), lan.prefix)],
            ..Redirect::default()
        },
    )
    .unwrap();
    let receiver = h1
        .udp_bind_shared(addr(&format!("0.0.0.0:{PORT}")))
        .unwrap();
    let files = name_files(&redirection);
    let client = spawn_client_in(h0, files.path(), LAN_SENDER, &[PORT]);
    let mut buf = [0u8; 64];
    let d = tokio::time::timeout(STEP, peer.recv(&mut buf))
        .await
        .expect("the unicast to loopback reaches the peer")
        .unwrap();
    assert_eq!(&buf[..d.len], b"to myself");
    assert_eq!(d.destination, addr(&format!("127.0.0.1:{PORT}")));
    for expected in [&b"to all"[..], b"to h1"] {
        let (n, from) = tokio::time::timeout(STEP, receiver.recv_from(&mut buf))
            .await
            .expect("the datagram crosses the LAN")
            .unwrap();
        assert_eq!(&buf[..n], expected);
        assert_eq!(from.ip(), IpAddr::from(lan.hosts[0].addr));
    }
    output(client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_lan() {
    on_a_lan_other_hosts_are_reached_and_the_rest_is_observed().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_to_ipv4_and_ipv6_addresses() {
    tcp_to_any_address_reaches_the_peer_which_learns_the_destination().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_names_over_udp() {
    host_names_resolve_offline_and_the_peer_learns_the_name(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_names_over_tcp() {
    host_names_resolve_offline_and_the_peer_learns_the_name(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn udp_replies_come_from_the_destination() {
    udp_to_any_address_is_answered_from_that_address().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broadcasts_and_strays() {
    broadcasts_stay_and_what_is_not_redirected_fails_at_once().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockspecs_marked_sockets_are_not_redirected() {
    let sandbox = sandboxed(true, false, false);
    let to = addr("203.0.113.7:47888");
    let connect = |mark: Option<u32>| {
        sandbox.net.within(|| {
            let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
            if let Some(mark) = mark {
                socket.set_mark(mark)?;
            }
            socket.connect_timeout(&to.into(), STEP)
        })
    };
    let marked = connect(Some(redirect::BYPASS_MARK));
    assert!(
        marked
            .as_ref()
            .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused),
        "{marked:?}"
    );
    connect(None).expect("an unmarked socket is redirected");
    let (stream, _) = tokio::time::timeout(STEP, sandbox.tcp.accept())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(redirect::original_destination(&stream).unwrap(), to);
}

#[test]
fn the_host_namespace_is_never_changed() {
    let err = redirect::install(&Net::host(), &Redirect::default()).unwrap_err();
    assert!(matches!(err, redirect::RedirectError::NotASandbox), "{err}");
}

/// Set in the copy of this test binary that runs as an ordinary user.
const INNER: &str = "SOCKSPEC_REDIRECT_UNPRIVILEGED";

/// The same tests as an ordinary user: this binary again, as `nobody` when
/// run as root, in a user namespace of its own (where it is root, as sockspec
/// is after `sandbox::prepare_process`), which owns every sandbox it makes.
#[test]
fn as_an_ordinary_user_too() {
    use std::os::unix::fs::PermissionsExt;
    if std::env::var_os(INNER).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("redirect-tests");
    std::fs::copy(std::env::current_exe().unwrap(), &bin).unwrap();
    for (path, mode) in [(dir.path(), 0o755), (bin.as_path(), 0o755)] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let mut cmd = if nix::unistd::geteuid().is_root() {
        let mut c = std::process::Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "unshare",
        ]);
        c
    } else {
        std::process::Command::new("unshare")
    };
    let out = cmd
        .args(["--user", "--map-root-user"])
        .arg(&bin)
        .args(["--test-threads=2", "--skip", "as_an_ordinary_user_too"])
        .current_dir(dir.path())
        .env(INNER, "1")
        .env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        )
        .env("TMPDIR", "/tmp")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("test result: ok. 8 passed; 0 failed"),
        "every test ran as an ordinary user: {text}"
    );
}
