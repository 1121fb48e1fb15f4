//! `commits: event`: the commits of the run's own event (a push's, a pull request's or a merge
//! group's range), compared when the event only names its ends.

use super::{short, Found, Plan};
use crate::github::source::Source;
use crate::map::commits::{self, EventCommits};
use crate::model::{Note, Repo};

/// The commits of the run's own event (`commits: event`).
pub(super) async fn commits(
    src: &dyn Source,
    repo: &Repo,
    plan: &Plan<'_>,
) -> Found<(Vec<String>, String)> {
    let (Some(event), Some(name)) = (
        plan.own_event,
        plan.hint.as_ref().and_then(|h| h.event.as_deref()),
    ) else {
        return Found::No(Some(Note::warning(
            "`commits: event` needs the run's own event, and this step is not part of the \
             reported run: reporting the head commit only (use `since-last-success`)",
        )));
    };
    match commits::from_event(name, event) {
        EventCommits::Listed(list) => {
            let n = list.len();
            Found::Yes((list, format!("the {name} event ({n})")))
        }
        EventCommits::Compare { base, head } => match src.between(repo, &base, &head).await {
            Ok((list, total)) => Found::Yes((
                list,
                format!(
                    "the {name} event, {} to {} ({total})",
                    short(&base),
                    short(&head)
                ),
            )),
            Err(e) => Found::No(Some(Note::warning(format!(
                "could not list the commits of the {name} event ({e}): reporting the head \
                 commit only{}",
                e.hint("contents: read")
            )))),
        },
        EventCommits::None(why) => Found::No(Some(Note::info(why))),
    }
}
