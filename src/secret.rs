//! A token that cannot leak by accident: no `Display`, a redacting `Debug`,
//! and the only way to read it is the explicit [`Secret::expose`].

use std::fmt;

/// An API token (SEI or GitHub). Empty means "not given".
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a token, trimming the whitespace and newlines a copy-paste leaves.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into().trim().to_owned())
    }

    /// The token itself, for building an `Authorization` header and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("Secret(<empty>)")
        } else {
            f.write_str("Secret(<redacted>)")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("  s3cr3t-token\n");
        assert_eq!(s.expose(), "s3cr3t-token");
        let shown = format!("{s:?} {:#?}", Some(&s));
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert_eq!(format!("{:?}", Secret::default()), "Secret(<empty>)");
    }
}
