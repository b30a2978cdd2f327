//! Journey logs read straight from the YAML parser's events.
//!
//! A log is the largest YAML a site has (a firm of 1,000 clients with 20 entries each has 4 MB
//! of it) and serde-saphyr spends about twice the parser's own time mapping events onto
//! fields. Logs nearly always have one plain shape: a list of maps whose values are text, and
//! `with` a list of text. For that shape this module builds the entries from the events of
//! the same parser serde-saphyr uses, so the YAML is read by the same grammar. Anything else
//! (anchors, aliases, tags, `null`s, an unknown or repeated field, a missing date, a syntax
//! error, a value of another shape) returns `None` and the caller reads the file through
//! serde-saphyr, which gives the same entries or the error message for it. A test compares
//! both readings on generated logs.

use std::borrow::Cow;

use granit_parser::{Event, Parser, ScalarStyle, Span};

use super::log::{Field, RawEntry, FIELDS};
use crate::diagnostics::Position;

/// The entries of `text`, when it has the plain shape; `None` when serde-saphyr must read it.
pub(super) fn entries(text: &str) -> Option<Vec<RawEntry>> {
    let mut events = Parser::new_from_str(text);
    let mut next = move || match events.next() {
        Some(Ok(e)) => Some(e),
        _ => None,
    };
    matches!(next()?.0, Event::StreamStart).then_some(())?;
    matches!(next()?.0, Event::DocumentStart(_, None)).then_some(())?;
    matches!(next()?.0, Event::SequenceStart(_, 0, None)).then_some(())?;
    let mut entries = Vec::new();
    loop {
        match next()?.0 {
            Event::MappingStart(_, 0, None) => entries.push(entry(&mut next)?),
            Event::SequenceEnd => break,
            _ => return None,
        }
    }
    matches!(next()?.0, Event::DocumentEnd).then_some(())?;
    matches!(next()?.0, Event::StreamEnd).then_some(())?;
    Some(entries)
}

/// One map of the list, after its `MappingStart`.
fn entry<'a>(next: &mut impl FnMut() -> Option<(Event<'a>, Span)>) -> Option<RawEntry> {
    let mut seen = [false; FIELDS.len()];
    let mut date = None;
    let mut e = RawEntry::default();
    loop {
        let key = match next()? {
            (Event::MappingEnd, _) => break,
            (Event::Scalar(key, ScalarStyle::Plain, 0, None), _) => key,
            _ => return None,
        };
        let i = FIELDS.iter().position(|f| *f == key)?;
        if std::mem::replace(&mut seen[i], true) {
            return None;
        }
        if key == "with" {
            matches!(next()?.0, Event::SequenceStart(_, 0, None)).then_some(())?;
            loop {
                match next()? {
                    (Event::SequenceEnd, _) => break,
                    (Event::Scalar(v, style, 0, None), span) => e.with.push(field(v, style, span)?),
                    _ => return None,
                }
            }
            continue;
        }
        let (Event::Scalar(v, style, 0, None), span) = next()? else {
            return None;
        };
        let value = field(v, style, span)?;
        match &*key {
            "date" => date = Some(value),
            "touchpoint" => e.touchpoint = Some(value),
            "status" => e.status = Some(value),
            "to" => e.to = Some(value),
            "by" => e.by = Some(value),
            "channel" => e.channel = Some(value),
            "title" => e.title = Some(value.value),
            "score" => e.score = Some(value),
            "mood" => e.mood = Some(value),
            "note" => e.note = value.value,
            _ => return None,
        }
    }
    e.date = date?;
    Some(e)
}

/// A scalar as text with where it is; `None` for the plain scalars YAML reads as null, which
/// serde-saphyr turns into an absent value or an error depending on the field.
fn field(value: Cow<'_, str>, style: ScalarStyle, span: Span) -> Option<Field> {
    if style == ScalarStyle::Plain && matches!(&*value, "" | "~" | "null" | "Null" | "NULL") {
        return None;
    }
    Some(Field {
        value: value.into_owned(),
        at: (span.start.line() > 0).then(|| Position::new(span.start.line(), span.start.col() + 1)),
    })
}

#[cfg(test)]
mod tests {
    use super::super::log::{EntryFile, RawEntry};
    use super::*;
    use proptest::prelude::*;

    /// What serde-saphyr reads from `text`, as the slow path of `log::read` does.
    fn through_serde(text: &str) -> Result<Vec<RawEntry>, String> {
        crate::load::yaml::parse::<Vec<EntryFile>>(
            text,
            std::path::Path::new("log.yaml"),
            1,
            FIELDS,
        )
        .map(|v| v.into_iter().map(RawEntry::from).collect())
        .map_err(|d| d.message)
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z][a-z0-9 -]{0,12}".prop_map(|s| s.trim_end().to_string()),
            Just("2026-04-01".to_string()),
            Just("6".to_string()),
            Just("007".to_string()),
            Just("1e3".to_string()),
            Just("true".to_string()),
            Just("no".to_string()),
            Just("~".to_string()),
            Just("null".to_string()),
            Just(String::new()),
            Just("'it''s: fine'".to_string()),
            Just("\"tab\\tand \\u00e9\"".to_string()),
            Just("\"a # not a comment\"".to_string()),
            Just("plain # a comment".to_string()),
            Just("|\n    line one\n    line *two*\n".to_string()),
            Just(">-\n    folded\n    text\n".to_string()),
            Just("&a anchored".to_string()),
            Just("*a".to_string()),
            Just("!!str tagged".to_string()),
            Just("[a, b]".to_string()),
            Just("{a: b}".to_string()),
            Just("[Owen Price, 'Mia']".to_string()),
            Just("\n    - Owen Price\n    - Mia".to_string()),
        ]
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            10 => proptest::sample::select(FIELDS).prop_map(str::to_string),
            1 => Just("unknown".to_string()),
            1 => Just("\"date\"".to_string()),
        ]
    }

    fn log() -> impl Strategy<Value = String> {
        let entry = proptest::collection::vec((key(), value()), 0..6);
        (
            proptest::collection::vec(entry, 0..5),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(entries, comments, dated)| {
                let mut out = String::new();
                if comments {
                    out.push_str("# the log\n");
                }
                for fields in entries {
                    let mut first = true;
                    let mut fields = fields;
                    if dated {
                        fields.insert(0, ("date".into(), "2026-04-01".into()));
                    }
                    for (k, v) in fields {
                        out.push_str(if first { "- " } else { "  " });
                        first = false;
                        out.push_str(&format!("{k}: {v}\n"));
                    }
                    if first {
                        out.push_str("- {}\n");
                    }
                }
                out
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Whenever the events are read directly, serde-saphyr reads the same entries with the
        /// same positions.
        #[test]
        fn reading_events_agrees_with_serde(text in log()) {
            if let Some(fast) = entries(&text) {
                prop_assert_eq!(Ok(fast), through_serde(&text), "{}", text);
            }
        }
    }

    /// The shape the fast reading takes is the one real logs have: every log of the example.
    #[test]
    fn the_examples_logs_are_read_from_events() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("example-playbook/log");
        let mut n = 0;
        for f in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
            let fast = entries(&text).expect("a plain log is read from events");
            assert_eq!(Ok(fast), through_serde(&text));
            n += 1;
        }
        assert!(n >= 5);
    }
}
