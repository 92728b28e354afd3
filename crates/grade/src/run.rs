//! `sockspec run`: the checks of one role against one target — choosing the
//! checks and the target, streaming results to the terminal as they finish,
//! writing the report files, and the command that re-runs one check.

use crate::error::{CommandError, usage};
use globset::{Glob, GlobSet, GlobSetBuilder};
use sockspec_harness::launch::{Command, Remote};
use sockspec_harness::sandbox::Availability;
use sockspec_harness::settings::fresh_seed;
use sockspec_harness::{Check, Settings, Target, runner};
use sockspec_report::{Catalog, Lang, Report, TargetInfo};
use sockspec_results::{Contract, ExitStatus, Message, Role, RunEvent, msg};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Which program is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetChoice {
    /// An external program and its arguments.
    Command(Vec<String>),
    /// A service already running at a loopback address.
    Remote(SocketAddr),
    /// sockspec's own reference implementation of the role.
    Reference,
}

/// What `sockspec run` was asked to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The role the program plays.
    pub role: Role,
    /// What its replies mean.
    pub contract: Contract,
    /// The server address a client uses (an override of what is found).
    pub addr: Option<sockspec_harness::server_addr::ServerAddr>,
    /// Input script: lines fed to stdin.
    pub input: Option<PathBuf>,
    /// Only checks whose ID matches one of these globs.
    pub only: Vec<String>,
    /// Leave out checks whose ID matches one of these globs.
    pub skip: Vec<String>,
    /// Seed of the property checks (fresh when absent).
    pub seed: Option<u64>,
    /// Cases per property check (default: [`Settings::default`]'s).
    pub cases: Option<u32>,
    /// Wall-clock limit of one check (default: [`Settings::default`]'s).
    pub timeout: Option<Duration>,
    /// How many more times a failing check runs (default: [`Settings::default`]'s).
    pub retries: Option<u32>,
    /// Checks at once (default: cores).
    pub jobs: Option<usize>,
    /// Where to write the JSON report.
    pub json: Option<PathBuf>,
    /// Where to write the JUnit XML report.
    pub junit: Option<PathBuf>,
    /// Where to write the Markdown report.
    pub markdown: Option<PathBuf>,
    /// Where to write the HTML report (one self-contained file).
    pub html: Option<PathBuf>,
    /// Where HTTP clients' requests are kept for regression.
    pub snapshot_dir: Option<PathBuf>,
    /// Run the program without a sandbox.
    pub no_sandbox: bool,
    /// The language of the reports.
    pub lang: Lang,
    /// The program.
    pub target: TargetChoice,
}

/// Everything a run needs once its options were checked.
struct Prepared {
    target: Arc<dyn Target>,
    checks: Vec<&'static Check>,
    settings: Settings,
    notices: Vec<Message>,
}

/// Runs the selected checks, printing each result as it finishes, and writes
/// the reports. Options and output paths are checked before anything runs.
pub async fn run(
    options: RunOptions,
    sandbox: Option<Availability>,
) -> Result<ExitStatus, CommandError> {
    let prepared = prepare(&options, sandbox)?;
    check_outputs(&options)?;
    execute(&options, prepared).await
}

fn prepare(options: &RunOptions, sandbox: Option<Availability>) -> Result<Prepared, CommandError> {
    let defaults = Settings::default();
    if options.timeout.is_some_and(|t| t.is_zero()) {
        return Err(usage("--timeout must be longer than 0 s"));
    }
    let checks = select(options)?;
    let mut settings = Settings {
        contract: options.contract,
        seed: options.seed.unwrap_or_else(fresh_seed),
        cases: options.cases.unwrap_or(defaults.cases).max(1),
        addr: options.addr.clone(),
        check_timeout: options.timeout.unwrap_or(defaults.check_timeout),
        retries: options.retries.unwrap_or(defaults.retries),
        snapshot_dir: options.snapshot_dir.clone(),
        ..defaults
    };
    if let Some(jobs) = options.jobs {
        settings.jobs = jobs.max(1);
    }
    if let Some(path) = &options.input {
        let text = std::fs::read_to_string(path)
            .map_err(|e| usage(format!("--input {}: {e}", path.display())))?;
        settings.input = text.lines().map(str::to_string).collect();
    }
    let mut notices = Vec::new();
    let target: Arc<dyn Target> = match &options.target {
        TargetChoice::Remote(addr) => Arc::new(Remote::new(*addr).map_err(usage)?),
        TargetChoice::Reference => sockspec_checks::reference::target(options.role)
            .ok_or_else(|| usage(format!("there is no reference {} yet", options.role)))?,
        TargetChoice::Command(argv) => {
            let sandboxed = match sandbox {
                Some(Availability::Unavailable(why)) => {
                    notices.push(msg!("notice-no-sandbox", reason = why));
                    false
                }
                Some(Availability::Available) => true,
                None => false,
            };
            if options.no_sandbox {
                notices.push(msg!("notice-flag-no-sandbox"));
            }
            Arc::new(Command::new(argv.clone(), sandboxed).map_err(usage)?)
        }
    };
    Ok(Prepared {
        target,
        checks,
        settings,
        notices,
    })
}

/// Fails before any check runs when an output file cannot be written.
fn check_outputs(options: &RunOptions) -> Result<(), CommandError> {
    for path in [
        &options.json,
        &options.junit,
        &options.markdown,
        &options.html,
    ]
    .into_iter()
    .flatten()
    {
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| usage(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}

fn globs(patterns: &[String], flag: &str) -> Result<GlobSet, CommandError> {
    let mut set = GlobSetBuilder::new();
    for p in patterns {
        set.add(Glob::new(p).map_err(|e| usage(format!("--{flag} {p}: {e}")))?);
    }
    set.build().map_err(|e| usage(format!("--{flag}: {e}")))
}

/// The role's checks, filtered by `only` and `skip`.
fn select(options: &RunOptions) -> Result<Vec<&'static Check>, CommandError> {
    let only = globs(&options.only, "only")?;
    let skip = globs(&options.skip, "skip")?;
    let checks: Vec<_> = sockspec_checks::for_role(options.role)
        .into_iter()
        .filter(|c| options.only.is_empty() || only.is_match(c.id))
        .filter(|c| !skip.is_match(c.id))
        .collect();
    if checks.is_empty() {
        return Err(usage(format!(
            "no {} check matches the selection (see `sockspec list --role {}`)",
            options.role, options.role
        )));
    }
    Ok(checks)
}

/// Prints each finished check's line to the terminal as it comes, and counts
/// the instances started in `starts`.
fn terminal_events(catalog: &'static Catalog) -> runner::EventSink {
    Arc::new(move |event| {
        if let RunEvent::CheckFinished(result) = event {
            let mut out = anstream::stdout();
            let _ = writeln!(
                out,
                "{}",
                sockspec_report::text::result_line(catalog, &result)
            );
            let _ = out.flush();
        }
    })
}

async fn execute(options: &RunOptions, prepared: Prepared) -> Result<ExitStatus, CommandError> {
    let catalog = options.lang.catalog();
    let Prepared {
        target,
        checks,
        settings,
        notices,
    } = prepared;
    let info = TargetInfo {
        name: target.describe(),
        kind: target.kind(),
        language: target.language(),
        contract: settings.contract.to_string(),
        sandboxed: target.sandboxed(),
        seed: settings.seed,
    };
    let seed = settings.seed;
    {
        let mut out = anstream::stdout();
        let _ = write!(
            out,
            "{}",
            sockspec_report::text::header(catalog, &info, options.role, &notices)
        );
        let _ = out.flush();
    }
    let started = std::time::Instant::now();
    let starts = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let mut results = runner::run_checks(
        target,
        &checks,
        Arc::new(settings),
        runner::counting_starts(starts.clone(), terminal_events(catalog)),
    )
    .await;
    for r in results.iter_mut().filter(|r| r.outcome.is_problem()) {
        r.evidence.rerun = Some(rerun_command(options, r.id(), seed));
    }
    let report = Report {
        target: info,
        role: options.role,
        results,
        notices,
        stats: sockspec_report::RunStats {
            instance_starts: starts.load(std::sync::atomic::Ordering::Relaxed),
            wall_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        },
    };
    let mut out = anstream::stdout();
    let _ = write!(out, "{}", sockspec_report::text::footer(catalog, &report));
    let writes = [
        (
            &options.json,
            sockspec_report::json::render as fn(&Report, &Catalog) -> String,
        ),
        (&options.junit, sockspec_report::junit::render),
        (&options.markdown, sockspec_report::markdown::render),
        (&options.html, sockspec_report::html::run_page),
    ];
    for (path, render) in writes {
        if let Some(path) = path {
            std::fs::write(path, render(&report, catalog)).map_err(|e| {
                CommandError::Internal(format!("cannot write {}: {e}", path.display()))
            })?;
        }
    }
    Ok(report.summary().exit_status())
}

/// The command that re-runs just one check with the same seed.
pub fn rerun_command(options: &RunOptions, id: &str, seed: u64) -> String {
    let mut parts = vec![
        "sockspec run".to_string(),
        format!("--role {}", options.role),
        format!("--contract {}", options.contract),
    ];
    if let Some(addr) = &options.addr {
        parts.push(format!("--addr {addr}"));
    }
    if let Some(input) = &options.input {
        parts.push(format!("--input {}", quote(&input.to_string_lossy())));
    }
    parts.push(format!("--only {id} --seed {seed}"));
    if options.no_sandbox {
        parts.push("--no-sandbox".into());
    }
    match &options.target {
        TargetChoice::Remote(remote) => parts.push(format!("--remote {remote}")),
        TargetChoice::Reference => parts.push("--reference".into()),
        TargetChoice::Command(argv) => {
            parts.push("--".into());
            parts.extend(argv.iter().map(|a| quote(a)));
        }
    }
    parts.join(" ")
}

/// Quotes a shell word when it needs it.
fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_alphanumeric() || "-_./:=@%+,{}".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
