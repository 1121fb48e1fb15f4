//! The GitHub side of `sei-cicd serve`, for the GitHub emulator ([`crate::github::GitHub::app`],
//! [`crate::github::GitHub::hook_deliveries`]) and the tests that drive the server:
//! - a GitHub App: `POST /app/installations/{id}/access_tokens` takes the App's JWT (RS256,
//!   checked with the App's public key, `iss` the App's id, `exp` at most 10 minutes ahead, as
//!   GitHub checks it) and answers 201 with a new `ghs_` token that expires in an hour; the
//!   emulator then takes that token for the installation's reads. A bad JWT gets GitHub's 401.
//! - a hook's deliveries, as GitHub lists them (`GET /app/hook/deliveries` with the JWT,
//!   `GET /orgs/{org}/hooks/{id}/deliveries` with a token; newest first, `per_page`, paged by a
//!   `cursor` in the `Link` header) and `POST .../deliveries/{id}/attempts` (202), each
//!   redelivery asked recorded;
//! - signing a delivery as GitHub does (`X-Hub-Signature-256`), posting it to the server, and
//!   the server as a process ([`Served`]).

use crate::http::{Reply, Request};
use base64::Engine;
use ring::signature::{KeyPair, RsaKeyPair};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The test-only App key (`tests/fixtures/app/`, see its README): belongs to no App.
pub fn test_key_path() -> std::path::PathBuf {
    crate::fixtures::dir().join("../app/test-only-app-key.pem")
}

/// The public half of a PEM RSA key, as ring checks signatures with it.
pub fn public_key(pem_path: &Path) -> Vec<u8> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::PrivateKeyDer;
    let der = PrivateKeyDer::from_pem_file(pem_path).expect("a PEM key");
    let pair = match &der {
        PrivateKeyDer::Pkcs1(k) => RsaKeyPair::from_der(k.secret_pkcs1_der()),
        PrivateKeyDer::Pkcs8(k) => RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()),
        _ => panic!("not RSA"),
    }
    .expect("an RSA key");
    pair.public_key().as_ref().to_vec()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The App: its id, its public key, and the installations it has.
#[derive(Debug, Clone)]
pub struct AppSide {
    pub id: u64,
    pub public_key: Vec<u8>,
    pub installations: Vec<u64>,
}

/// What the emulator's App and hooks saw and hold, shared with the test.
#[derive(Debug, Clone, Default)]
pub struct Hooks(Arc<Mutex<HookState>>);

#[derive(Debug, Default)]
pub struct HookState {
    /// The App's webhook deliveries, as GitHub lists them.
    pub app: Vec<Value>,
    /// (org, hook id) → that organization webhook's deliveries.
    pub org: HashMap<(String, u64), Vec<Value>>,
    /// Each redelivery asked: `app/{id}` or `{org}/{hook}/{id}`.
    pub redelivered: Vec<String>,
    /// Installation tokens made: (installation, token).
    pub issued: Vec<(u64, String)>,
    /// Token requests refused (a bad JWT, an unknown installation).
    pub refused: usize,
}

impl Hooks {
    pub fn state(&self) -> std::sync::MutexGuard<'_, HookState> {
        self.0.lock().unwrap()
    }

    /// Whether `authorization` carries a token the App made.
    pub fn issued(&self, authorization: &str) -> bool {
        let Some(t) = authorization
            .strip_prefix("Bearer ")
            .or(authorization.strip_prefix("token "))
        else {
            return false;
        };
        self.state().issued.iter().any(|(_, i)| i == t)
    }
}

/// One delivery as `GET .../hook/deliveries` lists it. `status_code` 0: no answer (a timeout).
pub fn listed_delivery(id: u64, guid: &str, at: &str, status_code: u16, action: &str) -> Value {
    json!({
        "id": id, "guid": guid, "delivered_at": at, "redelivery": false, "duration": 0.27,
        "status": if (200..300).contains(&status_code) { "OK".to_owned() }
                  else if status_code == 0 { "timed out".to_owned() }
                  else { format!("Invalid HTTP Response: {status_code}") },
        "status_code": status_code, "event": "workflow_run", "action": action,
        "installation_id": 77, "repository_id": 1296269, "throttled_at": null
    })
}

/// Checks an App JWT as GitHub does: RS256 signed by the App's key, `iss` its id, issued in
/// the past, expiring within 10 minutes.
pub fn check_jwt(app: &AppSide, authorization: Option<&str>) -> Result<(), &'static str> {
    let jwt = authorization
        .and_then(|a| a.strip_prefix("Bearer "))
        .ok_or("A JSON web token could not be decoded")?;
    let parts: Vec<&str> = jwt.split('.').collect();
    let [h, c, s] = parts.as_slice() else {
        return Err("A JSON web token could not be decoded");
    };
    let b64 = |t: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(t)
            .ok()
    };
    let header: Value = b64(h)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("A JSON web token could not be decoded")?;
    if header["alg"] != "RS256" {
        return Err("A JSON web token could not be decoded");
    }
    let sig = b64(s).ok_or("A JSON web token could not be decoded")?;
    ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        &app.public_key,
    )
    .verify(format!("{h}.{c}").as_bytes(), &sig)
    .map_err(|_| "A JSON web token could not be decoded")?;
    let claims: Value = b64(c)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("A JSON web token could not be decoded")?;
    let iss = match &claims["iss"] {
        Value::String(s) => s.parse::<u64>().ok(),
        v => v.as_u64(),
    };
    if iss != Some(app.id) {
        return Err("Integration not found");
    }
    let (iat, exp) = (claims["iat"].as_u64(), claims["exp"].as_u64());
    match (iat, exp) {
        (Some(iat), Some(exp)) if iat <= now() + 30 && exp > now() && exp <= iat + 600 + 60 => {
            Ok(())
        }
        _ => Err("'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"),
    }
}

/// GitHub's answers on the App's and the hooks' paths; `None` for any other path.
pub fn answer(
    app: Option<&AppSide>,
    hooks: &Hooks,
    token_ok: impl Fn(&Request) -> bool,
    req: &Request,
    path: &str,
) -> Option<Reply> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let unauthorized = |m: &str| {
        Reply::json(
            401,
            &json!({"message": m, "documentation_url": "https://docs.github.com/rest", "status": "401"}),
        )
    };
    match parts.as_slice() {
        ["app", rest @ ..] => {
            let Some(app) = app else {
                return Some(not_found());
            };
            if let Err(m) = check_jwt(app, req.header("authorization")) {
                hooks.state().refused += 1;
                return Some(unauthorized(m));
            }
            Some(match (req.method.as_str(), rest) {
                ("POST", ["installations", id, "access_tokens"]) => {
                    let id: u64 = id.parse().unwrap_or(0);
                    if !app.installations.contains(&id) {
                        hooks.state().refused += 1;
                        return Some(not_found());
                    }
                    let mut st = hooks.state();
                    let token = format!("ghs_test{id}x{:04}{:024}", st.issued.len(), 0);
                    st.issued.push((id, token.clone()));
                    let expires = chrono::DateTime::from_timestamp((now() + 3600) as i64, 0)
                        .unwrap()
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                    Reply::json(
                        201,
                        &json!({"token": token, "expires_at": expires,
                                "permissions": {"actions": "read", "contents": "read",
                                                "deployments": "read", "metadata": "read"},
                                "repository_selection": "all"}),
                    )
                }
                ("GET", ["hook", "deliveries"]) => page(req, &hooks.state().app),
                ("POST", ["hook", "deliveries", id, "attempts"]) => {
                    redeliver(hooks, |st| &st.app, id, format!("app/{id}"))
                }
                _ => not_found(),
            })
        }
        ["orgs", org, "hooks", hook, rest @ ..] => {
            if !token_ok(req) {
                return Some(unauthorized("Bad credentials"));
            }
            let key = (org.to_string(), hook.parse::<u64>().unwrap_or(0));
            Some(match (req.method.as_str(), rest) {
                ("GET", ["deliveries"]) => match hooks.state().org.get(&key) {
                    Some(list) => page(req, list),
                    None => not_found(),
                },
                ("POST", ["deliveries", id, "attempts"]) => {
                    let k = key.clone();
                    redeliver(
                        hooks,
                        move |st| st.org.get(&k).map(Vec::as_slice).unwrap_or(&[]),
                        id,
                        format!("{org}/{hook}/{id}"),
                    )
                }
                _ => not_found(),
            })
        }
        _ => None,
    }
}

fn redeliver(
    hooks: &Hooks,
    list: impl Fn(&HookState) -> &[Value],
    id: &str,
    record: String,
) -> Reply {
    let mut st = hooks.state();
    let id: u64 = id.parse().unwrap_or(0);
    if !list(&st).iter().any(|d| d["id"].as_u64() == Some(id)) {
        return not_found();
    }
    st.redelivered.push(record);
    Reply::json(202, &json!({}))
}

/// Newest first, `per_page` (default 30, at most 100), the next page after `cursor`.
fn page(req: &Request, list: &[Value]) -> Reply {
    let mut sorted: Vec<&Value> = list.iter().collect();
    sorted.sort_by_key(|d| std::cmp::Reverse(d["id"].as_u64()));
    let per_page = req
        .query("per_page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(30usize)
        .clamp(1, 100);
    let start = match req.query("cursor").and_then(|c| c.strip_prefix("v1_")) {
        Some(after) => {
            let after: u64 = after.parse().unwrap_or(0);
            sorted
                .iter()
                .position(|d| d["id"].as_u64() == Some(after))
                .map_or(sorted.len(), |i| i + 1)
        }
        None => 0,
    };
    let slice: Vec<Value> = sorted
        .iter()
        .skip(start)
        .take(per_page)
        .map(|d| (*d).clone())
        .collect();
    let reply = Reply::json(200, &Value::Array(slice.clone()));
    if start + per_page < sorted.len() {
        let last = slice.last().and_then(|d| d["id"].as_u64()).unwrap_or(0);
        let next = format!(
            "<http://{}{}?per_page={per_page}&cursor=v1_{last}>; rel=\"next\"",
            req.header("host").unwrap_or("localhost"),
            req.path()
        );
        reply.header("Link", &next)
    } else {
        reply
    }
}

fn not_found() -> Reply {
    Reply::json(
        404,
        &json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"}),
    )
}

/// `sha256=<hex>` of the HMAC-SHA256 of `body` keyed with `secret`: GitHub's
/// `X-Hub-Signature-256`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let tag = ring::hmac::sign(&key, body);
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// A `workflow_run` delivery's body around `run`, as GitHub sends it for `action`; with an App,
/// GitHub adds `installation`.
pub fn workflow_run_body(action: &str, run: &Value, installation: Option<u64>) -> Value {
    let repo = run["repository"].clone();
    let mut v = json!({
        "action": action,
        "workflow_run": run,
        "repository": repo,
        "sender": {"login": "octocat", "id": 1, "type": "User"},
    });
    if let Some(id) = installation {
        v["installation"] =
            json!({"id": id, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc="});
    }
    v
}

/// An answer: its status and body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    /// How long the server took to answer.
    pub took: Duration,
}

/// One HTTP/1.1 request to `addr`, its connection closed after the answer.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> std::io::Result<Answer> {
    let started = Instant::now();
    let mut s = std::net::TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes())?;
    s.write_all(body)?;
    let mut out = Vec::new();
    s.read_to_end(&mut out)?;
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok(Answer {
        status,
        body,
        took: started.elapsed(),
    })
}

/// Posts a delivery to `addr`'s `/webhook` as GitHub does: `X-GitHub-Event`,
/// `X-GitHub-Delivery`, and the signature with `secret` (none when `None`).
pub fn deliver(
    addr: SocketAddr,
    event: &str,
    guid: &str,
    body: &[u8],
    secret: Option<&str>,
) -> Answer {
    let mut headers = vec![
        ("X-GitHub-Event", event.to_owned()),
        ("X-GitHub-Delivery", guid.to_owned()),
        ("X-GitHub-Hook-ID", "12345678".to_owned()),
        ("User-Agent", "GitHub-Hookshot/044aadd".to_owned()),
        ("Content-Type", "application/json".to_owned()),
    ];
    if let Some(secret) = secret {
        headers.push(("X-Hub-Signature-256", sign(secret, body)));
    }
    request(addr, "POST", "/webhook", &headers, body).expect("the server answers")
}

/// `sei-cicd serve` as a process: its address, read from its first log line, and every line
/// of its log.
pub struct Served {
    pub child: Child,
    pub addr: SocketAddr,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Served {
    /// Starts `command` (a `serve --listen 127.0.0.1:0 ...`) and waits until it listens.
    pub fn start(mut command: Command) -> Served {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start sei-cicd serve");
        let stderr = child.stderr.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let kept = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(addr) = serde_json::from_str::<Value>(&line).ok().and_then(|v| {
                    v["msg"]
                        .as_str()?
                        .strip_prefix("listening on ")?
                        .split(':')
                        .take(2)
                        .collect::<Vec<_>>()
                        .join(":")
                        .parse::<SocketAddr>()
                        .ok()
                }) {
                    let _ = tx.send(addr);
                }
                kept.lock().unwrap().push(line);
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(a) => a,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("serve did not start:\n{}", lines.lock().unwrap().join("\n"));
            }
        };
        Served { child, addr, lines }
    }

    /// Every log line so far.
    pub fn log(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// The log lines as JSON objects.
    pub fn entries(&self) -> Vec<Value> {
        self.log()
            .iter()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Waits until a log line's `msg` contains `text` (at most `limit`); the line.
    pub fn wait_for(&self, text: &str, limit: Duration) -> Option<Value> {
        let until = Instant::now() + limit;
        loop {
            if let Some(v) = self
                .entries()
                .into_iter()
                .find(|v| v["msg"].as_str().is_some_and(|m| m.contains(text)))
            {
                return Some(v);
            }
            if Instant::now() >= until {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> Answer {
        request(self.addr, "GET", path, &[], b"").expect("the server answers")
    }

    /// SIGTERM, then waits for the exit (at most `limit`); the exit status.
    pub fn stop(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let until = Instant::now() + limit;
        while Instant::now() < until {
            if let Ok(Some(s)) = self.child.try_wait() {
                // Let the reader take the last lines.
                std::thread::sleep(Duration::from_millis(50));
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
