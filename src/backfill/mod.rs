//! The `backfill` command: every completed run of the repositories and workflows chosen, created
//! in a window, reported to SEI exactly as `report --run-id` would report it (the same fetch,
//! the same [`pipeline`]), each attempt of a re-run its own SEI run. On a schedule with a short
//! window (`--since 2h`) it is a sweep.
//!
//! Its parts: [`select`] (which repositories and workflows), [`listing`] (the runs of a window,
//! split in ranges GitHub lists whole), [`known`] (what a listing already answers, so a run
//! costs its jobs and little more), [`history`] (the commits between runs, from one listing of
//! a branch), [`pace`] (GitHub's limits), [`state`] (what was delivered, for a start again),
//! [`resend`] (what failed before), [`sweep`] (a sweep's conditional listing), [`unit`] (one run
//! attempt reported), [`tally`] (the counts, and what the log and the summary say of them),
//! [`progress`] (the bar, a line a minute). This file runs them:
//!
//! 1. the state: payloads of attempts that failed before are sent again first;
//! 2. the repositories, then, `concurrency` at a time, each repository's workflows and its
//!    listing (with a state, the conditional one first), chunk by chunk, oldest first; every
//!    attempt not yet delivered is reported, `concurrency` at a time in all;
//! 3. attempts that failed before without a payload and were not listed again are read by id;
//! 4. the summary, in the log and the job summary, and the state compacted.
//!
//! `timeout` and `max-attempts` apply to each run attempt. Ctrl-C (or SIGTERM) stops starting
//! new attempts; those under way finish and are recorded; a second one stops at once (the state
//! is on disk after every attempt). Exit code: as `report`'s when something was not delivered
//! (1 on a terminal; in a workflow only with `fail-on-error`), 2 for bad inputs, 130 when
//! stopped.

pub(crate) mod deployments;
pub(crate) mod history;
pub(crate) mod known;
pub(crate) mod listing;
pub(crate) mod pace;
pub(crate) mod progress;
mod resend;
pub(crate) mod select;
pub(crate) mod state;
mod sweep;
pub(crate) mod tally;
mod unit;

use crate::args::BackfillArgs;
use crate::clients::{Clients, GitHubUse};
use crate::command::{exit_code, Command, Context, Tokens};
use crate::config::backfill::Backfill;
use crate::config::InputError;
use crate::env::RunnerEnv;
use crate::github::client::GitHub;
use crate::github::source::Source as Lookups;
use crate::keep::Place;
use crate::model::{Repo, Workflow};
use crate::retry::SystemClock;
use crate::runner::Runner;
use crate::signal::Signals;
use futures_util::stream::{self, StreamExt};
use known::RepoKnown;
use progress::{Progress, Say};
use state::{Key, Outcome, State};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A line a minute in logs.
const LINE_EVERY: Duration = Duration::from_secs(60);

impl Command for BackfillArgs {
    type Settings = Backfill;
    const NAME: &'static str = "backfill";

    fn tokens(&self) -> Tokens<'_> {
        Tokens {
            sei: &self.reporting.sei,
            github: Some(&self.reporting.github),
        }
    }

    fn load(&self, cx: &Context) -> Result<(Backfill, Vec<String>), Vec<InputError>> {
        let mut cfg = crate::config::backfill::load(self, cx.env, chrono::Utc::now())?;
        let warnings = std::mem::take(&mut cfg.warnings);
        Ok((cfg, warnings))
    }

    async fn run(&self, cfg: Backfill, cx: &Context<'_>) -> u8 {
        match backfill(&cfg, cx.env, &cx.runner).await {
            Ending::Code(c) => c,
            Ending::Finished(ending) => exit_code(
                cx.runner.in_actions(),
                crate::config::fail_on_error(&self.reporting.behaviour),
                ending,
            ),
        }
    }
}

/// How a backfill ended: an exit code of its own (bad inputs 2, stopped 130), or as every
/// command that reports ends ([`crate::command::exit_code`]).
enum Ending {
    Code(u8),
    Finished(crate::command::Ending),
}

/// Everything a backfill shares while it runs (one thread: cells are enough; the counting is
/// the tally's).
struct Ctx<'a> {
    cfg: &'a Backfill,
    runner: &'a Runner,
    say: Say,
    gh: GitHub,
    /// The client every request to SEI goes through.
    sei: reqwest::Client,
    pacer: Arc<pace::Pacer>,
    slots: tokio::sync::Semaphore,
    stop: Arc<AtomicBool>,
    /// Stopped by `stop-after`, not by a signal: the exit code is as if it had ended.
    out_of_time: Arc<AtomicBool>,
    state: RefCell<State>,
    place: Place,
    /// Attempts whose kept payload was sent again at the start: not rebuilt.
    resent: HashSet<Key>,
    /// Attempts that failed before without a payload: rebuilt, listed or not.
    rebuild: RefCell<HashMap<Key, (Repo, u64, u64)>>,
    progress: RefCell<Progress>,
    tally: RefCell<tally::Tally>,
    /// Default branches from the organization's listing, by `owner/name` lower-cased.
    default_branches: RefCell<HashMap<String, String>>,
}

async fn backfill(cfg: &Backfill, env: &RunnerEnv, runner: &Runner) -> Ending {
    let dry = cfg.behaviour.dry_run;
    let st = match &cfg.pace.state {
        Some(path) => match State::open(path) {
            Ok(s) => s,
            Err(e) => {
                runner.error(&e);
                return Ending::Code(2);
            }
        },
        None => State::memory(),
    };
    if st.skipped_lines > 0 {
        runner.warning(&format!(
            "the state file has {} line(s) it could not read (cut short when a backfill was \
             killed, say): those run attempts are reported again, which SEI ignores",
            st.skipped_lines
        ));
    }
    if let Some(first) = st.refused_payloads.first() {
        runner.warning(&format!(
            "the state file names {} kept payload(s) outside its own folder for them, like \
             `{}`: refused (never read, sent or deleted); those run attempts are read from \
             GitHub again. A backfill keeps payloads only in {}",
            st.refused_payloads.len(),
            first.display(),
            st.payloads_dir()
                .map(|d| format!("`{}`", d.display()))
                .unwrap_or_default()
        ));
    }
    let place = match st.payloads_dir() {
        Some(dir) if std::fs::symlink_metadata(&dir).is_ok_and(|m| m.is_symlink()) => {
            runner.error(&format!(
                "{} (where the state keeps payloads) is a link: refused, a backfill keeps \
                 payloads only in a folder of its own; remove the link",
                dir.display()
            ));
            return Ending::Code(2);
        }
        Some(dir) => {
            if let Err(e) = std::fs::create_dir_all(&dir) {
                runner.error(&format!(
                    "cannot create {} for kept payloads: {e}",
                    dir.display()
                ));
                return Ending::Code(2);
            }
            Place {
                write: dir.clone(),
                shown: dir,
            }
        }
        None => crate::keep::place_or_temp(env),
    };
    let terminal = !runner.in_actions() && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let progress = Progress::new(terminal, LINE_EVERY);
    let say = progress.sayer(runner);
    let pace_say = say.clone();
    let pacer = Arc::new(pace::Pacer::new(cfg.pace.per_minute, move |m| pace_say(m)));
    let retry_say = say.clone();
    let using = GitHubUse {
        access: &cfg.github,
        token: &cfg.github.token,
        policy: cfg.delivery.policy,
        clock: SystemClock::start(),
        in_flight: cfg.pace.concurrency,
    };
    let clients =
        Clients::new(&cfg.delivery).and_then(|c| Ok((c.github(using, move |m| retry_say(m))?, c)));
    let (gh, Clients { sei, .. }) = match clients {
        Ok((gh, c)) => (gh.with_pace(pacer.clone()), c),
        Err(why) => {
            runner.error(&why);
            return Ending::Finished(crate::command::Ending::NotDelivered);
        }
    };
    // SEI drops, without a word, the runs of an instance it does not know: ask once, first.
    if !dry {
        let guid = &cfg.send.mapping.instance_guid;
        let found = crate::delivery::check_instance(&cfg.delivery, &sei, guid, runner).await;
        if let Some(why) = found.problem(guid, &cfg.delivery.sei_base) {
            runner.error(&format!("{why}: nothing is reported"));
            return Ending::Finished(crate::command::Ending::NotDelivered);
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    watch_signals(stop.clone(), say.clone());
    let out_of_time = Arc::new(AtomicBool::new(false));
    if let Some(after) = cfg.pace.stop_after {
        stop_after(after, stop.clone(), out_of_time.clone(), say.clone());
    }

    let again = resend::sort(st.failed(), dry, |why| runner.warning(&why));
    let ctx = Ctx {
        cfg,
        runner,
        say,
        gh,
        sei,
        pacer,
        slots: tokio::sync::Semaphore::new(cfg.pace.concurrency),
        stop,
        out_of_time,
        state: RefCell::new(st),
        place,
        resent: again.resend.iter().map(|(k, _)| k.clone()).collect(),
        rebuild: RefCell::new(again.rebuild),
        progress: RefCell::new(progress),
        tally: RefCell::default(),
        default_branches: RefCell::default(),
    };
    ctx.resend(again.resend).await;
    let installation = select::is_installation_token(cfg.github.token.expose());
    let mut repos = match select::repositories(&ctx.gh, &cfg.select, installation).await {
        Ok(r) => r,
        Err(e) => {
            runner.error(&e);
            return ctx.finish(true).await;
        }
    };
    *ctx.default_branches.borrow_mut() = std::mem::take(&mut repos.default_branches);
    (ctx.say)(&opening(&cfg.select, &repos));
    stream::iter(repos.chosen)
        .for_each_concurrent(cfg.pace.concurrency, |repo| ctx.repository(repo))
        .await;
    // Attempts that failed before without a payload and were not listed again: by id.
    let leftover: Vec<(Repo, u64, u64)> =
        ctx.rebuild.borrow_mut().drain().map(|(_, v)| v).collect();
    let units: Vec<unit::Unit> = leftover
        .into_iter()
        .map(|(repo, id, attempt)| unit::Unit::from_state(repo, id, attempt))
        .collect();
    for u in &units {
        ctx.tally.borrow_mut().found(Some(&u.repo.to_string()), 1);
    }
    // No more of them at once than can run: a run waiting for a slot would hold its whole
    // future (fetch, mapping and delivery) meanwhile.
    stream::iter(units)
        .for_each_concurrent(cfg.pace.concurrency, |u| ctx.unit(u, None))
        .await;
    for w in ctx.tally.borrow().workflows_not_seen(&cfg.select.workflows) {
        runner.warning(&format!(
            "no repository has a workflow `{w}` (`workflow`): give its file name, like \
             `ci.yml`, or its name"
        ));
    }
    ctx.finish(false).await
}

/// The log's first line: what is backfilled, from where, in which window, with which filters.
fn opening(select: &crate::config::backfill::Selection, repos: &select::Repositories) -> String {
    format!(
        "Backfilling {} ({}{}): completed runs created from {} to {}{}{}{}",
        match repos.chosen.len() {
            1 => "1 repository".to_owned(),
            n => format!("{n} repositories"),
        },
        repos.source,
        match repos.left_out {
            0 => String::new(),
            n => format!("; {n} left out by include/exclude"),
        },
        crate::time::stamp(select.since),
        crate::time::stamp(select.until),
        if select.workflows.is_empty() {
            String::new()
        } else {
            format!(", workflows {}", select.workflows.join(", "))
        },
        select
            .branch
            .as_ref()
            .map(|b| format!(", branch {b}"))
            .unwrap_or_default(),
        select
            .event
            .as_ref()
            .map(|e| format!(", event {e}"))
            .unwrap_or_default(),
    )
}

/// Ctrl-C or SIGTERM: no new run attempt starts; a second one stops at once.
fn watch_signals(stop: Arc<AtomicBool>, say: Say) {
    tokio::spawn(async move {
        let mut signals = Signals::new();
        while signals.next().await {
            if stop.swap(true, Ordering::SeqCst) {
                say("Stopped again: stopping now (the state holds every attempt recorded)");
                std::process::exit(130);
            }
            say(
                "Stopping: the run attempts under way finish and are recorded; the others are \
                 left for the next start (stop again to stop now)",
            );
        }
    });
}

/// `stop-after`: once `after` has passed, no new run attempt starts (as at a first Ctrl-C),
/// unless a signal stopped it first.
fn stop_after(after: Duration, stop: Arc<AtomicBool>, out_of_time: Arc<AtomicBool>, say: Say) {
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        if !stop.swap(true, Ordering::SeqCst) {
            out_of_time.store(true, Ordering::SeqCst);
            say(&format!(
                "Stopping after {} (`stop-after`): the run attempts under way finish and are \
                 recorded; the others are left for the next start",
                crate::time::human(after)
            ));
        }
    });
}

impl Ctx<'_> {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn update(&self) {
        let c = self.tally.borrow().counts().clone();
        let per = if c.done() > c.already {
            self.gh.requests() as f64 / (c.done() - c.already) as f64
        } else {
            2.0
        };
        let left = c.found.saturating_sub(c.done());
        self.pacer.set_needed((left as f64 * per).ceil() as u64);
        let extra = match self.gh.rate_limit() {
            Some(r) => format!(
                "GitHub: {} requests, {} left until {}",
                self.gh.requests(),
                r.remaining,
                crate::time::clock(r.reset)
            ),
            None => format!("GitHub: {} requests", self.gh.requests()),
        };
        let say = self.say.clone();
        self.progress
            .borrow_mut()
            .update(&c, &extra, move |m| say(m));
    }

    fn record(&self, k: Key, outcome: Outcome) {
        if let Err(e) = self.state.borrow_mut().record(k, outcome) {
            self.runner.warning(&format!(
                "could not write the state file (`state`): {e}; what was delivered is \
                 reported again at the next start, which SEI ignores"
            ));
        }
    }

    /// One repository: its workflows, then its listing, chunk by chunk.
    async fn repository(&self, repo: Repo) {
        if self.stopped() {
            return;
        }
        let cfg = self.cfg;
        // The workflows are listed now when `workflow` filters them, else only when a run is
        // to be reported (job identity): a quiet repository costs a sweep one listing.
        let mut listed = None;
        let targets: Vec<Option<u64>> = if cfg.select.workflows.is_empty() {
            vec![None]
        } else {
            let workflows = match self.workflows(&repo).await {
                Ok(w) => w,
                Err(e) => {
                    self.tally.borrow_mut().unlisted(e);
                    return;
                }
            };
            let chosen = select::workflows(&workflows, &cfg.select.workflows).unwrap_or_default();
            let mut tally = self.tally.borrow_mut();
            for want in &cfg.select.workflows {
                if select::workflows(&workflows, std::slice::from_ref(want))
                    .is_some_and(|m| !m.is_empty())
                {
                    tally.workflow_seen(want);
                }
            }
            let ids = chosen.iter().filter_map(|w| w.id).map(Some).collect();
            listed = Some(workflows);
            ids
        };
        let known = RepoKnown::new(
            &self.gh,
            repo.clone(),
            cfg.select.since,
            cfg.select.event.is_none(),
            cfg.select.branch.clone(),
            cfg.send.commits == crate::map::commits::Mode::SinceLastSuccess,
            listed,
        );
        self.tally.borrow_mut().repository(&repo.to_string());
        for workflow in targets {
            if self.stopped() {
                return;
            }
            let q = listing::Query {
                workflow,
                branch: cfg.select.branch.clone(),
                event: cfg.select.event.clone(),
            };
            if self.watched(&repo, &known, &q).await {
                continue;
            }
            let visit = |chunk: listing::Chunk| -> futures_util::future::LocalBoxFuture<'_, ()> {
                Box::pin(self.chunk(&repo, &known, chunk))
            };
            if let Err(e) = listing::list(
                &self.gh,
                &repo,
                &q,
                cfg.select.since,
                cfg.select.until,
                &visit,
            )
            .await
            {
                self.tally.borrow_mut().unlisted(e);
            }
        }
    }

    async fn workflows(&self, repo: &Repo) -> Result<Vec<Workflow>, String> {
        let gh = self.gh.handle(SystemClock::start());
        Lookups::workflows(&gh, repo)
            .await
            .map_err(|e| format!("could not list the workflows of {repo}: {e}"))
    }

    /// One chunk of a repository's listing: known first, then each attempt not delivered.
    async fn chunk(&self, repo: &Repo, known: &RepoKnown<'_>, chunk: listing::Chunk) {
        known.index(&chunk.runs);
        if let Some(total) = chunk.cut {
            self.runner.warning(&format!(
                "{repo}: {total} runs were created within one second, more than the {} GitHub \
                 lists for a query: the newest {} of them are reported",
                listing::LISTED,
                listing::LISTED
            ));
        }
        let repo_name = repo.to_string();
        if chunk.unreadable > 0 {
            // Counted as found and skipped: the rest of the listing is read.
            self.tally
                .borrow_mut()
                .unreadable(&repo_name, chunk.unreadable);
            self.runner.warning(&format!(
                "{repo}: {} run(s) of GitHub's listing could not be read (text that is not valid, \
                 such as a lone surrogate escape in a name): skipped, the others reported",
                chunk.unreadable
            ));
        }
        let units = {
            let state = self.state.borrow();
            let mut tally = self.tally.borrow_mut();
            let mut rebuild = self.rebuild.borrow_mut();
            unit::listed(repo, chunk.runs, |k| {
                if self.resent.contains(k) {
                    return false; // counted when it was sent again
                }
                tally.found(Some(&repo_name), 1);
                rebuild.remove(k);
                if state.delivered(k) {
                    tally.already(&repo_name);
                    return false;
                }
                true
            })
        };
        if self.cfg.behaviour.dry_run {
            for u in units {
                self.dry_line(&u);
            }
            self.update();
            return;
        }
        self.update();
        let identity = self.cfg.send.mapping.overrides.job_full_name.is_none();
        if !units.is_empty() && identity && !known.has_workflows() && !self.stopped() {
            // Failing, each run asks for them itself, as `report` does.
            if let Ok(w) = self.workflows(repo).await {
                known.set_workflows(w);
            }
        }
        // No more of them at once than can run (the slots bound them across repositories): a
        // run waiting for a slot would hold its whole future meanwhile, and a range holds
        // hundreds.
        stream::iter(units)
            .for_each_concurrent(self.cfg.pace.concurrency, |u| self.unit(u, Some(known)))
            .await;
    }

    /// A dry run's line for an attempt it would report (the first ones; all are counted).
    fn dry_line(&self, u: &unit::Unit) {
        if !self
            .tally
            .borrow_mut()
            .dry(&u.repo.to_string(), &u.workflow)
        {
            return;
        }
        let run = u.run.as_ref();
        let number = format!(
            "#{} attempt {}",
            run.and_then(|r| r.run_number).unwrap_or_default(),
            u.attempt
        );
        let conclusion = run
            .and_then(|r| r.conclusion.clone())
            .unwrap_or_else(|| "(earlier attempt)".into());
        let created = run
            .and_then(|r| r.created_at)
            .map(crate::time::stamp)
            .unwrap_or_default();
        let url = run.and_then(|r| r.html_url.clone()).unwrap_or_default();
        // Workflow names and URLs come from the listing (a fork's included): one writer.
        self.runner.row(&[
            &u.repo.to_string(),
            &u.workflow,
            &number,
            &conclusion,
            &created,
            &url,
        ]);
    }

    /// Says how it ended, in the log and the job summary; compacts the state; the exit code.
    async fn finish(&self, broken: bool) -> Ending {
        let cfg = self.cfg;
        self.progress.borrow().finish();
        let interrupted = self.stopped();
        let elapsed = self.progress.borrow().elapsed();
        let tally = self.tally.borrow();
        let budget = tally.budget(&tally::Budget {
            requests: self.gh.requests() as u64,
            not_modified: self.gh.not_modified() as u64,
            rate_limit: self.gh.rate_limit(),
            waited: self.pacer.waited(),
        });
        if let Err(e) = self.state.borrow_mut().compact() {
            self.runner
                .warning(&format!("could not rewrite the state file (`state`): {e}"));
        }
        let state = cfg.pace.state.as_ref().map(|p| p.display().to_string());
        let closing = tally::Closing {
            elapsed,
            interrupted,
            dry_run: cfg.behaviour.dry_run,
            budget: &budget,
            state: state.as_deref(),
            kept_beside_state: self.state.borrow().payloads_dir().is_some(),
        };
        for said in tally.closing(&closing) {
            match said {
                tally::Said::Info(m) => (self.say)(&m),
                tally::Said::Warning(m) => self.runner.warning(&m),
                tally::Said::Error(m) => self.runner.error(&m),
                tally::Said::Notice(m) => self.runner.notice(&m),
            }
        }
        if let Err(e) = self.runner.append_summary(&tally.markdown(&closing)) {
            self.runner.warning(&format!(
                "could not write the job summary (GITHUB_STEP_SUMMARY): {e}"
            ));
        }
        if interrupted && !self.out_of_time.load(Ordering::SeqCst) {
            Ending::Code(130)
        } else if broken || !tally.all_delivered() {
            Ending::Finished(crate::command::Ending::NotDelivered)
        } else {
            Ending::Finished(crate::command::Ending::Done)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::backfill::Selection;

    fn t(s: &str) -> chrono::DateTime<chrono::Utc> {
        crate::model::lenient::parse_time(s).unwrap()
    }

    fn selection() -> Selection {
        Selection {
            repositories: Vec::new(),
            organization: Some("acme".into()),
            include: Vec::new(),
            exclude: Vec::new(),
            workflows: Vec::new(),
            since: t("2026-11-01T00:00:00Z"),
            until: t("2026-11-08T12:30:00.750Z"),
            branch: None,
            event: None,
        }
    }

    fn repositories(n: usize, left_out: usize) -> select::Repositories {
        select::Repositories {
            chosen: (0..n)
                .map(|i| Repo::parse(&format!("acme/r{i}")).unwrap())
                .collect(),
            left_out,
            source: "organization acme".into(),
            default_branches: HashMap::new(),
        }
    }

    #[test]
    fn the_first_line_says_what_is_backfilled_and_in_which_window() {
        assert_eq!(
            opening(&selection(), &repositories(1, 0)),
            "Backfilling 1 repository (organization acme): completed runs created from \
             2026-11-01T00:00:00Z to 2026-11-08T12:30:00Z"
        );
        let narrowed = Selection {
            workflows: vec!["ci.yml".into(), "Deploy".into()],
            branch: Some("main".into()),
            event: Some("push".into()),
            ..selection()
        };
        assert_eq!(
            opening(&narrowed, &repositories(12, 3)),
            "Backfilling 12 repositories (organization acme; 3 left out by include/exclude): \
             completed runs created from 2026-11-01T00:00:00Z to 2026-11-08T12:30:00Z, \
             workflows ci.yml, Deploy, branch main, event push"
        );
    }
}
