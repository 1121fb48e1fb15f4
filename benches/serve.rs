//! `sei-cicd serve` under load: the release binary receives signed `workflow_run` deliveries on
//! loopback, at a steady rate and then in a burst, and reports them against the emulators, both
//! answering every request after a fixed latency (50 ms: GitHub and SEI across a network). Each
//! delivery is a run of its own (the recorded otel run, five jobs, under another id), reported
//! with the default inputs (commits since the last success: the run, its jobs and the look-ups,
//! as `report` reads them). It prints, per phase: deliveries sent and taken (202), answered 503
//! (sent again until taken, as GitHub's redelivery would), the time from a delivery to SEI's
//! 202 for its report (p50, p99, max), the rate reports reached SEI, the answer times of the
//! deliveries themselves, and the server's CPU time; then its peak RSS (`VmHWM`) and whether
//! every delivery was reported exactly once.
//!
//! ```text
//! cargo bench --bench serve                    # the table in docs/benchmarks.md
//! cargo bench --bench serve -- --rate 100 --seconds 30 --burst 1000 --latency-ms 50 --workers 64 --queue 1000
//! cargo bench --bench serve -- --bin target/x86_64-unknown-linux-musl/release/sei-cicd
//! ```
//!
//! Built by `cargo bench` (release settings) and by `--all-targets`; run without `--bench`
//! (`cargo test --benches`) it does one quick pass without latency, as a smoke test.

use sei_cicd_testkit::app::{self, workflow_run_body, Served};
use sei_cicd_testkit::fixtures;
use sei_cicd_testkit::github::GitHub;
use sei_cicd_testkit::http::epoch;
use sei_cicd_testkit::sei::{api_key, Sei, SeiServer};
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

const GH_TOKEN: &str = "ghs_benchGitHubToken0000000000000000000";
const GUID: &str = "89d2491c-764a-4f77-93d9-18e8e372b795";
const SECRET: &str = "bench-webhook-secret";
const FIRST_RUN: u64 = 20_000_000_000;
/// Repositories the runs are shared out among.
const REPOS: u64 = 200;

struct Settings {
    bin: PathBuf,
    latency: Duration,
    rate: u64,
    seconds: u64,
    burst: u64,
    workers: u64,
    queue: u64,
}

fn settings() -> Settings {
    let args: Vec<String> = std::env::args().collect();
    let bench = args.iter().any(|a| a == "--bench");
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let num = |name: &str, full: u64, smoke: u64| {
        value(name)
            .map(|v| v.parse().expect("a number"))
            .unwrap_or(if bench { full } else { smoke })
    };
    Settings {
        bin: value("--bin")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_sei-cicd"))),
        latency: Duration::from_millis(num("--latency-ms", 50, 0)),
        rate: num("--rate", 100, 20),
        seconds: num("--seconds", 30, 1),
        burst: num("--burst", 1000, 20),
        workers: num("--workers", 64, 8),
        queue: num("--queue", 1000, 100),
    }
}

/// One delivery: when it was sent (on the emulators' time line), how it was answered.
#[derive(Debug, Clone)]
struct Sent {
    run: u64,
    at: Duration,
    took: Duration,
    status: u16,
}

fn main() {
    let s = settings();
    let total = s.rate * s.seconds + s.burst;
    // An organization of REPOS repositories, the runs shared out among them.
    let repo = |i: u64| format!("bench-org/repo-{}", i % REPOS);
    let runs: Vec<Value> = (0..total)
        .map(|i| {
            let mut r = fixtures::otel_run();
            r["id"] = serde_json::json!(FIRST_RUN + i);
            r["run_number"] = serde_json::json!(1000 + i / REPOS);
            r["repository"]["full_name"] = serde_json::json!(repo(i));
            r["head_repository"]["full_name"] = serde_json::json!(repo(i));
            r
        })
        .collect();
    let mut gh = GitHub::new().token(GH_TOKEN).latency(s.latency);
    for (i, r) in runs.iter().enumerate() {
        gh = gh.run(&repo(i as u64), r.clone(), fixtures::otel_jobs());
    }
    let github = gh.start();
    let sei = Sei::new()
        .key(&api_key("bench"))
        .instance(GUID)
        .latency(s.latency)
        .start();
    let tmp = tempfile::tempdir().unwrap();
    let mut c = Command::new(&s.bin);
    c.env_clear()
        .env("GITHUB_API_URL", github.url())
        .env("GITHUB_TOKEN", GH_TOKEN)
        .env("SEI_TOKEN", api_key("bench"))
        .env("SEI_CICD_WEBHOOK_SECRET", SECRET)
        .env("TMPDIR", tmp.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(["--sei-url", &sei.url(), "--instance-guid", GUID])
        .args(["--workers", &s.workers.to_string()])
        .args(["--queue", &s.queue.to_string()]);
    let mut served = Served::start(c);
    let pid = served.child.id();
    let bodies: Vec<Arc<Vec<u8>>> = runs
        .iter()
        .map(|r| Arc::new(serde_json::to_vec(&workflow_run_body("completed", r, None)).unwrap()))
        .collect();
    println!(
        "serve: {} workers, a queue of {}; GitHub and SEI answer after {} ms; load average {}",
        s.workers,
        s.queue,
        s.latency.as_millis(),
        load_average()
    );
    println!();
    println!("| phase | deliveries | answered 503 (sent again) | delivery → SEI 202 p50 / p99 / max | reports/s at SEI | answer p50 / p99 | server CPU |");
    println!("|---|---|---|---|---|---|---|");

    // Steady: `rate` a second for `seconds`.
    let cpu0 = cpu_seconds(pid);
    let own0 = cpu_seconds(std::process::id());
    let steady: Vec<u64> = (0..s.rate * s.seconds).collect();
    let sent = send(&served, &bodies, &steady, Some(s.rate), 32);
    let row = phase(&sei, &sent, steady.len(), pid, cpu0);
    println!("| steady {} /s for {} s | {row}", s.rate, s.seconds);
    let own_steady = cpu_seconds(std::process::id()) - own0;
    let rss_steady = rss(pid);

    // A burst: all at once, 64 senders.
    let cpu0 = cpu_seconds(pid);
    let burst: Vec<u64> = (s.rate * s.seconds..total).collect();
    let sent = send(&served, &bodies, &burst, None, 64);
    let row = phase(&sei, &sent, burst.len(), pid, cpu0);
    println!("| burst of {} | {row}", s.burst);
    let (hwm, now) = rss(pid);
    println!();
    println!(
        "Peak RSS (VmHWM) {:.1} MiB; RSS after the steady phase {:.1} MiB, after the burst {:.1} MiB.",
        hwm as f64 / 1024.0,
        rss_steady.1 as f64 / 1024.0,
        now as f64 / 1024.0
    );
    println!(
        "The emulators and the senders (this process) used {:.1} s of CPU in the steady phase, {:.1} s in all.",
        own_steady,
        cpu_seconds(std::process::id()) - own0
    );
    let stored = stored_runs(&sei);
    let received = sei.received().len();
    println!(
        "{} deliveries, {} reported, SEI asked {} times: {}. GitHub requests: {} ({:.2} a run). Load average at the end {}.",
        total,
        stored.len(),
        received,
        if stored.len() as u64 == total && received as u64 == total {
            "nothing lost, nothing twice"
        } else {
            "NOT every delivery reported exactly once"
        },
        github.exchanges().len(),
        github.exchanges().len() as f64 / total as f64,
        load_average()
    );
    let _ = served.stop(Duration::from_secs(60));
}

/// Sends the deliveries of `which` (at `rate` a second, or all at once) from `senders` threads;
/// a 503 is sent again after 200 ms until taken. Returns each run's first send and last answer.
fn send(
    served: &Served,
    bodies: &[Arc<Vec<u8>>],
    which: &[u64],
    rate: Option<u64>,
    senders: usize,
) -> Vec<Sent> {
    let addr = served.addr;
    let (tx, rx) = mpsc::channel::<(u64, Arc<Vec<u8>>)>();
    let rx = Arc::new(Mutex::new(rx));
    let out = Arc::new(Mutex::new(Vec::new()));
    let threads: Vec<_> = (0..senders)
        .map(|_| {
            let (rx, out) = (rx.clone(), out.clone());
            std::thread::spawn(move || loop {
                let job = rx.lock().unwrap().recv();
                let Ok((i, body)) = job else { return };
                let run = FIRST_RUN + i;
                let at = epoch().elapsed();
                let mut retries = 0;
                loop {
                    let a = app::deliver(
                        addr,
                        "workflow_run",
                        &format!("bench-{run}"),
                        &body,
                        Some(SECRET),
                    );
                    if a.status == 503 {
                        retries += 1;
                        std::thread::sleep(Duration::from_millis(200));
                        continue;
                    }
                    assert!(a.status == 202, "{a:?}");
                    out.lock().unwrap().push((
                        Sent {
                            run,
                            at,
                            took: a.took,
                            status: a.status,
                        },
                        retries,
                    ));
                    break;
                }
            })
        })
        .collect();
    let start = Instant::now();
    for (n, &i) in which.iter().enumerate() {
        if let Some(rate) = rate {
            let due = start + Duration::from_secs_f64(n as f64 / rate as f64);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        tx.send((i, bodies[i as usize].clone())).unwrap();
    }
    drop(tx);
    for t in threads {
        t.join().unwrap();
    }
    let got = std::mem::take(&mut *out.lock().unwrap());
    let retried: u64 = got.iter().map(|(_, r)| *r as u64).sum();
    RETRIED.with(|r| *r.borrow_mut() = retried);
    got.into_iter().map(|(s, _)| s).collect()
}

thread_local! {
    static RETRIED: std::cell::RefCell<u64> = const { std::cell::RefCell::new(0) };
}

/// Waits until SEI has every run of `sent`, then the row of the table (the server's CPU time
/// counted from `cpu0`).
fn phase(sei: &SeiServer, sent: &[Sent], n: usize, pid: u32, cpu0: f64) -> String {
    let until = Instant::now() + Duration::from_secs(300);
    let wanted: HashMap<u64, &Sent> = sent.iter().map(|s| (s.run, s)).collect();
    let mut answered: HashMap<u64, Duration>;
    loop {
        answered = HashMap::new();
        for e in sei.webhook_exchanges() {
            if e.status != Some(202) {
                continue;
            }
            let Some(run) = e.request.json().and_then(|p| {
                p["execution_id"]
                    .as_str()?
                    .split('-')
                    .next()?
                    .parse::<u64>()
                    .ok()
            }) else {
                continue;
            };
            if wanted.contains_key(&run) {
                answered.entry(run).or_insert(e.answered);
            }
        }
        if answered.len() >= wanted.len() || Instant::now() > until {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let cpu = cpu_seconds(pid) - cpu0;
    let mut lat: Vec<Duration> = answered
        .iter()
        .map(|(run, at)| at.saturating_sub(wanted[run].at))
        .collect();
    lat.sort();
    let mut took: Vec<Duration> = sent.iter().map(|s| s.took).collect();
    took.sort();
    let first = sent.iter().map(|s| s.at).min().unwrap_or_default();
    let last = answered.values().max().copied().unwrap_or_default();
    let span = last.saturating_sub(first).as_secs_f64().max(1e-9);
    let pct = |v: &[Duration], p: f64| {
        v.get(
            ((v.len() as f64 * p).ceil() as usize)
                .saturating_sub(1)
                .min(v.len().saturating_sub(1)),
        )
        .copied()
        .unwrap_or_default()
    };
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    let retried = RETRIED.with(|r| *r.borrow());
    assert!(sent.iter().all(|s| s.status == 202));
    format!(
        "{n} sent, {} reported | {retried} | {} / {} / {} | {:.1} | {} / {} | {:.1} s ({:.0}% of a core) |",
        answered.len(),
        ms(pct(&lat, 0.5)),
        ms(pct(&lat, 0.99)),
        ms(lat.last().copied().unwrap_or_default()),
        answered.len() as f64 / span,
        ms(pct(&took, 0.5)),
        ms(pct(&took, 0.99)),
        cpu,
        cpu / span * 100.0
    )
}

/// The runs SEI took.
fn stored_runs(sei: &SeiServer) -> std::collections::HashSet<String> {
    sei.received()
        .into_iter()
        .filter(|r| r.status == 202)
        .filter_map(|r| Some(r.payload?["execution_id"].as_str()?.to_owned()))
        .collect()
}

/// User + system CPU seconds of process `pid`.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the command; 100 ticks a second.
    (ticks(11) + ticks(12)) / 100.0
}

/// (VmHWM, VmRSS) of process `pid`, in KiB.
fn rss(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}
