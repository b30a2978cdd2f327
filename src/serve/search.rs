//! The team site's search index in `serve`: made after a good rebuild's pages are published,
//! on a thread of its own, so an edit shows at once and the index follows a moment later.
//!
//! Each rebuild asks for the index of its pages; requests that arrive while one is being made
//! are folded into the newest, and pages whose bytes did not change since the last index
//! (the session shares them) make no new one. Until the new index is there, the last one is
//! served: search may miss an edit for that moment, never for longer.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};

use super::Shared;
use crate::session::Files;

/// A request: a good build's files and the routes of the pages to search (`None`: the site
/// has no search).
pub struct Job {
    files: Arc<Files>,
    pages: Option<Vec<String>>,
}

/// Takes requests for the index.
pub struct Indexer {
    jobs: Mutex<Sender<Job>>,
}

impl Indexer {
    pub fn new() -> (Indexer, Receiver<Job>) {
        let (tx, rx) = channel();
        (
            Indexer {
                jobs: Mutex::new(tx),
            },
            rx,
        )
    }

    /// Asks for the index of `files`' pages at `pages`.
    pub fn request(&self, files: Arc<Files>, pages: Option<Vec<String>>) {
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        let _ = jobs.send(Job { files, pages });
    }
}

/// The files of a rebuild with the search index of the files served before it, which the
/// rebuild does not make.
pub fn keep_index(served: &Files, rebuilt: Arc<Files>) -> Arc<Files> {
    if rebuilt.keys().any(|r| crate::search::is_index_file(r)) {
        return rebuilt;
    }
    let mut index = served
        .range::<str, _>((
            std::ops::Bound::Included(crate::search::FOLDER),
            std::ops::Bound::Unbounded,
        ))
        .take_while(|(r, _)| crate::search::is_index_file(r))
        .peekable();
    if index.peek().is_none() {
        return rebuilt;
    }
    let mut files = (*rebuilt).clone();
    files.extend(index.map(|(r, b)| (Arc::clone(r), Arc::clone(b))));
    Arc::new(files)
}

/// Starts the thread that makes the index for each request.
/// `root` is the site's folder, whose `.hundred-cache/search/` keeps the newest index.
pub fn start(shared: Arc<Shared>, jobs: Receiver<Job>, root: std::path::PathBuf) {
    std::thread::spawn(move || {
        lower_priority();
        // The pages the served index was made from, to skip a request whose pages are the
        // same bytes.
        let mut made_from: Option<Vec<Arc<Vec<u8>>>> = None;
        while let Ok(mut job) = jobs.recv() {
            while let Ok(newer) = jobs.try_recv() {
                job = newer;
            }
            let Some(routes) = &job.pages else {
                if made_from.take().is_some() {
                    shared.publish_index(Vec::new());
                }
                continue;
            };
            let pages: Vec<(&str, Arc<Vec<u8>>)> = routes
                .iter()
                .filter_map(|r| Some((r.as_str(), Arc::clone(job.files.get(r.as_str())?))))
                .collect();
            let same = made_from.as_ref().is_some_and(|old| {
                old.len() == pages.len()
                    && old.iter().zip(&pages).all(|(a, b)| Arc::ptr_eq(a, &b.1))
            });
            if same {
                continue;
            }
            let started = std::time::Instant::now();
            let input: Vec<(&str, &[u8])> = pages.iter().map(|(r, b)| (*r, b.as_slice())).collect();
            match crate::search::index(&input, Some(&root)) {
                Ok(files) => {
                    if std::env::var_os("HUNDRED_TIMINGS").is_some() {
                        eprintln!(
                            "search index: {} pages in {} ms",
                            pages.len(),
                            started.elapsed().as_millis()
                        );
                    }
                    shared.publish_index(files);
                    made_from = Some(pages.into_iter().map(|(_, b)| b).collect());
                }
                Err(e) => eprintln!("warning: the search index was not updated: {e}"),
            }
        }
    });
}

/// `served` with `index` in place of the index it holds.
pub fn with_index(served: &Files, index: Vec<(String, Vec<u8>)>) -> Arc<Files> {
    let mut files: Files = served.clone();
    files.retain(|r, _| !crate::search::is_index_file(r));
    files.extend(index.into_iter().map(|(r, b)| (r.into(), Arc::new(b))));
    Arc::new(files)
}

/// Makes the calling thread (and the threads it starts, which inherit it) yield to every
/// other: an index made while the writer edits must not slow the rebuild that shows the
/// edit. Measured with bench/serve_latency.py at 1,000 clients: the first index, made as the
/// server starts, put a journey-script edit at 421 ms instead of 24.
#[cfg(target_os = "linux")]
fn lower_priority() {
    // SAFETY: gettid and setpriority only read their arguments; on Linux a thread id names
    // that one thread for PRIO_PROCESS.
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 19);
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}
