//! The web server: files from memory, never from disk, so no request can reach a file outside
//! the output; the theme's 404 page for what does not exist; a long-poll endpoint that tells
//! pages what changed.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::host::AllowedHosts;
use super::Shared;

const LIVE_JS: &str = include_str!("live.js");

/// A request must send its headers within this long, and a connection with nothing to do is
/// closed after it, so idle or half-sent connections cannot pile up.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection that neither reads nor writes a byte for this long is closed. Longer than the
/// 25 s that `/__hundred/wait` holds a request.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Serves until the listener fails. Each connection gets its own task, a deadline for its
/// request headers and an idle timeout; requests naming a host this machine does not go by
/// are refused before any page is looked up.
pub async fn run(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    allowed: AllowedHosts,
) -> std::io::Result<()> {
    let app = Router::new()
        .route("/__hundred/live.js", get(live_js))
        .route("/__hundred/wait", get(wait))
        .fallback(get(page))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(allowed),
            check_host,
        ))
        .with_state(shared);
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(s) => s,
            // Out of file descriptors and the like: wait for connections to close.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let app = app.clone();
        tokio::spawn(async move {
            let (io, last_active) = Watched::new(stream);
            let service = hyper_util::service::TowerToHyperService::new(app);
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(hyper_util::rt::TokioIo::new(io), service);
            tokio::select! {
                _ = conn => {}
                _ = idle(last_active) => {}
            }
        });
    }
}

/// Resolves once the connection has been quiet for [`IDLE_TIMEOUT`].
async fn idle(last_active: Arc<std::sync::Mutex<tokio::time::Instant>>) {
    loop {
        let since = *last_active.lock().expect("not poisoned");
        let deadline = since + IDLE_TIMEOUT;
        if tokio::time::Instant::now() >= deadline {
            return;
        }
        tokio::time::sleep_until(deadline).await;
    }
}

/// A socket that notes when it last moved a byte, for the idle timeout.
struct Watched {
    stream: tokio::net::TcpStream,
    last_active: Arc<std::sync::Mutex<tokio::time::Instant>>,
}

impl Watched {
    fn new(stream: tokio::net::TcpStream) -> (Self, Arc<std::sync::Mutex<tokio::time::Instant>>) {
        let last_active = Arc::new(std::sync::Mutex::new(tokio::time::Instant::now()));
        (
            Watched {
                stream,
                last_active: Arc::clone(&last_active),
            },
            last_active,
        )
    }

    fn touch(&self) {
        *self.last_active.lock().expect("not poisoned") = tokio::time::Instant::now();
    }
}

impl tokio::io::AsyncRead for Watched {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = std::pin::Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.touch();
        }
        r
    }
}

impl tokio::io::AsyncWrite for Watched {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let r = std::pin::Pin::new(&mut self.stream).poll_write(cx, buf);
        if matches!(r, std::task::Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        r
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Refuses a request whose `Host` is not one of this machine's names (421, with the reason).
async fn check_host(
    State(allowed): State<Arc<AllowedHosts>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    // A second `Host` header, or a request line naming a host of its own
    // (`GET http://evil.example/ HTTP/1.1`), must not slip past the check of the first.
    let one_host = request.headers().get_all(header::HOST).iter().count() == 1;
    let named = request
        .uri()
        .authority()
        .map(|a| a.as_str().rsplit('@').next().unwrap_or_default());
    if one_host && allowed.permits(host) && named.is_none_or(|n| allowed.permits(Some(n))) {
        return next.run(request).await;
    }
    let body = format!(
        "hundred serve answers only requests for this machine ({}), not for `{}`.\n\
         To preview from another device, start it with --bind and the name or address that \
         device uses.\n",
        allowed.list(),
        host.unwrap_or("(no Host header)")
    );
    respond(
        StatusCode::MISDIRECTED_REQUEST,
        "text/plain; charset=utf-8",
        body.into_bytes(),
    )
}

async fn live_js() -> Response {
    respond(
        StatusCode::OK,
        "text/javascript; charset=utf-8",
        LIVE_JS.as_bytes().to_vec(),
    )
}

#[derive(serde::Deserialize)]
struct WaitQuery {
    after: u64,
}

/// The header in which `live.js` names the page waiting (`/internal/clients/acme/`,
/// percent-encoded).
const PAGE_HEADER: &str = "x-hundred-page";

/// Answers when the site's version passes `after` (or after 25 s, with the same version):
/// the new version, the pages it changed, and the error if the last edit broke something.
async fn wait(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<WaitQuery>,
    headers: axum::http::HeaderMap,
) -> Response {
    if let Some(path) = headers.get(PAGE_HEADER).and_then(|v| v.to_str().ok()) {
        let route = {
            let snap = shared.snapshot.read().expect("not poisoned");
            // `resolve` decodes percent-escapes and refuses `..` and the like.
            match resolve(path, |route| snap.files.contains_key(route)) {
                Resolved::File(route) => Some(route),
                _ => None,
            }
        };
        if let Some(route) = route {
            shared.open_pages.seen(route);
        }
    }
    let mut rx = shared.version.subscribe();
    if *rx.borrow_and_update() <= q.after {
        let _ = tokio::time::timeout(Duration::from_secs(25), async {
            while *rx.borrow_and_update() <= q.after {
                if rx.changed().await.is_err() {
                    break;
                }
            }
        })
        .await;
    }
    let snap = shared.snapshot.read().expect("not poisoned");
    let oldest = snap.history.front().map(|(v, _)| *v).unwrap_or(0);
    let changed: Vec<&String> = if q.after + 1 < oldest {
        // Too far behind to know what changed: reload.
        Vec::new()
    } else {
        snap.history
            .iter()
            .filter(|(v, _)| *v > q.after)
            .flat_map(|(_, c)| c)
            .collect()
    };
    let reload_all = q.after + 1 < oldest;
    let body = serde_json::json!({
        "version": snap.version,
        "changed": if reload_all { vec!["*".to_string()] } else { changed.into_iter().cloned().collect() },
        "error": snap.error,
    });
    let mut r = respond(
        StatusCode::OK,
        "application/json",
        body.to_string().into_bytes(),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, "no-store".parse().expect("valid"));
    r
}

async fn page(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let snap = shared.snapshot.read().expect("not poisoned");
    match resolve(uri.path(), |route| snap.files.contains_key(route)) {
        Resolved::Index => {
            let html = index_page(&snap.clients);
            respond(
                StatusCode::OK,
                "text/html; charset=utf-8",
                inject(&html, snap.version, snap.error.as_deref()),
            )
        }
        Resolved::File(route) => {
            let bytes = &snap.files[route.as_str()];
            let kind = content_type(&route);
            if kind.starts_with("text/html") {
                shared.open_pages.seen(route.clone());
            }
            let body = if kind.starts_with("text/html") {
                inject(
                    &String::from_utf8_lossy(bytes),
                    snap.version,
                    snap.error.as_deref(),
                )
            } else {
                bytes.to_vec()
            };
            respond(StatusCode::OK, kind, body)
        }
        Resolved::Redirect(to) => {
            let mut r = respond(
                StatusCode::MOVED_PERMANENTLY,
                "text/plain; charset=utf-8",
                Vec::new(),
            );
            r.headers_mut().insert(
                header::LOCATION,
                to.parse().unwrap_or_else(|_| "/".parse().expect("valid")),
            );
            r
        }
        Resolved::NotFound(site) => {
            let route = crate::plan::not_found_route(site);
            let html = match snap.files.get(route.as_str()) {
                Some(b) => String::from_utf8_lossy(b).into_owned(),
                None => {
                    "<!doctype html><title>Not found</title><h1>Page not found</h1>".to_string()
                }
            };
            respond(
                StatusCode::NOT_FOUND,
                "text/html; charset=utf-8",
                inject(&html, snap.version, snap.error.as_deref()),
            )
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    Index,
    File(String),
    Redirect(String),
    /// Which site's 404 page to show: its folder.
    NotFound(&'static str),
}

/// Maps a request path to a route. Percent-escapes are decoded first, and any `.` or `..`
/// segment, backslash or NUL is refused outright, so `/../`, `%2e%2e/` and the like can never
/// name anything but a missing page.
pub fn resolve(path: &str, exists: impl Fn(&str) -> bool) -> Resolved {
    let site = if path.starts_with("/portal") {
        crate::plan::PORTAL
    } else {
        crate::plan::INTERNAL
    };
    let Some(decoded) = percent_decode(path) else {
        return Resolved::NotFound(site);
    };
    let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
    if segments
        .iter()
        .any(|s| *s == "." || *s == ".." || s.contains(['\\', '\0']))
    {
        return Resolved::NotFound(site);
    }
    if segments.is_empty() {
        return Resolved::Index;
    }
    let route = segments.join("/");
    if exists(&route) {
        return Resolved::File(route);
    }
    let index = format!("{route}/index.html");
    if exists(&index) {
        return if decoded.ends_with('/') {
            Resolved::File(index)
        } else {
            Resolved::Redirect(format!("/{route}/"))
        };
    }
    Resolved::NotFound(site)
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(route: &str) -> &'static str {
    match route.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "ics" => "text/calendar; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "pdf" => "application/pdf",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn respond(status: StatusCode, kind: &str, body: Vec<u8>) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, kind)
        .header(header::CACHE_CONTROL, "no-cache")
        .body(Body::from(body))
        .expect("valid response")
}

/// Adds the live-reload script to an HTML page (not stored in the page, so what is served
/// differs from a build only by this tag).
fn inject(html: &str, version: u64, error: Option<&str>) -> Vec<u8> {
    let error_attr = error
        .map(|e| format!(" data-error=\"{}\"", crate::context::internal::escape(e)))
        .unwrap_or_default();
    let tag = format!(
        "<script src=\"/__hundred/live.js\" data-version=\"{version}\"{error_attr}></script>"
    );
    let mut out = html.to_string();
    match out.rfind("</body>") {
        Some(i) => out.insert_str(i, &tag),
        None => out.push_str(&tag),
    }
    out.into_bytes()
}

fn index_page(clients: &[(String, String)]) -> String {
    let esc = crate::context::internal::escape;
    let mut items = String::new();
    for (link, name) in clients {
        items.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>",
            esc(link),
            esc(name)
        ));
    }
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>hundred preview</title><style>body{{font:17px/1.6 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}}</style></head>\
         <body><h1>hundred preview</h1><p><a href=\"/internal/\">The internal site</a>: overview, runbooks, team, playbook.</p>\
         <h2>Client portals</h2><ul>{items}</ul><p>This page exists only in the preview; the built portal lists no clients.</p></body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_never_resolves() {
        let exists = |r: &str| r == "portal/acme/index.html" || r == "internal/index.html";
        for bad in [
            "/../etc/passwd",
            "/portal/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/portal/%2E%2E/x",
            "/portal/..%2fsecret",
            "/a%5c..%5cb",
            "/%00",
            "/portal/%zz",
        ] {
            assert!(
                matches!(resolve(bad, exists), Resolved::NotFound(_)),
                "{bad}"
            );
        }
        assert_eq!(
            resolve("/portal/acme/", exists),
            Resolved::File("portal/acme/index.html".into())
        );
        assert_eq!(
            resolve("/portal/acme", exists),
            Resolved::Redirect("/portal/acme/".into())
        );
        assert_eq!(resolve("/", exists), Resolved::Index);
        assert_eq!(
            resolve("/portal/nobody/", exists),
            Resolved::NotFound("portal/")
        );
    }
}
