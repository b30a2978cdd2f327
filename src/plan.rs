//! **plan**: every file the build will write, as a route (path inside the output folder), what
//! makes it, and the source files it depends on. Watch mode uses the dependency lists to
//! re-render only what an edit touches.

use std::sync::Arc;

mod routes;
pub use routes::reserved_ids;

use crate::diagnostics::Diagnostic;
use crate::model::Site;
use crate::theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SiteKind {
    Portal,
    Internal,
}

/// What a page is made from. Indexes point into the [`Site`]'s sorted lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PageKind {
    PortalRoot,
    PortalRobots,
    PortalNotFound,
    PortalWelcome {
        client: usize,
    },
    PortalTeam {
        client: usize,
    },
    PortalMember {
        client: usize,
        member: usize,
    },
    PortalJourney {
        client: usize,
    },
    PortalCalendar {
        client: usize,
    },
    /// The client's printable welcome pack.
    PortalPrint {
        client: usize,
    },
    InternalOverview,
    InternalNotFound,
    InternalRobots,
    InternalPlaybook,
    InternalChapter {
        chapter: usize,
    },
    InternalPlaybookPrint,
    InternalTeam,
    InternalMember {
        member: usize,
    },
    InternalClients,
    InternalRunbook {
        client: usize,
    },
    InternalRunbookPrint {
        client: usize,
    },
    InternalClientCalendar {
        client: usize,
    },
    /// Every touchpoint a member owns, across all clients, as a calendar to subscribe to.
    InternalMemberCalendar {
        member: usize,
    },
    /// Every touchpoint of every client as one calendar.
    InternalTeamCalendar,
    /// Every touchpoint of every client as CSV, for spreadsheets.
    InternalSchedule,
}

impl PageKind {
    pub fn site(self) -> SiteKind {
        use PageKind::*;
        match self {
            PortalRoot
            | PortalRobots
            | PortalNotFound
            | PortalWelcome { .. }
            | PortalTeam { .. }
            | PortalMember { .. }
            | PortalJourney { .. }
            | PortalCalendar { .. }
            | PortalPrint { .. } => SiteKind::Portal,
            _ => SiteKind::Internal,
        }
    }

    /// Pages for paper rather than for the screen: a preview shows them last.
    pub fn is_print(self) -> bool {
        matches!(
            self,
            PageKind::PortalPrint { .. }
                | PageKind::InternalPlaybookPrint
                | PageKind::InternalRunbookPrint { .. }
        )
    }

    /// The theme template that renders it; `None` for files made in code (calendars, robots).
    pub fn template(self) -> Option<&'static str> {
        use PageKind::*;
        Some(match self {
            PortalRoot => "portal/index.html",
            PortalNotFound | InternalNotFound => "404.html",
            PortalWelcome { .. } => "portal/welcome.html",
            PortalTeam { .. } => "portal/team.html",
            PortalMember { .. } => "portal/member.html",
            PortalJourney { .. } => "portal/journey.html",
            PortalPrint { .. } => "portal/print.html",
            InternalOverview => "internal/overview.html",
            InternalPlaybook => "internal/playbook.html",
            InternalChapter { .. } => "internal/chapter.html",
            InternalPlaybookPrint => "internal/playbook_print.html",
            InternalTeam => "internal/team.html",
            InternalMember { .. } => "internal/member.html",
            InternalClients => "internal/clients.html",
            InternalRunbook { .. } => "internal/runbook.html",
            InternalRunbookPrint { .. } => "internal/runbook_print.html",
            PortalRobots
            | InternalRobots
            | PortalCalendar { .. }
            | InternalClientCalendar { .. }
            | InternalMemberCalendar { .. }
            | InternalTeamCalendar
            | InternalSchedule => return None,
        })
    }
}

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

/// Where a client's portal folder lives inside the output.
pub fn client_folder(client_id: &str) -> String {
    format!("portal/{client_id}/")
}

pub fn plan_site(site: &Site) -> Result<Plan, Vec<Diagnostic>> {
    let mut plan = Plan::default();
    let config: Dep = Arc::from("hundred.toml");
    let journey: Vec<Dep> = site.journey.iter().map(|t| slash(&t.file)).collect();
    // A script's body, apart from its front matter: what only runbooks show.
    let scripts: Vec<Dep> = journey.iter().map(|j| Dep::from(script_dep(j))).collect();
    let chapters: Vec<Dep> = site.playbook.iter().map(|c| slash(&c.file)).collect();
    let team: Vec<Dep> = site.team.iter().map(|m| slash(&m.file)).collect();
    let clients: Vec<Dep> = site.clients.iter().map(|c| slash(&c.file)).collect();

    let mut chains: std::collections::HashMap<&'static str, Vec<Dep>> = Default::default();
    let mut page = |route: String, kind: PageKind, mut deps: Vec<Dep>| {
        deps.push(config.clone());
        if let Some(t) = kind.template() {
            let chain = chains.entry(t).or_insert_with(|| {
                theme::template_chain(t)
                    .into_iter()
                    .map(|n| Dep::from(format!("templates/{n}")))
                    .collect()
            });
            deps.extend(chain.iter().cloned());
        }
        deps.sort();
        deps.dedup();
        plan.pages.push(Page { route, kind, deps });
    };

    // The portal: one self-contained folder per client, and a root that lists nobody.
    page("portal/index.html".into(), PageKind::PortalRoot, vec![]);
    page("portal/404.html".into(), PageKind::PortalNotFound, vec![]);
    page("portal/robots.txt".into(), PageKind::PortalRobots, vec![]);
    for (ci, client) in site.clients.iter().enumerate() {
        let dir = client_folder(&client.id);
        let mut deps = vec![clients[ci].clone()];
        deps.extend(assigned_member_files(site, ci, &team));
        deps.extend(journey.iter().cloned());
        page(
            format!("{dir}index.html"),
            PageKind::PortalWelcome { client: ci },
            deps.clone(),
        );
        page(
            format!("{dir}team/index.html"),
            PageKind::PortalTeam { client: ci },
            deps.clone(),
        );
        page(
            format!("{dir}journey/index.html"),
            PageKind::PortalJourney { client: ci },
            deps.clone(),
        );
        page(
            format!("{dir}journey.ics"),
            PageKind::PortalCalendar { client: ci },
            deps.clone(),
        );
        page(
            format!("{dir}print/index.html"),
            PageKind::PortalPrint { client: ci },
            deps.clone(),
        );
        let mut assigned: Vec<usize> = client
            .team
            .values()
            .filter_map(|m| {
                site.team
                    .binary_search_by(|t| t.id.as_str().cmp(&m.value))
                    .ok()
            })
            .collect();
        assigned.sort();
        assigned.dedup();
        for mi in assigned {
            page(
                format!("{dir}team/{}/index.html", site.team[mi].id),
                PageKind::PortalMember {
                    client: ci,
                    member: mi,
                },
                deps.clone(),
            );
        }
    }

    // The internal site.
    let everything: Vec<Dep> = clients
        .iter()
        .chain(&team)
        .chain(&journey)
        .cloned()
        .collect();
    page(
        "internal/index.html".into(),
        PageKind::InternalOverview,
        everything.clone(),
    );
    page(
        "internal/calendar.ics".into(),
        PageKind::InternalTeamCalendar,
        everything.clone(),
    );
    page(
        "internal/schedule.csv".into(),
        PageKind::InternalSchedule,
        everything.clone(),
    );
    page(
        "internal/404.html".into(),
        PageKind::InternalNotFound,
        vec![],
    );
    page(
        "internal/robots.txt".into(),
        PageKind::InternalRobots,
        vec![],
    );
    page(
        "internal/playbook/index.html".into(),
        PageKind::InternalPlaybook,
        chapters.clone(),
    );
    for (i, ch) in site.playbook.iter().enumerate() {
        // A chapter shows its neighbours' titles, and in a short playbook every chapter's
        // title; in a long one, the number of chapters (the `playbook/` key: the set of files).
        let deps = if chapters.len() <= CHAPTER_LIST_LIMIT {
            chapters.clone()
        } else {
            let near = i.saturating_sub(1)..(i + 2).min(chapters.len());
            let mut d = chapters[near].to_vec();
            d.push(Dep::from(PLAYBOOK_SET));
            d
        };
        page(
            format!("internal/playbook/{}/index.html", ch.id),
            PageKind::InternalChapter { chapter: i },
            deps,
        );
    }
    page(
        "internal/playbook/print/index.html".into(),
        PageKind::InternalPlaybookPrint,
        chapters.clone(),
    );
    page(
        "internal/team/index.html".into(),
        PageKind::InternalTeam,
        everything.clone(),
    );
    for (mi, m) in site.team.iter().enumerate() {
        // A profile lists the clients that have this member and their touchpoints.
        let mut deps = vec![team[mi].clone()];
        deps.extend(journey.iter().cloned());
        deps.extend(
            site.clients
                .iter()
                .zip(&clients)
                .filter(|(c, _)| c.team.values().any(|id| id.value == m.id))
                .map(|(_, f)| f.clone()),
        );
        page(
            format!("internal/team/{}/index.html", m.id),
            PageKind::InternalMember { member: mi },
            deps.clone(),
        );
        // The same touchpoints as a calendar: the member's own file (name), the journey, and
        // the clients that assign them.
        page(
            format!("internal/team/{}/calendar.ics", m.id),
            PageKind::InternalMemberCalendar { member: mi },
            deps,
        );
    }
    page(
        "internal/clients/index.html".into(),
        PageKind::InternalClients,
        everything.clone(),
    );
    for (ci, c) in site.clients.iter().enumerate() {
        // A runbook shows the members assigned to the client, never the rest of the team.
        let mut deps = vec![clients[ci].clone()];
        deps.extend(assigned_member_files(site, ci, &team));
        deps.extend(journey.iter().cloned());
        let dir = format!("internal/clients/{}/", c.id);
        page(
            format!("{dir}touchpoints.ics"),
            PageKind::InternalClientCalendar { client: ci },
            deps.clone(),
        );
        // Only runbooks show the scripts themselves.
        deps.extend(scripts.iter().cloned());
        page(
            format!("{dir}index.html"),
            PageKind::InternalRunbook { client: ci },
            deps.clone(),
        );
        page(
            format!("{dir}print/index.html"),
            PageKind::InternalRunbookPrint { client: ci },
            deps,
        );
    }

    // Assets: the theme's files in each site and in each client folder; static/ as-is in both
    // sites; and into each client folder, just the photos and logo its pages show.
    for asset in theme::assets() {
        plan.copies.push(Copy {
            route: format!("portal/assets/{asset}"),
            source: AssetSource::Theme(asset),
            client: None,
        });
        plan.copies.push(Copy {
            route: format!("internal/assets/{asset}"),
            source: AssetSource::Theme(asset),
            client: None,
        });
        for (ci, c) in site.clients.iter().enumerate() {
            plan.copies.push(Copy {
                route: format!("{}assets/{asset}", client_folder(&c.id)),
                source: AssetSource::Theme(asset),
                client: Some(ci),
            });
        }
    }
    for file in &site.statics {
        for prefix in ["portal/", "internal/"] {
            plan.copies.push(Copy {
                route: format!("{prefix}{file}"),
                source: AssetSource::Static(file.clone()),
                client: None,
            });
        }
    }
    for (ci, c) in site.clients.iter().enumerate() {
        for photo in crate::context::portal::PortalData::photos(site, c) {
            plan.copies.push(Copy {
                route: format!("{}assets/{photo}", client_folder(&c.id)),
                source: AssetSource::Static(photo),
                client: Some(ci),
            });
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

/// The dependency key for the body of the journey script at `file` (`journey/x.md#script`);
/// `journey/x.md` itself stands for its front matter.
pub fn script_dep(file: &str) -> String {
    format!("{file}#script")
}

/// The file name of the PDF `hundred pdf` makes from a print page, written beside it; `None`
/// for pages that are not print pages.
pub fn document_name(site: &Site, kind: PageKind) -> Option<String> {
    match kind {
        PageKind::InternalPlaybookPrint => Some("playbook.pdf".into()),
        PageKind::InternalRunbookPrint { client } => {
            Some(format!("{}-runbook.pdf", site.clients[client].id))
        }
        PageKind::PortalPrint { client } => {
            Some(format!("{}-welcome-pack.pdf", site.clients[client].id))
        }
        _ => None,
    }
}

/// The files of the members `client` assigns; `team` is every member's file, in team order.
fn assigned_member_files(site: &Site, client: usize, team: &[Dep]) -> Vec<Dep> {
    site.clients[client]
        .team
        .values()
        .filter_map(|m| {
            site.team
                .binary_search_by(|t| t.id.as_str().cmp(&m.value))
                .ok()
        })
        .map(|i| team[i].clone())
        .collect()
}

fn slash(p: &std::path::Path) -> Dep {
    Dep::from(crate::load::slash_path(p))
}
