//! Reports that must not be sent, decided before anything is read: each skip ends the step
//! with status `skipped`, one notice that says why, and exit code 0 whatever `fail-on-error`
//! says (nothing is wrong: there is nothing to report, or GitHub gave the run no secrets).
//!
//! - A `workflow_run` event whose action is not `completed` (`requested`, `in_progress`: a
//!   workflow whose `on: workflow_run` has no `types:` gets all three): SEI keeps the first
//!   report of a run and never updates it, so reporting a queued run would freeze it queued.
//! - An empty `sei-token` in a run GitHub gives no Actions secrets: a pull request from a fork
//!   (its `pull_request`, review and review-comment events), or a run Dependabot started
//!   (`dependabot[bot]` as the actor or the triggering actor: its pull requests and pushes).
//!   Any other empty `sei-token` is a mistake in the workflow, and an input error.

use crate::env::RunnerEnv;
use crate::model::event::Event;

/// Dependabot's login.
pub(crate) const DEPENDABOT: &str = "dependabot[bot]";

/// Why nothing is reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Skip {
    /// The notice, whole.
    pub notice: String,
    /// A few words, for the summary and the outputs.
    pub detail: String,
}

/// What the decision looks at.
pub(crate) struct Facts<'a> {
    pub env: &'a RunnerEnv,
    pub event: Option<&'a Event>,
    /// The run to report comes from the `workflow_run` event (no `run-id` was given).
    pub from_workflow_run: bool,
    pub sei_token_empty: bool,
    pub dry_run: bool,
}

/// The reason to report nothing, if there is one.
pub(crate) fn decide(f: &Facts) -> Option<Skip> {
    if f.from_workflow_run && f.env.event_name.as_deref() == Some("workflow_run") {
        let action = f.event.and_then(|e| e.action.as_deref());
        if let Some(action) = action.filter(|a| *a != "completed") {
            return Some(Skip {
                notice: format!(
                    "this `workflow_run` event is `{action}`: the run it names has not \
                     finished, and SEI keeps the first report of a run without ever updating \
                     it, so nothing is reported now; the `completed` event reports it. Add \
                     `types: [completed]` under `on: workflow_run` to start this workflow only \
                     then."
                ),
                detail: format!("workflow_run event `{action}`: reported when `completed`"),
            });
        }
    }
    if !f.sei_token_empty || f.dry_run {
        return None;
    }
    if f.event.is_some_and(Event::is_fork_pull_request) {
        return Some(Skip {
            notice: "`sei-token` is empty because this pull request comes from a fork (GitHub \
                     gives fork pull requests no secrets): nothing is reported. Report such \
                     runs from a separate `on: workflow_run` workflow instead (see the README)."
                .to_owned(),
            detail: "fork pull request: no SEI token".to_owned(),
        });
    }
    let sender = f.event.and_then(|e| e.sender.as_ref()?.login.as_deref());
    let dependabot = [
        f.env.actor.as_deref(),
        f.env.triggering_actor.as_deref(),
        sender,
    ]
    .into_iter()
    .flatten()
    .any(|a| a.eq_ignore_ascii_case(DEPENDABOT));
    if dependabot {
        return Some(Skip {
            notice: "`sei-token` is empty because Dependabot started this run (GitHub gives \
                     Dependabot's runs no Actions secrets): nothing is reported. Report such \
                     runs from a separate `on: workflow_run` workflow, or add the key as a \
                     Dependabot secret too (see the README)."
                .to_owned(),
            detail: "Dependabot run: no SEI token".to_owned(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(json: &str) -> Event {
        serde_json::from_str(json).unwrap()
    }

    fn facts<'a>(env: &'a RunnerEnv, event: Option<&'a Event>, token_empty: bool) -> Facts<'a> {
        Facts {
            env,
            event,
            from_workflow_run: true,
            sei_token_empty: token_empty,
            dry_run: false,
        }
    }

    #[test]
    fn only_a_completed_workflow_run_is_reported() {
        let env = RunnerEnv {
            event_name: Some("workflow_run".into()),
            ..RunnerEnv::default()
        };
        for action in ["requested", "in_progress"] {
            let e = event(&format!(
                r#"{{"action":"{action}","workflow_run":{{"id":1}}}}"#
            ));
            let skip = decide(&facts(&env, Some(&e), false)).unwrap();
            assert!(
                skip.notice.contains(&format!("is `{action}`")),
                "{}",
                skip.notice
            );
            assert!(skip.notice.contains("types: [completed]"));
        }
        let done = event(r#"{"action":"completed","workflow_run":{"id":1}}"#);
        assert_eq!(decide(&facts(&env, Some(&done), false)), None);
        // Given `run-id`, the user chose the run: the event's action does not matter.
        let queued = event(r#"{"action":"requested","workflow_run":{"id":1}}"#);
        let mut f = facts(&env, Some(&queued), false);
        f.from_workflow_run = false;
        assert_eq!(decide(&f), None);
    }

    #[test]
    fn runs_without_secrets_are_skipped_with_the_reason() {
        let env = RunnerEnv {
            event_name: Some("pull_request".into()),
            actor: Some(DEPENDABOT.into()),
            ..RunnerEnv::default()
        };
        let skip = decide(&facts(&env, None, true)).unwrap();
        assert!(skip.notice.contains("Dependabot"), "{}", skip.notice);
        let push = RunnerEnv {
            event_name: Some("push".into()),
            triggering_actor: Some(DEPENDABOT.into()),
            ..RunnerEnv::default()
        };
        assert!(decide(&facts(&push, None, true)).is_some());
        let sent = event(r#"{"sender":{"login":"dependabot[bot]"}}"#);
        assert!(decide(&facts(&RunnerEnv::default(), Some(&sent), true)).is_some());
        // With a key, Dependabot's runs are reported like any other.
        assert_eq!(decide(&facts(&env, None, false)), None);
        // An empty key anywhere else is the workflow's mistake: not a skip.
        let me = RunnerEnv {
            actor: Some("octocat".into()),
            ..RunnerEnv::default()
        };
        assert_eq!(decide(&facts(&me, None, true)), None);
    }
}
