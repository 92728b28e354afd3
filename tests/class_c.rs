//! A class in C: each submission is built (`build = "gcc ..."`) before its
//! checks; the build's output is in the feedback, and a submission that does
//! not compile scores 0 of the same maximum, with the compiler's message.

mod support;

use std::path::Path;
use support::sockspec;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_c_class_builds_and_a_broken_build_scores_zero() {
    let out = tempfile::tempdir().unwrap();
    let run = sockspec()
        .args([
            "grade",
            "fixtures/class-c",
            "--manifest",
            "fixtures/class-c/grading.toml",
            "--jobs",
            "2",
            "--lang",
            "en",
            "--out",
        ])
        .arg(out.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{text}");
    let csv = read(&out.path().join("grades.csv"));
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let row = |name: &str| {
        rows.iter()
            .find(|r| r[0] == name)
            .unwrap_or_else(|| panic!("{csv}"))
    };
    let (ada, ben, cara) = (row("ada"), row("ben"), row("cara"));
    // The same maximum for all: a failed build keeps the task's points in it.
    assert!(
        ada[2] != "0" && ada[2] == ben[2] && ben[2] == cara[2],
        "{csv}"
    );
    assert_eq!(ada[1], ada[2], "the correct server earns everything: {csv}");
    let ben_total: u32 = ben[1].parse().unwrap();
    assert!(ben_total > 0 && ben[1] != ben[2], "{csv}");
    assert_eq!(cara[1], "0", "{csv}");

    let cara_md = read(&out.path().join("students/cara.md"));
    assert!(
        cara_md.contains("gcc -Wall -O1 -o server server.c"),
        "{cara_md}"
    );
    assert!(cara_md.contains("error: expected"), "{cara_md}");
    let cara_json: serde_json::Value =
        serde_json::from_str(&read(&out.path().join("students/cara.json"))).unwrap();
    let task = &cara_json["tasks"][0];
    assert_eq!(task["build"]["ok"], false);
    assert!(
        task["problem"].as_str().unwrap().contains("server.c:8:"),
        "{task}"
    );
    // The warnings of a build that succeeded are feedback too.
    let ben_md = read(&out.path().join("students/ben.md"));
    assert!(ben_md.contains("unused variable"), "{ben_md}");
    assert!(
        ben_md.contains("| `tcp.server.eof-no-spin` | fail |"),
        "{ben_md}"
    );
    let cara_html = read(&out.path().join("students/cara.html"));
    assert!(cara_html.contains("class=\"build failed\""), "{cara_html}");
    assert!(cara_html.contains("error: expected"), "{cara_html}");
    let summary = read(&out.path().join("summary.html"));
    assert!(summary.contains("data-students=\"3\""), "{summary}");
}
