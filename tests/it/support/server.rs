//! `hundred serve` in a child process, and plain HTTP/1.1 requests to it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use super::TODAY;

/// Lines a child process printed, shown if the test fails.
pub type Log = Arc<Mutex<Vec<String>>>;

/// Reads `from` line by line into `log` until it closes, handing the first line for which
/// `pick` gives a value to `found`. Draining keeps the child from blocking on a full pipe.
pub fn drain(
    from: impl Read + Send + 'static,
    log: &Log,
    pick: impl Fn(&str) -> Option<String> + Send + 'static,
    found: Option<mpsc::Sender<String>>,
) {
    let log = Arc::clone(log);
    std::thread::spawn(move || {
        let mut found = found;
        for line in BufReader::new(from).lines() {
            let Ok(line) = line else { break };
            if let Some(value) = pick(&line) {
                if let Some(tx) = found.take() {
                    let _ = tx.send(value);
                }
            }
            log.lock().unwrap().push(line);
        }
    });
}

/// Prints what `what` printed, if the test is failing.
pub fn dump(what: &str, log: &Log) {
    if std::thread::panicking() {
        eprintln!("---- {what} printed:");
        for line in log.lock().unwrap().iter() {
            eprintln!("{line}");
        }
    }
}

/// `hundred serve --port 0 --today TODAY SITE`, stopped when dropped (showing what it printed
/// if the test failed).
pub struct Server {
    child: Child,
    /// host:port it listens on.
    pub addr: String,
    log: Log,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        dump("hundred serve", &self.log);
    }
}

impl Server {
    /// Starts the server and waits for it to say where it listens.
    pub fn start(site: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hundred"))
            .args(["serve", "--port", "0", "--today", TODAY])
            .arg(site)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Log::default();
        let (tx, rx) = mpsc::channel();
        let address = |line: &str| {
            let rest = line.split("http://").nth(1)?;
            Some(rest.split('/').next()?.to_string())
        };
        drain(child.stdout.take().unwrap(), &log, address, Some(tx));
        drain(child.stderr.take().unwrap(), &log, |_| None, None);
        let mut server = Server {
            child,
            addr: String::new(),
            log,
        };
        server.addr = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("hundred serve never printed its address");
        server
    }

    /// A GET of `path` (sent exactly as given): (status, body).
    pub fn get(&self, path: &str) -> (u16, String) {
        self.get_for_host(path, &self.addr)
    }

    /// A GET naming `host` in its `Host` header, as a page on another domain would after DNS
    /// rebinding.
    pub fn get_for_host(&self, path: &str, host: &str) -> (u16, String) {
        let (status, body) = http_get(&self.addr, host, path);
        (status, String::from_utf8_lossy(&body).into_owned())
    }
}

/// A plain HTTP/1.1 GET of `path` from the server at `addr`, with `host` (sent as written) in
/// its `Host` header: the status and the body (`Content-Length` bytes, or all until the
/// server closes).
pub fn http_get(addr: &str, host: &str, path: &str) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    let code: u16 = status
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("GET {path}: no status in {status:?}"));
    let mut length = None;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(value.trim().parse::<usize>().unwrap());
            }
        }
    }
    let mut body = Vec::new();
    match length {
        Some(n) => {
            body.resize(n, 0);
            reader.read_exact(&mut body).unwrap();
        }
        None => {
            reader.read_to_end(&mut body).unwrap();
        }
    }
    (code, body)
}
