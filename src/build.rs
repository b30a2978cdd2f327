//! The whole pipeline: load → check → plan → render → write.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jiff::civil::Date;

use crate::diagnostics::Diagnostics;
use crate::model::Site;
use crate::plan::{AssetSource, Plan};
use crate::render::{RenderCache, Renderer};
use crate::timing::Stopwatch;
use crate::write::{self, Content};
use rayon::prelude::*;

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Where to write; default: the `output` setting (`public`) inside the site folder.
    pub output: Option<PathBuf>,
    /// The build date for "what is due" and statuses; default: today.
    pub today: Option<Date>,
    /// Override the `minify` setting.
    pub minify: Option<bool>,
    /// Override the base URLs (portal, internal): `serve` shows both sites at its own address.
    pub base_urls: Option<(String, String)>,
}

/// Applies [`BuildOptions::base_urls`].
pub fn apply_base_urls(site: &mut Site, opts: &BuildOptions) {
    if let Some((portal, internal)) = &opts.base_urls {
        site.config.portal.base_url = portal.clone();
        site.config.internal.base_url = internal.clone();
    }
}

#[derive(Debug)]
pub struct BuildReport {
    pub output: PathBuf,
    pub pages: usize,
    pub files: usize,
    /// What the write changed on disk.
    pub changes: write::WriteStats,
    pub clients: usize,
    pub elapsed: Duration,
    pub warnings: Diagnostics,
    /// The print pages written, each with the route of the PDF `hundred pdf` makes from it.
    pub documents: Vec<PrintDocument>,
    /// Where the portal and the internal site are published (their base URLs), for links in
    /// PDFs.
    pub published: PublishedUrls,
}

/// The base URLs of the two sites, each ending in `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedUrls {
    pub portal: String,
    pub internal: String,
}

/// A print page and the PDF made from it, as routes inside the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintDocument {
    pub page: String,
    pub pdf: String,
}

/// What stopped a build: the findings, errors first among them.
#[derive(Debug)]
pub struct BuildFailure {
    pub diagnostics: Diagnostics,
}

/// Loads and checks a site: the first two stages, shared by `build` and `check`.
pub fn load_and_check(root: &Path) -> (Option<Site>, Diagnostics) {
    let (site, mut diags) = crate::load::load_site(root);
    let site = site.and_then(|site| {
        diags.extend(crate::check::check_site(&site).items);
        (!diags.has_errors()).then_some(site)
    });
    diags.sort();
    (site, diags)
}

/// A site loaded, checked and planned, with its template engine and render cache: everything
/// but the pages themselves.
struct Prepared {
    site: Site,
    plan: Plan,
    templates: crate::templates::Templates,
    cache: RenderCache,
    warnings: Diagnostics,
}

impl Prepared {
    fn renderer(&self) -> Renderer<'_> {
        Renderer {
            site: &self.site,
            templates: &self.templates,
            cache: &self.cache,
        }
    }
}

fn fail(mut diagnostics: Diagnostics) -> BuildFailure {
    diagnostics.sort();
    BuildFailure { diagnostics }
}

fn prepare(
    root: &Path,
    opts: &BuildOptions,
    watch: &mut Stopwatch,
) -> Result<Prepared, BuildFailure> {
    let (site, mut diags) = load_and_check(root);
    watch.lap("load+check");
    let Some(mut site) = site else {
        return Err(fail(diags));
    };
    apply_base_urls(&mut site, opts);
    let plan = match crate::plan::plan_site(&site) {
        Ok(p) => p,
        Err(e) => {
            diags.extend(e);
            return Err(fail(diags));
        }
    };
    watch.lap("plan");
    let minify = opts.minify.unwrap_or(site.config.build.minify);
    let templates = match crate::templates::build_templates(&site, minify) {
        Ok(t) => t,
        Err(e) => {
            diags.extend(e);
            return Err(fail(diags));
        }
    };
    watch.lap("templates");
    let today = opts.today.unwrap_or_else(crate::dates::today);
    let cache = match RenderCache::new(&site, &templates.scripts, today, minify) {
        Ok(c) => c,
        Err(e) => {
            diags.extend(e);
            return Err(fail(diags));
        }
    };
    watch.lap("personalise");
    Ok(Prepared {
        site,
        plan,
        templates,
        cache,
        warnings: diags,
    })
}

/// What `hundred check` does: everything a build does but writing. Each page is rendered into
/// nothing, so a large site is checked without holding its pages; returns the warnings.
pub fn check(root: &Path, opts: &BuildOptions) -> Result<Diagnostics, BuildFailure> {
    let mut watch = Stopwatch::default();
    let prepared = prepare(root, opts, &mut watch)?;
    let renderer = prepared.renderer();
    let errors: Vec<crate::diagnostics::Diagnostic> = prepared
        .plan
        .pages
        .par_iter()
        .filter_map(|page| renderer.render_to(page, &mut std::io::sink()).err())
        .collect();
    watch.lap("render");
    watch.report();
    let mut warnings = prepared.warnings;
    if errors.is_empty() {
        Ok(warnings)
    } else {
        warnings.extend(errors);
        Err(fail(warnings))
    }
}

pub fn build(root: &Path, opts: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    let started = Instant::now();
    let mut watch = Stopwatch::default();
    let prepared = prepare(root, opts, &mut watch)?;
    let (site, plan, warnings) = (&prepared.site, &prepared.plan, &prepared.warnings);
    let output = opts
        .output
        .clone()
        .unwrap_or_else(|| root.join(&site.config.build.output));
    let site: &Site = site;
    let io_failure = |d: crate::diagnostics::Diagnostic| {
        let mut diagnostics = warnings.clone();
        diagnostics.push(d);
        BuildFailure { diagnostics }
    };
    let output = write::check_output_folder(root, &output).map_err(io_failure)?;

    let page_count = plan.pages.len();
    let documents = plan
        .pages
        .iter()
        .filter_map(|p| {
            let name = crate::plan::document_name(site, p.kind)?;
            let dir = p.route.strip_suffix("index.html")?;
            Some(PrintDocument {
                page: p.route.clone(),
                pdf: format!("{dir}{name}"),
            })
        })
        .collect();
    // Pages are rendered as they are written, in parallel, so the whole site is never in
    // memory at once; a page that fails to render aborts the write and leaves the previous
    // output as it was.
    let renderer = prepared.renderer();
    let render_errors: std::sync::Mutex<Vec<crate::diagnostics::Diagnostic>> = Default::default();
    let mut files: Vec<(String, Content)> = Vec::with_capacity(plan.len());
    for page in &plan.pages {
        let (renderer, render_errors) = (&renderer, &render_errors);
        let failed = move |d| {
            render_errors.lock().expect("not poisoned").push(d);
            std::io::Error::other("a page failed to render")
        };
        // The print playbook holds every chapter: tens of megabytes for a large playbook, so
        // it goes to its file as it is rendered instead of being held in memory first.
        let content = if page.kind == crate::plan::PageKind::InternalPlaybookPrint {
            Content::Streamed(Box::new(move |out| {
                renderer.render_to(page, out).map_err(failed)
            }))
        } else {
            Content::Made(Box::new(move || renderer.render(page).map_err(failed)))
        };
        files.push((page.route.clone(), content));
    }
    for copy in &plan.copies {
        let content = match &copy.source {
            AssetSource::Theme(name) => {
                Content::Borrowed(crate::theme::asset(name).expect("planned from the theme"))
            }
            AssetSource::Static(rel) => Content::File(root.join("static").join(rel)),
        };
        files.push((copy.route.clone(), content));
    }
    let written = write::write_output(root, &output, files);
    let render_errors = render_errors.into_inner().expect("not poisoned");
    if !render_errors.is_empty() {
        let mut diagnostics = warnings.clone();
        diagnostics.extend(render_errors);
        return Err(fail(diagnostics));
    }
    let stats = written.map_err(|e| {
        io_failure(
            crate::diagnostics::Diagnostic::error(output.display().to_string(), e.to_string())
                .help(e.help()),
        )
    })?;
    watch.lap("render+write");
    watch.report();
    Ok(BuildReport {
        output,
        pages: page_count,
        files: stats.written + stats.unchanged,
        changes: stats,
        clients: site.clients.len(),
        elapsed: started.elapsed(),
        warnings: warnings.clone(),
        documents,
        published: PublishedUrls {
            portal: site.config.portal_url().full,
            internal: site.config.internal_url().full,
        },
    })
}
