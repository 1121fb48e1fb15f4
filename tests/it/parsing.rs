//! GitHub's JSON and the event file never make the reporter panic: property tests over the
//! tolerant types, the event parser, a `github-data` folder, and the mapping that reads what they
//! parsed. Inputs: any JSON, recorded responses with fields replaced by values of any type, and
//! recorded responses cut at any byte. A bounded number of cases keeps CI quick
//! (`PROPTEST_CASES` raises it for a longer hunt).

use proptest::prelude::*;
use sei_cicd::github::data_dir;
use sei_cicd::map::{self, CiCd, Options, Overrides};
use sei_cicd::model::event;
use sei_cicd::model::{JobsPage, Run, RunData};
use sei_cicd_testkit::fixtures;
use serde_json::{json, Map, Value};
use std::path::Path;

/// Cases per property unless `PROPTEST_CASES` says otherwise.
const CASES: u32 = 200;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CASES);
    ProptestConfig {
        cases,
        // A failing case is printed, shrunk; nothing is written to the source tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Strings GitHub's fields could hold, and the near misses.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,12}",
        "[0-9]{1,25}",
        "-?[0-9]{1,4}\\.[0-9]{0,3}",
        // Timestamps, well formed or not, with and without offsets.
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})?",
        Just("success".to_owned()),
        Just("completed".to_owned()),
        Just("in_progress".to_owned()),
        Just("workflow_run".to_owned()),
        Just(String::new()),
    ]
}

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{1,12}", inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A recorded response with some fields (at any depth) replaced by values of any type.
fn mutated(base: Value) -> impl Strategy<Value = Value> {
    let mut slots = Vec::new();
    pointers(&base, String::new(), &mut slots);
    prop::collection::vec((prop::sample::select(slots), any_json()), 1..8).prop_map(
        move |changes| {
            let mut v = base.clone();
            for (slot, value) in changes {
                // A slot inside a value replaced earlier is gone: skipped.
                if let Some(target) = v.pointer_mut(&slot) {
                    *target = value;
                }
            }
            v
        },
    )
}

/// JSON pointers to every value inside `v`.
fn pointers(v: &Value, here: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = format!("{here}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(child, p, out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                let p = format!("{here}/{i}");
                out.push(p.clone());
                pointers(child, p, out);
            }
        }
        _ => {}
    }
}

fn recorded_run() -> Value {
    fixtures::otel_run()
}

fn recorded_page() -> Value {
    json!({
        "total_count": 5,
        "jobs": fixtures::otel_jobs(),
    })
}

fn recorded_event() -> Value {
    fixtures::load("octokit-webhooks__workflow_run.completed.with-pull-requests.json")
}

fn options() -> Options {
    Options {
        instance_guid: "89d2491c-764a-4f77-93d9-18e8e372b795".into(),
        instance_name: "GitHub Actions".into(),
        server_url: "https://github.com".into(),
        repository: "o/r".into(),
        overrides: Overrides::default(),
        ci_cd: CiCd::Ci,
        cd_environments: Default::default(),
        themes: Vec::new(),
        cfr_status: None,
        params: Vec::new(),
        include_steps: true,
        build_numbers: Default::default(),
        artifacts: Vec::new(),
        job_status: None,
        now: chrono::Utc::now(),
    }
}

/// Parses run, page and event text the way the reporter does, and maps whatever parsed: none
/// of it may panic, and a payload that comes out must serialize.
fn parse_and_map(run: &str, page: &str, event_text: &str) {
    let run: Option<Run> = serde_json::from_str(run).ok();
    let page: Option<JobsPage> = serde_json::from_str(page).ok();
    let event = event::parse(event_text, Path::new("event.json")).ok();
    if let Some(e) = &event {
        let _ = e.is_fork_pull_request();
    }
    let data = RunData {
        run: run.unwrap_or_default(),
        jobs: page.map(|p| p.jobs).unwrap_or_default(),
        ..RunData::default()
    };
    let payload = map::payload(&data, event.as_ref(), &options());
    serde_json::to_vec(&payload).expect("a payload always serializes");
    for stage in &payload.job_run.stages {
        assert!(stage.duration_in_millis >= 0);
    }
    assert!(payload.duration >= 0);
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_json_parses_or_errs_without_panicking(run in any_json(), page in any_json(), ev in any_json()) {
        parse_and_map(&run.to_string(), &page.to_string(), &ev.to_string());
    }

    #[test]
    fn any_text_parses_or_errs_without_panicking(run in ".{0,64}", page in ".{0,64}", ev in ".{0,64}") {
        parse_and_map(&run, &page, &ev);
    }

    #[test]
    fn recorded_runs_with_fields_of_any_type_still_parse(
        run in mutated(recorded_run()),
        page in mutated(recorded_page()),
        ev in mutated(recorded_event()),
    ) {
        // A value of the wrong type reads as absent: the whole document still parses.
        prop_assert!(serde_json::from_value::<Run>(run.clone()).is_ok());
        prop_assert!(serde_json::from_value::<JobsPage>(page.clone()).is_ok());
        prop_assert!(event::parse(&ev.to_string(), Path::new("e.json")).is_ok());
        parse_and_map(&run.to_string(), &page.to_string(), &ev.to_string());
    }

    #[test]
    fn recorded_responses_cut_anywhere_are_an_error_not_a_panic(
        at_run in any::<prop::sample::Index>(),
        at_page in any::<prop::sample::Index>(),
        at_event in any::<prop::sample::Index>(),
    ) {
        let cut = |v: Value, at: prop::sample::Index| {
            let text = v.to_string();
            let mut i = at.index(text.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            text[..i].to_owned()
        };
        let run = cut(recorded_run(), at_run);
        prop_assert!(serde_json::from_str::<Run>(&run).is_err());
        let page = cut(recorded_page(), at_page);
        prop_assert!(serde_json::from_str::<JobsPage>(&page).is_err());
        let ev = cut(recorded_event(), at_event);
        prop_assert!(event::parse(&ev, Path::new("e.json")).is_err());
        parse_and_map(&run, &page, &ev);
    }

    #[test]
    fn a_github_data_folder_of_anything_loads_or_errs(
        run in any_json(),
        jobs in prop_oneof![any_json(), mutated(recorded_page())],
        ev in prop::option::of(any_json()),
        paged in any::<bool>(),
        raw in prop::option::of(".{0,40}"),
    ) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("run.json"), run.to_string()).unwrap();
        let jobs_text = raw.unwrap_or_else(|| jobs.to_string());
        if paged {
            std::fs::write(dir.path().join("jobs-1.json"), &jobs_text).unwrap();
            std::fs::write(dir.path().join("jobs-2.json"), jobs.to_string()).unwrap();
        } else {
            std::fs::write(dir.path().join("jobs.json"), &jobs_text).unwrap();
        }
        if let Some(ev) = ev {
            std::fs::write(dir.path().join("event.json"), ev.to_string()).unwrap();
        }
        match data_dir::load(dir.path()) {
            Ok((data, event)) => {
                let payload = map::payload(&data, event.as_ref(), &options());
                serde_json::to_vec(&payload).unwrap();
            }
            Err(why) => prop_assert!(why.contains(dir.path().to_str().unwrap()), "{}", why),
        }
    }
}

/// Cuts of the recorded responses every 31 bytes: parsing breaks cleanly all along.
#[test]
fn every_prefix_of_the_recorded_responses_fails_cleanly() {
    for doc in [recorded_run(), recorded_page(), recorded_event()] {
        let text = doc.to_string();
        for i in (0..text.len())
            .step_by(31)
            .filter(|&i| text.is_char_boundary(i))
        {
            let prefix = &text[..i];
            assert!(serde_json::from_str::<Run>(prefix).is_err());
            assert!(serde_json::from_str::<JobsPage>(prefix).is_err());
            assert!(event::parse(prefix, Path::new("e.json")).is_err());
        }
    }
}
