//! "Add to your calendar" offers a subscription as well as the file: a `webcal://` link, Google
//! Calendar's and Outlook on the web's subscribe pages, and the download. Every link points at
//! exactly the calendar the page is about, at the site's published address, and a client's
//! portal never links to a calendar of the team's.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::*;

const GOOGLE: &str = "https://calendar.google.com/calendar/render";
const OUTLOOK: &str = "https://outlook.live.com/calendar/0/addfromweb";

/// The example's `[section].base_url`, as `hundred.toml` says.
fn base_url(section: &str) -> String {
    let config: toml::Table = toml::from_str(&read(&example().join("hundred.toml"))).unwrap();
    let url = config[section]["base_url"].as_str().unwrap().to_string();
    assert!(url.ends_with('/'), "{url}");
    url
}

/// The example's firm name, which calendar names start or end with.
fn firm_name() -> String {
    let config: toml::Table = toml::from_str(&read(&example().join("hundred.toml"))).unwrap();
    config["firm"]["name"].as_str().unwrap().to_string()
}

/// The `name:` of a client's or member's YAML file.
fn name_in(file: &Path) -> String {
    read(file)
        .lines()
        .find_map(|l| l.strip_prefix("name:"))
        .unwrap_or_else(|| panic!("{} has no name", file.display()))
        .trim()
        .trim_matches('"')
        .to_string()
}

/// An attribute value as a browser reads it: character references decoded.
fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';') else { break };
        let entity = &rest[1..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
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

/// `%XX` sequences decoded (as UTF-8, lossily); a `%` not followed by two hex digits is kept.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if let (b'%', Some(byte)) = (b[i], hex) {
            out.push(byte);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A link's address split at `?` and its query decoded into parameters. Each value must be
/// fully encoded: nothing in it could have been read as another parameter.
fn query(href: &str) -> (&str, BTreeMap<String, String>) {
    let (path, query) = href.split_once('?').unwrap_or((href, ""));
    let mut params = BTreeMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap();
        assert!(
            !v.contains([':', '/', '?', '#', ' ', '+']),
            "{href}: {k} is not encoded"
        );
        assert!(
            params.insert(k.to_string(), percent_decode(v)).is_none(),
            "{href}: {k} twice"
        );
    }
    (path, params)
}

/// Every `href` of the page's `<a>` elements, decoded, with whether it has `download`.
fn links(html: &str) -> Vec<(String, bool)> {
    start_tags(&without_titles(html))
        .into_iter()
        .filter(|(name, _)| name == "a")
        .filter_map(|(_, attrs)| {
            let href = attrs.iter().find(|(k, _)| k == "href")?;
            let download = attrs.iter().any(|(k, _)| k == "download");
            Some((unescape(&href.1), download))
        })
        .collect()
}

/// The page's subscribe links, checked to be exactly one of each kind and to point at the
/// calendar published at `url` under `name`. `url` ends with `.ics` and is absolute.
fn assert_subscribes_to(page: &str, html: &str, url: &str, name: &str) {
    let links = links(html);
    let webcal = format!("webcal://{}", url.split_once("://").unwrap().1);
    let of_kind = |prefix: &str| -> Vec<&String> {
        links
            .iter()
            .map(|(href, _)| href)
            .filter(|h| h.starts_with(prefix))
            .collect()
    };

    let webcals = of_kind("webcal:");
    assert_eq!(webcals, [&webcal], "{page}: the webcal:// link");

    let google = of_kind(GOOGLE);
    assert_eq!(google.len(), 1, "{page}: one Google Calendar link");
    let (path, params) = query(google[0]);
    assert_eq!(path, GOOGLE, "{page}");
    assert_eq!(
        params,
        BTreeMap::from([("cid".to_string(), webcal.clone())]),
        "{page}: Google subscribes to the webcal:// address"
    );

    let outlook = of_kind(OUTLOOK);
    assert_eq!(outlook.len(), 1, "{page}: one Outlook on the web link");
    let (path, params) = query(outlook[0]);
    assert_eq!(path, OUTLOOK, "{page}");
    assert_eq!(
        params,
        BTreeMap::from([
            ("name".to_string(), name.to_string()),
            ("url".to_string(), url.to_string()),
        ]),
        "{page}: Outlook subscribes to the https address, under the calendar's name"
    );
}

/// The page's download link, resolved against the page's folder inside `public`.
fn download_target(public: &Path, page: &str, html: &str) -> std::path::PathBuf {
    let downloads: Vec<String> = links(html)
        .into_iter()
        .filter(|(_, download)| *download)
        .map(|(href, _)| href)
        .collect();
    assert_eq!(downloads.len(), 1, "{page}: one download link");
    assert!(
        !downloads[0].contains("://"),
        "{page}: the download works wherever the page is opened"
    );
    let folder = public.join(page).parent().unwrap().to_path_buf();
    folder.join(&downloads[0])
}

#[test]
fn each_portal_subscribes_to_that_clients_own_calendar() {
    let out = build_preview(&example());
    let public = out.path().join("public");
    let base = base_url("portal");
    let firm = firm_name();
    let clients = example_clients();
    assert!(clients.len() >= 5);
    for id in &clients {
        let client_name = name_in(&example().join(format!("clients/{id}.yaml")));
        let url = format!("{base}{id}/journey.ics");
        let name = format!("{client_name} with {firm}");
        for page in [
            format!("portal/{id}/index.html"),
            format!("portal/{id}/journey/index.html"),
        ] {
            let html = read(&public.join(&page));
            assert_subscribes_to(&page, &html, &url, &name);
            let file = download_target(&public, &page, &html);
            assert_eq!(
                file.canonicalize().unwrap(),
                public
                    .join(format!("portal/{id}/journey.ics"))
                    .canonicalize()
                    .unwrap(),
                "{page}: downloads the client's own file"
            );
            // Plain words for clients: no file-format jargon beside the links.
            assert!(!html.contains(".ics file"), "{page}");
            assert!(
                html.contains("Subscribe in Apple Calendar or Outlook"),
                "{page}"
            );
            assert!(html.contains("Subscribe in Google Calendar"), "{page}");
            assert!(html.contains("Outlook on the web"), "{page}");
            assert!(html.contains("Download the dates"), "{page}");
        }
    }
    // A name with `&` stays one parameter (checked above), and reads back whole.
    assert!(clients
        .iter()
        .any(|id| name_in(&example().join(format!("clients/{id}.yaml"))).contains('&')));
}

#[test]
fn no_portal_page_links_to_an_internal_calendar_or_another_clients() {
    let out = build_preview(&example());
    let public = out.path().join("public");
    let internal = base_url("internal");
    let internal_host = internal.split_once("://").unwrap().1.trim_end_matches('/');
    let portal_base = base_url("portal");
    let clients = example_clients();
    let mut calendar_links = 0;
    for (path, bytes) in read_tree(&public.join("portal")) {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(&bytes);
        let owner = clients.iter().find(|c| path.starts_with(&format!("{c}/")));
        for (href, _) in links(&html) {
            // Decoded once more, so a calendar address inside a subscribe link is seen too.
            let seen = percent_decode(&href);
            assert!(
                !seen.contains(internal_host),
                "portal/{path} links to the internal site: {href}"
            );
            for file in ["calendar.ics", "touchpoints.ics", "schedule.csv"] {
                assert!(
                    !seen.contains(file),
                    "portal/{path} links to a team file: {href}"
                );
            }
            if seen.contains(".ics") {
                calendar_links += 1;
                let owner = owner.unwrap_or_else(|| panic!("portal/{path} has a calendar"));
                let own = [
                    format!("{portal_base}{owner}/journey.ics"),
                    format!("webcal://{}", portal_base.split_once("://").unwrap().1)
                        + &format!("{owner}/journey.ics"),
                ];
                let relative = !href.contains(':');
                assert!(
                    own.iter().any(|u| seen.contains(u.as_str()))
                        || (relative && href.ends_with("journey.ics")),
                    "portal/{path} links to a calendar that is not {owner}'s: {href}"
                );
                for other in clients.iter().filter(|c| *c != owner) {
                    assert!(
                        !seen.contains(&format!("/{other}/")),
                        "portal/{path} links to {other}: {href}"
                    );
                }
            }
        }
    }
    assert!(
        calendar_links >= clients.len() * 2 * 4,
        "the calendar links were found"
    );
}

#[test]
fn the_overview_subscribes_to_the_team_calendar() {
    let out = build_preview(&example());
    let public = out.path().join("public");
    let firm = firm_name();
    let page = "internal/index.html";
    let html = read(&public.join(page));
    let url = format!("{}calendar.ics", base_url("internal"));
    assert_subscribes_to(page, &html, &url, &format!("{firm}: all touchpoints"));
    assert_eq!(
        download_target(&public, page, &html)
            .canonicalize()
            .unwrap(),
        public.join("internal/calendar.ics").canonicalize().unwrap()
    );
    // The address to paste into any other app.
    assert!(html.contains(&url));
}

#[test]
fn each_member_page_subscribes_to_that_members_calendar() {
    let out = build_preview(&example());
    let public = out.path().join("public");
    let firm = firm_name();
    let base = base_url("internal");
    let mut members = 0;
    for entry in std::fs::read_dir(example().join("team")).unwrap() {
        let file = entry.unwrap().path();
        let id = file.file_stem().unwrap().to_string_lossy().into_owned();
        let page = format!("internal/team/{id}/index.html");
        let html = read(&public.join(&page));
        let url = format!("{base}team/{id}/calendar.ics");
        let name = format!("{firm}: {}'s touchpoints", name_in(&file));
        assert_subscribes_to(&page, &html, &url, &name);
        assert_eq!(
            download_target(&public, &page, &html)
                .canonicalize()
                .unwrap(),
            public
                .join(format!("internal/team/{id}/calendar.ics"))
                .canonicalize()
                .unwrap()
        );
        assert!(html.contains(&url), "{page}: the address to paste");
        members += 1;
    }
    assert!(members >= 6);
}
