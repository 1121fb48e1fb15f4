//! Reporting the run you are in: which job is the reporter's own ("me"), which of the other jobs
//! have not settled yet (the API lags: a job that finished can read `in_progress` for seconds),
//! how long to wait before reading again, and what "my" job reports as if the run ended now.

use crate::model::Job;
use std::time::Duration;

pub use crate::model::{FoundBy, Me};

/// The values `job-status` (`${{ job.status }}`) takes, each a GitHub conclusion.
pub const JOB_STATUSES: &[&str] = &["success", "failure", "cancelled"];

/// Finds "my" job: the job whose id is `check_run_id`, else the job in progress on the runner
/// named `runner_name`. A runner runs one job at a time, but an earlier job on the same
/// self-hosted runner can still read `in_progress` for a while: the one that started last wins.
pub fn find(jobs: &[Job], check_run_id: Option<u64>, runner_name: Option<&str>) -> Option<Me> {
    if let Some(id) = check_run_id {
        if jobs.iter().any(|j| j.id == Some(id)) {
            return Some(Me {
                job_id: id,
                found_by: FoundBy::CheckRunId,
            });
        }
    }
    let runner = runner_name.map(str::trim).filter(|r| !r.is_empty())?;
    jobs.iter()
        .filter(|j| j.status.as_deref() == Some("in_progress") && !is_done(j))
        .filter(|j| j.runner_name.as_deref() == Some(runner))
        .max_by_key(|j| j.started_at)
        .and_then(|j| j.id)
        .map(|job_id| Me {
            job_id,
            found_by: FoundBy::RunnerName(runner.to_owned()),
        })
}

/// The jobs other than "me" that have not finished: the ones worth reading again.
pub fn unsettled(jobs: &[Job], me: Option<u64>) -> Vec<&Job> {
    jobs.iter()
        .filter(|j| me.is_none() || j.id != me)
        .filter(|j| !is_done(j))
        .collect()
}

fn is_done(j: &Job) -> bool {
    super::result::is_finished(j.status.as_deref(), j.conclusion.as_deref())
}

/// How long to wait before read number `read` (2, 3, ...): 1 s, then 2 s, 3 s, 4 s, then every
/// 5 s; never past the time left.
pub fn next_delay(read: u32, left: Duration) -> Duration {
    let step = Duration::from_secs(u64::from(read.saturating_sub(1)).clamp(1, 5));
    step.min(left)
}

/// `build (in_progress), deploy (queued)`: the jobs still running, for the log; at most ten named.
pub fn describe(jobs: &[&Job]) -> String {
    let mut parts: Vec<String> = jobs
        .iter()
        .take(10)
        .map(|j| {
            format!(
                "{} ({})",
                j.name.as_deref().unwrap_or("unnamed job"),
                j.status.as_deref().unwrap_or("unknown")
            )
        })
        .collect();
    if jobs.len() > 10 {
        parts.push(format!("and {} more", jobs.len() - 10));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lenient::parse_time;

    fn job(id: u64, status: &str, conclusion: Option<&str>, runner: Option<&str>) -> Job {
        Job {
            id: Some(id),
            name: Some(format!("job {id}")),
            status: Some(status.into()),
            conclusion: conclusion.map(Into::into),
            runner_name: runner.map(Into::into),
            ..Job::default()
        }
    }

    #[test]
    fn check_run_id_wins_then_runner_name() {
        let jobs = [
            job(1, "completed", Some("success"), Some("GitHub Actions 1")),
            job(2, "in_progress", None, Some("GitHub Actions 2")),
            job(3, "in_progress", None, Some("GitHub Actions 3")),
        ];
        let me = find(&jobs, Some(3), Some("GitHub Actions 2")).unwrap();
        assert_eq!((me.job_id, me.found_by), (3, FoundBy::CheckRunId));
        // An id that is not in this run (another attempt, a typo) falls back to the runner.
        let me = find(&jobs, Some(99), Some("GitHub Actions 2")).unwrap();
        assert_eq!(me.job_id, 2);
        assert_eq!(me.found_by, FoundBy::RunnerName("GitHub Actions 2".into()));
        // A finished job on the same runner is not "me".
        assert_eq!(find(&jobs, None, Some("GitHub Actions 1")), None);
        assert_eq!(find(&jobs, None, Some(" ")), None);
        assert_eq!(find(&jobs, None, None), None);
    }

    #[test]
    fn a_reused_self_hosted_runner_picks_the_job_that_started_last() {
        let mut earlier = job(1, "in_progress", None, Some("rack-7"));
        earlier.started_at = parse_time("2025-03-01T10:00:00Z");
        let mut later = job(2, "in_progress", None, Some("rack-7"));
        later.started_at = parse_time("2025-03-01T10:05:00Z");
        assert_eq!(
            find(&[earlier, later], None, Some("rack-7"))
                .unwrap()
                .job_id,
            2
        );
    }

    #[test]
    fn unsettled_leaves_out_me_and_finished_jobs() {
        let jobs = [
            job(1, "completed", Some("success"), None),
            job(2, "in_progress", None, None),
            job(3, "queued", None, None),
            job(4, "in_progress", Some("failure"), None), // conclusion set: finished
        ];
        let ids: Vec<u64> = unsettled(&jobs, Some(2))
            .iter()
            .filter_map(|j| j.id)
            .collect();
        assert_eq!(ids, [3]);
        assert_eq!(unsettled(&jobs, None).len(), 2);
        assert_eq!(
            describe(&unsettled(&jobs, None)),
            "job 2 (in_progress), job 3 (queued)"
        );
    }

    #[test]
    fn delays_grow_to_five_seconds_and_never_pass_the_deadline() {
        let big = Duration::from_secs(60);
        let delays: Vec<u64> = (2..=8).map(|r| next_delay(r, big).as_secs()).collect();
        assert_eq!(delays, [1, 2, 3, 4, 5, 5, 5]);
        assert_eq!(
            next_delay(5, Duration::from_millis(300)),
            Duration::from_millis(300)
        );
    }

    #[test]
    fn long_lists_are_cut() {
        let jobs: Vec<Job> = (0..12).map(|i| job(i, "queued", None, None)).collect();
        let refs: Vec<&Job> = jobs.iter().collect();
        assert!(describe(&refs).ends_with("job 9 (queued), and 2 more"));
    }
}
