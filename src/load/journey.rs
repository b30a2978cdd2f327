//! `journey/*.md`: one touchpoint. The front matter says when, who and how; the body is the
//! team's script, a Tera template rendered once per client.

use std::path::Path;

use serde::Deserialize;

use super::text::{self, TextCheck};
use super::{frontmatter, require_text, yaml};
use crate::diagnostics::Diagnostic;
use crate::model::{Located, Touchpoint, Visibility};

pub const FIELDS: &[&str] = &[
    "title",
    "day",
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
    day: serde_saphyr::Spanned<i64>,
    stage: serde_saphyr::Spanned<String>,
    channel: String,
    owner: serde_saphyr::Spanned<String>,
    #[serde(default)]
    visibility: Option<VisibilityField>,
    #[serde(default)]
    portal: Option<String>,
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
    let day_at = yaml::position_of(&front.day.referenced, split.yaml_line);
    let day = match u32::try_from(front.day.value) {
        Ok(d) if (1..=3660).contains(&d) => d,
        _ => {
            errors.push(
                Diagnostic::error(file, format!("`day: {}` is out of range", front.day.value))
                    .at(day_at)
                    .help("day 1 is the client's start date; use a whole number from 1 to 3660"),
            );
            1
        }
    };
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
        day,
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
    warnings.extend(crate::content_check::script(
        file,
        &touchpoint.template_source,
    ));
    Ok((touchpoint, warnings))
}
