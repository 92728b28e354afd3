//! Launchers: the three ways a target is started.

mod command;
mod in_process;
mod remote;
pub mod shim;

pub(crate) use command::on_path;
pub use command::{Command, Limits};
pub use in_process::{IdleProbe, IdleReport, InProcess, InProcessIo, Started};
pub use remote::Remote;

/// Aborts a task of an instance's (a feeder, a watcher) when the instance goes.
pub(crate) struct AbortOnDrop(pub(crate) tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
