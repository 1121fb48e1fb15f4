//! The `verify` command: proof that the runs landed. SEI answers a report 202 before it
//! processes it, and can still drop it later without a word (an instance without an
//! integration, a stage its processing rejects); `verify` reads back what SEI stored and holds it
//! against GitHub's run attempts of a window, per repository and workflow.
//!
//! 1. the key: `jobs/list`, which any key may read, tells a wrong key from one whose role may
//!    not list runs ([`stored`]); the instance is checked as `backfill` checks it;
//! 2. GitHub: the repositories and window of `backfill`'s selection, each repository's workflows
//!    and completed runs (the same listing, [`crate::backfill::listing`]), earlier attempts of a
//!    re-run read one by one; what each attempt's report says in SEI's terms (job, build number,
//!    result, start, duration) comes from the mapping itself ([`crate::map::payload`]), so it is
//!    what `report` and `backfill` send;
//! 3. SEI: the runs of those jobs started since the window's start ([`stored`]);
//! 4. the comparison ([`compare`]) and, with `--repair`, each missing attempt sent again through
//!    the pipeline `report` and `backfill` use (fetch, [`crate::pipeline`]);
//! 5. the table, the job summary and `--json` ([`output`]).
//!
//! Exit code: 0 when every attempt is stored as sent (after `--repair`, also when every missing
//! one was sent again and SEI took it), 1 when something is missing or different (or could not
//! be read), 2 for bad inputs, a key SEI refuses included.

pub(crate) mod compare;
pub(crate) mod output;
pub(crate) mod stored;

use crate::args::VerifyArgs;
use crate::backfill::state::{self, Outcome, State};
use crate::backfill::{listing, select};
use crate::clients::{Clients, GitHubUse};
use crate::command::{Command, Context, Tokens};
use crate::config::verify::Verify;
use crate::config::InputError;
use crate::env::RunnerEnv;
use crate::github::client::GitHub;
use crate::github::fetch;
use crate::github::source::Source;
use crate::map;
use crate::model::{Lookups, Repo, Run, RunData};
use crate::model::{RunRef, RunSource};
use crate::pipeline;
use crate::retry::SystemClock;
use crate::runner::{Level, Runner};
use compare::{Expected, Stored, Verdict};
use futures_util::stream::{self, StreamExt};
use output::{Findings, Repair};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// Repositories read at once, and requests in flight to GitHub.
const CONCURRENCY: usize = 4;

impl Command for VerifyArgs {
    type Settings = Verify;
    const NAME: &'static str = "verify";

    fn tokens(&self) -> Tokens<'_> {
        Tokens {
            sei: &self.sei,
            github: Some(&self.github),
        }
    }

    fn load(&self, cx: &Context) -> Result<(Verify, Vec<String>), Vec<InputError>> {
        let mut cfg = crate::config::verify::load(self, cx.env, chrono::Utc::now())?;
        let warnings = std::mem::take(&mut cfg.warnings);
        Ok((cfg, warnings))
    }

    async fn run(&self, cfg: Verify, cx: &Context<'_>) -> u8 {
        verify(&cfg, cx.env, &cx.runner).await
    }
}

async fn verify(cfg: &Verify, env: &RunnerEnv, runner: &Runner) -> u8 {
    let d = &cfg.delivery;
    let (gh, sei) = match clients(cfg, runner) {
        Ok(c) => c,
        Err(e) => {
            runner.error(&e);
            return 1;
        }
    };
    // The key first: nothing else is worth reading if SEI will not answer it.
    if let Err(e) = stored::check_key(&sei, d).await {
        runner.error(e.message());
        return if matches!(e, stored::ReadError::Key(_)) {
            2
        } else {
            1
        };
    }
    let guid = &cfg.send.mapping.instance_guid;
    let instance = crate::delivery::check_instance(d, &sei, guid, runner).await;
    let instance_problem = match instance {
        crate::sei::Instance::Unknown => Some(format!(
            "input `instance-guid` is `{guid}`, which SEI at {} does not know: SEI stores no \
             run of it (it answers a report 202 and drops it). Use the id of a CI/CD instance of \
             this SEI account and region",
            d.sei_base
        )),
        crate::sei::Instance::NoIntegration => Some(format!(
            "input `instance-guid` is `{guid}`, a CI/CD instance with no integration attached in \
             SEI at {}: SEI stores no run of it (it answers a report 202 and drops it). Attach \
             the instance to a custom CI/CD integration in SEI",
            d.sei_base
        )),
        _ => None,
    };
    if let Some(why) = &instance_problem {
        runner.error(why);
    }
    let state = match &cfg.state {
        Some(path) => match State::read(path) {
            Ok(s) => Some(s),
            Err(e) => {
                runner.error(&e);
                return 2;
            }
        },
        None => None,
    };

    // GitHub's attempts.
    let installation = select::is_installation_token(cfg.github.token.expose());
    let repos = match select::repositories(&gh, &cfg.select, installation).await {
        Ok(r) => r,
        Err(e) => {
            runner.error(&e);
            return 1;
        }
    };
    runner.info(&format!(
        "Verifying {} ({}): completed runs created from {} to {}",
        match repos.chosen.len() {
            1 => "1 repository".to_owned(),
            n => format!("{n} repositories"),
        },
        repos.source,
        crate::time::stamp(cfg.select.since),
        crate::time::stamp(cfg.select.until),
    ));
    let unread = RefCell::new(Vec::new());
    let mut expected: Vec<Expected> = stream::iter(repos.chosen)
        .map(|repo| {
            let (gh, unread) = (&gh, &unread);
            async move {
                match repository(gh, cfg, &repo).await {
                    Ok(list) => list,
                    Err(e) => {
                        unread.borrow_mut().push(e);
                        Vec::new()
                    }
                }
            }
        })
        .buffer_unordered(CONCURRENCY)
        .flat_map(stream::iter)
        .collect()
        .await;
    expected.sort_by(|a, b| {
        (&a.repository, &a.workflow, a.run_id, a.attempt).cmp(&(
            &b.repository,
            &b.workflow,
            b.run_id,
            b.attempt,
        ))
    });
    if let Some(st) = &state {
        for e in &mut expected {
            e.delivered = Some(st.delivered(&state::key(&e.repository, e.run_id, e.attempt)));
        }
    }
    let mut unread = unread.into_inner();

    // What SEI stored of those jobs.
    let mut names: Vec<String> = expected.iter().map(|e| e.qualified_name.clone()).collect();
    names.sort();
    names.dedup();
    let from = cfg.select.since - chrono::Duration::seconds(1);
    let to = cfg.now + chrono::Duration::seconds(60);
    let mut records = Vec::new();
    for chunk in names.chunks(stored::NAMES_PER_QUERY) {
        match stored::runs(&sei, d, chunk, from, to).await {
            Ok(r) => records.extend(r),
            Err(e) => {
                runner.error(e.message());
                return if matches!(e, stored::ReadError::Key(_)) {
                    2
                } else {
                    1
                };
            }
        }
    }
    let stored: Vec<Stored> = records
        .into_iter()
        .filter_map(|r| {
            let start = r.start_time?;
            Some(Stored {
                instance_guid: r.cicd_instance_guid.unwrap_or_default(),
                qualified_name: r.job_normalized_full_name.unwrap_or_default(),
                build_number: r.job_run_number?,
                result: r.status.unwrap_or_default(),
                start_ms: start,
                end_ms: r.end_time.unwrap_or(start + r.duration.unwrap_or(0) * 1000),
            })
        })
        .collect();
    let verdicts = compare::compare(&expected, &stored, guid);

    // --repair: what is missing, through the same pipeline.
    let mut repairs = BTreeMap::new();
    if cfg.repair {
        let missing: Vec<usize> = verdicts
            .iter()
            .enumerate()
            .filter(|(_, v)| **v == Verdict::Missing)
            .map(|(i, _)| i)
            .collect();
        if let Some(why) = &instance_problem {
            if !missing.is_empty() {
                unread.push(format!("--repair sent nothing: {why}"));
            }
        } else if !missing.is_empty() {
            runner.info(&format!(
                "Sending again {} missing run attempt(s)",
                missing.len()
            ));
            let mut st = match &cfg.state {
                Some(path) => match State::open(path) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        runner.warning(&e);
                        None
                    }
                },
                None => None,
            };
            let place = crate::keep::place_or_temp(env);
            let done: Vec<(usize, Repair)> = stream::iter(missing)
                .map(|i| {
                    let (gh, sei, place, e) = (&gh, &sei, &place, &expected[i]);
                    async move { (i, resend(gh, sei, cfg, place, e, runner).await) }
                })
                .buffer_unordered(CONCURRENCY)
                .collect()
                .await;
            for (i, r) in done {
                if let (Some(st), Repair::Taken) = (&mut st, &r) {
                    let e = &expected[i];
                    let k = state::key(&e.repository, e.run_id, e.attempt);
                    if let Err(err) = st.record(k, Outcome::Delivered) {
                        runner.warning(&format!("could not write the state file (`state`): {err}"));
                    }
                }
                repairs.insert(i, r);
            }
        }
    }

    let findings = Findings {
        since: cfg.select.since,
        until: cfg.select.until,
        instance_guid: guid,
        expected: &expected,
        verdicts: &verdicts,
        repairs: &repairs,
        unread: &unread,
    };
    if cfg.json {
        println!(
            "{}",
            runner.redact(
                &serde_json::to_string_pretty(&output::document(&findings)).unwrap_or_default()
            )
        );
    } else {
        runner.data("SEI verify", &output::table(&findings));
    }
    let t = findings.totals();
    let line = format!(
        "{} run attempt(s): {} stored as sent, {} missing, {} different{}",
        t.counts.attempts,
        t.counts.stored,
        t.counts.missing,
        t.counts.different,
        if cfg.repair {
            format!("; {} sent again and taken by SEI", t.repaired)
        } else {
            String::new()
        }
    );
    if let Err(e) = runner.append_summary(&output::markdown(&findings)) {
        runner.warning(&format!(
            "could not write the job summary (GITHUB_STEP_SUMMARY): {e}"
        ));
    }
    if findings.all_stored() {
        runner.info(&format!("{line}."));
        0
    } else {
        runner.error(&format!(
            "{line}{}",
            if cfg.repair || t.counts.missing == 0 {
                ""
            } else {
                " (--repair sends the missing ones again)"
            }
        ));
        for u in &unread {
            runner.error(u);
        }
        1
    }
}

/// The GitHub client (retries said in the log, `CONCURRENCY` requests in flight) and SEI's.
fn clients(cfg: &Verify, runner: &Runner) -> Result<(GitHub, reqwest::Client), String> {
    let clients = Clients::new(&cfg.delivery)?;
    let say = runner.clone();
    let using = GitHubUse {
        access: &cfg.github,
        token: &cfg.github.token,
        policy: cfg.delivery.policy,
        clock: SystemClock::start(),
        in_flight: CONCURRENCY,
    };
    let gh = clients.github(using, move |m| say.info(m))?;
    Ok((gh, clients.sei))
}

/// Every completed attempt of `repo`'s runs in the window, as its report says it in SEI.
async fn repository(gh: &GitHub, cfg: &Verify, repo: &Repo) -> Result<Vec<Expected>, String> {
    let h = gh.handle(SystemClock::start());
    // Every page, as a report reads them ([`crate::github::pages`]).
    let workflows = Source::workflows(&h, repo)
        .await
        .map_err(|e| format!("could not list the workflows of {repo}: {e}"))?;
    let targets: Vec<Option<u64>> = if cfg.select.workflows.is_empty() {
        vec![None]
    } else {
        select::workflows(&workflows, &cfg.select.workflows)
            .unwrap_or_default()
            .iter()
            .filter_map(|w| w.id)
            .map(Some)
            .collect()
    };
    let runs: RefCell<Vec<Run>> = RefCell::new(Vec::new());
    for workflow in targets {
        let q = listing::Query {
            workflow,
            branch: cfg.select.branch.clone(),
            event: cfg.select.event.clone(),
        };
        let visit = |chunk: listing::Chunk| -> futures_util::future::LocalBoxFuture<'_, ()> {
            runs.borrow_mut().extend(chunk.runs);
            Box::pin(async {})
        };
        listing::list(gh, repo, &q, cfg.select.since, cfg.select.until, &visit).await?;
    }
    // Earlier attempts of re-runs, read one by one (the listing shows the latest).
    let listed = runs.into_inner();
    let mut earlier = Vec::new();
    for run in &listed {
        let (Some(id), Some(latest)) = (run.id, run.run_attempt) else {
            continue;
        };
        for attempt in 1..latest {
            earlier.push(RunRef {
                repo: repo.clone(),
                id,
                attempt: Some(attempt),
                source: RunSource::Inputs,
            });
        }
    }
    let read: Vec<Result<Run, String>> = stream::iter(earlier)
        .map(|target| {
            let h = gh.handle(SystemClock::start());
            async move { h.run(&target).await.map_err(|e| e.to_string()) }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut all = listed;
    for r in read {
        all.push(r?);
    }
    let shape = pipeline::Shape {
        send: &cfg.send,
        repository: repo.to_string(),
        job_status: None,
    };
    let opts = pipeline::options(&shape);
    let mut data = RunData {
        run: Run::default(),
        jobs: Vec::new(),
        me: None,
        lookups: Lookups {
            workflows: Some(workflows),
            ..Lookups::default()
        },
    };
    let mut out = Vec::new();
    for run in all {
        if run.status.as_deref().is_some_and(|s| s != "completed") {
            continue;
        }
        let (Some(run_id), attempt) = (run.id, run.run_attempt.unwrap_or(1)) else {
            continue;
        };
        let workflow = map::workflow_name(run.name.as_deref(), run.path.as_deref());
        let url = run.html_url.clone().map(|u| match attempt {
            1 => u,
            n => format!("{u}/attempts/{n}"),
        });
        data.run = run;
        let p = map::payload(&data, None, &opts);
        out.push(Expected {
            repository: repo.to_string(),
            workflow,
            run_id,
            attempt,
            qualified_name: p.qualified_name,
            build_number: p.build_number,
            result: p.result,
            start_ms: p.start_time.max(0) as u64,
            duration_ms: p.duration.max(0) as u64,
            url,
            delivered: None,
        });
    }
    Ok(out)
}

/// Sends one missing attempt again, exactly as `backfill` reports it.
async fn resend(
    gh: &GitHub,
    sei: &reqwest::Client,
    cfg: &Verify,
    place: &crate::keep::Place,
    e: &Expected,
    runner: &Runner,
) -> Repair {
    let Some(repo) = Repo::parse(&e.repository) else {
        return Repair::Failed("not a repository".into());
    };
    let clock = SystemClock::start();
    let gh = gh.handle(clock.clone());
    let target = RunRef {
        repo: repo.clone(),
        id: e.run_id,
        attempt: Some(e.attempt),
        source: RunSource::Inputs,
    };
    let plan = fetch::Plan::new(&cfg.send);
    let log = runner.capture();
    let what = format!("{} run {} attempt {}", e.repository, e.run_id, e.attempt);
    let outcome = match fetch::fetch(&gh, &gh, &target, &plan).await {
        Err(why) => Repair::Failed(why.to_string()),
        Ok(data) => {
            let shape = pipeline::Shape {
                send: &cfg.send,
                repository: repo.to_string(),
                job_status: None,
            };
            match pipeline::build(data, None, &shape, &log) {
                Err(why) => Repair::Failed(why),
                Ok(built) => {
                    let route = pipeline::Route {
                        delivery: &cfg.delivery,
                        client: sei,
                        dry_run: false,
                        refused: None,
                    };
                    let keep = pipeline::Keep::UntilDelivered(place);
                    let (o, _) = pipeline::send(built, &route, keep, &log, &clock).await;
                    match o.status {
                        pipeline::Status::Delivered => Repair::Taken,
                        _ => Repair::Failed(o.detail),
                    }
                }
            }
        }
    };
    for (level, text) in log.take_lines() {
        match level {
            Some(Level::Error) => runner.info(&format!("{what}: error: {text}")),
            Some(Level::Warning) => runner.info(&format!("{what}: warning: {text}")),
            _ => {}
        }
    }
    outcome
}
