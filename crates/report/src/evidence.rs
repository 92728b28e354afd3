//! Evidence as indented plain text, one labelled block per part: the terminal
//! report, Markdown and JUnit show it, and so do `cargo test` failures.

use crate::catalog::Catalog;
use sockspec_results::{Counterexample, Evidence, msg};
use std::fmt::Write;

/// The counterexample in the catalog's language.
pub fn counterexample(catalog: &Catalog, c: &Counterexample) -> String {
    match c {
        Counterexample::Payloads(payloads) => payloads
            .iter()
            .enumerate()
            .map(|(i, p)| {
                catalog.render(&msg!("evidence-payload", n = i + 1, payload = p.as_slice()))
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Counterexample::Described(m) => catalog.render(m),
    }
}

/// The evidence's facts (how the target ended, seed, case, reproduced, notes), one a line.
pub fn facts(catalog: &Catalog, e: &Evidence) -> Vec<String> {
    let mut facts = Vec::new();
    if let Some(by) = &e.blocked_by {
        facts.push(catalog.render(&msg!("fact-blocked-by", check = by.as_str())));
    }
    if let Some(exit) = e.exit {
        let state = match (exit.code, exit.signal_name()) {
            (Some(code), _) => msg!("state-exited", code = code),
            (None, Some(signal)) => msg!("state-killed", signal = signal),
            (None, None) => msg!("state-ended"),
        };
        facts.push(catalog.render(&msg!("fact-target", state = state)));
    }
    if let Some(seed) = e.seed {
        facts.push(catalog.render(&msg!("fact-seed", seed = seed.to_string())));
    }
    if let Some(case) = e.cases {
        facts.push(catalog.render(&msg!("fact-case", case = case)));
    }
    if let Some(r) = e.reproduced {
        facts.push(catalog.render(&msg!("fact-reproduced", failed = r.failed, runs = r.runs)));
    }
    facts.extend(e.notes.iter().map(|n| catalog.render(n)));
    facts
}

/// The transcript, one event a line, after a line counting the events left out.
pub fn transcript(catalog: &Catalog, e: &Evidence) -> String {
    let mut wire = String::new();
    if e.transcript_omitted > 0 {
        let _ = writeln!(
            wire,
            "{}",
            catalog.render(&msg!(
                "evidence-earlier-events",
                count = e.transcript_omitted
            ))
        );
    }
    for event in &e.transcript {
        let _ = writeln!(wire, "{event}");
    }
    wire
}

/// The whole evidence as indented plain text.
pub fn render_plain(catalog: &Catalog, e: &Evidence) -> String {
    let mut out = String::new();
    let mut block = |label: &str, body: &str| {
        if body.trim().is_empty() {
            return;
        }
        let _ = writeln!(out, "  {}:", catalog.label(label));
        for line in body.lines() {
            let _ = writeln!(out, "    {line}");
        }
    };
    if let Some(c) = &e.counterexample {
        block("evidence-smallest-input", &counterexample(catalog, c));
    }
    block("evidence-on-the-wire", &transcript(catalog, e));
    if let Some(s) = &e.stderr_tail {
        block("evidence-stderr", s);
    }
    if let Some(s) = &e.stdout_tail {
        block("evidence-stdout", s);
    }
    block("evidence-facts", &facts(catalog, e).join("\n"));
    if let Some(r) = &e.rerun {
        block("evidence-rerun", r);
    }
    out
}
