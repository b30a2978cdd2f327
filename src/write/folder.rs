//! **write::folder**: which output folders hundred refuses. The decision is made on the path
//! as the user wrote it, resolved lexically (`site/new/../..` is the site's parent, whether or
//! not `site/new` exists), and made again on the real folder once it exists, so neither a `..`
//! past a missing folder nor a symbolic link can lead a build into the site or `/`.

use std::fs;
use std::path::{Component, Path, PathBuf};

use super::{manifest, staging, WriteError};
use crate::diagnostics::Diagnostic;

/// `path` made absolute against the current folder, with `.` and `..` resolved without
/// looking at the disk (`..` of `/` is `/`).
pub(crate) fn normalise(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                // Never above the root: `pop` keeps the root itself.
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Who named the output folder, so a refusal points at what to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputNamedBy {
    /// `-o` / `--output` on the command line.
    Option,
    /// `[build] output` in `hundred.toml`, written at this place.
    Setting(Option<crate::diagnostics::Position>),
    /// Nobody: the default folder.
    Default,
}

/// Checks the output folder a build was asked for and returns it normalised (see
/// [`normalise`]): the path every later step uses, so what was checked is what is written.
///
/// Refuses the site itself, a folder that holds the site, the file system root, a folder inside
/// the site's sources, a file, and a folder without a manifest (not written by this version of
/// hundred) that holds anything but `portal/` and `internal/` at its top level.
pub fn check_output_folder(
    site_root: &Path,
    output: &Path,
    named_by: OutputNamedBy,
) -> Result<PathBuf, Diagnostic> {
    let normal = normalise(output);
    // Name the folder as the user wrote it and, when that has `..` or `.` in it, as resolved.
    let shown = if output.is_absolute() && normal == output {
        output.display().to_string()
    } else {
        format!("{} ({})", output.display(), normal.display())
    };
    let refuse = |why: String| {
        match named_by {
        OutputNamedBy::Option => Diagnostic::error(
            "--output",
            format!("`-o`/`--output` names {shown}, which cannot be the output: {why}"),
        )
        .help("pass `-o` a folder of its own outside the site's sources, e.g. `-o public` (or leave `-o` out to write into the site's public/)"),
        OutputNamedBy::Setting(at) => Diagnostic::error(
            crate::config::CONFIG_FILE,
            format!("`output` in [build] names {shown}, which cannot be the output: {why}"),
        )
        .at(at)
        .help("set `output` to a folder of its own, e.g. output = \"public\" (the default), or pass `-o` a folder"),
        OutputNamedBy::Default => Diagnostic::error(
            output.display().to_string(),
            format!("refusing to write the output to {shown}: {why}"),
        )
        .help("pass `-o` a folder of its own, e.g. `-o ../site-output`"),
    }
    };
    if fs::metadata(&normal).is_ok_and(|m| !m.is_dir()) {
        return Err(refuse("it is a file, not a folder".into()));
    }
    if let Some(why) = refusal(site_root, &resolve_existing(&normal)) {
        return Err(refuse(why));
    }
    if !normal.join(manifest::NAME).is_file() {
        if let Ok(entries) = fs::read_dir(&normal) {
            let mut foreign: Vec<String> = entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n != "portal" && n != "internal" && !staging::is_own_top_level(n))
                .collect();
            foreign.sort();
            if !foreign.is_empty() {
                return Err(refuse(format!(
                    "it holds files hundred did not write ({}), which a build would delete",
                    foreign.join(", ")
                )));
            }
        }
    }
    Ok(normal)
}

/// Why `out` (absolute, symbolic links in its existing part resolved) must not be the output,
/// if it must not.
fn refusal(site_root: &Path, out: &Path) -> Option<String> {
    let site = fs::canonicalize(site_root).unwrap_or_else(|_| normalise(site_root));
    if out.parent().is_none() {
        return Some("it is the root of the file system".into());
    }
    if out == site {
        return Some("it is the site folder itself".into());
    }
    if site.starts_with(out) {
        return Some("it contains the site's sources".into());
    }
    for source in crate::load::SourceKind::FOLDERS.map(|k| k.folder()) {
        if out.starts_with(site.join(source)) {
            return Some(format!("it is inside the site's {source}/ folder"));
        }
    }
    None
}

/// `normal` with its nearest existing ancestor's symbolic links resolved; the rest, which does
/// not exist yet, appended as it is (it has no `..` left to misread).
fn resolve_existing(normal: &Path) -> PathBuf {
    let mut existing = normal.to_path_buf();
    let mut rest = Vec::new();
    while fs::symlink_metadata(&existing).is_err() {
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

/// Creates `output` (already checked and normalised) with any missing parents, then checks the
/// real folder again. Returns the folders it created, outermost first, so a failed build can
/// remove them and leave no trace.
pub(crate) fn create(site_root: &Path, output: &Path) -> Result<Vec<PathBuf>, WriteError> {
    let mut missing = Vec::new();
    let mut dir = Some(output);
    while let Some(d) = dir.filter(|d| fs::symlink_metadata(d).is_err()) {
        missing.push(d.to_path_buf());
        dir = d.parent();
    }
    missing.reverse();
    let mut created = Vec::new();
    for d in missing {
        match fs::create_dir(&d) {
            Ok(()) => created.push(d),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(source) => {
                remove_created(&created);
                return Err(WriteError::io("create the folder", &d, source));
            }
        }
    }
    let real = fs::canonicalize(output).map_err(|source| {
        remove_created(&created);
        WriteError::io("open the folder", output, source)
    })?;
    if let Some(why) = refusal(site_root, &real) {
        remove_created(&created);
        return Err(WriteError::Refused {
            output: output.to_path_buf(),
            why: format!("it is {} on disk, and {why}", real.display()),
        });
    }
    Ok(created)
}

/// Removes folders [`create`] made, innermost first; only empty ones go.
pub(crate) fn remove_created(created: &[PathBuf]) {
    for d in created.iter().rev() {
        let _ = fs::remove_dir(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_dot_is_resolved_without_the_disk() {
        let cases = [
            ("/nonexistent/..", "/"),
            ("/..", "/"),
            ("/a/b/../../..", "/"),
            ("/site/new/../..", "/"),
            ("/site/public/../", "/site"),
            ("/site/./public/.", "/site/public"),
            ("/site/new/../out", "/site/out"),
        ];
        for (given, expected) in cases {
            assert_eq!(normalise(Path::new(given)), Path::new(expected), "{given}");
        }
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(normalise(Path::new("x/../y")), cwd.join("y"));
        assert_eq!(normalise(Path::new("..")), cwd.parent().unwrap());
    }

    #[test]
    fn a_link_into_the_sources_is_refused_once_it_exists() {
        let tmp = tempfile::tempdir().unwrap();
        let site = tmp.path().join("site");
        fs::create_dir_all(site.join("static")).unwrap();
        #[cfg(unix)]
        {
            let link = tmp.path().join("out");
            std::os::unix::fs::symlink(site.join("static"), &link).unwrap();
            let err = create(&site, &link).unwrap_err().to_string();
            assert!(err.contains("static/ folder"), "{err}");
        }
        let fine = tmp.path().join("a/b/public");
        let created = create(&site, &fine).unwrap();
        assert_eq!(created.len(), 3);
        remove_created(&created);
        assert!(!tmp.path().join("a").exists());
    }
}
