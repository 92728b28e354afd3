//! The class's outputs, from the students' records: grades.csv, the summary
//! (what most students failed, the score distribution) and JUnit XML.

use super::record::StudentRecord;
use crate::feedback::Labels;
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
use sockspec_harness::Outcome;
use sockspec_report::Lang;
use std::collections::BTreeMap;
use std::fmt::Write;

/// `grades.csv`: `student,total,max,<task names...>`, one row per student,
/// sorted by name.
pub fn grades_csv(records: &[StudentRecord], tasks: &[String]) -> String {
    let mut sorted: Vec<&StudentRecord> = records.iter().collect();
    sorted.sort_by(|a, b| a.student.cmp(&b.student));
    let mut csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let header = ["student", "total", "max"]
        .into_iter()
        .map(str::to_string)
        .chain(tasks.iter().map(|t| inert(t)));
    // Writing to memory cannot fail.
    let _ = csv.write_record(header);
    for r in sorted {
        let scores = tasks.iter().map(|name| {
            r.tasks
                .iter()
                .find(|t| &t.name == name)
                .map_or_else(String::new, |t| t.score.to_string())
        });
        let row = [inert(&r.student), r.total.to_string(), r.max.to_string()]
            .into_iter()
            .chain(scores);
        let _ = csv.write_record(row);
    }
    String::from_utf8(csv.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A cell no spreadsheet takes for a formula: text that starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP's advice
/// against CSV injection).
fn inert(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// The class summary in Markdown: the score distribution and the checks most
/// students did not pass.
pub fn summary(records: &[StudentRecord], lang: Lang) -> String {
    let l = Labels::of(lang);
    let mut md = format!("# {}\n\n", l.class_summary);
    if records.is_empty() {
        md.push_str(&l.no_students);
        md.push('\n');
        return md;
    }
    let mut percents: Vec<f64> = records
        .iter()
        .map(|r| {
            if r.max == 0 {
                0.0
            } else {
                100.0 * f64::from(r.total) / f64::from(r.max)
            }
        })
        .collect();
    percents.sort_by(f64::total_cmp);
    let mean = percents.iter().sum::<f64>() / percents.len() as f64;
    let median = percents[percents.len() / 2];
    let _ = writeln!(
        md,
        "{}: {}   {}: {mean:.1}%   {}: {median:.1}%   min {:.1}%   max {:.1}%\n",
        l.students,
        records.len(),
        l.mean,
        l.median,
        percents[0],
        percents[percents.len() - 1]
    );
    let _ = writeln!(
        md,
        "## {}\n\n| % | {} |\n|---|---|",
        l.distribution, l.students
    );
    for bucket in 0..10 {
        let lo = f64::from(bucket * 10);
        let n = percents
            .iter()
            .filter(|&&p| p >= lo && (p < lo + 10.0 || (bucket == 9 && p <= 100.0)))
            .count();
        let _ = writeln!(
            md,
            "| {}–{} | {} {n} |",
            bucket * 10,
            bucket * 10 + 10,
            "█".repeat(n.min(60))
        );
    }
    let mut missed: BTreeMap<(String, String), (usize, String)> = BTreeMap::new();
    for r in records {
        for t in &r.tasks {
            for c in t
                .checks
                .iter()
                .filter(|c| matches!(c.outcome, Outcome::Fail | Outcome::Warn))
            {
                let e = missed
                    .entry((t.name.clone(), c.id.clone()))
                    .or_insert((0, c.message.clone()));
                e.0 += 1;
            }
            if let Some(problem) = &t.problem {
                let e = missed
                    .entry((t.name.clone(), "(not run)".into()))
                    .or_insert((0, problem.clone()));
                e.0 += 1;
            }
        }
    }
    let mut rows: Vec<_> = missed.into_iter().collect();
    rows.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(&b.0)));
    let _ = writeln!(
        md,
        "\n## {}\n\n| task | check | {} | {} |\n|---|---|---|---|",
        l.most_missed, l.students, l.example
    );
    for ((task, id), (n, example)) in rows {
        let example = example.replace('|', "\\|").replace('\n', " ");
        let _ = writeln!(md, "| {task} | `{id}` | {n} | {example} |");
    }
    md
}

/// The class summary as one HTML page: the students × checks matrix, the
/// score distribution and the checks most missed; each cell links to the
/// check on `students/<student>.html`.
pub fn summary_html(records: &[StudentRecord], lang: Lang) -> String {
    use sockspec_report::html::{ClassCheck, ClassStudent, ClassTask};
    let students: Vec<ClassStudent> = records
        .iter()
        .map(|r| ClassStudent {
            name: r.student.clone(),
            total: r.total,
            max: r.max,
            tasks: r
                .tasks
                .iter()
                .map(|t| ClassTask {
                    name: t.name.clone(),
                    problem: t.problem.clone(),
                    checks: t
                        .checks
                        .iter()
                        .map(|c| ClassCheck {
                            id: c.id.clone(),
                            outcome: c.outcome,
                            message: c.message.clone(),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    sockspec_report::html::summary_page(&students, lang.catalog())
}

/// The class as JUnit XML: a suite per student and task, a case per check.
pub fn junit(records: &[StudentRecord]) -> String {
    let mut report = quick_junit::Report::new("sockspec grade");
    for r in records {
        for t in &r.tasks {
            let mut suite = TestSuite::new(format!("{}/{}", r.student, t.name));
            if let Some(problem) = &t.problem {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(problem.as_str());
                suite.add_test_case(TestCase::new(format!("{} ({})", t.name, t.role), status));
            }
            for c in &t.checks {
                let status = match c.outcome {
                    Outcome::Pass | Outcome::Info => TestCaseStatus::success(),
                    Outcome::Skip => TestCaseStatus::skipped(),
                    Outcome::Fail | Outcome::Warn | Outcome::Error => {
                        let kind = if c.outcome == Outcome::Error {
                            NonSuccessKind::Error
                        } else {
                            NonSuccessKind::Failure
                        };
                        let mut s = TestCaseStatus::non_success(kind);
                        s.set_message(c.message.as_str());
                        s.set_type(c.outcome.as_str());
                        s
                    }
                };
                let mut case = TestCase::new(c.id.as_str(), status);
                case.set_classname(format!("{}.{}", r.student, t.name));
                suite.add_test_case(case);
            }
            report.add_test_suite(suite);
        }
    }
    report.to_string().expect("a report always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{CheckScore, TaskRecord};
    use sockspec_harness::{Level, Role};

    fn student(name: &str, earned: u32) -> StudentRecord {
        StudentRecord::new(
            name,
            vec![TaskRecord {
                name: "echo".into(),
                role: Role::UdpServer,
                file: Some("s.py".into()),
                score: earned,
                max: 10,
                problem: None,
                build: None,
                checks: vec![CheckScore {
                    id: "udp.server.reply".into(),
                    level: Level::Must,
                    outcome: if earned > 0 {
                        Outcome::Pass
                    } else {
                        Outcome::Fail
                    },
                    earned,
                    points: 10,
                    message: "no reply".into(),
                    duration_ms: 0,
                }],
                report: None,
            }],
        )
    }

    #[test]
    fn csv_cells_are_never_formulas() {
        let csv = grades_csv(&[student("=1+1", 10), student("@x", 0)], &["echo".into()]);
        assert_eq!(csv, "student,total,max,echo\n'=1+1,10,10,10\n'@x,0,10,0\n");
    }

    #[test]
    fn csv_rows_are_sorted_and_quoted() {
        let csv = grades_csv(&[student("zoe", 10), student("a,b", 0)], &["echo".into()]);
        assert_eq!(
            csv,
            "student,total,max,echo\n\"a,b\",0,10,0\nzoe,10,10,10\n"
        );
    }

    #[test]
    fn summary_counts_who_missed_what() {
        let md = summary(
            &[student("a", 0), student("b", 0), student("c", 10)],
            Lang::En,
        );
        assert!(
            md.contains("| echo | `udp.server.reply` | 2 | no reply |"),
            "{md}"
        );
        assert!(md.contains("Students: 3"), "{md}");
    }

    #[test]
    fn junit_is_valid_xml() {
        let xml = junit(&[student("a", 0)]);
        let parsed = quick_junit::Report::deserialize_from_str(&xml).unwrap();
        assert_eq!(parsed.failures, 1);
    }
}
