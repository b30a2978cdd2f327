//! Dates a firm can keep: working days, holidays and the shift rules, client blackouts, dates
//! counted from a client's own dates or its last contact, repeats, conditions on the log,
//! one-off steps and skipped ones, through every output.
//!
//! The canary fixture's Acme starts on Tuesday 17 November 2026: its first invoice (day 10)
//! is Thursday 26 November and its 100-day review Wednesday 24 February 2027.

use std::path::Path;

use crate::support::*;

const TODAY: &str = "2026-11-20";

pub(super) fn canary() -> tempfile::TempDir {
    copy_fixture("canary")
}

/// `schedule.csv` as rows of fields, its header first.
fn schedule(out: &tempfile::TempDir) -> Vec<Vec<String>> {
    schedule_rows(&read(&out.path().join("public/internal/schedule.csv")))
}

/// The dates of `client`'s rows whose touchpoint title starts with `title`, in order.
fn dates_of(out: &tempfile::TempDir, client: &str, title: &str) -> Vec<String> {
    schedule(out)
        .into_iter()
        .filter(|r| r[3] == client && r[4].starts_with(title))
        .map(|r| r[0].clone())
        .collect()
}

pub(super) fn settings(site: &Path, calendar: &str) {
    let path = site.join("hundred.toml");
    let mut text = read(&path);
    text.push_str("\n[calendar]\n");
    text.push_str(calendar);
    text.push('\n');
    put(&path, &text);
}

/// Adds `yaml` (top-level keys) to acme's client file.
pub(super) fn acme_adds(site: &Path, yaml: &str) {
    let path = site.join("clients/acme.yaml");
    let mut text = read(&path);
    text.push('\n');
    text.push_str(yaml);
    put(&path, &text);
}

fn invoice_date(site: &Path) -> String {
    let out = Build::of(site).today(TODAY).into_temp();
    let d = dates_of(&out, "Acme Widgets", "First invoice");
    assert_eq!(d.len(), 1, "{d:?}");
    d[0].clone()
}

#[test]
fn closed_days_move_by_the_shift_rule() {
    // A holiday on Thursday 26 November: next is Friday, previous Wednesday, and nearest
    // picks the later of two equally near days.
    for (shift, expected) in [
        ("next", "2026-11-27"),
        ("previous", "2026-11-25"),
        ("nearest", "2026-11-27"),
    ] {
        let dir = canary();
        settings(
            dir.path(),
            &format!("holidays = [\"2026-11-26\"]\nshift = \"{shift}\""),
        );
        assert_eq!(invoice_date(dir.path()), expected, "shift = {shift}");
    }
    // Starting on Thursday 19 November, day 10 is Saturday 28 November.
    for (shift, expected) in [
        ("next", "2026-11-30"),
        ("previous", "2026-11-27"),
        ("nearest", "2026-11-27"),
    ] {
        let dir = canary();
        edit(
            &dir.path().join("clients/acme.yaml"),
            "start: 2026-11-17",
            "start: 2026-11-19",
        );
        settings(dir.path(), &format!("shift = \"{shift}\""));
        assert_eq!(
            invoice_date(dir.path()),
            expected,
            "weekend, shift = {shift}"
        );
    }
    // Across the year end: Christmas, Boxing Day's substitute and New Year.
    let dir = canary();
    edit(
        &dir.path().join("clients/acme.yaml"),
        "start: 2026-11-17",
        "start: 2026-12-16",
    );
    settings(
        dir.path(),
        "holidays = [\"2026-12-25\", \"2026-12-28\", \"2027-01-01\"]",
    );
    assert_eq!(invoice_date(dir.path()), "2026-12-29");
    settings(dir.path(), "");
    let dir = canary();
    edit(
        &dir.path().join("clients/acme.yaml"),
        "start: 2026-11-17",
        "start: 2026-12-23",
    );
    settings(
        dir.path(),
        "holidays = [\"2026-12-25\", \"2026-12-28\", \"2027-01-01\"]\nshift = \"previous\"",
    );
    // Day 10 is Friday 1 January: back over the weekend and the 28th to Thursday 31st.
    assert_eq!(invoice_date(dir.path()), "2026-12-31");
    // A working week of Tuesday to Saturday keeps a Saturday and moves a Monday.
    let dir = canary();
    edit(
        &dir.path().join("clients/acme.yaml"),
        "start: 2026-11-17",
        "start: 2026-11-19",
    );
    settings(
        dir.path(),
        "working_days = [\"tue\", \"wed\", \"thu\", \"fri\", \"sat\"]",
    );
    assert_eq!(invoice_date(dir.path()), "2026-11-28");
}

#[test]
fn a_client_blackout_moves_steps_past_it() {
    let dir = canary();
    acme_adds(
        dir.path(),
        "blackout:\n  - from: 2026-11-25\n    to: 2026-12-04\n",
    );
    assert_eq!(invoice_date(dir.path()), "2026-12-07");
    // Only Acme's: the other client's dates are as before.
    let out = Build::of(dir.path()).today(TODAY).into_temp();
    let hostile = schedule(&out)
        .into_iter()
        .filter(|r| r[3].contains("Hostile"))
        .count();
    assert!(hostile >= 4);
}

#[test]
fn exact_keeps_a_closed_day_and_check_warns_when_the_client_sees_it() {
    let dir = canary();
    edit(
        &dir.path().join("clients/acme.yaml"),
        "start: 2026-11-17",
        "start: 2026-11-19",
    );
    edit(
        &dir.path().join("journey/010-first-invoice.md"),
        "day: 10\n",
        "day: 10\nexact: true\n",
    );
    assert_eq!(invoice_date(dir.path()), "2026-11-28");
    let out = hundred()
        .args(["check", "--today", TODAY])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("First invoice, explained") && stderr.contains("Saturday 28 November 2026"),
        "{stderr}"
    );
    // An internal step on a closed day is no one's surprise: no warning.
    edit(
        &dir.path().join("journey/010-first-invoice.md"),
        "visibility: client",
        "visibility: internal",
    );
    let out = hundred()
        .args(["check", "--today", TODAY])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("Saturday 28 November 2026"));
}

#[test]
fn a_holidays_file_closes_its_all_day_events() {
    let dir = canary();
    put(
        &dir.path().join("closed.ics"),
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a@x\r\nDTSTART;VALUE=DATE:20261126\r\n\
         DTEND;VALUE=DATE:20261128\r\nSUMMARY:Away\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    settings(dir.path(), "holidays_file = \"closed.ics\"");
    // Closed Thursday 26 and Friday 27 (DTEND is exclusive), then the weekend.
    assert_eq!(invoice_date(dir.path()), "2026-11-30");
    // A file that is not there, or not an .ics file in the site folder, is an error.
    for name in ["missing.ics", "../closed.ics", "notes.txt"] {
        let dir = canary();
        settings(dir.path(), &format!("holidays_file = \"{name}\""));
        let stderr = Build::of(dir.path()).today(TODAY).fails();
        assert!(
            stderr.contains("holidays_file") || stderr.contains(name),
            "{name}: {stderr}"
        );
    }
}

#[test]
fn steps_count_from_client_dates_and_wait_without_them() {
    let dir = canary();
    put(
        &dir.path().join("journey/050-launch-call.md"),
        "---\ntitle: Launch follow-up\nafter: launch\ndays: 7\nstage: member\nchannel: call\n\
         owner: account-lead\nvisibility: client\nportal: \"A call a week after launch.\"\n---\nHi\n",
    );
    put(
        &dir.path().join("journey/060-renewal.md"),
        "---\ntitle: Renewal talk\nbefore: renewal\ndays: 60\nstage: member\nchannel: meeting\n\
         owner: account-lead\n---\nHi\n",
    );
    acme_adds(
        dir.path(),
        "dates:\n  launch: 2026-12-01\n  renewal: 2027-03-01\n",
    );
    let out = Build::of(dir.path()).today(TODAY).no_minify().into_temp();
    assert_eq!(
        dates_of(&out, "Acme Widgets", "Launch follow-up"),
        ["2026-12-08"]
    );
    // 60 days before 1 March 2027 is Friday 31 December 2026.
    assert_eq!(
        dates_of(&out, "Acme Widgets", "Renewal talk"),
        ["2026-12-31"]
    );
    // The other client has neither date: no step, and its runbook says what it waits for.
    let hostile_rows: Vec<Vec<String>> = schedule(&out)
        .into_iter()
        .filter(|r| {
            r[3].contains("Hostile") && (r[4] == "Launch follow-up" || r[4] == "Renewal talk")
        })
        .collect();
    assert!(hostile_rows.is_empty(), "{hostile_rows:?}");
    let runbook = read(
        &out.path()
            .join("public/internal/clients/hostile/index.html"),
    );
    let waiting = &runbook[runbook.find("Waiting for a date").expect("a waiting list")..];
    assert!(
        waiting.contains("Launch follow-up") && waiting.contains("`launch`")
            || waiting.contains("launch")
    );
    assert!(waiting.contains("Renewal talk"));
    // Nor does the client's portal show a step it does not have.
    let portal = read(&out.path().join("public/portal/hostile/journey/index.html"));
    assert!(!portal.contains("A call a week after launch"));
    let acme_portal = read(&out.path().join("public/portal/acme/journey/index.html"));
    assert!(acme_portal.contains("A call a week after launch"));
}

#[test]
fn a_re_engagement_step_moves_with_each_logged_contact() {
    let dir = canary();
    put(
        &dir.path().join("journey/070-quiet.md"),
        "---\ntitle: Quiet check\nafter: last_contact\ndays: 45\nstage: member\nchannel: call\n\
         owner: account-lead\n---\nHi\n",
    );
    // Its date with `log` as acme's log (none when empty).
    let quiet_check = |log: &str| {
        if !log.is_empty() {
            put(&dir.path().join("log/acme.yaml"), log);
        }
        let out = Build::of(dir.path()).today("2026-12-10").into_temp();
        dates_of(&out, "Acme Widgets", "Quiet check")
    };
    let coffee = "- date: 2026-11-20\n  title: Coffee\n  channel: meeting\n  by: ann\n";
    // No contact yet: 45 days after the start (17 November) is Friday 1 January, a working
    // day by default.
    assert_eq!(quiet_check(""), ["2027-01-01"]);
    assert_eq!(quiet_check(coffee), ["2027-01-04"]);
    // An email is not personal contact: nothing moves.
    let email = "- date: 2026-12-01\n  title: Ticket\n  channel: email\n  by: ann\n";
    assert_eq!(quiet_check(&format!("{coffee}{email}")), ["2027-01-04"]);
    let call = "- date: 2026-12-01\n  title: Call\n  channel: call\n  by: ann\n";
    assert_eq!(quiet_check(&format!("{coffee}{call}")), ["2027-01-15"]);
}

fn monthly(dir: &Path, rule: &str) {
    put(
        &dir.join("journey/076-monthly.md"),
        &format!(
            "---\ntitle: Monthly call\nday: 76\nrepeat: {rule}\nstage: member\nchannel: call\n\
             owner: account-lead\nvisibility: client\nportal: \"A monthly call.\"\n---\n\
             Call number {{{{ touchpoint.occurrence }}}} on {{{{ touchpoint.date }}}}.\n"
        ),
    );
}

#[test]
fn repeats_have_their_own_dates_statuses_and_uids() {
    let dir = canary();
    // Day 76 is Sunday 31 January 2027: the 31st, then the end of February, then the 31st.
    monthly(dir.path(), "{ every: \"1 month\", count: 3 }");
    let out = Build::of(dir.path()).today(TODAY).no_minify().into_temp();
    assert_eq!(
        dates_of(&out, "Acme Widgets", "Monthly call"),
        ["2027-02-01", "2027-03-01", "2027-03-31"]
    );
    // Each occurrence is an event of its own in the client's calendar, with a UID that stays
    // the same from build to build.
    let ics = read(&out.path().join("public/portal/acme/journey.ics"));
    let uids = |ics: &str| -> Vec<String> {
        check_icalendar(ics)
            .iter()
            .filter_map(|l| l.strip_prefix("UID:").map(str::to_string))
            .collect()
    };
    let first = uids(&ics);
    let unique: std::collections::BTreeSet<&String> = first.iter().collect();
    assert_eq!(unique.len(), first.len(), "{first:?}");
    assert_eq!(ics.matches("SUMMARY:Monthly call").count(), 3);
    // The owner's page lists the repeat once; their calendar has every occurrence.
    let member = read(&out.path().join("public/internal/team/ann/index.html"));
    assert!(member.contains("Monthly call (1st)"), "{member}");
    assert!(!member.contains("Monthly call (2nd)") && !member.contains("Monthly call (3rd)"));
    let member_ics = read(&out.path().join("public/internal/team/ann/calendar.ics"));
    assert_eq!(member_ics.matches("Monthly call").count(), 3);
    let again = Build::of(dir.path()).today(TODAY).no_minify().into_temp();
    assert_eq!(
        uids(&read(&again.path().join("public/portal/acme/journey.ics"))),
        first
    );
    // The runbook lists a repeat once, with every occurrence, and the script of the current
    // one (the earliest not yet done or skipped), which knows its number and date.
    let runbook = read(&out.path().join("public/internal/clients/acme/index.html"));
    assert_eq!(
        runbook.matches("Call number").count(),
        1,
        "one script for the repeat"
    );
    assert!(runbook.contains("Call number 1 on 2027-02-01"));
    for n in 1..=3 {
        assert!(
            runbook.contains(&format!("id=\"076-monthly/{n}\"")),
            "occurrence {n}"
        );
    }
    put(
        &dir.path().join("log/acme.yaml"),
        "- date: 2026-11-18\n  touchpoint: 076-monthly/1\n  status: skipped\n",
    );
    let later = Build::of(dir.path()).today(TODAY).no_minify().into_temp();
    let runbook = read(&later.path().join("public/internal/clients/acme/index.html"));
    assert!(
        runbook.contains("Call number 2 on 2027-03-01"),
        "the next one's script"
    );
    // The client's timeline shows the repeat once, with its dates, the skipped one gone.
    let portal = read(&later.path().join("public/portal/acme/journey/index.html"));
    assert_eq!(portal.matches(">Monthly call<").count(), 1, "{portal}");
    assert!(portal.contains("Every month") && portal.contains("Mon 1 Mar 2027"));
    assert!(
        !portal.contains("Mon 1 Feb 2027"),
        "the skipped occurrence is not shown"
    );
    std::fs::remove_file(dir.path().join("log/acme.yaml")).unwrap();

    // Until a day of the journey, and until a client date.
    monthly(dir.path(), "{ every: \"2 weeks\", until: \"day 110\" }");
    let out = Build::of(dir.path()).today(TODAY).into_temp();
    // Days 76, 90, 104: 31 Jan (Sun -> Mon 1 Feb), 14 Feb (Sun -> Mon 15), 28 Feb (Sun -> 1 Mar).
    assert_eq!(
        dates_of(&out, "Acme Widgets", "Monthly call"),
        ["2027-02-01", "2027-02-15", "2027-03-01"]
    );
    monthly(dir.path(), "{ every: \"1 month\", until: renewal }");
    acme_adds(dir.path(), "dates:\n  renewal: 2027-04-30\n");
    let out = Build::of(dir.path()).today(TODAY).into_temp();
    assert_eq!(
        dates_of(&out, "Acme Widgets", "Monthly call"),
        ["2027-02-01", "2027-03-01", "2027-03-31", "2027-04-30"]
    );
}

#[test]
fn occurrences_are_logged_by_number_and_hundred_log_picks_the_next_open_one() {
    let dir = canary();
    monthly(dir.path(), "{ every: \"1 month\", count: 3 }");
    put(
        &dir.path().join("log/acme.yaml"),
        "- date: 2027-02-01\n  touchpoint: 076-monthly/1\n\
         - date: 2027-02-20\n  touchpoint: 076-monthly/2\n  status: moved\n  to: 2027-03-03\n",
    );
    let out = Build::of(dir.path()).today("2027-03-10").into_temp();
    let rows: Vec<Vec<String>> = schedule(&out)
        .into_iter()
        .filter(|r| r[3] == "Acme Widgets" && r[4].starts_with("Monthly call"))
        .collect();
    let status: Vec<&str> = rows.iter().map(|r| r[10].as_str()).collect();
    assert_eq!(status, ["done", "open", "upcoming"], "{rows:?}");
    assert_eq!(
        rows[1][0], "2027-03-03",
        "the moved occurrence has its new date"
    );
    // The moved occurrence keeps its UID with a higher SEQUENCE.
    let ics = read(&out.path().join("public/portal/acme/journey.ics"));
    assert!(ics.contains("SEQUENCE:1"), "{ics}");

    // `hundred log` without a number logs the earliest occurrence not yet done or skipped.
    let result = hundred()
        .args([
            "log",
            "acme",
            "076-monthly",
            "--date",
            "2027-03-05",
            "--site",
        ])
        .arg(dir.path())
        .args(["--today", "2027-03-10"])
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let log = read(&dir.path().join("log/acme.yaml"));
    let last = &log[log.rfind("- date:").unwrap()..];
    assert!(
        last.starts_with("- date: 2027-03-05\n") && last.contains("076-monthly/2"),
        "{log}"
    );

    // An occurrence that does not exist, or a number on a step that does not repeat, is an
    // error that says so.
    for (key, words) in [
        ("076-monthly/9", "has 3 occurrence"),
        ("010-first-invoice/2", "does not repeat"),
    ] {
        put(
            &dir.path().join("log/acme.yaml"),
            &format!("- date: 2026-11-18\n  touchpoint: {key}\n"),
        );
        let stderr = Build::of(dir.path()).today(TODAY).fails();
        assert!(stderr.contains(words), "{key}: {stderr}");
    }
}

#[test]
fn conditions_hold_a_step_until_the_log_allows_it() {
    let dir = canary();
    put(
        &dir.path().join("journey/110-referral.md"),
        "---\ntitle: Referral ask\nday: 5\nrequires:\n  done: 001-welcome-call\n  last_score: \">= 8\"\n\
         stage: advocate\nchannel: call\nowner: account-lead\nvisibility: client\n\
         portal: \"REFERRAL-PORTAL-CANARY\"\n---\nAsk.\n",
    );
    let on_hold = |out: &tempfile::TempDir| {
        let rows = dates_of(out, "Acme Widgets", "Referral ask");
        let runbook = read(&out.path().join("public/internal/clients/acme/index.html"));
        let portal = read(&out.path().join("public/portal/acme/journey/index.html"));
        let overview = read(&out.path().join("public/internal/index.html"));
        let listed = runbook.contains("On hold") && overview.contains("On hold");
        (rows, listed, portal.contains("REFERRAL-PORTAL-CANARY"))
    };
    // Nothing logged: on hold, in the runbook and the overview, not on the portal.
    let out = Build::of(dir.path()).today(TODAY).no_minify().into_temp();
    assert_eq!(on_hold(&out), (vec![], true, false));
    let runbook = read(&out.path().join("public/internal/clients/acme/index.html"));
    assert!(
        runbook.contains("Welcome call to be logged done"),
        "the reason, in words"
    );
    // Done, but scored 7: still on hold.
    put(
        &dir.path().join("log/acme.yaml"),
        "- date: 2026-11-17\n  touchpoint: 001-welcome-call\n  score: 7\n",
    );
    let out = Build::of(dir.path()).today(TODAY).no_minify().into_temp();
    assert_eq!(on_hold(&out), (vec![], true, false));
    // A later 9 lets it through, at its computed date (day 5: Saturday 21 November, so Monday).
    put(
        &dir.path().join("log/acme.yaml"),
        "- date: 2026-11-17\n  touchpoint: 001-welcome-call\n  score: 7\n\
         - date: 2026-11-19\n  title: Follow-up\n  channel: call\n  by: ann\n  score: 9\n",
    );
    let out = Build::of(dir.path()).today(TODAY).no_minify().into_temp();
    assert_eq!(on_hold(&out), (vec!["2026-11-23".to_string()], false, true));
    // And a lower score after it puts it back on hold.
    put(
        &dir.path().join("log/acme.yaml"),
        "- date: 2026-11-17\n  touchpoint: 001-welcome-call\n  score: 7\n\
         - date: 2026-11-19\n  title: Follow-up\n  channel: call\n  by: ann\n  score: 9\n\
         - date: 2026-11-20\n  title: Complaint\n  channel: call\n  by: ann\n  score: 4\n",
    );
    let out = Build::of(dir.path()).today(TODAY).no_minify().into_temp();
    assert_eq!(on_hold(&out).0, Vec::<String>::new());
}

#[test]
fn a_one_off_step_appears_everywhere_a_journey_step_does() {
    let dir = canary();
    acme_adds(
        dir.path(),
        "touchpoints:\n  - id: site-visit\n    title: Visit to the warehouse\n    date: 2026-12-02\n\
         \x20   owner: account-lead\n    channel: visit\n    visibility: client\n\
         \x20   portal: \"ONE-OFF-PORTAL: we come to see you.\"\n\
         \x20   script: |\n      ONE-OFF-SCRIPT for {{ client.name }} on {{ touchpoint.date_long }}.\n",
    );
    let out = Build::of(dir.path()).today(TODAY).no_minify().into_temp();
    assert_eq!(
        dates_of(&out, "Acme Widgets", "Visit to the warehouse"),
        ["2026-12-02"]
    );
    let public = out.path().join("public");
    let runbook = read(&public.join("internal/clients/acme/index.html"));
    assert!(runbook.contains("ONE-OFF-SCRIPT for Acme Widgets on Wednesday 2 December 2026."));
    let portal = read(&public.join("portal/acme/journey/index.html"));
    assert!(portal.contains("ONE-OFF-PORTAL: we come to see you."));
    assert!(
        !portal.contains("ONE-OFF-SCRIPT"),
        "a script never reaches the portal"
    );
    assert!(read(&public.join("portal/acme/journey.ics")).contains("Visit to the warehouse"));
    assert!(read(&public.join("internal/index.html")).contains("Visit to the warehouse"));
    // The other client does not have it.
    assert!(!read(&public.join("portal/hostile/journey/index.html")).contains("ONE-OFF"));
    // Logged by its id.
    put(
        &dir.path().join("log/acme.yaml"),
        "- date: 2026-12-02\n  touchpoint: site-visit\n",
    );
    let out = Build::of(dir.path()).today("2026-12-05").into_temp();
    let row = schedule(&out)
        .into_iter()
        .find(|r| r[4] == "Visit to the warehouse")
        .unwrap();
    assert_eq!(row[10], "done");
    // A one-off with a journey file's id is an error.
    let dir = canary();
    acme_adds(
        dir.path(),
        "touchpoints:\n  - id: 002-handoff\n    title: Again\n    date: 2026-12-02\n    owner: account-lead\n    channel: call\n",
    );
    let stderr = Build::of(dir.path()).today(TODAY).fails();
    assert!(stderr.contains("002-handoff"), "{stderr}");
}

#[test]
fn a_skipped_journey_step_is_gone_for_that_client_only() {
    let dir = canary();
    acme_adds(dir.path(), "skip: [100-review]\n");
    let out = Build::of(dir.path()).today(TODAY).into_temp();
    assert!(dates_of(&out, "Acme Widgets", "100-day review").is_empty());
    assert!(
        !read(&out.path().join("public/portal/acme/journey/index.html")).contains("100-day review")
    );
    assert!(
        read(&out.path().join("public/portal/hostile/journey/index.html"))
            .contains("100-day review")
    );
    let dir = canary();
    acme_adds(dir.path(), "skip: [100-reveiw]\n");
    let stderr = Build::of(dir.path()).today(TODAY).fails();
    assert!(
        stderr.contains("100-reveiw") && stderr.contains("did you mean `100-review`"),
        "{stderr}"
    );
}

#[test]
fn mistakes_in_dates_and_rules_are_reported_at_their_line() {
    let journey = |front: &str| {
        format!(
            "---\ntitle: T\n{front}\nstage: member\nchannel: call\nowner: account-lead\n---\nHi\n"
        )
    };
    for (front, words) in [
        ("day: 5\nafter: launch\ndays: 3", "cannot both"),
        ("after: launch", "needs `days`"),
        (
            "day: 5\nrepeat: { every: \"1 month\" }",
            "either `until` or `count`",
        ),
        (
            "day: 5\nrepeat: { every: \"0 days\", count: 2 }",
            "repeat.every",
        ),
        (
            "day: 5\nrepeat: { every: \"1 fortnite\", count: 2 }",
            "repeat.every",
        ),
        (
            "day: 5\nrequires: { last_score: \"about 8\" }",
            "last_score",
        ),
        (
            "day: 5\nrequires: { done: 001-welcom-call }",
            "did you mean `001-welcome-call`",
        ),
        ("stage: member", "does not say when"),
    ] {
        let dir = canary();
        let text = journey(front).replacen(
            "\nstage: member",
            "",
            if front.contains("stage:") { 1 } else { 0 },
        );
        put(&dir.path().join("journey/200-t.md"), &text);
        let stderr = Build::of(dir.path()).today(TODAY).fails();
        assert!(stderr.contains("journey/200-t.md"), "{front}: {stderr}");
        assert!(
            stderr.contains(words),
            "{front}: expected {words:?} in {stderr}"
        );
    }
    for (calendar, words) in [
        ("working_days = [\"mon\", \"tues\", \"funday\"]", "funday"),
        ("working_days = []", "working_days"),
        ("holidays = [\"2026-02-30\"]", "2026-02-30"),
        ("shift = \"sideways\"", "sideways"),
    ] {
        let dir = canary();
        settings(dir.path(), calendar);
        let stderr = Build::of(dir.path()).today(TODAY).fails();
        assert!(
            stderr.contains("hundred.toml") && stderr.contains(words),
            "{calendar}: {stderr}"
        );
    }
    for (yaml, words) in [
        ("dates:\n  launch: 2026-13-01\n", "dates.launch"),
        (
            "blackout:\n  - from: 2026-12-10\n    to: 2026-12-01\n",
            "before",
        ),
    ] {
        let dir = canary();
        acme_adds(dir.path(), yaml);
        let stderr = Build::of(dir.path()).today(TODAY).fails();
        assert!(
            stderr.contains("clients/acme.yaml") && stderr.contains(words),
            "{yaml}: {stderr}"
        );
    }
}

#[test]
fn no_step_of_the_example_that_a_client_sees_is_on_a_weekend_or_a_holiday() {
    let out = Build::of(&example())
        .today("2026-11-23")
        .preview()
        .into_temp();
    let settings = read(&example().join("hundred.toml"));
    let holidays: Vec<&str> = settings
        .split('"')
        .filter(|s| s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-')
        .collect();
    assert!(
        holidays.len() >= 16,
        "UK bank holidays for 2026-2027: {holidays:?}"
    );
    let rows = schedule(&out);
    let (header, rows) = rows.split_first().unwrap();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (weekday, visibility) = (col("Weekday"), col("Visibility"));
    let seen: Vec<&Vec<String>> = rows.iter().filter(|r| r[visibility] == "client").collect();
    assert!(seen.len() > 40, "{}", seen.len());
    for r in seen {
        assert!(
            !["Saturday", "Sunday"].contains(&r[weekday].as_str()),
            "{} on a weekend: {r:?}",
            r[4]
        );
        assert!(
            !holidays.contains(&r[0].as_str()),
            "{} on a holiday: {r:?}",
            r[4]
        );
    }
    // The example uses each kind of rule.
    let greenway = read(
        &out.path()
            .join("public/internal/clients/greenway-cycles/index.html"),
    );
    for words in [
        "Visit to the hire shed",
        "Repeats:",
        "On hold",
        "A week after launch",
    ] {
        assert!(greenway.contains(words), "{words}");
    }
}
