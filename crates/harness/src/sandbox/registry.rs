//! Every live instance's sandbox and temporary folder, process-wide, so that
//! sockspec tears them all down when it is interrupted (SIGINT, SIGTERM, SIGHUP)
//! before it exits.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// Something that must be torn down before sockspec exits. Tearing down twice
/// does nothing the second time.
pub(crate) trait Teardown: Send + Sync {
    /// Kills what runs, removes what was made.
    fn teardown(&self);
}

struct Registry {
    next: u64,
    live: BTreeMap<u64, Arc<dyn Teardown>>,
    /// Set by [`cleanup_all`]: nothing new may start.
    closed: bool,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    next: 0,
    live: BTreeMap::new(),
    closed: false,
});

fn registry() -> MutexGuard<'static, Registry> {
    // A panic while holding the lock leaves the map usable.
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// sockspec is shutting down: nothing new is started.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("sockspec is shutting down")]
pub struct ShuttingDown;

/// A registered item; dropping it tears the item down and forgets it.
pub(crate) struct Registered {
    id: u64,
    item: Arc<dyn Teardown>,
}

impl Drop for Registered {
    fn drop(&mut self) {
        registry().live.remove(&self.id);
        self.item.teardown();
    }
}

/// Makes an item with `make` and registers it, atomically with respect to
/// [`cleanup_all`]: either the item is made and registered before the cleanup
/// (which then tears it down), or it is never made.
pub(crate) fn register_new<T, E>(
    make: impl FnOnce() -> Result<Arc<T>, E>,
) -> Result<Result<(Arc<T>, Registered), E>, ShuttingDown>
where
    T: Teardown + 'static,
{
    let mut reg = registry();
    if reg.closed {
        return Err(ShuttingDown);
    }
    let item = match make() {
        Ok(item) => item,
        Err(e) => return Ok(Err(e)),
    };
    let id = reg.next;
    reg.next += 1;
    let dyn_item: Arc<dyn Teardown> = item.clone();
    reg.live.insert(id, dyn_item.clone());
    Ok(Ok((item, Registered { id, item: dyn_item })))
}

/// Whether [`cleanup_all`] has run.
pub(crate) fn closed() -> bool {
    registry().closed
}

/// How many items are registered (for tests).
pub fn live_count() -> usize {
    registry().live.len()
}

/// Tears down every live sandbox and temporary folder (killing every process
/// they hold, waiting for them to end) and refuses new ones from now on. Call
/// it before exiting on a signal; [`until_interrupted`] does.
pub fn cleanup_all() {
    let items: Vec<Arc<dyn Teardown>> = {
        let mut reg = registry();
        reg.closed = true;
        std::mem::take(&mut reg.live).into_values().collect()
    };
    for item in items {
        item.teardown();
    }
}

/// Waits for SIGINT, SIGTERM or SIGHUP, then runs [`cleanup_all`] and returns
/// the signal's number (the caller exits with 128 + it). Never returns if the
/// signals cannot be watched.
pub async fn until_interrupted() -> i32 {
    use tokio::signal::unix::{SignalKind, signal};
    let watch = |kind: SignalKind| signal(kind).ok();
    let (Some(mut int), Some(mut term), Some(mut hup)) = (
        watch(SignalKind::interrupt()),
        watch(SignalKind::terminate()),
        watch(SignalKind::hangup()),
    ) else {
        return std::future::pending().await;
    };
    let number = tokio::select! {
        _ = int.recv() => libc_signal::SIGINT,
        _ = term.recv() => libc_signal::SIGTERM,
        _ = hup.recv() => libc_signal::SIGHUP,
    };
    // Teardown waits (briefly) for processes to end: off the async threads.
    let _ = tokio::task::spawn_blocking(cleanup_all).await;
    number
}

mod libc_signal {
    pub(super) const SIGINT: i32 = nix::libc::SIGINT;
    pub(super) const SIGTERM: i32 = nix::libc::SIGTERM;
    pub(super) const SIGHUP: i32 = nix::libc::SIGHUP;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counter(AtomicUsize);
    impl Teardown for Counter {
        fn teardown(&self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn dropping_a_registration_tears_down_once() {
        let (item, reg) = register_new(|| Ok::<_, ()>(Arc::new(Counter(AtomicUsize::new(0)))))
            .unwrap()
            .unwrap();
        drop(reg);
        assert_eq!(item.0.load(Ordering::SeqCst), 1);
    }
}
