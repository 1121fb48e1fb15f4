//! What each rule of the mapping reads from GitHub and what it costs in requests, with the
//! bounds the code uses: the table of `docs/mapping.md` (checked by `tests/it/docs.rs`), so the
//! numbers there cannot drift from the constants here.

use crate::github::client::{MAX_PAGES, STATUSES_PAGE};
use crate::github::pages::PER_PAGE;
use crate::github::pages::{MAX_ARTIFACT_PAGES, MAX_WORKFLOW_PAGES};
use crate::map::commits::{MAX_PREVIOUS_PAGES, PREVIOUS_PAGE};
use crate::map::deployments::{
    BASE_BATCH, ENVIRONMENT_PAGE, MAX_BASE_CANDIDATES, MAX_CANDIDATES, MAX_COMMIT_PAGES,
    MAX_ENVIRONMENT_PAGES,
};

/// `(what, what it reads, requests)`, in the docs' order.
pub fn costs() -> Vec<(String, String, String)> {
    let row = |a: &str, b: String, c: String| (a.to_owned(), b, c);
    vec![
        row(
            "the run and its jobs",
            "`GET .../actions/runs/{id}/attempts/{n}` (not asked when the run is at hand), \
             `.../attempts/{n}/jobs`"
                .into(),
            format!(
                "1 + one per {PER_PAGE} jobs (at most {MAX_PAGES} pages), sent together; \
                 the run you are in: the pages again while its other jobs settle (`304`, free)"
            ),
        ),
        row(
            "CI or CD, rule 2; `deployed_to:`",
            format!(
                "`GET .../deployments?sha={{head}}` (newest first, {PER_PAGE} a page); \
                 `GET .../deployments/{{id}}/statuses?per_page={STATUSES_PAGE}` of each made \
                 while the run ran"
            ),
            format!(
                "1, and a page more while a page is full and newer than the run (at most \
                 {MAX_COMMIT_PAGES}); + 1 per deployment made while the run ran (at most \
                 {MAX_CANDIDATES}), together"
            ),
        ),
        row(
            "CI or CD, rule 3 (a `deployment` run reported from another workflow)",
            "the same deployments of the head commit".into(),
            "none more".into(),
        ),
        row(
            "CI or CD, rule 4 (hints)",
            "the attempt's jobs (already read); for a `push` or `create` run reported from \
             another workflow, not on the default branch: `GET .../git/matching-refs/tags/{head}`"
                .into(),
            "none; 1 (with the first round)".into(),
        ),
        row(
            "commits since the previous success (a run that is not a deployment)",
            format!(
                "`GET .../actions/workflows/{{file}}/runs?status=success&branch=&event=&created=<` \
                 ({PREVIOUS_PAGE} runs a page), then `GET .../compare/{{base}}...{{head}}`"
            ),
            format!(
                "1 (guessed with the first round), up to {MAX_PREVIOUS_PAGES} pages; + 1 \
                 compare page, 2 when the range holds more than {PER_PAGE} commits"
            ),
        ),
        row(
            "commits of a deployment (an attempt that deployed where `cd-environments` counts)",
            format!(
                "per environment: `GET .../deployments?environment={{env}}` ({ENVIRONMENT_PAGE} a \
                 page, at most {MAX_ENVIRONMENT_PAGES} pages), the statuses of the deployments \
                 before this attempt's ({BASE_BATCH} at a time, at most {MAX_BASE_CANDIDATES}), \
                 `GET .../actions/runs/{{id}}` of the runs their `success` names (this run's own \
                 attempts need none), then the compare"
            ),
            format!(
                "per environment, most often 1 listing + up to {BASE_BATCH} statuses + 1 or 2 \
                 runs + 1 compare; at most {MAX_ENVIRONMENT_PAGES} + {MAX_BASE_CANDIDATES} + \
                 {MAX_BASE_CANDIDATES} + 2; every environment at once"
            ),
        ),
        row(
            "`branch_name` of a tag (reported from another workflow)",
            "`GET .../git/matching-refs/tags/{head}`".into(),
            "1, shared with rule 4".into(),
        ),
        row(
            "job identity (`job_full_name`)",
            "`GET .../actions/workflows`".into(),
            format!("1 per {PER_PAGE} workflows (at most {MAX_WORKFLOW_PAGES} pages)"),
        ),
        row(
            "`continue-on-error` (the run you are in, a job failed)",
            "`GET .../contents/{workflow file}?ref={head}`".into(),
            "1".into(),
        ),
        row(
            "`include-workflow-artifacts`",
            "`GET .../actions/runs/{id}/artifacts`".into(),
            format!("1 per {PER_PAGE} artifacts (at most {MAX_ARTIFACT_PAGES} pages)"),
        ),
    ]
}
