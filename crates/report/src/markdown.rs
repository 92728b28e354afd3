//! The Markdown report: readable feedback for a student.

use crate::Report;
use sockspec_harness::Outcome;
use std::fmt::Write;

/// The report as Markdown.
pub fn render(report: &Report) -> String {
    let s = report.summary();
    let mut md = format!(
        "# sockspec: {} as {}\n\n{} pass, {} fail, {} warn, {} info, {} skip, {} error\n\n",
        report.target.name, report.role, s.pass, s.fail, s.warn, s.info, s.skip, s.error
    );
    for notice in &report.notices {
        let _ = writeln!(md, "> {notice}\n");
    }
    md.push_str("| check | level | outcome | message |\n|---|---|---|---|\n");
    for r in &report.results {
        let _ = writeln!(
            md,
            "| `{}` | {} | **{}** | {} |",
            r.id,
            r.level,
            r.outcome,
            r.message.replace('|', "\\|").replace('\n', " ")
        );
    }
    md.push_str(&details(report, 2));
    md
}

/// The evidence of every problem (fail, warn, error), under headings of `level`.
pub fn details(report: &Report, level: usize) -> String {
    let mut md = String::new();
    let hashes = "#".repeat(level);
    for r in report
        .results
        .iter()
        .filter(|r| r.outcome.is_problem() || r.outcome == Outcome::Error)
    {
        let _ = write!(
            md,
            "\n{hashes} {} `{}`\n\n{}\n\n*{}* ({})\n\n```text\n{}```\n",
            r.outcome,
            r.id,
            r.message,
            r.title,
            r.spec,
            r.evidence.render_plain()
        );
    }
    md
}
