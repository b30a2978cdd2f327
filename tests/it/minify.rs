//! Minified builds minify the templates once, not every page (`src/minify.rs`), with a
//! whitespace collapse of our own. These tests hold it to minify-html (a dev-dependency only)
//! as an oracle: for each page, minifying the new output with minify-html gives what
//! minifying the unminified page gives, byte for byte, once the whitespace beside block-level
//! tags (which no browser shows, and which our collapse drops where minify-html sometimes
//! keeps one space) is taken out of both. So only whitespace that does not render differs.

use std::path::Path;

use crate::support::*;
use hundred::minify::is_block;

/// The settings pages were minified with before templates were.
fn minify_page(html: &[u8]) -> Vec<u8> {
    let mut cfg = minify_html::Cfg::new();
    cfg.minify_css = true;
    cfg.minify_js = true;
    cfg.keep_closing_tags = true;
    cfg.keep_html_and_head_opening_tags = true;
    without_space_beside_blocks(&minify_html::minify(html, &cfg))
}

/// The name of the tag that starts (`<div`, `</div`) or ends (`…</div>`, `<div …>`) a slice.
fn tag_name(tag: &[u8]) -> String {
    let tag = tag
        .strip_prefix(b"</")
        .or_else(|| tag.strip_prefix(b"<"))
        .unwrap_or(tag);
    tag.iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .map(|b| b.to_ascii_lowercase() as char)
        .collect()
}

/// `html` without the whitespace runs between a `>` and a `<` where either tag is a block.
fn without_space_beside_blocks(html: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(html.len());
    let mut i = 0;
    while i < html.len() {
        let b = html[i];
        if b.is_ascii_whitespace() && out.last() == Some(&b'>') {
            let end = i + html[i..]
                .iter()
                .take_while(|c| c.is_ascii_whitespace())
                .count();
            if html.get(end) == Some(&b'<') {
                let open = out.iter().rposition(|&c| c == b'<').unwrap_or(0);
                let before = tag_name(&out[open..]);
                let after = tag_name(&html[end..]);
                if is_block(&before) || is_block(&after) {
                    i = end;
                    continue;
                }
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

fn build_both(site: &Path) -> (tempfile::TempDir, tempfile::TempDir) {
    // Previews: the documents compared are the pages, not the shells of a private portal.
    let minified = build_preview(site);
    let plain = Build::of(site).no_minify().preview().into_temp();
    (minified, plain)
}

/// Returns the total size of the HTML pages: minified, not minified, and minified as whole
/// pages.
fn assert_same_documents(site: &Path) -> (usize, usize, usize) {
    let (minified, plain) = build_both(site);
    let minified = read_tree(&minified.path().join("public"));
    let plain = read_tree(&plain.path().join("public"));
    // The search index's files are named by their contents, which are made from the pages'
    // bytes, so those names differ; the rest is the same.
    let names = |tree: &std::collections::BTreeMap<String, Vec<u8>>| -> Vec<String> {
        tree.keys()
            .filter(|k| !k.starts_with("internal/pagefind/"))
            .cloned()
            .collect()
    };
    assert_eq!(names(&minified), names(&plain), "the same files either way");
    let (mut small, mut large, mut whole) = (0, 0, 0);
    let mut pages = 0;
    for (path, bytes) in &minified {
        // The index, and the manifest that lists its files (see above).
        if path.starts_with("internal/pagefind/") || path == ".hundred-manifest" {
            continue;
        }
        if !path.ends_with(".html") {
            assert_eq!(bytes, &plain[path], "{path}: only HTML is minified");
            continue;
        }
        pages += 1;
        small += bytes.len();
        large += plain[path].len();
        let again = minify_page(bytes);
        let expected = minify_page(&plain[path]);
        whole += expected.len();
        if again != expected {
            let at = again
                .iter()
                .zip(&expected)
                .position(|(a, b)| a != b)
                .unwrap_or(again.len().min(expected.len()));
            let from = at.saturating_sub(80);
            panic!(
                "{path} differs from the page minified as a whole at byte {at}:\n  got      {}\n  expected {}",
                String::from_utf8_lossy(&again[from..(at + 80).min(again.len())]),
                String::from_utf8_lossy(&expected[from..(at + 80).min(expected.len())]),
            );
        }
    }
    assert!(pages > 10, "{site:?} has pages");
    (small, large, whole)
}

#[test]
fn the_example_is_the_same_document_minified_once_per_template() {
    let (small, large, whole) = assert_same_documents(&example());
    eprintln!(
        "HTML: {small} bytes minified per template, {large} unminified, {whole} minified per page"
    );
    // Whitespace between tags and quotes are most of what minifying saves here; pages that are
    // mostly markdown save less. Fail if the templates stopped being minified at all.
    assert!(
        small * 100 < large * 95,
        "minified pages are {small} bytes, unminified {large}"
    );
}

#[test]
fn hostile_text_is_the_same_document_minified_once_per_template() {
    assert_same_documents(&fixture("canary"));
}

#[test]
fn a_site_template_is_minified_too() {
    let site = copy_fixture("canary");
    let templates = site.path().join("templates/portal");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("team.html"),
        "{% extends \"portal/base.html\" %}\n{% block content %}\n<section class=\"wrap\">\n    \
         <h1 id=\"team\">  Your   team  </h1>\n    <ul>\n    {% for m in team %}\n        \
         <li class=\"{% if loop.first %}first{% endif %}\">{{ m.name }}</li>\n    {% endfor %}\n    \
         </ul>\n</section>\n{% endblock content %}\n",
    )
    .unwrap();
    assert_same_documents(site.path());
    let out = build(site.path());
    let page = read(&out.path().join("public/portal/acme/team/index.html"));
    assert!(page.contains("<h1 id=\"team\">Your team</h1>"), "{page}");
}

#[test]
fn a_failing_minified_template_reports_the_line_as_written() {
    let site = copy_fixture("canary");
    let templates = site.path().join("templates/portal");
    std::fs::create_dir_all(&templates).unwrap();
    // Minified, all of this is on one line; the error must still say line 6.
    std::fs::write(
        templates.join("team.html"),
        "{% extends \"portal/base.html\" %}\n{% block content %}\n<section>\n\n    <h1>Team</h1>\n    <p>{{ client.no_such_field.name }}</p>\n</section>\n{% endblock content %}\n",
    )
    .unwrap();
    let out = tempfile::TempDir::new().unwrap();
    let stderr = Build::of(site.path())
        .output(&out.path().join("public"))
        .fails();
    assert!(
        stderr.contains("templates/portal/team.html:6:"),
        "line of the source, not of the minified template: {stderr}"
    );
}
