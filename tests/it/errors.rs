//! Bad input: every case exits non-zero, names the file and line, says what is wrong, and
//! writes nothing.

use std::fs;

use crate::support::*;

/// (what to change in a copy of the canary fixture, file named, line, words in the message)
type Breakage = (
    &'static str,
    fn(&std::path::Path),
    &'static str,
    Option<usize>,
    &'static [&'static str],
);

/// A symbolic link at `link` to `target` (written as given, so relative targets stay relative).
fn symlink(target: &str, link: std::path::PathBuf) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

const CASES: &[Breakage] = &[
    (
        "yaml syntax",
        |s| {
            edit(
                &s.join("team/bo.yaml"),
                "roles: [engineer, support]",
                "roles: [engineer, support",
            )
        },
        "team/bo.yaml",
        Some(3),
        &["never closed"],
    ),
    (
        "wrong type for day",
        |s| {
            edit(
                &s.join("journey/010-first-invoice.md"),
                "day: 10",
                "day: soon",
            )
        },
        "journey/010-first-invoice.md",
        Some(3),
        &["whole number"],
    ),
    (
        "missing required field",
        |s| edit(&s.join("team/cy.yaml"), "email: cy@canary.example\n", ""),
        "team/cy.yaml",
        None,
        &["`email` is missing"],
    ),
    (
        "unknown field",
        |s| {
            edit(
                &s.join("journey/002-handoff.md"),
                "channel: meeting",
                "chanel: meeting",
            )
        },
        "journey/002-handoff.md",
        Some(5),
        &["unknown field", "chanel"],
    ),
    (
        "invalid date",
        |s| {
            edit(
                &s.join("clients/acme.yaml"),
                "start: 2026-11-17",
                "start: 2026-13-01",
            )
        },
        "clients/acme.yaml",
        Some(2),
        &["2026-13-01", "date"],
    ),
    (
        "unclosed front matter",
        |s| {
            edit(
                &s.join("journey/002-handoff.md"),
                "visibility: internal\n---\n",
                "visibility: internal\n",
            )
        },
        "journey/002-handoff.md",
        Some(1),
        &["never closed"],
    ),
    (
        "unknown team member",
        |s| {
            edit(
                &s.join("clients/acme.yaml"),
                "engineer: bo",
                "engineer: boo",
            )
        },
        "clients/acme.yaml",
        Some(12),
        &["no team member", "boo", "did you mean `bo`?"],
    ),
    (
        "owner role nobody holds",
        |s| {
            edit(
                &s.join("journey/100-review.md"),
                "owner: engineer",
                "owner: enginer",
            )
        },
        "journey/100-review.md",
        Some(6),
        &["enginer", "engineer"],
    ),
    (
        "unknown stage",
        |s| {
            edit(
                &s.join("journey/100-review.md"),
                "stage: member",
                "stage: membr",
            )
        },
        "journey/100-review.md",
        Some(4),
        &["membr", "member"],
    ),
    (
        "missing photo",
        |s| {
            edit(
                &s.join("team/ann.yaml"),
                "photo: team/ann.svg",
                "photo: team/anne.svg",
            )
        },
        "team/ann.yaml",
        Some(6),
        &["team/anne.svg", "static"],
    ),
    (
        "client-visible without portal sentence",
        |s| {
            edit(
                &s.join("journey/001-welcome-call.md"),
                "portal: \"A short call to say hello and agree how we will work.\"\n",
                "",
            )
        },
        "journey/001-welcome-call.md",
        Some(7),
        &["portal"],
    ),
    (
        "unknown template variable",
        |s| {
            edit(
                &s.join("journey/002-handoff.md"),
                "{{ client.name }}",
                "{{ client.nam }}",
            )
        },
        "journey/002-handoff.md",
        Some(9),
        &["nam"],
    ),
    (
        "template syntax error",
        |s| {
            edit(
                &s.join("journey/002-handoff.md"),
                "{{ client.name }}",
                "{{ client.name }",
            )
        },
        "journey/002-handoff.md",
        Some(9),
        &[],
    ),
    (
        "config syntax",
        |s| {
            edit(
                &s.join("hundred.toml"),
                "name = \"Canary & Co\"",
                "name = \"Canary & Co",
            )
        },
        "hundred.toml",
        Some(2),
        &[],
    ),
    (
        "config unknown key",
        |s| {
            edit(
                &s.join("hundred.toml"),
                "[portal]\nbase_url",
                "[portal]\nbaseurl",
            )
        },
        "hundred.toml",
        Some(8),
        &["baseurl", "did you mean `base_url`?"],
    ),
    (
        "bad base url",
        |s| {
            edit(
                &s.join("hundred.toml"),
                "https://clients.canary.example/",
                "clients.canary.example",
            )
        },
        "hundred.toml",
        Some(8),
        &["https://"],
    ),
    (
        "broken playbook link",
        |s| {
            edit(
                &s.join("playbook/02-handoff.md"),
                "01-intro.md",
                "00-intro.md",
            )
        },
        "playbook/02-handoff.md",
        Some(6),
        &["00-intro.md"],
    ),
    (
        "empty name",
        |s| edit(&s.join("team/bo.yaml"), "name: Bo Builder", "name: \"\""),
        "team/bo.yaml",
        Some(1),
        &["name", "empty"],
    ),
    (
        "yes stays a string, so a list is needed",
        |s| {
            edit(
                &s.join("team/bo.yaml"),
                "roles: [engineer, support]",
                "roles: yes",
            )
        },
        "team/bo.yaml",
        Some(3),
        &[],
    ),
    (
        "bad file name",
        |s| {
            fs::copy(
                s.join("clients/acme.yaml"),
                s.join("clients/Acme Copy.yaml"),
            )
            .map(|_| ())
            .unwrap()
        },
        "clients/Acme Copy.yaml",
        None,
        &["cannot be used as an id", "acme-copy"],
    ),
    (
        "duplicate id",
        |s| {
            fs::copy(s.join("clients/acme.yaml"), s.join("clients/acme.yml"))
                .map(|_| ())
                .unwrap()
        },
        "clients/acme.yml",
        None,
        &["defined twice"],
    ),
    (
        "missing logo",
        |s| {
            edit(
                &s.join("hundred.toml"),
                "logo = \"logo.svg\"",
                "logo = \"logo.png\"",
            )
        },
        "hundred.toml",
        Some(5),
        &["logo.png", "static"],
    ),
    (
        "static file shadows a page",
        |s| fs::write(s.join("static/index.html"), "<p>mine</p>").unwrap(),
        "static/index.html",
        None,
        &["the portal's own pages", "portal/index.html"],
    ),
    (
        "unknown client stage",
        |s| {
            edit(
                &s.join("clients/acme.yaml"),
                "start: 2026-11-17",
                "start: 2026-11-17\nstage: advocat",
            )
        },
        "clients/acme.yaml",
        Some(3),
        &["advocat", "advocate"],
    ),
    (
        "day zero",
        |s| edit(&s.join("journey/010-first-invoice.md"), "day: 10", "day: 0"),
        "journey/010-first-invoice.md",
        Some(3),
        &["out of range", "day 1"],
    ),
    (
        "bad contact email",
        |s| {
            edit(
                &s.join("clients/acme.yaml"),
                "email: rr@acme.example",
                "email: rr-at-acme",
            )
        },
        "clients/acme.yaml",
        None,
        &["contact", "email"],
    ),
    (
        "bad visibility",
        |s| {
            edit(
                &s.join("journey/002-handoff.md"),
                "visibility: internal",
                "visibility: public",
            )
        },
        "journey/002-handoff.md",
        Some(7),
        &["public"],
    ),
    (
        "internal is not a map",
        |s| {
            edit(
                &s.join("clients/hostile.yaml"),
                "internal:\n  secret: CANARY-HOSTILE-SECRET",
                "internal: just a note",
            )
        },
        "clients/hostile.yaml",
        Some(17),
        &["internal", "map"],
    ),
    (
        "video is not a URL",
        |s| {
            edit(
                &s.join("team/ann.yaml"),
                "video: https://video.example/ann",
                "video: video.example/ann",
            )
        },
        "team/ann.yaml",
        Some(16),
        &["video", "https://"],
    ),
    (
        "no front matter",
        |s| fs::write(s.join("journey/020-note.md"), "Just a note.\n").unwrap(),
        "journey/020-note.md",
        Some(1),
        &["no front matter"],
    ),
    (
        "empty title",
        |s| {
            edit(
                &s.join("journey/002-handoff.md"),
                "title: Sales hand-off",
                "title: \"  \"",
            )
        },
        "journey/002-handoff.md",
        Some(2),
        &["title", "empty"],
    ),
    (
        "no settings file",
        |s| fs::remove_file(s.join("hundred.toml")).unwrap(),
        "hundred.toml",
        None,
        &["there is no hundred.toml", "hundred init"],
    ),
    (
        "unknown config section",
        |s| edit(&s.join("hundred.toml"), "[internal]", "[internl]"),
        "hundred.toml",
        Some(10),
        &["internl", "did you mean `[internal]`?"],
    ),
    (
        "template override syntax error",
        |s| {
            fs::create_dir_all(s.join("templates/portal")).unwrap();
            fs::write(
                s.join("templates/portal/team.html"),
                "{% if client.name %}\n<p>{{ client.name }</p>\n{% endif %}\n",
            )
            .unwrap()
        },
        "templates/portal/team.html",
        Some(2),
        &[],
    ),
    (
        "unknown variable in a template override",
        |s| {
            fs::create_dir_all(s.join("templates/portal")).unwrap();
            fs::write(s.join("templates/portal/team.html"), "{% extends \"portal/base.html\" %}\n{% block content %}\n{{ client.internal }}\n{% endblock content %}\n").unwrap()
        },
        "templates/portal/team.html",
        Some(3),
        &["internal"],
    ),
    (
        "contacts missing",
        |s| {
            edit(&s.join("clients/hostile.yaml"), "contacts:\n  - name: \"Eve {% raw %}<img src=x onerror=alert(1)>\"\n    role: \"CTO {{ 7 * 7 }}\"\n    email: eve@hostile.example\n", "")
        },
        "clients/hostile.yaml",
        None,
        &["contacts"],
    ),
    // Symbolic links: followed only while they stay inside their area.
    (
        "static link to a system file",
        |s| symlink("/etc/passwd", s.join("static/passwd")),
        "static/passwd",
        None,
        &["/etc/passwd", "published"],
    ),
    (
        "static link to the site folder",
        |s| symlink("..", s.join("static/loop")),
        "static/loop",
        None,
        &["`..`", "published"],
    ),
    (
        "static link to internal sources",
        |s| symlink("../clients", s.join("static/clients")),
        "static/clients",
        None,
        &["../clients", "published"],
    ),
    (
        "static folder is a link to the site",
        |s| {
            fs::remove_dir_all(s.join("static")).unwrap();
            symlink(".", s.join("static"))
        },
        "static",
        None,
        &["sources"],
    ),
    (
        "link loop in static",
        |s| {
            fs::create_dir_all(s.join("static/a")).unwrap();
            symlink("../a", s.join("static/a/b"))
        },
        "static/a/b",
        None,
        &["loop"],
    ),
    (
        "client file linked from outside",
        |s| symlink("/etc/passwd", s.join("clients/evil.yaml")),
        "clients/evil.yaml",
        None,
        &["/etc/passwd", "outside"],
    ),
    (
        "settings linked from outside",
        |s| {
            fs::remove_file(s.join("hundred.toml")).unwrap();
            symlink("/etc/passwd", s.join("hundred.toml"))
        },
        "hundred.toml",
        None,
        &["/etc/passwd", "outside"],
    ),
    (
        "templates folder linked from outside",
        |s| symlink("/etc", s.join("templates")),
        "templates",
        None,
        &["/etc", "outside"],
    ),
    // Routes: every output and every owned folder has one source.
    (
        "chapter named like the printable playbook",
        |s| {
            fs::copy(s.join("playbook/01-intro.md"), s.join("playbook/print.md")).unwrap();
        },
        "playbook/print.md",
        None,
        &["printable", "`print` is reserved"],
    ),
    (
        "client named like the portal's assets",
        |s| {
            fs::copy(s.join("clients/acme.yaml"), s.join("clients/assets.yaml")).unwrap();
        },
        "clients/assets.yaml",
        None,
        &["portal/assets/", "`assets` is reserved"],
    ),
    (
        "client named like a folder of static/",
        |s| {
            fs::copy(s.join("clients/acme.yaml"), s.join("clients/team.yaml")).unwrap();
        },
        "clients/team.yaml",
        None,
        &["static/team/ann.svg", "portal/team/"],
    ),
    (
        "file in static/ where a client's folder goes",
        |s| fs::write(s.join("static/acme"), "x").unwrap(),
        "clients/acme.yaml",
        None,
        &["static/acme", "folder"],
    ),
    // Messages in plain words.
    (
        "key written twice",
        |s| edit(&s.join("team/bo.yaml"), "bio:", "name: Bob\nbio:"),
        "team/bo.yaml",
        Some(5),
        &["`name` is written twice", "first on line 1", "keep one"],
    ),
    (
        "too many aliases",
        |s| {
            let mut yaml = String::from("  a: &a [x, x, x, x, x, x, x, x, x, x]\n");
            for (name, prev) in ["b", "c", "d", "e", "f"]
                .iter()
                .zip(["a", "b", "c", "d", "e"])
            {
                yaml.push_str(&format!(
                    "  {name}: &{name} [{}]\n",
                    vec![format!("*{prev}"); 10].join(", ")
                ));
            }
            yaml.push_str(&format!("  g: [{}]\n", ["*f"].repeat(10).join(", ")));
            edit(
                &s.join("clients/acme.yaml"),
                "internal:\n",
                &format!("internal:\n{yaml}"),
            );
        },
        "clients/acme.yaml",
        None,
        &["too large", "`*name`"],
    ),
    (
        "nesting too deep",
        |s| {
            let deep = format!("{}{}", "[".repeat(2000), "]".repeat(2000));
            edit(
                &s.join("clients/acme.yaml"),
                "internal:\n",
                &format!("internal:\n  deep: {deep}\n"),
            );
        },
        "clients/acme.yaml",
        Some(21),
        &["nested too deeply"],
    ),
    (
        "unclosed quote",
        |s| {
            edit(
                &s.join("team/bo.yaml"),
                "name: Bo Builder",
                "name: \"Bo Builder",
            )
        },
        "team/bo.yaml",
        Some(1),
        &["quoted value is never closed"],
    ),
    (
        "empty front matter",
        |s| fs::write(s.join("journey/020-note.md"), "---\n---\nHello.\n").unwrap(),
        "journey/020-note.md",
        Some(2),
        &["no fields"],
    ),
    (
        "invalid UTF-8 in a profile",
        |s| fs::write(s.join("team/bo.yaml"), b"name: Bo\nrole: Engin\xe9er\n").unwrap(),
        "team/bo.yaml",
        Some(2),
        &["not UTF-8", "0xE9", "save the file as UTF-8"],
    ),
    (
        "invalid UTF-8 in the settings",
        |s| {
            let mut text = fs::read(s.join("hundred.toml")).unwrap();
            text.extend_from_slice(b"# caf\xe9\n");
            fs::write(s.join("hundred.toml"), text).unwrap()
        },
        "hundred.toml",
        Some(12),
        &["not UTF-8", "save the file as UTF-8"],
    ),
    (
        "settings key written twice",
        |s| {
            edit(
                &s.join("hundred.toml"),
                "phone =",
                "name = \"Again\"\nphone =",
            )
        },
        "hundred.toml",
        Some(4),
        &["`name` is written twice", "keep one"],
    ),
    (
        "settings nested too deeply",
        |s| {
            let mut text = fs::read_to_string(s.join("hundred.toml")).unwrap();
            text.push_str(&format!(
                "\n[journey]\nstages = {}{}\n",
                "[".repeat(3000),
                "]".repeat(3000)
            ));
            fs::write(s.join("hundred.toml"), text).unwrap()
        },
        "hundred.toml",
        Some(14),
        &["nested too deeply"],
    ),
    (
        "settings quote never closed",
        |s| {
            edit(
                &s.join("hundred.toml"),
                "name = \"Canary & Co\"",
                "name = \"Canary & Co",
            )
        },
        "hundred.toml",
        Some(2),
        &["quoted value is never closed"],
    ),
    // Web addresses and control characters.
    (
        "website is a script",
        |s| {
            edit(
                &s.join("hundred.toml"),
                "logo =",
                "website = \"javascript:alert(1)\"\nlogo =",
            )
        },
        "hundred.toml",
        Some(5),
        &["firm.website", "https://"],
    ),
    (
        "base URL with a line break",
        |s| {
            edit(
                &s.join("hundred.toml"),
                "https://clients.canary.example/",
                "https://clients.canary.example/\\r\\nX-Injected: 1",
            )
        },
        "hundred.toml",
        Some(8),
        &["portal.base_url", "U+000D"],
    ),
    (
        "member calendar is a script",
        |s| {
            edit(
                &s.join("team/bo.yaml"),
                "bio:",
                "calendar: \"javascript:alert(1)\"\nbio:",
            )
        },
        "team/bo.yaml",
        Some(5),
        &["calendar", "https://"],
    ),
    (
        "direction override in a client name",
        |s| {
            edit(
                &s.join("clients/acme.yaml"),
                "name: Acme Widgets",
                "name: Acme \u{202e}stegdiW",
            )
        },
        "clients/acme.yaml",
        Some(1),
        &["`name`", "U+202E"],
    ),
    (
        "NUL written as an escape in a member name",
        |s| {
            edit(
                &s.join("team/bo.yaml"),
                "name: Bo Builder",
                "name: \"Bo\\0Builder\"",
            )
        },
        "team/bo.yaml",
        Some(1),
        &["`name`", "U+0000"],
    ),
    (
        "zero-width space in a touchpoint title",
        |s| {
            edit(
                &s.join("journey/002-handoff.md"),
                "title: Sales hand-off",
                "title: Sales\u{200b} hand-off",
            )
        },
        "journey/002-handoff.md",
        Some(2),
        &["`title`", "U+200B"],
    ),
    (
        "line break in a contact's email",
        |s| {
            edit(
                &s.join("clients/acme.yaml"),
                "email: wile@acme.example",
                "email: \"wile@acme.example\\r\\nBcc: all@x.example\"",
            )
        },
        "clients/acme.yaml",
        Some(6),
        &["contacts.email", "line break"],
    ),
    (
        "control character in the firm's phone",
        |s| {
            edit(
                &s.join("hundred.toml"),
                "+44 20 0000 0000",
                "+44 20\\u001b[2J",
            )
        },
        "hundred.toml",
        Some(4),
        &["`phone`", "U+001B"],
    ),
];

#[test]
fn bad_input_is_reported_precisely_and_nothing_is_written() {
    let mut failures = Vec::new();
    for (name, breakit, file, line, words) in CASES {
        let site = copy_fixture("canary");
        breakit(site.path());
        let out = site.path().join("public");
        let result = Build::of(site.path()).run();
        let stderr = String::from_utf8_lossy(&result.stderr);
        let location = match line {
            Some(l) => format!("{file}:{l}:"),
            None => format!("{file}:"),
        };
        let mut problems = Vec::new();
        if result.status.code() != Some(1) {
            problems.push(format!("exit code {:?}", result.status.code()));
        }
        if !stderr.contains(&location) {
            problems.push(format!("no `{location}`"));
        }
        for w in *words {
            if !stderr.contains(w) {
                problems.push(format!("no `{w}`"));
            }
        }
        if stderr.contains("panicked") {
            problems.push("panicked".into());
        }
        if out.exists() {
            problems.push("wrote output".into());
        }
        if !problems.is_empty() {
            failures.push(format!("{name}: {}\n{stderr}", problems.join(", ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_failed_build_leaves_the_previous_output_alone() {
    let site = copy_fixture("canary");
    let out = site.path().join("public");
    build_into(site.path(), &out);
    let before = read_tree(&out);
    edit(
        &site.path().join("clients/acme.yaml"),
        "engineer: bo",
        "engineer: nobody",
    );
    Build::of(site.path()).fails();
    assert_eq!(before, read_tree(&out));
}

#[test]
fn refuses_dangerous_output_folders() {
    let site = copy_fixture("canary");
    for output in [
        site.path().to_path_buf(),
        site.path().parent().unwrap().to_path_buf(),
        site.path().join("static/out"),
    ] {
        let result = hundred()
            .arg("build")
            .arg(site.path())
            .arg("--output")
            .arg(&output)
            .output()
            .unwrap();
        assert_eq!(result.status.code(), Some(1), "{}", output.display());
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(stderr.contains("× --output:"), "{stderr}");
    }
    // A folder with someone else's files in it is not ours to replace.
    let foreign = tempfile::TempDir::new().unwrap();
    fs::write(foreign.path().join("thesis.docx"), "years of work").unwrap();
    hundred()
        .arg("build")
        .arg(site.path())
        .arg("--output")
        .arg(foreign.path())
        .assert()
        .code(1);
    assert!(foreign.path().join("thesis.docx").exists());
}

#[test]
fn check_reports_without_writing() {
    let site = copy_fixture("canary");
    hundred()
        .arg("check")
        .arg(site.path())
        .arg("--today")
        .arg(TODAY)
        .assert()
        .success();
    edit(
        &site.path().join("journey/100-review.md"),
        "stage: member",
        "stage: membr",
    );
    let result = hundred()
        .arg("check")
        .arg(site.path())
        .arg("--format")
        .arg("json")
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&result.stdout).unwrap();
    assert_eq!(json["errors"], 1);
    let errors: Vec<&serde_json::Value> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    let d = errors[0];
    assert_eq!(d["file"], "journey/100-review.md");
    assert_eq!(d["line"], 4);
    assert!(!site.path().join("public").exists());
}

#[test]
fn every_problem_is_reported_in_one_run_sorted_by_file() {
    let site = copy_fixture("canary");
    edit(
        &site.path().join("team/bo.yaml"),
        "roles: [engineer, support]",
        "roles: [engineer, support",
    );
    edit(
        &site.path().join("clients/acme.yaml"),
        "billing: cy",
        "billing: cyy",
    );
    edit(
        &site.path().join("journey/100-review.md"),
        "stage: member",
        "stage: membr",
    );
    edit(
        &site.path().join("clients/hostile.yaml"),
        "start: 2026-02-27",
        "start: soon",
    );
    let result = hundred().arg("check").arg(site.path()).output().unwrap();
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    let order: Vec<usize> = [
        "clients/acme.yaml:",
        "clients/hostile.yaml:",
        "journey/100-review.md:",
        "team/bo.yaml:",
    ]
    .iter()
    .map(|f| {
        stderr
            .find(f)
            .unwrap_or_else(|| panic!("{f} not reported:\n{stderr}"))
    })
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "not sorted by file:\n{stderr}"
    );
    // Bo's file did not load, so Acme's reference to `engineer: bo` is not reported as well.
    assert!(!stderr.contains("no team member `bo`"), "{stderr}");
    assert!(stderr.contains("4 error(s)"), "{stderr}");
}

#[test]
fn unchanged_files_keep_their_modification_time() {
    let site = copy_fixture("canary");
    let out = site.path().join("public");
    build_into(site.path(), &out);
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    for route in [
        "portal/acme/index.html",
        "portal/hostile/index.html",
        "internal/clients/acme/index.html",
    ] {
        let f = fs::File::options()
            .write(true)
            .open(out.join(route))
            .unwrap();
        f.set_modified(old).unwrap();
    }
    // Change Acme's welcome note only.
    edit(
        &site.path().join("clients/acme.yaml"),
        "delighted",
        "thrilled",
    );
    build_into(site.path(), &out);
    let mtime = |route: &str| fs::metadata(out.join(route)).unwrap().modified().unwrap();
    assert_eq!(
        mtime("portal/hostile/index.html"),
        old,
        "unchanged page kept its time"
    );
    assert_ne!(
        mtime("portal/acme/index.html"),
        old,
        "changed page has a new time"
    );
    assert!(read(&out.join("portal/acme/index.html")).contains("thrilled"));
}

#[test]
fn a_rebuild_removes_what_the_site_no_longer_has() {
    let site = copy_fixture("canary");
    let out = site.path().join("public");
    build_into(site.path(), &out);
    assert!(out.join("portal/hostile/index.html").is_file());
    fs::remove_file(site.path().join("clients/hostile.yaml")).unwrap();
    build_into(site.path(), &out);
    assert!(
        !out.join("portal/hostile").exists(),
        "a deleted client's folder is gone"
    );
    assert!(!out.join("internal/clients/hostile").exists());
    assert!(out.join("portal/acme/index.html").is_file());
    let leftovers: Vec<String> = read_tree(&out)
        .into_keys()
        .filter(|k| k.contains("hundred-new"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    // Compared with a fresh build, nothing is missing and nothing is extra.
    let fresh = build(site.path());
    assert_eq!(read_tree(&out), read_tree(&fresh.path().join("public")));
}

#[test]
fn a_page_that_fails_to_render_leaves_the_previous_output_alone() {
    // Pages are rendered while the output is written: a render error half-way must still
    // leave the last good output byte for byte, with no temporary files.
    let site = copy_fixture("canary");
    let out = site.path().join("public");
    build_into(site.path(), &out);
    let before = read_tree(&out);
    fs::create_dir_all(site.path().join("templates/portal")).unwrap();
    fs::write(
        site.path().join("templates/portal/journey.html"),
        "{% extends \"portal/base.html\" %}{% block content %}{{ client.internal }}{% endblock content %}",
    )
    .unwrap();
    let stderr = Build::of(site.path()).fails();
    assert!(stderr.contains("templates/portal/journey.html"), "{stderr}");
    assert_eq!(before, read_tree(&out));
}
