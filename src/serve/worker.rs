//! The workers: each queued run attempt reported through `report`'s own entry
//! ([`crate::report::attempt`]), at most `workers` at once, each within the `timeout` deadline,
//! with GitHub read as the App's installation (its token cached, see [`super::app`]) or with
//! the token. A report's lines go to the log with its delivery and run ids; how it ended goes
//! to the metrics. A report that failed (SEI down past every retry, say) keeps its payload in
//! the payloads folder and is left for the sweep.

use super::app::App;
use super::log::{About, Log};
use super::queue::Job;
use super::Shared;
use crate::clients::{Clients, GitHubUse};
use crate::config::serve::Serve;
use crate::config::Reporting;
use crate::github::client::GitHub;
use crate::keep::Place;
use crate::pipeline::Status;
use crate::report::{self, Attempt};
use crate::retry::SystemClock;
use crate::runner::{Level, Runner};
use crate::secret::Secret;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// How GitHub is read.
pub(crate) enum Source {
    /// One client, with the token.
    Token(GitHub),
    /// A client per installation, made again when its token is.
    App {
        app: Arc<App>,
        clients: Mutex<HashMap<u64, (u64, Arc<GitHub>)>>,
    },
}

pub(crate) struct Workers {
    pub cfg: Arc<Serve>,
    pub reporting: Reporting,
    pub shared: Arc<Shared>,
    pub source: Source,
    /// The clients GitHub and SEI are reached through.
    pub clients: Clients,
    pub keep: Place,
    pub runner: Runner,
    pub log: Log,
}

/// Requests to GitHub in flight at most, per token: GitHub allows 100.
fn in_flight(workers: usize) -> usize {
    (workers * 4).clamp(16, 100)
}

/// A client on the API with `token`, retries said in the log.
pub(crate) fn client(
    clients: &Clients,
    cfg: &Serve,
    log: &Log,
    token: &Secret,
) -> Result<GitHub, String> {
    let log = log.clone();
    let using = GitHubUse {
        access: &cfg.github,
        token,
        policy: cfg.delivery.policy,
        clock: SystemClock::start(),
        in_flight: in_flight(cfg.workers),
    };
    clients.github(using, move |m| {
        log.info(&format!("GitHub: {m}"), &About::default())
    })
}

impl Workers {
    /// Reports every job of `rx`, `workers` at once, until the queue is closed and empty.
    pub(crate) async fn run(&self, rx: mpsc::Receiver<Job>) {
        futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|j| (j, rx)) })
            .for_each_concurrent(self.cfg.workers, |job| self.report(job))
            .await
    }

    /// A handle with this report's deadline on the client for `installation`.
    async fn github(
        &self,
        installation: Option<u64>,
        clock: &SystemClock,
    ) -> Result<(GitHub, String), String> {
        match &self.source {
            Source::Token(gh) => Ok((gh.handle(clock.clone()), "token".to_owned())),
            Source::App { app, clients } => {
                let Some(id) = installation else {
                    return Err(
                        "the delivery names no App installation (`installation.id`): \
                                is it from the App's webhook?"
                            .to_owned(),
                    );
                };
                let token = app.token(id, &self.cfg.delivery.policy, clock).await?;
                let held = clients.lock().unwrap().get(&id).cloned();
                let gh = match held {
                    Some((serial, gh)) if serial == token.serial => gh,
                    _ => {
                        let gh =
                            Arc::new(client(&self.clients, &self.cfg, &self.log, &token.secret)?);
                        clients
                            .lock()
                            .unwrap()
                            .insert(id, (token.serial, gh.clone()));
                        gh
                    }
                };
                Ok((gh.handle(clock.clone()), id.to_string()))
            }
        }
    }

    async fn report(&self, job: Job) {
        let m = &self.shared.metrics;
        m.in_progress.fetch_add(1, Ordering::Relaxed);
        let t = &job.wanted.target;
        let about = About {
            delivery: (!job.delivery.is_empty()).then(|| job.delivery.clone()),
            repository: Some(t.repo.to_string()),
            run_id: Some(t.id),
            run_attempt: t.attempt,
        };
        let clock = SystemClock::start();
        let capture = self.runner.capture();
        let (status, detail) = match self.github(job.wanted.installation, &clock).await {
            Err(why) => (Status::Failed, why),
            Ok((gh, who)) => {
                let done = report::attempt(
                    Attempt {
                        reporting: &self.reporting,
                        gh: &gh,
                        sei: &self.clients.sei,
                        target: t,
                        hint: Some(job.wanted.run.clone()),
                        default_branch: job.wanted.default_branch.clone(),
                        keep: &self.keep,
                    },
                    &capture,
                    &clock,
                )
                .await;
                m.github_requests
                    .fetch_add(done.requests as u64, Ordering::Relaxed);
                m.github_seconds.observe(done.github);
                if let Some(r) = gh.rate_limit() {
                    m.rate_limit(who, r.remaining, r.limit);
                }
                let o = done.outcome;
                if o.status == Status::Delivered {
                    m.sei_seconds.observe(done.sei);
                    m.delivery_to_report_seconds.observe(job.arrived.elapsed());
                }
                let detail = match (o.status, &o.payload_file) {
                    (Status::Delivered, _) => format!(
                        "delivered to SEI: HTTP {}",
                        o.http_status.unwrap_or_default()
                    ),
                    (Status::Failed, Some(p)) => format!(
                        "not delivered: {}; the payload is kept at {} (`sei-cicd replay` sends \
                         it again), and the sweep reports the run",
                        o.detail,
                        p.display()
                    ),
                    (Status::Failed, None) => {
                        format!("not delivered: {}; the sweep reports the run", o.detail)
                    }
                    (s, _) => format!("{}: {}", s.as_str(), o.detail),
                };
                (o.status, detail)
            }
        };
        for (level, text) in capture.take_lines() {
            match level {
                Some(Level::Error) if status == Status::Failed => {} // said below
                Some(Level::Error) => self.log.error(&text, &about),
                Some(Level::Warning) => self.log.warn(&text, &about),
                // A dry run's payload is what was asked for.
                _ if status == Status::DryRun => self.log.info(&text, &about),
                _ => self.log.debug(&text, &about),
            }
        }
        let took = crate::time::human(job.arrived.elapsed());
        match status {
            Status::Failed => self.log.error(&format!("{detail} ({took})"), &about),
            _ => self.log.info(&format!("{detail} ({took})"), &about),
        }
        m.report(match status {
            Status::Delivered => "delivered",
            Status::Failed => "failed",
            Status::DryRun => "dry_run",
            Status::Skipped => "skipped",
        });
        self.shared.intake.finished(&job, status == Status::Failed);
        m.in_progress.fetch_sub(1, Ordering::Relaxed);
    }
}
