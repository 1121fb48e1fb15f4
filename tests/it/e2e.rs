//! End to end: the real `sei-cicd` binary, started the way the runner starts a container action
//! (inputs as `INPUT_<NAME>`, `GITHUB_*` variables, files for `GITHUB_OUTPUT` and
//! `GITHUB_STEP_SUMMARY`), against loopback emulators of the GitHub API and of SEI.

use sei_cicd_testkit::action::{assert_no_secret, text, ActionEnv};
use sei_cicd_testkit::fixtures::{self, OTEL_REPO, OTEL_RUN, SKIP_DUP_REPO};
use sei_cicd_testkit::github::GitHub;
use sei_cicd_testkit::http::Server;
use sei_cicd_testkit::sei::{Sei, SeiServer};
use serde_json::{json, Value};
use std::path::Path;

const BIN: &str = env!("CARGO_BIN_EXE_sei-cicd");
const GH_TOKEN: &str = "ghs_e2eGitHubToken000000000000000000";
/// An SEI API key as SEI issues them (base64 of {"company","id","key"}).
const SEI_KEY: &str =
    "eyJjb21wYW55IjoiYWNtZSIsImlkIjoia2V5LWUyZSIsImtleSI6ImUyZS0wZjljMmI3ZDVlMWEifQ==";
const GUID: &str = "89d2491c-764a-4f77-93d9-18e8e372b795";

fn otel_github(max_per_page: usize) -> Server {
    GitHub::new()
        .token(GH_TOKEN)
        .max_per_page(max_per_page)
        .otel_run()
        .start()
}

fn sei() -> SeiServer {
    Sei::new().key(SEI_KEY).instance(GUID).start()
}

/// A step inside the run being reported (`on: push`), with the usual inputs.
fn in_workflow(github: &Server, sei: &SeiServer) -> ActionEnv {
    let mut env = ActionEnv::new(OTEL_REPO, OTEL_RUN, "push", &github.url());
    env.event(&json!({"ref": "refs/heads/main", "repository": {"full_name": OTEL_REPO}}))
        // Every input action.yml declares, at its default, as the runner passes them.
        .action_defaults(GH_TOKEN)
        .input("sei-url", &sei.url())
        .input("sei-token", SEI_KEY)
        .input("instance-guid", GUID)
        // Inputs left empty arrive as empty strings.
        .input("dry-run", "")
        .input("fail-on-error", "");
    env
}

#[test]
fn in_workflow_mode_delivers_every_job_across_pages() {
    let github = otel_github(3); // 5 jobs: two pages
    let sei = sei();
    let env = in_workflow(&github, &sei);
    let out = env.run(Path::new(BIN));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(!stdout.contains("::error::"), "{stdout}");

    // GitHub: the attempt and its jobs, sent together, then the second page; the previous
    // successful run (there is none: the commits are the head) and the deployments of the
    // head commit (none: `ci-cd: auto` falls to "CI"). Nothing else; all authenticated.
    let mut asked: Vec<String> = github
        .exchanges()
        .iter()
        .map(|e| e.request.target.clone())
        .collect();
    asked.sort();
    let base = format!("/repos/{OTEL_REPO}/actions/runs/{OTEL_RUN}/attempts/1");
    let mut expected = vec![
        base.clone(),
        format!("{base}/jobs?per_page=100&page=1"),
        format!("{base}/jobs?per_page=100&page=2"),
        format!(
            "/repos/{OTEL_REPO}/actions/workflows/build.yml/runs?status=success&branch=main\
             &event=push&created=%3C2024-12-22T17%3A11%3A25Z&exclude_pull_requests=true\
             &per_page=5&page=1"
        ),
        format!(
            "/repos/{OTEL_REPO}/deployments?sha=607e6cc9b6c59889d2136df32b12599223203912&per_page=100"
        ),
        // The repository's workflows: does another file share this one's name?
        format!("/repos/{OTEL_REPO}/actions/workflows?per_page=100&page=1"),
    ];
    expected.sort();
    assert_eq!(asked, expected);
    for e in github.exchanges() {
        assert_eq!(
            e.request.header("authorization"),
            Some(format!("Bearer {GH_TOKEN}").as_str())
        );
    }

    // SEI: the instance looked up while GitHub was read, then one POST to the webhook path,
    // the API key as `ApiKey` (what `auto` picks for an SEI API key), JSON.
    let looked: Vec<String> = sei
        .other_requests()
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(looked, [format!("/v1/cicd/instances/{GUID}")]);
    let received = sei.received();
    assert_eq!(received.len(), 1);
    let r = &received[0];
    assert_eq!(r.path, "/v1/custom-cicd");
    assert_eq!(
        r.authorization.as_deref(),
        Some(format!("ApiKey {SEI_KEY}").as_str())
    );
    assert_eq!(r.status, 202);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let payload = r.payload.clone().unwrap();
    let ids: Vec<&str> = payload["job_run"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    let recorded: Vec<String> = fixtures::otel_jobs()
        .iter()
        .map(|j| j["id"].to_string())
        .collect();
    assert_eq!(ids, recorded, "every job, in order, none twice");
    assert_eq!(payload["result"], "SUCCESS");
    assert_eq!(payload["build_number"], fixtures::OTEL_BUILD);
    assert_eq!(payload["execution_id"], "12456168064-1");
    assert_eq!(payload["instance_guid"], GUID);
    assert_eq!(
        payload["trigger_chain"],
        json!([{"id": "SCMTrigger", "type": "SCMTriggerCause"}])
    );
    insta::assert_json_snapshot!("in_workflow_payload", payload);
    assert_eq!(sei.runs().len(), 1, "SEI stored the run");

    // Outputs, and the exact bytes sent kept in the payload file.
    let outputs = env.outputs();
    assert_eq!(outputs["status"], "delivered");
    assert_eq!(outputs["http-status"], "202");
    assert_eq!(outputs["result"], "SUCCESS");
    assert_eq!(outputs["execution-id"], "12456168064-1");
    let file = &outputs["payload-file"];
    assert!(
        file.starts_with(env.path("temp").to_str().unwrap()),
        "{file}"
    );
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_eq!(saved, payload);

    // The summary (e2e_summary.rs has each outcome): delivered first, SEI's answer, the
    // run, a row per stage.
    let summary = env.summary();
    assert!(summary.starts_with("### ✅ SEI: delivered\n"), "{summary}");
    assert!(
        summary.contains("SEI answered HTTP 202: `{\"payload\":\"{\\\"run_ids"),
        "{summary}"
    );
    // Until the last job ended (17:12:37Z), not the run's later `updated_at`.
    assert!(summary.contains("· ✅ SUCCESS in 1m 12s"), "{summary}");
    assert_eq!(
        summary.matches("\n| ").count(),
        1 + 5,
        "header and 5 stages:\n{summary}"
    );
    assert!(
        summary.contains("| build | ✅ SUCCESS | 5s | 24s | 10 |"),
        "{summary}"
    );

    // Masking: both tokens registered with the runner, shown nowhere else.
    assert!(stdout.contains(&format!("::add-mask::{SEI_KEY}")));
    assert!(stdout.contains(&format!("::add-mask::{GH_TOKEN}")));
    assert_no_secret(&env, &out, &[SEI_KEY, GH_TOKEN]);
}

#[test]
fn workflow_run_mode_reports_the_upstream_run() {
    let github = GitHub::new()
        .token(GH_TOKEN)
        .run(
            SKIP_DUP_REPO,
            fixtures::skip_dup_run(),
            fixtures::skip_dup_jobs(),
        )
        .start();
    let sei = sei();
    // The reporter's own run is another one; the event names the run that completed.
    let mut env = ActionEnv::new(SKIP_DUP_REPO, 99_000_001, "workflow_run", &github.url());
    env.event(&fixtures::skip_dup_completed_event())
        .input("sei-url", &sei.url())
        .input("sei-token", SEI_KEY)
        .input("instance-guid", GUID)
        .input("github-token", GH_TOKEN)
        .input("ci-cd", "cd")
        .input("params", "environment=production\nversion=3.29.5");
    let out = env.run(Path::new(BIN));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("from the workflow_run event"), "{stdout}");

    let asked: Vec<String> = github
        .exchanges()
        .iter()
        .map(|e| e.request.target.clone())
        .collect();
    assert!(
        asked
            .iter()
            .filter(|a| a.contains("/actions/runs/"))
            .all(|a| a.contains("/runs/16620109074/attempts/1")),
        "the upstream run, not the reporter's: {asked:?}"
    );
    // Its previous success is looked up from the event, with the run (round 1).
    assert!(
        asked.iter().any(|a| {
            a.contains(
            "/actions/workflows/test.yml/runs?status=success\
             &branch=dependabot%2Fgithub_actions%2Fgithub%2Fcodeql-action-3.29.5&event=pull_request"
        )
        }),
        "{asked:?}"
    );
    // The run, its jobs, the previous success, the repository's workflows (job identity), and
    // the head commit's deployments: `ci-cd: cd` does not need them to decide, but the
    // `deployed_to:` parameters and a deployment's commits do (issue 18).
    assert_eq!(asked.len(), 5, "{asked:?}");
    let received = sei.received();
    assert_eq!(received.len(), 1);
    let payload = received[0].payload.clone().unwrap();
    assert_eq!(payload["pipeline"], "Build & Test");
    assert_eq!(
        payload["job_full_name"],
        "step-security/skip-duplicate-actions/Build & Test"
    );
    assert_eq!(payload["build_number"], 1_000_037_901);
    assert_eq!(payload["execution_id"], "16620109074-1");
    assert_eq!(payload["cd"], true);
    assert_eq!(payload["ci"], false);
    assert_eq!(
        payload["job_run_params"],
        json!([
            {"type": "StringParameterValue", "name": "github_event", "value": "pull_request"},
            {"type": "StringParameterValue", "name": "github_branch",
             "value": "dependabot/github_actions/github/codeql-action-3.29.5"},
            {"type": "StringParameterValue", "name": "github_run_attempt", "value": "1"},
            {"type": "StringParameterValue", "name": "github_workflow_file",
             "value": ".github/workflows/test.yml"},
            {"type": "StringParameterValue", "name": "environment", "value": "production"},
            {"type": "StringParameterValue", "name": "version", "value": "3.29.5"}
        ])
    );
    assert_eq!(payload["job_run"]["stages"].as_array().unwrap().len(), 5);
    insta::assert_json_snapshot!("workflow_run_payload", payload);
    assert_eq!(env.outputs()["status"], "delivered");
    assert_no_secret(&env, &out, &[SEI_KEY, GH_TOKEN]);
}

#[test]
fn fail_on_error_turns_a_failed_report_into_exit_1() {
    let github = GitHub::new().token(GH_TOKEN).start();
    let sei = sei();
    let mut env = in_workflow(&github, &sei);
    env.input("fail-on-error", "true");
    let out = env.run(Path::new(BIN));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(env.outputs()["status"], "failed");
}

#[test]
fn refused_key_is_reported_with_what_to_check() {
    let github = otel_github(100);
    let sei = Sei::new()
        .key(&sei_cicd_testkit::sei::api_key("another"))
        .start();
    let env = in_workflow(&github, &sei);
    let out = env.run(Path::new(BIN));
    let (stdout, _) = text(&out);
    assert!(out.status.success());
    let error = stdout.lines().find(|l| l.starts_with("::error::")).unwrap();
    assert!(
        error.contains("HTTP 401") && error.contains("sei-token"),
        "{error}"
    );
    assert!(error.contains("most likely the key"), "{error}");
    let outputs = env.outputs();
    assert_eq!(outputs["status"], "failed");
    assert_eq!(outputs["http-status"], "401");
    assert!(
        error.contains(&outputs["payload-file"]),
        "says where the payload is kept"
    );
    let auth: Vec<_> = sei
        .received()
        .into_iter()
        .map(|r| r.authorization)
        .collect();
    assert_eq!(
        auth,
        [Some(format!("ApiKey {SEI_KEY}"))],
        "a refused key is not sent again, nor sent another way"
    );
    assert_no_secret(&env, &out, &[SEI_KEY, GH_TOKEN]);
}

#[test]
fn enterprise_server_api_path_is_used_as_given() {
    let github = GitHub::new()
        .token(GH_TOKEN)
        .prefix("/api/v3")
        .otel_run()
        .start();
    let sei = sei();
    let mut env = in_workflow(&github, &sei);
    env.var("GITHUB_API_URL", &format!("{}/api/v3", github.url()))
        .var("GITHUB_SERVER_URL", "https://ghe.example.com");
    let out = env.run(Path::new(BIN));
    assert!(out.status.success());
    assert!(github
        .exchanges()
        .iter()
        .all(|e| e.request.target.starts_with("/api/v3/repos/")));
    let payload = sei.received()[0].payload.clone().unwrap();
    assert_eq!(payload["instance_url"], "https://ghe.example.com");
    // The clone URL on the Enterprise Server (issue 18: SEI parses the repository from it).
    assert_eq!(
        payload["repo_url"],
        format!("https://ghe.example.com/{OTEL_REPO}.git")
    );
}

#[test]
fn dry_run_prints_the_payload_and_sends_nothing() {
    let github = otel_github(100);
    let sei = sei();
    let mut env = in_workflow(&github, &sei);
    env.input("dry-run", "true").input("sei-token", "");
    let out = env.run(Path::new(BIN));
    let (stdout, _) = text(&out);
    assert!(out.status.success());
    assert!(
        stdout.contains("::group::SEI payload (dry run: nothing sent)"),
        "{stdout}"
    );
    assert!(stdout.contains("\"job_full_name\": \"corentinmusard/otel-cicd-action/Build\""));
    assert!(sei.received().is_empty());
    assert_eq!(env.outputs()["status"], "dry-run");
    assert!(env
        .summary()
        .starts_with("### 🧪 SEI: dry run, nothing sent\n"));
}

#[test]
fn a_thousand_jobs_arrive_whole_in_ten_pages_fetched_together() {
    let (run, jobs) = fixtures::synthetic(777, 1000, 3, |i| i == 500);
    // A network in between, so "sent together" shows in the timings.
    let github = GitHub::new()
        .token(GH_TOKEN)
        .latency(std::time::Duration::from_millis(100))
        .run("acme/big-matrix", run, jobs)
        .start();
    let sei = sei();
    let mut env = ActionEnv::new("acme/big-matrix", 777, "push", &github.url());
    env.input("sei-url", &sei.url())
        .input("sei-token", SEI_KEY)
        .input("instance-guid", GUID)
        .input("github-token", GH_TOKEN);
    let out = env.run(Path::new(BIN));
    assert!(out.status.success(), "{:?}", text(&out));
    // The run, 10 pages, the previous success, the deployments of the head commit, the
    // repository's workflows.
    assert_eq!(github.exchanges().len(), 1 + 10 + 3);
    assert!(
        sei_cicd_testkit::http::critical_path(&github.exchanges()) <= 2,
        "run + first page together, then the other nine together (and the look-ups)"
    );
    let payload = sei.received()[0].payload.clone().unwrap();
    assert_eq!(payload["job_run"]["stages"].as_array().unwrap().len(), 1000);
    assert_eq!(payload["result"], "FAILURE");
}

/// GitHub's connections are closed once the run is read, before SEI is sent the payload: a
/// report does not hold GitHub's idle connections and their buffers (a page of jobs each) while
/// it builds and posts the payload (its peak memory, docs/benchmarks.md).
#[test]
fn githubs_connections_are_closed_before_the_payload_is_posted() {
    let github = otel_github(3); // two pages
                                 // SEI answers late: the post waits for the instance check, GitHub's reading does not.
    let sei = Sei::new()
        .key(SEI_KEY)
        .instance(GUID)
        .latency(std::time::Duration::from_millis(300))
        .start();
    let env = in_workflow(&github, &sei);
    let out = env.run(Path::new(BIN));
    assert!(out.status.success(), "{:?}", text(&out));
    let posted = sei
        .server
        .exchanges()
        .into_iter()
        .find(|e| e.request.method == "POST")
        .expect("the payload was posted")
        .received;
    let hang_ups = github.hang_ups();
    assert!(github.connections() > 0);
    assert_eq!(
        hang_ups.len(),
        github.connections(),
        "every connection to GitHub closed by the reporter"
    );
    assert!(
        hang_ups.iter().all(|&t| t < posted),
        "GitHub's connections closed at {hang_ups:?}, the payload posted at {posted:?}"
    );
}

/// A big matrix: `jobs` jobs of 30 steps, one failed job in 50.
fn big_run(jobs: usize) -> (Server, SeiServer, ActionEnv) {
    let (run, jobs) = fixtures::synthetic(778, jobs, 30, |i| i % 50 == 7);
    let github = GitHub::new()
        .token(GH_TOKEN)
        .run("acme/big-matrix", run, jobs)
        .start();
    let sei = sei();
    let mut env = ActionEnv::new("acme/big-matrix", 778, "push", &github.url());
    env.input("sei-url", &sei.url())
        .input("sei-token", SEI_KEY)
        .input("instance-guid", GUID)
        .input("github-token", GH_TOKEN);
    (github, sei, env)
}

#[test]
fn a_thousand_jobs_of_thirty_steps_are_accepted_whole() {
    let (_github, sei, env) = big_run(1000);
    let out = env.run(Path::new(BIN));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(!stdout.contains("::warning::"), "{stdout}");
    let received = sei.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].status, 202);
    assert!(
        received[0].problems.is_empty(),
        "{:?}",
        received[0].problems
    );
    let payload = received[0].payload.as_ref().unwrap();
    let stages = payload["job_run"]["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 1000);
    let steps: usize = stages
        .iter()
        .map(|s| s["steps"].as_array().unwrap().len())
        .sum();
    assert_eq!(steps, 30_000);
    let bytes = sei.webhook_exchanges()[0].request.body.len();
    assert!(
        (5_000_000..9_000_000).contains(&bytes),
        "about 6 MB: {bytes}"
    );
    assert!(
        stdout.contains("1000 stages, 30000 steps; payload"),
        "{stdout}"
    );
}

#[test]
fn max_payload_bytes_drops_steps_of_passed_stages_and_keeps_every_stage() {
    let (_github, sei, mut env) = big_run(100);
    env.input("max-payload-bytes", "200kB");
    let out = env.run(Path::new(BIN));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let body = &sei.webhook_exchanges()[0].request.body;
    assert!(body.len() <= 200_000, "{}", body.len());
    let received = sei.received();
    assert_eq!(received[0].status, 202);
    let payload = received[0].payload.as_ref().unwrap();
    let stages = payload["job_run"]["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 100, "stages are never dropped");
    for s in stages {
        let steps = s["steps"].as_array().unwrap().len();
        assert!(steps == 0 || steps == 30, "all or none: {steps}");
        if s["result"] == "FAILURE" {
            assert_eq!(steps, 30, "failed stages keep their steps");
        }
    }
    let warning = stdout
        .lines()
        .find(|l| l.starts_with("::warning::"))
        .unwrap_or_else(|| panic!("a warning: {stdout}"));
    assert!(
        warning.contains("over `max-payload-bytes` (200000): dropped the")
            && warning.contains("every stage is kept. Now"),
        "{warning}"
    );
    // The copy kept for the workflow is the payload that was sent.
    let saved = std::fs::read(&env.outputs()["payload-file"]).unwrap();
    assert_eq!(&saved, body);
}
