//! A task's build step (`build = "gcc -Wall -o server {file}"`): compiles a
//! submission in a private copy of the student's folder before its checks run.
//!
//! TODO(sandbox): the build runs as a plain host process (its own process
//! group, a wall-clock limit, killed with its children when the limit passes,
//! output capped, the sandbox's rlimits through util-linux's `prlimit` when it
//! is installed) in a temporary copy of the folder, not yet in the sandbox
//! the checks use: the sandbox launcher is being rewritten, and once it can
//! run a one-shot command with a working folder the build should move there
//! (no network, the same resource limits).

use serde::{Deserialize, Serialize};
use sockspec_harness::launch::Limits;
use sockspec_report::Catalog;
use sockspec_results::msg;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};

/// The default wall-clock limit of a build.
pub const DEFAULT_LIMIT: Duration = Duration::from_secs(120);
/// How much of a build's output is kept (its end).
const KEEP_BYTES: usize = 16 << 10;
/// The largest folder copied for a build.
const MAX_FILES: usize = 2000;
const MAX_BYTES: u64 = 64 << 20;

/// What a build did, as kept in the student's record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BuildRecord {
    /// The command as run (`{file}` filled in, relative to the folder).
    pub command: String,
    /// Whether it succeeded.
    pub ok: bool,
    /// How it ended, in words.
    pub status: String,
    /// What it printed, stdout then stderr (the end, if long).
    pub output: String,
}

/// Why a build could not even start.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The working copy could not be made.
    #[error("cannot copy the submission for its build: {0}")]
    Copy(#[from] std::io::Error),
    /// The folder is larger than a build copies.
    #[error("the submission is larger than {MAX_FILES} files or {} MiB", MAX_BYTES >> 20)]
    TooLarge,
}

/// A finished build: the working copy (kept until the checks are done) and
/// what the build did.
pub struct Built {
    /// The working copy, where the build's products are.
    pub dir: tempfile::TempDir,
    /// What the build did.
    pub record: BuildRecord,
}

/// Copies `folder` and runs `command` in the copy, `{file}` being `file`
/// (relative to the folder), for at most `limit`.
pub async fn run(
    command: &str,
    folder: &Path,
    file: &Path,
    limit: Duration,
    catalog: &Catalog,
) -> Result<Built, BuildError> {
    let dir = tempfile::Builder::new()
        .prefix("sockspec-build-")
        .tempdir()?;
    let mut budget = (MAX_FILES, MAX_BYTES);
    copy_tree(folder, dir.path(), &mut budget)?;
    let file = file.to_string_lossy();
    let argv: Vec<String> = command
        .split_whitespace()
        .map(|w| w.replace("{file}", &file))
        .collect();
    let shown = argv.join(" ");
    let Some((program, args)) = argv.split_first() else {
        return Ok(Built {
            dir,
            record: failed(
                shown,
                catalog.render(&msg!("build-could-not-start", reason = "empty command")),
                String::new(),
            ),
        });
    };
    // The sandbox's resource limits, through util-linux's prlimit when present.
    let (program, args) = match which("prlimit") {
        Some(prlimit) => {
            let limits = Limits::default();
            let mut wrapped = vec![
                format!("--cpu={}", limits.cpu_seconds.max(limit.as_secs())),
                format!("--data={}", limits.memory_bytes),
                format!("--fsize={}", limits.file_bytes),
                format!("--nofile={}", limits.open_files),
                "--".to_string(),
                program.clone(),
            ];
            wrapped.extend(args.iter().cloned());
            (prlimit.to_string_lossy().into_owned(), wrapped)
        }
        None => (program.clone(), args.to_vec()),
    };
    let mut child = match tokio::process::Command::new(&program)
        .args(&args)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
    {
        Ok(child) => child,
        Err(e) => {
            let status = catalog.render(&msg!("build-could-not-start", reason = e.to_string()));
            return Ok(Built {
                dir,
                record: failed(shown, status.clone(), status),
            });
        }
    };
    let group = child.id();
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    let finished = async {
        let (out, err, status) = tokio::join!(capped(stdout), capped(stderr), child.wait());
        (out, err, status)
    };
    let (output, status) = match tokio::time::timeout(limit, finished).await {
        Ok((out, err, status)) => {
            let mut text = String::from_utf8_lossy(&out).into_owned();
            text.push_str(&String::from_utf8_lossy(&err));
            let status = match status {
                Ok(s) if s.success() => None,
                Ok(s) => Some(describe(s)),
                Err(e) => Some(e.to_string()),
            };
            (text, status)
        }
        Err(_) => {
            kill_group(group);
            let status = catalog.render(&msg!("build-timed-out", seconds = limit.as_secs()));
            (String::new(), Some(status))
        }
    };
    // Whatever the build left running is not wanted.
    kill_group(group);
    let output = tail(&output);
    let record = match status {
        None => BuildRecord {
            command: shown,
            ok: true,
            status: catalog.label("build-ok"),
            output,
        },
        Some(status) => failed(
            shown,
            catalog.render(&msg!("build-failed-status", status = status)),
            output,
        ),
    };
    Ok(Built { dir, record })
}

/// A program on the PATH.
fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn failed(command: String, status: String, output: String) -> BuildRecord {
    BuildRecord {
        command,
        ok: false,
        status,
        output,
    }
}

/// The first line of the output that looks like an error, else its first line.
pub fn first_error(output: &str) -> String {
    output
        .lines()
        .find(|l| l.contains("error"))
        .or_else(|| output.lines().find(|l| !l.trim().is_empty()))
        .unwrap_or("")
        .trim()
        .to_string()
}

fn describe(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(signal)) => format!("signal {signal}"),
        (None, None) => status.to_string(),
    }
}

fn kill_group(group: Option<u32>) {
    if let Some(pid) = group.and_then(|p| i32::try_from(p).ok()) {
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

/// Reads a stream to its end, keeping the first `KEEP_BYTES * 4` bytes.
async fn capped(mut stream: impl AsyncRead + Unpin) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return kept,
            Ok(n) => {
                if kept.len() < KEEP_BYTES * 4 {
                    kept.extend_from_slice(&buf[..n]);
                }
            }
        }
    }
}

/// The end of a long output, cut at a line.
fn tail(text: &str) -> String {
    if text.len() <= KEEP_BYTES {
        return text.to_string();
    }
    let mut start = text.len() - KEEP_BYTES;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let cut = text[start..].find('\n').map_or(start, |i| start + i + 1);
    format!("…\n{}", &text[cut..])
}

/// Copies regular files and folders (not links, not dot-files' contents
/// beyond the budget) from `from` into `to`.
fn copy_tree(from: &Path, to: &Path, budget: &mut (usize, u64)) -> Result<(), BuildError> {
    let mut entries: Vec<_> = std::fs::read_dir(from)?.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let kind = entry.file_type()?;
        let target: PathBuf = to.join(entry.file_name());
        if kind.is_dir() {
            std::fs::create_dir(&target)?;
            copy_tree(&entry.path(), &target, budget)?;
        } else if kind.is_file() {
            let size = entry.metadata()?.len();
            if budget.0 == 0 || budget.1 < size {
                return Err(BuildError::TooLarge);
            }
            budget.0 -= 1;
            budget.1 -= size;
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// The run command's words for a built task: `{file}` is the file in the
/// working copy, `{dir}` the working copy, and `./x` is `x` in the working copy.
pub fn command_words(command: &str, dir: &Path, file: &Path) -> Vec<String> {
    let in_copy = dir.join(file).to_string_lossy().into_owned();
    let dir_text = dir.to_string_lossy();
    command
        .split_whitespace()
        .map(|w| {
            let w = w.replace("{file}", &in_copy).replace("{dir}", &dir_text);
            match w.strip_prefix("./") {
                Some(rest) => dir.join(rest).to_string_lossy().into_owned(),
                None => w,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sockspec_report::Lang;

    #[tokio::test]
    async fn a_failed_build_keeps_the_compilers_message_and_a_slow_one_is_stopped() {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(
            folder.path().join("a.sh"),
            "echo 'a.sh:1: error: nope' >&2; exit 3\n",
        )
        .unwrap();
        let catalog = Lang::En.catalog();
        let built = run(
            "sh {file}",
            folder.path(),
            Path::new("a.sh"),
            DEFAULT_LIMIT,
            catalog,
        )
        .await
        .unwrap();
        assert!(!built.record.ok);
        assert_eq!(built.record.command, "sh a.sh");
        assert_eq!(first_error(&built.record.output), "a.sh:1: error: nope");
        assert!(
            built.record.status.contains("exit status 3"),
            "{:?}",
            built.record
        );

        std::fs::write(folder.path().join("slow.sh"), "sleep 30 & sleep 30\n").unwrap();
        let started = std::time::Instant::now();
        let built = run(
            "sh {file}",
            folder.path(),
            Path::new("slow.sh"),
            Duration::from_millis(300),
            catalog,
        )
        .await
        .unwrap();
        assert!(!built.record.ok);
        assert!(
            built.record.status.contains("did not finish"),
            "{:?}",
            built.record
        );
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn run_words_point_into_the_working_copy() {
        let words = command_words("./server {port} {file}", Path::new("/w"), Path::new("s.c"));
        assert_eq!(words, ["/w/server", "{port}", "/w/s.c"]);
    }
}
