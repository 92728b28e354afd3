//! `sockspec grade`: a class of submissions against a manifest. Each
//! submission runs in its own sandboxes; results are written per student as
//! they finish, so nothing is lost and `--resume` can skip them.

use crate::error::{CommandError, usage};
use crate::{Manifest, StudentRecord, Task, TaskRecord, build, class, feedback, gradescope, shard};
use indicatif::{ProgressBar, ProgressStyle};
use sockspec_harness::launch::Command;
use sockspec_harness::sandbox::Availability;
use sockspec_harness::{Settings, runner};
use sockspec_report::{Lang, Report, TargetInfo};
use sockspec_results::msg;
use sockspec_results::{ExitStatus, TargetKind};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// What `sockspec grade` was asked to do.
#[derive(Debug, Clone)]
pub struct GradeOptions {
    /// The class: one folder per student.
    pub dir: Option<PathBuf>,
    /// The grading manifest (TOML).
    pub manifest: Option<PathBuf>,
    /// Checks run at once across the whole class (default: [`SLOTS_PER_CORE`]
    /// per core; 1 without a sandbox).
    pub jobs: Option<usize>,
    /// Where the outputs go.
    pub out: PathBuf,
    /// Only shard K of N (`K/N`).
    pub shard: Option<String>,
    /// Skip students already graded in `out`.
    pub resume: bool,
    /// The language of feedback and summaries.
    pub lang: Lang,
    /// `dir` is one Gradescope submission: also write results.json.
    pub gradescope: bool,
    /// Shards' output folders to join into `out` (instead of grading).
    pub merge: Vec<PathBuf>,
}

/// Grades the class (or merges shards).
pub async fn run(
    args: GradeOptions,
    sandbox: Option<Availability>,
) -> Result<ExitStatus, CommandError> {
    let lang = args.lang;
    if !args.merge.is_empty() {
        return merge(&args, lang);
    }
    let (Some(dir), Some(manifest_path)) = (&args.dir, &args.manifest) else {
        return Err(usage("grade needs DIR and --manifest FILE"));
    };
    let known: Vec<_> = sockspec_checks::catalog()
        .iter()
        .map(|c| (c.id, c.role))
        .collect();
    let manifest = match std::fs::read_to_string(manifest_path)
        .map_err(|e| e.to_string())
        .and_then(|text| Manifest::parse(&text, &known))
    {
        Ok(m) => m,
        Err(e) => return Err(usage(format!("{}: {e}", manifest_path.display()))),
    };
    let mut students = list_students(dir, args.gradescope)?;
    if let Some(spec) = &args.shard {
        let part = shard::resolve(spec, &|name| std::env::var(name).ok()).map_err(usage)?;
        if let Some(source) = &part.source {
            eprintln!("sockspec: grading shard {}/{} ({source})", part.k, part.n);
        }
        students.retain(|(name, _)| shard::contains(name, part.k, part.n));
    }
    let students_dir = args.out.join("students");
    if let Err(e) = std::fs::create_dir_all(&students_dir) {
        return Err(CommandError::Internal(format!(
            "cannot create {}: {e}",
            students_dir.display()
        )));
    }
    let sandboxed = match &sandbox {
        Some(Availability::Available) => true,
        Some(Availability::Unavailable(why)) => {
            eprintln!(
                "sockspec: no sandbox ({why}): submissions run one at a time on the host's loopback"
            );
            false
        }
        None => false,
    };
    let jobs = if sandboxed {
        args.jobs
            .unwrap_or_else(|| Settings::default().jobs * SLOTS_PER_CORE)
            .max(1)
    } else {
        1
    };
    let started = std::time::Instant::now();
    let count = students.len();
    let records = grade_all(&args, manifest, students, sandboxed, jobs, lang).await;
    eprintln!("sockspec: {}", cost_line(count, started.elapsed()));
    let Ok(records) = records else {
        return Err(CommandError::Internal(
            "some students' results could not be written".into(),
        ));
    };
    let tasks = task_names(&records);
    for task in &tasks {
        let files = records
            .iter()
            .flat_map(|r| &r.tasks)
            .filter(|t| &t.name == task);
        if files.clone().count() > 0 && files.clone().all(|t| t.file.is_none()) {
            eprintln!(
                "sockspec: warning: task `{task}`: no submission has a file matching its `file` glob; every student scored 0"
            );
        }
    }
    write_class(&args.out, &records, &tasks, lang, args.gradescope)
        .map_err(|e| CommandError::Internal(format!("cannot write the class outputs: {e}")))?;
    Ok(ExitStatus::Ok)
}

/// The students: one folder each, sorted by name; in Gradescope mode the
/// folder itself is the one submission. A folder's name is taken as the file
/// system gives it (bytes, dot-names included) and shown escaped where it is
/// not UTF-8 (`bad\xff`), so two names never become one.
fn list_students(dir: &Path, gradescope: bool) -> Result<Vec<(String, PathBuf)>, CommandError> {
    if gradescope {
        return Ok(vec![("submission".into(), dir.to_path_buf())]);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| usage(format!("{}: {e}", dir.display())))?;
    let mut students: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| (student_name(&e.file_name()), e.path()))
        .collect();
    students.sort();
    if let Some(pair) = students.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(usage(format!(
            "two student folders, {} and {}, have the same name once shown: rename one",
            pair[0].1.display(),
            pair[1].1.display()
        )));
    }
    if students.is_empty() {
        return Err(usage(format!(
            "{}: no student folders to grade (DIR holds one folder per student)",
            dir.display()
        )));
    }
    Ok(students)
}

/// A folder's name as the class outputs show it: its UTF-8 text, with each
/// byte that is not UTF-8 escaped as `\xNN` (and a backslash as `\\`, so the
/// escaping cannot collide with a name that is written that way).
pub fn student_name(name: &std::ffi::OsStr) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut shown = String::new();
    for chunk in name.as_bytes().utf8_chunks() {
        shown.push_str(&chunk.valid().replace('\\', "\\\\"));
        for b in chunk.invalid() {
            shown.push_str(&format!("\\x{b:02x}"));
        }
    }
    shown
}

/// Checks of a class run at once per core by default. A check mostly waits (on
/// a reply, a quiet window, a program starting), so one core keeps several
/// busy; each runs in its own sandbox, so they cannot meet. (A class of 40 on
/// 2 cores: 4 a core left a third of the CPU idle, 124 a minute; 8 a core,
/// 139 a minute, with the same grades.)
pub const SLOTS_PER_CORE: usize = 8;

/// The class's slots for checks: how many there are, and the free ones.
#[derive(Clone)]
struct Slots {
    free: Arc<Semaphore>,
    size: usize,
}

async fn grade_all(
    args: &GradeOptions,
    manifest: Manifest,
    students: Vec<(String, PathBuf)>,
    sandboxed: bool,
    jobs: usize,
    lang: Lang,
) -> Result<Vec<StudentRecord>, ()> {
    let progress = Progress::new(students.len() as u64);
    let manifest = Arc::new(manifest);
    // Every student starts at once; their checks take turns for the slots
    // (first come, first served), so the class is graded roughly in order.
    let slots = Slots {
        free: Arc::new(Semaphore::new(jobs)),
        size: jobs,
    };
    let mut handles = Vec::new();
    for (name, folder) in students {
        let json_path = args.out.join("students").join(format!("{name}.json"));
        if args.resume
            && let Some(record) = read_record(&json_path)
        {
            progress.done(&format!(
                "{name}: {} / {} (already graded)",
                record.total, record.max
            ));
            handles.push(tokio::spawn(async move { Ok::<_, String>(record) }));
            continue;
        }
        let (manifest, slots, progress, out) = (
            manifest.clone(),
            slots.clone(),
            progress.clone(),
            args.out.clone(),
        );
        handles.push(tokio::spawn(async move {
            let (record, reports) =
                grade_student(&name, &folder, &manifest, sandboxed, lang, &slots).await;
            write_student(&out, &record, &reports, lang).map_err(|e| format!("{name}: {e}"))?;
            progress.done(&format!("{name}: {} / {}", record.total, record.max));
            Ok(record)
        }));
    }
    let mut records = Vec::new();
    let mut failed = false;
    for h in handles {
        match h.await {
            Ok(Ok(r)) => records.push(r),
            Ok(Err(e)) => {
                eprintln!("sockspec: cannot write results of {e}");
                failed = true;
            }
            Err(e) => {
                eprintln!("sockspec: grading a student failed: {e}");
                failed = true;
            }
        }
    }
    progress.finish();
    if failed { Err(()) } else { Ok(records) }
}

async fn grade_student(
    name: &str,
    folder: &Path,
    manifest: &Manifest,
    sandboxed: bool,
    lang: Lang,
    slots: &Slots,
) -> (StudentRecord, Vec<Option<Report>>) {
    // A student's tasks are graded side by side, sharing the class's slots.
    let graded: Vec<_> = manifest
        .tasks
        .iter()
        .map(|task| {
            let (task, folder, slots) = (task.clone(), folder.to_path_buf(), slots.clone());
            let seed = manifest.seed;
            tokio::spawn(
                async move { grade_task(&task, &folder, seed, sandboxed, lang, &slots).await },
            )
        })
        .collect();
    let mut tasks = Vec::new();
    let mut reports = Vec::new();
    for (handle, task) in graded.into_iter().zip(&manifest.tasks) {
        let (record, report) = match handle.await {
            Ok(graded) => graded,
            Err(e) => (
                TaskRecord::not_run(task, format!("grading it failed: {e}"), &[]),
                None,
            ),
        };
        tasks.push(record);
        reports.push(report);
    }
    (StudentRecord::new(name, tasks), reports)
}

async fn grade_task(
    task: &Task,
    folder: &Path,
    seed: u64,
    sandboxed: bool,
    lang: Lang,
    slots: &Slots,
) -> (TaskRecord, Option<Report>) {
    let (slots, class_jobs) = (&slots.free, slots.size);
    let checks: Vec<_> = sockspec_checks::for_role(task.role)
        .into_iter()
        .filter(|c| task.counts(c.id))
        .collect();
    let levels: Vec<_> = checks.iter().map(|c| (c.id, c.level)).collect();
    let Some(file) = find_file(folder, &task.file) else {
        let problem = format!("no file matching `{}` in the submission", task.file);
        return (TaskRecord::not_run(task, problem, &levels), None);
    };
    // A command line is text: a folder whose name is not UTF-8 is reached
    // through a link with a plain name.
    let alias = match file.to_str() {
        Some(_) => None,
        None => match utf8_alias(folder) {
            Ok(alias) => Some(alias),
            Err(e) => {
                let problem = format!("could not reach the submission's folder: {e}");
                return (TaskRecord::not_run(task, problem, &levels), None);
            }
        },
    };
    let runnable = match &alias {
        Some(alias) => alias
            .path()
            .join("submission")
            .join(file.strip_prefix(folder).unwrap_or(&file)),
        None => file.clone(),
    };
    let relative = file
        .strip_prefix(folder)
        .unwrap_or(&file)
        .to_string_lossy()
        .into_owned();
    let catalog = lang.catalog();
    // The build's working copy lives until the checks are done.
    let mut workdir = None;
    let mut build_record = None;
    let argv: Vec<String> = match &task.build {
        None => task
            .command
            .split_whitespace()
            .map(|w| w.replace("{file}", &runnable.to_string_lossy()))
            .collect(),
        Some(command) => {
            let limit = task.build_timeout.unwrap_or(build::DEFAULT_LIMIT);
            // A build (a compiler) keeps a core busy: it takes one slot.
            let slot = slots.acquire().await.expect("never closed");
            let built = build::run(command, folder, Path::new(&relative), limit, catalog).await;
            drop(slot);
            match built {
                Err(e) => return (TaskRecord::not_run(task, e.to_string(), &levels), None),
                Ok(built) if !built.record.ok => {
                    let first = match build::first_error(&built.record.output) {
                        line if line.is_empty() => built.record.status.clone(),
                        line => line,
                    };
                    let problem = catalog.render(&msg!("build-problem", first = first));
                    let mut record = TaskRecord::not_run(task, problem, &levels);
                    record.file = Some(relative);
                    record.build = Some(built.record);
                    return (record, None);
                }
                Ok(built) => {
                    let words =
                        build::command_words(&task.command, built.dir.path(), Path::new(&relative));
                    build_record = Some(built.record);
                    workdir = Some(built.dir);
                    words
                }
            }
        }
    };
    let target = match Command::new(argv, sandboxed) {
        Ok(t) => Arc::new(t),
        Err(e) => {
            let mut record = TaskRecord::not_run(task, format!("could not run it: {e}"), &levels);
            record.build = build_record;
            return (record, None);
        }
    };
    let defaults = Settings::default();
    let settings = Settings {
        contract: task.contract,
        seed,
        cases: task.cases.unwrap_or(defaults.cases),
        input: task.input_lines().unwrap_or(defaults.input.clone()),
        addr: task.addr.clone(),
        check_timeout: task.timeout.unwrap_or(defaults.check_timeout),
        // Checks run side by side (across students too) when sandboxed.
        jobs: if sandboxed { class_jobs } else { 1 },
        ..defaults
    };
    let info = TargetInfo {
        name: sockspec_harness::Target::describe(target.as_ref()),
        kind: TargetKind::Command,
        language: sockspec_harness::Target::language(target.as_ref()),
        contract: task.contract.to_string(),
        sandboxed,
        seed,
    };
    let started = std::time::Instant::now();
    let starts = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let results = runner::run_checks_sharing(
        target,
        &checks,
        Arc::new(settings),
        runner::counting_starts(starts.clone(), runner::no_events()),
        slots.clone(),
    )
    .await;
    let report = Report {
        target: info,
        role: task.role,
        results,
        notices: Vec::new(),
        stats: sockspec_report::RunStats {
            instance_starts: starts.load(std::sync::atomic::Ordering::Relaxed),
            wall_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        },
    };
    drop(workdir);
    let mut record = TaskRecord::scored(task, relative, &report, catalog);
    record.build = build_record;
    (record, Some(report))
}

/// What grading cost: students, wall time, rate, and sockspec's own CPU time.
/// (Not a share of all CPU used: targets run under bwrap and are killed, not
/// reaped, at teardown, so `getrusage` cannot count theirs.)
fn cost_line(students: usize, wall: std::time::Duration) -> String {
    use nix::sys::resource::{UsageWho, getrusage};
    let own = getrusage(UsageWho::RUSAGE_SELF).map_or(0.0, |u| {
        let (user, system) = (u.user_time(), u.system_time());
        user.tv_sec() as f64
            + user.tv_usec() as f64 / 1e6
            + system.tv_sec() as f64
            + system.tv_usec() as f64 / 1e6
    });
    let per_minute = students as f64 * 60.0 / wall.as_secs_f64().max(1e-3);
    format!(
        "graded {students} students in {:.1} s ({per_minute:.0} a minute); sockspec's own CPU {own:.1} s",
        wall.as_secs_f64()
    )
}

/// A temporary folder holding `submission`, a link to `folder`: a path to the
/// submission that is plain UTF-8 whatever the folder's own name is.
fn utf8_alias(folder: &Path) -> std::io::Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new()
        .prefix("sockspec-student-")
        .tempdir()?;
    std::os::unix::fs::symlink(folder, dir.path().join("submission"))?;
    Ok(dir)
}

/// The first file (by path) under `folder` matching `pattern`, looked for up
/// to four folders deep.
fn find_file(folder: &Path, pattern: &str) -> Option<PathBuf> {
    let glob = globset::Glob::new(pattern).ok()?.compile_matcher();
    let mut found = Vec::new();
    let mut pending = vec![(folder.to_path_buf(), 0)];
    while let Some((dir, depth)) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') || name == "__pycache__" {
                continue;
            }
            if path.is_dir() && depth < 4 {
                pending.push((path, depth + 1));
            } else if path.is_file()
                && let Ok(rel) = path.strip_prefix(folder)
                && (glob.is_match(rel) || glob.is_match(&name))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found.into_iter().next()
}

fn read_record(path: &Path) -> Option<StudentRecord> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

fn write_student(
    out: &Path,
    record: &StudentRecord,
    reports: &[Option<Report>],
    lang: Lang,
) -> std::io::Result<()> {
    let dir = out.join("students");
    let md = feedback::render(record, reports, lang);
    std::fs::write(dir.join(format!("{}.md", record.student)), md)?;
    let html = feedback::render_html(record, reports, lang);
    std::fs::write(dir.join(format!("{}.html", record.student)), html)?;
    // The JSON last: its presence means the student is done (--resume).
    let json = serde_json::to_string_pretty(record).expect("a record serializes");
    let tmp = dir.join(format!(".{}.json.tmp", record.student));
    std::fs::write(&tmp, json)?;
    std::fs::rename(tmp, dir.join(format!("{}.json", record.student)))
}

fn task_names(records: &[StudentRecord]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for t in records.iter().flat_map(|r| &r.tasks) {
        if !names.contains(&t.name) {
            names.push(t.name.clone());
        }
    }
    names
}

fn write_class(
    out: &Path,
    records: &[StudentRecord],
    tasks: &[String],
    lang: Lang,
    gradescope: bool,
) -> std::io::Result<()> {
    // Sorted by name, so that shards merge into the bytes of a single run.
    let mut sorted = records.to_vec();
    sorted.sort_by(|a, b| a.student.cmp(&b.student));
    let records = &sorted[..];
    std::fs::write(out.join("grades.csv"), class::grades_csv(records, tasks))?;
    std::fs::write(out.join("summary.md"), class::summary(records, lang))?;
    std::fs::write(out.join("summary.html"), class::summary_html(records, lang))?;
    std::fs::write(out.join("junit.xml"), class::junit(records))?;
    if gradescope && let Some(record) = records.first() {
        let json = serde_json::to_string_pretty(&gradescope::results(record)).expect("serializes");
        std::fs::write(out.join("results.json"), json)?;
    }
    Ok(())
}

/// `--merge`: the class outputs from the students of several shards' outputs.
fn merge(args: &GradeOptions, lang: Lang) -> Result<ExitStatus, CommandError> {
    let mut records: Vec<StudentRecord> = Vec::new();
    for dir in &args.merge {
        let students = dir.join("students");
        let Ok(entries) = std::fs::read_dir(&students) else {
            return Err(usage(format!(
                "--merge {}: no students/ folder there",
                dir.display()
            )));
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "json")
                && !entry.file_name().to_string_lossy().starts_with('.')
            {
                match read_record(&path) {
                    Some(r) if records.iter().any(|x| x.student == r.student) => {
                        return Err(usage(format!(
                            "student {} is in more than one shard",
                            r.student
                        )));
                    }
                    Some(r) => records.push(r),
                    None => {
                        return Err(usage(format!(
                            "{}: not a sockspec student record",
                            path.display()
                        )));
                    }
                }
            }
            if path
                .extension()
                .is_some_and(|e| e == "json" || e == "md" || e == "html")
                && !entry.file_name().to_string_lossy().starts_with('.')
            {
                let to = args.out.join("students");
                if std::fs::create_dir_all(&to)
                    .and_then(|_| std::fs::copy(&path, to.join(entry.file_name())))
                    .is_err()
                {
                    return Err(CommandError::Internal(format!(
                        "cannot copy {}",
                        path.display()
                    )));
                }
            }
        }
    }
    let tasks = task_names(&records);
    write_class(&args.out, &records, &tasks, lang, false)
        .map_err(|e| CommandError::Internal(format!("cannot write the class outputs: {e}")))?;
    Ok(ExitStatus::Ok)
}

/// A progress bar on a terminal, plain lines otherwise.
#[derive(Clone)]
struct Progress(Option<ProgressBar>);

impl Progress {
    fn new(total: u64) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40} {pos}/{len} students, {elapsed} so far, about {eta} to go  {msg}",
            )
            .expect("valid template"),
        );
        Progress(Some(bar))
    }

    fn done(&self, line: &str) {
        match &self.0 {
            Some(bar) => {
                bar.set_message(line.to_string());
                bar.inc(1);
            }
            None => eprintln!("graded {line}"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
