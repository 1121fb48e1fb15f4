//! Test support for sei-cicd: loopback emulators of the GitHub API ([`github`]) and of SEI's
//! webhook ([`sei`]) on a small HTTP server ([`http`]), plain or HTTPS with a made-up CA
//! ([`tls`]), a `CONNECT` proxy ([`proxy`]), the runner's environment for running the real
//! binary ([`action`]), the runner's `docker run` for running the action's image
//! ([`container`]), the native entry generated from `action.yml` ([`entry`]), and the recorded
//! fixtures ([`fixtures`]); for `serve`, the GitHub App, the hooks' deliveries and the server
//! as a process ([`app`]).

pub mod action;
pub mod app;
pub mod container;
pub mod entry;
pub mod fixtures;
pub mod github;
pub mod http;
mod loopback;
pub mod proxy;
pub mod sei;
pub mod tls;
