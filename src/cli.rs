//! The command line (clap derive). Names here are public interface (DESIGN).

use clap::{Args, Parser, Subcommand, ValueEnum};
use sockspec_harness::{Contract, Role};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Conformance suite and harness for socket programs.
#[derive(Debug, Parser)]
#[command(name = "sockspec", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
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
pub struct GradeArgs {
    /// The class: one folder per student (the folder's name is the student).
    #[arg(required_unless_present = "merge")]
    pub dir: Option<PathBuf>,
    /// The grading manifest (TOML).
    #[arg(long, value_name = "FILE", required_unless_present = "merge")]
    pub manifest: Option<PathBuf>,
    /// Students graded at once (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Where grades.csv, students/ and the summary go.
    #[arg(long, value_name = "DIR", default_value = "sockspec-grades")]
    pub out: PathBuf,
    /// Grade only shard K of N (a deterministic split by student name).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Skip students whose result is already in --out.
    #[arg(long)]
    pub resume: bool,
    /// Language of feedback and summary: en or zh.
    #[arg(long, default_value = "en")]
    pub lang: String,
    /// DIR is one submission inside Gradescope's autograder: also write results.json.
    #[arg(long)]
    pub gradescope: bool,
    /// Join the outputs of shards (their --out folders) into --out.
    #[arg(long, value_name = "DIR", num_args = 1.., conflicts_with_all = ["dir", "shard", "resume", "gradescope"])]
    pub merge: Vec<PathBuf>,
}

/// Output format of `list`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only the checks of this role.
    #[arg(long, value_parser = parse_role)]
    pub role: Option<Role>,
    /// text or json (an array of {id, role, level, spec, title}).
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The role the program plays.
    #[arg(long, value_parser = parse_role)]
    pub role: Role,
    /// What the program's replies mean: echo, lines or any.
    #[arg(long, value_parser = parse_contract, default_value = "any")]
    pub contract: Contract,
    /// The address a client uses (or a server binds), if it is hard-coded and
    /// not found in its source.
    #[arg(long, value_name = "HOST:PORT")]
    pub addr: Option<SocketAddr>,
    /// Input script: lines fed to the program's stdin, one at a time.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Only checks whose ID matches (glob, repeatable).
    #[arg(long, value_name = "GLOB")]
    pub only: Vec<String>,
    /// Leave out checks whose ID matches (glob, repeatable).
    #[arg(long, value_name = "GLOB")]
    pub skip: Vec<String>,
    /// Seed of the property checks (printed with every failure).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Cases per property check.
    #[arg(long, default_value_t = 32)]
    pub cases: u32,
    /// Wall-clock limit of one check, e.g. 30s.
    #[arg(long, value_name = "DUR", value_parser = humantime::parse_duration, default_value = "30s")]
    pub timeout: Duration,
    /// How many more times a failing check is run to see if it reproduces.
    #[arg(long, default_value_t = 2)]
    pub retries: u32,
    /// Checks run at once (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Write the JSON report here.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Write a JUnit XML report here.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
    /// Write a Markdown report here.
    #[arg(long, value_name = "PATH")]
    pub markdown: Option<PathBuf>,
    /// Keep each request an HTTP client sends, normalized, in DIR (request.http);
    /// a later run that sends a different one says so and writes request.http.new.
    #[arg(long, value_name = "DIR")]
    pub snapshot_dir: Option<PathBuf>,
    /// Run the program without a sandbox, on the host's loopback.
    #[arg(long)]
    pub no_sandbox: bool,
    /// Check a server already running at this loopback address.
    #[arg(long, value_name = "HOST:PORT", conflicts_with = "reference")]
    pub remote: Option<SocketAddr>,
    /// Check sockspec's own reference implementation of the role.
    #[arg(long)]
    pub reference: bool,
    /// The program to check and its arguments ({host}, {port}, {broadcast} are filled in).
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
}

impl RunArgs {
    /// Whether this run starts a program in a sandbox.
    pub fn wants_sandbox(&self) -> bool {
        !self.no_sandbox && !self.command.is_empty()
    }
}

#[derive(Debug, Args)]
pub struct ReferenceArgs {
    /// The role to play.
    #[arg(value_parser = parse_role)]
    pub role: Role,
    /// Where a server binds.
    #[arg(
        long,
        value_name = "HOST:PORT",
        default_value = "127.0.0.1:0",
        conflicts_with = "connect"
    )]
    pub bind: SocketAddr,
    /// The server a client uses.
    #[arg(long, value_name = "HOST:PORT")]
    pub connect: Option<SocketAddr>,
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
}

fn parse_contract(s: &str) -> Result<Contract, String> {
    s.parse()
}
