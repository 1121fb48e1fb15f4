//! The pure core under criterion: a synthetic run of 10, 100 and 1,000 jobs of 20 steps each
//! (`sei_cicd_testkit::fixtures::synthetic`) mapped into SEI's payload and serialized by
//! serde_json, the work the reporter does between reading GitHub and posting to SEI
//! (`map+serialize`). Alongside, for context: the mapping alone, the serialization alone, and
//! parsing GitHub's pages of jobs. No target: a few milliseconds of CPU on a 1,000-job run are
//! invisible next to a step's start; this shows where the time goes.
//!
//! `cargo bench -p sei-cicd-bench` (see docs/benchmarks.md).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sei_cicd::map;
use sei_cicd_bench::{options, pages, parse, STEPS};
use std::hint::black_box;

const SIZES: [usize; 3] = [10, 100, 1000];

fn benches(c: &mut Criterion) {
    let opts = options();
    for jobs in SIZES {
        let (run, pages) = pages(jobs);
        let data = parse(&run, &pages);
        let label = format!("{jobs}x{STEPS}");
        let mut g = c.benchmark_group("payload");
        g.throughput(Throughput::Elements((jobs * STEPS) as u64));
        // What the reporter does.
        g.bench_with_input(BenchmarkId::new("map+serialize", &label), &data, |b, d| {
            b.iter(|| {
                let p = map::payload(black_box(d), None, &opts);
                serde_json::to_vec(&p).unwrap()
            })
        });
        g.bench_with_input(BenchmarkId::new("map", &label), &data, |b, d| {
            b.iter(|| map::payload(black_box(d), None, &opts))
        });
        let payload = map::payload(&data, None, &opts);
        g.bench_function(BenchmarkId::new("serialize", &label), |b| {
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
