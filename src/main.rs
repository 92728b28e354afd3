//! `sockspec`: conformance checks for socket programs. This binary is only the
//! command line: parsing, wiring and exit codes.

mod cli;
mod commands;

use clap::Parser;
use sockspec_grade::CommandError;
use sockspec_results::ExitStatus;
use std::process::ExitCode;

fn main() -> ExitCode {
    // A signal before sockspec watches for it waits, rather than killing
    // sockspec with a sandbox probe running.
    sockspec_harness::sandbox::hold_signals();
    let cli = cli::Cli::parse();
    // Sandboxes for unprivileged users need a user namespace, which can only be
    // entered while the process has one thread: before the runtime starts.
    let sandbox = match &cli.command {
        cli::Command::Run(args) if args.wants_sandbox() => {
            Some(sockspec_harness::sandbox::prepare_process())
        }
        cli::Command::Grade(args) if args.merge.is_empty() => {
            Some(sockspec_harness::sandbox::prepare_process())
        }
        _ => None,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sockspec: cannot start its runtime: {e}");
            return ExitCode::from(ExitStatus::Internal.code());
        }
    };
    let code = runtime.block_on(async move {
        let command = async move {
            match cli.command {
                cli::Command::List(args) => Ok(commands::list::run(args)),
                cli::Command::Run(args) => match args.into_options() {
                    Ok(options) => sockspec_grade::run::run(options, sandbox).await,
                    Err(e) => Err(CommandError::Usage(e)),
                },
                cli::Command::Reference(args) => commands::reference::run(args).await,
                cli::Command::Grade(args) => {
                    sockspec_grade::run_class::run(args.into_options(), sandbox).await
                }
            }
        };
        // SIGINT, SIGTERM, SIGHUP: every sandbox and temporary folder is torn
        // down first, then sockspec exits with 128 + the signal.
        tokio::select! {
            // Watching first: the signals held back since start-up come in.
            biased;
            signal = sockspec_harness::sandbox::until_interrupted() => {
                // The command is no longer polled: a check whose target the
                // teardown kills cannot finish it now. Teardown waits
                // (briefly) for processes to end: off the async threads.
                let _ = tokio::task::spawn_blocking(
                    sockspec_harness::sandbox::cleanup_all,
                ).await;
                eprintln!("sockspec: interrupted; every sandbox was torn down");
                128 + signal as u8
            }
            status = command => status
                .unwrap_or_else(|e| {
                    eprintln!("sockspec: {e}");
                    e.status()
                })
                .code(),
        }
    });
    // Do not wait for targets' leftover tasks (a client stuck in a read).
    runtime.shutdown_background();
    ExitCode::from(code)
}
