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
    let run: Run = parse(&read(&run_file)?, &run_file)?;
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

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {} ({e})", path.display()))
}

fn parse<T: DeserializeOwned>(text: &str, path: &Path) -> Result<T, String> {
    serde_json::from_str(text)
        .map_err(|e| format!("{} is not the JSON expected ({e})", path.display()))
}
