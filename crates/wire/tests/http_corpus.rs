//! The HTTP corpus (`fixtures/http`): every valid message validates clean and
//! its end is found exactly; every invalid one breaks at least one rule, and
//! what it breaks (check, section, offset, message) is a reviewed insta snapshot.
//!
//! A response file whose name contains `@HEAD` or `@CONNECT` answers that method
//! (else GET); `@closed` means the server closed the connection after it.

use sockspec_wire::escape_bytes;
use sockspec_wire::http::{
    Violation, request_end, response_end, validate_request, validate_response,
};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The corpus folder `sub` (e.g. `requests/valid`): each file's path and bytes, by name.
fn corpus(sub: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/http")
        .join(sub);
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "http"))
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{} holds too few messages", dir.display());
    files
}

/// The request method and whether the server closed, from a response file's name.
fn context(path: &Path) -> (Option<&'static str>, bool) {
    let name = path.file_name().unwrap().to_string_lossy();
    let method = ["HEAD", "CONNECT"]
        .into_iter()
        .find(|m| name.contains(&format!("@{m}")))
        .unwrap_or("GET");
    (Some(method), name.contains("@closed"))
}

/// Violations as a snapshot shows them: where, which check, which rule, what to
/// do, and the bytes around the offset (`|` marks it).
fn render(bytes: &[u8], violations: &[Violation]) -> String {
    let mut out = String::new();
    for v in violations {
        let before = &bytes[v.offset.saturating_sub(12)..v.offset];
        let after = &bytes[v.offset..(v.offset + 12).min(bytes.len())];
        let _ = writeln!(out, "@{} {} ({})", v.offset, v.check, v.section);
        let _ = writeln!(out, "  {}", v.message);
        let _ = writeln!(
            out,
            "  at »{}|{}«",
            escape_bytes(before),
            escape_bytes(after)
        );
    }
    out
}

/// A message and its violations, for a failing assertion.
fn listing(bytes: &[u8], violations: &[Violation]) -> String {
    format!("{}\n{}", escape_bytes(bytes), render(bytes, violations))
}

#[test]
fn valid_requests_have_no_violations_and_end_where_they_end() {
    for (path, bytes) in corpus("requests/valid") {
        let report = validate_request(&bytes);
        assert!(
            report.is_valid(),
            "{}:\n{}",
            path.display(),
            listing(&bytes, &report.violations)
        );
        assert!(report.request.is_some(), "{}", path.display());
        assert_eq!(request_end(&bytes), Some(bytes.len()), "{}", path.display());
    }
}

#[test]
fn valid_responses_have_no_violations_and_end_where_they_end() {
    for (path, bytes) in corpus("responses/valid") {
        let (method, closed) = context(&path);
        let report = validate_response(&bytes, method, closed);
        assert!(
            report.is_valid(),
            "{}:\n{}",
            path.display(),
            listing(&bytes, &report.violations)
        );
        assert!(report.response.is_some(), "{}", path.display());
        let expected = (!closed).then_some(bytes.len());
        assert_eq!(response_end(&bytes, method), expected, "{}", path.display());
    }
}

#[test]
fn invalid_requests() {
    insta::glob!(
        "../../../fixtures/http/requests/invalid",
        "*.http",
        |path| {
            let bytes = std::fs::read(path).unwrap();
            let report = validate_request(&bytes);
            assert!(!report.is_valid(), "{} validates clean", path.display());
            insta::with_settings!({ description => escape_bytes(&bytes), omit_expression => true }, {
                insta::assert_snapshot!(render(&bytes, &report.violations));
            });
        }
    );
}

#[test]
fn invalid_responses() {
    insta::glob!(
        "../../../fixtures/http/responses/invalid",
        "*.http",
        |path| {
            let bytes = std::fs::read(path).unwrap();
            let (method, closed) = context(path);
            let report = validate_response(&bytes, method, closed);
            assert!(!report.is_valid(), "{} validates clean", path.display());
            insta::with_settings!({ description => escape_bytes(&bytes), omit_expression => true }, {
                insta::assert_snapshot!(render(&bytes, &report.violations));
            });
        }
    );
}

#[test]
fn the_corpus_is_large_enough_and_exercises_every_check() {
    let valid = corpus("requests/valid").len() + corpus("responses/valid").len();
    let invalid_requests = corpus("requests/invalid");
    let invalid_responses = corpus("responses/invalid");
    assert!(valid >= 12, "{valid} valid messages");
    assert!(invalid_requests.len() + invalid_responses.len() >= 25);
    let mut seen: Vec<&str> = invalid_requests
        .iter()
        .flat_map(|(_, b)| validate_request(b).failed_checks())
        .chain(invalid_responses.iter().flat_map(|(p, b)| {
            let (method, closed) = context(p);
            validate_response(b, method, closed).failed_checks()
        }))
        .collect();
    seen.sort_unstable();
    seen.dedup();
    let mut all = sockspec_wire::http::ids::ALL.to_vec();
    all.sort_unstable();
    assert_eq!(
        seen, all,
        "every check is exercised by some invalid message"
    );
}
