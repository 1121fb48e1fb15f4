//! The one way a run's GitHub data becomes a report in SEI, shared by every command that reports
//! runs: the payload mapped (pure, [`crate::map`]), its decisions said in the log, the body
//! written and kept under `max-payload-bytes`, a copy kept on disk, then sent (or shown, in a dry
//! run). What comes before (which run, reading GitHub) and after (outputs, the summary) belongs to
//! the command.

use crate::config::{Delivery, SendSettings};
use crate::delivery;
use crate::env::RunnerEnv;
use crate::keep::{self, Place};
use crate::map;
use crate::model::event::Event;
use crate::model::RunData;
use crate::payload::Payload;
use crate::retry::SystemClock;
use crate::runner::Runner;
use std::path::PathBuf;

/// How a report ended: the `status` output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Delivered,
    DryRun,
    Failed,
    Skipped,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Delivered => "delivered",
            Status::DryRun => "dry-run",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
        }
    }
}

/// Everything a report tells afterwards.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub status: Status,
    pub result: Option<String>,
    pub execution_id: Option<String>,
    pub http_status: Option<u16>,
    pub payload_file: Option<PathBuf>,
    /// SEI's answer, or why nothing was sent.
    pub detail: String,
    /// It failed because an input must be fixed (a saved run that is not one, say), not
    /// because GitHub or SEI could not be reached.
    pub bad_input: bool,
    /// Not delivered, and sending the kept payload again may work (SEI was unreachable or
    /// failing, not refusing the payload itself).
    pub replayable: bool,
}

impl Outcome {
    pub(crate) fn new(status: Status, detail: impl Into<String>) -> Self {
        Outcome {
            status,
            result: None,
            execution_id: None,
            http_status: None,
            payload_file: None,
            detail: detail.into(),
            bad_input: false,
            replayable: false,
        }
    }
}

/// A payload ready to send: the payload and the exact bytes that go out.
#[derive(Debug)]
pub(crate) struct Built {
    pub payload: Payload,
    pub body: Vec<u8>,
    /// Steps in the payload, all stages together.
    pub steps: usize,
}

/// What besides GitHub's data shapes one run's payload.
pub(crate) struct Shape<'a> {
    pub send: &'a SendSettings,
    /// `owner/repo` of the run, when the run JSON does not name it.
    pub repository: String,
    /// `job-status`: the reporter's own job's status, for a run reported from inside.
    pub job_status: Option<String>,
}

/// The mapping's options for `shape`: the settings', with the run's own fields, and "now" taken
/// from the clock.
pub(crate) fn options(shape: &Shape) -> map::Options {
    map::Options {
        repository: shape.repository.clone(),
        job_status: shape.job_status.clone(),
        now: chrono::Utc::now(),
        ..shape.send.mapping.clone()
    }
}

/// Maps the run and writes the body, saying in the log what was decided (CI or CD, commits,
/// conclusions this version does not know, steps dropped to fit). The jobs are consumed: the
/// payload holds all that is needed of them, and they are freed before the body is written.
pub(crate) fn build(
    mut data: RunData,
    own_event: Option<&Event>,
    shape: &Shape,
    log: &Runner,
) -> Result<Built, String> {
    for note in &data.lookups.notes {
        if note.warning {
            log.warning(&note.text);
        } else {
            log.info(&note.text);
        }
    }
    let opts = options(shape);
    if let Some(w) = map::build_number_warning(&data.run, &opts) {
        log.warning(&w);
    }
    let mut payload = map::payload(&data, own_event, &opts);
    log.info(&format!(
        "Reported as {}.",
        map::ci_cd(&data, own_event, &opts)
    ));
    log_commits(&data, &payload, log);
    let unknown = map::result::unlisted(
        std::iter::once(data.run.conclusion.as_deref())
            .chain(data.jobs.iter().map(|j| j.conclusion.as_deref()))
            .chain(
                data.jobs
                    .iter()
                    .flat_map(|j| j.steps.iter().map(|s| s.conclusion.as_deref())),
            ),
    );
    if !unknown.is_empty() {
        log.warning(&format!(
            "GitHub sent conclusions this version does not know ({}): reported as NOT_BUILT; \
             please open an issue",
            unknown.join(", ")
        ));
    }
    let attempt = data.run.run_attempt.unwrap_or(1);
    drop(std::mem::take(&mut data.jobs));
    let serialize = |p: &Payload| {
        serde_json::to_vec(p).map_err(|e| format!("could not serialize the payload: {e}"))
    };
    let mut body = serialize(&payload)?;
    if let Some(limit) = shape.send.max_payload_bytes.filter(|&l| body.len() > l) {
        let fit = map::fit::fit(&mut payload, body.len(), limit);
        log.warning(&fit.describe(&payload.job_run.stages));
        if fit.changed() {
            drop(body);
            body = serialize(&payload)?;
        }
    }
    let steps: usize = payload.job_run.stages.iter().map(|s| s.steps.len()).sum();
    log.info(&format!(
        "{} #{} attempt {attempt}: {} in {}; {} stages, {steps} steps; payload {:.1} kB",
        payload.job_full_name,
        payload.build_number,
        payload.result,
        crate::time::human_ms(payload.duration),
        payload.job_run.stages.len(),
        body.len() as f64 / 1000.0
    ));
    Ok(Built {
        payload,
        body,
        steps,
    })
}

/// The log's `Commits:` line: how many, and where they came from.
fn log_commits(data: &RunData, payload: &Payload, log: &Runner) {
    let commits = &payload.scm_commit_ids;
    let source = data.lookups.commits_source.as_deref();
    match (&data.lookups.commits, source) {
        (Some(_), Some(source)) => log.info(&format!(
            "Commits: {} reported, from {source}.",
            commits.len()
        )),
        _ => log.info(&format!(
            "Commits: the head commit{}{}.",
            commits
                .first()
                .map(|c| format!(" {}", &c[..c.len().min(12)]))
                .unwrap_or_default(),
            source.map(|s| format!(" ({s})")).unwrap_or_default()
        )),
    }
}

/// Where and how a report goes: SEI's settings and client, whether to send at all.
pub(crate) struct Route<'a> {
    pub delivery: &'a Delivery,
    pub client: &'a reqwest::Client,
    pub dry_run: bool,
    /// Why the report must not be sent (SEI would drop it: an unknown instance, say): the
    /// payload is kept and the report fails with this message.
    pub refused: Option<String>,
}

/// Where the copy of a body is kept.
pub(crate) enum Keep<'a> {
    /// Where the job's later steps can read it ([`crate::keep::place`]), kept after delivery too
    /// (`report`).
    ForTheJob(&'a RunnerEnv),
    /// In this folder, removed once delivered (a backfill keeps only what failed).
    UntilDelivered(&'a Place),
}

/// Keeps a copy of the body, then sends it (or, in a dry run, shows it).
pub(crate) async fn send(
    built: Built,
    route: &Route<'_>,
    keep: Keep<'_>,
    runner: &Runner,
    clock: &SystemClock,
) -> (Outcome, Payload) {
    let Built {
        payload,
        body,
        steps,
    } = built;
    let mut outcome = Outcome::new(Status::Failed, "");
    outcome.result = Some(payload.result.clone());
    outcome.execution_id = Some(payload.execution_id.clone());
    let kind = if route.dry_run {
        keep::Kind::DryRun
    } else {
        keep::Kind::Report
    };
    let kept = match keep {
        Keep::ForTheJob(env) => keep::save(env, &payload.execution_id, kind, &body),
        Keep::UntilDelivered(place) => {
            keep::save_in(place, &keep::file_name(&payload.execution_id, kind), &body)
        }
    };
    match kept {
        Ok(path) => outcome.payload_file = Some(path),
        Err(e) => runner.warning(&e),
    }
    if route.dry_run {
        let pretty = serde_json::to_string_pretty(&payload).unwrap_or_default();
        runner.data("SEI payload (dry run: nothing sent)", &pretty);
        outcome.status = Status::DryRun;
        outcome.detail = "dry run: nothing sent".into();
        return (outcome, payload);
    }
    if let Some(why) = &route.refused {
        let kept = match &outcome.payload_file {
            Some(p) => format!(". The payload is kept at {}", p.display()),
            None => String::new(),
        };
        runner.error(&format!("{why}{kept}"));
        outcome.detail = why.clone();
        return (outcome, payload);
    }
    let contents = delivery::contents(payload.job_run.stages.len(), steps);
    // Shared, not copied, by every request that sends it.
    let body = bytes::Bytes::from(body);
    match delivery::send(
        route.delivery,
        route.client,
        runner,
        clock,
        &body,
        &contents,
    )
    .await
    {
        Ok(answer) => {
            outcome.status = Status::Delivered;
            outcome.http_status = Some(answer.status);
            outcome.detail = answer.body;
            if let (Keep::UntilDelivered(place), Some(shown)) = (&keep, &outcome.payload_file) {
                if let Some(name) = shown.file_name() {
                    let _ = std::fs::remove_file(place.write.join(name));
                }
                outcome.payload_file = None;
            }
        }
        Err(failed) => {
            outcome.http_status = failed.http_status;
            outcome.replayable = !failed.payload_refused;
            // The summary says where the payload is and what to do in its own words.
            outcome.detail = failed.message.clone();
            let mut msg = failed.message;
            match &outcome.payload_file {
                Some(p) if failed.payload_refused => {
                    msg.push_str(&format!(". The payload is kept at {}", p.display()))
                }
                Some(p) => msg.push_str(&format!(
                    ". Nothing is lost: the payload is kept at {p}; send it again with \
                     `sei-cicd replay {p}` (docs/delivery.md, \"When a report fails\")",
                    p = p.display()
                )),
                None if outcome.replayable => msg.push_str(
                    ". The payload could not be kept for later steps: re-run this job once SEI \
                     answers, or report the run later with `run-id`",
                ),
                None => {}
            }
            runner.error(&msg);
        }
    }
    (outcome, payload)
}
