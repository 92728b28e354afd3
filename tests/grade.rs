//! `sockspec grade`: the bundled class, manifests, shards, resume, Gradescope.

mod support;

use std::path::Path;
use support::sockspec;

fn grade(args: &[&str]) -> (i32, String) {
    let out = sockspec().arg("grade").args(args).output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_bundled_class_grades_and_shards_merge_into_the_same_grades() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two, merged) = (
        dir.path().join("1"),
        dir.path().join("2"),
        dir.path().join("all"),
    );
    for (shard, out) in [("1/2", &one), ("2/2", &two)] {
        let (code, text) = grade(&[
            "fixtures/class",
            "--manifest",
            "fixtures/grading.toml",
            "--jobs",
            "2",
            "--shard",
            shard,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{text}");
    }
    let (code, text) = grade(&[
        "--merge",
        one.to_str().unwrap(),
        two.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{text}");
    insta::assert_snapshot!("grades_csv", read(&merged.join("grades.csv")));
    let feedback = read(&merged.join("students/张伟.md"));
    // Timings, temporary paths and shrink step counts vary from run to run.
    let mut settings = insta::Settings::clone_current();
    // Whether a one-shot server's exit is seen before the transcript closes
    // depends on timing: the note is left out of the comparison.
    settings.add_filter(r"(?m)^ *\d+\.\d+ ms +client: the target ended\n", "");
    settings.add_filter(r" *\d+\.\d+ ms", " [ms]");
    settings.add_filter(
        r" \(stopped at the shrink budget: a smaller case may exist\)",
        "",
    );
    settings.add_filter(r"/tmp/sockspec-[A-Za-z0-9]+", "[workdir]");
    settings.add_filter(r"shrunk in \d+ steps", "shrunk in [n] steps");
    settings.add_filter(r"\b\d+ ms\b", "[n] ms");
    settings.add_filter(r"127\.0\.0\.1:\d{5}", "127.0.0.1:[port]");
    // Whether a target's exit is seen within a check's quiet window is timing
    // (in the sandbox, the exit travels through bwrap's init and monitor).
    settings.add_filter(r"\n \[ms\]  client: the target ended", "");
    settings.bind(|| insta::assert_snapshot!("feedback_zhang_wei", feedback));
    let summary = read(&merged.join("summary.md"));
    assert!(summary.contains("Students: 4"), "{summary}");
    assert!(
        summary.contains("no file matching `tcp_server.py`"),
        "{summary}"
    );
    let junit = read(&merged.join("junit.xml"));
    quick_junit::Report::deserialize_from_str(&junit).expect("the class JUnit XML is valid");

    // --resume grades nobody again.
    let (code, text) = grade(&[
        "fixtures/class",
        "--manifest",
        "fixtures/grading.toml",
        "--resume",
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(text.matches("(already graded)").count(), 4, "{text}");
    insta::assert_snapshot!("grades_csv", read(&merged.join("grades.csv")));
}

#[test]
fn a_bad_manifest_is_an_error_naming_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("grading.toml");
    std::fs::write(
        &manifest,
        "[[task]]\nname = \"tcp-echo\"\nrole = \"tcp-sever\"\nfile = \"tcp_server.py\"\n",
    )
    .unwrap();
    let (code, text) = grade(&[
        "fixtures/class",
        "--manifest",
        manifest.to_str().unwrap(),
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{text}");
    let text = text.replace(manifest.to_str().unwrap(), "grading.toml");
    insta::assert_snapshot!(text);
}

#[test]
fn forty_copies_of_one_hard_coded_server_all_get_the_same_score() {
    let dir = tempfile::tempdir().unwrap();
    let class = dir.path().join("class");
    for i in 0..40 {
        let student = class.join(format!("student{i:02}"));
        std::fs::create_dir_all(&student).unwrap();
        std::fs::copy(
            support::root().join("fixtures/python/udp-server/echo_server.py"),
            student.join("udp_server.py"),
        )
        .unwrap();
    }
    let manifest = dir.path().join("grading.toml");
    std::fs::write(
        &manifest,
        "[[task]]\nname = \"udp\"\nrole = \"udp-server\"\nfile = \"udp_server.py\"\ncontract = \"echo\"\ncases = 8\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let (code, text) = grade(&[
        class.to_str().unwrap(),
        "--manifest",
        manifest.to_str().unwrap(),
        "--jobs",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{text}");
    let csv = read(&out.join("grades.csv"));
    let rows: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split_once(',').unwrap().1)
        .collect();
    assert_eq!(rows.len(), 40, "{csv}");
    assert!(rows.iter().all(|r| *r == rows[0]), "{csv}");
    assert_eq!(
        rows[0], "46,46,46",
        "every copy passes every counted check: {csv}"
    );
}

#[test]
fn gradescope_mode_writes_results_json_for_one_submission() {
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = grade(&[
        "fixtures/class/alice",
        "--manifest",
        "fixtures/grading.toml",
        "--gradescope",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{text}");
    let results: serde_json::Value =
        serde_json::from_str(&read(&dir.path().join("results.json"))).unwrap();
    assert_eq!(results["score"], 138);
    let tests = results["tests"].as_array().unwrap();
    assert!(
        tests
            .iter()
            .any(|t| t["name"] == "tcp-echo: tcp.server.eof-no-spin" && t["status"] == "passed")
    );
}
