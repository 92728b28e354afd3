//! A UDP endpoint of sockspec's that records everything it sends and receives.

use crate::idle::IdleWatch;
use crate::recorder::Recorder;
use crate::target::ExitWatch;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::net::UdpSocket;

/// Room for the largest datagram plus one byte, so truncation is visible.
const RECV_BUF: usize = 65_536;

/// How many datagrams one endpoint takes from the target before it stops
/// listening (a check needs a few hundred at most): a target that floods
/// costs bounded time and memory, and what it sent so far is judged.
pub const MAX_DATAGRAMS: usize = 10_000;

/// A datagram sockspec received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    /// Its payload.
    pub bytes: Vec<u8>,
    /// Who sent it.
    pub from: SocketAddr,
    /// When it arrived.
    pub at: Instant,
}

/// One of sockspec's UDP sockets, named in transcripts by its label.
pub struct UdpPeer {
    socket: UdpSocket,
    label: String,
    recorder: Recorder,
    peer: Option<SocketAddr>,
    idle: Option<IdleWatch>,
    /// Datagrams received so far (up to [`MAX_DATAGRAMS`]).
    received: std::sync::atomic::AtomicUsize,
}

impl UdpPeer {
    /// Wraps `socket`; `peer` is where [`UdpPeer::send`] sends.
    pub fn new(
        socket: UdpSocket,
        label: &str,
        recorder: Recorder,
        peer: Option<SocketAddr>,
    ) -> Self {
        UdpPeer {
            socket,
            label: label.to_string(),
            recorder,
            peer,
            idle: None,
            received: Default::default(),
        }
    }

    /// Ends waits early once `idle` proves the target has nothing more to do
    /// until sockspec acts (see [`crate::idle`]): a wait for a datagram that
    /// cannot come returns nothing at once instead of after its whole limit.
    pub fn watch_idle(&mut self, idle: Option<IdleWatch>) {
        self.idle = idle;
    }

    /// Its own address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Sends one datagram to the target (the peer given at creation).
    pub async fn send(&self, bytes: &[u8]) -> io::Result<Instant> {
        let to = self
            .peer
            .ok_or_else(|| io::Error::other("this endpoint has no default peer"))?;
        self.send_to(bytes, to).await
    }

    /// Sends one datagram to `to`; returns when it was sent.
    pub async fn send_to(&self, bytes: &[u8], to: SocketAddr) -> io::Result<Instant> {
        self.socket.send_to(bytes, to).await?;
        self.recorder.sent(&self.label, Some(to), bytes);
        Ok(Instant::now())
    }

    /// The next datagram, if one arrives within `limit`.
    pub async fn recv_within(&self, limit: Duration) -> io::Result<Option<Datagram>> {
        self.recv_or_end(limit, None).await
    }

    /// The next datagram, if one arrives within `limit` and before the target
    /// ends (what it sent before it ended is still received).
    pub async fn recv_or_end(
        &self,
        limit: Duration,
        ended: Option<&ExitWatch>,
    ) -> io::Result<Option<Datagram>> {
        use std::sync::atomic::Ordering::Relaxed;
        if self.received.load(Relaxed) >= MAX_DATAGRAMS {
            return Ok(None);
        }
        let mut buf = vec![0u8; RECV_BUF];
        let target_ended = async {
            match ended {
                Some(watch) => {
                    let mut watch = watch.clone();
                    let _ = watch.wait_for(|e| e.is_some()).await;
                }
                None => std::future::pending().await,
            }
        };
        let start = Instant::now();
        let idle = async {
            match &self.idle {
                Some(idle) if limit > idle.window() * 2 => idle.proven(limit, || true).await,
                _ => std::future::pending().await,
            }
        };
        let received = tokio::select! {
            r = tokio::time::timeout(limit, self.socket.recv_from(&mut buf)) => r,
            () = idle => Ok(match self.socket.try_recv_from(&mut buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if limit >= crate::tcp::NOTED_WAIT {
                        self.recorder
                            .note(&self.label, crate::tcp::idle_note(start.elapsed()));
                    }
                    return Ok(None);
                }
                other => other,
            }),
            () = target_ended => Ok(match self.socket.try_recv_from(&mut buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.recorder.note(&self.label, "the target ended");
                    return Ok(None);
                }
                other => other,
            }),
        };
        match received {
            Ok(Ok((n, from))) => {
                // A datagram keeps only its own bytes, not the whole buffer.
                let buf = buf[..n].to_vec();
                self.recorder.received(&self.label, Some(from), &buf);
                if self.received.fetch_add(1, Relaxed) + 1 == MAX_DATAGRAMS {
                    self.recorder.note(
                        &self.label,
                        format!(
                            "the target sent {MAX_DATAGRAMS} datagrams: sockspec stops listening"
                        ),
                    );
                }
                Ok(Some(Datagram {
                    bytes: buf,
                    from,
                    at: Instant::now(),
                }))
            }
            Ok(Err(e)) => {
                self.recorder
                    .note(&self.label, format!("receive error: {e}"));
                Err(e)
            }
            Err(_) => Ok(None),
        }
    }

    /// Receives until `expected` datagrams arrived, giving the first `first`
    /// and each later one `gap`; then, if `quiet` is set, keeps listening that
    /// long for extra ones. Returns everything received.
    pub async fn collect(
        &self,
        expected: usize,
        first: Duration,
        gap: Duration,
        quiet: Option<Duration>,
        ended: Option<&ExitWatch>,
    ) -> io::Result<Vec<Datagram>> {
        let mut got = Vec::new();
        while got.len() < expected {
            let limit = if got.is_empty() { first } else { gap };
            match self.recv_or_end(limit, ended).await? {
                Some(d) => got.push(d),
                None => {
                    self.recorder.note(
                        &self.label,
                        format!("nothing more within {} ms", limit.as_millis()),
                    );
                    return Ok(got);
                }
            }
        }
        if let Some(quiet) = quiet {
            while let Some(d) = self.recv_or_end(quiet, ended).await? {
                got.push(d);
            }
        }
        Ok(got)
    }
}
