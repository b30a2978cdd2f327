//! A folder of `.hundred-cache/` whose files are entries named by a 32-byte key: written
//! whole or not at all (a temporary file renamed into place), each checked on reading, so a
//! damaged or half-written entry is a miss, never wrong output. Photos
//! (`.hundred-cache/photos/`) and the search index (`.hundred-cache/search/`) each keep theirs
//! in one; an entry's contents are theirs to lay out.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

pub struct EntryCache {
    dir: PathBuf,
    /// The first bytes of every entry: which kind of entry, and its layout's version.
    magic: &'static [u8; 16],
}

/// A key as an entry's name: 64 lowercase hex digits.
pub fn hex(key: &[u8; 32]) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
}

impl EntryCache {
    pub fn new(dir: PathBuf, magic: &'static [u8; 16]) -> EntryCache {
        EntryCache { dir, magic }
    }

    pub fn path(&self, key: &[u8; 32]) -> PathBuf {
        self.dir.join(format!("{}.bin", hex(key)))
    }

    /// The body kept under `key`: the entry without its magic and checksum, unless the entry
    /// is missing, of another kind or damaged.
    pub fn read(&self, key: &[u8; 32]) -> Option<Vec<u8>> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        let (head, sum) = bytes.split_at(bytes.len().checked_sub(32)?);
        if Sha256::digest(head).as_slice() != sum {
            return None;
        }
        Some(head.strip_prefix(self.magic.as_slice())?.to_vec())
    }

    /// Keeps `body` under `key`: the magic, the body and a SHA-256 of both. A cache that
    /// cannot be written is no error: the next build makes the entry again.
    pub fn write(&self, key: &[u8; 32], body: &[u8]) {
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let mut entry = Vec::with_capacity(self.magic.len() + body.len() + 32);
        entry.extend(self.magic);
        entry.extend(body);
        let sum: [u8; 32] = Sha256::digest(&entry).into();
        entry.extend(sum);
        let path = self.path(key);
        // Threads of one build may write the same entry: each through a file of its own.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = path.with_extension(format!("tmp-{}-{n}", std::process::id()));
        let written = std::fs::write(&tmp, entry).is_ok();
        if !written || std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    /// Removes the entries whose name (a key in [`hex`]) `keep` refuses; other files are left.
    pub fn prune(&self, keep: impl Fn(&str) -> bool) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(key) = name.strip_suffix(".bin") else {
                continue;
            };
            let ours = key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit());
            if ours && !keep(key) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}
