//! The template engines of a build, three of them so that what a page can reach is decided by
//! which engine renders it, not by what its templates happen to ask for:
//!
//! - **portal**: the theme's portal templates and what they extend or include (and the site's
//!   overrides of those), nothing else. No journey script and no internal template is in it,
//!   so no override can pull one into a client's page.
//! - **internal**: every theme template and override.
//! - **scripts**: every journey script, registered under its real path so errors name the
//!   file, line and column the author sees. Values are escaped so that they are text in
//!   markdown as well as in HTML (see [`crate::markdown::escape_value`]).

use std::collections::BTreeSet;
use std::path::PathBuf;

use tera::{Kwargs, State, Tera, TeraResult};

use crate::diagnostics::{Diagnostic, Position};
use crate::model::Site;
use crate::plan::SiteKind;
use crate::theme;

/// The templates that portal pages are rendered from, as their kinds declare.
fn portal_pages() -> impl Iterator<Item = &'static str> {
    crate::plan::PortalPage::EACH
        .iter()
        .filter_map(|p| crate::plan::PageKind::Portal(*p).template())
}

/// The engines of one build.
#[derive(Clone)]
pub struct Templates {
    pub portal: Tera,
    pub internal: Tera,
    pub scripts: Tera,
}

impl Templates {
    /// The engine pages of `site` are rendered with.
    pub fn for_site(&self, site: SiteKind) -> &Tera {
        match site {
            SiteKind::Portal => &self.portal,
            SiteKind::Internal => &self.internal,
        }
    }
}

/// The engines for `site`. With `minify`, the HTML templates' literal markup is minified once
/// here rather than in every page (see [`crate::minify`]); their line numbers then no longer
/// match the files, so errors are reported from unminified engines instead
/// ([`Renderer`](crate::render::Renderer) does that when a page fails).
pub fn build_templates(site: &Site, minify: bool) -> Result<Templates, Vec<Diagnostic>> {
    let sources = html_sources(site);
    let portal_names = portal_names(site, &sources);
    let portal_sources: Vec<(String, String)> = sources
        .iter()
        .filter(|(n, _)| portal_names.contains(n))
        .cloned()
        .collect();

    // Minified once, for both engines.
    let small: Vec<(String, String)> = if minify {
        minified_sources(&sources)
    } else {
        Vec::new()
    };
    let small_portal: Vec<(String, String)> = small
        .iter()
        .filter(|(n, _)| portal_names.contains(n))
        .cloned()
        .collect();

    // The three engines are independent: built side by side (a third of a small site's build
    // was the templates).
    let ((internal, portal), scripts) = rayon::join(
        || {
            rayon::join(
                || engine_with(site, &sources, &small),
                || engine_with(site, &portal_sources, &small_portal),
            )
        },
        || build_scripts(site),
    );
    let mut errors = Vec::new();
    let internal = internal.map_err(|e| {
        errors.extend(e);
    });
    let portal = portal.map_err(|e| {
        // A mistake in a shared template is reported once, by the internal engine.
        for d in e {
            let d = explain_portal_reach(site, &portal_names, d);
            if !errors.contains(&d) {
                errors.push(d);
            }
        }
    });
    let scripts = scripts.map_err(|e| errors.extend(e));
    match (portal, internal, scripts) {
        (Ok(portal), Ok(internal), Ok(scripts)) => Ok(Templates {
            portal,
            internal,
            scripts,
        }),
        _ => Err(errors),
    }
}

/// Every theme template with the site's overrides in place, and the site's own templates.
fn html_sources(site: &Site) -> Vec<(String, String)> {
    let mut sources: Vec<(String, String)> = theme::templates()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
    for (name, _, text) in &site.template_overrides {
        match sources.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = text.clone(),
            None => sources.push((name.clone(), text.clone())),
        }
    }
    sources
}

/// The names the portal engine holds: the portal's pages and, transitively, what they extend
/// or include, among the templates a portal page may use. Those are the theme's own portal
/// templates (its portal pages and what they use in the theme) and the site's new templates
/// outside `internal/` and `journey/`; never an internal template, a theme partial only
/// internal pages use, or a script.
fn portal_names(site: &Site, sources: &[(String, String)]) -> BTreeSet<String> {
    let theme_portal: BTreeSet<String> = portal_pages().flat_map(theme::template_chain).collect();
    let allowed = |name: &str| {
        theme_portal.contains(name)
            || (theme::template(name).is_none()
                && !name.starts_with("internal/")
                && !name.starts_with("journey/")
                && !site.scripted().any(|t| t.template_name == name))
    };
    let mut names: BTreeSet<String> = portal_pages().map(str::to_string).collect();
    let mut todo: Vec<String> = names.iter().cloned().collect();
    while let Some(name) = todo.pop() {
        let Some((_, source)) = sources.iter().find(|(n, _)| *n == name) else {
            continue;
        };
        for used in theme::referenced_templates(source) {
            if allowed(&used)
                && sources.iter().any(|(n, _)| *n == used)
                && names.insert(used.clone())
            {
                todo.push(used);
            }
        }
    }
    names
}

/// A portal engine's "unknown template" error about a template that exists but is kept from
/// the portal, in words that say why.
fn explain_portal_reach(site: &Site, portal: &BTreeSet<String>, d: Diagnostic) -> Diagnostic {
    let named = |prefix: &str| {
        d.message
            .strip_prefix(prefix)
            .and_then(|m| m.split_once('`'))
            .map(|(n, _)| n.to_string())
    };
    let Some(name) = named("the template `").or_else(|| named("this template extends `")) else {
        return d;
    };
    let is_script = site.scripted().any(|t| t.template_name == name);
    let is_internal = theme::template(&name).is_some()
        || site.template_overrides.iter().any(|(n, _, _)| *n == name);
    if portal.contains(&name) || !(is_script || is_internal) {
        return d;
    }
    let what = if is_script {
        "a journey script"
    } else {
        "a template of the internal site"
    };
    Diagnostic {
        message: format!(
            "a portal template cannot use `{name}`: it is {what}, and the portal is rendered \
             without those so that nothing meant for the team can reach a client"
        ),
        help: Some(
            "give the portal a template of its own under templates/portal/ (or \
             templates/partials/) that shows only what the client may see"
                .into(),
        ),
        ..d
    }
}

/// An engine holding `sources`, with those of `small` (their minified HTML) in their place.
fn engine_with(
    site: &Site,
    sources: &[(String, String)],
    small: &[(String, String)],
) -> Result<Tera, Vec<Diagnostic>> {
    let tera = engine(site, tera_escape_html_metered);
    // The minified sources first: they keep every Tera tag as written, so they compile when
    // the sources do, and compiling only them halves the time the templates take (a third of
    // a small site's build).
    if !small.is_empty() {
        // Each template minified, or as written where it could not be.
        let chosen = sources.iter().map(|(n, s)| {
            let text = small.iter().find(|(m, _)| m == n).map_or(s, |(_, t)| t);
            (n.as_str(), text.as_str())
        });
        let mut out = tera.clone();
        if out.add_raw_templates(chosen).is_ok() {
            return Ok(out);
        }
    }
    // The sources as written: a syntax error then names the line the author sees, and if
    // minifying lost a tag (the pages are then still right, only larger) they are what is used.
    let mut tera = tera;
    tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str())))
        .map_err(|e| tera_diagnostics(site, &e))?;
    Ok(tera)
}

/// A new engine with the filters and functions every template may use, autoescaping with
/// `escape`.
fn engine(site: &Site, escape: tera::EscapeFn) -> Tera {
    let mut tera = Tera::new();
    tera.autoescape_on([".html", ".htm", ".xml", ".md"]);
    tera.set_escape_fn(escape);
    register_filters(&mut tera, site);
    tera
}

/// How a template prints a value: in the pages' typography ([`crate::markdown::smart_text`]:
/// curly quotes and apostrophes, dashes, ellipses, as markdown text has them; addresses, paths
/// and ids as written), then HTML-escaped, each value charged to the page's budget
/// ([`crate::limits`]). Values marked `safe` (rendered markdown) already have both.
fn tera_escape_html_metered(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    crate::limits::tick()?;
    tera::escape_html(&crate::markdown::smart_text(input), out)
}

/// The script engine: every journey script and one-off script, and nothing else.
fn build_scripts(site: &Site) -> Result<Tera, Vec<Diagnostic>> {
    let tera = engine(site, crate::markdown::escape_value);
    // All scripts at once; if that fails, each on its own, so every broken script is
    // reported and not just the first (the common case pays for one engine, not one each).
    let scripts = || {
        site.scripted()
            .map(|t| (t.template_name.as_str(), t.template_source.as_str()))
    };
    let mut all = tera.clone();
    if all.add_raw_templates(scripts()).is_ok() {
        return Ok(all);
    }
    let mut errors: Vec<Diagnostic> = Vec::new();
    for t in site.scripted() {
        let mut alone = tera.clone();
        if let Err(e) = alone.add_raw_template(&t.template_name, &t.template_source) {
            errors.extend(tera_diagnostics(site, &e));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut all = tera;
    all.add_raw_templates(scripts())
        .map_err(|e| tera_diagnostics(site, &e))?;
    Ok(all)
}

/// Each HTML template that can be minified safely, minified.
fn minified_sources(sources: &[(String, String)]) -> Vec<(String, String)> {
    use rayon::prelude::*;
    sources
        .par_iter()
        .filter(|(name, _)| name.ends_with(".html") || name.ends_with(".htm"))
        .filter_map(|(name, source)| Some((name.clone(), crate::minify::minify_template(source)?)))
        .collect()
}

/// The file a template name came from, relative to the site folder.
pub fn template_file(site: &Site, name: &str) -> PathBuf {
    if let Some(t) = site.scripted().find(|t| t.template_name == name) {
        return t.file.clone();
    }
    if let Some((_, file, _)) = site.template_overrides.iter().find(|(n, _, _)| n == name) {
        return file.clone();
    }
    PathBuf::from(format!("(built-in theme) templates/{name}"))
}

/// The source of template `name` as the site has it.
fn template_source<'a>(site: &'a Site, name: &str) -> Option<&'a str> {
    if let Some(t) = site.scripted().find(|t| t.template_name == name) {
        return Some(&t.template_source);
    }
    if let Some((_, _, text)) = site.template_overrides.iter().find(|(n, _, _)| n == name) {
        return Some(text);
    }
    theme::template(name)
}

/// Where template `from` names template `to` in a tag (`{% include "to" %}`), 1-based.
fn tag_position(site: &Site, from: &str, to: &str) -> Option<Position> {
    let source = template_source(site, from)?;
    ['"', '\''].iter().find_map(|q| {
        let needle = format!("{q}{to}{q}");
        let at = source.find(&needle)?;
        let line = source[..at].matches('\n').count() + 1;
        let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
        Some(Position::new(
            line,
            source[line_start..at].chars().count() + 1,
        ))
    })
}

/// The first finding of a Tera error (see [`tera_diagnostics`]).
pub fn tera_diagnostic(site: &Site, e: &tera::Error) -> Diagnostic {
    tera_diagnostics(site, e)
        .into_iter()
        .next()
        .expect("every error gives a finding")
}

/// A Tera error as findings, each naming the file (and line, where there is one) it is about,
/// in plain words with a help line.
pub fn tera_diagnostics(site: &Site, e: &tera::Error) -> Vec<Diagnostic> {
    use tera::ErrorKind::*;
    let one = match e.kind() {
        SyntaxError(r) | RenderingError(r) => {
            let span = r.span();
            let at = Position::new(span.start_line, span.start_col + 1);
            let file = template_file(site, r.filename());
            let source = template_source(site, r.filename()).unwrap_or("");
            match plain_template_error(r.message(), source, at) {
                Some((message, help, place)) => Diagnostic::error(file, message)
                    .at(Some(place.unwrap_or(at)))
                    .help(help),
                None => Diagnostic::error(file, r.message().to_string()).at(Some(at)),
            }
        }
        MissingParent { current, parent } => Diagnostic::error(
            template_file(site, current),
            format!("this template extends `{parent}`, which does not exist"),
        )
        .at(tag_position(site, current, parent))
        .help("check the name in `{% extends \"…\" %}`: it is relative to templates/"),
        TemplateNotFound(name) => {
            Diagnostic::error("templates", format!("the template `{name}` does not exist"))
                .help("template names are relative to templates/, e.g. `portal/welcome.html`")
        }
        CircularExtend {
            tpl,
            inheritance_chain,
        } => {
            let last = inheritance_chain.last().map(String::as_str).unwrap_or(tpl);
            let from = inheritance_chain
                .iter()
                .rev()
                .nth(1)
                .map(String::as_str)
                .unwrap_or(tpl);
            Diagnostic::error(
                template_file(site, from),
                format!(
                    "these templates extend each other in a circle, so none of them has a \
                     page to fill: {}",
                    chain(tpl, inheritance_chain)
                ),
            )
            .at(tag_position(site, from, last))
            .help("one template of the circle must be the base that extends nothing")
        }
        CircularInclude { tpl, include_chain } => {
            // The include that closes the circle: the last template of the chain includes
            // the first again.
            let from = include_chain
                .iter()
                .rev()
                .nth(1)
                .map(String::as_str)
                .unwrap_or(tpl);
            Diagnostic::error(
                template_file(site, from),
                format!(
                    "these templates include each other in a circle, which would never end: {}",
                    chain(tpl, include_chain)
                ),
            )
            .at(tag_position(site, from, tpl))
            .help(format!(
                "remove this `{{% include \"{tpl}\" %}}`, or move what both templates need \
                 into a third one that includes neither"
            ))
        }
        Msg(message) => {
            let found = reports(site, message);
            if !found.is_empty() {
                return found;
            }
            Diagnostic::error(named_file(site, message), full_message(e))
                .help("the message names the template it is about, under templates/")
        }
        _ => Diagnostic::error(named_file(site, &e.to_string()), full_message(e))
            .help("the message names the template it is about, under templates/"),
    };
    vec![one]
}

/// Tera's messages about a template's text, in the words of someone writing a script: a
/// role the client lacks, a block left open, a name that is not defined. The message, the
/// hint, and a better place than Tera's when there is one.
fn plain_template_error(
    message: &str,
    source: &str,
    at: Position,
) -> Option<(String, String, Option<Position>)> {
    let first = message.lines().next().unwrap_or(message);
    if first.starts_with("Unexpected end of input") || first.contains("expected end of block") {
        let (tag, line, column) = unclosed_block(source)?;
        let end = match tag.as_str() {
            "if" => "{% endif %}".to_string(),
            other => format!("{{% end{other} %}}"),
        };
        return Some((
            format!("the `{{% {tag} %}}` on line {line} is never closed"),
            format!("add `{end}` where the part it controls ends"),
            Some(Position::new(line, column)),
        ));
    }
    let backticked = |s: &str| -> Option<String> {
        let start = s.find('`')? + 1;
        let end = s[start..].find('`')? + start;
        Some(s[start..end].to_string())
    };
    let available = |s: &str| -> Vec<String> {
        s.split_once("Available ")
            .and_then(|(_, rest)| rest.split_once(": "))
            .map(|(_, names)| {
                names
                    .split(", ")
                    .map(|n| n.trim().trim_end_matches('.').to_string())
                    .filter(|n| !n.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    if first.starts_with("Field `") && first.contains("is not defined") {
        let name = backticked(first)?;
        let known = available(first);
        // What the field is looked up on: `team.billing`, `team["billing"]`.
        let line = source.lines().nth(at.line.saturating_sub(1)).unwrap_or("");
        let before: String = line.chars().take(at.column.saturating_sub(1)).collect();
        let before = before.trim_end_matches(['"', '\'', '[', '.']);
        if before.ends_with("team") {
            let assigned = if known.is_empty() {
                "nobody is assigned to any role".to_string()
            } else {
                format!("the roles it has are {}", known.join(", "))
            };
            return Some((
                format!("this client has nobody assigned as `{name}`, which this line uses"),
                format!(
                    "{assigned}. Wrap what needs the role in `{{% if team.{name} is defined %}}` … `{{% endif %}}`, or assign someone as `{name}:` under `team:` in the client's file"
                ),
                None,
            ));
        }
        let help = match crate::diagnostics::suggest(&name, known.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None if known.is_empty() => {
                "check the name, or wrap the line in `{% if … is defined %}`".to_string()
            }
            None => format!("the fields here are {}", known.join(", ")),
        };
        return Some((format!("there is no field `{name}` here"), help, None));
    }
    if first.starts_with("Variable `") && first.contains("is not defined") {
        let name = backticked(first)?;
        let known = available(first);
        let help = match crate::diagnostics::suggest(&name, known.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("the values a template can use are {}", known.join(", ")),
        };
        return Some((format!("unknown variable `{name}`"), help, None));
    }
    None
}

/// The innermost `{% if %}`, `{% for %}` (or any other block tag) that `source` opens and
/// never closes: its name and 1-based line and column.
fn unclosed_block(source: &str) -> Option<(String, usize, usize)> {
    const BLOCKS: &[&str] = &["if", "for", "block", "macro", "filter", "raw", "component"];
    let mut open: Vec<(String, usize)> = Vec::new();
    let mut rest = 0;
    while let Some(i) = source[rest..].find("{%") {
        let start = rest + i;
        let inner_start = start + 2;
        let Some(len) = source[inner_start..].find("%}") else {
            break;
        };
        let inner = source[inner_start..inner_start + len]
            .trim_matches(|c: char| c == '-' || c.is_whitespace());
        let word = inner.split_whitespace().next().unwrap_or("");
        if BLOCKS.contains(&word) {
            open.push((word.to_string(), start));
        } else if let Some(closed) = word.strip_prefix("end") {
            if let Some(at) = open.iter().rposition(|(w, _)| w == closed) {
                open.truncate(at);
            }
        }
        rest = inner_start + len + 2;
    }
    let (tag, offset) = open.pop()?;
    let p = crate::diagnostics::position_of(source, offset);
    Some((tag, p.line, p.column))
}

/// The file of the first template a message names (in backticks or quotes), else the
/// templates folder.
fn named_file(site: &Site, message: &str) -> PathBuf {
    message
        .split(['`', '\''])
        .skip(1)
        .step_by(2)
        .find(|name| template_source(site, name).is_some())
        .map_or_else(
            || PathBuf::from("templates"),
            |name| template_file(site, name),
        )
}

/// `a.html -> b.html -> a.html`, by the files a reader can open.
fn chain(first: &str, chain: &[String]) -> String {
    let mut names: Vec<&str> = chain.iter().map(String::as_str).collect();
    if names.first() != Some(&first) {
        names.insert(0, first);
    }
    names.join(" -> ")
}

fn full_message(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

/// The findings in a message made of Tera's reports (what it gives when several templates
/// name filters, functions or templates that do not exist): each report's first line is
/// `error: <message>` and its second `--> <template>:<line>:<column>`.
fn reports(site: &Site, message: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut lines = message.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(what) = line.strip_prefix("error: ") else {
            continue;
        };
        let Some(place) = lines
            .peek()
            .and_then(|l| l.trim_start().strip_prefix("--> "))
        else {
            continue;
        };
        let mut parts = place.rsplitn(3, ':');
        let (Some(col), Some(line), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let (Ok(line), Ok(col)) = (line.parse::<usize>(), col.parse::<usize>()) else {
            continue;
        };
        let (message, help) = match what.strip_prefix("Unknown template `") {
            Some(rest) => (
                format!(
                    "the template `{}",
                    rest.replacen('`', "` does not exist", 1)
                ),
                "template names are relative to templates/, e.g. `partials/member_card.html`",
            ),
            None => (
                what.replace("Unknown ", "there is no ") + " in hundred",
                "see the README's \"Templates\" section for the filters and functions there are",
            ),
        };
        out.push(
            Diagnostic::error(template_file(site, name), message)
                .at(Some(Position::new(line, col)))
                .help(help),
        );
    }
    out
}

fn register_filters(tera: &mut Tera, site: &Site) {
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
    // `{{ "billing" | role_label }}` → `Billing contact`: the label `[roles]` gives, else the
    // common role's, else the id in words (`content-lead` → `Content lead`).
    let roles = site.config.roles.clone();
    tera.register_filter("role_label", move |value: &str, _: Kwargs, _: &State| {
        crate::config::role_label_in(&roles, value)
    });
    // `{{ "Billing contact" | in_sentence }}` → `billing contact`, as it reads after "Your".
    tera.register_filter("in_sentence", |value: &str, _: Kwargs, _: &State| {
        crate::context::portal::in_sentence(value)
    });
    // Tera's own `range`, with its elements charged to the page (see [`crate::limits`]).
    tera.register_function("range", crate::limits::range);
}

#[cfg(test)]
mod message_tests {
    use super::*;

    #[test]
    fn an_unclosed_block_is_found_where_it_opens() {
        let source = "a\n{% if x %}\n{% for y in z %}{{ y }}{% endfor %}\n";
        assert_eq!(unclosed_block(source), Some(("if".to_string(), 2, 1)));
        let source = "{%- if x -%}{% endif %}\n  {% for y in z %}";
        assert_eq!(unclosed_block(source), Some(("for".to_string(), 2, 3)));
        assert_eq!(unclosed_block("{% if a %}{% endif %}"), None);
        let (m, h, at) = plain_template_error(
            "Unexpected end of input",
            "x\n{% if a %}b\n",
            Position::new(3, 1),
        )
        .unwrap();
        assert_eq!(m, "the `{% if %}` on line 2 is never closed");
        assert!(h.contains("{% endif %}"), "{h}");
        assert_eq!(at, Some(Position::new(2, 1)));
    }

    #[test]
    fn a_missing_role_is_named_with_the_test_that_guards_it() {
        let source = "{{ team.billing.name }} and {{ team[\"ops\"].name }}\n";
        let (m, h, _) = plain_template_error(
            "Field `billing` is not defined. Available fields: account-lead, engineer",
            source,
            Position::new(1, 9),
        )
        .unwrap();
        assert_eq!(
            m,
            "this client has nobody assigned as `billing`, which this line uses"
        );
        assert!(h.contains("{% if team.billing is defined %}"), "{h}");
        assert!(h.contains("account-lead, engineer"), "{h}");
        let (m, _, _) = plain_template_error(
            "Field `ops` is not defined. Available fields: account-lead",
            source,
            Position::new(1, 35),
        )
        .unwrap();
        assert!(m.contains("`ops`"), "{m}");
        let (m, h, _) = plain_template_error(
            "Field `nmae` is not defined. Available fields: name, email",
            "{{ owner.nmae }}",
            Position::new(1, 10),
        )
        .unwrap();
        assert_eq!(m, "there is no field `nmae` here");
        assert_eq!(h, "did you mean `name`?");
    }
}
