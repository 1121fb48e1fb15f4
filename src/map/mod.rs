//! GitHub data in, SEI payload out: the pure heart of the reporter.
//!
//! [`payload`] takes one attempt of one workflow run (the run, all its jobs and what the optional
//! look-ups found), the run's own event when known, and the user's options, and returns the exact
//! body SEI receives. No I/O, no clock: "now" is an argument, so every rule here is tested on
//! recorded data. Each field with rules of its own has its module: [`identity`] (job and build
//! number), [`names`] (stage and step names SEI keeps), [`branch`], [`commits`], [`cicd`],
//! [`deployments`] (which deployments are this attempt's, and the one before them),
//! [`artifacts`], [`params`], [`trigger`], [`me`] (the reporter's own job), [`result`],
//! [`may_fail`] (jobs with `continue-on-error`).

pub mod artifacts;
pub mod branch;
pub mod cicd;
pub mod commits;
pub mod deployments;
pub mod fit;
pub mod identity;
pub mod matrix;
pub mod may_fail;
pub mod me;
pub mod names;
pub mod params;
pub mod result;
pub(crate) use crate::time;
pub mod trigger;

use crate::model::event::Event;
use crate::model::{Job, Run, RunData, Step};
use crate::payload::{self, Artifact, IsoTime, JobRun, Payload};
use chrono::{DateTime, Utc};
use compact_str::{format_compact, CompactString, ToCompactString};

pub use cicd::Setting as CiCd;
pub use identity::BuildNumbers;

/// User choices that replace a derived field (each is an action input of the same name).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub pipeline: Option<String>,
    pub job_full_name: Option<String>,
    pub qualified_name: Option<String>,
    pub project_name: Option<String>,
    pub module_name: Option<String>,
    pub build_number: Option<u64>,
}

/// Everything besides GitHub's data that shapes the payload.
#[derive(Debug, Clone)]
pub struct Options {
    pub instance_guid: String,
    pub instance_name: String,
    /// `GITHUB_SERVER_URL`, no trailing slash: `https://github.com` or an Enterprise Server.
    pub server_url: String,
    /// `owner/repo` of the run, used when the run JSON does not name its repository.
    pub repository: String,
    pub overrides: Overrides,
    pub ci_cd: CiCd,
    /// `cd-environments`: the environments whose deployments make a run CD.
    pub cd_environments: cicd::Environments,
    /// The `artifacts` input, parsed.
    pub artifacts: Vec<Artifact>,
    pub themes: Vec<String>,
    pub cfr_status: Option<bool>,
    pub params: Vec<(String, String)>,
    /// `job-status` (`success`, `failure`, `cancelled`): the result of the reporter's own job,
    /// which is still running when it reports.
    pub job_status: Option<String>,
    pub include_steps: bool,
    /// How build numbers are made (`build-numbers`).
    pub build_numbers: BuildNumbers,
    /// The instant that stands for "now" for anything still running.
    pub now: DateTime<Utc>,
}

/// Builds the payload for one attempt of one run.
pub fn payload(data: &RunData, own_event: Option<&Event>, opts: &Options) -> Payload {
    let run = &data.run;
    let o = &opts.overrides;
    let repository = repository(data, opts);
    let workflow = workflow_name(run.name.as_deref(), run.path.as_deref());
    let job_full_name = o.job_full_name.clone().unwrap_or_else(|| {
        identity::job_full_name(
            &repository,
            &workflow,
            run,
            data.lookups.workflows.as_deref(),
        )
    });

    let run_start = run
        .run_started_at
        .or(run.created_at)
        .or_else(|| data.jobs.iter().filter_map(job_start).min())
        .unwrap_or(opts.now);
    let run_end = if run.status.as_deref() == Some("completed") {
        attempt_end(run, &data.jobs).unwrap_or(run_start)
    } else {
        opts.now
    };

    let me = data.me.as_ref().map(|m| m.job_id);
    let my_status = opts.job_status.as_deref().filter(|s| !s.is_empty());
    let attempt = run.run_attempt.unwrap_or(1);
    let deployments = data.lookups.deployments.as_deref().unwrap_or_default();
    let names: Vec<CompactString> = data
        .jobs
        .iter()
        .enumerate()
        .map(|(i, job)| match (&job.name, job.id) {
            (Some(n), _) => CompactString::from(n.as_str()),
            (None, Some(id)) => format_compact!("job {id}"),
            (None, None) => format_compact!("job job-{}", i + 1),
        })
        .collect();
    let short = names::shorten_all(names.iter().map(CompactString::as_str));
    let stages: Vec<payload::Stage> = data
        .jobs
        .iter()
        .zip(names.iter().zip(short))
        .enumerate()
        .map(|(i, (job, (full, name)))| {
            let mine = me.is_some() && job.id == me;
            let named = Named { full, short: name };
            let mut s = stage(
                i,
                job,
                named,
                run_start,
                attempt,
                mine.then_some(my_status),
                opts,
            );
            let envs: Vec<&str> = deployments
                .iter()
                .filter(|(_, j)| j.is_some() && *j == job.id)
                .map(|(env, _)| env.as_str())
                .collect();
            if !envs.is_empty() {
                s.display_description = names::cut(
                    &format!(
                        "deployed to {} · {}",
                        envs.join(", "),
                        s.display_description
                    ),
                    names::MAX_DESCRIPTION,
                );
            }
            s
        })
        .collect();

    let result = match run.conclusion.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => result::row(c).unwrap_or(&result::UNLISTED).result,
        // As if the run ended now: the finished jobs, and "mine" with the status it reports. A
        // job that may fail (`continue-on-error`) does not fail the run, as GitHub concludes it.
        None => result::derive(
            data.jobs
                .iter()
                .zip(&stages)
                .filter(|(j, _)| {
                    let mine = me.is_some() && j.id == me;
                    (mine && my_status.is_some())
                        || (!mine
                            && result::is_finished(j.status.as_deref(), j.conclusion.as_deref()))
                })
                .map(|(j, s)| match s.result.as_str() {
                    result::FAILURE
                        if j.id.is_some_and(|id| data.lookups.may_fail.contains(&id)) =>
                    {
                        result::SUCCESS
                    }
                    r => r,
                }),
        ),
    };

    let kind = ci_cd(data, own_event, opts);
    let mut artifacts = opts.artifacts.clone();
    artifacts.extend(artifacts::from_workflow(&data.lookups.artifacts));
    let dispatch_inputs: &[(String, String)] = match own_event {
        Some(e) if run.event.as_deref() == Some("workflow_dispatch") => &e.inputs,
        _ => &[],
    };
    let run_id = run.id.unwrap_or_default();
    let (build_number, previous_attempt_number) = build_numbers(run, opts);
    Payload {
        pipeline: o.pipeline.clone().unwrap_or_else(|| workflow.clone()),
        qualified_name: o
            .qualified_name
            .clone()
            .unwrap_or_else(|| job_full_name.clone()),
        job_full_name,
        project_name: o.project_name.clone().unwrap_or_else(|| repository.clone()),
        module_name: o.module_name.clone(),
        instance_guid: opts.instance_guid.clone(),
        instance_name: opts.instance_name.clone(),
        instance_url: opts.server_url.clone(),
        repo_url: format!("{}/{repository}.git", opts.server_url),
        branch_name: branch::name(run, own_event, data.lookups.head_is_tag),
        user_id: started_by(run),
        start_time: time::epoch_ms(run_start),
        duration: time::span_ms(run_start, run_end),
        result: result.to_owned(),
        build_number,
        execution_id: format!("{run_id}-{attempt}"),
        scm_commit_ids: data
            .lookups
            .commits
            .clone()
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| run.head_sha.iter().cloned().collect()),
        job_run_params: params::merge(
            &params::of_run(&params::Facts {
                environments: &deployed_to(data, own_event),
                event: run.event.as_deref(),
                tag: branch::tag(run, own_event, data.lookups.head_is_tag),
                branch: branch::name(run, own_event, data.lookups.head_is_tag),
                attempt,
                workflow_file: workflow_file(run.path.as_deref()),
            }),
            dispatch_inputs,
            &opts.params,
        ),
        ci: kind.ci,
        cd: kind.cd,
        artifacts,
        trigger_chain: trigger::chain(run, own_event, &repository, previous_attempt_number),
        cfr_status: opts.cfr_status,
        themes: opts.themes.clone(),
        job_run: JobRun { stages },
    }
}

/// The run's build number, and the one its previous attempt was (or would have been) reported
/// with, for the re-run's trigger: `build-number` when given, else as [`identity`] numbers
/// attempts.
fn build_numbers(run: &Run, opts: &Options) -> (u64, Option<u64>) {
    let attempt = run.run_attempt.unwrap_or(1);
    let Some(number) = run.run_number else {
        // A run that does not say its number (a bare saved run): its id, within SEI's limit.
        let id = run.id.unwrap_or_default() % identity::LIMIT;
        return (opts.overrides.build_number.unwrap_or(id), None);
    };
    let of = |a| identity::build_number(opts.build_numbers, number, a).0;
    let previous = (attempt > 1).then(|| of(attempt - 1));
    (
        opts.overrides.build_number.unwrap_or_else(|| of(attempt)),
        previous,
    )
}

/// A warning when the build number could not follow `build-numbers`, for the log.
pub fn build_number_warning(run: &Run, opts: &Options) -> Option<String> {
    let number = run.run_number?;
    if opts.overrides.build_number.is_some() {
        return None;
    }
    identity::build_number(opts.build_numbers, number, run.run_attempt.unwrap_or(1)).1
}

/// `owner/repo` of the run: from the run itself, else the one the reporter was told.
fn repository(data: &RunData, opts: &Options) -> String {
    data.run
        .repository
        .as_ref()
        .and_then(|r| r.full_name.clone())
        .unwrap_or_else(|| opts.repository.clone())
}

/// The `ci`/`cd` decision for this attempt, and what made it (for the log).
pub fn ci_cd(data: &RunData, own_event: Option<&Event>, opts: &Options) -> cicd::Decision {
    let run = &data.run;
    let workflow = workflow_name(run.name.as_deref(), run.path.as_deref());
    let jobs = deployments::Attempt::facts(&data.jobs);
    let fork = branch::fork_owner(run);
    cicd::decide(
        opts.ci_cd,
        &cicd::Evidence {
            declared: &opts.artifacts,
            event: run.event.as_deref(),
            environments: data.lookups.deployments.as_deref(),
            deployment_environment: deployment_environment(data, own_event).as_deref(),
            tag: branch::tag(run, own_event, data.lookups.head_is_tag).is_some(),
            workflow_name: &workflow,
            workflow_path: run.path.as_deref(),
            jobs: Some(&jobs),
            fork: fork.as_deref(),
            counted: &opts.cd_environments,
        },
    )
}

/// A `deployment` run's environment: its own event says it; else the deployment found.
fn deployment_environment(data: &RunData, own_event: Option<&Event>) -> Option<String> {
    (data.run.event.as_deref() == Some("deployment"))
        .then(|| {
            own_event
                .and_then(|e| e.deployment.as_ref()?.environment.clone())
                .or_else(|| data.lookups.deployment_environment.clone())
        })
        .flatten()
}

/// Every environment this attempt deployed to, each once: its jobs' deployments, and a
/// `deployment` run's own environment.
fn deployed_to(data: &RunData, own_event: Option<&Event>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let found = data
        .lookups
        .deployments
        .iter()
        .flatten()
        .map(|d| d.0.clone());
    for env in found.chain(deployment_environment(data, own_event)) {
        if !out.contains(&env) {
            out.push(env);
        }
    }
    out
}

/// The workflow's file without its `@ref`: `.github/workflows/deploy.yml`.
fn workflow_file(path: Option<&str>) -> Option<String> {
    path.and_then(|p| p.split('@').next())
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
}

/// When the attempt ended: the latest `completed_at` of the jobs it ran itself (a job a re-run
/// reused from an earlier attempt ended before this attempt started, so it never sets the end);
/// of all its jobs when it ran none itself; else the run's `updated_at` (which GitHub moves
/// later: annotations written afterwards, and every attempt shows the newest attempt's).
pub fn attempt_end(run: &Run, jobs: &[Job]) -> Option<DateTime<Utc>> {
    let attempt = run.run_attempt.unwrap_or(1);
    let ended = |own: bool| {
        jobs.iter()
            .filter(|j| !own || j.run_attempt.is_none_or(|a| a >= attempt))
            .filter_map(|j| j.completed_at)
            .max()
    };
    ended(true).or_else(|| ended(false)).or(run.updated_at)
}

/// Who started this attempt of `run`: the triggering actor (who re-ran it), else the actor.
pub fn started_by(run: &Run) -> Option<String> {
    run.triggering_actor
        .as_ref()
        .or(run.actor.as_ref())
        .and_then(|a| a.login.clone())
}

/// The workflow's display name; a workflow without `name:` is named by its file, as GitHub does.
pub fn workflow_name(name: Option<&str>, path: Option<&str>) -> String {
    if let Some(n) = name.map(str::trim).filter(|n| !n.is_empty()) {
        return n.to_owned();
    }
    path.and_then(|p| p.split('@').next())
        .filter(|p| !p.is_empty())
        .map_or_else(|| "workflow".to_owned(), str::to_owned)
}

fn job_start(job: &Job) -> Option<DateTime<Utc>> {
    job.started_at.or(job.created_at)
}

/// One job as one stage. `mine` is `Some` for the reporter's own job, with the status it
/// reports (`job-status`), if given.
/// A job's name as GitHub shows it and as SEI is sent it ([`names`]).
struct Named<'a> {
    full: &'a str,
    short: CompactString,
}

fn stage(
    index: usize,
    job: &Job,
    name: Named,
    run_start: DateTime<Utc>,
    run_attempt: u64,
    mine: Option<Option<&str>>,
    opts: &Options,
) -> payload::Stage {
    let (result, state) = match mine {
        // The reporter's job is still running: it ends now, with the status the job reports.
        Some(Some(status)) => result::outcome(Some("completed"), Some(status)),
        _ => result::outcome(job.status.as_deref(), job.conclusion.as_deref()),
    };
    let start = job_start(job).unwrap_or(run_start);
    let end = match mine {
        Some(_) => opts.now,
        None => end_of(
            job.status.as_deref(),
            job.conclusion.as_deref(),
            job.completed_at,
            start,
            opts.now,
        ),
    };
    let id = job.id.map_or_else(
        || format_compact!("job-{}", index + 1),
        |id| id.to_compact_string(),
    );
    let mut steps = Vec::new();
    if opts.include_steps {
        // Sized up front: the filter hides the count from `collect`, which would grow by
        // doubling (room for 32 steps for 20, in every stage of a big run).
        steps.reserve_exact(job.steps.len());
        steps.extend(
            job.steps
                .iter()
                .enumerate()
                // Of the reporter's own job, only the steps that have finished: the rest (this
                // step, the post steps) happen after the report.
                .filter(|(_, s)| {
                    mine.is_none()
                        || result::is_finished(s.status.as_deref(), s.conclusion.as_deref())
                })
                .map(|(i, s)| step(i, s, start, opts.now)),
        );
        name_steps(&mut steps);
    }
    let reused_from = job.run_attempt.filter(|a| *a < run_attempt);
    let shortened = (name.short != name.full).then_some(name.full);
    payload::Stage {
        id,
        display_description: job_description(job, shortened, reused_from, mine.is_some()),
        display_name: name.short,
        result: CompactString::const_new(result),
        state: CompactString::const_new(state),
        duration_in_millis: time::span_ms(start, end),
        start_time: IsoTime(start),
        steps,
    }
}

/// What SEI shows under the stage, at most [`names::MAX_DESCRIPTION`] characters:
/// `<whole name, when it was shortened> · reused from attempt N · this reporter's job ·
/// queued 12s · <html_url> · runner <name> · <labels>`, each part only when it applies (a
/// reused job's times are those of the attempt that ran it).
fn job_description(
    job: &Job,
    full_name: Option<&str>,
    reused_from: Option<u64>,
    mine: bool,
) -> CompactString {
    let runner = job.runner_name.as_deref().filter(|r| !r.is_empty());
    let waiting =
        runner.is_none() && !result::is_finished(job.status.as_deref(), job.conclusion.as_deref());
    // How long the job waited for a runner, once it has one.
    let queued = match (job.created_at, job.started_at) {
        (Some(c), Some(s)) if !waiting => Some(time::compact(time::span_ms(c, s))),
        _ => None,
    };
    // Sized up front: a link and a runner are more than the 24 bytes kept inline.
    let labels: usize = job.labels.iter().map(|l| l.len() + 2).sum();
    let size = full_name.map_or(0, |n| n.len() + 3)
        + reused_from.map_or(0, |_| 28)
        + if mine { 22 } else { 0 }
        + queued.as_ref().map_or(0, |q| q.len() + 10)
        + job.html_url.as_ref().map_or(0, |u| u.len() + 4)
        + runner.map_or(if waiting { 24 } else { 0 }, |r| r.len() + 11)
        + labels
        + 4;
    let mut text = CompactString::with_capacity(size);
    let mut part = |pieces: &[&str]| {
        if !text.is_empty() {
            text.push_str(" · ");
        }
        for p in pieces {
            text.push_str(p);
        }
    };
    if let Some(n) = full_name {
        part(&[n]);
    }
    if let Some(a) = reused_from {
        part(&["reused from attempt ", &a.to_compact_string()]);
    }
    if mine {
        part(&["this reporter's job"]);
    }
    if let Some(q) = &queued {
        part(&["queued ", q]);
    }
    if let Some(url) = &job.html_url {
        part(&[url]);
    }
    if let Some(runner) = runner {
        part(&["runner ", runner]);
    } else if waiting {
        part(&["waiting for a runner"]);
    }
    if let Some((first, rest)) = job.labels.split_first() {
        part(&[first]);
        for label in rest {
            text.push_str(", ");
            text.push_str(label);
        }
    }
    if text.len() > names::MAX_DESCRIPTION {
        return names::cut(&text, names::MAX_DESCRIPTION);
    }
    text
}

/// The steps of one stage get names SEI keeps ([`names`]); a shortened step's description is
/// its whole name, as much of it as SEI keeps.
fn name_steps(steps: &mut [payload::Step]) {
    if steps.iter().all(|s| s.display_name.len() <= names::MAX) {
        return; // Bytes ≥ characters: nothing to shorten (the common case, no work).
    }
    let short = names::shorten_all(steps.iter().map(|s| s.display_name.as_str()));
    for (step, name) in steps.iter_mut().zip(short) {
        if name != step.display_name {
            step.display_description = names::cut(&step.display_name, names::MAX);
            step.display_name = name;
        }
    }
}

fn step(index: usize, s: &Step, job_start: DateTime<Utc>, now: DateTime<Utc>) -> payload::Step {
    let (result, state) = result::outcome(s.status.as_deref(), s.conclusion.as_deref());
    let start = s.started_at.unwrap_or(job_start);
    let end = end_of(
        s.status.as_deref(),
        s.conclusion.as_deref(),
        s.completed_at,
        start,
        now,
    );
    let id = s.number.unwrap_or(index as u64 + 1).to_compact_string();
    let name = s
        .name
        .as_deref()
        .map_or_else(|| format_compact!("step {id}"), CompactString::from);
    payload::Step {
        id,
        display_description: name.clone(),
        display_name: name,
        result: CompactString::const_new(result),
        state: CompactString::const_new(state),
        duration_in_millis: time::span_ms(start, end),
        start_time: IsoTime(start),
    }
}

/// When a job or step ended: its completion time; "now" while it runs; its start when it never
/// ran (queued, skipped) or GitHub left the time out.
fn end_of(
    status: Option<&str>,
    conclusion: Option<&str>,
    completed_at: Option<DateTime<Utc>>,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    if let Some(t) = completed_at {
        return t;
    }
    if status == Some("in_progress") && !result::is_finished(status, conclusion) {
        return now;
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_names_fall_back_to_the_file() {
        assert_eq!(workflow_name(Some("CI"), None), "CI");
        assert_eq!(
            workflow_name(Some(" "), Some(".github/workflows/ci.yml@refs/heads/main")),
            ".github/workflows/ci.yml"
        );
        assert_eq!(workflow_name(None, None), "workflow");
    }
}
