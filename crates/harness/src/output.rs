//! A target's stdout and stderr, captured as bytes with a cap, so a flooding
//! target cannot exhaust sockspec's memory.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};
use tokio::sync::watch;

/// Bytes kept per stream; beyond it, the oldest half is dropped (the tail is
/// what shows a traceback).
pub const KEEP_BYTES: usize = 256 * 1024;

/// One captured stream.
#[derive(Debug, Default, Clone)]
pub struct Captured {
    /// The bytes kept (the last [`KEEP_BYTES`] at most).
    pub bytes: Vec<u8>,
    /// Every byte the target wrote, kept or not.
    pub total: u64,
}

impl Captured {
    fn append(&mut self, data: &[u8]) {
        self.total += data.len() as u64;
        self.bytes.extend_from_slice(data);
        if self.bytes.len() > KEEP_BYTES {
            let drop = self.bytes.len() - KEEP_BYTES / 2;
            self.bytes.drain(..drop);
        }
    }

    /// Whether bytes were dropped.
    pub fn truncated(&self) -> bool {
        self.total > self.bytes.len() as u64
    }

    /// The last `lines` lines, lossily decoded.
    pub fn tail_lines(&self, lines: usize) -> String {
        let text = String::from_utf8_lossy(&self.bytes);
        let all: Vec<&str> = text.lines().collect();
        let start = all.len().saturating_sub(lines);
        all[start..].join("\n")
    }
}

/// Which stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

#[derive(Default)]
struct Streams {
    stdout: Captured,
    stderr: Captured,
}

/// The captured output of one instance; cheap to clone.
#[derive(Clone)]
pub struct Output {
    streams: Arc<Mutex<Streams>>,
    changed: watch::Sender<u64>,
}

impl Default for Output {
    fn default() -> Self {
        Output {
            streams: Arc::default(),
            changed: watch::channel(0).0,
        }
    }
}

impl Output {
    /// Appends bytes the target wrote to `stream`.
    pub fn append(&self, stream: Stream, data: &[u8]) {
        {
            let mut s = self.streams.lock().expect("output lock poisoned");
            match stream {
                Stream::Stdout => s.stdout.append(data),
                Stream::Stderr => s.stderr.append(data),
            }
        }
        self.changed.send_modify(|n| *n += 1);
    }

    /// A copy of one stream as captured so far.
    pub fn get(&self, stream: Stream) -> Captured {
        let s = self.streams.lock().expect("output lock poisoned");
        match stream {
            Stream::Stdout => s.stdout.clone(),
            Stream::Stderr => s.stderr.clone(),
        }
    }

    /// A receiver that changes whenever output arrives.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Copies everything from `reader` into `stream` until EOF.
    pub async fn drain<R: AsyncRead + Unpin>(self, stream: Stream, mut reader: R) {
        let mut buf = vec![0u8; 16 * 1024];
        while let Ok(n) = reader.read(&mut buf).await {
            if n == 0 {
                break;
            }
            self.append(stream, &buf[..n]);
        }
    }

    /// A writer into `stream`, for in-process targets.
    pub fn writer(&self, stream: Stream) -> OutputWriter {
        OutputWriter {
            output: self.clone(),
            stream,
        }
    }
}

/// An [`AsyncWrite`] that appends to a captured stream.
pub struct OutputWriter {
    output: Output,
    stream: Stream,
}

impl AsyncWrite for OutputWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.output.append(self.stream, buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_tail_of_a_flood_and_counts_everything() {
        let out = Output::default();
        for _ in 0..100 {
            out.append(Stream::Stdout, &[b'x'; 10_000]);
        }
        out.append(Stream::Stdout, b"\nTraceback: boom\n");
        let c = out.get(Stream::Stdout);
        assert_eq!(c.total, 1_000_017);
        assert!(c.bytes.len() <= KEEP_BYTES);
        assert!(c.truncated());
        assert_eq!(c.tail_lines(1), "Traceback: boom");
    }
}
