//! Headless Chromium for the browser tests, driven over the DevTools protocol: a browser
//! with a fresh profile ([`start_browser`]), the page targets it opens ([`page_ws`],
//! [`Browser::isolated_page`]) and one protocol connection per target ([`Cdp`]).
//!
//! ```ignore
//! let browser = start_browser(&chromium(), "about:blank");
//! let mut page = browser.isolated_page("reader");
//! page.navigate(&url);
//! page.eventually("the page opens", "document.readyState", |v| *v == "complete");
//! ```

use std::collections::VecDeque;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tempfile::TempDir;
use tungstenite::{Message, WebSocket};

use super::{drain, dump, http_get, Log};

/// How long anything in a browser test may take: far more than it needs, so a busy machine
/// does not make it fail.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// Headless Chromium in a process group of its own (so its helpers go with it) and a fresh
/// profile.
pub struct Browser {
    child: Child,
    /// host:port of the DevTools HTTP endpoint.
    pub devtools: String,
    /// The browser-wide DevTools websocket.
    pub browser_ws: String,
    log: Log,
    _profile: TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            let group = format!("-{}", self.child.id());
            let _ = Command::new("kill")
                .args(["-KILL", "--", &group])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        dump("chromium", &self.log);
    }
}

/// Starts `chromium` headless with a fresh profile, showing `url`.
pub fn start_browser(chromium: &Path, url: &str) -> Browser {
    let profile = TempDir::new().unwrap();
    let mut command = Command::new(chromium);
    command
        .args(hundred::pdf::HEADLESS_FLAGS)
        .args(["--disable-quic", "--remote-debugging-port=0"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let mut child = command
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

impl Browser {
    /// A blank page in a browser context of its own: storage, cookies and the tabs it can
    /// talk to are its own, as in a fresh profile. Runtime events (uncaught exceptions,
    /// console calls) are reported from the start, so open the page with
    /// [`Cdp::navigate`].
    pub fn isolated_page(&self, name: &'static str) -> Cdp {
        let mut control = Cdp::connect(&self.browser_ws, "browser");
        let context = control
            .call("Target.createBrowserContext", json!({}))
            .expect("Target.createBrowserContext");
        let context = context["browserContextId"].as_str().unwrap().to_string();
        let created = control
            .call(
                "Target.createTarget",
                json!({ "url": "about:blank", "browserContextId": context }),
            )
            .expect("Target.createTarget");
        let id = created["targetId"].as_str().unwrap().to_string();
        let ws = page_ws(self, name, |t| t["id"] == id.as_str());
        let mut page = Cdp::connect(&ws, name);
        page.call("Runtime.enable", json!({}))
            .expect("Runtime.enable");
        page.call("Page.enable", json!({})).expect("Page.enable");
        page
    }
}

/// `127.0.0.1:9222` from `ws://127.0.0.1:9222/devtools/...`.
pub fn host_port(ws_url: &str) -> &str {
    let rest = ws_url.strip_prefix("ws://").expect("a ws:// URL");
    rest.split('/').next().unwrap()
}

/// GET over HTTP/1.1 returning the JSON body (Chromium's `/json/...` endpoints).
pub fn get_json(host: &str, path: &str) -> Value {
    let (status, body) = http_get(host, host, path);
    assert_eq!(status, 200, "GET {path}");
    serde_json::from_slice(&body).unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

/// The DevTools websocket of the page target `pick` chooses, once it exists.
pub fn page_ws(browser: &Browser, what: &str, pick: impl Fn(&Value) -> bool) -> String {
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
pub struct Cdp {
    ws: WebSocket<TcpStream>,
    next_id: u64,
    events: VecDeque<Value>,
    name: &'static str,
}

impl Cdp {
    pub fn connect(url: &str, name: &'static str) -> Cdp {
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
    pub fn call(&mut self, method: &str, params: Value) -> Result<Value, Value> {
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
    pub fn eval(&mut self, expression: &str) -> Result<Value, String> {
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
    pub fn wait_event(&mut self, what: &str, pick: impl Fn(&Value) -> bool) -> Value {
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
    pub fn eventually(
        &mut self,
        what: &str,
        expression: &str,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        self.poll_until(expression, done).unwrap_or_else(|last| {
            panic!(
                "{}: {what} did not happen within {PATIENCE:?}; last state: {last}",
                self.name
            )
        })
    }

    /// Polls the page until `expression` gives a value `done` accepts; Err(the last state)
    /// if that does not happen within PATIENCE.
    pub fn poll_until(
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

    /// Loads `url` in this page, as typing it into the address bar would.
    pub fn navigate(&mut self, url: &str) {
        let result = self
            .call("Page.navigate", json!({ "url": url }))
            .unwrap_or_else(|e| panic!("{}: Page.navigate to {url}: {e}", self.name));
        if let Some(error) = result.get("errorText") {
            panic!("{}: cannot load {url}: {error}", self.name);
        }
    }

    /// A left click with the mouse, as a reader's, at the middle of the first element
    /// `selector` finds (scrolled into view first).
    pub fn click(&mut self, selector: &str) {
        let selector_js = serde_json::to_string(selector).unwrap();
        let expression = format!(
            "(() => {{ const e = document.querySelector({selector_js}); if (!e) return null; \
             e.scrollIntoView({{ block: 'center', inline: 'center' }}); \
             const r = e.getBoundingClientRect(); \
             return {{ x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width, h: r.height }}; }})()"
        );
        let at = self.eventually(
            &format!("a visible {selector} to click"),
            &expression,
            |v| {
                v["w"].as_f64().is_some_and(|w| w > 0.0) && v["h"].as_f64().is_some_and(|h| h > 0.0)
            },
        );
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": at["x"], "y": at["y"], "button": "left", "clickCount": 1 }),
            )
            .unwrap_or_else(|e| panic!("{}: clicking {selector}: {e}", self.name));
        }
    }

    /// Types `text` into the focused element, as a keyboard (or an input method) would.
    pub fn type_text(&mut self, text: &str) {
        self.call("Input.insertText", json!({ "text": text }))
            .unwrap_or_else(|e| panic!("{}: typing: {e}", self.name));
    }

    /// The events of `method` received so far (after a round trip, so that every event the
    /// page sent before this call is in), removed from the queue.
    pub fn take_events(&mut self, method: &str) -> Vec<Value> {
        let _ = self.eval("0");
        let (taken, kept): (Vec<Value>, Vec<Value>) =
            self.events.drain(..).partition(|e| e["method"] == method);
        self.events = kept.into();
        taken
    }
}
