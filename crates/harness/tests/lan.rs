//! The simulated LAN: broadcasts reach every host exactly once, nothing reaches
//! or leaves through the machine's own namespace, and a dropped LAN is gone.
//!
//! Nothing here sends from the host's own namespace: every datagram is sent by
//! a socket made inside a LAN host.

use sockspec_harness::Net;
use sockspec_harness::lan::{self, Lan, Received};
use sockspec_harness::sandbox::{self, Availability};
use std::collections::BTreeSet;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long to wait for a datagram that should come.
const ARRIVAL: Duration = Duration::from_secs(5);
/// How long to listen for datagrams that should not come.
const QUIET: Duration = Duration::from_millis(300);

fn require_sandbox() {
    if let Availability::Unavailable(why) = sandbox::availability() {
        panic!("this test needs network namespaces (run as root or with user namespaces): {why}");
    }
}

fn any(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::UNSPECIFIED, port))
}

/// A socket on `host` allowed to broadcast, bound to an ephemeral port.
fn sender(net: &Net) -> UdpSocket {
    net.within(|| {
        let socket = UdpSocket::bind(any(0))?;
        socket.set_broadcast(true)?;
        Ok(socket)
    })
    .unwrap()
}

/// A blocking receiver bound to `addr` in `net`, told destination addresses.
fn receiver(net: &Net, addr: SocketAddr) -> UdpSocket {
    let socket = net.within(|| UdpSocket::bind(addr)).unwrap();
    socket.set_read_timeout(Some(ARRIVAL)).unwrap();
    lan::want_destination(&socket).unwrap();
    socket
}

/// Asserts nothing more is queued on `socket` (after the quiet window passed).
fn assert_drained(socket: &UdpSocket, whose: &str) {
    socket.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 64];
    match socket.recv_from(&mut buf) {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
        other => panic!("{whose} got a datagram too many: {other:?}"),
    }
}

/// Runs `args` with its network namespace set to `ns`.
fn command_in(ns: BorrowedFd<'_>, args: &[&str]) -> Command {
    let fd = ns.as_raw_fd();
    let mut cmd = Command::new(args[0]);
    cmd.args(&args[1..]);
    // SAFETY: setns is async-signal-safe; `ns` is open until the child execs.
    unsafe {
        cmd.pre_exec(move || {
            nix::sched::setns(
                BorrowedFd::borrow_raw(fd),
                nix::sched::CloneFlags::CLONE_NEWNET,
            )
            .map_err(io::Error::from)
        });
    }
    cmd
}

/// The interfaces of `net` as `ip -json -details link show` describes them.
fn links(net: &Net) -> Vec<serde_json::Value> {
    let out = command_in(
        net.ns_fd().unwrap(),
        &["ip", "-json", "-details", "link", "show"],
    )
    .output()
    .unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn str_of<'a>(link: &'a serde_json::Value, key: &str) -> &'a str {
    link[key].as_str().unwrap_or("")
}

/// The inode of `net`'s namespace: how `/proc` names it (`net:[INODE]`).
fn inode(net: &Net) -> u64 {
    nix::sys::stat::fstat(net.ns_fd().unwrap()).unwrap().st_ino
}

/// The interface names of the namespace `net`, as its `/proc/net/dev` lists them.
fn interface_names(net: &Net) -> BTreeSet<String> {
    net.within(|| std::fs::read_to_string("/proc/thread-self/net/dev"))
        .unwrap()
        .lines()
        .skip(2)
        .filter_map(|l| l.split(':').next())
        .map(|name| name.trim().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limited_and_directed_broadcasts_reach_every_host_exactly_once() {
    require_sandbox();
    const PORT: u16 = 47_931;
    let lan = lan::create(4, None).unwrap();
    assert_eq!(lan.broadcast, Ipv4Addr::new(10, 77, 0, 255));
    // A receiver on every host, the sender's own included.
    let receivers: Vec<_> = lan
        .hosts
        .iter()
        .map(|host| {
            let socket = host.net.udp_bind(any(PORT)).unwrap();
            lan::want_destination(&socket).unwrap();
            socket
        })
        .collect();
    let from = sender(&lan.hosts[0].net);
    from.send_to(b"limited", (Ipv4Addr::BROADCAST, PORT))
        .unwrap();
    from.send_to(b"directed", (lan.broadcast, PORT)).unwrap();
    let from = SocketAddr::from((lan.hosts[0].addr, from.local_addr().unwrap().port()));

    for (host, socket) in lan.hosts.iter().zip(&receivers) {
        for (payload, destination) in [
            ("limited", Ipv4Addr::BROADCAST),
            ("directed", lan.broadcast),
        ] {
            let got = tokio::time::timeout(ARRIVAL, lan::recv_with_destination_async(socket))
                .await
                .unwrap_or_else(|_| panic!("{} missed the {payload} broadcast", host.name))
                .unwrap();
            assert_eq!(
                got,
                Received {
                    payload: payload.as_bytes().to_vec(),
                    from,
                    destination
                },
                "on {}",
                host.name
            );
        }
    }
    // Exactly once: nothing more comes on any host, the sender's included (its
    // copy is looped back to it, not echoed off the bridge).
    tokio::time::sleep(QUIET).await;
    for (host, socket) in lan.hosts.iter().zip(&receivers) {
        let mut buf = [0u8; 64];
        let extra = socket.try_recv_from(&mut buf);
        assert!(
            extra
                .as_ref()
                .is_err_and(|e| e.kind() == io::ErrorKind::WouldBlock),
            "{} got a datagram too many: {extra:?}",
            host.name
        );
    }
}

#[test]
fn the_machines_own_namespace_hears_no_lan_broadcast() {
    require_sandbox();
    // Only listens: nothing is ever sent from the host's own namespace. Its
    // port is whichever is free here; the LAN's hosts have ports of their own.
    let outside = UdpSocket::bind(any(0)).unwrap();
    let port = outside.local_addr().unwrap().port();
    let lan = lan::create(2, None).unwrap();
    let inside = receiver(&lan.hosts[1].net, any(port));
    let from = sender(&lan.hosts[0].net);
    for to in [Ipv4Addr::BROADCAST, lan.broadcast] {
        from.send_to(b"stay inside", (to, port)).unwrap();
        let got = lan::recv_with_destination(&inside).unwrap();
        assert_eq!(got.destination, to);
    }
    // Both reached the LAN; had either also left it, it would be here by now.
    std::thread::sleep(QUIET);
    assert_drained(&outside, "the machine's own namespace");
}

#[test]
fn the_lan_has_no_link_to_the_machines_interfaces() {
    require_sandbox();
    let lan = lan::create(3, None).unwrap();

    // The bridge's namespace: loopback, the bridge, and one veth port per host.
    let bridge = links(&lan.bridge);
    let mut names: Vec<&str> = bridge.iter().map(|l| str_of(l, "ifname")).collect();
    names.sort();
    assert_eq!(names, ["br0", "h0", "h1", "h2", "lo"]);
    for link in &bridge {
        let kind = str_of(&link["linkinfo"], "info_kind");
        match str_of(link, "ifname") {
            "lo" => assert_eq!(str_of(link, "link_type"), "loopback"),
            "br0" => assert_eq!(kind, "bridge"),
            _ => {
                assert_eq!(kind, "veth", "{link}");
                assert_eq!(str_of(link, "master"), "br0", "{link}");
            }
        }
    }
    // Each host: loopback and eth0, a veth whose peer is its port on the
    // bridge (and that port's peer is this eth0): every veth end is accounted for.
    for host in &lan.hosts {
        let host_links = links(&host.net);
        let mut names: Vec<&str> = host_links.iter().map(|l| str_of(l, "ifname")).collect();
        names.sort();
        assert_eq!(names, ["eth0", "lo"], "on {}", host.name);
        let eth0 = host_links.iter().find(|l| l["ifname"] == "eth0").unwrap();
        let port = bridge
            .iter()
            .find(|l| l["ifname"] == host.name.as_str())
            .unwrap();
        assert_eq!(str_of(&eth0["linkinfo"], "info_kind"), "veth");
        assert_eq!(eth0["link_index"], port["ifindex"], "{}'s peer", host.name);
        assert_eq!(
            port["link_index"], eth0["ifindex"],
            "{}'s port's peer",
            host.name
        );
    }
    // No way out: an address outside the subnet is unreachable (no default
    // route), so the datagram is refused before it is sent anywhere.
    let from = sender(&lan.hosts[0].net);
    for outside in ["192.0.2.1:9", "8.8.8.8:53"] {
        let err = from.send_to(b"out?", outside).unwrap_err();
        assert_eq!(
            err.raw_os_error(),
            Some(nix::libc::ENETUNREACH),
            "{outside}: {err}"
        );
    }
}

/// Waits for `child` to end (it should have been killed), or kills it and fails.
fn assert_killed(child: &mut Child, what: &str) {
    let deadline = Instant::now() + ARRIVAL;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            assert_eq!(status.signal(), Some(9), "{what}: {status:?}");
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("{what} outlived its LAN");
}

/// Whether any process (any thread) or open descriptor refers to `net:[inode]`.
fn referenced(inode: u64) -> bool {
    let wanted = format!("net:[{inode}]");
    let links_to = |dir: std::path::PathBuf| {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| std::fs::read_link(e.path()).is_ok_and(|l| l.to_string_lossy() == wanted))
    };
    std::fs::read_dir("/proc").unwrap().flatten().any(|proc| {
        let tasks = std::fs::read_dir(proc.path().join("task"))
            .into_iter()
            .flatten()
            .flatten();
        tasks
            .into_iter()
            .any(|task| links_to(task.path().join("ns")))
            || links_to(proc.path().join("fd"))
    })
}

#[test]
fn dropping_the_lan_removes_its_namespaces_processes_and_interfaces() {
    require_sandbox();
    let lan = lan::create(3, None).unwrap();
    let nets: Vec<Net> = std::iter::once(lan.bridge.clone())
        .chain(lan.hosts.iter().map(|h| h.net.clone()))
        .collect();
    let inodes: Vec<u64> = nets.iter().map(inode).collect();
    // A process in every namespace of the LAN, outside any sandbox (as a
    // program run with --no-sandbox on a LAN host is: noted as such).
    let mut sleepers: Vec<Child> = nets
        .iter()
        .map(|net| {
            net.note_unjailed();
            command_in(net.ns_fd().unwrap(), &["sleep", "60"])
                .stdin(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    // A witness: a socket keeps host 1's namespace (and nothing else) alive, so
    // its interfaces can be looked at after the LAN is gone.
    let witness = lan.hosts[1]
        .net
        .within(|| UdpSocket::bind("127.0.0.1:0"))
        .unwrap();
    assert_eq!(
        interface_names(&lan.hosts[1].net),
        ["eth0", "lo"].map(String::from).into()
    );
    drop(nets);

    drop(lan);
    for (sleeper, inode) in sleepers.iter_mut().zip(&inodes) {
        assert_killed(sleeper, &format!("the process in net:[{inode}]"));
    }
    for inode in &inodes {
        assert!(!referenced(*inode), "net:[{inode}] is still referenced");
    }
    // The bridge's namespace is gone, and with it the veth pairs: the
    // witness's namespace is down to loopback (the kernel dismantles a
    // namespace asynchronously, so give it a moment).
    // SAFETY: SIOCGSKNS takes no argument and returns a new descriptor.
    let ns = unsafe { nix::libc::ioctl(witness.as_fd().as_raw_fd(), nix::libc::SIOCGSKNS) };
    assert!(ns >= 0, "SIOCGSKNS: {}", io::Error::last_os_error());
    // SAFETY: a new descriptor that nothing else owns.
    let ns = unsafe { OwnedFd::from_raw_fd(ns) };
    let witness_net = Net::namespace(ns, "witness".into(), Box::new(()), Default::default());
    let deadline = Instant::now() + ARRIVAL;
    loop {
        let names = interface_names(&witness_net);
        if names == ["lo".to_string()].into() {
            break;
        }
        assert!(Instant::now() < deadline, "still there: {names:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Sends one limited and one directed broadcast and one unicast from `lan`'s
/// host 0 to `port`, each carrying `tag`.
fn send_all(lan: &Lan, port: u16, tag: &str) {
    let from = sender(&lan.hosts[0].net);
    for to in [Ipv4Addr::BROADCAST, lan.broadcast, lan.hosts[1].addr] {
        from.send_to(tag.as_bytes(), (to, port)).unwrap();
    }
}

#[test]
fn two_lans_on_one_subnet_do_not_interfere() {
    require_sandbox();
    const PORT: u16 = 8888;
    let subnet = Some((Ipv4Addr::new(176, 16, 2, 0), 24));
    // Made at the same time, as parallel grading does.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| lan::create(2, subnet));
        let b = s.spawn(|| lan::create(2, subnet));
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    for lan in [&a, &b] {
        assert_eq!(lan.broadcast, Ipv4Addr::new(176, 16, 2, 255));
        assert_eq!(lan.hosts[1].addr, Ipv4Addr::new(176, 16, 2, 2));
    }
    let at_a = receiver(&a.hosts[1].net, any(PORT));
    let at_b = receiver(&b.hosts[1].net, any(PORT));
    send_all(&a, PORT, "A");
    send_all(&b, PORT, "B");
    for (socket, tag) in [(&at_a, "A"), (&at_b, "B")] {
        let got: Vec<Ipv4Addr> = (0..3)
            .map(|_| {
                let got = lan::recv_with_destination(socket).unwrap();
                assert_eq!(got.payload, tag.as_bytes(), "LAN {tag} heard the other LAN");
                got.destination
            })
            .collect();
        assert_eq!(
            got,
            [
                Ipv4Addr::BROADCAST,
                Ipv4Addr::new(176, 16, 2, 255),
                Ipv4Addr::new(176, 16, 2, 2)
            ]
        );
    }
    std::thread::sleep(QUIET);
    assert_drained(&at_a, "LAN A");
    assert_drained(&at_b, "LAN B");
}

#[test]
fn a_receiver_tells_a_broadcast_from_a_unicast() {
    require_sandbox();
    const PORT: u16 = 9999;
    let lan = lan::create(2, None).unwrap();
    let to = &lan.hosts[1];
    let socket = receiver(&to.net, any(PORT));
    let from = sender(&lan.hosts[0].net);
    for dest in [to.addr, Ipv4Addr::BROADCAST, lan.broadcast] {
        from.send_to(dest.to_string().as_bytes(), (dest, PORT))
            .unwrap();
    }
    let got: Vec<(Ipv4Addr, bool)> = (0..3)
        .map(|_| {
            let got = lan::recv_with_destination(&socket).unwrap();
            assert_eq!(got.payload, got.destination.to_string().as_bytes());
            (got.destination, lan.is_broadcast(got.destination))
        })
        .collect();
    assert_eq!(
        got,
        [
            (to.addr, false),
            (Ipv4Addr::BROADCAST, true),
            (lan.broadcast, true)
        ]
    );
}

#[test]
fn a_host_can_have_a_hard_coded_address() {
    require_sandbox();
    let pinned = Ipv4Addr::new(176, 16, 2, 3);
    let lan =
        lan::create_with_addrs((Ipv4Addr::new(176, 16, 2, 0), 24), &[Some(pinned), None]).unwrap();
    assert_eq!(lan.hosts[0].addr, pinned);
    assert_eq!(lan.hosts[1].addr, Ipv4Addr::new(176, 16, 2, 1));
    // A target that binds its own hard-coded address can, and is reached there.
    let socket = receiver(&lan.hosts[0].net, SocketAddr::from((pinned, 8080)));
    sender(&lan.hosts[1].net)
        .send_to(b"hi", (pinned, 8080))
        .unwrap();
    let got = lan::recv_with_destination(&socket).unwrap();
    assert_eq!(
        (got.payload.as_slice(), got.destination),
        (&b"hi"[..], pinned)
    );
    assert_eq!(got.from.ip(), lan.hosts[1].addr);
}

#[test]
#[ignore = "a measurement: cargo test --release --test lan -- --ignored --nocapture"]
fn measure_building_and_dropping_a_lan_of_four_hosts() {
    require_sandbox();
    let mut times: Vec<Duration> = (0..20)
        .map(|_| {
            let start = Instant::now();
            drop(lan::create(4, None).unwrap());
            start.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "LAN of 4 hosts, build + drop, 20 runs: median {:?} (min {:?}, max {:?})",
        times[10], times[0], times[19]
    );
}
