//! `job_run_params`: the run's parameters as the Jenkins plugin sends them
//! (`{type: StringParameterValue, name, value}`, values as strings). First a small, fixed set
//! that every report carries ([`FIXED`]), so that an SEI admin can select deployments in a
//! profile by parameter (the environment deployed to, the event, the branch or tag, the
//! attempt, the workflow file) without naming jobs; then the `workflow_dispatch` inputs of the
//! run's own event, in the event's order; then the `params` input. A later name replaces an
//! earlier one in its place: a dispatch input or a `params` entry of the same name as a fixed
//! parameter wins.

use crate::payload::Param;

/// Prefix of the parameter named after each environment the attempt deployed to.
pub const DEPLOYED_TO: &str = "deployed_to:";
/// The value of a [`DEPLOYED_TO`] parameter.
pub const DEPLOYED: &str = "true";

/// The fixed parameters, in the order sent: (name, value). The docs' table is this list.
pub const FIXED: &[(&str, &str)] = &[
    (
        "`deployed_to:<environment>`",
        "`true`: one for each environment this attempt deployed to, named as GitHub spells it \
         (`deployed_to:production`), whether `cd-environments` counts it or not; a `deployment` \
         run's own environment too",
    ),
    (
        "`github_event`",
        "the event that started the run: `push`, `workflow_dispatch`, `schedule`, `release`, ...",
    ),
    (
        "`github_branch`",
        "the branch the run is for, as `branch_name` says it (not sent for a tag)",
    ),
    (
        "`github_tag`",
        "the tag the run is for, for a tag push or a release (`v1.2.0`; not sent for a branch)",
    ),
    ("`github_run_attempt`", "the attempt: `1`, `2`, ..."),
    (
        "`github_workflow_file`",
        "the workflow's file: `.github/workflows/deploy.yml`",
    ),
];

/// The DORA profile that selects these runs' deployments to `environment`, setting by setting:
/// `(setting, [deployment frequency, failed deployments, total deployments, lead-time stage])`,
/// the table of `docs/sei-dora.md` (checked by `tests/it/docs.rs`, so the names and statuses there
/// are the ones the payload carries).
pub fn recipe(environment: &str) -> Vec<(&'static str, [String; 4])> {
    use super::result::{FAILURE, SUCCESS};
    let all = |v: &str| std::array::from_fn(|_| v.to_owned());
    let param = format!("`{DEPLOYED_TO}{environment}` = `{DEPLOYED}`");
    vec![
        ("Jobs", all("all jobs (not \"manually\")")),
        (
            "CI/CD job (the boxes)",
            [
                "CD only".into(),
                "CD only".into(),
                "CD only".into(),
                "(SEI applies none here)".into(),
            ],
        ),
        (
            "Job statuses",
            [
                format!("`{SUCCESS}`"),
                format!("`{FAILURE}`"),
                format!("`{SUCCESS}`, `{FAILURE}`"),
                format!("`{SUCCESS}`"),
            ],
        ),
        ("Parameters", all(&param)),
        (
            "Calculation field",
            [
                "end time".into(),
                "end time".into(),
                "end time".into(),
                "(the run's end time)".into(),
            ],
        ),
    ]
}

/// What the fixed parameters are made of.
pub struct Facts<'a> {
    /// Every environment the attempt deployed to, each once.
    pub environments: &'a [String],
    pub event: Option<&'a str>,
    /// The tag the run is for, if it is for one.
    pub tag: Option<String>,
    /// `branch_name`.
    pub branch: Option<String>,
    pub attempt: u64,
    pub workflow_file: Option<String>,
}

/// The fixed parameters of a run, in [`FIXED`]'s order; those without a value are left out.
pub fn of_run(f: &Facts) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = f
        .environments
        .iter()
        .map(|e| (format!("{DEPLOYED_TO}{e}"), DEPLOYED.to_owned()))
        .collect();
    let mut add = |name: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            out.push((name.to_owned(), v));
        }
    };
    add("github_event", f.event.map(str::to_owned));
    match &f.tag {
        Some(t) => add("github_tag", Some(t.clone())),
        None => add("github_branch", f.branch.clone()),
    }
    add("github_run_attempt", Some(f.attempt.to_string()));
    add("github_workflow_file", f.workflow_file.clone());
    out
}

/// The fixed parameters, then the dispatch inputs, then the user's `params`; a later name
/// replaces an earlier one in its place.
pub fn merge(
    fixed: &[(String, String)],
    dispatch_inputs: &[(String, String)],
    params: &[(String, String)],
) -> Vec<Param> {
    let mut out: Vec<Param> =
        Vec::with_capacity(fixed.len() + dispatch_inputs.len() + params.len());
    for (name, value) in fixed.iter().chain(dispatch_inputs).chain(params) {
        match out.iter_mut().find(|p| p.name == *name) {
            Some(p) => p.value = value.clone(),
            None => out.push(Param::string(name, value)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(a, b)| ((*a).into(), (*b).into())).collect()
    }

    fn got(p: &[Param]) -> Vec<(&str, &str)> {
        p.iter()
            .map(|p| (p.name.as_str(), p.value.as_str()))
            .collect()
    }

    #[test]
    fn dispatch_inputs_then_params_which_win() {
        let p = merge(
            &[],
            &pairs(&[("environment", "staging"), ("dry_run", "false")]),
            &pairs(&[("version", "1.4.2"), ("environment", "production")]),
        );
        let got: Vec<(&str, &str, &str)> = p
            .iter()
            .map(|p| (p.kind.as_str(), p.name.as_str(), p.value.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("StringParameterValue", "environment", "production"),
                ("StringParameterValue", "dry_run", "false"),
                ("StringParameterValue", "version", "1.4.2"),
            ]
        );
        assert!(merge(&[], &[], &[]).is_empty());
    }

    #[test]
    fn every_report_carries_the_fixed_set_and_the_user_wins() {
        let envs = ["production".to_owned(), "prod-eu".to_owned()];
        let fixed = of_run(&Facts {
            environments: &envs,
            event: Some("workflow_dispatch"),
            tag: None,
            branch: Some("main".into()),
            attempt: 2,
            workflow_file: Some(".github/workflows/deploy.yml".into()),
        });
        let p = merge(
            &fixed,
            &pairs(&[("target", "production")]),
            &pairs(&[("github_event", "manual")]),
        );
        assert_eq!(
            got(&p),
            [
                ("deployed_to:production", "true"),
                ("deployed_to:prod-eu", "true"),
                ("github_event", "manual"),
                ("github_branch", "main"),
                ("github_run_attempt", "2"),
                ("github_workflow_file", ".github/workflows/deploy.yml"),
                ("target", "production"),
            ]
        );
        // A tag is a tag, not a branch; nothing deployed, nothing said of it.
        let tagged = of_run(&Facts {
            environments: &[],
            event: Some("push"),
            tag: Some("v1.2.0".into()),
            branch: Some("refs/tags/v1.2.0".into()),
            attempt: 1,
            workflow_file: None,
        });
        assert_eq!(
            got(&merge(&tagged, &[], &[])),
            [
                ("github_event", "push"),
                ("github_tag", "v1.2.0"),
                ("github_run_attempt", "1"),
            ]
        );
    }
}
