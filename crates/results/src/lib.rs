//! sockspec-results: the result model every other part speaks. Pure: no I/O.
//!
//! Roles and contracts, levels and outcomes, check metadata, verdicts, results,
//! evidence, run events, and diagnoses as data ([`Message`]: an ID from the
//! catalog plus typed arguments), so that a report renders them in any language.

#![forbid(unsafe_code)]

pub mod event;
pub mod evidence;
pub mod exit;
pub mod language;
pub mod level;
pub mod message;
pub mod result;
pub mod role;
pub mod summary;
pub mod verdict;

pub use event::RunEvent;
pub use evidence::{Evidence, Reproduced, TAIL_LINES, TRANSCRIPT_EVENTS};
pub use exit::ExitInfo;
pub use language::ProgramLanguage;
pub use level::{Level, Outcome};
pub use message::{Arg, Message};
pub use result::{CheckInfo, CheckResult, TargetKind};
pub use role::{Contract, Role, Transport, UnknownName};
pub use summary::{ExitStatus, Summary};
pub use verdict::{Counterexample, Verdict};
