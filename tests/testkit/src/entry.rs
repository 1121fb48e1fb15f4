//! The native entry, `native/action.yml`: a composite action whose inputs, outputs and the
//! `INPUT_*` variables of its step are generated from `action.yml`, the one definition of the
//! inputs. [`generate`] writes the generated parts into the hand-written rest; `tests/it/native.rs`
//! fails while the file on disk differs from it (and rewrites it with `SEI_CICD_REGENERATE=1`).
//! Like [`crate::action::inputs_of`], it reads the shape this project's action files keep
//! (top-level keys at column 0, names two spaces in, fields four), not any YAML.

use std::path::PathBuf;

/// The id of the entry's step, whose outputs become the entry's outputs.
pub const STEP_ID: &str = "report";

/// The line after which the generated `INPUT_*` lines run to the end of the file.
pub const ENV_MARKER: &str =
    "        # Generated from ../action.yml: every input, as the runner passes it to a container action.";

/// The folder of the native entry.
pub fn native_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../native"))
}

/// `native/action.yml` as it is on disk.
pub fn native_yml() -> String {
    let path = native_dir().join("action.yml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The variable the runner gives a container action for input `name`: upper-cased, spaces
/// turned into `_`, hyphens kept.
pub fn input_variable(name: &str) -> String {
    format!("INPUT_{}", name.to_uppercase().replace(' ', "_"))
}

/// The lines under top-level `key:` (not the key itself), up to the next top-level line, without
/// the blank lines at the end.
pub fn section<'a>(yml: &'a str, key: &str) -> Vec<&'a str> {
    let mut lines: Vec<&str> = yml
        .lines()
        .skip_while(|l| *l != format!("{key}:"))
        .skip(1)
        .take_while(|l| l.is_empty() || l.starts_with(' '))
        .collect();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    lines
}

/// The names of the outputs of an action file, in order.
pub fn outputs_of(yml: &str) -> Vec<String> {
    section(yml, "outputs")
        .iter()
        .filter_map(|l| l.strip_prefix("  ")?.strip_suffix(':'))
        .filter(|n| !n.starts_with(' ') && !n.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// `native` with its generated parts made from `action`: the `inputs:` section copied as it is,
/// each output with its description and the step's output as its value, and one `INPUT_<NAME>:
/// ${{ inputs.<name> }}` line per input after [`ENV_MARKER`].
pub fn generate(action: &str, native: &str) -> String {
    let inputs = section(action, "inputs").join("\n");
    let mut outputs = Vec::new();
    let value = |name: &str| format!("    value: ${{{{ steps.{STEP_ID}.outputs.{name} }}}}");
    let mut open: Option<&str> = None;
    for line in section(action, "outputs") {
        if let Some(name) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':')) {
            if !name.starts_with(' ') {
                if let Some(previous) = open.replace(name) {
                    outputs.push(value(previous));
                }
            }
        }
        outputs.push(line.to_owned());
    }
    if let Some(last) = open {
        outputs.push(value(last));
    }
    let outputs = outputs.join("\n");

    let mut out = String::new();
    let mut lines = native.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        let generated = match line {
            "inputs:" => &inputs,
            "outputs:" => &outputs,
            l if l == ENV_MARKER => {
                for (name, _) in crate::action::inputs_of(action) {
                    out.push_str(&format!(
                        "        {}: ${{{{ inputs.{name} }}}}\n",
                        input_variable(&name)
                    ));
                }
                return out;
            }
            _ => continue,
        };
        // Drop the section as it is, keep what follows it.
        while lines
            .peek()
            .is_some_and(|l| l.is_empty() || l.starts_with(' '))
        {
            lines.next();
        }
        out.push_str(generated);
        out.push_str("\n\n");
    }
    panic!("native/action.yml lacks the line {ENV_MARKER:?}");
}

/// The `run:` line of the entry's step and its `env:`: name → value as written, the lines of a
/// `|` block joined.
pub fn step_of(native: &str) -> (String, Vec<(String, String)>) {
    let runs = section(native, "runs");
    let run = runs
        .iter()
        .find_map(|l| l.strip_prefix("      run: "))
        .expect("the step's run: line")
        .to_owned();
    let mut env: Vec<(String, String)> = Vec::new();
    for line in runs.iter().skip_while(|l| **l != "      env:").skip(1) {
        if let Some(block_line) = line.strip_prefix("          ") {
            // A line of a `|` block value.
            let last = env.last_mut().expect("a block under a variable");
            last.1.push_str(block_line);
            last.1.push('\n');
        } else if let Some((k, v)) = line
            .strip_prefix("        ")
            .filter(|l| !l.starts_with('#'))
            .and_then(|l| l.split_once(':'))
        {
            let v = v.trim();
            let v = if v == "|" { "" } else { v };
            env.push((k.to_owned(), v.to_owned()));
        }
    }
    (run, env)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACTION: &str = "name: x\n\ninputs:\n  a-b:\n    description: A.\n    default: \"1\"\n  c:\n    description: C.\n    default: ${{ github.token }}\n\noutputs:\n  status:\n    description: S.\n\nruns:\n  using: docker\n";

    fn native(inputs: &str, outputs: &str, env: &str) -> String {
        format!("# head\nname: y\n\ninputs:\n{inputs}\noutputs:\n{outputs}\nruns:\n  using: composite\n  steps:\n    - id: report\n      run: x\n      env:\n        KEEP: \"\"\n{ENV_MARKER}\n{env}")
    }

    #[test]
    fn generates_inputs_outputs_and_variables_and_keeps_the_rest() {
        let got = generate(
            ACTION,
            &native("  stale:\n    default: x\n", "  old:\n", "        OLD: 1\n"),
        );
        let want = native(
            "  a-b:\n    description: A.\n    default: \"1\"\n  c:\n    description: C.\n    default: ${{ github.token }}\n",
            "  status:\n    description: S.\n    value: ${{ steps.report.outputs.status }}\n",
            "        INPUT_A-B: ${{ inputs.a-b }}\n        INPUT_C: ${{ inputs.c }}\n",
        );
        assert_eq!(got, want);
        assert_eq!(
            generate(ACTION, &got),
            got,
            "generating twice changes nothing"
        );
        let (run, env) = step_of(&got);
        assert_eq!(run, "x");
        assert_eq!(env[0], ("KEEP".to_owned(), "\"\"".to_owned()));
        assert_eq!(env[1].0, "INPUT_A-B");
        assert_eq!(outputs_of(&got), ["status"]);
        let pinned = got.replace(
            "        KEEP: \"\"\n",
            "        KEEP: |\n          ab  one\n          cd  two\n",
        );
        assert_eq!(step_of(&pinned).1[0].1, "ab  one\ncd  two\n");
        assert_eq!(generate(ACTION, &pinned), pinned, "a pinned block is kept");
    }
}
