//! Broadcast (RFC 919, RFC 922; socket(7) SO_BROADCAST; course day01), on a
//! simulated LAN: the target on one host, sockspec on the others. Without
//! network namespaces these checks `skip`; nothing is ever broadcast from the
//! machine's own namespace.

mod receiver;
mod sender;

use sockspec_harness::lan::{self, Lan};
use sockspec_harness::sandbox::{self, Availability};
use sockspec_harness::{Check, Ctx, Verdict, msg};
use std::net::{IpAddr, Ipv4Addr};

/// Every broadcast check.
pub const CHECKS: &[&Check] = &[
    &sender::DELIVERS,
    &sender::ALL_HOSTS,
    &sender::BOUNDARIES,
    &sender::ADDRESS,
    &receiver::RECEIVES,
    &receiver::SHARED_PORT,
    &receiver::BAD_BYTES,
];

/// The port broadcasts use when neither `--addr` nor the program's source names one.
const DEFAULT_PORT: u16 = 9999;

/// A LAN of `hosts` for this check: the subnet of an address the program
/// hard-codes (e.g. `176.16.2.255` → 176.16.2.0/24) if any, else the default;
/// and the port to broadcast on.
fn lan_for(ctx: &Ctx, hosts: usize) -> Result<(Lan, u16), Verdict> {
    if let Availability::Unavailable(why) = sandbox::availability() {
        return Err(Verdict::Skip(msg!("broadcast-needs-lan", reason = why)));
    }
    let named: Vec<_> = ctx
        .settings()
        .addr
        .as_ref()
        .map(|a| a.socket_addr())
        .into_iter()
        .chain(ctx.target().hinted_addrs())
        .filter(|a| a.is_ipv4())
        .collect();
    let known: Vec<_> = named
        .iter()
        .copied()
        .filter(|a| !a.ip().is_loopback() && !a.ip().is_unspecified())
        .collect();
    // The port the program uses, even where it sends to its own loopback.
    let port = known
        .first()
        .or(named.first())
        .map_or(DEFAULT_PORT, |a| a.port());
    let subnet = known.iter().find_map(|a| match a.ip() {
        IpAddr::V4(ip) if ip != Ipv4Addr::BROADCAST => {
            Some((Ipv4Addr::from(u32::from(ip) & 0xffff_ff00), 24))
        }
        _ => None,
    });
    let lan = lan::create(hosts, subnet)
        .map_err(|e| Verdict::Error(msg!("broadcast-lan-failed", error = e.to_string())))?;
    Ok((lan, port))
}
