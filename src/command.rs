//! One skeleton for every command ([`Command`], run by [`run`]): what each one used to repeat at
//! its start and end, in one place and one order.
//!
//! 1. the clock starts (`timeout` counts from here) and a panic is made an error annotation and
//!    the command's failure code ([`Command::failure_code`]);
//! 2. the tokens are masked as given, before anything is read or said;
//! 3. an input spelt with underscores (`INPUT_SEI_TOKEN`, which the runner never sets) is a
//!    warning, for every command;
//! 4. the inputs are checked ([`Command::load`]): every input to fix is said and the command
//!    ends (2 by default, [`Command::bad_input`]); else the warnings are said;
//! 5. the runtime every request runs on is made, and the command runs ([`Command::run`]); its
//!    exit code is the process's.
//!
//! [`exit_code`] is how a command that reports runs ends: never failing a workflow unless
//! `fail-on-error` asks for it.

use crate::args::{self, GitHubArgs, SeiArgs};
use crate::config::InputError;
use crate::env::RunnerEnv;
use crate::retry::SystemClock;
use crate::runner::Runner;
use crate::secret::Secret;

/// What the skeleton hands a command.
pub(crate) struct Context<'a> {
    pub env: &'a RunnerEnv,
    /// The one writer of every line ([`Command::runner`]).
    pub runner: Runner,
    /// Started with the command: the `timeout` deadline counts from here.
    pub clock: SystemClock,
}

/// The inputs that hold tokens.
pub(crate) struct Tokens<'a> {
    /// `sei-token` (or `SEI_TOKEN`).
    pub sei: &'a SeiArgs,
    /// `github-token` (or `GITHUB_TOKEN`), for a command that reads GitHub.
    pub github: Option<&'a GitHubArgs>,
}

/// A command: its inputs (the type implementing it, its flags), how they are checked and how it
/// runs. The skeleton ([`run`]) does the rest.
pub(crate) trait Command {
    /// The checked settings.
    type Settings;

    /// The command as `--help` names it (`report`, `instance register`): its `INPUT_*`
    /// variables are those of that subcommand.
    const NAME: &'static str;

    /// The inputs that hold tokens, masked before anything else happens.
    fn tokens(&self) -> Tokens<'_>;

    /// How the command speaks: to the runner as its environment says (the default).
    fn runner(&self, env: &RunnerEnv) -> Runner {
        Runner::new(env)
    }

    /// The exit code when the command cannot start or stops on a bug (1 by default).
    fn failure_code(&self, _env: &RunnerEnv) -> u8 {
        1
    }

    /// A line worth a warning: a misspelt input, a setting's warning.
    fn warn(&self, cx: &Context, message: &str) {
        cx.runner.warning(message)
    }

    /// Checks the inputs: the settings and what is worth a warning, or every input to fix.
    fn load(&self, cx: &Context) -> Result<(Self::Settings, Vec<String>), Vec<InputError>>;

    /// Says every input to fix; the exit code (2 by default).
    fn bad_input(&self, cx: &Context, errors: &[InputError]) -> u8 {
        for e in errors {
            cx.runner.error(&e.0);
        }
        2
    }

    /// Runs the command on the runtime; the exit code.
    async fn run(&self, settings: Self::Settings, cx: &Context) -> u8;
}

/// Runs `command` in the process's environment `env`; returns the process exit code.
pub(crate) fn run<C: Command>(command: &C, env: &RunnerEnv) -> u8 {
    let cx = Context {
        env,
        runner: command.runner(env),
        clock: SystemClock::start(),
    };
    exit_on_panic(&cx.runner, command.failure_code(env));
    // Masked first, as given: whatever is printed after, a token never shows.
    let tokens = command.tokens();
    let github = tokens
        .github
        .map(|g| args::given(&g.github_token).or(env.github_token.as_deref()));
    for token in [
        Some(args::given(&tokens.sei.sei_token).or(env.sei_token.as_deref())),
        github,
    ]
    .into_iter()
    .flatten()
    {
        cx.runner.mask(&Secret::new(token.unwrap_or_default()));
    }
    for w in args::misspelt_inputs(C::NAME, &env.input_names) {
        command.warn(&cx, &w);
    }
    let settings = match command.load(&cx) {
        Ok((settings, warnings)) => {
            for w in &warnings {
                command.warn(&cx, w);
            }
            settings
        }
        Err(errors) => return command.bad_input(&cx, &errors),
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            cx.runner.error(&format!("could not start: {e}"));
            return command.failure_code(env);
        }
    };
    rt.block_on(command.run(settings, &cx))
}

/// A panic is a bug. Whatever the build does next (the release build aborts, which no
/// `catch_unwind` survives), the process says so in an error annotation and exits with `code`:
/// a report fails the workflow only as `fail-on-error` says. The panic's message goes through
/// the runner's writer like every other line (redacted, escaped): it may quote outside text.
fn exit_on_panic(runner: &Runner, code: u8) {
    let runner = runner.clone();
    std::panic::set_hook(Box::new(move |info| {
        runner.error(&panic_message(
            info.payload(),
            info.location().map(|l| (l.file(), l.line())),
        ));
        std::process::exit(code.into());
    }));
}

/// `sei-cicd stopped on an internal error at src/x.rs:12 (a bug: please report it): <message>`.
fn panic_message(payload: &(dyn std::any::Any + Send), at: Option<(&str, u32)>) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    let at = at.map_or_else(String::new, |(file, line)| format!(" at {file}:{line}"));
    format!("sei-cicd stopped on an internal error{at} (a bug: please report it): {what}")
}

/// How a command that reports runs ended, for its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
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
pub(crate) fn exit_code(in_actions: bool, fail_on_error: Option<bool>, ending: Ending) -> u8 {
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
    fn a_panic_is_one_error_line_of_the_writer_with_its_message() {
        let m = panic_message(&"index out of range", Some(("src/map/mod.rs", 12)));
        assert_eq!(
            m,
            "sei-cicd stopped on an internal error at src/map/mod.rs:12 (a bug: please report \
             it): index out of range"
        );
        let owned: String = "job `x\n::add-mask::y`".into();
        let m = panic_message(&owned, None);
        assert!(m.ends_with("job `x\n::add-mask::y`"), "{m}");
        // The writer escapes it: no line of it can start a workflow command.
        let line = crate::runner::command("error", &[], &m);
        assert!(!line.trim_end().contains('\n'), "{line}");
    }

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
