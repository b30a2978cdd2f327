//! Rebuilding only what an edit touches gives exactly what a full build gives.

use std::fs;
use std::path::Path;

use crate::support::*;
use hundred::build::BuildOptions;
use hundred::session::Session;

fn opts() -> BuildOptions {
    BuildOptions {
        today: Some(hundred::dates::parse(TODAY).unwrap()),
        minify: Some(false),
        ..Default::default()
    }
}

/// Applies a change, then checks the session against a fresh full build.
fn step(session: &mut Session, site: &Path, changed: &[&str]) -> hundred::session::Rebuild {
    let paths: Vec<_> = changed.iter().map(|c| site.join(c)).collect();
    let rebuild = session
        .update(&paths)
        .unwrap_or_else(|f| panic!("{:?}", f.diagnostics));
    let fresh = Session::start(site, &opts()).unwrap_or_else(|f| panic!("{:?}", f.diagnostics));
    let (a, b) = (session.files(), fresh.files());
    let missing: Vec<_> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    let extra: Vec<_> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "after {changed:?}: missing {missing:?}, extra {extra:?}"
    );
    for (route, bytes) in b.iter() {
        assert!(
            a[route] == *bytes,
            "after {changed:?}: {route} differs from a full build"
        );
    }
    rebuild
}

#[test]
fn incremental_rebuilds_equal_full_builds() {
    let dir = copy_fixture("canary");
    let site = dir.path();
    let mut session = Session::start(site, &opts()).unwrap();
    let total = session.files().len();

    edit(&site.join("clients/acme.yaml"), "delighted", "thrilled");
    let r = step(&mut session, site, &["clients/acme.yaml"]);
    assert!(
        r.rerendered < total / 2,
        "a profile edit re-rendered {} of {total}",
        r.rerendered
    );
    assert!(r.changed.contains(&"portal/acme/index.html".to_string()));
    assert!(
        !r.changed.iter().any(|c| c.starts_with("portal/hostile/")),
        "{:?}",
        r.changed
    );

    edit(&site.join("team/bo.yaml"), "Bo Builder", "Bo Bauer");
    step(&mut session, site, &["team/bo.yaml"]);

    edit(
        &site.join("journey/002-handoff.md"),
        "walk the delivery team",
        "take the delivery team",
    );
    // Only the script's body changed: only runbooks (page and print, per client) show it.
    let r = step(&mut session, site, &["journey/002-handoff.md"]);
    assert_eq!(r.rerendered, 4, "{r:?}");
    assert!(
        r.changed.iter().all(|c| c.starts_with("internal/clients/")),
        "{:?}",
        r.changed
    );

    edit(
        &site.join("playbook/02-handoff.md"),
        "Read the notes.",
        "Read every note.",
    );
    step(&mut session, site, &["playbook/02-handoff.md"]);

    // A new client appears; a deleted one disappears.
    fs::write(
        site.join("clients/newco.yaml"),
        fs::read_to_string(site.join("clients/acme.yaml"))
            .unwrap()
            .replace("Acme Widgets", "Newco"),
    )
    .unwrap();
    let r = step(&mut session, site, &["clients/newco.yaml"]);
    assert!(r.changed.contains(&"portal/newco/index.html".to_string()));
    fs::remove_file(site.join("clients/hostile.yaml")).unwrap();
    let r = step(&mut session, site, &["clients/hostile.yaml"]);
    assert!(r.changed.contains(&"portal/hostile/index.html".to_string()));
    assert!(!session.files().contains_key("portal/hostile/index.html"));

    // A client stops assigning a member: that member's internal page changes too.
    edit(&site.join("clients/acme.yaml"), "  engineer: bo\n", "");
    step(&mut session, site, &["clients/acme.yaml"]);

    // Static files and settings.
    fs::write(site.join("static/extra.txt"), "hello").unwrap();
    step(&mut session, site, &["static/extra.txt"]);
    edit(&site.join("hundred.toml"), "Canary & Co", "Canary and Co");
    let r = step(&mut session, site, &["hundred.toml"]);
    assert!(r.full);
}

#[test]
fn a_broken_edit_keeps_the_last_good_site() {
    let dir = copy_fixture("canary");
    let site = dir.path();
    let mut session = Session::start(site, &opts()).unwrap();
    let before = session.files();
    edit(
        &site.join("clients/acme.yaml"),
        "engineer: bo",
        "engineer: nobody",
    );
    let err = session
        .update(&[site.join("clients/acme.yaml")])
        .expect_err("the edit is an error");
    assert!(err
        .diagnostics
        .items
        .iter()
        .any(|d| d.message.contains("nobody")));
    assert_eq!(*before, *session.files());
    edit(
        &site.join("clients/acme.yaml"),
        "engineer: nobody",
        "engineer: bo",
    );
    edit(&site.join("clients/acme.yaml"), "delighted", "glad");
    step(&mut session, site, &["clients/acme.yaml"]);
    // A broken script, then fixed.
    edit(
        &site.join("journey/002-handoff.md"),
        "{{ client.name }}",
        "{{ client.nam }}",
    );
    assert!(session
        .update(&[site.join("journey/002-handoff.md")])
        .is_err());
    edit(
        &site.join("journey/002-handoff.md"),
        "{{ client.nam }}",
        "{{ client.name }}",
    );
    step(&mut session, site, &["journey/002-handoff.md"]);
}

#[test]
fn a_long_playbook_stays_consistent_as_chapters_come_and_go() {
    let dir = copy_fixture("canary");
    let site = dir.path();
    for i in 0..65 {
        fs::write(
            site.join(format!("playbook/50-extra-{i:02}.md")),
            format!("---\ntitle: Extra {i}\ndescription: Number {i}\n---\nBody {i}.\n"),
        )
        .unwrap();
    }
    let mut session = Session::start(site, &opts()).unwrap();
    fs::write(
        site.join("playbook/99-last.md"),
        "# The last one\n\nDone.\n",
    )
    .unwrap();
    step(&mut session, site, &["playbook/99-last.md"]);
    fs::remove_file(site.join("playbook/50-extra-10.md")).unwrap();
    step(&mut session, site, &["playbook/50-extra-10.md"]);
    edit(
        &site.join("playbook/50-extra-20.md"),
        "Extra 20",
        "Extra twenty",
    );
    step(&mut session, site, &["playbook/50-extra-20.md"]);
    // Only the edited chapter is rendered again when the chapters stay the same: a body edit
    // that leaves the chapter list as it was, one that adds a heading to it, and one that
    // moves a chapter to the front of the reading order.
    edit(
        &site.join("playbook/50-extra-31.md"),
        "Body 31.",
        "Body thirty-one.",
    );
    step(&mut session, site, &["playbook/50-extra-31.md"]);
    edit(
        &site.join("playbook/50-extra-30.md"),
        "Body 30.",
        "Body 30.\n\n## A new section\n\nMore.",
    );
    step(&mut session, site, &["playbook/50-extra-30.md"]);
    edit(
        &site.join("playbook/50-extra-32.md"),
        "title: Extra 32\n",
        "title: Extra 32\norder: 1\n",
    );
    step(&mut session, site, &["playbook/50-extra-32.md"]);
}

#[test]
fn a_log_edit_rerenders_that_client_and_the_summaries_only() {
    let dir = copy_fixture("canary");
    let site = dir.path();
    let mut session = Session::start(site, &opts()).unwrap();
    put(
        &site.join("log/acme.yaml"),
        "- date: 2026-11-17\n  touchpoint: 001-welcome-call\n  score: 5\n",
    );
    let r = step(&mut session, site, &["log/acme.yaml"]);
    // acme's portal (welcome, team, journey, calendar, welcome pack, three member pages) and
    // runbook (page, print, calendar); the overview, clients, team, the team calendar and
    // the schedule; the profiles and calendars of acme's three members. Nothing of hostile's
    // and nothing of the playbook.
    assert!(
        r.rerendered <= 8 + 3 + 5 + 6,
        "{} re-rendered: {r:?}",
        r.rerendered
    );
    assert!(
        r.changed
            .iter()
            .all(|c| !c.contains("hostile") && !c.contains("playbook")),
        "{:?}",
        r.changed
    );
    assert!(r
        .changed
        .contains(&"internal/clients/acme/index.html".to_string()));
    assert!(r
        .changed
        .contains(&"portal/acme/journey/index.html".to_string()));

    edit(&site.join("log/acme.yaml"), "score: 5", "score: 9");
    step(&mut session, site, &["log/acme.yaml"]);
    fs::remove_file(site.join("log/acme.yaml")).unwrap();
    step(&mut session, site, &["log/acme.yaml"]);
}

#[test]
fn the_pages_browsers_have_open_are_published_first_and_the_end_equals_a_full_build() {
    let dir = copy_fixture("canary");
    let site = dir.path();
    let mut session = Session::start(site, &opts()).unwrap();
    let open = "internal/clients/hostile/index.html";
    session.open_pages = [open.to_string(), "internal/index.html".to_string()].into();

    // A journey script every client has: the open runbook goes out alone, before every other
    // runbook and before the overview (which lists many clients) is made again.
    let script = fs::read_dir(site.join("journey"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .min()
        .unwrap();
    let text = fs::read_to_string(&script).unwrap();
    fs::write(
        &script,
        format!("{}\nA line for the open page.\n", text.trim_end()),
    )
    .unwrap();
    let mut published: Vec<Vec<String>> = Vec::new();
    let rebuild = session
        .update_with_preview(std::slice::from_ref(&script), &mut |files, changed| {
            assert!(
                String::from_utf8_lossy(&files[open]).contains("A line for the open page."),
                "the open page was published without the edit"
            );
            published.push(changed);
        })
        .unwrap_or_else(|f| panic!("{:?}", f.diagnostics));
    assert_eq!(
        published.first(),
        Some(&vec![open.to_string()]),
        "the first publication: {published:?}"
    );
    assert!(rebuild
        .changed
        .contains(&"internal/clients/acme/index.html".to_string()));

    // And what the session ends with is what a full build makes.
    let fresh = Session::start(site, &opts()).unwrap();
    assert_eq!(*session.files(), *fresh.files());
}
