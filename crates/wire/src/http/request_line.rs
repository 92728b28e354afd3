//! The request-line (RFC 9112 §3): `method SP request-target SP HTTP-version`.
//! It is read word by word, so that a missing, doubled or misspelt part is named
//! as such: `GET /` lacks the version, `GET /a b HTTP/1.1` has a space in the target.

use super::head::Line;
use super::ids::{REQUEST_LINE, REQUEST_TARGET, REQUEST_VERSION};
use super::syntax::{count, is_tchar, is_ws, name_byte, show};
use super::violation::Kind;
use super::{Violation, version};
use std::ops::Range;

const SECTION: &str = "RFC 9112 §3";
const METHOD: &str = "RFC 9110 §9.1";

/// The methods RFC 9110 defines, spelt as they must be.
const METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];

/// The parts of a request-line, as byte ranges of the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestLine {
    /// The method.
    pub method: Range<usize>,
    /// The request-target (it may contain whitespace, which is reported).
    pub target: Range<usize>,
    /// The HTTP-version as sent.
    pub version: Range<usize>,
    /// The minor version when it is `HTTP/1.0` or `HTTP/1.1`.
    pub minor: Option<u8>,
}

/// Checks the request-line `line`; returns its parts when it has a method, a
/// target and a version. The target itself is checked by the caller.
pub(crate) fn check(bytes: &[u8], line: &Line, out: &mut Vec<Violation>) -> Option<RequestLine> {
    let text = line.text(bytes);
    let text = &text[..];
    let at = |i: usize| line.start + i;
    let words = words(text);
    let Some((first, last)) = words.first().zip(words.last()) else {
        out.push(Violation::new(
            REQUEST_LINE,
            SECTION,
            at(0),
            "the request-line holds only whitespace: it is `method SP request-target SP HTTP-version`, e.g. `GET / HTTP/1.1`",
        ));
        return None;
    };
    if first.start > 0 {
        out.push(Violation::new(
            REQUEST_LINE,
            SECTION,
            at(0),
            "the request-line starts with whitespace: begin with the method, e.g. `GET`",
        ));
    }
    if last.end < text.len() {
        out.push(Violation::new(
            REQUEST_LINE,
            SECTION,
            at(last.end),
            format!(
                "the request-line has whitespace after {}: end it right after the HTTP-version",
                show(&text[last.clone()])
            ),
        ));
    }
    let word = |i: usize| &text[words[i].clone()];
    match words.len() {
        1 => {
            out.push(Violation::new(
                REQUEST_LINE,
                SECTION,
                at(0),
                format!(
                    "the request-line {} is not `method SP request-target SP HTTP-version`, e.g. `GET / HTTP/1.1`",
                    show(word(0))
                ),
            ));
            return None;
        }
        2 if version::looks_like_version(word(1)) => {
            if word(0).starts_with(b"/") {
                out.push(Violation::new(
                    REQUEST_LINE,
                    SECTION,
                    at(0),
                    format!(
                        "the request-line has no method: start it with one, e.g. `GET {} {}`",
                        String::from_utf8_lossy(word(0)),
                        String::from_utf8_lossy(word(1))
                    ),
                ));
            } else {
                check_method(word(0), at(0), out);
                out.push(Violation::new(
                    REQUEST_TARGET,
                    SECTION,
                    at(words[1].start),
                    format!(
                        "the request-line has no request-target between {} and {}: ask for `/` at least",
                        show(word(0)),
                        show(word(1))
                    ),
                ));
            }
            check_version(word(1), at(words[1].start), out);
            return None;
        }
        2 => {
            check_method(word(0), at(0), out);
            out.push(Violation::new(
                REQUEST_VERSION,
                version::SECTION,
                at(words[1].end),
                format!(
                    "the request-line ends after the request-target {}: add ` HTTP/1.1` (method SP request-target SP HTTP-version)",
                    show(word(1))
                ),
            ).of_kind(Kind::NoVersion { target: word(1).to_vec() }));
            return None;
        }
        _ => {}
    }
    let n = words.len();
    let v = if version::looks_like_version(word(n - 1)) {
        n - 1
    } else {
        (2..n)
            .find(|&i| version::looks_like_version(word(i)))
            .unwrap_or(n - 1)
    };
    if v < n - 1 {
        out.push(Violation::new(
            REQUEST_LINE,
            SECTION,
            at(words[v + 1].start),
            format!(
                "{} follows the HTTP-version: the request-line ends with the version",
                show(&text[words[v + 1].start..last.end])
            ),
        ));
    }
    check_method(word(0), at(0), out);
    for (gap, between) in [
        (
            words[0].end..words[1].start,
            "the method and the request-target",
        ),
        (
            words[v - 1].end..words[v].start,
            "the request-target and the HTTP-version",
        ),
    ] {
        if &text[gap.clone()] != b" " {
            out.push(Violation::new(
                REQUEST_LINE,
                SECTION,
                at(gap.start),
                format!(
                    "{} stand between {between}: separate them with exactly one space",
                    describe_gap(&text[gap])
                ),
            ));
        }
    }
    let minor = check_version(word(v), at(words[v].start), out);
    Some(RequestLine {
        method: at(0)..at(words[0].end),
        target: at(words[1].start)..at(words[v - 1].end),
        version: at(words[v].start)..at(words[v].end),
        minor,
    })
}

/// The maximal runs of bytes other than SP and HTAB.
fn words(text: &[u8]) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if is_ws(text[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < text.len() && !is_ws(text[i]) {
            i += 1;
        }
        words.push(start..i);
    }
    words
}

/// Whitespace that is not one SP, described: `2 spaces`, `a tab (\t)`.
fn describe_gap(gap: &[u8]) -> String {
    if gap.iter().all(|&b| b == b' ') {
        count(gap.len() as u64, "space")
    } else if gap == b"\t" {
        "a tab (\\t)".to_string()
    } else {
        format!("the whitespace {}", show(gap))
    }
}

/// The method is a token, and a standard method is spelt in capitals.
fn check_method(method: &[u8], offset: usize, out: &mut Vec<Violation>) {
    if let Some(bad) = method.iter().position(|&b| !is_tchar(b)) {
        out.push(Violation::new(
            REQUEST_LINE,
            METHOD,
            offset + bad,
            format!(
                "the method {} contains {}: a method is a token such as `GET`",
                show(method),
                name_byte(method[bad])
            ),
        ));
    } else if let Some(meant) = METHODS
        .iter()
        .find(|m| m.as_bytes() != method && m.as_bytes().eq_ignore_ascii_case(method))
    {
        out.push(
            Violation::new(
                REQUEST_LINE,
                METHOD,
                offset,
                format!(
                    "the method {} is not `{meant}`: methods are case-sensitive",
                    show(method)
                ),
            )
            .of_kind(Kind::MethodCase {
                method: method.to_vec(),
                meant,
            }),
        );
    }
}

/// Checks the HTTP-version; its minor version when it is valid.
fn check_version(word: &[u8], offset: usize, out: &mut Vec<Violation>) -> Option<u8> {
    match version::check(word) {
        Ok(minor) => Some(minor),
        Err((message, kind)) => {
            out.push(
                Violation::new(
                    REQUEST_VERSION,
                    version::SECTION,
                    offset,
                    format!("the HTTP-version {message}"),
                )
                .of_kind(kind),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::head;
    use super::*;

    fn verdict(line: &str) -> (Option<RequestLine>, Vec<(&'static str, usize)>) {
        let bytes = format!("{line}\r\n");
        let line = head::line_at(bytes.as_bytes(), 0).unwrap();
        let mut out = Vec::new();
        let parts = check(bytes.as_bytes(), &line, &mut out);
        (parts, out.iter().map(|v| (v.check, v.offset)).collect())
    }

    #[test]
    fn reads_a_valid_line() {
        let (parts, found) = verdict("GET /a?b HTTP/1.1");
        assert_eq!(found, []);
        assert_eq!(
            parts,
            Some(RequestLine {
                method: 0..3,
                target: 4..8,
                version: 9..17,
                minor: Some(1)
            })
        );
        assert_eq!(verdict("PROPFIND / HTTP/1.0").1, []);
    }

    #[test]
    fn names_each_mistake() {
        for (line, expected) in [
            ("GET /", vec![(REQUEST_VERSION, 5)]),
            ("GET HTTP/1.1", vec![(REQUEST_TARGET, 4)]),
            ("/ HTTP/1.1", vec![(REQUEST_LINE, 0)]),
            ("GET", vec![(REQUEST_LINE, 0)]),
            ("   ", vec![(REQUEST_LINE, 0)]),
            ("GET / HTTP1.1", vec![(REQUEST_VERSION, 6)]),
            ("GET / http/1.1", vec![(REQUEST_VERSION, 6)]),
            ("get / HTTP/1.1", vec![(REQUEST_LINE, 0)]),
            ("G@T / HTTP/1.1", vec![(REQUEST_LINE, 1)]),
            ("GET  / HTTP/1.1", vec![(REQUEST_LINE, 3)]),
            ("GET /\tHTTP/1.1", vec![(REQUEST_LINE, 5)]),
            (
                " GET / HTTP/1.1 ",
                vec![(REQUEST_LINE, 0), (REQUEST_LINE, 15)],
            ),
            ("GET / HTTP/1.1 extra", vec![(REQUEST_LINE, 15)]),
        ] {
            assert_eq!(verdict(line).1, expected, "{line:?}");
        }
        // Spaces inside the target are the target's business, not the line's.
        let (parts, found) = verdict("GET /my file.html HTTP/1.1");
        assert_eq!(found, []);
        assert_eq!(parts.unwrap().target, 4..17);
    }
}
