//! The teacher's view: the bundled class graded in 3 shards (each finding its
//! part with `--shard auto` from a different engine's variables) merges into
//! the bytes a single run writes; the class summary and a failing run's report
//! render in headless Chromium with every link resolving, and screenshots of
//! both are kept in `$CARGO_TARGET_TMPDIR/teacher/`.

mod support;

use scraper::{Html, Selector};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use support::sockspec;

/// Every variable `--shard auto` reads, cleared so the host's CI does not leak in.
const SHARD_VARS: [&str; 8] = [
    "SOCKSPEC_SHARD_INDEX",
    "SOCKSPEC_SHARD_COUNT",
    "CI_NODE_INDEX",
    "CI_NODE_TOTAL",
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN",
    "JOB_COMPLETION_INDEX",
];

/// The class outputs that must not depend on how the class was split.
const CLASS_OUTPUTS: [&str; 4] = ["grades.csv", "summary.md", "summary.html", "junit.xml"];

fn out_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("teacher")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn grade(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = sockspec();
    cmd.arg("grade").args(args);
    for var in SHARD_VARS {
        cmd.env_remove(var);
    }
    cmd.env_remove("SLURM_ARRAY_TASK_STEP");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("sockspec runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "grade {args:?}: {text}");
    text
}

/// The bundled class graded in three shards and merged (once per test run).
fn merged_class() -> &'static Path {
    static MERGED: OnceLock<PathBuf> = OnceLock::new();
    MERGED.get_or_init(|| {
        let root = out_dir().join("class");
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let engines: [&[(&str, &str)]; 3] = [
            // A GitHub Actions matrix: strategy.job-index / job-total.
            &[("SOCKSPEC_SHARD_INDEX", "0"), ("SOCKSPEC_SHARD_COUNT", "3")],
            // GitLab CI `parallel: 3`.
            &[("CI_NODE_INDEX", "2"), ("CI_NODE_TOTAL", "3")],
            // A Slurm array `--array=1-3`.
            &[
                ("SLURM_ARRAY_TASK_ID", "3"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
            ],
        ];
        let mut shards = Vec::new();
        let mut graded = 0;
        for (k, env) in engines.iter().enumerate() {
            let dir = root.join(format!("shard-{}", k + 1));
            let text = grade(
                &[
                    "fixtures/class",
                    "--manifest",
                    "fixtures/grading.toml",
                    "--jobs",
                    "2",
                    "--shard",
                    "auto",
                    "--out",
                    dir.to_str().unwrap(),
                ],
                env,
            );
            assert!(
                text.contains(&format!("grading shard {}/3", k + 1)),
                "{text}"
            );
            graded += text.lines().filter(|l| l.starts_with("graded ")).count();
            shards.push(dir);
        }
        assert_eq!(graded, 4, "every student is in exactly one shard");
        let merged = root.join("merged");
        let mut args = vec!["--merge"];
        args.extend(shards.iter().map(|d| d.to_str().unwrap()));
        args.extend(["--out", merged.to_str().unwrap()]);
        grade(&args, &[]);
        merged
    })
}

#[test]
fn shards_merge_into_the_bytes_of_a_single_run() {
    let merged = merged_class();
    // A single run over the same students' results: their records are put in
    // place and --resume takes them. (Grading the buggy programs again is not
    // byte-stable: a racy server's smallest counterexample, which diagnoses
    // quote, differs from run to run; tests/grade.rs pins the scores.)
    let single = merged.parent().unwrap().join("single");
    let _ = std::fs::remove_dir_all(&single);
    std::fs::create_dir_all(single.join("students")).unwrap();
    for shard in ["shard-1", "shard-2", "shard-3"] {
        let students = merged.parent().unwrap().join(shard).join("students");
        for entry in std::fs::read_dir(students).unwrap().flatten() {
            if entry.path().extension().is_some_and(|e| e == "json") {
                std::fs::copy(
                    entry.path(),
                    single.join("students").join(entry.file_name()),
                )
                .unwrap();
            }
        }
    }
    let text = grade(
        &[
            "fixtures/class",
            "--manifest",
            "fixtures/grading.toml",
            "--resume",
            "--out",
            single.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(text.matches("(already graded)").count(), 4, "{text}");
    for name in CLASS_OUTPUTS {
        let (a, b) = (
            std::fs::read(merged.join(name)).unwrap(),
            std::fs::read(single.join(name)).unwrap(),
        );
        assert!(
            a == b,
            "{name} differs between the merged shards and a single run"
        );
    }
}

/// Headless Chromium, when installed (CI installs it: there it must run).
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|p| p.join(name))
                    .find(|p| p.is_file())
            })
        });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is not installed, and CI must run the browser tests (ci/install installs it)"
        );
        eprintln!(
            "skipping: chromium is not installed (apt-get install chromium; ci/install does)"
        );
    }
    found
}

/// Runs headless Chromium on `page` with `args`; returns stdout and stderr.
fn browse(chromium: &Path, page: &str, args: &[&str]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("timeout")
        .arg("120")
        .arg(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1400,1000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(page)
        .output()
        .expect("chromium runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "chromium failed on {page}: {stderr}");
    (String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

/// The DOM after the page's script ran, with no script error.
fn dom(chromium: &Path, page: &str) -> Html {
    let (dom, stderr) = browse(chromium, page, &["--dump-dom"]);
    assert!(
        !stderr.contains("Uncaught"),
        "a script error on {page}: {stderr}"
    );
    let html = Html::parse_document(&dom);
    let ready = Selector::parse("html[data-sockspec-ready='1']").unwrap();
    assert!(
        html.select(&ready).next().is_some(),
        "the page's script did not finish on {page}"
    );
    html
}

fn screenshot(chromium: &Path, page: &str, to: &Path) {
    browse(chromium, page, &[&format!("--screenshot={}", to.display())]);
    let png = std::fs::read(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{}",
        to.display()
    );
    eprintln!("screenshot: {}", to.display());
}

fn url(path: &Path) -> String {
    format!("file://{}", path.canonicalize().unwrap().display())
}

fn select<'a>(html: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&Selector::parse(css).unwrap()).collect()
}

fn ids(path: &Path) -> BTreeSet<String> {
    let html = Html::parse_document(&read(path));
    select(&html, "[id]")
        .iter()
        .filter_map(|e| e.value().attr("id").map(str::to_string))
        .collect()
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .expect("links are UTF-8")
        .into_owned()
}

#[test]
fn the_class_summary_renders_in_chromium_with_every_link_resolving() {
    let Some(chromium) = chromium() else { return };
    let merged = merged_class();
    let summary = merged.join("summary.html");
    let html = dom(&chromium, &url(&summary));

    // The matrix: a row per student, a cell per check any student ran.
    let mut students = BTreeSet::new();
    let mut columns = BTreeSet::new();
    for entry in std::fs::read_dir(merged.join("students"))
        .unwrap()
        .flatten()
    {
        if entry.path().extension().is_some_and(|e| e == "json") {
            let record: serde_json::Value = serde_json::from_str(&read(&entry.path())).unwrap();
            students.insert(record["student"].as_str().unwrap().to_string());
            for task in record["tasks"].as_array().unwrap() {
                for check in task["checks"].as_array().unwrap() {
                    columns.insert((task["name"].to_string(), check["id"].to_string()));
                }
            }
        }
    }
    assert_eq!(students.len(), 4);
    let rows = select(&html, "table#matrix tbody tr");
    assert_eq!(rows.len(), students.len());
    assert_eq!(select(&html, "table#matrix th.col").len(), columns.len());
    let names: BTreeSet<String> = select(&html, "table#matrix th.name a")
        .iter()
        .map(|a| a.text().collect())
        .collect();
    assert_eq!(names, students);
    for row in &rows {
        let cells = row.select(&Selector::parse("td.cell").unwrap()).count();
        assert_eq!(cells, columns.len(), "{}", row.html());
    }
    // Outcome colours: bob fails a check, chen's TCP task was not graded.
    assert!(!select(&html, "td.cell.o-fail").is_empty());
    assert!(!select(&html, "td.cell.o-notrun").is_empty());
    assert_eq!(select(&html, "svg#distribution rect.bar").len(), 10);
    assert!(!select(&html, "table#most-missed tbody tr").is_empty());

    // Every link's file exists, and so does the element it points at.
    let mut pages: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    let links = select(&html, "a[href]");
    assert!(links.len() > students.len() * columns.len());
    for a in links {
        let href = a.value().attr("href").unwrap();
        let (path, fragment) = href.split_once('#').unwrap_or((href, ""));
        let file = merged.join(decode(path));
        assert!(file.is_file(), "{href}: {} does not exist", file.display());
        if !fragment.is_empty() {
            let ids = pages.entry(file.clone()).or_insert_with(|| ids(&file));
            assert!(ids.contains(&decode(fragment)), "{href}: no such anchor");
        }
    }
    assert_eq!(pages.len(), 4, "every student's page is linked");

    // Following a link opens the check it points at, even one that passed.
    let alice = merged.join("students/alice.html");
    let page = dom(&chromium, &format!("{}#udp.server.reply", url(&alice)));
    assert_eq!(
        select(&page, "details[open]")
            .iter()
            .filter(|d| d.value().attr("id") == Some("udp.server.reply"))
            .count(),
        1
    );
    screenshot(&chromium, &url(&summary), &out_dir().join("summary.png"));
}

#[test]
fn a_failing_run_renders_in_chromium_with_its_wire_and_stderr() {
    let Some(chromium) = chromium() else { return };
    let dir = out_dir().join("run");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (html_path, json_path) = (dir.join("report.html"), dir.join("report.json"));
    let out = sockspec()
        .args([
            "run",
            "--role",
            "tcp-server",
            "--contract",
            "echo",
            "--seed",
            "7",
            "--html",
        ])
        .arg(&html_path)
        .arg("--json")
        .arg(&json_path)
        .args([
            "--",
            "python3",
            "fixtures/python/tcp-server/decode_crash_server.py",
        ])
        .output()
        .unwrap();
    // Its one mistake (it dies on bytes that are not UTF-8) is a `should`:
    // a warning, exit status 0, and the evidence a failure has.
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: serde_json::Value = serde_json::from_str(&read(&json_path)).unwrap();
    let html = dom(&chromium, &url(&html_path));
    let results = report["results"].as_array().unwrap();
    let checks = select(&html, "details.check");
    assert_eq!(checks.len(), results.len());
    for (r, d) in results.iter().zip(&checks) {
        assert_eq!(d.value().attr("id"), r["id"].as_str());
        assert!(
            d.value()
                .classes()
                .any(|c| c == format!("o-{}", r["outcome"].as_str().unwrap()))
        );
    }
    // The links at the top lead to each check that needs attention.
    let anchors: BTreeSet<String> = select(&html, "nav.problems a[href]")
        .iter()
        .map(|a| decode(a.value().attr("href").unwrap().trim_start_matches('#')))
        .collect();
    let problems: BTreeSet<String> = results
        .iter()
        .filter(|r| ["fail", "warn", "error"].contains(&r["outcome"].as_str().unwrap()))
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(anchors, problems);
    let failed = select(&html, "details.check.o-warn[open]");
    assert!(!failed.is_empty());
    for d in &failed {
        let rows = d.select(&Selector::parse(".seq-row").unwrap()).count();
        assert!(rows > 0, "no sequence diagram in {}", d.html());
    }
    assert!(!select(&html, ".seq-row.to .arrow").is_empty());
    assert!(!select(&html, ".seq-row.note.k-eof, .seq-row.note.k-rst").is_empty());
    let stderr: String = select(&html, "pre.stderr")
        .iter()
        .flat_map(|p| p.text())
        .collect();
    assert!(stderr.contains("UnicodeDecodeError"), "{stderr}");
    screenshot(&chromium, &url(&html_path), &out_dir().join("run.png"));
}
