//! Redirection: inside a sandbox, a client reaches sockspec wherever it
//! connects.
//!
//! [`install`] shapes a sandbox's network namespace (never the host's) so that
//! every TCP connection and every UDP datagram its programs send, to any IPv4 or
//! IPv6 address and any port, reaches sockspec's peer listening on loopback in
//! that namespace, and every host name resolves, offline:
//!
//! - **Routes.** A default route for each family onto loopback, with a source
//!   address of its own ([`SANDBOX_V4`], [`SANDBOX_V6`]), so `connect()` to
//!   `203.0.113.7` or `2001:db8::1` does not fail with "network unreachable"
//!   before the rules below see it.
//! - **Rules** (nftables, table `inet sockspec`, loaded by Debian's `nft` in
//!   the namespace): in the `output` NAT hook, the first packet of every TCP
//!   connection is redirected to `127.0.0.1:PORT` / `[::1]:PORT`
//!   ([`Redirect::tcp_to`]), every UDP flow to the UDP peer's port
//!   ([`Redirect::udp_to`]) and everything to port 53 to the name responder
//!   ([`Redirect::names`]). Broadcast and multicast destinations are never
//!   redirected (a broadcast stays on its routes, as the broadcast role needs),
//!   nor are [`Redirect::exempt`] destinations (a LAN's subnet) and packets of
//!   sockets marked [`BYPASS_MARK`]. What is redirected nowhere and would only
//!   loop through loopback is dropped at once (the sender gets `EPERM`, as it
//!   got "network unreachable" before), so nothing waits for a timeout.
//! - **Where the client meant to go.** Connection tracking keeps each flow's
//!   original destination: for TCP, [`original_destination`] reads it from the
//!   accepted socket (`SO_ORIGINAL_DST`, `IP6T_SO_ORIGINAL_DST`); for UDP,
//!   [`UdpPeer::recv`] looks each datagram's flow up over ctnetlink
//!   ([`Conntrack`]). A UDP reply sent back to the datagram's source leaves
//!   from the address and port the client sent to: conntrack's reverse NAT
//!   rewrites its source.
//! - **Names.** A responder in sockspec ([`names`]) answers every `A`/`AAAA`
//!   query with an address of its own pools, which the rules then redirect like
//!   any other; [`Redirection::name_for`] says which name an address stood for.
//!   The files a mount namespace should show for this are
//!   [`Redirection::sandbox_files`].
//!
//! What still misses the peer: broadcasts and multicasts (on purpose),
//! `exempt` destinations, protocols other than TCP and UDP (ICMP, SCTP, raw
//! sockets: dropped), UDP to port 53 when names are redirected (the responder
//! gets it), and everything IPv6 on a machine without IPv6. Names resolve
//! offline only if the program's resolver asks DNS: a mount namespace must
//! show [`Redirection::sandbox_files`] and hide the machine's `nscd` and
//! `systemd-resolved` sockets (`/run/nscd`, `/run/systemd/resolve`), which
//! glibc would otherwise ask over Unix sockets, outside the network namespace.
//!
//! Why NAT (and not TPROXY): a redirected connection or flow is an ordinary
//! one to the peer, replies need no special sockets (TPROXY would need a
//! transparent socket bound to each original destination for every UDP reply,
//! which fails when the client's own socket holds that port), a client sending
//! from one socket to two destinations still gets each reply from the right
//! address (conntrack picks another source port for the second flow), and the
//! whole setup is two short child processes. The cost: UDP's original
//! destination takes one ctnetlink round trip per datagram.

mod conntrack;
pub mod names;

pub use conntrack::{Conntrack, Flow, Transport};
pub use names::{HOSTNAME_ADDR, NAMESERVER, Names, SandboxFile};

use crate::net::Net;
use crate::sandbox;
use socket2::{Domain, Protocol, SockRef, Socket, Type};
use std::fmt::Write as _;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsFd, BorrowedFd};
use std::process::Command;
use std::sync::Arc;

/// The sandbox's own IPv4 address: the source of what its programs send to
/// any non-local address (TEST-NET-1, never a real host).
pub const SANDBOX_V4: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);

/// The sandbox's own IPv6 address (a unique local address), likewise. Being
/// ULA, glibc sorts a name's IPv4 answer first (RFC 6724), as on a machine
/// without global IPv6.
pub const SANDBOX_V6: Ipv6Addr = Ipv6Addr::new(0xfdec, 0x5, 0, 0, 0, 0, 0, 1);

/// A socket with this `SO_MARK` is never redirected: for sockspec's own
/// sockets in the namespace that must reach where they are sent.
pub const BYPASS_MARK: u32 = 0x5ec5_bec0;

/// The name of sockspec's nftables table in each sandbox.
pub const TABLE: &str = "sockspec";

/// What to redirect in one sandbox; each role asks for what it needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redirect {
    /// Every TCP connection goes to this port on `127.0.0.1` (IPv4) or `[::1]`
    /// (IPv6), where sockspec's peer listens ([`tcp_peer`] binds one for both).
    pub tcp_to: Option<u16>,
    /// Every UDP flow goes to this port on `127.0.0.1` / `[::1]`
    /// ([`UdpPeer::bind`]); broadcasts and multicasts are left alone.
    pub udp_to: Option<u16>,
    /// Every host name resolves to an address of sockspec's, and everything
    /// sent to port 53 (at any address, TCP or UDP) reaches sockspec's
    /// responder, before `udp_to` and `tcp_to` are considered.
    pub names: bool,
    /// Destinations never redirected, as `(network, prefix length)`: e.g. a
    /// simulated LAN's subnet, whose hosts must be reached as they are.
    pub exempt: Vec<(IpAddr, u8)>,
}

/// Why redirection could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum RedirectError {
    /// `net` is the host's namespace: sockspec never changes that one.
    #[error("redirection is only ever installed in a sandbox, never in the host's network")]
    NotASandbox,
    /// The routes could not be added (`ip`'s message).
    #[error("routing the sandbox's traffic onto loopback failed: {0}")]
    Routes(io::Error),
    /// `nft` is missing or could not start.
    #[error("cannot run `nft` (Debian package nftables): {0}")]
    Nft(io::Error),
    /// `nft` refused the rules (its message).
    #[error("loading the redirection rules failed: {0}")]
    Rules(String),
    /// The name responder's sockets could not be made.
    #[error("starting the name responder failed: {0}")]
    Names(io::Error),
    /// The name responder runs on the tokio runtime, and there is none.
    #[error("the name responder needs a tokio runtime (call install from within one)")]
    NoRuntime,
}

/// Redirection installed in one sandbox: keeps the name responder running
/// (it stops when this is dropped; the rules go with the namespace).
#[derive(Debug)]
pub struct Redirection {
    names: Option<Names>,
    responder: Vec<tokio::task::AbortHandle>,
}

impl Drop for Redirection {
    fn drop(&mut self) {
        for task in &self.responder {
            task.abort();
        }
    }
}

impl Redirection {
    /// The names the responder gave out (`None` when names are not redirected).
    pub fn names(&self) -> Option<&Names> {
        self.names.as_ref()
    }

    /// The host name the client resolved to `ip`, if it got `ip` from the
    /// responder (or from the hosts file of [`Redirection::sandbox_files`]).
    pub fn name_for(&self, ip: IpAddr) -> Option<String> {
        self.names.as_ref()?.name_for(ip.to_canonical())
    }

    /// The files a mount namespace should show for names to resolve offline
    /// in a sandbox whose host name is `hostname` (see
    /// [`names::sandbox_files`]); `hostname` is remembered so its address is
    /// named in the evidence.
    pub fn sandbox_files(&self, hostname: &str) -> Vec<SandboxFile> {
        if let Some(names) = &self.names {
            names.remember(hostname, HOSTNAME_ADDR.into());
        }
        names::sandbox_files(hostname)
    }
}

/// Whether this machine has IPv6 at all (a kernel booted with
/// `ipv6.disable=1` has none; then only IPv4 is redirected).
pub fn ipv6_available() -> bool {
    std::path::Path::new("/proc/sys/net/ipv6").exists()
}

/// Installs redirection in the sandbox `net`: routes, the name responder (on
/// the current tokio runtime, when [`Redirect::names`]) and the rules. Once
/// per sandbox: a second install would add its rules after the first's.
pub fn install(net: &Net, redirect: &Redirect) -> Result<Redirection, RedirectError> {
    let ns = net.ns_fd().ok_or(RedirectError::NotASandbox)?;
    let v6 = ipv6_available();
    // Routes and rules are independent: `ip` runs while the responder starts
    // and `nft` loads.
    std::thread::scope(|scope| {
        let routes = scope.spawn(|| sandbox::ip_batch(ns, &route_script(v6)));
        let rest = responder_and_rules(net, ns, redirect, v6);
        routes
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the routes thread panicked")))
            .map_err(RedirectError::Routes)?;
        rest
    })
}

fn responder_and_rules(
    net: &Net,
    ns: BorrowedFd<'_>,
    redirect: &Redirect,
    v6: bool,
) -> Result<Redirection, RedirectError> {
    let mut redirection = Redirection {
        names: None,
        responder: Vec::new(),
    };
    let mut dns_port = None;
    if redirect.names {
        let runtime =
            tokio::runtime::Handle::try_current().map_err(|_| RedirectError::NoRuntime)?;
        let names = Names::default();
        let _guard = runtime.enter();
        let (udp, tcp, port) = responder_sockets(net, v6).map_err(RedirectError::Names)?;
        for socket in udp {
            let socket =
                tokio::net::UdpSocket::from_std(socket.into()).map_err(RedirectError::Names)?;
            let task = runtime.spawn(names::serve_udp(socket, names.clone()));
            redirection.responder.push(task.abort_handle());
        }
        for listener in tcp {
            let listener =
                tokio::net::TcpListener::from_std(listener.into()).map_err(RedirectError::Names)?;
            let task = runtime.spawn(names::serve_tcp(listener, names.clone()));
            redirection.responder.push(task.abort_handle());
        }
        redirection.names = Some(names);
        dns_port = Some(port);
    }
    nft(ns, &nft_script(redirect, dns_port, v6))?;
    Ok(redirection)
}

/// The `ip -batch` lines giving a sandbox its own addresses and default
/// routes onto loopback (`v6`: IPv6 too).
pub fn route_script(v6: bool) -> String {
    // `replace`: installing again (other ports) changes nothing here.
    let mut script = format!(
        "addr replace {SANDBOX_V4}/32 dev lo\n\
         route replace default dev lo src {SANDBOX_V4}\n"
    );
    if v6 {
        let _ = write!(
            script,
            "addr replace {SANDBOX_V6}/128 dev lo nodad\n\
             route replace ::/0 dev lo src {SANDBOX_V6}\n"
        );
    }
    script
}

/// The nftables ruleset for `redirect`, with the name responder on
/// `dns_port` (`v6`: IPv6 rules too).
pub fn nft_script(redirect: &Redirect, dns_port: Option<u16>, v6: bool) -> String {
    let mut divert = String::new();
    let line = |s: &mut String, rule: String| {
        let _ = writeln!(s, "    {rule}");
    };
    line(&mut divert, format!("meta mark {BYPASS_MARK:#x} accept"));
    // Broadcasts (limited and directed) and multicasts keep their routes. (For
    // IPv6, `fib` has no multicast type on loopback: the prefix says it.)
    line(&mut divert, "fib daddr type broadcast accept".into());
    line(&mut divert, "ip daddr 224.0.0.0/4 accept".into());
    line(&mut divert, "ip6 daddr ff00::/8 accept".into());
    let (exempt4, exempt6): (Vec<_>, Vec<_>) =
        redirect.exempt.iter().partition(|(ip, _)| ip.is_ipv4());
    for (family, list) in [("ip", exempt4), ("ip6", exempt6)] {
        if !list.is_empty() && (family == "ip" || v6) {
            let set: Vec<String> = list.iter().map(|(ip, p)| format!("{ip}/{p}")).collect();
            line(
                &mut divert,
                format!("{family} daddr {{ {} }} accept", set.join(", ")),
            );
        }
    }
    if let Some(port) = dns_port {
        line(
            &mut divert,
            format!("meta l4proto {{ tcp, udp }} th dport 53 redirect to :{port}"),
        );
    }
    if let Some(port) = redirect.tcp_to {
        line(&mut divert, format!("meta l4proto tcp redirect to :{port}"));
    }
    if let Some(port) = redirect.udp_to {
        line(&mut divert, format!("meta l4proto udp redirect to :{port}"));
    }
    // Declared, deleted and made anew in one transaction: loading it again
    // (a check's next listener on another port) replaces the rules.
    format!(
        "table inet {TABLE} {{}}\n\
         delete table inet {TABLE}\n\
         table inet {TABLE} {{\n\
         \x20 chain divert {{\n\
         \x20   type nat hook output priority -100; policy accept;\n\
         {divert}\
         \x20 }}\n\
         \x20 chain strays {{\n\
         \x20   type filter hook output priority 0; policy accept;\n\
         \x20   oifname \"lo\" fib daddr type != {{ local, broadcast, multicast, anycast }} meta l4proto tcp reject with tcp reset\n\
         \x20   oifname \"lo\" fib daddr type != {{ local, broadcast, multicast, anycast }} drop\n\
         \x20 }}\n\
         }}\n"
    )
}

/// `nft`: from `PATH`, else where Debian puts it (`/usr/sbin`, which an
/// ordinary user's `PATH` lacks).
fn nft_program() -> std::path::PathBuf {
    let in_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("nft"))
            .find(|p| p.is_file())
    });
    in_path
        .or_else(|| {
            ["/usr/sbin/nft", "/sbin/nft"]
                .into_iter()
                .map(std::path::PathBuf::from)
                .find(|p| p.is_file())
        })
        .unwrap_or_else(|| "nft".into())
}

/// Runs `nft -f -` with `script` in the network namespace `ns`.
fn nft(ns: BorrowedFd<'_>, script: &str) -> Result<(), RedirectError> {
    let mut cmd = Command::new(nft_program());
    cmd.args(["-f", "-"]);
    let out =
        crate::sandbox::run_in_namespace(ns, cmd, script.as_bytes()).map_err(RedirectError::Nft)?;
    if !out.status.success() {
        return Err(RedirectError::Rules(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    Ok(())
}

/// A non-blocking socket of `ty` bound to `addr` (listening, for TCP) in the
/// calling thread's namespace: call it inside [`Net::within`].
fn bind_here(ty: Type, addr: SocketAddr) -> io::Result<Socket> {
    let protocol = if ty == Type::STREAM {
        Protocol::TCP
    } else {
        Protocol::UDP
    };
    let socket = Socket::new(Domain::for_address(addr), ty, Some(protocol))?;
    socket.set_nonblocking(true)?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    if ty == Type::STREAM {
        socket.set_reuse_address(true)?;
    }
    socket.bind(&addr.into())?;
    if ty == Type::STREAM {
        socket.listen(128)?;
    }
    Ok(socket)
}

/// Sockets of `ty` on `127.0.0.1:PORT` and (with `v6`) `[::1]:PORT`, one port
/// chosen by the kernel for both, in the calling thread's namespace.
fn loopback_pair_here(ty: Type, v6: bool) -> io::Result<(Vec<Socket>, u16)> {
    let mut last = io::Error::other("no port");
    for _ in 0..16 {
        let v4 = bind_here(ty, (Ipv4Addr::LOCALHOST, 0).into())?;
        let port = v4
            .local_addr()?
            .as_socket()
            .map(|a| a.port())
            .ok_or_else(|| io::Error::other("unnamed socket"))?;
        if !v6 {
            return Ok((vec![v4], port));
        }
        match bind_here(ty, (Ipv6Addr::LOCALHOST, port).into()) {
            Ok(v6) => return Ok((vec![v4, v6], port)),
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

type ResponderSockets = (Vec<Socket>, Vec<Socket>, u16);

/// The responder's UDP sockets and TCP listeners, all on one port, in `net`
/// (made on one thread that joins it).
fn responder_sockets(net: &Net, v6: bool) -> io::Result<ResponderSockets> {
    net.within(|| {
        let mut last = io::Error::other("no port");
        for _ in 0..16 {
            let (udp, port) = loopback_pair_here(Type::DGRAM, v6)?;
            let mut tcp = Vec::new();
            let mut taken = None;
            for ip in [
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(Ipv6Addr::LOCALHOST),
            ]
            .into_iter()
            .filter(|ip| v6 || ip.is_ipv4())
            {
                match bind_here(Type::STREAM, SocketAddr::new(ip, port)) {
                    Ok(listener) => tcp.push(listener),
                    Err(e) => {
                        taken = Some(e);
                        break;
                    }
                }
            }
            match taken {
                None => return Ok((udp, tcp, port)),
                Some(e) if e.kind() == io::ErrorKind::AddrInUse => last = e,
                Some(e) => return Err(e),
            }
        }
        Err(last)
    })
}

/// A TCP listener for redirected connections: `[::]:0` taking IPv4 too (or
/// `127.0.0.1:0` without IPv6) in `net`; its port is [`Redirect::tcp_to`].
/// Must be called within a tokio runtime.
pub fn tcp_peer(net: &Net) -> io::Result<tokio::net::TcpListener> {
    let addr: SocketAddr = if ipv6_available() {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv4Addr::LOCALHOST, 0).into()
    };
    let socket = net.socket(&addr, Type::STREAM, Protocol::TCP)?;
    if addr.is_ipv6() {
        socket.set_only_v6(false)?;
    }
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(128)?;
    tokio::net::TcpListener::from_std(socket.into())
}

/// Where the client of `stream` (accepted from a redirected connection)
/// meant to connect: the address and port it passed to `connect()`.
/// `ErrorKind::NotFound` when the connection was not redirected.
pub fn original_destination(stream: &impl AsFd) -> io::Result<SocketAddr> {
    use nix::sys::socket::{getsockopt, sockopt};
    let local = SockRef::from(stream)
        .local_addr()?
        .as_socket()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not an IP socket"))?;
    let v4 = match local {
        SocketAddr::V4(_) => true,
        SocketAddr::V6(v6) => v6.ip().to_ipv4_mapped().is_some(),
    };
    let fd = stream.as_fd();
    if v4 {
        let sin = getsockopt(&fd, sockopt::OriginalDst).map_err(io::Error::from)?;
        Ok(SocketAddr::new(
            IpAddr::V4(Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr))),
            u16::from_be(sin.sin_port),
        ))
    } else {
        let sin6 = getsockopt(&fd, sockopt::Ip6tOriginalDst).map_err(io::Error::from)?;
        Ok(SocketAddr::V6(std::net::SocketAddrV6::new(
            Ipv6Addr::from(sin6.sin6_addr.s6_addr),
            u16::from_be(sin6.sin6_port),
            sin6.sin6_flowinfo,
            sin6.sin6_scope_id,
        )))
    }
}

/// One datagram received by a [`UdpPeer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Datagram {
    /// Its length (the bytes are at the start of the buffer given).
    pub len: usize,
    /// Where it came from as the peer sees it: reply to this with
    /// [`UdpPeer::send_to`].
    pub source: SocketAddr,
    /// The client's own address and port (its socket's name); differs from
    /// `source` when conntrack had to change the port to keep two flows apart.
    pub client: SocketAddr,
    /// Where the client sent it: the address and port it meant.
    pub destination: SocketAddr,
}

/// sockspec's UDP peer for redirected datagrams: sockets on `127.0.0.1:PORT`
/// and `[::1]:PORT` in a sandbox, and a ctnetlink socket there to tell each
/// datagram's original destination.
#[derive(Debug)]
pub struct UdpPeer {
    sockets: Vec<tokio::net::UdpSocket>,
    port: u16,
    conntrack: Arc<Conntrack>,
}

impl UdpPeer {
    /// Binds the peer in `net` on a port the kernel picks (its
    /// [`UdpPeer::port`] is [`Redirect::udp_to`]). Must be called within a
    /// tokio runtime.
    pub fn bind(net: &Net) -> io::Result<UdpPeer> {
        let v6 = ipv6_available();
        let ((sockets, port), conntrack) = net.within(|| {
            Ok((
                loopback_pair_here(Type::DGRAM, v6)?,
                Conntrack::open_here()?,
            ))
        })?;
        let sockets = sockets
            .into_iter()
            .map(|s| tokio::net::UdpSocket::from_std(s.into()))
            .collect::<io::Result<_>>()?;
        Ok(UdpPeer {
            sockets,
            port,
            conntrack: Arc::new(conntrack),
        })
    }

    /// The port the peer listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Receives the next datagram (IPv4 or IPv6) into `buf`, with where its
    /// client meant it to go.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<Datagram> {
        let (index, len, source) = loop {
            // Whichever socket is readable first; a datagram on the other
            // stays queued for the next call.
            match self.sockets.as_slice() {
                [v4] => v4.readable().await?,
                [v4, v6] => tokio::select! {
                    r = v4.readable() => r?,
                    r = v6.readable() => r?,
                },
                _ => return Err(io::Error::other("a UDP peer has one or two sockets")),
            }
            let mut got = None;
            for (i, s) in self.sockets.iter().enumerate() {
                match s.try_recv_from(buf) {
                    Ok((len, from)) => {
                        got = Some((i, len, from));
                        break;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(e) => return Err(e),
                }
            }
            if let Some(got) = got {
                break got;
            }
        };
        let local = self.sockets[index].local_addr()?;
        let flow = self
            .conntrack
            .flow_by_reply(Transport::Udp, local, source)?;
        Ok(Datagram {
            len,
            source,
            client: flow.map_or(source, |f| f.client),
            destination: flow.map_or(local, |f| f.destination),
        })
    }

    /// Sends `buf` to `to` (a [`Datagram::source`]): the client receives it
    /// from the address and port it sent to.
    pub async fn send_to(&self, buf: &[u8], to: SocketAddr) -> io::Result<usize> {
        let socket = self
            .sockets
            .iter()
            .find(|s| s.local_addr().is_ok_and(|a| a.is_ipv4() == to.is_ipv4()))
            .ok_or_else(|| {
                io::Error::new(io::ErrorKind::Unsupported, format!("no socket for {to}"))
            })?;
        socket.send_to(buf, to).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_role_gets_tcp_udp_and_names_and_broadcasts_stay() {
        let script = nft_script(
            &Redirect {
                tcp_to: Some(4000),
                udp_to: Some(4001),
                names: true,
                exempt: vec![],
            },
            Some(4053),
            true,
        );
        let dns = script.find("th dport 53 redirect to :4053").unwrap();
        let tcp = script.find("meta l4proto tcp redirect to :4000").unwrap();
        let udp = script.find("meta l4proto udp redirect to :4001").unwrap();
        let broadcast = script.find("fib daddr type broadcast accept").unwrap();
        assert!(script.contains("ip6 daddr ff00::/8 accept"));
        assert!(broadcast < dns && dns < tcp && dns < udp, "{script}");
        assert!(script.contains("type nat hook output priority -100"));
        let not_local = "oifname \"lo\" fib daddr type != { local, broadcast, multicast, anycast }";
        assert!(script.contains(&format!(
            "{not_local} meta l4proto tcp reject with tcp reset\n"
        )));
        assert!(script.contains(&format!("{not_local} drop\n")));
    }

    #[test]
    fn only_what_is_asked_for_is_redirected_and_exempt_networks_never() {
        let script = nft_script(
            &Redirect {
                tcp_to: None,
                udp_to: Some(9),
                names: false,
                exempt: vec![
                    ("10.77.0.0".parse().unwrap(), 24),
                    ("fd00::".parse().unwrap(), 64),
                ],
            },
            None,
            true,
        );
        assert!(!script.contains("l4proto tcp redirect"), "{script}");
        assert!(!script.contains("dport 53"), "{script}");
        let exempt = script.find("ip daddr { 10.77.0.0/24 } accept").unwrap();
        assert!(script.contains("ip6 daddr { fd00::/64 } accept"));
        assert!(exempt < script.find("udp redirect to :9").unwrap());
    }

    #[test]
    fn routes_give_the_sandbox_an_address_of_each_family() {
        let script = route_script(true);
        assert!(script.contains("route replace default dev lo src 192.0.2.1\n"));
        assert!(script.contains("route replace ::/0 dev lo src fdec:5::1\n"));
        assert!(!route_script(false).contains("::/0"));
    }
}
