//! Reports in the reader's language, and results on the terminal as they come.

mod support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use support::root;

fn bin() -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("sockspec"));
    cmd.current_dir(root());
    cmd
}

#[test]
fn results_appear_as_each_check_finishes() {
    // The spinning server keeps `tcp.server.eof-closes` waiting for seconds;
    // the first result must be on the terminal long before the run ends.
    let mut child = bin()
        .args([
            "run",
            "--lang",
            "en",
            "--role",
            "tcp-server",
            "--contract",
            "echo",
            "--jobs",
            "1",
            "--retries",
            "0",
            "--only",
            "tcp.server.accepts",
            "--only",
            "tcp.server.eof-closes",
            "--",
            "python3",
            "fixtures/python/tcp-server/spin_server.py",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sockspec starts");
    let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    let first_result = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.contains("tcp.server.accepts"))
        .expect("a result line for tcp.server.accepts");
    let still_running = child.try_wait().expect("try_wait").is_none();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let _ = child.wait();
    assert!(first_result.contains("pass"), "{first_result}");
    assert!(
        still_running,
        "the run had ended before its first result line was read"
    );
    assert!(
        rest.iter().any(|l| l.contains("tcp.server.eof-closes")),
        "{rest:?}"
    );
}

fn zh_run(env_lang: Option<&str>, flag: bool) -> String {
    let mut cmd = bin();
    cmd.arg("run");
    if flag {
        cmd.args(["--lang", "zh"]);
    }
    cmd.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG");
    if let Some(l) = env_lang {
        cmd.env("LANG", l);
    }
    let out = cmd
        .args([
            "--role",
            "udp-server",
            "--contract",
            "echo",
            "--retries",
            "0",
            "--seed",
            "1",
            "--only",
            "udp.server.reply",
            "--only",
            "udp.server.keeps-serving",
            "--only",
            "udp.server.empty-datagram",
            "--",
            "python3",
            "fixtures/python/udp-server/empty_quit_server.py",
        ])
        .output()
        .expect("sockspec runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn lang_zh_and_a_chinese_locale_give_chinese_reports() {
    for text in [zh_run(None, true), zh_run(Some("zh_CN.UTF-8"), false)] {
        assert!(text.contains("角色 udp-server"), "{text}");
        assert!(text.contains("项检查"), "{text}");
        assert!(!text.contains(" checks: "), "{text}");
    }
    let english = zh_run(Some("en_US.UTF-8"), false);
    assert!(english.contains(" checks: "), "{english}");
}
