//! The typed model of a site, as loaded from its files. Every value that a later check may
//! reject keeps the position it came from, so the error can point at it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use jiff::civil::Date;

use crate::config::Config;
use crate::diagnostics::Position;

/// A value together with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub at: Option<Position>,
}

impl<T> Located<T> {
    pub fn new(value: T, at: Option<Position>) -> Self {
        Located { value, at }
    }
}

#[derive(Debug, Clone)]
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    /// Sorted by id. Items are shared with `serve`'s memo of loaded files, so a rebuild does
    /// not copy every profile.
    pub team: Vec<std::sync::Arc<Member>>,
    /// Sorted by id.
    pub clients: Vec<std::sync::Arc<Client>>,
    /// Sorted by day, then id.
    pub journey: Vec<std::sync::Arc<Touchpoint>>,
    /// In reading order. Shared, so that watch mode's working copy of the site does not copy
    /// every chapter of a large playbook on each edit.
    pub playbook: Vec<std::sync::Arc<Chapter>>,
    /// Files under `static/`, relative to it, with `/` separators, sorted.
    pub statics: Vec<String>,
    /// Each client's journey log (`log/<client>.yaml`), sorted by client id; a client without
    /// a file has none here.
    pub logs: Vec<std::sync::Arc<Log>>,
    /// Theme overrides from `templates/`: (template name, file relative to the site, contents).
    pub template_overrides: Vec<(String, PathBuf, String)>,
    /// Ids of team files that failed to load: checks stay quiet about references to them, and
    /// about roles, which those members might have held.
    pub unloaded_team: std::collections::BTreeSet<String>,
    /// The keys of private sites, from the site secret: empty for public ones (see
    /// `src/private.rs`).
    pub keys: crate::private::Keys,
}

impl Site {
    /// Every touchpoint with a script: the journey's, then each client's one-offs.
    pub fn scripted(&self) -> impl Iterator<Item = &std::sync::Arc<Touchpoint>> {
        self.journey
            .iter()
            .chain(self.clients.iter().flat_map(|c| c.touchpoints.iter()))
    }

    pub fn member(&self, id: &str) -> Option<&Member> {
        self.team
            .binary_search_by(|m| m.id.as_str().cmp(id))
            .ok()
            .map(|i| &*self.team[i])
    }

    /// The log of the client `id`, if it has one.
    pub fn log(&self, id: &str) -> Option<&Log> {
        self.logs
            .binary_search_by(|l| l.client.as_str().cmp(id))
            .ok()
            .map(|i| &*self.logs[i])
    }

    pub fn stages(&self) -> &[String] {
        &self.config.journey.stages
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub id: String,
    pub file: PathBuf,
    pub name: String,
    pub role: String,
    pub roles: Vec<String>,
    pub email: String,
    pub phone: Option<String>,
    pub photo: Option<Located<String>>,
    pub pronouns: Option<String>,
    pub bio: String,
    pub fun_facts: Vec<String>,
    pub cares_about: Vec<String>,
    pub video: Option<String>,
    pub calendar: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub name: String,
    pub role: String,
    pub email: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    pub id: String,
    pub file: PathBuf,
    pub name: String,
    pub start: Date,
    pub stage: Option<Located<String>>,
    pub contacts: Vec<Contact>,
    /// Role id -> team member id, in role-id order.
    pub team: BTreeMap<String, Located<String>>,
    /// Where `team:` is written, for findings about the team as a whole.
    pub team_at: Option<Position>,
    pub goals: Vec<String>,
    pub cares_about: Vec<String>,
    pub welcome: String,
    /// Hand-off notes and anything else for the team only. Never reaches a portal page.
    pub internal: serde_json::Value,
    /// Named dates (`launch`, `renewal`…) that touchpoints can be counted from.
    pub dates: BTreeMap<String, Located<Date>>,
    /// When the client is away: no step is scheduled inside these days.
    pub blackout: Vec<crate::calendar_rules::DateRange>,
    /// Journey touchpoints that do not apply to this client.
    pub skip: Vec<Located<String>>,
    /// Steps for this client only, in the file's order.
    pub touchpoints: Vec<std::sync::Arc<Touchpoint>>,
    /// The version of a private portal's link (and keys): 1 unless the file says otherwise.
    pub key_version: u32,
}

impl Client {
    /// The date of day `day` of this client's journey (day 1 is the start date).
    pub fn date_of_day(&self, day: u32) -> Date {
        crate::dates::day_date(self.start, day)
    }

    /// The team member this client has in `role`, if any.
    pub fn member_for_role(&self, role: &str) -> Option<&str> {
        self.team.get(role).map(|m| m.value.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Visibility {
    /// Shown on the client's portal timeline (the `portal` sentence, never the script).
    Client,
    /// For the team only.
    Internal,
}

impl Visibility {
    /// The word templates and files use: `client` or `internal`.
    pub fn name(self) -> &'static str {
        match self {
            Visibility::Client => "client",
            Visibility::Internal => "internal",
        }
    }
}

/// When a touchpoint falls for a client, before the calendar's rules move it off closed days.
#[derive(Debug, Clone, PartialEq)]
pub enum When {
    /// Day N of the journey: day 1 is the client's start date.
    Day(u32),
    /// `days` after one of the client's named dates (`after: launch`).
    After { date: Located<String>, days: u32 },
    /// `days` before one of the client's named dates (`before: renewal`).
    Before { date: Located<String>, days: u32 },
    /// `days` after the last personal contact in the journey log (or the start, when there
    /// was none); moves whenever a contact is logged.
    AfterLastContact { days: u32 },
    /// A one-off step's own date.
    On(Date),
}

impl When {
    /// The journey day, for a touchpoint counted from the start.
    pub fn day(&self) -> Option<u32> {
        match self {
            When::Day(d) => Some(*d),
            _ => None,
        }
    }
}

/// How a touchpoint repeats: every `every`, from its first date, for `count` occurrences or
/// until a day of the journey or a client date.
#[derive(Debug, Clone, PartialEq)]
pub struct Repeat {
    pub every: crate::calendar_rules::Every,
    pub end: RepeatEnd,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RepeatEnd {
    Count(u32),
    /// Until day N of the journey (inclusive).
    UntilDay(u32),
    /// Until one of the client's named dates (inclusive); with no such date, until the
    /// `count` limit of [`Repeat::MAX_OCCURRENCES`].
    UntilDate(Located<String>),
}

impl Repeat {
    /// No repeat makes more occurrences than this (20 years of weekly steps).
    pub const MAX_OCCURRENCES: u32 = 1040;
}

/// What must hold in the journey log before a touchpoint is scheduled.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Requires {
    /// Touchpoints (journey stems) logged done.
    pub done: Vec<Located<String>>,
    /// A condition on the last score.
    pub last_score: Option<Located<ScoreRule>>,
}

impl Requires {
    pub fn is_empty(&self) -> bool {
        self.done.is_empty() && self.last_score.is_none()
    }
}

/// `">= 8"`: a comparison of the last score with a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoreRule {
    pub op: ScoreOp,
    pub score: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreOp {
    AtLeast,
    AtMost,
    Above,
    Below,
    Equal,
}

impl ScoreRule {
    pub fn holds(&self, score: u8) -> bool {
        match self.op {
            ScoreOp::AtLeast => score >= self.score,
            ScoreOp::AtMost => score <= self.score,
            ScoreOp::Above => score > self.score,
            ScoreOp::Below => score < self.score,
            ScoreOp::Equal => score == self.score,
        }
    }

    /// In words: `of 8 or more`.
    pub fn words(&self) -> String {
        let n = self.score;
        match self.op {
            ScoreOp::AtLeast => format!("of {n} or more"),
            ScoreOp::AtMost => format!("of {n} or less"),
            ScoreOp::Above => format!("above {n}"),
            ScoreOp::Below => format!("below {n}"),
            ScoreOp::Equal => format!("of {n}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Touchpoint {
    pub id: String,
    pub file: PathBuf,
    pub title: String,
    /// When it falls, before the calendar's rules.
    pub when: When,
    /// Keep the computed date even on a closed day (an anniversary).
    pub exact: bool,
    pub repeat: Option<Repeat>,
    pub requires: Requires,
    pub stage: Located<String>,
    pub channel: String,
    pub owner: Located<String>,
    pub visibility: Visibility,
    /// The sentence the client sees on their timeline.
    pub portal: Option<String>,
    /// The script source with the front matter blanked out, so template errors keep the file's
    /// own line numbers. Registered in Tera under `template_name`.
    pub template_source: String,
    pub template_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chapter {
    pub id: String,
    pub file: PathBuf,
    pub title: String,
    pub order: Option<i64>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    /// When it was last reviewed, as written (a date-time is cut to its date).
    pub date: Option<String>,
    pub body: String,
    /// Line of the file where the body starts (1-based), for link errors.
    pub body_line: usize,
}

/// `log/<client>.yaml`: what really happened with one client. Internal only: the portal learns
/// a touchpoint's status from it, never an entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Log {
    /// The client's id: the file's stem.
    pub client: String,
    pub file: PathBuf,
    /// In the file's order.
    pub entries: Vec<LogEntry>,
}

/// What a log entry says happened to its touchpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Logged {
    Done,
    Skipped,
    /// Moved to another date (`to`), not yet done.
    Moved,
}

impl Logged {
    pub fn name(self) -> &'static str {
        match self {
            Logged::Done => "done",
            Logged::Skipped => "skipped",
            Logged::Moved => "moved",
        }
    }
}

/// How the team judged the relationship at the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mood {
    Green,
    Amber,
    Red,
}

impl Mood {
    pub fn name(self) -> &'static str {
        match self {
            Mood::Green => "green",
            Mood::Amber => "amber",
            Mood::Red => "red",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    pub date: Date,
    /// Where the entry starts (its `date:`), for findings about the entry as a whole.
    pub at: Option<Position>,
    /// A journey file's stem; none for an unplanned contact.
    pub touchpoint: Option<Located<String>>,
    pub status: Logged,
    /// The new date of a moved touchpoint.
    pub to: Option<Date>,
    /// The team member who did it; none means the touchpoint's owner.
    pub by: Option<Located<String>>,
    /// Names from the client's contacts.
    pub with: Vec<Located<String>>,
    /// The channel actually used: required for unplanned entries, and on a planned one it
    /// overrides the touchpoint's own (a review held by email).
    pub channel: Option<Located<String>>,
    pub title: Option<String>,
    pub score: Option<u8>,
    pub mood: Option<Mood>,
    /// Markdown, for the team only.
    pub note: String,
}
