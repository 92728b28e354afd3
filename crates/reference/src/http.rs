//! Correct HTTP/1.1 messages (RFC 9112): a request and a response formatter.
//! They write the framing themselves (Host, Content-Length), with CRLF line
//! endings and the empty line that ends the header section.

/// The fields the formatters write themselves; callers must not pass them.
const FRAMING_FIELDS: [&str; 3] = ["host", "content-length", "transfer-encoding"];

/// An HTTP/1.1 request: `method target HTTP/1.1`, `Host: host`, then `fields`
/// in order, then `Content-Length` when there is a body (or the method is
/// POST, PUT or PATCH, whose empty body is then announced as 0), then `body`.
///
/// `method` must be a token, `target` an origin-form target (`/path?query`),
/// `host` a `host[:port]`, and `fields` must not hold Host, Content-Length or
/// Transfer-Encoding (checked in debug builds).
pub fn format_request(
    method: &str,
    target: &str,
    host: &str,
    fields: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + target.len() + host.len() + body.len());
    out.extend_from_slice(format!("{method} {target} HTTP/1.1\r\n").as_bytes());
    push_field(&mut out, "Host", host);
    push_fields(&mut out, fields);
    if !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH") {
        push_field(&mut out, "Content-Length", &body.len().to_string());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// An HTTP/1.1 response: `HTTP/1.1 status reason`, then `fields` in order,
/// then `Content-Length` and `body`, except for 1xx, 204 and 304, which have
/// no body (so `body` is left out).
///
/// `status` must be 100-599, `reason` visible characters and spaces, and
/// `fields` must not hold Host, Content-Length or Transfer-Encoding (checked in
/// debug builds).
pub fn format_response(status: u16, reason: &str, fields: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    debug_assert!((100..=599).contains(&status), "status {status}");
    let bodiless = status < 200 || status == 204 || status == 304;
    let mut out = Vec::with_capacity(64 + reason.len() + body.len());
    out.extend_from_slice(format!("HTTP/1.1 {status:03} {reason}\r\n").as_bytes());
    push_fields(&mut out, fields);
    if !bodiless {
        push_field(&mut out, "Content-Length", &body.len().to_string());
    }
    out.extend_from_slice(b"\r\n");
    if !bodiless {
        out.extend_from_slice(body);
    }
    out
}

/// Appends `fields` as field lines.
fn push_fields(out: &mut Vec<u8>, fields: &[(&str, &str)]) {
    for (name, value) in fields {
        debug_assert!(
            !FRAMING_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(name)),
            "{name} is written by the formatter"
        );
        push_field(out, name, value);
    }
}

/// Appends one `name: value` field line.
fn push_field(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_a_request_like_curl_does() {
        let request = format_request(
            "GET",
            "/",
            "127.0.0.1:8888",
            &[("User-Agent", "curl/7.88.1"), ("Accept", "*/*")],
            b"",
        );
        assert_eq!(
            request,
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1:8888\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"
        );
        let post = format_request("POST", "/f", "a", &[], b"");
        assert_eq!(
            post,
            b"POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"
        );
    }

    #[test]
    fn formats_responses_with_and_without_a_body() {
        let ok = format_response(
            200,
            "OK",
            &[("Content-Type", "text/plain")],
            "你好".as_bytes(),
        );
        assert_eq!(
            ok,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\n你好"
                .as_bytes()
        );
        assert_eq!(
            format_response(204, "No Content", &[], b"ignored"),
            b"HTTP/1.1 204 No Content\r\n\r\n"
        );
    }
}
