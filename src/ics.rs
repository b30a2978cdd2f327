//! iCalendar (RFC 5545) files: a client's timeline for their calendar app, and each runbook's
//! touchpoints for the team. All-day events with stable UIDs, so re-importing or subscribing
//! updates events instead of duplicating them, and a DTSTAMP from the build date, so the same
//! input gives the same bytes.

use icalendar::{Calendar, Component, Property};
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

fn build(name: &str, stamp: Date, events: &[CalendarEvent], subscription: bool) -> String {
    let mut cal = Calendar::empty();
    cal.append_property(Property::new("VERSION", "2.0"));
    cal.append_property(Property::new(
        "PRODID",
        "-//hundred//hundred customer journeys//EN",
    ));
    cal.append_property(Property::new("CALSCALE", "GREGORIAN"));
    cal.append_property(Property::new("METHOD", "PUBLISH"));
    cal.name(name);
    if subscription {
        cal.append_property(
            Property::new("REFRESH-INTERVAL", "PT12H")
                .append_parameter(("VALUE", "DURATION"))
                .done(),
        );
        cal.append_property(Property::new("X-PUBLISHED-TTL", "PT12H"));
    }
    let stamp = format!("{}T000000Z", stamp.strftime("%Y%m%d"));
    // The team's calendars hold every touchpoint of every client: serialise the events in
    // parallel and put them between the calendar's own lines, as the calendar would.
    let events: Vec<String> = events
        .par_iter()
        .map(|e| event(e, &stamp).to_string())
        .collect();
    let shell = cal.to_string();
    let end = "END:VCALENDAR\r\n";
    let head = shell
        .strip_suffix(end)
        .expect("a calendar ends with END:VCALENDAR");
    let mut out =
        String::with_capacity(shell.len() + events.iter().map(String::len).sum::<usize>());
    out.push_str(head);
    for e in &events {
        out.push_str(e);
    }
    out.push_str(end);
    out
}

fn event(e: &CalendarEvent, stamp: &str) -> icalendar::Event {
    let mut event = icalendar::Event::new();
    event
        .uid(&e.uid)
        .add_property("DTSTAMP", stamp)
        .append_property(date_property("DTSTART", e.date))
        .append_property(date_property("DTEND", dates::add_days(e.date, 1)))
        .summary(&e.summary)
        .description(&e.description)
        .add_property("TRANSP", "TRANSPARENT");
    if let Some(url) = &e.url {
        event.url(url);
    }
    event.done()
}

fn date_property(key: &str, date: Date) -> Property {
    Property::new(key, date.strftime("%Y%m%d").to_string())
        .append_parameter(("VALUE", "DATE"))
        .done()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
