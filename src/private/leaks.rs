//! The last line of defence of a private portal: every file published in plaintext (the
//! shells around sealed pages, calendars, robots.txt, the not-found page, static files) is
//! searched for what a stranger must not read there: any client's name, a contact's name,
//! e-mail or phone, or a goal. A build or check that finds one fails, naming the file and
//! what it found.

use aho_corasick::AhoCorasick;

use crate::model::Site;

/// The search for every client's private words, built once per load.
#[derive(Debug, Clone)]
pub struct LeakScan {
    search: AhoCorasick,
    /// For each pattern: what it is, in words ("the name of the client `acme`").
    found: Vec<String>,
}

/// Shorter words are not searched: a two-letter name would be found inside ordinary words.
const SHORTEST: usize = 3;

impl LeakScan {
    pub fn new(site: &Site) -> LeakScan {
        // Each client's private values, with what they are.
        let mut values: Vec<(&str, String)> = Vec::new();
        for c in &site.clients {
            values.push((&c.name, format!("the name of the client `{}`", c.id)));
            for contact in &c.contacts {
                values.push((&contact.name, format!("a contact's name of `{}`", c.id)));
                values.push((&contact.email, format!("a contact's e-mail of `{}`", c.id)));
                if let Some(phone) = &contact.phone {
                    values.push((phone, format!("a contact's phone number of `{}`", c.id)));
                }
            }
            for goal in &c.goals {
                values.push((goal, format!("a goal of `{}`", c.id)));
            }
        }
        values.retain(|(text, _)| text.trim().chars().count() >= SHORTEST);
        // Words the firm itself publishes (a client called "Open", a goal that is a step's
        // title) are not searched: no file could show that they leaked.
        let texts: Vec<&str> = values.iter().map(|(t, _)| t.trim()).collect();
        let own = firms_own_words(site);
        let in_own: std::collections::HashSet<usize> = match AhoCorasick::new(&texts) {
            Ok(search) => whole_words(&search, own.as_bytes())
                .map(|m| m.pattern().as_usize())
                .collect(),
            Err(_) => Default::default(),
        };
        let mut seen = std::collections::HashSet::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut found = Vec::new();
        for (i, (text, what)) in texts.iter().zip(values.iter().map(|(_, w)| w)).enumerate() {
            if in_own.contains(&i) {
                continue;
            }
            // As written, and as HTML and calendar files escape it.
            for form in [
                text.to_string(),
                crate::context::internal::escape(text),
                ics_escaped(text),
            ] {
                if seen.insert(form.clone()) {
                    patterns.push(form);
                    found.push(what.clone());
                }
            }
        }
        // Overlapping search (the standard match kind) sees a name inside a longer word and
        // the same name standing alone further on.
        let search = AhoCorasick::new(&patterns).expect("the patterns are plain text");
        LeakScan { search, found }
    }

    /// What of a client's private words `bytes` holds, if anything: the first one found as a
    /// whole word (not inside a longer one), in words.
    pub fn first_in(&self, bytes: &[u8]) -> Option<&str> {
        whole_words(&self.search, bytes)
            .next()
            .map(|m| self.found[m.pattern().as_usize()].as_str())
    }
}

/// The matches of `search` in `bytes` that are not part of a longer word: a pattern that
/// starts (ends) with a letter or digit must not continue one there. Letters are Unicode
/// letters, so a name beside a curly quote or an ellipsis is a whole word, and "Zoë" is not
/// found inside "Zoëlle".
fn whole_words<'a>(
    search: &'a AhoCorasick,
    bytes: &'a [u8],
) -> impl Iterator<Item = aho_corasick::Match> + 'a {
    search.find_overlapping_iter(bytes).filter(move |m| {
        let (start, end) = (m.start(), m.end());
        let joins_before =
            is_word(char_at(bytes, start)) && start > 0 && is_word(char_before(bytes, start));
        let joins_after = is_word(char_before(bytes, end)) && is_word(char_at(bytes, end));
        !joins_before && !joins_after
    })
}

fn is_word(c: Option<char>) -> bool {
    c.is_some_and(char::is_alphanumeric)
}

/// The character that starts at byte `i`, if a valid one does.
fn char_at(bytes: &[u8], i: usize) -> Option<char> {
    let rest = bytes.get(i..)?;
    let len = rest.len().min(4);
    (1..=len).find_map(|n| std::str::from_utf8(&rest[..n]).ok()?.chars().next())
}

/// The character that ends just before byte `i`, if a valid one does.
fn char_before(bytes: &[u8], i: usize) -> Option<char> {
    (1..=i.min(4)).find_map(|n| std::str::from_utf8(&bytes[i - n..i]).ok()?.chars().next())
}

/// What hundred and the firm publish on every site, whatever the clients: the shells' words,
/// the firm's details, the journey's step titles, the theme's not-found and portal root pages.
/// A client's name or goal found in it cannot be told from the firm's own text.
fn firms_own_words(site: &Site) -> String {
    let f = &site.config.firm;
    let firm = crate::shell::Firm {
        name: &f.name,
        email: &f.email,
        phone: f.phone.as_deref(),
        website: f.website.as_deref(),
    };
    let mut own = String::new();
    let locks = [
        crate::shell::Lock::Client { token: "" },
        crate::shell::Lock::Team {
            site_id: "",
            salt: &[],
            iterations: 0,
        },
    ];
    for lock in &locks {
        own.push_str(&String::from_utf8_lossy(&crate::shell::page(
            &firm,
            lock,
            "",
            "",
            &[],
        )));
    }
    for text in [
        Some(&f.name),
        Some(&f.email),
        f.phone.as_ref(),
        f.website.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        own.push('\n');
        own.push_str(text);
    }
    own.push('\n');
    own.push_str(&crate::subscribe::private_calendar_name(&f.name));
    for t in &site.journey {
        own.push('\n');
        own.push_str(&t.title);
    }
    for template in ["404.html", "portal/index.html", "robots.txt"] {
        if let Some(text) = crate::theme::template(template) {
            own.push('\n');
            own.push_str(text);
        }
    }
    own
}

fn ics_escaped(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(',', "\\,")
        .replace(';', "\\;")
}
