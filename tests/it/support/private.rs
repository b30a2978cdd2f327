//! Private sites in tests: the canary fixture made private, the links `hundred links`
//! prints, and what of a published file a stranger can read.

use std::path::Path;

use tempfile::TempDir;

use super::{copy_fixture, edit, hundred};

/// A copy of the canary fixture with `[portal] private = true`, and `[internal]` too with
/// `internal`.
pub fn private_site(internal: bool) -> TempDir {
    let site = copy_fixture("canary");
    let settings = site.path().join("hundred.toml");
    edit(
        &settings,
        "base_url = \"https://clients.canary.example/\"",
        "base_url = \"https://clients.canary.example/\"\nprivate = true",
    );
    if internal {
        edit(
            &settings,
            "base_url = \"https://team.canary.example/handbook/\"",
            "base_url = \"https://team.canary.example/handbook/\"\nprivate = true",
        );
    }
    site
}

/// `hundred links SITE --format tsv` with `secret`: (id, name, link) of each client.
pub fn links(site: &Path, secret: &str) -> Vec<(String, String, String)> {
    let out = hundred()
        .arg("links")
        .arg(site)
        .args(["--format", "tsv"])
        .env("HUNDRED_SECRET", secret)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 3, "{l}");
            (cols[0].into(), cols[1].into(), cols[2].into())
        })
        .collect()
}

/// The readable parts of a published file: a shell without its sealed base64 (which could
/// spell a short word by chance), anything else whole.
pub fn readable(bytes: &[u8]) -> String {
    match hundred::shell::sealed_range(bytes) {
        Some(r) => format!(
            "{}{}",
            String::from_utf8_lossy(&bytes[..r.start]),
            String::from_utf8_lossy(&bytes[r.end..])
        ),
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// A message as one line: without the frame miette draws and its line breaks.
pub fn flat(s: &str) -> String {
    s.replace(['│', '╭', '╰', '─', '·'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
