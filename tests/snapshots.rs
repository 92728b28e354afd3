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

/// A whole Chinese run of a buggy client, as a student reads it on the terminal:
/// header, a line per check, the failure with its evidence, the summary.
#[test]
fn a_whole_chinese_run_of_a_buggy_http_client() {
    let out = support::sockspec()
        .args([
            "run",
            "--lang",
            "zh",
            "--role",
            "http-client",
            "--jobs",
            "1",
            "--retries",
            "0",
            "--seed",
            "7",
            "--",
            "python3",
            "fixtures/python/http-client/lowercase_method_client.py",
        ])
        .output()
        .expect("sockspec runs");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut settings = insta::Settings::clone_current();
    // Times are right-aligned: their padding goes with them.
    settings.add_filter(r"(?m)^ +\d+\.\d+ ms", "      [t] ms");
    settings.add_filter(r"\d+\.\d+ ms", "[t] ms");
    settings.add_filter(r"\d+ ms", "[n] ms");
    settings.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[port]");
    settings.add_filter(r"\[::ffff:[0-9.]+\]:\d+", "[client]");
    settings.add_filter(r"192\.0\.2\.1:\d+", "[client]");
    settings.add_filter(r"/work/[^ ]*/fixtures", "[root]/fixtures");
    settings.bind(|| insta::assert_snapshot!(text));
}
