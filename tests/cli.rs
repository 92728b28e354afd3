//! The command line's contract: listing, exit codes, reports, usage errors.

mod support;

use serde_json::Value;
use support::{ids_with, run_json, sockspec};

/// DESIGN's whole catalog: public IDs with their role and level.
const IDS: &[(&str, &str, &str)] = &[
    ("udp.server.reply", "udp-server", "must"),
    ("udp.server.boundaries", "udp-server", "must"),
    ("udp.server.clients-isolated", "udp-server", "must"),
    ("udp.server.empty-datagram", "udp-server", "should"),
    ("udp.server.bad-bytes", "udp-server", "should"),
    ("udp.server.keeps-serving", "udp-server", "must"),
    ("udp.server.max-size", "udp-server", "info"),
    ("udp.client.one-line-one-datagram", "udp-client", "must"),
    ("udp.client.handles-reply", "udp-client", "should"),
    ("tcp.server.accepts", "tcp-server", "must"),
    ("tcp.server.stream-integrity", "tcp-server", "must"),
    ("tcp.server.segmentation-invariant", "tcp-server", "must"),
    ("tcp.server.coalesced-messages", "tcp-server", "must"),
    ("tcp.server.eof-closes", "tcp-server", "must"),
    ("tcp.server.eof-no-spin", "tcp-server", "must"),
    ("tcp.server.next-client", "tcp-server", "must"),
    ("tcp.server.half-close", "tcp-server", "should"),
    ("tcp.server.reset-survives", "tcp-server", "should"),
    ("tcp.server.rebind", "tcp-server", "should"),
    ("tcp.server.bad-bytes", "tcp-server", "should"),
    ("tcp.server.concurrent", "tcp-server", "info"),
    ("tcp.client.sends-input", "tcp-client", "must"),
    ("tcp.client.segmentation-invariant", "tcp-client", "should"),
    ("tcp.client.eof-exits", "tcp-client", "must"),
    ("tcp.client.refused", "tcp-client", "should"),
    ("broadcast.sender.delivers", "broadcast-sender", "must"),
    ("broadcast.sender.all-hosts", "broadcast-sender", "must"),
    ("broadcast.sender.boundaries", "broadcast-sender", "must"),
    ("broadcast.sender.address", "broadcast-sender", "must"),
    ("broadcast.receiver.receives", "broadcast-receiver", "must"),
    (
        "broadcast.receiver.shared-port",
        "broadcast-receiver",
        "should",
    ),
    (
        "broadcast.receiver.bad-bytes",
        "broadcast-receiver",
        "should",
    ),
    ("http.request.line", "http-client", "must"),
    ("http.request.crlf", "http-client", "must"),
    ("http.request.version", "http-client", "must"),
    ("http.request.target", "http-client", "must"),
    ("http.request.host", "http-client", "must"),
    ("http.request.fields", "http-client", "must"),
    ("http.request.end", "http-client", "must"),
    ("http.request.framing", "http-client", "must"),
    ("http.client.reads-response", "http-client", "should"),
    ("http.client.close", "http-client", "must"),
    ("http.response.status-line", "http-server", "must"),
    ("http.response.crlf", "http-server", "must"),
    ("http.response.fields", "http-server", "must"),
    ("http.response.framing", "http-server", "must"),
    ("http.response.not-found", "http-server", "should"),
    ("http.server.next-client", "http-server", "must"),
    ("http.server.segmented-request", "http-server", "must"),
    ("http.server.bad-request", "http-server", "should"),
    ("http.server.keep-alive", "http-server", "info"),
];

#[test]
fn list_json_has_every_design_id_with_its_metadata() {
    let out = sockspec()
        .args(["list", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = list.as_array().unwrap();
    for (id, role, level) in IDS {
        let entry = list
            .iter()
            .find(|c| c["id"] == *id)
            .unwrap_or_else(|| panic!("{id} is not listed"));
        assert_eq!(entry["role"], *role, "{id}");
        assert_eq!(entry["level"], *level, "{id}");
        assert!(
            entry["spec"].as_str().is_some_and(|s| !s.is_empty()),
            "{id} has a spec"
        );
        assert!(
            entry["title"].as_str().is_some_and(|s| !s.is_empty()),
            "{id} has a title"
        );
    }
}

#[test]
fn reference_passes_its_whole_catalog_and_the_report_follows_the_schema() {
    for role in [
        "broadcast-sender",
        "broadcast-receiver",
        "udp-server",
        "udp-client",
        "tcp-server",
        "tcp-client",
        "http-server",
        "http-client",
    ] {
        let (code, text, report) = run_json(&["--role", role, "--contract", "echo", "--reference"]);
        assert_eq!(code, 0, "{text}");
        assert_eq!(report["role"], role);
        assert!(report["sockspec"].is_string());
        assert!(report["target"].is_object());
        let results = report["results"].as_array().unwrap();
        assert!(!results.is_empty());
        for r in results {
            for key in [
                "id",
                "outcome",
                "level",
                "spec",
                "message",
                "evidence",
                "duration_ms",
            ] {
                assert!(r.get(key).is_some(), "result lacks {key}: {r}");
            }
        }
        for key in ["pass", "fail", "warn", "info", "skip", "error"] {
            assert!(report["summary"][key].is_u64(), "summary lacks {key}");
        }
        assert_eq!(report["summary"]["fail"], 0);
    }
}

#[test]
fn a_failing_program_exits_1_with_a_diagnosis_the_evidence_and_a_rerun_command() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let (code, text, report) = run_json(&[
        "--role",
        "udp-server",
        "--contract",
        "echo",
        "--only",
        "udp.server.reply",
        "--junit",
        junit.to_str().unwrap(),
        "--",
        "python3",
        // Replies to a fixed address. (A truncating server passes reply:
        // truncation is udp.server.max-size's info.)
        "fixtures/python/udp-server/fixed_addr_server.py",
    ]);
    assert_eq!(code, 1, "{text}");
    assert_eq!(ids_with(&report, "fail"), ["udp.server.reply"]);
    assert!(
        text.contains("the addr that recvfrom() returned"),
        "diagnosis in the terminal:\n{text}"
    );
    assert!(
        text.contains("reproduced 3/3"),
        "re-run twice more:\n{text}"
    );
    assert!(
        text.contains(
            "sockspec run --role udp-server --contract echo --only udp.server.reply --seed"
        ),
        "the rerun command:\n{text}"
    );
    let evidence = &report["results"][0]["evidence"];
    assert!(
        evidence["transcript"]
            .as_array()
            .is_some_and(|t| t.len() >= 2),
        "{evidence}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    let parsed = quick_junit::Report::deserialize_from_str(&xml).expect("the JUnit XML is valid");
    assert_eq!(parsed.tests, 1);
    assert_eq!(parsed.failures, 1);
}

#[test]
fn usage_errors_exit_2_with_a_clear_message() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["run", "--role", "udp-sever", "--reference"],
            "unknown role",
        ),
        (&["run", "--role", "udp-server"], "give exactly one target"),
        (
            &["run", "--role", "udp-server", "--", "no-such-program-xyz"],
            "command not found",
        ),
        (
            &[
                "run",
                "--role",
                "udp-server",
                "--only",
                "tcp.*",
                "--reference",
            ],
            "no udp-server check matches",
        ),
        (
            &["run", "--role", "udp-server", "--remote", "10.1.2.3:80"],
            "only loopback",
        ),
        (
            &["run", "--role", "udp-server", "--only", "[", "--reference"],
            "--only [",
        ),
    ];
    for (args, message) in cases {
        let out = sockspec().args(*args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(message),
            "{args:?} should say {message:?}: {stderr}"
        );
    }
}

#[test]
fn a_program_that_dies_at_start_fails_with_its_traceback_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let prog = dir.path().join("broken.py");
    std::fs::write(
        &prog,
        "import socket\nraise SystemExit('端口被占用 port in use')\n",
    )
    .unwrap();
    let (code, text, report) = run_json(&[
        "--role",
        "udp-server",
        "--only",
        "udp.server.reply",
        "--retries",
        "0",
        "--",
        "python3",
        prog.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{text}");
    assert_eq!(ids_with(&report, "fail"), ["udp.server.reply"]);
    let r = &report["results"][0];
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("ended before it bound a socket (it exited with status 1)"),
        "{r}"
    );
    assert!(
        r["evidence"]["stderr_tail"]
            .as_str()
            .unwrap()
            .contains("端口被占用"),
        "{r}"
    );
}

#[test]
fn a_flooding_hanging_program_costs_only_its_own_checks() {
    let dir = tempfile::tempdir().unwrap();
    let prog = dir.path().join("flood.py");
    // Binds, never replies, floods stdout and forks a child that lingers.
    std::fs::write(
        &prog,
        "import os, socket, sys\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
         s.bind(('0.0.0.0', 7777))\nif os.fork() == 0:\n    import time; time.sleep(600)\n\
         while True:\n    sys.stdout.write('x' * 65536)\n",
    )
    .unwrap();
    let (code, text, report) = run_json(&[
        "--role",
        "udp-server",
        "--only",
        "udp.server.reply",
        "--retries",
        "0",
        "--",
        "python3",
        prog.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{text}");
    assert_eq!(ids_with(&report, "fail"), ["udp.server.reply"]);
    // Nothing of it is left running.
    let leftover = std::process::Command::new("pgrep")
        .args(["-f", prog.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        leftover.stdout.is_empty(),
        "processes left: {}",
        String::from_utf8_lossy(&leftover.stdout)
    );
}

#[test]
fn a_stopped_target_fails_and_is_called_stopped_never_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let prog = dir.path().join("stopped_server.py");
    std::fs::write(
        &prog,
        "import os, signal, socket\n\
         s = socket.socket()\n\
         s.bind(('127.0.0.1', 8888))\n\
         s.listen(5)\n\
         os.kill(os.getpid(), signal.SIGSTOP)\n",
    )
    .unwrap();
    let (code, text, report) = run_json(&[
        "--role",
        "tcp-server",
        "--contract",
        "echo",
        "--only",
        "tcp.server.stream-integrity",
        "--retries",
        "0",
        "--timeout",
        "4s",
        "--",
        "python3",
        prog.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{text}");
    assert_eq!(ids_with(&report, "error"), Vec::<String>::new(), "{text}");
    assert_eq!(
        ids_with(&report, "fail"),
        ["tcp.server.stream-integrity"],
        "{text}"
    );
    let message = report["results"][0]["message"].as_str().unwrap();
    assert!(message.contains("stopped"), "{message}");
}

#[test]
fn a_clients_request_is_kept_as_a_snapshot_and_a_change_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let snapshots = dir.path().to_str().unwrap();
    let run = |client: &str| {
        run_json(&[
            "--role",
            "http-client",
            "--only",
            "http.request.line",
            "--snapshot-dir",
            snapshots,
            "--",
            "python3",
            client,
        ])
    };
    let (code, text, _) = run("fixtures/python/http-client/client.py");
    assert_eq!(code, 0, "{text}");
    let kept = std::fs::read_to_string(dir.path().join("request.http")).unwrap();
    assert!(
        kept.starts_with("GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"),
        "{kept:?}"
    );
    let (code, text, report) = run("fixtures/python/http-client/no_host_client.py");
    assert_eq!(code, 0, "the request line itself is fine: {text}");
    let notes = report["results"][0]["evidence"]["notes"].to_string();
    assert!(notes.contains("differs from the snapshot"), "{notes}");
    assert!(dir.path().join("request.http.new").exists());
}
