//! Reading the body that a [`Framing`] delimits, and checking that the bytes
//! after the header section are exactly that body (RFC 9112 §6.3).

use super::Violation;
use super::chunked::{self, End};
use super::fields::Field;
use super::framing::{Framing, Message};
use super::syntax::count;
use super::violation::Kind;

const LENGTH: &str = "RFC 9112 §6.3";

/// The body of a message and where the message ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Body {
    /// The body's bytes (decoded from chunks), when asked for.
    pub data: Vec<u8>,
    /// Trailer fields of a chunked body.
    pub trailers: Vec<Field>,
    /// Where the message ends.
    pub end: End,
}

/// What the reader needs to know besides the framing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    /// The message being read.
    pub message: Message<'a>,
    /// For a response: whether the server closed the connection after the bytes.
    pub closed: bool,
    /// The check that framing violations belong to.
    pub check: &'static str,
    /// The check that trailer field-line violations belong to.
    pub fields_check: &'static str,
    /// Whether to copy the body out.
    pub collect: bool,
}

/// Reads the body that starts at `from` (the end of the header section).
pub(crate) fn read(
    bytes: &[u8],
    from: usize,
    framing: Framing,
    cx: Context<'_>,
    out: &mut Vec<Violation>,
) -> Body {
    let rest = &bytes[from..];
    let bad = |at: usize, message: String| Violation::new(cx.check, LENGTH, at, message);
    let mut body = Body {
        data: Vec::new(),
        trailers: Vec::new(),
        end: End::At(from),
    };
    let framed_end = match framing {
        Framing::None => from,
        Framing::Invalid => {
            body.end = End::Broken(from);
            if cx.collect {
                body.data = rest.to_vec();
            }
            return body;
        }
        Framing::ContentLength(n) => {
            let available = rest.len() as u64;
            if available < n {
                let what = match cx.message {
                    Message::Request => "follow",
                    Message::Response(..) if cx.closed => {
                        "came before the server closed the connection"
                    }
                    Message::Response(..) => "have arrived",
                };
                out.push(bad(
                    bytes.len(),
                    format!(
                        "Content-Length is {n} but only {} of body {what}: send exactly as many bytes as Content-Length says",
                        count(available, "byte")
                    ),
                ));
                body.end = End::Incomplete;
                if cx.collect {
                    body.data = rest.to_vec();
                }
                return body;
            }
            from + n as usize
        }
        Framing::Chunked => {
            let decoded = chunked::decode(bytes, from, cx.check, cx.fields_check, cx.collect, out);
            body.data = decoded.data;
            body.trailers = decoded.trailers;
            body.end = decoded.end;
            match decoded.end {
                End::At(end) => end,
                _ => return body,
            }
        }
        Framing::UntilClose => {
            if !cx.closed {
                out.push(bad(
                    from,
                    format!(
                        "the response has neither Content-Length nor Transfer-Encoding, so its body ends only when the connection closes, but the server kept it open: send `Content-Length: {}`, or close after the body",
                        rest.len()
                    ),
                ).of_kind(Kind::NoLengthKeptOpen { bytes: rest.len() }));
            }
            body.end = End::Incomplete;
            if cx.collect {
                body.data = rest.to_vec();
            }
            return body;
        }
    };
    if cx.collect && framing != Framing::Chunked {
        body.data = bytes[from..framed_end].to_vec();
    }
    body.end = End::At(framed_end);
    let extra = &bytes[framed_end..];
    // Empty lines after a request are what a server skips before the next
    // request-line (RFC 9112 §2.2): harmless, not a body.
    let empty_lines = matches!(cx.message, Message::Request)
        && extra
            .split_inclusive(|&b| b == b'\n')
            .all(|l| l == b"\r\n" || l == b"\n");
    if extra.is_empty() || cx.message.others_follow() || empty_lines {
        return body;
    }
    let extra_bytes = count(extra.len() as u64, "byte");
    let (message, kind) = match (framing, cx.message.bodiless()) {
        (_, Some(what)) => (
            format!("{what} has no body, yet {extra_bytes} follow its header section"),
            Kind::Other,
        ),
        (Framing::None, None) => (
            format!(
                "{extra_bytes} follow the header section, but a request without Content-Length (or Transfer-Encoding: chunked) has no body: send `Content-Length: {}`",
                extra.len()
            ),
            Kind::BodyWithoutLength { extra: extra.len() },
        ),
        (Framing::ContentLength(length), _) => {
            let body = &bytes[from..];
            let bytes = body.len();
            match std::str::from_utf8(body) {
                Ok(text) if text.chars().count() as u64 == length => (
                    format!(
                        "Content-Length is {length}, the number of characters, but the body is {} of UTF-8: Content-Length counts bytes (len(body.encode()))",
                        count(bytes as u64, "byte")
                    ),
                    Kind::LengthCountsCharacters { length, bytes },
                ),
                _ => (
                    format!(
                        "Content-Length is {length} but the body is {}: Content-Length must be the body's length in bytes",
                        count(bytes as u64, "byte")
                    ),
                    Kind::LengthDiffers { length, bytes },
                ),
            }
        }
        _ => (
            format!(
                "{extra_bytes} follow the end of the chunked body (the last chunk `0\\r\\n` and an empty line)"
            ),
            Kind::Other,
        ),
    };
    let at = match framing {
        Framing::ContentLength(_) => from,
        _ => framed_end,
    };
    out.push(bad(at, message).of_kind(kind));
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(
        bytes: &[u8],
        framing: Framing,
        message: Message<'_>,
        closed: bool,
    ) -> (Body, Vec<String>) {
        let cx = Context {
            message,
            closed,
            check: "c",
            fields_check: "f",
            collect: true,
        };
        let mut out = Vec::new();
        let body = read(bytes, 0, framing, cx, &mut out);
        (body, out.into_iter().map(|v| v.message).collect())
    }

    #[test]
    fn reads_exactly_the_framed_body() {
        let req = Message::Request;
        let (body, found) = read_all(b"hello", Framing::ContentLength(5), req, false);
        assert_eq!(
            (body.data, body.end, found.len()),
            (b"hello".to_vec(), End::At(5), 0)
        );
        let (body, found) = read_all(
            b"abc",
            Framing::UntilClose,
            Message::Response(200, None),
            true,
        );
        assert_eq!(
            (body.data, body.end, found.len()),
            (b"abc".to_vec(), End::Incomplete, 0)
        );
        let (body, _) = read_all(
            b"HTTP/1.1 200 OK\r\n",
            Framing::None,
            Message::Response(100, None),
            false,
        );
        assert_eq!(body.end, End::At(0));
    }

    #[test]
    fn says_how_the_body_and_the_framing_disagree() {
        let req = Message::Request;
        let says = |bytes: &[u8], framing, message, closed, what: &str| {
            let (_, found) = read_all(bytes, framing, message, closed);
            assert!(found.len() == 1 && found[0].contains(what), "{found:?}");
        };
        says(
            b"a=1",
            Framing::None,
            req,
            false,
            "send `Content-Length: 3`",
        );
        says(
            "你好".as_bytes(),
            Framing::ContentLength(2),
            req,
            false,
            "counts bytes",
        );
        says(
            b"abcd",
            Framing::ContentLength(2),
            req,
            false,
            "but the body is 4 bytes",
        );
        says(
            b"ab",
            Framing::ContentLength(9),
            req,
            false,
            "only 2 bytes of body follow",
        );
        let ok = Message::Response(200, Some("GET"));
        says(
            b"ab",
            Framing::ContentLength(9),
            ok,
            true,
            "before the server closed",
        );
        says(b"ab", Framing::UntilClose, ok, false, "kept it open");
        says(
            b"ab",
            Framing::None,
            Message::Response(204, None),
            false,
            "a 204 response has no body",
        );
        says(
            b"0\r\n\r\nx",
            Framing::Chunked,
            req,
            false,
            "follow the end of the chunked body",
        );
    }
}
