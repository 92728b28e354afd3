//! The JSON report (DESIGN's schema).

use crate::{Report, Summary, TargetInfo};
use serde::Serialize;
use sockspec_harness::CheckResult;

#[derive(Serialize)]
struct JsonReport<'a> {
    sockspec: &'static str,
    target: &'a TargetInfo,
    role: &'static str,
    notices: &'a [String],
    results: &'a [CheckResult],
    summary: Summary,
}

fn document(report: &Report) -> JsonReport<'_> {
    JsonReport {
        sockspec: env!("CARGO_PKG_VERSION"),
        target: &report.target,
        role: report.role.as_str(),
        notices: &report.notices,
        results: &report.results,
        summary: report.summary(),
    }
}

/// The report as pretty-printed JSON.
pub fn render(report: &Report) -> String {
    serde_json::to_string_pretty(&document(report)).expect("a report always serializes")
}

/// The report as a JSON value (to embed it in a larger document).
pub fn to_value(report: &Report) -> serde_json::Value {
    serde_json::to_value(document(report)).expect("a report always serializes")
}
