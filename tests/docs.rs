//! The docs are product: the README's tables and action.yml are checked against the code, so
//! they cannot drift from what the binary does.

use clap::CommandFactory;
use sei_cicd::map::{cicd, result, trigger};

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

fn action_yml() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap()
}

/// The `report` flags, which are the action's inputs.
fn report_flags() -> Vec<String> {
    let cmd = sei_cicd::args::Cli::command();
    let report = cmd.find_subcommand("report").unwrap();
    report
        .get_arguments()
        .filter_map(|a| a.get_long().map(str::to_owned))
        .filter(|l| l != "help")
        .collect()
}

/// Top-level keys under a section of action.yml (`inputs:`, `outputs:`).
fn yaml_keys(section: &str) -> Vec<String> {
    let text = action_yml();
    let mut keys = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            inside = line == format!("{section}:");
            continue;
        }
        if inside {
            if let Some(key) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':')) {
                if !key.starts_with(' ') {
                    keys.push(key.to_owned());
                }
            }
        }
    }
    keys
}

#[test]
fn action_inputs_are_exactly_the_report_flags() {
    let mut flags = report_flags();
    let mut inputs = yaml_keys("inputs");
    flags.sort();
    inputs.sort();
    assert_eq!(inputs, flags);
}

#[test]
fn every_input_reads_its_runner_variable() {
    let cmd = sei_cicd::args::Cli::command();
    let report = cmd.find_subcommand("report").unwrap();
    for arg in report
        .get_arguments()
        .filter(|a| a.get_long() != Some("help"))
    {
        let long = arg.get_long().unwrap();
        let env = arg.get_env().map(|e| e.to_string_lossy().into_owned());
        assert_eq!(
            env,
            Some(format!("INPUT_{}", long.to_uppercase())),
            "--{long}"
        );
    }
}

#[test]
fn readme_documents_every_input_and_output() {
    let readme = readme();
    for input in yaml_keys("inputs") {
        assert!(
            readme.contains(&format!("| `{input}` |")),
            "README lacks input {input}"
        );
    }
    for output in yaml_keys("outputs") {
        assert!(
            readme.contains(&format!("| `{output}` |")),
            "README lacks output {output}"
        );
    }
}

#[test]
fn readme_result_table_is_the_code_table() {
    let mut table =
        String::from("| GitHub conclusion | SEI result | SEI state | Why |\n|---|---|---|---|\n");
    for r in result::CONCLUSIONS {
        table.push_str(&format!(
            "| `{}` | `{}` | `{}` | {} |\n",
            r.conclusion, r.result, r.state, r.why
        ));
    }
    let u = result::UNLISTED;
    table.push_str(&format!(
        "| {} | `{}` | `{}` | {} |\n",
        u.conclusion, u.result, u.state, u.why
    ));
    assert!(
        readme().contains(&table),
        "README's result table should read:\n{table}"
    );
}

#[test]
fn readme_trigger_table_is_the_code_table() {
    let mut table =
        String::from("| GitHub event | Cause `type` | Cause `id` | Details |\n|---|---|---|---|\n");
    for (event, kind, id, details) in trigger::EVENTS {
        let id = if id.contains(' ') {
            id.to_string()
        } else {
            format!("`{id}`")
        };
        table.push_str(&format!("| `{event}` | `{kind}` | {id} | {details} |\n"));
    }
    table.push_str(&format!(
        "| any other | `{}` | {} | |\n",
        trigger::OTHER.0,
        trigger::OTHER.1
    ));
    assert!(
        readme().contains(&table),
        "README's trigger table should read:\n{table}"
    );
}

#[test]
fn readme_ci_cd_rules_are_the_code_rules() {
    let mut table = String::from("| Rule | Evidence | Reported as |\n|---|---|---|\n");
    for (i, (evidence, decides)) in cicd::RULES.iter().enumerate() {
        table.push_str(&format!("| {} | {evidence} | {decides} |\n", i + 1));
    }
    assert!(
        readme().contains(&table),
        "README's CI/CD rules table should read:\n{table}"
    );
}

#[test]
fn readme_starts_with_the_offline_demo_then_the_tests() {
    let readme = readme();
    let blocks: Vec<&str> = readme
        .split("```sh\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap().trim())
        .collect();
    assert!(
        blocks[0].starts_with("cargo run --release -- report --dry-run --github-data examples/")
    );
    assert_eq!(blocks[1], "cargo test --workspace");
    let ci = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).unwrap();
    assert!(
        ci.contains("cargo test --workspace"),
        ".ci/run runs the README's test command"
    );
}
