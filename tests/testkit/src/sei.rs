//! A loopback SEI that behaves like the server in `shared/docs/sei-contract.md`.
//!
//! Authentication as the server's filters do it: an API key (base64 of a JSON object, see
//! [`api_key`]) is taken only as `ApiKey <key>` (any case); `Bearer <api key>` makes the filter
//! throw, so it is answered 500 on every try; `Bearer <jwt>` is a login session ([`Sei::session`]);
//! a well-formed key that is not registered gets 401; a key that is not base64 JSON, 500.
//!
//! `POST …/v1/custom-cicd`: 400 with the server's own message for a missing required field, 202
//! for the rest; runs of instances that are not registered, or have no integration, are dropped
//! after the 202 (as the server's processing does); stages and steps without `id` or
//! `durationInMillis` are flagged; the first report per (job, build number) is kept.
//! `GET …/v1/cicd/instances/{id}`: the instance with its `integration_id`, or 404. Over plain HTTP or HTTPS with a made-up CA
//! ([`Sei::start_tls`]). Faults are scripted with [`SeiServer::script`]: status sequences,
//! delays, dropped connections, answers cut off, and requests processed whose answer is lost
//! ([`crate::http::Reply::Handled`]), which is how a run gets reported twice. An optional fixed
//! latency ([`Sei::latency`]) delays every answer. `POST …/v1/cicd/instances` registers an
//! instance (`{"integration_id", "name", "type"}`, same auth) and answers `{"id": "<uuid>"}`;
//! a registered instance is then known like those of [`Sei::instance`].
//!
//! The read-back endpoints of `shared/docs/sei-dora.md` §3, over the stored runs:
//! `POST …/v1/cicd/job_runs/list` (roles ADMIN, AUDITOR, PUBLIC_DASHBOARD, SUPER_ADMIN,
//! ORG_ADMIN_USER; any other key gets 403) with the filters `job_normalized_full_names`,
//! `job_names`, `instance_names`, `job_statuses` and `start_time`/`end_time` `{"$gt","$lt"}` as
//! strings of epoch seconds (a JSON number there is a 500, the server's class-cast), no filter
//! by build number or `job_full_name`; with the default `across` (`trend`) only runs started in
//! the last 90 days; sorted by `sort` or, by default, by duration, longest first, runs of equal
//! duration in an order that changes from one request to the next; paged by `page` and
//! `page_size` (default 1000), `_metadata.has_next` meaning only that the page was full.
//! `POST …/v1/cicd/jobs/list` (any key): every job, `{id, name}`, the filter ignored. A stored
//! run's record has the server's units: `start_time`/`end_time` epoch ms, `duration` whole
//! seconds, `end_time` = start + those seconds.

use crate::http::{Handler, Reply, Request, Server};
use crate::tls::Ca;
use base64::Engine;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The webhook's path.
pub const WEBHOOK: &str = "/v1/custom-cicd";
/// The stored runs, read back.
pub const JOB_RUNS_LIST: &str = "/v1/cicd/job_runs/list";
/// The stored jobs.
pub const JOBS_LIST: &str = "/v1/cicd/jobs/list";
/// The roles that may list runs (`CiCdAggregationsController`, legacy mode).
pub const LIST_ROLES: &[&str] = &[
    "ADMIN",
    "AUDITOR",
    "PUBLIC_DASHBOARD",
    "SUPER_ADMIN",
    "ORG_ADMIN_USER",
];

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

/// An SEI API key as SEI issues them: base64 of `{"company":..,"id":..,"key":..}`. `seed` makes
/// keys of different tests differ.
pub fn api_key(seed: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(
        json!({"company": "acme", "id": format!("key-{seed}"), "key": format!("{seed}-0f9c2b7d5e1a")})
            .to_string(),
    )
}

/// A login session token (a JWT): what `Bearer` is for.
pub fn session_token(seed: &str) -> String {
    let part = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.{}",
        part(json!({"alg": "HS256", "typ": "JWT"})),
        part(json!({"sub": format!("user-{seed}"), "company": "acme"})),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("signature-{seed}"))
    )
}

/// Whether `key` is base64 of a JSON object, as the server parses an API key.
fn is_api_key(key: &str) -> bool {
    base64::engine::general_purpose::STANDARD
        .decode(key)
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .is_some_and(|v| v.is_object())
}

/// How the emulator is set up.
#[derive(Debug, Clone, Default)]
pub struct Sei {
    keys: Vec<String>,
    /// Keys and their role, for the read endpoints (keys given with [`Sei::key`] are ADMIN).
    roles: Vec<(String, String)>,
    sessions: Vec<String>,
    /// GUID → integration id (empty: the instance has no integration attached).
    instances: Vec<(String, String)>,
    /// Keys that may post runs but not read instances (403 on `GET .../instances/{id}`).
    no_instance_read: bool,
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
    /// Requests to the webhook.
    pub received: Vec<Received>,
    /// Every other request (instance look-ups, unknown paths).
    pub other: Vec<Received>,
    /// (job_full_name, build_number) → the first payload stored.
    pub runs: HashMap<(String, u64), Value>,
    /// Reports that arrived for a run already stored (kept unchanged, as the server does).
    pub duplicates: usize,
    /// Requests to the read endpoints, counted for the tie order of the default sort.
    pub reads: u64,
    /// Instances registered with `POST /v1/cicd/instances`: (guid, integration id, name).
    pub registered: Vec<(String, String, String)>,
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

    /// Accepts this API key (as `ApiKey <key>`), of an ADMIN.
    pub fn key(mut self, key: &str) -> Self {
        self.keys.push(key.to_owned());
        self
    }

    /// Accepts this API key, of this role (`LIMITED_USER`, `AUDITOR`, ...): the read endpoints
    /// check it as the server does.
    pub fn key_with_role(mut self, key: &str, role: &str) -> Self {
        self.keys.push(key.to_owned());
        self.roles.push((key.to_owned(), role.to_owned()));
        self
    }

    /// Accepts this login session token (as `Bearer <token>`).
    pub fn session(mut self, token: &str) -> Self {
        self.sessions.push(token.to_owned());
        self
    }

    /// Registers a CI/CD instance with an integration attached: its runs are kept.
    pub fn instance(mut self, guid: &str) -> Self {
        self.instances.push((guid.to_owned(), "4012".to_owned()));
        self
    }

    /// Registers an instance with no integration attached: its runs are dropped after the 202.
    pub fn instance_without_integration(mut self, guid: &str) -> Self {
        self.instances.push((guid.to_owned(), String::new()));
        self
    }

    /// The keys may post runs but not read instances: `GET .../instances/{id}` answers 403.
    pub fn no_instance_read(mut self) -> Self {
        self.no_instance_read = true;
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
        let mut st = state.lock().unwrap();
        if req.method == "POST" && rec.path.ends_with(WEBHOOK) {
            st.received.push(rec);
        } else {
            st.other.push(rec);
        }
        reply
    }

    /// The auth filter: `None` lets the request through, else the answer it gets.
    fn authenticate(&self, req: &Request) -> Option<Reply> {
        let auth = req.header("authorization").unwrap_or("");
        let (scheme, key) = auth.split_once(' ').unwrap_or((auth, ""));
        let key = key.trim();
        let thrown = || {
            Reply::json(
                500,
                &json!({"status": 500, "error": "Internal Server Error", "message": ""}),
            )
        };
        let unauthorized = || Reply::json(401, &json!({"error": "Unauthorized", "status": 401}));
        if scheme.eq_ignore_ascii_case("apikey") {
            if !is_api_key(key) {
                return Some(thrown());
            }
            return (!self.keys.iter().any(|k| k == key)).then(unauthorized);
        }
        if scheme.eq_ignore_ascii_case("bearer") {
            if self.sessions.iter().any(|t| t == key) {
                return None;
            }
            // The filter parses what follows `Bearer` as a JWT: an API key (or anything else
            // that is not one) makes the parse throw, and the client sees a 500.
            let jwt = key.split('.').count() == 3 && !is_api_key(key);
            return Some(if jwt { unauthorized() } else { thrown() });
        }
        Some(unauthorized())
    }

    fn decide(&self, req: &Request, rec: &mut Received, state: &Mutex<State>) -> Reply {
        let path = req.path().to_owned();
        let instance = path
            .rsplit_once("/v1/cicd/instances/")
            .map(|(_, id)| id.to_owned());
        let webhook = req.method == "POST" && path.ends_with(WEBHOOK);
        let lookup = req.method == "GET" && instance.is_some();
        let registering = req.method == "POST" && path.ends_with("/v1/cicd/instances");
        let list_runs = req.method == "POST" && path.ends_with(JOB_RUNS_LIST);
        let list_jobs = req.method == "POST" && path.ends_with(JOBS_LIST);
        if !(webhook || lookup || registering || list_runs || list_jobs) {
            return Reply::json(404, &json!({"error": "Not Found", "path": path}));
        }
        if let Some(refused) = self.authenticate(req) {
            return refused;
        }
        if registering {
            return register(rec.payload.as_ref(), state);
        }
        if list_runs || list_jobs {
            let key = req
                .header("authorization")
                .and_then(|a| a.split_once(' '))
                .map(|(_, k)| k.trim().to_owned())
                .unwrap_or_default();
            let role = self
                .roles
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, r)| r.as_str())
                .unwrap_or("ADMIN");
            let body = rec.payload.clone().unwrap_or(Value::Null);
            let mut st = state.lock().unwrap();
            st.reads += 1;
            if list_jobs {
                return list_jobs_answer(&body, &st);
            }
            if !LIST_ROLES.contains(&role) {
                return Reply::json(
                    403,
                    &json!({"timestamp": 1_733_000_000_000u64, "status": 403, "error": "Forbidden",
                            "message": "Access is denied", "path": path}),
                );
            }
            let known = {
                let mut all = self.instances.clone();
                all.extend(st.registered.iter().map(|(g, i, _)| (g.clone(), i.clone())));
                all
            };
            return list_runs_answer(&body, &st, &known);
        }
        let known = self.known(state);
        if let Some(id) = instance {
            if self.no_instance_read {
                return Reply::json(403, &json!({"error": "Forbidden", "status": 403}));
            }
            return match known.iter().find(|(g, _)| *g == id) {
                Some((guid, integration)) => Reply::json(
                    200,
                    &json!({"id": guid, "name": "GitHub Actions", "type": "jenkins",
                            "integration_id": if integration.is_empty() { Value::Null }
                                              else { json!(integration) }}),
                ),
                None => Reply::json(404, &json!({"message": "Instance not found."})),
            };
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
        rec.problems = problems(body, &known);
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

impl Sei {
    /// The instances set up and those registered since: (guid, integration id).
    fn known(&self, state: &Mutex<State>) -> Vec<(String, String)> {
        let mut all = self.instances.clone();
        let st = state.lock().unwrap();
        all.extend(st.registered.iter().map(|(g, i, _)| (g.clone(), i.clone())));
        all
    }
}

/// `POST /v1/cicd/instances`: a new instance, its id made from how many came before.
fn register(body: Option<&Value>, state: &Mutex<State>) -> Reply {
    let text = |k: &str| {
        body.and_then(|b| b.get(k))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let (Some(integration), Some(name)) = (text("integration_id"), text("name")) else {
        return Reply::json(
            400,
            &json!({"message": "integration_id and name are required"}),
        );
    };
    let mut st = state.lock().unwrap();
    let guid = format!("7e57ab1e-0000-4000-8000-{:012x}", st.registered.len() + 1);
    st.registered.push((guid.clone(), integration, name));
    Reply::json(200, &json!({"id": guid}))
}

/// A stable id made of text, for the records' UUIDs.
fn uuid_of(text: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    let a = h.finish();
    (text, 1u8).hash(&mut h);
    let b = h.finish();
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

/// Every stored run as `job_runs/list` records it: the job's first `pipeline` as its name, its
/// latest `qualified_name`, start and end in ms, the duration in whole seconds.
fn records(st: &State, instances: &[(String, String)]) -> Vec<Value> {
    // The job row: (instance, job_full_name) → first pipeline, latest qualified name (by the
    // order runs were stored, which the map does not keep: the received log does).
    let mut jobs: HashMap<String, (String, String)> = HashMap::new();
    for r in st.received.iter().filter(|r| r.status == 202) {
        let Some(p) = &r.payload else { continue };
        let full = p["job_full_name"].as_str().unwrap_or("").to_owned();
        let pipeline = p["pipeline"].as_str().unwrap_or("").to_owned();
        let qualified = p["qualified_name"].as_str().unwrap_or("").to_owned();
        jobs.entry(full)
            .and_modify(|j| j.1 = qualified.clone())
            .or_insert((pipeline, qualified));
    }
    let mut out = Vec::new();
    for ((full, number), p) in &st.runs {
        let guid = p["instance_guid"].as_str().unwrap_or("");
        if !instances.iter().any(|(g, i)| g == guid && !i.is_empty()) {
            continue;
        }
        let (name, qualified) = jobs.get(full).cloned().unwrap_or_else(|| {
            (
                p["pipeline"].as_str().unwrap_or("").to_owned(),
                p["qualified_name"].as_str().unwrap_or("").to_owned(),
            )
        });
        let start = p["start_time"].as_i64().unwrap_or(0);
        let seconds = (p["duration"].as_i64().unwrap_or(0) / 1000).max(0);
        out.push(json!({
            "id": uuid_of(&format!("{full}#{number}")),
            "cicd_job_id": uuid_of(full),
            "job_run_number": number,
            "status": p["result"],
            "start_time": start,
            "end_time": start + seconds * 1000,
            "duration": seconds,
            "cicd_user_id": p["user_id"],
            "params": [],
            "job_name": name,
            "job_normalized_full_name": qualified,
            "project_name": Value::Null,
            "integration_id": "4012",
            "scm_commit_ids": p["scm_commit_ids"],
            "scm_url": p["repo_url"],
            "cicd_instance_name": p["instance_name"],
            "cicd_instance_guid": guid,
        }));
    }
    out
}

/// `POST /v1/cicd/job_runs/list`.
fn list_runs_answer(body: &Value, st: &State, instances: &[(String, String)]) -> Reply {
    let filter = &body["filter"];
    let thrown = || {
        Reply::json(
            500,
            &json!({"status": 500, "error": "Internal Server Error",
                    "message": "class java.lang.Integer cannot be cast to class java.lang.String"}),
        )
    };
    // The time filters are read as maps of strings, parsed with Long.valueOf.
    let mut bounds = Vec::new();
    for field in ["start_time", "end_time"] {
        let Some(range) = filter.get(field).and_then(Value::as_object) else {
            continue;
        };
        for (op, v) in range {
            let Some(text) = v.as_str() else {
                return thrown();
            };
            let Ok(secs) = text.trim().parse::<i64>() else {
                return thrown();
            };
            bounds.push((field, op.clone(), secs * 1000));
        }
    }
    let strings = |k: &str| -> Option<Vec<String>> {
        filter.get(k).and_then(Value::as_array).map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
    };
    let names = strings("job_normalized_full_names");
    let job_names = strings("job_names");
    let instance_names = strings("instance_names");
    let statuses = strings("job_statuses");
    let across = body["across"].as_str().unwrap_or("trend");
    let now_ms = SystemTimeNow::ms();
    let mut list: Vec<Value> = records(st, instances)
        .into_iter()
        .filter(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or("").to_owned();
            names
                .as_ref()
                .is_none_or(|n| n.contains(&s("job_normalized_full_name")))
                && job_names
                    .as_ref()
                    .is_none_or(|n| n.contains(&s("job_name")))
                && instance_names
                    .as_ref()
                    .is_none_or(|n| n.contains(&s("cicd_instance_name")))
                && statuses.as_ref().is_none_or(|n| n.contains(&s("status")))
        })
        .filter(|r| {
            bounds.iter().all(|(field, op, ms)| {
                let t = r[*field].as_i64().unwrap_or(0);
                match op.as_str() {
                    "$gt" => t >= *ms,
                    "$lt" => t <= *ms,
                    _ => true,
                }
            })
        })
        // Listing with the default `across` (trend): the last 90 days only.
        .filter(|r| {
            across != "trend" || r["start_time"].as_i64().unwrap_or(0) >= now_ms - NINETY_DAYS_MS
        })
        .collect();
    let sort = body["sort"].as_array().and_then(|s| s.first());
    match sort.and_then(|s| s["id"].as_str()) {
        Some(field) => {
            let desc = sort.and_then(|s| s["desc"].as_bool()).unwrap_or(false);
            list.sort_by(|a, b| {
                let key = |r: &Value| (r[field].as_i64(), r["id"].as_str().map(str::to_owned));
                let o = key(a).cmp(&key(b));
                if desc {
                    o.reverse()
                } else {
                    o
                }
            });
        }
        None => {
            // Duration, longest first; equal durations in no stable order.
            let salt = st.reads;
            list.sort_by_key(|r| {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                (r["id"].as_str(), salt).hash(&mut h);
                (std::cmp::Reverse(r["duration"].as_i64()), h.finish())
            });
        }
    }
    page_of(body, list)
}

/// `POST /v1/cicd/jobs/list`: every job, `{id, name}` (its first `pipeline`), the filter ignored.
fn list_jobs_answer(body: &Value, st: &State) -> Reply {
    let mut seen = std::collections::BTreeMap::new();
    for r in st.received.iter().filter(|r| r.status == 202) {
        let Some(p) = &r.payload else { continue };
        let full = p["job_full_name"].as_str().unwrap_or("").to_owned();
        if st.runs.keys().any(|(j, _)| *j == full) {
            seen.entry(full.clone())
                .or_insert_with(|| json!({"id": uuid_of(&full), "name": p["pipeline"]}));
        }
    }
    page_of(body, seen.into_values().collect())
}

/// One page of `list` as SEI's `DbListResponse`: `records`, `count`, `_metadata`.
fn page_of(body: &Value, list: Vec<Value>) -> Reply {
    let page = body["page"].as_u64().unwrap_or(0) as usize;
    let size = body["page_size"].as_u64().unwrap_or(1000).max(1) as usize;
    let total = list.len();
    let records: Vec<Value> = list.into_iter().skip(page * size).take(size).collect();
    let n = records.len();
    Reply::json(
        200,
        &json!({"records": records, "count": n,
                "_metadata": {"page": page, "page_size": size, "next_page": page + 1,
                              "has_next": n == size, "total_count": total}}),
    )
}

const NINETY_DAYS_MS: i64 = 90 * 24 * 3600 * 1000;

struct SystemTimeNow;

impl SystemTimeNow {
    fn ms() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64
    }
}

/// What the server's asynchronous processing would trip on.
fn problems(body: &serde_json::Map<String, Value>, instances: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    let guid = body
        .get("instance_guid")
        .or_else(|| body.get("jenkins_instance_guid"))
        .and_then(Value::as_str)
        .unwrap_or("");
    match instances.iter().find(|(g, _)| g == guid) {
        None => out.push(format!("dropped: instance {guid} is not registered")),
        Some((_, integration)) if integration.is_empty() => out.push(format!(
            "dropped: instance {guid} has no integration attached"
        )),
        Some(_) => {}
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

/// Scripted faults for the webhook: a fault pushed without a path goes to the next request to
/// the webhook, not to an instance look-up sent alongside it.
pub struct HookScript<'a>(&'a crate::http::Script);

impl HookScript<'_> {
    /// The next request to the webhook (or to `path`) gets `reply`.
    pub fn push(&self, path: Option<&str>, reply: Reply) {
        self.0.push(Some(path.unwrap_or(WEBHOOK)), reply);
    }

    /// The next requests get these replies, in order.
    pub fn sequence(&self, path: Option<&str>, replies: impl IntoIterator<Item = Reply>) {
        self.0.sequence(Some(path.unwrap_or(WEBHOOK)), replies);
    }

    /// Scripted replies not used yet.
    pub fn pending(&self) -> usize {
        self.0.pending()
    }
}

impl SeiServer {
    /// `http://127.0.0.1:<port>` (or `https://`): the `sei-url` to give the reporter.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// Faults for the next requests to the webhook (a path given instead scopes them to it).
    pub fn script(&self) -> HookScript<'_> {
        HookScript(self.server.script())
    }

    /// The requests to the webhook.
    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// The exchanges with the webhook (not the instance look-ups), in the order they arrived.
    pub fn webhook_exchanges(&self) -> Vec<crate::http::Exchange> {
        self.server
            .exchanges()
            .into_iter()
            .filter(|e| e.request.path().ends_with(WEBHOOK))
            .collect()
    }

    /// The instance look-ups (`GET .../v1/cicd/instances/{id}`) and other requests.
    pub fn other_requests(&self) -> Vec<Received> {
        self.state.lock().unwrap().other.clone()
    }

    /// The stored runs: (job_full_name, build_number) → payload.
    pub fn runs(&self) -> HashMap<(String, u64), Value> {
        self.state.lock().unwrap().runs.clone()
    }

    pub fn duplicates(&self) -> usize {
        self.state.lock().unwrap().duplicates
    }

    /// Changes the stored runs: a run SEI dropped (removed), one it stored otherwise (changed).
    pub fn alter_runs(&self, f: impl FnOnce(&mut HashMap<(String, u64), Value>)) {
        f(&mut self.state.lock().unwrap().runs);
    }

    /// Requests to the read endpoints (`job_runs/list`, `jobs/list`), in order.
    pub fn reads(&self) -> Vec<crate::http::Exchange> {
        self.server
            .exchanges()
            .into_iter()
            .filter(|e| {
                let p = e.request.path();
                p.ends_with(JOB_RUNS_LIST) || p.ends_with(JOBS_LIST)
            })
            .collect()
    }

    /// The instances registered: (guid, integration id, name).
    pub fn registered(&self) -> Vec<(String, String, String)> {
        self.state.lock().unwrap().registered.clone()
    }
}

/// Runs the step of `env` with `bin`: it must succeed and deliver exactly one payload, stored
/// with nothing the server's processing would trip on; returns the payload and the log.
pub fn deliver_once(
    env: &crate::action::ActionEnv,
    sei: &SeiServer,
    bin: &std::path::Path,
) -> (Value, String) {
    let before = sei.received().len();
    let out = env.run(bin);
    let (stdout, stderr) = crate::action::text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(!stdout.contains("::error::"), "{stdout}");
    let received = sei.received();
    assert_eq!(received.len(), before + 1, "{stdout}");
    let r = received.last().unwrap();
    assert_eq!(r.status, 202, "{stdout}");
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(env.outputs()["status"], "delivered");
    (r.payload.clone().unwrap(), stdout)
}
