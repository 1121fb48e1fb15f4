//! `sei-cicd verify`, the real binary against the loopback emulators: runs a backfill delivered,
//! then some of them lost by SEI and others stored otherwise (result, end), found, listed in the
//! table, the job summary and `--json`, the missing ones sent again with `--repair`; a key whose
//! role may not list runs; a window older than SEI's 90 days of listing; more runs than one
//! page.

use sei_cicd_testkit::fixtures::Backlog;
use sei_cicd_testkit::github::GitHub;
use sei_cicd_testkit::http::Server;
use sei_cicd_testkit::sei::{api_key, Sei, SeiServer, JOB_RUNS_LIST};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sei-cicd");
const GH_TOKEN: &str = "ghp_verifyTestToken00000000000000000000";
const GUID: &str = "89d2491c-764a-4f77-93d9-18e8e372b795";
const REPO: &str = "acme/api";

fn sei_key() -> String {
    api_key("verify")
}

fn command(github: &Server, sei: &SeiServer, key: &str, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .env_clear()
        .env("GITHUB_API_URL", github.url())
        .env("GITHUB_TOKEN", GH_TOKEN)
        .env("SEI_TOKEN", key)
        .args(["--sei-url", &sei.url(), "--instance-guid", GUID])
        .stdin(Stdio::null());
    c
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The March 2025 window of the backlogs (older than SEI's 90 days of listing by default).
const WINDOW: [&str; 4] = ["--since", "2025-03-01", "--until", "2025-03-31"];

fn backfill(github: &Server, sei: &SeiServer, state: &Path) {
    let mut args = vec![
        "backfill",
        "--repository",
        REPO,
        "--commits",
        "head",
        "--concurrency",
        "16",
    ];
    args.extend(WINDOW);
    let state = state.display().to_string();
    args.extend(["--state", &state]);
    let out = command(github, sei, &sei_key(), &args).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
}

fn verify(github: &Server, sei: &SeiServer, extra: &[&str]) -> Output {
    let mut args = vec!["verify", "--repository", REPO, "--commits", "head"];
    args.extend(WINDOW);
    args.extend_from_slice(extra);
    command(github, sei, &sei_key(), &args).output().unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

#[test]
fn missing_and_different_runs_are_found_and_the_missing_sent_again() {
    let b = Backlog::new(REPO, 20);
    let github = GitHub::new().token(GH_TOKEN).backlog(&b).start();
    let sei = Sei::new().key(&sei_key()).instance(GUID).start();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sweep.state");
    backfill(&github, &sei, &state);
    let stored = sei.runs().len();
    assert_eq!(stored, 21, "20 runs, one of them re-run");

    // All there: exit 0, every attempt stored as sent, the state's deliveries counted.
    let st = state.display().to_string();
    let out = verify(&github, &sei, &["--json", "--state", &st]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doc = json(&out);
    assert_eq!(doc["all_stored"], true);
    assert_eq!(doc["totals"]["attempts"], 21);
    assert_eq!(doc["totals"]["stored"], 21);
    assert_eq!(doc["totals"]["delivered"], 21);

    // SEI lost two runs and stored two others otherwise.
    let key = |i: usize, attempt: u64| {
        let (runs, _) = b.build();
        let run = runs
            .iter()
            .map(|(r, _)| r)
            .find(|r| r["id"] == b.id(i) && r["run_attempt"] == attempt)
            .unwrap()
            .clone();
        let n = 1_000_000_000 + run["run_number"].as_u64().unwrap() * 100 + attempt;
        (format!("{REPO}/{}", run["name"].as_str().unwrap()), n)
    };
    let (lost_a, lost_b, failed, longer) = (key(2, 1), key(10, 1), key(5, 1), key(12, 1));
    sei.alter_runs(|runs| {
        runs.remove(&lost_a).unwrap();
        runs.remove(&lost_b).unwrap();
        runs.get_mut(&failed).unwrap()["result"] = "FAILURE".into();
        let d = runs[&longer]["duration"].as_i64().unwrap();
        runs.get_mut(&longer).unwrap()["duration"] = (d + 90_000).into();
    });
    let summary = dir.path().join("summary.md");
    let out = verify(&github, &sei, &["--json", "--state", &st]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let doc = json(&out);
    assert_eq!(doc["all_stored"], false);
    let t = &doc["totals"];
    assert_eq!(
        (
            t["stored"].as_u64(),
            t["missing"].as_u64(),
            t["different"].as_u64()
        ),
        (Some(17), Some(2), Some(2))
    );
    let attempts = doc["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 4, "{doc:#}");
    let find = |number: u64| {
        attempts
            .iter()
            .find(|a| a["build_number"] == number)
            .unwrap_or_else(|| panic!("{number} in {doc:#}"))
    };
    let a = find(lost_a.1);
    assert_eq!(a["status"], "missing");
    assert_eq!(a["repository"], REPO);
    assert_eq!(a["run_id"], b.id(2));
    assert_eq!(a["attempt"], 1);
    assert_eq!(
        a["delivered"], true,
        "the state says it was delivered: SEI dropped it"
    );
    let f = find(failed.1);
    assert_eq!(f["status"], "different");
    assert_eq!(f["differences"][0]["field"], "result");
    assert_eq!(f["differences"][0]["github"], "SUCCESS");
    assert_eq!(f["differences"][0]["sei"], "FAILURE");
    let l = find(longer.1);
    assert_eq!(l["differences"][0]["field"], "end_time");
    assert_eq!(l["differences"].as_array().unwrap().len(), 1, "{l:#}");

    // How SEI was read: strings of seconds, the 90 days lifted, sorted by start.
    for r in sei
        .reads()
        .iter()
        .filter(|e| e.request.path().ends_with(JOB_RUNS_LIST))
    {
        let body = r.request.json().unwrap();
        assert!(body["filter"]["start_time"]["$gt"].is_string(), "{body}");
        assert_eq!(body["across"], "job_name");
        assert_eq!(body["sort"][0]["id"], "start_time");
    }

    // The table on a terminal, and the job summary.
    let out = command(
        &github,
        &sei,
        &sei_key(),
        &[
            "verify",
            "--repository",
            REPO,
            "--since",
            "2025-03-01",
            "--until",
            "2025-03-31",
        ],
    )
    .env("GITHUB_STEP_SUMMARY", &summary)
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("repository  workflow  attempts  delivered  stored  missing  different"),
        "{stdout}"
    );
    assert!(stdout.contains("Not stored as sent:"), "{stdout}");
    assert!(
        stdout.contains("result SUCCESS in GitHub, FAILURE in SEI"),
        "{stdout}"
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains("### SEI verify") && md.contains("| acme/api | CI |"),
        "{md}"
    );
    assert!(md.contains("**Not stored as sent**"), "{md}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("2 missing, 2 different (--repair sends the missing ones again)"),
        "{stderr}"
    );

    // --repair: the two missing ones go again through the pipeline, and SEI takes them; the
    // two stored otherwise stay so (SEI keeps the first report): exit 1 still.
    let before = sei.received().len();
    let out = verify(&github, &sei, &["--json", "--repair", "--state", &st]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(
        sei.received().len(),
        before + 2,
        "only the missing ones are sent"
    );
    let doc = json(&out);
    assert_eq!(doc["totals"]["repaired"], 2);
    assert_eq!(find(lost_b.1)["status"], "missing");
    let repaired: Vec<&Value> = doc["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["repair"]["taken"] == true)
        .collect();
    assert_eq!(repaired.len(), 2);
    // What was sent again is what the backfill sent.
    assert!(sei.runs().contains_key(&lost_a) && sei.runs().contains_key(&lost_b));

    // SEI fixed, the window is all there again.
    sei.alter_runs(|runs| {
        runs.get_mut(&failed).unwrap()["result"] = "SUCCESS".into();
        let d = runs[&longer]["duration"].as_i64().unwrap();
        runs.get_mut(&longer).unwrap()["duration"] = (d - 90_000).into();
    });
    let out = verify(&github, &sei, &["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        json(&out)["totals"]["delivered"],
        Value::Null,
        "no state, no count"
    );
}

#[test]
fn a_key_whose_role_may_not_list_runs_gets_one_message_naming_the_roles() {
    let b = Backlog::new(REPO, 3);
    let github = GitHub::new().token(GH_TOKEN).backlog(&b).start();
    let reporting_key = api_key("reporting-only");
    let sei = Sei::new()
        .key_with_role(&reporting_key, "LIMITED_USER")
        .instance(GUID)
        .start();
    let mut args = vec!["verify", "--repository", REPO];
    args.extend(WINDOW);
    let out = command(&github, &sei, &reporting_key, &args)
        .output()
        .unwrap();
    let log = text(&out);
    assert_eq!(out.status.code(), Some(2), "{log}");
    assert!(
        log.contains("role is ADMIN, AUDITOR, PUBLIC_DASHBOARD, SUPER_ADMIN or ORG_ADMIN_USER"),
        "{log}"
    );
    assert_eq!(log.matches("error:").count(), 1, "one message: {log}");
    assert!(!log.contains(&reporting_key), "{log}");

    // A key SEI does not know at all: refused as a key, before GitHub is read.
    let before = github.exchanges().len();
    let out = command(&github, &sei, &api_key("unknown"), &args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("SEI refused `sei-token` (HTTP 401"),
        "{}",
        text(&out)
    );
    assert_eq!(github.exchanges().len(), before);
}

#[test]
fn more_runs_than_a_page_of_sei_are_all_read() {
    let b = Backlog {
        every: 60,
        rerun_every: 0,
        deploy_every: 0,
        fail_every: 0,
        jobs: 1,
        ..Backlog::new(REPO, 1_030)
    };
    let github = GitHub::new().token(GH_TOKEN).backlog(&b).start();
    let sei = Sei::new().key(&sei_key()).instance(GUID).start();
    // Stored straight through the webhook, as a report of each run would store it.
    let (runs, _) = b.build();
    for (run, _) in &runs {
        let start = chrono::DateTime::parse_from_rfc3339(run["run_started_at"].as_str().unwrap())
            .unwrap()
            .timestamp_millis();
        let payload = serde_json::json!({
            "pipeline": "CI", "job_full_name": "acme/api/CI", "qualified_name": "acme/api/CI",
            "instance_name": "GitHub Actions", "instance_guid": GUID, "result": "SUCCESS",
            "start_time": start, "duration": 240_000,
            "build_number": 1_000_000_000 + run["run_number"].as_u64().unwrap() * 100 + 1,
        });
        assert_eq!(post(&sei, "/v1/custom-cicd", &sei_key(), &payload).0, 202);
    }
    let out = verify(&github, &sei, &["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(json(&out)["totals"]["stored"], 1_030);
    let pages: Vec<u64> = sei
        .reads()
        .iter()
        .filter(|e| e.request.path().ends_with(JOB_RUNS_LIST))
        .map(|e| e.request.json().unwrap()["page"].as_u64().unwrap())
        .collect();
    // 1,030 runs of one job: two pages of 1,000, the second not full.
    assert_eq!(pages, [0, 1]);
}

/// A raw `POST` to the emulator: the status and the JSON answer.
fn post(sei: &SeiServer, path: &str, key: &str, body: &Value) -> (u16, Value) {
    use std::io::{Read, Write};
    let addr = sei.url().trim_start_matches("http://").to_owned();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    let body = body.to_string();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: ApiKey {key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let json = answer
        .split_once("\r\n\r\n")
        .and_then(|(_, b)| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    (status, json)
}

/// The emulator answers as the server is written, which is what the client is built against:
/// numbers as time filters are a 500, the default `across` lists 90 days only, the default
/// sort is by duration.
#[test]
fn the_emulated_read_endpoint_keeps_sei_s_traps() {
    let b = Backlog::new(REPO, 5);
    let github = GitHub::new().token(GH_TOKEN).backlog(&b).start();
    let sei = Sei::new().key(&sei_key()).instance(GUID).start();
    let dir = tempfile::tempdir().unwrap();
    backfill(&github, &sei, &dir.path().join("state"));
    let numbers =
        serde_json::json!({"filter": {"start_time": {"$gt": 1740787200}}, "across": "job_name"});
    assert_eq!(post(&sei, JOB_RUNS_LIST, &sei_key(), &numbers).0, 500);
    let strings =
        serde_json::json!({"filter": {"start_time": {"$gt": "1740787200"}}, "across": "job_name"});
    let (status, page) = post(&sei, JOB_RUNS_LIST, &sei_key(), &strings);
    assert_eq!((status, page["count"].as_u64()), (200, Some(5)));
    let durations: Vec<u64> = page["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["duration"].as_u64().unwrap())
        .collect();
    assert!(
        durations.windows(2).all(|w| w[0] >= w[1]),
        "longest first: {durations:?}"
    );
    let trend = serde_json::json!({"filter": {}});
    let (_, page) = post(&sei, JOB_RUNS_LIST, &sei_key(), &trend);
    assert_eq!(
        page["count"], 0,
        "March 2025 is past the 90 days of the default `across`"
    );
}
