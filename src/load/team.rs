//! `team/<id>.yaml`: one team member.

use std::path::Path;

use serde::Deserialize;

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
    let raw: MemberFile = yaml::parse(text, file, 1, FIELDS).map_err(|d| vec![d])?;
    let mut errors: Vec<Diagnostic> = [
        ("name", &raw.name),
        ("role", &raw.role),
        ("email", &raw.email),
    ]
    .into_iter()
    .filter_map(|(field, v)| require_text(v, field, file, text, 1))
    .collect();
    if !raw.email.trim().is_empty() && !raw.email.contains('@') {
        errors.push(
            Diagnostic::error(file, format!("`{}` is not an email address", raw.email))
                .at(yaml::key_position(text, "email", 1)),
        );
    }
    for (field, url) in [("video", &raw.video), ("calendar", &raw.calendar)] {
        if let Some(url) = url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                errors.push(
                    Diagnostic::error(
                        file,
                        format!("`{field}` must be a web address starting with https://"),
                    )
                    .at(yaml::key_position(text, field, 1)),
                );
            }
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
        phone: raw.phone,
        photo: raw.photo.map(|p| {
            Located::new(
                p.value.trim_start_matches('/').to_string(),
                yaml::position_of(&p.referenced, 1),
            )
        }),
        pronouns: raw.pronouns,
        bio: raw.bio,
        fun_facts: raw.fun_facts,
        cares_about: raw.cares_about,
        video: raw.video,
        calendar: raw.calendar,
    };
    Ok((member, Vec::new()))
}
