//! The real `orderdesk-server` binary as a child process, for the scenarios and benchmarks that
//! must kill the server the way a crash does (`SIGKILL`: no graceful shutdown, no last flush)
//! and start it again on the same data directory.
//!
//! The binary is the workspace's own: [`server_binary`] asks cargo to build it (a no-op when it
//! is fresh, `--offline`: nothing is fetched) in the profile the calling test or bench was built
//! in, and uses the path cargo reports. `ORDERDESK_SERVER_BIN` names a prebuilt binary instead.
//!
//! [`ServerProcess`] starts it with `--addr`, `--data-dir` and `--demo`, reads its one
//! `listening on http://HOST:PORT` line, keeps draining its output (the last lines are kept for
//! failure messages), and kills it when dropped, so a failed test leaves no server behind.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How many lines of the server's output are kept for failure messages.
const LOG_LINES: usize = 60;

/// The path of the `orderdesk-server` binary, built once per process: see the module docs.
pub fn server_binary() -> Result<PathBuf, String> {
    static BINARY: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BINARY.get_or_init(find_or_build).clone()
}

fn find_or_build() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("ORDERDESK_SERVER_BIN") {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!(
                "ORDERDESK_SERVER_BIN={} is not a file",
                path.display()
            ))
        };
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.args([
        "build",
        "--offline",
        "--quiet",
        "-p",
        "orderdesk-server",
        "--bin",
        "orderdesk-server",
        "--message-format=json",
    ]);
    match profile_of_current_exe().as_deref() {
        None | Some("debug") => {}
        Some("release") => {
            command.arg("--release");
        }
        Some(other) => {
            command.args(["--profile", other]);
        }
    }
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo to build orderdesk-server: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo build -p orderdesk-server failed ({})",
            output.status
        ));
    }
    executable_in(&String::from_utf8_lossy(&output.stdout))
        .ok_or_else(|| "cargo built no orderdesk-server executable".to_owned())
}

/// The cargo profile directory the running test or bench lives in (`debug`, `release`...):
/// `target/<profile>/deps/<exe>`.
fn profile_of_current_exe() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let deps = exe.parent()?;
    if deps.file_name()? != "deps" {
        return None;
    }
    Some(deps.parent()?.file_name()?.to_string_lossy().into_owned())
}

/// The `orderdesk-server` executable named in cargo's JSON messages.
fn executable_in(messages: &str) -> Option<PathBuf> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "orderdesk-server")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
}

/// A running `orderdesk-server` process. Dropping it kills the process.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    url: String,
    log: Arc<Mutex<VecDeque<String>>>,
}

impl ServerProcess {
    /// Starts the server on `addr` (`127.0.0.1:0` for any free port) over `data_dir` with the
    /// demo data, plus `extra` arguments; returns once it said where it listens. A port that is
    /// still held (a server just killed on it) is tried again until `within` has passed.
    pub fn start(
        addr: &str,
        data_dir: &Path,
        extra: &[&str],
        within: Duration,
    ) -> Result<Self, String> {
        let binary = server_binary()?;
        let deadline = Instant::now() + within;
        loop {
            match Self::start_once(&binary, addr, data_dir, extra) {
                Ok(server) => return Ok(server),
                Err(e) if Instant::now() >= deadline => return Err(e),
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    fn start_once(
        binary: &Path,
        addr: &str,
        data_dir: &Path,
        extra: &[&str],
    ) -> Result<Self, String> {
        let mut child = Command::new(binary)
            .arg("--addr")
            .arg(addr)
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--demo")
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let log = Arc::new(Mutex::new(VecDeque::new()));
        let (tx, rx) = mpsc::channel();
        if let Some(out) = child.stdout.take() {
            drain(out, Arc::clone(&log), Some(tx));
        }
        if let Some(err) = child.stderr.take() {
            drain(err, Arc::clone(&log), None);
        }
        let mut server = Self {
            child,
            url: String::new(),
            log,
        };
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(url) => {
                server.url = url;
                Ok(server)
            }
            Err(_) => Err(format!(
                "orderdesk-server on {addr} did not say where it listens:\n{}",
                server.log_tail()
            )),
        }
    }

    /// `http://HOST:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.url
            .rsplit(':')
            .next()
            .and_then(|p| p.trim_end_matches('/').parse().ok())
            .unwrap_or(0)
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process with `SIGKILL` (no shutdown of any kind) and reaps it.
    pub fn kill(mut self) -> Result<(), String> {
        self.kill_now()
    }

    fn kill_now(&mut self) -> Result<(), String> {
        if self
            .child
            .try_wait()
            .map_err(|e| format!("cannot query the server process: {e}"))?
            .is_some()
        {
            return Ok(());
        }
        self.child
            .kill()
            .map_err(|e| format!("cannot kill the server process: {e}"))?;
        self.child
            .wait()
            .map(|_| ())
            .map_err(|e| format!("cannot reap the server process: {e}"))
    }

    /// The server's last lines of output.
    pub fn log_tail(&self) -> String {
        let log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        log.iter().cloned().collect::<Vec<_>>().join("\n")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.kill_now();
    }
}

/// Reads `stream` line by line into `log` until it closes; the first `listening on` line's URL
/// goes to `listening`.
fn drain(
    stream: impl Read + Send + 'static,
    log: Arc<Mutex<VecDeque<String>>>,
    mut listening: Option<mpsc::Sender<String>>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { return };
            if let Some(url) = line.strip_prefix("listening on ") {
                if let Some(tx) = listening.take() {
                    let _ = tx.send(url.trim().to_owned());
                }
            }
            let mut log = log.lock().unwrap_or_else(|p| p.into_inner());
            if log.len() == LOG_LINES {
                log.pop_front();
            }
            log.push_back(line);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_executable_is_read_from_cargo_messages() {
        let messages = concat!(
            r#"{"reason":"compiler-artifact","target":{"name":"orderdesk-store"},"executable":null}"#,
            "\n",
            r#"{"reason":"compiler-artifact","target":{"name":"orderdesk-server"},"executable":"/t/debug/orderdesk-server"}"#,
            "\n",
            r#"{"reason":"build-finished","success":true}"#,
        );
        assert_eq!(
            executable_in(messages),
            Some(PathBuf::from("/t/debug/orderdesk-server"))
        );
        assert_eq!(executable_in(r#"{"reason":"build-finished"}"#), None);
        assert_eq!(executable_in("not json"), None);
    }
}
