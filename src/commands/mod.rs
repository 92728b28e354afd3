//! The subcommands that are not runs: `list` and `reference`.

pub(crate) mod list;
pub(crate) mod reference;
