//! The integration tests, in one binary: each module below was a file of `tests/` and keeps its
//! name, so `cargo test --test it faults::` runs what `cargo test --test faults` ran, and
//! `cargo test --test it <words of a test's name>` one test. One binary is one link and one copy
//! of the dependencies' generic code for the eighteen of them, instead of one each (see
//! docs/development.md for what each covers).
//!
//! `tests/container.rs` and `tests/act.rs` are binaries of their own: they need an image, or act
//! and podman, skip themselves without, and CI runs each alone, by name, in the job that has
//! them (`.ci/run container`, `.ci/run native`).

mod backfill;
mod cli;
mod docs;
mod e2e;
mod e2e_arrival;
mod e2e_deployments;
mod e2e_dora;
mod e2e_metrics;
mod e2e_summary;
mod faults;
mod hostile;
mod mapping;
mod native;
mod packaging;
mod parsing;
mod serve;
mod sweep;
mod verify;
