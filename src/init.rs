//! `hundred init`: writes the embedded starter site.

use std::fs;
use std::io;
use std::path::Path;

/// Writes the starter site into `dir`, which must be empty or not exist yet. Returns the
/// number of files written.
pub fn init_site(dir: &Path) -> io::Result<usize> {
    if dir.exists() && fs::read_dir(dir)?.next().is_some() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{} is not empty; choose a new folder so nothing is overwritten",
                dir.display()
            ),
        ));
    }
    let files = crate::theme::starter();
    for (rel, bytes) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(path, bytes)?;
    }
    for folder in ["templates", "static"] {
        fs::create_dir_all(dir.join(folder))?;
    }
    Ok(files.len())
}
