//! What one repository's listing already tells, answering the look-ups of its runs as GitHub
//! would, so a run costs its jobs and little else: [`ForRun`] is a [`Source`] that answers from
//! [`RepoKnown`] what it can and asks the live source the rest:
//! - the previous successful run of the same workflow and branch: the page report's query would
//!   get (the newest [`commits::PREVIOUS_PAGE`] successes created before the run) is made from
//!   the runs listed before it, completed by one query per workflow and branch for the
//!   successes before the window (`created=<since`); only when the listing holds every run,
//!   that is without `--event`;
//! - the commits since that run: one listing of the branch's history ([`History`]) serves every
//!   run of the branch (from the branch, or, for a branch deleted since, from the newest head
//!   its runs built); what it cannot tell for sure goes to the compare API, as in `report`;
//! - the deployments of a run's head commit, of an environment, their statuses, the workflow of
//!   a run: one listing of the repository's deployments ([`super::deployments`]) instead of
//!   requests per run;
//! - the repository's workflows (job identity): listed once per repository.

use super::history::{Between, History};
use crate::github::client::GitHub;
use crate::github::error::Error;
use crate::github::source::{Answer, Source};
use crate::map::commits::{self, PreviousQuery};
use crate::model::{
    Artifact, Deployment, DeploymentStatus, FileContent, Repo, Repository, Run, Workflow,
};
use crate::retry::SystemClock;
use chrono::{DateTime, Utc};
use futures_util::future::{try_join_all, LocalBoxFuture};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// History pages read at once, at most, when more are needed.
const HISTORY_BATCH: u64 = 4;

/// A previous-success query without its time: (workflow, branch, event).
type Group = (String, Option<String>, Option<String>);
/// The successes before the window of one query, read as far as needed.
type Earlier = Rc<tokio::sync::Mutex<Before>>;
/// Answers of the tags look-up, by prefix.
type Tags = Rc<tokio::sync::OnceCell<Result<Vec<String>, Error>>>;

/// The successes of one query created before the window, newest first, as far as read.
#[derive(Default)]
struct Before {
    runs: Vec<Success>,
    pages: u64,
    ended: bool,
}
/// A branch's newest head commit listed, and when its run was created.
type Tip = (Option<DateTime<Utc>>, String);

/// One repository's listing, as far as it was read.
pub(crate) struct RepoKnown<'a> {
    gh: &'a GitHub,
    repo: Repo,
    since: DateTime<Utc>,
    /// The listing holds every run of the window (no `event` filter), so the successes before a
    /// run are all in it.
    whole: bool,
    /// Whether the runs are indexed at all (`commits: since-last-success` reads the index).
    indexed: bool,
    /// The listing's `branch` filter: a query of another branch (or of none) is not answered.
    branch_filter: Option<String>,
    /// Successful runs by workflow (file, or id), oldest first.
    successes: RefCell<HashMap<String, Vec<Success>>>,
    before_since: RefCell<HashMap<Group, Earlier>>,
    tags: RefCell<HashMap<String, Tags>>,
    /// Runs listed per branch: how many history pages are worth reading.
    branch_runs: RefCell<HashMap<String, u64>>,
    /// Runs listed per branch and not reported yet: a deleted branch's history is let go when
    /// none is left (its runs are in the past; a later one would read it again).
    branch_pending: RefCell<HashMap<String, u64>>,
    /// The newest head commit listed per branch, and when its run was created.
    branch_tips: RefCell<HashMap<String, Tip>>,
    histories: RefCell<HashMap<String, Rc<tokio::sync::Mutex<Branch>>>>,
    deployments: super::deployments::Known<'a>,
    /// The repository's workflows, listed once (job identity, the `workflow` filter).
    workflows: RefCell<Option<Vec<Workflow>>>,
}

#[derive(Default)]
struct Branch {
    history: History,
    /// Listed from this commit, the branch being gone; `None`: from the branch.
    root: Option<String>,
    /// The history cannot be listed.
    dead: bool,
}

impl<'a> RepoKnown<'a> {
    pub(crate) fn new(
        gh: &'a GitHub,
        repo: Repo,
        since: DateTime<Utc>,
        whole: bool,
        branch_filter: Option<String>,
        indexed: bool,
        workflows: Option<Vec<Workflow>>,
    ) -> Self {
        RepoKnown {
            gh,
            repo: repo.clone(),
            since,
            whole,
            indexed,
            branch_filter,
            successes: RefCell::default(),
            before_since: RefCell::default(),
            tags: RefCell::default(),
            branch_runs: RefCell::default(),
            branch_pending: RefCell::default(),
            branch_tips: RefCell::default(),
            histories: RefCell::default(),
            deployments: super::deployments::Known::new(gh, repo),
            workflows: RefCell::new(workflows),
        }
    }

    pub(crate) fn has_workflows(&self) -> bool {
        self.workflows.borrow().is_some()
    }

    pub(crate) fn set_workflows(&self, w: Vec<Workflow>) {
        *self.workflows.borrow_mut() = Some(w);
    }

    /// A client handle with a deadline of its own.
    fn gh(&self) -> GitHub {
        self.gh.handle(SystemClock::start())
    }

    /// Takes in a chunk of the listing, before its runs are reported.
    pub(crate) fn index(&self, runs: &[Run]) {
        self.deployments.index(runs);
        if !self.indexed {
            return;
        }
        let mut successes = self.successes.borrow_mut();
        let mut branches = self.branch_runs.borrow_mut();
        let mut pending = self.branch_pending.borrow_mut();
        let mut tips = self.branch_tips.borrow_mut();
        for r in runs {
            if let Some(b) = &r.head_branch {
                *branches.entry(b.clone()).or_default() += 1;
                *pending.entry(b.clone()).or_default() += 1;
                if let Some(sha) = &r.head_sha {
                    let tip = tips.entry(b.clone()).or_insert((r.created_at, sha.clone()));
                    if r.created_at > tip.0 {
                        *tip = (r.created_at, sha.clone());
                    }
                }
            }
            if r.conclusion.as_deref() != Some("success") {
                continue;
            }
            let Some(workflow) = workflow_key(r) else {
                continue;
            };
            let list = successes.entry(workflow).or_default();
            let key = (r.created_at, r.id);
            let at = list.partition_point(|x| (x.created_at, x.id) < key);
            if list.get(at).is_some_and(|x| x.id == r.id) {
                continue;
            }
            list.insert(at, Success::of(r));
        }
    }

    /// A listed run of `branch` has been reported: when it was the last one listed of a branch
    /// deleted since, that branch's history is let go (a long-lived branch's is kept: every
    /// range has its runs).
    pub(crate) fn finished(&self, branch: &str) {
        if !self.indexed {
            return;
        }
        let left = {
            let mut pending = self.branch_pending.borrow_mut();
            let Some(n) = pending.get_mut(branch) else {
                return;
            };
            *n = n.saturating_sub(1);
            *n
        };
        if left > 0 {
            return;
        }
        let mut histories = self.histories.borrow_mut();
        let deleted = histories
            .get(branch)
            .and_then(|h| h.try_lock().ok().map(|b| b.root.is_some() || b.dead));
        if deleted == Some(true) {
            histories.remove(branch);
        }
    }

    fn history_cap(&self, branch: &str) -> u64 {
        let runs = self.branch_runs.borrow().get(branch).copied().unwrap_or(0);
        (runs / 2).max(3)
    }
}

/// The workflow a previous-success query names for `r`: its file, or its id for a workflow with
/// no file under `.github/workflows/` (as [`commits::previous_query`] does).
fn workflow_key(r: &Run) -> Option<String> {
    let file = r
        .path
        .as_deref()
        .and_then(|p| p.split('@').next())
        .and_then(|p| p.strip_prefix(".github/workflows/"))
        .filter(|f| !f.is_empty() && !f.contains('/'));
    match file {
        Some(f) => Some(f.to_owned()),
        None => Some(r.workflow_id?.to_string()),
    }
}

/// What the previous-success look-up reads of a successful run ([`commits::pick_previous`] and
/// the log line of the commits), kept small: a backfill indexes every success of the window.
#[derive(Debug, Clone)]
struct Success {
    id: Option<u64>,
    run_number: Option<u64>,
    created_at: Option<DateTime<Utc>>,
    head_sha: Option<Box<str>>,
    head_repo: Option<Box<str>>,
    head_branch: Option<Box<str>>,
    event: Option<Box<str>>,
}

impl Success {
    fn of(r: &Run) -> Success {
        Success {
            id: r.id,
            run_number: r.run_number,
            created_at: r.created_at,
            head_sha: r.head_sha.as_deref().map(Into::into),
            head_repo: r
                .head_repository
                .as_ref()
                .and_then(|h| h.full_name.as_deref())
                .map(Into::into),
            head_branch: r.head_branch.as_deref().map(Into::into),
            event: r.event.as_deref().map(Into::into),
        }
    }

    /// Whether the query's filters (`branch=`, `event=`) keep it.
    fn matches(&self, q: &PreviousQuery) -> bool {
        q.branch
            .as_deref()
            .is_none_or(|b| self.head_branch.as_deref() == Some(b))
            && q.event
                .as_deref()
                .is_none_or(|e| self.event.as_deref() == Some(e))
    }

    /// The run as the look-up's page shows it, as far as it is read.
    fn run(&self) -> Run {
        Run {
            id: self.id,
            run_number: self.run_number,
            created_at: self.created_at,
            conclusion: Some("success".to_owned()),
            head_sha: self.head_sha.as_deref().map(str::to_owned),
            head_branch: self.head_branch.as_deref().map(str::to_owned),
            event: self.event.as_deref().map(str::to_owned),
            head_repository: self.head_repo.as_deref().map(|f| Repository {
                full_name: Some(f.to_owned()),
                ..Repository::default()
            }),
            ..Run::default()
        }
    }
}

/// The cache's own answers: `None` where it cannot answer exactly as GitHub would.
impl RepoKnown<'_> {
    /// Page `page` of the previous-success query `q` of a run (created at `q.created_before`).
    fn previous_page<'b>(
        &'b self,
        q: &'b PreviousQuery,
        page: u64,
    ) -> LocalBoxFuture<'b, Option<Result<Vec<Run>, Error>>> {
        Box::pin(async move {
            let created = q.created_before?;
            if !self.whole || created < self.since {
                return None;
            }
            if self.branch_filter.is_some() && q.branch != self.branch_filter {
                return None; // the listing holds that branch's runs only
            }
            let size = commits::PREVIOUS_PAGE as usize;
            let need = size * page.max(1) as usize;
            // The window's successes the query keeps, newest first, created before the run.
            let mut found: Vec<Success> = {
                let successes = self.successes.borrow();
                let list = successes.get(&q.workflow).map(Vec::as_slice).unwrap_or(&[]);
                let before = list.partition_point(|x| x.created_at < Some(created));
                list[..before]
                    .iter()
                    .rev()
                    .filter(|x| x.matches(q))
                    .take(need)
                    .cloned()
                    .collect()
            };
            if found.len() < need {
                // Then those before the window, asked once a query, as far as needed.
                let group = (q.workflow.clone(), q.branch.clone(), q.event.clone());
                let cell = self
                    .before_since
                    .borrow_mut()
                    .entry(group)
                    .or_default()
                    .clone();
                let mut before = cell.lock().await;
                let earlier = PreviousQuery {
                    created_before: Some(self.since),
                    ..q.clone()
                };
                while found.len() + before.runs.len() < need && !before.ended {
                    let next = before.pages + 1;
                    let got = self
                        .gh()
                        .successful_runs(&self.repo, &earlier, commits::PREVIOUS_PAGE, next)
                        .await;
                    match got {
                        Ok(runs) => {
                            before.pages = next;
                            before.ended = (runs.len() as u64) < commits::PREVIOUS_PAGE;
                            before.runs.extend(runs.iter().map(Success::of));
                        }
                        Err(e) => return Some(Err(e)),
                    }
                }
                found.extend(before.runs.iter().cloned());
            }
            let from = size * (page.max(1) as usize - 1);
            Some(Ok(found
                .iter()
                .skip(from)
                .take(size)
                .map(Success::run)
                .collect()))
        })
    }

    /// The tags starting with `prefix`, asked once for the repository.
    fn tags_starting_with<'b>(
        &'b self,
        prefix: &'b str,
    ) -> LocalBoxFuture<'b, Option<Result<Vec<String>, Error>>> {
        Box::pin(async move {
            let cell = self
                .tags
                .borrow_mut()
                .entry(prefix.to_owned())
                .or_default()
                .clone();
            let names = cell
                .get_or_init(|| async { self.gh().tags_starting_with(&self.repo, prefix).await })
                .await;
            Some(names.clone())
        })
    }

    /// `base...head` from the history of `branch`, when it tells for sure.
    fn between<'b>(
        &'b self,
        branch: Option<&'b str>,
        base: &'b str,
        head: &'b str,
    ) -> LocalBoxFuture<'b, Option<(Vec<String>, u64)>> {
        Box::pin(async move {
            let branch = branch?.to_owned();
            let cap = self.history_cap(&branch);
            let cell = self
                .histories
                .borrow_mut()
                .entry(branch.clone())
                .or_default()
                .clone();
            let mut b = cell.lock().await;
            loop {
                match b.history.between(base, head, commits::MAX) {
                    Between::Known(list, total) => return Some((list, total)),
                    Between::Unknown => return None,
                    Between::NeedMore if b.dead || b.history.pages >= cap => return None,
                    Between::NeedMore => {
                        // One page first (a deleted branch costs one request to tell), then
                        // as many as read so far, up to a batch.
                        let first = b.history.pages + 1;
                        let batch = b.history.pages.clamp(1, HISTORY_BATCH);
                        let last = (first + batch - 1).min(cap);
                        let gh = self.gh();
                        let from = b.root.clone().unwrap_or_else(|| branch.clone());
                        let pages = try_join_all(
                            (first..=last).map(|p| gh.commits_page(&self.repo, &from, p)),
                        )
                        .await;
                        match pages {
                            Ok(pages) => {
                                for p in pages {
                                    if b.history.ended {
                                        break;
                                    }
                                    b.history.add_page(p, crate::github::pages::PER_PAGE);
                                }
                            }
                            Err(_) if b.root.is_none() && b.history.is_empty() => {
                                // Gone since (merged and deleted): from its newest head.
                                let tip =
                                    self.branch_tips.borrow().get(&branch).map(|t| t.1.clone());
                                match tip {
                                    Some(sha) => b.root = Some(sha),
                                    None => b.dead = true,
                                }
                            }
                            Err(_) => b.dead = true,
                        }
                    }
                }
            }
        })
    }
}

/// One run's look-ups: what the repository's listings answer, exactly as GitHub would; the rest
/// asked of the live source (the run's own client, with its deadline).
pub(crate) struct ForRun<'k, 'a> {
    known: &'k RepoKnown<'a>,
    live: &'k dyn Source,
    /// The run's branch, whose history answers the commits between two of its runs.
    branch: Option<String>,
}

impl<'a> RepoKnown<'a> {
    /// The source of the look-ups of a run of `branch` (as the listing shows it).
    pub(crate) fn for_run<'k>(
        &'k self,
        live: &'k dyn Source,
        branch: Option<String>,
    ) -> ForRun<'k, 'a> {
        ForRun {
            known: self,
            live,
            branch,
        }
    }
}

impl ForRun<'_, '_> {
    /// Whether `repo` is the one whose listings are known.
    fn ours(&self, repo: &Repo) -> bool {
        *repo == self.known.repo
    }
}

impl Source for ForRun<'_, '_> {
    fn successful_runs<'b>(
        &'b self,
        repo: &'b Repo,
        q: &'b PreviousQuery,
        page: u64,
    ) -> Answer<'b, Vec<Run>> {
        Box::pin(async move {
            if self.ours(repo) {
                if let Some(answer) = self.known.previous_page(q, page).await {
                    return answer;
                }
            }
            self.live.successful_runs(repo, q, page).await
        })
    }

    fn tags_starting_with<'b>(
        &'b self,
        repo: &'b Repo,
        prefix: &'b str,
    ) -> Answer<'b, Vec<String>> {
        Box::pin(async move {
            if self.ours(repo) {
                if let Some(answer) = self.known.tags_starting_with(prefix).await {
                    return answer;
                }
            }
            self.live.tags_starting_with(repo, prefix).await
        })
    }

    fn between<'b>(
        &'b self,
        repo: &'b Repo,
        base: &'b str,
        head: &'b str,
    ) -> Answer<'b, (Vec<String>, u64)> {
        Box::pin(async move {
            if self.ours(repo) && !base.eq_ignore_ascii_case(head) {
                let branch = self.branch.as_deref();
                if let Some(found) = self.known.between(branch, base, head).await {
                    return Ok(found);
                }
            }
            self.live.between(repo, base, head).await
        })
    }

    fn commit_deployments<'b>(
        &'b self,
        repo: &'b Repo,
        sha: &'b str,
        since: Option<DateTime<Utc>>,
    ) -> Answer<'b, Vec<Deployment>> {
        Box::pin(async move {
            if self.ours(repo) {
                if let Some(list) = self.known.deployments.of_commit(sha, since).await {
                    return Ok(list);
                }
            }
            self.live.commit_deployments(repo, sha, since).await
        })
    }

    fn environment_deployments<'b>(
        &'b self,
        repo: &'b Repo,
        environment: &'b str,
        before: u64,
        limit: usize,
    ) -> Answer<'b, Vec<Deployment>> {
        Box::pin(async move {
            if self.ours(repo) {
                let known = &self.known.deployments;
                if let Some(list) = known.to_environment(environment, before, limit).await {
                    return Ok(list);
                }
            }
            self.live
                .environment_deployments(repo, environment, before, limit)
                .await
        })
    }

    fn deployment_statuses<'b>(
        &'b self,
        repo: &'b Repo,
        id: u64,
    ) -> Answer<'b, Vec<DeploymentStatus>> {
        Box::pin(async move {
            if self.ours(repo) {
                return self.known.deployments.statuses(id).await;
            }
            self.live.deployment_statuses(repo, id).await
        })
    }

    fn run<'b>(&'b self, repo: &'b Repo, id: u64) -> Answer<'b, Run> {
        Box::pin(async move {
            match self.known.deployments.run(id) {
                Some(run) if self.ours(repo) => Ok(run),
                _ => self.live.run(repo, id).await,
            }
        })
    }

    fn workflows<'b>(&'b self, repo: &'b Repo) -> Answer<'b, Vec<Workflow>> {
        Box::pin(async move {
            let listed = self.known.workflows.borrow().clone();
            match listed {
                Some(w) if self.ours(repo) => Ok(w),
                _ => self.live.workflows(repo).await,
            }
        })
    }

    fn contents<'b>(
        &'b self,
        repo: &'b Repo,
        path: &'b str,
        git_ref: &'b str,
    ) -> Answer<'b, FileContent> {
        self.live.contents(repo, path, git_ref)
    }

    fn artifacts<'b>(&'b self, repo: &'b Repo, run_id: u64) -> Answer<'b, Vec<Artifact>> {
        self.live.artifacts(repo, run_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use sei_cicd_testkit::http::{Reply, Server};
    use serde_json::json;
    use std::sync::Arc;
    use std::time::Duration;

    fn t(s: &str) -> DateTime<Utc> {
        crate::model::lenient::parse_time(s).unwrap()
    }

    fn run(id: u64, created: &str, conclusion: &str, branch: &str, event: &str) -> Run {
        Run {
            id: Some(id),
            run_number: Some(id),
            created_at: Some(t(created)),
            conclusion: Some(conclusion.into()),
            head_sha: Some(format!("{id:040x}")),
            head_branch: Some(branch.into()),
            event: Some(event.into()),
            path: Some(".github/workflows/ci.yml@refs/heads/main".into()),
            workflow_id: Some(77),
            ..Run::default()
        }
    }

    const SINCE: &str = "2026-11-01T00:00:00Z";

    /// GitHub for what the cache asks itself: one success of `ci.yml` on `main` before the
    /// window, and the tags `v1.0.0` and `v1.1.0`.
    fn github() -> Server {
        Server::start_on(
            Arc::new(|req| {
                let path = req.path();
                if path.ends_with("/actions/workflows/ci.yml/runs") {
                    let before = json!({
                        "id": 1, "run_number": 1, "created_at": "2026-10-30T10:00:00Z",
                        "conclusion": "success", "head_sha": "a1", "head_branch": "main",
                        "event": "push"
                    });
                    Reply::json(200, &json!({"total_count": 1, "workflow_runs": [before]}))
                } else if path.ends_with("/git/matching-refs/tags/v1") {
                    Reply::json(
                        200,
                        &json!([{"ref": "refs/tags/v1.0.0"}, {"ref": "refs/tags/v1.1.0"}]),
                    )
                } else {
                    Reply::json(404, &json!({"message": "Not Found"}))
                }
            }),
            Duration::ZERO,
            None,
        )
    }

    fn block<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    fn client(server: &Server) -> GitHub {
        let http = crate::http::client(&[], crate::http::Redirects::Follow).unwrap();
        GitHub::new(http, &server.url(), &Secret::default()).unwrap()
    }

    fn query(before: &str) -> PreviousQuery {
        PreviousQuery {
            workflow: "ci.yml".into(),
            branch: Some("main".into()),
            event: Some("push".into()),
            created_before: Some(t(before)),
        }
    }

    fn ids(runs: &[Run]) -> Vec<u64> {
        runs.iter().filter_map(|r| r.id).collect()
    }

    #[test]
    fn a_workflow_is_its_file_or_else_its_id() {
        let mut r = run(1, SINCE, "success", "main", "push");
        assert_eq!(workflow_key(&r).as_deref(), Some("ci.yml"));
        r.path = Some("dynamic/github-code-scanning/codeql".into());
        assert_eq!(workflow_key(&r).as_deref(), Some("77"));
        r.path = Some(".github/workflows/nested/ci.yml".into());
        assert_eq!(workflow_key(&r).as_deref(), Some("77"));
        r.workflow_id = None;
        assert_eq!(workflow_key(&r), None);
    }

    #[test]
    fn previous_successes_come_from_the_listing_then_once_from_before_the_window() {
        let server = github();
        let found = block(async {
            let gh = client(&server);
            let repo = Repo::parse("acme/api").unwrap();
            let known = RepoKnown::new(&gh, repo, t(SINCE), true, None, true, None);
            known.index(&[
                run(10, "2026-11-02T10:00:00Z", "success", "main", "push"),
                run(11, "2026-11-03T10:00:00Z", "failure", "main", "push"),
                run(12, "2026-11-04T10:00:00Z", "success", "feature", "push"),
                run(
                    13,
                    "2026-11-05T10:00:00Z",
                    "success",
                    "main",
                    "pull_request",
                ),
                run(14, "2026-11-06T10:00:00Z", "success", "main", "push"),
                // Listed twice (a run completing while the listing is read): counted once.
                run(14, "2026-11-06T10:00:00Z", "success", "main", "push"),
                // After the run asking: not a previous one.
                run(15, "2026-11-08T10:00:00Z", "success", "main", "push"),
            ]);
            let q = query("2026-11-07T10:00:00Z");
            let first = known.previous_page(&q, 1).await.unwrap().unwrap();
            let again = known.previous_page(&q, 1).await.unwrap().unwrap();
            let second_page = known.previous_page(&q, 2).await.unwrap().unwrap();
            (first, again, second_page)
        });
        // Newest first: the window's successes of the branch and event, then the one before.
        assert_eq!(ids(&found.0), [14, 10, 1]);
        assert_eq!(ids(&found.1), [14, 10, 1]);
        assert!(found.2.is_empty());
        assert_eq!(
            found.0[0].head_sha.as_deref(),
            Some(&*format!("{:040x}", 14))
        );
        let asked = server.exchanges();
        assert_eq!(
            asked.len(),
            1,
            "the successes before the window are read once"
        );
        assert_eq!(
            asked[0].request.query("created"),
            Some("%3C2026-11-01T00%3A00%3A00Z"),
            "created before the window's start"
        );
    }

    #[test]
    fn what_the_listing_cannot_tell_is_left_to_github() {
        let server = github();
        let repo = Repo::parse("acme/api").unwrap();
        block(async {
            let gh = client(&server);
            let listed = [run(10, "2026-11-02T10:00:00Z", "success", "main", "push")];
            // With `--event`, the listing does not hold every run.
            let partial = RepoKnown::new(&gh, repo.clone(), t(SINCE), false, None, true, None);
            partial.index(&listed);
            assert!(partial
                .previous_page(&query("2026-11-07T10:00:00Z"), 1)
                .await
                .is_none());
            let whole = RepoKnown::new(&gh, repo.clone(), t(SINCE), true, None, true, None);
            whole.index(&listed);
            // A run created before the window, or at an unknown time.
            assert!(whole
                .previous_page(&query("2026-10-31T10:00:00Z"), 1)
                .await
                .is_none());
            let untimed = PreviousQuery {
                created_before: None,
                ..query(SINCE)
            };
            assert!(whole.previous_page(&untimed, 1).await.is_none());
            // The listing holds one branch's runs: another branch's query is not answered.
            let one_branch = RepoKnown::new(
                &gh,
                repo.clone(),
                t(SINCE),
                true,
                Some("release".into()),
                true,
                None,
            );
            assert!(one_branch
                .previous_page(&query("2026-11-07T10:00:00Z"), 1)
                .await
                .is_none());
        });
        assert!(server.exchanges().is_empty());
    }

    #[test]
    fn tags_are_asked_once_for_the_repository() {
        let server = github();
        let (first, second) = block(async {
            let gh = client(&server);
            let repo = Repo::parse("acme/api").unwrap();
            let known = RepoKnown::new(&gh, repo, t(SINCE), true, None, true, None);
            (
                known.tags_starting_with("v1").await.unwrap().unwrap(),
                known.tags_starting_with("v1").await.unwrap().unwrap(),
            )
        });
        assert_eq!(first, vec!["v1.0.0".to_owned(), "v1.1.0".to_owned()]);
        assert_eq!(first, second);
        assert_eq!(server.exchanges().len(), 1);
    }

    #[test]
    fn a_run_s_look_ups_of_another_repository_go_to_the_live_source() {
        let server = github();
        let workflows = vec![Workflow {
            id: Some(77),
            name: Some("CI".into()),
            path: Some(".github/workflows/ci.yml".into()),
            ..Workflow::default()
        }];
        let (ours, theirs) = block(async {
            let gh = client(&server);
            let repo = Repo::parse("acme/api").unwrap();
            let known = RepoKnown::new(&gh, repo.clone(), t(SINCE), true, None, true, None);
            assert!(!known.has_workflows());
            known.set_workflows(workflows.clone());
            let for_run = known.for_run(&gh, Some("main".into()));
            let other = Repo::parse("acme/web").unwrap();
            (
                for_run.workflows(&repo).await,
                for_run.workflows(&other).await,
            )
        });
        let ours: Vec<Option<u64>> = ours.unwrap().iter().map(|w| w.id).collect();
        assert_eq!(ours, [Some(77)], "listed once for the repository");
        assert!(
            theirs.is_err(),
            "asked of GitHub, which has no such repository"
        );
        let asked = server.exchanges();
        assert_eq!(asked.len(), 1);
        assert!(asked[0].request.path().starts_with("/repos/acme/web/"));
    }
}
