//! The sweep (`backfill` on a schedule with a state), the real binary against one GitHub
//! emulator that changes between sweeps as GitHub does: a second sweep over repositories where
//! nothing happened is answered `304 Not Modified` everywhere and costs nothing of the rate
//! limit; a run that completed late, a re-run and a run of a new workflow are all found by the
//! next sweep, and nothing is reported twice. ETags are GitHub's, per token: another token
//! pays for its listings again, and still reports nothing twice.

use sei_cicd_testkit::fixtures::{self, Backlog};
use sei_cicd_testkit::github::{GitHub, Live};
use sei_cicd_testkit::http::Server;
use sei_cicd_testkit::sei::{api_key, Sei, SeiServer};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_sei-cicd");
const GH_TOKEN: &str = "ghs_sweepInstallationToken000000000000";
const GUID: &str = "89d2491c-764a-4f77-93d9-18e8e372b795";
const BUSY: &str = "acme/api";
const QUIET: [&str; 4] = ["acme/docs", "acme/infra", "acme/web", "acme/tools"];

fn sei_key() -> String {
    api_key("sweep")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// One sweep of every repository over March 2025, with the state, as `token`.
fn sweep(github: &Server, sei: &SeiServer, state: &Path, token: &str) -> Output {
    let mut c = Command::new(BIN);
    c.arg("backfill");
    for r in std::iter::once(BUSY).chain(QUIET) {
        c.args(["--repository", r]);
    }
    c.args(["--since", "2025-03-01", "--until", "2025-03-31"])
        .args(["--state", &state.display().to_string(), "--commits", "head"])
        .args(["--sei-url", &sei.url(), "--instance-guid", GUID])
        .env_clear()
        .env("GITHUB_API_URL", github.url())
        .env("GITHUB_TOKEN", token)
        .env("SEI_TOKEN", sei_key())
        .stdin(Stdio::null());
    c.output().unwrap()
}

/// The execution ids SEI received, every report counted.
fn received(sei: &SeiServer) -> Vec<String> {
    sei.received()
        .into_iter()
        .filter(|r| r.status == 202)
        .map(|r| {
            r.payload.unwrap()["execution_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// A run of `repo` in March 2025 (its jobs from the backlog's shape).
fn run(repo: &str, id: u64, number: u64, workflow: (u64, &str, &str), status: &str) -> Value {
    let (wid, name, file) = workflow;
    let created = fixtures::BACKLOG_START + 20 * 86_400;
    let completed = status == "completed";
    json!({
        "id": id, "name": name, "path": format!(".github/workflows/{file}"), "workflow_id": wid,
        "head_branch": "main", "head_sha": "a".repeat(40), "run_number": number, "run_attempt": 1,
        "event": "push", "status": status,
        "conclusion": if completed { json!("success") } else { Value::Null },
        "html_url": format!("https://github.com/{repo}/actions/runs/{id}"),
        "created_at": fixtures::iso(created), "updated_at": fixtures::iso(created + 300),
        "run_started_at": fixtures::iso(created),
        "actor": {"login": "octocat"}, "triggering_actor": {"login": "octocat"},
        "repository": {"full_name": repo}, "head_repository": {"full_name": repo},
        "pull_requests": [],
    })
}

fn job(run: &Value) -> Vec<Value> {
    let id = run["id"].as_u64().unwrap();
    let attempt = run["run_attempt"].as_u64().unwrap();
    vec![json!({
        "id": id * 10 + attempt, "run_id": id, "run_attempt": attempt, "name": "build",
        "status": run["status"], "conclusion": run["conclusion"],
        "created_at": run["run_started_at"], "started_at": run["run_started_at"],
        "completed_at": if run["status"] == "completed" { run["updated_at"].clone() } else { Value::Null },
        "steps": []
    })]
}

const LATE: u64 = 9_000_000_001;
const RERUN: u64 = 7_000_000_003;
const NEW: u64 = 9_000_000_002;

fn github() -> (Server, Live) {
    let mut g = GitHub::new()
        .token(GH_TOKEN)
        .rate_limit(5_000, Duration::from_secs(3600))
        .backlog(&Backlog {
            rerun_every: 0,
            ..Backlog::new(BUSY, 6)
        });
    for (i, repo) in QUIET.iter().enumerate() {
        g = g.backlog(&Backlog {
            rerun_every: 0,
            first_id: 8_000_000_000 + i as u64 * 1000,
            ..Backlog::new(repo, 3)
        });
    }
    // A run still in progress at the first sweep.
    let late = run(BUSY, LATE, 50, (101, "CI", "ci.yml"), "in_progress");
    let jobs = job(&late);
    g.run(BUSY, late, jobs).start_live()
}

fn spent(live: &Live) -> u64 {
    live.spent().unwrap()
}

#[test]
fn quiet_repositories_cost_nothing_and_late_re_run_and_new_runs_are_all_found() {
    let (github, live) = github();
    let sei = Sei::new().key(&sei_key()).instance(GUID).start();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sweep.state");

    let out = sweep(&github, &sei, &state, GH_TOKEN);
    assert!(out.status.success(), "{}", text(&out));
    let first = received(&sei);
    assert_eq!(
        first.len(),
        6 + 4 * 3,
        "every completed run; the one in progress waits"
    );
    assert!(!first.contains(&format!("{LATE}-1")));
    let file = std::fs::read_to_string(&state).unwrap();
    assert_eq!(
        file.lines()
            .filter(|l| l.contains(r#""listing":"runs?status=completed""#))
            .count(),
        5,
        "one listing kept per repository, in the one state file:\n{file}"
    );

    // Nothing happened: every listing is answered 304, which costs nothing.
    let before = spent(&live);
    let requests = github.exchanges().len();
    let out = sweep(&github, &sei, &state, GH_TOKEN);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert_eq!(
        spent(&live),
        before,
        "a sweep over quiet repositories is free: {log}"
    );
    let asked: Vec<_> = github.exchanges()[requests..]
        .iter()
        .map(|e| (e.request.target.clone(), e.status))
        .collect();
    assert_eq!(
        asked.len(),
        5,
        "one conditional listing a repository: {asked:#?}"
    );
    assert!(asked.iter().all(|(_, s)| *s == Some(304)), "{asked:#?}");
    assert!(
        asked
            .iter()
            .all(|(t, _)| t.ends_with("/actions/runs?status=completed&per_page=100&page=1")),
        "the same URL every sweep: {asked:#?}"
    );
    assert_eq!(received(&sei).len(), first.len(), "nothing reported twice");
    assert!(
        log.contains(
            "5 answered `304 Not Modified` (free; 5 listing(s) unchanged since the last sweep)"
        ),
        "{log}"
    );

    // Between two sweeps: the run in progress completes, a run is re-run, a new workflow runs.
    live.update(|g| {
        let late = run(BUSY, LATE, 50, (101, "CI", "ci.yml"), "completed");
        let jobs = job(&late);
        let g = g.run(BUSY, late, jobs);
        let (all, _) = Backlog {
            rerun_every: 0,
            ..Backlog::new(BUSY, 6)
        }
        .build();
        let (mut again, _) = all.into_iter().find(|(r, _)| r["id"] == RERUN).unwrap();
        again["run_attempt"] = json!(2);
        again["run_started_at"] = again["updated_at"].clone();
        again["updated_at"] = json!(fixtures::iso(fixtures::BACKLOG_START + 30 * 86_400));
        let jobs = job(&again);
        let g = g.run(BUSY, again, jobs);
        let nightly = run(
            QUIET[0],
            NEW,
            1,
            (300, "Nightly", "nightly.yml"),
            "completed",
        );
        let jobs = job(&nightly);
        g.run(QUIET[0], nightly, jobs)
    });
    let out = sweep(&github, &sei, &state, GH_TOKEN);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    let third: BTreeSet<String> = received(&sei)[first.len()..].iter().cloned().collect();
    let want: BTreeSet<String> = [
        format!("{LATE}-1"),
        format!("{RERUN}-2"),
        format!("{NEW}-1"),
    ]
    .into();
    assert_eq!(third, want, "{log}");
    assert!(
        log.contains("3 answered `304 Not Modified`"),
        "the three quiet ones: {log}"
    );

    // Once more, unchanged: free again.
    let before = spent(&live);
    let out = sweep(&github, &sei, &state, GH_TOKEN);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(spent(&live), before);
    assert_eq!(received(&sei).len(), first.len() + 3);
}

#[test]
fn an_etag_is_the_token_s_own_so_another_token_pays_its_listings_and_reports_nothing_twice() {
    // No token required: two tokens read the same repositories.
    let mut g = GitHub::new().rate_limit(5_000, Duration::from_secs(3600));
    for (i, repo) in QUIET.iter().enumerate() {
        g = g.backlog(&Backlog {
            rerun_every: 0,
            first_id: 8_000_000_000 + i as u64 * 1000,
            ..Backlog::new(repo, 3)
        });
    }
    g = g.backlog(&Backlog {
        rerun_every: 0,
        ..Backlog::new(BUSY, 2)
    });
    let (github, live) = g.start_live();
    let sei = Sei::new().key(&sei_key()).instance(GUID).start();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sweep.state");
    assert!(
        sweep(&github, &sei, &state, "ghs_firstTokenAsLongAsARealOne")
            .status
            .success()
    );
    let sent = received(&sei).len();
    let before = spent(&live);
    let out = sweep(&github, &sei, &state, "ghs_secondTokenAsLongAsARealOne");
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(spent(&live) - before, 5, "one listing a repository, paid");
    assert_eq!(
        received(&sei).len(),
        sent,
        "the state still knows what was delivered"
    );
    // And the new token's ETags are kept: its next sweep is free.
    let before = spent(&live);
    assert!(
        sweep(&github, &sei, &state, "ghs_secondTokenAsLongAsARealOne")
            .status
            .success()
    );
    assert_eq!(spent(&live), before);
}
