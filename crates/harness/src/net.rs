//! Where sockets are made: the host's network namespace or a sandbox's.
//!
//! A socket belongs to the namespace it was created in, whatever thread uses it
//! later. So sockspec creates the sockets it talks to a sandboxed target with on
//! a short-lived thread that first joins the sandbox's namespace.

use crate::sockdiag::Diag;
use nix::sched::{CloneFlags, setns};
use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Something kept alive as long as a namespace is in use (the sandbox's guard).
pub trait Keepalive: Send + Sync {}
impl<T: Send + Sync> Keepalive for T {}

struct Inner {
    ns: Option<OwnedFd>,
    label: String,
    /// The namespace's sock_diag socket, opened on first use and kept: asking
    /// the kernel about sockets is then one request, not a thread and a socket.
    diag: Mutex<Option<Diag>>,
    /// Set once a process entered the namespace outside any sandbox's PID
    /// namespace (see [`Net::note_unjailed`]); shared by every handle on it.
    unjailed: Arc<AtomicBool>,
    _guard: Option<Box<dyn Keepalive>>,
}

/// A network namespace handle; cheap to clone.
#[derive(Clone)]
pub struct Net {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Net {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.inner.label)
    }
}

impl Net {
    /// The namespace sockspec itself runs in.
    pub fn host() -> Net {
        Net {
            inner: Arc::new(Inner {
                ns: None,
                label: "host network".into(),
                diag: Mutex::new(None),
                unjailed: Arc::default(),
                _guard: None,
            }),
        }
    }

    /// A namespace given by an open `/proc/.../ns/net` descriptor; `guard` lives
    /// as long as the last clone of this handle. `unjailed` is the flag
    /// [`Net::note_unjailed`] sets (shared with another handle on the same
    /// namespace, or with its guard).
    pub fn namespace(
        ns: OwnedFd,
        label: String,
        guard: Box<dyn Keepalive>,
        unjailed: Arc<AtomicBool>,
    ) -> Net {
        Net {
            inner: Arc::new(Inner {
                ns: Some(ns),
                label,
                diag: Mutex::new(None),
                unjailed,
                _guard: Some(guard),
            }),
        }
    }

    /// Records that a process is about to enter this namespace outside any
    /// sandbox's PID namespace (a program run without the sandbox on a LAN
    /// host): ending the sandboxes does not end it, so the namespace's
    /// guard must look for what is left of it.
    pub fn note_unjailed(&self) {
        self.inner.unjailed.store(true, Ordering::SeqCst);
    }

    /// The flag [`Net::note_unjailed`] sets, for another handle on this
    /// namespace.
    pub fn unjailed_flag(&self) -> Arc<AtomicBool> {
        self.inner.unjailed.clone()
    }

    /// Whether this is a sandbox rather than the host's namespace.
    pub fn is_sandbox(&self) -> bool {
        self.inner.ns.is_some()
    }

    /// The namespace descriptor, for a child process to join before exec.
    pub fn ns_fd(&self) -> Option<BorrowedFd<'_>> {
        self.inner.ns.as_ref().map(|fd| fd.as_fd())
    }

    /// Runs `make` inside this namespace (on a scoped thread when sandboxed).
    pub fn within<T: Send>(&self, make: impl FnOnce() -> io::Result<T> + Send) -> io::Result<T> {
        let Some(ns) = &self.inner.ns else {
            return make();
        };
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    setns(ns.as_fd(), CloneFlags::CLONE_NEWNET).map_err(io::Error::from)?;
                    make()
                })
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("socket thread panicked")))
        })
    }

    /// A non-blocking socket of `ty` for `addr`'s family, created in this namespace.
    pub fn socket(&self, addr: &SocketAddr, ty: Type, protocol: Protocol) -> io::Result<Socket> {
        let domain = Domain::for_address(*addr);
        let socket = self.within(|| Socket::new(domain, ty, Some(protocol)))?;
        socket.set_nonblocking(true)?;
        Ok(socket)
    }

    /// A UDP socket bound to `addr` in this namespace.
    pub fn udp_bind(&self, addr: SocketAddr) -> io::Result<tokio::net::UdpSocket> {
        let socket = self.socket(&addr, Type::DGRAM, Protocol::UDP)?;
        if addr.is_ipv6() {
            socket.set_only_v6(true)?;
        }
        socket.bind(&addr.into())?;
        tokio::net::UdpSocket::from_std(socket.into())
    }
}

impl Net {
    /// A UDP socket bound to `addr` that other sockets may share
    /// (SO_REUSEADDR and SO_REUSEPORT), as broadcast receivers do.
    pub fn udp_bind_shared(&self, addr: SocketAddr) -> io::Result<tokio::net::UdpSocket> {
        let socket = self.socket(&addr, Type::DGRAM, Protocol::UDP)?;
        socket.set_reuse_address(true)?;
        socket.set_reuse_port(true)?;
        socket.bind(&addr.into())?;
        tokio::net::UdpSocket::from_std(socket.into())
    }

    /// A TCP connection to `to`, made from this namespace (`TCP_NODELAY` set,
    /// so each write leaves as its own segment).
    pub async fn tcp_connect(&self, to: SocketAddr) -> io::Result<tokio::net::TcpStream> {
        let socket = self.socket(&to, Type::STREAM, Protocol::TCP)?;
        socket.set_tcp_nodelay(true)?;
        let socket = tokio::net::TcpSocket::from_std_stream(socket.into());
        socket.connect(to).await
    }

    /// Whether `other` is a handle to the same namespace as this one.
    pub fn same_as(&self, other: &Net) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// A socket on every address of both families (`[::]:port` taking IPv4
    /// too; `0.0.0.0:port` where IPv6 is off), for connections and datagrams
    /// redirected from anywhere.
    pub fn wildcard_socket(&self, port: u16, ty: Type, protocol: Protocol) -> io::Result<Socket> {
        let v6 = crate::redirect::ipv6_available();
        let addr: SocketAddr = if v6 {
            (Ipv6Addr::UNSPECIFIED, port).into()
        } else {
            (Ipv4Addr::UNSPECIFIED, port).into()
        };
        let socket = self.socket(&addr, ty, protocol)?;
        if v6 {
            socket.set_only_v6(false)?;
        }
        socket.set_reuse_address(true)?;
        socket.bind(&addr.into())?;
        Ok(socket)
    }

    /// A listening TCP socket bound to `addr` in this namespace.
    pub fn tcp_listen(&self, addr: SocketAddr) -> io::Result<tokio::net::TcpListener> {
        let socket = self.socket(&addr, Type::STREAM, Protocol::TCP)?;
        socket.set_reuse_address(true)?;
        if addr.is_ipv6() {
            socket.set_only_v6(true)?;
        }
        socket.bind(&addr.into())?;
        socket.listen(128)?;
        tokio::net::TcpListener::from_std(socket.into())
    }

    /// The kernel's state of the TCP socket `local` → `remote` in this namespace.
    pub fn tcp_socket(
        &self,
        local: SocketAddr,
        remote: SocketAddr,
    ) -> io::Result<Option<crate::sockdiag::TcpSocketState>> {
        // An IPv4 connection has two spellings: AF_INET, and IPv4-mapped IPv6
        // on a dual-stack AF_INET6 socket. Each end may use either.
        let v4 = |a: SocketAddr| SocketAddr::new(a.ip().to_canonical(), a.port());
        let mapped = |a: SocketAddr| match a.ip().to_canonical() {
            IpAddr::V4(ip) => SocketAddr::new(IpAddr::V6(ip.to_ipv6_mapped()), a.port()),
            IpAddr::V6(_) => a,
        };
        self.with_diag(|diag| {
            let (local4, remote4) = (v4(local), v4(remote));
            if !(local4.is_ipv4() && remote4.is_ipv4()) {
                return diag.tcp_socket(local, remote);
            }
            match diag.tcp_socket(local4, remote4)? {
                Some(found) => Ok(Some(found)),
                None => diag.tcp_socket(mapped(local), mapped(remote)),
            }
        })
    }

    /// Runs `ask` with this namespace's sock_diag socket (opened on first use).
    pub fn with_diag<T>(&self, ask: impl FnOnce(&Diag) -> io::Result<T>) -> io::Result<T> {
        let mut diag = self
            .inner
            .diag
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if diag.is_none() {
            *diag = Some(self.within(Diag::open)?);
        }
        ask(diag.as_ref().expect("just opened"))
    }
}

/// The loopback address of `addr`'s family, port 0: where sockspec binds its own
/// ephemeral endpoints to talk to a target at `addr`.
pub fn loopback_for(addr: &SocketAddr) -> SocketAddr {
    let ip = match addr {
        SocketAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
        SocketAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
    };
    SocketAddr::new(ip, 0)
}

/// Where to reach a server that bound `bound`: a wildcard address is reached
/// over loopback, a specific one as it is.
pub fn reachable(bound: SocketAddr) -> SocketAddr {
    if bound.ip().is_unspecified() {
        SocketAddr::new(loopback_for(&bound).ip(), bound.port())
    } else {
        bound
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_binds_are_reached_over_loopback() {
        assert_eq!(
            reachable("0.0.0.0:8888".parse().unwrap()),
            "127.0.0.1:8888".parse().unwrap()
        );
        assert_eq!(
            reachable("[::]:80".parse().unwrap()),
            "[::1]:80".parse().unwrap()
        );
        assert_eq!(
            reachable("176.1.2.3:9".parse().unwrap()),
            "176.1.2.3:9".parse().unwrap()
        );
    }

    #[test]
    fn finds_a_dual_stack_socket_whichever_way_an_address_is_spelled() {
        use std::io::Write;
        // A dual-stack listener needs IPv6 (as the redirect tests do).
        let listener = std::net::TcpListener::bind("[::]:0").expect("IPv6 on this machine");
        let port = listener.local_addr().unwrap().port();
        let mut client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let (server, _) = listener.accept().unwrap();
        client.write_all(b"abc").unwrap();
        // The server's socket is AF_INET6 (::ffff:127.0.0.1), the client's
        // AF_INET: each is found from the other's plain IPv4 view.
        let net = Net::host();
        let (c_local, c_remote) = (client.local_addr().unwrap(), client.peer_addr().unwrap());
        assert!(server.local_addr().unwrap().is_ipv6());
        let servers = net.tcp_socket(c_remote, c_local).unwrap();
        assert!(servers.is_some(), "the server's end, looked up as IPv4");
        let mapped = |a: SocketAddr| match a.ip() {
            IpAddr::V4(ip) => SocketAddr::new(IpAddr::V6(ip.to_ipv6_mapped()), a.port()),
            IpAddr::V6(_) => a,
        };
        let clients = net.tcp_socket(mapped(c_local), mapped(c_remote)).unwrap();
        assert!(
            clients.is_some(),
            "the client's end, looked up as mapped IPv6"
        );
    }
}
