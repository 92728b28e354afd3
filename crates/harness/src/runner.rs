//! Runs checks against a target: one context per check, a wall-clock limit,
//! re-runs of failing checks, and evidence for each result.

use crate::check::{Check, Level, Outcome, Verdict};
use crate::context::Ctx;
use crate::output::Stream;
use crate::role::Role;
use crate::settings::Settings;
use crate::target::Target;
use serde::Serialize;
use sockspec_wire::Event;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// How many transcript events the evidence keeps (the last ones).
pub const TRANSCRIPT_EVENTS: usize = 40;
/// How many lines of the target's stderr and stdout the evidence keeps.
pub const TAIL_LINES: usize = 20;

/// What backs a result: enough to see and reproduce the problem.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Evidence {
    /// One sentence a student can act on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnosis: Option<String>,
    /// The smallest input that shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counterexample: Option<String>,
    /// What crossed the wire, in order (the last events).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub transcript: Vec<Event>,
    /// How many events were left out before those shown.
    #[serde(skip_serializing_if = "is_zero")]
    pub transcript_omitted: usize,
    /// The end of the target's stderr (its traceback).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stderr_tail: Option<String>,
    /// The end of the target's stdout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stdout_tail: Option<String>,
    /// How the target ended, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit: Option<String>,
    /// The seed of a property check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// How many cases a property check ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cases: Option<u32>,
    /// For a failure: in how many of the runs it failed, e.g. `3/3`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reproduced: Option<String>,
    /// The command that re-runs just this check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rerun: Option<String>,
    /// Anything else worth knowing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The result of one check (the JSON report's `results` entries).
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// The check's ID.
    pub id: &'static str,
    /// The role it judges.
    pub role: Role,
    /// Its level.
    pub level: Level,
    /// Its reference.
    pub spec: &'static str,
    /// Its title.
    pub title: &'static str,
    /// What came of it.
    pub outcome: Outcome,
    /// The diagnosis, observation or reason, in one or two sentences.
    pub message: String,
    /// What backs it.
    pub evidence: Evidence,
    /// Wall-clock time of the first run, in milliseconds.
    pub duration_ms: u64,
}

/// Runs `checks` against `target`: at once (up to `settings.jobs`) when the
/// target's instances are isolated, one by one otherwise. Results come back in
/// the order of `checks`; `on_result` sees each as it finishes.
pub async fn run_checks(
    target: Arc<dyn Target>,
    checks: &[&'static Check],
    settings: Arc<Settings>,
    on_result: impl Fn(&CheckResult) + Send + Sync + 'static,
) -> Vec<CheckResult> {
    let jobs = if target.isolated() {
        settings.jobs.max(1)
    } else {
        1
    };
    let permits = Arc::new(Semaphore::new(jobs));
    let on_result = Arc::new(on_result);
    let tasks: Vec<_> = checks
        .iter()
        .map(|&check| {
            let (target, settings, permits, on_result) = (
                target.clone(),
                settings.clone(),
                permits.clone(),
                on_result.clone(),
            );
            tokio::spawn(async move {
                let _permit = permits
                    .acquire_owned()
                    .await
                    .expect("semaphore is never closed");
                let result = run_check(target, check, settings).await;
                on_result(&result);
                result
            })
        })
        .collect();
    let mut results = Vec::with_capacity(tasks.len());
    for (task, check) in tasks.into_iter().zip(checks) {
        results.push(task.await.unwrap_or_else(|e| {
            result_of(
                check,
                Verdict::Error(format!("sockspec failed while running this check: {e}")),
                Evidence::default(),
                Duration::ZERO,
            )
        }));
    }
    results
}

/// Runs one check, and when it fails or warns, runs it `settings.retries` more
/// times to say how reliably it reproduces.
pub async fn run_check(
    target: Arc<dyn Target>,
    check: &'static Check,
    settings: Arc<Settings>,
) -> CheckResult {
    let (verdict, mut evidence, took) = run_once(target.clone(), check, settings.clone()).await;
    let outcome = Outcome::of(check.level, &verdict);
    if outcome.is_problem() && settings.retries > 0 {
        let mut failed = 1;
        for _ in 0..settings.retries {
            let (again, _, _) = run_once(target.clone(), check, settings.clone()).await;
            if Outcome::of(check.level, &again) == outcome {
                failed += 1;
            }
        }
        evidence.reproduced = Some(format!("{failed}/{}", settings.retries + 1));
    }
    result_of(check, verdict, evidence, took)
}

async fn run_once(
    target: Arc<dyn Target>,
    check: &'static Check,
    settings: Arc<Settings>,
) -> (Verdict, Evidence, Duration) {
    let start = Instant::now();
    if check.needs_sandbox && !target.sandboxed() {
        let reason = match crate::sandbox::availability() {
            crate::sandbox::Availability::Unavailable(why) => why,
            crate::sandbox::Availability::Available => {
                "the target does not run in a sandbox".into()
            }
        };
        return (
            Verdict::Skip(format!("needs the sandbox: {reason}")),
            Evidence::default(),
            start.elapsed(),
        );
    }
    let limit = settings.check_timeout;
    let mut ctx = Ctx::new(check, settings, target);
    let verdict = match tokio::time::timeout(limit, (check.run)(&mut ctx)).await {
        Ok(v) => v,
        Err(_) => Verdict::Error(format!(
            "the check did not finish within {} s (--timeout); sockspec should have bounded its waits",
            limit.as_secs()
        )),
    };
    let evidence = evidence_of(&ctx, &verdict);
    (verdict, evidence, start.elapsed())
}

fn evidence_of(ctx: &Ctx, verdict: &Verdict) -> Evidence {
    let transcript = ctx.recorder().snapshot();
    let omitted = transcript.events.len().saturating_sub(TRANSCRIPT_EVENTS);
    let mut evidence = Evidence {
        transcript: transcript.tail(TRANSCRIPT_EVENTS).to_vec(),
        transcript_omitted: omitted,
        seed: ctx.facts.seed,
        cases: ctx.facts.cases,
        notes: ctx.facts.notes.clone(),
        ..Evidence::default()
    };
    if let Verdict::Violated {
        diagnosis,
        counterexample,
    } = verdict
    {
        evidence.diagnosis = Some(diagnosis.clone());
        evidence.counterexample = counterexample.clone();
    }
    if let Some(output) = ctx.output() {
        let non_empty = |s: String| (!s.trim().is_empty()).then_some(s);
        evidence.stderr_tail = non_empty(output.get(Stream::Stderr).tail_lines(TAIL_LINES));
        evidence.stdout_tail = non_empty(output.get(Stream::Stdout).tail_lines(TAIL_LINES));
    }
    evidence.exit = ctx.exit().map(|e| e.to_string());
    evidence
}

fn result_of(
    check: &'static Check,
    verdict: Verdict,
    evidence: Evidence,
    took: Duration,
) -> CheckResult {
    let outcome = Outcome::of(check.level, &verdict);
    let message = match verdict {
        Verdict::Holds(m) | Verdict::Observed(m) | Verdict::Skip(m) | Verdict::Error(m) => m,
        Verdict::Violated { diagnosis, .. } => diagnosis,
    };
    CheckResult {
        id: check.id,
        role: check.role,
        level: check.level,
        spec: check.spec,
        title: check.title,
        outcome,
        message,
        evidence,
        duration_ms: took.as_millis() as u64,
    }
}

impl Evidence {
    /// The evidence as indented plain text, one labelled block per part; the
    /// terminal report and `cargo test` failures show it.
    pub fn render_plain(&self) -> String {
        let mut out = String::new();
        let mut block = |label: &str, body: &str| {
            if body.trim().is_empty() {
                return;
            }
            out.push_str(&format!("  {label}:\n"));
            for line in body.lines() {
                out.push_str(&format!("    {line}\n"));
            }
        };
        if let Some(c) = &self.counterexample {
            block("smallest input", c);
        }
        if !self.transcript.is_empty() {
            let mut wire = String::new();
            if self.transcript_omitted > 0 {
                wire.push_str(&format!("… {} earlier events\n", self.transcript_omitted));
            }
            for e in &self.transcript {
                wire.push_str(&format!("{e}\n"));
            }
            block("on the wire", &wire);
        }
        if let Some(s) = &self.stderr_tail {
            block("target's stderr (end)", s);
        }
        if let Some(s) = &self.stdout_tail {
            block("target's stdout (end)", s);
        }
        let mut facts = Vec::new();
        if let Some(e) = &self.exit {
            facts.push(format!("target {e}"));
        }
        if let Some(seed) = self.seed {
            facts.push(format!("seed {seed}"));
        }
        if let Some(cases) = self.cases {
            facts.push(format!("case {cases}"));
        }
        if let Some(r) = &self.reproduced {
            facts.push(format!("reproduced {r}"));
        }
        facts.extend(self.notes.iter().cloned());
        block("facts", &facts.join("\n"));
        if let Some(r) = &self.rerun {
            block("rerun", r);
        }
        out
    }
}
