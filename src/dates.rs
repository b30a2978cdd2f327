//! Calendar arithmetic for journeys: day N of a client's journey falls on start + (N - 1) days.

use jiff::civil::Date;

/// The date of journey day `day` (1-based) for a journey starting on `start`.
pub fn day_date(start: Date, day: u32) -> Date {
    add_days(start, i64::from(day.max(1)) - 1)
}

/// Days from `a` to `b` (negative when `b` is earlier).
pub fn days_between(a: Date, b: Date) -> i64 {
    day_number(b) - day_number(a)
}

/// Days since 1970-01-01. Journeys do this arithmetic for every client and touchpoint on
/// every build, so it is plain integer arithmetic (the civil-calendar algorithm by Howard
/// Hinnant) rather than general span arithmetic.
pub fn day_number(date: Date) -> i64 {
    let (y, m, d) = (
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`day_number`].
pub fn from_day_number(n: i64) -> Date {
    let z = n + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Date::new(y as i16, m as i8, d as i8).unwrap_or(Date::MAX)
}

/// Which day of the journey `today` is (day 1 on the start date; 0 or less before it).
pub fn journey_day(start: Date, today: Date) -> i64 {
    days_between(start, today) + 1
}

/// The first date a page can show: dates are written `YYYY-MM-DD`, so a year before 1 (which
/// a step counted back from an early client date could reach) has no form there.
pub const FIRST: Date = jiff::civil::date(1, 1, 1);

/// `date` moved by `days`, kept between [`FIRST`] and the year 9999's last day.
pub fn add_days(date: Date, days: i64) -> Date {
    match day_number(date).checked_add(days) {
        Some(n) if (day_number(FIRST)..=day_number(Date::MAX)).contains(&n) => from_day_number(n),
        _ if days < 0 => FIRST,
        _ => Date::MAX,
    }
}

/// `2026-11-17`
pub fn iso(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// `Tuesday 17 November 2026`
pub fn long(date: Date) -> String {
    date.strftime("%A %-d %B %Y").to_string()
}

/// `Tue 17 Nov 2026`: with its weekday, since a date in a list is read as a day to keep.
pub fn short(date: Date) -> String {
    date.strftime("%a %-d %b %Y").to_string()
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
    fn day_numbers_round_trip_across_centuries() {
        for text in [
            "1970-01-01",
            "2000-02-29",
            "1900-03-01",
            "2026-12-31",
            "0001-01-01",
            "9999-12-31",
        ] {
            let d = parse(text).unwrap();
            assert_eq!(from_day_number(day_number(d)), d, "{text}");
            assert_eq!(
                day_number(d),
                d.since((jiff::Unit::Day, Date::new(1970, 1, 1).unwrap()))
                    .unwrap()
                    .get_days() as i64
            );
        }
        let d = parse("2026-12-30").unwrap();
        assert_eq!(iso(add_days(d, 3)), "2027-01-02");
        assert_eq!(iso(add_days(d, -365)), "2025-12-30");
    }

    #[test]
    fn formats_and_counts() {
        let d = parse("2026-11-17").unwrap();
        assert_eq!(long(d), "Tuesday 17 November 2026");
        assert_eq!(short(d), "Tue 17 Nov 2026");
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
