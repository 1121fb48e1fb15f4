//! The one glob matcher, for every input that takes patterns (`cd-environments`, `backfill`'s
//! `include` and `exclude`): `*` stands for any run of characters (none included), `?` for one
//! character, everything else for itself; ASCII case does not matter (GitHub's names do not).
//! A pattern matches the whole text.

/// Whether `text` matches the glob `pattern`.
pub(crate) fn matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    // Iterative matching with one backtrack point, the last `*`: it takes one character more
    // each time what follows it fails.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::matches as glob;

    #[test]
    fn globs_match_owner_and_name() {
        assert!(glob("acme/*", "acme/api"));
        assert!(glob("ACME/api-*", "acme/api-gateway"));
        assert!(glob("*/docs", "acme/docs"));
        assert!(glob("acme/a?i", "acme/api"));
        assert!(glob("*", "x/y"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("acme/api", "acme/api-gateway"));
        assert!(!glob("acme/*-old", "acme/api"));
        assert!(!glob("a?", "a"));
    }

    #[test]
    fn stars_take_what_the_rest_leaves() {
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
        assert!(glob("*", ""));
        assert!(!glob("ab*ba", "aba"));
        assert!(glob("prod*", "production"));
        assert!(glob("*preview*", "docs-preview-7"));
        assert!(glob("**", "x"));
        assert!(!glob("", "x"));
        assert!(glob("", ""));
    }

    #[test]
    fn any_text_is_matched_character_by_character() {
        assert!(glob("é?", "éa"));
        assert!(glob("Prod/EU", "prod/eu"));
        assert!(!glob("prod", "prod "));
        assert!(glob("staging[1]", "staging[1]"), "no character classes");
    }
}
