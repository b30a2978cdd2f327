//! `hundred pdf`: turns each print page of a built site into a PDF beside it, with headless
//! Chromium. The print pages carry their own print design (covers, page breaks, running
//! footers, page numbers); Chromium only lays them out on paper, with an outline (bookmarks)
//! made from the page's headings.
//!
//! A page with links to places inside itself (a table of contents, "see …" references) is
//! printed twice: the first printing tells on which page each target landed (see
//! [`crate::pdf_pages`]), and the second sets `--page: "<n>"` on each link to it, which the
//! theme's print stylesheet shows ("Moments of truth … 12", "see Moments of truth, p. 12"). If
//! the numbers moved anything, it is printed once more.
//!
//! Chromium is found, in order: the `--chromium` path, the `HUNDRED_CHROMIUM` environment
//! variable, then `chromium`, `chromium-browser`, `google-chrome` on the `PATH`. Each document
//! is printed by its own Chromium process with a fresh profile folder, a few at a time, into a
//! temporary folder; only when every document printed are the PDFs moved into the output.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::build::PrintDocument;

/// How Chromium is run without a screen, a network or a profile of its own: the flags this
/// machine needs (its closed network refuses Chromium's background connections), shared with
/// the browser tests.
pub const HEADLESS_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// The environment variable that names the browser when `--chromium` is not given.
pub const CHROMIUM_ENV: &str = "HUNDRED_CHROMIUM";

/// Browser commands looked for on the `PATH`, in order.
pub const CANDIDATES: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];

/// How many Chromium processes print at once: each takes a few hundred megabytes.
pub const PARALLEL: usize = 2;

/// How long one document may take before its Chromium is stopped.
pub const TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "no Chromium found (looked for {} on the PATH): install Debian's chromium or pass --chromium PATH (on Debian: `apt-get install chromium`)",
        CANDIDATES.join(", ")
    )]
    NoChromium,
    #[error("the browser {} {why}: install Debian's chromium or pass --chromium with a working path", path.display())]
    BadChromium { path: PathBuf, why: String },
    #[error("could not print {page} to PDF: {why}")]
    Failed { page: String, why: String },
    #[error("could not put the PDFs in place: {why} ({help})")]
    Place { why: String, help: String },
    #[error("could not write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The browser to print with: `explicit` (from `--chromium`), else `env` (the value of
/// [`CHROMIUM_ENV`]), else the first of [`CANDIDATES`] found on `path` (the `PATH` value).
pub fn find_chromium(
    explicit: Option<&Path>,
    env: Option<OsString>,
    path: Option<OsString>,
) -> Result<PathBuf, PdfError> {
    let chosen = explicit
        .map(Path::to_path_buf)
        .or_else(|| env.filter(|v| !v.is_empty()).map(PathBuf::from));
    if let Some(p) = chosen {
        // A bare name (`chromium`) is looked up on the PATH like a shell would.
        let resolved = if p.components().count() == 1 {
            search_path(&p.to_string_lossy(), path.as_deref())
        } else {
            Some(p.clone())
        };
        return match resolved {
            Some(r) if is_executable(&r) => Ok(r),
            Some(r) if r.exists() => Err(PdfError::BadChromium {
                path: r,
                why: "is not an executable file".into(),
            }),
            _ => Err(PdfError::BadChromium {
                path: p,
                why: "does not exist".into(),
            }),
        };
    }
    CANDIDATES
        .iter()
        .find_map(|name| search_path(name, path.as_deref()))
        .ok_or(PdfError::NoChromium)
}

fn search_path(name: &str, path: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    std::env::split_paths(path?)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    let Ok(meta) = fs::metadata(p) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// What printing made.
#[derive(Debug, Clone)]
pub struct Printed {
    /// Route of the PDF inside the output folder.
    pub pdf: String,
    pub bytes: u64,
}

/// Prints every document of a site built into `output`, [`PARALLEL`] at a time. Nothing is
/// placed in the output unless all of them printed. `progress` is called as each finishes.
pub fn print_documents(
    chromium: &Path,
    output: &Path,
    documents: &[PrintDocument],
    sites: &[crate::pdf_links::PublishedAt],
    progress: &(dyn Fn(&Printed) + Sync),
) -> Result<Vec<Printed>, PdfError> {
    let output = fs::canonicalize(output).map_err(|source| PdfError::Io {
        path: output.to_path_buf(),
        source,
    })?;
    let scratch = Scratch::new().map_err(|source| PdfError::Io {
        path: std::env::temp_dir(),
        source,
    })?;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Result<PathBuf, PdfError>)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..PARALLEL.min(documents.len()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(doc) = documents.get(i) else { break };
                let work = scratch.path.join(format!("job-{i}"));
                let r = print_document(chromium, &output, doc, &work, sites)
                    .and_then(|pdf| seal_pdf(&pdf, doc).map(|()| pdf))
                    .map_err(|why| PdfError::Failed {
                        page: doc.page.clone(),
                        why,
                    });
                if let Ok(pdf) = &r {
                    progress(&Printed {
                        pdf: doc.pdf.clone(),
                        bytes: fs::metadata(pdf).map(|m| m.len()).unwrap_or(0),
                    });
                }
                results.lock().expect("no panics").push((i, r));
            });
        }
    });
    let mut results = results.into_inner().expect("no panics");
    results.sort_by_key(|(i, _)| *i);
    let mut made = Vec::with_capacity(results.len());
    for (i, r) in results {
        made.push((&documents[i], r?));
    }
    // Everything printed: put the PDFs beside their pages, staged and renamed so a reader
    // never sees half a file, and recorded in the output's manifest as hundred's, so that a
    // later build that does not print them deletes them.
    let files: Vec<(String, PathBuf)> = made
        .into_iter()
        .map(|(doc, tmp)| (doc.pdf.clone(), tmp))
        .collect();
    let sizes = crate::write::add_files(&output, &files).map_err(|e| PdfError::Place {
        why: e.to_string(),
        help: e.help(),
    })?;
    Ok(files
        .into_iter()
        .zip(sizes)
        .map(|((pdf, _), bytes)| Printed { pdf, bytes })
        .collect())
}

/// How many times a document is printed at most: once to see where its sections land, once
/// with their page numbers, and once more in the rare case the numbers moved a section.
pub const PASSES: usize = 3;

/// Prints `doc` into `work`, with page numbers filled in where its links lead (see the module's
/// documentation), its links into the output pointed at the published site, and an outline
/// made from its contents; returns the PDF.
fn print_document(
    chromium: &Path,
    output: &Path,
    doc: &PrintDocument,
    work: &Path,
    sites: &[crate::pdf_links::PublishedAt],
) -> Result<PathBuf, String> {
    let html = page_html(output, doc)?;
    let pdf = print_numbered(chromium, output, doc, work, &html)?;
    without_local_paths(&pdf, output, sites)?;
    with_outline(&pdf, &html)?;
    Ok(pdf)
}

/// Prints the page `html` of `doc` [`PASSES`] times at most, until the page numbers it shows
/// are those its sections landed on.
fn print_numbered(
    chromium: &Path,
    output: &Path,
    doc: &PrintDocument,
    work: &Path,
    html: &str,
) -> Result<PathBuf, String> {
    let published = output.join(&doc.page);
    let mut folder = file_url(published.parent().unwrap_or(output));
    if !folder.ends_with('/') {
        folder.push('/');
    }
    fs::create_dir_all(work).map_err(|e| e.to_string())?;
    let mut numbers: BTreeMap<String, u32> = BTreeMap::new();
    for pass in 1..=PASSES {
        let page = work.join("page.html");
        fs::write(&page, printable(html, &folder, &numbers))
            .map_err(|e| format!("cannot write {}: {e}", page.display()))?;
        let pdf = print_one(chromium, &page, work, TIMEOUT)?;
        let bytes = fs::read(&pdf).map_err(|e| format!("cannot read {}: {e}", pdf.display()))?;
        // A file this cannot read keeps the printing it has (without numbers, the first time).
        let landed = crate::pdf_pages::destination_pages(&bytes).unwrap_or_default();
        if landed.is_empty() || landed == numbers || pass == PASSES {
            return Ok(pdf);
        }
        numbers = landed;
    }
    unreachable!("the last pass returns")
}

/// The print page's HTML: as published, or for a private site's (published sealed) the page
/// opened with its key. It is printed from a copy outside the output, so nothing readable is
/// written there.
fn page_html(output: &Path, doc: &PrintDocument) -> Result<String, String> {
    let published = output.join(&doc.page);
    let bytes =
        fs::read(&published).map_err(|e| format!("cannot read {}: {e}", published.display()))?;
    let Some(sealed) = &doc.sealed else {
        return Ok(String::from_utf8_lossy(&bytes).into_owned());
    };
    let html = crate::shell::sealed_bytes(&bytes)
        .and_then(|bytes| sealed.cipher.open(&sealed.page, &bytes))
        .ok_or_else(|| format!("{} is not a page this build sealed", published.display()))?;
    Ok(String::from_utf8_lossy(&html).into_owned())
}

/// The page as it is printed from the scratch folder: a `<base>` pointing its stylesheets,
/// images and links back into the output folder `folder` (a `file://` URL ending in `/`), and
/// after its own styles, the page number each in-page link leads to. A link to `#id` resolves
/// against the base to the base's own address, so Chromium still prints it as a link inside
/// the document, and names a destination after its target.
fn printable(html: &str, folder: &str, numbers: &BTreeMap<String, u32>) -> String {
    let base = format!("<base href=\"{folder}\">");
    let mut out = match find_ascii_ci(html, "<head>") {
        Some(i) => format!("{}{base}{}", &html[..i + 6], &html[i + 6..]),
        None => format!("{base}{html}"),
    };
    if numbers.is_empty() {
        return out;
    }
    let mut style = String::from("<style>");
    for (id, n) in numbers {
        style.push_str(&format!(
            "a[href$=\"#{}\"]{{--page:\"{n}\"}}\n",
            css_string(id)
        ));
    }
    style.push_str("</style>");
    let at = find_ascii_ci(&out, "</head>")
        .or_else(|| find_ascii_ci(&out, "<body"))
        .unwrap_or(base.len());
    out.insert_str(at, &style);
    out
}

/// Where `needle` (ASCII) first occurs in `hay`, ignoring ASCII case.
fn find_ascii_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// `text` for the inside of a double-quoted CSS string in a `<style>` element: everything but
/// ASCII letters, digits, `-` and `_` as a CSS escape, so no quote, backslash, line break or
/// `<` (which could close the element) is left.
fn css_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            out.push(c);
        } else {
            out.push_str(&format!("\\{:x} ", u32::from(c)));
        }
    }
    out
}

/// Seals a private site's PDF as its print page is sealed, before it is placed beside it.
fn seal_pdf(pdf: &Path, doc: &PrintDocument) -> Result<(), String> {
    let Some(sealed) = &doc.sealed else {
        return Ok(());
    };
    let bytes = fs::read(pdf).map_err(|e| format!("cannot read {}: {e}", pdf.display()))?;
    fs::write(pdf, sealed.cipher.seal(&sealed.pdf, &bytes))
        .map_err(|e| format!("cannot write {}: {e}", pdf.display()))
}

/// Runs one Chromium on `page`, with its profile and output inside `work`; returns the PDF.
fn print_one(
    chromium: &Path,
    page: &Path,
    work: &Path,
    timeout: Duration,
) -> Result<PathBuf, String> {
    let profile = work.join("profile");
    fs::create_dir_all(&profile).map_err(|e| e.to_string())?;
    let pdf = work.join("out.pdf");
    let log = work.join("chromium.log");
    let log_file = fs::File::create(&log).map_err(|e| e.to_string())?;
    let mut cmd = Command::new(chromium);
    cmd.args(HEADLESS_FLAGS)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--no-pdf-header-footer")
        // Bookmarks from the page's headings.
        .arg("--generate-pdf-document-outline")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(file_url(page))
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().map_err(|e| e.to_string())?)
        .stderr(log_file);
    #[cfg(unix)]
    {
        // Its own process group, so a stuck browser can be stopped with all its helpers.
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", chromium.display()))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > timeout => {
                stop(&mut child);
                return Err(format!(
                    "Chromium did not finish within {} seconds",
                    timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(e.to_string()),
        }
    };
    let is_pdf = fs::read(&pdf)
        .map(|b| b.starts_with(b"%PDF-"))
        .unwrap_or(false);
    if status.success() && is_pdf {
        return Ok(pdf);
    }
    let said = fs::read_to_string(&log).unwrap_or_default();
    let tail: Vec<&str> = said
        .lines()
        .filter(|l| !l.trim().is_empty())
        .rev()
        .take(5)
        .collect();
    Err(format!(
        "Chromium {} and wrote no PDF{}",
        match status.code() {
            Some(0) => "finished".to_string(),
            Some(c) => format!("exited with status {c}"),
            None => "was stopped by a signal".to_string(),
        },
        if tail.is_empty() {
            String::new()
        } else {
            format!(
                "; it said:\n  {}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n  ")
            )
        }
    ))
}

/// Points the PDF's links into the output at the published site instead of this machine's
/// folders (see [`crate::pdf_links`]).
fn without_local_paths(
    pdf: &Path,
    output: &Path,
    sites: &[crate::pdf_links::PublishedAt],
) -> Result<(), String> {
    let bytes = fs::read(pdf).map_err(|e| format!("cannot read {}: {e}", pdf.display()))?;
    let mut output_url = file_url(output);
    if !output_url.ends_with('/') {
        output_url.push('/');
    }
    let fixed = crate::pdf_links::replace_local_links(&bytes, &output_url, sites);
    if fixed != bytes {
        fs::write(pdf, fixed).map_err(|e| format!("cannot write {}: {e}", pdf.display()))?;
    }
    Ok(())
}

/// Replaces the outline Chromium made from the headings by one made from the page's contents
/// (see [`crate::pdf_outline`]), where the page has contents.
fn with_outline(pdf: &Path, html: &str) -> Result<(), String> {
    let entries = crate::pdf_outline::contents(html);
    if entries.is_empty() {
        return Ok(());
    }
    let bytes = fs::read(pdf).map_err(|e| format!("cannot read {}: {e}", pdf.display()))?;
    if let Some(updated) = crate::pdf_outline::with_outline(&bytes, &entries) {
        fs::write(pdf, updated).map_err(|e| format!("cannot write {}: {e}", pdf.display()))?;
    }
    Ok(())
}

fn stop(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// `file://` URL of an absolute path, with everything but unreserved characters and `/`
/// percent-encoded.
pub fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    let text = path.to_string_lossy();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// A temporary folder, removed when dropped.
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn new() -> std::io::Result<Scratch> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!("hundred-pdf-{}-{nanos}", std::process::id()));
        fs::create_dir_all(&path)?;
        Ok(Scratch { path })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_are_percent_encoded() {
        assert_eq!(
            file_url(Path::new("/tmp/my site/print/index.html")),
            "file:///tmp/my%20site/print/index.html"
        );
        assert_eq!(file_url(Path::new("/a/#b?")), "file:///a/%23b%3F");
    }

    #[test]
    fn a_missing_browser_is_a_clear_error() {
        let empty = tempdir();
        let path = Some(empty.clone().into_os_string());
        let err = find_chromium(None, None, path.clone()).unwrap_err();
        assert!(matches!(err, PdfError::NoChromium));
        assert!(err.to_string().contains("install Debian's chromium"));
        assert!(err.to_string().contains("--chromium"));
        let err = find_chromium(Some(Path::new("/nowhere/chromium")), None, path.clone())
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nowhere/chromium does not exist"), "{err}");
        let err = find_chromium(None, Some("/nowhere/chrome".into()), path)
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nowhere/chrome"), "{err}");
        let _ = fs::remove_dir_all(empty);
    }

    #[cfg(unix)]
    #[test]
    fn browsers_are_found_in_order() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempdir();
        for name in ["google-chrome", "chromium-browser", "not-executable"] {
            let p = dir.join(name);
            fs::write(&p, "#!/bin/sh\n").unwrap();
            let mode = if name == "not-executable" {
                0o644
            } else {
                0o755
            };
            fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
        }
        let path = Some(dir.clone().into_os_string());
        assert_eq!(
            find_chromium(None, None, path.clone()).unwrap(),
            dir.join("chromium-browser")
        );
        assert_eq!(
            find_chromium(None, Some("google-chrome".into()), path.clone()).unwrap(),
            dir.join("google-chrome")
        );
        let err = find_chromium(Some(&dir.join("not-executable")), None, path)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not an executable"), "{err}");
        let _ = fs::remove_dir_all(dir);
    }

    fn tempdir() -> PathBuf {
        static N: AtomicUsize = AtomicUsize::new(0);
        let d = std::env::temp_dir().join(format!(
            "hundred-pdf-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        fs::create_dir_all(&d).unwrap();
        d
    }
}
