//! Keeping the payload under `max-payload-bytes`: steps go, stages stay.
//!
//! A stage loses all its steps or none (a stage with half its steps would misreport what ran),
//! and the stages that lose them are chosen so that what is left is what a reader needs:
//! 1. stages that passed or never ran (`SUCCESS`, `NOT_BUILT`) before the others (failed,
//!    aborted, still running): their steps are the least read;
//! 2. within that, the stage with the most bytes of steps first, so as few stages as possible
//!    lose theirs; but when one stage is enough to get under the limit, the smallest such one.
//!
//! Stages, the run's fields and the order of everything are never touched. When even a payload
//! with no steps at all is over the limit, every step is dropped and [`Fit::fits`] says so:
//! the caller sends it anyway and warns (a limit the server does not have is better broken than
//! a run lost). Sizes are exact: compact JSON is the sum of its parts.

use crate::map::result;
use crate::payload::{Payload, Stage};
use serde::Serialize;

/// What fitting did to one payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fit {
    /// Compact JSON bytes before.
    pub before: usize,
    /// Compact JSON bytes after.
    pub after: usize,
    pub limit: usize,
    /// Indexes of the stages whose steps were dropped, in payload order.
    pub stripped: Vec<usize>,
    /// How many steps were dropped in all.
    pub steps_dropped: usize,
}

impl Fit {
    /// Whether the payload is now within the limit.
    pub fn fits(&self) -> bool {
        self.after <= self.limit
    }

    /// Whether anything was dropped.
    pub fn changed(&self) -> bool {
        !self.stripped.is_empty()
    }

    /// The warning for the log: what was over, what went, by which rule, what is left.
    /// `stages` are the payload's stages after fitting.
    pub fn describe(&self, stages: &[Stage]) -> String {
        const NAMED: usize = 5;
        let mut names: Vec<&str> = self
            .stripped
            .iter()
            .take(NAMED)
            .filter_map(|&i| stages.get(i).map(|s| s.display_name.as_str()))
            .collect();
        let more = format!("and {} more", self.stripped.len().saturating_sub(NAMED));
        if self.stripped.len() > NAMED {
            names.push(&more);
        }
        let mut text = format!(
            "the payload is {} bytes, over `max-payload-bytes` ({}): ",
            self.before, self.limit
        );
        if self.changed() {
            text.push_str(&format!(
                "dropped the {} steps of {} of {} stages ({}), passed stages first and the \
                 largest first; every stage is kept. Now {} bytes",
                self.steps_dropped,
                self.stripped.len(),
                stages.len(),
                names.join(", "),
                self.after
            ));
        } else {
            text.push_str("there are no steps to drop");
        }
        if !self.fits() {
            text.push_str(&format!(
                "{}still {} bytes over without any step: sent anyway (stages are never dropped)",
                if self.changed() { "; " } else { ": " },
                self.after - self.limit
            ));
        }
        text
    }
}

/// Drops steps from `payload`, whose compact JSON is `before` bytes, until it is at most `limit`
/// bytes (see the module documentation for which).
pub fn fit(payload: &mut Payload, before: usize, limit: usize) -> Fit {
    let mut fit = Fit {
        before,
        after: before,
        limit,
        stripped: Vec::new(),
        steps_dropped: 0,
    };
    if before <= limit {
        return fit;
    }
    // (tier, bytes saved by emptying `steps`, index): `[...]` becomes `[]`.
    let mut candidates: Vec<(u8, usize, usize)> = payload
        .job_run
        .stages
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.steps.is_empty())
        .map(|(i, s)| {
            let quiet = s.result == result::SUCCESS || s.result == result::NOT_BUILT;
            (u8::from(!quiet), json_len(&s.steps) - 2, i)
        })
        .collect();
    // Cheapest tier first; within it, most bytes first, then payload order.
    candidates.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));

    let mut size = before;
    while size > limit && !candidates.is_empty() {
        let excess = size - limit;
        let tier = candidates[0].0;
        let end = candidates.iter().take_while(|c| c.0 == tier).count();
        // The smallest stage of this tier that is enough on its own, else the largest.
        let pick = (0..end)
            .rev()
            .find(|&k| candidates[k].1 >= excess)
            .unwrap_or(0);
        let (_, saved, index) = candidates.remove(pick);
        let stage = &mut payload.job_run.stages[index];
        fit.steps_dropped += stage.steps.len();
        stage.steps = Vec::new();
        fit.stripped.push(index);
        size -= saved;
    }
    fit.stripped.sort_unstable();
    fit.after = size;
    fit
}

/// The length of `value` as compact JSON, counted without building it.
pub fn json_len<T: Serialize + ?Sized>(value: &T) -> usize {
    let mut counter = Counter(0);
    // Writing to a counter cannot fail, and the payload types always serialize.
    let _ = serde_json::to_writer(&mut counter, value);
    counter.0
}

struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.0 += buf.len();
        Ok(())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::{IsoTime, JobRun, Step};
    use compact_str::{format_compact, CompactString};

    /// A payload with one stage per `(result, steps, step name length)`.
    fn payload(stages: &[(&'static str, usize, usize)]) -> Payload {
        let stages = stages
            .iter()
            .enumerate()
            .map(|(i, &(result, steps, name_len))| Stage {
                id: format_compact!("{}", 100 + i),
                display_name: format_compact!("job {i}"),
                display_description: CompactString::const_new("https://github.com/o/r/job"),
                result: CompactString::const_new(result),
                state: CompactString::const_new("FINISHED"),
                duration_in_millis: 1000,
                start_time: IsoTime(chrono::DateTime::UNIX_EPOCH),
                steps: (0..steps)
                    .map(|k| Step {
                        id: format_compact!("{}", k + 1),
                        display_name: "x".repeat(name_len).into(),
                        display_description: "x".repeat(name_len).into(),
                        result: CompactString::const_new(result),
                        state: CompactString::const_new("FINISHED"),
                        duration_in_millis: 10,
                        start_time: IsoTime(chrono::DateTime::UNIX_EPOCH),
                    })
                    .collect(),
            })
            .collect();
        let mut p: Payload = serde_json::from_value(serde_json::json!({
            "pipeline": "CI", "job_full_name": "o/r/CI", "qualified_name": "o/r/CI",
            "project_name": "o/r", "module_name": null, "instance_guid": "g",
            "instance_name": "GitHub Actions", "instance_url": "https://github.com",
            "repo_url": "https://github.com/o/r", "branch_name": "main", "user_id": "me",
            "start_time": 0, "duration": 0, "result": "SUCCESS", "build_number": 1,
            "execution_id": "1-1", "scm_commit_ids": [], "job_run_params": [], "ci": true,
            "cd": false, "artifacts": [], "trigger_chain": [], "job_run": {"stages": []}
        }))
        .unwrap();
        p.job_run = JobRun { stages };
        p
    }

    fn bytes(p: &Payload) -> usize {
        serde_json::to_vec(p).unwrap().len()
    }

    /// [`fit`], told the size serde_json writes, as the reporter tells it the body's.
    fn fit_measured(p: &mut Payload, limit: usize) -> Fit {
        let before = bytes(p);
        fit(p, before, limit)
    }

    fn steps_of(p: &Payload) -> Vec<usize> {
        p.job_run.stages.iter().map(|s| s.steps.len()).collect()
    }

    #[test]
    fn sizes_are_exact() {
        let p = payload(&[("SUCCESS", 3, 10), ("FAILURE", 2, 300)]);
        assert_eq!(json_len(&p), bytes(&p));
        let mut q = p.clone();
        let f = fit_measured(&mut q, bytes(&p) - 1);
        assert_eq!(f.before, bytes(&p));
        assert_eq!(f.after, bytes(&q), "the size after is the real one");
    }

    #[test]
    fn a_payload_within_the_limit_is_untouched() {
        let p = payload(&[("SUCCESS", 3, 10), ("FAILURE", 2, 10)]);
        let mut q = p.clone();
        let f = fit_measured(&mut q, bytes(&p));
        assert_eq!(q, p);
        assert!(f.fits() && !f.changed());
        assert_eq!(
            (f.before, f.after, f.steps_dropped),
            (bytes(&p), bytes(&p), 0)
        );
    }

    #[test]
    fn passed_stages_lose_their_steps_before_failed_ones_even_smaller_ones() {
        let mut p = payload(&[
            ("FAILURE", 5, 200),
            ("SUCCESS", 2, 20),
            ("NOT_BUILT", 1, 20),
        ]);
        let goal = bytes(&p) - 10;
        let f = fit_measured(&mut p, goal);
        assert!(f.fits(), "{f:?}");
        assert_eq!(steps_of(&p)[0], 5, "the failed stage keeps its steps");
        assert_eq!(f.stripped.len(), 1);
        assert!(bytes(&p) <= goal);
    }

    #[test]
    fn the_largest_go_first_and_the_last_pick_is_the_smallest_that_is_enough() {
        // Step bytes: stage 0 small, 1 large, 2 medium, 3 tiny.
        let mut p = payload(&[
            ("SUCCESS", 2, 50),
            ("SUCCESS", 10, 100),
            ("SUCCESS", 5, 100),
            ("SUCCESS", 1, 5),
        ]);
        let large = json_len(&p.job_run.stages[1].steps) - 2;
        // A little more than the large stage: it goes, then the smallest that covers the rest.
        let goal = bytes(&p) - large - 20;
        let f = fit_measured(&mut p, goal);
        assert_eq!(f.stripped, vec![1, 3], "{f:?}");
        assert_eq!(steps_of(&p), vec![2, 0, 5, 0]);
        assert_eq!(f.steps_dropped, 11);
        assert!(f.fits() && bytes(&p) <= goal);
    }

    #[test]
    fn the_warning_says_what_went_by_which_rule_and_what_is_left() {
        let mut p = payload(&[("SUCCESS", 3, 100), ("FAILURE", 4, 10)]);
        let goal = bytes(&p) - 50;
        let f = fit_measured(&mut p, goal);
        let text = f.describe(&p.job_run.stages);
        assert_eq!(
            text,
            format!(
                "the payload is {} bytes, over `max-payload-bytes` ({goal}): dropped the 3 steps \
                 of 1 of 2 stages (job 0), passed stages first and the largest first; every \
                 stage is kept. Now {} bytes",
                f.before, f.after
            )
        );
        let mut p = payload(&[("SUCCESS", 1, 1); 7]);
        let f = fit_measured(&mut p, 10);
        let text = f.describe(&p.job_run.stages);
        assert!(
            text.contains("(job 0, job 1, job 2, job 3, job 4, and 2 more)"),
            "{text}"
        );
        assert!(text.ends_with(&format!(
            "; still {} bytes over without any step: sent anyway (stages are never dropped)",
            f.after - 10
        )));
        let mut p = payload(&[("SUCCESS", 0, 0)]);
        let f = fit_measured(&mut p, 10);
        assert!(f
            .describe(&p.job_run.stages)
            .contains("there are no steps to drop: still"));
    }

    #[test]
    fn stages_are_never_dropped_even_when_the_limit_cannot_be_met() {
        let p = payload(&[("SUCCESS", 3, 10), ("FAILURE", 4, 10), ("UNKNOWN", 0, 0)]);
        let mut q = p.clone();
        let f = fit_measured(&mut q, 100);
        assert!(!f.fits());
        assert_eq!(steps_of(&q), vec![0, 0, 0], "every step went");
        assert_eq!(f.stripped, vec![0, 1]);
        assert_eq!(f.steps_dropped, 7);
        assert_eq!(f.after, bytes(&q));
        let ids = |p: &Payload| -> Vec<CompactString> {
            p.job_run.stages.iter().map(|s| s.id.clone()).collect()
        };
        assert_eq!(ids(&q), ids(&p), "every stage, in order");
        for (a, b) in q.job_run.stages.iter().zip(&p.job_run.stages) {
            assert_eq!(
                (&a.display_name, a.duration_in_millis),
                (&b.display_name, b.duration_in_millis)
            );
        }
    }
}
