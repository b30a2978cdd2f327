//! **write**: puts a finished build in place. Everything is written into a temporary folder
//! beside the output and swapped in only when complete, so a failed build leaves the previous
//! output as it was. Files whose bytes did not change keep their modification time, so sync
//! tools upload only what changed.

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

/// Writes `files` as the new content of `output`, atomically replacing what was there.
pub fn write_output(output: &Path, files: Vec<(String, Content)>) -> io::Result<usize> {
    let output = absolute(output);
    let parent = output.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.hundred-new-{pid}"));
    let retired = parent.join(format!(".{name}.hundred-old-{pid}"));
    let _ = fs::remove_dir_all(&staging);

    let result = stage(&output, &staging, &files);
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    if output.exists() {
        fs::rename(&output, &retired)?;
        if let Err(e) = fs::rename(&staging, &output) {
            // Put the old output back rather than leave nothing.
            let _ = fs::rename(&retired, &output);
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
        fs::remove_dir_all(&retired)?;
    } else {
        fs::rename(&staging, &output)?;
    }
    Ok(files.len())
}

fn stage(output: &Path, staging: &Path, files: &[(String, Content)]) -> io::Result<()> {
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .filter_map(|(route, _)| Path::new(route).parent().map(|p| staging.join(p)))
        .collect();
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        fs::create_dir_all(d)?;
    }
    fs::create_dir_all(staging)?;
    files.par_iter().try_for_each(|(route, content)| {
        let target = staging.join(route);
        let bytes: std::borrow::Cow<[u8]> = match content {
            Content::Bytes(b) => b.as_slice().into(),
            Content::Borrowed(b) => (*b).into(),
            Content::File(src) => fs::read(src)?.into(),
        };
        fs::write(&target, &bytes)?;
        keep_old_mtime_if_unchanged(&output.join(route), &target, &bytes)
    })
}

fn keep_old_mtime_if_unchanged(old: &Path, new: &Path, bytes: &[u8]) -> io::Result<()> {
    let Ok(meta) = fs::metadata(old) else {
        return Ok(());
    };
    if meta.len() != bytes.len() as u64 {
        return Ok(());
    }
    if fs::read(old)? == bytes {
        let f = fs::File::options().write(true).open(new)?;
        f.set_modified(meta.modified()?)?;
    }
    Ok(())
}
