//! A check: static metadata plus an async function of a [`Ctx`].

use crate::context::Ctx;
use sockspec_results::{CheckInfo, Level, Role, Verdict};
use std::future::Future;
use std::pin::Pin;

/// The future a check's `run` returns.
pub type CheckFuture<'a> = Pin<Box<dyn Future<Output = Verdict> + Send + 'a>>;

/// One entry of the catalog.
#[derive(Debug)]
pub struct Check {
    /// Stable dotted ID, e.g. `udp.server.reply` (public interface).
    pub id: &'static str,
    /// The role of the target it judges.
    pub role: Role,
    /// must, should or info.
    pub level: Level,
    /// The reference: RFC section, POSIX function or course rule.
    pub spec: &'static str,
    /// One line saying what must hold (English; the catalog translates it).
    pub title: &'static str,
    /// Whether it can only run with the target in a sandbox (else `skip`).
    pub needs_sandbox: bool,
    /// The check itself.
    pub run: for<'a> fn(&'a mut Ctx) -> CheckFuture<'a>,
}

impl Check {
    /// The check's metadata, without how it runs.
    pub fn info(&self) -> CheckInfo {
        CheckInfo {
            id: self.id,
            role: self.role,
            level: self.level,
            spec: self.spec,
            title: self.title,
            needs_sandbox: self.needs_sandbox,
        }
    }
}
