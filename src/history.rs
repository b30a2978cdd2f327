//! What really happened with a client, from its journey log: each touchpoint's status and
//! date, and the signals a team acts on (last personal contact, scores, mood, open steps) with
//! the health they add up to under the `[health]` rules.
//!
//! Every page that shows a touchpoint's date or status takes it from here, so a moved step
//! has its new date on the portal, the runbook, the calendars, the schedule and the overview
//! alike.

use jiff::civil::Date;

use crate::dates;
use crate::model::{Client, LogEntry, Logged, Mood, Site, Touchpoint};

/// A touchpoint's status as of the build date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Logged done.
    Done,
    /// Logged skipped: it will not happen.
    Skipped,
    /// Its date has passed and nothing was logged: late, as far as the team knows.
    Open,
    /// Due on the build date.
    Today,
    /// Its date is still to come.
    Upcoming,
}

impl Status {
    /// The word templates and files use.
    pub fn name(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::Skipped => "skipped",
            Status::Open => "open",
            Status::Today => "today",
            Status::Upcoming => "upcoming",
        }
    }
}

/// One touchpoint of one client, as the log leaves it.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Which touchpoint: an index into `site.journey`.
    pub touchpoint: usize,
    /// The journey's date for it: the client's start plus its day.
    pub planned: Date,
    /// When it happens: the date it was last moved to, else `planned`.
    pub date: Date,
    /// Done or skipped, as logged (a move alone leaves it `None`).
    pub logged: Option<Logged>,
    /// How many times it was moved: the SEQUENCE of its calendar event.
    pub moves: u32,
    /// The entry that logged it done or skipped, as an index into [`History::entries`].
    pub entry: Option<usize>,
}

impl Step {
    /// Its status on `today`: as logged, else from its date.
    pub fn status(&self, today: Date) -> Status {
        match self.logged {
            Some(Logged::Done) => Status::Done,
            Some(Logged::Skipped) => Status::Skipped,
            _ => match self.date.cmp(&today) {
                std::cmp::Ordering::Less => Status::Open,
                std::cmp::Ordering::Equal => Status::Today,
                std::cmp::Ordering::Greater => Status::Upcoming,
            },
        }
    }
}

/// A client's journey as it really happens.
#[derive(Debug, Clone)]
pub struct History<'a> {
    /// The client's touchpoints, in the journey's order. Pages, calendars and scripts take
    /// the client's touchpoints from here, not from `site.journey`.
    pub steps: Vec<Step>,
    /// The client's log entries, oldest first (entries of one date in the file's order).
    pub entries: Vec<&'a LogEntry>,
}

impl<'a> History<'a> {
    pub fn of(site: &'a Site, client: &Client) -> History<'a> {
        let mut steps: Vec<Step> = site
            .journey
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let planned = client.date_of_day(t.day);
                Step {
                    touchpoint: i,
                    planned,
                    date: planned,
                    logged: None,
                    moves: 0,
                    entry: None,
                }
            })
            .collect();
        let mut entries: Vec<&LogEntry> = site
            .log(&client.id)
            .map(|l| l.entries.iter().collect())
            .unwrap_or_default();
        entries.sort_by_key(|e| e.date);
        for (i, e) in entries.iter().enumerate() {
            let Some(t) = &e.touchpoint else { continue };
            let Some(step) = steps
                .iter_mut()
                .find(|s| site.journey[s.touchpoint].id == t.value)
            else {
                continue;
            };
            match e.status {
                Logged::Moved => {
                    step.moves += 1;
                    if let Some(to) = e.to {
                        step.date = to;
                    }
                }
                // The first done stands (a second is a warning); done outranks skipped.
                Logged::Done if step.logged != Some(Logged::Done) => {
                    step.logged = Some(Logged::Done);
                    step.entry = Some(i);
                }
                Logged::Skipped if step.logged.is_none() => {
                    step.logged = Some(Logged::Skipped);
                    step.entry = Some(i);
                }
                Logged::Done | Logged::Skipped => {}
            }
        }
        History { steps, entries }
    }

    /// The status of `self.steps[k]` on `today`.
    pub fn status(&self, k: usize, today: Date) -> Status {
        self.steps[k].status(today)
    }

    /// The client's steps with their index and the touchpoint each is of.
    pub fn each<'s>(
        &'s self,
        site: &'s Site,
    ) -> impl Iterator<Item = (usize, &'s Step, &'s Touchpoint)> {
        self.steps
            .iter()
            .enumerate()
            .map(move |(k, s)| (k, s, &*site.journey[s.touchpoint]))
    }

    /// How many touchpoints are open on `today`.
    pub fn open_steps(&self, today: Date) -> usize {
        self.steps
            .iter()
            .filter(|s| s.status(today) == Status::Open)
            .count()
    }

    /// The stage of the furthest touchpoint along the journey logged done, if any.
    pub fn stage_reached(&self, site: &Site) -> Option<String> {
        self.steps
            .iter()
            .filter(|s| s.logged == Some(Logged::Done))
            .max_by_key(|s| s.touchpoint)
            .map(|s| site.journey[s.touchpoint].stage.value.clone())
    }

    /// The channel an entry happened on: its own, else its touchpoint's.
    pub fn channel_of<'s>(site: &'s Site, entry: &'s LogEntry) -> Option<&'s str> {
        entry
            .channel
            .as_ref()
            .map(|c| c.value.as_str())
            .or_else(|| touchpoint(site, entry).map(|t| t.channel.as_str()))
    }

    /// The signals of this client on `today`. Entries dated after `today` are left out.
    pub fn signals(&self, site: &Site, client: &Client, today: Date) -> Signals {
        let rules = &site.config.health;
        let last_contact = self
            .entries
            .iter()
            .rev()
            .filter(|e| e.date <= today && e.status == Logged::Done)
            .find(|e| {
                // A touchpoint for the team only (a hand-off meeting) is no contact with the
                // client, whatever its channel.
                let internal = touchpoint(site, e)
                    .is_some_and(|t| t.visibility == crate::model::Visibility::Internal);
                !internal
                    && Self::channel_of(site, e).is_some_and(|c| {
                        rules
                            .personal_channels
                            .iter()
                            .any(|p| p.eq_ignore_ascii_case(c))
                    })
            })
            .map(|e| Contact {
                date: e.date,
                by: by_whom(site, client, e),
                channel: Self::channel_of(site, e).unwrap_or_default().to_string(),
            });
        // A client never met in person has been quiet since the start.
        let quiet_days = match &last_contact {
            Some(c) => Some(dates::days_between(c.date, today)),
            None if client.start <= today => Some(dates::days_between(client.start, today)),
            None => None,
        };
        let scores: Vec<(Date, u8)> = self
            .entries
            .iter()
            .filter(|e| e.date <= today)
            .filter_map(|e| e.score.map(|s| (e.date, s)))
            .collect();
        let last_score = scores.last().map(|s| s.1);
        let trend = match scores.as_slice() {
            [.., (_, a), (_, b)] => Some(match b.cmp(a) {
                std::cmp::Ordering::Greater => Trend::Up,
                std::cmp::Ordering::Less => Trend::Down,
                std::cmp::Ordering::Equal => Trend::Steady,
            }),
            _ => None,
        };
        let last_mood = self
            .entries
            .iter()
            .rev()
            .filter(|e| e.date <= today)
            .find_map(|e| e.mood);
        let open_steps = self.open_steps(today);

        let mut health = Health::Green;
        let mut reasons = Vec::new();
        let quiet_after = i64::from(rules.quiet_after_days);
        if let Some(q) = quiet_days.filter(|q| *q > quiet_after) {
            health = health.max(if q > 2 * quiet_after {
                Health::Red
            } else {
                Health::Amber
            });
            reasons.push(format!("no personal contact for {q} days"));
        }
        if let Some(s) = last_score.filter(|s| *s <= rules.low_score) {
            health = Health::Red;
            reasons.push(format!("last score {s}/10"));
        }
        if open_steps >= rules.open_steps as usize {
            health = health.max(Health::Amber);
            reasons.push(match open_steps {
                1 => "1 open step".to_string(),
                n => format!("{n} open steps"),
            });
        }
        Signals {
            last_contact,
            quiet_days,
            scores,
            last_score,
            trend,
            last_mood,
            open_steps,
            health,
            reasons,
        }
    }
}

/// The touchpoint an entry is about, if it names one of the journey.
pub fn touchpoint<'s>(site: &'s Site, entry: &LogEntry) -> Option<&'s Touchpoint> {
    let id = &entry.touchpoint.as_ref()?.value;
    site.journey.iter().find(|t| &t.id == id).map(|t| &**t)
}

/// Who did what an entry records: its `by`, else the member who holds the touchpoint's role
/// for the client.
pub fn by_whom(site: &Site, client: &Client, entry: &LogEntry) -> Option<String> {
    match &entry.by {
        Some(by) => Some(by.value.clone()),
        None => {
            let t = touchpoint(site, entry)?;
            client.member_for_role(&t.owner.value).map(str::to_string)
        }
    }
}

/// How a relationship is doing, by the `[health]` rules; ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Health {
    Green,
    Amber,
    Red,
}

impl Health {
    pub fn name(self) -> &'static str {
        match self {
            Health::Green => "green",
            Health::Amber => "amber",
            Health::Red => "red",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    Up,
    Down,
    Steady,
}

impl Trend {
    pub fn name(self) -> &'static str {
        match self {
            Trend::Up => "up",
            Trend::Down => "down",
            Trend::Steady => "steady",
        }
    }
}

/// The last personal contact.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub date: Date,
    /// The member's id.
    pub by: Option<String>,
    pub channel: String,
}

/// What the log says about a relationship on the build date.
#[derive(Debug, Clone, PartialEq)]
pub struct Signals {
    pub last_contact: Option<Contact>,
    /// Days since the last personal contact, or since the start when there was none; none
    /// before the start.
    pub quiet_days: Option<i64>,
    /// Every score, oldest first.
    pub scores: Vec<(Date, u8)>,
    pub last_score: Option<u8>,
    /// The last score against the one before.
    pub trend: Option<Trend>,
    pub last_mood: Option<Mood>,
    pub open_steps: usize,
    pub health: Health,
    /// Why the health is not green, in words: `no personal contact for 205 days`.
    pub reasons: Vec<String>,
}
