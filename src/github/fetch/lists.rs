//! Two lists read whole, each only when asked for: the repository's workflows (job identity:
//! files that share a `name:`) and the artifacts the run uploaded (`include-workflow-artifacts`).

use super::{Found, Plan};
use crate::github::source::Source;
use crate::model::{Artifact, Note, Repo, RunRef, Workflow};

/// Job identity: the repository's workflows, unless `job-full-name` is given.
pub(super) async fn workflows(
    src: &dyn Source,
    repo: &Repo,
    plan: &Plan<'_>,
) -> Found<Vec<Workflow>> {
    if !plan.workflows {
        return Found::No(None);
    }
    match src.workflows(repo).await {
        Ok(w) => Found::Yes(w),
        Err(e) => Found::No(Some(Note::warning(format!(
            "could not list the repository's workflows ({e}): the job is named \
             `<owner>/<repo>/<workflow name>` without telling apart workflow files that share \
             a name{}",
            e.hint("actions: read")
        )))),
    }
}

/// `include-workflow-artifacts`: every artifact the run uploaded.
pub(super) async fn artifacts(
    src: &dyn Source,
    target: &RunRef,
    plan: &Plan<'_>,
) -> Found<Vec<Artifact>> {
    if !plan.workflow_artifacts {
        return Found::No(None);
    }
    match src.artifacts(&target.repo, target.id).await {
        Ok(a) => Found::Yes(a),
        Err(e) => Found::No(Some(Note::warning(format!(
            "could not list the run's artifacts ({e}): reporting the declared ones only"
        )))),
    }
}
