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
