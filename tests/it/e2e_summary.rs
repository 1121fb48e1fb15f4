//! The job summary as a person reads it on the run's page, end to end: the real binary started
//! the way the runner starts it, against the loopback emulators, once for each way a report
//! ends (delivered, not delivered, skipped, dry run, inputs to fix). Each summary leads with
//! what happened to the report, then shows the run, its chart and its jobs.

use sei_cicd_testkit::action::{text, ActionEnv};
use sei_cicd_testkit::fixtures::{self, OTEL_REPO, OTEL_RUN};
use sei_cicd_testkit::github::GitHub;
use sei_cicd_testkit::http::{Reply, Server};
use sei_cicd_testkit::sei::{Sei, SeiServer};
use serde_json::json;
use std::path::Path;

const BIN: &str = env!("CARGO_BIN_EXE_sei-cicd");
const GH_TOKEN: &str = "ghs_e2eGitHubToken000000000000000000";
const SEI_KEY: &str =
    "eyJjb21wYW55IjoiYWNtZSIsImlkIjoia2V5LWUyZSIsImtleSI6ImUyZS0wZjljMmI3ZDVlMWEifQ==";
const GUID: &str = "89d2491c-764a-4f77-93d9-18e8e372b795";

fn sei() -> SeiServer {
    Sei::new().key(SEI_KEY).instance(GUID).start()
}

/// A step inside the run being reported (`on: push`), on the default inputs.
fn step(github: &Server, sei: &SeiServer) -> ActionEnv {
    let mut env = ActionEnv::new(OTEL_REPO, OTEL_RUN, "push", &github.url());
    env.event(&json!({"ref": "refs/heads/main", "repository": {"full_name": OTEL_REPO}}))
        .action_defaults(GH_TOKEN)
        .input("sei-url", &sei.url())
        .input("sei-token", SEI_KEY)
        .input("instance-guid", GUID);
    env
}

/// Runs the step; returns its summary, checking it is one section that leads with `heading`.
/// With `SEI_CICD_SUMMARY_DIR` set, the summary is also written there as `<name>.md`, for
/// `docs/tools/render-summary.sh` to draw.
fn summary_of(name: &str, env: &ActionEnv, heading: &str) -> String {
    let out = env.run(Path::new(BIN));
    let (stdout, stderr) = text(&out);
    assert!(
        out.status.success(),
        "never fails the job:\n{stdout}\n{stderr}"
    );
    let summary = env.summary();
    assert!(summary.starts_with(heading), "{summary}");
    assert_eq!(
        summary.matches("### ").count(),
        1,
        "one section:\n{summary}"
    );
    assert!(!summary.contains(SEI_KEY) && !summary.contains(GH_TOKEN));
    if let Some(dir) = std::env::var_os("SEI_CICD_SUMMARY_DIR") {
        let dir = Path::new(&dir);
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(format!("{name}.md")), &summary).unwrap();
    }
    summary
}

/// The run's line, its chart and its table, as for the recorded run.
fn assert_shows_the_recorded_run(summary: &str) {
    let run = format!("https://github.com/{OTEL_REPO}/actions/runs/{OTEL_RUN}");
    assert!(
        summary.contains(&format!("**[Build #67]({run})** · ✅ SUCCESS in 1m 12s")),
        "{summary}"
    );
    assert!(
        summary.contains("· branch `main` · commit `607e6cc`"),
        "{summary}"
    );
    // The chart: one section per job, a grey bar for the wait (5 s for `build`: created
    // 17:11:26, started 17:11:31) and a green one for the run.
    let chart = summary
        .split("```mermaid\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```\n").next())
        .unwrap_or_else(|| panic!("a Mermaid block:\n{summary}"));
    assert!(chart.contains("\ngantt\n  dateFormat x\n"), "{chart}");
    assert_eq!(chart.matches("\n  section ").count(), 5, "{chart}");
    assert!(
        chart.contains(
            "\n  section build\n    \u{200b} :done, q0, 1734887486000, 1734887491000\n    24s :j0, 1734887491000, 1734887515000"
        ),
        "{chart}"
    );
    assert!(
        chart.contains("\n  section tests (windows-latest)\n"),
        "{chart}"
    );
    assert!(
        summary.contains("<sub>Grey: waiting for a runner · green: passed.</sub>"),
        "{summary}"
    );
    assert!(
        summary.contains("| Job | Result | Queued | Ran | Steps |"),
        "{summary}"
    );
    assert!(
        summary.contains("| build | ✅ SUCCESS | 5s | 24s | 10 |"),
        "{summary}"
    );
    assert!(
        summary.contains("| tests (windows-latest) | ✅ SUCCESS | 8s | 45s | 9 |"),
        "{summary}"
    );
    assert!(
        summary.contains(
            "In SEI: job `corentinmusard/otel-cicd-action/Build` · build number 1000006701 · execution `12456168064-1`"
        ),
        "{summary}"
    );
}

#[test]
fn delivered_leads_with_delivered_and_shows_seis_answer_once() {
    let github = GitHub::new().token(GH_TOKEN).otel_run().start();
    let sei = sei();
    let summary = summary_of("delivered", &step(&github, &sei), "### ✅ SEI: delivered\n");
    assert!(
        summary.contains("\nSEI answered HTTP 202: `{\"payload\":"),
        "{summary}"
    );
    assert_eq!(summary.matches("202").count(), 1, "{summary}");
    assert!(!summary.contains("not delivered"), "{summary}");
    assert_shows_the_recorded_run(&summary);
}

#[test]
fn not_delivered_leads_with_the_failure_where_the_payload_is_and_how_to_replay_it() {
    let github = GitHub::new().token(GH_TOKEN).otel_run().start();
    let sei = sei();
    // SEI answers 503 to every try.
    sei.script().sequence(
        None,
        (0..3).map(|_| Reply::json(503, &json!({"error": "busy"}))),
    );
    let mut env = step(&github, &sei);
    env.input("max-attempts", "3").input("timeout", "20");
    let summary = summary_of("not-delivered", &env, "### ❌ SEI: not delivered\n");
    let payload_file = env.outputs()["payload-file"].clone();
    assert!(!payload_file.is_empty());
    assert!(summary.contains("HTTP 503"), "{summary}");
    assert!(
        summary.contains(&format!(
            "**What to do:** nothing is lost yet: the payload is kept at `{payload_file}`. \
             `RUNNER_TEMP` is emptied when the job ends"
        )),
        "{summary}"
    );
    assert!(summary.contains("`actions/upload-artifact`"), "{summary}");
    assert!(summary.contains("`sei-cicd replay <file>`"), "{summary}");
    assert!(
        summary.contains("/docs/delivery.md#when-a-report-fails)"),
        "{summary}"
    );
    // The run's own result comes after, and small: the report failed, not the run.
    let failure = summary.find("not delivered").unwrap();
    let success = summary.find("SUCCESS").unwrap();
    assert!(failure < success, "{summary}");
    assert_shows_the_recorded_run(&summary);
}

#[test]
fn a_payload_sei_refuses_is_not_offered_for_replay() {
    let github = GitHub::new().token(GH_TOKEN).otel_run().start();
    let sei = sei();
    sei.script().push(
        None,
        Reply::json(400, &json!({"payload": "job_run.stages[0].id is missing"})),
    );
    let summary = summary_of(
        "refused",
        &step(&github, &sei),
        "### ❌ SEI: not delivered\n",
    );
    // SEI's words, as text (Markdown's `_` and `[` escaped): they render as SEI wrote them.
    assert!(
        summary.contains(r"job\_run.stages\[0\].id is missing"),
        "{summary}"
    );
    assert!(summary.contains("sending the same payload again would be refused too"));
    assert!(!summary.contains("sei-cicd replay"), "{summary}");
}

#[test]
fn a_run_github_cannot_give_says_nothing_was_reported() {
    let github = GitHub::new().token(GH_TOKEN).start(); // knows no run
    let sei = sei();
    let summary = summary_of(
        "not-reported",
        &step(&github, &sei),
        "### ❌ SEI: not reported\n",
    );
    assert!(summary.contains("404"), "{summary}");
    assert!(summary.contains("**What to do:**"), "{summary}");
    assert!(
        !summary.contains("```mermaid"),
        "no run to draw:\n{summary}"
    );
}

#[test]
fn a_dry_run_says_so_once_and_where_the_payload_is() {
    let github = GitHub::new().token(GH_TOKEN).otel_run().start();
    let sei = sei();
    let mut env = step(&github, &sei);
    env.input("dry-run", "true").input("sei-token", "");
    let summary = summary_of("dry-run", &env, "### 🧪 SEI: dry run, nothing sent\n");
    assert_eq!(summary.matches("dry run").count(), 1, "{summary}");
    let file = &env.outputs()["payload-file"];
    assert!(
        summary.contains(&format!("it is kept at `{file}`")),
        "{summary}"
    );
    assert!(sei.received().is_empty());
    assert_shows_the_recorded_run(&summary);
}

#[test]
fn a_skipped_report_says_why_and_how_to_report_such_runs() {
    let github = GitHub::new().token(GH_TOKEN).otel_run().start();
    let sei = sei();
    let mut env = step(&github, &sei);
    env.var("GITHUB_EVENT_NAME", "pull_request")
        .input("sei-token", "")
        .event(&json!({
            "pull_request": {
                "number": 7,
                "head": {"repo": {"full_name": "someone/otel-cicd-action", "fork": true}},
                "base": {"repo": {"full_name": OTEL_REPO}}
            },
            "repository": {"full_name": OTEL_REPO}
        }));
    let summary = summary_of("skipped", &env, "### ⏭️ SEI: skipped, nothing sent\n");
    assert!(
        summary.contains("`sei-token` is empty because this pull request comes from a fork"),
        "{summary}"
    );
    assert!(summary.contains("`on: workflow_run`"), "{summary}");
    assert_eq!(env.outputs()["status"], "skipped");
}

#[test]
fn inputs_to_fix_are_listed_each_with_its_fix() {
    let github = GitHub::new().token(GH_TOKEN).otel_run().start();
    let sei = sei();
    let mut env = step(&github, &sei);
    env.input("sei-token", "")
        .input("instance-guid", "my-jenkins")
        .input("timeout", "soon");
    let summary = summary_of(
        "inputs-to-fix",
        &env,
        "### ⚠️ SEI: not reported, 3 inputs to fix\n",
    );
    let items: Vec<&str> = summary.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(items.len(), 3, "{summary}");
    assert!(items.iter().any(|l| l.contains("`sei-token`")), "{summary}");
    assert!(
        items
            .iter()
            .any(|l| l.contains("`instance-guid`") && l.contains("my-jenkins")),
        "{summary}"
    );
    assert!(items.iter().any(|l| l.contains("`timeout`")), "{summary}");
    assert!(summary.contains("docs/inputs.md)"), "{summary}");
    assert!(github.exchanges().is_empty() && sei.received().is_empty());
}

#[test]
fn a_failed_job_is_red_in_the_chart_and_a_rerun_leaves_out_the_reused_jobs() {
    let (run, jobs) = fixtures::otel_failed();
    let github = GitHub::new()
        .token(GH_TOKEN)
        .run(OTEL_REPO, run, jobs)
        .start();
    let sei = sei();
    let summary = summary_of(
        "failed-job",
        &step(&github, &sei),
        "### ✅ SEI: delivered\n",
    );
    assert!(summary.contains("· ❌ FAILURE in 1m 12s"), "{summary}");
    assert!(summary.contains("    failed 45s :crit, j2, "), "{summary}");
    assert!(
        summary.contains("| tests (windows-latest) | ❌ FAILURE | 8s | 45s | 9 |"),
        "{summary}"
    );

    let (run, jobs) = fixtures::otel_attempt_two();
    let github = GitHub::new()
        .token(GH_TOKEN)
        .run(OTEL_REPO, run, jobs)
        .start();
    let sei = self::sei();
    let mut env = step(&github, &sei);
    env.var("GITHUB_RUN_ATTEMPT", "2");
    let summary = summary_of("attempt-2", &env, "### ✅ SEI: delivered\n");
    assert!(summary.contains(", attempt 2** · ✅ SUCCESS"), "{summary}");
    assert_eq!(summary.matches("\n  section ").count(), 1, "{summary}");
    assert!(
        summary.contains("4 jobs reused from an earlier attempt are not drawn"),
        "{summary}"
    );
    assert!(
        summary.contains("| build | ✅ SUCCESS | reused | 24s | 10 |"),
        "{summary}"
    );
}
