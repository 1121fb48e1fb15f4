//! The run's jobs: every page of the attempt, read again while the other jobs settle (when the
//! step runs inside the attempt), and, once a job has failed, the workflow file that says
//! whether it may (`continue-on-error`, judged in [`may_fail`]).

use super::{short, MePlan, Plan, SharedRun};
use crate::github::client::{GitHub, MAX_PAGES};
use crate::github::error::Error;
use crate::github::pages::PER_PAGE;
use crate::github::source::Source;
use crate::map::deployments::Attempt;
use crate::map::{may_fail, me};
use crate::model::{Job, Note, Repo, Run, RunRef};
use futures_util::future::join;
use std::time::Instant;
use tokio::sync::oneshot;

/// The run, its jobs, "my" job, the notes, and the jobs that may fail (see [`may_fail`]).
type JobsRead = (Run, Vec<Job>, Option<me::Me>, Vec<Note>, Vec<u64>);

pub(super) async fn chain<F>(
    gh: &GitHub,
    src: &dyn Source,
    target: &RunRef,
    plan: &Plan<'_>,
    run: SharedRun<F>,
    attempt: oneshot::Sender<Attempt>,
) -> Result<JobsRead, Error>
where
    F: std::future::Future<Output = Result<Run, Error>>,
{
    let read = read(gh, src, target, plan, run).await;
    if let Ok((run, jobs, ..)) = &read {
        // What the deployments chain needs of the jobs, once they are final.
        let _ = attempt.send(Attempt::of(run, jobs));
    }
    read
}

async fn read<F>(
    gh: &GitHub,
    src: &dyn Source,
    target: &RunRef,
    plan: &Plan<'_>,
    run: SharedRun<F>,
) -> Result<JobsRead, Error>
where
    F: std::future::Future<Output = Result<Run, Error>>,
{
    let (run, path, first) = match target.attempt {
        Some(n) => {
            let path = GitHub::jobs_path(target, n);
            let (run, first) = join(run, gh.jobs_page(target, &path, 1)).await;
            (run?, path, first?)
        }
        None => {
            let run = run.await?;
            let path = GitHub::jobs_path(target, run.run_attempt.unwrap_or(1));
            let first = gh.jobs_page(target, &path, 1).await?;
            (run, path, first)
        }
    };
    let listed = first.total_count.unwrap_or(first.jobs.len() as u64);
    let jobs = gh.rest_of_jobs(target, &path, first).await?;
    let mut notes = Vec::new();
    let cap = MAX_PAGES * PER_PAGE;
    if listed > cap && (jobs.len() as u64) < listed {
        notes.push(Note::warning(format!(
            "the run has {listed} jobs and the reporter reads at most {cap} ({} pages of {}): \
             the other {} are not reported",
            MAX_PAGES,
            PER_PAGE,
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
            Some(workflow_jobs(src, &target.repo, &run).await)
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
            None => workflow_jobs(src, &target.repo, &run).await,
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
                    "Every other job has settled (read {reads} times, {}).",
                    crate::time::human(started.elapsed())
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
                    "after waiting {}, {} job(s) still have not finished: {what}. They are \
                     reported as running, and the run's result counts only the finished ones. \
                     Run the reporter in a job that `needs:` every other job, or raise \
                     `wait-timeout`.",
                    crate::time::human(mp.wait),
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
                    "could not read the jobs again ({e}): reporting them as first read"
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
/// `` `.github/workflows/ci.yml` at 607e6cc ``. When it cannot be read: why, and the permission
/// it needs when GitHub refused.
async fn workflow_jobs(
    src: &dyn Source,
    repo: &Repo,
    run: &Run,
) -> (String, Result<Vec<may_fail::WorkflowJob>, (String, String)>) {
    let path = run
        .path
        .as_deref()
        .and_then(|p| p.split('@').next())
        .unwrap_or_default();
    let sha = run.head_sha.as_deref().unwrap_or_default();
    let source = format!("`{path}` at {}", short(sha));
    let unread = |why: String| (why, String::new());
    if !path.starts_with(".github/workflows/") || sha.is_empty() {
        let why = "the run names no workflow file to read".to_owned();
        return (source, Err(unread(why)));
    }
    let read = match src.contents(repo, path, sha).await {
        Ok(file) => file
            .text()
            .ok_or_else(|| "GitHub sent no text for it".to_owned())
            .and_then(|text| may_fail::jobs_of(&text))
            .map_err(unread),
        Err(e) => Err((e.to_string(), e.hint("contents: read"))),
    };
    (source, read)
}

/// What the workflow file says of the failed jobs (see [`may_fail::judge_failures`]), or, when
/// it could not be read, why the reporter cannot tell ([`may_fail::unread`]).
fn judge_failures(
    failed: &[(u64, String)],
    (source, file): (String, Result<Vec<may_fail::WorkflowJob>, (String, String)>),
) -> (Vec<u64>, Vec<Note>) {
    match file {
        Ok(jobs) => may_fail::judge_failures(failed, &jobs, &source),
        Err((why, hint)) => (
            Vec::new(),
            vec![may_fail::unread(failed, &source, &why, &hint)],
        ),
    }
}
