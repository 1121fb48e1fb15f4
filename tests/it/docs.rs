//! The docs are product: the tables of the README and of `docs/`, and action.yml, are checked
//! against the code, so they cannot drift from what the binary does; and every relative link in
//! them leads to a file and a heading that exist, so moving a section cannot leave a dead link.

use clap::CommandFactory;
use sei_cicd::map::{cicd, params, result, trigger};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).unwrap()
}

/// README.md and every `docs/*.md`, as (path relative to the repository, text).
fn pages() -> Vec<(PathBuf, String)> {
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| p.strip_prefix(root()).unwrap().to_owned())
        .collect();
    docs.sort();
    std::iter::once(PathBuf::from("README.md"))
        .chain(docs)
        .map(|rel| {
            let text = std::fs::read_to_string(root().join(&rel)).unwrap();
            (rel, text)
        })
        .collect()
}

/// Whether the README or a page of `docs/` holds `text`, wherever a section has moved.
fn documented(text: &str) -> bool {
    pages().iter().any(|(_, page)| page.contains(text))
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

/// The rows of the first table of `page` under the header line `header`, as (first cell, the
/// other cells).
fn table_rows(page: &str, header: &str) -> Vec<(String, Vec<String>)> {
    let start = page
        .find(header)
        .unwrap_or_else(|| panic!("no table {header}"));
    page[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<String> = l
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_owned())
                .collect();
            (cells[0].clone(), cells[1..].to_vec())
        })
        .collect()
}

#[test]
fn readme_documents_every_input_and_output() {
    let readme = readme();
    let inputs: Vec<String> = yaml_keys("inputs")
        .iter()
        .map(|i| format!("`{i}`"))
        .collect();
    // One short line each in the README, the whole story in docs/inputs.md: the same inputs,
    // in action.yml's order, with the same defaults.
    let header = "| Input | Default | What it does |";
    let short = table_rows(&readme, header);
    let full = table_rows(
        &std::fs::read_to_string(root().join("docs/inputs.md")).unwrap(),
        header,
    );
    let names = |rows: &[(String, Vec<String>)]| -> Vec<String> {
        rows.iter().map(|r| r.0.clone()).collect()
    };
    assert_eq!(names(&short), inputs, "README's inputs table");
    assert_eq!(names(&full), inputs, "docs/inputs.md's inputs table");
    for (s, f) in short.iter().zip(&full) {
        assert_eq!(s.1[0], f.1[0], "the default of {} in both tables", s.0);
        assert!(
            !s.1[1].is_empty() && !f.1[1].is_empty(),
            "{} is described",
            s.0
        );
    }
    let outputs: Vec<String> = yaml_keys("outputs")
        .iter()
        .map(|o| format!("`{o}`"))
        .collect();
    assert_eq!(
        names(&table_rows(&readme, "| Output | Value |")),
        outputs,
        "README's outputs table"
    );
}

/// The inputs of action.yml marked `required: true`, each with its default.
fn required_inputs() -> Vec<(String, String)> {
    let yml = action_yml();
    yaml_keys("inputs")
        .into_iter()
        .filter_map(|input| {
            let block: Vec<&str> = yml
                .split(&format!("\n  {input}:\n"))
                .nth(1)?
                .lines()
                .take_while(|l| l.starts_with("    "))
                .collect();
            block.contains(&"    required: true").then(|| {
                let default = block
                    .iter()
                    .find_map(|l| l.strip_prefix("    default: "))
                    .unwrap_or("(none)");
                (input, default.to_owned())
            })
        })
        .collect()
}

#[test]
fn the_required_inputs_are_the_same_in_action_yml_and_the_readme() {
    let required = required_inputs();
    let names: Vec<&str> = required.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["sei-token", "instance-guid"]);
    // The runner does not enforce `required`; an empty default keeps a dry run without them
    // valid for the linters that do, and the reporter says what is missing (never-fail).
    for (input, default) in &required {
        assert_eq!(default, "\"\"", "{input} keeps an empty default");
    }
    let readme = readme();
    for input in yaml_keys("inputs") {
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `{input}` |")))
            .unwrap();
        assert_eq!(
            row.contains("| **required** |"),
            names.contains(&input.as_str()),
            "README's inputs table marks {input} as action.yml does: {row}"
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
        documented(&table),
        "the result table (README or docs/) should read:\n{table}"
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
        documented(&table),
        "the trigger table (README or docs/) should read:\n{table}"
    );
}

#[test]
fn readme_ci_cd_rules_are_the_code_rules() {
    let mut table = String::from("| Rule | Evidence | Reported as |\n|---|---|---|\n");
    for (i, (evidence, decides)) in cicd::RULES.iter().enumerate() {
        table.push_str(&format!("| {} | {evidence} | {decides} |\n", i + 1));
    }
    assert!(
        documented(&table),
        "the CI/CD rules table (README or docs/) should read:\n{table}"
    );
}

#[test]
fn the_run_parameters_table_is_the_code_table() {
    let mut table = String::from("| Parameter | Value |\n|---|---|\n");
    for (name, value) in params::FIXED {
        table.push_str(&format!("| {name} | {value} |\n"));
    }
    assert!(
        documented(&table),
        "the run parameters table (docs/mapping.md) should read:\n{table}"
    );
}

#[test]
fn the_cost_of_each_look_up_is_the_code_table() {
    let mut table = String::from("| What | Reads | Requests |\n|---|---|---|\n");
    for (what, reads, requests) in sei_cicd::github::fetch::costs() {
        table.push_str(&format!("| {what} | {reads} | {requests} |\n"));
    }
    let mapping = std::fs::read_to_string(root().join("docs/mapping.md")).unwrap();
    assert!(
        mapping.contains(&table),
        "docs/mapping.md's table of what each rule reads should read:\n{table}"
    );
}

#[test]
fn the_dora_profile_recipe_is_the_code_table() {
    let mut table = String::from(
        "| SEI profile setting | Deployment frequency | Change failure rate: failed deployments \
         | Change failure rate: total deployments | Lead time: the CI/CD stage |\n\
         |---|---|---|---|---|\n",
    );
    for (setting, cells) in params::recipe("production") {
        table.push_str(&format!("| {setting} | {} |\n", cells.join(" | ")));
    }
    let page = std::fs::read_to_string(root().join("docs/sei-dora.md")).unwrap();
    assert!(
        page.contains(&table),
        "docs/sei-dora.md's profile table should read:\n{table}"
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
        blocks[0].starts_with("cargo run -- report --dry-run --github-data examples/"),
        "the first command builds in the test profile's dev build, which `cargo test` reuses"
    );
    assert_eq!(blocks[1], "cargo test --workspace");
    let ci = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).unwrap();
    assert!(
        ci.contains("cargo test --workspace"),
        ".ci/run runs the README's test command"
    );
}

/// The lines of a markdown page outside fenced code blocks.
fn prose(text: &str) -> Vec<&str> {
    let mut fenced = false;
    text.lines()
        .filter(|l| {
            if l.trim_start().starts_with("```") {
                fenced = !fenced;
                return false;
            }
            !fenced
        })
        .collect()
}

/// A line without its inline code spans (a link written in code is not a link).
fn without_code(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let ticks = rest[start..].chars().take_while(|&c| c == '`').count();
        let fence = &rest[start..start + ticks];
        rest = match rest[start + ticks..].find(fence) {
            Some(end) => &rest[start + ticks + end + ticks..],
            None => &rest[start + ticks..], // a lone backtick run is text
        };
    }
    out.push_str(rest);
    out
}

/// The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as
/// hyphens, `-1`, `-2`, ... for repeats.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for line in prose(text) {
        let title = match line.strip_prefix('#') {
            Some(rest) => rest.trim_start_matches('#').strip_prefix(' '),
            None => None,
        };
        let Some(title) = title else { continue };
        let slug: String = title
            .trim()
            .chars()
            .flat_map(|c| match c {
                ' ' => "-".chars().collect(),
                '-' | '_' => vec![c],
                c if c.is_alphanumeric() => c.to_lowercase().collect(),
                _ => vec![],
            })
            .collect();
        let mut unique = slug.clone();
        let mut n = 0;
        while !seen.insert(unique.clone()) {
            n += 1;
            unique = format!("{slug}-{n}");
        }
    }
    seen
}

/// The targets of the inline links `[text](target)` of a page, outside code.
fn links(text: &str) -> Vec<String> {
    let joined = prose(text)
        .iter()
        .map(|l| without_code(l))
        .collect::<Vec<_>>()
        .join("\n");
    joined
        .split("](")
        .skip(1)
        .filter_map(|after| after.split([')', ' ']).next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_relative_link_leads_to_a_file_and_a_heading_that_exist() {
    let pages = pages();
    let mut dead = Vec::new();
    for (page, text) in &pages {
        for target in links(text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target.as_str(), None),
            };
            let file = if path.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(path)
            };
            let full = root().join(&file);
            if !full.exists() {
                dead.push(format!(
                    "{}: {target}: no file {}",
                    page.display(),
                    file.display()
                ));
                continue;
            }
            if let Some(anchor) = anchor {
                let headings = anchors(&std::fs::read_to_string(&full).unwrap_or_default());
                if !headings.contains(anchor) {
                    dead.push(format!(
                        "{}: {target}: {} has no heading #{anchor}",
                        page.display(),
                        file.display()
                    ));
                }
            }
        }
    }
    assert!(dead.is_empty(), "dead links:\n{}", dead.join("\n"));
}

#[test]
fn the_readme_and_the_docs_index_link_every_docs_page() {
    let readme_links: Vec<String> = links(&readme());
    let index = std::fs::read_to_string(root().join("docs/README.md")).unwrap();
    let index_links: Vec<String> = links(&index);
    for (page, _) in pages().iter().filter(|(p, _)| p.starts_with("docs")) {
        let name = page.file_name().unwrap().to_str().unwrap();
        let linked = |links: &[String], target: &str| {
            links.iter().any(|l| l.split('#').next() == Some(target))
        };
        assert!(
            linked(&readme_links, &page.display().to_string()),
            "README.md does not link {}",
            page.display()
        );
        if name != "README.md" {
            assert!(
                linked(&index_links, name),
                "docs/README.md does not link {name}"
            );
        }
    }
}

#[test]
fn the_link_checker_sees_links_and_headings_as_github_does() {
    let page = "# Faults, retries and timeouts\n## `max-attempts` (1)\n## Commits\n## Commits\n\
                ```yaml\n# not a heading\n[no](nowhere.md)\n```\n\
                See [a](docs/x.md#y) and `[code](not-a-link.md)`, ``[b](`c`)`` [d](#e).\n";
    let anchors = anchors(page);
    let want = [
        "faults-retries-and-timeouts",
        "max-attempts-1",
        "commits",
        "commits-1",
    ];
    assert_eq!(anchors, want.iter().map(|s| s.to_string()).collect());
    assert_eq!(links(page), ["docs/x.md#y", "#e"]);
}

/// The runs bundled under `examples/runs/`: each built from the recorded fixtures
/// (`tests/fixtures/github/`, see SOURCES.md there), as (folder, run, jobs).
fn example_runs() -> Vec<(&'static str, serde_json::Value, Vec<serde_json::Value>)> {
    use sei_cicd_testkit::fixtures as f;
    let (failed, failed_jobs) = f::otel_failed();
    let (rerun, rerun_jobs) = f::otel_attempt_two();
    let (release, release_jobs) = f::otel_release();
    vec![
        (
            "otel-cicd-action-12456168064",
            f::otel_run(),
            f::otel_jobs(),
        ),
        ("otel-cicd-action-12456168064-failed", failed, failed_jobs),
        ("otel-cicd-action-12456168064-attempt-2", rerun, rerun_jobs),
        (
            "otel-cicd-action-12456168064-release",
            release,
            release_jobs,
        ),
        (
            "skip-duplicate-actions-16620109074",
            f::skip_dup_run(),
            f::skip_dup_jobs(),
        ),
    ]
}

/// Each bundled run is what the fixtures build (`SEI_CICD_WRITE_EXAMPLES=1` writes them), the
/// folder holds nothing else, and the README says what each one shows.
#[test]
fn the_bundled_runs_are_the_fixtures_and_the_readme_names_each() {
    let write = std::env::var_os("SEI_CICD_WRITE_EXAMPLES").is_some();
    let runs = example_runs();
    let dir = root().join("examples/runs");
    let readme = readme();
    for (name, run, jobs) in &runs {
        let folder = dir.join(name);
        // The recorded run keeps GitHub's page object, byte for byte.
        let jobs_page = if *name == "otel-cicd-action-12456168064" {
            sei_cicd_testkit::fixtures::load("otel-cicd-action__self-run-12456168064.jobs.json")
        } else {
            serde_json::json!({"total_count": jobs.len(), "jobs": jobs})
        };
        for (file, value) in [("run.json", run.clone()), ("jobs.json", jobs_page)] {
            let path = folder.join(file);
            if write && *name != "otel-cicd-action-12456168064" {
                std::fs::create_dir_all(&folder).unwrap();
                let text = serde_json::to_string_pretty(&value).unwrap() + "\n";
                std::fs::write(&path, text).unwrap();
            }
            let saved: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}")),
            )
            .unwrap();
            assert_eq!(
                saved,
                value,
                "{} (SEI_CICD_WRITE_EXAMPLES=1 rewrites it)",
                path.display()
            );
        }
    }
    for (name, _, _) in &runs {
        assert!(
            readme.contains(&format!("examples/runs/{name}")),
            "the README says what examples/runs/{name} shows"
        );
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut named: Vec<String> = runs.iter().map(|r| r.0.to_owned()).collect();
    named.sort();
    assert_eq!(
        on_disk, named,
        "every folder under examples/runs/ is built here"
    );
}

/// A number as the docs write it: `1,234`, `0.006`, `18.00`.
fn number(cell: &str) -> f64 {
    cell.replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {cell:?}"))
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn dollars(x: f64) -> String {
    let cents = (x * 100.0).round() as u64;
    format!("{}.{:02}", thousands(cents / 100), cents % 100)
}

/// The cost table of docs/entries.md, every figure computed from the prices and the
/// assumptions the page states above it, so the text and the figures cannot drift apart.
#[test]
fn the_cost_table_is_computed_from_the_documented_prices() {
    let page = std::fs::read_to_string(root().join("docs/entries.md")).unwrap();
    let prices: std::collections::HashMap<String, f64> =
        table_rows(&page, "| Runner | USD a minute |")
            .into_iter()
            .map(|(runner, v)| (runner, number(&v[0])))
            .collect();
    let latest = prices["`ubuntu-latest` (Linux 2-core)"];
    let slim = prices["`ubuntu-slim` (Linux 1-core)"];
    assert!(
        (slim * 3.0 - latest).abs() < 1e-9,
        "ubuntu-slim is a third of ubuntu-latest"
    );
    let assumed: Vec<f64> = table_rows(&page, "| Assumption | Value |")
        .into_iter()
        .map(|(_, v)| number(&v[0]))
        .collect();
    let [per_report, per_attempt, per_repo, repos, setup_s, per_minute, days] = assumed[..] else {
        panic!("seven assumptions: {assumed:?}")
    };
    let runs_a_day = [100.0, 10_000.0, 100_000.0];
    // (minutes a day, USD a month, requests a day) for one column.
    let reporter = |price: f64, runs: f64| (runs, runs * days * price, runs * per_report);
    let sweep = |every: f64, new_token: bool, runs: f64| {
        let sweeps = (1440.0 / every).floor();
        let per_sweep = runs / sweeps;
        let minutes = sweeps * ((setup_s + per_sweep * 60.0 / per_minute) / 60.0).ceil();
        let active = per_sweep.min(repos);
        let mut requests =
            sweeps * ((repos / 100.0).ceil() + active * per_repo) + runs * per_attempt;
        if new_token {
            requests += sweeps * (repos - active);
        }
        // The sweep example runs on ubuntu-slim (the setup entry, no Docker).
        (minutes, minutes * days * slim, requests)
    };
    // An ubuntu-slim job runs at most 15 minutes, and the example stops a sweep at 12: the
    // runs a day up to which a sweep every `every` minutes fits, as the page says.
    let sweep_minutes = |every: f64, runs: f64| {
        (setup_s + runs / (1440.0 / every).floor() * 60.0 / per_minute) / 60.0
    };
    assert!(sweep_minutes(60.0, 80_000.0) <= 12.0 && sweep_minutes(60.0, 100_000.0) > 12.0);
    assert!(sweep_minutes(15.0, 300_000.0) <= 12.0 && sweep_minutes(15.0, 100_000.0) <= 12.0);
    assert!(page.contains(concat!(
        "up to about 80,000 runs a day an hourly sweep fits, past that sweep every 15 minutes, ",
        "whose\nsweeps fit up to about 300,000."
    )));
    let example = std::fs::read_to_string(root().join("examples/sweep-organization.yml")).unwrap();
    assert!(example.contains(concat!(
        "    runs-on: ubuntu-slim # 1 vCPU, no Docker: the cheapest runner, enough for a sweep\n",
        "    timeout-minutes: 15 # ubuntu-slim's limit\n"
    )));
    assert!(example.contains("--concurrency 8 --stop-after 12m\n"));
    // The example's own figure: a sweep every 15 minutes at 100 and 10,000 runs a day.
    let usd = |runs: f64| sweep(15.0, false, runs).1.round();
    assert!(
        example.contains(&format!(
            "about {} to {} USD a\n# month for 100 to 10,000 runs a day",
            usd(100.0),
            usd(10_000.0)
        )),
        "{example}"
    );
    type Mode<'a> = (&'a str, Box<dyn Fn(f64) -> (f64, f64, f64) + 'a>);
    let modes: Vec<Mode> = vec![
        (
            "Reporter job on `ubuntu-latest` (container action)",
            Box::new(|r| reporter(latest, r)),
        ),
        (
            "Reporter job on `ubuntu-slim` (native entry)",
            Box::new(|r| reporter(slim, r)),
        ),
        (
            "A step in a job that runs anyway",
            Box::new(|r| (0.0, 0.0, r * per_report)),
        ),
        ("Sweep every 5 minutes", Box::new(|r| sweep(5.0, false, r))),
        (
            "Sweep every 15 minutes",
            Box::new(|r| sweep(15.0, false, r)),
        ),
        (
            "Sweep every 60 minutes",
            Box::new(|r| sweep(60.0, false, r)),
        ),
        (
            "Sweep every 15 minutes, a new token each sweep",
            Box::new(|r| sweep(15.0, true, r)),
        ),
    ];
    let rows = table_rows(&page, "| Mode | minutes a day, 100 runs |");
    assert_eq!(
        rows.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>(),
        modes.iter().map(|(m, _)| *m).collect::<Vec<_>>()
    );
    for ((mode, cells), (_, f)) in rows.iter().zip(&modes) {
        let figures: Vec<(f64, f64, f64)> = runs_a_day.iter().map(|&r| f(r)).collect();
        let want: Vec<String> = figures
            .iter()
            .map(|c| thousands(c.0 as u64))
            .chain(figures.iter().map(|c| dollars(c.1)))
            .chain(figures.iter().map(|c| thousands(c.2.round() as u64)))
            .collect();
        assert_eq!(cells, &want, "{mode}");
    }
    // The sweep every 15 minutes is the cheapest mode past a few hundred runs a day.
    let at = |i: usize, col: usize| number(&rows[i].1[3 + col]);
    assert!(at(4, 1) < at(1, 1) / 10.0 && at(4, 2) < at(1, 2) / 10.0);
}
