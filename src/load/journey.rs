//! `journey/*.md`: one touchpoint. The front matter says when, who and how; the body is the
//! team's script, a Tera template rendered once per client.

use std::path::Path;

use serde::Deserialize;

use super::text::{self, TextCheck};
use super::{frontmatter, require_text, yaml};
use crate::calendar_rules::Every;
use crate::diagnostics::Diagnostic;
use crate::model::{
    Located, Repeat, RepeatEnd, Requires, ScoreOp, ScoreRule, Touchpoint, Visibility, When,
};

pub const FIELDS: &[&str] = &[
    "title",
    "day",
    "after",
    "before",
    "days",
    "exact",
    "repeat",
    "requires",
    "stage",
    "channel",
    "owner",
    "visibility",
    "portal",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Front {
    title: String,
    #[serde(default)]
    day: Option<serde_saphyr::Spanned<i64>>,
    #[serde(default)]
    after: Option<serde_saphyr::Spanned<String>>,
    #[serde(default)]
    before: Option<serde_saphyr::Spanned<String>>,
    #[serde(default)]
    days: Option<serde_saphyr::Spanned<i64>>,
    #[serde(default)]
    exact: bool,
    #[serde(default)]
    repeat: Option<serde_saphyr::Spanned<RepeatFile>>,
    #[serde(default)]
    requires: Option<RequiresFile>,
    stage: serde_saphyr::Spanned<String>,
    channel: String,
    owner: serde_saphyr::Spanned<String>,
    #[serde(default)]
    visibility: Option<VisibilityField>,
    #[serde(default)]
    portal: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RepeatFile {
    every: serde_saphyr::Spanned<String>,
    #[serde(default)]
    until: Option<serde_saphyr::Spanned<String>>,
    #[serde(default)]
    count: Option<serde_saphyr::Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RequiresFile {
    #[serde(default)]
    done: OneOrMore,
    #[serde(default)]
    last_score: Option<serde_saphyr::Spanned<String>>,
}

/// A list that may be written as a single value: `done: 014-review` or `done: [a, b]`.
#[derive(Deserialize, Default)]
#[serde(untagged)]
pub(crate) enum OneOrMore {
    #[default]
    None,
    One(serde_saphyr::Spanned<String>),
    More(Vec<serde_saphyr::Spanned<String>>),
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum VisibilityField {
    Client,
    Internal,
}

pub fn load(file: &Path, id: &str, text: &str) -> super::Loaded<Touchpoint> {
    let split = frontmatter::split(text, file, true).map_err(|d| vec![d])?;
    let front: Front =
        yaml::parse(split.yaml, file, split.yaml_line, FIELDS).map_err(|d| vec![d])?;
    let mut check = TextCheck::new(file, split.yaml, split.yaml_line);
    check.line("title", &front.title);
    check.line("stage", &front.stage.value);
    check.line("channel", &front.channel);
    check.line("owner", &front.owner.value);
    check.optional("portal", &front.portal);
    let mut errors = check.errors;
    errors.extend(
        [("title", &front.title), ("channel", &front.channel)]
            .into_iter()
            .filter_map(|(field, v)| require_text(v, field, file, split.yaml, split.yaml_line)),
    );
    let line = split.yaml_line;
    let when = when(file, &front, line, split.yaml, &mut errors);
    let repeat = front
        .repeat
        .as_ref()
        .and_then(|r| repeat(file, r, line, &mut errors));
    let requires = front
        .requires
        .map(|r| requires(file, r, line, &mut errors))
        .unwrap_or_default();
    let visibility = match front.visibility {
        Some(VisibilityField::Client) => Visibility::Client,
        Some(VisibilityField::Internal) | None => Visibility::Internal,
    };
    let portal = front.portal.filter(|p| !p.trim().is_empty());
    if visibility == Visibility::Client && portal.is_none() {
        errors.push(
            Diagnostic::error(file, "a touchpoint with `visibility: client` needs a `portal` sentence")
                .at(yaml::key_position(split.yaml, "visibility", split.yaml_line))
                .help("add `portal: \"…\"`: the sentence the client reads on their timeline (the script itself stays internal)"),
        );
    }
    let mut portal_warning = None;
    if visibility == Visibility::Internal && portal.is_some() {
        let how = if front.visibility.is_some() {
            "it is `visibility: internal`"
        } else {
            "it has no `visibility`, so it is internal"
        };
        portal_warning = Some(
            Diagnostic::warning(
                file,
                format!("this touchpoint has a `portal` sentence, but {how}: clients never see it"),
            )
            .at(yaml::key_position(split.yaml, "portal", split.yaml_line))
            .help("set `visibility: client` to show this step on the client's timeline, or remove the `portal` line"),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Blank out the front matter but keep its line breaks, so the template's line numbers are
    // the file's line numbers.
    let (body, warning) = text::clean_body(file, split.body, split.body_line);
    let mut template_source = "\n".repeat(split.body_line - 1);
    template_source.push_str(&body);
    let touchpoint = Touchpoint {
        id: id.to_string(),
        file: file.to_path_buf(),
        title: front.title.trim().to_string(),
        when,
        exact: front.exact,
        repeat,
        requires,
        stage: Located::new(
            front.stage.value,
            yaml::position_of(&front.stage.referenced, split.yaml_line),
        ),
        channel: front.channel.trim().to_string(),
        owner: Located::new(
            front.owner.value,
            yaml::position_of(&front.owner.referenced, split.yaml_line),
        ),
        visibility,
        portal: portal.map(|p| p.trim().to_string()),
        template_source,
        template_name: super::slash_path(file),
    };
    let mut warnings: Vec<Diagnostic> = warning.into_iter().collect();
    warnings.extend(portal_warning);
    warnings.extend(crate::leftovers::in_text(file, text));
    warnings.extend(crate::content_check::script(
        file,
        &touchpoint.template_source,
    ));
    Ok((touchpoint, warnings))
}

/// The largest `day` or `days`: ten years.
const MAX_DAYS: u32 = 3660;

/// A whole number of days from 1 (or 0, for `days`) to [`MAX_DAYS`].
fn day_number(
    file: &Path,
    field: &str,
    value: &serde_saphyr::Spanned<i64>,
    line: usize,
    min: u32,
    errors: &mut Vec<Diagnostic>,
) -> u32 {
    match u32::try_from(value.value) {
        Ok(d) if (min..=MAX_DAYS).contains(&d) => d,
        _ => {
            errors.push(
                Diagnostic::error(file, format!("`{field}: {}` is out of range", value.value))
                    .at(yaml::position_of(&value.referenced, line))
                    .help(if field == "day" {
                        format!("day 1 is the client's start date; use a whole number from 1 to {MAX_DAYS}")
                    } else {
                        format!("use a whole number of days from {min} to {MAX_DAYS}")
                    }),
            );
            min
        }
    }
}

/// When the touchpoint falls: `day`, or `after`/`before` a client date with `days`.
fn when(
    file: &Path,
    front: &Front,
    line: usize,
    yaml_text: &str,
    errors: &mut Vec<Diagnostic>,
) -> When {
    let at = |s: &serde_saphyr::Spanned<String>| yaml::position_of(&s.referenced, line);
    let days = front
        .days
        .as_ref()
        .map(|d| day_number(file, "days", d, line, 0, errors));
    let given: Vec<&str> = [
        front.day.as_ref().map(|_| "day"),
        front.after.as_ref().map(|_| "after"),
        front.before.as_ref().map(|_| "before"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if given.len() > 1 {
        errors.push(
            Diagnostic::error(
                file,
                format!("`{}` and `{}` cannot both say when this touchpoint is", given[0], given[1]),
            )
            .at(yaml::key_position(yaml_text, given[1], line))
            .help("use `day: N` to count from the start, or `after:`/`before:` a client date with `days:`"),
        );
    }
    if let Some(day) = &front.day {
        if days.is_some() {
            errors.push(
                Diagnostic::error(file, "`days` goes with `after` or `before`, not with `day`")
                    .at(yaml::key_position(yaml_text, "days", line))
                    .help("remove `days`, or write `after: start` with `days:`"),
            );
        }
        return When::Day(day_number(file, "day", day, line, 1, errors));
    }
    let anchor = front
        .after
        .as_ref()
        .map(|a| (true, a))
        .or(front.before.as_ref().map(|b| (false, b)));
    let Some((after, name)) = anchor else {
        errors.push(
            Diagnostic::error(file, "this touchpoint does not say when it is")
                .at(Some(crate::diagnostics::Position::new(line, 1)))
                .help("add `day: N` (day 1 is the client's start date), or `after: launch` with `days: 7`"),
        );
        return When::Day(1);
    };
    let value = name.value.trim().to_string();
    let Some(days) = days else {
        errors.push(
            Diagnostic::error(
                file,
                format!(
                    "`{}: {value}` needs `days`",
                    if after { "after" } else { "before" }
                ),
            )
            .at(at(name))
            .help("for example `days: 7`: how many days after (or before) that date"),
        );
        return When::Day(1);
    };
    let bad_name = value.is_empty()
        || !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bad_name {
        errors.push(
            Diagnostic::error(file, format!("`{value}` is not the name of a date"))
                .at(at(name))
                .help(
                    "name one of the client's `dates:` (e.g. `launch`), `start`, or `last_contact`",
                ),
        );
    }
    match (after, value.as_str()) {
        (true, "last_contact") => When::AfterLastContact { days },
        (false, "last_contact") => {
            errors.push(
                Diagnostic::error(
                    file,
                    "`before: last_contact` cannot be: the last contact is in the past",
                )
                .at(at(name))
                .help("use `after: last_contact` with `days:` for a re-engagement step"),
            );
            When::AfterLastContact { days }
        }
        (true, "start") => When::Day(days + 1),
        _ => {
            let date = Located::new(value, at(name));
            if after {
                When::After { date, days }
            } else {
                When::Before { date, days }
            }
        }
    }
}

/// `repeat: { every: "1 month", until: "day 730" | "renewal" }` or `{ every: …, count: 6 }`.
fn repeat(
    file: &Path,
    r: &serde_saphyr::Spanned<RepeatFile>,
    line: usize,
    errors: &mut Vec<Diagnostic>,
) -> Option<Repeat> {
    let at = |l: &serde_saphyr::Location| yaml::position_of(l, line);
    let r_at = at(&r.referenced);
    let r = &r.value;
    let every = match Every::parse(&r.every.value) {
        Ok(e) => Some(e),
        Err(msg) => {
            errors.push(
                Diagnostic::error(file, format!("`repeat.every`: {msg}"))
                    .at(at(&r.every.referenced))
                    .help("for example every: \"1 month\", \"2 weeks\" or \"10 days\""),
            );
            None
        }
    };
    let end = match (&r.until, &r.count) {
        (Some(_), Some(_)) | (None, None) => {
            errors.push(
                Diagnostic::error(file, "`repeat` needs either `until` or `count`")
                    .at(r_at)
                    .help("for example until: \"day 730\", until: renewal (a client date), or count: 6"),
            );
            None
        }
        (None, Some(count)) => match u32::try_from(count.value) {
            Ok(n) if (1..=Repeat::MAX_OCCURRENCES).contains(&n) => Some(RepeatEnd::Count(n)),
            _ => {
                errors.push(
                    Diagnostic::error(
                        file,
                        format!("`repeat.count: {}` is out of range", count.value),
                    )
                    .at(at(&count.referenced))
                    .help(format!(
                        "the number of times, from 1 to {}",
                        Repeat::MAX_OCCURRENCES
                    )),
                );
                None
            }
        },
        (Some(until), None) => {
            let text = until.value.trim();
            let until_at = at(&until.referenced);
            if let Some(n) = text
                .strip_prefix("day")
                .map(str::trim)
                .filter(|n| !n.is_empty())
            {
                match n.parse::<u32>() {
                    Ok(d) if (1..=MAX_DAYS).contains(&d) => Some(RepeatEnd::UntilDay(d)),
                    _ => {
                        errors.push(
                            Diagnostic::error(
                                file,
                                format!("`repeat.until: {text}` is not a day of the journey"),
                            )
                            .at(until_at)
                            .help(format!(
                                "write until: \"day 730\", a day from 1 to {MAX_DAYS}"
                            )),
                        );
                        None
                    }
                }
            } else if !text.is_empty()
                && text
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                Some(RepeatEnd::UntilDate(Located::new(
                    text.to_string(),
                    until_at,
                )))
            } else {
                errors.push(
                    Diagnostic::error(file, format!("`repeat.until: {text}` is neither a day nor a date name"))
                        .at(until_at)
                        .help("write until: \"day 730\", or the name of one of the client's `dates:` such as renewal"),
                );
                None
            }
        }
    };
    Some(Repeat {
        every: every?,
        end: end?,
    })
}

/// `requires: { done: 014-hundred-day-review, last_score: ">= 8" }`.
fn requires(file: &Path, r: RequiresFile, line: usize, errors: &mut Vec<Diagnostic>) -> Requires {
    let at = |l: &serde_saphyr::Location| yaml::position_of(l, line);
    let done = match r.done {
        OneOrMore::None => Vec::new(),
        OneOrMore::One(d) => vec![d],
        OneOrMore::More(d) => d,
    };
    let done = done
        .into_iter()
        .map(|d| Located::new(d.value.trim().to_string(), at(&d.referenced)))
        .collect();
    let last_score = r.last_score.and_then(|s| match parse_score_rule(&s.value) {
        Ok(rule) => Some(Located::new(rule, at(&s.referenced))),
        Err(msg) => {
            errors.push(
                Diagnostic::error(file, format!("`requires.last_score`: {msg}"))
                    .at(at(&s.referenced))
                    .help("for example last_score: \">= 8\" (also <=, >, < or =, and a score from 0 to 10)"),
            );
            None
        }
    });
    Requires { done, last_score }
}

/// `">= 8"`, `"> 7"`, `"<= 5"`, `"< 5"`, `"= 8"`, or a bare `8` (at least 8).
pub(crate) fn parse_score_rule(text: &str) -> Result<ScoreRule, String> {
    let t = text.trim();
    let (op, rest) = [
        (">=", ScoreOp::AtLeast),
        ("<=", ScoreOp::AtMost),
        ("==", ScoreOp::Equal),
        (">", ScoreOp::Above),
        ("<", ScoreOp::Below),
        ("=", ScoreOp::Equal),
    ]
    .iter()
    .find_map(|(w, op)| t.strip_prefix(w).map(|rest| (*op, rest)))
    .unwrap_or((ScoreOp::AtLeast, t));
    match rest.trim().parse::<u8>() {
        Ok(score) if score <= 10 => Ok(ScoreRule { op, score }),
        _ => Err(format!(
            "`{t}` is not a comparison with a score from 0 to 10"
        )),
    }
}
