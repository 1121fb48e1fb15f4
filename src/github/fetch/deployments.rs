//! The environments this attempt deployed to (rule 2 of [`crate::map::cicd`], the
//! `deployed_to:` parameters, the base of a deployment's commits): every deployment of the head
//! commit made while the run ran (guessed from the hint in round 1, every page, bounded), the
//! statuses of those (which link a deployment to the job that made it), then the attempt's jobs
//! tell which are this attempt's ([`deployments::of_attempt`]). For a run started by a
//! `deployment` event, the environment of the deployment that started it.
//!
//! As soon as the head commit's deployments are read, the environments that count among them
//! are told to the commits chain ([`Early`]), which starts looking for their earlier
//! deployments while the statuses are read.

use super::guess::Guess;
use super::{short, Found, Plan, SharedRun};
use crate::github::error::Error;
use crate::github::source::Source;
use crate::map::commits::Mode;
use crate::map::deployments::{self, Attempt, Linked};
use crate::map::{branch, cicd};
use crate::model::{Note, Repo, Run};
use futures_util::future::{join, try_join_all};
use tokio::sync::oneshot;

/// What the deployments chain found.
#[derive(Debug, Clone, Default)]
pub(super) struct Deployed {
    /// This attempt's deployments.
    pub ours: Vec<Linked>,
    /// A `deployment` run's environment, from the deployment that started it.
    pub trigger: Option<String>,
    /// Deployments left unread past the bound.
    pub note: Option<Note>,
}

/// Environments that count among the head commit's deployments made while the run ran, each
/// with its newest such deployment's id: where this attempt may have deployed, told as soon as
/// the deployments are read (empty when a deployment's commits cannot apply: `ci-cd: ci`, a
/// fork's pull request, `commits` other than `since-last-success`).
pub(super) type Early = Vec<(String, u64)>;

pub(super) async fn chain<F>(
    src: &dyn Source,
    repo: &Repo,
    plan: &Plan<'_>,
    run: SharedRun<F>,
    attempt: oneshot::Receiver<Attempt>,
    early: oneshot::Sender<Early>,
) -> Found<Deployed>
where
    F: std::future::Future<Output = Result<Run, Error>>,
{
    // The hint of a step inside the run knows no creation time: every page of the commit's.
    let guess = Guess::ask(
        plan.hint.as_ref().and_then(|h| h.head_sha.clone()),
        |sha| async move { src.commit_deployments(repo, &sha, None).await },
    );
    let (guess, run) = join(guess, run).await;
    let Ok(run) = run else {
        return Found::No(None);
    };
    let (Some(sha), Some(run_id)) = (run.head_sha.clone(), run.id) else {
        return Found::No(None);
    };
    let fail = |e: Error| {
        Found::No(Some(Note::warning(format!(
            "could not read the deployments of {} ({e}): the environments this run deployed \
             to are not known (`ci-cd: auto` cannot see them, no `deployed_to:` parameter, the \
             commits count from the previous success of the run's kind){}",
            short(&sha),
            e.hint("deployments: read")
        ))))
    };
    let since = deployments::since(&run);
    let all = guess
        .or_ask(
            |s| s.eq_ignore_ascii_case(&sha),
            || src.commit_deployments(repo, &sha, since),
        )
        .await;
    let all = match all {
        // What a guess read beyond the run's creation is not the run's.
        Ok(mut list) => {
            list.retain(|d| deployments::created_since(d, since));
            list
        }
        Err(e) => return fail(e),
    };
    let trigger = (run.event.as_deref() == Some("deployment"))
        .then(|| deployments::triggering_deployment(&all, &run))
        .flatten()
        .and_then(|d| d.environment.clone());
    let (candidates, more) = deployments::candidates(&all, &run);
    let base_may_apply = plan.ci_cd != cicd::Setting::Ci
        && plan.commits == Mode::SinceLastSuccess
        && branch::fork_owner(&run).is_none();
    let mut counted: Early = Vec::new();
    if base_may_apply {
        for d in &candidates {
            if let (Some(env), Some(id)) = (&d.environment, d.id) {
                if plan.cd_environments.counts(env) && !counted.iter().any(|(e, _)| e == env) {
                    counted.push((env.clone(), id));
                }
            }
        }
    }
    let _ = early.send(counted);
    let statuses = try_join_all(
        candidates
            .iter()
            .map(|d| src.deployment_statuses(repo, d.id.unwrap_or_default())),
    )
    .await;
    let checked: Vec<_> = match statuses {
        Ok(s) => candidates.into_iter().zip(s).collect(),
        Err(e) => return fail(e),
    };
    let linked = deployments::linked(&checked, run_id);
    // Which are this attempt's: its jobs tell (waited for only when some deployment is the run's).
    let ours = if linked.is_empty() {
        Vec::new()
    } else {
        match attempt.await {
            Ok(a) => deployments::of_attempt(&linked, &a),
            Err(_) => return Found::No(None), // the jobs could not be read: the report fails
        }
    };
    let note = (more > 0).then(|| {
        Note::warning(format!(
            "{} has {} deployments made while the run ran: the statuses of the newest {} were \
             read, the others are not looked at",
            short(&sha),
            more + deployments::MAX_CANDIDATES,
            deployments::MAX_CANDIDATES
        ))
    });
    Found::Yes(Deployed {
        ours,
        trigger,
        note,
    })
}
