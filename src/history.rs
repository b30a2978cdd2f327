//! What really happened with a client, from its journey log: each touchpoint's status and
//! date, and the signals a team acts on (last personal contact, scores, mood, open steps) with
//! the health they add up to under the `[health]` rules.
//!
//! Every page that shows a touchpoint's date or status takes it from here, so a moved step
//! has its new date on the portal, the runbook, the calendars, the schedule and the overview
//! alike.

use jiff::civil::Date;

use crate::dates;
use std::sync::Arc;

use crate::calendar_rules;
use crate::model::{
    Client, Located, LogEntry, Logged, Mood, Repeat, RepeatEnd, Requires, Site, Touchpoint, When,
};

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

/// One touchpoint (or one occurrence of a repeating one) of one client, as the log leaves it.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Its touchpoint: of the journey, or one of the client's own.
    pub touchpoint: Arc<Touchpoint>,
    /// For a repeating touchpoint, which occurrence this is (1 is the first).
    pub occurrence: Option<u32>,
    /// Its date by the journey and the calendar's rules, before the log moved it.
    pub planned: Date,
    /// The day of the client's journey it was computed for (day 1 is the start), before the
    /// calendar's rules moved it: a day-100 review is day 100 even when held on day 102.
    pub day: i64,
    /// The date `planned` was computed as, when the calendar's rules moved it off a closed
    /// day (a weekend, a holiday, a client's blackout).
    pub shifted_from: Option<Date>,
    /// It stays on a closed day: `exact: true`, or no open day was found near it.
    pub closed_day: bool,
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

    /// How the log names it: the touchpoint's id, with `/N` for occurrence N of a repeat.
    pub fn key(&self) -> String {
        match self.occurrence {
            Some(n) => format!("{}/{n}", self.touchpoint.id),
            None => self.touchpoint.id.clone(),
        }
    }

    /// Its title, with the occurrence's number for a repeat.
    pub fn title(&self) -> String {
        match self.occurrence {
            Some(n) => format!("{} ({})", self.touchpoint.title, ordinal(n)),
            None => self.touchpoint.title.clone(),
        }
    }
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A touchpoint counted from a date the client does not have (yet).
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    pub touchpoint: Arc<Touchpoint>,
    /// The missing date's name (`launch`).
    pub date: String,
}

/// A touchpoint whose `requires` do not hold in the log yet.
#[derive(Debug, Clone, PartialEq)]
pub struct OnHold {
    pub touchpoint: Arc<Touchpoint>,
    /// What it waits for, in words: "014-hundred-day-review logged done".
    pub reasons: Vec<String>,
}

/// A client's journey as it really happens.
#[derive(Debug, Clone)]
pub struct History<'a> {
    /// The client's steps by planned date (then journey order and occurrence): every
    /// touchpoint that applies to them, each occurrence of a repeat, and their own one-offs.
    /// Pages, calendars and scripts take the client's touchpoints from here, not from
    /// `site.journey`.
    pub steps: Vec<Step>,
    /// Touchpoints counted from a date the client does not have.
    pub waiting: Vec<Waiting>,
    /// Touchpoints whose conditions do not hold yet.
    pub on_hold: Vec<OnHold>,
    /// The client's log entries, oldest first (entries of one date in the file's order).
    pub entries: Vec<&'a LogEntry>,
    /// Entries (indexes into `entries`) that name one of the client's touchpoints yet mark no
    /// step: it waits for a date, the client skips it, or every occurrence of the repeat it
    /// names without a number is already done or skipped. `check` warns about them.
    pub idle: Vec<usize>,
}

impl<'a> History<'a> {
    /// The client's steps and log on `today` (conditions and the last contact are judged on
    /// the entries up to it).
    pub fn of(site: &'a Site, client: &'a Client, today: Date) -> History<'a> {
        Self::with_log(site, client, site.log(&client.id), today)
    }

    /// [`Self::of`] with `log` in place of the site's (`hundred log` checks the log as it
    /// would be with the new entry).
    pub fn with_log(
        site: &'a Site,
        client: &'a Client,
        log: Option<&'a crate::model::Log>,
        today: Date,
    ) -> History<'a> {
        let mut entries: Vec<&LogEntry> =
            log.map(|l| l.entries.iter().collect()).unwrap_or_default();
        entries.sort_by_key(|e| e.date);
        let mut history = History {
            steps: Vec::new(),
            waiting: Vec::new(),
            on_hold: Vec::new(),
            entries,
            idle: Vec::new(),
        };
        let last_contact = history.last_contact(site, client, today).map(|c| c.date);
        let skipped = |t: &Touchpoint| client.skip.iter().any(|s| s.value == t.id);
        let own = client.touchpoints.iter();
        let mut planned: Vec<(usize, Step)> = Vec::new();
        for (order, t) in site
            .journey
            .iter()
            .filter(|t| !skipped(t))
            .chain(own)
            .enumerate()
        {
            // What the log already records happened (or was moved) needs no permission.
            let logged = history.entries.iter().any(|e| {
                e.touchpoint
                    .as_ref()
                    .is_some_and(|k| split_key(&k.value).0 == t.id)
            });
            let reasons = if logged {
                Vec::new()
            } else {
                history.unmet(site, client, &t.requires, today)
            };
            if !reasons.is_empty() {
                history.on_hold.push(OnHold {
                    touchpoint: Arc::clone(t),
                    reasons,
                });
                continue;
            }
            match schedule(site, client, t, last_contact) {
                Ok(dates) => planned.extend(dates.into_iter().map(|s| (order, s))),
                Err(missing) => history.waiting.push(Waiting {
                    touchpoint: Arc::clone(t),
                    date: missing,
                }),
            }
        }
        planned.sort_by(|(a, x), (b, y)| {
            (x.planned, a, x.occurrence).cmp(&(y.planned, b, y.occurrence))
        });
        history.steps = planned.into_iter().map(|(_, s)| s).collect();
        history.apply_log();
        history
    }

    /// Marks each step as its log entries say, oldest entry first. An entry that names a
    /// repeating touchpoint without `/N` is about its earliest occurrence not yet done or
    /// skipped.
    fn apply_log(&mut self) {
        for (i, e) in self.entries.iter().enumerate() {
            let Some(t) = &e.touchpoint else { continue };
            let (id, n) = split_key(&t.value);
            let found = match n {
                Some(n) => self
                    .steps
                    .iter()
                    .position(|s| s.touchpoint.id == id && s.occurrence == Some(n)),
                None => self.steps.iter().position(|s| {
                    s.touchpoint.id == id && (s.occurrence.is_none() || s.logged.is_none())
                }),
            };
            if found.is_none() && n.is_none() {
                self.idle.push(i);
            }
            // A repeat with every occurrence logged: a move still moves its first one.
            let found = found.or_else(|| {
                n.is_none()
                    .then(|| self.steps.iter().position(|s| s.touchpoint.id == id))
                    .flatten()
            });
            let Some(step) = found.map(|k| &mut self.steps[k]) else {
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
    }

    /// What `requires` waits for that the log does not show yet, in words.
    fn unmet(&self, site: &Site, client: &Client, requires: &Requires, today: Date) -> Vec<String> {
        let mut reasons = Vec::new();
        for done in &requires.done {
            let logged = self.entries.iter().any(|e| {
                e.date <= today
                    && e.status == Logged::Done
                    && e.touchpoint
                        .as_ref()
                        .is_some_and(|t| split_key(&t.value).0 == done.value)
            });
            if !logged {
                let title = touchpoint_by_id(site, client, &done.value)
                    .map_or(done.value.clone(), |t| t.title.clone());
                reasons.push(format!("{title} to be logged done"));
            }
        }
        if let Some(rule) = &requires.last_score {
            let last = self
                .entries
                .iter()
                .rev()
                .filter(|e| e.date <= today)
                .find_map(|e| e.score);
            match last {
                Some(score) if rule.value.holds(score) => {}
                Some(score) => reasons.push(format!(
                    "a last score {} (the last is {score}/10)",
                    rule.value.words()
                )),
                None => reasons.push(format!(
                    "a last score {} (none logged yet)",
                    rule.value.words()
                )),
            }
        }
        reasons
    }

    /// The steps pages list one by one, in order: every step, but of a repeat only its
    /// current occurrence (the earliest not yet done or skipped, else the last), which stands
    /// for the others. Calendars, the schedule and the overview take every occurrence.
    pub fn shown(&self) -> Vec<usize> {
        let mut current: std::collections::BTreeMap<&str, usize> = Default::default();
        for (k, s) in self.steps.iter().enumerate() {
            if s.occurrence.is_none() {
                continue;
            }
            let id = s.touchpoint.id.as_str();
            match current.get(id) {
                Some(&c) if self.steps[c].logged.is_none() => {}
                _ => {
                    current.insert(id, k);
                }
            }
        }
        (0..self.steps.len())
            .filter(|&k| {
                let s = &self.steps[k];
                s.occurrence.is_none() || current.get(s.touchpoint.id.as_str()) == Some(&k)
            })
            .collect()
    }

    /// The occurrences of the repeat that step `k` is one of, by number; just `k` for a step
    /// that does not repeat.
    pub fn occurrences(&self, k: usize) -> Vec<usize> {
        let step = &self.steps[k];
        if step.occurrence.is_none() {
            return vec![k];
        }
        let mut all: Vec<usize> = (0..self.steps.len())
            .filter(|&i| {
                self.steps[i].occurrence.is_some()
                    && self.steps[i].touchpoint.id == step.touchpoint.id
            })
            .collect();
        all.sort_by_key(|&i| self.steps[i].occurrence);
        all
    }

    /// The status of `self.steps[k]` on `today`.
    pub fn status(&self, k: usize, today: Date) -> Status {
        self.steps[k].status(today)
    }

    /// The client's steps with their index and the touchpoint each is of.
    pub fn each(&self) -> impl Iterator<Item = (usize, &Step, &Touchpoint)> {
        self.steps
            .iter()
            .enumerate()
            .map(|(k, s)| (k, s, &*s.touchpoint))
    }

    /// How many touchpoints are open on `today`.
    pub fn open_steps(&self, today: Date) -> usize {
        self.steps
            .iter()
            .filter(|s| s.status(today) == Status::Open)
            .count()
    }

    /// The stage of the furthest touchpoint along the journey logged done, if any.
    pub fn stage_reached(&self) -> Option<String> {
        self.steps
            .iter()
            .rev()
            .find(|s| s.logged == Some(Logged::Done))
            .map(|s| s.touchpoint.stage.value.clone())
    }

    /// The channel an entry happened on: its own, else its touchpoint's.
    pub fn channel_of<'s>(
        site: &'s Site,
        client: &'s Client,
        entry: &'s LogEntry,
    ) -> Option<&'s str> {
        entry
            .channel
            .as_ref()
            .map(|c| c.value.as_str())
            .or_else(|| touchpoint(site, client, entry).map(|t| t.channel.as_str()))
    }

    /// The last personal contact on or before `today`: a `done` entry on one of the
    /// `personal_channels`.
    pub fn last_contact(&self, site: &Site, client: &Client, today: Date) -> Option<Contact> {
        let rules = &site.config.health;
        self.entries
            .iter()
            .rev()
            .filter(|e| e.date <= today && e.status == Logged::Done)
            .find(|e| {
                // A touchpoint for the team only (a hand-off meeting) is no contact with the
                // client, whatever its channel.
                let internal = touchpoint(site, client, e)
                    .is_some_and(|t| t.visibility == crate::model::Visibility::Internal);
                !internal
                    && Self::channel_of(site, client, e).is_some_and(|c| {
                        rules
                            .personal_channels
                            .iter()
                            .any(|p| p.eq_ignore_ascii_case(c))
                    })
            })
            .map(|e| Contact {
                date: e.date,
                by: by_whom(site, client, e),
                channel: Self::channel_of(site, client, e)
                    .unwrap_or_default()
                    .to_string(),
            })
    }

    /// The signals of this client on `today`. Entries dated after `today` are left out.
    pub fn signals(&self, site: &Site, client: &Client, today: Date) -> Signals {
        let rules = &site.config.health;
        let last_contact = self.last_contact(site, client, today);
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

/// The touchpoint an entry is about, if it names one of the journey or of the client's own
/// (an occurrence `020-monthly-check-in/3` is about `020-monthly-check-in`).
pub fn touchpoint<'s>(
    site: &'s Site,
    client: &'s Client,
    entry: &LogEntry,
) -> Option<&'s Touchpoint> {
    touchpoint_by_id(site, client, split_key(&entry.touchpoint.as_ref()?.value).0)
}

/// The journey's touchpoint `id`, else the client's own.
pub fn touchpoint_by_id<'s>(
    site: &'s Site,
    client: &'s Client,
    id: &str,
) -> Option<&'s Touchpoint> {
    site.journey
        .iter()
        .chain(&client.touchpoints)
        .find(|t| t.id == id)
        .map(|t| &**t)
}

/// `020-monthly-check-in/3` as the touchpoint's id and the occurrence; a key without a
/// number (or with one written otherwise than as plain digits from 1: `+1`, `01`, `0`) is all
/// id, so only one spelling names each occurrence.
pub fn split_key(key: &str) -> (&str, Option<u32>) {
    let plain = |n: &str| n.bytes().all(|b| b.is_ascii_digit()) && !n.starts_with('0');
    match key.rsplit_once('/') {
        Some((id, n)) if plain(n) => match n.parse::<u32>() {
            Ok(n) => (id, Some(n)),
            Err(_) => (key, None),
        },
        _ => (key, None),
    }
}

/// The dates of `t` for `client`: one step, or one per occurrence of a repeat, each moved off
/// closed days by the calendar's rules unless `exact`; or the name of the client date it
/// needs and the client does not have.
fn schedule(
    site: &Site,
    client: &Client,
    t: &Arc<Touchpoint>,
    last_contact: Option<Date>,
) -> Result<Vec<Step>, String> {
    let named = |name: &Located<String>| {
        client
            .dates
            .get(&name.value)
            .map(|d| d.value)
            .ok_or_else(|| name.value.clone())
    };
    let first = match &t.when {
        When::Day(day) => client.date_of_day(*day),
        When::After { date, days } => dates::add_days(named(date)?, i64::from(*days)),
        When::Before { date, days } => dates::add_days(named(date)?, -i64::from(*days)),
        When::AfterLastContact { days } => {
            dates::add_days(last_contact.unwrap_or(client.start), i64::from(*days))
        }
        When::On(date) => *date,
    };
    let raw: Vec<(Option<u32>, Date)> = match &t.repeat {
        None => vec![(None, first)],
        Some(Repeat { every, end }) => {
            let (count, until) = match end {
                RepeatEnd::Count(n) => (*n, None),
                RepeatEnd::UntilDay(day) => {
                    (Repeat::MAX_OCCURRENCES, Some(client.date_of_day(*day)))
                }
                RepeatEnd::UntilDate(name) => (Repeat::MAX_OCCURRENCES, Some(named(name)?)),
            };
            (0..count)
                .map(|n| (Some(n + 1), calendar_rules::occurrence(first, *every, n)))
                .take_while(|(_, d)| until.is_none_or(|u| *d <= u))
                .collect()
        }
    };
    let rules = &site.config.calendar_rules;
    Ok(raw
        .into_iter()
        .map(|(occurrence, computed)| {
            let (planned, shifted_from, closed_day) = if t.exact {
                (computed, None, !rules.is_open(computed, &client.blackout))
            } else {
                let s = rules.shift(computed, &client.blackout);
                (s.date, (s.date != computed).then_some(computed), s.stuck)
            };
            Step {
                touchpoint: Arc::clone(t),
                occurrence,
                planned,
                day: dates::journey_day(client.start, computed),
                shifted_from,
                closed_day,
                date: planned,
                logged: None,
                moves: 0,
                entry: None,
            }
        })
        .collect())
}

/// Who did what an entry records: its `by`, else the member who holds the touchpoint's role
/// for the client.
pub fn by_whom(site: &Site, client: &Client, entry: &LogEntry) -> Option<String> {
    match &entry.by {
        Some(by) => Some(by.value.clone()),
        None => {
            let t = touchpoint(site, client, entry)?;
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

#[cfg(test)]
mod tests {
    use super::split_key;

    #[test]
    fn an_occurrence_has_one_spelling() {
        assert_eq!(split_key("020-monthly/3"), ("020-monthly", Some(3)));
        assert_eq!(split_key("020-monthly/12"), ("020-monthly", Some(12)));
        for other in [
            "020-monthly/0",
            "020-monthly/01",
            "020-monthly/+1",
            "020-monthly/-1",
            "020-monthly/x",
            "020-monthly/",
            "020-monthly/99999999999",
        ] {
            assert_eq!(split_key(other), (other, None), "{other}");
        }
        assert_eq!(split_key("recovery-visit"), ("recovery-visit", None));
    }
}
