//! A saved run in a folder, read instead of the API (`github-data`): `run.json`, the jobs as
//! `jobs.json` or as pages `jobs-1.json`, `jobs-2.json`, ... (each a page object or a bare list),
//! and, optionally, the run's own `event.json` and its `artifacts.json` (the artifacts list, read
//! for `include-workflow-artifacts`). For offline demos and replaying a captured run.

use crate::model::event::{self, Event};
use crate::model::{ArtifactsPage, Job, JobsPage, Lookups, Run, RunData};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// A bare list of jobs, as some tools save them.
#[derive(serde::Deserialize)]
struct JobsList(#[serde(deserialize_with = "crate::model::lenient::list")] Vec<Job>);

/// Reads a saved run. Returns the run data and the event, if the folder has one.
pub fn load(dir: &Path) -> Result<(RunData, Option<Event>), String> {
    if !dir.is_dir() {
        return Err(format!(
            "input `github-data` is `{}`, which is not a folder: point it at a folder holding \
             run.json and jobs.json",
            dir.display()
        ));
    }
    let run_file = dir.join("run.json");
    let run = run(&run_file)?;
    let mut jobs = Vec::new();
    for file in job_files(dir)? {
        let text = read(&file)?;
        jobs.extend(if text.trim_start().starts_with('[') {
            parse::<JobsList>(&text, &file)?.0
        } else {
            parse::<JobsPage>(&text, &file)?.jobs
        });
    }
    let event_file = dir.join("event.json");
    let event = if event_file.exists() {
        Some(event::load(&event_file)?)
    } else {
        None
    };
    let artifacts_file = dir.join("artifacts.json");
    let artifacts = if artifacts_file.exists() {
        parse::<ArtifactsPage>(&read(&artifacts_file)?, &artifacts_file)?.artifacts
    } else {
        Vec::new()
    };
    Ok((
        RunData {
            run,
            jobs,
            me: None,
            lookups: Lookups {
                artifacts,
                ..Lookups::default()
            },
        },
        event,
    ))
}

/// `jobs.json`, else `jobs-1.json`, `jobs-2.json`, ... in numeric order.
fn job_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let single = dir.join("jobs.json");
    if single.exists() {
        return Ok(vec![single]);
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list the folder {} ({e})", dir.display()))?;
    let mut pages: Vec<(u64, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let n = name
                .strip_prefix("jobs-")?
                .strip_suffix(".json")?
                .parse()
                .ok()?;
            Some((n, e.path()))
        })
        .collect();
    if pages.is_empty() {
        return Err(format!(
            "the folder {} has no jobs.json (nor jobs-1.json, jobs-2.json, ...): save the \
             run's jobs there, e.g. `gh api repos/OWNER/REPO/actions/runs/ID/attempts/N/jobs \
             > jobs.json`",
            dir.display()
        ));
    }
    pages.sort();
    Ok(pages.into_iter().map(|(_, p)| p).collect())
}

/// How to save a run, for messages.
const SAVE_RUN: &str = "save one with `gh api repos/OWNER/REPO/actions/runs/ID/attempts/N > \
                        run.json` (and its jobs with `.../attempts/N/jobs > jobs.json`)";

/// `run.json`: one workflow run object, with its id and times, as the runs API returns it.
fn run(path: &Path) -> Result<Run, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "input `github-data`: cannot read {} ({e}): {SAVE_RUN}",
            path.display()
        )
    })?;
    let not_a_run = |what: &str| {
        format!(
            "input `github-data`: {} is not a workflow run ({what}), so nothing was sent: \
             {SAVE_RUN}",
            path.display()
        )
    };
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| not_a_run(&format!("not JSON: {e}")))?;
    let object = match &value {
        serde_json::Value::Object(o) => o,
        serde_json::Value::Array(_) => return Err(not_a_run("a list, like a runs listing")),
        _ => return Err(not_a_run("not a JSON object")),
    };
    if object.contains_key("workflow_runs") {
        return Err(not_a_run("a runs listing: save one run of it"));
    }
    let run: Run = serde_json::from_value(value.clone()).map_err(|e| not_a_run(&e.to_string()))?;
    if run.id.is_none() {
        return Err(not_a_run("it has no `id`"));
    }
    if run.run_started_at.is_none() && run.created_at.is_none() {
        return Err(not_a_run("it has no `run_started_at` or `created_at`"));
    }
    Ok(run)
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {} ({e})", path.display()))
}

fn parse<T: DeserializeOwned>(text: &str, path: &Path) -> Result<T, String> {
    serde_json::from_str(text)
        .map_err(|e| format!("{} is not the JSON expected ({e})", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(run_json: &str) -> Result<Run, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.json");
        std::fs::write(&path, run_json).unwrap();
        run(&path)
    }

    #[test]
    fn a_saved_run_must_be_a_run() {
        for (text, why) in [
            ("{}", "it has no `id`"),
            (r#"[{"id":1}]"#, "a list"),
            (r#"{"total_count":1,"workflow_runs":[]}"#, "a runs listing"),
            (r#"{"id":5}"#, "no `run_started_at` or `created_at`"),
            ("not json", "not JSON"),
            ("12", "not a JSON object"),
        ] {
            let e = saved(text).unwrap_err();
            assert!(e.contains(why), "{text}: {e}");
            assert!(e.starts_with("input `github-data`: "), "{e}");
            assert!(
                e.contains("nothing was sent") && e.contains("gh api repos/"),
                "{e}"
            );
        }
        let ok = saved(r#"{"id":5,"created_at":"2024-01-01T00:00:00Z"}"#).unwrap();
        assert_eq!(ok.id, Some(5));
        let missing = run(Path::new("/nonexistent/run.json")).unwrap_err();
        assert!(missing.contains("gh api repos/"), "{missing}");
    }
}
