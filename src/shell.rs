//! The neutral page published in place of a sealed one.
//!
//! A private portal's pages are sealed with AES-256-GCM ([`crate::portal_crypto`]), so what a
//! static host serves at a page's address cannot be the page itself. It is a *shell*: a page
//! that says nothing about the client (a generic title, the firm's name, `noindex`), carries
//! the sealed bytes inside a non-executing `<script>` element, and a small script
//! (`shell.js`) that finds the key, decrypts with WebCrypto and writes the real page in its
//! place. The key is never in the shell: it arrives in the link's fragment (`#k=`, which
//! browsers do not send to the server) or is derived from the team passphrase typed into the
//! page.
//!
//! Every state the script can end in (no key, a wrong key, no WebCrypto, an unexpected error)
//! has its text written here, hidden, so the reader sees plain words and the firm's contact
//! details instead of a blank page; `<noscript>` says the same when scripts are off.
//!
//! The output depends only on the arguments: the same inputs give the same bytes, so an
//! unchanged page stays unchanged for the tools that upload a build.

use base64::Engine;

// Safe as HTML text and as a double- or single-quoted attribute value.
use crate::context::internal::escape;

/// How the key for a shell's page is found.
pub enum Lock<'a> {
    /// A client's portal: the key comes from the link's `#k=` fragment, then is kept per tab.
    Client { token: &'a str },
    /// The internal site: the key is derived from the team passphrase typed into the page.
    Team {
        site_id: &'a str,
        salt: &'a [u8],
        iterations: u32,
    },
}

/// The firm a shell names, and how a reader stuck on it can reach the firm.
pub struct Firm<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub phone: Option<&'a str>,
    pub website: Option<&'a str>,
}

/// The version of the lock parameters `shell.js` reads: a later scheme (another KDF, say)
/// gets another value, and an old script refuses it in plain words instead of failing oddly.
const SCHEME: &str = "v1";

/// The script that opens the page. It is published once per folder a key covers, as
/// `assets/hundred-open.js` beside the theme's stylesheet (so a client's folder still works
/// uploaded on its own), and linked from every shell: inlined, it was 20 kB of each of a
/// thousand clients' pages, half the size of a private portal.
pub const SCRIPT: &str = include_str!("shell.js");

/// The script's file name in a folder's `assets/`.
pub const SCRIPT_FILE: &str = "hundred-open.js";

/// Just enough style for one centred card, readable from a phone to a desktop, in light and
/// dark mode. `[hidden]` is forced because the card's own `display` rules must not show a
/// state the script has not chosen.
const STYLE: &str = "\
:root{color-scheme:light dark;font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;line-height:1.5}\
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;padding:1rem;box-sizing:border-box;background:#f3f4f6;color:#1f2328}\
main{width:100%;max-width:30rem;padding:2rem 1.5rem 1rem;box-sizing:border-box;background:#fff;border-radius:12px;box-shadow:0 1px 4px rgba(0,0,0,.12)}\
h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem;overflow-wrap:anywhere}\
h2{font-size:1.125rem;margin:0 0 .5rem}\
p,ul{margin:0 0 1rem}ul{padding-left:1.25rem}\
a{color:#0b57d0;overflow-wrap:anywhere}\
label{display:block;font-weight:600}\
input,button{font:inherit}\
input{display:block;width:100%;box-sizing:border-box;margin:.25rem 0 .75rem;padding:.5rem;border:1px solid #8c959f;border-radius:6px}\
button{padding:.5rem 1.25rem;border:0;border-radius:6px;background:#0b57d0;color:#fff;cursor:pointer}\
button:disabled{opacity:.6;cursor:progress}\
[hidden]{display:none!important}\
.status{color:#57606a}\
@media (prefers-color-scheme:dark){body{background:#111315;color:#e6edf3}main{background:#1c1f23;box-shadow:none}a{color:#8ab4f8}.status{color:#9aa4ae}input{background:#0d1117;color:inherit}}";

/// The page published at a sealed page's address.
/// `route`: the additional data the page was sealed with (route relative to the folder the lock covers).
/// `root`: relative path from this page to that folder ("./", "../", "../../").
pub fn page(firm: &Firm, lock: &Lock, route: &str, root: &str, sealed: &[u8]) -> Vec<u8> {
    // The base64 dominates the size; the rest is a few kilobytes.
    let mut html = String::with_capacity(sealed.len() / 3 * 4 + 8192);
    html.push_str("<!doctype html>\n<html lang=\"en\">\n<head>\n");
    head(&mut html, firm, lock);
    html.push_str("</head>\n<body>\n<main>\n");
    html.push_str(&format!("<h1>{}</h1>\n", escape(firm.name)));
    html.push_str(
        "<p id=\"hundred-opening\" class=\"status\" role=\"status\" aria-live=\"polite\">Opening…</p>\n",
    );
    match lock {
        Lock::Client { .. } => client_states(&mut html, firm),
        Lock::Team { .. } => team_form(&mut html),
    }
    shared_states(&mut html, firm);
    html.push_str("<noscript><p>This page needs JavaScript to open. Turn it on in your browser and reload the page.</p>\n");
    html.push_str(&contact_list(firm));
    html.push_str("</noscript>\n</main>\n");
    sealed_element(&mut html, lock, route, root, sealed);
    html.push_str(&format!(
        "<script src=\"{}assets/{SCRIPT_FILE}\"></script>\n</body>\n</html>\n",
        escape(root)
    ));
    html.into_bytes()
}

/// The head: nothing that names the client, and nothing a search engine or another site
/// should keep (no indexing, no referrer carrying the page's address away).
fn head(html: &mut String, firm: &Firm, lock: &Lock) {
    let what = match lock {
        Lock::Client { .. } => "Client portal",
        Lock::Team { .. } => "Team site",
    };
    html.push_str("<meta charset=\"utf-8\">\n");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    html.push_str("<meta name=\"robots\" content=\"noindex, nofollow\">\n");
    html.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
    html.push_str(&format!("<title>{what} · {}</title>\n", escape(firm.name)));
    html.push_str(&format!("<style>{STYLE}</style>\n"));
    // Without scripts, "Opening…" would promise something that never happens.
    html.push_str("<noscript><style>#hundred-opening{display:none}</style></noscript>\n");
}

/// What a client sees when the key is missing or does not open the page.
fn client_states(html: &mut String, firm: &Firm) {
    let name = escape(firm.name);
    html.push_str(&format!(
        "<section id=\"hundred-missing\" hidden>\n<h2>This page is private</h2>\n\
         <p>It opens only from the personal link {name} sent you. Open that link from their \
         message again; if you cannot find it, ask them for it.</p>\n</section>\n"
    ));
    html.push_str(&format!(
        "<section id=\"hundred-wrong\" hidden>\n<h2>This link does not open the page</h2>\n\
         <p>The link may have been cut short when it was copied, or replaced by a newer one. \
         Open the link from {name}’s latest message again, or ask them for a new one.</p>\n\
         </section>\n"
    ));
}

/// The team's passphrase form. The passphrase is only read by the script, never sent: the
/// form has no action, and the script stops its submission.
fn team_form(html: &mut String) {
    html.push_str(
        "<form id=\"hundred-unlock\" hidden>\n\
         <label for=\"hundred-passphrase\">Team passphrase</label>\n\
         <input id=\"hundred-passphrase\" type=\"password\" autocomplete=\"current-password\" required>\n\
         <button type=\"submit\">Unlock</button>\n\
         <p id=\"hundred-unlock-status\" class=\"status\" role=\"status\" aria-live=\"polite\"></p>\n\
         </form>\n",
    );
}

/// The states both locks can end in, and the firm's contact details shown with them.
fn shared_states(html: &mut String, firm: &Firm) {
    html.push_str(
        "<section id=\"hundred-insecure\" hidden>\n<h2>This page must be opened over https</h2>\n\
         <p>Your browser opens private pages only over a secure connection. Check that the \
         address starts with https:// and open it again.</p>\n</section>\n",
    );
    html.push_str(
        "<section id=\"hundred-failed\" hidden>\n<h2>This page could not be opened</h2>\n\
         <p>Your browser could not open it. Reload the page, or try again in an up-to-date \
         browser.</p>\n</section>\n",
    );
    html.push_str("<div id=\"hundred-contact\" hidden>\n");
    html.push_str(&contact_list(firm));
    html.push_str("</div>\n");
}

/// How to reach the firm: a mail link always, a phone link and the website when given.
fn contact_list(firm: &Firm) -> String {
    let mut out = format!("<p>To reach {}:</p>\n<ul>\n", escape(firm.name));
    let email = escape(firm.email);
    out.push_str(&format!(
        "<li>Email: <a href=\"mailto:{email}\">{email}</a></li>\n"
    ));
    if let Some(phone) = firm.phone.filter(|p| !p.trim().is_empty()) {
        let shown = escape(phone);
        let dial = dial_digits(phone);
        if dial.chars().any(|c| c.is_ascii_digit()) {
            out.push_str(&format!(
                "<li>Phone: <a href=\"tel:{dial}\">{shown}</a></li>\n"
            ));
        } else {
            out.push_str(&format!("<li>Phone: {shown}</li>\n"));
        }
    }
    if let Some(site) = firm.website.filter(|w| !w.trim().is_empty()) {
        let shown = escape(site);
        // Only web addresses become links: a `javascript:` value must stay inert text.
        let lower = site.trim().to_ascii_lowercase();
        if lower.starts_with("https://") || lower.starts_with("http://") {
            out.push_str(&format!(
                "<li>Website: <a href=\"{}\">{shown}</a></li>\n",
                escape(site.trim())
            ));
        } else {
            out.push_str(&format!("<li>Website: {shown}</li>\n"));
        }
    }
    out.push_str("</ul>\n");
    out
}

/// A phone number as a `tel:` link dials it: the digits, and a leading `+` for the country
/// code; spaces, dashes and brackets are for reading only.
fn dial_digits(phone: &str) -> String {
    let trimmed = phone.trim();
    let mut out = String::new();
    if trimmed.starts_with('+') {
        out.push('+');
    }
    out.extend(trimmed.chars().filter(char::is_ascii_digit));
    out
}

/// The sealed bytes and what the script needs to open them. The element's type is not a
/// script type, so the browser keeps its text as data; standard base64 has no `<`, so the
/// text cannot end the element early.
fn sealed_element(html: &mut String, lock: &Lock, route: &str, root: &str, sealed: &[u8]) {
    html.push_str("<script type=\"application/octet-stream\" id=\"hundred-sealed\"");
    match lock {
        Lock::Client { token } => {
            html.push_str(&format!(
                " data-lock=\"client\" data-token=\"{}\"",
                escape(token)
            ));
        }
        Lock::Team {
            site_id,
            salt,
            iterations,
        } => {
            let salt = base64::engine::general_purpose::STANDARD.encode(salt);
            html.push_str(&format!(
                " data-lock=\"team\" data-site=\"{}\" data-salt=\"{salt}\" data-iterations=\"{iterations}\"",
                escape(site_id)
            ));
        }
    }
    html.push_str(&format!(
        " data-scheme=\"{SCHEME}\" data-route=\"{}\" data-root=\"{}\">",
        escape(route),
        escape(root)
    ));
    html.push_str(&base64::engine::general_purpose::STANDARD.encode(sealed));
    html.push_str("</script>\n");
}

/// Where the base64 text of the sealed bytes is in a shell: what of it is not readable.
pub fn sealed_range(shell: &[u8]) -> Option<std::ops::Range<usize>> {
    let marker = b"id=\"hundred-sealed\"";
    let at = shell.windows(marker.len()).position(|w| w == marker)?;
    let open = at + shell[at..].iter().position(|&b| b == b'>')? + 1;
    let close = open + shell[open..].iter().position(|&b| b == b'<')?;
    Some(open..close)
}

/// The sealed bytes a shell carries: `hundred pdf` opens a private print page with its key to
/// print it.
pub fn sealed_bytes(shell: &[u8]) -> Option<Vec<u8>> {
    let range = sealed_range(shell)?;
    base64::engine::general_purpose::STANDARD
        .decode(&shell[range])
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal_crypto::{team_key, ClientKeys, SiteSecret, TeamLock};

    const SECRET: &str = "a site secret that is long enough to be accepted";
    const PAGE: &[u8] =
        b"<!doctype html><title>Welcome, Acme Ltd</title><h1>Welcome, Acme Ltd</h1>";

    fn keys() -> ClientKeys {
        ClientKeys::derive(&SiteSecret::from_text(SECRET).unwrap(), "acme", 1)
    }

    fn firm() -> Firm<'static> {
        Firm {
            name: "Northwind & Co",
            email: "hello@northwind.example",
            phone: Some("+44 20 7946 0000"),
            website: Some("https://northwind.example"),
        }
    }

    fn client_shell(firm: &Firm, route: &str, root: &str) -> (ClientKeys, String) {
        let keys = keys();
        let sealed = keys.cipher.seal(route, PAGE);
        let lock = Lock::Client { token: &keys.token };
        let html = String::from_utf8(page(firm, &lock, route, root, &sealed)).unwrap();
        (keys, html)
    }

    /// The text of the sealed element, decoded.
    fn sealed_bytes(html: &str) -> Vec<u8> {
        super::sealed_bytes(html.as_bytes()).unwrap()
    }

    fn attribute<'h>(html: &'h str, name: &str) -> &'h str {
        let key = format!(" {name}=\"");
        let start = html.find(&key).unwrap() + key.len();
        &html[start..start + html[start..].find('"').unwrap()]
    }

    #[test]
    fn the_same_inputs_give_the_same_bytes() {
        let (_, a) = client_shell(&firm(), "team/index.html", "../");
        let (_, b) = client_shell(&firm(), "team/index.html", "../");
        assert_eq!(a, b);
        let salt = [7u8; 16];
        let lock = Lock::Team {
            site_id: "internal",
            salt: &salt,
            iterations: 600_000,
        };
        let sealed = [9u8; 40];
        let one = page(&firm(), &lock, "index.html", "./", &sealed);
        let two = page(&firm(), &lock, "index.html", "./", &sealed);
        assert_eq!(one, two);
    }

    #[test]
    fn the_sealed_page_round_trips_and_the_key_never_appears() {
        let route = "team/ada/index.html";
        let (keys, html) = client_shell(&firm(), route, "../../");
        let sealed = sealed_bytes(&html);
        assert_eq!(keys.cipher.open(route, &sealed).as_deref(), Some(PAGE));
        assert_eq!(attribute(&html, "data-route"), route);
        assert_eq!(attribute(&html, "data-root"), "../../");
        assert_eq!(attribute(&html, "data-token"), keys.token);
        assert_eq!(attribute(&html, "data-lock"), "client");
        assert!(!html.contains(&keys.fragment()), "no key in the shell");
        // The script explains `#k=` in its comments; the rest of the page has no link with a key.
        assert!(
            !html.replace(SCRIPT, "").contains("#k="),
            "no link with a key"
        );
        assert!(!html.contains("Acme"), "no client data: {html}");
        let key = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(keys.fragment())
            .unwrap();
        let standard = base64::engine::general_purpose::STANDARD.encode(&key);
        assert!(
            !html.contains(&standard[..40]),
            "no key in another alphabet"
        );
    }

    #[test]
    fn the_head_keeps_the_page_out_of_indexes_and_names_no_client() {
        let (_, html) = client_shell(&firm(), "index.html", "./");
        assert!(html.starts_with("<!doctype html>\n<html lang=\"en\">"));
        assert!(html.contains("<meta charset=\"utf-8\">"));
        assert!(html.contains("name=\"viewport\""));
        assert!(html.contains("<meta name=\"robots\" content=\"noindex, nofollow\">"));
        assert!(html.contains("<meta name=\"referrer\" content=\"no-referrer\">"));
        assert!(html.contains("<title>Client portal · Northwind &amp; Co</title>"));
        assert!(html.contains("<h1>Northwind &amp; Co</h1>"));
        assert!(html.contains("<noscript>"));
        for state in ["missing", "wrong", "insecure", "failed", "contact"] {
            assert!(
                html.contains(&format!("id=\"hundred-{state}\" hidden")),
                "{state}"
            );
        }
        assert!(html.contains("href=\"mailto:hello@northwind.example\""));
        assert!(html.contains("href=\"tel:+442079460000\">+44 20 7946 0000</a>"));
        assert!(html.contains("href=\"https://northwind.example\""));
    }

    #[test]
    fn a_team_shell_carries_the_derivation_parameters_and_the_form() {
        let secret = SiteSecret::from_text(SECRET).unwrap();
        let team = TeamLock::derive(&secret, "open sesame", 2);
        let sealed = team.cipher.seal("clients/index.html", PAGE);
        let lock = Lock::Team {
            site_id: "internal",
            salt: &team.salt,
            iterations: team.iterations,
        };
        let html = page(&firm(), &lock, "clients/index.html", "../", &sealed);
        let html = String::from_utf8(html).unwrap();
        assert!(html.contains("<title>Team site · Northwind &amp; Co</title>"));
        assert_eq!(attribute(&html, "data-lock"), "team");
        assert_eq!(attribute(&html, "data-site"), "internal");
        assert_eq!(attribute(&html, "data-iterations"), "2");
        assert_eq!(attribute(&html, "data-scheme"), "v1");
        // What the browser derives from the attributes opens the page.
        let salt = base64::engine::general_purpose::STANDARD
            .decode(attribute(&html, "data-salt"))
            .unwrap();
        assert_eq!(salt, team.salt);
        let key = team_key("open sesame", &salt, 2);
        assert_eq!(key, team_key("open sesame", &team.salt, team.iterations));
        assert_eq!(
            team.cipher
                .open("clients/index.html", &sealed_bytes(&html))
                .as_deref(),
            Some(PAGE)
        );
        assert!(html.contains("<form id=\"hundred-unlock\" hidden>"));
        assert!(html.contains("type=\"password\" autocomplete=\"current-password\""));
        assert!(html.contains(">Team passphrase</label>"));
        assert!(html.contains(">Unlock</button>"));
        assert!(!html.contains("hundred-missing"), "no client states");
    }

    #[test]
    fn hostile_firm_details_stay_text() {
        let hostile = Firm {
            name: "<script>alert(1)</script> \"Q\" & 'R'",
            email: "x\"><img src=x onerror=alert(1)>@example.com",
            phone: Some("<b>0</b>"),
            website: Some("javascript:alert(1)"),
        };
        let (_, html) = client_shell(&hostile, "index.html", "./\"><x>");
        let markup_from_script = html.matches("<script").count();
        assert_eq!(markup_from_script, 2, "only the shell's own two scripts");
        assert!(!html.contains("<img"));
        assert!(!html.contains("<b>"));
        assert!(!html.contains("<x>"));
        assert!(!html.contains("href=\"javascript:"));
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &quot;Q&quot; &amp; &#39;R&#39;")
        );
        assert!(html.contains("<li>Website: javascript:alert(1)</li>"));
        // The phone is dialled by its digits only, and shown as text.
        assert!(html.contains("<a href=\"tel:0\">&lt;b&gt;0&lt;/b&gt;</a>"));
    }

    #[test]
    fn the_script_holds_nothing_that_could_end_a_script_element() {
        // Inside <script>, these would end the element or change how it is parsed.
        let lower = SCRIPT.to_ascii_lowercase();
        assert!(!lower.contains("</script"));
        assert!(!lower.contains("<!--"));
        assert!(!lower.contains("<script"));
    }

    #[test]
    fn escape_covers_text_and_both_quotes() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
        assert_eq!(escape("Zoë · ok"), "Zoë · ok");
    }
}
