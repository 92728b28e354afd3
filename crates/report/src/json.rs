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

/// The report as pretty-printed JSON.
pub fn render(report: &Report) -> String {
    let doc = JsonReport {
        sockspec: env!("CARGO_PKG_VERSION"),
        target: &report.target,
        role: report.role.as_str(),
        notices: &report.notices,
        results: &report.results,
        summary: report.summary(),
    };
    serde_json::to_string_pretty(&doc).expect("a report always serializes")
}
