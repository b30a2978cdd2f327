//! `hundred new` (a client, member, touchpoint or chapter from an archetype) and `hundred
//! theme list | eject`: every new file builds and checks without edits, in the example and in
//! a fresh `hundred init` site; nothing is overwritten; a site's archetypes are used; values
//! from the command line are quoted and stay inert on pages; ejecting templates changes no
//! output byte.

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use tempfile::TempDir;

use crate::support::*;

/// `hundred ARGS… --site SITE`, whatever the outcome.
fn run(site: &Path, args: &[&str]) -> Output {
    hundred()
        .args(args)
        .arg("--site")
        .arg(site)
        .output()
        .unwrap()
}

/// Runs it; panics unless it succeeds. Its standard output.
fn ok(site: &Path, args: &[&str]) -> String {
    let out = run(site, args);
    assert!(
        out.status.success(),
        "{args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs it, expecting status `code` and no panic. Its standard error, on one line (the
/// report's wrapping and margins taken out).
fn fails(site: &Path, args: &[&str], code: i32) -> String {
    let out = run(site, args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ")
}

/// `hundred check SITE --format json`: its findings, after asserting it passed.
fn check_passes(site: &Path) -> Vec<Value> {
    let out = hundred()
        .args(["check", "--format", "json", "--today", TODAY])
        .arg(site)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    assert!(out.status.success(), "check failed: {json:#}");
    json["diagnostics"].as_array().unwrap().clone()
}

/// Whether a finding is the reminder that placeholder text is still in a file: what a new
/// file, like the starter, has until someone fills it in.
fn is_placeholder_reminder(f: &Value) -> bool {
    let says = |key: &str, words: &str| f[key].as_str().is_some_and(|m| m.contains(words));
    f["severity"] == "warning"
        && (says("message", "placeholder")
            || says("message", "starter")
            || says("help", "yourstudio.example"))
}

/// Asserts `check` passes with no finding about any of `files` but the reminders to replace
/// their placeholder text.
fn checks_clean(site: &Path, files: &[&str]) {
    let findings = check_passes(site);
    for f in findings.iter().filter(|f| !is_placeholder_reminder(f)) {
        let file = f["file"].as_str().unwrap_or("");
        assert!(
            !files.iter().any(|n| file.ends_with(n)),
            "a finding about a new file: {f:#}"
        );
    }
}

/// A fresh `hundred init` site.
fn fresh_site() -> TempDir {
    let dir = TempDir::new().unwrap();
    hundred()
        .arg("init")
        .arg(dir.path().join("site"))
        .assert()
        .success();
    dir
}

#[test]
fn every_kind_builds_and_checks_in_the_example() {
    let site = copy_site(&example());
    let s = site.path();
    let said = ok(
        s,
        &[
            "new",
            "client",
            "harbour-dental",
            "--name",
            "Harbour Dental",
            "--start",
            "2026-11-02",
            "--lead",
            "rhys",
        ],
    );
    assert!(said.contains("clients/harbour-dental.yaml"), "{said}");
    let said = ok(s, &["new", "member", "maya"]);
    assert!(said.contains("team/maya.yaml"), "{said}");
    let said = ok(
        s,
        &[
            "new",
            "touchpoint",
            "Six-month review",
            "--day",
            "180",
            "--client-visible",
        ],
    );
    // Numbered after the example's last script, as its files are.
    assert!(said.contains("journey/020-six-month-review.md"), "{said}");
    let said = ok(
        s,
        &["new", "touchpoint", "Coffee with the team", "--day", "12"],
    );
    assert!(
        said.contains("journey/021-coffee-with-the-team.md"),
        "{said}"
    );
    let said = ok(s, &["new", "chapter", "Pricing conversations"]);
    assert!(
        said.contains("playbook/09-pricing-conversations.md"),
        "{said}"
    );

    let client = read(&s.join("clients/harbour-dental.yaml"));
    assert!(client.contains("name: Harbour Dental\n"), "{client}");
    assert!(client.contains("start: 2026-11-02\n"), "{client}");
    assert!(client.contains("  account-lead: rhys\n"), "{client}");
    let visible = read(&s.join("journey/020-six-month-review.md"));
    assert!(visible.contains("visibility: client\n"), "{visible}");
    assert!(visible.contains("day: 180\n"), "{visible}");
    let internal = read(&s.join("journey/021-coffee-with-the-team.md"));
    assert!(internal.contains("visibility: internal\n"), "{internal}");
    let chapter = read(&s.join("playbook/09-pricing-conversations.md"));
    assert!(chapter.contains("order: 9\n"), "{chapter}");

    checks_clean(
        s,
        &[
            "harbour-dental.yaml",
            "maya.yaml",
            "020-six-month-review.md",
            "021-coffee-with-the-team.md",
            "09-pricing-conversations.md",
        ],
    );
    let out = build_preview(s);
    let public = out.path().join("public");
    // The new client has a portal, and the client-visible step is on it; the internal one
    // is not.
    let journey = read(&public.join("portal/harbour-dental/journey/index.html"));
    assert!(journey.contains("Six-month review"), "not on the timeline");
    assert!(
        !journey.contains("Coffee with the team"),
        "an internal step on the portal"
    );
    assert!(public.join("internal/team/maya/index.html").exists());
    assert!(public
        .join("internal/playbook/09-pricing-conversations/index.html")
        .exists());
}

#[test]
fn every_kind_builds_and_checks_in_a_fresh_site() {
    let dir = fresh_site();
    let s = &dir.path().join("site");
    ok(s, &["new", "client", "acme", "--start", "2026-11-02"]);
    ok(s, &["new", "member", "jo", "--name", "Jo Bloggs"]);
    ok(
        s,
        &[
            "new",
            "touchpoint",
            "Six-month review",
            "--day",
            "180",
            "--client-visible",
        ],
    );
    ok(s, &["new", "touchpoint", "Internal retro", "--day", "40"]);
    ok(s, &["new", "chapter", "Pricing"]);
    for file in [
        "clients/acme.yaml",
        "team/jo.yaml",
        "journey/004-six-month-review.md",
        "journey/005-internal-retro.md",
        "playbook/02-pricing.md",
    ] {
        assert!(s.join(file).is_file(), "no {file}");
    }
    // A fresh site and these files have no findings but the reminders to replace their
    // placeholder text.
    let findings = check_passes(s);
    let other: Vec<&Value> = findings
        .iter()
        .filter(|f| !is_placeholder_reminder(f))
        .collect();
    assert!(other.is_empty(), "{other:#?}");
    assert!(
        findings.iter().any(|f| f["file"]
            .as_str()
            .is_some_and(|n| n.ends_with("clients/acme.yaml"))),
        "the new client's placeholder goal is pointed out: {findings:#?}"
    );
    Build::of(s).into_temp();
}

#[test]
fn nothing_is_overwritten() {
    let site = copy_site(&example());
    let s = site.path();
    let existing = read(&s.join("clients/greenway-cycles.yaml"));
    let stderr = fails(s, &["new", "client", "greenway-cycles"], 1);
    assert!(stderr.contains("clients/greenway-cycles.yaml"), "{stderr}");
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(read(&s.join("clients/greenway-cycles.yaml")), existing);

    ok(s, &["new", "chapter", "Pricing"]);
    put(&s.join("playbook/09-pricing.md"), "edited\n");
    // The same name again is numbered anew, so a touchpoint named as an existing file is the
    // way to meet one.
    let stderr = fails(
        s,
        &["new", "touchpoint", "019-launch-follow-up", "--day", "3"],
        1,
    );
    assert!(
        stderr.contains("journey/019-launch-follow-up.md"),
        "{stderr}"
    );
    assert!(stderr.contains("already exists"), "{stderr}");
    let stderr = fails(s, &["new", "member", "ada"], 1);
    assert!(stderr.contains("team/ada.yaml"), "{stderr}");
    assert_eq!(read(&s.join("playbook/09-pricing.md")), "edited\n");
}

#[test]
fn the_sites_own_archetype_is_used() {
    let site = copy_site(&example());
    let s = site.path();
    let ours = "# OUR-CLIENT-ARCHETYPE\nname: [[name]]\nstart: [[start]]\ncontacts:\n  - name: Pat\n    email: pat@[[id]].example\nteam:\n  [[team]]\n";
    put(&s.join("archetypes/client.yaml"), ours);
    let said = ok(s, &["new", "client", "kestrel", "--lead", "ada"]);
    assert!(said.contains("archetypes/client.yaml"), "{said}");
    let text = read(&s.join("clients/kestrel.yaml"));
    assert!(
        text.starts_with("# OUR-CLIENT-ARCHETYPE\nname: Kestrel\n"),
        "{text}"
    );
    assert!(text.contains("  account-lead: ada\n"), "{text}");
    assert!(text.contains("pat@kestrel.example"), "{text}");
    // The other kinds still come from the theme.
    ok(s, &["new", "member", "maya"]);
    assert!(read(&s.join("team/maya.yaml")).contains("# A team member."));
    checks_clean(s, &["kestrel.yaml", "maya.yaml"]);

    // A mistyped placeholder is named, and nothing is written.
    put(
        &s.join("archetypes/chapter.md"),
        "---\ntitle: [[tilte]]\n---\nBody\n",
    );
    let stderr = fails(s, &["new", "chapter", "Pricing"], 1);
    assert!(stderr.contains("archetypes/chapter.md"), "{stderr}");
    assert!(stderr.contains("did you mean `[[title]]`"), "{stderr}");
    // An archetype that makes a file hundred cannot read is refused.
    put(
        &s.join("archetypes/chapter.md"),
        "---\ntitle: [[title]]\ncolour: red\n---\nBody\n",
    );
    let stderr = fails(s, &["new", "chapter", "Pricing"], 1);
    assert!(stderr.contains("would not load"), "{stderr}");
    assert!(!s.join("playbook/09-pricing.md").exists());
}

const HOSTILE: &str = "- Acme: \"Best\" #1 {{ firm.name }} <script>alert(1)</script> Café ☕";

#[test]
fn values_from_the_command_line_are_quoted_and_stay_inert() {
    let site = copy_site(&example());
    let s = site.path();
    ok(
        s,
        &[
            "new",
            "client",
            "hostile",
            "--name",
            HOSTILE,
            "--start",
            "2026-11-02",
            "--lead",
            "rhys",
        ],
    );
    ok(s, &["new", "member", "hostile-member", "--name", HOSTILE]);
    ok(
        s,
        &[
            "new",
            "touchpoint",
            HOSTILE,
            "--day",
            "5",
            "--client-visible",
        ],
    );
    ok(s, &["new", "chapter", HOSTILE]);
    let touchpoint = "journey/020-acme-best-1-firm-name-script-alert-1-script-cafe.md";
    let chapter = "playbook/09-acme-best-1-firm-name-script-alert-1-script-cafe.md";
    assert!(s.join(touchpoint).is_file());
    assert!(s.join(chapter).is_file());
    checks_clean(
        s,
        &["hostile.yaml", "hostile-member.yaml", touchpoint, chapter],
    );

    // Every value reads back exactly as given.
    let (loaded, _) = hundred::load::load_site(s);
    let loaded = loaded.unwrap();
    let client = loaded.clients.iter().find(|c| c.id == "hostile").unwrap();
    assert_eq!(client.name, HOSTILE);
    let member = loaded
        .team
        .iter()
        .find(|m| m.id == "hostile-member")
        .unwrap();
    assert_eq!(member.name, HOSTILE);
    let step = loaded
        .journey
        .iter()
        .find(|t| t.id.starts_with("020-"))
        .unwrap();
    assert_eq!(step.title, HOSTILE);
    let ch = loaded
        .playbook
        .iter()
        .find(|c| c.id.starts_with("09-"))
        .unwrap();
    assert_eq!(ch.title, HOSTILE);

    // On the pages they are text: never a tag, never evaluated.
    let out = build_preview(s);
    let public = out.path().join("public");
    let mut seen = 0;
    for (rel, bytes) in read_tree(&public) {
        if !rel.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(&bytes);
        assert!(!html.contains("<script>alert"), "{rel}: a live script tag");
        assert_no_active_content(&rel, &html);
        if html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") {
            seen += 1;
            // The braces were not evaluated into the firm's name.
            assert!(html.contains("{{ firm.name }}"), "{rel}: evaluated");
        }
    }
    for page in [
        "portal/hostile/index.html",
        "internal/team/hostile-member/index.html",
        "internal/playbook/09-acme-best-1-firm-name-script-alert-1-script-cafe/index.html",
    ] {
        let html = read(&public.join(page));
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{page}"
        );
    }
    assert!(seen >= 4, "the name is on {seen} page(s)");
}

#[test]
fn the_lead_must_be_a_team_member() {
    let site = copy_site(&example());
    let s = site.path();
    let stderr = fails(s, &["new", "client", "kestrel", "--lead", "rhis"], 1);
    assert!(
        stderr.contains("there is no team member `rhis`"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `rhys`?"), "{stderr}");
    let stderr = fails(s, &["new", "client", "kestrel", "--lead", "zzzzzzzz"], 1);
    assert!(
        stderr.contains("ada, felix, gwen, noor, rhys, sunita"),
        "{stderr}"
    );
    assert!(!s.join("clients/kestrel.yaml").exists());

    // A site with nobody in team/ says so.
    std::fs::remove_dir_all(s.join("team")).unwrap();
    let stderr = fails(s, &["new", "client", "kestrel", "--lead", "rhys"], 1);
    assert!(stderr.contains("no team members yet"), "{stderr}");
    assert!(stderr.contains("hundred new member"), "{stderr}");
}

#[test]
fn bad_names_dates_and_days_are_refused_with_a_reason() {
    let site = copy_site(&example());
    let s = site.path();
    for (id, why) in [
        ("..", "a path"),
        ("../outside", "a path"),
        ("a/b", "a path"),
        ("", "empty"),
        ("Acme Ltd", "lowercase"),
        ("assets", "cannot be called"),
    ] {
        let stderr = fails(s, &["new", "client", id], 1);
        assert!(stderr.contains(why), "{id:?}: {stderr}");
    }
    let stderr = fails(s, &["new", "member", "../x"], 1);
    assert!(stderr.contains("a path"), "{stderr}");
    for name in ["../../outside", "..", "/etc/passwd", "..\\x", "~/notes"] {
        let stderr = fails(s, &["new", "touchpoint", name, "--day", "3"], 1);
        assert!(stderr.contains("looks like a path"), "{name}: {stderr}");
        let stderr = fails(s, &["new", "chapter", name], 1);
        assert!(stderr.contains("looks like a path"), "{name}: {stderr}");
    }
    let stderr = fails(s, &["new", "touchpoint", "日本語", "--day", "3"], 1);
    assert!(stderr.contains("no letters or digits"), "{stderr}");
    let stderr = fails(s, &["new", "chapter", "  "], 1);
    assert!(stderr.contains("empty"), "{stderr}");
    let stderr = fails(s, &["new", "client", "kestrel", "--start", "2026-02-30"], 2);
    assert!(stderr.contains("not a real calendar date"), "{stderr}");
    let stderr = fails(s, &["new", "client", "kestrel", "--start", "next week"], 2);
    assert!(stderr.contains("YYYY-MM-DD"), "{stderr}");
    for (day, why) in [
        ("0", "count from 1"),
        ("-4", "before the start"),
        ("soon", "not a whole number"),
        ("99999", "ten years"),
    ] {
        let stderr = fails(s, &["new", "touchpoint", "Review", "--day", day], 2);
        assert!(stderr.contains(why), "{day}: {stderr}");
    }
    // A slash inside a title is only a separator.
    let said = ok(s, &["new", "chapter", "Before/after review"]);
    assert!(
        said.contains("playbook/09-before-after-review.md"),
        "{said}"
    );
    // Nothing else was written by any of them.
    assert!(!s.join("clients/kestrel.yaml").exists());
    assert!(!s.join("outside.yaml").exists());
    assert_eq!(
        std::fs::read_dir(s.join("journey")).unwrap().count(),
        std::fs::read_dir(example().join("journey"))
            .unwrap()
            .count()
    );

    // Outside a site, it says where it looked.
    let empty = TempDir::new().unwrap();
    let stderr = fails(empty.path(), &["new", "member", "maya"], 1);
    assert!(stderr.contains("no hundred.toml"), "{stderr}");
    assert!(std::fs::read_dir(empty.path()).unwrap().next().is_none());
}

#[test]
fn ejecting_every_template_changes_no_output_byte() {
    let site = copy_site(&example());
    let s = site.path();
    let before = build(s);
    let said = ok(s, &["theme", "eject"]);
    assert!(said.contains("Wrote "), "{said}");
    assert!(s.join("templates/portal/welcome.html").is_file());
    assert!(s.join("templates/partials/profile.html").is_file());
    // Every template, and nothing else: archetypes only when named.
    assert!(!s.join("archetypes").exists());
    let after = build(s);
    let (a, b) = (
        read_tree(&before.path().join("public")),
        read_tree(&after.path().join("public")),
    );
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (rel, bytes) in &a {
        assert!(b[rel] == *bytes, "{rel} changed");
    }

    // Again: everything is there, so every file is skipped and none is changed.
    put(&s.join("templates/portal/welcome.html"), "MINE");
    let said = ok(s, &["theme", "eject"]);
    assert!(said.contains("Nothing written"), "{said}");
    assert!(
        said.contains("templates/portal/welcome.html: the site has it already"),
        "{said}"
    );
    assert_eq!(read(&s.join("templates/portal/welcome.html")), "MINE");
}

#[test]
fn ejecting_one_template_writes_that_file_only() {
    let site = copy_site(&example());
    let s = site.path();
    let said = ok(s, &["theme", "eject", "portal/welcome.html"]);
    assert!(said.contains("Wrote templates/portal/welcome.html") || said.contains("welcome.html"));
    let written: Vec<String> = read_tree(&s.join("templates")).into_keys().collect();
    assert_eq!(written, ["portal/welcome.html"]);
    // Byte for byte the theme's template.
    let theme = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/portal/welcome.html"),
    )
    .unwrap();
    assert_eq!(
        std::fs::read(s.join("templates/portal/welcome.html")).unwrap(),
        theme
    );

    // Other spellings, and an archetype.
    ok(
        s,
        &[
            "theme",
            "eject",
            "templates/internal/member.html",
            "portal/team",
        ],
    );
    assert!(s.join("templates/internal/member.html").is_file());
    assert!(s.join("templates/portal/team.html").is_file());
    ok(s, &["theme", "eject", "archetypes/client.yaml"]);
    assert!(s.join("archetypes/client.yaml").is_file());
    checks_clean(s, &[]);
}

#[test]
fn an_unknown_template_is_an_error_with_a_suggestion() {
    let site = copy_site(&example());
    let s = site.path();
    let stderr = fails(s, &["theme", "eject", "portal/welcom.html"], 1);
    assert!(
        stderr.contains("no template `portal/welcom.html`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("did you mean `portal/welcome.html`?"),
        "{stderr}"
    );
    assert!(stderr.contains("hundred theme list"), "{stderr}");
    // One bad name among good ones: nothing is written.
    let stderr = fails(s, &["theme", "eject", "portal/team.html", "nope.html"], 1);
    assert!(stderr.contains("nope.html"), "{stderr}");
    assert!(!s.join("templates/portal/team.html").exists());
}

#[test]
fn the_theme_lists_its_templates_and_the_sites_copies() {
    let site = copy_site(&example());
    let s = site.path();
    put(
        &s.join("templates/portal/welcome.html"),
        "{% extends \"portal/base.html\" %}",
    );
    let said = ok(s, &["theme", "list"]);
    for name in [
        "base.html",
        "internal/runbook.html",
        "partials/profile.html",
        "archetypes/touchpoint.md",
    ] {
        assert!(said.contains(name), "{name}: {said}");
    }
    assert!(
        said.lines()
            .any(|l| l.contains("portal/welcome.html") && l.contains("the site's own")),
        "{said}"
    );
}

#[cfg(unix)]
#[test]
fn a_folder_that_leads_outside_the_site_gets_nothing() {
    let dir = TempDir::new().unwrap();
    let (site, outside) = (dir.path().join("site"), dir.path().join("outside"));
    copy_dir(&example(), &site);
    std::fs::create_dir(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, site.join("templates")).unwrap();
    let stderr = fails(&site, &["theme", "eject", "portal/welcome.html"], 1);
    assert!(stderr.contains("leads outside the site folder"), "{stderr}");
    std::fs::remove_dir_all(site.join("playbook")).unwrap();
    std::os::unix::fs::symlink(&outside, site.join("playbook")).unwrap();
    let stderr = fails(&site, &["new", "chapter", "Pricing"], 1);
    assert!(stderr.contains("leads outside the site folder"), "{stderr}");
    assert!(std::fs::read_dir(&outside).unwrap().next().is_none());
}

#[test]
fn a_lead_without_the_role_is_pointed_out() {
    let site = copy_site(&example());
    let s = site.path();
    let said = ok(s, &["new", "client", "kestrel", "--lead", "felix"]);
    assert!(
        said.contains("felix does not list `account-lead`"),
        "{said}"
    );
    assert!(read(&s.join("clients/kestrel.yaml")).contains("  account-lead: felix\n"));
}
