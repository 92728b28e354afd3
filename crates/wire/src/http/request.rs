//! Validating one request, and finding where a request ends in a byte stream.

use super::body::{self, Context};
use super::chunked::End;
use super::fields::{self, Field};
use super::framing::{self, Framing, Message};
use super::head::{self, CRLF_SECTION};
use super::ids::{REQUEST_CRLF, REQUEST_END, REQUEST_FIELDS, REQUEST_FRAMING, REQUEST_LINE};
use super::request_line;
use super::{FieldReader, Violation, end_of_head, host, target};

/// A request's parts, as far as they could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method, e.g. `GET`.
    pub method: String,
    /// The request-target, e.g. `/index.html?q=1` (lossy UTF-8).
    pub target: String,
    /// The HTTP-version as sent, e.g. `HTTP/1.1`.
    pub version: String,
    /// The header fields, in order.
    pub fields: Vec<Field>,
    /// The body (decoded from chunks when chunked).
    pub body: Vec<u8>,
    /// The trailer fields of a chunked body.
    pub trailers: Vec<Field>,
    /// How the body was delimited.
    pub framing: Framing,
}

impl Request {
    /// The value of the first field called `name` (ignoring case).
    pub fn field(&self, name: &str) -> Option<&[u8]> {
        self.fields
            .iter()
            .find(|f| f.is(name))
            .map(|f| &f.value[..])
    }
}

/// The verdict on one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestReport {
    /// The parts, when the request-line has a method, a target and a version
    /// and the header section ends.
    pub request: Option<Request>,
    /// Every rule the request breaks, by offset.
    pub violations: Vec<Violation>,
}

impl RequestReport {
    /// Whether the request breaks no rule.
    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }

    /// The distinct checks that fail, in order of their first violation.
    pub fn failed_checks(&self) -> Vec<&'static str> {
        super::failed_checks(&self.violations)
    }
}

/// Validates `bytes` as exactly one HTTP/1.1 request and returns every
/// violation. Bytes after the request's framed end are reported (a body
/// without Content-Length is the usual cause); to split a stream of
/// requests first, use [`request_end`].
pub fn validate_request(bytes: &[u8]) -> RequestReport {
    validate(bytes, FieldReader::Httparse)
}

/// [`validate_request`] with a choice of field reader (the tests compare them).
pub(crate) fn validate(bytes: &[u8], reader: FieldReader) -> RequestReport {
    let mut out = Vec::new();
    let head = head::split(bytes);
    if let Some(first) = head.leading.first() {
        out.push(Violation::new(
            REQUEST_LINE,
            CRLF_SECTION,
            first.start,
            "the request starts with an empty line: send the request-line first",
        ));
    }
    let Some(start) = head.start else {
        out.push(Violation::new(
            REQUEST_LINE,
            "RFC 9112 §3",
            bytes.len(),
            "there is no request-line: a request starts with one such as `GET / HTTP/1.1`",
        ));
        return RequestReport {
            request: None,
            violations: out,
        };
    };
    let line = request_line::check(bytes, &start, &mut out);
    head::crlf_violations(bytes, head.numbered(), REQUEST_CRLF, &mut out);
    let fields = match reader {
        FieldReader::Httparse => fields::parse(bytes, &head.fields, start.next()),
        FieldReader::Diagnose => None,
    }
    .unwrap_or_else(|| {
        let first = (head.first_field_number(), "line");
        fields::diagnose(bytes, &head.fields.lines, first, REQUEST_FIELDS, &mut out)
    });
    let form = line.as_ref().map_or(target::Form::Invalid, |l| {
        target::check(
            &bytes[l.method.clone()],
            &bytes[l.target.clone()],
            l.target.start,
            &mut out,
        )
    });
    let Some(head_end) = head.end() else {
        out.push(end_of_head(bytes, &head, REQUEST_END));
        return finish(None, out);
    };
    let minor = line.as_ref().and_then(|l| l.minor);
    host::check(&fields, minor, form, start.next(), &mut out);
    let framing = framing::decide(
        &fields,
        minor == Some(0),
        Message::Request,
        REQUEST_FRAMING,
        &mut out,
    );
    let cx = Context {
        message: Message::Request,
        closed: false,
        check: REQUEST_FRAMING,
        fields_check: REQUEST_FIELDS,
        collect: true,
    };
    let body = body::read(bytes, head_end, framing, cx, &mut out);
    let request = line.map(|l| {
        let text = |r: std::ops::Range<usize>| String::from_utf8_lossy(&bytes[r]).into_owned();
        Request {
            method: text(l.method),
            target: text(l.target),
            version: text(l.version),
            fields,
            body: body.data,
            trailers: body.trailers,
            framing,
        }
    });
    finish(request, out)
}

/// The report, violations in order of offset.
fn finish(request: Option<Request>, mut violations: Vec<Violation>) -> RequestReport {
    violations.sort_by_key(|v| v.offset);
    RequestReport {
        request,
        violations,
    }
}

/// The length of the first complete request in `bytes` (header section and the
/// body its framing gives), or `None` while it is incomplete: for a server that
/// captures requests. Bare LFs are accepted as line ends, as a lenient server
/// would. When the framing is broken (say a Content-Length that is not a
/// number), the request is taken to end where the break was found.
pub fn request_end(bytes: &[u8]) -> Option<usize> {
    let head = head::split(bytes);
    let head_end = head.end()?;
    let start = head.start?;
    let mut scratch = Vec::new();
    let fields = fields::parse(bytes, &head.fields, start.next()).unwrap_or_else(|| {
        fields::diagnose(
            bytes,
            &head.fields.lines,
            (0, "line"),
            REQUEST_FIELDS,
            &mut scratch,
        )
    });
    let http10 =
        request_line::check(bytes, &start, &mut scratch).is_some_and(|l| l.minor == Some(0));
    let framing = framing::decide(
        &fields,
        http10,
        Message::Request,
        REQUEST_FRAMING,
        &mut scratch,
    );
    let cx = Context {
        message: Message::Request,
        closed: false,
        check: REQUEST_FRAMING,
        fields_check: REQUEST_FIELDS,
        collect: false,
    };
    match body::read(bytes, head_end, framing, cx, &mut scratch).end {
        End::At(end) | End::Broken(end) => Some(end),
        End::Incomplete => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::ids::*;
    use super::*;

    #[test]
    fn empty_lines_after_a_request_are_not_a_body() {
        let extra_crlf = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n\r\n\r\n";
        assert!(validate_request(extra_crlf).is_valid());
        let text = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nhi\r\n";
        assert_eq!(validate_request(text).failed_checks(), [REQUEST_FRAMING]);
    }

    #[test]
    fn a_valid_request_has_parts_and_no_violations() {
        let bytes = b"POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nx=1";
        let report = validate_request(bytes);
        assert_eq!(report.violations, []);
        assert!(report.is_valid());
        let request = report.request.unwrap();
        assert_eq!(
            (
                request.method.as_str(),
                request.target.as_str(),
                request.version.as_str()
            ),
            ("POST", "/form", "HTTP/1.1")
        );
        assert_eq!(request.field("content-length"), Some(&b"3"[..]));
        assert_eq!(
            (request.body, request.framing),
            (b"x=1".to_vec(), Framing::ContentLength(3))
        );
        assert_eq!(request_end(bytes), Some(bytes.len()));
    }

    #[test]
    fn every_mistake_of_one_request_is_reported() {
        let report = validate_request(b"GET /my file HTTP1.1\nUser-Agent : x\n\n");
        assert_eq!(
            report.failed_checks(),
            [
                REQUEST_TARGET,
                REQUEST_VERSION,
                REQUEST_CRLF,
                REQUEST_HOST,
                REQUEST_FIELDS
            ]
        );
        assert_eq!(report.violations.len(), 7, "{:#?}", report.violations);
        assert!(report.request.is_some());
    }

    #[test]
    fn an_unfinished_or_empty_request_says_so() {
        assert_eq!(validate_request(b"").failed_checks(), [REQUEST_LINE]);
        assert_eq!(validate_request(b"\r\n").failed_checks(), [REQUEST_LINE]);
        let report = validate_request(b"GET / HTTP/1.1\r\nHost: a\r\n");
        assert_eq!(report.failed_checks(), [REQUEST_END]);
        assert!(
            report.violations[0]
                .message
                .contains("not closed by an empty line")
        );
        let report = validate_request(b"GET /");
        assert_eq!(report.failed_checks(), [REQUEST_VERSION, REQUEST_END]);
        assert!(report.violations[1].message.contains("middle of line 1"));
        assert_eq!(report.request, None);
    }

    #[test]
    fn finds_the_end_of_each_request_in_a_stream() {
        let one = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        let two =
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n";
        let stream = [&one[..], two].concat();
        assert_eq!(request_end(&stream), Some(one.len()));
        assert_eq!(request_end(&stream[one.len()..]), Some(two.len()));
        for cut in 0..two.len() {
            assert_eq!(request_end(&two[..cut]), None, "cut at {cut}");
        }
        assert_eq!(request_end(b"GET / HTTP/1.1\nHost: a\n\n"), Some(24));
        assert_eq!(
            request_end(b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\nabc"),
            Some(38)
        );
        assert_eq!(
            request_end(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabc"),
            None
        );
    }
}
