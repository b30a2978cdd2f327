//! **write::staging**: where a build keeps what it has not put in place yet, and how two
//! builds into one folder stay out of each other's way.
//!
//! - A lock: `.hundred-lock` at the output root, locked (an advisory lock the operating system
//!   releases when the process ends, even by `kill -9`) while a build writes. A second build
//!   into the same folder stops with a clear message instead of mixing its files in.
//! - A staging folder per build, `.hundred-stage-<pid>-<nanoseconds>` at the output root, on
//!   the same file system as every target so that renaming out of it is atomic. Its name cannot
//!   collide with another build's; it is removed when the build ends, however it ends, and a
//!   build that holds the lock removes any left by a killed one.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{manifest, WriteError};

/// The lock file's name at the output root.
pub(crate) const LOCK: &str = ".hundred-lock";

const STAGE_PREFIX: &str = ".hundred-stage-";

/// Whether a name at the output root is one of hundred's own bookkeeping files.
pub(crate) fn is_own_top_level(name: &str) -> bool {
    name == manifest::NAME || name == LOCK || name.starts_with(STAGE_PREFIX)
}

/// Whether a file name is a temporary file of an older hundred, which wrote `.<name>.hundred-new`
/// beside each target (and `hundred pdf` did until now): a leftover of a killed build.
pub(crate) fn is_old_temporary(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".hundred-new")
}

/// The lock on an output folder, held until dropped.
pub(crate) struct Lock {
    _file: fs::File,
}

/// Takes the lock on `output`, or says another hundred holds it.
pub(crate) fn lock(output: &Path) -> Result<Lock, WriteError> {
    let path = output.join(LOCK);
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| WriteError::io("create the lock file", &path, source))?;
    match file.try_lock() {
        Ok(()) => Ok(Lock { _file: file }),
        Err(fs::TryLockError::WouldBlock) => Err(WriteError::Busy {
            output: output.to_path_buf(),
        }),
        Err(fs::TryLockError::Error(source)) => Err(WriteError::io("lock", &path, source)),
    }
}

/// Removes staging folders that builds killed part-way left at `output`'s root. Only call it
/// while holding the lock: then no live build owns one.
pub(crate) fn remove_leftover_stages(output: &Path) {
    let Ok(entries) = fs::read_dir(output) else {
        return;
    };
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(STAGE_PREFIX)
        {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// One build's staging folder; removed, with whatever is still in it, when dropped.
pub(crate) struct Staging {
    dir: PathBuf,
}

impl Staging {
    pub(crate) fn new(output: &Path) -> Result<Staging, WriteError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir = output.join(format!("{STAGE_PREFIX}{}-{nanos}", std::process::id()));
        fs::create_dir(&dir).map_err(|source| WriteError::io("create the folder", &dir, source))?;
        Ok(Staging { dir })
    }

    /// Where the file with this number is written before it is renamed into place.
    pub(crate) fn path(&self, n: usize) -> PathBuf {
        self.dir.join(n.to_string())
    }

    /// Writes `bytes` to `tmp`, a path from [`Staging::path`], in full or not at all.
    pub(crate) fn write(&self, tmp: &Path, bytes: &[u8]) -> io::Result<()> {
        use io::Write as _;
        let mut file = create_temporary(tmp)?;
        file.write_all(bytes)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Creates a temporary file. In a debug build (what `cargo test` runs), the environment
/// variable `HUNDRED_TEST_FAIL_WRITE=N` makes the Nth temporary file of the process fail as a
/// full disk does, after a partial write, so tests can check that nothing is left behind.
/// Release builds never read it.
pub(crate) fn create_temporary(path: &Path) -> io::Result<fs::File> {
    let mut file = fs::File::create(path)?;
    if fault_due("HUNDRED_TEST_FAIL_WRITE") {
        use io::Write as _;
        file.write_all(b"<!doctype html><p>half a pa")?;
        return Err(io::Error::from_raw_os_error(28));
    }
    Ok(file)
}

/// Renames a staged file over its target. In a debug build, `HUNDRED_TEST_FAIL_RENAME=N`
/// makes the Nth rename of the process fail, for tests of a build stopped half-way through
/// putting its files in place.
pub(crate) fn rename(from: &Path, to: &Path) -> io::Result<()> {
    if fault_due("HUNDRED_TEST_FAIL_RENAME") {
        return Err(io::Error::from_raw_os_error(5));
    }
    fs::rename(from, to)
}

#[cfg(debug_assertions)]
fn fault_due(var: &'static str) -> bool {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static COUNTS: Mutex<Option<HashMap<&'static str, usize>>> = Mutex::new(None);
    let Some(n) = std::env::var(var)
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    else {
        return false;
    };
    let mut counts = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
    let count = counts
        .get_or_insert_with(HashMap::new)
        .entry(var)
        .or_insert(0);
    *count += 1;
    *count == n
}

#[cfg(not(debug_assertions))]
fn fault_due(_var: &'static str) -> bool {
    false
}
