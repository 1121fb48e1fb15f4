//! `scm_commit_ids`: the commits a run reports (input `commits`, rules in
//! [`crate::map::commits`]): the run's own event's, or, by default, those it is the first to
//! ship. For an attempt that deployed to an environment `cd-environments` counts, those since
//! the same workflow's previous successful deployment there (`base.rs`); for any other run,
//! those since its previous success (the previous run of its lineage, guessed from the hint in
//! round 1, then compared).

use super::base::{self, Bases, Range};
use super::deployments::{Deployed, Early};
use super::guess::Guess;
use super::{short, Found, Plan, SharedRun};
use crate::github::error::Error;
use crate::github::source::Source;
use crate::map::branch;
use crate::map::commits::{self, Lineage, Previous, PreviousQuery, Want};
use crate::model::{Note, Repo, Run};
use futures_util::future::join;
use std::collections::HashSet;
use tokio::sync::oneshot;

/// The commits found, and a note beside them (why a deployment's base was not used).
pub(super) type Commits = (Found<(Vec<String>, String)>, Option<Note>);

/// `Yes((commits newest first, where they came from))`, or a note and the head commit.
pub(super) async fn chain<F, T, D>(
    src: &dyn Source,
    repo: &Repo,
    plan: &Plan<'_>,
    run: SharedRun<F>,
    tag: SharedRun<T>,
    early: oneshot::Receiver<Early>,
    deployed: SharedRun<D>,
) -> Commits
where
    F: std::future::Future<Output = Result<Run, Error>>,
    T: std::future::Future<Output = (Option<bool>, Option<Note>)>,
    D: std::future::Future<Output = Found<Deployed>>,
{
    match plan.commits {
        commits::Mode::Head => (Found::No(None), None),
        commits::Mode::Event => (super::event::commits(src, repo, plan).await, None),
        commits::Mode::SinceLastSuccess => {
            // Both at once, neither waiting for the other: the commits since the previous
            // success (what any run reports), and the deployments' bases (which resolve in
            // round 1 for a run that deployed nowhere that counts). A deployment whose base is
            // the previous success's commit uses its compare.
            let run_too = run.clone();
            let (today, bases) = join(
                async move {
                    let step = previous_success(src, repo, plan, run_too, tag).await;
                    compare(src, repo, step).await
                },
                base::bases(src, repo, plan, run, early, deployed),
            )
            .await;
            let (found, range) = today;
            match bases {
                Bases::Found {
                    run,
                    found: bases,
                    missing,
                } if !bases.is_empty() => {
                    let known = range.as_ref();
                    let found = base::commits(src, repo, &run, &bases, &missing, known).await;
                    (found, None)
                }
                Bases::Found { missing, .. } => (base::without(found, &missing), None),
                Bases::Failed(note) => (found, Some(note)),
                Bases::NotDeployed => (found, None),
            }
        }
    }
}

/// Where the commits since the previous success count from: a commit to compare with the
/// head, or the answer already (the head alone, a merge queue's own range, a note).
enum Step {
    Done(Found<(Vec<String>, String)>),
    Compare {
        base: String,
        head: String,
        /// The log's words for the base, up to the range: ``since run #12 (``.
        since: String,
    },
}

/// The commits since `step`'s base, compared, and the range (for a deployment with the same
/// base).
async fn compare(
    src: &dyn Source,
    repo: &Repo,
    step: Step,
) -> (Found<(Vec<String>, String)>, Option<Range>) {
    let (base, head, since) = match step {
        Step::Done(found) => return (found, None),
        Step::Compare { base, head, since } => (base, head, since),
    };
    match src.between(repo, &base, &head).await {
        Ok((list, total)) => (
            Found::Yes((
                list.clone(),
                format!(
                    "{since}{} to {}, {total} commit(s))",
                    short(&base),
                    short(&head)
                ),
            )),
            Some((base, (list, total))),
        ),
        Err(e) => (fail(e), None),
    }
}

fn fail(e: Error) -> Found<(Vec<String>, String)> {
    Found::No(Some(Note::warning(format!(
        "could not find the commits since the last successful run ({e}): reporting the head \
         commit only{}",
        e.hint("actions: read` and `contents: read")
    ))))
}

async fn previous_success<F, T>(
    src: &dyn Source,
    repo: &Repo,
    plan: &Plan<'_>,
    run: SharedRun<F>,
    tag: SharedRun<T>,
) -> Step
where
    F: std::future::Future<Output = Result<Run, Error>>,
    T: std::future::Future<Output = (Option<bool>, Option<Note>)>,
{
    // From the hint: the lineage as far as it is known before any answer (a tag only when the
    // run's own event or a release says so), its query and, for a tag push, the tags of its
    // family, all in round 1.
    let spec = plan.hint.as_ref().and_then(|h| {
        let tag = branch::tag(h, plan.own_event, None);
        let lineage = Lineage::of(h, tag.as_deref(), plan.own_event)?;
        let query = commits::previous_query(h, &lineage)?;
        Some((lineage, query, h.event.clone()))
    });
    let spec_family = spec
        .as_ref()
        .and_then(|(l, _, e)| l.needs_tags(e.as_deref()).map(str::to_owned));
    let guessed = join(
        Guess::ask(spec.map(|(_, q, _)| q), |q| async move {
            src.successful_runs(repo, &q, 1).await
        }),
        Guess::ask(spec_family, |f| async move {
            src.tags_starting_with(repo, &f).await
        }),
    );
    let ((guessed_page, guessed_tags), run) = join(guessed, run).await;
    let Ok(run) = run else {
        return Step::Done(Found::No(None)); // the run itself failed: the report says so
    };
    let (head_is_tag, _) = tag.await;
    let this_tag = branch::tag(&run, plan.own_event, head_is_tag);
    let Some(lineage) = Lineage::of(&run, this_tag.as_deref(), plan.own_event) else {
        return Step::Done(Found::No(Some(Note::info(
            "the run names no branch or tag to find its last success",
        ))));
    };
    let Some(query) = commits::previous_query(&run, &lineage) else {
        return Step::Done(Found::No(Some(Note::info(
            "the run names no workflow to find its last success",
        ))));
    };
    let Some(head) = run.head_sha.clone() else {
        return Step::Done(Found::No(None));
    };
    // A tag push's runs sit beside the same workflow's branch runs: the family's tags tell.
    let tags: Option<HashSet<String>> = match lineage.needs_tags(run.event.as_deref()) {
        None => None,
        Some(family) => {
            let names = guessed_tags
                .or_ask(|f| f == family, || src.tags_starting_with(repo, family))
                .await;
            match names {
                Ok(names) => Some(names.into_iter().collect()),
                Err(e) => return Step::Done(fail(e)),
            }
        }
    };
    let want = Want {
        this: &run,
        lineage: &lineage,
        tags: tags.as_ref(),
    };
    // The guessed page already answers with the filter when it asked the very same thing.
    let exact = guessed_page.key() == Some(&query);
    let mut page = guessed_page.take_if(|q| q.same_target(&query));
    let mut asked_with_filter = page.is_some() && exact;
    let mut page_number = 1;
    let previous = loop {
        let runs = match page.take() {
            Some(p) => p,
            None => {
                asked_with_filter |= query.created_before.is_some();
                match src.successful_runs(repo, &query, page_number).await {
                    Ok(p) => p,
                    Err(e) => return Step::Done(fail(e)),
                }
            }
        };
        match commits::pick_previous(&runs, commits::PREVIOUS_PAGE, &want) {
            Previous::Found(r) => break r.clone(),
            Previous::NoneBefore => {
                return Step::Done(none_before(src, repo, &lineage, &query, &head).await)
            }
            // A page read without the creation filter, full of newer runs: ask with it.
            Previous::Unknown if !asked_with_filter && query.created_before.is_some() => {
                page_number = 1
            }
            Previous::Unknown if page_number < commits::MAX_PREVIOUS_PAGES => page_number += 1,
            Previous::Unknown => {
                return Step::Done(Found::No(Some(Note::warning(format!(
                    "none of the newest {} successful {}runs of this workflow {} is an \
                     earlier one of this run's own (they are newer, or from forks' branches of \
                     the same name, or for other tags): reporting the head commit only",
                    commits::PREVIOUS_PAGE * commits::MAX_PREVIOUS_PAGES,
                    query
                        .event
                        .as_deref()
                        .map(|e| format!("`{e}` "))
                        .unwrap_or_default(),
                    lineage.describe()
                )))))
            }
        }
    };
    let base = previous.head_sha.clone().unwrap_or_default();
    let since = match &lineage {
        Lineage::Tag { .. } => format!(
            "since the tag `{}` (run #{}, ",
            previous.head_branch.as_deref().unwrap_or_default(),
            previous.run_number.unwrap_or_default()
        ),
        Lineage::MergeQueue { base: b, .. } => format!(
            "since run #{} on `{b}` (",
            previous.run_number.unwrap_or_default()
        ),
        Lineage::Branch(_) => format!("since run #{} (", previous.run_number.unwrap_or_default()),
    };
    Step::Compare { base, head, since }
}

/// No earlier success: the head commit, except for a merge queue, whose own range (from the
/// commit it starts at) is what it is the first to build.
async fn none_before(
    src: &dyn Source,
    repo: &Repo,
    lineage: &Lineage,
    query: &PreviousQuery,
    head: &str,
) -> Found<(Vec<String>, String)> {
    let event = query
        .event
        .as_deref()
        .map(|e| format!("`{e}` "))
        .unwrap_or_default();
    let none = format!(
        "no earlier successful {event}run of this workflow {}",
        lineage.describe()
    );
    let Lineage::MergeQueue {
        base,
        base_sha: Some(start),
    } = lineage
    else {
        return Found::No(Some(Note::info(none)));
    };
    match src.between(repo, start, head).await {
        Ok((list, total)) => Found::Yes((
            list,
            format!(
                "the merge queue's range from `{base}` at {} to {} ({total} commit(s)): {none}",
                short(start),
                short(head)
            ),
        )),
        Err(e) => Found::No(Some(Note::warning(format!(
            "could not list the merge queue's commits ({e}): reporting the head commit only{}",
            e.hint("contents: read")
        )))),
    }
}
