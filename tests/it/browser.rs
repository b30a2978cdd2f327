//! `hundred serve` in a real browser: headless Chromium, driven over the DevTools protocol,
//! shows a portal page; saving that client's file makes the page reload by itself, and a page
//! the edit does not touch stays as it was.
//!
//! Needs Chromium (`apt-get install chromium`), so it is `#[ignore]`d: CI runs it with
//! `cargo test -- --include-ignored`, and there a missing Chromium fails it.
#![cfg(unix)]

use std::time::Instant;

use serde_json::json;

use crate::support::*;

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
