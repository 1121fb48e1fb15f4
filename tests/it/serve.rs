//! `sei-cicd serve`, the real binary on loopback against the emulators: signed `workflow_run`
//! deliveries (octokit's recorded payloads and the project's recorded runs) reported exactly as
//! `report --run-id --run-attempt` reports them, as a GitHub App (installation tokens from its
//! JWT, checked by the emulated GitHub) and as an organization webhook with a token; missing
//! and wrong signatures refused, and their redelivery taken; other events and actions ignored;
//! a duplicate reported once; SEI failing: retried as `report` retries, the payload kept, the
//! delivery answered at once; a full queue answered 503; the redelivery pass asking for exactly
//! the failed deliveries; a stop that drains, and one that says what it left.

use sei_cicd_testkit::app::{self, listed_delivery, workflow_run_body, Served};
use sei_cicd_testkit::fixtures;
use sei_cicd_testkit::github::GitHub;
use sei_cicd_testkit::http::{Reply, Server};
use sei_cicd_testkit::sei::{api_key, Sei, SeiServer};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_sei-cicd");
const GH_TOKEN: &str = "ghp_serveTestToken00000000000000000000000";
const GUID: &str = "89d2491c-764a-4f77-93d9-18e8e372b795";
const SECRET: &str = "whsec-test-It's a Secret to Everybody";
const APP_ID: u64 = 424242;
const INSTALLATION: u64 = 77;

fn sei_key() -> String {
    api_key("serve")
}

fn sei_server() -> SeiServer {
    Sei::new().key(&sei_key()).instance(GUID).start()
}

/// The octokit `workflow_run` payload's run, served by the emulated GitHub with the recorded
/// otel jobs as its own.
fn octokit_delivery(action: &str) -> Value {
    fixtures::load(&format!("octokit-webhooks__workflow_run.{action}.json"))
}

fn octokit_jobs(run: &Value) -> Vec<Value> {
    fixtures::otel_jobs()
        .into_iter()
        .map(|mut j| {
            j["run_id"] = run["id"].clone();
            j["run_attempt"] = run["run_attempt"].clone();
            j
        })
        .collect()
}

/// `n` copies of the otel run, ids from `first`, each its own run.
fn otel_runs(first: u64, n: u64) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let mut r = fixtures::otel_run();
            r["id"] = json!(first + i);
            r["run_number"] = json!(100 + i);
            r
        })
        .collect()
}

/// The emulated GitHub: the token, the App with one installation, the octokit run and `runs`.
fn github_with(runs: &[Value], latency: Duration) -> GitHub {
    let completed = octokit_delivery("completed")["workflow_run"].clone();
    let mut gh = GitHub::new()
        .token(GH_TOKEN)
        .app(APP_ID, &app::test_key_path(), &[INSTALLATION])
        .latency(latency)
        .run(
            "octo-org/octo-repo",
            completed.clone(),
            octokit_jobs(&completed),
        );
    for r in runs {
        gh = gh.run(fixtures::OTEL_REPO, r.clone(), fixtures::otel_jobs());
    }
    gh
}

/// `sei-cicd serve` as an App, with `extra` flags, on a free port.
fn serve_app(github: &Server, sei: &SeiServer, tmp: &std::path::Path, extra: &[&str]) -> Served {
    let mut c = base(github, sei, tmp);
    c.args(["--app-id", &APP_ID.to_string()])
        .arg("--app-private-key-file")
        .arg(app::test_key_path())
        .args(extra);
    Served::start(c)
}

/// `sei-cicd serve` for an organization webhook read with the token.
fn serve_token(github: &Server, sei: &SeiServer, tmp: &std::path::Path, extra: &[&str]) -> Served {
    let mut c = base(github, sei, tmp);
    c.env("GITHUB_TOKEN", GH_TOKEN).args(extra);
    Served::start(c)
}

fn base(github: &Server, sei: &SeiServer, tmp: &std::path::Path) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("GITHUB_API_URL", github.url())
        .env("SEI_TOKEN", sei_key())
        .env("SEI_CICD_WEBHOOK_SECRET", SECRET)
        .env("TMPDIR", tmp)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(["--sei-url", &sei.url(), "--instance-guid", GUID]);
    c
}

/// What SEI took (202), by execution id, the first of each.
fn stored(sei: &SeiServer) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for r in sei.received().into_iter().filter(|r| r.status == 202) {
        let p = r.payload.unwrap();
        out.entry(p["execution_id"].as_str().unwrap().to_owned())
            .or_insert(p);
    }
    out
}

/// Waits until SEI has taken `n` reports (at most 30 s).
fn wait_stored(sei: &SeiServer, n: usize) -> BTreeMap<String, Value> {
    let until = Instant::now() + Duration::from_secs(30);
    while Instant::now() < until {
        let s = stored(sei);
        if s.len() >= n {
            return s;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    stored(sei)
}

fn body(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

fn log_text(s: &Served) -> String {
    s.log().join("\n")
}

/// `report --run-id --run-attempt --repository` of the same attempt, alone: its payload.
fn report_alone(github: &Server, repo: &str, id: u64, attempt: u64) -> Value {
    let sei = sei_server();
    let o = Command::new(BIN)
        .env_clear()
        .env("GITHUB_API_URL", github.url())
        .env("GITHUB_TOKEN", GH_TOKEN)
        .env("SEI_TOKEN", sei_key())
        .args(["report", "--repository", repo])
        .args([
            "--run-id",
            &id.to_string(),
            "--run-attempt",
            &attempt.to_string(),
        ])
        .args(["--sei-url", &sei.url(), "--instance-guid", GUID])
        .output()
        .unwrap();
    let got = stored(&sei);
    assert_eq!(got.len(), 1, "{}", String::from_utf8_lossy(&o.stderr));
    got.into_values().next().unwrap()
}

#[test]
fn signed_deliveries_are_reported_exactly_as_report_reports_them() {
    let runs = otel_runs(fixtures::OTEL_RUN, 1);
    let gh = github_with(&runs, Duration::ZERO);
    let hooks = gh.hooks();
    let github = gh.start();
    let sei = sei_server();
    let tmp = tempfile::tempdir().unwrap();
    let served = serve_app(&github, &sei, tmp.path(), &["--redeliver-every", "0"]);

    // octokit's recorded payload, as the App's webhook sends it (GitHub adds `installation`).
    let mut octokit = octokit_delivery("completed");
    octokit["installation"] = json!({"id": INSTALLATION});
    let a = app::deliver(
        served.addr,
        "workflow_run",
        "guid-octokit",
        &body(&octokit),
        Some(SECRET),
    );
    assert_eq!(a.status, 202, "{}", a.body);
    // A recorded run of the project's fixtures.
    let otel = workflow_run_body("completed", &runs[0], Some(INSTALLATION));
    let a = app::deliver(
        served.addr,
        "workflow_run",
        "guid-otel",
        &body(&otel),
        Some(SECRET),
    );
    assert_eq!(a.status, 202, "{}", a.body);

    let got = wait_stored(&sei, 2);
    assert_eq!(got.len(), 2, "{}", log_text(&served));
    assert_eq!(
        got["289782451-1"],
        report_alone(&github, "octo-org/octo-repo", 289782451, 1),
        "the octokit run"
    );
    assert_eq!(
        got[&format!("{}-1", fixtures::OTEL_RUN)],
        report_alone(&github, fixtures::OTEL_REPO, fixtures::OTEL_RUN, 1),
        "the otel run"
    );
    // One installation token for both, made from a JWT the emulator checked.
    let st = hooks.state();
    assert_eq!(st.issued.len(), 1, "{:?}", st.issued);
    assert_eq!(st.refused, 0);
    drop(st);

    // Every line is JSON with its ids; no secret, signature or token in any of them.
    let entries = served.entries();
    assert_eq!(entries.len(), served.log().len(), "{}", log_text(&served));
    let done = entries
        .iter()
        .find(|e| {
            e["delivery"] == "guid-otel"
                && e["msg"]
                    .as_str()
                    .unwrap()
                    .starts_with("delivered to SEI: HTTP 202")
        })
        .unwrap_or_else(|| panic!("{}", log_text(&served)));
    assert_eq!(done["run_id"], fixtures::OTEL_RUN);
    assert_eq!(done["run_attempt"], 1);
    assert_eq!(done["repository"], fixtures::OTEL_REPO);
    let all = log_text(&served);
    for secret in [SECRET, &sei_key(), GH_TOKEN, "sha256=", "ghs_test"] {
        assert!(!all.contains(secret), "{secret} in\n{all}");
    }
}

#[test]
fn an_app_on_enterprise_server_is_reached_under_its_api_path() {
    let runs = otel_runs(9_000_000_601, 1);
    let gh = github_with(&runs, Duration::ZERO).prefix("/api/v3");
    let hooks = gh.hooks();
    let github = gh.start();
    let sei = sei_server();
    let tmp = tempfile::tempdir().unwrap();
    let mut c = base(&github, &sei, tmp.path());
    c.env("GITHUB_API_URL", format!("{}/api/v3", github.url()))
        .args(["--app-id", &APP_ID.to_string(), "--redeliver-every", "0"])
        .arg("--app-private-key-file")
        .arg(app::test_key_path());
    let served = Served::start(c);
    let b = body(&workflow_run_body(
        "completed",
        &runs[0],
        Some(INSTALLATION),
    ));
    let a = app::deliver(served.addr, "workflow_run", "ghes-1", &b, Some(SECRET));
    assert_eq!(a.status, 202);
    assert_eq!(wait_stored(&sei, 1).len(), 1, "{}", log_text(&served));
    assert_eq!(hooks.state().issued.len(), 1);
    let paths: Vec<String> = github
        .exchanges()
        .iter()
        .map(|e| e.request.path().to_owned())
        .collect();
    assert!(paths.iter().all(|p| p.starts_with("/api/v3/")), "{paths:?}");
    assert!(paths.contains(&format!(
        "/api/v3/app/installations/{INSTALLATION}/access_tokens"
    )));

    // A delivery from an installation the App does not have: not reported, said, left for the
    // sweep; the delivery was still taken at once.
    let runs = otel_runs(9_000_000_611, 1);
    let b = body(&workflow_run_body("completed", &runs[0], Some(999)));
    let a = app::deliver(served.addr, "workflow_run", "ghes-2", &b, Some(SECRET));
    assert_eq!(a.status, 202);
    let failed = served
        .wait_for("installation 999", Duration::from_secs(30))
        .unwrap_or_else(|| panic!("{}", log_text(&served)));
    assert_eq!(failed["level"], "error");
    assert_eq!(failed["delivery"], "ghes-2");
}

#[test]
fn missing_and_wrong_signatures_are_refused_and_their_redelivery_taken() {
    let runs = otel_runs(9_000_000_001, 1);
    let github = github_with(&runs, Duration::ZERO).start();
    let sei = sei_server();
    let tmp = tempfile::tempdir().unwrap();
    let served = serve_token(&github, &sei, tmp.path(), &[]);
    let b = body(&workflow_run_body("completed", &runs[0], None));
    let a = app::deliver(served.addr, "workflow_run", "guid-1", &b, None);
    assert_eq!(a.status, 401, "{}", a.body);
    let a = app::deliver(
        served.addr,
        "workflow_run",
        "guid-1",
        &b,
        Some("another secret"),
    );
    assert_eq!(a.status, 401, "{}", a.body);
    // A body changed on the way, signed for the original.
    let headers = [
        ("X-GitHub-Event", "workflow_run".to_owned()),
        ("X-GitHub-Delivery", "guid-1".to_owned()),
        ("X-Hub-Signature-256", app::sign(SECRET, &b)),
    ];
    let mut changed = b.clone();
    changed.push(b' ');
    let a = app::request(served.addr, "POST", "/webhook", &headers, &changed).unwrap();
    assert_eq!(a.status, 401, "{}", a.body);
    std::thread::sleep(Duration::from_millis(300));
    assert!(sei.received().is_empty(), "nothing reported");
    assert_eq!(
        github.exchanges().len(),
        0,
        "nothing of a refused body is used"
    );
    // GitHub redelivers it under the same id: taken.
    let a = app::deliver(served.addr, "workflow_run", "guid-1", &b, Some(SECRET));
    assert_eq!(a.status, 202, "{}", a.body);
    assert_eq!(wait_stored(&sei, 1).len(), 1);
    let metrics = served.get("/metrics").body;
    assert!(
        metrics.contains("sei_cicd_deliveries_total{event=\"-\",outcome=\"unauthorized\"} 3"),
        "{metrics}"
    );
}

#[test]
fn other_events_and_actions_are_ignored_ping_answered_and_health_told() {
    let github = github_with(&[], Duration::ZERO).start();
    let sei = sei_server();
    let tmp = tempfile::tempdir().unwrap();
    let served = serve_token(&github, &sei, tmp.path(), &[]);
    assert_eq!(served.get("/healthz").status, 200);
    assert_eq!(served.get("/readyz").status, 200);
    let ping = json!({"zen": "Keep it logically awesome.", "hook_id": 12345678});
    let a = app::deliver(served.addr, "ping", "g-ping", &body(&ping), Some(SECRET));
    assert_eq!(
        (a.status, a.body.contains("pong")),
        (200, true),
        "{}",
        a.body
    );
    let requested = octokit_delivery("requested");
    let mut in_progress = requested.clone();
    in_progress["action"] = json!("in_progress");
    in_progress["workflow_run"]["status"] = json!("in_progress");
    for (guid, event, b) in [
        ("g-req", "workflow_run", &requested),
        ("g-prog", "workflow_run", &in_progress),
        (
            "g-job",
            "workflow_job",
            &fixtures::load(
                "octokit-webhooks__workflow_job.completed.success.with-organization.json",
            ),
        ),
    ] {
        let a = app::deliver(served.addr, event, guid, &body(b), Some(SECRET));
        assert_eq!(
            (a.status, a.body.as_str()),
            (200, "{\"status\":\"ignored\"}"),
            "{guid}"
        );
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(sei.received().is_empty());
    assert!(github.exchanges().is_empty(), "nothing read from GitHub");
    let m = served.get("/metrics").body;
    for line in [
        "sei_cicd_deliveries_total{event=\"ping\",outcome=\"ping\"} 1",
        "sei_cicd_deliveries_total{event=\"workflow_run\",outcome=\"ignored\"} 2",
        "sei_cicd_deliveries_total{event=\"workflow_job\",outcome=\"ignored\"} 1",
        "sei_cicd_queue_depth 0",
        "sei_cicd_ready 1",
    ] {
        assert!(m.lines().any(|l| l == line), "no {line:?} in\n{m}");
    }
}

#[test]
fn a_duplicate_delivery_or_run_attempt_is_reported_once() {
    let runs = otel_runs(9_000_000_101, 1);
    let github = github_with(&runs, Duration::ZERO).start();
    let sei = sei_server();
    let tmp = tempfile::tempdir().unwrap();
    let served = serve_token(&github, &sei, tmp.path(), &[]);
    let b = body(&workflow_run_body("completed", &runs[0], None));
    let first = app::deliver(served.addr, "workflow_run", "guid-a", &b, Some(SECRET));
    let again = app::deliver(served.addr, "workflow_run", "guid-a", &b, Some(SECRET));
    let other_hook = app::deliver(served.addr, "workflow_run", "guid-b", &b, Some(SECRET));
    assert_eq!(
        (first.status, again.status, other_hook.status),
        (202, 200, 200)
    );
    assert_eq!(wait_stored(&sei, 1).len(), 1);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(sei.received().len(), 1, "reported once");
    let m = served.get("/metrics").body;
    assert!(
        m.contains("sei_cicd_deliveries_total{event=\"workflow_run\",outcome=\"duplicate\"} 2"),
        "{m}"
    );
}

#[test]
fn sei_failing_is_retried_as_report_does_and_the_delivery_answered_at_once() {
    let runs = otel_runs(9_000_000_201, 2);
    let github = github_with(&runs, Duration::ZERO).start();
    // SEI answers slowly and fails: 503 twice (the first report, 2 attempts, gives up), then
    // 503 and 202 (the second, retried).
    let sei = Sei::new()
        .key(&sei_key())
        .instance(GUID)
        .latency(Duration::from_millis(1500))
        .start();
    sei.script().sequence(
        Some("/v1/custom-cicd"),
        [503, 503, 503].map(|s| Reply::text(s, "unavailable")),
    );
    let tmp = tempfile::tempdir().unwrap();
    let served = serve_token(&github, &sei, tmp.path(), &["--max-attempts", "2"]);
    let b0 = body(&workflow_run_body("completed", &runs[0], None));
    let a = app::deliver(served.addr, "workflow_run", "g0", &b0, Some(SECRET));
    assert_eq!(a.status, 202);
    assert!(
        a.took < Duration::from_millis(1500),
        "answered before SEI even answered once: {:?}",
        a.took
    );
    let failed = served
        .wait_for("not delivered", Duration::from_secs(30))
        .unwrap_or_else(|| panic!("{}", log_text(&served)));
    let msg = failed["msg"].as_str().unwrap();
    assert_eq!(failed["level"], "error");
    assert!(msg.contains("the sweep reports the run"), "{msg}");
    let kept = tmp
        .path()
        .join("sei-cicd-serve")
        .join(format!("sei-cicd-payload-{}-1.json", runs[0]["id"]));
    assert!(msg.contains(&kept.display().to_string()), "{msg}");
    let payload: Value = serde_json::from_slice(&std::fs::read(&kept).unwrap()).unwrap();
    assert_eq!(payload["execution_id"], format!("{}-1", runs[0]["id"]));

    // The next report gets a 503, then SEI takes it: retried within the report.
    let b1 = body(&workflow_run_body("completed", &runs[1], None));
    let a = app::deliver(served.addr, "workflow_run", "g1", &b1, Some(SECRET));
    assert_eq!(a.status, 202);
    assert!(a.took < Duration::from_millis(1500), "{:?}", a.took);
    served
        .wait_for("delivered to SEI", Duration::from_secs(30))
        .unwrap_or_else(|| panic!("{}", log_text(&served)));
    let got = stored(&sei);
    assert!(got.contains_key(&format!("{}-1", runs[1]["id"])), "{got:?}");
    let delivered_kept = tmp
        .path()
        .join("sei-cicd-serve")
        .join(format!("sei-cicd-payload-{}-1.json", runs[1]["id"]));
    assert!(!delivered_kept.exists(), "a delivered payload is not kept");
    // A report that failed is forgotten: a later delivery of that attempt is taken.
    let a = app::deliver(served.addr, "workflow_run", "g0", &b0, Some(SECRET));
    assert_eq!(a.status, 202, "{}", a.body);
    assert_eq!(wait_stored(&sei, 2).len(), 2, "{}", log_text(&served));
}

#[test]
fn a_full_queue_answers_503_and_takes_the_delivery_again_later() {
    let runs = otel_runs(9_000_000_301, 6);
    let github = github_with(&runs, Duration::from_millis(400)).start();
    let sei = sei_server();
    let tmp = tempfile::tempdir().unwrap();
    let served = serve_token(
        &github,
        &sei,
        tmp.path(),
        &["--workers", "1", "--queue", "1", "--commits", "head"],
    );
    let mut refused = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let guid = format!("g{i}");
        let b = body(&workflow_run_body("completed", run, None));
        let a = app::deliver(served.addr, "workflow_run", &guid, &b, Some(SECRET));
        assert!(a.status == 202 || a.status == 503, "{a:?}");
        if a.status == 503 {
            assert_eq!(a.body, "{\"status\":\"queue full\"}");
            refused.push((guid, b));
        }
    }
    assert!(refused.len() >= 3, "{} refused", refused.len());
    let m = served.get("/metrics").body;
    assert!(
        m.contains(&format!(
            "sei_cicd_deliveries_total{{event=\"workflow_run\",outcome=\"queue_full\"}} {}",
            refused.len()
        )),
        "{m}"
    );
    // Once there is room again, each is taken as GitHub redelivers it.
    let taken = 6 - refused.len();
    assert_eq!(wait_stored(&sei, taken).len(), taken);
    for (guid, b) in &refused {
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            let a = app::deliver(served.addr, "workflow_run", guid, b, Some(SECRET));
            if a.status == 202 {
                break;
            }
            assert!(Instant::now() < until, "never taken: {guid}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    assert_eq!(wait_stored(&sei, 6).len(), 6, "nothing lost");
}

#[test]
fn the_redelivery_pass_asks_for_exactly_the_failed_deliveries() {
    let now = chrono::Utc::now();
    let at = |minutes: i64| {
        (now - chrono::Duration::minutes(minutes))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    // 150 delivered ones (two pages), and among them:
    let mut list: Vec<Value> = (0..150)
        .map(|i| {
            listed_delivery(
                1000 + i,
                &format!("ok-{i}"),
                &at(10 + i as i64),
                202,
                "completed",
            )
        })
        .collect();
    list.extend([
        // failed, then redelivered successfully: done
        listed_delivery(1, "a", &at(300), 503, "completed"),
        listed_delivery(2000, "a", &at(200), 202, "completed"),
        // failed twice (a timeout last): its newest asked
        listed_delivery(2, "b", &at(290), 503, "completed"),
        listed_delivery(2001, "b", &at(100), 0, "completed"),
        // a failed `requested`: not reported anyway
        listed_delivery(3, "c", &at(280), 503, "requested"),
        // failed 4 days ago: past the window (and what GitHub keeps)
        listed_delivery(4, "d", &at(4 * 24 * 60), 502, "completed"),
        // failed once
        listed_delivery(5, "e", &at(250), 401, "completed"),
    ]);
    let gh = github_with(&[], Duration::ZERO).app_deliveries(list.clone());
    let hooks = gh.hooks();
    let github = gh.start();
    let sei = sei_server();
    let tmp = tempfile::tempdir().unwrap();
    let served = serve_app(&github, &sei, tmp.path(), &[]);
    served
        .wait_for("redelivery pass:", Duration::from_secs(30))
        .unwrap_or_else(|| panic!("{}", log_text(&served)));
    let mut asked = hooks.state().redelivered.clone();
    asked.sort();
    assert_eq!(asked, ["app/2001", "app/5"], "{}", log_text(&served));
    let pages = github
        .exchanges()
        .iter()
        .filter(|e| e.request.path() == "/app/hook/deliveries")
        .count();
    assert_eq!(pages, 2, "two pages of 100");

    // An organization webhook, read with the token.
    let gh = github_with(&[], Duration::ZERO).org_hook_deliveries("acme", 99, list);
    let hooks = gh.hooks();
    let github = gh.start();
    let served = serve_token(
        &github,
        &sei,
        tmp.path(),
        &["--hook-organization", "acme", "--hook-id", "99"],
    );
    served
        .wait_for("redelivery pass:", Duration::from_secs(30))
        .unwrap_or_else(|| panic!("{}", log_text(&served)));
    let mut asked = hooks.state().redelivered.clone();
    asked.sort();
    assert_eq!(asked, ["acme/99/2001", "acme/99/5"]);
}

#[test]
fn a_stop_drains_the_queue_or_says_what_it_left_for_the_sweep() {
    let runs = otel_runs(9_000_000_401, 6);
    let github = github_with(&runs, Duration::from_millis(200)).start();
    let sei = sei_server();
    let tmp = tempfile::tempdir().unwrap();
    let mut served = serve_token(&github, &sei, tmp.path(), &["--workers", "2"]);
    for (i, run) in runs.iter().enumerate() {
        let b = body(&workflow_run_body("completed", run, None));
        let a = app::deliver(
            served.addr,
            "workflow_run",
            &format!("g{i}"),
            &b,
            Some(SECRET),
        );
        assert_eq!(a.status, 202);
    }
    let status = served.stop(Duration::from_secs(30)).expect("it stops");
    assert!(status.success(), "{status:?}\n{}", log_text(&served));
    assert_eq!(stored(&sei).len(), 6, "every delivery taken was reported");
    assert!(
        served
            .wait_for("stopped: every delivery taken was reported", Duration::ZERO)
            .is_some(),
        "{}",
        log_text(&served)
    );

    // GitHub too slow for the drain's deadline: what is left is said, run by run.
    let runs = otel_runs(9_000_000_501, 3);
    let github = github_with(&runs, Duration::from_secs(3)).start();
    let sei = sei_server();
    let mut served = serve_token(
        &github,
        &sei,
        tmp.path(),
        &["--workers", "1", "--drain-timeout", "1"],
    );
    for (i, run) in runs.iter().enumerate() {
        let b = body(&workflow_run_body("completed", run, None));
        let a = app::deliver(
            served.addr,
            "workflow_run",
            &format!("s{i}"),
            &b,
            Some(SECRET),
        );
        assert_eq!(a.status, 202);
    }
    let started = Instant::now();
    let status = served.stop(Duration::from_secs(30)).expect("it stops");
    assert!(status.success());
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let left: Vec<Value> = served
        .entries()
        .into_iter()
        .filter(|e| e["msg"] == "left for the sweep: not reported before the stop")
        .collect();
    assert_eq!(left.len(), 3, "{}", log_text(&served));
    assert_eq!(left[0]["run_id"], runs[0]["id"]);
    assert_eq!(left[0]["delivery"], "s0");
    assert!(served
        .wait_for("3 run attempt(s) taken and not reported", Duration::ZERO)
        .is_some());
}
