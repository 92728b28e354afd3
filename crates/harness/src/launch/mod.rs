//! Launchers: the three ways a target is started.

mod command;
mod in_process;
mod remote;

pub use command::{Command, Limits};
pub use in_process::{InProcess, InProcessIo, Started};
pub use remote::Remote;
