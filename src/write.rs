//! **write**: puts a finished build in place. Everything is written into a temporary folder
//! beside the output and swapped in only when complete, so a failed build leaves the previous
//! output as it was. Files whose bytes did not change keep their modification time, so sync
//! tools upload only what changed.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;

/// One output file: its route inside the output folder and where its bytes come from.
pub enum Content<'a> {
    Bytes(Vec<u8>),
    Borrowed(&'a [u8]),
    File(PathBuf),
    /// Made when it is written (a page rendered on the spot), so a build never holds every
    /// page in memory at once. An error aborts the write like any other.
    Made(Box<dyn Fn() -> io::Result<Vec<u8>> + Send + Sync + 'a>),
}

/// Refuses output folders that a mistake could make catastrophic: the site itself, a folder
/// that holds the site, the file system root, or a folder with files hundred did not write.
pub fn check_output_folder(site_root: &Path, output: &Path) -> Result<(), Diagnostic> {
    let site = fs::canonicalize(site_root).unwrap_or_else(|_| site_root.to_path_buf());
    let out = absolute(output);
    let refuse = |why: &str| {
        Err(Diagnostic::error(
            "hundred.toml",
            format!(
                "refusing to write the output to {}: {why}",
                output.display()
            ),
        )
        .help("choose an output folder of its own, e.g. `--output public` (the default)"))
    };
    if out.parent().is_none() {
        return refuse("it is the root of the file system");
    }
    if out == site {
        return refuse("it is the site folder itself");
    }
    if site.starts_with(&out) {
        return refuse("it contains the site's sources");
    }
    for source in [
        "team",
        "clients",
        "journey",
        "playbook",
        "static",
        "templates",
    ] {
        if out.starts_with(site.join(source)) {
            return refuse(&format!("it is inside the site's {source}/ folder"));
        }
    }
    if let Ok(entries) = fs::read_dir(&out) {
        let foreign: Vec<String> = entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != "portal" && n != "internal")
            .collect();
        if !foreign.is_empty() {
            return refuse(&format!(
                "it holds files hundred did not write ({}), which a build would delete",
                foreign.join(", ")
            ));
        }
    }
    Ok(())
}

fn absolute(p: &Path) -> PathBuf {
    // The folder may not exist yet: resolve its nearest existing ancestor.
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    let mut existing = abs.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (
            existing.file_name().map(|n| n.to_os_string()),
            existing.parent(),
        ) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = fs::canonicalize(&existing).unwrap_or(existing);
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    out
}

/// What a write changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    /// Files created or whose bytes changed.
    pub written: usize,
    /// Files left untouched because their bytes were already right.
    pub unchanged: usize,
    /// Files of an earlier build that the new one no longer has.
    pub removed: usize,
}

/// Makes `output` hold exactly `files`, in two phases so that a failure leaves the previous
/// output byte for byte as it was:
///
/// 1. every new or changed file is written to a hidden temporary file beside its target
///    (files whose bytes are already right are not touched, so they keep their modification
///    time); if anything fails, the temporary files and any folders made for them are removed;
/// 2. only when all were written, each is renamed over its target (an atomic step per file)
///    and files the new build no longer has are deleted.
///
/// Writing only what changed keeps rebuilds cheap; on a disk where creating and deleting files
/// is slow, replacing a whole tree of thousands of files each time costs seconds.
pub fn write_output(output: &Path, files: Vec<(String, Content)>) -> io::Result<WriteStats> {
    let previous: BTreeSet<String> = if output.exists() {
        crate::load::list_all_files(output)
            .into_iter()
            .map(|p| crate::load::slash_path(&p))
            .collect()
    } else {
        BTreeSet::new()
    };

    // Folders the new files need that do not exist yet, shallowest first.
    let mut needed: BTreeSet<PathBuf> = BTreeSet::new();
    for (route, _) in &files {
        let mut dir = Path::new(route).parent();
        while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
            if !needed.insert(d.to_path_buf()) {
                break;
            }
            dir = d.parent();
        }
    }
    let mut created: Vec<PathBuf> = Vec::new();
    let outcome = (|| -> io::Result<Vec<(PathBuf, PathBuf)>> {
        if !output.exists() {
            fs::create_dir_all(output)?;
            created.push(output.to_path_buf());
        }
        let mut ordered: Vec<&PathBuf> = needed.iter().collect();
        ordered.sort_by_key(|d| d.components().count());
        for d in ordered {
            let abs = output.join(d);
            if !abs.is_dir() {
                fs::create_dir(&abs)?;
                created.push(abs);
            }
        }
        let staged: Vec<io::Result<Option<(PathBuf, PathBuf)>>> = files
            .par_iter()
            .map(|(route, content)| stage_one(output, route, content))
            .collect();
        let mut renames = Vec::new();
        let mut first_error = None;
        for r in staged {
            match r {
                Ok(Some(pair)) => renames.push(pair),
                Ok(None) => {}
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            None => Ok(renames),
            Some(e) => {
                for (tmp, _) in &renames {
                    let _ = fs::remove_file(tmp);
                }
                Err(e)
            }
        }
    })();
    let renames = match outcome {
        Ok(r) => r,
        Err(e) => {
            // Leave no trace: temporary files are gone; remove the folders made for them.
            for d in created.iter().rev() {
                let _ = fs::remove_dir_all(d);
            }
            return Err(e);
        }
    };

    let written = renames.len();
    renames
        .par_iter()
        .try_for_each(|(tmp, target)| fs::rename(tmp, target))?;
    let keep: BTreeSet<&str> = files.iter().map(|(r, _)| r.as_str()).collect();
    let stale: Vec<&String> = previous
        .iter()
        .filter(|p| !keep.contains(p.as_str()))
        .collect();
    stale
        .par_iter()
        .try_for_each(|p| fs::remove_file(output.join(p.as_str())))?;
    remove_empty_dirs(output)?;
    Ok(WriteStats {
        written,
        unchanged: files.len() - written,
        removed: stale.len(),
    })
}

/// Writes one file beside its target, unless the target already has these bytes. Returns the
/// (temporary, target) pair to rename.
fn stage_one(
    output: &Path,
    route: &str,
    content: &Content,
) -> io::Result<Option<(PathBuf, PathBuf)>> {
    let target = output.join(route);
    let bytes: std::borrow::Cow<[u8]> = match content {
        Content::Bytes(b) => b.as_slice().into(),
        Content::Borrowed(b) => (*b).into(),
        Content::File(src) => fs::read(src)?.into(),
        Content::Made(make) => make()?.into(),
    };
    if let Ok(meta) = fs::metadata(&target) {
        if meta.is_file() && meta.len() == bytes.len() as u64 && fs::read(&target)? == *bytes {
            return Ok(None);
        }
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = target.with_file_name(format!(".{name}.hundred-new"));
    fs::write(&tmp, &bytes)?;
    Ok(Some((tmp, target)))
}

/// Removes folders left empty by deleted files (a deleted client's portal, say).
fn remove_empty_dirs(dir: &Path) -> io::Result<bool> {
    let mut empty = true;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            if remove_empty_dirs(&entry.path())? {
                fs::remove_dir(entry.path())?;
            } else {
                empty = false;
            }
        } else {
            empty = false;
        }
    }
    Ok(empty)
}
