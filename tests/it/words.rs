//! The words a client reads: roles by their labels (`[roles]` in `hundred.toml`, or the common
//! roles' defaults), one typographic rule for every piece of text, the team in the order the
//! client meets it, and a facepile whose faces agree with its count.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::*;

/// Every portal page of a preview build, by path under `public/portal/`.
fn portal_pages(public: &Path) -> BTreeMap<String, String> {
    read_tree(&public.join("portal"))
        .into_iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| (path, String::from_utf8(bytes).unwrap()))
        .collect()
}

/// The text a reader sees: outside tags, not in `script`, `style`, `code` or `pre`, character
/// references read, white space collapsed.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    let mut hidden: Option<&str> = None;
    while let Some(lt) = rest.find('<') {
        if hidden.is_none() {
            out.push_str(&rest[..lt]);
        }
        let Some(gt) = rest[lt..].find('>') else {
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match hidden {
            Some(open) if tag.starts_with('/') && name == open => hidden = None,
            None if !tag.starts_with('/') => {
                hidden = ["script", "style", "code", "pre"]
                    .into_iter()
                    .find(|h| *h == name);
            }
            _ => {}
        }
        if matches!(
            name.as_str(),
            "p" | "li" | "br" | "h1" | "h2" | "h3" | "h4" | "div"
        ) {
            out.push(' ');
        }
        rest = &rest[lt + gt + 1..];
    }
    out.push_str(rest);
    let decoded = out
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The words of `text` that typography may change: not addresses (with `@`, `/`, `\`).
fn prose_words(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace()
        .filter(|w| !w.contains(['@', '/', '\\']))
}

/// The inside of each `<tag>` whose classes include `class`, in order, quoted or not (the build
/// is minified). Enough for elements that hold no element of their own kind.
fn elements(html: &str, tag: &str, class: &str) -> Vec<String> {
    let open = format!("<{tag} ");
    let close = format!("</{tag}>");
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at..];
        let gt = after.find('>').unwrap();
        let attrs = after[..gt].replace('"', "");
        let classes = attrs
            .split_whitespace()
            .skip_while(|a| !a.starts_with("class="))
            .enumerate()
            .take_while(|(i, a)| *i == 0 || !a.contains('='))
            .map(|(_, a)| a.trim_start_matches("class="))
            .collect::<Vec<_>>();
        rest = &after[gt + 1..];
        if classes.contains(&class) {
            let end = rest.find(&close).unwrap();
            found.push(rest[..end].to_string());
        }
    }
    found
}

/// The names of the people of a team list, in order (pronouns, which follow the name in the
/// pack, left out).
fn names_in_order(html: &str, class: &str) -> Vec<String> {
    elements(html, "h3", class)
        .iter()
        .map(|inner| {
            let name = visible_text(inner);
            name.split(" (").next().unwrap().trim().to_string()
        })
        .collect()
}

#[test]
fn roles_read_as_words_on_every_portal_page_and_in_the_pack() {
    let out = build_preview(&example());
    let public = out.path().join("public");
    let pages = portal_pages(&public);
    assert!(pages.len() > 20, "{}", pages.len());
    // Role ids the example's clients use that are not words.
    let ids = ["account-lead", "project-lead"];
    for (path, html) in &pages {
        let text = visible_text(html);
        for id in ids {
            assert!(!text.contains(id), "{path}: role id `{id}` in {text}");
        }
        assert!(
            !text.contains("Your founder") && !text.contains("your founder"),
            "{path}: {text}"
        );
        for (i, _) in text.match_indices("our billing") {
            assert!(
                text[i..].starts_with("our billing contact"),
                "{path}: {}",
                &text[i..(i + 40).min(text.len())]
            );
        }
    }
    let team = visible_text(&pages["brightwater-housing/team/index.html"]);
    for words in [
        "Your account lead",
        "Your project lead",
        "Your billing contact",
        "Your designer",
        "Your engineer",
        "Your executive sponsor",
    ] {
        assert!(team.contains(words), "{words} not in {team}");
    }
    let pack = visible_text(&pages["brightwater-housing/print/index.html"]);
    assert!(pack.contains("your billing contact"), "{pack}");
    // One person, two roles, in the team's order.
    let sunita = visible_text(&pages["greenway-cycles/team/sunita/index.html"]);
    assert!(
        sunita.contains("Your project lead and engineer"),
        "{sunita}"
    );
}

#[test]
fn roles_take_their_labels_from_hundred_toml() {
    let site = copy_site(&example());
    let toml = site.path().join("hundred.toml");
    let text = read(&toml);
    put(
        &toml,
        &format!(
            "{text}\n[roles]\nbilling = \"Accounts and invoices\"\naccount-lead = \"Client partner\"\nfounder = \"UX lead\"\n"
        ),
    );
    let out = Build::of(site.path()).preview().into_temp();
    let public = out.path().join("public");
    let pages = portal_pages(&public);
    let welcome = visible_text(&pages["brightwater-housing/index.html"]);
    for words in [
        "Your accounts and invoices",
        "Your client partner",
        // Capitals that are not a sentence's are kept.
        "Your UX lead",
    ] {
        assert!(welcome.contains(words), "{words} not in {welcome}");
    }
    let pack = visible_text(&pages["brightwater-housing/print/index.html"]);
    assert!(pack.contains("your accounts and invoices"), "{pack}");
    assert!(pack.contains("your client partner"), "{pack}");
    // The team's own pages use the same labels.
    let runbook = visible_text(&read(
        &public.join("internal/clients/brightwater-housing/index.html"),
    ));
    assert!(runbook.contains("Accounts and invoices"), "{runbook}");
    assert!(runbook.contains("Client partner"), "{runbook}");

    // A label is one line of text, and says something.
    put(
        &toml,
        &format!("{text}\n[roles]\nbilling = \"\"\nfounder = \"Founder\\nand CEO\"\n"),
    );
    let stderr = Build::of(site.path()).preview().fails();
    assert!(stderr.contains("`roles.billing` is empty"), "{stderr}");
    assert!(stderr.contains("`roles.founder` contains"), "{stderr}");
}

#[test]
fn portal_pages_have_one_typography() {
    let out = build_preview(&example());
    let public = out.path().join("public");
    let pages = portal_pages(&public);
    for (path, html) in &pages {
        let text = visible_text(html);
        for word in prose_words(&text) {
            for straight in ["'", "\"", "--", "..."] {
                assert!(
                    !word.contains(straight),
                    "{path}: `{straight}` in `{word}`: {text}"
                );
            }
        }
        assert!(!html.contains("&#39;"), "{path}");
    }
    // Plain fields and markdown on one page agree: a fun fact (plain) and a bio (markdown).
    let ada = visible_text(&pages["brightwater-housing/team/ada/index.html"]);
    assert!(ada.contains("Swindon’s honour"), "{ada}");
    assert!(ada.contains("isn’t right"), "{ada}");
    let welcome = visible_text(&pages["brightwater-housing/index.html"]);
    assert!(welcome.contains("tenants’ committee"), "{welcome}");
    // Addresses are left as written, in links and in text.
    assert!(html_has(
        &pages["brightwater-housing/index.html"],
        "mailto:hello@fieldnote.example"
    ));
}

fn html_has(html: &str, what: &str) -> bool {
    html.contains(what)
}

#[test]
fn plain_fields_get_quotes_dashes_and_ellipses_but_addresses_do_not() {
    let site = copy_site(&example());
    let client = site.path().join("clients/brightwater-housing.yaml");
    edit(
        &client,
        "  - Cut repair calls to the office by a third by next winter",
        "  - '\"Fix it once\" -- that''s the rule... for 2026--2027 - honestly'",
    );
    edit(
        &site.path().join("hundred.toml"),
        "name = \"Fieldnote Studio\"",
        "name = \"O'Neill & Daughters' Studio\"",
    );
    let out = Build::of(site.path()).preview().into_temp();
    let public = out.path().join("public");
    let welcome = read(&public.join("portal/brightwater-housing/index.html"));
    let text = visible_text(&welcome);
    assert!(
        text.contains("“Fix it once” – that’s the rule… for 2026–2027 – honestly"),
        "{text}"
    );
    assert!(text.contains("O’Neill & Daughters’ Studio"), "{text}");
    // Escaped all the same: the `&` of the name, and nothing else of it is markup.
    assert!(
        welcome.contains("O’Neill &amp; Daughters’ Studio"),
        "{welcome}"
    );
    // The calendar the client downloads keeps the text as written.
    let ics = read(&public.join("portal/brightwater-housing/journey.ics"));
    assert!(!ics.contains('’'), "{ics}");
}

#[test]
fn the_team_comes_in_the_order_the_client_meets_it() {
    let out = build_preview(&example());
    let public = out.path().join("public");
    // Brightwater: the account lead first; then the project lead (kick-off, day 5), billing
    // (first invoice, day 9), the designer (show-and-tell, day 21), the founder (100-day
    // review); the engineer leads no step the client sees, so comes last.
    let expected = [
        "Rhys Pritchard",
        "Noor Haddad",
        "Gwen Evans",
        "Felix Marsh",
        "Ada Mensah",
        "Sunita Rao",
    ];
    let team = read(&public.join("portal/brightwater-housing/team/index.html"));
    assert_eq!(names_in_order(&team, "person__name"), expected);
    let welcome = read(&public.join("portal/brightwater-housing/index.html"));
    assert_eq!(names_in_order(&welcome, "person__name"), expected);
    let pack = read(&public.join("portal/brightwater-housing/print/index.html"));
    assert_eq!(names_in_order(&pack, "pack-person__name"), expected);
    // Greenway: Sunita is project lead and engineer, placed by the first.
    let team = read(&public.join("portal/greenway-cycles/team/index.html"));
    let names = names_in_order(&team, "person__name");
    assert_eq!(names[..2], ["Rhys Pritchard", "Sunita Rao"], "{names:?}");
}

/// The faces of a facepile (the welcome page's, the pack cover's), and the "+N" after them.
fn facepile(html: &str) -> (usize, Option<String>) {
    let piles = elements(html, "div", "facepile");
    assert_eq!(piles.len(), 1, "{html}");
    let pile = &piles[0];
    let faces = pile.matches("<img").count() + elements(pile, "span", "avatar--initials").len()
        - elements(pile, "span", "avatar--more").len();
    let more = elements(pile, "span", "avatar--more").pop();
    (faces, more)
}

#[test]
fn the_facepile_shows_every_face_or_counts_the_rest() {
    let out = build_preview(&example());
    let public = out.path().join("public");
    let welcome = read(&public.join("portal/brightwater-housing/index.html"));
    assert_eq!(facepile(&welcome), (6, None));
    assert!(visible_text(&welcome).contains("6 people on your team"));

    // Eight people: five faces and "+3", on the welcome page and the pack's cover.
    let site = copy_site(&example());
    for (id, name, role) in [
        ("iris", "Iris Kent", "strategist"),
        ("jon", "Jon Ode", "support"),
    ] {
        put(
            &site.path().join(format!("team/{id}.yaml")),
            &format!(
                "name: {name}\nrole: Consultant\nroles: [{role}]\nemail: {id}@fieldnote.example\n"
            ),
        );
    }
    edit(
        &site.path().join("clients/brightwater-housing.yaml"),
        "  founder: ada\n",
        "  founder: ada\n  strategist: iris\n  support: jon\n",
    );
    let out = Build::of(site.path()).preview().into_temp();
    let public = out.path().join("public");
    let welcome = read(&public.join("portal/brightwater-housing/index.html"));
    assert_eq!(facepile(&welcome), (5, Some("+3".into())));
    assert!(visible_text(&welcome).contains("8 people on your team"));
    let pack = read(&public.join("portal/brightwater-housing/print/index.html"));
    assert_eq!(facepile(&pack), (5, Some("+3".into())));
    // Roles named by no label read as their words, and those with a default by it.
    let team = visible_text(&read(
        &public.join("portal/brightwater-housing/team/index.html"),
    ));
    assert!(team.contains("Your strategist"), "{team}");
    assert!(team.contains("Your support contact"), "{team}");
}
