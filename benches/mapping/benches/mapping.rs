//! The pure core under criterion: a synthetic run of 10, 100 and 1,000 jobs of 20 steps each
//! (`sei_cicd_testkit::fixtures::synthetic`) mapped into SEI's payload and serialized, the work
//! the reporter does between reading GitHub and posting to SEI (`map+serialize`; target:
//! 1,000 x 20 under 5 ms). Alongside, for context: the same with serde_json writing the whole
//! body, the mapping alone, each serialization alone, and parsing GitHub's pages of jobs.
//!
//! `cargo bench -p sei-cicd-bench` (see BENCHMARKS.md).

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sei_cicd::github::model::{JobsPage, Lookups, Run, RunData};
use sei_cicd::json;
use sei_cicd::map::{self, CiCd, Options, Overrides};
use sei_cicd_testkit::fixtures;
use std::hint::black_box;

const SIZES: [usize; 3] = [10, 100, 1000];
const STEPS: usize = 20;

fn opts() -> Options {
    Options {
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
    }
}

/// The run and its jobs as GitHub sends them: pages of 100, serialized.
fn pages(jobs: usize) -> (Vec<u8>, Vec<Vec<u8>>) {
    let (run, jobs) = fixtures::synthetic(4242, jobs, STEPS, |i| i % 97 == 13);
    let pages = jobs
        .chunks(100)
        .map(|c| {
            serde_json::to_vec(&serde_json::json!({"total_count": jobs.len(), "jobs": c})).unwrap()
        })
        .collect();
    (serde_json::to_vec(&run).unwrap(), pages)
}

fn parse(run: &[u8], pages: &[Vec<u8>]) -> RunData {
    RunData {
        run: serde_json::from_slice::<Run>(run).unwrap(),
        jobs: pages
            .iter()
            .flat_map(|p| {
                // As the reporter reads a page: UTF-8 checked once, then parsed.
                let text = std::str::from_utf8(p).unwrap();
                serde_json::from_str::<JobsPage>(text).unwrap().jobs
            })
            .collect(),
        me: None,
        lookups: Lookups::default(),
    }
}

fn benches(c: &mut Criterion) {
    let opts = opts();
    for jobs in SIZES {
        let (run, pages) = pages(jobs);
        let data = parse(&run, &pages);
        let label = format!("{jobs}x{STEPS}");
        let mut g = c.benchmark_group("payload");
        g.throughput(Throughput::Elements((jobs * STEPS) as u64));
        // What the reporter does: the target.
        g.bench_with_input(BenchmarkId::new("map+serialize", &label), &data, |b, d| {
            b.iter(|| {
                let mut p = map::payload(black_box(d), None, &opts);
                json::to_vec(&mut p).unwrap()
            })
        });
        // The same with serde_json writing the whole body, for comparison.
        g.bench_with_input(BenchmarkId::new("map+serde_json", &label), &data, |b, d| {
            b.iter(|| {
                let p = map::payload(black_box(d), None, &opts);
                serde_json::to_vec(&p).unwrap()
            })
        });
        g.bench_with_input(BenchmarkId::new("map", &label), &data, |b, d| {
            b.iter(|| map::payload(black_box(d), None, &opts))
        });
        let mut payload = map::payload(&data, None, &opts);
        g.bench_function(BenchmarkId::new("serialize", &label), |b| {
            b.iter(|| json::to_vec(black_box(&mut payload)).unwrap())
        });
        g.bench_function(BenchmarkId::new("serde_json", &label), |b| {
            b.iter(|| serde_json::to_vec(black_box(&payload)).unwrap())
        });
        g.bench_with_input(
            BenchmarkId::new("parse-github", &label),
            &(run, pages),
            |b, (run, pages)| b.iter(|| parse(black_box(run), black_box(pages))),
        );
        g.finish();
    }
}

criterion_group!(mapping, benches);
criterion_main!(mapping);
