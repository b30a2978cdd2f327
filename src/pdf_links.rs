//! Takes the build machine's paths out of a printed PDF. Chromium prints a page from a
//! `file://` URL and turns each relative link into an absolute one, so a runbook's link to a
//! team member became `file:///home/me/firm/public/internal/team/rhys/`: it tells whoever gets
//! the PDF where it was made, and leads nowhere for them. Each such link is pointed at the
//! page's address on the published site instead (from the base URLs), or, when it is not a
//! page of the output, made empty.
//!
//! Chromium writes each link's target as a literal string in an uncompressed annotation
//! (`/URI (file:///…)`) and a classic cross-reference table of byte offsets. Replacing a
//! string changes the length of the file, so the table's offsets are moved to match. A file
//! laid out any other way has each local link overwritten in place with a same-length
//! harmless target instead.

/// Where a link into the output folder goes on the web: the output's `file://` URL followed
/// by `folder` (e.g. `internal/`) maps to `url` (e.g. `https://team.example/`).
pub struct PublishedAt<'a> {
    pub folder: &'a str,
    pub url: &'a str,
}

/// `pdf` with every `file://` link replaced. `output_url` is the `file://` URL of the output
/// folder, ending in `/`.
pub fn replace_local_links(pdf: &[u8], output_url: &str, sites: &[PublishedAt]) -> Vec<u8> {
    let found = local_links(pdf);
    if found.is_empty() {
        return pdf.to_vec();
    }
    let replaced: Vec<(std::ops::Range<usize>, Vec<u8>)> = found
        .into_iter()
        .map(|(range, target)| {
            let web = published(&target, output_url, sites).unwrap_or_default();
            (range, literal(&web))
        })
        .collect();
    match with_moved_offsets(pdf, &replaced) {
        Some(out) => out,
        None => overwritten_in_place(pdf, &replaced),
    }
}

/// The page's web address for a `file://` link into the output, if it is one.
/// Both sides are compared percent-decoded: Chromium and [`crate::pdf::file_url`] escape
/// different characters (`(`, spaces…) of the same path.
fn published(target: &str, output_url: &str, sites: &[PublishedAt]) -> Option<String> {
    let target = percent_decoded(target);
    let route = target.strip_prefix(&percent_decoded(output_url))?;
    sites.iter().find_map(|s| {
        let rest = route.strip_prefix(s.folder)?;
        Some(format!("{}{}", s.url, rest))
    })
}

/// `s` with each `%XX` replaced by its byte (read as UTF-8, losslessly where it is).
pub(crate) fn percent_decoded(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = s
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (other, _) => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every literal string that follows `/URI` and holds a `file:` URL: its byte range
/// (parentheses included) and its text.
fn local_links(pdf: &[u8]) -> Vec<(std::ops::Range<usize>, String)> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = find(&pdf[at..], b"/URI") {
        let mut start = at + i + 4;
        while start < pdf.len() && pdf[start].is_ascii_whitespace() {
            start += 1;
        }
        at = start;
        if pdf.get(start) != Some(&b'(') {
            continue;
        }
        let Some((end, text)) = read_literal(pdf, start) else {
            continue;
        };
        if text.len() >= 5 && text[..5].eq_ignore_ascii_case(b"file:") {
            out.push((start..end, String::from_utf8_lossy(&text).into_owned()));
        }
        at = end;
    }
    out
}

/// Reads the literal string opening at `start` (`(`): where it ends (after its `)`) and its
/// bytes with escapes undone. Balanced parentheses may appear unescaped inside.
pub(crate) fn read_literal(pdf: &[u8], start: usize) -> Option<(usize, Vec<u8>)> {
    let mut depth = 0usize;
    let mut text = Vec::new();
    let mut i = start;
    while i < pdf.len() {
        let b = pdf[i];
        match b {
            b'\\' => {
                let next = *pdf.get(i + 1)?;
                match next {
                    b'n' => text.push(b'\n'),
                    b'r' => text.push(b'\r'),
                    b't' => text.push(b'\t'),
                    b'0'..=b'7' => {
                        let digits = pdf[i + 1..]
                            .iter()
                            .take(3)
                            .take_while(|d| (b'0'..=b'7').contains(d))
                            .count();
                        let value = pdf[i + 1..i + 1 + digits]
                            .iter()
                            .fold(0u32, |v, d| v * 8 + u32::from(d - b'0'));
                        text.push(value as u8);
                        i += 1 + digits;
                        continue;
                    }
                    other => text.push(other),
                }
                i += 2;
                continue;
            }
            b'(' => {
                if depth > 0 {
                    text.push(b);
                }
                depth += 1;
            }
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some((i + 1, text));
                }
                text.push(b);
            }
            _ => text.push(b),
        }
        i += 1;
    }
    None
}

/// `text` as a PDF literal string, parentheses and backslashes escaped.
fn literal(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 2);
    out.push(b'(');
    for &b in text.as_bytes() {
        if matches!(b, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b')');
    out
}

/// The file with the replacements made and its cross-reference table moved to match, when it
/// has the one classic table Chromium writes; `None` for any other layout.
fn with_moved_offsets(
    pdf: &[u8],
    replaced: &[(std::ops::Range<usize>, Vec<u8>)],
) -> Option<Vec<u8>> {
    let startxref = rfind(pdf, b"startxref")?;
    let table_at: usize = number_after(pdf, startxref + b"startxref".len())?;
    if !pdf.get(table_at..)?.starts_with(b"xref") || table_at < replaced.last()?.0.end {
        return None;
    }
    // "xref\n0 N\n", then N entries of 20 bytes: "oooooooooo ggggg n \n".
    let mut i = table_at + 4;
    while pdf.get(i)?.is_ascii_whitespace() {
        i += 1;
    }
    let (first, after_first) = number_at(pdf, i)?;
    let (count, mut entries) = number_at(pdf, after_first + 1)?;
    if first != 0 {
        return None;
    }
    while pdf.get(entries)?.is_ascii_whitespace() {
        entries += 1;
    }
    let table_end = entries + count * 20;
    if !pdf
        .get(table_end..)?
        .trim_ascii_start()
        .starts_with(b"trailer")
    {
        return None;
    }
    let moved = |offset: usize| -> usize {
        let mut shift: isize = 0;
        for (range, new) in replaced {
            if range.start < offset {
                shift += new.len() as isize - range.len() as isize;
            }
        }
        (offset as isize + shift) as usize
    };

    let mut out = Vec::with_capacity(pdf.len() + 1024);
    let mut copied = 0;
    for (range, new) in replaced {
        out.extend_from_slice(&pdf[copied..range.start]);
        out.extend_from_slice(new);
        copied = range.end;
    }
    out.extend_from_slice(&pdf[copied..entries]);
    for n in 0..count {
        let entry = &pdf[entries + n * 20..entries + n * 20 + 20];
        if entry[17] == b'n' {
            let offset: usize = std::str::from_utf8(&entry[..10]).ok()?.parse().ok()?;
            out.extend_from_slice(format!("{:010}", moved(offset)).as_bytes());
            out.extend_from_slice(&entry[10..]);
        } else {
            out.extend_from_slice(entry);
        }
    }
    out.extend_from_slice(&pdf[table_end..startxref]);
    out.extend_from_slice(format!("startxref\n{}\n%%EOF\n", moved(table_at)).as_bytes());
    Some(out)
}

/// Each local link overwritten by an empty target padded with spaces to the same length, so
/// no offset moves.
fn overwritten_in_place(pdf: &[u8], replaced: &[(std::ops::Range<usize>, Vec<u8>)]) -> Vec<u8> {
    let mut out = pdf.to_vec();
    for (range, _) in replaced {
        out[range.start] = b'(';
        out[range.start + 1] = b')';
        for b in &mut out[range.start + 2..range.end] {
            *b = b' ';
        }
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The decimal number at `at` and where it ends.
fn number_at(pdf: &[u8], at: usize) -> Option<(usize, usize)> {
    let digits = pdf
        .get(at..)?
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let value = std::str::from_utf8(&pdf[at..at + digits])
        .ok()?
        .parse()
        .ok()?;
    Some((value, at + digits))
}

/// The number after whitespace at `at`.
fn number_after(pdf: &[u8], mut at: usize) -> Option<usize> {
    while pdf.get(at)?.is_ascii_whitespace() {
        at += 1;
    }
    number_at(pdf, at).map(|(n, _)| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal PDF laid out as Chromium lays one out: objects, a classic table, a trailer.
    fn sample(links: &[&str]) -> Vec<u8> {
        let mut pdf = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, link) in links.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(
                format!(
                    "{} 0 obj\n<</Type /Annot /A <</S /URI /URI {link}>>>>\nendobj\n",
                    i + 1
                )
                .as_bytes(),
            );
        }
        let table = pdf.len();
        pdf.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", links.len() + 1).as_bytes(),
        );
        for o in &offsets {
            pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!(
                "trailer\n<</Size {}>>\nstartxref\n{table}\n%%EOF\n",
                links.len() + 1
            )
            .as_bytes(),
        );
        pdf
    }

    /// Checks that every table entry points at its object.
    fn table_is_right(pdf: &[u8]) {
        let text = String::from_utf8_lossy(pdf);
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(text[start..].starts_with("xref"), "startxref is right");
        for (n, line) in text[start..].lines().skip(3).enumerate() {
            if !line.ends_with(" n ") {
                break;
            }
            let offset: usize = line[..10].parse().unwrap();
            assert!(
                text[offset..].starts_with(&format!("{} 0 obj", n + 1)),
                "object {} at {offset}",
                n + 1
            );
        }
    }

    const SITES: &[PublishedAt] = &[
        PublishedAt {
            folder: "internal/",
            url: "https://team.example.com/handbook/",
        },
        PublishedAt {
            folder: "portal/",
            url: "https://c.example/",
        },
    ];

    #[test]
    fn links_into_the_output_go_to_the_published_site() {
        let pdf = sample(&[
            "(mailto:a@b.example)",
            "(file:///home/me/my\\(firm\\)/public/internal/team/rhys/)",
            "(https://ok.example/)",
            "(file:///home/me/my\\(firm\\)/public/portal/acme/journey/)",
            "(file:///etc/passwd)",
        ]);
        let out = replace_local_links(&pdf, "file:///home/me/my%28firm%29/public/", SITES);
        let text = String::from_utf8_lossy(&out);
        assert!(
            !text.contains("file:") && !text.contains("/home/me"),
            "{text}"
        );
        assert!(text.contains("/URI (https://team.example.com/handbook/team/rhys/)"));
        assert!(text.contains("/URI (https://c.example/acme/journey/)"));
        assert!(
            text.contains("/URI (mailto:a@b.example)") && text.contains("(https://ok.example/)")
        );
        assert!(
            text.contains("/URI ()"),
            "a link outside the output leads nowhere"
        );
        table_is_right(&out);
    }

    #[test]
    fn a_file_laid_out_otherwise_is_overwritten_in_place() {
        let mut pdf = sample(&["(file:///srv/out/internal/x/)"]);
        let cut = String::from_utf8_lossy(&pdf).rfind("xref").unwrap();
        pdf.truncate(cut);
        pdf.extend_from_slice(b"startxref\n99999\n%%EOF\n");
        let out = replace_local_links(&pdf, "file:///srv/out/", SITES);
        assert_eq!(out.len(), pdf.len());
        assert!(!String::from_utf8_lossy(&out).contains("file:"));
    }

    #[test]
    fn a_file_without_local_links_is_unchanged() {
        let pdf = sample(&["(https://a.example/)"]);
        assert_eq!(replace_local_links(&pdf, "file:///x/", SITES), pdf);
    }
}
