//! A loopback GitHub REST API that serves recorded runs: the run (and each attempt), its jobs in
//! pages with `total_count` and a `Link` header, GitHub's own 404 and 401 bodies, an optional
//! path prefix (`/api/v3`, as on Enterprise Server) and a fixed latency per request.
//!
//! Beside runs it serves what the reporter's optional look-ups read, built from the runs and
//! data a test gives it:
//! - `GET /repos/{o}/{r}/actions/workflows/{file or id}/runs` with `branch`, `event`, `status`,
//!   `created=<...`, `per_page` and `page`, newest first, from the registered runs (like GitHub,
//!   `branch` matches a run's `head_branch` whatever repository it came from);
//! - `GET /repos/{o}/{r}/contents/{path}?ref=`: a registered file at a commit, base64 in lines
//!   of 60 as GitHub sends it, 404 otherwise;
//! - `GET /repos/{o}/{r}/git/matching-refs/tags/{prefix}`: the registered tags whose name starts
//!   with the prefix, sorted by name, `[]` for none;
//! - `GET /repos/{o}/{r}/compare/{base}...{head}` paged, from a linear commit history;
//! - `GET /repos/{o}/{r}/actions/runs/{id}/artifacts` paged;
//! - `GET /repos/{o}/{r}/deployments` with `sha`, `environment`, `per_page` and `page`, newest
//!   first, and `.../deployments/{id}/statuses` newest first, paged; like GitHub, a successful
//!   deployment gets an `inactive` status (on top of its `success`) once a newer deployment to
//!   the same environment succeeds;
//! - `GET /repos/{o}/{r}/actions/workflows` paged: the workflows a test registers
//!   ([`GitHub::workflow`]) and one for every other `workflow_id` its runs name (their `name`
//!   and `path`), by id;
//! - 403 "Resource not accessible by integration" for paths a test forbids (a missing
//!   permission);
//! - for backfills: `GET /repos/{o}/{r}/actions/runs` (and a workflow's runs) with `status`,
//!   `created` (`a..b`, `>=a`, `<a`, ...), `branch` and `event`, newest first, paging through at
//!   most 1,000 results while `total_count` tells them all, as GitHub does;
//!   `GET /repos/{o}/{r}/actions/workflows` (from the runs' workflows); `GET /orgs/{org}/repos`,
//!   `GET /users/{user}/repos` and `GET /installation/repositories`; `GET /repos/{o}/{r}/commits
//!   ?sha=` (the history, newest first, with parents); every deployment of a repository;
//! - an optional primary rate limit ([`GitHub::rate_limit`]): every answer carries
//!   `x-ratelimit-*`, and once the budget is spent every request gets GitHub's 403 with
//!   `x-ratelimit-remaining: 0` until the reset, seconds ahead.
//!
//! Like GitHub, every 200 carries a weak `ETag` made of its body and the request's `Accept` and
//! `Authorization` headers (so an ETag one token got is no use to another: GitHub's own are
//! token-specific), and a request whose `If-None-Match` names the current one is answered
//! `304 Not Modified` with no body, which does not count against the rate limit.
//!
//! [`GitHub::start_live`] keeps a handle ([`Live`]) that changes what the server holds while it
//! runs (a run that completes, a re-run, a new workflow between two sweeps) and reads the
//! budget spent.

use crate::fixtures;
use crate::http::{Handler, Reply, Request, Server};
use crate::tls::Ca;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// One attempt of a recorded run: the run object and all its jobs.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub run: Value,
    pub jobs: Vec<Value>,
}

/// Builder for the emulator.
#[derive(Default, Clone)]
pub struct GitHub {
    /// (owner/repo, run id) → attempts by number.
    runs: HashMap<(String, u64), HashMap<u64, Attempt>>,
    /// owner/repo → commit SHAs, oldest first.
    history: HashMap<String, Vec<String>>,
    /// (owner/repo, path, commit) → the file's text.
    files: HashMap<(String, String, String), String>,
    /// owner/repo → tag name → the commit it points at.
    tags: HashMap<String, std::collections::BTreeMap<String, String>>,
    /// (owner/repo, run id) → artifacts.
    artifacts: HashMap<(String, u64), Vec<Value>>,
    /// owner/repo → (deployment, its statuses newest first).
    deployments: HashMap<String, Vec<(Value, Vec<Value>)>>,
    /// owner/repo → workflows registered by a test (deleted ones, same names...).
    workflows: HashMap<String, Vec<Value>>,
    /// Paths containing one of these answer 403.
    forbidden: Vec<String>,
    token: Option<String>,
    prefix: String,
    latency: Duration,
    default_per_page: usize,
    max_per_page: usize,
    /// Repositories beside those of the runs (for the organization's listing).
    repos: BTreeSet<String>,
    /// Owners listed at `/users/{owner}/repos` rather than `/orgs/`.
    users: BTreeSet<String>,
    rate: Option<Arc<Mutex<Rate>>>,
    /// A GitHub App (`crate::app`): its tokens are taken for every read.
    app: Option<crate::app::AppSide>,
    /// The App's and organization hooks' deliveries, and what was asked of them.
    hooks: crate::app::Hooks,
    /// (marker, text): every answer's body has the marker replaced by the text as it is.
    raw: Vec<(String, String)>,
}

/// A primary rate limit: `limit` requests a window of `window`.
#[derive(Debug, Clone)]
struct Rate {
    limit: u64,
    window: Duration,
    remaining: u64,
    reset: u64,
    /// Requests counted since the start, all windows together.
    spent: u64,
}

fn epoch_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

impl GitHub {
    pub fn new() -> Self {
        GitHub {
            default_per_page: 30,
            max_per_page: 100,
            ..Self::default()
        }
    }

    /// Serves `run` (its `run_attempt`, default 1) with `jobs` for `repo` (`owner/name`).
    pub fn run(mut self, repo: &str, run: Value, jobs: Vec<Value>) -> Self {
        let id = run["id"].as_u64().expect("run has an id");
        let attempt = run["run_attempt"].as_u64().unwrap_or(1);
        self.runs
            .entry((repo.to_owned(), id))
            .or_default()
            .insert(attempt, Attempt { run, jobs });
        self
    }

    /// Serves the recorded run most end-to-end tests report ([`fixtures::OTEL_RUN`]).
    pub fn otel_run(self) -> Self {
        self.run(
            fixtures::OTEL_REPO,
            fixtures::otel_run(),
            fixtures::otel_jobs(),
        )
    }

    /// The repository's commits, oldest first: what `compare` answers from.
    pub fn history(mut self, repo: &str, shas: Vec<String>) -> Self {
        self.history.insert(repo.to_owned(), shas);
        self
    }

    /// The file at `path` in `repo` as of commit `sha` (what the contents API reads).
    pub fn file(mut self, repo: &str, path: &str, sha: &str, text: &str) -> Self {
        self.files.insert(
            (repo.to_owned(), path.to_owned(), sha.to_owned()),
            text.to_owned(),
        );
        self
    }

    /// A tag of `repo` at commit `sha` (a lightweight tag, as `git/matching-refs` lists it).
    pub fn tag(mut self, repo: &str, name: &str, sha: &str) -> Self {
        self.tags
            .entry(repo.to_owned())
            .or_default()
            .insert(name.to_owned(), sha.to_owned());
        self
    }

    /// Artifacts uploaded by run `run_id`.
    pub fn artifacts(mut self, repo: &str, run_id: u64, artifacts: Vec<Value>) -> Self {
        self.artifacts.insert((repo.to_owned(), run_id), artifacts);
        self
    }

    /// Lists this workflow of `repo` (`{"id", "name", "path", "state"}`), beside those its runs
    /// name.
    pub fn workflow(mut self, repo: &str, workflow: Value) -> Self {
        self.workflows
            .entry(repo.to_owned())
            .or_default()
            .push(workflow);
        self
    }

    /// A deployment (with `id`, `sha`, `environment`, `created_at`) and its statuses, newest
    /// first (an `inactive` one is added when a newer deployment to its environment succeeds).
    pub fn deployment(mut self, repo: &str, deployment: Value, statuses: Vec<Value>) -> Self {
        self.deployments
            .entry(repo.to_owned())
            .or_default()
            .push((deployment, statuses));
        self
    }

    /// Requests whose path contains `fragment` get GitHub's 403 for a missing permission.
    pub fn forbid(mut self, fragment: &str) -> Self {
        self.forbidden.push(fragment.to_owned());
        self
    }

    /// Requires `Authorization: Bearer <token>` (or `token <token>`).
    pub fn token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    /// Serves under a path prefix, as Enterprise Server does (`/api/v3`).
    pub fn prefix(mut self, prefix: &str) -> Self {
        self.prefix = prefix.trim_end_matches('/').to_owned();
        self
    }

    /// Pages by at most `n` jobs, whatever `per_page` asks (to get several pages from a small run).
    pub fn max_per_page(mut self, n: usize) -> Self {
        self.max_per_page = n.max(1);
        self
    }

    /// Every attempt of a [`fixtures::Backlog`], and its history.
    pub fn backlog(mut self, b: &fixtures::Backlog) -> Self {
        let (attempts, history) = b.build();
        for (run, jobs) in attempts {
            self = self.run(&b.repo, run, jobs);
        }
        self.history(&b.repo, history)
    }

    /// A repository with no runs (listed in its organization's repositories).
    pub fn repo(mut self, repo: &str) -> Self {
        self.repos.insert(repo.to_owned());
        self
    }

    /// `owner` is a user: its repositories are at `/users/{owner}/repos` (`/orgs/` answers 404).
    pub fn user(mut self, owner: &str) -> Self {
        self.users.insert(owner.to_owned());
        self
    }

    /// A primary rate limit of `limit` requests per `window`: every answer says what is left;
    /// past it, 403 with `x-ratelimit-remaining: 0` until the window resets.
    pub fn rate_limit(mut self, limit: u64, window: Duration) -> Self {
        self.rate = Some(Arc::new(Mutex::new(Rate {
            limit,
            window,
            remaining: limit,
            reset: epoch_secs() + window.as_secs().max(1),
            spent: 0,
        })));
        self
    }

    /// A GitHub App with id `id`, whose JWTs are checked with the public half of the key in
    /// `key_pem`, installed as `installations`: each gets installation tokens, and every other
    /// request must carry one (or the [`GitHub::token`]).
    pub fn app(mut self, id: u64, key_pem: &std::path::Path, installations: &[u64]) -> Self {
        self.app = Some(crate::app::AppSide {
            id,
            public_key: crate::app::public_key(key_pem),
            installations: installations.to_vec(),
        });
        self
    }

    /// The App's webhook deliveries GitHub lists (see [`crate::app::listed_delivery`]).
    pub fn app_deliveries(self, list: Vec<Value>) -> Self {
        self.hooks.state().app = list;
        self
    }

    /// An organization webhook's deliveries.
    pub fn org_hook_deliveries(self, org: &str, hook: u64, list: Vec<Value>) -> Self {
        self.hooks.state().org.insert((org.to_owned(), hook), list);
        self
    }

    /// What the App and the hooks saw, shared with the running emulator.
    pub fn hooks(&self) -> crate::app::Hooks {
        self.hooks.clone()
    }

    /// Every answer's body has `marker` replaced by `json_text` as it is: to serve what a JSON
    /// value cannot hold (a lone surrogate escape, `\ud800`) inside an answer built from values.
    pub fn raw(mut self, marker: &str, json_text: &str) -> Self {
        self.raw.push((marker.to_owned(), json_text.to_owned()));
        self
    }

    /// Waits this long before every answer.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    pub fn start(self) -> Server {
        self.serve(None)
    }

    /// Serves HTTPS with a certificate signed by `ca`, as an Enterprise Server with a private
    /// CA does.
    pub fn start_tls(self, ca: &Ca) -> Server {
        self.serve(Some(ca))
    }

    fn serve(self, ca: Option<&Ca>) -> Server {
        self.start_shared(ca).0
    }

    /// Serves, and keeps a handle that changes what is served while it runs.
    pub fn start_live(self) -> (Server, Live) {
        self.start_shared(None)
    }

    fn start_shared(self, ca: Option<&Ca>) -> (Server, Live) {
        let latency = self.latency;
        let me = Arc::new(RwLock::new(self));
        let live = Live(me.clone());
        let handler: Handler = Arc::new(move |req: &Request| {
            let g = me.read().unwrap();
            g.raw_text(g.limited(req))
        });
        (Server::start_on(handler, latency, ca), live)
    }

    /// `reply` with the markers of [`GitHub::raw`] replaced.
    fn raw_text(&self, mut reply: Reply) -> Reply {
        if let Reply::Respond { body, .. } = &mut reply {
            for (marker, text) in &self.raw {
                let replaced = String::from_utf8_lossy(body).replace(marker.as_str(), text);
                *body = replaced.into_bytes();
            }
        }
        reply
    }

    /// The answer, under the rate limit when there is one.
    fn limited(&self, req: &Request) -> Reply {
        let Some(rate) = &self.rate else {
            return conditional(req, self.answer(req));
        };
        {
            let mut r = rate.lock().unwrap();
            let now = epoch_secs();
            if now >= r.reset {
                r.remaining = r.limit;
                r.reset = now + r.window.as_secs().max(1);
            }
            if r.remaining == 0 {
                return primary_rate_limit(r.reset);
            }
        }
        let reply = conditional(req, self.answer(req));
        // A `304 Not Modified` is free: GitHub does not count it against the primary limit.
        let (limit, remaining, reset) = {
            let mut r = rate.lock().unwrap();
            if reply.status() != Some(304) {
                r.remaining = r.remaining.saturating_sub(1);
                r.spent += 1;
            }
            (r.limit, r.remaining, r.reset)
        };
        reply
            .header("x-ratelimit-limit", &limit.to_string())
            .header("x-ratelimit-remaining", &remaining.to_string())
            .header("x-ratelimit-used", &(limit - remaining).to_string())
            .header("x-ratelimit-reset", &reset.to_string())
    }

    /// Whether the request carries the token, or one the App made.
    fn token_ok(&self, req: &Request) -> bool {
        let auth = req.header("authorization").unwrap_or("");
        let fixed = self
            .token
            .as_ref()
            .is_some_and(|t| auth == format!("Bearer {t}") || auth == format!("token {t}"));
        fixed || self.hooks.issued(auth)
    }

    fn answer(&self, req: &Request) -> Reply {
        if let Some(path) = req.path().strip_prefix(self.prefix.as_str()) {
            let token_ok = |r: &Request| self.token_ok(r);
            if let Some(reply) =
                crate::app::answer(self.app.as_ref(), &self.hooks, token_ok, req, path)
            {
                return reply;
            }
        }
        if (self.token.is_some() || self.app.is_some()) && !self.token_ok(req) {
            return Reply::json(
                401,
                &json!({"message": "Bad credentials",
                        "documentation_url": "https://docs.github.com/rest",
                        "status": "401"}),
            );
        }
        let Some(path) = req.path().strip_prefix(self.prefix.as_str()) else {
            return not_found();
        };
        if self.forbidden.iter().any(|f| path.contains(f.as_str())) {
            return Reply::json(
                403,
                &json!({"message": "Resource not accessible by integration",
                        "documentation_url": "https://docs.github.com/rest",
                        "status": "403"}),
            );
        }
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        match parts.as_slice() {
            ["orgs", owner, "repos"] => return self.owner_repos(req, owner, false),
            ["users", owner, "repos"] => return self.owner_repos(req, owner, true),
            ["installation", "repositories"] => return self.installation_repos(req),
            _ => {}
        }
        let ["repos", owner, repo, rest @ ..] = parts.as_slice() else {
            return not_found();
        };
        let repo = format!("{owner}/{repo}");
        match rest {
            ["actions", "runs", id, "artifacts"] => self.artifacts_page(req, &repo, id),
            ["actions", "runs", id, tail @ ..] => self.run_or_jobs(req, &repo, id, tail),
            ["actions", "runs"] => self.list_runs(req, &repo, None),
            ["actions", "workflows"] => self.workflows_of(req, &repo),
            ["actions", "workflows", workflow, "runs"] => {
                self.list_runs(req, &repo, Some(&decode(workflow)))
            }
            ["commits"] => self.commits(req, &repo),
            ["compare", range] => self.compare(req, &repo, range),
            ["git", "matching-refs", rest @ ..] => self.matching_refs(&repo, rest),
            ["contents", rest @ ..] => self.contents(req, &repo, rest),
            ["deployments"] => self.deployments_of(req, &repo),
            ["deployments", id, "statuses"] => self.statuses(req, &repo, id),
            _ => not_found(),
        }
    }

    fn run_or_jobs(&self, req: &Request, repo: &str, id: &str, rest: &[&str]) -> Reply {
        let Ok(id) = id.parse::<u64>() else {
            return not_found();
        };
        let Some(attempts) = self.runs.get(&(repo.to_owned(), id)) else {
            return not_found();
        };
        let latest = *attempts.keys().max().unwrap();
        let (attempt, jobs) = match rest {
            [] => (latest, false),
            ["jobs"] => (latest, true),
            ["attempts", n] => (n.parse().unwrap_or(0), false),
            ["attempts", n, "jobs"] => (n.parse().unwrap_or(0), true),
            _ => return not_found(),
        };
        let Some(a) = attempts.get(&attempt) else {
            return not_found();
        };
        if !jobs {
            return Reply::json(200, &a.run);
        }
        self.paged(
            req,
            &a.jobs,
            self.max_per_page,
            |slice, total| json!({"total_count": total, "jobs": slice}),
        )
    }

    /// One page of `items`, with `total_count` and a `Link` header, as GitHub pages lists.
    fn paged(
        &self,
        req: &Request,
        items: &[Value],
        max_per_page: usize,
        body: impl Fn(Vec<Value>, usize) -> Value,
    ) -> Reply {
        let per_page = req
            .query("per_page")
            .and_then(|v| v.parse().ok())
            .unwrap_or(self.default_per_page)
            .clamp(1, max_per_page);
        let page = req
            .query("page")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1usize)
            .max(1);
        let slice: Vec<Value> = items
            .iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .cloned()
            .collect();
        let last = items.len().div_ceil(per_page).max(1);
        let link = |p: usize| {
            format!(
                "<http://{}{}?per_page={per_page}&page={p}>",
                req.header("host").unwrap_or("localhost"),
                req.path()
            )
        };
        let mut links = Vec::new();
        if page < last {
            links.push(format!("{}; rel=\"next\"", link(page + 1)));
            links.push(format!("{}; rel=\"last\"", link(last)));
        }
        let reply = Reply::json(200, &body(slice, items.len()));
        if links.is_empty() {
            reply
        } else {
            reply.header("Link", &links.join(", "))
        }
    }

    /// The workflows of `repo`, by id: those registered, then one per `workflow_id` its runs
    /// name.
    fn workflows_of(&self, req: &Request, repo: &str) -> Reply {
        let mut list: Vec<Value> = self.workflows.get(repo).cloned().unwrap_or_default();
        for run in self.latest_runs(repo) {
            let Some(id) = run["workflow_id"].as_u64() else {
                continue;
            };
            if list.iter().any(|w| w["id"].as_u64() == Some(id)) {
                continue;
            }
            let path = run["path"]
                .as_str()
                .unwrap_or("")
                .split('@')
                .next()
                .unwrap_or("");
            list.push(json!({"id": id, "name": run["name"], "path": path, "state": "active"}));
        }
        list.sort_by_key(|w| w["id"].as_u64());
        self.paged(
            req,
            &list,
            self.max_per_page,
            |slice, total| json!({"total_count": total, "workflows": slice}),
        )
    }

    /// The latest attempt of every run of `repo`.
    fn latest_runs(&self, repo: &str) -> Vec<&Value> {
        self.runs
            .iter()
            .filter(|((r, _), _)| r == repo)
            .filter_map(|(_, attempts)| attempts.iter().max_by_key(|(n, _)| **n))
            .map(|(_, a)| &a.run)
            .collect()
    }

    /// Every repository: those of the runs and those added with [`GitHub::repo`].
    fn all_repos(&self) -> BTreeSet<String> {
        let mut all = self.repos.clone();
        all.extend(self.runs.keys().map(|(r, _)| r.clone()));
        all
    }

    fn repo_json(full_name: &str) -> Value {
        let (owner, name) = full_name.split_once('/').unwrap_or(("", full_name));
        json!({"id": 1, "name": name, "full_name": full_name, "private": false,
               "owner": {"login": owner}, "archived": false, "default_branch": "main"})
    }

    fn owner_repos(&self, req: &Request, owner: &str, user: bool) -> Reply {
        if self.users.contains(owner) != user {
            return not_found();
        }
        let list: Vec<Value> = self
            .all_repos()
            .iter()
            .filter(|r| r.split('/').next() == Some(owner))
            .map(|r| Self::repo_json(r))
            .collect();
        if list.is_empty() {
            return not_found();
        }
        self.paged(req, &list, 100, |slice, _| Value::Array(slice))
    }

    fn installation_repos(&self, req: &Request) -> Reply {
        let list: Vec<Value> = self
            .all_repos()
            .iter()
            .map(|r| Self::repo_json(r))
            .collect();
        self.paged(
            req,
            &list,
            100,
            |slice, total| json!({"total_count": total, "repositories": slice}),
        )
    }

    /// A repository's runs, or one workflow's (by file name or id), newest first, filtered like
    /// GitHub's list: `status` (a status or a conclusion), `created` (`a..b`, `>=a`, `>a`,
    /// `<=a`, `<a`, a day), `branch`, `event`. Pages past the first 1,000 results are empty.
    fn list_runs(&self, req: &Request, repo: &str, workflow: Option<&str>) -> Reply {
        let branch = req.query("branch").map(decode);
        let event = req.query("event").map(decode);
        let status = req.query("status").map(decode);
        let created = req.query("created").map(decode);
        let mut runs: Vec<Value> = self
            .latest_runs(repo)
            .into_iter()
            .filter(|r| {
                let Some(workflow) = workflow else {
                    return true;
                };
                let file = r["path"]
                    .as_str()
                    .and_then(|p| p.split('@').next())
                    .and_then(|p| p.rsplit('/').next());
                file == Some(workflow)
                    || r["workflow_id"].as_u64().map(|i| i.to_string()).as_deref() == Some(workflow)
            })
            .filter(|r| branch.is_none() || r["head_branch"].as_str() == branch.as_deref())
            .filter(|r| event.is_none() || r["event"].as_str() == event.as_deref())
            .filter(|r| match status.as_deref() {
                None => true,
                Some(
                    s @ ("completed" | "queued" | "in_progress" | "waiting" | "requested"
                    | "pending"),
                ) => r["status"].as_str() == Some(s),
                Some(c) => r["conclusion"].as_str() == Some(c),
            })
            .filter(|r| match (&created, r["created_at"].as_str()) {
                (Some(range), Some(at)) => in_range(range, at),
                _ => true,
            })
            .cloned()
            .collect();
        runs.sort_by(|a, b| {
            (b["created_at"].as_str(), b["id"].as_u64())
                .cmp(&(a["created_at"].as_str(), a["id"].as_u64()))
        });
        let total = runs.len();
        runs.truncate(1000);
        self.paged(
            req,
            &runs,
            100,
            |slice, _| json!({"total_count": total, "workflow_runs": slice}),
        )
    }

    fn contents(&self, req: &Request, repo: &str, rest: &[&str]) -> Reply {
        let path = rest.iter().map(|p| decode(p)).collect::<Vec<_>>().join("/");
        let Some(at) = req.query("ref").map(decode) else {
            return not_found();
        };
        let Some(text) = self.files.get(&(repo.to_owned(), path.clone(), at)) else {
            return not_found();
        };
        let encoded = base64(text.as_bytes());
        let lines: Vec<&str> = encoded
            .as_bytes()
            .chunks(60)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let name = path.rsplit('/').next().unwrap_or(&path).to_owned();
        Reply::json(
            200,
            &json!({"type": "file", "encoding": "base64", "size": text.len(),
                    "name": name, "path": path, "sha": "3d21ec53a331a6f037a91c368710b99387d012c1",
                    "content": format!("{}\n", lines.join("\n"))}),
        )
    }

    fn matching_refs(&self, repo: &str, rest: &[&str]) -> Reply {
        let wanted = format!(
            "refs/{}",
            rest.iter().map(|p| decode(p)).collect::<Vec<_>>().join("/")
        );
        let api = format!("https://api.github.com/repos/{repo}/git");
        let refs: Vec<Value> = self
            .tags
            .get(repo)
            .into_iter()
            .flatten()
            .map(|(name, sha)| (format!("refs/tags/{name}"), sha))
            .filter(|(r, _)| r.starts_with(&wanted))
            .map(|(r, sha)| {
                json!({"ref": r, "node_id": "REF_kwDOtest", "url": format!("{api}/{r}"),
                       "object": {"sha": sha, "type": "commit",
                                  "url": format!("{api}/commits/{sha}")}})
            })
            .collect();
        Reply::json(200, &Value::Array(refs))
    }

    /// `GET .../commits?sha=`: the history up to that commit (`main`: the newest; any other
    /// branch name: 404, a branch deleted after its pull request merged), newest first, each
    /// with its parent.
    fn commits(&self, req: &Request, repo: &str) -> Reply {
        let history = self.history.get(repo).map(Vec::as_slice).unwrap_or(&[]);
        let from = req.query("sha").map(decode);
        let tip = match from.as_deref() {
            None => history.len().checked_sub(1),
            Some(s) => history
                .iter()
                .position(|c| c == s)
                // The default branch's tip; any other branch was deleted after its merge.
                .or_else(|| {
                    (s == "main")
                        .then(|| history.len().checked_sub(1))
                        .flatten()
                }),
        };
        let Some(tip) = tip else {
            return Reply::json(
                404,
                &json!({"message": "No commit found for SHA: x",
                        "documentation_url": "https://docs.github.com/rest/commits/commits#list-commits",
                        "status": "404"}),
            );
        };
        let list: Vec<Value> = (0..=tip)
            .rev()
            .map(|i| {
                let parents: Vec<Value> = if i > 0 {
                    vec![json!({"sha": history[i - 1]})]
                } else {
                    vec![]
                };
                json!({"sha": history[i], "commit": {"message": format!("commit {}", history[i])},
                       "parents": parents})
            })
            .collect();
        self.paged(req, &list, 100, |slice, _| Value::Array(slice))
    }

    fn compare(&self, req: &Request, repo: &str, range: &str) -> Reply {
        let range = decode(range);
        let Some((base, head)) = range.split_once("...") else {
            return not_found();
        };
        let history = self.history.get(repo).map(Vec::as_slice).unwrap_or(&[]);
        let at = |sha: &str| history.iter().position(|s| s == sha);
        let (Some(b), Some(h)) = (at(base), at(head)) else {
            return not_found();
        };
        let commits: Vec<Value> = if h > b {
            history[b + 1..=h]
                .iter()
                .map(|sha| json!({"sha": sha, "commit": {"message": format!("commit {sha}")}}))
                .collect()
        } else {
            Vec::new()
        };
        let status = match h.cmp(&b) {
            std::cmp::Ordering::Greater => "ahead",
            std::cmp::Ordering::Equal => "identical",
            std::cmp::Ordering::Less => "behind",
        };
        let ahead = h.saturating_sub(b);
        let behind = b.saturating_sub(h);
        self.paged(req, &commits, 100, |slice, total| {
            json!({"status": status, "ahead_by": ahead, "behind_by": behind,
                   "total_commits": total, "commits": slice, "files": []})
        })
    }

    fn artifacts_page(&self, req: &Request, repo: &str, id: &str) -> Reply {
        let Ok(id) = id.parse::<u64>() else {
            return not_found();
        };
        if !self.runs.contains_key(&(repo.to_owned(), id)) {
            return not_found();
        }
        let items = self
            .artifacts
            .get(&(repo.to_owned(), id))
            .cloned()
            .unwrap_or_default();
        self.paged(
            req,
            &items,
            100,
            |slice, total| json!({"total_count": total, "artifacts": slice}),
        )
    }

    fn deployments_of(&self, req: &Request, repo: &str) -> Reply {
        let sha = req.query("sha").map(decode);
        let environment = req.query("environment").map(decode);
        let mut list: Vec<Value> = self
            .deployments
            .get(repo)
            .into_iter()
            .flatten()
            .map(|(d, _)| d.clone())
            .filter(|d| sha.is_none() || d["sha"].as_str() == sha.as_deref())
            .filter(|d| {
                environment.is_none() || d["environment"].as_str() == environment.as_deref()
            })
            .collect();
        list.sort_by(|a, b| {
            (b["created_at"].as_str(), b["id"].as_u64())
                .cmp(&(a["created_at"].as_str(), a["id"].as_u64()))
        });
        self.paged(req, &list, 100, |slice, _| Value::Array(slice))
    }

    /// A deployment's statuses, newest first; `inactive` on top of a `success` that a newer
    /// successful deployment to the same environment superseded, as GitHub marks it.
    fn statuses(&self, req: &Request, repo: &str, id: &str) -> Reply {
        let id = id.parse::<u64>().ok();
        let all = self.deployments.get(repo).map(Vec::as_slice).unwrap_or(&[]);
        let Some((d, statuses)) = all.iter().find(|(d, _)| d["id"].as_u64() == id) else {
            return not_found();
        };
        let succeeded = |s: &[Value]| s.iter().any(|s| s["state"] == "success");
        let superseded = succeeded(statuses)
            && all.iter().any(|(other, theirs)| {
                other["environment"] == d["environment"]
                    && (other["created_at"].as_str(), other["id"].as_u64())
                        > (d["created_at"].as_str(), d["id"].as_u64())
                    && succeeded(theirs)
            });
        let mut list = statuses.clone();
        if superseded && list.first().is_some_and(|s| s["state"] != "inactive") {
            list.insert(
                0,
                json!({"state": "inactive", "description": "", "environment": d["environment"],
                       "log_url": "", "target_url": "", "environment_url": ""}),
            );
        }
        self.paged(req, &list, 100, |slice, _| Value::Array(slice))
    }
}

/// A handle on a running emulator ([`GitHub::start_live`]).
#[derive(Clone)]
pub struct Live(Arc<RwLock<GitHub>>);

impl Live {
    /// Changes what the server holds, between two requests: `f` gets the builder as it is and
    /// returns the new one (`|g| g.run(repo, completed, jobs)` completes a run, or re-runs it).
    pub fn update(&self, f: impl FnOnce(GitHub) -> GitHub) {
        let mut me = self.0.write().unwrap();
        let now = std::mem::take(&mut *me);
        *me = f(now);
    }

    /// Requests counted against the rate limit since the start (`304`s are not), when there is
    /// one.
    pub fn spent(&self) -> Option<u64> {
        let me = self.0.read().unwrap();
        me.rate.as_ref().map(|r| r.lock().unwrap().spent)
    }
}

/// Standard base64 with padding, as the contents API encodes files.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Whether `at` (ISO-8601 UTC, which compares as text) is in a `created` filter: `a..b` (either
/// side `*`), `>=a`, `>a`, `<=a`, `<a`, or a day or moment alone. A day as an upper bound covers
/// the whole day.
pub fn in_range(filter: &str, at: &str) -> bool {
    let upper = |b: &str| {
        if b.len() == 10 {
            format!("{b}T23:59:59Z")
        } else {
            b.to_owned()
        }
    };
    if let Some((a, b)) = filter.split_once("..") {
        return (a == "*" || at >= a) && (b == "*" || at <= upper(b).as_str());
    }
    if let Some(a) = filter.strip_prefix(">=") {
        return at >= a;
    }
    if let Some(a) = filter.strip_prefix('>') {
        return at > upper(a).as_str();
    }
    if let Some(b) = filter.strip_prefix("<=") {
        return at <= upper(b).as_str();
    }
    if let Some(b) = filter.strip_prefix('<') {
        return at < b;
    }
    at.starts_with(filter)
}

/// Percent-decoding of a path segment or query value.
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A secondary rate limit, as GitHub sends it: 403 with `retry-after` (seconds).
pub fn secondary_rate_limit(retry_after: &str) -> Reply {
    Reply::json(
        403,
        &json!({"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
                "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}),
    )
    .header("retry-after", retry_after)
}

/// The primary rate limit used up until `reset` (epoch seconds).
pub fn primary_rate_limit(reset: u64) -> Reply {
    Reply::json(
        403,
        &json!({"message": "API rate limit exceeded for installation ID 1.",
                "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}),
    )
    .header("x-ratelimit-limit", "5000")
    .header("x-ratelimit-remaining", "0")
    .header("x-ratelimit-used", "5000")
    .header("x-ratelimit-reset", &reset.to_string())
}

/// A 200 whose JSON body stops halfway (`Content-Length` matches what is sent).
pub fn truncated_json(full: &Value) -> Reply {
    let text = full.to_string();
    let half = &text[..text.len() / 2];
    Reply::Respond {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: half.as_bytes().to_vec(),
        delay: Duration::ZERO,
    }
}

/// GitHub's conditional requests: a 200 gets a weak `ETag`, a hash of the request's `Accept`
/// and `Authorization` headers and the body, as GitHub's are (another token gets another ETag
/// for the same answer); a request that names the current one in `If-None-Match` gets `304 Not
/// Modified` instead.
fn conditional(req: &Request, reply: Reply) -> Reply {
    use std::hash::{Hash, Hasher};
    let Reply::Respond {
        status: 200, body, ..
    } = &reply
    else {
        return reply;
    };
    let mut h = std::collections::hash_map::DefaultHasher::new();
    req.header("accept").unwrap_or("").hash(&mut h);
    req.header("authorization").unwrap_or("").hash(&mut h);
    body.hash(&mut h);
    let etag = format!("W/\"{:016x}\"", h.finish());
    if req.header("if-none-match") == Some(etag.as_str()) {
        return Reply::Respond {
            status: 304,
            headers: vec![("ETag".into(), etag)],
            body: Vec::new(),
            delay: Duration::ZERO,
        };
    }
    reply.header("ETag", &etag)
}

/// GitHub's 404 body, as recorded (`otel-cicd-action__run-111.404-not-found.json`).
fn not_found() -> Reply {
    Reply::json(
        404,
        &json!({"message": "Not Found",
                "documentation_url": "https://docs.github.com/rest/actions/workflow-runs#get-a-workflow-run",
                "status": "404"}),
    )
}
