//! A site built in memory and kept up to date as its files change: what `hundred serve`
//! serves. An edit re-reads only the changed files and re-renders only the pages whose
//! dependency lists name them; the result is byte for byte what a full build would give.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::templates::Templates;

use crate::build::{BuildFailure, BuildOptions};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::{self, Item};
use crate::model::Site;
use crate::plan::{AssetSource, Plan};
use crate::render::{RenderCache, Renderer, Stale};

/// Output files by route (`portal/acme/index.html`), shared cheaply with the web server.
pub type Files = BTreeMap<Arc<str>, Arc<Vec<u8>>>;

pub struct Session {
    root: PathBuf,
    opts: BuildOptions,
    site: Site,
    templates: Templates,
    plan: Plan,
    /// For each source file, the pages that depend on it.
    index: HashMap<crate::plan::Dep, Vec<usize>>,
    cache: RenderCache,
    files: Arc<Files>,
    /// Warnings of the last good build.
    pub warnings: Diagnostics,
}

/// What one rebuild did.
#[derive(Debug, Default)]
pub struct Rebuild {
    /// Source files that changed, relative to the site folder.
    pub sources: Vec<String>,
    /// Pages rendered again.
    pub rerendered: usize,
    /// Output routes whose bytes changed, appeared or disappeared.
    pub changed: Vec<String>,
    /// Whether everything had to be rebuilt (settings or templates changed).
    pub full: bool,
    pub elapsed: Duration,
}

impl Session {
    /// A full build, in memory.
    pub fn start(root: &Path, opts: &BuildOptions) -> Result<Session, BuildFailure> {
        let fail = |mut diagnostics: Diagnostics| {
            diagnostics.sort();
            BuildFailure { diagnostics }
        };
        let (site, diags) = crate::build::load_and_check(root);
        let Some(site) = site else {
            return Err(fail(diags));
        };
        let mut site = site;
        crate::build::apply_base_urls(&mut site, opts);
        let mut with = |e: Vec<Diagnostic>| {
            let mut d = diags.clone();
            d.extend(e);
            fail(d)
        };
        let plan = crate::plan::plan_site(&site).map_err(&mut with)?;
        let minify = opts.minify.unwrap_or(site.config.build.minify);
        let templates = crate::templates::build_templates(&site, minify).map_err(&mut with)?;
        let today = opts.today.unwrap_or_else(crate::dates::today);
        let cache =
            RenderCache::new(&site, &templates.scripts, today, minify).map_err(&mut with)?;
        let mut opts = opts.clone();
        opts.today = Some(today);
        let mut session = Session {
            root: root.to_path_buf(),
            opts,
            site,
            templates,
            index: plan.dependents(),
            plan,
            cache,
            files: Arc::new(Files::new()),
            warnings: diags.clone(),
        };
        let all: Vec<usize> = (0..session.plan.pages.len()).collect();
        let rendered = session.render(&all).map_err(&mut with)?;
        let mut files = Files::new();
        for (i, bytes) in all.into_iter().zip(rendered) {
            files.insert(session.plan.pages[i].route.as_str().into(), Arc::new(bytes));
        }
        for copy in &session.plan.copies {
            let bytes = read_asset(root, &copy.source).map_err(|d| with(vec![d]))?;
            files.insert(copy.route.as_str().into(), bytes);
        }
        session.files = Arc::new(files);
        Ok(session)
    }

    pub fn files(&self) -> Arc<Files> {
        Arc::clone(&self.files)
    }

    pub fn site(&self) -> &Site {
        &self.site
    }

    /// Applies changes to `paths` (absolute, or relative to the site folder). On failure the
    /// session keeps serving its last good state.
    pub fn update(&mut self, paths: &[PathBuf]) -> Result<Rebuild, BuildFailure> {
        self.update_with_preview(paths, &mut |_, _| {})
    }

    /// Like [`Session::update`], and calls `pages_ready` as soon as the changed HTML pages are
    /// rendered, with the output as it is then and the routes changed so far: what a browser
    /// waits for. Calendars and the schedule, which list every client and take longest, come
    /// after; the session's state is committed only when everything is done.
    pub fn update_with_preview(
        &mut self,
        paths: &[PathBuf],
        pages_ready: &mut dyn FnMut(Arc<Files>, Vec<String>),
    ) -> Result<Rebuild, BuildFailure> {
        let mut watch = crate::timing::Stopwatch::default();
        let result = self.update_timed(paths, &mut watch, pages_ready);
        watch.report();
        result
    }

    fn update_timed(
        &mut self,
        paths: &[PathBuf],
        watch: &mut crate::timing::Stopwatch,
        pages_ready: &mut dyn FnMut(Arc<Files>, Vec<String>),
    ) -> Result<Rebuild, BuildFailure> {
        let started = Instant::now();
        let mut sources: Vec<String> = paths
            .iter()
            .filter_map(|p| {
                let rel = p.strip_prefix(&self.root).unwrap_or(p);
                let name = rel.file_name()?.to_string_lossy();
                (!load::is_ignored_name(&name)).then(|| load::slash_path(rel))
            })
            .collect();
        sources.sort();
        sources.dedup();
        if sources.is_empty() {
            return Ok(Rebuild::default());
        }
        let needs_full = sources.iter().any(|s| {
            s == crate::config::CONFIG_FILE
                || s.starts_with("templates/")
                || (load::content_kind(Path::new(s)).is_none() && !s.starts_with("static/"))
        });
        if needs_full {
            return self.rebuild_everything(sources, started);
        }

        // Re-read the changed files into a copy of the model.
        let mut site = self.site.clone();
        let mut diags = Diagnostics::default();
        let mut stale = Stale::default();
        let mut statics_changed = false;
        // What changed, as the plan's dependency lists name it.
        let mut keys: Vec<String> = Vec::new();
        for s in &sources {
            let rel = Path::new(s);
            if s.starts_with("static/") {
                statics_changed = true;
                keys.push(s.clone());
                continue;
            }
            let kind = load::content_kind(rel).unwrap_or("");
            let id = rel
                .file_stem()
                .and_then(|x| x.to_str())
                .unwrap_or("")
                .to_string();
            // Which clients' cached data an edit to this file makes stale, before and after.
            match kind {
                "clients" => {
                    stale.clients.insert(id.clone());
                }
                "team" => {
                    for c in self.site.clients.iter().chain(site.clients.iter()) {
                        if c.team.values().any(|m| m.value == id) {
                            stale.clients.insert(c.id.clone());
                        }
                    }
                }
                "journey" => {}
                "playbook" => {
                    stale.chapters.insert(id.clone());
                }
                _ => {}
            }
            match load::load_file(&self.root, rel) {
                Ok(loaded) => {
                    let item = loaded.map(|(item, warnings)| {
                        diags.extend(warnings);
                        item
                    });
                    if kind == "journey" {
                        // A new body under the same front matter only changes the runbooks.
                        let old = self.site.journey.iter().find(|t| t.file == rel);
                        match (old, &item) {
                            (Some(old), Some(Item::Touchpoint(new)))
                                if same_front_matter(old, new) =>
                            {
                                keys.push(crate::plan::script_dep(s));
                                stale.scripts.insert(id.clone());
                            }
                            _ => {
                                keys.push(s.clone());
                                stale.all_clients = true;
                            }
                        }
                    } else {
                        keys.push(s.clone());
                    }
                    replace_item(&mut site, rel, item);
                }
                Err(e) => diags.extend(e),
            }
        }
        if statics_changed {
            let (statics, problems) = load::list_statics(&self.root);
            site.statics = statics;
            diags.extend(problems);
        }
        load::sort_site(&mut site);
        let reading_order = |s: &Site| s.playbook.iter().map(|c| c.file.clone()).collect();
        let (before, after): (Vec<PathBuf>, Vec<PathBuf>) =
            (reading_order(&self.site), reading_order(&site));
        if before != after {
            // Chapters added, removed or moved: links and neighbours change everywhere.
            stale.playbook = true;
            if before.iter().collect::<BTreeSet<_>>() != after.iter().collect::<BTreeSet<_>>() {
                keys.push(crate::plan::PLAYBOOK_SET.to_string());
            }
        }
        watch.lap("reload");
        if sources.iter().any(|s| s.starts_with("team/")) {
            // A member's roles may have changed which touchpoints each client has covered.
            stale.all_clients = true;
        }
        diags.extend(crate::check::check_site(&site).items);
        let fail = |mut d: Diagnostics| {
            d.sort();
            BuildFailure { diagnostics: d }
        };
        if diags.has_errors() {
            return Err(fail(diags));
        }
        watch.lap("check");
        // Edits that add, remove or re-assign nothing leave the plan as it was.
        let new_plan = if same_shape(&self.site, &site) {
            None
        } else {
            match crate::plan::plan_site(&site) {
                Ok(p) => Some(p),
                Err(e) => {
                    diags.extend(e);
                    return Err(fail(diags));
                }
            }
        };
        let plan = new_plan.as_ref().unwrap_or(&self.plan);
        watch.lap("plan");
        let bodies_only = !stale.all_clients && !stale.scripts.is_empty();
        let tera = if bodies_only {
            // New bodies under the same front matter: swap those templates in.
            let mut t = self.templates.clone();
            let mut errors = Vec::new();
            for id in &stale.scripts {
                if let Some(tp) = site.journey.iter().find(|t| &t.id == id) {
                    if let Err(e) = t
                        .scripts
                        .add_raw_template(&tp.template_name, &tp.template_source)
                    {
                        errors.extend(crate::templates::tera_diagnostics(&site, &e));
                    }
                }
            }
            if !errors.is_empty() {
                diags.extend(errors);
                return Err(fail(diags));
            }
            Some(t)
        } else if sources.iter().any(|s| s.starts_with("journey/")) {
            let minify = self.opts.minify.unwrap_or(site.config.build.minify);
            match crate::templates::build_templates(&site, minify) {
                Ok(t) => Some(t),
                Err(e) => {
                    diags.extend(e);
                    return Err(fail(diags));
                }
            }
        } else {
            None
        };

        // Pages to render again: those depending on a changed file, in the old plan or the
        // new one (a client that stops listing a member changes that member's page), and
        // those that did not exist before.
        let changed: BTreeSet<&str> = keys.iter().map(String::as_str).collect();
        let new_index = new_plan.as_ref().map(|p| p.dependents());
        let index = new_index.as_ref().unwrap_or(&self.index);
        let affected = |index: &HashMap<crate::plan::Dep, Vec<usize>>| -> BTreeSet<usize> {
            changed
                .iter()
                .filter_map(|c| index.get(*c))
                .flatten()
                .copied()
                .collect()
        };
        let old_touched: BTreeSet<&str> = affected(&self.index)
            .into_iter()
            .map(|i| self.plan.pages[i].route.as_str())
            .collect();
        let mut todo: BTreeSet<usize> = affected(index);
        if new_plan.is_some() {
            for (i, p) in plan.pages.iter().enumerate() {
                if old_touched.contains(p.route.as_str())
                    || !self.files.contains_key(p.route.as_str())
                {
                    todo.insert(i);
                }
            }
        }
        let todo: Vec<usize> = todo.into_iter().collect();

        // Everything below works on the new state; commit it only if it all succeeds.
        let new_tera = tera;
        let templates = new_tera.as_ref().unwrap_or(&self.templates);
        let mut cache_diags = Vec::new();
        if let Err(e) = self.cache.refresh(&site, &templates.scripts, &stale) {
            cache_diags = e;
        }
        if !cache_diags.is_empty() {
            // The cache may hold some refreshed entries: rebuild it from the last good state.
            let _ = self.cache.refresh(
                &self.site,
                &self.templates.scripts,
                &Stale {
                    all_clients: true,
                    playbook: true,
                    ..Default::default()
                },
            );
            diags.extend(cache_diags);
            return Err(fail(diags));
        }
        watch.lap("cache");
        let renderer = Renderer {
            site: &site,
            templates,
            cache: &self.cache,
        };
        // Pages about one thing (a client's, a chapter) first: that is what the writer is
        // looking at. Then overviews that list many sources, print pages and files made in
        // code (calendars, the schedule).
        let (first, later): (Vec<usize>, Vec<usize>) = todo.iter().partition(|i| {
            let page = &plan.pages[**i];
            page.kind.template().is_some() && !page.kind.is_print() && page.deps.len() <= 64
        });
        let restore = |cache: &mut RenderCache, site: &Site, scripts: &tera::Tera| {
            let all = Stale {
                all_clients: true,
                playbook: true,
                ..Default::default()
            };
            let _ = cache.refresh(site, scripts, &all);
        };
        let rendered = match renderer.render_some(&plan.pages, &first) {
            Ok(r) => r,
            Err(e) => {
                restore(&mut self.cache, &self.site, &self.templates.scripts);
                diags.extend(e);
                return Err(fail(diags));
            }
        };

        watch.lap("render");
        // The new output: the old one with the re-rendered pages and changed assets put in,
        // and, when the plan changed, the routes it no longer has taken out.
        let mut files: Files = (*self.files).clone();
        let mut changed_routes = Vec::new();
        let put = |files: &mut Files, changed: &mut Vec<String>, i: usize, bytes: Vec<u8>| {
            let route = plan.pages[i].route.as_str();
            if files
                .get(route)
                .map(|o| o.as_slice() != bytes.as_slice())
                .unwrap_or(true)
            {
                changed.push(route.to_string());
                files.insert(route.into(), Arc::new(bytes));
            }
        };
        for (i, bytes) in first.iter().zip(rendered) {
            put(&mut files, &mut changed_routes, *i, bytes);
        }
        if !later.is_empty() && new_plan.is_none() {
            pages_ready(Arc::new(files.clone()), changed_routes.clone());
        }
        let renderer = Renderer {
            site: &site,
            templates,
            cache: &self.cache,
        };
        match renderer.render_some(&plan.pages, &later) {
            Ok(r) => {
                for (i, bytes) in later.iter().zip(r) {
                    put(&mut files, &mut changed_routes, *i, bytes);
                }
            }
            Err(e) => {
                restore(&mut self.cache, &self.site, &self.templates.scripts);
                diags.extend(e);
                return Err(fail(diags));
            }
        }
        watch.lap("calendars");
        for copy in &plan.copies {
            let refresh = match &copy.source {
                AssetSource::Static(rel) => changed.contains(format!("static/{rel}").as_str()),
                AssetSource::Theme(_) => false,
            };
            if !refresh && files.contains_key(copy.route.as_str()) {
                continue;
            }
            let bytes = match read_asset(&self.root, &copy.source) {
                Ok(b) => b,
                Err(d) => {
                    diags.push(d);
                    return Err(fail(diags));
                }
            };
            if files
                .get(copy.route.as_str())
                .map(|o| **o != *bytes)
                .unwrap_or(true)
            {
                changed_routes.push(copy.route.clone());
                files.insert(copy.route.as_str().into(), bytes);
            }
        }
        if new_plan.is_some() {
            let routes: BTreeSet<&str> = plan
                .pages
                .iter()
                .map(|p| p.route.as_str())
                .chain(plan.copies.iter().map(|c| c.route.as_str()))
                .collect();
            files.retain(|route, _| {
                let keep = routes.contains(&**route);
                if !keep {
                    changed_routes.push(route.to_string());
                }
                keep
            });
        }
        changed_routes.sort();
        watch.lap("collect");

        self.site = site;
        if let Some(p) = new_plan {
            self.plan = p;
        }
        if let Some(i) = new_index {
            self.index = i;
        }
        if let Some(t) = new_tera {
            self.templates = t;
        }
        self.files = Arc::new(files);
        self.warnings = diags;
        Ok(Rebuild {
            sources,
            rerendered: todo.len(),
            changed: changed_routes,
            full: false,
            elapsed: started.elapsed(),
        })
    }

    fn rebuild_everything(
        &mut self,
        sources: Vec<String>,
        started: Instant,
    ) -> Result<Rebuild, BuildFailure> {
        let fresh = Session::start(&self.root, &self.opts)?;
        let mut changed: Vec<String> = fresh
            .files
            .iter()
            .filter(|(route, bytes)| self.files.get(*route).map(|o| o != *bytes).unwrap_or(true))
            .map(|(r, _)| r.to_string())
            .collect();
        changed.extend(
            self.files
                .keys()
                .filter(|r| !fresh.files.contains_key(*r))
                .map(|r| r.to_string()),
        );
        changed.sort();
        let rerendered = fresh.plan.pages.len();
        *self = fresh;
        Ok(Rebuild {
            sources,
            rerendered,
            changed,
            full: true,
            elapsed: started.elapsed(),
        })
    }

    fn render(&self, pages: &[usize]) -> Result<Vec<Vec<u8>>, Vec<Diagnostic>> {
        let renderer = Renderer {
            site: &self.site,
            templates: &self.templates,
            cache: &self.cache,
        };
        renderer.render_some(&self.plan.pages, pages)
    }
}

/// Everything but the script body: what pages other than runbooks show of a touchpoint.
fn same_front_matter(a: &crate::model::Touchpoint, b: &crate::model::Touchpoint) -> bool {
    a.id == b.id
        && a.title == b.title
        && a.day == b.day
        && a.stage.value == b.stage.value
        && a.channel == b.channel
        && a.owner.value == b.owner.value
        && a.visibility == b.visibility
        && a.portal == b.portal
}

/// Whether two versions of a site have the same files and assignments, so the same plan.
fn same_shape(a: &Site, b: &Site) -> bool {
    let files = |v: &mut dyn Iterator<Item = &Path>| v.map(Path::to_path_buf).collect::<Vec<_>>();
    a.statics == b.statics
        && files(&mut a.team.iter().map(|m| m.file.as_path()))
            == files(&mut b.team.iter().map(|m| m.file.as_path()))
        && files(&mut a.journey.iter().map(|t| t.file.as_path()))
            == files(&mut b.journey.iter().map(|t| t.file.as_path()))
        && files(&mut a.playbook.iter().map(|c| c.file.as_path()))
            == files(&mut b.playbook.iter().map(|c| c.file.as_path()))
        && a.clients.len() == b.clients.len()
        && a.clients.iter().zip(&b.clients).all(|(x, y)| {
            x.file == y.file
                && x.team.len() == y.team.len()
                && x.team
                    .iter()
                    .zip(&y.team)
                    .all(|((r1, m1), (r2, m2))| r1 == r2 && m1.value == m2.value)
        })
        && a.team
            .iter()
            .zip(&b.team)
            .all(|(x, y)| x.photo.as_ref().map(|p| &p.value) == y.photo.as_ref().map(|p| &p.value))
        && a.config.firm.logo == b.config.firm.logo
}

/// Replaces whatever was loaded from `rel` with `item` (nothing, when the file is gone).
/// The lists are put back in order by [`load::sort_site`] afterwards.
fn replace_item(site: &mut Site, rel: &Path, item: Option<Item>) {
    site.team.retain(|m| m.file != rel);
    site.clients.retain(|c| c.file != rel);
    site.journey.retain(|t| t.file != rel);
    site.playbook.retain(|c| c.file != rel);
    if load::content_kind(rel) == Some("team") {
        // It loaded (or is gone): references to it are checked again.
        if let Some(id) = rel.file_stem().and_then(|s| s.to_str()) {
            site.unloaded_team.remove(id);
        }
    }
    match item {
        Some(Item::Member(m)) => site.team.push(m),
        Some(Item::Client(c)) => site.clients.push(c),
        Some(Item::Touchpoint(t)) => site.journey.push(t),
        Some(Item::Chapter(c)) => site.playbook.push(Arc::new(c)),
        None => {}
    }
}

fn read_asset(root: &Path, source: &AssetSource) -> Result<Arc<Vec<u8>>, Diagnostic> {
    match source {
        AssetSource::Theme(name) => Ok(Arc::new(
            crate::theme::asset(name)
                .expect("planned from the theme")
                .to_vec(),
        )),
        AssetSource::Static(rel) => std::fs::read(root.join("static").join(rel))
            .map(Arc::new)
            .map_err(|e| {
                Diagnostic::error(
                    format!("static/{rel}"),
                    format!("cannot read this file: {e}"),
                )
            }),
    }
}
