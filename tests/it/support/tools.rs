//! Programs some tests need besides hundred: Chromium for the browser and PDF tests, and
//! poppler-utils (`pdfinfo`, `pdftotext`) and qpdf to read and check the PDFs.
//!
//! Those tests are `#[ignore]`d with the reason, so a plain `cargo test` runs without these
//! programs. `cargo test -- --include-ignored` (what README.md says and CI runs, after
//! installing them) includes them, and there a missing program fails the test, naming what to
//! install: a test that needs a browser never passes without having used one.

use std::path::PathBuf;

/// `name` on the `PATH`, if it is there.
pub fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The browser, found as `hundred pdf` finds it: `$HUNDRED_CHROMIUM`, else the first of
/// `chromium`, `chromium-browser` and `google-chrome` on the `PATH`. Panics if there is none.
pub fn chromium() -> PathBuf {
    std::env::var_os("HUNDRED_CHROMIUM")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .or_else(|| {
            ["chromium", "chromium-browser", "google-chrome"]
                .iter()
                .find_map(|n| on_path(n))
        })
        .unwrap_or_else(|| {
            panic!(
                "this test needs Chromium and found none ($HUNDRED_CHROMIUM, or chromium, \
                 chromium-browser or google-chrome on the PATH): apt-get install chromium, or \
                 run without --include-ignored to leave out the tests that need it"
            )
        })
}

/// `program` on the `PATH`; panics, naming the `package` to install, if it is not there.
pub fn require(program: &str, package: &str) -> PathBuf {
    on_path(program).unwrap_or_else(|| {
        panic!(
            "this test needs `{program}` and it is not on the PATH: apt-get install {package}, \
             or run without --include-ignored to leave out the tests that need it"
        )
    })
}

/// `pdfinfo` and `pdftotext`, to read PDFs page by page; panics if either is missing.
pub fn require_poppler() {
    require("pdfinfo", "poppler-utils");
    require("pdftotext", "poppler-utils");
}
