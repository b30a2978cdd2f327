//! Every kind of page hundred writes, declared once, and every route and URL it makes.
//!
//! A page kind is a variant of [`PortalPage`] or [`InternalPage`], so which site it belongs to
//! is its type. Its arm in `declare` says where it goes, what makes it, what it shows (and so
//! what it depends on), which navigation tab it lights up and which PDF `hundred pdf` makes of
//! it; its arm in `instances` says how many pages of it a site has. The context its template is
//! rendered with is built in `render.rs`, in a match on the same type. None of these matches has
//! a wildcard, so a kind missing any part does not compile. ARCHITECTURE.md walks through
//! adding one.

use crate::config::BaseUrl;
use crate::model::Site;

/// The two sites a build makes. Each has its own output folder and base URL, and portal pages
/// are rendered by an engine that holds no internal template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SiteKind {
    Portal,
    Internal,
}

/// A page. Indexes point into the [`Site`]'s sorted lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PageKind {
    Portal(PortalPage),
    Internal(InternalPage),
}

/// Declares an enum of page kinds whose fields are all indexes, with `EACH`: one value of every
/// variant (indexes 0) in declaration order, so a new variant cannot be missing from it.
macro_rules! page_kinds {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident $({ $($field:ident),* })? ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant $({ $($field: usize),* })? ),*
        }

        impl $name {
            /// One of each kind, in the order a build lists them: what is true of a kind
            /// whatever its indexes (its template), and where [`PageKind::every`] starts.
            pub const EACH: &'static [$name] = &[ $( $name::$variant $({ $($field: 0),* })? ),* ];
        }
    };
}

page_kinds! {
    /// The pages of the client portal: what clients see.
    pub enum PortalPage {
        /// The portal's root, which lists nobody.
        Root,
        NotFound,
        Robots,
        Welcome { client },
        Team { client },
        Member { client, member },
        Journey { client },
        /// The client's touchpoints as a calendar to import.
        Calendar { client },
        /// The client's printable welcome pack.
        Print { client },
    }
}

page_kinds! {
    /// The pages of the internal site: what the firm sees.
    pub enum InternalPage {
        Overview,
        /// Every touchpoint of every client as one calendar.
        TeamCalendar,
        /// Every touchpoint of every client as CSV, for spreadsheets.
        Schedule,
        NotFound,
        Robots,
        Playbook,
        Chapter { chapter },
        PlaybookPrint,
        Team,
        Member { member },
        /// Every touchpoint a member owns, across all clients, as a calendar to subscribe to.
        MemberCalendar { member },
        Clients,
        ClientCalendar { client },
        Runbook { client },
        RunbookPrint { client },
    }
}

/// Everything about a page kind but the context its template is rendered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declared {
    /// The folder the page is written in; the route is this folder's path and `file`.
    pub folder: Folder,
    /// Its path inside `folder`.
    pub file: &'static str,
    pub made: Made,
    /// What it shows, and so which edits make it stale (see [`Needs`]).
    pub needs: Needs,
    /// The navigation tab it belongs to.
    pub section: Section,
    /// For pages for paper: the name of the PDF `hundred pdf` writes beside it, without
    /// `.pdf`; a client's PDFs are prefixed with the client's id.
    pub pdf: Option<&'static str>,
}

/// What makes a page's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Made {
    /// A theme template (which a site may override), rendered with the page's context.
    Template(&'static str),
    /// Code: calendars, CSV, robots.txt.
    Code,
}

/// The folders pages are written in. Each one that belongs to a client, member or chapter
/// holds only that one's files (see `routes.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    /// `portal/`: pages that belong to no client.
    Portal,
    /// `portal/<client>/`: a client's portal, deployable on its own.
    Client(usize),
    /// `portal/<client>/team/<member>/`.
    ClientMember { client: usize, member: usize },
    /// `internal/`.
    Internal,
    /// `internal/clients/<client>/`: the runbook and what goes with it.
    Runbook(usize),
    /// `internal/team/<member>/`.
    Member(usize),
    /// `internal/playbook/<chapter>/`.
    Chapter(usize),
    /// `internal/playbook/print/`, which also receives `playbook.pdf`.
    PlaybookPrint,
}

/// What a page shows, as the source files whose edits make it stale. Every page also depends
/// on `hundred.toml` and on its template and what that extends or includes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Only the settings: the portal root, 404 pages, robots.txt.
    Settings,
    /// The client's file, the members it assigns, and the journey's front matter.
    Client(usize),
    /// All of [`Needs::Client`] and the body of every journey script.
    ClientScripts(usize),
    /// The member's file, the journey, and the clients that assign the member.
    Member(usize),
    /// Every client, member and touchpoint.
    Everything,
    /// Every playbook chapter.
    Playbook,
    /// The chapter, its neighbours and the chapter list (every chapter in a short playbook).
    Chapter(usize),
}

/// The navigation tabs; a page lights up at most one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Welcome,
    Team,
    Journey,
    Overview,
    Playbook,
    Clients,
    None,
}

impl Section {
    /// The name templates compare `page.section` with.
    pub fn name(self) -> &'static str {
        match self {
            Section::Welcome => "welcome",
            Section::Team => "team",
            Section::Journey => "journey",
            Section::Overview => "overview",
            Section::Playbook => "playbook",
            Section::Clients => "clients",
            Section::None => "",
        }
    }
}

impl PortalPage {
    pub fn declare(self) -> Declared {
        use Made::{Code, Template};
        use PortalPage::*;
        let page = |folder, file, made, needs, section| Declared {
            folder,
            file,
            made,
            needs,
            section,
            pdf: None,
        };
        match self {
            Root => page(
                Folder::Portal,
                "index.html",
                Template("portal/index.html"),
                Needs::Settings,
                Section::Welcome,
            ),
            NotFound => page(
                Folder::Portal,
                "404.html",
                Template("404.html"),
                Needs::Settings,
                Section::None,
            ),
            Robots => page(
                Folder::Portal,
                "robots.txt",
                Code,
                Needs::Settings,
                Section::None,
            ),
            Welcome { client } => page(
                Folder::Client(client),
                "index.html",
                Template("portal/welcome.html"),
                Needs::Client(client),
                Section::Welcome,
            ),
            Team { client } => page(
                Folder::Client(client),
                "team/index.html",
                Template("portal/team.html"),
                Needs::Client(client),
                Section::Team,
            ),
            Member { client, member } => page(
                Folder::ClientMember { client, member },
                "index.html",
                Template("portal/member.html"),
                Needs::Client(client),
                Section::Team,
            ),
            Journey { client } => page(
                Folder::Client(client),
                "journey/index.html",
                Template("portal/journey.html"),
                Needs::Client(client),
                Section::Journey,
            ),
            Calendar { client } => page(
                Folder::Client(client),
                "journey.ics",
                Code,
                Needs::Client(client),
                Section::None,
            ),
            Print { client } => Declared {
                pdf: Some("welcome-pack"),
                ..page(
                    Folder::Client(client),
                    "print/index.html",
                    Template("portal/print.html"),
                    Needs::Client(client),
                    Section::Welcome,
                )
            },
        }
    }

    /// Every page of this kind in `site`, whatever the indexes of `self`.
    pub fn instances(self, site: &Site) -> Vec<PortalPage> {
        use PortalPage::*;
        let clients = 0..site.clients.len();
        match self {
            Root | NotFound | Robots => vec![self],
            Welcome { .. } => clients.map(|client| Welcome { client }).collect(),
            Team { .. } => clients.map(|client| Team { client }).collect(),
            Journey { .. } => clients.map(|client| Journey { client }).collect(),
            Calendar { .. } => clients.map(|client| Calendar { client }).collect(),
            Print { .. } => clients.map(|client| Print { client }).collect(),
            Member { .. } => clients
                .flat_map(|client| {
                    assigned_members(site, client).map(move |member| Member { client, member })
                })
                .collect(),
        }
    }

    /// The client whose portal the page is part of.
    pub fn client(self) -> Option<usize> {
        use PortalPage::*;
        match self {
            Root | NotFound | Robots => None,
            Welcome { client }
            | Team { client }
            | Member { client, .. }
            | Journey { client }
            | Calendar { client }
            | Print { client } => Some(client),
        }
    }
}

impl InternalPage {
    pub fn declare(self) -> Declared {
        use InternalPage::*;
        use Made::{Code, Template};
        let page = |folder, file, made, needs, section| Declared {
            folder,
            file,
            made,
            needs,
            section,
            pdf: None,
        };
        match self {
            Overview => page(
                Folder::Internal,
                "index.html",
                Template("internal/overview.html"),
                Needs::Everything,
                Section::Overview,
            ),
            TeamCalendar => page(
                Folder::Internal,
                "calendar.ics",
                Code,
                Needs::Everything,
                Section::None,
            ),
            Schedule => page(
                Folder::Internal,
                "schedule.csv",
                Code,
                Needs::Everything,
                Section::None,
            ),
            NotFound => page(
                Folder::Internal,
                "404.html",
                Template("404.html"),
                Needs::Settings,
                Section::None,
            ),
            Robots => page(
                Folder::Internal,
                "robots.txt",
                Code,
                Needs::Settings,
                Section::None,
            ),
            Playbook => page(
                Folder::Internal,
                "playbook/index.html",
                Template("internal/playbook.html"),
                Needs::Playbook,
                Section::Playbook,
            ),
            Chapter { chapter } => page(
                Folder::Chapter(chapter),
                "index.html",
                Template("internal/chapter.html"),
                Needs::Chapter(chapter),
                Section::Playbook,
            ),
            PlaybookPrint => Declared {
                pdf: Some("playbook"),
                ..page(
                    Folder::PlaybookPrint,
                    "index.html",
                    Template("internal/playbook_print.html"),
                    Needs::Playbook,
                    Section::Playbook,
                )
            },
            Team => page(
                Folder::Internal,
                "team/index.html",
                Template("internal/team.html"),
                Needs::Everything,
                Section::Team,
            ),
            Member { member } => page(
                Folder::Member(member),
                "index.html",
                Template("internal/member.html"),
                Needs::Member(member),
                Section::Team,
            ),
            MemberCalendar { member } => page(
                Folder::Member(member),
                "calendar.ics",
                Code,
                Needs::Member(member),
                Section::None,
            ),
            Clients => page(
                Folder::Internal,
                "clients/index.html",
                Template("internal/clients.html"),
                Needs::Everything,
                Section::Clients,
            ),
            ClientCalendar { client } => page(
                Folder::Runbook(client),
                "touchpoints.ics",
                Code,
                Needs::Client(client),
                Section::None,
            ),
            Runbook { client } => page(
                Folder::Runbook(client),
                "index.html",
                Template("internal/runbook.html"),
                Needs::ClientScripts(client),
                Section::Clients,
            ),
            RunbookPrint { client } => Declared {
                pdf: Some("runbook"),
                ..page(
                    Folder::Runbook(client),
                    "print/index.html",
                    Template("internal/runbook_print.html"),
                    Needs::ClientScripts(client),
                    Section::Clients,
                )
            },
        }
    }

    /// Every page of this kind in `site`, whatever the indexes of `self`.
    pub fn instances(self, site: &Site) -> Vec<InternalPage> {
        use InternalPage::*;
        let (clients, members) = (0..site.clients.len(), 0..site.team.len());
        match self {
            Overview | TeamCalendar | Schedule | NotFound | Robots | Playbook | PlaybookPrint
            | Team | Clients => vec![self],
            Chapter { .. } => (0..site.playbook.len())
                .map(|chapter| Chapter { chapter })
                .collect(),
            Member { .. } => members.map(|member| Member { member }).collect(),
            MemberCalendar { .. } => members.map(|member| MemberCalendar { member }).collect(),
            ClientCalendar { .. } => clients.map(|client| ClientCalendar { client }).collect(),
            Runbook { .. } => clients.map(|client| Runbook { client }).collect(),
            RunbookPrint { .. } => clients.map(|client| RunbookPrint { client }).collect(),
        }
    }

    /// The client the page is about.
    pub fn client(self) -> Option<usize> {
        use InternalPage::*;
        match self {
            ClientCalendar { client } | Runbook { client } | RunbookPrint { client } => {
                Some(client)
            }
            Overview
            | TeamCalendar
            | Schedule
            | NotFound
            | Robots
            | Playbook
            | Chapter { .. }
            | PlaybookPrint
            | Team
            | Member { .. }
            | MemberCalendar { .. }
            | Clients => None,
        }
    }
}

impl PageKind {
    /// The client whose portal or runbook the page is part of.
    pub fn client(self) -> Option<usize> {
        match self {
            PageKind::Portal(k) => k.client(),
            PageKind::Internal(k) => k.client(),
        }
    }

    /// Every page of `site`, grouped by the owner of their folder (each client's portal, each
    /// runbook…), within a group in the order of [`PortalPage::EACH`] and [`InternalPage::EACH`].
    pub fn every(site: &Site) -> impl Iterator<Item = PageKind> + '_ {
        let portal = PortalPage::EACH
            .iter()
            .flat_map(|k| k.instances(site))
            .map(PageKind::Portal);
        let internal = InternalPage::EACH
            .iter()
            .flat_map(|k| k.instances(site))
            .map(PageKind::Internal);
        let mut all: Vec<PageKind> = portal.chain(internal).collect();
        // Pages about one client, member or chapter next to each other: they are rendered from
        // the same cached data, which then stays in the processor's cache.
        all.sort_by_key(|k| k.group());
        all.into_iter()
    }

    /// Where a page sits in a build's list: with the other pages of its folder's owner.
    fn group(self) -> (u8, usize) {
        match self.declare().folder {
            Folder::Portal => (0, 0),
            Folder::Client(c) | Folder::ClientMember { client: c, .. } => (1, c),
            Folder::Internal => (2, 0),
            Folder::Chapter(i) => (3, i),
            Folder::PlaybookPrint => (3, usize::MAX),
            Folder::Member(m) => (4, m),
            Folder::Runbook(c) => (5, c),
        }
    }

    pub fn declare(self) -> Declared {
        match self {
            PageKind::Portal(p) => p.declare(),
            PageKind::Internal(p) => p.declare(),
        }
    }

    pub fn site(self) -> SiteKind {
        match self {
            PageKind::Portal(_) => SiteKind::Portal,
            PageKind::Internal(_) => SiteKind::Internal,
        }
    }

    /// The theme template that renders it; `None` for files made in code.
    pub fn template(self) -> Option<&'static str> {
        match self.declare().made {
            Made::Template(name) => Some(name),
            Made::Code => None,
        }
    }

    /// Pages for paper rather than for the screen: a preview shows them last.
    pub fn is_print(self) -> bool {
        self.declare().pdf.is_some()
    }

    /// Where it is written, inside the output folder. A calendar of a private site sits in
    /// a folder of its own with an unguessable name: calendar apps fetch it as it is, so its
    /// address is what keeps it private, and only sealed pages show that address.
    pub fn route(self, site: &Site) -> String {
        let d = self.declare();
        let folder = d.folder.path(site);
        match self.feed_cipher(site) {
            Some(cipher) => {
                let token = cipher.feed_token(&format!("{folder}{}", d.file));
                format!("{folder}{token}/{}", d.file)
            }
            None => format!("{folder}{}", d.file),
        }
    }

    /// For a calendar feed of a private site, the cipher its hidden folder is named with.
    fn feed_cipher(self, site: &Site) -> Option<&crate::portal_crypto::Cipher> {
        use InternalPage::{ClientCalendar, MemberCalendar, TeamCalendar};
        match self {
            PageKind::Portal(PortalPage::Calendar { client }) => {
                site.keys.client(client).map(|k| &k.cipher)
            }
            PageKind::Internal(TeamCalendar | MemberCalendar { .. } | ClientCalendar { .. }) => {
                site.keys.team.as_ref().map(|t| &t.cipher)
            }
            PageKind::Portal(_) | PageKind::Internal(_) => None,
        }
    }

    /// The address it is served at.
    pub fn url(self, site: &Site, route: &str) -> String {
        format!(
            "{}{}",
            base_url(site, self.site()).full,
            dir_url(self, route)
        )
    }

    /// The file name of the PDF `hundred pdf` makes of it, written beside it; `None` for
    /// pages not for paper.
    pub fn document_name(self, site: &Site) -> Option<String> {
        let name = self.declare().pdf?;
        let client = match self {
            PageKind::Portal(p) => p.client(),
            PageKind::Internal(p) => p.client(),
        };
        // A private site's files name no client: a folder could be probed for a guess.
        let private = match self {
            PageKind::Portal(_) => client.is_some_and(|c| site.keys.client(c).is_some()),
            PageKind::Internal(_) => site.keys.team.is_some(),
        };
        Some(match client {
            Some(c) if !private => format!("{}-{name}.pdf", site.clients[c].id),
            Some(_) | None => format!("{name}.pdf"),
        })
    }

    /// The relative path from the page to the root its links start from: the site's, or for
    /// a page inside a client's folder, that folder's, which is deployable on its own. The
    /// 404 pages can be served at any depth, so theirs is absolute.
    pub fn root(self, site: &Site, route: &str) -> String {
        if matches!(
            self,
            PageKind::Portal(PortalPage::NotFound) | PageKind::Internal(InternalPage::NotFound)
        ) {
            return base_url(site, self.site()).path;
        }
        let depth = dir_url(self, route).matches('/').count();
        let in_client = match self {
            PageKind::Portal(p) => p.client().is_some(),
            PageKind::Internal(_) => false,
        };
        match depth - usize::from(in_client) {
            0 => "./".to_string(),
            n => "../".repeat(n),
        }
    }
}

impl Folder {
    /// Its route, ending with `/`.
    pub fn path(self, site: &Site) -> String {
        match self {
            Folder::Portal => PORTAL.to_string(),
            Folder::Client(c) => client_folder_of(site, c),
            Folder::ClientMember { client, member } => format!(
                "{}team/{}/",
                client_folder_of(site, client),
                site.team[member].id
            ),
            Folder::Internal => INTERNAL.to_string(),
            Folder::Runbook(c) => runbook_folder(site, &site.clients[c].id),
            Folder::Member(m) => format!("{MEMBERS}{}/", site.team[m].id),
            Folder::Chapter(c) => format!("{CHAPTERS}{}/", site.playbook[c].id),
            Folder::PlaybookPrint => PLAYBOOK_PRINT.to_string(),
        }
    }
}

/// The members `client` assigns, each once, in team order.
pub(super) fn assigned_members(site: &Site, client: usize) -> impl Iterator<Item = usize> {
    let mut members: Vec<usize> = site.clients[client]
        .team
        .values()
        .filter_map(|m| {
            site.team
                .binary_search_by(|t| t.id.as_str().cmp(&m.value))
                .ok()
        })
        .collect();
    members.sort();
    members.dedup();
    members.into_iter()
}

/// The output folders of the two sites.
pub const PORTAL: &str = "portal/";
pub const INTERNAL: &str = "internal/";
/// The folders holding one folder per client, member or chapter, named by its id.
pub const RUNBOOKS: &str = "internal/clients/";
pub const MEMBERS: &str = "internal/team/";
pub const CHAPTERS: &str = "internal/playbook/";
pub const PLAYBOOK_PRINT: &str = "internal/playbook/print/";

/// Where a client's portal folder lives inside the output.
pub fn client_folder(client_id: &str) -> String {
    format!("{PORTAL}{client_id}/")
}

/// The portal folder of the client at `client`: named by its id, or by its token when the
/// portal is private.
pub fn client_folder_of(site: &Site, client: usize) -> String {
    match site.keys.client(client) {
        Some(keys) => client_folder(&keys.token),
        None => client_folder(&site.clients[client].id),
    }
}

/// Where a client's runbook and its calendar live inside the output: a folder named by the
/// client's id, or on a private internal site by a name derived from it with the team's key,
/// so that a stranger cannot probe the site for a client's name.
pub fn runbook_folder(site: &Site, client_id: &str) -> String {
    format!("{INTERNAL}{}", runbook_path(site, client_id))
}

/// [`runbook_folder`] from the internal site's root, as links in its pages start.
pub fn runbook_path(site: &Site, client_id: &str) -> String {
    match &site.keys.team {
        Some(team) => {
            let token = team.cipher.feed_token(&format!("runbook\0{client_id}"));
            format!("{}{token}/", &RUNBOOKS[INTERNAL.len()..])
        }
        None => format!("{}{client_id}/", &RUNBOOKS[INTERNAL.len()..]),
    }
}

/// The address of a client's runbook.
pub fn runbook_url(site: &Site, client_id: &str) -> String {
    format!(
        "{}{}",
        site.config.internal_url().full,
        runbook_path(site, client_id)
    )
}

/// The route of one of the theme's assets in a folder (a site's, or a client's).
pub fn asset_route(folder: &str, asset: &str) -> String {
    format!("{folder}assets/{asset}")
}

/// The route of a file of `static/` in a site's folder.
pub fn static_route(site_folder: &str, file: &str) -> String {
    format!("{site_folder}{file}")
}

/// The base URL a site is served at.
pub fn base_url(site: &Site, kind: SiteKind) -> BaseUrl {
    match kind {
        SiteKind::Portal => site.config.portal_url(),
        SiteKind::Internal => site.config.internal_url(),
    }
}

/// The route of a site's not-found page, which a server answers unknown paths with.
pub fn not_found_route(site_folder: &str) -> String {
    format!("{site_folder}404.html")
}

/// A page's folder relative to its site's folder: what follows the base URL.
fn dir_url(kind: PageKind, route: &str) -> &str {
    let site_folder = match kind.site() {
        SiteKind::Portal => PORTAL,
        SiteKind::Internal => INTERNAL,
    };
    let in_site = &route[site_folder.len()..];
    in_site.strip_suffix("index.html").unwrap_or(in_site)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_holds_every_kind_in_declaration_order() {
        assert_eq!(PortalPage::EACH.len(), 9);
        assert_eq!(
            PortalPage::EACH[5],
            PortalPage::Member {
                client: 0,
                member: 0
            }
        );
        assert_eq!(InternalPage::EACH.len(), 15);
        assert_eq!(
            InternalPage::EACH[14],
            InternalPage::RunbookPrint { client: 0 }
        );
    }

    #[test]
    fn only_pages_for_paper_name_a_pdf() {
        let pdfs: Vec<_> = InternalPage::EACH
            .iter()
            .map(|p| PageKind::Internal(*p))
            .chain(PortalPage::EACH.iter().map(|p| PageKind::Portal(*p)))
            .filter(|k| k.declare().pdf.is_some())
            .collect();
        assert_eq!(
            pdfs,
            [
                PageKind::Internal(InternalPage::PlaybookPrint),
                PageKind::Internal(InternalPage::RunbookPrint { client: 0 }),
                PageKind::Portal(PortalPage::Print { client: 0 }),
            ]
        );
    }
}
