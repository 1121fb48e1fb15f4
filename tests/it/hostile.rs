//! Hostile data and hostile networks, end to end: the real binary, started as the runner starts
//! it, against the loopback emulators serving names that try to be workflow commands, Markdown
//! or HTML, error pages that echo the token in every form, redirects, answers of a gigabyte, a
//! listing with a string that is not text, and inputs and settings that try to send the token
//! elsewhere. Whatever comes in, every scenario checks what must hold:
//! - the log holds no line the runner would take for a command the binary did not mean (no
//!   forged `::command::`, no `##[`, no `::add-mask::` but the tokens', no `::stop-commands::`);
//! - the summary holds no HTML, link or image from outside;
//! - no token shows anywhere (stdout, stderr, the outputs, the summary, kept payload files), as
//!   it is, JSON-escaped, URL-encoded or cut short.

use sei_cicd_testkit::action::{assert_no_secret, ActionEnv};
use sei_cicd_testkit::fixtures::{self, Backlog, OTEL_REPO as REPO, OTEL_RUN as RUN};
use sei_cicd_testkit::github::GitHub;
use sei_cicd_testkit::http::{Reply, Server};
use sei_cicd_testkit::proxy::Proxy;
use sei_cicd_testkit::sei::{Sei, SeiServer};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_sei-cicd");
const GH_TOKEN: &str = "ghs_hostileGitHubToken00000000000000000";
const GUID: &str = "89d2491c-764a-4f77-93d9-18e8e372b795";
/// The job the reporting step runs in (the run's last).
const ME: u64 = 34_769_402_426;
/// The job named like a deploy ([`NAMES`]`[3]`), which made the hostile deployment.
const DEPLOY_JOB: u64 = 34_769_389_607;

/// An SEI API key as SEI issues them (base64 of a JSON object), whose base64 holds `/`, `+` and
/// `=`: each of its forms (JSON-escaped, URL-encoded) is spelt differently from the key itself.
/// (`{"company":"acme","id":"key-hostile","key":"??>>~~??ÿ"}`.)
const KEY: &str = "eyJjb21wYW55IjoiYWNtZSIsImlkIjoia2V5LWhvc3RpbGUiLCJrZXkiOiI/Pz4+fn4/P8O/In0=";

fn sei_key() -> String {
    assert!(KEY.contains('/') && KEY.contains('+') && KEY.ends_with('='));
    KEY.to_owned()
}

/// Names that try to become a command, markup, a link, an image or a line of their own. Each
/// puts `FORGED` right where a forged command's data would start.
const NAMES: [&str; 5] = [
    "build\n::add-mask::FORGED-mask",
    "tests\r::error::FORGED-error",
    "::warning::FORGED-warning",
    "deploy ##[stop-commands]FORGED-stop",
    "<img src=\"https://beacon.example/FORGED.gif\"> [x](https://beacon.example/FORGED) | `a",
];

/// The recorded run while its last job (the reporter's) runs, its five jobs named [`NAMES`]:
/// the second one failed, the third still running.
fn hostile_jobs() -> Vec<Value> {
    let (_, mut jobs) = fixtures::otel_in_progress();
    for (job, name) in jobs.iter_mut().zip(NAMES) {
        job["name"] = json!(name);
        if let Some(steps) = job["steps"].as_array_mut() {
            for step in steps {
                step["name"] = json!(format!("{name} step"));
            }
        }
    }
    jobs[1]["conclusion"] = json!("failure");
    jobs[2]["status"] = json!("in_progress");
    jobs[2]["conclusion"] = Value::Null;
    jobs[2]["completed_at"] = Value::Null;
    jobs
}

fn hostile_run() -> Value {
    let (mut run, _) = fixtures::otel_in_progress();
    run["name"] = json!(NAMES[2]);
    run
}

/// A deployment of the run's commit to an environment with a hostile name, made by the job
/// named like a deploy (so the decision's line names the environment, which does not count).
fn hostile_deployment(gh: GitHub) -> GitHub {
    let sha = fixtures::otel_run()["head_sha"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = format!("https://github.com/{REPO}/actions/runs/{RUN}/job/{DEPLOY_JOB}");
    let env = "prod\n::add-mask::FORGED-env <b>";
    gh.deployment(
        REPO,
        json!({"id": 901, "sha": sha, "ref": "main", "environment": env,
               "created_at": "2024-12-22T17:12:00Z", "creator": {"login": "github-actions[bot]"}}),
        vec![json!({"state": "success", "environment": env, "log_url": url, "target_url": url})],
    )
}

fn github_hostile() -> Server {
    hostile_deployment(
        GitHub::new()
            .token(GH_TOKEN)
            .run(REPO, hostile_run(), hostile_jobs()),
    )
    .start()
}

fn sei_server(key: &str) -> SeiServer {
    Sei::new().key(key).instance(GUID).start()
}

/// A step of the run it reports (Mode 2: `on: push`, in the run's last job), quick to give up.
fn step(github: &Server, sei_url: &str, key: &str) -> ActionEnv {
    let mut env = ActionEnv::new(REPO, RUN, "push", &github.url());
    env.event(&json!({"ref": "refs/heads/main", "repository": {"full_name": REPO}}))
        .action_defaults(GH_TOKEN)
        .input("sei-url", sei_url)
        .input("sei-token", key)
        .input("instance-guid", GUID)
        .input("job-check-run-id", &ME.to_string())
        .input("job-status", "success")
        .input("wait-timeout", "0")
        .input("timeout", "3")
        .input("max-attempts", "2");
    env
}

/// Every line of a text as the runner splits a step's output (`\n`, `\r`).
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split(['\n', '\r'])
}

/// The log holds no command the binary did not mean: no `::<command>::FORGED...` line, no
/// `::stop-commands::`, `::add-mask::` only for the tokens, and no `##[` (the runner's older
/// form, read anywhere in a line) in a line that is not a command already: in a command's data
/// it is data, as the runner reads a line as one command.
fn assert_no_forged_commands(stdout: &str, tokens: &[&str]) {
    for line in lines(stdout) {
        let Some(rest) = line.trim_start().strip_prefix("::") else {
            assert!(
                !line.contains("##["),
                "the runner's older form: {line:?}\n{stdout}"
            );
            continue;
        };
        let (command, data) = rest.split_once("::").unwrap_or((rest, ""));
        assert!(
            !data.starts_with("FORGED"),
            "a command from outside: {line:?}\n{stdout}"
        );
        assert_ne!(command, "stop-commands", "{line:?}");
        if command == "add-mask" {
            assert!(tokens.contains(&data), "an add-mask from outside: {line:?}");
        }
    }
}

/// On a terminal (stderr): no line from outside starts a line of its own.
fn assert_no_forged_lines(stderr: &str) {
    for line in lines(stderr) {
        assert!(!line.trim_start().starts_with("::"), "{line:?}\n{stderr}");
        assert!(
            !line.contains("FORGED") || !line.starts_with("FORGED"),
            "{line:?}"
        );
    }
}

/// The summary shows outside text as text: no tag, image or link made of it (an escaped `\[`
/// or `\]` is text).
fn assert_no_markup_from_outside(summary: &str) {
    for raw in ["<img", "<b>", "<script", "<h1", "##["] {
        assert!(!summary.contains(raw), "{raw} from outside:\n{summary}");
    }
    for (at, _) in summary.match_indices("](https://beacon") {
        assert!(
            summary[..at].ends_with('\\'),
            "a link from outside:\n{summary}"
        );
    }
    assert!(
        !summary.lines().any(|l| l.starts_with("::")),
        "a line from outside:\n{summary}"
    );
}

/// Runs the step; the checks every scenario shares.
fn run(env: &ActionEnv, tokens: &[&str]) -> (Output, String) {
    let out = env.run(Path::new(BIN));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if std::env::var_os("SHOW").is_some() {
        eprintln!("{stdout}\n{}", env.summary());
    }
    assert!(
        out.status.success(),
        "never fails the job by default:\n{stdout}"
    );
    assert_no_forged_commands(&stdout, tokens);
    assert_no_markup_from_outside(&env.summary());
    assert_no_secret(env, &out, tokens);
    (out, stdout)
}

/// An error page of a gateway that echoes the request's `Authorization` in every form, tries
/// to forge commands and to load an image.
fn error_page(key: &str) -> String {
    let json_escaped = key.replace('/', "\\/");
    let url_encoded: String = key
        .bytes()
        .map(|b| match b {
            b'/' | b'+' | b'=' => format!("%{b:02X}"),
            b => (b as char).to_string(),
        })
        .collect();
    format!(
        "<html><body><h1>502 Bad Gateway</h1><img src=\"https://beacon.example/FORGED.gif\">\n\
         ::warning::FORGED-sei\n##[add-mask]FORGED\n<pre>Authorization: ApiKey {key}\n\
         {{\"auth\":\"ApiKey {json_escaped}\"}}\nGET /?key={url_encoded}</pre></body></html>"
    )
}

#[test]
fn hostile_names_and_an_error_page_that_echoes_the_key_stay_text() {
    let key = sei_key();
    let github = github_hostile();
    let sei = sei_server(&key);
    sei.script().sequence(
        None,
        (0..4).map(|_| Reply::Respond {
            status: 502,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: error_page(&key).into_bytes(),
            delay: Duration::ZERO,
        }),
    );
    let env = step(&github, &sei.url(), &key);
    let (_, stdout) = run(&env, &[&key, GH_TOKEN]);
    assert_eq!(env.outputs()["status"], "failed");
    // The names reached the log, escaped: the job still running, the failed job, the
    // environment, the workflow, SEI's page.
    assert!(stdout.contains("tests%0D::error::FORGED-error"), "{stdout}");
    assert!(stdout.contains("prod%0A::add-mask::FORGED-env"), "{stdout}");
    assert!(
        stdout.contains("still running: ::warning::FORGED-warning"),
        "mid-line, text: {stdout}"
    );
    assert!(stdout.contains("##%5Badd-mask]FORGED"), "{stdout}");
    // SEI's page in the error and in the summary: as text.
    let summary = env.summary();
    assert!(summary.contains("### ❌ SEI: not delivered"), "{summary}");
    assert!(summary.contains("&lt;img src="), "{summary}");
    // The payload is kept for a replay, and holds no token either (checked by `run`).
    let kept = PathBuf::from(&env.outputs()["payload-file"]);
    assert!(kept.is_file());
}

#[test]
fn a_dry_run_prints_hostile_names_as_data_never_as_commands() {
    let key = sei_key();
    let github = github_hostile();
    let sei = sei_server(&key);
    let mut env = step(&github, &sei.url(), &key);
    env.input("dry-run", "true");
    let (_, stdout) = run(&env, &[&key, GH_TOKEN]);
    assert_eq!(env.outputs()["status"], "dry-run");
    // The payload's JSON, line by line in a group: the names inside, none a command.
    assert!(stdout.contains("::group::SEI payload"), "{stdout}");
    assert!(
        stdout.contains(r#"build\n::add-mask::FORGED-mask"#),
        "{stdout}"
    );
    assert!(sei.webhook_exchanges().is_empty());
}

#[test]
fn an_answer_cut_where_it_echoes_the_key_shows_none_of_it() {
    let key = sei_key();
    let github = GitHub::new().token(GH_TOKEN).otel_run().start();
    let sei = sei_server(&key);
    // The key right where a 500-character snippet of the answer ends, and a 401 from GitHub
    // that echoes its token: redacted first, shortened after.
    let answer = format!("{}Bearer {key} is not accepted here", "x".repeat(470));
    sei.script().push(None, Reply::text(400, &answer));
    let env = step(&github, &sei.url(), &key);
    let (_, stdout) = run(&env, &[&key, GH_TOKEN]);
    assert_eq!(env.outputs()["status"], "failed");
    assert!(stdout.contains("Bearer ***"), "{stdout}");
    let github = Server::start_on(
        Arc::new(|_| {
            Reply::json(
                401,
                &json!({"message": format!("Bad credentials: Bearer {GH_TOKEN} {}", "y".repeat(300))}),
            )
        }),
        Duration::ZERO,
        None,
    );
    let env = step(&github, &sei.url(), &key);
    let (_, stdout) = run(&env, &[&key, GH_TOKEN]);
    assert!(stdout.contains("GitHub refused `github-token`"), "{stdout}");
    assert!(stdout.contains("Bad credentials: Bearer ***"), "{stdout}");
}

#[test]
fn a_redirect_from_sei_is_never_followed_and_the_payload_is_kept() {
    let key = sei_key();
    let github = GitHub::new().token(GH_TOKEN).otel_run().start();
    let elsewhere = Server::start_on(
        Arc::new(|_| Reply::text(200, "a page that is not SEI")),
        Duration::ZERO,
        None,
    );
    for status in [301, 302, 303, 307, 308] {
        let sei = sei_server(&key);
        let location = format!("{}/v1/custom-cicd", elsewhere.url());
        sei.script().push(
            None,
            Reply::text(status, "moved").header("Location", &location),
        );
        let env = step(&github, &sei.url(), &key);
        let (_, stdout) = run(&env, &[&key, GH_TOKEN]);
        let outputs = env.outputs();
        assert_eq!(outputs["status"], "failed", "{status}: never `delivered`");
        assert_eq!(outputs["http-status"], status.to_string());
        assert!(
            stdout.contains(&format!("a redirect to {location}")) && stdout.contains("`sei-url`"),
            "{stdout}"
        );
        assert!(Path::new(&outputs["payload-file"]).is_file(), "kept");
        assert_eq!(sei.webhook_exchanges().len(), 1, "{status}: not retried");
    }
    assert!(
        elsewhere.exchanges().is_empty(),
        "nothing followed the redirect, no payload nor key went elsewhere"
    );
}

#[test]
fn a_github_redirect_is_followed_without_the_token_across_hosts() {
    let key = sei_key();
    // The run's new home: another host (port), which must never see the token.
    let moved = GitHub::new().otel_run().start();
    let to = moved.url();
    let github = GitHub::new().token(GH_TOKEN).otel_run().start();
    redirect_jobs(&github, &to);
    let sei = sei_server(&key);
    let env = step(&github, &sei.url(), &key);
    let (_, stdout) = run(&env, &[&key, GH_TOKEN]);
    assert_eq!(env.outputs()["status"], "delivered", "{stdout}");
    let there = moved.exchanges();
    assert!(!there.is_empty(), "the redirect was followed");
    assert!(
        there
            .iter()
            .all(|e| e.request.header("authorization").is_none()),
        "the token stays with the host it was given for"
    );
}

/// The first request for the run's jobs answers a 301 to the same page on `to`.
fn redirect_jobs(github: &Server, to: &str) {
    let path = format!("/repos/{REPO}/actions/runs/{RUN}/attempts/1/jobs");
    github.script().push(
        Some(&path),
        Reply::text(301, "moved").header("Location", &format!("{to}{path}?per_page=100&page=1")),
    );
}

#[test]
fn answers_of_a_gigabyte_are_read_to_their_bound_only() {
    let key = sei_key();
    // GitHub: the jobs page streams 1 GiB; SEI: 202, then 64 MiB of answer.
    let github = GitHub::new().token(GH_TOKEN).otel_run().start();
    github.script().push(
        Some("/jobs"),
        Reply::stream(200, &vec![b' '; 64 * 1024], 16 * 1024),
    );
    let sei = sei_server(&key);
    let env = step(&github, &sei.url(), &key);
    let (_, stdout) = run(&env, &[&key, GH_TOKEN]);
    assert_eq!(env.outputs()["status"], "failed");
    assert!(stdout.contains("is larger than 32 MiB"), "{stdout}");
    let jobs: Vec<_> = github
        .exchanges()
        .into_iter()
        .filter(|e| e.request.path().ends_with("/jobs"))
        .collect();
    assert_eq!(jobs.len(), 1, "not retried: the same answer would come");
    assert!(
        jobs[0].sent < 64 * 1024 * 1024,
        "{} bytes sent",
        jobs[0].sent
    );

    let github = GitHub::new().token(GH_TOKEN).otel_run().start();
    let sei = sei_server(&key);
    sei.script()
        .push(None, Reply::stream(202, &vec![b'x'; 64 * 1024], 1024));
    let env = step(&github, &sei.url(), &key);
    run(&env, &[&key, GH_TOKEN]);
    assert_eq!(env.outputs()["status"], "delivered", "202 is delivered");
    let hook = sei.webhook_exchanges();
    assert!(
        hook[0].sent < 8 * 1024 * 1024,
        "{} bytes sent",
        hook[0].sent
    );
}

#[test]
fn an_input_that_is_not_utf8_is_an_input_error_with_outputs_and_summary() {
    use std::os::unix::ffi::OsStringExt;
    let key = sei_key();
    let github = GitHub::new().token(GH_TOKEN).otel_run().start();
    let sei = sei_server(&key);
    let env = step(&github, &sei.url(), &key);
    let mut command = env.command(Path::new(BIN));
    command.env(
        "INPUT_SEI-URL",
        std::ffi::OsString::from_vec(b"https://sei.example/\xff\xfe".to_vec()),
    );
    let out = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("::error::input `sei-url` is not text: INPUT_SEI-URL holds bytes"),
        "{stdout}"
    );
    assert_eq!(env.outputs()["status"], "failed");
    assert!(
        env.summary().contains("input `sei-url` is not text"),
        "{}",
        env.summary()
    );
    assert_no_secret(&env, &out, &[&key, GH_TOKEN]);
    assert!(sei.webhook_exchanges().is_empty());
}

#[test]
fn a_repository_that_leaves_repos_is_refused_before_any_request() {
    let key = sei_key();
    let github = GitHub::new().token(GH_TOKEN).otel_run().start();
    let sei = sei_server(&key);
    for bad in ["../..", "acme/..", "acme/api/../../x"] {
        let mut env = step(&github, &sei.url(), &key);
        env.input("repository", bad).input("run-id", "1");
        let (_, stdout) = run(&env, &[&key, GH_TOKEN]);
        assert!(
            stdout.contains(&format!(
                "input `repository` is `{bad}`: use `owner/name` as GitHub spells them"
            )),
            "{stdout}"
        );
        assert_eq!(env.outputs()["status"], "failed");
    }
    assert!(
        github.exchanges().is_empty(),
        "no request left with the token"
    );
}

#[test]
fn plain_http_to_this_machine_through_a_proxy_is_refused_unless_no_proxy_exempts_it() {
    let key = sei_key();
    let github = GitHub::new().token(GH_TOKEN).otel_run().start();
    let sei = sei_server(&key);
    let proxy = Proxy::start();
    let mut env = step(&github, &sei.url(), &key);
    env.var("HTTP_PROXY", &proxy.url());
    let (_, stdout) = run(&env, &[&key, GH_TOKEN]);
    assert_eq!(env.outputs()["status"], "failed");
    assert!(
        stdout.contains("send it through the proxy at 127.0.0.1:") && stdout.contains("NO_PROXY"),
        "{stdout}"
    );
    assert!(
        proxy.targets().is_empty(),
        "the key never went to the proxy"
    );
    assert!(sei.webhook_exchanges().is_empty());
    env.var("NO_PROXY", "127.0.0.1");
    run(&env, &[&key, GH_TOKEN]);
    assert_eq!(env.outputs()["status"], "delivered");
    assert!(proxy.targets().is_empty(), "straight to this machine");
}

#[test]
fn a_container_action_with_no_shared_folder_says_plainly_nothing_is_kept() {
    // nektos/act: RUNNER_TEMP=/tmp, a folder of the action's own container; no /github/home.
    let key = sei_key();
    let github = GitHub::new().token(GH_TOKEN).otel_run().start();
    let sei = sei_server(&key);
    sei.script()
        .sequence(None, (0..4).map(|_| Reply::text(503, "busy")));
    let mut env = step(&github, &sei.url(), &key);
    env.var("SEI_CICD_CONTAINER_ACTION", "true");
    let (_, stdout) = run(&env, &[&key, GH_TOKEN]);
    assert!(
        stdout.contains("the payload could not be kept for later steps"),
        "{stdout}"
    );
    assert!(!stdout.contains("Nothing is lost"), "{stdout}");
    assert_eq!(env.outputs()["payload-file"], "");
    assert!(
        env.summary()
            .contains("could not be kept for the job's later steps"),
        "{}",
        env.summary()
    );
}

// ---------------------------------------------------------------------------------------------
// backfill

/// A backlog whose workflows and jobs carry hostile names, one run a title with a lone
/// surrogate escape (`\ud800`, which no string holds).
fn hostile_backlog() -> (Backlog, GitHub) {
    let b = Backlog::new("acme/api", 6);
    let (attempts, history) = b.build();
    let mut gh = GitHub::new().token(GH_TOKEN).history(&b.repo, history);
    for (i, (mut run, mut jobs)) in attempts.into_iter().enumerate() {
        run["name"] = json!(NAMES[i % NAMES.len()]);
        if i == 2 {
            run["display_title"] = json!("LONE-SURROGATE");
        }
        for (job, name) in jobs.iter_mut().zip(NAMES.iter().cycle().skip(i)) {
            job["name"] = json!(format!("{name} {}", "padding ".repeat(20)));
        }
        gh = gh.run(&b.repo, run, jobs);
    }
    (b, gh.raw("LONE-SURROGATE", "\\ud800 lone"))
}

/// `sei-cicd backfill` as a workflow step runs it: workflow commands on stdout, a summary file.
fn backfill_in_a_workflow(
    github: &Server,
    sei: &SeiServer,
    key: &str,
    extra: &[&str],
) -> (Output, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "").unwrap();
    let out = Command::new(BIN)
        .args([
            "backfill",
            "--repository",
            "acme/api",
            "--since",
            "2025-03-01",
        ])
        .args([
            "--until",
            "2025-03-31",
            "--sei-url",
            &sei.url(),
            "--instance-guid",
            GUID,
        ])
        .args(extra)
        .env_clear()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_API_URL", github.url())
        .env("GITHUB_TOKEN", GH_TOKEN)
        .env("SEI_TOKEN", key)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert_no_forged_commands(&stdout, &[key, GH_TOKEN]);
    assert_no_markup_from_outside(&summary);
    let log: String = lines(&stdout)
        .filter(|l| !l.starts_with("::add-mask::"))
        .collect::<Vec<_>>()
        .join("\n");
    for text in [
        &log,
        &String::from_utf8_lossy(&out.stderr).into_owned(),
        &summary,
    ] {
        for token in [key, GH_TOKEN] {
            for form in sei_cicd_testkit::action::secret_forms(token) {
                assert!(!text.contains(&form), "a token as `{form}`:\n{text}");
            }
        }
    }
    (out, stdout, summary)
}

#[test]
fn a_backfill_dry_run_lists_hostile_workflow_names_as_data_and_skips_a_run_that_is_not_text() {
    let key = sei_key();
    let (_, gh) = hostile_backlog();
    let github = gh.start();
    let sei = sei_server(&key);
    let (out, stdout, summary) = backfill_in_a_workflow(&github, &sei, &key, &["--dry-run"]);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("1 run(s) of GitHub's listing could not be read"),
        "the run with a lone surrogate, skipped and counted:\n{stdout}"
    );
    assert!(
        stdout.contains("FORGED-mask"),
        "the other runs listed:\n{stdout}"
    );
    assert!(summary.contains("&lt;img src="), "{summary}");
}

#[test]
fn a_backfill_says_again_its_runs_warnings_with_hostile_job_names_escaped() {
    let key = sei_key();
    let (_, gh) = hostile_backlog();
    let github = gh.start();
    let sei = sei_server(&key);
    let (out, stdout, _) =
        backfill_in_a_workflow(&github, &sei, &key, &["--max-payload-bytes", "2000"]);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("over `max-payload-bytes`"), "{stdout}");
    // Job names shortened in the warning, and escaped when it is said again.
    assert!(stdout.contains("build%0A::add-mask::FORGED-…"), "{stdout}");
    assert!(stdout.contains("tests%0D::error::FORGED-err…"), "{stdout}");
}

#[test]
fn a_backfill_state_that_names_a_file_elsewhere_never_sends_nor_deletes_it() {
    let key = sei_key();
    let (b, gh) = hostile_backlog();
    let github = gh.start();
    let sei = sei_server(&key);
    let dir = tempfile::tempdir().unwrap();
    // A file outside the state's folder, shaped like a payload even, that a restored state
    // names as the kept payload of a failed attempt.
    let elsewhere = dir.path().join("sei-cicd-payload-secret.json");
    let payload = json!({"pipeline": "x", "job_full_name": "x", "qualified_name": "x",
        "instance_name": "x", "instance_guid": GUID, "result": "SUCCESS",
        "start_time": 1, "duration": 1, "note": "someone else's file"});
    std::fs::write(&elsewhere, payload.to_string()).unwrap();
    let state = dir.path().join("s.state");
    std::fs::write(
        &state,
        format!(
            "{{\"sei-cicd-backfill-state\":1}}\n{}\n",
            json!({"repo": "acme/api", "run": b.id(0), "attempt": 1, "status": "failed",
                   "payload": elsewhere.display().to_string()})
        ),
    )
    .unwrap();
    let (out, stdout, _) =
        backfill_in_a_workflow(&github, &sei, &key, &["--state", state.to_str().unwrap()]);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("names 1 kept payload(s) outside its own folder"),
        "{stdout}"
    );
    assert!(elsewhere.is_file(), "never deleted");
    assert!(
        sei.received()
            .iter()
            .all(|r| r.payload.as_ref().is_none_or(|p| p["note"].is_null())),
        "never sent"
    );
}

#[test]
fn on_a_terminal_a_line_break_from_outside_cannot_make_a_line() {
    let key = sei_key();
    let github = github_hostile();
    let sei = sei_server(&key);
    sei.script().push(None, Reply::text(400, &error_page(&key)));
    let out = Command::new(BIN)
        .args(["report", "--run-id", &RUN.to_string(), "--repository", REPO])
        .args([
            "--sei-url",
            &sei.url(),
            "--instance-guid",
            GUID,
            "--timeout",
            "3",
        ])
        .env_clear()
        .env("GITHUB_API_URL", github.url())
        .env("GITHUB_TOKEN", GH_TOKEN)
        .env("SEI_TOKEN", &key)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_no_forged_lines(&stderr);
    assert!(stderr.contains(r"prod\n::add-mask::FORGED-env"), "{stderr}");
    assert!(
        stderr.contains(" ::warning::FORGED-sei"),
        "folded: {stderr}"
    );
    for form in sei_cicd_testkit::action::secret_forms(&key) {
        assert!(!stderr.contains(&form), "{stderr}");
    }
}
