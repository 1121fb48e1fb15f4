//! A job's matrix as the workflow file spells it: the legs it makes (GitHub's rules: the product
//! of the lists, less `exclude`, then `include`), the name the jobs API gives each leg, and the
//! value of a small `${{ matrix.* }}` expression for a leg, so `continue-on-error:
//! ${{ matrix.experimental }}` can be told for the leg that failed.
//!
//! GitHub's rules, as its workflow syntax documents them: every combination of the lists, in the
//! file's order; an `exclude` entry removes each combination it matches on all of its keys;
//! then each `include` entry is added to every combination whose original values it does not
//! change (values added by an earlier entry may be replaced), and becomes a combination of its
//! own when it fits none. A matrix written as an expression (`${{ fromJSON(...) }}`) is not
//! known before the run: no legs.
//!
//! Pure: YAML in, legs out.

use saphyr::Yaml;

/// Legs past which a matrix is not expanded (GitHub's limit is 256 a matrix).
const MAX_LEGS: usize = 4096;

/// A matrix value, as far as names and expressions need it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    /// The number as written (`20`, `3.1`: YAML reads `3.10` as 3.1, as GitHub does).
    Number(f64, String),
    Text(String),
    /// A mapping or a list: it has no short name.
    Other,
}

impl Value {
    fn of(y: &Yaml) -> Value {
        if let Some(b) = y.as_bool() {
            return Value::Bool(b);
        }
        if let Some(i) = y.as_integer() {
            return Value::Number(i as f64, i.to_string());
        }
        if let Some(f) = y.as_floating_point() {
            return Value::Number(f, f.to_string());
        }
        if let Some(s) = y.as_str() {
            return Value::Text(s.to_owned());
        }
        Value::Other
    }

    /// As the jobs API writes it in a name.
    fn text(&self) -> Option<String> {
        match self {
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(_, s) | Value::Text(s) => Some(s.clone()),
            Value::Other => None,
        }
    }

    /// GitHub's truthiness: `false`, `0`, `''` and null are false.
    fn truthy(&self) -> bool {
        match self {
            Value::Bool(b) => *b,
            Value::Number(n, _) => *n != 0.0,
            Value::Text(s) => !s.is_empty(),
            Value::Other => true,
        }
    }
}

/// One leg: its values by key, the original keys (the lists') first, in the file's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Leg {
    pub values: Vec<(String, Value)>,
    /// How many of `values`, from the first, are the lists' (GitHub never changes those).
    original: usize,
}

impl Leg {
    fn get(&self, key: &str) -> Option<&Value> {
        self.values.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Whether the jobs API's `api_name` is this leg of the job labelled `label`: the label with
    /// each `${{ matrix.KEY }}` replaced by the leg's value, or, when the label uses no matrix
    /// value, the label and the leg's values in parentheses (all of them, or the lists' alone:
    /// either order).
    pub fn is_named(&self, api_name: &str, label: &str) -> bool {
        if label.contains("${{") {
            return self.substitute(label).is_some_and(|n| n == api_name);
        }
        let Some(inside) = api_name
            .strip_prefix(label)
            .and_then(|r| r.strip_prefix(" ("))
            .and_then(|r| r.strip_suffix(')'))
        else {
            return false;
        };
        let mut shown: Vec<&str> = inside.split(", ").collect();
        shown.sort_unstable();
        let texts = |vals: &[(String, Value)]| -> Option<Vec<String>> {
            let mut t: Vec<String> = vals.iter().map(|(_, v)| v.text()).collect::<Option<_>>()?;
            t.sort_unstable();
            Some(t)
        };
        [&self.values[..], &self.values[..self.original]]
            .into_iter()
            .filter_map(texts)
            .any(|t| t == shown)
    }

    /// `label` with every `${{ matrix.KEY }}` replaced; `None` for any other expression.
    fn substitute(&self, label: &str) -> Option<String> {
        let mut out = String::new();
        let mut rest = label;
        while let Some(at) = rest.find("${{") {
            out.push_str(&rest[..at]);
            let end = rest[at..].find("}}")? + at;
            let key = rest[at + 3..end].trim().strip_prefix("matrix.")?;
            out.push_str(&self.get(key)?.text()?);
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        Some(out)
    }

    /// The value of `expr` for this leg, for the forms `matrix.KEY`, `!matrix.KEY` and
    /// `matrix.KEY == LITERAL` (or `!=`; `true`, `false`, a number or a quoted string, compared
    /// as GitHub does, strings ignoring case), inside `${{ }}` or not. `None` for anything else.
    pub fn eval(&self, expr: &str) -> Option<bool> {
        let e = expr.trim();
        let e = e
            .strip_prefix("${{")
            .and_then(|e| e.strip_suffix("}}"))
            .unwrap_or(e)
            .trim();
        // `None`: not `matrix.KEY`; `Some(None)`: a key the leg has not.
        let value = |key: &str| -> Option<Option<Value>> {
            let key = key.trim().strip_prefix("matrix.")?;
            let plain = key
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
            (plain && !key.is_empty()).then(|| self.get(key).cloned())
        };
        for (op, equal) in [("==", true), ("!=", false)] {
            if let Some((left, right)) = e.split_once(op) {
                let v = value(left)?;
                let same = equals(v.as_ref(), right.trim())?;
                return Some(same == equal);
            }
        }
        if let Some(key) = e.strip_prefix('!') {
            return value(key).map(|v| !v.is_some_and(|v| v.truthy()));
        }
        value(e).map(|v| v.is_some_and(|v| v.truthy()))
    }
}

/// Whether `v` (absent: null) equals the literal `lit`; `None` when the literal is not one of
/// the simple kinds, or the two are of kinds GitHub would convert.
fn equals(v: Option<&Value>, lit: &str) -> Option<bool> {
    let quoted = match lit.strip_prefix('\'').and_then(|l| l.strip_suffix('\'')) {
        // One string, not `'a' && matrix.b == 'c'`.
        Some(inner) if !inner.replace("''", "").contains('\'') => Some(inner.replace("''", "'")),
        Some(_) => return None,
        None => None,
    };
    match (v, quoted, lit) {
        (Some(Value::Text(s)), Some(q), _) => Some(s.eq_ignore_ascii_case(&q)),
        (Some(Value::Bool(b)), None, "true" | "false") => Some(b.to_string() == lit),
        (Some(Value::Number(n, _)), None, _) => lit.parse::<f64>().ok().map(|l| l == *n),
        // A key the leg has not: null, which equals null and is not `true` (null == false,
        // 0 or '' is true in GitHub's conversions: not told here).
        (None, None, "null") => Some(true),
        (None, None, "true") => Some(false),
        _ => None,
    }
}

/// The legs of `strategy.matrix`, or `None` when the file does not spell them out (no matrix,
/// or a matrix, a list, an `include` or an `exclude` written as an expression).
pub fn legs(strategy: Option<&Yaml>) -> Option<Vec<Leg>> {
    let matrix = strategy?.as_mapping_get("matrix")?.as_mapping()?;
    let mut lists: Vec<(String, Vec<Value>)> = Vec::new();
    let mut include: &[Yaml] = &[];
    let mut exclude: &[Yaml] = &[];
    for (k, v) in matrix.iter() {
        match k.as_str()? {
            "include" => include = v.as_sequence()?,
            "exclude" => exclude = v.as_sequence()?,
            key => lists.push((
                key.to_owned(),
                v.as_sequence()?.iter().map(Value::of).collect(),
            )),
        }
    }
    let entry = |y: &Yaml| -> Option<Vec<(String, Value)>> {
        y.as_mapping()?
            .iter()
            .map(|(k, v)| Some((k.as_str()?.to_owned(), Value::of(v))))
            .collect()
    };
    // GitHub runs at most 256 legs; a file that makes far more is not one it ran.
    let combinations = lists
        .iter()
        .try_fold(1usize, |n, (_, v)| n.checked_mul(v.len()))?;
    if combinations > MAX_LEGS {
        return None;
    }
    let mut legs: Vec<Leg> = Vec::new();
    if !lists.is_empty() {
        legs.push(Leg {
            values: Vec::new(),
            original: lists.len(),
        });
        for (key, values) in &lists {
            legs = legs
                .into_iter()
                .flat_map(|leg| {
                    values.iter().map(move |v| {
                        let mut l = leg.clone();
                        l.values.push((key.clone(), v.clone()));
                        l
                    })
                })
                .collect();
        }
    }
    for e in exclude {
        let e = entry(e)?;
        legs.retain(|leg| !e.iter().all(|(k, v)| leg.get(k) == Some(v)));
    }
    let product = legs.len();
    for e in include {
        let e = entry(e)?;
        let mut fitted = false;
        for leg in &mut legs[..product] {
            let fits = e.iter().all(|(k, v)| {
                leg.values[..leg.original]
                    .iter()
                    .all(|(ok, ov)| ok != k || ov == v)
            });
            if fits {
                fitted = true;
                for (k, v) in &e {
                    match leg.values.iter_mut().find(|(lk, _)| lk == k) {
                        Some(slot) => slot.1 = v.clone(),
                        None => leg.values.push((k.clone(), v.clone())),
                    }
                }
            }
        }
        if !fitted {
            let original = e.len();
            legs.push(Leg {
                values: e,
                original,
            });
        }
    }
    Some(legs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use saphyr::LoadableYamlNode;

    fn legs_of(strategy: &str) -> Option<Vec<Leg>> {
        let docs = Yaml::load_from_str(strategy).unwrap();
        legs(docs.first())
    }

    fn shown(legs: &[Leg]) -> Vec<String> {
        legs.iter()
            .map(|l| {
                l.values
                    .iter()
                    .map(|(k, v)| format!("{k}={}", v.text().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn the_documented_include_example_makes_githubs_legs() {
        // The example of GitHub's workflow syntax for `include`, with its documented result.
        let l = legs_of(
            "matrix:
               fruit: [apple, pear]
               animal: [cat, dog]
               include:
                 - color: green
                 - color: pink
                   animal: cat
                 - fruit: apple
                   shape: circle
                 - fruit: banana
                 - fruit: banana
                   animal: cat",
        )
        .unwrap();
        assert_eq!(
            shown(&l),
            [
                "fruit=apple animal=cat color=pink shape=circle",
                "fruit=apple animal=dog color=green shape=circle",
                "fruit=pear animal=cat color=pink",
                "fruit=pear animal=dog color=green",
                "fruit=banana",
                "fruit=banana animal=cat",
            ]
        );
    }

    #[test]
    fn exclude_comes_before_include_and_expressions_are_not_known() {
        let l = legs_of(
            "matrix:
               os: [ubuntu-latest, windows-latest]
               node: [20, 22]
               exclude: [{os: windows-latest, node: 20}]
               include: [{os: windows-latest, node: 20, experimental: true}]",
        )
        .unwrap();
        assert_eq!(
            shown(&l),
            [
                "os=ubuntu-latest node=20",
                "os=ubuntu-latest node=22",
                "os=windows-latest node=22",
                "os=windows-latest node=20 experimental=true",
            ]
        );
        assert_eq!(legs_of("matrix: ${{ fromJSON(needs.a.outputs.m) }}"), None);
        assert_eq!(legs_of("matrix:\n  os: ${{ fromJSON(x) }}"), None);
        assert_eq!(legs_of("fail-fast: false"), None);
        let huge = format!(
            "matrix: {{a: [{0}], b: [{0}], c: [{0}]}}",
            "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17"
        );
        assert_eq!(legs_of(&huge), None, "17^3 legs: not a matrix GitHub runs");
        assert_eq!(
            shown(&legs_of("matrix: {include: [{a: 1}, {a: 2}]}").unwrap()),
            ["a=1", "a=2"]
        );
    }

    #[test]
    fn a_leg_is_found_by_the_name_the_jobs_api_gives_it() {
        let l = legs_of(
            "matrix:
               version: [6, 7]
               experimental: [false]
               include: [{version: 8, experimental: true}, {version: 6, note: slow}]",
        )
        .unwrap();
        let named = |api: &str, label: &str| -> Vec<usize> {
            (0..l.len())
                .filter(|&i| l[i].is_named(api, label))
                .collect()
        };
        assert_eq!(named("test (6, false)", "test"), [0]);
        assert_eq!(
            named("test (6, false, slow)", "test"),
            [0],
            "with the added value"
        );
        assert_eq!(named("test (false, 7)", "test"), [1], "in either order");
        assert_eq!(named("test (8, true)", "test"), [2]);
        assert!(named("test (9, true)", "test").is_empty());
        assert!(named("tests (6, false)", "test").is_empty());
        assert_eq!(
            named(
                "v7 on false",
                "v${{ matrix.version }} on ${{matrix.experimental}}"
            ),
            [1]
        );
        assert!(named("v7", "v${{ matrix.version }}${{ github.ref }}").is_empty());
    }

    #[test]
    fn small_expressions_are_told_for_a_leg() {
        let l = &legs_of(
            "matrix:
               os: [Windows-Latest]
               experimental: [true]
               node: [0]",
        )
        .unwrap()[0];
        assert_eq!(l.eval("${{ matrix.experimental }}"), Some(true));
        assert_eq!(l.eval("${{ !matrix.experimental }}"), Some(false));
        assert_eq!(l.eval("${{ matrix.experimental == true }}"), Some(true));
        assert_eq!(
            l.eval("${{ matrix.os == 'windows-latest' }}"),
            Some(true),
            "case-blind"
        );
        assert_eq!(l.eval("${{ matrix.os != 'windows-latest' }}"), Some(false));
        assert_eq!(l.eval("${{ matrix.node }}"), Some(false), "0 is false");
        assert_eq!(
            l.eval("${{ matrix.missing }}"),
            Some(false),
            "null is false"
        );
        assert_eq!(l.eval("${{ matrix.missing == true }}"), Some(false));
        assert_eq!(
            l.eval("${{ matrix.missing == false }}"),
            None,
            "GitHub converts null"
        );
        assert_eq!(
            l.eval("${{ matrix.os == 'x' && matrix.node == 'y' }}"),
            None
        );
        assert_eq!(l.eval("${{ matrix.os == 'windows-latest' || true }}"), None);
        assert_eq!(
            l.eval("${{ matrix.experimental == 'true' }}"),
            None,
            "GitHub converts"
        );
        assert_eq!(l.eval("${{ github.ref == 'refs/heads/main' }}"), None);
    }
}
