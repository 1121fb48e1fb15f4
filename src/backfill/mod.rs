//! The `backfill` command: every completed run of the repositories and workflows chosen, created
//! in a window, reported to SEI exactly as `report --run-id` would report it (the same fetch,
//! the same [`pipeline`]), each attempt of a re-run its own SEI run. On a schedule with a short
//! window (`--since 2h`) it is a sweep.
//!
//! Its parts: [`select`] (which repositories and workflows), [`listing`] (the runs of a window,
//! split in ranges GitHub lists whole), [`known`] (what a listing already answers, so a run
//! costs its jobs and little more), [`history`] (the commits between runs, from one listing of
//! a branch), [`pace`] (GitHub's limits), [`state`] (what was delivered, for a start again),
//! [`progress`] (the bar, the lines, the summary). This file runs them:
//!
//! 1. the state: payloads of attempts that failed before are sent again first;
//! 2. the repositories, then, `concurrency` at a time, each repository's workflows and its
//!    listing, chunk by chunk, oldest first; every attempt not yet delivered is reported,
//!    `concurrency` at a time in all;
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
pub(crate) mod select;
pub(crate) mod state;

use crate::args::BackfillArgs;
use crate::clients::{Clients, GitHubUse};
use crate::command::{exit_code, Command, Context, Tokens};
use crate::config::backfill::Backfill;
use crate::config::InputError;
use crate::env::RunnerEnv;
use crate::github::client::GitHub;
use crate::github::fetch;
use crate::github::source::Source as Lookups;
use crate::keep::Place;
use crate::model::{Repo, Run, Workflow};
use crate::model::{RunRef, RunSource};
use crate::pipeline::{self, Status};
use crate::retry::SystemClock;
use crate::runner::{Level, Runner};
use futures_util::stream::{self, StreamExt};
use known::RepoKnown;
use progress::{Counts, Progress, Say};
use state::{Key, Outcome, State};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A line a minute in logs.
const LINE_EVERY: Duration = Duration::from_secs(60);
/// Lines of a dry run's listing, at most (the counts cover everything).
const DRY_RUN_LINES: usize = 10_000;

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

/// One run attempt to report.
struct Unit {
    repo: Repo,
    id: u64,
    attempt: u64,
    /// The attempt as the listing shows it (the latest one); `None`: read it.
    run: Option<Run>,
    /// The run's branch, as the listing shows it (every attempt's).
    branch: Option<String>,
    workflow: String,
}

/// Everything a backfill shares while it runs (one thread: cells are enough).
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
    state: RefCell<State>,
    place: Place,
    /// Attempts whose kept payload was sent again at the start: not rebuilt.
    resent: HashSet<Key>,
    /// Attempts that failed before without a payload: rebuilt, listed or not.
    rebuild: RefCell<HashMap<Key, (Repo, u64, u64)>>,
    progress: RefCell<Progress>,
    totals: RefCell<Counts>,
    repos: RefCell<BTreeMap<String, Counts>>,
    failures: RefCell<Vec<String>>,
    unlisted: RefCell<Vec<String>>,
    not_reached: Cell<u64>,
    warned: Cell<u64>,
    /// A dry run's counts per (repository, workflow), and its lines printed.
    dry: RefCell<BTreeMap<(String, String), u64>>,
    dry_lines: Cell<usize>,
    /// No repository has one of the workflows asked for.
    workflows_seen: RefCell<HashSet<String>>,
    /// Listings GitHub answered `304 Not Modified`: nothing new since the last sweep.
    quiet: Cell<u64>,
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

    let failed_before = st.failed();
    let mut rebuild = HashMap::new();
    let mut resend = Vec::new();
    for (k, payload) in failed_before {
        let repo = Repo::parse(&k.0);
        // Only what is a payload is sent again; anything else is refused and rebuilt.
        let payload = payload
            .filter(|p| p.is_file())
            .filter(|p| match kept_body(p) {
                Ok(_) => true,
                Err(why) => {
                    runner.warning(&format!(
                        "{why}: not sent; run {} attempt {} of {} is read from GitHub again",
                        k.1, k.2, k.0
                    ));
                    false
                }
            });
        match (payload, repo) {
            (Some(p), Some(_)) if !dry => resend.push((k, p)),
            (_, Some(repo)) => {
                rebuild.insert(k.clone(), (repo, k.1, k.2));
            }
            (_, None) => {}
        }
    }
    let ctx = Ctx {
        cfg,
        runner,
        say,
        gh,
        sei,
        pacer,
        slots: tokio::sync::Semaphore::new(cfg.pace.concurrency),
        stop,
        state: RefCell::new(st),
        place,
        resent: resend.iter().map(|(k, _)| k.clone()).collect(),
        rebuild: RefCell::new(rebuild),
        progress: RefCell::new(progress),
        totals: RefCell::default(),
        repos: RefCell::default(),
        failures: RefCell::default(),
        unlisted: RefCell::default(),
        not_reached: Cell::new(0),
        warned: Cell::new(0),
        dry: RefCell::default(),
        dry_lines: Cell::new(0),
        workflows_seen: RefCell::default(),
        quiet: Cell::new(0),
        default_branches: RefCell::default(),
    };
    ctx.resend(resend).await;
    let (s, u) = (&cfg.select.since, &cfg.select.until);
    let installation = select::is_installation_token(cfg.github.token.expose());
    let mut repos = match select::repositories(&ctx.gh, &cfg.select, installation).await {
        Ok(r) => r,
        Err(e) => {
            runner.error(&e);
            return ctx.finish(true).await;
        }
    };
    *ctx.default_branches.borrow_mut() = std::mem::take(&mut repos.default_branches);
    (ctx.say)(&format!(
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
        s.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        u.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        if cfg.select.workflows.is_empty() {
            String::new()
        } else {
            format!(", workflows {}", cfg.select.workflows.join(", "))
        },
        cfg.select
            .branch
            .as_ref()
            .map(|b| format!(", branch {b}"))
            .unwrap_or_default(),
        cfg.select
            .event
            .as_ref()
            .map(|e| format!(", event {e}"))
            .unwrap_or_default(),
    ));
    stream::iter(repos.chosen)
        .for_each_concurrent(cfg.pace.concurrency, |repo| ctx.repository(repo))
        .await;
    // Attempts that failed before without a payload and were not listed again: by id.
    let leftover: Vec<(Repo, u64, u64)> =
        ctx.rebuild.borrow_mut().drain().map(|(_, v)| v).collect();
    let units: Vec<Unit> = leftover
        .into_iter()
        .map(|(repo, id, attempt)| Unit {
            repo,
            id,
            attempt,
            run: None,
            branch: None,
            workflow: "(from the state)".into(),
        })
        .collect();
    ctx.totals.borrow_mut().found += units.len() as u64;
    for u in &units {
        ctx.repo_counts(&u.repo, |c| c.found += 1);
    }
    // No more of them at once than can run: a run waiting for a slot would hold its whole
    // future (fetch, mapping and delivery) meanwhile.
    stream::iter(units)
        .for_each_concurrent(cfg.pace.concurrency, |u| ctx.unit(u, None))
        .await;
    for w in &cfg.select.workflows {
        if !ctx
            .workflows_seen
            .borrow()
            .contains(&w.to_ascii_lowercase())
        {
            runner.warning(&format!(
                "no repository has a workflow `{w}` (`workflow`): give its file name, like \
                 `ci.yml`, or its name"
            ));
        }
    }
    ctx.finish(false).await
}

/// A payload a backfill kept, read (never through a link) and checked to be a payload
/// ([`crate::replay::check`]) before it is sent again.
fn kept_body(path: &std::path::Path) -> Result<Vec<u8>, String> {
    let body = crate::keep::read_kept(path, 64 * 1024 * 1024)
        .map_err(|e| format!("the kept payload {} cannot be read ({e})", path.display()))?;
    crate::replay::check(&body).map_err(|why| {
        format!(
            "the kept payload {} is not a payload ({why})",
            path.display()
        )
    })?;
    Ok(body)
}

/// Ctrl-C or SIGTERM: no new run attempt starts; a second one stops at once.
fn watch_signals(stop: Arc<AtomicBool>, say: Say) {
    tokio::spawn(async move {
        #[cfg(unix)]
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        loop {
            #[cfg(unix)]
            let got = match &mut term {
                Some(t) => {
                    tokio::select! {
                        r = tokio::signal::ctrl_c() => r.is_ok(),
                        r = t.recv() => r.is_some(),
                    }
                }
                None => tokio::signal::ctrl_c().await.is_ok(),
            };
            #[cfg(not(unix))]
            let got = tokio::signal::ctrl_c().await.is_ok();
            if !got {
                return;
            }
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

impl Ctx<'_> {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn repo_counts(&self, repo: &Repo, f: impl FnOnce(&mut Counts)) {
        let mut repos = self.repos.borrow_mut();
        f(repos.entry(repo.to_string()).or_default());
    }

    fn update(&self) {
        let c = self.totals.borrow().clone();
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
                pace::clock(r.reset)
            ),
            None => format!("GitHub: {} requests", self.gh.requests()),
        };
        let say = self.say.clone();
        self.progress
            .borrow_mut()
            .update(&c, &extra, move |m| say(m));
    }

    /// Sends again the payloads of attempts that failed before.
    async fn resend(&self, kept: Vec<(Key, std::path::PathBuf)>) {
        if kept.is_empty() {
            return;
        }
        (self.say)(&format!(
            "Sending again {} payload(s) a backfill could not deliver before",
            kept.len()
        ));
        let d = &self.cfg.delivery;
        stream::iter(kept)
            .for_each_concurrent(self.cfg.pace.concurrency, |(k, path)| async move {
                let Ok(body) = kept_body(&path) else {
                    return; // checked at the start: gone since
                };
                let repo = Repo::parse(&k.0);
                let clock = SystemClock::start();
                let log = self.runner.capture();
                let body = bytes::Bytes::from(body);
                let sent =
                    crate::delivery::send(d, &self.sei, &log, &clock, &body, "a kept payload")
                        .await;
                self.totals.borrow_mut().found += 1;
                let outcome = match sent {
                    Ok(_) => {
                        let _ = std::fs::remove_file(&path);
                        self.totals.borrow_mut().delivered += 1;
                        Outcome::Delivered
                    }
                    Err(f) => {
                        self.totals.borrow_mut().failed += 1;
                        self.failures.borrow_mut().push(format!(
                            "{} run {} attempt {}: {} (payload kept at {})",
                            k.0,
                            k.1,
                            k.2,
                            f.short,
                            path.display()
                        ));
                        Outcome::Failed(Some(path.clone()))
                    }
                };
                if let Some(repo) = &repo {
                    let delivered = outcome == Outcome::Delivered;
                    self.repo_counts(repo, |c| {
                        c.found += 1;
                        if delivered {
                            c.delivered += 1
                        } else {
                            c.failed += 1
                        }
                    });
                }
                self.record(k, outcome);
                self.update();
            })
            .await;
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
                    self.unlisted.borrow_mut().push(e);
                    return;
                }
            };
            let chosen = select::workflows(&workflows, &cfg.select.workflows).unwrap_or_default();
            let mut seen = self.workflows_seen.borrow_mut();
            for want in &cfg.select.workflows {
                if select::workflows(&workflows, std::slice::from_ref(want))
                    .is_some_and(|m| !m.is_empty())
                {
                    seen.insert(want.to_ascii_lowercase());
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
        self.repo_counts(&repo, |_| {});
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
                self.unlisted.borrow_mut().push(e);
            }
        }
    }

    /// With a state, the conditional listing first ([`listing`]): `true` when it answered for
    /// the window (unchanged since the last sweep, or holding the whole window, which is then
    /// reported), `false` when the window is to be listed.
    async fn watched(&self, repo: &Repo, known: &RepoKnown<'_>, q: &listing::Query) -> bool {
        let cfg = self.cfg;
        if cfg.pace.state.is_none() {
            return false;
        }
        let name = repo.to_string();
        let key = listing::watch_key(q);
        let last = self.state.borrow().watch(&name, &key).cloned();
        let h = self.gh.handle(SystemClock::start());
        let asked = h
            .first_runs_page_if(
                repo,
                q.workflow,
                &listing::watch_query(q),
                listing::PAGE,
                last.as_ref().map(|w| w.etag.as_str()),
            )
            .await;
        let (page, etag) = match asked {
            Ok(answer) => answer,
            // The window's listing says what is wrong, if anything still is.
            Err(_) => return false,
        };
        let Some(page) = page else {
            // 304: nothing changed since the last sweep.
            let covered = last
                .as_ref()
                .is_some_and(|w| listing::still_covers(w, cfg.select.since));
            if covered {
                self.quiet.set(self.quiet.get() + 1);
            }
            return covered;
        };
        // A run that could not be read is still one of the page's.
        let unreadable = page.workflow_runs.unreadable;
        let total = page.total_count.map(|t| t.saturating_sub(unreadable));
        let listing::Covered::Yes { runs, keep, oldest } = listing::covers(
            page.workflow_runs.items,
            total,
            cfg.select.since,
            cfg.select.until,
        ) else {
            return false;
        };
        self.chunk(
            repo,
            known,
            listing::Chunk {
                runs,
                cut: None,
                unreadable,
            },
        )
        .await;
        if let (Some(etag), true, false, false) =
            (etag, keep, cfg.behaviour.dry_run, self.stopped())
        {
            let watch = state::Watch {
                etag,
                since: cfg.select.since,
                oldest,
            };
            if let Err(e) = self.state.borrow_mut().set_watch(&name, &key, watch) {
                self.runner
                    .warning(&format!("could not write the state file (`state`): {e}"));
            }
        }
        true
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
            self.totals.borrow_mut().found += chunk.unreadable;
            self.totals.borrow_mut().skipped += chunk.unreadable;
            self.repo_counts(repo, |c| {
                c.found += chunk.unreadable;
                c.skipped += chunk.unreadable;
            });
            self.runner.warning(&format!(
                "{repo}: {} run(s) of GitHub's listing could not be read (text that is not valid, \
                 such as a lone surrogate escape in a name): skipped, the others reported",
                chunk.unreadable
            ));
        }
        let mut units = Vec::new();
        {
            let state = self.state.borrow();
            let mut totals = self.totals.borrow_mut();
            let mut repos = self.repos.borrow_mut();
            let counts = repos.entry(repo_name.clone()).or_default();
            let mut rebuild = self.rebuild.borrow_mut();
            for run in chunk.runs {
                let Some(id) = run.id else { continue };
                let latest = run.run_attempt.unwrap_or(1).max(1);
                let workflow = run
                    .name
                    .clone()
                    .or_else(|| run.path.clone())
                    .unwrap_or_else(|| "?".into());
                let branch = run.head_branch.clone();
                // The listing's run is the latest attempt's: moved into its unit, not copied.
                let mut listed = Some(run);
                for attempt in (1..=latest).rev() {
                    let k = state::key(&repo_name, id, attempt);
                    let run = listed.take();
                    if self.resent.contains(&k) {
                        continue; // counted when it was sent again
                    }
                    totals.found += 1;
                    counts.found += 1;
                    rebuild.remove(&k);
                    if state.delivered(&k) {
                        totals.already += 1;
                        counts.already += 1;
                        continue;
                    }
                    units.push(Unit {
                        repo: repo.clone(),
                        id,
                        attempt,
                        run,
                        branch: branch.clone(),
                        workflow: workflow.clone(),
                    });
                }
            }
        }
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

    fn dry_line(&self, u: &Unit) {
        *self
            .dry
            .borrow_mut()
            .entry((u.repo.to_string(), u.workflow.clone()))
            .or_default() += 1;
        let n = self.dry_lines.get();
        if n < DRY_RUN_LINES {
            self.dry_lines.set(n + 1);
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
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
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
    }

    /// Reports one run attempt, exactly as `report` would, and records how it ended.
    async fn unit(&self, u: Unit, known: Option<&RepoKnown<'_>>) {
        let Ok(_slot) = self.slots.acquire().await else {
            return;
        };
        if self.stopped() {
            self.not_reached.set(self.not_reached.get() + 1);
            return;
        }
        let cfg = self.cfg;
        let clock = SystemClock::start();
        let gh = self.gh.handle(clock.clone());
        let target = RunRef {
            repo: u.repo.clone(),
            id: u.id,
            attempt: Some(u.attempt),
            source: RunSource::Inputs,
        };
        let plan = fetch::Plan {
            // A run of the default branch (the organization's listing names it) is a branch's;
            // any other name is looked up once for the repository (the cache's tags).
            default_branch: self
                .default_branches
                .borrow()
                .get(&u.repo.to_string().to_ascii_lowercase())
                .cloned(),
            ..fetch::Plan::new(&cfg.send)
        };
        let cached = known.map(|k| k.for_run(&gh, u.branch.clone()));
        let src: &dyn Lookups = match &cached {
            Some(c) => c,
            None => &gh,
        };
        let log = self.runner.capture();
        let what = format!("{} run {} attempt {}", u.repo, u.id, u.attempt);
        let listed_branch = u.run.as_ref().and_then(|r| r.head_branch.clone());
        let (status, detail, kept) = match fetch::fetch_from(&gh, src, &target, u.run, &plan).await
        {
            Err(why) => {
                let why = why.to_string();
                log.error(&why);
                (Status::Failed, why, None)
            }
            Ok(data) => {
                let shape = pipeline::Shape {
                    send: &cfg.send,
                    repository: u.repo.to_string(),
                    job_status: None,
                };
                match pipeline::build(data, None, &shape, &log) {
                    Err(why) => {
                        log.error(&why);
                        (Status::Failed, why, None)
                    }
                    Ok(built) => {
                        let keep = pipeline::Keep::UntilDelivered(&self.place);
                        let route = pipeline::Route {
                            delivery: &cfg.delivery,
                            client: &self.sei,
                            dry_run: false,
                            refused: None,
                        };
                        let (o, _) = pipeline::send(built, &route, keep, &log, &clock).await;
                        (o.status, o.detail, o.payload_file)
                    }
                }
            }
        };
        if let (Some(known), Some(branch)) = (known, &listed_branch) {
            known.finished(branch);
        }
        for (level, text) in log.take_lines() {
            let label = match level {
                Some(Level::Error) => "error",
                Some(Level::Warning) => "warning",
                _ => continue,
            };
            self.warned
                .set(self.warned.get() + u64::from(level == Some(Level::Warning)));
            (self.say)(&format!("{what}: {label}: {text}"));
        }
        let k = state::key(&u.repo.to_string(), u.id, u.attempt);
        let outcome = match status {
            Status::Delivered => Some(Outcome::Delivered),
            Status::Failed => Some(Outcome::Failed(kept.clone())),
            Status::Skipped | Status::DryRun => None,
        };
        {
            let mut t = self.totals.borrow_mut();
            match status {
                Status::Delivered => t.delivered += 1,
                Status::Failed => t.failed += 1,
                Status::Skipped | Status::DryRun => t.skipped += 1,
            }
        }
        self.repo_counts(&u.repo, |c| match status {
            Status::Delivered => c.delivered += 1,
            Status::Failed => c.failed += 1,
            Status::Skipped | Status::DryRun => c.skipped += 1,
        });
        if status == Status::Failed {
            self.failures.borrow_mut().push(match &kept {
                Some(p) => format!("{what}: {detail} (payload kept at {})", p.display()),
                None => format!("{what}: {detail}"),
            });
        }
        if let Some(o) = outcome {
            self.record(k, o);
        }
        self.update();
    }

    /// Says how it ended, in the log and the job summary; compacts the state; the exit code.
    async fn finish(&self, broken: bool) -> Ending {
        let cfg = self.cfg;
        self.progress.borrow().finish();
        let interrupted = self.stopped();
        let c = self.totals.borrow().clone();
        let elapsed = self.progress.borrow().elapsed();
        let budget = self.budget(&c);
        if let Err(e) = self.state.borrow_mut().compact() {
            self.runner
                .warning(&format!("could not rewrite the state file (`state`): {e}"));
        }
        if cfg.behaviour.dry_run {
            self.dry_run_counts();
        }
        if cfg.behaviour.dry_run {
            (self.say)(&format!(
                "Done in {}: {} run attempts found, {} of them already delivered (dry run: \
                 nothing sent).",
                crate::retry::human(elapsed),
                progress::thousands(c.found),
                progress::thousands(c.already)
            ));
        } else {
            (self.say)(&format!(
                "Done in {}: {}.",
                crate::retry::human(elapsed),
                progress::line(&c)
            ));
        }
        (self.say)(&budget);
        if self.warned.get() > 0 {
            self.runner.warning(&format!(
                "{} warning(s) about run attempts: see the log above (each names its run)",
                self.warned.get()
            ));
        }
        let unlisted = self.unlisted.borrow().clone();
        for u in &unlisted {
            self.runner.error(u);
        }
        let failures = self.failures.borrow().clone();
        if !failures.is_empty() {
            self.runner.error(&format!(
                "{} run attempt(s) not delivered{}; they are sent again at the next start{}",
                failures.len(),
                if self.state.borrow().payloads_dir().is_some() {
                    " (their payloads kept beside the state file)"
                } else {
                    ""
                },
                if cfg.pace.state.is_none() {
                    " with --state (without it, `sei-cicd replay` each kept payload)"
                } else {
                    ""
                }
            ));
        }
        if interrupted {
            self.runner.notice(&format!(
                "Stopped before the end: {} run attempt(s) not reached; start again{} to go on",
                self.not_reached.get(),
                if cfg.pace.state.is_some() {
                    " with the same --state"
                } else {
                    " (with --state, what was delivered is skipped)"
                }
            ));
        }
        let state_shown = cfg.pace.state.as_ref().map(|p| p.display().to_string());
        let md = progress::markdown(&progress::Ending {
            counts: &c,
            repos: &self.repos.borrow(),
            failures: &failures,
            unlisted: &unlisted,
            budget: &budget,
            elapsed,
            interrupted,
            state: state_shown.as_deref(),
        });
        let md = if cfg.behaviour.dry_run {
            format!("{md}\n{}", self.dry_run_markdown())
        } else {
            md
        };
        if let Err(e) = self.runner.append_summary(&md) {
            self.runner.warning(&format!(
                "could not write the job summary (GITHUB_STEP_SUMMARY): {e}"
            ));
        }
        if interrupted {
            Ending::Code(130)
        } else if broken || !failures.is_empty() || !unlisted.is_empty() {
            Ending::Finished(crate::command::Ending::NotDelivered)
        } else {
            Ending::Finished(crate::command::Ending::Done)
        }
    }

    /// What GitHub's budget went to, in words.
    fn budget(&self, c: &Counts) -> String {
        let requests = self.gh.requests() as u64;
        let reported = c.delivered + c.failed + c.skipped;
        let per = if reported > 0 {
            format!(
                ", {:.2} a run attempt reported",
                requests as f64 / reported as f64
            )
        } else {
            String::new()
        };
        let free = match (self.gh.not_modified(), self.quiet.get()) {
            (0, _) => String::new(),
            (n, 0) => format!(", {n} answered `304 Not Modified` (free)"),
            (n, q) => format!(
                ", {n} answered `304 Not Modified` (free; {q} listing(s) unchanged since the \
                 last sweep)"
            ),
        };
        let left = match self.gh.rate_limit() {
            Some(r) => format!(
                "; the token has {} of {} left until {}",
                progress::thousands(r.remaining),
                progress::thousands(r.limit),
                pace::clock(r.reset)
            ),
            None => String::new(),
        };
        let waited = match self.pacer.waited() {
            d if d.is_zero() => String::new(),
            d => format!(
                "; waited {} for the rate limit to reset",
                crate::retry::human(d)
            ),
        };
        format!(
            "GitHub: {} requests{per}{free}{left}{waited}.",
            progress::thousands(requests)
        )
    }

    fn dry_run_counts(&self) {
        let dry = self.dry.borrow();
        let total: u64 = dry.values().sum();
        (self.say)(&format!(
            "Dry run: {} run attempt(s) would be reported (nothing sent){}:",
            progress::thousands(total),
            if self.dry_lines.get() >= DRY_RUN_LINES {
                format!(", the first {DRY_RUN_LINES} listed above")
            } else {
                String::new()
            }
        ));
        let mut per_repo: BTreeMap<&str, u64> = BTreeMap::new();
        for ((repo, _), n) in dry.iter() {
            *per_repo.entry(repo.as_str()).or_default() += n;
        }
        for (repo, n) in per_repo {
            (self.say)(&format!("  {repo}: {n}"));
            for ((_, w), m) in dry.iter().filter(|((r, _), _)| r == repo) {
                (self.say)(&format!("    {w}: {m}"));
            }
        }
    }

    fn dry_run_markdown(&self) -> String {
        let dry = self.dry.borrow();
        let mut md = String::from(
            "**Dry run**: what would be reported (nothing sent)\n\n| repository | workflow | run attempts |\n|---|---|---:|\n",
        );
        for ((repo, w), n) in dry.iter().take(500) {
            // Workflow names come from the listing (a fork's too): text, not Markdown.
            md.push_str(&format!(
                "| {} | {} | {n} |\n",
                crate::summary::code_span(repo),
                crate::summary::cell(w)
            ));
        }
        md
    }
}
