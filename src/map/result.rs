//! What SEI is told for every GitHub status and conclusion: one table, used for runs, jobs
//! (stages) and steps alike, so the README's table and the code cannot drift apart.
//!
//! SEI stores `result` verbatim and its DORA filters match it as an exact string, so only the
//! Jenkins plugin's words are used: `SUCCESS`, `FAILURE`, `ABORTED`, `NOT_BUILT` for a run, plus
//! `UNKNOWN` for a stage or step that has not finished; states are Blue Ocean's `FINISHED`,
//! `RUNNING`, `QUEUED`, `SKIPPED`, `NOT_BUILT`.

/// One row: a GitHub conclusion and what a finished run, stage or step reports for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub conclusion: &'static str,
    pub result: &'static str,
    pub state: &'static str,
    /// Why, in a few words, for the README table.
    pub why: &'static str,
}

pub const SUCCESS: &str = "SUCCESS";
pub const FAILURE: &str = "FAILURE";
pub const ABORTED: &str = "ABORTED";
pub const NOT_BUILT: &str = "NOT_BUILT";
pub const UNKNOWN: &str = "UNKNOWN";

/// Every conclusion GitHub documents for runs, jobs and steps.
#[rustfmt::skip]
pub const CONCLUSIONS: &[Row] = &[
    Row { conclusion: "success", result: SUCCESS, state: "FINISHED", why: "it passed" },
    Row { conclusion: "failure", result: FAILURE, state: "FINISHED", why: "it failed" },
    Row { conclusion: "timed_out", result: FAILURE, state: "FINISHED", why: "hit `timeout-minutes`: a failure for change failure rate" },
    Row { conclusion: "startup_failure", result: FAILURE, state: "FINISHED", why: "the workflow could not start (bad YAML, missing permission)" },
    Row { conclusion: "cancelled", result: ABORTED, state: "FINISHED", why: "stopped by a person or by `concurrency`" },
    Row { conclusion: "skipped", result: NOT_BUILT, state: "SKIPPED", why: "an `if:` was false: nothing ran" },
    Row { conclusion: "neutral", result: SUCCESS, state: "FINISHED", why: "finished without failing" },
    Row { conclusion: "action_required", result: NOT_BUILT, state: "NOT_BUILT", why: "waiting for approval (first-time contributors): nothing ran" },
    Row { conclusion: "stale", result: NOT_BUILT, state: "NOT_BUILT", why: "GitHub gave up on it: nothing ran to the end" },
];

/// A run, job or step that is `completed` with no conclusion, or with one GitHub added after
/// this table was written: reported as not built (neither a deployment nor a failure), with a
/// warning.
pub const UNLISTED: Row = Row {
    conclusion: "(null or unlisted)",
    result: NOT_BUILT,
    state: "NOT_BUILT",
    why: "unknown outcome: counted neither as a success nor as a failure",
};

/// The row for a conclusion; `None` when the conclusion is missing or not in the table.
pub fn row(conclusion: &str) -> Option<&'static Row> {
    CONCLUSIONS.iter().find(|r| r.conclusion == conclusion)
}

/// The conclusions among `values` that the table does not know, each once, in order.
pub fn unlisted<'a>(values: impl IntoIterator<Item = Option<&'a str>>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for c in values.into_iter().flatten() {
        if !c.is_empty() && row(c).is_none() && !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Result and state of a job or step from its `status` and `conclusion`.
pub fn outcome(status: Option<&str>, conclusion: Option<&str>) -> (&'static str, &'static str) {
    if let Some(c) = conclusion.filter(|c| !c.is_empty()) {
        let r = row(c).unwrap_or(&UNLISTED);
        return (r.result, r.state);
    }
    match status.unwrap_or("") {
        "in_progress" => (UNKNOWN, "RUNNING"),
        "completed" => (UNLISTED.result, UNLISTED.state),
        // queued, waiting, requested, pending, and anything new: not started yet.
        _ => (UNKNOWN, "QUEUED"),
    }
}

/// True when the status says the thing has ended (whatever its conclusion).
pub fn is_finished(status: Option<&str>, conclusion: Option<&str>) -> bool {
    status == Some("completed") || conclusion.is_some_and(|c| !c.is_empty())
}

/// The run's result from its jobs' results, for a run that has no conclusion yet: as if it
/// ended now, counting only jobs that finished. A failure anywhere fails the run; otherwise a
/// cancellation aborts it; otherwise one success makes it a success; otherwise nothing ran.
pub fn derive<'a>(finished_job_results: impl IntoIterator<Item = &'a str>) -> &'static str {
    let (mut failed, mut aborted, mut passed) = (false, false, false);
    for r in finished_job_results {
        match r {
            FAILURE => failed = true,
            ABORTED => aborted = true,
            SUCCESS => passed = true,
            _ => {}
        }
    }
    if failed {
        FAILURE
    } else if aborted {
        ABORTED
    } else if passed {
        SUCCESS
    } else {
        NOT_BUILT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_conclusion_has_a_row() {
        for c in [
            "success",
            "failure",
            "cancelled",
            "skipped",
            "neutral",
            "timed_out",
            "action_required",
            "stale",
            "startup_failure",
        ] {
            assert!(row(c).is_some(), "{c} has no row");
        }
        assert_eq!(CONCLUSIONS.len(), 9);
    }

    #[test]
    fn run_results_use_only_the_plugin_words() {
        for r in CONCLUSIONS {
            assert!(
                [SUCCESS, FAILURE, ABORTED, NOT_BUILT].contains(&r.result),
                "{r:?}"
            );
        }
    }

    #[test]
    fn outcome_covers_unfinished_statuses() {
        assert_eq!(outcome(Some("in_progress"), None), (UNKNOWN, "RUNNING"));
        assert_eq!(outcome(Some("queued"), None), (UNKNOWN, "QUEUED"));
        assert_eq!(outcome(Some("waiting"), None), (UNKNOWN, "QUEUED"));
        assert_eq!(outcome(Some("requested"), None), (UNKNOWN, "QUEUED"));
        assert_eq!(outcome(Some("pending"), None), (UNKNOWN, "QUEUED"));
        assert_eq!(outcome(Some("completed"), None), (NOT_BUILT, "NOT_BUILT"));
        assert_eq!(
            outcome(Some("completed"), Some("skipped")),
            (NOT_BUILT, "SKIPPED")
        );
        assert_eq!(
            outcome(Some("completed"), Some("brand_new")),
            (NOT_BUILT, "NOT_BUILT")
        );
        assert_eq!(outcome(None, Some("timed_out")), (FAILURE, "FINISHED"));
    }

    #[test]
    fn unlisted_conclusions_are_found_once() {
        let values = [
            Some("success"),
            None,
            Some("brand_new"),
            Some(""),
            Some("brand_new"),
        ];
        assert_eq!(unlisted(values), ["brand_new"]);
    }

    #[test]
    fn derived_run_result_prefers_failure_then_abort() {
        assert_eq!(derive([SUCCESS, FAILURE, ABORTED]), FAILURE);
        assert_eq!(derive([SUCCESS, ABORTED]), ABORTED);
        assert_eq!(derive([SUCCESS, NOT_BUILT]), SUCCESS);
        assert_eq!(derive([NOT_BUILT]), NOT_BUILT);
        assert_eq!(derive([]), NOT_BUILT);
    }
}
