//! The catalog inside `cargo test`: each check is one named test, listed and
//! filtered by `cargo test` and `cargo nextest`.
//!
//! In a test file declared with `harness = false`:
//!
//! ```no_run
//! use sockspec_checks::cargo_test;
//! use sockspec_harness::{Contract, Role, Settings};
//! use sockspec_harness::launch::{InProcess, Started};
//!
//! fn main() {
//!     let my_server = InProcess::new("my udp server", |io| async move {
//!         let socket = tokio::net::UdpSocket::bind(io.bind_to).await?;
//!         let addr = socket.local_addr()?;
//!         let task = tokio::spawn(async move {
//!             let mut buf = [0u8; 65536];
//!             loop {
//!                 let (n, from) = socket.recv_from(&mut buf).await?;
//!                 socket.send_to(&buf[..n], from).await?;
//!             }
//!         });
//!         Ok(Started { addr: Some(addr), task })
//!     });
//!     let settings = Settings { contract: Contract::Echo, ..Settings::default() };
//!     cargo_test::main(vec![cargo_test::Suite::new(my_server, Role::UdpServer, settings)]);
//! }
//! ```

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use sockspec_harness::CheckResult;
use sockspec_harness::runner::run_check;
use sockspec_harness::{Outcome, Role, Settings, Target};
use std::sync::Arc;

/// One target checked in one role.
pub struct Suite {
    target: Arc<dyn Target>,
    role: Role,
    settings: Arc<Settings>,
}

impl Suite {
    /// The catalog of `role` against `target`, with `settings`.
    pub fn new(target: impl Target + 'static, role: Role, settings: Settings) -> Self {
        Suite::shared(Arc::new(target), role, settings)
    }

    /// Like [`Suite::new`] for a target already shared.
    pub fn shared(target: Arc<dyn Target>, role: Role, settings: Settings) -> Self {
        Suite {
            target,
            role,
            settings: Arc::new(settings),
        }
    }
}

/// Runs the suites' checks as tests named `ROLE::CHECK-ID` and exits with
/// libtest's status. `warn` passes with a printed warning; `skip` is reported
/// as ignored, with its reason.
pub fn main(suites: Vec<Suite>) -> ! {
    let args = Arguments::from_args();
    let runtime = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime"),
    );
    let mut trials = Vec::new();
    for suite in suites {
        for check in crate::for_role(suite.role) {
            let (rt, target, settings) = (
                runtime.clone(),
                suite.target.clone(),
                suite.settings.clone(),
            );
            let name = format!("{}::{}", suite.role, check.id);
            trials.push(Trial::ignorable_test(name, move || {
                judge(rt.block_on(run_check(
                    target,
                    check,
                    settings,
                    sockspec_harness::runner::no_events(),
                )))
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit()
}

fn judge(result: CheckResult) -> Result<Completion, Failed> {
    let catalog = sockspec_report::Lang::from_env().catalog();
    let message = catalog.render(&result.message);
    match result.outcome {
        Outcome::Pass | Outcome::Info => Ok(Completion::Completed),
        Outcome::Skip => Ok(Completion::ignored_with(message)),
        Outcome::Warn => {
            eprintln!(
                "warning: {} ({}): {message}",
                result.id(),
                result.check.level
            );
            Ok(Completion::Completed)
        }
        Outcome::Fail | Outcome::Error => Err(Failed::from(format!(
            "{} {}: {message}\n{}",
            result.outcome,
            result.id(),
            sockspec_report::evidence::render_plain(catalog, &result.evidence)
        ))),
    }
}
