//! HTTP/1.1 (RFC 9110, RFC 9112; course day02): clients (sockspec serves and
//! validates each request) and servers (sockspec requests and validates each
//! response). The message rules themselves live in `sockspec_wire::http`.

mod client;
mod server;

use sockspec_harness::{Check, Message, msg};
use sockspec_wire::http::{Kind, Violation};

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
    &server::CRLF,
    &server::FIELDS,
    &server::FRAMING,
    &server::NOT_FOUND,
    &server::NEXT_CLIENT,
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
    /// What is wrong, as a catalog message: the validator's kind of mistake,
    /// its English sentence quoted when it names no kind, or sockspec's own.
    what: Message,
    /// Where the rule is written, e.g. `RFC 9112 §2.2`.
    section: &'static str,
    /// The byte offset in the message where the problem is.
    offset: usize,
}

impl From<&Violation> for Problem {
    fn from(v: &Violation) -> Problem {
        Problem {
            what: what(v),
            section: v.section,
            offset: v.offset,
        }
    }
}

/// The violation in the reader's language when the validator names its kind;
/// otherwise its English sentence, quoted.
fn what(v: &Violation) -> Message {
    match &v.kind {
        Kind::BareLf { line } => msg!("http-bare-lf", line = *line),
        Kind::BareCr { line } => msg!("http-bare-cr", line = *line),
        Kind::StopsMidLine { line } => msg!("http-stops-mid-line", line = *line),
        Kind::HeadNotClosed => msg!("http-head-not-closed"),
        Kind::NoHost => msg!("http-no-host"),
        Kind::SecondHost => msg!("http-second-host"),
        Kind::SpaceBeforeColon { line, name } => {
            msg!("http-space-before-colon", line = *line, name = quoted(name))
        }
        Kind::SpaceInTarget { target, spaces } => msg!(
            "http-space-in-target",
            target = quoted(target),
            spaces = *spaces
        ),
        Kind::MethodCase { method, meant } => {
            msg!("http-method-case", method = quoted(method), meant = *meant)
        }
        Kind::VersionCase { version } => msg!(
            "http-version-case",
            version = quoted(version),
            meant = quoted(&version.to_ascii_uppercase())
        ),
        Kind::VersionNoSlash { version } => {
            msg!("http-version-no-slash", version = quoted(version))
        }
        Kind::NoReasonPhrase { status } => msg!("http-no-reason-phrase", status = *status),
        Kind::BodyWithoutLength { extra } => msg!("http-body-without-length", extra = *extra),
        Kind::LengthCountsCharacters { length, bytes } => msg!(
            "http-length-counts-characters",
            length = *length,
            bytes = *bytes
        ),
        Kind::LengthDiffers { length, bytes } => {
            msg!("http-length-differs", length = *length, bytes = *bytes)
        }
        Kind::NoLengthKeptOpen { bytes } => msg!("http-no-length-kept-open", bytes = *bytes),
        Kind::NonAsciiTarget { bytes } => msg!("http-non-ascii-target", bytes = *bytes),
        Kind::NoColon { line, text } => msg!("http-no-colon", line = *line, text = quoted(text)),
        Kind::NoVersion { target } => msg!("http-no-version", target = quoted(target)),
        Kind::NoStatusLine => msg!("http-no-status-line"),
        _ => msg!("http-validator-says", text = v.message.as_str()),
    }
}

/// Bytes of a message as a diagnosis quotes them between backticks: escaped, cut after 60.
fn quoted(bytes: &[u8]) -> String {
    sockspec_wire::lossy_preview(bytes, 60)
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

#[cfg(test)]
mod tests {
    use super::*;
    use sockspec_report::Lang;
    use sockspec_wire::http::{ids, validate_request, validate_response};
    use std::collections::BTreeSet;

    /// Messages with the mistakes that have a kind of their own.
    fn violations() -> Vec<Violation> {
        let requests: [&[u8]; 15] = [
            b"get /a HTTP/1.1\r\nHost: a\r\n\r\n",
            b"GET /my page.html HTTP/1.1\r\nHost: a\r\n\r\n",
            b"GET / HTTP1.1\r\nHost: a\r\n\r\n",
            b"GET / http/1.1\r\nHost: a\r\n\r\n",
            b"GET / HTTP/1.1\nHost: a\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\n",
            b"GET / HTTP/1.1\r\nHost: a",
            b"GET / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\nUser-Agent : x\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost: a\r\n\r\nhello",
            "GET /世界 HTTP/1.1\r\nHost: a\r\n\r\n".as_bytes(),
            b"GET / HTTP/1.1\r\nHost: a\r\nUser-Agent x\r\n\r\n",
            b"GET /index.html\r\nHost: a\r\n\r\n",
        ];
        let responses: [&[u8]; 4] = [
            b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n你好".as_bytes(),
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nabc",
            b"\r\n",
        ];
        let mut all = Vec::new();
        for r in requests {
            all.extend(validate_request(r).violations);
        }
        for r in responses {
            all.extend(validate_response(r, Some("GET"), true).violations);
        }
        all.extend(validate_response(b"HTTP/1.1 200 OK\r\n\r\nhi", Some("GET"), false).violations);
        all
    }

    #[test]
    fn each_kind_reads_in_english_as_the_validator_says_it_and_is_translated() {
        let (en, zh) = (Lang::En.catalog(), Lang::Zh.catalog());
        let mut kinds = BTreeSet::new();
        for v in violations() {
            if v.kind == Kind::Other {
                continue;
            }
            let what = what(&v);
            assert_ne!(what.id, "http-validator-says", "{:?}", v.kind);
            assert_eq!(en.render(&what), v.message, "{:?}", v.kind);
            let chinese = zh.render(&what);
            assert!(
                chinese != v.message && chinese.chars().any(|c| c > '\u{2e80}'),
                "{chinese}"
            );
            kinds.insert(
                format!("{:?}", v.kind)
                    .split([' ', '{'])
                    .next()
                    .unwrap()
                    .to_string(),
            );
        }
        assert_eq!(kinds.len(), 20, "{kinds:?}");
    }

    #[test]
    fn other_violations_are_quoted_and_long_lists_are_cut() {
        let v = Violation::new(ids::REQUEST_LINE, "RFC 9112 §3", 0, "something odd");
        let (en, zh) = (Lang::En.catalog(), Lang::Zh.catalog());
        assert_eq!(en.render(&what(&v)), "something odd");
        assert_eq!(zh.render(&what(&v)), "“something odd”");
        let problems: Vec<Problem> = (0..12).map(|_| Problem::from(&v)).collect();
        let list = en.render(&listed(&problems));
        assert_eq!(list.lines().count(), LISTED + 1, "{list}");
        assert!(list.ends_with("… and 2 more"), "{list}");
        assert_eq!(
            en.render(&listed(&problems[..1])),
            "  at byte 0: something odd (RFC 9112 §3)"
        );
    }
}
