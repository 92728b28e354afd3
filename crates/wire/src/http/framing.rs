//! How long the body is (RFC 9112 §6.3), decided from the status, the request
//! method, Transfer-Encoding and Content-Length, with every rule on those fields
//! checked on the way.

use super::Violation;
use super::fields::Field;
use super::syntax::{is_token, show, trim_ows};

const TE: &str = "RFC 9112 §6.1";
const LENGTH: &str = "RFC 9112 §6.3";
const CL: &str = "RFC 9110 §8.6";
const CONNECT: &str = "RFC 9110 §9.3.6";

/// How a message's body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// No body: a request without Content-Length or Transfer-Encoding, or a
    /// response that cannot have one (to HEAD; 1xx, 204, 304; 2xx to CONNECT).
    None,
    /// `Content-Length`: exactly this many bytes.
    ContentLength(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// A response body that runs until the server closes the connection.
    UntilClose,
    /// The framing fields are invalid, so where the body ends is unknown.
    Invalid,
}

/// Which kind of message is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Message<'a> {
    /// A request.
    Request,
    /// A response with this status, to a request with this method (if known).
    Response(u16, Option<&'a str>),
}

impl Message<'_> {
    /// Why this message has no body, if it cannot have one.
    pub fn bodiless(&self) -> Option<String> {
        match *self {
            Message::Request => None,
            Message::Response(_, Some(method)) if method.eq_ignore_ascii_case("HEAD") => {
                Some("a response to HEAD".into())
            }
            Message::Response(status, Some(method))
                if method.eq_ignore_ascii_case("CONNECT") && (200..300).contains(&status) =>
            {
                Some(format!("a {status} response to CONNECT"))
            }
            Message::Response(status, _) if status < 200 || status == 204 || status == 304 => {
                Some(format!("a {status} response"))
            }
            Message::Response(..) => None,
        }
    }

    /// Whether bytes after this message's header section belong to something
    /// else: the final response after a 1xx, or the tunnel after CONNECT.
    pub fn others_follow(&self) -> bool {
        match *self {
            Message::Request => false,
            Message::Response(status, method) => {
                status < 200
                    || (method.is_some_and(|m| m.eq_ignore_ascii_case("CONNECT"))
                        && (200..300).contains(&status))
            }
        }
    }
}

/// Decides the framing of a message with `fields`, reporting what is wrong with
/// its framing fields as violations of `check`.
pub(crate) fn decide(
    fields: &[Field],
    http10: bool,
    message: Message<'_>,
    check: &'static str,
    out: &mut Vec<Violation>,
) -> Framing {
    let te: Vec<&Field> = fields
        .iter()
        .filter(|f| f.is("transfer-encoding"))
        .collect();
    let cl: Vec<&Field> = fields.iter().filter(|f| f.is("content-length")).collect();
    let bad = |section, field: &Field, message: String| {
        Violation::new(check, section, field.offset, message)
    };
    let length = content_length(&cl, check, out);
    if let Message::Response(status, method) = message {
        let connect = method.is_some_and(|m| m.eq_ignore_ascii_case("CONNECT"))
            && (200..300).contains(&status);
        let no_cl_te = status < 200 || status == 204 || connect;
        if no_cl_te {
            let section = if connect { CONNECT } else { CL };
            for f in cl.iter().take(1) {
                out.push(bad(
                    section,
                    f,
                    format!("a {status} response must not have Content-Length"),
                ));
            }
            let section = if connect { CONNECT } else { TE };
            for f in te.iter().take(1) {
                out.push(bad(
                    section,
                    f,
                    format!("a {status} response must not have Transfer-Encoding"),
                ));
            }
        }
        if message.bodiless().is_some() {
            return Framing::None;
        }
    }
    if let Some(first_te) = te.first() {
        if let Some(first_cl) = cl.first() {
            out.push(bad(
                TE,
                first_cl,
                "the message has both Content-Length and Transfer-Encoding: send one of them, never both (chunked needs no Content-Length)".into(),
            ));
        }
        if http10 {
            out.push(bad(
                TE,
                first_te,
                "an HTTP/1.0 message has Transfer-Encoding, which HTTP/1.0 does not know: send Content-Length".into(),
            ));
        }
        return transfer_codings(&te, message, check, out);
    }
    match length {
        Some(Ok(n)) => Framing::ContentLength(n),
        Some(Err(())) => Framing::Invalid,
        None if message == Message::Request => Framing::None,
        None => Framing::UntilClose,
    }
}

/// The Content-Length all `cl` fields agree on: `None` without any, `Err` when
/// one is not a number or they disagree (reported).
fn content_length(
    cl: &[&Field],
    check: &'static str,
    out: &mut Vec<Violation>,
) -> Option<Result<u64, ()>> {
    let mut agreed: Option<(u64, &Field)> = None;
    let mut valid = true;
    for field in cl {
        for element in field.value.split(|&b| b == b',') {
            let element = trim_ows(element);
            let parsed = if element.is_empty() || !element.iter().all(u8::is_ascii_digit) {
                Err(format!(
                    "Content-Length {} is not a number of bytes: write digits only, e.g. `Content-Length: 13`",
                    show(&field.value)
                ))
            } else {
                std::str::from_utf8(element)
                    .ok()
                    .and_then(|s| s.parse::<u64>().ok())
                    .ok_or_else(|| format!("Content-Length {} is too large", show(element)))
            };
            match (parsed, agreed) {
                (Err(message), _) => {
                    out.push(Violation::new(check, CL, field.value_offset, message));
                    valid = false;
                    break;
                }
                (Ok(n), None) => agreed = Some((n, field)),
                (Ok(n), Some((m, _))) if n == m => {}
                (Ok(n), Some((m, _))) => {
                    out.push(Violation::new(
                        check,
                        LENGTH,
                        field.offset,
                        format!("Content-Length is given as both {m} and {n}: send one Content-Length, the body's length in bytes"),
                    ));
                    valid = false;
                }
            }
        }
    }
    match agreed {
        _ if !valid => Some(Err(())),
        Some((n, _)) => Some(Ok(n)),
        None => None,
    }
}

/// The framing that the transfer codings in `te` give.
fn transfer_codings(
    te: &[&Field],
    message: Message<'_>,
    check: &'static str,
    out: &mut Vec<Violation>,
) -> Framing {
    let mut codings: Vec<(&[u8], &Field)> = Vec::new();
    for field in te {
        for element in field.value.split(|&b| b == b',') {
            let element = trim_ows(element);
            if element.is_empty() {
                continue;
            }
            let name = trim_ows(element.split(|&b| b == b';').next().unwrap_or_default());
            if !is_token(name) {
                out.push(Violation::new(
                    check,
                    TE,
                    field.value_offset,
                    format!(
                        "Transfer-Encoding {} lists {}, which is not a transfer coding such as `chunked`",
                        show(&field.value),
                        show(element)
                    ),
                ));
                return Framing::Invalid;
            }
            codings.push((name, field));
        }
    }
    let chunked = |c: &&(&[u8], &Field)| c.0.eq_ignore_ascii_case(b"chunked");
    let times = codings.iter().filter(chunked).count();
    if times > 1 {
        let second = codings.iter().filter(chunked).nth(1).map_or(te[0], |c| c.1);
        out.push(Violation::new(
            check,
            TE,
            second.offset,
            "chunked is applied more than once: list it once, last".to_string(),
        ));
    }
    match codings.last() {
        Some(last) if chunked(&last) => Framing::Chunked,
        _ if message != Message::Request => Framing::UntilClose,
        last => {
            let field = last.map_or(te[0], |c| c.1);
            out.push(Violation::new(
                check,
                LENGTH,
                field.value_offset,
                format!(
                    "the request's Transfer-Encoding {} does not end in chunked, so its length cannot be known: use `Transfer-Encoding: chunked` or Content-Length",
                    show(&field.value)
                ),
            ));
            Framing::Invalid
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(list: &[(&str, &str)]) -> Vec<Field> {
        list.iter()
            .enumerate()
            .map(|(i, (name, value))| Field {
                name: name.to_string(),
                value: value.as_bytes().to_vec(),
                offset: i * 100,
                value_offset: i * 100 + 50,
            })
            .collect()
    }

    fn decided(
        list: &[(&str, &str)],
        http10: bool,
        message: Message<'_>,
    ) -> (Framing, Vec<(usize, &'static str)>) {
        let mut out = Vec::new();
        let framing = decide(&fields(list), http10, message, "c", &mut out);
        (framing, out.iter().map(|v| (v.offset, v.section)).collect())
    }

    #[test]
    fn follows_the_order_of_rfc_9112_section_6_3() {
        let req = Message::Request;
        let ok = Message::Response(200, Some("GET"));
        assert_eq!(decided(&[], false, req), (Framing::None, vec![]));
        assert_eq!(decided(&[], false, ok), (Framing::UntilClose, vec![]));
        assert_eq!(
            decided(&[("content-length", "5")], false, req),
            (Framing::ContentLength(5), vec![])
        );
        assert_eq!(
            decided(
                &[("Content-Length", "5"), ("Content-Length", "5, 5")],
                false,
                req
            )
            .0,
            Framing::ContentLength(5)
        );
        assert_eq!(
            decided(&[("Transfer-Encoding", "gzip, chunked")], false, req),
            (Framing::Chunked, vec![])
        );
        assert_eq!(
            decided(&[("Transfer-Encoding", "gzip")], false, ok),
            (Framing::UntilClose, vec![])
        );
        assert_eq!(
            decided(
                &[("Content-Length", "9")],
                false,
                Message::Response(200, Some("HEAD"))
            )
            .0,
            Framing::None
        );
        assert_eq!(
            decided(
                &[("Content-Length", "9")],
                false,
                Message::Response(304, None)
            ),
            (Framing::None, vec![])
        );
    }

    #[test]
    fn reports_every_broken_framing_rule() {
        let req = Message::Request;
        assert_eq!(
            decided(&[("Content-Length", "12 bytes")], false, req),
            (Framing::Invalid, vec![(50, CL)])
        );
        assert_eq!(
            decided(&[("Content-Length", "-1")], false, req).1,
            [(50, CL)]
        );
        assert_eq!(decided(&[("Content-Length", "")], false, req).1, [(50, CL)]);
        assert_eq!(
            decided(&[("Content-Length", "99999999999999999999")], false, req).1,
            [(50, CL)]
        );
        assert_eq!(
            decided(
                &[("Content-Length", "5"), ("Content-Length", "7")],
                false,
                req
            ),
            (Framing::Invalid, vec![(100, LENGTH)])
        );
        assert_eq!(
            decided(
                &[("Content-Length", "5"), ("Transfer-Encoding", "chunked")],
                true,
                req
            ),
            (Framing::Chunked, vec![(0, TE), (100, TE)])
        );
        assert_eq!(
            decided(&[("Transfer-Encoding", "gzip")], false, req),
            (Framing::Invalid, vec![(50, LENGTH)])
        );
        assert_eq!(
            decided(&[("Transfer-Encoding", "chunked, chunked")], false, req).1,
            [(0, TE)]
        );
        assert_eq!(
            decided(
                &[
                    ("Transfer-Encoding", "chunked"),
                    ("Transfer-Encoding", "chunked")
                ],
                false,
                req
            )
            .1,
            [(100, TE)]
        );
        assert_eq!(
            decided(&[("Transfer-Encoding", "ch@nked")], false, req),
            (Framing::Invalid, vec![(50, TE)])
        );
        assert_eq!(
            decided(
                &[("Content-Length", "0"), ("Transfer-Encoding", "chunked")],
                false,
                Message::Response(204, None)
            ),
            (Framing::None, vec![(0, CL), (100, TE)])
        );
        assert_eq!(
            decided(
                &[("Content-Length", "0")],
                false,
                Message::Response(200, Some("CONNECT"))
            )
            .1,
            [(0, CONNECT)]
        );
    }

    #[test]
    fn knows_which_responses_have_no_body() {
        assert_eq!(
            Message::Response(200, Some("head")).bodiless().as_deref(),
            Some("a response to HEAD")
        );
        assert_eq!(
            Message::Response(304, None).bodiless().as_deref(),
            Some("a 304 response")
        );
        assert_eq!(Message::Response(200, Some("GET")).bodiless(), None);
        assert!(Message::Response(101, None).others_follow());
        assert!(Message::Response(200, Some("CONNECT")).others_follow());
        assert!(
            !Message::Response(404, Some("CONNECT")).others_follow()
                && !Message::Request.others_follow()
        );
    }
}
