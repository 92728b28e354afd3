//! The Markdown report: readable feedback for a student.

use crate::Report;
use crate::catalog::Catalog;
use sockspec_results::msg;
use std::fmt::Write;

/// The report as Markdown.
pub fn render(report: &Report, catalog: &Catalog) -> String {
    let s = report.summary();
    let mut md = format!(
        "# {}\n\n{}\n\n",
        catalog.render(&msg!(
            "report-title",
            name = report.target.name.as_str(),
            role = report.role.as_str()
        )),
        catalog.render(&crate::text::counts_message("report-counts", &s))
    );
    for notice in &report.notices {
        let _ = writeln!(md, "> {}\n", catalog.render(notice));
    }
    let _ = writeln!(
        md,
        "| {} | {} | {} | {} |\n|---|---|---|---|",
        catalog.label("column-check"),
        catalog.label("column-level"),
        catalog.label("column-outcome"),
        catalog.label("column-message")
    );
    for r in &report.results {
        let _ = writeln!(
            md,
            "| `{}` | {} | **{}** | {} |",
            r.id(),
            catalog.label(&format!("level-{}", r.check.level.as_str())),
            crate::text::outcome_label(catalog, r.outcome),
            cell(&catalog.render(&r.message))
        );
    }
    md.push_str(&details(report, catalog, 2));
    md
}

/// Text made safe for one Markdown table cell.
pub fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The evidence of every problem (fail, warn, error), under headings of `level`.
pub fn details(report: &Report, catalog: &Catalog, level: usize) -> String {
    let mut md = String::new();
    let hashes = "#".repeat(level);
    for r in report.problems() {
        let _ = write!(
            md,
            "\n{hashes} {} `{}`\n\n{}\n\n*{}* ({})\n\n```text\n{}```\n",
            crate::text::outcome_label(catalog, r.outcome),
            r.id(),
            catalog.render(&r.message),
            catalog.title(&r.check),
            r.check.spec,
            crate::evidence::render_plain(catalog, &r.evidence)
        );
    }
    md
}
