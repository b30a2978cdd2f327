//! `hundred theme list` and `hundred theme eject`: the built-in theme's templates (and the
//! archetypes `hundred new` starts files from), and copying them into the site so they can be
//! changed. A site's `templates/portal/welcome.html` takes the place of the theme's
//! `portal/welcome.html` (see `src/templates.rs`); `archetypes/client.yaml` that of the
//! theme's client archetype (see `src/scaffold.rs`). A copy is the theme's file byte for
//! byte, so ejecting changes no page. A file already in the site is never overwritten: it is
//! skipped, and the report says so.

use std::path::{Path, PathBuf};

use crate::diagnostics::{suggest, Diagnostic, Diagnostics, Problems};

/// One file of the theme a site can take over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeFile {
    /// The name to give `eject`: `portal/welcome.html`, `archetypes/client.yaml`.
    pub name: String,
    /// Where the copy goes, relative to the site folder: `templates/portal/welcome.html`.
    pub file: PathBuf,
    /// Whether the site has that file already (and so uses it instead of the theme's).
    pub in_site: bool,
    pub text: &'static str,
}

/// Every template of the theme, then every archetype, with where each goes in the site at
/// `root`.
pub fn theme_files(root: &Path) -> Vec<ThemeFile> {
    let templates = crate::theme::templates().map(|(n, t)| (n.to_string(), "templates", n, t));
    let archetypes = crate::theme::archetypes()
        .map(|(n, t)| (format!("archetypes/{n}"), crate::scaffold::ARCHETYPES, n, t));
    let mut files: Vec<ThemeFile> = templates
        .chain(archetypes)
        .map(|(name, folder, rel, text)| {
            let file = Path::new(folder).join(rel);
            ThemeFile {
                in_site: root.join(&file).exists(),
                name,
                file,
                text,
            }
        })
        .collect();
    files.sort_by_key(|f| (f.name.starts_with("archetypes/"), f.name.clone()));
    files
}

/// What `eject` did with each file.
#[derive(Debug, Default)]
pub struct Ejected {
    /// Written, relative to the site folder.
    pub written: Vec<PathBuf>,
    /// Already in the site, so left as they are.
    pub skipped: Vec<PathBuf>,
}

/// Copies the theme files `names` (every template when empty) into the site at `root`,
/// skipping those the site has already. An unknown name stops it before anything is written.
pub fn eject(root: &Path, names: &[String]) -> Result<Ejected, Problems> {
    let fail = |d: Diagnostic| Problems::from(Diagnostics { items: vec![d] });
    if !root.join(crate::config::CONFIG_FILE).is_file() {
        return Err(fail(
            Diagnostic::error(
                crate::config::CONFIG_FILE,
                format!(
                    "there is no {} in {}: this is not a hundred site",
                    crate::config::CONFIG_FILE,
                    root.display()
                ),
            )
            .help("run this in your site's folder, or name it with --site DIR"),
        ));
    }
    let files = theme_files(root);
    let chosen: Vec<&ThemeFile> = if names.is_empty() {
        files
            .iter()
            .filter(|f| !f.name.starts_with("archetypes/"))
            .collect()
    } else {
        let mut chosen = Vec::new();
        let mut errors = Vec::new();
        for given in names {
            let name = normalise(given);
            match files.iter().find(|f| f.name == name) {
                Some(f) => {
                    if !chosen.contains(&f) {
                        chosen.push(f);
                    }
                }
                None => errors.push(unknown(given, &name, &files)),
            }
        }
        if !errors.is_empty() {
            return Err(Problems::from(Diagnostics { items: errors }));
        }
        chosen
    };
    let mut done = Ejected::default();
    for f in chosen {
        let path = root.join(&f.file);
        if path.exists() || path.symlink_metadata().is_ok() {
            done.skipped.push(f.file.clone());
            continue;
        }
        let write = || -> std::io::Result<()> {
            if let Some(parent) = path.parent() {
                crate::scaffold::inside(root, parent).map_err(std::io::Error::other)?;
                std::fs::create_dir_all(parent)?;
            }
            use std::io::Write as _;
            let mut out = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)?;
            out.write_all(f.text.as_bytes())
        };
        match write() {
            Ok(()) => done.written.push(f.file.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                done.skipped.push(f.file.clone())
            }
            Err(e) => {
                let mut d = Diagnostic::error(&f.file, format!("cannot write it: {e}"));
                if !done.written.is_empty() {
                    d = d.help(format!(
                        "{} file(s) were written before it: {}",
                        done.written.len(),
                        crate::write::some(
                            &done
                                .written
                                .iter()
                                .map(|p| crate::load::slash_path(p))
                                .collect::<Vec<_>>(),
                            10
                        )
                    ));
                }
                return Err(fail(d));
            }
        }
    }
    Ok(done)
}

/// A name as the user may write it: `templates/portal/welcome.html`, `portal/welcome`,
/// `portal\welcome.html` all mean `portal/welcome.html`.
fn normalise(given: &str) -> String {
    let name = given.trim().replace('\\', "/");
    let name = name.trim_start_matches("./");
    let name = name.strip_prefix("templates/").unwrap_or(name);
    let last = name.rsplit('/').next().unwrap_or(name);
    if name.starts_with("archetypes/") || last.contains('.') {
        name.to_string()
    } else {
        format!("{name}.html")
    }
}

fn unknown(given: &str, name: &str, files: &[ThemeFile]) -> Diagnostic {
    let d = Diagnostic::error("templates", format!("the theme has no template `{given}`"));
    let names = files.iter().map(|f| f.name.as_str());
    // Also match a bare file name (`welcome.html`) against the names' last parts.
    let by_file = files
        .iter()
        .filter(|f| f.name.rsplit('/').next() == Some(name))
        .map(|f| f.name.as_str())
        .collect::<Vec<_>>();
    let hint = match (by_file.as_slice(), suggest(name, names)) {
        ([one], _) => format!("did you mean `{one}`? "),
        ([_, _, ..], _) => format!("did you mean one of {}? ", by_file.join(", ")),
        ([], Some(s)) => format!("did you mean `{s}`? "),
        ([], None) => String::new(),
    };
    d.help(format!(
        "{hint}`hundred theme list` shows every template's name"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_written_several_ways() {
        for given in [
            "portal/welcome.html",
            "templates/portal/welcome.html",
            "portal/welcome",
            "./portal/welcome.html",
            "portal\\welcome.html",
        ] {
            assert_eq!(normalise(given), "portal/welcome.html", "{given}");
        }
        assert_eq!(
            normalise("archetypes/client.yaml"),
            "archetypes/client.yaml"
        );
    }

    #[test]
    fn the_theme_lists_templates_then_archetypes() {
        let files = theme_files(Path::new("/nonexistent"));
        assert!(files.iter().any(|f| f.name == "portal/welcome.html"
            && f.file == Path::new("templates/portal/welcome.html")));
        assert!(files
            .iter()
            .any(|f| f.name == "archetypes/client.yaml"
                && f.file == Path::new("archetypes/client.yaml")));
        let first_archetype = files
            .iter()
            .position(|f| f.name.starts_with("archetypes/"))
            .unwrap();
        assert!(files[first_archetype..]
            .iter()
            .all(|f| f.name.starts_with("archetypes/")));
    }

    #[test]
    fn unknown_names_get_a_suggestion() {
        let files = theme_files(Path::new("/nonexistent"));
        let d = unknown("portal/welcom.html", "portal/welcom.html", &files);
        assert!(d.help.unwrap().contains("`portal/welcome.html`"));
        let d = unknown("welcome.html", "welcome.html", &files);
        assert!(d.help.unwrap().contains("portal/welcome.html"));
    }
}
