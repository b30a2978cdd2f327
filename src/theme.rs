//! The built-in theme, embedded in the binary: templates under `templates/`, files copied to
//! each site under `assets/`, and the archetypes `hundred new` starts files from under
//! `archetypes/`.

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// `(template name, source)` for every template of the default theme.
pub fn templates() -> impl Iterator<Item = (&'static str, &'static str)> {
    embedded::THEME_DEFAULT.iter().filter_map(|(path, bytes)| {
        let name = path.strip_prefix("templates/")?;
        Some((
            name,
            std::str::from_utf8(bytes).expect("theme templates are UTF-8"),
        ))
    })
}

pub fn template(name: &str) -> Option<&'static str> {
    templates().find(|(n, _)| *n == name).map(|(_, s)| s)
}

/// `(file name, source)` for every archetype of the default theme: the files `hundred new`
/// starts a client, member, touchpoint or chapter from (`client.yaml`, `touchpoint.md`…).
pub fn archetypes() -> impl Iterator<Item = (&'static str, &'static str)> {
    embedded::THEME_DEFAULT.iter().filter_map(|(path, bytes)| {
        let name = path.strip_prefix("archetypes/")?;
        Some((
            name,
            std::str::from_utf8(bytes).expect("theme archetypes are UTF-8"),
        ))
    })
}

pub fn archetype(name: &str) -> Option<&'static str> {
    archetypes().find(|(n, _)| *n == name).map(|(_, s)| s)
}

/// Names of the theme's static assets (relative to its `assets/` folder).
pub fn assets() -> impl Iterator<Item = &'static str> {
    embedded::THEME_DEFAULT
        .iter()
        .filter_map(|(path, _)| path.strip_prefix("assets/"))
}

pub fn asset(name: &str) -> Option<&'static [u8]> {
    embedded::THEME_DEFAULT
        .iter()
        .find(|(path, _)| path.strip_prefix("assets/") == Some(name))
        .map(|(_, b)| *b)
}

/// The files `hundred init` writes.
pub fn starter() -> &'static [(&'static str, &'static [u8])] {
    embedded::STARTER
}

/// A template and every template it extends or includes, as far as the built-in theme says:
/// what a page depends on besides its data.
pub fn template_chain(name: &str) -> Vec<String> {
    let mut out = vec![name.to_string()];
    let mut i = 0;
    while i < out.len() {
        if let Some(src) = template(&out[i]) {
            for parent in referenced_templates(src) {
                if !out.contains(&parent) {
                    out.push(parent);
                }
            }
        }
        i += 1;
    }
    out
}

/// Names in `{% extends "x" %}` and `{% include "x" %}` tags.
pub fn referenced_templates(src: &str) -> Vec<String> {
    let mut names = Vec::new();
    for tag in ["extends", "include"] {
        let mut rest = src;
        while let Some(i) = rest.find(tag) {
            rest = &rest[i + tag.len()..];
            let trimmed = rest.trim_start();
            if let Some(q) = trimmed.chars().next().filter(|c| *c == '"' || *c == '\'') {
                if let Some(end) = trimmed[1..].find(q) {
                    names.push(trimmed[1..1 + end].to_string());
                }
            }
        }
    }
    names
}
