//! Grading input as the file system gives it: names as bytes, dot-named
//! folders, names a spreadsheet would take for formulas, an empty class.

mod support;

use std::os::unix::ffi::OsStrExt;
use support::{root, sockspec};

const MANIFEST: &str = r#"
[[task]]
name = "udp"
role = "udp-server"
file = "udp_server.py"
contract = "echo"
checks = ["udp.server.reply"]
points = { must = 1 }
"#;

#[test]
fn every_folder_is_a_student_and_no_two_names_become_one() {
    let class = tempfile::tempdir().unwrap();
    let server = root().join("fixtures/python/udp-server/echo_server.py");
    let names: [&[u8]; 4] = [b"bad\xff", b"bad\xfe", b".dot", b"=1+1"];
    for name in names {
        let dir = class.path().join(std::ffi::OsStr::from_bytes(name));
        std::fs::create_dir(&dir).unwrap();
        std::fs::copy(&server, dir.join("udp_server.py")).unwrap();
    }
    let manifest = tempfile::NamedTempFile::new().unwrap().into_temp_path();
    std::fs::write(&manifest, MANIFEST).unwrap();
    let out = tempfile::tempdir().unwrap();
    let status = sockspec()
        .args(["grade", "--lang", "en"])
        .arg(class.path())
        .arg("--manifest")
        .arg(&manifest)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let csv = std::fs::read_to_string(out.path().join("grades.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows,
        [
            "student,total,max,udp",
            ".dot,1,1,1",
            "'=1+1,1,1,1",
            "bad\\xfe,1,1,1",
            "bad\\xff,1,1,1"
        ],
        "{csv}"
    );
}

#[test]
fn an_empty_class_is_a_usage_error() {
    let class = tempfile::tempdir().unwrap();
    let manifest = tempfile::NamedTempFile::new().unwrap().into_temp_path();
    std::fs::write(&manifest, MANIFEST).unwrap();
    let out = tempfile::tempdir().unwrap();
    let status = sockspec()
        .arg("grade")
        .arg(class.path())
        .arg("--manifest")
        .arg(&manifest)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&status.stderr).contains("no student folders"));
}
