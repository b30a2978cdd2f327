//! Splits a markdown file into its YAML front matter and its body.

use std::path::Path;

use crate::diagnostics::Diagnostic;

#[derive(Debug)]
pub struct Split<'a> {
    /// The YAML between the fences (empty when the file has none).
    pub yaml: &'a str,
    /// Line of the file where the YAML starts (1-based).
    pub yaml_line: usize,
    pub body: &'a str,
    /// Line of the file where the body starts (1-based).
    pub body_line: usize,
}

/// `required`: a file without front matter is an error (journey scripts); otherwise the whole
/// file is the body (playbook chapters may skip it).
pub fn split<'a>(text: &'a str, file: &Path, required: bool) -> Result<Split<'a>, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("");
    if first.trim_end() != "---" {
        if required {
            return Err(Diagnostic::error(file, "this file has no front matter")
                .at_line(1, 1)
                .help("start the file with a `---` line, the YAML fields (title, day, stage, channel, owner, visibility), then another `---` line"));
        }
        return Ok(Split {
            yaml: "",
            yaml_line: 1,
            body: text,
            body_line: 1,
        });
    }
    let yaml_start = first.len()
        + if text[first.len()..].starts_with("\r\n") {
            2
        } else {
            1
        };
    let mut offset = yaml_start.min(text.len());
    for (line_no, line) in (2..).zip(text[offset..].split_inclusive('\n')) {
        if line.trim_end() == "---" {
            let body_start = offset + line.len();
            return Ok(Split {
                yaml: &text[yaml_start.min(text.len())..offset],
                yaml_line: 2,
                body: &text[body_start..],
                body_line: line_no + 1,
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::error(file, "the front matter is never closed")
        .at_line(1, 1)
        .help("add a line with just `---` after the last front matter field"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_counts_lines() {
        let s = split(
            "---\ntitle: A\nday: 1\n---\nHello\n",
            Path::new("a.md"),
            true,
        )
        .unwrap();
        assert_eq!(s.yaml, "title: A\nday: 1\n");
        assert_eq!(s.body, "Hello\n");
        assert_eq!(s.body_line, 5);
    }

    #[test]
    fn crlf_and_missing_fences() {
        let s = split("---\r\ntitle: A\r\n---\r\nHi", Path::new("a.md"), true).unwrap();
        assert_eq!(s.yaml, "title: A\r\n");
        assert_eq!(s.body, "Hi");
        assert!(split("---\ntitle: A\n", Path::new("a.md"), true)
            .unwrap_err()
            .message
            .contains("never closed"));
        assert!(split("# Hi", Path::new("a.md"), true).is_err());
        assert_eq!(
            split("# Hi", Path::new("a.md"), false).unwrap().body,
            "# Hi"
        );
    }
}
