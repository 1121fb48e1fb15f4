//! How one input's text becomes a value: booleans, seconds, byte sizes, whole numbers, tokens,
//! lists, `name=value` lines, and the [`Problems`] every concern reports into. Each parser
//! returns `None` for text it does not take; the caller words the message, because only it knows
//! the input's name and the fix.

use crate::secret::Secret;
use std::fmt;
use std::time::Duration;

/// One bad input: the message names the input, the value and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InputError(pub String);

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the checks found: the inputs to fix, and what is worth a warning but does not stop.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    pub errors: Vec<InputError>,
    pub warnings: Vec<String>,
}

impl Problems {
    /// The problems of a command's inputs, to start with: each input the runner passed as bytes
    /// that are not UTF-8 text (its `INPUT_*` variable was set aside before the flags were read).
    pub(crate) fn of(env: &crate::env::RunnerEnv) -> Problems {
        let mut p = Problems::default();
        for name in &env.inputs_not_utf8 {
            p.bad(format!(
                "input `{name}` is not text: INPUT_{} holds bytes that are not UTF-8 (the value is \
                 not shown): set it again as plain text",
                name.to_ascii_uppercase()
            ));
        }
        p
    }

    /// An input that must be fixed.
    pub(crate) fn bad(&mut self, message: String) {
        self.errors.push(InputError(message));
    }

    /// Something the user should know, which does not stop the command.
    pub(crate) fn warn(&mut self, message: String) {
        self.warnings.push(message);
    }

    /// `value` and the warnings when nothing must be fixed, else every input to fix.
    pub(crate) fn finish<T>(self, value: T) -> Result<(T, Vec<String>), Vec<InputError>> {
        if self.errors.is_empty() {
            Ok((value, self.warnings))
        } else {
            Err(self.errors)
        }
    }
}

/// The value of an input, with an empty or blank value read as "not given".
pub(crate) use crate::args::given;

/// `true`/`false` (and the usual yes/no, on/off, 1/0), any case.
pub(crate) fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// `30`, `30s`, `2m`: a whole number of seconds or minutes.
pub(crate) fn parse_seconds(v: &str) -> Option<Duration> {
    let v = v.trim().to_ascii_lowercase();
    let (digits, scale) = if let Some(d) = v.strip_suffix('m') {
        (d, 60)
    } else {
        (v.strip_suffix('s').unwrap_or(&v), 1)
    };
    let n: u64 = digits.trim().parse().ok()?;
    n.checked_mul(scale).map(Duration::from_secs)
}

/// A size in bytes: `5000000`, `5MB`/`5M`/`5000kB` (powers of 1000), `4MiB`/`4096KiB`
/// (powers of 1024), any case, with or without a space; `None` for anything else or for 0.
pub(crate) fn parse_bytes(v: &str) -> Option<usize> {
    let v = v.trim();
    let split = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (digits, unit) = v.split_at(split);
    let n: usize = digits.parse().ok()?;
    let unit = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "m" | "mb" => 1_000_000,
        "kib" => 1024,
        "mib" => 1024 * 1024,
        _ => return None,
    };
    n.checked_mul(unit).filter(|&b| b > 0)
}

/// A boolean input: its default when not given, else `true`/`false` or a problem.
pub(crate) fn flag(value: &Option<String>, input: &str, default: bool, p: &mut Problems) -> bool {
    match given(value) {
        None => default,
        Some(v) => parse_bool(v).unwrap_or_else(|| {
            p.bad(format!("input `{input}` is `{v}`: use `true` or `false`"));
            default
        }),
    }
}

/// A whole-number input; `message` words the problem for a value that is not one.
pub(crate) fn number(
    value: &Option<String>,
    p: &mut Problems,
    message: impl Fn(&str) -> String,
) -> Option<u64> {
    let v = given(value)?;
    v.parse::<u64>().map_err(|_| p.bad(message(v))).ok()
}

/// A token must fit in an HTTP header and be as long as a real one ([`crate::secret::MIN_LEN`]);
/// the message never repeats it.
pub(crate) fn token(value: Option<&str>, input: &str, p: &mut Problems) -> Secret {
    let secret = Secret::new(value.unwrap_or_default());
    if secret.expose().chars().any(|c| !c.is_ascii_graphic()) {
        p.bad(format!(
            "input `{input}` holds spaces or characters that cannot be sent in an HTTP header \
             (the value is not shown): paste the token again, with nothing around it"
        ));
        return Secret::default();
    }
    if secret.too_short() {
        let like = match input {
            "github-token" => "`${{ github.token }}`",
            _ => "`${{ secrets.SEI_API_KEY }}`",
        };
        p.bad(format!(
            "input `{input}` is {} characters long, shorter than any real token (at least {}; \
             the value is not shown): pass the whole token, like {like}",
            secret.expose().chars().count(),
            crate::secret::MIN_LEN
        ));
        return Secret::default();
    }
    secret
}

/// Why `what` (`input `sei-url``, `GITHUB_API_URL`) at `url` would carry `token` unencrypted,
/// and the fixes.
pub(crate) fn plain_http_problem(
    what: &str,
    url: &str,
    token: &str,
    how: &crate::http::Exposed,
) -> String {
    match how {
        crate::http::Exposed::OtherMachine => format!(
            "{what} is `{url}`: plain http:// to another machine would carry `{token}` \
             unencrypted. Use https://, or set `allow-insecure-http: true` if the network in \
             between is trusted"
        ),
        crate::http::Exposed::Proxy(proxy) => format!(
            "{what} is `{url}`: plain http:// to this machine, but the proxy settings \
             (HTTP_PROXY or ALL_PROXY) send it through the proxy at {proxy}, which would carry \
             `{token}` unencrypted. Exempt the host in NO_PROXY (like NO_PROXY=localhost,\
             127.0.0.1), use https://, or set `allow-insecure-http: true` if the network to the \
             proxy is trusted"
        ),
    }
}

/// A URL without surrounding blanks or trailing slashes.
pub(crate) fn trim_url(url: &str) -> String {
    url.trim().trim_end_matches('/').to_owned()
}

/// `url` with any `user:password@` replaced by `***@`, for messages.
pub(crate) fn without_userinfo(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}***{}", &rest[at..]),
        None => url.to_owned(),
    }
}

/// Splits `a, b` or one item per line; blanks dropped, duplicates kept once, order kept.
pub(crate) fn split_list(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in text
        .split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if !out.iter().any(|o| o == item) {
            out.push(item.to_owned());
        }
    }
    out
}

/// Lines of `name=value`; blank lines are skipped; the value may hold `=`.
pub(crate) fn parse_params(text: &str, p: &mut Problems) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match line.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => {
                out.push((name.trim().to_owned(), value.trim().to_owned()))
            }
            _ => p.bad(format!(
                "input `params`, line {}: `{line}` is not `name=value`: write one parameter per \
                 line, like `version=1.4.2`",
                i + 1
            )),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_that_is_not_text_is_named() {
        let env = crate::env::RunnerEnv {
            inputs_not_utf8: vec!["sei-url".into()],
            ..Default::default()
        };
        let p = Problems::of(&env);
        assert_eq!(p.errors.len(), 1);
        assert!(
            p.errors[0]
                .0
                .starts_with("input `sei-url` is not text: INPUT_SEI-URL holds bytes"),
            "{:?}",
            p.errors
        );
    }

    #[test]
    fn a_token_too_short_to_be_one_is_refused_by_name() {
        let mut p = Problems::default();
        let t = token(Some("e"), "sei-token", &mut p);
        assert!(t.is_empty(), "not used, not masked");
        assert_eq!(p.errors.len(), 1);
        let e = &p.errors[0].0;
        assert!(
            e.starts_with("input `sei-token` is 1 characters long"),
            "{e}"
        );
        assert!(
            e.contains(&format!("at least {}", crate::secret::MIN_LEN)),
            "{e}"
        );
        let mut p = Problems::default();
        let real = "ghs_".to_owned() + &"a".repeat(36);
        assert_eq!(token(Some(&real), "github-token", &mut p).expose(), real);
        assert!(token(None, "github-token", &mut p).is_empty());
        assert!(p.errors.is_empty(), "{:?}", p.errors);
    }

    #[test]
    fn seconds() {
        assert_eq!(parse_seconds("0"), Some(Duration::ZERO));
        assert_eq!(parse_seconds("45s"), Some(Duration::from_secs(45)));
        assert_eq!(parse_seconds("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_seconds("-1"), None);
    }

    #[test]
    fn lists() {
        assert_eq!(split_list("a, b\nc,,a\n"), ["a", "b", "c"]);
    }

    #[test]
    fn credentials_in_a_url_are_never_shown() {
        assert_eq!(without_userinfo("https://me:pw@x/a@b"), "https://***@x/a@b");
        assert_eq!(without_userinfo("me:pw@x"), "***@x");
        assert_eq!(without_userinfo("https://x/path"), "https://x/path");
    }

    #[test]
    fn payload_limits_take_plain_bytes_or_a_unit() {
        for (text, bytes) in [
            ("5000000", 5_000_000),
            ("5MB", 5_000_000),
            ("5 mb", 5_000_000),
            ("5M", 5_000_000),
            ("750kB", 750_000),
            ("4MiB", 4 * 1024 * 1024),
            ("512 KiB", 512 * 1024),
            (" 900b ", 900),
        ] {
            assert_eq!(parse_bytes(text), Some(bytes), "{text}");
        }
        for bad in [
            "0",
            "0MB",
            "-1",
            "1.5MB",
            "5 GB",
            "MB",
            "five",
            "99999999999999999999",
        ] {
            assert_eq!(parse_bytes(bad), None, "{bad}");
        }
    }
}
