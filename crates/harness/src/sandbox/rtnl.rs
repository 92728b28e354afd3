//! A new sandbox's network set up in-process over rtnetlink, as `ip` would:
//! loopback up, `255.255.255.255` routed onto it, and the extra addresses on
//! it. Starting `ip` for it cost a fork of sockspec and an exec for every
//! instance.

use std::io;
use std::net::IpAddr;

const NLMSG_ERROR: u16 = 2;
const RTM_NEWLINK: u16 = 16;
const RTM_NEWADDR: u16 = 20;
const RTM_NEWROUTE: u16 = 24;
const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_ACK: u16 = 0x4;
const NLM_F_EXCL: u16 = 0x200;
const NLM_F_CREATE: u16 = 0x400;
const AF_UNSPEC: u8 = 0;
const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;
const IFF_UP: u32 = 0x1;
/// The loopback interface's index: always 1, the first one a namespace gets.
const LOOPBACK: u32 = 1;
const RT_TABLE_LOCAL: u8 = 255;
const RTPROT_BOOT: u8 = 3;
const RT_SCOPE_UNIVERSE: u8 = 0;
const RT_SCOPE_LINK: u8 = 253;
const RTN_BROADCAST: u8 = 3;
const RTA_DST: u16 = 1;
const RTA_OIF: u16 = 4;
const RTA_PREFSRC: u16 = 7;
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;

/// Sets up the network namespace of the calling thread: loopback up, the
/// limited broadcast routed onto it from `127.0.0.1`, and `extra` (neither
/// loopback nor unspecified) as addresses on it.
pub(crate) fn set_up(extra: &[IpAddr]) -> io::Result<()> {
    let socket = Netlink::open()?;
    socket.request(RTM_NEWLINK, 0, &link_up())?;
    socket.request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &broadcast_route())?;
    for ip in extra
        .iter()
        .filter(|ip| !ip.is_loopback() && !ip.is_unspecified())
    {
        socket.request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &address(*ip))?;
    }
    Ok(())
}

/// `ip link set lo up`: an `ifinfomsg`.
fn link_up() -> Vec<u8> {
    let mut m = vec![AF_UNSPEC, 0];
    m.extend_from_slice(&0u16.to_ne_bytes()); // type
    m.extend_from_slice(&(LOOPBACK as i32).to_ne_bytes());
    m.extend_from_slice(&IFF_UP.to_ne_bytes()); // flags
    m.extend_from_slice(&IFF_UP.to_ne_bytes()); // change
    m
}

/// `ip route add broadcast 255.255.255.255 dev lo table local src 127.0.0.1`:
/// an `rtmsg` and its attributes.
fn broadcast_route() -> Vec<u8> {
    let mut m = vec![
        AF_INET,
        32, // dst_len
        0,  // src_len
        0,  // tos
        RT_TABLE_LOCAL,
        RTPROT_BOOT,
        RT_SCOPE_LINK,
        RTN_BROADCAST,
    ];
    m.extend_from_slice(&0u32.to_ne_bytes()); // flags
    attribute(&mut m, RTA_DST, &[255, 255, 255, 255]);
    attribute(&mut m, RTA_PREFSRC, &[127, 0, 0, 1]);
    attribute(&mut m, RTA_OIF, &LOOPBACK.to_ne_bytes());
    m
}

/// `ip addr add IP/32 dev lo` (`/128` for IPv6): an `ifaddrmsg` and its
/// attributes.
fn address(ip: IpAddr) -> Vec<u8> {
    let (family, prefix, bytes) = match ip {
        IpAddr::V4(v4) => (AF_INET, 32, v4.octets().to_vec()),
        IpAddr::V6(v6) => (AF_INET6, 128, v6.octets().to_vec()),
    };
    let mut m = vec![family, prefix, 0, RT_SCOPE_UNIVERSE];
    m.extend_from_slice(&LOOPBACK.to_ne_bytes());
    attribute(&mut m, IFA_LOCAL, &bytes);
    attribute(&mut m, IFA_ADDRESS, &bytes);
    m
}

/// Appends an `rtattr` of `kind` holding `data`, padded to 4 bytes.
fn attribute(m: &mut Vec<u8>, kind: u16, data: &[u8]) {
    let len = 4 + data.len();
    m.extend_from_slice(&(len as u16).to_ne_bytes());
    m.extend_from_slice(&kind.to_ne_bytes());
    m.extend_from_slice(data);
    m.resize(m.len().next_multiple_of(4), 0);
}

/// An rtnetlink socket of the calling thread's network namespace.
struct Netlink(std::os::fd::OwnedFd);

impl Netlink {
    fn open() -> io::Result<Netlink> {
        use nix::sys::socket::{
            AddressFamily, NetlinkAddr, SockFlag, SockProtocol, SockType, bind, socket,
        };
        let fd = socket(
            AddressFamily::Netlink,
            SockType::Raw,
            SockFlag::SOCK_CLOEXEC,
            SockProtocol::NetlinkRoute,
        )?;
        bind(
            std::os::fd::AsRawFd::as_raw_fd(&fd),
            &NetlinkAddr::new(0, 0),
        )?;
        Ok(Netlink(fd))
    }

    /// Sends one request of `kind` with `body` and waits for its
    /// acknowledgement; the kernel's refusal is the error.
    fn request(&self, kind: u16, flags: u16, body: &[u8]) -> io::Result<()> {
        use nix::sys::socket::{MsgFlags, recv, send};
        use std::os::fd::AsRawFd;
        let fd = self.0.as_raw_fd();
        let len = 16 + body.len();
        let mut m = Vec::with_capacity(len);
        m.extend_from_slice(&(len as u32).to_ne_bytes());
        m.extend_from_slice(&kind.to_ne_bytes());
        m.extend_from_slice(&(NLM_F_REQUEST | NLM_F_ACK | flags).to_ne_bytes());
        m.extend_from_slice(&1u32.to_ne_bytes()); // sequence number
        m.extend_from_slice(&0u32.to_ne_bytes()); // port: the kernel's
        m.extend_from_slice(body);
        send(fd, &m, MsgFlags::empty())?;
        let mut reply = [0u8; 1024];
        let n = recv(fd, &mut reply, MsgFlags::empty())?;
        acknowledged(&reply[..n])
    }
}

/// The outcome an acknowledgement (`NLMSG_ERROR`, error 0 for success) tells.
fn acknowledged(reply: &[u8]) -> io::Result<()> {
    let field = |at: usize| -> io::Result<[u8; 4]> {
        reply
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| io::Error::other("a short rtnetlink reply"))
    };
    let kind = u16::from_ne_bytes([*reply.get(4).unwrap_or(&0), *reply.get(5).unwrap_or(&0)]);
    if kind != NLMSG_ERROR {
        return Err(io::Error::other(format!(
            "an rtnetlink reply of type {kind}, not an acknowledgement"
        )));
    }
    match i32::from_ne_bytes(field(16)?) {
        0 => Ok(()),
        e => Err(io::Error::from_raw_os_error(-e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_padded_to_four_bytes() {
        let mut m = Vec::new();
        attribute(&mut m, RTA_DST, &[1, 2, 3]);
        assert_eq!(m.len(), 8);
        assert_eq!(u16::from_ne_bytes([m[0], m[1]]), 7);
        assert_eq!(m[4..7], [1, 2, 3]);
    }

    #[test]
    fn an_acknowledgement_says_success_or_the_kernels_error() {
        let ack = |error: i32| {
            let mut m = 36u32.to_ne_bytes().to_vec();
            m.extend_from_slice(&NLMSG_ERROR.to_ne_bytes());
            m.extend_from_slice(&[0; 10]);
            m.extend_from_slice(&error.to_ne_bytes());
            m.extend_from_slice(&[0; 16]);
            m
        };
        assert!(acknowledged(&ack(0)).is_ok());
        let refused = acknowledged(&ack(-nix::libc::EEXIST)).unwrap_err();
        assert_eq!(refused.raw_os_error(), Some(nix::libc::EEXIST));
        assert!(acknowledged(&[0; 3]).is_err());
    }
}
