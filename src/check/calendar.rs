//! Checks of a client's calendar: the journey files it skips, its one-off steps, the client
//! dates touchpoints count from, and client-visible steps left on a closed day.

use jiff::civil::Date;

use super::did_you_mean;
use crate::diagnostics::Diagnostic;
use crate::history::History;
use crate::model::{Client, RepeatEnd, Site, Touchpoint, Visibility, When};

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
    for step in history.steps.iter().filter(|s| s.closed_day) {
        let t = &step.touchpoint;
        if t.visibility != Visibility::Client {
            continue;
        }
        let why = if t.exact {
            "`exact: true` keeps it there"
        } else {
            "no open day was found near it"
        };
        diags.push(
            Diagnostic::warning(
                &t.file,
                format!(
                    "`{}` falls on {} for {}, a day the firm or the client is closed: {why}",
                    step.title(),
                    crate::dates::long(step.planned),
                    c.name
                ),
            )
            .at(Some(crate::diagnostics::Position::new(1, 1)))
            .help("the client sees this date; remove `exact: true`, or check [calendar] and the client's `blackout`"),
        );
    }
    diags
}
