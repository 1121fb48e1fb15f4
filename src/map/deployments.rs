//! Deployments, the facts behind `cd` and behind a deployment's commits: which deployments of the
//! head commit are **this attempt's**, and which earlier deployment its commits count from. Pure:
//! the requests that feed it live in `github::fetch` (`deployments.rs`, `commits.rs`).
//!
//! GitHub Actions makes a deployment for each job with `environment:` and points its statuses'
//! `log_url` at that job, `.../actions/runs/{run id}/job/{job id}`. The run id is shared by every
//! attempt of a run, so a deployment is this attempt's when the job it names is one of this
//! attempt's jobs and that job ran ([`of_attempt`]); the attempt's jobs list the jobs a re-run
//! reused from an earlier attempt, so a reused deploy job counts for the attempt that reused it.
//!
//! The commits of a deployment are those since **the same workflow's previous successful
//! deployment to the same environment** ([`Base`]): the deployments to the environment older
//! than this attempt's, newest first, the first whose statuses hold a `success` (GitHub marks a
//! superseded one `inactive` later, so the whole list is read, not its newest state) and whose
//! `log_url` names a run of this workflow, whatever event, branch or tag started it.

use super::cicd::{self, JobFact};
use crate::model::{Deployment, DeploymentStatus, Job, Run};
use chrono::{DateTime, Duration, Utc};

/// How much earlier than the run's creation a deployment may read as created and still be the
/// run's (clocks differ a little between GitHub's services).
pub const CLOCK_SLACK_SECONDS: i64 = 120;
/// How much later than the run's creation the deployment that started a `deployment` run may
/// read as created (the same clocks).
const TRIGGER_SLACK_SECONDS: i64 = 5;
/// Pages of the head commit's deployments read at most (`?sha=`, 100 a page), newest first; the
/// reading stops at the first page that is not full or that reaches deployments older than the
/// run.
pub const MAX_COMMIT_PAGES: u64 = 10;
/// Deployments of the head commit created while the run ran whose statuses are read, at most
/// (the newest): a dozen services deploying one commit of a monorepo fit many times over.
pub const MAX_CANDIDATES: usize = 30;
/// Deployments to an environment per page when looking for the previous successful one
/// (`?environment=`): a deployment is about 4 kB, and the answer is most often on the first.
pub const ENVIRONMENT_PAGE: u64 = 30;
/// Pages of an environment's deployments read at most, to reach this attempt's own and the
/// ones before it.
pub const MAX_ENVIRONMENT_PAGES: u64 = 10;
/// Earlier deployments to an environment looked at, at most, for the previous successful one of
/// this workflow (in batches of [`BASE_BATCH`]: the statuses of a batch together, then the runs
/// they name together).
pub const MAX_BASE_CANDIDATES: usize = 30;
/// See [`MAX_BASE_CANDIDATES`].
pub const BASE_BATCH: usize = 10;

fn slack() -> Duration {
    Duration::seconds(CLOCK_SLACK_SECONDS)
}

/// The deployments of the run's head commit that may be its own, newest first, at most
/// [`MAX_CANDIDATES`]: created from the run's creation (its first attempt: a reused job deployed
/// then) to its last update when it has completed. How many more there were is the second value.
pub fn candidates<'a>(deployments: &'a [Deployment], run: &Run) -> (Vec<&'a Deployment>, usize) {
    let start = run.created_at.or(run.run_started_at);
    let end = (run.status.as_deref() == Some("completed"))
        .then_some(run.updated_at)
        .flatten();
    let mut out: Vec<&Deployment> = deployments
        .iter()
        .filter(|d| d.id.is_some())
        .filter(|d| same_commit(d, run))
        .filter(|d| match (d.created_at, start) {
            (Some(c), Some(s)) => c >= s - slack(),
            _ => true,
        })
        .filter(|d| match (d.created_at, end) {
            (Some(c), Some(e)) => c <= e + slack(),
            _ => true,
        })
        .collect();
    out.sort_by_key(|d| std::cmp::Reverse((d.created_at, d.id)));
    let more = out.len().saturating_sub(MAX_CANDIDATES);
    out.truncate(MAX_CANDIDATES);
    (out, more)
}

/// Whether a page of a commit's deployments (newest first, `per_page` asked) leaves more worth
/// reading: it is full and none of it is older than `since`.
pub fn more_after(page: &[Deployment], per_page: u64, since: Option<DateTime<Utc>>) -> bool {
    page.len() as u64 >= per_page && page.iter().all(|d| created_since(d, since))
}

/// Whether `d` was created at or after `since` (or either is not known).
pub fn created_since(d: &Deployment, since: Option<DateTime<Utc>>) -> bool {
    match (d.created_at, since) {
        (Some(c), Some(s)) => c >= s,
        _ => true,
    }
}

/// From when a deployment may be the run's: its creation (its first attempt's: a reused job
/// deployed then), less the clocks' slack.
pub fn since(run: &Run) -> Option<DateTime<Utc>> {
    run.created_at.or(run.run_started_at).map(|s| s - slack())
}

fn same_commit(d: &Deployment, run: &Run) -> bool {
    match (&d.sha, &run.head_sha) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => true,
    }
}

/// For a run started by a `deployment` event, without the event itself (a reporter in another
/// workflow): the deployment that started it, the newest of the head commit created no later
/// than the run.
pub fn triggering_deployment<'a>(
    deployments: &'a [Deployment],
    run: &Run,
) -> Option<&'a Deployment> {
    let created = run.created_at?;
    deployments
        .iter()
        .filter(|d| same_commit(d, run))
        .filter(|d| {
            d.created_at
                .is_some_and(|c| c <= created + Duration::seconds(TRIGGER_SLACK_SECONDS))
        })
        .max_by_key(|d| d.created_at)
}

/// The run (and job) a deployment status points at: `(run id, Some(job))` for
/// `.../actions/runs/{run}/job/{job}`, `(run id, None)` for the run alone.
pub fn run_link(status: &DeploymentStatus) -> Option<(u64, Option<u64>)> {
    const NEEDLE: &str = "/actions/runs/";
    [status.log_url.as_deref(), status.target_url.as_deref()]
        .into_iter()
        .flatten()
        .find_map(|url| {
            let at = url.find(NEEDLE)? + NEEDLE.len();
            let rest = &url[at..];
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let run: u64 = rest[..end].parse().ok()?;
            let job = rest[end..]
                .strip_prefix("/job/")
                .and_then(|j| j.split(['/', '?', '#']).next())
                .and_then(|j| j.parse().ok());
            Some((run, job))
        })
}

/// The job id a deployment status points at, when it points into run `run_id`:
/// `Some(Some(job))` for `.../actions/runs/{run_id}/job/{job}`, `Some(None)` for the run itself.
pub fn links_to_run(status: &DeploymentStatus, run_id: u64) -> Option<Option<u64>> {
    match run_link(status) {
        Some((run, job)) if run == run_id => Some(job),
        _ => None,
    }
}

/// A deployment whose status links to the run: where, made by which job (when the link says),
/// when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked {
    pub id: u64,
    pub environment: String,
    pub job: Option<u64>,
    pub created_at: Option<DateTime<Utc>>,
}

/// The checked candidates one of whose statuses links to run `run_id` (any attempt's).
pub fn linked(checked: &[(&Deployment, Vec<DeploymentStatus>)], run_id: u64) -> Vec<Linked> {
    checked
        .iter()
        .filter_map(|(d, statuses)| {
            let job = statuses.iter().find_map(|s| links_to_run(s, run_id))?;
            let environment = d
                .environment
                .clone()
                .or_else(|| statuses.iter().find_map(|s| s.environment.clone()))
                .unwrap_or_else(|| "unnamed".to_owned());
            Some(Linked {
                id: d.id?,
                environment,
                job,
                created_at: d.created_at,
            })
        })
        .collect()
}

/// What an attempt did, as far as its deployments are concerned: its jobs (id, ran) and its span.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attempt {
    pub jobs: Vec<(u64, bool)>,
    pub start: Option<DateTime<Utc>>,
    /// `None` while it runs.
    pub end: Option<DateTime<Utc>>,
}

impl Attempt {
    /// `run`'s attempt with `jobs` (this attempt's listing, reused jobs included).
    pub fn of(run: &Run, jobs: &[Job]) -> Attempt {
        Attempt {
            jobs: jobs
                .iter()
                .filter_map(|j| Some((j.id?, cicd::ran(j))))
                .collect(),
            start: run.run_started_at.or(run.created_at),
            end: (run.status.as_deref() == Some("completed"))
                .then(|| super::attempt_end(run, jobs))
                .flatten(),
        }
    }

    /// The jobs as the hints see them.
    pub fn facts<'a>(jobs: &'a [Job]) -> Vec<JobFact<'a>> {
        jobs.iter().map(JobFact::of).collect()
    }
}

/// The deployments of `linked` that are this attempt's: made by one of its jobs that ran (a
/// reused job counts), or, for a link to the run alone (no job), created while the attempt ran.
pub fn of_attempt(linked: &[Linked], attempt: &Attempt) -> Vec<Linked> {
    linked
        .iter()
        .filter(|l| match l.job {
            Some(job) => attempt.jobs.iter().any(|(id, ran)| *id == job && *ran),
            None => {
                let after = match (l.created_at, attempt.start) {
                    (Some(c), Some(s)) => c >= s - slack(),
                    _ => true,
                };
                let before = match (l.created_at, attempt.end) {
                    (Some(c), Some(e)) => c <= e + slack(),
                    _ => true,
                };
                after && before
            }
        })
        .cloned()
        .collect()
}

/// Each environment once, with the job that deployed to it first found: `Lookups::deployments`.
pub fn environments(list: &[Linked]) -> Vec<(String, Option<u64>)> {
    let mut out: Vec<(String, Option<u64>)> = Vec::new();
    for l in list {
        if !out.iter().any(|(e, _)| *e == l.environment) {
            out.push((l.environment.clone(), l.job));
        }
    }
    out
}

/// The deployments to an environment older than this attempt's own (`ours`, a deployment id:
/// ids grow with time), newest first.
pub fn older_than(list: &[Deployment], ours: u64) -> Vec<&Deployment> {
    let mut out: Vec<&Deployment> = list
        .iter()
        .filter(|d| d.id.is_some_and(|id| id < ours))
        .collect();
    out.sort_by_key(|d| std::cmp::Reverse(d.id));
    out
}

/// The run a deployment succeeded for: the run its `success` status names, when one of its
/// statuses (any, not only the newest: a superseded one is `inactive` now) is a success.
pub fn succeeded_for(statuses: &[DeploymentStatus]) -> Option<u64> {
    let success = statuses
        .iter()
        .find(|s| s.state.as_deref() == Some("success"))?;
    run_link(success)
        .or_else(|| statuses.iter().find_map(run_link))
        .map(|(run, _)| run)
}

/// Whether two runs are of the same workflow (file): the same `workflow_id`, else the same file.
pub fn same_workflow(a: &Run, b: &Run) -> bool {
    if let (Some(x), Some(y)) = (a.workflow_id, b.workflow_id) {
        return x == y;
    }
    let file = |r: &Run| {
        r.path
            .as_deref()
            .and_then(|p| p.split('@').next())
            .map(str::to_owned)
    };
    file(a).is_some() && file(a) == file(b)
}

/// The earlier deployment a deployment's commits count from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base {
    pub environment: String,
    /// The commit it deployed.
    pub sha: String,
    pub run_id: u64,
    /// Its run's number, when known.
    pub run_number: Option<u64>,
}

/// The first of `checked` (a batch of earlier deployments to `environment`, newest first, each
/// with its statuses) that succeeded for a run of this workflow: `runs` tells the workflow of
/// each run named (this run's own earlier attempts are this workflow's).
pub fn pick_base(
    environment: &str,
    checked: &[(&Deployment, Vec<DeploymentStatus>)],
    this: &Run,
    runs: &[Run],
) -> Option<Base> {
    checked.iter().find_map(|(d, statuses)| {
        let run_id = succeeded_for(statuses)?;
        let sha = d.sha.clone().filter(|s| !s.is_empty())?;
        let run = if Some(run_id) == this.id {
            this
        } else {
            runs.iter().find(|r| r.id == Some(run_id))?
        };
        same_workflow(run, this).then(|| Base {
            environment: environment.to_owned(),
            sha,
            run_id,
            run_number: run.run_number,
        })
    })
}

/// The runs `checked` names through a `success` status that must be read to know their
/// workflow: not this run's, each once.
pub fn runs_to_read(checked: &[(&Deployment, Vec<DeploymentStatus>)], this: &Run) -> Vec<u64> {
    let mut out = Vec::new();
    for (_, statuses) in checked {
        if let Some(run) = succeeded_for(statuses) {
            if Some(run) != this.id && !out.contains(&run) {
                out.push(run);
            }
        }
    }
    out
}

/// The commits of several ranges, each newest first: the longest first, then what the others
/// add, at most `cap`.
pub fn union(mut lists: Vec<Vec<String>>, cap: usize) -> Vec<String> {
    lists.sort_by_key(|l| std::cmp::Reverse(l.len()));
    let mut out: Vec<String> = Vec::new();
    for sha in lists.into_iter().flatten() {
        if out.len() == cap {
            break;
        }
        if !out.contains(&sha) {
            out.push(sha);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lenient::parse_time;

    fn deployment(id: u64, sha: &str, created: &str, env: &str) -> Deployment {
        Deployment {
            id: Some(id),
            sha: Some(sha.into()),
            environment: Some(env.into()),
            created_at: parse_time(created),
        }
    }

    fn status(url: &str) -> DeploymentStatus {
        DeploymentStatus {
            log_url: Some(url.into()),
            ..DeploymentStatus::default()
        }
    }

    fn with_state(state: &str, url: &str) -> DeploymentStatus {
        DeploymentStatus {
            state: Some(state.into()),
            ..status(url)
        }
    }

    fn job(id: u64, ran: bool) -> (u64, bool) {
        (id, ran)
    }

    #[test]
    fn only_deployments_whose_status_links_to_this_run_count() {
        let run = Run {
            id: Some(123),
            head_sha: Some("abc".into()),
            run_started_at: parse_time("2025-03-01T10:00:00Z"),
            ..Run::default()
        };
        let all = [
            deployment(1, "abc", "2025-03-01T10:05:00Z", "production"),
            deployment(2, "abc", "2025-03-01T10:06:00Z", "staging"),
            deployment(3, "abc", "2025-02-01T10:00:00Z", "production"), // before the run
            deployment(4, "def", "2025-03-01T10:05:00Z", "production"), // another commit
        ];
        let (c, more) = candidates(&all, &run);
        let ids: Vec<u64> = c.iter().filter_map(|d| d.id).collect();
        assert_eq!((ids.as_slice(), more), (&[2, 1][..], 0), "newest first");
        let checked = vec![
            (
                c[0],
                // staging was deployed by another run on the same commit (run 1234, not 123)
                vec![status(
                    "https://github.com/acme/api/actions/runs/1234/job/9",
                )],
            ),
            (
                c[1],
                vec![status(
                    "https://github.com/acme/api/actions/runs/123/job/456",
                )],
            ),
        ];
        let attempt = Attempt {
            jobs: vec![job(456, true)],
            ..Attempt::default()
        };
        assert_eq!(
            environments(&of_attempt(&linked(&checked, 123), &attempt)),
            [("production".to_owned(), Some(456))]
        );
    }

    #[test]
    fn a_deployment_is_the_attempts_whose_job_ran_in_it() {
        let l = |id: u64, job: Option<u64>, at: &str| Linked {
            id,
            environment: "production".into(),
            job,
            created_at: parse_time(at),
        };
        let deployed = [
            l(1, Some(10), "2025-03-01T10:05:00Z"), // attempt 2's deploy job
            l(2, None, "2025-03-01T09:05:00Z"),     // linked to the run only, in attempt 1
        ];
        // Attempt 1: its deploy job was job 5, skipped; attempt 2's job 10 is not its own.
        let one = Attempt {
            jobs: vec![job(4, true), job(5, false)],
            start: parse_time("2025-03-01T09:00:00Z"),
            end: parse_time("2025-03-01T09:10:00Z"),
        };
        let ids =
            |a: &Attempt| -> Vec<u64> { of_attempt(&deployed, a).iter().map(|l| l.id).collect() };
        assert_eq!(ids(&one), [2]);
        // Attempt 2 re-ran everything: job 10 ran in it.
        let two = Attempt {
            jobs: vec![job(9, true), job(10, true)],
            start: parse_time("2025-03-01T10:00:00Z"),
            end: None,
        };
        assert_eq!(ids(&two), [1]);
        // A job listed but skipped deployed nothing.
        let skipped = Attempt {
            jobs: vec![job(10, false)],
            ..two.clone()
        };
        assert!(ids(&skipped).is_empty());
    }

    #[test]
    fn the_deployment_that_started_a_run() {
        let run = Run {
            head_sha: Some("abc".into()),
            created_at: parse_time("2025-03-01T10:00:02Z"),
            ..Run::default()
        };
        let all = [
            deployment(1, "abc", "2025-03-01T09:00:00Z", "staging"),
            deployment(2, "abc", "2025-03-01T10:00:01Z", "production"),
            deployment(3, "abc", "2025-03-01T10:03:00Z", "pr-9"), // made by the run
            deployment(4, "def", "2025-03-01T10:00:01Z", "qa"),   // another commit
        ];
        assert_eq!(
            triggering_deployment(&all, &run).and_then(|d| d.id),
            Some(2)
        );
        assert_eq!(triggering_deployment(&all[2..], &run).map(|d| d.id), None);
    }

    #[test]
    fn status_links() {
        let s = |u: &str| links_to_run(&status(u), 77);
        assert_eq!(
            s("https://github.com/o/r/actions/runs/77/job/5"),
            Some(Some(5))
        );
        assert_eq!(s("https://github.com/o/r/actions/runs/77"), Some(None));
        assert_eq!(
            s("https://github.com/o/r/actions/runs/77?check_suite_focus=true"),
            Some(None)
        );
        assert_eq!(s("https://github.com/o/r/actions/runs/770/job/5"), None);
        assert_eq!(s("https://example.com/deploys/77"), None);
        let target_only = DeploymentStatus {
            target_url: Some("https://github.com/o/r/actions/runs/77/job/8".into()),
            ..DeploymentStatus::default()
        };
        assert_eq!(links_to_run(&target_only, 77), Some(Some(8)));
    }

    #[test]
    fn the_base_is_the_newest_earlier_success_of_the_same_workflow() {
        let this = Run {
            id: Some(900),
            workflow_id: Some(7),
            ..Run::default()
        };
        let run = |id: u64, workflow: u64, number: u64| Run {
            id: Some(id),
            workflow_id: Some(workflow),
            run_number: Some(number),
            ..Run::default()
        };
        let url = |run: u64| format!("https://github.com/o/r/actions/runs/{run}/job/1");
        let d = [
            deployment(30, "c3", "2025-03-03T00:00:00Z", "production"),
            deployment(20, "c2", "2025-03-02T00:00:00Z", "production"),
            deployment(10, "c1", "2025-03-01T00:00:00Z", "production"),
        ];
        let checked = vec![
            // Another service's workflow deployed last.
            (&d[0], vec![with_state("success", &url(800))]),
            // This workflow's, failed.
            (
                &d[1],
                vec![
                    with_state("failure", &url(700)),
                    with_state("in_progress", &url(700)),
                ],
            ),
            // This workflow's, succeeded, superseded since: `inactive` on top.
            (
                &d[2],
                vec![
                    with_state("inactive", &url(600)),
                    with_state("success", &url(600)),
                ],
            ),
        ];
        let runs = [run(800, 8, 41), run(600, 7, 12)];
        assert_eq!(runs_to_read(&checked, &this), [800, 600]);
        assert_eq!(
            pick_base("production", &checked, &this, &runs),
            Some(Base {
                environment: "production".into(),
                sha: "c1".into(),
                run_id: 600,
                run_number: Some(12),
            })
        );
        // Not read (yet): no base from it.
        assert_eq!(pick_base("production", &checked, &this, &runs[..1]), None);
        assert_eq!(
            older_than(&d, 25)
                .iter()
                .filter_map(|d| d.id)
                .collect::<Vec<_>>(),
            [20, 10]
        );
    }

    #[test]
    fn workflows_and_unions() {
        let r = |id: Option<u64>, path: &str| Run {
            workflow_id: id,
            path: Some(path.into()),
            ..Run::default()
        };
        assert!(same_workflow(&r(Some(1), "a.yml"), &r(Some(1), "b.yml")));
        assert!(!same_workflow(&r(Some(1), "a.yml"), &r(Some(2), "a.yml")));
        assert!(same_workflow(
            &r(None, ".github/workflows/d.yml@refs/heads/main"),
            &r(None, ".github/workflows/d.yml")
        ));
        let v = |s: &[&str]| s.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            union(vec![v(&["c"]), v(&["c", "b", "a"]), v(&["c", "x"])], 100),
            v(&["c", "b", "a", "x"])
        );
        assert_eq!(union(vec![v(&["c", "b", "a"])], 2), v(&["c", "b"]));
    }
}
