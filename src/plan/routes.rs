//! Every output must have a route of its own, and every folder that belongs to one client,
//! member or chapter must hold only that one's files. Otherwise two sources write the same
//! file (a build then keeps whichever came last), or a client's self-contained portal folder
//! fills with the theme's assets or another folder's files (a client named `assets`, or `team`
//! beside the photos in `static/team/`).

use super::{AssetSource, Folder, PageKind, Plan};
use crate::diagnostics::Diagnostic;
use crate::model::Site;

/// Who an output belongs to: compared to tell whether two outputs may share a folder. Cheap to
/// make and compare, since a large site has tens of thousands of outputs; named only when
/// reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner<'a> {
    Client(usize),
    Member(usize),
    Chapter(usize),
    PrintablePlaybook,
    PortalPages,
    InternalPages,
    Theme,
    Static(&'a str),
}

/// What writes one output: two different ones at one route collide even within one owner (a
/// photo in static/ named like the theme's stylesheet, in a client's assets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source<'a> {
    Page(Owner<'a>),
    ThemeAsset(&'a str),
    Static(&'a str),
}

/// How messages name an owner, the file to change (if the user wrote one) and the id that
/// would have to change (for content named by its file).
struct Named {
    name: String,
    file: Option<String>,
    id: Option<String>,
}

fn named(site: &Site, owner: Owner) -> Named {
    let content = |kind: &str, id: &str, file: &std::path::Path| {
        let file = crate::load::slash_path(file);
        Named {
            name: format!("{kind} `{id}` ({file})"),
            file: Some(file),
            id: Some(id.to_string()),
        }
    };
    let builtin = |name: &str| Named {
        name: name.to_string(),
        file: None,
        id: None,
    };
    match owner {
        Owner::Client(i) => content("client", &site.clients[i].id, &site.clients[i].file),
        Owner::Member(i) => content("team member", &site.team[i].id, &site.team[i].file),
        Owner::Chapter(i) => content("chapter", &site.playbook[i].id, &site.playbook[i].file),
        Owner::PrintablePlaybook => builtin("the printable playbook"),
        Owner::PortalPages => builtin("the portal's own pages"),
        Owner::InternalPages => builtin("the internal site's own pages"),
        Owner::Theme => builtin("the theme's assets"),
        Owner::Static(f) => Named {
            name: format!("static/{f}"),
            file: Some(format!("static/{f}")),
            id: None,
        },
    }
}

fn describe(site: &Site, source: Source) -> String {
    match source {
        Source::Page(owner) => named(site, owner).name,
        Source::ThemeAsset(a) => format!("the theme's asset {a}"),
        Source::Static(f) => format!("static/{f}"),
    }
}

/// The folders (as the plan names them, ending with `/`) that each kind of content owns whole,
/// with the kind's name: an id that puts such a folder where hundred writes its own files is
/// reserved.
const ID_FOLDERS: &[(&str, &str)] = &[
    ("client", super::PORTAL),
    ("client", super::pages::RUNBOOKS),
    ("team member", super::pages::MEMBERS),
    ("chapter", super::pages::CHAPTERS),
];

fn page_owner<'a>(kind: PageKind) -> Owner<'a> {
    match kind.declare().folder {
        Folder::Client(client) | Folder::ClientMember { client, .. } | Folder::Runbook(client) => {
            Owner::Client(client)
        }
        Folder::Member(member) => Owner::Member(member),
        Folder::Chapter(chapter) => Owner::Chapter(chapter),
        Folder::PlaybookPrint => Owner::PrintablePlaybook,
        Folder::Portal => Owner::PortalPages,
        Folder::Internal => Owner::InternalPages,
    }
}

/// The folders each owner has to itself. The printable playbook's also receives playbook.pdf
/// from `hundred pdf`, and a client's print folder its welcome pack.
fn owned_folders(site: &Site) -> Vec<(String, Owner<'static>)> {
    let mut folders = vec![(Folder::PlaybookPrint.path(site), Owner::PrintablePlaybook)];
    for i in 0..site.clients.len() {
        folders.push((Folder::Client(i).path(site), Owner::Client(i)));
        folders.push((Folder::Runbook(i).path(site), Owner::Client(i)));
    }
    for i in 0..site.team.len() {
        folders.push((Folder::Member(i).path(site), Owner::Member(i)));
    }
    for i in 0..site.playbook.len() {
        folders.push((Folder::Chapter(i).path(site), Owner::Chapter(i)));
    }
    folders.sort_by(|a, b| a.0.cmp(&b.0));
    folders
}

/// Finds every route written twice and every output that lands in a folder owned by someone
/// else, and reports each with both sources.
pub(super) fn check(site: &Site, plan: &Plan) -> Result<(), Vec<Diagnostic>> {
    let mut found = Conflicts::default();
    let mut outputs: Vec<(&str, Source, Owner)> = Vec::with_capacity(plan.len());
    for p in &plan.pages {
        let owner = page_owner(p.kind);
        outputs.push((&p.route, Source::Page(owner), owner));
    }
    for c in &plan.copies {
        let (source, owner) = match (&c.source, c.client) {
            (AssetSource::Theme(a), client) => (
                Source::ThemeAsset(a),
                client.map_or(Owner::Theme, Owner::Client),
            ),
            (AssetSource::Static(f), Some(ci)) => (Source::Static(f), Owner::Client(ci)),
            (AssetSource::Static(f), None) => (Source::Static(f), Owner::Static(f)),
            (AssetSource::Photo { photo, .. }, Some(ci)) => {
                (Source::Static(photo), Owner::Client(ci))
            }
            (AssetSource::Photo { photo, .. }, None) => {
                (Source::Static(photo), Owner::Static(photo))
            }
            (AssetSource::Opener, client) => (
                Source::ThemeAsset(crate::shell::SCRIPT_FILE),
                client.map_or(Owner::Theme, Owner::Client),
            ),
            (AssetSource::Search, _) => {
                (Source::ThemeAsset(crate::search::SCRIPT_FILE), Owner::Theme)
            }
        };
        outputs.push((&c.route, source, owner));
    }
    outputs.sort_unstable_by(|a, b| a.0.cmp(b.0));
    // The same route twice: neighbours once sorted.
    for pair in outputs.windows(2) {
        let ((route, a, a_owner), (r2, b, b_owner)) = (pair[0], pair[1]);
        if route == r2 && a != b {
            let message = format!(
                "{} and {} would both be written to {route}",
                describe(site, a),
                describe(site, b)
            );
            found.add(site, a_owner, b_owner, message);
        }
    }
    // Outputs inside a folder that another owns, and folders that are one owner's twice over
    // (a chapter `print` and the printable playbook).
    let folders = owned_folders(site);
    for pair in folders.windows(2) {
        if pair[0].0 == pair[1].0 && pair[0].1 != pair[1].1 {
            let message = format!(
                "{} and {} would both be written to {}",
                named(site, pair[0].1).name,
                named(site, pair[1].1).name,
                pair[0].0
            );
            found.add(site, pair[0].1, pair[1].1, message);
        }
    }
    for (folder, owner) in &folders {
        let start = outputs.partition_point(|o| o.0 < folder.as_str());
        for &(route, _, other) in outputs[start..]
            .iter()
            .take_while(|o| o.0.starts_with(folder.as_str()))
        {
            if other != *owner {
                let other_named = named(site, other);
                let what = if other_named.file.is_some() {
                    format!("{} would be written to {route}", other_named.name)
                } else {
                    format!("{route} (of {}) would be written", other_named.name)
                };
                let message = format!(
                    "{what} inside {folder}, the folder of {}",
                    named(site, *owner).name
                );
                found.add(site, *owner, other, message);
            }
        }
    }
    // The team site's search index is written after the pages, into a folder of its own.
    if site.config.internal.has_search() {
        let folder = crate::search::FOLDER;
        let start = outputs.partition_point(|o| o.0 < folder);
        for &(route, _, other) in outputs[start..]
            .iter()
            .take_while(|o| o.0.starts_with(folder))
        {
            let other = named(site, other);
            let file = other
                .file
                .clone()
                .unwrap_or_else(|| crate::config::CONFIG_FILE.into());
            found.errors.push(
                Diagnostic::error(
                    file,
                    format!(
                        "{route} would be overwritten by the team site's search index, which \
                         goes into {folder}"
                    ),
                )
                .help(
                    "move the file out of static/internal/pagefind/, or turn search off with \
                     `search = false` under [internal] in hundred.toml",
                ),
            );
        }
    }
    // A private portal's clients are in token folders, but a preview puts each in the folder
    // named by its id: an id whose folder something else fills is refused here too, so that
    // check, build and the preview agree on reserved ids.
    if site.keys.portal_is_private() {
        for (ci, c) in site.clients.iter().enumerate() {
            let folder = super::client_folder(&c.id);
            let start = outputs.partition_point(|o| o.0 < folder.as_str());
            let taken = outputs[start..]
                .iter()
                .take_while(|o| o.0.starts_with(folder.as_str()))
                // Other clients' files move to their own id folders in a preview.
                .find(|o| !matches!(o.2, Owner::Client(_)));
            if let Some(&(route, _, other)) = taken {
                let message = format!(
                    "{route} (of {}) is where a preview puts the portal of {}",
                    named(site, other).name,
                    named(site, Owner::Client(ci)).name
                );
                found.add(site, Owner::Client(ci), other, message);
            }
        }
    }
    // A file of static/ where another output needs a folder (`static/acme` and client `acme`).
    // Only static/ can hold such a file: generated routes all end in a file name.
    for &(route, source, owner) in &outputs {
        if !matches!(source, Source::Static(_)) {
            continue;
        }
        let folder = format!("{route}/");
        let start = outputs.partition_point(|o| o.0 < folder.as_str());
        if let Some(&(inner, _, other)) = outputs.get(start).filter(|o| o.0.starts_with(&folder)) {
            let message = format!(
                "{} would be written to {route}, where {inner} needs a folder",
                describe(site, source)
            );
            found.add(site, owner, other, message);
        }
    }
    // Routes that differ only in case are one file on the disks of macOS and Windows, which
    // ignore case: `static/Index.html` would replace the portal's `index.html` there. Ids and
    // hundred's own routes are lowercase, so only static/ can bring such a pair in.
    let upper_static = |o: &(&str, Source, Owner)| {
        matches!(o.1, Source::Static(_)) && o.0.chars().any(char::is_uppercase)
    };
    if outputs.iter().any(upper_static) {
        case_clashes(site, &outputs, &folders, &mut found);
    }
    if found.errors.is_empty() {
        Ok(())
    } else {
        Err(found.errors)
    }
}

/// The collisions [`check`] finds once case is ignored.
fn case_clashes<'a>(
    site: &Site,
    outputs: &[(&'a str, Source<'a>, Owner<'a>)],
    folders: &[(String, Owner<'static>)],
    found: &mut Conflicts<'a>,
) {
    const WHY: &str = "on a disk that ignores case (macOS, Windows)";
    let mut seen: std::collections::HashMap<String, (&str, Source, Owner)> =
        std::collections::HashMap::with_capacity(outputs.len());
    for &(route, source, owner) in outputs {
        let lower = route.to_lowercase();
        if lower != route {
            let folder = folders.iter().find(|(f, _)| lower.starts_with(f.as_str()));
            if let Some((folder, other)) = folder.filter(|(_, o)| *o != owner) {
                let message = format!(
                    "{} would be written to {route}, which is inside {folder}, the folder of {}, {WHY}",
                    describe(site, source),
                    named(site, *other).name
                );
                found.add(site, *other, owner, message);
            }
        }
        match seen.get(&lower) {
            Some(&(first, first_source, first_owner)) if first != route => {
                let message = format!(
                    "{} and {} would be written to {first} and {route}, which are one file {WHY}",
                    describe(site, first_source),
                    describe(site, source)
                );
                found.add(site, first_owner, owner, message);
            }
            Some(_) => {}
            None => {
                seen.insert(lower, (route, source, owner));
            }
        }
    }
}

/// The collisions found so far, one per pair of owners however many files they share.
#[derive(Default)]
struct Conflicts<'a> {
    pairs: Vec<(Owner<'a>, Owner<'a>)>,
    errors: Vec<Diagnostic>,
}

impl<'a> Conflicts<'a> {
    fn add(&mut self, site: &Site, a: Owner<'a>, b: Owner<'a>, message: String) {
        if self.pairs.contains(&(a, b)) || self.pairs.contains(&(b, a)) {
            return;
        }
        self.pairs.push((a, b));
        self.errors
            .push(collision(&named(site, a), &named(site, b), message));
    }
}

/// One collision, reported at the file the user would change: content named by an id before a
/// file in static/, and a user's file before hundred's own outputs.
fn collision(a: &Named, b: &Named, message: String) -> Diagnostic {
    let rank = |o: &Named| match (&o.id, &o.file) {
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
        (None, _) => {
            "rename or move the file in static/ so it does not replace or mix with a page".into()
        }
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
