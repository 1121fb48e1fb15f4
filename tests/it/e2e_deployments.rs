//! End to end, deployments that SEI counts right (issue 18), on the deployment workflows teams
//! really run: what **this attempt** deployed (`cd`: a skipped deploy job, an attempt that did
//! not deploy while a later one did, a re-run that reused the deploy job, a dozen services
//! deploying one commit, a fork's pull request), what the deployment shipped (`scm_commit_ids`:
//! a dispatch to staging between two to production, a deploy on a tag, a green push that
//! skipped its deploy job, the first deploy from a new release branch, a manual deploy between
//! nightly ones), and the fields a DORA profile filters on (`deployed_to:<environment>` and the
//! other fixed parameters, the clone URL, the attempt's end). Each run is reported from inside
//! (Mode 2: the last job of the run itself, its own event at hand) and by a `workflow_run`
//! reporter once it completed (Mode 1), which must agree; and through `backfill` where history
//! is involved. Each case has a control beside it that must not change.
//!
//! The emulator answers as GitHub does: `deployments?sha=` and `?environment=` newest first,
//! paged; statuses newest first, with `log_url` naming the job that deployed, and `inactive` on
//! top of a success a newer deployment to the environment superseded; an attempt's jobs list the
//! jobs it reused from an earlier attempt (with that attempt's `run_attempt`).

use sei_cicd_testkit::action::ActionEnv;
use sei_cicd_testkit::fixtures;
use sei_cicd_testkit::github::GitHub;
use sei_cicd_testkit::http::Server;
use sei_cicd_testkit::sei::{Sei, SeiServer};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sei-cicd");
const GH_TOKEN: &str = "ghs_e2eGitHubToken000000000000000000";
const SEI_KEY: &str =
    "eyJjb21wYW55IjoiYWNtZSIsImlkIjoia2V5LWUyZSIsImtleSI6ImUyZS0wZjljMmI3ZDVlMWEifQ==";
const GUID: &str = "89d2491c-764a-4f77-93d9-18e8e372b795";
const REPO: &str = "acme/shop";
/// The reporter's own run in Mode 1 (`on: workflow_run`).
const REPORTER_RUN: u64 = 9_999_999;
/// Runs start from here, minutes apart.
const DAY: i64 = 1_740_823_200; // 2025-03-01T10:00:00Z

fn shas() -> Vec<String> {
    fixtures::history(80)
}

fn at(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(DAY + seconds, 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A job of a run: its name, how it ended, the attempt it was reused from, and the environment
/// it deployed to (with the deployment's outcome).
#[derive(Clone)]
struct J {
    name: &'static str,
    /// `success`, `failure` or `skipped`.
    outcome: &'static str,
    reused_from: Option<u64>,
    deploys: Option<(&'static str, &'static str)>,
}

fn job(name: &'static str, outcome: &'static str) -> J {
    J {
        name,
        outcome,
        reused_from: None,
        deploys: None,
    }
}

fn deploy(name: &'static str, env: &'static str) -> J {
    J {
        deploys: Some((env, "success")),
        ..job(name, "success")
    }
}

impl J {
    fn reused(mut self, attempt: u64) -> J {
        self.reused_from = Some(attempt);
        self
    }
}

/// One attempt of a run of `acme/shop`.
#[derive(Clone)]
struct R {
    id: u64,
    number: u64,
    attempt: u64,
    name: &'static str,
    file: &'static str,
    event: &'static str,
    branch: String,
    /// Index of the head commit in [`shas`].
    sha: usize,
    /// Seconds after [`DAY`] the run was created.
    created: i64,
    jobs: Vec<J>,
    head_repo: &'static str,
    tag: bool,
}

fn run(id: u64, number: u64, event: &'static str, branch: &str, sha: usize) -> R {
    R {
        id,
        number,
        attempt: 1,
        name: "Build and Deploy",
        file: "deploy.yml",
        event,
        branch: branch.to_owned(),
        sha,
        created: number as i64 * 7200,
        jobs: vec![job("build", "success"), deploy("deploy", "production")],
        head_repo: REPO,
        tag: false,
    }
}

impl R {
    fn workflow(mut self, name: &'static str, file: &'static str) -> R {
        self.name = name;
        self.file = file;
        self
    }
    fn jobs(mut self, jobs: Vec<J>) -> R {
        self.jobs = jobs;
        self
    }
    fn at(mut self, seconds: i64) -> R {
        self.created = seconds;
        self
    }
    /// Attempt `n` of the same run, started an hour after the previous one.
    fn attempt(&self, n: u64, jobs: Vec<J>) -> R {
        R {
            attempt: n,
            jobs,
            ..self.clone()
        }
    }
    fn workflow_id(&self) -> u64 {
        1000 + self.file.len() as u64 * 7 + self.file.bytes().map(u64::from).sum::<u64>()
    }
    /// When this attempt started.
    fn start(&self) -> i64 {
        self.created + (self.attempt as i64 - 1) * 3600
    }
    fn job_id(&self, attempt: u64, index: usize) -> u64 {
        self.id * 100 + attempt * 10 + index as u64
    }
    /// The reporter's job in Mode 2: the last one.
    fn me(&self) -> u64 {
        self.job_id(self.attempt, 9)
    }
    /// Seconds after its attempt's start each job ran: (created, started, completed).
    fn times(&self, index: usize, from: u64) -> (i64, i64, i64) {
        let start = self.created + (from as i64 - 1) * 3600;
        let k = index as i64 * 60;
        (start + k + 5, start + k + 10, start + k + 60)
    }
    fn conclusion(&self) -> &'static str {
        if self.jobs.iter().any(|j| j.outcome == "failure") {
            "failure"
        } else {
            "success"
        }
    }
    fn ended(&self) -> i64 {
        self.start() + self.jobs.len() as i64 * 60 + 100
    }

    fn json(&self, running: bool) -> Value {
        let head_full = self.head_repo;
        json!({
            "id": self.id, "name": self.name, "path": format!(".github/workflows/{}", self.file),
            "workflow_id": self.workflow_id(), "head_branch": self.branch,
            "head_sha": shas()[self.sha], "run_number": self.number,
            "run_attempt": self.attempt, "event": self.event,
            "status": if running { "in_progress" } else { "completed" },
            "conclusion": if running { Value::Null } else { json!(self.conclusion()) },
            "html_url": format!("https://github.com/{REPO}/actions/runs/{}", self.id),
            "created_at": at(self.created), "run_started_at": at(self.start()),
            // GitHub moves it later than the last job (annotations written afterwards).
            "updated_at": at(self.ended() + 400),
            "actor": {"login": "dev"}, "triggering_actor": {"login": "dev"},
            "display_title": format!("commit {}", self.sha), "pull_requests": [],
            "repository": {"full_name": REPO},
            "head_repository": {"full_name": head_full, "fork": head_full != REPO},
            "head_commit": {"id": shas()[self.sha]},
        })
    }

    /// The attempt's jobs, with the reporter's own last (running in Mode 2).
    fn jobs_json(&self, running: bool) -> Vec<Value> {
        let mut out = Vec::new();
        for (i, j) in self.jobs.iter().enumerate() {
            let from = j.reused_from.unwrap_or(self.attempt);
            let (c, s, e) = self.times(i, from);
            let skipped = j.outcome == "skipped";
            out.push(json!({
                "id": self.job_id(from, i), "run_id": self.id, "run_attempt": from,
                "name": j.name, "status": "completed", "conclusion": j.outcome,
                "created_at": at(c), "started_at": at(if skipped { c } else { s }),
                "completed_at": at(if skipped { c } else { e }),
                "html_url": format!("https://github.com/{REPO}/actions/runs/{}/job/{}", self.id, self.job_id(from, i)),
                "runner_name": if skipped { Value::Null } else { json!("GitHub Actions 7") },
                "labels": ["ubuntu-latest"],
                "steps": if skipped { json!([]) } else {
                    json!([{"number": 1, "name": "run", "status": "completed", "conclusion": j.outcome,
                            "started_at": at(s), "completed_at": at(e)}])
                },
            }));
        }
        let s = self.start() + self.jobs.len() as i64 * 60 + 20;
        out.push(json!({
            "id": self.me(), "run_id": self.id, "run_attempt": self.attempt, "name": "report",
            "status": if running { "in_progress" } else { "completed" },
            "conclusion": if running { Value::Null } else { json!("success") },
            "created_at": at(s - 5), "started_at": at(s),
            "completed_at": if running { Value::Null } else { json!(at(s + 30)) },
            "runner_name": "GitHub Actions 2", "labels": ["ubuntu-latest"], "steps": [],
        }));
        out
    }

    /// The deployments this attempt's own jobs made (reused jobs made theirs in their attempt),
    /// each `(deployment, statuses newest first)`.
    fn deployments(&self) -> Vec<(Value, Vec<Value>)> {
        let mut out = Vec::new();
        for (i, j) in self.jobs.iter().enumerate() {
            let (Some((env, state)), None) = (j.deploys, j.reused_from) else {
                continue;
            };
            if j.outcome == "skipped" {
                continue;
            }
            let (c, s, e) = self.times(i, self.attempt);
            let created = c + 2;
            let url = format!(
                "https://github.com/{REPO}/actions/runs/{}/job/{}",
                self.id,
                self.job_id(self.attempt, i)
            );
            let status = |state: &str, t: i64| {
                json!({"state": state, "environment": env, "log_url": url, "target_url": url,
                       "created_at": at(t)})
            };
            out.push((
                json!({"id": DAY + created, "sha": shas()[self.sha], "ref": self.branch,
                       "task": "deploy", "environment": env, "created_at": at(created),
                       "creator": {"login": "dev"}}),
                vec![
                    status(state, e),
                    status("in_progress", s),
                    status("queued", created),
                ],
            ));
        }
        out
    }
}

/// The emulated GitHub: the history, every attempt given (completed, but `running` in
/// progress), and their deployments.
fn github(all: &[R], running: Option<&R>, more: &dyn Fn(GitHub) -> GitHub) -> Server {
    let mut gh = GitHub::new().token(GH_TOKEN).history(REPO, shas());
    for r in all {
        let live = running.is_some_and(|x| x.id == r.id && x.attempt == r.attempt);
        gh = gh.run(REPO, r.json(live), r.jobs_json(live));
        for (d, s) in r.deployments() {
            gh = gh.deployment(REPO, d, s);
        }
        if r.tag {
            gh = gh.tag(REPO, &r.branch, &shas()[r.sha]);
        }
    }
    more(gh).start()
}

fn sei() -> SeiServer {
    Sei::new().key(SEI_KEY).instance(GUID).start()
}

fn defaults(env: &mut ActionEnv, sei: &SeiServer) {
    env.action_defaults(GH_TOKEN)
        .input("sei-url", &sei.url())
        .input("sei-token", SEI_KEY)
        .input("instance-guid", GUID);
}

/// Mode 2: the reporter's job inside `this`, with the variables and the event the runner gives.
fn inside(gh: &Server, sei: &SeiServer, this: &R, event: Value) -> ActionEnv {
    let mut env = ActionEnv::new(REPO, this.id, this.event, &gh.url());
    defaults(&mut env, sei);
    let git_ref = if this.tag {
        format!("refs/tags/{}", this.branch)
    } else {
        format!("refs/heads/{}", this.branch)
    };
    let mut event = event;
    event["ref"] = json!(git_ref);
    if this.event.starts_with("pull_request") {
        let pr = json!({"number": 7, "head": {"ref": this.branch, "sha": shas()[this.sha],
                                              "repo": {"full_name": this.head_repo}},
                        "base": {"ref": "main", "sha": shas()[this.sha - 1],
                                 "repo": {"full_name": REPO}}});
        event["pull_request"] = pr;
        env.var("GITHUB_HEAD_REF", &this.branch);
    }
    if this.event == "push" {
        event["after"] = json!(shas()[this.sha]);
    }
    event["repository"] = json!({"full_name": REPO, "default_branch": "main"});
    env.var(
        "GITHUB_WORKFLOW_REF",
        &format!("{REPO}/.github/workflows/{}@{git_ref}", this.file),
    )
    .var("GITHUB_WORKFLOW", this.name)
    .var("GITHUB_REF", &git_ref)
    .var("GITHUB_REF_NAME", &this.branch)
    .var("GITHUB_SHA", &shas()[this.sha])
    .var("GITHUB_RUN_NUMBER", &this.number.to_string())
    .var("GITHUB_RUN_ATTEMPT", &this.attempt.to_string())
    .event(&event)
    .input("job-check-run-id", &this.me().to_string())
    .input("job-status", "success");
    env
}

/// Mode 1: a reporter `on: workflow_run` that `this` completing started.
fn outside(gh: &Server, sei: &SeiServer, this: &R) -> ActionEnv {
    let mut env = ActionEnv::new(REPO, REPORTER_RUN, "workflow_run", &gh.url());
    defaults(&mut env, sei);
    let mut event = fixtures::load("octokit-webhooks__workflow_run.completed.json");
    event["workflow_run"] = this.json(false);
    event["repository"] = json!({"full_name": REPO, "default_branch": "main"});
    env.var(
        "GITHUB_WORKFLOW_REF",
        &format!("{REPO}/.github/workflows/sei-report.yml@refs/heads/main"),
    )
    .var("GITHUB_REF", "refs/heads/main")
    .var("GITHUB_REF_NAME", "main")
    .event(&event);
    env
}

fn report(env: &ActionEnv, sei: &SeiServer) -> (Value, String) {
    sei_cicd_testkit::sei::deliver_once(env, sei, Path::new(BIN))
}

/// What must not differ between the modes.
fn dora(p: &Value) -> Value {
    let params: Vec<&Value> = p["job_run_params"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["name"].as_str().unwrap().starts_with("deployed_to:"))
        .collect();
    json!({"scm_commit_ids": p["scm_commit_ids"], "ci": p["ci"], "cd": p["cd"],
           "result_is_failure": p["result"] == "FAILURE", "deployed_to": params})
}

fn line<'a>(log: &'a str, start: &str) -> &'a str {
    log.lines()
        .find(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no line starting {start:?} in\n{log}"))
}

/// A report of `this` both ways, given every attempt GitHub knows: they must agree. Returns
/// (Mode 2's payload, its log, Mode 1's log).
fn both_ways(all: &[R], this: &R, event: Value) -> (Value, String, String) {
    let sei = sei();
    let gh2 = github(all, Some(this), &|g| g);
    let (p2, log2) = report(&inside(&gh2, &sei, this, event), &sei);
    let gh1 = github(all, None, &|g| g);
    let (p1, log1) = report(&outside(&gh1, &sei, this), &sei);
    assert_eq!(dora(&p2), dora(&p1), "Mode 2:\n{log2}\nMode 1:\n{log1}");
    assert_eq!(line(&log2, "Commits:"), line(&log1, "Commits:"));
    assert_eq!(line(&log2, "Reported as"), line(&log1, "Reported as"));
    (p2, log2, log1)
}

/// Mode 1 alone (a run-only case: what a reporter sees once a later attempt exists).
fn outside_only(all: &[R], this: &R) -> (Value, String) {
    let sei = sei();
    let gh = github(all, None, &|g| g);
    report(&outside(&gh, &sei, this), &sei)
}

/// `sei-cicd backfill` of the repository: what SEI took, by execution id, and the log.
fn backfill(all: &[R]) -> (BTreeMap<String, Value>, String) {
    let gh = github(all, None, &|g| g);
    let sei = sei();
    let out = Command::new(BIN)
        .args(["backfill", "--repository", REPO, "--since", "2025-03-01"])
        .args([
            "--until",
            "2025-03-31",
            "--sei-url",
            &sei.url(),
            "--instance-guid",
            GUID,
        ])
        .env_clear()
        .env("GITHUB_API_URL", gh.url())
        .env("GITHUB_TOKEN", GH_TOKEN)
        .env("SEI_TOKEN", SEI_KEY)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{log}");
    let mut got = BTreeMap::new();
    for r in sei.received().into_iter().filter(|r| r.status == 202) {
        let p = r.payload.unwrap();
        got.entry(p["execution_id"].as_str().unwrap().to_owned())
            .or_insert(p);
    }
    (got, log)
}

fn key(r: &R) -> String {
    format!("{}-{}", r.id, r.attempt)
}

/// `shas[from..=to]`, newest first.
fn newest_first(from: usize, to: usize) -> Value {
    json!(shas()[from..=to].iter().rev().collect::<Vec<_>>())
}

fn push() -> Value {
    json!({})
}

fn param<'a>(p: &'a Value, name: &str) -> Option<&'a str> {
    p["job_run_params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == name)
        .and_then(|x| x["value"].as_str())
}

// ---------------------------------------------------------------------------------------------
// What this attempt deployed

/// `Build and Deploy` pushed on a feature branch: `build` ran, `deploy` was skipped by its
/// `if:`, nothing was deployed: CI, and the log names the job. Control: the push to `main`
/// whose `deploy` ran and deployed to production stays CD.
#[test]
fn a_deploy_job_skipped_on_a_feature_branch_is_ci() {
    let main = run(101, 1, "push", "main", 10);
    let feature = run(102, 2, "push", "feature/cart", 12)
        .jobs(vec![job("build", "success"), job("deploy", "skipped")]);
    let all = [main.clone(), feature.clone()];
    let (p, log, _) = both_ways(&all, &feature, push());
    assert_eq!((&p["ci"], &p["cd"]), (&json!(true), &json!(false)));
    assert_eq!(
        line(&log, "Reported as"),
        "Reported as CI (the workflow's name says `deploy`, but the job `deploy`, named like a \
         deploy, did not run)."
    );
    assert_eq!(param(&p, "deployed_to:production"), None);
    assert_eq!(param(&p, "github_branch"), Some("feature/cart"));

    let (p, log, _) = both_ways(&all, &main, push());
    assert_eq!((&p["ci"], &p["cd"]), (&json!(false), &json!(true)));
    assert_eq!(
        line(&log, "Reported as"),
        "Reported as CD (deployed to `production`)."
    );
    assert_eq!(param(&p, "deployed_to:production"), Some("true"));
    // Its first deployment there: the commits of its kind, and the log says why.
    assert!(
        line(&log, "Commits:")
            .contains("no earlier successful deployment of this workflow to `production`"),
        "{log}"
    );
}

/// Attempt 1 failed in `build` and deployed nothing; attempt 2 deployed. Attempt 1 is not a
/// deployment, whoever reports it after attempt 2 existed (a `workflow_run` reporter,
/// `backfill`); attempt 2 is one.
#[test]
fn another_attempts_deployment_never_makes_this_one_cd() {
    let a1 = run(201, 1, "push", "main", 20)
        .jobs(vec![job("build", "failure"), job("deploy", "skipped")]);
    let a2 = a1.attempt(
        2,
        vec![job("build", "success"), deploy("deploy", "production")],
    );
    let all = [a1.clone(), a2.clone()];
    let (p, log) = outside_only(&all, &a1);
    assert_eq!(
        (&p["ci"], &p["cd"], &p["result"]),
        (&json!(true), &json!(false), &json!("FAILURE")),
        "{log}"
    );
    assert_eq!(param(&p, "deployed_to:production"), None);
    assert_eq!(param(&p, "github_run_attempt"), Some("1"));
    let (p, _, _) = both_ways(&all, &a2, push());
    assert_eq!((&p["cd"], &p["result"]), (&json!(true), &json!("SUCCESS")));
    assert_eq!(param(&p, "github_run_attempt"), Some("2"));

    let (got, log) = backfill(&all);
    assert_eq!(got[&key(&a1)]["cd"], json!(false), "{log}");
    assert_eq!(got[&key(&a2)]["cd"], json!(true), "{log}");
}

/// "Re-run failed jobs" after a failed smoke test: attempt 2 reused `deploy` (which deployed to
/// production in attempt 1) and its smoke test passed: attempt 2 is a deployment, and a good
/// one, so the failure is followed by a success in SEI. Its duration ends at its own last job.
#[test]
fn a_reused_deploy_job_counts_for_the_attempt_that_reused_it() {
    // Named like nothing: only the deployment can tell.
    let a1 = run(301, 1, "push", "main", 30)
        .workflow("Pipeline", "pipeline.yml")
        .jobs(vec![
            job("build", "success"),
            deploy("release", "production"),
            job("smoke-test", "failure"),
        ]);
    let a2 = a1.attempt(
        2,
        vec![
            job("build", "success").reused(1),
            deploy("release", "production").reused(1),
            job("smoke-test", "success"),
        ],
    );
    let all = [a1.clone(), a2.clone()];
    let (p, log, _) = both_ways(&all, &a2, push());
    assert_eq!((&p["cd"], &p["result"]), (&json!(true), &json!("SUCCESS")));
    assert_eq!(
        line(&log, "Reported as"),
        "Reported as CD (deployed to `production`)."
    );
    let (p1, _) = outside_only(&all, &a1);
    assert_eq!(
        (&p1["cd"], &p1["result"]),
        (&json!(true), &json!("FAILURE"))
    );
    // From the attempt's start to its last own job's end (the `report` job, 30 s after it
    // started), not to the run's later `updated_at`.
    let (p2, _) = outside_only(&all, &a2);
    let report_end = a2.start() + 3 * 60 + 20 + 30;
    assert_eq!(
        p2["duration"],
        json!((report_end - a2.start()) * 1000),
        "the attempt's last job, not `updated_at`"
    );

    let (got, log) = backfill(&all);
    assert_eq!(got[&key(&a1)]["cd"], json!(true), "{log}");
    assert_eq!(got[&key(&a2)]["cd"], json!(true), "{log}");
}

/// Twelve service workflows of a monorepo deploy one commit to production within a minute:
/// each run finds its own deployment among the commit's, the first to deploy too (only the
/// newest ten were looked at before). Services are kept apart: each counts its commits from its
/// own previous deployment, not from another service's.
#[test]
fn a_dozen_services_deploying_one_commit_each_count_theirs() {
    const NAMES: [&str; 12] = [
        "svc-a", "svc-b", "svc-c", "svc-d", "svc-e", "svc-f", "svc-g", "svc-h", "svc-i", "svc-j",
        "svc-k", "svc-l",
    ];
    const FILES: [&str; 12] = [
        "svc-a.yml",
        "svc-b.yml",
        "svc-c.yml",
        "svc-d.yml",
        "svc-e.yml",
        "svc-f.yml",
        "svc-g.yml",
        "svc-h.yml",
        "svc-i.yml",
        "svc-j.yml",
        "svc-k.yml",
        "svc-l.yml",
    ];
    let t = 10 * 7200;
    let mut all = vec![
        // svc-a last deployed 35, svc-b 37 (later).
        run(380, 1, "push", "main", 35)
            .workflow(NAMES[0], FILES[0])
            .at(t - 7200),
        run(381, 1, "push", "main", 37)
            .workflow(NAMES[1], FILES[1])
            .at(t - 3600),
    ];
    for k in 0..12 {
        all.push(
            run(400 + k as u64, 2, "push", "main", 40)
                .workflow(NAMES[k], FILES[k])
                .at(t + k as i64 * 7),
        );
    }
    let a = all[2].clone();
    let (p, log, _) = both_ways(&all, &a, push());
    assert_eq!((&p["ci"], &p["cd"]), (&json!(false), &json!(true)), "{log}");
    assert_eq!(
        p["scm_commit_ids"],
        newest_first(36, 40),
        "since svc-a's own, at 35"
    );
    assert!(
        line(&log, "Commits:").contains("since the deployment to `production` of run #1 ("),
        "{log}"
    );
    let b = all[3].clone();
    let (p, _, _) = both_ways(&all, &b, push());
    assert_eq!(
        p["scm_commit_ids"],
        newest_first(38, 40),
        "since svc-b's own, at 37"
    );

    let (got, log) = backfill(&all);
    assert_eq!(
        got[&key(&a)]["scm_commit_ids"],
        newest_first(36, 40),
        "{log}"
    );
    assert_eq!(
        got[&key(&b)]["scm_commit_ids"],
        newest_first(38, 40),
        "{log}"
    );
    for k in 0..12 {
        assert_eq!(got[&key(&all[2 + k])]["cd"], json!(true), "{}", NAMES[k]);
    }
}

/// A deployment made from a fork's pull request (`pull_request_target` deploying with the
/// base's secrets) is never a deployment in SEI. Control: the same run from a branch of the
/// repository itself, which did deploy, is CD.
#[test]
fn a_fork_pull_request_is_never_a_deployment() {
    let mut fork =
        run(501, 1, "pull_request_target", "patch-1", 50).workflow("Deploy preview", "preview.yml");
    fork.head_repo = "outsider/shop";
    let all = [fork.clone()];
    let (p, log, _) = both_ways(&all, &fork, json!({}));
    assert_eq!((&p["ci"], &p["cd"]), (&json!(true), &json!(false)));
    assert_eq!(
        line(&log, "Reported as"),
        "Reported as CI (a pull request from a fork (`outsider`) is never a deployment)."
    );
    let mut own = fork.clone();
    own.head_repo = REPO;
    let (p, _, _) = both_ways(&[own.clone()], &own, json!({}));
    assert_eq!(
        p["cd"],
        json!(true),
        "evidence counts on a pull request of the repository"
    );
}

/// The commit's deployments are read page after page: a run reported long after, whose
/// commit has been deployed a hundred times since (redeploys), still finds its own.
#[test]
fn every_deployment_of_the_commit_is_read_however_many() {
    let this = run(1101, 1, "push", "main", 44);
    let later = move |mut g: GitHub| {
        for k in 0..105i64 {
            let created = 20 * 7200 + k * 60;
            let url = format!("https://github.com/{REPO}/actions/runs/{}/job/1", 5000 + k);
            g = g.deployment(
                REPO,
                json!({"id": DAY + created, "sha": shas()[44], "ref": "main",
                       "environment": "production", "created_at": at(created)}),
                vec![json!({"state": "success", "log_url": url, "target_url": url})],
            );
        }
        g
    };
    let sei = sei();
    let gh = github(std::slice::from_ref(&this), None, &later);
    let (p, log) = report(&outside(&gh, &sei, &this), &sei);
    assert_eq!(p["cd"], json!(true), "{log}");
    let pages: Vec<String> = gh
        .exchanges()
        .into_iter()
        .map(|e| e.request.target)
        .filter(|t| t.contains("/deployments?sha="))
        .collect();
    assert_eq!(pages.len(), 2, "{pages:?}");
    // Only the deployments made while the run ran have their statuses read.
    let statuses = gh
        .exchanges()
        .into_iter()
        .filter(|e| e.request.target.contains("/statuses"))
        .count();
    assert_eq!(statuses, 1);
}

// ---------------------------------------------------------------------------------------------
// What the deployment shipped

/// A dispatch whose input picks the environment: production at 10, staging at 15, production
/// at 20. The second production deployment ships 11 to 20 (the staging run's commits too);
/// the staging run (not counted) keeps the rule of its kind. Control: a workflow that deploys
/// nothing, on the same commits, stays CI with the commits since its own last success.
#[test]
fn a_dispatch_to_staging_between_two_to_production() {
    let dispatch = |id, n, sha, env: &'static str| {
        run(id, n, "workflow_dispatch", "main", sha)
            .jobs(vec![job("build", "success"), deploy("deploy", env)])
    };
    let p1 = dispatch(601, 1, 10, "production");
    let s2 = dispatch(602, 2, 15, "staging");
    let p3 = dispatch(603, 3, 20, "production");
    let t1 = run(611, 1, "push", "main", 12)
        .workflow("Tests", "tests.yml")
        .jobs(vec![job("test", "success")]);
    let t2 = run(612, 2, "push", "main", 20)
        .workflow("Tests", "tests.yml")
        .jobs(vec![job("test", "success")])
        .at(3 * 7200 + 60);
    let all = [p1, s2.clone(), p3.clone(), t1, t2.clone()];
    let input = |env: &str| json!({"inputs": {"environment": env}});
    let (p, log, _) = both_ways(&all, &p3, input("production"));
    assert_eq!(p["scm_commit_ids"], newest_first(11, 20), "{log}");
    assert!(line(&log, "Commits:").starts_with(&format!(
        "Commits: 10 reported, from since the deployment to `production` of run #1 ({} to {}, \
         10 commit(s))",
        &shas()[10][..7],
        &shas()[20][..7]
    )));
    assert_eq!(
        param(&p, "environment"),
        Some("production"),
        "the input, after ours"
    );
    let (p, log, _) = both_ways(&all, &s2, input("staging"));
    assert_eq!((&p["ci"], &p["cd"]), (&json!(true), &json!(false)));
    assert_eq!(p["scm_commit_ids"], newest_first(11, 15), "{log}");
    assert_eq!(param(&p, "deployed_to:staging"), Some("true"));
    let (p, _, _) = both_ways(&all, &t2, push());
    assert_eq!((&p["ci"], &p["cd"]), (&json!(true), &json!(false)));
    assert_eq!(p["scm_commit_ids"], newest_first(13, 20));

    let (got, log) = backfill(&all);
    assert_eq!(
        got[&key(&p3)]["scm_commit_ids"],
        newest_first(11, 20),
        "{log}"
    );
    assert_eq!(
        got[&key(&s2)]["scm_commit_ids"],
        newest_first(11, 15),
        "{log}"
    );
}

/// A deploy dispatched on a tag (`v1.2`) after a deploy from `main` at 23: its seven commits,
/// not the head alone.
#[test]
fn a_deploy_dispatched_on_a_tag() {
    let main = run(701, 1, "push", "main", 23);
    let mut tag = run(702, 2, "workflow_dispatch", "v1.2", 30);
    tag.tag = true;
    let all = [main, tag.clone()];
    let (p, log, _) = both_ways(&all, &tag, json!({"inputs": {}}));
    assert_eq!(p["cd"], json!(true));
    assert_eq!(p["scm_commit_ids"], newest_first(24, 30), "{log}");
}

/// A green push whose deploy job a paths filter skipped (12), between two deploys (10, 15):
/// the second deploy ships its commits too. The skipped one is CI, with the commits of its kind.
#[test]
fn a_green_push_that_skipped_its_deploy_job() {
    let d1 = run(801, 1, "push", "main", 10);
    let skip = run(802, 2, "push", "main", 12)
        .jobs(vec![job("build", "success"), job("deploy", "skipped")]);
    let d3 = run(803, 3, "push", "main", 15);
    let all = [d1, skip.clone(), d3.clone()];
    let (p, log, _) = both_ways(&all, &d3, push());
    assert_eq!(p["scm_commit_ids"], newest_first(11, 15), "{log}");
    let (p, _, _) = both_ways(&all, &skip, push());
    assert_eq!(p["cd"], json!(false));
    assert_eq!(p["scm_commit_ids"], newest_first(11, 12));

    let (got, log) = backfill(&all);
    assert_eq!(
        got[&key(&d3)]["scm_commit_ids"],
        newest_first(11, 15),
        "{log}"
    );
}

/// The first deploy from a new `release/2.0` branch counts from the last production deploy
/// (from `main`, at 20), not its head alone.
#[test]
fn the_first_deploy_from_a_new_release_branch() {
    let main = run(901, 1, "push", "main", 20);
    let release = run(902, 2, "push", "release/2.0", 25);
    let all = [main, release.clone()];
    let (p, log, _) = both_ways(&all, &release, push());
    assert_eq!(p["scm_commit_ids"], newest_first(21, 25), "{log}");
    assert_eq!(param(&p, "github_branch"), Some("release/2.0"));
}

/// A manual deploy (14) between two nightly ones (10, 18): each ships what the one before it
/// did not, whatever event started them; neither claims the other's commits.
#[test]
fn a_manual_deploy_between_nightly_deploys() {
    let n1 = run(1001, 1, "schedule", "main", 10);
    let manual = run(1002, 2, "workflow_dispatch", "main", 14);
    let n3 = run(1003, 3, "schedule", "main", 18);
    let all = [n1, manual.clone(), n3.clone()];
    let nightly = json!({"schedule": "0 2 * * *"});
    let (p, log, _) = both_ways(&all, &n3, nightly);
    assert_eq!(p["scm_commit_ids"], newest_first(15, 18), "{log}");
    assert!(
        line(&log, "Commits:").contains("of run #2 ("),
        "the manual deploy is the base: {log}"
    );
    let (p, _, _) = both_ways(&all, &manual, json!({"inputs": {}}));
    assert_eq!(p["scm_commit_ids"], newest_first(11, 14));

    let (got, log) = backfill(&all);
    assert_eq!(
        got[&key(&n3)]["scm_commit_ids"],
        newest_first(15, 18),
        "{log}"
    );
    assert_eq!(
        got[&key(&manual)]["scm_commit_ids"],
        newest_first(11, 14),
        "{log}"
    );
}

/// A deploy to two production regions: one base per region, the union of their commits, and a
/// parameter per environment.
#[test]
fn a_deploy_to_two_regions_counts_from_each() {
    let both = |id, n, sha| {
        run(id, n, "push", "main", sha).jobs(vec![
            job("build", "success"),
            deploy("deploy-eu", "prod-eu"),
            deploy("deploy-us", "prod-us"),
        ])
    };
    let first = both(1201, 1, 50);
    let us_only = run(1202, 2, "push", "main", 52).jobs(vec![
        job("build", "success"),
        deploy("deploy-us", "prod-us"),
    ]);
    let third = both(1203, 3, 55);
    let all = [first, us_only, third.clone()];
    let (p, log, _) = both_ways(&all, &third, push());
    assert_eq!(p["scm_commit_ids"], newest_first(51, 55), "{log}");
    assert!(
        line(&log, "Commits:").contains("since the deployments to `prod-eu` of run #1"),
        "{log}"
    );
    assert!(line(&log, "Commits:").contains("`prod-us` of run #2"));
    assert_eq!(param(&p, "deployed_to:prod-eu"), Some("true"));
    assert_eq!(param(&p, "deployed_to:prod-us"), Some("true"));
}

/// The payload of a deployment, whole, as a `workflow_run` reporter sends it: the clone URL,
/// the parameters, the commits since the previous deployment, the duration to the last job.
#[test]
fn the_payload_of_a_deployment() {
    let p1 = run(1301, 1, "workflow_dispatch", "main", 10);
    let p2 = run(1302, 2, "workflow_dispatch", "main", 13);
    let sei = sei();
    let gh = github(&[p1, p2.clone()], None, &|g| g);
    let (p, _) = report(&outside(&gh, &sei, &p2), &sei);
    let mut p = p;
    p["job_run"] = json!("(stages: tests/it/mapping.rs)");
    insta::assert_json_snapshot!("deployment_payload", p);
}
