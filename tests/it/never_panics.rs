//! No input makes hundred panic: arbitrary and mutated settings, profiles and front matter
//! either load or produce diagnostics. Case counts are bounded so CI time stays small; raise
//! them with PROPTEST_CASES for a longer local run.

use std::path::Path;

use hundred::config::Config;
use hundred::load::{clients, journey, playbook, team};
use proptest::prelude::*;

/// Fragments that stress YAML, TOML and front matter parsing.
const TOKENS: &[&str] = &[
    "---\n",
    "\n",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    "#",
    "&a ",
    "*a",
    "!!str ",
    "|\n  ",
    ">\n  ",
    "  ",
    "\t",
    "name",
    "day",
    "start",
    "2026-02-30",
    "-1",
    "99999999999999999999",
    "0x1F",
    "NO",
    "~",
    "null",
    "\u{feff}",
    "é",
    "{{ client.name }}",
    "{% if %}",
    "<script>",
    "\r\n",
    "?",
    ",",
    "=",
    "[firm]",
    "base_url",
    "\"https://x.example/\"",
    "team:",
    "  account-lead: ",
    "internal:",
];

fn fragments() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(TOKENS).prop_map(String::from),
            1 => any::<String>(),
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

/// A valid file with a random slice replaced by random fragments: close to real mistakes.
fn mutated(valid: &'static str) -> impl Strategy<Value = String> {
    (0..=valid.len(), 0..=valid.len(), fragments()).prop_map(move |(a, b, insert)| {
        let (mut lo, mut hi) = (a.min(b), a.max(b));
        while !valid.is_char_boundary(lo) {
            lo -= 1;
        }
        while !valid.is_char_boundary(hi) {
            hi -= 1;
        }
        format!("{}{}{}", &valid[..lo], insert, &valid[hi..])
    })
}

const TEAM: &str = include_str!("../fixtures/canary/team/ann.yaml");
const CLIENT: &str = include_str!("../fixtures/canary/clients/acme.yaml");
const SCRIPT: &str = include_str!("../fixtures/canary/journey/001-welcome-call.md");
const CHAPTER: &str = include_str!("../fixtures/canary/playbook/01-intro.md");
const CONFIG: &str = include_str!("../fixtures/canary/hundred.toml");

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn profiles_never_panic(text in prop_oneof![fragments(), mutated(TEAM)]) {
        let _ = team::load(Path::new("team/x.yaml"), "x", &text);
    }

    #[test]
    fn clients_never_panic(text in prop_oneof![fragments(), mutated(CLIENT)]) {
        let _ = clients::load(Path::new("clients/x.yaml"), "x", &text);
    }

    #[test]
    fn front_matter_never_panics(text in prop_oneof![fragments(), mutated(SCRIPT), mutated(CHAPTER)]) {
        let _ = journey::load(Path::new("journey/x.md"), "x", &text);
        let _ = playbook::load(Path::new("playbook/x.md"), "x", &text);
    }

    #[test]
    fn config_never_panics(text in prop_oneof![fragments(), mutated(CONFIG)]) {
        let _ = Config::parse(&text);
    }
}

proptest! {
    // Whole builds are slower: fewer cases, each a site with one mutated file.
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn whole_builds_never_panic(
        which in 0usize..4,
        text in prop_oneof![mutated(TEAM), mutated(CLIENT), mutated(SCRIPT), mutated(CONFIG)],
    ) {
        let site = crate::support::copy_fixture("canary");
        let target = ["team/ann.yaml", "clients/acme.yaml", "journey/001-welcome-call.md", "hundred.toml"][which];
        std::fs::write(site.path().join(target), &text).unwrap();
        let opts = hundred::build::BuildOptions { minify: Some(false), ..Default::default() };
        let _ = hundred::build::check(site.path(), &opts);
    }
}

/// Theme templates with Tera inside tags, attribute values and text.
const TEMPLATES: &[&str] = &[
    include_str!("../../themes/default/templates/internal/base.html"),
    include_str!("../../themes/default/templates/partials/member_card.html"),
    include_str!("../../themes/default/templates/partials/due_table.html"),
    include_str!("../../themes/default/templates/partials/print_head.html"),
];

const HTML_TOKENS: &[&str] = &[
    "<",
    ">",
    "</",
    "<a ",
    "<pre>",
    "</pre>",
    "<script>",
    "</script>",
    "<!--",
    "-->",
    "\"",
    "'",
    "=",
    " ",
    "\n",
    "{{ x }}",
    "{{",
    "}}",
    "{% if a %}",
    "{% endif %}",
    "{% for i in l %}",
    "{% endfor %}",
    "{% raw %}",
    "{% endraw %}",
    "{#",
    "#}",
    "class=\"",
    "href=",
    "&amp;",
    "\u{E000}",
    "é",
];

fn tera_accepts(source: &str) -> bool {
    // With the theme's base and the partial one of them includes, so those resolve.
    let mut tera = tera::Tera::new();
    tera.add_raw_templates(
        hundred::theme::templates()
            .filter(|(name, _)| ["base.html", "partials/when.html"].contains(name)),
    )
    .expect("the theme's base compiles");
    tera.add_raw_template("t.html", source).is_ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Minifying a template never panics, never makes a template Tera accepts into one it
    /// rejects, and keeps every Tera tag of it.
    #[test]
    fn minifying_templates_keeps_them_working(
        which in 0..TEMPLATES.len(),
        cut in any::<(usize, usize)>(),
        insert in prop::collection::vec(prop::sample::select(HTML_TOKENS), 0..12),
    ) {
        let valid = TEMPLATES[which];
        let (mut lo, mut hi) = (cut.0 % (valid.len() + 1), cut.1 % (valid.len() + 1));
        if lo > hi {
            std::mem::swap(&mut lo, &mut hi);
        }
        while !valid.is_char_boundary(lo) { lo -= 1; }
        while !valid.is_char_boundary(hi) { hi -= 1; }
        let source = format!("{}{}{}", &valid[..lo], insert.concat(), &valid[hi..]);
        if let Some(small) = hundred::minify::minify_template(&source) {
            // A template Tera rejects may lose stray text (an unclosed `<!--` swallows the rest
            // of the file, as it would on the page); one it accepts keeps all its tags.
            if tera_accepts(&source) {
                prop_assert!(tera_accepts(&small), "broke a valid template:\n{}\n->\n{}", source, small);
                for opener in ["{{", "{%", "{#"] {
                    prop_assert_eq!(source.matches(opener).count(), small.matches(opener).count(),
                        "{} in\n{}\n->\n{}", opener, source, small);
                }
            }
        }
    }
}

#[test]
fn the_unmutated_templates_are_accepted() {
    // Otherwise the property above would hold vacuously.
    for t in TEMPLATES {
        assert!(tera_accepts(t), "{t}");
    }
}
