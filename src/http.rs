//! The one HTTP client both GitHub and SEI calls go through: rustls with the ring provider,
//! compiled-in public roots (a `FROM scratch` image has no CA files) plus the system's store and
//! `SSL_CERT_FILE`, proxies from `HTTPS_PROXY`/`NO_PROXY`, and timeouts.

use anyhow::{Context, Result};
use std::sync::Arc;
use std::time::Duration;

/// What the client is told about itself.
pub const USER_AGENT: &str = concat!("sei-cicd-action/", env!("CARGO_PKG_VERSION"));

/// Builds the client. Roots: the Mozilla set compiled into the binary, then whatever the system
/// store holds (`SSL_CERT_FILE` and `SSL_CERT_DIR` included).
pub fn client() -> Result<reqwest::Client> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    // Ignore the error: a second call finds the provider already installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("could not set up TLS")?
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .tls_backend_preconfigured(tls)
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .build()
        .context("could not set up the HTTP client")
}

/// A transport error in one line, without the URL's query (which carries nothing secret here,
/// but logs stay short) and with the cause chain that says what really failed.
pub fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "connection failed".to_owned()
    } else if e.is_body() || e.is_decode() {
        "the answer broke off".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    if let Some(url) = e.url() {
        text.push_str(&format!(
            " ({})",
            url.as_str().split('?').next().unwrap_or("")
        ));
    }
    text
}

/// The start of a response body for a log line: whitespace folded, cut at `max` characters.
pub fn snippet(text: &str, max: usize) -> String {
    let folded: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() <= max {
        folded
    } else {
        let cut: String = folded.chars().take(max).collect();
        format!("{cut}…")
    }
}
