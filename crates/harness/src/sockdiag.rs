//! Sockets as the kernel sees them, over `NETLINK_SOCK_DIAG`, in the network
//! namespace the request is made in: one TCP connection's state looked up by its
//! addresses (the kernel finds the one socket; nothing is scanned), and the
//! sockets bound in a namespace (listening TCP sockets and bound UDP ones).
//!
//! Diag asks for listening TCP sockets only, so the kernel walks its small
//! table of listeners, not the machine-wide table of connections that reading
//! `/proc/PID/net/tcp` walks (milliseconds per read on a large machine).

use crate::procfs::BoundSocket;
use netlink_packet_core::{
    NLM_F_DUMP, NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload,
};
use netlink_packet_sock_diag::SockDiagMessage;
use netlink_packet_sock_diag::constants::{AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP};
use netlink_packet_sock_diag::inet::nlas::Nla;
use netlink_packet_sock_diag::inet::{ExtensionFlags, InetRequest, SocketId, StateFlags};
use netlink_sys::protocols::NETLINK_SOCK_DIAG;
use netlink_sys::{Socket, SocketAddr as NetlinkAddr};
use sockspec_results::Transport;
use std::collections::HashSet;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};

/// TCP state number of TIME_WAIT.
pub const TCP_TIME_WAIT: u8 = 6;

/// What the kernel says of one TCP socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpSocketState {
    /// The kernel's state number (1 ESTABLISHED, 6 TIME_WAIT, ...).
    pub state: u8,
    /// Bytes received and not yet read by the program holding it.
    pub recv_queue: u32,
    /// The socket's inode (0 when no program holds it, e.g. in TIME_WAIT).
    pub inode: u32,
    /// Bytes its program wrote that the kernel holds back, not yet sent
    /// (Nagle's algorithm, corking, a full window): `tcpi_notsent_bytes`;
    /// `None` when the kernel did not say.
    pub unsent: Option<u32>,
    /// Bytes it has received in order from its peer, read or not:
    /// `tcpi_bytes_received`; `None` when the kernel did not say.
    pub received: Option<u64>,
}

/// `tcpi_notsent_bytes` in a `struct tcp_info` (linux/tcp.h): after 8 bytes
/// of flags, 26 `u32`s and 4 `u64`s, and `segs_out`, `segs_in`.
const NOTSENT_OFFSET: usize = 144;

/// `tcpi_bytes_received` in a `struct tcp_info`: after `tcpi_bytes_acked`.
const RECEIVED_OFFSET: usize = 128;

/// A sock_diag socket of the network namespace it was opened in (opening it
/// inside a sandbox's namespace, e.g. with `Net::within`, lists that one).
pub struct Diag {
    socket: Socket,
    /// The next request's sequence number: a reply to an earlier request
    /// (one that failed halfway) is recognised and skipped.
    sequence: AtomicU32,
}

/// How long a netlink answer may take before the question fails (the kernel
/// answers at once; this bounds a wait that should never happen).
pub const ANSWER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// A netlink socket of `protocol` in the calling thread's network namespace,
/// talking to the kernel, whose receives give up after [`ANSWER_TIMEOUT`].
pub fn kernel_socket(protocol: isize) -> io::Result<Socket> {
    use std::os::fd::{AsRawFd, BorrowedFd};
    let mut socket = Socket::new(protocol)?;
    socket.bind_auto()?;
    socket.connect(&NetlinkAddr::new(0, 0))?;
    // SAFETY: the descriptor belongs to `socket`, alive for this call.
    let fd = unsafe { BorrowedFd::borrow_raw(socket.as_raw_fd()) };
    nix::sys::socket::setsockopt(
        &fd,
        nix::sys::socket::sockopt::ReceiveTimeout,
        &nix::sys::time::TimeVal::new(ANSWER_TIMEOUT.as_secs() as _, 0),
    )
    .map_err(io::Error::from)?;
    Ok(socket)
}

impl Diag {
    /// Opens a listing socket in the calling thread's network namespace.
    pub fn open() -> io::Result<Diag> {
        Ok(Diag {
            socket: kernel_socket(NETLINK_SOCK_DIAG)?,
            sequence: AtomicU32::new(1),
        })
    }

    /// Sends `packet` with a fresh sequence number; returns the number.
    fn send(&self, mut packet: NetlinkMessage<SockDiagMessage>) -> io::Result<u32> {
        let sequence = self.sequence.fetch_add(1, Ordering::Relaxed);
        packet.header.sequence_number = sequence;
        packet.finalize();
        let mut request = vec![0; packet.buffer_len()];
        packet.serialize(&mut request);
        self.socket.send(&request, 0)?;
        Ok(sequence)
    }

    /// The TCP socket whose own address is `local` and whose peer is `remote`,
    /// if one exists in the namespace.
    pub fn tcp_socket(
        &self,
        local: SocketAddr,
        remote: SocketAddr,
    ) -> io::Result<Option<TcpSocketState>> {
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_REQUEST;
        let packet = NetlinkMessage::new(
            header,
            SockDiagMessage::InetRequest(InetRequest {
                family: if local.is_ipv4() { AF_INET } else { AF_INET6 },
                protocol: IPPROTO_TCP,
                extensions: ExtensionFlags::INFO,
                states: StateFlags::all(),
                socket_id: SocketId {
                    source_port: local.port(),
                    destination_port: remote.port(),
                    source_address: local.ip(),
                    destination_address: remote.ip(),
                    interface_id: 0,
                    // "No cookie": look the socket up by its addresses alone.
                    cookie: [0xff; 8],
                },
            })
            .into(),
        );
        let sequence = self.send(packet)?;
        let mut reply = vec![0; 8192];
        let message = loop {
            let n = self.socket.recv(&mut &mut reply[..], 0)?;
            let message = <NetlinkMessage<SockDiagMessage>>::deserialize(&reply[..n])
                .map_err(|e| io::Error::other(format!("sock_diag reply: {e}")))?;
            // The rest of an earlier request's answer: not ours.
            if message.header.sequence_number == sequence {
                break message;
            }
        };
        Ok(match message.payload {
            NetlinkPayload::InnerMessage(SockDiagMessage::InetResponse(response)) => {
                let info = response.nlas.iter().find_map(|nla| match nla {
                    Nla::TcpInfo(info) => Some(info),
                    _ => None,
                });
                let unsent = info
                    .and_then(|i| i.get(NOTSENT_OFFSET..NOTSENT_OFFSET + 4))
                    .and_then(|b| b.try_into().ok())
                    .map(u32::from_ne_bytes);
                let received = info
                    .and_then(|i| i.get(RECEIVED_OFFSET..RECEIVED_OFFSET + 8))
                    .and_then(|b| b.try_into().ok())
                    .map(u64::from_ne_bytes);
                Some(TcpSocketState {
                    state: response.header.state,
                    recv_queue: response.header.recv_queue,
                    inode: response.header.inode,
                    unsent,
                    received,
                })
            }
            NetlinkPayload::Error(e) => match e.code {
                // ENOENT: no such socket.
                Some(code) if -code.get() == nix::libc::ENOENT => None,
                None => None,
                Some(_) => return Err(e.to_io()),
            },
            _ => None,
        })
    }

    /// The listening TCP sockets and the UDP sockets bound to a port in the
    /// namespace whose inode is in `inodes` (the sockets some processes hold).
    pub fn bound(&self, inodes: &HashSet<u64>) -> io::Result<Vec<BoundSocket>> {
        Ok(held(self.bound_sockets()?, inodes))
    }

    /// Every socket here that a server could serve on (listening TCP, UDP
    /// with a port), with its inode: whose they are, `/proc` tells.
    pub fn bound_sockets(&self) -> io::Result<Vec<(BoundSocket, u64)>> {
        let mut found = Vec::new();
        for transport in [Transport::Tcp, Transport::Udp] {
            for family in [AF_INET, AF_INET6] {
                self.dump(family, transport, &mut |state, local, inode| {
                    let listening = transport == Transport::Tcp && state == TCP_LISTEN;
                    let keep = match transport {
                        Transport::Tcp => listening,
                        Transport::Udp => local.port() != 0,
                    };
                    if keep {
                        let socket = BoundSocket {
                            transport,
                            local,
                            listening,
                        };
                        found.push((socket, u64::from(inode)));
                    }
                })?;
            }
        }
        Ok(found)
    }

    /// Dumps the sockets of one family and transport (TCP: listeners only),
    /// calling `each` with the state, local address and inode of each.
    fn dump(
        &self,
        family: u8,
        transport: Transport,
        each: &mut dyn FnMut(u8, SocketAddr, u32),
    ) -> io::Result<()> {
        let (protocol, states) = match transport {
            Transport::Tcp => (IPPROTO_TCP, StateFlags::LISTEN),
            Transport::Udp => (IPPROTO_UDP, StateFlags::all()),
        };
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_REQUEST | NLM_F_DUMP;
        let socket_id = if family == AF_INET {
            SocketId::new_v4()
        } else {
            SocketId::new_v6()
        };
        let packet = NetlinkMessage::new(
            header,
            SockDiagMessage::InetRequest(InetRequest {
                family,
                protocol,
                extensions: ExtensionFlags::empty(),
                states,
                socket_id,
            })
            .into(),
        );
        let sequence = self.send(packet)?;
        let mut reply = vec![0; 32 * 1024];
        loop {
            let n = self.socket.recv(&mut &mut reply[..], 0)?;
            let mut offset = 0;
            while offset < n {
                let message = <NetlinkMessage<SockDiagMessage>>::deserialize(&reply[offset..n])
                    .map_err(|e| io::Error::other(format!("sock_diag reply: {e}")))?;
                let length = message.header.length as usize;
                // The rest of an earlier request's answer is skipped.
                let ours = message.header.sequence_number == sequence;
                match message.payload {
                    _ if !ours => {}
                    NetlinkPayload::InnerMessage(SockDiagMessage::InetResponse(r)) => {
                        let id = &r.header.socket_id;
                        let local = SocketAddr::new(id.source_address, id.source_port);
                        each(r.header.state, local, r.header.inode);
                    }
                    NetlinkPayload::Done(_) => return Ok(()),
                    NetlinkPayload::Error(e) => return Err(e.to_io()),
                    _ => {}
                }
                if length == 0 {
                    break;
                }
                offset += length;
            }
        }
    }
}

/// TCP state number of LISTEN.
const TCP_LISTEN: u8 = 10;

/// The sockets of `sockets` (from [`Diag::bound_sockets`]) whose inode is in
/// `inodes` (the sockets some processes hold).
pub fn held(sockets: Vec<(BoundSocket, u64)>, inodes: &HashSet<u64>) -> Vec<BoundSocket> {
    sockets
        .into_iter()
        .filter(|(_, inode)| inodes.contains(inode))
        .map(|(socket, _)| socket)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sees_unread_bytes_of_a_connection_and_then_none() {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        client.write_all(b"12345").unwrap();
        let (s_local, s_remote) = (server.local_addr().unwrap(), server.peer_addr().unwrap());
        let diag = Diag::open().unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
        let mut seen = None;
        while std::time::Instant::now() < deadline {
            seen = diag.tcp_socket(s_local, s_remote).unwrap();
            if seen.is_some_and(|s| s.recv_queue == 5) {
                break;
            }
        }
        assert_eq!(seen.map(|s| (s.state, s.recv_queue)), Some((1, 5)));
        assert_eq!(
            seen.and_then(|s| s.received),
            Some(5),
            "received, not yet read"
        );
        let (c_local, c_remote) = (client.local_addr().unwrap(), client.peer_addr().unwrap());
        assert_eq!(
            diag.tcp_socket(c_local, c_remote)
                .unwrap()
                .and_then(|s| s.unsent),
            Some(0),
            "everything the client wrote went out"
        );
        let mut buf = [0u8; 5];
        server.read_exact(&mut buf).unwrap();
        assert_eq!(
            diag.tcp_socket(s_local, s_remote)
                .unwrap()
                .map(|s| s.recv_queue),
            Some(0)
        );
        let unused: SocketAddr = "127.0.0.1:1".parse().unwrap();
        assert_eq!(diag.tcp_socket(unused, unused).unwrap(), None);
    }

    #[test]
    fn lists_listeners_and_bound_udp_sockets_it_is_asked_about() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let udp = std::net::UdpSocket::bind("[::1]:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let inodes = crate::procfs::socket_inodes(&[std::process::id()]);
        let found = Diag::open().unwrap().bound(&inodes).unwrap();
        let has = |t: Transport, a: SocketAddr, l: bool| {
            found
                .iter()
                .any(|b| b.transport == t && b.local == a && b.listening == l)
        };
        assert!(
            has(Transport::Tcp, listener.local_addr().unwrap(), true),
            "{found:?}"
        );
        assert!(
            has(Transport::Udp, udp.local_addr().unwrap(), false),
            "{found:?}"
        );
        let connection = client.local_addr().unwrap();
        assert!(
            !found.iter().any(|b| b.local == connection),
            "a connection is not a listener"
        );
        let none = Diag::open().unwrap().bound(&HashSet::new()).unwrap();
        assert!(
            none.is_empty(),
            "sockets no process of ours holds: {none:?}"
        );
    }
}
