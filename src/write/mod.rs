//! **write**: puts a finished build in place, deleting only what hundred itself wrote.
//!
//! A build is written in two phases. First every new or changed file is written into a staging
//! folder inside the output, and the output is surveyed: what is there, which files hundred
//! wrote (its manifest says), and whether anything hundred did not write stands in the way.
//! Only when all of that succeeded is anything in the output changed: files are renamed into
//! place, and files of hundred's that the build no longer has are deleted. Files whose bytes did
//! not change keep their modification time, so sync tools upload only what changed.

mod change;
mod error;
mod folder;
mod manifest;
mod staging;
mod survey;

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;

pub use error::{WriteError, HALF_REPLACED};
pub use folder::{check_output_folder, OutputNamedBy};

/// An operating system error in words, without its number: "Permission denied", not
/// "Permission denied (os error 13)".
pub fn plain_io_error(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}
use staging::Staging;
use survey::{Changes, Survey};

/// One output file: its route inside the output folder and where its bytes come from.
pub enum Content<'a> {
    Borrowed(&'a [u8]),
    /// Made before the write began: a page the search index was made from, and the index.
    Owned(Vec<u8>),
    File(PathBuf),
    /// Made when it is written (a page rendered on the spot), so a build never holds every
    /// page in memory at once. A page that cannot be made stops the write before anything in
    /// the output changes, and every such page is reported.
    Made(Box<dyn Fn() -> Result<Vec<u8>, Diagnostic> + Send + Sync + 'a>),
    /// Made straight into the file as it is written, for files too large to hold in memory
    /// first; compared with the existing file on the way, so an unchanged one is not touched.
    Streamed(Box<MakeInto<'a>>),
}

/// Writes a file's bytes into the writer it is given.
pub type MakeInto<'a> = dyn Fn(&mut dyn io::Write) -> Result<(), Unmade> + Send + Sync + 'a;

/// Why a file made on the spot was not made: the page itself failed (a template error), or
/// writing it did.
#[derive(Debug)]
pub enum Unmade {
    Failed(Diagnostic),
    Io(io::Error),
}

impl From<io::Error> for Unmade {
    fn from(e: io::Error) -> Self {
        Unmade::Io(e)
    }
}

/// What a write changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteStats {
    /// Files created or whose bytes changed.
    pub written: usize,
    /// Files left untouched because their bytes were already right.
    pub unchanged: usize,
    /// Files of an earlier build that the new one no longer has.
    pub removed: usize,
    /// Files in the output that hundred did not write, left where they are, sorted.
    pub left: Vec<String>,
}

/// Makes `output` (checked by [`check_output_folder`]) hold `files`, removing the files of
/// earlier builds that it no longer has; a failure before the renames leaves the output as it
/// was, and one during them says which files were put in place and which were not.
///
/// hundred's files are those its manifest lists; without a manifest (an output of an older
/// hundred), every file in the folder. Files that are not hundred's are never deleted or
/// overwritten: one where the build must put a file or a folder stops the build, naming it.
#[cfg(test)]
pub fn write_output(
    site_root: &Path,
    output: &Path,
    files: Vec<(String, Content)>,
) -> Result<WriteStats, WriteError> {
    write_output_then(site_root, output, files, None)
}

/// Files made from what the other files' making left behind (the search index, from the pages
/// as they were rendered), once all of those are made.
pub type Later<'a> = dyn Fn() -> Result<Vec<(String, Vec<u8>)>, Vec<Diagnostic>> + Sync + 'a;

/// [`write_output`], with `later`'s files written with the rest (in the same two phases).
pub fn write_output_then(
    site_root: &Path,
    output: &Path,
    files: Vec<(String, Content)>,
    later: Option<&Later>,
) -> Result<WriteStats, WriteError> {
    let created = folder::create(site_root, output)?;
    let result = write_locked(output, &files, later);
    if result.is_err() && !created.is_empty() {
        // This build made the folder and failed before putting anything in it: leave no trace.
        let only_ours = fs::read_dir(output).is_ok_and(|entries| {
            entries
                .flatten()
                .all(|e| staging::is_own_top_level(&e.file_name().to_string_lossy()))
        });
        if only_ours {
            let _ = fs::remove_file(output.join(staging::LOCK));
            let _ = fs::remove_file(output.join(manifest::NAME));
            folder::remove_created(&created);
        }
    }
    result
}

fn write_locked(
    output: &Path,
    files: &[(String, Content)],
    later: Option<&Later>,
) -> Result<WriteStats, WriteError> {
    let _lock = staging::lock(output)?;
    staging::remove_leftover_stages(output);
    let previous = manifest::read(output)?;
    // Listing thousands of files is slow on some disks (150 ms for 14,000 here), so it runs
    // beside the writing; the staging folder is not part of it.
    let listing = {
        let output = output.to_path_buf();
        std::thread::spawn(move || survey::survey(&output))
    };
    let stage = Staging::new(output)?;

    // Phase 1: write every new or changed file into the staging folder.
    let mut staged: Vec<Result<bool, WriteError>> = files
        .par_iter()
        .enumerate()
        .map(|(i, (route, content))| {
            change::stage_one(&stage, &stage.path(i), &output.join(route), content)
        })
        .collect();
    let made_later: Vec<(String, Content)> = match later {
        Some(make) if staged.iter().all(Result::is_ok) => make()
            .map_err(|pages| WriteError::Unmade { pages })?
            .into_iter()
            .map(|(route, bytes)| (route, Content::Owned(bytes)))
            .collect(),
        _ => Vec::new(),
    };
    staged.extend(
        made_later
            .par_iter()
            .enumerate()
            .map(|(j, (route, content))| {
                change::stage_one(
                    &stage,
                    &stage.path(files.len() + j),
                    &output.join(route),
                    content,
                )
            })
            .collect::<Vec<_>>(),
    );
    let files: Vec<&(String, Content)> = files.iter().chain(&made_later).collect();
    let found = listing.join().unwrap_or_else(|_| survey::survey(output));
    for leftover in &found.leftovers {
        let _ = fs::remove_file(leftover);
    }
    let mut renames: Vec<(usize, &str)> = Vec::new();
    let (mut unmade, mut failure) = (Vec::new(), None);
    for (i, r) in staged.into_iter().enumerate() {
        match r {
            Ok(true) => renames.push((i, files[i].0.as_str())),
            Ok(false) => {}
            Err(WriteError::Unmade { pages }) => unmade.extend(pages),
            Err(e) => {
                failure.get_or_insert(e);
            }
        }
    }
    if !unmade.is_empty() {
        return Err(WriteError::Unmade { pages: unmade });
    }
    if let Some(e) = failure {
        return Err(e);
    }
    let produced: BTreeSet<&str> = files.iter().map(|(r, _)| r.as_str()).collect();
    let owned = previous.unwrap_or_else(|| found.files.clone());
    let changes =
        survey::plan(&found, &owned, &produced).map_err(|conflicts| WriteError::InTheWay {
            output: output.to_path_buf(),
            conflicts,
        })?;

    // Phase 2: put everything in place. The manifest first lists both what the output holds
    // of hundred's and what is coming, so a build stopped half-way still knows every file of
    // its own; once the old files are gone it lists just the new build.
    let kept: BTreeSet<&str> = owned
        .iter()
        .filter(|f| found.files.contains(*f))
        .map(String::as_str)
        .collect();
    set_manifest(output, &stage, kept.union(&produced).copied())?;
    put_in_place(output, &stage, &renames, &changes)?;
    for route in &changes.stale {
        let path = output.join(route);
        fs::remove_file(&path).map_err(|e| WriteError::io("remove", &path, e))?;
    }
    let removed: Vec<String> = changes
        .clear_files
        .iter()
        .chain(&changes.stale)
        .cloned()
        .collect();
    survey::prune_emptied(output, &removed);
    set_manifest(output, &stage, produced.iter().copied())?;
    Ok(WriteStats {
        written: renames.len(),
        unchanged: files.len() - renames.len(),
        removed: removed.len(),
        left: changes.left,
    })
}

/// Puts files made elsewhere (the PDFs of `hundred pdf`) into `output` beside a build, and
/// records them in its manifest, so that a later build, which does not make them, deletes
/// them. Like a build, it neither overwrites nor deletes files hundred did not write. Returns
/// each file's size.
pub fn add_files(output: &Path, files: &[(String, PathBuf)]) -> Result<Vec<u64>, WriteError> {
    let _lock = staging::lock(output)?;
    staging::remove_leftover_stages(output);
    let previous = manifest::read(output)?;
    let found: Survey = survey::survey(output);
    for leftover in &found.leftovers {
        let _ = fs::remove_file(leftover);
    }
    let stage = Staging::new(output)?;
    let mut sizes = Vec::with_capacity(files.len());
    for (i, (route, source)) in files.iter().enumerate() {
        let target = output.join(route);
        let bytes = fs::read(source).map_err(|e| WriteError::io("read", source, e))?;
        stage
            .write(&stage.path(i), &bytes)
            .map_err(|e| WriteError::io("write", &target, e))?;
        sizes.push(bytes.len() as u64);
    }
    let produced: BTreeSet<&str> = files.iter().map(|(r, _)| r.as_str()).collect();
    let owned = previous.unwrap_or_else(|| found.files.clone());
    let changes =
        survey::plan(&found, &owned, &produced).map_err(|conflicts| WriteError::InTheWay {
            output: output.to_path_buf(),
            conflicts,
        })?;
    // Everything else of hundred's stays: this adds, it does not replace.
    let kept = owned.iter().filter(|f| found.files.contains(*f));
    set_manifest(
        output,
        &stage,
        kept.map(String::as_str).chain(produced.iter().copied()),
    )?;
    let renames: Vec<(usize, &str)> = files
        .iter()
        .enumerate()
        .map(|(i, (r, _))| (i, r.as_str()))
        .collect();
    put_in_place(output, &stage, &renames, &changes)?;
    Ok(sizes)
}

/// The renaming phase: clears what stands in the way (hundred's own files only, as
/// [`survey::plan`] decided), creates the folders the new files need, and renames every staged
/// file over its target, all of them even if one fails, so a failure leaves as much of the new
/// build in place as it can and says exactly what is missing.
fn put_in_place(
    output: &Path,
    stage: &Staging,
    renames: &[(usize, &str)],
    changes: &Changes,
) -> Result<(), WriteError> {
    let not_started = |first: WriteError| WriteError::Unfinished {
        first: Box::new(first),
        done: Vec::new(),
        not_done: renames.iter().map(|(_, r)| r.to_string()).collect(),
    };
    for route in &changes.clear_files {
        let path = output.join(route);
        fs::remove_file(&path).map_err(|e| not_started(WriteError::io("remove", &path, e)))?;
    }
    for route in &changes.clear_dirs {
        let path = output.join(route);
        fs::remove_dir(&path).map_err(|e| not_started(WriteError::io("remove", &path, e)))?;
    }
    for route in &changes.create_dirs {
        let path = output.join(route);
        match fs::create_dir(&path) {
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
                return Err(not_started(WriteError::io("create the folder", &path, e)));
            }
            _ => {}
        }
    }
    let results: Vec<(&str, io::Result<()>)> = renames
        .par_iter()
        .map(|&(i, route)| (route, staging::rename(&stage.path(i), &output.join(route))))
        .collect();
    let mut done = Vec::new();
    let mut not_done = Vec::new();
    let mut first = None;
    for (route, result) in results {
        match result {
            Ok(()) => done.push(route.to_string()),
            Err(e) => {
                first.get_or_insert_with(|| WriteError::io("replace", &output.join(route), e));
                not_done.push(route.to_string());
            }
        }
    }
    match first {
        None => Ok(()),
        Some(first) => Err(WriteError::Unfinished {
            first: Box::new(first),
            done,
            not_done,
        }),
    }
}

/// Makes the manifest list `routes`, written whole to the staging folder and renamed into
/// place; not touched when it already does.
fn set_manifest<'a>(
    output: &Path,
    stage: &Staging,
    routes: impl IntoIterator<Item = &'a str>,
) -> Result<(), WriteError> {
    let bytes = manifest::format(routes);
    let path = output.join(manifest::NAME);
    if fs::read(&path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    let tmp = stage.path(usize::MAX);
    stage
        .write(&tmp, &bytes)
        .map_err(|e| WriteError::io("write", &path, e))?;
    fs::rename(&tmp, &path).map_err(|e| WriteError::io("replace", &path, e))
}

/// Up to `n` of `items`, joined with commas, and how many more there are.
pub(crate) fn some(items: &[String], n: usize) -> String {
    let mut out = items
        .iter()
        .take(n)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > n {
        out.push_str(&format!(" and {} more", items.len() - n));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> Content<'_> {
        Content::Borrowed(text.as_bytes())
    }

    fn tree(dir: &Path) -> Vec<String> {
        let mut all: Vec<String> = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .map(|e| {
                let e = e.unwrap();
                crate::load::slash_path(e.path().strip_prefix(dir).unwrap())
            })
            .collect();
        all.sort();
        all
    }

    #[test]
    fn a_rebuild_deletes_only_its_own_files() {
        let site = tempfile::tempdir().unwrap();
        let out = site.path().join("public");
        write_output(
            site.path(),
            &out,
            vec![
                ("portal/a/index.html".into(), page("a")),
                ("portal/b/index.html".into(), page("b")),
            ],
        )
        .unwrap();
        fs::create_dir_all(out.join("portal/b/uploads")).unwrap();
        fs::write(out.join("portal/b/uploads/contract.pdf"), "signed").unwrap();
        fs::write(out.join("portal/.htaccess"), "Require valid-user").unwrap();
        let stats = write_output(
            site.path(),
            &out,
            vec![("portal/a/index.html".into(), page("a"))],
        )
        .unwrap();
        assert_eq!((stats.written, stats.unchanged, stats.removed), (0, 1, 1));
        assert_eq!(
            stats.left,
            ["portal/.htaccess", "portal/b/uploads/contract.pdf"]
        );
        assert_eq!(
            tree(&out),
            [
                ".hundred-lock",
                ".hundred-manifest",
                "portal",
                "portal/.htaccess",
                "portal/a",
                "portal/a/index.html",
                "portal/b",
                "portal/b/uploads",
                "portal/b/uploads/contract.pdf",
            ]
        );
    }

    #[test]
    fn added_files_are_hundreds_until_a_build_drops_them() {
        // `hundred pdf` adds PDFs after a build; the next build, which does not make them,
        // deletes them, and nothing else of the folder's.
        let site = tempfile::tempdir().unwrap();
        let out = site.path().join("public");
        let build = || vec![("internal/print/index.html".into(), page("print me"))];
        write_output(site.path(), &out, build()).unwrap();
        let made = site.path().join("made.pdf");
        fs::write(&made, "%PDF-1.7").unwrap();
        let pdf = "internal/print/book.pdf".to_string();
        assert_eq!(
            add_files(&out, &[(pdf.clone(), made.clone())]).unwrap(),
            [8]
        );
        assert_eq!(fs::read(out.join(&pdf)).unwrap(), b"%PDF-1.7");
        assert!(fs::read_to_string(out.join(manifest::NAME))
            .unwrap()
            .contains("internal/print/book.pdf\n"));
        let stats = write_output(site.path(), &out, build()).unwrap();
        assert_eq!((stats.removed, stats.left.len()), (1, 0));
        assert!(!out.join(&pdf).exists());
        assert!(!tree(&out).iter().any(|p| p.contains(".hundred-stage")));

        // A PDF of the user's own at that place is neither overwritten nor recorded.
        fs::write(out.join(&pdf), "mine").unwrap();
        let err = add_files(&out, &[(pdf.clone(), made)]).unwrap_err();
        assert!(err.to_string().contains("internal/print/book.pdf"), "{err}");
        assert_eq!(fs::read(out.join(&pdf)).unwrap(), b"mine");
        assert!(!fs::read_to_string(out.join(manifest::NAME))
            .unwrap()
            .contains("book.pdf"));
    }

    #[test]
    fn a_failed_streamed_file_leaves_nothing_behind() {
        let site = tempfile::tempdir().unwrap();
        let out = site.path().join("public");
        write_output(site.path(), &out, vec![("p/x.html".into(), page("old"))]).unwrap();
        let before = tree(&out);
        let failing = Content::Streamed(Box::new(|out: &mut dyn io::Write| {
            // More than the write buffer, so a temporary file was started.
            out.write_all(&[b'x'; 200_000])?;
            Err(Unmade::Failed(Diagnostic::error(
                "p/x.html",
                "the template failed",
            )))
        }));
        let err = write_output(site.path(), &out, vec![("p/x.html".into(), failing)]);
        match err.unwrap_err() {
            WriteError::Unmade { pages } => assert_eq!(pages[0].message, "the template failed"),
            other => panic!("{other}"),
        }
        assert_eq!(tree(&out), before);
        assert_eq!(fs::read(out.join("p/x.html")).unwrap(), b"old");
    }
}
