//! What the summary shows of a run that the payload does not carry: when each job was queued,
//! started and finished (GitHub's `created_at`, `started_at`, `completed_at`), which jobs an
//! attempt reused from an earlier one, and the run's number. Taken from the [`RunData`] before
//! the mapping consumes its jobs: a few instants a job, no second look at GitHub.

use crate::model::RunData;
use chrono::{DateTime, Utc};

/// The times of one job, in GitHub's order (the order of the payload's stages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JobTimes {
    /// The job's id: the stage id it became.
    pub id: Option<u64>,
    /// Created: it waits for a runner from then.
    pub created: Option<DateTime<Utc>>,
    pub started: Option<DateTime<Utc>>,
    /// `None` while it runs (or waits).
    pub completed: Option<DateTime<Utc>>,
    /// Reused from an earlier attempt ("Re-run failed jobs"): its times are that attempt's.
    pub reused: bool,
}

impl JobTimes {
    /// Milliseconds from created to started; `None` when either is unknown.
    pub(crate) fn queued_ms(&self) -> Option<i64> {
        Some(crate::time::span_ms(self.created?, self.started?))
    }
}

/// The run as the summary draws it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Timeline {
    /// The run number GitHub shows (`#6701`).
    pub run_number: Option<u64>,
    pub attempt: u64,
    pub jobs: Vec<JobTimes>,
    /// "Now", for what has not finished.
    pub now: DateTime<Utc>,
}

impl Timeline {
    pub(crate) fn of(data: &RunData, now: DateTime<Utc>) -> Timeline {
        let attempt = data.run.run_attempt.unwrap_or(1);
        Timeline {
            run_number: data.run.run_number,
            attempt,
            jobs: data
                .jobs
                .iter()
                .map(|j| JobTimes {
                    id: j.id,
                    created: j.created_at,
                    started: j.started_at,
                    completed: j.completed_at,
                    reused: j.run_attempt.is_some_and(|a| a < attempt),
                })
                .collect(),
            now,
        }
    }

    /// The times of the job that became stage `index` with id `id`, if they are known.
    pub(crate) fn job(&self, index: usize, id: &str) -> Option<&JobTimes> {
        self.jobs
            .get(index)
            .filter(|j| j.id.is_none_or(|n| n.to_string() == id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Job, Run};

    fn t(s: &str) -> DateTime<Utc> {
        crate::model::lenient::parse_time(s).unwrap()
    }

    #[test]
    fn queue_time_is_created_to_started_and_reuse_is_an_earlier_attempt() {
        let job = |id, attempt| Job {
            id: Some(id),
            run_attempt: Some(attempt),
            created_at: Some(t("2024-12-22T17:11:20Z")),
            started_at: Some(t("2024-12-22T17:11:32Z")),
            ..Job::default()
        };
        let data = RunData {
            run: Run {
                run_number: Some(6701),
                run_attempt: Some(2),
                ..Run::default()
            },
            jobs: vec![job(1, 1), job(2, 2)],
            me: None,
            lookups: Default::default(),
        };
        let tl = Timeline::of(&data, t("2024-12-22T18:00:00Z"));
        assert_eq!(tl.run_number, Some(6701));
        assert_eq!(tl.jobs[0].queued_ms(), Some(12_000));
        assert!(tl.jobs[0].reused);
        assert!(!tl.jobs[1].reused);
        assert!(tl.job(1, "2").is_some());
        assert!(tl.job(1, "1").is_none(), "a stage that is not that job");
    }
}
