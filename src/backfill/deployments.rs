//! The repository's deployments, listed once for all the runs of a backfill (`GET
//! .../deployments`, newest first, read page after page only as far as a question needs), and
//! what the runs' look-ups ask of them, answered exactly as GitHub would answer the look-up:
//! - the deployments of a commit created since a time (rule 2 of `ci-cd: auto`);
//! - the deployments to an environment before a deployment (the base of a deployment's
//!   commits);
//! - a deployment's statuses, read once (a run's deployment is the next run's earlier one);
//! - which workflow a run is of, from the runs the backfill listed.
//!
//! A question the listing cannot answer within [`MAX_PAGES`] gets `None`: the run asks GitHub.

use crate::github::client::GitHub;
use crate::github::error::Error;
use crate::github::pages::PER_PAGE;
use crate::map::deployments as rules;
use crate::model::{Deployment, DeploymentStatus, Repo, Run};
use crate::retry::SystemClock;
use chrono::{DateTime, Utc};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Pages of the repository's deployments read at most (100 a page); past them, the runs ask.
pub(crate) const MAX_PAGES: u64 = 10;

/// The listing as far as it was read.
#[derive(Default)]
struct Listing {
    /// Newest first.
    list: Vec<Deployment>,
    pages: u64,
    /// Every deployment is listed.
    ended: bool,
    /// The listing failed, or reached [`MAX_PAGES`]: it reads no further.
    stopped: bool,
}

/// What a backfill knows of one repository's deployments and runs.
pub(crate) struct Known<'a> {
    gh: &'a GitHub,
    repo: Repo,
    listing: tokio::sync::Mutex<Listing>,
    statuses: RefCell<HashMap<u64, Rc<tokio::sync::OnceCell<Vec<DeploymentStatus>>>>>,
    /// The runs listed: their workflow and number, kept small (a backfill lists thousands).
    runs: RefCell<HashMap<u64, Brief>>,
}

/// What a run's look-up (`GET .../actions/runs/{id}`) is asked for here: its workflow, its
/// number.
struct Brief {
    workflow_id: Option<u64>,
    path: Option<Box<str>>,
    run_number: Option<u64>,
}

impl<'a> Known<'a> {
    pub(crate) fn new(gh: &'a GitHub, repo: Repo) -> Self {
        Known {
            gh,
            repo,
            listing: tokio::sync::Mutex::default(),
            statuses: RefCell::default(),
            runs: RefCell::default(),
        }
    }

    /// Takes in the runs of a chunk of the listing: what tells their workflow.
    pub(crate) fn index(&self, runs: &[Run]) {
        let mut known = self.runs.borrow_mut();
        for r in runs {
            if let Some(id) = r.id {
                known.entry(id).or_insert_with(|| Brief {
                    workflow_id: r.workflow_id,
                    path: r.path.as_deref().map(Into::into),
                    run_number: r.run_number,
                });
            }
        }
    }

    /// Reads pages until `done` says the listing answers, or it ends, or it stops; then the
    /// answer `of` the listing, when `done` holds or every deployment is listed.
    async fn read_until<T>(
        &self,
        done: impl Fn(&[Deployment]) -> bool,
        of: impl FnOnce(&[Deployment]) -> T,
    ) -> Option<T> {
        let mut l = self.listing.lock().await;
        let gh = self.gh.handle(SystemClock::start());
        while !done(&l.list) && !l.ended && !l.stopped {
            if l.pages >= MAX_PAGES {
                l.stopped = true;
                break;
            }
            match gh.repo_deployments(&self.repo, l.pages + 1).await {
                Ok(page) => {
                    l.pages += 1;
                    l.ended = (page.len() as u64) < PER_PAGE;
                    l.list.extend(page);
                }
                Err(_) => l.stopped = true,
            }
        }
        (done(&l.list) || l.ended).then(|| of(&l.list))
    }

    /// Every deployment of commit `sha` created at or after `since`, newest first.
    pub(crate) async fn of_commit(
        &self,
        sha: &str,
        since: Option<DateTime<Utc>>,
    ) -> Option<Vec<Deployment>> {
        let since = Some(since?);
        let reached = |list: &[Deployment]| list.iter().any(|d| !rules::created_since(d, since));
        let of = |list: &[Deployment]| -> Vec<Deployment> {
            list.iter()
                .filter(|d| {
                    d.sha
                        .as_deref()
                        .is_some_and(|s| s.eq_ignore_ascii_case(sha))
                })
                .filter(|d| rules::created_since(d, since))
                .cloned()
                .collect()
        };
        self.read_until(reached, of).await
    }

    /// The newest `limit` deployments to `environment` older than deployment `before`.
    pub(crate) async fn to_environment(
        &self,
        environment: &str,
        before: u64,
        limit: usize,
    ) -> Option<Vec<Deployment>> {
        let of = |list: &[Deployment]| -> Vec<Deployment> {
            list.iter()
                .filter(|d| d.environment.as_deref() == Some(environment))
                .filter(|d| d.id.is_some_and(|id| id < before))
                .take(limit)
                .cloned()
                .collect()
        };
        self.read_until(|list| of(list).len() >= limit, of).await
    }

    /// Deployment `id`'s statuses, asked of GitHub once.
    pub(crate) async fn statuses(&self, id: u64) -> Result<Vec<DeploymentStatus>, Error> {
        let cell = self.statuses.borrow_mut().entry(id).or_default().clone();
        cell.get_or_try_init(|| async {
            self.gh
                .handle(SystemClock::start())
                .deployment_statuses(&self.repo, id)
                .await
        })
        .await
        .cloned()
    }

    /// Run `id` as the backfill's listing showed it (its workflow, its number).
    pub(crate) fn run(&self, id: u64) -> Option<Run> {
        self.runs.borrow().get(&id).map(|b| Run {
            id: Some(id),
            workflow_id: b.workflow_id,
            path: b.path.as_deref().map(str::to_owned),
            run_number: b.run_number,
            ..Run::default()
        })
    }
}
