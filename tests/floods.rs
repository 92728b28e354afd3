//! Targets that flood what sockspec reads (datagrams, a byte stream, an
//! endless HTTP body, broadcasts) or trickle it forever are judged with
//! bounded memory, and no check runs into its time limit: sockspec stops
//! reading after a bound (of bytes or of time) and judges what came.

mod support;

use std::path::Path;

/// More than any run of sockspec needs (a flood once took 24 GiB).
const MEMORY_BOUND_KIB: i64 = 1 << 20;

/// Runs the catalog of `role` against the Python program `program` and
/// checks the run ended with verdicts, none of them a time limit.
fn judged_within_bounds(role: &str, program: &Path) {
    let program = program.to_str().expect("a UTF-8 path");
    let (code, text, report) = support::run_json(&["--role", role, "--", "python3", program]);
    assert!(code == 0 || code == 1, "exit {code}:\n{text}");
    let results = report["results"].as_array().expect("results");
    assert!(!results.is_empty(), "{text}");
    for r in results {
        let id = r["message_id"].as_str().unwrap_or_default();
        assert!(
            !matches!(id, "check-target-too-slow" | "check-timed-out"),
            "{} ran into its time limit:\n{text}",
            r["id"]
        );
        assert_ne!(r["outcome"], "error", "{text}");
    }
    // SAFETY: getrusage writes one rusage through the pointer, which points
    // at a zeroed local of that type.
    let usage = unsafe {
        let mut usage: nix::libc::rusage = std::mem::zeroed();
        nix::libc::getrusage(nix::libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    assert!(
        usage.ru_maxrss < MEMORY_BOUND_KIB,
        "a child of the tests reached {} KiB",
        usage.ru_maxrss
    );
}

fn hostile(name: &str) -> std::path::PathBuf {
    support::root().join("tests/hostile").join(name)
}

#[test]
fn a_udp_server_that_answers_with_a_flood() {
    judged_within_bounds("udp-server", &hostile("udp_reply_flood_server.py"));
}

#[test]
fn a_udp_client_that_floods() {
    judged_within_bounds("udp-client", &hostile("udp_flood_client.py"));
}

#[test]
fn a_tcp_client_that_writes_without_end() {
    judged_within_bounds("tcp-client", &hostile("tcp_firehose_client.py"));
}

#[test]
fn a_tcp_server_that_writes_without_end() {
    judged_within_bounds("tcp-server", &hostile("tcp_firehose_server.py"));
}

#[test]
fn an_http_server_whose_body_never_ends() {
    judged_within_bounds("http-server", &hostile("http_endless_server.py"));
}

#[test]
fn a_broadcast_sender_that_floods_the_lan() {
    judged_within_bounds(
        "broadcast-sender",
        &support::root().join("fixtures/python/broadcast-sender/flood_sender.py"),
    );
}

#[test]
fn an_http_client_whose_request_never_ends() {
    judged_within_bounds("http-client", &hostile("http_endless_client.py"));
}

#[test]
fn a_tcp_server_that_trickles_bytes_forever() {
    judged_within_bounds("tcp-server", &hostile("tcp_trickle_server.py"));
}
