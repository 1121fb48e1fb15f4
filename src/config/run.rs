//! Which run to report (`run-id`, `run-attempt`, `repository`, or a saved run in `github-data`)
//! and what the step knows of the run it is in (`job-check-run-id`, `job-status`,
//! `wait-timeout`). The choice between them is made later, in [`crate::target`].

use super::values::{given, number, parse_seconds, Problems};
use crate::args::RunArgs;
use crate::model::Repo;
use std::path::PathBuf;
use std::time::Duration;

/// How long to wait, by default, for the other jobs of the run the reporter is in to settle.
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(30);

/// The checked run inputs.
#[derive(Debug, Clone, Default)]
pub struct RunChoice {
    pub run_id: Option<u64>,
    pub run_attempt: Option<u64>,
    pub repository: Option<Repo>,
    /// A saved run to read instead of the API.
    pub github_data: Option<PathBuf>,
    /// `job-check-run-id`: the reporter's own job, when the runner tells it.
    pub job_check_run_id: Option<u64>,
    /// `job-status`, lower-cased: `success`, `failure` or `cancelled`.
    pub job_status: Option<String>,
    pub wait_timeout: Duration,
}

/// Checks the run inputs.
pub fn load(args: &RunArgs, p: &mut Problems) -> RunChoice {
    let run_id = number(&args.run_id, p, |v| {
        format!(
            "input `run-id` is `{v}`, which is not a run id: use the number after /actions/runs/ \
             in the run's URL, or `${{{{ github.run_id }}}}`"
        )
    });
    let run_attempt = number(&args.run_attempt, p, |v| {
        format!(
            "input `run-attempt` is `{v}`: use a whole number from 1, or `${{{{ github.run_attempt }}}}`"
        )
    });
    if run_attempt == Some(0) {
        p.bad("input `run-attempt` is `0`: attempts count from 1".to_owned());
    }
    let repository = given(&args.repository).and_then(|v| {
        let r = Repo::parse(v);
        if r.is_none() {
            p.bad(format!(
                "input `repository` is `{v}`: use `owner/name`, like `octo-org/octo-repo`"
            ));
        }
        r
    });
    let job_check_run_id = number(&args.job_check_run_id, p, |v| {
        format!(
            "input `job-check-run-id` is `{v}`, which is not a job id: leave it to its default \
             `${{{{ job.check_run_id }}}}`, or empty"
        )
    });
    let job_status = given(&args.job_status).and_then(|v| {
        let lower = v.to_ascii_lowercase();
        if crate::map::me::JOB_STATUSES.contains(&lower.as_str()) {
            Some(lower)
        } else {
            p.bad(format!(
                "input `job-status` is `{v}`: use `success`, `failure` or `cancelled` (by \
                 default `${{{{ job.status }}}}`)"
            ));
            None
        }
    });
    let wait_timeout = match given(&args.wait_timeout) {
        None => DEFAULT_WAIT_TIMEOUT,
        Some(v) => parse_seconds(v).unwrap_or_else(|| {
            p.bad(format!(
                "input `wait-timeout` is `{v}`: use a number of seconds, like `30`, `90s` or \
                 `2m` (`0` does not wait)"
            ));
            DEFAULT_WAIT_TIMEOUT
        }),
    };
    RunChoice {
        run_id,
        run_attempt,
        repository,
        github_data: given(&args.github_data).map(PathBuf::from),
        job_check_run_id,
        job_status,
        wait_timeout,
    }
}
