//! The `serve` command: a webhook receiver for GitHub's `workflow_run` deliveries (a GitHub App's
//! or an organization webhook's) that reports every completed run attempt exactly as
//! `report --run-id --run-attempt` would, through the same entry ([`crate::report::attempt`]).
//!
//! Its parts: [`routes`] (the HTTP side and its answers), [`signature`] (`X-Hub-Signature-256`),
//! [`event`] (what a delivery asks for), [`queue`] (the bounded queue, and what was taken),
//! [`worker`] (reporting in the background), [`app`] (the App's JWT and installation tokens),
//! [`api`] (GitHub's App and hook endpoints), [`redeliver`] (asking GitHub again for failed
//! deliveries), [`metrics`] (`/metrics`) and [`log`] (JSON lines). This file runs them:
//!
//! 1. the inputs checked, secrets masked, the SEI instance checked once;
//! 2. the listener bound; deliveries answered at once (202, 200, 401, 503), reports made in
//!    the background, `workers` at a time; a redelivery pass at start and every
//!    `redeliver-every`;
//! 3. on SIGTERM or Ctrl-C: `/readyz` answers 503, no new connection is taken, the queue is
//!    closed and drained for at most `drain-timeout`; what is left is said, run by run, for the
//!    sweep. A second signal stops at once.
//!
//! Nothing that matters is kept between processes: SEI keeps the first report of a run attempt,
//! so replicas behind a load balancer are safe.

pub(crate) mod api;
pub(crate) mod app;
pub(crate) mod event;
pub(crate) mod log;
pub(crate) mod metrics;
pub(crate) mod queue;
pub(crate) mod redeliver;
pub(crate) mod routes;
pub(crate) mod signature;
pub(crate) mod worker;

use crate::args::ServeArgs;
use crate::clients::Clients;
use crate::command::{Command, Context, Tokens};
use crate::config::serve::{Auth, Hook, Serve};
use crate::config::InputError;
use crate::env::RunnerEnv;
use crate::keep::Place;
use crate::runner::Runner;
use crate::signal::Signals;
use log::{About, Log};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What the HTTP side and the workers share.
pub(crate) struct Shared {
    pub key: signature::Key,
    pub intake: queue::Intake,
    pub metrics: metrics::Metrics,
    pub log: Log,
    /// Deliveries are taken (started, not stopping).
    pub ready: AtomicBool,
    /// KiB of bodies being read ([`routes::BODY_BUDGET_KIB`]).
    pub budget: tokio::sync::Semaphore,
}

/// Runs until it is stopped: exit code 2 for bad inputs, 1 when it cannot start, 0 after a stop.
impl Command for ServeArgs {
    type Settings = Serve;
    const NAME: &'static str = "serve";

    fn tokens(&self) -> Tokens<'_> {
        Tokens {
            sei: &self.reporting.sei,
            github: Some(&self.reporting.github),
        }
    }

    /// A service: lines on stderr (JSON lines in a log collector), never workflow commands.
    fn runner(&self, env: &RunnerEnv) -> Runner {
        Runner::new(&RunnerEnv {
            in_actions: false,
            ..env.clone()
        })
    }

    fn warn(&self, cx: &Context, message: &str) {
        Log::new(cx.runner.clone(), cx.env.debug).warn(message, &About::default());
    }

    fn load(&self, cx: &Context) -> Result<(Serve, Vec<String>), Vec<InputError>> {
        let mut cfg = crate::config::serve::load(self, cx.env)?;
        cx.runner.mask(&cfg.secret);
        let warnings = std::mem::take(&mut cfg.warnings);
        Ok((cfg, warnings))
    }

    fn bad_input(&self, cx: &Context, errors: &[InputError]) -> u8 {
        let log = Log::new(cx.runner.clone(), cx.env.debug);
        for e in errors {
            log.error(&e.0, &About::default());
        }
        2
    }

    async fn run(&self, cfg: Serve, cx: &Context<'_>) -> u8 {
        let log = Log::new(cx.runner.clone(), cx.env.debug);
        serve(Arc::new(cfg), cx.runner.clone(), log).await
    }
}

/// The folder failed reports keep their payloads in.
fn payloads_folder(log: &Log) -> Place {
    let dir = std::env::temp_dir().join("sei-cicd-serve");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        log.warn(
            &format!(
                "cannot create {} for the payloads of failed reports ({e}): the temporary \
                 folder is used",
                dir.display()
            ),
            &About::default(),
        );
        let t = std::env::temp_dir();
        return Place {
            write: t.clone(),
            shown: t,
        };
    }
    Place {
        write: dir.clone(),
        shown: dir,
    }
}

async fn serve(cfg: Arc<Serve>, runner: Runner, log: Log) -> u8 {
    let none = About::default();
    let clients = match Clients::new(&cfg.delivery) {
        Ok(c) => c,
        Err(why) => {
            log.error(&why, &none);
            return 1;
        }
    };
    let listener = match tokio::net::TcpListener::bind(cfg.listen).await {
        Ok(l) => l,
        Err(e) => {
            log.error(
                &format!(
                    "cannot listen on {} ({e}): choose another `listen` address or port",
                    cfg.listen
                ),
                &none,
            );
            return 1;
        }
    };
    let bound = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    // SEI drops, without a word, the runs of an instance it does not know: ask once, first.
    if !cfg.behaviour.dry_run {
        let guid = &cfg.send.mapping.instance_guid;
        let capture = runner.capture();
        let found =
            crate::delivery::check_instance(&cfg.delivery, &clients.sei, guid, &capture).await;
        if let Some(why) = found.problem(guid, &cfg.delivery.sei_base) {
            log.error(&format!("{why}: nothing can be reported"), &none);
            return 1;
        }
    }
    let (intake, rx) = queue::Intake::new(cfg.queue);
    let shared = Arc::new(Shared {
        key: signature::Key::new(cfg.secret.expose()),
        intake,
        metrics: metrics::Metrics::default(),
        log: log.clone(),
        ready: AtomicBool::new(false),
        budget: tokio::sync::Semaphore::new(routes::BODY_BUDGET_KIB),
    });
    // Never following a redirect, as SEI's: a POST for a token must not turn into a GET.
    let api = api::Api::new(clients.sei.clone(), &cfg.github.api_url);
    let (source, app, github_as) = match &cfg.auth {
        Auth::App { id, key } => {
            let app = Arc::new(app::App::new(*id, key.clone(), api.clone()));
            let source = worker::Source::App {
                app: app.clone(),
                clients: Default::default(),
            };
            (source, Some(app), format!("as the GitHub App {id}"))
        }
        Auth::Token => match worker::client(&clients, &cfg, &log, &cfg.github.token) {
            Ok(gh) => (worker::Source::Token(gh), None, "with the token".to_owned()),
            Err(why) => {
                log.error(&why, &none);
                return 1;
            }
        },
    };
    let workers = worker::Workers {
        cfg: cfg.clone(),
        reporting: cfg.reporting(),
        shared: shared.clone(),
        source,
        clients,
        keep: payloads_folder(&log),
        runner: runner.clone(),
        log: log.clone(),
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    watch_signals(stop_tx, log.clone());
    let server = {
        let mut stop = stop_rx.clone();
        let app = routes::router(shared.clone());
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|s| *s).await;
                })
                .await
        })
    };
    shared.ready.store(true, Ordering::SeqCst);
    log.info(
        &format!(
            "listening on {bound}: deliveries at POST /webhook; reading GitHub at {} {github_as}; \
             reporting to {}; {} workers, a queue of {}",
            cfg.github.api_url, cfg.delivery.sei_endpoint, cfg.workers, cfg.queue
        ),
        &none,
    );
    let redelivery = redelivery_loop(&cfg, api, app.as_deref(), &shared, stop_rx.clone());
    let closing = async {
        let mut stop = stop_rx.clone();
        let _ = stop.wait_for(|s| *s).await;
        shared.ready.store(false, Ordering::SeqCst);
        shared.intake.close();
        log.info(
            &format!(
                "stopping: no new delivery is taken; draining {} queued and {} under way for at \
                 most {}",
                shared.intake.open().len().saturating_sub(
                    shared.metrics.in_progress.load(Ordering::Relaxed).max(0) as usize
                ),
                shared.metrics.in_progress.load(Ordering::Relaxed),
                crate::time::human(cfg.drain)
            ),
            &About::default(),
        );
    };
    let work = async {
        let drain = workers.run(rx);
        tokio::pin!(drain);
        let mut stop = stop_rx.clone();
        tokio::select! {
            _ = &mut drain => true,
            _ = async {
                let _ = stop.wait_for(|s| *s).await;
                tokio::time::sleep(cfg.drain).await;
            } => false,
        }
    };
    let (drained, _, _) = tokio::join!(work, redelivery, closing);
    let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
    let left = shared.intake.open();
    if drained && left.is_empty() {
        log.info("stopped: every delivery taken was reported", &none);
    } else {
        for (delivery, (repo, id, attempt)) in &left {
            log.warn(
                "left for the sweep: not reported before the stop",
                &About {
                    delivery: (!delivery.is_empty()).then(|| delivery.clone()),
                    repository: Some(repo.clone()),
                    run_id: Some(*id),
                    run_attempt: Some(*attempt),
                },
            );
        }
        log.warn(
            &format!(
                "stopped after {}: {} run attempt(s) taken and not reported, listed above; the \
                 next sweep (`backfill`) reports them",
                crate::time::human(cfg.drain),
                left.len()
            ),
            &none,
        );
    }
    0
}

/// A redelivery pass at start, then every `redeliver-every`, until the stop.
async fn redelivery_loop(
    cfg: &Serve,
    api: api::Api,
    app: Option<&app::App>,
    shared: &Shared,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let (Some(every), false) = (cfg.redeliver_every, cfg.hook == Hook::Unknown) else {
        return;
    };
    let r = redeliver::Redeliver::new(api, cfg.hook.clone(), cfg.redeliver_since);
    let none = About::default();
    loop {
        let cred = match app {
            Some(app) => redeliver::Credential::App(app),
            None => redeliver::Credential::Token(&cfg.github.token),
        };
        let pass = r.pass(cred, &cfg.delivery.policy, &shared.log, &shared.metrics);
        tokio::select! {
            done = pass => match done {
                Ok(p) => {
                    shared.metrics.pass("done");
                    shared.log.info(
                        &format!(
                            "redelivery pass: {} deliveries of the last {} listed, {} failed \
                             ones asked again{}",
                            p.listed,
                            crate::time::human(cfg.redeliver_since),
                            p.asked,
                            match p.refused {
                                0 => String::new(),
                                n => format!(", {n} refused by GitHub"),
                            }
                        ),
                        &none,
                    );
                }
                Err(e) => {
                    shared.metrics.pass("failed");
                    shared.log.warn(&format!("redelivery pass: {e}"), &none);
                }
            },
            _ = stop.wait_for(|s| *s) => return,
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// SIGTERM or Ctrl-C: a stop; a second one stops at once.
fn watch_signals(stop: tokio::sync::watch::Sender<bool>, log: Log) {
    tokio::spawn(async move {
        let mut signals = Signals::new();
        while signals.next().await {
            if *stop.borrow() {
                log.warn(
                    "stopped again: stopping now; the sweep reports what was not",
                    &About::default(),
                );
                std::process::exit(1);
            }
            let _ = stop.send(true);
        }
    });
}
