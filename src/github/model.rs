//! The reporter's own, tolerant view of GitHub's workflow run and job JSON.
//!
//! octocrab's models reject real responses (null `head_branch`, a job status they do not know,
//! missing `run_attempt`), so only the fields the mapping reads are declared here, each through a
//! [`lenient`](super::lenient) deserializer: a field that is null, missing or of another type
//! reads as `None`, never as an error.

use super::lenient;
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// `GET /repos/{owner}/{repo}/actions/runs/{id}[/attempts/{n}]`, and `workflow_run` in events.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Run {
    #[serde(default, deserialize_with = "lenient::number")]
    pub id: Option<u64>,
    /// The workflow's name (`name:` in the file, else its path).
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub display_title: Option<String>,
    /// The workflow file, `.github/workflows/ci.yml` (with `@ref` for some events).
    #[serde(default, deserialize_with = "lenient::string")]
    pub path: Option<String>,
    #[serde(default, deserialize_with = "lenient::number")]
    pub workflow_id: Option<u64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub head_branch: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub head_sha: Option<String>,
    #[serde(default, deserialize_with = "lenient::number")]
    pub run_number: Option<u64>,
    #[serde(default, deserialize_with = "lenient::number")]
    pub run_attempt: Option<u64>,
    /// The event that triggered the run: `push`, `pull_request`, `schedule`, ...
    #[serde(default, deserialize_with = "lenient::string")]
    pub event: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub conclusion: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub html_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::time")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient::time")]
    pub updated_at: Option<DateTime<Utc>>,
    /// When this attempt started (re-runs get a new one; `created_at` stays the first's).
    #[serde(default, deserialize_with = "lenient::time")]
    pub run_started_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub actor: Option<Actor>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub triggering_actor: Option<Actor>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub pull_requests: Vec<PullRequestRef>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub repository: Option<Repository>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub head_repository: Option<Repository>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub head_commit: Option<HeadCommit>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub previous_attempt_url: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Actor {
    #[serde(default, deserialize_with = "lenient::string")]
    pub login: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Repository {
    /// `owner/name`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub full_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub html_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::boolean")]
    pub fork: Option<bool>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub default_branch: Option<String>,
}

/// A pull request as the run lists it (only those from the same repository appear there).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PullRequestRef {
    #[serde(default, deserialize_with = "lenient::number")]
    pub number: Option<u64>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub head: Option<GitRef>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub base: Option<GitRef>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct GitRef {
    #[serde(default, rename = "ref", deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub sha: Option<String>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub repo: Option<Repository>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct HeadCommit {
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub message: Option<String>,
}

/// One job of a run: `GET .../runs/{id}/attempts/{n}/jobs`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Job {
    #[serde(default, deserialize_with = "lenient::number")]
    pub id: Option<u64>,
    #[serde(default, deserialize_with = "lenient::number")]
    pub run_id: Option<u64>,
    #[serde(default, deserialize_with = "lenient::number")]
    pub run_attempt: Option<u64>,
    /// Matrix values are part of it (`test (ubuntu-latest, 20)`); two jobs may share one.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    /// `queued`, `in_progress`, `completed`, `waiting`, `requested`, `pending`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub conclusion: Option<String>,
    #[serde(default, deserialize_with = "lenient::time")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient::time")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient::time")]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub html_url: Option<String>,
    /// `null` while the job waits for a runner.
    #[serde(default, deserialize_with = "lenient::string")]
    pub runner_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::strings")]
    pub labels: Vec<String>,
    /// May be `[]` even for a completed job (a real API quirk).
    #[serde(default, deserialize_with = "lenient::list")]
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Step {
    #[serde(default, deserialize_with = "lenient::number")]
    pub number: Option<u64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub conclusion: Option<String>,
    /// Both times are null for queued and skipped steps, and may carry a `-08:00` offset.
    #[serde(default, deserialize_with = "lenient::time")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "lenient::time")]
    pub completed_at: Option<DateTime<Utc>>,
}

/// One page of jobs: `{"total_count": N, "jobs": [...]}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JobsPage {
    #[serde(default, deserialize_with = "lenient::number")]
    pub total_count: Option<u64>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub jobs: Vec<Job>,
}

/// GitHub's error body: `{"message": "Not Found", "documentation_url": ...}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default, deserialize_with = "lenient::string")]
    pub message: Option<String>,
}

/// Everything the mapping needs about one attempt of one run.
#[derive(Debug, Clone, Default)]
pub struct RunData {
    pub run: Run,
    /// Every job of the attempt, across all pages, in GitHub's order.
    pub jobs: Vec<Job>,
}
