//! The base of a deployment's commits: for each environment `cd-environments` counts that this
//! attempt deployed to, the same workflow's previous successful deployment there, whatever
//! event, branch or tag started either run ([`crate::map::deployments`] has the rules). The
//! commits are those between its commit and the head, one range per environment, their union
//! at most SEI's 100.
//!
//! The requests: each environment's deployments before this attempt's own
//! (`?environment=`, guessed as soon as the head commit's deployments name the environment,
//! beside the statuses that tell which are this attempt's); then, in batches of
//! [`deployments::BASE_BATCH`] (at most [`deployments::MAX_BASE_CANDIDATES`]), their statuses
//! together, then together the runs their `success` statuses name (to know their workflow);
//! then the compare. Every environment at once.

use super::deployments::{Deployed, Early};
use super::{short, Found, Plan, SharedRun};
use crate::github::error::Error;
use crate::github::source::Source;
use crate::map::commits;
use crate::map::deployments::{self as rules, Base, BASE_BATCH, MAX_BASE_CANDIDATES};
use crate::model::{Deployment, Note, Repo, Run};
use futures_util::future::{join, join_all, try_join_all};
use tokio::sync::oneshot;

/// Deployments to an environment asked in the guess, before the statuses say which is this
/// attempt's: one page; the search reads on from the oldest when it needs more.
const GUESS_LIMIT: usize = rules::ENVIRONMENT_PAGE as usize;

/// A range compared: its base, and the newest commits of `base...head` with their count.
pub(super) type Range = (String, (Vec<String>, u64));

/// What the search for the deployments' bases found.
pub(super) enum Bases {
    /// The attempt deployed nowhere that counts (or a base does not apply): the previous success
    /// of the run's kind.
    NotDeployed,
    /// The bases found, and the environments without one (and why).
    Found {
        run: Box<Run>,
        found: Vec<Base>,
        missing: Vec<(String, Miss)>,
    },
    /// A look-up failed: the note says so, and the previous success of the run's kind is used.
    Failed(Note),
}

/// Why an environment has no base.
pub(super) enum Miss {
    /// No earlier successful deployment of this workflow there.
    None,
    /// None among the [`MAX_BASE_CANDIDATES`] deployments before this attempt's.
    Bound,
}

pub(super) async fn bases<F, D>(
    src: &dyn Source,
    repo: &Repo,
    plan: &Plan<'_>,
    run: SharedRun<F>,
    early: oneshot::Receiver<Early>,
    deployed: SharedRun<D>,
) -> Bases
where
    F: std::future::Future<Output = Result<Run, Error>>,
    D: std::future::Future<Output = Found<Deployed>>,
{
    let counted = early.await.unwrap_or_default();
    if counted.is_empty() {
        return Bases::NotDeployed;
    }
    let guesses = join_all(counted.iter().map(|(env, newest)| async move {
        let before = newest + 1;
        let answer = src
            .environment_deployments(repo, env, before, GUESS_LIMIT)
            .await;
        (env.clone(), before, answer)
    }));
    let (guesses, deployed) = join(guesses, deployed).await;
    let (Found::Yes(deployed), Ok(run)) = (deployed, run.await) else {
        return Bases::NotDeployed; // the deployments chain says why
    };
    // This attempt's own deployment to each environment that counts: its oldest there.
    let mut ours: Vec<(String, u64)> = Vec::new();
    for l in deployed
        .ours
        .iter()
        .filter(|l| plan.cd_environments.counts(&l.environment))
    {
        match ours.iter_mut().find(|(e, _)| *e == l.environment) {
            Some(o) => o.1 = o.1.min(l.id),
            None => ours.push((l.environment.clone(), l.id)),
        }
    }
    if ours.is_empty() {
        return Bases::NotDeployed;
    }
    // In the order the attempt deployed.
    ours.sort_by_key(|o| o.1);
    let searches = ours.iter().map(|(env, id)| {
        let guessed = guesses
            .iter()
            .find(|(e, before, _)| e == env && before > id)
            .and_then(|(_, _, answer)| answer.as_ref().ok())
            .map(|list| {
                let older: Vec<Deployment> = rules::older_than(list, *id)
                    .into_iter()
                    .take(MAX_BASE_CANDIDATES)
                    .cloned()
                    .collect();
                (older, list.len() < GUESS_LIMIT)
            });
        find(src, repo, env, *id, &run, guessed)
    });
    let results = join_all(searches).await;
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for ((env, _), result) in ours.iter().zip(results) {
        match result {
            Ok(Ok(base)) => found.push(base),
            Ok(Err(miss)) => missing.push((env.clone(), miss)),
            Err(e) => {
                return Bases::Failed(Note::warning(format!(
                    "could not find the previous deployment to `{env}` ({e}): the commits \
                     count from the previous success of the run's kind{}",
                    e.hint("deployments: read` and `actions: read")
                )))
            }
        }
    }
    Bases::Found {
        run: Box::new(run),
        found,
        missing,
    }
}

/// The previous successful deployment of this workflow to `env`, older than `ours`: from the
/// guessed listing when it fits (`(older deployments, the list ended)`), read further as needed.
async fn find(
    src: &dyn Source,
    repo: &Repo,
    env: &str,
    ours: u64,
    run: &Run,
    guessed: Option<(Vec<Deployment>, bool)>,
) -> Result<Result<Base, Miss>, Error> {
    let (mut pending, mut ended) = guessed.unwrap_or_default();
    let mut before = ours;
    let mut examined = 0;
    loop {
        if pending.is_empty() {
            if ended {
                return Ok(Err(Miss::None));
            }
            if examined >= MAX_BASE_CANDIDATES {
                return Ok(Err(Miss::Bound));
            }
            let want = MAX_BASE_CANDIDATES - examined;
            pending = src.environment_deployments(repo, env, before, want).await?;
            ended = pending.len() < want;
            if pending.is_empty() {
                return Ok(Err(Miss::None));
            }
        }
        let take = BASE_BATCH
            .min(pending.len())
            .min(MAX_BASE_CANDIDATES - examined);
        let batch: Vec<Deployment> = pending.drain(..take).collect();
        examined += take;
        before = batch.last().and_then(|d| d.id).unwrap_or(before);
        if examined >= MAX_BASE_CANDIDATES {
            pending.clear();
        }
        let statuses = try_join_all(
            batch
                .iter()
                .map(|d| src.deployment_statuses(repo, d.id.unwrap_or_default())),
        )
        .await?;
        let checked: Vec<_> = batch.iter().zip(statuses).collect();
        // A run gone since (deleted) tells nothing: left out.
        let runs: Vec<Run> = join_all(
            rules::runs_to_read(&checked, run)
                .into_iter()
                .map(|id| src.run(repo, id)),
        )
        .await
        .into_iter()
        .filter_map(Result::ok)
        .collect();
        if let Some(base) = rules::pick_base(env, &checked, run, &runs) {
            return Ok(Ok(base));
        }
    }
}

/// The commits since each base, their union newest first (at most SEI's 100), and the log's
/// words for them.
pub(super) async fn commits(
    src: &dyn Source,
    repo: &Repo,
    run: &Run,
    found: &[Base],
    missing: &[(String, Miss)],
    known: Option<&Range>,
) -> Found<(Vec<String>, String)> {
    let head = run.head_sha.clone().unwrap_or_default();
    let ranges = try_join_all(found.iter().map(|b| async {
        match known {
            // The previous success's own commit: its range is compared already.
            Some((base, range)) if base.eq_ignore_ascii_case(&b.sha) => Ok(range.clone()),
            _ => src.between(repo, &b.sha, &head).await,
        }
    }))
    .await;
    let ranges = match ranges {
        Ok(r) => r,
        Err(e) => {
            return Found::No(Some(Note::warning(format!(
                "could not list the commits since the previous deployment ({e}): reporting \
                 the head commit only{}",
                e.hint("contents: read")
            ))))
        }
    };
    let of = |b: &Base| match b.run_number {
        Some(n) => format!("`{}` of run #{n}", b.environment),
        None => format!("`{}` of run {}", b.environment, b.run_id),
    };
    let said = match (found, ranges.as_slice()) {
        ([b], [(_, total)]) => format!(
            "since the deployment to {} ({} to {}, {total} commit(s))",
            of(b),
            short(&b.sha),
            short(&head)
        ),
        _ => format!(
            "since the deployments to {} (to {})",
            found
                .iter()
                .zip(&ranges)
                .map(|(b, (_, total))| format!("{} ({}, {total} commit(s))", of(b), short(&b.sha)))
                .collect::<Vec<_>>()
                .join(" and to "),
            short(&head)
        ),
    };
    let list = rules::union(ranges.into_iter().map(|r| r.0).collect(), commits::MAX);
    Found::Yes((list, format!("{said}{}", describe(missing))))
}

/// The commits since the previous success of the run's kind, saying why no deployment was the
/// base.
pub(super) fn without(
    found: Found<(Vec<String>, String)>,
    missing: &[(String, Miss)],
) -> Found<(Vec<String>, String)> {
    let why = describe(missing);
    match found {
        Found::Yes((list, said)) => Found::Yes((list, format!("{said}{why}"))),
        Found::No(Some(note)) if !note.warning => {
            Found::No(Some(Note::info(format!("{}{why}", note.text))))
        }
        other => other,
    }
}

/// `; no earlier successful deployment of this workflow to `staging`` for each environment
/// without a base.
fn describe(missing: &[(String, Miss)]) -> String {
    missing
        .iter()
        .map(|(env, miss)| match miss {
            Miss::None => {
                format!("; no earlier successful deployment of this workflow to `{env}`")
            }
            Miss::Bound => format!(
                "; none of the {MAX_BASE_CANDIDATES} deployments to `{env}` before this one is \
                 a successful one of this workflow"
            ),
        })
        .collect()
}
