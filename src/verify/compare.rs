//! GitHub's run attempts against what SEI stored, pure: each attempt is stored as it was sent,
//! missing, or stored otherwise (result, start or end), and the counts per repository and
//! workflow.
//!
//! A stored run is the attempt's when its instance GUID, `job_normalized_full_name` (the
//! `qualified_name` sent) and `job_run_number` (the `build_number` sent) are the attempt's. SEI
//! keeps the start in ms and the duration in **whole seconds**, and makes the end of them
//! (start + seconds), so the attempt's end is compared the same way. A run reported from its
//! own last job (Mode 2) ends when the report is made, moments before GitHub ends the run: an
//! end up to [`EARLY_END_MS`] before GitHub's is the same end. With `build-numbers: run-number`
//! every attempt of a run has one number and SEI keeps the first report: a stored run that is
//! one of them is each of theirs.

use std::collections::{BTreeMap, HashMap};

/// How much earlier than GitHub's a stored end may be and still be the same.
pub(crate) const EARLY_END_MS: u64 = 120_000;

/// One run attempt as GitHub has it, and what its report says in SEI's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Expected {
    pub repository: String,
    pub workflow: String,
    pub run_id: u64,
    pub attempt: u64,
    pub qualified_name: String,
    pub build_number: u64,
    pub result: String,
    pub start_ms: u64,
    pub duration_ms: u64,
    pub url: Option<String>,
    /// The backfill state delivered it; `None` without a state.
    pub delivered: Option<bool>,
}

impl Expected {
    /// The end as SEI makes it: start + whole seconds.
    pub(crate) fn end_ms(&self) -> u64 {
        self.start_ms + self.duration_ms / 1000 * 1000
    }
}

/// One stored run, as far as the comparison goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stored {
    pub instance_guid: String,
    pub qualified_name: String,
    pub build_number: u64,
    pub result: String,
    pub start_ms: u64,
    pub end_ms: u64,
}

/// What differs, with both values as a person reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Difference {
    pub field: &'static str,
    pub github: String,
    pub sei: String,
}

/// What SEI has of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    Stored,
    Missing,
    Different(Vec<Difference>),
}

/// The differences between an attempt and a stored run (none: the same).
pub(crate) fn differences(e: &Expected, s: &Stored) -> Vec<Difference> {
    let mut out = Vec::new();
    if e.result != s.result {
        out.push(Difference {
            field: "result",
            github: e.result.clone(),
            sei: s.result.clone(),
        });
    }
    if e.start_ms != s.start_ms {
        out.push(Difference {
            field: "start_time",
            github: instant(e.start_ms),
            sei: instant(s.start_ms),
        });
    }
    let end = e.end_ms();
    let early_enough = s.end_ms <= end && end - s.end_ms <= EARLY_END_MS;
    if !early_enough {
        out.push(Difference {
            field: "end_time",
            github: instant(end),
            sei: instant(s.end_ms),
        });
    }
    out
}

/// `2025-03-01T10:00:00Z` for epoch ms (with the ms when there are some).
pub(crate) fn instant(ms: u64) -> String {
    let Some(t) = chrono::DateTime::from_timestamp_millis(ms as i64) else {
        return ms.to_string();
    };
    if ms.is_multiple_of(1000) {
        crate::time::stamp(t)
    } else {
        crate::time::iso(t)
    }
}

/// The verdict for each attempt, in order; `stored` holds the runs of every instance.
pub(crate) fn compare(expected: &[Expected], stored: &[Stored], guid: &str) -> Vec<Verdict> {
    let mut index: HashMap<(&str, u64), Vec<&Stored>> = HashMap::new();
    for s in stored
        .iter()
        .filter(|s| s.instance_guid.eq_ignore_ascii_case(guid))
    {
        index
            .entry((s.qualified_name.as_str(), s.build_number))
            .or_default()
            .push(s);
    }
    let mut same_number: HashMap<(&str, u64), Vec<&Expected>> = HashMap::new();
    for e in expected {
        same_number
            .entry((e.qualified_name.as_str(), e.build_number))
            .or_default()
            .push(e);
    }
    expected
        .iter()
        .map(|e| {
            let key = (e.qualified_name.as_str(), e.build_number);
            let Some(found) = index.get(&key) else {
                return Verdict::Missing;
            };
            if found.iter().any(|s| differences(e, s).is_empty()) {
                return Verdict::Stored;
            }
            // Another attempt with the same number (`build-numbers: run-number`) is the stored one.
            let shared = same_number[&key]
                .iter()
                .any(|o| found.iter().any(|s| differences(o, s).is_empty()));
            if shared {
                Verdict::Stored
            } else {
                Verdict::Different(differences(e, found[0]))
            }
        })
        .collect()
}

/// The counts of one repository's workflow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub attempts: u64,
    /// Delivered by a backfill, as its state says (`None` without a state).
    pub delivered: Option<u64>,
    pub stored: u64,
    pub missing: u64,
    pub different: u64,
}

/// Counts per (repository, workflow), in name order.
pub(crate) fn tally(
    expected: &[Expected],
    verdicts: &[Verdict],
) -> BTreeMap<(String, String), Counts> {
    let mut out: BTreeMap<(String, String), Counts> = BTreeMap::new();
    for (e, v) in expected.iter().zip(verdicts) {
        let c = out
            .entry((e.repository.clone(), e.workflow.clone()))
            .or_default();
        c.attempts += 1;
        if let Some(d) = e.delivered {
            *c.delivered.get_or_insert(0) += u64::from(d);
        }
        match v {
            Verdict::Stored => c.stored += 1,
            Verdict::Missing => c.missing += 1,
            Verdict::Different(_) => c.different += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUID: &str = "89d2491c-764a-4f77-93d9-18e8e372b795";

    fn attempt(run_id: u64, attempt: u64, number: u64) -> Expected {
        Expected {
            repository: "acme/api".into(),
            workflow: "CI".into(),
            run_id,
            attempt,
            qualified_name: "acme/api/CI".into(),
            build_number: number,
            result: "SUCCESS".into(),
            start_ms: 1_740_787_200_000,
            duration_ms: 240_900,
            url: None,
            delivered: None,
        }
    }

    /// As SEI stores `e`'s report.
    fn stored(e: &Expected) -> Stored {
        Stored {
            instance_guid: GUID.to_uppercase(),
            qualified_name: e.qualified_name.clone(),
            build_number: e.build_number,
            result: e.result.clone(),
            start_ms: e.start_ms,
            end_ms: e.start_ms + e.duration_ms / 1000 * 1000,
        }
    }

    #[test]
    fn stored_missing_and_different_in_result_and_times() {
        let a = attempt(1, 1, 101);
        let b = attempt(2, 1, 201);
        let c = attempt(3, 1, 301);
        let d = attempt(4, 1, 401);
        let mut failed = stored(&c);
        failed.result = "FAILURE".into();
        let mut longer = stored(&d);
        longer.end_ms += 60_000;
        let mut other_instance = stored(&b);
        other_instance.instance_guid = "another".into();
        let v = compare(
            &[a.clone(), b, c, d],
            &[stored(&a), other_instance, failed, longer],
            GUID,
        );
        assert_eq!(
            v[0],
            Verdict::Stored,
            "whole seconds: 240.9 s is 240 s in SEI"
        );
        assert_eq!(
            v[1],
            Verdict::Missing,
            "another instance's run is not this one"
        );
        assert_eq!(
            v[2],
            Verdict::Different(vec![Difference {
                field: "result",
                github: "SUCCESS".into(),
                sei: "FAILURE".into()
            }])
        );
        assert_eq!(
            v[3],
            Verdict::Different(vec![Difference {
                field: "end_time",
                github: "2025-03-01T00:04:00Z".into(),
                sei: "2025-03-01T00:05:00Z".into()
            }])
        );
    }

    #[test]
    fn a_report_from_inside_the_run_ends_a_little_early_and_is_the_same() {
        let a = attempt(1, 1, 101);
        let mut s = stored(&a);
        s.end_ms -= 30_000;
        assert_eq!(
            compare(std::slice::from_ref(&a), &[s.clone()], GUID),
            [Verdict::Stored]
        );
        s.end_ms -= EARLY_END_MS;
        assert!(matches!(
            compare(&[a], &[s], GUID)[0],
            Verdict::Different(_)
        ));
    }

    #[test]
    fn run_numbers_shared_by_attempts_count_the_one_stored() {
        let first = attempt(1, 1, 7);
        let mut second = attempt(1, 2, 7);
        second.result = "FAILURE".into();
        second.start_ms += 600_000;
        let v = compare(&[first.clone(), second], &[stored(&first)], GUID);
        assert_eq!(v, [Verdict::Stored, Verdict::Stored]);
    }

    #[test]
    fn counts_per_repository_and_workflow() {
        let mut a = attempt(1, 1, 101);
        a.delivered = Some(true);
        let mut b = attempt(2, 1, 201);
        b.delivered = Some(false);
        let t = tally(&[a, b], &[Verdict::Stored, Verdict::Missing]);
        let c = &t[&("acme/api".to_owned(), "CI".to_owned())];
        assert_eq!(
            *c,
            Counts {
                attempts: 2,
                delivered: Some(1),
                stored: 1,
                missing: 1,
                different: 0
            }
        );
    }
}
