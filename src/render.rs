//! **render**: personalises every journey script for every client, then renders each planned
//! page from `&Tera` across rayon threads.

use jiff::civil::Date;
use rayon::prelude::*;
use tera::{Context, Tera};

use crate::context::internal::{self, ChapterEntry, ChapterView, Overview, Runbook};
use crate::context::portal::PortalData;
use crate::context::script::ClientScriptContext;
use crate::context::{PageInfo, SiteInfo};
use crate::diagnostics::Diagnostic;
use crate::ics::{self, CalendarEvent};
use crate::markdown::{self, Link, MarkdownOptions};
use std::collections::HashMap;
use std::sync::Arc;

use crate::history::{History, Status};
use crate::model::{Client, Site, Visibility};
use crate::plan::{runbook_url, InternalPage, Page, PageKind, PortalPage};
use crate::templates::tera_diagnostic;

/// What one client's pages are made from: their portal data and their runbook with every
/// script personalised.
pub struct ClientCache {
    pub portal: Arc<PortalData>,
    /// The same portal data as template values, made once: ten pages show the client and
    /// their team, and serialising them for each page was most of a portal page's cost.
    portal_values: Arc<PortalValues>,
    pub runbook: Runbook,
    /// The runbook and its client as template values, made once: a runbook carries every
    /// script, and two pages show it.
    runbook_value: tera::Value,
    runbook_client_value: tera::Value,
    /// The client's part of every script's context, kept for re-personalising one script.
    script_context: Arc<ClientScriptContext>,
    /// The client's journey log as shown, kept for the runbook's values when a script changes.
    log: Arc<internal::LogViews>,
}

impl ClientCache {
    fn new(
        site: &Site,
        client: &Client,
        history: &History,
        log: internal::LogViews,
        today: Date,
        scripts: Vec<String>,
        script_context: ClientScriptContext,
    ) -> Self {
        let runbook = Runbook::new(site, client, history, &log, today, &scripts);
        let runbook_value = runbook.to_value(&log);
        let portal = PortalData::new(site, client, history, today);
        ClientCache {
            script_context: Arc::new(script_context),
            portal_values: Arc::new(PortalValues::new(&portal)),
            portal: Arc::new(portal),
            runbook_client_value: client_of(&runbook_value),
            runbook_value,
            runbook,
            log: Arc::new(log),
        }
    }

    /// The same client with new scripts: only the runbook's steps change.
    fn with_scripts(&self, scripts: Vec<String>) -> Self {
        let mut runbook = self.runbook.clone();
        for (step, script) in runbook.steps.iter_mut().zip(&scripts) {
            if step.script_html != *script {
                step.script_html = script.clone();
            }
        }
        ClientCache {
            portal: Arc::clone(&self.portal),
            portal_values: Arc::clone(&self.portal_values),
            runbook_value: runbook.to_value(&self.log),
            runbook_client_value: self.runbook_client_value.clone(),
            runbook,
            script_context: Arc::clone(&self.script_context),
            log: Arc::clone(&self.log),
        }
    }
}

/// The runbook's `client`, shared with the runbook's value rather than made again: it holds
/// the client's whole journey log.
fn client_of(runbook: &tera::Value) -> tera::Value {
    runbook
        .as_map()
        .and_then(|m| m.get(&tera::value::Key::from("client")).cloned())
        .expect("a runbook has its client")
}

/// A client's [`PortalData`] as template values. Made from portal data only, like every
/// portal page's context.
struct PortalValues {
    client: tera::Value,
    team: tera::Value,
    /// Each member of `team` on their own, for their profile page.
    members: Vec<tera::Value>,
    timeline: tera::Value,
}

impl PortalValues {
    fn new(portal: &PortalData) -> Self {
        let members: Vec<tera::Value> = portal
            .team
            .iter()
            .map(tera::Value::from_serializable)
            .collect();
        PortalValues {
            client: tera::Value::from_serializable(&portal.client),
            team: tera::Value::from(members.clone()),
            members,
            timeline: tera::Value::from_serializable(&portal.timeline),
        }
    }
}

/// Which cached data a change makes stale.
#[derive(Debug, Default, Clone)]
pub struct Stale {
    /// Every client's data (a journey script changed, or anything wider).
    pub all_clients: bool,
    /// Ids of clients whose data must be recomputed.
    pub clients: std::collections::BTreeSet<String>,
    /// Ids of touchpoints whose script (not front matter) changed: re-personalised for every
    /// client, the rest of each client's data kept.
    pub scripts: std::collections::BTreeSet<String>,
    /// The whole playbook (a chapter added, removed or renamed).
    pub playbook: bool,
    /// Ids of chapters whose file changed while the set of chapters stayed the same: only
    /// those are rendered again.
    pub chapters: std::collections::BTreeSet<String>,
}

/// Everything pages are made from, computed once and then kept up to date by
/// [`RenderCache::refresh`] while serving, so a rebuild recomputes only what an edit touched.
pub struct RenderCache {
    pub today: Date,
    info: SiteInfo,
    /// `info` as a template value: every page has it.
    info_value: tera::Value,
    clients: HashMap<String, Arc<ClientCache>>,
    /// For a one-off build: each client's data made when their first page is rendered and
    /// dropped after their last, instead of every client's in `clients` for the whole build.
    on_demand: Option<OnDemand>,
    overview: Overview,
    /// Every step of every client, by date (`internal::schedule`): made once for the team's
    /// calendars, the schedule and the team's pages, which each walked every client before.
    schedule: Vec<internal::DueItem>,
    chapters: Vec<ChapterView>,
    /// The chapter list without bodies, as a template value made once.
    chapter_index: tera::Value,
    chapter_entries: Vec<ChapterEntry>,
    /// Whether the HTML templates were minified, so a failing page is re-rendered from the
    /// templates as written to report the right line.
    minify: bool,
}

/// Whether a render cache keeps every client's data ([`ClientData::Kept`], for `serve`,
/// which refreshes only what an edit touched) or makes it as pages need it
/// ([`ClientData::OnDemand`], for a one-off build, whose memory then does not grow with the
/// number of clients).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientData {
    Kept,
    OnDemand,
}

/// Each client's data made on demand: a slot per client (in the site's order) with the pages
/// still to render from it.
struct OnDemand {
    slots: Vec<Slot>,
    /// The errors of every client whose data could not be made (a script that fails for
    /// them), by client index: reported once each, as [`RenderCache::new`] reports them.
    failures: std::sync::Mutex<Vec<(usize, Vec<Diagnostic>)>>,
}

#[derive(Default)]
struct Slot {
    /// The client's data while some of their pages are still to render; for a client whose
    /// data failed, the first error, which each of their pages reports.
    made: std::sync::Mutex<Option<Result<Arc<ClientCache>, Diagnostic>>>,
    pending: std::sync::atomic::AtomicUsize,
}

/// The client whose [`ClientCache`] a page of this kind is made from.
fn cached_client(kind: PageKind) -> Option<usize> {
    match kind {
        PageKind::Portal(
            PortalPage::Welcome { client }
            | PortalPage::Team { client }
            | PortalPage::Member { client, .. }
            | PortalPage::Journey { client }
            | PortalPage::Print { client },
        )
        | PageKind::Internal(
            InternalPage::Runbook { client } | InternalPage::RunbookPrint { client },
        ) => Some(client),
        _ => None,
    }
}

/// One client's data, as [`RenderCache::refresh`] makes it.
fn make_client(
    site: &Site,
    tera: &Tera,
    c: &Client,
    today: Date,
) -> Result<ClientCache, Vec<Diagnostic>> {
    // What the log says of this client, read once for its scripts, runbook and portal.
    let history = History::of(site, c, today);
    let log = internal::LogViews::new(site, c, &history, today);
    let context = ClientScriptContext::new(site, c, &history, &log, today);
    let scripts = personalise_scripts(site, tera, c, &context, |_| true, &[])?;
    Ok(ClientCache::new(
        site, c, &history, log, today, scripts, context,
    ))
}

/// Keeps the first error at each place: the same template mistake usually fails for every
/// client, and is said once.
fn once_each(errors: &mut Vec<Diagnostic>, more: impl IntoIterator<Item = Diagnostic>) {
    for d in more {
        if !errors
            .iter()
            .any(|x| x.file == d.file && x.position == d.position)
        {
            errors.push(d);
        }
    }
}

impl RenderCache {
    /// `pages` are the pages that will be rendered (each once), which tells an
    /// [`ClientData::OnDemand`] cache when a client's data is no longer needed.
    pub fn new(
        site: &Site,
        tera: &Tera,
        today: Date,
        minify: bool,
        data: ClientData,
        pages: &[Page],
    ) -> Result<Self, Vec<Diagnostic>> {
        let on_demand = (data == ClientData::OnDemand).then(|| {
            let mut slots: Vec<Slot> = site.clients.iter().map(|_| Slot::default()).collect();
            for p in pages {
                if let Some(c) = cached_client(p.kind) {
                    *slots[c].pending.get_mut() += 1;
                }
            }
            OnDemand {
                slots,
                failures: Default::default(),
            }
        });
        let mut cache = RenderCache {
            today,
            info: SiteInfo::new(site, today),
            info_value: tera::Value::none(),
            clients: HashMap::new(),
            on_demand,
            // Made by the first refresh below, which makes every summary.
            overview: Overview::new(site, &[], today),
            schedule: Vec::new(),
            chapters: Vec::new(),
            chapter_index: tera::Value::none(),
            chapter_entries: Vec::new(),
            minify,
        };
        cache.refresh(
            site,
            tera,
            &Stale {
                all_clients: true,
                playbook: true,
                ..Stale::default()
            },
        )?;
        Ok(cache)
    }

    /// Recomputes what `stale` names, and the site-wide summaries when clients changed.
    pub fn refresh(
        &mut self,
        site: &Site,
        tera: &Tera,
        stale: &Stale,
    ) -> Result<(), Vec<Diagnostic>> {
        let mut watch = crate::timing::Stopwatch::default();
        let today = self.today;
        let mut errors = self.refresh_some_clients(site, tera, stale, None);
        if stale.playbook {
            match render_playbook(site) {
                Ok(pages) => {
                    self.chapter_entries = pages.iter().map(ChapterEntry::from).collect();
                    self.chapter_index = tera::Value::from_serializable(&self.chapter_entries);
                    self.chapters = pages;
                }
                Err(e) => errors.extend(e),
            }
        } else if !stale.chapters.is_empty() {
            errors.extend(self.refresh_chapters(site, &stale.chapters));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        watch.lap("clients");
        let ids: std::collections::HashSet<&str> =
            site.clients.iter().map(|c| c.id.as_str()).collect();
        self.clients.retain(|id, _| ids.contains(id.as_str()));
        // Site-wide summaries read clients, the team and the journey's front matter: an edit
        // to a script's body or to a chapter leaves them as they were.
        if stale.all_clients || !stale.clients.is_empty() {
            self.info = SiteInfo::new(site, today);
            self.info_value = tera::Value::from_serializable(&self.info);
            watch.lap("retain");
            (self.overview, self.schedule) = internal::summaries(site, today);
            watch.lap("overview");
        }
        watch.report();
        Ok(())
    }

    /// Recomputes the data of the clients `stale` names, and, with `only`, of those of them
    /// in `only`: `serve` makes the data of the clients whose pages browsers have open first,
    /// then everyone's with [`Self::refresh`]. Returns the errors, each said once.
    pub fn refresh_clients(
        &mut self,
        site: &Site,
        tera: &Tera,
        stale: &Stale,
        only: &std::collections::HashSet<&str>,
    ) -> Result<(), Vec<Diagnostic>> {
        let errors = self.refresh_some_clients(site, tera, stale, Some(only));
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn refresh_some_clients(
        &mut self,
        site: &Site,
        tera: &Tera,
        stale: &Stale,
        only: Option<&std::collections::HashSet<&str>>,
    ) -> Vec<Diagnostic> {
        let today = self.today;
        let todo: Vec<&Client> = site
            .clients
            .iter()
            .filter(|_| self.on_demand.is_none())
            .filter(|c| only.is_none_or(|ids| ids.contains(c.id.as_str())))
            .filter(|c| {
                stale.all_clients
                    || stale.clients.contains(&c.id)
                    || !self.clients.contains_key(&c.id)
            })
            .map(|c| &**c)
            .collect();
        let results: Vec<Result<(String, ClientCache), Vec<Diagnostic>>> = todo
            .par_iter()
            .map(|c| Ok((c.id.clone(), make_client(site, tera, c, today)?)))
            .collect();
        // Clients whose own data did not change but one of whose scripts did.
        let partial: Vec<Result<(String, ClientCache), Vec<Diagnostic>>> = if stale
            .scripts
            .is_empty()
        {
            Vec::new()
        } else {
            let done: std::collections::HashSet<&str> =
                todo.iter().map(|c| c.id.as_str()).collect();
            let rest: Vec<&Client> = site
                .clients
                .iter()
                .filter(|c| !done.contains(c.id.as_str()))
                .filter(|c| only.is_none_or(|ids| ids.contains(c.id.as_str())))
                .map(|c| &**c)
                .collect();
            rest.par_iter()
                .map(|c| {
                    let old = &self.clients[&c.id];
                    let redo = |t: &crate::model::Touchpoint| stale.scripts.contains(&t.id);
                    // The runbook holds each script as last personalised.
                    let previous: Vec<&str> = old
                        .runbook
                        .steps
                        .iter()
                        .map(|s| s.script_html.as_str())
                        .collect();
                    let scripts =
                        personalise_scripts(site, tera, c, &old.script_context, redo, &previous)?;
                    Ok((c.id.clone(), old.with_scripts(scripts)))
                })
                .collect()
        };
        let results = results.into_iter().chain(partial);
        let mut errors: Vec<Diagnostic> = Vec::new();
        for r in results {
            match r {
                Ok((id, cache)) => {
                    self.clients.insert(id, Arc::new(cache));
                }
                Err(e) => once_each(&mut errors, e),
            }
        }
        errors
    }

    /// Renders the chapters named by `changed` again, and the chapter list if what it shows
    /// of them (title, description, headings) changed.
    fn refresh_chapters(
        &mut self,
        site: &Site,
        changed: &std::collections::BTreeSet<String>,
    ) -> Vec<Diagnostic> {
        let ids = chapter_ids(site);
        let mut errors = Vec::new();
        let mut list_changed = false;
        for (i, ch) in site.playbook.iter().enumerate() {
            if !changed.contains(&ch.id) {
                continue;
            }
            let (view, e) = render_chapter(site, &ids, ch);
            errors.extend(e);
            let entry = ChapterEntry::from(&view);
            if self.chapter_entries[i] != entry {
                self.chapter_entries[i] = entry;
                list_changed = true;
            }
            self.chapters[i] = view;
        }
        if list_changed {
            self.chapter_index = tera::Value::from_serializable(&self.chapter_entries);
        }
        errors
    }

    /// The data of client `index`: kept, or made now for a one-off build.
    fn client(
        &self,
        site: &Site,
        tera: &Tera,
        index: usize,
    ) -> Result<Arc<ClientCache>, Diagnostic> {
        let Some(on_demand) = &self.on_demand else {
            return Ok(Arc::clone(&self.clients[&site.clients[index].id]));
        };
        // Held while the client's data is made: another page of the same client waits for
        // it rather than making it twice. Making it uses no rayon, so a rayon thread blocked
        // here never waits on work queued behind it.
        let mut made = on_demand.slots[index]
            .made
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(r) = &*made {
            return r.clone();
        }
        let r = match make_client(site, tera, &site.clients[index], self.today) {
            Ok(cache) => Ok(Arc::new(cache)),
            Err(errors) => {
                let first = errors[0].clone();
                on_demand
                    .failures
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((index, errors));
                Err(first)
            }
        };
        *made = Some(r.clone());
        r
    }

    /// Called once a page of `kind` has what it needs from its client's data: after the
    /// client's last page, a one-off build lets their data go.
    fn done_with(&self, kind: PageKind) {
        let (Some(on_demand), Some(c)) = (&self.on_demand, cached_client(kind)) else {
            return;
        };
        let slot = &on_demand.slots[c];
        let last = slot
            .pending
            .fetch_update(
                std::sync::atomic::Ordering::AcqRel,
                std::sync::atomic::Ordering::Acquire,
                |n| n.checked_sub(1),
            )
            .is_ok_and(|before| before == 1);
        if last {
            // A page rendered again later (to report an error) makes the data again.
            *slot.made.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
    }

    /// For a one-off build, the errors of the clients whose data could not be made, each
    /// said once (in the clients' order), or `None` when there were none.
    pub fn client_failures(&self) -> Option<Vec<Diagnostic>> {
        let on_demand = self.on_demand.as_ref()?;
        let mut failures = on_demand
            .failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if failures.is_empty() {
            return None;
        }
        failures.sort_by_key(|(i, _)| *i);
        let mut errors = Vec::new();
        for (_, e) in failures {
            once_each(&mut errors, e);
        }
        Some(errors)
    }
}

/// What a page kind's arm of [`Renderer::source`] gives: its bytes, or the title of an HTML
/// page whose context it has filled in.
enum Made {
    Bytes(Vec<u8>),
    Titled(String),
}

impl Made {
    fn text(text: String) -> Made {
        Made::Bytes(text.into_bytes())
    }

    fn robots() -> Made {
        Made::Bytes(b"User-agent: *\nDisallow: /\n".to_vec())
    }
}

/// What a page is made from.
enum Source {
    Bytes(Vec<u8>),
    /// The context its template is rendered with.
    Html(Context),
}

fn write_error(page: &Page, e: &dyn std::fmt::Display) -> Diagnostic {
    Diagnostic::error(&page.route, format!("could not write this page: {e}"))
}

/// Renders pages of `site` from its [`RenderCache`]; cheap to make, so one can be made for
/// each rebuild.
pub struct Renderer<'a> {
    pub site: &'a Site,
    /// Portal pages are rendered with the portal's engine only, which holds no internal
    /// template and no script.
    pub templates: &'a crate::templates::Templates,
    pub cache: &'a RenderCache,
}

impl<'a> Renderer<'a> {
    /// Renders `pages[i]` for each `i` of `which`, in parallel, in that order; all errors are
    /// collected.
    pub fn render_some(
        &self,
        pages: &[Page],
        which: &[usize],
    ) -> Result<Vec<Vec<u8>>, Vec<Diagnostic>> {
        let results: Vec<Result<Vec<u8>, Diagnostic>> =
            which.par_iter().map(|i| self.render(&pages[*i])).collect();
        let mut out = Vec::with_capacity(results.len());
        let mut errors = Vec::new();
        for r in results {
            match r {
                Ok(b) => out.push(b),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    pub fn render(&self, page: &Page) -> Result<Vec<u8>, Diagnostic> {
        let publish = crate::private::seal::of_page(self.site, page);
        let plain = self.render_plain(page)?;
        publish.finish(self.site, &page.route, plain)
    }

    /// The page as its readers see it: what a private site seals.
    pub fn render_plain(&self, page: &Page) -> Result<Vec<u8>, Diagnostic> {
        match self.source(page)? {
            Source::Bytes(bytes) => Ok(bytes),
            Source::Html(ctx) => {
                let mut out = Vec::new();
                self.html_to(page, &ctx, &mut out)?;
                Ok(out)
            }
        }
    }

    /// Renders `page` straight into `out`, for pages too large to hold in memory first (the
    /// print playbook of a large firm). An error writing `out` is reported as the page's. A
    /// sealed page is sealed whole, so it is made in memory first.
    pub fn render_to(&self, page: &Page, out: &mut dyn std::io::Write) -> Result<(), Diagnostic> {
        use crate::private::seal::Publish;
        if !matches!(
            crate::private::seal::of_page(self.site, page),
            Publish::Plain { scan: false }
        ) {
            let bytes = self.render(page)?;
            return out.write_all(&bytes).map_err(|e| write_error(page, &e));
        }
        if page.kind == PageKind::Internal(InternalPage::TeamCalendar) {
            return self
                .team_calendar_to(out)
                .map_err(|e| write_error(page, &e));
        }
        match self.source(page)? {
            Source::Bytes(bytes) => out.write_all(&bytes).map_err(|e| write_error(page, &e)),
            Source::Html(ctx) => self.html_to(page, &ctx, out),
        }
    }

    /// What `page` is made from: its bytes, or the context its template is rendered with.
    fn source(&self, page: &Page) -> Result<Source, Diagnostic> {
        let mut ctx = Context::new();
        ctx.insert_value("site", self.cache.info_value.clone());
        let made = match page.kind {
            PageKind::Portal(p) => self.portal_page(p, &mut ctx)?,
            PageKind::Internal(p) => self.internal_page(p, &mut ctx)?,
        };
        // The context holds what it needs of the client's data (template values share it).
        self.cache.done_with(page.kind);
        Ok(match made {
            Made::Bytes(bytes) => Source::Bytes(bytes),
            Made::Titled(title) => {
                ctx.insert("page", &self.page_info(page, title));
                Source::Html(ctx)
            }
        })
    }

    fn client(&self, index: usize) -> Result<Arc<ClientCache>, Diagnostic> {
        self.cache.client(self.site, &self.templates.scripts, index)
    }

    /// A portal page's context, made from the client's portal data only, or its bytes.
    fn portal_page(&self, kind: PortalPage, ctx: &mut Context) -> Result<Made, Diagnostic> {
        use PortalPage::*;
        let site = self.site;
        Ok(match kind {
            Robots => Made::robots(),
            Calendar { client } => Made::text(self.portal_calendar(client)),
            Root => Made::Titled(site.config.firm.name.clone()),
            NotFound => {
                ctx.insert("is_portal", &true);
                Made::Titled("Page not found".into())
            }
            Welcome { client } => {
                let cached = self.client(client)?;
                let values = &cached.portal_values;
                ctx.insert_value("client", values.client.clone());
                ctx.insert_value("team", values.team.clone());
                ctx.insert("next_steps", &cached.portal.next_steps(3));
                Made::Titled(format!("Welcome, {}", cached.portal.client.name))
            }
            Team { client } => {
                let cached = self.client(client)?;
                let values = &cached.portal_values;
                ctx.insert_value("client", values.client.clone());
                ctx.insert_value("team", values.team.clone());
                Made::Titled("Meet your team".into())
            }
            Member { client, member } => {
                let cached = self.client(client)?;
                let id = &site.team[member].id;
                let index = cached
                    .portal
                    .team
                    .iter()
                    .position(|m| &m.profile.id == id)
                    .expect("planned from the client's team");
                ctx.insert_value("client", cached.portal_values.client.clone());
                ctx.insert_value("member", cached.portal_values.members[index].clone());
                Made::Titled(cached.portal.team[index].profile.name.clone())
            }
            Journey { client } => {
                let cached = self.client(client)?;
                let values = &cached.portal_values;
                ctx.insert_value("client", values.client.clone());
                ctx.insert_value("timeline", values.timeline.clone());
                Made::Titled("Your journey with us".into())
            }
            Print { client } => {
                let cached = self.client(client)?;
                let values = &cached.portal_values;
                ctx.insert_value("client", values.client.clone());
                ctx.insert_value("team", values.team.clone());
                ctx.insert_value("timeline", values.timeline.clone());
                Made::Titled(format!("Welcome pack for {}", cached.portal.client.name))
            }
        })
    }

    /// An internal page's context, or its bytes.
    fn internal_page(&self, kind: InternalPage, ctx: &mut Context) -> Result<Made, Diagnostic> {
        use InternalPage::*;
        let site = self.site;
        Ok(match kind {
            Robots => Made::robots(),
            TeamCalendar => Made::text(self.team_calendar()),
            Schedule => Made::text(schedule_csv(self.cache)),
            MemberCalendar { member } => Made::text(self.member_calendar(member)),
            ClientCalendar { client } => Made::text(self.runbook_calendar(client)),
            NotFound => {
                ctx.insert("is_portal", &false);
                Made::Titled("Page not found".into())
            }
            Overview => {
                ctx.insert("overview", &self.cache.overview);
                ctx.insert("calendar", &crate::subscribe::CalendarLinks::team(site));
                Made::Titled("Overview".into())
            }
            Playbook => {
                ctx.insert_value("chapters", self.cache.chapter_index.clone());
                Made::Titled("Playbook".into())
            }
            Chapter { chapter } => {
                let ch = &self.cache.chapters[chapter];
                let entries = &self.cache.chapter_entries;
                ctx.insert("chapter", ch);
                ctx.insert_value("chapters", self.cache.chapter_index.clone());
                ctx.insert("previous", &chapter.checked_sub(1).map(|i| &entries[i]));
                ctx.insert("next", &entries.get(chapter + 1));
                Made::Titled(ch.title.clone())
            }
            PlaybookPrint => {
                ctx.insert_value("chapters", print_chapters(site));
                Made::Titled(format!("{} playbook", site.config.firm.name))
            }
            Team => {
                let members: Vec<_> = site
                    .team
                    .iter()
                    .map(|m| crate::context::MemberView::new(m, ""))
                    .collect();
                ctx.insert("members", &members);
                ctx.insert(
                    "workload",
                    &internal::team_workload(site, &self.cache.schedule),
                );
                Made::Titled("Team".into())
            }
            Member { member } => {
                let m = &site.team[member];
                ctx.insert("member", &crate::context::MemberView::new(m, ""));
                ctx.insert("roles", &m.roles);
                ctx.insert(
                    "calendar",
                    &crate::subscribe::CalendarLinks::member(site, member),
                );
                ctx.insert(
                    "work",
                    &internal::member_work(site, &m.id, &self.cache.schedule),
                );
                Made::Titled(m.name.clone())
            }
            Clients => {
                ctx.insert("overview", &self.cache.overview);
                Made::Titled("Clients".into())
            }
            Runbook { client } | RunbookPrint { client } => {
                let cached = self.client(client)?;
                ctx.insert_value("runbook", cached.runbook_value.clone());
                ctx.insert_value("client", cached.runbook_client_value.clone());
                Made::Titled(format!("{} runbook", cached.runbook.client.name))
            }
        })
    }

    fn html_to(
        &self,
        page: &Page,
        ctx: &Context,
        out: &mut dyn std::io::Write,
    ) -> Result<(), Diagnostic> {
        let template = page.kind.template().expect("HTML pages have a template");
        let tera = self.templates.for_site(page.kind.site());
        let budget = crate::limits::begin();
        let result = tera.render_to(template, ctx, crate::limits::Metered(out));
        if let (Err(e), Some(exceeded)) = (&result, budget.exceeded()) {
            return Err(too_much_work(self.site, e, template, exceeded));
        }
        drop(budget);
        match result {
            Ok(()) => Ok(()),
            Err(e) if matches!(e.kind(), tera::ErrorKind::Io(_)) => Err(write_error(page, &e)),
            Err(e) if self.cache.minify => Err(self
                .unminified_error(page, template, ctx)
                .unwrap_or_else(|| tera_diagnostic(self.site, &e))),
            Err(e) => Err(tera_diagnostic(self.site, &e)),
        }
        .map_err(|mut d| {
            // An error that names no template of its own is about the page's.
            if d.file == std::path::Path::new("templates") {
                d.file = crate::templates::template_file(self.site, template);
            }
            d
        })
    }

    /// The same failure reported from the templates as written: minified ones have other line
    /// and column numbers. Rare enough (a build that fails) to build that instance on demand.
    fn unminified_error(&self, page: &Page, template: &str, ctx: &Context) -> Option<Diagnostic> {
        let templates = crate::templates::build_templates(self.site, false).ok()?;
        let e = templates
            .for_site(page.kind.site())
            .render(template, ctx)
            .err()?;
        Some(tera_diagnostic(self.site, &e))
    }

    fn page_info(&self, page: &Page, title: String) -> PageInfo {
        PageInfo {
            title,
            root: page.kind.root(self.site, &page.route),
            url: page.kind.url(self.site, &page.route),
            section: page.kind.declare().section.name(),
        }
    }

    fn portal_calendar(&self, client: usize) -> String {
        let c = &self.site.clients[client];
        let base = self.site.config.portal_url();
        let journey = PageKind::Portal(PortalPage::Journey { client });
        let journey_url = journey.url(self.site, &journey.route(self.site));
        // Dates and statuses from the log: a moved step keeps its UID with a higher SEQUENCE,
        // and a skipped one is cancelled, so a calendar that imported them updates.
        let history = History::of(self.site, c, self.cache.today);
        // A private client's calendar cannot be sealed (calendar apps fetch it as it is): it
        // holds the firm's name, the steps' titles and dates, and nothing about the client.
        let private = self.site.keys.client(client).is_some();
        // Its events' UIDs hash the client's token then: its id could be guessed and the
        // calendar matched to it.
        let owner = self.site.keys.client(client).map_or(&c.id, |k| &k.token);
        let events: Vec<CalendarEvent> = history
            .each()
            .filter(|(_, _, t)| t.visibility == Visibility::Client)
            .map(|(_, step, t)| {
                let cancelled = step.status(self.cache.today) == Status::Skipped;
                CalendarEvent {
                    uid: portal_event_uid(owner, &step.key(), &base.host),
                    date: step.date,
                    summary: format!("{} ({})", t.title, self.site.config.firm.name),
                    description: match private {
                        true => String::new(),
                        false => t.portal.clone().unwrap_or_default(),
                    },
                    url: (!private).then(|| journey_url.clone()),
                    sequence: step.moves + u32::from(cancelled),
                    cancelled,
                }
            })
            .collect();
        // Clients can subscribe to it (the portal offers the links), so it carries the same
        // refresh hint as the team's calendars.
        ics::subscription(
            &crate::subscribe::client_calendar_name(self.site, c),
            self.cache.today,
            &events,
        )
    }

    fn runbook_calendar(&self, client: usize) -> String {
        let c = &self.site.clients[client];
        let base = self.site.config.internal_url();
        let runbook_url = runbook_url(self.site, &c.id);
        // Every occurrence of a repeat is an event of its own, linked to the repeat's entry.
        let history = History::of(self.site, c, self.cache.today);
        let events: Vec<CalendarEvent> = history
            .each()
            .map(|(_, s, t)| {
                let skipped = s.status(self.cache.today) == Status::Skipped;
                let owner = c
                    .member_for_role(&t.owner.value)
                    .and_then(|id| self.site.member(id));
                CalendarEvent {
                    uid: format!("{}.{}@{}", c.id, s.key(), base.host),
                    date: s.date,
                    summary: format!("{}: {}", c.name, s.title()),
                    description: format!(
                        "Day {} ({}), {} by {}",
                        s.day,
                        t.stage.value,
                        t.channel,
                        owner.map_or("nobody yet: unassigned", |m| m.name.as_str())
                    ),
                    url: Some(format!("{runbook_url}#{}", t.id)),
                    sequence: s.moves + u32::from(skipped),
                    cancelled: skipped,
                }
            })
            .collect();
        ics::calendar(
            &format!("{}: touchpoints", c.name),
            self.cache.today,
            &events,
        )
    }

    /// Every touchpoint `member` owns across all clients, for them to subscribe to once.
    fn member_calendar(&self, member: usize) -> String {
        let m = &self.site.team[member];
        let events: Vec<CalendarEvent> = self
            .cache
            .schedule
            .iter()
            .filter(|item| internal::owned_by(item, &m.id))
            .map(|item| self.team_event(item, false))
            .collect();
        ics::subscription(
            &crate::subscribe::member_calendar_name(self.site, m),
            self.cache.today,
            &events,
        )
    }

    /// Every touchpoint of every client, with its owner.
    /// [`Self::team_calendar`], written into `out` a batch of events at a time.
    fn team_calendar_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let schedule = &self.cache.schedule;
        ics::subscription_to(
            out,
            &crate::subscribe::team_calendar_name(self.site),
            self.cache.today,
            schedule.len(),
            |range| {
                schedule[range]
                    .par_iter()
                    .map(|item| self.team_event(item, true))
                    .collect()
            },
        )
    }

    fn team_calendar(&self) -> String {
        let events: Vec<CalendarEvent> = self
            .cache
            .schedule
            .iter()
            .map(|item| self.team_event(item, true))
            .collect();
        ics::subscription(
            &crate::subscribe::team_calendar_name(self.site),
            self.cache.today,
            &events,
        )
    }

    /// A touchpoint as an event of the team's calendars. Its UID is the one the client's
    /// runbook calendar uses, so an app that has both shows it once.
    fn team_event(&self, item: &internal::DueItem, with_owner: bool) -> CalendarEvent {
        let base = self.site.config.internal_url();
        let owner = item.owner.as_ref().map(|o| o.name.as_str());
        let summary = match (with_owner, owner) {
            (false, _) => format!("{}: {}", item.client_name, item.touchpoint),
            (true, Some(name)) => format!("{}: {} ({name})", item.client_name, item.touchpoint),
            (true, None) => format!("{}: {} (unassigned)", item.client_name, item.touchpoint),
        };
        CalendarEvent {
            uid: format!("{}.{}@{}", item.client_id, item.touchpoint_id, base.host),
            date: item.on,
            summary,
            description: format!(
                "Day {} of {}'s journey ({}), {}. Owner: {} ({}). {}.",
                item.day,
                item.client_name,
                item.stage,
                item.channel,
                owner.unwrap_or("nobody yet, unassigned"),
                item.owner_role.to_lowercase(),
                if item.visibility == "client" {
                    "The client sees it on their timeline"
                } else {
                    "Internal: the client does not see it"
                }
            ),
            url: Some(format!(
                "{}#{}",
                runbook_url(self.site, &item.client_id),
                item.touchpoint_id
            )),
            sequence: item.moves + u32::from(item.state == Status::Skipped),
            cancelled: item.state == Status::Skipped,
        }
    }
}

/// The UID of a touchpoint in a client's own calendar: stable for the same client and
/// touchpoint, so re-importing updates the event, but opaque, so the client does not learn
/// how the firm names and numbers its journey files (`009-upsell-…`). The team's calendars
/// keep readable UIDs.
pub(crate) fn portal_event_uid(client: &str, touchpoint: &str, host: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::new()
        .chain_update(b"hundred portal event\0")
        .chain_update(client.as_bytes())
        .chain_update(b"\0")
        .chain_update(touchpoint.as_bytes())
        .finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}@{host}")
}

/// `schedule.csv`: every touchpoint of every client, by date, for spreadsheets, with its
/// status from the log and its client's signals, so a sheet can be filtered to what is late or
/// to the relationships that need attention.
fn schedule_csv(cache: &RenderCache) -> String {
    let mut out = String::from(crate::csv::BOM);
    out.push_str(&crate::csv::row(&[
        "Date",
        "Weekday",
        "Day",
        "Client",
        "Touchpoint",
        "Owner",
        "Role",
        "Channel",
        "Stage",
        "Visibility",
        "Status",
        "Days late",
        "Times moved",
        "Client health",
        "Why",
        "Last personal contact",
        "Days since personal contact",
        "Last score",
        "Last mood",
        "Open steps",
    ]));
    let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    // Each client's signals as the overview computed them (the same as their runbook's), so
    // the schedule needs no client's whole data.
    let signals: HashMap<&str, &internal::SignalsView> = cache
        .overview
        .clients
        .iter()
        .map(|c| (c.id.as_str(), &c.signals))
        .collect();
    for item in &cache.schedule {
        let s = signals[item.client_id.as_str()];
        out.push_str(&crate::csv::row(&[
            item.date.as_str(),
            &item.weekday,
            &item.day.to_string(),
            &item.client_name,
            &item.touchpoint,
            item.owner
                .as_ref()
                .map(|o| o.name.as_str())
                .unwrap_or("(unassigned)"),
            &item.owner_role,
            &item.channel,
            &item.stage,
            item.visibility,
            item.status,
            &number(item.late_days),
            &item.moves.to_string(),
            s.health.colour,
            &s.health.reasons.join("; "),
            s.last_contact.as_ref().map_or("", |c| c.date.as_str()),
            &number(s.quiet_days),
            &number(s.last_score.map(i64::from)),
            s.last_mood.unwrap_or(""),
            &s.open_steps.to_string(),
        ]));
    }
    out
}

/// Renders the scripts for one client: Tera with the client's data, then markdown. Scripts
/// for which `redo` is false are taken from `previous` (same journey order). The result is
/// HTML, one per touchpoint in journey order. Headings get ids prefixed by the touchpoint and
/// sit two levels down, under the touchpoint's own heading.
fn personalise_scripts(
    site: &Site,
    tera: &Tera,
    client: &Client,
    base: &ClientScriptContext,
    redo: impl Fn(&crate::model::Touchpoint) -> bool,
    previous: &[&str],
) -> Result<Vec<String>, Vec<Diagnostic>> {
    let mut out = Vec::with_capacity(base.len());
    let mut errors = Vec::new();
    for k in 0..base.len() {
        let t = base.touchpoint(k);
        if !redo(t) {
            if let Some(old) = previous.get(k) {
                out.push(old.to_string());
                continue;
            }
        }
        let ctx = base.for_step(site, k);
        let mut md = Vec::new();
        let budget = crate::limits::begin();
        let result = tera.render_to(&t.template_name, &ctx, crate::limits::Metered(&mut md));
        let result = match (result, budget.exceeded()) {
            (Err(e), Some(exceeded)) => Err(too_much_work(site, &e, &t.template_name, exceeded)),
            (Err(e), None) => Err(tera_diagnostic(site, &e)),
            (Ok(()), _) => Ok(String::from_utf8(md).expect("Tera writes UTF-8")),
        };
        drop(budget);
        match result {
            Ok(md) => {
                let prefix = format!("{}--", t.id);
                let opts = MarkdownOptions {
                    id_prefix: &prefix,
                    demote_headings: 2,
                    escaped_values: true,
                    ..Default::default()
                };
                out.push(markdown::render(&md, &opts).html)
            }
            Err(mut d) => {
                d.message = format!(
                    "{} (while personalising it for client `{}`)",
                    d.message, client.id
                );
                errors.push(d);
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A page or script stopped by [`crate::limits`]: the range call that ran over names its own
/// line; a deadline met while writing names the template being rendered.
fn too_much_work(
    site: &Site,
    e: &tera::Error,
    template: &str,
    exceeded: crate::limits::Exceeded,
) -> Diagnostic {
    let d = match e.kind() {
        tera::ErrorKind::RenderingError(_) => tera_diagnostic(site, e),
        _ => Diagnostic::error(
            crate::templates::template_file(site, template),
            exceeded.message(),
        ),
    };
    d.help(crate::limits::Exceeded::help())
}

/// Where a chapter's link to `dest` goes: another chapter's page, or with `print`, that
/// chapter's place in the one-page print version.
fn chapter_link(ids: &std::collections::HashSet<&str>, dest: &str, print: bool) -> Link {
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    };
    let Some(stem) = path.strip_suffix(".md") else {
        return Link::Keep;
    };
    if stem.contains("://") || stem.contains('/') && !stem.starts_with("./") {
        return Link::Keep;
    }
    let stem = stem.trim_start_matches("./");
    if !ids.contains(&stem) {
        return Link::Broken;
    }
    Link::To(match (print, fragment) {
        (false, None) => format!("../{stem}/"),
        (false, Some(f)) => format!("../{stem}/#{f}"),
        (true, None) => format!("#chapter-{stem}"),
        (true, Some(f)) => format!("#{stem}--{f}"),
    })
}

fn chapter_ids(site: &Site) -> std::collections::HashSet<&str> {
    site.playbook.iter().map(|c| c.id.as_str()).collect()
}

/// Chapter pages, rendered in parallel; links to chapters that do not exist are errors.
fn render_playbook(site: &Site) -> Result<Vec<ChapterView>, Vec<Diagnostic>> {
    let ids = chapter_ids(site);
    let rendered: Vec<(ChapterView, Vec<Diagnostic>)> = site
        .playbook
        .par_iter()
        .map(|ch| render_chapter(site, &ids, ch))
        .collect();
    let mut errors = Vec::new();
    let mut pages = Vec::with_capacity(rendered.len());
    for (web, e) in rendered {
        pages.push(web);
        errors.extend(e);
    }
    errors.extend(missing_anchors(site, &pages));
    if errors.is_empty() {
        Ok(pages)
    } else {
        Err(errors)
    }
}

/// One chapter's page, and its links to chapters that do not exist (`ids` is every chapter).
fn render_chapter(
    site: &Site,
    ids: &std::collections::HashSet<&str>,
    ch: &crate::model::Chapter,
) -> (ChapterView, Vec<Diagnostic>) {
    let web_resolve = |d: &str| chapter_link(ids, d, false);
    let web = markdown::render(
        &ch.body,
        &MarkdownOptions {
            resolve_link: Some(&web_resolve),
            ..Default::default()
        },
    );
    let errors = web
        .broken_links
        .iter()
        .map(|link| {
            let at = ch
                .body
                .find(&format!("({link}"))
                .map(|i| i + 1)
                .or_else(|| ch.body.find(link.as_str()))
                .map(|i| body_position(ch, i));
            let mut names: Vec<String> = site
                .playbook
                .iter()
                .take(12)
                .map(|c| format!("{}.md", c.id))
                .collect();
            if site.playbook.len() > names.len() {
                names.push("…".into());
            }
            Diagnostic::error(
                &ch.file,
                format!("the link `{link}` points to a chapter that does not exist"),
            )
            .at(at)
            .help(format!("chapters are: {}", names.join(", ")))
        })
        .collect();
    (view(ch, web), errors)
}

/// The file position of byte `offset` of a chapter's body.
fn body_position(ch: &crate::model::Chapter, offset: usize) -> crate::diagnostics::Position {
    let p = crate::diagnostics::position_of(&ch.body, offset);
    crate::diagnostics::Position::new(p.line + ch.body_line - 1, p.column)
}

/// Links from one chapter to a heading (`02-handoff.md#before-the-call`, or `#principles`
/// within the chapter) that the chapter does not have: each an error at the link.
fn missing_anchors(site: &Site, pages: &[ChapterView]) -> Vec<Diagnostic> {
    let anchors: std::collections::HashMap<&str, Vec<&str>> = pages
        .iter()
        .map(|p| {
            (
                p.id.as_str(),
                p.headings.iter().map(|h| h.id.as_str()).collect(),
            )
        })
        .collect();
    // Each chapter is parsed again for its links: on both cores, a chapter at a time.
    let per_chapter: Vec<Vec<Diagnostic>> = site
        .playbook
        .par_iter()
        .map(|ch| chapter_missing_anchors(ch, &anchors))
        .collect();
    per_chapter.into_iter().flatten().collect()
}

/// [`missing_anchors`] for one chapter.
fn chapter_missing_anchors(
    ch: &crate::model::Chapter,
    anchors: &HashMap<&str, Vec<&str>>,
) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    {
        let (links, footnotes) = markdown::links_and_footnotes(&ch.body);
        for (dest, offset) in links {
            let Some((path, fragment)) = dest.split_once('#') else {
                continue;
            };
            let target = if path.is_empty() {
                ch.id.as_str()
            } else {
                match path.trim_start_matches("./").strip_suffix(".md") {
                    Some(stem) if !stem.contains('/') => stem,
                    _ => continue,
                }
            };
            // A link to a chapter that does not exist is reported on its own.
            let Some(ids) = anchors.get(target) else {
                continue;
            };
            let own_footnote = target == ch.id && footnotes.iter().any(|f| f == fragment);
            if fragment.is_empty() || ids.contains(&fragment) || own_footnote {
                continue;
            }
            let at = offset + dest.find('#').unwrap_or(0);
            let chapter = if path.is_empty() {
                "this chapter".to_string()
            } else {
                format!("`{path}`")
            };
            let help = match crate::diagnostics::suggest(fragment, ids.iter().copied()) {
                Some(s) => format!("did you mean `#{s}`?"),
                None if ids.is_empty() => format!("{chapter} has no headings to link to"),
                None => {
                    let mut shown: Vec<String> =
                        ids.iter().take(10).map(|i| format!("#{i}")).collect();
                    if ids.len() > shown.len() {
                        shown.push("…".into());
                    }
                    format!("its headings are {}", shown.join(", "))
                }
            };
            errors.push(
                Diagnostic::error(
                    &ch.file,
                    format!("the link `{dest}` points to a heading {chapter} does not have"),
                )
                .at(Some(body_position(ch, at)))
                .help(format!(
                    "{help} (a heading's anchor is its text in lowercase, with `-` between words)"
                )),
            );
        }
    }
    errors
}

/// The chapters of the one-page print version (heading ids prefixed by chapter, links
/// pointing within the page), as the template value the print page is rendered from.
///
/// Made only while that page is rendered rather than kept with the chapter pages: for a
/// 10,000-chapter playbook it is tens of megabytes, and each chapter goes straight into the
/// template value instead of being held twice.
fn print_chapters(site: &Site) -> tera::Value {
    let ids = chapter_ids(site);
    let views: Vec<ChapterView> = site
        .playbook
        .par_iter()
        .map(|ch| {
            let prefix = format!("{}--", ch.id);
            let print_resolve = |d: &str| chapter_link(&ids, d, true);
            let print = markdown::render(
                &ch.body,
                &MarkdownOptions {
                    id_prefix: &prefix,
                    resolve_link: Some(&print_resolve),
                    ..Default::default()
                },
            );
            view(ch, print)
        })
        .collect();
    let place: HashMap<&str, usize> = views
        .iter()
        .enumerate()
        .map(|(i, v)| (v.id.as_str(), i))
        .collect();
    let chapters: Vec<tera::Value> = views
        .par_iter()
        .enumerate()
        .map(|(i, v)| {
            let links_to: Vec<LinkTarget> = linked_chapters(&v.html, &place)
                .into_iter()
                .filter(|t| *t != i)
                .map(|t| LinkTarget {
                    id: &views[t].id,
                    title: &views[t].title,
                })
                .collect();
            tera::Value::from_serializable(&PrintChapter { view: v, links_to })
        })
        .collect();
    tera::Value::from(chapters)
}

/// A chapter of the printable playbook, with the other chapters it links to (in the
/// playbook's order), so the template compares each chapter's links with those chapters'
/// titles only, instead of with every chapter's: at 10,000 chapters that was 100 million
/// searches of chapter bodies, minutes of one thread.
#[derive(serde::Serialize)]
struct PrintChapter<'a> {
    #[serde(flatten)]
    view: &'a ChapterView,
    links_to: Vec<LinkTarget<'a>>,
}

#[derive(serde::Serialize)]
struct LinkTarget<'a> {
    id: &'a str,
    title: &'a str,
}

/// The places (in `place`) of the chapters whose print anchor `html` links to: every
/// `href="#chapter-ID"` of the lowercased text whose ID is a chapter's, sorted, once each.
/// The template lowercases a chapter's text before searching it, so only an ID found in
/// lowercased text can ever match.
fn linked_chapters(html: &str, place: &HashMap<&str, usize>) -> Vec<usize> {
    const LINK: &str = "href=\"#chapter-";
    // Lowercasing maps no other character onto these ASCII letters, so text without them in
    // any case has no such link, and most chapters are not lowercased at all.
    let maybe = html
        .as_bytes()
        .windows(LINK.len())
        .any(|w| w.eq_ignore_ascii_case(LINK.as_bytes()));
    if !maybe {
        return Vec::new();
    }
    let lower = html.to_lowercase();
    let mut found: Vec<usize> = lower
        .match_indices(LINK)
        .filter_map(|(at, _)| {
            let rest = &lower[at + LINK.len()..];
            let id = &rest[..rest.find('"')?];
            place.get(id).copied()
        })
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

fn view(ch: &crate::model::Chapter, r: markdown::Rendered) -> ChapterView {
    ChapterView {
        id: ch.id.clone(),
        title: ch.title.clone(),
        description: ch.description.clone(),
        tags: ch.tags.clone(),
        date: ch.date.clone(),
        html: r.html,
        headings: r.headings,
    }
}
