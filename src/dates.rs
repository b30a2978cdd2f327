//! Calendar arithmetic for journeys: day N of a client's journey falls on start + (N - 1) days.

use jiff::civil::Date;
use jiff::Span;

/// The date of journey day `day` (1-based) for a journey starting on `start`.
pub fn day_date(start: Date, day: u32) -> Date {
    start.saturating_add(Span::new().days(i64::from(day.max(1)) - 1))
}

/// Days from `a` to `b` (negative when `b` is earlier).
pub fn days_between(a: Date, b: Date) -> i64 {
    a.until((jiff::Unit::Day, b))
        .map(|s| i64::from(s.get_days()))
        .unwrap_or(0)
}

/// Which day of the journey `today` is (day 1 on the start date; 0 or less before it).
pub fn journey_day(start: Date, today: Date) -> i64 {
    days_between(start, today) + 1
}

pub fn add_days(date: Date, days: i64) -> Date {
    date.saturating_add(Span::new().days(days))
}

/// `2026-11-17`
pub fn iso(date: Date) -> String {
    date.strftime("%Y-%m-%d").to_string()
}

/// `Tuesday 17 November 2026`
pub fn long(date: Date) -> String {
    date.strftime("%A %-d %B %Y").to_string()
}

/// `17 Nov 2026`
pub fn short(date: Date) -> String {
    date.strftime("%-d %b %Y").to_string()
}

/// Parses `YYYY-MM-DD`, the only date form the content files use.
pub fn parse(text: &str) -> Result<Date, String> {
    let text = text.trim();
    let ok_shape = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !ok_shape {
        return Err(format!("`{text}` is not a date in the form YYYY-MM-DD"));
    }
    text.parse::<Date>()
        .map_err(|_| format!("`{text}` is not a real calendar date"))
}

/// Today's date on this machine's clock and time zone.
pub fn today() -> Date {
    jiff::ZonedDateTime::now().date()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_one_is_the_start_date() {
        let start = parse("2026-02-27").unwrap();
        assert_eq!(iso(day_date(start, 1)), "2026-02-27");
        assert_eq!(iso(day_date(start, 3)), "2026-03-01");
        assert_eq!(iso(day_date(start, 100)), "2026-06-06");
    }

    #[test]
    fn formats_and_counts() {
        let d = parse("2026-11-17").unwrap();
        assert_eq!(long(d), "Tuesday 17 November 2026");
        assert_eq!(short(d), "17 Nov 2026");
        assert_eq!(journey_day(d, parse("2026-11-23").unwrap()), 7);
        assert_eq!(journey_day(d, parse("2026-11-16").unwrap()), 0);
    }

    #[test]
    fn rejects_bad_dates() {
        assert!(parse("2026-02-30").unwrap_err().contains("not a real"));
        assert!(parse("next week").unwrap_err().contains("YYYY-MM-DD"));
        assert!(parse("2026-1-5").is_err());
    }
}
