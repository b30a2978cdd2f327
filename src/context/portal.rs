//! The client-facing context. Built from one client at a time, from the fields a client may
//! see: no `internal` notes, no internal touchpoints, no scripts, no other clients.

use jiff::civil::Date;
use serde::Serialize;

use super::{first_name, MemberView};
use crate::dates;
use crate::history::{History, Status};
use crate::model::{Client, Site, Visibility};
use crate::subscribe::CalendarLinks;

#[derive(Debug, Clone, Serialize)]
pub struct PortalContact {
    pub name: String,
    pub first_name: String,
    pub role: String,
    pub email: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PortalClient {
    pub id: String,
    pub name: String,
    pub start: String,
    pub start_long: String,
    /// Which day of the journey the build date is (0 or less before the start).
    pub day: i64,
    pub contact: PortalContact,
    pub contacts: Vec<PortalContact>,
    pub goals: Vec<String>,
    pub cares_about: Vec<String>,
    pub welcome_html: String,
    /// Links that add the client's own calendar (`journey.ics`) to their calendar app, as a
    /// subscription or a download. Never another calendar: this is the only one they see.
    pub calendar: CalendarLinks,
}

#[derive(Debug, Clone, Serialize)]
pub struct PortalMember {
    #[serde(flatten)]
    pub profile: MemberView,
    /// What this person does for this client, as role labels (`[roles]` in `hundred.toml`),
    /// in the team's order: `["Account lead", "Founder"]`.
    pub helps_with: Vec<String>,
    /// The same as it reads after "Your": `account lead and founder`.
    pub helps_with_words: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TimelineStep {
    pub id: String,
    pub title: String,
    pub day: i64,
    pub date: String,
    pub date_long: String,
    pub date_short: String,
    pub stage: String,
    pub channel: String,
    /// The `portal` sentence written for clients.
    pub text: String,
    pub with: Option<String>,
    /// `done` (logged done), `open` (its date passed and the team has not confirmed it: shown
    /// as "date to be confirmed", never as done or late), `today` or `upcoming`. Skipped steps
    /// are not on the timeline at all.
    pub status: &'static str,
    /// Whether it was moved from the journey's first date; `date` is the new one.
    pub moved: bool,
    /// For a repeat, listed once: every occurrence but the skipped ones, in order (this
    /// step's date and status are its current one's, the earliest not yet done).
    pub occurrences: Vec<PortalOccurrence>,
    /// For a repeat, how often in words: `every month`, `every 2 weeks`.
    pub every: Option<String>,
}

/// One date of a repeating step, as the client sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PortalOccurrence {
    pub date: String,
    pub date_short: String,
    /// As a [`TimelineStep`]'s.
    pub status: &'static str,
    pub current: bool,
}

/// Everything the portal pages of one client are made from.
#[derive(Debug, Clone, Serialize)]
pub struct PortalData {
    pub client: PortalClient,
    pub team: Vec<PortalMember>,
    pub timeline: Vec<TimelineStep>,
}

impl PortalData {
    pub fn new(site: &Site, client: &Client, history: &History, today: Date) -> Self {
        let contacts: Vec<PortalContact> = client
            .contacts
            .iter()
            .map(|c| PortalContact {
                name: c.name.clone(),
                first_name: first_name(&c.name),
                role: c.role.clone(),
                email: c.email.clone(),
                phone: c.phone.clone(),
            })
            .collect();
        let mut team: Vec<PortalMember> = Vec::new();
        for role in team_order(client, history, today) {
            let Some(m) = client.member_for_role(role).and_then(|id| site.member(id)) else {
                continue;
            };
            let label = site.config.role_label(role);
            match team.iter_mut().find(|t| t.profile.id == m.id) {
                Some(t) => t.helps_with.push(label),
                None => team.push(PortalMember {
                    profile: MemberView::new(m, "assets/"),
                    helps_with: vec![label],
                    helps_with_words: String::new(),
                }),
            }
        }
        for t in &mut team {
            t.helps_with_words = in_words(&t.helps_with);
        }
        // The portal learns a step's status and date from the log, never an entry's words.
        let timeline = history
            .shown()
            .into_iter()
            .map(|k| (k, &history.steps[k]))
            .filter(|(_, step)| step.touchpoint.visibility == Visibility::Client)
            .filter(|(_, step)| step.status(today) != Status::Skipped)
            .map(|(k, step)| {
                let t = &*step.touchpoint;
                let date = step.date;
                let occurrences = match step.occurrence {
                    None => Vec::new(),
                    Some(_) => history
                        .occurrences(k)
                        .into_iter()
                        .map(|i| (i, &history.steps[i]))
                        .filter(|(_, o)| o.status(today) != Status::Skipped)
                        .map(|(i, o)| PortalOccurrence {
                            date: dates::iso(o.date),
                            date_short: dates::short(o.date),
                            status: o.status(today).name(),
                            current: i == k,
                        })
                        .collect(),
                };
                TimelineStep {
                    every: t.repeat.as_ref().map(|r| every_words(r.every)),
                    occurrences,
                    id: t.id.clone(),
                    title: t.title.clone(),
                    day: step.day,
                    date: dates::iso(date),
                    date_long: dates::long(date),
                    date_short: dates::short(date),
                    stage: t.stage.value.clone(),
                    channel: t.channel.clone(),
                    text: t.portal.clone().unwrap_or_default(),
                    with: client
                        .member_for_role(&t.owner.value)
                        .and_then(|id| site.member(id))
                        .map(|m| m.name.clone()),
                    status: step.status(today).name(),
                    moved: step.date != step.planned,
                }
            })
            .collect();
        PortalData {
            client: PortalClient {
                id: client.id.clone(),
                name: client.name.clone(),
                start: dates::iso(client.start),
                start_long: dates::long(client.start),
                day: dates::journey_day(client.start, today),
                contact: contacts[0].clone(),
                contacts,
                goals: client.goals.clone(),
                cares_about: client.cares_about.clone(),
                welcome_html: crate::markdown::to_html(&client.welcome),
                calendar: CalendarLinks::portal(site, client),
            },
            team,
            timeline,
        }
    }

    /// The next few steps from the build date on, by date, for the welcome page.
    pub fn next_steps(&self, n: usize) -> Vec<&TimelineStep> {
        let mut ahead: Vec<&TimelineStep> = self
            .timeline
            .iter()
            .filter(|s| s.status == "today" || s.status == "upcoming")
            .collect();
        ahead.sort_by(|a, b| a.date.cmp(&b.date));
        ahead.truncate(n);
        ahead
    }

    /// Photos the client's pages show, as paths inside `static/`: copied into the client's
    /// folder so it can be deployed on its own.
    pub fn photos(site: &Site, client: &Client) -> Vec<String> {
        let mut v: Vec<String> = client
            .team
            .values()
            .filter_map(|id| site.member(&id.value))
            .filter_map(|m| m.photo.as_ref().map(|p| p.value.clone()))
            .collect();
        v.extend(
            site.config
                .firm
                .logo
                .iter()
                .map(|l| l.trim_start_matches('/').to_string()),
        );
        v.sort();
        v.dedup();
        v
    }
}

/// The roles of `client`'s team in the order a client meets them: the account lead first,
/// then each role by the journey day of the first step it leads that the client sees (as their
/// timeline shows it: client steps, not skipped); roles that lead none of those come last, the
/// common roles in the order of [`DEFAULT_ROLE_LABELS`], then the rest by id. A member with
/// several roles is placed by the first of them.
///
/// [`DEFAULT_ROLE_LABELS`]: crate::config::DEFAULT_ROLE_LABELS
pub fn team_order<'a>(client: &'a Client, history: &History, today: Date) -> Vec<&'a str> {
    let first_day = |role: &str| {
        history
            .steps
            .iter()
            .filter(|s| s.touchpoint.owner.value == role)
            .filter(|s| s.touchpoint.visibility == Visibility::Client)
            .filter(|s| s.status(today) != Status::Skipped)
            .map(|s| s.day)
            .min()
    };
    let common = |role: &str| {
        crate::config::DEFAULT_ROLE_LABELS
            .iter()
            .position(|(id, _)| *id == role)
            .unwrap_or(usize::MAX)
    };
    let mut roles: Vec<(bool, Option<i64>, usize, &str)> = client
        .team
        .keys()
        .map(|r| (r != "account-lead", first_day(r), common(r), r.as_str()))
        .collect();
    // `None` (no step) after every day.
    roles.sort_by_key(|&(not_lead, day, common, id)| (not_lead, day.is_none(), day, common, id));
    roles.into_iter().map(|(_, _, _, id)| id).collect()
}

/// Role labels as they read after "Your": `account lead`, `account lead and founder`,
/// `project lead, engineer and founder`.
pub fn in_words(labels: &[String]) -> String {
    let words: Vec<String> = labels.iter().map(|l| in_sentence(l)).collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A label inside a sentence: its first letter in lower case (`Billing contact` → `billing
/// contact`), unless its first word is not an ordinary word, which keeps its capitals: `UX
/// lead`, `iOS engineer`, `Ada's deputy`, `Q4 planner`.
pub fn in_sentence(label: &str) -> String {
    let first = label.split_whitespace().next().unwrap_or("");
    let mut chars = first.chars();
    let ordinary =
        chars.next().is_some_and(char::is_uppercase) && chars.all(|c| c.is_lowercase() || c == '-');
    if !ordinary {
        return label.to_string();
    }
    let mut chars = label.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A role id in words, for a role no label names: `account-lead` → `Account lead`.
pub fn role_label(role: &str) -> String {
    let words = role.replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `every month`, `every 2 weeks`, `every 10 days`.
fn every_words(every: crate::calendar_rules::Every) -> String {
    use crate::calendar_rules::Every;
    let (n, unit) = match every {
        Every::Days(n) => (n, "day"),
        Every::Weeks(n) => (n, "week"),
        Every::Months(n) => (n, "month"),
    };
    if n == 1 {
        format!("every {unit}")
    } else {
        format!("every {n} {unit}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_in_a_sentence() {
        let words = |l: &[&str]| in_words(&l.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(words(&["Billing contact"]), "billing contact");
        assert_eq!(
            words(&["Account lead", "Founder"]),
            "account lead and founder"
        );
        assert_eq!(
            words(&["Project lead", "UX lead", "Ada's deputy"]),
            "project lead, UX lead and Ada's deputy"
        );
        assert_eq!(in_sentence("iOS engineer"), "iOS engineer");
        assert_eq!(in_sentence("Co-founder"), "co-founder");
        assert_eq!(words(&[]), "");
    }
}
