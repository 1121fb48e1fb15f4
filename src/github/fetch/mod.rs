//! Everything a report needs from GitHub, in as few sequential round trips as the dependencies
//! allow. Each need is a chain of requests that starts as soon as what it depends on is known,
//! and all chains run together:
//!
//! | chain | round 1 | round 2 | round 3 |
//! |---|---|---|---|
//! | run and jobs | the run; jobs page 1 | the other pages (all at once) | re-reads while jobs settle |
//! | `since-last-success` | previous successful runs (from the hint); a tag's family | compare, page 1 | the newest pages |
//! | tag or branch (no own event) | the head branch among the tags (from the hint) | | |
//! | `event` commits | compare, page 1 (from the event) | the newest pages | |
//! | environments | deployments of the head commit (from the hint; a page more while full) | the statuses of those made while the run ran | |
//! | a deployment's commits | | earlier deployments to each environment that counts (guessed from the head commit's) | their statuses; then the runs they name; then compare |
//! | `include-workflow-artifacts` | artifacts page 1 | the other pages | |
//! | `continue-on-error` (the run you are in) | | the workflow file, once a job has failed | |
//! | job identity | the repository's workflows, page 1 | the other pages | |
//!
//! The compare of `since-last-success` waits for the environments only when a deployment of the
//! head commit made while the run ran is to an environment that counts: a run that deployed
//! nowhere that counts costs what it did before.
//!
//! The *hint* is what the step knows of the run before reading it (the runner's variables and
//! event, or the run inside a `workflow_run` event); a request made from the hint is checked
//! against the run when it arrives and made again if they disagree. Without a hint (a run given
//! by `run-id`), the dependent chains start in round 2. A reporter without the run's own event
//! learns whether a `push` run's head is a tag from GitHub's refs in round 1; when it is, the
//! look-up of the previous tag waits for that answer (one more round trip, for tags only). The
//! previous success is read a page further when a page holds only others' runs (bounded). The
//! run and its jobs are required; every other chain is optional: its failure is a note and a
//! fallback, never a lost report.
//!
//! A caller that already holds the run (a backfill, from a listing of runs) starts from it with
//! [`fetch_from`]: the run is not asked for again. The run and its jobs are read with the
//! client; every look-up is asked of a [`Source`]: the client itself, or a cache over it that
//! answers from what it already read (`backfill`'s listings), exactly as GitHub would.
//!
//! One file per chain: `jobs.rs` (the run's jobs, settling, `continue-on-error`),
//! `commits.rs` (with `event.rs` for `commits: event`, `base.rs` for a deployment's base),
//! `tag.rs`, `deployments.rs`, `lists.rs` (workflows, artifacts); `hint.rs` makes the hint and
//! `guess.rs` holds the rule every request made from it follows.

mod base;
mod commits;
mod costs;
mod deployments;
mod event;
mod guess;
mod hint;
mod jobs;
mod lists;
mod remember;
mod tag;

use super::client::GitHub;
use super::error::Error;
use super::source::Source;
use crate::config::SendSettings;
use crate::map::{self, cicd, commits as commit_rules};
use crate::model::event::Event;
use crate::model::{Lookups, Note, Run, RunData, RunRef};
use futures_util::future::{join, join4, FutureExt};
use std::time::Duration;

pub use costs::costs;
pub(crate) use hint::hint;

/// What to read besides the run and its jobs.
pub(crate) struct Plan<'a> {
    pub commits: commit_rules::Mode,
    /// The reported run's own event (only when the step runs inside that run).
    pub own_event: Option<&'a Event>,
    /// What is known of the run before reading it.
    pub hint: Option<Run>,
    pub ci_cd: cicd::Setting,
    pub workflow_artifacts: bool,
    /// Read the repository's workflows, to tell files with the same `name:` apart (not needed
    /// when `job-full-name` is given).
    pub workflows: bool,
    /// Set when the step runs inside the reported attempt: find "my" job, wait for the others.
    pub me: Option<MePlan>,
    /// The repository's default branch, when the event names it: a branch, never a tag.
    pub default_branch: Option<String>,
    /// `cd-environments`: the environments whose deployments count (and whose earlier
    /// deployment is the base of a deployment's commits).
    pub cd_environments: &'a cicd::Environments,
}

impl<'a> Plan<'a> {
    /// What `send` asks to read of any run: no event, no hint, not the reporter's own attempt,
    /// no default branch known. The caller adds what it knows of the run.
    pub(crate) fn new(send: &'a SendSettings) -> Plan<'a> {
        let m = &send.mapping;
        Plan {
            commits: send.commits,
            own_event: None,
            hint: None,
            ci_cd: m.ci_cd,
            workflow_artifacts: send.include_workflow_artifacts,
            workflows: m.overrides.job_full_name.is_none(),
            me: None,
            default_branch: None,
            cd_environments: &m.cd_environments,
        }
    }
}

pub(crate) struct MePlan {
    /// `job-status` says the reporter's own job failed.
    pub job_failed: bool,
    pub check_run_id: Option<u64>,
    pub runner_name: Option<String>,
    pub wait: Duration,
}

/// Reads the run and its jobs with `gh`, and whatever `plan` asks for from `src` (`gh` itself,
/// or a cache over it).
pub(crate) async fn fetch(
    gh: &GitHub,
    src: &dyn Source,
    target: &RunRef,
    plan: &Plan<'_>,
) -> Result<RunData, Error> {
    fetch_from(gh, src, target, None, plan).await
}

/// [`fetch`], from the run when the caller already has it (the attempt `target` names, as a
/// listing of runs shows it): then the run is not asked for, and the jobs are asked at once.
pub(crate) async fn fetch_from(
    gh: &GitHub,
    src: &dyn Source,
    target: &RunRef,
    known_run: Option<Run>,
    plan: &Plan<'_>,
) -> Result<RunData, Error> {
    let run = match known_run {
        Some(r) => futures_util::future::ready(Ok(r)).left_future(),
        None => gh.run(target).right_future(),
    }
    .shared();
    let repo = &target.repo;
    let remember = remember::Remember::new(src);
    let src: &dyn Source = &remember;
    let tag = tag::chain(src, repo, plan, run.clone()).shared();
    let (attempt_tx, attempt_rx) = tokio::sync::oneshot::channel();
    let (early_tx, early_rx) = tokio::sync::oneshot::channel();
    let deployed = deployments::chain(src, repo, plan, run.clone(), attempt_rx, early_tx).shared();
    let ((jobs, (commits, commits_note), deployed, artifacts), workflows) = join(
        join4(
            jobs::chain(gh, src, target, plan, run.clone(), attempt_tx),
            commits::chain(
                src,
                repo,
                plan,
                run,
                tag.clone(),
                early_rx,
                deployed.clone(),
            ),
            deployed,
            lists::artifacts(src, target, plan),
        ),
        lists::workflows(src, repo, plan),
    )
    .await;
    let (run, jobs, me, mut notes, may_fail) = jobs?;
    let mut lookups = Lookups {
        may_fail,
        ..Lookups::default()
    };
    let (head_is_tag, tag_note) = tag.await;
    lookups.head_is_tag = head_is_tag;
    notes.extend(tag_note);
    match commits {
        Found::Yes((list, source)) => {
            lookups.commits = Some(list);
            lookups.commits_source = Some(source);
        }
        // Why the head commit alone: said on the log's "Commits:" line.
        Found::No(Some(note)) if !note.warning => lookups.commits_source = Some(note.text),
        Found::No(note) => notes.extend(note),
    }
    notes.extend(commits_note);
    match deployed {
        Found::Yes(d) => {
            lookups.deployments = Some(map::deployments::environments(&d.ours));
            lookups.deployment_environment = d.trigger;
            notes.extend(d.note);
        }
        Found::No(note) => notes.extend(note),
    }
    match artifacts {
        Found::Yes(a) => lookups.artifacts = a,
        Found::No(note) => notes.extend(note),
    }
    match workflows {
        Found::Yes(w) => lookups.workflows = Some(w),
        Found::No(note) => notes.extend(note),
    }
    lookups.notes = notes;
    Ok(RunData {
        run,
        jobs,
        me,
        lookups,
    })
}

/// What an optional chain found, or the note that says why it found nothing.
#[derive(Debug, Clone)]
enum Found<T> {
    Yes(T),
    No(Option<Note>),
}

/// The run, read once and awaited by every chain.
type SharedRun<F> = futures_util::future::Shared<F>;

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(7)]
}
