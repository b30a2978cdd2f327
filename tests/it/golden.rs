//! Output stays byte for byte what it was unless a change means it to: the example and the
//! canary fixture are built as of a fixed date and every file's size and hash compared with
//! `tests/golden/*.txt`. Beside them, `tests/golden/canary-pages/` holds the canary fixture's
//! HTML pages as an unminified build writes them, so a reviewer can read what a change did to
//! them. An optimisation must leave all of these alone; a change that alters output on purpose
//! updates them with
//!
//!     HUNDRED_UPDATE_GOLDEN=1 cargo test --test it golden::
//!
//! and the diff of the manifests and pages shows which files it touched, and how.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::support::*;

const UPDATE: &str = "HUNDRED_UPDATE_GOLDEN";

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// `path` relative to the repository, as a reader would type it.
fn shown(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn updating() -> bool {
    std::env::var_os(UPDATE).is_some()
}

// ---------------------------------------------------------------------------------------------
// Sizes and hashes of every file of the minified build

/// FNV-1a, 64 bits: stable across Rust versions and machines, unlike std's hashers.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn manifest(site: &Path) -> String {
    // Built from a copy in a temporary folder, so a path of this machine that leaked into the
    // output would show up as a difference on any other.
    let copy = copy_site(site);
    let out = build(copy.path());
    read_tree(&out.path().join("public"))
        .iter()
        .map(|(path, bytes)| format!("{path} {} {:016x}\n", bytes.len(), fnv1a(bytes)))
        .collect()
}

fn check(name: &str, site: &Path) {
    use std::collections::BTreeSet;
    let golden = golden_dir().join(format!("{name}.txt"));
    let now = manifest(site);
    if updating() {
        fs::create_dir_all(golden.parent().unwrap()).unwrap();
        fs::write(&golden, &now).unwrap();
        return;
    }
    let before = fs::read_to_string(&golden).unwrap_or_default();
    if before == now {
        return;
    }
    let old: BTreeSet<&str> = before.lines().collect();
    let new: BTreeSet<&str> = now.lines().collect();
    let changed: Vec<&str> = old
        .symmetric_difference(&new)
        .map(|l| l.split(' ').next().unwrap_or(l))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    panic!(
        "the {name} build's output changed in {} file(s): {changed:?}\n\
         If that is intended, run {UPDATE}=1 cargo test --test it golden:: and commit {}.",
        changed.len(),
        golden.display()
    );
}

#[test]
fn the_example_builds_to_the_recorded_bytes() {
    check("example", &example());
}

#[test]
fn the_canary_fixture_builds_to_the_recorded_bytes() {
    check("canary", &fixture("canary"));
}

// ---------------------------------------------------------------------------------------------
// Readable snapshots of the HTML pages of an unminified build (the same with or without the
// `minify` feature)

/// The HTML pages of an unminified build of a copy of `site`, by route.
fn pages(site: &Path) -> BTreeMap<String, String> {
    let copy = copy_site(site);
    let out = Build::of(copy.path()).no_minify().into_temp();
    read_tree(&out.path().join("public"))
        .into_iter()
        .filter(|(route, _)| route.ends_with(".html"))
        .map(|(route, bytes)| {
            let text = String::from_utf8(bytes).unwrap_or_else(|e| panic!("{route}: {e}"));
            (route, text)
        })
        .collect()
}

/// How many lines of a changed region, and of the unchanged ones around it, a diff shows.
const SHOWN: usize = 12;
const CONTEXT: usize = 3;

/// A unified-style hunk of the first region where `old` and `new` differ: the lines between
/// their common beginning and their common end, with a little context, cut to [`SHOWN`] lines
/// a side.
fn first_difference(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let start = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[start..]
        .iter()
        .rev()
        .zip(b[start..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a_end, b_end) = (a.len() - tail, b.len() - tail);
    let from = start.saturating_sub(CONTEXT);
    let after = tail.min(CONTEXT);
    let mut out = format!(
        "@@ -{},{} +{},{} @@\n",
        from + 1,
        a_end + after - from,
        from + 1,
        b_end + after - from
    );
    for line in &a[from..start] {
        out += &format!(" {line}\n");
    }
    for (sign, lines) in [('-', &a[start..a_end]), ('+', &b[start..b_end])] {
        for line in lines.iter().take(SHOWN) {
            out += &format!("{sign}{line}\n");
        }
        if lines.len() > SHOWN {
            out += &format!("{sign}… {} more line(s)\n", lines.len() - SHOWN);
        }
    }
    for line in &a[a_end..a_end + after] {
        out += &format!(" {line}\n");
    }
    if old.ends_with('\n') != new.ends_with('\n') {
        out += "(and one of them does not end with a line break)\n";
    }
    out
}

/// Compares the pages of `site` with `tests/golden/<name>-pages/`, or rewrites that folder when
/// updating.
fn check_pages(name: &str, site: &Path) {
    let dir = golden_dir().join(format!("{name}-pages"));
    let now = pages(site);
    if updating() {
        if dir.exists() {
            fs::remove_dir_all(&dir).unwrap();
        }
        for (route, text) in &now {
            put(&dir.join(route), text);
        }
        return;
    }
    let recorded: BTreeMap<String, String> = read_tree(&dir)
        .into_iter()
        .map(|(route, bytes)| (route, String::from_utf8_lossy(&bytes).into_owned()))
        .collect();
    let mut problems = Vec::new();
    for (route, text) in &now {
        let file = dir.join(route);
        match recorded.get(route) {
            None => problems.push(format!("new page {route}: no {}", shown(&file))),
            Some(old) if old != text => problems.push(format!(
                "--- {} (recorded)\n+++ {route} (built now)\n{}",
                shown(&file),
                first_difference(old, text).trim_end()
            )),
            Some(_) => {}
        }
    }
    for route in recorded.keys().filter(|r| !now.contains_key(*r)) {
        problems.push(format!(
            "{route} is no longer built, but {} is recorded",
            shown(&dir.join(route))
        ));
    }
    assert!(
        problems.is_empty(),
        "the {name} build's pages differ from the snapshots in {} in {} place(s):\n\n{}\n\n\
         If that is intended, run {UPDATE}=1 cargo test --test it golden:: and commit {}.",
        shown(&dir),
        problems.len(),
        problems.join("\n\n"),
        shown(&dir)
    );
}

#[test]
fn the_canary_fixture_pages_read_as_recorded() {
    check_pages("canary", &fixture("canary"));
}

#[test]
fn a_page_difference_is_shown_as_a_hunk() {
    let old = "a\nb\nc\nd\ne\nf\ng\n";
    let new = "a\nb\nc\nD\nE\nf\ng\n";
    assert_eq!(
        first_difference(old, new),
        "@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n-e\n+D\n+E\n f\n g\n"
    );
    // Lines added at the end, and a missing final line break.
    assert_eq!(
        first_difference("a\nb", "a\nb\nc\n"),
        "@@ -1,2 +1,3 @@\n a\n b\n+c\n(and one of them does not end with a line break)\n"
    );
}
