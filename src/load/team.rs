//! `team/<id>.yaml`: one team member.

use std::path::Path;

use serde::Deserialize;

use super::text::{self, TextCheck};
use super::{require_text, yaml};
use crate::diagnostics::Diagnostic;
use crate::model::{Located, Member};

pub const FIELDS: &[&str] = &[
    "name",
    "role",
    "roles",
    "email",
    "phone",
    "photo",
    "pronouns",
    "bio",
    "fun_facts",
    "cares_about",
    "video",
    "calendar",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberFile {
    name: String,
    role: String,
    #[serde(default)]
    roles: Vec<String>,
    email: String,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    photo: Option<serde_saphyr::Spanned<String>>,
    #[serde(default)]
    pronouns: Option<String>,
    #[serde(default)]
    bio: String,
    #[serde(default)]
    fun_facts: Vec<String>,
    #[serde(default)]
    cares_about: Vec<String>,
    #[serde(default)]
    video: Option<String>,
    #[serde(default)]
    calendar: Option<String>,
}

pub fn load(file: &Path, id: &str, text: &str) -> super::Loaded<Member> {
    let mut raw: MemberFile = yaml::parse(text, file, 1, FIELDS).map_err(|d| vec![d])?;
    let mut check = TextCheck::new(file, text, 1);
    for (field, value) in [
        ("name", &raw.name),
        ("role", &raw.role),
        ("email", &raw.email),
    ] {
        check.line(field, value);
    }
    for (field, value) in [
        ("phone", &raw.phone),
        ("pronouns", &raw.pronouns),
        ("video", &raw.video),
        ("calendar", &raw.calendar),
    ] {
        check.optional(field, value);
    }
    if let Some(photo) = &raw.photo {
        check.line("photo", &photo.value);
    }
    check.lines("roles", &raw.roles);
    check.lines("fun_facts", &raw.fun_facts);
    check.lines("cares_about", &raw.cares_about);
    check.markdown("bio", &mut raw.bio);
    let (mut errors, mut warnings) = (check.errors, check.warnings);
    warnings.extend(crate::content_check::member_fields(file, text, &raw.bio));
    errors.extend(
        [
            ("name", &raw.name),
            ("role", &raw.role),
            ("email", &raw.email),
        ]
        .into_iter()
        .filter_map(|(field, v)| require_text(v, field, file, text, 1)),
    );
    if !raw.email.trim().is_empty() {
        if let Some(problem) = text::email_problem(raw.email.trim()) {
            errors.push(
                Diagnostic::error(
                    file,
                    format!(
                        "`{}` is not an email address: it {problem}",
                        raw.email.trim()
                    ),
                )
                .at(yaml::key_position(text, "email", 1)),
            );
        }
    }
    for (field, url) in [("video", &raw.video), ("calendar", &raw.calendar)] {
        if let Some(problem) = url.as_deref().and_then(|u| text::web_url_problem(u.trim())) {
            errors.push(
                Diagnostic::error(file, format!("`{field}` {problem}"))
                    .at(yaml::key_position(text, field, 1))
                    .help("links on a profile may only be web addresses, e.g. https://cal.example/maya"),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let member = Member {
        id: id.to_string(),
        file: file.to_path_buf(),
        name: raw.name.trim().to_string(),
        role: raw.role.trim().to_string(),
        roles: raw.roles,
        email: raw.email.trim().to_string(),
        phone: raw.phone.map(|p| p.trim().to_string()),
        photo: raw.photo.map(|p| {
            Located::new(
                p.value.trim_start_matches('/').to_string(),
                yaml::position_of(&p.referenced, 1),
            )
        }),
        pronouns: raw.pronouns.map(|p| p.trim().to_string()),
        bio: raw.bio,
        fun_facts: raw.fun_facts,
        cares_about: raw.cares_about,
        video: raw.video.map(|u| u.trim().to_string()),
        calendar: raw.calendar.map(|u| u.trim().to_string()),
    };
    warnings.extend(crate::leftovers::in_text(file, text));
    Ok((member, warnings))
}
