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
//! Then the sweep at organization size (`--sweep REPOSITORIES:ACTIVE`, default 10000:100): an
//! installation token's organization of that many repositories, each with a run before the
//! window; a first sweep keeps every repository's listing in the state, then one new run appears
//! in each of ACTIVE repositories and a second sweep reports them; a third finds nothing new.
//! Measured: the requests each sweep spends of the primary rate limit (`304 Not Modified` is
//! free), by kind, with the same token at every sweep and with a new one (GitHub's ETags are per
//! token), against one installation's hourly budget on such an organization: 12,500 (GitHub's
//! "Rate limits for the REST API": an installation gets 5,000 an hour, 50 more for each
//! repository past 20, up to 12,500 outside Enterprise Cloud).
//!
//! ```text
//! cargo bench --bench backfill -- --cases none --sweep 10000:100
//! ```
//!
//! Built by `cargo bench` (release settings) and by `--all-targets`; run without `--bench`
//! (`cargo test --benches`) it does one quick case without latency, and a sweep of 300
//! repositories, as a smoke test.

#[path = "launcher.rs"]
mod launcher;

use launcher::Launcher;
use sei_cicd_testkit::fixtures::{self, Backlog};
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
    /// The sweep: repositories, and how many of them get a new run.
    sweep: Option<(usize, usize)>,
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
    if let Some((repos, active)) = s.sweep {
        sweep_case(&s, &mut launcher, repos, active);
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
        sweep: Some(if benching { (10_000, 100) } else { (300, 3) }),
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
            "--sweep" => {
                let v = value();
                s.sweep = v.split_once(':').map(|(r, a)| {
                    (
                        r.parse().expect("--sweep REPOS:ACTIVE"),
                        a.parse().expect("--sweep REPOS:ACTIVE"),
                    )
                });
            }
            // runs:head|default:concurrency,...
            "--cases" => {
                s.cases = value()
                    .split(',')
                    .filter(|c| *c != "none")
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

/// An organization of `repos` repositories, `active` of which get a new run between two sweeps:
/// what each sweep spends of the rate limit.
fn sweep_case(s: &Settings, launcher: &mut Launcher, repos: usize, active: usize) {
    let name = |i: usize| format!("acme/repo-{i:05}");
    // Each repository's one run, a month before the window: listed, not reported.
    // Any token: the last sweep comes with another one.
    let mut g = GitHub::new()
        .latency(s.latency)
        .rate_limit(1_000_000_000, Duration::from_secs(3600));
    for i in 0..repos {
        g = g.backlog(&Backlog {
            start: fixtures::BACKLOG_START - 30 * 86_400,
            first_id: 1_000_000 + i as u64 * 100,
            rerun_every: 0,
            ..Backlog::new(&name(i), 1)
        });
    }
    let (github, live) = g.start_live();
    let key = api_key("bench");
    let sei = Sei::new()
        .key(&key)
        .instance(GUID)
        .latency(s.latency)
        .start();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sweep.state").display().to_string();
    let sei_url = sei.url();
    let args = [
        "backfill",
        "--organization",
        "acme",
        "--since",
        "2025-03-01",
        "--until",
        "2025-03-31",
        "--state",
        &state,
        "--concurrency",
        "16",
        "--max-requests-per-minute",
        "1000000",
        "--sei-url",
        &sei_url,
        "--instance-guid",
        GUID,
    ];
    let sweep = |token: &str, what: &str, launcher: &mut Launcher| {
        let vars: BTreeMap<String, String> = [
            ("GITHUB_API_URL", github.url()),
            ("GITHUB_TOKEN", token.to_owned()),
            ("SEI_TOKEN", key.clone()),
            ("HOME", dir.path().display().to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let before = (live.spent().unwrap(), github.exchanges().len());
        let log = dir.path().join("log");
        let (wall, _, _, ok) = launcher.run(&s.bin, &args, dir.path(), &log, &vars);
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(ok, "the sweep failed:\n{text}");
        let spent = live.spent().unwrap() - before.0;
        let ex = github.exchanges();
        let mut kinds: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for e in &ex[before.1..] {
            let p = e.request.path();
            let kind = if p.contains("/installation/") || p.contains("/orgs/") {
                "repositories"
            } else if p.ends_with("/actions/runs") {
                "runs listing"
            } else if p.ends_with("/jobs") {
                "jobs"
            } else if p.ends_with("/workflows") {
                "workflows"
            } else if p.ends_with("/commits") {
                "branch history"
            } else if p.contains("/deployments") {
                "deployments"
            } else if p.contains("/matching-refs/") {
                "tags"
            } else if p.contains("/workflows/") {
                "previous success"
            } else {
                "other"
            };
            let k = kinds.entry(kind).or_default();
            if e.status == Some(304) {
                k.1 += 1;
            } else {
                k.0 += 1;
            }
        }
        let parts: Vec<String> = kinds
            .iter()
            .map(|(k, (paid, free))| format!("{k} {paid} (+{free} free)"))
            .collect();
        println!(
            "| {what} | {} | {:.2}% | {:.1} | {} |",
            spent,
            spent as f64 * 100.0 / INSTALLATION_BUDGET as f64,
            wall.as_secs_f64(),
            parts.join(", ")
        );
    };
    println!(
        "\nsweep: {repos} repositories (installation token), {active} with a new run; budget {INSTALLATION_BUDGET} an hour\n"
    );
    println!("| sweep | requests spent | of the hourly budget | wall s | by kind (304s free) |");
    println!("|---|---:|---:|---:|---|");
    sweep(GH_TOKEN, "first (keeps every listing's ETag)", launcher);
    sweep(GH_TOKEN, "nothing new, same token", launcher);
    live.update(|mut g| {
        for i in (0..repos)
            .step_by((repos / active.max(1)).max(1))
            .take(active)
        {
            g = g.backlog(&Backlog {
                first_id: 1_000_000 + i as u64 * 100 + 50,
                rerun_every: 0,
                ..Backlog::new(&name(i), 1)
            });
        }
        g
    });
    sweep(
        GH_TOKEN,
        &format!("{active} repositories with a new run, same token"),
        launcher,
    );
    let delivered = sei.received().iter().filter(|r| r.status == 202).count();
    assert_eq!(delivered, active, "each new run reported once");
    // GitHub's ETags are per token: a new token each sweep pays every listing.
    let other = "ghs_benchAnotherToken00000000000000000";
    sweep(other, "nothing new, a new token", launcher);
}

/// One GitHub App installation's hourly budget on an organization of 10,000 repositories.
const INSTALLATION_BUDGET: u64 = 12_500;
