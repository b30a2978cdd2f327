//! Markdown to HTML for every markdown field and file. Raw HTML in the source is shown as text,
//! never passed through, and links may only use safe schemes: profile text is data, not markup.
//!
//! It also holds the one typographic rule of every page ([`smart_text`]): curly quotes and
//! apostrophes, en and em dashes, ellipses. Markdown text gets it here, and every value a
//! template shows gets it as it is escaped (see `crate::templates`), so a name, a title and a
//! paragraph of the same page agree.

use std::borrow::Cow;
use std::collections::HashMap;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    pub headings: Vec<Heading>,
    /// Link targets the resolver could not find.
    pub broken_links: Vec<String>,
}

/// What to do with a link's destination.
pub enum Link {
    /// Leave it as written.
    Keep,
    /// Replace it.
    To(String),
    /// It points at a page that does not exist.
    Broken,
}

#[derive(Default)]
pub struct MarkdownOptions<'a> {
    /// Prepended to heading ids, so several documents can share one page without clashes.
    pub id_prefix: &'a str,
    /// Rewrites links between source files (e.g. `02-stages.md`) into page addresses.
    pub resolve_link: Option<&'a (dyn Fn(&str) -> Link + Sync)>,
    /// Shift headings down so a document's `#` fits under the page's own `<h1>`.
    pub demote_headings: u8,
    /// The source is a personalised script, whose values were written by [`escape_value`]:
    /// show them as characters where markdown does not decode references (code, raw HTML).
    pub escaped_values: bool,
}

fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Every link in `source` and the byte offset of its destination as written (of the link
/// itself, for a reference link whose destination is elsewhere): where a finding about the
/// link points. Also the labels of the footnotes it defines, which are anchors too.
pub fn links_and_footnotes(source: &str) -> (Vec<(String, usize)>, Vec<String>) {
    let mut links = Vec::new();
    let mut footnotes = Vec::new();
    for (event, range) in Parser::new_ext(source, parser_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                let written = &source[range.clone()];
                let at = written
                    .rfind(dest_url.as_ref())
                    .map_or(range.start, |i| range.start + i);
                links.push((dest_url.to_string(), at));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => footnotes.push(label.to_string()),
            _ => {}
        }
    }
    (links, footnotes)
}

/// Renders a markdown field with no link rewriting (bios, welcome notes, scripts).
pub fn to_html(source: &str) -> String {
    render(source, &MarkdownOptions::default()).html
}

pub fn render(source: &str, opts: &MarkdownOptions) -> Rendered {
    let mut events: Vec<Event> =
        smarten_events(Parser::new_ext(source, parser_options()).collect());
    let mut out = Rendered::default();
    let mut used_ids: HashMap<String, usize> = HashMap::new();
    let mut emitted: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut footnotes: HashMap<String, CowStr<'static>> = HashMap::new();

    let mut in_code_block = false;
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Html(raw) | Event::InlineHtml(raw) => {
                events[i] = Event::Text(literal(raw, opts.escaped_values));
            }
            Event::Code(code) if opts.escaped_values => {
                events[i] = Event::Code(literal(code, true));
            }
            Event::Text(text) if in_code_block && opts.escaped_values => {
                events[i] = Event::Text(literal(text, true));
            }
            Event::FootnoteReference(label) => {
                events[i] = Event::FootnoteReference(footnote_id(&mut footnotes, label, opts));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let id = footnote_id(&mut footnotes, label, opts);
                events[i] = Event::Start(Tag::FootnoteDefinition(id));
            }
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Start(Tag::Heading { .. }) => {
                let text = heading_text(&events[i + 1..]);
                if let Event::Start(Tag::Heading {
                    level, id, classes, ..
                }) = &events[i]
                {
                    // Only a plain id and plain classes survive: any other attribute
                    // (`onfocus`, `style`, `autofocus`…) would let profile text run code or
                    // restyle the page. `hundred check` warns about what is dropped.
                    let base = id
                        .as_ref()
                        .filter(|s| is_plain_name(s))
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| slug(&text));
                    let n = used_ids.entry(base.clone()).or_insert(usize::from(
                        opts.id_prefix.is_empty() && taken_by_theme(&base),
                    ));
                    let mut unique = if *n == 0 {
                        base.clone()
                    } else {
                        format!("{base}-{n}")
                    };
                    *n += 1;
                    // `{#hi-1}` written by hand is not given again to the second `# Hi`.
                    while emitted.contains(&unique) {
                        unique = format!("{base}-{n}");
                        *n += 1;
                    }
                    emitted.insert(unique.clone());
                    let full_id = format!("{}{}", opts.id_prefix, unique);
                    let level = demote(*level, opts.demote_headings);
                    out.headings.push(Heading {
                        level: level as u8,
                        id: full_id.clone(),
                        text,
                    });
                    events[i] = Event::Start(Tag::Heading {
                        level,
                        id: Some(CowStr::from(full_id)),
                        classes: classes
                            .iter()
                            .filter(|c| is_plain_name(c))
                            .cloned()
                            .collect(),
                        attrs: Vec::new(),
                    });
                }
            }
            Event::End(TagEnd::Heading(level)) => {
                events[i] = Event::End(TagEnd::Heading(demote(*level, opts.demote_headings)));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = fix_url(dest_url, opts, &mut out.broken_links);
                events[i] = Event::Start(Tag::Link {
                    link_type: *link_type,
                    dest_url: dest,
                    title: title.clone(),
                    id: id.clone(),
                });
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = if is_safe_url(dest_url) {
                    dest_url.clone()
                } else {
                    CowStr::from("#")
                };
                events[i] = Event::Start(Tag::Image {
                    link_type: *link_type,
                    dest_url: dest,
                    title: title.clone(),
                    id: id.clone(),
                });
            }
            _ => {}
        }
        i += 1;
    }
    out.html.reserve(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut out.html, accessible(events).into_iter());
    out
}

/// What assistive technology needs that pulldown-cmark's HTML leaves out: a task list's boxes
/// (`- [ ]`, drawn disabled) say whether the item is done, and a table is wrapped in a region
/// that scrolls sideways on a narrow screen, which a keyboard can reach (`tabindex`) and a
/// screen reader names by the table's column headings. A code block, whose lines are kept as
/// written, scrolls in a wrapper the keyboard can reach too.
fn accessible(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    let mut labels: HashMap<String, usize> = HashMap::new();
    for (i, event) in events.iter().enumerate() {
        match event {
            Event::TaskListMarker(done) => {
                out.push(Event::Html(CowStr::Borrowed(if *done {
                    "<input type=\"checkbox\" disabled checked aria-label=\"Done\"> "
                } else {
                    "<input type=\"checkbox\" disabled aria-label=\"To do\"> "
                })));
                continue;
            }
            Event::Start(Tag::Table(_)) => {
                let mut label = format!("Table: {}", table_headings(&events[i + 1..]));
                let n = labels.entry(label.clone()).or_default();
                *n += 1;
                if *n > 1 {
                    label = format!("{label} ({n})");
                }
                out.push(Event::Html(CowStr::from(format!(
                    "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"{}\">",
                    attribute(&label)
                ))));
            }
            Event::Start(Tag::CodeBlock(_)) => out.push(Event::Html(CowStr::Borrowed(
                "<div class=\"code-scroll\" role=\"group\" tabindex=\"0\" aria-label=\"Code example\">",
            ))),
            _ => {}
        }
        out.push(event.clone());
        if let Event::End(TagEnd::Table | TagEnd::CodeBlock) = event {
            out.push(Event::Html(CowStr::Borrowed("</div>\n")));
        }
    }
    out
}

/// A table's column headings, "Area, Colour, Why", from the events after its start.
fn table_headings(events: &[Event]) -> String {
    let mut headings: Vec<String> = Vec::new();
    for event in events {
        match event {
            Event::End(TagEnd::TableHead) => break,
            Event::Start(Tag::TableCell) => headings.push(String::new()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = headings.last_mut() {
                    h.push_str(t);
                }
            }
            _ => {}
        }
    }
    let headings: Vec<&str> = headings
        .iter()
        .map(|h| h.trim())
        .filter(|h| !h.is_empty())
        .collect();
    if headings.is_empty() {
        "no headings".into()
    } else {
        headings.join(", ")
    }
}

/// `text` as an HTML attribute value between double quotes.
fn attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The id a footnote's label becomes, the same for its references and its definition. The
/// label is written as an id and a link, so a label that is not a plain name becomes a number;
/// with an id prefix (documents sharing a page, like the printable playbook) it gets the prefix
/// too, so two documents' `[^1]` do not share one id and link to each other's notes.
fn footnote_id<'a>(
    ids: &mut HashMap<String, CowStr<'static>>,
    label: &str,
    opts: &MarkdownOptions,
) -> CowStr<'a> {
    let n = ids.len() + 1;
    let id = ids.entry(label.to_string()).or_insert_with(|| {
        let name = if is_plain_name(label) {
            label.to_string()
        } else {
            n.to_string()
        };
        if opts.id_prefix.is_empty() && is_plain_name(label) {
            CowStr::from(name)
        } else {
            CowStr::from(format!("{}fn-{name}", opts.id_prefix))
        }
    });
    CowStr::from(id.to_string())
}

/// Escapes a value put into a script so that markdown reads it as text and nothing else: every
/// ASCII punctuation character, line break and tab, and spaces at either end, become a numeric
/// character reference (`&#123;`). CommonMark decodes those to the character in text, but never
/// reads one as syntax, so a client named `Acme {onfocus=…}`, `# Acme` or
/// `[x](javascript:…)` shows exactly that, in a heading or anywhere else, and `<`, `&`, `"`
/// come out HTML-escaped. Where markdown does not decode references (code spans and blocks,
/// raw HTML shown as text), [`render`] with `escaped_values` puts the characters back.
/// Tera's escape function for scripts; each value is charged to the page's work budget.
pub(crate) fn escape_value(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    crate::limits::tick()?;
    let bytes = input.as_bytes();
    let lead = bytes.iter().take_while(|b| **b == b' ').count();
    let trail = bytes[lead..]
        .iter()
        .rev()
        .take_while(|b| **b == b' ')
        .count();
    let mut plain = 0;
    for (i, b) in bytes.iter().enumerate() {
        let edge_space = *b == b' ' && (i < lead || i >= bytes.len() - trail);
        if is_escaped(*b) && (*b != b' ' || edge_space) {
            out.write_all(&bytes[plain..i])?;
            write!(out, "&#{b};")?;
            plain = i + 1;
        }
    }
    out.write_all(&bytes[plain..])
}

/// The bytes [`escape_value`] may write as references.
fn is_escaped(b: u8) -> bool {
    b.is_ascii_punctuation() || matches!(b, b'\n' | b'\r' | b'\t' | b' ')
}

/// `text` with the references [`escape_value`] writes turned back into their characters, when
/// `values` says the source has them.
fn literal<'a>(text: &CowStr<'a>, values: bool) -> CowStr<'a> {
    if !values || !text.contains("&#") {
        return text.clone();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = text;
    while let Some(at) = rest.find("&#") {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let code = rest[2..]
            .find(';')
            .filter(|end| (1..=3).contains(end))
            .and_then(|end| Some((rest[2..2 + end].parse::<u8>().ok()?, end)));
        match code {
            Some((b, end)) if is_escaped(b) => {
                out.push(b as char);
                rest = &rest[2 + end + 1..];
            }
            _ => {
                out.push_str("&#");
                rest = &rest[2..];
            }
        }
    }
    out.push_str(rest);
    CowStr::from(out)
}

/// An id or class that can be kept as written: ASCII letters, digits, `-` and `_`, so it can
/// neither leave its attribute nor mean anything but a name.
pub fn is_plain_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A heading attribute the renderer drops, at a byte offset of the source it was found in.
#[derive(Debug, Clone, PartialEq)]
pub struct DroppedAttribute {
    /// Byte offset of the heading in the source.
    pub offset: usize,
    /// The attribute as written, e.g. `onfocus=alert(1)` or `#"><x`.
    pub written: String,
}

/// Every heading attribute in `source` that [`render`] would drop: ids and classes that are not
/// plain names, and every other attribute. Found with the same parser the renderer uses, so
/// what this reports is exactly what goes.
pub fn dropped_heading_attributes(source: &str) -> Vec<DroppedAttribute> {
    let mut out = Vec::new();
    for (event, range) in Parser::new_ext(source, parser_options()).into_offset_iter() {
        let Event::Start(Tag::Heading {
            id, classes, attrs, ..
        }) = event
        else {
            continue;
        };
        let mut push = |written: String| {
            out.push(DroppedAttribute {
                offset: range.start,
                written,
            })
        };
        if let Some(id) = id.filter(|id| !is_plain_name(id)) {
            push(format!("#{id}"));
        }
        for class in classes.iter().filter(|c| !is_plain_name(c)) {
            push(format!(".{class}"));
        }
        for (key, value) in attrs {
            match value {
                Some(v) => push(format!("{key}={v}")),
                None => push(key.to_string()),
            }
        }
    }
    out
}

fn fix_url<'a>(dest: &CowStr<'a>, opts: &MarkdownOptions, broken: &mut Vec<String>) -> CowStr<'a> {
    if !is_safe_url(dest) {
        return CowStr::from("#");
    }
    // A link within the document points at an id this render prefixed.
    if let Some(fragment) = dest.strip_prefix('#') {
        if !fragment.is_empty() && !opts.id_prefix.is_empty() {
            return CowStr::from(format!("#{}{fragment}", opts.id_prefix));
        }
    }
    match opts.resolve_link.map(|f| f(dest)) {
        Some(Link::To(url)) => CowStr::from(url),
        Some(Link::Broken) => {
            broken.push(dest.to_string());
            dest.clone()
        }
        Some(Link::Keep) | None => dest.clone(),
    }
}

/// Web, mail and phone links, and links within the site. Anything else (`javascript:`,
/// `data:`, …) could run code in a reader's browser.
pub fn is_safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.find(':') {
        None => true,
        Some(colon) => {
            // A colon after the first `/`, `?` or `#` is part of a path, not a scheme.
            if lower[..colon].contains(['/', '?', '#']) {
                return true;
            }
            matches!(&lower[..colon], "http" | "https" | "mailto" | "tel")
        }
    }
}

/// Text as it is printed, by the one typographic rule of every page: straight quotes become
/// curly ones (`'` → ‘ ’, `"` → “ ”, an apostrophe → ’), `--` an en dash, `---` an em dash, a
/// hyphen with a space on each side an en dash, `...` an ellipsis.
///
/// Words that are addresses are left exactly as written: a word with `@`, `/` or `\` in it (an
/// e-mail address, a web address, a file path). A text that is one word naming a thing, an id
/// or a host name (lower-case letters, digits, `-`, `_`, `.`, like `follow-up--2` or
/// `xn--bcher-kva.example`), keeps its `--`, which is part of the name. Code is not text:
/// markdown's code spans and blocks, and raw HTML shown as text, are never changed.
pub fn smart_text(text: &str) -> Cow<'_, str> {
    smart_text_between(text, None, None)
}

/// [`smart_text`] of a piece of a longer text: `before` is the character printed just before
/// it and `after` the one just after (none at the edges of a paragraph), which decide whether
/// a quote at either end opens or closes.
fn smart_text_between(text: &str, before: Option<char>, after: Option<char>) -> Cow<'_, str> {
    if !needs_smartening(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut prev = before;
    let mut rest = text;
    while !rest.is_empty() {
        let space = rest.len() - rest.trim_start().len();
        if space > 0 {
            out.push_str(&rest[..space]);
            prev = rest[..space].chars().last();
            rest = &rest[space..];
            continue;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (word, tail) = rest.split_at(end);
        let next_after_word = tail.chars().next().or(after);
        // The whole text one word, with nothing around it: a value such as an id or a host
        // name, whose `--` is part of its name.
        let alone = word.len() == text.len() && before.is_none() && after.is_none();
        if word.contains(['@', '/', '\\']) {
            out.push_str(word);
        } else {
            smarten_word(word, prev, next_after_word, alone, &mut out);
        }
        prev = out.chars().last();
        rest = tail;
    }
    Cow::Owned(out)
}

/// Whether [`smart_text_between`] can change anything in `text`.
fn needs_smartening(text: &str) -> bool {
    let b = text.as_bytes();
    b.iter().enumerate().any(|(i, c)| match c {
        b'\'' | b'"' => true,
        b'-' => b.get(i + 1) == Some(&b'-') || (b.get(i + 1) == Some(&b' ') && i > 0),
        b'.' => b.get(i + 1) == Some(&b'.') && b.get(i + 2) == Some(&b'.'),
        _ => false,
    })
}

/// One word (no white space in it) of [`smart_text_between`], written to `out`.
fn smarten_word(
    word: &str,
    before: Option<char>,
    after: Option<char>,
    alone: bool,
    out: &mut String,
) {
    let dashes = !(alone && word.contains("--") && is_thing_name(word));
    let chars: Vec<char> = word.chars().collect();
    let mut prev = before;
    let mut i = 0;
    while i < chars.len() {
        let next = chars.get(i + 1).copied().or(after);
        let c = chars[i];
        let (printed, used) = match c {
            '\'' if opens(prev)
                && next.is_some_and(|n| !n.is_whitespace() && !n.is_ascii_digit()) =>
            {
                ("‘", 1)
            }
            '\'' => ("’", 1),
            '"' if opens(prev) && next.is_some_and(|n| !n.is_whitespace()) => ("“", 1),
            '"' => ("”", 1),
            '.' if chars.get(i + 1) == Some(&'.') && chars.get(i + 2) == Some(&'.') => ("…", 3),
            '-' if dashes => {
                let run = chars[i..].iter().take_while(|c| **c == '-').count();
                match run {
                    1 if chars.len() == 1
                        && prev.is_some_and(char::is_whitespace)
                        && next.is_some_and(char::is_whitespace) =>
                    {
                        ("–", 1)
                    }
                    1 => ("-", 1),
                    2 => ("–", 2),
                    _ => ("—", 3),
                }
            }
            _ => {
                out.push(c);
                prev = Some(c);
                i += 1;
                continue;
            }
        };
        out.push_str(printed);
        prev = printed.chars().last();
        i += used;
    }
}

/// Whether a quote after `prev` opens: at the start, after white space, an opening bracket or
/// quote, or a dash.
fn opens(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(c) => c.is_whitespace() || "([{<‘“—–-".contains(c),
    }
}

/// An id or a host name: lower-case ASCII letters (at least one), digits, `-`, `_` and `.`.
fn is_thing_name(word: &str) -> bool {
    word.bytes().any(|b| b.is_ascii_lowercase())
        && word.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
        })
}

/// A document's events with [`smart_text`] applied to their text: not to code, nor to raw HTML
/// (which is shown as written). Neighbouring text events are joined first, so a word split by
/// a character reference (`O&#39;Brien`) is read whole; each piece of text knows the characters
/// printed around it in its paragraph, so `"*really*"` gets an opening and a closing quote.
fn smarten_events(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut joined: Vec<Event> = Vec::with_capacity(events.len());
    for e in events {
        match (joined.last_mut(), e) {
            (Some(Event::Text(a)), Event::Text(b)) => {
                *a = CowStr::from(format!("{a}{b}"));
            }
            (_, e) => joined.push(e),
        }
    }
    let mut in_code = false;
    let mut prev: Option<char> = None;
    for i in 0..joined.len() {
        let smart = match &joined[i] {
            Event::Text(t) if !in_code => {
                let after = next_char(&joined[i + 1..]);
                match smart_text_between(t, prev, after) {
                    Cow::Owned(s) => Some(s),
                    Cow::Borrowed(_) => None,
                }
            }
            _ => None,
        };
        if let Some(s) = smart {
            joined[i] = Event::Text(CowStr::from(s));
        }
        match &joined[i] {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            _ => {}
        }
        prev = match &joined[i] {
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) => t.chars().last().or(prev),
            Event::SoftBreak | Event::HardBreak => Some('\n'),
            Event::FootnoteReference(_) => prev,
            Event::Start(tag) if is_inline(tag) => prev,
            Event::End(tag) if is_inline_end(tag) => prev,
            _ => None,
        };
    }
    joined
}

/// The first character printed after a piece of text, within its paragraph.
fn next_char(rest: &[Event]) -> Option<char> {
    for e in rest {
        match e {
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) => return t.chars().next(),
            Event::SoftBreak | Event::HardBreak => return Some('\n'),
            Event::Start(tag) if is_inline(tag) => {}
            Event::End(tag) if is_inline_end(tag) => {}
            _ => return None,
        }
    }
    None
}

/// Tags inside a line of text, which a quote sees through.
fn is_inline(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

fn is_inline_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

fn demote(level: HeadingLevel, by: u8) -> HeadingLevel {
    let n = (level as u8 + by).min(6);
    HeadingLevel::try_from(n as usize).unwrap_or(HeadingLevel::H6)
}

fn heading_text(events: &[Event]) -> String {
    let mut text = String::new();
    for e in events {
        match e {
            Event::End(TagEnd::Heading(_)) => break,
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            _ => {}
        }
    }
    text
}

/// Ids the built-in pages give their own landmarks and section headings (`main` for the
/// skip link, `team-heading`…). A heading in profile text with the same slug would take the
/// skip link or a section's label, so without a prefix it is numbered like a repeat instead.
fn taken_by_theme(id: &str) -> bool {
    matches!(id, "main" | "about") || id.ends_with("-heading") || id.starts_with("fn-")
}

/// A URL fragment from heading text: `Moments of truth!` → `moments-of-truth`.
pub fn slug(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            s.push(c);
            dash = false;
        } else if !dash && !s.is_empty() {
            s.push('-');
            dash = true;
        }
    }
    let s = s.trim_end_matches('-').to_string();
    if s.is_empty() {
        "section".into()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = to_html("Hi <script>alert(1)</script> there\n\n<div onclick=x>block</div>\n");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<div"), "{html}");
    }

    #[test]
    fn unsafe_link_schemes_are_dropped() {
        let html = to_html("[x](javascript:alert(1)) [y](https://ok.example) [z](mailto:a@b.c)");
        assert!(!html.contains("javascript"), "{html}");
        assert!(html.contains("https://ok.example") && html.contains("mailto:a@b.c"));
    }

    #[test]
    fn headings_get_unique_prefixed_ids() {
        let r = render(
            "# Hello world\n## Hello world\n",
            &MarkdownOptions {
                id_prefix: "ch1-",
                ..Default::default()
            },
        );
        assert_eq!(r.headings[0].id, "ch1-hello-world");
        assert_eq!(r.headings[1].id, "ch1-hello-world-1");
        assert!(
            r.html.contains(r#"<h1 id="ch1-hello-world">"#),
            "{}",
            r.html
        );
    }

    #[test]
    fn heading_ids_are_unique_with_ids_written_by_hand() {
        let r = render(
            "# Own {#hi-1}\n# Hi\n# Hi\n# Hi\n",
            &MarkdownOptions::default(),
        );
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["hi-1", "hi", "hi-2", "hi-3"]);
    }

    #[test]
    fn heading_ids_leave_the_pages_own_ids_alone() {
        let r = render(
            "# Main\n# Team heading\n# About {#about}\n# Mainly\n",
            &MarkdownOptions::default(),
        );
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["main-1", "team-heading-1", "about-1", "mainly"]);
    }

    #[test]
    fn heading_attributes_keep_only_plain_ids_and_classes() {
        let html = to_html(
            "# Hi {#ok .fine .b\"ad tabindex=0 autofocus onfocus=alert(1)}\n## Two {#a:b onclick=y}\n",
        );
        assert!(html.contains(r#"<h1 id="ok" class="fine">"#), "{html}");
        assert!(html.contains(r#"<h2 id="two">"#), "{html}");
        for bad in ["onfocus", "onclick", "tabindex", "autofocus", "&quot;"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        let dropped: Vec<String> =
            dropped_heading_attributes("text\n\n# Hi {#ok .b$d onfocus=x autofocus}\n")
                .into_iter()
                .map(|d| {
                    assert_eq!(d.offset, 6);
                    d.written
                })
                .collect();
        assert_eq!(dropped, [".b$d", "onfocus=x", "autofocus"]);
        assert!(dropped_heading_attributes("# Fine {#a-b .c_d}\n").is_empty());
    }

    #[test]
    fn escaped_values_are_text_everywhere() {
        let mut md = Vec::new();
        escape_value(
            " *Acme* {onfocus=x}\n# [a](javascript:b) `c` <i>&\" ",
            &mut md,
        )
        .unwrap();
        let md = String::from_utf8(md).unwrap();
        let source = format!("## Hi {md}\n\nSee `{md}` and {md}\n\n    {md}\n");
        let html = render(
            &source,
            &MarkdownOptions {
                escaped_values: true,
                ..Default::default()
            },
        )
        .html;
        assert!(
            html.starts_with("<h2 id=\"hi-acme-onfocus-x-a-javascript-b-c-i\">"),
            "{html}"
        );
        for tag in ["<em>", "<a ", "<i>", "<h1", "onfocus=\""] {
            assert!(!html.contains(tag), "{tag} in {html}");
        }
        // In code too the value reads as written.
        assert!(
            html.contains(
                "<code> *Acme* {onfocus=x}\n# [a](javascript:b) `c` &lt;i&gt;&amp;\" </code>"
            ),
            "{html}"
        );
    }

    #[test]
    fn links_within_the_document_follow_the_prefix() {
        let r = render(
            "## What we track\n\nSee [what we track](#what-we-track), [top](#) and [x](other.md#a).\n",
            &MarkdownOptions {
                id_prefix: "ch6--",
                ..Default::default()
            },
        );
        assert!(r.html.contains(r#"id="ch6--what-we-track""#), "{}", r.html);
        assert!(
            r.html.contains(r##"href="#ch6--what-we-track""##),
            "{}",
            r.html
        );
        assert!(r.html.contains(r##"href="#""##), "{}", r.html);
        assert!(r.html.contains(r#"href="other.md#a""#), "{}", r.html);
    }

    #[test]
    fn footnote_ids_are_plain_and_prefixed() {
        let source =
            "A[^1] b[^x\" onmouseover=\"y] c[^1]\n\n[^1]: one\n\n[^x\" onmouseover=\"y]: two\n";
        let html = render(
            source,
            &MarkdownOptions {
                id_prefix: "ch2--",
                ..Default::default()
            },
        )
        .html;
        assert_eq!(html.matches(r##"href="#ch2--fn-1""##).count(), 2, "{html}");
        assert!(html.contains(r#"id="ch2--fn-1""#), "{html}");
        assert!(html.contains(r##"href="#ch2--fn-2""##), "{html}");
        assert!(html.contains(r#"id="ch2--fn-2""#), "{html}");
        assert!(!html.contains("onmouseover"), "{html}");
        // Without a prefix a plain label stays as written; another becomes a number.
        let html = to_html("A[^note] b[^a b]\n\n[^note]: one\n\n[^a b]: two\n");
        assert!(html.contains(r#"id="note""#), "{html}");
        assert!(html.contains(r#"id="fn-2""#), "{html}");
    }

    #[test]
    fn extensions_are_on() {
        let html =
            to_html("| a |\n|---|\n| b |\n\n- [x] done\n\n~~old~~ \"quoted\"[^1]\n\n[^1]: note\n");
        assert!(html.contains("<table>") && html.contains("checkbox") && html.contains("<del>"));
        assert!(html.contains('“') && html.contains("footnote"), "{html}");
    }

    #[test]
    fn task_boxes_are_named_and_tables_scroll_in_a_named_region() {
        let html = to_html("- [ ] call\n- [x] write\n");
        assert!(html.contains(r#"disabled aria-label="To do">"#), "{html}");
        assert!(
            html.contains(r#"disabled checked aria-label="Done">"#),
            "{html}"
        );
        let two = "| Area | `Why` <b> |\n|---|---|\n| a | b |\n\n";
        let html = to_html(&format!("{two}{two}"));
        let region = r#"<div class="table-scroll" role="region" tabindex="0" aria-label="Table: Area, Why &lt;b&gt;"#;
        assert_eq!(html.matches(region).count(), 2, "{html}");
        assert!(html.contains(r#"Why &lt;b&gt; (2)">"#), "{html}");
        assert_eq!(html.matches("</table>\n</div>").count(), 2, "{html}");
        let html = to_html("```sh\nhundred log acme\n```\n");
        assert_eq!(
            html.replace('\n', ""),
            r#"<div class="code-scroll" role="group" tabindex="0" aria-label="Code example"><pre><code class="language-sh">hundred log acme</code></pre></div>"#
        );
    }

    #[test]
    fn plain_text_gets_the_typographic_rule() {
        let cases = [
            (
                "Swindon's honour isn't 'quiet'",
                "Swindon’s honour isn’t ‘quiet’",
            ),
            ("\"Hello,\" she said...", "“Hello,” she said…"),
            (
                "the '90s, 9--5, Tuesday - Friday, wait---what",
                "the ’90s, 9–5, Tuesday – Friday, wait—what",
            ),
            ("(\"quoted\") and \"'nested'\"", "(“quoted”) and “‘nested’”"),
            ("the Joneses' house", "the Joneses’ house"),
            ("a one-off - or not", "a one-off – or not"),
            ("- starts with a hyphen", "- starts with a hyphen"),
        ];
        for (plain, smart) in cases {
            assert_eq!(smart_text(plain), smart, "{plain}");
        }
    }

    #[test]
    fn addresses_ids_and_names_of_things_stay_as_written() {
        for kept in [
            "o'brien@example.com",
            "https://example.com/a--b/it's...",
            "team/o'neill.jpg",
            "../../",
            "follow-up--2",
            "xn--bcher-kva.example",
            "2026-11-23",
            "C:\\it's",
        ] {
            assert_eq!(smart_text(kept), kept);
        }
        assert_eq!(
            smart_text("Write to o'brien@example.com, it's quick"),
            "Write to o'brien@example.com, it’s quick"
        );
    }

    #[test]
    fn markdown_gets_the_same_rule_but_not_in_code() {
        let html = to_html(
            "\"*Really*\" isn't it -- Swindon's 'best'...\n\n`don't` <b title='x'>\n\n    it's code\n",
        );
        assert!(
            html.contains("<p>“<em>Really</em>” isn’t it – Swindon’s ‘best’…</p>"),
            "{html}"
        );
        assert!(html.contains("<code>don't</code>"), "{html}");
        assert!(html.contains("&lt;b title='x'&gt;"), "{html}");
        assert!(html.contains("<pre><code>it's code"), "{html}");
        // The same words as a plain field read the same.
        assert_eq!(
            smart_text("\"Really\" isn't it -- Swindon's 'best'..."),
            "“Really” isn’t it – Swindon’s ‘best’…"
        );
        // A value escaped into a script is read whole.
        let r = render(
            "Hi O&#39;Brien, it&#39;s &#34;fine&#34; at o&#39;b&#64;x&#46;example",
            &MarkdownOptions {
                escaped_values: true,
                ..Default::default()
            },
        );
        assert!(
            r.html.contains("O’Brien, it’s “fine” at o'b@x.example"),
            "{}",
            r.html
        );
        let heading = render("# Swindon's \"best\"\n", &MarkdownOptions::default());
        assert_eq!(heading.headings[0].text, "Swindon’s “best”");
        assert_eq!(heading.headings[0].id, "swindon-s-best");
    }

    #[test]
    fn links_are_resolved_or_reported() {
        let resolve = |d: &str| -> Link {
            match d {
                "a.md" => Link::To("../a/".into()),
                d if d.ends_with(".md") => Link::Broken,
                _ => Link::Keep,
            }
        };
        let r = render(
            "[a](a.md) [b](b.md) [c](https://x.example)",
            &MarkdownOptions {
                resolve_link: Some(&resolve),
                ..Default::default()
            },
        );
        assert!(r.html.contains(r#"href="../a/""#));
        assert_eq!(r.broken_links, vec!["b.md".to_string()]);
    }
}
