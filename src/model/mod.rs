//! The ground floor: the reporter's own, tolerant view of GitHub's data (a repository, one attempt
//! of one run as a command names it ([`RunRef`]), a workflow run, its jobs and steps, the
//! look-ups' answers, and the event that started a run), read by both the fetching
//! ([`crate::github`]) and the mapping ([`crate::map`]).
//!
//! octocrab's models reject real responses (null `head_branch`, a job status they do not know,
//! missing `run_attempt`), so only the fields the mapping reads are declared here, each through a
//! [`lenient`] deserializer: a field that is null, missing or of another type
//! reads as `None`, never as an error.

pub mod event;
pub mod lenient;

use chrono::{DateTime, Utc};
use compact_str::CompactString;
use serde::Deserialize;
use std::fmt;

/// A repository, `owner/name`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Repo {
    pub owner: String,
    pub name: String,
}

impl std::fmt::Display for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

impl Repo {
    /// How GitHub spells a repository, for messages about one that is not.
    pub const SPELLING: &'static str = "`owner/name` as GitHub spells them: an owner of letters, \
        digits, `-` and `_` (at most 39, not starting with `-`), one `/`, a name of letters, \
        digits, `-`, `_` and `.` (at most 100, not `.` or `..`), like `octo-org/octo-repo`";

    /// `owner/name` as GitHub spells them ([`Repo::SPELLING`]): nothing else becomes a path
    /// of the API (`../..` would leave `/repos/`).
    pub fn parse(text: &str) -> Option<Repo> {
        let (owner, name) = text.trim().split_once('/')?;
        let owner_ok = (1..=39).contains(&owner.len())
            && !owner.starts_with('-')
            && owner
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
        let name_ok = (1..=100).contains(&name.len())
            && name != "."
            && name != ".."
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        (owner_ok && name_ok).then(|| Repo {
            owner: owner.to_owned(),
            name: name.to_owned(),
        })
    }
}

/// One attempt of one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRef {
    pub repo: Repo,
    pub id: u64,
    /// `None`: the run's latest attempt.
    pub attempt: Option<u64>,
    /// Where the choice came from, for the log.
    pub source: RunSource,
}

/// Where the choice of a run came from, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunSource {
    WorkflowRunEvent,
    Inputs,
    Environment,
}

impl fmt::Display for RunSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RunSource::WorkflowRunEvent => "from the workflow_run event",
            RunSource::Inputs => "from the run-id input",
            RunSource::Environment => "the run this step is part of",
        })
    }
}

impl fmt::Display for RunRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "run {} of {}", self.id, self.repo)?;
        if let Some(a) = self.attempt {
            write!(f, ", attempt {a}")?;
        }
        Ok(())
    }
}

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
    #[serde(default, deserialize_with = "lenient::boolean")]
    pub archived: Option<bool>,
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
    #[serde(default, deserialize_with = "lenient::short_string")]
    pub name: Option<CompactString>,
    #[serde(default, deserialize_with = "lenient::short_string")]
    pub status: Option<CompactString>,
    #[serde(default, deserialize_with = "lenient::short_string")]
    pub conclusion: Option<CompactString>,
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

/// `GET /repos/{o}/{r}/actions/workflows/{workflow}/runs`: one page of runs, newest first.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct WorkflowRunsPage {
    #[serde(default, deserialize_with = "lenient::list")]
    pub workflow_runs: Vec<Run>,
}

/// `GET /repos/{o}/{r}/contents/{path}?ref=`: a file, its content in base64.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FileContent {
    #[serde(default, deserialize_with = "lenient::string")]
    pub content: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub encoding: Option<String>,
}

impl FileContent {
    /// The file's text; `None` when it is not base64 of UTF-8 (or too big for the API, which
    /// then sends no content).
    pub fn text(&self) -> Option<String> {
        use base64::Engine;
        if self.encoding.as_deref().is_some_and(|e| e != "base64") {
            return None;
        }
        let packed: String = self
            .content
            .as_deref()?
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(packed)
            .ok()?;
        String::from_utf8(bytes).ok()
    }
}

/// One entry of `GET /repos/{o}/{r}/git/matching-refs/{ref}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GitRefEntry {
    /// `refs/tags/v1.2.0`.
    #[serde(default, rename = "ref", deserialize_with = "lenient::string")]
    pub name: Option<String>,
}

/// `GET /repos/{o}/{r}/actions/runs` (and `.../workflows/{id}/runs`): one page of a listing,
/// newest first, with the number of runs the whole query matches (GitHub pages through at most
/// 1,000 of them).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RunsPage {
    #[serde(default, deserialize_with = "lenient::number")]
    pub total_count: Option<u64>,
    /// Read run by run: one that is not valid text is skipped and counted, not the page lost.
    #[serde(default, deserialize_with = "lenient::listed")]
    pub workflow_runs: lenient::Listed<Run>,
}

/// `GET /installation/repositories`: the repositories a GitHub App installation token sees.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InstallationRepos {
    #[serde(default, deserialize_with = "lenient::number")]
    pub total_count: Option<u64>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub repositories: Vec<Repository>,
}

/// `GET /repos/{o}/{r}/commits?sha=...`: one commit of a branch's history and its parents.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListedCommit {
    #[serde(default, deserialize_with = "lenient::string")]
    pub sha: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub parents: Vec<CommitRef>,
}

/// `GET /repos/{o}/{r}/compare/{base}...{head}`: one page of the commits between two commits,
/// oldest first.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Comparison {
    /// Commits in the whole range, across pages.
    #[serde(default, deserialize_with = "lenient::number")]
    pub total_commits: Option<u64>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub commits: Vec<CommitRef>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CommitRef {
    #[serde(default, deserialize_with = "lenient::string")]
    pub sha: Option<String>,
}

/// `GET /repos/{o}/{r}/actions/runs/{id}/artifacts`: one page of the run's uploaded artifacts.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ArtifactsPage {
    #[serde(default, deserialize_with = "lenient::number")]
    pub total_count: Option<u64>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub artifacts: Vec<Artifact>,
}

/// An artifact uploaded by the run (`actions/upload-artifact`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Artifact {
    #[serde(default, deserialize_with = "lenient::number")]
    pub id: Option<u64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub archive_download_url: Option<String>,
    /// `sha256:<hex>` of the archive, for artifacts uploaded with upload-artifact v4 and later.
    #[serde(default, deserialize_with = "lenient::string")]
    pub digest: Option<String>,
}

/// `GET /repos/{o}/{r}/actions/workflows`: one workflow of the repository (one file; GitHub keeps
/// listing a workflow whose file was deleted or renamed, with `state: deleted`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Workflow {
    #[serde(default, deserialize_with = "lenient::number")]
    pub id: Option<u64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    /// `.github/workflows/ci.yml`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub path: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub state: Option<String>,
}

/// One page of the workflows list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct WorkflowsPage {
    #[serde(default, deserialize_with = "lenient::number")]
    pub total_count: Option<u64>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub workflows: Vec<Workflow>,
}

/// `GET /repos/{o}/{r}/deployments?sha=...` (or `?environment=...`), newest first: a deployment,
/// as Actions creates one for a job with `environment:` (or as a deploy tool creates one through
/// the API).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Deployment {
    #[serde(default, deserialize_with = "lenient::number")]
    pub id: Option<u64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub sha: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub environment: Option<String>,
    #[serde(default, deserialize_with = "lenient::time")]
    pub created_at: Option<DateTime<Utc>>,
}

/// `GET /repos/{o}/{r}/deployments/{id}/statuses`, newest first: Actions points `log_url` and
/// `target_url` at the job that deployed (`.../actions/runs/{run id}/job/{job id}`). A
/// successful deployment gets an `inactive` status once a newer one to its environment
/// succeeds: its `success` is further down the list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DeploymentStatus {
    /// `queued`, `in_progress`, `success`, `failure`, `error`, `inactive`, `pending`, `waiting`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub state: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub log_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub target_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub environment: Option<String>,
}

/// Everything the mapping needs about one attempt of one run.
#[derive(Debug, Clone, Default)]
pub struct RunData {
    pub run: Run,
    /// Every job of the attempt, across all pages, in GitHub's order.
    pub jobs: Vec<Job>,
    /// The reporter's own job, when the reported run is the one the step runs in.
    pub me: Option<Me>,
    /// What the optional look-ups found (commits, deployments, artifacts).
    pub lookups: Lookups,
}

/// Facts looked up beside the run and its jobs. Each one is optional: a look-up that failed
/// or was not asked for leaves its field empty and, when it matters, a note.
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    /// The commits to report, newest first, already capped; `None` means "the head commit".
    pub commits: Option<Vec<String>>,
    /// Where the commits came from, for the log.
    pub commits_source: Option<String>,
    /// Environments this attempt deployed to, as `(environment, job id)`, each once, in the
    /// order found (see `map::deployments::of_attempt`); `None` when they were not looked up
    /// (or could not be).
    pub deployments: Option<Vec<(String, Option<u64>)>>,
    /// For a run started by a `deployment` event: the environment of the deployment that
    /// started it, found among the head commit's deployments (the run's own event says it too).
    pub deployment_environment: Option<String>,
    /// Whether the run's `head_branch` is a tag, from GitHub's refs, when it was looked up (for
    /// a reporter that has not the run's own event).
    pub head_is_tag: Option<bool>,
    /// Jobs whose failure GitHub does not count against the run (`continue-on-error: true` in
    /// the workflow file), for a run reported from inside, whose result is derived from its jobs.
    pub may_fail: Vec<u64>,
    /// The run's uploaded artifacts, when `include-workflow-artifacts` asked for them.
    pub artifacts: Vec<Artifact>,
    /// The repository's workflows, which tell whether another workflow file has the same
    /// name; `None` when they were not (or could not be) read.
    pub workflows: Option<Vec<Workflow>>,
    /// What the log should say about the look-ups: fallbacks, lags, permissions.
    pub notes: Vec<Note>,
}

/// A line for the log about a look-up: a warning shows on the run's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub warning: bool,
    pub text: String,
}

impl Note {
    pub fn info(text: impl Into<String>) -> Self {
        Note {
            warning: false,
            text: text.into(),
        }
    }
    pub fn warning(text: impl Into<String>) -> Self {
        Note {
            warning: true,
            text: text.into(),
        }
    }
}

/// The reporter's own job in the reported run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Me {
    pub job_id: u64,
    pub found_by: FoundBy,
}

/// How "my" job was recognised, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FoundBy {
    /// The `job-check-run-id` input (`${{ job.check_run_id }}`): the job's id is its check run id.
    CheckRunId,
    /// `RUNNER_NAME`, among the jobs in progress.
    RunnerName(String),
}

impl std::fmt::Display for Me {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.found_by {
            FoundBy::CheckRunId => write!(f, "job {} (by job-check-run-id)", self.job_id),
            FoundBy::RunnerName(r) => write!(f, "job {} (the one running on `{r}`)", self.job_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories() {
        assert_eq!(
            Repo::parse("octo-org/octo.repo_1").unwrap().to_string(),
            "octo-org/octo.repo_1"
        );
        for good in ["a/b", "octocat_acme/x", "o/.github", "o/a..b", "O-1/_x"] {
            assert!(Repo::parse(good).is_some(), "{good}");
        }
        let long_owner = format!("{}/r", "o".repeat(40));
        let long_name = format!("o/{}", "r".repeat(101));
        for bad in [
            "",
            "a",
            "a/",
            "/b",
            "a/b/c",
            "a b/c",
            "../..",
            "a/..",
            "a/.",
            "../b",
            "./b",
            "o.rg/b",
            "-o/b",
            "a/b%2F..",
            "a/b?x=1",
            "a/b#c",
            "a\\b/c",
            &long_owner,
            &long_name,
        ] {
            assert_eq!(Repo::parse(bad), None, "{bad}");
        }
    }
}
