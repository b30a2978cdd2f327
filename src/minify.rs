//! Minifying HTML templates once, when they are loaded, instead of every page made from them.
//!
//! A page is its templates' literal HTML with values put in. Minifying each page cost about
//! three seconds of CPU on a 1,000-client site (13,000 pages, 100 MB), more than the rest of
//! the build together; minifying the thirty templates costs about a millisecond. The values
//! themselves (names, rendered markdown) are already compact.
//!
//! minify-html does not know Tera, so each Tera tag is swapped for a placeholder that the
//! minifier treats as plain text, the minifier runs, and the tags are put back. Where a tag
//! sits decides its placeholder:
//! - in text: a word (`{{ client.name }}` in a paragraph);
//! - in an attribute value: a word with a space in it, so the value stays quoted whatever the
//!   value renders to;
//! - between attributes (`<a href="x"{% if here %} aria-current="page"{% endif %}>`): the whole
//!   run of tags up to the matching `{% endif %}` becomes one attribute name, so sorting the
//!   attributes moves it as a unit.
//!
//! Anything else (a tag inside a tag name, an unquoted value, an `{% if %}` opened in one
//! attribute and closed in another), or a result that does not check out afterwards (every
//! placeholder back exactly once and in the same kind of place, the same HTML tags in the same
//! order), leaves that template as it was: unminified is always correct.

/// Placeholder delimiters, from Unicode's private use area: never in real templates (checked).
const TEXT: (char, char) = ('\u{E000}', '\u{E001}');
const VALUE: (char, char) = ('\u{E002}', '\u{E003}');
const NAME: (char, char) = ('\u{E004}', '\u{E005}');

/// The template with its literal HTML minified, or `None` when that cannot be done safely.
pub fn minify_template(source: &str) -> Option<String> {
    if source
        .chars()
        .any(|c| ('\u{E000}'..='\u{E005}').contains(&c))
    {
        return None;
    }
    if has_misleading_raw_text_end(source) {
        return None;
    }
    let pieces = split_tera(source)?;
    let (masked, originals, kinds) = mask(source, &pieces)?;
    let before = scan(&masked)?;
    let minified = collapse(&masked);
    let after = scan(&minified)?;
    if before.tags != after.tags || after.placeholders.len() != originals.len() {
        return None;
    }
    // Every placeholder back exactly once, in the same kind of place it was made for.
    let mut seen = vec![false; originals.len()];
    for (index, place) in &after.placeholders {
        let ok = match kinds.get(*index)? {
            Kind::Text => matches!(place, Place::Text),
            Kind::Value => matches!(place, Place::Value),
            Kind::Name => matches!(place, Place::BetweenAttributes),
        };
        if !ok || std::mem::replace(&mut seen[*index], true) {
            return None;
        }
    }
    Some(unmask(&minified, &originals))
}

/// Whether the source has `</title`, `</textarea`, `</script` or `</style` run on into a longer
/// name (`</titles>`). Browsers read that as text inside the element; minify-html takes it for
/// the element's end and then reads a closing tag of another name, which it does not expect
/// (a debug assertion fails, and a release build would lose the element's end).
fn has_misleading_raw_text_end(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    ["</title", "</textarea", "</script", "</style"]
        .iter()
        .any(|end| {
            lower.match_indices(end).any(|(at, _)| {
                !matches!(
                    lower.as_bytes().get(at + end.len()),
                    None | Some(b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
                )
            })
        })
}

/// Elements around which whitespace never shows: between one of these tags and another tag,
/// a run of spaces and line breaks renders as nothing, so it can go.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "caption",
    "col",
    "colgroup",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "legend",
    "li",
    "link",
    "main",
    "meta",
    "nav",
    "noscript",
    "ol",
    "p",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "ul",
];

/// The masked template with its literal whitespace made as small as it renders: a run of
/// spaces and line breaks between a block-level tag and another tag goes, any other run in
/// text or between attributes becomes one character (a line break if it had one). Quoted
/// values, comments, `<pre>`, and the raw text of `<script>`, `<style>`, `<textarea>` and
/// `<title>` are kept as written.
///
/// That is all a template's HTML has to lose: the values put into a page are compact already.
/// minify-html, used before, also dropped optional quotes, and saved 6.5% of the example's
/// HTML against 4.6% for this, but after gzip, as pages are served, both save under 2%
/// (1.7% and 1.8%), while it and its CSS and JavaScript minifiers were two thirds of the
/// binary (19 of 30 MB) and most of its compile time.
fn collapse(masked: &str) -> String {
    let mut out = String::with_capacity(masked.len());
    let mut html = Scanner::default();
    let mut pre_depth = 0usize;
    let mut seen_tags = 0;
    // The last character written ended a tag (not a `>` in text).
    let mut after_tag = false;
    let mut chars = masked.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let in_text = html.state == State::Data;
        let in_tag = matches!(
            html.state,
            State::TagName
                | State::BetweenAttributes
                | State::AttributeName
                | State::AfterAttributeName
        );
        if (in_text || in_tag) && pre_depth == 0 && c.is_ascii_whitespace() {
            let mut newline = c == '\n';
            let mut end = at + c.len_utf8();
            while let Some(&(i, d)) = chars.peek() {
                if !d.is_ascii_whitespace() {
                    break;
                }
                newline |= d == '\n';
                end = i + d.len_utf8();
                chars.next();
            }
            let rest = &masked[end..];
            let unseen = if in_tag {
                // Before the end of the tag.
                rest.starts_with('>') || rest.starts_with("/>")
            } else {
                // Beside a block-level tag, or at either end of the template.
                out.is_empty()
                    || rest.is_empty()
                    || (after_tag && html.tags.last().is_some_and(|(_, n)| is_block(n)))
                    || starts_with_block_tag(rest)
            };
            if !unseen {
                out.push(if in_text && newline { '\n' } else { ' ' });
                // The scanner reads the run as the one space it stands for.
                html.step(' ');
                after_tag = false;
            }
            continue;
        }
        let was_tag = !matches!(html.state, State::Data | State::RawText(_));
        out.push(c);
        html.step(c);
        after_tag = c == '>' && was_tag && matches!(html.state, State::Data | State::RawText(_));
        if html.tags.len() != seen_tags {
            seen_tags = html.tags.len();
            match html.tags.last() {
                Some((false, name)) if name == "pre" => pre_depth += 1,
                Some((true, name)) if name == "pre" => pre_depth = pre_depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    out
}

/// Whether whitespace beside a tag of this element (a lowercase name) never renders. Also the
/// rule tests/it/minify.rs holds minify-html's output to.
pub fn is_block(name: &str) -> bool {
    BLOCKS.contains(&name)
}

/// Whether `rest` starts with a block-level tag (`<div …` or `</div>`).
fn starts_with_block_tag(rest: &str) -> bool {
    let Some(name) = rest.strip_prefix("</").or_else(|| rest.strip_prefix('<')) else {
        return false;
    };
    let end = name
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(name.len());
    is_block(&name[..end].to_ascii_lowercase())
}

/// A template cut into literal text and Tera tags, as byte ranges of its source.
#[derive(Clone, Debug, PartialEq)]
enum Piece {
    Text(std::ops::Range<usize>),
    /// `{{ … }}`, `{% … %}`, `{# … #}`, or a whole `{% raw %}…{% endraw %}`.
    Tera(std::ops::Range<usize>),
}

fn split_tera(source: &str) -> Option<Vec<Piece>> {
    let bytes = source.as_bytes();
    let mut pieces = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while i + 1 < bytes.len() {
        let open = (bytes[i], bytes[i + 1]);
        if bytes[i] != b'{' || !matches!(open.1, b'{' | b'%' | b'#') {
            i += 1;
            continue;
        }
        let mut end = tera_tag_end(bytes, i)?;
        if is_statement(&source[i..end], "raw") {
            // Everything up to `{% endraw %}` is literal and stays as it is.
            let mut j = end;
            loop {
                let next = j + source[j..].find("{%")?;
                let next_end = tera_tag_end(bytes, next)?;
                if is_statement(&source[next..next_end], "endraw") {
                    end = next_end;
                    break;
                }
                j = next_end;
            }
        }
        if text_start < i {
            pieces.push(Piece::Text(text_start..i));
        }
        pieces.push(Piece::Tera(i..end));
        text_start = end;
        i = end;
    }
    if text_start < source.len() {
        pieces.push(Piece::Text(text_start..source.len()));
    }
    Some(pieces)
}

/// Where the Tera tag starting at `start` ends (exclusive), skipping string literals so a
/// `"}}"` inside one does not end it.
fn tera_tag_end(bytes: &[u8], start: usize) -> Option<usize> {
    let close = match bytes[start + 1] {
        b'{' => b'}',
        b'%' => b'%',
        _ => b'#',
    };
    let mut i = start + 2;
    let mut quote: Option<u8> = None;
    while i + 1 < bytes.len() {
        let b = bytes[i];
        match quote {
            // Tera strings escape with a backslash: `"\""` is one quote character.
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if close != b'#' && matches!(b, b'"' | b'\'' | b'`') => quote = Some(b),
            None if b == close && bytes[i + 1] == b'}' => return Some(i + 2),
            None => {}
        }
        i += 1;
    }
    None
}

/// The statement's keyword: `if` for `{%- if x -%}`.
fn keyword(tag: &str) -> Option<&str> {
    let inner = tag.strip_prefix("{%")?.strip_suffix("%}")?;
    let inner = inner.trim_start_matches(['-', '+']).trim_start();
    inner
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .next()
}

fn is_statement(tag: &str, word: &str) -> bool {
    keyword(tag) == Some(word)
}

/// +1 for a tag that opens a block, -1 for one that closes it, 0 otherwise.
fn depth_change(tag: &str) -> i32 {
    match keyword(tag) {
        Some("if" | "for" | "block" | "macro" | "filter" | "raw") => 1,
        // `{% set x %}…{% endset %}` captures a block; `{% set x = 1 %}` does not.
        Some("set" | "set_global") if !tag.contains('=') => 1,
        Some(k) if k.starts_with("end") => -1,
        _ => 0,
    }
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Text,
    Value,
    Name,
}

type Masked<'a> = (String, Vec<&'a str>, Vec<Kind>);

/// The template with each Tera tag (or run of tags between attributes) replaced by a
/// numbered placeholder; the originals and their kinds, by number.
fn mask<'a>(source: &'a str, pieces: &[Piece]) -> Option<Masked<'a>> {
    let mut out = String::new();
    let mut originals: Vec<&'a str> = Vec::new();
    let mut kinds = Vec::new();
    let mut html = Scanner::default();
    // Block depth inside the attribute value being read: must be back to 0 when it closes.
    let mut value_depth = 0;
    let mut i = 0;
    while i < pieces.len() {
        let number = originals.len();
        match &pieces[i] {
            Piece::Text(range) => {
                let text = &source[range.clone()];
                let closed_before = html.values_closed;
                for c in text.chars() {
                    html.step(c);
                }
                if html.values_closed != closed_before {
                    if value_depth != 0 {
                        return None;
                    }
                    value_depth = 0;
                }
                out.push_str(text);
                i += 1;
            }
            Piece::Tera(range) => {
                let tag = &source[range.clone()];
                match html.place()? {
                    Place::Text => {
                        push_placeholder(&mut out, TEXT, number, "");
                        originals.push(tag);
                        kinds.push(Kind::Text);
                        i += 1;
                    }
                    Place::Value => {
                        value_depth += depth_change(tag);
                        if value_depth < 0 {
                            return None;
                        }
                        push_placeholder(&mut out, VALUE, number, " ");
                        originals.push(tag);
                        kinds.push(Kind::Value);
                        i += 1;
                    }
                    Place::BetweenAttributes => {
                        // The run of pieces up to the tag that closes this one's block.
                        let start = range.start;
                        let mut depth = 0;
                        loop {
                            let piece = pieces.get(i)?;
                            i += 1;
                            match piece {
                                Piece::Tera(r) => depth += depth_change(&source[r.clone()]),
                                Piece::Text(r) if !source[r.clone()].contains(['<', '>']) => {}
                                Piece::Text(_) => return None,
                            }
                            if depth < 0 {
                                return None;
                            }
                            if depth == 0 {
                                let end = match piece {
                                    Piece::Tera(r) | Piece::Text(r) => r.end,
                                };
                                originals.push(&source[start..end]);
                                break;
                            }
                        }
                        out.push(' ');
                        push_placeholder(&mut out, NAME, number, "");
                        out.push(' ');
                        kinds.push(Kind::Name);
                    }
                }
            }
        }
    }
    Some((out, originals, kinds))
}

fn push_placeholder(out: &mut String, (open, close): (char, char), number: usize, gap: &str) {
    use std::fmt::Write;
    let _ = write!(out, "{open}{number}{gap}{close}");
}

fn unmask(minified: &str, originals: &[&str]) -> String {
    let mut out =
        String::with_capacity(minified.len() + originals.iter().map(|o| o.len()).sum::<usize>());
    let mut rest = minified;
    while let Some(at) = rest.find(['\u{E000}', '\u{E002}', '\u{E004}']) {
        out.push_str(&rest[..at]);
        let after = &rest[at + 3..];
        let end = after
            .find(['\u{E001}', '\u{E003}', '\u{E005}'])
            .expect("checked by scan");
        let number: usize = after[..end].trim().parse().expect("checked by scan");
        out.push_str(originals[number]);
        rest = &after[end + 3..];
    }
    out.push_str(rest);
    out
}

/// Where in the HTML a position is.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Place {
    Text,
    Value,
    BetweenAttributes,
}

/// What [`scan`] found in a masked template: its HTML tags in order, and each placeholder
/// with where it sits.
struct Scan {
    tags: Vec<(bool, String)>,
    placeholders: Vec<(usize, Place)>,
}

fn scan(text: &str) -> Option<Scan> {
    let mut html = Scanner::default();
    let mut placeholders = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        let close = match c {
            '\u{E000}' => Some('\u{E001}'),
            '\u{E002}' => Some('\u{E003}'),
            '\u{E004}' => Some('\u{E005}'),
            '\u{E001}' | '\u{E003}' | '\u{E005}' => return None,
            _ => None,
        };
        let Some(close) = close else {
            html.step(c);
            continue;
        };
        let place = html.place()?;
        let mut number = String::new();
        for d in chars.by_ref() {
            if d == close {
                break;
            }
            number.push(d);
        }
        let digits = if close == VALUE.1 {
            number.strip_suffix(' ')?
        } else {
            &number
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        placeholders.push((digits.parse().ok()?, place));
        // To the HTML around it, a placeholder is a word (or, between attributes, a name).
        html.step('x');
    }
    // A tag, quote or comment still open at the end (`<p class="…` to the end of the file):
    // the minifier would close it, adding text after the last Tera tag, where a child
    // template may have nothing outside its blocks.
    if !matches!(html.state, State::Data) {
        return None;
    }
    Some(Scan {
        tags: html.tags,
        placeholders,
    })
}

#[derive(Clone, Debug, Default, PartialEq)]
enum State {
    #[default]
    Data,
    TagOpen,
    EndTagOpen,
    TagName,
    BetweenAttributes,
    AttributeName,
    AfterAttributeName,
    BeforeValue,
    DoubleQuoted,
    SingleQuoted,
    Unquoted,
    /// `<!` seen: a comment if two dashes follow.
    Bang(u8),
    /// In a comment; the count of dashes just seen.
    Comment(u8),
    /// `<!DOCTYPE …>` or `<?…>`.
    Declaration,
    /// Inside `<script>`, `<style>`, `<textarea>` or `<title>`, where `<` starts no tag:
    /// how much of the closing `</name` has been seen.
    RawText(usize),
}

/// Just enough of HTML's tokenizer to tell text, attribute values and the space between
/// attributes apart, and to list the tags.
#[derive(Default)]
struct Scanner {
    state: State,
    name: String,
    end_tag: bool,
    /// The element whose raw text is being read (`script`, …).
    raw: String,
    tags: Vec<(bool, String)>,
    values_closed: usize,
}

impl Scanner {
    /// What a Tera tag at this point would be part of; `None` where it cannot be masked.
    fn place(&self) -> Option<Place> {
        match self.state {
            State::Data | State::Comment(_) | State::RawText(_) => Some(Place::Text),
            State::DoubleQuoted | State::SingleQuoted => Some(Place::Value),
            State::BetweenAttributes | State::AfterAttributeName => Some(Place::BetweenAttributes),
            _ => None,
        }
    }

    fn finish_name(&mut self) {
        let name = std::mem::take(&mut self.name).to_ascii_lowercase();
        self.tags.push((self.end_tag, name));
    }

    fn close_tag(&mut self) {
        let (end, name) = self.tags.last().cloned().unwrap_or_default();
        self.state = if !end && matches!(name.as_str(), "script" | "style" | "textarea" | "title") {
            self.raw = name;
            State::RawText(0)
        } else {
            State::Data
        };
    }

    fn step(&mut self, c: char) {
        use State::*;
        self.state = match std::mem::take(&mut self.state) {
            Data => match c {
                '<' => TagOpen,
                _ => Data,
            },
            TagOpen => match c {
                '!' => Bang(0),
                '?' => Declaration,
                '/' => EndTagOpen,
                c if c.is_ascii_alphabetic() => {
                    self.end_tag = false;
                    self.name.push(c);
                    TagName
                }
                _ => Data,
            },
            EndTagOpen => match c {
                c if c.is_ascii_alphabetic() => {
                    self.end_tag = true;
                    self.name.push(c);
                    TagName
                }
                _ => Data,
            },
            TagName => match c {
                '>' => {
                    self.finish_name();
                    self.close_tag();
                    return;
                }
                c if c.is_whitespace() || c == '/' => {
                    self.finish_name();
                    BetweenAttributes
                }
                c => {
                    self.name.push(c);
                    TagName
                }
            },
            BetweenAttributes => match c {
                '>' => {
                    self.close_tag();
                    return;
                }
                c if c.is_whitespace() || c == '/' => BetweenAttributes,
                _ => AttributeName,
            },
            // Within a name and after it alike: `=` starts the value, space ends the name.
            AttributeName | AfterAttributeName => match c {
                '=' => BeforeValue,
                '>' => {
                    self.close_tag();
                    return;
                }
                '/' => BetweenAttributes,
                c if c.is_whitespace() => AfterAttributeName,
                _ => AttributeName,
            },
            BeforeValue => match c {
                '"' => DoubleQuoted,
                '\'' => SingleQuoted,
                '>' => {
                    self.close_tag();
                    return;
                }
                c if c.is_whitespace() => BeforeValue,
                _ => Unquoted,
            },
            DoubleQuoted => match c {
                '"' => {
                    self.values_closed += 1;
                    BetweenAttributes
                }
                _ => DoubleQuoted,
            },
            SingleQuoted => match c {
                '\'' => {
                    self.values_closed += 1;
                    BetweenAttributes
                }
                _ => SingleQuoted,
            },
            Unquoted => match c {
                '>' => {
                    self.close_tag();
                    return;
                }
                c if c.is_whitespace() => BetweenAttributes,
                _ => Unquoted,
            },
            Bang(n) => match c {
                '-' if n == 1 => Comment(0),
                '-' => Bang(1),
                '>' => Data,
                _ => Declaration,
            },
            Comment(dashes) => match c {
                '-' => Comment(dashes.saturating_add(1)),
                '>' if dashes >= 2 => Data,
                _ => Comment(0),
            },
            Declaration => match c {
                '>' => Data,
                _ => Declaration,
            },
            RawText(seen) => {
                // Matching `</name`, case-insensitively; then it is an ordinary end tag.
                let want = |k: usize| match k {
                    0 => Some('<'),
                    1 => Some('/'),
                    k => self.raw.chars().nth(k - 2),
                };
                if want(seen).is_some_and(|w| w.eq_ignore_ascii_case(&c)) {
                    if seen + 1 == self.raw.len() + 2 {
                        self.end_tag = true;
                        self.name = std::mem::take(&mut self.raw);
                        TagName
                    } else {
                        RawText(seen + 1)
                    }
                } else if c == '<' {
                    RawText(1)
                } else {
                    RawText(0)
                }
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn min(s: &str) -> String {
        minify_template(s).unwrap_or_else(|| panic!("not minified: {s}"))
    }

    #[test]
    fn a_raw_text_end_run_into_a_longer_name_is_left_alone() {
        // Found by the property test: a cut that joined `</title` to the next word.
        for s in [
            "<title>A</titleleaves>\n</title>",
            "<textarea>x</textareas></textarea>",
            "<script>1</SCRIPTx></script>",
            "<style>p{}</style-x></style>",
        ] {
            assert_eq!(minify_template(s), None, "{s}");
        }
        assert_eq!(
            min("<title>A</title >\n<p>b</p>"),
            "<title>A</title><p>b</p>"
        );
    }

    #[test]
    fn a_tag_quote_or_comment_open_at_the_end_is_left_alone() {
        // Found by the property test: the minifier closed the quote after the last block.
        for s in [
            "{% block f %}<p class=\"{% raw %}{% endraw %}>x</p>{% endblock f %}",
            "<p>a</p><p",
            "<a href='x",
            "<p>a</p><!-- open",
        ] {
            assert_eq!(minify_template(s), None, "{s}");
        }
    }

    #[test]
    fn text_values_and_attribute_runs_keep_their_tera() {
        assert_eq!(
            min("<p class=\"lede\">\n  Hello, {{ client.name }}!\n</p>\n"),
            "<p class=\"lede\">Hello, {{ client.name }}!</p>"
        );
        // A value with a tag in it stays quoted, whatever it renders to.
        assert_eq!(
            min("<img alt=\"{{ name }}\"  src=\"x.png\" >"),
            "<img alt=\"{{ name }}\" src=\"x.png\">"
        );
        assert_eq!(
            min("<a href=\"{{ root }}team/\"{% if here %} aria-current=\"page\"{% endif %}>Team</a>"),
            "<a href=\"{{ root }}team/\" {% if here %} aria-current=\"page\"{% endif %}>Team</a>"
        );
        assert_eq!(
            min("<tr class=\"{% if a < 0 %}past{% elif a == 0 %}today{% endif %}\">\n<td>1</td>\n</tr>"),
            "<tr class=\"{% if a < 0 %}past{% elif a == 0 %}today{% endif %}\"><td>1</td></tr>"
        );
    }

    #[test]
    fn loops_blocks_comments_and_raw_pass_through() {
        let t = "{% extends \"base.html\" %}\n{% block main %}\n<ul>\n{% for x in xs %}\n  <li>{{ x }}</li>\n{% endfor %}\n</ul>\n{# note #}\n{% raw %}<b>  {{ kept }}  </b>{% endraw %}\n{% endblock main %}\n";
        let m = min(t);
        for piece in [
            "{% extends \"base.html\" %}",
            "{% for x in xs %}",
            "<li>{{ x }}</li>",
            "{% endfor %}",
            "{# note #}",
            "{% raw %}<b>  {{ kept }}  </b>{% endraw %}",
        ] {
            assert!(m.contains(piece), "{piece} missing from {m}");
        }
        assert!(!m.contains("\n  <li>"));
    }

    #[test]
    fn strings_in_tags_do_not_end_them() {
        let m = min("<p>{{ \"}}\" ~ x }}</p>");
        assert!(m.contains("{{ \"}}\" ~ x }}"), "{m}");
    }

    #[test]
    fn what_cannot_be_done_safely_is_left_alone() {
        for t in [
            "<{{ tag }}>x</{{ tag }}>",
            "<a href={{ url }}>x</a>",
            "<div data-{{ k }}=\"1\"></div>",
            // Opened in one attribute, closed in another: sorting would split them.
            "<a class=\"{% if x %}a\" title=\"b{% endif %}\">y</a>",
            // An attribute run that reaches past the end of the tag.
            "<a {% if x %}href=\"/\">{% else %}>{% endif %}y</a>",
            "{{ unclosed",
            "<p>\u{E000}</p>",
        ] {
            assert_eq!(minify_template(t), None, "{t}");
        }
    }

    #[test]
    fn whitespace_in_pre_and_script_is_kept() {
        let m = min("<pre>\n  a  {{ b }}\n   c</pre><script>\n var x = 1;  </script>");
        assert!(m.contains("<pre>\n  a  {{ b }}\n   c</pre>"), "{m}");
        assert!(m.contains("<script>\n var x = 1;  </script>"), "{m}");
        // Text keeps a space where one shows; beside blocks and before a tag's end none is left.
        assert_eq!(
            min(
                "<ul>\n  <li>\n    <a href=\"x\" >one</a>\n    <b>two</b>  three\n  </li>\n</ul>\n"
            ),
            "<ul><li><a href=\"x\">one</a>\n<b>two</b> three</li></ul>"
        );
    }
}

#[cfg(test)]
mod theme_tests {
    /// The built-in theme is written so that all of it can be minified; a template that
    /// could not be would quietly make every page larger.
    #[test]
    fn every_theme_template_minifies() {
        let failed: Vec<&str> = crate::theme::templates()
            .filter(|(name, _)| name.ends_with(".html"))
            .filter(|(_, source)| super::minify_template(source).is_none())
            .map(|(name, _)| name)
            .collect();
        assert!(failed.is_empty(), "not minified: {failed:?}");
    }
}
