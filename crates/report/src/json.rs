//! The JSON report (DESIGN's schema). Each `message` and `diagnosis` is the
//! text in the report's language, with the message as data beside it
//! (`message_id` and `message_args`, `diagnosis_id` and `diagnosis_args`).

use crate::catalog::Catalog;
use crate::{Report, TargetInfo};
use serde::Serialize;
use serde_json::{Value, json};
use sockspec_results::{CheckResult, Message, Summary};

#[derive(Serialize)]
struct JsonReport<'a> {
    sockspec: &'static str,
    lang: &'static str,
    target: &'a TargetInfo,
    role: &'static str,
    notices: Vec<String>,
    results: Vec<Value>,
    summary: Summary,
    stats: crate::RunStats,
}

fn args(m: &Message) -> Value {
    serde_json::to_value(&m.args).unwrap_or(Value::Null)
}

/// One result as the schema has it.
pub fn result(r: &CheckResult, catalog: &Catalog) -> Value {
    let mut evidence = serde_json::to_value(&r.evidence).unwrap_or_else(|_| json!({}));
    if let Some(d) = &r.evidence.diagnosis {
        evidence["diagnosis"] = json!(catalog.render(d));
        evidence["diagnosis_id"] = json!(d.id);
        evidence["diagnosis_args"] = args(d);
    }
    if let Some(c) = &r.evidence.counterexample {
        evidence["counterexample"] = json!(crate::evidence::counterexample(catalog, c));
    }
    if !r.evidence.notes.is_empty() {
        evidence["notes"] = json!(
            r.evidence
                .notes
                .iter()
                .map(|n| catalog.render(n))
                .collect::<Vec<_>>()
        );
    }
    if let Some(exit) = r.evidence.exit {
        evidence["exit"] = json!(exit.to_string());
    }
    if let Some(rep) = r.evidence.reproduced {
        evidence["reproduced"] = json!(rep.to_string());
    }
    json!({
        "id": r.id(),
        "outcome": r.outcome,
        "level": r.check.level,
        "spec": r.check.spec,
        "title": catalog.title(&r.check),
        "message": catalog.render(&r.message),
        "message_id": r.message.id,
        "message_args": args(&r.message),
        "evidence": evidence,
        "duration_ms": r.duration_ms,
    })
}

fn document<'a>(report: &'a Report, catalog: &Catalog) -> JsonReport<'a> {
    JsonReport {
        sockspec: env!("CARGO_PKG_VERSION"),
        lang: catalog.lang().as_str(),
        target: &report.target,
        role: report.role.as_str(),
        notices: report.notices.iter().map(|n| catalog.render(n)).collect(),
        results: report.results.iter().map(|r| result(r, catalog)).collect(),
        summary: report.summary(),
        stats: report.stats,
    }
}

/// The report as pretty-printed JSON.
pub fn render(report: &Report, catalog: &Catalog) -> String {
    serde_json::to_string_pretty(&document(report, catalog)).expect("a report always serializes")
}

/// The report as a JSON value (to embed it in a larger document).
pub fn to_value(report: &Report, catalog: &Catalog) -> Value {
    serde_json::to_value(document(report, catalog)).expect("a report always serializes")
}
