//! sei-cicd: reports GitHub Actions workflow runs to Harness SEI's custom CI/CD webhook.
//!
//! The house stands in layers, each using only those below it (docs/development.md, "Layout"):
//! the ground floor ([`model`], GitHub's data as the reporter reads it; [`args`], [`env`],
//! [`secret`], [`time`]); the plumbing ([`runner`], the one writer of every line; [`retry`],
//! [`http`], [`payload`]); the pure rules ([`map`], [`json`], [`summary`], [`skip`]) beside SEI's
//! wire ([`sei`]) and kept payloads ([`keep`]); the settings ([`config`]); the effects
//! ([`github`], [`delivery`], [`target`]); what every command shares ([`pipeline`], the one way
//! a run becomes a report; [`clients`]; [`command`], the skeleton every command runs in); and
//! the commands, a file or folder each: [`report`] (one run), [`replay`] (a kept payload sent
//! again), [`backfill`] (many runs; a sweep on a schedule), [`verify`] (what SEI stored, held
//! against GitHub's runs), [`instance`] (registering the CI/CD instance in SEI), [`serve`]
//! (GitHub's `workflow_run` webhooks, each completed run attempt reported as `report` would).
//! [`main`] is the table of commands.
//!
//! Modules are crate-private; what the tests, benchmarks and the test kit read (the mapping, the
//! model, the payload and its writer, the command line, a saved run and the look-ups' costs) is
//! public, and nothing else (`unreachable_pub` says so).

#![warn(unreachable_pub)]

pub mod args;
mod backfill;
mod clients;
mod command;
mod config;
mod delivery;
mod env;
pub mod github;
mod glob;
mod http;
mod instance;
mod keep;
pub mod map;
pub mod model;
pub mod payload;
mod pipeline;
mod replay;
mod report;
mod retry;
mod runner;
mod secret;
mod sei;
mod serve;
mod signal;
mod skip;
mod summary;
mod target;
mod time;
mod verify;

use clap::Parser;

/// Parses the command line and runs the command through the one skeleton ([`command::run`]);
/// returns the exit code.
pub fn main() -> u8 {
    // Before the flags are read: an input that is not UTF-8 is an input error, said as usual.
    let not_utf8 = env::RunnerEnv::set_aside_inputs_not_utf8();
    let cli = args::Cli::parse();
    let env = env::RunnerEnv {
        inputs_not_utf8: not_utf8,
        ..env::RunnerEnv::from_process()
    };
    use args::Command as C;
    match cli.command {
        C::Report(a) => command::run(&*a, &env),
        C::Replay(a) => command::run(&*a, &env),
        C::Backfill(a) => command::run(&*a, &env),
        C::Verify(a) => command::run(&*a, &env),
        C::Instance(args::InstanceCommand::Register(a)) => command::run(&*a, &env),
        C::Serve(a) => command::run(&*a, &env),
    }
}
