//! Every output must have a route of its own, and every folder that belongs to one client,
//! member or chapter must hold only that one's files. Otherwise two sources write the same
//! file (a build then keeps whichever came last), or a client's self-contained portal folder
//! fills with the theme's assets or another folder's files (a client named `assets`, or `team`
//! beside the photos in `static/team/`).

use std::collections::BTreeMap;

use super::{AssetSource, PageKind, Plan};
use crate::diagnostics::Diagnostic;
use crate::model::Site;

/// Who an output belongs to: compared to tell whether two outputs may share a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Owner {
    /// How a message names it: "client `acme` (clients/acme.yaml)".
    name: String,
    /// The site file to rename or move, if the user wrote it (not for hundred's own pages).
    file: Option<String>,
    /// Content named by id (a client, member or chapter): its id would be the one to change.
    id: Option<String>,
}

impl Owner {
    fn builtin(name: &str) -> Owner {
        Owner {
            name: name.to_string(),
            file: None,
            id: None,
        }
    }

    fn content(kind: &str, id: &str, file: &std::path::Path) -> Owner {
        let file = crate::load::slash_path(file);
        Owner {
            name: format!("{kind} `{id}` ({file})"),
            file: Some(file),
            id: Some(id.to_string()),
        }
    }

    fn statics(file: &str) -> Owner {
        Owner {
            name: format!("static/{file}"),
            file: Some(format!("static/{file}")),
            id: None,
        }
    }
}

/// The folders (as the plan names them, ending with `/`) that each kind of content owns whole,
/// with the kind's name: an id that puts such a folder where hundred writes its own files is
/// reserved.
const ID_FOLDERS: &[(&str, &str)] = &[
    ("client", "portal/"),
    ("client", "internal/clients/"),
    ("team member", "internal/team/"),
    ("chapter", "internal/playbook/"),
];

fn page_owner(site: &Site, kind: PageKind) -> (Owner, Option<String>) {
    use PageKind::*;
    let client = |ci: usize| Owner::content("client", &site.clients[ci].id, &site.clients[ci].file);
    match kind {
        PortalWelcome { client: ci }
        | PortalTeam { client: ci }
        | PortalMember { client: ci, .. }
        | PortalJourney { client: ci }
        | PortalCalendar { client: ci }
        | PortalPrint { client: ci } => {
            (client(ci), Some(super::client_folder(&site.clients[ci].id)))
        }
        InternalRunbook { client: ci }
        | InternalRunbookPrint { client: ci }
        | InternalClientCalendar { client: ci } => (
            client(ci),
            Some(format!("internal/clients/{}/", site.clients[ci].id)),
        ),
        InternalMember { member } | InternalMemberCalendar { member } => {
            let m = &site.team[member];
            (
                Owner::content("team member", &m.id, &m.file),
                Some(format!("internal/team/{}/", m.id)),
            )
        }
        InternalChapter { chapter } => {
            let c = &site.playbook[chapter];
            (
                Owner::content("chapter", &c.id, &c.file),
                Some(format!("internal/playbook/{}/", c.id)),
            )
        }
        // Its folder also receives playbook.pdf from `hundred pdf`.
        InternalPlaybookPrint => (
            Owner::builtin("the printable playbook"),
            Some("internal/playbook/print/".into()),
        ),
        PortalRoot | PortalRobots | PortalNotFound => {
            (Owner::builtin("the portal's own pages"), None)
        }
        _ => (Owner::builtin("the internal site's own pages"), None),
    }
}

/// Finds every route written twice and every output that lands in a folder owned by someone
/// else, and reports each with both sources.
pub(super) fn check(site: &Site, plan: &Plan) -> Result<(), Vec<Diagnostic>> {
    let mut found = Conflicts::default();
    let mut folders: BTreeMap<String, Owner> = BTreeMap::new();
    let mut outputs: Vec<(&str, String, Owner)> = Vec::new();
    for p in &plan.pages {
        let (owner, folder) = page_owner(site, p.kind);
        if let Some(folder) = folder {
            match folders.get(&folder) {
                Some(first) if first != &owner => {
                    let message = format!(
                        "{} and {} would both be written to {folder}",
                        first.name, owner.name
                    );
                    found.add(first, &owner, message);
                }
                Some(_) => {}
                None => {
                    folders.insert(folder, owner.clone());
                }
            }
        }
        outputs.push((&p.route, owner.name.clone(), owner));
    }
    for c in &plan.copies {
        let what = match &c.source {
            AssetSource::Theme(a) => format!("the theme's asset {a}"),
            AssetSource::Static(s) => format!("static/{s}"),
        };
        let owner = match (&c.source, c.client) {
            (_, Some(ci)) => Owner::content("client", &site.clients[ci].id, &site.clients[ci].file),
            (AssetSource::Theme(_), None) => Owner::builtin("the theme's assets"),
            (AssetSource::Static(s), None) => Owner::statics(s),
        };
        outputs.push((&c.route, what, owner));
    }
    // route -> (what writes it, who owns it)
    let mut routes: BTreeMap<&str, (String, Owner)> = BTreeMap::new();
    for (route, what, owner) in outputs {
        match routes.get(route) {
            Some((first, first_owner)) if first != &what => {
                let message = format!("{first} and {what} would both be written to {route}");
                found.add(first_owner, &owner, message);
            }
            Some(_) => {}
            None => {
                routes.insert(route, (what, owner));
            }
        }
    }
    // A file where another output needs a folder (`static/acme` and client `acme`).
    for (route, (what, owner)) in &routes {
        let folder = format!("{route}/");
        if let Some((inner, (_, other))) = routes.range(folder.as_str()..).next() {
            if inner.starts_with(&folder) {
                let message =
                    format!("{what} would be written to {route}, where {inner} needs a folder");
                found.add(owner, other, message);
            }
        }
    }
    // Outputs inside a folder that another owns.
    for (folder, owner) in &folders {
        for (route, (_, other)) in routes.range(folder.as_str()..) {
            if !route.starts_with(folder.as_str()) {
                break;
            }
            if other != owner {
                let what = if other.file.is_some() {
                    other.name.clone()
                } else {
                    format!("a file of {}", other.name)
                };
                let message = format!(
                    "{what} would be written into {folder}, the folder of {}",
                    owner.name
                );
                found.add(owner, other, message);
            }
        }
    }
    if found.errors.is_empty() {
        Ok(())
    } else {
        Err(found.errors)
    }
}

/// The collisions found so far, one per pair of owners however many files they share.
#[derive(Default)]
struct Conflicts {
    pairs: std::collections::BTreeSet<(String, String)>,
    errors: Vec<Diagnostic>,
}

impl Conflicts {
    fn add(&mut self, a: &Owner, b: &Owner, message: String) {
        let pair = if a.name <= b.name {
            (a.name.clone(), b.name.clone())
        } else {
            (b.name.clone(), a.name.clone())
        };
        if self.pairs.insert(pair) {
            self.errors.push(collision(a, b, message));
        }
    }
}

/// One collision, reported at the file the user would change: content named by an id before a
/// file in static/, and a user's file before hundred's own outputs.
fn collision(a: &Owner, b: &Owner, message: String) -> Diagnostic {
    let rank = |o: &Owner| match (&o.id, &o.file) {
        (Some(_), _) => 0,
        (None, Some(_)) => 1,
        (None, None) => 2,
    };
    let (first, second) = if rank(b) < rank(a) { (b, a) } else { (a, b) };
    let file = first
        .file
        .clone()
        .unwrap_or_else(|| crate::config::CONFIG_FILE.into());
    let help = match (&first.id, second.file.is_some()) {
        (Some(id), false) => format!(
            "`{id}` is reserved for hundred's own files: rename {file} (README.md lists the reserved ids under \"The site folder\")"
        ),
        (Some(_), true) => format!("rename {file}, or move {} elsewhere", second.name),
        (None, _) => "rename or move the file in static/ so it does not replace or mix with a page".into(),
    };
    Diagnostic::error(file, message).help(help)
}

/// The ids each kind of content cannot have, because hundred writes its own files where that
/// id's folder would be. `plan` is the plan of a site with no clients, team or chapters, and
/// nothing in static/, so every route in it is hundred's own.
pub fn reserved_ids(plan: &Plan) -> Vec<(&'static str, String)> {
    let mut ids = Vec::new();
    let routes = plan
        .pages
        .iter()
        .map(|p| p.route.as_str())
        .chain(plan.copies.iter().map(|c| c.route.as_str()));
    for route in routes {
        for (kind, prefix) in ID_FOLDERS {
            let Some(rest) = route.strip_prefix(prefix) else {
                continue;
            };
            let Some((first, _)) = rest.split_once('/') else {
                continue;
            };
            if crate::load::is_valid_id(first) && !ids.contains(&(*kind, first.to_string())) {
                ids.push((*kind, first.to_string()));
            }
        }
    }
    ids.sort();
    ids
}
