//! What templates see. The portal and the internal site get different types built by different
//! modules: [`portal`] never reads a client's `internal` notes, a touchpoint's script or another
//! client, so no template mistake can put them on a client's page.

pub mod internal;
pub mod portal;
pub mod script;

use jiff::civil::Date;
use serde::Serialize;

use crate::config::Firm;
use crate::dates;
use crate::model::{Member, Site};

/// Facts shared by every page of both sites.
#[derive(Debug, Clone, Serialize)]
pub struct SiteInfo {
    pub firm: Firm,
    /// The build date, `YYYY-MM-DD`.
    pub today: String,
    pub today_long: String,
    pub stages: Vec<String>,
    pub generator: &'static str,
    /// The paper size of print pages, as CSS names it: `A4` or `letter`.
    pub paper: &'static str,
    /// Whether client portals are sealed and opened by their links, so a portal page offers
    /// to remember its key on the device.
    pub portal_private: bool,
    /// Whether the team site has a search box (see `src/search.rs`): never on a sealed one.
    pub search: bool,
}

impl SiteInfo {
    pub fn new(site: &Site, today: Date) -> Self {
        let mut firm = site.config.firm.clone();
        firm.logo = firm.logo.map(|l| l.trim_start_matches('/').to_string());
        SiteInfo {
            firm,
            today: dates::iso(today),
            today_long: dates::long(today),
            stages: site.stages().to_vec(),
            generator: concat!("hundred ", env!("CARGO_PKG_VERSION")),
            paper: site.config.print.css_size(),
            portal_private: site.keys.portal_is_private(),
            search: site.config.internal.has_search(),
        }
    }
}

/// Facts about the page being rendered.
#[derive(Debug, Clone, Serialize)]
pub struct PageInfo {
    pub title: String,
    /// Relative path from this page to the root of its site (or, on the portal, of the client's
    /// folder), e.g. `../../`; empty at the root. Every link in a template starts with it, so
    /// pages work under any sub-path and from any static host.
    pub root: String,
    /// The page's full address, for canonical links.
    pub url: String,
    /// Which part of the site the page belongs to, for navigation highlighting.
    pub section: &'static str,
}

/// `Maya Okonkwo` → `Maya`; `Dr Hannah Lowe` → `Hannah` (a greeting uses the given name).
pub fn first_name(name: &str) -> String {
    const TITLES: &[&str] = &[
        "dr", "mr", "mrs", "ms", "mx", "miss", "prof", "sir", "dame", "rev",
    ];
    let mut words = name.split_whitespace().peekable();
    while let Some(w) = words.peek() {
        let bare = w.trim_end_matches('.').to_lowercase();
        if TITLES.contains(&bare.as_str()) && words.clone().count() > 1 {
            words.next();
        } else {
            break;
        }
    }
    words.next().unwrap_or(name).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn first_names_skip_titles() {
        assert_eq!(super::first_name("Maya Okonkwo"), "Maya");
        assert_eq!(super::first_name("Dr. Hannah Lowe"), "Hannah");
        assert_eq!(super::first_name("Prof Sir Ian"), "Ian");
        assert_eq!(super::first_name("Dr"), "Dr");
        assert_eq!(super::first_name("Cher"), "Cher");
    }
}

/// A team member as shown in the "meet your team" card and profile. Used by both sites: a
/// member's profile is the same on both; only the internal site adds who they work for.
#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    pub id: String,
    pub name: String,
    pub first_name: String,
    pub role: String,
    pub pronouns: Option<String>,
    pub email: String,
    pub phone: Option<String>,
    /// Path from the site (or client folder) root of the photo's largest fallback file (for a
    /// JPEG or PNG photo) or of the SVG, or none.
    pub photo: Option<String>,
    /// The files made from a JPEG, PNG or WebP photo, for `<picture>` (see `src/photos.rs`);
    /// none for an SVG photo.
    pub picture: Option<Picture>,
    pub initials: String,
    pub bio_html: String,
    pub fun_facts: Vec<String>,
    pub cares_about: Vec<String>,
    pub video: Option<String>,
    pub calendar: Option<String>,
}

/// The files made from a member's photo, each as a path from the site (or client folder) root:
/// `small` is 160 pixels square, `medium` 320, `large` 480.
#[derive(Debug, Clone, Serialize)]
pub struct Picture {
    pub small: PictureFiles,
    pub medium: PictureFiles,
    pub large: PictureFiles,
}

/// One size of a photo: the WebP file and its JPEG or PNG fallback.
#[derive(Debug, Clone, Serialize)]
pub struct PictureFiles {
    pub webp: String,
    pub img: String,
}

impl Picture {
    fn new(photo: &str, fallback: crate::photos::Fallback, prefix: &str) -> Picture {
        let files = |size| {
            let path = |webp| {
                let v = crate::photos::Variant { size, webp };
                format!(
                    "{prefix}{}",
                    crate::photos::variant_path(photo, fallback, v)
                )
            };
            PictureFiles {
                webp: path(true),
                img: path(false),
            }
        };
        let [s, m, l] = crate::photos::SIZES;
        Picture {
            small: files(s),
            medium: files(m),
            large: files(l),
        }
    }
}

impl MemberView {
    pub fn new(m: &Member, photo_prefix: &str) -> Self {
        let fallback = m
            .photo
            .as_ref()
            .and_then(|p| match crate::photos::kind(&p.value) {
                Ok(crate::photos::Kind::Raster(f)) => Some(f),
                _ => None,
            });
        let picture = m
            .photo
            .as_ref()
            .zip(fallback)
            .map(|(p, f)| Picture::new(&p.value, f, photo_prefix));
        MemberView {
            id: m.id.clone(),
            name: m.name.clone(),
            first_name: first_name(&m.name),
            role: m.role.clone(),
            pronouns: m.pronouns.clone(),
            email: m.email.clone(),
            phone: m.phone.clone(),
            photo: match &picture {
                Some(p) => Some(p.large.img.clone()),
                None => m
                    .photo
                    .as_ref()
                    .map(|p| format!("{photo_prefix}{}", p.value)),
            },
            picture,
            initials: initials(&m.name),
            bio_html: crate::markdown::to_html(&m.bio),
            fun_facts: m.fun_facts.clone(),
            cares_about: m.cares_about.clone(),
            video: m.video.clone(),
            calendar: m.calendar.clone(),
        }
    }
}

pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_alphabetic())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}
