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

use crate::github::client::GitHub;
use crate::model::{Repo, Run};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use futures_util::future::LocalBoxFuture;
use std::collections::HashSet;

/// Results GitHub pages through for one query of a list.
pub const LISTED: u64 = 1000;
/// Runs a page.
pub const PAGE: u64 = 100;
/// A slice aims at this many runs, under [`LISTED`], for the runs are not spread evenly.
const AIM: u64 = 700;

/// What to list in one repository.
#[derive(Debug, Clone)]
pub struct Query {
    /// One workflow's runs (its id), or the repository's.
    pub workflow: Option<u64>,
    pub branch: Option<String>,
    pub event: Option<String>,
}

/// The query string for a range: `status=completed&created=<from>..<to>[&branch=..][&event=..]`.
pub fn query_string(q: &Query, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let enc = crate::github::client::encode;
    let mut s = format!(
        "status=completed&created={}",
        enc(&format!("{}..{}", stamp(from), stamp(to)))
    );
    if let Some(b) = &q.branch {
        s.push_str(&format!("&branch={}", enc(b)));
    }
    if let Some(e) = &q.event {
        s.push_str(&format!("&event={}", enc(e)));
    }
    s
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `[from, to]` cut into slices of equal length, oldest first, that together hold `total` runs
/// so each should hold about [`AIM`]; at least two, and none shorter than a second.
pub fn split(
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
pub struct Chunk {
    pub runs: Vec<Run>,
    /// `total_count` said more than GitHub lists, and the range was one second: the newest
    /// [`LISTED`] were read, the rest cannot be.
    pub cut: Option<u64>,
    /// Runs of the listing that could not be read (a name that is not valid text): skipped.
    pub unreadable: u64,
}

/// Hears of each chunk, oldest first.
pub type Visit<'a> = &'a dyn Fn(Chunk) -> LocalBoxFuture<'a, ()>;

/// Lists the completed runs created in `[from, to]`, each chunk handed to `visit` oldest first.
pub fn list<'a>(
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
        let err = |e: anyhow::Error| format!("could not list the runs of {repo}: {e:#}");
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
