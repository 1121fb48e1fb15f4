//! Listing the completed runs of a window: `GET .../actions/runs` (or one workflow's) with
//! `status=completed&created=<from>..<to>` (and `branch`, `event`), 100 a page. GitHub pages
//! through at most [`LISTED`] results of a query, while `total_count` tells the whole number: a
//! range that holds more is split into slices of time, oldest first, each listed the same way,
//! recursively. A range is one chunk, handed over oldest first so the runs before each one are
//! known when it is reported. Its pages are read one after the other, newest first: a run that
//! completes meanwhile pushes the others one place down the list, so one may show twice (it is
//! counted once), and none is skipped.
//!
//! Ranges are whole seconds, both ends included (as GitHub reads `created=a..b`), and slices
//! meet without overlap or gap: `[a, m]` then `[m + 1 s, b]`.
//!
//! **A sweep's conditional listing.** With a state, a repository is first asked for its newest
//! completed runs at a URL that stays the same from one sweep to the next
//! (`.../actions/runs?status=completed&per_page=100&page=1`, [`watch_query`]), with the `ETag`
//! the state kept: a repository where nothing happened answers `304 Not Modified`, which costs
//! nothing of GitHub's rate limit. The page changes whenever a run that can matter changes: a
//! new run completes (a new workflow's too), a run created earlier completes late (it joins the
//! page), a run is re-run (it leaves the page, then comes back with its new attempt). When the
//! page holds every completed run created since the window's start (it is not full, or its
//! oldest run is older than that), it *is* the window's listing, and the ETag is kept;
//! otherwise (a busy repository) the window is listed as above. A `304` stands for the last
//! page only while it still covers the window ([`still_covers`]).

use crate::github::client::GitHub;
use crate::github::error::Error;
use crate::model::{Repo, Run};
use chrono::{DateTime, Duration, Utc};
use futures_util::future::LocalBoxFuture;
use std::collections::HashSet;

/// Results GitHub pages through for one query of a list.
pub(crate) const LISTED: u64 = 1000;
/// Runs a page.
pub(crate) const PAGE: u64 = 100;
/// A slice aims at this many runs, under [`LISTED`], for the runs are not spread evenly.
const AIM: u64 = 700;

/// What to list in one repository.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    /// One workflow's runs (its id), or the repository's.
    pub workflow: Option<u64>,
    pub branch: Option<String>,
    pub event: Option<String>,
}

/// The query string for a range: `status=completed&created=<from>..<to>[&branch=..][&event=..]`.
pub(crate) fn query_string(q: &Query, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let enc = crate::github::client::encode;
    let mut s = format!(
        "status=completed&created={}",
        enc(&format!(
            "{}..{}",
            crate::time::stamp(from),
            crate::time::stamp(to)
        ))
    );
    if let Some(b) = &q.branch {
        s.push_str(&format!("&branch={}", enc(b)));
    }
    if let Some(e) = &q.event {
        s.push_str(&format!("&event={}", enc(e)));
    }
    s
}

/// The query of the conditional listing: the same at every sweep (no window in it).
pub(crate) fn watch_query(q: &Query) -> String {
    let enc = crate::github::client::encode;
    let mut s = "status=completed".to_owned();
    if let Some(b) = &q.branch {
        s.push_str(&format!("&branch={}", enc(b)));
    }
    if let Some(e) = &q.event {
        s.push_str(&format!("&event={}", enc(e)));
    }
    s
}

/// The name a state keeps the conditional listing under: `runs?status=completed` or
/// `workflows/{id}/runs?status=completed`.
pub(crate) fn watch_key(q: &Query) -> String {
    match q.workflow {
        Some(id) => format!("workflows/{id}/runs?{}", watch_query(q)),
        None => format!("runs?{}", watch_query(q)),
    }
}

/// What a page of the conditional listing holds of the window `[since, until]`.
#[derive(Debug)]
pub(crate) enum Covered {
    /// Every completed run created in the window is on the page: these, newest first. `keep`:
    /// no run on the page is newer than the window, so a `304` next time means nothing new.
    /// `oldest`: the creation of the page's oldest run when the page is full.
    Yes {
        runs: Vec<Run>,
        keep: bool,
        oldest: Option<DateTime<Utc>>,
    },
    /// Runs of the window may be past the page: list the window.
    No,
}

/// Whether the first page of the completed runs (`total` of them in all) covers the window.
pub(crate) fn covers(
    page: Vec<Run>,
    total: Option<u64>,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Covered {
    let full = total.unwrap_or(page.len() as u64) > page.len() as u64;
    let oldest = page.iter().filter_map(|r| r.created_at).min();
    if full && oldest.is_none_or(|o| o >= since) {
        return Covered::No;
    }
    let keep = page.iter().all(|r| r.created_at.is_none_or(|c| c <= until));
    let mut seen = HashSet::new();
    let runs = page
        .into_iter()
        .filter(|r| r.id.is_some_and(|id| seen.insert(id)))
        .filter(|r| r.status.as_deref().is_none_or(|s| s == "completed"))
        .filter(|r| r.created_at.is_some_and(|c| c >= since && c <= until))
        .collect();
    Covered::Yes {
        runs,
        keep,
        oldest: if full { oldest } else { None },
    }
}

/// Whether a page GitHub answers `304 Not Modified` for still holds all a window from `since`
/// needs: it was handled from that window's start or earlier, and runs created since then
/// cannot be past it.
pub(crate) fn still_covers(w: &crate::backfill::state::Watch, since: DateTime<Utc>) -> bool {
    w.since <= since && w.oldest.is_none_or(|o| o < since)
}

/// `[from, to]` cut into slices of equal length, oldest first, that together hold `total` runs
/// so each should hold about [`AIM`]; at least two, and none shorter than a second.
pub(crate) fn split(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    total: u64,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let span = (to - from).num_seconds() + 1; // both ends included
    let wanted = total.div_ceil(AIM).max(2) as i64;
    let n = wanted.min(span).max(1);
    let mut out = Vec::with_capacity(n as usize);
    let mut start = 0;
    for i in 1..=n {
        let end = span * i / n; // exclusive, in seconds from `from`
        if end > start {
            out.push((
                from + Duration::seconds(start),
                from + Duration::seconds(end - 1),
            ));
        }
        start = end;
    }
    out
}

/// How a range was read.
pub(crate) struct Chunk {
    pub runs: Vec<Run>,
    /// `total_count` said more than GitHub lists, and the range was one second: the newest
    /// [`LISTED`] were read, the rest cannot be.
    pub cut: Option<u64>,
    /// Runs of the listing that could not be read (a name that is not valid text): skipped.
    pub unreadable: u64,
}

/// Hears of each chunk, oldest first.
pub(crate) type Visit<'a> = &'a dyn Fn(Chunk) -> LocalBoxFuture<'a, ()>;

/// Lists the completed runs created in `[from, to]`, each chunk handed to `visit` oldest first.
pub(crate) fn list<'a>(
    gh: &'a GitHub,
    repo: &'a Repo,
    q: &'a Query,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    visit: Visit<'a>,
) -> LocalBoxFuture<'a, Result<(), String>> {
    Box::pin(async move {
        let qs = query_string(q, from, to);
        // A deadline of its own for each range: a repository's ranges are read minutes apart.
        let h = gh.handle(crate::retry::SystemClock::start());
        let err = |e: Error| format!("could not list the runs of {repo}: {e}");
        let first = h
            .runs_page(repo, q.workflow, &qs, PAGE, 1)
            .await
            .map_err(err)?;
        let got = first.workflow_runs.len() as u64;
        let total = first.total_count.unwrap_or(got);
        if total > LISTED && to > from {
            drop(first);
            for (a, b) in split(from, to, total) {
                list(gh, repo, q, a, b, visit).await?;
            }
            return Ok(());
        }
        let pages = total.min(LISTED).div_ceil(PAGE).max(1);
        let mut rest = Vec::with_capacity(pages as usize);
        for p in 2..=pages {
            rest.push(
                h.runs_page(repo, q.workflow, &qs, PAGE, p)
                    .await
                    .map_err(err)?,
            );
        }
        let unreadable = first.workflow_runs.unreadable
            + rest.iter().map(|p| p.workflow_runs.unreadable).sum::<u64>();
        let mut seen = HashSet::new();
        let runs: Vec<Run> = std::iter::once(first)
            .chain(rest)
            .flat_map(|p| p.workflow_runs)
            // A run that completed while the pages were read can show twice.
            .filter(|r| r.id.is_some_and(|id| seen.insert(id)))
            .filter(|r| r.status.as_deref().is_none_or(|s| s == "completed"))
            .collect();
        visit(Chunk {
            runs,
            cut: (total > LISTED).then_some(total),
            unreadable,
        })
        .await;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lenient::parse_time;

    fn t(s: &str) -> DateTime<Utc> {
        parse_time(s).unwrap()
    }

    #[test]
    fn the_query_names_the_range_and_filters() {
        let q = Query {
            workflow: None,
            branch: Some("release/1.x".into()),
            event: Some("push".into()),
        };
        assert_eq!(
            query_string(&q, t("2025-03-01T00:00:00Z"), t("2025-03-31T23:59:59Z")),
            "status=completed&created=2025-03-01T00%3A00%3A00Z..2025-03-31T23%3A59%3A59Z\
             &branch=release%2F1.x&event=push"
        );
    }

    fn run(id: u64, created: &str) -> Run {
        Run {
            id: Some(id),
            status: Some("completed".into()),
            created_at: Some(t(created)),
            ..Run::default()
        }
    }

    #[test]
    fn a_page_covers_the_window_when_it_holds_every_run_or_reaches_past_its_start() {
        let (since, until) = (t("2025-03-01T09:00:00Z"), t("2025-03-01T12:00:00Z"));
        let page = || {
            vec![
                run(3, "2025-03-01T11:00:00Z"),
                run(2, "2025-03-01T10:00:00Z"),
                run(1, "2025-03-01T08:00:00Z"),
            ]
        };
        // All the repository's completed runs: the two of the window.
        let Covered::Yes { runs, keep, oldest } = covers(page(), Some(3), since, until) else {
            panic!("covered")
        };
        assert_eq!(
            runs.iter().map(|r| r.id.unwrap()).collect::<Vec<_>>(),
            [3, 2]
        );
        assert!(keep && oldest.is_none());
        // A full page whose oldest run is before the window: covered, its oldest kept.
        let Covered::Yes { oldest, .. } = covers(page(), Some(500), since, until) else {
            panic!("covered")
        };
        assert_eq!(oldest, Some(t("2025-03-01T08:00:00Z")));
        // A full page within the window: runs may be past it.
        assert!(matches!(
            covers(page(), Some(500), t("2025-03-01T07:00:00Z"), until),
            Covered::No
        ));
        // A run newer than the window: used next time, so the page is not kept.
        let mut newer = page();
        newer.insert(0, run(4, "2025-03-01T12:00:01Z"));
        let Covered::Yes { runs, keep, .. } = covers(newer, Some(4), since, until) else {
            panic!("covered")
        };
        assert!(!keep && runs.len() == 2);
        // A page unchanged since: good for a window that starts as late or later, and past
        // the oldest run of a full page.
        let w = crate::backfill::state::Watch {
            etag: "W/\"1\"".into(),
            since,
            oldest: Some(t("2025-03-01T08:00:00Z")),
        };
        assert!(still_covers(&w, t("2025-03-01T09:15:00Z")));
        assert!(
            !still_covers(&w, t("2025-03-01T08:30:00Z")),
            "a wider window"
        );
        let w = crate::backfill::state::Watch {
            oldest: Some(t("2025-03-01T09:30:00Z")),
            ..w
        };
        assert!(!still_covers(&w, t("2025-03-01T09:15:00Z")));
    }

    #[test]
    fn slices_meet_without_overlap_or_gap_and_aim_under_the_cap() {
        let (a, b) = (t("2025-03-01T00:00:00Z"), t("2025-03-31T23:59:59Z"));
        for total in [1001, 2500, 5000, 123_456] {
            let s = split(a, b, total);
            assert!(
                s.len() >= 2 && s.len() as u64 >= total.div_ceil(AIM),
                "{total}"
            );
            assert_eq!(s[0].0, a);
            assert_eq!(s.last().unwrap().1, b);
            for w in s.windows(2) {
                assert_eq!(w[1].0, w[0].1 + Duration::seconds(1), "{total}: {w:?}");
            }
            assert!(s.iter().all(|(x, y)| x <= y));
        }
        // A range of two seconds splits into its seconds, and no further.
        let s = split(a, a + Duration::seconds(1), 5000);
        assert_eq!(
            s,
            [(a, a), (a + Duration::seconds(1), a + Duration::seconds(1))]
        );
        assert_eq!(split(a, a, 5000), [(a, a)]);
    }
}
