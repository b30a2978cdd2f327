//! Reading the CSV hundred writes (`schedule.csv`), strictly, as a spreadsheet would.

/// An RFC 4180 reader: quoted fields with doubled quotes, commas and line breaks inside.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                assert!(
                    field.is_empty(),
                    "a quote inside an unquoted field: {field:?}"
                );
                quoted = true;
            }
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF");
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            '\n' => panic!("a bare LF ends a record"),
            c => field.push(c),
        }
    }
    assert!(!quoted, "unterminated quoted field");
    assert!(
        field.is_empty() && row.is_empty(),
        "the last record must end with CRLF"
    );
    rows
}

/// `schedule.csv`'s rows, its header first, without the byte-order mark Excel needs.
pub fn schedule_rows(text: &str) -> Vec<Vec<String>> {
    parse_csv(
        text.strip_prefix('\u{feff}')
            .expect("starts with a BOM for Excel"),
    )
}
