//! Where a redirected datagram was going: the kernel's connection tracking
//! table of a sandbox, asked one entry at a time over `NETLINK_NETFILTER`
//! (ctnetlink `IPCTNL_MSG_CT_GET` by the entry's reply tuple; nothing is dumped
//! or scanned).
//!
//! A redirected flow's entry holds both directions: the original tuple (the
//! client's own address and port → the destination it meant) and the reply
//! tuple (sockspec's peer → the address the peer sees the client at, which
//! differs from the client's own when conntrack had to pick another source
//! port to keep two flows apart). The peer knows the reply tuple (its own
//! address, the datagram's source); the kernel returns the original.

use crate::net::Net;
use netlink_packet_core::{NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload};
use netlink_packet_netfilter::conntrack::{
    ConntrackAttribute, ConntrackMessage, IPTuple, ProtoTuple, Protocol, Tuple,
};
use netlink_packet_netfilter::{
    NetfilterHeader, NetfilterMessage, NetfilterMessageInner, NetfilterProtoFamily,
};
use netlink_sys::Socket;
use netlink_sys::protocols::NETLINK_NETFILTER;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

/// The transport protocol of a tracked flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

/// One tracked flow, as the client sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flow {
    /// The client's own address and port (its socket's name).
    pub client: SocketAddr,
    /// Where the client sent it: the destination it meant, before redirection.
    pub destination: SocketAddr,
}

/// A ctnetlink socket opened in one network namespace.
pub struct Conntrack {
    socket: Mutex<Socket>,
    sequence: AtomicU32,
}

impl std::fmt::Debug for Conntrack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Conntrack")
    }
}

impl Conntrack {
    /// Opens a ctnetlink socket in `net`'s namespace (sockspec needs
    /// `CAP_NET_ADMIN` there, which it has in every sandbox it makes).
    pub fn open(net: &Net) -> io::Result<Conntrack> {
        net.within(Conntrack::open_here)
    }

    /// Opens a ctnetlink socket in the calling thread's network namespace.
    pub fn open_here() -> io::Result<Conntrack> {
        let socket = crate::sockdiag::kernel_socket(NETLINK_NETFILTER)?;
        Ok(Conntrack {
            socket: Mutex::new(socket),
            sequence: AtomicU32::new(1),
        })
    }

    /// The flow whose replies go from `reply_source` to `reply_destination`:
    /// for a datagram sockspec's peer received on `reply_source` (its own
    /// address) from `reply_destination` (the datagram's source). `None` when
    /// the kernel tracks no such flow (the datagram was not redirected).
    pub fn flow_by_reply(
        &self,
        transport: Transport,
        reply_source: SocketAddr,
        reply_destination: SocketAddr,
    ) -> io::Result<Option<Flow>> {
        let source = canonical(reply_source);
        let destination = canonical(reply_destination);
        if source.is_ipv4() != destination.is_ipv4() {
            return Ok(None);
        }
        let family = if source.is_ipv4() {
            NetfilterProtoFamily::IPv4
        } else {
            NetfilterProtoFamily::IPv6
        };
        let protocol = match transport {
            Transport::Tcp => Protocol::Tcp,
            Transport::Udp => Protocol::Udp,
        };
        let tuple = vec![
            Tuple::Ip(vec![
                IPTuple::SourceAddress(source.ip()),
                IPTuple::DestinationAddress(destination.ip()),
            ]),
            Tuple::Proto(vec![
                ProtoTuple::Protocol(protocol),
                ProtoTuple::SourcePort(source.port()),
                ProtoTuple::DestinationPort(destination.port()),
            ]),
        ];
        let sequence = self.sequence.fetch_add(1, Ordering::Relaxed);
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_REQUEST;
        header.sequence_number = sequence;
        let mut packet = NetlinkMessage::new(
            header,
            NetlinkPayload::from(NetfilterMessage::new(
                NetfilterHeader::new(family, 0, 0),
                ConntrackMessage::Get(vec![ConntrackAttribute::CtaTupleReply(tuple)]),
            )),
        );
        packet.finalize();
        let mut request = vec![0; packet.buffer_len()];
        packet.serialize(&mut request);

        let socket = self.socket.lock().unwrap_or_else(|e| e.into_inner());
        socket.send(&request, 0)?;
        let mut reply = vec![0; 8192];
        loop {
            let n = socket.recv(&mut &mut reply[..], 0)?;
            let message = <NetlinkMessage<NetfilterMessage>>::deserialize(&reply[..n])
                .map_err(|e| io::Error::other(format!("ctnetlink reply: {e}")))?;
            // An answer to an earlier request that timed out: not ours.
            if message.header.sequence_number != sequence {
                continue;
            }
            return match message.payload {
                NetlinkPayload::InnerMessage(NetfilterMessage {
                    inner: NetfilterMessageInner::Conntrack(ConntrackMessage::New(attributes)),
                    ..
                }) => Ok(original_flow(&attributes)),
                NetlinkPayload::Error(e) => match e.code {
                    // ENOENT: no such flow.
                    Some(code) if -code.get() == nix::libc::ENOENT => Ok(None),
                    None => Ok(None),
                    Some(code) => Err(io::Error::from_raw_os_error(-code.get())),
                },
                other => Err(io::Error::other(format!(
                    "unexpected ctnetlink reply: {other:?}"
                ))),
            };
        }
    }
}

/// The original tuple of a conntrack entry's attributes.
fn original_flow(attributes: &[ConntrackAttribute]) -> Option<Flow> {
    let tuple = attributes.iter().find_map(|a| match a {
        ConntrackAttribute::CtaTupleOrig(tuple) => Some(tuple),
        _ => None,
    })?;
    let (mut src, mut dst, mut sport, mut dport) = (None, None, None, None);
    for part in tuple {
        match part {
            Tuple::Ip(ips) => {
                for ip in ips {
                    match ip {
                        IPTuple::SourceAddress(a) => src = Some(*a),
                        IPTuple::DestinationAddress(a) => dst = Some(*a),
                        _ => {}
                    }
                }
            }
            Tuple::Proto(protos) => {
                for p in protos {
                    match p {
                        ProtoTuple::SourcePort(port) => sport = Some(*port),
                        ProtoTuple::DestinationPort(port) => dport = Some(*port),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Some(Flow {
        client: SocketAddr::new(src?, sport?),
        destination: SocketAddr::new(dst?, dport?),
    })
}

/// `addr` with an IPv4-mapped IPv6 address (as a dual-stack socket reports an
/// IPv4 peer) turned back into IPv4: conntrack tracks the IPv4 flow.
pub(crate) fn canonical(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => SocketAddr::new(IpAddr::V4(v4), addr.port()),
            None => addr,
        },
        IpAddr::V4(_) => addr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_addresses_become_ipv4_and_others_stay() {
        assert_eq!(
            canonical("[::ffff:192.0.2.1]:9".parse().unwrap()),
            "192.0.2.1:9".parse().unwrap()
        );
        assert_eq!(
            canonical("[2001:db8::1]:9".parse().unwrap()),
            "[2001:db8::1]:9".parse().unwrap()
        );
    }

    #[test]
    fn the_original_tuple_is_read_from_an_entry() {
        let attributes = vec![
            ConntrackAttribute::CtaTupleOrig(vec![
                Tuple::Ip(vec![
                    IPTuple::SourceAddress("192.0.2.1".parse().unwrap()),
                    IPTuple::DestinationAddress("198.51.100.9".parse().unwrap()),
                ]),
                Tuple::Proto(vec![
                    ProtoTuple::Protocol(Protocol::Udp),
                    ProtoTuple::SourcePort(40000),
                    ProtoTuple::DestinationPort(9999),
                ]),
            ]),
            ConntrackAttribute::CtaTimeout(30),
        ];
        assert_eq!(
            original_flow(&attributes),
            Some(Flow {
                client: "192.0.2.1:40000".parse().unwrap(),
                destination: "198.51.100.9:9999".parse().unwrap(),
            })
        );
        assert_eq!(original_flow(&[ConntrackAttribute::CtaTimeout(30)]), None);
    }
}
