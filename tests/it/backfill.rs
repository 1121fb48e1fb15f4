//! `sei-cicd backfill` and `sei-cicd instance register`, the real binary against the loopback
//! emulators: every attempt reported once and exactly as `report` reports it, listings paged
//! and split under GitHub's 1,000, an organization narrowed by patterns, the concurrency bound,
//! a rate limit spent midway, an interruption and a start again, SEI failing midway, a sweep run
//! twice over an overlapping window.

use sei_cicd_testkit::fixtures::{self, Backlog};
use sei_cicd_testkit::github::GitHub;
use sei_cicd_testkit::http::{max_in_flight, Exchange, Reply, Server};
use sei_cicd_testkit::sei::{api_key, Sei, SeiServer};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_sei-cicd");
const GH_TOKEN: &str = "ghp_backfillTestToken000000000000000000";
const GUID: &str = "89d2491c-764a-4f77-93d9-18e8e372b795";
const REPO: &str = "acme/api";

/// The SEI API key the tests use (base64 of a JSON object, like SEI's).
fn sei_key() -> String {
    api_key("backfill")
}

fn sei_server() -> SeiServer {
    Sei::new().key(&sei_key()).instance(GUID).start()
}

/// `sei-cicd <args>` with the variables a terminal user sets (nothing inherited).
fn command(github: &Server, sei: &SeiServer, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .env_clear()
        .env("GITHUB_API_URL", github.url())
        .env("GITHUB_TOKEN", GH_TOKEN)
        .env("SEI_TOKEN", sei_key())
        .args(["--sei-url", &sei.url(), "--instance-guid", GUID])
        .stdin(Stdio::null());
    c
}

fn backfill(github: &Server, sei: &SeiServer, extra: &[&str]) -> Output {
    let mut args = vec!["backfill", "--repository", REPO, "--since", "2025-03-01"];
    args.extend_from_slice(extra);
    command(github, sei, &args).output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Every attempt of the backlog: (run id, attempt).
fn attempts(b: &Backlog) -> Vec<(u64, u64)> {
    let (all, _) = b.build();
    all.iter()
        .map(|(r, _)| {
            (
                r["id"].as_u64().unwrap(),
                r["run_attempt"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// What SEI took (202), by execution id (`<run id>-<attempt>`), the first of each.
fn stored(sei: &SeiServer) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for r in sei.received().into_iter().filter(|r| r.status == 202) {
        let p = r.payload.unwrap();
        let id = p["execution_id"].as_str().unwrap().to_owned();
        out.entry(id).or_insert(p);
    }
    out
}

/// Attempts SEI took more than once.
fn sent_twice(sei: &SeiServer) -> usize {
    let took = sei.received().iter().filter(|r| r.status == 202).count();
    took - stored(sei).len()
}

fn paths(ex: &[Exchange]) -> Vec<String> {
    ex.iter().map(|e| e.request.target.clone()).collect()
}

fn count(ex: &[Exchange], pred: impl Fn(&str) -> bool) -> usize {
    paths(ex).iter().filter(|p| pred(p)).count()
}

/// A small backlog in March 2025: 40 runs of two workflows, pull requests on feature branches,
/// failures, re-runs.
fn backlog() -> Backlog {
    Backlog::new(REPO, 40)
}

#[test]
fn every_attempt_is_reported_once_and_exactly_as_report_reports_it() {
    let b = backlog();
    let github = GitHub::new().token(GH_TOKEN).backlog(&b).start();
    let sei = sei_server();
    let out = backfill(&github, &sei, &["--until", "2025-03-31"]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    let want = attempts(&b);
    assert_eq!(want.len(), 43, "40 runs, 3 of them re-run");
    let got = stored(&sei);
    assert_eq!(got.len(), want.len(), "{log}");
    assert_eq!(sent_twice(&sei), 0);
    assert!(log.contains("43 of 43 run attempts: 43 delivered"), "{log}");

    // The runs come from the listing: only earlier attempts are read one by one.
    let ex = github.exchanges();
    let single = count(&ex, |p| {
        let tail = p.split("/actions/runs/").nth(1).unwrap_or("");
        !tail.is_empty() && !tail.contains("/jobs") && !tail.starts_with('?')
    });
    assert_eq!(single, 3, "{:#?}", paths(&ex));
    assert_eq!(
        count(&ex, |p| p.contains("/compare/")),
        0,
        "{:#?}",
        paths(&ex)
    );

    // `report --run-id` of each attempt sends the very same payload.
    for (id, attempt) in want {
        let alone = sei_server();
        let o = command(
            &github,
            &alone,
            &[
                "report",
                "--repository",
                REPO,
                "--run-id",
                &id.to_string(),
                "--run-attempt",
                &attempt.to_string(),
            ],
        )
        .output()
        .unwrap();
        let one = stored(&alone);
        let key = format!("{id}-{attempt}");
        assert_eq!(one.len(), 1, "{}", text(&o));
        assert_eq!(got[&key], one[&key], "run {id} attempt {attempt}");
    }
}

#[test]
fn commits_since_the_last_success_are_reports_own() {
    let b = backlog();
    let github = GitHub::new().token(GH_TOKEN).backlog(&b).start();
    let sei = sei_server();
    let out = backfill(&github, &sei, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let got = stored(&sei);
    let (_, history) = b.build();
    // Run 11 (CI on main): run 10 is a pull request's, 9 a Deploy, 8 failed, so its previous
    // success is run 7: commits 8 to 11, newest first.
    let eleven = &got[&format!("{}-1", b.id(11))];
    assert_eq!(
        eleven["scm_commit_ids"],
        serde_json::json!([history[11], history[10], history[9], history[8]])
    );
    // Run 10 (on branch feature-0, re-run): its branch's previous success is run 3.
    let ten = &got[&format!("{}-2", b.id(10))];
    let want: Vec<&String> = history[4..=10].iter().rev().collect();
    assert_eq!(ten["scm_commit_ids"], serde_json::json!(want));
    // No compare: the branch histories answered (main listed from its tip, feature-0, deleted,
    // from its newest head).
    let ex = github.exchanges();
    assert_eq!(
        count(&ex, |p| p.contains("/compare/")),
        0,
        "{:#?}",
        paths(&ex)
    );
    assert!(count(&ex, |p| p.contains("/commits?sha=main")) >= 1);
}

#[test]
fn a_window_of_more_runs_than_github_lists_is_split_into_ranges() {
    let b = Backlog {
        every: 60,
        rerun_every: 0,
        ..Backlog::new(REPO, 2_345)
    };
    let github = GitHub::new().token(GH_TOKEN).backlog(&b).start();
    let sei = sei_server();
    let out = backfill(&github, &sei, &["--dry-run", "--commits", "head"]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("2,345 run attempt(s) would be reported"),
        "{log}"
    );
    let ex = github.exchanges();
    let listings: Vec<&Exchange> = ex
        .iter()
        .filter(|e| e.request.path().ends_with("/actions/runs"))
        .collect();
    // Every page asked is one GitHub serves (the first 1,000 of a query).
    for e in &listings {
        let page: u64 = e.request.query("page").unwrap().parse().unwrap();
        assert!(page <= 10, "{}", e.request.target);
    }
    let split = listings
        .iter()
        .filter_map(|e| e.request.query("created"))
        .collect::<HashSet<_>>()
        .len();
    assert!(split >= 4, "the month is listed in ranges: {split}");
    assert!(sei.received().is_empty(), "a dry run sends nothing");
    let printed = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with(REPO))
        .count();
    assert_eq!(printed, 2_345);
}

#[test]
fn an_organization_narrowed_by_patterns_and_workflows() {
    let api = Backlog::new("acme/api", 6);
    let old = Backlog {
        first_id: 8_000_000_000,
        ..Backlog::new("acme/api-old", 3)
    };
    let web = Backlog {
        first_id: 9_000_000_000,
        ..Backlog::new("acme/web", 5)
    };
    let github = GitHub::new()
        .token(GH_TOKEN)
        .backlog(&api)
        .backlog(&old)
        .backlog(&web)
        .repo("acme/docs")
        .repo("other/api")
        .start();
    let sei = sei_server();
    let out = command(
        &github,
        &sei,
        &[
            "backfill",
            "--organization",
            "acme",
            "--include",
            "acme/api*",
            "--include",
            "ACME/web",
            "--exclude",
            "*-old",
            "--since",
            "2025-03-01",
            "--dry-run",
        ],
    )
    .output()
    .unwrap();
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("Backfilling 2 repositories"), "{log}");
    assert!(log.contains("2 left out by include/exclude"), "{log}");
    assert!(
        log.contains("  acme/api: 6") && log.contains("  acme/web: 5"),
        "{log}"
    );
    assert!(
        log.contains("    CI: ") && log.contains("    Deploy: 1"),
        "{log}"
    );
    assert!(!log.contains("acme/api-old"), "{log}");
    let ex = github.exchanges();
    assert_eq!(count(&ex, |p| p.starts_with("/orgs/acme/repos")), 1);

    // One workflow, by its file name; a GitHub App token lists its installation's repositories.
    let app_token = "ghs_installationToken0000000000000000";
    let github = GitHub::new()
        .token(app_token)
        .backlog(&api)
        .backlog(&old)
        .backlog(&web)
        .start();
    let out = Command::new(BIN)
        .args([
            "backfill",
            "--organization",
            "acme",
            "--workflow",
            "deploy.yml",
        ])
        .args(["--since", "2025-03-01", "--dry-run", "--exclude", "*-old"])
        .env_clear()
        .env("GITHUB_API_URL", github.url())
        .env("GITHUB_TOKEN", app_token)
        .output()
        .unwrap();
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("the GitHub App installation on acme"), "{log}");
    assert!(log.contains("2 run attempt(s) would be reported"), "{log}");
    assert!(log.contains("workflows deploy.yml"), "{log}");
    let ex = github.exchanges();
    assert!(count(&ex, |p| p.starts_with("/installation/repositories")) >= 1);
    assert!(
        count(&ex, |p| p.contains("/actions/workflows/102/runs")) >= 1,
        "{:#?}",
        paths(&ex)
    );
}

#[test]
fn a_user_s_repositories_when_the_name_is_not_an_organization() {
    let mine = Backlog::new("octocat/tools", 3);
    let github = GitHub::new()
        .token(GH_TOKEN)
        .user("octocat")
        .backlog(&mine)
        .start();
    let sei = sei_server();
    let out = command(
        &github,
        &sei,
        &[
            "backfill",
            "--organization",
            "octocat",
            "--since",
            "2025-03-01",
        ],
    )
    .output()
    .unwrap();
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("from the user octocat"), "{log}");
    assert_eq!(stored(&sei).len(), attempts(&mine).len());
}

#[test]
fn the_concurrency_bound_holds_toward_github_and_sei() {
    let b = Backlog {
        rerun_every: 0,
        jobs: 250, // three pages of jobs a run, asked together
        ..Backlog::new(REPO, 12)
    };
    let github = GitHub::new()
        .token(GH_TOKEN)
        .latency(Duration::from_millis(25))
        .backlog(&b)
        .start();
    let sei = Sei::new()
        .key(&sei_key())
        .instance(GUID)
        .latency(Duration::from_millis(25))
        .start();
    let out = backfill(
        &github,
        &sei,
        &[
            "--concurrency",
            "3",
            "--commits",
            "head",
            "--max-requests-per-minute",
            "100000",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let got = stored(&sei);
    assert_eq!(got.len(), 12);
    assert!(
        got.values()
            .all(|p| p["job_run"]["stages"].as_array().map(Vec::len) == Some(250)),
        "every page of jobs read"
    );
    let gh_peak = max_in_flight(&github.exchanges());
    let sei_peak = max_in_flight(&sei.server.exchanges());
    assert!(gh_peak <= 3, "GitHub saw {gh_peak} requests at once");
    assert!(sei_peak <= 3, "SEI saw {sei_peak} at once");
    assert!(gh_peak == 3, "the bound is used: {gh_peak}");
}

#[test]
fn a_rate_limit_spent_midway_is_waited_for_and_said() {
    let b = Backlog {
        rerun_every: 0,
        ..Backlog::new(REPO, 12)
    };
    let github = GitHub::new().token(GH_TOKEN).backlog(&b).start();
    // The token's other users spend it while the backfill runs: the fifth run's jobs get
    // GitHub's 403, `x-ratelimit-remaining: 0`, with the reset two seconds ahead.
    for _ in 0..4 {
        github.script().push(
            Some("/jobs"),
            Reply::Handled {
                delay: Duration::ZERO,
                cut: false,
            },
        );
    }
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 2;
    github.script().push(
        Some("/jobs"),
        sei_cicd_testkit::github::primary_rate_limit(reset),
    );
    let sei = sei_server();
    let started = Instant::now();
    let out = backfill(&github, &sei, &["--commits", "head", "--concurrency", "1"]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert_eq!(stored(&sei).len(), 12, "nothing lost: {log}");
    assert!(
        log.contains("GitHub's rate limit for the token is spent (0 of 5000 left) until")
            && log.contains("waiting"),
        "{log}"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "it waited for the reset"
    );
    assert!(
        log.contains("waited"),
        "the wait is in the budget line: {log}"
    );
}

#[test]
fn a_budget_smaller_than_the_work_is_spread_until_the_reset() {
    let b = Backlog {
        rerun_every: 0,
        ..Backlog::new(REPO, 12)
    };
    let github = GitHub::new()
        .token(GH_TOKEN)
        .rate_limit(10, Duration::from_secs(3))
        .backlog(&b)
        .start();
    let sei = sei_server();
    let out = backfill(&github, &sei, &["--commits", "head", "--concurrency", "2"]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert_eq!(stored(&sei).len(), 12, "{log}");
    assert!(log.contains("pacing to one request every"), "{log}");
    let limited = github
        .exchanges()
        .iter()
        .filter(|e| e.status == Some(403))
        .count();
    assert!(limited <= 2, "{limited} requests met the spent limit");
    assert!(log.contains("left until"), "the budget is printed: {log}");
}

fn state_file(dir: &Path) -> PathBuf {
    dir.join("backfill.state")
}

/// Twenty runs (none re-run) behind a GitHub answering after 20 ms, SEI, and a folder for the
/// state: a backfill slow enough to be stopped midway.
fn twenty_slow_runs() -> (Server, SeiServer, tempfile::TempDir) {
    twenty_runs_answered_after(Duration::from_millis(20))
}

/// Twenty runs (none re-run) behind a GitHub answering after `latency`, SEI, and a folder for
/// the state.
fn twenty_runs_answered_after(latency: Duration) -> (Server, SeiServer, tempfile::TempDir) {
    let b = Backlog {
        rerun_every: 0,
        ..Backlog::new(REPO, 20)
    };
    let github = GitHub::new()
        .token(GH_TOKEN)
        .latency(latency)
        .backlog(&b)
        .start();
    (github, sei_server(), tempfile::tempdir().unwrap())
}

/// The backfill of [`REPO`] since 2025-03-01 with `args`, started and left running.
fn start_backfill(
    github: &Server,
    sei: &SeiServer,
    args: &[&str],
    output: fn() -> Stdio,
) -> std::process::Child {
    let mut all = vec!["backfill", "--repository", REPO, "--since", "2025-03-01"];
    all.extend_from_slice(args);
    command(github, sei, &all)
        .stdout(output())
        .stderr(output())
        .spawn()
        .unwrap()
}

/// Waits (at most 30 s) until SEI has stored `n` runs.
fn wait_until_stored(sei: &SeiServer, n: usize) {
    let until = Instant::now() + Duration::from_secs(30);
    while stored(sei).len() < n && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn stopped_after_some_runs_and_started_again_it_misses_nothing_and_repeats_nothing() {
    let (github, sei, dir) = twenty_slow_runs();
    let state = state_file(dir.path()).display().to_string();
    let args = ["--state", state.as_str(), "--concurrency", "1"];
    let child = start_backfill(&github, &sei, &args, Stdio::piped);
    wait_until_stored(&sei, 5);
    // Ctrl-C.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let first = child.wait_with_output().unwrap();
    let log = text(&first);
    assert_eq!(first.status.code(), Some(130), "{log}");
    assert!(log.contains("Stopping"), "{log}");
    let after_first = stored(&sei).len();
    assert!((5..20).contains(&after_first), "{after_first}\n{log}");

    let second = backfill(&github, &sei, &args);
    let log = text(&second);
    assert!(second.status.success(), "{log}");
    assert_eq!(stored(&sei).len(), 20, "no gap: {log}");
    assert_eq!(sent_twice(&sei), 0, "nothing sent twice: {log}");
    assert!(
        log.contains(&format!("{after_first} already delivered")),
        "{log}"
    );
}

#[test]
fn stop_after_ends_in_time_as_a_success_and_the_next_start_goes_on() {
    // Twenty runs behind a GitHub answering after 100 ms, one at a time: well over a second.
    let (github, sei, dir) = twenty_runs_answered_after(Duration::from_millis(100));
    let state = state_file(dir.path()).display().to_string();
    let args = ["--state", state.as_str(), "--concurrency", "1"];
    let first_args = [&args[..], &["--stop-after", "1s"]].concat();
    let first = start_backfill(&github, &sei, &first_args, Stdio::piped)
        .wait_with_output()
        .unwrap();
    let log = text(&first);
    assert!(
        first.status.success(),
        "a job with a time limit stays green: {log}"
    );
    assert!(log.contains("(`stop-after`)"), "{log}");
    assert!(log.contains("Stopped before the end"), "{log}");
    let after_first = stored(&sei).len();
    assert!(after_first < 20, "{after_first}\n{log}");

    let second = backfill(&github, &sei, &args);
    let log = text(&second);
    assert!(second.status.success(), "{log}");
    assert_eq!(stored(&sei).len(), 20, "no gap: {log}");
    assert_eq!(sent_twice(&sei), 0, "nothing sent twice: {log}");
}

#[test]
fn killed_outright_it_goes_on_from_the_state_on_disk() {
    let (github, sei, dir) = twenty_slow_runs();
    let state = state_file(dir.path()).display().to_string();
    let args = ["--state", state.as_str(), "--concurrency", "2"];
    let mut child = start_backfill(&github, &sei, &args, Stdio::null);
    wait_until_stored(&sei, 7);
    child.kill().unwrap(); // SIGKILL: no time to say anything
    child.wait().unwrap();
    let second = backfill(&github, &sei, &args);
    assert!(second.status.success(), "{}", text(&second));
    assert_eq!(stored(&sei).len(), 20, "no gap");
    // A run SEI took while the process was being killed may be sent again (SEI keeps the first).
    assert!(sent_twice(&sei) <= 2, "{} sent twice", sent_twice(&sei));
}

#[test]
fn what_sei_refuses_midway_is_kept_and_sent_again_first_at_the_next_start() {
    let b = Backlog {
        rerun_every: 0,
        ..Backlog::new(REPO, 10)
    };
    let github = GitHub::new().token(GH_TOKEN).backlog(&b).start();
    let sei = sei_server();
    // The third and fourth reports get 503 on both of their attempts.
    sei.script().sequence(
        Some("/v1/custom-cicd"),
        [
            Reply::Handled {
                delay: Duration::ZERO,
                cut: false,
            },
            Reply::Handled {
                delay: Duration::ZERO,
                cut: false,
            },
        ],
    );
    for _ in 0..4 {
        sei.script().push(
            Some("/v1/custom-cicd"),
            Reply::json(503, &serde_json::json!({"error": "busy"})),
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let state = state_file(dir.path()).display().to_string();
    let args = [
        "--state",
        state.as_str(),
        "--concurrency",
        "1",
        "--max-attempts",
        "2",
        "--commits",
        "head",
    ];
    let first = backfill(&github, &sei, &args);
    let log = text(&first);
    assert_eq!(
        first.status.code(),
        Some(1),
        "on a terminal, not delivered is 1: {log}"
    );
    assert!(log.contains("2 failed"), "{log}");
    assert_eq!(stored(&sei).len(), 8);
    let kept: Vec<_> = std::fs::read_dir(dir.path().join("backfill.state.payloads"))
        .unwrap()
        .collect();
    assert_eq!(kept.len(), 2, "the two payloads are kept for replay");
    let github_before = github.exchanges().len();

    let second = backfill(&github, &sei, &args);
    let log = text(&second);
    assert!(second.status.success(), "{log}");
    assert!(log.contains("Sending again 2 payload(s)"), "{log}");
    assert_eq!(stored(&sei).len(), 10);
    assert_eq!(sent_twice(&sei), 0);
    let jobs_again = github.exchanges()[github_before..]
        .iter()
        .filter(|e| e.request.path().ends_with("/jobs"))
        .count();
    assert_eq!(jobs_again, 0, "the kept payloads are sent as they are");
    let left: Vec<_> = std::fs::read_dir(dir.path().join("backfill.state.payloads"))
        .unwrap()
        .collect();
    assert!(left.is_empty());

    // In a workflow, a failure fails the step only with fail-on-error.
    let sei2 = Sei::new().key(&api_key("another")).instance(GUID).start();
    let run = |extra: &[&str]| {
        let mut args = vec!["backfill", "--repository", REPO, "--since", "2025-03-01"];
        args.extend_from_slice(extra);
        args.extend(["--commits", "head"]);
        command(&github, &sei2, &args)
            .env("GITHUB_ACTIONS", "true")
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = run(&["--fail-on-error"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

#[test]
fn a_sweep_run_twice_over_an_overlapping_window_sends_nothing_twice() {
    let first_half = Backlog {
        rerun_every: 0,
        ..Backlog::new(REPO, 10)
    };
    let whole = Backlog {
        rerun_every: 0,
        ..Backlog::new(REPO, 16)
    };
    let dir = tempfile::tempdir().unwrap();
    let state = state_file(dir.path()).display().to_string();
    let sei = sei_server();
    // The first sweep sees the first 10 runs; by the second, 6 more have completed.
    let github = GitHub::new().token(GH_TOKEN).backlog(&first_half).start();
    let args = ["--state", state.as_str(), "--commits", "head"];
    let out = backfill(&github, &sei, &args);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stored(&sei).len(), 10);
    let github = GitHub::new().token(GH_TOKEN).backlog(&whole).start();
    let summary = dir.path().join("summary.md");
    let out = command(
        &github,
        &sei,
        &[
            "backfill",
            "--repository",
            REPO,
            // Overlaps the first window by 6 runs (an hour).
            "--since",
            &fixtures::iso(fixtures::BACKLOG_START + 4 * 600),
            "--state",
            &state,
            "--commits",
            "head",
        ],
    )
    .env("GITHUB_STEP_SUMMARY", &summary)
    .output()
    .unwrap();
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert_eq!(stored(&sei).len(), 16);
    assert_eq!(sent_twice(&sei), 0, "{log}");
    assert!(log.contains("6 already delivered"), "{log}");
    // The job summary: found, delivered, already delivered, skipped, failed.
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains("| found | delivered | already delivered | skipped | failed |")
            && md.contains("| 12 | 6 | 6 | 0 | 0 |"),
        "{md}"
    );
    let jobs = count(&github.exchanges(), |p| p.contains("/jobs"));
    assert_eq!(jobs, 6, "only the new runs are read");
}

#[test]
fn bad_inputs_are_named_and_exit_2() {
    let out = Command::new(BIN)
        .args([
            "backfill",
            "--since",
            "last tuesday",
            "--concurrency",
            "500",
        ])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let log = text(&out);
    for needle in [
        "no repository to backfill",
        "`since` is `last tuesday`",
        "`concurrency` is `500`",
        "`sei-token` is empty",
    ] {
        assert!(log.contains(needle), "{needle}: {log}");
    }
}

#[test]
fn instance_register_prints_the_guid_and_writes_the_output() {
    let sei = sei_server();
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("out");
    std::fs::write(&out_file, "").unwrap();
    let o = Command::new(BIN)
        .args(["instance", "register", "--integration-id", "4321"])
        .args(["--name", "GitHub Actions", "--sei-url", &sei.url()])
        .env_clear()
        .env("SEI_TOKEN", sei_key())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let registered = sei.registered();
    assert_eq!(registered.len(), 1);
    assert_eq!(
        (registered[0].1.as_str(), registered[0].2.as_str()),
        ("4321", "GitHub Actions")
    );
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), registered[0].0);
    let posted = sei.server.exchanges();
    assert_eq!(posted[0].request.path(), "/v1/cicd/instances");
    assert_eq!(posted[0].request.json().unwrap()["type"], "jenkins");

    // In a workflow: the `instance-guid` output.
    let o = Command::new(BIN)
        .args(["instance", "register", "--integration-id", "4321"])
        .args(["--name", "Second", "--sei-url", &sei.url()])
        .env_clear()
        .env("SEI_TOKEN", sei_key())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &out_file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let outputs = std::fs::read_to_string(&out_file).unwrap();
    assert_eq!(
        outputs,
        format!("instance-guid={}\n", sei.registered()[1].0)
    );
    let all = text(&o);
    let mut shown = all.lines().filter(|l| !l.starts_with("::add-mask::"));
    assert!(
        !shown.any(|l| l.contains(&sei_key())),
        "the key is never shown"
    );

    // A wrong key: one clear error, exit 1; no input: exit 2.
    let o = Command::new(BIN)
        .args([
            "instance",
            "register",
            "--integration-id",
            "4321",
            "--name",
            "x",
        ])
        .args(["--sei-url", &sei.url()])
        .env_clear()
        .env("SEI_TOKEN", api_key("wrong"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("sei-token"), "{}", text(&o));
    let o = Command::new(BIN)
        .args(["instance", "register"])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("`integration-id` is empty"),
        "{}",
        text(&o)
    );
}
