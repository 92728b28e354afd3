//! sockspec-wire: pure, I/O-free building blocks shared by the harness, the checks
//! and the reports: byte rendering and transcripts of what crossed the wire.

pub mod render;
pub mod transcript;

pub use render::{escape_bytes, lossy_preview};
pub use transcript::{Direction, Event, Transcript};
