//! Reading HTML the way a browser would, as far as the tests need to.

/// The HTML with `<title>` contents removed: browsers read a title as plain text, so a `<`
/// inside one cannot start an element (the minifier is free to leave it unescaped there).
pub fn without_titles(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<title>") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</title>") {
            Some(end) => rest = &rest[start + end + "</title>".len()..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The start tags of an HTML document as (name, attributes), read the way a browser's
/// tokenizer does: quoted attribute values and `<title>` text cannot open an element.
pub fn start_tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let b = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' || i + 1 >= b.len() || !(b[i + 1] as char).is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        i += 1;
        let name_start = i;
        while i < b.len() && !(b[i] as char).is_whitespace() && b[i] != b'>' && b[i] != b'/' {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while i < b.len() && ((b[i] as char).is_whitespace() || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                i += 1;
                break;
            }
            let a = i;
            while i < b.len() && !(b[i] as char).is_whitespace() && b[i] != b'=' && b[i] != b'>' {
                i += 1;
            }
            let key = html[a..i].to_ascii_lowercase();
            let mut value = String::new();
            if i < b.len() && b[i] == b'=' {
                i += 1;
                if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                    let q = b[i];
                    let v = i + 1;
                    i = v;
                    while i < b.len() && b[i] != q {
                        i += 1;
                    }
                    value = html[v..i.min(b.len())].to_string();
                    i += 1;
                } else {
                    let v = i;
                    while i < b.len() && !(b[i] as char).is_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                    value = html[v..i].to_string();
                }
            }
            attrs.push((key, value));
        }
        if name == "title" || name == "textarea" {
            // Raw text: skip to the end tag.
            let close = format!("</{name}");
            i = html[i..].find(&close).map(|p| i + p).unwrap_or(b.len());
        }
        tags.push((name, attrs));
    }
    tags
}

/// Panics if the page has anything that could run a script: a script element, an event
/// handler attribute, or a `javascript:` URL.
pub fn assert_no_active_content(page: &str, html: &str) {
    for (name, attrs) in start_tags(html) {
        // The theme's scripts, each from its own file: the portal's day counter and the team
        // site's search box.
        let theme_script = name == "script"
            && attrs.len() == 2
            && attrs.iter().any(|(k, v)| {
                k == "src" && (v.ends_with("assets/portal.js") || v.ends_with("assets/search.js"))
            })
            && attrs.iter().any(|(k, _)| k == "defer");
        assert!(
            theme_script || (name != "script" && name != "iframe" && name != "object"),
            "{page}: <{name}> element"
        );
        for (key, value) in attrs {
            assert!(
                !key.starts_with("on"),
                "{page}: event handler {key} on <{name}>"
            );
            assert!(
                !value.trim().to_ascii_lowercase().starts_with("javascript:"),
                "{page}: javascript: URL"
            );
        }
    }
}
