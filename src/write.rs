//! **write**: puts a finished build in place. Each new or changed file is written to a
//! temporary file beside its target, and all are renamed into place only when every one was
//! written, so a failed build leaves the previous output as it was. Files whose bytes did not
//! change keep their modification time, so sync tools upload only what changed.

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
    /// Made straight into the file as it is written, for files too large to hold in memory
    /// first; compared with the existing file on the way, so an unchanged one is not touched.
    Streamed(Box<MakeInto<'a>>),
}

/// Writes a file's bytes into the writer it is given.
pub type MakeInto<'a> = dyn Fn(&mut dyn io::Write) -> io::Result<()> + Send + Sync + 'a;

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
    // What the previous build left, to delete what this one no longer has. Listing thousands
    // of files is slow on some disks (150 ms for 14,000 here), so it runs beside the writing;
    // the temporary files that writing makes meanwhile are not part of it.
    let list_previous = |output: &Path| -> BTreeSet<String> {
        crate::load::list_all_files(output)
            .into_iter()
            .map(|p| crate::load::slash_path(&p))
            .filter(|p| !p.ends_with(".hundred-new"))
            .collect()
    };
    let previous = output.exists().then(|| {
        let output = output.to_path_buf();
        std::thread::spawn(move || list_previous(&output))
    });

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

    let previous = match previous {
        Some(listing) => listing.join().unwrap_or_else(|_| list_previous(output)),
        None => BTreeSet::new(),
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
    if let Content::Streamed(make) = content {
        return stage_streamed(target, make);
    }
    let bytes: std::borrow::Cow<[u8]> = match content {
        Content::Bytes(b) => b.as_slice().into(),
        Content::Borrowed(b) => (*b).into(),
        Content::File(src) => fs::read(src)?.into(),
        Content::Made(make) => make()?.into(),
        Content::Streamed(_) => unreachable!("handled above"),
    };
    if let Ok(meta) = fs::metadata(&target) {
        if meta.is_file() && meta.len() == bytes.len() as u64 && fs::read(&target)? == *bytes {
            return Ok(None);
        }
    }
    let tmp = temporary_path(&target);
    fs::write(&tmp, &bytes)?;
    Ok(Some((tmp, target)))
}

/// Where a file is written before it is renamed over `target`.
fn temporary_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.hundred-new"))
}

/// [`stage_one`] for a file made as it is written.
fn stage_streamed(target: PathBuf, make: &MakeInto<'_>) -> io::Result<Option<(PathBuf, PathBuf)>> {
    use io::Write as _;
    let mut writer = io::BufWriter::with_capacity(1 << 16, ChangeWriter::new(&target)?);
    let made = make(&mut writer).and_then(|()| writer.flush());
    let (changes, unflushed) = writer.into_parts();
    match made {
        Ok(()) if unflushed.is_ok() => changes.finish(target),
        Ok(()) => {
            changes.discard();
            Err(io::Error::other("the page was not written in full"))
        }
        Err(e) => {
            changes.discard();
            Err(e)
        }
    }
}

/// A writer that writes nothing while the bytes match the file already at the target. At the
/// first difference it copies the matching part to a temporary file and goes on there, so an
/// unchanged file is read but never written, and a changed one is written once.
struct ChangeWriter {
    tmp: PathBuf,
    existing: Option<io::BufReader<fs::File>>,
    /// Bytes written so far that matched the existing file.
    matched: u64,
    out: Option<fs::File>,
    scratch: Vec<u8>,
}

impl ChangeWriter {
    fn new(target: &Path) -> io::Result<Self> {
        let existing = match fs::File::open(target) {
            Ok(f) if f.metadata()?.is_file() => Some(io::BufReader::with_capacity(1 << 16, f)),
            _ => None,
        };
        Ok(ChangeWriter {
            tmp: temporary_path(target),
            existing,
            matched: 0,
            out: None,
            scratch: Vec::new(),
        })
    }

    /// Switches to writing the temporary file, starting with the part that matched.
    fn diverge(&mut self) -> io::Result<&mut fs::File> {
        if self.out.is_none() {
            let mut out = fs::File::create(&self.tmp)?;
            if let Some(existing) = self.existing.take() {
                let mut file = existing.into_inner();
                io::Seek::rewind(&mut file)?;
                io::copy(&mut io::Read::take(file, self.matched), &mut out)?;
            }
            self.out = Some(out);
        }
        Ok(self.out.as_mut().expect("just made"))
    }

    /// The (temporary, target) pair to rename, or `None` when the file did not change.
    fn finish(mut self, target: PathBuf) -> io::Result<Option<(PathBuf, PathBuf)>> {
        if self.out.is_none() {
            // Unchanged only if the existing file has nothing more after what matched.
            let at_end = match &mut self.existing {
                Some(existing) => io::Read::read(existing, &mut [0u8])? == 0,
                None => false,
            };
            if at_end {
                return Ok(None);
            }
            self.diverge()?;
        }
        Ok(Some((self.tmp, target)))
    }

    /// Removes the temporary file, if one was started.
    fn discard(self) {
        if self.out.is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

impl io::Write for ChangeWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if let Some(existing) = &mut self.existing {
            self.scratch.resize(data.len(), 0);
            let mut filled = 0;
            while filled < data.len() {
                match io::Read::read(existing, &mut self.scratch[filled..])? {
                    0 => break,
                    n => filled += n,
                }
            }
            if filled == data.len() && self.scratch[..filled] == *data {
                self.matched += data.len() as u64;
                return Ok(data.len());
            }
        }
        self.diverge()?.write_all(data)?;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.out {
            Some(out) => out.flush(),
            None => Ok(()),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Streams `new` (in uneven pieces, as a template engine writes) over a target that
    /// holds `old` (or nothing), and returns whether a rename was staged and what the
    /// temporary file holds.
    fn stream(old: Option<&[u8]>, new: &[u8]) -> (bool, Option<Vec<u8>>) {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("page.html");
        if let Some(old) = old {
            fs::write(&target, old).unwrap();
        }
        let make = |out: &mut dyn io::Write| {
            for piece in new.chunks(7) {
                out.write_all(piece)?;
            }
            Ok(())
        };
        let staged = stage_streamed(target.clone(), &make).unwrap();
        let tmp = temporary_path(&target);
        let written = fs::read(&tmp).ok();
        assert_eq!(
            staged.is_some(),
            written.is_some(),
            "staged iff a file was written"
        );
        if let Some(old) = old {
            assert_eq!(
                fs::read(&target).unwrap(),
                old,
                "the target is not touched yet"
            );
        }
        (staged.is_some(), written)
    }

    #[test]
    fn an_unchanged_streamed_file_is_not_written() {
        let page: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        assert_eq!(stream(Some(&page), &page), (false, None));
        assert_eq!(stream(Some(b""), b""), (false, None));
    }

    #[test]
    fn a_changed_streamed_file_is_written_whole() {
        let page: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let mut changed = page.clone();
        changed[500_000] ^= 1;
        for (old, new) in [
            (None, &page[..]),
            (Some(&page[..]), &changed[..]),
            (Some(&page[..]), &page[..page.len() - 1]),
            (Some(&page[..page.len() - 1]), &page[..]),
            (Some(&page[..]), b""),
        ] {
            let (staged, written) = stream(old, new);
            assert!(staged);
            assert_eq!(written.as_deref(), Some(new));
        }
    }

    #[test]
    fn a_failed_streamed_file_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("page.html");
        fs::write(&target, b"old").unwrap();
        let make = |out: &mut dyn io::Write| {
            // More than the write buffer, so a temporary file was started.
            out.write_all(&[b'x'; 200_000])?;
            Err(io::Error::other("the template failed"))
        };
        assert!(stage_streamed(target.clone(), &make).is_err());
        assert_eq!(fs::read(&target).unwrap(), b"old");
        assert!(!temporary_path(&target).exists());
    }
}
