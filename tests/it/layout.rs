//! Every kind of page, as a reader meets it in headless Chromium at a phone's width (390 px)
//! and a laptop's (1280 px), judged by what the browser can answer:
//!
//! - axe-core (vendored in `tests/vendor/axe-core/`) finds no accessibility violation;
//! - every link and control shows a visible focus style when the keyboard reaches it;
//! - nothing is wider than the window (outside a sideways-scrolling table), the page never
//!   scrolls sideways, the welcome page's next step starts on a phone's first screen, dates and
//!   day numbers on the journey stay whole, e-mail addresses break only before an @ or a dot,
//!   team cards line up across a row and a member's tables share their column widths.
//!
//! A screenshot of each page at each width is saved under `CARGO_TARGET_TMPDIR/layout/` (the
//! path is printed), to look at.
//!
//! Needs Chromium (`apt-get install chromium`), so these are `#[ignore]`d: CI runs them with
//! `cargo test -- --include-ignored`, and there a missing Chromium fails them.
#![cfg(unix)]

use std::fs;
use std::path::{Path, PathBuf};

use base64::Engine;
use serde_json::{json, Value};
use tempfile::TempDir;

use crate::support::*;

/// The widths every page is looked at: a phone and a laptop.
const WIDTHS: [u32; 2] = [390, 1280];

/// The height of a phone's first screen at 390 px (an iPhone 12 to 15).
const PHONE_FOLD: u32 = 844;

/// The example, built as `serve` previews it, and one page of every kind in it.
struct Pages {
    out: TempDir,
    /// (what the page is, its path under `public/`).
    list: Vec<(&'static str, String)>,
}

/// The client the portal and runbook pages are of: one with next steps, a team of several
/// people, tables and task lists in its runbook.
const CLIENT: &str = "oakfield-vets";

impl Pages {
    fn build() -> Pages {
        // One of the team's photos is a JPEG, made into a <picture>; the others are SVGs.
        let site = crate::photos::example_with_a_jpeg_photo();
        let out = build_preview(site.path());
        let public = out.path().join("public");
        let member = first_folder(&public.join(format!("portal/{CLIENT}/team")));
        // A chapter with a table and a task list, where the playbook has one.
        let chapters = public.join("internal/playbook");
        let mut chapter_ids: Vec<String> = fs::read_dir(&chapters)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.path().join("index.html").is_file() && e.file_name() != "print")
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        chapter_ids.sort();
        let chapter = chapter_ids
            .iter()
            .find(|id| {
                let html = read(&chapters.join(id).join("index.html"));
                html.contains("<table") && html.contains("type=\"checkbox\"")
            })
            .or(chapter_ids.first())
            .expect("the example has playbook chapters")
            .clone();
        let list = vec![
            ("portal index", "portal/index.html".to_string()),
            ("portal 404", "portal/404.html".to_string()),
            ("welcome", format!("portal/{CLIENT}/index.html")),
            ("team", format!("portal/{CLIENT}/team/index.html")),
            (
                "member",
                format!("portal/{CLIENT}/team/{member}/index.html"),
            ),
            ("journey", format!("portal/{CLIENT}/journey/index.html")),
            ("welcome pack", format!("portal/{CLIENT}/print/index.html")),
            ("overview", "internal/index.html".to_string()),
            ("internal 404", "internal/404.html".to_string()),
            ("clients", "internal/clients/index.html".to_string()),
            ("runbook", format!("internal/clients/{CLIENT}/index.html")),
            (
                "runbook print",
                format!("internal/clients/{CLIENT}/print/index.html"),
            ),
            ("team directory", "internal/team/index.html".to_string()),
            ("team member", format!("internal/team/{member}/index.html")),
            ("playbook", "internal/playbook/index.html".to_string()),
            ("chapter", format!("internal/playbook/{chapter}/index.html")),
            (
                "playbook print",
                "internal/playbook/print/index.html".to_string(),
            ),
        ];
        for (what, path) in &list {
            assert!(
                public.join(path).is_file(),
                "the {what} page {path} was not built"
            );
        }
        Pages { out, list }
    }

    /// Beside [`Pages::list`], the pages whose content differs most from client to client
    /// (steps done, open, skipped or moved), for every other client.
    fn other_clients(&self) -> Vec<(&'static str, String)> {
        let mut list = Vec::new();
        for client in example_clients().into_iter().filter(|c| c != CLIENT) {
            list.push(("journey", format!("portal/{client}/journey/index.html")));
            list.push(("welcome pack", format!("portal/{client}/print/index.html")));
            list.push(("runbook", format!("internal/clients/{client}/index.html")));
        }
        list
    }

    fn url(&self, path: &str) -> String {
        format!(
            "file://{}",
            self.out.path().join("public").join(path).display()
        )
    }
}

/// The first folder in `dir`, by name.
fn first_folder(dir: &Path) -> String {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no folder in {}", dir.display()))
}

/// A page in its own browser context, at a width.
struct Reader {
    _browser: Browser,
    page: Cdp,
}

impl Reader {
    fn start() -> Reader {
        let browser = start_browser(&chromium(), "about:blank");
        let page = browser.isolated_page("layout");
        Reader {
            _browser: browser,
            page,
        }
    }

    /// Opens `url` in a window `width` wide (a phone's, with its viewport rules, below 600)
    /// and waits until it has loaded, with its fonts.
    fn open(&mut self, url: &str, width: u32) {
        let height = if width < 600 { PHONE_FOLD } else { 900 };
        self.page
            .call(
                "Emulation.setDeviceMetricsOverride",
                json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600 }),
            )
            .expect("Emulation.setDeviceMetricsOverride");
        // A mark on the page before, so the wait below cannot take it for the new one.
        let _ = self.page.eval("window.__layout_old = true");
        self.page.navigate(url);
        let url_js = serde_json::to_string(url).unwrap();
        self.page.eventually(
            &format!("{url} loads"),
            &format!(
                "window.__layout_old === undefined && location.href === {url_js} \
                 && document.readyState === 'complete' && document.fonts.status === 'loaded'"
            ),
            |v| *v == true,
        );
    }

    /// Evaluates `expression`, waiting for the promise it gives.
    fn eval_async(&mut self, expression: &str) -> Value {
        let result = self
            .page
            .call(
                "Runtime.evaluate",
                json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
            )
            .unwrap_or_else(|e| panic!("Runtime.evaluate: {e}"));
        if let Some(details) = result.get("exceptionDetails") {
            panic!("the page threw: {details}");
        }
        result["result"]["value"].clone()
    }

    fn eval(&mut self, expression: &str) -> Value {
        self.page
            .eval(expression)
            .unwrap_or_else(|e| panic!("the page threw: {e}"))
    }

    /// The whole page as a PNG.
    fn screenshot(&mut self, to: &Path) {
        let shot = self
            .page
            .call(
                "Page.captureScreenshot",
                json!({ "format": "png", "captureBeyondViewport": true }),
            )
            .expect("Page.captureScreenshot");
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        fs::write(to, png).unwrap();
    }
}

/// axe-core, as vendored.
fn axe_source() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vendor/axe-core/axe.min.js");
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs every axe-core rule (WCAG 2.0 to 2.2 A and AA, and best practices) on the open page;
/// its violations, in words.
const AXE_RUN: &str = r#"axe.run(document, { resultTypes: ["violations"] }).then(r => r.violations.map(v =>
    `[${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} element${v.nodes.length === 1 ? "" : "s"})\n` +
    v.nodes.slice(0, 5).map(n => `      ${n.target.join(" ")}: ${n.failureSummary.replace(/\s+/g, " ")}`).join("\n")))"#;

#[test]
#[ignore = "needs Chromium (apt-get install chromium); CI runs it with --include-ignored"]
fn axe_finds_no_violation_on_any_kind_of_page() {
    // One page of every kind, and the pages that differ most between clients for every other
    // client (a skipped or open step has colours of its own).
    let pages = Pages::build();
    let axe = axe_source();
    let mut reader = Reader::start();
    let mut found = Vec::new();
    let mut checked = 0;
    let every = [pages.list.clone(), pages.other_clients()].concat();
    for (what, path) in &every {
        for width in WIDTHS {
            reader.open(&pages.url(path), width);
            reader.eval(&format!("{axe}\n;0"));
            let violations = reader.eval_async(AXE_RUN);
            let violations = violations.as_array().expect("axe's violations");
            for v in violations {
                found.push(format!(
                    "{what} ({path}) at {width}px: {}",
                    v.as_str().unwrap()
                ));
            }
            checked += 1;
        }
    }
    assert_eq!(checked, every.len() * WIDTHS.len());
    assert!(
        found.is_empty(),
        "axe-core found {} violation(s):\n{}",
        found.len(),
        found.join("\n")
    );
}

/// Before any key is pressed: how every element the keyboard can reach looks, kept on the
/// page to compare with.
const FOCUS_BEFORE: &str = r#"(() => {
    const look = (e) => {
        const parts = [getComputedStyle(e), getComputedStyle(e, "::before"), getComputedStyle(e, "::after")];
        return parts.map(s => [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow].join("|")).join(" / ");
    };
    window.__focusLook = look;
    window.__unfocused = new Map();
    for (const e of document.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex]")) {
        window.__unfocused.set(e, look(e));
    }
    document.activeElement && document.activeElement.blur();
    return window.__unfocused.size;
})()"#;

/// After a Tab: what has focus, and whether it looks different from unfocused with an outline
/// or a shadow that can be seen (on itself or its ::before or ::after).
const FOCUS_NOW: &str = r##"(() => {
    const e = document.activeElement;
    if (!e || e === document.body || e === document.documentElement) return null;
    const name = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
        (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "") +
        ' "' + (e.innerText || e.value || e.getAttribute("aria-label") || "").replace(/\s+/g, " ").trim().slice(0, 40) + '"';
    const visible = (s) => (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 1) ||
        (s.boxShadow !== "none" && s.boxShadow !== "");
    const before = window.__unfocused.get(e);
    const now = window.__focusLook(e);
    const parts = [getComputedStyle(e), getComputedStyle(e, "::before"), getComputedStyle(e, "::after")];
    const shown = now !== before && parts.some(visible);
    if (!e.__layoutId) e.__layoutId = String(Math.random());
    return { id: e.__layoutId, name, shown, known: before !== undefined };
})()"##;

#[test]
#[ignore = "needs Chromium (apt-get install chromium); CI runs it with --include-ignored"]
fn every_link_and_control_shows_where_the_keyboard_is() {
    let pages = Pages::build();
    let mut reader = Reader::start();
    let mut unseen = Vec::new();
    for (what, path) in &pages.list {
        for width in WIDTHS {
            reader.open(&pages.url(path), width);
            let reachable = reader.eval(FOCUS_BEFORE).as_u64().unwrap() as usize;
            let mut visited = std::collections::HashSet::new();
            let mut reached = 0;
            // Tab through the page until focus leaves it or comes back round.
            for _ in 0..reachable + 5 {
                for kind in ["rawKeyDown", "keyUp"] {
                    reader
                        .page
                        .call(
                            "Input.dispatchKeyEvent",
                            json!({ "type": kind, "key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9 }),
                        )
                        .expect("Input.dispatchKeyEvent");
                }
                let now = reader.eval(FOCUS_NOW);
                if now.is_null() {
                    if reached > 0 {
                        break;
                    }
                    continue;
                }
                if !visited.insert(now["id"].as_str().unwrap().to_string()) {
                    break;
                }
                reached += 1;
                if now["shown"] != true {
                    unseen.push(format!(
                        "{what} ({path}) at {width}px: {}{}",
                        now["name"].as_str().unwrap(),
                        if now["known"] == true {
                            ""
                        } else {
                            " (not a link or control?)"
                        }
                    ));
                }
            }
            assert!(
                reached > 0,
                "{what} at {width}px: the Tab key reached nothing on {path}"
            );
        }
    }
    assert!(
        unseen.is_empty(),
        "{} element(s) show no focus style when the keyboard reaches them:\n{}",
        unseen.len(),
        unseen.join("\n")
    );
}

/// What the open page's layout looks like, as far as the assertions below need it.
const MEASURE: &str = r#"(() => {
    // The width the page has: the window's, less a scroll bar.
    const vw = document.documentElement.clientWidth;
    const scrolls = (e) => { const o = getComputedStyle(e).overflowX; return o === "auto" || o === "scroll" || o === "hidden" || o === "clip"; };
    const inScroller = (e) => { for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) if (scrolls(p)) return true; return false; };
    const label = (e) => e.tagName.toLowerCase() + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "");
    const wide = [];
    for (const e of document.body.querySelectorAll("*")) {
        const r = e.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if (e.closest(".visually-hidden, .skip-link")) continue;
        if ((r.right > vw + 0.5 || r.left < -0.5) && !inScroller(e)) {
            wide.push(`${label(e)} from ${Math.round(r.left)} to ${Math.round(r.right)}`);
        }
    }
    // Where a line breaks inside a text that must stay whole, or inside an e-mail address
    // other than before an @ or a dot.
    const lines = (e) => {
        const out = [];
        const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
        let last = null, text = "";
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            if (n.parentElement.closest(".visually-hidden")) continue;
            for (let i = 0; i < n.data.length; i++) {
                const range = document.createRange();
                range.setStart(n, i); range.setEnd(n, i + 1);
                const r = range.getClientRects()[0];
                if (!r) continue;
                if (last !== null && r.top > last + 2 && n.data[i].trim()) out.push(text.length);
                last = r.top;
                text += n.data[i];
            }
        }
        return { text, breaks: out };
    };
    const broken = [];
    for (const e of document.querySelectorAll(".nowrap, .timeline__here, .timeline__asof, a[href^='tel:']")) {
        if (e.getClientRects().length === 0) continue;
        const l = lines(e);
        if (l.breaks.length) broken.push(`"${l.text}" (${label(e)}) breaks into ${l.breaks.length + 1} lines`);
    }
    for (const e of document.querySelectorAll("a[href^='mailto:']")) {
        if (e.getClientRects().length === 0 || e.closest(".visually-hidden")) continue;
        const l = lines(e);
        for (const at of l.breaks) {
            if (!"@.".includes(l.text[at])) broken.push(`the address "${l.text}" breaks before "${l.text.slice(at)}"`);
        }
    }
    const top = (sel) => { const e = document.querySelector(sel); return e ? e.getBoundingClientRect().top + window.scrollY : null; };
    // Cards side by side: each line of a card starts where its neighbours' do.
    const misaligned = [];
    for (const grid of document.querySelectorAll(".card-grid")) {
        const rows = new Map();
        for (const card of grid.children) {
            const t = Math.round(card.getBoundingClientRect().top);
            if (!rows.has(t)) rows.set(t, []);
            rows.get(t).push(card);
        }
        for (const cards of rows.values()) {
            if (cards.length < 2) continue;
            for (const part of [".person__name", ".person__role", ".person__contact"]) {
                const tops = cards.map(c => c.querySelector(part)).filter(Boolean).map(p => Math.round(p.getBoundingClientRect().top));
                if (tops.length > 1 && Math.max(...tops) - Math.min(...tops) > 1) misaligned.push(`${part} at ${tops.join(", ")}`);
            }
        }
    }
    // The column widths of the due tables (a member's page has one per client).
    const columns = [...document.querySelectorAll("table.due")]
        .filter(t => getComputedStyle(t.querySelector("thead")).position !== "absolute")
        .map(t => [...t.querySelectorAll("thead th")].map(th => Math.round(th.getBoundingClientRect().width)).join(" "));
    const here = document.querySelector(".timeline__now");
    const hereItem = here && here.closest(".timeline__item");
    return {
        innerWidth: window.innerWidth,
        vw,
        scrollWidth: document.documentElement.scrollWidth,
        wide: wide.slice(0, 20),
        broken,
        misaligned,
        columns,
        nextStep: top(".next-step"),
        here: here ? {
            first: hereItem === hereItem.parentElement.firstElementChild,
            today: hereItem.classList.contains("step--today"),
        } : null,
    };
})()"#;

#[test]
#[ignore = "needs Chromium (apt-get install chromium); CI runs it with --include-ignored"]
fn pages_fit_phones_and_laptops() {
    let pages = Pages::build();
    let shots: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("layout");
    fs::create_dir_all(&shots).unwrap();
    let mut reader = Reader::start();
    let mut problems = Vec::new();
    for (what, path) in &pages.list {
        for width in WIDTHS {
            reader.open(&pages.url(path), width);
            let m = reader.eval(MEASURE);
            let at = format!("{what} ({path}) at {width}px");
            assert_eq!(m["innerWidth"], width, "{at}: the window's width");
            let scroll_width = m["scrollWidth"].as_u64().unwrap();
            let room = m["vw"].as_u64().unwrap();
            if scroll_width > room {
                problems.push(format!(
                    "{at} scrolls sideways: {scroll_width}px wide in {room}px"
                ));
            }
            for (key, says) in [
                ("wide", "is wider than the window"),
                ("broken", "breaks where it must not"),
                ("misaligned", "cards of one row do not line up"),
            ] {
                for item in m[key].as_array().unwrap() {
                    problems.push(format!("{at}: {says}: {}", item.as_str().unwrap()));
                }
            }
            let columns: Vec<&str> = m["columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
                .collect();
            if columns.windows(2).any(|w| w[0] != w[1]) {
                problems.push(format!(
                    "{at}: its tables' columns differ in width: {columns:?}"
                ));
            }
            if *what == "welcome" {
                let next = m["nextStep"]
                    .as_f64()
                    .unwrap_or_else(|| panic!("{at}: no next step on the welcome page"));
                if width < 600 && next >= f64::from(PHONE_FOLD) {
                    problems.push(format!(
                        "{at}: the next step starts at {next}px, below the first screen \
                         ({PHONE_FOLD}px)"
                    ));
                }
            }
            if *what == "journey" {
                let here = &m["here"];
                if here["first"] == true || here["today"] == true {
                    problems.push(format!(
                        "{at}: \"You are here\" stands above the first step or a step of \
                         today: {here}"
                    ));
                }
            }
            let name = what.replace(' ', "-");
            let shot = shots.join(format!("{name}-{width}.png"));
            reader.screenshot(&shot);
        }
    }
    eprintln!("screenshots: {}", shots.display());
    assert!(
        problems.is_empty(),
        "{} layout problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
