//! A delivery's `X-Hub-Signature-256`: `sha256=` and the hex of the HMAC-SHA256 of the raw body
//! keyed with the webhook secret, checked in constant time (`ring::hmac::verify`). Pure: the
//! header and the body in, whether they match out. Neither the header nor the secret is ever
//! shown.

use ring::hmac;

/// Why a delivery's signature is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// No `X-Hub-Signature-256` (a webhook without a secret, or not GitHub).
    Missing,
    /// Not `sha256=` and 64 hex digits.
    Malformed,
    /// Another secret, or a body changed on the way.
    Wrong,
}

impl Refused {
    /// For the log and the answer's body.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Refused::Missing => "no X-Hub-Signature-256 header",
            Refused::Malformed => "X-Hub-Signature-256 is not sha256=<64 hex digits>",
            Refused::Wrong => "X-Hub-Signature-256 does not match the body with the webhook secret",
        }
    }
}

/// The webhook secret as an HMAC key.
pub(crate) struct Key(hmac::Key);

impl Key {
    pub(crate) fn new(secret: &str) -> Key {
        Key(hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes()))
    }

    /// Checks `header` (the value of `X-Hub-Signature-256`, if any) against `body`.
    pub(crate) fn check(&self, header: Option<&[u8]>, body: &[u8]) -> Result<(), Refused> {
        let header = header.ok_or(Refused::Missing)?;
        let hex = header
            .strip_prefix(b"sha256=")
            .filter(|h| h.len() == 64)
            .ok_or(Refused::Malformed)?;
        let mut tag = [0u8; 32];
        for (i, pair) in hex.chunks(2).enumerate() {
            tag[i] = (digit(pair[0]).ok_or(Refused::Malformed)? << 4)
                | digit(pair[1]).ok_or(Refused::Malformed)?;
        }
        hmac::verify(&self.0, body, &tag).map_err(|_| Refused::Wrong)
    }

    /// `sha256=<hex>` for `body`: what GitHub sends (tests, benchmarks).
    #[cfg(test)]
    pub(crate) fn sign(&self, body: &[u8]) -> String {
        let tag = hmac::sign(&self.0, body);
        let mut out = String::from("sha256=");
        for b in tag.as_ref() {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }
}

fn digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GitHub's own example ("Validating webhook deliveries"): the secret "It's a Secret to
    /// Everybody" and the body "Hello, World!".
    #[test]
    fn githubs_documented_example() {
        let key = Key::new("It's a Secret to Everybody");
        let header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert_eq!(key.sign(b"Hello, World!"), header);
        assert_eq!(key.check(Some(header.as_bytes()), b"Hello, World!"), Ok(()));
        let upper = header.to_ascii_uppercase().replace("SHA256=", "sha256=");
        assert_eq!(key.check(Some(upper.as_bytes()), b"Hello, World!"), Ok(()));
    }

    #[test]
    fn missing_malformed_and_wrong_are_told_apart() {
        let key = Key::new("s");
        let good = key.sign(b"{}");
        assert_eq!(key.check(None, b"{}"), Err(Refused::Missing));
        assert_eq!(key.check(Some(b"sha1=abc"), b"{}"), Err(Refused::Malformed));
        let bad_hex = format!("sha256={}", "zz".repeat(32));
        assert_eq!(
            key.check(Some(bad_hex.as_bytes()), b"{}"),
            Err(Refused::Malformed)
        );
        assert_eq!(
            key.check(Some(good.as_bytes()), b"{ }"),
            Err(Refused::Wrong)
        );
        assert_eq!(
            Key::new("other").check(Some(good.as_bytes()), b"{}"),
            Err(Refused::Wrong)
        );
    }
}
