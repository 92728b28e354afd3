//! What every sandbox is given besides its copy: its `/etc/hosts`, and mount
//! points for the toolchains `bwrap` cannot reach itself. They are the same
//! for every instance, so they are made once and shared while any instance
//! holds them (made and removed for each instance, they were half the files
//! an instance made; making and removing those was a tenth of sockspec's own
//! CPU on ext4, which scans for recently freed inodes).

use super::jail::{chown_tree, hosts_file, identity};
use std::collections::HashMap;
use std::fs::Permissions;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

/// The shared folder: `hosts`, and `tool-N` mount points.
pub(crate) struct Stage {
    dir: tempfile::TempDir,
    hosts: Option<PathBuf>,
    /// Each toolchain's mount point, made on first use.
    points: Mutex<HashMap<PathBuf, PathBuf>>,
}

impl Stage {
    /// The stage the live instances share; a new one when none holds it.
    pub(crate) fn shared() -> io::Result<Arc<Stage>> {
        static SHARED: Mutex<Weak<Stage>> = Mutex::new(Weak::new());
        let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(stage) = shared.upgrade() {
            return Ok(stage);
        }
        let stage = Arc::new(Stage::make()?);
        *shared = Arc::downgrade(&stage);
        Ok(stage)
    }

    fn make() -> io::Result<Stage> {
        let dir = tempfile::Builder::new()
            .prefix("sockspec-sandbox-")
            .tempdir()?;
        let mut hosts = None;
        if Path::new("/etc/hosts").is_file() {
            let path = dir.path().join("hosts");
            std::fs::write(&path, hosts_file())?;
            std::fs::set_permissions(&path, Permissions::from_mode(0o644))?;
            hosts = Some(path);
        }
        if let Some((uid, gid)) = identity().drop_to {
            chown_tree(dir.path(), uid, gid)?;
        }
        Ok(Stage {
            dir,
            hosts,
            points: Mutex::new(HashMap::new()),
        })
    }

    /// The sandbox's `/etc/hosts`: the machine's, and its hostname on loopback.
    pub(crate) fn hosts(&self) -> Option<&Path> {
        self.hosts.as_deref()
    }

    /// The empty folder where `root` is bound (privately, for one `bwrap`)
    /// before `bwrap` shows it: the same folder for every instance, each
    /// binding in a mount namespace of its own.
    pub(crate) fn mount_point(&self, root: &Path) -> io::Result<PathBuf> {
        let mut points = self.points.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(point) = points.get(root) {
            return Ok(point.clone());
        }
        let point = self.dir.path().join(format!("tool-{}", points.len()));
        std::fs::create_dir(&point)?;
        if let Some((uid, gid)) = identity().drop_to {
            chown_tree(&point, uid, gid)?;
        }
        points.insert(root.to_path_buf(), point.clone());
        Ok(point)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instances_share_one_stage_with_one_mount_point_a_toolchain() {
        let first = Stage::shared().unwrap();
        let second = Stage::shared().unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        let point = first.mount_point(Path::new("/opt/tool")).unwrap();
        assert!(point.is_dir());
        assert_eq!(second.mount_point(Path::new("/opt/tool")).unwrap(), point);
        assert_ne!(second.mount_point(Path::new("/opt/other")).unwrap(), point);
    }

    #[test]
    fn a_stage_holds_the_hosts_file_and_is_gone_with_its_last_holder() {
        // Made apart from the shared one, which other tests may hold.
        let stage = Arc::new(Stage::make().unwrap());
        let hosts = std::fs::read_to_string(stage.hosts().unwrap()).unwrap();
        assert!(hosts.contains("\tsockspec\n"), "{hosts}");
        let point = stage.mount_point(Path::new("/opt/tool")).unwrap();
        let holder = Arc::clone(&stage);
        drop(stage);
        assert!(point.is_dir(), "removed while an instance holds it");
        drop(holder);
        assert!(!point.exists(), "the stage outlived its instances");
    }
}
