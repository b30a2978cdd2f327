//! What a team and its clients take away from a build: the printable welcome pack, the team's
//! calendars and schedule, the overview of what is due, and the PDFs `hundred pdf` makes.
//!
//! The tests in a real browser need Chromium, and those that read the PDFs also need
//! poppler-utils (`pdfinfo`, `pdftotext`) and qpdf. They are `#[ignore]`d: CI runs them with
//! `cargo test -- --include-ignored`, and there a missing program fails them (see
//! `support/tools.rs`).

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::support::*;
use tempfile::TempDir;

/// A copy of the canary firm whose texts need quoting and escaping everywhere: a client name
/// with a comma, a touchpoint title with commas, semicolons, quotes and a non-ASCII letter,
/// long enough to be folded in a calendar, and a touchpoint whose title is a spreadsheet
/// formula.
fn awkward_fixture() -> TempDir {
    let dir = copy_fixture("canary");
    let site = dir.path();
    edit(
        &site.join("clients/acme.yaml"),
        "name: Acme Widgets",
        "name: \"Acme Widgets, Inc.\"",
    );
    edit(
        &site.join("journey/010-first-invoice.md"),
        "title: First invoice, explained",
        "title: 'First invoice, explained; with \"notes\", receipts; and a café-sized thank-you for every line of it'",
    );
    fs::write(
        site.join("journey/020-formula.md"),
        "---\ntitle: '=HYPERLINK(\"http://evil.example\",\"click\")'\nday: 20\nstage: customer\n\
         channel: '+note'\nowner: engineer\nvisibility: internal\n---\nNothing to see.\n",
    )
    .unwrap();
    dir
}

const AWKWARD_TITLE: &str =
    "First invoice, explained; with \"notes\", receipts; and a café-sized thank-you for every line of it";

// ---------------------------------------------------------------------------------------------
// The welcome pack

#[test]
fn welcome_pack_has_cover_note_team_and_dated_timeline() {
    let out = Build::of(&fixture("canary")).no_minify().into_temp();
    let public = out.path().join("public");
    let pack = read(&public.join("portal/acme/print/index.html"));
    // The cover: firm, client, build date.
    assert!(pack.contains("Canary &amp; Co"), "firm name");
    assert!(pack.contains("Welcome, Acme Widgets"));
    assert!(pack.contains("Monday 23 November 2026"), "build date");
    assert!(
        pack.contains("Wile Coyote"),
        "prepared for the main contact"
    );
    // The welcome note, as markdown.
    assert!(pack.contains("<strong>delighted</strong>"));
    // The team, with photos from the client's own folder.
    for name in ["Ann Lead", "Bo Builder", "Cy Counter"] {
        assert!(pack.contains(name), "{name} in the team");
    }
    assert!(
        pack.contains("src=../assets/team/ann.svg")
            || pack.contains("src=\"../assets/team/ann.svg\"")
    );
    assert!(public.join("portal/acme/assets/team/ann.svg").is_file());
    // The client-visible timeline, with dates; the internal touchpoint is not there.
    for date in [
        "Tuesday 17 November 2026",
        "Thursday 26 November 2026",
        "Wednesday 24 February 2027",
    ] {
        assert!(pack.contains(date), "{date} in the timeline");
    }
    assert!(!pack.contains("Sales hand-off"));
    // A document, not a web page: no navigation, nothing that runs.
    assert!(!pack.contains("<nav"), "no navigation on paper");
    assert_no_active_content("portal/acme/print/index.html", &without_titles(&pack));
    assert!(pack.contains("noindex"));
    // The welcome page links to it.
    let welcome = read(&public.join("portal/acme/index.html"));
    assert!(
        welcome.contains("href=\"./print/\""),
        "the welcome page links to the pack"
    );
}

#[test]
fn welcome_pack_keeps_the_privacy_line() {
    let out = Build::of(&fixture("canary")).no_minify().into_temp();
    let public = out.path().join("public");
    for client in ["acme", "hostile"] {
        let pack = read(&public.join(format!("portal/{client}/print/index.html")));
        for canary in [
            "CANARY",
            "INTERNAL-SCRIPT",
            "Sales hand-off",
            "price-sensitive",
        ] {
            assert!(
                !pack.contains(canary),
                "{canary} leaked into {client}'s welcome pack"
            );
        }
        assert_no_active_content(client, &without_titles(&pack));
    }
    let acme = read(&public.join("portal/acme/print/index.html"));
    assert!(!acme.contains("Hostile") && !acme.contains("hostile.example"));
    // Hostile text is shown as text.
    let hostile = read(&public.join("portal/hostile/print/index.html"));
    assert!(hostile.contains("&lt;script&gt;alert("));
}

// ---------------------------------------------------------------------------------------------
// Calendars

/// The unfolded content lines of each VEVENT.
fn events(lines: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for l in lines {
        match l.as_str() {
            "BEGIN:VEVENT" => current = Some(Vec::new()),
            "END:VEVENT" => out.push(current.take().unwrap()),
            _ => {
                if let Some(c) = current.as_mut() {
                    c.push(l.clone());
                }
            }
        }
    }
    out
}

fn prop<'a>(event: &'a [String], name: &str) -> &'a str {
    event
        .iter()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k.split(';').next() == Some(name)).then_some(v)
        })
        .unwrap_or_else(|| panic!("no {name} in {event:?}"))
}

/// RFC 5545 TEXT unescaping.
fn unescape(v: &str) -> String {
    let mut out = String::new();
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(c @ ('\\' | ';' | ',')) => out.push(c),
                other => panic!("invalid escape \\{other:?} in {v:?}"),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn member_and_team_calendars_pass_strict_validation() {
    let dir = awkward_fixture();
    let out = build(dir.path());
    let internal = out.path().join("public/internal");

    let mut owned = std::collections::BTreeMap::new();
    for member in ["ann", "bo", "cy"] {
        let text = read(&internal.join(format!("team/{member}/calendar.ics")));
        let lines = check_icalendar(&text);
        assert!(lines
            .iter()
            .any(|l| l == "REFRESH-INTERVAL;VALUE=DURATION:PT12H"));
        let evs = events(&lines);
        for e in &evs {
            assert_eq!(
                prop(e, "DTSTAMP"),
                "20261123T000000Z",
                "DTSTAMP is the build date"
            );
        }
        owned.insert(
            member,
            evs.iter()
                .map(|e| prop(e, "UID").to_string())
                .collect::<Vec<_>>(),
        );
        if member == "cy" {
            // The long title with commas, semicolons, quotes and é: folded and escaped.
            assert!(text.contains("\r\n "), "long lines are folded");
            let summary = unescape(prop(&evs[0], "SUMMARY"));
            assert_eq!(summary, format!("Acme Widgets, Inc.: {AWKWARD_TITLE}"));
            assert_eq!(
                unescape(prop(&evs[0], "DESCRIPTION")),
                "Day 10 of Acme Widgets, Inc.'s journey (customer), email. Owner: Cy Counter \
                 (billing contact). The client sees it on their timeline."
            );
            assert_eq!(prop(&evs[0], "DTSTART"), "20261126");
            assert_eq!(prop(&evs[0], "DTEND"), "20261127");
            assert!(prop(&evs[0], "SUMMARY")
                .contains("Acme Widgets\\, Inc.: First invoice\\, explained\\; with"));
        }
    }
    // Ann leads both accounts: the account lead's two touchpoints for each. Bo is Acme's
    // engineer (day 20 and day 100); Cy bills Acme. Nobody owns Hostile's billing or
    // engineering, so those are in no one's calendar.
    let host = "team.canary.example";
    assert_eq!(
        owned["ann"],
        [
            format!("hostile.001-welcome-call@{host}"),
            format!("hostile.002-handoff@{host}"),
            format!("acme.001-welcome-call@{host}"),
            format!("acme.002-handoff@{host}"),
        ]
    );
    assert_eq!(
        owned["bo"],
        [
            format!("acme.020-formula@{host}"),
            format!("acme.100-review@{host}"),
        ]
    );
    assert_eq!(owned["cy"], [format!("acme.010-first-invoice@{host}")]);

    // The team calendar: every touchpoint of every client, each once, with its owner.
    let text = read(&internal.join("calendar.ics"));
    let lines = check_icalendar(&text);
    let evs = events(&lines);
    assert_eq!(evs.len(), 2 * 5);
    let summaries: Vec<String> = evs.iter().map(|e| unescape(prop(e, "SUMMARY"))).collect();
    assert!(summaries.contains(&"Acme Widgets, Inc.: Welcome call (Ann Lead)".to_string()));
    assert!(summaries
        .iter()
        .any(|s| s.contains("Hostile") && s.ends_with(&format!("{AWKWARD_TITLE} (unassigned)"))));
    // Dates in order, and the runbook's UIDs, so an app holding both shows each event once.
    let starts: Vec<&str> = evs.iter().map(|e| prop(e, "DTSTART")).collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted);
    let runbook = check_icalendar(&read(&internal.join("clients/acme/touchpoints.ics")));
    for e in events(&runbook) {
        assert!(evs.iter().any(|t| prop(t, "UID") == prop(&e, "UID")));
    }
    // Linked from the pages people use.
    let profile = read(&internal.join("team/cy/index.html"));
    assert!(profile.contains("calendar.ics"));
    assert!(profile.contains("https://team.canary.example/handbook/team/cy/calendar.ics"));
    assert!(read(&internal.join("index.html")).contains("calendar.ics"));
}

#[test]
fn member_calendars_depend_on_the_right_files() {
    let (site, diags) = hundred::build::load_and_check(&fixture("canary"));
    let site = site.unwrap_or_else(|| panic!("{diags:?}"));
    let plan = hundred::plan::plan_site(&site).unwrap();
    let deps = |route: &str| -> Vec<String> {
        plan.pages
            .iter()
            .find(|p| p.route == route)
            .unwrap_or_else(|| panic!("no page {route}"))
            .deps
            .iter()
            .map(|d| d.to_string())
            .collect()
    };
    let journey = [
        "journey/001-welcome-call.md",
        "journey/002-handoff.md",
        "journey/010-first-invoice.md",
        "journey/100-review.md",
    ];
    let mut expected: Vec<String> = vec!["clients/acme.yaml".into(), "hundred.toml".into()];
    expected.extend(journey.iter().map(|s| s.to_string()));
    expected.push("log/acme".into());
    expected.push("team/cy.yaml".into());
    assert_eq!(deps("internal/team/cy/calendar.ics"), expected);
    let ann = deps("internal/team/ann/calendar.ics");
    assert!(ann.contains(&"clients/hostile.yaml".to_string()));
    assert!(ann.contains(&"team/ann.yaml".to_string()));
    assert!(!ann.contains(&"team/bo.yaml".to_string()));
    // The team calendar and the schedule name every owner: they depend on everything.
    for route in ["internal/calendar.ics", "internal/schedule.csv"] {
        let d = deps(route);
        for f in ["clients/acme.yaml", "clients/hostile.yaml", "team/bo.yaml"] {
            assert!(d.contains(&f.to_string()), "{route} depends on {f}");
        }
    }
    // The welcome pack depends on what the welcome page depends on, and its template.
    let pack = deps("portal/acme/print/index.html");
    assert!(pack.contains(&"templates/portal/print.html".to_string()));
    assert!(pack.contains(&"clients/acme.yaml".to_string()));
    assert!(!pack.contains(&"clients/hostile.yaml".to_string()));
}

// ---------------------------------------------------------------------------------------------
// The schedule

#[test]
fn schedule_csv_parses_back() {
    let dir = awkward_fixture();
    // A title with a comma, too (a line break in a title is refused on load: errors.rs).
    edit(
        &dir.path().join("journey/100-review.md"),
        "title: 100-day review",
        "title: \"100-day review, and next steps\"",
    );
    let out = build(dir.path());
    let bytes = fs::read(out.path().join("public/internal/schedule.csv")).unwrap();
    let rows = schedule_rows(&String::from_utf8(bytes).unwrap());
    assert_eq!(
        rows[0],
        [
            "Date",
            "Weekday",
            "Day",
            "Client",
            "Touchpoint",
            "Owner",
            "Role",
            "Channel",
            "Stage",
            "Visibility",
            "Status",
            "Days late",
            "Times moved",
            "Client health",
            "Why",
            "Last personal contact",
            "Days since personal contact",
            "Last score",
            "Last mood",
            "Open steps"
        ]
    );
    let rows = &rows[1..];
    assert_eq!(rows.len(), 2 * 5, "every touchpoint of every client");
    assert!(rows.iter().all(|r| r.len() == 20));
    let dates: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "by date");
    let find = |client: &str, title: &str| -> &Vec<String> {
        rows.iter()
            .find(|r| r[3] == client && r[4] == title)
            .unwrap_or_else(|| panic!("no row for {client} / {title}: {rows:#?}"))
    };
    let acme = "Acme Widgets, Inc.";
    let invoice = find(acme, AWKWARD_TITLE);
    assert_eq!(
        &invoice[..10],
        &[
            "2026-11-26",
            "Thursday",
            "10",
            acme,
            AWKWARD_TITLE,
            "Cy Counter",
            "Billing contact",
            "email",
            "customer",
            "client"
        ]
    );
    // Formulas are text: a leading quote, the rest as written.
    let formula = find(acme, "'=HYPERLINK(\"http://evil.example\",\"click\")");
    assert_eq!(formula[7], "'+note");
    assert_eq!(formula[5], "Bo Builder");
    assert_eq!(formula[9], "internal");
    find(acme, "100-day review, and next steps");
    // Profile text is data: the hostile name is as written (CSV is not HTML), and unassigned
    // touchpoints say so.
    let hostile = "<script>alert('pwned')</script> Hostile {{ firm.name }} Ltd";
    let unassigned = find(hostile, AWKWARD_TITLE);
    assert_eq!(unassigned[5], "(unassigned)");
    assert_eq!(unassigned[1], "Monday");
    // Its day falls on Sunday 8 March: the default calendar (Monday to Friday, `shift =
    // "next"`) moves it to the Monday.
    assert_eq!(unassigned[0], "2026-03-09");
    // No cell anywhere starts a formula.
    for r in rows {
        for cell in r {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "formula-like cell {cell:?}"
            );
        }
    }
    // Linked from the overview.
    let overview = read(&out.path().join("public/internal/index.html"));
    assert!(overview.contains("schedule.csv"));
}

// ---------------------------------------------------------------------------------------------
// The overview

/// One owner's lists on the overview: (list, touchpoint titles).
type OwnerLists = Vec<(String, Vec<String>)>;

/// The overview's "by owner" board: (owner, lists).
fn agenda(html: &str) -> Vec<(String, OwnerLists)> {
    let start = html
        .find("id=\"agenda-heading\"")
        .expect("the by-owner section");
    let end = start + html[start..].find("id=\"due-heading\"").unwrap();
    let section = &html[start..end];
    let text_of = |s: &str| -> String {
        // The text of an element's content, tags removed.
        let mut out = String::new();
        let mut in_tag = false;
        for c in s.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.trim().to_string()
    };
    section
        .split("class=\"agenda__owner")
        .skip(1)
        .map(|card| {
            let name_start = card.find("class=\"agenda__name\">").unwrap() + 21;
            let name_end = name_start + card[name_start..].find("</h3>").unwrap();
            let name = text_of(&card[name_start..name_end]);
            let lists = card
                .split("class=\"agenda__when agenda__when--")
                .skip(1)
                .map(|list| {
                    let kind = list[..list.find('"').unwrap()].to_string();
                    let titles = list
                        .split("class=\"agenda__what\"><a href=")
                        .skip(1)
                        .map(|item| {
                            let a = item.find('>').unwrap() + 1;
                            let b = a + item[a..].find("</a>").unwrap();
                            text_of(&item[a..b])
                        })
                        .collect();
                    (kind, titles)
                })
                .collect();
            (name, lists)
        })
        .collect()
}

fn lists(v: &[(&str, &[&str])]) -> OwnerLists {
    v.iter()
        .map(|(k, t)| (k.to_string(), t.iter().map(|s| s.to_string()).collect()))
        .collect()
}

#[test]
fn overview_groups_overdue_this_week_and_next_by_owner() {
    // Acme starts on Tuesday 17 November 2026: welcome call on the 17th and hand-off on the
    // 18th (Ann), the invoice on Thursday the 26th (Cy). Hostile's touchpoints are long past.
    // acme alone: hostile's steps, long past and never logged, would all be open.
    let only_acme = copy_fixture("canary");
    fs::remove_file(only_acme.path().join("clients/hostile.yaml")).unwrap();
    let site = only_acme.path().to_path_buf();

    // Thursday 19th: the first two are open (late); the invoice is next week
    // (Monday 23rd to Sunday 29th); nothing else is this week.
    let html = read(
        &Build::of(&site)
            .today("2026-11-19")
            .no_minify()
            .into_temp()
            .path()
            .join("public/internal/index.html"),
    );
    assert_eq!(
        agenda(&html),
        [
            (
                "Ann Lead".to_string(),
                lists(&[("overdue", &["Welcome call", "Sales hand-off"])])
            ),
            (
                "Cy Counter".to_string(),
                lists(&[("next-week", &["First invoice, explained"])])
            ),
        ]
    );
    assert!(
        html.contains("17 – 18 Nov 2026"),
        "from the oldest open step"
    );
    assert!(
        html.contains("19 – 22 Nov 2026"),
        "this week: from the build date to Sunday"
    );
    assert!(
        html.contains("23 – 29 Nov 2026"),
        "next week: Monday to Sunday"
    );

    // Tuesday 17th: today's welcome call is due this week, not overdue.
    let html = read(
        &Build::of(&site)
            .today("2026-11-17")
            .no_minify()
            .into_temp()
            .path()
            .join("public/internal/index.html"),
    );
    assert_eq!(
        agenda(&html),
        [
            (
                "Ann Lead".to_string(),
                lists(&[("this-week", &["Welcome call", "Sales hand-off"])])
            ),
            (
                "Cy Counter".to_string(),
                lists(&[("next-week", &["First invoice, explained"])])
            ),
        ]
    );

    // Nobody bills Acme: the invoice is listed under "Unassigned", after the people.
    let dir = copy_fixture("canary");
    fs::remove_file(dir.path().join("clients/hostile.yaml")).unwrap();
    edit(&dir.path().join("clients/acme.yaml"), "  billing: cy\n", "");
    let html = read(
        &Build::of(dir.path())
            .today("2026-11-23")
            .no_minify()
            .into_temp()
            .path()
            .join("public/internal/index.html"),
    );
    assert_eq!(
        agenda(&html),
        [
            (
                "Ann Lead".to_string(),
                lists(&[("overdue", &["Welcome call", "Sales hand-off"])])
            ),
            (
                "Unassigned".to_string(),
                lists(&[("this-week", &["First invoice, explained"])])
            ),
        ]
    );
    // The existing 14-day table is still there.
    assert!(html.contains("Due in the next 14 days"));

    // Weeks later, nothing logged: the steps stay listed as late until someone logs them.
    let html = read(
        &Build::of(&site)
            .today("2026-12-21")
            .no_minify()
            .into_temp()
            .path()
            .join("public/internal/index.html"),
    );
    assert_eq!(
        agenda(&html),
        [
            (
                "Ann Lead".to_string(),
                lists(&[("overdue", &["Welcome call", "Sales hand-off"])])
            ),
            (
                "Cy Counter".to_string(),
                lists(&[("overdue", &["First invoice, explained"])])
            ),
        ]
    );
    assert!(html.contains("34 days late"), "the welcome call of 17 Nov");
}

// ---------------------------------------------------------------------------------------------
// `hundred pdf` without a browser

#[test]
fn pdf_without_chromium_fails_clearly_and_writes_nothing() {
    let out = TempDir::new().unwrap();
    let empty = TempDir::new().unwrap();
    let public = out.path().join("public");
    let result = hundred()
        .arg("pdf")
        .arg(fixture("canary"))
        .arg("--output")
        .arg(&public)
        .env_remove("HUNDRED_CHROMIUM")
        .env("PATH", empty.path())
        .output()
        .unwrap();
    assert!(!result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("no Chromium found"), "{stderr}");
    assert!(
        stderr.contains("install Debian's chromium or pass --chromium"),
        "{stderr}"
    );
    assert!(!public.exists(), "nothing is built without a browser");

    let result = hundred()
        .arg("pdf")
        .arg(fixture("canary"))
        .arg("--output")
        .arg(&public)
        .args(["--chromium", "/nonexistent/chromium"])
        .output()
        .unwrap();
    assert!(!result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("/nonexistent/chromium does not exist"),
        "{stderr}"
    );
    assert!(!public.exists());
}

// ---------------------------------------------------------------------------------------------
// In a real browser

/// Runs headless Chromium with a fresh profile and `args`; returns its standard output.
fn run_chromium(chromium: &Path, args: &[String]) -> String {
    let profile = TempDir::new().unwrap();
    let out = Command::new(chromium)
        .args(hundred::pdf::HEADLESS_FLAGS)
        .arg("--hide-scrollbars")
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Measures a page in the browser at a given width. Headless Chromium will not make its window
/// narrower than 500 pixels, so the page is shown in an iframe of that width (a viewport of its
/// own: media queries see the iframe's width) on a wrapper page beside it. Once loaded, the
/// wrapper lists elements reaching past the viewport's edges and pairs of blocks that overlap,
/// into an element that the dumped DOM shows.
const MEASURE: &str = r#"<!doctype html>
<html><body style="margin:0">
<iframe id="page" src="PAGE" style="border:0;width:WIDTHpx;height:1000px"></iframe>
<script>
const frame = document.getElementById('page');
frame.addEventListener('load', () => {
  const doc = frame.contentDocument;
  const vw = doc.documentElement.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '') + ' "' + (el.textContent || '').trim().slice(0, 30) + '"';
  // Hidden from sight: the visually-hidden pattern (clipped away), or not rendered.
  const hidden = (el) => {
    for (let a = el; a && a !== doc.body; a = a.parentElement) {
      if (a.matches('.skip-link, [hidden]') || getComputedStyle(a).clipPath !== 'none') return true;
    }
    return false;
  };
  const wide = [];
  for (const el of doc.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || hidden(el)) continue;
    if (r.right > vw + 1 || r.left < -1) wide.push(name(el) + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
  }
  const blocks = [...doc.querySelectorAll('h1, h2, h3, p, li, .button, .panel, .card, .letter, .next-step, .hero__card, .date-tile, .brand, .site-nav, .keepsake, .timeline__card, .pack-person, .pack-step, .agenda__owner, .stat, table')]
    // Inline boxes that wrap have a bounding box spanning their lines: compare blocks only.
    .filter((el) => !hidden(el) && el.getClientRects().length && getComputedStyle(el).display !== 'inline');
  const overlaps = [];
  for (let i = 0; i < blocks.length; i++) {
    for (let j = i + 1; j < blocks.length; j++) {
      const a = blocks[i], b = blocks[j];
      if (a.contains(b) || b.contains(a)) continue;
      const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
      const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
      const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
      if (w > 2 && h > 2) overlaps.push(name(a) + ' × ' + name(b));
    }
  }
  const out = document.createElement('pre');
  out.id = 'hundred-measure';
  out.textContent = JSON.stringify({ vw, scrollWidth: doc.documentElement.scrollWidth, wide: wide.slice(0, 20), overlaps: overlaps.slice(0, 20) });
  document.body.append(out);
});
</script>
</body></html>
"#;

struct Measured {
    viewport: u64,
    scroll_width: u64,
    wide: Vec<String>,
    overlaps: Vec<String>,
}

fn measure(chromium: &Path, page: &Path, width: u32) -> Measured {
    let probe = page.with_file_name("measure.html");
    let name = page.file_name().unwrap().to_string_lossy();
    fs::write(
        &probe,
        MEASURE
            .replace("PAGE", &name)
            .replace("WIDTH", &width.to_string()),
    )
    .unwrap();
    let dom = run_chromium(
        chromium,
        &[
            // The wrapper may read the page in its iframe.
            "--allow-file-access-from-files".into(),
            "--window-size=1400,1000".into(),
            "--virtual-time-budget=5000".into(),
            "--dump-dom".into(),
            format!("file://{}", probe.display()),
        ],
    );
    fs::remove_file(&probe).unwrap();
    let start = dom
        .find("<pre id=\"hundred-measure\">")
        .expect("the measuring script ran")
        + "<pre id=\"hundred-measure\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let json = dom[start..end]
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let strings = |k: &str| -> Vec<String> {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    Measured {
        viewport: v["vw"].as_u64().unwrap(),
        scroll_width: v["scrollWidth"].as_u64().unwrap(),
        wide: strings("wide"),
        overlaps: strings("overlaps"),
    }
}

/// Width and height of a PNG, from its header.
fn png_size(path: &Path) -> (u32, u32) {
    let b = fs::read(path).unwrap();
    assert_eq!(&b[1..4], b"PNG", "{} is not a PNG", path.display());
    let n = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    (n(16), n(20))
}

#[test]
#[ignore = "needs Chromium (apt-get install chromium); CI runs it with --include-ignored"]
fn pages_fit_phone_and_desktop_widths() {
    let chromium = chromium();
    let example = build_preview(&example());
    let canary = build(&fixture("canary"));
    let pages = [
        (example.path(), "portal/greenway-cycles/index.html"),
        (canary.path(), "portal/hostile/index.html"),
        (example.path(), "portal/greenway-cycles/print/index.html"),
        (example.path(), "internal/index.html"),
    ];
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    fs::create_dir_all(&shots).unwrap();
    let mut problems = Vec::new();
    for (out, route) in pages {
        let page = out.join("public").join(route);
        for width in [390, 1280] {
            let m = measure(&chromium, &page, width);
            assert_eq!(m.viewport, u64::from(width), "the window is {width} wide");
            if m.scroll_width > m.viewport || !m.wide.is_empty() {
                problems.push(format!(
                    "{route} at {width}px scrolls sideways ({} > {}): {:#?}",
                    m.scroll_width, m.viewport, m.wide
                ));
            }
            if !m.overlaps.is_empty() {
                problems.push(format!(
                    "{route} at {width}px: overlapping {:#?}",
                    m.overlaps
                ));
            }
        }
    }
    // Screenshots of the welcome page, to look at (their path is printed).
    for width in [390u32, 1280] {
        let shot = shots.join(format!("welcome-{width}.png"));
        let _ = fs::remove_file(&shot);
        run_chromium(
            &chromium,
            &[
                format!("--window-size={width},2400"),
                format!("--screenshot={}", shot.display()),
                format!(
                    "file://{}",
                    example
                        .path()
                        .join("public/portal/greenway-cycles/index.html")
                        .display()
                ),
            ],
        );
        assert_eq!(png_size(&shot), (width, 2400));
        eprintln!("screenshot: {}", shot.display());
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Each page's text, from poppler; checks that every page has the `paper` size (`A4`,
/// `letter`).
fn pdf_pages_on(pdf: &Path, paper: &str) -> Vec<String> {
    let info = Command::new("pdfinfo").arg(pdf).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.contains(&format!("({paper})")),
        "{paper} pages: {info}"
    );
    let count: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    (1..=count)
        .map(|i| {
            let out = Command::new("pdftotext")
                .args(["-f", &i.to_string(), "-l", &i.to_string()])
                .arg(pdf)
                .arg("-")
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).into_owned()
        })
        .collect()
}

fn pdf_pages(pdf: &Path) -> Vec<String> {
    pdf_pages_on(pdf, "A4")
}

/// Fails on a page with nothing on it but its running footer: the page number, and the lines
/// most pages repeat.
fn assert_no_blank_pages(name: &str, pages: &[String]) {
    let mut seen: std::collections::HashMap<&str, usize> = Default::default();
    for p in pages {
        let lines: std::collections::HashSet<&str> = p.lines().map(str::trim).collect();
        for l in lines {
            *seen.entry(l).or_default() += 1;
        }
    }
    for (i, text) in pages.iter().enumerate() {
        let words: usize = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && seen[l] * 2 <= pages.len())
            .filter(|l| *l != format!("{} / {}", i + 1, pages.len()))
            .map(|l| l.split_whitespace().count())
            .sum();
        assert!(words >= 3, "{name}: page {} is blank: {text:?}", i + 1);
    }
}

/// The first lines of a page's text (the top of the page), joined by single spaces.
fn top_of(page: &str, lines: usize) -> String {
    page.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(lines)
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
#[ignore = "needs Chromium, poppler-utils and qpdf (apt-get install chromium poppler-utils qpdf); \
            CI runs it with --include-ignored"]
fn print_pages_become_pdfs_with_the_expected_pages() {
    let chromium = chromium();
    let qpdf = require("qpdf", "qpdf");
    require_poppler();
    let out = TempDir::new().unwrap();
    let public = out.path().join("public");
    let result = hundred()
        .arg("pdf")
        .arg(example())
        .arg("--preview")
        .arg("--output")
        .arg(&public)
        .args(["--today", TODAY])
        .arg("--chromium")
        .arg(&chromium)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "hundred pdf failed:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let stdout = String::from_utf8_lossy(&result.stdout);
    let clients = example_clients();
    let mut expected = vec!["internal/playbook/print/playbook.pdf".to_string()];
    for c in &clients {
        expected.push(format!("internal/clients/{c}/print/{c}-runbook.pdf"));
        expected.push(format!("portal/{c}/print/{c}-welcome-pack.pdf"));
    }
    // Where the PDFs were made is nowhere in them: links into the output lead to the
    // published site (the example's base URLs), not to this machine's folders.
    let folder = out.path().to_string_lossy().into_owned();
    for pdf in &expected {
        let bytes = fs::read(public.join(pdf)).unwrap_or_else(|_| panic!("no {pdf}:\n{stdout}"));
        assert!(bytes.starts_with(b"%PDF-"), "{pdf} is a PDF");
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("file:") && !text.contains(folder.as_str()),
            "{pdf} names a local path"
        );
        if pdf.contains("runbook") {
            assert!(
                text.contains("/URI (https://studio.fieldnote.example/team/"),
                "{pdf}: team links lead to the internal site"
            );
        }
        let check = Command::new(&qpdf)
            .arg("--check")
            .arg(public.join(pdf))
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{pdf} is not a valid PDF after its links were rewritten: {}",
            String::from_utf8_lossy(&check.stdout)
        );
    }
    // Nothing else was left in the output (no temporary files).
    let stray: Vec<String> = read_tree(&public)
        .into_keys()
        .filter(|k| k.contains(".hundred-new"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");

    // The playbook: a cover, the contents, and each chapter starting on a page of its own.
    let chapters = fs::read_dir(example().join("playbook")).unwrap().count();
    let pages = pdf_pages(&public.join("internal/playbook/print/playbook.pdf"));
    assert!(
        pages.len() >= chapters + 2,
        "playbook: {} pages for {chapters} chapters",
        pages.len()
    );
    assert!(pages[0].contains("Fieldnote Studio") && pages[0].contains("The playbook"));
    assert!(
        pages[0].contains("Monday 23 November 2026"),
        "the cover has the build date"
    );
    assert!(top_of(&pages[1], 1).contains("Contents"));
    for n in 1..=chapters {
        let starts = pages
            .iter()
            .position(|p| top_of(p, 1).eq_ignore_ascii_case(&format!("Chapter {n}")));
        assert!(starts.is_some(), "chapter {n} starts at the top of a page");
    }
    assert!(
        pages[1..].iter().all(|p| p.contains(" / ")),
        "running footer with page numbers"
    );
    assert_no_blank_pages("playbook", &pages);

    // A runbook: cover, contents, about the client, then one page or more per touchpoint
    // Greenway has (the referral ask `requires` a score it has not had: it is on hold).
    let touchpoints: Vec<String> = fs::read_dir(example().join("journey"))
        .unwrap()
        .map(|e| read(&e.unwrap().path()))
        .filter(|text| !text.contains("\nrequires:"))
        .map(|text| {
            let line = text.lines().find(|l| l.starts_with("title:")).unwrap();
            line["title:".len()..].trim().trim_matches('"').to_string()
        })
        .collect();
    let pages = pdf_pages(
        &public.join("internal/clients/greenway-cycles/print/greenway-cycles-runbook.pdf"),
    );
    assert!(
        pages.len() >= touchpoints.len() + 3,
        "runbook: {} pages for {} touchpoints",
        pages.len(),
        touchpoints.len()
    );
    assert!(pages[0].contains("Greenway Cycle Hire") && pages[0].contains("Client runbook"));
    for title in &touchpoints {
        // The date line, then the title (which may wrap), its quotes made typographic or not.
        let straight = |s: &str| s.replace(['“', '”'], "\"").replace(['‘', '’'], "'");
        let top = pages
            .iter()
            .any(|p| straight(&top_of(p, 4)).contains(&straight(title)));
        assert!(top, "touchpoint {title:?} starts at the top of a page");
    }
    assert_no_blank_pages("runbook", &pages);

    // A welcome pack: cover, note, team, journey; nothing internal.
    let pages =
        pdf_pages(&public.join("portal/greenway-cycles/print/greenway-cycles-welcome-pack.pdf"));
    assert!(pages.len() >= 4, "welcome pack: {} pages", pages.len());
    assert!(top_of(&pages[0], 20).contains("Welcome, Greenway Cycle Hire"));
    let all = pages.join("\n");
    assert!(all.contains("Your team") && all.contains("Your journey with us"));
    assert!(!all.contains("Hand-off") && !all.contains("Sales-to-delivery"));
    assert_no_blank_pages("welcome pack", &pages);
}

#[test]
#[ignore = "needs Chromium and poppler-utils (apt-get install chromium poppler-utils); \
            CI runs it with --include-ignored"]
fn welcome_pack_pdf_has_no_internal_canaries_and_paper_is_configurable() {
    let chromium = chromium();
    require_poppler();
    // On US Letter this time: `[print] paper`.
    let site = copy_fixture("canary");
    let config = site.path().join("hundred.toml");
    fs::write(&config, read(&config) + "\n[print]\npaper = \"Letter\"\n").unwrap();
    let out = TempDir::new().unwrap();
    let public = out.path().join("public");
    let result = hundred()
        .arg("pdf")
        .arg(site.path())
        .arg("--output")
        .arg(&public)
        .args(["--today", TODAY])
        .env("HUNDRED_CHROMIUM", &chromium)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    for client in ["acme", "hostile"] {
        let pages = pdf_pages_on(
            &public.join(format!("portal/{client}/print/{client}-welcome-pack.pdf")),
            "letter",
        );
        assert_no_blank_pages(client, &pages);
        let text = pages.join("\n");
        for canary in [
            "CANARY",
            "INTERNAL-SCRIPT",
            "Sales hand-off",
            "price-sensitive",
        ] {
            assert!(
                !text.contains(canary),
                "{canary} in {client}'s welcome pack PDF"
            );
        }
    }
    // The runbook, for the team, does have them; its cover still fits on one (shorter) page.
    let runbook = pdf_pages_on(
        &public.join("internal/clients/acme/print/acme-runbook.pdf"),
        "letter",
    );
    assert!(top_of(&runbook[1], 1).contains("Contents"), "{runbook:?}");
    assert!(runbook.join("\n").contains("CANARY-ACME-HANDOFF"));
    let playbook = pdf_pages_on(
        &public.join("internal/playbook/print/playbook.pdf"),
        "letter",
    );
    assert!(top_of(&playbook[1], 1).contains("Contents"), "{playbook:?}");
}

/// The printable playbook holds every chapter on one page: two chapters' `[^1]` get ids of
/// their own, so each note's link leads to that chapter's note.
#[test]
fn printable_playbook_keeps_each_chapters_footnotes_apart() {
    let site = copy_fixture("canary");
    let s = site.path();
    for (file, text) in [("01-intro.md", "first"), ("02-handoff.md", "second")] {
        let path = s.join("playbook").join(file);
        let body = fs::read_to_string(&path).unwrap();
        fs::write(
            &path,
            format!("{body}\nA {text} note[^1].\n\n[^1]: The {text} note.\n"),
        )
        .unwrap();
    }
    let out = Build::of(s).today("2026-01-10").no_minify().into_temp();
    let print = read(&out.path().join("public/internal/playbook/print/index.html"));
    let mut ids: Vec<String> = start_tags(&print)
        .into_iter()
        .flat_map(|(_, attrs)| attrs)
        .filter(|(k, _)| k == "id")
        .map(|(_, v)| v)
        .collect();
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "an id is used twice: {ids:?}");
    assert!(print.contains(r##"href="#01-intro--fn-1""##), "{print}");
    assert!(print.contains(r##"href="#02-handoff--fn-1""##), "{print}");
}

// ---------------------------------------------------------------------------------------------
// The PDFs as a reader finds them: fonts, bookmarks, page numbers, what stays together

/// The example's PDFs, printed once for the tests below (in the target's scratch folder, made
/// afresh by the first test that needs them): the output folder.
fn example_pdfs() -> &'static Path {
    static MADE: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    MADE.get_or_init(|| {
        let chromium = chromium();
        let public = Path::new(env!("CARGO_TARGET_TMPDIR")).join("example-pdfs");
        let _ = fs::remove_dir_all(&public);
        let result = hundred()
            .arg("pdf")
            .arg(example())
            .arg("--preview")
            .arg("--output")
            .arg(&public)
            .args(["--today", TODAY])
            .arg("--chromium")
            .arg(&chromium)
            .output()
            .unwrap();
        assert!(
            result.status.success(),
            "hundred pdf failed:\n{}",
            String::from_utf8_lossy(&result.stderr)
        );
        public
    })
}

/// Every PDF of the example (route inside the output), the playbook first.
fn example_pdf_routes() -> Vec<String> {
    let mut routes = vec!["internal/playbook/print/playbook.pdf".to_string()];
    for c in example_clients() {
        routes.push(format!("internal/clients/{c}/print/{c}-runbook.pdf"));
        routes.push(format!("portal/{c}/print/{c}-welcome-pack.pdf"));
    }
    routes
}

/// Text with its runs of white space made single spaces.
fn squeezed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of an HTML fragment: tags removed, the few character references templates write
/// decoded, white space squeezed.
fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    squeezed(
        &out.replace("&amp;", "&")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&nbsp;", " "),
    )
}

/// The texts of a page's headings (`h1` to `h6`), and the page's text outside them.
fn headings_and_rest(html: &str) -> (Vec<String>, String) {
    let lower = html.to_ascii_lowercase();
    let mut headings = Vec::new();
    let mut rest = String::new();
    let mut at = 0;
    while let Some(i) = (1..=6)
        .filter_map(|n| lower[at..].find(&format!("<h{n}")).map(|i| (i, n)))
        .filter(|(i, _)| {
            // `<h2` and not `<header`.
            lower[at + i + 3..]
                .chars()
                .next()
                .is_some_and(|c| c == '>' || c.is_ascii_whitespace())
        })
        .min()
    {
        let (i, n) = i;
        let start = at + i;
        let end = start
            + lower[start..]
                .find(&format!("</h{n}>"))
                .expect("a closed heading");
        rest.push_str(&html[at..start]);
        rest.push(' ');
        headings.push(html_text(&html[start..end]));
        at = end;
    }
    rest.push_str(&html[at..]);
    (headings, html_text(&rest))
}

/// The lines of a page's text without its running footer ("12 / 38", the document's name,
/// "Internal"): the lines found on most pages.
fn body_lines(pages: &[String]) -> Vec<Vec<String>> {
    let mut seen: std::collections::HashMap<String, usize> = Default::default();
    for p in pages {
        let lines: std::collections::HashSet<String> = p.lines().map(squeezed).collect();
        for l in lines {
            *seen.entry(l).or_default() += 1;
        }
    }
    pages
        .iter()
        .map(|p| {
            p.lines()
                .map(squeezed)
                .filter(|l| !l.is_empty() && seen[l] * 2 <= pages.len())
                .filter(|l| {
                    !(l.contains(" / ") && l.split(" / ").all(|n| n.trim().parse::<u32>().is_ok()))
                })
                .collect()
        })
        .collect()
}

#[test]
#[ignore = "needs Chromium and poppler-utils (apt-get install chromium poppler-utils); \
            CI runs it with --include-ignored"]
fn pdfs_embed_the_theme_fonts() {
    require("pdffonts", "poppler-utils");
    let public = example_pdfs();
    for route in example_pdf_routes() {
        let out = Command::new("pdffonts")
            .arg(public.join(&route))
            .output()
            .unwrap();
        let listing = String::from_utf8_lossy(&out.stdout).into_owned();
        // name, type (one or two words), encoding, then emb, sub, uni, object and generation.
        let embedded = |family: &str| {
            listing.lines().skip(2).any(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                fields.len() >= 7 && fields[0].contains(family) && fields[fields.len() - 5] == "yes"
            })
        };
        assert!(
            embedded("SourceSerif4"),
            "{route}: Source Serif 4 is not embedded:\n{listing}"
        );
        assert!(
            embedded("SourceSans3"),
            "{route}: Source Sans 3 is not embedded:\n{listing}"
        );
    }
}

/// The outline's entries as (depth, title, page), depth-first.
fn outline(pdf: &Path) -> Vec<(usize, String, u64)> {
    let qpdf = require("qpdf", "qpdf");
    let out = Command::new(qpdf)
        .args(["--json", "--json-key=outlines"])
        .arg(pdf)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    fn walk(items: &serde_json::Value, depth: usize, out: &mut Vec<(usize, String, u64)>) {
        for item in items.as_array().unwrap() {
            out.push((
                depth,
                item["title"].as_str().unwrap().to_string(),
                item["destpageposfrom1"].as_u64().unwrap_or(0),
            ));
            walk(&item["kids"], depth + 1, out);
        }
    }
    let mut entries = Vec::new();
    walk(&json["outlines"], 0, &mut entries);
    entries
}

#[test]
#[ignore = "needs Chromium, poppler-utils and qpdf (apt-get install chromium poppler-utils qpdf); \
            CI runs it with --include-ignored"]
fn pdfs_have_an_outline_made_from_their_contents() {
    require_poppler();
    let public = example_pdfs();
    // The playbook: each chapter, its sections under it, each leading to its page.
    let pdf = public.join("internal/playbook/print/playbook.pdf");
    let entries = outline(&pdf);
    let pages = pdf_pages(&pdf);
    let chapters: Vec<&(usize, String, u64)> = entries.iter().filter(|e| e.0 == 0).collect();
    assert_eq!(
        chapters.len(),
        fs::read_dir(example().join("playbook")).unwrap().count(),
        "{entries:#?}"
    );
    for (n, (_, title, page)) in chapters.iter().enumerate() {
        let text = squeezed(&pages[*page as usize - 1]);
        assert!(
            top_of(&pages[*page as usize - 1], 1)
                .eq_ignore_ascii_case(&format!("Chapter {}", n + 1))
                && text.contains(title.as_str()),
            "bookmark {title:?} leads to page {page}: {text:.200}"
        );
    }
    assert!(entries.iter().any(|e| e.0 == 1), "sections under chapters");
    assert!(entries
        .iter()
        .all(|e| e.1 == squeezed(&e.1) && !e.1.is_empty()));

    for c in example_clients() {
        // A runbook: about, history, then each touchpoint, in order.
        let pdf = public.join(format!("internal/clients/{c}/print/{c}-runbook.pdf"));
        let entries = outline(&pdf);
        let titles: Vec<&str> = entries.iter().map(|e| e.1.as_str()).collect();
        assert!(
            titles[0].starts_with("About ") && titles[1] == "History",
            "{titles:?}"
        );
        assert!(titles.contains(&"Welcome call"), "{titles:?}");
        let pages: Vec<u64> = entries.iter().map(|e| e.2).collect();
        assert!(pages.windows(2).all(|w| w[0] <= w[1]), "{entries:?}");
        // A welcome pack: the note, the team and each person, the journey and each step.
        let pdf = public.join(format!("portal/{c}/print/{c}-welcome-pack.pdf"));
        let entries = outline(&pdf);
        let top: Vec<&str> = entries
            .iter()
            .filter(|e| e.0 == 0)
            .map(|e| e.1.as_str())
            .collect();
        assert_eq!(
            top,
            ["A note from your team", "Your team", "Your journey with us"],
            "{c}"
        );
        assert!(
            entries.iter().filter(|e| e.0 == 1).count() > 3,
            "{entries:?}"
        );
    }
}

#[test]
#[ignore = "needs Chromium and poppler-utils (apt-get install chromium poppler-utils); \
            CI runs it with --include-ignored"]
fn no_page_ends_with_a_heading() {
    require_poppler();
    let public = example_pdfs();
    let mut stranded = Vec::new();
    for route in example_pdf_routes() {
        let pdf = public.join(&route);
        let page = pdf.with_file_name("index.html");
        let (headings, rest) = headings_and_rest(&read(&page));
        // A heading whose words also stand elsewhere on the page (a goal in a list, and a
        // heading in a script) cannot be told apart on paper: left out.
        let headings: Vec<String> = headings
            .into_iter()
            .filter(|h| h.len() > 2 && !rest.contains(h.as_str()))
            .collect();
        let pages = pdf_pages(&pdf);
        for (i, lines) in body_lines(&pages).iter().enumerate() {
            let Some(last) = lines.last() else { continue };
            // A heading may wrap: its last line alone, or its last two lines.
            let two = lines[lines.len().saturating_sub(2)..].join(" ");
            if let Some(h) = headings.iter().find(|h| **h == *last || **h == two) {
                stranded.push(format!("{route} page {}: {h:?}", i + 1));
            }
        }
    }
    assert!(
        stranded.is_empty(),
        "pages ending with a heading:\n{}",
        stranded.join("\n")
    );
}

#[test]
#[ignore = "needs Chromium and poppler-utils (apt-get install chromium poppler-utils); \
            CI runs it with --include-ignored"]
fn every_runbook_page_says_internal() {
    require_poppler();
    let public = example_pdfs();
    for c in example_clients() {
        let pages = pdf_pages(&public.join(format!("internal/clients/{c}/print/{c}-runbook.pdf")));
        for (i, page) in pages.iter().enumerate() {
            assert!(
                page.lines().any(|l| l.contains("Internal")),
                "{c}'s runbook, page {}: {page}",
                i + 1
            );
        }
    }
    // The welcome pack is for the client: it never says so.
    let pack =
        pdf_pages(&public.join("portal/greenway-cycles/print/greenway-cycles-welcome-pack.pdf"));
    assert!(pack.iter().all(|p| !p.contains("Internal")));
}

/// The page numbers of the contents, by entry: each contents line of the pages `pages` (text
/// laid out, from `pdftotext -layout`) that names one of `titles` and ends with a number.
fn contents_numbers(
    pdf: &Path,
    pages: std::ops::RangeInclusive<usize>,
    titles: &[String],
) -> Vec<(String, usize)> {
    let out = Command::new("pdftotext")
        .args([
            "-layout",
            "-f",
            &pages.start().to_string(),
            "-l",
            &pages.end().to_string(),
        ])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut found = Vec::new();
    // An entry too long for one line has its number at the end of its last.
    let mut open: Option<String> = None;
    for line in text.lines() {
        let line = squeezed(line);
        let (before, number) = match line.rsplit_once(' ') {
            Some((before, n)) => (before, n.parse::<usize>().ok()),
            None => (line.as_str(), None),
        };
        let words = if number.is_some() {
            before
        } else {
            line.as_str()
        };
        // The longest title the line starts with (after the chapter's "3." if any).
        let words = match words.split_once(". ") {
            Some((n, rest)) if n.parse::<u32>().is_ok() => rest,
            _ => words,
        };
        if let Some(title) = titles
            .iter()
            .filter(|t| words.starts_with(t.as_str()))
            .max_by_key(|t| t.len())
        {
            open = Some(title.clone());
        }
        if let (Some(n), Some(title)) = (number, &open) {
            found.push((title.clone(), n));
            open = None;
        }
    }
    found
}

#[test]
#[ignore = "needs Chromium and poppler-utils (apt-get install chromium poppler-utils); \
            CI runs it with --include-ignored"]
fn contents_page_numbers_are_where_the_sections_start() {
    require_poppler();
    let public = example_pdfs();

    // The playbook: each chapter's number is the page whose top says "Chapter N".
    let pdf = public.join("internal/playbook/print/playbook.pdf");
    let pages = pdf_pages(&pdf);
    let html = read(&pdf.with_file_name("index.html"));
    let titles: Vec<String> = html
        .split("<span class=\"toc__title\">")
        .skip(1)
        .map(|s| html_text(&s[..s.find("</span>").unwrap()]))
        .collect();
    assert_eq!(titles.len(), 8, "{titles:?}");
    let numbers = contents_numbers(&pdf, 2..=2, &titles);
    assert_eq!(
        numbers.len(),
        titles.len(),
        "every chapter numbered: {numbers:?}"
    );
    for (n, (title, number)) in numbers.iter().enumerate() {
        let starts = pages
            .iter()
            .position(|p| top_of(p, 1).eq_ignore_ascii_case(&format!("Chapter {}", n + 1)))
            .unwrap()
            + 1;
        assert_eq!(
            *number, starts,
            "{title:?} is listed on page {number}, starts on {starts}"
        );
    }
    // A reference to another chapter says where it leads, with the same number.
    let all = squeezed(&pages.join("\n"));
    let stages = numbers[1].1;
    assert!(
        all.contains(&format!("the stages of the journey, p. {stages}")),
        "a cross-reference to chapter 2 names page {stages}"
    );

    // A runbook: each touchpoint's number is the page it starts at the top of.
    let c = "greenway-cycles";
    let pdf = public.join(format!("internal/clients/{c}/print/{c}-runbook.pdf"));
    let pages = pdf_pages(&pdf);
    let html = read(&pdf.with_file_name("index.html"));
    let toc = &html[html.find("class=\"toc__list").unwrap()..html.find("</nav>").unwrap()];
    let titles: Vec<String> = toc
        .split("<span class=\"toc__title\">")
        .skip(1)
        .map(|s| html_text(&s[..s.find("</span>").unwrap()]))
        .collect();
    let numbers = contents_numbers(&pdf, 2..=2, &titles);
    assert_eq!(
        numbers.len(),
        titles.len(),
        "every entry numbered: {numbers:?}"
    );
    for (title, number) in &numbers {
        // After the cover and the contents.
        let starts = pages
            .iter()
            .skip(2)
            .position(|p| {
                // A section's title at the top; a touchpoint's under its date line.
                let lines: Vec<&str> = p.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
                // History follows the client's profile on the same page, under a heading
                // line of its own.
                top_of(p, 1).starts_with(title.as_str())
                    || (title == "History" && lines.contains(&"History"))
                    || (lines[0].contains(" · Day ")
                        && squeezed(&lines[1..3].join(" ")).starts_with(title.as_str()))
            })
            .map(|i| i + 3);
        assert_eq!(
            Some(*number),
            starts,
            "{title:?} is listed on page {number}"
        );
    }
}

/// Loads a page in an iframe of a wrapper beside it and, once its fonts are in, lists the
/// families it loaded and what `document.fonts.check` says of the theme's two.
const FONTS_PROBE: &str = r#"<!doctype html>
<html><body>
<iframe id="page" src="PAGE" style="width:1200px;height:800px"></iframe>
<script>
const frame = document.getElementById('page');
frame.addEventListener('load', async () => {
  const doc = frame.contentDocument;
  await doc.fonts.ready;
  // What the page's text used, then the regular faces fetched too (from the URL fonts.css
  // names): `check` is true only for faces that are loaded.
  const used = [...doc.fonts].filter((f) => f.status === 'loaded').map((f) => f.family.replace(/"/g, ''));
  await Promise.all([doc.fonts.load('16px "Source Serif 4"'), doc.fonts.load('16px "Source Sans 3"')]).catch(() => {});
  const loaded = [...doc.fonts].filter((f) => f.status === 'loaded').map((f) => f.family.replace(/"/g, ''));
  const out = document.createElement('pre');
  out.id = 'hundred-fonts';
  out.textContent = JSON.stringify({
    used: [...new Set(used)],
    loaded: [...new Set(loaded)],
    serif: doc.fonts.check('16px "Source Serif 4"'),
    sans: doc.fonts.check('16px "Source Sans 3"'),
  });
  document.body.append(out);
});
</script>
</body></html>
"#;

#[test]
#[ignore = "needs Chromium (apt-get install chromium); CI runs it with --include-ignored"]
fn web_pages_use_the_theme_fonts_from_the_site_root() {
    let chromium = chromium();
    let out = build_preview(&example());
    let public = out.path().join("public");
    // Fonts are in each site's root only, not in every client's folder.
    assert!(public.join("portal/assets/fonts/fonts.css").is_file());
    assert!(public
        .join("internal/assets/fonts/source-serif-4-400.woff2")
        .is_file());
    assert!(!public.join("portal/greenway-cycles/assets/fonts").exists());
    for route in [
        "portal/greenway-cycles/index.html",
        "portal/greenway-cycles/team/index.html",
        "portal/greenway-cycles/print/index.html",
        "internal/index.html",
        "internal/clients/greenway-cycles/index.html",
    ] {
        let page = public.join(route);
        let probe = page.with_file_name("fonts-probe.html");
        fs::write(&probe, FONTS_PROBE.replace("PAGE", "index.html")).unwrap();
        let dom = run_chromium(
            &chromium,
            &[
                "--allow-file-access-from-files".into(),
                "--virtual-time-budget=5000".into(),
                "--dump-dom".into(),
                format!("file://{}", probe.display()),
            ],
        );
        fs::remove_file(&probe).unwrap();
        let start = dom
            .find("<pre id=\"hundred-fonts\">")
            .unwrap_or_else(|| panic!("{route}: the probe did not finish"))
            + "<pre id=\"hundred-fonts\">".len();
        let end = start + dom[start..].find("</pre>").unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&dom[start..end].replace("&quot;", "\"")).unwrap();
        let used: Vec<&str> = json["used"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(
            used.contains(&"Source Serif 4") && used.contains(&"Source Sans 3"),
            "{route}: its text is set in {used:?}"
        );
        assert_eq!(json["serif"], true, "{route}");
        assert_eq!(json["sans"], true, "{route}");
    }
}
