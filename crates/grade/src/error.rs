//! What stops a command before or while it runs, with the exit status it means.

use sockspec_results::ExitStatus;

/// An error that ends `run` or `grade`: a usage or configuration problem
/// (exit 2), or sockspec itself failing (exit 3).
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The command's arguments, manifest or inputs are wrong.
    #[error("{0}")]
    Usage(String),
    /// sockspec could not do its job (write an output, start its runtime).
    #[error("{0}")]
    Internal(String),
}

impl CommandError {
    /// The exit status this error means.
    pub fn status(&self) -> ExitStatus {
        match self {
            CommandError::Usage(_) => ExitStatus::Usage,
            CommandError::Internal(_) => ExitStatus::Internal,
        }
    }
}

/// A usage error from anything displayable.
pub fn usage(message: impl std::fmt::Display) -> CommandError {
    CommandError::Usage(message.to_string())
}
