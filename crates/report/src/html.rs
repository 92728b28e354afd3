//! HTML reports: one self-contained file each (inline CSS, a few lines of
//! inline script, nothing fetched from the network), rendered with minijinja
//! templates that escape everything by default — every byte a target sent,
//! every student name, every path.
//!
//! Three pages: one run ([`run_page`]), one student of a class
//! ([`student_page`], the same layout with a section per task) and the class
//! ([`summary_page`]: students × checks, the score distribution, the checks
//! most missed). Nothing here depends on the clock: the same results give the
//! same bytes.

use crate::catalog::Catalog;
use crate::{Report, TargetInfo};
use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use sockspec_results::{CheckResult, Message, Outcome, msg};
use sockspec_wire::{Direction, Event};
use std::collections::BTreeMap;
use std::sync::OnceLock;

const STYLE: &str = include_str!("../templates/style.css");
const SCRIPT: &str = include_str!("../templates/script.js");
const TEMPLATES: [(&str, &str); 4] = [
    ("base.html", include_str!("../templates/base.html")),
    ("task.html", include_str!("../templates/task.html")),
    ("report.html", include_str!("../templates/report.html")),
    ("summary.html", include_str!("../templates/summary.html")),
];

/// Everything but `A-Z a-z 0-9 - . _ ~` is percent-encoded in links.
const URL_PART: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // `.html` templates escape every value unless marked safe; the only
        // values marked safe are the style sheet and the script, ours.
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .expect("the bundled templates parse");
        }
        env
    })
}

fn render(template: &str, ctx: Value) -> String {
    env()
        .get_template(template)
        .and_then(|t| t.render(ctx))
        .expect("the bundled templates render every page")
}

/// One part of a link, percent-encoded (student names may be any characters).
pub fn url_part(text: &str) -> String {
    utf8_percent_encode(text, URL_PART).to_string()
}

/// The link from the class summary to a student's page: `students/<name>.html`.
pub fn student_href(student: &str) -> String {
    format!("students/{}.html", url_part(student))
}

/// The anchor of a check on a page: its ID, or `<task>/<ID>` when two tasks
/// of the page ran the same check (`shared`).
pub fn check_anchor(task: Option<&str>, id: &str, shared: bool) -> String {
    match task {
        Some(task) if shared => format!("{task}/{id}"),
        _ => id.to_string(),
    }
}

/// The anchor of a task's section on a student's page.
pub fn task_anchor(task: &str) -> String {
    format!("task-{task}")
}

/// What a build step did, for the student's page.
#[derive(Debug, Clone, Serialize)]
pub struct BuildView {
    /// The command as run.
    pub command: String,
    /// Whether it succeeded.
    pub ok: bool,
    /// How it ended, in words.
    pub status: String,
    /// What it printed (the end, if long).
    pub output: String,
}

/// One task of a student, for their page.
#[derive(Debug, Clone)]
pub struct StudentTask<'a> {
    /// The task's name.
    pub name: &'a str,
    /// The role it was graded in.
    pub role: &'a str,
    /// The file that played it.
    pub file: Option<&'a str>,
    /// Points earned.
    pub score: u32,
    /// Points possible.
    pub max: u32,
    /// Why it was not graded, if it was not.
    pub problem: Option<&'a str>,
    /// The build step, if the task has one.
    pub build: Option<BuildView>,
    /// The run, when it ran.
    pub report: Option<&'a Report>,
    /// Points per check ID: (earned, possible).
    pub points: BTreeMap<String, (u32, u32)>,
}

#[derive(Serialize)]
struct TaskView {
    anchor: String,
    name: Option<String>,
    role: String,
    file: Option<String>,
    score: Option<String>,
    meta: Vec<(String, String)>,
    notices: Vec<String>,
    counts: Option<String>,
    problem: Option<String>,
    build: Option<BuildView>,
    checks: Vec<CheckView>,
    problems: Vec<(String, String, &'static str, String)>,
}

/// Links to the checks that need attention (fail, warn, error), first.
fn problems(checks: &[CheckView]) -> Vec<(String, String, &'static str, String)> {
    checks
        .iter()
        .filter(|c| c.open)
        .map(|c| {
            (
                c.anchor.clone(),
                c.id.clone(),
                c.outcome,
                c.outcome_label.clone(),
            )
        })
        .collect()
}

#[derive(Serialize)]
struct CheckView {
    anchor: String,
    id: String,
    title: String,
    level: String,
    outcome: &'static str,
    outcome_label: String,
    message: String,
    spec: String,
    open: bool,
    points: Option<String>,
    counterexample: Option<String>,
    omitted: Option<String>,
    rows: Vec<RowView>,
    stderr: Option<String>,
    stdout: Option<String>,
    facts: Vec<String>,
    rerun: Option<String>,
}

#[derive(Serialize)]
struct RowView {
    time: String,
    endpoint: String,
    /// `to`, `from` or `note`.
    dir: &'static str,
    text: String,
    size: String,
    /// `eof`, `rst`, `timeout`, `exit` or `` for other notes.
    kind: &'static str,
    mark: String,
}

/// The labels every page uses, in the catalog's language.
fn labels(catalog: &Catalog) -> BTreeMap<&'static str, String> {
    [
        "html-peers",
        "html-target",
        "html-transcript",
        "html-spec",
        "html-task",
        "html-file",
        "html-build",
        "html-student",
        "html-matrix",
        "html-legend",
        "html-back",
        "html-eof",
        "html-rst",
        "html-timeout",
        "html-role",
        "html-kind",
        "html-language",
        "html-contract",
        "html-seed",
        "html-sandbox",
        "html-yes",
        "html-no",
        "html-percent",
        "grade-score",
        "grade-students",
        "grade-mean",
        "grade-median",
        "grade-distribution",
        "grade-most-missed",
        "grade-example",
        "grade-points",
        "grade-not-run",
        "grade-no-students",
        "grade-class-summary",
        "column-check",
        "column-level",
        "column-outcome",
        "column-message",
        "evidence-smallest-input",
        "evidence-stderr",
        "evidence-stdout",
        "evidence-facts",
        "evidence-rerun",
    ]
    .into_iter()
    .map(|id| (id, catalog.label(id)))
    .collect()
}

fn legend(catalog: &Catalog) -> Vec<(&'static str, String, &'static str)> {
    Outcome::ALL
        .iter()
        .map(|o| {
            (
                o.as_str(),
                crate::text::outcome_label(catalog, *o),
                symbol(*o),
            )
        })
        .collect()
}

/// The one-character mark of an outcome in the matrix.
fn symbol(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "✓",
        Outcome::Fail => "✗",
        Outcome::Warn => "!",
        Outcome::Info => "i",
        Outcome::Skip => "–",
        Outcome::Error => "E",
    }
}

fn note_kind(text: &str) -> &'static str {
    let lower = text.to_ascii_lowercase();
    if lower.contains("rst") || lower.contains("reset") {
        "rst"
    } else if lower.contains("eof") || lower.contains("fin)") || lower.contains("closed") {
        "eof"
    } else if lower.contains("nothing more within")
        || lower.contains("timeout")
        || lower.contains("timed out")
        || lower.contains("no reply")
    {
        "timeout"
    } else if lower.contains("ended") || lower.contains("exited") || lower.contains("killed") {
        "exit"
    } else {
        ""
    }
}

fn row(catalog: &Catalog, e: &Event) -> RowView {
    let (dir, kind) = match e.direction {
        Direction::ToTarget => ("to", ""),
        Direction::FromTarget => ("from", ""),
        Direction::Note => ("note", note_kind(&e.text)),
    };
    let mark = match kind {
        "eof" => catalog.label("html-eof"),
        "rst" => catalog.label("html-rst"),
        "timeout" => catalog.label("html-timeout"),
        _ => String::new(),
    };
    RowView {
        time: format!("{:.3} ms", e.at_us as f64 / 1000.0),
        endpoint: e.endpoint.clone(),
        dir,
        text: e.text.clone(),
        size: if dir == "note" {
            String::new()
        } else {
            catalog.render(&msg!("html-bytes", count = e.len))
        },
        kind,
        mark,
    }
}

fn check_view(
    catalog: &Catalog,
    r: &CheckResult,
    anchor: String,
    points: Option<(u32, u32)>,
) -> CheckView {
    let e = &r.evidence;
    CheckView {
        anchor,
        id: r.id().to_string(),
        title: catalog.title(&r.check),
        level: catalog.label(&format!("level-{}", r.check.level.as_str())),
        outcome: r.outcome.as_str(),
        outcome_label: crate::text::outcome_label(catalog, r.outcome),
        message: catalog.render(&r.message),
        spec: r.check.spec.to_string(),
        open: matches!(r.outcome, Outcome::Fail | Outcome::Warn | Outcome::Error),
        points: points.map(|(earned, of)| format!("{earned}/{of}")),
        counterexample: e
            .counterexample
            .as_ref()
            .map(|c| crate::evidence::counterexample(catalog, c)),
        omitted: (e.transcript_omitted > 0).then(|| {
            catalog.render(&msg!(
                "evidence-earlier-events",
                count = e.transcript_omitted
            ))
        }),
        rows: e.transcript.iter().map(|ev| row(catalog, ev)).collect(),
        stderr: e.stderr_tail.clone().filter(|s| !s.trim().is_empty()),
        stdout: e.stdout_tail.clone().filter(|s| !s.trim().is_empty()),
        facts: crate::evidence::facts(catalog, e),
        rerun: e.rerun.clone(),
    }
}

fn target_meta(catalog: &Catalog, t: &TargetInfo) -> Vec<(String, String)> {
    vec![
        (catalog.label("html-target"), t.name.clone()),
        (catalog.label("html-kind"), t.kind.to_string()),
        (catalog.label("html-language"), t.language.to_string()),
        (catalog.label("html-contract"), t.contract.clone()),
        (catalog.label("html-seed"), t.seed.to_string()),
        (
            catalog.label("html-sandbox"),
            catalog.label(if t.sandboxed { "html-yes" } else { "html-no" }),
        ),
    ]
}

fn counts(catalog: &Catalog, report: &Report) -> String {
    catalog.render(&crate::text::counts_message(
        "report-counts",
        &report.summary(),
    ))
}

fn notices(catalog: &Catalog, notices: &[Message]) -> Vec<String> {
    notices.iter().map(|n| catalog.render(n)).collect()
}

/// The page of one run: the target, then each check with its outcome,
/// diagnosis, smallest counterexample, the transcript as a sequence diagram,
/// and the target's stderr.
pub fn run_page(report: &Report, catalog: &Catalog) -> String {
    let task = TaskView {
        anchor: "run".into(),
        name: None,
        role: report.role.to_string(),
        file: None,
        score: None,
        meta: target_meta(catalog, &report.target),
        notices: notices(catalog, &report.notices),
        counts: Some(counts(catalog, report)),
        problem: None,
        build: None,
        checks: report
            .results
            .iter()
            .map(|r| check_view(catalog, r, r.id().to_string(), None))
            .collect(),
        problems: Vec::new(),
    };
    let task = TaskView {
        problems: problems(&task.checks),
        ..task
    };
    let heading = catalog.render(&msg!(
        "report-title",
        name = report.target.name.as_str(),
        role = report.role.as_str()
    ));
    render(
        "report.html",
        context! {
            lang => catalog.lang().as_str(),
            title => heading.clone(),
            heading => heading,
            subtitle => Some(counts(catalog, report)),
            tasks => Value::from(Serde(vec![task])),
            back => Option::<String>::None,
            l => Value::from(Serde(labels(catalog))),
            legend => Value::from(Serde(legend(catalog))),
            style => Value::from_safe_string(STYLE.into()),
            script => Value::from_safe_string(SCRIPT.into()),
            footer => footer(catalog),
        },
    )
}

fn footer(catalog: &Catalog) -> String {
    catalog.render(&msg!("html-footer", version = env!("CARGO_PKG_VERSION")))
}

/// IDs that more than one task of a student ran: their anchors name the task.
pub fn shared_ids<'a>(tasks: impl IntoIterator<Item = Vec<&'a str>>) -> Vec<&'a str> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for ids in tasks {
        let mut ids = ids;
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            *seen.entry(id).or_default() += 1;
        }
    }
    seen.into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(id, _)| id)
        .collect()
}

/// A student's page of a graded class: their score, then a section per task
/// laid out as [`run_page`] (build output and why a task was not graded
/// included). Each check's anchor is [`check_anchor`], each task's
/// [`task_anchor`].
pub fn student_page(
    student: &str,
    total: u32,
    max: u32,
    tasks: &[StudentTask<'_>],
    catalog: &Catalog,
) -> String {
    let shared = shared_ids(tasks.iter().map(|t| {
        t.report
            .map_or_else(Vec::new, |r| r.results.iter().map(|r| r.id()).collect())
    }));
    let views: Vec<TaskView> = tasks
        .iter()
        .map(|t| TaskView {
            anchor: task_anchor(t.name),
            name: Some(t.name.to_string()),
            role: t.role.to_string(),
            file: t.file.map(str::to_string),
            score: Some(format!("{} / {}", t.score, t.max)),
            meta: t
                .report
                .map_or_else(Vec::new, |r| target_meta(catalog, &r.target)),
            notices: t
                .report
                .map_or_else(Vec::new, |r| notices(catalog, &r.notices)),
            counts: t.report.map(|r| counts(catalog, r)),
            problem: t.problem.map(str::to_string),
            build: t.build.clone(),
            checks: t.report.map_or_else(Vec::new, |report| {
                report
                    .results
                    .iter()
                    .map(|r| {
                        let anchor = check_anchor(Some(t.name), r.id(), shared.contains(&r.id()));
                        check_view(catalog, r, anchor, t.points.get(r.id()).copied())
                    })
                    .collect()
            }),
            problems: Vec::new(),
        })
        .map(|task| TaskView {
            problems: problems(&task.checks),
            ..task
        })
        .collect();
    let heading = student.to_string();
    render(
        "report.html",
        context! {
            lang => catalog.lang().as_str(),
            title => format!("{student} — sockspec"),
            heading => heading,
            subtitle => Some(format!("{}: {total} / {max}", catalog.label("grade-score"))),
            tasks => Value::from(Serde(&views)),
            back => Some("../summary.html"),
            l => Value::from(Serde(labels(catalog))),
            legend => Value::from(Serde(legend(catalog))),
            style => Value::from_safe_string(STYLE.into()),
            script => Value::from_safe_string(SCRIPT.into()),
            footer => footer(catalog),
        },
    )
}

/// One check of one student's task, for the class summary.
#[derive(Debug, Clone)]
pub struct ClassCheck {
    /// The check's ID.
    pub id: String,
    /// What came of it.
    pub outcome: Outcome,
    /// Its diagnosis, rendered.
    pub message: String,
}

/// One task of one student, for the class summary.
#[derive(Debug, Clone)]
pub struct ClassTask {
    /// The task's name.
    pub name: String,
    /// Why it was not graded (then `checks` is empty).
    pub problem: Option<String>,
    /// Its checks, in catalog order.
    pub checks: Vec<ClassCheck>,
}

/// One student, for the class summary.
#[derive(Debug, Clone)]
pub struct ClassStudent {
    /// The student's name.
    pub name: String,
    /// Points earned.
    pub total: u32,
    /// Points possible.
    pub max: u32,
    /// Their tasks, in manifest order.
    pub tasks: Vec<ClassTask>,
}

#[derive(Serialize)]
struct Column {
    task: String,
    id: String,
    /// The short name shown in the header (the ID without the role prefix).
    short: String,
}

#[derive(Serialize)]
struct Cell {
    outcome: &'static str,
    symbol: &'static str,
    href: String,
    title: String,
}

#[derive(Serialize)]
struct RowOfMatrix {
    name: String,
    href: String,
    score: String,
    percent: String,
    cells: Vec<Cell>,
}

#[derive(Serialize)]
struct Bar {
    label: String,
    count: usize,
    x: u32,
    y: u32,
    height: u32,
    label_y: u32,
}

#[derive(Serialize)]
struct Missed {
    task: String,
    id: String,
    count: usize,
    width: u32,
    example: String,
    column: usize,
}

/// The class summary page: the students × checks matrix (each cell coloured
/// by outcome, linking to the check on the student's page), the score
/// distribution as a bar chart, and the checks most students did not pass.
/// Students are shown sorted by name.
pub fn summary_page(students: &[ClassStudent], catalog: &Catalog) -> String {
    let mut students: Vec<&ClassStudent> = students.iter().collect();
    students.sort_by(|a, b| a.name.cmp(&b.name));
    // Columns: every (task, check) anyone ran, tasks in order of appearance.
    let mut task_order: Vec<&str> = Vec::new();
    let mut columns: Vec<Column> = Vec::new();
    for s in &students {
        for t in &s.tasks {
            if !task_order.contains(&t.name.as_str()) {
                task_order.push(&t.name);
            }
        }
    }
    for task in &task_order {
        for s in &students {
            for t in s.tasks.iter().filter(|t| t.name == *task) {
                for c in &t.checks {
                    if !columns
                        .iter()
                        .any(|col| col.task == *task && col.id == c.id)
                    {
                        columns.push(Column {
                            task: task.to_string(),
                            short: c.id.splitn(3, '.').nth(2).unwrap_or(&c.id).to_string(),
                            id: c.id.clone(),
                        });
                    }
                }
            }
        }
    }
    // A task nobody ran still gets a column, to show who was not graded.
    for task in &task_order {
        if !columns.iter().any(|c| c.task == *task) {
            columns.push(Column {
                task: task.to_string(),
                id: String::new(),
                short: catalog.label("grade-not-run"),
            });
        }
    }
    columns.sort_by_key(|c| task_order.iter().position(|t| *t == c.task));
    let groups: Vec<(String, usize)> = task_order
        .iter()
        .map(|t| {
            (
                t.to_string(),
                columns.iter().filter(|c| c.task == *t).count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    let not_graded = catalog.label("grade-not-run");
    let rows: Vec<RowOfMatrix> = students
        .iter()
        .map(|s| {
            let href = student_href(&s.name);
            let shared = shared_ids(
                s.tasks
                    .iter()
                    .map(|t| t.checks.iter().map(|c| c.id.as_str()).collect()),
            );
            let cells = columns
                .iter()
                .map(|col| {
                    let task = s.tasks.iter().find(|t| t.name == col.task);
                    let check = task.and_then(|t| t.checks.iter().find(|c| c.id == col.id));
                    match (task, check) {
                        (Some(_), Some(c)) => Cell {
                            outcome: c.outcome.as_str(),
                            symbol: symbol(c.outcome),
                            href: format!(
                                "{href}#{}",
                                url_part(&check_anchor(
                                    Some(&col.task),
                                    &c.id,
                                    shared.contains(&c.id.as_str())
                                ))
                            ),
                            title: format!(
                                "{} · {} · {}: {}",
                                s.name,
                                c.id,
                                crate::text::outcome_label(catalog, c.outcome),
                                c.message
                            ),
                        },
                        (Some(t), None) => Cell {
                            outcome: "notrun",
                            symbol: "·",
                            href: format!("{href}#{}", url_part(&task_anchor(&t.name))),
                            title: format!(
                                "{} · {}: {}",
                                s.name,
                                t.name,
                                t.problem.clone().unwrap_or_else(|| not_graded.clone())
                            ),
                        },
                        (None, _) => Cell {
                            outcome: "none",
                            symbol: "",
                            href: href.clone(),
                            title: format!("{} · {}", s.name, col.id),
                        },
                    }
                })
                .collect();
            RowOfMatrix {
                name: s.name.clone(),
                href,
                score: format!("{} / {}", s.total, s.max),
                percent: format!("{:.0}%", percent(s.total, s.max)),
                cells,
            }
        })
        .collect();

    // The score distribution: ten buckets of 10 %.
    let percents: Vec<f64> = students.iter().map(|s| percent(s.total, s.max)).collect();
    let mut buckets = [0usize; 10];
    for p in &percents {
        buckets[((*p / 10.0).floor() as usize).min(9)] += 1;
    }
    let tallest = buckets.iter().copied().max().unwrap_or(0).max(1);
    let bars: Vec<Bar> = buckets
        .iter()
        .enumerate()
        .map(|(i, &count)| {
            let height = (160 * count / tallest) as u32;
            Bar {
                label: format!("{}–{}", i * 10, i * 10 + 10),
                count,
                x: 40 + 56 * i as u32,
                y: 180 - height,
                height,
                label_y: 180 - height - 6,
            }
        })
        .collect();
    let stats = if percents.is_empty() {
        None
    } else {
        let mut sorted = percents.clone();
        sorted.sort_by(f64::total_cmp);
        let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
        Some(format!(
            "{}: {} · {}: {mean:.1}% · {}: {:.1}%",
            catalog.label("grade-students"),
            sorted.len(),
            catalog.label("grade-mean"),
            catalog.label("grade-median"),
            sorted[sorted.len() / 2]
        ))
    };

    // The checks most students did not pass.
    let mut missed: BTreeMap<(String, String), (usize, String)> = BTreeMap::new();
    for s in &students {
        for t in &s.tasks {
            for c in t
                .checks
                .iter()
                .filter(|c| matches!(c.outcome, Outcome::Fail | Outcome::Warn))
            {
                missed
                    .entry((t.name.clone(), c.id.clone()))
                    .or_insert((0, c.message.clone()))
                    .0 += 1;
            }
        }
    }
    let mut missed: Vec<_> = missed.into_iter().collect();
    missed.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(&b.0)));
    let most = missed.first().map_or(1, |m| m.1.0).max(1);
    let missed: Vec<Missed> = missed
        .into_iter()
        .take(12)
        .map(|((task, id), (count, example))| Missed {
            column: columns
                .iter()
                .position(|c| c.task == task && c.id == id)
                .unwrap_or(0),
            width: (120 * count / most) as u32,
            task,
            id,
            count,
            example,
        })
        .collect();
    let title = catalog.label("grade-class-summary");
    render(
        "summary.html",
        context! {
            lang => catalog.lang().as_str(),
            title => title.clone(),
            heading => title,
            l => Value::from(Serde(labels(catalog))),
            legend => Value::from(Serde(legend(catalog))),
            groups => Value::from(Serde(&groups)),
            columns => Value::from(Serde(&columns)),
            rows => Value::from(Serde(&rows)),
            bars => Value::from(Serde(&bars)),
            stats => stats,
            missed => Value::from(Serde(&missed)),
            style => Value::from_safe_string(STYLE.into()),
            script => Value::from_safe_string(SCRIPT.into()),
            footer => footer(catalog),
        },
    )
}

fn percent(total: u32, max: u32) -> f64 {
    if max == 0 {
        0.0
    } else {
        100.0 * f64::from(total) / f64::from(max)
    }
}
