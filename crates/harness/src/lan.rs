//! A simulated LAN for broadcast tests.
//!
//! Each host is a sandbox ([`sandbox::create`]) with an `eth0`, the end of a
//! veth pair whose other end is a port of the bridge `br0` in a namespace of its
//! own. The hosts share one IPv4 subnet. On every host:
//! - `eth0` has the host's address, the subnet's prefix and its directed
//!   broadcast address;
//! - the limited broadcast `255.255.255.255` is routed out of `eth0` (it replaces
//!   the sandbox's route onto loopback, which would keep it from other hosts);
//! - there is no default route: an address outside the subnet is unreachable;
//! - IPv6 gets no link-local address, so no IPv6 chatter (DAD, router
//!   solicitations) crosses the bridge: the LAN carries what the tests send.
//!
//! Nothing links the LAN to the machine's own interfaces. A host's [`Net`]
//! keeps the whole LAN (the bridge included) alive: everything goes, and every
//! process in its namespaces is killed, when the [`Lan`] and the last clone of
//! its hosts' `Net`s are dropped.

use crate::net::Net;
use crate::sandbox;
use nix::sys::socket::{self, ControlMessageOwned, MsgFlags, SockaddrIn, sockopt};
use std::io::{self, IoSliceMut};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, UdpSocket};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::time::{Duration, Instant};

/// The subnet a LAN uses when none is asked for.
pub const DEFAULT_SUBNET: (Ipv4Addr, u8) = (Ipv4Addr::new(10, 77, 0, 0), 24);

/// The name of each host's interface onto the LAN.
pub const HOST_INTERFACE: &str = "eth0";

/// The name of the bridge joining the hosts, in the bridge's namespace.
pub const BRIDGE_INTERFACE: &str = "br0";

/// How long the LAN's links may take to pass traffic after they are set up.
const LINK_TIMEOUT: Duration = Duration::from_secs(5);

/// A LAN of simulated hosts: each its own network namespace with loopback up,
/// joined by veth pairs to a bridge (in a namespace of its own), on one IPv4 subnet.
#[derive(Debug)]
pub struct Lan {
    /// The hosts, `h0`, `h1`, ... in order.
    pub hosts: Vec<Host>,
    /// The subnet's network address, e.g. `10.77.0.0`.
    pub subnet: Ipv4Addr,
    /// The subnet's prefix length, e.g. 24.
    pub prefix: u8,
    /// The directed broadcast address, e.g. `10.77.0.255`.
    pub broadcast: Ipv4Addr,
    /// The namespace of the bridge, where every frame on the LAN passes
    /// (interfaces `br0` and `h0`, `h1`, ... ; no address).
    pub bridge: Net,
}

/// One host on a [`Lan`].
#[derive(Debug, Clone)]
pub struct Host {
    /// `h0`, `h1`, ...: also the name of its port on the bridge.
    pub name: String,
    /// Its address on `eth0`.
    pub addr: Ipv4Addr,
    /// Its network namespace.
    pub net: Net,
}

impl Lan {
    /// Whether `ip` is a broadcast address on this LAN (limited or directed).
    pub fn is_broadcast(&self, ip: Ipv4Addr) -> bool {
        ip.is_broadcast() || ip == self.broadcast
    }
}

/// Makes a LAN of `hosts` hosts on `subnet` (default [`DEFAULT_SUBNET`]),
/// addressed `.1`, `.2`, ... in order.
pub fn create(hosts: usize, subnet: Option<(Ipv4Addr, u8)>) -> io::Result<Lan> {
    create_with_addrs(subnet.unwrap_or(DEFAULT_SUBNET), &vec![None; hosts])
}

/// Makes a LAN with one host per entry of `addrs` on `subnet`: a host given an
/// address gets it (a target's hard-coded own address), the others get the
/// lowest free ones.
pub fn create_with_addrs(subnet: (Ipv4Addr, u8), addrs: &[Option<Ipv4Addr>]) -> io::Result<Lan> {
    let (network, prefix) = subnet;
    let addrs = assign_addresses(network, prefix, addrs)?;
    let network = network_of(network, prefix);
    let broadcast = directed_broadcast(network, prefix);

    // The namespaces, then the bridge with the veth pairs, then each host's
    // addresses and routes; independent steps on threads of their own.
    let mut sandboxes = on_threads(addrs.len() + 1, |_| sandbox::create(&[]))?;
    let bridge = sandboxes.remove(0);
    let bridge = relabel(&bridge, format!("lan bridge {}", label_of(&bridge)), ())?;
    let paths: Vec<String> = sandboxes.iter().map(namespace_path).collect();
    sandbox::ip_batch(ns_of(&bridge), &bridge_script(&paths)).map_err(|e| {
        io::Error::new(e.kind(), format!("setting up the LAN's bridge failed: {e}"))
    })?;
    let hosts = on_threads(addrs.len(), |i| {
        let (sandbox, addr, name) = (&sandboxes[i], addrs[i], format!("h{i}"));
        sandbox::ip_batch(ns_of(sandbox), &host_script(addr, prefix, broadcast)).map_err(|e| {
            io::Error::new(e.kind(), format!("setting up LAN host {name} failed: {e}"))
        })?;
        let label = format!("lan host {name} ({addr}) {}", label_of(sandbox));
        // The host's handle keeps its sandbox (whose guard kills what runs in
        // it) and the bridge alive.
        let net = relabel(sandbox, label, bridge.clone())?;
        Ok(Host { name, addr, net })
    })?;
    await_links(&hosts)?;
    Ok(Lan {
        hosts,
        subnet: network,
        prefix,
        broadcast,
        bridge,
    })
}

/// `make(i)` for every `i` in `0..n`, each on a thread of its own, in order.
fn on_threads<T: Send>(
    n: usize,
    make: impl Fn(usize) -> io::Result<T> + Sync,
) -> io::Result<Vec<T>> {
    std::thread::scope(|scope| {
        let make = &make;
        let threads: Vec<_> = (0..n).map(|i| scope.spawn(move || make(i))).collect();
        threads
            .into_iter()
            .map(|t| {
                t.join()
                    .unwrap_or_else(|_| Err(io::Error::other("a LAN setup thread panicked")))
            })
            .collect()
    })
}

/// A new handle on `net`'s namespace labelled `label`, keeping `keep` alive.
fn relabel(net: &Net, label: String, keep: impl Send + Sync + 'static) -> io::Result<Net> {
    let fd = ns_of(net).try_clone_to_owned()?;
    let unjailed = net.unjailed_flag();
    Ok(Net::namespace(
        fd,
        label,
        Box::new((net.clone(), keep)),
        unjailed,
    ))
}

/// `net:[INODE]`: how `/proc` names `net`'s namespace.
fn label_of(net: &Net) -> String {
    match nix::sys::stat::fstat(ns_of(net)) {
        Ok(stat) => format!("net:[{}]", stat.st_ino),
        Err(_) => format!("{net:?}"),
    }
}

fn ns_of(net: &Net) -> BorrowedFd<'_> {
    net.ns_fd().expect("a sandbox has a namespace descriptor")
}

/// A path naming `net`'s namespace to an `ip` child process (`netns PATH`).
fn namespace_path(net: &Net) -> String {
    format!("/proc/{}/fd/{}", std::process::id(), ns_of(net).as_raw_fd())
}

fn mask(prefix: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0)
}

fn network_of(ip: Ipv4Addr, prefix: u8) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(ip) & mask(prefix))
}

/// The directed broadcast address of `subnet`/`prefix` (host bits all ones).
pub fn directed_broadcast(subnet: Ipv4Addr, prefix: u8) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(subnet) | !mask(prefix))
}

/// The hosts' addresses: those given, and the lowest free ones for the rest.
fn assign_addresses(
    subnet: Ipv4Addr,
    prefix: u8,
    wanted: &[Option<Ipv4Addr>],
) -> io::Result<Vec<Ipv4Addr>> {
    let invalid = |msg: String| io::Error::new(io::ErrorKind::InvalidInput, msg);
    if !(1..=30).contains(&prefix) {
        return Err(invalid(format!(
            "a LAN's prefix must be 1 to 30 (one with a broadcast address), not {prefix}"
        )));
    }
    let network = network_of(subnet, prefix);
    let broadcast = directed_broadcast(network, prefix);
    let usable =
        |ip: Ipv4Addr| network_of(ip, prefix) == network && ip != network && ip != broadcast;
    let mut taken: Vec<Ipv4Addr> = Vec::new();
    for ip in wanted.iter().flatten() {
        if !usable(*ip) {
            return Err(invalid(format!(
                "{ip} is not a host address of {network}/{prefix}"
            )));
        }
        if taken.contains(ip) {
            return Err(invalid(format!("{ip} is asked for twice")));
        }
        taken.push(*ip);
    }
    let mut next = (u32::from(network) + 1..u32::from(broadcast))
        .map(Ipv4Addr::from)
        .filter(|ip| !taken.contains(ip));
    wanted
        .iter()
        .map(|ip| match ip {
            Some(ip) => Ok(*ip),
            None => next.next().ok_or_else(|| {
                invalid(format!(
                    "{network}/{prefix} has too few addresses for {} hosts",
                    wanted.len()
                ))
            }),
        })
        .collect()
}

/// Whether the kernel has IPv6 (then each LAN interface's IPv6 is silenced).
fn ipv6_present() -> bool {
    std::path::Path::new("/proc/sys/net/ipv6").exists()
}

fn quiet(dev: &str) -> String {
    if ipv6_present() {
        format!("link set {dev} addrgenmode none\n")
    } else {
        String::new()
    }
}

/// The `ip -batch` script for the bridge's namespace: `br0`, and one veth pair
/// per host whose `eth0` end goes into the host's namespace (named by path).
fn bridge_script(host_namespaces: &[String]) -> String {
    let br = BRIDGE_INTERFACE;
    let mut script = format!("link add {br} type bridge\n{}", quiet(br));
    for (i, ns) in host_namespaces.iter().enumerate() {
        let port = format!("h{i}");
        script.push_str(&format!(
            "link add {port} type veth peer name {HOST_INTERFACE} netns {ns}\n{}\
             link set {port} master {br}\n\
             link set {port} up\n",
            quiet(&port)
        ));
    }
    script.push_str(&format!("link set {br} up\n"));
    script
}

/// The `ip -batch` script for a host's namespace (a sandbox, `eth0` already in it).
fn host_script(addr: Ipv4Addr, prefix: u8, broadcast: Ipv4Addr) -> String {
    let dev = HOST_INTERFACE;
    format!(
        "{}addr add {addr}/{prefix} broadcast {broadcast} dev {dev}\n\
         link set {dev} up\n\
         route replace broadcast 255.255.255.255 dev {dev} table local src {addr}\n",
        quiet(dev)
    )
}

/// Waits until every host and `h0` exchange datagrams: a new veth link can
/// drop what is sent on it until the kernel has activated it (and the bridge
/// port forwards), a moment after `up`.
fn await_links(hosts: &[Host]) -> io::Result<()> {
    let Some((hub, others)) = hosts.split_first() else {
        return Ok(());
    };
    let bind = |host: &Host| {
        host.net.within(|| {
            let socket = UdpSocket::bind((host.addr, 0))?;
            socket.set_read_timeout(Some(Duration::from_millis(10)))?;
            Ok(socket)
        })
    };
    let hub_socket = bind(hub)?;
    let deadline = Instant::now() + LINK_TIMEOUT;
    let mut buf = [0u8; 64];
    for host in others {
        let socket = bind(host)?;
        let to = socket.local_addr()?;
        loop {
            hub_socket.send_to(b"sockspec lan probe", to)?;
            let answered = socket
                .recv_from(&mut buf)
                .and_then(|(_, from)| socket.send_to(b"ok", from))
                .and_then(|_| hub_socket.recv_from(&mut buf))
                .is_ok();
            if answered {
                break;
            }
            if Instant::now() > deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "the LAN's links did not come up: {} and {} exchanged no datagram in {LINK_TIMEOUT:?}",
                        hub.name, host.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// A datagram with the address it was sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// Its payload.
    pub payload: Vec<u8>,
    /// Who sent it.
    pub from: SocketAddr,
    /// The destination address in its IP header: a broadcast address, or this
    /// host's own for a unicast.
    pub destination: Ipv4Addr,
}

/// Asks the kernel to tell `socket`'s datagrams' destination addresses
/// (`IP_PKTINFO`); only datagrams that arrive afterwards carry it.
pub fn want_destination(socket: &impl AsFd) -> io::Result<()> {
    socket::setsockopt(socket, sockopt::Ipv4PacketInfo, &true).map_err(io::Error::from)
}

/// Receives one datagram on an IPv4 socket with its destination address,
/// blocking as `socket` does. [`want_destination`] must have been called
/// before the datagram arrived.
pub fn recv_with_destination(socket: &UdpSocket) -> io::Result<Received> {
    recv_fd(socket.as_fd())
}

/// [`recv_with_destination`] for a tokio socket (as [`Net::udp_bind`] makes).
pub async fn recv_with_destination_async(socket: &tokio::net::UdpSocket) -> io::Result<Received> {
    socket
        .async_io(tokio::io::Interest::READABLE, || recv_fd(socket.as_fd()))
        .await
}

fn recv_fd(fd: BorrowedFd<'_>) -> io::Result<Received> {
    let mut payload = vec![0u8; 65_536];
    let mut cmsg = nix::cmsg_space!(nix::libc::in_pktinfo);
    let mut iov = [IoSliceMut::new(&mut payload)];
    let msg =
        socket::recvmsg::<SockaddrIn>(fd.as_raw_fd(), &mut iov, Some(&mut cmsg), MsgFlags::empty())
            .map_err(io::Error::from)?;
    let len = msg.bytes;
    let from = msg
        .address
        .map(|a| SocketAddr::V4(SocketAddrV4::new(a.ip(), a.port())))
        .ok_or_else(|| io::Error::other("a datagram without a sender address"))?;
    let destination = msg
        .cmsgs()
        .map_err(io::Error::from)?
        .find_map(|c| match c {
            ControlMessageOwned::Ipv4PacketInfo(info) => {
                Some(Ipv4Addr::from(u32::from_be(info.ipi_addr.s_addr)))
            }
            _ => None,
        })
        .ok_or_else(|| {
            io::Error::other("no IP_PKTINFO with the datagram: call want_destination first")
        })?;
    payload.truncate(len);
    payload.shrink_to_fit();
    Ok(Received {
        payload,
        from,
        destination,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    #[test]
    fn directed_broadcast_sets_the_host_bits() {
        assert_eq!(directed_broadcast(ip("10.77.0.0"), 24), ip("10.77.0.255"));
        assert_eq!(
            directed_broadcast(ip("176.16.0.0"), 16),
            ip("176.16.255.255")
        );
        assert_eq!(
            directed_broadcast(ip("192.168.1.8"), 30),
            ip("192.168.1.11")
        );
    }

    #[test]
    fn hosts_get_the_lowest_free_addresses_around_pinned_ones() {
        let got =
            assign_addresses(ip("176.16.2.0"), 24, &[None, Some(ip("176.16.2.1")), None]).unwrap();
        assert_eq!(got, [ip("176.16.2.2"), ip("176.16.2.1"), ip("176.16.2.3")]);
    }

    #[test]
    fn a_subnet_given_by_any_of_its_addresses_is_normalized() {
        let got = assign_addresses(ip("10.1.2.77"), 24, &[None]).unwrap();
        assert_eq!(got, [ip("10.1.2.1")]);
    }

    #[test]
    fn impossible_addresses_are_refused() {
        let refused = |subnet: &str, prefix, wanted: &[Option<Ipv4Addr>]| {
            assign_addresses(ip(subnet), prefix, wanted)
                .unwrap_err()
                .kind()
                == io::ErrorKind::InvalidInput
        };
        assert!(refused("10.0.0.0", 24, &[Some(ip("10.0.1.1"))]), "outside");
        assert!(
            refused("10.0.0.0", 24, &[Some(ip("10.0.0.255"))]),
            "broadcast"
        );
        assert!(refused("10.0.0.0", 24, &[Some(ip("10.0.0.0"))]), "network");
        assert!(refused("10.0.0.0", 24, &[Some(ip("10.0.0.5")); 2]), "twice");
        assert!(refused("10.0.0.0", 30, &[None; 3]), "too many hosts");
        assert!(refused("10.0.0.0", 31, &[None]), "no broadcast");
        assert!(refused("10.0.0.0", 0, &[None]), "prefix 0");
    }

    #[test]
    fn scripts_route_the_limited_broadcast_out_of_eth0() {
        let host = host_script(ip("10.77.0.1"), 24, ip("10.77.0.255"));
        assert!(host.contains("addr add 10.77.0.1/24 broadcast 10.77.0.255 dev eth0"));
        assert!(host.contains(
            "route replace broadcast 255.255.255.255 dev eth0 table local src 10.77.0.1"
        ));
        assert!(!host.contains("default"), "no default route: {host}");
        let bridge = bridge_script(&["/proc/1/fd/7".into(), "/proc/1/fd/8".into()]);
        assert!(bridge.contains("link add h1 type veth peer name eth0 netns /proc/1/fd/8"));
        assert!(bridge.contains("link set h1 master br0"));
    }
}
