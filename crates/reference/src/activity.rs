//! What a reference target is doing, for sockspec's idle proofs. The
//! reference has no timers: once every task of it waits on a socket with
//! nothing to read (no bytes, no end of stream, no connection to accept), it
//! sends nothing more until sockspec does.

use std::collections::BTreeMap;
use std::future::Future;
use std::os::fd::{BorrowedFd, RawFd};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

/// The tasks of one running reference target. Clones share them.
#[derive(Clone, Default)]
pub struct Activity {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    /// Tasks not waiting in [`Task::wait`].
    busy: AtomicUsize,
    /// Bumped whenever a task starts or stops waiting.
    changes: AtomicU64,
    /// The socket each task waits on, by task.
    watched: Mutex<BTreeMap<u64, RawFd>>,
    next: AtomicU64,
}

impl Activity {
    /// A new task, busy until it waits in [`Task::wait`]; [`Task::watch`]
    /// names the socket it waits on. Make it before spawning the task's work:
    /// a target with no task is idle.
    pub fn task(&self) -> Task {
        let id = self.shared.next.fetch_add(1, SeqCst);
        self.shared.busy.fetch_add(1, SeqCst);
        self.shared.changes.fetch_add(1, SeqCst);
        Task {
            shared: self.shared.clone(),
            id,
            waiting: false,
        }
    }

    /// Whether the target is idle now: every task waits, none of their
    /// sockets has anything to read, and no task stirred while this looked.
    pub fn idle_now(&self) -> bool {
        let before = self.shared.changes.load(SeqCst);
        if self.shared.busy.load(SeqCst) != 0 {
            return false;
        }
        // Looked at under the lock: a task unregisters before its socket closes.
        let quiet = self.watched().values().all(|&fd| !readable(fd));
        quiet && self.shared.changes.load(SeqCst) == before
    }

    fn watched(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, RawFd>> {
        self.shared.watched()
    }
}

impl Shared {
    fn watched(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, RawFd>> {
        self.watched.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether a read (or accept) on `fd` would not block; true when that
/// cannot be told.
fn readable(fd: RawFd) -> bool {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    // SAFETY: `fd` is registered by a live task, which unregisters it (under
    // the lock held by the caller) before its socket is closed.
    let fd = unsafe { BorrowedFd::borrow_raw(fd) };
    let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
    !matches!(poll(&mut fds, PollTimeout::ZERO), Ok(0))
}

/// One task of a reference target.
pub struct Task {
    shared: Arc<Shared>,
    id: u64,
    waiting: bool,
}

impl Task {
    /// The first task of a target whose idleness nobody asks about.
    pub fn unwatched() -> Task {
        Activity::default().task()
    }

    /// Another task of the same target, busy until it waits.
    pub fn sibling(&self) -> Task {
        Activity {
            shared: self.shared.clone(),
        }
        .task()
    }

    /// Names the socket the task waits on from now on. Drop the task before
    /// closing `fd`.
    pub fn watch(&mut self, fd: RawFd) {
        self.shared.watched().insert(self.id, fd);
    }

    /// Runs `f` (a read, receive or accept), counting the task as waiting
    /// while `f` is pending. (Dropped unfinished, it leaves the task counted
    /// as waiting until its next wait: the reference never does that.)
    pub async fn wait<F: Future>(&mut self, f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        std::future::poll_fn(|cx| {
            if self.waiting {
                self.waiting = false;
                self.shared.busy.fetch_add(1, SeqCst);
                self.shared.changes.fetch_add(1, SeqCst);
            }
            let polled = f.as_mut().poll(cx);
            if polled.is_pending() {
                self.waiting = true;
                self.shared.changes.fetch_add(1, SeqCst);
                self.shared.busy.fetch_sub(1, SeqCst);
            }
            polled
        })
        .await
    }
}

impl Drop for Task {
    fn drop(&mut self) {
        self.shared.watched().remove(&self.id);
        if !self.waiting {
            self.shared.busy.fetch_sub(1, SeqCst);
        }
        self.shared.changes.fetch_add(1, SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Waits (at most 5 s) until `activity` is idle; whether it became so.
    async fn idle_soon(activity: &Activity) -> bool {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while !activity.idle_now() && tokio::time::Instant::now() < deadline {
            tokio::task::yield_now().await;
        }
        activity.idle_now()
    }

    #[tokio::test]
    async fn idle_only_while_every_task_waits_and_its_socket_has_no_input() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = tokio::net::TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        let activity = Activity::default();
        let mut task = activity.task();
        task.watch(server.as_raw_fd());
        // Made, not yet waiting: busy.
        assert!(!activity.idle_now());
        // It waits on something else than its socket, which the test reads.
        let (wake, woken) = tokio::sync::oneshot::channel::<()>();
        let waiter = tokio::spawn(async move {
            let _ = task.wait(woken).await;
            task
        });
        assert!(idle_soon(&activity).await);
        // Bytes on its socket: not idle, though the task did not stir.
        client.write_all(b"hi").await.unwrap();
        server.readable().await.unwrap();
        assert!(!activity.idle_now());
        let mut buf = [0u8; 2];
        server.read_exact(&mut buf).await.unwrap();
        assert!(activity.idle_now());
        // The end of the stream is input too (it stays readable: a task that
        // read it ends, and its socket is watched no more).
        client.shutdown().await.unwrap();
        server.readable().await.unwrap();
        assert!(!activity.idle_now());
        // Woken, it is busy until it waits again or ends.
        wake.send(()).unwrap();
        let mut task = waiter.await.unwrap();
        task.watch(client.as_raw_fd());
        assert!(!activity.idle_now());
        drop(task);
        assert!(activity.idle_now());
    }
}
