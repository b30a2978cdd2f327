//! **check**: cross-references between files that each parsed on their own: team members named
//! by clients, roles owning touchpoints, stages, photos. Runs before anything is rendered.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::CONFIG_FILE;
use crate::diagnostics::{suggest, Diagnostic, Diagnostics};
use crate::model::Site;

mod calendar;

use crate::history;

/// `today` is the build date: log entries after it are reported.
pub fn check_site(site: &Site, today: jiff::civil::Date) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let statics: BTreeSet<&str> = site.statics.iter().map(String::as_str).collect();
    let stages: Vec<&str> = site.stages().iter().map(String::as_str).collect();

    // Which roles exist: every role some team member can own.
    let mut holders: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for m in &site.team {
        for r in &m.roles {
            holders.entry(r.as_str()).or_default().push(m.id.as_str());
        }
    }
    let role_names: Vec<&str> = holders.keys().copied().collect();
    let member_ids: Vec<&str> = site.team.iter().map(|m| m.id.as_str()).collect();

    if let Some(logo) = &site.config.firm.logo {
        if !statics.contains(logo.trim_start_matches('/')) {
            diags.push(
                Diagnostic::error(CONFIG_FILE, format!("the logo `{logo}` is not in static/"))
                    .at(site.config.logo_at)
                    .help(format!(
                        "put the file at static/{}, or remove `logo`",
                        logo.trim_start_matches('/')
                    )),
            );
        }
    }

    for m in &site.team {
        if let Some(photo) = &m.photo {
            if !statics.contains(photo.value.as_str()) {
                let d = Diagnostic::error(
                    &m.file,
                    format!("the photo `{}` is not in static/", photo.value),
                )
                .at(photo.at);
                let d = match suggest(&photo.value, statics.iter().copied()) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!("put the file at static/{}", photo.value)),
                };
                diags.push(d);
            }
        }
    }

    let journey_ids: Vec<&str> = site.journey.iter().map(|t| t.id.as_str()).collect();
    for t in site.scripted() {
        diags.extend(crate::variables::check_script(t));
        for done in &t.requires.done {
            if !journey_ids.contains(&done.value.as_str()) {
                let d = Diagnostic::error(
                    &t.file,
                    format!(
                        "`requires.done`: there is no touchpoint `{}` in journey/",
                        done.value
                    ),
                )
                .at(done.at);
                diags.push(did_you_mean(
                    d,
                    &done.value,
                    &journey_ids,
                    "name a journey file without `.md`".into(),
                ));
            }
        }
        diags.extend(calendar::unused_date_names(site, t));
        if !stages.contains(&t.stage.value.as_str()) {
            diags.push(unknown_stage(&t.file, &t.stage.value, t.stage.at, &stages));
        }
        if !holders.contains_key(t.owner.value.as_str()) && site.unloaded_team.is_empty() {
            let d = Diagnostic::error(
                &t.file,
                format!("no team member holds the owner role `{}`", t.owner.value),
            )
            .at(t.owner.at);
            diags.push(match suggest(&t.owner.value, role_names.iter().copied()) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(format!(
                    "add `{}` to the `roles` of the team member who does this (roles in use: {})",
                    t.owner.value,
                    role_names.join(", ")
                )),
            });
        }
    }

    for c in &site.clients {
        diags.extend(calendar::client(site, c, &journey_ids, today));
        if let Some(stage) = &c.stage {
            if !stages.contains(&stage.value.as_str()) {
                diags.push(unknown_stage(&c.file, &stage.value, stage.at, &stages));
            }
        }
        for (role, member) in &c.team {
            match site.member(&member.value) {
                None if site.unloaded_team.contains(&member.value) => {}
                None => diags.push(unknown_member(&c.file, member, &member_ids)),
                Some(m) if !m.roles.iter().any(|r| r == role) => {
                    diags.push(
                        Diagnostic::warning(
                            &c.file,
                            format!(
                                "`{}` is assigned as `{role}` but does not list that role",
                                m.id
                            ),
                        )
                        .at(member.at)
                        .help(format!("add `{role}` to `roles` in {}", m.file.display())),
                    );
                }
                Some(_) => {}
            }
        }
        // Touchpoints with nobody to do them for this client.
        let mut unassigned: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for t in site.journey.iter().chain(&c.touchpoints) {
            if holders.contains_key(t.owner.value.as_str()) && !c.team.contains_key(&t.owner.value)
            {
                unassigned
                    .entry(t.owner.value.as_str())
                    .or_default()
                    .push(t.title.as_str());
            }
        }
        for (role, titles) in unassigned {
            diags.push(
                Diagnostic::warning(
                    &c.file,
                    format!(
                        "nobody is assigned as `{role}`, so {} touchpoint(s) are unassigned: {}",
                        titles.len(),
                        titles.join(", ")
                    ),
                )
                .at(c.team_at)
                .help(format!("add `{role}: <team member id>` under `team`")),
            );
        }
    }
    for log in &site.logs {
        diags.extend(check_log(site, log, today));
    }
    diags
}

/// A journey log against the rest of the site: its client, touchpoints, members and contacts,
/// and its dates against the client's start and the build date.
pub(crate) fn check_log(
    site: &Site,
    log: &crate::model::Log,
    today: jiff::civil::Date,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let member_ids: Vec<&str> = site.team.iter().map(|m| m.id.as_str()).collect();
    let Some(client) = site
        .clients
        .binary_search_by(|c| c.id.as_str().cmp(&log.client))
        .ok()
        .map(|i| &*site.clients[i])
    else {
        let d = Diagnostic::error(
            &log.file,
            format!("there is no client `{}` for this log", log.client),
        )
        .at(Some(crate::diagnostics::Position::new(1, 1)));
        let ids = site.clients.iter().map(|c| c.id.as_str());
        diags.push(match suggest(&log.client, ids) {
            Some(s) => d.help(format!(
                "did you mean log/{s}.yaml? A log is named after its client's file"
            )),
            None => d.help(
                "a log is named after its client's file: clients/acme.yaml has log/acme.yaml",
            ),
        });
        return diags;
    };
    let touchpoint_ids: Vec<&str> = site
        .journey
        .iter()
        .chain(&client.touchpoints)
        .map(|t| t.id.as_str())
        .collect();
    let history = crate::history::History::with_log(site, client, Some(log), today);
    let contact_names: Vec<&str> = client.contacts.iter().map(|c| c.name.as_str()).collect();
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
    let mut done: BTreeMap<&str, jiff::civil::Date> = BTreeMap::new();
    for e in &log.entries {
        if let Some(t) = &e.touchpoint {
            let (id, occurrence) = crate::history::split_key(&t.value);
            let repeats =
                history::touchpoint_by_id(site, client, id).is_some_and(|t| t.repeat.is_some());
            if !touchpoint_ids.contains(&id) {
                let d = Diagnostic::error(
                    &log.file,
                    format!(
                        "there is no touchpoint `{id}` in journey/ or in {}'s `touchpoints`",
                        client.name
                    ),
                )
                .at(t.at);
                diags.push(did_you_mean(
                    d,
                    id,
                    &touchpoint_ids,
                    "name a journey file without `.md` (or a one-off's id), or leave `touchpoint` out for an unplanned contact".into(),
                ));
            } else if let Some(n) = occurrence {
                let count = history
                    .steps
                    .iter()
                    .filter(|s| s.touchpoint.id == id)
                    .count();
                if !repeats {
                    diags.push(
                        Diagnostic::error(
                            &log.file,
                            format!("`{id}` does not repeat, so it has no occurrence {n}"),
                        )
                        .at(t.at)
                        .help(format!("write `touchpoint: {id}`")),
                    );
                } else if n as usize > count {
                    let why = no_steps(&history, client, id).unwrap_or_default();
                    diags.push(
                        Diagnostic::error(
                            &log.file,
                            format!("`{id}` has {count} occurrence(s) for {}{why}, so there is no occurrence {n}", client.name),
                        )
                        .at(t.at)
                        .help(format!("occurrences are numbered from 1: `{id}/1` is the first")),
                    );
                }
            }
            if !touchpoint_ids.contains(&id) || (repeats && occurrence.is_none()) {
                // Unknown, or the next occurrence of a repeat: not a second `done`.
            } else if e.status == crate::model::Logged::Done {
                if let Some(first) = done.insert(t.value.as_str(), e.date) {
                    diags.push(
                        Diagnostic::warning(
                            &log.file,
                            format!(
                                "`{}` is logged done twice (on {} and on {})",
                                t.value,
                                crate::dates::iso(first),
                                crate::dates::iso(e.date)
                            ),
                        )
                        .at(e.at)
                        .help("keep one entry; for a second contact, log an unplanned entry with a `title`"),
                    );
                }
            }
        }
        if let Some(by) = &e.by {
            if site.member(&by.value).is_none() && !site.unloaded_team.contains(&by.value) {
                diags.push(unknown_member(&log.file, by, &member_ids));
            }
        }
        for w in &e.with {
            if !contact_names.contains(&w.value.as_str()) {
                let d = Diagnostic::error(
                    &log.file,
                    format!("`{}` is not a contact of {}", w.value, client.name),
                )
                .at(w.at);
                let contacts = format!(
                    "the contacts in {} are: {}",
                    client.file.display(),
                    contact_names.join(", ")
                );
                diags.push(did_you_mean(d, &w.value, &contact_names, contacts));
            }
        }
        if let Some(c) = &e.channel {
            if !channels.contains(&c.value.as_str()) {
                let d = Diagnostic::warning(
                    &log.file,
                    format!("`{}` is not a channel the journey uses", c.value),
                )
                .at(c.at);
                let in_use = format!("the channels in use are: {}", channels.join(", "));
                diags.push(did_you_mean(d, &c.value, &channels, in_use));
            }
        }
        if e.date < client.start {
            diags.push(
                Diagnostic::warning(
                    &log.file,
                    format!(
                        "this entry is dated {}, before {} started on {}",
                        crate::dates::iso(e.date),
                        client.name,
                        crate::dates::iso(client.start)
                    ),
                )
                .at(e.at)
                .help("check the year and month of `date`"),
            );
        }
        if e.date > today {
            diags.push(
                Diagnostic::warning(
                    &log.file,
                    format!(
                        "this entry is dated {}, after the build date {}",
                        crate::dates::iso(e.date),
                        crate::dates::iso(today)
                    ),
                )
                .at(e.at)
                .help("a log records what happened; to plan a new date, log the touchpoint as `moved` with `to:`"),
            );
        }
    }
    diags.extend(idle_entries(&history, site, client, &log.file));
    diags
}

/// Why `client` has no step of touchpoint `id`, as words to follow its name: it waits for a
/// date the client lacks, or the client skips it.
fn no_steps(history: &history::History, client: &crate::model::Client, id: &str) -> Option<String> {
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
fn idle_entries(
    history: &history::History,
    site: &Site,
    client: &crate::model::Client,
    file: &std::path::Path,
) -> Vec<Diagnostic> {
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

/// `d` with the closest of `known` to `value` as its help, or `otherwise` when none is close.
fn did_you_mean(d: Diagnostic, value: &str, known: &[&str], otherwise: String) -> Diagnostic {
    match suggest(value, known.iter().copied()) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help(otherwise),
    }
}

/// A reference to a team member who does not exist, in a client file or a log.
fn unknown_member(
    file: &std::path::Path,
    id: &crate::model::Located<String>,
    member_ids: &[&str],
) -> Diagnostic {
    let d = Diagnostic::error(file, format!("there is no team member `{}`", id.value)).at(id.at);
    let listed = format!(
        "team members are the files in team/: {}",
        member_ids.join(", ")
    );
    did_you_mean(d, &id.value, member_ids, listed)
}

fn unknown_stage(
    file: &std::path::Path,
    stage: &str,
    at: Option<crate::diagnostics::Position>,
    stages: &[&str],
) -> Diagnostic {
    let d = Diagnostic::error(
        file,
        format!("`{stage}` is not one of the journey's stages"),
    )
    .at(at);
    match suggest(stage, stages.iter().copied()) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help(format!(
            "the stages are {} (set them with `stages` under [journey] in hundred.toml)",
            stages.join(", ")
        )),
    }
}
