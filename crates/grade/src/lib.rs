//! sockspec-grade: running checks for the command line — one target
//! ([`run`]: selecting checks and the target, the rerun command) or a class
//! ([`class`]: the manifest, scores, per-student records and the class's
//! outputs: grades.csv, summary, JUnit, Gradescope; shards, merge, resume).

#![forbid(unsafe_code)]

pub mod build;
pub mod class;
pub mod error;
pub mod feedback;
pub mod gradescope;
pub mod manifest;
pub mod record;
pub mod run;
pub mod run_class;
pub mod shard;

pub use error::CommandError;
pub use manifest::{Manifest, Task};
pub use record::{StudentRecord, TaskRecord};
