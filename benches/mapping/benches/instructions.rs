//! The mapping and serialization (`map`, the default) or the parsing of GitHub's pages of jobs
//! (`parse`) of `<jobs>` x 20 steps, `<rounds>` times, for counting instructions under valgrind
//! (`benches/instructions.sh` runs it with 0 and with N rounds and divides the difference): a
//! number the other builds on a shared machine cannot disturb.
//!
//! `cargo bench -p sei-cicd-bench --bench instructions -- <jobs> <rounds> [map|parse]`

use sei_cicd::map;
use sei_cicd_bench::{options, pages, parse, parse_page};
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
    let (run, pages) = pages(jobs);
    if std::env::args().any(|a| a == "parse") {
        let mut count = 0;
        for _ in 0..rounds {
            for page in &pages {
                count += parse_page(black_box(page)).jobs.len();
            }
        }
        println!("{count}");
        return;
    }
    let data = parse(&run, &pages);
    let opts = options();
    let mut bytes = 0;
    for _ in 0..rounds {
        let p = map::payload(black_box(&data), None, &opts);
        bytes += serde_json::to_vec(&p).unwrap().len();
    }
    println!("{bytes}");
}
