//! `trigger_chain`: why the run happened, in the causes the Jenkins plugin sends
//! (`SCMTriggerCause`, `TimerTriggerCause`, `UserIdCause`, `UpstreamCause`, `RemoteCause`).
//!
//! Each cause keeps the plugin's `type` and `id`, so SEI reads it as it reads Jenkins'; details
//! GitHub adds ride along in extra fields: the pull request's number, the schedule's cron, the
//! upstream run's id (SEI's 2023 server stores `id`, `type`, `job_run_number` and
//! `direct_parents`, and ignores the rest).

use crate::model::event::Event;
use crate::model::Run;
use crate::payload::Trigger;

/// How one GitHub event name becomes a cause: the README's trigger table is this list.
#[rustfmt::skip]
pub const EVENTS: &[(&str, &str, &str, &str)] = &[
    // (event, cause type, cause id, details)
    ("push", "SCMTriggerCause", "SCMTrigger", ""),
    ("pull_request", "SCMTriggerCause", "SCMTrigger", "`pull_request`: the pull request's number"),
    ("pull_request_target", "SCMTriggerCause", "SCMTrigger", "`pull_request`: the pull request's number"),
    ("merge_group", "SCMTriggerCause", "SCMTrigger", ""),
    ("create", "SCMTriggerCause", "SCMTrigger", ""),
    ("release", "SCMTriggerCause", "SCMTrigger", ""),
    ("schedule", "TimerTriggerCause", "TimerTrigger", "`cron`: the schedule that fired"),
    ("workflow_dispatch", "UserIdCause", "the triggering actor's login", ""),
    ("workflow_run", "UpstreamCause", "the upstream run's `<owner>/<repo>/<workflow name>`", "`job_run_number`: its run number; `run_id`: its run id; `direct_parents`: its own cause"),
    ("workflow_call", "UpstreamCause", "the calling workflow's name", ""),
];

/// Any event not in [`EVENTS`] (`repository_dispatch`, `issue_comment`, `deployment`, ...).
pub const OTHER: (&str, &str) = ("RemoteCause", "the event name");

/// The trigger chain of `run` in `repository` (`owner/repo`). `event` is the run's own event
/// payload when the reporter has it (in-workflow mode), which adds detail; without it the run
/// alone decides. `previous` is the build number the attempt before this one is reported with.
pub fn chain(
    run: &Run,
    event: Option<&Event>,
    repository: &str,
    previous: Option<u64>,
) -> Vec<Trigger> {
    let mut chain = Vec::with_capacity(2);

    // A re-run is a person's decision on top of the original cause; it names the attempt it
    // re-ran, and that attempt's SEI build number in `job_run_number`, which SEI stores.
    let attempt = run.run_attempt.unwrap_or(1);
    if attempt > 1 {
        let who = super::started_by(run).unwrap_or_else(|| "unknown".into());
        let mut t = cause("UserIdCause", who);
        t.rerun_of_attempt = Some(attempt - 1);
        t.job_run_number = previous;
        chain.push(t);
    }
    chain.push(first_cause(run, event, repository));
    chain
}

/// The cause of `run` itself (its event), with whatever detail is known.
fn first_cause(run: &Run, event: Option<&Event>, repository: &str) -> Trigger {
    let name = run.event.as_deref().unwrap_or("unknown");
    let kind = EVENTS
        .iter()
        .find(|(e, ..)| *e == name)
        .map_or(OTHER.0, |(_, kind, ..)| kind);
    match kind {
        "SCMTriggerCause" => {
            let mut t = cause(kind, "SCMTrigger".into());
            if name.starts_with("pull_request") {
                t.pull_request = event
                    .and_then(|e| e.pull_request.as_ref()?.number)
                    .or_else(|| run.pull_requests.first()?.number);
            }
            t
        }
        "TimerTriggerCause" => {
            let mut t = cause(kind, "TimerTrigger".into());
            t.cron = event.and_then(|e| e.schedule.clone());
            t
        }
        "UserIdCause" => cause(
            kind,
            super::started_by(run).unwrap_or_else(|| "unknown".into()),
        ),
        "UpstreamCause" => match event.and_then(|e| e.workflow_run.as_ref()) {
            Some(up) if name == "workflow_run" => {
                let up_repo = up
                    .repository
                    .as_ref()
                    .and_then(|r| r.full_name.as_deref())
                    .unwrap_or(repository);
                let workflow = super::workflow_name(up.name.as_deref(), up.path.as_deref());
                let mut t = cause(kind, format!("{up_repo}/{workflow}"));
                t.job_run_number = up.run_number;
                t.run_id = up.id;
                if up.event.is_some() {
                    // The upstream's own cause; its event payload is not known here.
                    t.direct_parents = vec![first_cause(up, None, up_repo)];
                }
                t
            }
            _ => cause(kind, name.into()),
        },
        _ => cause(kind, name.into()),
    }
}

fn cause(kind: &str, id: String) -> Trigger {
    Trigger {
        id,
        kind: kind.into(),
        job_run_number: None,
        direct_parents: Vec::new(),
        run_id: None,
        pull_request: None,
        cron: None,
        rerun_of_attempt: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Actor;

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
        let chain = |r: &Run, e: Option<&Event>| chain(r, e, "acme/api", None);
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
        let c = chain(&run("push", 2), None, "acme/api", Some(1_000_004_401));
        assert_eq!(
            kinds(&c),
            [
                ("UserIdCause", "clicker"),
                ("SCMTriggerCause", "SCMTrigger")
            ]
        );
        // It says which attempt it re-ran, and that attempt's build number, which SEI stores.
        assert_eq!(c[0].rerun_of_attempt, Some(1));
        assert_eq!(c[0].job_run_number, Some(1_000_004_401));
        assert_eq!(c[1].rerun_of_attempt, None);
    }

    #[test]
    fn workflow_run_names_the_upstream_run_when_the_event_is_known() {
        let event = Event {
            workflow_run: Some(Run {
                id: Some(12456168064),
                name: Some("Build".into()),
                run_number: Some(67),
                event: Some("push".into()),
                ..Run::default()
            }),
            ..Event::default()
        };
        let c = chain(&run("workflow_run", 1), Some(&event), "acme/api", None);
        assert_eq!(kinds(&c), [("UpstreamCause", "acme/api/Build")]);
        assert_eq!(c[0].job_run_number, Some(67));
        assert_eq!(c[0].run_id, Some(12456168064));
        assert_eq!(
            kinds(&c[0].direct_parents),
            [("SCMTriggerCause", "SCMTrigger")]
        );
        // Without the event, the upstream is unknown.
        let c = chain(&run("workflow_run", 1), None, "acme/api", None);
        assert_eq!(kinds(&c), [("UpstreamCause", "workflow_run")]);
        assert_eq!((c[0].job_run_number, c[0].run_id), (None, None));
    }

    #[test]
    fn pull_requests_carry_their_number_and_schedules_their_cron() {
        let pr: Event = serde_json::from_str(r#"{"pull_request":{"number":42}}"#).unwrap();
        let c = chain(&run("pull_request", 1), Some(&pr), "acme/api", None);
        assert_eq!(c[0].pull_request, Some(42));
        // From the run's own list when the event is not known (same-repository pull requests).
        let mut r = run("pull_request_target", 1);
        r.pull_requests = serde_json::from_str(r#"[{"number":7}]"#).unwrap();
        assert_eq!(chain(&r, None, "acme/api", None)[0].pull_request, Some(7));
        let cron: Event = serde_json::from_str(r#"{"schedule":"30 5 * * 1-5"}"#).unwrap();
        let c = chain(&run("schedule", 1), Some(&cron), "acme/api", None);
        assert_eq!(c[0].cron.as_deref(), Some("30 5 * * 1-5"));
        let v = serde_json::to_value(&c[0]).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"id": "TimerTrigger", "type": "TimerTriggerCause", "cron": "30 5 * * 1-5"})
        );
    }
}
