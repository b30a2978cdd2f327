//! Links that add one of the published calendars to a calendar app as a subscription, so
//! that a changed or added date shows up there by itself, beside the plain link to the file.
//!
//! Every link is absolute and made from the site's base URL (`portal.base_url` or
//! `internal.base_url`): a calendar app fetches the file from the published site, never from
//! wherever the page happens to be opened.

use serde::Serialize;

use crate::model::{Client, Site};
use crate::plan::{InternalPage, PageKind, PortalPage};

/// The ways to add one calendar, as templates show them (`client.calendar` on the portal,
/// `calendar` on the internal overview and member pages).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarLinks {
    /// The file's own address (`https://…/journey.ics`): a one-off download, and what to
    /// paste into an app that has none of the links below.
    pub download: String,
    /// The same address with the `webcal://` scheme, which Apple Calendar and Outlook on the
    /// desktop open as a subscription.
    pub webcal: String,
    /// Google Calendar's page that asks to subscribe to it.
    pub google: String,
    /// Outlook on the web's page that asks to subscribe to it, under the calendar's name.
    pub outlook: String,
    /// The file from the root of the pages that link to it (`page.root`): the client's folder
    /// on the portal, the site's folder on the internal site. A private site's calendars are
    /// in folders with unguessable names, so templates take the path from here.
    pub path: String,
}

impl CalendarLinks {
    /// The links for the calendar published at `url` (absolute, `https://` or `http://`)
    /// under `name`.
    pub fn new(url: &str, name: &str) -> Self {
        // Base URLs are checked on load to start with one of the two; anything else keeps its
        // scheme rather than be guessed at.
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        let webcal = match rest {
            Some(rest) => format!("webcal://{rest}"),
            None => url.to_string(),
        };
        CalendarLinks {
            google: format!(
                "https://calendar.google.com/calendar/render?cid={}",
                encode(&webcal)
            ),
            outlook: format!(
                "https://outlook.live.com/calendar/0/addfromweb?url={}&name={}",
                encode(url),
                encode(name)
            ),
            download: url.to_string(),
            webcal,
            path: String::new(),
        }
    }

    /// A client's own calendar (`portal/<client>/journey.ics`), and nothing else: the only
    /// calendar their portal pages link to.
    pub fn portal(site: &Site, client: &Client) -> Self {
        // Clients are sorted by id on load; a site put together otherwise is searched.
        let index = site
            .clients
            .binary_search_by(|c| c.id.as_str().cmp(&client.id))
            .ok()
            .or_else(|| site.clients.iter().position(|c| c.id == client.id))
            .expect("a client of the site");
        Self::of(
            site,
            PageKind::Portal(PortalPage::Calendar { client: index }),
            &client_calendar_name(site, client),
        )
    }

    /// The team calendar (`internal/calendar.ics`), for the overview.
    pub fn team(site: &Site) -> Self {
        Self::of(
            site,
            PageKind::Internal(InternalPage::TeamCalendar),
            &team_calendar_name(site),
        )
    }

    /// A member's calendar (`internal/team/<member>/calendar.ics`), for their page.
    pub fn member(site: &Site, member: usize) -> Self {
        Self::of(
            site,
            PageKind::Internal(InternalPage::MemberCalendar { member }),
            &member_calendar_name(site, &site.team[member]),
        )
    }

    /// The links for the calendar `kind` writes, at the address its route is served at.
    fn of(site: &Site, kind: PageKind, name: &str) -> Self {
        let route = kind.route(site);
        let root = match kind {
            PageKind::Portal(p) => match p.client() {
                Some(c) => crate::plan::client_folder_of(site, c),
                None => crate::plan::PORTAL.to_string(),
            },
            PageKind::Internal(_) => crate::plan::INTERNAL.to_string(),
        };
        CalendarLinks {
            path: route[root.len()..].to_string(),
            ..Self::new(&kind.url(site, &route), name)
        }
    }
}

/// `s` percent-encoded as one value of a query string: every byte but the letters, digits and
/// `-._~` that RFC 3986 leaves unreserved, so `:/?&=#+%`, spaces and UTF-8 bytes of non-ASCII
/// letters are all encoded (a space as `%20`, never `+`).
fn encode(s: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            write!(out, "%{b:02X}").expect("writing to a String");
        }
    }
    out
}

/// The name calendar apps show for a client's calendar: written into the file and into its
/// subscribe links, from here, so the two never differ.
/// A private portal's calendar names nobody but the firm: anyone with its address reads it.
pub(crate) fn client_calendar_name(site: &Site, client: &crate::model::Client) -> String {
    if site.keys.portal_is_private() {
        private_calendar_name(&site.config.firm.name)
    } else {
        format!("{} with {}", client.name, site.config.firm.name)
    }
}

/// The name of every private client's calendar: the firm's, and nobody else's.
pub(crate) fn private_calendar_name(firm: &str) -> String {
    format!("Your journey with {firm}")
}

/// The team calendar's name (see [`client_calendar_name`]).
pub(crate) fn team_calendar_name(site: &Site) -> String {
    format!("{}: all touchpoints", site.config.firm.name)
}

/// A member's calendar's name (see [`client_calendar_name`]).
pub(crate) fn member_calendar_name(site: &Site, member: &crate::model::Member) -> String {
    format!("{}: {}'s touchpoints", site.config.firm.name, member.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://clients.example.com/welcome/acme/journey.ics";
    const URL_ENCODED: &str = "https%3A%2F%2Fclients.example.com%2Fwelcome%2Facme%2Fjourney.ics";

    #[test]
    fn subscribe_links_for_an_https_calendar() {
        let links = CalendarLinks::new(URL, "Acme with Fieldnote");
        assert_eq!(links.download, URL);
        assert_eq!(
            links.webcal,
            "webcal://clients.example.com/welcome/acme/journey.ics"
        );
        assert_eq!(
            links.google,
            "https://calendar.google.com/calendar/render?cid=\
             webcal%3A%2F%2Fclients.example.com%2Fwelcome%2Facme%2Fjourney.ics"
        );
        assert_eq!(
            links.outlook,
            format!(
                "https://outlook.live.com/calendar/0/addfromweb?url={URL_ENCODED}\
                 &name=Acme%20with%20Fieldnote"
            )
        );
    }

    #[test]
    fn an_http_base_still_subscribes_over_webcal() {
        let links = CalendarLinks::new("http://intranet.local/calendar.ics", "Team");
        assert_eq!(links.download, "http://intranet.local/calendar.ics");
        assert_eq!(links.webcal, "webcal://intranet.local/calendar.ics");
        assert!(links
            .google
            .ends_with("?cid=webcal%3A%2F%2Fintranet.local%2Fcalendar.ics"));
        assert!(links
            .outlook
            .contains("?url=http%3A%2F%2Fintranet.local%2Fcalendar.ics&name=Team"));
    }

    #[test]
    fn names_with_spaces_ampersands_and_other_separators_stay_one_value() {
        let links = CalendarLinks::new(URL, "Smith & Sons: 100% = a+b #1?/");
        let name = links.outlook.split_once("&name=").unwrap().1;
        assert_eq!(
            name,
            "Smith%20%26%20Sons%3A%20100%25%20%3D%20a%2Bb%20%231%3F%2F"
        );
        // The only `&` and `?` left separate the parameters.
        assert_eq!(links.outlook.matches('&').count(), 1);
        assert_eq!(links.outlook.matches('?').count(), 1);
    }

    #[test]
    fn non_ascii_names_are_encoded_as_utf8() {
        let links = CalendarLinks::new(URL, "Café Zoë · 東京");
        assert!(links
            .outlook
            .ends_with("&name=Caf%C3%A9%20Zo%C3%AB%20%C2%B7%20%E6%9D%B1%E4%BA%AC"));
        assert!(links.outlook.is_ascii() && links.google.is_ascii());
    }

    #[test]
    fn unreserved_characters_are_left_alone() {
        assert_eq!(encode("aZ09-._~"), "aZ09-._~");
        assert_eq!(encode(""), "");
        assert_eq!(encode("a b"), "a%20b");
    }

    #[test]
    fn an_address_in_the_url_is_encoded_too() {
        // A sub-path with characters a base URL may hold still ends up inside one parameter.
        let links = CalendarLinks::new("https://h.example/a&b=c/calendar.ics", "x");
        assert_eq!(
            links.google,
            "https://calendar.google.com/calendar/render?cid=\
             webcal%3A%2F%2Fh.example%2Fa%26b%3Dc%2Fcalendar.ics"
        );
        assert!(links
            .outlook
            .starts_with("https://outlook.live.com/calendar/0/addfromweb?url=https%3A%2F%2Fh.example%2Fa%26b%3Dc%2Fcalendar.ics&name="));
    }

    /// The example site, loaded as a build loads it.
    fn example() -> Site {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("example-playbook");
        crate::load::load_site(&root).0.expect("the example loads")
    }

    #[test]
    fn each_calendar_is_linked_at_its_own_route_and_base_url() {
        let site = example();
        let client = site
            .clients
            .iter()
            .find(|c| c.id == "oakfield-vets")
            .unwrap();
        let portal = CalendarLinks::portal(&site, client);
        assert_eq!(
            portal.download,
            "https://clients.fieldnote.example/welcome/oakfield-vets/journey.ics"
        );
        assert_eq!(
            portal.webcal,
            "webcal://clients.fieldnote.example/welcome/oakfield-vets/journey.ics"
        );
        assert!(portal.outlook.ends_with(&format!(
            "&name={}",
            encode(&format!("{} with Fieldnote Studio", client.name))
        )));
        let team = CalendarLinks::team(&site);
        assert_eq!(
            team.download,
            "https://studio.fieldnote.example/calendar.ics"
        );
        assert!(team
            .outlook
            .ends_with("&name=Fieldnote%20Studio%3A%20all%20touchpoints"));
        let index = site.team.iter().position(|m| m.id == "noor").unwrap();
        let member = CalendarLinks::member(&site, index);
        assert_eq!(
            member.download,
            "https://studio.fieldnote.example/team/noor/calendar.ics"
        );
        assert_eq!(
            member.webcal,
            "webcal://studio.fieldnote.example/team/noor/calendar.ics"
        );
    }
}
