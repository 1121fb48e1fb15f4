//! The mapping and serialization (`map`, the default) or the parsing of GitHub's pages of jobs
//! (`parse`) of `<jobs>` x 20 steps, `<rounds>` times, for counting instructions under valgrind
//! (`benches/instructions.sh` runs it with 0 and with N rounds and divides the difference): a
//! number the other builds on a shared machine cannot disturb.
//!
//! `cargo bench -p sei-cicd-bench --bench instructions -- <jobs> <rounds> [map|parse]`

use chrono::{TimeZone, Utc};
use sei_cicd::github::model::{Job, JobsPage, Lookups, Run, RunData};
use sei_cicd::json;
use sei_cicd::map::{self, CiCd, Options, Overrides};
use sei_cicd_testkit::fixtures;
use std::hint::black_box;

fn main() {
    let numbers: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (jobs, rounds) = match numbers.as_slice() {
        [j, r, ..] => (*j, *r),
        [j] => (*j, 1),
        [] => (1000, 1),
    };
    let parse = std::env::args().any(|a| a == "parse");
    let (run, jobs) = fixtures::synthetic(4242, jobs, 20, |i| i % 97 == 13);
    if parse {
        let pages: Vec<Vec<u8>> = jobs
            .chunks(100)
            .map(|c| {
                serde_json::to_vec(&serde_json::json!({"total_count": jobs.len(), "jobs": c}))
                    .unwrap()
            })
            .collect();
        let mut count = 0;
        for _ in 0..rounds {
            for page in &pages {
                // As the reporter reads a page: UTF-8 checked once, then parsed.
                let text = std::str::from_utf8(black_box(page)).unwrap();
                count += serde_json::from_str::<JobsPage>(text).unwrap().jobs.len();
            }
        }
        println!("{count}");
        return;
    }
    let data = RunData {
        run: serde_json::from_value::<Run>(run).unwrap(),
        jobs: jobs
            .into_iter()
            .map(|j| serde_json::from_value::<Job>(j).unwrap())
            .collect(),
        me: None,
        lookups: Lookups::default(),
    };
    let opts = Options {
        instance_guid: "89d2491c-764a-4f77-93d9-18e8e372b795".into(),
        instance_name: "GitHub Actions".into(),
        server_url: "https://github.com".into(),
        repository: "acme/big-matrix".into(),
        overrides: Overrides::default(),
        ci_cd: CiCd::default(),
        artifacts: vec![],
        themes: vec![],
        cfr_status: None,
        params: vec![],
        job_status: None,
        include_steps: true,
        now: Utc.with_ymd_and_hms(2025, 3, 2, 0, 0, 0).unwrap(),
    };
    let mut bytes = 0;
    for _ in 0..rounds {
        let mut p = map::payload(black_box(&data), None, &opts);
        bytes += json::to_vec(&mut p).unwrap().len();
    }
    println!("{bytes}");
}
