//! A student's feedback in Markdown: their score per task, what failed and
//! why, the smallest input, and their program's traceback. English or Chinese.

use crate::record::StudentRecord;
use sockspec_report::{Lang, Report};
use std::fmt::Write;

/// The words of the class outputs in one language, from the catalog.
pub struct Labels {
    /// Heading of the class summary.
    pub class_summary: String,
    /// Said when there is nobody to summarize.
    pub no_students: String,
    /// "Students".
    pub students: String,
    /// "Mean".
    pub mean: String,
    /// "Median".
    pub median: String,
    /// Heading of the score distribution.
    pub distribution: String,
    /// Heading of the most-missed checks.
    pub most_missed: String,
    /// "Example".
    pub example: String,
    /// "Score".
    pub score: String,
    /// "Check".
    pub check: String,
    /// "Result".
    pub result: String,
    /// "Points".
    pub points: String,
    /// "Not graded".
    pub not_run: String,
}

impl Labels {
    /// The labels in `lang`.
    pub fn of(lang: Lang) -> Labels {
        let c = lang.catalog();
        Labels {
            class_summary: c.label("grade-class-summary"),
            no_students: c.label("grade-no-students"),
            students: c.label("grade-students"),
            mean: c.label("grade-mean"),
            median: c.label("grade-median"),
            distribution: c.label("grade-distribution"),
            most_missed: c.label("grade-most-missed"),
            example: c.label("grade-example"),
            score: c.label("grade-score"),
            check: c.label("grade-check"),
            result: c.label("grade-result"),
            points: c.label("grade-points"),
            not_run: c.label("grade-not-run"),
        }
    }
}

/// The feedback file of one student; `reports` holds each task's run, in
/// the record's task order (`None` where the task did not run).
pub fn render(record: &StudentRecord, reports: &[Option<Report>], lang: Lang) -> String {
    let l = Labels::of(lang);
    let catalog = lang.catalog();
    let mut md = format!(
        "# {} — {} {} / {}\n",
        record.student, l.score, record.total, record.max
    );
    for (task, report) in record.tasks.iter().zip(reports) {
        let _ = writeln!(
            md,
            "\n## {} ({}): {} / {}\n",
            task.name, task.role, task.score, task.max
        );
        if let Some(build) = &task.build {
            let _ = writeln!(
                md,
                "{}: `{}` — {}\n",
                catalog.label("html-build"),
                build.command,
                build.status
            );
            if !build.output.trim().is_empty() {
                let _ = writeln!(md, "```text\n{}\n```\n", build.output.trim_end());
            }
        }
        if let Some(problem) = &task.problem {
            let _ = writeln!(md, "**{}**: {problem}", l.not_run);
            continue;
        }
        let _ = writeln!(
            md,
            "| {} | {} | {} |\n|---|---|---|",
            l.check, l.result, l.points
        );
        for c in &task.checks {
            let _ = writeln!(
                md,
                "| `{}` | {} | {}/{} |",
                c.id,
                sockspec_report::text::outcome_label(catalog, c.outcome),
                c.earned,
                c.points
            );
        }
        if let Some(report) = report {
            md.push_str(&sockspec_report::markdown::details(report, catalog, 3));
        }
    }
    md
}

/// The HTML page of one student (`students/<student>.html`): the same layout
/// as `sockspec run --html`, a section per task, the build's output included.
pub fn render_html(record: &StudentRecord, reports: &[Option<Report>], lang: Lang) -> String {
    use sockspec_report::html::{BuildView, StudentTask};
    let tasks: Vec<StudentTask<'_>> = record
        .tasks
        .iter()
        .zip(reports.iter().chain(std::iter::repeat(&None)))
        .map(|(t, report)| StudentTask {
            name: &t.name,
            role: t.role.as_str(),
            file: t.file.as_deref(),
            score: t.score,
            max: t.max,
            problem: t.problem.as_deref(),
            build: t.build.as_ref().map(|b| BuildView {
                command: b.command.clone(),
                ok: b.ok,
                status: b.status.clone(),
                output: b.output.clone(),
            }),
            report: report.as_ref(),
            points: t
                .checks
                .iter()
                .map(|c| (c.id.clone(), (c.earned, c.points)))
                .collect(),
        })
        .collect();
    sockspec_report::html::student_page(
        &record.student,
        record.total,
        record.max,
        &tasks,
        lang.catalog(),
    )
}
