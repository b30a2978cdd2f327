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
        let mut patterns: Vec<String> = Vec::new();
        let mut found = Vec::new();
        let mut add = |text: &str, what: String| {
            let text = text.trim();
            if text.chars().count() < SHORTEST {
                return;
            }
            // As written, and as HTML and calendar files escape it.
            for form in [text.to_string(), html_escaped(text), ics_escaped(text)] {
                if !patterns.contains(&form) {
                    patterns.push(form);
                    found.push(what.clone());
                }
            }
        };
        for c in &site.clients {
            add(&c.name, format!("the name of the client `{}`", c.id));
            for contact in &c.contacts {
                add(&contact.name, format!("a contact's name of `{}`", c.id));
                add(&contact.email, format!("a contact's e-mail of `{}`", c.id));
                if let Some(phone) = &contact.phone {
                    add(phone, format!("a contact's phone number of `{}`", c.id));
                }
            }
            for goal in &c.goals {
                add(goal, format!("a goal of `{}`", c.id));
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
        let word = |b: u8| b.is_ascii_alphanumeric() || b >= 0x80;
        self.search
            .find_overlapping_iter(bytes)
            .find(|m| {
                let (start, end) = (m.start(), m.end());
                // A pattern that starts (ends) with a letter must not continue a word there.
                let joins_before =
                    word(bytes[start]) && start.checked_sub(1).is_some_and(|i| word(bytes[i]));
                let joins_after = word(bytes[end - 1]) && bytes.get(end).copied().is_some_and(word);
                !joins_before && !joins_after
            })
            .map(|m| self.found[m.pattern().as_usize()].as_str())
    }
}

fn html_escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn ics_escaped(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(',', "\\,")
        .replace(';', "\\;")
}
