//! Gradescope's autograder `results.json` for one submission.

use super::record::StudentRecord;
use serde_json::{Value, json};
use sockspec_harness::Outcome;

/// The submission's results in Gradescope's format: one test per check, named
/// `task: check-id`, with the diagnosis as its output.
pub fn results(record: &StudentRecord) -> Value {
    let mut tests = Vec::new();
    for task in &record.tasks {
        if let Some(problem) = &task.problem {
            tests.push(json!({
                "name": format!("{}: {}", task.name, task.role),
                "score": 0,
                "max_score": task.max,
                "status": "failed",
                "output": problem,
            }));
        }
        for check in &task.checks {
            tests.push(json!({
                "name": format!("{}: {}", task.name, check.id),
                "score": check.earned,
                "max_score": check.points,
                "status": if matches!(check.outcome, Outcome::Pass | Outcome::Info | Outcome::Skip) { "passed" } else { "failed" },
                "output": format!("{}: {}", check.outcome, check.message),
            }));
        }
    }
    json!({
        "score": record.total,
        "output": format!("sockspec {}: {} / {}", record.sockspec, record.total, record.max),
        "tests": tests,
    })
}
