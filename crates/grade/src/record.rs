//! What grading one student produced: scores per task and check, written as
//! `students/<student>.json` as soon as the student is done, and read back by
//! `--resume` and `--merge`.

use crate::build::BuildRecord;
use crate::manifest::Task;
use serde::{Deserialize, Serialize};
use sockspec_report::{Catalog, Report};
use sockspec_results::{Level, Outcome, Role};

/// One student's grade.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StudentRecord {
    /// sockspec's version.
    pub sockspec: String,
    /// The student (their folder's name).
    pub student: String,
    /// Points earned over all tasks.
    pub total: u32,
    /// Points possible over all tasks.
    pub max: u32,
    /// One entry per task, in manifest order.
    pub tasks: Vec<TaskRecord>,
}

/// One task of one student.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TaskRecord {
    /// The task's name.
    pub name: String,
    /// The role graded.
    pub role: Role,
    /// The file that played it, relative to the student's folder.
    pub file: Option<String>,
    /// Points earned.
    pub score: u32,
    /// Points possible.
    pub max: u32,
    /// Why nothing could be graded (e.g. the file is missing, the build failed).
    pub problem: Option<String>,
    /// What the task's build step did, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<BuildRecord>,
    /// Each check that counts.
    pub checks: Vec<CheckScore>,
    /// The full report of the run (DESIGN's JSON schema), when it ran.
    pub report: Option<serde_json::Value>,
}

/// One check's contribution.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CheckScore {
    /// The check's ID.
    pub id: String,
    /// Its level.
    pub level: Level,
    /// What came of it.
    pub outcome: Outcome,
    /// Points earned.
    pub earned: u32,
    /// Points possible (0 when skipped or sockspec failed: never the student's loss).
    pub points: u32,
    /// The diagnosis or observation.
    pub message: String,
    /// How long the check took, its re-runs included, in milliseconds (where
    /// a class's grading time goes).
    #[serde(default)]
    pub duration_ms: u64,
}

impl TaskRecord {
    /// Scores a run: a check's points are earned on `pass` or `info`; a `skip`
    /// because the check does not apply and an `error` (sockspec's) take the
    /// check out of the maximum; a `skip` blocked by the student's own failure
    /// keeps it in the maximum at 0.
    pub fn scored(task: &Task, file: String, report: &Report, catalog: &Catalog) -> TaskRecord {
        let checks: Vec<CheckScore> = report
            .results
            .iter()
            .filter(|r| task.counts(r.id()))
            .map(|r| {
                let worth = task.points_for(r.id(), r.check.level);
                let (earned, points) = match r.outcome {
                    Outcome::Pass | Outcome::Info => (worth, worth),
                    Outcome::Fail | Outcome::Warn => (0, worth),
                    Outcome::Skip if r.evidence.blocked_by.is_some() => (0, worth),
                    Outcome::Skip | Outcome::Error => (0, 0),
                };
                CheckScore {
                    id: r.id().to_string(),
                    level: r.check.level,
                    outcome: r.outcome,
                    earned,
                    points,
                    message: catalog.render(&r.message),
                    duration_ms: r.duration_ms,
                }
            })
            .collect();
        TaskRecord {
            name: task.name.clone(),
            role: task.role,
            file: Some(file),
            score: checks.iter().map(|c| c.earned).sum(),
            max: checks.iter().map(|c| c.points).sum(),
            problem: None,
            build: None,
            checks,
            report: Some(sockspec_report::json::to_value(report, catalog)),
        }
    }

    /// A task that could not run (`problem` says why): zero of the points its
    /// checks are worth.
    pub fn not_run(task: &Task, problem: String, checks: &[(&'static str, Level)]) -> TaskRecord {
        let max = checks
            .iter()
            .filter(|(id, _)| task.counts(id))
            .map(|(id, level)| task.points_for(id, *level))
            .sum();
        TaskRecord {
            name: task.name.clone(),
            role: task.role,
            file: None,
            score: 0,
            max,
            problem: Some(problem),
            build: None,
            checks: Vec::new(),
            report: None,
        }
    }
}

impl StudentRecord {
    /// Adds up a student's tasks.
    pub fn new(student: &str, tasks: Vec<TaskRecord>) -> StudentRecord {
        StudentRecord {
            sockspec: env!("CARGO_PKG_VERSION").to_string(),
            student: student.to_string(),
            total: tasks.iter().map(|t| t.score).sum(),
            max: tasks.iter().map(|t| t.max).sum(),
            tasks,
        }
    }
}
