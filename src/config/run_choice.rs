//! Which run to report (`run-id`, `run-attempt`, `repository`, or a saved run in `github-data`)
//! and what the step knows of the run it is in (`job-check-run-id`, `job-status`,
//! `wait-timeout`). The choice between them is made later, in [`crate::target`].

use super::values::{given, number, parse_seconds, Problems};
use crate::args::RunArgs;
use crate::model::Repo;
use std::path::PathBuf;
use std::time::Duration;

/// How long to wait, by default, for the other jobs of the run the reporter is in to settle.
pub(crate) const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(30);

/// The checked run inputs.
#[derive(Debug, Clone, Default)]
pub(crate) struct RunChoice {
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

/// A run's address as the browser shows it:
/// `https://<server>/<owner>/<repo>/actions/runs/<id>[/attempts/<n>][/job/<id>][?…][#…]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RunUrl {
    pub repo: Repo,
    pub id: u64,
    pub attempt: Option<u64>,
}

/// Reads a pasted run URL; `None` for anything else.
pub(crate) fn run_url(text: &str) -> Option<RunUrl> {
    let url = reqwest::Url::parse(text.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let parts: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    let at = parts.windows(2).position(|w| w == ["actions", "runs"])?;
    if at < 2 {
        return None;
    }
    let repo = Repo::parse(&format!("{}/{}", parts[at - 2], parts[at - 1]))?;
    let id = parts.get(at + 2)?.parse().ok()?;
    let attempt = match parts.get(at + 3..at + 5) {
        Some(["attempts", n]) => Some(n.parse().ok().filter(|n: &u64| *n > 0)?),
        _ => None,
    };
    Some(RunUrl { repo, id, attempt })
}

/// Checks the run inputs.
pub(crate) fn load(args: &RunArgs, p: &mut Problems) -> RunChoice {
    let pasted = given(&args.run_id).and_then(run_url);
    let run_id = match &pasted {
        Some(u) => Some(u.id),
        None => number(&args.run_id, p, |v| {
            format!(
                "input `run-id` is `{v}`, which is not a run id: use the number after \
                 /actions/runs/ in the run's URL (or the URL itself), or `${{{{ github.run_id }}}}`"
            )
        }),
    };
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
                "input `repository` is `{v}`: use {}",
                Repo::SPELLING
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
    let (mut run_attempt, mut repository) = (run_attempt, repository);
    if let Some(u) = pasted {
        match (run_attempt, u.attempt) {
            (Some(a), Some(b)) if a != b => p.bad(format!(
                "input `run-attempt` is `{a}`, but the URL in `run-id` names attempt {b}: give \
                 one of them"
            )),
            (None, b) => run_attempt = b,
            _ => {}
        }
        match &repository {
            Some(r) if *r != u.repo => p.bad(format!(
                "input `repository` is `{r}`, but the URL in `run-id` is a run of `{}`: give one \
                 of them",
                u.repo
            )),
            _ => repository = Some(u.repo),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn load_run(run_id: &str, attempt: &str, repo: &str) -> (RunChoice, Vec<String>) {
        let mut p = Problems::default();
        let args = RunArgs {
            run_id: Some(run_id.into()),
            run_attempt: Some(attempt.into()),
            repository: Some(repo.into()),
            ..RunArgs::default()
        };
        let c = load(&args, &mut p);
        (c, p.errors.into_iter().map(|e| e.0).collect())
    }

    #[test]
    fn a_pasted_run_url_names_the_run_its_attempt_and_repository() {
        let (c, e) = load_run(
            "https://github.com/acme/api/actions/runs/12456168064/attempts/2",
            "",
            "",
        );
        assert!(e.is_empty(), "{e:?}");
        assert_eq!((c.run_id, c.run_attempt), (Some(12456168064), Some(2)));
        assert_eq!(c.repository.unwrap().to_string(), "acme/api");
        let u = run_url("https://ghe.corp/acme/api/actions/runs/77/job/9?pr=1#step:3:1").unwrap();
        assert_eq!(
            (u.id, u.attempt, u.repo.to_string()),
            (77, None, "acme/api".into())
        );
        for not_a_run in [
            "https://github.com/acme/api/pull/3",
            "https://github.com/actions/runs/7",
            "12456168064",
            "ftp://github.com/acme/api/actions/runs/7",
            "https://github.com/acme/api/actions/runs/x",
        ] {
            assert_eq!(run_url(not_a_run), None, "{not_a_run}");
        }
        let (_, e) = load_run(
            "https://github.com/acme/api/actions/runs/7/attempts/2",
            "3",
            "",
        );
        assert!(e[0].contains("names attempt 2"), "{e:?}");
        let (_, e) = load_run("https://github.com/acme/api/actions/runs/7", "", "acme/web");
        assert!(e[0].contains("a run of `acme/api`"), "{e:?}");
        let (_, e) = load_run("https://github.com/acme/api/pull/7", "", "");
        assert!(e[0].contains("or the URL itself"), "{e:?}");
    }
}
