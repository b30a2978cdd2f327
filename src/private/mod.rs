//! Private sites: where their secrets come from, and which keys a build seals with.
//!
//! `[portal] private = true` publishes each client's portal in a folder named by an
//! unguessable token, every page sealed with the client's own key, which only the client's
//! link carries (`src/portal_crypto.rs` says how the keys are derived, `src/shell.rs` what the
//! browser is sent instead of the page). `[internal] private = true` seals the internal site
//! with a key derived from the team's passphrase. Both need the site secret, from
//! `HUNDRED_SECRET` or the `.hundred-secret` file beside `hundred.toml`, which never enters
//! the output; the passphrase comes from `HUNDRED_TEAM_PASSPHRASE` and never does either.
//!
//! A preview (`serve` without `--private`, `build --preview`) builds both sites as public
//! ones: the firm reads its own pages without keys, and needs no secret to do it.

use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::diagnostics::Diagnostic;
use crate::model::Site;
use crate::portal_crypto::{ClientKeys, SiteSecret, TeamLock, TEAM_ITERATIONS};

/// Where the site secret is looked for first.
pub const SECRET_ENV: &str = "HUNDRED_SECRET";
/// The file in the site folder that holds the site secret when the variable is not set.
pub const SECRET_FILE: &str = ".hundred-secret";
/// Where the team's passphrase comes from.
pub const PASSPHRASE_ENV: &str = "HUNDRED_TEAM_PASSPHRASE";
/// The shortest team passphrase accepted, in characters.
pub const PASSPHRASE_MIN_LEN: usize = 12;

pub mod leaks;
pub(crate) mod seal;

/// The keys a build seals with: none for public sites.
#[derive(Debug, Clone, Default)]
pub struct Keys {
    /// Each client's keys, in the site's client order, when the portal is private.
    pub clients: Vec<ClientKeys>,
    /// The internal site's lock, when it is private.
    pub team: Option<TeamLock>,
    /// What the browser stores the team's key under: a name of this site's own, which says
    /// nothing about it.
    pub team_site_id: String,
    /// The search for client data in what a private portal publishes unencrypted.
    pub leaks: Option<Arc<leaks::LeakScan>>,
    /// Whether a private site is being previewed unencrypted, for `serve` to say so.
    pub previewing_private: bool,
}

impl PartialEq for Keys {
    // The scan follows from the clients, which the site compares on its own.
    fn eq(&self, other: &Self) -> bool {
        self.clients == other.clients && self.team == other.team
    }
}

impl Keys {
    /// Whether client portals are sealed.
    pub fn portal_is_private(&self) -> bool {
        !self.clients.is_empty()
    }

    /// The keys of the client at `index`, when the portal is private.
    pub fn client(&self, index: usize) -> Option<&ClientKeys> {
        self.clients.get(index)
    }
}

/// The link a client opens their portal with: for a private portal, its token's folder with
/// the key in the fragment (`…/<token>/#k=<key>`), which only internal pages and `hundred
/// links` show; otherwise the folder named by the client's id.
pub fn portal_link(site: &Site, client: &crate::model::Client) -> String {
    let base = site.config.portal_url().full;
    let index = site
        .clients
        .binary_search_by(|c| c.id.as_str().cmp(&client.id))
        .ok();
    match index.and_then(|i| site.keys.client(i)) {
        Some(keys) => format!("{base}{}/#k={}", keys.token, keys.fragment()),
        None => format!("{base}{}/", client.id),
    }
}

/// Makes `site` what this build publishes: for a preview, both sites public; otherwise the
/// keys of whichever site `hundred.toml` makes private, from the secret and the passphrase.
/// An error for each one missing, saying how to provide it.
///
/// With `stand_in` (`hundred check`), a secret or passphrase that is not set here is replaced
/// by a stand-in, with a warning: whoever writes content can check a private site, including
/// its plaintext scan, without holding the keys to it.
///
/// With `links_only` (`hundred links`), only what the portal's links are made from is read: a
/// private internal site's passphrase is not needed to print them.
pub fn apply(site: &mut Site, preview: bool, stand_in: bool, links_only: bool) -> Vec<Diagnostic> {
    site.keys = Keys::default();
    if preview {
        site.keys.previewing_private = site.config.portal.private || site.config.internal.private;
        site.config.portal.private = false;
        site.config.internal.private = false;
        return Vec::new();
    }
    if links_only {
        site.config.internal.private = false;
    }
    let (portal, internal) = (site.config.portal.private, site.config.internal.private);
    if !portal && !internal {
        return Vec::new();
    }
    let settings =
        std::fs::read_to_string(site.root.join(crate::config::CONFIG_FILE)).unwrap_or_default();
    let at = |section: &str| crate::config::find_key_in_section(&settings, section, "private");
    let which = if portal { "portal" } else { "internal" };
    let mut findings = Vec::new();
    let secret = match read_secret(&site.root) {
        Ok(Some(secret)) => secret,
        Ok(None) if stand_in => {
            findings.push(
                Diagnostic::warning(
                    crate::config::CONFIG_FILE,
                    format!(
                        "this site is private and there is no site secret here \
                         ({SECRET_ENV} is not set, there is no {SECRET_FILE}): checked with a \
                         stand-in; a build needs the real one"
                    ),
                )
                .at(at(which)),
            );
            SiteSecret::from_text(STAND_IN_SECRET).expect("long enough")
        }
        Ok(None) => {
            return vec![missing_secret(format!(
                "a private site needs a site secret, and there is none: {SECRET_ENV} is not \
                 set and there is no {SECRET_FILE} in the site folder"
            ))
            .at(at(which))];
        }
        Err(problem) => return vec![missing_secret(problem).at(at(which))],
    };
    let mut errors = findings;
    if portal {
        site.keys.clients = site
            .clients
            .iter()
            .map(|c| ClientKeys::derive(&secret, &c.id, c.key_version))
            .collect();
        site.keys.leaks = Some(Arc::new(leaks::LeakScan::new(site)));
    }
    if internal {
        let passphrase = match read_passphrase() {
            Ok(None) if stand_in => {
                errors.push(
                    Diagnostic::warning(
                        crate::config::CONFIG_FILE,
                        format!(
                            "the internal site is private and {PASSPHRASE_ENV} is not set \
                             here: checked with a stand-in passphrase; a build needs the real one"
                        ),
                    )
                    .at(at("internal")),
                );
                Ok(STAND_IN_PASSPHRASE.to_string())
            }
            Ok(None) => Err(format!(
                "the internal site is private (`private = true` under [internal]), so the build \
                 needs the team's passphrase in {PASSPHRASE_ENV}, which is not set"
            )),
            Ok(Some(pass)) => Ok(pass),
            Err(problem) => Err(problem),
        };
        match passphrase {
            Ok(pass) => {
                let lock = team_lock(&secret, &pass);
                site.keys.team_site_id = lock.cipher.feed_token("team site");
                site.keys.team = Some(lock);
            }
            Err(problem) => errors.push(
                Diagnostic::error(crate::config::CONFIG_FILE, problem)
                    .at(at("internal"))
                    .help(
                        "choose a passphrase the team shares (four or five random words are \
                         good) and set it where builds run, e.g. as a CI secret",
                    ),
            ),
        }
    }
    errors
}

/// What `hundred check` uses where a private site's secrets are not set: keys of its own,
/// which open nothing that is published.
const STAND_IN_SECRET: &str = "hundred check: a stand-in for a site secret that is not set here";
const STAND_IN_PASSPHRASE: &str = "a stand-in for the team passphrase";

/// The error for a site secret that is missing or unusable, with how to make one.
fn missing_secret(problem: String) -> Diagnostic {
    Diagnostic::error(crate::config::CONFIG_FILE, problem).help(format!(
        "make one with `openssl rand -base64 32 > {SECRET_FILE}` in the site folder (and keep \
         that file out of version control), or set {SECRET_ENV}; `hundred init` makes one for a \
         new site"
    ))
}

/// The site secret: `HUNDRED_SECRET` when set, else `.hundred-secret` in the site folder;
/// `None` when neither is there.
fn read_secret(root: &Path) -> Result<Option<SiteSecret>, String> {
    if let Some(text) = variable(SECRET_ENV)? {
        return SiteSecret::from_text(&text)
            .map(Some)
            .map_err(|e| format!("{SECRET_ENV}: {e}"));
    }
    let file = root.join(SECRET_FILE);
    match std::fs::read(&file) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes)
                .map_err(|_| format!("{SECRET_FILE} is not text (UTF-8)"))?;
            SiteSecret::from_text(&text)
                .map(Some)
                .map_err(|e| format!("{SECRET_FILE}: {e}"))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if file.symlink_metadata().is_ok() {
                return Err(format!(
                    "{SECRET_FILE} is a link to a file that does not exist"
                ));
            }
            Ok(None)
        }
        Err(e) => Err(format!("cannot read {SECRET_FILE}: {e}")),
    }
}

/// The team passphrase from `HUNDRED_TEAM_PASSPHRASE`, without surrounding white space (a
/// password field drops line breaks, so one could never be typed); `None` when it is not set.
fn read_passphrase() -> Result<Option<String>, String> {
    let Some(pass) = variable(PASSPHRASE_ENV)? else {
        return Ok(None);
    };
    let pass = pass.trim();
    if pass.chars().any(char::is_control) {
        return Err(format!(
            "the team passphrase in {PASSPHRASE_ENV} has a line break or another control \
             character, which nobody can type into the page"
        ));
    }
    let chars = pass.chars().count();
    if chars < PASSPHRASE_MIN_LEN {
        return Err(format!(
            "the team passphrase in {PASSPHRASE_ENV} is {chars} characters long; it needs at \
             least {PASSPHRASE_MIN_LEN}"
        ));
    }
    Ok(Some(pass.to_string()))
}

/// An environment variable's value: `None` when it is not set or only white space, an error
/// when it is not text (it would otherwise be passed over without a word).
fn variable(name: &str) -> Result<Option<String>, String> {
    match std::env::var_os(name) {
        None => Ok(None),
        Some(value) => match value.into_string() {
            Ok(text) if text.trim().is_empty() => Ok(None),
            Ok(text) => Ok(Some(text)),
            Err(_) => Err(format!("{name} is set, but not to text (UTF-8)")),
        },
    }
}

/// The team lock for `passphrase`, derived once per process for the same secret and
/// passphrase: PBKDF2 takes a few hundred milliseconds by design, and `serve` reloads the
/// settings on every edit.
fn team_lock(secret: &SiteSecret, passphrase: &str) -> TeamLock {
    type Remembered = Option<(SiteSecret, [u8; 32], TeamLock)>;
    static LAST: Mutex<Remembered> = Mutex::new(None);
    use sha2::Digest;
    let pass: [u8; 32] = sha2::Sha256::digest(passphrase.as_bytes()).into();
    let mut last = LAST.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((s, p, lock)) = last.as_ref() {
        if s == secret && *p == pass {
            return lock.clone();
        }
    }
    let lock = TeamLock::derive(secret, passphrase, TEAM_ITERATIONS);
    *last = Some((secret.clone(), pass, lock.clone()));
    lock
}
