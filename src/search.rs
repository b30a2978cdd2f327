//! **search**: the team site's search index, made with Pagefind (as a library) from pages
//! already rendered.
//!
//! What is searched: the pages about one thing that hold the team's own words: playbook
//! chapters, runbooks (every script of the journey, personalised) and team members' pages
//! ([`indexed`]). Lists that only repeat those pages' titles (the overview, the client and team
//! lists, the playbook's contents), print pages (the same words again), calendars and the
//! portal are not. Inside a page, only the element marked `data-pagefind-body` in its template
//! is read, so navigation and footers are not; `<meta data-pagefind-meta="title[content]">`
//! gives each result its title.
//!
//! The index goes into `internal/pagefind/` ([`FOLDER`]) with the rest of a build, through the
//! same writer: files whose bytes did not change are left alone, and fragments of removed pages
//! are deleted with the manifest. The browser loads it only when the search box is first
//! focused (`search.js`, published as `internal/assets/search.js`).
//!
//! A private team site (`[internal] private = true`) has no search: Pagefind's fragments hold
//! each page's text in plain words, and sealing them would need Pagefind's own script to open
//! them. `[internal] search = false` turns it off too.

use crate::plan::{InternalPage, PageKind, INTERNAL};

/// The search box's script, in the internal site's `assets/` folder.
pub const SCRIPT_FILE: &str = "search.js";
pub const SCRIPT: &str = include_str!("search.js");

/// Where the index and Pagefind's own script go, inside the output.
pub const FOLDER: &str = "internal/pagefind/";

/// Whether a page of this kind is searched.
pub fn indexed(kind: PageKind) -> bool {
    use InternalPage::*;
    match kind {
        PageKind::Internal(Chapter { .. } | Member { .. } | Runbook { .. }) => true,
        PageKind::Internal(
            Overview
            | TeamCalendar
            | Schedule
            | NotFound
            | Robots
            | Playbook
            | PlaybookPrint
            | Team
            | MemberCalendar { .. }
            | Clients
            | ClientCalendar { .. }
            | RunbookPrint { .. },
        )
        | PageKind::Portal(_) => false,
    }
}

/// Whether a route is one of the index's files.
pub fn is_index_file(route: &str) -> bool {
    route.starts_with(FOLDER)
}

/// The files of Pagefind's bundle the search box does not use: its ready-made interfaces and
/// their styles, the highlighting script, the playground.
fn unused(name: &str) -> bool {
    name.starts_with("pagefind-ui.")
        || name.starts_with("pagefind-modular-ui.")
        || name.starts_with("pagefind-component-ui.")
        || name == "pagefind-highlight.js"
        || name.starts_with("playground/")
}

/// The address Pagefind gives a page in its results: its folder inside the internal site, from
/// the site's root (`/clients/acme/`). The search box puts the page's own relative way to the
/// root in front, so results work under any sub-path.
fn result_url(route: &str) -> String {
    let inside = route.strip_prefix(INTERNAL).unwrap_or(route);
    format!("/{}", inside.strip_suffix("index.html").unwrap_or(inside))
}

/// Only what Pagefind reads of a page: its `<head>` (language, the title's meta) and the
/// element marked `data-pagefind-body` with everything after it, without the header and its
/// navigation before it. Parsing less is most of what this saves; the result is the same.
fn trimmed(html: &str) -> String {
    let (Some(head_end), Some(body)) = (html.find("</head>"), html.find("data-pagefind-body"))
    else {
        return html.to_string();
    };
    let Some(open) = html[..body].rfind('<') else {
        return html.to_string();
    };
    if open < head_end {
        return html.to_string();
    }
    let mut out = String::with_capacity(head_end + 7 + 6 + html.len() - open);
    out.push_str(&html[..head_end]);
    out.push_str("</head><body>");
    out.push_str(&html[open..]);
    out
}

/// Builds the index of `pages` (route and HTML, in route order): the files to publish, as
/// routes under [`FOLDER`] and their bytes, sorted by route. The same pages give the same
/// bytes.
pub fn index(pages: &[(&str, &[u8])]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the search indexer: {e}"))?;
    runtime.block_on(async {
        let config = pagefind::options::PagefindServiceConfig::builder()
            .keep_index_url(false)
            .build();
        let mut index = pagefind::api::PagefindIndex::new(Some(config))
            .map_err(|e| format!("cannot start the search indexer: {e}"))?;
        for (route, html) in pages {
            let html = trimmed(&String::from_utf8_lossy(html));
            index
                .add_html_file(None, Some(result_url(route)), html)
                .await
                .map_err(|e| format!("cannot index {route}: {e}"))?;
        }
        let files = index
            .get_files()
            .await
            .map_err(|e| format!("cannot write the search index: {e}"))?;
        let mut out: Vec<(String, Vec<u8>)> = files
            .into_iter()
            .filter_map(|f| {
                let name = crate::load::slash_path(&f.filename);
                (!unused(&name)).then(|| (format!("{FOLDER}{name}"), f.contents))
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_point_at_folders_inside_the_site() {
        assert_eq!(
            result_url("internal/clients/acme/index.html"),
            "/clients/acme/"
        );
        assert_eq!(
            result_url("internal/playbook/intro/index.html"),
            "/playbook/intro/"
        );
    }

    #[test]
    fn the_header_is_left_out_of_what_is_parsed() {
        let page = "<html lang=\"en\"><head><title>t</title></head><body><nav>Menu</nav>\
                    <main data-pagefind-body><p>Words</p></main><footer>f</footer></body></html>";
        let cut = trimmed(page);
        assert!(!cut.contains("Menu"), "{cut}");
        assert!(cut.starts_with("<html lang=\"en\"><head><title>t</title></head><body><main"));
        assert!(cut.contains("<p>Words</p>"));
        assert_eq!(trimmed("<p>no marker</p>"), "<p>no marker</p>");
    }

    #[test]
    fn an_index_names_its_pages_and_skips_pagefinds_ready_made_interfaces() {
        let page = "<html lang=\"en\"><head><meta data-pagefind-meta=\"title[content]\" \
                    content=\"Acme runbook\"></head><body><main data-pagefind-body>\
                    <p>The zeppelin call.</p></main></body></html>";
        let files = index(&[("internal/clients/acme/index.html", page.as_bytes())]).unwrap();
        let names: Vec<&str> = files.iter().map(|(r, _)| r.as_str()).collect();
        assert!(
            names.contains(&"internal/pagefind/pagefind.js"),
            "{names:?}"
        );
        assert!(names.contains(&"internal/pagefind/pagefind-entry.json"));
        assert!(names.iter().any(|n| n.ends_with(".pf_fragment")));
        assert!(!names.iter().any(|n| n.contains("-ui.")), "{names:?}");
        assert!(names.iter().all(|n| is_index_file(n)));
        // The same pages, the same bytes.
        let again = index(&[("internal/clients/acme/index.html", page.as_bytes())]).unwrap();
        assert_eq!(files, again);
    }
}
