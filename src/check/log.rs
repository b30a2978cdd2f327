//! A journey log against the rest of the site: its client, touchpoints (and occurrences of
//! repeats), members and contacts, its channels, and its dates against the client's start and
//! the build date.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::civil::Date;

use super::{did_you_mean, unknown_member};
use crate::diagnostics::{suggest, Diagnostic};
use crate::history::{self, History};
use crate::model::{Client, Located, Log, LogEntry, Logged, Site};

pub(crate) fn check_log(site: &Site, log: &Log, today: Date) -> Vec<Diagnostic> {
    let Some(client) = site
        .clients
        .binary_search_by(|c| c.id.as_str().cmp(&log.client))
        .ok()
        .map(|i| &*site.clients[i])
    else {
        return vec![no_client(site, log)];
    };
    let mut check = LogCheck::new(site, client, log, today);
    for e in &log.entries {
        if let Some(t) = &e.touchpoint {
            check.touchpoint(e, t);
        }
        check.people(e);
        check.channel(e);
        check.dates(e);
    }
    let idle = idle_entries(&check.history, site, client, &log.file);
    check.diags.extend(idle);
    check.diags
}

fn no_client(site: &Site, log: &Log) -> Diagnostic {
    let d = Diagnostic::error(
        &log.file,
        format!("there is no client `{}` for this log", log.client),
    )
    .at(Some(crate::diagnostics::Position::new(1, 1)));
    let ids = site.clients.iter().map(|c| c.id.as_str());
    match suggest(&log.client, ids) {
        Some(s) => d.help(format!(
            "did you mean log/{s}.yaml? A log is named after its client's file"
        )),
        None => {
            d.help("a log is named after its client's file: clients/acme.yaml has log/acme.yaml")
        }
    }
}

/// What the checks of one log's entries share: the names they are checked against, and the
/// touchpoints logged done so far (a second `done` is a warning).
struct LogCheck<'a> {
    site: &'a Site,
    client: &'a Client,
    file: &'a Path,
    today: Date,
    /// The client's steps as the log being checked leaves them (for `hundred log`, with the
    /// new entry).
    history: History<'a>,
    touchpoint_ids: Vec<&'a str>,
    member_ids: Vec<&'a str>,
    contact_names: Vec<&'a str>,
    channels: Vec<&'a str>,
    done: BTreeMap<&'a str, Date>,
    diags: Vec<Diagnostic>,
}

impl<'a> LogCheck<'a> {
    fn new(site: &'a Site, client: &'a Client, log: &'a Log, today: Date) -> Self {
        let mut channels: Vec<&str> = site
            .journey
            .iter()
            .map(|t| t.channel.as_str())
            .chain(
                site.config
                    .health
                    .personal_channels
                    .iter()
                    .map(String::as_str),
            )
            .collect();
        channels.sort_unstable();
        channels.dedup();
        LogCheck {
            site,
            client,
            file: &log.file,
            today,
            history: History::with_log(site, client, Some(log), today),
            touchpoint_ids: site
                .journey
                .iter()
                .chain(&client.touchpoints)
                .map(|t| t.id.as_str())
                .collect(),
            member_ids: site.team.iter().map(|m| m.id.as_str()).collect(),
            contact_names: client.contacts.iter().map(|c| c.name.as_str()).collect(),
            channels,
            done: BTreeMap::new(),
            diags: Vec::new(),
        }
    }

    /// The entry's touchpoint exists for this client, an occurrence number names one that
    /// exists, and it is not logged done twice.
    fn touchpoint(&mut self, e: &'a LogEntry, t: &'a Located<String>) {
        let (site, client) = (self.site, self.client);
        let (id, occurrence) = history::split_key(&t.value);
        let repeats =
            history::touchpoint_by_id(site, client, id).is_some_and(|t| t.repeat.is_some());
        if !self.touchpoint_ids.contains(&id) {
            let d = Diagnostic::error(
                self.file,
                format!(
                    "there is no touchpoint `{id}` in journey/ or in {}'s `touchpoints`",
                    client.name
                ),
            )
            .at(t.at);
            self.diags.push(did_you_mean(
                d,
                id,
                &self.touchpoint_ids,
                "name a journey file without `.md` (or a one-off's id), or leave `touchpoint` out for an unplanned contact".into(),
            ));
            return;
        }
        if let Some(n) = occurrence {
            self.occurrence(id, n, repeats, t);
        }
        // The next occurrence of a repeat is not a second `done`.
        if (repeats && occurrence.is_none()) || e.status != Logged::Done {
            return;
        }
        if let Some(first) = self.done.insert(t.value.as_str(), e.date) {
            self.diags.push(
                Diagnostic::warning(
                    self.file,
                    format!(
                        "`{}` is logged done twice (on {} and on {})",
                        t.value,
                        crate::dates::iso(first),
                        crate::dates::iso(e.date)
                    ),
                )
                .at(e.at)
                .help(
                    "keep one entry; for a second contact, log an unplanned entry with a `title`",
                ),
            );
        }
    }

    /// `id/n` names an occurrence the client has.
    fn occurrence(&mut self, id: &str, n: u32, repeats: bool, t: &Located<String>) {
        if !repeats {
            self.diags.push(
                Diagnostic::error(
                    self.file,
                    format!("`{id}` does not repeat, so it has no occurrence {n}"),
                )
                .at(t.at)
                .help(format!("write `touchpoint: {id}`")),
            );
            return;
        }
        let count = self
            .history
            .steps
            .iter()
            .filter(|s| s.touchpoint.id == id)
            .count();
        if n as usize > count {
            let why = no_steps(&self.history, self.client, id).unwrap_or_default();
            self.diags.push(
                Diagnostic::error(
                    self.file,
                    format!(
                        "`{id}` has {count} occurrence(s) for {}{why}, so there is no occurrence {n}",
                        self.client.name
                    ),
                )
                .at(t.at)
                .help(format!("occurrences are numbered from 1: `{id}/1` is the first")),
            );
        }
    }

    /// `by` is a team member and each of `with` a contact of the client.
    fn people(&mut self, e: &LogEntry) {
        if let Some(by) = &e.by {
            if self.site.member(&by.value).is_none() && !self.site.unloaded_team.contains(&by.value)
            {
                self.diags
                    .push(unknown_member(self.file, by, &self.member_ids));
            }
        }
        for w in &e.with {
            if !self.contact_names.contains(&w.value.as_str()) {
                let d = Diagnostic::error(
                    self.file,
                    format!("`{}` is not a contact of {}", w.value, self.client.name),
                )
                .at(w.at);
                let contacts = format!(
                    "the contacts in {} are: {}",
                    self.client.file.display(),
                    self.contact_names.join(", ")
                );
                self.diags
                    .push(did_you_mean(d, &w.value, &self.contact_names, contacts));
            }
        }
    }

    /// The channel is one the journey uses (or a personal channel of `[health]`).
    fn channel(&mut self, e: &LogEntry) {
        let Some(c) = &e.channel else { return };
        if !self.channels.contains(&c.value.as_str()) {
            let d = Diagnostic::warning(
                self.file,
                format!("`{}` is not a channel the journey uses", c.value),
            )
            .at(c.at);
            let in_use = format!("the channels in use are: {}", self.channels.join(", "));
            self.diags
                .push(did_you_mean(d, &c.value, &self.channels, in_use));
        }
    }

    /// The date is not before the client's start, nor after the build date.
    fn dates(&mut self, e: &LogEntry) {
        if e.date < self.client.start {
            self.diags.push(
                Diagnostic::warning(
                    self.file,
                    format!(
                        "this entry is dated {}, before {} started on {}",
                        crate::dates::iso(e.date),
                        self.client.name,
                        crate::dates::iso(self.client.start)
                    ),
                )
                .at(e.at)
                .help("check the year and month of `date`"),
            );
        }
        if e.date > self.today {
            self.diags.push(
                Diagnostic::warning(
                    self.file,
                    format!(
                        "this entry is dated {}, after the build date {}",
                        crate::dates::iso(e.date),
                        crate::dates::iso(self.today)
                    ),
                )
                .at(e.at)
                .help("a log records what happened; to plan a new date, log the touchpoint as `moved` with `to:`"),
            );
        }
    }
}

/// Why `client` has no step of touchpoint `id`, as words to follow its name: it waits for a
/// date the client lacks, or the client skips it.
fn no_steps(history: &History, client: &Client, id: &str) -> Option<String> {
    if let Some(w) = history.waiting.iter().find(|w| w.touchpoint.id == id) {
        return Some(format!(
            " (it waits for a `{}` date, which {} does not have)",
            w.date, client.name
        ));
    }
    client
        .skip
        .iter()
        .any(|s| s.value == id)
        .then(|| format!(" ({} has it under `skip`)", client.name))
}

/// Entries about a touchpoint of the client that mark no step, so the author learns that the
/// log says something the pages do not show.
fn idle_entries(history: &History, site: &Site, client: &Client, file: &Path) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for &i in &history.idle {
        let e = history.entries[i];
        let Some(t) = &e.touchpoint else { continue };
        let id = t.value.as_str();
        if history::touchpoint_by_id(site, client, id).is_none() {
            continue; // Reported as unknown.
        }
        let (message, help) = match no_steps(history, client, id) {
            Some(why) => (
                format!("`{id}` has no step for {}{why}, so this entry changes nothing", client.name),
                format!("give {} the date (or take `{id}` out of `skip`) in {}, or remove this entry", client.name, client.file.display()),
            ),
            None => (
                format!("every occurrence of `{id}` for {} is already logged done or skipped, so this entry is about none of them", client.name),
                "for another contact, log an unplanned entry with a `title` and a `channel`".to_string(),
            ),
        };
        diags.push(Diagnostic::warning(file, message).at(t.at).help(help));
    }
    diags
}
