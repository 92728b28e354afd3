//! TCP (RFC 9293; recv(2): 0 bytes means orderly shutdown; course day02):
//! servers and clients.

mod client;
pub(crate) mod replies;
mod segmentation;
mod server;

use sockspec_harness::Check;

/// Every TCP check.
pub const CHECKS: &[&Check] = &[
    &server::ACCEPTS,
    &server::STREAM_INTEGRITY,
    &segmentation::SEGMENTATION_INVARIANT,
    &server::COALESCED_MESSAGES,
    &server::EOF_CLOSES,
    &server::EOF_NO_SPIN,
    &server::NEXT_CLIENT,
    &server::HALF_CLOSE,
    &server::RESET_SURVIVES,
    &server::REBIND,
    &server::BAD_BYTES,
    &server::CONCURRENT,
    &client::SENDS_INPUT,
    &client::SEGMENTATION_INVARIANT,
    &client::EOF_EXITS,
    &client::REFUSED,
];
