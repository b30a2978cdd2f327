//! **write::survey**: what is in an output folder, and what a build must change there. All of
//! it is decided before anything in the folder changes, so a file hundred did not write that
//! stands where hundred must put one of its own stops the build with nothing touched, and a
//! folder that must become a file (or the reverse) is known before the first rename.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::staging;

/// What an output folder holds, by `/`-separated path relative to it.
#[derive(Debug, Default)]
pub(crate) struct Survey {
    pub files: BTreeSet<String>,
    pub dirs: BTreeSet<String>,
    /// Symbolic links and anything else that is neither a file nor a folder: never hundred's,
    /// never deleted, never written through.
    pub others: BTreeSet<String>,
    /// Temporary files of killed builds of older versions, to delete.
    pub leftovers: Vec<PathBuf>,
}

/// Lists `output`, leaving out hundred's own bookkeeping at its root.
pub(crate) fn survey(output: &Path) -> Survey {
    let mut found = Survey::default();
    let walk = walkdir::WalkDir::new(output)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| {
            e.depth() != 1 || !staging::is_own_top_level(&e.file_name().to_string_lossy())
        });
    for entry in walk.filter_map(Result::ok) {
        let Ok(rel) = entry.path().strip_prefix(output) else {
            continue;
        };
        let route = crate::load::slash_path(rel);
        let kind = entry.file_type();
        if kind.is_dir() {
            found.dirs.insert(route);
        } else if kind.is_file() {
            if staging::is_old_temporary(&entry.file_name().to_string_lossy()) {
                found.leftovers.push(entry.into_path());
            } else {
                found.files.insert(route);
            }
        } else {
            found.others.insert(route);
        }
    }
    found
}

/// Why a build cannot put one of its files in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// What is in the way, relative to the output folder.
    pub path: String,
    pub why: String,
}

/// What a build changes in an output folder besides writing its files.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    /// hundred's own files to delete before the renames, because they stand where a folder
    /// must go or inside a folder that must become a file.
    pub clear_files: Vec<String>,
    /// Folders that must become files: emptied by `clear_files`, removed (deepest first, with
    /// their empty sub-folders) before the renames.
    pub clear_dirs: Vec<String>,
    /// Folders to create before the renames, shallowest first.
    pub create_dirs: Vec<String>,
    /// hundred's own files the build no longer has, deleted after the renames.
    pub stale: Vec<String>,
    /// Files (and links) hundred did not write, left where they are.
    pub left: Vec<String>,
}

/// Decides what a build that produces `produced` changes in a folder that holds `found`, of
/// which `owned` are hundred's (the manifest, or every file when there is none).
pub(crate) fn plan(
    found: &Survey,
    owned: &BTreeSet<String>,
    produced: &BTreeSet<&str>,
) -> Result<Changes, Vec<Conflict>> {
    let mut changes = Changes::default();
    let mut conflicts = Vec::new();
    let ours = |p: &str| owned.contains(p) && found.files.contains(p);

    // Every folder the new files need.
    let mut needed: BTreeSet<&str> = BTreeSet::new();
    for route in produced {
        let mut rest = *route;
        while let Some((dir, _)) = rest.rsplit_once('/') {
            if !needed.insert(dir) {
                break;
            }
            rest = dir;
        }
    }
    for &dir in &needed {
        if produced.contains(dir) {
            conflicts.push(Conflict {
                path: dir.into(),
                why: "the build has both a file and a folder of this name".into(),
            });
        } else if found.files.contains(dir) {
            if ours(dir) {
                changes.clear_files.push(dir.into());
            } else {
                conflicts.push(Conflict {
                    path: dir.into(),
                    why: "a file hundred did not write is where the build needs a folder".into(),
                });
            }
        } else if found.others.contains(dir) {
            conflicts.push(Conflict {
                path: dir.into(),
                why: "a link or special file is where the build needs a folder".into(),
            });
        }
        if !found.dirs.contains(dir) {
            changes.create_dirs.push(dir.into());
        }
    }

    for &route in produced {
        if found.files.contains(route) && !ours(route) {
            conflicts.push(Conflict {
                path: route.into(),
                why: "a file hundred did not write is where the build puts one of its own".into(),
            });
        } else if found.others.contains(route) {
            conflicts.push(Conflict {
                path: route.into(),
                why: "a link or special file is where the build puts a file".into(),
            });
        } else if found.dirs.contains(route) {
            let prefix = format!("{route}/");
            let under = |set: &BTreeSet<String>| -> Vec<String> {
                set.range(prefix.clone()..)
                    .take_while(|p| p.starts_with(&prefix))
                    .cloned()
                    .collect()
            };
            let files = under(&found.files);
            let foreign: Vec<String> = files
                .iter()
                .filter(|f| !ours(f) || produced.contains(f.as_str()))
                .chain(&under(&found.others))
                .cloned()
                .collect();
            if foreign.is_empty() {
                changes.clear_files.extend(files);
                let mut dirs = under(&found.dirs);
                dirs.push(route.into());
                changes.clear_dirs.extend(dirs);
            } else {
                conflicts.push(Conflict {
                    path: route.into(),
                    why: format!(
                        "a folder is where the build puts a file, and it holds files hundred did not write ({})",
                        super::some(&foreign, 5)
                    ),
                });
            }
        }
    }
    if !conflicts.is_empty() {
        return Err(conflicts);
    }

    // Deepest first, so each folder is empty when its turn comes.
    changes
        .clear_dirs
        .sort_by_key(|d| std::cmp::Reverse(d.matches('/').count()));
    changes.create_dirs.sort_by_key(|d| d.matches('/').count());
    let cleared: BTreeSet<&String> = changes.clear_files.iter().collect();
    changes.stale = found
        .files
        .iter()
        .filter(|f| ours(f) && !produced.contains(f.as_str()) && !cleared.contains(f))
        .cloned()
        .collect();
    changes.left = found
        .files
        .iter()
        .filter(|f| !owned.contains(*f))
        .chain(&found.others)
        .cloned()
        .collect();
    changes.left.sort();
    Ok(changes)
}

/// Removes the folders that deleting `removed` emptied, deepest first, up to but not including
/// `output`. A folder that still holds anything (a file hundred did not write, say) stays.
pub(crate) fn prune_emptied(output: &Path, removed: &[String]) {
    let mut dirs: BTreeSet<&str> = BTreeSet::new();
    for route in removed {
        let mut rest = route.as_str();
        while let Some((dir, _)) = rest.rsplit_once('/') {
            if !dirs.insert(dir) {
                break;
            }
            rest = dir;
        }
    }
    let mut dirs: Vec<&str> = dirs.into_iter().collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.matches('/').count()));
    for dir in dirs {
        // Fails, harmlessly, unless the folder is empty.
        let _ = fs::remove_dir(output.join(dir));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn found(files: &[&str], dirs: &[&str]) -> Survey {
        Survey {
            files: set(files),
            dirs: set(dirs),
            ..Default::default()
        }
    }

    #[test]
    fn only_owned_files_are_stale() {
        let on_disk = found(&["a/old.html", "a/.htaccess", "a/new.html"], &["a"]);
        let owned = set(&["a/old.html", "a/new.html"]);
        let produced = BTreeSet::from(["a/new.html"]);
        let changes = plan(&on_disk, &owned, &produced).unwrap();
        assert_eq!(changes.stale, ["a/old.html"]);
        assert_eq!(changes.left, ["a/.htaccess"]);
        assert!(changes.clear_files.is_empty() && changes.create_dirs.is_empty());
    }

    #[test]
    fn a_folder_of_own_files_becomes_a_file() {
        let on_disk = found(&["s/x/a.txt", "s/x/b/c.txt"], &["s", "s/x", "s/x/b"]);
        let owned = on_disk.files.clone();
        let produced = BTreeSet::from(["s/x"]);
        let changes = plan(&on_disk, &owned, &produced).unwrap();
        assert_eq!(changes.clear_files, ["s/x/a.txt", "s/x/b/c.txt"]);
        assert_eq!(changes.clear_dirs, ["s/x/b", "s/x"]);
        assert!(changes.stale.is_empty());
        // The reverse: a file of its own where a folder must go.
        let on_disk = found(&["s/x"], &["s"]);
        let produced = BTreeSet::from(["s/x/a.txt"]);
        let changes = plan(&on_disk, &on_disk.files.clone(), &produced).unwrap();
        assert_eq!(changes.clear_files, ["s/x"]);
        assert_eq!(changes.create_dirs, ["s/x"]);
    }

    #[test]
    fn foreign_files_in_the_way_are_conflicts() {
        let on_disk = found(&["p/index.html", "s/x/mine.txt", "f"], &["p", "s", "s/x"]);
        let produced = BTreeSet::from(["p/index.html", "s/x", "f/a.html"]);
        let conflicts = plan(&on_disk, &BTreeSet::new(), &produced).unwrap_err();
        let paths: Vec<&str> = conflicts.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["f", "p/index.html", "s/x"]);
        assert!(conflicts[2].why.contains("s/x/mine.txt"));
        // A link is never written through, even without a manifest (everything owned).
        let mut on_disk = found(&["p/index.html"], &["p"]);
        on_disk.others.insert("p/assets".into());
        let produced = BTreeSet::from(["p/assets/site.css", "p/index.html"]);
        let owned = on_disk.files.clone();
        let conflicts = plan(&on_disk, &owned, &produced).unwrap_err();
        assert_eq!(conflicts.len(), 1);
        assert!(conflicts[0].why.contains("link"), "{conflicts:?}");
    }
}
