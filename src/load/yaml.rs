//! YAML parsing with the settings the content model needs: `NO` and `off` stay strings (strict
//! booleans), phone numbers and ids like `007` keep their leading zeros, duplicate keys are
//! errors, and every error carries the line and column it was found at.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diagnostics::{suggest, Diagnostic, Position};

/// Parses `text`, which starts at line `first_line` of `file` (1 for a whole YAML file; 2 for
/// front matter after its opening `---`).
pub fn parse<T: DeserializeOwned>(
    text: &str,
    file: &Path,
    first_line: usize,
    known_fields: &[&str],
) -> Result<T, Diagnostic> {
    // YAML does not allow raw control characters; say so plainly, where one is.
    if let Some((i, c)) = text
        .char_indices()
        .find(|&(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        let p = crate::diagnostics::position_of(text, i);
        return Err(Diagnostic::error(
            file,
            format!(
                "this contains a control character (U+{:04X}), which YAML does not allow",
                c as u32
            ),
        )
        .at(Some(Position::new(p.line + first_line - 1, p.column)))
        .help("remove it: it is invisible in most editors, so retype the text around it"));
    }
    let options = serde_saphyr::options! {
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        with_snippet: false,
    };
    serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let position = e
            .location()
            .filter(|l| l.line() > 0)
            .map(|l| Position::new(l.line() as usize + first_line - 1, l.column() as usize));
        let local_line = position.map(|p| p.line + 1 - first_line);
        if let Some((message, help)) =
            super::yaml_errors::describe(&e, text, local_line, first_line)
        {
            return Diagnostic::error(file, message).at(position).help(help);
        }
        let message = clean_message(&e.without_snippet().to_string());
        let mut d = Diagnostic::error(file, message.clone()).at(position);
        if let Some(field) = backticked_after(&message, "unknown field") {
            if let Some(s) = suggest(field, known_fields.iter().copied()) {
                d = d.help(format!("did you mean `{s}`?"));
            } else {
                d = d.help(format!("the known fields are: {}", known_fields.join(", ")));
            }
        } else if let Some((open, line)) =
            position.and_then(|p| unclosed_bracket_before(text, p.line + 1 - first_line))
        {
            d = d.help(format!(
                "line {} opens a `{open}` that is never closed",
                line + first_line - 1
            ));
        } else if let Some(field) = backticked_after(&message, "missing field") {
            d = d.help(format!("add `{field}:` to this file"));
            if d.position.is_none() {
                d.position = Some(Position::new(first_line, 1));
            }
        }
        d
    })
}

/// saphyr appends " at line X, column Y" to some messages; the diagnostic shows the position
/// itself, so the message reads better without it.
fn clean_message(raw: &str) -> String {
    let first = raw.lines().next().unwrap_or(raw).trim();
    let cut = first.find(" at line ").unwrap_or(first.len());
    let msg = first[..cut].trim_end_matches([',', '.']).trim();
    let msg = msg.strip_prefix("error: ").unwrap_or(msg);
    // Name the kind of value people write, not the Rust type it is read into.
    for int in ["i64", "u64", "i32", "u32", "u8", "usize"] {
        if msg == format!("invalid {int}") {
            return "expected a whole number here".to_string();
        }
    }
    msg.to_string()
}

/// A flow collection (`[a, b` or `{a: b`) left open on a line before line `line` of `text`
/// (1-based), which makes YAML report a confusing error further down: the opener and the
/// line it is on.
fn unclosed_bracket_before(text: &str, line: usize) -> Option<(char, usize)> {
    let lines: Vec<&str> = text.lines().take(line.saturating_sub(1)).collect();
    lines.iter().enumerate().rev().find_map(|(i, l)| {
        let mut depth: Vec<char> = Vec::new();
        let mut quote: Option<char> = None;
        for c in l.split(" #").next().unwrap_or(l).chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '[' | '{') => depth.push(c),
                (None, ']' | '}') => {
                    depth.pop();
                }
                _ => {}
            }
        }
        depth.last().map(|c| (*c, i + 1))
    })
}

fn backticked_after<'a>(message: &'a str, phrase: &str) -> Option<&'a str> {
    let rest = &message[message.find(phrase)? + phrase.len()..];
    let start = rest.find('`')? + 1;
    let end = rest[start..].find('`')? + start;
    Some(&rest[start..end])
}

/// Position of a top-level `key:` in a YAML text, for values that parsed but are not valid.
pub fn key_position(text: &str, key: &str, first_line: usize) -> Option<Position> {
    for (i, line) in text.lines().enumerate() {
        if let Some(rest) = line.strip_prefix(key) {
            if rest.trim_start().starts_with(':') {
                return Some(Position::new(i + first_line, 1));
            }
        }
    }
    None
}

pub fn position_of(loc: &serde_saphyr::Location, first_line: usize) -> Option<Position> {
    (loc.line() > 0)
        .then(|| Position::new(loc.line() as usize + first_line - 1, loc.column() as usize))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct T {
        name: String,
        phone: Option<String>,
        #[serde(default)]
        flag: Option<String>,
    }

    #[test]
    fn strict_scalars_stay_strings() {
        let t: T = parse(
            "name: NO\nphone: 0123\nflag: off\n",
            Path::new("x.yaml"),
            1,
            &[],
        )
        .unwrap();
        assert_eq!(t.name, "NO");
        assert_eq!(t.phone.as_deref(), Some("0123"));
        assert_eq!(t.flag.as_deref(), Some("off"));
    }

    #[test]
    fn errors_carry_positions_and_hints() {
        let e = parse::<T>(
            "name: a\nphnoe: 1\n",
            Path::new("x.yaml"),
            2,
            &["name", "phone"],
        )
        .unwrap_err();
        assert_eq!(e.position.unwrap().line, 3, "{e}");
        assert_eq!(e.help.as_deref(), Some("did you mean `phone`?"));
        let e = parse::<T>("name: a\nname: b\n", Path::new("x.yaml"), 1, &[]).unwrap_err();
        assert_eq!(e.message, "`name` is written twice (first on line 1)");
        assert_eq!(e.position.unwrap().line, 2);
    }
}
