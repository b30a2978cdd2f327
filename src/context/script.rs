//! The context a journey script is rendered with, once per client. Scripts are the team's
//! words for the runbook, so this context includes the client's `internal` notes; it is only
//! ever used for internal pages.

use std::collections::BTreeMap;

use serde::Serialize;

use super::first_name;
use super::internal::LogViews;
use crate::config::Firm;
use crate::dates;
use crate::history::History;
use crate::model::{Client, Member, Site, Touchpoint};

#[derive(Debug, Clone, Serialize)]
pub struct ScriptPerson {
    pub id: String,
    pub name: String,
    pub first_name: String,
    pub role: String,
    pub email: String,
    pub phone: Option<String>,
    pub assigned: bool,
}

impl ScriptPerson {
    fn from_member(m: &Member) -> Self {
        ScriptPerson {
            id: m.id.clone(),
            name: m.name.clone(),
            first_name: first_name(&m.name),
            role: m.role.clone(),
            email: m.email.clone(),
            phone: m.phone.clone(),
            assigned: true,
        }
    }

    /// Stands in for the owner when nobody holds the role for this client, so scripts still
    /// render and the runbook shows the gap.
    fn unassigned(role_label: String, firm: &Firm) -> Self {
        ScriptPerson {
            id: String::new(),
            name: "(unassigned)".into(),
            first_name: "(unassigned)".into(),
            role: role_label,
            email: firm.email.clone(),
            phone: firm.phone.clone(),
            assigned: false,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ScriptContact {
    pub name: String,
    pub first_name: String,
    pub role: String,
    pub email: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScriptClient<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub start: String,
    pub start_long: String,
    pub goals: &'a [String],
    pub cares_about: &'a [String],
    pub contact: ScriptContact,
    pub contacts: Vec<ScriptContact>,
    /// The link the client opens their portal with: for a private portal, with its key, for
    /// a message to the client (scripts are internal, so it reaches no portal page).
    pub portal_url: String,
    // `internal` is put in beside it as [`notes_value`]: its strings are markdown.
}

#[derive(Debug, Clone, Serialize)]
pub struct ScriptTouchpoint<'a> {
    pub title: &'a str,
    /// For a repeating touchpoint, which occurrence (1 is the first).
    pub occurrence: Option<u32>,
    /// The day of the client's journey it falls on.
    pub day: i64,
    pub date: String,
    pub date_long: String,
    pub stage: &'a str,
    pub channel: &'a str,
    /// `done`, `skipped`, `open`, `today` or `upcoming`, from the journey log.
    pub status: &'static str,
}

/// Builds the per-client part once; [`ClientScriptContext::for_touchpoint`] adds the rest.
#[derive(Clone)]
pub struct ClientScriptContext {
    base: tera::Context,
    team: BTreeMap<String, ScriptPerson>,
    /// The client's steps that runbooks show, in the history's order (a repeat's current
    /// occurrence stands for it): one script each.
    steps: Vec<crate::history::Step>,
    /// Each step's status on the build date.
    statuses: Vec<&'static str>,
}

impl ClientScriptContext {
    pub fn new(
        site: &Site,
        client: &Client,
        history: &History,
        log: &LogViews,
        today: jiff::civil::Date,
    ) -> Self {
        let contacts: Vec<ScriptContact> = client
            .contacts
            .iter()
            .map(|c| ScriptContact {
                name: c.name.clone(),
                first_name: first_name(&c.name),
                role: c.role.clone(),
                email: c.email.clone(),
                phone: c.phone.clone(),
            })
            .collect();
        let script_client = ScriptClient {
            id: &client.id,
            name: &client.name,
            start: dates::iso(client.start),
            start_long: dates::long(client.start),
            goals: &client.goals,
            cares_about: &client.cares_about,
            contact: contacts[0].clone(),
            contacts,
            portal_url: crate::private::portal_link(site, client),
        };
        let team: BTreeMap<String, ScriptPerson> = client
            .team
            .iter()
            .filter_map(|(role, id)| {
                site.member(&id.value)
                    .map(|m| (role.clone(), ScriptPerson::from_member(m)))
            })
            .collect();
        let mut base = tera::Context::new();
        base.insert("firm", &site.config.firm);
        let mut client_value = tera::Value::from_serializable(&script_client)
            .into_map()
            .expect("a client is a map");
        client_value.insert("internal".into(), notes_value(&client.internal));
        for (key, value) in log_values(history, log) {
            client_value.insert(key.into(), value);
        }
        base.insert_value("client", tera::Value::from(client_value));
        base.insert("team", &team);
        let steps: Vec<crate::history::Step> = history
            .shown()
            .into_iter()
            .map(|k| history.steps[k].clone())
            .collect();
        let statuses = steps.iter().map(|s| s.status(today).name()).collect();
        ClientScriptContext {
            base,
            team,
            steps,
            statuses,
        }
    }

    /// How many steps the client has: one script each.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// The touchpoint of step `k`.
    pub fn touchpoint(&self, k: usize) -> &Touchpoint {
        &self.steps[k].touchpoint
    }

    /// The context of the script of step `k`.
    pub fn for_step(&self, site: &Site, k: usize) -> tera::Context {
        let step = &self.steps[k];
        let t = &*step.touchpoint;
        let mut ctx = self.base.clone();
        let owner = self.team.get(&t.owner.value).cloned().unwrap_or_else(|| {
            ScriptPerson::unassigned(site.config.role_label(&t.owner.value), &site.config.firm)
        });
        let (date, status) = (step.date, self.statuses[k]);
        ctx.insert("owner", &owner);
        ctx.insert(
            "touchpoint",
            &ScriptTouchpoint {
                title: &t.title,
                occurrence: step.occurrence,
                day: step.day,
                date: dates::iso(date),
                date_long: dates::long(date),
                stage: &t.stage.value,
                channel: &t.channel,
                status,
            },
        );
        ctx
    }
}

/// What the journey log says, as `client.health`, `client.last_contact`, `client.last_score`,
/// `client.scores`, `client.log` (newest first) and the other signals. Notes are the team's
/// markdown, so like the `internal` notes they are kept as written.
fn log_values(history: &History, log: &LogViews) -> Vec<(&'static str, tera::Value)> {
    let signals = &log.signals;
    let log: Vec<tera::Value> = log
        .newest_first()
        .map(|(i, view)| {
            let mut value = view.clone().into_map().expect("an entry is a map");
            value.insert(
                "note".into(),
                tera::Value::safe_string(&history.entries[i].note),
            );
            tera::Value::from(value)
        })
        .collect();
    vec![
        ("health", tera::Value::from_serializable(&signals.health)),
        (
            "last_contact",
            tera::Value::from_serializable(&signals.last_contact),
        ),
        (
            "last_score",
            tera::Value::from_serializable(&signals.last_score),
        ),
        ("scores", tera::Value::from_serializable(&signals.scores)),
        ("trend", tera::Value::from_serializable(&signals.trend)),
        (
            "last_mood",
            tera::Value::from_serializable(&signals.last_mood),
        ),
        (
            "quiet_days",
            tera::Value::from_serializable(&signals.quiet_days),
        ),
        (
            "open_steps",
            tera::Value::from_serializable(&signals.open_steps),
        ),
        ("log", tera::Value::from(log)),
    ]
}

/// The `internal` notes as template values. Their strings are markdown written by the team, so
/// a script that shows one (`{{ client.internal.handoff }}`) keeps its lists and emphasis: they
/// are marked safe, rather than made inert to markdown like every other value (see
/// [`crate::markdown::escape_value`]). They stay as written, so tests and comparisons in a
/// script see the notes' own text. The markdown renderer still shows raw HTML in them as
/// text and keeps only plain ids and classes on their headings.
fn notes_value(value: &serde_json::Value) -> tera::Value {
    match value {
        serde_json::Value::String(s) => tera::Value::safe_string(s),
        serde_json::Value::Array(items) => {
            tera::Value::from(items.iter().map(notes_value).collect::<Vec<_>>())
        }
        serde_json::Value::Object(map) => tera::Value::from(
            map.iter()
                .map(|(k, v)| (k.clone().into(), notes_value(v)))
                .collect::<tera::Map>(),
        ),
        other => tera::Value::from_serializable(other),
    }
}
