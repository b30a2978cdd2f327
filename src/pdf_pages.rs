//! Where things landed in a printed PDF: the page each named destination is on. Chromium
//! names a destination after each target of a link inside the page (`href="#about"` gives
//! the destination `about`), so after one printing this tells on which page every section a
//! table of contents or a cross-reference points at begins; [`crate::pdf`] prints the page
//! again with those numbers filled in.
//!
//! This is not a general PDF reader. It reads what Chromium (Skia) writes: a classic
//! cross-reference table, plain (uncompressed) dictionaries for the catalog, the page tree and
//! the destinations, and destinations kept in the catalog's `/Dests` dictionary or its
//! `/Names` tree. Anything else gives `None`, and the document keeps its first printing.

use std::collections::{BTreeMap, HashMap, HashSet};

/// For each named destination, the number (from 1) of the page it is on; `None` when the
/// file is not laid out as this module expects.
pub fn destination_pages(pdf: &[u8]) -> Option<BTreeMap<String, u32>> {
    let doc = Doc::open(pdf)?;
    let catalog = doc.resolve(doc.trailer().get("Root")?)?;
    let pages = doc.page_numbers(catalog.get("Pages")?)?;
    let mut out = BTreeMap::new();
    let mut named = |name: String, dest: &Value| {
        // A destination is `[page /XYZ …]`, or a dictionary holding one under `/D`.
        let dest = match doc.resolve(dest) {
            Some(Value::Dict(d)) => d.iter().find(|(k, _)| k == "D").map(|(_, v)| v.clone()),
            other => other,
        };
        if let Some(Value::Array(items)) = dest.and_then(|d| doc.resolve(&d)) {
            if let Some(Value::Ref(page)) = items.first() {
                if let Some(n) = pages.get(page) {
                    out.insert(name, *n);
                }
            }
        }
    };
    if let Some(Value::Dict(dests)) = catalog.get("Dests").and_then(|d| doc.resolve(d)) {
        for (name, dest) in &dests {
            named(name.clone(), dest);
        }
    }
    if let Some(tree) = catalog
        .get("Names")
        .and_then(|n| doc.resolve(n))
        .and_then(|n| n.get("Dests").cloned())
    {
        let mut seen = HashSet::new();
        doc.name_tree(&tree, &mut seen, 0, &mut |name, dest| named(name, dest));
    }
    Some(out)
}

/// A PDF object, as far as this module needs them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(Vec<u8>),
    Name(String),
    Array(Vec<Value>),
    Dict(Vec<(String, Value)>),
    Ref(u32),
}

impl Value {
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Dict(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// How deep a page tree or name tree may nest, and how deeply objects may nest, before the
/// file is taken as not Chromium's.
const DEEPEST: usize = 64;

/// A PDF file laid out as Chromium lays one out, opened for reading.
pub(crate) struct Doc<'a> {
    pdf: &'a [u8],
    /// Object number → byte offset of `N G obj`.
    offsets: HashMap<u32, usize>,
    trailer: Value,
    /// Where its (last) cross-reference table starts.
    pub(crate) table: usize,
}

impl<'a> Doc<'a> {
    pub(crate) fn open(pdf: &'a [u8]) -> Option<Doc<'a>> {
        let startxref = rfind(pdf, b"startxref")?;
        let mut p = Parser {
            pdf,
            at: startxref + b"startxref".len(),
        };
        let table = p.integer()?;
        let mut offsets = HashMap::new();
        let mut newest: Option<Value> = None;
        // The last table, then each one its trailer's `/Prev` leads to (an update appended to
        // the file, as [`crate::pdf_outline`] makes): the newest entry of an object wins.
        let mut next = Some(table);
        let mut read = 0;
        while let Some(at) = next {
            read += 1;
            if read > DEEPEST {
                return None;
            }
            let trailer = Self::table(pdf, at, &mut offsets)?;
            next = match trailer.get("Prev") {
                Some(Value::Number(n)) if *n >= 0.0 => Some(*n as usize),
                _ => None,
            };
            newest.get_or_insert(trailer);
        }
        Some(Doc {
            pdf,
            offsets,
            trailer: newest?,
            table,
        })
    }

    /// Reads the cross-reference table at `at` into `offsets` (keeping entries already there)
    /// and returns its trailer.
    fn table(pdf: &[u8], at: usize, offsets: &mut HashMap<u32, usize>) -> Option<Value> {
        let mut p = Parser { pdf, at };
        p.skip_space();
        if !pdf.get(p.at..)?.starts_with(b"xref") {
            return None;
        }
        p.at += 4;
        // Subsections: "first count", then count entries "oooooooooo ggggg n".
        loop {
            p.skip_space();
            if pdf.get(p.at..)?.starts_with(b"trailer") {
                p.at += b"trailer".len();
                break;
            }
            let first = u32::try_from(p.integer()?).ok()?;
            let count = p.integer()?;
            for i in 0..count {
                let offset = p.integer()?;
                let _generation = p.integer()?;
                p.skip_space();
                let kind = *pdf.get(p.at)?;
                p.at += 1;
                if kind == b'n' {
                    offsets
                        .entry(first.checked_add(u32::try_from(i).ok()?)?)
                        .or_insert(offset);
                }
            }
        }
        p.value(0)
    }

    pub(crate) fn trailer(&self) -> &Value {
        &self.trailer
    }

    /// The object numbered `n`.
    pub(crate) fn object(&self, n: u32) -> Option<Value> {
        let mut p = Parser {
            pdf: self.pdf,
            at: *self.offsets.get(&n)?,
        };
        if p.integer()? != n as usize {
            return None;
        }
        p.integer()?;
        p.skip_space();
        if !self.pdf.get(p.at..)?.starts_with(b"obj") {
            return None;
        }
        p.at += 3;
        p.value(0)
    }

    /// `v`, or the object it refers to (following a chain of references a few steps).
    fn resolve(&self, v: &Value) -> Option<Value> {
        let mut v = v.clone();
        for _ in 0..8 {
            match v {
                Value::Ref(n) => v = self.object(n)?,
                other => return Some(other),
            }
        }
        None
    }

    /// Each page's object number → its number from 1, in the page tree's order.
    fn page_numbers(&self, root: &Value) -> Option<HashMap<u32, u32>> {
        let mut order = Vec::new();
        let mut seen = HashSet::new();
        self.pages_under(root, &mut seen, 0, &mut order)?;
        Some(order.into_iter().zip(1u32..).collect::<HashMap<u32, u32>>())
    }

    fn pages_under(
        &self,
        node: &Value,
        seen: &mut HashSet<u32>,
        depth: usize,
        order: &mut Vec<u32>,
    ) -> Option<()> {
        let Value::Ref(n) = node else { return None };
        if depth > DEEPEST || !seen.insert(*n) {
            return None;
        }
        let object = self.object(*n)?;
        match object.get("Type") {
            Some(Value::Name(t)) if t == "Page" => order.push(*n),
            _ => {
                let Some(Value::Array(kids)) = object.get("Kids").and_then(|k| self.resolve(k))
                else {
                    return None;
                };
                for kid in &kids {
                    self.pages_under(kid, seen, depth + 1, order)?;
                }
            }
        }
        Some(())
    }

    /// Calls `found` with each name and value of a name tree.
    fn name_tree(
        &self,
        node: &Value,
        seen: &mut HashSet<u32>,
        depth: usize,
        found: &mut dyn FnMut(String, &Value),
    ) {
        if depth > DEEPEST {
            return;
        }
        if let Value::Ref(n) = node {
            if !seen.insert(*n) {
                return;
            }
        }
        let Some(node) = self.resolve(node) else {
            return;
        };
        if let Some(Value::Array(pairs)) = node.get("Names").and_then(|n| self.resolve(n)) {
            for pair in pairs.chunks(2) {
                if let [Value::String(name), value] = pair {
                    found(String::from_utf8_lossy(name).into_owned(), value);
                }
            }
        }
        if let Some(Value::Array(kids)) = node.get("Kids").and_then(|k| self.resolve(k)) {
            for kid in &kids {
                self.name_tree(kid, seen, depth + 1, found);
            }
        }
    }
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Reads PDF objects from a position in the file.
struct Parser<'a> {
    pdf: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.pdf.get(self.at).copied()
    }

    /// Skips white space and comments.
    fn skip_space(&mut self) {
        while let Some(b) = self.peek() {
            if b == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.at += 1;
                }
            } else if b.is_ascii_whitespace() || b == 0 {
                self.at += 1;
            } else {
                break;
            }
        }
    }

    /// A non-negative integer.
    fn integer(&mut self) -> Option<usize> {
        self.skip_space();
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        std::str::from_utf8(&self.pdf[start..self.at])
            .ok()?
            .parse()
            .ok()
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        if depth > DEEPEST {
            return None;
        }
        self.skip_space();
        let rest = self.pdf.get(self.at..)?;
        match *rest.first()? {
            b'<' if rest.get(1) == Some(&b'<') => {
                self.at += 2;
                let mut entries = Vec::new();
                loop {
                    self.skip_space();
                    if self.pdf.get(self.at..)?.starts_with(b">>") {
                        self.at += 2;
                        return Some(Value::Dict(entries));
                    }
                    let Value::Name(key) = self.value(depth + 1)? else {
                        return None;
                    };
                    let value = self.value(depth + 1)?;
                    entries.push((key, value));
                }
            }
            b'<' => {
                self.at += 1;
                let mut digits = Vec::new();
                loop {
                    let b = self.peek()?;
                    self.at += 1;
                    match b {
                        b'>' => break,
                        b if b.is_ascii_hexdigit() => digits.push(b),
                        b if b.is_ascii_whitespace() => {}
                        _ => return None,
                    }
                }
                if digits.len() % 2 == 1 {
                    digits.push(b'0');
                }
                let bytes = digits
                    .chunks(2)
                    .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
                    .collect::<Option<Vec<u8>>>()?;
                Some(Value::String(text_string(bytes)))
            }
            b'(' => {
                let (end, bytes) = crate::pdf_links::read_literal(self.pdf, self.at)?;
                self.at = end;
                Some(Value::String(text_string(bytes)))
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_space();
                    if self.peek()? == b']' {
                        self.at += 1;
                        return Some(Value::Array(items));
                    }
                    items.push(self.value(depth + 1)?);
                }
            }
            b'/' => {
                self.at += 1;
                let start = self.at;
                while self.peek().is_some_and(|b| !is_delimiter(b)) {
                    self.at += 1;
                }
                Some(Value::Name(name(&self.pdf[start..self.at])))
            }
            b'0'..=b'9' | b'-' | b'+' | b'.' => {
                // A number, or the start of a reference `N G R`.
                let start = self.at;
                let number = self.number()?;
                let after = self.at;
                if let Some(reference) = self.reference_after(start) {
                    return Some(reference);
                }
                self.at = after;
                Some(Value::Number(number))
            }
            _ => {
                let start = self.at;
                while self.peek().is_some_and(|b| !is_delimiter(b)) {
                    self.at += 1;
                }
                match &self.pdf[start..self.at] {
                    b"true" => Some(Value::Bool(true)),
                    b"false" => Some(Value::Bool(false)),
                    b"null" => Some(Value::Null),
                    _ => None,
                }
            }
        }
    }

    fn number(&mut self) -> Option<f64> {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.'))
        {
            self.at += 1;
        }
        std::str::from_utf8(&self.pdf[start..self.at])
            .ok()?
            .parse()
            .ok()
    }

    /// `N G R` starting at `start`, as a reference, moving past it; else `None`, leaving the
    /// position anywhere.
    fn reference_after(&mut self, start: usize) -> Option<Value> {
        self.at = start;
        let n = self.integer()?;
        if !self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            return None;
        }
        self.integer()?;
        self.skip_space();
        if self.peek()? != b'R' || self.pdf.get(self.at + 1).is_some_and(|b| !is_delimiter(*b)) {
            return None;
        }
        self.at += 1;
        Some(Value::Ref(u32::try_from(n).ok()?))
    }
}

fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b) || b == 0
}

/// A name's text: `#xx` escapes undone, read as UTF-8.
fn name(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let hex = raw
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (raw[i], hex) {
            (b'#', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A text string's bytes as UTF-8: UTF-16 when it starts with a byte order mark.
fn text_string(bytes: Vec<u8>) -> Vec<u8> {
    match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(utf16) => {
            let units: Vec<u16> = utf16
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16_lossy(&units).into_bytes()
        }
        None => bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PDF laid out as Chromium lays one out, with `objects` numbered from 1 and a catalog.
    fn sample(objects: &[&str]) -> Vec<u8> {
        let mut pdf = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
        }
        let table = pdf.len();
        pdf.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for o in &offsets {
            pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!(
                "trailer\n<</Size {}\n/Root 1 0 R\n/Info 2 0 R>>\nstartxref\n{table}\n%%EOF",
                objects.len() + 1
            )
            .as_bytes(),
        );
        pdf
    }

    #[test]
    fn named_destinations_are_found_on_their_pages() {
        let pdf = sample(&[
            "<</Type /Catalog\n/Pages 3 0 R\n/Dests 7 0 R>>",
            "<</Producer (Skia/PDF \\(m156\\))>>",
            "<</Type /Pages\n/Count 3\n/Kids [4 0 R 8 0 R]>>",
            "<</Type /Page\n/Parent 3 0 R\n/MediaBox [0 0 595 842]>>",
            "<</Type /Page\n/Parent 8 0 R>>",
            "<</Type /Page\n/Parent 8 0 R>>",
            "<</about [4 0 R /XYZ 6 776.25 0]\n/chapter-03-moments#20of#20truth [6 0 R /XYZ 6 700 0]\n/caf#C3#A9 <</D [5 0 R /XYZ 0 0 0]>>\n/nowhere [99 0 R /Fit]>>",
            "<</Type /Pages\n/Count 2\n/Kids [5 0 R 6 0 R]>>",
        ]);
        let found = destination_pages(&pdf).unwrap();
        assert_eq!(found.get("about"), Some(&1));
        assert_eq!(found.get("café"), Some(&2));
        assert_eq!(found.get("chapter-03-moments of truth"), Some(&3));
        assert_eq!(found.get("nowhere"), None, "a destination on no page");
    }

    #[test]
    fn a_name_tree_is_read_too() {
        let pdf = sample(&[
            "<</Type /Catalog\n/Pages 2 0 R\n/Names <</Dests 4 0 R>>>>",
            "<</Type /Pages\n/Kids [3 0 R]>>",
            "<</Type /Page>>",
            "<</Kids [5 0 R]>>",
            "<</Names [(intro) [3 0 R /Fit] <FEFF00620065> [3 0 R /Fit]]>>",
        ]);
        let found = destination_pages(&pdf).unwrap();
        assert_eq!(found.get("intro"), Some(&1));
        assert_eq!(found.get("be"), Some(&1));
    }

    #[test]
    fn other_files_are_not_read() {
        assert_eq!(destination_pages(b"%PDF-1.7\nnothing here"), None);
        // A page tree that loops.
        let pdf = sample(&[
            "<</Type /Catalog\n/Pages 2 0 R>>",
            "<</Type /Pages\n/Kids [2 0 R]>>",
        ]);
        assert_eq!(destination_pages(&pdf), None);
        let truncated = sample(&["<</Type /Catalog\n/Pages 2 0 R>>", "<</Type /Pages /Kids ["]);
        assert_eq!(destination_pages(&truncated), None);
    }
}
