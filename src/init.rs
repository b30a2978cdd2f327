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
    // The starter's portal is private: it needs a secret, which must never be committed.
    fs::write(dir.join(crate::private::SECRET_FILE), new_secret()?)?;
    fs::write(dir.join(".gitignore"), GITIGNORE)?;
    Ok(files.len() + 2)
}

/// What `hundred init` keeps out of version control.
const GITIGNORE: &str = "\
# The site secret opens every client's private portal: keep it out of version control and
# give it to the machines that build the site (or set HUNDRED_SECRET there instead).
.hundred-secret
# What `hundred build` writes, and `hundred build --preview` (unencrypted: never publish it).
/public/
/preview/
# Team photos made into their sizes, kept between builds (safe to delete).
/.hundred-cache/
";

/// A new site secret: 256 random bits from the operating system, in base64url, on one line.
fn new_secret() -> io::Result<String> {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| io::Error::other(format!("no random numbers: {e}")))?;
    Ok(format!(
        "{}\n",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}
