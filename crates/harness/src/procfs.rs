//! What a running target is doing, read from `/proc`: its processes, the sockets
//! holds (the inodes `sockdiag` matches with bound sockets) and its CPU time.

use crate::proc_files;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use sockspec_results::Transport;
use std::collections::HashSet;
use std::fs;
use std::net::SocketAddr;
use std::time::Duration;

/// A socket a target bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoundSocket {
    /// TCP or UDP.
    pub transport: Transport,
    /// The address it is bound to.
    pub local: SocketAddr,
    /// Whether it is a listening TCP socket (always false for UDP).
    pub listening: bool,
}

/// The fields of a `/proc/.../stat` line after the command name (which is in
/// parentheses and may itself hold spaces and parentheses): the state letter
/// first, then the parent's pid, and so on.
pub fn stat_fields(stat: &str) -> Option<std::str::SplitWhitespace<'_>> {
    Some(stat.get(stat.rfind(')')? + 2..)?.split_whitespace())
}

/// The state letter (`R`, `S`, `D`, `Z`, `T`, ...) of the process or thread
/// whose `/proc` folder is `dir`; `None` when it is gone.
pub fn state_in(dir: &std::path::Path) -> Option<char> {
    let stat = proc_files::read(&format!("{}/stat", dir.display())).ok()?;
    stat_fields(&stat)?.next()?.chars().next()
}

/// Whether process `pid` is gone or a zombie (its descriptors are closed).
pub fn ended(pid: u32) -> bool {
    matches!(
        state_in(std::path::Path::new(&format!("/proc/{pid}"))),
        None | Some('Z' | 'X')
    )
}

/// Whether every thread of `pid`'s process tree is waiting (none running,
/// runnable or in uninterruptible sleep).
pub fn all_threads_waiting(pid: u32) -> bool {
    process_tree(pid).iter().all(|p| {
        let Ok(tasks) = proc_files::numbers_in(&format!("/proc/{p}/task")) else {
            return true;
        };
        tasks.iter().all(|tid| {
            let task = format!("/proc/{p}/task/{tid}");
            !matches!(state_in(std::path::Path::new(&task)), Some('R' | 'D'))
        })
    })
}

/// Whether every process of the tree is stopped (`T`: SIGSTOP, or `t`:
/// traced), read from `/proc/PID/stat`; the sandbox's own processes (bwrap,
/// the PID namespace's keeper) do not count. False when none can be read.
pub fn all_stopped(pids: &[u32]) -> bool {
    let states: Vec<char> = pids
        .iter()
        .filter_map(|pid| proc_files::read(&format!("/proc/{pid}/stat")).ok())
        .filter(|stat| !(stat.contains("(bwrap)") || stat.contains("(unshare)")))
        .filter_map(|stat| stat_fields(&stat)?.next()?.chars().next())
        .collect();
    !states.is_empty() && states.iter().all(|s| matches!(s, 'T' | 't'))
}

/// `pid` and all its descendants, following `/proc/PID/task/*/children`.
pub fn process_tree(pid: u32) -> Vec<u32> {
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        let p = tree[i];
        tree.extend(children(p));
        i += 1;
    }
    tree.dedup();
    tree
}

/// The parent of `pid`, from `/proc/PID/stat`.
pub fn parent(pid: u32) -> Option<u32> {
    let stat = proc_files::read(&format!("/proc/{pid}/stat")).ok()?;
    stat_fields(&stat)?.nth(1)?.parse().ok()
}

/// The children of `pid` (of any of its threads).
pub fn children(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    if let Ok(tasks) = proc_files::numbers_in(&format!("/proc/{pid}/task")) {
        for tid in tasks {
            let list =
                proc_files::read(&format!("/proc/{pid}/task/{tid}/children")).unwrap_or_default();
            found.extend(
                list.split_whitespace()
                    .filter_map(|c| c.parse::<u32>().ok()),
            );
        }
    }
    found
}

/// The inodes of every socket the processes hold open.
pub fn socket_inodes(pids: &[u32]) -> HashSet<u64> {
    let mut inodes = HashSet::new();
    for pid in pids {
        let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if let Ok(link) = fs::read_link(fd.path()) {
                let link = link.to_string_lossy();
                if let Some(inode) = link
                    .strip_prefix("socket:[")
                    .and_then(|s| s.strip_suffix(']'))
                    .and_then(|s| s.parse().ok())
                {
                    inodes.insert(inode);
                }
            }
        }
    }
    inodes
}

/// CPU time (user + system) used so far by the processes.
pub fn cpu_time(pids: &[u32]) -> Duration {
    let ticks_per_second = 100; // USER_HZ, fixed by the kernel's ABI
    let ticks: u64 = pids
        .iter()
        .filter_map(|pid| proc_files::read(&format!("/proc/{pid}/stat")).ok())
        .filter_map(|stat| {
            let fields: Vec<&str> = stat_fields(&stat)?.collect();
            // utime and stime are fields 14 and 15 of stat, 12 and 13 here.
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .sum();
    Duration::from_millis(ticks * 1000 / ticks_per_second)
}

/// How long the threads of `pids` were busy: running, or runnable and waiting
/// for a CPU (`/proc/PID/task/TID/schedstat`). Unlike CPU time, this does not
/// shrink when other programs load the machine: a busy loop is busy for the
/// whole window however little CPU it gets, a program blocked in `recv()` not at all.
pub fn busy_time(pids: &[u32]) -> Duration {
    let nanos: u64 = pids
        .iter()
        .flat_map(|pid| {
            let tasks = proc_files::numbers_in(&format!("/proc/{pid}/task")).unwrap_or_default();
            tasks.into_iter().map(move |tid| (pid, tid))
        })
        .filter_map(|(pid, tid)| {
            proc_files::read(&format!("/proc/{pid}/task/{tid}/schedstat")).ok()
        })
        .filter_map(|stat| {
            let mut fields = stat.split_whitespace().map(str::parse::<u64>);
            Some(fields.next()?.ok()? + fields.next()?.ok()?)
        })
        .sum();
    Duration::from_nanos(nanos)
}

/// Kills every process whose network namespace has inode `ns_inode`.
pub fn kill_namespace(ns_inode: u64) {
    let wanted = format!("net:[{ns_inode}]");
    let Ok(procs) = fs::read_dir("/proc") else {
        return;
    };
    for entry in procs.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<i32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() as i32 {
            continue;
        }
        let in_sandbox = fs::read_link(entry.path().join("ns/net"))
            .map(|l| l.to_string_lossy() == wanted)
            .unwrap_or(false);
        if in_sandbox {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
    }
}

/// Kills `pid` and its descendants.
pub fn kill_tree(pid: u32) {
    for p in process_tree(pid).into_iter().rev() {
        let _ = kill(Pid::from_raw(p as i32), Signal::SIGKILL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_start_after_a_name_with_spaces_and_parentheses() {
        let stat = "42 (a) b (c)) S 7 42 42 0";
        let mut fields = stat_fields(stat).unwrap();
        assert_eq!(fields.next(), Some("S"));
        assert_eq!(fields.next(), Some("7"));
        assert!(!ended(std::process::id()), "this test's own process runs");
    }

    #[test]
    fn knows_a_processs_parent() {
        assert_eq!(
            parent(std::process::id()),
            Some(nix::unistd::getppid().as_raw() as u32)
        );
    }

    #[test]
    fn counts_cpu_time_of_a_busy_process() {
        // Spins until the kernel counts 50 ms of CPU (bounded: on a loaded
        // machine the wall-clock time this takes varies, the count does not).
        let start = std::time::Instant::now();
        let before = cpu_time(&[std::process::id()]);
        let mut x = 0u64;
        while cpu_time(&[std::process::id()]) < before + Duration::from_millis(50)
            && start.elapsed() < Duration::from_secs(20)
        {
            for _ in 0..100_000 {
                x = x.wrapping_add(std::hint::black_box(1));
            }
        }
        assert!(x > 0);
        assert!(cpu_time(&[std::process::id()]) >= before + Duration::from_millis(50));
    }
}

#[cfg(test)]
mod busy_tests {
    use super::*;

    #[test]
    fn a_busy_loop_is_busy_and_a_sleeper_is_not() {
        let mut spinner = std::process::Command::new("sh")
            .args(["-c", "while :; do :; done"])
            .spawn()
            .expect("sh");
        let mut sleeper = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .expect("sleep");
        let (s0, z0) = (busy_time(&[spinner.id()]), busy_time(&[sleeper.id()]));
        std::thread::sleep(Duration::from_millis(300));
        let (s1, z1) = (busy_time(&[spinner.id()]), busy_time(&[sleeper.id()]));
        let _ = spinner.kill();
        let _ = sleeper.kill();
        let _ = spinner.wait();
        let _ = sleeper.wait();
        assert!(
            s1 - s0 > Duration::from_millis(200),
            "spinner busy {:?}",
            s1 - s0
        );
        assert!(
            z1 - z0 < Duration::from_millis(20),
            "sleeper busy {:?}",
            z1 - z0
        );
    }
}
