//! A small HTTP/1.1 server on loopback for the emulators: keep-alive, `Content-Length` bodies,
//! plain or TLS ([`crate::tls`]), per-request delays and scripted faults (no answer, a connection
//! cut mid-response, a request handled and then its answer lost or late, a huge answer streamed
//! in chunks without a length), and a log of every exchange with its timing and the bytes it
//! wrote, so tests can count requests and round trips and see where a client stopped reading.

use crate::loopback::Loopback;
use crate::tls::Ca;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// A connection, plain or TLS, and the socket under it.
trait Conn: AsyncRead + AsyncWrite + Unpin + Send + 'static {
    fn tcp(&self) -> &TcpStream;
}

impl Conn for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
}

impl Conn for tokio_rustls::server::TlsStream<TcpStream> {
    fn tcp(&self) -> &TcpStream {
        self.get_ref().0
    }
}

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent: `/repos/o/r/actions/runs/1?x=y`.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// A query parameter's value.
    pub fn query(&self, key: &str) -> Option<&str> {
        let q = self.target.split_once('?')?.1;
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }

    /// The body as JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// What the server does with a request.
#[derive(Debug, Clone)]
pub enum Reply {
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        delay: Duration,
    },
    /// Close the connection without a word, after `delay`.
    Drop { delay: Duration },
    /// Send the status line and half the headers, then cut the connection (a reset).
    CutMidResponse,
    /// A body of `chunk` repeated `count` times, streamed with `Transfer-Encoding: chunked` (no
    /// length told up front) and never held whole: how a client that reads it all fares, and
    /// where one that stops at a bound stopped ([`Exchange::sent`]).
    Stream {
        status: u16,
        headers: Vec<(String, String)>,
        chunk: Vec<u8>,
        count: usize,
    },
    /// Let the handler process the request (an emulator stores what it got), wait `delay`, then
    /// send the handler's answer, or, with `cut`, cut the connection instead: the server did
    /// the work but the client never hears of it, or hears too late.
    Handled { delay: Duration, cut: bool },
}

impl Reply {
    pub fn json(status: u16, body: &serde_json::Value) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: serde_json::to_vec(body).unwrap(),
            delay: Duration::ZERO,
        }
    }

    pub fn text(status: u16, body: &str) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: body.as_bytes().to_vec(),
            delay: Duration::ZERO,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Respond { headers, .. } | Reply::Stream { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }

    /// Adds `d` before the answer (or the drop).
    pub fn delayed(mut self, d: Duration) -> Reply {
        match &mut self {
            Reply::Respond { delay, .. } | Reply::Drop { delay } | Reply::Handled { delay, .. } => {
                *delay += d
            }
            Reply::CutMidResponse | Reply::Stream { .. } => {}
        }
        self
    }

    /// Closes the connection without an answer.
    pub fn drop_connection() -> Reply {
        Reply::Drop {
            delay: Duration::ZERO,
        }
    }

    /// `chunk` `count` times, streamed ([`Reply::Stream`]), as JSON.
    pub fn stream(status: u16, chunk: &[u8], count: usize) -> Reply {
        Reply::Stream {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            chunk: chunk.to_vec(),
            count,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Reply::Respond { status, .. } | Reply::Stream { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// The instant every server's times count from, shared so exchanges with the GitHub and the SEI
/// emulator can be put on one time line.
pub fn epoch() -> Instant {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// One request and how it went, timed from [`epoch`].
#[derive(Debug, Clone)]
pub struct Exchange {
    pub request: Request,
    pub status: Option<u16>,
    /// When the whole request had arrived.
    pub received: Duration,
    /// When the answer was written (or the connection dropped).
    pub answered: Duration,
    /// The bytes of the answer written before it ended or the client went away.
    pub sent: usize,
}

pub type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

/// Replies that go out, in order, before the handler is asked: faults for the first requests.
#[derive(Default, Clone)]
pub struct Script(Arc<Mutex<VecDeque<Scripted>>>);

/// A reply kept for the next request whose path contains the string (any request if `None`).
type Scripted = (Option<String>, Reply);

impl Script {
    /// The next request (whose path contains `path`, if given) gets `reply` instead of the
    /// handler's.
    pub fn push(&self, path: Option<&str>, reply: Reply) {
        self.0
            .lock()
            .unwrap()
            .push_back((path.map(str::to_owned), reply));
    }

    /// The next requests get these replies, in order: a sequence of statuses, say.
    pub fn sequence(&self, path: Option<&str>, replies: impl IntoIterator<Item = Reply>) {
        for r in replies {
            self.push(path, r);
        }
    }

    /// Scripted replies not used yet.
    pub fn pending(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    fn take(&self, req: &Request) -> Option<Reply> {
        let mut q = self.0.lock().unwrap();
        let i = q
            .iter()
            .position(|(p, _)| p.as_deref().is_none_or(|p| req.path().contains(p)))?;
        q.remove(i).map(|(_, r)| r)
    }
}

/// The exchanges, and how many answers are being written but not logged yet.
#[derive(Default)]
struct Log {
    entries: Mutex<Vec<Exchange>>,
    answering: AtomicUsize,
    /// Connections accepted.
    opened: AtomicUsize,
    /// When a client closed a connection (the end of its stream, between requests).
    hang_ups: Mutex<Vec<Duration>>,
}

/// A server on `127.0.0.1:<free port>`, running on its own thread until dropped.
pub struct Server {
    loopback: Loopback,
    tls: bool,
    log: Arc<Log>,
    script: Script,
}

impl Server {
    /// Serves `handler`. Every answer waits `latency` first (a network between client and
    /// server). With `ca`, HTTPS with a certificate from it for 127.0.0.1 and localhost.
    pub fn start_on(handler: Handler, latency: Duration, ca: Option<&Ca>) -> Server {
        let tls = ca.map(Ca::acceptor);
        let is_tls = tls.is_some();
        let log = Arc::new(Log::default());
        let script = Script::default();
        let (log2, script2) = (log.clone(), script.clone());
        let epoch = epoch();
        let loopback = Loopback::start(move |stream| {
            let (h, l, s) = (handler.clone(), log2.clone(), script2.clone());
            let tls = tls.clone();
            async move {
                match tls {
                    None => serve(stream, h, l, s, epoch, latency).await,
                    Some(acceptor) => {
                        // A client that does not trust the CA gives up here.
                        if let Ok(tls) = acceptor.accept(stream).await {
                            serve(tls, h, l, s, epoch, latency).await;
                        }
                    }
                }
            }
        });
        Server {
            loopback,
            tls: is_tls,
            log,
            script,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.loopback.addr
    }

    /// `http://127.0.0.1:<port>` (`https://` for a TLS server)
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.loopback.addr)
    }

    /// Every exchange so far, in the order requests arrived. An answer the client may already
    /// have read is logged first (waiting up to a second for it).
    pub fn exchanges(&self) -> Vec<Exchange> {
        let until = Instant::now() + Duration::from_secs(1);
        while self.log.answering.load(Ordering::SeqCst) > 0 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(2));
        }
        let mut v = self.log.entries.lock().unwrap().clone();
        v.sort_by_key(|e| e.received);
        v
    }

    /// Connections the clients opened so far.
    pub fn connections(&self) -> usize {
        self.log.opened.load(Ordering::SeqCst)
    }

    /// When each connection a client closed was closed (timed from [`epoch`]), in that order:
    /// a connection the server ended itself (`Connection: close`, a fault) is not here.
    pub fn hang_ups(&self) -> Vec<Duration> {
        self.log.hang_ups.lock().unwrap().clone()
    }

    /// Faults for the next requests.
    pub fn script(&self) -> &Script {
        &self.script
    }
}

async fn serve(
    mut stream: impl Conn,
    handler: Handler,
    log: Arc<Log>,
    script: Script,
    epoch: Instant,
    latency: Duration,
) {
    let mut buf = Vec::new();
    log.opened.fetch_add(1, Ordering::SeqCst);
    loop {
        let Some(req) = read_request(&mut stream, &mut buf).await else {
            log.hang_ups.lock().unwrap().push(epoch.elapsed());
            return;
        };
        let received = epoch.elapsed();
        let mut reply = script.take(&req).unwrap_or_else(|| handler(&req));
        if let Reply::Handled { delay, cut } = reply {
            let answer = handler(&req);
            tokio::time::sleep(delay).await;
            reply = if cut { Reply::CutMidResponse } else { answer };
        }
        let close = req
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let status = reply.status();
        let mut sent = 0;
        let keep = match reply {
            Reply::Respond {
                status,
                headers,
                body,
                delay,
            } => {
                tokio::time::sleep(latency + delay).await;
                log.answering.fetch_add(1, Ordering::SeqCst);
                let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
                for (k, v) in &headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str(&format!("Content-Length: {}\r\n", body.len()));
                if close {
                    head.push_str("Connection: close\r\n");
                }
                head.push_str("\r\n");
                let mut out = head.into_bytes();
                out.extend_from_slice(&body);
                let ok = stream.write_all(&out).await.is_ok();
                if ok {
                    sent = out.len();
                }
                ok && !close
            }
            Reply::Stream {
                status,
                headers,
                chunk,
                count,
            } => {
                tokio::time::sleep(latency).await;
                log.answering.fetch_add(1, Ordering::SeqCst);
                let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
                for (k, v) in &headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
                let mut ok = stream.write_all(head.as_bytes()).await.is_ok();
                let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
                framed.extend_from_slice(&chunk);
                framed.extend_from_slice(b"\r\n");
                for _ in 0..count {
                    if !ok {
                        break;
                    }
                    ok = stream.write_all(&framed).await.is_ok();
                    if ok {
                        sent += chunk.len();
                    }
                }
                if ok {
                    let _ = stream.write_all(b"0\r\n\r\n").await;
                }
                false
            }
            Reply::Drop { delay } => {
                tokio::time::sleep(latency + delay).await;
                log.answering.fetch_add(1, Ordering::SeqCst);
                false
            }
            Reply::CutMidResponse => {
                tokio::time::sleep(latency).await;
                log.answering.fetch_add(1, Ordering::SeqCst);
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nContent-Type: appl")
                    .await;
                let _ = stream.flush().await;
                #[allow(deprecated)] // zero linger sends the RST we want, it does not block
                let _ = stream.tcp().set_linger(Some(Duration::ZERO));
                false
            }
            Reply::Handled { .. } => unreachable!("resolved above"),
        };
        log.entries.lock().unwrap().push(Exchange {
            request: req,
            status,
            received,
            answered: epoch.elapsed(),
            sent,
        });
        log.answering.fetch_sub(1, Ordering::SeqCst);
        if !keep {
            let _ = stream.shutdown().await;
            return;
        }
    }
}

/// Reads one request; `None` at end of stream or on garbage.
async fn read_request(stream: &mut impl Conn, buf: &mut Vec<u8>) -> Option<Request> {
    let head_end = loop {
        if let Some(i) = find(buf, b"\r\n\r\n") {
            break i;
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let body_start = head_end + 4;
    while buf.len() < body_start + len {
        let mut chunk = [0u8; 65536];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[body_start..body_start + len].to_vec();
    buf.drain(..body_start + len);
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        202 => "Accepted",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        425 => "Too Early",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// The longest chain of requests where each began only after the one before it was answered:
/// the sequential round trips on the critical path.
pub fn critical_path(exchanges: &[Exchange]) -> usize {
    let mut sorted: Vec<&Exchange> = exchanges.iter().collect();
    sorted.sort_by_key(|e| e.received);
    let mut depth = vec![1usize; sorted.len()];
    for i in 0..sorted.len() {
        for j in 0..i {
            if sorted[i].received >= sorted[j].answered {
                depth[i] = depth[i].max(depth[j] + 1);
            }
        }
    }
    depth.into_iter().max().unwrap_or(0)
}

/// The most requests a server held at once (received, not yet answered).
pub fn max_in_flight(exchanges: &[Exchange]) -> usize {
    let mut edges: Vec<(std::time::Duration, i32)> = exchanges
        .iter()
        .flat_map(|e| [(e.received, 1), (e.answered, -1)])
        .collect();
    // At the same instant, an answer before a new request.
    edges.sort();
    let (mut now, mut most) = (0i32, 0i32);
    for (_, d) in edges {
        now += d;
        most = most.max(now);
    }
    most as usize
}
