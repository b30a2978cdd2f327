//! `hundred serve` as a user meets it: pages over HTTP, edits that show up, mistakes that show
//! as errors while the last good pages stay up, and no way out of the output folder.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::*;

/// Polls `path` until `pred` holds for its body, or fails after 15 s.
fn eventually(server: &Server, path: &str, what: &str, pred: impl Fn(u16, &str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let (status, body) = server.get(path);
        if pred(status, &body) {
            return body;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "{what}: {path} never did (last status {status})"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serves_pages_and_follows_edits() {
    let dir = copy_fixture("canary");
    let site = dir.path();
    let server = Server::start(site);

    let (status, body) = server.get("/portal/acme/");
    assert_eq!(status, 200);
    assert!(body.contains("Welcome, Wile."));
    assert!(
        body.contains("/__hundred/live.js"),
        "live-reload script injected"
    );
    let (status, index) = server.get("/");
    assert_eq!(status, 200);
    assert!(index.contains("/internal/") && index.contains("/portal/acme/"));
    assert_eq!(server.get("/portal/acme").0, 301);
    let (status, body) = server.get("/portal/acme/no-such-page/");
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"), "the theme's 404 page");

    // Edit a profile: the new content is served.
    edit(&site.join("clients/acme.yaml"), "delighted", "overjoyed");
    eventually(&server, "/portal/acme/", "profile edit", |_, b| {
        b.contains("overjoyed")
    });

    // A new client appears; a deleted one disappears.
    std::fs::write(
        site.join("clients/newco.yaml"),
        std::fs::read_to_string(site.join("clients/acme.yaml"))
            .unwrap()
            .replace("Acme Widgets", "Newco Ltd"),
    )
    .unwrap();
    eventually(&server, "/portal/newco/", "new client", |s, b| {
        s == 200 && b.contains("Newco Ltd")
    });
    std::fs::remove_file(site.join("clients/hostile.yaml")).unwrap();
    eventually(&server, "/portal/hostile/", "deleted client", |s, _| {
        s == 404
    });

    // Break a file: the old page is still served, with the error shown over it.
    edit(
        &site.join("clients/acme.yaml"),
        "engineer: bo",
        "engineer: nobody",
    );
    let broken = eventually(&server, "/portal/acme/", "error overlay", |_, b| {
        b.contains("data-error=")
    });
    assert!(
        broken.contains("overjoyed"),
        "the last good page is still served"
    );
    assert!(broken.contains("nobody"), "the error names the problem");
    // Fix it: the error is gone.
    edit(
        &site.join("clients/acme.yaml"),
        "engineer: nobody",
        "engineer: bo",
    );
    eventually(&server, "/portal/acme/", "error cleared", |_, b| {
        !b.contains("data-error=")
    });
}

#[test]
fn never_serves_a_file_outside_the_output() {
    let dir = copy_fixture("canary");
    std::fs::write(dir.path().join("SECRET.txt"), "CANARY-OUTSIDE-OUTPUT").unwrap();
    let server = Server::start(dir.path());
    for path in [
        "/../SECRET.txt",
        "/portal/../../SECRET.txt",
        "/%2e%2e/SECRET.txt",
        "/portal/%2e%2e/%2e%2e/SECRET.txt",
        "/portal/..%2f..%2fSECRET.txt",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/..%5c..%5cSECRET.txt",
        "/clients/acme.yaml",
        "/hundred.toml",
        "/../../../../../../etc/passwd",
    ] {
        let (status, body) = server.get(path);
        assert_eq!(status, 404, "{path}");
        assert!(
            !body.contains("CANARY-OUTSIDE-OUTPUT") && !body.contains("root:x:0"),
            "{path} leaked a file"
        );
        assert!(
            !body.contains("Canary & Co\"\nemail"),
            "{path} served the settings"
        );
    }
}

#[test]
fn the_live_reload_connection_announces_changed_pages() {
    let dir = copy_fixture("canary");
    let site = dir.path().to_path_buf();
    let server = Server::start(&site);
    let (_, page) = server.get("/portal/acme/journey/");
    let version: u64 = page
        .split("data-version=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .parse()
        .unwrap();
    let addr = server.addr.clone();
    let waiter = std::thread::spawn(move || {
        let (status, body) = http_get(&addr, &addr, &format!("/__hundred/wait?after={version}"));
        (status, String::from_utf8_lossy(&body).into_owned())
    });
    std::thread::sleep(Duration::from_millis(300));
    edit(
        &site.join("journey/010-first-invoice.md"),
        "Your first invoice",
        "Your very first invoice",
    );
    let (status, body) = waiter.join().unwrap();
    assert_eq!(status, 200);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(json["version"].as_u64().unwrap() > version);
    let changed: Vec<&str> = json["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        changed.contains(&"/portal/acme/journey/index.html"),
        "{changed:?}"
    );
    assert!(
        !changed.contains(&"/portal/acme/team/index.html"),
        "unaffected pages are not reloaded: {changed:?}"
    );
    assert!(json["error"].is_null());
}

#[test]
fn answers_only_requests_for_this_machine() {
    let dir = copy_fixture("canary");
    let server = Server::start(dir.path());
    let port = server.addr.rsplit(':').next().unwrap().to_string();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "localhost".to_string(),
        format!("[::1]:{port}"),
    ] {
        let (status, _) = server.get_for_host("/internal/", &host);
        assert_eq!(status, 200, "{host}");
    }
    for host in [
        format!("attacker.example:{port}"),
        "attacker.example".to_string(),
        format!("localhost.attacker.example:{port}"),
        format!("10.1.2.3:{port}"),
    ] {
        for path in [
            "/internal/",
            "/portal/acme/",
            "/",
            "/__hundred/wait?after=0",
        ] {
            let (status, body) = server.get_for_host(path, &host);
            assert_eq!(status, 421, "{host} {path}");
            assert!(
                !body.contains("Acme") && !body.contains("CANARY"),
                "{host} {path} got content: {body}"
            );
            assert!(body.contains("--bind"), "says what to do: {body}");
        }
    }
}

/// The `Host` check cannot be side-stepped: a second `Host` header, a request line that names a
/// host of its own (absolute form), or a name with more after it than a port.
#[test]
fn the_host_check_has_no_side_door() {
    let dir = copy_fixture("canary");
    let server = Server::start(dir.path());
    let port = server.addr.rsplit(':').next().unwrap().to_string();
    let local = format!("localhost:{port}");
    let refused = [
        (
            "http://attacker.example/internal/".to_string(),
            local.clone(),
        ),
        (
            "/internal/".to_string(),
            format!("{local}\r\nHost: attacker.example"),
        ),
        (
            "/internal/".to_string(),
            format!("attacker.example\r\nHost: {local}"),
        ),
        (
            "/internal/".to_string(),
            "[::1]attacker.example".to_string(),
        ),
        ("/internal/".to_string(), "localhost..".to_string()),
    ];
    for (path, host) in refused {
        let (status, body) = server.get_for_host(&path, &host);
        assert_eq!(status, 421, "{path} for {host:?}");
        assert!(!body.contains("Acme"), "{body}");
    }
    let (status, _) = server.get_for_host(&format!("http://{local}/internal/"), &local);
    assert_eq!(status, 200);
}

#[test]
fn idle_and_half_sent_connections_neither_stall_it_nor_stay_open() {
    let dir = copy_fixture("canary");
    let server = Server::start(dir.path());
    // 300 connections that never send a request, and some that stop half-way through one.
    let mut idle: Vec<TcpStream> = (0..300)
        .map(|_| TcpStream::connect(&server.addr).unwrap())
        .collect();
    for stream in idle.iter_mut().take(20) {
        stream.write_all(b"GET /internal/ HTTP/1.1\r\nHo").unwrap();
    }
    // A real request is still answered.
    let (status, body) = server.get("/portal/acme/");
    assert_eq!(status, 200);
    assert!(body.contains("Acme"));
    // The server closes them itself (a read returns end-of-file, or the reset).
    let started = Instant::now();
    for stream in idle.iter_mut().step_by(15) {
        stream
            .set_read_timeout(Some(Duration::from_secs(40)))
            .unwrap();
        let mut buf = [0u8; 512];
        let closed = loop {
            match stream.read(&mut buf) {
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    break false
                }
                Ok(0) | Err(_) => break true,
                // hyper may answer a timed-out half request with an error status first.
                Ok(_) => continue,
            }
        };
        assert!(closed, "an idle connection was still open after 40 s");
    }
    assert!(started.elapsed() < Duration::from_secs(40));
}

/// The version of the output a page was served from.
fn version_of(server: &Server) -> u64 {
    let (_, page) = server.get("/internal/");
    page.split("data-version=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .parse()
        .unwrap()
}

/// Makes an edit and waits for the rebuild it causes: returns `/__hundred/wait`'s answer, whose
/// `error` is what the overlay shows (null when the site is fine).
fn after(server: &Server, change: impl FnOnce()) -> serde_json::Value {
    let version = version_of(server);
    change();
    let (status, body) = server.get(&format!("/__hundred/wait?after={version}"));
    assert_eq!(status, 200);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        json["version"].as_u64().unwrap() > version,
        "no rebuild followed the edit"
    );
    json
}

fn check_passes(site: &std::path::Path) -> bool {
    hundred()
        .args(["check", "--today", TODAY])
        .arg(site)
        .output()
        .unwrap()
        .status
        .success()
}

#[test]
fn a_typo_stays_reported_after_another_file_is_saved() {
    let dir = copy_fixture("canary");
    let site = dir.path();
    let server = Server::start(site);
    let json = after(&server, || {
        edit(
            &site.join("clients/acme.yaml"),
            "account-lead: ann",
            "account-lead: annn",
        )
    });
    assert!(json["error"].as_str().unwrap().contains("annn"), "{json}");
    // Saving another, unrelated file does not make serve forget the typo.
    let json = after(&server, || {
        edit(&site.join("clients/hostile.yaml"), "bold", "strong")
    });
    let error = json["error"]
        .as_str()
        .unwrap_or_else(|| panic!("the error was cleared: {json}"));
    assert!(error.contains("annn"), "{error}");
    assert!(!check_passes(site));
    let (_, page) = server.get("/portal/acme/");
    assert!(page.contains("data-error="), "the overlay is still shown");
}

#[test]
fn a_settings_save_that_failed_is_applied_once_the_scripts_agree() {
    let dir = copy_fixture("canary");
    let site = dir.path();
    let server = Server::start(site);
    let json = after(&server, || {
        let toml = site.join("hundred.toml");
        let text = std::fs::read_to_string(&toml).unwrap();
        std::fs::write(
            &toml,
            format!("{text}\n[journey]\nstages = [\"onboarding\", \"active\"]\n"),
        )
        .unwrap();
    });
    assert!(
        json["error"].as_str().unwrap().contains("customer"),
        "{json}"
    );
    // Fixing the scripts makes the new stage list take effect, as `check` says it does.
    let scripts: Vec<_> = std::fs::read_dir(site.join("journey"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let n = scripts.len();
    for (i, script) in scripts.into_iter().enumerate() {
        let fix = || {
            let text = std::fs::read_to_string(&script).unwrap();
            let fixed: Vec<&str> = text
                .lines()
                .map(|l| {
                    if l.starts_with("stage:") {
                        "stage: onboarding"
                    } else {
                        l
                    }
                })
                .collect();
            std::fs::write(&script, fixed.join("\n") + "\n").unwrap();
        };
        if i + 1 < n {
            fix();
            std::thread::sleep(Duration::from_millis(20));
        } else {
            let json = eventually_clear(&server, fix);
            assert!(json["error"].is_null(), "{json}");
        }
    }
    assert!(check_passes(site));
    let (_, clients) = server.get("/internal/clients/");
    assert!(clients.contains("onboarding"), "the new stages are shown");
}

/// Makes an edit and waits until the overlay clears (a burst of saves may be applied in more
/// than one rebuild); fails after 15 s.
fn eventually_clear(server: &Server, change: impl FnOnce()) -> serde_json::Value {
    let mut json = after(server, change);
    let start = Instant::now();
    while !json["error"].is_null() && start.elapsed() < Duration::from_secs(15) {
        let v = json["version"].as_u64().unwrap();
        let (_, body) = server.get(&format!("/__hundred/wait?after={v}"));
        json = serde_json::from_str(&body).unwrap();
    }
    json
}

#[test]
fn a_file_deleted_while_the_site_had_an_error_stays_deleted() {
    let dir = copy_fixture("canary");
    let site = dir.path();
    let server = Server::start(site);
    let json = after(&server, || {
        std::fs::write(
            site.join("team/dee.yaml"),
            std::fs::read_to_string(site.join("team/ann.yaml"))
                .unwrap()
                .replace("Ann Lead", "Dee Extra")
                .replace("roles: [account-lead]", "roles: []"),
        )
        .unwrap();
    });
    assert!(json["error"].is_null(), "{json}");
    assert_eq!(server.get("/internal/team/dee/").0, 200);
    let json = after(&server, || {
        edit(
            &site.join("clients/acme.yaml"),
            "start: 2026-11-17",
            "start: 2026-13-45",
        )
    });
    assert!(!json["error"].is_null());
    let json = after(&server, || {
        std::fs::remove_file(site.join("team/dee.yaml")).unwrap()
    });
    assert!(!json["error"].is_null(), "acme's start is still wrong");
    let json = after(&server, || {
        edit(
            &site.join("clients/acme.yaml"),
            "start: 2026-13-45",
            "start: 2026-11-17",
        )
    });
    assert!(json["error"].is_null(), "{json}");
    assert_eq!(
        server.get("/internal/team/dee/").0,
        404,
        "the deleted member's page is gone"
    );
}

#[test]
fn a_title_edit_reaches_every_page_that_shows_the_title() {
    let dir = copy_fixture("canary");
    let site = dir.path();
    let server = Server::start(site);
    let json = after(&server, || {
        edit(
            &site.join("journey/010-first-invoice.md"),
            "title: First invoice, explained",
            "title: Your first bill line by line",
        )
    });
    assert!(json["error"].is_null(), "{json}");
    for path in [
        "/portal/acme/journey/",
        "/portal/acme/journey.ics",
        "/portal/acme/print/",
        "/internal/",
        "/internal/calendar.ics",
        "/internal/clients/acme/",
        "/internal/clients/acme/touchpoints.ics",
        "/internal/team/cy/",
        "/internal/team/cy/calendar.ics",
    ] {
        // Calendars come after the pages a browser shows (those are published first).
        let body = eventually(&server, path, "the new title", |s, b| {
            s == 200 && b.contains("Your first bill line by line")
        });
        assert!(!body.contains("First invoice"), "{path}");
    }
}
