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
