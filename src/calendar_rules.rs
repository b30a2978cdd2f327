//! Dates a firm can keep: the days it works, its holidays and closures, where a date that falls
//! on a closed day goes, and how a repeating step recurs. No IO: [`holidays_from_ics`] takes the
//! text of an .ics file that the caller has read.

use std::collections::BTreeSet;

use jiff::civil::{Date, Weekday};
use serde::Deserialize;

use crate::dates;
use crate::diagnostics::suggest;

/// How many days [`CalendarRules::shift`] looks in each direction before it gives up.
pub const SEARCH_DAYS: i64 = 400;

/// Years of an `RRULE:FREQ=YEARLY` that [`holidays_from_ics`] expands, also the most a `COUNT`
/// gives. A module with no clock cannot expand "up to a few years from now", and calendars
/// often start a yearly holiday decades ago, so a short limit would stop before today.
pub const YEARLY_LIMIT: i64 = 100;

/// The longest closure one event in a holidays file may describe, so that a typo in a year
/// (`DTEND:30261226`) is reported instead of closing the firm for a thousand years.
const LONGEST_EVENT_DAYS: i64 = 400;

/// The most closed days a holidays file may describe in all (each event's days, for each year
/// it repeats, overlaps counted each time), so that a few kilobytes of long yearly events
/// cannot keep a build busy for minutes. A century of a firm's real closures is a few
/// thousand days.
const MOST_CLOSED_DAYS: i64 = 1_000_000;

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];
const SHORT_DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const FULL_DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// A day of the week from `mon` … `sun` or the full name, in any case. Any start of a full
/// name of three letters or more (`tues`, `thurs`) is accepted too: three letters already name
/// one day only.
pub fn parse_weekday(word: &str) -> Result<Weekday, String> {
    let lower = word.trim().to_lowercase();
    if lower.len() >= 3 {
        if let Some(i) = FULL_DAYS.iter().position(|full| full.starts_with(&lower)) {
            return Ok(WEEKDAYS[i]);
        }
    }
    let known = "the days are mon, tue, wed, thu, fri, sat and sun, or their full names";
    if lower.is_empty() {
        return Err(format!("a day of the week is blank: {known}"));
    }
    let candidates = SHORT_DAYS.iter().chain(FULL_DAYS.iter()).copied();
    Err(match suggest(&lower, candidates) {
        Some(s) => format!("`{word}` is not a day of the week (did you mean `{s}`?): {known}"),
        None => format!("`{word}` is not a day of the week: {known}"),
    })
}

fn day_index(day: Weekday) -> usize {
    day.to_monday_zero_offset() as usize
}

/// Where a date that falls on a closed day goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shift {
    /// The first open day after it.
    #[default]
    Next,
    /// The last open day before it.
    Previous,
    /// Whichever of those is fewer days away; on a tie the later one, so that a step is never
    /// brought forward when moving it back would do as well.
    Nearest,
}

impl Shift {
    pub fn parse(word: &str) -> Result<Shift, String> {
        const WORDS: [&str; 3] = ["next", "previous", "nearest"];
        match word.trim().to_lowercase().as_str() {
            "next" => Ok(Shift::Next),
            "previous" => Ok(Shift::Previous),
            "nearest" => Ok(Shift::Nearest),
            other => {
                let hint = match suggest(other, WORDS) {
                    Some(s) => format!(" (did you mean `{s}`?)"),
                    None => String::new(),
                };
                Err(format!(
                    "`{word}` is not a shift rule{hint}: use `next`, `previous` or `nearest`"
                ))
            }
        }
    }
}

/// A run of closed days, such as the firm's summer shutdown. Both ends are included; a range
/// whose `to` comes before its `from` holds no day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub from: Date,
    pub to: Date,
}

impl DateRange {
    pub fn contains(&self, d: Date) -> bool {
        self.from <= d && d <= self.to
    }
}

/// Where [`CalendarRules::shift`] put a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Shifted {
    pub date: Date,
    /// Days from the date asked about to `date`: negative when it moved earlier, 0 when it
    /// was open (or stuck).
    pub moved_by: i64,
    /// No open day within [`SEARCH_DAYS`] in the direction(s) the rule looks. `date` is then
    /// the date asked about, unmoved, so a step keeps a date and the caller can warn about it
    /// rather than the build failing on one impossible calendar.
    pub stuck: bool,
}

/// A firm's working calendar: which days of the week it works, and its holidays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarRules {
    /// Indexed Monday = 0.
    working_days: [bool; 7],
    holidays: BTreeSet<Date>,
    shift: Shift,
}

impl Default for CalendarRules {
    /// Monday to Friday, no holidays, closed days move to the next open day.
    fn default() -> Self {
        CalendarRules {
            working_days: [true, true, true, true, true, false, false],
            holidays: BTreeSet::new(),
            shift: Shift::Next,
        }
    }
}

impl CalendarRules {
    /// Rules built in code. An empty `working_days` is allowed here (every shift is then
    /// stuck); [`CalendarSettings::rules`] is where a person's settings are checked.
    pub fn new(working_days: &[Weekday], holidays: BTreeSet<Date>, shift: Shift) -> Self {
        let mut days = [false; 7];
        for &day in working_days {
            days[day_index(day)] = true;
        }
        CalendarRules {
            working_days: days,
            holidays,
            shift,
        }
    }

    pub fn is_working_day(&self, day: Weekday) -> bool {
        self.working_days[day_index(day)]
    }

    pub fn holidays(&self) -> &BTreeSet<Date> {
        &self.holidays
    }

    pub fn shift_rule(&self) -> Shift {
        self.shift
    }

    /// A working day of the week, not a holiday, and in none of the `blackout` ranges.
    pub fn is_open(&self, d: Date, blackout: &[DateRange]) -> bool {
        self.is_working_day(d.weekday())
            && !self.holidays.contains(&d)
            && !blackout.iter().any(|range| range.contains(d))
    }

    /// `d` itself when it is open, otherwise the open day the shift rule picks (see [`Shift`]
    /// and [`Shifted::stuck`]).
    pub fn shift(&self, d: Date, blackout: &[DateRange]) -> Shifted {
        if self.is_open(d, blackout) {
            return Shifted {
                date: d,
                moved_by: 0,
                stuck: false,
            };
        }
        let found = (1..=SEARCH_DAYS).find_map(|k| {
            // Later first, so that Nearest picks the later day on a tie.
            let steps: &[i64] = match self.shift {
                Shift::Next => &[k],
                Shift::Previous => &[-k],
                Shift::Nearest => &[k, -k],
            };
            steps
                .iter()
                .map(|&step| dates::add_days(d, step))
                .find(|&candidate| self.is_open(candidate, blackout))
        });
        match found {
            Some(date) => Shifted {
                date,
                moved_by: dates::days_between(d, date),
                stuck: false,
            },
            None => Shifted {
                date: d,
                moved_by: 0,
                stuck: true,
            },
        }
    }
}

/// The calendar settings as written in TOML. Not yet part of `hundred.toml`: [`Self::rules`]
/// turns them into [`CalendarRules`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSettings {
    /// Days of the week the firm works: `mon` … `sun` or full names.
    #[serde(default = "default_working_days")]
    pub working_days: Vec<String>,
    /// Closed dates, `YYYY-MM-DD`.
    #[serde(default)]
    pub holidays: Vec<String>,
    /// An .ics file of closures, relative to the site folder. The caller reads it and passes
    /// its text to [`Self::rules`].
    #[serde(default)]
    pub holidays_file: Option<String>,
    /// `next` (the default), `previous` or `nearest`.
    #[serde(default = "default_shift")]
    pub shift: String,
}

impl Default for CalendarSettings {
    fn default() -> Self {
        CalendarSettings {
            working_days: default_working_days(),
            holidays: Vec::new(),
            holidays_file: None,
            shift: default_shift(),
        }
    }
}

fn default_working_days() -> Vec<String> {
    SHORT_DAYS[..5].iter().map(|d| d.to_string()).collect()
}
fn default_shift() -> String {
    "next".to_string()
}

impl CalendarSettings {
    /// The rules these settings describe, with the dates of `holidays_file_text` (the text of
    /// `holidays_file`, when there is one) added to `holidays`. Every problem is reported, in
    /// one message, separated by `; `. Holidays are counted from 1 in messages ("entry 3"),
    /// as a person reading the file counts them.
    pub fn rules(&self, holidays_file_text: Option<&str>) -> Result<CalendarRules, String> {
        self.rules_and_notes(holidays_file_text)
            .map(|(rules, _)| rules)
    }

    /// [`Self::rules`], with the repeat rules of the holidays file that were not expanded
    /// ([`IcsHolidays::ignored_rules`]), for the caller to warn about: a calendar that keeps
    /// only the first year of "the last Monday of May" must say so.
    pub fn rules_and_notes(
        &self,
        holidays_file_text: Option<&str>,
    ) -> Result<(CalendarRules, Vec<String>), String> {
        let mut problems = Vec::new();
        let mut notes = Vec::new();
        let mut working_days = [false; 7];
        if self.working_days.is_empty() {
            problems.push(
                "`working_days` is empty: at least one day of the week must be a working day"
                    .to_string(),
            );
        }
        for word in &self.working_days {
            match parse_weekday(word) {
                Ok(day) => working_days[day_index(day)] = true,
                Err(e) => problems.push(format!("`working_days`: {e}")),
            }
        }
        let mut holidays = BTreeSet::new();
        for (i, text) in self.holidays.iter().enumerate() {
            match dates::parse(text) {
                Ok(date) => {
                    holidays.insert(date);
                }
                Err(e) => problems.push(format!("entry {} of `holidays`: {e}", i + 1)),
            }
        }
        if let Some(text) = holidays_file_text {
            match read_ics(text) {
                Ok(found) => {
                    holidays.extend(found.dates);
                    notes = found.ignored_rules;
                }
                Err(e) => problems.push(match &self.holidays_file {
                    Some(path) => format!("`{path}`: {e}"),
                    None => format!("the holidays file: {e}"),
                }),
            }
        }
        let shift = Shift::parse(&self.shift).unwrap_or_else(|e| {
            problems.push(format!("`shift`: {e}"));
            Shift::Next
        });
        if problems.is_empty() {
            let rules = CalendarRules {
                working_days,
                holidays,
                shift,
            };
            Ok((rules, notes))
        } else {
            Err(problems.join("; "))
        }
    }
}

/// What an .ics file gave.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IcsHolidays {
    /// Every closed date, sorted, each once.
    pub dates: Vec<Date>,
    /// Repeat rules that were not expanded, each with its line, for the caller to warn
    /// about. The event's own dates were kept.
    pub ignored_rules: Vec<String>,
}

/// The closed dates in an iCalendar file's text: see [`read_ics`].
pub fn holidays_from_ics(text: &str) -> Result<Vec<Date>, String> {
    read_ics(text).map(|found| found.dates)
}

/// Reads the all-day events of an iCalendar (RFC 5545) text as closed dates. An event closes
/// every date from its DTSTART up to, not including, its DTEND (or for its DURATION in days or
/// weeks; one day when it has neither). Events with a time of day are not closures and are
/// skipped, as are cancelled ones. `RRULE:FREQ=YEARLY`, with `COUNT`, `UNTIL` or `INTERVAL`,
/// is expanded for at most [`YEARLY_LIMIT`] years (a 29 February start skips the years
/// without one); any other rule keeps only the event's own dates and is listed in
/// [`IcsHolidays::ignored_rules`]. RDATE and EXDATE are not read.
pub fn read_ics(text: &str) -> Result<IcsHolidays, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut closed = BTreeSet::new();
    let mut ignored_rules = Vec::new();
    let mut components: Vec<String> = Vec::new();
    let mut seen_calendar = false;
    let mut event = Event::default();
    let mut budget = MOST_CLOSED_DAYS;
    for (line, content) in unfold(text) {
        let Some((name, value_type, value)) = split_property(&content) else {
            continue;
        };
        let prop = || Prop {
            value: value.trim().to_string(),
            value_type: value_type.clone(),
            line,
        };
        let in_event = components.last().map(String::as_str) == Some("VEVENT");
        match name.as_str() {
            "BEGIN" => {
                let component = value.trim().to_ascii_uppercase();
                seen_calendar |= component == "VCALENDAR";
                if component == "VEVENT" {
                    event = Event {
                        line,
                        ..Event::default()
                    };
                }
                components.push(component);
            }
            "END" => {
                if in_event && value.trim().eq_ignore_ascii_case("VEVENT") {
                    event.close_into(&mut closed, &mut ignored_rules, &mut budget)?;
                }
                components.pop();
            }
            "DTSTART" if in_event => event.start = Some(prop()),
            "DTEND" if in_event => event.end = Some(prop()),
            "DURATION" if in_event => event.duration = Some(prop()),
            "RRULE" if in_event => event.rule = Some(prop()),
            "STATUS" if in_event => {
                event.cancelled = value.trim().eq_ignore_ascii_case("CANCELLED")
            }
            _ => {}
        }
    }
    if !seen_calendar {
        return Err("this is not an iCalendar file: it has no `BEGIN:VCALENDAR` line".into());
    }
    if components.iter().any(|c| c == "VEVENT") {
        return Err(format!(
            "the file ends inside the event that begins on line {} (no `END:VEVENT`): is it cut short?",
            event.line
        ));
    }
    Ok(IcsHolidays {
        dates: closed.into_iter().collect(),
        ignored_rules,
    })
}

/// Logical lines with the number of the physical line each starts on. RFC 5545 folds long
/// lines by breaking them before a space or tab; either line ending may appear.
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some((_, previous))) => previous.push_str(rest),
            _ => lines.push((i + 1, raw.to_string())),
        }
    }
    lines
}

/// `NAME;PARAM=x;VALUE=DATE:value` → (`NAME`, `DATE`, `value`). Quoted parameter values may
/// hold a colon (`TZID="Europe/London:x"`), so the first colon outside quotes ends the name.
fn split_property(line: &str) -> Option<(String, Option<String>, &str)> {
    let mut quoted = false;
    let (colon, _) = line.char_indices().find(|&(_, c)| {
        quoted ^= c == '"';
        c == ':' && !quoted
    })?;
    let mut head = line[..colon].split(';');
    let name = head.next()?.trim().to_ascii_uppercase();
    let value_type = head
        .filter_map(|param| param.split_once('='))
        .find(|(key, _)| key.trim().eq_ignore_ascii_case("VALUE"))
        .map(|(_, v)| v.trim().trim_matches('"').to_ascii_uppercase());
    Some((name, value_type, &line[colon + 1..]))
}

struct Prop {
    value: String,
    value_type: Option<String>,
    line: usize,
}

impl Prop {
    fn has_time(&self) -> bool {
        self.value_type.as_deref() == Some("DATE-TIME") || self.value.contains(['T', 't'])
    }

    fn date(&self, name: &str) -> Result<Date, String> {
        ics_date(&self.value)
            .map_err(|why| format!("line {}: `{name}` is `{}`, {why}", self.line, self.value))
    }
}

fn ics_date(value: &str) -> Result<Date, &'static str> {
    if value.len() != 8 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err("which is not a date in the form YYYYMMDD");
    }
    let number = |range: std::ops::Range<usize>| value[range].parse::<i16>().unwrap_or(0);
    Date::new(number(0..4), number(4..6) as i8, number(6..8) as i8)
        .map_err(|_| "which is not a real calendar date")
}

#[derive(Default)]
struct Event {
    /// Where `BEGIN:VEVENT` is.
    line: usize,
    start: Option<Prop>,
    end: Option<Prop>,
    duration: Option<Prop>,
    rule: Option<Prop>,
    cancelled: bool,
}

impl Event {
    fn close_into(
        &mut self,
        closed: &mut BTreeSet<Date>,
        ignored_rules: &mut Vec<String>,
        budget: &mut i64,
    ) -> Result<(), String> {
        // An event with no start date closes nothing, and one with a time of day is a
        // meeting, not a closure.
        let Some(start) = self.start.take() else {
            return Ok(());
        };
        if start.has_time() || self.cancelled {
            return Ok(());
        }
        let first = start.date("DTSTART")?;
        let days = match (&self.end, &self.duration) {
            (Some(end), _) => {
                if end.has_time() {
                    return Err(format!(
                        "line {}: `DTEND` is `{}`, a time, but the event starts on a date (`DTSTART` on line {}): an all-day event ends on a date",
                        end.line, end.value, start.line
                    ));
                }
                let days = dates::days_between(first, end.date("DTEND")?);
                if days < 0 {
                    return Err(format!(
                        "line {}: the event ends (`DTEND` {}) before it starts (`DTSTART` {})",
                        end.line, end.value, start.value
                    ));
                }
                days.max(1)
            }
            (None, Some(duration)) => duration_days(duration)?.max(1),
            (None, None) => 1,
        };
        if days > LONGEST_EVENT_DAYS {
            return Err(format!(
                "line {}: the event lasts {days} days; one closure may last at most {LONGEST_EVENT_DAYS} days (is a year mistyped?)",
                start.line
            ));
        }
        let starts = match &self.rule {
            Some(rule) => yearly_starts(first, rule, ignored_rules)?,
            None => vec![first],
        };
        *budget -= starts.len() as i64 * days;
        if *budget < 0 {
            return Err(format!(
                "line {}: with this event the file closes more than {MOST_CLOSED_DAYS} days in all (each event's days, every year it repeats): is it a calendar of closed days?",
                self.line
            ));
        }
        for day in starts {
            closed.extend((0..days).map(|k| dates::add_days(day, k)));
        }
        Ok(())
    }
}

/// `P3D` or `P2W` (an all-day event's duration is whole days or weeks).
fn duration_days(duration: &Prop) -> Result<i64, String> {
    let text = duration.value.to_ascii_uppercase();
    let body = text.strip_prefix('+').unwrap_or(&text);
    let parsed = body.strip_prefix('P').and_then(|rest| {
        let (number, per) = match rest.strip_suffix('D') {
            Some(n) => (n, 1),
            None => (rest.strip_suffix('W')?, 7),
        };
        number.parse::<i64>().ok().map(|n| n * per)
    });
    parsed.filter(|&n| n >= 0).ok_or_else(|| {
        format!(
            "line {}: `DURATION` is `{}`, which is not a whole number of days or weeks (such as `P1D` or `P2W`)",
            duration.line, duration.value
        )
    })
}

/// The start dates a yearly rule gives, the event's own first.
fn yearly_starts(
    first: Date,
    rule: &Prop,
    ignored_rules: &mut Vec<String>,
) -> Result<Vec<Date>, String> {
    let parts: Vec<(String, &str)> = rule
        .value
        .split(';')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            (key.trim().to_ascii_uppercase(), value.trim())
        })
        .collect();
    let yearly = parts
        .iter()
        .any(|(k, v)| k == "FREQ" && v.eq_ignore_ascii_case("YEARLY"));
    // Any BY… part picks other days (the last Monday of May), which a same-date-every-year
    // expansion would get wrong.
    let plain = parts
        .iter()
        .all(|(k, _)| matches!(k.as_str(), "FREQ" | "COUNT" | "UNTIL" | "INTERVAL" | "WKST"));
    if !(yearly && plain) {
        ignored_rules.push(format!(
            "line {}: `RRULE:{}` was not expanded (only `FREQ=YEARLY` with `COUNT`, `UNTIL` or `INTERVAL` is); the event's own dates were kept",
            rule.line, rule.value
        ));
        return Ok(vec![first]);
    }
    let bad = |what: &str| format!("line {}: in `RRULE:{}`, {what}", rule.line, rule.value);
    let whole = |v: &str| v.parse::<i64>().ok().filter(|&n| n >= 1);
    let (mut count, mut until, mut interval) = (YEARLY_LIMIT, None, 1);
    for (key, value) in &parts {
        match key.as_str() {
            "COUNT" => {
                count = whole(value)
                    .ok_or_else(|| bad("`COUNT` must be a whole number of 1 or more"))?
                    .min(YEARLY_LIMIT);
            }
            "INTERVAL" => {
                interval = whole(value)
                    .ok_or_else(|| bad("`INTERVAL` must be a whole number of 1 or more"))?;
            }
            "UNTIL" => {
                let date = value.get(..8).map(ics_date);
                until = Some(
                    date.and_then(Result::ok)
                        .ok_or_else(|| bad("`UNTIL` must be a date in the form YYYYMMDD"))?,
                );
            }
            _ => {}
        }
    }
    let mut starts = Vec::new();
    for k in 0..YEARLY_LIMIT {
        let year = i64::from(first.year()) + k * interval;
        let Some(date) = i16::try_from(year)
            .ok()
            .and_then(|y| Date::new(y, first.month(), first.day()).ok())
        else {
            continue;
        };
        if until.is_some_and(|u| date > u) || starts.len() as i64 >= count {
            break;
        }
        starts.push(date);
    }
    Ok(starts)
}

/// How often a step repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    Days(u32),
    Weeks(u32),
    Months(u32),
}

impl Every {
    /// `14 days`, `1 day`, `3 weeks`, `2 months`, `1 year` (12 months), in any case, with or
    /// without the `s`; also `daily`, `weekly`, `fortnightly`, `monthly`, `quarterly` and
    /// `yearly`.
    pub fn parse(text: &str) -> Result<Every, String> {
        let lower = text.trim().to_lowercase();
        let named = match lower.as_str() {
            "daily" => Some(Every::Days(1)),
            "weekly" => Some(Every::Weeks(1)),
            "fortnightly" => Some(Every::Weeks(2)),
            "monthly" => Some(Every::Months(1)),
            "quarterly" => Some(Every::Months(3)),
            "yearly" | "annually" => Some(Every::Months(12)),
            _ => None,
        };
        if let Some(every) = named {
            return Ok(every);
        }
        let example = "such as `14 days`, `2 weeks` or `1 month`";
        if lower.starts_with('-') {
            return Err(format!(
                "`{text}` goes backwards: a repeat is a number of 1 or more and a unit, {example}"
            ));
        }
        let digits = lower
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(lower.len());
        if digits == 0 {
            return Err(format!(
                "`{text}` is not a repeat: write a number and a unit, {example}"
            ));
        }
        let n: u32 = lower[..digits]
            .parse()
            .map_err(|_| format!("`{text}`: the number is too large"))?;
        if n == 0 {
            return Err(format!(
                "`{text}` would never move on: a repeat is a number of 1 or more, {example}"
            ));
        }
        let unit = lower[digits..].trim();
        match unit.strip_suffix('s').unwrap_or(unit) {
            "day" => Ok(Every::Days(n)),
            "week" => Ok(Every::Weeks(n)),
            "month" => Ok(Every::Months(n)),
            "year" => n
                .checked_mul(12)
                .map(Every::Months)
                .ok_or_else(|| format!("`{text}`: the number is too large")),
            _ => {
                let units = ["days", "weeks", "months", "years"];
                let hint = match suggest(unit, units) {
                    Some(s) => format!(" (did you mean `{s}`?)"),
                    None => String::new(),
                };
                Err(format!(
                    "`{text}`: `{unit}` is not a unit{hint}: use days, weeks, months or years"
                ))
            }
        }
    }
}

/// The `n`-th date of a repeat starting on `anchor` (`n` = 0 is `anchor`). Each is counted
/// from the anchor, not from the one before, so a month end stays a month end: 31 January
/// gives 28 (or 29) February, then 31 March. Dates past the year 9999 are that year's last day.
pub fn occurrence(anchor: Date, every: Every, n: u32) -> Date {
    let n = i64::from(n);
    let days = match every {
        Every::Days(d) => i64::from(d).checked_mul(n),
        Every::Weeks(w) => (7 * i64::from(w)).checked_mul(n),
        Every::Months(m) => return add_months(anchor, i64::from(m).checked_mul(n)),
    };
    days.map_or(Date::MAX, |days| dates::add_days(anchor, days))
}

fn add_months(anchor: Date, months: Option<i64>) -> Date {
    let index = months.and_then(|m| {
        (i64::from(anchor.year()) * 12 + i64::from(anchor.month()) - 1).checked_add(m)
    });
    let Some(index) = index else {
        return Date::MAX;
    };
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as i8 + 1);
    let Some(first) = i16::try_from(year)
        .ok()
        .and_then(|y| Date::new(y, month, 1).ok())
    else {
        return Date::MAX;
    };
    let day = anchor.day().min(first.days_in_month());
    Date::new(first.year(), month, day).unwrap_or(Date::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        dates::parse(text).unwrap()
    }

    fn rules(holidays: &[&str], shift: Shift) -> CalendarRules {
        let holidays = holidays.iter().map(|h| d(h)).collect();
        CalendarRules::new(&WEEKDAYS[..5], holidays, shift)
    }

    fn closure(from: &str, to: &str) -> [DateRange; 1] {
        [DateRange {
            from: d(from),
            to: d(to),
        }]
    }

    /// `2026-06-01 +2`, with ` stuck` when it is.
    fn shifted(rules: &CalendarRules, from: &str, blackout: &[DateRange]) -> String {
        let s = rules.shift(d(from), blackout);
        let stuck = if s.stuck { " stuck" } else { "" };
        format!("{} {:+}{stuck}", dates::iso(s.date), s.moved_by)
    }

    fn ics(events: &str) -> String {
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}END:VCALENDAR\r\n")
    }

    /// A calendar of one event, whose first property is on line 4.
    fn event(props: &str) -> String {
        ics(&format!("BEGIN:VEVENT\r\n{props}END:VEVENT\r\n"))
    }

    fn closed(text: &str) -> Vec<String> {
        let found = holidays_from_ics(text).unwrap();
        found.into_iter().map(dates::iso).collect()
    }

    #[test]
    fn weekdays_parse_short_full_and_any_case() {
        assert_eq!(parse_weekday("mon"), Ok(Weekday::Monday));
        assert_eq!(parse_weekday("SUN"), Ok(Weekday::Sunday));
        assert_eq!(parse_weekday(" Wednesday "), Ok(Weekday::Wednesday));
        assert_eq!(parse_weekday("thurs"), Ok(Weekday::Thursday));
        assert_eq!(parse_weekday("Tues"), Ok(Weekday::Tuesday));
    }

    #[test]
    fn weekday_errors_name_the_word_and_list_the_days() {
        let e = parse_weekday("fir").unwrap_err();
        assert!(e.contains("`fir` is not a day of the week"), "{e}");
        assert!(e.contains("did you mean `fri`?"), "{e}");
        assert!(e.contains("mon, tue, wed, thu, fri, sat and sun"), "{e}");
        let e = parse_weekday("holiday").unwrap_err();
        assert!(e.contains("`holiday`") && !e.contains("did you"), "{e}");
        assert!(parse_weekday("mo").is_err());
        assert!(parse_weekday("").unwrap_err().contains("blank"));
    }

    #[test]
    fn shift_words_parse_and_next_is_the_default() {
        assert_eq!(Shift::default(), Shift::Next);
        assert_eq!(Shift::parse("Previous"), Ok(Shift::Previous));
        assert_eq!(Shift::parse("nearest"), Ok(Shift::Nearest));
        let e = Shift::parse("nearst").unwrap_err();
        assert!(e.contains("did you mean `nearest`?"), "{e}");
    }

    #[test]
    fn date_ranges_include_both_ends() {
        let [r] = closure("2026-08-03", "2026-08-14");
        assert!(r.contains(d("2026-08-03")) && r.contains(d("2026-08-14")));
        assert!(!r.contains(d("2026-08-02")) && !r.contains(d("2026-08-15")));
        let [backwards] = closure("2026-08-14", "2026-08-03");
        assert!(!backwards.contains(d("2026-08-10")));
    }

    #[test]
    fn weekends_shift_by_each_rule_and_open_days_stay() {
        let (next, previous) = (rules(&[], Shift::Next), rules(&[], Shift::Previous));
        let nearest = rules(&[], Shift::Nearest);
        assert_eq!(shifted(&next, "2026-06-17", &[]), "2026-06-17 +0");
        // 2026-05-30 is a Saturday, 2026-05-31 a Sunday.
        assert_eq!(shifted(&next, "2026-05-30", &[]), "2026-06-01 +2");
        assert_eq!(shifted(&previous, "2026-05-31", &[]), "2026-05-29 -2");
        assert_eq!(shifted(&nearest, "2026-05-30", &[]), "2026-05-29 -1");
        assert_eq!(shifted(&nearest, "2026-05-31", &[]), "2026-06-01 +1");
    }

    #[test]
    fn a_friday_holiday_moves_to_monday_and_a_monday_holiday_back_to_friday() {
        let next = rules(&["2026-05-29"], Shift::Next);
        assert_eq!(shifted(&next, "2026-05-29", &[]), "2026-06-01 +3");
        let previous = rules(&["2026-06-01"], Shift::Previous);
        assert_eq!(shifted(&previous, "2026-06-01", &[]), "2026-05-29 -3");
        // Easter: Good Friday and Easter Monday both closed.
        let easter = ["2026-04-03", "2026-04-06"];
        let next = rules(&easter, Shift::Next);
        assert_eq!(shifted(&next, "2026-04-03", &[]), "2026-04-07 +4");
        let previous = rules(&easter, Shift::Previous);
        assert_eq!(shifted(&previous, "2026-04-06", &[]), "2026-04-02 -4");
    }

    #[test]
    fn christmas_and_new_year_closures_cross_the_year_end() {
        // UK 2026: Christmas on a Friday, Boxing Day's substitute on Monday 28th.
        let uk = ["2026-12-25", "2026-12-28", "2027-01-01"];
        let next = rules(&uk, Shift::Next);
        assert_eq!(shifted(&next, "2026-12-25", &[]), "2026-12-29 +4");
        assert_eq!(shifted(&next, "2027-01-01", &[]), "2027-01-04 +3");
        let previous = rules(&uk, Shift::Previous);
        assert_eq!(shifted(&previous, "2026-12-28", &[]), "2026-12-24 -4");
        assert_eq!(shifted(&previous, "2027-01-03", &[]), "2026-12-31 -3");
        // Saturday 26th: Friday and Monday are closed, Thursday is two days back.
        let nearest = rules(&uk, Shift::Nearest);
        assert_eq!(shifted(&nearest, "2026-12-26", &[]), "2026-12-24 -2");
        assert!(!next.is_open(d("2026-12-28"), &[]));
        assert!(next.is_open(d("2026-12-31"), &[]));
    }

    #[test]
    fn blackouts_move_a_date_past_their_ends() {
        let shutdown = closure("2026-08-03", "2026-08-14");
        let next = rules(&[], Shift::Next);
        assert!(!next.is_open(d("2026-08-05"), &shutdown));
        assert_eq!(shifted(&next, "2026-08-05", &shutdown), "2026-08-17 +12");
        let previous = rules(&[], Shift::Previous);
        assert_eq!(shifted(&previous, "2026-08-05", &shutdown), "2026-07-31 -5");
        // From Monday the 10th: 7 days on to the 17th, 10 back to 31 July.
        let nearest = rules(&[], Shift::Nearest);
        assert_eq!(shifted(&nearest, "2026-08-10", &shutdown), "2026-08-17 +7");
        assert_eq!(shifted(&nearest, "2026-08-04", &shutdown), "2026-07-31 -4");
    }

    #[test]
    fn nearest_picks_the_later_day_on_a_tie() {
        // Wednesday 17 June closed: Tuesday and Thursday are both one day away.
        let nearest = rules(&["2026-06-17"], Shift::Nearest);
        assert_eq!(shifted(&nearest, "2026-06-17", &[]), "2026-06-18 +1");
        // A closed Friday before a weekend: Thursday (1 back) beats Monday (3 on).
        let nearest = rules(&["2026-05-29"], Shift::Nearest);
        assert_eq!(shifted(&nearest, "2026-05-29", &[]), "2026-05-28 -1");
    }

    #[test]
    fn no_open_day_within_the_bound_is_stuck_and_keeps_the_date() {
        let never = CalendarRules::new(&[], BTreeSet::new(), Shift::Nearest);
        assert_eq!(shifted(&never, "2026-06-17", &[]), "2026-06-17 +0 stuck");
        let two_years = closure("2026-01-01", "2027-12-31");
        let next = rules(&[], Shift::Next);
        assert_eq!(
            shifted(&next, "2026-06-01", &two_years),
            "2026-06-01 +0 stuck"
        );
        // Looking back finds 31 December 2025, well within the bound.
        let previous = rules(&[], Shift::Previous);
        assert_eq!(
            shifted(&previous, "2026-06-01", &two_years),
            "2025-12-31 -152"
        );
    }

    #[test]
    fn settings_default_to_monday_to_friday_and_read_toml() {
        let rules = CalendarSettings::default().rules(None).unwrap();
        assert_eq!(rules, CalendarRules::default());

        let settings: CalendarSettings = toml::from_str(
            r#"working_days = ["Sun", "monday", "tue", "wed", "thu"]
               holidays = ["2026-12-25"]
               holidays_file = "closures.ics"
               shift = "previous""#,
        )
        .unwrap();
        assert_eq!(settings.holidays_file.as_deref(), Some("closures.ics"));
        let file = event("DTSTART;VALUE=DATE:20260410\r\n");
        let rules = settings.rules(Some(&file)).unwrap();
        assert!(rules.is_working_day(Weekday::Sunday));
        assert!(!rules.is_working_day(Weekday::Friday));
        assert_eq!(rules.shift_rule(), Shift::Previous);
        let holidays: Vec<_> = rules.holidays().iter().map(|h| dates::iso(*h)).collect();
        assert_eq!(holidays, ["2026-04-10", "2026-12-25"]);

        assert!(toml::from_str::<CalendarSettings>("workdays = [\"mon\"]").is_err());
        let only_shift: CalendarSettings = toml::from_str("shift = \"nearest\"").unwrap();
        assert_eq!(only_shift.working_days, ["mon", "tue", "wed", "thu", "fri"]);
    }

    #[test]
    fn settings_errors_are_all_reported_in_plain_words() {
        let settings = CalendarSettings {
            working_days: Vec::new(),
            holidays: ["2026-12-25", "2026-02-30", "25/12/2026"]
                .map(String::from)
                .to_vec(),
            holidays_file: Some("closures.ics".into()),
            shift: "later".into(),
        };
        let e = settings.rules(Some("not a calendar")).unwrap_err();
        for expected in [
            "`working_days` is empty: at least one day",
            "entry 2 of `holidays`: `2026-02-30` is not a real",
            "entry 3 of `holidays`: `25/12/2026`",
            "`closures.ics`: this is not an iCalendar file",
            "`shift`: `later` is not a shift rule",
        ] {
            assert!(e.contains(expected), "{e}");
        }
        let bad_day = CalendarSettings {
            working_days: vec!["mon".into(), "satday".into()],
            ..CalendarSettings::default()
        };
        let e = bad_day.rules(None).unwrap_err();
        assert!(
            e.starts_with("`working_days`: `satday` is not a day"),
            "{e}"
        );
    }

    #[test]
    fn ics_reads_folded_crlf_multi_day_yearly_and_skips_timed_events() {
        let text = ics(concat!(
            "BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\nDTSTART:19701025T020000\r\n",
            "END:VTIMEZONE\r\n",
            "BEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Summer shut\r\n down\r\n",
            "DTSTART;VALUE=DATE:2026\r\n 0803\r\nDTEND;VALUE=DATE:20260806\r\n",
            "BEGIN:VALARM\r\nTRIGGER:-PT15M\r\nDTSTART:20300101\r\nEND:VALARM\r\n",
            "END:VEVENT\r\n",
            "BEGIN:VEVENT\r\nDTSTART:20261225\r\nRRULE:FREQ=YEARLY;COUNT=3\r\nEND:VEVENT\r\n",
            "BEGIN:VEVENT\r\nSUMMARY:Board meeting\r\n",
            "DTSTART;TZID=\"Europe/London\":20260901T090000\r\nEND:VEVENT\r\n",
            "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261001\r\nSTATUS:CANCELLED\r\n",
            "END:VEVENT\r\n",
        ));
        let expected = ["2026-08-03", "2026-08-04", "2026-08-05"];
        let yearly = ["2026-12-25", "2027-12-25", "2028-12-25"];
        assert_eq!(closed(&text), [expected, yearly].concat());
    }

    #[test]
    fn ics_reads_lf_tab_folds_durations_and_same_day_ends() {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20270101\n\
                    DTEND;VALUE=DATE:20270101\nEND:VEVENT\nBEGIN:VEVENT\n\
                    DTSTART;VALUE=DATE:20270\n\t104\nDURATION:P2D\nEND:VEVENT\nEND:VCALENDAR\n";
        assert_eq!(closed(text), ["2027-01-01", "2027-01-04", "2027-01-05"]);
    }

    #[test]
    fn ics_yearly_rules_stop_at_until_interval_leap_days_and_the_limit() {
        let yearly = |start: &str, rule: &str| {
            event(&format!(
                "DTSTART;VALUE=DATE:{start}\r\nRRULE:FREQ=YEARLY{rule}\r\n"
            ))
        };
        let until = yearly("20251226", ";UNTIL=20271226T000000Z");
        assert_eq!(closed(&until), ["2025-12-26", "2026-12-26", "2027-12-26"]);
        let leap = yearly("20240229", ";COUNT=2");
        assert_eq!(closed(&leap), ["2024-02-29", "2028-02-29"]);
        let every_other = yearly("20260101", ";INTERVAL=2;COUNT=3");
        assert_eq!(
            closed(&every_other),
            ["2026-01-01", "2028-01-01", "2030-01-01"]
        );
        let endless = closed(&yearly("20000101", ""));
        assert_eq!(endless.len() as i64, YEARLY_LIMIT);
        assert_eq!(endless.last().map(String::as_str), Some("2099-01-01"));
    }

    #[test]
    fn ics_other_rules_keep_the_first_date_and_are_reported() {
        let text = ics(concat!(
            "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260525\r\n",
            "RRULE:FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO\r\nEND:VEVENT\r\n",
            "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260601\r\nRRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\n",
        ));
        let found = read_ics(&text).unwrap();
        assert_eq!(found.dates, [d("2026-05-25"), d("2026-06-01")]);
        assert_eq!(found.ignored_rules.len(), 2);
        assert!(found.ignored_rules[0].starts_with("line 5: `RRULE:FREQ=YEARLY;BYMONTH=5"));
        assert!(found.ignored_rules[1].contains("FREQ=WEEKLY"));
    }

    #[test]
    fn ics_errors_name_the_line() {
        let start = "DTSTART;VALUE=DATE:20261225\r\n";
        let cases = [
            (
                "DTSTART;VALUE=DATE:2026122\r\n",
                "line 4: `DTSTART` is `2026122`, which is not a date in the form YYYYMMDD",
            ),
            (
                "DTSTART;VALUE=DATE:20260230\r\n",
                "line 4: `DTSTART` is `20260230`, which is not a real calendar date",
            ),
            (
                "DTEND;VALUE=DATE:20261224\r\n",
                "line 5: the event ends (`DTEND` 20261224) before it starts",
            ),
            (
                "DTEND:20261226T120000\r\n",
                "line 5: `DTEND` is `20261226T120000`, a time",
            ),
            ("DTEND;VALUE=DATE:30261226\r\n", "line 4: the event lasts"),
            ("DURATION:PT4H\r\n", "line 5: `DURATION` is `PT4H`"),
            (
                "RRULE:FREQ=YEARLY;COUNT=0\r\n",
                "line 5: in `RRULE:FREQ=YEARLY;COUNT=0`, `COUNT` must be",
            ),
        ];
        for (props, expected) in cases {
            let props = if props.starts_with("DTSTART") {
                props.to_string()
            } else {
                format!("{start}{props}")
            };
            let e = holidays_from_ics(&event(&props)).unwrap_err();
            assert!(e.starts_with(expected), "{e}");
        }
        let cut = holidays_from_ics("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261225\n");
        assert!(cut.unwrap_err().contains("begins on line 2"));
        let csv = holidays_from_ics("date\n2026-12-25\n");
        assert!(csv.unwrap_err().contains("not an iCalendar"));
    }

    #[test]
    fn repeats_parse_units_and_reject_zero_and_negative() {
        let cases = [
            ("1 month", Every::Months(1)),
            ("2 Months", Every::Months(2)),
            ("14 days", Every::Days(14)),
            ("1 day", Every::Days(1)),
            ("3 weeks", Every::Weeks(3)),
            ("1week", Every::Weeks(1)),
            ("weekly", Every::Weeks(1)),
            ("fortnightly", Every::Weeks(2)),
            ("1 year", Every::Months(12)),
        ];
        for (text, every) in cases {
            assert_eq!(Every::parse(text), Ok(every), "{text}");
        }
        let errors = [
            ("0 days", "would never move on"),
            ("-1 month", "goes backwards"),
            ("month", "write a number and a unit"),
            ("2 mnths", "`mnths` is not a unit (did you mean `months`?)"),
            ("99999999999 days", "too large"),
        ];
        for (text, expected) in errors {
            let e = Every::parse(text).unwrap_err();
            assert!(
                e.starts_with(&format!("`{text}`")) && e.contains(expected),
                "{e}"
            );
        }
    }

    #[test]
    fn monthly_repeats_count_from_the_anchor_and_clamp_month_ends() {
        let at = |anchor: &str, every, n| dates::iso(occurrence(d(anchor), every, n));
        let monthly = Every::Months(1);
        assert_eq!(at("2026-01-31", monthly, 0), "2026-01-31");
        assert_eq!(at("2026-01-31", monthly, 1), "2026-02-28");
        assert_eq!(at("2026-01-31", monthly, 2), "2026-03-31");
        assert_eq!(at("2026-01-31", monthly, 3), "2026-04-30");
        assert_eq!(at("2028-01-31", monthly, 1), "2028-02-29");
        assert_eq!(at("2027-01-30", monthly, 1), "2027-02-28");
        assert_eq!(at("2026-12-31", Every::Months(2), 1), "2027-02-28");
        assert_eq!(at("2027-12-31", Every::Months(2), 1), "2028-02-29");
        assert_eq!(at("2027-12-31", Every::Months(2), 6), "2028-12-31");
        assert_eq!(at("2024-02-29", Every::Months(12), 1), "2025-02-28");
        assert_eq!(at("2024-02-29", Every::Months(12), 4), "2028-02-29");
        assert_eq!(at("2026-11-15", monthly, 14), "2028-01-15");
        assert_eq!(occurrence(d("9999-06-01"), monthly, 12), Date::MAX);
    }

    #[test]
    fn daily_and_weekly_repeats_cross_year_ends_and_leap_days() {
        let at = |anchor: &str, every, n| dates::iso(occurrence(d(anchor), every, n));
        assert_eq!(at("2026-12-25", Every::Days(14), 1), "2027-01-08");
        assert_eq!(at("2026-12-25", Every::Days(14), 3), "2027-02-05");
        assert_eq!(at("2028-02-22", Every::Weeks(1), 1), "2028-02-29");
        assert_eq!(at("2026-02-22", Every::Weeks(1), 1), "2026-03-01");
        assert_eq!(at("2026-01-01", Every::Weeks(2), 26), "2026-12-31");
        let far = occurrence(d("2026-01-01"), Every::Weeks(u32::MAX), u32::MAX);
        assert_eq!(far, Date::MAX);
    }
}
