//! Feeding an input script to a target, one line at a time: the next line is
//! written once the previous one caused activity on the wire and the wire then
//! went quiet, or after a quiet window if nothing happened.

use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::unix::pipe;
use tokio::sync::{mpsc, watch};

/// How long a line may take to show on the wire before the next is written anyway.
pub const LINE_PATIENCE: Duration = Duration::from_secs(1);
/// How long a program may take to settle into waiting before its first line
/// is written anyway (one that never settles, e.g. one that floods).
pub const READY_PATIENCE: Duration = Duration::from_millis(500);
/// The longest the wire must stay quiet after a line's activity.
pub const SETTLE: Duration = Duration::from_millis(50);
/// How many times its slowest line-to-wire time the wire must stay quiet
/// after a line's activity (within [`crate::latency::MIN_QUIET`]..=[`SETTLE`]).
const SETTLE_PER_LATENCY: u32 = 10;

/// Where the lines go.
pub enum StdinSink {
    /// An external program's stdin pipe.
    Pipe(pipe::Sender),
    /// An in-process target's line channel.
    Channel(mpsc::Sender<String>),
}

impl StdinSink {
    async fn write_line(&mut self, line: &str) -> bool {
        match self {
            StdinSink::Pipe(pipe) => {
                let mut bytes = line.as_bytes().to_vec();
                bytes.push(b'\n');
                pipe.write_all(&bytes).await.is_ok() && pipe.flush().await.is_ok()
            }
            StdinSink::Channel(tx) => tx.send(line.to_string()).await.is_ok(),
        }
    }
}

/// The slowest a program was to show a line on the wire: the quiet window
/// after each line follows it, as reply windows follow a server's latency.
#[derive(Debug, Default)]
struct LineLatency {
    worst: Option<Duration>,
}

impl LineLatency {
    /// How long the wire must stay quiet after a line's activity: ten times
    /// the slowest line-to-wire time, within `MIN_QUIET`..=[`SETTLE`]
    /// ([`SETTLE`] before any was measured).
    fn quiet(&self) -> Duration {
        self.worst.map_or(SETTLE, |w| {
            (w * SETTLE_PER_LATENCY).clamp(crate::latency::MIN_QUIET, SETTLE)
        })
    }
}

/// Waits until the wire shows activity (up to [`LINE_PATIENCE`]) and then stays
/// quiet for the window `latency` gives, or until [`LINE_PATIENCE`] more went
/// by (a program that floods the wire never lets it go quiet); `latency`
/// learns how long the line took to show.
async fn settle(activity: &mut watch::Receiver<u64>, latency: &mut LineLatency) {
    let written = tokio::time::Instant::now();
    if tokio::time::timeout(LINE_PATIENCE, activity.changed())
        .await
        .is_err()
    {
        return;
    }
    let shown = written.elapsed();
    latency.worst = Some(latency.worst.map_or(shown, |w| w.max(shown)));
    let window = latency.quiet();
    let quiet =
        async { while let Ok(Ok(())) = tokio::time::timeout(window, activity.changed()).await {} };
    let _ = tokio::time::timeout(LINE_PATIENCE, quiet).await;
}

/// How far the input script got, and whether the program read it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StdinProgress {
    /// Lines written to the program's stdin so far and settled (their
    /// activity on the wire, if any, over): `unread` tells of these.
    pub written: usize,
    /// Lines written to the program's stdin so far, settled or not.
    pub typed: usize,
    /// Lines in the script.
    pub total: usize,
    /// Bytes written that the program had not read from the pipe when last
    /// looked at (after each line settled); `None` where it cannot be known
    /// (an in-process target, or the pipe is gone).
    pub unread: Option<usize>,
    /// Whether the whole script was written.
    pub done: bool,
}

impl StdinProgress {
    /// Whether the program never read from its stdin, as far as the pipe shows:
    /// every byte written is still in the pipe.
    pub fn never_read(&self, written_bytes: usize) -> bool {
        self.written > 0 && self.unread == Some(written_bytes)
    }

    /// Whether the program ignored its input script `lines`: it never read
    /// what was written of it, or it ended (`ended`) before a line could be
    /// typed (a line typed but not yet settled may have been read). Such a
    /// program sends messages of its own.
    pub fn ignored(&self, lines: &[String], ended: bool) -> bool {
        let written: usize = lines.iter().take(self.written).map(|l| l.len() + 1).sum();
        self.never_read(written) || (self.typed == 0 && self.total > 0 && ended)
    }
}

/// Bytes in a pipe not yet read by its reader (`FIONREAD`).
fn unread_bytes(pipe: &pipe::Sender) -> Option<usize> {
    use std::os::fd::AsRawFd;
    nix::ioctl_read_bad!(fionread, nix::libc::FIONREAD, nix::libc::c_int);
    let mut n: nix::libc::c_int = 0;
    // SAFETY: FIONREAD writes one int through the pointer, which points at `n`;
    // the descriptor is the open write end of the program's stdin pipe, and
    // Linux answers FIONREAD on either end with the bytes the pipe holds.
    let result = unsafe { fionread(pipe.as_raw_fd(), &mut n) };
    result.ok().and_then(|_| usize::try_from(n).ok())
}

/// Feeds `lines`, paced by `activity`; then closes stdin if `close` is set, or
/// keeps it open until the task is dropped.
pub async fn feed(
    sink: StdinSink,
    lines: Vec<String>,
    activity: watch::Receiver<u64>,
    close: bool,
) {
    let (progress, _) = watch::channel(StdinProgress::default());
    feed_reporting(sink, lines, activity, close, progress).await;
}

/// [`feed`], telling `progress` how far it got and what the program read.
pub async fn feed_reporting(
    mut sink: StdinSink,
    lines: Vec<String>,
    mut activity: watch::Receiver<u64>,
    close: bool,
    progress: watch::Sender<StdinProgress>,
) {
    let total = lines.len();
    let mut state = StdinProgress {
        total,
        ..StdinProgress::default()
    };
    progress.send_replace(state);
    let mut latency = LineLatency::default();
    for line in lines {
        activity.borrow_and_update();
        if !sink.write_line(&line).await {
            return;
        }
        state.typed += 1;
        progress.send_replace(state);
        settle(&mut activity, &mut latency).await;
        state.written += 1;
        state.unread = match &sink {
            StdinSink::Pipe(pipe) => unread_bytes(pipe),
            StdinSink::Channel(_) => None,
        };
        progress.send_replace(state);
    }
    state.done = true;
    progress.send_replace(state);
    if close {
        drop(sink);
    } else {
        std::future::pending::<()>().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds two lines to `program` and returns the progress after them.
    async fn fed(program: &[&str]) -> StdinProgress {
        let mut child = crate::spawn::Launch::new(program[0])
            .args(&program[1..])
            .spawn()
            .expect("spawns");
        let pipe = child.stdin.take().expect("piped");
        let (activity_tx, activity) = watch::channel(0u64);
        let (progress, mut seen) = watch::channel(StdinProgress::default());
        // Wire activity right after each line, so pacing does not wait its patience.
        let ticker = tokio::spawn(async move {
            for i in 1..=2u64 {
                tokio::time::sleep(Duration::from_millis(20)).await;
                let _ = activity_tx.send(i);
            }
            std::future::pending::<()>().await
        });
        let lines = vec!["hello".to_string(), "quit".to_string()];
        let feeder = tokio::spawn(feed_reporting(
            StdinSink::Pipe(pipe),
            lines,
            activity,
            false,
            progress,
        ));
        let done = seen
            .wait_for(|p| p.done)
            .await
            .map(|p| *p)
            .expect("progress");
        feeder.abort();
        ticker.abort();
        done
    }

    #[test]
    fn the_quiet_after_a_line_follows_its_slowest_line_within_bounds() {
        let mut latency = LineLatency::default();
        assert_eq!(latency.quiet(), SETTLE);
        latency.worst = Some(Duration::from_micros(200));
        assert_eq!(latency.quiet(), crate::latency::MIN_QUIET);
        latency.worst = Some(Duration::from_millis(3));
        assert_eq!(latency.quiet(), Duration::from_millis(30));
        latency.worst = Some(Duration::from_millis(40));
        assert_eq!(latency.quiet(), SETTLE);
    }

    #[tokio::test]
    async fn the_pipe_tells_a_program_that_reads_from_one_that_does_not() {
        let reader = fed(&["cat"]).await;
        assert_eq!(reader.unread, Some(0));
        assert!(!reader.never_read("hello\nquit\n".len()));
        let ignorer = fed(&["sleep", "5"]).await;
        assert_eq!(ignorer.unread, Some("hello\nquit\n".len()));
        assert!(ignorer.never_read("hello\nquit\n".len()));
    }
}
