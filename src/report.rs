//! The `report` command, start to end: inputs, which run, GitHub's data, the payload, delivery,
//! then outputs and summary. The effects live here; the decisions live in the pure modules it
//! calls. Whatever fails, the step ends with its outputs written and, unless `fail-on-error`,
//! exit code 0: telemetry never breaks a user's build.

use crate::args::ReportArgs;
use crate::config::{self, Config};
use crate::delivery;
use crate::env::RunnerEnv;
use crate::event::{self, Event};
use crate::github::client::GitHub;
use crate::github::model::RunData;
use crate::github::{data_dir, fetch};
use crate::json;
use crate::map;
use crate::retry::SystemClock;
use crate::runner::Runner;
use crate::summary;
use crate::target::{self, Source};
use std::path::PathBuf;
use std::time::Instant;

/// How the report ended: the `status` output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Delivered,
    DryRun,
    Failed,
    Skipped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Delivered => "delivered",
            Status::DryRun => "dry-run",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
        }
    }
}

/// Everything the step tells the workflow afterwards.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: Status,
    pub result: Option<String>,
    pub execution_id: Option<String>,
    pub http_status: Option<u16>,
    pub payload_file: Option<PathBuf>,
    /// SEI's answer, or why nothing was sent.
    pub detail: String,
}

impl Outcome {
    fn new(status: Status, detail: impl Into<String>) -> Self {
        Outcome {
            status,
            result: None,
            execution_id: None,
            http_status: None,
            payload_file: None,
            detail: detail.into(),
        }
    }
}

/// Runs `report`; returns the process exit code.
pub fn run(args: &ReportArgs, env: &RunnerEnv) -> u8 {
    // The `timeout` deadline counts from here.
    let clock = SystemClock::start();
    let runner = Runner::new(env);
    let fail_on_error = config::fail_on_error(args);
    let outcome = match config::load(args, env) {
        Err(errors) => {
            for e in &errors {
                runner.error(&e.0);
            }
            Outcome::new(
                Status::Failed,
                format!("{} input(s) need fixing", errors.len()),
            )
        }
        Ok(cfg) => {
            runner.mask(&cfg.delivery.sei_token);
            runner.mask(&cfg.github_token);
            for w in &cfg.warnings {
                runner.warning(w);
            }
            match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt.block_on(report(&cfg, env, &runner, &clock)),
                Err(e) => {
                    runner.error(&format!("could not start: {e}"));
                    Outcome::new(Status::Failed, "could not start")
                }
            }
        }
    };
    finish(&runner, &outcome);
    if outcome.status == Status::Failed && fail_on_error {
        1
    } else {
        0
    }
}

/// Writes the outputs; a failure to write them is itself reported.
fn finish(runner: &Runner, o: &Outcome) {
    let outputs = [
        ("result", o.result.clone().unwrap_or_default()),
        ("execution-id", o.execution_id.clone().unwrap_or_default()),
        ("status", o.status.as_str().to_owned()),
        (
            "http-status",
            o.http_status.map(|c| c.to_string()).unwrap_or_default(),
        ),
        (
            "payload-file",
            o.payload_file
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        ),
    ];
    let stdout_taken = o.status == Status::DryRun && !runner.in_actions();
    if let Err(e) = runner.set_outputs(&outputs, stdout_taken) {
        runner.error(&format!(
            "could not write the step outputs (GITHUB_OUTPUT): {e}"
        ));
    }
}

async fn report(cfg: &Config, env: &RunnerEnv, runner: &Runner, clock: &SystemClock) -> Outcome {
    let started = Instant::now();

    // The event file: needed to find the run in `workflow_run` mode, useful otherwise.
    let event = match &env.event_path {
        Some(path) if cfg.github_data.is_none() => match event::load(path) {
            Ok(e) => Some(e),
            Err(why) => {
                if env.event_name.as_deref() == Some("workflow_run") && cfg.run_id.is_none() {
                    return fail(
                        runner,
                        format!(
                            "{why}: GITHUB_EVENT_PATH must point at the workflow_run event, \
                             or give the `run-id` input"
                        ),
                    );
                }
                runner.warning(&format!(
                    "{why} (GITHUB_EVENT_PATH): reporting without the event's details"
                ));
                None
            }
        },
        _ => None,
    };

    if !cfg.dry_run && cfg.delivery.sei_token.is_empty() {
        if event.as_ref().is_some_and(Event::is_fork_pull_request) {
            runner.notice(
                "`sei-token` is empty because this pull request comes from a fork (GitHub gives \
                 fork pull requests no secrets): nothing is reported. Report such runs from a \
                 separate `on: workflow_run` workflow instead (see the README).",
            );
            return Outcome::new(Status::Skipped, "fork pull request: no SEI token");
        }
        return fail(
            runner,
            "input `sei-token` is empty: pass your SEI API key from a secret, like \
             `sei-token: ${{ secrets.SEI_API_KEY }}` (on a terminal: SEI_TOKEN=... or --sei-token)"
                .to_owned(),
        );
    }

    let fetched = match &cfg.github_data {
        Some(dir) => fetch_saved(cfg, dir, runner),
        None => fetch_live(cfg, env, event, runner, clock).await,
    };
    let (mut data, own_event, repository) = match fetched {
        Ok(f) => f,
        Err(why) => return fail(runner, why),
    };

    for note in &data.lookups.notes {
        if note.warning {
            runner.warning(&note.text);
        } else {
            runner.info(&note.text);
        }
    }
    let opts = map::Options {
        instance_guid: cfg.instance_guid.clone(),
        instance_name: cfg.instance_name.clone(),
        server_url: cfg.server_url.clone(),
        repository,
        overrides: cfg.overrides.clone(),
        ci_cd: cfg.ci_cd,
        artifacts: cfg.artifacts.clone(),
        themes: cfg.themes.clone(),
        cfr_status: cfg.cfr_status,
        params: cfg.params.clone(),
        job_status: cfg.job_status.clone(),
        include_steps: cfg.include_steps,
        now: chrono::Utc::now(),
    };
    let mut payload = map::payload(&data, own_event.as_ref(), &opts);
    runner.info(&format!("Reported as {}.", map::ci_cd(&data, &opts)));
    let commits = &payload.scm_commit_ids;
    let source = data.lookups.commits_source.as_deref();
    match (&data.lookups.commits, source) {
        (Some(_), Some(source)) => runner.info(&format!(
            "Commits: {} reported, from {source}.",
            commits.len()
        )),
        _ => runner.info(&format!(
            "Commits: the head commit{}{}.",
            commits
                .first()
                .map(|c| format!(" {}", &c[..c.len().min(12)]))
                .unwrap_or_default(),
            source.map(|s| format!(" ({s})")).unwrap_or_default()
        )),
    }
    let unknown = map::result::unlisted(
        std::iter::once(data.run.conclusion.as_deref())
            .chain(data.jobs.iter().map(|j| j.conclusion.as_deref()))
            .chain(
                data.jobs
                    .iter()
                    .flat_map(|j| j.steps.iter().map(|s| s.conclusion.as_deref())),
            ),
    );
    if !unknown.is_empty() {
        runner.warning(&format!(
            "GitHub sent conclusions this version does not know ({}): reported as NOT_BUILT; \
             please open an issue",
            unknown.join(", ")
        ));
    }
    // The payload holds all that is needed of the jobs now: free them before the body is built.
    drop(std::mem::take(&mut data.jobs));
    let mut body = match json::to_vec(&mut payload) {
        Ok(b) => b,
        Err(e) => return fail(runner, format!("could not serialize the payload: {e}")),
    };
    if let Some(limit) = cfg.max_payload_bytes.filter(|&l| body.len() > l) {
        let fit = map::fit::fit(&mut payload, body.len(), limit);
        runner.warning(&fit.describe(&payload.job_run.stages));
        if fit.changed() {
            drop(body);
            body = match json::to_vec(&mut payload) {
                Ok(b) => b,
                Err(e) => return fail(runner, format!("could not serialize the payload: {e}")),
            };
        }
    }
    let steps: usize = payload.job_run.stages.iter().map(|s| s.steps.len()).sum();
    runner.info(&format!(
        "{} #{} attempt {}: {} in {}; {} stages, {} steps; payload {:.1} kB",
        payload.job_full_name,
        payload.build_number,
        data.run.run_attempt.unwrap_or(1),
        payload.result,
        map::time::human(payload.duration),
        payload.job_run.stages.len(),
        steps,
        body.len() as f64 / 1000.0
    ));

    let mut outcome = Outcome::new(Status::Failed, "");
    outcome.result = Some(payload.result.clone());
    outcome.execution_id = Some(payload.execution_id.clone());
    match crate::keep::save(env, &payload.execution_id, &body) {
        Ok(path) => outcome.payload_file = Some(path),
        Err(e) => runner.warning(&format!("could not keep a copy of the payload: {e}")),
    }

    if cfg.dry_run {
        let pretty = serde_json::to_string_pretty(&payload).unwrap_or_default();
        runner.data("SEI payload (dry run: nothing sent)", &pretty);
        outcome.status = Status::DryRun;
        outcome.detail = "dry run: nothing sent".into();
    } else {
        let contents = delivery::contents(payload.job_run.stages.len(), steps);
        // Shared, not copied, by every request that sends it.
        let body = bytes::Bytes::from(body);
        deliver(cfg, runner, clock, &body, &contents, &mut outcome).await;
    }

    let run_url = data.run.html_url.as_deref();
    let md = summary::markdown(
        &payload,
        run_url,
        &summary::Delivery {
            status: outcome.status.as_str(),
            http_status: outcome.http_status,
            detail: &outcome.detail,
        },
    );
    if let Err(e) = runner.append_summary(&md) {
        runner.warning(&format!(
            "could not write the job summary (GITHUB_STEP_SUMMARY): {e}"
        ));
    }
    runner.info(&format!("Done in {} ms.", started.elapsed().as_millis()));
    outcome
}

/// Reads the run from a `github-data` folder.
fn fetch_saved(
    cfg: &Config,
    dir: &std::path::Path,
    runner: &Runner,
) -> Result<(RunData, Option<Event>, String), String> {
    let (mut data, event) = data_dir::load(dir)?;
    if !cfg.include_workflow_artifacts {
        data.lookups.artifacts.clear();
    }
    let event_name = data.run.event.clone().unwrap_or_default();
    match (cfg.commits, &event) {
        (map::commits::Mode::Event, Some(e)) => match map::commits::from_event(&event_name, e) {
            map::commits::EventCommits::Listed(list) => {
                data.lookups.commits_source = Some(format!("the saved {event_name} event"));
                data.lookups.commits = Some(list);
            }
            _ => data.lookups.commits_source = Some("the saved event lists no commits".into()),
        },
        (map::commits::Mode::Head, _) => {}
        _ => {
            data.lookups.commits_source =
                Some("`github-data` reads no API to find the last successful run".into())
        }
    }
    let repository = cfg
        .repository
        .as_ref()
        .map(|r| r.to_string())
        .or_else(|| data.run.repository.as_ref()?.full_name.clone())
        .unwrap_or_else(|| "unknown/unknown".to_owned());
    runner.info(&format!(
        "Read run {} and {} jobs from {}",
        data.run.id.unwrap_or_default(),
        data.jobs.len(),
        dir.display()
    ));
    Ok((data, event, repository))
}

/// Reads the run from the GitHub API, with the look-ups the inputs ask for.
async fn fetch_live(
    cfg: &Config,
    env: &RunnerEnv,
    event: Option<Event>,
    runner: &Runner,
    clock: &SystemClock,
) -> Result<(RunData, Option<Event>, String), String> {
    let target = target::resolve(cfg, env, event.as_ref())?;
    runner.info(&format!("Reporting {target} ({})", target.source));
    if cfg.github_token.is_empty() {
        runner.warning(
            "`github-token` is empty: reading the run without a token works for public \
             repositories only, at 60 requests an hour. Pass `${{ github.token }}`.",
        );
    }
    // The event describes the reported run only when the step is part of that run.
    let own = target.source == Source::Environment
        || env.run_id.as_deref() == Some(target.id.to_string().as_str());
    let hint = fetch::hint(&target, env, event.as_ref(), own);
    let own_event = if own { event } else { None };
    // "Me": the step runs inside the very attempt it reports.
    let same_attempt = match (target.attempt, env.run_attempt.as_deref()) {
        (Some(a), Some(e)) => e.trim().parse::<u64>().ok() == Some(a),
        (None, _) => true,
        (Some(_), None) => false,
    };
    let plan = fetch::Plan {
        commits: cfg.commits,
        own_event: own_event.as_ref(),
        hint,
        ci_cd: cfg.ci_cd,
        declared: &cfg.artifacts,
        workflow_artifacts: cfg.include_workflow_artifacts,
        me: (own && same_attempt && cfg.github_data.is_none()).then(|| fetch::MePlan {
            check_run_id: cfg.job_check_run_id,
            runner_name: env.runner_name.clone(),
            wait: cfg.wait_timeout,
        }),
    };
    let http = crate::http::client(&cfg.delivery.ca_certs).map_err(|e| format!("{e:#}"))?;
    let log = runner.clone();
    let gh = GitHub::new(http, &cfg.api_url, &cfg.github_token)
        .map_err(|e| format!("{e:#}"))?
        .with_retry(cfg.delivery.policy, clock.clone(), move |m| log.info(m));
    let started = Instant::now();
    let data = fetch::fetch(&gh, &target, &plan).await?;
    let unchanged = match gh.not_modified() {
        0 => String::new(),
        n => format!(" ({n} answered `304 Not Modified`, free of the rate limit)"),
    };
    runner.info(&format!(
        "Read \"{}\" #{} ({} jobs) from GitHub in {} requests{unchanged}, {} ms",
        data.run.name.as_deref().unwrap_or("?"),
        data.run.run_number.unwrap_or_default(),
        data.jobs.len(),
        gh.requests(),
        started.elapsed().as_millis()
    ));
    drop(gh);
    // Let the closed connections' tasks run and free their buffers before the mapping.
    tokio::task::yield_now().await;
    let repository = target.repo.to_string();
    Ok((data, own_event, repository))
}

async fn deliver(
    cfg: &Config,
    runner: &Runner,
    clock: &SystemClock,
    body: &bytes::Bytes,
    contents: &str,
    outcome: &mut Outcome,
) {
    match delivery::send(&cfg.delivery, runner, clock, body, contents).await {
        Ok(answer) => {
            outcome.status = Status::Delivered;
            outcome.http_status = Some(answer.status);
            outcome.detail = answer.body;
        }
        Err(failed) => {
            outcome.http_status = failed.http_status;
            let mut msg = failed.message;
            match &outcome.payload_file {
                Some(p) if failed.payload_refused => {
                    msg.push_str(&format!(". The payload is kept at {}", p.display()))
                }
                Some(p) => msg.push_str(&format!(
                    ". Nothing is lost: the payload is kept at {p}; send it again with \
                     `sei-cicd replay {p}` (README: \"When a report fails\")",
                    p = p.display()
                )),
                None => {}
            }
            runner.error(&msg);
            outcome.detail = match &outcome.payload_file {
                Some(p) => format!("{}; payload kept at {}", failed.short, p.display()),
                None => failed.short,
            };
        }
    }
}

fn fail(runner: &Runner, why: String) -> Outcome {
    runner.error(&why);
    Outcome::new(Status::Failed, why)
}
