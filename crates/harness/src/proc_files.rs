//! `/proc` files and folders kept open for polling.
//!
//! sockspec looks at a target's threads every few milliseconds (is it idle,
//! has it accepted, has it bound). Opening `/proc/PID/task/TID/stat` walks
//! five path components and makes a new open file each time: in a class,
//! polling `/proc` was about a third of sockspec's own CPU, most of it in
//! opens and closes. A file kept open is
//! read again from its start (`pread` at 0: the kernel makes its text anew),
//! a folder kept open is listed again after a rewind.
//!
//! An open file stays bound to the process it was opened for: once that
//! process is gone, reading it fails, and the file is opened again by its
//! path (which may now name another process, as a fresh open would). At most
//! [`MAX_OPEN`] are kept; past that, all are closed and the count starts over.

use nix::dir::Dir;
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;
use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

/// How many files and folders are kept open at most.
pub const MAX_OPEN: usize = 128;

#[derive(Default)]
struct Kept {
    files: HashMap<String, Arc<File>>,
    folders: HashMap<String, Dir>,
}

impl Kept {
    /// Below [`MAX_OPEN`]: first by closing what belongs to processes that
    /// are gone, else by closing all.
    fn make_room(&mut self) {
        if self.len() < MAX_OPEN {
            return;
        }
        self.files
            .retain(|path, _| process_of(path).is_some_and(alive));
        self.folders
            .retain(|path, _| process_of(path).is_some_and(alive));
        if self.len() >= MAX_OPEN {
            self.files.clear();
            self.folders.clear();
        }
    }

    fn len(&self) -> usize {
        self.files.len() + self.folders.len()
    }
}

/// The pid in a `/proc/PID/...` path.
fn process_of(path: &str) -> Option<i32> {
    path.strip_prefix("/proc/")?.split('/').next()?.parse().ok()
}

/// Whether process `pid` exists (signal 0 checks without signalling).
fn alive(pid: i32) -> bool {
    let exists = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None);
    exists != Err(nix::errno::Errno::ESRCH)
}

fn kept() -> MutexGuard<'static, Kept> {
    static KEPT: LazyLock<Mutex<Kept>> = LazyLock::new(Mutex::default);
    KEPT.lock().unwrap_or_else(|e| e.into_inner())
}

/// The text of the `/proc` file at `path`, as `fs::read_to_string` gives it.
pub fn read(path: &str) -> io::Result<String> {
    let kept_file = kept().files.get(path).cloned();
    if let Some(file) = kept_file {
        match read_from_start(&file) {
            Ok(text) => return Ok(text),
            // Its process is gone: the path may name another one now.
            Err(_) => {
                kept().files.remove(path);
            }
        }
    }
    let file = Arc::new(File::open(path)?);
    let text = read_from_start(&file)?;
    let mut kept = kept();
    kept.make_room();
    kept.files.insert(path.to_string(), file);
    Ok(text)
}

/// Reads a file from its start. The kernel makes a `/proc` file's text a
/// line (record) at a time and gives as many whole ones as fit: a read that
/// left more than a record's room unused got them all, and the read that
/// would return 0 is spared.
fn read_from_start(file: &File) -> io::Result<String> {
    const CHUNK: usize = 16 * 1024;
    const RECORD_ROOM: usize = 4096;
    let mut text = Vec::with_capacity(512);
    let mut chunk = [0u8; CHUNK];
    loop {
        let n = file.read_at(&mut chunk, text.len() as u64)?;
        text.extend_from_slice(&chunk[..n]);
        if n == 0 || n < CHUNK - RECORD_ROOM {
            break;
        }
    }
    String::from_utf8(text).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// The numeric names in the `/proc` folder at `path` (pids, thread ids), in
/// the order listed; an error when the folder cannot be read.
pub fn numbers_in(path: &str) -> io::Result<Vec<u32>> {
    let mut kept = kept();
    if let Some(folder) = kept.folders.get_mut(path) {
        if let Ok(numbers) = list(folder) {
            return Ok(numbers);
        }
        kept.folders.remove(path);
    }
    kept.make_room();
    let mut folder = Dir::open(
        path,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )?;
    let numbers = list(&mut folder)?;
    kept.folders.insert(path.to_string(), folder);
    Ok(numbers)
}

/// Lists `folder` from its start (the iterator rewinds it when done).
fn list(folder: &mut Dir) -> io::Result<Vec<u32>> {
    let mut numbers = Vec::new();
    for entry in folder.iter() {
        let entry = entry?;
        if let Some(n) = entry.file_name().to_str().ok().and_then(|s| s.parse().ok()) {
            numbers.push(n);
        }
    }
    Ok(numbers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_file_reads_fresh_text_and_a_gone_process_reads_as_gone() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let stat = format!("/proc/{}/stat", child.id());
        let first = read(&stat).unwrap();
        assert!(first.contains("(sleep)"), "{first}");
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGSTOP).unwrap();
        // Stopped once waitpid says so; then read again through the kept file.
        let flags = nix::sys::wait::WaitPidFlag::WUNTRACED;
        let status = nix::sys::wait::waitpid(pid, Some(flags)).unwrap();
        assert!(
            matches!(status, nix::sys::wait::WaitStatus::Stopped(..)),
            "{status:?}"
        );
        let again = read(&stat).unwrap();
        let state = crate::procfs::stat_fields(&again).and_then(|mut f| f.next());
        assert_eq!(state, Some("T"), "the kept file showed the old state");
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(read(&stat).is_err(), "a reaped process still reads");
    }

    #[test]
    fn room_is_made_by_closing_the_files_of_gone_processes_first() {
        let mut kept = Kept::default();
        let me = std::process::id();
        let mut gone = std::process::Command::new("true").spawn().unwrap();
        let gone_pid = gone.id();
        gone.wait().unwrap();
        for i in 0..MAX_OPEN {
            let pid = if i == 0 { me } else { gone_pid };
            let file = File::open("/dev/null").unwrap();
            kept.files
                .insert(format!("/proc/{pid}/task/{i}/stat"), Arc::new(file));
        }
        kept.make_room();
        let left: Vec<&String> = kept.files.keys().collect();
        assert_eq!(left, vec![&format!("/proc/{me}/task/0/stat")]);
        assert_eq!(process_of("/proc/42/task/43/stat"), Some(42));
        assert_eq!(process_of("/tmp/x"), None);
    }

    #[test]
    fn a_kept_folder_lists_what_is_there_now() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_str().unwrap().to_string();
        assert_eq!(numbers_in(&path).unwrap(), Vec::<u32>::new());
        std::fs::write(dir.path().join("12"), "").unwrap();
        std::fs::write(dir.path().join("name"), "").unwrap();
        assert_eq!(numbers_in(&path).unwrap(), vec![12]);
        std::fs::write(dir.path().join("7"), "").unwrap();
        let mut both = numbers_in(&path).unwrap();
        both.sort();
        assert_eq!(both, vec![7, 12]);
        let threads = numbers_in(&format!("/proc/{}/task", std::process::id())).unwrap();
        assert!(threads.contains(&std::process::id()), "{threads:?}");
    }
}
