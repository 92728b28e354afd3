//! Version managers' shims. With pyenv, nodenv or asdf, `python3` on `PATH`
//! is a script in a `shims` folder that works out which interpreter to run
//! every time it starts: on this kind of machine about 75 ms and several
//! processes per start, against 30 ms for the interpreter itself. A class is
//! hundreds of starts, so sockspec asks the shim once which interpreter it
//! picks (as `python3` would run in sockspec's own folder) and runs that.

use super::command::{is_executable, on_path};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// How long the shim may take to answer.
const ASK_LIMIT: Duration = Duration::from_secs(5);

/// The interpreter behind `program` when `program` (as found on `PATH`) is a
/// shim of Python or Node; `None` for any other program, or when the shim
/// does not answer with an executable file. Asked once per program and run.
pub fn interpreter_behind(program: &str) -> Option<String> {
    static ASKED: OnceLock<Mutex<HashMap<String, Option<String>>>> = OnceLock::new();
    let asked = ASKED.get_or_init(Mutex::default);
    if let Some(known) = asked.lock().unwrap_or_else(|e| e.into_inner()).get(program) {
        return known.clone();
    }
    let found = ask(program, &std::env::var_os("PATH").unwrap_or_default());
    asked
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(program.to_string(), found.clone());
    found
}

/// The question that makes an interpreter print its own path.
fn question(name: &str) -> Option<[&'static str; 2]> {
    if name.starts_with("python") {
        Some(["-c", "import sys; print(sys.executable)"])
    } else if name == "node" || name == "nodejs" {
        Some(["-p", "process.execPath"])
    } else {
        None
    }
}

/// Asks `program`, looked up in the folders of `path` (a `PATH` value).
fn ask(program: &str, path: &std::ffi::OsStr) -> Option<String> {
    let shim = shim_on_path(program, path)?;
    let question = question(program)?;
    let mut child = std::process::Command::new(&shim)
        .args(question)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let pid = child.id();
    let stdout = child.stdout.take()?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::Read;
        let mut text = String::new();
        let _ = std::io::BufReader::new(stdout)
            .take(4096)
            .read_to_string(&mut text);
        let _ = tx.send(text);
    });
    let answer = rx.recv_timeout(ASK_LIMIT);
    if answer.is_err() {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid as i32),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    let _ = child.wait();
    let path = PathBuf::from(answer.ok()?.trim());
    (path.is_absolute() && is_interpreter(&path) && !in_shims(&path))
        .then(|| path.to_string_lossy().into_owned())
}

/// `program`'s file in the folders of `path` when it is a script in a folder
/// named `shims`.
fn shim_on_path(program: &str, path: &std::ffi::OsStr) -> Option<PathBuf> {
    if program.contains('/') {
        return None;
    }
    let found = on_path(program, path)?;
    let script = std::fs::read(&found)
        .ok()
        .is_some_and(|b| b.starts_with(b"#!"));
    (in_shims(&found) && script).then_some(found)
}

fn in_shims(path: &Path) -> bool {
    path.parent()
        .and_then(Path::file_name)
        .is_some_and(|n| n == "shims")
}

/// An executable file that is not a script (a shim that answers with another
/// shim, or a wrapper script, is not worth it).
fn is_interpreter(path: &Path) -> bool {
    is_executable(path)
        && std::fs::read(path)
            .ok()
            .is_some_and(|b| b.starts_with(b"\x7fELF"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_python_and_node_are_asked() {
        assert!(question("python3").is_some());
        assert!(question("python3.11").is_some());
        assert!(question("node").is_some());
        assert!(question("gcc").is_none());
        assert!(question("sh").is_none());
    }

    #[test]
    fn a_program_not_in_a_shims_folder_runs_as_given() {
        assert_eq!(interpreter_behind("sh"), None);
        assert_eq!(interpreter_behind("/usr/bin/python3"), None);
    }

    #[test]
    fn a_shim_is_replaced_by_the_interpreter_it_picks() {
        // A shims folder whose python3 script answers with an ELF executable
        // (this test's own binary), as pyenv's answers with its interpreter.
        let real = std::env::current_exe().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let shims = dir.path().join("shims");
        std::fs::create_dir(&shims).unwrap();
        let shim = shims.join("python3");
        std::fs::write(&shim, format!("#!/bin/sh\necho '{}'\n", real.display())).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
        let found = ask("python3", shims.as_os_str()).expect("the shim answers");
        assert_eq!(Path::new(&found), real);
        // A shim that answers with a script (another shim) is run as it is.
        std::fs::write(&shim, format!("#!/bin/sh\necho '{}'\n", shim.display())).unwrap();
        assert_eq!(ask("python3", shims.as_os_str()), None);
        // So is a python3 that is no shim.
        let plain = dir.path().join("bin");
        std::fs::create_dir(&plain).unwrap();
        std::fs::copy(&shim, plain.join("python3")).unwrap();
        assert_eq!(ask("python3", plain.as_os_str()), None);
    }
}
