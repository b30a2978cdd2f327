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
/// navigation before it, and without the elements marked `data-pagefind-ignore` (which
/// Pagefind would parse only to leave out). Parsing less is most of what this saves; the
/// result is the same.
fn trimmed(html: &str) -> String {
    let (Some(head_end), Some(body)) = (html.find("</head>"), html.find("data-pagefind-body"))
    else {
        return without_ignored(html);
    };
    let Some(open) = html[..body].rfind('<') else {
        return without_ignored(html);
    };
    if open < head_end {
        return without_ignored(html);
    }
    let mut out = String::with_capacity(head_end + 7 + 6 + html.len() - open);
    out.push_str(&html[..head_end]);
    out.push_str("</head><body>");
    out.push_str(&without_ignored(&html[open..]));
    out
}

const IGNORE: &str = "data-pagefind-ignore";

/// `html` without the elements marked `data-pagefind-ignore`, and all they hold. The marker
/// counts only as an attribute of a tag (not in text, where it would follow a `>`, nor inside
/// a quoted value); the element ends at the close tag that balances it, which the templates'
/// well-formed HTML always has (without one, the rest of the page goes, as Pagefind would
/// ignore it too).
fn without_ignored(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut from = 0;
    let mut search = 0;
    while let Some(found) = html[search..].find(IGNORE) {
        let at = search + found;
        search = at + IGNORE.len();
        let Some(open) = html[from..at].rfind('<').map(|i| from + i) else {
            continue;
        };
        let inside = &html[open..at];
        let name_end = inside[1..]
            .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            .map_or(inside.len(), |i| i + 1);
        let name = &inside[1..name_end];
        let in_tag = !inside.contains('>')
            && inside.matches('"').count().is_multiple_of(2)
            && inside.matches('\'').count().is_multiple_of(2)
            && !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric())
            && html[..at].ends_with(|c: char| c.is_ascii_whitespace())
            && html[search..]
                .starts_with(|c: char| c.is_ascii_whitespace() || c == '=' || c == '>' || c == '/');
        if !in_tag {
            continue;
        }
        out.push_str(&html[from..open]);
        let end = element_end(html, open, name);
        from = end;
        search = end;
    }
    out.push_str(&html[from..]);
    out
}

/// Where the element whose open tag starts at `open` ends: after the close tag that balances
/// it, or after the open tag for an element that has no content.
fn element_end(html: &str, open: usize, name: &str) -> usize {
    let Some(tag_end) = html[open..].find('>').map(|i| open + i + 1) else {
        return html.len();
    };
    const VOID: [&str; 8] = ["br", "hr", "img", "input", "meta", "link", "source", "wbr"];
    if VOID.iter().any(|v| v.eq_ignore_ascii_case(name)) || html[..tag_end].ends_with("/>") {
        return tag_end;
    }
    let opening = format!("<{name}");
    let closing = format!("</{name}>");
    let mut depth = 1;
    let mut at = tag_end;
    while let Some(i) = html[at..].find('<') {
        let here = at + i;
        let rest = &html[here..];
        if rest.starts_with(&closing) {
            depth -= 1;
            at = here + closing.len();
            if depth == 0 {
                return at;
            }
        } else {
            if rest.starts_with(&opening)
                && rest[opening.len()..]
                    .starts_with(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            {
                depth += 1;
            }
            at = here + 1;
        }
    }
    html.len()
}

/// Builds the index of `pages` (route and HTML, in route order): the files to publish, as
/// routes under [`FOLDER`] and their bytes, sorted by route. The same pages give the same
/// bytes. With `cache` (the site's folder), an index made before from the same text is taken
/// from `.hundred-cache/search/` instead of being made again, and a new one is kept there.
pub fn index(
    pages: &[(&str, &[u8])],
    cache: Option<&std::path::Path>,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    // On the calling thread: `serve` calls this on a thread of low priority, and the rayon
    // threads are the rebuilds'.
    let read: Vec<(String, String)> = pages
        .iter()
        .map(|(route, html)| (route.to_string(), read_of(html)))
        .collect();
    index_read(read, cache)
}

/// What Pagefind reads of a page's bytes.
fn read_of(html: &[u8]) -> String {
    trimmed(&String::from_utf8_lossy(html))
}

/// The searched pages of a build, gathered as the writer makes them (in any order), so that
/// none is rendered twice or held whole: only what Pagefind reads of each is kept.
#[derive(Default)]
pub struct Gathered {
    /// Each page's place in the plan, route and what Pagefind reads of it.
    pages: std::sync::Mutex<Vec<(usize, String, String)>>,
}

impl Gathered {
    /// Adds the page at `place` in the plan's order, the order Pagefind is given the pages in.
    pub fn add(&self, place: usize, route: &str, html: &[u8]) {
        let read = read_of(html);
        self.pages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((place, route.to_string(), read));
    }

    /// The index of the pages gathered, as [`index`] makes it.
    pub fn index(&self, cache: Option<&std::path::Path>) -> Result<Vec<(String, Vec<u8>)>, String> {
        let mut pages = std::mem::take(&mut *self.pages.lock().unwrap_or_else(|e| e.into_inner()));
        pages.sort_by_key(|p| p.0);
        index_read(pages.into_iter().map(|(_, r, h)| (r, h)).collect(), cache)
    }
}

/// The index of pages already cut to what Pagefind reads, in the plan's order.
fn index_read(
    read: Vec<(String, String)>,
    cache: Option<&std::path::Path>,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    let Some(root) = cache else {
        return make_index(read);
    };
    let cache = crate::search_cache::Cache::new(root);
    let key = crate::search_cache::key(&read);
    if let Some(files) = cache.read(&key) {
        return Ok(files);
    }
    let files = make_index(read)?;
    cache.write(&key, &files);
    Ok(files)
}

/// Pagefind's index of pages already cut to what it reads.
fn make_index(pages: Vec<(String, String)>) -> Result<Vec<(String, Vec<u8>)>, String> {
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
            index
                .add_html_file(None, Some(result_url(&route)), html)
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
    fn ignored_elements_are_cut_with_all_they_hold() {
        let page = "<main data-pagefind-body><h2>Plan</h2>\
                    <div class=\"a\" data-pagefind-ignore><div><p>script</p></div><p>more</p></div>\
                    <p>kept</p><section data-pagefind-ignore=\"all\"><section>x</section></section>\
                    <img data-pagefind-ignore src=\"a.png\"><p>end</p></main>";
        assert_eq!(
            without_ignored(page),
            "<main data-pagefind-body><h2>Plan</h2><p>kept</p><p>end</p></main>"
        );
    }

    #[test]
    fn the_marker_in_text_or_in_a_value_is_not_a_marker() {
        for page in [
            "<p>Write data-pagefind-ignore on it</p>",
            "<p title=\"x data-pagefind-ignore\">t</p>",
            "<p><code>&lt;div data-pagefind-ignore&gt;</code></p>",
            "<p>data-pagefind-ignored</p>",
        ] {
            assert_eq!(without_ignored(page), page);
        }
        // An element left open takes the rest with it, as it would in Pagefind.
        assert_eq!(
            without_ignored("<p>a</p><div data-pagefind-ignore><p>b"),
            "<p>a</p>"
        );
    }

    #[test]
    fn an_index_names_its_pages_and_skips_pagefinds_ready_made_interfaces() {
        let page = "<html lang=\"en\"><head><meta data-pagefind-meta=\"title[content]\" \
                    content=\"Acme runbook\"></head><body><main data-pagefind-body>\
                    <p>The zeppelin call.</p></main></body></html>";
        let files = index(
            &[("internal/clients/acme/index.html", page.as_bytes())],
            None,
        )
        .unwrap();
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
        let again = index(
            &[("internal/clients/acme/index.html", page.as_bytes())],
            None,
        )
        .unwrap();
        assert_eq!(files, again);
    }
}
