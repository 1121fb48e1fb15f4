//! End to end, what arrives at SEI and how it is stored: the real binary on the action's default
//! inputs (as the runner passes them), against the loopback SEI that answers like the real
//! server (`Bearer <api key>` is a 500 on every try, a wrong `ApiKey` a 401, runs of unknown
//! instances dropped after the 202, the first report of each (job, build number) kept).

use sei_cicd_testkit::action::{assert_no_secret, text, ActionEnv};
use sei_cicd_testkit::fixtures::{self, OTEL_REPO, OTEL_RUN, SKIP_DUP_REPO};
use sei_cicd_testkit::github::GitHub;
use sei_cicd_testkit::http::Server;
use sei_cicd_testkit::sei::{api_key, session_token, Sei, SeiServer};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Output;

const BIN: &str = env!("CARGO_BIN_EXE_sei-cicd");
const GH_TOKEN: &str = "ghs_arrivalGitHubToken00000000000000";
const GUID: &str = "89d2491c-764a-4f77-93d9-18e8e372b795";

fn key() -> String {
    api_key("arrival")
}

fn otel_github() -> Server {
    GitHub::new().token(GH_TOKEN).otel_run().start()
}

/// A step inside the recorded run (`on: push`) on the action's defaults, with `key`.
fn step(github: &Server, sei_url: &str, key: &str) -> ActionEnv {
    let mut env = ActionEnv::new(OTEL_REPO, OTEL_RUN, "push", &github.url());
    env.event(&json!({"ref": "refs/heads/main", "repository": {"full_name": OTEL_REPO}}))
        .action_defaults(GH_TOKEN)
        .input("sei-url", sei_url)
        .input("sei-token", key)
        .input("instance-guid", GUID);
    env
}

/// A loopback URL with nothing listening.
fn closed_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

fn stdout(out: &Output) -> String {
    text(out).0
}

fn errors(out: &Output) -> Vec<String> {
    stdout(out)
        .lines()
        .filter_map(|l| l.strip_prefix("::error::"))
        .map(str::to_owned)
        .collect()
}

fn authorizations(sei: &SeiServer) -> Vec<String> {
    sei.webhook_exchanges()
        .iter()
        .map(|e| e.request.header("authorization").unwrap_or("").to_owned())
        .collect()
}

#[test]
fn an_sei_api_key_goes_as_apikey_and_is_stored() {
    let (github, key) = (otel_github(), key());
    let sei = Sei::new().key(&key).instance(GUID).start();
    let env = step(&github, &sei.url(), &key);
    let out = env.run(Path::new(BIN));
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(env.outputs()["status"], "delivered");
    assert_eq!(authorizations(&sei), [format!("ApiKey {key}")]);
    assert_eq!(sei.runs().len(), 1);
    assert_no_secret(&env, &out, &[&key, GH_TOKEN]);
}

#[test]
fn a_session_token_goes_as_bearer() {
    let (github, jwt) = (otel_github(), session_token("arrival"));
    let sei = Sei::new().session(&jwt).instance(GUID).start();
    let env = step(&github, &sei.url(), &jwt);
    let out = env.run(Path::new(BIN));
    assert_eq!(env.outputs()["status"], "delivered", "{:?}", text(&out));
    assert_eq!(authorizations(&sei), [format!("Bearer {jwt}")]);
    assert_no_secret(&env, &out, &[&jwt, GH_TOKEN]);
}

#[test]
fn a_wrong_key_is_sent_once_then_named() {
    let github = otel_github();
    let sei = Sei::new().key(&key()).instance(GUID).start();
    let wrong = api_key("someone-else");
    let env = step(&github, &sei.url(), &wrong);
    let out = env.run(Path::new(BIN));
    assert!(out.status.success(), "never fails the job by default");
    assert_eq!(env.outputs()["status"], "failed");
    assert_eq!(env.outputs()["http-status"], "401");
    assert_eq!(
        authorizations(&sei),
        [format!("ApiKey {wrong}")],
        "a refused key is not sent again"
    );
    let e = &errors(&out)[0];
    assert!(
        e.contains("most likely the key in `sei-token` or its region"),
        "{e}"
    );
    assert!(sei.runs().is_empty());
    assert_no_secret(&env, &out, &[&wrong, GH_TOKEN]);
}

#[test]
fn an_api_key_pinned_to_bearer_gets_500_and_stops_after_two_tries() {
    let (github, key) = (otel_github(), key());
    let sei = Sei::new().key(&key).instance(GUID).start();
    let mut env = step(&github, &sei.url(), &key);
    env.input("auth-scheme", "bearer");
    let out = env.run(Path::new(BIN));
    assert_eq!(env.outputs()["status"], "failed");
    assert_eq!(env.outputs()["http-status"], "500");
    assert_eq!(
        authorizations(&sei),
        vec![format!("Bearer {key}"); 2],
        "two attempts, not five, and never another scheme"
    );
    let e = &errors(&out)[0];
    for needle in [
        "HTTP 500 to all 2 attempts,",
        "`sei-token`",
        "sent as `Bearer` (`auth-scheme: bearer`)",
        &format!("to {}:", sei.url()),
    ] {
        assert!(e.contains(needle), "{needle:?} in {e}");
    }
}

#[test]
fn every_form_of_a_pasted_base_posts_to_the_webhook() {
    let (github, key) = (otel_github(), key());
    let sei = Sei::new().key(&key).instance(GUID).start();
    let url = sei.url();
    let forms = [
        (url.clone(), "/v1/custom-cicd"),
        (format!("{url}/"), "/v1/custom-cicd"),
        (format!("{url}/v1"), "/v1/custom-cicd"),
        (format!("{url}/v1/"), "/v1/custom-cicd"),
        (format!("{url}/v1/custom-cicd"), "/v1/custom-cicd"),
        (
            format!("{url}/gratis/sei/api/v1/"),
            "/gratis/sei/api/v1/custom-cicd",
        ),
        (
            format!("{url}/gratis/sei/api"),
            "/gratis/sei/api/v1/custom-cicd",
        ),
    ];
    for (base, _) in &forms {
        let env = step(&github, base, &key);
        let out = env.run(Path::new(BIN));
        assert_eq!(
            env.outputs()["status"],
            "delivered",
            "{base}: {:?}",
            text(&out)
        );
    }
    let paths: Vec<String> = sei.received().iter().map(|r| r.path.clone()).collect();
    let expected: Vec<String> = forms.iter().map(|(_, p)| p.to_string()).collect();
    assert_eq!(paths, expected, "never /v1/v1/custom-cicd");
    let looked: Vec<String> = sei
        .other_requests()
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert!(
        looked
            .iter()
            .all(|p| p.ends_with(&format!("/v1/cicd/instances/{GUID}")) && !p.contains("/v1/v1/")),
        "{looked:?}"
    );
}

/// A run of `attempt` of the recorded run, failed or not, as GitHub would show it.
fn attempt(n: u64, failed: bool) -> (Value, Vec<Value>) {
    let (mut run, mut jobs) = if n == 1 {
        (fixtures::otel_run(), fixtures::otel_jobs())
    } else {
        fixtures::otel_attempt_two()
    };
    if failed {
        run["conclusion"] = json!("failure");
        let last = jobs.len() - 1;
        jobs[last]["conclusion"] = json!("failure");
    }
    (run, jobs)
}

/// The recorded run, its attempt 1 failed and its attempt 2 green.
fn failed_then_rerun_to_green() -> Server {
    let (run1, jobs1) = attempt(1, true);
    let (run2, jobs2) = attempt(2, false);
    GitHub::new()
        .token(GH_TOKEN)
        .run(OTEL_REPO, run1, jobs1)
        .run(OTEL_REPO, run2, jobs2)
        .start()
}

/// A reporter in another workflow, given `run-id` and `run-attempt`.
fn reporter(github: &Server, sei: &SeiServer, key: &str, attempt: u64) -> ActionEnv {
    let mut env = ActionEnv::new(OTEL_REPO, 999, "workflow_dispatch", &github.url());
    env.action_defaults(GH_TOKEN)
        .input("sei-url", &sei.url())
        .input("sei-token", key)
        .input("instance-guid", GUID)
        .input("run-id", &OTEL_RUN.to_string())
        .input("run-attempt", &attempt.to_string());
    env
}

#[test]
fn a_failed_attempt_and_its_green_rerun_are_two_runs_in_sei() {
    let (key, github) = (key(), failed_then_rerun_to_green());
    let sei = Sei::new().key(&key).instance(GUID).start();
    for n in [1, 2, 2] {
        let env = reporter(&github, &sei, &key, n);
        let out = env.run(Path::new(BIN));
        assert_eq!(env.outputs()["status"], "delivered", "{:?}", text(&out));
    }
    let runs = sei.runs();
    let job = format!("{OTEL_REPO}/Build");
    assert_eq!(runs.len(), 2, "{:?}", runs.keys());
    let first = &runs[&(job.clone(), 1_000_006_701)];
    let second = &runs[&(job.clone(), 1_000_006_702)];
    assert_eq!(first["result"], "FAILURE");
    assert_eq!(first["execution_id"], format!("{OTEL_RUN}-1"));
    assert_eq!(second["result"], "SUCCESS");
    assert_eq!(second["execution_id"], format!("{OTEL_RUN}-2"));
    assert_eq!(
        second["trigger_chain"][0],
        json!({"id": "release-manager", "type": "UserIdCause",
               "job_run_number": 1_000_006_701u64, "rerun_of_attempt": 1})
    );
    assert_eq!(sei.duplicates(), 1, "the same attempt again is stored once");
}

#[test]
fn run_number_build_numbers_keep_the_first_attempt_only() {
    let (key, github) = (key(), failed_then_rerun_to_green());
    let sei = Sei::new().key(&key).instance(GUID).start();
    for n in [1, 2] {
        let mut env = reporter(&github, &sei, &key, n);
        env.input("build-numbers", "run-number");
        env.run(Path::new(BIN));
    }
    let runs = sei.runs();
    assert_eq!(runs.len(), 1);
    assert_eq!(
        runs[&(format!("{OTEL_REPO}/Build"), 67)]["result"],
        "FAILURE"
    );
}

#[test]
fn two_workflow_files_with_one_name_are_two_jobs() {
    let key = key();
    let repo = "acme/monorepo";
    let run = |id: u64, workflow_id: u64, file: &str| {
        json!({"id": id, "name": "CI", "path": format!(".github/workflows/{file}"),
               "workflow_id": workflow_id, "run_number": 5, "run_attempt": 1,
               "event": "push", "status": "completed", "conclusion": "success",
               "head_branch": "main", "head_sha": "0123456789abcdef0123456789abcdef01234567",
               "created_at": "2025-03-01T10:00:00Z", "run_started_at": "2025-03-01T10:00:00Z",
               "updated_at": "2025-03-01T10:05:00Z", "repository": {"full_name": repo},
               "actor": {"login": "octocat"}, "pull_requests": []})
    };
    let github = GitHub::new()
        .token(GH_TOKEN)
        .run(repo, run(501, 10, "ci.yml"), vec![])
        .run(repo, run(502, 20, "ci-backend.yml"), vec![])
        .start();
    let sei = Sei::new().key(&key).instance(GUID).start();
    for id in [501, 502] {
        let mut env = ActionEnv::new(repo, 1, "workflow_dispatch", &github.url());
        env.action_defaults(GH_TOKEN)
            .input("sei-url", &sei.url())
            .input("sei-token", &key)
            .input("instance-guid", GUID)
            .input("run-id", &id.to_string())
            .input("run-attempt", "1");
        let out = env.run(Path::new(BIN));
        assert_eq!(env.outputs()["status"], "delivered", "{:?}", text(&out));
    }
    let mut jobs: Vec<(String, u64)> = sei.runs().into_keys().collect();
    jobs.sort();
    assert_eq!(
        jobs,
        [
            (format!("{repo}/CI"), 1_000_000_501),
            (format!("{repo}/CI (ci-backend.yml)"), 1_000_000_501)
        ],
        "run 5 of each file is stored, under its own job"
    );
}

#[test]
fn long_matrix_names_stay_distinct_within_fifty_characters() {
    let key = key();
    let (run, mut jobs) = fixtures::synthetic(777, 4, 2, |_| false);
    for (i, job) in jobs.iter_mut().enumerate() {
        job["name"] = json!(format!(
            "Integration tests against the staging cluster (ubuntu-22.04, node 20, shard {i}/4, ✓)"
        ));
        job["steps"][0]["name"] =
            json!("Run docker/build-push-action@0565240e2d4ab88bba5387d719585280857ece09");
    }
    let github = GitHub::new()
        .token(GH_TOKEN)
        .run("acme/big-matrix", run, jobs)
        .start();
    let sei = Sei::new().key(&key).instance(GUID).start();
    let mut env = ActionEnv::new("acme/big-matrix", 777, "push", &github.url());
    env.action_defaults(GH_TOKEN)
        .input("sei-url", &sei.url())
        .input("sei-token", &key)
        .input("instance-guid", GUID);
    let out = env.run(Path::new(BIN));
    assert_eq!(env.outputs()["status"], "delivered", "{:?}", text(&out));
    let payload = sei.received()[0].payload.clone().unwrap();
    let stages = payload["job_run"]["stages"].as_array().unwrap();
    let names: Vec<&str> = stages
        .iter()
        .map(|s| s["displayName"].as_str().unwrap())
        .collect();
    for (i, n) in names.iter().enumerate() {
        assert!(n.chars().count() <= 50, "{n}");
        assert!(
            n.contains(&format!("shard {i}/4")),
            "the matrix values are kept: {n}"
        );
        let d = stages[i]["displayDescription"].as_str().unwrap();
        assert!(
            d.starts_with("Integration tests against the staging cluster (ubuntu"),
            "{d}"
        );
        assert!(d.chars().count() <= 200, "{d}");
        assert_eq!(
            stages[i]["steps"][0]["displayName"],
            "Run build-push-action@0565240"
        );
    }
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 4, "{names:?}");
}

#[test]
fn an_unknown_instance_is_an_error_and_nothing_is_sent() {
    let (github, key) = (otel_github(), key());
    for sei in [
        Sei::new()
            .key(&key)
            .instance("11111111-2222-3333-4444-555555555555")
            .start(),
        Sei::new()
            .key(&key)
            .instance_without_integration(GUID)
            .start(),
    ] {
        let mut env = step(&github, &sei.url(), &key);
        env.input("fail-on-error", "true");
        let out = env.run(Path::new(BIN));
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(env.outputs()["status"], "failed");
        assert!(sei.received().is_empty(), "SEI would drop it: not sent");
        let e = &errors(&out)[0];
        assert!(
            e.starts_with(&format!("input `instance-guid` is `{GUID}`")),
            "{e}"
        );
        assert!(
            e.contains("nothing was sent") && e.contains("sei-cicd instance register"),
            "{e}"
        );
        let kept = &env.outputs()["payload-file"];
        assert!(e.contains(&format!("The payload is kept at {kept}")), "{e}");
        assert!(Path::new(kept).exists());
    }
}

#[test]
fn a_key_that_may_not_read_instances_skips_the_check() {
    let (github, key) = (otel_github(), key());
    let sei = Sei::new()
        .key(&key)
        .instance(GUID)
        .no_instance_read()
        .start();
    let env = step(&github, &sei.url(), &key);
    let out = env.run(Path::new(BIN));
    assert_eq!(env.outputs()["status"], "delivered");
    let log = stdout(&out);
    let debug: Vec<&str> = log.lines().filter(|l| l.starts_with("::debug::")).collect();
    assert_eq!(debug.len(), 1, "{debug:?}");
    assert!(debug[0].contains("Could not check instance") && debug[0].contains("HTTP 403"));
}

#[test]
fn only_a_completed_workflow_run_is_reported() {
    let key = key();
    let github = GitHub::new()
        .token(GH_TOKEN)
        .run(
            SKIP_DUP_REPO,
            fixtures::skip_dup_run(),
            fixtures::skip_dup_jobs(),
        )
        .start();
    let sei = Sei::new().key(&key).instance(GUID).start();
    for action in ["requested", "in_progress", "completed"] {
        let mut event = fixtures::skip_dup_completed_event();
        event["action"] = json!(action);
        let mut env = ActionEnv::new(SKIP_DUP_REPO, 123, "workflow_run", &github.url());
        env.event(&event)
            .action_defaults(GH_TOKEN)
            .input("sei-url", &sei.url())
            .input("sei-token", &key)
            .input("instance-guid", GUID)
            .input("fail-on-error", "true");
        let before = github.exchanges().len();
        let out = env.run(Path::new(BIN));
        assert!(out.status.success(), "{action}: {:?}", text(&out));
        let notice = stdout(&out)
            .lines()
            .find(|l| l.starts_with("::notice::"))
            .map(str::to_owned);
        if action == "completed" {
            assert_eq!(env.outputs()["status"], "delivered");
        } else {
            assert_eq!(env.outputs()["status"], "skipped", "{action}");
            let notice = notice.unwrap();
            assert!(notice.contains(&format!("is `{action}`")), "{notice}");
            assert!(notice.contains("types: [completed]"), "{notice}");
            assert_eq!(
                github.exchanges().len(),
                before,
                "nothing read for {action}"
            );
        }
    }
    assert_eq!(sei.received().len(), 1, "only the completed run");
}

#[test]
fn dependabot_runs_without_a_secret_are_skipped_and_green() {
    let github = otel_github();
    let sei = Sei::new().key(&key()).instance(GUID).start();
    for (event_name, event) in [
        (
            "pull_request",
            json!({"pull_request": {"number": 7,
                "head": {"ref": "dependabot/cargo/serde-1.0.228", "repo": {"full_name": OTEL_REPO}},
                "base": {"ref": "main", "repo": {"full_name": OTEL_REPO}}},
                "sender": {"login": "dependabot[bot]"}}),
        ),
        (
            "push",
            json!({"ref": "refs/heads/dependabot/cargo/serde-1.0.228",
                   "sender": {"login": "dependabot[bot]"}}),
        ),
    ] {
        let mut env = ActionEnv::new(OTEL_REPO, OTEL_RUN, event_name, &github.url());
        env.event(&event)
            .action_defaults(GH_TOKEN)
            .var("GITHUB_ACTOR", "dependabot[bot]")
            .input("sei-url", &sei.url())
            .input("sei-token", "") // GitHub gives Dependabot's runs no secrets.
            .input("instance-guid", GUID)
            .input("fail-on-error", "true");
        let out = env.run(Path::new(BIN));
        assert_eq!(out.status.code(), Some(0), "{event_name}: never red");
        assert!(errors(&out).is_empty(), "{event_name}: {:?}", errors(&out));
        assert_eq!(env.outputs()["status"], "skipped");
        let notices: Vec<String> = stdout(&out)
            .lines()
            .filter(|l| l.starts_with("::notice::"))
            .map(str::to_owned)
            .collect();
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(notices[0].contains("because Dependabot started this run"));
    }
    assert!(sei.received().is_empty() && github.exchanges().is_empty());
}

#[test]
fn an_empty_key_in_someone_elses_push_is_still_an_error() {
    let github = otel_github();
    let sei = Sei::new().key(&key()).instance(GUID).start();
    let mut env = step(&github, &sei.url(), "");
    env.var("GITHUB_ACTOR", "octocat");
    let out = env.run(Path::new(BIN));
    assert_eq!(env.outputs()["status"], "failed");
    assert!(errors(&out)[0].contains("input `sei-token` is empty"));
}

#[test]
fn a_dry_run_never_overwrites_the_payload_a_failed_report_kept() {
    let (github, key) = (otel_github(), key());
    let closed = closed_url();
    let mut env = step(&github, &closed, &key);
    env.input("max-attempts", "1").input("timeout", "2");
    env.run(Path::new(BIN));
    let kept = env.outputs()["payload-file"].clone();
    let before = std::fs::read(&kept).unwrap();
    let mut dry = step(&github, &closed, &key);
    dry.var("RUNNER_TEMP", env.path("temp").to_str().unwrap())
        .input("dry-run", "true");
    let out = dry.run(Path::new(BIN));
    assert_eq!(dry.outputs()["status"], "dry-run", "{:?}", text(&out));
    let dry_file = dry.outputs()["payload-file"].clone();
    assert_ne!(dry_file, kept);
    assert!(dry_file.ends_with(".dry-run.json"), "{dry_file}");
    assert_eq!(
        std::fs::read(&kept).unwrap(),
        before,
        "the kept payload is untouched"
    );
}
