//! End to end, the hard cases of the metrics SEI computes: the real binary reporting the run it
//! is in (with a lagging API), commits since the last success, CI/CD decided from evidence, and
//! a deployment linked to the build it shipped, against loopback emulators of GitHub and SEI.
//! Every test asserts the fields SEI uses.

use sei_cicd_testkit::action::ActionEnv;
use sei_cicd_testkit::fixtures::{self, OTEL_REPO as REPO, OTEL_RUN as RUN};
use sei_cicd_testkit::github::GitHub;
use sei_cicd_testkit::http::{critical_path, Exchange, Reply, Server};
use sei_cicd_testkit::sei::{Sei, SeiServer};
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_sei-cicd");
const GH_TOKEN: &str = "ghs_e2eGitHubToken000000000000000000";
/// An SEI API key as SEI issues them (base64 of {"company","id","key"}).
const SEI_KEY: &str =
    "eyJjb21wYW55IjoiYWNtZSIsImlkIjoia2V5LWUyZSIsImtleSI6ImUyZS0wZjljMmI3ZDVlMWEifQ==";
const GUID: &str = "89d2491c-764a-4f77-93d9-18e8e372b795";

/// The `otel-cicd` job of the recorded run: the one that reports it.
const ME: u64 = 34769402426;
const HEAD: &str = "607e6cc9b6c59889d2136df32b12599223203912";
const DIGEST: &str = "sha256:4f1c3b9e2d8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e";

fn sei() -> SeiServer {
    Sei::new().key(SEI_KEY).instance(GUID).start()
}

/// A step of run `run_id` in the recorded repository, with the variables a real runner sets and
/// every input at its `action.yml` default, as the runner passes them.
fn step(
    github: &Server,
    sei: &SeiServer,
    run_id: u64,
    event: &str,
    workflow_file: &str,
) -> ActionEnv {
    let mut env = ActionEnv::new(REPO, run_id, event, &github.url());
    env.action_defaults(GH_TOKEN)
        .var(
            "GITHUB_WORKFLOW_REF",
            &format!("{REPO}/.github/workflows/{workflow_file}@refs/heads/main"),
        )
        .var("GITHUB_REF_NAME", "main")
        .var("GITHUB_REF", "refs/heads/main")
        .var("GITHUB_SHA", HEAD)
        .input("sei-url", &sei.url())
        .input("sei-token", SEI_KEY)
        .input("instance-guid", GUID);
    env
}

/// Runs the step; it must deliver exactly one payload: (payload, log).
fn report(env: &ActionEnv, sei: &SeiServer) -> (Value, String) {
    sei_cicd_testkit::sei::deliver_once(env, sei, Path::new(BIN))
}

fn stage(p: &Value, id: u64) -> &Value {
    p["job_run"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"].as_str() == Some(id.to_string().as_str()))
        .unwrap_or_else(|| panic!("no stage {id}"))
}

fn jobs_exchanges(github: &Server) -> Vec<Exchange> {
    github
        .exchanges()
        .into_iter()
        .filter(|e| e.request.target.contains("/jobs?"))
        .collect()
}

fn jobs_reads(github: &Server) -> usize {
    jobs_exchanges(github).len()
}

/// `jobs` with job `i` shown still running, as the API shows a job that has just finished.
fn still_running(jobs: &[Value], i: usize) -> Vec<Value> {
    let mut lagging = jobs.to_vec();
    lagging[i]["status"] = json!("in_progress");
    lagging[i]["conclusion"] = Value::Null;
    lagging[i]["completed_at"] = Value::Null;
    lagging
}

/// The reporter's step in job [`ME`], the last of its own run, which is going well so far.
fn my_last_job(github: &Server, sei: &SeiServer) -> ActionEnv {
    let mut env = step(github, sei, RUN, "push", "build.yml");
    env.event(&json!({"ref": "refs/heads/main", "after": HEAD}))
        .input("job-check-run-id", &ME.to_string())
        .input("job-status", "success");
    env
}

/// The reporter as the last job of its own run, and a job that has finished but still reads
/// `in_progress` on the first read (the API lags): the step reads again, and reports it done.
#[test]
fn reporting_the_run_it_is_in_waits_for_a_job_the_api_shows_late() {
    let (run, jobs) = fixtures::otel_in_progress();
    let lagging = still_running(&jobs, 1);
    let github = GitHub::new().token(GH_TOKEN).run(REPO, run, jobs).start();
    github.script().push(
        Some("/jobs"),
        Reply::json(200, &json!({"total_count": 5, "jobs": lagging})).header("ETag", "W/\"lag\""),
    );
    let sei = sei();
    let env = my_last_job(&github, &sei);
    let started = Instant::now();
    let (p, stdout) = report(&env, &sei);
    assert!(started.elapsed() < Duration::from_secs(10));

    assert_eq!(jobs_reads(&github), 2, "read again once");
    // The second read names the first one's ETag; the page changed, so it is used as it came.
    let reads = jobs_exchanges(&github);
    assert_eq!(reads[0].request.header("if-none-match"), None);
    assert_eq!(reads[1].request.header("if-none-match"), Some("W/\"lag\""));
    assert_eq!(reads[1].status, Some(200));
    assert!(
        stdout.contains(&format!(
            "This step runs in job {ME} (by job-check-run-id)."
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("Every other job has settled (read 2 times"),
        "{stdout}"
    );
    let lagged = stage(&p, 34769389476);
    assert_eq!(
        (&lagged["result"], &lagged["state"]),
        (&json!("SUCCESS"), &json!("FINISHED"))
    );
    assert_eq!(lagged["durationInMillis"], 26_000);
    let me = stage(&p, ME);
    assert_eq!(
        (&me["result"], &me["state"]),
        (&json!("SUCCESS"), &json!("FINISHED"))
    );
    let steps: Vec<&str> = me["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["Set up job", "Run actions/checkout@v4"],
        "finished steps only"
    );
    assert_eq!(p["result"], "SUCCESS");
    assert_eq!(p["execution_id"], "12456168064-1");
    assert_eq!(p["build_number"], fixtures::OTEL_BUILD);
    // The run lasts from its start until the report.
    let end = p["start_time"].as_i64().unwrap() + p["duration"].as_i64().unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    assert!((now - end).abs() < 60_000, "ends now: {end} vs {now}");
}

/// The same over two pages of jobs: the re-read asks both pages with their ETags; the first
/// changed (the lagging job finished), the second did not (304). A page that did not change
/// cannot be put next to one that did (the jobs may have moved between pages), so both are read
/// again whole, and the report has the job done.
#[test]
fn a_run_of_two_pages_is_read_again_whole_when_one_page_changed() {
    let (run, jobs) = fixtures::otel_in_progress();
    let lagging = still_running(&jobs, 1);
    let github = GitHub::new()
        .token(GH_TOKEN)
        .max_per_page(3)
        .run(REPO, run, jobs)
        .start();
    github.script().push(
        Some("/jobs"),
        Reply::json(200, &json!({"total_count": 5, "jobs": lagging[..3]}))
            .header("ETag", "W/\"lag\""),
    );
    let sei = sei();
    let env = my_last_job(&github, &sei);
    let (p, stdout) = report(&env, &sei);

    let statuses: Vec<(bool, Option<u16>)> = jobs_exchanges(&github)
        .iter()
        .map(|e| (e.request.header("if-none-match").is_some(), e.status))
        .collect();
    assert_eq!(statuses.len(), 6, "{statuses:?}");
    // First read (2 pages), the conditional re-read (one changed, one 304), a whole re-read.
    let conditional: Vec<Option<u16>> = statuses.iter().filter(|s| s.0).map(|s| s.1).collect();
    assert_eq!(conditional.len(), 2, "{statuses:?}");
    assert!(conditional.contains(&Some(200)) && conditional.contains(&Some(304)));
    assert!(
        stdout.contains("Every other job has settled (read 2 times"),
        "{stdout}"
    );
    let lagged = stage(&p, 34769389476);
    assert_eq!(
        (&lagged["result"], &lagged["state"]),
        (&json!("SUCCESS"), &json!("FINISHED"))
    );
    assert_eq!(p["job_run"]["stages"].as_array().unwrap().len(), 5);
}

/// `job.status` says the job failed (an earlier step failed; the reporter runs `if: always()`).
/// Without `job-check-run-id` (an older runner), the job is found by `RUNNER_NAME`.
#[test]
fn the_reporters_job_status_decides_its_stage_and_the_run() {
    let (run, jobs) = fixtures::otel_in_progress();
    let github = GitHub::new().token(GH_TOKEN).run(REPO, run, jobs).start();
    let sei = sei();
    let mut env = step(&github, &sei, RUN, "push", "build.yml");
    env.var("RUNNER_NAME", "GitHub Actions 17")
        .input("job-status", "failure");
    let (p, stdout) = report(&env, &sei);
    assert!(
        stdout.contains(&format!(
            "This step runs in job {ME} (the one running on `GitHub Actions 17`)."
        )),
        "{stdout}"
    );
    assert_eq!(jobs_reads(&github), 1, "nothing to wait for");
    let me = stage(&p, ME);
    assert_eq!(
        (&me["result"], &me["state"]),
        (&json!("FAILURE"), &json!("FINISHED"))
    );
    assert_eq!(p["result"], "FAILURE");
}

/// A job that really is still running: the step waits `wait-timeout`, then reports it as
/// running and says so.
#[test]
fn the_wait_is_capped_and_names_what_still_runs() {
    let (run, jobs) = fixtures::otel_in_progress();
    let jobs = still_running(&jobs, 2);
    let github = GitHub::new().token(GH_TOKEN).run(REPO, run, jobs).start();
    let sei = sei();
    let mut env = step(&github, &sei, RUN, "push", "build.yml");
    env.input("job-check-run-id", &ME.to_string())
        .input("job-status", "success")
        .input("wait-timeout", "2s");
    let started = Instant::now();
    let (p, stdout) = report(&env, &sei);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(10),
        "{took:?}"
    );
    let warning = stdout
        .lines()
        .find(|l| l.starts_with("::warning::"))
        .unwrap_or_else(|| panic!("no warning in {stdout}"));
    assert!(
        warning.contains("after waiting 2 s, 1 job(s) still have not finished: tests (windows-latest) (in_progress)"),
        "{warning}"
    );
    // Read again with the ETag of the first read: nothing changed, so GitHub answers 304
    // (free of the rate limit) and the first read stands.
    let reads = jobs_exchanges(&github);
    assert!(reads.len() >= 2, "{}", reads.len());
    assert_eq!(reads[0].request.header("if-none-match"), None);
    for again in &reads[1..] {
        assert!(again.request.header("if-none-match").is_some());
        assert_eq!(again.status, Some(304));
    }
    assert!(
        stdout.contains(&format!(
            "({} answered `304 Not Modified`, free of the rate limit)",
            reads.len() - 1
        )),
        "{stdout}"
    );
    let running = stage(&p, 34769389529);
    assert_eq!(
        (&running["result"], &running["state"]),
        (&json!("UNKNOWN"), &json!("RUNNING"))
    );
    assert_eq!(
        p["result"], "SUCCESS",
        "counted from the finished jobs and mine"
    );
}

/// The recorded run as run 300 of a history, and an earlier successful run at commit 49: the
/// step reports the newest 100 of the 250 commits in between, newest first.
fn history_github(latency: Duration) -> (GitHub, Vec<String>) {
    let shas = fixtures::history(300);
    let mut run = fixtures::otel_run();
    run["head_sha"] = json!(shas[299]);
    let jobs = fixtures::otel_jobs();
    let mut previous = fixtures::otel_run();
    previous["id"] = json!(RUN - 1000);
    previous["run_number"] = json!(64);
    previous["head_sha"] = json!(shas[49]);
    previous["created_at"] = json!("2024-12-20T09:00:00Z");
    // A later run that failed is not a "last success".
    let mut failed = previous.clone();
    failed["id"] = json!(RUN - 500);
    failed["run_number"] = json!(66);
    failed["head_sha"] = json!(shas[150]);
    failed["conclusion"] = json!("failure");
    failed["created_at"] = json!("2024-12-21T09:00:00Z");
    let gh = GitHub::new()
        .token(GH_TOKEN)
        .latency(latency)
        .run(REPO, run, jobs)
        .run(REPO, previous, vec![])
        .run(REPO, failed, vec![])
        .history(REPO, shas.clone());
    (gh, shas)
}

#[test]
fn a_push_of_many_commits_reports_the_newest_hundred_since_the_last_success() {
    let (gh, shas) = history_github(Duration::from_millis(150));
    let github = gh.start();
    let sei = sei();
    let mut env = step(&github, &sei, RUN, "push", "build.yml");
    env.event(&json!({"ref": "refs/heads/main", "before": shas[100], "after": shas[299]}));
    let (p, stdout) = report(&env, &sei);

    let expected: Vec<&str> = shas[200..].iter().rev().map(String::as_str).collect();
    let got: Vec<&str> = p["scm_commit_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(got, expected, "the newest 100, newest first");
    assert!(
        stdout.contains(&format!(
            "Commits: 100 reported, from since run #64 ({} to {}, 250 commit(s)).",
            &shas[49][..7],
            &shas[299][..7]
        )),
        "{stdout}"
    );
    let summary = env.summary();
    assert!(
        summary.contains(&format!("commit `{}` and 99 before it", &shas[299][..7])),
        "{summary}"
    );
    // Compare pages 1 (to learn the total), then 2 and 3 together.
    let compares: Vec<String> = github
        .exchanges()
        .iter()
        .map(|e| e.request.target.clone())
        .filter(|t| t.contains("/compare/"))
        .collect();
    assert_eq!(compares.len(), 3, "{compares:?}");
    for page in ["page=1", "page=2", "page=3"] {
        assert!(compares.iter().any(|c| c.ends_with(page)), "{compares:?}");
    }
    // At most 3 sequential round trips to GitHub, plus the one to SEI.
    let mut all = github.exchanges();
    assert!(critical_path(&all) <= 3, "GitHub: {}", critical_path(&all));
    all.extend(sei.webhook_exchanges());
    let path: Vec<(String, u128, u128)> = all
        .iter()
        .map(|e| {
            (
                e.request.target.clone(),
                e.received.as_millis(),
                e.answered.as_millis(),
            )
        })
        .collect();
    assert!(critical_path(&all) <= 4, "{path:#?}");
}

/// `commits: event`: the push event's own list, and no look-up.
#[test]
fn commits_from_the_push_event() {
    let (gh, shas) = history_github(Duration::ZERO);
    let github = gh.start();
    let sei = sei();
    let mut env = step(&github, &sei, RUN, "push", "build.yml");
    env.event(
        &json!({"ref": "refs/heads/main", "before": shas[296], "after": shas[299],
        "commits": [{"id": shas[297]}, {"id": shas[298]}, {"id": shas[299]}]}),
    )
    .input("commits", "event");
    let (p, stdout) = report(&env, &sei);
    assert_eq!(
        p["scm_commit_ids"],
        json!([shas[299], shas[298], shas[297]])
    );
    assert!(
        stdout.contains("Commits: 3 reported, from the push event (3)."),
        "{stdout}"
    );
    assert!(github.exchanges().iter().all(|e| {
        !e.request.target.contains("/compare/") && !e.request.target.contains("/workflows/")
    }));
}

/// A look-up the token may not make never loses the report: the head commit, and a warning
/// that says which permission is missing.
#[test]
fn a_refused_commit_lookup_falls_back_to_the_head_commit() {
    let (gh, shas) = history_github(Duration::ZERO);
    let github = gh.forbid("/compare/").start();
    let sei = sei();
    let env = step(&github, &sei, RUN, "push", "build.yml");
    let (p, stdout) = report(&env, &sei);
    assert_eq!(p["scm_commit_ids"], json!([shas[299]]));
    let warning = stdout
        .lines()
        .find(|l| l.starts_with("::warning::"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        warning.contains("403") && warning.contains("contents: read"),
        "{warning}"
    );
}

/// When the search for the last successful run is refused, the warning names the request as a
/// person reads it: the `created` filter decoded (`<2024-...T17:11:25Z`, not `%3C...%3A...`).
#[test]
fn a_refused_search_for_the_last_success_prints_the_request_readably() {
    let (gh, _) = history_github(Duration::ZERO);
    let github = gh.forbid("/workflows/build.yml/runs").start();
    let sei = sei();
    let env = step(&github, &sei, RUN, "push", "build.yml");
    let (_, stdout) = report(&env, &sei);
    let warning = stdout
        .lines()
        .find(|l| l.starts_with("::warning::could not find the commits"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(warning.contains("403"), "{warning}");
    assert!(warning.contains("&created=<20"), "{warning}");
    assert!(
        !warning.contains("%3C") && !warning.contains("%3A"),
        "{warning}"
    );
}

/// The CD run that deploys an image and the CI run that built it share the artifact's name
/// and qualifier, so SEI links them for lead time; `ci-cd: auto` files each by its artifact.
#[test]
fn a_deploy_run_is_linked_to_its_ci_run_by_artifact() {
    const DEPLOY_RUN: u64 = 12456199999;
    let ci_run = fixtures::otel_run();
    let ci_jobs = fixtures::otel_jobs();
    let mut cd_run = ci_run.clone();
    cd_run["id"] = json!(DEPLOY_RUN);
    cd_run["name"] = json!("Ship");
    cd_run["path"] = json!(".github/workflows/ship.yml");
    cd_run["event"] = json!("workflow_dispatch");
    cd_run["run_number"] = json!(12);
    cd_run["created_at"] = json!("2024-12-22T17:30:00Z");
    cd_run["run_started_at"] = json!("2024-12-22T17:30:00Z");
    cd_run["updated_at"] = json!("2024-12-22T17:31:10Z");
    let mut cd_job = ci_jobs[0].clone();
    cd_job["id"] = json!(34770000001u64);
    cd_job["run_id"] = json!(DEPLOY_RUN);
    cd_job["name"] = json!("roll out");
    cd_job["started_at"] = json!("2024-12-22T17:30:05Z");
    cd_job["completed_at"] = json!("2024-12-22T17:31:05Z");
    let github = GitHub::new()
        .token(GH_TOKEN)
        .run(REPO, ci_run, ci_jobs)
        .run(REPO, cd_run, vec![cd_job])
        .start();
    let sei = sei();

    // CI: the build pushed the image and knows its digest.
    let mut ci = step(&github, &sei, RUN, "push", "build.yml");
    ci.event(&json!({"ref": "refs/heads/main", "after": HEAD}))
        .input(
            "artifacts",
            &format!("output container ghcr.io/acme/api:1.4.2@{DIGEST}"),
        );
    let (built, ci_log) = report(&ci, &sei);
    // CD: a manual deploy of that image, by digest.
    let mut cd = step(&github, &sei, DEPLOY_RUN, "workflow_dispatch", "ship.yml");
    cd.event(&json!({"ref": "refs/heads/main", "inputs": {"environment": "production"}}))
        .input("artifacts", &format!("input ghcr.io/acme/api@{DIGEST}"));
    let (deployed, cd_log) = report(&cd, &sei);

    assert_eq!((&built["ci"], &built["cd"]), (&json!(true), &json!(false)));
    assert_eq!(
        (&deployed["ci"], &deployed["cd"]),
        (&json!(false), &json!(true))
    );
    assert!(
        ci_log.contains("Reported as CI (declared artifacts: 0 input(s), 1 output(s))."),
        "{ci_log}"
    );
    assert!(
        cd_log.contains("Reported as CD (declared artifacts: 1 input(s), 0 output(s))."),
        "{cd_log}"
    );
    let out = &built["artifacts"][0];
    let inp = &deployed["artifacts"][0];
    assert_eq!(
        out,
        &json!({"input": false, "output": true, "type": "container",
                "location": format!("ghcr.io/acme/api:1.4.2@{DIGEST}"),
                "name": "ghcr.io/acme/api", "qualifier": DIGEST, "hash": DIGEST})
    );
    assert_eq!(
        (&inp["input"], &inp["output"]),
        (&json!(true), &json!(false))
    );
    assert_eq!(
        (&inp["name"], &inp["qualifier"]),
        (&out["name"], &out["qualifier"])
    );
    // The deploy carries its manual input (after the fixed parameters) and whoever started it.
    assert_eq!(
        deployed["job_run_params"],
        json!([
            {"type": "StringParameterValue", "name": "github_event", "value": "workflow_dispatch"},
            {"type": "StringParameterValue", "name": "github_branch", "value": "main"},
            {"type": "StringParameterValue", "name": "github_run_attempt", "value": "1"},
            {"type": "StringParameterValue", "name": "github_workflow_file",
             "value": ".github/workflows/ship.yml"},
            {"type": "StringParameterValue", "name": "environment", "value": "production"}
        ])
    );
    assert_eq!(deployed["trigger_chain"][0]["type"], "UserIdCause");
    assert_eq!(deployed["job_full_name"], format!("{REPO}/Ship"));
    // SEI stored both runs, under their two jobs.
    let runs = sei.runs();
    assert!(runs.contains_key(&(format!("{REPO}/Build"), fixtures::OTEL_BUILD)));
    assert!(runs.contains_key(&(format!("{REPO}/Ship"), 1_000_001_201)));
}

/// `ci-cd: auto`: a job of the run deployed to an environment that counts. A deployment of the same
/// commit by another run does not count.
#[test]
fn an_environment_deployment_makes_the_run_cd() {
    let status = |run_id: u64, job: u64| {
        json!({"state": "success", "environment": "production",
               "log_url": format!("https://github.com/{REPO}/actions/runs/{run_id}/job/{job}"),
               "target_url": format!("https://github.com/{REPO}/actions/runs/{run_id}/job/{job}")})
    };
    let github = || {
        GitHub::new()
            .token(GH_TOKEN)
            .otel_run()
            .deployment(
                REPO,
                json!({"id": 901, "sha": HEAD, "environment": "staging",
                       "created_at": "2024-12-22T17:12:00Z"}),
                vec![status(99, 1)],
            )
            .deployment(
                REPO,
                json!({"id": 902, "sha": HEAD, "environment": "production",
                       "created_at": "2024-12-22T17:12:28Z"}),
                vec![status(RUN, ME)],
            )
    };
    let gh = github().start();
    let sei = sei();
    let mut env = step(&gh, &sei, RUN, "push", "build.yml");
    env.event(&json!({"ref": "refs/heads/main", "after": HEAD}));
    let (p, stdout) = report(&env, &sei);
    assert_eq!((&p["ci"], &p["cd"]), (&json!(false), &json!(true)));
    assert!(
        stdout.contains("Reported as CD (deployed to `production`)."),
        "{stdout}"
    );

    // Without `deployments: read`, the environments are unknown, with a warning.
    let gh = github().forbid("/deployments").start();
    let mut env = step(&gh, &sei, RUN, "push", "build.yml");
    env.event(&json!({"ref": "refs/heads/main", "after": HEAD}));
    let (p, stdout) = report(&env, &sei);
    assert_eq!((&p["ci"], &p["cd"]), (&json!(true), &json!(false)));
    assert!(stdout.contains("deployments: read"), "{stdout}");
    assert!(
        stdout.contains("Reported as CI (no evidence of a deployment)."),
        "{stdout}"
    );
}

/// `include-workflow-artifacts`: the run's uploads, as outputs.
#[test]
fn workflow_artifacts_are_reported_as_outputs() {
    let artifacts = fixtures::load("otel-cicd-action__self-run-12456168064.artifacts.json");
    let github = GitHub::new()
        .token(GH_TOKEN)
        .otel_run()
        .artifacts(
            REPO,
            RUN,
            artifacts["artifacts"].as_array().unwrap().clone(),
        )
        .start();
    let sei = sei();
    let mut env = step(&github, &sei, RUN, "push", "build.yml");
    env.input("include-workflow-artifacts", "true");
    let (p, _) = report(&env, &sei);
    let names: Vec<&str> = p["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "{tests (macos-latest)}{run tests}",
            "{tests (ubuntu-latest)}{run tests}",
            "{tests (windows-latest)}{run tests}"
        ]
    );
    assert!(p["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["output"] == true && a["type"] == "workflow-artifact"));
    assert_eq!(p["ci"], true, "uploads alone do not decide CI or CD");
}

/// Every look-up on, a thousand jobs, 250 commits, two pages of artifacts, 150 ms per request:
/// still 3 sequential round trips to GitHub and 1 to SEI.
#[test]
fn every_lookup_on_keeps_the_critical_path_at_three_round_trips() {
    let (mut run, jobs) = fixtures::synthetic(RUN, 1000, 2, |i| i == 7);
    let shas = fixtures::history(300);
    run["head_sha"] = json!(shas[299]);
    run["repository"] = json!({"full_name": REPO});
    run["path"] = json!(".github/workflows/matrix.yml");
    let mut previous = run.clone();
    previous["id"] = json!(RUN - 1);
    previous["run_number"] = json!(4241);
    previous["conclusion"] = json!("success");
    previous["head_sha"] = json!(shas[49]);
    previous["created_at"] = json!("2025-02-28T10:00:00Z");
    let artifacts: Vec<Value> = (0..150)
        .map(|i| {
            json!({"id": 5000 + i, "name": format!("shard-{i}"),
                        "archive_download_url": format!("https://api.github.com/zip/{i}"),
                        "digest": format!("sha256:{i:064x}")})
        })
        .collect();
    let github = GitHub::new()
        .token(GH_TOKEN)
        .latency(Duration::from_millis(150))
        .run(REPO, run, jobs)
        .run(REPO, previous, vec![])
        .history(REPO, shas.clone())
        .artifacts(REPO, RUN, artifacts)
        .start();
    let sei = sei();
    let mut env = step(&github, &sei, RUN, "push", "matrix.yml");
    env.event(&json!({"ref": "refs/heads/main", "after": shas[299]}))
        .var("GITHUB_SHA", &shas[299])
        .input("include-workflow-artifacts", "true")
        .input("include-steps", "false");
    let (p, _) = report(&env, &sei);
    assert_eq!(p["job_run"]["stages"].as_array().unwrap().len(), 1000);
    assert_eq!(p["scm_commit_ids"].as_array().unwrap().len(), 100);
    assert_eq!(p["artifacts"].as_array().unwrap().len(), 150);
    assert_eq!(p["result"], "FAILURE");
    let mut all = github.exchanges();
    // run + 10 job pages + runs list + 3 compare pages + deployments + 2 artifact pages +
    // the repository's workflows
    assert_eq!(all.len(), 1 + 10 + 1 + 3 + 1 + 2 + 1);
    assert!(critical_path(&all) <= 3, "GitHub: {}", critical_path(&all));
    // The instance look-up goes out with GitHub's first round, so it adds no round trip.
    let first_answer = all.iter().map(|e| e.answered).min().unwrap();
    let lookups = sei.server.exchanges();
    let lookup = lookups
        .iter()
        .find(|e| e.request.path().contains("/v1/cicd/instances/"))
        .expect("the instance was looked up");
    assert!(lookup.received < first_answer, "sent with round 1");
    all.extend(sei.webhook_exchanges());
    assert!(critical_path(&all) <= 4);
}
