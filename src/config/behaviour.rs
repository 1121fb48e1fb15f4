//! How the command behaves: `dry-run` (build and show the payload, send nothing) and
//! `fail-on-error` (a report that fails fails the step).

use super::values::{flag, given, parse_bool, Problems};
use crate::args::BehaviourArgs;

#[derive(Debug, Clone, Copy, Default)]
pub struct Behaviour {
    pub dry_run: bool,
    pub fail_on_error: bool,
}

/// Checks the behaviour inputs.
pub fn load(args: &BehaviourArgs, p: &mut Problems) -> Behaviour {
    Behaviour {
        dry_run: flag(&args.dry_run, "dry-run", false, p),
        fail_on_error: flag(&args.fail_on_error, "fail-on-error", false, p),
    }
}

/// `fail-on-error` alone, read first so that even a command with bad inputs knows how to end:
/// `None` when not given (or not a boolean).
pub fn fail_on_error(args: &BehaviourArgs) -> Option<bool> {
    given(&args.fail_on_error).and_then(parse_bool)
}

/// How a command ended, for its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Delivered, skipped (nothing to report) or a dry run.
    Done,
    /// The report was not delivered (SEI or GitHub could not be reached, refused it...).
    NotDelivered,
    /// An input must be fixed.
    BadInput,
}

/// The exit code. In a workflow (`GITHUB_ACTIONS=true`) a report never fails the job unless
/// `fail-on-error: true` (then 1); everywhere else, like any command-line tool, 2 for bad input
/// and 1 for a report not delivered (`fail-on-error: false` turns the 1 off).
pub fn exit_code(in_actions: bool, fail_on_error: Option<bool>, ending: Ending) -> u8 {
    match (ending, in_actions, fail_on_error) {
        (Ending::Done, ..) => 0,
        (_, true, Some(true)) => 1,
        (_, true, _) => 0,
        (Ending::BadInput, false, _) => 2,
        (Ending::NotDelivered, false, Some(false)) => 0,
        (Ending::NotDelivered, false, _) => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workflow_is_never_failed_by_default_a_terminal_always_knows() {
        use Ending::*;
        for ending in [Done, NotDelivered, BadInput] {
            assert_eq!(exit_code(true, None, ending), 0, "{ending:?}");
            assert_eq!(exit_code(true, Some(false), ending), 0, "{ending:?}");
        }
        assert_eq!(exit_code(true, Some(true), NotDelivered), 1);
        assert_eq!(exit_code(true, Some(true), BadInput), 1);
        assert_eq!(exit_code(true, Some(true), Done), 0);
        assert_eq!(exit_code(false, None, Done), 0);
        assert_eq!(exit_code(false, None, NotDelivered), 1);
        assert_eq!(exit_code(false, None, BadInput), 2);
        assert_eq!(exit_code(false, Some(false), NotDelivered), 0);
        assert_eq!(
            exit_code(false, Some(false), BadInput),
            2,
            "bad input is always said"
        );
    }
}
