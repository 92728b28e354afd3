//! `sockspec run`: the checks of one role against one target.

use crate::cli::RunArgs;
use globset::{Glob, GlobSet, GlobSetBuilder};
use sockspec_harness::launch::{Command, Remote};
use sockspec_harness::sandbox::Availability;
use sockspec_harness::settings::fresh_seed;
use sockspec_harness::{Check, CheckResult, Settings, Target, runner};
use sockspec_report::{Report, TargetInfo};
use std::io::Write;
use std::sync::Arc;

/// Runs the selected checks and reports; returns the exit code.
pub async fn run(args: RunArgs, sandbox: Option<Availability>) -> u8 {
    match prepare(&args, sandbox) {
        Ok((target, checks, settings, notices)) => {
            execute(&args, target, checks, settings, notices).await
        }
        Err(message) => super::usage_error(message),
    }
}

type Prepared = (Arc<dyn Target>, Vec<&'static Check>, Settings, Vec<String>);

/// Everything a run needs, or the usage error that stops it.
fn prepare(args: &RunArgs, sandbox: Option<Availability>) -> Result<Prepared, String> {
    let checks = select(args)?;
    let mut settings = Settings {
        contract: args.contract,
        seed: args.seed.unwrap_or_else(fresh_seed),
        cases: args.cases.max(1),
        addr: args.addr,
        check_timeout: args.timeout,
        retries: args.retries,
        snapshot_dir: args.snapshot_dir.clone(),
        ..Settings::default()
    };
    if let Some(jobs) = args.jobs {
        settings.jobs = jobs.max(1);
    }
    if let Some(path) = &args.input {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--input {}: {e}", path.display()))?;
        settings.input = text.lines().map(str::to_string).collect();
    }
    let mut notices = Vec::new();
    let target: Arc<dyn Target> = match (&args.remote, args.reference, args.command.is_empty()) {
        (Some(addr), _, true) => Arc::new(Remote::new(*addr)?),
        (None, true, true) => sockspec_checks::reference::target(args.role)
            .ok_or_else(|| format!("there is no reference {} yet", args.role))?,
        (None, false, false) => {
            let sandboxed = match sandbox {
                Some(Availability::Unavailable(why)) => {
                    notices.push(format!(
                        "no sandbox: {why}; the program runs on the host's loopback, and checks that need the sandbox are skipped"
                    ));
                    false
                }
                Some(Availability::Available) => true,
                None => false,
            };
            if args.no_sandbox {
                notices.push("--no-sandbox: the program runs on the host's loopback".into());
            }
            Arc::new(Command::new(args.command.clone(), sandboxed)?)
        }
        _ => {
            return Err(
                "give exactly one target: a program after `--`, --remote HOST:PORT, or --reference"
                    .into(),
            );
        }
    };
    Ok((target, checks, settings, notices))
}

fn globs(patterns: &[String], flag: &str) -> Result<GlobSet, String> {
    let mut set = GlobSetBuilder::new();
    for p in patterns {
        set.add(Glob::new(p).map_err(|e| format!("--{flag} {p}: {e}"))?);
    }
    set.build().map_err(|e| format!("--{flag}: {e}"))
}

/// The role's checks, filtered by `--only` and `--skip`.
fn select(args: &RunArgs) -> Result<Vec<&'static Check>, String> {
    let only = globs(&args.only, "only")?;
    let skip = globs(&args.skip, "skip")?;
    let checks: Vec<_> = sockspec_checks::for_role(args.role)
        .into_iter()
        .filter(|c| args.only.is_empty() || only.is_match(c.id))
        .filter(|c| !skip.is_match(c.id))
        .collect();
    if checks.is_empty() {
        return Err(format!(
            "no {} check matches the selection (see `sockspec list --role {}`)",
            args.role, args.role
        ));
    }
    Ok(checks)
}

async fn execute(
    args: &RunArgs,
    target: Arc<dyn Target>,
    checks: Vec<&'static Check>,
    settings: Settings,
    notices: Vec<String>,
) -> u8 {
    let info = TargetInfo {
        name: target.describe(),
        kind: target.kind().to_string(),
        contract: settings.contract.to_string(),
        sandboxed: target.sandboxed(),
        seed: settings.seed,
    };
    let seed = settings.seed;
    let mut results =
        runner::run_checks(target, &checks, Arc::new(settings), |_: &CheckResult| {}).await;
    for r in results.iter_mut().filter(|r| r.outcome.is_problem()) {
        r.evidence.rerun = Some(rerun_command(args, r.id, seed));
    }
    let report = Report {
        target: info,
        role: args.role,
        results,
        notices,
    };
    let mut out = anstream::stdout();
    let _ = write!(out, "{}", sockspec_report::text::render(&report));
    let writes = [
        (
            &args.json,
            sockspec_report::json::render as fn(&Report) -> String,
        ),
        (&args.junit, sockspec_report::junit::render),
        (&args.markdown, sockspec_report::markdown::render),
    ];
    for (path, render) in writes {
        if let Some(path) = path
            && let Err(e) = std::fs::write(path, render(&report))
        {
            eprintln!("sockspec: cannot write {}: {e}", path.display());
            return super::EXIT_INTERNAL;
        }
    }
    report.summary().exit_code()
}

/// The command that re-runs just one check with the same seed.
fn rerun_command(args: &RunArgs, id: &str, seed: u64) -> String {
    let mut parts = vec![
        "sockspec run".to_string(),
        format!("--role {}", args.role),
        format!("--contract {}", args.contract),
    ];
    if let Some(addr) = args.addr {
        parts.push(format!("--addr {addr}"));
    }
    if let Some(input) = &args.input {
        parts.push(format!("--input {}", quote(&input.to_string_lossy())));
    }
    parts.push(format!("--only {id} --seed {seed}"));
    if args.no_sandbox {
        parts.push("--no-sandbox".into());
    }
    if let Some(remote) = args.remote {
        parts.push(format!("--remote {remote}"));
    } else if args.reference {
        parts.push("--reference".into());
    } else {
        parts.push("--".into());
        parts.extend(args.command.iter().map(|a| quote(a)));
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
