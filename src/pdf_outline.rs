//! The outline (bookmarks) of a printed document, made from its table of contents.
//!
//! Chromium can make an outline from a page's headings, but it takes every heading (the
//! history's entries, the panels' small titles), writes their text as laid out (uppercase where
//! CSS made it so, words run together where a line wrapped, some twice) and nests a section by
//! the heading levels of the templates around it. A print page's contents say what a reader
//! wants to jump to, so the outline follows them: each link of the page's first element with
//! the class `toc` is an entry, nested as the contents' lists nest, titled with the link's words
//! (leaving out a `toc__meta` part: dates, owners). The welcome pack has no visible contents
//! and carries a hidden list for this. A page without one keeps Chromium's outline.
//!
//! The outline is added to the PDF as an incremental update: new objects, a new catalog that
//! points at them, and a cross-reference section for those, appended after the file. Each
//! entry leads to the named destination Chromium made for its link's target.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::pdf_links::percent_decoded;
use crate::pdf_pages::{Doc, Value};

/// An entry of the contents: its nesting level (1 for the outermost list), words and target id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub level: usize,
    pub title: String,
    pub target: String,
}

/// The entries of the first element with the class `toc` in `html`.
pub fn contents(html: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    // The contents' element name and how many of it are open; lists open; the link being
    // read; how many spans of a `toc__meta` part are open.
    let mut toc: Option<(String, usize)> = None;
    let mut lists = 0usize;
    let mut link: Option<Entry> = None;
    let mut meta = 0usize;
    for token in Tokens::new(html) {
        match token {
            Token::Start { name, attrs } => {
                let Some((toc_name, depth)) = toc.as_mut() else {
                    if has_class(&attrs, "toc") {
                        lists = usize::from(name == "ol" || name == "ul");
                        toc = Some((name, 1));
                    }
                    continue;
                };
                if name == *toc_name {
                    *depth += 1;
                }
                match name.as_str() {
                    "ol" | "ul" => lists += 1,
                    "a" => {
                        link = attr(&attrs, "href")
                            .and_then(|h| h.strip_prefix('#'))
                            .filter(|t| !t.is_empty())
                            .map(|target| Entry {
                                level: lists.max(1),
                                title: String::new(),
                                target: percent_decoded(target),
                            });
                    }
                    "span" if meta > 0 => meta += 1,
                    "span" if link.is_some() && has_class(&attrs, "toc__meta") => meta = 1,
                    _ => {}
                }
            }
            Token::End { name } => {
                let Some((toc_name, depth)) = toc.as_mut() else {
                    continue;
                };
                match name.as_str() {
                    "ol" | "ul" => lists = lists.saturating_sub(1),
                    "span" if meta > 0 => meta -= 1,
                    "a" => {
                        if let Some(mut e) = link.take() {
                            e.title = e.title.split_whitespace().collect::<Vec<_>>().join(" ");
                            if !e.title.is_empty() {
                                entries.push(e);
                            }
                        }
                        meta = 0;
                    }
                    _ => {}
                }
                if name == *toc_name {
                    *depth -= 1;
                    if *depth == 0 {
                        break;
                    }
                }
            }
            Token::Text(text) => {
                if let (Some(e), 0) = (link.as_mut(), meta) {
                    e.title.push_str(&text);
                }
            }
        }
    }
    entries
}

/// `pdf` with an outline of `entries` in place of any it had: only entries whose target is a
/// named destination of the file are kept. `None` when the file is not laid out as Chromium
/// lays one out, or no entry is left.
pub fn with_outline(pdf: &[u8], entries: &[Entry]) -> Option<Vec<u8>> {
    let landed = crate::pdf_pages::destination_pages(pdf)?;
    let entries: Vec<&Entry> = entries
        .iter()
        .filter(|e| landed.contains_key(&e.target))
        .collect();
    if entries.is_empty() {
        return None;
    }
    let doc = Doc::open(pdf)?;
    let trailer = doc.trailer().clone();
    let Some(Value::Ref(catalog_number)) = trailer.get("Root").cloned() else {
        return None;
    };
    let Some(Value::Dict(mut catalog)) = doc.object(catalog_number) else {
        return None;
    };
    let Some(Value::Number(size)) = trailer.get("Size").cloned() else {
        return None;
    };
    let first = size as u32;

    // The tree: each entry's parent is the last entry before it with a lower level.
    let mut parent: Vec<Option<usize>> = Vec::with_capacity(entries.len());
    let mut open: Vec<usize> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        while open.last().is_some_and(|&j| entries[j].level >= e.level) {
            open.pop();
        }
        parent.push(open.last().copied());
        open.push(i);
    }
    let children = |p: Option<usize>| -> Vec<usize> {
        (0..entries.len()).filter(|&i| parent[i] == p).collect()
    };
    let descendants = |i: usize| -> usize {
        let mut n = 0;
        let mut stack = children(Some(i));
        while let Some(c) = stack.pop() {
            n += 1;
            stack.extend(children(Some(c)));
        }
        n
    };
    // Object numbers: the outline's root, then one per entry.
    let root = first;
    let number = |i: usize| first + 1 + i as u32;

    let mut objects: Vec<(u32, String)> = Vec::new();
    let top = children(None);
    objects.push((
        root,
        format!(
            "<</Type /Outlines\n/First {} 0 R\n/Last {} 0 R\n/Count {}>>",
            number(top[0]),
            number(*top.last().expect("one entry at least")),
            entries.len()
        ),
    ));
    for (i, e) in entries.iter().enumerate() {
        let siblings = children(parent[i]);
        let at = siblings
            .iter()
            .position(|&s| s == i)
            .expect("among its siblings");
        let mut dict = format!(
            "<</Title {}\n/Parent {} 0 R\n/Dest {}",
            text_string(&e.title),
            parent[i].map_or(root, number),
            name(&e.target)
        );
        if at > 0 {
            let _ = write!(dict, "\n/Prev {} 0 R", number(siblings[at - 1]));
        }
        if let Some(&next) = siblings.get(at + 1) {
            let _ = write!(dict, "\n/Next {} 0 R", number(next));
        }
        let kids = children(Some(i));
        if let (Some(&f), Some(&l)) = (kids.first(), kids.last()) {
            let _ = write!(
                dict,
                "\n/First {} 0 R\n/Last {} 0 R\n/Count {}",
                number(f),
                number(l),
                descendants(i)
            );
        }
        dict.push_str(">>");
        objects.push((number(i), dict));
    }
    match catalog.iter_mut().find(|(k, _)| k == "Outlines") {
        Some((_, v)) => *v = Value::Ref(root),
        None => catalog.push(("Outlines".into(), Value::Ref(root))),
    }
    objects.push((catalog_number, serialise(&Value::Dict(catalog))));

    // The update: the objects, then a cross-reference section for them and a trailer that
    // leads back to the file's own.
    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets: BTreeMap<u32, usize> = BTreeMap::new();
    for (n, body) in &objects {
        offsets.insert(*n, out.len());
        out.extend_from_slice(format!("{n} 0 obj\n{body}\nendobj\n").as_bytes());
    }
    let table = out.len();
    let mut xref = String::from("xref\n");
    let numbers: Vec<u32> = offsets.keys().copied().collect();
    for run in numbers.chunk_by(|a, b| b == &(a + 1)) {
        let _ = writeln!(xref, "{} {}", run[0], run.len());
        for n in run {
            let _ = writeln!(xref, "{:010} 00000 n ", offsets[n]);
        }
    }
    let Value::Dict(mut trailer) = trailer else {
        return None;
    };
    trailer.retain(|(k, _)| k != "Prev" && k != "Size");
    trailer.push((
        "Size".into(),
        Value::Number(f64::from(number(entries.len() - 1) + 1)),
    ));
    trailer.push(("Prev".into(), Value::Number(doc.table as f64)));
    let _ = write!(
        xref,
        "trailer\n{}\nstartxref\n{table}\n%%EOF\n",
        serialise(&Value::Dict(trailer))
    );
    out.extend_from_slice(xref.as_bytes());
    Some(out)
}

/// A value written back as PDF.
fn serialise(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
        Value::Number(n) => format!("{n}"),
        Value::String(bytes) => {
            let mut s = String::from("<");
            for b in bytes {
                let _ = write!(s, "{b:02X}");
            }
            s.push('>');
            s
        }
        Value::Name(n) => name(n),
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(serialise).collect();
            format!("[{}]", inner.join(" "))
        }
        Value::Dict(entries) => {
            let inner: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{} {}", name(k), serialise(v)))
                .collect();
            format!("<<{}>>", inner.join("\n"))
        }
        Value::Ref(n) => format!("{n} 0 R"),
    }
}

/// `/text` as a PDF name: bytes that are not plain printable characters as `#xx`.
fn name(text: &str) -> String {
    let mut out = String::from("/");
    for &b in text.as_bytes() {
        if b.is_ascii_graphic() && !b"()<>[]{}/%#".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "#{b:02X}");
        }
    }
    out
}

/// A text string of any characters: UTF-16 with a byte order mark, in hex.
fn text_string(text: &str) -> String {
    let mut out = String::from("<FEFF");
    for unit in text.encode_utf16() {
        let _ = write!(out, "{unit:04X}");
    }
    out.push('>');
    out
}

/// What an HTML page is read as here: tags with their attributes, and text (character
/// references decoded). Comments, the doctype and the insides of `<style>` and `<script>` are
/// skipped.
#[derive(Debug, PartialEq)]
enum Token {
    Start {
        name: String,
        attrs: Vec<(String, String)>,
    },
    End {
        name: String,
    },
    Text(String),
}

struct Tokens<'a> {
    html: &'a str,
    at: usize,
}

impl<'a> Tokens<'a> {
    fn new(html: &'a str) -> Tokens<'a> {
        Tokens { html, at: 0 }
    }
}

impl Iterator for Tokens<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        loop {
            let rest = self.html.get(self.at..)?;
            if rest.is_empty() {
                return None;
            }
            if !rest.starts_with('<') {
                let end = rest.find('<').unwrap_or(rest.len());
                self.at += end;
                return Some(Token::Text(decoded(&rest[..end])));
            }
            if let Some(comment) = rest.strip_prefix("<!--") {
                self.at += 4 + comment.find("-->").map_or(comment.len(), |i| i + 3);
                continue;
            }
            let Some(close) = tag_end(rest) else {
                self.at = self.html.len();
                return None;
            };
            let inside = &rest[1..close];
            self.at += close + 1;
            if let Some(name) = inside.strip_prefix('/') {
                return Some(Token::End {
                    name: name.trim().to_ascii_lowercase(),
                });
            }
            if inside.starts_with(['!', '?']) {
                continue;
            }
            let (name, attrs) = tag(inside);
            if name == "style" || name == "script" {
                // Raw text: up to its end tag.
                let end = format!("</{name}");
                let body = &self.html[self.at..];
                let lower = body.to_ascii_lowercase();
                self.at += lower.find(&end).unwrap_or(body.len());
            }
            if name.is_empty() {
                continue;
            }
            return Some(Token::Start { name, attrs });
        }
    }
}

/// Where the tag opening `s` ends (its `>`), outside quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, &b) in s.as_bytes().iter().enumerate().skip(1) {
        match (quote, b) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// A start tag's name and attributes (names lowercased, values decoded), from its inside.
fn tag(inside: &str) -> (String, Vec<(String, String)>) {
    let inside = inside.trim_end_matches('/');
    let name_end = inside
        .find(|c: char| c.is_ascii_whitespace() || c == '/')
        .unwrap_or(inside.len());
    let name = inside[..name_end].to_ascii_lowercase();
    let mut attrs = Vec::new();
    let mut rest = &inside[name_end..];
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if rest.is_empty() {
            break;
        }
        let key_end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=')
            .unwrap_or(rest.len());
        let key = rest[..key_end].to_ascii_lowercase();
        rest = rest[key_end..].trim_start();
        let value = match rest.strip_prefix('=') {
            Some(after) => {
                let after = after.trim_start();
                match after.chars().next() {
                    Some(q @ ('"' | '\'')) => {
                        let end = after[1..].find(q).map_or(after.len(), |i| i + 1);
                        let v = &after[1..end];
                        rest = after.get(end + 1..).unwrap_or("");
                        v
                    }
                    _ => {
                        let end = after
                            .find(|c: char| c.is_ascii_whitespace())
                            .unwrap_or(after.len());
                        rest = &after[end..];
                        &after[..end]
                    }
                }
            }
            None => "",
        };
        attrs.push((key, decoded(value)));
    }
    (name, attrs)
}

fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn has_class(attrs: &[(String, String)], class: &str) -> bool {
    attr(attrs, "class").is_some_and(|c| c.split_ascii_whitespace().any(|c| c == class))
}

/// HTML text with its character references decoded (the named ones a template writes, and
/// every numeric one).
fn decoded(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 12);
        let decoded = end.and_then(|e| {
            let body = &rest[1..e];
            let c = match body {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => '\u{a0}',
                _ => {
                    let number = body.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(level: usize, title: &str, target: &str) -> Entry {
        Entry {
            level,
            title: title.into(),
            target: target.into(),
        }
    }

    #[test]
    fn the_contents_are_read_as_written_and_as_minified() {
        let page = r##"<html><head><style>a > b { content: "<nav class=toc>" }</style></head>
<body><p class="toc-like"><a href="#x">Not this</a></p>
<nav aria-label=Contents class=toc><h2>Contents</h2><ol class="toc__list toc__list--numbered">
<li><a href="#chapter-1"><span class=toc__title>How &amp; why</span></a>
  <ul class=toc__sub><li><a href=#one--a>First&nbsp;part</a></li><li><a href="#one--b">Second
  part</a></li></ul></li>
<li><a href=#history><span class=toc__title>History</span> <span class=toc__meta>5 <span>entries</span> in the log</span></a></li>
<li><a href="#caf%C3%A9">Caf&#xE9; &#8220;talk&#8221;</a></li>
</ol></nav><nav class="toc"><a href="#later">A second contents</a></nav></body></html>"##;
        assert_eq!(
            contents(page),
            [
                entry(1, "How & why", "chapter-1"),
                entry(2, "First part", "one--a"),
                entry(2, "Second part", "one--b"),
                entry(1, "History", "history"),
                entry(1, "Café “talk”", "café"),
            ]
        );
        assert_eq!(
            contents("<ol class=toc hidden><li><a href=#a>A</a></ol>").len(),
            1
        );
        assert!(contents("<p>No contents</p>").is_empty());
    }

    /// A file as Chromium writes one: catalog, pages, named destinations and its own outline.
    fn sample() -> Vec<u8> {
        let objects = [
            "<</Type /Catalog\n/Pages 2 0 R\n/Dests 5 0 R\n/Outlines 6 0 R\n/MarkInfo <</Marked true>>>>",
            "<</Type /Pages\n/Count 2\n/Kids [3 0 R 4 0 R]>>",
            "<</Type /Page\n/Parent 2 0 R>>",
            "<</Type /Page\n/Parent 2 0 R>>",
            "<</a [3 0 R /XYZ 6 700 0]\n/b [4 0 R /XYZ 6 700 0]\n/b--c [4 0 R /XYZ 6 300 0]>>",
            "<</Type /Outlines\n/Count 0>>",
        ];
        let mut pdf = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
        }
        let table = pdf.len();
        pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", 7).as_bytes());
        for o in &offsets {
            pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!("trailer\n<</Size 7\n/Root 1 0 R>>\nstartxref\n{table}\n%%EOF").as_bytes(),
        );
        pdf
    }

    #[test]
    fn the_outline_follows_the_contents() {
        let pdf = sample();
        let out = with_outline(
            &pdf,
            &[
                entry(1, "About", "a"),
                entry(1, "Chapter “two”", "b"),
                entry(2, "A part", "b--c"),
                entry(2, "Gone", "nowhere"),
            ],
        )
        .unwrap();
        assert!(out.starts_with(&pdf), "the file is updated, not rewritten");
        let text = String::from_utf8_lossy(&out[pdf.len()..]).into_owned();
        // The new catalog keeps what the old one had and points at the new outline (7).
        assert!(text.contains("1 0 obj\n<</Type /Catalog\n/Pages 2 0 R\n/Dests 5 0 R\n/Outlines 7 0 R\n/MarkInfo <</Marked true>>>>"), "{text}");
        assert!(
            text.contains("7 0 obj\n<</Type /Outlines\n/First 8 0 R\n/Last 9 0 R\n/Count 3>>"),
            "{text}"
        );
        assert!(
            text.contains(
                "/Title <FEFF00410062006F00750074>\n/Parent 7 0 R\n/Dest /a\n/Next 9 0 R>>"
            ),
            "{text}"
        );
        assert!(
            text.contains("/Dest /b\n/Prev 8 0 R\n/First 10 0 R\n/Last 10 0 R\n/Count 1>>"),
            "{text}"
        );
        assert!(
            text.contains(
                "10 0 obj\n<</Title <FEFF004100200070006100720074>\n/Parent 9 0 R\n/Dest /b--c>>"
            ),
            "{text}"
        );
        assert!(
            !text.contains("nowhere"),
            "an entry whose target is not in the file is left out"
        );
        // The update's table points at each object, and its trailer back at the first table.
        let table: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let section = String::from_utf8_lossy(&out[table..]).into_owned();
        assert!(section.starts_with("xref\n1 1\n"), "{section}");
        for line in section.lines().filter(|l| l.ends_with(" n ")) {
            let at: usize = line[..10].parse().unwrap();
            assert!(
                String::from_utf8_lossy(&out[at..at + 12]).contains(" 0 obj"),
                "{line}"
            );
        }
        assert!(
            section.contains("/Size 11")
                && section.contains(&format!(
                    "/Prev {}",
                    pdf.windows(6).position(|w| w == b"\nxref\n").unwrap() + 1
                )),
            "{section}"
        );
        // It is readable again, and updating it again works from its new table.
        assert_eq!(crate::pdf_pages::destination_pages(&out).unwrap().len(), 3);
        assert!(with_outline(&out, &[entry(1, "About", "a")]).is_some());
    }

    #[test]
    fn nothing_to_point_at_changes_nothing() {
        assert_eq!(
            with_outline(&sample(), &[entry(1, "Gone", "nowhere")]),
            None
        );
        assert_eq!(with_outline(b"not a pdf", &[entry(1, "A", "a")]), None);
    }

    #[test]
    fn names_and_titles_are_escaped() {
        assert_eq!(name("chapter-01 (x)#é"), "/chapter-01#20#28x#29#23#C3#A9");
        assert_eq!(text_string("A “b”"), "<FEFF00410020201C0062201D>");
    }
}
