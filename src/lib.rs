//! sei-cicd: reports GitHub Actions workflow runs to Harness SEI's custom CI/CD webhook.
//!
//! The ground floor is [`model`], GitHub's data as the reporter reads it, and [`time`], SEI's units of
//! time. The pure core ([`map`],
//! [`config`], [`target`], [`summary`]) turns that data into SEI's payload; thin shells read the
//! environment ([`env`]), call GitHub ([`github`]) and SEI ([`sei`], through [`delivery`]), and
//! talk to the runner ([`runner`]). [`pipeline`] is the one way a run becomes a report; each
//! command has its file: [`report`] (one run), [`replay`] (a kept payload sent again),
//! [`backfill`] (many runs: repositories, an organization, a window; a sweep on a schedule),
//! [`verify`] (what SEI stored, read back and held against GitHub's runs), [`instance`]
//! (registering the CI/CD instance in SEI), [`serve`] (GitHub's `workflow_run` webhooks
//! received and each completed run attempt reported, as `report` would).

pub mod args;
pub mod backfill;
pub mod config;
pub mod delivery;
pub mod env;
pub mod github;
pub mod glob;
pub mod http;
pub mod instance;
pub mod keep;
pub mod map;
pub mod model;
pub mod payload;
pub mod pipeline;
pub mod replay;
pub mod report;
pub mod retry;
pub mod runner;
pub mod secret;
pub mod sei;
pub mod serve;
pub mod skip;
pub mod summary;
pub mod target;
pub mod time;
pub mod verify;

use clap::Parser;

/// Parses the command line and runs the command; returns the exit code.
pub fn main() -> u8 {
    // Before the flags are read: an input that is not UTF-8 is an input error, said as usual.
    let not_utf8 = env::RunnerEnv::set_aside_inputs_not_utf8();
    let cli = args::Cli::parse();
    let env = env::RunnerEnv {
        inputs_not_utf8: not_utf8,
        ..env::RunnerEnv::from_process()
    };
    match cli.command {
        args::Command::Report(a) => {
            let code = config::exit_code(
                env.in_actions,
                config::fail_on_error(&a.reporting.behaviour),
                config::Ending::NotDelivered,
            );
            exit_on_panic(&env, code);
            report::run(&a, &env)
        }
        args::Command::Replay(a) => {
            exit_on_panic(&env, 1);
            replay::run(&a, &env)
        }
        args::Command::Backfill(a) => {
            exit_on_panic(&env, 1);
            backfill::run(&a, &env)
        }
        args::Command::Verify(a) => {
            exit_on_panic(&env, 1);
            verify::run(&a, &env)
        }
        args::Command::Instance(args::InstanceCommand::Register(a)) => {
            exit_on_panic(&env, 1);
            instance::register(&a, &env)
        }
        args::Command::Serve(a) => {
            exit_on_panic(&env, 1);
            serve::run(&a, &env)
        }
    }
}

/// A panic is a bug. Whatever the build does next (the release build aborts, which no
/// `catch_unwind` survives), the process says so in an error annotation and exits with `code`:
/// a report fails the workflow only as `fail-on-error` says.
fn exit_on_panic(env: &env::RunnerEnv, code: u8) {
    let env = env.clone();
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        report(info); // The panic message, on stderr.
        runner::Runner::new(&env)
            .error("sei-cicd stopped on an internal error (a bug: please report it)");
        std::process::exit(code.into());
    }));
}
