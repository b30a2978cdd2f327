//! What the tests share: sites to build (a fixture or the example, copied into a temporary
//! folder so a test can edit it), running `hundred` on them, and reading what it wrote.
//!
//! ```ignore
//! let site = copy_fixture("canary");
//! edit(&site.path().join("clients/acme.yaml"), "delighted", "thrilled");
//! let out = build(site.path());
//! let page = read(&out.path().join("public/portal/acme/index.html"));
//! ```

mod calendar;
mod cdp;
mod csv;
mod html;
mod private;
mod server;
mod tools;

pub use calendar::*;
pub use cdp::*;
pub use csv::*;
pub use html::*;
pub use private::*;
pub use server::*;
pub use tools::*;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

/// The build date the tests pin, so dates on pages do not depend on the day they run.
pub const TODAY: &str = "2026-11-23";

// ---------------------------------------------------------------------------------------------
// Sites

/// A fixture under `tests/fixtures/`, in place (read only: copy it to change it).
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The example firm README.md builds, in place (read only: copy it to change it).
pub fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("example-playbook")
}

/// The ids of the example's clients (its `clients/*.yaml` file stems), sorted.
pub fn example_clients() -> Vec<String> {
    let mut ids: Vec<String> = fs::read_dir(example().join("clients"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    ids.sort();
    ids
}

/// A writable copy of a site (a fixture, the example) in a new temporary folder.
pub fn copy_site(site: &Path) -> TempDir {
    let dir = TempDir::new().unwrap();
    copy_dir(site, dir.path());
    dir
}

/// A writable copy of a fixture, so a test can break or change it.
pub fn copy_fixture(name: &str) -> TempDir {
    copy_site(&fixture(name))
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Files

/// Replaces the first `from` in the file with `to`; panics if the file has no `from`, so a
/// fixture that changed under a test does not leave the test checking nothing.
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = read(path);
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Writes `text` to `path`, making its folders.
pub fn put(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every file under `dir`, by `/`-separated relative path.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap();
            let key = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            files.insert(key, fs::read(entry.path()).unwrap());
        }
    }
    files
}

// ---------------------------------------------------------------------------------------------
// Running hundred

/// The `hundred` binary, with plain, wide diagnostics (no colours, no wrapping mid-path).
pub fn hundred() -> Command {
    let mut cmd = Command::cargo_bin("hundred").unwrap();
    cmd.env("NO_COLOR", "1").env("COLUMNS", "200");
    cmd
}

/// `hundred build SITE --today TODAY`, adjusted before it runs:
///
/// ```ignore
/// let out = Build::of(site).today("2026-11-19").no_minify().into_temp();
/// let stderr = Build::of(site).output(&public).env("HUNDRED_TEST_FAIL_WRITE", "1").fails();
/// let result = Build::of(site).run(); // into the site's own `public/`, whatever the outcome
/// ```
pub struct Build {
    site: PathBuf,
    output: Option<PathBuf>,
    today: String,
    minify: bool,
    preview: bool,
    env: Vec<(String, String)>,
}

impl Build {
    pub fn of(site: &Path) -> Build {
        Build {
            site: site.to_path_buf(),
            output: None,
            today: TODAY.to_string(),
            minify: true,
            preview: false,
            env: Vec::new(),
        }
    }

    /// `--output`; without it, hundred writes to the site's own `public/`.
    pub fn output(mut self, output: &Path) -> Build {
        self.output = Some(output.to_path_buf());
        self
    }

    pub fn today(mut self, today: &str) -> Build {
        self.today = today.to_string();
        self
    }

    pub fn no_minify(mut self) -> Build {
        self.minify = false;
        self
    }

    /// `--preview`: private sites written unencrypted, portals in folders named by client id.
    pub fn preview(mut self) -> Build {
        self.preview = true;
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Build {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Runs it, whatever the outcome.
    pub fn run(&self) -> Output {
        let mut cmd = hundred();
        cmd.arg("build").arg(&self.site);
        if let Some(output) = &self.output {
            cmd.arg("--output").arg(output);
        }
        cmd.args(["--today", &self.today]);
        if !self.minify {
            cmd.arg("--no-minify");
        }
        if self.preview {
            cmd.arg("--preview");
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    /// Runs it; panics, showing what it said, unless it succeeds.
    pub fn ok(&self) -> Output {
        let result = self.run();
        assert!(
            result.status.success(),
            "build failed:\n{}",
            String::from_utf8_lossy(&result.stderr)
        );
        result
    }

    /// Runs it, expecting it to fail with status 1 and without a panic; its standard error.
    pub fn fails(&self) -> String {
        let result = self.run();
        let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
        assert_eq!(result.status.code(), Some(1), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        stderr
    }

    /// Builds into `public/` of a new temporary folder; panics on failure.
    pub fn into_temp(self) -> TempDir {
        let out = TempDir::new().unwrap();
        self.output(&out.path().join("public")).ok();
        out
    }
}

/// Builds `site` into `public/` of a new temporary folder as of [`TODAY`]; panics on failure.
pub fn build(site: &Path) -> TempDir {
    Build::of(site).into_temp()
}

/// Builds `site` as `serve` previews it (`--preview`: private portals unencrypted, by client
/// id) into `public/` of a new temporary folder as of [`TODAY`]; panics on failure.
pub fn build_preview(site: &Path) -> TempDir {
    Build::of(site).preview().into_temp()
}

/// Builds `site` into `output` as of [`TODAY`]; panics on failure.
pub fn build_into(site: &Path, output: &Path) {
    Build::of(site).output(output).ok();
}
