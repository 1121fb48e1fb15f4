//! Faults and bad input, end to end: the real binary, started as the runner starts it, against
//! the loopback GitHub and SEI emulators with scripted faults. Every scenario also checks what
//! must hold whatever happens: the job is not failed (no `fail-on-error`), no token appears in
//! stdout, stderr, the outputs, the summary or the payload file, the outputs and the summary are
//! whole or absent, and the run reached SEI at most once (or was kept for `replay`).
//!
//! With `SEI_CICD_FAULT_TABLE=<file>`, each scenario appends a row of the issue note's table.

use sei_cicd_testkit::action::{assert_no_secret, parse_outputs, ActionEnv};
use sei_cicd_testkit::fixtures::{self, OTEL_REPO as REPO, OTEL_RUN as RUN};
use sei_cicd_testkit::github::{self as gh, GitHub};
use sei_cicd_testkit::http::{Reply, Server};
use sei_cicd_testkit::proxy::Proxy;
use sei_cicd_testkit::sei::{Sei, SeiServer};
use sei_cicd_testkit::tls::Ca;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const BIN: &str = env!("CARGO_BIN_EXE_sei-cicd");
const GH_TOKEN: &str = "ghs_faultsGitHubToken0000000000000000";
/// An SEI API key as SEI issues them (base64 of {"company","id","key"}).
const SEI_KEY: &str =
    "eyJjb21wYW55IjoiYWNtZSIsImlkIjoia2V5LWZhdWx0cyIsImtleSI6ImZhdWx0cy0wZjljMmI3ZDVlMWEifQ==";
const GUID: &str = "89d2491c-764a-4f77-93d9-18e8e372b795";
const JOB: &str = "corentinmusard/otel-cicd-action/Build";
const OUTPUTS: [&str; 5] = [
    "execution-id",
    "http-status",
    "payload-file",
    "result",
    "status",
];

fn github() -> Server {
    GitHub::new().token(GH_TOKEN).otel_run().start()
}

/// The recorded run's jobs, under another run object.
fn github_with(run: Value) -> Server {
    GitHub::new()
        .token(GH_TOKEN)
        .run(REPO, run, fixtures::otel_jobs())
        .start()
}

fn sei() -> SeiServer {
    Sei::new().key(SEI_KEY).instance(GUID).start()
}

/// A step in the reported run (`on: push`), with a short deadline so retries are quick.
fn step(github: &Server, sei_url: &str) -> ActionEnv {
    let mut env = ActionEnv::new(REPO, RUN, "push", &github.url());
    env.event(&json!({"ref": "refs/heads/main", "repository": {"full_name": REPO}}))
        .input("sei-url", sei_url)
        .input("sei-token", SEI_KEY)
        .input("instance-guid", GUID)
        .input("github-token", GH_TOKEN)
        .input("timeout", "2")
        .input("max-attempts", "3")
        .input("fail-on-error", "");
    env
}

/// One run of the binary and what it left behind.
struct Ran {
    env: ActionEnv,
    out: Output,
    took: Duration,
}

impl Ran {
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }

    fn outputs(&self) -> BTreeMap<String, String> {
        self.env.outputs()
    }

    fn status(&self) -> String {
        self.outputs().get("status").cloned().unwrap_or_default()
    }

    /// The `::error::` annotations.
    fn errors(&self) -> Vec<String> {
        annotations(&self.stdout(), "error")
    }

    fn warnings(&self) -> Vec<String> {
        annotations(&self.stdout(), "warning")
    }

    fn payload_file(&self) -> Option<PathBuf> {
        self.outputs()
            .get("payload-file")
            .filter(|f| !f.is_empty())
            .map(PathBuf::from)
    }
}

fn annotations(stdout: &str, level: &str) -> Vec<String> {
    let prefix = format!("::{level}::");
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(|l| l.replace("%0A", "\n").replace("%25", "%"))
        .collect()
}

/// Runs the step and checks what must hold under any fault.
fn run(env: ActionEnv) -> Ran {
    let started = Instant::now();
    let out = env.run(Path::new(BIN));
    let ran = Ran {
        env,
        out,
        took: started.elapsed(),
    };
    let stdout = ran.stdout();
    if std::env::var_os("SHOW").is_some() {
        eprintln!("{stdout}");
    }
    assert!(
        ran.out.status.success(),
        "a reporting problem never fails the job by default:\n{stdout}"
    );
    assert_no_secret(&ran.env, &ran.out, &[SEI_KEY, GH_TOKEN]);
    assert_whole(&ran.env);
    ran
}

/// The outputs are all there or not at all, the summary is one whole section or nothing, and
/// a payload file named in the outputs is whole JSON.
fn assert_whole(env: &ActionEnv) {
    let text = std::fs::read_to_string(env.path("file_commands/set_output")).unwrap();
    if !text.is_empty() {
        assert!(text.ends_with('\n'), "{text}");
        let names: Vec<String> = parse_outputs(&text).into_keys().collect();
        assert_eq!(names, OUTPUTS, "{text}");
        assert_eq!(text.lines().count(), OUTPUTS.len(), "each once:\n{text}");
    }
    let summary = env.summary();
    if !summary.is_empty() {
        assert!(summary.starts_with("### "), "{summary}");
        assert_eq!(summary.matches("### ").count(), 1, "{summary}");
        assert!(summary.ends_with('\n'), "{summary}");
    }
    if let Some(f) = env.outputs().get("payload-file").filter(|f| !f.is_empty()) {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        assert!(v.is_object());
    }
}

/// The run stored once by SEI, and how many more reports of it SEI ignored.
fn assert_stored_once(sei: &SeiServer, duplicates: usize) {
    let runs = sei.runs();
    assert_eq!(runs.len(), 1, "{:?}", runs.keys());
    assert!(runs.contains_key(&(JOB.to_owned(), fixtures::OTEL_BUILD)));
    assert_eq!(sei.duplicates(), duplicates);
    for r in sei.received().iter().filter(|r| r.status == 202) {
        assert!(r.problems.is_empty(), "{:?}", r.problems);
    }
}

/// `sei-cicd replay <file>` against `sei_url`, the key from SEI_TOKEN.
fn replay(file: &Path, sei_url: &str, extra: &[&str]) -> Output {
    let out = Command::new(BIN)
        .arg("replay")
        .arg(file)
        .args(["--sei-url", sei_url, "--timeout", "2"])
        .args(extra)
        .env_clear()
        .env("SEI_TOKEN", SEI_KEY)
        .output()
        .unwrap();
    for stream in [&out.stdout, &out.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(!text.contains(SEI_KEY), "replay shows the key:\n{text}");
    }
    out
}

/// A row of the issue note's table, when asked for.
fn row(fault: &str, did: &str, outcome: &str) {
    if let Ok(path) = std::env::var("SEI_CICD_FAULT_TABLE") {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        let _ = writeln!(f, "| {fault} | {did} | {outcome} |");
    }
}

/// How many times the first page of the run's jobs was asked for.
fn jobs_reads(github: &Server) -> usize {
    github
        .exchanges()
        .iter()
        .filter(|x| {
            x.request
                .target
                .contains("/attempts/1/jobs?per_page=100&page=1")
        })
        .count()
}

fn json_reply(status: u16) -> Reply {
    Reply::json(status, &json!({"error": "scripted", "status": status}))
}

// ---------------------------------------------------------------------------------------------
// SEI: statuses worth a retry, then success.

fn transient_then_delivered(status: u16, retry_after: Option<&str>) {
    let github = github();
    let sei = sei();
    let mut first = json_reply(status);
    if let Some(ra) = retry_after {
        first = first.header("Retry-After", ra);
    }
    sei.script().push(None, first);
    let ran = run(step(&github, &sei.url()));
    assert_eq!(ran.status(), "delivered", "{}", ran.stdout());
    assert_eq!(ran.outputs()["http-status"], "202");
    assert!(ran.errors().is_empty(), "{:?}", ran.errors());
    assert!(
        ran.stdout()
            .contains(&format!("SEI: HTTP {status}: scripted; trying again in")),
        "{}",
        ran.stdout()
    );
    assert_eq!(sei.script().pending(), 0);
    assert_stored_once(&sei, 0);
    let did = match retry_after {
        Some(ra) => format!("retried after the server's `Retry-After: {ra}`"),
        None => "retried after a backoff".to_owned(),
    };
    row(&format!("SEI {status}, then 202"), &did, "delivered once");
}

#[test]
fn sei_408_is_retried() {
    transient_then_delivered(408, None);
}

#[test]
fn sei_425_is_retried() {
    transient_then_delivered(425, None);
}

#[test]
fn sei_429_is_retried() {
    transient_then_delivered(429, Some("0.2"));
}

#[test]
fn sei_500_is_retried() {
    transient_then_delivered(500, None);
}

#[test]
fn sei_502_is_retried() {
    transient_then_delivered(502, None);
}

#[test]
fn sei_503_is_retried() {
    transient_then_delivered(503, None);
}

#[test]
fn sei_504_is_retried() {
    transient_then_delivered(504, None);
}

#[test]
fn sei_429_with_retry_after_2_waits_two_seconds() {
    let github = github();
    let sei = sei();
    sei.script()
        .push(None, json_reply(429).header("Retry-After", "2"));
    let mut env = step(&github, &sei.url());
    env.input("timeout", "10");
    let ran = run(env);
    assert_eq!(ran.status(), "delivered");
    assert!(ran
        .stdout()
        .contains("trying again in 2 s (attempt 2 of 3)"));
    let posts: Vec<_> = sei.webhook_exchanges();
    assert_eq!(posts.len(), 2);
    let gap = posts[1].received - posts[0].answered;
    assert!(gap >= Duration::from_secs(2), "waited {gap:?}");
    assert!(gap < Duration::from_secs(4), "waited {gap:?}");
    assert_stored_once(&sei, 0);
    row(
        "SEI 429 with `Retry-After: 2`, then 202",
        &format!(
            "waited {:.1} s as asked, then sent again",
            gap.as_secs_f64()
        ),
        "delivered once",
    );
}

#[test]
fn sei_retry_after_as_an_http_date() {
    let github = github();
    let sei = sei();
    // An HTTP date one second ahead (whole seconds: the wait is between 0 and 1 s).
    let at = SystemTime::now() + Duration::from_secs(1);
    let date = chrono::DateTime::<chrono::Utc>::from(at)
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    sei.script()
        .push(None, json_reply(503).header("Retry-After", &date));
    let mut env = step(&github, &sei.url());
    env.input("timeout", "10");
    let ran = run(env);
    assert_eq!(ran.status(), "delivered");
    assert_stored_once(&sei, 0);
    row(
        "SEI 503 with `Retry-After` as an HTTP date, then 202",
        "waited until that date, then sent again",
        "delivered once",
    );
}

#[test]
fn a_slow_answer_inside_the_deadline_is_fine() {
    let github = github();
    let sei = sei();
    sei.script().push(
        None,
        Reply::Handled {
            delay: Duration::from_millis(700),
            cut: false,
        },
    );
    let ran = run(step(&github, &sei.url()));
    assert_eq!(ran.status(), "delivered");
    assert_eq!(sei.webhook_exchanges().len(), 1, "no retry while it waits");
    assert_stored_once(&sei, 0);
    row(
        "SEI answers 202 after 0.7 s (deadline 2 s)",
        "waited for it",
        "delivered once",
    );
}

// ---------------------------------------------------------------------------------------------
// SEI: no answer at all.

#[test]
fn a_reset_mid_response_is_retried() {
    let github = github();
    let sei = sei();
    sei.script().push(None, Reply::CutMidResponse);
    let ran = run(step(&github, &sei.url()));
    assert_eq!(ran.status(), "delivered", "{}", ran.stdout());
    assert!(ran.stdout().contains("SEI: no answer:"), "{}", ran.stdout());
    assert_stored_once(&sei, 0);
    row(
        "SEI resets the connection mid-response, then 202",
        "retried",
        "delivered once",
    );
}

#[test]
fn a_dropped_connection_is_retried() {
    let github = github();
    let sei = sei();
    sei.script().push(None, Reply::drop_connection());
    let ran = run(step(&github, &sei.url()));
    assert_eq!(ran.status(), "delivered", "{}", ran.stdout());
    assert_stored_once(&sei, 0);
    row(
        "SEI closes the connection without a word, then 202",
        "retried",
        "delivered once",
    );
}

#[test]
fn a_report_stored_but_whose_answer_was_lost_is_kept_once() {
    let github = github();
    let sei = sei();
    // SEI stores the run, then the connection breaks: the reporter cannot know, and sends again.
    sei.script().push(
        None,
        Reply::Handled {
            delay: Duration::ZERO,
            cut: true,
        },
    );
    let ran = run(step(&github, &sei.url()));
    assert_eq!(ran.status(), "delivered");
    assert_eq!(sei.webhook_exchanges().len(), 2);
    assert_stored_once(&sei, 1);
    let stored = &sei.runs()[&(JOB.to_owned(), fixtures::OTEL_BUILD)];
    assert_eq!(
        stored["execution_id"], "12456168064-1",
        "the same run, same ids"
    );
    row(
        "SEI stores the run, then the connection breaks before its 202",
        "sent again (same build number and execution id); SEI kept the first",
        "stored once (1 duplicate ignored by SEI)",
    );
}

#[test]
fn a_refused_connection_keeps_the_payload_and_replay_sends_it() {
    let github = github();
    // A port with nothing listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dead = format!("http://127.0.0.1:{port}");
    let ran = run(step(&github, &dead));
    assert_eq!(ran.status(), "failed");
    assert_eq!(ran.outputs()["http-status"], "");
    let errors = ran.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert!(
        e.contains(&format!("could not reach SEI at {dead}/v1/custom-cicd")),
        "{e}"
    );
    // Nothing listens: not worth the deadline's retries; the input to check is named.
    assert!(
        e.contains(&format!(
            "nothing listens at `127.0.0.1:{port}` (connection refused): check `sei-url`"
        )),
        "{e}"
    );
    assert!(!ran.stdout().contains("trying again"), "{}", ran.stdout());
    let file = ran.payload_file().expect("the payload is kept");
    assert!(
        e.contains(&format!("sei-cicd replay {}", file.display())),
        "{e}"
    );
    assert!(
        ran.took < Duration::from_secs(1),
        "at once, not at the deadline: {:?}",
        ran.took
    );

    // Later, SEI is back: the kept file goes out as it was.
    let sei = sei();
    let out = replay(&file, &sei.url(), &[]);
    assert!(out.status.success(), "{:?}", out);
    let received = sei.received();
    assert_eq!(received.len(), 1);
    let sent: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(received[0].payload.as_ref(), Some(&sent), "byte for byte");
    assert_stored_once(&sei, 0);
    // Replaying again is harmless.
    assert!(replay(&file, &sei.url(), &[]).status.success());
    assert_stored_once(&sei, 1);
    row(
        "SEI refuses the connection (nothing listening)",
        "1 attempt (not worth the deadline), then an error naming the address, `sei-url`, the kept file and `sei-cicd replay`",
        "saved for replay; the replay delivered it once (a second replay: ignored duplicate)",
    );
}

#[test]
fn a_server_that_answers_after_the_deadline_is_given_up_on_in_time() {
    let github = github();
    let sei = sei();
    sei.script()
        .push(None, json_reply(202).delayed(Duration::from_secs(8)));
    let mut env = step(&github, &sei.url());
    env.input("timeout", "1");
    let ran = run(env);
    assert_eq!(ran.status(), "failed");
    assert!(ran.took < Duration::from_secs(4), "{:?}", ran.took);
    let e = &ran.errors()[0];
    assert!(e.contains("when the `timeout` of 1 s ran out"), "{e}");
    assert!(e.contains("no answer within 1 s"), "{e}");
    let file = ran.payload_file().unwrap();
    assert!(e.contains("sei-cicd replay"), "{e}");
    assert!(sei.runs().is_empty());
    let out = replay(&file, &sei.url(), &[]);
    assert!(out.status.success());
    assert_stored_once(&sei, 0);
    row(
        "SEI answers after 8 s, `timeout: 1`",
        &format!(
            "cut the attempt at the deadline, stopped after {:.1} s",
            ran.took.as_secs_f64()
        ),
        "saved for replay; replay delivered it once",
    );
}

#[test]
fn a_busy_server_on_every_attempt_is_given_up_on() {
    let github = github();
    let sei = sei();
    sei.script().sequence(
        None,
        (0..3).map(|_| json_reply(503).header("Retry-After", "0")),
    );
    let ran = run(step(&github, &sei.url()));
    assert_eq!(ran.status(), "failed");
    assert_eq!(ran.outputs()["http-status"], "503");
    let e = &ran.errors()[0];
    assert!(e.contains("SEI answered HTTP 503"), "{e}");
    assert!(e.contains("all 3 attempts of `max-attempts`"), "{e}");
    assert!(sei.runs().is_empty());
    row(
        "SEI 503 on every attempt",
        "3 attempts (`max-attempts: 3`), then an error",
        "saved for replay",
    );
}

#[test]
fn a_retry_after_past_the_deadline_is_not_waited_for() {
    let github = github();
    let sei = sei();
    sei.script()
        .push(None, json_reply(429).header("Retry-After", "3600"));
    let ran = run(step(&github, &sei.url()));
    assert_eq!(ran.status(), "failed");
    assert!(
        ran.took < Duration::from_millis(1800),
        "no wait: {:?}",
        ran.took
    );
    let e = &ran.errors()[0];
    assert!(
        e.contains("SEI asked to wait 1h 00m 00s, past the `timeout` of 2 s"),
        "{e}"
    );
    assert_eq!(sei.webhook_exchanges().len(), 1);
    row(
        "SEI 429 with `Retry-After: 3600`",
        "stopped at once: the wait does not fit the deadline",
        "saved for replay",
    );
}

// ---------------------------------------------------------------------------------------------
// SEI: final answers.

/// SEI answers `status` with `body`; `scheme` pins `auth-scheme` (`None`: the default).
fn final_status(status: u16, body: Value, scheme: Option<&str>) -> (Ran, SeiServer) {
    let github = github();
    let sei = Sei::new().key(SEI_KEY).instance(GUID).start();
    sei.script()
        .sequence(None, (0..2).map(|_| Reply::json(status, &body)));
    let mut env = step(&github, &sei.url());
    if let Some(scheme) = scheme {
        env.input("auth-scheme", scheme);
    }
    let ran = run(env);
    assert_eq!(ran.status(), "failed");
    assert_eq!(ran.outputs()["http-status"], status.to_string());
    assert_eq!(ran.errors().len(), 1, "{:?}", ran.errors());
    assert!(
        !ran.stdout().contains("trying again"),
        "not retried:\n{}",
        ran.stdout()
    );
    let kept = ran.payload_file().unwrap();
    let e = &ran.errors()[0];
    assert!(e.contains(&format!("kept at {}", kept.display())), "{e}");
    assert_eq!(
        e.contains("sei-cicd replay"),
        !matches!(status, 400 | 413),
        "replay is offered when sending the same bytes again can work: {e}"
    );
    (ran, sei)
}

#[test]
fn sei_400_shows_the_servers_message() {
    let (ran, sei) = final_status(
        400,
        json!({"payload": "job_name/pipeline field is missing in request"}),
        None,
    );
    let e = &ran.errors()[0];
    assert!(
        e.contains("HTTP 400): \"job_name/pipeline field is missing in request\""),
        "{e}"
    );
    assert_eq!(sei.webhook_exchanges().len(), 1);
    row(
        "SEI 400 `{\"payload\":\"job_name/pipeline field is missing in request\"}`",
        "not retried; the error quotes SEI's message",
        "payload kept; no replay offered (the same bytes would be refused again)",
    );
}

#[test]
fn a_replayed_file_that_is_not_a_payload_is_refused_before_anything_is_sent() {
    // A payload without `pipeline` (edited by hand, say), and a container registry's
    // `config.json` picked up by mistake: neither goes to SEI, nor does the key.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.json");
    let mut payload = serde_json::Map::new();
    payload.insert("job_full_name".into(), json!(JOB));
    let sei = sei();
    for (body, missing) in [
        (Value::Object(payload).to_string(), "`pipeline`"),
        (
            json!({"auths": {"ghcr.io": {"auth": "dXNlcjpwYXNz"}}}).to_string(),
            "`instance_guid`",
        ),
    ] {
        std::fs::write(&file, body).unwrap();
        let out = replay(&file, &sei.url(), &[]);
        assert_eq!(out.status.code(), Some(2), "bad input");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("is not a payload kept by `sei-cicd report`")
                && stderr.contains(missing)
                && stderr.contains("nothing was sent"),
            "{stderr}"
        );
    }
    assert!(sei.webhook_exchanges().is_empty(), "nothing sent");
    row(
        "replay of a file that is not a payload (no `pipeline`; a registry's config.json)",
        "refused before sending; exit code 2; the missing fields named",
        "nothing sent, the key stays home",
    );
}

#[test]
fn sei_401_names_the_token_the_scheme_and_the_base_url() {
    let github = github();
    let sei = Sei::new().key(SEI_KEY).instance(GUID).start();
    sei.script().sequence(
        None,
        (0..2).map(|_| Reply::json(401, &json!({"error": "Unauthorized", "status": 401}))),
    );
    let before = sei.script().pending();
    let ran = run(step(&github, &sei.url()));
    assert_eq!(ran.status(), "failed");
    assert_eq!(ran.outputs()["http-status"], "401");
    let e = &ran.errors()[0];
    assert!(e.contains("HTTP 401, which is how"), "{e}");
    assert!(
        e.contains("most likely the key in `sei-token` or its region"),
        "{e}"
    );
    assert!(
        e.contains("as `ApiKey` (`auth-scheme: auto`: the key looks like an SEI API key)"),
        "{e}"
    );
    assert!(e.contains(&format!("to {}:", sei.url())), "{e}");
    assert!(e.contains("sei-cicd replay"), "{e}");
    let auth: Vec<_> = sei
        .webhook_exchanges()
        .iter()
        .map(|x| x.request.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(
        auth,
        [format!("ApiKey {SEI_KEY}")],
        "a refused key and scheme are never sent again, nor another scheme"
    );
    assert_eq!(sei.script().pending(), before - 1);
    assert!(!ran.stdout().contains("trying again"), "{}", ran.stdout());
    row(
        "SEI 401 to the first request",
        "sent once (`ApiKey`, what `auto` picks for an API key), then an error: most likely the key or its region, naming `sei-token`, the scheme and the base URL",
        "saved for replay",
    );
}

#[test]
fn sei_500_to_every_try_of_the_first_request_stops_after_two() {
    let github = github();
    let sei = sei();
    sei.script().sequence(
        None,
        (0..5).map(|_| {
            Reply::json(
                500,
                &json!({"status": 500, "error": "Internal Server Error"}),
            )
        }),
    );
    let ran = run(step(&github, &sei.url()));
    assert_eq!(ran.status(), "failed");
    assert_eq!(sei.webhook_exchanges().len(), 2, "two attempts, not five");
    assert!(
        ran.took < Duration::from_secs(5),
        "not the whole deadline: {:?}",
        ran.took
    );
    let e = &ran.errors()[0];
    assert!(e.contains("HTTP 500 to all 2 attempts,"), "{e}");
    assert!(e.contains("`sei-token`") && e.contains("`sei-url`"), "{e}");
    row(
        "SEI 500 to every try of the first request (how SEI answers a key it cannot take)",
        "stopped after 2 attempts (~1 s), error: most likely the key or its region, naming `sei-token`, the scheme and the base URL",
        "saved for replay",
    );
}

#[test]
fn sei_403_with_a_pinned_scheme_is_sent_once() {
    let (ran, sei) = final_status(403, json!({"error": "Forbidden"}), Some("bearer"));
    let e = &ran.errors()[0];
    assert!(
        e.contains("(HTTP 403), sent as `Bearer` (`auth-scheme: bearer`)"),
        "{e}"
    );
    assert_eq!(sei.webhook_exchanges().len(), 1);
    row(
        "SEI 403, `auth-scheme: bearer`",
        "sent once; error names `sei-token`, `auth-scheme: bearer` and the base URL",
        "saved for replay",
    );
}

#[test]
fn sei_404_names_the_url_called() {
    let (ran, sei) = final_status(404, json!({"error": "Not Found"}), None);
    let e = &ran.errors()[0];
    assert!(
        e.contains(&format!("HTTP 404 for POST {}/v1/custom-cicd", sei.url())),
        "{e}"
    );
    row(
        "SEI 404",
        "not retried; the error names the URL called and what `sei-url` should be",
        "saved for replay",
    );
}

#[test]
fn sei_413_says_how_to_shrink_the_payload() {
    let (ran, _sei) = final_status(413, json!({"error": "Payload Too Large"}), None);
    let e = &ran.errors()[0];
    assert!(e.contains("too large (HTTP 413"), "{e}");
    assert!(e.contains("5 stages and 42 steps"), "{e}");
    assert!(e.contains("`include-steps: false`"), "{e}");
    assert!(e.contains("`max-payload-bytes`"), "{e}");
    row(
        "SEI 413",
        "not retried; the error gives the size and names `max-payload-bytes` and `include-steps: false`",
        "payload kept; no replay offered (report again with `max-payload-bytes` or `include-steps: false`)",
    );
}

// ---------------------------------------------------------------------------------------------
// GitHub.

fn github_fault_then_delivered(reply: Reply, timeout: &str, fault: &str, did: &str) -> Ran {
    let github = github();
    github.script().push(Some("/jobs"), reply);
    let sei = sei();
    let mut env = step(&github, &sei.url());
    env.input("timeout", timeout);
    let ran = run(env);
    assert_eq!(ran.status(), "delivered", "{}", ran.stdout());
    assert_eq!(jobs_reads(&github), 2, "the jobs page, then again");
    assert_stored_once(&sei, 0);
    let stages = sei.runs()[&(JOB.to_owned(), fixtures::OTEL_BUILD)]["job_run"]["stages"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(stages, 5, "every job");
    row(fault, did, "delivered once");
    ran
}

#[test]
fn github_5xx_is_retried() {
    for status in [500, 502, 503, 504] {
        let ran = github_fault_then_delivered(
            json_reply(status),
            "1",
            &format!("GitHub {status} on the jobs page"),
            "retried",
        );
        assert!(
            ran.stdout()
                .contains(&format!("GitHub answered {status} for")),
            "{}",
            ran.stdout()
        );
    }
}

#[test]
fn github_secondary_rate_limit_waits_as_asked() {
    let ran = github_fault_then_delivered(
        gh::secondary_rate_limit("1"),
        "3",
        "GitHub secondary rate limit (403, `retry-after: 1`)",
        "waited 1 s, then read again",
    );
    assert!(
        ran.stdout().contains("trying again in 1 s"),
        "{}",
        ran.stdout()
    );
}

#[test]
fn github_429_is_retried() {
    github_fault_then_delivered(
        json_reply(429).header("retry-after", "0"),
        "2",
        "GitHub 429 (`retry-after: 0`)",
        "retried",
    );
}

#[test]
fn github_primary_rate_limit_waits_for_the_reset_when_it_fits() {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let ran = github_fault_then_delivered(
        gh::primary_rate_limit(now + 1),
        "4",
        "GitHub primary rate limit used up (`x-ratelimit-remaining: 0`), reset in 1 s",
        "waited for `x-ratelimit-reset` (1 to 2 s: whole seconds, plus one), then read again",
    );
    assert!(ran.took >= Duration::from_secs(1), "{:?}", ran.took);
}

#[test]
fn github_primary_rate_limit_past_the_deadline_is_a_clear_error_at_once() {
    let github = github();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    github
        .script()
        .push(Some("/jobs"), gh::primary_rate_limit(now + 1800));
    let sei = sei();
    let ran = run(step(&github, &sei.url()));
    assert_eq!(ran.status(), "failed");
    assert!(
        ran.took < Duration::from_millis(1800),
        "no wait: {:?}",
        ran.took
    );
    let e = &ran.errors()[0];
    assert!(
        e.contains("GitHub's API rate limit for `github-token` is used up until"),
        "{e}"
    );
    assert!(e.contains("past the `timeout` of 2 s"), "{e}");
    assert!(sei.received().is_empty());
    row(
        "GitHub primary rate limit used up, reset in 30 min",
        "no wait: an error that says until when, and what to do",
        "not sent (nothing to keep yet: the run was not read)",
    );
}

#[test]
fn truncated_github_json_is_retried_then_delivered() {
    let page = json!({"total_count": 5, "jobs": fixtures::otel_jobs()});
    github_fault_then_delivered(
        gh::truncated_json(&page),
        "2",
        "GitHub sends the jobs page cut in half (valid length, broken JSON), once",
        "retried",
    );
}

#[test]
fn truncated_github_json_every_time_is_a_clear_error() {
    let github = github();
    let page = json!({"total_count": 5, "jobs": fixtures::otel_jobs()});
    github
        .script()
        .sequence(Some("/jobs"), (0..3).map(|_| gh::truncated_json(&page)));
    let sei = sei();
    let ran = run(step(&github, &sei.url()));
    assert_eq!(ran.status(), "failed");
    let e = &ran.errors()[0];
    assert!(e.contains("is not the JSON expected"), "{e}");
    assert!(e.contains("/jobs?per_page=100&page=1"), "{e}");
    assert!(e.contains("EOF"), "{e}");
    assert!(sei.received().is_empty());
    row(
        "GitHub sends truncated JSON on every attempt",
        "3 attempts, then an error naming the request and where the JSON broke",
        "not sent",
    );
}

#[test]
fn github_cut_mid_response_is_retried() {
    github_fault_then_delivered(
        Reply::CutMidResponse,
        "2",
        "GitHub resets the connection mid-response",
        "retried",
    );
}

#[test]
fn github_404_says_which_run_and_which_permission() {
    let github = GitHub::new().token(GH_TOKEN).start();
    let sei = sei();
    let ran = run(step(&github, &sei.url()));
    assert_eq!(ran.status(), "failed");
    assert_eq!(ran.outputs()["http-status"], "");
    assert_eq!(ran.errors().len(), 1, "{}", ran.stdout());
    let e = &ran.errors()[0];
    assert!(e.contains("404"), "{e}");
    assert!(e.contains(&format!("run {RUN} of {REPO}")), "{e}");
    assert!(e.contains("actions: read"), "{e}");
    assert!(sei.received().is_empty(), "nothing sent");
    let runs = github
        .exchanges()
        .iter()
        .filter(|x| {
            x.request
                .path()
                .ends_with(&format!("/runs/{RUN}/attempts/1"))
        })
        .count();
    assert_eq!(runs, 1, "not retried");
    row(
        "GitHub 404 on the run",
        "not retried; the error names the repository, the run id and `actions: read`",
        "not sent",
    );
}

#[test]
fn a_github_api_url_where_nothing_listens_fails_at_once_and_names_it() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sei = sei();
    let mut env = ActionEnv::new(REPO, RUN, "push", &format!("http://127.0.0.1:{port}"));
    env.event(&json!({"ref": "refs/heads/main", "repository": {"full_name": REPO}}))
        .input("sei-url", &sei.url())
        .input("sei-token", SEI_KEY)
        .input("instance-guid", GUID)
        .input("github-token", GH_TOKEN)
        .input("timeout", "10");
    let ran = run(env);
    assert_eq!(ran.status(), "failed");
    let e = &ran.errors()[0];
    assert!(
        e.contains(&format!(
            "nothing listens at `127.0.0.1:{port}` (connection refused): check GITHUB_API_URL"
        )),
        "{e}"
    );
    assert!(
        ran.took < Duration::from_secs(2),
        "not the 10 s deadline: {:?}",
        ran.took
    );
    assert!(sei.received().is_empty(), "nothing sent");
    row(
        "nothing listens at GITHUB_API_URL",
        "not retried; the error names the address and GITHUB_API_URL",
        "not sent",
    );
}

#[test]
fn a_wrong_typed_field_reads_as_absent() {
    let mut run_value = fixtures::otel_run();
    run_value["conclusion"] = json!(5);
    run_value["head_branch"] = json!({"name": "main"});
    run_value["run_started_at"] = json!(12);
    run_value["actor"] = json!("octocat");
    run_value["pull_requests"] = json!("none");
    let github = github_with(run_value);
    let sei = sei();
    let ran = run(step(&github, &sei.url()));
    assert_eq!(ran.status(), "delivered", "{}", ran.stdout());
    assert_stored_once(&sei, 0);
    let p = &sei.runs()[&(JOB.to_owned(), fixtures::OTEL_BUILD)];
    // A completed run whose conclusion cannot be read is an unknown outcome.
    assert_eq!(p["result"], "NOT_BUILT");
    assert!(p.get("branch_name").is_none_or(Value::is_null), "{p}");
    assert_eq!(p["job_run"]["stages"].as_array().unwrap().len(), 5);
    row(
        "GitHub run with wrong-typed fields (`conclusion: 5`, `head_branch: {..}`, `run_started_at: 12`, `actor: \"octocat\"`, `pull_requests: \"none\"`)",
        "each read as absent (result `NOT_BUILT`: unknown outcome; branch left out); every stage kept",
        "delivered once",
    );
}

// ---------------------------------------------------------------------------------------------
// Bad input.

#[test]
fn a_malformed_event_file_is_a_warning_in_a_push_run() {
    let github = github();
    let sei = sei();
    let env = step(&github, &sei.url());
    std::fs::write(env.path("workflow/event.json"), "{\"ref\": \"refs/hea").unwrap();
    let ran = run(env);
    assert_eq!(ran.status(), "delivered");
    let w = ran.warnings().join("\n");
    assert!(
        w.contains("is not a JSON object") && w.contains("EOF"),
        "{w}"
    );
    assert_stored_once(&sei, 0);
    row(
        "malformed event file (`on: push`)",
        "a warning naming the file and where it broke; reported without the event's details",
        "delivered once",
    );
}

#[test]
fn a_malformed_event_file_in_workflow_run_mode_is_an_error() {
    let github = github();
    let sei = sei();
    let mut env = step(&github, &sei.url());
    env.var("GITHUB_EVENT_NAME", "workflow_run");
    std::fs::write(
        env.path("workflow/event.json"),
        "{\"workflow_run\": {\"id\": 1",
    )
    .unwrap();
    let ran = run(env);
    assert_eq!(ran.status(), "failed");
    let e = &ran.errors()[0];
    assert!(e.contains("event.json") && e.contains("`run-id`"), "{e}");
    assert!(sei.received().is_empty() && github.exchanges().is_empty());
    row(
        "malformed event file (`on: workflow_run`)",
        "an error: which run to report is unknown; says to fix the file or give `run-id`",
        "not sent",
    );
}

#[test]
fn an_empty_token_on_a_fork_pull_request_skips_without_failing() {
    let github = github();
    let sei = sei();
    let mut env = step(&github, &sei.url());
    env.var("GITHUB_EVENT_NAME", "pull_request")
        .input("sei-token", "")
        .event(&json!({
            "pull_request": {
                "number": 7,
                "head": {"repo": {"full_name": "someone/otel-cicd-action", "fork": true}},
                "base": {"repo": {"full_name": REPO}}
            },
            "repository": {"full_name": REPO}
        }));
    let ran = run(env);
    assert_eq!(ran.status(), "skipped");
    assert!(ran.errors().is_empty(), "{:?}", ran.errors());
    assert!(ran.stdout().contains("::notice::"), "{}", ran.stdout());
    assert!(sei.received().is_empty() && github.exchanges().is_empty());
    row(
        "empty `sei-token` on a fork pull request",
        "a notice (report from a `workflow_run` workflow instead); exit 0",
        "skipped, nothing sent",
    );
}

#[test]
fn plain_http_to_another_machine_is_refused_before_anything_is_sent() {
    let github = github();
    let sei = sei();
    let mut env = step(&github, "http://sei.example.com");
    env.var("GITHUB_API_URL", "http://ghe.example.com/api/v3");
    let ran = run(env);
    assert_eq!(ran.status(), "failed");
    let errors = ran.errors();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].contains("input `sei-url` is `http://sei.example.com`"));
    assert!(errors[0].contains("`allow-insecure-http: true`"));
    assert!(errors[1].contains("GITHUB_API_URL"));
    assert!(github.exchanges().is_empty() && sei.received().is_empty());
    row(
        "`sei-url: http://sei.example.com`, `GITHUB_API_URL=http://ghe.example.com/api/v3`",
        "refused before any request: the tokens would travel unencrypted",
        "not sent",
    );
}

#[test]
fn bad_retry_inputs_are_named() {
    let github = github();
    let sei = sei();
    let mut env = step(&github, &sei.url());
    env.input("timeout", "soon")
        .input("max-attempts", "0")
        .input("ca-cert", "/nonexistent/ca.pem")
        .input("allow-insecure-http", "maybe");
    let ran = run(env);
    let e = ran.errors().join("\n");
    for needle in [
        "input `timeout` is `soon`",
        "input `max-attempts` is `0`",
        "input `ca-cert` is `/nonexistent/ca.pem`, which cannot be read",
        "input `allow-insecure-http` is `maybe`",
    ] {
        assert!(e.contains(needle), "{needle:?} in\n{e}");
    }
    assert!(sei.received().is_empty());
    row(
        "`timeout: soon`, `max-attempts: 0`, a missing `ca-cert`, `allow-insecure-http: maybe`",
        "one error per input, with the value and the fix",
        "not sent",
    );
}

// ---------------------------------------------------------------------------------------------
// TLS and proxies.

#[test]
fn https_with_a_private_ca_given_in_ca_cert() {
    let ca = Ca::new();
    let github = github();
    let sei = Sei::new().key(SEI_KEY).instance(GUID).start_tls(&ca);
    assert!(sei.url().starts_with("https://127.0.0.1:"));
    let mut env = step(&github, &sei.url());
    let pem = ca.write_pem(env.dir.path(), "ca.pem");
    env.input("ca-cert", pem.to_str().unwrap());
    let ran = run(env);
    assert_eq!(ran.status(), "delivered", "{}", ran.stdout());
    assert_stored_once(&sei, 0);
    row(
        "SEI over HTTPS signed by a private CA, `ca-cert` given",
        "verified with the extra root",
        "delivered once",
    );
}

#[test]
fn enterprise_server_over_https_with_a_private_ca() {
    let ca = Ca::new();
    let github = GitHub::new()
        .token(GH_TOKEN)
        .prefix("/api/v3")
        .otel_run()
        .start_tls(&ca);
    let sei = Sei::new().key(SEI_KEY).instance(GUID).start_tls(&ca);
    let mut env = step(&github, &sei.url());
    let pem = ca.write_pem(env.dir.path(), "ca.pem");
    env.input("ca-cert", pem.to_str().unwrap())
        .var("GITHUB_API_URL", &format!("{}/api/v3", github.url()));
    let ran = run(env);
    assert_eq!(ran.status(), "delivered", "{}", ran.stdout());
    assert!(github.url().starts_with("https://"));
    assert_eq!(jobs_reads(&github), 1);
    assert_stored_once(&sei, 0);
    row(
        "GitHub Enterprise Server and SEI over HTTPS signed by a private CA, `ca-cert` given",
        "both verified with the extra root",
        "delivered once",
    );
}

#[test]
fn https_with_a_private_ca_in_ssl_cert_file() {
    let ca = Ca::new();
    let github = github();
    let sei = Sei::new().key(SEI_KEY).instance(GUID).start_tls(&ca);
    let mut env = step(&github, &sei.url());
    let pem = ca.write_pem(env.dir.path(), "ca.pem");
    env.var("SSL_CERT_FILE", pem.to_str().unwrap());
    let ran = run(env);
    assert_eq!(ran.status(), "delivered", "{}", ran.stdout());
    assert_stored_once(&sei, 0);
    row(
        "SEI over HTTPS signed by a private CA, `SSL_CERT_FILE` set",
        "verified with the system store's file",
        "delivered once",
    );
}

#[test]
fn https_with_an_unknown_ca_fails_at_once_and_points_at_ca_cert() {
    let ca = Ca::new();
    let github = github();
    let sei = Sei::new().key(SEI_KEY).instance(GUID).start_tls(&ca);
    let ran = run(step(&github, &sei.url()));
    assert_eq!(ran.status(), "failed");
    let e = &ran.errors()[0];
    assert!(e.contains("the TLS connection to SEI"), "{e}");
    assert!(e.contains("`ca-cert`"), "{e}");
    assert!(!ran.stdout().contains("trying again"), "not retried");
    assert!(sei.received().is_empty());
    row(
        "SEI over HTTPS signed by an unknown CA",
        "not retried (it cannot get better); the error points at `ca-cert` / SSL_CERT_FILE",
        "saved for replay",
    );
}

#[test]
fn https_proxy_is_used_and_no_proxy_bypasses_it() {
    let ca = Ca::new();
    let github = github();
    let sei = Sei::new().key(SEI_KEY).instance(GUID).start_tls(&ca);
    let proxy = Proxy::start();
    let sei_host = sei.url().trim_start_matches("https://").to_owned();

    let mut env = step(&github, &sei.url());
    let pem = ca.write_pem(env.dir.path(), "ca.pem");
    env.input("ca-cert", pem.to_str().unwrap())
        .var("HTTPS_PROXY", &proxy.url());
    let ran = run(env);
    assert_eq!(ran.status(), "delivered", "{}", ran.stdout());
    assert_eq!(proxy.targets(), [sei_host], "through the proxy");
    assert!(
        !github.exchanges().is_empty(),
        "http:// GitHub goes direct (HTTPS_PROXY is for https://)"
    );

    let mut env = step(&github, &sei.url());
    let pem = ca.write_pem(env.dir.path(), "ca.pem");
    env.input("ca-cert", pem.to_str().unwrap())
        .var("HTTPS_PROXY", &proxy.url())
        .var("NO_PROXY", "127.0.0.1");
    let ran = run(env);
    assert_eq!(ran.status(), "delivered", "{}", ran.stdout());
    assert_eq!(proxy.targets().len(), 1, "NO_PROXY: straight to SEI");
    assert_stored_once(&sei, 1);
    row(
        "`HTTPS_PROXY` set (a loopback CONNECT proxy), then also `NO_PROXY=127.0.0.1`",
        "tunnelled through the proxy; with NO_PROXY, straight to SEI",
        "delivered once (the second run: an ignored duplicate)",
    );
}

// ---------------------------------------------------------------------------------------------
// Cancellation.

#[test]
fn a_step_killed_mid_delivery_leaves_no_half_written_output_and_keeps_the_payload() {
    let github = github();
    let sei = sei();
    sei.script()
        .push(None, json_reply(202).delayed(Duration::from_secs(30)));
    let mut env = step(&github, &sei.url());
    env.input("timeout", "60");
    let mut child = env
        .command(Path::new(BIN))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the payload file exists: delivery has begun.
    let file = env.path("temp/sei-cicd-payload-12456168064-1.json");
    let started = Instant::now();
    while !file.exists() && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert_eq!(
        std::fs::read_to_string(env.path("file_commands/set_output")).unwrap(),
        "",
        "no outputs at all rather than some"
    );
    assert_eq!(env.summary(), "");
    let kept: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(kept["execution_id"], "12456168064-1", "whole");
    assert_no_secret(&env, &out, &[SEI_KEY, GH_TOKEN]);
    row(
        "the step is killed (cancelled) while SEI is answering",
        "outputs and summary untouched (each is one append at the end)",
        "the payload file is whole: can be replayed",
    );
}
