//! The Tera instance for a build: the theme's templates, the site's overrides of them, and
//! every journey script registered under its real path, so errors name the file, line and
//! column the author sees.

use std::path::PathBuf;

use tera::{Kwargs, State, Tera, TeraResult};

use crate::diagnostics::{Diagnostic, Position};
use crate::model::Site;
use crate::theme;

/// The Tera instance for `site`. With `minify`, the HTML templates' literal markup is minified
/// once here rather than in every page (see [`crate::minify`]); their line numbers then no
/// longer match the files, so errors are reported from an unminified instance instead
/// ([`Renderer`](crate::render::Renderer) does that when a page fails).
pub fn build_tera(site: &Site, minify: bool) -> Result<Tera, Vec<Diagnostic>> {
    let mut tera = Tera::new();
    // Scripts are markdown with values in them: escape those values as HTML too.
    tera.autoescape_on([".html", ".htm", ".xml", ".md"]);
    register_filters(&mut tera);

    let mut sources: Vec<(String, String)> = theme::templates()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
    for (name, _, text) in &site.template_overrides {
        match sources.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = text.clone(),
            None => sources.push((name.clone(), text.clone())),
        }
    }
    // The sources as written first, so a syntax error names the line the author sees.
    tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str())))
        .map_err(|e| vec![tera_diagnostic(site, &e)])?;
    #[cfg(feature = "minify")]
    if minify {
        tera = minified(tera, &sources);
    }
    #[cfg(not(feature = "minify"))]
    let _ = minify;

    // All scripts at once; if that fails, each on its own, so every broken script is
    // reported and not just the first (the common case pays for one engine, not one each).
    let scripts = || {
        site.journey
            .iter()
            .map(|t| (t.template_name.as_str(), t.template_source.as_str()))
    };
    let mut all = tera.clone();
    if all.add_raw_templates(scripts()).is_ok() {
        return Ok(all);
    }
    let errors: Vec<Diagnostic> = site
        .journey
        .iter()
        .filter_map(|t| {
            let mut alone = tera.clone();
            alone
                .add_raw_template(&t.template_name, &t.template_source)
                .err()
                .map(|e| tera_diagnostic(site, &e))
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    tera.add_raw_templates(scripts())
        .map_err(|e| vec![tera_diagnostic(site, &e)])?;
    Ok(tera)
}

/// `tera` with each HTML template that can be minified safely replaced by its minified form.
#[cfg(feature = "minify")]
fn minified(tera: Tera, sources: &[(String, String)]) -> Tera {
    let small: Vec<(&str, String)> = sources
        .iter()
        .filter(|(name, _)| name.ends_with(".html") || name.ends_with(".htm"))
        .filter_map(|(name, source)| Some((name.as_str(), crate::minify::minify_template(source)?)))
        .collect();
    let mut out = tera.clone();
    match out.add_raw_templates(small.iter().map(|(n, s)| (*n, s.as_str()))) {
        Ok(()) => out,
        // Cannot happen when minifying keeps every Tera tag as it was; if it ever does, the
        // pages are still right, only larger.
        Err(_) => tera,
    }
}

/// The file a template name came from, relative to the site folder.
pub fn template_file(site: &Site, name: &str) -> PathBuf {
    if let Some(t) = site.journey.iter().find(|t| t.template_name == name) {
        return t.file.clone();
    }
    if let Some((_, file, _)) = site.template_overrides.iter().find(|(n, _, _)| n == name) {
        return file.clone();
    }
    PathBuf::from(format!("(built-in theme) templates/{name}"))
}

pub fn tera_diagnostic(site: &Site, e: &tera::Error) -> Diagnostic {
    use tera::ErrorKind::*;
    match e.kind() {
        SyntaxError(r) | RenderingError(r) => {
            let span = r.span();
            Diagnostic::error(template_file(site, r.filename()), r.message().to_string())
                .at(Some(Position::new(span.start_line, span.start_col + 1)))
        }
        MissingParent { current, parent } => Diagnostic::error(
            template_file(site, current),
            format!("extends `{parent}`, which does not exist"),
        ),
        TemplateNotFound(name) => {
            Diagnostic::error("templates", format!("template `{name}` not found"))
        }
        CircularExtend {
            tpl,
            inheritance_chain,
        } => Diagnostic::error(
            template_file(site, tpl),
            format!("circular extends: {}", inheritance_chain.join(" -> ")),
        ),
        _ => {
            let mut msg = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                msg.push_str(": ");
                msg.push_str(&s.to_string());
                source = s.source();
            }
            Diagnostic::error("templates", msg)
        }
    }
}

fn register_filters(tera: &mut Tera) {
    // `{{ touchpoint.date | date(format="%A %-d %B") }}` on a YYYY-MM-DD string.
    tera.register_filter(
        "date",
        |value: &str, kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let format: &str = kwargs.get("format")?.unwrap_or("%-d %B %Y");
            let date = crate::dates::parse(value).map_err(tera::Error::message)?;
            let mut out = String::new();
            use std::fmt::Write;
            write!(out, "{}", date.strftime(format)).map_err(|_| {
                tera::Error::message(format!("`{format}` is not a valid date format"))
            })?;
            Ok(out)
        },
    );
    // `{{ "account-lead" | role_label }}` → `Account lead`.
    tera.register_filter("role_label", |value: &str, _: Kwargs, _: &State| {
        crate::context::portal::role_label(value)
    });
}
