//! HTTP/1.1 (RFC 9110, RFC 9112; course day02): clients (sockspec serves and
//! validates each request) and servers (sockspec requests and validates each
//! response). The message rules themselves live in `sockspec_wire::http`.

mod client;
mod server;

use sockspec_harness::Check;

/// Every HTTP check.
pub const CHECKS: &[&Check] = &[
    &client::LINE,
    &client::CRLF,
    &client::VERSION,
    &client::TARGET,
    &client::HOST,
    &client::FIELDS,
    &client::END,
    &client::FRAMING,
    &client::READS_RESPONSE,
    &client::CLOSE,
    &server::STATUS_LINE,
    &server::FIELDS,
    &server::FRAMING,
    &server::NOT_FOUND,
    &server::SEGMENTED_REQUEST,
    &server::BAD_REQUEST,
    &server::KEEP_ALIVE,
];

/// A message's first line, without its line ending.
fn first_line(bytes: &[u8]) -> &[u8] {
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The violations of `check` as evidence: one line each, with offset and section.
fn listed(violations: &[&sockspec_wire::http::Violation]) -> String {
    violations
        .iter()
        .map(|v| format!("  at byte {}: {} ({})", v.offset, v.message, v.section))
        .collect::<Vec<_>>()
        .join("\n")
}
