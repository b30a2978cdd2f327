//! What a user sees after `hundred build`: the routes, the names and dates on the pages, and
//! the line between the client portal and the internal site.

use crate::support::*;

#[test]
fn every_client_and_member_gets_their_routes() {
    let out = build(&fixture("canary"));
    let public = out.path().join("public");
    for client in ["acme", "hostile"] {
        for route in [
            "index.html",
            "team/index.html",
            "journey/index.html",
            "journey.ics",
            "team/ann/index.html",
            "assets/hundred.css",
            "assets/team/ann.svg",
            "assets/logo.svg",
        ] {
            let p = public.join("portal").join(client).join(route);
            assert!(p.is_file(), "missing {}", p.display());
        }
        for route in ["index.html", "print/index.html", "touchpoints.ics"] {
            let p = public.join("internal/clients").join(client).join(route);
            assert!(p.is_file(), "missing {}", p.display());
        }
    }
    // Acme's team has all three; Hostile only has Ann, so only her profile is in its portal.
    assert!(public.join("portal/acme/team/bo/index.html").is_file());
    assert!(!public.join("portal/hostile/team/bo/index.html").exists());
    for member in ["ann", "bo", "cy"] {
        assert!(public
            .join(format!("internal/team/{member}/index.html"))
            .is_file());
    }
    for route in [
        "portal/index.html",
        "portal/404.html",
        "portal/robots.txt",
        "internal/index.html",
        "internal/404.html",
        "internal/playbook/index.html",
        "internal/playbook/01-intro/index.html",
        "internal/playbook/02-handoff/index.html",
        "internal/playbook/print/index.html",
        "internal/team/index.html",
        "internal/clients/index.html",
        "internal/logo.svg",
        "portal/team/ann.svg",
    ] {
        assert!(public.join(route).is_file(), "missing {route}");
    }
}

#[test]
fn names_and_dates_are_rendered() {
    let out = build(&fixture("canary"));
    let portal = out.path().join("public/portal/acme");
    let welcome = read(&portal.join("index.html"));
    assert!(welcome.contains("Welcome, Wile."), "greeting by first name");
    assert!(welcome.contains("Acme Widgets"));
    assert!(
        welcome.contains("<strong>delighted</strong>"),
        "welcome note is markdown"
    );
    assert!(welcome.contains("Ann Lead") && welcome.contains("Bo Builder"));
    // Acme started on Tuesday 17 November 2026: the build date (23rd) is day 7.
    assert!(welcome.contains("day 7"), "journey day");
    let journey = read(&portal.join("journey/index.html"));
    // Day 1 = start; day 10 = 26 November; day 100 = 24 February 2027.
    assert!(journey.contains("Tuesday 17 November 2026"));
    assert!(journey.contains("Thursday 26 November 2026"));
    assert!(journey.contains("Wednesday 24 February 2027"));
    let member = read(&portal.join("team/ann/index.html"));
    assert!(
        member.contains("<strong>ten years</strong>"),
        "bio is markdown"
    );
    assert!(member.contains("Keeps bees") && member.contains("Honest feedback"));
    assert!(
        member.contains("https://cal.example/ann") && member.contains("https://video.example/ann")
    );
    assert!(member.contains("she/her"));

    let runbook = read(&out.path().join("public/internal/clients/acme/index.html"));
    assert!(
        runbook.contains("Call Wile at Acme Widgets on Tuesday 17 November 2026."),
        "script personalised"
    );
    assert!(runbook.contains("Your name is Ann Lead; they care about Desert conservation."));
    assert!(
        runbook.contains("Cy sends the invoice."),
        "owner of the billing step"
    );
    assert!(runbook.contains("Prepare the review for Acme Widgets with Ann Lead."));
}

#[test]
fn internal_canaries_never_reach_the_portal() {
    let out = build(&fixture("canary"));
    let public = out.path().join("public");
    let portal = read_tree(&public.join("portal"));
    assert!(portal.len() > 20);
    for (path, bytes) in &portal {
        let text = String::from_utf8_lossy(bytes);
        for canary in [
            "CANARY",
            "INTERNAL-SCRIPT",
            "Sales hand-off",
            "price-sensitive",
        ] {
            assert!(!text.contains(canary), "{canary} leaked into portal/{path}");
        }
    }
    // Nor does one client's portal mention another client.
    for (path, bytes) in portal.iter().filter(|(p, _)| p.starts_with("acme/")) {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("Hostile") && !text.contains("hostile.example"),
            "other client in portal/{path}"
        );
    }
    // The team does see them, in the runbook.
    let runbook = read(&public.join("internal/clients/acme/index.html"));
    assert!(runbook.contains("CANARY-ACME-HANDOFF"));
    assert!(runbook.contains("CANARY-ACME-RISK"));
    assert!(runbook.contains("INTERNAL-SCRIPT-CANARY"));
    assert!(read(&public.join("internal/clients/acme/print/index.html"))
        .contains("CANARY-ACME-HANDOFF"));
}

#[test]
fn hostile_profile_text_is_shown_as_text() {
    let out = build(&fixture("canary"));
    let public = out.path().join("public");
    for page in [
        "portal/hostile/index.html",
        "portal/hostile/team/index.html",
        "internal/clients/hostile/index.html",
        "internal/clients/hostile/print/index.html",
        "internal/index.html",
    ] {
        let html = read(&public.join(page));
        assert_no_active_content(page, &html);
        let raw_bold = start_tags(&html).iter().any(|(name, _)| name == "b");
        assert!(!raw_bold, "{page} passed raw HTML through");
        let body = without_titles(&html);
        if !page.contains("/team/") {
            assert!(
                body.contains("&lt;script>") || body.contains("&lt;script&gt;"),
                "{page} lost the text"
            );
            // Template syntax in data is data: never evaluated.
            assert!(
                body.contains("{{ firm.name }}"),
                "{page} evaluated the client's name"
            );
        }
        assert!(!body.contains("CANARY-HOSTILE-SECRET") || page.starts_with("internal/clients"));
    }
    let welcome = read(&public.join("portal/hostile/index.html"));
    assert!(welcome.contains("CTO {{ 7 * 7 }}"));
    assert!(
        welcome.contains("{{ client.internal.secret }}"),
        "welcome note is not a template"
    );
}

#[test]
fn every_portal_page_is_kept_out_of_search_engines() {
    let out = build(&fixture("canary"));
    let portal = out.path().join("public/portal");
    for (path, bytes) in read_tree(&portal) {
        if path.ends_with(".html") {
            let html = String::from_utf8_lossy(&bytes);
            assert!(html.contains("noindex"), "portal/{path} lacks noindex");
        }
    }
    assert_eq!(
        read(&portal.join("robots.txt")),
        "User-agent: *\nDisallow: /\n"
    );
    let root = read(&portal.join("index.html"));
    assert!(
        !root.contains("Acme") && !root.contains("hostile"),
        "the portal root lists no clients"
    );
}

#[test]
fn links_work_under_a_sub_path() {
    let out = build(&fixture("canary"));
    let public = out.path().join("public");
    // Pages link relative to the client's folder, so it can be deployed alone, anywhere.
    let member = read(&public.join("portal/acme/team/ann/index.html"));
    assert!(
        member.contains("../../assets/hundred.css"),
        "relative stylesheet"
    );
    assert!(
        member.contains("../../assets/team/ann.svg"),
        "relative photo"
    );
    assert!(
        member.contains("https://clients.canary.example/acme/team/ann/"),
        "canonical URL"
    );
    // The internal base URL has a sub-path: canonical and 404 links include it.
    let runbook = read(&public.join("internal/clients/acme/print/index.html"));
    assert!(runbook.contains("../../../assets/hundred.css"));
    let not_found = read(&public.join("internal/404.html"));
    assert!(
        not_found.contains("/handbook/assets/hundred.css"),
        "404 uses the base path"
    );
    assert!(
        !not_found.contains("../"),
        "404 must not use relative links"
    );
    // Every relative link on every internal page points at a file that exists.
    for (path, bytes) in read_tree(&public.join("internal")) {
        if !path.ends_with(".html") || path == "404.html" {
            continue;
        }
        let html = String::from_utf8_lossy(&bytes);
        let dir = public
            .join("internal")
            .join(&path)
            .parent()
            .unwrap()
            .to_path_buf();
        for link in hrefs(&html) {
            if link.starts_with("http")
                || link.starts_with("webcal:")
                || link.starts_with("mailto:")
                || link.starts_with("tel:")
                || link.starts_with('#')
            {
                continue;
            }
            let target = link.split('#').next().unwrap();
            let resolved = dir.join(target);
            let ok = if target.is_empty() || target.ends_with('/') {
                resolved.join("index.html").is_file()
            } else {
                resolved.is_file()
            };
            assert!(ok, "internal/{path} links to {link}, which does not exist");
        }
    }
}

/// `href` and `src` values of the page's elements, quoted or not (the minifier drops quotes
/// where it can). Text that merely looks like an attribute (escaped markup) is not a tag.
fn hrefs(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for tag in html
        .split('<')
        .skip(1)
        .filter_map(|t| t.split_once('>').map(|(inside, _)| inside))
    {
        for attr in [" href=", " src="] {
            if let Some(i) = tag.find(attr) {
                let rest = &tag[i + attr.len()..];
                let value = match rest.strip_prefix('"') {
                    Some(r) => r.split('"').next().unwrap(),
                    None => rest.split([' ', '>']).next().unwrap(),
                };
                out.push(value.to_string());
            }
        }
    }
    out
}

#[test]
fn calendars_are_valid_icalendar() {
    let out = build(&fixture("canary"));
    let public = out.path().join("public");
    let portal = read(&public.join("portal/acme/journey.ics"));
    let lines = check_icalendar(&portal);
    // Client-visible touchpoints only: welcome call, invoice, review.
    assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VEVENT").count(), 3);
    assert!(lines.contains(&"DTSTART;VALUE=DATE:20261117".to_string()));
    // The client's UIDs are opaque (they do not tell how journey files are named or numbered)
    // and the same on every build, so re-importing updates events.
    let uids: Vec<&String> = lines.iter().filter(|l| l.starts_with("UID:")).collect();
    assert_eq!(uids.len(), 3);
    for uid in &uids {
        let (token, host) = uid["UID:".len()..].split_once('@').unwrap();
        assert_eq!(host, "clients.canary.example");
        assert!(
            token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()),
            "{uid}"
        );
    }
    for word in ["welcome", "invoice", "review"] {
        assert!(
            !uids.iter().any(|u| u.contains(word)),
            "`{word}` in {uids:?}"
        );
    }
    let again = build(&fixture("canary"));
    assert_eq!(
        portal,
        read(&again.path().join("public/portal/acme/journey.ics")),
        "same UIDs on every build"
    );
    let other = read(&public.join("portal/hostile/journey.ics"));
    assert!(
        !uids.iter().any(|u| other.contains(u.as_str())),
        "another client's events have other UIDs"
    );
    assert!(!portal.contains("hand-off") && !portal.contains("CANARY"));
    assert!(
        portal.contains("SUMMARY:First invoice\\, explained (Canary & Co)"),
        "commas escaped"
    );
    let internal = read(&public.join("internal/clients/hostile/touchpoints.ics"));
    let lines = check_icalendar(&internal);
    assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VEVENT").count(), 4);
    assert!(
        internal.contains("unassigned"),
        "the invoice step has nobody for Hostile"
    );
}

#[test]
fn every_calendar_of_the_example_is_valid_icalendar() {
    // The example's descriptions are long enough to fold more than once: the last piece of a
    // folded line must stay within 75 octets too.
    let out = build(&example());
    let calendars: Vec<_> = walkdir::WalkDir::new(out.path())
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "ics"))
        .collect();
    assert!(calendars.len() > 10, "{calendars:?}");
    for path in calendars {
        check_icalendar(&read(&path));
    }
}

#[test]
fn unassigned_touchpoints_are_marked_in_the_runbook() {
    let out = build(&fixture("canary"));
    let runbook = read(
        &out.path()
            .join("public/internal/clients/hostile/index.html"),
    );
    assert!(runbook.contains("unassigned"));
    assert!(
        runbook.contains("Nobody is assigned to billing for"),
        "scripts see owner.assigned"
    );
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    // The example's scripts loop over maps (`team | values`): their order must not depend on
    // a hash seed that changes from run to run.
    for site in [fixture("canary"), example()] {
        let a = build(&site);
        let b = build(&site);
        let ta = read_tree(&a.path().join("public"));
        let tb = read_tree(&b.path().join("public"));
        assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
        for (path, bytes) in &ta {
            assert!(
                bytes == &tb[path],
                "{path} differs between two builds of {site:?}"
            );
        }
    }
}

#[test]
fn site_templates_override_the_theme() {
    let site = copy_fixture("canary");
    std::fs::create_dir_all(site.path().join("templates/portal")).unwrap();
    std::fs::write(
        site.path().join("templates/portal/team.html"),
        "{% extends \"portal/base.html\" %}{% block content %}<p>OVERRIDDEN team page for {{ client.name }}</p>{% endblock content %}",
    )
    .unwrap();
    let out = build(site.path());
    let team = read(&out.path().join("public/portal/acme/team/index.html"));
    assert!(team.contains("OVERRIDDEN team page for Acme Widgets"));
    assert!(
        team.contains("Meet your team"),
        "still uses the theme's base template"
    );
    let welcome = read(&out.path().join("public/portal/acme/index.html"));
    assert!(!welcome.contains("OVERRIDDEN"));
}

#[test]
fn playbook_links_between_chapters_are_rewritten() {
    let out = build(&fixture("canary"));
    let public = out.path().join("public/internal/playbook");
    let intro = read(&public.join("01-intro/index.html"));
    assert!(
        intro.contains("../02-handoff/#before-the-call"),
        "chapter link on the web page"
    );
    let print = read(&public.join("print/index.html"));
    assert!(
        print.contains("#02-handoff--before-the-call"),
        "chapter link inside the print page"
    );
    assert!(
        print.contains("id=02-handoff--before-the-call")
            || print.contains("id=\"02-handoff--before-the-call\"")
    );
    assert!(print.contains("Why the first hundred days matter") && print.contains("The hand-off"));
}

/// The overview's "Due in the next 14 days" section: from its heading to the list of clients
/// that follows it. (The page's navigation, above both, has a "Clients" link too.)
fn due_section(overview: &str) -> &str {
    let start = overview
        .find("due-heading")
        .unwrap_or_else(|| panic!("no due section in {overview}"));
    let end = start
        + overview[start..]
            .find("clients-heading")
            .unwrap_or_else(|| panic!("no clients section after the due section in {overview}"));
    &overview[start..end]
}

#[test]
fn the_overview_lists_what_is_due() {
    let out = build(&fixture("canary"));
    let overview = read(&out.path().join("public/internal/index.html"));
    let due = due_section(&overview);
    assert!(due.contains("Due in the next 14 days"), "{due}");
    // From 23 November: Acme's invoice (day 10) is on 26 November; the review (day 100, on
    // 24 February) is months away.
    assert!(due.contains("First invoice, explained"), "{due}");
    assert!(due.contains("Acme Widgets"), "{due}");
    assert!(
        !due.contains("100-day review"),
        "day 100 is not due within 14 days: {due}"
    );
    // Nine days before the review, it is listed there, and the invoice, long past, is not.
    let later = Build::of(&fixture("canary"))
        .today("2027-02-15")
        .into_temp();
    let overview = read(&later.path().join("public/internal/index.html"));
    let due = due_section(&overview);
    assert!(
        due.contains("100-day review"),
        "day 100 is due in 9 days: {due}"
    );
    assert!(!due.contains("First invoice, explained"), "{due}");
}

#[test]
fn init_writes_a_site_that_builds() {
    let dir = tempfile::TempDir::new().unwrap();
    let site = dir.path().join("my-firm");
    hundred().arg("init").arg(&site).assert().success();
    assert!(site.join("hundred.toml").is_file());
    let out = build(&site);
    let tree = read_tree(&out.path().join("public"));
    assert!(tree
        .keys()
        .any(|k| k.starts_with("portal/") && k.ends_with("/index.html")));
    assert!(tree.contains_key("internal/index.html"));
    // Refuses to overwrite a folder that has files.
    hundred().arg("init").arg(&site).assert().failure();
}

#[test]
fn the_example_playbook_builds_with_every_client() {
    let example = example();
    let out = build_preview(&example);
    let public = out.path().join("public");
    let clients = example_clients();
    assert!(clients.len() >= 4, "the example has at least 4 clients");
    for c in &clients {
        assert!(public.join(format!("portal/{c}/index.html")).is_file());
        assert!(public
            .join(format!("internal/clients/{c}/print/index.html"))
            .is_file());
    }
    // Every member of the team and every touchpoint of the journey made it into the build:
    // each member has a profile, listed in the directory, and a calendar; each client's
    // runbook calendar has an event for each touchpoint.
    let stems = |folder: &str| -> Vec<String> {
        let mut ids: Vec<String> = std::fs::read_dir(example.join(folder))
            .unwrap()
            .map(|e| {
                let path = e.unwrap().path();
                path.file_stem().unwrap().to_string_lossy().into_owned()
            })
            .collect();
        ids.sort();
        ids
    };
    let team = stems("team");
    assert!(team.len() >= 6, "the example has at least 6 team members");
    let directory = read(&public.join("internal/team/index.html"));
    for m in &team {
        assert!(
            public
                .join(format!("internal/team/{m}/index.html"))
                .is_file(),
            "no profile page for team/{m}.yaml"
        );
        assert!(
            public
                .join(format!("internal/team/{m}/calendar.ics"))
                .is_file(),
            "no calendar for team/{m}.yaml"
        );
        assert!(
            directory.contains(&format!("team/{m}/")),
            "the team directory does not link {m}"
        );
    }
    let journey = stems("journey");
    assert!(
        journey.len() >= 14,
        "the example has at least 14 touchpoints"
    );
    // Touchpoints counted from the start with no conditions are every client's; the others
    // (after a client date, on hold until the log allows) may wait.
    let unconditional: Vec<&String> = journey
        .iter()
        .filter(|t| {
            let text = read(&example.join(format!("journey/{t}.md")));
            let front = text.split("---").nth(1).unwrap_or_default();
            front.lines().any(|l| l.starts_with("day:"))
                && !front
                    .lines()
                    .any(|l| l.starts_with("requires:") || l.starts_with("repeat:"))
        })
        .collect();
    assert!(unconditional.len() >= 14, "{unconditional:?}");
    for c in &clients {
        let calendar = check_icalendar(&read(
            &public.join(format!("internal/clients/{c}/touchpoints.ics")),
        ));
        let uids: Vec<&str> = calendar
            .iter()
            .filter_map(|l| l.strip_prefix("UID:"))
            .collect();
        let unique: std::collections::BTreeSet<&&str> = uids.iter().collect();
        assert_eq!(
            unique.len(),
            uids.len(),
            "{c}: every event has its own UID: {uids:?}"
        );
        for t in &unconditional {
            let uid = format!("{c}.{t}@");
            assert!(
                uids.iter().any(|u| u.starts_with(&uid)),
                "{c}'s runbook calendar has no event for journey/{t}.md: {uids:?}"
            );
        }
    }
}
