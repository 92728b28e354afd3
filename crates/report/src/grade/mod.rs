//! Grading a class: the manifest, scores, per-student records and the class's
//! outputs (grades.csv, summary, JUnit, Gradescope).

pub mod class;
pub mod feedback;
pub mod gradescope;
pub mod manifest;
pub mod record;
pub mod shard;

pub use manifest::{Manifest, Task};
pub use record::{StudentRecord, TaskRecord};
