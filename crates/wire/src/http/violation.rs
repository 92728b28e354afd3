//! What the validator reports: one [`Violation`] per broken rule, tagged with the
//! catalog ID of the check it belongs to and the RFC section that states the rule.

use serde::Serialize;
use std::fmt;

/// The catalog IDs a [`Violation`] can carry (public: never rename).
pub mod ids {
    /// `method SP request-target SP HTTP-version CRLF` (RFC 9112 §3).
    pub const REQUEST_LINE: &str = "http.request.line";
    /// Every line ends in CRLF, no bare LF or CR (RFC 9112 §2.2).
    pub const REQUEST_CRLF: &str = "http.request.crlf";
    /// `HTTP/1.1` or `HTTP/1.0` (RFC 9112 §2.3).
    pub const REQUEST_VERSION: &str = "http.request.version";
    /// The request-target's form and characters (RFC 9112 §3.2).
    pub const REQUEST_TARGET: &str = "http.request.target";
    /// Exactly one valid Host in HTTP/1.1 (RFC 9112 §3.2, RFC 9110 §7.2).
    pub const REQUEST_HOST: &str = "http.request.host";
    /// Field-line syntax (RFC 9112 §5, RFC 9110 §5.5).
    pub const REQUEST_FIELDS: &str = "http.request.fields";
    /// The header section ends with an empty line (RFC 9112 §2.1).
    pub const REQUEST_END: &str = "http.request.end";
    /// Content-Length, Transfer-Encoding and the body they frame (RFC 9112 §6).
    pub const REQUEST_FRAMING: &str = "http.request.framing";
    /// `HTTP-version SP 3DIGIT SP reason-phrase CRLF` (RFC 9112 §4).
    pub const RESPONSE_STATUS_LINE: &str = "http.response.status-line";
    /// CRLF, field-line syntax and the end of the header section of a response.
    pub const RESPONSE_FIELDS: &str = "http.response.fields";
    /// Content-Length, Transfer-Encoding and the body of a response (RFC 9112 §6).
    pub const RESPONSE_FRAMING: &str = "http.response.framing";

    /// Every ID above, requests first.
    pub const ALL: [&str; 11] = [
        REQUEST_LINE,
        REQUEST_CRLF,
        REQUEST_VERSION,
        REQUEST_TARGET,
        REQUEST_HOST,
        REQUEST_FIELDS,
        REQUEST_END,
        REQUEST_FRAMING,
        RESPONSE_STATUS_LINE,
        RESPONSE_FIELDS,
        RESPONSE_FRAMING,
    ];
}

/// One broken rule, found at one place in a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The catalog ID of the check this belongs to (one of [`ids`]).
    pub check: &'static str,
    /// Where the rule is written, e.g. `RFC 9112 §2.2`.
    pub section: &'static str,
    /// Byte offset in the message where the problem is.
    pub offset: usize,
    /// One sentence a student can act on.
    pub message: String,
}

impl Violation {
    /// A violation of `check` at `offset`.
    pub fn new(
        check: &'static str,
        section: &'static str,
        offset: usize,
        message: impl Into<String>,
    ) -> Self {
        Violation {
            check,
            section,
            offset,
            message: message.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}) at byte {}: {}",
            self.check, self.section, self.offset, self.message
        )
    }
}

/// The distinct checks among `violations`, in the order they first occur.
pub fn failed_checks(violations: &[Violation]) -> Vec<&'static str> {
    let mut checks: Vec<&'static str> = Vec::new();
    for v in violations {
        if !checks.contains(&v.check) {
            checks.push(v.check);
        }
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_check_section_offset_and_message() {
        let v = Violation::new(
            ids::REQUEST_CRLF,
            "RFC 9112 §2.2",
            14,
            "line 1 ends in a bare LF",
        );
        assert_eq!(
            v.to_string(),
            "http.request.crlf (RFC 9112 §2.2) at byte 14: line 1 ends in a bare LF"
        );
    }

    #[test]
    fn failed_checks_are_distinct_and_ordered() {
        let v = |check| Violation::new(check, "", 0, "");
        let all = [
            v(ids::REQUEST_HOST),
            v(ids::REQUEST_CRLF),
            v(ids::REQUEST_HOST),
        ];
        assert_eq!(failed_checks(&all), [ids::REQUEST_HOST, ids::REQUEST_CRLF]);
        assert!(ids::ALL.iter().all(|id| id.starts_with("http.")));
    }
}
