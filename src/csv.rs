//! CSV for spreadsheets (RFC 4180): comma-separated cells, CRLF line ends, and a cell quoted
//! when it holds a comma, a double quote or a line break, with its double quotes doubled.
//!
//! Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula, so text from
//! profile files could compute or fetch things when the file is opened ("CSV injection"). Such a
//! cell gets a leading `'`, which spreadsheets read as "this is text" (OWASP's advice); so do
//! cells starting with a tab or carriage return, which some spreadsheets skip before looking.

/// The byte order mark a CSV file starts with: without it, Excel reads UTF-8 as a legacy
/// code page and garbles names like "Zoë"; other spreadsheets and CSV readers skip it.
pub const BOM: &str = "\u{feff}";

/// One cell, guarded and quoted as needed.
pub fn cell(value: &str) -> String {
    // The loaders reject control and invisible characters in every field; should one reach
    // here anyway, it is dropped (line breaks stay: a quoted cell may hold them).
    let cleaned: String;
    let value = if crate::load::text::has_unwanted(value)
        && value
            .chars()
            .any(|c| !matches!(c, '\n' | '\r' | '\t') && crate::load::text::is_unwanted(c))
    {
        cleaned = value
            .chars()
            .filter(|&c| matches!(c, '\n' | '\r' | '\t') || !crate::load::text::is_unwanted(c))
            .collect();
        cleaned.as_str()
    } else {
        value
    };
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if guarded.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// One record: the cells joined with commas, ending with CRLF.
pub fn row<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = cells
        .iter()
        .map(|c| cell(c.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_quoting() {
        assert_eq!(cell("Welcome call"), "Welcome call");
        assert_eq!(cell("Acme, Inc"), "\"Acme, Inc\"");
        assert_eq!(cell("the \"big\" one"), "\"the \"\"big\"\" one\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell(""), "");
        assert_eq!(row(&["a", "b,c", ""]), "a,\"b,c\",\r\n");
    }

    #[test]
    fn control_and_invisible_characters_are_dropped() {
        assert_eq!(cell("Zo\u{0}ë\u{202e}\u{200b}"), "Zoë");
        assert_eq!(cell("a\u{1b}[2Jb"), "a[2Jb");
        assert_eq!(cell("two\r\nlines"), "\"two\r\nlines\"");
    }

    #[test]
    fn formulas_become_text() {
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("+44 20 7946 0000"), "'+44 20 7946 0000");
        assert_eq!(cell("-2"), "'-2");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(
            cell("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
        assert_eq!(cell("2026-11-17"), "2026-11-17");
        assert_eq!(cell("a=b"), "a=b");
    }
}
