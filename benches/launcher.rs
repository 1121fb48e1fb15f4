//! A small process that starts the binary a benchmark measures and reaps it with `wait4`, for
//! the child's own peak RSS and CPU time. Linux counts in a child's `ru_maxrss` the memory of the
//! process that started it, up to `exec`, and a benchmark holds hundreds of MB of fixtures: so
//! this launcher (the benchmark's own binary with `--launcher`, started before any fixture is
//! built) starts every run, and its own peak is the floor of the measurement. Shared by the
//! benchmarks with `#[path]`.

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

/// The launcher's side: one JSON request per line (binary, arguments, folder, log file,
/// variables), one JSON answer per line (wall time, the child's peak RSS, whether it exited 0).
pub fn serve() {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { return };
        let req: Value = serde_json::from_str(&line).expect("a request");
        let text = |k: &str| req[k].as_str().expect(k).to_owned();
        let vars: BTreeMap<String, String> = serde_json::from_value(req["env"].clone()).unwrap();
        let args: Vec<String> = serde_json::from_value(req["args"].clone()).unwrap();
        let (wall, cpu, rss, ok) = spawn_and_wait(
            Path::new(&text("bin")),
            &args,
            Path::new(&text("cwd")),
            Path::new(&text("log")),
            &vars,
        );
        let answer = serde_json::json!({
            "wall_ns": wall.as_nanos() as u64, "cpu_ns": cpu.as_nanos() as u64,
            "rss_kib": rss, "ok": ok,
        });
        writeln!(out, "{answer}").unwrap();
        out.flush().unwrap();
    }
}

/// The bench's side of the launcher.
pub struct Launcher {
    child: Child,
    to: ChildStdin,
    from: BufReader<ChildStdout>,
}

impl Launcher {
    pub fn start() -> Launcher {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .arg("--launcher")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the launcher");
        let to = child.stdin.take().unwrap();
        let from = BufReader::new(child.stdout.take().unwrap());
        Launcher { child, to, from }
    }

    /// Runs `bin args...` in `cwd` with exactly the variables `vars`, output to the file `log`;
    /// returns the wall time, the child's CPU time, its peak RSS in KiB and whether it exited 0.
    pub fn run(
        &mut self,
        bin: &Path,
        args: &[&str],
        cwd: &Path,
        log: &Path,
        vars: &BTreeMap<String, String>,
    ) -> (Duration, Duration, i64, bool) {
        let req = serde_json::json!({
            "bin": bin, "args": args, "cwd": cwd, "log": log, "env": vars,
        });
        writeln!(self.to, "{req}").unwrap();
        self.to.flush().unwrap();
        let mut line = String::new();
        self.from
            .read_line(&mut line)
            .expect("the launcher answers");
        let a: Value = serde_json::from_str(&line).expect("an answer");
        (
            Duration::from_nanos(a["wall_ns"].as_u64().unwrap()),
            Duration::from_nanos(a["cpu_ns"].as_u64().unwrap()),
            a["rss_kib"].as_i64().unwrap(),
            a["ok"].as_bool().unwrap(),
        )
    }

    /// Prints the floor under every RSS measured: the launcher's own peak.
    pub fn print_floor(&self) {
        println!(
            "\nRSS floor (the launcher's own peak, counted in every child's): {:.1} MiB",
            self.own_peak_kib() as f64 / 1024.0
        );
    }

    /// The launcher's own peak RSS (KiB), read from `/proc`: the floor of every measurement.
    pub fn own_peak_kib(&self) -> i64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }
}

/// Starts `bin args...` and reaps it with `wait4` for its own resource usage.
#[allow(clippy::zombie_processes)] // reaped by `wait4`, which also gives its rusage
fn spawn_and_wait(
    bin: &Path,
    args: &[String],
    cwd: &Path,
    log: &Path,
    vars: &BTreeMap<String, String>,
) -> (Duration, Duration, i64, bool) {
    let log = std::fs::File::create(log).unwrap();
    let started = Instant::now();
    let child = Command::new(bin)
        .args(args)
        .env_clear()
        .envs(vars)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", bin.display()));
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value, `wait4` fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is a child of this process that nothing else waits for.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert_eq!(reaped, pid, "wait4: {}", std::io::Error::last_os_error());
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    let cpu = time(usage.ru_utime) + time(usage.ru_stime);
    (wall, cpu, usage.ru_maxrss, ok)
}
