//! The keys and the cipher of private portals.
//!
//! A firm's site secret (at least 32 characters, from `HUNDRED_SECRET` or `.hundred-secret`)
//! never leaves the build machine. From it, each client's id and `key_version` derive, with
//! HKDF-SHA256 and a label for each use:
//! - the **token**, the client's folder under the portal: 128 bits written in lowercase
//!   base32, so it survives case-insensitive file systems and reads as one word in a link;
//! - the **key** (256 bits) that every file of the client's portal is sealed with, with
//!   AES-256-GCM. It travels only in the link's fragment (`#k=`), in base64url;
//! - a **nonce key** for HMAC-SHA256, which makes each file's nonce from its route and a hash
//!   of its bytes: the same file seals to the same bytes on every build (so unchanged files
//!   stay unchanged for sync tools), and two different plaintexts never share a nonce.
//!
//! A sealed file is `nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)`, the route as the
//! additional data, which is what WebCrypto's `AES-GCM` `decrypt` takes: the browser needs no
//! other library. Bumping `key_version` gives a new token and new keys, so an old link stops
//! working once its folder is removed.
//!
//! The internal site's key comes from a team passphrase with PBKDF2-SHA256
//! ([`team_key`]), which WebCrypto derives the same way in the browser.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The shortest site secret accepted, in characters.
pub const SECRET_MIN_LEN: usize = 32;
/// PBKDF2 iterations for the team passphrase: OWASP's figure for PBKDF2-HMAC-SHA256.
pub const TEAM_ITERATIONS: u32 = 600_000;
/// Bytes of a sealed file besides its plaintext: the nonce before, the tag after.
pub const OVERHEAD: usize = NONCE_LEN + TAG_LEN;

const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// The HKDF salt: names the scheme, so keys of a later one never collide with these.
const SCHEME: &[u8] = b"hundred private portals v1";

/// The firm's secret, as written in `HUNDRED_SECRET` or `.hundred-secret`, kept as HKDF's
/// pseudo-random key: a thousand clients' keys are then a few hash blocks each.
#[derive(Clone)]
pub struct SiteSecret(hkdf::Hkdf<Sha256>);

impl PartialEq for SiteSecret {
    // Two secrets are the same when they derive the same keys; compared in constant time is
    // not needed (both sides are the build machine's own).
    fn eq(&self, other: &Self) -> bool {
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        self.derive("compare", "", 0, &mut a);
        other.derive("compare", "", 0, &mut b);
        a == b
    }
}

impl std::fmt::Debug for SiteSecret {
    // A secret never reaches a log or an error message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SiteSecret(…)")
    }
}

impl SiteSecret {
    /// The secret in `text`, without surrounding white space (a file ends with a line
    /// break); an error in plain words when it is too short to be safe.
    pub fn from_text(text: &str) -> Result<SiteSecret, String> {
        // A file ends with a line break, and an editor may put a byte-order mark first:
        // neither is part of the secret, and either would give every client other links.
        let secret = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        let chars = secret.chars().count();
        if chars < SECRET_MIN_LEN {
            return Err(format!(
                "the site secret is {chars} characters long; it needs at least {SECRET_MIN_LEN}"
            ));
        }
        Ok(SiteSecret(hkdf::Hkdf::<Sha256>::new(
            Some(SCHEME),
            secret.as_bytes(),
        )))
    }

    /// `len` bytes for `label`, `client` and `version`. The parts are separated by a zero byte,
    /// which no client id or label contains, so no two inputs run together.
    fn derive(&self, label: &str, client: &str, version: u32, out: &mut [u8]) {
        let info = format!("{label}\0{client}\0{version}");
        self.0
            .expand(info.as_bytes(), out)
            .expect("HKDF-SHA256 gives up to 8,160 bytes");
    }
}

/// A key and the nonce key that goes with it: what seals the files of one client's portal, or
/// of the internal site.
#[derive(Clone, PartialEq)]
pub struct Cipher {
    key: [u8; 32],
    nonce_key: [u8; 32],
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cipher(…)")
    }
}

/// What one client's private portal is made with.
#[derive(Clone, PartialEq)]
pub struct ClientKeys {
    /// The client's folder under the portal.
    pub token: String,
    pub cipher: Cipher,
}

impl std::fmt::Debug for ClientKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientKeys")
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

impl ClientKeys {
    pub fn derive(secret: &SiteSecret, client_id: &str, key_version: u32) -> ClientKeys {
        let mut token = [0u8; 16];
        let mut key = [0u8; 32];
        let mut nonce_key = [0u8; 32];
        secret.derive("token", client_id, key_version, &mut token);
        secret.derive("key", client_id, key_version, &mut key);
        secret.derive("nonce", client_id, key_version, &mut nonce_key);
        ClientKeys {
            token: base32_lower(&token),
            cipher: Cipher { key, nonce_key },
        }
    }

    /// The key as the link's fragment carries it: `#k=<this>`.
    pub fn fragment(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.cipher.key)
    }
}

impl Cipher {
    /// `plaintext`, the file at `route` (relative to the folder the key covers), sealed: the
    /// same bytes for the same route and plaintext on every build.
    pub fn seal(&self, route: &str, plaintext: &[u8]) -> Vec<u8> {
        let nonce = self.nonce(route, plaintext);
        let cipher = Aes256Gcm::new_from_slice(&self.key).expect("a 256-bit key");
        let sealed = cipher
            .encrypt(
                &Nonce::try_from(&nonce[..]).expect("a 96-bit nonce"),
                Payload {
                    msg: plaintext,
                    aad: route.as_bytes(),
                },
            )
            .expect("AES-GCM seals any file a build writes");
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// The plaintext of a file sealed for `route`, or `None` when the key, the route or the
    /// bytes are not the ones it was sealed with.
    pub fn open(&self, route: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < OVERHEAD {
            return None;
        }
        let (nonce, rest) = sealed.split_at(NONCE_LEN);
        Aes256Gcm::new_from_slice(&self.key)
            .ok()?
            .decrypt(
                &Nonce::try_from(nonce).ok()?,
                Payload {
                    msg: rest,
                    aad: route.as_bytes(),
                },
            )
            .ok()
    }

    /// An unguessable folder name for the calendar feed at `route`: calendar apps cannot
    /// decrypt, so a feed is kept private by an address only the sealed pages show. 128 bits
    /// from the nonce key, which never leaves the build.
    pub fn feed_token(&self, route: &str) -> String {
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&self.nonce_key)
            .expect("HMAC takes any key length");
        mac.update(b"feed\0");
        mac.update(route.as_bytes());
        base32_lower(&mac.finalize().into_bytes()[..16])
    }

    /// HMAC-SHA256(nonce key, route ‖ 0 ‖ SHA-256(plaintext)), cut to 96 bits.
    fn nonce(&self, route: &str, plaintext: &[u8]) -> [u8; NONCE_LEN] {
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&self.nonce_key)
            .expect("HMAC takes any key length");
        mac.update(route.as_bytes());
        mac.update(&[0]);
        mac.update(&Sha256::digest(plaintext));
        let tag = mac.finalize().into_bytes();
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&tag[..NONCE_LEN]);
        nonce
    }
}

/// The internal site's lock: the key the team's passphrase derives, and what the browser needs
/// to derive it again (the salt and the iteration count, written into each page).
#[derive(Clone, PartialEq)]
pub struct TeamLock {
    pub cipher: Cipher,
    pub salt: [u8; 16],
    pub iterations: u32,
}

impl std::fmt::Debug for TeamLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TeamLock")
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

impl TeamLock {
    /// The lock for `passphrase`: the salt is the site's own (from its secret, so no two
    /// firms share one), the key PBKDF2 of the passphrase. Takes a few hundred milliseconds
    /// by design.
    pub fn derive(secret: &SiteSecret, passphrase: &str, iterations: u32) -> TeamLock {
        let mut salt = [0u8; 16];
        secret.derive("team salt", "", 1, &mut salt);
        let key = team_key(passphrase, &salt, iterations);
        let mut nonce_key = [0u8; 32];
        hkdf::Hkdf::<Sha256>::new(Some(SCHEME), &key)
            .expand(b"team nonce", &mut nonce_key)
            .expect("32 bytes");
        TeamLock {
            cipher: Cipher { key, nonce_key },
            salt,
            iterations,
        }
    }
}

/// The internal site's key from the team's passphrase, as WebCrypto derives it in the
/// browser: PBKDF2-HMAC-SHA256 with the site's salt.
pub fn team_key(passphrase: &str, salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(passphrase.as_bytes(), salt, iterations, &mut key);
    key
}

/// RFC 4648 base32 in lowercase, without padding.
fn base32_lower(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> SiteSecret {
        SiteSecret::from_text(s).unwrap()
    }

    const A: &str = "correct horse battery staple, and then some more";
    const B: &str = "correct horse battery staple, and then some morf";

    #[test]
    fn short_secrets_are_refused_and_never_printed() {
        let e = SiteSecret::from_text("  too short\n").unwrap_err();
        assert!(
            e.contains("9 characters") && e.contains("at least 32"),
            "{e}"
        );
        assert_eq!(format!("{:?}", secret(A)), "SiteSecret(…)");
        let keys = ClientKeys::derive(&secret(A), "acme", 1);
        assert!(!format!("{keys:?}").contains(&keys.fragment()));
    }

    #[test]
    fn tokens_are_stable_and_change_with_the_secret_the_client_and_the_version() {
        let t = |s: &str, c: &str, v: u32| ClientKeys::derive(&secret(s), c, v).token;
        let acme = t(A, "acme", 1);
        assert_eq!(acme, t(A, "acme", 1));
        assert_eq!(acme.len(), 26);
        assert!(acme
            .bytes()
            .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b)));
        let others = [
            t(B, "acme", 1),
            t(A, "acme", 2),
            t(A, "acme2", 1),
            t(A, "acm", 1),
        ];
        for o in &others {
            assert_ne!(&acme, o);
        }
        // The token, the key and the nonce key are different values.
        let k = ClientKeys::derive(&secret(A), "acme", 1);
        assert_ne!(k.cipher.key, k.cipher.nonce_key);
        assert_ne!(k.fragment().len(), 0);
    }

    #[test]
    fn sealing_is_deterministic_and_opens_only_with_its_key_and_route() {
        let k = ClientKeys::derive(&secret(A), "acme", 1).cipher;
        let page = b"<h1>Welcome, Acme</h1>";
        let sealed = k.seal("index.html", page);
        assert_eq!(sealed, k.seal("index.html", page), "same input, same bytes");
        assert_eq!(sealed.len(), page.len() + OVERHEAD);
        assert_eq!(k.open("index.html", &sealed).as_deref(), Some(&page[..]));
        // Another route, another plaintext: another nonce.
        let elsewhere = k.seal("journey/index.html", page);
        assert_ne!(sealed[..12], elsewhere[..12]);
        let changed = k.seal("index.html", b"<h1>Welcome, Acme!</h1>");
        assert_ne!(sealed[..12], changed[..12]);
        // The route is bound: a file moved to another route does not open.
        assert_eq!(k.open("journey/index.html", &sealed), None);
        // Another version's key, a flipped bit, a cut file: nothing.
        let v2 = ClientKeys::derive(&secret(A), "acme", 2).cipher;
        assert_eq!(v2.open("index.html", &sealed), None);
        let mut flipped = sealed.clone();
        flipped[20] ^= 1;
        assert_eq!(k.open("index.html", &flipped), None);
        assert_eq!(k.open("index.html", &sealed[..10]), None);
        assert!(!sealed.windows(7).any(|w| w == b"Welcome"), "no plaintext");
    }

    #[test]
    fn the_fragment_is_the_key_in_base64url() {
        let k = ClientKeys::derive(&secret(A), "acme", 1);
        let f = k.fragment();
        assert_eq!(f.len(), 43);
        assert!(f
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&f)
            .unwrap();
        assert_eq!(decoded, k.cipher.key);
    }

    #[test]
    fn feed_tokens_are_stable_per_route_and_key() {
        let k = ClientKeys::derive(&secret(A), "acme", 1).cipher;
        let t = k.feed_token("journey.ics");
        assert_eq!(t, k.feed_token("journey.ics"));
        assert_eq!(t.len(), 26);
        assert_ne!(t, k.feed_token("calendar.ics"));
        assert_ne!(
            t,
            ClientKeys::derive(&secret(A), "acme", 2)
                .cipher
                .feed_token("journey.ics")
        );
    }

    #[test]
    fn the_team_lock_uses_the_sites_salt_and_the_passphrase() {
        let a = TeamLock::derive(&secret(A), "open sesame", 2);
        assert_eq!(a, TeamLock::derive(&secret(A), "open sesame", 2));
        assert_eq!(a.cipher.key, team_key("open sesame", &a.salt, 2));
        assert_ne!(
            a.cipher,
            TeamLock::derive(&secret(A), "open sesamf", 2).cipher
        );
        assert_ne!(a.salt, TeamLock::derive(&secret(B), "open sesame", 2).salt);
        let sealed = a.cipher.seal("index.html", b"notes");
        assert_eq!(a.cipher.open("index.html", &sealed).unwrap(), b"notes");
    }

    #[test]
    fn base32_matches_rfc_4648() {
        // RFC 4648 section 10, in lowercase and without padding.
        for (input, output) in [
            ("", ""),
            ("f", "my"),
            ("fo", "mzxq"),
            ("foo", "mzxw6"),
            ("foob", "mzxw6yq"),
            ("fooba", "mzxw6ytb"),
            ("foobar", "mzxw6ytboi"),
        ] {
            assert_eq!(base32_lower(input.as_bytes()), output, "{input}");
        }
    }

    #[test]
    fn the_team_key_is_pbkdf2_hmac_sha256() {
        // RFC 7914 section 11's PBKDF2-HMAC-SHA256 vector (1 iteration), first 32 bytes.
        let key = team_key("passwd", b"salt", 1);
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        );
    }
}
