//! The `sei-cicd` binary: everything happens in the library.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(sei_cicd::main())
}
