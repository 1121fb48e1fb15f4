//! `sei-cicd backfill` over thousands of synthetic runs, the release binary against the loopback
//! GitHub and SEI emulators answering every request after a fixed latency (50 ms): what a run
//! costs (GitHub requests per run attempt, SEI requests per run attempt), how long the whole takes
//! (wall time, run attempts a minute) at each concurrency, and the peak RSS as the run count grows.
//!
//! The runs are a [`Backlog`]: two workflows, pull requests on feature branches (deleted since,
//! as after a merge), one run in nine failed, one in twenty re-run once (each attempt is its own
//! SEI run), one commit a run; two jobs of three steps a run. The binary runs with a state file,
//! `--max-requests-per-minute 1000000` (loopback has no secondary limit; GitHub.com's 900 a
//! minute caps a token at about 800 run attempts a minute whatever the concurrency).
//!
//! ```text
//! cargo bench --bench backfill                 # the table in docs/benchmarks.md
//! cargo bench --bench backfill -- --cases 500:head:4,5000:default:4 --latency-ms 50
//! cargo bench --bench backfill -- --cases 5000:head:8 --rerun-every 0   # no run re-run
//! cargo bench --bench backfill -- --bin target/x86_64-unknown-linux-musl/release/sei-cicd
//! ```
//!
//! Built by `cargo bench` (release settings) and by `--all-targets`; run without `--bench`
//! (`cargo test --benches`) it does one quick case without latency, as a smoke test.

#[path = "launcher.rs"]
mod launcher;

use launcher::Launcher;
use sei_cicd_testkit::fixtures::Backlog;
use sei_cicd_testkit::github::GitHub;
use sei_cicd_testkit::http::max_in_flight;
use sei_cicd_testkit::sei::{api_key, Sei};
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;

const REPO: &str = "acme/api";
const GH_TOKEN: &str = "ghs_benchGitHubToken0000000000000000000";
const GUID: &str = "89d2491c-764a-4f77-93d9-18e8e372b795";

/// One measurement: this many runs, these commits, at this concurrency.
#[derive(Clone, Copy)]
struct Case {
    runs: usize,
    /// `head` or the default (`since-last-success`).
    head: bool,
    concurrency: usize,
}

struct Settings {
    bin: PathBuf,
    latency: Duration,
    cases: Vec<Case>,
    /// One run in this many is re-run once (0: none).
    rerun_every: usize,
}

fn main() {
    if std::env::args().any(|a| a == "--launcher") {
        return launcher::serve();
    }
    let mut launcher = Launcher::start();
    let s = settings();
    println!(
        "sei-cicd backfill: {} ms latency per request, {}",
        s.latency.as_millis(),
        s.bin.display()
    );
    println!();
    println!(
        "| runs | attempts | commits | concurrency | wall s | attempts a minute | GitHub requests | a attempt | SEI requests a attempt | peak in flight GitHub / SEI | peak RSS MiB | CPU s |"
    );
    println!("|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|");
    for case in &s.cases {
        run_case(&s, &mut launcher, *case);
    }
    launcher.print_floor();
}

fn settings() -> Settings {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let benching = args.iter().any(|a| a == "--bench");
    let case = |runs, head, concurrency| Case {
        runs,
        head,
        concurrency,
    };
    let mut s = Settings {
        bin: PathBuf::from(env!("CARGO_BIN_EXE_sei-cicd")),
        latency: Duration::from_millis(if benching { 50 } else { 0 }),
        cases: if benching {
            vec![
                case(500, true, 4),
                case(5000, true, 4),
                case(5000, false, 4),
                case(5000, true, 8),
                case(5000, true, 1),
            ]
        } else {
            vec![case(200, false, 4)]
        },
        rerun_every: 20,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().unwrap_or_default();
        match a.as_str() {
            "--bin" => {
                let bin = value();
                s.bin = std::fs::canonicalize(&bin).unwrap_or_else(|e| panic!("--bin {bin}: {e}"))
            }
            "--latency-ms" => {
                s.latency = Duration::from_millis(value().parse().expect("--latency-ms N"))
            }
            // runs:head|default:concurrency,...
            "--cases" => {
                s.cases = value()
                    .split(',')
                    .map(|c| {
                        let p: Vec<&str> = c.split(':').collect();
                        assert_eq!(p.len(), 3, "--cases 5000:head:4,...");
                        case(p[0].parse().unwrap(), p[1] == "head", p[2].parse().unwrap())
                    })
                    .collect()
            }
            "--rerun-every" => s.rerun_every = value().parse().expect("--rerun-every N"),
            _ => {} // `--bench` and whatever else cargo passes
        }
    }
    s
}

fn run_case(s: &Settings, launcher: &mut Launcher, case: Case) {
    let backlog = Backlog {
        every: 60,
        rerun_every: s.rerun_every,
        ..Backlog::new(REPO, case.runs)
    };
    let key = api_key("bench");
    let github = GitHub::new()
        .token(GH_TOKEN)
        .latency(s.latency)
        .backlog(&backlog)
        .start();
    let sei = Sei::new()
        .key(&key)
        .instance(GUID)
        .latency(s.latency)
        .start();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("backfill.state").display().to_string();
    let concurrency = case.concurrency.to_string();
    let mut args = vec![
        "backfill",
        "--repository",
        REPO,
        "--since",
        "2025-03-01",
        "--until",
        "2025-12-31",
        "--state",
        &state,
        "--concurrency",
        &concurrency,
        "--max-requests-per-minute",
        "1000000",
    ];
    if case.head {
        args.extend(["--commits", "head"]);
    }
    let sei_url = sei.url();
    args.extend(["--sei-url", &sei_url, "--instance-guid", GUID]);
    let vars: BTreeMap<String, String> = [
        ("GITHUB_API_URL", github.url()),
        ("GITHUB_TOKEN", GH_TOKEN.to_owned()),
        ("SEI_TOKEN", key.clone()),
        ("HOME", dir.path().display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let log = dir.path().join("log");
    let (wall, cpu, rss_kib, ok) = launcher.run(&s.bin, &args, dir.path(), &log, &vars);
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(ok, "the backfill failed:\n{text}");
    let (attempts, _) = backlog.build();
    let want = attempts.len();
    let posted = sei.server.exchanges();
    let delivered: HashSet<String> = sei
        .received()
        .into_iter()
        .filter(|r| r.status == 202)
        .filter_map(|r| r.payload?.get("execution_id")?.as_str().map(str::to_owned))
        .collect();
    assert_eq!(delivered.len(), want, "every attempt delivered:\n{text}");
    let gh = github.exchanges();
    let sei_posts = posted
        .iter()
        .filter(|e| e.request.path().ends_with("/v1/custom-cicd"))
        .count();
    let minutes = wall.as_secs_f64() / 60.0;
    println!(
        "| {} | {want} | {} | {} | {:.1} | {:.0} | {} | {:.3} | {:.3} | {} / {} | {:.1} | {:.1} |",
        case.runs,
        if case.head {
            "head"
        } else {
            "since-last-success"
        },
        case.concurrency,
        wall.as_secs_f64(),
        want as f64 / minutes,
        gh.len(),
        gh.len() as f64 / want as f64,
        sei_posts as f64 / want as f64,
        max_in_flight(&gh),
        max_in_flight(&posted),
        rss_kib as f64 / 1024.0,
        cpu.as_secs_f64(),
    );
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &gh {
        let p = e.request.path();
        let kind = if p.ends_with("/jobs") {
            "jobs"
        } else if p.contains("/attempts/") {
            "earlier attempt"
        } else if p.ends_with("/actions/runs") {
            "listing"
        } else if p.contains("/workflows/") {
            "previous success"
        } else if p.ends_with("/workflows") {
            "workflows"
        } else if p.ends_with("/commits") {
            "branch history"
        } else if p.contains("/compare/") {
            "compare"
        } else if p.contains("/deployments") {
            "deployments"
        } else {
            "other"
        };
        *kinds.entry(kind).or_default() += 1;
    }
    let parts: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!("|  |  |  |  |  |  | {} |  |  |  |  |  |", parts.join(", "));
}
