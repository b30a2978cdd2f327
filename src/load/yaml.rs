//! YAML parsing with the settings the content model needs: `NO` and `off` stay strings (strict
//! booleans), phone numbers and ids like `007` keep their leading zeros, duplicate keys are
//! errors, and every error carries the line and column it was found at.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diagnostics::{Diagnostic, Position};

/// Parses `text`, which starts at line `first_line` of `file` (1 for a whole YAML file; 2 for
/// front matter after its opening `---`). `known_fields` are the file's top-level fields, for
/// a hint when the parser does not list them itself.
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
        let local = e.location().filter(|l| l.line() > 0);
        let local_line = local.map(|l| l.line() as usize);
        let local_column = local.map(|l| l.column() as usize);
        let plain = super::yaml_errors::describe(
            &e,
            text,
            (local_line, local_column),
            first_line,
            known_fields,
        );
        let position = plain
            .at
            .or(local_line.map(|l| (l, local_column.unwrap_or(1))))
            .map(|(l, c)| Position::new(l + first_line - 1, c));
        let mut d = Diagnostic::error(file, plain.message)
            .at(position)
            .help(plain.help);
        // A field missing from the whole file is best shown at its top.
        if d.position.is_none() {
            d.position = Some(Position::new(first_line, 1));
        }
        d
    })
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
