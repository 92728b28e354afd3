//! Helpers shared by the integration tests.

#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The repository root.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The sockspec binary, run from the repository root.
pub(crate) fn sockspec() -> Command {
    let mut cmd = Command::cargo_bin("sockspec").expect("the sockspec binary is built");
    cmd.current_dir(root());
    cmd
}

/// Runs `sockspec run` with `args`, writing the JSON report to a temporary
/// file; returns the exit code, the terminal output and the report.
pub(crate) fn run_json(args: &[&str]) -> (i32, String, Value) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let json = dir.path().join("report.json");
    let out = sockspec()
        .arg("run")
        .arg("--json")
        .arg(&json)
        .args(args)
        .output()
        .expect("sockspec runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let report = std::fs::read_to_string(&json)
        .map(|s| serde_json::from_str(&s).expect("the JSON report parses"))
        .unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), text, report)
}

/// The IDs in a JSON report whose outcome is `outcome`, sorted.
pub(crate) fn ids_with(report: &Value, outcome: &str) -> Vec<String> {
    let mut ids: Vec<String> = report["results"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .filter(|r| r["outcome"] == outcome)
                .map(|r| r["id"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

/// A fixture's header: `# contract: echo`, `# expect-fail: a, b`, `# expect-warn: c`,
/// `# addr: HOST:PORT`, `# input: line 1\nline 2\n` (C and Node fixtures write `//`).
#[derive(Debug, Default)]
pub(crate) struct Header {
    pub(crate) contract: Option<String>,
    pub(crate) expect_fail: Vec<String>,
    pub(crate) expect_warn: Vec<String>,
    pub(crate) addr: Option<String>,
    /// The input script, `\n` and `\\` unescaped: fed to the program's stdin.
    pub(crate) input: Option<String>,
}

/// Unescapes a header value: `\n` is a newline, `\\` a backslash.
fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('\\', Some('n')) => {
                out.push('\n');
                chars.next();
            }
            ('\\', Some('\\')) => {
                out.push('\\');
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// Reads the header comments at the top of a fixture.
pub(crate) fn header(path: &Path) -> Header {
    let text = std::fs::read_to_string(path).expect("fixture is readable");
    let mut h = Header::default();
    let list = |v: &str| -> Vec<String> {
        let mut ids: Vec<String> = v
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        ids.sort();
        ids
    };
    for line in text
        .lines()
        .take_while(|l| l.starts_with('#') || l.starts_with("//") || l.trim().is_empty())
    {
        let line = line.trim_start_matches(['#', '/', ' ', '!']);
        if let Some((key, value)) = line.split_once(':') {
            match key.trim() {
                "contract" => h.contract = Some(value.trim().to_string()),
                "expect-fail" => h.expect_fail = list(value),
                "expect-warn" => h.expect_warn = list(value),
                "addr" => h.addr = Some(value.trim().to_string()),
                "input" => h.input = Some(unescape(value.trim())),
                _ => {}
            }
        }
    }
    h
}
