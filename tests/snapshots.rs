//! insta snapshots of diagnoses: what a student reads must not change unnoticed.

mod support;

use support::run_json;

/// The 粘包 diagnosis and its shrunk counterexample for a server that answers
/// each recv() instead of each line.
#[test]
fn segmentation_diagnosis_of_a_reply_per_recv_server() {
    let (code, text, report) = run_json(&[
        "--role",
        "tcp-server",
        "--contract",
        "lines",
        "--only",
        "tcp.server.segmentation-invariant",
        "--seed",
        "7",
        "--retries",
        "0",
        "--",
        "python3",
        "fixtures/python/tcp-server/reply_per_recv_server.py",
    ]);
    assert_eq!(code, 1, "{text}");
    let result = &report["results"][0];
    insta::assert_snapshot!(format!(
        "outcome: {}\nmessage: {}\ncounterexample:\n{}",
        result["outcome"].as_str().unwrap(),
        result["message"].as_str().unwrap(),
        result["evidence"]["counterexample"].as_str().unwrap()
    ));
}

/// The per-character UDP client, diagnosed from what reached the wire.
#[test]
fn one_datagram_per_character_client() {
    let (code, text, report) = run_json(&[
        "--role",
        "udp-client",
        "--contract",
        "echo",
        "--only",
        "udp.client.one-line-one-datagram",
        "--retries",
        "0",
        "--",
        "python3",
        "fixtures/python/udp-client/per_char_client.py",
    ]);
    assert_eq!(code, 1, "{text}");
    let result = &report["results"][0];
    insta::assert_snapshot!(format!(
        "message: {}\ncounterexample:\n{}",
        result["message"].as_str().unwrap(),
        result["evidence"]["counterexample"].as_str().unwrap()
    ));
}
