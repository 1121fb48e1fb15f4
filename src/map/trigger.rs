//! `trigger_chain`: why the run happened, in the causes the Jenkins plugin sends
//! (`SCMTriggerCause`, `TimerTriggerCause`, `UserIdCause`, `UpstreamCause`, `RemoteCause`).

use crate::event::Event;
use crate::github::model::Run;
use crate::payload::Trigger;

/// How one GitHub event name becomes a cause: the README's trigger table is this list.
#[rustfmt::skip]
pub const EVENTS: &[(&str, &str, &str)] = &[
    // (event, cause type, cause id)
    ("push", "SCMTriggerCause", "SCMTrigger"),
    ("pull_request", "SCMTriggerCause", "SCMTrigger"),
    ("pull_request_target", "SCMTriggerCause", "SCMTrigger"),
    ("merge_group", "SCMTriggerCause", "SCMTrigger"),
    ("create", "SCMTriggerCause", "SCMTrigger"),
    ("release", "SCMTriggerCause", "SCMTrigger"),
    ("schedule", "TimerTriggerCause", "TimerTrigger"),
    ("workflow_dispatch", "UserIdCause", "the triggering actor's login"),
    ("workflow_run", "UpstreamCause", "the upstream workflow's name"),
    ("workflow_call", "UpstreamCause", "the calling workflow's name"),
];

/// Any event not in [`EVENTS`] (`repository_dispatch`, `issue_comment`, `deployment`, ...).
pub const OTHER: (&str, &str) = ("RemoteCause", "the event name");

/// The trigger chain of `run`. `event` is the run's own event payload when the reporter has it
/// (in-workflow mode), which adds detail; without it the run alone decides.
pub fn chain(run: &Run, event: Option<&Event>) -> Vec<Trigger> {
    let actor = run
        .triggering_actor
        .as_ref()
        .or(run.actor.as_ref())
        .and_then(|a| a.login.clone());
    let name = run.event.as_deref().unwrap_or("unknown");
    let mut chain = Vec::with_capacity(2);

    // A re-run is a person's decision on top of the original cause.
    if run.run_attempt.unwrap_or(1) > 1 {
        if let Some(actor) = &actor {
            chain.push(cause("UserIdCause", actor.clone(), None));
        }
    }

    let upstream = event.and_then(|e| e.workflow_run.as_ref());
    let kind = EVENTS
        .iter()
        .find(|(e, _, _)| *e == name)
        .map_or(OTHER.0, |(_, kind, _)| kind);
    let first = match kind {
        "SCMTriggerCause" => cause(kind, "SCMTrigger".into(), None),
        "TimerTriggerCause" => cause(kind, "TimerTrigger".into(), None),
        "UserIdCause" => cause(kind, actor.unwrap_or_else(|| "unknown".into()), None),
        "UpstreamCause" => match upstream {
            Some(up) => cause(
                kind,
                up.name.clone().unwrap_or_else(|| name.into()),
                up.run_number,
            ),
            None => cause(kind, name.into(), None),
        },
        _ => cause(kind, name.into(), None),
    };
    chain.push(first);
    chain
}

fn cause(kind: &str, id: String, job_run_number: Option<u64>) -> Trigger {
    Trigger {
        id,
        kind: kind.into(),
        job_run_number,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::model::Actor;

    fn run(event: &str, attempt: u64) -> Run {
        Run {
            event: Some(event.into()),
            run_attempt: Some(attempt),
            actor: Some(Actor {
                login: Some("author".into()),
            }),
            triggering_actor: Some(Actor {
                login: Some("clicker".into()),
            }),
            ..Run::default()
        }
    }

    fn kinds(chain: &[Trigger]) -> Vec<(&str, &str)> {
        chain
            .iter()
            .map(|t| (t.kind.as_str(), t.id.as_str()))
            .collect()
    }

    #[test]
    fn one_cause_per_event() {
        assert_eq!(
            kinds(&chain(&run("push", 1), None)),
            [("SCMTriggerCause", "SCMTrigger")]
        );
        assert_eq!(
            kinds(&chain(&run("schedule", 1), None)),
            [("TimerTriggerCause", "TimerTrigger")]
        );
        assert_eq!(
            kinds(&chain(&run("workflow_dispatch", 1), None)),
            [("UserIdCause", "clicker")]
        );
        assert_eq!(
            kinds(&chain(&run("repository_dispatch", 1), None)),
            [("RemoteCause", "repository_dispatch")]
        );
    }

    #[test]
    fn a_rerun_adds_the_person_who_clicked() {
        assert_eq!(
            kinds(&chain(&run("push", 2), None)),
            [
                ("UserIdCause", "clicker"),
                ("SCMTriggerCause", "SCMTrigger")
            ]
        );
    }

    #[test]
    fn workflow_run_names_the_upstream_run_when_the_event_is_known() {
        let event = Event {
            workflow_run: Some(Run {
                name: Some("Build".into()),
                run_number: Some(67),
                ..Run::default()
            }),
            ..Event::default()
        };
        let c = chain(&run("workflow_run", 1), Some(&event));
        assert_eq!(kinds(&c), [("UpstreamCause", "Build")]);
        assert_eq!(c[0].job_run_number, Some(67));
    }
}
