//! The terminal report: a line per check as it finishes, then the evidence of
//! each problem and the summary.

use crate::catalog::Catalog;
use crate::{Report, TargetInfo};
use anstyle::{AnsiColor, Style};
use sockspec_results::{CheckResult, Message, Outcome, Role, Summary, msg};
use std::fmt::Write;

fn style(outcome: Outcome) -> Style {
    let color = match outcome {
        Outcome::Pass => AnsiColor::Green,
        Outcome::Fail | Outcome::Error => AnsiColor::Red,
        Outcome::Warn => AnsiColor::Yellow,
        Outcome::Info => AnsiColor::Cyan,
        Outcome::Skip => AnsiColor::BrightBlack,
    };
    Style::new().fg_color(Some(color.into())).bold()
}

/// An outcome's label in the catalog's language (`pass`, `通过`).
pub fn outcome_label(catalog: &Catalog, outcome: Outcome) -> String {
    catalog.label(&format!("outcome-{}", outcome.as_str()))
}

/// The header line: sockspec's version, the target, its role, contract and seed.
pub fn header(catalog: &Catalog, target: &TargetInfo, role: Role, notices: &[Message]) -> String {
    let mut out = catalog.render(&msg!(
        "report-header",
        version = env!("CARGO_PKG_VERSION"),
        name = target.name.as_str(),
        role = role.as_str(),
        contract = target.contract.as_str(),
        seed = target.seed.to_string()
    ));
    out.push('\n');
    for notice in notices {
        let text = catalog.render(notice);
        let _ = writeln!(out, "{}", catalog.render(&msg!("report-note", text = text)));
    }
    out
}

/// One line for a finished check: `  pass  udp.server.reply  3 ms  replied …`.
pub fn result_line(catalog: &Catalog, r: &CheckResult) -> String {
    let s = style(r.outcome);
    let message = catalog.render(&r.message);
    format!(
        "  {s}{:<5}{s:#}  {:<36} {:>6} ms  {}",
        outcome_label(catalog, r.outcome),
        r.id(),
        r.duration_ms,
        first_sentence(&message)
    )
}

/// The first sentence of a message (English `. ` or Chinese `。`).
fn first_sentence(message: &str) -> &str {
    let end = [
        message.find(". ").map(|i| i + 1),
        message.find('。').map(|i| i + '。'.len_utf8()),
    ]
    .into_iter()
    .flatten()
    .min()
    .unwrap_or(message.len());
    &message[..end]
}

/// What follows the result lines: each problem with its evidence, then the summary.
pub fn footer(catalog: &Catalog, report: &Report) -> String {
    let mut out = String::new();
    for r in report.problems() {
        let s = style(r.outcome);
        let _ = writeln!(
            out,
            "\n{s}{} {}{s:#} [{}; {}]\n  {}\n  {}\n{}",
            outcome_label(catalog, r.outcome).to_uppercase(),
            r.id(),
            catalog.label(&format!("level-{}", r.check.level.as_str())),
            r.check.spec,
            catalog.title(&r.check),
            catalog.render(&r.message),
            crate::evidence::render_plain(catalog, &r.evidence)
        );
    }
    let _ = writeln!(out, "\n{}", summary_line(catalog, &report.summary()));
    out
}

/// The summary line: `12 checks: 10 pass, 1 fail, …`.
pub fn summary_line(catalog: &Catalog, s: &Summary) -> String {
    let total = Outcome::ALL.iter().map(|o| s.count(*o)).sum::<usize>();
    catalog.render(&counts_message("report-summary", s).with("total", total))
}

/// The outcome counts as the catalog message `id` (`report-counts`,
/// `report-summary`), with one argument per outcome.
pub fn counts_message(id: &'static str, s: &Summary) -> Message {
    Outcome::ALL
        .into_iter()
        .fold(Message::new(id), |m, o| m.with(o.as_str(), s.count(o)))
}

/// The whole report as text with ANSI styles (strip them for a non-terminal).
pub fn render(report: &Report, catalog: &Catalog) -> String {
    let mut out = header(catalog, &report.target, report.role, &report.notices);
    for r in &report.results {
        let _ = writeln!(out, "{}", result_line(catalog, r));
    }
    out.push_str(&footer(catalog, report));
    out
}

#[cfg(test)]
mod tests {
    use super::first_sentence;

    #[test]
    fn first_sentences_end_in_either_language() {
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(first_sentence("一。二。"), "一。");
        assert_eq!(first_sentence("no stop"), "no stop");
    }
}
