//! **check**: cross-references between files that each parsed on their own: team members named
//! by clients, roles owning touchpoints, stages, photos. Runs before anything is rendered.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::CONFIG_FILE;
use crate::diagnostics::{suggest, Diagnostic, Diagnostics};
use crate::model::Site;

mod calendar;
mod log;

pub(crate) use log::check_log;

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
            } else if let Err(why) = crate::photos::kind(&photo.value) {
                diags.push(
                    Diagnostic::error(&m.file, format!("`{}`: {why}", photo.value))
                        .at(photo.at)
                        .help(
                            "save the photo as a JPEG (or a PNG, for transparency), at least \
                             480×480 pixels, and name that file here",
                        ),
                );
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
