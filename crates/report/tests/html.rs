//! The HTML reports escape everything that came from a target or a student,
//! link with percent-encoded names, draw the transcript, and give the same
//! bytes for the same results.

use sockspec_report::html::{self, ClassCheck, ClassStudent, ClassTask};
use sockspec_report::{Lang, Report, TargetInfo};
use sockspec_results::{
    CheckInfo, CheckResult, Counterexample, Evidence, Level, Message, Outcome, ProgramLanguage,
    Role, TargetKind, Verdict,
};
use sockspec_wire::{Direction, Event};
use std::time::Duration;

const EVIL: &str = "<script>alert(1)</script>\"'&";

fn text(t: &str) -> Message {
    Message::new("legacy").with("text", t)
}

fn report() -> Report {
    let check = CheckInfo {
        id: "tcp.server.stream-integrity",
        role: Role::TcpServer,
        level: Level::Must,
        spec: "RFC 9293 §3.1",
        title: "bytes come back",
        needs_sandbox: false,
    };
    let evidence = Evidence {
        transcript: vec![
            Event::bytes(10, Direction::ToTarget, "client A", None, b"<b>hi</b>\n"),
            Event::bytes(
                20,
                Direction::FromTarget,
                "client A",
                None,
                b"<img src=x onerror=alert(2)>",
            ),
            Event::note(30, "client A", "RST: the connection was reset"),
            Event::note(40, "client B", "EOF: the target closed its side"),
            Event::note(50, "client B", "nothing more within 200 ms"),
        ],
        stderr_tail: Some(format!("Traceback: {EVIL}")),
        ..Evidence::default()
    };
    let verdict = Verdict::Violated {
        diagnosis: text(&format!("diagnosis {EVIL}")),
        counterexample: Some(Counterexample::Payloads(vec![
            b"</pre><script>x</script>".to_vec(),
        ])),
    };
    Report {
        target: TargetInfo {
            name: format!("python3 {EVIL}.py"),
            kind: TargetKind::Command,
            language: ProgramLanguage::Python,
            contract: "echo".into(),
            sandboxed: true,
            seed: 7,
        },
        role: Role::TcpServer,
        results: vec![CheckResult::new(
            check,
            verdict,
            evidence,
            Duration::from_millis(3),
        )],
        notices: Vec::new(),
        stats: Default::default(),
    }
}

#[test]
fn a_run_page_escapes_what_the_target_sent_and_draws_the_wire() {
    let page = html::run_page(&report(), Lang::En.catalog());
    // Only our own script element, once.
    assert_eq!(page.matches("<script").count(), 1, "{page}");
    assert!(!page.contains("<img"), "{page}");
    assert!(!page.contains("<b>hi"), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "{page}"
    );
    assert!(
        page.contains("&lt;img src=x onerror=alert(2)&gt;"),
        "{page}"
    );
    // The sequence diagram: one row per event, both directions, notes marked.
    assert_eq!(page.matches("class=\"seq-row ").count(), 5, "{page}");
    assert!(
        page.contains("seq-row to") && page.contains("seq-row from"),
        "{page}"
    );
    for kind in ["k-rst", "k-eof", "k-timeout"] {
        assert!(page.contains(kind), "{kind} not marked: {page}");
    }
    assert!(
        page.contains("id=\"tcp.server.stream-integrity\""),
        "{page}"
    );
    assert!(page.contains("Traceback: &lt;script&gt;"), "{page}");
    // Nothing from the network, nothing from the clock.
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "{page}"
    );
    assert_eq!(page, html::run_page(&report(), Lang::En.catalog()));
    let zh = html::run_page(&report(), Lang::Zh.catalog());
    assert!(
        zh.starts_with("<!DOCTYPE html>\n<html lang=\"zh\">"),
        "{zh}"
    );
    assert!(zh.contains("被测程序"), "{zh}");
}

fn student(name: &str, outcome: Outcome) -> ClassStudent {
    ClassStudent {
        name: name.into(),
        total: if outcome == Outcome::Pass { 10 } else { 0 },
        max: 10,
        tasks: vec![
            ClassTask {
                name: "echo".into(),
                problem: None,
                checks: vec![ClassCheck {
                    id: "udp.server.reply".into(),
                    outcome,
                    message: format!("said {EVIL}"),
                }],
            },
            ClassTask {
                name: "tcp".into(),
                problem: Some("no file".into()),
                checks: Vec::new(),
            },
        ],
    }
}

#[test]
fn the_summary_links_every_cell_with_encoded_names() {
    let students = [
        student("zoe", Outcome::Pass),
        student("a b/<\"x\">#?", Outcome::Fail),
        student("张伟", Outcome::Fail),
    ];
    let page = html::summary_page(&students, Lang::En.catalog());
    assert_eq!(page.matches("<script").count(), 1, "{page}");
    assert!(
        page.contains("href=\"students&#x2f;a%20b%2F%3C%22x%22%3E%23%3F.html#udp.server.reply\""),
        "{page}"
    );
    assert!(
        page.contains(">a b&#x2f;&lt;&quot;x&quot;&gt;#?</a>"),
        "{page}"
    );
    assert!(
        page.contains("href=\"students&#x2f;%E5%BC%A0%E4%BC%9F.html#task-tcp\""),
        "{page}"
    );
    // (minijinja writes `/` as `&#x2f;` in attributes, which browsers read as `/`.)
    assert!(
        page.contains("data-students=\"3\" data-checks=\"2\""),
        "{page}"
    );
    // Sorted by name whatever the order given: shards merge to the same bytes.
    let mut reversed = students.to_vec();
    reversed.reverse();
    assert_eq!(page, html::summary_page(&reversed, Lang::En.catalog()));
}

#[test]
fn anchors_name_the_task_only_when_two_tasks_share_a_check() {
    assert_eq!(
        html::check_anchor(Some("t"), "udp.server.reply", false),
        "udp.server.reply"
    );
    assert_eq!(
        html::check_anchor(Some("t"), "udp.server.reply", true),
        "t/udp.server.reply"
    );
    assert_eq!(html::shared_ids([vec!["a", "b"], vec!["b", "c"]]), ["b"]);
}
