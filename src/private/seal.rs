//! Which of a build's outputs are sealed, and how: the one place that says it, for `build`,
//! `check` and `serve --private` alike.
//!
//! - A client's portal pages (welcome, team, each member, journey, welcome pack): sealed with
//!   the client's key, published inside a shell that opens them in the browser.
//! - The internal site's pages, when it is private: the same, with the team's key.
//! - The schedule (CSV) and the PDFs `hundred pdf` makes of sealed print pages: sealed bytes at
//!   their own address, which the shells fetch and open when a link to them is followed.
//! - Calendars stay readable (calendar apps cannot decrypt); a private site's are at
//!   unguessable addresses (`PageKind::route`), and a client's holds only the firm's name,
//!   step titles and dates.
//! - Everything else (the portal's root and not-found page, robots.txt, the theme's stylesheet
//!   and script, team photos, static files) is the firm's, not a client's, and is published as
//!   it is. What of it lies in a private portal is scanned for client data all the same.

use crate::diagnostics::Diagnostic;
use crate::model::Site;
use crate::plan::{client_folder_of, InternalPage, Page, PageKind, PortalPage, INTERNAL};
use crate::portal_crypto::Cipher;
use crate::shell::{Firm, Lock};

/// How one output is published.
pub(crate) enum Publish<'a> {
    /// As it is; `scan`: searched for client data first (it lies in a private portal).
    Plain { scan: bool },
    /// A page, sealed inside a shell.
    Page {
        cipher: &'a Cipher,
        lock: Lock<'a>,
        /// The route inside the folder the key covers: the additional data it is sealed with.
        inner: String,
        /// From the page to that folder.
        root: String,
    },
    /// Sealed bytes at their own address.
    File { cipher: &'a Cipher, inner: String },
}

/// How the page `page` of `site` is published.
pub(crate) fn of_page<'a>(site: &'a Site, page: &Page) -> Publish<'a> {
    let scan = site.keys.portal_is_private();
    match page.kind {
        PageKind::Portal(p) => {
            use PortalPage::*;
            match p {
                Root | NotFound | Robots | Calendar { .. } => Publish::Plain { scan },
                Welcome { client }
                | Team { client }
                | Member { client, .. }
                | Journey { client }
                | Print { client } => match site.keys.client(client) {
                    None => Publish::Plain { scan: false },
                    Some(keys) => Publish::Page {
                        cipher: &keys.cipher,
                        lock: Lock::Client { token: &keys.token },
                        inner: page.route[client_folder_of(site, client).len()..].to_string(),
                        root: page.kind.root(site, &page.route),
                    },
                },
            }
        }
        PageKind::Internal(p) => {
            use InternalPage::*;
            let Some(team) = &site.keys.team else {
                return Publish::Plain { scan: false };
            };
            let inner = page.route[INTERNAL.len()..].to_string();
            match p {
                NotFound
                | Robots
                | TeamCalendar
                | MemberCalendar { .. }
                | ClientCalendar { .. } => Publish::Plain { scan: false },
                Schedule => Publish::File {
                    cipher: &team.cipher,
                    inner,
                },
                Overview
                | Playbook
                | Chapter { .. }
                | PlaybookPrint
                | Team
                | Member { .. }
                | Clients
                | Runbook { .. }
                | RunbookPrint { .. } => Publish::Page {
                    cipher: &team.cipher,
                    lock: team_lock(site),
                    inner,
                    root: page.kind.root(site, &page.route),
                },
            }
        }
    }
}

/// The lock the internal site's shells carry, when it is private.
fn team_lock(site: &Site) -> Lock<'_> {
    let team = site.keys.team.as_ref().expect("a private internal site");
    Lock::Team {
        site_id: &site.keys.team_site_id,
        salt: &team.salt,
        iterations: team.iterations,
    }
}

impl Publish<'_> {
    /// The bytes published for `plain`, the output at `route`.
    pub(crate) fn finish(
        &self,
        site: &Site,
        route: &str,
        plain: Vec<u8>,
    ) -> Result<Vec<u8>, Diagnostic> {
        match self {
            Publish::Plain { scan: false } => Ok(plain),
            Publish::Plain { scan: true } => {
                leak_check(site, route, &plain)?;
                Ok(plain)
            }
            Publish::File { cipher, inner } => Ok(cipher.seal(inner, &plain)),
            Publish::Page {
                cipher,
                lock,
                inner,
                root,
            } => {
                let sealed = cipher.seal(inner, &plain);
                let shell = crate::shell::page(&firm(site), lock, inner, root, &sealed);
                if site.keys.portal_is_private() {
                    let (before, after) = around_sealed(&shell);
                    leak_check(site, route, before)?;
                    leak_check(site, route, after)?;
                }
                Ok(shell)
            }
        }
    }
}

/// The firm as a shell shows it.
fn firm(site: &Site) -> Firm<'_> {
    let f = &site.config.firm;
    Firm {
        name: &f.name,
        email: &f.email,
        phone: f.phone.as_deref(),
        website: f.website.as_deref(),
    }
}

/// A shell without its sealed bytes (base64, so without `<`): what of it is readable.
/// Random base64 could spell a short name by chance, so it is not searched.
fn around_sealed(shell: &[u8]) -> (&[u8], &[u8]) {
    match crate::shell::sealed_range(shell) {
        Some(r) => (&shell[..r.start], &shell[r.end..]),
        None => (shell, &[]),
    }
}

/// An error when a file copied from `static/` into a private portal at `route` (the firm's
/// file, published as it is) names a client in its path or its text. Text is searched when the
/// file is UTF-8 or has a text file's extension (a CSV in another encoding still spells ASCII
/// names the same way); images and other binary files are not, where random bytes could spell
/// a short name.
pub(crate) fn check_static(site: &Site, route: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
    if !site.keys.portal_is_private() || !route.starts_with(crate::plan::PORTAL) {
        return Ok(());
    }
    leak_check(site, route, route.as_bytes())?;
    const TEXT: &[&str] = &[
        "txt", "csv", "tsv", "html", "htm", "xml", "json", "svg", "ics", "md", "css", "js", "vcf",
        "vcard", "yaml", "yml", "toml",
    ];
    let extension = route.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if std::str::from_utf8(bytes).is_ok() || extension.is_some_and(|e| TEXT.contains(&e.as_str())) {
        leak_check(site, route, bytes)?;
    }
    Ok(())
}

/// An error when `bytes`, published in plaintext at `route`, hold a client's private words.
pub(crate) fn leak_check(site: &Site, route: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
    let Some(scan) = &site.keys.leaks else {
        return Ok(());
    };
    // A calendar folds long lines (a line break and a space inside a value): searched as a
    // calendar app reads it, a name cut in two is still found.
    let unfolded;
    let bytes = if route.ends_with(".ics") {
        unfolded = String::from_utf8_lossy(bytes).replace("\r\n ", "");
        unfolded.as_bytes()
    } else {
        bytes
    };
    match scan.first_in(bytes) {
        None => Ok(()),
        Some(what) => Err(Diagnostic::error(
            route,
            format!(
                "this file of the private portal is published unencrypted, and it holds {what}"
            ),
        )
        .help(
            "calendars, static files and the theme's templates for robots.txt, the not-found \
             page and the portal's root are readable by anyone: keep client names, contacts \
             and goals out of step titles and of `static/`",
        )),
    }
}
