//! A loopback GitHub REST API that serves recorded runs: the run (and each attempt), its jobs in
//! pages with `total_count` and a `Link` header, GitHub's own 404 and 401 bodies, an optional
//! path prefix (`/api/v3`, as on Enterprise Server) and a fixed latency per request.

use crate::http::{Handler, Reply, Request, Server};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

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
    token: Option<String>,
    prefix: String,
    latency: Duration,
    default_per_page: usize,
    max_per_page: usize,
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

    /// Waits this long before every answer.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    pub fn start(self) -> Server {
        let latency = self.latency;
        let me = Arc::new(self);
        let handler: Handler = Arc::new(move |req: &Request| me.answer(req));
        Server::start_with(handler, latency)
    }

    fn answer(&self, req: &Request) -> Reply {
        if let Some(token) = &self.token {
            let ok = req
                .header("authorization")
                .is_some_and(|h| h == format!("Bearer {token}") || h == format!("token {token}"));
            if !ok {
                return Reply::json(
                    401,
                    &json!({"message": "Bad credentials",
                            "documentation_url": "https://docs.github.com/rest",
                            "status": "401"}),
                );
            }
        }
        let Some(path) = req.path().strip_prefix(self.prefix.as_str()) else {
            return not_found();
        };
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        // repos/{o}/{r}/actions/runs/{id}[/attempts/{n}][/jobs]
        let ["repos", owner, repo, "actions", "runs", id, rest @ ..] = parts.as_slice() else {
            return not_found();
        };
        let Ok(id) = id.parse::<u64>() else {
            return not_found();
        };
        let Some(attempts) = self.runs.get(&(format!("{owner}/{repo}"), id)) else {
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
        let per_page = req
            .query("per_page")
            .and_then(|v| v.parse().ok())
            .unwrap_or(self.default_per_page)
            .clamp(1, self.max_per_page);
        let page = req
            .query("page")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1usize)
            .max(1);
        let slice: Vec<Value> = a
            .jobs
            .iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .cloned()
            .collect();
        let last = a.jobs.len().div_ceil(per_page).max(1);
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
        let reply = Reply::json(200, &json!({"total_count": a.jobs.len(), "jobs": slice}));
        if links.is_empty() {
            reply
        } else {
            reply.header("Link", &links.join(", "))
        }
    }
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
