//! One TCP connection's kernel state, looked up by its addresses with a
//! `NETLINK_SOCK_DIAG` request (the kernel finds the one socket; nothing is
//! scanned), in the namespace of the calling thread.

use netlink_packet_core::{NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload};
use netlink_packet_sock_diag::SockDiagMessage;
use netlink_packet_sock_diag::constants::{AF_INET, AF_INET6, IPPROTO_TCP};
use netlink_packet_sock_diag::inet::nlas::Nla;
use netlink_packet_sock_diag::inet::{ExtensionFlags, InetRequest, SocketId, StateFlags};
use netlink_sys::protocols::NETLINK_SOCK_DIAG;
use netlink_sys::{Socket, SocketAddr as NetlinkAddr};
use std::io;
use std::net::SocketAddr;

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
}

/// `tcpi_notsent_bytes` in a `struct tcp_info` (linux/tcp.h): after 8 bytes
/// of flags, 26 `u32`s and 4 `u64`s, and `segs_out`, `segs_in`.
const NOTSENT_OFFSET: usize = 144;

/// The TCP socket whose own address is `local` and whose peer is `remote`, if
/// one exists in this thread's network namespace.
pub fn tcp_socket(local: SocketAddr, remote: SocketAddr) -> io::Result<Option<TcpSocketState>> {
    let mut socket = Socket::new(NETLINK_SOCK_DIAG)?;
    socket.bind_auto()?;
    socket.connect(&NetlinkAddr::new(0, 0))?;
    let mut header = NetlinkHeader::default();
    header.flags = NLM_F_REQUEST;
    let mut packet = NetlinkMessage::new(
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
    packet.finalize();
    let mut request = vec![0; packet.buffer_len()];
    packet.serialize(&mut request);
    socket.send(&request, 0)?;
    let mut reply = vec![0; 8192];
    let n = socket.recv(&mut &mut reply[..], 0)?;
    let message = <NetlinkMessage<SockDiagMessage>>::deserialize(&reply[..n])
        .map_err(|e| io::Error::other(format!("sock_diag reply: {e}")))?;
    Ok(match message.payload {
        NetlinkPayload::InnerMessage(SockDiagMessage::InetResponse(response)) => {
            let unsent = response.nlas.iter().find_map(|nla| match nla {
                Nla::TcpInfo(info) => info
                    .get(NOTSENT_OFFSET..NOTSENT_OFFSET + 4)
                    .and_then(|b| b.try_into().ok())
                    .map(u32::from_ne_bytes),
                _ => None,
            });
            Some(TcpSocketState {
                state: response.header.state,
                recv_queue: response.header.recv_queue,
                inode: response.header.inode,
                unsent,
            })
        }
        // ENOENT: no such socket.
        _ => None,
    })
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
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
        let mut seen = None;
        while std::time::Instant::now() < deadline {
            seen = tcp_socket(s_local, s_remote).unwrap();
            if seen.is_some_and(|s| s.recv_queue == 5) {
                break;
            }
        }
        assert_eq!(seen.map(|s| (s.state, s.recv_queue)), Some((1, 5)));
        let (c_local, c_remote) = (client.local_addr().unwrap(), client.peer_addr().unwrap());
        assert_eq!(
            tcp_socket(c_local, c_remote)
                .unwrap()
                .and_then(|s| s.unsent),
            Some(0),
            "everything the client wrote went out"
        );
        let mut buf = [0u8; 5];
        server.read_exact(&mut buf).unwrap();
        assert_eq!(
            tcp_socket(s_local, s_remote).unwrap().map(|s| s.recv_queue),
            Some(0)
        );
        let unused: SocketAddr = "127.0.0.1:1".parse().unwrap();
        assert_eq!(tcp_socket(unused, unused).unwrap(), None);
    }
}
