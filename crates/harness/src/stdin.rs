//! Feeding an input script to a target, one line at a time: the next line is
//! written once the previous one caused activity on the wire and the wire then
//! went quiet, or after a quiet window if nothing happened.

use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::process::ChildStdin;
use tokio::sync::{mpsc, watch};

/// How long a line may take to show on the wire before the next is written anyway.
pub const LINE_PATIENCE: Duration = Duration::from_secs(1);
/// How long the wire must stay quiet after a line's activity.
pub const SETTLE: Duration = Duration::from_millis(50);

/// Where the lines go.
pub enum StdinSink {
    /// An external program's stdin pipe.
    Pipe(ChildStdin),
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

/// Waits until the wire shows activity (up to [`LINE_PATIENCE`]) and then stays
/// quiet for [`SETTLE`].
pub async fn settle(activity: &mut watch::Receiver<u64>) {
    if tokio::time::timeout(LINE_PATIENCE, activity.changed())
        .await
        .is_err()
    {
        return;
    }
    while let Ok(Ok(())) = tokio::time::timeout(SETTLE, activity.changed()).await {}
}

/// Feeds `lines`, paced by `activity`; then closes stdin if `close` is set, or
/// keeps it open until the task is dropped.
pub async fn feed(
    mut sink: StdinSink,
    lines: Vec<String>,
    mut activity: watch::Receiver<u64>,
    close: bool,
) {
    for line in lines {
        activity.borrow_and_update();
        if !sink.write_line(&line).await {
            return;
        }
        settle(&mut activity).await;
    }
    if close {
        drop(sink);
    } else {
        std::future::pending::<()>().await;
    }
}
