//! The mapping from GitHub data to SEI's payload, on recorded GitHub responses
//! (`tests/fixtures/github/`, see SOURCES.md). Each whole payload is a snapshot, so a change to
//! any field shows in review; the assertions beside them pin what SEI depends on.

use chrono::{TimeZone, Utc};
use sei_cicd::event::Event;
use sei_cicd::github::model::{Job, Run, RunData};
use sei_cicd::map::{self, CiCd, Options, Overrides};
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
        ci_cd: CiCd::Ci,
        themes: vec![],
        cfr_status: None,
        params: vec![],
        include_steps: true,
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
        assert!(s.start_time.ends_with('Z'), "{}", s.start_time);
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
            assert!(st.start_time.ends_with('Z'), "{}", st.start_time);
        }
    }
    assert!(p.duration >= 0);
    assert!(["SUCCESS", "FAILURE", "ABORTED", "NOT_BUILT"].contains(&p.result.as_str()));
}

#[test]
fn push_run_with_a_matrix() {
    let p = map(
        fixtures::load("otel-cicd-action__self-run-12456168064.run.json"),
        fixtures::jobs("otel-cicd-action__self-run-12456168064.jobs.json"),
    );
    assert_server_safe(&p);
    assert_eq!(p.pipeline, "Build");
    assert_eq!(p.job_full_name, "corentinmusard/otel-cicd-action/Build");
    assert_eq!(p.qualified_name, p.job_full_name);
    assert_eq!(p.project_name, "corentinmusard/otel-cicd-action");
    assert_eq!(
        p.repo_url,
        "https://github.com/corentinmusard/otel-cicd-action"
    );
    assert_eq!(p.build_number, 67);
    assert_eq!(p.execution_id, "12456168064-1");
    assert_eq!(p.result, "SUCCESS");
    // run_started_at 17:11:25Z to updated_at 17:12:39Z
    assert_eq!(p.start_time, 1_734_887_485_000);
    assert_eq!(p.duration, 74_000);
    assert_eq!(
        p.scm_commit_ids,
        ["607e6cc9b6c59889d2136df32b12599223203912"]
    );
    assert_eq!(p.job_run.stages.len(), 5);
    insta::assert_json_snapshot!(p);
}

#[test]
fn pull_request_run_whose_jobs_list_no_steps() {
    let p = map(
        fixtures::load("otel-cicd-action__skip-dup-run-16620109074.run.json"),
        fixtures::jobs("otel-cicd-action__skip-dup-run-16620109074.jobs.json"),
    );
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
        let mut run = fixtures::load("otel-cicd-action__self-run-12456168064.run.json");
        run["conclusion"] = json!(conclusion);
        let mut jobs = fixtures::jobs("otel-cicd-action__self-run-12456168064.jobs.json");
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
    let d = data(
        fixtures::load("otel-cicd-action__self-run-12456168064.run.json"),
        fixtures::jobs("otel-cicd-action__self-run-12456168064.jobs.json"),
    );
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
    assert_eq!(
        v["job_run_params"],
        json!([{"type": "StringParameterValue", "name": "version", "value": "1.4.2"}])
    );
    assert!(p.job_run.stages.iter().all(|s| s.steps.is_empty()));
    assert_eq!(p.job_run.stages.len(), 5, "stages stay without steps");
}

#[test]
fn optional_fields_are_left_out_when_not_set() {
    let p = map(
        fixtures::load("otel-cicd-action__self-run-12456168064.run.json"),
        fixtures::jobs("otel-cicd-action__self-run-12456168064.jobs.json"),
    );
    let v = serde_json::to_value(&p).unwrap();
    assert!(v.get("cfr_status").is_none());
    assert!(v.get("themes").is_none());
}

#[test]
fn the_runs_own_event_adds_upstream_details() {
    let mut run = fixtures::load("otel-cicd-action__self-run-12456168064.run.json");
    run["event"] = json!("workflow_run");
    let event: Event = serde_json::from_value(fixtures::load(
        "octokit-webhooks__workflow_run.completed.json",
    ))
    .unwrap();
    let d = data(run, vec![]);
    let p = map::payload(&d, Some(&event), &opts());
    assert_eq!(p.trigger_chain.len(), 1);
    assert_eq!(p.trigger_chain[0].kind, "UpstreamCause");
    assert_eq!(p.trigger_chain[0].job_run_number, Some(163));
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
