//! The action as shipped: `action.yml`, `dist/`, `.github/` and `examples/` checked against each
//! other and against the README and `docs/`, so a release cannot start a build, drift from its
//! image, or pin an action by a movable tag. (`.ci/run workflows` lints the same files with
//! actionlint, zizmor and the JSON schemas; `tests/container.rs` runs the image.)

use sei_cicd_testkit::action::{action_inputs, action_yml};
use sei_cicd_testkit::container::action_runs;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The placeholder owner of the repository and of the image (see docs/development.md,
/// "Releasing").
const REPOSITORY: &str = "sei-cicd/sei-cicd-action";
const IMAGE: &str = "ghcr.io/sei-cicd/sei-cicd-action";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn yml_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    files
}

/// A top-level `key: value` of action.yml.
fn top(key: &str) -> String {
    action_yml()
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")))
        .unwrap_or_else(|| panic!("action.yml has no {key}"))
        .trim()
        .to_owned()
}

#[test]
fn action_yml_is_fit_for_the_marketplace() {
    let name = top("name");
    let description = top("description");
    assert!(!name.is_empty() && name.len() <= 50, "{name}");
    assert!(
        description.chars().count() <= 125,
        "the Marketplace cuts descriptions at 125 characters: {description}"
    );
    assert_eq!(top("author"), REPOSITORY.split('/').next().unwrap());
    let yml = action_yml();
    assert!(yml.contains("branding:\n  icon: "), "branding icon");
    assert!(yml.contains("\n  color: "), "branding color");
    // Each input's lines (four spaces in) hold a description and a default.
    for (input, _) in action_inputs() {
        let after = yml.split(&format!("\n  {input}:\n")).nth(1).unwrap();
        let block: Vec<&str> = after
            .lines()
            .take_while(|l| l.starts_with("    "))
            .collect();
        assert!(
            block.iter().any(|l| l.starts_with("    description: ")),
            "input {input}: description"
        );
        assert!(
            block.iter().any(|l| l.starts_with("    default: ")),
            "input {input}: default"
        );
    }
    let github_token = action_inputs()
        .into_iter()
        .find(|(n, _)| n == "github-token")
        .unwrap();
    assert_eq!(github_token.1, "${{ github.token }}");
}

#[test]
fn the_action_starts_a_prebuilt_image_and_compiles_nothing() {
    let runs = action_runs();
    assert_eq!(runs.using, "docker");
    let image = runs.image.strip_prefix("docker://").unwrap_or_else(|| {
        panic!(
            "image must be a prebuilt image (docker://...), not a Dockerfile: {}",
            runs.image
        )
    });
    // On main: the newest release of the major version; a release pins its digest.
    let tag = image
        .strip_prefix(&format!("{IMAGE}:"))
        .unwrap_or_else(|| panic!("{image}"));
    assert!(tag.chars().all(|c| c.is_ascii_digit()), "{image}");
    assert_eq!(runs.args, ["report"]);
    // The release workflow rewrites exactly this line.
    assert!(action_yml().contains(&format!("\n  image: docker://{image}\n")));
    let release = read(".github/workflows/release.yml");
    assert!(release.contains(
        r#"sed -i -E "s|^  image: docker://.*$|  image: docker://$IMAGE@$DIGEST|" action.yml"#
    ));
    assert!(
        release.contains(r#"echo "image=ghcr.io/${GITHUB_REPOSITORY_OWNER,,}/sei-cicd-action""#)
    );
}

#[test]
fn the_dockerfile_is_scratch_and_the_binary() {
    let dockerfile = read("dist/Dockerfile");
    let instructions: Vec<&str> = dockerfile
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && !l.trim().is_empty())
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        instructions,
        ["FROM", "ARG", "COPY", "COPY", "ENV", "LABEL", "ENTRYPOINT"]
    );
    assert!(dockerfile.contains("\nFROM scratch\n"));
    assert!(dockerfile.contains("\nCOPY --chmod=0755 bin/${TARGETARCH}/sei-cicd /sei-cicd\n"));
    // A /tmp, the system's temporary folder, for the binary run on a terminal.
    assert!(dockerfile.contains("\nCOPY --chmod=1777 tmp /tmp\n"));
    // The binary knows it is the container action: it keeps a payload only where the job's
    // other steps see it (src/keep.rs).
    assert!(dockerfile.contains("\nENV SEI_CICD_CONTAINER_ACTION=true\n"));
    let build = read("dist/build-image.sh");
    assert!(build.contains(r#"mkdir -p "$context/bin/$arch" "$context/tmp""#));
    assert!(dockerfile.contains("\nENTRYPOINT [\"/sei-cicd\"]\n"));
    // The release lays out the same context for both architectures.
    let release = read(".github/workflows/release.yml");
    for arch in ["amd64", "arm64"] {
        assert!(
            release.contains(&format!("context/bin/{arch}/sei-cicd")),
            "{arch}"
        );
    }
    assert!(release.contains("mkdir -p context/bin/amd64 context/bin/arm64 context/tmp"));
}

/// Every `uses:` of the workflows and examples: (file, action, ref, comment).
fn uses() -> Vec<(String, String, String, String)> {
    let mut all = Vec::new();
    for file in yml_files(".github/workflows")
        .into_iter()
        .chain(yml_files("examples"))
    {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        for line in text.lines() {
            let Some(rest) = line.trim().trim_start_matches("- ").strip_prefix("uses: ") else {
                continue;
            };
            let (reference, comment) = rest.split_once(" # ").unwrap_or((rest, ""));
            if reference.starts_with("./") {
                // This repository's own files, at the commit being built.
                all.push((
                    name.clone(),
                    reference.into(),
                    String::new(),
                    comment.into(),
                ));
                continue;
            }
            let (action, r) = reference.split_once('@').expect("uses: action@ref");
            all.push((name.clone(), action.into(), r.into(), comment.into()));
        }
    }
    all
}

#[test]
fn every_action_is_pinned_by_commit_sha_and_the_same_everywhere() {
    let mut pins: BTreeMap<String, (String, String)> = BTreeMap::new();
    let all = uses();
    assert!(all.len() > 10, "{all:?}");
    for (file, action, r, comment) in all {
        if action.starts_with("./") {
            assert!(
                action == "./native" || action == "./native/setup",
                "{file}: the only local actions are the native entry and its setup entry: {action}"
            );
            assert!(
                file.starts_with(".github/workflows/"),
                "{file} uses {action}"
            );
            continue;
        }
        if action == REPOSITORY
            || action == format!("{REPOSITORY}/native")
            || action == format!("{REPOSITORY}/native/setup")
        {
            assert!(file.starts_with("examples/"), "{file} uses this action");
            assert!(r.starts_with('v'), "{file}: {action}@{r}");
            continue;
        }
        assert!(
            r.len() == 40 && r.chars().all(|c| c.is_ascii_hexdigit()),
            "{file}: {action}@{r} is not a commit SHA"
        );
        assert!(
            comment.starts_with('v'),
            "{file}: {action}@{r} needs `# vX.Y.Z`"
        );
        let seen = pins
            .entry(action.clone())
            .or_insert((r.clone(), comment.clone()));
        assert_eq!(
            seen,
            &(r, comment),
            "{file}: {action} pinned differently elsewhere"
        );
    }
}

#[test]
fn the_docs_show_every_example_with_its_permissions() {
    // The table is in docs/examples.md, which the README links from its quick start.
    let page = read("docs/examples.md");
    assert!(read("README.md").contains("](docs/examples.md)"));
    for file in yml_files("examples") {
        let name = format!("examples/{}", file.file_name().unwrap().to_str().unwrap());
        let row = page
            .lines()
            .find(|l| l.starts_with(&format!("| [`{name}`](../{name}) |")))
            .unwrap_or_else(|| panic!("docs/examples.md's examples table lacks {name}"));
        let text = std::fs::read_to_string(&file).unwrap();
        // Every `scope: level` under a job's permissions is in the row.
        let mut inside = false;
        for line in text.lines() {
            if line.trim_start().starts_with("permissions:") {
                inside = line.trim_end().ends_with(':');
                continue;
            }
            if inside {
                let grant = line.split('#').next().unwrap().trim();
                if grant.is_empty() || !line.starts_with("      ") {
                    inside = false;
                    continue;
                }
                assert!(
                    row.contains(&format!("`{grant}`")),
                    "{name}: `{grant}` not in {row}"
                );
            }
        }
    }
}

#[test]
fn ci_runs_every_part_of_ci_run() {
    let ci = read(".github/workflows/ci.yml");
    for part in ["rust", "workflows", "container", "native"] {
        assert!(ci.contains(&format!("run: .ci/run {part}\n")), "{part}");
    }
    let run = read(".ci/run");
    assert!(run.contains("parts=(rust workflows container native)"));
}

#[test]
fn the_placeholder_owner_is_the_same_everywhere() {
    for file in ["README.md", "Cargo.toml", ".github/zizmor.yml"] {
        assert!(read(file).contains(REPOSITORY), "{file}");
    }
    for file in yml_files("examples") {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines().filter(|l| l.contains("-action@")) {
            assert!(line.contains(&format!("uses: {REPOSITORY}@")), "{line}");
        }
    }
}
