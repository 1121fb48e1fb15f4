//! End to end, the DORA rules on the workflows teams really run: which commits a run reports
//! (pushes beside green fork pull requests, fork pull requests, tags, releases, merge queues),
//! whether it is CI or CD (previews, review apps, release tooling, lint files named `cd-*`,
//! deployment and deployment_status events, builds that also deploy), and the result of a run
//! reported from inside while a `continue-on-error` job has failed. Each run is reported the two
//! ways the action runs: from inside (Mode 2, the run in progress, its own event at hand) and by
//! a `workflow_run` reporter once it has completed (Mode 1), and both reports must agree on
//! `branch_name`, the commits, the trigger chain and CI/CD.
//!
//! The runs are the recorded otel-cicd-action run (`fixtures::otel_run`) moved into a
//! repository `acme/api` with a linear history of made-up commits, shaped the way GitHub answers
//! for each event (`head_branch` is the bare tag name for a tag push, the queue's temporary
//! branch for a merge group, the fork's branch for a fork's pull request).

use sei_cicd_testkit::action::ActionEnv;
use sei_cicd_testkit::fixtures;
use sei_cicd_testkit::github::GitHub;
use sei_cicd_testkit::http::Server;
use sei_cicd_testkit::sei::{Sei, SeiServer};
use serde_json::{json, Value};
use std::path::Path;

const BIN: &str = env!("CARGO_BIN_EXE_sei-cicd");
const GH_TOKEN: &str = "ghs_e2eGitHubToken000000000000000000";
const SEI_KEY: &str =
    "eyJjb21wYW55IjoiYWNtZSIsImlkIjoia2V5LWUyZSIsImtleSI6ImUyZS0wZjljMmI3ZDVlMWEifQ==";
const GUID: &str = "89d2491c-764a-4f77-93d9-18e8e372b795";
const REPO: &str = "acme/api";
/// The run every test reports.
const RUN: u64 = 7_000_000_100;
/// The reporter's own run in Mode 1 (`on: workflow_run`).
const REPORTER_RUN: u64 = 7_000_009_999;
/// The recorded run's last job: the reporter's own in Mode 2.
const ME: u64 = 34769402426;

fn sei() -> SeiServer {
    Sei::new().key(SEI_KEY).instance(GUID).start()
}

fn shas() -> Vec<String> {
    fixtures::history(60)
}

/// A run of `acme/api` as GitHub lists it: the recorded run, renamed and moved.
#[derive(Clone)]
struct R {
    id: u64,
    number: u64,
    name: &'static str,
    file: &'static str,
    event: &'static str,
    head_branch: String,
    head_sha: String,
    created: String,
    head_repo: &'static str,
    pull_requests: Value,
}

impl R {
    fn new(id: u64, number: u64, event: &'static str, head_branch: &str, head_sha: &str) -> R {
        R {
            id,
            number,
            name: "Build",
            file: "build.yml",
            event,
            head_branch: head_branch.to_owned(),
            head_sha: head_sha.to_owned(),
            // Earlier numbers, earlier days.
            created: format!("2024-12-{:02}T17:11:25Z", number.min(28)),
            head_repo: REPO,
            pull_requests: json!([]),
        }
    }

    fn workflow(mut self, name: &'static str, file: &'static str) -> R {
        self.name = name;
        self.file = file;
        self
    }

    fn from(mut self, head_repo: &'static str) -> R {
        self.head_repo = head_repo;
        self
    }

    /// The run completed with `conclusion`, as a reporter in another workflow reads it.
    fn completed(&self, conclusion: &str) -> Value {
        let mut r = fixtures::otel_run();
        r["id"] = json!(self.id);
        r["run_number"] = json!(self.number);
        r["name"] = json!(self.name);
        r["path"] = json!(format!(".github/workflows/{}", self.file));
        r["workflow_id"] = json!(match self.file {
            "build.yml" => 96288187,
            other => 96288187 + other.len() as u64,
        });
        r["event"] = json!(self.event);
        r["head_branch"] = json!(self.head_branch);
        r["head_sha"] = json!(self.head_sha);
        r["head_commit"]["id"] = json!(self.head_sha);
        r["display_title"] = json!(format!("commit {}", &self.head_sha[..7]));
        r["conclusion"] = json!(conclusion);
        r["created_at"] = json!(self.created);
        r["run_started_at"] = json!(self.created);
        r["updated_at"] = json!(self.created.replace("17:11:25", "17:12:39"));
        r["html_url"] = json!(format!(
            "https://github.com/{REPO}/actions/runs/{}",
            self.id
        ));
        r["repository"]["full_name"] = json!(REPO);
        r["head_repository"]["full_name"] = json!(self.head_repo);
        r["head_repository"]["fork"] = json!(self.head_repo != REPO);
        r["pull_requests"] = self.pull_requests.clone();
        r
    }

    /// The same run while its last job (the reporter's, in Mode 2) runs.
    fn in_progress(&self) -> (Value, Vec<Value>) {
        let (_, jobs) = fixtures::otel_in_progress();
        let mut r = self.completed("success");
        r["status"] = json!("in_progress");
        r["conclusion"] = Value::Null;
        (r, jobs)
    }
}

/// The GitHub both modes read: the history, `earlier` runs (completed), and the reported run
/// `this`, in progress for Mode 2, completed for Mode 1.
fn github(
    this: &R,
    earlier: &[(R, &str)],
    inside: bool,
    more: &dyn Fn(GitHub) -> GitHub,
) -> Server {
    let mut gh = GitHub::new().token(GH_TOKEN).history(REPO, shas());
    for (r, conclusion) in earlier {
        gh = gh.run(REPO, r.completed(conclusion), vec![]);
    }
    gh = if inside {
        let (run, jobs) = this.in_progress();
        gh.run(REPO, run, jobs)
    } else {
        gh.run(REPO, this.completed("success"), fixtures::otel_jobs())
    };
    more(gh).start()
}

fn defaults(env: &mut ActionEnv, sei: &SeiServer) {
    env.action_defaults(GH_TOKEN)
        .input("sei-url", &sei.url())
        .input("sei-token", SEI_KEY)
        .input("instance-guid", GUID);
}

/// Mode 2: the last job of the run itself, with the variables and the event the runner gives
/// it for `this`.
fn inside(gh: &Server, sei: &SeiServer, this: &R, own_event: &Value) -> ActionEnv {
    let mut env = ActionEnv::new(REPO, this.id, this.event, &gh.url());
    defaults(&mut env, sei);
    let git_ref = own_event["ref"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| format!("refs/heads/{}", this.head_branch));
    let ref_name = git_ref
        .strip_prefix("refs/tags/")
        .or_else(|| git_ref.strip_prefix("refs/heads/"))
        .unwrap_or(&git_ref)
        .to_owned();
    env.var(
        "GITHUB_WORKFLOW_REF",
        &format!("{REPO}/.github/workflows/{}@{git_ref}", this.file),
    )
    .var("GITHUB_WORKFLOW", this.name)
    .var("GITHUB_REF", &git_ref)
    .var("GITHUB_REF_NAME", &ref_name)
    .var("GITHUB_SHA", &this.head_sha)
    .var("GITHUB_RUN_NUMBER", &this.number.to_string())
    .event(own_event)
    .input("job-check-run-id", &ME.to_string())
    .input("job-status", "success");
    if this.event.starts_with("pull_request") {
        env.var("GITHUB_HEAD_REF", &this.head_branch);
    }
    env
}

/// Mode 1: a reporter `on: workflow_run` that `this` completing started.
fn outside(gh: &Server, sei: &SeiServer, this: &R) -> ActionEnv {
    let mut env = ActionEnv::new(REPO, REPORTER_RUN, "workflow_run", &gh.url());
    defaults(&mut env, sei);
    let mut event = fixtures::load("octokit-webhooks__workflow_run.completed.json");
    event["workflow_run"] = this.completed("success");
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

/// Runs the step; it must deliver exactly one payload: (payload, log).
fn report(env: &ActionEnv, sei: &SeiServer) -> (Value, String) {
    sei_cicd_testkit::sei::deliver_once(env, sei, Path::new(BIN))
}

/// The fields both modes must agree on.
fn dora(p: &Value) -> Value {
    json!({
        "branch_name": p["branch_name"],
        "scm_commit_ids": p["scm_commit_ids"],
        "trigger_chain": p["trigger_chain"],
        "ci": p["ci"],
        "cd": p["cd"],
    })
}

/// The commits `shas[from..=to]`, newest first.
fn newest_first(from: usize, to: usize) -> Value {
    let s = shas();
    json!(s[from..=to].iter().rev().collect::<Vec<_>>())
}

fn line<'a>(log: &'a str, start: &str) -> &'a str {
    log.lines()
        .find(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no line starting {start:?} in\n{log}"))
}

fn warnings(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.starts_with("::warning::"))
        .collect()
}

fn asked(gh: &Server, fragment: &str) -> Vec<String> {
    gh.exchanges()
        .into_iter()
        .map(|e| e.request.target)
        .filter(|t| t.contains(fragment))
        .collect()
}

/// Reports `this` both ways; asserts they agree and returns (inside, its log, outside, its log).
fn both_ways(
    this: &R,
    earlier: &[(R, &str)],
    own_event: &Value,
    more: &dyn Fn(GitHub) -> GitHub,
) -> (Value, String, Value, String, Server, Server) {
    let sei = sei();
    let gh2 = github(this, earlier, true, more);
    let (p2, log2) = report(&inside(&gh2, &sei, this, own_event), &sei);
    let gh1 = github(this, earlier, false, more);
    let (p1, log1) = report(&outside(&gh1, &sei, this), &sei);
    assert_eq!(dora(&p2), dora(&p1), "Mode 2:\n{log2}\nMode 1:\n{log1}");
    assert_eq!(
        line(&log2, "Commits:"),
        line(&log1, "Commits:"),
        "the same commits, said the same way"
    );
    assert_eq!(line(&log2, "Reported as"), line(&log1, "Reported as"));
    (p2, log2, p1, log1, gh2, gh1)
}

// ---------------------------------------------------------------------------------------------
// Commits for lead time

/// A push to `main`: its last success on `main` is run #10, and six fork pull requests from
/// forks' `main` branches succeeded since (GitHub's `branch=main` lists them too). Asking for
/// `event=push` keeps them out: the commits since #10, and no warning.
#[test]
fn a_push_counts_from_its_last_push_success_whatever_forks_did_on_their_main() {
    let s = shas();
    let this = R::new(RUN, 17, "push", "main", &s[50]);
    let mut earlier = vec![(R::new(RUN - 100, 10, "push", "main", &s[40]), "success")];
    for i in 0..6 {
        earlier.push((
            R::new(RUN - 90 + i, 11 + i, "pull_request", "main", &s[20]).from("contributor/api"),
            "success",
        ));
    }
    let own = json!({"ref": "refs/heads/main", "before": s[49], "after": s[50],
                     "commits": [{"id": s[50]}], "repository": {"full_name": REPO, "default_branch": "main"}});
    let (p, log, _, log1, gh2, gh1) = both_ways(&this, &earlier, &own, &|g| g);
    assert_eq!(p["scm_commit_ids"], newest_first(41, 50));
    assert_eq!(p["branch_name"], "main");
    assert_eq!((&p["ci"], &p["cd"]), (&json!(true), &json!(false)));
    assert_eq!(p["result"], "SUCCESS");
    assert_eq!(
        line(&log, "Commits:"),
        format!(
            "Commits: 10 reported, from since run #10 ({} to {}, 10 commit(s)).",
            &s[40][..7],
            &s[50][..7]
        )
    );
    assert!(
        warnings(&log).is_empty() && warnings(&log1).is_empty(),
        "{log}\n{log1}"
    );
    for gh in [&gh2, &gh1] {
        let runs = asked(gh, "/actions/workflows/build.yml/runs");
        assert_eq!(runs.len(), 1, "{runs:?}");
        assert!(runs[0].contains("&branch=main&event=push&"), "{runs:?}");
    }
    // Mode 1 asked nothing about tags: `main` is the default branch.
    assert!(asked(&gh1, "/git/").is_empty());
}

/// A pull request from `contributor:main` (a fork's `main`): its previous success is its own
/// earlier run; six runs of other forks' `main` pull requests succeeded since, a page and more:
/// the reporter reads a second page. Reported from a `workflow_run` reporter (the fork's own
/// run has no secrets).
#[test]
fn a_fork_pull_request_counts_from_its_own_earlier_run_past_a_page_of_others() {
    let s = shas();
    let fork = "contributor/api";
    let this = R::new(RUN, 17, "pull_request", "main", &s[50]).from(fork);
    let mut earlier = vec![(
        R::new(RUN - 100, 9, "pull_request", "main", &s[44]).from(fork),
        "success",
    )];
    for i in 0..6 {
        earlier.push((
            R::new(RUN - 90 + i, 10 + i, "pull_request", "main", &s[20]).from("other/api"),
            "success",
        ));
    }
    // Our own main's pushes are not this pull request's lineage either.
    earlier.push((R::new(RUN - 50, 16, "push", "main", &s[46]), "success"));
    let sei = sei();
    let gh = github(&this, &earlier, false, &|g| g);
    let (p, log) = report(&outside(&gh, &sei, &this), &sei);
    assert_eq!(p["scm_commit_ids"], newest_first(45, 50));
    assert_eq!(p["branch_name"], "contributor:main");
    assert_eq!((&p["ci"], &p["cd"]), (&json!(true), &json!(false)));
    assert_eq!(
        p["trigger_chain"],
        json!([{"id": "SCMTrigger", "type": "SCMTriggerCause"}]),
        "a fork's pull request is not in the run's list: no number in Mode 1"
    );
    assert_eq!(
        line(&log, "Commits:"),
        format!(
            "Commits: 6 reported, from since run #9 ({} to {}, 6 commit(s)).",
            &s[44][..7],
            &s[50][..7]
        )
    );
    assert!(warnings(&log).is_empty(), "{log}");
    let runs = asked(&gh, "/actions/workflows/build.yml/runs");
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert!(runs[0].contains("&event=pull_request&") && runs[0].ends_with("&page=1"));
    assert!(runs[1].ends_with("&page=2"), "{runs:?}");
}

/// The bound: when five pages hold only others' runs, the reporter stops, says so, and reports
/// the head commit.
#[test]
fn the_search_for_a_previous_success_is_bounded() {
    let s = shas();
    let fork = "contributor/api";
    let this = R::new(RUN, 40, "pull_request", "main", &s[50]).from(fork);
    let earlier: Vec<(R, &str)> = (0..26)
        .map(|i| {
            (
                R::new(RUN - 90 + i, 1 + i, "pull_request", "main", &s[20]).from("other/api"),
                "success",
            )
        })
        .collect();
    let sei = sei();
    let gh = github(&this, &earlier, false, &|g| g);
    let (p, log) = report(&outside(&gh, &sei, &this), &sei);
    assert_eq!(p["scm_commit_ids"], json!([s[50]]));
    assert_eq!(asked(&gh, "/actions/workflows/build.yml/runs").len(), 5);
    let w = warnings(&log);
    assert_eq!(w.len(), 1, "{log}");
    assert!(
        w[0].contains(
            "none of the newest 25 successful `pull_request` runs of this workflow on `main` is \
             an earlier one of this run's own"
        ),
        "{}",
        w[0]
    );
}

/// The tag push `v1.2.0` of a release workflow that runs for `main` and `v*` tags: the
/// previous tag's run (`v1.1.0`) is the base, not the newer `main` run nor the `v2.x` branch's;
/// `branch_name` is the tag (Mode 1 asks GitHub's refs whether `v1.2.0` is a tag); a tag push
/// hints at a release, and nothing contradicts it: CD.
#[test]
fn a_tag_push_reports_the_commits_since_the_previous_tag() {
    let s = shas();
    let release = |r: R| r.workflow("Release", "release.yml");
    let this = release(R::new(RUN, 20, "push", "v1.2.0", &s[50]));
    let earlier = [
        (
            release(R::new(RUN - 100, 12, "push", "v1.0.0", &s[10])),
            "success",
        ),
        (
            release(R::new(RUN - 90, 15, "push", "v1.1.0", &s[30])),
            "success",
        ),
        (
            release(R::new(RUN - 80, 17, "push", "v2.x", &s[35])),
            "success",
        ),
        (
            release(R::new(RUN - 70, 19, "push", "main", &s[48])),
            "success",
        ),
    ];
    let tags = |g: GitHub| {
        g.tag(REPO, "v1.0.0", &shas()[10])
            .tag(REPO, "v1.1.0", &shas()[30])
            .tag(REPO, "v1.2.0", &shas()[50])
    };
    let own = json!({"ref": "refs/tags/v1.2.0", "before": "0".repeat(40), "after": s[50],
                     "commits": [], "repository": {"full_name": REPO, "default_branch": "main"}});
    let (p, log, p1, log1, gh2, gh1) = both_ways(&this, &earlier, &own, &tags);
    assert_eq!(p["scm_commit_ids"], newest_first(31, 50));
    assert_eq!(p["branch_name"], "refs/tags/v1.2.0");
    assert_eq!((&p["ci"], &p["cd"]), (&json!(false), &json!(true)));
    assert_eq!(p1["result"], "SUCCESS");
    assert_eq!(
        line(&log, "Commits:"),
        format!(
            "Commits: 20 reported, from since the tag `v1.1.0` (run #15, {} to {}, 20 commit(s)).",
            &s[30][..7],
            &s[50][..7]
        )
    );
    assert_eq!(
        line(&log1, "Reported as"),
        "Reported as CD (the run is for a tag, and nothing in the run says otherwise)."
    );
    // Mode 2 knows the tag from its event and asks only for the family's tags; Mode 1 asks
    // whether the head is a tag, then for the family's.
    assert_eq!(
        asked(&gh2, "/git/"),
        [format!("/repos/{REPO}/git/matching-refs/tags/v")]
    );
    assert_eq!(
        asked(&gh1, "/git/"),
        [
            format!("/repos/{REPO}/git/matching-refs/tags/v1.2.0"),
            format!("/repos/{REPO}/git/matching-refs/tags/v")
        ]
    );
    // The tag's runs are looked up by event, not by branch. Mode 1 first asked, from the hint,
    // as for a branch (most pushes are), then as for a tag once the refs said so.
    let runs = asked(&gh2, "/actions/workflows/release.yml/runs");
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert!(!runs[0].contains("branch="), "{runs:?}");
    let runs = asked(&gh1, "/actions/workflows/release.yml/runs");
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert!(runs[0].contains("&branch=v1.2.0&") && !runs[1].contains("branch="));
    assert!(
        warnings(&log).is_empty() && warnings(&log1).is_empty(),
        "{log}\n{log1}"
    );
}

/// A branch named like a version (`v2.x`) pushed: not a tag (GitHub's refs say so), so its
/// branch, its branch's previous success, and CI.
#[test]
fn a_branch_that_looks_like_a_tag_stays_a_branch() {
    let s = shas();
    let this = R::new(RUN, 20, "push", "v2.x", &s[50]);
    let earlier = [(R::new(RUN - 100, 12, "push", "v2.x", &s[47]), "success")];
    let own = json!({"ref": "refs/heads/v2.x", "after": s[50]});
    let (p, _, _, log1, _, gh1) = both_ways(&this, &earlier, &own, &|g| {
        g.tag(REPO, "v2.0.0", &shas()[40])
    });
    assert_eq!(p["branch_name"], "v2.x");
    assert_eq!(p["scm_commit_ids"], newest_first(48, 50));
    assert_eq!((&p["ci"], &p["cd"]), (&json!(true), &json!(false)));
    assert_eq!(
        asked(&gh1, "/git/"),
        [format!("/repos/{REPO}/git/matching-refs/tags/v2.x")]
    );
    assert_eq!(
        line(&log1, "Reported as"),
        "Reported as CI (no evidence of a deployment)."
    );
}

/// A release published for `v1.2.0`: the previous release's run (`v1.1.0`) is the base; a
/// release event is CD; no refs look-up is needed (a release is always a tag).
#[test]
fn a_release_reports_the_commits_since_the_previous_release() {
    let s = shas();
    let publish = |r: R| r.workflow("Publish", "publish.yml");
    let this = publish(R::new(RUN, 8, "release", "v1.2.0", &s[50]));
    let earlier = [
        (
            publish(R::new(RUN - 100, 6, "release", "v1.1.0", &s[30])),
            "success",
        ),
        // The same release edited and published again: the same tag, not a previous one.
        (
            publish(R::new(RUN - 90, 7, "release", "v1.2.0", &s[50])),
            "success",
        ),
    ];
    let own = json!({"action": "published", "release": {"tag_name": "v1.2.0", "target_commitish": "main"},
                     "repository": {"full_name": REPO, "default_branch": "main"}});
    let (p, log, _, _, gh2, gh1) = both_ways(&this, &earlier, &own, &|g| g);
    assert_eq!(p["scm_commit_ids"], newest_first(31, 50));
    assert_eq!(p["branch_name"], "refs/tags/v1.2.0");
    assert_eq!((&p["ci"], &p["cd"]), (&json!(false), &json!(true)));
    assert_eq!(
        line(&log, "Reported as"),
        "Reported as CD (a `release` event)."
    );
    assert!(line(&log, "Commits:").contains("since the tag `v1.1.0` (run #6, "));
    assert!(asked(&gh2, "/git/").is_empty() && asked(&gh1, "/git/").is_empty());
    // A release is CD already; its head commit's deployments are still read (the
    // `deployed_to:` parameters; a deployment's commits would count from the previous one):
    // none, so the commits count from the previous release.
    assert_eq!(asked(&gh1, "/deployments").len(), 1);
}

/// A merge queue's run (`gh-readonly-queue/main/pr-42-<base>`): the commits since the last
/// success on `main`, the branch it merges into; `branch_name` is `main`; never CD by its name.
#[test]
fn a_merge_queue_counts_from_the_last_success_on_its_base_branch() {
    let s = shas();
    let queue = format!("gh-readonly-queue/main/pr-42-{}", s[45]);
    let this = R::new(RUN, 27, "merge_group", &queue, &s[50])
        .workflow("Deploy checks", "deploy-checks.yml");
    let earlier = [
        (
            R::new(RUN - 100, 25, "push", "main", &s[40])
                .workflow("Deploy checks", "deploy-checks.yml"),
            "success",
        ),
        // An earlier group of the queue: another temporary branch.
        (
            R::new(
                RUN - 90,
                26,
                "merge_group",
                &format!("gh-readonly-queue/main/pr-41-{}", s[38]),
                &s[44],
            )
            .workflow("Deploy checks", "deploy-checks.yml"),
            "success",
        ),
    ];
    let own = json!({"action": "checks_requested", "merge_group": {"head_sha": s[50], "head_ref": format!("refs/heads/{queue}"),
                     "base_sha": s[45], "base_ref": "refs/heads/main"}});
    let (p, log, _, _, _, gh1) = both_ways(&this, &earlier, &own, &|g| g);
    assert_eq!(p["scm_commit_ids"], newest_first(41, 50));
    assert_eq!(p["branch_name"], "main");
    assert_eq!((&p["ci"], &p["cd"]), (&json!(true), &json!(false)));
    assert_eq!(
        line(&log, "Commits:"),
        format!(
            "Commits: 10 reported, from since run #25 on `main` ({} to {}, 10 commit(s)).",
            &s[40][..7],
            &s[50][..7]
        )
    );
    assert_eq!(
        line(&log, "Reported as"),
        "Reported as CI (the workflow's name says `deploy`, but a `merge_group` run is never a \
         deployment by a hint alone)."
    );
    let runs = asked(&gh1, "/actions/workflows/deploy-checks.yml/runs");
    assert!(runs[0].contains("&branch=main&event=push&"), "{runs:?}");
}

/// A merge queue on a branch the workflow never ran on: the group's own range, from the commit
/// the queue starts at (named in the queue's branch).
#[test]
fn a_merge_queue_without_an_earlier_success_reports_its_own_range() {
    let s = shas();
    let queue = format!("gh-readonly-queue/main/pr-42-{}", s[45]);
    let this = R::new(RUN, 30, "merge_group", &queue, &s[50]);
    let own = json!({"merge_group": {"head_sha": s[50], "base_sha": s[45], "base_ref": "refs/heads/main"}});
    let (p, log, ..) = both_ways(&this, &[], &own, &|g| g);
    assert_eq!(p["scm_commit_ids"], newest_first(46, 50));
    assert_eq!(
        line(&log, "Commits:"),
        format!(
            "Commits: 5 reported, from the merge queue's range from `main` at {} to {} (5 \
             commit(s)): no earlier successful `push` run of this workflow on `main`, the branch \
             the merge queue merges into.",
            &s[45][..7],
            &s[50][..7]
        )
    );
}

// ---------------------------------------------------------------------------------------------
// CI or CD

fn deployment(id: u64, sha: &str, env: &str, created: &str, run_id: u64) -> (Value, Vec<Value>) {
    let url = format!("https://github.com/{REPO}/actions/runs/{run_id}/job/{ME}");
    (
        json!({"id": id, "sha": sha, "ref": "main", "environment": env, "created_at": created,
               "creator": {"login": "github-actions[bot]"}}),
        vec![json!({"state": "success", "environment": env, "log_url": url, "target_url": url})],
    )
}

/// A documentation preview deployed from a pull request to a `pr-42` environment: the name says
/// deploy, but a pull request is never a deployment by its name, and `pr-42` does not count.
#[test]
fn a_preview_deployed_from_a_pull_request_is_ci() {
    let s = shas();
    let mut this = R::new(RUN, 17, "pull_request", "docs/typo", &s[50])
        .workflow("Deploy docs preview", "docs-preview.yml");
    this.pull_requests = json!([{"number": 42, "head": {"ref": "docs/typo", "sha": s[50]}, "base": {"ref": "main", "sha": s[40]}}]);
    let (d, st) = deployment(501, &s[50], "pr-42", "2024-12-17T17:12:30Z", RUN);
    let own = json!({"pull_request": {"number": 42, "head": {"sha": s[50], "repo": {"full_name": REPO}},
                                      "base": {"sha": s[40], "repo": {"full_name": REPO}}}});
    let (p, log, ..) = both_ways(&this, &[], &own, &move |g| {
        g.deployment(REPO, d.clone(), st.clone())
    });
    assert_eq!((&p["ci"], &p["cd"]), (&json!(true), &json!(false)));
    assert_eq!(p["branch_name"], "docs/typo");
    assert_eq!(
        p["trigger_chain"],
        json!([{"id": "SCMTrigger", "type": "SCMTriggerCause", "pull_request": 42}])
    );
    assert_eq!(
        line(&log, "Reported as"),
        "Reported as CI (the workflow's name says `deploy`, but a `pull_request` run is never a \
         deployment by a hint alone; deployed only to `pr-42`, which `cd-environments` does not \
         count)."
    );
}

/// A build that declares the image it pushed and also deployed it to production: CI and CD
/// (the deployments are looked up although an artifact is declared).
#[test]
fn a_build_that_also_deployed_is_ci_and_cd() {
    let s = shas();
    let this = R::new(RUN, 17, "push", "main", &s[50]);
    let (d, st) = deployment(502, &s[50], "production", "2024-12-17T17:12:30Z", RUN);
    let own = json!({"ref": "refs/heads/main", "after": s[50]});
    let more = move |g: GitHub| g.deployment(REPO, d.clone(), st.clone());
    let sei = sei();
    for inside_run in [true, false] {
        let gh = github(&this, &[], inside_run, &more);
        let mut env = if inside_run {
            inside(&gh, &sei, &this, &own)
        } else {
            outside(&gh, &sei, &this)
        };
        env.input("artifacts", "output container ghcr.io/acme/api@sha256:4f1c3b9e2d8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e");
        let (p, log) = report(&env, &sei);
        assert_eq!((&p["ci"], &p["cd"]), (&json!(true), &json!(true)));
        assert_eq!(
            line(&log, "Reported as"),
            "Reported as CI and CD (declared artifacts: 0 input(s), 1 output(s); deployed to \
             `production`)."
        );
        let stage = p["job_run"]["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"].as_str().and_then(|i| i.parse().ok()) == Some(ME))
            .unwrap();
        assert!(stage["displayDescription"]
            .as_str()
            .unwrap()
            .starts_with("deployed to production · "));
    }
}

/// A "Deploy" workflow that published only to GitHub Pages: not a deployment of the product by
/// default; with `cd-environments: '*'` every environment counts.
#[test]
fn cd_environments_decide_which_deployments_count() {
    let s = shas();
    let this = R::new(RUN, 17, "push", "main", &s[50]).workflow("Deploy", "deploy.yml");
    let (d, st) = deployment(503, &s[50], "github-pages", "2024-12-17T17:12:30Z", RUN);
    let own = json!({"ref": "refs/heads/main", "after": s[50]});
    let more = move |g: GitHub| g.deployment(REPO, d.clone(), st.clone());
    let (p, log, ..) = both_ways(&this, &[], &own, &more);
    assert_eq!((&p["ci"], &p["cd"]), (&json!(true), &json!(false)));
    assert_eq!(
        line(&log, "Reported as"),
        "Reported as CI (the workflow's name says `deploy`, but it deployed only to \
         `github-pages`, which `cd-environments` does not count)."
    );
    let sei = sei();
    let gh = github(&this, &[], false, &more);
    let mut env = outside(&gh, &sei, &this);
    env.input("cd-environments", "*");
    let (p, log) = report(&env, &sei);
    assert_eq!((&p["ci"], &p["cd"]), (&json!(false), &json!(true)));
    assert_eq!(
        line(&log, "Reported as"),
        "Reported as CD (deployed to `github-pages`)."
    );
}

/// Release tooling and a lint workflow in `cd-lint.yml`, on pushes to `main`: CI.
#[test]
fn release_tooling_and_a_cd_lint_file_are_ci() {
    let s = shas();
    let own = json!({"ref": "refs/heads/main", "after": s[50]});
    for (name, file, why) in [
        (
            "release-please",
            "release-please.yml",
            "no evidence of a deployment",
        ),
        (
            "Release Drafter",
            "release-drafter.yml",
            "no evidence of a deployment",
        ),
        (
            "Pre-release checks",
            "prerelease.yml",
            "no evidence of a deployment",
        ),
        (
            "Lint",
            "cd-lint.yml",
            "the workflow's name says `cd`, but it also says `lint`",
        ),
    ] {
        let this = R::new(RUN, 17, "push", "main", &s[50]).workflow(name, file);
        let (p, log, ..) = both_ways(&this, &[], &own, &|g| g);
        assert_eq!(
            (&p["ci"], &p["cd"]),
            (&json!(true), &json!(false)),
            "{name}"
        );
        assert_eq!(
            line(&log, "Reported as"),
            format!("Reported as CI ({why})."),
            "{name}"
        );
    }
}

/// `deployment_status` runs react to a deployment (tests against the preview): CI. A
/// `deployment` run deploys: CD when its environment counts, CI for a review app; reported from
/// another workflow, the environment comes from the deployment that started the run.
#[test]
fn deployment_and_deployment_status_events() {
    let s = shas();
    let e2e =
        R::new(RUN, 17, "deployment_status", "main", &s[50]).workflow("E2E on preview", "e2e.yml");
    let own = json!({"deployment_status": {"state": "success"}, "deployment": {"id": 601, "environment": "preview"}});
    let (p, log, ..) = both_ways(&e2e, &[], &own, &|g| g);
    assert_eq!((&p["ci"], &p["cd"]), (&json!(true), &json!(false)));
    assert_eq!(
        line(&log, "Reported as"),
        "Reported as CI (a `deployment_status` run reacts to a deployment, it is not one)."
    );

    for (env, ci, cd, why) in [
        (
            "production",
            false,
            true,
            "a `deployment` event to `production`",
        ),
        (
            "pr-7",
            true,
            false,
            "a `deployment` event to `pr-7`, which `cd-environments` does not count",
        ),
    ] {
        let ship = R::new(RUN, 18, "deployment", "main", &s[50]).workflow("Ship", "ship.yml");
        // The deployer created the deployment a second before GitHub started the run.
        let d = json!({"id": 602, "sha": s[50], "ref": "main", "environment": env,
                       "created_at": "2024-12-18T17:11:24Z", "creator": {"login": "chatops-bot"}});
        let own = json!({"deployment": {"id": 602, "environment": env, "sha": s[50]}});
        let (p, log, ..) = both_ways(&ship, &[], &own, &move |g| {
            g.deployment(REPO, d.clone(), vec![])
        });
        assert_eq!((&p["ci"], &p["cd"]), (&json!(ci), &json!(cd)), "{env}");
        assert_eq!(
            line(&log, "Reported as"),
            format!("Reported as {} ({why}).", if cd { "CD" } else { "CI" })
        );
        assert_eq!(
            p["trigger_chain"],
            json!([{"id": "deployment", "type": "RemoteCause"}])
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The run you are in: continue-on-error

/// The recorded run's workflow file, as it could read: `tests` is a matrix over three systems,
/// and the Windows leg may fail.
const BUILD_YML: &str = r#"name: Build
on:
  push:
    branches: [main]
  pull_request:
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@v4
      - run: npm ci && npm run build
  tests:
    strategy:
      fail-fast: false
      matrix:
        os: [ubuntu-latest, windows-latest, macos-latest]
    runs-on: ${{ matrix.os }}
    continue-on-error: CONTINUE
    steps:
      - uses: actions/checkout@v4
      - run: npm test
  otel-cicd:
    needs: [build, tests]
    if: always()
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: ./
"#;

/// The run in progress with its `tests (windows-latest)` job failed, reported from inside.
fn windows_failed(continue_on_error: Option<&str>, forbid: bool) -> (Value, String, Server) {
    let s = shas();
    let this = R::new(RUN, 17, "push", "main", &s[50]);
    let (mut run, mut jobs) = this.in_progress();
    jobs[2]["conclusion"] = json!("failure");
    let mut gh = GitHub::new()
        .token(GH_TOKEN)
        .history(REPO, s.clone())
        .run(REPO, run.take(), jobs);
    if let Some(c) = continue_on_error {
        gh = gh.file(
            REPO,
            ".github/workflows/build.yml",
            &s[50],
            &BUILD_YML.replace("CONTINUE", c),
        );
    }
    if forbid {
        gh = gh.forbid("/contents/");
    }
    let gh = gh.start();
    let sei = sei();
    let own = json!({"ref": "refs/heads/main", "after": s[50]});
    let (p, log) = report(&inside(&gh, &sei, &this, &own), &sei);
    (p, log, gh)
}

#[test]
fn a_failed_job_that_may_fail_does_not_fail_the_run_reported_from_inside() {
    let (p, log, gh) = windows_failed(Some("${{ matrix.os == 'windows-latest' || true }}"), false);
    // An expression: the reporter cannot evaluate it, says so, and counts the failure.
    assert_eq!(p["result"], "FAILURE");
    let w = warnings(&log);
    assert_eq!(w.len(), 1, "{log}");
    assert!(
        w[0].contains(
            "could not tell whether the failed job(s) `tests (windows-latest)` (its \
         `continue-on-error` is `${{ matrix.os == 'windows-latest' || true }}`) may fail"
        ),
        "{}",
        w[0]
    );
    assert_eq!(asked(&gh, "/contents/").len(), 1);

    let (p, log, gh) = windows_failed(Some("true"), false);
    assert_eq!(p["result"], "SUCCESS", "{log}");
    let windows = p["job_run"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["displayName"] == "tests (windows-latest)")
        .unwrap();
    assert_eq!(windows["result"], "FAILURE", "the stage is as it ran");
    let s = shas();
    assert_eq!(
        line(&log, "The failed job(s)"),
        format!(
            "The failed job(s) `tests (windows-latest)` may fail (`continue-on-error: true` in \
             `.github/workflows/build.yml` at {}): GitHub does not count them against the run, \
             and neither does the result reported.",
            &s[50][..7]
        )
    );
    assert!(warnings(&log).is_empty(), "{log}");
    assert_eq!(
        asked(&gh, "/contents/"),
        [format!(
            "/repos/{REPO}/contents/.github/workflows/build.yml?ref={}",
            s[50]
        )]
    );

    let (p, log, _) = windows_failed(Some("false"), false);
    assert_eq!(p["result"], "FAILURE");
    assert!(line(&log, "The failed job(s)").starts_with(
        "The failed job(s) `tests (windows-latest)` fail the run (no `continue-on-error: true` in"
    ));
}

#[test]
fn a_matrix_expression_is_told_for_the_leg_that_failed() {
    // `continue-on-error: ${{ matrix.os == 'windows-latest' }}`: the Windows leg may fail.
    let s = shas();
    let (p, log, _) = windows_failed(Some("${{ matrix.os == 'windows-latest' }}"), false);
    assert_eq!(p["result"], "SUCCESS", "{log}");
    assert_eq!(
        line(&log, "The failed job"),
        format!(
            "The failed job `tests (windows-latest)` may fail (`continue-on-error: ${{{{ \
             matrix.os == 'windows-latest' }}}}` in `.github/workflows/build.yml` at {} is true \
             for its matrix leg): GitHub does not count it against the run, and neither does \
             the result reported.",
            &s[50][..7]
        )
    );
    assert!(warnings(&log).is_empty(), "{log}");

    // Only the macOS leg may fail: the Windows failure fails the run.
    let (p, log, _) = windows_failed(Some("${{ matrix.os == 'macos-latest' }}"), false);
    assert_eq!(p["result"], "FAILURE", "{log}");
    assert!(
        line(&log, "The failed job")
            .contains("fails the run (`continue-on-error: ${{ matrix.os == 'macos-latest' }}`"),
        "{log}"
    );
}

#[test]
fn without_contents_read_the_reporter_says_it_cannot_tell() {
    let (p, log, _) = windows_failed(Some("true"), true);
    assert_eq!(p["result"], "FAILURE");
    let w = warnings(&log);
    assert_eq!(w.len(), 1, "{log}");
    assert!(
        w[0].contains("could not tell whether the failed job(s) `tests (windows-latest)` may fail"),
        "{}",
        w[0]
    );
    assert!(
        w[0].contains("403") && w[0].contains("`contents: read`"),
        "{}",
        w[0]
    );
}

#[test]
fn no_failed_job_no_workflow_file_read() {
    let s = shas();
    let this = R::new(RUN, 17, "push", "main", &s[50]);
    let gh = github(&this, &[], true, &|g| g);
    let sei = sei();
    let (p, log) = report(
        &inside(
            &gh,
            &sei,
            &this,
            &json!({"ref": "refs/heads/main", "after": s[50]}),
        ),
        &sei,
    );
    assert_eq!(p["result"], "SUCCESS");
    assert!(asked(&gh, "/contents/").is_empty(), "{log}");
    assert!(!log.contains("continue-on-error"), "{log}");
}
