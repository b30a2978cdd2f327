//! Private portals and a private internal site as a reader meets them: served over HTTP by
//! `hundred serve --private` (what a build publishes, sealed) and opened in headless Chromium,
//! driven over the DevTools protocol, each reader in a browser context of its own (its own
//! storage, as a fresh profile).
//!
//! - A client's link opens their portal, takes the key out of the address bar, keeps it for
//!   the tab, and the portal's own links and a reload open without it; no link, another
//!   client's key or a key cut short shows the plain-words explanation with the firm's contact
//!   details, and never a script error.
//! - The private internal site asks for the team passphrase, refuses a wrong one, opens with
//!   the right one and then opens its other pages without asking again.
//!
//! Those need Chromium (`apt-get install chromium`), so they are `#[ignore]`d: CI runs them
//! with `cargo test -- --include-ignored`, and there a missing Chromium fails them. The scan of
//! the published portal for client data needs no browser and always runs.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::*;

/// What the page shows, whether it is still the shell or the page it opened.
const STATE: &str = r##"(() => {
    const shown = (id) => { const e = document.getElementById(id); return !!e && !e.hidden; };
    const values = (storage) => {
        const out = [];
        for (let i = 0; i < storage.length; i++) out.push(storage.getItem(storage.key(i)));
        return out;
    };
    const remember = document.getElementById("hundred-remember");
    const button = document.querySelector("#hundred-unlock button");
    const status = document.getElementById("hundred-unlock-status");
    return {
        href: location.href,
        path: location.pathname,
        ready: document.readyState,
        shell: document.getElementById("hundred-sealed") !== null,
        title: document.title,
        h1: Array.from(document.querySelectorAll("h1"), (h) => h.innerText.trim()),
        text: document.body ? document.body.innerText : "",
        missing: shown("hundred-missing"),
        wrong: shown("hundred-wrong"),
        failed: shown("hundred-failed"),
        insecure: shown("hundred-insecure"),
        contact: shown("hundred-contact"),
        unlock: shown("hundred-unlock"),
        password: document.querySelector('#hundred-unlock input[type="password"]') !== null,
        button: button ? { text: button.innerText.trim(), disabled: button.disabled } : null,
        status: status ? status.innerText.trim() : null,
        remember: remember ? { type: remember.type, checked: remember.checked } : null,
        session: values(sessionStorage),
        local: values(localStorage),
        marker: typeof window.__before_reload,
    };
})()"##;

/// What the example's firm publishes about itself, and the example's clients as far as these
/// tests need them.
struct Example {
    firm_email: String,
    clients: Vec<ClientFacts>,
}

/// A client's file, as far as these tests read it.
#[derive(serde::Deserialize)]
struct ClientFile {
    name: String,
    #[serde(default)]
    contacts: Vec<ContactFile>,
    #[serde(default)]
    goals: Vec<String>,
    #[serde(default)]
    touchpoints: Vec<TouchpointFile>,
    #[serde(default)]
    team: BTreeMap<String, String>,
}

#[derive(serde::Deserialize)]
struct ContactFile {
    name: String,
    email: String,
    phone: Option<String>,
}

#[derive(serde::Deserialize)]
struct TouchpointFile {
    title: String,
}

#[derive(serde::Deserialize)]
struct TeamFile {
    name: String,
}

struct ClientFacts {
    id: String,
    file: ClientFile,
}

fn read_example() -> Example {
    let settings: toml::Table = toml::from_str(&read(&example().join("hundred.toml"))).unwrap();
    let firm_email = settings["firm"]["email"].as_str().unwrap().to_string();
    let clients = example_clients()
        .into_iter()
        .map(|id| {
            let path = example().join("clients").join(format!("{id}.yaml"));
            let file: ClientFile = serde_saphyr::from_str(&read(&path))
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            ClientFacts { id, file }
        })
        .collect();
    Example {
        firm_email,
        clients,
    }
}

impl Example {
    fn client(&self, id: &str) -> &ClientFacts {
        self.clients
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("the example has no client {id}"))
    }
}

/// The name of the team member `id` (`team/<id>.yaml`).
fn team_member_name(id: &str) -> String {
    let path = example().join("team").join(format!("{id}.yaml"));
    let file: TeamFile =
        serde_saphyr::from_str(&read(&path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    file.name
}

// ---------------------------------------------------------------------------------------------
// The server

/// `hundred serve --private --port 0 --today TODAY SITE`, stopped when dropped (showing what
/// it printed if the test failed).
struct PrivateServer {
    child: Child,
    /// host:port it listens on.
    addr: String,
    /// Each client's name and link, as it printed them.
    links: Vec<(String, String)>,
    log: Log,
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        dump("hundred serve --private", &self.log);
    }
}

impl PrivateServer {
    /// Starts it with `env` set, and waits until it says where it serves.
    fn start(site: &Path, env: &[(&str, &str)]) -> PrivateServer {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hundred"));
        command
            .args(["serve", "--private", "--port", "0", "--today", TODAY])
            .arg(site)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().unwrap();
        let log = Log::default();
        let (tx, rx) = mpsc::channel();
        // The links come before this line, so they are in the log once it is read.
        let serving = |line: &str| {
            let rest = line.strip_prefix("Serving the internal site at http://")?;
            Some(rest.split('/').next()?.to_string())
        };
        drain(child.stdout.take().unwrap(), &log, serving, Some(tx));
        drain(child.stderr.take().unwrap(), &log, |_| None, None);
        let mut server = PrivateServer {
            child,
            addr: String::new(),
            links: Vec::new(),
            log,
        };
        server.addr = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("hundred serve --private never said where it serves");
        server.links = server
            .log
            .lock()
            .unwrap()
            .iter()
            .filter_map(|line| {
                let (name, rest) = line.strip_prefix("  ")?.split_once(": http://")?;
                Some((name.to_string(), format!("http://{rest}")))
            })
            .collect();
        server
    }

    /// The link it printed for the client named `name`: (the portal's folder, the key).
    fn link(&self, name: &str) -> (String, String) {
        let (_, link) = self
            .links
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no link printed for {name}: {:?}", self.links));
        let (folder, key) = link
            .split_once("#k=")
            .unwrap_or_else(|| panic!("the link for {name} has no key: {link}"));
        assert!(
            folder.starts_with(&format!("http://{}/portal/", self.addr)) && folder.ends_with('/'),
            "the link for {name} is not a folder of the served portal: {link}"
        );
        assert!(!key.is_empty(), "{link}");
        (folder.to_string(), key.to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// The browser

/// Panics with the exceptions the page threw and did not catch, if it threw any.
fn assert_no_exceptions(page: &mut Cdp, what: &str) {
    let thrown = page.take_events("Runtime.exceptionThrown");
    assert!(
        thrown.is_empty(),
        "{what}: uncaught exception(s) in the page: {:#}",
        Value::Array(thrown)
    );
}

fn text_of(state: &Value) -> &str {
    state["text"].as_str().unwrap_or("")
}

fn strings(state: &Value, field: &str) -> Vec<String> {
    state[field]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// True once the shell has written the real page (at `path`) and it has loaded.
fn opened(state: &Value, path_ends: &str, words: &[&str]) -> bool {
    state["shell"] == false
        && state["ready"] == "complete"
        && state["path"]
            .as_str()
            .is_some_and(|p| p.ends_with(path_ends))
        && words.iter().all(|w| text_of(state).contains(w))
}

/// What a reader who cannot open the page sees: only `section` of the shell's explanations,
/// the firm's contact details, and nothing of the client.
fn assert_explains(state: &Value, section: &str, firm_email: &str, client: &ClientFacts) {
    let text = text_of(state);
    assert_eq!(state["shell"], true, "the page opened: {state:#}");
    for other in ["missing", "wrong", "failed", "insecure", "unlock"] {
        assert_eq!(
            state[other],
            other == section,
            "`{other}` shown or hidden wrongly: {state:#}"
        );
    }
    assert_eq!(state["contact"], true, "no contact details: {state:#}");
    assert!(text.contains(firm_email), "no firm e-mail in: {text}");
    assert!(
        !text.contains(&client.file.name),
        "the client's name is shown: {text}"
    );
}

#[test]
#[ignore = "needs Chromium (apt-get install chromium); CI runs it with --include-ignored"]
fn a_client_link_opens_the_portal_and_nothing_else_does() {
    let chromium = chromium();
    let facts = read_example();
    let greenway = facts.client("greenway-cycles");
    let brightwater = facts.client("brightwater-housing");
    let dir = copy_site(&example());
    let server = PrivateServer::start(dir.path(), &[]);
    let (folder, key) = server.link(&greenway.file.name);
    let (_, other_key) = server.link(&brightwater.file.name);
    assert_ne!(key, other_key);
    let browser = start_browser(&chromium, "about:blank");
    let started = Instant::now();

    // 1. The magic link: the welcome page, the key out of the address bar and kept for the tab.
    let mut reader = browser.isolated_page("the client's tab");
    reader.navigate(&format!("{folder}#k={key}"));
    let owner = &greenway.file.contacts[0].name;
    let welcome = reader.eventually("the welcome page to open", STATE, |s| {
        opened(s, "/", &[&greenway.file.name, owner])
    });
    assert_eq!(welcome["href"], folder.as_str(), "{welcome:#}");
    let href = welcome["href"].as_str().unwrap();
    assert!(!href.contains("#k=") && !href.contains(&key), "{href}");
    assert!(
        strings(&welcome, "session").contains(&key),
        "the key is not kept for the tab: {welcome:#}"
    );
    assert!(
        !strings(&welcome, "local").contains(&key),
        "the key is kept on the device without being asked to: {welcome:#}"
    );
    let h1 = strings(&welcome, "h1");
    assert!(
        !h1.is_empty() && h1.iter().all(|h| !h.is_empty() && h != "Fieldnote Studio"),
        "the shell's heading, not the page's: {h1:?}"
    );
    assert!(
        welcome["title"]
            .as_str()
            .unwrap()
            .contains(&greenway.file.name),
        "{welcome:#}"
    );
    for goal in &greenway.file.goals {
        assert!(
            text_of(&welcome).contains(goal.as_str()),
            "no goal {goal:?}"
        );
    }
    assert_eq!(
        welcome["remember"],
        json!({ "type": "checkbox", "checked": false }),
        "no unticked \"Remember this portal on this device\" box: {welcome:#}"
    );
    assert_no_exceptions(&mut reader, "the welcome page");

    // 2. A reload opens it again, from the kept key: the address has none.
    reader.eval("window.__before_reload = true").unwrap();
    reader.call("Page.reload", json!({})).expect("Page.reload");
    let reloaded = reader.eventually("the welcome page to open again", STATE, |s| {
        s["marker"] == "undefined" && opened(s, "/", &[&greenway.file.name, owner])
    });
    assert_eq!(reloaded["href"], folder.as_str(), "{reloaded:#}");
    assert_no_exceptions(&mut reader, "the reloaded welcome page");

    // The portal's own links, clicked: other shells, opened with the kept key.
    let lead = team_member_name(&greenway.file.team["account-lead"]);
    reader.click(r#"nav a[href$="team/"]"#);
    let team = reader.eventually("the team page to open", STATE, |s| {
        opened(s, "/team/", &[&lead])
    });
    assert_eq!(team["href"], format!("{folder}team/"), "{team:#}");
    assert!(!team["href"].as_str().unwrap().contains(&key));
    assert_no_exceptions(&mut reader, "the team page");

    let step = &greenway.file.touchpoints[0].title;
    reader.click(r#"nav a[href$="journey/"]"#);
    let journey = reader.eventually("the journey page to open", STATE, |s| {
        opened(s, "/journey/", &[step])
    });
    assert_eq!(journey["href"], format!("{folder}journey/"), "{journey:#}");
    let h1 = strings(&journey, "h1");
    assert!(
        h1.iter().any(|h| h.to_lowercase().contains("journey")),
        "not the journey's heading: {h1:?}"
    );
    assert_no_exceptions(&mut reader, "the journey page");
    // What the server sent for those pages was sealed: only the key opened them.
    for page in [&welcome, &team, &journey] {
        let path = page["path"].as_str().unwrap();
        let (status, body) = http_get(&server.addr, &server.addr, path);
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, 200, "GET {path}");
        assert!(
            body.contains("id=\"hundred-sealed\""),
            "GET {path}: not a shell"
        );
        assert!(
            !body.contains(&greenway.file.name),
            "GET {path}: the shell names the client"
        );
    }
    eprintln!(
        "the client's link, a reload and two clicks took {} ms",
        started.elapsed().as_millis()
    );

    // 3. Readers with no key, or the wrong one, each in a fresh context (no kept key, and no
    // tab of the client's to ask): the explanation, never the page, and no script error.
    let cut_short = &key[..key.len() - 6];
    let cases = [
        ("no key", folder.clone(), "missing"),
        (
            "another client's key",
            format!("{folder}#k={other_key}"),
            "wrong",
        ),
        (
            "a key cut short",
            format!("{folder}#k={cut_short}"),
            "wrong",
        ),
    ];
    for (what, url, section) in cases {
        let mut stranger = browser.isolated_page("a stranger's tab");
        stranger.navigate(&url);
        let state = stranger.eventually(&format!("{what}: the `{section}` section"), STATE, |s| {
            s[section] == true
        });
        assert_explains(&state, section, &facts.firm_email, greenway);
        assert!(
            !strings(&state, "session").contains(&key),
            "{what}: {state:#}"
        );
        assert_no_exceptions(&mut stranger, what);
    }

    drop(reader);
    drop(browser);
    drop(server);
}

#[test]
#[ignore = "needs Chromium (apt-get install chromium); CI runs it with --include-ignored"]
fn the_private_internal_site_opens_with_the_team_passphrase() {
    let chromium = chromium();
    let facts = read_example();
    let names: Vec<&str> = facts.clients.iter().map(|c| c.file.name.as_str()).collect();
    let dir = copy_site(&example());
    edit(
        &dir.path().join("hundred.toml"),
        "[internal]\n",
        "[internal]\nprivate = true\n",
    );
    let passphrase = "tidal-moss-lantern-orbit";
    let server = PrivateServer::start(dir.path(), &[("HUNDRED_TEAM_PASSPHRASE", passphrase)]);
    let overview = format!("http://{}/internal/", server.addr);
    let browser = start_browser(&chromium, "about:blank");
    let mut team = browser.isolated_page("a team member's tab");
    let started = Instant::now();

    // The overview's shell: the form, and nothing about any client (not even in its source).
    team.navigate(&overview);
    let locked = team.eventually("the unlock form", STATE, |s| s["unlock"] == true);
    assert_eq!(locked["shell"], true);
    assert_eq!(locked["password"], true, "no password field: {locked:#}");
    assert_eq!(
        locked["button"],
        json!({ "text": "Unlock", "disabled": false })
    );
    let source = team
        .eval("document.documentElement.outerHTML")
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    for name in &names {
        assert!(!source.contains(name), "the locked page names {name}");
        assert!(!text_of(&locked).contains(name));
    }
    assert_no_exceptions(&mut team, "the locked overview");

    // A wrong passphrase: refused, the form still there.
    team.eval("document.getElementById('hundred-passphrase').focus()")
        .unwrap();
    team.type_text("not the team passphrase");
    team.click("#hundred-unlock button");
    let refused = team.eventually("the refusal", STATE, |s| {
        s["status"] == "That passphrase does not unlock this site."
            && s["button"]["disabled"] == false
    });
    assert_eq!(refused["shell"], true, "{refused:#}");
    assert_eq!(refused["unlock"], true, "{refused:#}");
    for name in &names {
        assert!(!text_of(&refused).contains(name));
    }
    assert!(
        strings(&refused, "session").is_empty(),
        "a key kept from a wrong passphrase: {refused:#}"
    );
    assert_no_exceptions(&mut team, "the refused passphrase");

    // The right one: the overview, with every client.
    team.eval(
        "(() => { const i = document.getElementById('hundred-passphrase'); \
         i.value = ''; i.focus(); })()",
    )
    .unwrap();
    team.type_text(passphrase);
    team.click("#hundred-unlock button");
    let unlocked = team.eventually("the overview to open", STATE, |s| {
        opened(s, "/internal/", &names)
    });
    assert!(
        strings(&unlocked, "h1")
            .iter()
            .any(|h| h.contains("Overview")),
        "{unlocked:#}"
    );
    let session = strings(&unlocked, "session");
    assert!(!session.is_empty(), "no key kept for the tab: {unlocked:#}");
    for kept in session.iter().chain(&strings(&unlocked, "local")) {
        assert!(
            !kept.contains(passphrase),
            "the passphrase itself is stored: {unlocked:#}"
        );
    }
    assert_no_exceptions(&mut team, "the unlocked overview");

    // Another page of the site: opens with the kept key, no form.
    team.click(r#"nav a[href$="clients/"]"#);
    let clients = team.eventually("the clients page to open", STATE, |s| {
        opened(s, "/internal/clients/", &names)
    });
    assert_eq!(clients["unlock"], false, "{clients:#}");
    assert!(
        strings(&clients, "h1")
            .iter()
            .any(|h| h.contains("Clients")),
        "{clients:#}"
    );
    assert_no_exceptions(&mut team, "the clients page");
    eprintln!(
        "locked, refused, unlocked and moved on in {} ms",
        started.elapsed().as_millis()
    );

    drop(team);
    drop(browser);
    drop(server);
}

// ---------------------------------------------------------------------------------------------
// The published bytes

/// What a stranger must not read in a private portal's published files: each client's name,
/// its contacts' names, e-mails and phones, and its goals, as its file writes them, with what
/// each one is.
fn private_words(example: &Example) -> Vec<(String, String)> {
    let mut words = Vec::new();
    for c in &example.clients {
        let id = &c.id;
        words.push((c.file.name.clone(), format!("the name of {id}")));
        for contact in &c.file.contacts {
            words.push((contact.name.clone(), format!("a contact's name of {id}")));
            words.push((contact.email.clone(), format!("a contact's e-mail of {id}")));
            if let Some(phone) = &contact.phone {
                words.push((phone.clone(), format!("a contact's phone of {id}")));
            }
        }
        for goal in &c.file.goals {
            words.push((goal.clone(), format!("a goal of {id}")));
        }
    }
    words
}

/// The contacts' phone numbers as a `tel:` link dials them (`+441174960000`).
fn dialled_phones(example: &Example) -> Vec<(String, String)> {
    let mut phones = Vec::new();
    for c in &example.clients {
        for phone in c.file.contacts.iter().filter_map(|c| c.phone.as_ref()) {
            let dial: String = phone
                .chars()
                .filter(|ch| ch.is_ascii_digit() || *ch == '+')
                .collect();
            let what = format!("a contact's phone of {}, as dialled", c.id);
            phones.push((dial, what));
        }
    }
    phones
}

/// Lower case, every run of white space one space, and the pages' typography undone (curly
/// quotes and apostrophes straight, dashes hyphens, an ellipsis three dots), so a word is found
/// however a page sets it.
fn normalized(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .replace(['‘', '’'], "'")
        .replace(['“', '”'], "\"")
        .replace("—", "---")
        .replace("–", "--")
        .replace('…', "...")
}

/// `text` with HTML character references decoded (the numeric ones and the named ones a
/// writer of these files might use).
fn html_decoded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.bytes().take(12).position(|b| b == b';');
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let ch = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X"))
            {
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse().ok().and_then(char::from_u32)
            } else {
                match name {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "nbsp" => Some(' '),
                    "rsquo" => Some('’'),
                    "lsquo" => Some('‘'),
                    "ldquo" => Some('“'),
                    "rdquo" => Some('”'),
                    "ndash" => Some('–'),
                    "mdash" => Some('—'),
                    _ => None,
                }
            }?;
            Some((ch, end + 1))
        });
        match decoded {
            Some((ch, len)) => {
                out.push(ch);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `text` with `%XX` escapes decoded (as in a link's query), where they make UTF-8.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `text` as a calendar reader reads it: folded lines joined, `\,` `\;` `\\` `\n` unescaped.
fn ics_unfolded(text: &str) -> String {
    let joined = text
        .replace("\r\n ", "")
        .replace("\r\n\t", "")
        .replace("\n ", "")
        .replace("\n\t", "");
    joined
        .replace("\\n", " ")
        .replace("\\N", " ")
        .replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\\\", "\\")
}

/// The ways a published file can be read: as it is, as HTML or a link decodes it, as a
/// calendar app does; normalized, to search for normalized words.
fn readings(bytes: &[u8]) -> [String; 3] {
    let raw = String::from_utf8_lossy(bytes);
    [
        normalized(&raw),
        normalized(&percent_decoded(&html_decoded(&raw))),
        normalized(&ics_unfolded(&raw)),
    ]
}

/// Each (file, word, what the word is) for a word of `words` that some reading of a file of
/// `files` holds.
fn found_in(
    files: &BTreeMap<String, Vec<u8>>,
    words: &[(String, String)],
) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    for (path, bytes) in files {
        let readings = readings(bytes);
        for (word, what) in words {
            let word = normalized(word);
            if readings.iter().any(|r| r.contains(&word)) {
                found.push((path.clone(), word, what.clone()));
            }
        }
    }
    found
}

#[test]
fn the_published_portal_holds_no_client_data() {
    let facts = read_example();
    let words = private_words(&facts);
    assert!(
        words.len() >= facts.clients.len() * 4,
        "too few words to look for: {words:?}"
    );

    let out = build(&example());
    let files = read_tree(&out.path().join("public/portal"));
    // What is scanned is the sealed portal: a folder per client, its pages shells.
    let shells = files
        .values()
        .filter(|b| String::from_utf8_lossy(b).contains("id=\"hundred-sealed\""))
        .count();
    assert!(
        shells >= facts.clients.len() * 3,
        "only {shells} sealed pages in {:?}",
        files.keys().collect::<Vec<_>>()
    );
    for c in &facts.clients {
        assert!(
            !files.keys().any(|p| p.starts_with(&format!("{}/", c.id))),
            "a portal folder named by the client's id: {}",
            c.id
        );
    }
    let mut searched = words.clone();
    searched.extend(dialled_phones(&facts));
    let leaks = found_in(&files, &searched);
    assert!(
        leaks.is_empty(),
        "the published portal holds client data:\n{}",
        leaks
            .iter()
            .map(|(path, word, what)| format!("  portal/{path}: {word:?} ({what})"))
            .collect::<Vec<_>>()
            .join("\n")
    );

    // The same search finds every word in the unencrypted preview of the same site: it is
    // looking for what the portal really shows.
    let preview = build_preview(&example());
    let files = read_tree(&preview.path().join("public/portal"));
    let seen = found_in(&files, &words);
    let unseen: Vec<&(String, String)> = words
        .iter()
        .filter(|(word, _)| !seen.iter().any(|(_, w, _)| *w == normalized(word)))
        .collect();
    assert!(
        unseen.is_empty(),
        "the search does not find these in the preview, so it would not find them in the \
         portal either: {unseen:?}"
    );
}
