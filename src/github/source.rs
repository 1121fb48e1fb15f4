//! The one source of GitHub's answers to a run's look-ups ([`Source`]): previous successes,
//! tags, the commits between two commits, deployments and their statuses, the repository's
//! workflows, a workflow file, a run's artifacts. The live client ([`GitHub`]) answers them from
//! the API; `backfill`'s cache (`backfill::known`) is a decorator over it that answers what its
//! listings already read, exactly as the API would, and asks the live source for the rest.
//!
//! [`super::fetch`] decides what to ask and when; a source only answers. Errors are the
//! client's ([`Error`]): the notes of the look-ups quote them, and hint at a permission when
//! GitHub refused.

use super::client::GitHub;
use super::error::Error;
use super::pages::{self, MAX_ARTIFACT_PAGES, MAX_WORKFLOW_PAGES, PER_PAGE};
use crate::map::commits::{self, PreviousQuery};
use crate::map::deployments;
use crate::model::{
    Artifact, Comparison, Deployment, DeploymentStatus, FileContent, Repo, Run, Workflow,
};
use chrono::{DateTime, Utc};
use futures_util::future::{try_join_all, LocalBoxFuture};

/// An answer to come: the value, or why GitHub gave none.
pub(crate) type Answer<'a, T> = LocalBoxFuture<'a, Result<T, Error>>;

/// GitHub's answers to the look-ups of a run. Every method answers exactly what the request
/// it names would.
pub(crate) trait Source {
    /// Page `page` (from 1) of `GET .../actions/workflows/{q.workflow}/runs?status=success`
    /// with the query's filters, [`commits::PREVIOUS_PAGE`] runs a page, newest first.
    fn successful_runs<'a>(
        &'a self,
        repo: &'a Repo,
        q: &'a PreviousQuery,
        page: u64,
    ) -> Answer<'a, Vec<Run>>;

    /// The names of the repository's tags that start with `prefix` (`GET
    /// .../git/matching-refs/tags/{prefix}`).
    fn tags_starting_with<'a>(&'a self, repo: &'a Repo, prefix: &'a str)
        -> Answer<'a, Vec<String>>;

    /// The newest [`commits::MAX`] commits of `base...head`, newest first, and how many the
    /// range has, as the compare API tells them (`[head]` when the range is empty).
    fn between<'a>(
        &'a self,
        repo: &'a Repo,
        base: &'a str,
        head: &'a str,
    ) -> Answer<'a, (Vec<String>, u64)>;

    /// Every deployment of commit `sha` created at or after `since` (all of them without it),
    /// newest first: `GET .../deployments?sha=`, page after page until one is not full or
    /// reaches older ones, at most [`deployments::MAX_COMMIT_PAGES`].
    fn commit_deployments<'a>(
        &'a self,
        repo: &'a Repo,
        sha: &'a str,
        since: Option<DateTime<Utc>>,
    ) -> Answer<'a, Vec<Deployment>>;

    /// The newest `limit` deployments to `environment` older than deployment `before` (ids grow
    /// with time), newest first: `GET .../deployments?environment=`, page after page, at most
    /// [`deployments::MAX_ENVIRONMENT_PAGES`] pages of [`deployments::ENVIRONMENT_PAGE`].
    fn environment_deployments<'a>(
        &'a self,
        repo: &'a Repo,
        environment: &'a str,
        before: u64,
        limit: usize,
    ) -> Answer<'a, Vec<Deployment>>;

    /// Run `id` as `GET .../actions/runs/{id}` tells it (its workflow, its number).
    fn run<'a>(&'a self, repo: &'a Repo, id: u64) -> Answer<'a, Run>;

    /// The newest statuses of deployment `id`.
    fn deployment_statuses<'a>(
        &'a self,
        repo: &'a Repo,
        id: u64,
    ) -> Answer<'a, Vec<DeploymentStatus>>;

    /// The repository's workflows (`GET .../actions/workflows`, every page, at most
    /// [`MAX_WORKFLOW_PAGES`]).
    fn workflows<'a>(&'a self, repo: &'a Repo) -> Answer<'a, Vec<Workflow>>;

    /// A file of the repository at commit `git_ref` (`GET .../contents/{path}?ref=`).
    fn contents<'a>(
        &'a self,
        repo: &'a Repo,
        path: &'a str,
        git_ref: &'a str,
    ) -> Answer<'a, FileContent>;

    /// Every artifact run `run_id` uploaded (every page, at most [`MAX_ARTIFACT_PAGES`]).
    fn artifacts<'a>(&'a self, repo: &'a Repo, run_id: u64) -> Answer<'a, Vec<Artifact>>;
}

impl Source for GitHub {
    fn successful_runs<'a>(
        &'a self,
        repo: &'a Repo,
        q: &'a PreviousQuery,
        page: u64,
    ) -> Answer<'a, Vec<Run>> {
        Box::pin(async move {
            GitHub::successful_runs(self, repo, q, commits::PREVIOUS_PAGE, page).await
        })
    }

    fn tags_starting_with<'a>(
        &'a self,
        repo: &'a Repo,
        prefix: &'a str,
    ) -> Answer<'a, Vec<String>> {
        Box::pin(async move { GitHub::tags_starting_with(self, repo, prefix).await })
    }

    fn between<'a>(
        &'a self,
        repo: &'a Repo,
        base: &'a str,
        head: &'a str,
    ) -> Answer<'a, (Vec<String>, u64)> {
        Box::pin(newest_between(self, repo, base, head))
    }

    fn commit_deployments<'a>(
        &'a self,
        repo: &'a Repo,
        sha: &'a str,
        since: Option<DateTime<Utc>>,
    ) -> Answer<'a, Vec<Deployment>> {
        Box::pin(async move {
            let mut out = Vec::new();
            for page in 1..=deployments::MAX_COMMIT_PAGES {
                let list = GitHub::deployments(self, repo, sha, page).await?;
                let more = deployments::more_after(&list, PER_PAGE, since);
                out.extend(list);
                if !more {
                    break;
                }
            }
            out.retain(|d| deployments::created_since(d, since));
            Ok(out)
        })
    }

    fn environment_deployments<'a>(
        &'a self,
        repo: &'a Repo,
        environment: &'a str,
        before: u64,
        limit: usize,
    ) -> Answer<'a, Vec<Deployment>> {
        Box::pin(async move {
            let size = deployments::ENVIRONMENT_PAGE;
            let mut out: Vec<Deployment> = Vec::new();
            for page in 1..=deployments::MAX_ENVIRONMENT_PAGES {
                let list = self
                    .environment_deployments_page(repo, environment, size, page)
                    .await?;
                let full = list.len() as u64 >= size;
                out.extend(
                    list.into_iter()
                        .filter(|d| d.id.is_some_and(|id| id < before)),
                );
                if !full || out.len() >= limit {
                    break;
                }
            }
            out.truncate(limit);
            Ok(out)
        })
    }

    fn run<'a>(&'a self, repo: &'a Repo, id: u64) -> Answer<'a, Run> {
        Box::pin(async move { self.run_by_id(repo, id).await })
    }

    fn deployment_statuses<'a>(
        &'a self,
        repo: &'a Repo,
        id: u64,
    ) -> Answer<'a, Vec<DeploymentStatus>> {
        Box::pin(async move { GitHub::deployment_statuses(self, repo, id).await })
    }

    fn workflows<'a>(&'a self, repo: &'a Repo) -> Answer<'a, Vec<Workflow>> {
        Box::pin(async move {
            let first = self.workflows_page(repo, 1).await?;
            let all =
                pages::every(first, MAX_WORKFLOW_PAGES, |p| self.workflows_page(repo, p)).await?;
            Ok(all.into_iter().flat_map(|p| p.workflows).collect())
        })
    }

    fn contents<'a>(
        &'a self,
        repo: &'a Repo,
        path: &'a str,
        git_ref: &'a str,
    ) -> Answer<'a, FileContent> {
        Box::pin(async move { GitHub::contents(self, repo, path, git_ref).await })
    }

    fn artifacts<'a>(&'a self, repo: &'a Repo, run_id: u64) -> Answer<'a, Vec<Artifact>> {
        Box::pin(async move {
            let first = self.artifacts_page(repo, run_id, 1).await?;
            let all = pages::every(first, MAX_ARTIFACT_PAGES, |p| {
                self.artifacts_page(repo, run_id, p)
            })
            .await?;
            Ok(all.into_iter().flat_map(|p| p.artifacts).collect())
        })
    }
}

/// The newest [`commits::MAX`] commits of `base...head`, newest first, and how many there are:
/// page 1 (which tells the total), then the pages that hold the newest, together.
async fn newest_between(
    gh: &GitHub,
    repo: &Repo,
    base: &str,
    head: &str,
) -> Result<(Vec<String>, u64), Error> {
    if base.eq_ignore_ascii_case(head) {
        return Ok((vec![head.to_owned()], 0));
    }
    let first = gh.compare(repo, base, head, 1).await?;
    let total = first.total_commits.unwrap_or(first.commits.len() as u64);
    let pages = commits::newest_pages(total, commits::MAX);
    let more: Vec<u64> = pages.clone().filter(|p| *p != 1).collect();
    let fetched = try_join_all(more.iter().map(|p| gh.compare(repo, base, head, *p))).await?;
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
