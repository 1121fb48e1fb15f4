//! Within one report, the runs a previous-success page already answered: asking for one of them
//! again (`run`, to know which workflow a deployment's run is of) costs no request. A decorator
//! over the report's [`Source`], like `backfill`'s cache; it answers exactly what it was told.

use crate::github::source::{Answer, Source};
use crate::map::commits::PreviousQuery;
use crate::model::{Artifact, Deployment, DeploymentStatus, FileContent, Repo, Run, Workflow};
use chrono::{DateTime, Utc};
use std::cell::RefCell;

pub(super) struct Remember<'a> {
    inner: &'a dyn Source,
    /// `(repository, run)` as a listing answered it.
    runs: RefCell<Vec<(Repo, Run)>>,
}

impl<'a> Remember<'a> {
    pub(super) fn new(inner: &'a dyn Source) -> Self {
        Remember {
            inner,
            runs: RefCell::default(),
        }
    }
}

impl Source for Remember<'_> {
    fn successful_runs<'b>(
        &'b self,
        repo: &'b Repo,
        q: &'b PreviousQuery,
        page: u64,
    ) -> Answer<'b, Vec<Run>> {
        Box::pin(async move {
            let runs = self.inner.successful_runs(repo, q, page).await?;
            let mut known = self.runs.borrow_mut();
            for r in &runs {
                if r.id.is_none() || known.iter().any(|(_, k)| k.id == r.id) {
                    continue;
                }
                // Every run of the page is of the workflow asked for: a page that leaves out
                // the workflow (a cache's, kept small) still tells it.
                let mut r = r.clone();
                if r.workflow_id.is_none() && r.path.is_none() {
                    match q.workflow.parse::<u64>() {
                        Ok(id) => r.workflow_id = Some(id),
                        Err(_) => r.path = Some(format!(".github/workflows/{}", q.workflow)),
                    }
                }
                known.push((repo.clone(), r));
            }
            Ok(runs)
        })
    }

    fn run<'b>(&'b self, repo: &'b Repo, id: u64) -> Answer<'b, Run> {
        Box::pin(async move {
            let known = self
                .runs
                .borrow()
                .iter()
                .find(|(r, k)| r == repo && k.id == Some(id))
                .map(|(_, k)| k.clone());
            match known {
                Some(run) => Ok(run),
                None => self.inner.run(repo, id).await,
            }
        })
    }

    fn tags_starting_with<'b>(
        &'b self,
        repo: &'b Repo,
        prefix: &'b str,
    ) -> Answer<'b, Vec<String>> {
        self.inner.tags_starting_with(repo, prefix)
    }

    fn between<'b>(
        &'b self,
        repo: &'b Repo,
        base: &'b str,
        head: &'b str,
    ) -> Answer<'b, (Vec<String>, u64)> {
        self.inner.between(repo, base, head)
    }

    fn commit_deployments<'b>(
        &'b self,
        repo: &'b Repo,
        sha: &'b str,
        since: Option<DateTime<Utc>>,
    ) -> Answer<'b, Vec<Deployment>> {
        self.inner.commit_deployments(repo, sha, since)
    }

    fn environment_deployments<'b>(
        &'b self,
        repo: &'b Repo,
        environment: &'b str,
        before: u64,
        limit: usize,
    ) -> Answer<'b, Vec<Deployment>> {
        self.inner
            .environment_deployments(repo, environment, before, limit)
    }

    fn deployment_statuses<'b>(
        &'b self,
        repo: &'b Repo,
        id: u64,
    ) -> Answer<'b, Vec<DeploymentStatus>> {
        self.inner.deployment_statuses(repo, id)
    }

    fn workflows<'b>(&'b self, repo: &'b Repo) -> Answer<'b, Vec<Workflow>> {
        self.inner.workflows(repo)
    }

    fn contents<'b>(
        &'b self,
        repo: &'b Repo,
        path: &'b str,
        git_ref: &'b str,
    ) -> Answer<'b, FileContent> {
        self.inner.contents(repo, path, git_ref)
    }

    fn artifacts<'b>(&'b self, repo: &'b Repo, run_id: u64) -> Answer<'b, Vec<Artifact>> {
        self.inner.artifacts(repo, run_id)
    }
}
