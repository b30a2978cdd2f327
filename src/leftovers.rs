//! Text a new site still has from `hundred init`'s starter: the "Your Studio" firm and logo,
//! its `yourstudio.example` addresses, and the "Replace with …" sentences in profiles,
//! scripts and the getting-started chapter. Each is a warning at its file and line, never an
//! error: a site is allowed to go live half-finished, but it should know it is.
//!
//! The sentences are found by comparing lines with the starter's own (embedded in the
//! binary), so a real goal such as "Replace the spreadsheets" is never mistaken for one.

use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

use crate::diagnostics::{Diagnostic, Position};

/// The starter's placeholder firm name, on its logo and in its settings.
pub const STARTER_FIRM: &str = "Your Studio";
/// The domain of the starter's example addresses.
pub const STARTER_DOMAIN: &str = "yourstudio.example";

/// Whether `line` of a file is a comment (YAML and TOML; markdown has none that matter here).
fn is_comment(line: &str, markdown: bool) -> bool {
    !markdown && line.trim_start().starts_with('#')
}

/// A line as compared: without the list dash, indentation and a YAML key before the text.
fn comparable(line: &str) -> &str {
    line.trim().trim_start_matches("- ").trim()
}

/// The starter's lines that ask to be replaced, as [`comparable`] gives them.
fn starter_sentences() -> &'static HashSet<String> {
    static LINES: OnceLock<HashSet<String>> = OnceLock::new();
    LINES.get_or_init(|| {
        let mut lines = HashSet::new();
        for (path, bytes) in crate::theme::starter() {
            let markdown = path.ends_with(".md");
            if !(markdown || path.ends_with(".yaml") || path.ends_with(".toml")) {
                continue;
            }
            let Ok(text) = std::str::from_utf8(bytes) else {
                continue;
            };
            for line in text.lines() {
                if is_comment(line, markdown) {
                    continue;
                }
                let lower = line.to_lowercase();
                if lower.contains("replace with")
                    || lower.contains("replace this with")
                    || lower.contains("replace it with")
                    || lower.contains("replace it, chapter by chapter")
                {
                    lines.insert(comparable(line).to_string());
                }
            }
        }
        lines
    })
}

/// The warnings about starter text left in `text`, the contents of `file` (a profile,
/// script, chapter or `hundred.toml`).
pub fn in_text(file: &Path, text: &str) -> Vec<Diagnostic> {
    let markdown = file.extension().is_some_and(|e| e == "md");
    let sentences = starter_sentences();
    let mut out = Vec::new();
    let mut said_domain = false;
    for (i, line) in text.lines().enumerate() {
        if is_comment(line, markdown) {
            continue;
        }
        let at = |column: usize| Some(Position::new(i + 1, column));
        let indent = line.chars().take_while(|c| c.is_whitespace()).count() + 1;
        let text_of_line = comparable(line);
        if !text_of_line.is_empty() && sentences.contains(text_of_line) {
            let shown: String = text_of_line.chars().take(60).collect();
            let more = if text_of_line.chars().count() > 60 {
                "…"
            } else {
                ""
            };
            out.push(
                Diagnostic::warning(
                    file,
                    format!("this is still the starter's placeholder text: \"{shown}{more}\""),
                )
                .at(at(indent))
                .help("write your own text here in its place; the site builds meanwhile"),
            );
            continue;
        }
        if let Some(c) = line.find(STARTER_FIRM) {
            out.push(
                Diagnostic::warning(
                    file,
                    format!("\"{STARTER_FIRM}\" is the starter's placeholder firm name"),
                )
                .at(at(line[..c].chars().count() + 1))
                .help("write your firm's name here"),
            );
            continue;
        }
        if let Some(c) = line.find(STARTER_DOMAIN) {
            // One warning for the file's example addresses: they are replaced together.
            if !said_domain {
                said_domain = true;
                out.push(
                    Diagnostic::warning(
                        file,
                        format!(
                            "this has the starter's example address `{}`",
                            address_around(line, c)
                        ),
                    )
                    .at(at(line[..c].chars().count() + 1))
                    .help(format!(
                        "replace every `{STARTER_DOMAIN}` address in this file with a real one"
                    )),
                );
            }
        }
    }
    out
}

/// The address or web address that the text at byte `at` of `line` is part of.
fn address_around(line: &str, at: usize) -> &str {
    let stop = |c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '(' | ')');
    let start = line[..at].rfind(stop).map_or(0, |i| i + 1);
    let end = line[at..].find(stop).map_or(line.len(), |i| at + i);
    &line[start..end]
}

/// The warning about the starter's logo, if `static/<logo>` (an SVG) still shows it.
pub fn in_logo(site_root: &Path, logo: &str) -> Option<Diagnostic> {
    if !logo.to_ascii_lowercase().ends_with(".svg") {
        return None;
    }
    let rel = Path::new("static").join(logo);
    // Read as the loader reads a source: a link out of the site is not followed.
    crate::load::links::check_file(site_root, &rel).ok()?;
    let text = crate::load::read_text(site_root, &rel).ok()?;
    let (i, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(STARTER_FIRM))?;
    let c = line.find(STARTER_FIRM).unwrap_or(0);
    Some(
        Diagnostic::warning(
            rel,
            format!("this is still the starter's \"{STARTER_FIRM}\" logo"),
        )
        .at(Some(Position::new(i + 1, line[..c].chars().count() + 1)))
        .help(format!(
            "put your own logo in static/ and name it with `logo` under [firm] in hundred.toml, or remove the `logo` line (it is now `{logo}`)"
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_has_placeholders_and_real_text_does_not() {
        let sam = crate::theme::starter()
            .iter()
            .find(|(p, _)| *p == "team/sam.yaml")
            .map(|(_, b)| std::str::from_utf8(b).unwrap())
            .unwrap();
        let found = in_text(Path::new("team/sam.yaml"), sam);
        assert!(
            found
                .iter()
                .any(|d| d.message.contains("Replace with a fun fact about Sam")),
            "{found:?}"
        );
        assert!(found
            .iter()
            .any(|d| d.message.contains("sam@yourstudio.example")));
        assert!(found.iter().all(|d| !d.is_error()));
        let real = "name: Sam\ngoals:\n  - Replace the job-tracking spreadsheets\nemail: sam@firm.example\n# Replace with a comment\n";
        assert!(in_text(Path::new("team/sam.yaml"), real).is_empty());
    }

    #[test]
    fn the_firm_name_is_found_where_it_is() {
        let toml = "[firm]\nname = \"Your Studio\"   # your firm\n";
        let found = in_text(Path::new("hundred.toml"), toml);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].position, Some(Position::new(2, 9)));
    }
}
