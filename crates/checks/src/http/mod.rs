//! HTTP/1.1 (RFC 9110, RFC 9112; course day02): clients (sockspec serves and
//! validates each request) and servers (sockspec requests and validates each
//! response). The message rules themselves live in `sockspec_wire::http`.

mod client;
mod server;

use sockspec_harness::{Check, Message, msg};
use sockspec_wire::http::Violation;

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

/// One broken rule of a message, ready for a diagnosis.
struct Problem {
    /// What is wrong: the validator's English sentence quoted in a catalog
    /// message (it names no kind to translate), or a catalog message of
    /// sockspec's own.
    what: Message,
    /// Where the rule is written, e.g. `RFC 9112 §2.2`.
    section: &'static str,
    /// The byte offset in the message where the problem is.
    offset: usize,
}

impl From<&Violation> for Problem {
    fn from(v: &Violation) -> Problem {
        Problem {
            what: msg!("http-validator-says", text = v.message.as_str()),
            section: v.section,
            offset: v.offset,
        }
    }
}

/// How many problems the evidence lists one by one.
const LISTED: usize = 10;

/// The problems as evidence: one line each, with offset and section (at
/// most [`LISTED`], then how many more).
fn listed(problems: &[Problem]) -> Message {
    let shown = &problems[..problems.len().min(LISTED)];
    let left = problems.len() - shown.len();
    let mut list: Option<Message> = (left > 0).then(|| msg!("http-problems-left", left = left));
    for p in shown.iter().rev() {
        list = Some(match list {
            None => msg!(
                "http-problem-last",
                offset = p.offset,
                problem = p.what.clone(),
                section = p.section
            ),
            Some(rest) => msg!(
                "http-problem-line",
                offset = p.offset,
                problem = p.what.clone(),
                section = p.section,
                rest = rest
            ),
        });
    }
    list.unwrap_or_else(|| msg!("http-problems-none"))
}
