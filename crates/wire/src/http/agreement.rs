//! Trust in the verdicts, by property: on messages mutated at random, (1) reading
//! the field lines with httparse or with the line-by-line diagnosis gives the
//! same report, so which path a message takes never changes its verdict, and
//! (2) whatever httparse rejects, the validator reports.

use super::{FieldReader, request, response, validate_request, validate_response};
use proptest::prelude::*;

const REQUESTS: [&[u8]; 5] = [
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1:8888\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n",
    b"POST /form?a=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nX-E:\r\n\r\nx=1",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;e=1\r\nabc\r\n0\r\nT: 1\r\n\r\n",
    b"GET /%E4%B8%96 HTTP/1.0\r\nAccept:\t text/html \r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\nHost: [::1]:80\r\nX: \xe4\xb8\x96\r\n\r\n",
];

const RESPONSES: [&[u8]; 4] = [
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
    b"HTTP/1.0 404 Not Found\r\nServer: SimpleHTTP/0.6 Python/3.11.2\r\n\r\n<h1>404</h1>",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
    b"HTTP/1.1 204 No Content\r\nX: 1\r\n\r\n",
];

/// Bytes that matter to the grammar.
const INTERESTING: &[u8] = b" \t\r\n:;,/#%\"\0\x7f\x80\xe4aA1";

/// One edit: where (as a fraction of the length), what, and with which byte.
fn edits() -> impl Strategy<Value = Vec<(f64, u8, u8)>> {
    prop::collection::vec(
        (0.0..1.0f64, 0..3u8, prop::sample::select(INTERESTING)),
        1..4,
    )
}

fn mutate(seed: &[u8], edits: &[(f64, u8, u8)]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for &(at, op, b) in edits {
        let i = ((bytes.len() as f64) * at) as usize;
        match op {
            0 => bytes.insert(i.min(bytes.len()), b),
            1 if i < bytes.len() => bytes[i] = b,
            _ if i < bytes.len() => {
                bytes.remove(i);
            }
            _ => bytes.push(b),
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn request_verdicts_do_not_depend_on_the_field_reader(seed in 0..REQUESTS.len(), edits in edits()) {
        let bytes = mutate(REQUESTS[seed], &edits);
        let fast = request::validate(&bytes, FieldReader::Httparse);
        let slow = request::validate(&bytes, FieldReader::Diagnose);
        prop_assert_eq!(fast, slow, "{}", crate::escape_bytes(&bytes));
    }

    #[test]
    fn response_verdicts_do_not_depend_on_the_field_reader(seed in 0..RESPONSES.len(), edits in edits(), closed: bool) {
        let bytes = mutate(RESPONSES[seed], &edits);
        let fast = response::validate(&bytes, Some("GET"), closed, FieldReader::Httparse);
        let slow = response::validate(&bytes, Some("GET"), closed, FieldReader::Diagnose);
        prop_assert_eq!(fast, slow, "{}", crate::escape_bytes(&bytes));
    }

    #[test]
    fn what_httparse_rejects_in_a_request_is_reported(seed in 0..REQUESTS.len(), edits in edits()) {
        let bytes = mutate(REQUESTS[seed], &edits);
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let parsed = httparse::Request::new(&mut headers).parse(&bytes);
        if !matches!(parsed, Ok(httparse::Status::Complete(_))) {
            let report = validate_request(&bytes);
            prop_assert!(!report.is_valid(), "httparse says {:?} to {}", parsed, crate::escape_bytes(&bytes));
        }
    }

    #[test]
    fn what_httparse_rejects_in_a_response_is_reported(seed in 0..RESPONSES.len(), edits in edits()) {
        let bytes = mutate(RESPONSES[seed], &edits);
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let parsed = httparse::Response::new(&mut headers).parse(&bytes);
        if !matches!(parsed, Ok(httparse::Status::Complete(_))) {
            let report = validate_response(&bytes, Some("GET"), true);
            prop_assert!(!report.is_valid(), "httparse says {:?} to {}", parsed, crate::escape_bytes(&bytes));
        }
    }
}

/// Bytes to build random messages from: pieces of the grammar and its enemies.
const ALPHABET: &[u8] =
    b"GET /HTP1.0\r\n\r\n:;, \t\0\x80\xe4aA2Cc-=#%\"Host: Content-Length Transfer-Encoding chunked";

/// A start-line (or nothing) and then random bytes.
fn random_message() -> impl Strategy<Value = Vec<u8>> {
    const STARTS: [&[u8]; 3] = [b"", b"GET / HTTP/1.1\r\n", b"HTTP/1.1 200 OK\r\n"];
    let start = prop::sample::select(&STARTS[..]);
    (
        start,
        prop::collection::vec(prop::sample::select(ALPHABET), 0..120),
    )
        .prop_map(|(start, rest)| [start, &rest[..]].concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic_and_the_readers_agree(bytes in random_message(), closed: bool) {
        prop_assert_eq!(
            request::validate(&bytes, FieldReader::Httparse),
            request::validate(&bytes, FieldReader::Diagnose)
        );
        for method in [None, Some("HEAD"), Some("CONNECT")] {
            prop_assert_eq!(
                response::validate(&bytes, method, closed, FieldReader::Httparse),
                response::validate(&bytes, method, closed, FieldReader::Diagnose)
            );
            let end = super::response_end(&bytes, method);
            prop_assert!(end.is_none_or(|e| e <= bytes.len()));
        }
        prop_assert!(super::request_end(&bytes).is_none_or(|e| e <= bytes.len()));
    }
}

#[test]
fn the_seeds_are_valid() {
    for seed in REQUESTS {
        assert_eq!(
            validate_request(seed).violations,
            [],
            "{}",
            crate::escape_bytes(seed)
        );
    }
    for seed in RESPONSES {
        assert_eq!(
            validate_response(seed, Some("GET"), true).violations,
            [],
            "{}",
            crate::escape_bytes(seed)
        );
    }
}
