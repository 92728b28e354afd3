//! A TCP endpoint of sockspec's that records everything it sends and receives,
//! tells EOF from reset, and can see when the target has read what it sent.

use crate::idle::IdleWatch;
use crate::net::Net;
use crate::recorder::Recorder;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How many bytes one connection takes from the target before sockspec
/// stops reading it (a check needs a few MiB at most): a target that floods
/// costs bounded time and memory, and what it sent so far is judged.
pub const MAX_RECEIVED: u64 = 16 << 20;

/// What one read gave.
#[derive(Debug)]
pub enum Read {
    /// Bytes.
    Data(Vec<u8>),
    /// An orderly end: the target closed its side (FIN).
    Eof,
    /// The target reset the connection (RST).
    Reset,
    /// Nothing within the limit.
    Timeout,
}

/// How a stretch of reading ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The connection is still open.
    Open,
    /// The target closed its side (orderly EOF).
    Eof,
    /// The target reset the connection.
    Reset,
}

impl Ending {
    /// Words for a diagnosis.
    pub fn describe(self) -> &'static str {
        match self {
            Ending::Open => "the connection stayed open",
            Ending::Eof => "the server closed the connection (EOF)",
            Ending::Reset => "the connection was reset (RST)",
        }
    }
}

/// One of sockspec's TCP connections, named in transcripts by its label.
pub struct TcpPeer {
    stream: TcpStream,
    label: String,
    recorder: Recorder,
    net: Net,
    local: SocketAddr,
    peer: SocketAddr,
    idle: Option<IdleWatch>,
    /// Bytes sockspec has written on the connection.
    written: u64,
    /// Bytes sockspec has read from it (up to about [`MAX_RECEIVED`]).
    received: u64,
    /// sockspec's end as the target's socket sees it: `local`, or where a
    /// redirected client meant to connect (its socket's remote address).
    local_as_seen: SocketAddr,
}

impl TcpPeer {
    /// Connects to the target at `to` from `net`.
    pub async fn connect(
        net: &Net,
        to: SocketAddr,
        label: &str,
        recorder: Recorder,
    ) -> io::Result<TcpPeer> {
        match net.tcp_connect(to).await {
            Ok(stream) => {
                let peer = TcpPeer::accepted(stream, net, label, recorder)?;
                peer.recorder
                    .note(label, format!("connected to {to} from {}", peer.local));
                Ok(peer)
            }
            Err(e) => {
                recorder.note(label, format!("connect to {to} failed: {e}"));
                Err(e)
            }
        }
    }

    /// Wraps a connection the target made to sockspec.
    pub fn accepted(
        stream: TcpStream,
        net: &Net,
        label: &str,
        recorder: Recorder,
    ) -> io::Result<TcpPeer> {
        stream.set_nodelay(true)?;
        let _ = socket2::SockRef::from(&stream).set_tcp_quickack(true);
        let local = stream.local_addr()?;
        Ok(TcpPeer {
            local,
            local_as_seen: local,
            peer: stream.peer_addr()?,
            stream,
            label: label.to_string(),
            recorder,
            net: net.clone(),
            idle: None,
            written: 0,
            received: 0,
        })
    }

    /// Ends reads early once `idle` proves the target has nothing more to
    /// do until sockspec acts (see [`crate::idle`]): a read that would wait
    /// its whole limit for bytes that cannot come returns
    /// [`Read::Timeout`] at once instead.
    pub fn watch_idle(&mut self, idle: Option<IdleWatch>) {
        self.idle = idle;
    }

    /// Records where the target's socket thinks it is connected: the
    /// address a redirected client meant (its kernel knows no other), so
    /// what sockspec asks the kernel about the target's end finds it.
    pub fn seen_by_target_as(&mut self, meant: SocketAddr) {
        self.local_as_seen = meant;
    }

    /// sockspec's end of the connection.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The target's end.
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    /// Writes all of `bytes`.
    pub async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes).await?;
        self.written += bytes.len() as u64;
        self.recorder.sent(&self.label, Some(self.peer), bytes);
        Ok(())
    }

    /// Acknowledges what arrives at once (`TCP_QUICKACK`, which the kernel
    /// clears again by itself): a target's small write that Nagle's algorithm
    /// holds until its last one is acknowledged then goes out when it is due,
    /// not after sockspec's delayed acknowledgement (40 ms or more). The bytes
    /// and their order are the same; only the wait goes.
    fn ack_at_once(&self) {
        let _ = socket2::SockRef::from(&self.stream).set_tcp_quickack(true);
    }

    /// One read, waiting up to `limit`, or until the target is proven idle
    /// (then whatever it sent before is still read).
    pub async fn read_some(&mut self, limit: Duration) -> io::Result<Read> {
        if self.received >= MAX_RECEIVED {
            return Ok(Read::Timeout);
        }
        let mut buf = vec![0u8; 64 * 1024];
        let read = tokio::time::timeout(limit, self.stream.read(&mut buf));
        let outcome = match &self.idle {
            Some(idle) if limit > idle.window() * 2 => {
                let start = Instant::now();
                let (net, theirs, ours, written) =
                    (&self.net, self.peer, self.local_as_seen, self.written);
                tokio::select! {
                    r = read => r.ok(),
                    () = idle.proven(limit, || settled(net, theirs, ours, written)) => {
                        let quiet = start.elapsed();
                        match self.stream.try_read(&mut buf) {
                            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                                if limit >= NOTED_WAIT {
                                    self.recorder.note(&self.label, idle_note(quiet));
                                }
                                None
                            }
                            other => Some(other),
                        }
                    }
                }
            }
            _ => read.await.ok(),
        };
        match outcome {
            None => Ok(Read::Timeout),
            Some(Ok(0)) => {
                self.recorder
                    .note(&self.label, "EOF: the target closed its side");
                Ok(Read::Eof)
            }
            Some(Ok(n)) => {
                buf.truncate(n);
                self.recorder.received(&self.label, Some(self.peer), &buf);
                self.received += n as u64;
                if self.received >= MAX_RECEIVED {
                    self.recorder.note(
                        &self.label,
                        format!(
                            "the target sent {} MiB: sockspec stops reading",
                            MAX_RECEIVED >> 20
                        ),
                    );
                }
                self.ack_at_once();
                Ok(Read::Data(buf))
            }
            Some(Err(e)) if e.kind() == io::ErrorKind::ConnectionReset => {
                self.recorder
                    .note(&self.label, "RST: the connection was reset");
                Ok(Read::Reset)
            }
            Some(Err(e)) => Err(e),
        }
    }

    /// Reads until `want` bytes arrived (then, if `quiet` is set, until nothing
    /// more came for that long), or the connection ended, or no byte came for
    /// `first` (before any) or `gap` (after some); never longer than `first`
    /// and `gap` together (then [`Ending::Open`]: a target that trickles
    /// bytes without end does not hold the read up).
    pub async fn read_until(
        &mut self,
        want: usize,
        first: Duration,
        gap: Duration,
        quiet: Option<Duration>,
    ) -> io::Result<(Vec<u8>, Ending)> {
        let mut got = Vec::new();
        let deadline = Instant::now() + first + gap;
        loop {
            let limit = match (got.len() >= want, quiet) {
                (true, Some(q)) => q,
                (true, None) => return Ok((got, Ending::Open)),
                (false, _) if got.is_empty() => first,
                (false, _) => gap,
            };
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok((got, Ending::Open));
            }
            let limit = limit.min(left);
            match self.read_some(limit).await? {
                Read::Data(d) => got.extend_from_slice(&d),
                Read::Eof => return Ok((got, Ending::Eof)),
                Read::Reset => return Ok((got, Ending::Reset)),
                Read::Timeout => return Ok((got, Ending::Open)),
            }
        }
    }

    /// A test of whether nothing is in flight on this connection (see
    /// [`settled`]), usable while the connection is being read.
    pub fn sent_all_probe(&self) -> impl Fn() -> bool + Send + Sync + 'static {
        let (net, theirs, ours) = (self.net.clone(), self.peer, self.local_as_seen);
        let written = self.written;
        move || settled(&net, theirs, ours, written)
    }

    /// Closes sockspec's sending side (`shutdown(SHUT_WR)`): the target reads EOF.
    pub async fn shutdown_write(&mut self) -> io::Result<()> {
        self.stream.shutdown().await?;
        self.recorder
            .note(&self.label, "sockspec closed its sending side (FIN)");
        Ok(())
    }

    /// Aborts the connection with a reset (`SO_LINGER` 0, then close).
    pub fn reset(self) -> io::Result<()> {
        socket2::SockRef::from(&self.stream).set_linger(Some(Duration::ZERO))?;
        self.recorder
            .note(&self.label, "sockspec reset the connection (RST)");
        drop(self.stream);
        Ok(())
    }

    /// Closes the connection (FIN) and records it.
    pub fn close(self) {
        self.recorder
            .note(&self.label, "sockspec closed the connection");
    }

    /// Writes `payload` while reading the reply at the same time (so neither
    /// side blocks the other), until `payload.len()` bytes came back, the
    /// connection ended, or nothing came for `gap`.
    pub async fn round_trip(
        &mut self,
        payload: &[u8],
        gap: Duration,
    ) -> io::Result<(Vec<u8>, Ending)> {
        let (mut rd, mut wr) = self.stream.split();
        let write = async {
            wr.write_all(payload).await?;
            Ok::<(), io::Error>(())
        };
        let read = async {
            let mut got = Vec::with_capacity(payload.len());
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                if got.len() >= payload.len() {
                    return Ok((got, Ending::Open));
                }
                match tokio::time::timeout(gap, rd.read(&mut buf)).await {
                    Err(_) => return Ok((got, Ending::Open)),
                    Ok(Ok(0)) => return Ok((got, Ending::Eof)),
                    Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
                    Ok(Err(e)) if e.kind() == io::ErrorKind::ConnectionReset => {
                        return Ok((got, Ending::Reset));
                    }
                    Ok(Err(e)) => return Err(e),
                }
            }
        };
        let (written, read) = tokio::join!(write, read);
        if written.is_ok() {
            self.written += payload.len() as u64;
        }
        let (got, ending) = read?;
        if let Err(e) = written
            && ending == Ending::Open
        {
            return Err(e);
        }
        self.recorder.sent(&self.label, Some(self.peer), payload);
        self.recorder.received(&self.label, Some(self.peer), &got);
        if ending != Ending::Open {
            self.recorder.note(&self.label, ending.describe());
        }
        Ok((got, ending))
    }

    /// Waits until the target has read everything sockspec sent: its socket
    /// has received every byte sockspec wrote (loopback may deliver a write a
    /// moment after it returned) and its receive queue, as the kernel reports
    /// it (sock_diag), is empty. Returns false if it still held unread bytes
    /// after `limit`.
    pub async fn wait_peer_read(&self, limit: Duration) -> bool {
        let start = Instant::now();
        let mut backoff = crate::poll::Backoff::default();
        loop {
            let theirs = self
                .net
                .tcp_socket(self.peer, self.local_as_seen)
                .ok()
                .flatten();
            let read_all = theirs
                .is_none_or(|s| s.recv_queue == 0 && s.received.is_none_or(|r| r >= self.written));
            if read_all {
                return true;
            }
            if start.elapsed() >= limit {
                return false;
            }
            backoff.pause().await;
        }
    }
}

/// Waits at least this long that end on proof of idleness are noted in the
/// transcript (shorter ones are quiet windows, which end silently anyway).
pub const NOTED_WAIT: Duration = Duration::from_millis(200);

/// The transcript's note when a wait ended on proof that the target is idle.
pub fn idle_note(after: Duration) -> String {
    format!(
        "the target is idle after {} ms (every thread waits for input, none ran): nothing more is coming",
        after.as_millis()
    )
}

/// Whether nothing is in flight on the connection between the target's end
/// (`theirs`) and sockspec's (`ours`): the target's kernel holds no bytes its
/// program wrote and has not sent yet (Nagle's algorithm holds a small write
/// back until the last one is acknowledged, and an acknowledgement may be
/// delayed by tens of milliseconds), and it has received all `written` bytes
/// sockspec wrote (loopback may deliver a write a moment after it returned).
/// True when the connection is gone, false when the kernel cannot be asked.
pub fn settled(net: &Net, theirs: SocketAddr, ours: SocketAddr, written: u64) -> bool {
    match net.tcp_socket(theirs, ours) {
        Ok(Some(s)) => s.unsent.is_none_or(|n| n == 0) && s.received.is_none_or(|r| r >= written),
        Ok(None) => true,
        Err(_) => false,
    }
}
