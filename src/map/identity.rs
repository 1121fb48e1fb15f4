//! Who a run is in SEI: the job (`job_full_name`, unique per instance) and the run within it
//! (`build_number`, unique per job). SEI keeps the first report of each (job, build number) and
//! never updates it, so both must be right the first time.
//!
//! **Job.** GitHub numbers runs per workflow *file*, while SEI's usual name for a job,
//! `<owner>/<repo>/<workflow name>`, is per workflow *name*, and two files may share a `name:`.
//! So the oldest workflow (lowest id) that has a name keeps the plain form, and every other
//! file with the same name gets its file added: `<owner>/<repo>/<name> (<file>)`. Adding a
//! workflow never renames an existing one; a renamed file is a new workflow for GitHub (its run
//! numbers start again at 1) and gets its own job here too, because GitHub keeps listing the
//! old file's workflow; a new `name:` is a new job, as in SEI's own GitHub integration.
//!
//! **Run.** By default (`build-numbers: per-attempt`) every attempt of a run is its own SEI run:
//! `1_000_000_000 + run_number × 100 + attempt`, so run 4487's second attempt is
//! `1000448702` (drop the leading 1; the last two digits are the attempt, the rest the run
//! number). Unique per (file, run, attempt), the same whenever that attempt is reported again,
//! ordered like the runs, below 2^31 (SEI reads stored links as 32-bit numbers) for run numbers
//! up to [`MAX_RUN_NUMBER`], and never equal to a plain run number reported before (those stay
//! far below 10^9). `build-numbers: run-number` sends the plain run number, as before: every
//! attempt after the first is then dropped by SEI.

use crate::model::{Run, Workflow};

/// The `build-numbers` input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BuildNumbers {
    /// Every attempt its own SEI run.
    #[default]
    PerAttempt,
    /// The plain run number: one SEI run per GitHub run (its first report wins).
    RunNumber,
}

impl BuildNumbers {
    pub fn parse(text: &str) -> Option<BuildNumbers> {
        match text.trim().to_ascii_lowercase().as_str() {
            "per-attempt" | "attempt" => Some(BuildNumbers::PerAttempt),
            "run-number" => Some(BuildNumbers::RunNumber),
            _ => None,
        }
    }
}

/// Where per-attempt numbers start: above any plain run number a job has been sent.
pub const OFFSET: u64 = 1_000_000_000;
/// Attempts per run the per-attempt scheme has room for.
pub const MAX_ATTEMPT: u64 = 99;
/// The largest run number whose attempts stay below 2^31.
pub const MAX_RUN_NUMBER: u64 = ((1 << 31) - 1 - OFFSET - MAX_ATTEMPT) / 100;
/// SEI reads stored links as 32-bit numbers: build numbers stay below this.
pub const LIMIT: u64 = 1 << 31;

/// The build number of one attempt, and a warning when the scheme had to give way.
pub fn build_number(scheme: BuildNumbers, run_number: u64, attempt: u64) -> (u64, Option<String>) {
    match scheme {
        BuildNumbers::RunNumber => (run_number, None),
        BuildNumbers::PerAttempt if run_number > MAX_RUN_NUMBER || attempt > MAX_ATTEMPT => (
            run_number,
            Some(format!(
                "run {run_number} attempt {attempt} is beyond what `build-numbers: per-attempt` \
                 numbers below 2^31 (run numbers up to {MAX_RUN_NUMBER}, attempts up to \
                 {MAX_ATTEMPT}): sent with its plain run number, so SEI keeps only the first \
                 attempt it is sent"
            )),
        ),
        BuildNumbers::PerAttempt => (OFFSET + run_number * 100 + attempt.max(1), None),
    }
}

/// The file of a workflow path: `.github/workflows/ci.yml@refs/heads/main` → `ci.yml`.
pub fn file_of(path: &str) -> &str {
    let path = path.split('@').next().unwrap_or(path);
    path.rsplit('/').next().unwrap_or(path)
}

/// `job_full_name` for `run` of `repository`, named `workflow`; `workflows` is the repository's
/// list, when it was read (without it, the plain form).
pub fn job_full_name(
    repository: &str,
    workflow: &str,
    run: &Run,
    workflows: Option<&[Workflow]>,
) -> String {
    let plain = format!("{repository}/{workflow}");
    let (Some(list), Some(path)) = (workflows, run.path.as_deref()) else {
        return plain;
    };
    let file = file_of(path);
    let mine = run.workflow_id.or_else(|| {
        list.iter()
            .find(|w| w.path.as_deref().map(file_of) == Some(file))
            .and_then(|w| w.id)
    });
    let oldest_of_name = list
        .iter()
        .filter(|w| w.name.as_deref().map(str::trim) == Some(workflow))
        .filter_map(|w| w.id)
        .min();
    match (mine, oldest_of_name) {
        (Some(me), Some(oldest)) if me != oldest => format!("{plain} ({file})"),
        _ => plain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_attempt_has_its_own_number_below_two_to_the_31() {
        let n = |run, attempt| build_number(BuildNumbers::PerAttempt, run, attempt).0;
        assert_eq!(n(4487, 1), 1_000_448_701);
        assert_eq!(n(4487, 2), 1_000_448_702);
        assert!(
            n(4487, 2) > n(4487, 1) && n(4488, 1) > n(4487, 99),
            "ordered like runs"
        );
        assert!(n(MAX_RUN_NUMBER, MAX_ATTEMPT) < LIMIT);
        assert!(n(1, 1) > 999_999_999, "above every plain run number");
        let (beyond, warning) = build_number(BuildNumbers::PerAttempt, MAX_RUN_NUMBER + 1, 1);
        assert_eq!(beyond, MAX_RUN_NUMBER + 1);
        assert!(warning.unwrap().contains("per-attempt"));
        assert_eq!(build_number(BuildNumbers::RunNumber, 4487, 2), (4487, None));
        assert_eq!(
            BuildNumbers::parse("Run-Number"),
            Some(BuildNumbers::RunNumber)
        );
        assert_eq!(
            BuildNumbers::parse("per-attempt"),
            Some(BuildNumbers::PerAttempt)
        );
        assert_eq!(BuildNumbers::parse("run-id"), None);
    }

    fn workflow(id: u64, name: &str, path: &str) -> Workflow {
        Workflow {
            id: Some(id),
            name: Some(name.into()),
            path: Some(path.into()),
            state: Some("active".into()),
        }
    }

    fn run(id: u64, path: &str) -> Run {
        Run {
            workflow_id: Some(id),
            path: Some(path.into()),
            ..Run::default()
        }
    }

    #[test]
    fn two_files_with_one_name_are_two_jobs() {
        let list = [
            workflow(10, "CI", ".github/workflows/ci.yml"),
            workflow(20, "CI", ".github/workflows/ci-backend.yml"),
            workflow(30, "Deploy", ".github/workflows/deploy.yml"),
        ];
        let name = |r: &Run, w: &str| job_full_name("acme/api", w, r, Some(&list));
        assert_eq!(
            name(&run(10, ".github/workflows/ci.yml"), "CI"),
            "acme/api/CI"
        );
        assert_eq!(
            name(
                &run(20, ".github/workflows/ci-backend.yml@refs/heads/main"),
                "CI"
            ),
            "acme/api/CI (ci-backend.yml)"
        );
        assert_eq!(
            name(&run(30, ".github/workflows/deploy.yml"), "Deploy"),
            "acme/api/Deploy"
        );
        // Without the list, or without the run's file, the plain form.
        assert_eq!(
            job_full_name("acme/api", "CI", &run(20, "x.yml"), None),
            "acme/api/CI"
        );
        // A run that does not say its workflow id is found by its file.
        let r = Run {
            path: Some(".github/workflows/ci-backend.yml".into()),
            ..Run::default()
        };
        assert_eq!(name(&r, "CI"), "acme/api/CI (ci-backend.yml)");
    }

    #[test]
    fn a_renamed_file_is_a_new_job_and_the_old_name_stays() {
        let list = [
            Workflow {
                state: Some("deleted".into()),
                ..workflow(10, "CI", ".github/workflows/ci.yml")
            },
            workflow(40, "CI", ".github/workflows/build.yml"),
        ];
        let name = |r: &Run| job_full_name("acme/api", "CI", r, Some(&list));
        assert_eq!(
            name(&run(40, ".github/workflows/build.yml")),
            "acme/api/CI (build.yml)"
        );
    }
}
