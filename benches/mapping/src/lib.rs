//! What both benchmarks of this package start from: a synthetic run of `jobs` jobs of
//! [`STEPS`] steps (`sei_cicd_testkit::fixtures::synthetic`, one job in 97 failed) as GitHub
//! sends it, parsed the way the reporter parses it, and the mapping's options.

use chrono::{TimeZone, Utc};
use sei_cicd::map::{CiCd, Options, Overrides};
use sei_cicd::model::{JobsPage, Lookups, Run, RunData};
use sei_cicd_testkit::fixtures;

/// Steps per job.
pub const STEPS: usize = 20;

/// The mapping's settings, as a report with default inputs has them.
pub fn options() -> Options {
    Options {
        instance_guid: "89d2491c-764a-4f77-93d9-18e8e372b795".into(),
        instance_name: "GitHub Actions".into(),
        server_url: "https://github.com".into(),
        repository: "acme/big-matrix".into(),
        overrides: Overrides::default(),
        ci_cd: CiCd::default(),
        cd_environments: Default::default(),
        artifacts: vec![],
        themes: vec![],
        cfr_status: None,
        params: vec![],
        job_status: None,
        include_steps: true,
        build_numbers: Default::default(),
        now: Utc.with_ymd_and_hms(2025, 3, 2, 0, 0, 0).unwrap(),
    }
}

/// The run and its jobs as GitHub sends them: the run, then pages of 100 jobs, serialized.
pub fn pages(jobs: usize) -> (Vec<u8>, Vec<Vec<u8>>) {
    let (run, jobs) = fixtures::synthetic(4242, jobs, STEPS, |i| i % 97 == 13);
    let pages = jobs
        .chunks(100)
        .map(|c| {
            serde_json::to_vec(&serde_json::json!({"total_count": jobs.len(), "jobs": c})).unwrap()
        })
        .collect();
    (serde_json::to_vec(&run).unwrap(), pages)
}

/// One page of jobs, read as the reporter reads it: UTF-8 checked once, then parsed.
pub fn parse_page(page: &[u8]) -> JobsPage {
    let text = std::str::from_utf8(page).unwrap();
    serde_json::from_str::<JobsPage>(text).unwrap()
}

/// The run and every page, parsed.
pub fn parse(run: &[u8], pages: &[Vec<u8>]) -> RunData {
    RunData {
        run: serde_json::from_slice::<Run>(run).unwrap(),
        jobs: pages.iter().flat_map(|p| parse_page(p).jobs).collect(),
        me: None,
        lookups: Lookups::default(),
    }
}
