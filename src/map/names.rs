//! Stage and step names as SEI keeps them: at most [`MAX`] characters (SEI shortens longer
//! ones itself, so matrix legs and long steps that differ late would all look alike on its
//! screens). A name that fits is sent as GitHub shows it. A longer one is shortened here, keeping
//! what tells it apart:
//!
//! 1. an action reference loses its owner and keeps 7 characters of a commit SHA
//!    (`Run docker/build-push-action@0565240e…` → `Run build-push-action@0565240`);
//! 2. a matrix job keeps its values, `Build and test (ubuntu-latest, 1.75, --all-features)`,
//!    and the words before them are cut (`Build a… (ubuntu-latest, 1.75, --all-features)`);
//! 3. anything else keeps its start and its end around one `…`.
//!
//! Names that were different and came out the same get ` ·2`, ` ·3`, … in the order GitHub
//! lists them. Counted in characters, not bytes: a multi-byte name is never cut inside a
//! character. The whole name goes into the description.

use compact_str::CompactString;

/// The longest name SEI keeps whole.
pub const MAX: usize = 50;
/// The longest stage description SEI keeps.
pub const MAX_DESCRIPTION: usize = 200;
/// What stands for the part left out.
const ELLIPSIS: char = '…';

fn len(s: &str) -> usize {
    s.chars().count()
}

/// The first `n` characters of `s`.
fn head(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The last `n` characters of `s`.
fn tail(s: &str, n: usize) -> &str {
    let count = len(s);
    if n >= count {
        return s;
    }
    let (i, _) = s.char_indices().nth(count - n).expect("n < count");
    &s[i..]
}

/// `text` cut to at most `max` characters, `…` at the end when cut.
pub fn cut(text: &str, max: usize) -> CompactString {
    if len(text) <= max {
        return text.into();
    }
    let mut out = CompactString::from(head(text, max.saturating_sub(1)).trim_end());
    out.push(ELLIPSIS);
    out
}

/// An action reference without its owner, and a commit SHA as 7 characters:
/// `docker/build-push-action@0565240e2d4ab88bba5387d719585280857ece09` → `build-push-action@0565240`.
fn compact_action(word: &str) -> Option<String> {
    let (path, reference) = word.split_once('@')?;
    let (owner, rest) = path.split_once('/')?;
    let ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
    };
    if !ok(owner) || owner.contains('/') || !ok(rest) || !ok(reference) {
        return None;
    }
    let sha = reference.len() == 40 && reference.chars().all(|c| c.is_ascii_hexdigit());
    let reference = if sha { &reference[..7] } else { reference };
    Some(format!("{rest}@{reference}"))
}

/// One name shortened to [`MAX`] characters (unchanged when it fits).
pub fn shorten(name: &str) -> CompactString {
    if len(name) <= MAX {
        return name.into();
    }
    let compacted: String = name
        .split(' ')
        .map(|w| compact_action(w).unwrap_or_else(|| w.to_owned()))
        .collect::<Vec<_>>()
        .join(" ");
    let name = compacted.as_str();
    if len(name) <= MAX {
        return name.into();
    }
    // A matrix job: `<name> (<values>)`, the values kept when they leave room for a few words.
    if let Some(open) = name.rfind(" (").filter(|_| name.ends_with(')')) {
        let (words, values) = name.split_at(open);
        if len(values) + 6 <= MAX {
            let room = MAX - len(values) - 1;
            let mut out = CompactString::from(head(words, room).trim_end());
            out.push(ELLIPSIS);
            out.push_str(values);
            return out;
        }
    }
    let keep_end = (MAX - 1) / 2;
    let keep_start = MAX - 1 - keep_end;
    let mut out = CompactString::from(head(name, keep_start).trim_end());
    out.push(ELLIPSIS);
    out.push_str(tail(name, keep_end).trim_start());
    out
}

/// Shortens every name of a group (the stages of a run, the steps of a stage) so that names
/// that were different stay different: a clash gets ` ·2`, ` ·3`, … in order. Names GitHub
/// itself repeats (two jobs with one name) stay as they are.
pub fn shorten_all<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<CompactString> {
    let names: Vec<&str> = names.into_iter().collect();
    let mut short: Vec<CompactString> = names.iter().map(|n| shorten(n)).collect();
    if names.iter().all(|n| len(n) <= MAX) {
        return short;
    }
    for i in 0..short.len() {
        if len(names[i]) <= MAX {
            continue;
        }
        let clashes = |s: &str, short: &[CompactString]| {
            (0..short.len()).any(|j| j != i && short[j] == s && names[j] != names[i])
        };
        let mut k = 1;
        while clashes(&short[i], &short) {
            k += 1;
            let mark = format!(" ·{k}");
            let base = shorten(names[i]);
            let mut s = CompactString::from(head(&base, MAX - len(&mark)).trim_end());
            s.push_str(&mark);
            short[i] = s;
        }
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> usize {
        s.chars().count()
    }

    #[test]
    fn names_that_fit_are_sent_as_they_are() {
        assert_eq!(shorten("test (ubuntu-latest)"), "test (ubuntu-latest)");
        let fifty = "x".repeat(50);
        assert_eq!(shorten(&fifty), fifty.as_str());
    }

    #[test]
    fn matrix_values_are_kept() {
        let a = "Build, lint and test every crate of the workspace (ubuntu-latest, 1.75, --all-features)";
        let s = shorten(a);
        assert!(chars(&s) <= MAX, "{s}");
        assert!(s.ends_with("(ubuntu-latest, 1.75, --all-features)"), "{s}");
        assert!(s.starts_with("Build, lint"), "{s}");
    }

    #[test]
    fn actions_lose_their_owner_and_long_shas() {
        let s = shorten("Run docker/build-push-action@0565240e2d4ab88bba5387d719585280857ece09");
        assert_eq!(s, "Run build-push-action@0565240");
        let s =
            shorten("Post Run github/codeql-action/init@df559355d593797519d70b90fc8edd5db049e7a2");
        assert_eq!(s, "Post Run codeql-action/init@df55935");
    }

    #[test]
    fn long_names_keep_their_start_and_end() {
        let a = "Upload the coverage report of the integration tests to the dashboard (nightly)x";
        let s = shorten(a);
        assert_eq!(chars(&s), MAX, "{s}");
        assert!(
            s.starts_with("Upload the coverage") && s.ends_with("(nightly)x"),
            "{s}"
        );
    }

    #[test]
    fn multi_byte_names_are_cut_between_characters() {
        let a = "Déploiement en préproduction de l’application mobile — étape finale ✓✓✓";
        let s = shorten(a);
        assert!(chars(&s) <= MAX);
        assert!(s.ends_with("✓✓✓"), "{s}");
        let emoji = "🚀".repeat(80);
        assert_eq!(chars(&shorten(&emoji)), MAX);
        assert_eq!(chars(&cut(&emoji, 200)), 80);
        assert_eq!(chars(&cut(&emoji, 10)), 10);
    }

    #[test]
    fn names_that_were_different_stay_different() {
        let legs: Vec<String> = (1..=3)
            .map(|i| {
                format!("Integration tests, shard {i} of 3, against the staging database cluster")
            })
            .collect();
        let short = shorten_all(legs.iter().map(String::as_str));
        assert!(short.iter().all(|s| chars(s) <= MAX), "{short:?}");
        let mut unique = short.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 3, "{short:?}");
        // GitHub's own repeats stay repeats; short names are untouched.
        let same = shorten_all(["build", "build", "test"]);
        assert_eq!(same, ["build", "build", "test"]);
    }
}
