//! The transcript of one check, recorded as bytes cross the wire.

use sockspec_wire::{Direction, Event, Transcript};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::watch;

/// Records events into a shared transcript and counts them, so that others (the
/// paced stdin feeder) can wait for activity on the wire.
#[derive(Clone)]
pub struct Recorder {
    start: Instant,
    events: Arc<Mutex<Vec<Event>>>,
    activity: watch::Sender<u64>,
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder {
            start: Instant::now(),
            events: Arc::default(),
            activity: watch::channel(0).0,
        }
    }
}

impl Recorder {
    fn push(&self, event: Event) {
        self.events
            .lock()
            .expect("transcript lock poisoned")
            .push(event);
        self.activity.send_modify(|n| *n += 1);
    }

    fn now_us(&self) -> u64 {
        self.start.elapsed().as_micros() as u64
    }

    /// sockspec's `endpoint` sent `bytes` to the target at `peer`.
    pub fn sent(&self, endpoint: &str, peer: Option<SocketAddr>, bytes: &[u8]) {
        let e = Event::bytes(
            self.now_us(),
            Direction::ToTarget,
            endpoint,
            peer.map(|p| p.to_string()),
            bytes,
        );
        self.push(e);
    }

    /// sockspec's `endpoint` received `bytes` from the target at `peer`.
    pub fn received(&self, endpoint: &str, peer: Option<SocketAddr>, bytes: &[u8]) {
        let e = Event::bytes(
            self.now_us(),
            Direction::FromTarget,
            endpoint,
            peer.map(|p| p.to_string()),
            bytes,
        );
        self.push(e);
    }

    /// Something without bytes happened (connected, EOF, reset, timeout, restart).
    pub fn note(&self, endpoint: &str, text: impl Into<String>) {
        let e = Event::note(self.now_us(), endpoint, text);
        self.push(e);
    }

    /// Forgets the events so far (to keep only a re-run of a minimal case).
    pub fn clear(&self) {
        self.events
            .lock()
            .expect("transcript lock poisoned")
            .clear();
    }

    /// A receiver that changes whenever an event is recorded.
    pub fn activity(&self) -> watch::Receiver<u64> {
        self.activity.subscribe()
    }

    /// The transcript so far.
    pub fn snapshot(&self) -> Transcript {
        Transcript {
            events: self
                .events
                .lock()
                .expect("transcript lock poisoned")
                .clone(),
        }
    }
}
