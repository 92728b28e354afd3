//! One module per subcommand.

pub mod grade;
pub mod list;
pub mod reference;
pub mod run;

/// Exit code: no `fail`.
pub const EXIT_OK: u8 = 0;
/// Exit code: usage or configuration error.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: sockspec itself failed.
pub const EXIT_INTERNAL: u8 = 3;

/// Prints a usage or configuration error and returns its exit code.
pub fn usage_error(message: impl std::fmt::Display) -> u8 {
    eprintln!("sockspec: {message}");
    EXIT_USAGE
}
