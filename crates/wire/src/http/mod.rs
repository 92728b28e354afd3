//! A strict HTTP/1.1 message validator (RFC 9110, RFC 9112), pure and I/O-free.
//!
//! [`validate_request`] and [`validate_response`] return every rule a message
//! breaks, each as a [`Violation`] with the catalog check it belongs to, the RFC
//! section, the byte offset and a sentence a student can act on, together with
//! the parts that could be read. [`request_end`] and [`response_end`] find where
//! one message ends in a stream, for a peer that captures messages.
//!
//! The header section is split into lines leniently (a bare LF ends a line, and
//! is reported), so one mistake does not hide the others. httparse judges and
//! reads the field lines; when it rejects them, they are diagnosed line by line
//! so that every broken one is named (the tests check that both ways agree).
//! Start-lines, targets, Host and framing are checked here, stricter than
//! httparse is.

mod authority;
mod body;
mod chunked;
mod fields;
mod framing;
mod head;
mod host;
mod request;
mod request_line;
mod response;
mod status_line;
mod syntax;
mod target;
mod version;
mod violation;

#[cfg(test)]
mod agreement;

pub use fields::Field;
pub use framing::Framing;
pub use request::{Request, RequestReport, request_end, validate_request};
pub use response::{Response, ResponseReport, response_end, validate_response};
pub use violation::{Kind, Violation, failed_checks, ids};

use head::Head;

/// Who reads the field lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldReader {
    /// httparse, falling back to the line-by-line diagnosis when it rejects them.
    Httparse,
    /// The line-by-line diagnosis only (the tests compare it with httparse).
    #[cfg_attr(not(test), allow(dead_code))]
    Diagnose,
}

/// The violation for a header section that does not end (RFC 9112 §2.1).
pub(crate) fn end_of_head(bytes: &[u8], head: &Head, check: &'static str) -> Violation {
    let last = head.fields.lines.last().or(head.start.as_ref());
    let number = head.numbered().count();
    let (message, kind) = match last {
        Some(line) if line.lf.is_none() => (format!(
            "the message stops in the middle of line {number}: end every line with CRLF (\\r\\n) and the header section with an empty line"
        ), Kind::StopsMidLine { line: number }),
        _ => ("the header section is not closed by an empty line: after the last field line send one more CRLF, so the header ends with \\r\\n\\r\\n".to_string(), Kind::HeadNotClosed),
    };
    Violation::new(check, "RFC 9112 §2.1", bytes.len(), message).of_kind(kind)
}
