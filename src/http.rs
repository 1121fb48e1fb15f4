//! The HTTP clients GitHub and SEI calls go through: rustls with the ring provider, compiled-in
//! public roots (a `FROM scratch` image has no CA files) plus the system's store, `SSL_CERT_FILE`
//! and the `ca-cert` input, proxies from `HTTPS_PROXY`/`NO_PROXY`, and a connect timeout (each
//! attempt's whole time is bounded by [`crate::retry`]). Also what a transport error means,
//! which URLs may carry a token over plain `http://`, and the bounds on what an answer may cost.
//!
//! Redirects: GitHub's client follows them (GitHub answers a renamed repository with one), and
//! drops the `Authorization` header when a redirect leaves the host, port or scheme (reqwest's
//! rule); SEI's never does ([`Redirects::Never`]): a redirect would turn the POST into a GET of
//! another page, or send the payload and the key to another host, so a 3xx is a failure.
//!
//! Bounds: an answer is read as it streams and the reading stops at its bound, so memory stays
//! bounded whatever a server sends: a GitHub answer at [`GITHUB_ANSWER_MAX`] (past it, that
//! request fails), SEI's at [`SEI_ANSWER_KEPT`] (what a message shows; the rest is not read).

use anyhow::{Context, Result};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// What the client is told about itself.
pub(crate) const USER_AGENT: &str = concat!("sei-cicd-action/", env!("CARGO_PKG_VERSION"));

/// The largest GitHub answer read: 32 MiB. No real one comes near: a page of 100 jobs of 20
/// steps is about 0.5 MB, a compare page with 300 changed files a few MB. With at most
/// [`crate::github::client::MAX_IN_FLIGHT`] requests in flight, GitHub's answers hold at most
/// 512 MiB at once whatever a server sends.
pub(crate) const GITHUB_ANSWER_MAX: usize = 32 * 1024 * 1024;

/// The part of SEI's answer kept, for the log and messages: 4 KiB (SEI's real answers are a
/// hundred bytes; a gateway's error page says what it is in its first lines).
pub(crate) const SEI_ANSWER_KEPT: usize = 4 * 1024;

/// Whether a client follows redirects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Redirects {
    /// Up to 10, the `Authorization` header dropped when one leaves the host (GitHub's GETs).
    Follow,
    /// Never: a 3xx is the answer (SEI's requests).
    Never,
}

/// Builds a client. Roots: the Mozilla set compiled into the binary, then whatever the system
/// store holds (`SSL_CERT_FILE` and `SSL_CERT_DIR` included), then `extra_roots` (from the
/// `ca-cert` input).
pub(crate) fn client(
    extra_roots: &[CertificateDer<'static>],
    redirects: Redirects,
) -> Result<reqwest::Client> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    // Ignore the error: a second call finds the provider already installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let roots = roots(extra_roots);
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("could not set up TLS")?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let policy = match redirects {
        Redirects::Follow => reqwest::redirect::Policy::limited(10),
        Redirects::Never => reqwest::redirect::Policy::none(),
    };
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .tls_backend_preconfigured(tls)
        .connect_timeout(Duration::from_secs(10))
        .redirect(policy)
        .build()
        .context("could not set up the HTTP client")
}

/// The trusted roots: the Mozilla set compiled in (so a `FROM scratch` image needs no CA file),
/// the system's store when there is one (read once), and `extra`.
pub(crate) fn roots(extra: &[CertificateDer<'static>]) -> rustls::RootCertStore {
    static BASE: OnceLock<rustls::RootCertStore> = OnceLock::new();
    let mut roots = BASE
        .get_or_init(|| {
            let mut roots = rustls::RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
            roots
        })
        .clone();
    roots.add_parsable_certificates(extra.iter().cloned());
    roots
}

/// The certificates in a PEM file (the `ca-cert` input). The error says what is wrong with it.
pub(crate) fn load_ca(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot be read ({e})"))?;
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("is not a PEM file ({e})"))?;
    if certs.is_empty() {
        return Err("holds no `-----BEGIN CERTIFICATE-----` block".into());
    }
    let mut store = rustls::RootCertStore::empty();
    let (_, bad) = store.add_parsable_certificates(certs.iter().cloned());
    if bad > 0 {
        return Err(format!("holds {bad} certificate(s) that cannot be parsed"));
    }
    Ok(certs)
}

/// True for a host that never leaves the machine: `localhost`, 127.0.0.0/8, `[::1]`.
pub(crate) fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => {
            let name = host.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    }
}

/// Why a token sent to a plain `http://` URL would travel unencrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Exposed {
    /// The host is another machine.
    OtherMachine,
    /// The host is this machine, but the request goes through the proxy at this `host:port`
    /// (`HTTP_PROXY` or `ALL_PROXY`, the host not in `NO_PROXY`).
    Proxy(String),
}

/// Whether a token sent to `url` would travel unencrypted: plain `http://` to another machine,
/// or to this one through a proxy (as reqwest decides it from `HTTP_PROXY`, `ALL_PROXY`,
/// `NO_PROXY` and the system's settings). `None` for `https://`, and for `http://` that really
/// stays on this machine.
pub(crate) fn exposed(url: &str) -> Option<Exposed> {
    exposed_with(
        &hyper_util::client::proxy::matcher::Matcher::from_system(),
        url,
    )
}

/// [`exposed`] with the proxy settings of `proxies`.
pub(crate) fn exposed_with(
    proxies: &hyper_util::client::proxy::matcher::Matcher,
    url: &str,
) -> Option<Exposed> {
    let u = reqwest::Url::parse(url).ok()?;
    if u.scheme() != "http" {
        return None;
    }
    if !is_loopback(&u) {
        return Some(Exposed::OtherMachine);
    }
    let uri: http::Uri = url.parse().ok()?;
    let proxy = proxies.intercept(&uri)?;
    let via = proxy.uri();
    let host = via.host().unwrap_or_default();
    Some(Exposed::Proxy(match via.port_u16() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }))
}

/// True for plain `http://` that would carry a token unencrypted ([`exposed`]).
#[cfg(test)]
pub(crate) fn insecure(url: &str) -> bool {
    exposed(url).is_some()
}

/// The beginning of an answer, read as it streams and never past `max` bytes: the text (lossy
/// UTF-8), and whether more was left unread. A token cut in two at the end is redacted
/// ([`crate::secret::redact_cut`]).
pub(crate) async fn read_kept(
    mut response: reqwest::Response,
    max: usize,
) -> Result<(String, bool), reqwest::Error> {
    let mut kept: Vec<u8> = Vec::with_capacity(
        response
            .content_length()
            .map_or(512, |n| usize::try_from(n).unwrap_or(max).min(max)),
    );
    let mut cut = false;
    while let Some(chunk) = response.chunk().await? {
        let room = max - kept.len();
        if chunk.len() > room {
            kept.extend_from_slice(&chunk[..room]);
            cut = true;
            break; // the rest is not read: the connection is dropped with the response
        }
        kept.extend_from_slice(&chunk);
    }
    let text = String::from_utf8_lossy(&kept);
    let text = if cut {
        crate::secret::redact_cut(&text).into_owned()
    } else {
        text.into_owned()
    };
    Ok((text, cut))
}

/// True when an error (or one of its causes) is about TLS itself: a certificate that does not
/// verify, a protocol mismatch. Sending again gets the same error.
pub(crate) fn is_tls_error(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        if err.is::<rustls::Error>() {
            return true;
        }
        // io::Error hides its inner error from `source()`.
        if let Some(inner) = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            if is_tls_error(inner) {
                return true;
            }
        }
        next = err.source();
    }
    false
}

/// Why a server could not be reached at all, when retrying cannot help within a report's time:
/// its name does not resolve, or nothing listens at its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unreachable {
    /// The host name does not resolve (a typo in the URL, or a name of another network).
    NoSuchHost,
    /// The host answered that nothing listens on that port.
    Refused,
}

impl Unreachable {
    /// Tells from an error's chain whether the server cannot be reached at all.
    pub(crate) fn of(e: &(dyn std::error::Error + 'static)) -> Option<Unreachable> {
        let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
        while let Some(err) = next {
            if let Some(io) = err.downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::ConnectionRefused {
                    return Some(Unreachable::Refused);
                }
            }
            let text = err.to_string().to_ascii_lowercase();
            if text.contains("dns error")
                || text.contains("failed to lookup address")
                || text.contains("name or service not known")
                || text.contains("nodename nor servname")
                || text.contains("no such host")
            {
                return Some(Unreachable::NoSuchHost);
            }
            if text.contains("connection refused") {
                return Some(Unreachable::Refused);
            }
            next = err.source();
        }
        None
    }

    /// `the name `sei.example.com` does not resolve`, for a message about `url`.
    pub(crate) fn describe(self, url: &str) -> String {
        let parsed = reqwest::Url::parse(url).ok();
        let host = parsed
            .as_ref()
            .and_then(|u| u.host_str())
            .unwrap_or(url)
            .to_owned();
        match self {
            Unreachable::NoSuchHost => format!("the name `{host}` does not resolve"),
            Unreachable::Refused => {
                let port = parsed
                    .as_ref()
                    .and_then(|u| u.port_or_known_default())
                    .map_or(String::new(), |p| format!(":{p}"));
                format!("nothing listens at `{host}{port}` (connection refused)")
            }
        }
    }
}

/// An error and its causes in one line, `a: b: c`, each cause once.
pub(crate) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(e);
    while let Some(err) = next {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = err.source();
    }
    parts.join(": ")
}

/// A transport error in one line, without the URL's query (which carries nothing secret here,
/// but logs stay short) and with the cause chain that says what really failed.
pub(crate) fn describe(e: &reqwest::Error) -> String {
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

/// The start of a response body for a log line: redacted, whitespace folded, then cut at `max`
/// characters (redacted first: a token cut in two is never half shown).
pub(crate) fn snippet(text: &str, max: usize) -> String {
    let folded: String = crate::secret::redact(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    crate::secret::shorten(&folded, max + 1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_server_that_cannot_be_reached_at_all_is_told_apart() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(Unreachable::of(&refused), Some(Unreachable::Refused));
        let dns = std::io::Error::other(
            "dns error: failed to lookup address information: Name or service not known",
        );
        assert_eq!(Unreachable::of(&dns), Some(Unreachable::NoSuchHost));
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert_eq!(Unreachable::of(&reset), None, "a reset may pass: retried");
        assert_eq!(
            Unreachable::NoSuchHost.describe("https://sei.example.invalid/v1/custom-cicd"),
            "the name `sei.example.invalid` does not resolve"
        );
        assert_eq!(
            Unreachable::Refused.describe("https://sei.example.com/v1"),
            "nothing listens at `sei.example.com:443` (connection refused)"
        );
    }

    use super::*;

    #[test]
    fn loopback_hosts() {
        for url in [
            "http://localhost:8080/x",
            "http://LOCALHOST./",
            "http://api.localhost/",
            "http://127.0.0.1:1/",
            "http://127.8.9.10/",
            "http://[::1]:9/",
        ] {
            assert!(is_loopback(&reqwest::Url::parse(url).unwrap()), "{url}");
            assert!(!insecure(url), "{url}");
        }
        for url in [
            "http://10.0.0.1/",
            "http://localhost.example.com/",
            "http://[::2]/",
            "http://128.0.0.1/",
            "http://sei.example.com/",
        ] {
            assert!(!is_loopback(&reqwest::Url::parse(url).unwrap()), "{url}");
            assert!(insecure(url), "{url}");
        }
        assert!(!insecure("https://sei.example.com/"));
    }

    #[test]
    fn plain_http_to_this_machine_through_a_proxy_is_exposed() {
        use hyper_util::client::proxy::matcher::Matcher;
        let none = Matcher::builder().build();
        let http = Matcher::builder().http("http://proxy.corp:3128").build();
        let all = Matcher::builder().all("http://proxy.corp:3128").build();
        let exempt = Matcher::builder()
            .http("http://proxy.corp:3128")
            .no("localhost,127.0.0.1")
            .build();
        let local = "http://localhost:8080/v1/custom-cicd";
        assert_eq!(exposed_with(&none, local), None);
        let via = Some(Exposed::Proxy("proxy.corp:3128".into()));
        assert_eq!(exposed_with(&http, local), via);
        assert_eq!(exposed_with(&all, "http://127.0.0.1:9/"), via);
        assert_eq!(exposed_with(&exempt, local), None, "NO_PROXY exempts it");
        assert_eq!(exposed_with(&exempt, "http://127.0.0.1:9/"), None);
        assert_eq!(
            exposed_with(&none, "http://sei.example.com/"),
            Some(Exposed::OtherMachine)
        );
        assert_eq!(exposed_with(&http, "https://localhost/"), None, "TLS");
    }

    #[test]
    fn sei_is_never_followed_and_an_answer_is_read_to_its_bound() {
        use sei_cicd_testkit::http::{Reply, Server};
        let elsewhere = Server::start_on(
            std::sync::Arc::new(|_| Reply::text(200, "a page")),
            Duration::ZERO,
            None,
        );
        let to = format!("{}/landing", elsewhere.url());
        let hop = to.clone();
        let sei = Server::start_on(
            std::sync::Arc::new(move |req| {
                if req.path() == "/big" {
                    Reply::text(200, &"x".repeat(3 * SEI_ANSWER_KEPT))
                } else {
                    Reply::text(302, "moved").header("Location", &hop)
                }
            }),
            Duration::ZERO,
            None,
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let never = client(&[], Redirects::Never).unwrap();
            let r = never
                .post(format!("{}/hook", sei.url()))
                .body("{}")
                .send()
                .await;
            let r = r.unwrap();
            assert_eq!(r.status().as_u16(), 302, "the 3xx is the answer");
            assert_eq!(r.headers()["location"], to.as_str());
            let follow = client(&[], Redirects::Follow).unwrap();
            let r = follow
                .get(format!("{}/hook", sei.url()))
                .header(
                    "Authorization",
                    "Bearer ghs_notForTheOtherHost0000000000000",
                )
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 200, "GitHub's GETs follow");
            let big = never
                .get(format!("{}/big", sei.url()))
                .send()
                .await
                .unwrap();
            let (text, cut) = read_kept(big, SEI_ANSWER_KEPT).await.unwrap();
            assert!(cut && text.len() == SEI_ANSWER_KEPT, "{}", text.len());
        });
        assert!(
            elsewhere
                .exchanges()
                .iter()
                .all(|e| e.request.method == "GET" && e.request.header("authorization").is_none()),
            "only the GET followed, without the token: {:?}",
            elsewhere
                .exchanges()
                .iter()
                .map(|e| &e.request.method)
                .collect::<Vec<_>>()
        );
        assert_eq!(elsewhere.exchanges().len(), 1);
    }

    #[test]
    fn ca_files_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let missing = load_ca(&dir.path().join("nope.pem")).unwrap_err();
        assert!(missing.contains("cannot be read"), "{missing}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        assert!(load_ca(&empty)
            .unwrap_err()
            .contains("no `-----BEGIN CERTIFICATE"));
        let garbage = dir.path().join("garbage.pem");
        std::fs::write(
            &garbage,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        assert!(load_ca(&garbage).is_err());
    }

    #[test]
    fn public_roots_are_compiled_in() {
        let compiled = webpki_roots::TLS_SERVER_ROOTS.len();
        assert!(compiled > 100, "{compiled}");
        assert!(roots(&[]).len() >= compiled);
        // A few of the roots big public sites chain to.
        let names: Vec<String> = webpki_roots::TLS_SERVER_ROOTS
            .iter()
            .map(|a| String::from_utf8_lossy(a.subject.as_ref()).into_owned())
            .collect();
        for ca in ["USERTrust ECC", "DigiCert Global Root G2", "GTS Root R1"] {
            assert!(names.iter().any(|n| n.contains(ca)), "{ca}");
        }
    }

    #[test]
    fn tls_errors_are_found_in_the_cause_chain() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, tls);
        assert!(is_tls_error(&io));
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(!is_tls_error(&refused));
    }
}
