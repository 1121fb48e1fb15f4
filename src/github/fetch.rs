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
//! | environments (`ci-cd: auto`) | deployments of the head commit (from the hint) | their statuses | |
//! | `include-workflow-artifacts` | artifacts page 1 | the other pages | |
//! | `continue-on-error` (the run you are in) | | the workflow file, once a job has failed | |
//! | job identity | the repository's workflows, page 1 | the other pages | |
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
//! [`fetch_from`]: the run is not asked for again. A caller that has read more ([`Known`]: the
//! other runs of the listing, a branch's history, the repository's deployments) answers the
//! look-ups it can, exactly as GitHub would, and only the rest is asked.

use super::client::GitHub;
use crate::env::RunnerEnv;
use crate::map::commits::{self, EventCommits, Lineage, Previous, PreviousQuery, Want};
use crate::map::{branch, cicd, may_fail, me};
use crate::model::event::Event;
use crate::model::Repo;
use crate::model::{
    Artifact, Comparison, Deployment, Job, Lookups, Note, Repository, Run, RunData, Workflow,
};
use crate::payload::Artifact as DeclaredArtifact;
use crate::target::RunRef;
use futures_util::future::{join, join4, try_join_all, FutureExt, LocalBoxFuture};
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// What to read besides the run and its jobs.
pub struct Plan<'a> {
    pub commits: commits::Mode,
    /// The reported run's own event (only when the step runs inside that run).
    pub own_event: Option<&'a Event>,
    /// What is known of the run before reading it.
    pub hint: Option<Run>,
    pub ci_cd: cicd::Setting,
    pub declared: &'a [DeclaredArtifact],
    pub workflow_artifacts: bool,
    /// Read the repository's workflows, to tell files with the same `name:` apart (not needed
    /// when `job-full-name` is given).
    pub workflows: bool,
    /// Set when the step runs inside the reported attempt: find "my" job, wait for the others.
    pub me: Option<MePlan>,
    /// The repository's default branch, when the event names it: a branch, never a tag.
    pub default_branch: Option<String>,
    /// What the caller already read that answers look-ups without a request.
    pub known: Option<&'a dyn Known>,
}

/// Answers to a run's look-ups from what a caller already read: each gives exactly what the
/// request it stands for would answer, or `None` to let the request be made.
pub trait Known {
    /// Page `page` of what `GET .../workflows/{q.workflow}/runs?status=success&branch=
    /// &event=&created=<{run's creation}&per_page={commits::PREVIOUS_PAGE}` would answer for
    /// `run` (its previous success).
    fn previous_page<'a>(
        &'a self,
        run: &'a Run,
        q: &'a commits::PreviousQuery,
        page: u64,
    ) -> LocalBoxFuture<'a, Option<Result<Vec<Run>, String>>>;
    /// The names of the repository's tags that start with `prefix` (`GET
    /// .../git/matching-refs/tags/{prefix}`).
    fn tags_starting_with<'a>(
        &'a self,
        prefix: &'a str,
    ) -> LocalBoxFuture<'a, Option<Result<Vec<String>, String>>>;
    /// The newest [`commits::MAX`] commits of `base...head`, newest first, and how many there
    /// are, as the compare API would tell them.
    fn between<'a>(
        &'a self,
        run: &'a Run,
        base: &'a str,
        head: &'a str,
    ) -> LocalBoxFuture<'a, Option<(Vec<String>, u64)>>;
    /// The newest deployments of commit `sha` (`GET .../deployments?sha=`).
    fn deployments<'a>(&'a self, sha: &'a str) -> LocalBoxFuture<'a, Option<Vec<Deployment>>>;
    /// The repository's workflows (`GET .../actions/workflows`, every page).
    fn workflows(&self) -> Option<Vec<Workflow>>;
}

pub struct MePlan {
    /// `job-status` says the reporter's own job failed.
    pub job_failed: bool,
    pub check_run_id: Option<u64>,
    pub runner_name: Option<String>,
    pub wait: Duration,
}

/// The hint for `target`: the run in a `workflow_run` event, or, for the run the step is part
/// of, what the runner's variables and event say; `None` otherwise.
pub fn hint(target: &RunRef, env: &RunnerEnv, event: Option<&Event>, own: bool) -> Option<Run> {
    if let Some(up) = event.and_then(|e| e.workflow_run.as_ref()) {
        if up.id == Some(target.id) {
            return Some(up.clone());
        }
    }
    if !own {
        return None;
    }
    let repo = target.repo.to_string();
    let event_name = env.event_name.clone();
    let pr = event.and_then(|e| e.pull_request.as_ref());
    let head_sha = match event_name.as_deref() {
        Some("push") => event.and_then(|e| e.after.clone()),
        Some("pull_request" | "pull_request_target") => {
            pr.and_then(|p| p.head.as_ref()?.sha.clone())
        }
        _ => env.sha.clone(),
    };
    let head_repo = match event_name.as_deref() {
        Some("pull_request" | "pull_request_target") => pr
            .and_then(|p| p.head.as_ref()?.repo.as_ref()?.full_name.clone())
            .unwrap_or_else(|| repo.clone()),
        _ => repo.clone(),
    };
    // `owner/repo/.github/workflows/ci.yml@refs/heads/main` → `.github/workflows/ci.yml`
    let path = env.workflow_ref.as_deref().and_then(|r| {
        let r = r.split('@').next()?;
        r.find(".github/workflows/").map(|i| r[i..].to_owned())
    });
    let named = |full_name: String| {
        Some(Repository {
            full_name: Some(full_name),
            ..Repository::default()
        })
    };
    Some(Run {
        id: Some(target.id),
        run_attempt: target.attempt,
        name: env.workflow.clone(),
        path,
        event: event_name,
        head_branch: env
            .head_ref
            .clone()
            .or_else(|| env.ref_name.clone())
            .filter(|b| !b.is_empty()),
        head_sha: head_sha.filter(|s| !s.is_empty()),
        head_repository: named(head_repo),
        repository: named(repo),
        ..Run::default()
    })
}

/// Reads the run, its jobs and whatever `plan` asks for.
pub async fn fetch(gh: &GitHub, target: &RunRef, plan: &Plan<'_>) -> Result<RunData, String> {
    fetch_from(gh, target, None, plan).await
}

/// [`fetch`], from the run when the caller already has it (the attempt `target` names, as a
/// listing of runs shows it): then the run is not asked for, and the jobs are asked at once.
pub async fn fetch_from(
    gh: &GitHub,
    target: &RunRef,
    known_run: Option<Run>,
    plan: &Plan<'_>,
) -> Result<RunData, String> {
    let run = match known_run {
        Some(r) => futures_util::future::ready(Ok(r)).left_future(),
        None => gh
            .run(target)
            .map(|r| r.map_err(|e| format!("{e:#}")))
            .right_future(),
    }
    .shared();
    let tag = tag_chain(gh, &target.repo, plan, run.clone()).shared();
    let ((jobs, commits, deployments, artifacts), workflows) = join(
        join4(
            jobs_chain(gh, target, plan, run.clone()),
            commits_chain(gh, &target.repo, plan, run.clone(), tag.clone()),
            deployments_chain(gh, &target.repo, plan, run),
            artifacts_chain(gh, target, plan),
        ),
        workflows_chain(gh, &target.repo, plan),
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
    match deployments {
        Found::Yes((d, trigger)) => {
            lookups.deployments = Some(d);
            lookups.deployment_environment = trigger;
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
enum Found<T> {
    Yes(T),
    No(Option<Note>),
}

type SharedRun<F> = futures_util::future::Shared<F>;

/// The run, its jobs, "my" job, the notes, and the jobs that may fail (see [`may_fail`]).
type JobsRead = (Run, Vec<Job>, Option<me::Me>, Vec<Note>, Vec<u64>);

async fn jobs_chain<F>(
    gh: &GitHub,
    target: &RunRef,
    plan: &Plan<'_>,
    run: SharedRun<F>,
) -> Result<JobsRead, String>
where
    F: std::future::Future<Output = Result<Run, String>>,
{
    let err = |e: anyhow::Error| format!("{e:#}");
    let (run, path, first) = match target.attempt {
        Some(n) => {
            let path = GitHub::jobs_path(target, n);
            let (run, first) = join(run, gh.jobs_page(target, &path, 1)).await;
            (run?, path, first.map_err(err)?)
        }
        None => {
            let run = run.await?;
            let path = GitHub::jobs_path(target, run.run_attempt.unwrap_or(1));
            let first = gh.jobs_page(target, &path, 1).await.map_err(err)?;
            (run, path, first)
        }
    };
    let listed = first.total_count.unwrap_or(first.jobs.len() as u64);
    let jobs = gh.rest_of_jobs(target, &path, first).await.map_err(err)?;
    let mut notes = Vec::new();
    let cap = super::client::MAX_PAGES * super::client::PER_PAGE;
    if listed > cap && (jobs.len() as u64) < listed {
        notes.push(Note::warning(format!(
            "the run has {listed} jobs and the reporter reads at most {cap} ({} pages of {}): \
             the other {} are not reported",
            super::client::MAX_PAGES,
            super::client::PER_PAGE,
            listed - jobs.len() as u64
        )));
    }

    let Some(mp) = &plan.me else {
        return Ok((run, jobs, None, notes, Vec::new()));
    };
    if run.status.as_deref() == Some("completed") {
        return Ok((run, jobs, None, notes, Vec::new()));
    }
    let me = me::find(&jobs, mp.check_run_id, mp.runner_name.as_deref());
    let my_id = me.as_ref().map(|m| m.job_id);
    // The run's result will be derived from its jobs: a failed job may be one GitHub does not
    // count (`continue-on-error`). The workflow file tells; it is read as soon as a job has
    // failed, beside the re-reads, and only then.
    let failed_early = failed_jobs(&jobs, my_id, mp.job_failed);
    let early = async {
        if failed_early.is_empty() {
            None
        } else {
            Some(workflow_jobs(gh, &target.repo, &run).await)
        }
    };
    let (jobs, early) = match &me {
        None => {
            notes.push(Note::warning(format!(
                "could not tell which job of the run this step is in (job-check-run-id {}, \
                 RUNNER_NAME {}): its status is not applied and the other jobs are not waited \
                 for; pass `job-check-run-id: ${{{{ job.check_run_id }}}}`",
                mp.check_run_id
                    .map_or_else(|| "not given".to_owned(), |id| format!("`{id}`")),
                mp.runner_name
                    .as_deref()
                    .map_or_else(|| "not set".to_owned(), |r| format!("`{r}`")),
            )));
            (jobs, early.await)
        }
        Some(me) => {
            notes.push(Note::info(format!("This step runs in {me}.")));
            let ((jobs, settled), early) =
                join(settle(gh, target, &path, jobs, me, mp), early).await;
            notes.extend(settled);
            (jobs, early)
        }
    };
    let failed = failed_jobs(&jobs, my_id, mp.job_failed);
    let mut may_fail = Vec::new();
    if !failed.is_empty() {
        let file = match early {
            Some(file) => file,
            None => workflow_jobs(gh, &target.repo, &run).await,
        };
        let (ids, said) = judge_failures(&failed, file);
        may_fail = ids;
        notes.extend(said);
    }
    Ok((run, jobs, me, notes, may_fail))
}

/// Reads the jobs again until every job but "mine" has settled, or the wait is over.
async fn settle(
    gh: &GitHub,
    target: &RunRef,
    path: &str,
    mut jobs: Vec<Job>,
    me: &me::Me,
    mp: &MePlan,
) -> (Vec<Job>, Vec<Note>) {
    let mut notes = Vec::new();
    let started = Instant::now();
    let deadline = started + mp.wait;
    let mut reads = 1u32;
    loop {
        let pending = me::unsettled(&jobs, Some(me.job_id));
        if pending.is_empty() {
            if reads > 1 {
                notes.push(Note::info(format!(
                    "Every other job has settled (read {reads} times, {:.1} s).",
                    started.elapsed().as_secs_f64()
                )));
            }
            break;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            let what = me::describe(&pending);
            notes.push(if mp.wait.is_zero() {
                Note::info(format!(
                    "Not waiting (wait-timeout 0): still running: {what}; reported as running."
                ))
            } else {
                Note::warning(format!(
                    "after waiting {} s, {} job(s) still have not finished: {what}. They are \
                     reported as running, and the run's result counts only the finished ones. \
                     Run the reporter in a job that `needs:` every other job, or raise \
                     `wait-timeout`.",
                    mp.wait.as_secs(),
                    pending.len()
                ))
            });
            break;
        }
        reads += 1;
        gh.pause(me::next_delay(reads, left)).await;
        match gh.all_jobs_if_changed(target, path).await {
            Ok(Some(fresh)) => jobs = fresh,
            Ok(None) => {} // 304 for every page: nothing changed.
            Err(e) => {
                notes.push(Note::warning(format!(
                    "could not read the jobs again ({e:#}): reporting them as first read"
                )));
                break;
            }
        }
    }
    (jobs, notes)
}

/// The finished jobs that failed (`failure`, `timed_out`), "mine" too when its `job-status`
/// says so, as `(id, name)`.
fn failed_jobs(jobs: &[Job], me: Option<u64>, i_failed: bool) -> Vec<(u64, String)> {
    jobs.iter()
        .filter(|j| {
            let mine = me.is_some() && j.id == me;
            if mine {
                i_failed
            } else {
                matches!(j.conclusion.as_deref(), Some("failure" | "timed_out"))
            }
        })
        .filter_map(|j| Some((j.id?, j.name.clone().unwrap_or_default())))
        .collect()
}

/// The workflow file's jobs at the run's head commit, and what was read, for the log:
/// `` `.github/workflows/ci.yml` at 607e6cc ``.
async fn workflow_jobs(
    gh: &GitHub,
    repo: &Repo,
    run: &Run,
) -> (String, Result<Vec<may_fail::WorkflowJob>, String>) {
    let path = run
        .path
        .as_deref()
        .and_then(|p| p.split('@').next())
        .unwrap_or_default();
    let sha = run.head_sha.as_deref().unwrap_or_default();
    let source = format!("`{path}` at {}", short(sha));
    if !path.starts_with(".github/workflows/") || sha.is_empty() {
        return (
            source,
            Err("the run names no workflow file to read".to_owned()),
        );
    }
    let read = match gh.contents(repo, path, sha).await {
        Ok(file) => file
            .text()
            .ok_or_else(|| "GitHub sent no text for it".to_owned())
            .and_then(|text| may_fail::jobs_of(&text)),
        Err(e) => Err(format!("{e:#}")),
    };
    (source, read)
}

/// What the workflow file says of the failed jobs: the ids of those that may fail, and the
/// log's lines (what was read and decided, or why it cannot tell).
fn judge_failures(
    failed: &[(u64, String)],
    (source, file): (String, Result<Vec<may_fail::WorkflowJob>, String>),
) -> (Vec<u64>, Vec<Note>) {
    let names = |list: &mut dyn Iterator<Item = &String>| {
        list.map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let jobs = match file {
        Ok(jobs) => jobs,
        Err(e) => {
            return (
                Vec::new(),
                vec![Note::warning(format!(
                    "could not tell whether the failed job(s) {} may fail (`continue-on-error`): \
                     reading {source} failed ({e}); they count as failures, while GitHub may \
                     conclude the run `success`{}",
                    names(&mut failed.iter().map(|(_, n)| n)),
                    permission_hint(&e, "contents: read")
                ))],
            )
        }
    };
    let v = may_fail::judge(failed, &jobs);
    let mut notes = Vec::new();
    if !v.may_fail.is_empty() {
        notes.push(Note::info(format!(
            "The failed job(s) {} may fail (`continue-on-error: true` in {source}): GitHub does \
             not count them against the run, and neither does the result reported.",
            names(&mut v.may_fail.iter().map(|(_, n)| n))
        )));
    }
    if !v.fail.is_empty() {
        notes.push(Note::info(format!(
            "The failed job(s) {} fail the run (no `continue-on-error: true` in {source}).",
            names(&mut v.fail.iter().map(|(_, n)| n))
        )));
    }
    for (_, n, e, may) in &v.told {
        notes.push(Note::info(if *may {
            format!(
                "The failed job `{n}` may fail (`continue-on-error: {e}` in {source} is true \
                 for its matrix leg): GitHub does not count it against the run, and neither \
                 does the result reported."
            )
        } else {
            format!(
                "The failed job `{n}` fails the run (`continue-on-error: {e}` in {source} is \
                 false for its matrix leg)."
            )
        }));
    }
    if !v.unknown.is_empty() {
        notes.push(Note::warning(format!(
            "could not tell whether the failed job(s) {} may fail (`continue-on-error`, in \
             {source}): they count as failures, while GitHub may conclude the run `success`",
            v.unknown
                .iter()
                .map(|(_, n, why)| format!("`{n}` ({why})"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let told = v.told.iter().filter(|t| t.3).map(|t| t.0);
    (
        v.may_fail.iter().map(|(id, _)| *id).chain(told).collect(),
        notes,
    )
}

/// `scm_commit_ids`: `Yes((commits newest first, where they came from))`, or a note and the
/// head commit.
async fn commits_chain<F, T>(
    gh: &GitHub,
    repo: &Repo,
    plan: &Plan<'_>,
    run: SharedRun<F>,
    tag: SharedRun<T>,
) -> Found<(Vec<String>, String)>
where
    F: std::future::Future<Output = Result<Run, String>>,
    T: std::future::Future<Output = (Option<bool>, Option<Note>)>,
{
    match plan.commits {
        commits::Mode::Head => Found::No(None),
        commits::Mode::Event => event_commits(gh, repo, plan).await,
        commits::Mode::SinceLastSuccess => since_last_success(gh, repo, plan, run, tag).await,
    }
}

/// Whether the run's head branch is a tag, for a reporter without the run's own event (which
/// says it): a `push` or `create` run's `head_branch` is the bare name of a branch or a tag.
/// `(None, None)` when it was not worth asking; a failed look-up is a note, and a branch.
async fn tag_chain<F>(
    gh: &GitHub,
    repo: &Repo,
    plan: &Plan<'_>,
    run: SharedRun<F>,
) -> (Option<bool>, Option<Note>)
where
    F: std::future::Future<Output = Result<Run, String>>,
{
    if plan.own_event.is_some() {
        return (None, None);
    }
    let worth = |r: &Run| -> Option<String> {
        let event = r.event.as_deref()?;
        let head = r.head_branch.clone().filter(|b| !b.is_empty())?;
        (branch::TAG_EVENTS.contains(&event) && plan.default_branch.as_ref() != Some(&head))
            .then_some(head)
    };
    let spec = plan.hint.as_ref().and_then(worth);
    let speculative = match &spec {
        Some(head) => Some(gh.tags_starting_with(repo, head).await),
        None => None,
    };
    let Ok(run) = run.await else {
        return (None, None);
    };
    let Some(head) = worth(&run) else {
        return (None, None);
    };
    let names = match speculative {
        Some(Ok(names)) if spec.as_ref() == Some(&head) => names,
        _ => match tags(gh, repo, plan, &head).await {
            Ok(names) => names,
            Err(e) => {
                let e = format!("{e:#}");
                return (
                    None,
                    Some(Note::warning(format!(
                        "could not tell whether `{head}` is a tag or a branch ({e}): reported as \
                         a branch{}",
                        permission_hint(&e, "contents: read")
                    ))),
                );
            }
        },
    };
    (Some(names.contains(&head)), None)
}

async fn event_commits(gh: &GitHub, repo: &Repo, plan: &Plan<'_>) -> Found<(Vec<String>, String)> {
    let (Some(event), Some(name)) = (
        plan.own_event,
        plan.hint.as_ref().and_then(|h| h.event.as_deref()),
    ) else {
        return Found::No(Some(Note::warning(
            "`commits: event` needs the run's own event, and this step is not part of the \
             reported run: reporting the head commit only (use `since-last-success`)",
        )));
    };
    match commits::from_event(name, event) {
        EventCommits::Listed(list) => {
            let n = list.len();
            Found::Yes((list, format!("the {name} event ({n})")))
        }
        EventCommits::Compare { base, head } => {
            match newest_between(gh, repo, &base, &head).await {
                Ok((list, total)) => Found::Yes((
                    list,
                    format!(
                        "the {name} event, {} to {} ({total})",
                        short(&base),
                        short(&head)
                    ),
                )),
                Err(e) => Found::No(Some(Note::warning(format!(
                    "could not list the commits of the {name} event ({e}): reporting the head \
                 commit only{}",
                    permission_hint(&e, "contents: read")
                )))),
            }
        }
        EventCommits::None(why) => Found::No(Some(Note::info(why))),
    }
}

async fn since_last_success<F, T>(
    gh: &GitHub,
    repo: &Repo,
    plan: &Plan<'_>,
    run: SharedRun<F>,
    tag: SharedRun<T>,
) -> Found<(Vec<String>, String)>
where
    F: std::future::Future<Output = Result<Run, String>>,
    T: std::future::Future<Output = (Option<bool>, Option<Note>)>,
{
    // From the hint: the lineage as far as it is known before any answer (a tag only when the
    // run's own event or a release says so), its query and, for a tag push, the tags of its
    // family, all in round 1.
    let spec = plan.hint.as_ref().and_then(|h| {
        let tag = branch::tag(h, plan.own_event, None);
        let lineage = Lineage::of(h, tag.as_deref(), plan.own_event)?;
        let query = commits::previous_query(h, &lineage)?;
        Some((lineage, query, h.event.clone()))
    });
    let spec_family = spec
        .as_ref()
        .and_then(|(l, _, e)| l.needs_tags(e.as_deref()).map(str::to_owned));
    let (speculative, spec_tags) = join(
        async {
            match &spec {
                Some((_, q, _)) => {
                    Some(gh.successful_runs(repo, q, commits::PREVIOUS_PAGE, 1).await)
                }
                None => None,
            }
        },
        async {
            match &spec_family {
                Some(f) => Some(gh.tags_starting_with(repo, f).await),
                None => None,
            }
        },
    )
    .await;
    let Ok(run) = run.await else {
        return Found::No(None); // the run itself failed: the report says so
    };
    let fail = |e: String| {
        Found::No(Some(Note::warning(format!(
            "could not find the commits since the last successful run ({e}): reporting the \
             head commit only{}",
            permission_hint(&e, "actions: read` and `contents: read")
        ))))
    };
    let (head_is_tag, _) = tag.await;
    let this_tag = branch::tag(&run, plan.own_event, head_is_tag);
    let Some(lineage) = Lineage::of(&run, this_tag.as_deref(), plan.own_event) else {
        return Found::No(Some(Note::info(
            "the run names no branch or tag to find its last success",
        )));
    };
    let Some(query) = commits::previous_query(&run, &lineage) else {
        return Found::No(Some(Note::info(
            "the run names no workflow to find its last success",
        )));
    };
    let Some(head) = run.head_sha.clone() else {
        return Found::No(None);
    };
    // A tag push's runs sit beside the same workflow's branch runs: the family's tags tell.
    let tags: Option<HashSet<String>> = match lineage.needs_tags(run.event.as_deref()) {
        None => None,
        Some(family) => {
            let names = match spec_tags {
                Some(Ok(names)) if spec_family.as_deref() == Some(family) => names,
                _ => match tags(gh, repo, plan, family).await {
                    Ok(names) => names,
                    Err(e) => return fail(format!("{e:#}")),
                },
            };
            Some(names.into_iter().collect())
        }
    };
    let want = Want {
        this: &run,
        lineage: &lineage,
        tags: tags.as_ref(),
    };
    let mut page = match (speculative, &spec) {
        (Some(Ok(page)), Some((_, q, _))) if q.same_target(&query) => Some(page),
        _ => None,
    };
    // The speculative page already answers with the filter when it asked the very same thing.
    let mut asked_with_filter = page.is_some() && spec.as_ref().map(|(_, q, _)| q) == Some(&query);
    let mut page_number = 1;
    let previous = loop {
        let runs = match page.take() {
            Some(p) => p,
            None => {
                asked_with_filter |= query.created_before.is_some();
                let known = match plan.known {
                    Some(k) => k.previous_page(&run, &query, page_number).await,
                    None => None,
                };
                let asked = match known {
                    Some(answer) => answer,
                    None => gh
                        .successful_runs(repo, &query, commits::PREVIOUS_PAGE, page_number)
                        .await
                        .map_err(|e| format!("{e:#}")),
                };
                match asked {
                    Ok(p) => p,
                    Err(e) => return fail(e),
                }
            }
        };
        match commits::pick_previous(&runs, commits::PREVIOUS_PAGE, &want) {
            Previous::Found(r) => break r.clone(),
            Previous::NoneBefore => return none_before(gh, repo, &lineage, &query, &head).await,
            // A page read without the creation filter, full of newer runs: ask with it.
            Previous::Unknown if !asked_with_filter && query.created_before.is_some() => {
                page_number = 1
            }
            Previous::Unknown if page_number < commits::MAX_PREVIOUS_PAGES => page_number += 1,
            Previous::Unknown => {
                return Found::No(Some(Note::warning(format!(
                    "none of the newest {} successful {}runs of this workflow {} is an \
                     earlier one of this run's own (they are newer, or from forks' branches of \
                     the same name, or for other tags): reporting the head commit only",
                    commits::PREVIOUS_PAGE * commits::MAX_PREVIOUS_PAGES,
                    query
                        .event
                        .as_deref()
                        .map(|e| format!("`{e}` "))
                        .unwrap_or_default(),
                    lineage.describe()
                ))))
            }
        }
    };
    let base = previous.head_sha.clone().unwrap_or_default();
    let since = match &lineage {
        Lineage::Tag { .. } => format!(
            "since the tag `{}` (run #{}, ",
            previous.head_branch.as_deref().unwrap_or_default(),
            previous.run_number.unwrap_or_default()
        ),
        Lineage::MergeQueue { base: b, .. } => format!(
            "since run #{} on `{b}` (",
            previous.run_number.unwrap_or_default()
        ),
        Lineage::Branch(_) => format!("since run #{} (", previous.run_number.unwrap_or_default()),
    };
    let known = match plan.known {
        Some(k) if !base.eq_ignore_ascii_case(&head) => k.between(&run, &base, &head).await,
        _ => None,
    };
    let between = match known {
        Some(found) => Ok(found),
        None => newest_between(gh, repo, &base, &head).await,
    };
    match between {
        Ok((list, total)) => Found::Yes((
            list,
            format!(
                "{since}{} to {}, {total} commit(s))",
                short(&base),
                short(&head)
            ),
        )),
        Err(e) => fail(e),
    }
}

/// No earlier success: the head commit, except for a merge queue, whose own range (from the
/// commit it starts at) is what it is the first to build.
async fn none_before(
    gh: &GitHub,
    repo: &Repo,
    lineage: &Lineage,
    query: &PreviousQuery,
    head: &str,
) -> Found<(Vec<String>, String)> {
    let event = query
        .event
        .as_deref()
        .map(|e| format!("`{e}` "))
        .unwrap_or_default();
    let none = format!(
        "no earlier successful {event}run of this workflow {}",
        lineage.describe()
    );
    let Lineage::MergeQueue {
        base,
        base_sha: Some(start),
    } = lineage
    else {
        return Found::No(Some(Note::info(none)));
    };
    match newest_between(gh, repo, start, head).await {
        Ok((list, total)) => Found::Yes((
            list,
            format!(
                "the merge queue's range from `{base}` at {} to {} ({total} commit(s)): {none}",
                short(start),
                short(head)
            ),
        )),
        Err(e) => Found::No(Some(Note::warning(format!(
            "could not list the merge queue's commits ({e}): reporting the head commit only{}",
            permission_hint(&e, "contents: read")
        )))),
    }
}

/// The newest [`commits::MAX`] commits of `base...head`, newest first, and how many there are:
/// page 1 (which tells the total), then the pages that hold the newest, together.
async fn newest_between(
    gh: &GitHub,
    repo: &Repo,
    base: &str,
    head: &str,
) -> Result<(Vec<String>, u64), String> {
    if base.eq_ignore_ascii_case(head) {
        return Ok((vec![head.to_owned()], 0));
    }
    let err = |e: anyhow::Error| format!("{e:#}");
    let first = gh.compare(repo, base, head, 1).await.map_err(err)?;
    let total = first.total_commits.unwrap_or(first.commits.len() as u64);
    let pages = commits::newest_pages(total, commits::MAX);
    let more: Vec<u64> = pages.clone().filter(|p| *p != 1).collect();
    let fetched = try_join_all(more.iter().map(|p| gh.compare(repo, base, head, *p)))
        .await
        .map_err(err)?;
    let in_range: Vec<&Comparison> = pages
        .contains(&1)
        .then_some(&first)
        .into_iter()
        .chain(fetched.iter())
        .collect();
    let list = commits::newest_first(in_range, commits::MAX);
    if list.is_empty() {
        // Nothing between them (the base is ahead, say): the head is what this run built.
        return Ok((vec![head.to_owned()], total));
    }
    Ok((list, total))
}

/// `ci-cd: auto`: the environments this run deployed to, and, for a run started by a
/// `deployment` event, the environment of the deployment that started it.
async fn deployments_chain<F>(
    gh: &GitHub,
    repo: &Repo,
    plan: &Plan<'_>,
    run: SharedRun<F>,
) -> Found<(Vec<(String, Option<u64>)>, Option<String>)>
where
    F: std::future::Future<Output = Result<Run, String>>,
{
    let needed = |r: &Run| cicd::needs_environments(plan.ci_cd, plan.declared, r.event.as_deref());
    let spec_sha = plan
        .hint
        .as_ref()
        .filter(|h| needed(h))
        .and_then(|h| h.head_sha.clone());
    let speculative = match &spec_sha {
        Some(sha) => Some(gh.deployments(repo, sha).await),
        None => None,
    };
    let Ok(run) = run.await else {
        return Found::No(None);
    };
    if !needed(&run) {
        return Found::No(None);
    }
    let (Some(sha), Some(run_id)) = (run.head_sha.clone(), run.id) else {
        return Found::No(None);
    };
    let fail = |e: String| {
        Found::No(Some(Note::warning(format!(
            "could not read the deployments of {} ({e}), so `ci-cd: auto` cannot see \
             environments{}; or set `ci-cd`",
            short(&sha),
            permission_hint(&e, "deployments: read")
        ))))
    };
    let known = match plan.known {
        Some(k) => k.deployments(&sha).await,
        None => None,
    };
    let all: Vec<Deployment> = match (known, speculative, spec_sha) {
        (Some(list), _, _) => list,
        (None, Some(Ok(list)), Some(s)) if s.eq_ignore_ascii_case(&sha) => list,
        _ => match gh.deployments(repo, &sha).await {
            Ok(list) => list,
            Err(e) => return fail(format!("{e:#}")),
        },
    };
    let trigger = (run.event.as_deref() == Some("deployment"))
        .then(|| cicd::triggering_deployment(&all, &run))
        .flatten()
        .and_then(|d| d.environment.clone());
    let candidates = cicd::candidates(&all, &run);
    let statuses = match try_join_all(
        candidates
            .iter()
            .map(|d| gh.deployment_statuses(repo, d.id.unwrap_or_default())),
    )
    .await
    {
        Ok(s) => s,
        Err(e) => return fail(format!("{e:#}")),
    };
    let checked: Vec<_> = candidates.into_iter().zip(statuses).collect();
    Found::Yes((cicd::deployed_environments(&checked, run_id), trigger))
}

/// Job identity: the repository's workflows (every page, at most [`MAX_WORKFLOW_PAGES`]).
async fn workflows_chain(gh: &GitHub, repo: &Repo, plan: &Plan<'_>) -> Found<Vec<Workflow>> {
    if !plan.workflows {
        return Found::No(None);
    }
    if let Some(listed) = plan.known.and_then(|k| k.workflows()) {
        return Found::Yes(listed);
    }
    let result = async {
        let first = gh.workflows_page(repo, 1).await?;
        let got = first.workflows.len() as u64;
        let total = first.total_count.unwrap_or(got);
        let pages = total
            .div_ceil(super::client::PER_PAGE)
            .clamp(1, MAX_WORKFLOW_PAGES);
        let rest = try_join_all((2..=pages).map(|p| gh.workflows_page(repo, p))).await?;
        anyhow::Ok(
            std::iter::once(first)
                .chain(rest)
                .flat_map(|p| p.workflows)
                .collect::<Vec<_>>(),
        )
    }
    .await;
    match result {
        Ok(w) => Found::Yes(w),
        Err(e) => Found::No(Some(Note::warning(format!(
            "could not list the repository's workflows ({e:#}): the job is named \
             `<owner>/<repo>/<workflow name>` without telling apart workflow files that share \
             a name{}",
            permission_hint(&format!("{e:#}"), "actions: read")
        )))),
    }
}

/// Pages of the workflows list read at most (10,000 workflows).
const MAX_WORKFLOW_PAGES: u64 = 100;

/// `include-workflow-artifacts`: every artifact the run uploaded.
async fn artifacts_chain(gh: &GitHub, target: &RunRef, plan: &Plan<'_>) -> Found<Vec<Artifact>> {
    if !plan.workflow_artifacts {
        return Found::No(None);
    }
    let result = async {
        let first = gh.artifacts_page(&target.repo, target.id, 1).await?;
        let got = first.artifacts.len() as u64;
        let total = first.total_count.unwrap_or(got);
        let pages = total.div_ceil(super::client::PER_PAGE).clamp(1, 10);
        let rest = try_join_all((2..=pages).map(|p| gh.artifacts_page(&target.repo, target.id, p)))
            .await?;
        anyhow::Ok(
            std::iter::once(first)
                .chain(rest)
                .flat_map(|p| p.artifacts)
                .collect::<Vec<_>>(),
        )
    }
    .await;
    match result {
        Ok(a) => Found::Yes(a),
        Err(e) => Found::No(Some(Note::warning(format!(
            "could not list the run's artifacts ({e:#}): reporting the declared ones only"
        )))),
    }
}

/// The tags starting with `prefix`: from what the caller already read, else asked.
async fn tags(
    gh: &GitHub,
    repo: &Repo,
    plan: &Plan<'_>,
    prefix: &str,
) -> Result<Vec<String>, String> {
    if let Some(known) = plan.known {
        if let Some(answer) = known.tags_starting_with(prefix).await {
            return answer;
        }
    }
    gh.tags_starting_with(repo, prefix)
        .await
        .map_err(|e| format!("{e:#}"))
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(7)]
}

/// `: give the token `<permission>`` when GitHub refused for lack of one.
fn permission_hint(error: &str, permission: &str) -> String {
    if error.contains(" 403 ")
        || error.contains(" 404 ")
        || error.contains("answered 403")
        || error.contains("answered 404")
    {
        format!(" (give `github-token` the `{permission}` permission)")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::Source;

    fn target(attempt: Option<u64>) -> RunRef {
        RunRef {
            repo: Repo::parse("acme/api").unwrap(),
            id: 900,
            attempt,
            source: Source::Environment,
        }
    }

    fn env(event: &str) -> RunnerEnv {
        RunnerEnv {
            event_name: Some(event.into()),
            workflow: Some("CI".into()),
            workflow_ref: Some("acme/api/.github/workflows/ci.yml@refs/heads/main".into()),
            ref_name: Some("main".into()),
            sha: Some("merge0000".into()),
            ..RunnerEnv::default()
        }
    }

    #[test]
    fn the_hint_of_a_push_run_comes_from_the_runner() {
        let e: Event = serde_json::from_str(r#"{"after":"abc123"}"#).unwrap();
        let h = hint(&target(Some(2)), &env("push"), Some(&e), true).unwrap();
        assert_eq!(h.path.as_deref(), Some(".github/workflows/ci.yml"));
        assert_eq!(h.head_branch.as_deref(), Some("main"));
        assert_eq!(h.head_sha.as_deref(), Some("abc123"));
        assert_eq!((h.id, h.run_attempt), (Some(900), Some(2)));
        let lineage = Lineage::of(&h, None, None).unwrap();
        let q = commits::previous_query(&h, &lineage).unwrap();
        assert_eq!(
            (q.workflow.as_str(), q.branch.as_deref(), q.event.as_deref()),
            ("ci.yml", Some("main"), Some("push"))
        );
        assert_eq!(
            hint(&target(None), &env("push"), None, false).map(|h| h.id),
            None
        );
    }

    #[test]
    fn the_hint_of_a_pull_request_uses_its_head() {
        let e: Event = serde_json::from_str(
            r#"{"pull_request":{"head":{"sha":"h1","repo":{"full_name":"fork/api"}}}}"#,
        )
        .unwrap();
        let mut env = env("pull_request");
        env.head_ref = Some("fix".into());
        env.ref_name = Some("42/merge".into());
        let h = hint(&target(None), &env, Some(&e), true).unwrap();
        assert_eq!(h.head_branch.as_deref(), Some("fix"));
        assert_eq!(h.head_sha.as_deref(), Some("h1"), "not the merge commit");
        assert_eq!(
            h.head_repository.and_then(|r| r.full_name).as_deref(),
            Some("fork/api")
        );
    }

    #[test]
    fn a_workflow_run_event_is_the_hint_of_its_run() {
        let e: Event =
            serde_json::from_str(r#"{"workflow_run":{"id":900,"head_sha":"s","workflow_id":5}}"#)
                .unwrap();
        let h = hint(&target(None), &RunnerEnv::default(), Some(&e), false).unwrap();
        assert_eq!((h.head_sha.as_deref(), h.workflow_id), (Some("s"), Some(5)));
    }

    #[test]
    fn permission_hints_only_for_refusals() {
        assert!(
            permission_hint("GitHub answered 403 for /x: no", "contents: read")
                .contains("`contents: read`")
        );
        assert_eq!(permission_hint("timed out", "contents: read"), "");
    }
}
