//! What a delivery asks for, decided from its `X-GitHub-Event` header and its (authenticated)
//! body: a `workflow_run` that `completed` is one run attempt to report; `ping` is answered;
//! everything else is acknowledged and ignored. Pure: no I/O, no clock.

use crate::model::lenient;
use crate::model::{Repo, Repository, Run};
use crate::model::{RunRef, RunSource};
use serde::Deserialize;

/// The part of a delivery's body `serve` reads.
#[derive(Debug, Default, Deserialize)]
struct Body {
    #[serde(default, deserialize_with = "lenient::string")]
    action: Option<String>,
    #[serde(default, deserialize_with = "lenient::object")]
    workflow_run: Option<Run>,
    #[serde(default, deserialize_with = "lenient::object")]
    repository: Option<Repository>,
    /// Set in a GitHub App's deliveries: the installation whose token reads the run.
    #[serde(default, deserialize_with = "lenient::object")]
    installation: Option<Installation>,
}

#[derive(Debug, Default, Deserialize)]
struct Installation {
    #[serde(default, deserialize_with = "lenient::number")]
    id: Option<u64>,
}

/// One run attempt a delivery asks to report.
#[derive(Debug, Clone)]
pub(crate) struct Wanted {
    pub target: RunRef,
    /// The run as the delivery shows it (the hint: requests start from it).
    pub run: Run,
    pub default_branch: Option<String>,
    pub installation: Option<u64>,
}

/// What to do with a delivery.
#[derive(Debug)]
pub(crate) enum Decision {
    /// `ping`: the hook was set up.
    Ping,
    Report(Box<Wanted>),
    /// Acknowledged, not reported: the reason, for the log.
    Ignore(String),
    /// A `workflow_run` that names no run: the reason.
    Bad(String),
}

/// Decides from the event's name and the body.
pub(crate) fn decide(event: &str, body: &[u8]) -> Decision {
    match event {
        "ping" => return Decision::Ping,
        "workflow_run" => {}
        other => return Decision::Ignore(format!("event {other} is not reported")),
    }
    let parsed: Body = match serde_json::from_slice(body) {
        Ok(b) => b,
        Err(e) => return Decision::Bad(format!("the body is not a workflow_run event ({e})")),
    };
    let action = parsed.action.as_deref().unwrap_or("");
    if action != "completed" {
        return Decision::Ignore(format!(
            "workflow_run {} is not reported: a run is reported once completed",
            if action.is_empty() {
                "(no action)"
            } else {
                action
            }
        ));
    }
    let Some(run) = parsed.workflow_run else {
        return Decision::Bad("a completed workflow_run without its workflow_run".into());
    };
    let repo = run
        .repository
        .as_ref()
        .and_then(|r| r.full_name.as_deref())
        .or_else(|| parsed.repository.as_ref()?.full_name.as_deref())
        .and_then(Repo::parse);
    let (Some(id), Some(repo)) = (run.id, repo) else {
        return Decision::Bad("the workflow_run names no run id or repository".into());
    };
    let default_branch = parsed
        .repository
        .as_ref()
        .filter(|r| {
            r.full_name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(&repo.to_string()))
        })
        .and_then(|r| r.default_branch.clone());
    Decision::Report(Box::new(Wanted {
        target: RunRef {
            repo,
            id,
            attempt: Some(run.run_attempt.unwrap_or(1).max(1)),
            source: RunSource::WorkflowRunEvent,
        },
        run,
        default_branch,
        installation: parsed.installation.and_then(|i| i.id),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: serde_json::Value) -> Vec<u8> {
        serde_json::to_vec(&v).unwrap()
    }

    #[test]
    fn a_completed_run_is_one_attempt_to_report() {
        let b = body(json!({
            "action": "completed",
            "workflow_run": {"id": 30433642, "run_attempt": 2,
                             "repository": {"full_name": "octo-org/octo-repo"}},
            "repository": {"full_name": "octo-org/octo-repo", "default_branch": "main"},
            "installation": {"id": 77}
        }));
        let Decision::Report(w) = decide("workflow_run", &b) else {
            panic!()
        };
        assert_eq!(
            w.target.to_string(),
            "run 30433642 of octo-org/octo-repo, attempt 2"
        );
        assert_eq!(w.default_branch.as_deref(), Some("main"));
        assert_eq!(w.installation, Some(77));
    }

    #[test]
    fn other_events_and_actions_are_ignored_and_ping_answered() {
        assert!(matches!(decide("ping", b"{}"), Decision::Ping));
        assert!(matches!(
            decide("push", b"not even json"),
            Decision::Ignore(_)
        ));
        for action in ["requested", "in_progress"] {
            let b = body(json!({"action": action, "workflow_run": {"id": 1}}));
            let Decision::Ignore(why) = decide("workflow_run", &b) else {
                panic!()
            };
            assert!(why.contains(action), "{why}");
        }
        assert!(matches!(decide("workflow_run", b"[1"), Decision::Bad(_)));
        let b = body(json!({"action": "completed", "workflow_run": {"id": 1}}));
        assert!(matches!(decide("workflow_run", &b), Decision::Bad(_)));
    }
}
