//! The copy of a program's folder that an instance runs in.
//!
//! Bounded (files, bytes, time, depth); regular files are copied (never
//! opened through a link, so a FIFO or `/proc/kmsg` cannot block it), folders
//! recursed into, symbolic links copied as links when they point inside the
//! folder and left out when they point out of it (`tcp_server.py ->
//! /etc/passwd`), and everything else (FIFOs, sockets, devices) left out. A
//! broken link or a link loop is copied as the harmless link it is.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

/// How much a copy may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Regular files.
    pub files: usize,
    /// Bytes of regular files.
    pub bytes: u64,
    /// Wall-clock time.
    pub time: Duration,
    /// Folder depth below the copied folder.
    pub depth: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            files: 2000,
            bytes: 64 << 20,
            time: Duration::from_secs(10),
            depth: 32,
        }
    }
}

/// Why an entry of the folder was not copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skipped {
    /// A symbolic link pointing out of the folder.
    LinkOutside(PathBuf),
    /// Not a regular file, folder or link (FIFO, socket, device).
    Special(PathBuf),
    /// A cache or VCS folder (`.git`, `__pycache__`, ...).
    Cache(PathBuf),
    /// It could not be read.
    Unreadable(PathBuf, String),
    /// The budget ran out before it.
    OverBudget(PathBuf),
}

/// What a copy did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyReport {
    /// Regular files copied.
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Whether the budget held (everything copyable was copied).
    pub complete: bool,
    /// What was left out, relative to the folder.
    pub skipped: Vec<Skipped>,
}

/// Folders that are never part of a program.
const CACHES: [&str; 5] = [".git", "__pycache__", "target", "node_modules", ".venv"];

struct Walk<'a> {
    root: PathBuf,
    dst_root: &'a Path,
    budget: Budget,
    deadline: Instant,
    report: CopyReport,
}

/// Copies the folder `src` into the existing folder `dst` within `budget`.
/// Fails only when `src` itself cannot be read.
pub fn copy_folder(src: &Path, dst: &Path, budget: &Budget) -> io::Result<CopyReport> {
    let root = fs::canonicalize(src)?;
    let mut walk = Walk {
        root,
        dst_root: dst,
        budget: *budget,
        deadline: Instant::now() + budget.time,
        report: CopyReport {
            complete: true,
            ..CopyReport::default()
        },
    };
    let entries = fs::read_dir(&walk.root)?;
    walk.folder(entries, Path::new(""), 0);
    Ok(walk.report)
}

impl Walk<'_> {
    fn over_budget(&mut self, rel: &Path) -> bool {
        if !self.report.complete {
            return true;
        }
        if Instant::now() >= self.deadline {
            self.report.complete = false;
            self.report.skipped.push(Skipped::OverBudget(rel.into()));
            return true;
        }
        false
    }

    fn folder(&mut self, entries: fs::ReadDir, rel: &Path, depth: usize) {
        for entry in entries {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let why = e.to_string();
                    self.report
                        .skipped
                        .push(Skipped::Unreadable(rel.into(), why));
                    continue;
                }
            };
            let name = entry.file_name();
            let rel = rel.join(&name);
            if self.over_budget(&rel) {
                return;
            }
            if name.to_str().is_some_and(|n| CACHES.contains(&n)) {
                self.report.skipped.push(Skipped::Cache(rel));
                continue;
            }
            let from = self.root.join(&rel);
            let to = self.dst_root.join(&rel);
            // The copy may itself live inside the folder being copied.
            if self.dst_root.starts_with(&from) {
                continue;
            }
            // The entry's own type: links are not followed.
            let kind = match entry.file_type() {
                Ok(k) => k,
                Err(e) => {
                    self.report
                        .skipped
                        .push(Skipped::Unreadable(rel, e.to_string()));
                    continue;
                }
            };
            if kind.is_symlink() {
                self.link(&from, &to, &rel);
            } else if kind.is_dir() {
                if depth + 1 > self.budget.depth {
                    self.report.complete = false;
                    self.report.skipped.push(Skipped::OverBudget(rel));
                    return;
                }
                let made = fs::create_dir(&to).and_then(|()| fs::read_dir(&from));
                match made {
                    Ok(entries) => self.folder(entries, &rel, depth + 1),
                    Err(e) => self
                        .report
                        .skipped
                        .push(Skipped::Unreadable(rel, e.to_string())),
                }
            } else if kind.is_file() {
                self.file(&from, &to, &rel);
            } else {
                self.report.skipped.push(Skipped::Special(rel));
            }
        }
    }

    fn link(&mut self, from: &Path, to: &Path, rel: &Path) {
        let target = match fs::read_link(from) {
            Ok(t) => t,
            Err(e) => {
                self.report
                    .skipped
                    .push(Skipped::Unreadable(rel.into(), e.to_string()));
                return;
            }
        };
        let dir = rel.parent().unwrap_or(Path::new(""));
        match link_inside(&self.root, dir, &target) {
            Some(inside) => {
                if let Err(e) = std::os::unix::fs::symlink(inside, to) {
                    self.report
                        .skipped
                        .push(Skipped::Unreadable(rel.into(), e.to_string()));
                }
            }
            None => self.report.skipped.push(Skipped::LinkOutside(rel.into())),
        }
    }

    fn file(&mut self, from: &Path, to: &Path, rel: &Path) {
        let left = self.budget.bytes.saturating_sub(self.report.bytes);
        if self.report.files >= self.budget.files {
            self.report.complete = false;
            self.report.skipped.push(Skipped::OverBudget(rel.into()));
            return;
        }
        match copy_file(from, to, left) {
            Ok(Some(n)) => {
                self.report.files += 1;
                self.report.bytes += n;
            }
            Ok(None) => {
                self.report.complete = false;
                self.report.skipped.push(Skipped::OverBudget(rel.into()));
            }
            Err(CopyFileError::NotAFile) => self.report.skipped.push(Skipped::Special(rel.into())),
            Err(CopyFileError::Io(e)) => self
                .report
                .skipped
                .push(Skipped::Unreadable(rel.into(), e.to_string())),
        }
    }
}

/// Why [`copy_file`] copied nothing.
#[derive(Debug, thiserror::Error)]
pub enum CopyFileError {
    /// `from` is not a regular file (or is a link).
    #[error("not a regular file")]
    NotAFile,
    /// Reading or writing failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Copies the regular file `from` (never through a link; a FIFO or device is
/// never opened for long) to the new file `to`, with its permission bits minus
/// set-id bits. `Ok(None)` when it holds more than `max` bytes (nothing is
/// left at `to`); `Ok(Some(bytes))` otherwise.
pub fn copy_file(from: &Path, to: &Path, max: u64) -> Result<Option<u64>, CopyFileError> {
    let source = OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK | nix::libc::O_NOCTTY)
        .open(from)
        .map_err(|e| match e.raw_os_error() {
            Some(nix::libc::ELOOP) => CopyFileError::NotAFile,
            _ => CopyFileError::Io(e),
        })?;
    let meta = source.metadata()?;
    if !meta.is_file() {
        return Err(CopyFileError::NotAFile);
    }
    if meta.len() > max {
        return Ok(None);
    }
    let mut out = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(to)?;
    let copied = io::copy(&mut (&source).take(max.saturating_add(1)), &mut out)?;
    if copied > max {
        drop(out);
        let _ = fs::remove_file(to);
        return Ok(None);
    }
    out.set_permissions(fs::Permissions::from_mode(
        meta.permissions().mode() & 0o777,
    ))?;
    Ok(Some(copied))
}

/// Reads at most `max` bytes of the regular file at `path`, never opening
/// anything else (a FIFO, `/proc/kmsg`); `None` if it is not one or is longer.
pub fn read_regular(path: &Path, max: u64) -> Option<Vec<u8>> {
    let file: File = OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NONBLOCK | nix::libc::O_NOCTTY)
        .open(path)
        .ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() > max || is_pseudo(path) {
        return None;
    }
    let mut bytes = Vec::new();
    (&file).take(max + 1).read_to_end(&mut bytes).ok()?;
    (bytes.len() as u64 <= max).then_some(bytes)
}

/// Whether `path` leads into a kernel file system whose "regular" files are
/// not files (`/proc`, `/sys`).
fn is_pseudo(path: &Path) -> bool {
    let Ok(real) = fs::canonicalize(path) else {
        return true;
    };
    real.starts_with("/proc") || real.starts_with("/sys") || real.starts_with("/dev")
}

/// The target to give a copied link at `dir` (relative to the folder `root`)
/// whose original target is `target`, when it stays inside the folder: a
/// relative target as it is, an absolute one into the folder made relative.
/// `None` when it leads out of the folder at any step (judged on the text of
/// the target, component by component; links inside it are links the copy
/// holds too, judged the same way).
pub fn link_inside(root: &Path, dir: &Path, target: &Path) -> Option<PathBuf> {
    if target.is_absolute() {
        let rel = normalize(target)?.strip_prefix(root).ok()?.to_path_buf();
        // From `dir` up to the folder, then down to the target.
        let mut up = PathBuf::new();
        for _ in dir.components() {
            up.push("..");
        }
        let relative = up.join(&rel);
        return Some(if relative.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            relative
        });
    }
    let mut depth: usize = dir.components().count();
    for part in target.components() {
        match part {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => depth = depth.checked_sub(1)?,
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(target.to_path_buf())
}

/// `path` with `.` and `..` resolved on its text; `None` if it climbs above `/`.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                if !out.pop() || out.as_os_str().is_empty() {
                    return None;
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_inside_are_kept_and_links_out_refused() {
        let root = Path::new("/class/alice");
        let p = |s: &str| Some(PathBuf::from(s));
        assert_eq!(
            link_inside(root, Path::new(""), Path::new("real.py")),
            p("real.py")
        );
        assert_eq!(
            link_inside(root, Path::new("sub"), Path::new("../real.py")),
            p("../real.py")
        );
        assert_eq!(
            link_inside(root, Path::new(""), Path::new("../bob/x.py")),
            None
        );
        assert_eq!(
            link_inside(root, Path::new(""), Path::new("sub/../../x")),
            None
        );
        assert_eq!(
            link_inside(root, Path::new(""), Path::new("/etc/passwd")),
            None
        );
        assert_eq!(
            link_inside(root, Path::new(""), Path::new("/proc/kmsg")),
            None
        );
        assert_eq!(
            link_inside(root, Path::new("a/b"), Path::new("/class/alice/lib/x.py")),
            p("../../lib/x.py")
        );
        assert_eq!(
            link_inside(root, Path::new(""), Path::new("/class/alice/../bob/x.py")),
            None
        );
        assert_eq!(
            link_inside(root, Path::new(""), Path::new("/class/alice")),
            p(".")
        );
    }

    #[test]
    fn normalizing_resolves_dots_and_refuses_climbing_above_the_root() {
        assert_eq!(
            normalize(Path::new("/a/./b/../c")),
            Some(PathBuf::from("/a/c"))
        );
        assert_eq!(normalize(Path::new("/..")), None);
    }
}
