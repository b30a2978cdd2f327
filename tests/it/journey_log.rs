//! The journey log (`log/<client>.yaml`): statuses on every output, nothing of an entry on a
//! client's pages, health by the `[health]` rules at their boundaries, calendar SEQUENCE after
//! moves, and `hundred log`.

use std::path::Path;

use crate::support::*;

/// acme (starts 2026-11-17) with every status by 2026-12-10: the welcome call done with a
/// score and a note, the hand-off (day 2) open, the first invoice (day 10) moved to the 20th,
/// the 100-day review skipped.
const ACME_LOG: &str = "\
# What happened with Acme.
- date: 2026-11-17
  touchpoint: 001-welcome-call
  with: [Wile Coyote]
  score: 8
  mood: amber
  note: |
    CANARY-LOG-NOTE: wants fewer meetings.
- date: 2026-11-25
  touchpoint: 010-first-invoice
  status: moved
  to: 2026-12-20
- date: 2026-11-30
  touchpoint: 100-review
  status: skipped
  note: CANARY-LOG-SKIP-NOTE
- date: 2026-12-01
  title: CANARY-LOG-UNPLANNED lunch
  channel: meeting
  by: ann
";

const LATER: &str = "2026-12-10";

fn site_with_log(log: &str) -> tempfile::TempDir {
    let dir = copy_fixture("canary");
    put(&dir.path().join("log/acme.yaml"), log);
    dir
}

fn out_file(out: &tempfile::TempDir, rel: &str) -> String {
    read(&out.path().join("public").join(rel))
}

/// `schedule.csv`'s value in `column` for `client`'s `touchpoint`.
fn schedule_value(csv: &str, client: &str, touchpoint: &str, column: &str) -> String {
    let rows = schedule_rows(csv);
    let col = rows[0]
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column} in {:?}", rows[0]));
    let row = rows
        .iter()
        .find(|r| r[3] == client && r[4] == touchpoint)
        .unwrap_or_else(|| panic!("no row for {client} / {touchpoint}"));
    row[col].clone()
}

/// The `<li>` or `<article>` of the step titled `title` in a page, from its start tag on.
fn step_markup<'a>(html: &'a str, title: &str) -> &'a str {
    let at = html
        .find(title)
        .unwrap_or_else(|| panic!("no {title:?} in the page"));
    let start = html[..at]
        .rfind("step--")
        .expect("a step has a step-- class");
    &html[start..at]
}

#[test]
fn statuses_reach_every_output() {
    let dir = site_with_log(ACME_LOG);
    let out = Build::of(dir.path()).today(LATER).no_minify().into_temp();

    // schedule.csv: the status of each step, and the moved date.
    let csv = out_file(&out, "internal/schedule.csv");
    let status = |t: &str| schedule_value(&csv, "Acme Widgets", t, "Status");
    assert_eq!(status("Welcome call"), "done");
    assert_eq!(status("Sales hand-off"), "open");
    assert_eq!(status("First invoice, explained"), "upcoming");
    assert_eq!(status("100-day review"), "skipped");
    assert_eq!(
        schedule_value(&csv, "Acme Widgets", "Sales hand-off", "Days late"),
        "22"
    );
    assert_eq!(
        schedule_value(&csv, "Acme Widgets", "First invoice, explained", "Date"),
        "2026-12-20"
    );
    assert_eq!(
        schedule_value(
            &csv,
            "Acme Widgets",
            "First invoice, explained",
            "Times moved"
        ),
        "1"
    );

    // The portal timeline: done only when logged, the new date, the skipped step gone.
    let journey = out_file(&out, "portal/acme/journey/index.html");
    assert!(step_markup(&journey, "Welcome call").contains("step--done"));
    assert!(step_markup(&journey, "First invoice, explained").contains("step--upcoming"));
    assert!(journey.contains("20 December 2026"), "the moved date");
    assert!(
        !journey.contains("100-day review"),
        "a skipped step leaves the timeline"
    );
    for page in ["journey/index.html", "index.html", "print/index.html"] {
        let html = out_file(&out, &format!("portal/acme/{page}"));
        assert!(
            !html.contains("100-day review"),
            "{page} shows the skipped step"
        );
    }

    // The runbook: each step's logged status, and the history with the notes.
    let runbook = out_file(&out, "internal/clients/acme/index.html");
    assert!(step_markup(&runbook, "Sales hand-off").contains("step--open"));
    assert!(step_markup(&runbook, "Welcome call").contains("step--done"));
    assert!(step_markup(&runbook, "100-day review").contains("step--skipped"));
    for canary in [
        "CANARY-LOG-NOTE",
        "CANARY-LOG-SKIP-NOTE",
        "CANARY-LOG-UNPLANNED",
    ] {
        assert!(
            runbook.contains(canary),
            "the runbook's history has {canary}"
        );
    }

    // Calendars: the moved step keeps its UID with SEQUENCE 1; the skipped one is cancelled.
    let team = out_file(&out, "internal/calendar.ics");
    let event = |ics: &str, uid_part: &str| -> String {
        ics.split("BEGIN:VEVENT")
            .find(|e| e.contains(uid_part))
            .unwrap_or_else(|| panic!("no event {uid_part}"))
            .to_string()
    };
    let moved = event(&team, "UID:acme.010-first-invoice@");
    assert!(moved.contains("DTSTART;VALUE=DATE:20261220"), "{moved}");
    assert!(moved.contains("SEQUENCE:1\r\n"), "{moved}");
    let skipped = event(&team, "UID:acme.100-review@");
    assert!(skipped.contains("STATUS:CANCELLED"), "{skipped}");
    let done = event(&team, "UID:acme.001-welcome-call@");
    assert!(!done.contains("SEQUENCE"), "{done}");
    let portal_ics = out_file(&out, "portal/acme/journey.ics");
    assert!(portal_ics.contains("DTSTART;VALUE=DATE:20261220"));
    assert!(portal_ics.contains("SEQUENCE:1\r\n"));
    assert!(portal_ics.contains("STATUS:CANCELLED"));
    check_icalendar(&portal_ics);
    check_icalendar(&team);

    // The overview lists the open step by owner, however late, until it is logged.
    let overview = out_file(&out, "internal/index.html");
    assert!(
        overview.contains("Sales hand-off"),
        "the open step is listed"
    );
}

#[test]
fn an_entry_never_reaches_a_client_page() {
    let dir = site_with_log(ACME_LOG);
    let out = Build::of(dir.path()).today(LATER).into_temp();
    let portal = out.path().join("public/portal");
    for (route, bytes) in read_tree(&portal) {
        let text = String::from_utf8_lossy(&bytes);
        for canary in [
            "CANARY-LOG",
            "wants fewer meetings",
            "amber",
            "score",
            "Score",
        ] {
            assert!(!text.contains(canary), "portal/{route} has {canary:?}");
        }
    }
}

#[test]
fn the_portal_calls_nothing_done_that_was_not_logged() {
    // No log at all, long after every step's date.
    let dir = copy_fixture("canary");
    let out = Build::of(dir.path())
        .today("2027-06-01")
        .no_minify()
        .into_temp();
    let journey = out_file(&out, "portal/acme/journey/index.html");
    assert!(!journey.contains("step--done"), "nothing was logged done");
    assert!(!journey.contains(">Done<"), "no step is called done");
    for word in ["late", "overdue", "missed"] {
        assert!(
            !journey.to_lowercase().contains(&format!(" {word}")),
            "an open step is shown neutrally, not as {word}"
        );
    }
    assert!(journey.contains("step--open"));
    // Nothing is counted as behind us.
    assert!(
        journey.contains(">0</span> of"),
        "the progress counts only done steps"
    );
    // And the runbook says the steps are open, not past.
    let runbook = out_file(&out, "internal/clients/acme/index.html");
    assert!(step_markup(&runbook, "Welcome call").contains("step--open"));
}

/// acme's health and reasons in schedule.csv, with `health` as the `[health]` table.
fn health(log: &str, health: &str, today: &str) -> (String, String) {
    let dir = site_with_log(log);
    let toml = dir.path().join("hundred.toml");
    let mut text = read(&toml);
    text.push_str(&format!("\n[health]\n{health}\n"));
    put(&toml, &text);
    let out = Build::of(dir.path()).today(today).into_temp();
    let csv = out_file(&out, "internal/schedule.csv");
    (
        schedule_value(&csv, "Acme Widgets", "Welcome call", "Client health"),
        schedule_value(&csv, "Acme Widgets", "Welcome call", "Why"),
    )
}

/// Every touchpoint done on its day (none open), the welcome call being a call: personal
/// contact on 2026-11-17.
const ALL_DONE: &str = "\
- date: 2026-11-17
  touchpoint: 001-welcome-call
- date: 2026-11-18
  touchpoint: 002-handoff
  channel: email
- date: 2026-11-26
  touchpoint: 010-first-invoice
- date: 2026-11-26
  touchpoint: 100-review
  channel: email
";

#[test]
fn quiet_relationships_turn_amber_then_red() {
    let rules = "quiet_after_days = 10";
    // 10 days after the call: not yet past the limit.
    assert_eq!(health(ALL_DONE, rules, "2026-11-27").0, "green");
    let (colour, why) = health(ALL_DONE, rules, "2026-11-28");
    assert_eq!(colour, "amber");
    assert_eq!(why, "no personal contact for 11 days");
    assert_eq!(health(ALL_DONE, rules, "2026-12-07").0, "amber");
    let (colour, why) = health(ALL_DONE, rules, "2026-12-08");
    assert_eq!(colour, "red");
    assert_eq!(why, "no personal contact for 21 days");
    // An email is not personal contact; a configured channel is.
    // (the hand-off is an internal step: no contact with the client whatever its channel;
    // the 100-day review by email on the 26th is.)
    let rules = "quiet_after_days = 10\npersonal_channels = [\"email\"]";
    assert_eq!(health(ALL_DONE, rules, "2026-12-06").0, "green");
}

#[test]
fn a_low_last_score_is_red() {
    let scored = |score: u8| {
        format!(
            "{ALL_DONE}- date: 2026-11-27\n  title: Survey\n  channel: email\n  score: {score}\n"
        )
    };
    let rules = "low_score = 6";
    let (colour, why) = health(&scored(6), rules, "2026-11-28");
    assert_eq!(colour, "red");
    assert_eq!(why, "last score 6/10");
    assert_eq!(health(&scored(7), rules, "2026-11-28").0, "green");
    // The last score counts, not the worst.
    let recovered = format!(
        "{}- date: 2026-11-28\n  title: Second survey\n  channel: email\n  score: 9\n",
        scored(2)
    );
    assert_eq!(health(&recovered, rules, "2026-11-28").0, "green");
}

#[test]
fn open_steps_turn_amber_at_the_limit() {
    // Only the welcome call is logged: by 2026-11-27 the hand-off (day 2) and the invoice
    // (day 10) are open.
    let one = "- date: 2026-11-17\n  touchpoint: 001-welcome-call\n";
    assert_eq!(health(one, "open_steps = 3", "2026-11-27").0, "green");
    let (colour, why) = health(one, "open_steps = 2", "2026-11-27");
    assert_eq!(colour, "amber");
    assert_eq!(why, "2 open steps");
    // The day the invoice is due it is not open yet.
    assert_eq!(health(one, "open_steps = 2", "2026-11-26").0, "green");
}

#[test]
fn stage_follows_what_was_done_not_the_calendar() {
    // The 100-day review is of stage `member`; long after its date, unlogged, acme is still a
    // customer; logged done, a member.
    let dir = copy_fixture("canary");
    let out = Build::of(dir.path())
        .today("2027-06-01")
        .no_minify()
        .into_temp();
    let clients = out_file(&out, "internal/clients/acme/index.html");
    assert!(
        clients.contains(">customer<"),
        "not logged: still a customer"
    );
    put(
        &dir.path().join("log/acme.yaml"),
        "- date: 2027-02-25\n  touchpoint: 100-review\n",
    );
    let out = Build::of(dir.path())
        .today("2027-06-01")
        .no_minify()
        .into_temp();
    let clients = out_file(&out, "internal/clients/acme/index.html");
    assert!(clients.contains(">member<"), "logged done: a member");
}

fn log_cmd(site: &Path, args: &[&str]) -> std::process::Output {
    hundred()
        .arg("log")
        .args(args)
        .args(["--site", site.to_str().unwrap(), "--today", LATER])
        .output()
        .unwrap()
}

#[test]
fn hundred_log_appends_and_keeps_the_file_as_written() {
    let dir = site_with_log(ACME_LOG);
    let file = dir.path().join("log/acme.yaml");
    let out = log_cmd(
        dir.path(),
        &[
            "acme",
            "010-first-invoice",
            "--date",
            "2026-12-09",
            "--with",
            "Road Runner",
            "--score",
            "7",
            "--note",
            "Paid: \"fine\" # not a comment\nSecond line.",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = read(&file);
    assert!(
        text.starts_with(ACME_LOG),
        "the old text, comment and all, is kept"
    );
    let added = &text[ACME_LOG.len()..];
    assert!(
        stdout.contains(added.trim_end()),
        "it prints the entry it wrote:\n{stdout}"
    );
    // The new entry reads back as given: the invoice is done, on the 9th, with the note.
    let built = Build::of(dir.path()).today(LATER).no_minify().into_temp();
    let csv = out_file(&built, "internal/schedule.csv");
    assert_eq!(
        schedule_value(&csv, "Acme Widgets", "First invoice, explained", "Status"),
        "done"
    );
    assert_eq!(
        schedule_value(
            &csv,
            "Acme Widgets",
            "First invoice, explained",
            "Last score"
        ),
        "7"
    );
    let runbook = out_file(&built, "internal/clients/acme/index.html");
    assert!(
        runbook.contains("# not a comment") && runbook.contains("Second line."),
        "the note as typed"
    );

    // A log that does not exist yet is created.
    let out = log_cmd(
        dir.path(),
        &[
            "hostile",
            "--title",
            "Coffee",
            "--channel",
            "meeting",
            "--date",
            "2026-12-01",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(read(&dir.path().join("log/hostile.yaml")).starts_with("- date: 2026-12-01\n"));
}

#[test]
fn hundred_log_refuses_what_check_rejects_with_the_same_words() {
    let dir = site_with_log(ACME_LOG);
    let file = dir.path().join("log/acme.yaml");
    let cases: &[(&[&str], &str)] = &[
        (
            &["acme", "010-first-invoce"],
            "there is no touchpoint `010-first-invoce`",
        ),
        (
            &["acme", "010-first-invoice", "--score", "11"],
            "`score` is 11",
        ),
        (
            &["acme", "010-first-invoice", "--by", "anne"],
            "there is no team member `anne`",
        ),
        (
            &["acme", "010-first-invoice", "--with", "Wile E. Coyote"],
            "is not a contact of Acme",
        ),
        (
            &["acme", "010-first-invoice", "--mood", "blue"],
            "unknown mood `blue`",
        ),
        (&["acme", "--title", "Lunch"], "needs `channel`"),
        (&["acme", "--channel", "call"], "needs `title`"),
        (
            &[
                "acme",
                "--title",
                "Lunch",
                "--channel",
                "meeting",
                "--skipped",
            ],
            "an unplanned contact cannot be `skipped`",
        ),
        (
            &["nobody", "001-welcome-call"],
            "there is no client `nobody`",
        ),
    ];
    for (args, message) in cases {
        let out = log_cmd(dir.path(), args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(stderr.contains("nothing was written"), "{stderr}");
        assert_eq!(read(&file), ACME_LOG, "{args:?} changed the log");
        assert!(!dir.path().join("log/nobody.yaml").exists());
    }
    // `check` says the same of the same entry written by hand.
    put(
        &file,
        &format!("{ACME_LOG}- date: 2026-12-09\n  touchpoint: 010-first-invoice\n  score: 11\n"),
    );
    let check = hundred()
        .args(["check", dir.path().to_str().unwrap(), "--today", LATER])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&check.stderr).contains("`score` is 11"));
}

#[test]
fn check_reports_log_mistakes_where_they_are() {
    let check = |log: &str| {
        let dir = site_with_log(log);
        let out = hundred()
            .args(["check", dir.path().to_str().unwrap(), "--today", LATER])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Mistakes in an entry itself: the file is not used.
    let (code, stderr) = check(
        "- date: 2026-11-17\n  touchpoint: 001-welcome-call\n- date: 2026-11-19\n  touchpoint: 010-first-invoice\n  status: moved\n",
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("log/acme.yaml:5:11: a `moved` entry needs `to`"),
        "{stderr}"
    );
    // Against the rest of the site: warnings, with the file and line.
    let (code, stderr) = check(
        "- date: 2026-11-17\n  touchpoint: 001-welcome-call\n- date: 2026-11-18\n  touchpoint: 001-welcome-call\n- date: 2026-11-01\n  title: Before the start\n  channel: call\n- date: 2027-01-01\n  title: After the build date\n  channel: call\n- date: 2026-11-20\n  title: Odd channel\n  channel: cal\n",
    );
    assert_eq!(code, Some(0), "{stderr}");
    for expected in [
        "log/acme.yaml:3:9: `001-welcome-call` is logged done twice",
        "started on 2026-11-17",
        "after the build date",
        "`cal` is not a channel the journey uses",
        "did you mean `call`?",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in\n{stderr}"
        );
    }
}
