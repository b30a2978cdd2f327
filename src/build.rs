//! The whole pipeline: load → check → plan → render → write.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jiff::civil::Date;

use crate::diagnostics::{Diagnostic, Diagnostics, Problems};
use crate::engine::{Engine, Writer};
use crate::model::Site;
use crate::timing::Stopwatch;
use crate::write::{self, Content};

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
    /// Build private sites unencrypted, in folders named by client id, as `serve` previews
    /// them: for reading the output, never for publishing it (see `src/private/`).
    pub preview: bool,
    /// A private site's secret or passphrase that is not set is replaced by a stand-in, with a
    /// warning: what `hundred check` does, so it needs no keys.
    pub stand_in_secrets: bool,
    /// Only the client portals' links are wanted (`hundred links`): a private internal site's
    /// passphrase is not needed.
    pub links_only: bool,
}

/// Where `build --preview` writes when no output is named, inside the site folder.
pub const PREVIEW_FOLDER: &str = "preview";

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
    /// What became of the team site's search (see `src/search.rs`).
    pub search: SearchOutcome,
}

/// Whether a build wrote a search index for the team site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchOutcome {
    /// Written: this many pages are searched.
    Indexed { pages: usize },
    /// `[internal] search = false`.
    Off,
    /// The team site is private: its pages are sealed, and an index would hold their words in
    /// plain text, so it has no search.
    LeftOutPrivate,
}

/// The base URLs of the two sites, each ending in `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedUrls {
    pub portal: String,
    pub internal: String,
}

/// A print page and the PDF made from it, as routes inside the output folder.
#[derive(Debug, Clone, PartialEq)]
pub struct PrintDocument {
    pub page: String,
    pub pdf: String,
    /// For a page of a private site: how to open it and seal its PDF.
    pub sealed: Option<SealedDocument>,
}

/// A print page of a private site: it is published sealed, so it is opened with its key to be
/// printed, and its PDF is sealed the same way before it is placed beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct SealedDocument {
    pub cipher: crate::portal_crypto::Cipher,
    /// The page's route inside the folder the key covers: what it was sealed with.
    pub page: String,
    /// The PDF's route inside that folder.
    pub pdf: String,
}

/// Loads and checks a site: the first two stages, shared by `build` and `check`.
pub fn load_and_check(root: &Path) -> (Option<Site>, Diagnostics) {
    crate::engine::load_and_check(root, &mut Default::default(), &BuildOptions::default())
}

fn prepare(root: &Path, opts: &BuildOptions, watch: &mut Stopwatch) -> Result<Engine, Problems> {
    let photos = crate::engine::PhotoWork::make();
    Engine::prepare(
        root,
        opts,
        &mut Default::default(),
        watch,
        photos,
        crate::engine::ClientData::OnDemand,
    )
}

/// What `hundred check` does: everything a build does but writing. Each page is rendered into
/// nothing, so a large site is checked without holding its pages; returns the warnings.
pub fn check(root: &Path, opts: &BuildOptions) -> Result<Diagnostics, Problems> {
    let mut watch = Stopwatch::default();
    // Photos are decoded to find those that cannot be made, unless the cache has their files.
    let photos = crate::engine::PhotoWork {
        mode: crate::photos::Mode::Check,
        ..crate::engine::PhotoWork::make()
    };
    let engine = Engine::prepare(
        root,
        opts,
        &mut Default::default(),
        &mut watch,
        photos,
        crate::engine::ClientData::OnDemand,
    )?;
    let renderer = engine.renderer();
    crate::engine::Nowhere.write(&engine, engine.outputs(&renderer, None))?;
    watch.lap("render");
    watch.report();
    let warnings = engine.warnings.clone();
    engine.drop_in_background();
    Ok(warnings)
}

/// `hundred build`: the site's outputs, written into the output folder.
struct Disk<'a> {
    root: &'a Path,
    output: &'a Path,
    /// The searched pages, gathered as they are written, and made into the search index
    /// written with them.
    search: Option<&'a crate::search::Gathered>,
}

impl Writer for Disk<'_> {
    type Done = write::WriteStats;

    fn write(
        self,
        engine: &Engine,
        outputs: Vec<(String, Content)>,
    ) -> Result<write::WriteStats, Problems> {
        let index = |gathered: &crate::search::Gathered| {
            gathered
                .index(Some(self.root))
                .map_err(|e| vec![Diagnostic::error(crate::search::FOLDER, e)])
        };
        let later = self.search.map(|g| move || index(g));
        let later = later.as_ref().map(|f| f as &write::Later);
        write::write_output_then(self.root, self.output, outputs, later).map_err(|e| match e {
            write::WriteError::Unmade { pages } => engine.unmade(pages),
            e => Problems::new(&engine.warnings, [write_failure(self.output, &e)]),
        })
    }
}

fn write_failure(output: &Path, e: &write::WriteError) -> Diagnostic {
    Diagnostic::error(output.display().to_string(), e.to_string()).help(e.help())
}

pub fn build(root: &Path, opts: &BuildOptions) -> Result<BuildReport, Problems> {
    let started = Instant::now();
    let mut watch = Stopwatch::default();
    let engine = prepare(root, opts, &mut watch)?;
    let (site, plan) = (&engine.site, &engine.plan);
    // A preview goes to a folder of its own unless told otherwise: written over the output a
    // firm uploads, it would publish its clients' pages unencrypted.
    let output = opts.output.clone().unwrap_or_else(|| match opts.preview {
        true => root.join(PREVIEW_FOLDER),
        false => root.join(&site.config.build.output),
    });
    let named_by = match (&opts.output, opts.preview) {
        (Some(_), _) => write::OutputNamedBy::Option,
        (None, true) => write::OutputNamedBy::Default,
        (None, false) if site.config.output_at.is_some() => {
            write::OutputNamedBy::Setting(site.config.output_at)
        }
        (None, false) => write::OutputNamedBy::Default,
    };
    let output = write::check_output_folder(root, &output, named_by)
        .map_err(|d| Problems::new(&engine.warnings, [d]))?;

    let page_count = plan.pages.len();
    let documents = plan
        .pages
        .iter()
        .filter_map(|p| {
            let name = p.kind.document_name(site)?;
            let dir = p.route.strip_suffix("index.html")?;
            let pdf = format!("{dir}{name}");
            let sealed = match crate::private::seal::of_page(site, p) {
                crate::private::seal::Publish::Page { cipher, inner, .. } => {
                    let folder = &p.route[..p.route.len() - inner.len()];
                    Some(SealedDocument {
                        cipher: cipher.clone(),
                        pdf: pdf[folder.len()..].to_string(),
                        page: inner,
                    })
                }
                _ => None,
            };
            Some(PrintDocument {
                page: p.route.clone(),
                pdf,
                sealed,
            })
        })
        .collect();
    // Pages are rendered as they are written, in parallel, so the whole site is never in
    // memory at once; a page that fails to render stops the write and leaves the previous
    // output as it was.
    let renderer = engine.renderer();
    let gathered = site
        .config
        .internal
        .has_search()
        .then(crate::search::Gathered::default);
    let outputs = engine.outputs(&renderer, gathered.as_ref());
    let stats = Disk {
        root,
        output: &output,
        search: gathered.as_ref(),
    }
    .write(&engine, outputs)?;
    watch.lap("render+write (and search index)");
    let search = if gathered.is_some() {
        SearchOutcome::Indexed {
            pages: plan
                .pages
                .iter()
                .filter(|p| crate::search::indexed(p.kind))
                .count(),
        }
    } else if site.config.internal.private && site.config.internal.search {
        SearchOutcome::LeftOutPrivate
    } else {
        SearchOutcome::Off
    };
    watch.report();
    let report = BuildReport {
        output,
        pages: page_count,
        files: stats.written + stats.unchanged,
        changes: stats,
        clients: site.clients.len(),
        elapsed: started.elapsed(),
        warnings: engine.warnings.clone(),
        documents,
        published: PublishedUrls {
            portal: site.config.portal_url().full,
            internal: site.config.internal_url().full,
        },
        search,
    };
    engine.drop_in_background();
    Ok(report)
}
