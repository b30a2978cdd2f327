//! `log/<client>.yaml`: what really happened with one client, one entry per event. Each entry
//! is checked here on its own; whether its touchpoint, member and contacts exist is for the
//! check stage, which sees the whole site.

use std::path::Path;

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::text::TextCheck;
use super::yaml;
use crate::diagnostics::{suggest, Diagnostic, Position};
use crate::model::{Located, Log, LogEntry, Logged, Mood};

pub const FIELDS: &[&str] = &[
    "date",
    "touchpoint",
    "status",
    "to",
    "by",
    "with",
    "channel",
    "title",
    "score",
    "mood",
    "note",
];

pub const STATUSES: &[&str] = &["done", "skipped", "moved"];
pub const MOODS: &[&str] = &["green", "amber", "red"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EntryFile {
    date: Spanned<String>,
    #[serde(default)]
    touchpoint: Option<Spanned<String>>,
    #[serde(default)]
    status: Option<Spanned<String>>,
    #[serde(default)]
    to: Option<Spanned<String>>,
    #[serde(default)]
    by: Option<Spanned<String>>,
    #[serde(default)]
    with: Vec<Spanned<String>>,
    #[serde(default)]
    channel: Option<Spanned<String>>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    score: Option<Spanned<String>>,
    #[serde(default)]
    mood: Option<Spanned<String>>,
    #[serde(default)]
    note: String,
}

/// A field's text and where its value is.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Field {
    pub value: String,
    pub at: Option<Position>,
}

impl From<Spanned<String>> for Field {
    fn from(s: Spanned<String>) -> Self {
        Field {
            at: yaml::position_of(&s.referenced, 1),
            value: s.value,
        }
    }
}

/// One entry as written, before its values are checked: what both ways of reading a log give.
#[derive(Debug, Default, PartialEq)]
pub(super) struct RawEntry {
    pub date: Field,
    pub touchpoint: Option<Field>,
    pub status: Option<Field>,
    pub to: Option<Field>,
    pub by: Option<Field>,
    pub with: Vec<Field>,
    pub channel: Option<Field>,
    pub title: Option<String>,
    pub score: Option<Field>,
    pub mood: Option<Field>,
    pub note: String,
}

impl From<EntryFile> for RawEntry {
    fn from(e: EntryFile) -> Self {
        RawEntry {
            date: e.date.into(),
            touchpoint: e.touchpoint.map(Field::from),
            status: e.status.map(Field::from),
            to: e.to.map(Field::from),
            by: e.by.map(Field::from),
            with: e.with.into_iter().map(Field::from).collect(),
            channel: e.channel.map(Field::from),
            title: e.title,
            score: e.score.map(Field::from),
            mood: e.mood.map(Field::from),
            note: e.note,
        }
    }
}

/// The entries of a log file as written: from the parser's events when the file has the
/// plain shape logs nearly always have, else (and for every error message) through serde.
pub(super) fn read(file: &Path, text: &str) -> Result<Vec<RawEntry>, Diagnostic> {
    // A new log may hold nothing yet, or only comments.
    if is_empty_yaml(text) {
        return Ok(Vec::new());
    }
    if let Some(entries) = super::log_events::entries(text) {
        return Ok(entries);
    }
    let entries: Vec<EntryFile> = yaml::parse(text, file, 1, FIELDS)?;
    Ok(entries.into_iter().map(RawEntry::from).collect())
}

pub fn load(file: &Path, id: &str, text: &str) -> super::Loaded<Log> {
    let raw = read(file, text).map_err(|d| vec![d])?;
    let mut check = TextCheck::new(file, text, 1);
    let mut errors = Vec::new();
    let mut entries = Vec::with_capacity(raw.len());
    for mut e in raw {
        check.line("date", &e.date.value);
        if let Some(score) = &e.score {
            check.line("score", &score.value);
        }
        for (field, value) in [
            ("touchpoint", &e.touchpoint),
            ("status", &e.status),
            ("to", &e.to),
            ("by", &e.by),
            ("channel", &e.channel),
            ("mood", &e.mood),
        ] {
            if let Some(v) = value {
                check.line(field, &v.value);
            }
        }
        for w in &e.with {
            check.line("with", &w.value);
        }
        check.optional("title", &e.title);
        check.markdown("note", &mut e.note);
        match entry(file, e) {
            Ok(entry) => entries.push(entry),
            Err(mut d) => errors.append(&mut d),
        }
    }
    errors.extend(check.errors);
    let mut warnings = check.warnings;
    let notes: Vec<&str> = entries.iter().map(|e| e.note.as_str()).collect();
    warnings.extend(crate::content_check::log_notes(file, text, &notes));
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((
        Log {
            client: id.to_string(),
            file: file.to_path_buf(),
            entries,
        },
        warnings,
    ))
}

/// Whether `text` holds no YAML value: nothing but blank lines and comments.
fn is_empty_yaml(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .all(|l| l.is_empty() || l.starts_with('#') || l == "---")
}

fn entry(file: &Path, e: RawEntry) -> Result<LogEntry, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let entry_at = e.date.at;
    let date = match crate::dates::parse(&e.date.value) {
        Ok(d) => Some(d),
        Err(msg) => {
            errors.push(
                Diagnostic::error(file, format!("`date`: {msg}"))
                    .at(entry_at)
                    .help("write when it happened as YYYY-MM-DD, e.g. date: 2026-04-01"),
            );
            None
        }
    };
    let status = match &e.status {
        None => Logged::Done,
        Some(s) => match s.value.trim() {
            "done" => Logged::Done,
            "skipped" => Logged::Skipped,
            "moved" => Logged::Moved,
            other => {
                let d = Diagnostic::error(file, format!("unknown status `{other}`")).at(s.at);
                errors.push(match suggest(other, STATUSES.iter().copied()) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help("a status is `done` (the default), `skipped` or `moved`"),
                });
                Logged::Done
            }
        },
    };
    let to = match (&e.to, status) {
        (None, Logged::Moved) => {
            errors.push(
                Diagnostic::error(file, "a `moved` entry needs `to`, the new date")
                    .at(e.status.as_ref().map_or(entry_at, |s| s.at))
                    .help("for example `to: 2026-04-08`"),
            );
            None
        }
        (Some(to), Logged::Moved) => match crate::dates::parse(&to.value) {
            Ok(d) => Some(d),
            Err(msg) => {
                errors.push(
                    Diagnostic::error(file, format!("`to`: {msg}"))
                        .at(to.at)
                        .help("write the new date as YYYY-MM-DD, e.g. to: 2026-04-08"),
                );
                None
            }
        },
        (Some(to), _) => {
            errors.push(
                Diagnostic::error(file, "`to` is only for a `moved` entry")
                    .at(to.at)
                    .help("add `status: moved`, or remove `to`"),
            );
            None
        }
        (None, _) => None,
    };
    let nonempty = |s: &Option<Field>| {
        s.as_ref()
            .filter(|s| !s.value.trim().is_empty())
            .map(|s| Located::new(s.value.trim().to_string(), s.at))
    };
    let touchpoint = nonempty(&e.touchpoint);
    let channel = nonempty(&e.channel);
    let title = e
        .title
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    if touchpoint.is_none() {
        // An unplanned contact: what it was must be said.
        let mut missing = Vec::new();
        if title.is_none() {
            missing.push("`title`");
        }
        if channel.is_none() {
            missing.push("`channel`");
        }
        if !missing.is_empty() {
            errors.push(
                Diagnostic::error(
                    file,
                    format!(
                        "this entry has no `touchpoint`, so it is an unplanned contact, which needs {}",
                        missing.join(" and ")
                    ),
                )
                .at(entry_at)
                .help("for example `title: Coffee at the hire shed` and `channel: meeting`, or name the journey file in `touchpoint:`"),
            );
        }
        if status != Logged::Done {
            errors.push(
                Diagnostic::error(
                    file,
                    format!(
                        "an unplanned contact cannot be `{}`: only a touchpoint of the journey is skipped or moved",
                        status.name()
                    ),
                )
                .at(e.status.as_ref().map_or(entry_at, |s| s.at))
                .help("name the touchpoint in `touchpoint:`, or remove `status`"),
            );
        }
    }
    let score = match e.score {
        None => None,
        Some(s) => match s.value.trim().parse::<i64>() {
            Ok(n) if (0..=10).contains(&n) => Some(n as u8),
            Ok(n) => {
                errors.push(score_error(file, format!("`score` is {n}"), s.at));
                None
            }
            Err(_) => {
                errors.push(score_error(
                    file,
                    format!("`score` `{}` is not a number", s.value.trim()),
                    s.at,
                ));
                None
            }
        },
    };
    let mood = match &e.mood {
        None => None,
        Some(m) => match m.value.trim() {
            "green" => Some(Mood::Green),
            "amber" => Some(Mood::Amber),
            "red" => Some(Mood::Red),
            other => {
                let d = Diagnostic::error(file, format!("unknown mood `{other}`")).at(m.at);
                errors.push(match suggest(other, MOODS.iter().copied()) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help("a mood is `green`, `amber` or `red`"),
                });
                None
            }
        },
    };
    let (Some(date), true) = (date, errors.is_empty()) else {
        return Err(errors);
    };
    Ok(LogEntry {
        date,
        at: entry_at,
        touchpoint,
        status,
        to,
        by: nonempty(&e.by),
        with: e
            .with
            .iter()
            .map(|w| Located::new(w.value.trim().to_string(), w.at))
            .collect(),
        channel,
        title,
        score,
        mood,
        note: e.note,
    })
}

fn score_error(file: &Path, message: String, at: Option<Position>) -> Diagnostic {
    Diagnostic::error(
        file,
        format!("{message}: a score is a whole number from 0 to 10"),
    )
    .at(at)
    .help("for example `score: 6` for six out of ten")
}
