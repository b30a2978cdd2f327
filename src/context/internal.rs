//! The team's context: runbooks with hand-off notes and personalised scripts, the overview of
//! what is due, the team directory and the playbook.

use jiff::civil::Date;
use serde::Serialize;

use super::{first_name, portal::role_label, status, MemberView};
use crate::dates;
use crate::markdown;
use crate::model::{Client, Site, Visibility};

/// How many days ahead the overview lists what is due.
pub const DUE_WINDOW_DAYS: i64 = 14;

/// How many days back the overview calls a touchpoint overdue. `hundred` cannot know whether a
/// touchpoint was done, so "overdue" means: its date was in the last week, before the build
/// date. Older ones have left the window and are not listed again.
pub const OVERDUE_WINDOW_DAYS: i64 = 7;

#[derive(Debug, Clone, Serialize)]
pub struct Note {
    pub label: String,
    pub html: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct InternalContact {
    pub name: String,
    pub first_name: String,
    pub role: String,
    pub email: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InternalClient {
    pub id: String,
    pub name: String,
    pub start: String,
    pub start_long: String,
    pub day: i64,
    pub stage: String,
    pub contacts: Vec<InternalContact>,
    pub goals: Vec<String>,
    pub cares_about: Vec<String>,
    pub welcome_html: String,
    /// The `internal` notes, each rendered to HTML.
    pub notes: Vec<Note>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Assignment {
    pub role: String,
    pub role_label: String,
    pub member: Option<MemberView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OwnerRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunbookStep {
    pub id: String,
    pub title: String,
    pub day: u32,
    pub date: String,
    pub date_long: String,
    pub date_short: String,
    pub stage: String,
    pub channel: String,
    pub visibility: &'static str,
    pub portal: Option<String>,
    pub owner_role: String,
    pub owner: Option<OwnerRef>,
    pub script_html: String,
    pub status: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Runbook {
    pub client: InternalClient,
    pub team: Vec<Assignment>,
    pub steps: Vec<RunbookStep>,
    pub unassigned: usize,
}

impl Runbook {
    /// `scripts[i]` is the rendered script (HTML) of `site.journey[i]` for this client.
    pub fn new(site: &Site, client: &Client, today: Date, scripts: &[String]) -> Self {
        let roles: std::collections::BTreeSet<&str> = client
            .team
            .keys()
            .map(String::as_str)
            .chain(site.journey.iter().map(|t| t.owner.value.as_str()))
            .collect();
        let team = roles
            .into_iter()
            .map(|role| Assignment {
                role: role.to_string(),
                role_label: role_label(role),
                member: client
                    .member_for_role(role)
                    .and_then(|id| site.member(id))
                    .map(|m| MemberView::new(m, "")),
            })
            .collect();
        let steps: Vec<RunbookStep> = site
            .journey
            .iter()
            .zip(scripts)
            .map(|(t, script)| {
                let date = client.date_of_day(t.day);
                RunbookStep {
                    id: t.id.clone(),
                    title: t.title.clone(),
                    day: t.day,
                    date: dates::iso(date),
                    date_long: dates::long(date),
                    date_short: dates::short(date),
                    stage: t.stage.value.clone(),
                    channel: t.channel.clone(),
                    visibility: match t.visibility {
                        Visibility::Client => "client",
                        Visibility::Internal => "internal",
                    },
                    portal: t.portal.clone(),
                    owner_role: role_label(&t.owner.value),
                    owner: client
                        .member_for_role(&t.owner.value)
                        .and_then(|id| site.member(id))
                        .map(|m| OwnerRef {
                            id: m.id.clone(),
                            name: m.name.clone(),
                        }),
                    script_html: script.clone(),
                    status: status(date, today),
                }
            })
            .collect();
        let unassigned = steps.iter().filter(|s| s.owner.is_none()).count();
        Runbook {
            client: internal_client(site, client, today),
            team,
            steps,
            unassigned,
        }
    }
}

pub fn internal_client(site: &Site, client: &Client, today: Date) -> InternalClient {
    InternalClient {
        id: client.id.clone(),
        name: client.name.clone(),
        start: dates::iso(client.start),
        start_long: dates::long(client.start),
        day: dates::journey_day(client.start, today),
        stage: current_stage(site, client, today),
        contacts: client
            .contacts
            .iter()
            .map(|c| InternalContact {
                name: c.name.clone(),
                first_name: first_name(&c.name),
                role: c.role.clone(),
                email: c.email.clone(),
                phone: c.phone.clone(),
            })
            .collect(),
        goals: client.goals.clone(),
        cares_about: client.cares_about.clone(),
        welcome_html: markdown::to_html(&client.welcome),
        notes: notes(&client.internal),
    }
}

/// The client's stage: as set in its file, else the stage of the latest touchpoint that has
/// happened, else of the first one to come.
pub fn current_stage(site: &Site, client: &Client, today: Date) -> String {
    if let Some(s) = &client.stage {
        return s.value.clone();
    }
    site.journey
        .iter()
        .rev()
        .find(|t| client.date_of_day(t.day) <= today)
        .or(site.journey.first())
        .map(|t| t.stage.value.clone())
        .unwrap_or_else(|| site.stages().first().cloned().unwrap_or_default())
}

/// Free-form notes as HTML: strings are markdown, lists become lists, maps nest.
fn notes(internal: &serde_json::Value) -> Vec<Note> {
    let Some(map) = internal.as_object() else {
        return Vec::new();
    };
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    keys.into_iter()
        .map(|k| Note {
            label: role_label(k),
            html: value_html(&map[k]),
        })
        .collect()
}

fn value_html(v: &serde_json::Value) -> String {
    use serde_json::Value::*;
    match v {
        Null => std::string::String::new(),
        String(s) => markdown::to_html(s),
        Bool(_) | Number(_) => format!("<p>{}</p>", escape(&v.to_string())),
        Array(items) => {
            let mut s = "<ul>".to_string();
            for i in items {
                let inner = match i {
                    String(t) => escape(t),
                    other => value_html(other),
                };
                s.push_str(&format!("<li>{inner}</li>"));
            }
            s + "</ul>"
        }
        Object(map) => {
            let mut s = "<dl>".to_string();
            let mut keys: Vec<&std::string::String> = map.keys().collect();
            keys.sort();
            for k in keys {
                s.push_str(&format!(
                    "<dt>{}</dt><dd>{}</dd>",
                    escape(&role_label(k)),
                    value_html(&map[k])
                ));
            }
            s + "</dl>"
        }
    }
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One row of the overview's client table.
#[derive(Debug, Clone, Serialize)]
pub struct ClientRow {
    pub id: String,
    pub name: String,
    pub stage: String,
    pub day: i64,
    pub start_short: String,
    pub next: Option<DueItem>,
    pub unassigned: usize,
}

/// A touchpoint falling on a date, for lists of what is due.
#[derive(Debug, Clone, Serialize)]
pub struct DueItem {
    pub date: String,
    pub date_short: String,
    pub weekday: String,
    pub in_days: i64,
    pub client_id: String,
    pub client_name: String,
    pub touchpoint: String,
    pub touchpoint_id: String,
    pub day: u32,
    pub channel: String,
    pub owner: Option<OwnerRef>,
    pub owner_role: String,
    pub stage: String,
    /// `client` or `internal`.
    pub visibility: &'static str,
    #[serde(skip)]
    pub on: Date,
}

fn due_item(site: &Site, client: &Client, t: &crate::model::Touchpoint, today: Date) -> DueItem {
    let date = client.date_of_day(t.day);
    DueItem {
        on: date,
        stage: t.stage.value.clone(),
        visibility: match t.visibility {
            Visibility::Client => "client",
            Visibility::Internal => "internal",
        },
        date: dates::iso(date),
        date_short: dates::short(date),
        weekday: date.strftime("%A").to_string(),
        in_days: dates::days_between(today, date),
        client_id: client.id.clone(),
        client_name: client.name.clone(),
        touchpoint: t.title.clone(),
        touchpoint_id: t.id.clone(),
        day: t.day,
        channel: t.channel.clone(),
        owner: client
            .member_for_role(&t.owner.value)
            .and_then(|id| site.member(id))
            .map(|m| OwnerRef {
                id: m.id.clone(),
                name: m.name.clone(),
            }),
        owner_role: role_label(&t.owner.value),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub clients: Vec<ClientRow>,
    /// Touchpoints from the build date to [`DUE_WINDOW_DAYS`] ahead, by date.
    pub due: Vec<DueItem>,
    pub due_window_days: i64,
    pub team_count: usize,
    pub touchpoint_count: usize,
    /// What is overdue, due this week and due next week, by owner.
    pub agenda: Agenda,
}

/// A span of days, both ends included, for headings like "Mon 23 – Sun 29 Nov".
#[derive(Debug, Clone, Serialize)]
pub struct DaySpan {
    pub first: String,
    pub last: String,
    /// `23 – 29 Nov 2026`, `30 Nov – 6 Dec 2026`.
    pub label: String,
}

impl DaySpan {
    fn new(first: Date, last: Date) -> Self {
        let label = if (first.year(), first.month()) == (last.year(), last.month()) {
            format!("{} – {}", first.day(), dates::short(last))
        } else if first.year() == last.year() {
            format!("{} – {}", first.strftime("%-d %b"), dates::short(last))
        } else {
            format!("{} – {}", dates::short(first), dates::short(last))
        };
        DaySpan {
            first: dates::iso(first),
            last: dates::iso(last),
            label,
        }
    }
}

/// One owner's part of the [`Agenda`]; `owner` is none for touchpoints nobody holds.
#[derive(Debug, Clone, Serialize)]
pub struct OwnerAgenda {
    pub owner: Option<OwnerRef>,
    pub overdue: Vec<DueItem>,
    pub this_week: Vec<DueItem>,
    pub next_week: Vec<DueItem>,
}

/// The overview's "by owner" board, as of the build date. Weeks run Monday to Sunday:
///
/// - **overdue**: dated in the [`OVERDUE_WINDOW_DAYS`] days before the build date;
/// - **this week**: from the build date to the coming Sunday, both included;
/// - **next week**: the Monday to Sunday after that.
#[derive(Debug, Clone, Serialize)]
pub struct Agenda {
    pub overdue: DaySpan,
    pub overdue_days: i64,
    pub this_week: DaySpan,
    pub next_week: DaySpan,
    /// Owners with anything in the three lists, by name; the unassigned last.
    pub owners: Vec<OwnerAgenda>,
    pub overdue_count: usize,
    pub this_week_count: usize,
    pub next_week_count: usize,
}

impl Agenda {
    pub fn new(site: &Site, today: Date) -> Self {
        let monday = dates::add_days(today, -i64::from(today.weekday().to_monday_zero_offset()));
        let sunday = dates::add_days(monday, 6);
        let overdue_from = dates::add_days(today, -OVERDUE_WINDOW_DAYS);
        let yesterday = dates::add_days(today, -1);
        let next_monday = dates::add_days(monday, 7);
        let next_sunday = dates::add_days(monday, 13);
        let mut owners: Vec<OwnerAgenda> = Vec::new();
        let (mut overdue_count, mut this_week_count, mut next_week_count) = (0, 0, 0);
        // Only the touchpoints inside the three windows are made into items: the overview is
        // recomputed on every rebuild while serving.
        let mut items: Vec<DueItem> = Vec::new();
        for c in &site.clients {
            for t in &site.journey {
                let d = c.date_of_day(t.day);
                if (overdue_from..=next_sunday).contains(&d) {
                    items.push(due_item(site, c, t, today));
                }
            }
        }
        sort_by_date(&mut items);
        for item in items {
            let d = item.on;
            let list = if (overdue_from..=yesterday).contains(&d) {
                overdue_count += 1;
                0
            } else if (today..=sunday).contains(&d) {
                this_week_count += 1;
                1
            } else if (next_monday..=next_sunday).contains(&d) {
                next_week_count += 1;
                2
            } else {
                continue;
            };
            let key = item.owner.as_ref().map(|o| o.id.clone());
            let slot = match owners
                .iter()
                .position(|o| o.owner.as_ref().map(|x| &x.id) == key.as_ref())
            {
                Some(i) => i,
                None => {
                    owners.push(OwnerAgenda {
                        owner: item.owner.clone(),
                        overdue: Vec::new(),
                        this_week: Vec::new(),
                        next_week: Vec::new(),
                    });
                    owners.len() - 1
                }
            };
            let o = &mut owners[slot];
            match list {
                0 => o.overdue.push(item),
                1 => o.this_week.push(item),
                _ => o.next_week.push(item),
            }
        }
        owners.sort_by(|a, b| match (&a.owner, &b.owner) {
            (Some(x), Some(y)) => (&x.name, &x.id).cmp(&(&y.name, &y.id)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        Agenda {
            overdue: DaySpan::new(overdue_from, yesterday),
            overdue_days: OVERDUE_WINDOW_DAYS,
            this_week: DaySpan::new(today, sunday),
            next_week: DaySpan::new(next_monday, next_sunday),
            owners,
            overdue_count,
            this_week_count,
            next_week_count,
        }
    }
}

/// Every touchpoint of every client, by date (then client name, journey day and touchpoint
/// id): the rows of `schedule.csv` and the events of the team's calendars.
pub fn schedule(site: &Site, today: Date) -> Vec<DueItem> {
    let mut rows: Vec<DueItem> = site
        .clients
        .iter()
        .flat_map(|c| site.journey.iter().map(move |t| (c, t)))
        .map(|(c, t)| due_item(site, c, t, today))
        .collect();
    sort_by_date(&mut rows);
    rows
}

/// The touchpoints `member_id` owns, for every client that gives them a role, by date: the
/// events of their calendar. The same rows as [`schedule`] with that owner, without making the
/// rest.
pub fn member_schedule(site: &Site, member_id: &str, today: Date) -> Vec<DueItem> {
    let mut rows = Vec::new();
    for c in &site.clients {
        let roles: Vec<&str> = c
            .team
            .iter()
            .filter(|(_, m)| m.value == member_id)
            .map(|(r, _)| r.as_str())
            .collect();
        if roles.is_empty() {
            continue;
        }
        for t in &site.journey {
            if roles.contains(&t.owner.value.as_str()) {
                rows.push(due_item(site, c, t, today));
            }
        }
    }
    sort_by_date(&mut rows);
    rows
}

fn sort_by_date(items: &mut [DueItem]) {
    items.sort_by(|a, b| {
        (a.on, &a.client_name, &a.client_id, a.day, &a.touchpoint_id).cmp(&(
            b.on,
            &b.client_name,
            &b.client_id,
            b.day,
            &b.touchpoint_id,
        ))
    });
}

impl Overview {
    pub fn new(site: &Site, today: Date) -> Self {
        let mut due = Vec::new();
        let clients = site
            .clients
            .iter()
            .map(|c| {
                let mut next = None;
                let mut unassigned = 0;
                for t in &site.journey {
                    let date = c.date_of_day(t.day);
                    let ahead = dates::days_between(today, date);
                    if (0..DUE_WINDOW_DAYS).contains(&ahead) {
                        due.push(due_item(site, c, t, today));
                    }
                    if ahead >= 0 && next.is_none() {
                        next = Some(due_item(site, c, t, today));
                    }
                    if c.member_for_role(&t.owner.value).is_none() {
                        unassigned += 1;
                    }
                }
                ClientRow {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    stage: current_stage(site, c, today),
                    day: dates::journey_day(c.start, today),
                    start_short: dates::short(c.start),
                    next,
                    unassigned,
                }
            })
            .collect();
        due.sort_by(|a, b| (&a.date, &a.client_name, a.day).cmp(&(&b.date, &b.client_name, b.day)));
        Overview {
            clients,
            due,
            due_window_days: DUE_WINDOW_DAYS,
            team_count: site.team.len(),
            touchpoint_count: site.journey.len(),
            agenda: Agenda::new(site, today),
        }
    }
}

/// A team member's internal profile: the public profile plus the work they own.
#[derive(Debug, Clone, Serialize)]
pub struct MemberWork {
    pub client_id: String,
    pub client_name: String,
    pub roles: Vec<String>,
    pub touchpoints: Vec<DueItem>,
}

pub fn member_work(site: &Site, member_id: &str, today: Date) -> Vec<MemberWork> {
    site.clients
        .iter()
        .filter_map(|c| {
            let roles: Vec<&String> = c
                .team
                .iter()
                .filter(|(_, m)| m.value == member_id)
                .map(|(r, _)| r)
                .collect();
            if roles.is_empty() {
                return None;
            }
            let touchpoints = site
                .journey
                .iter()
                .filter(|t| roles.contains(&&t.owner.value))
                .map(|t| due_item(site, c, t, today))
                .collect();
            Some(MemberWork {
                client_id: c.id.clone(),
                client_name: c.name.clone(),
                roles: roles.iter().map(|r| role_label(r)).collect(),
                touchpoints,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct ChapterView {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub date: Option<String>,
    pub html: String,
    pub headings: Vec<markdown::Heading>,
}

/// A chapter as lists show it: no body, so every chapter page can carry the whole list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChapterEntry {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub headings: Vec<markdown::Heading>,
}

impl From<&ChapterView> for ChapterEntry {
    fn from(c: &ChapterView) -> Self {
        ChapterEntry {
            id: c.id.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
            headings: c
                .headings
                .iter()
                .filter(|h| h.level <= 2)
                .cloned()
                .collect(),
        }
    }
}
