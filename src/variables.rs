//! Checks the variables a journey script uses against what its context provides, before
//! anything is rendered. Tera reports an unknown variable only when the line runs, and only
//! for the client being rendered; this finds a misspelt `client.nmae` in a branch no client
//! takes yet, at its own line and column.

use crate::diagnostics::{position_of, suggest, Diagnostic};
use crate::model::Touchpoint;

const ROOTS: &[(&str, &[&str])] = &[
    ("firm", &["name", "email", "phone", "logo", "website"]),
    (
        "client",
        &[
            "id",
            "name",
            "start",
            "start_long",
            "goals",
            "cares_about",
            "contact",
            "contacts",
            "portal_url",
            "internal",
            "health",
            "last_contact",
            "last_score",
            "scores",
            "trend",
            "last_mood",
            "quiet_days",
            "open_steps",
            "log",
        ],
    ),
    ("owner", PERSON),
    (
        "touchpoint",
        &[
            "title",
            "day",
            "date",
            "date_long",
            "stage",
            "channel",
            "status",
            "occurrence",
        ],
    ),
    // Role ids are the site's own: anything may follow `team`.
    ("team", &[]),
];

const PERSON: &[&str] = &[
    "id",
    "name",
    "first_name",
    "role",
    "email",
    "phone",
    "assigned",
];
const CONTACT: &[&str] = &["name", "first_name", "role", "email", "phone"];

/// Words that are part of Tera's syntax, not variables.
const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "in",
    "is",
    "if",
    "elif",
    "else",
    "endif",
    "for",
    "endfor",
    "set",
    "set_global",
    "true",
    "false",
    "True",
    "False",
    "none",
    "None",
    "loop",
    "super",
    "block",
    "endblock",
    "filter",
    "endfilter",
    "include",
    "extends",
    "break",
    "continue",
    "raw",
    "endraw",
    "with",
    "component",
    "endcomponent",
    "macro",
    "endmacro",
    "import",
    "as",
    "self",
];

pub fn check_script(t: &Touchpoint) -> Vec<Diagnostic> {
    let src = &t.template_source;
    let tags = tags(src);
    // Names the script defines itself, wherever: loop variables and `set` targets.
    let mut locals: Vec<&str> = Vec::new();
    for (start, end) in &tags {
        let words: Vec<&str> = src[*start..*end]
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        match words.first() {
            Some(&"for") => locals.extend(words[1..].iter().take_while(|w| **w != "in")),
            Some(&"set") | Some(&"set_global") => locals.extend(words.get(1)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (start, end) in tags {
        for (offset, path) in paths(&src[start..end]) {
            if let Some(problem) = check_path(&path, &locals) {
                let at = position_of(src, start + offset);
                let (message, help) = problem;
                let mut d = Diagnostic::error(&t.file, message).at(Some(at));
                if let Some(h) = help {
                    d = d.help(h);
                }
                out.push(d);
            }
        }
    }
    out
}

type Problem = (String, Option<String>);

fn check_path(path: &[String], locals: &[&str]) -> Option<Problem> {
    let root = path[0].as_str();
    if KEYWORDS.contains(&root) || locals.contains(&root) {
        return None;
    }
    let Some((_, fields)) = ROOTS.iter().find(|(r, _)| *r == root) else {
        let roots = ROOTS.iter().map(|(r, _)| *r);
        let help = match suggest(root, roots) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "a script can use firm, client, owner, team and touchpoint".to_string(),
        };
        return Some((format!("unknown variable `{root}`"), Some(help)));
    };
    let field = path.get(1)?;
    if fields.is_empty() {
        return None;
    }
    if !fields.contains(&field.as_str()) {
        let help = match suggest(field, fields.iter().copied()) {
            Some(s) => format!("did you mean `{root}.{s}`?"),
            None => format!("`{root}` has: {}", fields.join(", ")),
        };
        return Some((format!("`{root}` has no field `{field}`"), Some(help)));
    }
    // One level deeper where the shape is known.
    let (inner, inner_fields) = match (root, field.as_str()) {
        ("client", "contact") => (path.get(2), CONTACT),
        ("client", "contacts") => (
            path.get(3)
                .filter(|_| path.get(2).map(|s| s == "[]").unwrap_or(false)),
            CONTACT,
        ),
        _ => (None, &[][..]),
    };
    let inner = inner?;
    if inner_fields.contains(&inner.as_str()) {
        return None;
    }
    let help = match suggest(inner, inner_fields.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("a contact has: {}", inner_fields.join(", ")),
    };
    Some((format!("a contact has no field `{inner}`"), Some(help)))
}

/// Byte ranges of the insides of `{{ }}` and `{% %}` tags, outside `{% raw %}` blocks and
/// comments.
fn tags(src: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut in_raw = false;
    while let Some(rel) = src[i..].find('{') {
        let start = i + rel;
        let rest = &src[start..];
        let close = if rest.starts_with("{{") {
            "}}"
        } else if rest.starts_with("{%") {
            "%}"
        } else if rest.starts_with("{#") {
            "#}"
        } else {
            i = start + 1;
            continue;
        };
        let Some(end_rel) = rest[2..].find(close) else {
            break;
        };
        let inner = (start + 2, start + 2 + end_rel);
        let text = src[inner.0..inner.1].trim_matches(|c: char| c == '-' || c.is_whitespace());
        if close == "%}" && text == "raw" {
            in_raw = true;
        } else if close == "%}" && text == "endraw" {
            in_raw = false;
        } else if !in_raw && close != "#}" {
            out.push(inner);
        }
        i = inner.1 + 2;
    }
    out
}

/// Variable paths in one tag, with their offsets: `client.contact.name` → [client, contact,
/// name]; an index `[0]` becomes `[]`. Strings, filter and test names, function names and
/// keyword arguments are skipped.
fn paths(tag: &str) -> Vec<(usize, Vec<String>)> {
    let b = tag.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut after_pipe_or_is = false;
    while i < b.len() {
        let c = b[i] as char;
        if c == '"' || c == '\'' || c == '`' {
            i += 1;
            while i < b.len() && b[i] as char != c {
                i += 1;
            }
            i += 1;
            continue;
        }
        if c == '|' {
            after_pipe_or_is = true;
            i += 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            let mut segs = vec![ident(tag, &mut i)];
            loop {
                if tag[i..].starts_with("?.") {
                    i += 2;
                } else if tag[i..].starts_with('.') {
                    i += 1;
                } else if tag[i..].starts_with('[') || tag[i..].starts_with("?[") {
                    let mut depth = 0;
                    while i < b.len() {
                        match b[i] {
                            b'[' => depth += 1,
                            b']' => {
                                depth -= 1;
                                if depth == 0 {
                                    i += 1;
                                    break;
                                }
                            }
                            _ => {}
                        }
                        i += 1;
                    }
                    segs.push("[]".into());
                    continue;
                } else {
                    break;
                }
                if i < b.len() && ((b[i] as char).is_ascii_alphabetic() || b[i] == b'_') {
                    segs.push(ident(tag, &mut i));
                } else {
                    break;
                }
            }
            let next = tag[i..].trim_start();
            let is_call = next.starts_with('(');
            let is_kwarg = next.starts_with('=') && !next.starts_with("==");
            let word = segs[0].as_str();
            if after_pipe_or_is || is_call || is_kwarg {
                after_pipe_or_is = word == "is" || word == "not" && after_pipe_or_is;
            } else if word == "is" {
                after_pipe_or_is = true;
            } else {
                out.push((start, segs));
            }
            continue;
        }
        if !c.is_whitespace() {
            after_pipe_or_is = false;
        }
        i += 1;
    }
    out
}

fn ident(s: &str, i: &mut usize) -> String {
    let start = *i;
    let b = s.as_bytes();
    while *i < b.len() && ((b[*i] as char).is_ascii_alphanumeric() || b[*i] == b'_') {
        *i += 1;
    }
    s[start..*i].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Located, Visibility};

    fn script(body: &str) -> Touchpoint {
        Touchpoint {
            id: "x".into(),
            file: "journey/x.md".into(),
            title: "x".into(),
            when: crate::model::When::Day(1),
            exact: false,
            repeat: None,
            requires: Default::default(),
            stage: Located::new("customer".into(), None),
            channel: "call".into(),
            owner: Located::new("lead".into(), None),
            visibility: Visibility::Internal,
            portal: None,
            template_source: format!("\n\n{body}"),
            template_name: "journey/x.md".into(),
        }
    }

    fn problems(body: &str) -> Vec<String> {
        check_script(&script(body))
            .into_iter()
            .map(|d| {
                format!(
                    "{}:{} {}",
                    d.position.unwrap().line,
                    d.position.unwrap().column,
                    d.message
                )
            })
            .collect()
    }

    #[test]
    fn accepts_what_the_context_provides() {
        let ok = "{{ client.contact.first_name }} {{ owner.name | upper }} {% for g in client.goals %}{{ g }}{% endfor %}\n\
                  {% if client.internal.handoff is defined %}{{ client.internal.handoff }}{% endif %}\n\
                  {{ team[\"account-lead\"].name }} {{ touchpoint.date | date(format=\"%d\") }} {{ client.contacts[0].email }}\n\
                  {% set x = client.name %}{{ x }} {{ client.goals | join(sep=\", \") }} {% raw %}{{ nonsense }}{% endraw %}\n\
                  {{ \"client.nope\" }} {{ client.goals?[1] or \"none\" }} {# {{ comment.ignored }} #} {% if not owner.assigned %}x{% endif %}";
        assert_eq!(problems(ok), Vec::<String>::new());
    }

    #[test]
    fn reports_unknown_names_at_their_line_and_column() {
        assert_eq!(
            problems("Hi {{ client.nmae }}\n{% if ownr.assigned %}{% endif %}\n{{ client.contact.emial }}"),
            vec![
                "3:7 `client` has no field `nmae`".to_string(),
                "4:7 unknown variable `ownr`".to_string(),
                "5:4 a contact has no field `emial`".to_string(),
            ]
        );
    }
}
