//! The recorded GitHub responses in `tests/fixtures/github/` (see SOURCES.md there), and
//! synthetic runs of any size built in their image.

use serde_json::{json, Value};
use std::path::PathBuf;

/// `tests/fixtures/github/`.
pub fn dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/github"))
}

/// A recorded file, parsed.
pub fn load(name: &str) -> Value {
    let path = dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The jobs of a recorded jobs file (a page object or a bare list).
pub fn jobs(name: &str) -> Vec<Value> {
    match load(name) {
        Value::Array(a) => a,
        v => v["jobs"].as_array().cloned().unwrap_or_default(),
    }
}

/// The repository of the recorded run most end-to-end tests report.
pub const OTEL_REPO: &str = "corentinmusard/otel-cicd-action";
/// Its run id: a `push` run of five jobs.
pub const OTEL_RUN: u64 = 12456168064;
/// The SEI build number of that run's attempt 1 (run number 67, `build-numbers: per-attempt`).
pub const OTEL_BUILD: u64 = 1_000_006_701;

/// That run, as `GET .../actions/runs/{id}` answered.
pub fn otel_run() -> Value {
    load("otel-cicd-action__self-run-12456168064.run.json")
}

/// Its five jobs.
pub fn otel_jobs() -> Vec<Value> {
    jobs("otel-cicd-action__self-run-12456168064.jobs.json")
}

/// The repository of a recorded `pull_request` run whose jobs list no steps.
pub const SKIP_DUP_REPO: &str = "step-security/skip-duplicate-actions";

/// That run, 16620109074 ("Build & Test" #379), as `GET .../actions/runs/{id}` answered.
pub fn skip_dup_run() -> Value {
    load("otel-cicd-action__skip-dup-run-16620109074.run.json")
}

/// Its five jobs, each with `steps: []`.
pub fn skip_dup_jobs() -> Vec<Value> {
    jobs("otel-cicd-action__skip-dup-run-16620109074.jobs.json")
}

/// The event of a workflow started `on: workflow_run` when that run completed: octokit's
/// recorded `workflow_run` `completed` payload, naming that run and its repository.
pub fn skip_dup_completed_event() -> Value {
    let mut event = load("octokit-webhooks__workflow_run.completed.json");
    event["workflow_run"] = skip_dup_run();
    event["repository"] = json!({"full_name": SKIP_DUP_REPO});
    event
}

/// A completed run of `jobs` jobs with `steps` steps each, shaped like the recorded ones;
/// job `i` fails when `fail(i)`.
pub fn synthetic(
    run_id: u64,
    jobs: usize,
    steps: usize,
    fail: impl Fn(usize) -> bool,
) -> (Value, Vec<Value>) {
    let repo = "acme/big-matrix";
    let run = json!({
        "id": run_id, "name": "Matrix", "path": ".github/workflows/matrix.yml",
        "head_branch": "main", "head_sha": "0123456789abcdef0123456789abcdef01234567",
        "run_number": 4242, "run_attempt": 1, "event": "push",
        "status": "completed",
        "conclusion": if (0..jobs).any(&fail) { "failure" } else { "success" },
        "html_url": format!("https://github.com/{repo}/actions/runs/{run_id}"),
        "created_at": "2025-03-01T10:00:00Z", "updated_at": "2025-03-01T11:00:00Z",
        "run_started_at": "2025-03-01T10:00:00Z",
        "actor": {"login": "octocat"}, "triggering_actor": {"login": "octocat"},
        "repository": {"full_name": repo}, "pull_requests": []
    });
    let jobs = (0..jobs)
        .map(|i| {
            let failed = fail(i);
            let steps: Vec<Value> = (0..steps)
                .map(|k| json!({
                    "name": format!("Step {k} of job {i}"), "status": "completed",
                    "conclusion": if failed && k + 1 == steps { "failure" } else { "success" },
                    "number": k + 1,
                    "started_at": format!("2025-03-01T10:{:02}:{:02}Z", (i / 60) % 60, k % 60),
                    "completed_at": format!("2025-03-01T10:{:02}:{:02}Z", (i / 60) % 60, (k + 1) % 60),
                }))
                .collect();
            json!({
                "id": 9_000_000_000u64 + i as u64, "run_id": run_id, "run_attempt": 1,
                "workflow_name": "Matrix", "head_branch": "main",
                "name": format!("test (shard {i})"), "status": "completed",
                "conclusion": if failed { "failure" } else { "success" },
                "created_at": "2025-03-01T10:00:00Z",
                "started_at": format!("2025-03-01T10:{:02}:00Z", (i / 60) % 60),
                "completed_at": format!("2025-03-01T10:{:02}:59Z", (i / 60) % 60),
                "html_url": format!("https://github.com/{repo}/actions/runs/{run_id}/job/{}", 9_000_000_000u64 + i as u64),
                "runner_name": format!("GitHub Actions {i}"), "labels": ["ubuntu-latest"],
                "steps": steps
            })
        })
        .collect();
    (run, jobs)
}

/// The recorded otel-cicd-action run 12456168064 as its own reporter saw it while it ran: the
/// run `in_progress`, and its last job `otel-cicd` (the one that exports the run) running its
/// "Export workflow" step on "GitHub Actions 17", with its post steps still queued. The other
/// four jobs are as recorded (finished).
pub fn otel_in_progress() -> (Value, Vec<Value>) {
    let mut run = otel_run();
    run["status"] = json!("in_progress");
    run["conclusion"] = Value::Null;
    let mut jobs = otel_jobs();
    let me = &mut jobs[4];
    me["status"] = json!("in_progress");
    me["conclusion"] = Value::Null;
    me["completed_at"] = Value::Null;
    for step in me["steps"].as_array_mut().unwrap() {
        match step["number"].as_u64() {
            Some(1 | 2) => {}
            Some(3) => {
                step["status"] = json!("in_progress");
                step["conclusion"] = Value::Null;
                step["completed_at"] = Value::Null;
            }
            _ => {
                step["status"] = json!("queued");
                step["conclusion"] = Value::Null;
                step["started_at"] = Value::Null;
                step["completed_at"] = Value::Null;
            }
        }
    }
    (run, jobs)
}

/// Id of the re-run `otel-cicd` job in [`otel_attempt_two`].
pub const RERUN_JOB_ID: u64 = 34_771_000_001;

/// Attempt 2 of the recorded run 12456168064, as "Re-run failed jobs" makes it: a maintainer
/// (`release-manager`) re-ran the `otel-cicd` job an hour later; the four other jobs are reused
/// from attempt 1 (`run_attempt: 1`, their times unchanged).
pub fn otel_attempt_two() -> (Value, Vec<Value>) {
    let mut run = otel_run();
    run["run_attempt"] = json!(2);
    run["run_started_at"] = json!("2024-12-22T18:20:00Z");
    run["updated_at"] = json!("2024-12-22T18:20:45Z");
    run["triggering_actor"] = json!({"login": "release-manager"});
    run["previous_attempt_url"] = json!(
        "https://api.github.com/repos/corentinmusard/otel-cicd-action/actions/runs/12456168064/attempts/1"
    );
    let mut jobs = otel_jobs();
    let rerun = &mut jobs[4];
    rerun["id"] = json!(RERUN_JOB_ID);
    rerun["run_attempt"] = json!(2);
    rerun["started_at"] = json!("2024-12-22T18:20:05Z");
    rerun["created_at"] = json!("2024-12-22T18:20:01Z");
    rerun["completed_at"] = json!("2024-12-22T18:20:40Z");
    rerun["html_url"] = json!(format!(
        "https://github.com/corentinmusard/otel-cicd-action/actions/runs/12456168064/job/{RERUN_JOB_ID}"
    ));
    for (k, step) in rerun["steps"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        step["started_at"] = json!(format!("2024-12-22T18:20:{:02}Z", 5 + 5 * k));
        step["completed_at"] = json!(format!("2024-12-22T18:20:{:02}Z", 9 + 5 * k));
    }
    (run, jobs)
}

/// `n` made-up commit SHAs (40 hex digits, all different), oldest first.
pub fn history(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("{:08x}{:032x}", i, (i as u128 + 1) * 0x9e37_79b9_7f4a_7c15))
        .collect()
}

/// The recorded run 12456168064 as if its `tests (windows-latest)` job had failed at `run tests`
/// (its later steps skipped, as GitHub does): the run fails; the other jobs are as recorded.
pub fn otel_failed() -> (Value, Vec<Value>) {
    let mut run = otel_run();
    run["conclusion"] = json!("failure");
    let mut jobs = otel_jobs();
    let windows = &mut jobs[2];
    assert_eq!(windows["name"], "tests (windows-latest)");
    windows["conclusion"] = json!("failure");
    for step in windows["steps"].as_array_mut().unwrap() {
        match step["number"].as_u64() {
            Some(5) => step["conclusion"] = json!("failure"),
            Some(6) => {
                step["conclusion"] = json!("skipped");
                step["completed_at"] = step["started_at"].clone();
            }
            _ => {}
        }
    }
    (run, jobs)
}

/// The recorded run 12456168064 as if publishing the release `v1.2.0` had started it (`on:
/// release`, the tag as its branch): a deployment, by the event alone.
pub fn otel_release() -> (Value, Vec<Value>) {
    let mut run = otel_run();
    run["event"] = json!("release");
    run["head_branch"] = json!("v1.2.0");
    run["display_title"] = json!("v1.2.0");
    (run, otel_jobs())
}

/// `2025-03-01T10:00:00Z` for an epoch second.
pub fn iso(epoch: i64) -> String {
    chrono::DateTime::from_timestamp(epoch, 0)
        .expect("a time GitHub could send")
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// 2025-03-01T00:00:00Z, where [`backlog`]s start by default.
pub const BACKLOG_START: i64 = 1_740_787_200;

/// One attempt of a run of a [`backlog`]: the run as GitHub shows that attempt, and its jobs.
pub type AttemptData = (Value, Vec<Value>);

/// How a [`backlog`] is made.
#[derive(Debug, Clone)]
pub struct Backlog {
    pub repo: String,
    pub runs: usize,
    /// Epoch seconds of the first run's creation.
    pub start: i64,
    /// Seconds between two runs' creations.
    pub every: i64,
    /// Jobs an attempt (3 steps each).
    pub jobs: usize,
    /// Every `n`th run is of workflow "Deploy" (`deploy.yml`, id 102); the others "CI"
    /// (`ci.yml`, id 101).
    pub deploy_every: usize,
    /// Every `n`th run is on a feature branch `feature-<k>`, `branch_runs` runs a branch.
    pub feature_every: usize,
    pub branch_runs: usize,
    /// Every `n`th run failed; every `n`th was re-run once (attempt 1 failed, attempt 2 passed).
    pub fail_every: usize,
    pub rerun_every: usize,
    /// Ids start here.
    pub first_id: u64,
}

impl Backlog {
    pub fn new(repo: &str, runs: usize) -> Backlog {
        Backlog {
            repo: repo.to_owned(),
            runs,
            start: BACKLOG_START,
            every: 600,
            jobs: 2,
            deploy_every: 5,
            feature_every: 7,
            branch_runs: 4,
            fail_every: 9,
            rerun_every: 11,
            first_id: 7_000_000_000,
        }
    }

    /// The id of run `i`.
    pub fn id(&self, i: usize) -> u64 {
        self.first_id + i as u64
    }

    /// Every attempt of every run, and the history (one commit a run, oldest first: run `i`
    /// builds commit `i`).
    pub fn build(&self) -> (Vec<AttemptData>, Vec<String>) {
        let history = history(self.runs);
        let mut out = Vec::new();
        let mut numbers: std::collections::HashMap<u64, u64> = Default::default();
        for (i, sha) in history.iter().enumerate() {
            let deploy = self.deploy_every > 0 && i % self.deploy_every == self.deploy_every - 1;
            let (wid, name, file) = if deploy {
                (102u64, "Deploy", "deploy.yml")
            } else {
                (101u64, "CI", "ci.yml")
            };
            let feature =
                self.feature_every > 0 && i % self.feature_every == 3 % self.feature_every;
            let branch = if feature {
                format!(
                    "feature-{}",
                    i / (self.feature_every * self.branch_runs.max(1))
                )
            } else {
                "main".to_owned()
            };
            let number = {
                let n = numbers.entry(wid).or_default();
                *n += 1;
                *n
            };
            let created = self.start + i as i64 * self.every;
            let failed = self.fail_every > 0 && i % self.fail_every == self.fail_every - 1;
            let rerun = self.rerun_every > 0 && i % self.rerun_every == self.rerun_every - 1;
            let attempts = if rerun { 2 } else { 1 };
            for attempt in 1..=attempts {
                let started = created + (attempt as i64 - 1) * 300;
                let conclusion = if (rerun && attempt == 1) || (failed && !rerun) {
                    "failure"
                } else {
                    "success"
                };
                let run = self.run_json(RunSpec {
                    i,
                    wid,
                    name,
                    file,
                    branch: &branch,
                    sha,
                    number,
                    attempt,
                    created,
                    started,
                    conclusion,
                    event: if feature { "pull_request" } else { "push" },
                });
                let jobs = self.jobs_json(i, attempt, started, conclusion);
                out.push((run, jobs));
            }
        }
        (out, history)
    }

    fn run_json(&self, s: RunSpec) -> Value {
        let id = self.id(s.i);
        let repo = &self.repo;
        json!({
            "id": id, "name": s.name, "display_title": format!("change {}", s.i),
            "path": format!(".github/workflows/{}", s.file), "workflow_id": s.wid,
            "head_branch": s.branch, "head_sha": s.sha,
            "run_number": s.number, "run_attempt": s.attempt, "event": s.event,
            "status": "completed", "conclusion": s.conclusion,
            "html_url": format!("https://github.com/{repo}/actions/runs/{id}"),
            "created_at": iso(s.created), "updated_at": iso(s.started + 240),
            "run_started_at": iso(s.started),
            "actor": {"login": "octocat"}, "triggering_actor": {"login": "octocat"},
            "repository": {"full_name": repo}, "head_repository": {"full_name": repo},
            "head_commit": {"id": s.sha, "message": format!("change {}", s.i)},
            "pull_requests": [],
            "previous_attempt_url": if s.attempt > 1 {
                json!(format!("https://api.github.com/repos/{repo}/actions/runs/{id}/attempts/{}", s.attempt - 1))
            } else { Value::Null },
        })
    }

    fn jobs_json(&self, i: usize, attempt: u64, started: i64, conclusion: &str) -> Vec<Value> {
        let id = self.id(i);
        (0..self.jobs)
            .map(|j| {
                let job_id = id * 100 + attempt * 10 + j as u64;
                let failed = conclusion == "failure" && j + 1 == self.jobs;
                let t0 = started + 10 + j as i64;
                let steps: Vec<Value> = (0..3)
                    .map(|k| json!({
                        "name": format!("Step {k}"), "status": "completed",
                        "conclusion": if failed && k == 2 { "failure" } else { "success" },
                        "number": k + 1,
                        "started_at": iso(t0 + 60 * k as i64),
                        "completed_at": iso(t0 + 60 * k as i64 + 50),
                    }))
                    .collect();
                json!({
                    "id": job_id, "run_id": id, "run_attempt": attempt,
                    "name": format!("job {j}"), "status": "completed",
                    "conclusion": if failed { "failure" } else { "success" },
                    "created_at": iso(started), "started_at": iso(t0),
                    "completed_at": iso(t0 + 200),
                    "html_url": format!("https://github.com/{}/actions/runs/{id}/job/{job_id}", self.repo),
                    "runner_name": format!("GitHub Actions {j}"), "labels": ["ubuntu-latest"],
                    "steps": steps
                })
            })
            .collect()
    }
}

struct RunSpec<'a> {
    i: usize,
    wid: u64,
    name: &'a str,
    file: &'a str,
    branch: &'a str,
    sha: &'a str,
    number: u64,
    attempt: u64,
    created: i64,
    started: i64,
    conclusion: &'a str,
    event: &'a str,
}
