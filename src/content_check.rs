//! Warnings about heading attributes the markdown renderer drops (`# Hi {onfocus=…}`), found
//! once in the raw sources so each names the file and line the author wrote, even where the
//! rendered text no longer maps to it (scripts are rendered per client, YAML fields have no
//! offsets of their own).

use std::path::Path;

use crate::diagnostics::{Diagnostic, Position};
use crate::markdown::{dropped_heading_attributes, DroppedAttribute};

// One warning per heading with attributes that are dropped, in every markdown source:
// welcome notes, strings in `internal`, bios, journey scripts and playbook chapters. Each
// file is looked at when it is loaded, where its text is at hand (so the check stage reads no
// files, and `serve` looks again only at files that changed).

/// A client's markdown fields: `welcome` and every string of `internal`.
pub(crate) fn client_fields(
    file: &Path,
    text: &str,
    welcome: &str,
    internal: &serde_json::Value,
) -> Vec<Diagnostic> {
    let mut fields = vec![("welcome", welcome)];
    internal_strings(internal, &mut fields);
    let mut out = Vec::new();
    from_yaml_fields(file, text, &fields, &mut out);
    out
}

/// A team member's `bio`.
pub(crate) fn member_fields(file: &Path, text: &str, bio: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    from_yaml_fields(file, text, &[("bio", bio)], &mut out);
    out
}

/// The `note` of each entry of a journey log.
pub(crate) fn log_notes(file: &Path, text: &str, notes: &[&str]) -> Vec<Diagnostic> {
    let fields: Vec<(&str, &str)> = notes.iter().map(|n| ("note", *n)).collect();
    let mut out = Vec::new();
    from_yaml_fields(file, text, &fields, &mut out);
    out
}

/// A journey script, whose front matter is blanked out and whose Tera tags keep their line
/// breaks, so line numbers are the file's.
pub(crate) fn script(file: &Path, template_source: &str) -> Vec<Diagnostic> {
    if !may_have_attributes(template_source) {
        return Vec::new();
    }
    let source = without_tera_tags(template_source);
    by_heading(dropped_heading_attributes(&source))
        .into_iter()
        .map(|(heading, dropped)| {
            let (line, column) = line_col(&source, heading);
            warning(file, Some(Position::new(line, column)), &dropped)
        })
        .collect()
}

/// A playbook chapter's body, which starts at line `body_line` of its file.
pub(crate) fn chapter(file: &Path, body: &str, body_line: usize) -> Vec<Diagnostic> {
    if !may_have_attributes(body) {
        return Vec::new();
    }
    by_heading(dropped_heading_attributes(body))
        .into_iter()
        .map(|(heading, dropped)| {
            let (line, column) = line_col(body, heading);
            let at = Position::new(line + body_line - 1, column);
            warning(file, Some(at), &dropped)
        })
        .collect()
}

/// Whether `source` can hold a heading attribute block at all: one closes a heading's line
/// (`# Title {#id}`, maybe followed by closing `#`s). Most markdown has none and is then not
/// parsed a second time.
fn may_have_attributes(source: &str) -> bool {
    source.contains('{')
        && source.lines().any(|line| {
            line.trim_end_matches(|c: char| c.is_whitespace() || c == '#')
                .ends_with('}')
        })
}

fn warning(file: &Path, at: Option<Position>, dropped: &[String]) -> Diagnostic {
    let list: Vec<String> = dropped.iter().map(|d| format!("`{d}`")).collect();
    Diagnostic::warning(
        file,
        format!(
            "this heading's attribute(s) {} are left out of the page",
            list.join(", ")
        ),
    )
    .at(at)
    .help(
        "a heading may only set an id and classes made of letters, digits, `-` and `_`, \
         as in `## Next steps {#next .highlight}`; anything else could run code in a reader's browser",
    )
}

/// Groups dropped attributes by the heading they belong to, in source order.
fn by_heading(dropped: Vec<DroppedAttribute>) -> Vec<(usize, Vec<String>)> {
    let mut out: Vec<(usize, Vec<String>)> = Vec::new();
    for d in dropped {
        match out.last_mut() {
            Some((offset, list)) if *offset == d.offset => list.push(d.written),
            _ => out.push((d.offset, vec![d.written])),
        }
    }
    out
}

/// Markdown fields of a YAML file: a heading's line is found by looking for its text in the
/// file, else the field's own line.
fn from_yaml_fields(file: &Path, text: &str, fields: &[(&str, &str)], out: &mut Vec<Diagnostic>) {
    for (field, value) in fields.iter().filter(|(_, v)| may_have_attributes(v)) {
        for (heading, dropped) in by_heading(dropped_heading_attributes(value)) {
            let heading_line = value[heading..].lines().next().unwrap_or("").trim();
            let at = find_line(text, heading_line, "{").or_else(|| find_line(text, field, field));
            out.push(warning(file, at, &dropped));
        }
    }
}

/// The first line of `text` containing `needle`, with the column of `mark` in it.
fn find_line(text: &str, needle: &str, mark: &str) -> Option<Position> {
    if needle.is_empty() {
        return None;
    }
    text.lines().enumerate().find_map(|(i, line)| {
        let start = line.find(needle)?;
        let column = line[start..].rfind(mark).map_or(start, |c| start + c);
        Some(Position::new(i + 1, line[..column].chars().count() + 1))
    })
}

/// Every string in the `internal` notes (they are markdown), however deep.
fn internal_strings<'a>(value: &'a serde_json::Value, out: &mut Vec<(&'static str, &'a str)>) {
    match value {
        serde_json::Value::String(s) => out.push(("internal", s)),
        serde_json::Value::Array(items) => items.iter().for_each(|v| internal_strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| internal_strings(v, out)),
        _ => {}
    }
}

/// 1-based line and column of the first `{` after byte `offset` on its line (where the
/// attributes start), or of the heading itself.
fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let line = source[..offset].matches('\n').count() + 1;
    let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_text = source[line_start..].lines().next().unwrap_or("");
    let column = line_text
        .rfind('{')
        .map_or(offset - line_start, |c| c)
        .min(line_text.len());
    (line, line_text[..column].chars().count() + 1)
}

/// `source` with every Tera tag (`{{ … }}`, `{% … %}`, `{# … #}`) taken out but its line
/// breaks, so lines keep their numbers: a script's `## For {{ client.name }}` is not an
/// attribute block, and `{% raw %}…{% endraw %}` is kept as the text it stands for.
fn without_tera_tags(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(start) = rest.find('{') {
        let close = match rest.as_bytes().get(start + 1) {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            Some(b'#') => "#}",
            _ => {
                out.push_str(&rest[..start + 1]);
                rest = &rest[start + 1..];
                continue;
            }
        };
        out.push_str(&rest[..start]);
        let end = rest[start + 2..]
            .find(close)
            .map_or(rest.len(), |e| start + 2 + e + 2);
        let tag = &rest[start..end];
        out.extend(tag.chars().filter(|c| *c == '\n'));
        rest = &rest[end..];
        let inner = tag.strip_prefix("{%").and_then(|t| t.strip_suffix("%}"));
        if inner.is_some_and(|t| t.trim_matches(['-', ' ']) == "raw") {
            // Verbatim up to the `{% endraw %}` tag.
            let stop = rest
                .find("endraw")
                .and_then(|e| rest[..e].rfind("{%"))
                .unwrap_or(rest.len());
            out.push_str(&rest[..stop]);
            rest = &rest[stop..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tera_tags_are_taken_out_keeping_lines() {
        let s = "## For {{ client.name }}\n{% if x\n %}é{% endif %}\n# A {.b}\n{% raw %}# R {#x}{%- endraw %}";
        let out = without_tera_tags(s);
        assert_eq!(out, "## For \n\né\n# A {.b}\n# R {#x}");
    }

    #[test]
    fn only_sources_with_a_closing_brace_at_a_line_end_are_parsed_again() {
        assert!(may_have_attributes("# A {#a}\n"));
        assert!(may_have_attributes("# A {#a} ##  \ntext"));
        assert!(may_have_attributes("A {.x}\n===\n"));
        assert!(!may_have_attributes("a {b} c\n# A\n"));
    }

    #[test]
    fn positions_point_at_the_attribute_block() {
        assert_eq!(line_col("intro\n\n## Hi {onfocus=x}\n", 7), (3, 7));
        assert_eq!(
            find_line("welcome: |\n  # Hi {x=1}\n", "# Hi {x=1}", "{"),
            Some(Position::new(2, 8))
        );
    }
}
