//! The `report` command, start to end: inputs, which run, GitHub's data, the payload, delivery,
//! then outputs and summary. The effects live here; the decisions live in the pure modules it
//! calls. Whatever fails, the step ends with its outputs written and, unless `fail-on-error`,
//! exit code 0: telemetry never breaks a user's build. [`attempt`] is the same report of one
//! run attempt named from outside (`serve`'s webhook deliveries), without the step's outputs.

use crate::args::{given, ReportArgs};
use crate::clients::{Clients, GitHubUse};
use crate::command::{exit_code, Command, Context, Ending, Tokens};
use crate::config::values::parse_bool;
use crate::config::{self, Config, InputError, Reporting};
use crate::delivery;
use crate::env::RunnerEnv;
use crate::github::client::{GitHub, MAX_IN_FLIGHT};
use crate::github::{data_dir, fetch};
use crate::keep::Place;
use crate::map;
use crate::model::event::{self, Event};
use crate::model::{Run, RunData, RunRef, RunSource};
use crate::pipeline::{self, Outcome, Status};
use crate::retry::SystemClock;
use crate::runner::Runner;
use crate::skip;
use crate::summary;
use crate::target;
use std::time::{Duration, Instant};

impl Command for ReportArgs {
    type Settings = Start;
    const NAME: &'static str = "report";

    fn tokens(&self) -> Tokens<'_> {
        Tokens {
            sei: &self.reporting.sei,
            github: Some(&self.reporting.github),
        }
    }

    /// A report fails the workflow only as `fail-on-error` says.
    fn failure_code(&self, env: &RunnerEnv) -> u8 {
        ends(self, env, Ending::NotDelivered)
    }

    fn load(&self, cx: &Context) -> Result<(Start, Vec<String>), Vec<InputError>> {
        start(self, cx.env, &cx.runner)
    }

    /// Every input to fix as an error, in the summary too, and the outputs.
    fn bad_input(&self, cx: &Context, errors: &[InputError]) -> u8 {
        let runner = &cx.runner;
        let errors: Vec<String> = errors.iter().map(|e| e.0.clone()).collect();
        for e in &errors {
            runner.error(e);
        }
        write_summary(runner, &summary::What::BadInput { errors: &errors }, None);
        let outcome = Outcome::new(
            Status::Failed,
            format!("{} input(s) need fixing", errors.len()),
        );
        finish(runner, &outcome);
        ends(self, cx.env, Ending::BadInput)
    }

    async fn run(&self, start: Start, cx: &Context<'_>) -> u8 {
        let runner = &cx.runner;
        let (outcome, ending) = match start {
            Start::Skip(skip) => {
                runner.notice(&skip.notice);
                let what = summary::What::Skipped { why: &skip.notice };
                write_summary(runner, &what, None);
                (Outcome::new(Status::Skipped, skip.detail), Ending::Done)
            }
            Start::Go(cfg, event) => {
                let (outcome, shown) = report(&cfg, *event, cx.env, runner, &cx.clock).await;
                let ending = match outcome.status {
                    Status::Failed if outcome.bad_input => Ending::BadInput,
                    Status::Failed => Ending::NotDelivered,
                    _ => Ending::Done,
                };
                let run = shown.as_ref().map(|s| summary::Run {
                    payload: &s.payload,
                    timeline: &s.timeline,
                    url: s.url.as_deref(),
                });
                write_summary(runner, &what(&outcome), run.as_ref());
                (outcome, ending)
            }
        };
        finish(runner, &outcome);
        ends(self, cx.env, ending)
    }
}

/// The exit code of a report that ended so: a workflow fails only as `fail-on-error` says.
fn ends(args: &ReportArgs, env: &RunnerEnv, ending: Ending) -> u8 {
    let fail_on_error = config::fail_on_error(&args.reporting.behaviour);
    exit_code(env.in_actions, fail_on_error, ending)
}

/// The run a summary shows, once its payload is built.
struct Shown {
    payload: crate::payload::Payload,
    timeline: summary::Timeline,
    url: Option<String>,
}

/// What the summary says of a report that got as far as reading the run.
fn what(o: &Outcome) -> summary::What<'_> {
    match o.status {
        Status::Delivered => summary::What::Delivered {
            http_status: o.http_status,
            answer: &o.detail,
        },
        Status::DryRun => summary::What::DryRun {
            payload_file: o.payload_file.as_deref(),
        },
        Status::Skipped => summary::What::Skipped { why: &o.detail },
        Status::Failed if o.bad_input => summary::What::BadInput {
            errors: std::slice::from_ref(&o.detail),
        },
        Status::Failed => summary::What::NotDelivered {
            why: &o.detail,
            payload_file: o.payload_file.as_deref(),
            replayable: o.replayable,
        },
    }
}

fn write_summary(runner: &Runner, what: &summary::What, run: Option<&summary::Run>) {
    if let Err(e) = runner.append_summary(&summary::markdown(what, run)) {
        runner.warning(&format!(
            "could not write the job summary (GITHUB_STEP_SUMMARY): {e}"
        ));
    }
}

/// What the inputs and the event say before anything is read.
pub(crate) enum Start {
    /// A report that must not be sent.
    Skip(skip::Skip),
    Go(Box<Config>, Box<Option<Event>>),
}

/// Reads the event, decides whether to report at all ([`skip`]), then checks the inputs.
fn start(
    args: &ReportArgs,
    env: &RunnerEnv,
    runner: &Runner,
) -> Result<(Start, Vec<String>), Vec<InputError>> {
    let run_id_given = given(&args.run.run_id).is_some();
    let saved = given(&args.run.github_data).is_some();
    // The event file: needed to find the run in `workflow_run` mode, useful otherwise.
    let mut problems = Vec::new();
    let event = match &env.event_path {
        Some(path) if !saved => match event::load(path) {
            Ok(e) => Some(e),
            Err(why) => {
                if env.event_name.as_deref() == Some("workflow_run") && !run_id_given {
                    problems.push(InputError(format!(
                        "{why}: GITHUB_EVENT_PATH must point at the workflow_run event, or give \
                         the `run-id` input"
                    )));
                } else {
                    runner.warning(&format!(
                        "{why} (GITHUB_EVENT_PATH): reporting without the event's details"
                    ));
                }
                None
            }
        },
        _ => None,
    };
    let token = given(&args.reporting.sei.sei_token).or(env.sei_token.as_deref());
    let skip = skip::decide(&skip::Facts {
        env,
        event: event.as_ref(),
        from_workflow_run: !run_id_given && !saved,
        sei_token_empty: token.is_none(),
        dry_run: given(&args.reporting.behaviour.dry_run).and_then(parse_bool) == Some(true),
    });
    // An input that is not text is an input to fix, whatever the event (its value is unknown).
    if let Some(skip) = skip.filter(|_| env.inputs_not_utf8.is_empty()) {
        return Ok((Start::Skip(skip), Vec::new()));
    }
    match config::load(args, env) {
        Ok(mut cfg) if problems.is_empty() => {
            let warnings = std::mem::take(&mut cfg.warnings);
            Ok((Start::Go(Box::new(cfg), Box::new(event)), warnings))
        }
        Ok(_) => Err(problems),
        Err(errors) => {
            problems.extend(errors);
            Err(problems)
        }
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

async fn report(
    cfg: &Config,
    event: Option<Event>,
    env: &RunnerEnv,
    runner: &Runner,
    clock: &SystemClock,
) -> (Outcome, Option<Shown>) {
    let started = Instant::now();
    // SEI's client and GitHub's, made before the requests start. The read takes the bundle
    // (this keeps a handle on SEI's, for the check and the post): once the run is read, GitHub's
    // idle connections close with it, and their buffers (a page of jobs each) are freed before
    // the payload is built.
    let clients = match Clients::new(&cfg.delivery) {
        Ok(c) => c,
        Err(why) => return (fail(runner, why), None),
    };
    let sei = clients.sei.clone();
    // Whether SEI will keep what it is sent, asked while GitHub is read.
    let check = async {
        if cfg.behaviour.dry_run {
            return None;
        }
        let guid = &cfg.send.mapping.instance_guid;
        Some(delivery::check_instance(&cfg.delivery, &sei, guid, runner).await)
    };
    let read = async {
        match &cfg.run.github_data {
            Some(dir) => fetch_saved(cfg, dir, runner),
            None => fetch_live(cfg, env, event, runner, clock, clients).await,
        }
    };
    let (fetched, instance) = futures_util::future::join(read, check).await;
    let (data, own_event, repository) = match fetched {
        Ok(f) => f,
        Err(Stop::Input(why)) => {
            let mut o = fail(runner, why);
            o.bad_input = true;
            return (o, None);
        }
        Err(Stop::Reading(why)) => return (fail(runner, why), None),
    };
    let refused =
        instance.and_then(|i| i.problem(&cfg.send.mapping.instance_guid, &cfg.delivery.sei_base));

    let url = data.run.html_url.clone();
    // What the summary draws of the jobs, before the mapping consumes them.
    let timeline = summary::Timeline::of(&data, chrono::Utc::now());
    let shape = pipeline::Shape {
        send: &cfg.send,
        repository,
        job_status: cfg.run.job_status.clone(),
    };
    let built = match pipeline::build(data, own_event.as_ref(), &shape, runner) {
        Ok(b) => b,
        Err(why) => return (fail(runner, why), None),
    };
    let route = pipeline::Route {
        delivery: &cfg.delivery,
        client: &sei,
        dry_run: cfg.behaviour.dry_run,
        refused,
    };
    let (outcome, payload) =
        pipeline::send(built, &route, pipeline::Keep::ForTheJob(env), runner, clock).await;

    runner.info(&format!(
        "Done in {}.",
        crate::time::human(started.elapsed())
    ));
    let shown = Shown {
        payload,
        timeline,
        url,
    };
    (outcome, Some(shown))
}

/// Why the run could not be read.
enum Stop {
    /// An input must be fixed: a saved run that is not one, no run named...
    Input(String),
    /// GitHub could not be read.
    Reading(String),
}

/// Reads the run from a `github-data` folder.
fn fetch_saved(
    cfg: &Config,
    dir: &std::path::Path,
    runner: &Runner,
) -> Result<(RunData, Option<Event>, String), Stop> {
    let (mut data, event) = data_dir::load(dir).map_err(Stop::Input)?;
    if !cfg.send.include_workflow_artifacts {
        data.lookups.artifacts.clear();
    }
    let event_name = data.run.event.clone().unwrap_or_default();
    match (cfg.send.commits, &event) {
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
        .run
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

/// Reads the run from the GitHub API, with the look-ups the inputs ask for. `clients` is let
/// go once the run is read: GitHub's connections, and their buffers, with it.
async fn fetch_live(
    cfg: &Config,
    env: &RunnerEnv,
    event: Option<Event>,
    runner: &Runner,
    clock: &SystemClock,
    clients: Clients,
) -> Result<(RunData, Option<Event>, String), Stop> {
    let target = target::resolve(&cfg.run, env, event.as_ref()).map_err(Stop::Input)?;
    runner.info(&format!("Reporting {target} ({})", target.source));
    if cfg.github.token.is_empty() {
        runner.warning(
            "`github-token` is empty: reading the run without a token works for public \
             repositories only, at 60 requests an hour. Pass `${{ github.token }}`.",
        );
    }
    // The event describes the reported run only when the step is part of that run.
    let own = target.source == RunSource::Environment
        || env.run_id.as_deref() == Some(target.id.to_string().as_str());
    let hint = fetch::hint(&target, env, event.as_ref(), own);
    // The event's repository names its default branch (a branch, never a tag).
    let default_branch = event
        .as_ref()
        .and_then(|e| e.repository.as_ref())
        .filter(|r| {
            r.full_name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(&target.repo.to_string()))
        })
        .and_then(|r| r.default_branch.clone());
    let own_event = if own { event } else { None };
    // "Me": the step runs inside the very attempt it reports.
    let same_attempt = match (target.attempt, env.run_attempt.as_deref()) {
        (Some(a), Some(e)) => e.trim().parse::<u64>().ok() == Some(a),
        (None, _) => true,
        (Some(_), None) => false,
    };
    let me = (own && same_attempt && cfg.run.github_data.is_none()).then(|| fetch::MePlan {
        job_failed: cfg.run.job_status.as_deref() == Some("failure"),
        check_run_id: cfg.run.job_check_run_id,
        runner_name: env.runner_name.clone(),
        wait: cfg.run.wait_timeout,
    });
    let plan = fetch::Plan {
        own_event: own_event.as_ref(),
        hint,
        me,
        default_branch,
        ..fetch::Plan::new(&cfg.send)
    };
    let log = runner.clone();
    let using = GitHubUse {
        access: &cfg.github,
        token: &cfg.github.token,
        policy: cfg.delivery.policy,
        clock: clock.clone(),
        in_flight: MAX_IN_FLIGHT,
    };
    let gh = clients
        .github(using, move |m| log.info(m))
        .map_err(|e| Stop::Reading(e.to_string()))?;
    let started = Instant::now();
    let data = fetch::fetch(&gh, &gh, &target, &plan)
        .await
        .map_err(|e| Stop::Reading(e.to_string()))?;
    let unchanged = match gh.not_modified() {
        0 => String::new(),
        n => format!(" ({n} answered `304 Not Modified`, free of the rate limit)"),
    };
    runner.info(&format!(
        "Read \"{}\" #{} ({} jobs) from GitHub in {} requests{unchanged}, {}",
        data.run.name.as_deref().unwrap_or("?"),
        data.run.run_number.unwrap_or_default(),
        data.jobs.len(),
        gh.requests(),
        crate::time::human(started.elapsed())
    ));
    // The last handles on GitHub's HTTP client: its pool closes, and its idle connections with
    // it (SEI's client lives on in the caller's handle).
    drop(gh);
    drop(clients);
    // Let the closed connections' tasks run and free their buffers before the mapping.
    tokio::task::yield_now().await;
    let repository = target.repo.to_string();
    Ok((data, own_event, repository))
}

/// One run attempt named from outside the run (a webhook delivery, say), for [`attempt`].
pub(crate) struct Attempt<'a> {
    pub reporting: &'a Reporting,
    /// A handle with this attempt's deadline ([`GitHub::handle`]).
    pub gh: &'a GitHub,
    /// The client SEI is reached through ([`delivery::client`]).
    pub sei: &'a reqwest::Client,
    /// The attempt: `attempt` is set.
    pub target: &'a RunRef,
    /// What the caller knows of the run already (the run in a `workflow_run` delivery): lets
    /// the look-ups start with the run's own request, as for a `workflow_run` event.
    pub hint: Option<Run>,
    /// The repository's default branch, when the caller knows it: a branch, never a tag.
    pub default_branch: Option<String>,
    /// Where the payload is kept until it is delivered.
    pub keep: &'a Place,
}

/// How one [`attempt`] went, and where its time went.
pub(crate) struct Attempted {
    pub outcome: Outcome,
    /// Reading GitHub (every request of the run together).
    pub github: Duration,
    /// Sending to SEI, retries included.
    pub sei: Duration,
    /// Requests made to GitHub.
    pub requests: usize,
}

/// Reports one attempt exactly as `report --run-id ID --run-attempt N --repository R` does: the
/// same reads of GitHub, the same payload, the same delivery, retries and kept payload. The
/// caller has checked the instance. Its lines go to `runner`.
pub(crate) async fn attempt(a: Attempt<'_>, runner: &Runner, clock: &SystemClock) -> Attempted {
    let r = a.reporting;
    let plan = fetch::Plan {
        hint: a.hint,
        default_branch: a.default_branch,
        ..fetch::Plan::new(&r.send)
    };
    let started = Instant::now();
    let before = a.gh.requests();
    let fetched = fetch::fetch(a.gh, a.gh, a.target, &plan).await;
    let github = started.elapsed();
    let requests = a.gh.requests().saturating_sub(before);
    let done = |outcome| Attempted {
        outcome,
        github,
        sei: Duration::ZERO,
        requests,
    };
    let data = match fetched {
        Ok(d) => d,
        Err(why) => return done(fail(runner, why.to_string())),
    };
    let shape = pipeline::Shape {
        send: &r.send,
        repository: a.target.repo.to_string(),
        job_status: None,
    };
    let built = match pipeline::build(data, None, &shape, runner) {
        Ok(b) => b,
        Err(why) => return done(fail(runner, why)),
    };
    let route = pipeline::Route {
        delivery: &r.delivery,
        client: a.sei,
        dry_run: r.behaviour.dry_run,
        refused: None,
    };
    let sending = Instant::now();
    let keep = pipeline::Keep::UntilDelivered(a.keep);
    let (outcome, _) = pipeline::send(built, &route, keep, runner, clock).await;
    Attempted {
        sei: sending.elapsed(),
        ..done(outcome)
    }
}

fn fail(runner: &Runner, why: String) -> Outcome {
    runner.error(&why);
    Outcome::new(Status::Failed, why)
}
