//! The JUnit XML report: one suite per run, one test case per check.

use crate::Report;
use crate::catalog::Catalog;
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
use sockspec_results::Outcome;
use std::time::Duration;

/// The report as JUnit XML.
pub fn render(report: &Report, catalog: &Catalog) -> String {
    let mut suite = TestSuite::new(format!("sockspec {} {}", report.role, report.target.name));
    for r in &report.results {
        let message = catalog.render(&r.message);
        let status = match r.outcome {
            Outcome::Pass | Outcome::Info => TestCaseStatus::success(),
            Outcome::Skip => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(message);
                s
            }
            Outcome::Fail | Outcome::Warn | Outcome::Error => {
                let kind = if r.outcome == Outcome::Error {
                    NonSuccessKind::Error
                } else {
                    NonSuccessKind::Failure
                };
                let mut s = TestCaseStatus::non_success(kind);
                s.set_message(message);
                s.set_type(r.outcome.as_str());
                s.set_description(crate::evidence::render_plain(catalog, &r.evidence));
                s
            }
        };
        let mut case = TestCase::new(r.id(), status);
        case.set_classname(format!("sockspec.{}", r.check.role))
            .set_time(Duration::from_millis(r.duration_ms));
        suite.add_test_case(case);
    }
    let mut junit = quick_junit::Report::new("sockspec");
    junit.add_test_suite(suite);
    junit.to_string().expect("a report always serializes")
}
