//! `hundred log`: appends one entry to a client's journey log (`log/<client>.yaml`), after
//! checking it exactly as `hundred check` would. The file's existing text, comments included,
//! is kept byte for byte: the entry is added at the end.

use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::diagnostics::{Diagnostic, Diagnostics, Problems};
use crate::load::SourceKind;

/// What to record, as given on the command line.
#[derive(Debug, Clone, Default)]
pub struct NewEntry {
    pub client: String,
    pub touchpoint: Option<String>,
    pub skipped: bool,
    /// The new date of a moved touchpoint.
    pub moved_to: Option<Date>,
    /// Default: the build date.
    pub date: Option<Date>,
    pub by: Option<String>,
    pub with: Vec<String>,
    pub score: Option<i64>,
    pub mood: Option<String>,
    pub title: Option<String>,
    pub channel: Option<String>,
    pub note: Option<String>,
}

/// What was written.
#[derive(Debug)]
pub struct Recorded {
    /// The log file, relative to the site folder.
    pub file: PathBuf,
    /// The entry as written.
    pub entry: String,
    /// Whether the file was created.
    pub created: bool,
    /// Warnings about the log (the entry is written all the same).
    pub warnings: Diagnostics,
}

/// Appends `new` to its client's log under `root`, unless the log would then have errors.
/// `today` is the build date: the default date, and the limit entries are checked against.
pub fn record(root: &Path, new: &NewEntry, today: Date) -> Result<Recorded, Problems> {
    let fail = |d: Diagnostic| Problems::from(Diagnostics { items: vec![d] });
    let (site, diags) = crate::load::load_site(root);
    let Some(site) = site else {
        return Err(Problems::from(diags));
    };
    if !crate::load::is_valid_id(&new.client) {
        return Err(fail(
            Diagnostic::error(
                SourceKind::Clients.folder(),
                format!("`{}` is not a client id", new.client),
            )
            .help("a client's id is its file name in clients/ without `.yaml`"),
        ));
    }
    let file = existing_log(root, &new.client).unwrap_or_else(|| {
        Path::new(SourceKind::Log.folder()).join(format!("{}.yaml", new.client))
    });
    let path = root.join(&file);
    let old = match std::fs::read(&path) {
        Ok(bytes) => Some(
            String::from_utf8(bytes)
                .map_err(|_| fail(Diagnostic::error(&file, "this file is not UTF-8 text")))?,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(fail(Diagnostic::error(
                &file,
                format!("cannot read it: {e}"),
            )))
        }
    };
    let new = &with_occurrence(&site, new, today);
    let entry = yaml_entry(new, today);
    let mut text = old.clone().unwrap_or_default();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&entry);

    // The same checks as `hundred check`, on the log as it would be.
    let mut findings = Diagnostics::default();
    match crate::load::log::load(&file, &new.client, &text) {
        Err(errors) => findings.extend(errors),
        Ok((log, warnings)) => {
            findings.extend(warnings);
            findings.extend(crate::check::check_log(&site, &log, today));
        }
    }
    findings.sort();
    if findings.has_errors() {
        return Err(Problems::from(findings));
    }
    replace(root, &file, text.as_bytes())
        .map_err(|e| fail(Diagnostic::error(&file, format!("cannot write it: {e}"))))?;
    Ok(Recorded {
        file,
        entry,
        created: old.is_none(),
        warnings: findings,
    })
}

/// `new`, naming the earliest occurrence not yet done or skipped when it names a repeating
/// touchpoint without saying which (`020-monthly-check-in` becomes `020-monthly-check-in/3`).
fn with_occurrence(site: &crate::model::Site, new: &NewEntry, today: Date) -> NewEntry {
    let mut new = new.clone();
    let Some(id) = new.touchpoint.clone() else {
        return new;
    };
    let Some(client) = site.clients.iter().find(|c| c.id == new.client) else {
        return new;
    };
    if crate::history::split_key(&id).1.is_some() {
        return new;
    }
    let history = crate::history::History::of(site, client, today);
    if let Some(step) = history
        .steps
        .iter()
        .find(|s| s.touchpoint.id == id && s.occurrence.is_some() && s.logged.is_none())
    {
        new.touchpoint = Some(step.key());
    }
    new
}

/// Writes `bytes` to `file` (relative to `root`) through a temporary file and a rename, so
/// the log is never left half written. A log or log folder that is a symbolic link is
/// refused: hundred writes only inside the site folder.
fn replace(root: &Path, file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = root.join(SourceKind::Log.folder());
    for p in [&dir, &root.join(file)] {
        if std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(std::io::Error::other(format!(
                "{} is a symbolic link; hundred log writes only files inside the site folder",
                p.display()
            )));
        }
    }
    std::fs::create_dir_all(&dir)?;
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, root.join(file)).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}

/// The client's log file if it exists (`.yaml` or `.yml`).
fn existing_log(root: &Path, client: &str) -> Option<PathBuf> {
    SourceKind::Log.extensions().iter().find_map(|ext| {
        let rel = Path::new(SourceKind::Log.folder()).join(format!("{client}.{ext}"));
        root.join(&rel).is_file().then_some(rel)
    })
}

/// The entry as a YAML list item, fields in the documented order.
fn yaml_entry(new: &NewEntry, today: Date) -> String {
    let mut out = String::new();
    let date = new.date.unwrap_or(today);
    out.push_str(&format!("- date: {}\n", crate::dates::iso(date)));
    let mut field = |name: &str, value: String| {
        out.push_str(&format!("  {name}: {value}\n"));
    };
    if let Some(t) = &new.touchpoint {
        field("touchpoint", scalar(t));
    }
    if new.skipped {
        field("status", "skipped".into());
    }
    if let Some(to) = new.moved_to {
        field("status", "moved".into());
        field("to", crate::dates::iso(to));
    }
    if let Some(by) = &new.by {
        field("by", scalar(by));
    }
    if !new.with.is_empty() {
        let names: Vec<String> = new.with.iter().map(|w| scalar(w)).collect();
        field("with", format!("[{}]", names.join(", ")));
    }
    if let Some(c) = &new.channel {
        field("channel", scalar(c));
    }
    if let Some(t) = &new.title {
        field("title", scalar(t));
    }
    if let Some(s) = new.score {
        field("score", s.to_string());
    }
    if let Some(m) = &new.mood {
        field("mood", scalar(m));
    }
    if let Some(note) = &new.note {
        field("note", block(note));
    }
    out
}

/// A string as a YAML scalar: plain when that reads back as the same string, else quoted.
pub(crate) fn scalar(s: &str) -> String {
    let plain = (crate::load::is_valid_id(s)
        || s.chars().next().is_some_and(|c| c.is_alphabetic())
            && s.chars().all(|c| {
                c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | '\'' | '(' | ')' | '/')
            })
            && !s.ends_with(' '))
        && reads_back(s);
    if plain {
        s.to_string()
    } else {
        quoted(s)
    }
}

/// Whether `s` written plain reads back as the same text (`001-welcome-call` does; `1e5`,
/// `0x1f`, `null` and `true` do not).
fn reads_back(s: &str) -> bool {
    let yaml = format!("v: {s}\n");
    crate::load::yaml::parse::<std::collections::BTreeMap<String, serde_json::Value>>(
        &yaml,
        Path::new("-"),
        1,
        &[],
    )
    .ok()
    .and_then(|m| m.get("v").cloned())
        == Some(serde_json::Value::String(s.to_string()))
}

/// A double-quoted YAML scalar. JSON's escapes are YAML's too.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// A note: a literal block when it has several lines that a block keeps as they are, else a
/// scalar.
fn block(note: &str) -> String {
    let lines: Vec<&str> = note.trim_end_matches('\n').lines().collect();
    let keeps = lines.len() > 1
        && !lines[0].starts_with([' ', '\t'])
        && note.chars().all(|c| !c.is_control() || c == '\n')
        && lines.iter().all(|l| !l.ends_with([' ', '\t']));
    if !keeps {
        return scalar(note);
    }
    let mut out = String::from("|");
    for l in lines {
        out.push('\n');
        if !l.is_empty() {
            out.push_str("    ");
            out.push_str(l);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_read_back_as_written() {
        assert_eq!(scalar("Owen Price"), "Owen Price");
        assert_eq!(scalar("001-welcome-call"), "001-welcome-call");
        assert_eq!(scalar("6"), "\"6\"");
        assert_eq!(scalar("1e5"), "\"1e5\"");
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("null"), "\"null\"");
        assert_eq!(scalar("0x1f"), "\"0x1f\"");
        assert_eq!(scalar("6/10: fine"), "\"6/10: fine\"");
        assert_eq!(scalar("a # b"), "\"a # b\"");
        assert_eq!(scalar("{{ client.name }}"), "\"{{ client.name }}\"");
        assert_eq!(scalar("line\nbreak"), "\"line\\nbreak\"");
    }

    #[test]
    fn a_note_of_several_lines_is_a_literal_block() {
        assert_eq!(block("One.\nTwo."), "|\n    One.\n    Two.");
        assert_eq!(block("One line: fine"), "\"One line: fine\"");
        assert_eq!(block("  indented\nsecond"), "\"  indented\\nsecond\"");
    }
}
