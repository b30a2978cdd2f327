//! iCalendar (RFC 5545) files: a client's timeline for their calendar app, and each runbook's
//! touchpoints for the team. All-day events with stable UIDs, so re-importing or subscribing
//! updates events instead of duplicating them, and a DTSTAMP from the build date, so the same
//! input gives the same bytes.
use jiff::civil::Date;
use rayon::prelude::*;

use crate::dates;

pub struct CalendarEvent {
    /// Unique and stable across builds, e.g. `acme.001-welcome-call@clients.example`.
    pub uid: String,
    pub date: Date,
    pub summary: String,
    pub description: String,
    pub url: Option<String>,
    /// How many times the event changed date (RFC 5545 `SEQUENCE`): with the same UID, calendar
    /// apps then move the event they have instead of adding another.
    pub sequence: u32,
    /// The event will not happen (a skipped touchpoint): `STATUS:CANCELLED`, so apps that have
    /// it remove it.
    pub cancelled: bool,
}

pub fn calendar(name: &str, stamp: Date, events: &[CalendarEvent]) -> String {
    build(name, stamp, events, false)
}

/// A calendar meant to be subscribed to rather than imported once: it also asks calendar apps
/// to fetch it again every 12 hours (RFC 7986 `REFRESH-INTERVAL`, and the older
/// `X-PUBLISHED-TTL` that some apps read instead).
pub fn subscription(name: &str, stamp: Date, events: &[CalendarEvent]) -> String {
    build(name, stamp, events, true)
}

// The calendars are written here rather than with the `icalendar` crate, whose builder made
// every property a map entry and every event a copy: 26,000 instructions an event, a fifth of
// a whole 1,000-client build. The lines are the ones it wrote (properties of an event in
// alphabetical order, the same folding), except that NAME is now escaped like other text.

fn build(name: &str, stamp: Date, events: &[CalendarEvent], subscription: bool) -> String {
    let mut out = String::with_capacity(512 + events.len() * 512);
    head(&mut out, name, subscription);
    let stamp = stamp.strftime("%Y%m%d").to_string();
    for piece in &pieces(events, &stamp) {
        out.push_str(piece);
    }
    out.push_str(END);
    out
}

const END: &str = "END:VCALENDAR\r\n";

/// The calendar's own lines, before its events.
fn head(out: &mut String, name: &str, subscription: bool) {
    out.push_str("BEGIN:VCALENDAR\r\n");
    line(out, "VERSION:2.0");
    line(out, "PRODID:-//hundred//hundred customer journeys//EN");
    line(out, "CALSCALE:GREGORIAN");
    line(out, "METHOD:PUBLISH");
    text(out, "NAME", name);
    text(out, "X-WR-CALNAME", name);
    if subscription {
        line(out, "REFRESH-INTERVAL;VALUE=DURATION:PT12H");
        line(out, "X-PUBLISHED-TTL:PT12H");
    }
}

/// The events' lines, made in parallel, a few hundred events to a piece: the team's calendars
/// hold every touchpoint of every client.
fn pieces(events: &[CalendarEvent], stamp: &str) -> Vec<String> {
    events
        .par_chunks(256)
        .map(|chunk| {
            let mut piece = String::with_capacity(chunk.len() * 512);
            for e in chunk {
                event(&mut piece, e, stamp);
            }
            piece
        })
        .collect()
}

/// Events made for a streamed calendar at a time: enough for both cores, and a few megabytes.
const BATCH: usize = 8192;

/// Writes the subscription calendar of `count` events into `out`, making them [`BATCH`] at a
/// time with `make` (given the range of the events wanted), so that a calendar of every
/// client's touchpoints (a hundred megabytes for 10,000 clients) is never whole in memory.
/// The bytes are [`subscription`]'s.
pub fn subscription_to(
    out: &mut dyn std::io::Write,
    name: &str,
    stamp: Date,
    count: usize,
    make: impl Fn(std::ops::Range<usize>) -> Vec<CalendarEvent>,
) -> std::io::Result<()> {
    let mut start = String::new();
    head(&mut start, name, true);
    out.write_all(start.as_bytes())?;
    let stamp = stamp.strftime("%Y%m%d").to_string();
    for from in (0..count).step_by(BATCH) {
        let events = make(from..count.min(from + BATCH));
        for piece in pieces(&events, &stamp) {
            out.write_all(piece.as_bytes())?;
        }
    }
    out.write_all(END.as_bytes())
}

/// One all-day event; `stamp` is the build date as `YYYYMMDD`.
fn event(out: &mut String, e: &CalendarEvent, stamp: &str) {
    let day = |d: Date| d.strftime("%Y%m%d");
    out.push_str("BEGIN:VEVENT\r\n");
    if !e.description.is_empty() {
        text(out, "DESCRIPTION", &e.description);
    }
    line(
        out,
        &format!("DTEND;VALUE=DATE:{}", day(dates::add_days(e.date, 1))),
    );
    line(out, &format!("DTSTAMP:{stamp}T000000Z"));
    line(out, &format!("DTSTART;VALUE=DATE:{}", day(e.date)));
    if e.sequence > 0 {
        line(out, &format!("SEQUENCE:{}", e.sequence));
    }
    if e.cancelled {
        line(out, "STATUS:CANCELLED");
    }
    text(out, "SUMMARY", &e.summary);
    line(out, "TRANSP:TRANSPARENT");
    text(out, "UID", &e.uid);
    if let Some(url) = &e.url {
        line(out, &format!("URL:{url}"));
    }
    out.push_str("END:VEVENT\r\n");
}

/// A property whose value is TEXT: backslash, comma, semicolon and line breaks escaped
/// (RFC 5545 3.3.11).
fn text(out: &mut String, name: &str, value: &str) {
    let mut l = String::with_capacity(name.len() + 1 + value.len() + 8);
    l.push_str(name);
    l.push(':');
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => l.push_str("\\\\"),
            ',' => l.push_str("\\,"),
            ';' => l.push_str("\\;"),
            '\n' => l.push_str("\\n"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    l.push_str("\\n");
                }
            }
            c => l.push(c),
        }
    }
    line(out, &l);
}

/// Appends one content line, folded so that no line is longer than 75 octets (RFC 5545
/// 3.1). A fold never splits a UTF-8 character, and moves one octet earlier rather than
/// start the continuation with white space, which some readers drop.
fn line(out: &mut String, content: &str) {
    // The loaders reject control and invisible characters in every field; should one reach
    // here anyway, it is dropped, so no value can end a line or start a property of its own.
    let cleaned: String;
    let mut rest = if crate::load::text::has_unwanted(content) {
        cleaned = content
            .chars()
            .filter(|&c| !crate::load::text::is_unwanted(c))
            .collect();
        cleaned.as_str()
    } else {
        content
    };
    // The first line holds 75 octets; each continuation a space and 74.
    let mut room = 75;
    while rest.len() > room {
        let mut cut = room;
        if starts_with_space(rest, cut) {
            cut -= 1;
        }
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        room = 74;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

fn starts_with_space(s: &str, at: usize) -> bool {
    s.is_char_boundary(at) && s[at..].starts_with(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streamed_calendar_is_the_same_bytes_in_any_number_of_batches() {
        let d = dates::parse("2026-11-17").unwrap();
        let one = |i: usize| CalendarEvent {
            uid: format!("c{i}.t@team.example"),
            date: d,
            summary: format!("Client {i}: step"),
            description: "Day 1".into(),
            url: None,
            sequence: (i % 3) as u32,
            cancelled: i.is_multiple_of(7),
        };
        for count in [0, 1, BATCH - 1, BATCH, 2 * BATCH + 5] {
            let events: Vec<CalendarEvent> = (0..count).map(one).collect();
            let whole = subscription("Team", d, &events);
            let mut streamed = Vec::new();
            subscription_to(&mut streamed, "Team", d, count, |r| r.map(one).collect()).unwrap();
            assert_eq!(
                String::from_utf8(streamed).unwrap(),
                whole,
                "{count} events"
            );
        }
    }

    #[test]
    fn all_day_events_with_crlf_folding_and_escaping() {
        let d = dates::parse("2026-11-17").unwrap();
        let text = calendar(
            "Acme, Inc; journey",
            d,
            &[CalendarEvent {
                uid: "acme.welcome@clients.example".into(),
                date: d,
                summary: "Welcome call, day 1; hello".into(),
                description: "A long description that goes on and on and on so that the line must be folded at seventy-five octets.".into(),
                url: Some("https://clients.example/acme/journey/".into()),
                sequence: 0,
                cancelled: false,
            }],
        );
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(text.contains("DTSTART;VALUE=DATE:20261117\r\n"), "{text}");
        assert!(text.contains("DTEND;VALUE=DATE:20261118\r\n"));
        assert!(
            text.contains("SUMMARY:Welcome call\\, day 1\\; hello\r\n"),
            "{text}"
        );
        assert!(text.contains("DTSTAMP:20261117T000000Z\r\n"));
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "unfolded line: {line}");
            assert!(!line.contains('\n'));
        }
    }

    #[test]
    fn folded_lines_never_pass_75_octets() {
        for len in [74, 75, 76, 148, 149, 150, 151, 300] {
            for filler in ["a", "é", "老", "a b"] {
                let value: String = filler.repeat(len).chars().take(len).collect();
                let mut out = String::new();
                line(&mut out, &format!("SUMMARY:{value}"));
                for l in out.split("\r\n").filter(|l| !l.is_empty()) {
                    assert!(l.len() <= 75, "{} octets: {l:?}", l.len());
                    assert!(
                        !l.starts_with("  "),
                        "continuation starts with a space: {l:?}"
                    );
                }
                assert_eq!(out.replace("\r\n ", ""), format!("SUMMARY:{value}\r\n"));
            }
        }
    }

    #[test]
    fn no_value_can_break_a_line() {
        let d = dates::parse("2026-11-17").unwrap();
        let text = calendar(
            "Acme\r\nX-INJECTED:1",
            d,
            &[CalendarEvent {
                uid: "a.b@c".into(),
                date: d,
                summary: "Call\u{0}\u{202e}\rBEGIN:VEVENT".into(),
                description: "line\u{2028}two\u{85}three\u{1b}".into(),
                url: Some("https://a.example/\r\nATTACH:https://evil.example".into()),
                sequence: 0,
                cancelled: false,
            }],
        );
        for l in text.split("\r\n") {
            assert!(!l.chars().any(crate::load::text::is_unwanted), "{l:?}");
            assert!(
                !l.starts_with("X-INJECTED") && !l.starts_with("ATTACH"),
                "{l:?}"
            );
        }
        assert_eq!(
            text.matches("BEGIN:VEVENT").count(),
            2,
            "one event, its summary text"
        );
        assert!(!text.contains("\r\nBEGIN:VEVENT\r\nBEGIN"), "{text}");
    }

    #[test]
    fn calendar_names_are_escaped_text() {
        let text = calendar(
            "Acme, Inc; with us\\",
            dates::parse("2026-11-17").unwrap(),
            &[],
        );
        assert!(
            text.contains("\r\nNAME:Acme\\, Inc\\; with us\\\\\r\n"),
            "{text}"
        );
        assert!(text.contains("\r\nX-WR-CALNAME:Acme\\, Inc\\; with us\\\\\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
    }
}
