//! Runs checks against a target: one context per check, a wall-clock limit,
//! re-runs of failing checks, and evidence for each result. Progress is
//! reported as [`RunEvent`]s, so reporters never meet the runner directly.

use crate::check::Check;
use crate::context::Ctx;
use crate::output::Stream;
use crate::settings::Settings;
use crate::target::Target;
use sockspec_results::{
    CheckResult, Evidence, Outcome, Reproduced, RunEvent, TAIL_LINES, TRANSCRIPT_EVENTS, Verdict,
    msg,
};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Where a run's events go (a reporter, a progress bar, or nowhere).
pub type EventSink = Arc<dyn Fn(RunEvent) + Send + Sync>;

/// A sink that drops every event.
pub fn no_events() -> EventSink {
    Arc::new(|_| {})
}

/// `then`, with every instance start counted in `starts` on the way (the
/// report's `stats.instance_starts`).
pub fn counting_starts(starts: Arc<std::sync::atomic::AtomicU32>, then: EventSink) -> EventSink {
    Arc::new(move |event| {
        if let RunEvent::TargetStarted { .. } = event {
            starts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        then(event)
    })
}

/// Runs `checks` against `target`: at once (up to `settings.jobs`) when the
/// target's instances are isolated, one by one otherwise. Results come back in
/// the order of `checks`; `events` sees each check start and finish.
pub async fn run_checks(
    target: Arc<dyn Target>,
    checks: &[&'static Check],
    settings: Arc<Settings>,
    events: EventSink,
) -> Vec<CheckResult> {
    let slots = Arc::new(Semaphore::new(settings.jobs.max(1)));
    run_checks_sharing(target, checks, settings, events, slots).await
}

/// [`run_checks`] with the checks taking turns for `slots` that other runs
/// share too (a class graded together: no core idles while one student's
/// check waits). A target whose instances are not isolated, or a run of
/// `settings.jobs` 1, runs its checks one by one, in catalog order.
pub async fn run_checks_sharing(
    target: Arc<dyn Target>,
    checks: &[&'static Check],
    settings: Arc<Settings>,
    events: EventSink,
    slots: Arc<Semaphore>,
) -> Vec<CheckResult> {
    if !target.isolated() || settings.jobs <= 1 {
        // One at a time, in catalog order: the same run gives the same report.
        let mut results = Vec::with_capacity(checks.len());
        for &check in checks {
            let _slot = slots.acquire().await.expect("semaphore is never closed");
            results.push(run_check(target.clone(), check, settings.clone(), events.clone()).await);
        }
        return results;
    }
    let tasks: Vec<_> = checks
        .iter()
        .map(|&check| {
            let (target, settings, slots, events) = (
                target.clone(),
                settings.clone(),
                slots.clone(),
                events.clone(),
            );
            tokio::spawn(async move {
                let _slot = slots
                    .acquire_owned()
                    .await
                    .expect("semaphore is never closed");
                run_check(target, check, settings, events).await
            })
        })
        .collect();
    let mut results = Vec::with_capacity(tasks.len());
    for (task, check) in tasks.into_iter().zip(checks) {
        results.push(task.await.unwrap_or_else(|e| {
            let result = CheckResult::new(
                check.info(),
                Verdict::Error(msg!("sockspec-check-panicked", error = e.to_string())),
                Evidence::default(),
                Duration::ZERO,
            );
            events(RunEvent::CheckFinished(Box::new(result.clone())));
            result
        }));
    }
    results
}

/// Runs one check, and when it fails or warns, runs it `settings.retries` more
/// times to say how reliably it reproduces (unless it re-ran its smallest
/// failing case itself, as property checks do).
pub async fn run_check(
    target: Arc<dyn Target>,
    check: &'static Check,
    settings: Arc<Settings>,
    events: EventSink,
) -> CheckResult {
    events(RunEvent::CheckStarted { id: check.id });
    let (verdict, mut evidence, took) =
        run_once(target.clone(), check, settings.clone(), events.clone()).await;
    let outcome = Outcome::of(check.level, &verdict);
    // A property check re-ran its smallest failing case itself: the whole
    // search is not run again.
    if outcome.is_problem() && settings.retries > 0 && evidence.reproduced.is_none() {
        // The re-runs go at once when instances are isolated (each in its own
        // sandbox), so a failing check costs about what a passing one does.
        let rerun = |attempt: u32| {
            events(RunEvent::CheckRerun {
                id: check.id,
                attempt,
            });
            let (target, settings, events) = (target.clone(), settings.clone(), events.clone());
            async move { run_once(target, check, settings, events).await.0 }
        };
        let again: Vec<Verdict> = if target.isolated() {
            let tasks: Vec<_> = (1..=settings.retries)
                .map(|attempt| tokio::spawn(rerun(attempt)))
                .collect();
            let mut verdicts = Vec::with_capacity(tasks.len());
            for task in tasks {
                if let Ok(v) = task.await {
                    verdicts.push(v);
                }
            }
            verdicts
        } else {
            let mut verdicts = Vec::new();
            for attempt in 1..=settings.retries {
                verdicts.push(rerun(attempt).await);
            }
            verdicts
        };
        let failed = 1 + again
            .iter()
            .filter(|v| Outcome::of(check.level, v) == outcome)
            .count();
        evidence.reproduced = Some(Reproduced {
            failed: u32::try_from(failed).unwrap_or(u32::MAX),
            runs: settings.retries + 1,
        });
    }
    let result = CheckResult::new(check.info(), verdict, evidence, took);
    events(RunEvent::CheckFinished(Box::new(result.clone())));
    result
}

async fn run_once(
    target: Arc<dyn Target>,
    check: &'static Check,
    settings: Arc<Settings>,
    events: EventSink,
) -> (Verdict, Evidence, Duration) {
    let start = Instant::now();
    if check.needs_sandbox && !target.sandboxed() {
        let reason = match crate::sandbox::availability() {
            crate::sandbox::Availability::Unavailable(why) => {
                msg!("sandbox-unavailable", reason = why)
            }
            crate::sandbox::Availability::Available => msg!("sandbox-not-used"),
        };
        return (
            Verdict::Skip(msg!("skip-needs-sandbox", reason = reason)),
            Evidence::default(),
            start.elapsed(),
        );
    }
    let limit = settings.check_timeout;
    let mut ctx = Ctx::new(check, settings, target, events);
    let verdict = match tokio::time::timeout(limit, (check.run)(&mut ctx)).await {
        Ok(v) => v,
        // Every wait of sockspec's is bounded: a check that ran out of time
        // against a live target was kept waiting by the target (slow, or stopped).
        Err(_) => match ctx.instance() {
            Some(instance) if instance.alive() => Verdict::violated(msg!(
                "check-target-too-slow",
                limit = limit,
                state = instance.state()
            )),
            None if ctx.target().kind() != sockspec_results::TargetKind::Command => {
                Verdict::violated(msg!(
                    "check-target-too-slow",
                    limit = limit,
                    state = msg!("state-running")
                ))
            }
            _ => Verdict::Error(msg!("check-timed-out", limit = limit)),
        },
    };
    let evidence = evidence_of(&ctx);
    (verdict, evidence, start.elapsed())
}

fn evidence_of(ctx: &Ctx) -> Evidence {
    let transcript = ctx.recorder().snapshot();
    let omitted = transcript.omitted + transcript.events.len().saturating_sub(TRANSCRIPT_EVENTS);
    let mut evidence = Evidence {
        transcript: transcript.tail(TRANSCRIPT_EVENTS).to_vec(),
        transcript_omitted: omitted,
        seed: ctx.facts.seed,
        cases: ctx.facts.cases,
        notes: ctx.facts.notes.clone(),
        reproduced: ctx.facts.reproduced,
        ..Evidence::default()
    };
    if let Some(output) = ctx.output() {
        let non_empty = |s: String| (!s.trim().is_empty()).then_some(s);
        evidence.stderr_tail = non_empty(output.get(Stream::Stderr).tail_lines(TAIL_LINES));
        evidence.stdout_tail = non_empty(output.get(Stream::Stdout).tail_lines(TAIL_LINES));
    }
    evidence.exit = ctx.exit();
    evidence
}
