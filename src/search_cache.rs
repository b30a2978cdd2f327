//! The team site's search index, kept between builds in `.hundred-cache/search/`.
//!
//! Pagefind takes milliseconds a page and compresses every file it makes at its highest level,
//! so a site whose searched pages did not change (a rebuild after editing a portal sentence, a
//! calendar rule, a template the runbooks do not use) would spend most of its time remaking the
//! same index. The key is a SHA-256 of what Pagefind is given (each page's route and the text
//! it reads) and of the Pagefind and hundred versions, so the same key can only mean the same
//! index. One entry is kept: the newest.

use std::path::Path;

use sha2::{Digest, Sha256};

/// The cache's folder inside a site.
pub const DIR: &str = ".hundred-cache/search";

/// The first bytes of an entry.
const MAGIC: &[u8; 16] = b"hundred-search1\n";

/// An index's files: routes and bytes.
pub type IndexFiles = Vec<(String, Vec<u8>)>;

pub struct Cache(crate::entry_cache::EntryCache);

/// The key of the index made from `pages` (route and the HTML Pagefind reads).
pub fn key(pages: &[(String, String)]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(MAGIC);
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(b"\0pagefind 1.6\0");
    for (route, html) in pages {
        h.update((route.len() as u64).to_le_bytes());
        h.update(route.as_bytes());
        h.update((html.len() as u64).to_le_bytes());
        h.update(html.as_bytes());
    }
    h.finalize().into()
}

impl Cache {
    pub fn new(site_root: &Path) -> Cache {
        Cache(crate::entry_cache::EntryCache::new(
            site_root.join(DIR),
            MAGIC,
        ))
    }

    /// The index kept under `key`, unless it is missing or damaged.
    pub fn read(&self, key: &[u8; 32]) -> Option<IndexFiles> {
        decode(&self.0.read(key)?)
    }

    /// Keeps `files` under `key`, in place of any other entry.
    pub fn write(&self, key: &[u8; 32], files: &IndexFiles) {
        self.0.write(key, &encode(files));
        let kept = crate::entry_cache::hex(key);
        self.0.prune(|k| k == kept);
    }
}

/// An entry's body (after [`MAGIC`], before the checksum the cache adds): the number of files,
/// each file's route and bytes with their lengths.
fn encode(files: &IndexFiles) -> Vec<u8> {
    let size: usize = files.iter().map(|(r, b)| r.len() + b.len() + 12).sum();
    let mut out = Vec::with_capacity(4 + size);
    out.extend((files.len() as u32).to_le_bytes());
    for (route, bytes) in files {
        out.extend((route.len() as u32).to_le_bytes());
        out.extend(route.as_bytes());
        out.extend((bytes.len() as u64).to_le_bytes());
        out.extend(bytes);
    }
    out
}

fn decode(body: &[u8]) -> Option<IndexFiles> {
    let mut rest = body;
    let mut take = |n: usize| -> Option<&[u8]> {
        if rest.len() < n {
            return None;
        }
        let (a, b) = rest.split_at(n);
        rest = b;
        Some(a)
    };
    let count = u32::from_le_bytes(take(4)?.try_into().ok()?);
    let mut files = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let len = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
        let route = String::from_utf8(take(len)?.to_vec()).ok()?;
        let len = usize::try_from(u64::from_le_bytes(take(8)?.try_into().ok()?)).ok()?;
        files.push((route, take(len)?.to_vec()));
    }
    Some(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_reads_back_and_a_damaged_one_does_not() {
        let dir = std::env::temp_dir().join(format!("hundred-search-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let cache = Cache::new(&dir);
        let pages = [("internal/a/index.html".to_string(), "<p>a</p>".to_string())];
        let k = key(&pages);
        let files = vec![
            ("internal/pagefind/x.js".to_string(), b"x".to_vec()),
            ("internal/pagefind/y".to_string(), vec![0, 1, 2]),
        ];
        assert!(cache.read(&k).is_none());
        cache.write(&k, &files);
        assert_eq!(cache.read(&k), Some(files.clone()));
        // Another key replaces it.
        let other = key(&[("internal/a/index.html".to_string(), "<p>b</p>".to_string())]);
        assert_ne!(k, other);
        cache.write(&other, &files);
        assert!(cache.read(&k).is_none());
        // A damaged entry is a miss.
        let path = cache.0.path(&other);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[20] ^= 1;
        std::fs::write(&path, bytes).unwrap();
        assert!(cache.read(&other).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
