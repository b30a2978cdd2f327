//! Search on the team site (`src/search.rs`): the index is written into the internal site and
//! nowhere else, never for a private team site, kept byte for byte when nothing changed and
//! cleaned of removed pages; and in Chromium, a word from one runbook's script finds that
//! runbook with a snippet.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::*;

/// Every file under `dir`, relative to it, `/`-separated.
fn files_under(dir: &Path) -> Vec<String> {
    if !dir.exists() {
        return Vec::new();
    }
    read_tree(dir).into_keys().collect()
}

fn index_files(public: &Path) -> Vec<String> {
    files_under(&public.join("internal/pagefind"))
}

#[test]
fn the_internal_site_has_an_index_and_the_portal_has_none() {
    let out = build(&example());
    let public = out.path().join("public");
    let index = index_files(&public);
    for needed in ["pagefind.js", "pagefind-worker.js", "pagefind-entry.json"] {
        assert!(
            index.iter().any(|f| f == needed),
            "no {needed} in {index:?}"
        );
    }
    assert!(index.iter().any(|f| f.starts_with("wasm.")), "{index:?}");
    assert!(index.iter().any(|f| f.ends_with(".pf_meta")), "{index:?}");
    assert!(
        index.iter().any(|f| f.ends_with(".pf_fragment")),
        "{index:?}"
    );
    assert!(index.iter().any(|f| f.ends_with(".pf_index")), "{index:?}");
    // Pagefind's ready-made interfaces are not published: the box is the theme's own.
    assert!(!index.iter().any(|f| f.contains("-ui.")), "{index:?}");
    let entry: Value = serde_json::from_slice(
        &fs::read(public.join("internal/pagefind/pagefind-entry.json")).unwrap(),
    )
    .unwrap();
    // Every chapter, runbook and member page, and nothing else.
    let chapters = fs::read_dir(example().join("playbook")).unwrap().count();
    let members = fs::read_dir(example().join("team")).unwrap().count();
    let pages: u64 = entry["languages"]
        .as_object()
        .unwrap()
        .values()
        .map(|l| l["page_count"].as_u64().unwrap())
        .sum();
    assert_eq!(
        pages as usize,
        chapters + example_clients().len() + members,
        "{entry}"
    );
    assert!(public.join("internal/assets/search.js").is_file());
    let overview = read(&public.join("internal/index.html"));
    assert!(
        overview.contains("data-search"),
        "no search box on the overview"
    );

    // The portal: no index, no script, no search box, not a word of Pagefind's.
    let portal = read_tree(&public.join("portal"));
    assert!(!portal.is_empty());
    for (path, bytes) in &portal {
        assert!(
            !path.contains("pagefind") && !path.ends_with("search.js"),
            "portal/{path} is part of the search"
        );
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("pagefind") && !text.contains("data-search"),
            "portal/{path} mentions the search"
        );
    }
}

#[test]
fn a_private_team_site_has_no_search() {
    let site = private_site(true);
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    let result = Build::of(site.path())
        .output(&public)
        .env(
            "HUNDRED_SECRET",
            "a secret for the search tests, long enough",
        )
        .env("HUNDRED_TEAM_PASSPHRASE", "correct horse battery staple")
        .ok();
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert_eq!(
        stdout
            .matches("the internal site is private, so it has no search")
            .count(),
        1,
        "{stdout}"
    );
    let all = files_under(&public);
    assert!(!all.is_empty());
    for path in &all {
        assert!(
            !path.contains("pagefind") && !path.ends_with("search.js"),
            "{path} is part of a search a private site must not have"
        );
    }
    // A preview of the same site is public, so it may have search; `check` says nothing.
    let preview = Build::of(site.path()).preview().into_temp();
    assert!(!index_files(&preview.path().join("public")).is_empty());
}

#[test]
fn search_can_be_turned_off() {
    let site = copy_fixture("canary");
    let settings = site.path().join("hundred.toml");
    edit(
        &settings,
        "base_url = \"https://team.canary.example/handbook/\"",
        "base_url = \"https://team.canary.example/handbook/\"\nsearch = false",
    );
    let out = build(site.path());
    let public = out.path().join("public");
    assert!(index_files(&public).is_empty());
    assert!(!public.join("internal/assets/search.js").exists());
    let overview = read(&public.join("internal/index.html"));
    assert!(
        !overview.contains("data-search"),
        "a search box without search"
    );
    assert!(!overview.contains("search.js"));

    // And `search` is a setting of the team site only.
    let portal_site = copy_fixture("canary");
    edit(
        &portal_site.path().join("hundred.toml"),
        "base_url = \"https://clients.canary.example/\"",
        "base_url = \"https://clients.canary.example/\"\nsearch = true",
    );
    let stderr = Build::of(portal_site.path()).fails();
    assert!(stderr.contains("search"), "{stderr}");
}

/// Each file's modification time.
fn mtimes(dir: &Path, files: &[String]) -> Vec<(String, std::time::SystemTime)> {
    files
        .iter()
        .map(|f| {
            (
                f.clone(),
                fs::metadata(dir.join(f)).unwrap().modified().unwrap(),
            )
        })
        .collect()
}

#[test]
fn an_unchanged_rebuild_leaves_the_index_alone() {
    let site = copy_fixture("canary");
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    build_into(site.path(), &public);
    let index = public.join("internal/pagefind");
    let files = index_files(&public);
    assert!(!files.is_empty());
    let before = mtimes(&index, &files);
    let bytes_before = read_tree(&index);
    // Long enough for a rewritten file to show a newer time on any file system.
    std::thread::sleep(Duration::from_millis(1100));
    let again = Build::of(site.path()).output(&public).ok();
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(stdout.contains("(0 written, 0 removed)"), "{stdout}");
    assert_eq!(mtimes(&index, &files), before);
    assert_eq!(read_tree(&index), bytes_before);
}

#[test]
fn a_removed_pages_words_leave_the_index() {
    let site = copy_fixture("canary");
    let extra = site.path().join("playbook/03-zeppelins.md");
    put(
        &extra,
        "---\ntitle: Zeppelins\n---\nA chapter about zeppelins and nothing else.\n",
    );
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    build_into(site.path(), &public);
    let before = index_files(&public);

    fs::remove_file(&extra).unwrap();
    build_into(site.path(), &public);
    let after = index_files(&public);
    assert_ne!(
        before, after,
        "removing a chapter changed nothing in the index"
    );

    // What is left is exactly what a fresh build of the same files writes: the old fragments
    // and index chunks are gone, none is missing.
    let fresh = build(site.path());
    let fresh_index = fresh.path().join("public/internal/pagefind");
    assert_eq!(after, files_under(&fresh_index));
    assert_eq!(
        read_tree(&public.join("internal/pagefind")),
        read_tree(&fresh_index)
    );
    let manifest = read(&public.join(".hundred-manifest"));
    for gone in before.iter().filter(|f| !after.contains(f)) {
        assert!(!manifest.contains(&format!("internal/pagefind/{gone}\n")));
    }
}

// ---------------------------------------------------------------------------------------------
// In the browser

/// The example client whose one-off touchpoint's script has the word searched for, and the
/// word: it is in that script and in no other runbook.
const CLIENT: &str = "greenway-cycles";
const WORD: &str = "Apologise";

/// What the search box shows.
const RESULTS: &str = r##"(() => {
    const box = document.querySelector("[data-search]");
    const panel = document.getElementById("site-search-results");
    return {
        box: !!box && !box.hidden,
        open: !!panel && !panel.hidden,
        status: (document.getElementById("site-search-status") || {}).innerText || "",
        results: Array.from(document.querySelectorAll(".site-search__results li"), (li) => ({
            href: li.querySelector("a").href,
            title: li.querySelector(".site-search__title").innerText,
            snippet: li.querySelector(".site-search__snippet").innerText,
            marks: Array.from(li.querySelectorAll(".site-search__snippet mark"), (m) => m.innerText),
        })),
        fetched: performance.getEntriesByType("resource").map((e) => e.name).filter((n) => n.includes("/pagefind/")),
        focused: document.activeElement ? (document.activeElement.className || document.activeElement.tagName) : null,
    };
})()"##;

#[test]
#[ignore = "needs Chromium (apt-get install chromium); CI runs it with --include-ignored"]
fn search_finds_a_word_from_one_runbook_in_chromium() {
    let chromium = chromium();
    // The word is in that client's script, and in no other runbook.
    let built = build(&example());
    for client in example_clients() {
        let runbook = read(
            &built
                .path()
                .join(format!("public/internal/clients/{client}/index.html")),
        );
        assert_eq!(
            runbook.contains(WORD),
            client == CLIENT,
            "{WORD} in the runbook of {client}"
        );
    }

    let dir = copy_site(&example());
    let server = Server::start(dir.path());
    // serve makes the index after publishing the pages.
    let started = Instant::now();
    while server.get("/internal/pagefind/pagefind-entry.json").0 != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "serve never published the search index"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let browser = start_browser(&chromium, "about:blank");
    let mut page = browser.isolated_page("the team site");
    page.navigate(&format!("http://{}/internal/", server.addr));
    let shown = page.eventually("the search box", RESULTS, |s| s["box"] == true);
    assert_eq!(
        shown["fetched"],
        Value::Array(vec![]),
        "the index was fetched before the box was used"
    );

    page.click("#site-search-input");
    page.type_text(WORD);
    let found = page.eventually("results", RESULTS, |s| {
        s["results"].as_array().is_some_and(|r| !r.is_empty())
    });
    assert_eq!(found["open"], true);
    let results = found["results"].as_array().unwrap();
    let runbook = format!("/internal/clients/{CLIENT}/");
    let hit = results
        .iter()
        .find(|r| r["href"].as_str().unwrap().ends_with(&runbook))
        .unwrap_or_else(|| panic!("no result for the {CLIENT} runbook: {found:#}"));
    assert!(
        hit["title"].as_str().unwrap().contains("Greenway"),
        "{hit:#}"
    );
    assert!(hit["snippet"].as_str().unwrap().contains(WORD), "{hit:#}");
    assert_eq!(hit["marks"], serde_json::json!([WORD]), "{hit:#}");
    for other in results {
        let href = other["href"].as_str().unwrap();
        assert!(
            !href.contains("/internal/clients/") || href.ends_with(&runbook),
            "another runbook found: {found:#}"
        );
    }
    assert!(
        found["fetched"].as_array().unwrap().iter().any(|f| f
            .as_str()
            .unwrap()
            .ends_with("/internal/pagefind/pagefind.js")),
        "{found:#}"
    );

    // The keyboard: Down reaches the first result, Escape closes the list and goes back.
    page.call(
        "Input.dispatchKeyEvent",
        serde_json::json!({ "type": "keyDown", "key": "ArrowDown", "code": "ArrowDown", "windowsVirtualKeyCode": 40 }),
    )
    .unwrap();
    page.eventually("a result focused", RESULTS, |s| {
        s["focused"] == "site-search__link"
    });
    page.call(
        "Input.dispatchKeyEvent",
        serde_json::json!({ "type": "keyDown", "key": "Escape", "code": "Escape", "windowsVirtualKeyCode": 27 }),
    )
    .unwrap();
    page.eventually("the list closed", RESULTS, |s| {
        s["open"] == false && s["focused"] == "site-search__input"
    });

    // The result's link opens the runbook.
    let href = hit["href"].as_str().unwrap().to_string();
    page.navigate(&href);
    page.eventually(
        "the runbook",
        "document.querySelector('h1') && document.querySelector('h1').innerText",
        |h| h.as_str().is_some_and(|t| t.contains("Greenway")),
    );
    let thrown = page.take_events("Runtime.exceptionThrown");
    assert!(thrown.is_empty(), "uncaught exceptions: {thrown:#?}");
    drop(server);
}

#[test]
fn a_file_in_the_index_folder_is_refused_by_check_and_build_unless_search_is_off() {
    let site = copy_fixture("canary");
    let mine = site.path().join("static/internal/pagefind/pagefind.js");
    fs::create_dir_all(mine.parent().unwrap()).unwrap();
    fs::write(&mine, "// mine").unwrap();
    let checked = hundred()
        .arg("check")
        .arg(site.path())
        .args(["--today", "2026-11-23"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&checked.stderr);
    assert_eq!(checked.status.code(), Some(1), "{stderr}");
    // The message wraps at the terminal's width: compare its words.
    let stderr = stderr
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ");
    for words in [
        "static/internal/pagefind/pagefind.js",
        "would be overwritten by the team site's search index",
        "search = false",
    ] {
        assert!(stderr.contains(words), "no {words:?} in {stderr}");
    }
    let stderr = Build::of(site.path()).fails();
    assert!(stderr.contains("search index"), "{stderr}");

    edit(
        &site.path().join("hundred.toml"),
        "base_url = \"https://team.canary.example/handbook/\"",
        "base_url = \"https://team.canary.example/handbook/\"\nsearch = false",
    );
    let out = build(site.path());
    assert_eq!(
        read(&out.path().join("public/internal/pagefind/pagefind.js")),
        "// mine"
    );
}
