//! The mapping from GitHub data to SEI's payload, on recorded GitHub responses
//! (`tests/fixtures/github/`, see SOURCES.md). Each whole payload is a snapshot, so a change to
//! any field shows in review; the assertions beside them pin what SEI depends on.

use chrono::{TimeZone, Utc};
use sei_cicd::map::me::{FoundBy, Me};
use sei_cicd::map::{self, CiCd, Options, Overrides};
use sei_cicd::model::event::Event;
use sei_cicd::model::{Job, Lookups, Run, RunData};
use sei_cicd::payload::Payload;
use sei_cicd_testkit::fixtures;
use serde_json::{json, Value};

fn opts() -> Options {
    Options {
        instance_guid: "89d2491c-764a-4f77-93d9-18e8e372b795".into(),
        instance_name: "GitHub Actions".into(),
        server_url: "https://github.com".into(),
        repository: "fallback/repo".into(),
        overrides: Overrides::default(),
        ci_cd: CiCd::Auto,
        cd_environments: Default::default(),
        artifacts: vec![],
        themes: vec![],
        cfr_status: None,
        params: vec![],
        job_status: None,
        include_steps: true,
        build_numbers: Default::default(),
        now: Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
    }
}

fn data(run: Value, jobs: Vec<Value>) -> RunData {
    RunData {
        run: serde_json::from_value::<Run>(run).unwrap(),
        jobs: jobs
            .into_iter()
            .map(|j| serde_json::from_value::<Job>(j).unwrap())
            .collect(),
        me: None,
        lookups: Lookups::default(),
    }
}

fn map(run: Value, jobs: Vec<Value>) -> Payload {
    map::payload(&data(run, jobs), None, &opts())
}

/// What the server needs of every stage and step, whatever the data.
fn assert_server_safe(p: &Payload) {
    let mut ids = std::collections::HashSet::new();
    for s in &p.job_run.stages {
        assert!(!s.id.is_empty() && s.id.len() <= 50, "stage id {:?}", s.id);
        assert!(ids.insert(&s.id), "stage id {} twice", s.id);
        assert!(s.duration_in_millis >= 0);
        assert!(s.start_time.to_string().ends_with('Z'), "{}", s.start_time);
        let mut step_ids = std::collections::HashSet::new();
        for st in &s.steps {
            assert!(!st.id.is_empty());
            assert!(
                step_ids.insert(&st.id),
                "step id {} twice in {}",
                st.id,
                s.id
            );
            assert!(st.duration_in_millis >= 0);
            assert!(
                st.start_time.to_string().ends_with('Z'),
                "{}",
                st.start_time
            );
        }
    }
    assert!(p.duration >= 0);
    assert_eq!(
        &serde_json::from_slice::<Payload>(&serde_json::to_vec(p).unwrap()).unwrap(),
        p,
        "the body reads back as the payload it was written from"
    );
    assert!(["SUCCESS", "FAILURE", "ABORTED", "NOT_BUILT"].contains(&p.result.as_str()));
}

#[test]
fn push_run_with_a_matrix() {
    let p = map(fixtures::otel_run(), fixtures::otel_jobs());
    assert_server_safe(&p);
    assert_eq!(p.pipeline, "Build");
    assert_eq!(p.job_full_name, "corentinmusard/otel-cicd-action/Build");
    assert_eq!(p.qualified_name, p.job_full_name);
    assert_eq!(p.project_name, "corentinmusard/otel-cicd-action");
    // The clone URL, the form SEI parses the repository from (issue 18).
    assert_eq!(
        p.repo_url,
        "https://github.com/corentinmusard/otel-cicd-action.git"
    );
    assert_eq!(p.build_number, 1_000_006_701, "run 67, attempt 1");
    assert_eq!(p.execution_id, "12456168064-1");
    assert_eq!(p.result, "SUCCESS");
    // run_started_at 17:11:25Z to the last job's end, 17:12:37Z (`updated_at` says 17:12:39Z:
    // GitHub moves it later, issue 18)
    assert_eq!(p.start_time, 1_734_887_485_000);
    assert_eq!(p.duration, 72_000);
    assert_eq!(
        p.scm_commit_ids,
        ["607e6cc9b6c59889d2136df32b12599223203912"]
    );
    assert_eq!(p.job_run.stages.len(), 5);
    insta::assert_json_snapshot!(p);
}

#[test]
fn pull_request_run_whose_jobs_list_no_steps() {
    let p = map(fixtures::skip_dup_run(), fixtures::skip_dup_jobs());
    assert_server_safe(&p);
    assert_eq!(p.job_run.stages.len(), 5);
    assert!(p.job_run.stages.iter().all(|s| s.steps.is_empty()));
    assert_eq!(
        p.branch_name.as_deref(),
        Some("dependabot/github_actions/github/codeql-action-3.29.5")
    );
    insta::assert_json_snapshot!(p);
}

#[test]
fn self_hosted_job_with_offset_step_times() {
    let p = map(
        fixtures::load("rest-api-description__workflow-run.json"),
        fixtures::jobs("rest-api-description__job-paginated.json"),
    );
    assert_server_safe(&p);
    let stage = &p.job_run.stages[0];
    // Job times are Z, step times -08:00: the first step starts when the job does.
    assert_eq!(stage.start_time, "2020-01-20T17:42:40.000Z");
    assert_eq!(stage.steps[0].start_time, "2020-01-20T17:42:40.000Z");
    assert_eq!(stage.steps[0].duration_in_millis, 1000);
    // Post steps jump from 8 to 16; ids follow GitHub's numbers.
    let ids: Vec<&str> = stage.steps.iter().map(|s| s.id.as_str()).collect();
    assert!(ids.contains(&"16"), "{ids:?}");
    assert!(stage.display_description.contains("runner my runner"));
    assert!(stage.display_description.contains("self-hosted"));
    insta::assert_json_snapshot!(p);
}

#[test]
fn bare_job_list_from_another_tool() {
    let p = map(
        fixtures::load("actions-timeline__workflow.run.json"),
        fixtures::jobs("actions-timeline__workflow_job.jobs-array.json"),
    );
    assert_server_safe(&p);
    insta::assert_json_snapshot!(p);
}

/// A run still going: one job failed, one runs with queued steps, one waits for a runner, one
/// waits for an environment's approval.
#[test]
fn run_in_progress_with_failed_running_and_waiting_jobs() {
    let mut run = fixtures::load("rest-api-description__workflow-run.json");
    run["status"] = json!("in_progress");
    let job = |f: &str| fixtures::load(f)["workflow_job"].clone();
    let mut jobs = vec![
        job("octokit-webhooks__workflow_job.completed.failure.with-organization.json"),
        job("octokit-webhooks__workflow_job.in_progress.with-queued-steps.json"),
        job("octokit-webhooks__workflow_job.queued.json"),
        job("octokit-webhooks__workflow_job.waiting.json"),
    ];
    // Two of the recorded jobs share an id; a run never does.
    jobs[2]["id"] = json!(1);
    let p = map(run, jobs);
    assert_server_safe(&p);
    assert_eq!(p.result, "FAILURE", "a finished job failed");
    // In progress: the run lasts until "now".
    assert_eq!(
        p.start_time + p.duration,
        opts().now.timestamp_millis(),
        "duration runs to now"
    );
    let states: Vec<(&str, &str)> = p
        .job_run
        .stages
        .iter()
        .map(|s| (s.result.as_str(), s.state.as_str()))
        .collect();
    assert_eq!(
        states,
        [
            ("FAILURE", "FINISHED"),
            ("UNKNOWN", "RUNNING"),
            ("UNKNOWN", "QUEUED"),
            ("UNKNOWN", "QUEUED")
        ]
    );
    assert!(p.job_run.stages[3]
        .display_description
        .contains("waiting for a runner"));
    let running = &p.job_run.stages[1];
    let queued_step = running.steps.last().unwrap();
    assert_eq!(
        (queued_step.result.as_str(), queued_step.state.as_str()),
        ("UNKNOWN", "QUEUED")
    );
    assert_eq!(queued_step.duration_in_millis, 0);
    insta::assert_json_snapshot!(p);
}

/// Every GitHub conclusion, at run and at job level.
#[test]
fn every_conclusion_maps_to_the_plugin_vocabulary() {
    let cases = [
        ("success", "SUCCESS", "FINISHED"),
        ("failure", "FAILURE", "FINISHED"),
        ("timed_out", "FAILURE", "FINISHED"),
        ("startup_failure", "FAILURE", "FINISHED"),
        ("cancelled", "ABORTED", "FINISHED"),
        ("skipped", "NOT_BUILT", "SKIPPED"),
        ("neutral", "SUCCESS", "FINISHED"),
        ("action_required", "NOT_BUILT", "NOT_BUILT"),
        ("stale", "NOT_BUILT", "NOT_BUILT"),
    ];
    for (conclusion, result, state) in cases {
        let mut run = fixtures::otel_run();
        run["conclusion"] = json!(conclusion);
        let mut jobs = fixtures::otel_jobs();
        jobs[0]["conclusion"] = json!(conclusion);
        let p = map(run, jobs);
        assert_eq!(p.result, result, "run {conclusion}");
        let s = &p.job_run.stages[0];
        assert_eq!(
            (s.result.as_str(), s.state.as_str()),
            (result, state),
            "job {conclusion}"
        );
    }
}

/// A cancelled job that never started and a skipped one: zero, never negative, durations.
#[test]
fn jobs_that_never_ran_last_zero() {
    let (run, mut jobs) = fixtures::synthetic(1, 3, 2, |_| false);
    jobs[0]["conclusion"] = json!("skipped");
    jobs[0]["started_at"] = json!("2025-03-01T10:00:05Z");
    jobs[0]["completed_at"] = json!("2025-03-01T10:00:05Z");
    jobs[0]["steps"] = json!([]);
    jobs[1]["conclusion"] = json!("cancelled");
    jobs[1]["started_at"] = json!(null);
    jobs[1]["completed_at"] = json!("2025-03-01T09:59:00Z"); // before created_at
    jobs[1]["runner_name"] = json!(null);
    for s in jobs[1]["steps"].as_array_mut().unwrap() {
        s["conclusion"] = json!("cancelled");
        s["started_at"] = json!(null);
        s["completed_at"] = json!(null);
    }
    let p = map(run, jobs);
    assert_server_safe(&p);
    let [skipped, cancelled, _] = &p.job_run.stages[..] else {
        panic!()
    };
    assert_eq!(
        (skipped.state.as_str(), skipped.duration_in_millis),
        ("SKIPPED", 0)
    );
    assert_eq!(cancelled.result, "ABORTED");
    assert_eq!(cancelled.duration_in_millis, 0, "clamped, not negative");
    assert_eq!(
        cancelled.start_time, "2025-03-01T10:00:00.000Z",
        "falls back to created_at"
    );
    assert_eq!(cancelled.steps.len(), 2, "cancelled steps stay");
    assert!(cancelled.steps.iter().all(|s| s.result == "ABORTED"));
}

#[test]
fn options_and_overrides_reach_the_payload() {
    let mut o = opts();
    o.overrides = Overrides {
        pipeline: Some("Deploy API".into()),
        job_full_name: Some("acme/deploy".into()),
        qualified_name: Some("acme.deploy".into()),
        project_name: Some("Payments".into()),
        module_name: Some("api".into()),
        build_number: Some(12456168064),
    };
    o.ci_cd = CiCd::Cd;
    o.themes = vec!["reliability".into()];
    o.cfr_status = Some(true);
    o.params = vec![("version".into(), "1.4.2".into())];
    o.include_steps = false;
    let d = data(fixtures::otel_run(), fixtures::otel_jobs());
    let p = map::payload(&d, None, &o);
    assert_eq!(p.pipeline, "Deploy API");
    assert_eq!(p.job_full_name, "acme/deploy");
    assert_eq!(p.qualified_name, "acme.deploy");
    assert_eq!(p.project_name, "Payments");
    assert_eq!(p.module_name.as_deref(), Some("api"));
    assert_eq!(p.build_number, 12456168064);
    assert!(p.cd && !p.ci);
    let v = serde_json::to_value(&p).unwrap();
    assert_eq!(v["themes"], json!(["reliability"]));
    assert_eq!(v["cfr_status"], json!(true));
    // The fixed parameters every report carries, then `params`.
    assert_eq!(
        v["job_run_params"],
        json!([
            {"type": "StringParameterValue", "name": "github_event", "value": "push"},
            {"type": "StringParameterValue", "name": "github_branch", "value": "main"},
            {"type": "StringParameterValue", "name": "github_run_attempt", "value": "1"},
            {"type": "StringParameterValue", "name": "github_workflow_file", "value": ".github/workflows/build.yml"},
            {"type": "StringParameterValue", "name": "version", "value": "1.4.2"}
        ])
    );
    assert!(p.job_run.stages.iter().all(|s| s.steps.is_empty()));
    assert_eq!(p.job_run.stages.len(), 5, "stages stay without steps");
}

#[test]
fn optional_fields_are_left_out_when_not_set() {
    let p = map(fixtures::otel_run(), fixtures::otel_jobs());
    let v = serde_json::to_value(&p).unwrap();
    assert!(v.get("cfr_status").is_none());
    assert!(v.get("themes").is_none());
}

#[test]
fn the_runs_own_event_adds_upstream_details() {
    let mut run = fixtures::otel_run();
    run["event"] = json!("workflow_run");
    let event: Event = serde_json::from_value(fixtures::load(
        "octokit-webhooks__workflow_run.completed.json",
    ))
    .unwrap();
    let d = data(run, vec![]);
    let p = map::payload(&d, Some(&event), &opts());
    assert_eq!(p.trigger_chain.len(), 1);
    let up = &p.trigger_chain[0];
    assert_eq!(up.kind, "UpstreamCause");
    // The upstream's job in SEI (its default name), its number and its run id.
    assert_eq!(up.id, "octo-org/octo-repo/.github/workflows/test.yml");
    assert_eq!(up.job_run_number, Some(163));
    assert_eq!(up.run_id, Some(289_782_451));
    assert_eq!(
        up.direct_parents[0].kind, "RemoteCause",
        "the upstream came from repository_dispatch"
    );
}

#[test]
fn a_big_matrix_maps_every_job() {
    let (run, jobs) = fixtures::synthetic(7, 1000, 20, |i| i == 999);
    let p = map(run, jobs);
    assert_server_safe(&p);
    assert_eq!(p.job_run.stages.len(), 1000);
    assert_eq!(p.job_run.stages[999].result, "FAILURE");
    assert_eq!(p.result, "FAILURE");
}

fn stage<'a>(p: &'a Payload, id: &str) -> &'a sei_cicd::payload::Stage {
    p.job_run
        .stages
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no stage {id}"))
}

const ME: &str = "34769402426";

/// "Now" for the run in progress: 13 s after "my" job started.
fn now_in_run() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 12, 22, 17, 12, 40).unwrap()
}

fn in_progress(job_status: Option<&str>) -> Payload {
    let (run, jobs) = fixtures::otel_in_progress();
    let mut d = data(run, jobs);
    d.me = Some(Me {
        job_id: ME.parse().unwrap(),
        found_by: FoundBy::CheckRunId,
    });
    let mut o = opts();
    o.job_status = job_status.map(Into::into);
    o.now = now_in_run();
    map::payload(&d, None, &o)
}

/// The reporter as the last job of its own run: the run is in progress and so is "my" job.
#[test]
fn run_in_progress_with_the_reporters_own_job_running() {
    let p = in_progress(Some("success"));
    assert_server_safe(&p);
    let now = now_in_run().timestamp_millis();
    // The run as if it ended now: from its start to now, its result from every job.
    assert_eq!(p.start_time, 1_734_887_485_000);
    assert_eq!(p.start_time + p.duration, now);
    assert_eq!(p.result, "SUCCESS");
    let me = stage(&p, ME);
    assert_eq!(
        (me.result.as_str(), me.state.as_str()),
        ("SUCCESS", "FINISHED")
    );
    assert_eq!(me.start_time, "2024-12-22T17:12:27.000Z");
    assert_eq!(me.duration_in_millis, 13_000, "my job runs until now");
    assert_eq!(p.duration, 75_000);
    assert!(
        me.display_description
            .starts_with("this reporter's job · queued 6s · https://"),
        "{}",
        me.display_description
    );
    // Only the steps that finished: not this step ("Export workflow"), not the post steps.
    let steps: Vec<&str> = me.steps.iter().map(|s| s.display_name.as_str()).collect();
    assert_eq!(steps, ["Set up job", "Run actions/checkout@v4"]);
    // The four other jobs are as GitHub recorded them.
    assert_eq!(p.job_run.stages.len(), 5);
    assert!(p.job_run.stages[..4]
        .iter()
        .all(|s| s.result == "SUCCESS" && s.state == "FINISHED"));

    // `job-status: failure` fails the run; without `job-status`, "my" job is still running
    // and the run's result counts the finished jobs only.
    assert_eq!(in_progress(Some("failure")).result, "FAILURE");
    assert_eq!(in_progress(Some("cancelled")).result, "ABORTED");
    let p = in_progress(None);
    let me = stage(&p, ME);
    assert_eq!(
        (me.result.as_str(), me.state.as_str()),
        ("UNKNOWN", "RUNNING")
    );
    assert_eq!(p.result, "SUCCESS");
    insta::assert_json_snapshot!(in_progress(Some("success")));
}

/// "Re-run failed jobs": attempt 2 keeps four jobs from attempt 1 and runs one again.
#[test]
fn attempt_two_of_a_rerun_keeps_reused_jobs_as_they_ran() {
    let (run, jobs) = fixtures::otel_attempt_two();
    let p = map(run, jobs);
    assert_server_safe(&p);
    assert_eq!(p.execution_id, "12456168064-2", "unique per attempt");
    // Its own SEI run: run 67, attempt 2 (SEI would keep attempt 1's report under 67 forever).
    assert_eq!(
        p.build_number, 1_000_006_702,
        "every attempt its own build number"
    );
    assert_eq!(p.trigger_chain[0].rerun_of_attempt, Some(1));
    assert_eq!(
        p.trigger_chain[0].job_run_number,
        Some(1_000_006_701),
        "the attempt it re-ran, as SEI numbered it"
    );
    // This attempt's own start and end: its last job's end (18:20:40Z), not the run's
    // `updated_at` (18:20:45Z, which GitHub moves later), nor a reused job's.
    assert_eq!(p.start_time, 1_734_891_600_000); // 18:20:00Z
    assert_eq!(p.duration, 40_000);
    assert_eq!(p.user_id.as_deref(), Some("release-manager"));
    assert_eq!(p.trigger_chain[0].kind, "UserIdCause");
    assert_eq!(p.trigger_chain[0].id, "release-manager");
    assert_eq!(p.trigger_chain[1].kind, "SCMTriggerCause");
    // Reused jobs are marked, with the times they ran at in attempt 1 (not re-timed).
    let build = stage(&p, "34769389408");
    assert!(
        build
            .display_description
            .starts_with("reused from attempt 1 · queued "),
        "{}",
        build.display_description
    );
    assert_eq!(build.start_time, "2024-12-22T17:11:31.000Z");
    assert_eq!(build.duration_in_millis, 24_000);
    let rerun = stage(&p, &fixtures::RERUN_JOB_ID.to_string());
    assert!(!rerun.display_description.contains("reused"));
    assert_eq!(rerun.start_time, "2024-12-22T18:20:05.000Z");
    assert_eq!(rerun.duration_in_millis, 35_000);
    let reused = p
        .job_run
        .stages
        .iter()
        .filter(|s| s.display_description.starts_with("reused from attempt 1"))
        .count();
    assert_eq!(reused, 4);
    insta::assert_json_snapshot!(p);
}

/// A job waiting for a runner (none free, or a self-hosted one offline).
#[test]
fn a_queued_job_with_no_runner() {
    let mut run = fixtures::load("rest-api-description__workflow-run.json");
    run["status"] = json!("in_progress");
    let mut job =
        fixtures::load("octokit-webhooks__workflow_job.queued.json")["workflow_job"].clone();
    job["runner_name"] = Value::Null;
    job["runner_id"] = Value::Null;
    job["started_at"] = Value::Null;
    let p = map(run, vec![job]);
    assert_server_safe(&p);
    let s = &p.job_run.stages[0];
    assert_eq!((s.result.as_str(), s.state.as_str()), ("UNKNOWN", "QUEUED"));
    assert_eq!(s.duration_in_millis, 0);
    assert_eq!(
        s.start_time, "2021-09-13T02:21:13.000Z",
        "created_at stands in"
    );
    assert!(s.display_description.contains("waiting for a runner"));
    assert!(s.steps.is_empty());
    assert_eq!(p.result, "NOT_BUILT", "nothing has finished");
}

/// Two jobs may share a name (a matrix without distinguishing values, a reusable workflow
/// called twice): both stay, told apart by their ids.
#[test]
fn two_jobs_with_the_same_name() {
    let (run, mut jobs) = fixtures::synthetic(5, 2, 2, |i| i == 1);
    jobs[0]["name"] = json!("test");
    jobs[1]["name"] = json!("test");
    let p = map(run, jobs);
    assert_server_safe(&p);
    let stages: Vec<(&str, &str, &str)> = p
        .job_run
        .stages
        .iter()
        .map(|s| (s.id.as_str(), s.display_name.as_str(), s.result.as_str()))
        .collect();
    assert_eq!(
        stages,
        [
            ("9000000000", "test", "SUCCESS"),
            ("9000000001", "test", "FAILURE")
        ]
    );
}

/// A pull request from a fork: the run's head branch is the fork's.
#[test]
fn a_fork_pull_request() {
    let mut run = fixtures::skip_dup_run();
    run["head_branch"] = json!("main");
    run["head_repository"]["full_name"] = json!("outside-contributor/skip-duplicate-actions");
    run["head_repository"]["fork"] = json!(true);
    let jobs = fixtures::skip_dup_jobs();
    // Without the event (a reporter in another workflow): the fork is in the branch name.
    let p = map(run.clone(), jobs.clone());
    assert_eq!(p.branch_name.as_deref(), Some("outside-contributor:main"));
    assert_eq!(
        serde_json::to_value(&p.trigger_chain).unwrap(),
        json!([{"id": "SCMTrigger", "type": "SCMTriggerCause"}]),
        "fork pull requests are not in the run's list: no number"
    );
    // With the run's own event, the pull request's number too.
    let event: Event = serde_json::from_value(json!({
        "pull_request": {"number": 1234,
            "head": {"sha": "h", "repo": {"full_name": "outside-contributor/skip-duplicate-actions", "fork": true}},
            "base": {"sha": "b", "repo": {"full_name": "step-security/skip-duplicate-actions"}}}
    }))
    .unwrap();
    assert!(event.is_fork_pull_request());
    let p = map::payload(&data(run, jobs), Some(&event), &opts());
    assert_eq!(p.branch_name.as_deref(), Some("outside-contributor:main"));
    assert_eq!(
        serde_json::to_value(&p.trigger_chain).unwrap(),
        json!([{"id": "SCMTrigger", "type": "SCMTriggerCause", "pull_request": 1234}])
    );
    assert!(p.ci && !p.cd);
}

/// Jobs that did not pass, each as SEI counts it, and the run's result derived from them.
#[test]
fn skipped_cancelled_timed_out_and_startup_failure_jobs() {
    let (mut run, mut jobs) = fixtures::synthetic(6, 5, 2, |_| false);
    run["status"] = json!("in_progress");
    run["conclusion"] = Value::Null;
    for (i, c) in [
        "success",
        "skipped",
        "cancelled",
        "timed_out",
        "startup_failure",
    ]
    .iter()
    .enumerate()
    {
        jobs[i]["conclusion"] = json!(c);
    }
    jobs[1]["steps"] = json!([]); // a skipped job lists no steps
    let p = map(run.clone(), jobs.clone());
    assert_server_safe(&p);
    let got: Vec<(&str, &str)> = p
        .job_run
        .stages
        .iter()
        .map(|s| (s.result.as_str(), s.state.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("SUCCESS", "FINISHED"),
            ("NOT_BUILT", "SKIPPED"),
            ("ABORTED", "FINISHED"),
            ("FAILURE", "FINISHED"),
            ("FAILURE", "FINISHED"),
        ]
    );
    assert!(p.job_run.stages[1].steps.is_empty());
    assert_eq!(p.result, "FAILURE", "a timed-out job fails the run");
    // Without the failures, a cancellation aborts it; a skipped job alone does not fail it.
    let p = map(run.clone(), jobs[..3].to_vec());
    assert_eq!(p.result, "ABORTED");
    let p = map(run, jobs[..2].to_vec());
    assert_eq!(p.result, "SUCCESS");
    // A workflow that could not start: no jobs at all.
    let mut broken = fixtures::otel_run();
    broken["conclusion"] = json!("startup_failure");
    let p = map(broken, vec![]);
    assert_eq!(p.result, "FAILURE");
    assert!(p.job_run.stages.is_empty());
}

/// What the look-ups found reaches the payload: commits, environments, uploaded artifacts.
#[test]
fn lookups_reach_the_payload() {
    let mut d = data(fixtures::otel_run(), fixtures::otel_jobs());
    let shas = fixtures::history(150);
    let newest: Vec<String> = shas.iter().rev().take(100).cloned().collect();
    d.lookups.commits = Some(newest.clone());
    d.lookups.deployments = Some(vec![("production".into(), Some(34769402426))]);
    d.lookups.artifacts = serde_json::from_value(
        fixtures::load("otel-cicd-action__self-run-12456168064.artifacts.json")["artifacts"]
            .clone(),
    )
    .unwrap();
    let p = map::payload(&d, None, &opts());
    assert_eq!(p.scm_commit_ids, newest);
    assert!(p.cd && !p.ci, "deployed to an environment");
    assert!(
        stage(&p, "34769402426")
            .display_description
            .starts_with("deployed to production · queued "),
        "the stage that deployed says so"
    );
    assert_eq!(
        map::ci_cd(&d, None, &opts()).to_string(),
        "CD (deployed to `production`)"
    );
    assert_eq!(p.artifacts.len(), 3);
    let a = serde_json::to_value(&p.artifacts[0]).unwrap();
    assert_eq!(
        a,
        json!({"input": false, "output": true, "type": "workflow-artifact",
               "location": "https://api.github.com/repos/corentinmusard/otel-cicd-action/actions/artifacts/2353674538/zip",
               "name": "{tests (macos-latest)}{run tests}", "qualifier": "2353674538"})
    );
    // An empty commit list (nothing found) means the head commit.
    d.lookups.commits = Some(vec![]);
    let p = map::payload(&d, None, &opts());
    assert_eq!(
        p.scm_commit_ids,
        ["607e6cc9b6c59889d2136df32b12599223203912"]
    );
}

/// A manual run's inputs become parameters, before the `params` input (which wins on a name
/// clash); values are strings.
#[test]
fn dispatch_inputs_and_params() {
    let mut run = fixtures::otel_run();
    run["event"] = json!("workflow_dispatch");
    // Parsed from text, as the event file is: the inputs keep the event's order.
    let event: Event = serde_json::from_str(
        r#"{"inputs": {"environment": "staging", "replicas": 3, "dry_run": false}}"#,
    )
    .unwrap();
    let mut o = opts();
    o.params = vec![("environment".into(), "production".into())];
    let p = map::payload(&data(run, vec![]), Some(&event), &o);
    assert_eq!(
        serde_json::to_value(&p.job_run_params).unwrap(),
        json!([
            {"type": "StringParameterValue", "name": "github_event", "value": "workflow_dispatch"},
            {"type": "StringParameterValue", "name": "github_branch", "value": "main"},
            {"type": "StringParameterValue", "name": "github_run_attempt", "value": "1"},
            {"type": "StringParameterValue", "name": "github_workflow_file", "value": ".github/workflows/build.yml"},
            {"type": "StringParameterValue", "name": "environment", "value": "production"},
            {"type": "StringParameterValue", "name": "replicas", "value": "3"},
            {"type": "StringParameterValue", "name": "dry_run", "value": "false"}
        ])
    );
    assert_eq!(p.trigger_chain[0].kind, "UserIdCause");
}

/// A scheduled run carries its cron; a tag push reports the tag as a full ref.
#[test]
fn schedules_and_tags() {
    let mut run = fixtures::otel_run();
    run["event"] = json!("schedule");
    let event: Event = serde_json::from_value(json!({"schedule": "17 3 * * *"})).unwrap();
    let p = map::payload(&data(run.clone(), vec![]), Some(&event), &opts());
    assert_eq!(
        serde_json::to_value(&p.trigger_chain).unwrap(),
        json!([{"id": "TimerTrigger", "type": "TimerTriggerCause", "cron": "17 3 * * *"}])
    );
    run["event"] = json!("push");
    run["head_branch"] = json!("v0.9.0");
    let event: Event = serde_json::from_value(json!({"ref": "refs/tags/v0.9.0"})).unwrap();
    let p = map::payload(&data(run, vec![]), Some(&event), &opts());
    assert_eq!(p.branch_name.as_deref(), Some("refs/tags/v0.9.0"));
}

/// Issue 11: a tag push reported without its event (Mode 1): GitHub's refs said `v1.2.0` is a
/// tag, so the branch is the tag, the run hints at a release, and nothing contradicts it.
#[test]
fn a_tag_known_from_githubs_refs() {
    let mut run = fixtures::otel_run();
    run["head_branch"] = json!("v1.2.0");
    run["name"] = json!("Release");
    run["path"] = json!(".github/workflows/release.yml");
    let mut d = data(run, fixtures::otel_jobs());
    let p = map::payload(&d, None, &opts());
    assert_eq!(p.branch_name.as_deref(), Some("v1.2.0"), "not looked up");
    assert!(p.ci && !p.cd);
    d.lookups.head_is_tag = Some(true);
    let p = map::payload(&d, None, &opts());
    assert_eq!(p.branch_name.as_deref(), Some("refs/tags/v1.2.0"));
    assert!(p.cd && !p.ci);
    assert_eq!(
        map::ci_cd(&d, None, &opts()).to_string(),
        "CD (the run is for a tag, and nothing in the run says otherwise)"
    );
    // The run's own event outranks the look-up (Mode 2).
    let event: Event = serde_json::from_value(json!({"ref": "refs/heads/v1.2.0"})).unwrap();
    let p = map::payload(&d, Some(&event), &opts());
    assert_eq!(p.branch_name.as_deref(), Some("v1.2.0"));
}

/// Issue 11: a run reported from inside while a `continue-on-error` job has failed: the stage
/// says FAILURE as it ran, the run's result is what GitHub will conclude.
#[test]
fn a_failed_job_that_may_fail_leaves_the_run_green() {
    let (run, mut jobs) = fixtures::otel_in_progress();
    jobs[2]["conclusion"] = json!("failure");
    let mut d = data(run, jobs);
    d.me = Some(Me {
        job_id: ME.parse().unwrap(),
        found_by: FoundBy::CheckRunId,
    });
    let mut o = opts();
    o.job_status = Some("success".into());
    o.now = now_in_run();
    assert_eq!(map::payload(&d, None, &o).result, "FAILURE");
    d.lookups.may_fail = vec![34769389529];
    let p = map::payload(&d, None, &o);
    assert_eq!(p.result, "SUCCESS");
    assert_eq!(stage(&p, "34769389529").result, "FAILURE");
    // "Mine" too: the reporter's own job may fail.
    o.job_status = Some("failure".into());
    d.lookups.may_fail = vec![34769389529];
    assert_eq!(map::payload(&d, None, &o).result, "FAILURE");
    d.lookups.may_fail.push(ME.parse().unwrap());
    assert_eq!(map::payload(&d, None, &o).result, "SUCCESS");
    // A completed run's conclusion stands as GitHub gave it.
    let mut done = data(fixtures::otel_run(), fixtures::otel_jobs());
    done.lookups.may_fail = vec![1];
    assert_eq!(map::payload(&done, None, &opts()).result, "SUCCESS");
}

/// Issue 11: the evidence adds up. A build that declared its image and deployed it to
/// production is CI and CD; a deployment to a preview does not count; a `deployment` run
/// takes its environment from the deployment found when its own event is not at hand.
#[test]
fn ci_and_cd_from_evidence_that_adds_up() {
    let mut d = data(fixtures::otel_run(), fixtures::otel_jobs());
    d.lookups.deployments = Some(vec![("production".into(), Some(34769402426))]);
    let mut o = opts();
    o.artifacts = sei_cicd::map::artifacts::parse(
        "output container ghcr.io/acme/api@sha256:4f1c3b9e2d8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e",
    )
    .unwrap();
    let p = map::payload(&d, None, &o);
    assert!(p.ci && p.cd);
    assert_eq!(
        map::ci_cd(&d, None, &o).to_string(),
        "CI and CD (declared artifacts: 0 input(s), 1 output(s); deployed to `production`)"
    );
    insta::assert_json_snapshot!(p);

    d.lookups.deployments = Some(vec![("docs-preview".into(), Some(34769402426))]);
    assert_eq!(
        map::ci_cd(&d, None, &opts()).to_string(),
        "CI (deployed only to `docs-preview`, which `cd-environments` does not count)"
    );
    let mut all = opts();
    all.cd_environments = sei_cicd::map::cicd::Environments::parse("*").unwrap();
    assert!(map::payload(&d, None, &all).cd);

    let mut run = fixtures::otel_run();
    run["event"] = json!("deployment");
    let mut d = data(run, fixtures::otel_jobs());
    d.lookups.deployments = Some(vec![]);
    d.lookups.deployment_environment = Some("pr-9".into());
    assert_eq!(
        map::ci_cd(&d, None, &opts()).to_string(),
        "CI (a `deployment` event to `pr-9`, which `cd-environments` does not count)"
    );
    let own: Event =
        serde_json::from_value(json!({"deployment": {"id": 1, "environment": "production"}}))
            .unwrap();
    assert_eq!(
        map::ci_cd(&d, Some(&own), &opts()).to_string(),
        "CD (a `deployment` event to `production`)",
        "the run's own event says which deployment started it"
    );
}

/// Issue 11: a run started by `workflow_run` is reported on its own branch (the default branch,
/// of the commits it reports) whichever mode reports it; the upstream run is in the trigger
/// chain when the run's own event is known.
#[test]
fn a_run_started_by_workflow_run_keeps_its_own_branch() {
    let mut run = fixtures::otel_run();
    run["event"] = json!("workflow_run");
    let event: Event = serde_json::from_value(fixtures::load(
        "octokit-webhooks__workflow_run.completed.json",
    ))
    .unwrap();
    let d = data(run, vec![]);
    let inside = map::payload(&d, Some(&event), &opts());
    let outside = map::payload(&d, None, &opts());
    assert_eq!(inside.branch_name.as_deref(), Some("main"));
    assert_eq!(inside.branch_name, outside.branch_name);
    assert_eq!(inside.scm_commit_ids, outside.scm_commit_ids);
    assert_eq!(inside.trigger_chain[0].kind, "UpstreamCause");
    assert_eq!(outside.trigger_chain[0].id, "workflow_run");
}
