//! Helpers shared by the integration tests: copying fixtures, running the binary, reading what
//! it wrote.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

pub const TODAY: &str = "2026-11-23";

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("example-playbook")
}

/// The ids of the example's clients (its `clients/*.yaml` file stems), sorted.
pub fn example_clients() -> Vec<String> {
    let mut ids: Vec<String> = fs::read_dir(example().join("clients"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    ids.sort();
    ids
}

/// A writable copy of a fixture, so a test can break or change it.
pub fn copy_fixture(name: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    copy_dir(&fixture(name), dir.path());
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub fn hundred() -> Command {
    let mut cmd = Command::cargo_bin("hundred").unwrap();
    cmd.env("NO_COLOR", "1").env("COLUMNS", "200");
    cmd
}

/// Builds `site` into a new temporary folder with a pinned date; panics on failure.
pub fn build(site: &Path) -> TempDir {
    let out = TempDir::new().unwrap();
    build_into(site, &out.path().join("public"));
    out
}

pub fn build_into(site: &Path, output: &Path) {
    let result = hundred()
        .arg("build")
        .arg(site)
        .arg("--output")
        .arg(output)
        .arg("--today")
        .arg(TODAY)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "build failed:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
}

/// Every file under `dir`, by `/`-separated relative path.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap();
            let key = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            files.insert(key, fs::read(entry.path()).unwrap());
        }
    }
    files
}

pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The HTML with `<title>` contents removed: browsers read a title as plain text, so a `<`
/// inside one cannot start an element (the minifier is free to leave it unescaped there).
pub fn without_titles(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<title>") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</title>") {
            Some(end) => rest = &rest[start + end + "</title>".len()..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Checks the parts of RFC 5545 that calendar apps are strict about; returns the unfolded
/// content lines.
pub fn check_icalendar(text: &str) -> Vec<String> {
    assert!(text.ends_with("\r\n"), "must end with CRLF");
    for raw in text.split("\r\n").filter(|l| !l.is_empty()) {
        assert!(
            !raw.contains('\n') && !raw.contains('\r'),
            "bare line break in {raw:?}"
        );
        assert!(raw.len() <= 75, "line longer than 75 octets: {raw:?}");
    }
    // Unfold: a CRLF followed by a space or tab continues the previous line.
    let unfolded = text.replace("\r\n ", "").replace("\r\n\t", "");
    let lines: Vec<String> = unfolded
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    assert_eq!(lines.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
    assert_eq!(lines.last().map(String::as_str), Some("END:VCALENDAR"));
    assert!(
        lines.iter().any(|l| l == "VERSION:2.0"),
        "VERSION:2.0 missing"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("PRODID:")),
        "PRODID missing"
    );
    let mut stack: Vec<&str> = Vec::new();
    let mut event: Vec<&str> = Vec::new();
    let mut uids = std::collections::BTreeSet::new();
    for line in &lines {
        let (name, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("no colon in {line:?}"));
        let key = name.split(';').next().unwrap();
        assert!(
            key.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'),
            "bad property name {key:?}"
        );
        match key {
            "BEGIN" => {
                stack.push(value);
                event.clear();
            }
            "END" => {
                assert_eq!(stack.pop(), Some(value), "unbalanced END:{value}");
                if value == "VEVENT" {
                    for required in ["UID", "DTSTAMP", "DTSTART"] {
                        assert!(event.contains(&required), "VEVENT without {required}");
                    }
                }
            }
            _ => {
                event.push(key);
                if key == "UID" {
                    assert!(uids.insert(value.to_string()), "duplicate UID {value}");
                }
                if key == "DTSTART" || key == "DTEND" {
                    assert!(
                        name.contains("VALUE=DATE"),
                        "all-day events use VALUE=DATE: {line}"
                    );
                    assert!(
                        value.len() == 8 && value.bytes().all(|b| b.is_ascii_digit()),
                        "bad date {value}"
                    );
                }
                if matches!(key, "SUMMARY" | "DESCRIPTION") {
                    // TEXT values escape commas and semicolons (RFC 5545 3.3.11).
                    let bytes = value.as_bytes();
                    for (i, b) in bytes.iter().enumerate() {
                        if *b == b',' || *b == b';' {
                            assert!(
                                i > 0 && bytes[i - 1] == b'\\',
                                "unescaped {} in {line}",
                                *b as char
                            );
                        }
                    }
                }
            }
        }
    }
    assert!(stack.is_empty(), "unclosed components: {stack:?}");
    lines
}

/// The start tags of an HTML document as (name, attributes), read the way a browser's
/// tokenizer does: quoted attribute values and `<title>` text cannot open an element.
pub fn start_tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let b = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' || i + 1 >= b.len() || !(b[i + 1] as char).is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        i += 1;
        let name_start = i;
        while i < b.len() && !(b[i] as char).is_whitespace() && b[i] != b'>' && b[i] != b'/' {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while i < b.len() && ((b[i] as char).is_whitespace() || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                i += 1;
                break;
            }
            let a = i;
            while i < b.len() && !(b[i] as char).is_whitespace() && b[i] != b'=' && b[i] != b'>' {
                i += 1;
            }
            let key = html[a..i].to_ascii_lowercase();
            let mut value = String::new();
            if i < b.len() && b[i] == b'=' {
                i += 1;
                if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                    let q = b[i];
                    let v = i + 1;
                    i = v;
                    while i < b.len() && b[i] != q {
                        i += 1;
                    }
                    value = html[v..i.min(b.len())].to_string();
                    i += 1;
                } else {
                    let v = i;
                    while i < b.len() && !(b[i] as char).is_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                    value = html[v..i].to_string();
                }
            }
            attrs.push((key, value));
        }
        if name == "title" || name == "textarea" {
            // Raw text: skip to the end tag.
            let close = format!("</{name}");
            i = html[i..].find(&close).map(|p| i + p).unwrap_or(b.len());
        }
        tags.push((name, attrs));
    }
    tags
}

/// Panics if the page has anything that could run a script: a script element, an event
/// handler attribute, or a `javascript:` URL.
pub fn assert_no_active_content(page: &str, html: &str) {
    for (name, attrs) in start_tags(html) {
        assert!(
            name != "script" && name != "iframe" && name != "object",
            "{page}: <{name}> element"
        );
        for (key, value) in attrs {
            assert!(
                !key.starts_with("on"),
                "{page}: event handler {key} on <{name}>"
            );
            assert!(
                !value.trim().to_ascii_lowercase().starts_with("javascript:"),
                "{page}: javascript: URL"
            );
        }
    }
}
