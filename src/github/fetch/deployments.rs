//! The environments the run deployed to (for `ci-cd: auto`, rule 2 of [`crate::map::cicd`]):
//! the deployments of the head commit (guessed from the hint in round 1), then the statuses of
//! those created while the run ran, which link the deployment to the run's job. For a run
//! started by a `deployment` event, the environment of the deployment that started it.

use super::guess::Guess;
use super::{permission_hint, short, Found, Plan, SharedRun};
use crate::github::source::Source;
use crate::map::cicd;
use crate::model::{Repo, Run};
use futures_util::future::{join, try_join_all};

/// `Yes((environment, job id) deployed to, the triggering deployment's environment)`.
pub(super) async fn chain<F>(
    src: &dyn Source,
    repo: &Repo,
    plan: &Plan<'_>,
    run: SharedRun<F>,
) -> Found<(Vec<(String, Option<u64>)>, Option<String>)>
where
    F: std::future::Future<Output = Result<Run, String>>,
{
    let needed = |r: &Run| cicd::needs_environments(plan.ci_cd, plan.declared, r.event.as_deref());
    let guess_sha = plan
        .hint
        .as_ref()
        .filter(|h| needed(h))
        .and_then(|h| h.head_sha.clone());
    let guess = Guess::ask(
        guess_sha,
        |sha| async move { src.deployments(repo, &sha).await },
    );
    let (guess, run) = join(guess, run).await;
    let Ok(run) = run else {
        return Found::No(None);
    };
    if !needed(&run) {
        return Found::No(None);
    }
    let (Some(sha), Some(run_id)) = (run.head_sha.clone(), run.id) else {
        return Found::No(None);
    };
    let fail = |e: String| {
        Found::No(Some(crate::model::Note::warning(format!(
            "could not read the deployments of {} ({e}), so `ci-cd: auto` cannot see \
             environments{}; or set `ci-cd`",
            short(&sha),
            permission_hint(&e, "deployments: read")
        ))))
    };
    let all = match guess
        .or_ask(
            |s| s.eq_ignore_ascii_case(&sha),
            || src.deployments(repo, &sha),
        )
        .await
    {
        Ok(list) => list,
        Err(e) => return fail(e),
    };
    let trigger = (run.event.as_deref() == Some("deployment"))
        .then(|| cicd::triggering_deployment(&all, &run))
        .flatten()
        .and_then(|d| d.environment.clone());
    let candidates = cicd::candidates(&all, &run);
    let statuses = match try_join_all(
        candidates
            .iter()
            .map(|d| src.deployment_statuses(repo, d.id.unwrap_or_default())),
    )
    .await
    {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let checked: Vec<_> = candidates.into_iter().zip(statuses).collect();
    Found::Yes((cicd::deployed_environments(&checked, run_id), trigger))
}
