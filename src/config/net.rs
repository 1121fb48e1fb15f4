//! The network inputs every command shares, for GitHub and SEI alike: the deadline (`timeout`),
//! `max-attempts`, the extra roots in `ca-cert`, and `allow-insecure-http`.

use super::values::{flag, given, parse_seconds, Problems};
use crate::args::NetArgs;
use crate::retry::{self, Policy};
use rustls::pki_types::CertificateDer;
use std::path::Path;
use std::time::Duration;

/// The most `max-attempts` accepts.
pub(crate) const MAX_ATTEMPTS: u32 = 20;

/// The checked network inputs.
#[derive(Debug, Clone)]
pub(crate) struct Net {
    /// Retries and the deadline (`timeout`, `max-attempts`).
    pub policy: Policy,
    /// Roots trusted besides the public and system ones (`ca-cert`).
    pub ca_certs: Vec<CertificateDer<'static>>,
    /// `allow-insecure-http`: plain `http://` to another machine is allowed (with a warning).
    pub allow_insecure_http: bool,
}

/// Checks the network inputs.
pub(crate) fn load(args: &NetArgs, p: &mut Problems) -> Net {
    let allow_insecure_http = flag(&args.allow_insecure_http, "allow-insecure-http", false, p);
    let timeout = match given(&args.timeout) {
        None => retry::DEFAULT_TIMEOUT,
        Some(v) => parse_timeout(v).unwrap_or_else(|| {
            p.bad(format!(
                "input `timeout` is `{v}`: use a number of seconds from 1 to 3600, like `60`, \
                 `90s` or `2m`"
            ));
            retry::DEFAULT_TIMEOUT
        }),
    };
    let max_attempts = match given(&args.max_attempts) {
        None => retry::DEFAULT_MAX_ATTEMPTS,
        Some(v) => match v.parse::<u32>() {
            Ok(n @ 1..=MAX_ATTEMPTS) => n,
            _ => {
                p.bad(format!(
                    "input `max-attempts` is `{v}`: use a whole number from 1 (no retry) to \
                     {MAX_ATTEMPTS}, like `5`"
                ));
                retry::DEFAULT_MAX_ATTEMPTS
            }
        },
    };
    let ca_certs = match given(&args.ca_cert) {
        None => Vec::new(),
        Some(path) => ca_file(Path::new(path)).unwrap_or_else(|why| {
            p.bad(why);
            Vec::new()
        }),
    };
    Net {
        policy: Policy::new(timeout, max_attempts),
        ca_certs,
        allow_insecure_http,
    }
}

/// `timeout`: like [`parse_seconds`] (`60`, `90s`, `2m`), from 1 s to an hour.
pub(crate) fn parse_timeout(v: &str) -> Option<Duration> {
    parse_seconds(v).filter(|d| (1..=3600).contains(&d.as_secs()))
}

fn ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    crate::http::load_ca(path).map_err(|why| {
        format!(
            "input `ca-cert` is `{}`, which {why}: give the path of a PEM file with the \
             certificate of the CA that signed your server's (Enterprise Server, a \
             TLS-intercepting proxy)",
            path.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_run_from_a_second_to_an_hour() {
        assert_eq!(parse_timeout("90s"), Some(Duration::from_secs(90)));
        for bad in ["0", "-1", "3601", "61m", "soon", "1.5"] {
            assert_eq!(parse_timeout(bad), None, "{bad}");
        }
    }
}
