//! `clients/<id>.yaml`: one client, its contacts and assigned team, and its `internal` notes.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::text::{self, TextCheck};
use super::{require_text, yaml};
use crate::diagnostics::Diagnostic;
use crate::model::{Client, Contact, Located};

pub const FIELDS: &[&str] = &[
    "name",
    "start",
    "stage",
    "contacts",
    "team",
    "goals",
    "cares_about",
    "welcome",
    "internal",
    "dates",
    "blackout",
    "skip",
    "touchpoints",
    "key_version",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientFile {
    name: String,
    start: serde_saphyr::Spanned<String>,
    #[serde(default)]
    stage: Option<serde_saphyr::Spanned<String>>,
    #[serde(default)]
    contacts: Vec<ContactFile>,
    #[serde(default)]
    team: BTreeMap<String, serde_saphyr::Spanned<String>>,
    #[serde(default)]
    goals: Vec<String>,
    #[serde(default)]
    cares_about: Vec<String>,
    #[serde(default)]
    welcome: String,
    #[serde(default)]
    internal: serde_json::Value,
    #[serde(default)]
    dates: BTreeMap<String, serde_saphyr::Spanned<String>>,
    #[serde(default)]
    blackout: Vec<super::client_dates::RangeFile>,
    #[serde(default)]
    skip: Vec<serde_saphyr::Spanned<String>>,
    #[serde(default)]
    touchpoints: Vec<super::client_dates::OneOffFile>,
    /// Which link of a private portal is in force: bumping it revokes the old one.
    #[serde(default)]
    key_version: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactFile {
    name: String,
    #[serde(default)]
    role: String,
    email: String,
    #[serde(default)]
    phone: Option<String>,
}

pub fn load(file: &Path, id: &str, text: &str) -> super::Loaded<Client> {
    let mut raw: ClientFile = yaml::parse(text, file, 1, FIELDS).map_err(|d| vec![d])?;
    let mut check = TextCheck::new(file, text, 1);
    check.line("name", &raw.name);
    check.line("start", &raw.start.value);
    if let Some(stage) = &raw.stage {
        check.line("stage", &stage.value);
    }
    for c in &raw.contacts {
        check.line("contacts.name", &c.name);
        check.line("contacts.role", &c.role);
        check.line("contacts.email", &c.email);
        check.optional("contacts.phone", &c.phone);
    }
    for (role, member) in &raw.team {
        check.line("team", role);
        check.line("team", &member.value);
    }
    check.lines("goals", &raw.goals);
    check.lines("cares_about", &raw.cares_about);
    check.markdown("welcome", &mut raw.welcome);
    check.notes("internal", &mut raw.internal);
    let mut calendar_errors = Vec::new();
    let calendar = super::client_dates::read(
        &super::client_dates::Source { file, text },
        std::mem::take(&mut raw.dates),
        std::mem::take(&mut raw.blackout),
        std::mem::take(&mut raw.skip),
        std::mem::take(&mut raw.touchpoints),
        &mut check,
        &mut calendar_errors,
    );
    let (mut errors, mut warnings) = (check.errors, check.warnings);
    errors.extend(calendar_errors);
    warnings.extend(crate::content_check::client_fields(
        file,
        text,
        &raw.welcome,
        &raw.internal,
    ));
    errors.extend(require_text(&raw.name, "name", file, text, 1));
    let start = match crate::dates::parse(&raw.start.value) {
        Ok(d) => Some(d),
        Err(msg) => {
            errors.push(
                Diagnostic::error(file, format!("`start`: {msg}"))
                    .at(yaml::position_of(&raw.start.referenced, 1))
                    .help("write the client's first day as YYYY-MM-DD, e.g. start: 2026-11-17"),
            );
            None
        }
    };
    if raw.contacts.is_empty() {
        errors.push(
            Diagnostic::error(file, "the client has no `contacts`")
                .at(yaml::key_position(text, "contacts", 1)
                    .or(Some(crate::diagnostics::Position::new(1, 1))))
                .help(
                    "add at least one contact with name and email; the first is the main contact",
                ),
        );
    }
    for c in &raw.contacts {
        if c.name.trim().is_empty() || text::email_problem(c.email.trim()).is_some() {
            errors.push(
                Diagnostic::error(
                    file,
                    format!("contact `{}` needs a name and a valid email", c.name),
                )
                .at(yaml::key_position(text, "contacts", 1)),
            );
        }
    }
    if raw.key_version == Some(0) {
        errors.push(
            Diagnostic::error(file, "`key_version` starts at 1")
                .at(yaml::key_position(text, "key_version", 1))
                .help("leave it out for the first link; write 2 to replace it, 3 for the next"),
        );
    }
    let internal = match raw.internal {
        serde_json::Value::Null => serde_json::Value::Object(Default::default()),
        v @ serde_json::Value::Object(_) => v,
        _ => {
            errors.push(
                Diagnostic::error(file, "`internal` must be a map of notes, e.g. `handoff: …`")
                    .at(yaml::key_position(text, "internal", 1)),
            );
            serde_json::Value::Null
        }
    };
    let (Some(start), true) = (start, errors.is_empty()) else {
        return Err(errors);
    };
    let client = Client {
        id: id.to_string(),
        file: file.to_path_buf(),
        name: raw.name.trim().to_string(),
        start,
        stage: raw
            .stage
            .map(|s| Located::new(s.value, yaml::position_of(&s.referenced, 1))),
        contacts: raw
            .contacts
            .into_iter()
            .map(|c| Contact {
                name: c.name.trim().to_string(),
                role: c.role.trim().to_string(),
                email: c.email.trim().to_string(),
                phone: c.phone.map(|p| p.trim().to_string()),
            })
            .collect(),
        team: raw
            .team
            .into_iter()
            .map(|(role, m)| {
                (
                    role,
                    Located::new(m.value, yaml::position_of(&m.referenced, 1)),
                )
            })
            .collect(),
        team_at: yaml::key_position(text, "team", 1),
        goals: raw.goals,
        cares_about: raw.cares_about,
        welcome: raw.welcome,
        internal,
        dates: calendar.dates,
        blackout: calendar.blackout,
        skip: calendar.skip,
        touchpoints: calendar.touchpoints,
        key_version: raw.key_version.unwrap_or(1),
    };
    warnings.extend(crate::leftovers::in_text(file, text));
    Ok((client, warnings))
}
