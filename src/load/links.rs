//! Symbolic links in the site folder. A link is followed only while it stays where its folder
//! may reach: anything under `static/` is published to clients, so links there must stay inside
//! `static/`; links in every other source folder (and `hundred.toml`) must stay inside the site
//! folder. Otherwise `ln -s /etc/passwd static/passwd` would publish the file, and
//! `ln -s .. static/loop` would copy the internal notes into the portal.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

/// The folders and files whose content is internal: `static/` must never contain them.
const SOURCES: &[&str] = &[
    crate::config::CONFIG_FILE,
    "clients",
    "team",
    "journey",
    "playbook",
    "templates",
];

/// Files below `root/folder` (relative to that folder, sorted), skipping hidden files and
/// editor leftovers, and the findings about links that leave their area, loop or are broken.
pub(crate) fn walk(root: &Path, folder: &str) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let dir = root.join(folder);
    let Ok(site) = root.canonicalize() else {
        return (Vec::new(), Vec::new());
    };
    if std::fs::symlink_metadata(&dir).is_err() {
        return (Vec::new(), Vec::new());
    }
    let area = match area_of(root, &site, folder) {
        Ok(Some(area)) => area,
        Ok(None) => return (Vec::new(), Vec::new()),
        Err(d) => return (Vec::new(), vec![d]),
    };
    let published = folder == "static";
    let problems = RefCell::new(Vec::new());
    let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 {
                return true;
            }
            if super::is_ignored_name(&e.file_name().to_string_lossy()) {
                return false;
            }
            if !e.path_is_symlink() {
                return true;
            }
            match e.path().canonicalize() {
                Ok(target) if target.starts_with(&area) => true,
                Ok(target) => {
                    problems.borrow_mut().push(outside(
                        &rel(e.path()),
                        e.path(),
                        &target,
                        &site,
                        published,
                    ));
                    false
                }
                Err(_) => {
                    problems.borrow_mut().push(broken(&rel(e.path()), e.path()));
                    false
                }
            }
        })
        .filter_map(|entry| match entry {
            Ok(e) => Some(e),
            Err(err) => {
                let path = err.path().map(Path::to_path_buf).unwrap_or(dir.clone());
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                if name.is_some_and(|n| super::is_ignored_name(&n)) {
                    return None;
                }
                let d = if err.loop_ancestor().is_some() {
                    Diagnostic::error(
                        rel(&path),
                        "this link leads back into a folder that contains it (a loop)",
                    )
                    .help("remove the link: following it would copy the folder into itself forever")
                } else if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_symlink()) {
                    broken(&rel(&path), &path)
                } else {
                    Diagnostic::error(rel(&path), format!("cannot read this: {err}"))
                        .help("check the file's permissions")
                };
                problems.borrow_mut().push(d);
                None
            }
        })
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.path().strip_prefix(&dir).ok().map(Path::to_path_buf))
        .collect();
    files.sort();
    (files, problems.into_inner())
}

/// Checks one file that is read on its own (`hundred.toml`, or a content file watch mode
/// reloads): it may be a link, or sit in a linked folder, only if it resolves inside the site.
pub(crate) fn check_file(root: &Path, rel: &Path) -> Result<(), Diagnostic> {
    let path = root.join(rel);
    let (Ok(site), Ok(target)) = (root.canonicalize(), path.canonicalize()) else {
        // Missing files are reported by whoever reads them.
        return Ok(());
    };
    if target.starts_with(&site) {
        return Ok(());
    }
    // Name the link itself: the file, or the first folder on its way that is a link.
    let mut link = PathBuf::new();
    for part in rel.components() {
        link.push(part);
        if std::fs::symlink_metadata(root.join(&link)).is_ok_and(|m| m.is_symlink()) {
            break;
        }
    }
    Err(outside(&link, &root.join(&link), &target, &site, false))
}

/// Where links below `root/folder` may lead: the site folder, or for `static/` the folder
/// itself. `Ok(None)`: the folder does not exist. `static/` (or any source folder) may itself
/// be a link, within the same limits.
fn area_of(root: &Path, site: &Path, folder: &str) -> Result<Option<PathBuf>, Diagnostic> {
    let dir = root.join(folder);
    let resolved = match dir.canonicalize() {
        Ok(p) => p,
        Err(_) => return Err(broken(Path::new(folder), &dir)),
    };
    if !resolved.starts_with(site) {
        return Err(outside(
            Path::new(folder),
            &dir,
            &resolved,
            site,
            folder == "static",
        ));
    }
    if folder != "static" {
        return Ok(Some(site.to_path_buf()));
    }
    // `static/` is published whole: it must not be, or contain, the sources.
    let holds_sources = SOURCES.iter().any(|s| {
        root.join(s)
            .canonicalize()
            .is_ok_and(|p| p.starts_with(&resolved))
    });
    if resolved == site || holds_sources {
        return Err(Diagnostic::error(
            folder,
            format!(
                "`static` is a link to {}, which holds the site's own sources",
                shown_target(&dir)
            ),
        )
        .help(
            "static/ is copied into the client portal: make it a plain folder of files to publish",
        ));
    }
    Ok(Some(resolved))
}

fn outside(rel: &Path, path: &Path, target: &Path, site: &Path, published: bool) -> Diagnostic {
    let shown = shown_target(path);
    if published {
        let why = if target == site || site.starts_with(target) {
            "the site folder itself".to_string()
        } else if target.starts_with(site) {
            "a place outside static/".to_string()
        } else {
            "a place outside the site folder".to_string()
        };
        Diagnostic::error(
            rel,
            format!("this link points to {shown}, {why}; static/ is published to clients, so links in it must stay inside static/"),
        )
        .help("copy the file into static/ instead of linking to it, or remove the link")
    } else {
        Diagnostic::error(
            rel,
            format!("this link points to {shown}, outside the site folder"),
        )
        .help("copy the file into the site folder instead of linking to it, or remove the link")
    }
}

fn broken(rel: &Path, path: &Path) -> Diagnostic {
    Diagnostic::warning(
        rel,
        format!(
            "this link points to {}, which does not exist; it is skipped",
            shown_target(path)
        ),
    )
    .help("fix the link or remove it")
}

/// The link's target as written (`/etc/passwd`, `..`), which is what its author recognises.
fn shown_target(path: &Path) -> String {
    match std::fs::read_link(path) {
        Ok(t) => format!("`{}`", t.display()),
        Err(_) => "another place".to_string(),
    }
}
