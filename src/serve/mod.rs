//! `hundred serve`: both sites from memory with live reload, rebuilt as files change.

mod host;
mod http;
mod search;
mod watch;

use std::net::{IpAddr, SocketAddr};

pub use host::AllowedHosts;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use tokio::sync::watch as channel;

use crate::build::BuildOptions;
use crate::diagnostics::Diagnostics;
use crate::session::{Files, Session};

pub struct ServeOptions {
    pub root: PathBuf,
    /// Serve what a build publishes (private sites sealed) instead of an unencrypted preview.
    pub private: bool,
    /// An address, or a host name that resolves to one of this machine's (`laptop.local`);
    /// requests are answered only for it and the loopback names.
    pub bind: String,
    /// 0 picks a free port.
    pub port: u16,
    pub open: bool,
    pub today: Option<jiff::civil::Date>,
    /// How long to wait for a burst of file events to end before rebuilding.
    pub debounce: std::time::Duration,
}

/// What the web server shows: the last good files, and the current error if the last edit
/// broke something.
pub struct Snapshot {
    pub files: Arc<Files>,
    pub version: u64,
    pub error: Option<String>,
    /// For each recent version, the URL paths it changed (`/portal/acme/index.html`).
    pub history: std::collections::VecDeque<(u64, Vec<String>)>,
    pub clients: Vec<(String, String)>,
}

/// A good rebuild's result: the files, the routes it changed, and the clients (for the
/// preview's index page).
pub struct Published {
    pub files: Arc<Files>,
    pub changed: Vec<String>,
    /// The clients, when known (an early publication of a rebuild's pages leaves them as
    /// they were).
    pub clients: Option<Vec<(String, String)>>,
}

pub struct Shared {
    pub snapshot: RwLock<Snapshot>,
    pub version: channel::Sender<u64>,
    /// Asks for the search index of a good build's pages, made off the rebuild's path.
    pub search: search::Indexer,
    /// The pages browsers have open, which a rebuild renders and publishes first.
    pub open_pages: OpenPages,
}

/// The routes of the pages browsers have open: each page asks for the next version every 25 s
/// at most (and at once when it loads), so a route not asked about for a minute is closed.
#[derive(Default)]
pub struct OpenPages {
    seen: std::sync::Mutex<std::collections::HashMap<String, std::time::Instant>>,
}

impl OpenPages {
    const FORGET: std::time::Duration = std::time::Duration::from_secs(60);

    pub fn seen(&self, route: String) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let now = std::time::Instant::now();
        seen.retain(|_, at| now.duration_since(*at) < Self::FORGET);
        seen.insert(route, now);
    }

    pub fn routes(&self) -> std::collections::BTreeSet<String> {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let now = std::time::Instant::now();
        seen.iter()
            .filter(|(_, at)| now.duration_since(**at) < Self::FORGET)
            .map(|(r, _)| r.clone())
            .collect()
    }
}

impl Shared {
    /// Publishes a new state and wakes the browsers waiting for one.
    fn publish(&self, good: Option<Published>, error: Option<String>) {
        let version = {
            let mut snap = self.snapshot.write().expect("not poisoned");
            snap.version += 1;
            let v = snap.version;
            if let Some(Published {
                files,
                mut changed,
                clients,
            }) = good
            {
                // A rebuild's files never hold the search index: the last one made stays
                // until the indexer has one for these pages.
                snap.files = search::keep_index(&snap.files, files);
                if let Some(clients) = clients {
                    if snap.clients != clients {
                        // The preview's own index page lists the clients.
                        changed.push("index.html".into());
                    }
                    snap.clients = clients;
                }
                let paths = changed
                    .iter()
                    .map(|r| if r == "*" { r.clone() } else { format!("/{r}") });
                snap.history.push_back((v, paths.collect()));
            } else {
                snap.history.push_back((v, Vec::new()));
            }
            while snap.history.len() > 64 {
                snap.history.pop_front();
            }
            snap.error = error;
            v
        };
        let _ = self.version.send(version);
    }
}

impl Shared {
    /// Serves a new search index in place of the one served now, with whatever pages are
    /// served now (a rebuild may have published newer ones meanwhile). No page changes, so
    /// browsers are not told: the version, its history and the error shown stay as they are.
    fn publish_index(&self, index: Vec<(String, Vec<u8>)>) {
        let mut snap = self.snapshot.write().expect("not poisoned");
        snap.files = search::with_index(&snap.files, index);
    }
}

/// Each client's portal link (with its key, for `--private`) and name, for the index page.
fn clients_of(session: &Session) -> Vec<(String, String)> {
    let site = session.site();
    site.clients
        .iter()
        .map(|c| (crate::private::portal_link(site, c), c.name.clone()))
        .collect()
}

pub fn diagnostics_text(d: &Diagnostics) -> String {
    d.items
        .iter()
        .filter(|x| x.is_error())
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Builds, serves and watches until interrupted.
pub fn serve(opts: ServeOptions) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    site_folder_problem(&opts.root)?;
    let (bind_ip, bind_name) = bind_address(&opts.bind, opts.port)?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(SocketAddr::new(
            bind_ip, opts.port,
        )))
        .map_err(|e| listen_problem(&opts.bind, opts.port, &e))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let allowed = AllowedHosts::new(addr.ip(), bind_name.as_deref());
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        addr.ip().to_string()
    };
    let base = format!("http://{host}:{}", addr.port());
    let build_opts = BuildOptions {
        today: opts.today,
        minify: Some(false),
        base_urls: Some((format!("{base}/portal/"), format!("{base}/internal/"))),
        preview: !opts.private,
        ..Default::default()
    };

    let started = std::time::Instant::now();
    let (session, error) = match Session::start(&opts.root, &build_opts) {
        Ok(s) => (Some(s), None),
        Err(f) => {
            print_failure(&opts.root, &f.diagnostics);
            (None, Some(diagnostics_text(&f.diagnostics)))
        }
    };
    let (files, clients) = match &session {
        Some(s) => (s.files(), clients_of(s)),
        None => (Arc::new(Files::new()), Vec::new()),
    };
    if let Some(s) = &session {
        print_warnings(&opts.root, &s.warnings);
        println!(
            "Built {} files for {} client(s) in {} ms.",
            files.len(),
            clients.len(),
            started.elapsed().as_millis()
        );
        if s.site().keys.previewing_private {
            println!(
                "Previewing the private site unencrypted, each portal by client id; \
                 `hundred serve --private` serves what a build publishes."
            );
        }
        if opts.private && s.site().keys.portal_is_private() {
            println!("Serving what a build publishes: each client's portal opens with its link.");
            for (link, name) in &clients {
                println!("  {name}: {link}");
            }
        }
    }
    let (tx, _rx) = channel::channel(0u64);
    let (indexer, index_jobs) = search::Indexer::new();
    if let Some(s) = &session {
        indexer.request(s.files(), s.search_pages());
    }
    let shared = Arc::new(Shared {
        snapshot: RwLock::new(Snapshot {
            files,
            version: 0,
            error,
            history: Default::default(),
            clients,
        }),
        version: tx,
        search: indexer,
        open_pages: OpenPages::default(),
    });
    search::start(Arc::clone(&shared), index_jobs, opts.root.clone());

    // Watch before saying so: a save made right after the message must not be missed.
    let _watcher = watch::start(
        opts.root.clone(),
        session,
        build_opts,
        Arc::clone(&shared),
        opts.debounce,
    )?;
    println!("Serving the internal site at {base}/internal/ and the portal at {base}/portal/");
    println!("Preview index, listing every client's portal: {base}/");
    println!(
        "Watching {} for changes; press Ctrl+C to stop.",
        opts.root.display()
    );
    if opts.open {
        open_browser(&format!("{base}/"));
    }
    runtime
        .block_on(http::run(listener, shared, allowed))
        .map_err(|e| format!("the server stopped: {e}"))
}

/// Why `root` cannot be served at all, before anything starts: a folder that does not exist,
/// or has no `hundred.toml` (a mistake in the path, most likely). A site whose settings are
/// there but wrong is served, showing the error until it is fixed.
fn site_folder_problem(root: &Path) -> Result<(), String> {
    let shown = root.display();
    match std::fs::metadata(root) {
        Err(_) => Err(format!(
            "there is no folder {shown}; nothing was served\n  help: pass the folder that holds hundred.toml (`hundred serve my-site`), or create a site there with `hundred init {shown}`"
        )),
        Ok(m) if !m.is_dir() => Err(format!(
            "{shown} is a file, not a site folder; nothing was served\n  help: pass the folder that holds hundred.toml"
        )),
        Ok(_) if !root.join(crate::config::CONFIG_FILE).exists() => Err(format!(
            "{shown} has no hundred.toml, so it is not a site folder; nothing was served\n  help: pass the folder that holds hundred.toml (`hundred init` makes one)"
        )),
        Ok(_) => Ok(()),
    }
}

/// Why the server could not listen, with what to do about it.
fn listen_problem(bind: &str, port: u16, e: &std::io::Error) -> String {
    let why = crate::write::plain_io_error(e);
    match e.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "port {port} on {bind} is already in use (another `hundred serve`, or another program)\n  help: pass `--port 0` to pick a free port, or choose another with `--port 8080`"
        ),
        std::io::ErrorKind::PermissionDenied => format!(
            "cannot listen on port {port}: {why}\n  help: ports below 1024 need special rights; pass `--port 0` to pick a free port"
        ),
        _ => format!(
            "cannot listen on {bind}:{port}: {why}\n  help: pass `--port 0` to pick a free port, or check `--bind`"
        ),
    }
}

/// `--bind`: an IP address as it is, or a host name resolved to its first address (and kept,
/// so requests naming it are answered).
fn bind_address(bind: &str, port: u16) -> Result<(IpAddr, Option<String>), String> {
    if let Ok(ip) = bind.trim_matches(['[', ']']).parse::<IpAddr>() {
        return Ok((ip, None));
    }
    use std::net::ToSocketAddrs;
    let first = (bind, port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot use `--bind {bind}`: {e}"))?
        .next()
        .ok_or_else(|| format!("cannot use `--bind {bind}`: the name has no address"))?;
    Ok((first.ip(), Some(bind.to_string())))
}

fn print_failure(root: &Path, d: &Diagnostics) {
    for item in &d.items {
        eprintln!("{:?}", item.report(root));
    }
    eprintln!("The site has errors; fix them and save: the server keeps running.");
}

fn print_warnings(root: &Path, d: &Diagnostics) {
    for item in d.items.iter().filter(|x| !x.is_error()) {
        eprintln!("{:?}", item.report(root));
    }
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        eprintln!("note: could not open a browser; visit {url}");
    }
}
