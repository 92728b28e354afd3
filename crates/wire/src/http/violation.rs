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
    /// Every line of a response's head ends in CRLF, no bare LF or CR (RFC 9112 §2.2).
    pub const RESPONSE_CRLF: &str = "http.response.crlf";
    /// Field-line syntax and the end of the header section of a response.
    pub const RESPONSE_FIELDS: &str = "http.response.fields";
    /// Content-Length, Transfer-Encoding and the body of a response (RFC 9112 §6).
    pub const RESPONSE_FRAMING: &str = "http.response.framing";

    /// Every ID above, requests first.
    pub const ALL: [&str; 12] = [
        REQUEST_LINE,
        REQUEST_CRLF,
        REQUEST_VERSION,
        REQUEST_TARGET,
        REQUEST_HOST,
        REQUEST_FIELDS,
        REQUEST_END,
        REQUEST_FRAMING,
        RESPONSE_STATUS_LINE,
        RESPONSE_CRLF,
        RESPONSE_FIELDS,
        RESPONSE_FRAMING,
    ];
}

/// Which mistake a [`Violation`] names, with the details a report needs to
/// word it in the reader's language. The mistakes students make most often
/// have a kind of their own; every other violation is [`Kind::Other`], and
/// only its English `message` describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Kind {
    /// Line `line` (1-based) ends in LF without a CR before it.
    BareLf {
        /// The line's number, from 1.
        line: usize,
    },
    /// Line `line` holds a CR not followed by LF.
    BareCr {
        /// The line's number, from 1.
        line: usize,
    },
    /// The bytes stop inside line `line`, before its line ending.
    StopsMidLine {
        /// The line's number, from 1.
        line: usize,
    },
    /// The header section has no closing empty line.
    HeadNotClosed,
    /// An HTTP/1.1 request has no Host field.
    NoHost,
    /// A request has more than one Host field.
    SecondHost,
    /// Whitespace between a field name and its colon.
    SpaceBeforeColon {
        /// The field line's number, from 1.
        line: usize,
        /// The field name.
        name: Vec<u8>,
    },
    /// Whitespace inside the request-target.
    SpaceInTarget {
        /// The request-target.
        target: Vec<u8>,
        /// How many whitespace bytes it holds.
        spaces: usize,
    },
    /// A standard method written in the wrong case.
    MethodCase {
        /// The method as written.
        method: Vec<u8>,
        /// The method meant, e.g. `GET`.
        meant: &'static str,
    },
    /// `HTTP/1.1` or `HTTP/1.0` written in the wrong case.
    VersionCase {
        /// The version as written.
        version: Vec<u8>,
    },
    /// An HTTP-version without the `/` after `HTTP`.
    VersionNoSlash {
        /// The version as written.
        version: Vec<u8>,
    },
    /// A status-line that ends right after the status code.
    NoReasonPhrase {
        /// The status code.
        status: u16,
    },
    /// A request body sent without Content-Length or Transfer-Encoding.
    BodyWithoutLength {
        /// How many bytes follow the header section.
        extra: usize,
    },
    /// Content-Length counts the body's characters, not its UTF-8 bytes.
    LengthCountsCharacters {
        /// The Content-Length sent.
        length: u64,
        /// The body's length in bytes.
        bytes: usize,
    },
    /// Content-Length differs from the body's length in bytes.
    LengthDiffers {
        /// The Content-Length sent.
        length: u64,
        /// The body's length in bytes.
        bytes: usize,
    },
    /// A response with neither Content-Length nor Transfer-Encoding, whose
    /// connection stayed open after it.
    NoLengthKeptOpen {
        /// How many body bytes arrived.
        bytes: usize,
    },
    /// Bytes outside ASCII in the request-target.
    NonAsciiTarget {
        /// How many.
        bytes: usize,
    },
    /// A field line without a colon.
    NoColon {
        /// The line's number, from 1.
        line: usize,
        /// The line.
        text: Vec<u8>,
    },
    /// A request-line that ends after the request-target.
    NoVersion {
        /// The request-target.
        target: Vec<u8>,
    },
    /// A response that does not start with a status-line.
    NoStatusLine,
    /// Any other broken rule: the English `message` says which.
    Other,
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
    /// One sentence a student can act on (English).
    pub message: String,
    /// Which mistake it is, for a translated report.
    pub kind: Kind,
}

impl Violation {
    /// A violation of `check` at `offset`, of [`Kind::Other`] until [`Violation::of_kind`].
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
            kind: Kind::Other,
        }
    }

    /// The violation, naming the mistake as `kind`.
    pub fn of_kind(mut self, kind: Kind) -> Self {
        self.kind = kind;
        self
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
    fn common_mistakes_name_their_kind() {
        let kinds = |bytes: &[u8]| -> Vec<Kind> {
            crate::http::validate_request(bytes)
                .violations
                .into_iter()
                .map(|v| v.kind)
                .collect()
        };
        assert_eq!(
            kinds(b"get / HTTP/1.1\n\n"),
            [
                Kind::MethodCase {
                    method: b"get".to_vec(),
                    meant: "GET"
                },
                Kind::BareLf { line: 1 },
                Kind::BareLf { line: 2 },
                Kind::NoHost
            ]
        );
        assert_eq!(
            kinds(b"GET / HTTP/1.1\r\nHost: a\r\n"),
            [Kind::HeadNotClosed]
        );
        assert_eq!(
            kinds(b"GET / HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n"),
            [Kind::Other]
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
