//! sei-cicd: reports GitHub Actions workflow runs to Harness SEI's custom CI/CD webhook.
//!
//! The pure core ([`map`], [`config`], [`target`], [`summary`]) turns GitHub data into SEI's
//! payload; thin shells read the environment ([`env`]), call GitHub ([`github`]) and SEI
//! ([`sei`], through [`delivery`]), and talk to the runner ([`runner`]). [`report`] strings them
//! together, [`replay`] resends a kept payload; [`json`] writes the body.

pub mod args;
pub mod config;
pub mod delivery;
pub mod env;
pub mod event;
pub mod github;
pub mod http;
pub mod json;
pub mod keep;
pub mod map;
pub mod payload;
pub mod replay;
pub mod report;
pub mod retry;
pub mod runner;
pub mod secret;
pub mod sei;
pub mod summary;
pub mod target;

use clap::Parser;

/// Parses the command line and runs the command; returns the exit code.
pub fn main() -> u8 {
    let cli = args::Cli::parse();
    let env = env::RunnerEnv::from_process();
    match cli.command {
        args::Command::Report(a) => {
            let fail_on_error = config::fail_on_error(&a);
            let outcome = std::panic::catch_unwind(|| report::run(&a, &env));
            outcome.unwrap_or_else(|_| {
                // The panic message is already on stderr; say what it means for the workflow.
                let runner = runner::Runner::new(&env);
                runner.error("sei-cicd stopped on an internal error (a bug: please report it)");
                u8::from(fail_on_error)
            })
        }
        args::Command::Replay(a) => std::panic::catch_unwind(|| replay::run(&a, &env))
            .unwrap_or_else(|_| {
                let runner = runner::Runner::new(&env);
                runner.error("sei-cicd stopped on an internal error (a bug: please report it)");
                1
            }),
    }
}
