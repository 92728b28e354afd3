//! Transcripts: timestamped, directed byte events of one conversation with a target.

use crate::render::lossy_preview;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which way bytes went, seen from the target under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// sockspec sent these bytes to the target.
    ToTarget,
    /// The target sent these bytes to sockspec.
    FromTarget,
    /// Something happened that carried no bytes (connect, EOF, reset, timeout).
    Note,
}

/// One event on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Microseconds since the transcript started.
    pub at_us: u64,
    /// Which way the bytes went.
    pub direction: Direction,
    /// Which of sockspec's endpoints took part, e.g. `client A`.
    pub endpoint: String,
    /// The other side's address, when known (`127.0.0.1:8888`).
    pub peer: Option<String>,
    /// The bytes (empty for notes; the first [`EVENT_BYTES`] of a longer
    /// event, whose length is `len`).
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// The bytes rendered escaped, or the note's text.
    pub text: String,
    /// How many bytes the event carried.
    pub len: usize,
}

/// How many bytes of one event a rendered transcript shows.
pub const PREVIEW_BYTES: usize = 160;

/// How many bytes of one event a transcript keeps (a target that floods
/// writes many long events).
pub const EVENT_BYTES: usize = 4096;

impl Event {
    /// A byte event; `text` is the escaped preview of `bytes`.
    pub fn bytes(
        at_us: u64,
        direction: Direction,
        endpoint: &str,
        peer: Option<String>,
        bytes: &[u8],
    ) -> Self {
        Event {
            at_us,
            direction,
            endpoint: endpoint.to_string(),
            peer,
            text: lossy_preview(bytes, PREVIEW_BYTES),
            len: bytes.len(),
            bytes: bytes[..bytes.len().min(EVENT_BYTES)].to_vec(),
        }
    }

    /// A note without bytes (connected, EOF, reset, no reply).
    pub fn note(at_us: u64, endpoint: &str, text: impl Into<String>) -> Self {
        Event {
            at_us,
            direction: Direction::Note,
            endpoint: endpoint.to_string(),
            peer: None,
            bytes: Vec::new(),
            text: text.into(),
            len: 0,
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.at_us as f64 / 1000.0;
        match self.direction {
            Direction::ToTarget => write!(
                f,
                "{ms:>9.3} ms  {} -> target  {} B  \"{}\"",
                self.endpoint, self.len, self.text
            ),
            Direction::FromTarget => write!(
                f,
                "{ms:>9.3} ms  {} <- target  {} B  \"{}\"",
                self.endpoint, self.len, self.text
            ),
            Direction::Note => write!(f, "{ms:>9.3} ms  {}: {}", self.endpoint, self.text),
        }
    }
}

/// An ordered list of events, as kept for evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transcript {
    /// The events in the order they happened.
    pub events: Vec<Event>,
    /// How many events happened before these and were not kept (a target
    /// that floods the wire makes more than a transcript holds).
    #[serde(default)]
    pub omitted: usize,
}

impl Transcript {
    /// The last `n` events (the part of a long transcript that shows a failure).
    pub fn tail(&self, n: usize) -> &[Event] {
        let start = self.events.len().saturating_sub(n);
        &self.events[start..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_direction_size_and_escaped_bytes() {
        let e = Event::bytes(
            1500,
            Direction::ToTarget,
            "client A",
            None,
            "hi\n".as_bytes(),
        );
        assert_eq!(
            e.to_string(),
            "    1.500 ms  client A -> target  3 B  \"hi\\n\""
        );
        let n = Event::note(2000, "client A", "EOF");
        assert_eq!(n.to_string(), "    2.000 ms  client A: EOF");
    }

    #[test]
    fn tail_keeps_the_last_events() {
        let t = Transcript {
            omitted: 0,
            events: (0..5).map(|i| Event::note(i, "x", i.to_string())).collect(),
        };
        let tail: Vec<_> = t.tail(2).iter().map(|e| e.text.clone()).collect();
        assert_eq!(tail, ["3", "4"]);
    }
}
