//! Reading a run from the GitHub REST API with octocrab's client (auth, base URI, Enterprise
//! Server paths) on top of the shared reqwest client, and the reporter's own tolerant types.
//!
//! Round trips are the cost that matters: the run and the first page of jobs go out together,
//! then every remaining page at once, since `total_count` says how many there are.

use super::model::{ErrorBody, Job, JobsPage, Run, RunData};
use crate::secret::Secret;
use crate::target::RunRef;
use anyhow::{anyhow, Context, Result};
use futures_util::future::try_join_all;
use octocrab::Octocrab;
use serde::de::DeserializeOwned;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Jobs per page: GitHub's maximum.
pub const PER_PAGE: u64 = 100;
/// A run with more jobs than this many pages is cut, with a warning.
const MAX_PAGES: u64 = 100;

pub struct GitHub {
    octo: Octocrab,
    api_url: String,
    requests: AtomicUsize,
}

/// A GitHub answer that was not a 2xx.
#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    pub message: String,
    pub path: String,
}

impl GitHub {
    /// A client for the API at `api_url` (`GITHUB_API_URL`), authenticated with `token` when it
    /// is not empty. Must be called inside the tokio runtime.
    pub fn new(http: reqwest::Client, api_url: &str, token: &Secret) -> Result<Self> {
        let mut builder = Octocrab::builder()
            .base_uri(api_url)
            .with_context(|| format!("GITHUB_API_URL `{api_url}` is not a URL"))?
            .add_header(
                http::header::ACCEPT,
                "application/vnd.github+json".to_owned(),
            )
            .add_header(
                http::HeaderName::from_static("x-github-api-version"),
                "2022-11-28".to_owned(),
            );
        if !token.is_empty() {
            builder = builder.personal_token(token.expose().to_owned());
        }
        let octo = builder
            .build_with_reqwest(http)
            .context("could not set up the GitHub client")?;
        Ok(GitHub {
            octo,
            api_url: api_url.to_owned(),
            requests: AtomicUsize::new(0),
        })
    }

    /// How many requests this client has sent.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// The run and every job of the attempt in `target` (its latest when no attempt is given).
    pub async fn run_data(&self, target: &RunRef) -> Result<RunData> {
        let base = format!(
            "/repos/{}/{}/actions/runs/{}",
            target.repo.owner, target.repo.name, target.id
        );
        let (run, first) = match target.attempt {
            Some(n) => {
                let run_path = format!("{base}/attempts/{n}");
                let jobs_path = format!("{base}/attempts/{n}/jobs");
                let (run, first) = futures_util::future::try_join(
                    self.get::<Run>(run_path),
                    self.get::<JobsPage>(page_path(&jobs_path, 1)),
                )
                .await
                .map_err(|e| self.explain(e, target))?;
                (run, (jobs_path, first))
            }
            None => {
                let run = self
                    .get::<Run>(base.clone())
                    .await
                    .map_err(|e| self.explain(e, target))?;
                let n = run.run_attempt.unwrap_or(1);
                let jobs_path = format!("{base}/attempts/{n}/jobs");
                let first = self
                    .get::<JobsPage>(page_path(&jobs_path, 1))
                    .await
                    .map_err(|e| self.explain(e, target))?;
                (run, (jobs_path, first))
            }
        };
        let (jobs_path, first) = first;
        let got = first.jobs.len() as u64;
        let total = first.total_count.unwrap_or(got);
        // A server that pages by fewer than asked (some Enterprise Servers) sets the page size.
        let size = if got > 0 && got < PER_PAGE && total > got {
            got
        } else {
            PER_PAGE
        };
        let pages = total.div_ceil(size).clamp(1, MAX_PAGES);
        let rest =
            try_join_all((2..=pages).map(|p| self.get::<JobsPage>(page_path(&jobs_path, p))))
                .await
                .map_err(|e| self.explain(e, target))?;

        let mut seen = HashSet::new();
        let jobs: Vec<Job> = std::iter::once(first)
            .chain(rest)
            .flat_map(|page| page.jobs)
            .filter(|j| j.id.is_none_or(|id| seen.insert(id)))
            .collect();
        Ok(RunData { run, jobs })
    }

    /// GET `path` and parse the body as `T`.
    async fn get<T: DeserializeOwned>(&self, path: String) -> Result<T, anyhow::Error> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let response = self
            .octo
            ._get(path.as_str())
            .await
            .map_err(|e| anyhow!("could not reach the GitHub API at {}: {e}", self.api_url))?;
        let status = response.status().as_u16();
        let body = self
            .octo
            .body_to_string(response)
            .await
            .map_err(|e| anyhow!("the GitHub API answer for {path} broke off: {e}"))?;
        if !(200..300).contains(&status) {
            let message = serde_json::from_str::<ErrorBody>(&body)
                .ok()
                .and_then(|b| b.message)
                .unwrap_or_else(|| crate::http::snippet(&body, 200));
            return Err(ApiError {
                status,
                message,
                path,
            }
            .into());
        }
        serde_json::from_str(&body)
            .map_err(|e| anyhow!("the GitHub API answer for {path} is not the JSON expected ({e})"))
    }

    /// Turns a 401/403/404 into a message that says what to check.
    fn explain(&self, e: anyhow::Error, target: &RunRef) -> anyhow::Error {
        let Some(api) = e.downcast_ref::<ApiError>() else {
            return e;
        };
        let msg = match api.status {
            404 => format!(
                "GitHub answered 404 for run {} of {} ({}{}): check `repository` and `run-id`, \
                 and that `github-token` can read it (`permissions: actions: read`, plus \
                 `contents: read` for a private repository)",
                target.id, target.repo, self.api_url, api.path
            ),
            401 => format!(
                "GitHub refused `github-token` (401: {}): pass a valid token, by default \
                 `${{{{ github.token }}}}`",
                api.message
            ),
            403 => format!(
                "GitHub answered 403 for {}{} ({}): give `github-token` the `actions: read` \
                 permission",
                self.api_url, api.path, api.message
            ),
            s => format!(
                "GitHub answered {s} for {}{}: {}",
                self.api_url, api.path, api.message
            ),
        };
        anyhow!(msg)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "GitHub answered {} for {}: {}",
            self.status, self.path, self.message
        )
    }
}

impl std::error::Error for ApiError {}

fn page_path(jobs_path: &str, page: u64) -> String {
    format!("{jobs_path}?per_page={PER_PAGE}&page={page}")
}
