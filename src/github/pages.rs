//! Reading every page of a GitHub list: the first page tells how many there are
//! (`total_count`), the others are asked all at once, at most a cap of pages per list. The caps
//! are named where each list is read ([`super::client::MAX_PAGES`] for a run's jobs,
//! [`MAX_WORKFLOW_PAGES`], [`MAX_ARTIFACT_PAGES`]).

use crate::model::{ArtifactsPage, JobsPage, WorkflowsPage};
use futures_util::future::try_join_all;
use std::future::Future;

/// Items per page asked of every list: GitHub's maximum.
pub(crate) const PER_PAGE: u64 = 100;
/// Pages of the repository's workflows read at most (10,000 workflows).
pub(crate) const MAX_WORKFLOW_PAGES: u64 = 100;
/// Pages of a run's uploaded artifacts read at most (1,000 artifacts).
pub(crate) const MAX_ARTIFACT_PAGES: u64 = 10;

/// A page of a list that says how many items the whole list has.
pub(crate) trait Counted {
    /// Items on this page.
    fn got(&self) -> usize;
    /// `total_count`: items in the whole list, when the page says.
    fn total(&self) -> Option<u64>;
}

impl Counted for JobsPage {
    fn got(&self) -> usize {
        self.jobs.len()
    }
    fn total(&self) -> Option<u64> {
        self.total_count
    }
}

impl Counted for WorkflowsPage {
    fn got(&self) -> usize {
        self.workflows.len()
    }
    fn total(&self) -> Option<u64> {
        self.total_count
    }
}

impl Counted for ArtifactsPage {
    fn got(&self) -> usize {
        self.artifacts.len()
    }
    fn total(&self) -> Option<u64> {
        self.total_count
    }
}

/// How many pages the list has, from its first page, at most `cap`. A server that pages by
/// fewer than asked (some Enterprise Servers) sets the page size.
pub(crate) fn count<P: Counted>(first: &P, cap: u64) -> u64 {
    let got = first.got() as u64;
    let total = first.total().unwrap_or(got);
    let size = if got > 0 && got < PER_PAGE && total > got {
        got
    } else {
        PER_PAGE
    };
    total.div_ceil(size).clamp(1, cap.max(1))
}

/// Every page of a list given its first: pages 2 to [`count`] asked together with `page`.
pub(crate) async fn every<P, F, Fut, E>(first: P, cap: u64, page: F) -> Result<Vec<P>, E>
where
    P: Counted,
    F: Fn(u64) -> Fut,
    Fut: Future<Output = Result<P, E>>,
{
    let pages = count(&first, cap);
    let rest = try_join_all((2..=pages).map(page)).await?;
    Ok(std::iter::once(first).chain(rest).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Job;

    fn jobs(n: usize, total: Option<u64>) -> JobsPage {
        JobsPage {
            total_count: total,
            jobs: vec![Job::default(); n],
        }
    }

    #[test]
    fn pages_from_the_first() {
        assert_eq!(count(&jobs(100, Some(1000)), 100), 10);
        assert_eq!(count(&jobs(100, Some(12_000)), 100), 100, "capped");
        assert_eq!(count(&jobs(3, Some(3)), 100), 1);
        assert_eq!(count(&jobs(0, None), 100), 1);
        // A server that pages by 30 whatever is asked.
        assert_eq!(count(&jobs(30, Some(95)), 100), 4);
    }

    #[test]
    fn every_page_once_in_order() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let got = rt
            .block_on(every(jobs(100, Some(250)), 100, |p| async move {
                Ok::<_, String>(jobs(if p == 3 { 50 } else { 100 }, Some(250)))
            }))
            .unwrap();
        let sizes: Vec<usize> = got.iter().map(|p| p.jobs.len()).collect();
        assert_eq!(sizes, [100, 100, 50]);
    }
}
