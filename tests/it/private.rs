//! Private portals and a private internal site, as a stranger and as the client see them:
//! folders named by tokens, every page sealed and opening only with its client's key, nothing
//! readable that names a client, links only in internal outputs, the same bytes on every build,
//! revocation by `key_version`, and the errors for a missing secret or passphrase.

use std::fs;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use tempfile::TempDir;

use crate::support::*;

const SECRET: &str = "a test secret, long enough to be accepted as one";
const OTHER_SECRET: &str = "another test secret, also long enough to be used";
const PASSPHRASE: &str = "correct horse battery staple";

fn build_with(site: &Path, secret: &str) -> TempDir {
    Build::of(site)
        .env("HUNDRED_SECRET", secret)
        .env("HUNDRED_TEAM_PASSPHRASE", PASSPHRASE)
        .into_temp()
}

/// A link's token and key.
fn token_and_key(link: &str) -> (String, Vec<u8>) {
    let (folder, key) = link.split_once("/#k=").expect("a private link");
    let token = folder.rsplit('/').next().unwrap().to_string();
    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(key)
        .unwrap();
    (token, key)
}

/// Opens sealed bytes as the browser does: AES-256-GCM, the nonce first, the route inside the
/// folder as additional data.
fn open(key: &[u8], route: &str, sealed: &[u8]) -> Option<Vec<u8>> {
    let (nonce, rest) = sealed.split_at(12);
    Aes256Gcm::new_from_slice(key)
        .unwrap()
        .decrypt(
            &Nonce::try_from(nonce).unwrap(),
            Payload {
                msg: rest,
                aad: route.as_bytes(),
            },
        )
        .ok()
}

/// The page a shell at `folder/route` opens to with `key`.
fn open_page(folder: &Path, route: &str, key: &[u8]) -> Option<String> {
    let shell = fs::read(folder.join(route)).unwrap();
    let sealed = hundred::shell::sealed_bytes(&shell).expect("a shell");
    open(key, route, &sealed).map(|b| String::from_utf8(b).unwrap())
}

/// What of the canary's clients no stranger may read: names, contacts, goals.
const PRIVATE_WORDS: &[&str] = &[
    "Acme Widgets",
    "Wile Coyote",
    "wile@acme.example",
    "Road Runner",
    "rr@acme.example",
    "Ship the new catalogue",
    "Hostile",
    "eve@hostile.example",
    "bold</b> goal",
];

#[test]
fn a_private_portal_is_in_token_folders_and_reads_only_with_its_key() {
    let site = private_site(false);
    let out = build_with(site.path(), SECRET);
    let public = out.path().join("public");
    let clients = links(site.path(), SECRET);
    assert_eq!(clients.len(), 2);
    // No folder is named by a client's id.
    for (id, _, _) in &clients {
        assert!(!public.join("portal").join(id).exists(), "portal/{id}/");
    }
    for (id, name, link) in &clients {
        assert!(
            link.starts_with("https://clients.canary.example/"),
            "{link}"
        );
        let (token, key) = token_and_key(link);
        assert_eq!(token.len(), 26, "{token}");
        assert!(token
            .bytes()
            .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b)));
        let folder = public.join("portal").join(&token);
        for route in [
            "index.html",
            "team/index.html",
            "journey/index.html",
            "print/index.html",
        ] {
            let shell = read(&folder.join(route));
            assert!(shell.contains("noindex"), "{id} {route}");
            assert!(
                !shell.contains(&key_text(link)),
                "the key is never in a page"
            );
            let page = open_page(&folder, route, &key)
                .unwrap_or_else(|| panic!("{id}/{route} opens with its key"));
            assert!(page.contains("<html"), "{route}");
            if route == "index.html" {
                // The client's own name, as the template escapes it.
                let first_word = name.split_whitespace().nth(1).unwrap_or(name);
                assert!(
                    page.contains(first_word),
                    "{id}: {first_word} in its welcome page"
                );
            }
            // Nor with another client's key, nor as another route.
            let (_, other_key) = token_and_key(&clients.iter().find(|(i, ..)| i != id).unwrap().2);
            assert!(open_page(&folder, route, &other_key).is_none());
        }
        let shell = fs::read(folder.join("index.html")).unwrap();
        let sealed = hundred::shell::sealed_bytes(&shell).unwrap();
        assert!(
            open(&key, "team/index.html", &sealed).is_none(),
            "the route is bound"
        );
    }
}

fn key_text(link: &str) -> String {
    link.split_once("#k=").unwrap().1.to_string()
}

#[test]
fn nothing_published_in_the_portal_names_a_client_in_plaintext() {
    let site = private_site(false);
    let out = build_with(site.path(), SECRET);
    let tree = read_tree(&out.path().join("public/portal"));
    assert!(tree.len() > 20);
    let keys: Vec<String> = links(site.path(), SECRET)
        .iter()
        .map(|(_, _, l)| key_text(l))
        .collect();
    for (route, bytes) in &tree {
        let text = readable(bytes);
        for word in PRIVATE_WORDS {
            assert!(!text.contains(word), "portal/{route} shows {word:?}");
        }
        for key in &keys {
            assert!(
                !text.contains(key.as_str()),
                "portal/{route} holds a client's key"
            );
        }
        assert!(
            !text.contains("CANARY-"),
            "portal/{route} holds an internal canary"
        );
    }
    // The calendar: the firm, titles and dates; no description, link or client name.
    let (_, ics) = tree
        .iter()
        .find(|(r, _)| r.ends_with("journey.ics"))
        .expect("a client calendar");
    let ics = String::from_utf8_lossy(ics);
    assert!(ics.contains("SUMMARY:Welcome call (Canary & Co)"), "{ics}");
    assert!(
        ics.contains("X-WR-CALNAME:Your journey with Canary & Co"),
        "{ics}"
    );
    assert!(
        !ics.contains("DESCRIPTION") && !ics.contains("URL:"),
        "{ics}"
    );
}

#[test]
fn calendars_of_a_private_portal_are_at_unguessable_addresses_the_pages_link_to() {
    let site = private_site(false);
    let out = build_with(site.path(), SECRET);
    let public = out.path().join("public");
    for (_, _, link) in links(site.path(), SECRET) {
        let (token, key) = token_and_key(&link);
        let folder = public.join("portal").join(&token);
        assert!(!folder.join("journey.ics").exists());
        let journey = open_page(&folder, "journey/index.html", &key).unwrap();
        let ics: Vec<_> = walkdir::WalkDir::new(&folder)
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .filter(|p| p.extension().is_some_and(|e| e == "ics"))
            .collect();
        assert_eq!(ics.len(), 1);
        let rel = ics[0]
            .strip_prefix(&folder)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let hidden = rel.split('/').next().unwrap();
        assert_eq!(hidden.len(), 26, "{rel}");
        assert_ne!(hidden, token);
        assert!(journey.contains(&rel), "the journey page links to {rel}");
    }
}

#[test]
fn the_same_input_seals_to_the_same_bytes_and_keys_change_with_version_and_secret() {
    let site = private_site(false);
    let a = read_tree(&build_with(site.path(), SECRET).path().join("public"));
    let b = read_tree(&build_with(site.path(), SECRET).path().join("public"));
    assert_eq!(a, b, "two builds, the same bytes");
    let before = links(site.path(), SECRET);

    // Another secret: every link, folder and sealed byte changes.
    let other = links(site.path(), OTHER_SECRET);
    for (x, y) in before.iter().zip(&other) {
        assert_ne!(token_and_key(&x.2), token_and_key(&y.2));
    }
    let c = read_tree(&build_with(site.path(), OTHER_SECRET).path().join("public"));
    assert!(a
        .keys()
        .filter(|k| k.starts_with("portal/"))
        .all(|k| !c.contains_key(k)
            || !k.ends_with(".html")
            || k == "portal/index.html"
            || k == "portal/404.html"));

    // key_version 2 for acme: a new link for acme only.
    let acme = site.path().join("clients/acme.yaml");
    edit(
        &acme,
        "start: 2026-11-17",
        "start: 2026-11-17\nkey_version: 2",
    );
    let after = links(site.path(), SECRET);
    assert_ne!(before[0].2, after[0].2, "acme's link changed");
    assert_eq!(before[1].2, after[1].2, "the other client's did not");
}

#[test]
fn raising_key_version_removes_the_old_folder_on_the_next_build() {
    let site = private_site(false);
    let out = TempDir::new().unwrap();
    let public = out.path().join("public");
    Build::of(site.path())
        .env("HUNDRED_SECRET", SECRET)
        .output(&public)
        .ok();
    let (old, _) = token_and_key(&links(site.path(), SECRET)[0].2);
    assert!(public
        .join("portal")
        .join(&old)
        .join("index.html")
        .is_file());
    edit(
        &site.path().join("clients/acme.yaml"),
        "start: 2026-11-17",
        "start: 2026-11-17\nkey_version: 2",
    );
    Build::of(site.path())
        .env("HUNDRED_SECRET", SECRET)
        .output(&public)
        .ok();
    let (new, key) = token_and_key(&links(site.path(), SECRET)[0].2);
    assert!(
        !public.join("portal").join(&old).exists(),
        "the old link's folder is gone"
    );
    assert!(open_page(&public.join("portal").join(&new), "index.html", &key).is_some());
}

#[test]
fn a_private_build_without_a_secret_says_how_to_make_one() {
    let site = private_site(false);
    let stderr = Build::of(site.path()).env("HUNDRED_SECRET", "").fails();
    assert!(stderr.contains("hundred.toml"), "{stderr}");
    assert!(stderr.contains(".hundred-secret"), "{stderr}");
    assert!(stderr.contains("HUNDRED_SECRET"), "{stderr}");
    assert!(stderr.contains("openssl rand"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");

    let short = Build::of(site.path())
        .env("HUNDRED_SECRET", "too short")
        .fails();
    assert!(short.contains("at least 32"), "{short}");
    assert!(
        !short.contains("too short\n"),
        "the secret is never printed: {short}"
    );

    // The file beside hundred.toml works as the variable does.
    fs::write(site.path().join(".hundred-secret"), format!("{SECRET}\n")).unwrap();
    let from_file = Build::of(site.path()).env("HUNDRED_SECRET", "").into_temp();
    let from_env = build_with(site.path(), SECRET);
    assert_eq!(
        read_tree(&from_file.path().join("public/portal")),
        read_tree(&from_env.path().join("public/portal"))
    );
    // The secret never reaches the output.
    for (route, bytes) in read_tree(&from_file.path().join("public")) {
        assert!(!String::from_utf8_lossy(&bytes).contains(SECRET), "{route}");
    }
}

#[test]
fn a_plaintext_file_of_a_private_portal_that_names_a_client_stops_the_build() {
    // A one-off step's title goes into the client's calendar, which cannot be sealed.
    let site = private_site(false);
    fs::write(
        site.path().join("clients/acme.yaml"),
        read(&site.path().join("clients/acme.yaml"))
            + "touchpoints:\n  - id: party\n    title: Acme Widgets launch party\n    date: 2026-12-10\n    owner: account-lead\n    channel: event\n    visibility: client\n    portal: \"A party.\"\n",
    )
    .unwrap();
    let stderr = flat(&Build::of(site.path()).env("HUNDRED_SECRET", SECRET).fails());
    assert!(stderr.contains("journey.ics"), "{stderr}");
    assert!(stderr.contains("the name of the client `acme`"), "{stderr}");

    // A static file that holds a contact's e-mail.
    let site = private_site(false);
    fs::write(
        site.path().join("static/notes.txt"),
        "write to wile@acme.example",
    )
    .unwrap();
    let stderr = flat(&Build::of(site.path()).env("HUNDRED_SECRET", SECRET).fails());
    assert!(stderr.contains("portal/notes.txt"), "{stderr}");
    assert!(stderr.contains("e-mail of `acme`"), "{stderr}");
    // `check` says the same.
    let check = hundred()
        .arg("check")
        .arg(site.path())
        .args(["--today", TODAY])
        .env("HUNDRED_SECRET", SECRET)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1));
    let said = flat(&format!(
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    ));
    assert!(said.contains("e-mail of `acme`"), "{said}");
}

#[test]
fn check_needs_no_secret_and_still_scans_what_a_build_would_publish() {
    let site = private_site(true);
    let check = |site: &Path| {
        let out = hundred()
            .arg("check")
            .arg(site)
            .args(["--today", TODAY])
            .env("HUNDRED_SECRET", "")
            .env("HUNDRED_TEAM_PASSPHRASE", "")
            .output()
            .unwrap();
        let said = flat(&format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
        (out.status.code(), said)
    };
    let (code, said) = check(site.path());
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("checked with a stand-in"), "{said}");
    assert!(said.contains("HUNDRED_TEAM_PASSPHRASE"), "{said}");
    fs::write(
        site.path().join("static/notes.txt"),
        "Ship the new catalogue",
    )
    .unwrap();
    let (code, said) = check(site.path());
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("a goal of `acme`"), "{said}");
    // A build still needs the real secret.
    Build::of(site.path()).env("HUNDRED_SECRET", "").fails();
}

#[test]
fn links_are_shown_only_on_internal_pages_and_by_hundred_links() {
    let site = private_site(false);
    let out = build_with(site.path(), SECRET);
    let public = out.path().join("public");
    let all = links(site.path(), SECRET);
    let (_, _, acme) = &all[0];
    let runbook = read(&public.join("internal/clients/acme/index.html"));
    assert!(
        runbook.contains(&acme.replace('&', "&amp;")),
        "the runbook shows the link"
    );
    assert!(runbook.contains("data-copy"), "with a copy button");
    let clients = read(&public.join("internal/clients/index.html"));
    assert!(all.iter().all(|(_, _, l)| clients.contains(l.as_str())));

    // JSON and text say the same.
    let json = hundred()
        .arg("links")
        .arg(site.path())
        .args(["--format", "json"])
        .env("HUNDRED_SECRET", SECRET)
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(list[0]["id"], "acme");
    assert_eq!(list[0]["link"], acme.as_str());
    let text = hundred()
        .arg("links")
        .arg(site.path())
        .env("HUNDRED_SECRET", SECRET)
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.lines().next().unwrap().starts_with("acme "));
    assert!(text.contains(acme.as_str()));

    // A journey script can send it.
    let script = site.path().join("journey/001-welcome-call.md");
    edit(
        &script,
        "Call {{ client.contact.first_name }}",
        "Send {{ client.portal_url }}. Call {{ client.contact.first_name }}",
    );
    let out = build_with(site.path(), SECRET);
    let runbook = read(&out.path().join("public/internal/clients/acme/index.html"));
    assert!(
        runbook.contains(&format!("Send {}", acme.replace('&', "&amp;"))),
        "scripts see client.portal_url"
    );
}

#[test]
fn a_preview_is_public_and_needs_no_secret() {
    let site = private_site(false);
    let out = Build::of(site.path())
        .env("HUNDRED_SECRET", "")
        .preview()
        .into_temp();
    let page = read(&out.path().join("public/portal/acme/index.html"));
    assert!(page.contains("Acme Widgets"));
    let output = Build::of(site.path())
        .env("HUNDRED_SECRET", "")
        .preview()
        .output(&out.path().join("again"))
        .ok();
    assert!(String::from_utf8_lossy(&output.stdout).contains("Do not publish"));
}

#[test]
fn a_private_internal_site_is_sealed_with_the_team_passphrase() {
    let site = private_site(true);
    let stderr = Build::of(site.path())
        .env("HUNDRED_SECRET", SECRET)
        .env("HUNDRED_TEAM_PASSPHRASE", "")
        .fails();
    assert!(stderr.contains("HUNDRED_TEAM_PASSPHRASE"), "{stderr}");
    let short = Build::of(site.path())
        .env("HUNDRED_SECRET", SECRET)
        .env("HUNDRED_TEAM_PASSPHRASE", "open")
        .fails();
    assert!(short.contains("at least 12"), "{short}");

    let out = build_with(site.path(), SECRET);
    let public = out.path().join("public");
    let tree = read_tree(&public.join("internal"));
    // No runbook folder is named by a client's id: the site cannot be probed for a name.
    assert!(!public.join("internal/clients/acme").exists());
    let overview = fs::read(public.join("internal/index.html")).unwrap();
    let shell = String::from_utf8_lossy(&overview);
    assert!(shell.contains("type=\"password\""), "the unlock form");
    assert!(shell.contains("data-iterations=\"600000\""), "{shell}");
    assert!(!shell.contains(PASSPHRASE));
    for (route, bytes) in &tree {
        let text = readable(bytes);
        assert!(!text.contains(PASSPHRASE), "internal/{route}");
        if route.ends_with(".html") && route != "404.html" {
            for word in ["Acme Widgets", "Wile Coyote", "CANARY-ACME-HANDOFF"] {
                assert!(!text.contains(word), "internal/{route} shows {word}");
            }
        }
    }
    // The schedule is sealed; the calendars are readable at unguessable addresses.
    let schedule = &tree["schedule.csv"];
    assert!(!String::from_utf8_lossy(schedule).contains("Acme"));
    assert!(!tree.contains_key("calendar.ics"));
    assert!(tree
        .keys()
        .any(|k| k.ends_with("/calendar.ics") && k.split('/').count() == 2));

    // The key the browser derives from the passphrase opens the pages.
    let salt = attribute(&shell, "data-salt");
    let salt = base64::engine::general_purpose::STANDARD
        .decode(salt)
        .unwrap();
    let key = hundred::portal_crypto::team_key(PASSPHRASE, &salt, 600_000);
    let page = open(
        &key,
        "index.html",
        &hundred::shell::sealed_bytes(&overview).unwrap(),
    )
    .expect("the overview opens with the passphrase's key");
    assert!(String::from_utf8_lossy(&page).contains("Acme Widgets"));
    let wrong = hundred::portal_crypto::team_key("correct horse battery stapler", &salt, 600_000);
    assert!(open(
        &wrong,
        "index.html",
        &hundred::shell::sealed_bytes(&overview).unwrap()
    )
    .is_none());
    // Every link to a runbook leads to one: the pages know the hidden folder names.
    let clients_page = fs::read(public.join("internal/clients/index.html")).unwrap();
    let clients_page = open(
        &key,
        "clients/index.html",
        &hundred::shell::sealed_bytes(&clients_page).unwrap(),
    )
    .expect("the clients page opens");
    let clients_page = String::from_utf8(clients_page).unwrap();
    let runbooks: Vec<&str> = clients_page
        .split("href=\"../clients/")
        .skip(1)
        .map(|rest| rest.split(['/', '"']).next().unwrap())
        .filter(|folder| !folder.is_empty())
        .collect();
    assert!(runbooks.len() >= 2, "{clients_page}");
    for folder in runbooks {
        assert!(
            public
                .join("internal/clients")
                .join(folder)
                .join("index.html")
                .is_file(),
            "clients/{folder}/ is linked and missing"
        );
    }
    let csv = open(&key, "schedule.csv", schedule).expect("the schedule opens");
    assert!(String::from_utf8_lossy(&csv).contains("Acme Widgets"));
}

fn attribute<'a>(html: &'a str, name: &str) -> &'a str {
    let key = format!(" {name}=\"");
    let start = html.find(&key).unwrap() + key.len();
    &html[start..start + html[start..].find('"').unwrap()]
}

#[test]
fn init_makes_a_private_site_with_its_own_secret_kept_out_of_git() {
    let dir = TempDir::new().unwrap();
    let site = dir.path().join("studio");
    hundred().arg("init").arg(&site).assert().success();
    let secret = read(&site.join(".hundred-secret"));
    assert!(secret.trim().len() >= 32, "{secret}");
    assert!(read(&site.join(".gitignore"))
        .lines()
        .any(|l| l == ".hundred-secret"));
    assert!(read(&site.join("hundred.toml")).contains("private = true"));
    let other = dir.path().join("other");
    hundred().arg("init").arg(&other).assert().success();
    assert_ne!(
        secret,
        read(&other.join(".hundred-secret")),
        "each site its own"
    );
    let out = Build::of(&site).env("HUNDRED_SECRET", "").into_temp();
    let portal = out.path().join("public/portal");
    let folders: Vec<String> = fs::read_dir(&portal)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.len() == 26)
        .collect();
    assert!(
        !folders.is_empty(),
        "the starter's client is in a token folder"
    );
}
