//! **write::manifest**: the list of files hundred wrote into an output folder, kept at its
//! root as `.hundred-manifest`. A build deletes only files listed there, so anything else in
//! the folder (an `.htaccess`, a client's uploads) is left alone. The name starts with a dot so
//! directory listings and static servers skip it, and it sits beside `portal/` and `internal/`,
//! outside both published sites.
//!
//! The format is plain text: a header line with the format version, then one path per line,
//! relative to the output folder with `/` between names, sorted. `%`, line feeds and carriage
//! returns in a name are written `%25`, `%0A` and `%0D`.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::Path;

use super::WriteError;

/// The manifest's file name at the root of the output folder.
pub(crate) const NAME: &str = ".hundred-manifest";

const HEADER: &str =
    "# hundred manifest 1: the files hundred wrote here; a build deletes no others";

/// The routes listed in `output`'s manifest, or `None` when it has none (an output of an older
/// hundred, or a new folder).
pub(crate) fn read(output: &Path) -> Result<Option<BTreeSet<String>>, WriteError> {
    let path = output.join(NAME);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(WriteError::io("read", &path, source)),
    };
    parse(&text)
        .map(Some)
        .map_err(|why| WriteError::BadManifest { path, why })
}

fn parse(text: &str) -> Result<BTreeSet<String>, String> {
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return Err("its first line is not the header this hundred writes".into());
    }
    let mut routes = BTreeSet::new();
    for (i, line) in lines.enumerate().filter(|(_, l)| !l.is_empty()) {
        let route = unescape(line);
        // A manifest names files inside the output folder only: an entry that could reach
        // outside it must never be deleted.
        let inside = !route.starts_with('/')
            && !route.contains('\\')
            && route
                .split('/')
                .all(|part| !part.is_empty() && part != "." && part != "..");
        if !inside {
            return Err(format!(
                "line {} (`{line}`) is not a path inside the output folder",
                i + 2
            ));
        }
        routes.insert(route);
    }
    Ok(routes)
}

/// The manifest's bytes for `routes`.
pub(crate) fn format<'a>(routes: impl IntoIterator<Item = &'a str>) -> Vec<u8> {
    let sorted: BTreeSet<&str> = routes.into_iter().collect();
    let mut out = String::with_capacity(HEADER.len() + 40 * sorted.len());
    out.push_str(HEADER);
    out.push('\n');
    for route in sorted {
        out.push_str(&escape(route));
        out.push('\n');
    }
    out.into_bytes()
}

fn escape(route: &str) -> String {
    route
        .replace('%', "%25")
        .replace('\n', "%0A")
        .replace('\r', "%0D")
}

fn unescape(line: &str) -> String {
    line.replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%25", "%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_survive_a_round_trip() {
        let routes = [
            "portal/acme/index.html",
            "internal/odd%0A name.txt",
            "internal/two\nlines.txt",
        ];
        let text = String::from_utf8(format(routes)).unwrap();
        assert_eq!(text.lines().count(), 4);
        let back = parse(&text).unwrap();
        let expected: BTreeSet<String> = routes.iter().map(|r| r.to_string()).collect();
        assert_eq!(back, expected);
    }

    #[test]
    fn entries_outside_the_folder_are_refused() {
        for bad in ["../x", "/etc/passwd", "portal/../../x", "a//b", "./a"] {
            let text = format!("{HEADER}\n{bad}\n");
            assert!(parse(&text).is_err(), "{bad}");
        }
        assert!(parse("something else\nportal/x\n").is_err());
    }
}
