//! Tokens: a [`Secret`] cannot leak by accident (no `Display`, a redacting `Debug`, the only way
//! to read it is the explicit [`Secret::expose`]), and the process's one redactor: every token
//! registered ([`register`], through [`crate::runner::Runner::mask`]) is replaced by `***` in
//! any text that goes out, in every form a server can echo it back in: verbatim, JSON-escaped
//! (`\/`, `\"`, `\\`), URL-encoded (`%2B`, `%2F`, `%3D`, either case), and cut short. Text is
//! redacted first and shortened after ([`shorten`]); a text a reader cut at its end (an answer
//! read up to a bound) also loses a token's beginning left at its end ([`redact_cut`]). A GitHub
//! App's private key is an [`AppKey`]: parsed once, never shown, it only signs.
//!
//! A value shorter than [`MIN_LEN`] is no token: the inputs refuse it, and it is never
//! registered (masking two letters would garble every output: `status=d***liv***r***d`).

use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::sync::RwLock;

/// The shortest token taken. No real one comes near: a GitHub token is 40 characters (`ghs_`,
/// `ghp_`, `gho_` and the 40 hex digits of an old one), a fine-grained one 93 (`github_pat_`),
/// an SEI API key base64 of a JSON object (60 or more), an SEI session token a JWT (100 or more).
pub(crate) const MIN_LEN: usize = 20;

/// The shortest beginning of a token that [`redact_cut`] takes off the end of a text cut short.
const MIN_CUT: usize = 4;

/// An API token (SEI or GitHub). Empty means "not given".
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    /// Wraps a token, trimming the whitespace and newlines a copy-paste leaves.
    pub(crate) fn new(value: impl Into<String>) -> Self {
        Secret(value.into().trim().to_owned())
    }

    /// The token itself, for building an `Authorization` header and nothing else.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Too short to be a token ([`MIN_LEN`]); an empty one is "not given", not too short.
    pub(crate) fn too_short(&self) -> bool {
        !self.0.is_empty() && self.0.chars().count() < MIN_LEN
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

/// The App's private key, parsed once.
#[derive(Clone)]
pub(crate) struct AppKey(Option<Arc<RsaKeyPair>>);

impl fmt::Debug for AppKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AppKey(<redacted>)")
    }
}

impl AppKey {
    /// The key in a PEM file as GitHub generates it (PKCS#1, `BEGIN RSA PRIVATE KEY`) or in
    /// PKCS#8 (`BEGIN PRIVATE KEY`). The error never shows the text.
    pub(crate) fn from_pem(text: &[u8]) -> Result<AppKey, String> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::PrivateKeyDer;
        let der = PrivateKeyDer::from_pem_slice(text)
            .map_err(|_| "holds no PEM private key".to_owned())?;
        let pair = match &der {
            PrivateKeyDer::Pkcs1(k) => RsaKeyPair::from_der(k.secret_pkcs1_der()),
            PrivateKeyDer::Pkcs8(k) => RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()),
            _ => return Err("holds a key that is not RSA".to_owned()),
        }
        .map_err(|e| format!("holds an RSA key that cannot be used ({e})"))?;
        Ok(AppKey(Some(Arc::new(pair))))
    }

    /// No key: stands in for a bad one while every input is checked.
    pub(crate) fn none() -> AppKey {
        AppKey(None)
    }

    /// The public half, to check a signature.
    #[cfg(test)]
    pub(crate) fn public_key(&self) -> Vec<u8> {
        use ring::signature::KeyPair;
        self.0
            .as_ref()
            .map(|p| p.public_key().as_ref().to_vec())
            .unwrap_or_default()
    }

    /// `message` signed with RS256 (RSASSA-PKCS1-v1_5, SHA-256).
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let pair = self.0.as_ref().ok_or("no App key")?;
        let mut sig = vec![0; pair.public().modulus_len()];
        pair.sign(
            &RSA_PKCS1_SHA256,
            &ring::rand::SystemRandom::new(),
            message,
            &mut sig,
        )
        .map_err(|_| "could not sign the App's JWT".to_owned())?;
        Ok(sig)
    }
}

/// Every form of every registered token, longest first.
static FORMS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Registers `value` with the redactor (nothing for a value shorter than [`MIN_LEN`]).
pub(crate) fn register(value: &str) {
    if value.chars().count() < MIN_LEN {
        return;
    }
    let mut forms = FORMS.write().unwrap_or_else(|e| e.into_inner());
    for form in forms_of(value) {
        if !forms.contains(&form) {
            forms.push(form);
        }
    }
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
}

/// The forms a server may echo `value` in: as it is, JSON-escaped (with and without `\/`),
/// URL-encoded (upper- and lower-case hex).
fn forms_of(value: &str) -> Vec<String> {
    let json = serde_json::to_string(value).unwrap_or_default();
    let json = json
        .strip_prefix('"')
        .and_then(|j| j.strip_suffix('"'))
        .unwrap_or(value)
        .to_owned();
    let mut forms = vec![
        value.to_owned(),
        json.replace('/', "\\/"),
        json,
        url_encoded(value, false),
        url_encoded(value, true),
    ];
    forms.dedup();
    forms
}

/// Every byte but RFC 3986's unreserved ones as `%XX`.
fn url_encoded(value: &str, lower: bool) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else if lower {
            out.push_str(&format!("%{b:02x}"));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `text` with every form of every registered token replaced by `***`.
pub(crate) fn redact(text: &str) -> Cow<'_, str> {
    let forms = FORMS.read().unwrap_or_else(|e| e.into_inner());
    if !forms.iter().any(|f| text.contains(f.as_str())) {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_owned();
    for f in forms.iter() {
        if out.contains(f.as_str()) {
            out = out.replace(f.as_str(), "***");
        }
    }
    Cow::Owned(out)
}

/// [`redact`] for a text cut short at its end (an answer read up to a bound): a token's
/// beginning left at the end (four characters or more) is replaced by `***` too.
pub(crate) fn redact_cut(text: &str) -> Cow<'_, str> {
    let redacted = redact(text);
    let cut = {
        let forms = FORMS.read().unwrap_or_else(|e| e.into_inner());
        forms
            .iter()
            .filter_map(|f| {
                f.char_indices()
                    .map(|(i, _)| i)
                    .skip(MIN_CUT)
                    .chain(std::iter::once(f.len()))
                    .filter(|&i| redacted.ends_with(&f[..i]))
                    .max()
            })
            .max()
    };
    match cut {
        Some(n) => Cow::Owned(format!("{}***", &redacted[..redacted.len() - n])),
        None => redacted,
    }
}

/// `text` redacted, then cut to `max` characters (the last one `…` when cut).
pub(crate) fn shorten(text: &str, max: usize) -> String {
    let text = redact(text);
    if text.chars().count() <= max {
        return text.into_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
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

    #[test]
    fn short_values_are_no_tokens() {
        assert!(Secret::new("e").too_short());
        assert!(Secret::new("x".repeat(MIN_LEN - 1)).too_short());
        assert!(!Secret::new("x".repeat(MIN_LEN)).too_short());
        assert!(!Secret::default().too_short(), "empty is not given");
        register("del");
        assert_eq!(
            redact("status=delivered"),
            "status=delivered",
            "never garbled"
        );
    }

    #[test]
    fn every_form_a_server_echoes_is_redacted() {
        // An SEI API key holds `/`, `+` and `=`: each form spells them differently.
        let key = "eyJrZXkiOiJ/redact+me/please=="; // test-only
        register(key);
        for (echo, why) in [
            (format!("Authorization: ApiKey {key}"), "verbatim"),
            (
                format!(r#"{{"echo":"ApiKey {}"}}"#, key.replace('/', "\\/")),
                "JSON-escaped",
            ),
            (
                format!(
                    "GET /x?k={}",
                    key.replace('/', "%2F")
                        .replace('+', "%2B")
                        .replace('=', "%3D")
                ),
                "URL-encoded",
            ),
            (
                format!(
                    "GET /x?k={}",
                    key.replace('/', "%2f")
                        .replace('+', "%2b")
                        .replace('=', "%3d")
                ),
                "URL-encoded, lower case",
            ),
        ] {
            let out = redact(&echo);
            assert!(!out.contains("redact"), "{why}: {out}");
            assert!(out.contains("***"), "{why}: {out}");
        }
        assert!(matches!(redact("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn redacted_then_shortened_never_a_beginning_left() {
        let token = "ghs_SecurityReviewToken00000000000000000"; // test-only
        register(token);
        let answer = format!("{}Bearer {token} was refused", "x".repeat(20));
        // Shortened where the token starts: today's order would leave `Bearer ghs_Security…`.
        let short = shorten(&answer, 40);
        assert!(!short.contains("ghs_Sec"), "{short}");
        assert!(short.chars().count() <= 40, "{short}");
        // An answer cut by a bound in the middle of the token.
        let cut = &answer[..answer.find("Review").unwrap()];
        let out = redact_cut(cut);
        assert!(out.ends_with("Bearer ***"), "{out}");
        assert_eq!(
            redact_cut("ends with gh"),
            "ends with gh",
            "too short to tell"
        );
    }
}
