//! iCalendar (RFC 5545): the rules calendar apps are strict about.

/// Checks the parts of RFC 5545 that calendar apps are strict about; returns the unfolded
/// content lines.
pub fn check_icalendar(text: &str) -> Vec<String> {
    assert!(text.ends_with("\r\n"), "must end with CRLF");
    for raw in text.split("\r\n").filter(|l| !l.is_empty()) {
        assert!(
            !raw.contains('\n') && !raw.contains('\r'),
            "bare line break in {raw:?}"
        );
        assert!(raw.len() <= 75, "line longer than 75 octets: {raw:?}");
    }
    // Unfold: a CRLF followed by a space or tab continues the previous line.
    let unfolded = text.replace("\r\n ", "").replace("\r\n\t", "");
    let lines: Vec<String> = unfolded
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    assert_eq!(lines.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
    assert_eq!(lines.last().map(String::as_str), Some("END:VCALENDAR"));
    assert!(
        lines.iter().any(|l| l == "VERSION:2.0"),
        "VERSION:2.0 missing"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("PRODID:")),
        "PRODID missing"
    );
    let mut stack: Vec<&str> = Vec::new();
    let mut event: Vec<&str> = Vec::new();
    let mut uids = std::collections::BTreeSet::new();
    for line in &lines {
        let (name, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("no colon in {line:?}"));
        let key = name.split(';').next().unwrap();
        assert!(
            key.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'),
            "bad property name {key:?}"
        );
        match key {
            "BEGIN" => {
                stack.push(value);
                event.clear();
            }
            "END" => {
                assert_eq!(stack.pop(), Some(value), "unbalanced END:{value}");
                if value == "VEVENT" {
                    for required in ["UID", "DTSTAMP", "DTSTART"] {
                        assert!(event.contains(&required), "VEVENT without {required}");
                    }
                }
            }
            _ => {
                event.push(key);
                if key == "UID" {
                    assert!(uids.insert(value.to_string()), "duplicate UID {value}");
                }
                if key == "DTSTART" || key == "DTEND" {
                    assert!(
                        name.contains("VALUE=DATE"),
                        "all-day events use VALUE=DATE: {line}"
                    );
                    assert!(
                        value.len() == 8 && value.bytes().all(|b| b.is_ascii_digit()),
                        "bad date {value}"
                    );
                }
                if matches!(key, "SUMMARY" | "DESCRIPTION") {
                    // TEXT values escape commas and semicolons (RFC 5545 3.3.11).
                    let bytes = value.as_bytes();
                    for (i, b) in bytes.iter().enumerate() {
                        if *b == b',' || *b == b';' {
                            assert!(
                                i > 0 && bytes[i - 1] == b'\\',
                                "unescaped {} in {line}",
                                *b as char
                            );
                        }
                    }
                }
            }
        }
    }
    assert!(stack.is_empty(), "unclosed components: {stack:?}");
    lines
}
