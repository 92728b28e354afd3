//! The grading manifest (TOML): what each submission is graded on.

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use sockspec_harness::server_addr::ServerAddr;
use sockspec_harness::{Contract, Level, Role};
use std::collections::BTreeMap;
use std::time::Duration;

/// The whole manifest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The tasks, each a column of grades.csv.
    #[serde(rename = "task")]
    pub tasks: Vec<Task>,
    /// Seed of the property checks (the same for every student: fair and reproducible).
    #[serde(default = "default_seed")]
    pub seed: u64,
}

/// One task: a role played by one file of each submission.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// Its name (a column in grades.csv).
    pub name: String,
    /// The role the file plays.
    pub role: Role,
    /// Glob of the file inside a student's folder, e.g. `tcp_server.py`.
    pub file: String,
    /// How to run it; `{file}` is the file found. Default `python3 {file}`.
    /// After a `build`, `./name` and `{dir}` name the build's working copy.
    #[serde(default = "default_command")]
    pub command: String,
    /// A command that builds the submission before its checks, run in a
    /// copy of the student's folder (`gcc -Wall -o server {file}`); when it
    /// fails the task scores 0 with the compiler's message.
    pub build: Option<String>,
    /// Wall-clock limit of the build (default 120 s).
    #[serde(default, deserialize_with = "duration")]
    pub build_timeout: Option<Duration>,
    /// What its replies mean.
    #[serde(default)]
    pub contract: Contract,
    /// Its stdin script.
    pub input: Option<String>,
    /// The address a client uses (or a server binds): `HOST:PORT`, the host an
    /// IP address or a name; an override of what sockspec finds by itself.
    #[serde(default, deserialize_with = "server_addr")]
    pub addr: Option<ServerAddr>,
    /// Which checks count (IDs or globs); default: every check of the role.
    #[serde(default)]
    pub checks: Vec<String>,
    /// Points per check passed, by level.
    #[serde(default)]
    pub points: Points,
    /// Points of particular checks (ID or glob), instead of their level's.
    #[serde(default)]
    pub weights: BTreeMap<String, u32>,
    /// Wall-clock limit of one check, e.g. `20s`.
    #[serde(default, deserialize_with = "duration")]
    pub timeout: Option<Duration>,
    /// Cases per property check.
    pub cases: Option<u32>,
}

/// Points per check passed, by level.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Points {
    /// Per `must` check.
    pub must: u32,
    /// Per `should` check.
    pub should: u32,
    /// Per `info` check.
    pub info: u32,
}

impl Default for Points {
    fn default() -> Self {
        Points {
            must: 10,
            should: 3,
            info: 0,
        }
    }
}

fn default_command() -> String {
    "python3 {file}".into()
}

fn default_seed() -> u64 {
    1
}

fn server_addr<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<ServerAddr>, D::Error> {
    let text = String::deserialize(d)?;
    text.parse().map(Some).map_err(serde::de::Error::custom)
}

fn duration<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    let text = String::deserialize(d)?;
    match humantime::parse_duration(&text) {
        Ok(d) if d.is_zero() => Err(serde::de::Error::custom(format!(
            "`{text}`: a check needs more than 0 s"
        ))),
        Ok(d) => Ok(Some(d)),
        Err(e) => Err(serde::de::Error::custom(format!(
            "`{text}` is not a duration like 20s: {e}"
        ))),
    }
}

fn globs(patterns: &[String]) -> Result<GlobSet, globset::Error> {
    let mut set = GlobSetBuilder::new();
    for p in patterns {
        set.add(Glob::new(p)?);
    }
    set.build()
}

impl Manifest {
    /// Parses and validates a manifest; the error names the line or the task
    /// and field. `known` lists every check ID with its role.
    pub fn parse(text: &str, known: &[(&'static str, Role)]) -> Result<Manifest, String> {
        let manifest: Manifest = toml::from_str(text).map_err(|e| e.to_string())?;
        if manifest.tasks.is_empty() {
            return Err("the manifest has no [[task]]".into());
        }
        let mut names = std::collections::HashSet::new();
        for task in &manifest.tasks {
            let at = format!("task `{}`", task.name);
            if task.name.trim().is_empty() || task.name.contains([',', '"', '\n']) {
                return Err(format!(
                    "{at}: name must be non-empty, without commas or quotes"
                ));
            }
            if !names.insert(task.name.as_str()) {
                return Err(format!("{at}: two tasks have this name"));
            }
            Glob::new(&task.file).map_err(|e| format!("{at}: file: {e}"))?;
            if task
                .build
                .as_deref()
                .is_some_and(|b| b.split_whitespace().next().is_none())
            {
                return Err(format!("{at}: build is empty"));
            }
            if task.build.is_none() && !task.command.contains("{file}") {
                return Err(format!(
                    "{at}: command `{}` does not mention {{file}} (and there is no build)",
                    task.command
                ));
            }
            for (field, patterns) in [
                ("checks", task.checks.clone()),
                ("weights", task.weights.keys().cloned().collect()),
            ] {
                for p in &patterns {
                    let set = globs(std::slice::from_ref(p))
                        .map_err(|e| format!("{at}: {field}: {e}"))?;
                    if !known
                        .iter()
                        .any(|(id, role)| *role == task.role && set.is_match(id))
                    {
                        return Err(format!(
                            "{at}: {field}: `{p}` matches no {} check",
                            task.role
                        ));
                    }
                }
            }
        }
        Ok(manifest)
    }
}

impl Task {
    /// Whether check `id` counts for this task.
    pub fn counts(&self, id: &str) -> bool {
        self.checks.is_empty() || globs(&self.checks).is_ok_and(|g| g.is_match(id))
    }

    /// The points check `id` at `level` earns when it passes.
    pub fn points_for(&self, id: &str, level: Level) -> u32 {
        for (pattern, points) in &self.weights {
            if globs(std::slice::from_ref(pattern)).is_ok_and(|g| g.is_match(id)) {
                return *points;
            }
        }
        match level {
            Level::Must => self.points.must,
            Level::Should => self.points.should,
            Level::Info => self.points.info,
        }
    }

    /// The stdin script as lines.
    pub fn input_lines(&self) -> Option<Vec<String>> {
        self.input
            .as_ref()
            .map(|s| s.lines().map(str::to_string).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[(&str, Role)] = &[
        ("tcp.server.accepts", Role::TcpServer),
        ("tcp.server.rebind", Role::TcpServer),
    ];

    #[test]
    fn reads_the_minimal_form_with_defaults() {
        let m = Manifest::parse(
            "[[task]]\nname = \"tcp-echo\"\nrole = \"tcp-server\"\nfile = \"tcp_server.py\"\ncontract = \"echo\"\n\
             weights = { \"tcp.server.rebind\" = 5 }\n",
            KNOWN,
        )
        .unwrap();
        let t = &m.tasks[0];
        assert_eq!(t.command, "python3 {file}");
        assert_eq!(t.contract, Contract::Echo);
        assert_eq!(t.points_for("tcp.server.accepts", Level::Must), 10);
        assert_eq!(t.points_for("tcp.server.rebind", Level::Should), 5);
        assert!(t.counts("tcp.server.anything"));
    }

    #[test]
    fn errors_name_the_line_and_the_field() {
        let err = Manifest::parse(
            "[[task]]\nname = \"a\"\nrole = \"tcp-sever\"\nfile = \"x.py\"\n",
            KNOWN,
        )
        .unwrap_err();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("tcp-sever"), "{err}");
        let err = Manifest::parse(
            "[[task]]\nname = \"a\"\nrole = \"tcp-server\"\nfiles = \"x.py\"\n",
            KNOWN,
        )
        .unwrap_err();
        assert!(err.contains("line 4") && err.contains("files"), "{err}");
        let err = Manifest::parse(
            "[[task]]\nname = \"a\"\nrole = \"tcp-server\"\nfile = \"x.py\"\nchecks = [\"udp.*\"]\n",
            KNOWN,
        )
        .unwrap_err();
        assert_eq!(err, "task `a`: checks: `udp.*` matches no tcp-server check");
    }

    #[test]
    fn a_built_task_may_run_what_it_built() {
        let m = Manifest::parse(
            "[[task]]\nname = \"c\"\nrole = \"tcp-server\"\nfile = \"s.c\"\n\
             build = \"gcc -o server {file}\"\ncommand = \"./server\"\nbuild_timeout = \"20s\"\n",
            KNOWN,
        )
        .unwrap();
        assert_eq!(m.tasks[0].build.as_deref(), Some("gcc -o server {file}"));
        assert_eq!(m.tasks[0].build_timeout, Some(Duration::from_secs(20)));
        let err = Manifest::parse(
            "[[task]]\nname = \"c\"\nrole = \"tcp-server\"\nfile = \"s.c\"\ncommand = \"./server\"\n",
            KNOWN,
        )
        .unwrap_err();
        assert!(err.contains("does not mention {file}"), "{err}");
    }
}
