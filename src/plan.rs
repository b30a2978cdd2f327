//! **plan**: every file the build will write, as a route (path inside the output folder), what
//! makes it, and the source files it depends on. Watch mode uses the dependency lists to
//! re-render only what an edit touches.

use std::sync::Arc;

mod pages;
mod routes;
pub use pages::{
    asset_route, base_url, client_folder, client_folder_of, not_found_route, runbook_path,
    runbook_url, static_route, Declared, Folder, InternalPage, Made, Needs, PageKind, PortalPage,
    Section, SiteKind, INTERNAL, PORTAL,
};
pub use routes::reserved_ids;

use crate::diagnostics::Diagnostic;
use crate::model::Site;
use crate::theme;

/// A source a page depends on: a file's path in the site (`clients/acme.yaml`), or a part of
/// one (`journey/x.md#script`). Shared, since thousands of pages name the same few files.
pub type Dep = Arc<str>;

#[derive(Debug, Clone)]
pub struct Page {
    pub route: String,
    pub kind: PageKind,
    /// Source files (relative to the site folder, `/`-separated) whose change affects it.
    /// Templates are listed as `templates/<name>` whether or not the site overrides them.
    pub deps: Vec<Dep>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssetSource {
    /// A file of the built-in theme's `assets/` folder.
    Theme(&'static str),
    /// A file under the site's `static/` folder.
    Static(String),
    /// The script that opens a private site's sealed pages (`src/shell.js`), beside the
    /// theme's assets of each folder a key covers.
    Opener,
    /// One of the files made from a team photo of `static/` (`src/photos.rs`): published
    /// wherever the photo would have been copied, instead of it.
    Photo {
        photo: String,
        variant: crate::photos::Variant,
    },
    /// The internal site's search box script (`src/search.js`), when the site has search: the
    /// index it loads is made after the pages (see `src/search.rs`).
    Search,
}

#[derive(Debug, Clone)]
pub struct Copy {
    pub route: String,
    pub source: AssetSource,
    /// The client whose portal folder this copy is part of (its stylesheet, photos and logo).
    pub client: Option<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub pages: Vec<Page>,
    pub copies: Vec<Copy>,
}

impl Plan {
    pub fn len(&self) -> usize {
        self.pages.len() + self.copies.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// For each source file, the indexes of the pages that depend on it: what an edit to it
    /// must re-render.
    pub fn dependents(&self) -> std::collections::HashMap<Dep, Vec<usize>> {
        let mut index: std::collections::HashMap<Dep, Vec<usize>> = Default::default();
        for (i, page) in self.pages.iter().enumerate() {
            for dep in &page.deps {
                index.entry(dep.clone()).or_default().push(i);
            }
        }
        index
    }
}

/// The source files of `site`, as dependency keys.
struct Files {
    config: Dep,
    journey: Vec<Dep>,
    /// Each journey script's body, apart from its front matter: what only runbooks show.
    scripts: Vec<Dep>,
    chapters: Vec<Dep>,
    team: Vec<Dep>,
    clients: Vec<Dep>,
    /// Each client's journey log, whether or not it has one yet (see [`log_dep`]).
    logs: Vec<Dep>,
    templates: std::collections::HashMap<&'static str, Vec<Dep>>,
}

impl Files {
    fn new(site: &Site) -> Self {
        let journey: Vec<Dep> = site.journey.iter().map(|t| slash(&t.file)).collect();
        Files {
            config: Arc::from("hundred.toml"),
            scripts: journey.iter().map(|j| Dep::from(script_dep(j))).collect(),
            journey,
            chapters: site.playbook.iter().map(|c| slash(&c.file)).collect(),
            team: site.team.iter().map(|m| slash(&m.file)).collect(),
            clients: site.clients.iter().map(|c| slash(&c.file)).collect(),
            logs: site
                .clients
                .iter()
                .map(|c| Dep::from(log_dep(&c.id)))
                .collect(),
            templates: Default::default(),
        }
    }

    /// What a page of `kind` depends on: what it shows, the settings, and its template with
    /// what that extends or includes (`templates/<name>`, overridden or not).
    fn deps(&mut self, site: &Site, kind: PageKind) -> Vec<Dep> {
        let declared = kind.declare();
        let mut deps = self.shown(site, declared.needs);
        deps.push(self.config.clone());
        if let Made::Template(t) = declared.made {
            let chain = self.templates.entry(t).or_insert_with(|| {
                theme::template_chain(t)
                    .into_iter()
                    .map(|n| Dep::from(format!("templates/{n}")))
                    .collect()
            });
            deps.extend(chain.iter().cloned());
        }
        deps.sort();
        deps.dedup();
        deps
    }

    fn shown(&self, site: &Site, needs: Needs) -> Vec<Dep> {
        let everything = || {
            let all = self.clients.iter().chain(&self.team).chain(&self.journey);
            all.chain(&self.logs).cloned().collect()
        };
        match needs {
            Needs::Settings => vec![],
            Needs::Client(client) | Needs::ClientScripts(client) => {
                // A client's pages show the members assigned to it, never the rest of the team.
                let mut deps = vec![self.clients[client].clone(), self.logs[client].clone()];
                deps.extend(pages::assigned_members(site, client).map(|m| self.team[m].clone()));
                deps.extend(self.journey.iter().cloned());
                if matches!(needs, Needs::ClientScripts(_)) {
                    deps.extend(self.scripts.iter().cloned());
                }
                deps
            }
            Needs::Member(member) => {
                // A member's pages list the clients that have this member and their touchpoints.
                let id = &site.team[member].id;
                let mut deps = vec![self.team[member].clone()];
                deps.extend(self.journey.iter().cloned());
                for (i, c) in site.clients.iter().enumerate() {
                    if c.team.values().any(|m| m.value == *id) {
                        deps.push(self.clients[i].clone());
                        deps.push(self.logs[i].clone());
                    }
                }
                deps
            }
            Needs::Everything => everything(),
            Needs::Playbook => self.chapters.clone(),
            Needs::Chapter(i) => {
                // A chapter shows its neighbours' titles, and in a short playbook every
                // chapter's title; in a long one, the number of chapters (the `playbook/` key:
                // the set of files).
                let chapters = &self.chapters;
                if chapters.len() <= CHAPTER_LIST_LIMIT {
                    chapters.clone()
                } else {
                    let near = i.saturating_sub(1)..(i + 2).min(chapters.len());
                    let mut d = chapters[near].to_vec();
                    d.push(Dep::from(PLAYBOOK_SET));
                    d
                }
            }
        }
    }
}

pub fn plan_site(site: &Site) -> Result<Plan, Vec<Diagnostic>> {
    let mut plan = Plan::default();
    let mut files = Files::new(site);
    for kind in PageKind::every(site) {
        plan.pages.push(Page {
            route: kind.route(site),
            kind,
            deps: files.deps(site, kind),
        });
    }

    // Assets: the theme's files in each site and in each client folder (its fonts only in the
    // sites' roots, where every page reaches them: a copy per client would weigh a thousand
    // times as much); static/ as-is in one site or both; and into each client folder, just
    // the photos and logo its pages show.
    let copy = |route, source, client| Copy {
        route,
        source,
        client,
    };
    for asset in theme::assets() {
        for folder in [PORTAL, INTERNAL] {
            let route = asset_route(folder, asset);
            plan.copies
                .push(copy(route, AssetSource::Theme(asset), None));
        }
        if asset.starts_with("fonts/") {
            continue;
        }
        for ci in 0..site.clients.len() {
            let route = asset_route(&client_folder_of(site, ci), asset);
            plan.copies
                .push(copy(route, AssetSource::Theme(asset), Some(ci)));
        }
    }
    // A file of static/portal/ or static/internal/ goes to that site alone, without the
    // folder's name; any other file of static/ to both sites. A team photo goes as the files
    // made from it, never as uploaded (with its metadata).
    let photos = crate::photos::raster_photos(site);
    // The logo is published as it is, even when it is a member's photo too.
    let logo = site
        .config
        .firm
        .logo
        .as_deref()
        .map(|l| l.trim_start_matches('/'));
    let push_photo =
        |copies: &mut Vec<Copy>, folder: &str, rel: &str, photo: &str, client: Option<usize>| {
            let fallback = photos[photo];
            for variant in crate::photos::variants() {
                let file = crate::photos::variant_path(rel, fallback, variant);
                let source = AssetSource::Photo {
                    photo: photo.to_string(),
                    variant,
                };
                let route = match client {
                    Some(_) => asset_route(folder, &file),
                    None => static_route(folder, &file),
                };
                copies.push(copy(route, source, client));
            }
        };
    for file in &site.statics {
        let one_site = [PORTAL, INTERNAL]
            .into_iter()
            .find_map(|folder| Some((folder, file.strip_prefix(folder)?)));
        let targets = match one_site {
            Some(target) => vec![target],
            None => vec![(PORTAL, file.as_str()), (INTERNAL, file.as_str())],
        };
        for (folder, rel) in targets {
            if photos.contains_key(file) {
                push_photo(&mut plan.copies, folder, rel, file, None);
                if logo != Some(file.as_str()) {
                    continue;
                }
            }
            let route = static_route(folder, rel);
            plan.copies
                .push(copy(route, AssetSource::Static(file.clone()), None));
        }
    }
    // The script that opens sealed pages, in each folder a key covers: every shell of a site
    // loads the same file, which the browser then keeps.
    for (ci, keys) in site.keys.clients.iter().enumerate() {
        let route = asset_route(&client_folder(&keys.token), crate::shell::SCRIPT_FILE);
        plan.copies.push(copy(route, AssetSource::Opener, Some(ci)));
    }
    if site.keys.team.is_some() {
        let route = asset_route(INTERNAL, crate::shell::SCRIPT_FILE);
        plan.copies.push(copy(route, AssetSource::Opener, None));
    }
    if site.config.internal.has_search() {
        let route = asset_route(INTERNAL, crate::search::SCRIPT_FILE);
        plan.copies.push(copy(route, AssetSource::Search, None));
    }
    for (ci, c) in site.clients.iter().enumerate() {
        for photo in crate::context::portal::PortalData::photos(site, c) {
            let folder = client_folder_of(site, ci);
            if photos.contains_key(&photo) {
                push_photo(&mut plan.copies, &folder, &photo, &photo, Some(ci));
                if logo != Some(photo.as_str()) {
                    continue;
                }
            }
            let route = asset_route(&folder, &photo);
            plan.copies
                .push(copy(route, AssetSource::Static(photo), Some(ci)));
        }
    }

    routes::check(site, &plan)?;
    Ok(plan)
}

/// Up to this many chapters, every chapter page lists them all (the theme's chapter.html says
/// the same).
pub const CHAPTER_LIST_LIMIT: usize = 60;

/// The dependency key for the set of playbook files: it changes when one is added or removed.
pub const PLAYBOOK_SET: &str = "playbook/";

/// The dependency key for the journey log of the client `client_id` (`log/acme`): the same
/// whether its file is `.yaml` or `.yml`, or not written yet.
pub fn log_dep(client_id: &str) -> String {
    format!("{}/{client_id}", crate::load::SourceKind::Log.folder())
}

/// The dependency key for a file of `static/` (`static/logo.svg`).
pub fn static_dep(file: &str) -> String {
    format!("{}/{file}", crate::load::SourceKind::Static.folder())
}

/// The dependency key for the body of the journey script at `file` (`journey/x.md#script`);
/// `journey/x.md` itself stands for its front matter.
pub fn script_dep(file: &str) -> String {
    format!("{file}#script")
}

fn slash(p: &std::path::Path) -> Dep {
    Dep::from(crate::load::slash_path(p))
}
