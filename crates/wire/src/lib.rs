//! sockspec-wire: pure, I/O-free building blocks shared by the harness, the checks
//! and the reports: byte rendering and transcripts of what crossed the wire, segmentation plans.

pub mod http;
pub mod render;
pub mod segmentation;
pub mod transcript;

pub use render::{escape_bytes, lossy_preview};
pub use segmentation::Cutting;
pub use transcript::{Direction, Event, Transcript};
