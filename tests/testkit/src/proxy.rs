//! A forward proxy on loopback that speaks `CONNECT` (what clients use for https:// through
//! `HTTPS_PROXY`) and tunnels the bytes, recording every target it was asked for.

use crate::loopback::Loopback;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct Proxy {
    loopback: Loopback,
    targets: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    pub fn start() -> Proxy {
        let targets = Arc::new(Mutex::new(Vec::new()));
        let seen = targets.clone();
        Proxy {
            loopback: Loopback::start(move |stream| tunnel(stream, seen.clone())),
            targets,
        }
    }

    /// `http://127.0.0.1:<port>`: the value for `HTTPS_PROXY`.
    pub fn url(&self) -> String {
        format!("http://{}", self.loopback.addr)
    }

    /// The `host:port` of every `CONNECT`, in order (anything else is recorded as its request line).
    pub fn targets(&self) -> Vec<String> {
        self.targets.lock().unwrap().clone()
    }
}

async fn tunnel(mut client: TcpStream, seen: Arc<Mutex<Vec<String>>>) {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        match client.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
        if head.len() > 16 * 1024 {
            return;
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let line = text.lines().next().unwrap_or("").to_owned();
    let mut parts = line.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if method != "CONNECT" {
        seen.lock().unwrap().push(line.clone());
        let _ = client
            .write_all(b"HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\n\r\n")
            .await;
        return;
    }
    seen.lock().unwrap().push(target.to_owned());
    let Ok(mut upstream) = TcpStream::connect(target).await else {
        let _ = client
            .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            .await;
        return;
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await
        .is_err()
    {
        return;
    }
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}
