//! **load**: reads the site folder into the typed [`Site`] model. Every file is read and parsed
//! even after an error, so one run reports every problem it can find.

mod client_dates;
pub mod clients;
pub mod frontmatter;
pub mod journey;
pub(crate) mod links;
pub mod log;
mod log_events;
pub(crate) mod memo;
pub mod playbook;
pub mod team;
pub(crate) mod text;
pub mod yaml;
mod yaml_errors;

/// Words that belong to the program, not to someone editing a file: no message shows them.
pub(crate) use yaml_errors::looks_technical;
#[cfg(test)]
pub(crate) use yaml_errors::TECHNICAL as TECHNICAL_WORDS;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::Site;

pub use frontmatter::split as split_front_matter;

/// Reads everything under `root`. Returns what could be loaded (so cross-references can still
/// be checked and every problem reported in one run) unless the settings themselves are
/// unreadable, and the findings, warnings included. Only a site without errors may be built.
pub fn load_site(root: &Path) -> (Option<Site>, Diagnostics) {
    load_site_with(root, &mut memo::Sources::default())
}

/// [`load_site`], parsing again only the files that changed since `sources` last saw them.
pub(crate) fn load_site_with(
    root: &Path,
    sources: &mut memo::Sources,
) -> (Option<Site>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let config = match Config::load(root) {
        Ok(c) => {
            diags.extend(c.holidays_file_warnings.iter().cloned());
            diags.extend(c.leftover_warnings.iter().cloned());
            Some(c)
        }
        Err(e) => {
            diags.extend(e);
            None
        }
    };

    let forced = sources.take_forced();
    let (team, d) = load_all(
        root,
        SourceKind::Team,
        |file, id, text| team::load(file, id, text).map(|(m, w)| (Arc::new(m), w)),
        &mut sources.team,
        &forced,
    );
    // Team members whose files failed to load: references to them are not reported again.
    let unloaded_team = d
        .iter()
        .filter(|x| x.is_error())
        .filter_map(|x| x.file.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    diags.extend(d);
    let (clients, d) = load_all(
        root,
        SourceKind::Clients,
        |file, id, text| clients::load(file, id, text).map(|(c, w)| (Arc::new(c), w)),
        &mut sources.clients,
        &forced,
    );
    diags.extend(d);
    let (journey, d) = load_all(
        root,
        SourceKind::Journey,
        |file, id, text| journey::load(file, id, text).map(|(t, w)| (Arc::new(t), w)),
        &mut sources.journey,
        &forced,
    );
    diags.extend(d);
    let (playbook, d) = load_all(
        root,
        SourceKind::Playbook,
        |file, id, text| playbook::load(file, id, text).map(|(c, w)| (Arc::new(c), w)),
        &mut sources.playbook,
        &forced,
    );
    diags.extend(d);
    let (logs, d) = load_all(
        root,
        SourceKind::Log,
        |file, id, text| log::load(file, id, text).map(|(l, w)| (Arc::new(l), w)),
        &mut sources.logs,
        &forced,
    );
    diags.extend(d);

    let (statics, d) = list_statics(root);
    diags.extend(d);
    let mut template_overrides = Vec::new();
    let (templates, d) = list_files(root, "templates");
    diags.extend(d);
    for rel in templates {
        let file = Path::new("templates").join(&rel);
        match read_text(root, &file) {
            Ok(text) => template_overrides.push((slash_path(&rel), file, text)),
            Err(d) => diags.push(d),
        }
    }

    let site = config.map(|config| {
        let mut site = Site {
            root: root.to_path_buf(),
            config,
            team,
            clients,
            journey,
            playbook,
            logs,
            statics,
            template_overrides,
            unloaded_team,
            keys: Default::default(),
        };
        sort_site(&mut site);
        fill_one_off_stages(&mut site);
        site
    });
    (site, diags)
}

/// What a file of the site folder is to hundred, by where it is: the one place that says which
/// folders and extensions hold what, for loading, watching and rebuilding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SourceKind {
    /// `hundred.toml`, and the `.ics` files beside it (a holidays file is read with it).
    Settings,
    /// `team/<id>.yaml`.
    Team,
    /// `clients/<id>.yaml`.
    Clients,
    /// `journey/<id>.md`.
    Journey,
    /// `playbook/<id>.md`.
    Playbook,
    /// `log/<client>.yaml`.
    Log,
    /// Any file under `templates/`: a theme override.
    Template,
    /// Any file under `static/`, published as it is.
    Static,
}

impl SourceKind {
    /// The content kinds, each a folder of files named by id.
    pub(crate) const CONTENT: [SourceKind; 5] = [
        SourceKind::Team,
        SourceKind::Clients,
        SourceKind::Journey,
        SourceKind::Playbook,
        SourceKind::Log,
    ];

    /// The kinds that are folders of the site: every kind but the settings.
    pub(crate) const FOLDERS: [SourceKind; 7] = [
        SourceKind::Team,
        SourceKind::Clients,
        SourceKind::Journey,
        SourceKind::Playbook,
        SourceKind::Log,
        SourceKind::Template,
        SourceKind::Static,
    ];

    /// Its folder in the site (for the settings, the file).
    pub(crate) fn folder(self) -> &'static str {
        match self {
            SourceKind::Settings => crate::config::CONFIG_FILE,
            SourceKind::Team => "team",
            SourceKind::Clients => "clients",
            SourceKind::Journey => "journey",
            SourceKind::Playbook => "playbook",
            SourceKind::Log => "log",
            SourceKind::Template => "templates",
            SourceKind::Static => "static",
        }
    }

    /// The extensions a content file may have; any, for templates and static files.
    pub(crate) fn extensions(self) -> &'static [&'static str] {
        match self {
            SourceKind::Team | SourceKind::Clients | SourceKind::Log => &["yaml", "yml"],
            SourceKind::Journey | SourceKind::Playbook => &["md"],
            SourceKind::Settings | SourceKind::Template | SourceKind::Static => &[],
        }
    }

    /// What `rel` (relative to the site folder) is, if hundred reads it at all: hidden files
    /// and editor leftovers are not sources, nor are files nested in content folders.
    pub(crate) fn of(rel: &Path) -> Option<SourceKind> {
        let parts: Vec<&str> = rel
            .components()
            .map(|c| c.as_os_str().to_str())
            .collect::<Option<_>>()?;
        if parts.iter().any(|p| is_ignored_name(p)) {
            return None;
        }
        let (first, rest) = parts.split_first()?;
        if rest.is_empty() {
            // A calendar of closed days (`[calendar] holidays_file`) is read with the
            // settings, so a change to it is a change to them.
            let settings = *first == crate::config::CONFIG_FILE
                || (first.to_ascii_lowercase().ends_with(".ics") && !first.starts_with('.'));
            return settings.then_some(SourceKind::Settings);
        }
        for kind in [SourceKind::Template, SourceKind::Static] {
            if *first == kind.folder() {
                return Some(kind);
            }
        }
        let ext = Path::new(rest[0]).extension().and_then(|e| e.to_str())?;
        SourceKind::CONTENT
            .into_iter()
            .find(|k| *first == k.folder() && rest.len() == 1 && k.extensions().contains(&ext))
    }
}

/// Puts the journey and the playbook in reading order (after a file was added or changed).
pub fn sort_site(site: &mut Site) {
    site.team.sort_by(|a, b| a.id.cmp(&b.id));
    site.clients.sort_by(|a, b| a.id.cmp(&b.id));
    site.logs.sort_by(|a, b| a.client.cmp(&b.client));
    site.journey
        .sort_by_key(|t| (t.when.day().is_none(), t.when.day(), t.id.clone()));
    site.playbook.sort_by(|a, b| {
        (a.order.unwrap_or(i64::MAX), &a.id).cmp(&(b.order.unwrap_or(i64::MAX), &b.id))
    });
}

/// A one-off touchpoint without a `stage` is at the stage of the journey where its date
/// falls: that of the last touchpoint counted from the start on or before it.
fn fill_one_off_stages(site: &mut Site) {
    let journey = site.journey.clone();
    let first_stage = site
        .config
        .journey
        .stages
        .first()
        .cloned()
        .unwrap_or_default();
    for client in &mut site.clients {
        if client.touchpoints.iter().all(|t| !t.stage.value.is_empty()) {
            continue;
        }
        let c = std::sync::Arc::make_mut(client);
        let start = c.start;
        for t in &mut c.touchpoints {
            let crate::model::When::On(date) = t.when else {
                continue;
            };
            if !t.stage.value.is_empty() {
                continue;
            }
            let stage = journey
                .iter()
                .rfind(|j| {
                    j.when
                        .day()
                        .is_some_and(|d| crate::dates::day_date(start, d) <= date)
                })
                .or(journey.first())
                .map_or(first_stage.clone(), |j| j.stage.value.clone());
            std::sync::Arc::make_mut(t).stage.value = stage;
        }
    }
}

/// One file's item and its warnings, or its errors.
pub type Loaded<T> = Result<(T, Vec<Diagnostic>), Vec<Diagnostic>>;

/// Loads every file of one kind in parallel, sorted by id (the file stem); a file `memo` holds
/// with an unchanged stamp, and not in `forced`, is taken from it.
fn load_all<T: Clone + Send + Sync>(
    root: &Path,
    kind: SourceKind,
    load_one: fn(&Path, &str, &str) -> Loaded<T>,
    memo: &mut memo::Memo<T>,
    forced: &HashSet<PathBuf>,
) -> (Vec<T>, Vec<Diagnostic>) {
    let (entries, mut diags) = memo.listing(root, kind, forced);
    let results: Vec<(PathBuf, Option<memo::Stamp>, Arc<Loaded<T>>)> = entries
        .par_iter()
        .map(|(id, file)| {
            let stamp = memo
                .remember
                .then(|| memo::Stamp::of(&root.join(file)))
                .flatten();
            let known = (!forced.contains(file))
                .then(|| memo.get(file, &stamp))
                .flatten();
            let loaded = known.unwrap_or_else(|| {
                Arc::new(
                    read_text(root, file)
                        .map_err(|d| vec![d])
                        .and_then(|text| load_one(file, id, &text)),
                )
            });
            (file.clone(), stamp, loaded)
        })
        .collect();
    let mut items = Vec::new();
    let mut remembered = Vec::new();
    for (file, stamp, r) in results {
        // A one-off build moves each result into the site; serve copies it and keeps it.
        let owned = match (stamp, memo.remember) {
            (Some(stamp), true) => {
                let copy = (*r).clone();
                remembered.push((file, stamp, r));
                copy
            }
            _ => Arc::try_unwrap(r).unwrap_or_else(|r| (*r).clone()),
        };
        match owned {
            Ok((item, warnings)) => {
                items.push(item);
                diags.extend(warnings);
            }
            Err(e) => diags.extend(e),
        }
    }
    memo.replace(remembered);
    (items, diags)
}

/// The files of one content folder as (id, file relative to the site), sorted, with the
/// findings about their names and links: what [`load_all`] loads.
pub(crate) fn entries_of(
    kind: SourceKind,
    (files, mut diags): (Vec<PathBuf>, Vec<Diagnostic>),
) -> memo::Entries {
    let mut entries: Vec<(String, PathBuf)> = Vec::new();
    for rel in files {
        let file = Path::new(kind.folder()).join(&rel);
        if SourceKind::of(&file) != Some(kind) {
            continue;
        }
        let stem = rel
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_string();
        if let Err(d) = check_id(&stem, &file) {
            diags.push(d);
            continue;
        }
        entries.push((stem, file));
    }
    entries.sort();
    for pair in entries.windows(2) {
        if pair[0].0 == pair[1].0 {
            diags.push(
                Diagnostic::error(&pair[1].1, format!("`{}` is defined twice", pair[0].0)).help(
                    format!(
                        "{} has the same id; rename or remove one of them",
                        pair[0].1.display()
                    ),
                ),
            );
        }
    }
    (entries, diags)
}

/// Ids become parts of URLs and file names, so they are kept to a portable alphabet.
pub(crate) fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && !id.starts_with(['-', '_'])
}

fn check_id(id: &str, file: &Path) -> Result<(), Diagnostic> {
    if is_valid_id(id) {
        Ok(())
    } else {
        let suggestion: String = id
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        Err(Diagnostic::error(
            file,
            format!(
                "the file name `{id}` cannot be used as an id: it becomes part of page addresses"
            ),
        )
        .help(format!(
            "use lowercase letters, digits, `-` and `_` only, e.g. `{}`",
            suggestion.trim_matches('-')
        )))
    }
}

/// Files below `root/folder` (relative to that folder), skipping hidden files and editor
/// leftovers; sorted. Symbolic links are followed only while they stay inside the area that
/// folder may reach (see [`links`]); the findings name the links that do not.
pub fn list_files(root: &Path, folder: &str) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    links::walk(root, folder)
}

/// The files of `static/`, `/`-separated, and the findings about its links.
pub fn list_statics(root: &Path) -> (Vec<String>, Vec<Diagnostic>) {
    let (files, diags) = list_files(root, "static");
    (files.iter().map(|p| slash_path(p)).collect(), diags)
}

/// The largest profile, script or chapter hundred reads: far above any real one, low enough
/// that a stray export or disk image in the site folder is named instead of loaded.
const MAX_SOURCE_BYTES: u64 = 64 << 20;

/// Reads a source file as text. A file that is not UTF-8 is reported at the line and column
/// of its first bad byte, which is where an editor can fix it.
pub fn read_text(root: &Path, rel: &Path) -> Result<String, Diagnostic> {
    let path = root.join(rel);
    // A named pipe or a device in the site folder would block the read (or never end); a
    // source is always a plain file of a size an editor can open.
    let meta = std::fs::metadata(&path).map_err(|e| {
        Diagnostic::error(
            rel,
            format!(
                "cannot read this file: {}",
                crate::write::plain_io_error(&e)
            ),
        )
    })?;
    if !meta.is_file() {
        return Err(Diagnostic::error(
            rel,
            "this is not a plain file (a named pipe, socket or device)",
        )
        .help("replace it with a text file, or move it out of the site folder"));
    }
    if meta.len() > MAX_SOURCE_BYTES {
        return Err(Diagnostic::error(
            rel,
            format!(
                "this file is {} MiB; hundred reads sources up to {} MiB",
                meta.len() >> 20,
                MAX_SOURCE_BYTES >> 20
            ),
        )
        .help("split it into several files, or move data that is not content out of the site"));
    }
    let bytes = std::fs::read(&path).map_err(|e| {
        Diagnostic::error(
            rel,
            format!(
                "cannot read this file: {}",
                crate::write::plain_io_error(&e)
            ),
        )
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        // The valid part is text, so lines and columns can be counted in it.
        let before = std::str::from_utf8(&bytes[..valid]).unwrap_or("");
        let at = crate::diagnostics::position_of(before, before.len());
        Diagnostic::error(
            rel,
            format!(
                "this file is not UTF-8 text: byte 0x{:02X} at line {}, column {} is not valid",
                bytes[valid], at.line, at.column
            ),
        )
        .at(Some(at))
        .help("save the file as UTF-8 (most editors offer it under \"Save with encoding\")")
    })
}

/// Every file below `dir` (relative to it), hidden ones included; sorted.
pub fn list_all_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.path().strip_prefix(dir).ok().map(Path::to_path_buf))
        .collect();
    files.sort();
    files
}

/// Names that editors and operating systems leave behind: never content.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
        || name == "Thumbs.db"
}

pub fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// A required text field that is present but blank.
fn require_text(
    value: &str,
    field: &str,
    file: &Path,
    yaml_text: &str,
    first_line: usize,
) -> Option<Diagnostic> {
    value.trim().is_empty().then(|| {
        Diagnostic::error(file, format!("`{field}` is empty"))
            .at(yaml::key_position(yaml_text, field, first_line))
            .help(format!("write a value for `{field}`"))
    })
}
