//! Reading a run from the GitHub REST API with octocrab's client (auth, base URI, Enterprise
//! Server paths) on top of the shared reqwest client, and the reporter's own tolerant types.
//!
//! One thin function per endpoint; [`super::fetch`] decides what to ask and in which order (round
//! trips are the cost that matters: independent requests go out together). Each request is
//! retried on its own under [`crate::retry`] (5xx, rate limits, broken connections), all inside
//! the command's one deadline. Pages of jobs read again while the run's other jobs settle are
//! asked with the `ETag` of their last read: GitHub answers an unchanged page `304 Not Modified`,
//! which does not count against the rate limit.
//!
//! Clients made with [`GitHub::handle`] share one connection pool, the request counts, a bound
//! on requests in flight ([`GitHub::with_in_flight`]) and the pacing that keeps a long command
//! within the token's rate limits ([`Pace`]); each handle has its own deadline. Every answer's
//! `x-ratelimit-*` headers are kept ([`GitHub::rate_limit`]).

use super::error::{Body, Error, Refusal};
use super::pages::{self, PER_PAGE};
use crate::map::commits::{self, PreviousQuery};
use crate::model::Repo;
use crate::model::{
    ArtifactsPage, Comparison, Deployment, DeploymentStatus, ErrorBody, FileContent, GitRefEntry,
    InstallationRepos, Job, JobsPage, ListedCommit, Repository, Run, RunRef, RunsPage,
    WorkflowRunsPage, WorkflowsPage,
};
use crate::retry::{self, Failed, Policy, Stop, SystemClock, Verdict};
use crate::secret::Secret;
use futures_util::future::try_join_all;
use http_body_util::BodyExt;
use octocrab::Octocrab;
use serde::de::DeserializeOwned;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// A request's outcome: the answer, or why there is none ([`Error`]).
type Result<T, E = Error> = std::result::Result<T, E>;

/// A run with more jobs than this many pages is cut, with a warning.
pub(crate) const MAX_PAGES: u64 = 100;
/// Statuses of a deployment read (newest first): Actions writes four or five (`waiting`,
/// `queued`, `in_progress`, `success`, later `inactive`).
pub(crate) const STATUSES_PAGE: u64 = 30;
/// Requests one client has in flight at most. GitHub allows 100 concurrent requests per token
/// (REST and GraphQL together); 16 leave room for everything else the token does, and still
/// send the 9 other job pages of a 1,000-job run with the other look-ups in one round trip.
pub(crate) const MAX_IN_FLIGHT: usize = 16;

pub(crate) struct GitHub {
    shared: Arc<Shared>,
    /// The `ETag` of each page of jobs last read, by path.
    etags: Mutex<HashMap<String, String>>,
    /// How many pages of jobs the last full read had.
    jobs_pages: AtomicU64,
    policy: Policy,
    clock: SystemClock,
    on_retry: Option<Log>,
}

/// What every handle of one client shares.
struct Shared {
    octo: Octocrab,
    api_url: String,
    requests: AtomicUsize,
    /// Requests answered `304 Not Modified` (free of the rate limit).
    not_modified: AtomicUsize,
    /// One permit per request in flight: [`MAX_IN_FLIGHT`], or [`GitHub::with_in_flight`]'s.
    in_flight: tokio::sync::Semaphore,
    in_flight_size: usize,
    pace: Option<Arc<dyn Pace>>,
    /// The newest `x-ratelimit-*` headers heard.
    rate: Mutex<Option<RateLimit>>,
}

/// GitHub's primary rate limit as an answer's `x-ratelimit-*` headers tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateLimit {
    pub limit: u64,
    pub remaining: u64,
    /// When the window resets, epoch seconds.
    pub reset: u64,
    pub used: u64,
}

impl RateLimit {
    /// The headers of one answer; `None` when it has none (Enterprise Server with limits off).
    pub(crate) fn from_headers(headers: &http::HeaderMap) -> Option<RateLimit> {
        let num =
            |name: &str| -> Option<u64> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
        let remaining = num("x-ratelimit-remaining")?;
        let limit = num("x-ratelimit-limit").unwrap_or(remaining);
        Some(RateLimit {
            limit,
            remaining,
            reset: num("x-ratelimit-reset").unwrap_or(0),
            used: num("x-ratelimit-used").unwrap_or(limit.saturating_sub(remaining)),
        })
    }
}

/// Paces a long command's requests: asked before each request how long to wait (the wait is
/// not counted by the request's deadline), told the rate-limit headers of each answer.
pub(crate) trait Pace: Send + Sync {
    /// How long to wait before the next request is sent.
    fn wait(&self) -> Duration;
    /// What an answer said of the rate limit.
    fn heard(&self, rate: RateLimit);
}

/// Hears of each retry, to say it in the log.
type Log = Arc<dyn Fn(&str) + Send + Sync>;

impl GitHub {
    /// A client for the API at `api_url` (`GITHUB_API_URL`), authenticated with `token` when it
    /// is not empty. Must be called inside the tokio runtime.
    pub(crate) fn new(http: reqwest::Client, api_url: &str, token: &Secret) -> Result<Self> {
        let setup = |what: String| {
            move |e: octocrab::Error| Error::Setup {
                what,
                why: crate::http::chain(&e),
            }
        };
        let mut builder = Octocrab::builder()
            .base_uri(api_url)
            .map_err(setup(format!("GITHUB_API_URL `{api_url}` is not a URL")))?
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
            .map_err(setup("could not set up the GitHub client".to_owned()))?;
        Ok(GitHub {
            shared: Arc::new(Shared {
                octo,
                api_url: api_url.to_owned(),
                requests: AtomicUsize::new(0),
                not_modified: AtomicUsize::new(0),
                in_flight: tokio::sync::Semaphore::new(MAX_IN_FLIGHT),
                in_flight_size: MAX_IN_FLIGHT,
                pace: None,
                rate: Mutex::new(None),
            }),
            etags: Mutex::new(HashMap::new()),
            jobs_pages: AtomicU64::new(1),
            policy: Policy::default(),
            clock: SystemClock::start(),
            on_retry: None,
        })
    }

    /// At most `n` requests in flight at once, across every handle, instead of
    /// [`MAX_IN_FLIGHT`] (GitHub's secondary limits allow 100 per token). Call before
    /// [`Self::handle`].
    pub(crate) fn with_in_flight(mut self, n: usize) -> Self {
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            let n = n.clamp(1, 100);
            shared.in_flight = tokio::sync::Semaphore::new(n);
            shared.in_flight_size = n;
        }
        self
    }

    /// Every request of every handle waits as `pace` says first. Call before [`Self::handle`].
    pub(crate) fn with_pace(mut self, pace: Arc<dyn Pace>) -> Self {
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            shared.pace = Some(pace);
        }
        self
    }

    /// Another handle on the same client (connections, counts, bound, pacing) with its own
    /// deadline, `clock`.
    pub(crate) fn handle(&self, clock: SystemClock) -> GitHub {
        GitHub {
            shared: self.shared.clone(),
            etags: Mutex::new(HashMap::new()),
            jobs_pages: AtomicU64::new(1),
            policy: self.policy,
            clock,
            on_retry: self.on_retry.clone(),
        }
    }

    /// The newest rate-limit headers GitHub sent.
    pub(crate) fn rate_limit(&self) -> Option<RateLimit> {
        *self.shared.rate.lock().unwrap()
    }

    /// Retries under `policy`, within the deadline of `clock`; `on_retry` hears of each retry.
    pub(crate) fn with_retry(
        mut self,
        policy: Policy,
        clock: SystemClock,
        on_retry: impl Fn(&str) + Send + Sync + 'static,
    ) -> Self {
        self.policy = policy;
        self.clock = clock;
        self.on_retry = Some(Arc::new(on_retry));
        self
    }

    /// Waits `d` on purpose (for the run's other jobs, say): time the `timeout` deadline does
    /// not count, for this client and everything sharing its clock.
    pub(crate) async fn pause(&self, d: Duration) {
        self.clock.grant(d);
        tokio::time::sleep(d).await;
    }

    /// How many requests this client has sent.
    pub(crate) fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// How many of them GitHub answered `304 Not Modified`.
    pub(crate) fn not_modified(&self) -> usize {
        self.shared.not_modified.load(Ordering::Relaxed)
    }

    /// The run (the attempt in `target`, else its latest attempt).
    pub(crate) async fn run(&self, target: &RunRef) -> Result<Run> {
        let path = match target.attempt {
            Some(n) => format!("{}/attempts/{n}", run_path(target)),
            None => run_path(target),
        };
        self.get::<Run>(path)
            .await
            .map_err(|e| e.of_run(&self.shared.api_url, target))
    }

    /// The path of the jobs of one attempt (paged with [`page_path`]).
    pub(crate) fn jobs_path(target: &RunRef, attempt: u64) -> String {
        format!("{}/attempts/{attempt}/jobs", run_path(target))
    }

    /// One page of jobs.
    pub(crate) async fn jobs_page(
        &self,
        target: &RunRef,
        jobs_path: &str,
        page: u64,
    ) -> Result<JobsPage> {
        match self
            .jobs_page_if(target, page_path(jobs_path, page), None)
            .await?
        {
            Fetched::Fresh(page) => Ok(page),
            Fetched::NotModified => unreachable!("no ETag was sent"),
        }
    }

    /// One page of jobs at `path`; with `etag`, asked only if it changed since. The page's own
    /// `ETag` is kept for the next time.
    async fn jobs_page_if(
        &self,
        target: &RunRef,
        path: String,
        etag: Option<&str>,
    ) -> Result<Fetched<JobsPage>> {
        let (fetched, tag) = self
            .get_if::<JobsPage>(&path, etag)
            .await
            .map_err(|e| e.of_run(&self.shared.api_url, target))?;
        if let Some(tag) = tag {
            self.etags.lock().unwrap().insert(path, tag);
        }
        Ok(fetched)
    }

    /// Every job, given the first page: the other pages all at once (`total_count` says how
    /// many there are), each job once, in GitHub's order.
    pub(crate) async fn rest_of_jobs(
        &self,
        target: &RunRef,
        jobs_path: &str,
        first: JobsPage,
    ) -> Result<Vec<Job>> {
        self.jobs_pages
            .store(pages::count(&first, MAX_PAGES), Ordering::Relaxed);
        let all = pages::every(first, MAX_PAGES, |p| self.jobs_page(target, jobs_path, p)).await?;
        Ok(assemble(all))
    }

    /// Every job of one attempt: the first page, then the rest together.
    pub(crate) async fn all_jobs(&self, target: &RunRef, jobs_path: &str) -> Result<Vec<Job>> {
        let first = self.jobs_page(target, jobs_path, 1).await?;
        self.rest_of_jobs(target, jobs_path, first).await
    }

    /// Every job of one attempt read again, each page asked with the `ETag` of its last read,
    /// all at once: `None` when GitHub answers every page `304 Not Modified` (nothing changed,
    /// and nothing counted against the rate limit). When some pages changed and others did not,
    /// or the number of pages did, or the server sends no `ETag`s, all pages are read again.
    pub(crate) async fn all_jobs_if_changed(
        &self,
        target: &RunRef,
        jobs_path: &str,
    ) -> Result<Option<Vec<Job>>> {
        let pages = self.jobs_pages.load(Ordering::Relaxed);
        let known: Option<Vec<(String, String)>> = {
            let etags = self.etags.lock().unwrap();
            (1..=pages)
                .map(|p| {
                    let path = page_path(jobs_path, p);
                    etags.get(&path).map(|tag| (path, tag.clone()))
                })
                .collect()
        };
        let Some(known) = known else {
            return self.all_jobs(target, jobs_path).await.map(Some);
        };
        let read =
            try_join_all(known.into_iter().map(|(path, tag)| async move {
                self.jobs_page_if(target, path, Some(&tag)).await
            }))
            .await?;
        if read.iter().all(|r| matches!(r, Fetched::NotModified)) {
            return Ok(None);
        }
        let fresh: Option<Vec<JobsPage>> = read
            .into_iter()
            .map(|r| match r {
                Fetched::Fresh(page) => Some(page),
                Fetched::NotModified => None,
            })
            .collect();
        match fresh {
            Some(fresh) if pages::count(&fresh[0], MAX_PAGES) == pages => Ok(Some(assemble(fresh))),
            _ => self.all_jobs(target, jobs_path).await.map(Some),
        }
    }

    /// One page (from 1) of the newest successful runs of a workflow (`status=success`), at
    /// most `per_page`, with the query's filters: branch, event, created before.
    pub(crate) async fn successful_runs(
        &self,
        repo: &Repo,
        q: &PreviousQuery,
        per_page: u64,
        page: u64,
    ) -> Result<Vec<Run>> {
        let mut path = format!(
            "/repos/{}/{}/actions/workflows/{}/runs?status=success",
            repo.owner,
            repo.name,
            encode(&q.workflow),
        );
        if let Some(b) = &q.branch {
            path.push_str("&branch=");
            path.push_str(&encode(b));
        }
        if let Some(e) = &q.event {
            path.push_str("&event=");
            path.push_str(&encode(e));
        }
        if let Some(t) = q.created_before {
            path.push_str("&created=");
            path.push_str(&encode(&format!("<{}", crate::time::stamp(t))));
        }
        path.push_str(&format!(
            "&exclude_pull_requests=true&per_page={per_page}&page={page}"
        ));
        Ok(self.get::<WorkflowRunsPage>(path).await?.workflow_runs)
    }

    /// A file of the repository at commit `git_ref`: `GET .../contents/{path}?ref=`.
    pub(crate) async fn contents(
        &self,
        repo: &Repo,
        path: &str,
        git_ref: &str,
    ) -> Result<FileContent> {
        self.get::<FileContent>(format!(
            "/repos/{}/{}/contents/{}?ref={}",
            repo.owner,
            repo.name,
            encode_path(path),
            encode(git_ref)
        ))
        .await
    }

    /// The names of the repository's tags that start with `prefix` (every tag for an empty
    /// one): `GET .../git/matching-refs/tags/{prefix}`. One request whatever the count: this
    /// endpoint ignores `per_page` and answers every matching ref at once (github/docs#3863,
    /// google/go-github#1567), so there is no page to follow.
    pub(crate) async fn tags_starting_with(
        &self,
        repo: &Repo,
        prefix: &str,
    ) -> Result<Vec<String>> {
        let mut path = format!("/repos/{}/{}/git/matching-refs/tags", repo.owner, repo.name);
        if !prefix.is_empty() {
            path.push('/');
            path.push_str(&encode_path(prefix));
        }
        let refs = self.get::<Vec<GitRefEntry>>(path).await?;
        Ok(refs
            .into_iter()
            .filter_map(|r| r.name?.strip_prefix("refs/tags/").map(str::to_owned))
            .collect())
    }

    /// One page of the commits between `base` and `head` (`base...head`), oldest first.
    pub(crate) async fn compare(
        &self,
        repo: &Repo,
        base: &str,
        head: &str,
        page: u64,
    ) -> Result<Comparison> {
        self.get::<Comparison>(format!(
            "/repos/{}/{}/compare/{}...{}?per_page={}&page={page}",
            repo.owner,
            repo.name,
            encode(base),
            encode(head),
            commits::COMPARE_PAGE
        ))
        .await
    }

    /// One page of the artifacts a run uploaded.
    pub(crate) async fn artifacts_page(
        &self,
        repo: &Repo,
        run_id: u64,
        page: u64,
    ) -> Result<ArtifactsPage> {
        self.get::<ArtifactsPage>(format!(
            "/repos/{}/{}/actions/runs/{run_id}/artifacts?per_page={PER_PAGE}&page={page}",
            repo.owner, repo.name
        ))
        .await
    }

    /// One page of the repository's workflows.
    pub(crate) async fn workflows_page(&self, repo: &Repo, page: u64) -> Result<WorkflowsPage> {
        self.get::<WorkflowsPage>(format!(
            "/repos/{}/{}/actions/workflows?per_page={PER_PAGE}&page={page}",
            repo.owner, repo.name
        ))
        .await
    }

    /// One page of the deployments of commit `sha`, newest first.
    pub(crate) async fn deployments(
        &self,
        repo: &Repo,
        sha: &str,
        page: u64,
    ) -> Result<Vec<Deployment>> {
        let mut path = format!(
            "/repos/{}/{}/deployments?sha={}&per_page={PER_PAGE}",
            repo.owner,
            repo.name,
            encode(sha)
        );
        // Page 1 asked as it always was (its answer's `ETag` stays the same).
        if page > 1 {
            path.push_str(&format!("&page={page}"));
        }
        self.get::<Vec<Deployment>>(path).await
    }

    /// One page of the deployments to `environment`, `per_page` a page, newest first.
    pub(crate) async fn environment_deployments_page(
        &self,
        repo: &Repo,
        environment: &str,
        per_page: u64,
        page: u64,
    ) -> Result<Vec<Deployment>> {
        self.get::<Vec<Deployment>>(format!(
            "/repos/{}/{}/deployments?environment={}&per_page={per_page}&page={page}",
            repo.owner,
            repo.name,
            encode(environment)
        ))
        .await
    }

    /// The newest statuses of one deployment (at most [`STATUSES_PAGE`]).
    pub(crate) async fn deployment_statuses(
        &self,
        repo: &Repo,
        id: u64,
    ) -> Result<Vec<DeploymentStatus>> {
        self.get::<Vec<DeploymentStatus>>(format!(
            "/repos/{}/{}/deployments/{id}/statuses?per_page={STATUSES_PAGE}",
            repo.owner, repo.name
        ))
        .await
    }

    /// Run `id` (its latest attempt), without its pull requests: to know its workflow.
    pub(crate) async fn run_by_id(&self, repo: &Repo, id: u64) -> Result<Run> {
        self.get::<Run>(format!(
            "/repos/{}/{}/actions/runs/{id}?exclude_pull_requests=true",
            repo.owner, repo.name
        ))
        .await
    }

    /// One page of the repositories of an organization, or of a user when `org` is not one.
    pub(crate) async fn owner_repos(
        &self,
        owner: &str,
        page: u64,
        user: bool,
    ) -> Result<Vec<Repository>> {
        let kind = if user { "users" } else { "orgs" };
        self.get::<Vec<Repository>>(format!(
            "/{kind}/{}/repos?type=all&per_page={PER_PAGE}&page={page}",
            encode(owner)
        ))
        .await
    }

    /// One page of the repositories a GitHub App installation token sees.
    pub(crate) async fn installation_repos(&self, page: u64) -> Result<InstallationRepos> {
        self.get::<InstallationRepos>(format!(
            "/installation/repositories?per_page={PER_PAGE}&page={page}"
        ))
        .await
    }

    /// One page of a repository's runs (or one workflow's), newest first, filtered by `query`
    /// (`status=completed&created=...`, already encoded).
    pub(crate) async fn runs_page(
        &self,
        repo: &Repo,
        workflow: Option<u64>,
        query: &str,
        per_page: u64,
        page: u64,
    ) -> Result<RunsPage> {
        let list = match workflow {
            Some(id) => format!("workflows/{id}/runs"),
            None => "runs".to_owned(),
        };
        self.get::<RunsPage>(format!(
            "/repos/{}/{}/actions/{list}?{query}&per_page={per_page}&page={page}",
            repo.owner, repo.name
        ))
        .await
    }

    /// The first page of a repository's runs (or one workflow's) at `query`, asked with
    /// `If-None-Match: etag` when one is given: `None` when GitHub answers `304 Not Modified`
    /// (which costs nothing of the rate limit), and the page's `ETag`.
    pub(crate) async fn first_runs_page_if(
        &self,
        repo: &Repo,
        workflow: Option<u64>,
        query: &str,
        per_page: u64,
        etag: Option<&str>,
    ) -> Result<(Option<RunsPage>, Option<String>)> {
        let list = match workflow {
            Some(id) => format!("workflows/{id}/runs"),
            None => "runs".to_owned(),
        };
        let path = format!(
            "/repos/{}/{}/actions/{list}?{query}&per_page={per_page}&page=1",
            repo.owner, repo.name
        );
        Ok(match self.get_if::<RunsPage>(&path, etag).await? {
            (Fetched::Fresh(page), tag) => (Some(page), tag),
            (Fetched::NotModified, tag) => (None, tag),
        })
    }

    /// One page of the history of `from` (a branch or a commit), newest first, with parents.
    pub(crate) async fn commits_page(
        &self,
        repo: &Repo,
        from: &str,
        page: u64,
    ) -> Result<Vec<ListedCommit>> {
        self.get::<Vec<ListedCommit>>(format!(
            "/repos/{}/{}/commits?sha={}&per_page={PER_PAGE}&page={page}",
            repo.owner,
            repo.name,
            encode(from)
        ))
        .await
    }

    /// One page of every deployment of a repository, newest first.
    pub(crate) async fn repo_deployments(&self, repo: &Repo, page: u64) -> Result<Vec<Deployment>> {
        self.get::<Vec<Deployment>>(format!(
            "/repos/{}/{}/deployments?per_page={PER_PAGE}&page={page}",
            repo.owner, repo.name
        ))
        .await
    }

    /// GET `path` and parse the body as `T`, retried under the policy.
    async fn get<T: DeserializeOwned>(&self, path: String) -> Result<T> {
        match self.get_if::<T>(&path, None).await? {
            (Fetched::Fresh(value), _) => Ok(value),
            (Fetched::NotModified, _) => unreachable!("no ETag was sent"),
        }
    }

    /// GET `path`, with `If-None-Match: etag` when given, retried under the policy: the body as
    /// `T` and its `ETag`, or "not modified".
    async fn get_if<T: DeserializeOwned>(
        &self,
        path: &str,
        etag: Option<&str>,
    ) -> Result<(Fetched<T>, Option<String>)> {
        let attempt = |_, limit| self.get_once::<T>(path, etag, limit);
        let waiting = |e: &Error, n: u32, wait: Duration| {
            if let Some(log) = &self.on_retry {
                log(&self.policy.retry_line(e, n, wait));
            }
        };
        retry::run(&self.policy, &self.clock, attempt, waiting)
            .await
            .map_err(|f| self.gave_up(f))
    }

    /// One GET within `limit`: the body as `T` and its `ETag`, "not modified" (only when `etag`
    /// was sent), or the error and whether to try again.
    async fn get_once<T: DeserializeOwned>(
        &self,
        path: &str,
        etag: Option<&str>,
        limit: Duration,
    ) -> Result<(Fetched<T>, Option<String>), (Error, Verdict)> {
        let shared = &*self.shared;
        if let Some(pace) = &shared.pace {
            let wait = pace.wait();
            if !wait.is_zero() {
                // On purpose: the deadline does not count it.
                self.pause(wait).await;
            }
        }
        // Held until the whole answer is read; waiting for it is not part of the attempt's time
        // limit.
        let _permit = shared.in_flight.acquire().await.expect("never closed");
        shared.requests.fetch_add(1, Ordering::Relaxed);
        let again = Verdict::Retry { wait: None };
        let fetch = async {
            let condition = etag
                .and_then(|tag| http::HeaderValue::from_str(tag).ok())
                .map(|tag| http::HeaderMap::from_iter([(http::header::IF_NONE_MATCH, tag)]));
            let sent = match condition {
                Some(headers) => shared.octo._get_with_headers(path, Some(headers)).await,
                None => shared.octo._get(path).await,
            };
            let response = sent.map_err(|e| {
                let api = shared.api_url.clone();
                if let Some(u) = crate::http::Unreachable::of(&e) {
                    // Not worth the deadline: the URL is wrong, or the server is not there.
                    let why = u.describe(&api);
                    let e = Error::Unreachable {
                        api,
                        why,
                        wrong_url: true,
                    };
                    return (e, Verdict::Final);
                }
                let verdict = if crate::http::is_tls_error(&e) {
                    Verdict::Final
                } else {
                    again
                };
                let why = crate::http::chain(&e);
                (
                    Error::Unreachable {
                        api,
                        why,
                        wrong_url: false,
                    },
                    verdict,
                )
            })?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            if let Some(rate) = RateLimit::from_headers(&headers) {
                *shared.rate.lock().unwrap() = Some(rate);
                if let Some(pace) = &shared.pace {
                    pace.heard(rate);
                }
            }
            let tag = headers
                .get(http::header::ETAG)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            if status == 304 && etag.is_some() {
                shared.not_modified.fetch_add(1, Ordering::Relaxed);
                return Ok((Fetched::NotModified, tag));
            }
            // Parsed from the bytes received, not a copy: a page of 100 jobs is half a megabyte.
            // Read as it streams, up to the bound: a bigger answer is not read on (a retry would
            // get the same).
            let max = crate::http::GITHUB_ANSWER_MAX;
            let body_error = |body| Error::Body {
                path: path.to_owned(),
                body,
            };
            let too_big = || (body_error(Body::TooBig { max }), Verdict::Final);
            let declared = headers
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
            if declared.is_some_and(|n| n > max as u64) {
                return Err(too_big());
            }
            let body = match http_body_util::Limited::new(response.into_body(), max)
                .collect()
                .await
            {
                Ok(collected) => collected.to_bytes(),
                Err(e) if e.is::<http_body_util::LengthLimitError>() => return Err(too_big()),
                Err(e) => {
                    let why = crate::http::chain(&*e);
                    return Err((body_error(Body::BrokeOff(why)), again));
                }
            };
            if !(200..300).contains(&status) {
                let message = serde_json::from_slice::<ErrorBody>(&body)
                    .ok()
                    .and_then(|b| b.message)
                    .unwrap_or_else(|| crate::http::snippet(&String::from_utf8_lossy(&body), 200));
                let mut verdict = retry::github(status, &headers, &message, SystemTime::now());
                if shared.pace.is_some() && retry::rate_limit_reset_at(&headers).is_some() {
                    // The pace waits for the reset before the next attempt, outside the deadline.
                    verdict = Verdict::Retry {
                        wait: Some(Duration::ZERO),
                    };
                }
                let refusal = Refusal {
                    status,
                    message,
                    path: path.to_owned(),
                    limit_reset: retry::rate_limit_reset_at(&headers),
                };
                return Err((Error::Status(refusal), verdict));
            }
            // A body that is not whole JSON is most often a transfer cut short: worth a retry.
            // UTF-8 is checked once for the whole body (fast for ASCII), not string by string.
            let text = std::str::from_utf8(&body)
                .map_err(|e| (body_error(Body::NotText(e.to_string())), again))?;
            let value = serde_json::from_str(text).map_err(|e| {
                let why = e.to_string();
                (
                    Error::Json {
                        path: path.to_owned(),
                        why,
                    },
                    again,
                )
            })?;
            Ok((Fetched::Fresh(value), tag))
        };
        match tokio::time::timeout(limit, fetch).await {
            Ok(result) => result,
            Err(_) => Err((
                Error::Timeout {
                    path: path.to_owned(),
                    limit,
                },
                again,
            )),
        }
    }

    /// The error of a request that never succeeded: a final answer as it was, else what was
    /// tried and why it stopped.
    fn gave_up(&self, f: Failed<Error>) -> Error {
        let timeout = self.policy.timeout;
        match (f.stop, f.error) {
            (Stop::Final, e) => e,
            (Stop::Deadline { asked: Some(wait) }, Error::Status(refusal))
                if refusal.limit_reset.is_some() =>
            {
                Error::RateLimited {
                    until: refusal.reset_clock().unwrap_or_default(),
                    wait,
                    timeout,
                }
            }
            (Stop::Deadline { asked: Some(wait) }, Error::Status(refusal)) => Error::AskedToWait {
                api: self.shared.api_url.clone(),
                refusal: Box::new(refusal),
                wait,
                timeout,
            },
            (stop, last) => Error::GaveUp {
                last: Box::new(last),
                attempts: f.attempts,
                elapsed: f.elapsed,
                deadline: matches!(stop, Stop::Deadline { .. }).then_some(timeout),
            },
        }
    }
}

fn run_path(target: &RunRef) -> String {
    format!(
        "/repos/{}/{}/actions/runs/{}",
        target.repo.owner, target.repo.name, target.id
    )
}

/// What a GET asked with an `ETag` got.
enum Fetched<T> {
    Fresh(T),
    /// `304 Not Modified`: the last read still holds.
    NotModified,
}

/// The jobs of the pages, each once, in GitHub's order.
fn assemble(pages: impl IntoIterator<Item = JobsPage>) -> Vec<Job> {
    let mut seen = HashSet::new();
    pages
        .into_iter()
        .flat_map(|page| page.jobs)
        .filter(|j| j.id.is_none_or(|id| seen.insert(id)))
        .collect()
}

fn page_path(jobs_path: &str, page: u64) -> String {
    format!("{jobs_path}?per_page={PER_PAGE}&page={page}")
}

/// Percent-encodes a path of segments: each as [`encode`] does, the `/` between them kept.
pub(crate) fn encode_path(value: &str) -> String {
    value.split('/').map(encode).collect::<Vec<_>>().join("/")
}

/// Percent-encodes a path segment or query value (everything but RFC 3986's unreserved set; a
/// segment that is `.` or `..` in full too, so that a name from outside never climbs the path).
pub(crate) fn encode(value: &str) -> String {
    if value == "." || value == ".." {
        return value.replace('.', "%2E");
    }
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_past_the_bound_fails_and_is_not_read_on() {
        use sei_cicd_testkit::http::{Reply, Server};
        // 1 GiB streamed without a length, and 33 MiB with one.
        let chunk = vec![b' '; 64 * 1024];
        let server = Server::start_on(
            Arc::new(move |req| {
                if req.path().contains("declared") {
                    Reply::text(200, &" ".repeat(33 * 1024 * 1024))
                } else {
                    Reply::stream(200, &chunk, 16 * 1024)
                }
            }),
            Duration::ZERO,
            None,
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let repo = Repo::parse("acme/streamed").unwrap();
        let declared = Repo::parse("acme/declared").unwrap();
        let (streamed, told) = rt.block_on(async {
            let http = crate::http::client(&[], crate::http::Redirects::Follow).unwrap();
            let gh = GitHub::new(http, &server.url(), &Secret::default()).unwrap();
            (
                gh.workflows_page(&repo, 1).await.unwrap_err().to_string(),
                gh.workflows_page(&declared, 1)
                    .await
                    .unwrap_err()
                    .to_string(),
            )
        });
        for e in [&streamed, &told] {
            assert!(e.contains("is larger than 32 MiB"), "{e}");
        }
        drop(rt); // its connections closed
        let exchanges = server.exchanges();
        assert_eq!(
            exchanges.len(),
            2,
            "not retried: the same answer would come"
        );
        let sent = exchanges
            .iter()
            .find(|e| e.request.path().contains("streamed"))
            .unwrap()
            .sent;
        assert!(
            sent < 64 * 1024 * 1024,
            "the client stopped reading at the bound: {sent} bytes of 1 GiB were sent"
        );
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(encode("feature/a b&c"), "feature%2Fa%20b%26c");
        assert_eq!(
            encode("<2025-03-01T10:00:00Z"),
            "%3C2025-03-01T10%3A00%3A00Z"
        );
        assert_eq!(encode("ci.yml"), "ci.yml");
        assert_eq!(encode_path("api/v1 2"), "api/v1%202");
        // A workflow path or tag prefix from outside never climbs out of `/repos/o/r/...`.
        assert_eq!(encode_path("../../x"), "%2E%2E/%2E%2E/x");
        assert_eq!(encode(".."), "%2E%2E");
        assert_eq!(encode("a..b"), "a..b");
    }
}
