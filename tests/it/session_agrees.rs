//! A live session always equals a fresh build and a fresh check of the files on disk, whatever
//! sequence of edits (valid or not) reaches it: random sequences of profile, journey, settings,
//! template, playbook and static edits, files added, renamed and deleted, YAML broken and
//! fixed, each applied to a session and compared with `build` of the same files.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::support::*;
use hundred::build::BuildOptions;
use hundred::session::Session;
use proptest::prelude::*;

fn opts() -> BuildOptions {
    BuildOptions {
        today: Some(hundred::dates::parse(TODAY).unwrap()),
        minify: Some(false),
        ..Default::default()
    }
}

/// One edit a person might make while `serve` runs.
#[derive(Debug, Clone)]
enum Edit {
    /// A word of a client's welcome note.
    Welcome(usize),
    /// A client's start date: valid, or not a date.
    Start(bool),
    /// A client's account lead: a member, or a typo of one.
    Lead(usize),
    /// A touchpoint's title, day, owner role or script body.
    Title(usize, usize),
    Day(usize, u32),
    Owner(usize, usize),
    Body(usize, usize),
    /// The stage list in hundred.toml: the default, or one the scripts do not use.
    Stages(bool),
    /// Every script's stage: `customer` (a default stage) or `onboarding`.
    ScriptStages(bool),
    /// A portal template override: a working one, a broken one, or none.
    Template(usize),
    /// A client file copied from acme under a new id, or that copy removed.
    AddClient(bool),
    /// A client file renamed (acme.yaml <-> acme-ltd.yaml).
    RenameClient,
    /// A team member deleted or put back.
    Member(bool),
    /// A client file made invalid YAML, or put back.
    BreakYaml(bool),
    /// A chapter's body, a new chapter, or that chapter removed.
    Chapter(usize),
    /// The logo's bytes.
    Logo(usize),
    /// acme's journey log: a done entry with a score, then a move and a skip added, then an
    /// entry naming no touchpoint that exists, then the log deleted, then an occurrence of
    /// the repeating touchpoint logged.
    Log(usize),
    /// `[calendar]` in hundred.toml: none, a holiday on acme's invoice day and a Tuesday to
    /// Saturday week, a holidays file, or a holiday that is not a date.
    Calendar(usize),
    /// acme's own calendar: none, named dates and a blackout, a one-off step, or a skipped
    /// journey step.
    ClientCalendar(usize),
    /// A journey file with a rule: none, a monthly repeat, one until a client date, or one
    /// after a client date that requires a logged step and a score.
    Rule(usize),
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..3usize).prop_map(Edit::Welcome),
        any::<bool>().prop_map(Edit::Start),
        (0..3usize).prop_map(Edit::Lead),
        (0..4usize, 0..3usize).prop_map(|(a, b)| Edit::Title(a, b)),
        (0..4usize, 1..120u32).prop_map(|(a, b)| Edit::Day(a, b)),
        (0..4usize, 0..3usize).prop_map(|(a, b)| Edit::Owner(a, b)),
        (0..4usize, 0..3usize).prop_map(|(a, b)| Edit::Body(a, b)),
        any::<bool>().prop_map(Edit::Stages),
        any::<bool>().prop_map(Edit::ScriptStages),
        (0..3usize).prop_map(Edit::Template),
        any::<bool>().prop_map(Edit::AddClient),
        Just(Edit::RenameClient),
        any::<bool>().prop_map(Edit::Member),
        any::<bool>().prop_map(Edit::BreakYaml),
        (0..3usize).prop_map(Edit::Chapter),
        (0..3usize).prop_map(Edit::Logo),
        (0..5usize).prop_map(Edit::Log),
        (0..6usize).prop_map(Edit::Calendar),
        (0..5usize).prop_map(Edit::ClientCalendar),
        (0..5usize).prop_map(Edit::Rule),
    ]
}

/// Replaces the value of the first line starting with `key` (front matter or YAML).
fn set_line(path: &Path, key: &str, line: &str) {
    let text = fs::read_to_string(path).unwrap();
    let mut done = false;
    let out: Vec<String> = text
        .lines()
        .map(|l| {
            if !done && l.starts_with(key) {
                done = true;
                line.to_string()
            } else {
                l.to_string()
            }
        })
        .collect();
    assert!(done, "{} has no line {key}", path.display());
    fs::write(path, out.join("\n") + "\n").unwrap();
}

fn journey_file(site: &Path, i: usize) -> PathBuf {
    let mut files: Vec<PathBuf> = fs::read_dir(site.join("journey"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files[i % files.len()].clone()
}

/// The current file of the client first called acme (it may have been renamed).
fn acme(site: &Path) -> PathBuf {
    let a = site.join("clients/acme.yaml");
    if a.exists() {
        a
    } else {
        site.join("clients/acme-ltd.yaml")
    }
}

/// Applies `edit` to the site folder; returns the paths it touched.
fn apply(site: &Path, original: &Path, edit: &Edit) -> Vec<PathBuf> {
    match *edit {
        Edit::Welcome(i) => {
            let f = acme(site);
            if fs::read_to_string(&f).unwrap().contains("welcome:") {
                let word = ["delighted", "thrilled", "glad"][i];
                let text = fs::read_to_string(&f).unwrap();
                let at = text.find("we are ").unwrap_or(0);
                let (head, tail) = text.split_at(at);
                let tail = tail
                    .replacen("delighted", word, 1)
                    .replacen("thrilled", word, 1);
                fs::write(&f, format!("{head}{}", tail.replacen("glad", word, 1))).unwrap();
            }
            vec![f]
        }
        Edit::Start(valid) => {
            let f = acme(site);
            let value = if valid { "2026-11-17" } else { "2026-13-45" };
            if fs::read_to_string(&f).unwrap().contains("start:") {
                set_line(&f, "start:", &format!("start: {value}"));
            }
            vec![f]
        }
        Edit::Lead(i) => {
            let f = acme(site);
            let who = ["ann", "cy", "annn"][i];
            if fs::read_to_string(&f).unwrap().contains("  account-lead:") {
                set_line(&f, "  account-lead:", &format!("  account-lead: {who}"));
            }
            vec![f]
        }
        Edit::Title(j, i) => {
            let f = journey_file(site, j);
            set_line(
                &f,
                "title:",
                &format!("title: Step {}", ["one", "two", "three"][i]),
            );
            vec![f]
        }
        Edit::Day(j, day) => {
            let f = journey_file(site, j);
            // A touchpoint dated by a rule (what `Rule` writes) has no `day:` to change.
            let text = fs::read_to_string(&f).unwrap();
            if !text.lines().any(|l| l.starts_with("day:")) {
                return vec![];
            }
            set_line(&f, "day:", &format!("day: {day}"));
            vec![f]
        }
        Edit::Owner(j, i) => {
            let f = journey_file(site, j);
            let role = ["account-lead", "billing", "acount-lead"][i];
            set_line(&f, "owner:", &format!("owner: {role}"));
            vec![f]
        }
        Edit::Body(j, i) => {
            let f = journey_file(site, j);
            let mut text = fs::read_to_string(&f).unwrap();
            text.push_str(
                [
                    "\nOne more line.\n",
                    "\n- a list item for {{ client.name }}\n",
                    "\n",
                ][i],
            );
            fs::write(&f, text).unwrap();
            vec![f]
        }
        Edit::Stages(default) => {
            let f = site.join("hundred.toml");
            let text = fs::read_to_string(&f).unwrap();
            let base = text.split("\n[journey]").next().unwrap().to_string();
            let text = if default {
                base
            } else {
                format!("{base}\n[journey]\nstages = [\"onboarding\", \"active\"]\n")
            };
            fs::write(&f, text).unwrap();
            vec![f]
        }
        Edit::ScriptStages(customer) => {
            let stage = if customer { "customer" } else { "onboarding" };
            (0..4)
                .map(|j| {
                    let f = journey_file(site, j);
                    set_line(&f, "stage:", &format!("stage: {stage}"));
                    f
                })
                .collect()
        }
        Edit::Template(i) => {
            let f = site.join("templates/portal/team.html");
            let theme = fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("themes/default/templates/portal/team.html"),
            )
            .unwrap();
            match i {
                0 => {
                    fs::create_dir_all(f.parent().unwrap()).unwrap();
                    fs::write(
                        &f,
                        theme.replacen("Meet", "Say hello to", 1) + "\n<!-- override -->\n",
                    )
                    .unwrap();
                }
                1 => {
                    fs::create_dir_all(f.parent().unwrap()).unwrap();
                    fs::write(&f, theme + "\n{% if %}\n").unwrap();
                }
                _ => {
                    let _ = fs::remove_file(&f);
                }
            }
            vec![f]
        }
        Edit::AddClient(add) => {
            let f = site.join("clients/zeta.yaml");
            if add {
                fs::copy(original.join("clients/acme.yaml"), &f).unwrap();
            } else {
                let _ = fs::remove_file(&f);
            }
            vec![f]
        }
        Edit::RenameClient => {
            let (a, b) = (
                site.join("clients/acme.yaml"),
                site.join("clients/acme-ltd.yaml"),
            );
            let (from, to) = if a.exists() { (a, b) } else { (b, a) };
            fs::rename(&from, &to).unwrap();
            vec![from, to]
        }
        Edit::Member(present) => {
            let f = site.join("team/bo.yaml");
            if present {
                fs::copy(original.join("team/bo.yaml"), &f).unwrap();
            } else {
                let _ = fs::remove_file(&f);
            }
            vec![f]
        }
        Edit::BreakYaml(broken) => {
            let f = site.join("clients/hostile.yaml");
            if broken {
                fs::write(&f, "name: [unclosed\nstart: 2026-01-01\n").unwrap();
            } else {
                fs::copy(original.join("clients/hostile.yaml"), &f).unwrap();
            }
            vec![f]
        }
        Edit::Chapter(i) => {
            let extra = site.join("playbook/03-extra.md");
            match i {
                0 => {
                    let f = site.join("playbook/01-intro.md");
                    let mut text = fs::read_to_string(&f).unwrap();
                    text.push_str("\nAnother paragraph.\n");
                    fs::write(&f, text).unwrap();
                    vec![f]
                }
                1 => {
                    fs::write(&extra, "---\ntitle: Extra\n---\n# Extra\n\nMore.\n").unwrap();
                    vec![extra]
                }
                _ => {
                    let _ = fs::remove_file(&extra);
                    vec![extra]
                }
            }
        }
        Edit::Log(i) => {
            let f = site.join("log/acme.yaml");
            let done = "- date: 2026-11-17\n  touchpoint: 001-welcome-call\n  score: 6\n  note: Went well.\n";
            let more = "- date: 2026-11-20\n  touchpoint: 010-first-invoice\n  status: moved\n  to: 2026-11-30\n- date: 2026-11-21\n  touchpoint: 100-review\n  status: skipped\n";
            match i {
                0 => put(&f, done),
                1 => put(&f, &format!("{done}{more}")),
                2 => put(
                    &f,
                    &format!("{done}- date: 2026-11-18\n  touchpoint: 999-nothing\n"),
                ),
                3 => put(
                    &f,
                    &format!("{done}- date: 2026-11-19\n  touchpoint: 076-monthly/1\n"),
                ),
                _ => {
                    let _ = fs::remove_file(&f);
                }
            }
            vec![f]
        }
        Edit::Calendar(i) => {
            let f = site.join("hundred.toml");
            let text = fs::read_to_string(&f).unwrap();
            let base = text
                .split("\n[calendar]")
                .next()
                .unwrap()
                .trim_end()
                .to_string();
            let ics = site.join("closed.ics");
            // Only the holidays file: changed, or deleted while hundred.toml still names it.
            if i == 4 || i == 5 {
                if i == 4 {
                    put(
                        &ics,
                        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261118\nEND:VEVENT\nEND:VCALENDAR\n",
                    );
                } else {
                    let _ = fs::remove_file(&ics);
                }
                return vec![ics];
            }
            let section = match i {
                0 => String::new(),
                1 => "\n\n[calendar]\nholidays = [\"2026-11-26\"]\nworking_days = [\"tue\", \"wed\", \"thu\", \"fri\", \"sat\"]\n".to_string(),
                2 => {
                    put(
                        &ics,
                        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261126\nDTEND;VALUE=DATE:20261130\nEND:VEVENT\nEND:VCALENDAR\n",
                    );
                    "\n\n[calendar]\nholidays_file = \"closed.ics\"\nshift = \"previous\"\n".to_string()
                }
                _ => "\n\n[calendar]\nholidays = [\"2026-11-31\"]\n".to_string(),
            };
            fs::write(&f, format!("{base}{section}\n")).unwrap();
            vec![f, ics]
        }
        Edit::ClientCalendar(i) => {
            let f = acme(site);
            let text = fs::read_to_string(&f).unwrap();
            let base = text
                .split("\n# calendar edit")
                .next()
                .unwrap()
                .trim_end()
                .to_string();
            let extra = match i {
                0 => "",
                1 => "\n# calendar edit\ndates:\n  launch: 2026-12-01\n  renewal: 2027-04-30\nblackout:\n  - from: 2026-11-25\n    to: 2026-11-27\n",
                2 => "\n# calendar edit\ntouchpoints:\n  - id: visit\n    title: Site visit\n    date: 2026-12-02\n    owner: account-lead\n    channel: visit\n    visibility: client\n    portal: We visit.\n    script: Visit {{ client.name }}.\n",
                3 => "\n# calendar edit\nskip: [100-review]\n",
                // The same one-off with only its script changed.
                _ => "\n# calendar edit\ntouchpoints:\n  - id: visit\n    title: Site visit\n    date: 2026-12-02\n    owner: account-lead\n    channel: visit\n    visibility: client\n    portal: We visit.\n    script: Visit {{ client.name }} again, on {{ touchpoint.date }}.\n",
            };
            fs::write(&f, format!("{base}{extra}\n")).unwrap();
            vec![f]
        }
        Edit::Rule(i) => {
            let f = site.join("journey/076-monthly.md");
            let head = "---\ntitle: Monthly call\nstage: customer\nchannel: call\nowner: account-lead\nvisibility: client\nportal: A call.\n";
            let rule = match i {
                0 => {
                    let _ = fs::remove_file(&f);
                    return vec![f];
                }
                1 => "day: 20\nrepeat: { every: \"1 month\", count: 3 }\n",
                2 => "day: 20\nrepeat: { every: \"2 weeks\", until: renewal }\n",
                3 => "after: launch\ndays: 7\nrequires: { done: 001-welcome-call, last_score: \">= 6\" }\n",
                // Dated by the log: moves when a contact is logged; kept on a closed day.
                _ => "after: last_contact\ndays: 3\nexact: true\n",
            };
            put(
                &f,
                &format!("{head}{rule}---\nCall {{{{ touchpoint.occurrence }}}}.\n"),
            );
            vec![f]
        }
        Edit::Logo(i) => {
            let f = site.join("static/logo.svg");
            fs::write(
                &f,
                format!("<svg xmlns=\"http://www.w3.org/2000/svg\"><title>v{i}</title></svg>"),
            )
            .unwrap();
            vec![f]
        }
    }
}

/// What a person compares: each finding's place, kind and words.
fn findings(d: &hundred::diagnostics::Diagnostics) -> Vec<String> {
    let mut v: Vec<String> = d
        .items
        .iter()
        .map(|x| format!("{:?} {}: {}", x.severity, x.location(), x.message))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// A build's files and warnings, or its findings when it fails.
type Built = Result<(BTreeMap<String, Vec<u8>>, Vec<String>), Vec<String>>;

fn built_files(site: &Path) -> Built {
    let out = tempfile::tempdir().unwrap();
    let mut o = opts();
    o.output = Some(out.path().join("public"));
    match hundred::build::build(site, &o) {
        Ok(report) => {
            let mut files = read_tree(&out.path().join("public"));
            // The search index is not the session's: `serve` makes it after publishing the
            // pages (src/serve/search.rs).
            files.retain(|k, _| !k.starts_with(".hundred") && !k.starts_with("internal/pagefind/"));
            Ok((files, findings(&report.warnings)))
        }
        Err(p) => Err(findings(&p.diagnostics)),
    }
}

/// Applies `edits` one by one to the files of a copy of the canary fixture (with a private
/// portal, if `private`) and to a session on them, checking after each that the session
/// equals a fresh build and check.
fn agrees(edits: &[Edit], private: bool) -> Result<(), TestCaseError> {
    let dir = copy_fixture("canary");
    let site = dir.path();
    if private {
        // The secret from the site's own file: a variable would reach tests running beside it.
        edit(
            &site.join("hundred.toml"),
            "base_url = \"https://clients.canary.example/\"",
            "base_url = \"https://clients.canary.example/\"\nprivate = true",
        );
        fs::write(
            site.join(".hundred-secret"),
            "a secret for the session tests, long enough",
        )
        .unwrap();
    }
    let original = dir.path().to_path_buf();
    let pristine = tempfile::tempdir().unwrap();
    copy_dir(&original, pristine.path());
    let original = pristine.path();
    let mut session = Session::start(site, &opts()).unwrap();
    let mut done = Vec::new();
    for edit in edits {
        let touched = apply(site, original, edit);
        done.push(edit.clone());
        let result = session.update(&touched);
        match (built_files(site), result) {
            (Ok((files, warnings)), Ok(_)) => {
                let served = session.files();
                let routes = |m: Vec<&str>| m.join(", ");
                prop_assert_eq!(
                    routes(served.keys().map(|k| &**k).collect()),
                    routes(files.keys().map(String::as_str).collect()),
                    "routes after {:?}",
                    done
                );
                for (route, bytes) in &files {
                    prop_assert!(
                        served[route.as_str()].as_slice() == bytes.as_slice(),
                        "{} differs from a fresh build after {:?}",
                        route,
                        done
                    );
                }
                prop_assert_eq!(
                    findings(&session.warnings),
                    warnings,
                    "warnings after {:?}",
                    done
                );
            }
            (Err(expected), Err(got)) => {
                prop_assert_eq!(
                    findings(&got.diagnostics),
                    expected,
                    "findings after {:?}",
                    done
                );
            }
            (Ok(_), Err(got)) => {
                prop_assert!(
                    false,
                    "serve failed where build passes after {:?}: {:?}",
                    done,
                    findings(&got.diagnostics)
                );
            }
            (Err(expected), Ok(_)) => {
                prop_assert!(
                    false,
                    "serve passed where build fails after {:?}: {:?}",
                    done,
                    expected
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_session_equals_a_fresh_build_after_every_edit(edits in prop::collection::vec(edit_strategy(), 1..8)) {
        agrees(&edits, false)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, failure_persistence: None, ..ProptestConfig::default() })]

    /// `serve --private`: the same, with every page sealed and the plaintext scan on.
    #[test]
    fn a_private_session_equals_a_fresh_build_after_every_edit(edits in prop::collection::vec(edit_strategy(), 1..8)) {
        agrees(&edits, true)?;
    }
}
