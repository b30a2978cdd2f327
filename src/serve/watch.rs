//! Watches the site folder and applies each burst of saves as one rebuild.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::RecursiveMode;
use notify_debouncer_full::{new_debouncer, DebounceEventResult};

use super::{clients_of, diagnostics_text, Shared};
use crate::build::BuildOptions;
use crate::session::Session;

/// Starts the watcher thread; dropping the returned value stops watching.
pub fn start(
    root: PathBuf,
    mut session: Option<Session>,
    opts: BuildOptions,
    shared: Arc<Shared>,
    debounce: Duration,
) -> Result<impl Drop, String> {
    let (tx, rx) = std::sync::mpsc::channel::<DebounceEventResult>();
    let mut debouncer =
        new_debouncer(debounce, None, tx).map_err(|e| format!("cannot watch files: {e}"))?;
    debouncer
        .watch(&root, RecursiveMode::Recursive)
        .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
    let canonical_root = std::fs::canonicalize(&root).unwrap_or_else(|_| root.clone());
    std::thread::spawn(move || {
        while let Ok(result) = rx.recv() {
            let Ok(events) = result else { continue };
            let mut paths: Vec<PathBuf> = changed_paths(&canonical_root, &events);
            // Coalesce whatever else arrived meanwhile into this rebuild.
            while let Ok(more) = rx.try_recv() {
                if let Ok(events) = more {
                    paths.extend(changed_paths(&canonical_root, &events));
                }
            }
            paths.sort();
            paths.dedup();
            if paths.is_empty() {
                continue;
            }
            rebuild(&root, &mut session, &opts, &shared, &paths);
        }
    });
    Ok(debouncer)
}

/// The sources that events say were created, written, renamed or removed. Reads are not
/// changes: the rebuild itself reads files, and must not trigger another rebuild.
fn changed_paths(root: &Path, events: &[notify_debouncer_full::DebouncedEvent]) -> Vec<PathBuf> {
    use notify::EventKind;
    events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
            )
        })
        .filter(|e| {
            !matches!(
                e.kind,
                EventKind::Modify(notify::event::ModifyKind::Metadata(_))
            )
        })
        .flat_map(|e| e.paths.iter())
        .filter_map(|p| relevant(root, p))
        .collect()
}

/// Site-relative paths of sources; editor noise, the output folder and version control are
/// not sources.
fn relevant(root: &Path, path: &Path) -> Option<PathBuf> {
    use crate::load::SourceKind;
    let rel = path.strip_prefix(root).ok()?;
    // A whole content folder moved or removed counts too: the rebuild lists it again.
    let folder = rel.components().count() == 1
        && SourceKind::FOLDERS
            .iter()
            .any(|k| rel == Path::new(k.folder()));
    if !folder && (SourceKind::of(rel).is_none() || path.is_dir()) {
        return None;
    }
    Some(rel.to_path_buf())
}

fn rebuild(
    root: &Path,
    session: &mut Option<Session>,
    opts: &BuildOptions,
    shared: &Shared,
    paths: &[PathBuf],
) {
    let names: Vec<String> = paths.iter().map(|p| crate::load::slash_path(p)).collect();
    let what = summarise(&names);
    let time = jiff::ZonedDateTime::now().strftime("%H:%M:%S").to_string();
    // Routes already announced to browsers by an early publication of this rebuild.
    let mut announced: Vec<String> = Vec::new();
    // Warnings already printed: each rebuild reports the whole site's, and only new ones are
    // worth a line.
    let known: Vec<crate::diagnostics::Diagnostic> = session
        .as_ref()
        .map(|s| s.warnings.items.clone())
        .unwrap_or_default();
    let result = match session {
        Some(s) => {
            // Let browsers have the pages as soon as they are ready.
            let mut early = |files, changed: Vec<String>| {
                announced.extend(changed.iter().cloned());
                shared.publish(
                    Some(super::Published {
                        files,
                        changed,
                        clients: None,
                    }),
                    None,
                )
            };
            s.open_pages = shared.open_pages.routes();
            s.update_with_preview(paths, &mut early).map(|r| (r, None))
        }
        // No good build yet: try a full one.
        None => {
            let started = std::time::Instant::now();
            Session::start(root, opts).map(|s| {
                let r = crate::session::Rebuild {
                    sources: names.clone(),
                    rerendered: s.files().len(),
                    changed: vec!["*".into()],
                    full: true,
                    elapsed: started.elapsed(),
                };
                (r, Some(s))
            })
        }
    };
    match result {
        Ok((r, fresh)) => {
            if let Some(s) = fresh {
                *session = Some(s);
            }
            let s = session.as_ref().expect("set above");
            for w in s
                .warnings
                .items
                .iter()
                .filter(|d| !d.is_error() && !known.contains(d))
            {
                eprintln!("{w}");
            }
            println!(
                "[{time}] {what}: {} page(s) re-rendered{}, {} changed, in {} ms",
                r.rerendered,
                if r.full { " (full rebuild)" } else { "" },
                r.changed.len(),
                r.elapsed.as_millis()
            );
            let fresh: Vec<String> = r
                .changed
                .iter()
                .filter(|c| !announced.contains(c))
                .cloned()
                .collect();
            let changed = if fresh.iter().any(|c| c == "*") {
                vec!["*".to_string()]
            } else {
                fresh
            };
            let published = super::Published {
                files: s.files(),
                changed,
                clients: Some(clients_of(s)),
            };
            shared.publish(Some(published), None);
            shared.search.request(s.files(), s.search_pages());
        }
        Err(f) => {
            println!("[{time}] {what}: error, still serving the last good version");
            for d in &f.diagnostics.items {
                eprintln!("{:?}", d.report(root));
            }
            shared.publish(None, Some(diagnostics_text(&f.diagnostics)));
        }
    }
}

fn summarise(names: &[String]) -> String {
    match names {
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first} and {} more", rest.len()),
        [] => "nothing".into(),
    }
}
