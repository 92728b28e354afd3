//! Validating one response, and finding where a response ends in a byte stream.

use super::body::{self, Context};
use super::chunked::End;
use super::fields::{self, Field};
use super::framing::{self, Framing, Message};
use super::head;
use super::ids::{RESPONSE_CRLF, RESPONSE_FIELDS, RESPONSE_FRAMING, RESPONSE_STATUS_LINE};
use super::status_line;
use super::violation::Kind;
use super::{FieldReader, Violation, end_of_head};

/// A response's parts, as far as they could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The HTTP-version as sent, e.g. `HTTP/1.1`.
    pub version: String,
    /// The status code.
    pub status: u16,
    /// The reason-phrase (lossy UTF-8), possibly empty.
    pub reason: String,
    /// The header fields, in order.
    pub fields: Vec<Field>,
    /// The body (decoded from chunks when chunked).
    pub body: Vec<u8>,
    /// The trailer fields of a chunked body.
    pub trailers: Vec<Field>,
    /// How the body was delimited.
    pub framing: Framing,
}

impl Response {
    /// The value of the first field called `name` (ignoring case).
    pub fn field(&self, name: &str) -> Option<&[u8]> {
        self.fields
            .iter()
            .find(|f| f.is(name))
            .map(|f| &f.value[..])
    }
}

/// The verdict on one response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseReport {
    /// The parts, when the status-line has a version and a status code and the
    /// header section ends.
    pub response: Option<Response>,
    /// Every rule the response breaks, by offset.
    pub violations: Vec<Violation>,
}

impl ResponseReport {
    /// Whether the response breaks no rule.
    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }

    /// The distinct checks that fail, in order of their first violation.
    pub fn failed_checks(&self) -> Vec<&'static str> {
        super::failed_checks(&self.violations)
    }
}

/// Validates `bytes` as exactly one HTTP/1.1 response to a request with
/// `request_method` (`None`: unknown, judged like GET). `closed` says the
/// server closed the connection after these bytes, which makes a
/// close-delimited body (no Content-Length, no chunked) valid. Bytes after a
/// 1xx response or a 2xx to CONNECT are left alone: they are the final
/// response or the tunnel.
pub fn validate_response(
    bytes: &[u8],
    request_method: Option<&str>,
    closed: bool,
) -> ResponseReport {
    validate(bytes, request_method, closed, FieldReader::Httparse)
}

/// [`validate_response`] with a choice of field reader (the tests compare them).
pub(crate) fn validate(
    bytes: &[u8],
    request_method: Option<&str>,
    closed: bool,
    reader: FieldReader,
) -> ResponseReport {
    let mut out = Vec::new();
    let head = head::split(bytes);
    if let Some(first) = head.leading.first() {
        out.push(Violation::new(
            RESPONSE_STATUS_LINE,
            head::CRLF_SECTION,
            first.start,
            "the response starts with an empty line: send the status-line first",
        ));
    }
    let Some(start) = head.start else {
        out.push(
            Violation::new(
                RESPONSE_STATUS_LINE,
                "RFC 9112 §4",
                bytes.len(),
                "there is no status-line: a response starts with one such as `HTTP/1.1 200 OK`",
            )
            .of_kind(Kind::NoStatusLine),
        );
        return finish(None, out);
    };
    let line = status_line::check(bytes, &start, &mut out);
    head::crlf_violations(bytes, head.numbered(), RESPONSE_CRLF, &mut out);
    let fields = match reader {
        FieldReader::Httparse => fields::parse(bytes, &head.fields, start.next()),
        FieldReader::Diagnose => None,
    }
    .unwrap_or_else(|| {
        let first = (head.first_field_number(), "line");
        fields::diagnose(bytes, &head.fields.lines, first, RESPONSE_FIELDS, &mut out)
    });
    let Some(head_end) = head.end() else {
        out.push(end_of_head(bytes, &head, RESPONSE_FIELDS));
        return finish(None, out);
    };
    let Some(line) = line else {
        return finish(None, out);
    };
    let message = Message::Response(line.status, request_method);
    let framing = framing::decide(
        &fields,
        line.minor == Some(0),
        message,
        RESPONSE_FRAMING,
        &mut out,
    );
    let cx = Context {
        message,
        closed,
        check: RESPONSE_FRAMING,
        fields_check: RESPONSE_FIELDS,
        collect: true,
    };
    let body = body::read(bytes, head_end, framing, cx, &mut out);
    let text = |r: std::ops::Range<usize>| String::from_utf8_lossy(&bytes[r]).into_owned();
    let response = Response {
        version: text(line.version),
        status: line.status,
        reason: text(line.reason),
        fields,
        body: body.data,
        trailers: body.trailers,
        framing,
    };
    finish(Some(response), out)
}

/// The report, violations in order of offset.
fn finish(response: Option<Response>, mut violations: Vec<Violation>) -> ResponseReport {
    violations.sort_by_key(|v| v.offset);
    ResponseReport {
        response,
        violations,
    }
}

/// The length of the first complete response in `bytes` to a request with
/// `request_method`, or `None` while it is incomplete, which includes a
/// close-delimited body (it ends only when the server closes) and a body whose
/// framing is broken. A 1xx response is complete at the end of its header
/// section. Bare LFs are accepted as line ends.
pub fn response_end(bytes: &[u8], request_method: Option<&str>) -> Option<usize> {
    let head = head::split(bytes);
    let head_end = head.end()?;
    let start = head.start?;
    let mut scratch = Vec::new();
    let line = status_line::check(bytes, &start, &mut scratch)?;
    let fields = fields::parse(bytes, &head.fields, start.next()).unwrap_or_else(|| {
        fields::diagnose(
            bytes,
            &head.fields.lines,
            (0, "line"),
            RESPONSE_FIELDS,
            &mut scratch,
        )
    });
    let message = Message::Response(line.status, request_method);
    let framing = framing::decide(
        &fields,
        line.minor == Some(0),
        message,
        RESPONSE_FRAMING,
        &mut scratch,
    );
    let cx = Context {
        message,
        closed: false,
        check: RESPONSE_FRAMING,
        fields_check: RESPONSE_FIELDS,
        collect: false,
    };
    match body::read(bytes, head_end, framing, cx, &mut scratch).end {
        End::At(end) => Some(end),
        End::Incomplete | End::Broken(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::ids::{
        RESPONSE_CRLF, RESPONSE_FIELDS, RESPONSE_FRAMING, RESPONSE_STATUS_LINE,
    };
    use super::*;

    #[test]
    fn a_valid_response_has_parts_and_no_violations() {
        let bytes = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n你好".as_bytes();
        let report = validate_response(bytes, Some("GET"), false);
        assert_eq!(report.violations, []);
        let response = report.response.unwrap();
        assert_eq!((response.status, response.reason.as_str()), (200, "OK"));
        assert_eq!(response.body, "你好".as_bytes());
        assert_eq!(response_end(bytes, Some("GET")), Some(bytes.len()));
    }

    #[test]
    fn a_close_delimited_body_needs_the_close() {
        let bytes = b"HTTP/1.0 200 OK\r\n\r\nhello";
        assert!(validate_response(bytes, None, true).is_valid());
        assert_eq!(
            validate_response(bytes, None, false).failed_checks(),
            [RESPONSE_FRAMING]
        );
        assert_eq!(response_end(bytes, None), None);
    }

    #[test]
    fn knows_bodiless_and_interim_responses() {
        let head_ok = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
        assert!(validate_response(head_ok, Some("HEAD"), false).is_valid());
        assert_eq!(response_end(head_ok, Some("HEAD")), Some(head_ok.len()));
        assert_eq!(response_end(head_ok, Some("GET")), None);
        let interim = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n";
        assert!(validate_response(interim, Some("POST"), false).is_valid());
        assert_eq!(response_end(interim, Some("POST")), Some(25));
        assert_eq!(
            response_end(b"HTTP/1.1 204 No Content\r\n\r\n", None),
            Some(27)
        );
    }

    #[test]
    fn every_mistake_of_one_response_is_reported() {
        let report =
            validate_response(b"HTTP/1.1 200\nContent-Length: 10\n\nhi", Some("GET"), true);
        assert_eq!(
            report.failed_checks(),
            [RESPONSE_STATUS_LINE, RESPONSE_CRLF, RESPONSE_FRAMING]
        );
        assert_eq!(report.violations.len(), 5, "{:#?}", report.violations);
        assert_eq!(
            validate_response(b"", None, true).failed_checks(),
            [RESPONSE_STATUS_LINE]
        );
        let unfinished = validate_response(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n<html>",
            None,
            true,
        );
        assert_eq!(unfinished.failed_checks(), [RESPONSE_FIELDS]);
    }

    #[test]
    fn line_endings_are_the_crlf_check_alone() {
        for bytes in [
            &b"HTTP/1.1 200 OK\nContent-Length: 2\n\nhi"[..],
            b"HTTP/1.1 200 OK\nContent-Length: 2\r\n\r\nhi",
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\nhi",
            b"HTTP/1.1 200 OK\r\nServer: a\rb\r\nContent-Length: 2\r\n\r\nhi",
        ] {
            let report = validate_response(bytes, Some("GET"), false);
            assert_eq!(report.failed_checks(), [RESPONSE_CRLF], "{report:#?}");
            assert_eq!(response_end(bytes, Some("GET")), Some(bytes.len()));
        }
    }
}
