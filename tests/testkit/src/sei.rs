//! A loopback SEI webhook that behaves like the server in `shared/docs/sei-contract.md`:
//! `POST …/v1/custom-cicd` with `ApiKey` or `Bearer` (or `ApiKey` only, like Harness), 400 with
//! the server's own message for a missing required field, 202 for the rest, runs from
//! unregistered instances dropped, stages and steps without `id` or `durationInMillis` flagged,
//! and the first report per (job, build number) kept. Over plain HTTP or HTTPS with a made-up CA
//! ([`Sei::start_tls`]). Faults are scripted with [`SeiServer::script`]: status sequences,
//! delays, dropped connections, answers cut off, and requests processed whose answer is lost
//! ([`crate::http::Reply::Handled`]), which is how a run gets reported twice. An optional fixed
//! latency ([`Sei::latency`]) delays every answer.

use crate::http::{Handler, Reply, Request, Server};
use crate::tls::Ca;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Required fields with the alternative name the server also accepts.
pub const REQUIRED: &[(&str, &str)] = &[
    ("pipeline", "job_name"),
    ("job_full_name", "job_full_name"),
    ("qualified_name", "job_normalized_full_name"),
    ("instance_name", "jenkins_instance_name"),
    ("instance_guid", "jenkins_instance_guid"),
    ("result", "result"),
    ("start_time", "start_time"),
    ("duration", "duration"),
];

/// How the emulator is set up.
#[derive(Debug, Clone, Default)]
pub struct Sei {
    keys: Vec<String>,
    reject_bearer: bool,
    instances: Vec<String>,
    latency: Duration,
}

/// One request the webhook received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    /// The whole `Authorization` header.
    pub authorization: Option<String>,
    pub status: u16,
    pub payload: Option<Value>,
    /// What the real server would do wrong with it later (it still answers 202).
    pub problems: Vec<String>,
}

/// What the emulator knows after the requests.
#[derive(Debug, Default)]
pub struct State {
    pub received: Vec<Received>,
    /// (job_full_name, build_number) → the first payload stored.
    pub runs: HashMap<(String, u64), Value>,
    /// Reports that arrived for a run already stored (kept unchanged, as the server does).
    pub duplicates: usize,
}

/// A running emulator.
pub struct SeiServer {
    pub server: Server,
    state: Arc<Mutex<State>>,
}

impl Sei {
    pub fn new() -> Self {
        Sei::default()
    }

    /// Accepts this API key.
    pub fn key(mut self, key: &str) -> Self {
        self.keys.push(key.to_owned());
        self
    }

    /// Refuses `Bearer` (Harness mode): only `ApiKey` works.
    pub fn reject_bearer(mut self) -> Self {
        self.reject_bearer = true;
        self
    }

    /// Only runs from these instance GUIDs are kept; with none registered, all are.
    pub fn instance(mut self, guid: &str) -> Self {
        self.instances.push(guid.to_owned());
        self
    }

    /// Waits this long before every answer (a network between the reporter and SEI).
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    pub fn start(self) -> SeiServer {
        self.serve(None)
    }

    /// Serves HTTPS, with a certificate signed by `ca`.
    pub fn start_tls(self, ca: &Ca) -> SeiServer {
        self.serve(Some(ca))
    }

    fn serve(self, ca: Option<&Ca>) -> SeiServer {
        let latency = self.latency;
        let state = Arc::new(Mutex::new(State::default()));
        let (cfg, st) = (Arc::new(self), state.clone());
        let handler: Handler = Arc::new(move |req: &Request| cfg.answer(req, &st));
        SeiServer {
            server: Server::start_on(handler, latency, ca),
            state,
        }
    }

    fn answer(&self, req: &Request, state: &Mutex<State>) -> Reply {
        let mut rec = Received {
            path: req.path().to_owned(),
            authorization: req.header("authorization").map(str::to_owned),
            status: 0,
            payload: req.json(),
            problems: Vec::new(),
        };
        let reply = self.decide(req, &mut rec, state);
        rec.status = reply.status().unwrap_or(0);
        state.lock().unwrap().received.push(rec);
        reply
    }

    fn decide(&self, req: &Request, rec: &mut Received, state: &Mutex<State>) -> Reply {
        if req.method != "POST" || !req.path().ends_with("/v1/custom-cicd") {
            return Reply::json(404, &json!({"error": "Not Found", "path": req.path()}));
        }
        let auth = req.header("authorization").unwrap_or("");
        let (scheme, key) = auth.split_once(' ').unwrap_or(("", ""));
        let scheme_ok = scheme.eq_ignore_ascii_case("apikey")
            || (scheme.eq_ignore_ascii_case("bearer") && !self.reject_bearer);
        if !scheme_ok || !self.keys.iter().any(|k| k == key.trim()) {
            return Reply::json(401, &json!({"error": "Unauthorized", "status": 401}));
        }
        let Some(Value::Object(body)) = &rec.payload else {
            return Reply::json(
                400,
                &json!({"payload": "request body is not a JSON object"}),
            );
        };
        for (name, alias) in REQUIRED {
            let present = |k: &str| body.get(k).is_some_and(|v| !v.is_null() && v != "");
            if !present(name) && !present(alias) {
                let label = if name == alias {
                    (*name).to_owned()
                } else {
                    format!("{alias}/{name}")
                };
                return Reply::json(
                    400,
                    &json!({"payload": format!("{label} field is missing in request")}),
                );
            }
        }
        rec.problems = problems(body, &self.instances);
        let job = body["job_full_name"].as_str().unwrap_or("").to_owned();
        let number = body
            .get("build_number")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        if rec.problems.iter().all(|p| !p.starts_with("dropped")) {
            let mut st = state.lock().unwrap();
            if st.runs.contains_key(&(job.clone(), number)) {
                st.duplicates += 1;
            } else {
                st.runs.insert((job, number), Value::Object(body.clone()));
            }
        }
        Reply::json(
            202,
            &json!({"response_type": "JenkinsPluginJobRunCompleteResponse",
                    "payload": "{\"run_ids\":[]}"}),
        )
    }
}

/// What the server's asynchronous processing would trip on.
fn problems(body: &serde_json::Map<String, Value>, instances: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let guid = body
        .get("instance_guid")
        .or_else(|| body.get("jenkins_instance_guid"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if !instances.is_empty() && !instances.iter().any(|i| i == guid) {
        out.push(format!("dropped: instance {guid} is not registered"));
    }
    if body.get("build_number").is_none() {
        out.push("no build_number: every run of the job collapses into number 0".into());
    }
    let stages = body
        .get("job_run")
        .and_then(|j| j.get("stages"))
        .and_then(Value::as_array);
    for (i, stage) in stages.into_iter().flatten().enumerate() {
        check_node(stage, &format!("stage {i}"), &mut out);
        let steps = stage.get("steps").and_then(Value::as_array);
        for (k, step) in steps.into_iter().flatten().enumerate() {
            check_node(step, &format!("stage {i} step {k}"), &mut out);
        }
    }
    out
}

fn check_node(node: &Value, label: &str, out: &mut Vec<String>) {
    if node.get("id").is_none_or(|v| v.is_null() || v == "") {
        out.push(format!("{label}: no id, the server drops it"));
    }
    if node.get("durationInMillis").is_none_or(Value::is_null) {
        out.push(format!(
            "{label}: no durationInMillis, the processing task fails"
        ));
    }
    if let Some(t) = node.get("startTime").and_then(Value::as_str) {
        if !t.is_empty() && !t.ends_with('Z') {
            out.push(format!("{label}: startTime {t} is not UTC with Z"));
        }
    }
}

impl SeiServer {
    /// `http://127.0.0.1:<port>` (or `https://`): the `sei-url` to give the reporter.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// Faults for the next requests.
    pub fn script(&self) -> &crate::http::Script {
        self.server.script()
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// The stored runs: (job_full_name, build_number) → payload.
    pub fn runs(&self) -> HashMap<(String, u64), Value> {
        self.state.lock().unwrap().runs.clone()
    }

    pub fn duplicates(&self) -> usize {
        self.state.lock().unwrap().duplicates
    }
}
