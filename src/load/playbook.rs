//! `playbook/*.md`: the firm's internal playbook chapters.

use std::path::Path;

use serde::Deserialize;

use super::text::{self, TextCheck};
use super::{frontmatter, yaml};
use crate::model::Chapter;

pub const FIELDS: &[&str] = &["title", "order", "description", "tags", "date"];

/// The fields Zola, Hugo and mdBook users already write are accepted, so existing handbooks
/// can be moved in as they are.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Front {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    order: Option<i64>,
    /// One sentence shown under the title in the chapter list.
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    /// When the chapter was last reviewed (any date or date-time text; shown as written).
    #[serde(default)]
    date: Option<String>,
}

pub fn load(file: &Path, id: &str, text: &str) -> super::Loaded<Chapter> {
    let split = frontmatter::split(text, file, false).map_err(|d| vec![d])?;
    let front: Front = if split.yaml.trim().is_empty() {
        Front::default()
    } else {
        yaml::parse(split.yaml, file, split.yaml_line, FIELDS).map_err(|d| vec![d])?
    };
    let mut check = TextCheck::new(file, split.yaml, split.yaml_line);
    check.optional("title", &front.title);
    check.optional("description", &front.description);
    check.optional("date", &front.date);
    check.lines("tags", &front.tags);
    if !check.errors.is_empty() {
        return Err(check.errors);
    }
    let (body, warning) = text::clean_body(file, split.body, split.body_line);
    // Without a title in the front matter, the first `# Heading` names the chapter, as in mdBook.
    let title = front
        .title
        .filter(|t| !t.trim().is_empty())
        .or_else(|| {
            body.lines()
                .find_map(|l| l.strip_prefix("# ").map(|t| t.trim().to_string()))
        })
        .unwrap_or_else(|| id.replace(['-', '_'], " "));
    let mut warnings: Vec<crate::diagnostics::Diagnostic> = warning.into_iter().collect();
    warnings.extend(crate::content_check::chapter(file, &body, split.body_line));
    warnings.extend(crate::leftovers::in_text(file, text));
    Ok((
        Chapter {
            id: id.to_string(),
            file: file.to_path_buf(),
            title,
            order: front.order,
            description: front.description.filter(|d| !d.trim().is_empty()),
            tags: front.tags,
            date: front
                .date
                .map(|d| d.split('T').next().unwrap_or(&d).to_string()),
            body,
            body_line: split.body_line,
        },
        warnings,
    ))
}
