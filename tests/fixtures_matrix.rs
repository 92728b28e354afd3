//! The self-validation matrix: every fixture (course-style Python programs and
//! real programs nobody here wrote) through the real CLI. A correct
//! program fails and warns on nothing; a buggy one fails and warns on exactly
//! what its header declares.

mod support;

use rstest::rstest;
use std::path::PathBuf;
use support::{header, ids_with, run_json};

#[rstest]
fn fixture_gets_exactly_its_declared_outcomes(
    #[files("fixtures/python/*/*.py")]
    #[files("fixtures/real/*/*.sh")]
    path: PathBuf,
) {
    let role = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .expect("fixtures/<lang>/<role>/<file>")
        .to_string();
    let h = header(&path);
    let contract = h.contract.clone().unwrap_or_else(|| "any".into());
    let file = path.to_string_lossy().into_owned();
    let mut args = vec![
        "--role",
        &role,
        "--contract",
        &contract,
        "--retries",
        "0",
        "--seed",
        "7",
    ];
    if let Some(addr) = &h.addr {
        args.extend(["--addr", addr]);
    }
    let runner = if file.ends_with(".sh") {
        "sh"
    } else {
        "python3"
    };
    args.extend(["--", runner, &file]);
    let (code, text, report) = run_json(&args);
    assert_eq!(
        ids_with(&report, "error"),
        Vec::<String>::new(),
        "sockspec errors:\n{text}"
    );
    assert_eq!(
        ids_with(&report, "fail"),
        h.expect_fail,
        "failed checks of {file}:\n{text}"
    );
    assert_eq!(
        ids_with(&report, "warn"),
        h.expect_warn,
        "warned checks of {file}:\n{text}"
    );
    let expected_code = if h.expect_fail.is_empty() { 0 } else { 1 };
    assert_eq!(code, expected_code, "exit code of {file}:\n{text}");
}
