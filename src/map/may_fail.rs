//! Jobs that may fail: `continue-on-error: true` on a job makes GitHub conclude the run
//! `success` although that job's check run (and the jobs API) says `failure`. Nothing in the jobs
//! API marks such a job, so a reporter inside the run (which derives the run's result from its
//! jobs, see [`super::result::derive`]) reads the workflow file at the run's head commit, finds
//! the job each failed API job belongs to, and leaves out of the run's result those that may
//! fail. A small matrix expression (`${{ matrix.experimental }}`, `${{ matrix.os ==
//! 'windows-latest' }}`) is told for the failed leg from the matrix the file spells out
//! ([`super::matrix`]). What it cannot tell (another expression, a matrix made at run time, a
//! job it cannot find) it says, and counts as a failure.
//!
//! The jobs API names a job by its `name:` (expressions evaluated), else by its key, and adds the
//! matrix values in parentheses when the name does not use them: `test (ubuntu-latest, 20)`. A
//! job of a called workflow is `<caller> / <callee>`.

use super::matrix::{self, Leg};
use crate::model::Note;
use saphyr::{LoadableYamlNode, Yaml};

/// Whether a job may fail without failing the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MayFail {
    Yes,
    No,
    /// An expression, evaluated only when the job runs (`${{ matrix.experimental }}`).
    Expression(String),
}

/// A job of the workflow file, as far as this matters.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowJob {
    pub key: String,
    /// `name:`, as written (expressions unevaluated).
    pub name: Option<String>,
    pub may_fail: MayFail,
    /// The matrix's legs, read when `continue-on-error` is an expression and the file spells
    /// the matrix out.
    pub legs: Option<Vec<Leg>>,
}

/// The jobs of a workflow file, in the file's order.
pub fn jobs_of(text: &str) -> Result<Vec<WorkflowJob>, String> {
    let docs = Yaml::load_from_str(text).map_err(|e| format!("it is not YAML ({e})"))?;
    let root = docs.first().ok_or("it is empty")?;
    let jobs = root
        .as_mapping_get("jobs")
        .and_then(Yaml::as_mapping)
        .ok_or("it has no `jobs:`")?;
    Ok(jobs
        .iter()
        .filter_map(|(key, job)| {
            let key = scalar(key)?;
            let name = job.as_mapping_get("name").and_then(scalar);
            let may_fail = match job.as_mapping_get("continue-on-error") {
                None => MayFail::No,
                Some(v) => match (v.as_bool(), scalar(v)) {
                    (Some(true), _) => MayFail::Yes,
                    (Some(false), _) => MayFail::No,
                    (None, Some(text)) => match text.trim() {
                        "true" | "${{ true }}" => MayFail::Yes,
                        "false" | "${{ false }}" | "" => MayFail::No,
                        other => MayFail::Expression(other.to_owned()),
                    },
                    (None, None) => MayFail::No,
                },
            };
            let legs = match may_fail {
                MayFail::Expression(_) => matrix::legs(job.as_mapping_get("strategy")),
                _ => None,
            };
            Some(WorkflowJob {
                key,
                name,
                may_fail,
                legs,
            })
        })
        .collect())
}

/// A scalar as text (`true` as `true`, `20` as `20`).
fn scalar(y: &Yaml) -> Option<String> {
    if let Some(s) = y.as_str() {
        return Some(s.to_owned());
    }
    if let Some(b) = y.as_bool() {
        return Some(b.to_string());
    }
    if let Some(i) = y.as_integer() {
        return Some(i.to_string());
    }
    y.as_floating_point().map(|f| f.to_string())
}

/// Which job of the file a job of the jobs API is.
#[derive(Debug, Clone, PartialEq)]
pub enum Found<'a> {
    One(&'a WorkflowJob),
    /// No job of the file has that name (a called workflow's job, a file changed since).
    None,
    /// Several could be it, and they do not agree.
    Ambiguous,
}

/// Finds the file's job that `api_name` names: its name or key, as is, with matrix values in
/// parentheses after it, or, for a name with expressions, any text in their place.
pub fn find<'a>(api_name: &str, jobs: &'a [WorkflowJob]) -> Found<'a> {
    let exact: Vec<&WorkflowJob> = jobs.iter().filter(|j| label(j) == api_name).collect();
    let all: Vec<&WorkflowJob> = if exact.is_empty() {
        jobs.iter().filter(|j| names(api_name, label(j))).collect()
    } else {
        exact
    };
    match all.as_slice() {
        [] => Found::None,
        [one] => Found::One(one),
        [first, rest @ ..] if rest.iter().all(|j| j.may_fail == first.may_fail) => {
            Found::One(first)
        }
        _ => Found::Ambiguous,
    }
}

fn label(j: &WorkflowJob) -> &str {
    j.name.as_deref().unwrap_or(&j.key)
}

/// Whether the jobs API's `api_name` can be the job labelled `label` in the file.
fn names(api_name: &str, label: &str) -> bool {
    if !label.contains("${{") {
        return api_name
            .strip_prefix(label)
            .and_then(|rest| rest.strip_prefix(" ("))
            .is_some_and(|rest| rest.ends_with(')'));
    }
    // Literal parts in order, anything in place of each `${{ ... }}`.
    let mut literals = Vec::new();
    let mut rest = label;
    while let Some(at) = rest.find("${{") {
        literals.push(&rest[..at]);
        rest = rest[at..]
            .find("}}")
            .map_or("", |end| &rest[at + end + 2..]);
    }
    literals.push(rest);
    let mut left = api_name;
    let last = literals.len() - 1;
    for (i, lit) in literals.iter().enumerate() {
        if i == 0 {
            match left.strip_prefix(lit) {
                Some(l) => left = l,
                None => return false,
            }
        } else if i == last {
            // The end, or matrix values after it.
            return left.ends_with(lit)
                || left
                    .find(&format!("{lit} ("))
                    .is_some_and(|_| left.ends_with(')'));
        } else {
            match left.find(lit) {
                Some(at) => left = &left[at + lit.len()..],
                None => return false,
            }
        }
    }
    true
}

/// What the file says of the failed jobs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Jobs that may fail: GitHub does not count them against the run.
    pub may_fail: Vec<(u64, String)>,
    /// Jobs that fail the run.
    pub fail: Vec<(u64, String)>,
    /// Jobs whose `continue-on-error` expression was told for their matrix leg: the job, the
    /// expression, and whether it may fail.
    pub told: Vec<(u64, String, String, bool)>,
    /// Jobs the file cannot tell of, and why: counted as failures.
    pub unknown: Vec<(u64, String, String)>,
}

/// Sorts `failed` (`(job id, API name)`) by what `jobs` (the workflow file's) say.
pub fn judge(failed: &[(u64, String)], jobs: &[WorkflowJob]) -> Verdict {
    let mut v = Verdict::default();
    for (id, name) in failed {
        match find(name, jobs) {
            Found::One(j) => match &j.may_fail {
                MayFail::Yes => v.may_fail.push((*id, name.clone())),
                MayFail::No => v.fail.push((*id, name.clone())),
                MayFail::Expression(e) => match tell(j, name, e) {
                    Ok(may) => v.told.push((*id, name.clone(), e.clone(), may)),
                    Err(why) => v.unknown.push((*id, name.clone(), why)),
                },
            },
            Found::None => {
                v.unknown
                    .push((*id, name.clone(), "no job of the file has that name".into()))
            }
            Found::Ambiguous => v.unknown.push((
                *id,
                name.clone(),
                "several jobs of the file have that name".into(),
            )),
        }
    }
    v
}

/// `` `a`, `b` ``: job names for the log.
pub fn quoted<'a>(names: impl Iterator<Item = &'a String>) -> String {
    names
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The log's warning when the workflow file (`source`) could not be read (`why`; `hint` names
/// the permission it needs when GitHub refused): the failed jobs count as failures.
pub fn unread(failed: &[(u64, String)], source: &str, why: &str, hint: &str) -> Note {
    Note::warning(format!(
        "could not tell whether the failed job(s) {} may fail (`continue-on-error`): reading \
         {source} failed ({why}); they count as failures, while GitHub may conclude the run \
         `success`{hint}",
        quoted(failed.iter().map(|(_, n)| n))
    ))
}

/// The log's lines for what the file (read from `source`, `` `.github/workflows/ci.yml` at
/// 607e6cc ``) says of the failed jobs, and the ids of those that may fail.
pub fn judge_failures(
    failed: &[(u64, String)],
    jobs: &[WorkflowJob],
    source: &str,
) -> (Vec<u64>, Vec<Note>) {
    let v = judge(failed, jobs);
    let mut notes = Vec::new();
    if !v.may_fail.is_empty() {
        notes.push(Note::info(format!(
            "The failed job(s) {} may fail (`continue-on-error: true` in {source}): GitHub does \
             not count them against the run, and neither does the result reported.",
            quoted(v.may_fail.iter().map(|(_, n)| n))
        )));
    }
    if !v.fail.is_empty() {
        notes.push(Note::info(format!(
            "The failed job(s) {} fail the run (no `continue-on-error: true` in {source}).",
            quoted(v.fail.iter().map(|(_, n)| n))
        )));
    }
    for (_, n, e, may) in &v.told {
        notes.push(Note::info(if *may {
            format!(
                "The failed job `{n}` may fail (`continue-on-error: {e}` in {source} is true \
                 for its matrix leg): GitHub does not count it against the run, and neither \
                 does the result reported."
            )
        } else {
            format!(
                "The failed job `{n}` fails the run (`continue-on-error: {e}` in {source} is \
                 false for its matrix leg)."
            )
        }));
    }
    if !v.unknown.is_empty() {
        notes.push(Note::warning(format!(
            "could not tell whether the failed job(s) {} may fail (`continue-on-error`, in \
             {source}): they count as failures, while GitHub may conclude the run `success`",
            v.unknown
                .iter()
                .map(|(_, n, why)| format!("`{n}` ({why})"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let told = v.told.iter().filter(|t| t.3).map(|t| t.0);
    (
        v.may_fail.iter().map(|(id, _)| *id).chain(told).collect(),
        notes,
    )
}

/// The value of the expression `e` for the leg of `j` that `api_name` names.
fn tell(j: &WorkflowJob, api_name: &str, e: &str) -> Result<bool, String> {
    let why = format!("its `continue-on-error` is `{e}`");
    let Some(legs) = &j.legs else {
        return Err(why);
    };
    let told: Vec<Option<bool>> = legs
        .iter()
        .filter(|l| l.is_named(api_name, label(j)))
        .map(|l| l.eval(e))
        .collect();
    match told.as_slice() {
        [] => Err(format!("{why}, and no leg of its matrix has that name")),
        [Some(first), rest @ ..] if rest.iter().all(|t| *t == Some(*first)) => Ok(*first),
        _ => Err(why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORKFLOW: &str = r#"
name: CI
on:
  push:
    branches: [main]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: make
  test:
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest]
        node: [20, 22]
    runs-on: ${{ matrix.os }}
    continue-on-error: true
    steps: [{run: make test}]
  nightly:
    name: Nightly toolchain
    continue-on-error: ${{ matrix.experimental }}
    strategy:
      matrix:
        include: [{experimental: true}]
    runs-on: ubuntu-latest
    steps: [{run: make}]
  e2e:
    name: "E2E on ${{ matrix.browser }}"
    continue-on-error: 'true'
    strategy: {matrix: {browser: [chrome, firefox]}}
    runs-on: ubuntu-latest
    steps: [{run: make e2e}]
  lint:
    continue-on-error: false
    runs-on: ubuntu-latest
    steps: [{run: make lint}]
"#;

    #[test]
    fn the_files_jobs() {
        let jobs = jobs_of(WORKFLOW).unwrap();
        let got: Vec<(&str, Option<&str>, &MayFail)> = jobs
            .iter()
            .map(|j| (j.key.as_str(), j.name.as_deref(), &j.may_fail))
            .collect();
        assert_eq!(
            got,
            [
                ("build", None, &MayFail::No),
                ("test", None, &MayFail::Yes),
                (
                    "nightly",
                    Some("Nightly toolchain"),
                    &MayFail::Expression("${{ matrix.experimental }}".into())
                ),
                ("e2e", Some("E2E on ${{ matrix.browser }}"), &MayFail::Yes),
                ("lint", None, &MayFail::No),
            ]
        );
        assert!(jobs_of("jobs: [").is_err());
        assert_eq!(jobs_of("on: push").unwrap_err(), "it has no `jobs:`");
    }

    #[test]
    fn api_names_find_their_job() {
        let jobs = jobs_of(WORKFLOW).unwrap();
        let key = |n: &str| match find(n, &jobs) {
            Found::One(j) => Some(j.key.as_str()),
            _ => None,
        };
        assert_eq!(key("build"), Some("build"));
        assert_eq!(key("test (ubuntu-latest, 20)"), Some("test"));
        assert_eq!(key("Nightly toolchain (true)"), Some("nightly"));
        assert_eq!(key("E2E on firefox"), Some("e2e"));
        assert_eq!(key("lint"), Some("lint"));
        assert_eq!(key("testing"), None, "a prefix is not a name");
        assert_eq!(key("test (x"), None);
        assert_eq!(key("release / publish"), None, "a called workflow's job");
        assert!(names("a ${{ x }} b ${{ y }}", "a ${{ x }} b ${{ y }}"));
        assert!(names("a 1 b 2", "a ${{ x }} b ${{ y }}"));
        assert!(!names("a 1 c 2", "a ${{ x }} b ${{ y }}"));
    }

    #[test]
    fn failed_jobs_are_judged_by_the_file() {
        let jobs = jobs_of(WORKFLOW).unwrap();
        let failed = [
            (1, "test (windows-latest, 22)".to_owned()),
            (2, "lint".to_owned()),
            (3, "Nightly toolchain (true)".to_owned()),
            (4, "deploy".to_owned()),
        ];
        let v = judge(&failed, &jobs);
        assert_eq!(v.may_fail, [(1, "test (windows-latest, 22)".to_owned())]);
        assert_eq!(v.fail, [(2, "lint".to_owned())]);
        assert_eq!(
            v.told,
            [(
                3,
                "Nightly toolchain (true)".to_owned(),
                "${{ matrix.experimental }}".to_owned(),
                true
            )],
            "the leg's `experimental` is true"
        );
        assert_eq!(
            v.unknown,
            [(
                4,
                "deploy".to_owned(),
                "no job of the file has that name".to_owned()
            )]
        );
    }

    #[test]
    fn a_matrix_expression_is_told_for_the_leg_that_failed_or_said_untold() {
        let file = r#"
jobs:
  test:
    continue-on-error: ${{ matrix.experimental }}
    strategy:
      fail-fast: false
      matrix:
        version: [6, 7]
        experimental: [false]
        include: [{version: 8, experimental: true}]
    runs-on: ubuntu-latest
    steps: [{run: make test}]
  dynamic:
    continue-on-error: ${{ matrix.experimental }}
    strategy: {matrix: "${{ fromJSON(needs.plan.outputs.matrix) }}"}
    runs-on: ubuntu-latest
    steps: [{run: make}]
  either:
    continue-on-error: ${{ matrix.os == 'windows-latest' || matrix.nightly }}
    strategy: {matrix: {os: [ubuntu-latest, windows-latest]}}
    runs-on: ${{ matrix.os }}
    steps: [{run: make}]
"#;
        let jobs = jobs_of(file).unwrap();
        let failed = [
            (1, "test (8, true)".to_owned()),
            (2, "test (7, false)".to_owned()),
            (3, "test (9, true)".to_owned()),
            (4, "dynamic (a)".to_owned()),
            (5, "either (windows-latest)".to_owned()),
        ];
        let v = judge(&failed, &jobs);
        let e = "${{ matrix.experimental }}".to_owned();
        assert_eq!(
            v.told,
            [
                (1, "test (8, true)".to_owned(), e.clone(), true),
                (2, "test (7, false)".to_owned(), e.clone(), false)
            ]
        );
        let why: Vec<(u64, &str)> = v.unknown.iter().map(|u| (u.0, u.2.as_str())).collect();
        assert_eq!(
            why,
            [
                (
                    3,
                    "its `continue-on-error` is `${{ matrix.experimental }}`, and no leg of \
                     its matrix has that name"
                ),
                (4, "its `continue-on-error` is `${{ matrix.experimental }}`"),
                (
                    5,
                    "its `continue-on-error` is `${{ matrix.os == 'windows-latest' || \
                     matrix.nightly }}`"
                ),
            ]
        );
    }
}
