//! How the command behaves: `dry-run` (build and show the payload, send nothing) and
//! `fail-on-error` (a report that fails fails the step: [`crate::command::exit_code`]).

use super::values::{flag, given, parse_bool, Problems};
use crate::args::BehaviourArgs;

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Behaviour {
    pub dry_run: bool,
    /// Checked like every input; the exit code reads it as given ([`fail_on_error`]), before
    /// the inputs are checked.
    #[allow(dead_code)]
    pub fail_on_error: bool,
}

/// Checks the behaviour inputs.
pub(crate) fn load(args: &BehaviourArgs, p: &mut Problems) -> Behaviour {
    Behaviour {
        dry_run: flag(&args.dry_run, "dry-run", false, p),
        fail_on_error: flag(&args.fail_on_error, "fail-on-error", false, p),
    }
}

/// `fail-on-error` alone, read first so that even a command with bad inputs knows how to end:
/// `None` when not given (or not a boolean).
pub(crate) fn fail_on_error(args: &BehaviourArgs) -> Option<bool> {
    given(&args.fail_on_error).and_then(parse_bool)
}
