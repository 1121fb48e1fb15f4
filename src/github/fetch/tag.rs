//! Whether the run's head branch is a tag, for a reporter without the run's own event (which
//! says it): a `push` or `create` run's `head_branch` is the bare name of a branch or a tag, and
//! GitHub's refs tell which (`GET .../git/matching-refs/tags/{head}`, one small answer).

use super::guess::Guess;
use super::{Plan, SharedRun};
use crate::github::error::Error;
use crate::github::source::Source;
use crate::map::branch;
use crate::model::{Note, Repo, Run};
use futures_util::future::join;

/// `(Some(is a tag), None)`; `(None, None)` when it was not worth asking; a failed look-up is
/// a note, and a branch.
pub(super) async fn chain<F>(
    src: &dyn Source,
    repo: &Repo,
    plan: &Plan<'_>,
    run: SharedRun<F>,
) -> (Option<bool>, Option<Note>)
where
    F: std::future::Future<Output = Result<Run, Error>>,
{
    if plan.own_event.is_some() {
        return (None, None);
    }
    let worth = |r: &Run| -> Option<String> {
        let event = r.event.as_deref()?;
        let head = r.head_branch.clone().filter(|b| !b.is_empty())?;
        (branch::TAG_EVENTS.contains(&event) && plan.default_branch.as_ref() != Some(&head))
            .then_some(head)
    };
    let guess = Guess::ask(plan.hint.as_ref().and_then(worth), |head| async move {
        src.tags_starting_with(repo, &head).await
    });
    let (guess, run) = join(guess, run).await;
    let Ok(run) = run else {
        return (None, None);
    };
    let Some(head) = worth(&run) else {
        return (None, None);
    };
    let names = guess
        .or_ask(|h| *h == head, || src.tags_starting_with(repo, &head))
        .await;
    match names {
        Ok(names) => (Some(names.contains(&head)), None),
        Err(e) => (
            None,
            Some(Note::warning(format!(
                "could not tell whether `{head}` is a tag or a branch ({e}): reported as a \
                 branch{}",
                e.hint("contents: read")
            ))),
        ),
    }
}
