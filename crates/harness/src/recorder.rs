//! The transcript of one check, recorded as bytes cross the wire.

use sockspec_wire::{Direction, Event, Transcript};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::watch;

/// How many of the latest events a recorder keeps (far more than evidence
/// shows, [`sockspec_results::TRANSCRIPT_EVENTS`]), so that a
/// target that floods the wire costs bounded memory.
pub const KEPT_EVENTS: usize = 1024;

/// The latest events, and how many earlier ones were let go.
#[derive(Default)]
struct Kept {
    events: VecDeque<Event>,
    omitted: usize,
}

/// Records events into a shared transcript (the latest [`KEPT_EVENTS`]) and
/// counts them, so that others (the paced stdin feeder) can wait for
/// activity on the wire.
#[derive(Clone)]
pub struct Recorder {
    start: Instant,
    events: Arc<Mutex<Kept>>,
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
        {
            let mut kept = self.events.lock().expect("transcript lock poisoned");
            if kept.events.len() == KEPT_EVENTS {
                kept.events.pop_front();
                kept.omitted += 1;
            }
            kept.events.push_back(event);
        }
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
        *self.events.lock().expect("transcript lock poisoned") = Kept::default();
    }

    /// A receiver that changes whenever an event is recorded.
    pub fn activity(&self) -> watch::Receiver<u64> {
        self.activity.subscribe()
    }

    /// The transcript so far.
    pub fn snapshot(&self) -> Transcript {
        let kept = self.events.lock().expect("transcript lock poisoned");
        Transcript {
            events: kept.events.iter().cloned().collect(),
            omitted: kept.omitted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_keeps_the_latest_events_and_counts_the_rest() {
        let recorder = Recorder::default();
        for i in 0..KEPT_EVENTS + 5 {
            recorder.received("receiver", None, format!("{i}").as_bytes());
        }
        let transcript = recorder.snapshot();
        assert_eq!(transcript.events.len(), KEPT_EVENTS);
        assert_eq!(transcript.omitted, 5);
        assert_eq!(transcript.events[0].text, "5");
        recorder.clear();
        assert_eq!(recorder.snapshot(), Transcript::default());
    }
}
