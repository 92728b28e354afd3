//! Name resolution inside a sandbox, offline: a tiny DNS responder that
//! answers every name with an address of its own, and remembers which name got
//! which address so the evidence can name what the client meant.
//!
//! - `A` gets the next address of `198.18.0.0/15` and `AAAA` the same index in
//!   `2001:2::/48` (the ranges RFC 2544 and RFC 5180 set aside for benchmarks:
//!   never a real host), the same name always the same address;
//! - `localhost` and `*.localhost` get `127.0.0.1` and `::1` (RFC 6761);
//! - `PTR` of an address it gave out gets the name back;
//! - any other type gets an empty answer, any other opcode `NOTIMP`.
//!
//! Queries reach it because every packet to port 53, at any address, is
//! redirected to it (see [`super`]); no query ever leaves the sandbox. The
//! parsing and encoding is `simple-dns`'s.

use simple_dns::rdata::{A, AAAA, PTR, RData};
use simple_dns::{CLASS, Name, OPCODE, Packet, PacketFlag, QTYPE, RCODE, ResourceRecord, TYPE};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The first address of the IPv4 pool, `198.18.0.0/15`.
pub const POOL_V4: Ipv4Addr = Ipv4Addr::new(198, 18, 0, 0);
/// The first address of the IPv6 pool, `2001:2::/48`.
pub const POOL_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 2, 0, 0, 0, 0, 0, 0);
/// How many names one sandbox may ask for (the pools hold far more; this
/// bounds what a program resolving names in a loop costs): then `SERVFAIL`.
pub const MAX_NAMES: u32 = 4096;

/// The address the sandbox's own host name has in its hosts file (as Debian
/// gives it).
pub const HOSTNAME_ADDR: Ipv4Addr = Ipv4Addr::new(127, 0, 1, 1);

/// The address the sandbox's `resolv.conf` names as its name server; any
/// address would do, as every query to port 53 is redirected.
pub const NAMESERVER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 53);

/// How long an answer may be kept (glibc keeps none; a caching resolver may).
const TTL: u32 = 60;

/// How long one TCP connection to the responder may stay open.
const TCP_CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);

/// How many TCP connections the responder serves at once; more are closed.
const TCP_CONNECTIONS: usize = 16;

/// Which name got which address in one sandbox; cheap to clone (shared).
#[derive(Debug, Clone, Default)]
pub struct Names {
    table: Arc<Mutex<Table>>,
}

#[derive(Debug, Default)]
struct Table {
    /// Pool index (1-based) of each name asked for.
    index: HashMap<String, u32>,
    /// Names by pool index - 1, in the order they were first asked for.
    names: Vec<String>,
    /// Addresses given outside the pools (the hosts file's).
    fixed: HashMap<IpAddr, String>,
}

impl Names {
    /// The name the client asked for that was answered with `ip`, if any.
    pub fn name_for(&self, ip: IpAddr) -> Option<String> {
        let table = self.lock();
        if let Some(name) = table.fixed.get(&ip) {
            return Some(name.clone());
        }
        let index = pool_index(ip)?;
        table.names.get(index.checked_sub(1)? as usize).cloned()
    }

    /// Every name asked for so far, in the order first asked.
    pub fn asked(&self) -> Vec<String> {
        self.lock().names.clone()
    }

    /// Records that `name` is at `ip` outside the pools (a hosts file entry),
    /// so [`Names::name_for`] finds it.
    pub fn remember(&self, name: &str, ip: IpAddr) {
        self.lock().fixed.insert(ip, normalize(name));
    }

    /// The address `name` resolves to in the family of `v6`, given out now if
    /// it was not yet; `None` once [`MAX_NAMES`] names were given out.
    pub fn address_for(&self, name: &str, v6: bool) -> Option<IpAddr> {
        let name = normalize(name);
        if name == "localhost" || name.ends_with(".localhost") {
            return Some(if v6 {
                IpAddr::V6(Ipv6Addr::LOCALHOST)
            } else {
                IpAddr::V4(Ipv4Addr::LOCALHOST)
            });
        }
        let mut table = self.lock();
        if let Some(ip) = table
            .fixed
            .iter()
            .find(|(ip, n)| **n == name && ip.is_ipv6() == v6)
            .map(|(ip, _)| *ip)
        {
            return Some(ip);
        }
        let index = match table.index.get(&name) {
            Some(i) => *i,
            None => {
                let i = u32::try_from(table.names.len() + 1).ok()?;
                if i > MAX_NAMES {
                    return None;
                }
                table.names.push(name.clone());
                table.index.insert(name, i);
                i
            }
        };
        Some(if v6 {
            IpAddr::V6(Ipv6Addr::from(u128::from(POOL_V6) + u128::from(index)))
        } else {
            IpAddr::V4(Ipv4Addr::from(u32::from(POOL_V4) + index))
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Lower case, without the root's trailing dot.
fn normalize(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// The pool index of `ip`, if it is in a pool.
fn pool_index(ip: IpAddr) -> Option<u32> {
    let index = match ip {
        IpAddr::V4(v4) => u32::from(v4).checked_sub(u32::from(POOL_V4))?,
        IpAddr::V6(v6) => u32::try_from(u128::from(v6).checked_sub(u128::from(POOL_V6))?).ok()?,
    };
    (1..=MAX_NAMES).contains(&index).then_some(index)
}

/// The address a reverse-lookup name (`4.3.2.1.in-addr.arpa`, nibbles under
/// `ip6.arpa`) stands for.
fn reverse_name_address(name: &str) -> Option<IpAddr> {
    let name = normalize(name);
    if let Some(rest) = name.strip_suffix(".in-addr.arpa") {
        let mut octets: Vec<u8> = rest
            .split('.')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        if octets.len() != 4 {
            return None;
        }
        octets.reverse();
        return Some(IpAddr::V4(Ipv4Addr::new(
            octets[0], octets[1], octets[2], octets[3],
        )));
    }
    let rest = name.strip_suffix(".ip6.arpa")?;
    let nibbles: Vec<u8> = rest
        .split('.')
        .map(|p| {
            u8::from_str_radix(p, 16)
                .ok()
                .filter(|n| p.len() == 1 && *n < 16)
        })
        .collect::<Option<_>>()?;
    if nibbles.len() != 32 {
        return None;
    }
    let value = nibbles
        .iter()
        .rev()
        .fold(0u128, |acc, n| (acc << 4) | u128::from(*n));
    Some(IpAddr::V6(Ipv6Addr::from(value)))
}

/// The answer to one DNS message, or `None` when it deserves none (it is no
/// query, or too short to carry an id).
pub fn answer(message: &[u8], names: &Names) -> Option<Vec<u8>> {
    let query = match Packet::parse(message) {
        Ok(query) => query,
        Err(_) => {
            let id = u16::from_be_bytes([*message.first()?, *message.get(1)?]);
            let mut reply = Packet::new_reply(id);
            *reply.rcode_mut() = RCODE::FormatError;
            return reply.build_bytes_vec().ok();
        }
    };
    if query.has_flags(PacketFlag::RESPONSE) {
        return None;
    }
    let mut reply = Packet::new_reply(query.id());
    reply.set_flags(PacketFlag::AUTHORITATIVE_ANSWER | PacketFlag::RECURSION_AVAILABLE);
    if query.has_flags(PacketFlag::RECURSION_DESIRED) {
        reply.set_flags(PacketFlag::RECURSION_DESIRED);
    }
    if query.opcode() != OPCODE::StandardQuery {
        *reply.opcode_mut() = query.opcode();
        *reply.rcode_mut() = RCODE::NotImplemented;
        return reply.build_bytes_vec().ok();
    }
    for question in &query.questions {
        let qname = question.qname.to_string();
        let record = |rdata| ResourceRecord::new(question.qname.clone(), CLASS::IN, TTL, rdata);
        let wants = |t: TYPE| matches!(question.qtype, QTYPE::TYPE(q) if q == t);
        let any = matches!(question.qtype, QTYPE::ANY);
        if wants(TYPE::PTR) {
            match reverse_name_address(&qname).and_then(|ip| names.name_for(ip)) {
                Some(name) => match Name::new(&name) {
                    Ok(target) => reply
                        .answers
                        .push(record(RData::PTR(PTR(target.into_owned())))),
                    Err(_) => *reply.rcode_mut() = RCODE::ServerFailure,
                },
                None => *reply.rcode_mut() = RCODE::NameError,
            }
            continue;
        }
        if wants(TYPE::A) || any {
            match names.address_for(&qname, false) {
                Some(IpAddr::V4(v4)) => reply.answers.push(record(RData::A(A::from(v4)))),
                _ => *reply.rcode_mut() = RCODE::ServerFailure,
            }
        }
        if wants(TYPE::AAAA) || any {
            match names.address_for(&qname, true) {
                Some(IpAddr::V6(v6)) => reply.answers.push(record(RData::AAAA(AAAA::from(v6)))),
                _ => *reply.rcode_mut() = RCODE::ServerFailure,
            }
        }
        // Any other type: the name exists and has no such record.
    }
    reply.questions = query.questions;
    reply.build_bytes_vec_compressed().ok()
}

/// Answers every query that reaches `socket` until the task is aborted.
pub(crate) async fn serve_udp(socket: tokio::net::UdpSocket, names: Names) {
    let mut buf = vec![0u8; 65_535];
    loop {
        let (n, from) = match socket.recv_from(&mut buf).await {
            Ok(got) => got,
            // An ICMP error from a client gone: the next query is still served.
            Err(e) if transient(&e) => continue,
            Err(_) => return,
        };
        if let Some(reply) = answer(&buf[..n], &names) {
            let _ = socket.send_to(&reply, from).await;
        }
    }
}

/// Answers queries over TCP (two-byte length before each message) until the
/// task is aborted; a connection lasts at most [`TCP_CONNECTION_TIMEOUT`] and
/// at most [`TCP_CONNECTIONS`] are served at once.
pub(crate) async fn serve_tcp(listener: tokio::net::TcpListener, names: Names) {
    let slots = Arc::new(tokio::sync::Semaphore::new(TCP_CONNECTIONS));
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let mut stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) if transient(&e) => continue,
                    Err(_) => return,
                };
                let Ok(slot) = slots.clone().try_acquire_owned() else { continue };
                let names = names.clone();
                connections.spawn(async move {
                    let _slot = slot;
                    let _ = tokio::time::timeout(TCP_CONNECTION_TIMEOUT, async {
                        loop {
                            let len = stream.read_u16().await? as usize;
                            let mut message = vec![0u8; len];
                            stream.read_exact(&mut message).await?;
                            let Some(reply) = answer(&message, &names) else { continue };
                            let len = u16::try_from(reply.len()).map_err(std::io::Error::other)?;
                            stream.write_u16(len).await?;
                            stream.write_all(&reply).await?;
                        }
                        #[allow(unreachable_code)]
                        Ok::<(), std::io::Error>(())
                    })
                    .await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Whether a socket error concerns one datagram or connection only (the
/// socket still serves the next); any other ends the responder's loop rather
/// than spin on it.
fn transient(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionRefused | ConnectionReset | ConnectionAborted | Interrupted | WouldBlock
    )
}

/// A file a sandbox's mount namespace should show in place of the machine's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxFile {
    /// Where it goes, e.g. `/etc/resolv.conf`.
    pub path: &'static str,
    /// What it holds.
    pub contents: String,
}

/// The files that make names resolve inside a sandbox whose host name is
/// `hostname`, offline:
/// - `/etc/resolv.conf`: one name server, [`NAMESERVER`] (any address works:
///   port 53 is redirected to the responder wherever it is sent);
/// - `/etc/hosts`: `localhost` and `hostname` (at [`HOSTNAME_ADDR`], which the
///   redirection catches like any other address);
/// - `/etc/nsswitch.conf`: `hosts: files dns`, so glibc asks nothing else (no
///   `resolve`, which would ask the machine's systemd-resolved over a Unix
///   socket, outside the network namespace; no `mdns`, `myhostname`).
///
/// The mount namespace must also hide `/run/nscd` (glibc asks `nscd` before
/// any of these files) and `/run/systemd/resolve`, and give the sandbox its
/// own UTS namespace with host name `hostname`.
///
/// Call [`Names::remember`] with `hostname` and [`HOSTNAME_ADDR`] so the name
/// shows in the evidence ([`super::Redirection::sandbox_files`] does both).
pub fn sandbox_files(hostname: &str) -> Vec<SandboxFile> {
    vec![
        SandboxFile {
            path: "/etc/resolv.conf",
            contents: format!("nameserver {NAMESERVER}\noptions timeout:2 attempts:2\n"),
        },
        SandboxFile {
            path: "/etc/hosts",
            contents: format!(
                "127.0.0.1\tlocalhost\n\
                 ::1\tlocalhost ip6-localhost ip6-loopback\n\
                 {HOSTNAME_ADDR}\t{hostname}\n"
            ),
        },
        SandboxFile {
            path: "/etc/nsswitch.conf",
            contents: "passwd:\tfiles\n\
                       group:\tfiles\n\
                       shadow:\tfiles\n\
                       hosts:\tfiles dns\n\
                       networks:\tfiles\n\
                       protocols:\tfiles\n\
                       services:\tfiles\n"
                .to_string(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(name: &str, qtype: TYPE) -> Vec<u8> {
        let mut packet = Packet::new_query(0x1234);
        packet.set_flags(PacketFlag::RECURSION_DESIRED);
        packet.questions.push(simple_dns::Question::new(
            Name::new_unchecked(name),
            QTYPE::TYPE(qtype),
            simple_dns::QCLASS::CLASS(CLASS::IN),
            false,
        ));
        packet.build_bytes_vec().unwrap()
    }

    fn answers(reply: &[u8]) -> (RCODE, Vec<IpAddr>) {
        let packet = Packet::parse(reply).unwrap();
        assert_eq!(packet.id(), 0x1234);
        let ips = packet
            .answers
            .iter()
            .filter_map(|rr| match &rr.rdata {
                RData::A(a) => Some(IpAddr::V4(Ipv4Addr::from(a.address))),
                RData::AAAA(a) => Some(IpAddr::V6(Ipv6Addr::from(a.address))),
                _ => None,
            })
            .collect();
        (packet.rcode(), ips)
    }

    #[test]
    fn every_name_gets_its_own_address_and_keeps_it() {
        let names = Names::default();
        let sina = answers(&answer(&query("www.sina.com.cn", TYPE::A), &names).unwrap());
        assert_eq!(sina, (RCODE::NoError, vec!["198.18.0.1".parse().unwrap()]));
        let other = answers(&answer(&query("example.org", TYPE::A), &names).unwrap());
        assert_eq!(other.1, vec!["198.18.0.2".parse::<IpAddr>().unwrap()]);
        let again = answers(&answer(&query("WWW.Sina.com.cn.", TYPE::AAAA), &names).unwrap());
        assert_eq!(again.1, vec!["2001:2::1".parse::<IpAddr>().unwrap()]);
        assert_eq!(
            names.name_for("198.18.0.1".parse().unwrap()).as_deref(),
            Some("www.sina.com.cn")
        );
        assert_eq!(
            names.name_for("2001:2::2".parse().unwrap()).as_deref(),
            Some("example.org")
        );
        assert_eq!(names.name_for("198.18.0.3".parse().unwrap()), None);
        assert_eq!(names.name_for("203.0.113.7".parse().unwrap()), None);
        assert_eq!(names.asked(), vec!["www.sina.com.cn", "example.org"]);
    }

    #[test]
    fn localhost_is_loopback_and_remembered_names_keep_their_address() {
        let names = Names::default();
        let (_, ips) = answers(&answer(&query("localhost", TYPE::A), &names).unwrap());
        assert_eq!(ips, vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]);
        let (_, ips) = answers(&answer(&query("app.localhost", TYPE::AAAA), &names).unwrap());
        assert_eq!(ips, vec![IpAddr::V6(Ipv6Addr::LOCALHOST)]);
        names.remember("sandbox", HOSTNAME_ADDR.into());
        let (_, ips) = answers(&answer(&query("sandbox", TYPE::A), &names).unwrap());
        assert_eq!(ips, vec![IpAddr::V4(HOSTNAME_ADDR)]);
        assert_eq!(
            names.name_for(HOSTNAME_ADDR.into()).as_deref(),
            Some("sandbox")
        );
        assert!(names.asked().is_empty());
    }

    #[test]
    fn other_types_get_no_records_and_reverse_lookups_name_pool_addresses() {
        let names = Names::default();
        assert_eq!(
            answers(&answer(&query("example.org", TYPE::MX), &names).unwrap()),
            (RCODE::NoError, vec![])
        );
        names.address_for("example.org", false);
        let reply = answer(&query("1.0.18.198.in-addr.arpa", TYPE::PTR), &names).unwrap();
        let packet = Packet::parse(&reply).unwrap();
        match &packet.answers[0].rdata {
            RData::PTR(ptr) => assert_eq!(ptr.0.to_string(), "example.org"),
            other => panic!("{other:?}"),
        }
        let v6 = format!(
            "{}ip6.arpa",
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.0.0.0.1.0.0.2."
        );
        let reply = answer(&query(&v6, TYPE::PTR), &names).unwrap();
        assert_eq!(Packet::parse(&reply).unwrap().answers.len(), 1);
        let reply = answer(&query("7.113.0.203.in-addr.arpa", TYPE::PTR), &names).unwrap();
        assert_eq!(Packet::parse(&reply).unwrap().rcode(), RCODE::NameError);
    }

    #[test]
    fn a_program_resolving_names_in_a_loop_is_bounded() {
        let names = Names::default();
        for i in 0..MAX_NAMES {
            assert!(names.address_for(&format!("n{i}.example"), false).is_some());
        }
        let reply = answer(&query("one-too-many.example", TYPE::A), &names).unwrap();
        assert_eq!(answers(&reply), (RCODE::ServerFailure, vec![]));
        // Names already given keep working.
        let (_, ips) = answers(&answer(&query("n0.example", TYPE::A), &names).unwrap());
        assert_eq!(ips, vec!["198.18.0.1".parse::<IpAddr>().unwrap()]);
    }

    #[test]
    fn garbage_gets_a_format_error_and_answers_get_nothing() {
        let names = Names::default();
        let reply = answer(&[0x12, 0x34, 0xff], &names).unwrap();
        assert_eq!(Packet::parse(&reply).unwrap().rcode(), RCODE::FormatError);
        assert!(answer(&[0x12], &names).is_none());
        let reply = answer(&query("example.org", TYPE::A), &names).unwrap();
        assert!(answer(&reply, &names).is_none());
    }

    #[test]
    fn the_hosts_file_names_the_sandbox_and_resolv_conf_one_server() {
        let files = sandbox_files("sandbox");
        let hosts = files.iter().find(|f| f.path == "/etc/hosts").unwrap();
        assert!(hosts.contents.contains("127.0.1.1\tsandbox\n"));
        assert!(hosts.contents.starts_with("127.0.0.1\tlocalhost\n"));
        let resolv = files.iter().find(|f| f.path == "/etc/resolv.conf").unwrap();
        assert!(resolv.contents.starts_with("nameserver 127.0.0.53\n"));
        let nss = files
            .iter()
            .find(|f| f.path == "/etc/nsswitch.conf")
            .unwrap();
        assert!(nss.contents.contains("hosts:\tfiles dns\n"));
    }
}
