//! The validator against the reference formatters (sockspec-reference): every
//! request and response they make from arbitrary valid parts validates clean,
//! reads back as those parts, and ends exactly where it ends, also when another
//! message follows it and never before all of it has arrived.

use proptest::prelude::*;
use sockspec_reference::http::{format_request, format_response};
use sockspec_wire::escape_bytes;
use sockspec_wire::http::{request_end, response_end, validate_request, validate_response};

const STANDARD_METHODS: [&str; 8] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH",
];
const TCHARS: &str = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]";

/// Standard methods, and other tokens that are not a standard method in other
/// case (`get` is reported) nor CONNECT (which takes host:port, not a path).
fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(&STANDARD_METHODS[..]).prop_map(String::from),
        regex(&format!("{TCHARS}{{1,12}}")).prop_filter(
            "a standard method, or CONNECT, in other case",
            |m| {
                !STANDARD_METHODS.contains(&m.as_str())
                    && !STANDARD_METHODS
                        .iter()
                        .chain(&["CONNECT"])
                        .any(|s| s.eq_ignore_ascii_case(m))
            }
        ),
    ]
}

/// Origin-form targets: `/` segments of pchar (with percent-encodings), a query.
fn target() -> impl Strategy<Value = String> {
    let pchar = "([A-Za-z0-9\\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})";
    regex(&format!(
        "(/{pchar}{{0,8}}){{1,4}}(\\?({pchar}|[/?]){{0,12}})?"
    ))
}

/// `host[:port]`: names, IPv4 and IPv6 addresses.
fn host() -> impl Strategy<Value = String> {
    let port = prop::option::of(any::<u16>());
    let name = prop_oneof![
        Just("localhost".to_string()),
        "[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?(\\.[a-z0-9]{1,8}){0,2}",
        any::<[u8; 4]>().prop_map(|a| std::net::Ipv4Addr::from(a).to_string()),
        any::<[u16; 8]>().prop_map(|a| format!("[{}]", std::net::Ipv6Addr::from(a))),
    ];
    (name, port).prop_map(|(name, port)| match port {
        Some(port) => format!("{name}:{port}"),
        None => name,
    })
}

/// Token field names (not the framing fields the formatters write) and
/// visible-ASCII values with inner spaces.
fn fields() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = regex(&format!("{TCHARS}{{1,16}}")).prop_filter("written by the formatter", |n| {
        !["host", "content-length", "transfer-encoding"]
            .iter()
            .any(|f| f.eq_ignore_ascii_case(n))
    });
    let value = "([!-~]([ !-~]{0,30}[!-~])?)?";
    prop::collection::vec((name, value), 0..8)
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..300)
}

/// Strings that match `pattern`.
fn regex(pattern: &str) -> impl Strategy<Value = String> + use<> {
    proptest::string::string_regex(pattern).expect("a valid regex")
}

fn borrowed(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn reference_requests_validate_clean(
        method in method(), target in target(), host in host(), fields in fields(), body in body(), cut in any::<prop::sample::Index>()
    ) {
        let bytes = format_request(&method, &target, &host, &borrowed(&fields), &body);
        let shown = escape_bytes(&bytes);
        let report = validate_request(&bytes);
        prop_assert_eq!(&report.violations, &[], "{}", shown);
        let request = report.request.expect("parts");
        prop_assert_eq!((&request.method, &request.target, &request.body), (&method, &target, &body));
        prop_assert_eq!(request.field("host"), Some(host.as_bytes()));
        let read: Vec<(&str, &[u8])> = request.fields.iter().map(|f| (f.name.as_str(), &f.value[..])).collect();
        let sent: Vec<(&str, &[u8])> = fields.iter().map(|(n, v)| (n.as_str(), v.as_bytes())).collect();
        prop_assert_eq!(&read[1..=sent.len()], &sent[..]);

        prop_assert_eq!(request_end(&bytes), Some(bytes.len()), "{}", shown);
        let two = [&bytes[..], &bytes[..]].concat();
        prop_assert_eq!(request_end(&two), Some(bytes.len()), "{}", shown);
        let cut = cut.index(bytes.len());
        prop_assert_eq!(request_end(&bytes[..cut]), None, "cut at {} of {}", cut, shown);
    }

    #[test]
    fn reference_responses_validate_clean(
        status in 100u16..=599, reason in "[ !-~]{0,20}", fields in fields(), body in body(), cut in any::<prop::sample::Index>()
    ) {
        let bytes = format_response(status, &reason, &borrowed(&fields), &body);
        let shown = escape_bytes(&bytes);
        let report = validate_response(&bytes, Some("GET"), false);
        prop_assert_eq!(&report.violations, &[], "{}", shown);
        let response = report.response.expect("parts");
        let bodiless = status < 200 || status == 204 || status == 304;
        prop_assert_eq!((response.status, &response.reason), (status, &reason));
        prop_assert_eq!(&response.body, if bodiless { &[][..] } else { &body[..] });

        prop_assert_eq!(response_end(&bytes, Some("GET")), Some(bytes.len()), "{}", shown);
        let two = [&bytes[..], &bytes[..]].concat();
        prop_assert_eq!(response_end(&two, Some("GET")), Some(bytes.len()), "{}", shown);
        let cut = cut.index(bytes.len());
        prop_assert_eq!(response_end(&bytes[..cut], Some("GET")), None, "cut at {} of {}", cut, shown);
    }
}
