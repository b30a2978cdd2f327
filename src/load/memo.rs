//! **load::memo**: what each source file gave when it was last loaded, so `serve` re-reads only
//! the files that changed and still gets exactly what a fresh load would: every folder is
//! listed again on each rebuild (added, deleted and renamed files are found whatever the file
//! watcher reported), and a file is parsed again when its size, modification time or inode
//! changed, or when the watcher named it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Loaded;
use crate::model::{Chapter, Client, Log, Member, Touchpoint};

/// The memo of every kind of source file. The default remembers nothing: a one-off build
/// does not pay for copies it would never use.
#[derive(Default)]
pub(crate) struct Sources {
    pub(super) team: Memo<Arc<Member>>,
    pub(super) clients: Memo<Arc<Client>>,
    pub(super) journey: Memo<Arc<Touchpoint>>,
    pub(super) playbook: Memo<Arc<Chapter>>,
    pub(super) logs: Memo<Arc<Log>>,
    /// Files (relative to the site folder) to parse again whatever their stamp says: an
    /// editor may save twice within the clock's resolution with the same size.
    forced: HashSet<PathBuf>,
}

impl Sources {
    /// A memo that keeps what each load parsed, for the next one.
    pub(crate) fn remembering() -> Sources {
        let mut s = Sources::default();
        s.team.remember = true;
        s.clients.remember = true;
        s.journey.remember = true;
        s.playbook.remember = true;
        s.logs.remember = true;
        s
    }

    /// Makes the next load parse `files` (relative to the site folder) again.
    pub(crate) fn forget(&mut self, files: impl IntoIterator<Item = PathBuf>) {
        self.forced.extend(files);
    }

    /// The files to parse again, handed to one load.
    pub(super) fn take_forced(&mut self) -> HashSet<PathBuf> {
        std::mem::take(&mut self.forced)
    }
}

/// Per file: its stamp when it was parsed, and what parsing gave (an item and its warnings, or
/// its errors: a broken file stays broken until it changes).
pub(super) struct Memo<T> {
    /// Shared with the load that made it, so a file's result is copied once per load (into
    /// the site), not twice.
    entries: HashMap<PathBuf, (Stamp, Arc<Loaded<T>>)>,
    /// The folder's stamp when it was last listed, and what the listing gave. Adding,
    /// removing or renaming a file changes a folder's stamp.
    listed: Option<(Stamp, Entries)>,
    pub(super) remember: bool,
}

/// A content folder's files as (id, file relative to the site), and the findings about their
/// names and links.
pub(crate) type Entries = (Vec<(String, PathBuf)>, Vec<crate::diagnostics::Diagnostic>);

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo {
            entries: HashMap::new(),
            listed: None,
            remember: false,
        }
    }
}

impl<T> Memo<T> {
    /// The files of `folder`, listed again unless the folder's stamp is the one it had when
    /// last listed and the watcher named nothing inside it but files edited in place (a link
    /// made in a subfolder does not change the folder's own stamp).
    pub(super) fn listing(
        &mut self,
        root: &Path,
        kind: super::SourceKind,
        forced: &HashSet<PathBuf>,
    ) -> Entries {
        let folder = kind.folder();
        let list = || super::entries_of(kind, super::list_files(root, folder));
        if !self.remember {
            return list();
        }
        let stamp = Stamp::of(&root.join(folder));
        if let (Some(stamp), Some((old, listing))) = (&stamp, &self.listed) {
            // A file the watcher named counts as listed when it was listed before and is
            // still a file: an edit in place. Anything else (new, gone, in a subfolder) is
            // looked for again.
            let known =
                |f: &PathBuf| listing.0.iter().any(|(_, l)| l == f) && root.join(f).is_file();
            let unexplained = forced.iter().any(|f| f.starts_with(folder) && !known(f));
            if stamp == old && !unexplained {
                return listing.clone();
            }
        }
        let listing = list();
        self.listed = stamp.map(|s| (s, listing.clone()));
        listing
    }
}

impl<T: Clone> Memo<T> {
    /// What `file` gave last time, if its stamp is still `stamp`.
    pub(super) fn get(&self, file: &Path, stamp: &Option<Stamp>) -> Option<Arc<Loaded<T>>> {
        let (old, loaded) = self.entries.get(file)?;
        (stamp.as_ref() == Some(old)).then(|| Arc::clone(loaded))
    }

    /// Replaces the memo with this load's files: those no longer listed are forgotten.
    pub(super) fn replace(
        &mut self,
        entries: impl IntoIterator<Item = (PathBuf, Stamp, Arc<Loaded<T>>)>,
    ) {
        self.entries = entries
            .into_iter()
            .map(|(file, stamp, loaded)| (file, (stamp, loaded)))
            .collect();
    }
}

/// What tells that a file changed without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64, i64, i64),
}

impl Stamp {
    pub(super) fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            inode: {
                use std::os::unix::fs::MetadataExt;
                (meta.dev(), meta.ino(), meta.ctime(), meta.ctime_nsec())
            },
        })
    }
}
