//! Output stays byte for byte what it was unless a change means it to: the example and the
//! canary fixture are built as of a fixed date and every file's size and hash compared with
//! `tests/golden/*.txt`. An optimisation must leave these alone; a change that alters output
//! on purpose updates them with
//!
//!     HUNDRED_UPDATE_GOLDEN=1 cargo test --test it golden::
//!
//! and the diff of the manifest shows which files it touched.
#![cfg(feature = "minify")]

use std::path::Path;

use crate::support::*;

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
    let golden = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.txt"));
    let now = manifest(site);
    if std::env::var_os("HUNDRED_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &now).unwrap();
        return;
    }
    let before = std::fs::read_to_string(&golden).unwrap_or_default();
    if before == now {
        return;
    }
    let old: std::collections::BTreeSet<&str> = before.lines().collect();
    let new: std::collections::BTreeSet<&str> = now.lines().collect();
    let changed: Vec<&str> = old
        .symmetric_difference(&new)
        .map(|l| l.split(' ').next().unwrap_or(l))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    panic!(
        "the {name} build's output changed in {} file(s): {changed:?}\n\
         If that is intended, run HUNDRED_UPDATE_GOLDEN=1 cargo test --test it golden:: and commit \
         {}.",
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
