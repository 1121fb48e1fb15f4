//! `job_run_params`: the run's parameters as the Jenkins plugin sends them
//! (`{type: StringParameterValue, name, value}`, values as strings): the `workflow_dispatch`
//! inputs of the run's own event, in the event's order, then the `params` input. A name given in
//! both takes the `params` value, in the place the event gave it.

use crate::payload::Param;

/// Merges the dispatch inputs and the user's `params`.
pub fn merge(dispatch_inputs: &[(String, String)], params: &[(String, String)]) -> Vec<Param> {
    let mut out: Vec<Param> = Vec::with_capacity(dispatch_inputs.len() + params.len());
    for (name, value) in dispatch_inputs.iter().chain(params) {
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

    #[test]
    fn dispatch_inputs_then_params_which_win() {
        let p = merge(
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
        assert!(merge(&[], &[]).is_empty());
    }
}
