//! Memory and process limits of a whole sandbox through cgroup v2, where
//! sockspec may make cgroups: one sub-cgroup of sockspec's own cgroup per
//! instance, with `memory.max` (no swap), `pids.max` and `memory.oom.group`.
//!
//! sockspec's own cgroup must be able to give its children the `memory` and
//! `pids` controllers: it is the root of a cgroup namespace (a container) or
//! otherwise has them in `cgroup.subtree_control` already or can enable them
//! (as root, with no process directly in it). Elsewhere — cgroup v1 machines,
//! unprivileged users, systemd sessions — the limits fall back to rlimits.

use super::Limits;
use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Where sockspec makes its instances' cgroups.
#[derive(Debug)]
pub(crate) struct Cgroups {
    base: PathBuf,
}

static CGROUPS: OnceLock<Result<Cgroups, String>> = OnceLock::new();

/// The cgroups sockspec may make, or why there are none (probed once).
pub(crate) fn cgroups() -> Result<&'static Cgroups, &'static str> {
    CGROUPS.get_or_init(probe).as_ref().map_err(|e| e.as_str())
}

fn probe() -> Result<Cgroups, String> {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo")
        .map_err(|e| format!("cannot read /proc/self/mountinfo: {e}"))?;
    let mount = cgroup2_mount(&mountinfo).ok_or("no cgroup v2 hierarchy is mounted")?;
    let own = std::fs::read_to_string("/proc/self/cgroup")
        .ok()
        .and_then(|text| own_cgroup(&text))
        .ok_or("sockspec is in no cgroup v2 group")?;
    let base = match own.trim_start_matches('/') {
        "" => mount,
        rel => mount.join(rel),
    };
    let controllers = std::fs::read_to_string(base.join("cgroup.controllers"))
        .map_err(|e| format!("cannot read {}: {e}", base.display()))?;
    for wanted in ["memory", "pids"] {
        if !controllers.split_whitespace().any(|c| c == wanted) {
            return Err(format!(
                "the cgroup v2 hierarchy at {} has no {wanted} controller here (it may be on cgroup v1)",
                base.display()
            ));
        }
    }
    let subtree = base.join("cgroup.subtree_control");
    let enabled = std::fs::read_to_string(&subtree).unwrap_or_default();
    let missing: Vec<String> = ["memory", "pids"]
        .iter()
        .filter(|c| !enabled.split_whitespace().any(|e| e == **c))
        .map(|c| format!("+{c}"))
        .collect();
    if !missing.is_empty() {
        std::fs::write(&subtree, missing.join(" ")).map_err(|e| {
            format!(
                "cannot enable memory and pids for sub-cgroups of {}: {e}",
                base.display()
            )
        })?;
    }
    let cgroups = Cgroups { base };
    // Prove it: make one and take it away.
    let probe = cgroups
        .create(&Limits::default())
        .map_err(|e| format!("cannot make a cgroup: {e}"))?;
    probe.remove();
    Ok(cgroups)
}

/// The mount point of the cgroup v2 hierarchy, from `/proc/self/mountinfo`.
fn cgroup2_mount(mountinfo: &str) -> Option<PathBuf> {
    mountinfo.lines().find_map(|line| {
        let (left, right) = line.split_once(" - ")?;
        let fstype = right.split_whitespace().next()?;
        let point = left.split_whitespace().nth(4)?;
        (fstype == "cgroup2").then(|| PathBuf::from(point))
    })
}

/// This process's cgroup v2 path, from `/proc/self/cgroup` (`0::/path`).
fn own_cgroup(proc_cgroup: &str) -> Option<String> {
    proc_cgroup
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .map(str::to_string)
}

/// One instance's cgroup.
#[derive(Debug)]
pub(crate) struct Cgroup {
    dir: PathBuf,
    procs: CString,
}

impl Cgroups {
    /// Makes a cgroup with `limits`.
    pub(crate) fn create(&self, limits: &Limits) -> io::Result<Cgroup> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "sockspec-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let dir = self.base.join(name);
        std::fs::create_dir(&dir)?;
        let procs = CString::new(dir.join("cgroup.procs").as_os_str().as_bytes())
            .map_err(io::Error::other)?;
        let cgroup = Cgroup { dir, procs };
        let set = |file: &str, value: String| std::fs::write(cgroup.dir.join(file), value);
        let result = set("memory.max", limits.memory_bytes.to_string())
            .and_then(|()| set("pids.max", limits.processes.to_string()));
        if let Err(e) = result {
            cgroup.remove();
            return Err(e);
        }
        // No swap instead of memory, and one OOM kills the whole sandbox;
        // kernels without swap accounting lack the first.
        let _ = set("memory.swap.max", "0".into());
        let _ = set("memory.oom.group", "1".into());
        Ok(cgroup)
    }
}

impl Cgroup {
    /// Its `cgroup.procs`, which a process joins by writing `0` to it.
    pub(crate) fn procs(&self) -> &CString {
        &self.procs
    }

    /// Kills everything in it and removes it.
    pub(crate) fn remove(&self) {
        let _ = std::fs::write(self.dir.join("cgroup.kill"), "1");
        let start = Instant::now();
        // rmdir succeeds once the last process in it is gone (reaped).
        while std::fs::remove_dir(&self.dir).is_err()
            && Path::new(&self.dir).exists()
            && start.elapsed() < Duration::from_secs(2)
        {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_cgroup2_mount_and_own_group() {
        let mountinfo = "\
30 1 0:26 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";
        assert_eq!(
            cgroup2_mount(mountinfo),
            Some(PathBuf::from("/sys/fs/cgroup/unified"))
        );
        assert_eq!(cgroup2_mount("30 1 0:26 / /x rw - ext4 /dev/vda rw"), None);
        assert_eq!(
            own_cgroup("4:memory:/a\n0::/user.slice/session-1.scope\n").as_deref(),
            Some("/user.slice/session-1.scope")
        );
        assert_eq!(own_cgroup("4:memory:/a\n"), None);
    }
}
