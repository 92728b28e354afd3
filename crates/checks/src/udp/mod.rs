//! UDP (RFC 768; udp(7); course day01): servers and clients.

mod client;
mod server;

use sockspec_harness::Check;

/// Every UDP check.
pub const CHECKS: &[&Check] = &[
    &server::REPLY,
    &server::BOUNDARIES,
    &server::CLIENTS_ISOLATED,
    &server::EMPTY_DATAGRAM,
    &server::BAD_BYTES,
    &server::KEEPS_SERVING,
    &server::MAX_SIZE,
    &client::ONE_LINE_ONE_DATAGRAM,
    &client::HANDLES_REPLY,
];
