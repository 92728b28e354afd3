//! The command line (clap derive). Names here are public interface (DESIGN).

use clap::{Args, Parser, Subcommand, ValueEnum};
use sockspec_grade::run::{RunOptions, TargetChoice};
use sockspec_grade::run_class::GradeOptions;
use sockspec_harness::server_addr::ServerAddr;
use sockspec_report::Lang;
use sockspec_results::{Contract, Role};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Conformance suite and harness for socket programs.
#[derive(Debug, Parser)]
#[command(name = "sockspec", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List the checks (the catalog).
    List(ListArgs),
    /// Run the checks of one role against a program.
    Run(Box<RunArgs>),
    /// Run sockspec's reference implementation of a role.
    Reference(ReferenceArgs),
    /// Grade a class: one folder per student, tasks from a manifest.
    Grade(Box<GradeArgs>),
}

#[derive(Debug, Args)]
pub(crate) struct GradeArgs {
    /// The class: one folder per student (the folder's name is the student).
    #[arg(required_unless_present = "merge")]
    pub(crate) dir: Option<PathBuf>,
    /// The grading manifest (TOML).
    #[arg(long, value_name = "FILE", required_unless_present = "merge")]
    pub(crate) manifest: Option<PathBuf>,
    /// Checks run at once across the class (default: 8 per core).
    #[arg(long)]
    pub(crate) jobs: Option<usize>,
    /// Where grades.csv, students/ and the summary go.
    #[arg(long, value_name = "DIR", default_value = "sockspec-grades")]
    pub(crate) out: PathBuf,
    /// Grade only shard K of N (a deterministic split by student name); `auto`
    /// reads K and N from the CI engine running it (GitHub Actions matrix via
    /// SOCKSPEC_SHARD_INDEX/SOCKSPEC_SHARD_COUNT, GitLab CI_NODE_INDEX/CI_NODE_TOTAL,
    /// Slurm SLURM_ARRAY_TASK_ID/_COUNT/_MIN, Kubernetes JOB_COMPLETION_INDEX +
    /// SOCKSPEC_SHARD_COUNT).
    #[arg(long, value_name = "K/N|auto")]
    pub(crate) shard: Option<String>,
    /// Skip students whose result is already in --out.
    #[arg(long)]
    pub(crate) resume: bool,
    /// Language of feedback and summary: en or zh (default from LC_ALL, LC_MESSAGES, LANG).
    #[arg(long, value_parser = parse_lang)]
    pub(crate) lang: Option<Lang>,
    /// DIR is one submission inside Gradescope's autograder: also write results.json.
    #[arg(long)]
    pub(crate) gradescope: bool,
    /// Join the outputs of shards (their --out folders) into --out.
    #[arg(long, value_name = "DIR", num_args = 1.., conflicts_with_all = ["dir", "shard", "resume", "gradescope"])]
    pub(crate) merge: Vec<PathBuf>,
}

/// Output format of `list`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only the checks of this role.
    #[arg(long, value_parser = parse_role)]
    pub(crate) role: Option<Role>,
    /// text or json (an array of {id, role, level, spec, title}).
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: Format,
    /// Language of the titles: en or zh (default from LC_ALL, LC_MESSAGES, LANG).
    #[arg(long, value_parser = parse_lang)]
    pub(crate) lang: Option<Lang>,
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The role the program plays.
    #[arg(long, value_parser = parse_role)]
    pub(crate) role: Role,
    /// What the program's replies mean: echo, lines or any.
    #[arg(long, value_parser = parse_contract, default_value = "any")]
    pub(crate) contract: Contract,
    /// The server a client uses (or the address a server binds): HOST:PORT, the
    /// host an IP address or a name. An override: clients reach sockspec
    /// wherever they connect.
    #[arg(long, value_name = "HOST:PORT")]
    pub(crate) addr: Option<ServerAddr>,
    /// Input script: lines fed to the program's stdin, one at a time.
    #[arg(long, value_name = "FILE")]
    pub(crate) input: Option<PathBuf>,
    /// Only checks whose ID matches (glob, repeatable).
    #[arg(long, value_name = "GLOB")]
    pub(crate) only: Vec<String>,
    /// Leave out checks whose ID matches (glob, repeatable).
    #[arg(long, value_name = "GLOB")]
    pub(crate) skip: Vec<String>,
    /// Seed of the property checks (printed with every failure).
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Cases per property check (default 32).
    #[arg(long)]
    pub(crate) cases: Option<u32>,
    /// Wall-clock limit of one check, e.g. 30s (the default).
    #[arg(long, value_name = "DUR", value_parser = humantime::parse_duration)]
    pub(crate) timeout: Option<Duration>,
    /// How many more times a failing check is run to see if it reproduces (default 2).
    #[arg(long)]
    pub(crate) retries: Option<u32>,
    /// Checks run at once (default: the number of cores).
    #[arg(long)]
    pub(crate) jobs: Option<usize>,
    /// Write the JSON report here.
    #[arg(long, value_name = "PATH")]
    pub(crate) json: Option<PathBuf>,
    /// Write a JUnit XML report here.
    #[arg(long, value_name = "PATH")]
    pub(crate) junit: Option<PathBuf>,
    /// Write a Markdown report here.
    #[arg(long, value_name = "PATH")]
    pub(crate) markdown: Option<PathBuf>,
    /// Write an HTML report here: one self-contained file (the transcript as a
    /// sequence diagram, the target's stderr), nothing loaded from the network.
    #[arg(long, value_name = "PATH")]
    pub(crate) html: Option<PathBuf>,
    /// Language of the report: en or zh (default from LC_ALL, LC_MESSAGES, LANG).
    #[arg(long, value_parser = parse_lang)]
    pub(crate) lang: Option<Lang>,
    /// Keep each request an HTTP client sends, normalized, in DIR (request.http);
    /// a later run that sends a different one says so and writes request.http.new.
    #[arg(long, value_name = "DIR")]
    pub(crate) snapshot_dir: Option<PathBuf>,
    /// Run the program without a sandbox, on the host's loopback.
    #[arg(long)]
    pub(crate) no_sandbox: bool,
    /// Check a server already running at this loopback address.
    #[arg(long, value_name = "HOST:PORT", conflicts_with = "reference")]
    pub(crate) remote: Option<SocketAddr>,
    /// Check sockspec's own reference implementation of the role.
    #[arg(long)]
    pub(crate) reference: bool,
    /// The program to check and its arguments ({host}, {port}, {broadcast} are filled in).
    #[arg(last = true, value_name = "CMD")]
    pub(crate) command: Vec<String>,
}

impl RunArgs {
    /// Whether this run starts a program in a sandbox.
    pub(crate) fn wants_sandbox(&self) -> bool {
        !self.no_sandbox && !self.command.is_empty()
    }

    /// The options of the run, or why they do not make one.
    pub(crate) fn into_options(self) -> Result<RunOptions, String> {
        let target = match (self.remote, self.reference, self.command.is_empty()) {
            (Some(addr), false, true) => TargetChoice::Remote(addr),
            (None, true, true) => TargetChoice::Reference,
            (None, false, false) => TargetChoice::Command(self.command),
            _ => {
                return Err(
                    "give exactly one target: a program after `--`, --remote HOST:PORT, or --reference"
                        .into(),
                );
            }
        };
        Ok(RunOptions {
            role: self.role,
            contract: self.contract,
            addr: self.addr,
            input: self.input,
            only: self.only,
            skip: self.skip,
            seed: self.seed,
            cases: self.cases,
            timeout: self.timeout,
            retries: self.retries,
            jobs: self.jobs,
            json: self.json,
            junit: self.junit,
            markdown: self.markdown,
            html: self.html,
            snapshot_dir: self.snapshot_dir,
            no_sandbox: self.no_sandbox,
            lang: self.lang.unwrap_or_else(Lang::from_env),
            target,
        })
    }
}

impl GradeArgs {
    /// The options of the grading run.
    pub(crate) fn into_options(self) -> GradeOptions {
        GradeOptions {
            dir: self.dir,
            manifest: self.manifest,
            jobs: self.jobs,
            out: self.out,
            shard: self.shard,
            resume: self.resume,
            lang: self.lang.unwrap_or_else(Lang::from_env),
            gradescope: self.gradescope,
            merge: self.merge,
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct ReferenceArgs {
    /// The role to play.
    #[arg(value_parser = parse_role)]
    pub(crate) role: Role,
    /// Where a server binds.
    #[arg(
        long,
        value_name = "HOST:PORT",
        default_value = "127.0.0.1:0",
        conflicts_with = "connect"
    )]
    pub(crate) bind: SocketAddr,
    /// The server a client uses.
    #[arg(long, value_name = "HOST:PORT")]
    pub(crate) connect: Option<SocketAddr>,
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
        .map_err(|e: sockspec_results::UnknownName| e.to_string())
}

fn parse_contract(s: &str) -> Result<Contract, String> {
    s.parse()
        .map_err(|e: sockspec_results::UnknownName| e.to_string())
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse()
        .map_err(|e: sockspec_results::UnknownName| e.to_string())
}
