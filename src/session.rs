//! A site built in memory and kept up to date as its files change: what `hundred serve`
//! serves. It holds the same [`Engine`] a build prepares, and rebuilds in small phases on a
//! draft: reload, check, replan, retemplate, find the affected pages, refresh the render
//! cache, render, commit. A failed edit drops the draft: the last good pages stay, and the
//! next rebuild starts again from the files on disk, so what it shows always equals what a
//! fresh `hundred build --no-minify` and `hundred check` of those files would give.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::build::BuildOptions;
use crate::diagnostics::{Diagnostics, Problems};
use crate::engine::{Engine, Memory, Writer};
use crate::load::{self, memo::Sources};
use crate::model::Site;
use crate::plan::{AssetSource, Dep, Plan};
use crate::render::{RenderCache, Renderer, Stale};
use crate::timing::Stopwatch;

pub use crate::engine::Files;

pub struct Session {
    root: PathBuf,
    opts: BuildOptions,
    engine: Engine,
    /// What each source file gave when last loaded, so a rebuild parses only what changed.
    sources: Sources,
    /// For each source, the pages that depend on it.
    index: HashMap<Dep, Vec<usize>>,
    files: Arc<Files>,
    /// Files the watcher reported since the last good rebuild: a failed rebuild leaves them
    /// here, so a later one still reads them again (a static file's new bytes, above all).
    unapplied: BTreeSet<String>,
    /// Warnings of the last good build.
    pub warnings: Diagnostics,
    /// Routes of the pages browsers have open (`serve` says), rendered and published first.
    pub open_pages: BTreeSet<String>,
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
    pub fn start(root: &Path, opts: &BuildOptions) -> Result<Session, Problems> {
        let mut opts = opts.clone();
        opts.today = Some(opts.today.unwrap_or_else(crate::dates::today));
        let mut sources = Sources::remembering();
        let mut watch = Stopwatch::default();
        let photos = crate::engine::PhotoWork::make();
        let engine = Engine::prepare(
            root,
            &opts,
            &mut sources,
            &mut watch,
            photos,
            crate::engine::ClientData::Kept,
        )?;
        Session::from_engine(root.to_path_buf(), opts, engine, sources)
    }

    fn from_engine(
        root: PathBuf,
        opts: BuildOptions,
        engine: Engine,
        sources: Sources,
    ) -> Result<Session, Problems> {
        let files = {
            let renderer = engine.renderer();
            Memory.write(&engine, engine.outputs(&renderer, None))?
        };
        Ok(Session {
            root,
            opts,
            index: engine.plan.dependents(),
            warnings: engine.warnings.clone(),
            engine,
            sources,
            files: Arc::new(files),
            unapplied: BTreeSet::new(),
            open_pages: BTreeSet::new(),
        })
    }

    pub fn files(&self) -> Arc<Files> {
        Arc::clone(&self.files)
    }

    pub fn site(&self) -> &Site {
        &self.engine.site
    }

    /// The routes of the pages the team site's search covers, or `None` when it has no
    /// search. The session's files never hold the index: `serve` makes it from these pages
    /// after publishing them (`src/serve/search.rs`).
    pub fn search_pages(&self) -> Option<Vec<String>> {
        self.engine.site.config.internal.has_search().then(|| {
            self.engine
                .plan
                .pages
                .iter()
                .filter(|p| crate::search::indexed(p.kind))
                .map(|p| p.route.clone())
                .collect()
        })
    }

    /// Applies changes to `paths` (absolute, or relative to the site folder). On failure the
    /// session keeps serving its last good state.
    pub fn update(&mut self, paths: &[PathBuf]) -> Result<Rebuild, Problems> {
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
    ) -> Result<Rebuild, Problems> {
        let mut watch = Stopwatch::default();
        let result = self.update_timed(paths, &mut watch, pages_ready);
        watch.report();
        result
    }

    fn update_timed(
        &mut self,
        paths: &[PathBuf],
        watch: &mut Stopwatch,
        pages_ready: &mut dyn FnMut(Arc<Files>, Vec<String>),
    ) -> Result<Rebuild, Problems> {
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
        self.unapplied.extend(sources.iter().cloned());
        self.sources
            .forget(self.unapplied.iter().map(PathBuf::from));

        // Reload and check: the whole site as a fresh load would see it, parsing again only
        // the files that changed.
        let (site, warnings) =
            crate::engine::load_and_check(&self.root, &mut self.sources, &self.opts);
        let site = site.ok_or_else(|| Problems::from(warnings.clone()))?;
        watch.lap("reload+check");

        let old = &self.engine.site;
        // New keys (a new secret, a bumped `key_version`) move folders and change every sealed
        // byte: as a new `hundred.toml` does.
        if site.config != old.config
            || site.template_overrides != old.template_overrides
            || site.keys != old.keys
        {
            return self.rebuild_everything(site, warnings, sources, started);
        }
        let edit = Edit::between(old, &site, &self.unapplied);
        let draft = Draft::new(self, site, warnings, &edit, watch)?;
        let rebuild = draft.render(self, &edit, watch, pages_ready);
        let rebuild = rebuild.map(|(draft, rerendered, changed)| {
            self.commit(draft);
            Rebuild {
                sources,
                rerendered,
                changed,
                full: false,
                elapsed: started.elapsed(),
            }
        });
        watch.lap("commit");
        rebuild
    }

    fn rebuild_everything(
        &mut self,
        site: Site,
        warnings: Diagnostics,
        sources: Vec<String>,
        started: Instant,
    ) -> Result<Rebuild, Problems> {
        // Photos that no edit touched are taken as they were made.
        let photos = crate::engine::PhotoWork {
            mode: crate::photos::Mode::Make,
            earlier: Some(&self.engine.photos),
            changed: touched_photos(&self.unapplied),
        };
        let engine = Engine::from_checked(
            site,
            warnings,
            &self.opts,
            &mut Stopwatch::default(),
            photos,
            crate::engine::ClientData::Kept,
        )?;
        let fresh = Session::from_engine(
            self.root.clone(),
            self.opts.clone(),
            engine,
            std::mem::take(&mut self.sources),
        );
        let fresh = match fresh {
            Ok(f) => f,
            Err(e) => {
                // The memo is still right: it describes the files, not the build.
                return Err(e);
            }
        };
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
        let rerendered = fresh.engine.plan.pages.len();
        *self = fresh;
        Ok(Rebuild {
            sources,
            rerendered,
            changed,
            full: true,
            elapsed: started.elapsed(),
        })
    }

    fn commit(&mut self, draft: Committed) {
        self.engine.site = draft.site;
        if let Some(p) = draft.plan {
            self.engine.plan = p;
        }
        if let Some(i) = draft.index {
            self.index = i;
        }
        if let Some(t) = draft.templates {
            self.engine.templates = t;
        }
        self.engine.photos = draft.photos;
        self.engine.warnings = draft.warnings.clone();
        self.warnings = draft.warnings;
        self.files = Arc::new(draft.files);
        self.unapplied.clear();
    }
}

/// What changed between the last good site and the files on disk, derived by comparing the
/// two loaded models: the dependency keys the plan's pages name, and the render cache's
/// entries that are stale.
#[derive(Debug, Default)]
struct Edit {
    /// Plan dependency keys (`clients/acme.yaml`, `journey/x.md#script`, `playbook/`,
    /// `static/logo.svg`) whose source changed.
    keys: BTreeSet<String>,
    stale: Stale,
    /// A journey file's front matter changed, or one was added or removed: the script engine
    /// is built again.
    journey_changed: bool,
}

impl Edit {
    fn between(old: &Site, new: &Site, touched: &BTreeSet<String>) -> Edit {
        let mut edit = Edit::default();
        let slash = |p: &Path| load::slash_path(p);

        for file in changed_files(
            old.clients.iter().map(|x| (&x.file, x)),
            new.clients.iter().map(|x| (&x.file, x)),
        ) {
            edit.stale.clients.insert(stem(&file));
            edit.keys.insert(slash(&file));
            // A one-off's script lives in the client file: the script engine holds it.
            let own = |s: &Site| {
                s.clients
                    .iter()
                    .find(|c| c.file == file)
                    .map(|c| c.touchpoints.clone())
            };
            if own(old) != own(new) {
                edit.journey_changed = true;
            }
        }
        for file in changed_files(
            old.team.iter().map(|x| (&x.file, x)),
            new.team.iter().map(|x| (&x.file, x)),
        ) {
            // Roles decide which touchpoints each client has covered: all clients' data.
            edit.stale.all_clients = true;
            edit.keys.insert(slash(&file));
        }
        // A script may include another one: then a body is never edited alone.
        let scripts_include = new
            .journey
            .iter()
            .any(|t| uses_other_templates(&t.template_source));
        for file in changed_files(
            old.journey.iter().map(|x| (&x.file, x)),
            new.journey.iter().map(|x| (&x.file, x)),
        ) {
            let before = old.journey.iter().find(|t| t.file == file);
            let after = new.journey.iter().find(|t| t.file == file);
            match (before, after) {
                (Some(a), Some(b)) if same_front_matter(a, b) && !scripts_include => {
                    edit.keys.insert(crate::plan::script_dep(&slash(&file)));
                    edit.stale.scripts.insert(b.id.clone());
                }
                _ => {
                    edit.keys.insert(slash(&file));
                    edit.keys.insert(crate::plan::script_dep(&slash(&file)));
                    edit.stale.all_clients = true;
                    edit.journey_changed = true;
                }
            }
        }
        // A log tells a client's statuses and signals: that client's pages and the site-wide
        // summaries, nothing else.
        for file in changed_files(
            old.logs.iter().map(|x| (&x.file, x)),
            new.logs.iter().map(|x| (&x.file, x)),
        ) {
            let client = stem(&file);
            edit.keys.insert(crate::plan::log_dep(&client));
            edit.stale.clients.insert(client);
        }
        for file in changed_files(
            old.playbook.iter().map(|x| (&x.file, x)),
            new.playbook.iter().map(|x| (&x.file, x)),
        ) {
            edit.stale.chapters.insert(stem(&file));
            edit.keys.insert(slash(&file));
        }
        let order = |s: &Site| {
            s.playbook
                .iter()
                .map(|c| c.file.clone())
                .collect::<Vec<_>>()
        };
        let (before, after) = (order(old), order(new));
        if before != after {
            // Chapters added, removed or moved: links and neighbours change everywhere.
            edit.stale.playbook = true;
            let set = |v: &[PathBuf]| v.iter().cloned().collect::<BTreeSet<_>>();
            if set(&before) != set(&after) {
                edit.keys.insert(crate::plan::PLAYBOOK_SET.to_string());
            }
        }
        // Static files: those listed or delisted, and those the watcher saw change.
        let statics = |s: &Site| s.statics.iter().cloned().collect::<BTreeSet<_>>();
        let (before, after) = (statics(old), statics(new));
        for file in before.symmetric_difference(&after) {
            edit.keys.insert(crate::plan::static_dep(file));
        }
        let is_static = |t: &&String| {
            crate::load::SourceKind::of(Path::new(t.as_str()))
                == Some(crate::load::SourceKind::Static)
        };
        for t in touched.iter().filter(is_static) {
            edit.keys.insert(t.clone());
        }
        edit
    }
}

/// Whether a script pulls in another template (`{% include %}`, `{% import %}`…), so that
/// its page depends on more than its own body.
fn uses_other_templates(source: &str) -> bool {
    source.match_indices("{%").any(|(i, _)| {
        let tag = source[i + 2..].trim_start_matches('-').trim_start();
        ["include", "import", "extends", "from "]
            .iter()
            .any(|w| tag.starts_with(w))
    })
}

/// The files whose item differs between `old` and `new` (changed, added or removed), each
/// list given as (file, item) pairs. An item the memo handed out again is the same
/// allocation, and is not compared field by field.
fn changed_files<'a, T: PartialEq + 'a>(
    old: impl Iterator<Item = (&'a PathBuf, &'a Arc<T>)>,
    new: impl Iterator<Item = (&'a PathBuf, &'a Arc<T>)>,
) -> BTreeSet<PathBuf> {
    let before: HashMap<&PathBuf, &Arc<T>> = old.collect();
    let after: HashMap<&PathBuf, &Arc<T>> = new.collect();
    let same = |a: &Arc<T>, b: &Arc<T>| Arc::ptr_eq(a, b) || a == b;
    let mut changed: BTreeSet<PathBuf> = before
        .iter()
        .filter(|(file, item)| !after.get(*file).is_some_and(|new| same(item, new)))
        .map(|(file, _)| (*file).clone())
        .collect();
    changed.extend(
        after
            .keys()
            .filter(|file| !before.contains_key(*file))
            .map(|file| (*file).clone()),
    );
    changed
}

/// Everything but the script body: what pages other than runbooks show of a touchpoint.
/// Derived from the whole struct, so a field added later counts without being listed here.
fn same_front_matter(a: &crate::model::Touchpoint, b: &crate::model::Touchpoint) -> bool {
    let front = |t: &crate::model::Touchpoint| crate::model::Touchpoint {
        template_source: String::new(),
        ..t.clone()
    };
    front(a) == front(b)
}

fn stem(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
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

/// A rebuild's new state, made beside the session's and committed only when all of it
/// succeeded.
struct Draft {
    site: Site,
    warnings: Diagnostics,
    /// A new plan, when the files or assignments changed; else the session's stands.
    plan: Option<Plan>,
    index: Option<HashMap<Dep, Vec<usize>>>,
    templates: Option<crate::templates::Templates>,
    /// The pages to render again, as indexes into the plan in force.
    todo: Vec<usize>,
}

/// A draft rendered: what [`Session::commit`] takes over.
struct Committed {
    site: Site,
    warnings: Diagnostics,
    plan: Option<Plan>,
    index: Option<HashMap<Dep, Vec<usize>>>,
    templates: Option<crate::templates::Templates>,
    photos: crate::photos::Photos,
    files: Files,
}

impl Draft {
    /// Replans, retemplates and finds the affected pages.
    fn new(
        session: &Session,
        site: Site,
        warnings: Diagnostics,
        edit: &Edit,
        watch: &mut Stopwatch,
    ) -> Result<Draft, Problems> {
        let engine = &session.engine;
        let fail = |e| Problems::new(&warnings, e);
        // Edits that add, remove or re-assign nothing leave the plan as it was.
        let plan = if same_shape(&engine.site, &site) {
            None
        } else {
            Some(crate::plan::plan_site(&site).map_err(fail)?)
        };
        watch.lap("plan");
        let templates = retemplate(engine, &site, edit).map_err(fail)?;
        watch.lap("templates");

        // Pages to render again: those depending on a changed source, in the old plan or the
        // new one (a client that stops listing a member changes that member's page), and
        // those that did not exist before.
        let index = plan.as_ref().map(Plan::dependents);
        let affected = |index: &HashMap<Dep, Vec<usize>>| -> BTreeSet<usize> {
            edit.keys
                .iter()
                .filter_map(|k| index.get(k.as_str()))
                .flatten()
                .copied()
                .collect()
        };
        let mut todo = affected(index.as_ref().unwrap_or(&session.index));
        if let Some(plan) = &plan {
            let old_touched: BTreeSet<&str> = affected(&session.index)
                .into_iter()
                .map(|i| engine.plan.pages[i].route.as_str())
                .collect();
            for (i, p) in plan.pages.iter().enumerate() {
                if old_touched.contains(p.route.as_str())
                    || !session.files.contains_key(p.route.as_str())
                {
                    todo.insert(i);
                }
            }
        }
        Ok(Draft {
            site,
            warnings,
            plan,
            index,
            templates,
            todo: todo.into_iter().collect(),
        })
    }

    /// Refreshes the render cache, renders the affected pages and puts them, with any
    /// changed static files, into a copy of the session's output. Returns that and the number
    /// of pages rendered and the routes changed.
    fn render(
        self,
        session: &mut Session,
        edit: &Edit,
        watch: &mut Stopwatch,
        pages_ready: &mut dyn FnMut(Arc<Files>, Vec<String>),
    ) -> Result<(Committed, usize, Vec<String>), Problems> {
        let engine = &mut session.engine;
        let fail = |e| Problems::new(&self.warnings, e);
        let plan = self.plan.as_ref().unwrap_or(&engine.plan);
        let templates = self.templates.as_ref().unwrap_or(&engine.templates);
        let mut files: Files = (*session.files).clone();
        let mut changed = Vec::new();
        // The pages browsers have open first, published as soon as they are rendered: with
        // the data of their clients only, when the edit changed clients' data (their other
        // pages, and pages about many clients, wait for everyone's).
        let early = self.plan.is_none();
        let whole_site = edit.stale.all_clients
            || !edit.stale.clients.is_empty()
            || !edit.stale.scripts.is_empty()
            || edit.stale.playbook
            || !edit.stale.chapters.is_empty();
        let open: Vec<usize> = if early {
            self.todo
                .iter()
                .copied()
                .filter(|i| {
                    let page = &plan.pages[*i];
                    session.open_pages.contains(&page.route)
                        && (!whole_site || page.kind.client().is_some())
                })
                .collect()
        } else {
            Vec::new()
        };
        if !open.is_empty() && self.todo.len() > open.len() {
            let clients: std::collections::HashSet<&str> = open
                .iter()
                .filter_map(|i| plan.pages[*i].kind.client())
                .map(|c| self.site.clients[c].id.as_str())
                .collect();
            if let Err(e) =
                engine
                    .cache
                    .refresh_clients(&self.site, &templates.scripts, &edit.stale, &clients)
            {
                restore(&mut engine.cache, &engine.site, &engine.templates.scripts);
                return Err(fail(e));
            }
            let renderer = Renderer {
                site: &self.site,
                templates,
                cache: &engine.cache,
            };
            match renderer.render_some(&plan.pages, &open) {
                Ok(rendered) => {
                    for (i, bytes) in open.iter().zip(rendered) {
                        put(&mut files, &mut changed, &plan.pages[*i].route, bytes);
                    }
                }
                Err(e) => {
                    restore(&mut engine.cache, &engine.site, &engine.templates.scripts);
                    return Err(fail(e));
                }
            }
            if !changed.is_empty() {
                pages_ready(Arc::new(files.clone()), changed.clone());
            }
            watch.lap("open pages");
        }
        if let Err(e) = engine
            .cache
            .refresh(&self.site, &templates.scripts, &edit.stale)
        {
            // The cache may hold some refreshed entries: rebuild it from the last good state.
            restore(&mut engine.cache, &engine.site, &engine.templates.scripts);
            return Err(fail(e));
        }
        watch.lap("cache");
        let renderer = Renderer {
            site: &self.site,
            templates,
            cache: &engine.cache,
        };
        // Pages about one thing (a client's, a chapter) first: that is what the writer is
        // looking at. Then overviews that list many sources, print pages and files made in
        // code (calendars, the schedule).
        // The open pages are rendered again with everyone's data: what is published last is
        // always what a fresh build makes (and is left unchanged when it is the same).
        let (first, later): (Vec<usize>, Vec<usize>) = self.todo.iter().partition(|i| {
            let page = &plan.pages[**i];
            page.kind.template().is_some() && !page.kind.is_print() && page.deps.len() <= 64
        });
        let preview = early && !later.is_empty();
        for (n, batch) in [first, later].into_iter().enumerate() {
            match renderer.render_some(&plan.pages, &batch) {
                Ok(rendered) => {
                    for (i, bytes) in batch.iter().zip(rendered) {
                        put(&mut files, &mut changed, &plan.pages[*i].route, bytes);
                    }
                }
                Err(e) => {
                    restore(&mut engine.cache, &engine.site, &engine.templates.scripts);
                    return Err(fail(e));
                }
            }
            if n == 0 && preview && !changed.is_empty() {
                pages_ready(Arc::new(files.clone()), changed.clone());
            }
            watch.lap(if n == 0 { "render" } else { "render later" });
        }
        // Photos: only those an edit touched (or newly named) are made again.
        let photos = crate::photos::Photos::prepare(
            &self.site,
            crate::photos::Mode::Make,
            Some(&engine.photos),
            &touched_photos(&session.unapplied),
        )
        .map_err(fail)?;
        watch.lap("photos");
        copy_assets(plan, &self.site, &photos, edit, &mut files, &mut changed)
            .map_err(|d| fail(vec![d]))?;
        if self.plan.is_some() {
            drop_unplanned(plan, &mut files, &mut changed);
        }
        changed.sort();
        let rerendered = self.todo.len();
        Ok((
            Committed {
                site: self.site,
                warnings: self.warnings,
                plan: self.plan,
                index: self.index,
                templates: self.templates,
                photos,
                files,
            },
            rerendered,
            changed,
        ))
    }
}

/// Puts into `files` the copied assets that are new or whose source changed.
fn copy_assets(
    plan: &Plan,
    site: &Site,
    photos: &crate::photos::Photos,
    edit: &Edit,
    files: &mut Files,
    changed: &mut Vec<String>,
) -> Result<(), crate::diagnostics::Diagnostic> {
    for copy in &plan.copies {
        let refresh = match &copy.source {
            AssetSource::Static(rel) | AssetSource::Photo { photo: rel, .. } => {
                edit.keys.contains(&crate::plan::static_dep(rel))
            }
            AssetSource::Theme(_) | AssetSource::Opener | AssetSource::Search => false,
        };
        if !refresh && files.contains_key(copy.route.as_str()) {
            continue;
        }
        let bytes = match &copy.source {
            AssetSource::Theme(name) => crate::theme::asset(name)
                .expect("planned from the theme")
                .to_vec(),
            AssetSource::Static(rel) => {
                let path = site.root.join("static").join(rel);
                let bytes = crate::engine::read_static(&site.root, &path)?;
                crate::private::seal::check_static(site, &copy.route, &bytes)?;
                bytes
            }
            AssetSource::Opener => crate::shell::SCRIPT.as_bytes().to_vec(),
            AssetSource::Photo { photo, variant } => {
                let bytes = photos.bytes(photo, *variant);
                crate::private::seal::check_static(site, &copy.route, bytes)?;
                bytes.to_vec()
            }
            AssetSource::Search => crate::search::SCRIPT.as_bytes().to_vec(),
        };
        put(files, changed, &copy.route, bytes);
    }
    Ok(())
}

/// The photos (paths inside `static/`) among the files the watcher reported.
fn touched_photos(touched: &BTreeSet<String>) -> BTreeSet<String> {
    let folder = format!("{}/", crate::load::SourceKind::Static.folder());
    touched
        .iter()
        .filter_map(|t| t.strip_prefix(folder.as_str()))
        .map(str::to_string)
        .collect()
}

/// Takes out of `files` the routes a new plan no longer has.
fn drop_unplanned(plan: &Plan, files: &mut Files, changed: &mut Vec<String>) {
    let routes: BTreeSet<&str> = plan
        .pages
        .iter()
        .map(|p| p.route.as_str())
        .chain(plan.copies.iter().map(|c| c.route.as_str()))
        .collect();
    files.retain(|route, _| {
        let keep = routes.contains(&**route);
        if !keep {
            changed.push(route.to_string());
        }
        keep
    });
}

/// Puts `bytes` at `route` if they differ from what is there, noting the route as changed.
fn put(files: &mut Files, changed: &mut Vec<String>, route: &str, bytes: Vec<u8>) {
    if files.get(route).map(|o| **o != bytes).unwrap_or(true) {
        changed.push(route.to_string());
        files.insert(route.into(), Arc::new(bytes));
    }
}

/// The script engine for the draft: new bodies swapped into a copy when only bodies changed,
/// a new one when a journey file's front matter or the set of files changed, else `None`
/// (the session's stands).
fn retemplate(
    engine: &Engine,
    site: &Site,
    edit: &Edit,
) -> Result<Option<crate::templates::Templates>, Vec<crate::diagnostics::Diagnostic>> {
    if edit.journey_changed {
        return crate::templates::build_templates(site, engine.minify).map(Some);
    }
    if edit.stale.scripts.is_empty() {
        return Ok(None);
    }
    let mut t = engine.templates.clone();
    let mut errors = Vec::new();
    for tp in site
        .journey
        .iter()
        .filter(|t| edit.stale.scripts.contains(&t.id))
    {
        if let Err(e) = t
            .scripts
            .add_raw_template(&tp.template_name, &tp.template_source)
        {
            errors.extend(crate::templates::tera_diagnostics(site, &e));
        }
    }
    if errors.is_empty() {
        Ok(Some(t))
    } else {
        Err(errors)
    }
}

/// Puts the render cache back to the last good site after a failed refresh or render.
fn restore(cache: &mut RenderCache, site: &Site, scripts: &tera::Tera) {
    let all = Stale {
        all_clients: true,
        playbook: true,
        ..Default::default()
    };
    let _ = cache.refresh(site, scripts, &all);
}
