//! `hundred serve` in a real browser: headless Chromium, driven over the DevTools protocol,
//! shows a portal page; saving that client's file makes the page reload by itself, and a page
//! the edit does not touch stays as it was.
//!
//! Needs Chromium (`apt-get install chromium`), so it is `#[ignore]`d: CI runs it with
//! `cargo test -- --include-ignored`, and there a missing Chromium fails it.
#![cfg(unix)]

use std::collections::VecDeque;
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tempfile::TempDir;
use tungstenite::{Message, WebSocket};

use crate::support::*;

/// How long anything in this test may take: far more than it needs, so a busy machine does
/// not make it fail.
const PATIENCE: Duration = Duration::from_secs(20);

/// Headless Chromium in a process group of its own (so its helpers go with it) and a fresh
/// profile.
struct Browser {
    child: Child,
    /// host:port of the DevTools HTTP endpoint.
    devtools: String,
    /// The browser-wide DevTools websocket.
    browser_ws: String,
    log: Log,
    _profile: TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        dump("chromium", &self.log);
    }
}

fn start_browser(chromium: &Path, url: &str) -> Browser {
    let profile = TempDir::new().unwrap();
    let mut child = Command::new(chromium)
        .args(hundred::pdf::HEADLESS_FLAGS)
        .args(["--disable-quic", "--remote-debugging-port=0"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium.display()));
    let log = Log::default();
    let (tx, rx) = mpsc::channel();
    let listening = |line: &str| {
        let url = line.split("DevTools listening on ").nth(1)?;
        Some(url.trim().to_string())
    };
    drain(child.stderr.take().unwrap(), &log, listening, Some(tx));
    let mut browser = Browser {
        child,
        devtools: String::new(),
        browser_ws: String::new(),
        log,
        _profile: profile,
    };
    browser.browser_ws = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("chromium never said where DevTools listens");
    browser.devtools = host_port(&browser.browser_ws).to_string();
    browser
}

/// `127.0.0.1:9222` from `ws://127.0.0.1:9222/devtools/...`.
fn host_port(ws_url: &str) -> &str {
    let rest = ws_url.strip_prefix("ws://").expect("a ws:// URL");
    rest.split('/').next().unwrap()
}

/// GET over HTTP/1.1 returning the JSON body (Chromium's `/json/...` endpoints).
fn get_json(host: &str, path: &str) -> Value {
    let (status, body) = http_get(host, host, path);
    assert_eq!(status, 200, "GET {path}");
    serde_json::from_slice(&body).unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

/// The DevTools websocket of the page target `pick` chooses, once it exists.
fn page_ws(browser: &Browser, what: &str, pick: impl Fn(&Value) -> bool) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let targets = get_json(&browser.devtools, "/json/list");
        let found = targets
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["type"] == "page" && t["webSocketDebuggerUrl"].is_string() && pick(t));
        if let Some(t) = found {
            return t["webSocketDebuggerUrl"].as_str().unwrap().to_string();
        }
        assert!(Instant::now() < deadline, "no {what} target in {targets:#}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One DevTools protocol connection: commands, and the events that arrive meanwhile.
struct Cdp {
    ws: WebSocket<TcpStream>,
    next_id: u64,
    events: VecDeque<Value>,
    name: &'static str,
}

impl Cdp {
    fn connect(url: &str, name: &'static str) -> Cdp {
        let stream = TcpStream::connect(host_port(url)).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        let (ws, _) = tungstenite::client(url, stream)
            .unwrap_or_else(|e| panic!("{name}: websocket handshake with {url}: {e}"));
        // Short reads from now on, so waiting loops can watch their deadlines.
        ws.get_ref()
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        Cdp {
            ws,
            next_id: 0,
            events: VecDeque::new(),
            name,
        }
    }

    /// The next message, or None once `deadline` passes.
    fn read(&mut self, deadline: Instant) -> Option<Value> {
        loop {
            match self.ws.read() {
                Ok(Message::Text(text)) => return Some(serde_json::from_str(&text).unwrap()),
                Ok(_) => {}
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    if Instant::now() >= deadline {
                        return None;
                    }
                }
                Err(e) => panic!("{}: DevTools connection failed: {e}", self.name),
            }
        }
    }

    /// Sends a command and returns its result, or the protocol's error object.
    fn call(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.next_id += 1;
        let id = self.next_id;
        let request = json!({ "id": id, "method": method, "params": params });
        self.ws
            .send(Message::Text(request.to_string().into()))
            .unwrap_or_else(|e| panic!("{}: cannot send {method}: {e}", self.name));
        let deadline = Instant::now() + PATIENCE;
        loop {
            let Some(message) = self.read(deadline) else {
                panic!("{}: no answer to {method} in {PATIENCE:?}", self.name);
            };
            if message["id"] == id {
                return match message.get("error") {
                    Some(error) => Err(error.clone()),
                    None => Ok(message["result"].clone()),
                };
            }
            if message.get("method").is_some() {
                self.events.push_back(message);
            }
        }
    }

    /// Evaluates `expression` in the page and returns its value; Err while the page has no
    /// usable context (during a reload) or if the expression threw.
    fn eval(&mut self, expression: &str) -> Result<Value, String> {
        let result = self
            .call(
                "Runtime.evaluate",
                json!({ "expression": expression, "returnByValue": true }),
            )
            .map_err(|e| e.to_string())?;
        if let Some(details) = result.get("exceptionDetails") {
            return Err(details.to_string());
        }
        Ok(result["result"]["value"].clone())
    }

    /// Waits until an event for which `pick` holds arrives (or has arrived).
    fn wait_event(&mut self, what: &str, pick: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.events.iter().position(&pick) {
            return self.events.remove(i).unwrap();
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self.read(deadline) {
                Some(message) if message.get("method").is_some() && pick(&message) => {
                    return message
                }
                Some(_) => {}
                None => panic!("{}: {what} never happened", self.name),
            }
        }
    }

    /// Polls the page until `expression` gives a value `done` accepts; returns that value.
    fn eventually(&mut self, what: &str, expression: &str, done: impl Fn(&Value) -> bool) -> Value {
        self.poll_until(expression, done).unwrap_or_else(|last| {
            panic!(
                "{}: {what} did not happen within {PATIENCE:?}; last state: {last}",
                self.name
            )
        })
    }

    /// Polls the page until `expression` gives a value `done` accepts; Err(the last state)
    /// if that does not happen within PATIENCE.
    fn poll_until(
        &mut self,
        expression: &str,
        done: impl Fn(&Value) -> bool,
    ) -> Result<Value, String> {
        let deadline = Instant::now() + PATIENCE;
        let mut last = Err(String::from("never evaluated"));
        loop {
            if let Ok(value) = &last {
                if done(value) {
                    return Ok(value.clone());
                }
            }
            if Instant::now() >= deadline {
                return Err(format!("{last:?}"));
            }
            std::thread::sleep(Duration::from_millis(25));
            last = self.eval(expression);
        }
    }
}

/// True once the page has loaded and its live-reload script has run: the script is a plain
/// `<script src>` at the end of the body, so by `complete` it has started its long poll (which
/// asks for changes after the page's own version, so no edit can slip past it).
const READY: &str = r#"document.readyState === "complete"
    && document.querySelector('script[src="/__hundred/live.js"]') !== null
    && performance.getEntriesByType("resource").some(e =>
        e.name.endsWith("/__hundred/live.js") && (e.responseStatus === undefined || e.responseStatus === 200))"#;

const STATE: &str = r#"({
    ready: document.readyState,
    path: location.pathname,
    marker: typeof window.__before_edit,
    text: document.body ? document.body.innerText : "",
    version: (document.querySelector('script[src="/__hundred/live.js"]') || { dataset: {} }).dataset.version || null,
})"#;

#[test]
#[ignore = "needs Chromium (apt-get install chromium); CI runs it with --include-ignored"]
fn an_edit_reloads_the_affected_page_and_only_it() {
    let chromium = chromium();
    let dir = copy_fixture("canary");
    let site = dir.path();
    let server = Server::start(site);
    let acme_url = format!("http://{}/portal/acme/", server.addr);
    let hostile_url = format!("http://{}/portal/hostile/", server.addr);

    let browser = start_browser(&chromium, &acme_url);
    let acme_ws = page_ws(&browser, "acme page", |t| t["url"] == acme_url.as_str());
    let mut acme = Cdp::connect(&acme_ws, "acme page");

    // A second page, which the edit does not affect.
    let mut control = Cdp::connect(&browser.browser_ws, "browser");
    let created = control
        .call("Target.createTarget", json!({ "url": hostile_url }))
        .expect("Target.createTarget");
    let hostile_id = created["targetId"].as_str().unwrap().to_string();
    let hostile_ws = page_ws(&browser, "hostile page", |t| t["id"] == hostile_id.as_str());
    let mut hostile = Cdp::connect(&hostile_ws, "hostile page");

    for page in [&mut acme, &mut hostile] {
        page.eventually("loading with the live script", READY, |v| *v == true);
        page.eval("window.__before_edit = true").unwrap();
    }
    let before = acme.eval(STATE).unwrap();
    assert_eq!(before["path"], "/portal/acme/");
    let text = before["text"].as_str().unwrap();
    assert!(text.contains("delighted"), "the page as built: {text}");
    assert!(!text.contains("jubilant"));
    let hostile_before = hostile.eval(STATE).unwrap();
    assert_eq!(hostile_before["path"], "/portal/hostile/");
    // Watch the unaffected page's requests, to know when it has heard of the edit.
    hostile.call("Network.enable", json!({})).unwrap();

    let profile = site.join("clients/acme.yaml");
    let yaml = read(&profile);
    assert!(yaml.contains("delighted"));
    std::fs::write(&profile, yaml.replace("delighted", "jubilant")).unwrap();
    let saved = Instant::now();

    // The affected page reloads by itself: new content in a fresh document, so the marker set
    // on the old one is gone (a DOM patch would keep it).
    let reloaded = acme.poll_until(STATE, |s| {
        let text = s["text"].as_str().unwrap_or("");
        // A reload shows the new text while its document is still loading; wait for the end.
        if text.contains("jubilant") && s["ready"] == "complete" {
            assert_eq!(
                s["marker"], "undefined",
                "the page shows the edit but was not reloaded: {s}"
            );
            return true;
        }
        false
    });
    let after = reloaded.unwrap_or_else(|last| {
        // Tell a server that missed the save from a page that missed the news.
        let (status, served) = server.get("/portal/acme/");
        panic!(
            "the acme page did not reload with the edit within {PATIENCE:?}; the server {}; \
             the page's last state: {last}",
            if served.contains("jubilant") {
                "serves the edited page, so the browser was not told or did not reload".to_string()
            } else {
                format!("still serves the old page ({status}), so it missed or is still applying the save")
            }
        )
    });
    eprintln!(
        "the acme page reloaded itself {} ms after the save",
        saved.elapsed().as_millis()
    );
    assert_eq!(after["path"], "/portal/acme/");
    assert!(!after["text"].as_str().unwrap().contains("delighted"));
    let version: u64 = after["version"]
        .as_str()
        .expect("the reloaded page has the live script")
        .parse()
        .unwrap();
    assert!(version > before["version"].as_str().unwrap().parse().unwrap());

    // The unaffected page has heard of that version (its next long poll asks for what comes
    // after it) and has not reloaded: its marker is still there.
    let prefix = format!("http://{}/__hundred/wait?after=", server.addr);
    hostile.wait_event("a long poll after the edit", |e| {
        e["method"] == "Network.requestWillBeSent"
            && e["params"]["request"]["url"]
                .as_str()
                .and_then(|u| u.strip_prefix(&prefix))
                .and_then(|n| n.parse::<u64>().ok())
                .is_some_and(|n| n >= version)
    });
    let hostile_after = hostile.eval(STATE).unwrap();
    assert_eq!(
        hostile_after["marker"], "boolean",
        "the hostile page was reloaded by an edit to another client: {hostile_after}"
    );
    assert_eq!(hostile_after["path"], "/portal/hostile/");
    assert_eq!(hostile_after["text"], hostile_before["text"]);
    assert_eq!(
        hostile_after["version"], hostile_before["version"],
        "same document"
    );

    drop((acme, hostile, control));
    drop(browser);
    drop(server);
}
