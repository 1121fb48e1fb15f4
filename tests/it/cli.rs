//! Command-line cases as data: each `tests/cmd/*.toml` runs the binary with its arguments and
//! environment (nothing inherited) and compares stdout and stderr with the files beside it.
//! Refresh them with `TRYCMD=overwrite cargo test --test it cli::` and review the diff.

#[test]
fn cli_cases() {
    trycmd::TestCases::new().case("tests/cmd/*.toml");
}
