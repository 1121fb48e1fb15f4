//! GitHub as a GitHub App: the App's JWT (RS256, signed with ring, which rustls already brings:
//! octocrab's JWT support needs `jsonwebtoken` with aws-lc, a C build, or with RustCrypto's `rsa`,
//! a crate with an open timing advisory), and the installation tokens made from it, one per
//! installation a delivery names, cached until five minutes before they expire and asked for
//! once however many deliveries wait for one. Tokens stay in [`Secret`]s: never shown.

use super::api;
use crate::retry::{Policy, SystemClock};
use crate::secret::{AppKey, Secret};
use base64::Engine;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A token is asked again this long before it expires.
pub(crate) const REFRESH_BEFORE: Duration = Duration::from_secs(300);
/// A JWT lives this long (GitHub allows at most 10 minutes).
const JWT_LIFE: u64 = 9 * 60;
/// Issued this far in the past, for clocks a little apart (GitHub's advice: 60 s).
const JWT_SKEW: u64 = 60;

/// The App's JWT for `app_id`, issued at `now` (epoch seconds): valid nine minutes.
pub(crate) fn jwt(key: &AppKey, app_id: u64, now: u64) -> Result<String, String> {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let header = b64(br#"{"alg":"RS256","typ":"JWT"}"#);
    let claims = b64(serde_json::json!({
        "iat": now.saturating_sub(JWT_SKEW),
        "exp": now + JWT_LIFE,
        "iss": app_id.to_string(),
    })
    .to_string()
    .as_bytes());
    let signed = format!("{header}.{claims}");
    let sig = key.sign(signed.as_bytes())?;
    Ok(format!("{signed}.{}", b64(&sig)))
}

fn epoch_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// An installation token and when to ask for a new one.
#[derive(Clone)]
pub(crate) struct Token {
    pub secret: Secret,
    /// When it expires, epoch seconds.
    pub expires: u64,
    /// Counts the tokens made: a client built with an older one is built again.
    pub serial: u64,
}

/// The App's JWTs and installation tokens.
pub(crate) struct App {
    id: u64,
    key: AppKey,
    api: api::Api,
    jwt: Mutex<Option<(Secret, u64)>>,
    /// One lock per installation: a burst of deliveries asks for its token once.
    tokens: Mutex<HashMap<u64, Arc<tokio::sync::Mutex<Option<Token>>>>>,
    serial: std::sync::atomic::AtomicU64,
}

impl App {
    pub(crate) fn new(id: u64, key: AppKey, api: api::Api) -> App {
        App {
            id,
            key,
            api,
            jwt: Mutex::new(None),
            tokens: Mutex::new(HashMap::new()),
            serial: Default::default(),
        }
    }

    /// The App's JWT, made again a minute before it expires.
    pub(crate) fn jwt(&self) -> Result<Secret, String> {
        let now = epoch_now();
        let mut held = self.jwt.lock().unwrap();
        if let Some((jwt, exp)) = &*held {
            if now + 60 < *exp {
                return Ok(jwt.clone());
            }
        }
        let jwt = Secret::new(jwt(&self.key, self.id, now)?);
        *held = Some((jwt.clone(), now + JWT_LIFE));
        Ok(jwt)
    }

    /// A token for `installation`: the cached one while it has more than [`REFRESH_BEFORE`]
    /// to live, else a new one (`POST /app/installations/{id}/access_tokens`).
    pub(crate) async fn token(
        &self,
        installation: u64,
        policy: &Policy,
        clock: &SystemClock,
    ) -> Result<Token, String> {
        let slot = self
            .tokens
            .lock()
            .unwrap()
            .entry(installation)
            .or_default()
            .clone();
        let mut held = slot.lock().await;
        if let Some(t) = &*held {
            if epoch_now() + REFRESH_BEFORE.as_secs() < t.expires {
                return Ok(t.clone());
            }
        }
        let jwt = self.jwt()?;
        let path = format!("/app/installations/{installation}/access_tokens");
        let answer: serde_json::Value = self
            .api
            .send(reqwest::Method::POST, &path, &jwt, policy, clock)
            .await
            .map_err(|e| {
                format!(
                    "could not get a token for the App's installation {installation}: {e} (is \
                     the App installed there, and are `app-id` and the key the App's?)"
                )
            })?
            .json;
        let secret = Secret::new(answer["token"].as_str().unwrap_or_default());
        if secret.is_empty() {
            return Err(format!(
                "GitHub answered no token for the App's installation {installation}"
            ));
        }
        let expires = answer["expires_at"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.timestamp().max(0) as u64)
            // GitHub's tokens live an hour.
            .unwrap_or(epoch_now() + 3600);
        let serial = self
            .serial
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        let token = Token {
            secret,
            expires,
            serial,
        };
        *held = Some(token.clone());
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_that_is_not_one_is_refused_without_being_shown() {
        let e = AppKey::from_pem(b"my-secret-text").unwrap_err();
        assert_eq!(e, "holds no PEM private key");
        let e = AppKey::from_pem(
            b"-----BEGIN RSA PRIVATE KEY-----\nbXktc2VjcmV0\n-----END RSA PRIVATE KEY-----\n",
        )
        .unwrap_err();
        assert!(e.starts_with("holds an RSA key that cannot be used"), "{e}");
        assert_eq!(format!("{:?}", AppKey::none()), "AppKey(<redacted>)");
        assert!(jwt(&AppKey::none(), 1, 0).is_err());
    }

    #[test]
    fn the_jwt_is_rs256_for_the_app_and_lives_nine_minutes() {
        // The test-only key (tests/fixtures/app/README.md): belongs to no App.
        let pem = include_bytes!("../../tests/fixtures/app/test-only-app-key.pem");
        let key = AppKey::from_pem(pem).unwrap();
        let jwt = jwt(&key, 424242, 1_700_000_000).unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let decode = |p: &str| {
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .unwrap();
            serde_json::from_slice::<serde_json::Value>(&bytes).unwrap()
        };
        assert_eq!(
            decode(parts[0]),
            serde_json::json!({"alg": "RS256", "typ": "JWT"})
        );
        assert_eq!(
            decode(parts[1]),
            serde_json::json!({"iat": 1_699_999_940u64, "exp": 1_700_000_540u64, "iss": "424242"})
        );
        let public = key.public_key();
        let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[2])
            .unwrap();
        ring::signature::UnparsedPublicKey::new(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            &public,
        )
        .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig)
        .expect("signed with the key");
    }
}
