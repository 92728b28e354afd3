//! The terminal report: a line per check, then the evidence of each problem.

use crate::Report;
use anstyle::{AnsiColor, Style};
use sockspec_harness::{CheckResult, Outcome};
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

/// One line for a finished check: `  pass  udp.server.reply  (3 ms)  replied …`.
pub fn result_line(r: &CheckResult) -> String {
    let s = style(r.outcome);
    format!(
        "  {s}{:<5}{s:#}  {:<36} {:>6} ms  {}",
        r.outcome.as_str(),
        r.id,
        r.duration_ms,
        first_sentence(&r.message)
    )
}

fn first_sentence(message: &str) -> &str {
    let end = message.find(". ").map_or(message.len(), |i| i + 1);
    &message[..end]
}

/// The whole report as text with ANSI styles (strip them for a non-terminal).
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let t = &report.target;
    let _ = writeln!(
        out,
        "sockspec {} — {} as {} (contract {}, seed {})",
        env!("CARGO_PKG_VERSION"),
        t.name,
        report.role,
        t.contract,
        t.seed
    );
    for notice in &report.notices {
        let _ = writeln!(out, "note: {notice}");
    }
    for r in &report.results {
        let _ = writeln!(out, "{}", result_line(r));
    }
    let problems: Vec<&CheckResult> = report
        .results
        .iter()
        .filter(|r| r.outcome.is_problem() || r.outcome == Outcome::Error)
        .collect();
    for r in problems {
        let s = style(r.outcome);
        let _ = writeln!(
            out,
            "\n{s}{} {}{s:#} [{}; {}]\n  {}\n{}",
            r.outcome.as_str().to_uppercase(),
            r.id,
            r.level,
            r.spec,
            r.message,
            r.evidence.render_plain()
        );
    }
    let s = report.summary();
    let _ = writeln!(
        out,
        "\n{} checks: {} pass, {} fail, {} warn, {} info, {} skip, {} error",
        report.results.len(),
        s.pass,
        s.fail,
        s.warn,
        s.info,
        s.skip,
        s.error
    );
    out
}
