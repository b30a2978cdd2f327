//! serde-saphyr's errors in the words of someone editing a profile: no Rust types, no parser
//! settings, and a hint that says what to change. Every error gets a message and a hint here;
//! what the parser itself says is kept only when it is already plain English.

use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::Error;

use crate::diagnostics::suggest;

/// What to tell the person editing the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Plain {
    pub message: String,
    pub help: String,
    /// A better place than the parser's (1-based line and column in the text): where a tab
    /// is, where an unclosed bracket opened.
    pub at: Option<(usize, usize)>,
}

fn plain(message: impl Into<String>, help: impl Into<String>) -> Plain {
    Plain {
        message: message.into(),
        help: help.into(),
        at: None,
    }
}

/// A plain message and a hint for an error found at 1-based `line` and `column` of `text`, which starts at
/// line `first_line` of its file; `known_fields` are its top-level fields.
pub(super) fn describe(
    e: &Error,
    text: &str,
    (line, column): (Option<usize>, Option<usize>),
    first_line: usize,
    known_fields: &[&str],
) -> Plain {
    let mut e = e;
    while let Error::AliasError { error, .. } | Error::WithSnippet { error, .. } = e {
        e = error;
    }
    let field = line.and_then(|l| field_on_line(text, l));
    match e {
        Error::DuplicateMappingKey { key, .. } => {
            let key = key.as_deref().unwrap_or("a key");
            let first = line.and_then(|l| earlier_key(text, key, l));
            let message = match first {
                Some(f) => format!(
                    "`{key}` is written twice (first on line {})",
                    f + first_line - 1
                ),
                None => format!("`{key}` is written twice"),
            };
            plain(message, format!("keep one `{key}:` and remove the other"))
        }
        Error::Budget { breach, .. } => budget(breach),
        Error::AliasReplayLimitExceeded { .. }
        | Error::AliasExpansionLimitExceeded { .. }
        | Error::AliasReplayCounterOverflow { .. } => too_many_aliases(),
        Error::AliasReplayStackDepthExceeded { .. } => too_deep(),
        Error::Eof { .. } if is_blank(text) => plain(
            "this has no fields",
            "write the fields as `name: value` lines",
        ),
        Error::Eof { .. } => plain(
            "the text ends in the middle of a value",
            "look for a quote, `[` or `{` that is opened but never closed",
        ),
        Error::NullIntoString { .. } | Error::InvalidCharNull { .. } => match &field {
            Some(f) => plain(
                format!("`{f}` has no value"),
                format!("write a value after `{f}:`, or remove the line"),
            ),
            None => plain(
                "a value is missing here",
                "write a value after the colon, or remove the line",
            ),
        },
        Error::UnknownAnchor { .. } => plain(
            "this `*name` refers to an anchor `&name` that is not defined above it",
            "define the anchor first, or write the value out",
        ),
        Error::MultipleDocuments { .. } => {
            // The parser stops after the `---` line: point at the line itself.
            let fence = line.and_then(|l| {
                text.lines()
                    .take(l)
                    .enumerate()
                    .filter(|(_, t)| t.trim_end() == "---")
                    .last()
                    .map(|(i, _)| (i + 1, 1))
            });
            Plain {
                at: fence,
                ..plain(
                    "this `---` line starts a second document, and a file holds one",
                    "remove the `---` line (in a journey script or chapter, the front matter ends at the second `---`)",
                )
            }
        }
        Error::InvalidBooleanStrict { .. } => {
            let f = field.as_deref().unwrap_or("this");
            plain(
                format!("`{f}` is either true or false"),
                format!("write `{f}: true` or `{f}: false`"),
            )
        }
        Error::InvalidScalar { ty, .. } => scalar(ty, field.as_deref()),
        Error::SerdeInvalidType {
            unexpected,
            expected,
            ..
        }
        | Error::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => wrong_kind(unexpected, expected, field.as_deref()),
        Error::SerdeUnknownVariant {
            variant, expected, ..
        } => unknown_value(variant, expected, field.as_deref()),
        Error::SerdeUnknownField {
            field: name,
            expected,
            ..
        } => unknown_field(
            name,
            if expected.is_empty() {
                known_fields
            } else {
                expected
            },
        ),
        Error::SerdeMissingField { field: name, .. } => plain(
            format!("`{name}` is missing"),
            format!("add the line `{name}: …` with its value"),
        ),
        Error::Unexpected { expected, .. } => {
            let this = line.and_then(|l| text.lines().nth(l.wrapping_sub(1)));
            let no_colon = this.is_some_and(|t| {
                let t = t.trim();
                !t.is_empty() && !t.contains(':') && !t.starts_with(['-', '[', '{', '#'])
            });
            let first_content = text
                .lines()
                .position(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
                .map(|i| i + 1);
            let at_root = line.is_some() && line == first_content && column == Some(1);
            if expected.contains("mapping") && no_colon {
                syntax("simple key expected ':'", text, line, None)
            } else if expected.contains("sequence") && at_root {
                // The whole file is one list (a journey log): its entries start with `- `.
                plain(
                    "this file is a list of entries, and each entry starts with `- `",
                    format!(
                        "write `- ` before the first line of each entry, e.g. `- {}`",
                        this.map_or("date: 2026-11-18", str::trim)
                    ),
                )
            } else {
                unexpected(expected, field.as_deref())
            }
        }
        _ => {
            let msg = e.to_string();
            let msg = msg.lines().next().unwrap_or("");
            // Some messages end in " at line X, column Y": the diagnostic shows the place.
            let msg = msg.split(" at line ").next().unwrap_or(msg).to_string();
            syntax(&msg, text, line, field.as_deref())
        }
    }
}

/// The parser's syntax errors (found while reading the text, before any field is looked at).
fn syntax(msg: &str, text: &str, line: Option<usize>, field: Option<&str>) -> Plain {
    let lines: Vec<&str> = text.lines().collect();
    let this = line
        .and_then(|l| lines.get(l.wrapping_sub(1)))
        .copied()
        .unwrap_or("");
    if msg.contains("recursion limit") {
        return too_deep();
    }
    if msg.contains("tab") {
        // The parser often stops at the end of the line before the tab: point at the tab.
        let from = line.unwrap_or(1).max(1);
        let at = lines
            .iter()
            .enumerate()
            .skip(from - 1)
            .find_map(|(i, l)| {
                let lead: String = l.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
                lead.find('\t').map(|c| (i + 1, c + 1))
            })
            .or_else(|| {
                let i = from - 1;
                lines.get(i)?.find('\t').map(|c| (i + 1, c + 1))
            });
        return Plain {
            at,
            ..plain(
                "a tab is used to indent this line, and YAML indents with spaces only",
                "replace the tab with spaces (two for each level); most editors can be set to insert spaces when Tab is pressed",
            )
        };
    }
    if let Some((open, at)) = line.and_then(|l| unclosed_bracket_before(text, l + 1)) {
        if open_bracket_errors(msg) {
            let close = if open == '{' { '}' } else { ']' };
            return Plain {
                at: Some(at),
                ..plain(
                    format!("the `{open}` on line {} is never closed", at.0),
                    format!("add `{close}` at the end of the list that starts here"),
                )
            };
        }
    }
    if msg.starts_with("unclosed quote") {
        return plain(
            "a quoted value is never closed",
            "add the closing quote at the end of the value that starts here",
        );
    }
    if let Some(open) = msg.strip_prefix("unclosed bracket '") {
        let open = open.chars().next().unwrap_or('[');
        let close = if open == '{' { '}' } else { ']' };
        return plain(
            format!("this `{open}` is never closed"),
            format!("add `{close}` at the end of the list that starts here"),
        );
    }
    if msg.starts_with("mapping values are not allowed") || msg.contains("invalid indentation") {
        let indent = |l: &str| l.len() - l.trim_start().len();
        let above = line.and_then(|l| {
            lines[..l.saturating_sub(1).min(lines.len())]
                .iter()
                .rev()
                .find(|p| !p.trim().is_empty() && !p.trim_start().starts_with('#'))
                .copied()
        });
        if let Some(above) = above {
            let above_has_value = above
                .split_once(':')
                .is_some_and(|(_, v)| !v.trim().is_empty() && !v.trim().starts_with('#'));
            if indent(this) > indent(above) && above_has_value {
                let key = this.trim_start().split(':').next().unwrap_or("").trim();
                let above_key = above
                    .trim_start()
                    .trim_start_matches("- ")
                    .split(':')
                    .next()
                    .unwrap_or("")
                    .trim();
                return Plain {
                    at: line.map(|l| (l, 1)),
                    ..plain(
                        "this line is indented more than the line above it",
                        format!(
                            "start `{key}:` in the same column as `{above_key}:` (YAML reads deeper indentation as part of the value above)"
                        ),
                    )
                };
            }
        }
        if let Some(f) = field {
            return plain(
                format!("the value of `{f}` has a `: ` in it, which YAML reads as a new field"),
                format!("put the value in quotes: {f}: \"…\""),
            );
        }
        return plain(
            "YAML cannot read a `name: value` here",
            "check that this line is indented like the lines around it, and quote values that contain `: `",
        );
    }
    if msg.starts_with("simple key expected") || msg.contains("could not find expected ':'") {
        let body = this.trim_start().trim_start_matches("- ");
        let example = match body.split_once(' ') {
            Some((name, rest)) if !name.is_empty() => format!("`{name}: {}`", rest.trim()),
            _ => format!("`{}: …`", body.trim()),
        };
        return plain(
            "this line has no `:` after its field name",
            format!(
                "write it as {example}; if the line continues the value above, indent it more than that field's name"
            ),
        );
    }
    if msg.starts_with("misplaced bracket") || msg.starts_with("mismatched bracket") {
        return plain(
            "this bracket closes nothing that was opened",
            "remove it, or add the `[` or `{` it belongs to",
        );
    }
    if msg.starts_with("invalid trailing content after") {
        let f = field.unwrap_or("field");
        return plain(
            "there is more text after the closing quote",
            format!("put the whole value inside the quotes, e.g. {f}: \"… …\""),
        );
    }
    if let Some(c) = msg.strip_prefix("unexpected character: `") {
        let c = c.trim_end_matches('\'');
        let f = field.unwrap_or("field");
        return plain(
            format!("a value cannot start with `{c}`"),
            format!("put the value in quotes: {f}: \"{c}…\""),
        );
    }
    if msg.contains("multiple documents") {
        return plain(
            "a `---` line here starts a second document, and a file holds one",
            "remove the `---` line",
        );
    }
    if msg.contains("block scalar") || msg.contains("wrongly indented") {
        return plain(
            "the lines of this text are not indented consistently",
            "indent every line of a `|` or `>` text by the same number of spaces, more than its field's name",
        );
    }
    // Anything else: the parser's own words, when they are plain, with a general hint.
    let words = if looks_technical(msg) || msg.is_empty() {
        "YAML cannot read this line".to_string()
    } else {
        format!("YAML cannot read this line: {msg}")
    };
    plain(
        words,
        "compare it with the lines around it: a missing `:`, an indent that does not line up, or a value that needs quotes",
    )
}

/// Whether the parser's message about `msg` is what an unclosed `[` or `{` above causes.
fn open_bracket_errors(msg: &str) -> bool {
    msg.starts_with("illegal placement")
        || msg.contains("did not find expected ',' or")
        || msg.starts_with("unclosed bracket")
        || msg.starts_with("mapping values are not allowed")
        || msg.starts_with("simple key")
        || msg.contains("invalid indentation in flow")
}

/// Words that belong to the program, not to the person editing a file.
pub(crate) const TECHNICAL: &[&str] = &[
    "Option<",
    "String",
    "Vec<",
    "DuplicateKeyPolicy",
    "serde",
    "variant",
    "struct",
    "enum",
    "u8",
    "u16",
    "u32",
    "u64",
    "i32",
    "i64",
    "usize",
    "f64",
    "invalid type",
    "invalid value",
    "strict mode",
    "from_str",
    "scalar",
    "sequence",
    "mapping",
];

/// Whether a parser's message speaks in its own terms (types, options) rather than the user's.
pub(crate) fn looks_technical(msg: &str) -> bool {
    TECHNICAL.iter().any(|w| msg.contains(w))
}

/// A value that is not the number or flag the field holds.
fn scalar(ty: &str, field: Option<&str>) -> Plain {
    let f = field.unwrap_or("this field");
    let name = field.map_or("this".to_string(), |f| format!("`{f}`"));
    if ty == "bool" {
        return plain(
            format!("{name} is either true or false"),
            format!("write `{f}: true` or `{f}: false`"),
        );
    }
    if ty.starts_with('f') {
        return plain(
            format!("{name} is a number"),
            format!("write digits, e.g. `{f}: 4.5`"),
        );
    }
    let (what, example) = if ty.starts_with('u') {
        ("a whole number, 0 or more", "2")
    } else {
        ("a whole number", "14")
    };
    plain(
        format!("{name} must be {what}"),
        format!("write digits only, without quotes or words, e.g. `{f}: {example}`"),
    )
}

/// What a Rust-side description of a value is called by people writing YAML.
fn kind_in_words(s: &str) -> &'static str {
    let s = s.to_ascii_lowercase();
    if s.contains("sequence") || s.contains("vec") || s.contains("list") || s.contains("array") {
        "a list"
    } else if s.contains("map") || s.contains("struct") {
        "a group of `field: value` lines"
    } else if s.contains("bool") {
        "true or false"
    } else if s.contains("integer") || s.contains("i64") || s.contains("u32") || s.contains("u8") {
        "a whole number"
    } else if s.contains("float") || s.contains("f64") {
        "a number"
    } else if s.contains("unit") || s.contains("null") || s.contains("none") {
        "nothing"
    } else {
        "text"
    }
}

fn wrong_kind(unexpected: &str, expected: &str, field: Option<&str>) -> Plain {
    let want = kind_in_words(expected);
    let got = kind_in_words(unexpected);
    let name = field.map_or("this value".to_string(), |f| format!("`{f}`"));
    plain(
        if want == got {
            format!("{name} is not {want} of the kind hundred reads here")
        } else {
            format!("{name} should be {want}, but it is {got}")
        },
        example_for(want, field),
    )
}

fn example_for(want: &str, field: Option<&str>) -> String {
    let f = field.unwrap_or("field");
    match want {
        "a list" => format!("write a list as `{f}: [a, b]` or as lines starting with `- `"),
        "a group of `field: value` lines" => {
            format!("write `{f}:` on its own line and the fields below it, indented")
        }
        "true or false" => format!("write `{f}: true` or `{f}: false`"),
        "a whole number" => format!("write digits only, e.g. `{f}: 14`"),
        _ => format!(
            "write one value after `{f}:`; quote it if it starts with `[`, `{{`, `*`, `&` or `!`"
        ),
    }
}

fn unknown_value(value: &str, allowed: &[&str], field: Option<&str>) -> Plain {
    let name = field.map_or("this".to_string(), |f| format!("`{f}`"));
    let list = allowed
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let help = match suggest(value, allowed.iter().copied()) {
        Some(s) => format!("did you mean `{s}`? The choices are {list}"),
        None => format!("the choices are {list}"),
    };
    plain(format!("{name} cannot be `{value}`"), help)
}

fn unknown_field(name: &str, allowed: &[&str]) -> Plain {
    let list = allowed.join(", ");
    let help = match suggest(name, allowed.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("the fields here are: {list}"),
    };
    plain(format!("unknown field `{name}`"), help)
}

fn budget(breach: &BudgetBreach) -> Plain {
    match breach {
        BudgetBreach::Aliases { .. }
        | BudgetBreach::Anchors { .. }
        | BudgetBreach::AliasAnchorRatio { .. }
        | BudgetBreach::MergeKeys { .. } => too_many_aliases(),
        BudgetBreach::Depth { .. } => too_deep(),
        _ => plain(
            "this is too large to read safely: it has too many values, or uses too many aliases (`*name`)",
            "a profile or front matter needs far fewer values; split long notes into separate files, and write repeated values out instead of using `&anchor` and `*alias`",
        ),
    }
}

fn too_many_aliases() -> Plain {
    plain(
        "this uses too many aliases (`*name`): expanding them would make it too large to read safely",
        "write the repeated values out instead of using `&anchor` and `*alias`",
    )
}

fn too_deep() -> Plain {
    plain(
        "lists and maps are nested too deeply here",
        "nest at most a few levels: more than a few hundred `[`, `{` or indented levels cannot be read",
    )
}

/// What the parser expected, in the words of YAML's users.
fn unexpected(expected: &str, field: Option<&str>) -> Plain {
    let name = field.map_or("this value".to_string(), |f| format!("`{f}`"));
    if expected.contains("mapping") {
        plain(
            "expected `field: value` lines here",
            "each field is written as `name: value`, one per line",
        )
    } else if expected.contains("sequence") {
        plain(
            format!("{name} should be a list"),
            example_for("a list", field),
        )
    } else {
        plain(
            format!("{name} should be a single value, not a list or a group of fields"),
            example_for("text", field),
        )
    }
}

fn is_blank(text: &str) -> bool {
    text.lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
}

/// The field named on 1-based `line` (`role` for `  role: x`, `- role: x`), if the line has
/// one; else the field of the nearest line above that opens a list or a group.
fn field_on_line(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let key_of = |l: &str| {
        let body = l.trim_start().trim_start_matches("- ").trim_start();
        let (key, _) = body.split_once(':')?;
        let key = key.trim().trim_matches(['"', '\'']);
        (!key.is_empty() && !key.contains([' ', '[', '{', '"', '\'', '#'])).then(|| key.to_string())
    };
    let here = lines.get(line.checked_sub(1)?)?;
    if let Some(k) = key_of(here) {
        return Some(k);
    }
    // A list item: the field above it whose value it is.
    lines[..line - 1]
        .iter()
        .rev()
        .find(|l| {
            let t = l.trim_end();
            t.ends_with(':') && !t.trim_start().starts_with('#')
        })
        .and_then(|l| key_of(l))
}

/// A flow collection (`[a, b` or `{a: b`) left open on a line before line `line` of `text`
/// (1-based), which makes YAML report a confusing error further down: the opener and its
/// 1-based line and column.
pub(super) fn unclosed_bracket_before(text: &str, line: usize) -> Option<(char, (usize, usize))> {
    let lines: Vec<&str> = text.lines().take(line.saturating_sub(1)).collect();
    lines.iter().enumerate().rev().find_map(|(i, l)| {
        let mut depth: Vec<(char, usize)> = Vec::new();
        let mut quote: Option<char> = None;
        for (col, c) in l.split(" #").next().unwrap_or(l).chars().enumerate() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '[' | '{') => depth.push((c, col + 1)),
                (None, ']' | '}') => {
                    depth.pop();
                }
                _ => {}
            }
        }
        depth.last().map(|(c, col)| (*c, (i + 1, *col)))
    })
}

/// The 1-based line before `line` where `key:` was first written at the same indentation.
fn earlier_key(text: &str, key: &str, line: usize) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let dup = lines.get(line.checked_sub(1)?)?;
    let indent = |l: &str| l.len() - l.trim_start_matches([' ', '-']).len();
    let depth = indent(dup);
    lines[..line - 1]
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, l)| {
            let body = l.trim_start_matches([' ', '-']);
            let named = body
                .strip_prefix(key)
                .or_else(|| body.strip_prefix(&format!("\"{key}\"")))
                .is_some_and(|rest| rest.trim_start().starts_with(':'));
            (named && indent(l) == depth).then_some(i + 1)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_err(text: &str) -> Plain {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct T {
            name: String,
            #[serde(default)]
            roles: Vec<String>,
            #[serde(default)]
            day: Option<i64>,
            #[serde(default)]
            exact: bool,
            #[serde(default)]
            kind: Option<Kind>,
        }
        #[derive(Debug, serde::Deserialize)]
        #[serde(rename_all = "lowercase")]
        enum Kind {
            Client,
            Internal,
        }
        let options = serde_saphyr::options! { strict_booleans: true, with_snippet: false };
        let e = serde_saphyr::from_str_with_options::<T>(text, options).unwrap_err();
        let loc = e.location();
        let line = loc.map(|l| l.line() as usize).filter(|l| *l > 0);
        let col = loc.map(|l| l.column() as usize);
        describe(&e, text, (line, col), 1, &[])
    }

    #[test]
    fn syntax_mistakes_get_plain_hints() {
        let p = parse_err("name: Bo\n  roles: [a]\n");
        assert_eq!(
            p.message,
            "this line is indented more than the line above it"
        );
        assert!(
            p.help.contains("`roles:`") && p.help.contains("`name:`"),
            "{p:?}"
        );
        let p = parse_err("name Bo\n");
        assert!(p.message.contains("no `:`"), "{p:?}");
        assert!(p.help.contains("`name: Bo`"), "{p:?}");
        let p = parse_err("name: Bo\nroles:\n\t- a\n");
        assert!(p.message.contains("tab"), "{p:?}");
        assert_eq!(p.at, Some((3, 1)));
        let p = parse_err("name: Bo\nroles: [a, b\nday: 3\n");
        assert_eq!(p.message, "the `[` on line 2 is never closed", "{p:?}");
        assert_eq!(p.at, Some((2, 8)));
        let p = parse_err("name: \"Bo\nday: 3\n");
        assert!(p.message.contains("never closed"), "{p:?}");
        let p = parse_err("name: Bo\n---\nname: Cy\n");
        assert!(p.message.contains("second document"), "{p:?}");
    }

    #[test]
    fn type_mistakes_name_the_field_in_words() {
        let p = parse_err("name: Bo\nkind: clients\n");
        assert_eq!(p.message, "`kind` cannot be `clients`");
        assert!(p.help.contains("did you mean `client`?"), "{p:?}");
        let p = parse_err("name: Bo\nexact: maybe\n");
        assert_eq!(p.message, "`exact` is either true or false");
        let p = parse_err("name: Bo\nday: soon\n");
        assert_eq!(p.message, "`day` must be a whole number");
        let p = parse_err("name: [a, b]\n");
        assert!(p.message.starts_with("`name` should be"), "{p:?}");
        let p = parse_err("name: Bo\nrols: [a]\n");
        assert_eq!(p.message, "unknown field `rols`");
        assert_eq!(p.help, "did you mean `roles`?");
        for p in [
            parse_err("name: Bo\nkind: x\n"),
            parse_err("name:\n"),
            parse_err("name: Bo\nroles: a\n"),
        ] {
            assert!(!looks_technical(&p.message), "{p:?}");
            assert!(!looks_technical(&p.help), "{p:?}");
        }
    }
}
