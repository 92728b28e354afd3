//! The status-line (RFC 9112 §4): `HTTP-version SP status-code SP [reason-phrase]`.

use super::head::Line;
use super::ids::RESPONSE_STATUS_LINE;
use super::syntax::{is_field_value_byte, is_ws, name_byte, show};
use super::violation::Kind;
use super::{Violation, version};
use std::ops::Range;

const SECTION: &str = "RFC 9112 §4";
const CODES: &str = "RFC 9110 §15";

/// The parts of a status-line, as byte ranges of the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StatusLine {
    /// The HTTP-version as sent.
    pub version: Range<usize>,
    /// The minor version when it is `HTTP/1.0` or `HTTP/1.1`.
    pub minor: Option<u8>,
    /// The status code.
    pub status: u16,
    /// The reason-phrase (possibly empty).
    pub reason: Range<usize>,
}

/// Checks the status-line `line`; returns its parts when it has a version and a
/// three-digit status code.
pub(crate) fn check(bytes: &[u8], line: &Line, out: &mut Vec<Violation>) -> Option<StatusLine> {
    let text = line.text(bytes);
    let text = &text[..];
    let at = |i: usize| line.start + i;
    let bad =
        |i: usize, message: String| Violation::new(RESPONSE_STATUS_LINE, SECTION, at(i), message);
    let start = text.iter().position(|&b| !is_ws(b)).unwrap_or(text.len());
    if start > 0 {
        out.push(bad(0, "the status-line starts with whitespace: begin with the HTTP-version, e.g. `HTTP/1.1 200 OK`".into()));
    }
    let version_end = start
        + text[start..]
            .iter()
            .position(|&b| is_ws(b))
            .unwrap_or(text.len() - start);
    let version = &text[start..version_end];
    if version.len() == 3 && version.iter().all(u8::is_ascii_digit) {
        out.push(bad(
            start,
            format!(
                "the status-line starts with the status code {}: put the HTTP-version first, e.g. `HTTP/1.1 200 OK`",
                show(version)
            ),
        ));
        return None;
    }
    let minor = match version::check(version) {
        Ok(minor) => Some(minor),
        Err((message, kind)) => {
            out.push(
                Violation::new(
                    RESPONSE_STATUS_LINE,
                    version::SECTION,
                    at(start),
                    format!("the HTTP-version {message}"),
                )
                .of_kind(kind),
            );
            None
        }
    };
    let code_start = version_end
        + text[version_end..]
            .iter()
            .take_while(|&&b| is_ws(b))
            .count();
    if code_start == text.len() {
        out.push(bad(
            version_end,
            format!(
                "the status-line {} has no status code: write e.g. `HTTP/1.1 200 OK`",
                show(text)
            ),
        ));
        return None;
    }
    if &text[version_end..code_start] != b" " {
        out.push(bad(
            version_end,
            "the HTTP-version and the status code are separated by other than one space: write e.g. `HTTP/1.1 200 OK`".into(),
        ));
    }
    let word_end = code_start
        + text[code_start..]
            .iter()
            .position(|&b| is_ws(b))
            .unwrap_or(text.len() - code_start);
    let word = &text[code_start..word_end];
    let code_end = code_start + 3;
    if word.len() < 3
        || !word[..3].iter().all(u8::is_ascii_digit)
        || word.get(3).is_some_and(u8::is_ascii_digit)
    {
        out.push(bad(
            code_start,
            format!(
                "the status code {} is not three digits, e.g. `200`",
                show(word)
            ),
        ));
        return None;
    }
    let status = word[..3]
        .iter()
        .fold(0u16, |n, &d| n * 10 + u16::from(d - b'0'));
    if !(100..=599).contains(&status) {
        out.push(Violation::new(
            RESPONSE_STATUS_LINE,
            CODES,
            at(code_start),
            format!("the status code {status} is outside 100-599"),
        ));
    }
    let reason_start = match text.get(code_end) {
        None => {
            out.push(bad(
                code_end,
                format!("the status-line ends right after the status code: add a space and a reason-phrase, e.g. `{} {status} OK`", String::from_utf8_lossy(version)),
            ).of_kind(Kind::NoReasonPhrase { status }));
            code_end
        }
        Some(b' ') => code_end + 1,
        Some(b'\t') => {
            out.push(bad(code_end, "a tab (\\t) follows the status code: separate it from the reason-phrase with one space".into()));
            code_end + 1
        }
        Some(_) => {
            out.push(bad(
                code_end,
                format!(
                    "the status code {status} runs into {}: put one space between them",
                    show(&word[3..])
                ),
            ));
            code_end
        }
    };
    let reason = &text[reason_start..];
    if let Some(i) = reason.iter().position(|&b| !is_field_value_byte(b)) {
        out.push(bad(
            reason_start + i,
            format!(
                "the reason-phrase contains {}, a control character",
                name_byte(reason[i])
            ),
        ));
    }
    Some(StatusLine {
        version: at(start)..at(version_end),
        minor,
        status,
        reason: at(reason_start)..at(text.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::super::head;
    use super::*;

    fn verdict(line: &[u8]) -> (Option<StatusLine>, Vec<(&'static str, usize)>) {
        let bytes = [line, b"\r\n"].concat();
        let line = head::line_at(&bytes, 0).unwrap();
        let mut out = Vec::new();
        let parts = check(&bytes, &line, &mut out);
        (parts, out.iter().map(|v| (v.section, v.offset)).collect())
    }

    #[test]
    fn reads_valid_lines() {
        let (parts, found) = verdict(b"HTTP/1.1 404 Not Found");
        assert_eq!(found, []);
        assert_eq!(
            parts,
            Some(StatusLine {
                version: 0..8,
                minor: Some(1),
                status: 404,
                reason: 13..22
            })
        );
        for ok in [
            &b"HTTP/1.0 200 "[..],
            b"HTTP/1.1 200  OK",
            "HTTP/1.1 200 好".as_bytes(),
        ] {
            assert_eq!(verdict(ok).1, [], "{ok:?}");
        }
    }

    #[test]
    fn names_each_mistake() {
        for (line, expected) in [
            (&b"HTTP/1.1 200"[..], vec![(SECTION, 12)]),
            (b"200 OK", vec![(SECTION, 0)]),
            (b"HTTP1.1 200 OK", vec![(version::SECTION, 0)]),
            (b"HTTP/1.1", vec![(SECTION, 8)]),
            (b"HTTP/1.1 20 OK", vec![(SECTION, 9)]),
            (b"HTTP/1.1 2000 OK", vec![(SECTION, 9)]),
            (b"HTTP/1.1 200OK", vec![(SECTION, 12)]),
            (b"HTTP/1.1  200 OK", vec![(SECTION, 8)]),
            (b"HTTP/1.1 200\tOK", vec![(SECTION, 12)]),
            (b"HTTP/1.1 999 Odd", vec![(CODES, 9)]),
            (b"HTTP/1.1 200 O\x07K", vec![(SECTION, 14)]),
            (b" HTTP/1.1 200 OK", vec![(SECTION, 0)]),
        ] {
            assert_eq!(
                verdict(line).1,
                expected,
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
