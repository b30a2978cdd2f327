//! Characters that do not belong in profile text, and web addresses that are not web addresses.
//!
//! Control characters (NUL, escape, a stray carriage return), text-direction overrides (U+202E
//! makes `gpj.exe` display as `exe.jpg`) and zero-width characters pass through YAML and TOML
//! untouched, then into pages, calendar files and spreadsheets, where they hide or disguise
//! text or break the file's lines. A single-line field (a name, an email, a title) holding one
//! is an error at its file and line; in markdown (a bio, a script) they are removed with a
//! warning, keeping tabs and line breaks.

use std::path::Path;

use crate::diagnostics::{position_of, Diagnostic, Position};

/// What kind of unwanted character `c` is, or `None` if it is fine in single-line text.
/// `prev` and `next` are its neighbours: a zero-width joiner or non-joiner is kept between two
/// non-ASCII characters, where emoji sequences and scripts such as Persian need it.
fn unwanted(c: char, prev: Option<char>, next: Option<char>) -> Option<&'static str> {
    Some(match c {
        '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' => "a line break",
        '\t' => "a tab",
        '\0' => "a NUL character",
        '\u{1}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => "a control character",
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
            "an invisible character that changes the text's direction"
        }
        '\u{200c}' | '\u{200d}'
            if prev.is_none_or(|p| p.is_ascii()) || next.is_none_or(|n| n.is_ascii()) =>
        {
            "a zero-width character"
        }
        '\u{200b}' | '\u{2060}' | '\u{feff}' | '\u{180e}' => "a zero-width character",
        // Invisible operators, deprecated format controls and interlinear annotation marks
        // show nothing yet change what a search or a comparison of names sees.
        '\u{2061}'..='\u{2064}' | '\u{206a}'..='\u{206f}' | '\u{fff9}'..='\u{fffb}' => {
            "an invisible formatting character"
        }
        // Tag characters carry hidden text; the only use a page needs is a subdivision flag,
        // a run of them after the black flag U+1F3F4.
        '\u{e0000}'..='\u{e007f}'
            if !prev
                .is_some_and(|p| p == '\u{1f3f4}' || ('\u{e0020}'..='\u{e007f}').contains(&p)) =>
        {
            "an invisible tag character"
        }
        _ => return None,
    })
}

/// True for any character that no text from the site's files may bring into a page, calendar
/// or spreadsheet except the line breaks and tabs of multi-line text. Writers of other formats
/// (iCalendar, CSV) drop these as a last defence.
pub(crate) fn is_unwanted(c: char) -> bool {
    unwanted(c, Some('é'), Some('é')).is_some()
}

/// True if `s` has any character [`is_unwanted`] names. Plain printable ASCII, nearly all of
/// what calendars and spreadsheets hold, is ruled out with a byte scan.
pub(crate) fn has_unwanted(s: &str) -> bool {
    s.bytes().any(|b| b < 0x20 || b == 0x7f) || (!s.is_ascii() && s.chars().any(is_unwanted))
}

/// The first unwanted character of a single-line value, with its byte index.
fn first_unwanted(value: &str, multi_line: bool) -> Option<(usize, char, &'static str)> {
    // Most text is ASCII, where only control characters are unwanted and neighbours do not
    // matter: a byte scan, instead of a list of every character and its neighbours.
    if value.is_ascii() {
        let allowed = |b: u8| multi_line && matches!(b, b'\n' | b'\r' | b'\t');
        return value
            .bytes()
            .position(|b| (b < 0x20 || b == 0x7f) && !allowed(b))
            .and_then(|i| {
                let c = char::from(value.as_bytes()[i]);
                unwanted(c, None, None).map(|what| (i, c, what))
            });
    }
    first_unwanted_char(value, multi_line)
}

/// [`first_unwanted`] for any text, each character judged with its neighbours.
fn first_unwanted_char(value: &str, multi_line: bool) -> Option<(usize, char, &'static str)> {
    let chars: Vec<(usize, char)> = value.char_indices().collect();
    (0..chars.len()).find_map(|i| {
        let (at, c) = chars[i];
        if multi_line && matches!(c, '\n' | '\r' | '\t') {
            return None;
        }
        let prev = i.checked_sub(1).map(|p| chars[p].1);
        let next = chars.get(i + 1).map(|n| n.1);
        unwanted(c, prev, next).map(|what| (at, c, what))
    })
}

/// `value` without its unwanted characters (tabs and line breaks kept).
fn strip(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    (0..chars.len())
        .filter(|&i| {
            let c = chars[i];
            matches!(c, '\n' | '\r' | '\t')
                || unwanted(
                    c,
                    i.checked_sub(1).map(|p| chars[p]),
                    chars.get(i + 1).copied(),
                )
                .is_none()
        })
        .map(|i| chars[i])
        .collect()
}

/// Checks the text fields of one file, collecting errors (single-line fields) and warnings
/// (markdown that was cleaned).
pub(crate) struct TextCheck<'a> {
    file: &'a Path,
    /// The YAML or TOML the fields were read from, to point at the offending character.
    text: &'a str,
    /// The line of the file `text` starts on.
    first_line: usize,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

impl<'a> TextCheck<'a> {
    pub fn new(file: &'a Path, text: &'a str, first_line: usize) -> Self {
        TextCheck {
            file,
            text,
            first_line,
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Where the character is in the source: where it is written; or, when it came from an
    /// escape such as `"\u202E"`, where the text before it is written; else the field's key.
    /// Both are looked for from the field's key on, so the same text in an earlier field (or
    /// the file's first line break) is not taken for it.
    fn locate(&self, c: char, field: &str, before: &str) -> Option<Position> {
        let key = field.split(['.', '[']).next().unwrap_or(field);
        let key_at = super::yaml::key_position(self.text, key, self.first_line)
            .or_else(|| crate::config::find_key(self.text, key));
        let from = key_at.map_or(0, |p| {
            line_offset(self.text, (p.line + 1).saturating_sub(self.first_line))
        });
        let before = before.trim();
        // Line breaks and tabs are all over a file: finding one says nothing about this one.
        let common = matches!(c, '\n' | '\r' | '\t');
        let find = |text: &str| {
            (!common).then(|| text.find(c)).flatten().or_else(|| {
                (before.chars().count() >= 2)
                    .then(|| text.find(before))
                    .flatten()
            })
        };
        let found = find(&self.text[from..])
            .map(|i| i + from)
            .or_else(|| find(self.text));
        match found {
            Some(i) => {
                let p = position_of(self.text, i);
                Some(Position::new(p.line + self.first_line - 1, p.column))
            }
            None => key_at,
        }
    }

    /// A single-line field: any control, line-break or invisible character is an error.
    pub fn line(&mut self, field: &str, value: &str) {
        // Loaders trim values; a block scalar's final line break is not part of it.
        let value = value.trim_matches([' ', '\t', '\n', '\r']);
        if let Some((i, c, what)) = first_unwanted(value, false) {
            let at = self.locate(c, field, &value[..i]);
            self.errors.push(
                Diagnostic::error(
                    self.file,
                    format!("`{field}` contains {what} (U+{:04X})", c as u32),
                )
                .at(at)
                .help(format!(
                    "write `{field}` on one line, and retype it if it was pasted: such characters hide or disguise text"
                )),
            );
        }
    }

    pub fn lines(&mut self, field: &str, values: &[String]) {
        for v in values {
            self.line(field, v);
        }
    }

    pub fn optional(&mut self, field: &str, value: &Option<String>) {
        if let Some(v) = value {
            self.line(field, v);
        }
    }

    /// A markdown field: unwanted characters are removed, with a warning.
    pub fn markdown(&mut self, field: &str, value: &mut String) {
        if let Some((i, c, what)) = first_unwanted(value, true) {
            let at = self.locate(c, field, &value[..i]);
            *value = strip(value);
            self.warnings
                .push(removed(self.file, field, c, what).at(at));
        }
    }

    /// A map of notes: every string (key or value) is markdown.
    pub fn notes(&mut self, field: &str, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => self.markdown(field, s),
            serde_json::Value::Array(items) => {
                for v in items {
                    self.notes(field, v);
                }
            }
            serde_json::Value::Object(map) => {
                if map.keys().any(|k| first_unwanted(k, false).is_some()) {
                    let old = std::mem::take(map);
                    for (mut k, v) in old {
                        if first_unwanted(&k, false).is_some() {
                            self.markdown(field, &mut k);
                            k = k.replace(['\n', '\r', '\t'], " ");
                        }
                        map.insert(k, v);
                    }
                }
                for v in map.values_mut() {
                    self.notes(field, v);
                }
            }
            _ => {}
        }
    }
}

/// The byte offset where 1-based `line` of `text` starts (the end, past its last line).
fn line_offset(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line - 2)
        .map_or(text.len(), |(i, _)| i + 1)
}

/// A markdown body (a script, a chapter) that starts at line `first_line` of `file`, without
/// its unwanted characters, and a warning if there were any.
pub(crate) fn clean_body(
    file: &Path,
    body: &str,
    first_line: usize,
) -> (String, Option<Diagnostic>) {
    match first_unwanted(body, true) {
        None => (body.to_string(), None),
        Some((i, c, what)) => {
            let p = position_of(body, i);
            let at = Position::new(p.line + first_line - 1, p.column);
            (
                strip(body),
                Some(removed(file, "the text", c, what).at(Some(at))),
            )
        }
    }
}

fn removed(file: &Path, field: &str, c: char, what: &str) -> Diagnostic {
    let field = if field.starts_with("the ") {
        field.to_string()
    } else {
        format!("`{field}`")
    };
    Diagnostic::warning(
        file,
        format!(
            "{field} contains {what} (U+{:04X}); it was removed, with any others like it",
            c as u32
        ),
    )
    .help("retype the text if it was pasted: such characters hide or disguise text")
}

/// Why `url` is not a web address a page can link to, if it is not: only `http://` and
/// `https://` addresses with a host name and no spaces, control or invisible characters.
pub(crate) fn web_url_problem(url: &str) -> Option<String> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return Some("must be a web address starting with https:// (or http://)".into());
    };
    if let Some(c) = url
        .chars()
        .find(|&c| c.is_whitespace() || c.is_control() || is_unwanted(c))
    {
        return Some(format!(
            "must not contain spaces, line breaks or invisible characters (it has U+{:04X})",
            c as u32
        ));
    }
    if let Some(c) = url.chars().find(|c| "\"<>\\^`{|}".contains(*c)) {
        return Some(format!("must not contain `{c}`"));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let name = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    let ok = !name.is_empty()
        && (name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            || (name.starts_with('[') && name.ends_with(']')));
    (!ok).then(|| format!("has no valid host name after the `//` (found `{host}`)"))
}

/// Why `email` is not a plain email address, if it is not.
pub(crate) fn email_problem(email: &str) -> Option<&'static str> {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return Some("needs an `@`");
    };
    if local.is_empty() || domain.is_empty() || !domain.contains(|c: char| c.is_alphanumeric()) {
        return Some("needs a name before the `@` and a domain after it");
    }
    email
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "<>\"(),;:[]\\?".contains(c))
        .then_some("must not contain spaces or any of < > \" ( ) , ; : [ ] \\ ?")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ascii_scan_agrees_with_the_character_scan() {
        for b in 0u8..128 {
            for text in [
                format!("a{}b", b as char),
                format!("{}", b as char),
                format!("ab{}", b as char),
            ] {
                for multi_line in [false, true] {
                    assert_eq!(
                        first_unwanted(&text, multi_line),
                        first_unwanted_char(&text, multi_line),
                        "{text:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn classifies_what_hides_or_breaks_text() {
        for bad in [
            "a\0b",
            "a\u{202e}b",
            "a\u{200b}b",
            "a\u{feff}",
            "a\r\nb",
            "a\u{1b}[31m",
            "a\u{85}",
            "x\u{200d}y",
            "\u{2066}x",
            "pay\u{2062}now",
            "a\u{e0041}\u{e0042}",
            "\u{fff9}note\u{fffb}",
        ] {
            assert!(first_unwanted(bad, false).is_some(), "{bad:?}");
        }
        for good in [
            "Zoë O'Brien",
            "مریم\u{200c}ها",
            "👩\u{200d}💻",
            "李雷",
            "a - b",
            "\u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f} Scotland",
        ] {
            assert!(first_unwanted(good, false).is_none(), "{good:?}");
        }
        assert_eq!(strip("a\u{202e}b\n\tc\u{0}"), "ab\n\tc");
        assert!(first_unwanted("two\nlines\twith tab", true).is_none());
    }

    #[test]
    fn web_addresses() {
        for good in [
            "https://a.example",
            "http://a.example:8080/x?y=1#z",
            "HTTPS://A.example/",
            "https://[::1]/",
        ] {
            assert_eq!(web_url_problem(good), None, "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "https://a.example/\r\nX: y",
            "data:text/html,x",
            "https://",
            "https:// a.example",
            "https://a\"b.example",
            "https://user@evil.example",
            "ftp://a.example",
            "//a.example",
        ] {
            assert!(web_url_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(email_problem("maya@northwind.example"), None);
        assert!(email_problem("a@b.example?cc=x@y").is_some());
        assert!(email_problem("a b@c.example").is_some());
        assert!(email_problem("@c.example").is_some());
    }
}
