//! Messages a person can act on: for each common mistake, `hundred check` (and `build` where
//! the mistake is about building) exits 1, names the file and line, says what is wrong in
//! plain words with a hint, and never shows the program's own vocabulary (Rust types, parser
//! settings). Also the warnings for a new site's leftovers and contradictions, and the
//! messages of `serve` that come before it serves anything.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::*;

/// Words of the program, never of a message: checked against every row's whole output.
const DENIED: &[&str] = &[
    "Option<",
    "String",
    "Vec<",
    "DuplicateKeyPolicy",
    "serde",
    "variant",
    "struct",
    "enum ",
    "u8",
    "u32",
    "u64",
    "i64",
    "usize",
    "bool",
    "invalid type",
    "invalid value",
    "strict mode",
    "from_str",
    "scalar",
    "sequence",
    "mapping",
    "os error",
];

/// How a row runs hundred on its broken site.
#[derive(Clone, Copy)]
enum Run {
    /// `hundred check SITE` and `hundred build SITE -o <temp>`.
    CheckAndBuild,
    /// `hundred build SITE -o <this, relative to the site>`.
    BuildInto(&'static str),
}

/// (what, how to break a copy of the small site, how to run, file:line expected (line 0:
/// none), words the output must have)
type Row = (
    &'static str,
    fn(&Path),
    Run,
    &'static str,
    usize,
    &'static [&'static str],
);

use Run::*;

fn bo(s: &Path, text: &str) {
    put(&s.join("team/bo.yaml"), text);
}

const BO: &str = "name: Bo Builder\nrole: Engineer\nroles: [engineer, support]\nemail: bo@canary.example\nbio: Bo builds things.\n";

fn toml_add(s: &Path, text: &str) {
    let path = s.join("hundred.toml");
    let mut settings = read(&path);
    settings.push_str(text);
    put(&path, &settings);
}

const ROWS: &[Row] = &[
    // YAML syntax
    (
        "over-indented key",
        |s| bo(s, &BO.replace("roles:", "  roles:")),
        CheckAndBuild,
        "team/bo.yaml",
        3,
        &[
            "indented more than the line above",
            "same column as `role:`",
        ],
    ),
    (
        "missing colon after a key",
        |s| bo(s, &BO.replace("role: Engineer", "role Engineer")),
        CheckAndBuild,
        "team/bo.yaml",
        2,
        &["no `:`", "`role: Engineer`"],
    ),
    (
        "tab used for indentation",
        |s| {
            bo(
                s,
                &BO.replace("roles: [engineer, support]", "roles:\n\t- engineer"),
            )
        },
        CheckAndBuild,
        "team/bo.yaml",
        4,
        &["a tab", "spaces"],
    ),
    (
        "unclosed quote",
        |s| bo(s, &BO.replace("role: Engineer", "role: \"Engineer")),
        CheckAndBuild,
        "team/bo.yaml",
        2,
        &["never closed", "closing quote"],
    ),
    (
        "unclosed [",
        |s| bo(s, &BO.replace("support]", "support")),
        CheckAndBuild,
        "team/bo.yaml",
        3,
        &["the `[` on line 3 is never closed", "add `]`"],
    ),
    (
        "unclosed {",
        |s| bo(s, &BO.replace("bio: Bo builds things.", "bio: {a: b")),
        CheckAndBuild,
        "team/bo.yaml",
        5,
        &["`bio`", "single value"],
    ),
    (
        "a value with `: ` in it",
        |s| bo(s, &BO.replace("role: Engineer", "role: Engineer: lead")),
        CheckAndBuild,
        "team/bo.yaml",
        2,
        &["`role`", "quotes"],
    ),
    (
        "duplicate key",
        |s| bo(s, &format!("{BO}role: Boss\n")),
        CheckAndBuild,
        "team/bo.yaml",
        6,
        &[
            "`role` is written twice (first on line 2)",
            "remove the other",
        ],
    ),
    (
        "unknown field",
        |s| bo(s, &BO.replace("bio:", "boi:")),
        CheckAndBuild,
        "team/bo.yaml",
        5,
        &["unknown field `boi`", "did you mean `bio`?"],
    ),
    (
        "misspelt key in front matter",
        |s| {
            edit(
                &s.join("journey/002-handoff.md"),
                "channel: meeting",
                "chanel: meeting",
            )
        },
        CheckAndBuild,
        "journey/002-handoff.md",
        5,
        &["unknown field `chanel`", "did you mean `channel`?"],
    ),
    (
        "a list where text is expected",
        |s| bo(s, &BO.replace("role: Engineer", "role: [a, b]")),
        CheckAndBuild,
        "team/bo.yaml",
        2,
        &["`role` should be a single value"],
    ),
    (
        "text where a list is expected",
        |s| {
            bo(
                s,
                &BO.replace("roles: [engineer, support]", "roles: engineer"),
            )
        },
        CheckAndBuild,
        "team/bo.yaml",
        3,
        &["`roles` should be a list", "roles: [a, b]"],
    ),
    (
        "a word where a number is expected",
        |s| {
            edit(
                &s.join("journey/010-first-invoice.md"),
                "day: 10",
                "day: soon",
            )
        },
        CheckAndBuild,
        "journey/010-first-invoice.md",
        3,
        &["`day` must be a whole number", "day: 14"],
    ),
    (
        "not true or false",
        |s| {
            edit(
                &s.join("journey/010-first-invoice.md"),
                "day: 10",
                "day: 10\nexact: maybe",
            )
        },
        CheckAndBuild,
        "journey/010-first-invoice.md",
        4,
        &["`exact` is either true or false", "exact: true"],
    ),
    (
        "a value left empty",
        |s| bo(s, &BO.replace("role: Engineer", "role:")),
        CheckAndBuild,
        "team/bo.yaml",
        2,
        &["`role` has no value"],
    ),
    (
        "a required field left out",
        |s| bo(s, &BO.replace("email: bo@canary.example\n", "")),
        CheckAndBuild,
        "team/bo.yaml",
        0,
        &["`email` is missing", "`email: …`"],
    ),
    (
        "a date in a wrong format",
        |s| {
            edit(
                &s.join("clients/acme.yaml"),
                "start: 2026-11-17",
                "start: 17/11/2026",
            )
        },
        CheckAndBuild,
        "clients/acme.yaml",
        2,
        &["YYYY-MM-DD", "start: 2026-11-17"],
    ),
    (
        "unknown visibility",
        |s| {
            edit(
                &s.join("journey/002-handoff.md"),
                "visibility: internal",
                "visibility: internl",
            )
        },
        CheckAndBuild,
        "journey/002-handoff.md",
        7,
        &[
            "`visibility` cannot be `internl`",
            "did you mean `internal`?",
        ],
    ),
    (
        "a stage the journey does not have",
        |s| {
            edit(
                &s.join("journey/002-handoff.md"),
                "stage: customer",
                "stage: clients",
            )
        },
        CheckAndBuild,
        "journey/002-handoff.md",
        4,
        &["`clients`", "the stages are"],
    ),
    (
        "a second document",
        |s| bo(s, &format!("{BO}---\nname: Cy\n")),
        CheckAndBuild,
        "team/bo.yaml",
        6,
        &["second document", "remove the `---` line"],
    ),
    (
        "a journey log entry without `- `",
        |s| {
            put(
                &s.join("log/acme.yaml"),
                "date: 2026-11-18\ntouchpoint: 001-welcome-call\n",
            )
        },
        CheckAndBuild,
        "log/acme.yaml",
        1,
        &["list of entries", "write `- `"],
    ),
    (
        "an over-indented line in a journey log",
        |s| {
            put(
                &s.join("log/acme.yaml"),
                "- date: 2026-11-18\n  touchpoint: 001-welcome-call\n   status: done\n",
            )
        },
        CheckAndBuild,
        "log/acme.yaml",
        3,
        &["indented more than the line above", "`touchpoint:`"],
    ),
    // hundred.toml
    (
        "unknown section",
        |s| toml_add(s, "\n[branding]\ncolour = \"red\"\n"),
        CheckAndBuild,
        "hundred.toml",
        13,
        &["no section [branding]", "the sections are"],
    ),
    (
        "misspelt setting",
        |s| edit(&s.join("hundred.toml"), "phone =", "phnoe ="),
        CheckAndBuild,
        "hundred.toml",
        4,
        &["unknown setting `phnoe` in [firm]", "did you mean `phone`?"],
    ),
    (
        "a setting in the wrong section",
        |s| toml_add(s, "stages = [\"a\"]\n"),
        CheckAndBuild,
        "hundred.toml",
        12,
        &["`stages`", "belongs in [journey]"],
    ),
    (
        "text where true or false is expected",
        |s| toml_add(s, "\n[build]\nminify = \"yes\"\n"),
        CheckAndBuild,
        "hundred.toml",
        14,
        &["`minify` should be true or false", "minify = true"],
    ),
    (
        "a negative number",
        |s| toml_add(s, "\n[health]\nlow_score = -1\n"),
        CheckAndBuild,
        "hundred.toml",
        14,
        &["`low_score` must be a whole number, 0 or more"],
    ),
    (
        "text without quotes",
        |s| {
            edit(
                &s.join("hundred.toml"),
                "name = \"Canary & Co\"",
                "name = Canary",
            )
        },
        CheckAndBuild,
        "hundred.toml",
        2,
        &["must be in quotes", "name = \"…\""],
    ),
    (
        "a section written twice",
        |s| toml_add(s, "[portal]\nprivate = true\n"),
        CheckAndBuild,
        "hundred.toml",
        12,
        &["[portal] is written twice (first on line 7)"],
    ),
    (
        "a section left out",
        |s| {
            let path = s.join("hundred.toml");
            let text = read(&path);
            put(&path, &text[..text.find("[internal]").unwrap()]);
        },
        CheckAndBuild,
        "hundred.toml",
        1,
        &["the section [internal] is missing"],
    ),
    // Templates
    (
        "a role the client lacks",
        |s| {
            edit(&s.join("clients/acme.yaml"), "  billing: cy\n", "");
            edit(
                &s.join("journey/100-review.md"),
                "Prepare the review",
                "{{ team.billing.name }} prepares the review",
            );
        },
        CheckAndBuild,
        "journey/100-review.md",
        10,
        &[
            "nobody assigned as `billing`",
            "client `acme`",
            "{% if team.billing is defined %}",
        ],
    ),
    (
        "an unclosed {% if %}",
        |s| {
            edit(
                &s.join("journey/100-review.md"),
                "Prepare the review",
                "{% if client.goals %}Prepare the review",
            )
        },
        CheckAndBuild,
        "journey/100-review.md",
        10,
        &["the `{% if %}` on line 10 is never closed", "{% endif %}"],
    ),
    (
        "an unknown filter",
        |s| {
            edit(
                &s.join("journey/100-review.md"),
                "{{ client.name }}",
                "{{ client.name | shout }}",
            )
        },
        CheckAndBuild,
        "journey/100-review.md",
        10,
        &["no filter `shout`"],
    ),
    (
        "a misspelt variable",
        |s| {
            edit(
                &s.join("journey/100-review.md"),
                "{{ client.name }}",
                "{{ clinet.name }}",
            )
        },
        CheckAndBuild,
        "journey/100-review.md",
        10,
        &["`clinet`", "did you mean `client`?"],
    ),
    // Playbook links
    (
        "a link to a heading that does not exist",
        |s| {
            edit(
                &s.join("playbook/01-intro.md"),
                "02-handoff.md#before-the-call",
                "02-handoff.md#before-the-cal",
            )
        },
        CheckAndBuild,
        "playbook/01-intro.md:4:80",
        0,
        &[
            "a heading `02-handoff.md` does not have",
            "#before-the-call",
        ],
    ),
    (
        "a link to a heading of the same chapter",
        |s| {
            edit(
                &s.join("playbook/01-intro.md"),
                "02-handoff.md#before-the-call",
                "#no-such-heading",
            )
        },
        CheckAndBuild,
        "playbook/01-intro.md:4:67",
        0,
        &["this chapter does not have", "#principles"],
    ),
    // Where to build
    (
        "-o inside the site's sources",
        |_| {},
        BuildInto("journey/out"),
        "--output",
        0,
        &[
            "`-o`/`--output`",
            "inside the site's journey/ folder",
            "pass `-o`",
        ],
    ),
    (
        "-o the site itself",
        |_| {},
        BuildInto("."),
        "--output",
        0,
        &["the site folder itself"],
    ),
    (
        "-o a file",
        |s| put(&s.join("notes.txt"), "x"),
        BuildInto("notes.txt"),
        "--output",
        0,
        &["a file, not a folder"],
    ),
    (
        "`output` setting inside the sources",
        |s| toml_add(s, "\n[build]\noutput = \"static/out\"\n"),
        BuildInto(""),
        "hundred.toml",
        14,
        &["`output` in [build]", "static/ folder"],
    ),
];

/// A small site without warnings: the canary fixture without its hostile client.
fn small_site() -> tempfile::TempDir {
    let site = copy_fixture("canary");
    std::fs::remove_file(site.path().join("clients/hostile.yaml")).unwrap();
    site
}

fn text_of(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn every_common_mistake_gets_a_plain_message_at_its_place() {
    let mut failures = Vec::new();
    for (name, breakit, run, file, line, words) in ROWS {
        let site = small_site();
        breakit(site.path());
        let outputs: Vec<(&str, String, Option<i32>)> = match run {
            CheckAndBuild => {
                let out = tempfile::TempDir::new().unwrap();
                let check = hundred()
                    .arg("check")
                    .arg(site.path())
                    .args(["--today", TODAY])
                    .output()
                    .unwrap();
                let build = hundred()
                    .arg("build")
                    .arg(site.path())
                    .arg("-o")
                    .arg(out.path().join("public"))
                    .args(["--today", TODAY])
                    .output()
                    .unwrap();
                vec![
                    ("check", text_of(&check), check.status.code()),
                    ("build", text_of(&build), build.status.code()),
                ]
            }
            BuildInto(output) => {
                let mut cmd = hundred();
                cmd.current_dir(site.path()).arg("build").arg(".");
                if !output.is_empty() {
                    cmd.arg("-o").arg(output);
                }
                let build = cmd.args(["--today", TODAY]).output().unwrap();
                vec![("build", text_of(&build), build.status.code())]
            }
        };
        let place = if *line == 0 {
            format!("{file}:")
        } else {
            format!("{file}:{line}:")
        };
        for (command, text, code) in outputs {
            // The site's temporary path is random: a denied word in it is not a message's.
            let shown = text.replace(&site.path().display().to_string(), "SITE");
            let mut problems = Vec::new();
            if code != Some(1) {
                problems.push(format!("exit code {code:?}"));
            }
            if !shown.contains(&place) {
                problems.push(format!("no `{place}`"));
            }
            for w in *words {
                if !shown.contains(w) {
                    problems.push(format!("no `{w}`"));
                }
            }
            if !shown.contains("help:") {
                problems.push("no help line".into());
            }
            for d in DENIED {
                if shown.contains(d) {
                    problems.push(format!("says `{d}`"));
                }
            }
            if shown.contains("panicked") {
                problems.push("panicked".into());
            }
            if !problems.is_empty() {
                failures.push(format!(
                    "{name} ({command}): {}\n{shown}",
                    problems.join(", ")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_fresh_site_warns_about_the_starter_text_until_it_is_replaced() {
    let dir = tempfile::TempDir::new().unwrap();
    let site = dir.path().join("studio");
    hundred().arg("init").arg(&site).assert().success();
    let check = |site: &Path| {
        let out = hundred()
            .arg("check")
            .arg(site)
            .args(["--today", TODAY])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text_of(&out));
        text_of(&out)
    };
    let said = check(&site);
    for place in [
        "hundred.toml:5:",
        "static/logo.svg:2:",
        "team/alex.yaml:6:",
        "team/alex.yaml:11:",
        "team/sam.yaml:14:",
        "clients/riverside-bakery.yaml:14:",
        "journey/001-welcome-call.md:10:",
        "playbook/01-getting-started.md:5:",
    ] {
        assert!(said.contains(place), "no warning at {place}:\n{said}");
    }
    assert!(said.contains("\"Your Studio\""), "{said}");
    assert!(said.contains("placeholder text"), "{said}");
    // Each placeholder once, however many pages show it.
    assert_eq!(said.matches("⚠ team/sam.yaml:14:").count(), 1, "{said}");

    // Replaced, it is quiet.
    for file in [
        "team/alex.yaml",
        "team/sam.yaml",
        "clients/riverside-bakery.yaml",
    ] {
        let path = site.join(file);
        let text: String = read(&path)
            .lines()
            .map(|l| {
                if l.contains("Replace") && !l.trim_start().starts_with('#') {
                    l.replace("Replace", "We will replace")
                } else {
                    l.to_string()
                }
            })
            .map(|l| l.replace("yourstudio.example", "northwind.example") + "\n")
            .collect();
        put(&path, &text);
    }
    for file in [
        "journey/001-welcome-call.md",
        "journey/002-sales-handoff.md",
        "journey/003-thirty-day-survey.md",
        "playbook/01-getting-started.md",
        "hundred.toml",
    ] {
        let path = site.join(file);
        let text = read(&path)
            .replace("Replace it with", "Adapt it to")
            .replace("Replace this with", "Adapt this to")
            .replace("replace it, chapter by chapter", "adapt it")
            .replace("Your Studio", "Northwind")
            .replace("yourstudio.example", "northwind.example");
        put(&path, &text);
    }
    put(
        &site.join("static/logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><title>Northwind</title></svg>\n",
    );
    let said = check(&site);
    assert!(said.contains("No errors (0 warning(s))"), "{said}");
}

#[test]
fn the_example_has_no_starter_text() {
    let out = hundred()
        .arg("check")
        .arg(example())
        .args(["--today", TODAY])
        .output()
        .unwrap();
    let said = text_of(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(!said.contains("starter"), "{said}");
    assert!(!said.contains("clients never see it"), "{said}");
}

#[test]
fn a_portal_sentence_on_an_internal_touchpoint_is_a_warning() {
    let site = small_site();
    edit(
        &site.path().join("journey/002-handoff.md"),
        "visibility: internal\n",
        "visibility: internal\nportal: \"We hand you over to delivery.\"\n",
    );
    let out = hundred()
        .arg("check")
        .arg(site.path())
        .args(["--today", TODAY])
        .output()
        .unwrap();
    let said = text_of(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a warning, not an error: {said}"
    );
    assert!(said.contains("journey/002-handoff.md:8:"), "{said}");
    assert!(said.contains("clients never see it"), "{said}");
    assert!(said.contains("visibility: client"), "{said}");
    // Without `visibility`, a touchpoint is internal too.
    edit(
        &site.path().join("journey/002-handoff.md"),
        "visibility: internal\n",
        "",
    );
    let said = text_of(
        &hundred()
            .arg("check")
            .arg(site.path())
            .args(["--today", TODAY])
            .output()
            .unwrap(),
    );
    assert!(said.contains("it has no `visibility`"), "{said}");
}

#[test]
fn serve_fails_at_once_for_a_folder_that_is_not_there() {
    let dir = tempfile::TempDir::new().unwrap();
    let missing = dir.path().join("nonexistent");
    let started = std::time::Instant::now();
    let out = hundred()
        .args(["serve", "--port", "0"])
        .arg(&missing)
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    let said = text_of(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    assert!(said.contains("there is no folder"), "{said}");
    assert!(said.contains("nothing was served"), "{said}");
    for started_words in ["keeps running", "Serving", "Watching", "http://"] {
        assert!(!said.contains(started_words), "{said}");
    }
}

#[test]
fn serve_names_its_index_and_suggests_a_free_port_when_busy() {
    let site = small_site();
    let mut first = Command::new(env!("CARGO_BIN_EXE_hundred"))
        .args(["serve", "--port", "0", "--today", TODAY])
        .arg(site.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Log::default();
    let (tx, rx) = std::sync::mpsc::channel();
    let index = |line: &str| {
        let rest = line.strip_prefix("Preview index, listing every client's portal: ")?;
        Some(rest.trim().to_string())
    };
    drain(first.stdout.take().unwrap(), &log, index, Some(tx));
    drain(first.stderr.take().unwrap(), &log, |_| None, None);
    let url = rx.recv_timeout(std::time::Duration::from_secs(60));
    let checked = (|| {
        let url = url.map_err(|_| "no preview index line".to_string())?;
        let port = url
            .trim_end_matches('/')
            .rsplit(':')
            .next()
            .unwrap()
            .to_string();
        if !url.starts_with("http://127.0.0.1:") || !url.ends_with('/') {
            return Err(format!("index url {url}"));
        }
        // A second server on the same port: refused, with what to do.
        let out = Command::new(env!("CARGO_BIN_EXE_hundred"))
            .args(["serve", "--port", &port, "--today", TODAY])
            .arg(site.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let said = text_of(&out);
        let ok = out.status.code() == Some(1)
            && said.contains(&format!("port {port}"))
            && said.contains("already in use")
            && said.contains("--port 0")
            && !said.contains("os error");
        if ok {
            Ok(())
        } else {
            Err(said)
        }
    })();
    let _ = first.kill();
    let _ = first.wait();
    if let Err(e) = checked {
        dump("hundred serve", &log);
        panic!("{e}");
    }
}
