//! The parts of a client file that shape its calendar: named dates, blackout ranges, journey
//! touchpoints that do not apply, and one-off steps for this client only.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::text::TextCheck;
use super::yaml;
use crate::calendar_rules::DateRange;
use crate::diagnostics::Diagnostic;
use crate::model::{Located, Requires, Touchpoint, Visibility, When};

/// A one-off step as written under `touchpoints:`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OneOffFile {
    #[serde(default)]
    id: Option<Spanned<String>>,
    title: Spanned<String>,
    date: Spanned<String>,
    owner: Spanned<String>,
    channel: String,
    #[serde(default)]
    stage: Option<Spanned<String>>,
    #[serde(default)]
    visibility: Option<Spanned<String>>,
    #[serde(default)]
    portal: Option<String>,
    #[serde(default)]
    script: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RangeFile {
    from: Spanned<String>,
    to: Spanned<String>,
}

/// What [`read`] makes of the calendar fields.
pub(super) struct Calendar {
    pub dates: BTreeMap<String, Located<jiff::civil::Date>>,
    pub blackout: Vec<DateRange>,
    pub skip: Vec<Located<String>>,
    pub touchpoints: Vec<Arc<Touchpoint>>,
}

/// The file's text, to place a one-off's script at its own line.
pub(super) struct Source<'a> {
    pub file: &'a Path,
    pub text: &'a str,
}

pub(super) fn read(
    src: &Source,
    dates: BTreeMap<String, Spanned<String>>,
    blackout: Vec<RangeFile>,
    skip: Vec<Spanned<String>>,
    touchpoints: Vec<OneOffFile>,
    check: &mut TextCheck,
    errors: &mut Vec<Diagnostic>,
) -> Calendar {
    let file = src.file;
    let at = |l: &serde_saphyr::Location| yaml::position_of(l, 1);
    let mut named = BTreeMap::new();
    for (name, value) in &dates {
        let plain = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !plain || matches!(name.as_str(), "start" | "last_contact") {
            errors.push(
                Diagnostic::error(file, format!("`dates.{name}` cannot be a date's name"))
                    .at(at(&value.referenced))
                    .help("name dates with letters, digits, `-` and `_` (e.g. `launch`, `renewal`); `start` and `last_contact` are taken"),
            );
            continue;
        }
        if let Some(d) = date(file, check, &format!("dates.{name}"), value, errors) {
            named.insert(name.clone(), Located::new(d, at(&value.referenced)));
        }
    }
    let mut ranges = Vec::new();
    for r in &blackout {
        let (from, to) = (
            date(file, check, "blackout.from", &r.from, errors),
            date(file, check, "blackout.to", &r.to, errors),
        );
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                errors.push(
                    Diagnostic::error(
                        file,
                        format!("`blackout`: `to` ({to}) is before `from` ({from})"),
                    )
                    .at(at(&r.to.referenced))
                    .help("a blackout runs from its first day away to its last, both included"),
                );
            } else {
                ranges.push(DateRange { from, to });
            }
        }
    }
    let skip = skip
        .into_iter()
        .map(|s| {
            check.line("skip", &s.value);
            Located::new(s.value.trim().to_string(), at(&s.referenced))
        })
        .collect();
    let touchpoints = touchpoints
        .into_iter()
        .filter_map(|t| one_off(src, t, check, errors))
        .collect();
    Calendar {
        dates: named,
        blackout: ranges,
        skip,
        touchpoints,
    }
}

/// A `YYYY-MM-DD` field, or an error at it.
fn date(
    file: &Path,
    check: &mut TextCheck,
    field: &str,
    s: &Spanned<String>,
    errors: &mut Vec<Diagnostic>,
) -> Option<jiff::civil::Date> {
    check.line(field, &s.value);
    match crate::dates::parse(s.value.trim()) {
        Ok(d) => Some(d),
        Err(msg) => {
            errors.push(
                Diagnostic::error(file, format!("`{field}`: {msg}"))
                    .at(yaml::position_of(&s.referenced, 1))
                    .help("write dates as YYYY-MM-DD, e.g. 2026-05-11"),
            );
            None
        }
    }
}

fn one_off(
    src: &Source,
    t: OneOffFile,
    check: &mut TextCheck,
    errors: &mut Vec<Diagnostic>,
) -> Option<Arc<Touchpoint>> {
    let file = src.file;
    let at = |l: &serde_saphyr::Location| yaml::position_of(l, 1);
    let before = errors.len();
    check.line("touchpoints.title", &t.title.value);
    check.line("touchpoints.owner", &t.owner.value);
    check.line("touchpoints.channel", &t.channel);
    check.optional("touchpoints.portal", &t.portal);
    let title = t.title.value.trim().to_string();
    if title.is_empty() || t.channel.trim().is_empty() {
        errors.push(
            Diagnostic::error(file, "a one-off touchpoint needs a `title` and a `channel`")
                .at(at(&t.title.referenced)),
        );
    }
    let id = match &t.id {
        Some(id) => {
            check.line("touchpoints.id", &id.value);
            id.value.trim().to_string()
        }
        None => slug(&title),
    };
    let id_ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !id_ok {
        errors.push(
            Diagnostic::error(file, format!("`{id}` cannot name a one-off touchpoint"))
                .at(t
                    .id
                    .as_ref()
                    .map_or(at(&t.title.referenced), |i| at(&i.referenced)))
                .help(
                    "give it an `id` of lowercase letters, digits and `-`, e.g. id: recovery-visit",
                ),
        );
    }
    let on = date(file, check, "touchpoints.date", &t.date, errors);
    let visibility = match t.visibility.as_ref().map(|v| v.value.trim()) {
        None | Some("internal") => Visibility::Internal,
        Some("client") => Visibility::Client,
        Some(other) => {
            errors.push(
                Diagnostic::error(file, format!("unknown visibility `{other}`"))
                    .at(t.visibility.as_ref().and_then(|v| at(&v.referenced)))
                    .help(match crate::diagnostics::suggest(other, ["client", "internal"]) {
                        Some(s) => format!("did you mean `{s}`? The choices are `client` (on the client's timeline) and `internal` (the default)"),
                        None => "`client` (on the client's timeline) or `internal` (the default)".to_string(),
                    }),
            );
            Visibility::Internal
        }
    };
    let portal = t.portal.filter(|p| !p.trim().is_empty());
    if visibility == Visibility::Internal && portal.is_some() {
        check.warnings.push(
            Diagnostic::warning(
                file,
                "this one-off touchpoint has a `portal` sentence, but it is internal: clients never see it",
            )
            .at(at(&t.title.referenced))
            .help("add `visibility: client` to show it on the client's timeline, or remove its `portal` line"),
        );
    }
    if visibility == Visibility::Client && portal.is_none() {
        errors.push(
            Diagnostic::error(
                file,
                "a one-off touchpoint with `visibility: client` needs a `portal` sentence",
            )
            .at(at(&t.title.referenced))
            .help("add `portal: \"…\"`: the sentence the client reads on their timeline"),
        );
    }
    let mut script = String::new();
    if let Some(s) = &t.script {
        script = s.value.clone();
        check.markdown("touchpoints.script", &mut script);
    }
    if errors.len() > before {
        return None;
    }
    // The script is a template like a journey file's body: padded so that its errors name
    // the client file's own lines.
    let line = t
        .script
        .as_ref()
        .map_or(1, |s| s.referenced.line() as usize);
    let block = src
        .text
        .lines()
        .nth(line.saturating_sub(1))
        .and_then(|l| l.split_once("script:"))
        .is_some_and(|(_, rest)| rest.trim_start().starts_with(['|', '>']));
    let pad = if block { line } else { line.saturating_sub(1) };
    let mut template_source = "\n".repeat(pad);
    template_source.push_str(&script);
    Some(Arc::new(Touchpoint {
        template_name: format!("{}#{id}", super::slash_path(file)),
        id,
        file: file.to_path_buf(),
        title,
        when: When::On(on?),
        exact: false,
        repeat: None,
        requires: Requires::default(),
        // Filled in by the loader from the journey when not given (see `fill_one_off_stages`).
        stage: Located::new(
            t.stage
                .as_ref()
                .map(|s| s.value.trim().to_string())
                .unwrap_or_default(),
            t.stage.as_ref().and_then(|s| at(&s.referenced)),
        ),
        channel: t.channel.trim().to_string(),
        owner: Located::new(t.owner.value.trim().to_string(), at(&t.owner.referenced)),
        visibility,
        portal: portal.map(|p| p.trim().to_string()),
        template_source,
    }))
}

/// `Recovery visit at the shed` → `recovery-visit-at-the-shed`.
fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs_are_plain() {
        assert_eq!(
            super::slug("Recovery visit: at the shed!"),
            "recovery-visit-at-the-shed"
        );
        assert_eq!(super::slug("  Café  "), "caf");
    }
}
