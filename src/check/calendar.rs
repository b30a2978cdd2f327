//! Checks of a client's calendar: the journey files it skips, its one-off steps, the client
//! dates touchpoints count from, and client-visible steps left on a closed day.

use jiff::civil::Date;

use super::did_you_mean;
use crate::calendar_rules;
use crate::diagnostics::Diagnostic;
use crate::history::History;
use crate::model::{Client, Repeat, RepeatEnd, Site, Touchpoint, Visibility, When};

/// A touchpoint counted from a client date that no client has: nobody gets it yet, which is
/// worth saying once (a client without the date lists it as waiting in its runbook).
pub(super) fn unused_date_names(site: &Site, t: &Touchpoint) -> Vec<Diagnostic> {
    let mut names = Vec::new();
    if let When::After { date, .. } | When::Before { date, .. } = &t.when {
        names.push(date);
    }
    if let Some(RepeatEnd::UntilDate(date)) = t.repeat.as_ref().map(|r| &r.end) {
        names.push(date);
    }
    if matches!(t.when, When::On(_)) || site.clients.is_empty() {
        return Vec::new();
    }
    names
        .into_iter()
        .filter(|name| {
            !site
                .clients
                .iter()
                .any(|c| c.dates.contains_key(&name.value))
        })
        .map(|name| {
            let known: Vec<&str> = site
                .clients
                .iter()
                .flat_map(|c| c.dates.keys().map(String::as_str))
                .collect();
            let d = Diagnostic::warning(
                &t.file,
                format!(
                    "no client has a `{}` date, so no client has this touchpoint yet",
                    name.value
                ),
            )
            .at(name.at);
            did_you_mean(
                d,
                &name.value,
                &known,
                format!(
                    "add `{}: YYYY-MM-DD` under `dates:` in the files of the clients it is for",
                    name.value
                ),
            )
        })
        .collect()
}

/// A client's `skip` list and one-off steps, and the steps its portal shows on closed days.
pub(super) fn client(
    site: &Site,
    c: &Client,
    journey_ids: &[&str],
    today: Date,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for s in &c.skip {
        if !journey_ids.contains(&s.value.as_str()) {
            let d = Diagnostic::error(
                &c.file,
                format!("`skip`: there is no touchpoint `{}` in journey/", s.value),
            )
            .at(s.at);
            diags.push(did_you_mean(
                d,
                &s.value,
                journey_ids,
                "name a journey file without `.md`".into(),
            ));
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    for t in &c.touchpoints {
        if journey_ids.contains(&t.id.as_str()) || seen.contains(&t.id.as_str()) {
            diags.push(
                Diagnostic::error(
                    &c.file,
                    format!(
                        "the one-off touchpoint `{}` has the id of another touchpoint",
                        t.id
                    ),
                )
                .at(t.owner.at)
                .help("give it an `id` of its own: the journey log names touchpoints by id"),
            );
        }
        seen.push(&t.id);
    }
    let history = History::of(site, c, today);
    diags.extend(closed_days(c, &history));
    diags.extend(cut_short(c, &history));
    diags
}

/// The steps the client sees that stay on a closed day: one warning per touchpoint, so that
/// a daily repeat inside a five-year blackout says so once, not a thousand times.
fn closed_days(c: &Client, history: &History) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let closed = history
        .steps
        .iter()
        .filter(|s| s.closed_day && s.touchpoint.visibility == Visibility::Client);
    for step in closed.clone() {
        let t = &step.touchpoint;
        if seen.contains(&t.id.as_str()) {
            continue;
        }
        seen.push(&t.id);
        let times = closed.clone().filter(|s| s.touchpoint.id == t.id).count();
        let (what, help) = if t.exact {
            (
                "`exact: true` keeps it there",
                "remove `exact: true`, or check [calendar] and the client's `blackout`".to_string(),
            )
        } else {
            (
                "no open day was found near it",
                format!(
                    "no day within {} days the way `shift` looks is open: check [calendar] (`working_days`, `holidays`) and the client's `blackout`",
                    calendar_rules::SEARCH_DAYS
                ),
            )
        };
        let when = match times {
            1 => format!("falls on {}", crate::dates::long(step.planned)),
            n => format!(
                "falls {n} times on closed days, the first on {}",
                crate::dates::long(step.planned)
            ),
        };
        diags.push(
            Diagnostic::warning(
                &t.file,
                format!(
                    "`{}` {when} for {}, a day the firm or the client is closed: {what}",
                    if times == 1 {
                        step.title()
                    } else {
                        t.title.clone()
                    },
                    c.name
                ),
            )
            .at(Some(crate::diagnostics::Position::new(1, 1)))
            .help(format!("the client sees this date; {help}")),
        );
    }
    diags
}

/// Repeats that run `until` a day or date but reach [`Repeat::MAX_OCCURRENCES`] first: the
/// occurrences after that are not scheduled, which `every: "1 day"` with `until: "day 3660"`
/// would otherwise hide.
fn cut_short(c: &Client, history: &History) -> Vec<Diagnostic> {
    let last = history
        .steps
        .iter()
        .filter(|s| s.occurrence == Some(Repeat::MAX_OCCURRENCES));
    let mut diags = Vec::new();
    for step in last {
        let t = &step.touchpoint;
        let Some(Repeat { every, end }) = &t.repeat else {
            continue;
        };
        let until = match end {
            RepeatEnd::Count(_) => continue,
            RepeatEnd::UntilDay(day) => c.date_of_day(*day),
            RepeatEnd::UntilDate(name) => match c.dates.get(&name.value) {
                Some(d) => d.value,
                None => continue,
            },
        };
        // The date the first occurrence was computed as, before the calendar moved it.
        let first = history
            .steps
            .iter()
            .find(|s| s.touchpoint.id == t.id && s.occurrence == Some(1))
            .map_or(step.planned, |s| s.shifted_from.unwrap_or(s.planned));
        let next = calendar_rules::occurrence(first, *every, Repeat::MAX_OCCURRENCES);
        if next > until {
            continue;
        }
        diags.push(
            Diagnostic::warning(
                &t.file,
                format!(
                    "`{}` would repeat more than {} times before its `until` for {}: only the first {} are scheduled, up to {}",
                    t.title,
                    Repeat::MAX_OCCURRENCES,
                    c.name,
                    Repeat::MAX_OCCURRENCES,
                    crate::dates::long(step.planned)
                ),
            )
            .at(Some(crate::diagnostics::Position::new(1, 1)))
            .help(format!(
                "a repeat has at most {} occurrences: repeat less often, or end it sooner",
                Repeat::MAX_OCCURRENCES
            )),
        );
    }
    diags
}
