//! End to end: the release binary reports synthetic runs (10, 100 and 1,000 jobs of 20 steps)
//! the way the runner starts it, from the loopback GitHub emulator to the loopback SEI emulator,
//! both answering every request after a fixed latency (50 ms: a network between the runner and
//! the APIs). For each size it prints one Markdown row: wall time (median of the runs, min–max),
//! the reporter's own share of it (the time no request was in a server's hands: the emulators'
//! own work, building pages and checking the payload, is not the reporter's), its CPU time,
//! requests, sequential round trips on the critical path (GitHub, SEI, both: every emulator
//! logs on one time line), peak RSS of the `report` process and the payload's size.
//!
//! Peak RSS is `wait4`'s `ru_maxrss` for that child alone, measured through a small launcher
//! process (`benches/launcher.rs`) whose own peak is printed as the floor of the measurement.
//!
//! ```text
//! cargo bench --bench e2e                      # the table in docs/benchmarks.md
//! cargo bench --bench e2e -- --runs 9 --latency-ms 50 --jobs 10,100,1000 --steps 20
//! cargo bench --bench e2e -- --runs 1 --jobs 1000 --trace   # every request on one time line
//! cargo bench --bench e2e -- --bin target/x86_64-unknown-linux-musl/release/sei-cicd
//! cargo bench --bench e2e -- --jobs 10 --deploy          # a run that deployed to production
//! cargo bench --bench e2e -- --jobs 10 --commits head    # `commits: head`
//! ```
//!
//! `--deploy` makes the reported run a deployment: its first job deployed to `production` (a
//! deployment of its head commit whose status links to the job), an earlier run of the same
//! workflow deployed there ten commits before, and the step has the runner's variables and
//! event of a push (so the first round's requests are guessed from them, as in a workflow).
//!
//! Built by `cargo bench` (release settings) and by `--all-targets`; run without `--bench`
//! (`cargo test --benches`) it does one quick pass without latency, as a smoke test.

#[path = "launcher.rs"]
mod launcher;

use launcher::Launcher;
use sei_cicd_testkit::action::ActionEnv;
use sei_cicd_testkit::fixtures;
use sei_cicd_testkit::github::GitHub;
use sei_cicd_testkit::http::{critical_path, Exchange};
use sei_cicd_testkit::sei::Sei;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

const REPO: &str = "acme/big-matrix";
const RUN_ID: u64 = 31_337;
const GH_TOKEN: &str = "ghs_benchGitHubToken0000000000000000000";
/// An SEI API key as SEI issues them (base64 of {"company","id","key"}).
const SEI_KEY: &str =
    "eyJjb21wYW55IjoiYWNtZSIsImlkIjoia2V5LWJlbmNoIiwia2V5IjoiYmVuY2gtMGY5YzJiN2Q1ZTFhIn0=";
const GUID: &str = "89d2491c-764a-4f77-93d9-18e8e372b795";

struct Settings {
    bin: PathBuf,
    runs: usize,
    latency: Duration,
    jobs: Vec<usize>,
    steps: usize,
    /// Also run the largest size with the attempt unknown (the run must be read first).
    attempt_unknown: bool,
    /// Print every exchange of the last run of each size, on one time line.
    trace: bool,
    /// The run deployed to production, after an earlier deployment of its workflow.
    deploy: bool,
    /// The `commits` input, when given.
    commits: Option<String>,
}

/// One run of the binary.
struct Sample {
    wall: Duration,
    /// User + system CPU time of the `report` process.
    cpu: Duration,
    /// Peak resident set of the `report` process, KiB.
    max_rss_kib: i64,
    github: Vec<Exchange>,
    sei: Vec<Exchange>,
}

fn main() {
    if std::env::args().any(|a| a == "--launcher") {
        return launcher::serve();
    }
    let mut launcher = Launcher::start();
    let s = settings();
    println!(
        "sei-cicd end to end: {} runs per size, {} ms latency per request, {} steps per job",
        s.runs,
        s.latency.as_millis(),
        s.steps
    );
    println!("binary: {}", s.bin.display());
    println!();
    println!(
        "| jobs | attempt | wall ms (median, min–max) | reporter's own ms | CPU ms | GitHub requests | \
         round trips GitHub + SEI = path | peak RSS MiB | payload bytes |"
    );
    println!("|---:|---|---:|---:|---:|---:|---|---:|---:|");
    let mut cases: Vec<(usize, bool)> = s.jobs.iter().map(|&j| (j, true)).collect();
    if s.attempt_unknown {
        if let Some(&max) = s.jobs.iter().max() {
            cases.push((max, false));
        }
    }
    for (jobs, attempt_known) in cases {
        let (run, job_list) = fixtures::synthetic(RUN_ID, jobs, s.steps, |i| i % 97 == 13);
        // One untimed run first: the binary and the emulators' first pages warm up.
        let mut samples = Vec::with_capacity(s.runs);
        for i in 0..=s.runs {
            let sample = run_once(&s, &mut launcher, &run, &job_list, attempt_known);
            if i > 0 {
                samples.push(sample);
            }
        }
        print_row(jobs, attempt_known, &samples);
        if s.trace {
            trace(samples.last().unwrap());
        }
    }
    launcher.print_floor();
}

fn settings() -> Settings {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let benching = args.iter().any(|a| a == "--bench");
    let mut s = Settings {
        bin: PathBuf::from(env!("CARGO_BIN_EXE_sei-cicd")),
        runs: if benching { 5 } else { 1 },
        latency: Duration::from_millis(if benching { 50 } else { 0 }),
        jobs: if benching {
            vec![10, 100, 1000]
        } else {
            vec![10]
        },
        steps: 20,
        attempt_unknown: benching,
        trace: false,
        deploy: false,
        commits: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().unwrap_or_default();
        match a.as_str() {
            // Absolute: the binary starts in the step's workspace folder.
            "--bin" => {
                let bin = value();
                s.bin = std::fs::canonicalize(&bin).unwrap_or_else(|e| panic!("--bin {bin}: {e}"))
            }
            "--runs" => s.runs = value().parse::<usize>().expect("--runs N").max(1),
            "--latency-ms" => {
                s.latency = Duration::from_millis(value().parse().expect("--latency-ms N"))
            }
            "--jobs" => {
                s.jobs = value()
                    .split(',')
                    .map(|j| j.trim().parse().expect("--jobs 10,100,1000"))
                    .collect()
            }
            "--steps" => s.steps = value().parse().expect("--steps N"),
            "--trace" => s.trace = true,
            "--deploy" => {
                s.deploy = true;
                s.attempt_unknown = false;
            }
            "--commits" => s.commits = Some(value()),
            _ => {} // `--bench` and whatever else cargo passes
        }
    }
    s
}

fn run_once(
    s: &Settings,
    launcher: &mut Launcher,
    run: &Value,
    jobs: &[Value],
    attempt_known: bool,
) -> Sample {
    let mut github =
        GitHub::new()
            .token(GH_TOKEN)
            .latency(s.latency)
            .run(REPO, run.clone(), jobs.to_vec());
    if s.deploy {
        github = deployed(github, run, jobs);
    }
    let github = github.start();
    let sei = Sei::new()
        .key(SEI_KEY)
        .instance(GUID)
        .latency(s.latency)
        .start();
    let mut env = ActionEnv::new(REPO, RUN_ID, "push", &github.url());
    env.input("sei-url", &sei.url())
        .input("sei-token", SEI_KEY)
        .input("instance-guid", GUID)
        .input("github-token", GH_TOKEN);
    if let Some(c) = &s.commits {
        env.input("commits", c);
    }
    if s.deploy {
        // The variables and event of a push, as the runner gives them.
        let head = run["head_sha"].as_str().unwrap();
        env.var("GITHUB_SHA", head)
            .var("GITHUB_REF", "refs/heads/main")
            .var("GITHUB_REF_NAME", "main")
            .var(
                "GITHUB_WORKFLOW_REF",
                &format!("{REPO}/.github/workflows/matrix.yml@refs/heads/main"),
            )
            .event(&serde_json::json!({"ref": "refs/heads/main", "after": head}));
    }
    if !attempt_known {
        // `run-id` without `run-attempt`: the latest attempt, found by reading the run first.
        env.remove("GITHUB_RUN_ATTEMPT")
            .input("run-id", &RUN_ID.to_string());
    }
    let (wall, cpu, max_rss_kib, ok) = launcher.run(
        &s.bin,
        &["report"],
        &env.path("workspace"),
        &env.path("log"),
        env.vars(),
    );
    let outputs = env.outputs();
    let delivered = outputs.get("status").map(String::as_str) == Some("delivered");
    if !ok || !delivered {
        let log = std::fs::read_to_string(env.path("log")).unwrap_or_default();
        panic!("the report failed (outputs {outputs:?}):\n{log}");
    }
    let stored = sei.runs();
    let payload = stored.values().next().expect("SEI stored the run");
    assert_eq!(
        payload["job_run"]["stages"].as_array().map(Vec::len),
        Some(jobs.len()),
        "every job arrived as a stage"
    );
    Sample {
        wall,
        cpu,
        max_rss_kib,
        github: github.exchanges(),
        sei: sei.server.exchanges(),
    }
}

/// `github` with the history of the run's branch, the run's deployment to production (by its
/// first job) and an earlier run of the same workflow that deployed there ten commits before.
fn deployed(github: GitHub, run: &Value, jobs: &[Value]) -> GitHub {
    use serde_json::json;
    let head = run["head_sha"].as_str().unwrap().to_owned();
    let mut history: Vec<String> = fixtures::history(20);
    history.push(head.clone());
    let base = history[10].clone();
    let mut earlier = run.clone();
    earlier["id"] = json!(RUN_ID - 1);
    earlier["run_number"] = json!(4241);
    earlier["head_sha"] = json!(base);
    earlier["conclusion"] = json!("success");
    earlier["created_at"] = json!("2025-02-28T10:00:00Z");
    earlier["run_started_at"] = json!("2025-02-28T10:00:00Z");
    earlier["updated_at"] = json!("2025-02-28T11:00:00Z");
    let status = |run_id: u64, job: &Value| {
        let url = format!(
            "https://github.com/{REPO}/actions/runs/{run_id}/job/{}",
            job["id"]
        );
        vec![
            json!({"state": "success", "environment": "production", "log_url": url,
                    "target_url": url}),
        ]
    };
    github
        .history(REPO, history)
        .run(REPO, earlier, vec![jobs[0].clone()])
        .deployment(
            REPO,
            json!({"id": 7001, "sha": base, "ref": "main", "environment": "production",
                   "created_at": "2025-02-28T10:00:30Z"}),
            status(RUN_ID - 1, &jobs[0]),
        )
        .deployment(
            REPO,
            json!({"id": 7002, "sha": head, "ref": "main", "environment": "production",
                   "created_at": "2025-03-01T10:00:30Z"}),
            status(RUN_ID, &jobs[0]),
        )
}

/// How long at least one request was in a server's hands (latency and the emulators' own work):
/// the union of every exchange's span from arrival to answer.
fn in_servers(sample: &Sample) -> Duration {
    let mut spans: Vec<(Duration, Duration)> = sample
        .github
        .iter()
        .chain(&sample.sei)
        .map(|e| (e.received, e.answered))
        .collect();
    spans.sort();
    let mut total = Duration::ZERO;
    let mut current: Option<(Duration, Duration)> = None;
    for (start, end) in spans {
        match current {
            Some((s, e)) if start <= e => current = Some((s, e.max(end))),
            Some((s, e)) => {
                total += e - s;
                current = Some((start, end));
            }
            None => current = Some((start, end)),
        }
    }
    total + current.map_or(Duration::ZERO, |(s, e)| e - s)
}

/// The exchanges of one run, in the order they arrived: when each arrived and was answered
/// (ms from the first), server, status, request.
fn trace(sample: &Sample) {
    let mut all: Vec<(&str, &Exchange)> = sample.github.iter().map(|e| ("GitHub", e)).collect();
    all.extend(sample.sei.iter().map(|e| ("SEI", e)));
    all.sort_by_key(|(_, e)| e.received);
    let t0 = all.first().map_or(Duration::ZERO, |(_, e)| e.received);
    for (server, e) in all {
        println!(
            "    {:>6.1} → {:>6.1} ms  {server:<6} {} {} {}",
            (e.received - t0).as_secs_f64() * 1000.0,
            (e.answered - t0).as_secs_f64() * 1000.0,
            e.status.map_or("-".to_owned(), |s| s.to_string()),
            e.request.method,
            e.request.target
        );
    }
}

/// Sorts `values` and returns the middle one (the upper of the two middles of an even count).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn print_row(jobs: usize, attempt_known: bool, samples: &[Sample]) {
    let mut walls: Vec<f64> = samples
        .iter()
        .map(|x| x.wall.as_secs_f64() * 1000.0)
        .collect();
    // The median wall time; `walls` is sorted now, the fastest run first, the slowest last.
    let wall = median(&mut walls);
    // Request counts and paths are the same in every run; show the worst seen.
    let gh_requests = samples.iter().map(|x| x.github.len()).max().unwrap_or(0);
    let gh_path = samples
        .iter()
        .map(|x| critical_path(&x.github))
        .max()
        .unwrap_or(0);
    let sei_path = samples
        .iter()
        .map(|x| critical_path(&x.sei))
        .max()
        .unwrap_or(0);
    let path = samples
        .iter()
        .map(|x| {
            let mut all = x.github.clone();
            all.extend(x.sei.iter().cloned());
            critical_path(&all)
        })
        .max()
        .unwrap_or(0);
    let rss = samples.iter().map(|x| x.max_rss_kib).max().unwrap_or(0) as f64 / 1024.0;
    let mut cpus: Vec<f64> = samples
        .iter()
        .map(|x| x.cpu.as_secs_f64() * 1000.0)
        .collect();
    let cpu = median(&mut cpus);
    let payload = samples
        .last()
        .and_then(|x| x.sei.last())
        .map_or(0, |e| e.request.body.len());
    // The reporter's own share of the wall time: the time no request was in a server's hands
    // (starting, parsing, mapping, writing, uploading), the median over the runs.
    let mut owns: Vec<f64> = samples
        .iter()
        .map(|x| (x.wall.as_secs_f64() - in_servers(x).as_secs_f64()) * 1000.0)
        .collect();
    let own = median(&mut owns);
    println!(
        "| {jobs} | {} | {wall:.0} ({:.0}–{:.0}) | {own:.0} | {cpu:.0} | {gh_requests} | {gh_path} + {sei_path} = {path} | {rss:.1} | {payload} |",
        if attempt_known { "known" } else { "latest" },
        walls[0],
        walls[walls.len() - 1],
    );
}
