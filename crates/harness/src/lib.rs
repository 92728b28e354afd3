//! sockspec-harness: everything between a check and the program under test.
//!
//! - [`Target`]: a program playing one role, started as [`Instance`]s by a launcher
//!   ([`launch::Command`], [`launch::InProcess`], [`launch::Remote`]);
//! - [`sandbox`]: bubblewrap's namespaces and limits around each external target,
//!   in a private network namespace; teardown of them all on SIGINT/SIGTERM;
//! - [`procfs`]: what a running target bound, its processes and CPU time, read from `/proc`;
//! - [`Ctx`]: what a check works with (sockets that record a transcript, the target);
//! - [`runner`]: runs checks with timeouts, retries and outcomes.

pub mod check;
pub mod context;
pub mod ending;
pub mod idle;
pub mod lan;
pub mod language;
pub mod latency;
pub mod launch;
pub mod net;
pub mod output;
pub mod poll;
pub mod proc_files;
pub mod procfs;
pub mod property;
pub mod recorder;
pub mod redirect;
pub mod runner;
pub mod sandbox;
pub mod server_addr;
pub mod settings;
pub mod sockdiag;
pub mod source_hints;
mod spawn;
pub mod stdin;
pub mod target;
pub mod tcp;
pub mod udp;

pub use check::{Check, CheckFuture};
pub use context::Ctx;
pub use net::Net;
pub use settings::Settings;
pub use sockspec_results::TargetKind;
pub use sockspec_results::{
    CheckResult, Contract, Evidence, ExitInfo, Level, Message, Outcome, Reproduced, Role, Verdict,
    msg,
};
pub use target::{Instance, LaunchError, LaunchRequest, Target};
