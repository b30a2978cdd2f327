//! The calendar features as a careless or hostile author uses them: hostile text in one-off
//! steps, numbers at the edges of their ranges, odd holidays files and log entries that name
//! steps the client does not have. Each must be reported in plain words, or stay inert text,
//! and never stop a build with a panic or a blame on the theme.

use std::path::Path;

use super::calendar::{acme_adds, canary, settings};
use crate::support::*;

/// A journey file `journey/050-attack.md` for the client to see, with `when` as its timing.
fn attack_step(site: &Path, when: &str) {
    put(
        &site.join("journey/050-attack.md"),
        &format!(
            "---\ntitle: Attack step\n{when}\nstage: customer\nchannel: call\n\
             owner: account-lead\nvisibility: client\nportal: \"A call.\"\n---\n\
             Call {{{{ client.name }}}} ({{{{ touchpoint.occurrence | default(value=0) }}}}).\n"
        ),
    );
}

/// `hundred check` as of [`TODAY`]: whether it passed, and what it said.
fn check(site: &Path) -> (bool, String) {
    let out = hundred()
        .arg("check")
        .arg(site)
        .args(["--today", TODAY])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let said = format!("{stdout}{stderr}");
    assert!(!said.contains("panicked"), "{said}");
    (out.status.success(), said)
}

fn warnings_about(said: &str, words: &str) -> usize {
    said.lines()
        .filter(|l| l.contains('⚠') && l.contains(words))
        .count()
}

#[test]
fn hostile_one_off_text_stays_inert_and_its_script_stays_internal() {
    let site = canary();
    acme_adds(
        site.path(),
        r#"touchpoints:
  - id: visit-one
    title: "<script>alert(1)</script> {{ firm.name }} {% if true %}X{% endif %} {onclick=alert(2)}"
    date: 2026-12-10
    owner: account-lead
    channel: visit
    visibility: client
    portal: "<img src=x onerror=alert(3)> {{ client.internal.handoff }} [a](javascript:alert(4))"
    script: |
      ONE-OFF-SCRIPT-CANARY <script>alert(5)</script>
      # Heading {onclick=alert(6)}
      [x](javascript:alert(7))
"#,
    );
    let out = build(site.path());
    let files = read_tree(&out.path().join("public"));
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        if path.ends_with(".html") {
            assert_no_active_content(path, &text);
        }
        if path.starts_with("portal/") {
            assert!(!text.contains("ONE-OFF-SCRIPT-CANARY"), "{path}");
            assert!(!text.contains("CANARY-ACME-HANDOFF"), "{path}");
        }
    }
    let journey = read(&out.path().join("public/portal/acme/journey/index.html"));
    // The Tera syntax is shown as written, never evaluated.
    assert!(journey.contains("{{ firm.name }} {% if true %}X{% endif %}"));
    assert!(journey.contains("{{ client.internal.handoff }}"));
    let runbook = read(&out.path().join("public/internal/clients/acme/index.html"));
    assert!(runbook.contains("ONE-OFF-SCRIPT-CANARY"));
}

#[test]
fn a_one_off_script_error_names_the_client_file_and_line() {
    let site = canary();
    acme_adds(
        site.path(),
        "touchpoints:\n  - title: Visit\n    date: 2026-12-10\n    owner: account-lead\n    \
         channel: visit\n    script: |\n      First line.\n      {{ client.nope }}\n",
    );
    let lines = read(&site.path().join("clients/acme.yaml")).lines().count();
    let (ok, said) = check(site.path());
    assert!(!ok, "{said}");
    assert!(
        said.contains(&format!("clients/acme.yaml:{lines}:")),
        "{said}"
    );
}

#[test]
fn a_date_counted_back_past_the_year_one_still_builds() {
    let site = canary();
    acme_adds(site.path(), "dates:\n  launch: 0001-01-02\n");
    attack_step(site.path(), "before: launch\ndays: 3660");
    let stderr = String::from_utf8_lossy(&Build::of(site.path()).ok().stderr).into_owned();
    assert!(!stderr.contains("built-in theme"), "{stderr}");
}

#[test]
fn a_repeat_cut_short_at_the_most_occurrences_is_reported() {
    let site = canary();
    attack_step(
        site.path(),
        "day: 1\nrepeat: { every: \"1 day\", until: \"day 3660\" }",
    );
    let (ok, said) = check(site.path());
    assert!(ok, "{said}");
    // One for each of the fixture's two clients.
    assert_eq!(warnings_about(&said, "journey/050-attack.md"), 2, "{said}");
    assert!(said.contains("only the first 1040 are scheduled"), "{said}");
    // A repeat that ends before the limit is not reported.
    attack_step(
        site.path(),
        "day: 1\nrepeat: { every: \"1 week\", until: \"day 3660\" }",
    );
    let (_, said) = check(site.path());
    assert_eq!(warnings_about(&said, "journey/050-attack.md"), 0, "{said}");
}

#[test]
fn a_repeat_stuck_in_a_long_blackout_is_one_warning_with_the_right_help() {
    let site = canary();
    acme_adds(
        site.path(),
        "blackout:\n  - from: 2026-11-01\n    to: 2031-12-31\n",
    );
    attack_step(
        site.path(),
        "day: 1\nrepeat: { every: \"1 day\", count: 1040 }",
    );
    let (ok, said) = check(site.path());
    assert!(ok, "{said}");
    assert_eq!(warnings_about(&said, "journey/050-attack.md"), 1, "{said}");
    assert!(said.contains("1040 times"), "{said}");
    // Nothing here says `exact: true`, so the help does not ask to remove it.
    assert!(!said.contains("remove `exact: true`"), "{said}");
}

#[test]
fn ics_rules_that_are_not_expanded_are_reported() {
    let site = canary();
    settings(site.path(), "holidays_file = \"closed.ics\"");
    put(
        &site.path().join("closed.ics"),
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260525\r\n\
         RRULE:FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    let (ok, said) = check(site.path());
    assert!(ok, "{said}");
    assert_eq!(warnings_about(&said, "closed.ics"), 1, "{said}");
    assert!(said.contains("BYDAY=-1MO"), "{said}");
}

#[test]
fn a_small_holidays_file_cannot_make_the_build_crawl() {
    let site = canary();
    settings(site.path(), "holidays_file = \"closed.ics\"");
    let event = "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20000101\nDTEND;VALUE=DATE:20010204\n\
                 RRULE:FREQ=YEARLY\nEND:VEVENT\n";
    put(
        &site.path().join("closed.ics"),
        &format!("BEGIN:VCALENDAR\n{}END:VCALENDAR\n", event.repeat(2000)),
    );
    let started = std::time::Instant::now();
    let (ok, said) = check(site.path());
    assert!(!ok, "{said}");
    assert!(said.contains("closed.ics"), "{said}");
    assert!(started.elapsed().as_secs() < 3, "{:?}", started.elapsed());
}

#[test]
fn log_entries_that_change_nothing_are_reported() {
    let site = canary();
    attack_step(
        site.path(),
        "day: 1\nrepeat: { every: \"1 week\", count: 2 }",
    );
    put(
        &site.path().join("journey/051-launch.md"),
        "---\ntitle: Launch call\nafter: launch\ndays: 3\nstage: customer\nchannel: call\n\
         owner: account-lead\n---\nCall.\n",
    );
    // Hostile has a launch date, so the journey file itself is fine; acme has none.
    let hostile = site.path().join("clients/hostile.yaml");
    put(
        &hostile,
        &format!("{}\ndates:\n  launch: 2026-03-01\n", read(&hostile)),
    );
    acme_adds(site.path(), "skip: [002-handoff]\n");
    let log = "- date: 2026-11-18\n  touchpoint: 050-attack/1\n\
               - date: 2026-11-19\n  touchpoint: 050-attack/2\n\
               - date: 2026-11-19\n  touchpoint: 050-attack\n\
               - date: 2026-11-19\n  touchpoint: 051-launch\n\
               - date: 2026-11-19\n  touchpoint: 002-handoff\n";
    put(&site.path().join("log/acme.yaml"), log);
    let (ok, said) = check(site.path());
    assert!(ok, "{said}");
    assert_eq!(warnings_about(&said, "log/acme.yaml"), 3, "{said}");
    assert!(said.contains("already logged done or skipped"), "{said}");
    assert!(said.contains("a `launch` date"), "{said}");
    assert!(said.contains("`skip`"), "{said}");

    // An occurrence of a step that waits for a date says why it has none.
    put(
        &site.path().join("log/acme.yaml"),
        "- date: 2026-11-19\n  touchpoint: 050-attack/1\n",
    );
    put(
        &site.path().join("journey/051-launch.md"),
        "---\ntitle: Launch call\nafter: launch\ndays: 3\nrepeat: { every: \"1 week\", count: 3 }\n\
         stage: customer\nchannel: call\nowner: account-lead\n---\nCall.\n",
    );
    put(
        &site.path().join("log/acme.yaml"),
        "- date: 2026-11-19\n  touchpoint: 051-launch/1\n",
    );
    let (ok, said) = check(site.path());
    assert!(!ok, "{said}");
    assert!(said.contains("a `launch` date"), "{said}");

    // `hundred log` on a repeat with every occurrence done says so.
    put(
        &site.path().join("log/acme.yaml"),
        "- date: 2026-11-18\n  touchpoint: 050-attack/1\n- date: 2026-11-19\n  touchpoint: 050-attack/2\n",
    );
    let out = hundred()
        .args([
            "log",
            "acme",
            "050-attack",
            "--date",
            "2026-11-20",
            "--today",
            TODAY,
        ])
        .arg("--site")
        .arg(site.path())
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("already logged done or skipped"), "{said}");
}
