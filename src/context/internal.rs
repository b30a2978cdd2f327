//! The team's context: runbooks with hand-off notes and personalised scripts, the overview of
//! what is due, the team directory and the playbook.

use jiff::civil::Date;
use serde::Serialize;

use super::{first_name, portal::role_label, MemberView};
use crate::dates;
use crate::history::{self, History, Status};
use crate::markdown;
use crate::model::{Client, LogEntry, Site};

/// How many days ahead the overview lists what is due.
pub const DUE_WINDOW_DAYS: i64 = 14;

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
    /// What the journey log says about the relationship. (Its `log`, every entry newest
    /// first, is added by [`Runbook::to_value`], from values shared with the client's
    /// scripts.)
    pub signals: SignalsView,
    /// The link the client opens their portal with (with its key, for a private portal).
    pub portal_url: String,
    /// The client's calendar file, from the internal site's root.
    pub calendar: String,
    /// Whether the portal is private, so the link is a key to send only to the client.
    pub portal_private: bool,
}

/// The runbook calendar's route inside the internal site (hidden in a folder of its own when
/// the site is private).
fn runbook_calendar(site: &Site, client: &Client) -> String {
    use crate::plan::{InternalPage, PageKind};
    let index = site
        .clients
        .binary_search_by(|c| c.id.as_str().cmp(&client.id))
        .unwrap_or(0);
    let route = PageKind::Internal(InternalPage::ClientCalendar { client: index }).route(site);
    route[crate::plan::INTERNAL.len()..].to_string()
}

/// The health of a relationship and why.
#[derive(Debug, Clone, Serialize)]
pub struct HealthView {
    /// `green`, `amber` or `red`.
    pub colour: &'static str,
    pub reasons: Vec<String>,
    /// The reasons in one line, or `on track`.
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactView {
    pub date: String,
    pub date_long: String,
    pub date_short: String,
    pub days_ago: i64,
    pub by: Option<OwnerRef>,
    /// The member's name.
    pub who: Option<String>,
    pub channel: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScoreView {
    pub date: String,
    pub date_short: String,
    pub score: u8,
}

/// A client's signals, as templates and scripts see them.
#[derive(Debug, Clone, Serialize)]
pub struct SignalsView {
    pub health: HealthView,
    pub last_contact: Option<ContactView>,
    /// Days since the last personal contact (or since the start, when there was none).
    pub quiet_days: Option<i64>,
    pub last_score: Option<u8>,
    /// Every score, oldest first.
    pub scores: Vec<ScoreView>,
    /// `up`, `down` or `steady`: the last score against the one before.
    pub trend: Option<&'static str>,
    pub last_mood: Option<&'static str>,
    pub open_steps: usize,
}

impl SignalsView {
    pub fn new(site: &Site, client: &Client, history: &History, today: Date) -> Self {
        let s = history.signals(site, client, today);
        SignalsView {
            health: HealthView {
                colour: s.health.name(),
                summary: if s.reasons.is_empty() {
                    "on track".to_string()
                } else {
                    s.reasons.join("; ")
                },
                reasons: s.reasons,
            },
            last_contact: s.last_contact.map(|c| ContactView {
                date: dates::iso(c.date),
                date_long: dates::long(c.date),
                date_short: dates::short(c.date),
                days_ago: dates::days_between(c.date, today),
                by: c.by.as_deref().and_then(|id| owner_ref(site, id)),
                who: c
                    .by
                    .as_deref()
                    .and_then(|id| site.member(id))
                    .map(|m| m.name.clone()),
                channel: c.channel,
            }),
            quiet_days: s.quiet_days,
            last_score: s.last_score,
            scores: s
                .scores
                .iter()
                .map(|(d, score)| ScoreView {
                    date: dates::iso(*d),
                    date_short: dates::short(*d),
                    score: *score,
                })
                .collect(),
            trend: s.trend.map(|t| t.name()),
            last_mood: s.last_mood.map(|m| m.name()),
            open_steps: s.open_steps,
        }
    }
}

/// One entry of a client's journey log, for the runbook's history and for scripts.
#[derive(Debug, Clone, Serialize)]
pub struct LogView {
    pub date: String,
    pub date_long: String,
    pub date_short: String,
    /// The touchpoint's id, or none for an unplanned contact.
    pub touchpoint: Option<String>,
    /// The entry's title, else its touchpoint's.
    pub title: String,
    pub planned: bool,
    /// `done`, `skipped` or `moved`.
    pub status: &'static str,
    /// The new date of a moved touchpoint.
    pub to: Option<String>,
    pub to_long: Option<String>,
    pub by: Option<OwnerRef>,
    pub with: Vec<String>,
    pub channel: Option<String>,
    pub score: Option<u8>,
    pub mood: Option<&'static str>,
    pub note_html: String,
}

impl LogView {
    pub fn new(site: &Site, client: &Client, e: &LogEntry) -> Self {
        let t = history::touchpoint(site, client, e);
        LogView {
            date: dates::iso(e.date),
            date_long: dates::long(e.date),
            date_short: dates::short(e.date),
            touchpoint: e.touchpoint.as_ref().map(|t| t.value.clone()),
            title: e
                .title
                .clone()
                .or_else(|| t.map(|t| t.title.clone()))
                .unwrap_or_default(),
            planned: e.touchpoint.is_some(),
            status: e.status.name(),
            to: e.to.map(dates::iso),
            to_long: e.to.map(dates::long),
            by: history::by_whom(site, client, e).and_then(|id| owner_ref(site, &id)),
            with: e.with.iter().map(|w| w.value.clone()).collect(),
            channel: History::channel_of(site, client, e).map(str::to_string),
            score: e.score,
            mood: e.mood.map(|m| m.name()),
            note_html: markdown::to_html(&e.note),
        }
    }
}

/// What a client's journey log says, as pages and scripts show it. Made once per client and
/// shared by its runbook, its runbook's steps and its scripts' context: each note's markdown
/// is rendered and each entry made a template value once, not once for each of them.
#[derive(Debug, Clone)]
pub struct LogViews {
    pub signals: SignalsView,
    /// Every entry's [`LogView`] as template values, in the history's order (oldest first),
    /// made once for the runbook and the scripts.
    values: Vec<tera::Value>,
}

impl LogViews {
    pub fn new(site: &Site, client: &Client, history: &History, today: Date) -> Self {
        LogViews {
            signals: SignalsView::new(site, client, history, today),
            values: history
                .entries
                .iter()
                .map(|e| tera::Value::from_serializable(&LogView::new(site, client, e)))
                .collect(),
        }
    }

    /// Every entry as a template value, newest first, with its index in the history.
    pub fn newest_first(&self) -> impl Iterator<Item = (usize, &tera::Value)> {
        self.values.iter().enumerate().rev()
    }

    fn newest_first_values(&self) -> Vec<tera::Value> {
        self.values.iter().rev().cloned().collect()
    }
}

fn owner_ref(site: &Site, id: &str) -> Option<OwnerRef> {
    site.member(id).map(|m| OwnerRef {
        id: m.id.clone(),
        name: m.name.clone(),
    })
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
    pub day: i64,
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
    /// A one-off of this client's own (under `touchpoints:` in their file), not a step of
    /// the journey every client shares: search reads only these steps of a runbook.
    pub own: bool,
    /// `done`, `skipped`, `open`, `today` or `upcoming`.
    pub status: &'static str,
    /// For a moved step, the journey's own date, and how many times it moved.
    pub planned_long: Option<String>,
    /// When the calendar's rules moved it off a closed day: the day it was computed for.
    pub shifted_from_long: Option<String>,
    /// It stays on a day the firm or the client is closed (`exact: true`).
    pub closed_day: bool,
    pub moves: u32,
    /// For an open step, how many days late it is.
    pub late_days: Option<i64>,
    /// For a repeat: the number of the occurrence this entry stands for (the earliest not
    /// yet done or skipped), and every occurrence.
    pub occurrence: Option<u32>,
    pub occurrences: Vec<OccurrenceView>,
    /// The log entry (its index in the history) that marked it done or skipped, shown as
    /// `logged`: written as none here, and replaced by the entry's view in
    /// [`Runbook::to_value`].
    #[serde(rename = "logged", serialize_with = "as_none")]
    pub logged_entry: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Runbook {
    pub client: InternalClient,
    pub team: Vec<Assignment>,
    pub steps: Vec<RunbookStep>,
    pub unassigned: usize,
    /// Touchpoints counted from a date the client does not have yet.
    pub waiting: Vec<Pending>,
    /// Touchpoints whose `requires` do not hold in the log yet.
    pub on_hold: Vec<Pending>,
}

/// A touchpoint the client does not have a date for yet: waiting for a client date, or on
/// hold until its conditions hold.
#[derive(Debug, Clone, Serialize)]
pub struct Pending {
    pub id: String,
    pub title: String,
    pub client_id: String,
    /// The client's runbook folder from the internal site's root (`clients/<id>/`, or a
    /// hidden name on a private site).
    pub runbook: String,
    pub client_name: String,
    pub owner: Option<OwnerRef>,
    pub owner_role: String,
    pub visibility: &'static str,
    /// What it waits for, in words: "a `launch` date", "100-day review to be logged done".
    pub reasons: Vec<String>,
    /// The reasons in one line.
    pub summary: String,
}

impl Pending {
    fn new(
        site: &Site,
        client: &Client,
        t: &crate::model::Touchpoint,
        reasons: Vec<String>,
    ) -> Self {
        Pending {
            id: t.id.clone(),
            title: t.title.clone(),
            client_id: client.id.clone(),
            runbook: crate::plan::runbook_path(site, &client.id),
            client_name: client.name.clone(),
            owner: client
                .member_for_role(&t.owner.value)
                .and_then(|id| owner_ref(site, id)),
            owner_role: site.config.role_label(&t.owner.value),
            visibility: t.visibility.name(),
            summary: reasons.join("; "),
            reasons,
        }
    }

    /// The client's waiting and on-hold touchpoints.
    fn of(site: &Site, client: &Client, history: &History) -> (Vec<Pending>, Vec<Pending>) {
        let waiting = history
            .waiting
            .iter()
            .map(|w| {
                Pending::new(
                    site,
                    client,
                    &w.touchpoint,
                    vec![format!("a {} date", w.date)],
                )
            })
            .collect();
        let on_hold = history
            .on_hold
            .iter()
            .map(|h| Pending::new(site, client, &h.touchpoint, h.reasons.clone()))
            .collect();
        (waiting, on_hold)
    }
}

impl Runbook {
    /// `scripts[k]` is the rendered script (HTML) of `history.steps[k]`.
    pub fn new(
        site: &Site,
        client: &Client,
        history: &History,
        log: &LogViews,
        today: Date,
        scripts: &[String],
    ) -> Self {
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
                role_label: site.config.role_label(role),
                member: client
                    .member_for_role(role)
                    .and_then(|id| site.member(id))
                    .map(|m| MemberView::new(m, "")),
            })
            .collect();
        let steps: Vec<RunbookStep> = history
            .shown()
            .into_iter()
            .zip(scripts)
            .map(|(k, script)| {
                let step = &history.steps[k];
                let t = &*step.touchpoint;
                let date = step.date;
                let status = step.status(today);
                let occurrences: Vec<OccurrenceView> = match step.occurrence {
                    None => Vec::new(),
                    Some(_) => history
                        .occurrences(k)
                        .into_iter()
                        .map(|i| OccurrenceView::new(&history.steps[i], i == k, today))
                        .collect(),
                };
                RunbookStep {
                    // A repeat is listed once, under its touchpoint's id and title; each
                    // occurrence is a row of `occurrences`.
                    id: if occurrences.is_empty() {
                        step.key()
                    } else {
                        t.id.clone()
                    },
                    title: t.title.clone(),
                    own: client
                        .touchpoints
                        .iter()
                        .any(|o| std::ptr::eq(&**o, t) || o.id == t.id),
                    occurrence: step.occurrence,
                    occurrences,
                    day: step.day,
                    date: dates::iso(date),
                    date_long: dates::long(date),
                    date_short: dates::short(date),
                    stage: t.stage.value.clone(),
                    channel: t.channel.clone(),
                    visibility: t.visibility.name(),
                    portal: t.portal.clone(),
                    owner_role: site.config.role_label(&t.owner.value),
                    owner: client
                        .member_for_role(&t.owner.value)
                        .and_then(|id| site.member(id))
                        .map(|m| OwnerRef {
                            id: m.id.clone(),
                            name: m.name.clone(),
                        }),
                    script_html: script.clone(),
                    status: status.name(),
                    planned_long: (step.date != step.planned).then(|| dates::long(step.planned)),
                    shifted_from_long: step.shifted_from.map(dates::long),
                    closed_day: step.closed_day,
                    moves: step.moves,
                    late_days: (status == Status::Open).then(|| dates::days_between(date, today)),
                    logged_entry: step.entry,
                }
            })
            .collect();
        let unassigned = steps.iter().filter(|s| s.owner.is_none()).count();
        let (waiting, on_hold) = Pending::of(site, client, history);
        Runbook {
            waiting,
            on_hold,
            client: internal_client(site, client, history, log, today),
            team,
            steps,
            unassigned,
        }
    }
}

/// One occurrence of a repeating touchpoint, in its runbook entry.
#[derive(Debug, Clone, Serialize)]
pub struct OccurrenceView {
    pub number: u32,
    /// How the log names it: `018-monthly-check-in/3`.
    pub id: String,
    pub date: String,
    pub date_short: String,
    /// `done`, `skipped`, `open`, `today` or `upcoming`.
    pub status: &'static str,
    pub late_days: Option<i64>,
    pub moves: u32,
    /// The one the entry's script and status are for.
    pub current: bool,
}

impl OccurrenceView {
    fn new(step: &crate::history::Step, current: bool, today: Date) -> Self {
        let status = step.status(today);
        OccurrenceView {
            number: step.occurrence.unwrap_or(1),
            id: step.key(),
            date: dates::iso(step.date),
            date_short: dates::short(step.date),
            status: status.name(),
            late_days: (status == Status::Open).then(|| dates::days_between(step.date, today)),
            moves: step.moves,
            current,
        }
    }
}

fn as_none<S: serde::Serializer>(_: &Option<usize>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_none()
}

impl Runbook {
    /// The runbook as template values: the client's `log` and each step's `logged` entry are
    /// the values in `log`, shared rather than made again for each.
    pub fn to_value(&self, log: &LogViews) -> tera::Value {
        let mut map = tera::Value::from_serializable(self)
            .into_map()
            .expect("a runbook is a map");
        let key = |k: &'static str| tera::value::Key::from(k);
        let mut client = map
            .get(&key("client"))
            .cloned()
            .and_then(tera::Value::into_map)
            .expect("a runbook has its client");
        client.insert(key("log"), tera::Value::from(log.newest_first_values()));
        map.insert(key("client"), tera::Value::from(client));
        let steps = map
            .get(&key("steps"))
            .and_then(tera::Value::as_array)
            .expect("a runbook has its steps");
        let steps: Vec<tera::Value> = steps
            .iter()
            .zip(&self.steps)
            .map(|(value, step)| match step.logged_entry {
                None => value.clone(),
                Some(e) => {
                    let mut step = value.clone().into_map().expect("a step is a map");
                    step.insert(key("logged"), log.values[e].clone());
                    tera::Value::from(step)
                }
            })
            .collect();
        map.insert(key("steps"), tera::Value::from(steps));
        tera::Value::from(map)
    }
}

pub fn internal_client(
    site: &Site,
    client: &Client,
    history: &History,
    log: &LogViews,
    today: Date,
) -> InternalClient {
    InternalClient {
        id: client.id.clone(),
        name: client.name.clone(),
        start: dates::iso(client.start),
        start_long: dates::long(client.start),
        day: dates::journey_day(client.start, today),
        stage: current_stage(site, client, history),
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
        signals: log.signals.clone(),
        portal_url: crate::private::portal_link(site, client),
        calendar: runbook_calendar(site, client),
        portal_private: site.keys.portal_is_private(),
    }
}

/// The client's stage: as set in its file, else the stage of the furthest touchpoint logged
/// done, else of the first one.
pub fn current_stage(site: &Site, client: &Client, history: &History) -> String {
    if let Some(s) = &client.stage {
        return s.value.clone();
    }
    history
        .stage_reached()
        .or_else(|| site.journey.first().map(|t| t.stage.value.clone()))
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
    /// The client's runbook folder from the internal site's root.
    pub runbook: String,
    pub name: String,
    pub stage: String,
    pub day: i64,
    pub start_short: String,
    pub next: Option<DueItem>,
    pub unassigned: usize,
    pub signals: SignalsView,
    /// The link the client opens their portal with (with its key, for a private portal).
    pub portal_url: String,
    /// The client's calendar file, from the internal site's root.
    pub calendar: String,
}

/// A touchpoint falling on a date, for lists of what is due.
#[derive(Debug, Clone, Serialize)]
pub struct DueItem {
    pub date: String,
    pub date_short: String,
    pub weekday: String,
    pub in_days: i64,
    pub client_id: String,
    /// The client's runbook folder from the internal site's root (`clients/<id>/`, or a
    /// hidden name on a private site).
    pub runbook: String,
    pub client_name: String,
    pub touchpoint: String,
    pub touchpoint_id: String,
    pub day: i64,
    pub channel: String,
    pub owner: Option<OwnerRef>,
    pub owner_role: String,
    pub stage: String,
    /// `client` or `internal`.
    pub visibility: &'static str,
    /// `done`, `skipped`, `open`, `today` or `upcoming`.
    pub status: &'static str,
    /// For an open step, how many days late it is.
    pub late_days: Option<i64>,
    /// How many times it was moved; its date is the last one it was moved to.
    pub moves: u32,
    #[serde(skip)]
    pub on: Date,
    #[serde(skip)]
    pub state: Status,
    /// Whether pages that list a repeat once show this row: true but for the occurrences of
    /// a repeat other than its current one (see `History::shown`).
    #[serde(skip)]
    pub shown: bool,
}

/// Step `k` of `client`'s history, with its date and status.
fn due_item(site: &Site, client: &Client, history: &History, k: usize, today: Date) -> DueItem {
    let step = &history.steps[k];
    let t = &step.touchpoint;
    let date = step.date;
    let state = step.status(today);
    DueItem {
        on: date,
        state,
        shown: step.occurrence.is_none(),
        status: state.name(),
        late_days: (state == Status::Open).then(|| dates::days_between(date, today)),
        moves: step.moves,
        stage: t.stage.value.clone(),
        visibility: t.visibility.name(),
        date: dates::iso(date),
        date_short: dates::short(date),
        weekday: date.strftime("%A").to_string(),
        in_days: dates::days_between(today, date),
        client_id: client.id.clone(),
        runbook: crate::plan::runbook_path(site, &client.id),
        client_name: client.name.clone(),
        touchpoint: step.title(),
        touchpoint_id: step.key(),
        day: step.day,
        channel: t.channel.clone(),
        owner: client
            .member_for_role(&t.owner.value)
            .and_then(|id| site.member(id))
            .map(|m| OwnerRef {
                id: m.id.clone(),
                name: m.name.clone(),
            }),
        owner_role: site.config.role_label(&t.owner.value),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub clients: Vec<ClientRow>,
    /// The clients whose health is not green, worst first.
    pub attention: Vec<ClientRow>,
    /// Touchpoints from the build date to [`DUE_WINDOW_DAYS`] ahead, by date.
    pub due: Vec<DueItem>,
    pub due_window_days: i64,
    pub team_count: usize,
    pub touchpoint_count: usize,
    /// What is overdue, due this week and due next week, by owner.
    pub agenda: Agenda,
    /// Every client's touchpoints on hold until the log shows what they require.
    pub on_hold: Vec<Pending>,
    /// Every client's touchpoints waiting for a client date.
    pub waiting: Vec<Pending>,
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
        // A span reads as days of a month: no weekdays.
        let full = |d: Date| d.strftime("%-d %b %Y").to_string();
        let label = if (first.year(), first.month()) == (last.year(), last.month()) {
            format!("{} – {}", first.day(), full(last))
        } else if first.year() == last.year() {
            format!("{} – {}", first.strftime("%-d %b"), full(last))
        } else {
            format!("{} – {}", full(first), full(last))
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
/// - **overdue**: every open step, whatever its age: its date has passed and nothing is logged,
///   so it stays here until someone logs it done, skipped or moved;
/// - **this week**: from the build date to the coming Sunday, both included;
/// - **next week**: the Monday to Sunday after that.
#[derive(Debug, Clone, Serialize)]
pub struct Agenda {
    /// From the oldest open step to the day before the build date (none when nothing is open).
    pub overdue: Option<DaySpan>,
    pub this_week: DaySpan,
    pub next_week: DaySpan,
    /// Owners with anything in the three lists, by name; the unassigned last.
    pub owners: Vec<OwnerAgenda>,
    pub overdue_count: usize,
    pub this_week_count: usize,
    pub next_week_count: usize,
}

impl Agenda {
    fn new(site: &Site, histories: &[History], today: Date) -> Self {
        let monday = dates::add_days(today, -i64::from(today.weekday().to_monday_zero_offset()));
        let sunday = dates::add_days(monday, 6);
        let yesterday = dates::add_days(today, -1);
        let next_monday = dates::add_days(monday, 7);
        let next_sunday = dates::add_days(monday, 13);
        let mut owners: Vec<OwnerAgenda> = Vec::new();
        let (mut overdue_count, mut this_week_count, mut next_week_count) = (0, 0, 0);
        // Only the touchpoints in the three lists are made into items: the overview is
        // recomputed on every rebuild while serving.
        let mut items: Vec<DueItem> = Vec::new();
        for (c, history) in site.clients.iter().zip(histories) {
            for (k, step) in history.steps.iter().enumerate() {
                let listed = match step.status(today) {
                    Status::Open => true,
                    Status::Today | Status::Upcoming => step.date <= next_sunday,
                    Status::Done | Status::Skipped => false,
                };
                if listed {
                    items.push(due_item(site, c, history, k, today));
                }
            }
        }
        sort_by_date(&mut items);
        let oldest_open = items.iter().find(|i| i.state == Status::Open).map(|i| i.on);
        for item in items {
            let d = item.on;
            let list = if item.state == Status::Open {
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
            overdue: oldest_open.map(|first| DaySpan::new(first, yesterday)),
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
/// id), skipped ones included: the rows of `schedule.csv` and the events of the team's
/// calendars.
fn schedule(site: &Site, histories: &[History], today: Date) -> Vec<DueItem> {
    use rayon::prelude::*;
    let mut rows: Vec<DueItem> = site
        .clients
        .par_iter()
        .zip(histories)
        .flat_map_iter(|(c, history)| {
            let shown = history.shown();
            (0..history.steps.len())
                .map(|k| DueItem {
                    shown: shown.contains(&k),
                    ..due_item(site, c, history, k, today)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    rows.par_sort_by(compare_by_date);
    rows
}

/// Whether `member_id` owns `item`: holds its owner role for its client.
pub fn owned_by(item: &DueItem, member_id: &str) -> bool {
    item.owner.as_ref().is_some_and(|o| o.id == member_id)
}

fn sort_by_date(items: &mut [DueItem]) {
    items.sort_by(compare_by_date);
}

/// By date, then client name, client id, journey day and touchpoint.
fn compare_by_date(a: &DueItem, b: &DueItem) -> std::cmp::Ordering {
    (a.on, &a.client_name, &a.client_id, a.day, &a.touchpoint_id).cmp(&(
        b.on,
        &b.client_name,
        &b.client_id,
        b.day,
        &b.touchpoint_id,
    ))
}

/// The site-wide summaries: the overview, and every client's schedule rows ([`schedule`]),
/// made from one history of each client.
pub fn summaries(site: &Site, today: Date) -> (Overview, Vec<DueItem>) {
    use rayon::prelude::*;
    let histories: Vec<History> = site
        .clients
        .par_iter()
        .map(|c| History::of(site, c, today))
        .collect();
    rayon::join(
        || Overview::new(site, &histories, today),
        || schedule(site, &histories, today),
    )
}

impl Overview {
    /// `histories[i]` is the history of `site.clients[i]`.
    pub fn new(site: &Site, histories: &[History], today: Date) -> Self {
        let mut due = Vec::new();
        let clients: Vec<ClientRow> = site
            .clients
            .iter()
            .zip(histories)
            .map(|(c, history)| {
                let mut next: Option<DueItem> = None;
                let mut unassigned = 0;
                for (k, step, t) in history.each() {
                    let status = step.status(today);
                    let date = step.date;
                    if matches!(status, Status::Today | Status::Upcoming) {
                        if dates::days_between(today, date) < DUE_WINDOW_DAYS {
                            due.push(due_item(site, c, history, k, today));
                        }
                        if next.as_ref().is_none_or(|n| date < n.on) {
                            next = Some(due_item(site, c, history, k, today));
                        }
                    }
                    if c.member_for_role(&t.owner.value).is_none() {
                        unassigned += 1;
                    }
                }
                ClientRow {
                    id: c.id.clone(),
                    runbook: crate::plan::runbook_path(site, &c.id),
                    name: c.name.clone(),
                    stage: current_stage(site, c, history),
                    day: dates::journey_day(c.start, today),
                    start_short: dates::short(c.start),
                    next,
                    unassigned,
                    signals: SignalsView::new(site, c, history, today),
                    portal_url: crate::private::portal_link(site, c),
                    calendar: runbook_calendar(site, c),
                }
            })
            .collect();
        due.sort_by(|a, b| (&a.date, &a.client_name, a.day).cmp(&(&b.date, &b.client_name, b.day)));
        // The relationships that need attention, worst first: red before amber, then the one
        // with more reasons, then the one quiet for longer.
        let mut attention: Vec<ClientRow> = clients
            .iter()
            .filter(|c| c.signals.health.colour != "green")
            .cloned()
            .collect();
        attention.sort_by(|a, b| {
            let rank = |c: &ClientRow| {
                (
                    std::cmp::Reverse(c.signals.health.colour == "red"),
                    std::cmp::Reverse(c.signals.health.reasons.len()),
                    std::cmp::Reverse(c.signals.quiet_days.unwrap_or(0)),
                )
            };
            rank(a)
                .cmp(&rank(b))
                .then_with(|| (&a.name, &a.id).cmp(&(&b.name, &b.id)))
        });
        let (mut waiting, mut on_hold) = (Vec::new(), Vec::new());
        for (c, history) in site.clients.iter().zip(histories) {
            let (w, h) = Pending::of(site, c, history);
            waiting.extend(w);
            on_hold.extend(h);
        }
        Overview {
            on_hold,
            waiting,
            agenda: Agenda::new(site, histories, today),
            attention,
            clients,
            due,
            due_window_days: DUE_WINDOW_DAYS,
            team_count: site.team.len(),
            touchpoint_count: site.journey.len(),
        }
    }
}

/// A team member's internal profile: the public profile plus the work they own.
#[derive(Debug, Clone, Serialize)]
pub struct MemberWork {
    pub client_id: String,
    /// The client's runbook folder from the internal site's root (`clients/<id>/`, or a
    /// hidden name on a private site).
    pub runbook: String,
    pub client_name: String,
    pub roles: Vec<String>,
    pub touchpoints: Vec<DueItem>,
}

/// The clients `member_id` has a role with, and the touchpoints they own for each, by date:
/// the rows of `schedule` (every client's, see [`schedule`]) they own.
pub fn member_work(site: &Site, member_id: &str, schedule: &[DueItem]) -> Vec<MemberWork> {
    let mut owned: std::collections::HashMap<&str, Vec<DueItem>> = Default::default();
    // A repeat once, at its current occurrence, as in the runbook; the member's calendar has
    // every occurrence.
    for item in schedule
        .iter()
        .filter(|i| i.shown && owned_by(i, member_id))
    {
        owned
            .entry(item.client_id.as_str())
            .or_default()
            .push(item.clone());
    }
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
            let touchpoints = owned.remove(c.id.as_str()).unwrap_or_default();
            Some(MemberWork {
                client_id: c.id.clone(),
                runbook: crate::plan::runbook_path(site, &c.id),
                client_name: c.name.clone(),
                roles: roles.iter().map(|r| site.config.role_label(r)).collect(),
                touchpoints,
            })
        })
        .collect()
}

/// What one member has on, for their card in the team directory: the clients they have a role
/// with, and the touchpoints they own there as their page lists them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Workload {
    pub clients: usize,
    /// Owned touchpoints whose date passed with nothing logged.
    pub late: usize,
    /// Owned touchpoints from the build date on.
    pub ahead: usize,
    /// Of those, the ones due within `window_days` ([`DUE_WINDOW_DAYS`]).
    pub soon: usize,
    pub window_days: i64,
}

/// Every member's [`Workload`], by member id.
pub fn team_workload(
    site: &Site,
    schedule: &[DueItem],
) -> std::collections::BTreeMap<String, Workload> {
    let load = |id: &str| {
        let work = member_work(site, id, schedule);
        let mut load = Workload {
            clients: work.len(),
            window_days: DUE_WINDOW_DAYS,
            ..Default::default()
        };
        for item in work.iter().flat_map(|w| &w.touchpoints) {
            match item.status {
                "open" => load.late += 1,
                "today" | "upcoming" => {
                    load.ahead += 1;
                    load.soon += usize::from(item.in_days < DUE_WINDOW_DAYS);
                }
                _ => {}
            }
        }
        load
    };
    site.team
        .iter()
        .map(|m| (m.id.clone(), load(&m.id)))
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
