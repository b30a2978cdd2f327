//! **engine**: a site loaded, checked, planned and templated, with its render cache: everything
//! but the pages themselves. `build`, `check` and `serve` each prepare one the same way and
//! hand its outputs to their own writer ([`Writer`]): the disk, nothing, or memory. So what
//! `serve` shows, what `check` reports and what `build` writes cannot drift apart.

use std::path::Path;
use std::sync::Arc;

use crate::build::BuildOptions;
use crate::diagnostics::{Diagnostic, Diagnostics, Problems};
use crate::load::memo::Sources;
use crate::model::Site;
use crate::plan::{AssetSource, InternalPage, PageKind, Plan};
pub(crate) use crate::render::ClientData;
use crate::render::{RenderCache, Renderer};
use crate::templates::Templates;
use crate::timing::Stopwatch;
use crate::write::{Content, Unmade};

pub(crate) struct Engine {
    pub(crate) site: Site,
    pub(crate) plan: Plan,
    pub(crate) templates: Templates,
    pub(crate) cache: RenderCache,
    /// The findings of loading and checking that did not stop it.
    pub(crate) warnings: Diagnostics,
    /// Whether the HTML templates are minified.
    pub(crate) minify: bool,
    /// The files made from the team's photos.
    pub(crate) photos: crate::photos::Photos,
}

impl Engine {
    /// Frees the engine on a thread of its own. A large site's render cache is hundreds of
    /// thousands of small allocations, and freeing them one by one took 2-5% of a one-off
    /// build's time, on the main thread, after its work was done: `build` and `check` return
    /// (and the command exits) without waiting for it.
    pub(crate) fn drop_in_background(self) {
        std::thread::spawn(move || drop(self));
    }
}

/// Loads and checks a site: the first two stages. `None` when the site has errors (all of
/// them are in the findings).
pub(crate) fn load_and_check(
    root: &Path,
    sources: &mut Sources,
    opts: &BuildOptions,
) -> (Option<Site>, Diagnostics) {
    let (site, mut diags) = crate::load::load_site_with(root, sources);
    let site = site.and_then(|mut site| {
        crate::build::apply_base_urls(&mut site, opts);
        let locked = crate::private::apply(
            &mut site,
            opts.preview,
            opts.stand_in_secrets,
            opts.links_only,
        );
        let stop = locked.iter().any(Diagnostic::is_error);
        diags.extend(locked);
        if stop {
            return None;
        }
        let today = opts.today.unwrap_or_else(crate::dates::today);
        diags.extend(crate::check::check_site(&site, today).items);
        (!diags.has_errors()).then_some(site)
    });
    diags.sort();
    (site, diags)
}

impl Engine {
    /// Loads (re-reading only what changed since `sources` last saw it), checks, plans,
    /// builds the templates and the render cache.
    pub(crate) fn prepare(
        root: &Path,
        opts: &BuildOptions,
        sources: &mut Sources,
        watch: &mut Stopwatch,
        photos: PhotoWork,
        data: ClientData,
    ) -> Result<Engine, Problems> {
        let (site, warnings) = load_and_check(root, sources, opts);
        watch.lap("load+check");
        match site {
            Some(site) => Engine::from_checked(site, warnings, opts, watch, photos, data),
            None => Err(Problems::from(warnings)),
        }
    }

    /// The stages after checking, for a site that passed them.
    pub(crate) fn from_checked(
        site: Site,
        warnings: Diagnostics,
        opts: &BuildOptions,
        watch: &mut Stopwatch,
        photos: PhotoWork,
        data: ClientData,
    ) -> Result<Engine, Problems> {
        let fail = |e: Vec<Diagnostic>| Problems::new(&warnings, e);
        let plan = crate::plan::plan_site(&site).map_err(fail)?;
        watch.lap("plan");
        let photos =
            crate::photos::Photos::prepare(&site, photos.mode, photos.earlier, &photos.changed)
                .map_err(fail)?;
        watch.lap("photos");
        let minify = opts.minify.unwrap_or(site.config.build.minify);
        let templates = crate::templates::build_templates(&site, minify).map_err(fail)?;
        watch.lap("templates");
        let today = opts.today.unwrap_or_else(crate::dates::today);
        let cache = RenderCache::new(&site, &templates.scripts, today, minify, data, &plan.pages)
            .map_err(fail)?;
        watch.lap("personalise");
        Ok(Engine {
            site,
            plan,
            templates,
            cache,
            warnings,
            minify,
            photos,
        })
    }

    pub(crate) fn renderer(&self) -> Renderer<'_> {
        Renderer {
            site: &self.site,
            templates: &self.templates,
            cache: &self.cache,
        }
    }

    /// Every output file: each page, made when a writer asks for it (so a build never holds
    /// the whole site in memory), and each copied asset. A client's pages are next to each
    /// other, so a writer working through them in order needs each client's data for a short
    /// while only ([`ClientData::OnDemand`]). With `search`, each searched page is given to it
    /// as it is made.
    pub(crate) fn outputs<'a>(
        &'a self,
        renderer: &'a Renderer<'a>,
        search: Option<&'a crate::search::Gathered>,
    ) -> Vec<(String, Content<'a>)> {
        let mut files: Vec<(String, Content)> = Vec::with_capacity(self.plan.len());
        let mut order: Vec<(usize, &crate::plan::Page)> =
            self.plan.pages.iter().enumerate().collect();
        order.sort_by_key(|(_, p)| p.kind.client().map_or(0, |c| c + 1));
        for (place, page) in order {
            // The print playbook holds every chapter: tens of megabytes for a large playbook,
            // so it goes to its file as it is rendered instead of being held in memory first.
            // So is the team's calendar: every touchpoint of every client, a hundred megabytes
            // for 10,000 clients.
            let streamed = matches!(
                page.kind,
                PageKind::Internal(InternalPage::PlaybookPrint | InternalPage::TeamCalendar)
            );
            let content = if streamed {
                Content::Streamed(Box::new(move |out| {
                    renderer.render_to(page, out).map_err(Unmade::Failed)
                }))
            } else if let Some(gathered) = search.filter(|_| crate::search::indexed(page.kind)) {
                Content::Made(Box::new(move || {
                    let bytes = renderer.render(page)?;
                    gathered.add(place, &page.route, &bytes);
                    Ok(bytes)
                }))
            } else {
                Content::Made(Box::new(move || renderer.render(page)))
            };
            files.push((page.route.clone(), content));
        }
        for copy in &self.plan.copies {
            let content = match &copy.source {
                AssetSource::Theme(name) => {
                    Content::Borrowed(crate::theme::asset(name).expect("planned from the theme"))
                }
                // A file of static/ published in a private portal (team photos in each
                // client's folder too) is searched for client data first: it is published as
                // it is.
                AssetSource::Static(rel)
                    if self.site.keys.portal_is_private()
                        && copy.route.starts_with(crate::plan::PORTAL) =>
                {
                    let route = copy.route.clone();
                    let path = self.site.root.join("static").join(rel);
                    Content::Made(Box::new(move || {
                        let bytes = read_static(&self.site.root, &path)?;
                        crate::private::seal::check_static(&self.site, &route, &bytes)?;
                        Ok(bytes)
                    }))
                }
                AssetSource::Static(rel) => Content::File(self.site.root.join("static").join(rel)),
                AssetSource::Opener => Content::Borrowed(crate::shell::SCRIPT.as_bytes()),
                AssetSource::Photo { photo, variant } => {
                    let bytes = self.photos.bytes(photo, *variant);
                    if self.site.keys.portal_is_private()
                        && copy.route.starts_with(crate::plan::PORTAL)
                    {
                        let route = copy.route.clone();
                        Content::Made(Box::new(move || {
                            crate::private::seal::check_static(&self.site, &route, bytes)?;
                            Ok(bytes.to_vec())
                        }))
                    } else {
                        Content::Borrowed(bytes)
                    }
                }
                AssetSource::Search => Content::Borrowed(crate::search::SCRIPT.as_bytes()),
            };
            files.push((copy.route.clone(), content));
        }
        files
    }
}

impl Engine {
    /// The errors of a write that stopped because pages could not be made: for a client
    /// whose data could not be made (a script failing for them), its errors said once, in
    /// place of the same error from each of their pages.
    pub(crate) fn unmade(&self, pages: Vec<Diagnostic>) -> Problems {
        let Some(failures) = self.cache.client_failures() else {
            return Problems::new(&self.warnings, pages);
        };
        let said = |d: &Diagnostic| {
            failures
                .iter()
                .any(|f| f.file == d.file && f.position == d.position)
        };
        let others: Vec<Diagnostic> = pages.into_iter().filter(|d| !said(d)).collect();
        Problems::new(&self.warnings, others.into_iter().chain(failures))
    }
}

/// What preparing an engine does with the team's photos: make them (`build`, `serve`) or only
/// check them (`check`); and, when `serve` prepares a new engine, the photos it already made
/// that did not change.
pub(crate) struct PhotoWork<'a> {
    pub(crate) mode: crate::photos::Mode,
    pub(crate) earlier: Option<&'a crate::photos::Photos>,
    pub(crate) changed: std::collections::BTreeSet<String>,
}

impl PhotoWork<'_> {
    pub(crate) fn make() -> Self {
        PhotoWork {
            mode: crate::photos::Mode::Make,
            earlier: None,
            changed: Default::default(),
        }
    }
}

/// Where an engine's outputs go.
pub(crate) trait Writer {
    type Done;
    fn write(
        self,
        engine: &Engine,
        outputs: Vec<(String, Content)>,
    ) -> Result<Self::Done, Problems>;
}

/// `hundred check`: every page is made and thrown away, so a large site is checked without
/// holding its pages; static files are not read.
pub(crate) struct Nowhere;

impl Writer for Nowhere {
    type Done = ();

    fn write(self, engine: &Engine, outputs: Vec<(String, Content)>) -> Result<(), Problems> {
        use rayon::prelude::*;
        let errors: Vec<Diagnostic> = outputs
            .par_iter()
            .filter_map(|(_, content)| match content {
                Content::Made(make) => make().err(),
                Content::Streamed(make) => match make(&mut std::io::sink()) {
                    Err(Unmade::Failed(d)) => Some(d),
                    _ => None,
                },
                Content::Borrowed(_) | Content::Owned(_) | Content::File(_) => None,
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(engine.unmade(errors))
        }
    }
}

/// Output files by route (`portal/acme/index.html`), shared cheaply with the web server.
pub type Files = std::collections::BTreeMap<Arc<str>, Arc<Vec<u8>>>;

/// `hundred serve`: every file in memory.
pub(crate) struct Memory;

impl Writer for Memory {
    type Done = Files;

    fn write(self, engine: &Engine, outputs: Vec<(String, Content)>) -> Result<Files, Problems> {
        use rayon::prelude::*;
        let made: Vec<Result<(String, Vec<u8>), Diagnostic>> = outputs
            .into_par_iter()
            .map(|(route, content)| {
                let bytes = match content {
                    Content::Borrowed(b) => b.to_vec(),
                    Content::Owned(b) => b,
                    Content::File(path) => read_static(&engine.site.root, &path)?,
                    Content::Made(make) => make()?,
                    Content::Streamed(make) => {
                        let mut out = Vec::new();
                        make(&mut out).map_err(|e| match e {
                            Unmade::Failed(d) => d,
                            Unmade::Io(e) => Diagnostic::error(&route, e.to_string()),
                        })?;
                        out
                    }
                };
                Ok((route, bytes))
            })
            .collect();
        let mut files = Files::new();
        let mut errors = Vec::new();
        for r in made {
            match r {
                Ok((route, bytes)) => {
                    files.insert(route.into(), Arc::new(bytes));
                }
                Err(d) => errors.push(d),
            }
        }
        if errors.is_empty() {
            Ok(files)
        } else {
            Err(Problems::new(&engine.warnings, errors))
        }
    }
}

/// A file of `static/`, read for `serve`; the error names it as the site does.
pub(crate) fn read_static(root: &Path, path: &Path) -> Result<Vec<u8>, Diagnostic> {
    std::fs::read(path).map_err(|e| {
        let shown = path.strip_prefix(root).unwrap_or(path);
        Diagnostic::error(
            shown,
            format!(
                "cannot read this file: {}",
                crate::write::plain_io_error(&e)
            ),
        )
    })
}
