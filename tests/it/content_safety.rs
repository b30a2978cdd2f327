//! Content cannot put markup on a page: heading attributes in every markdown source keep only a
//! plain id and classes (with a warning naming file and line for what goes), values put into
//! scripts cannot add markdown structure, portal templates cannot reach scripts or internal
//! templates, and runaway loops stop with an error naming their file.

use std::fs;
use std::path::Path;

use crate::support::*;

/// Heading attribute blocks, each put on a heading of its own in every markdown source.
const PAYLOADS: &[&str] = &[
    "{tabindex=0 autofocus onfocus=document.body.setAttribute('data-pwned',location.href)}",
    "{#x onclick=y}",
    "{.a onmouseover=b}",
    "{style=color:red}",
    "{id=x onload=y}",
    "{#\"><script>}",
    "{#a\"b onerror=c}",
    "{.c'd onblur=e}",
    "{.k`l onpointerenter=m}",
    "{ONCLICK=x}",
    "{#ü .é onfocusin=x}",
    "{data-x=1 onanimationstart=x}",
    "{#ok onclick=\"y\"}",
    "{.fine onclick='y'}",
    "{#x .y autofocus}",
];

/// `# <label><n> <payload>` for each payload, blank-line separated, indented by `indent`.
fn headings(label: &str, indent: &str) -> String {
    PAYLOADS
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{indent}# {label}{i} {p}\n{indent}\n"))
        .collect()
}

/// The canary fixture with every payload in every markdown source, and names that try to add
/// markdown wherever a script puts them.
fn hostile_site() -> tempfile::TempDir {
    let site = copy_fixture("canary");
    let s = site.path();
    fs::write(
        s.join("clients/acme.yaml"),
        format!(
            "name: \"O'Brien & Sons *Ltd* [x](javascript:alert(1)) {{onfocus=alert(1)}}\"
start: 2026-11-17
contacts:
  - name: \"Wile {{onclick=alert(2)}}\"
    role: \"# Founder\"
    email: wile@acme.example
team:
  account-lead: ann
  engineer: bo
  billing: cy
goals:
  - \"Ship {{tabindex=0 onfocus=x}}\"
welcome: |
{}internal:
  handoff: |
{}  risks:
    - |
{}",
            headings("Welcome", "  "),
            headings("Handoff", "    "),
            headings("Risk", "      "),
        ),
    )
    .unwrap();
    let ann = fs::read_to_string(s.join("team/ann.yaml")).unwrap();
    let ann = ann
        .replacen("name: Ann Lead", "name: \"Ann {onmouseover=alert(3)}\"", 1)
        .replacen("bio: |\n", &format!("bio: |\n{}", headings("Bio", "  ")), 1);
    fs::write(s.join("team/ann.yaml"), ann).unwrap();
    // In a script `{#` would open a Tera comment: the payloads go in raw, as an author would.
    let script_headings: String = PAYLOADS
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{{% raw %}}## Script{i} {p}{{% endraw %}}\n\n"))
        .collect();
    fs::write(
        s.join("journey/050-payload.md"),
        format!(
            "---
title: Payloads
day: 5
stage: customer
channel: call
owner: account-lead
---
## Call {{{{ client.name }}}}

## With {{{{ client.contact.name }}}} {{{{ client.contact.role }}}}

## Owner {{{{ owner.name }}}}

Call {{{{ client.name }}}} about {{{{ client.goals | first }}}}.

{script_headings}"
        ),
    )
    .unwrap();
    fs::write(
        s.join("playbook/03-payload.md"),
        format!("---\ntitle: Payloads\n---\n{}", headings("Chapter", "")),
    )
    .unwrap();
    site
}

/// Elements of an HTML document as a browser's tokenizer reads them: tag name and attributes
/// (names lowercased, values with character references decoded), skipping comments, doctypes
/// and the text of scripts and styles.
fn elements(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let until = |from: usize, pat: &str| html[from..].find(pat).map_or(b.len(), |k| from + k);
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        if html[i..].starts_with("<!--") {
            i = until(i, "-->") + 3;
            continue;
        }
        if matches!(b.get(i + 1), Some(b'!' | b'?' | b'/')) {
            i = until(i, ">") + 1;
            continue;
        }
        if !b.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic()) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' && b[j] != b'/' {
            j += 1;
        }
        let tag = html[i + 1..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                break;
            }
            let start = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'>' | b'/' | b'=')
                || j == start && b[j] == b'='
            {
                j += 1;
            }
            let name = html[start..j].to_ascii_lowercase();
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let mut value = String::new();
            if b.get(j) == Some(&b'=') {
                j += 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if let Some(q @ (b'"' | b'\'')) = b.get(j).copied() {
                    let end = html[j + 1..].find(q as char).map_or(b.len(), |k| j + 1 + k);
                    value = decode(&html[j + 1..end]);
                    j = end + 1;
                } else {
                    let start = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = decode(&html[start..j]);
                }
            }
            attrs.push((name, value));
        }
        i = j + 1;
        if tag == "script" || tag == "style" {
            i = until(i, &format!("</{tag}"));
        }
        out.push((tag, attrs));
    }
    out
}

/// Character references as a browser decodes them (the ones our output can hold).
fn decode(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';').filter(|k| *k < 12) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..semi];
        let c = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16)
                .ok()
                .and_then(char::from_u32),
            n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text of a page, tags removed and references decoded.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    decode(&out)
}

fn plain(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What is wrong with one page's elements: event handlers, focus grabbing or styles anywhere,
/// and headings with anything but plain ids and classes.
fn problems(route: &str, html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (tag, attrs) in elements(html) {
        let heading = matches!(tag.as_str(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6");
        for (name, value) in &attrs {
            let bad = name.starts_with("on")
                || name == "autofocus"
                || name == "tabindex"
                || name.starts_with("data-pwned")
                || (heading && !matches!(name.as_str(), "id" | "class"))
                || (heading && name == "id" && !plain(value))
                || (heading && name == "class" && !value.split_whitespace().all(plain));
            if bad {
                found.push(format!("{route}: <{tag} {name}={value:?}>"));
            }
        }
    }
    found
}

#[test]
fn no_markdown_source_or_substituted_value_can_add_attributes() {
    let site = hostile_site();
    let out = build(site.path());
    let files = read_tree(&out.path().join("public"));
    let mut found = Vec::new();
    let mut pages = 0;
    for (route, bytes) in &files {
        if route.ends_with(".html") {
            pages += 1;
            found.extend(problems(route, &String::from_utf8_lossy(bytes)));
        }
    }
    assert!(pages > 20, "only {pages} pages");
    assert!(found.is_empty(), "{}", found.join("\n"));

    // The payloads did reach the pages, as text or as dropped attributes: the test saw them.
    let runbook = String::from_utf8_lossy(&files["internal/clients/acme/index.html"]).to_string();
    let welcome = String::from_utf8_lossy(&files["portal/acme/index.html"]).to_string();
    let chapter = String::from_utf8_lossy(&files["internal/playbook/03-payload/index.html"]);
    for (page, words) in [
        (&runbook, &["Handoff0", "Risk0", "Script0"][..]),
        (&welcome, &["Welcome0"][..]),
        (&chapter.to_string(), &["Chapter0"][..]),
    ] {
        for w in words {
            assert!(page.contains(w), "no {w}");
        }
    }
    // A plain id and class survive.
    assert!(runbook.contains("payload--ok"), "{runbook}");

    // Values put into a script are text, in headings and in paragraphs, and read as written
    // (in the pages' typography: the apostrophe is a curly one, as everywhere).
    let runbook_text = text(&runbook);
    for shown in [
        "Call O’Brien & Sons *Ltd* [x](javascript:alert(1)) {onfocus=alert(1)}",
        "With Wile {onclick=alert(2)} # Founder",
        "Owner Ann {onmouseover=alert(3)}",
        "about Ship {tabindex=0 onfocus=x}.",
    ] {
        assert!(
            runbook_text.contains(shown),
            "no {shown:?} in\n{runbook_text}"
        );
    }
    assert!(!runbook.contains("<em>Ltd</em>"), "markdown from a name");
    let links: Vec<String> = elements(&runbook)
        .into_iter()
        .flat_map(|(_, attrs)| attrs)
        .filter(|(n, v)| (n == "href" || n == "src") && v.contains("javascript"))
        .map(|(n, v)| format!("{n}={v}"))
        .collect();
    assert!(links.is_empty(), "a link from a name: {links:?}");
}

#[test]
fn check_warns_about_dropped_attributes_with_file_and_line() {
    let site = hostile_site();
    let result = hundred()
        .arg("check")
        .arg(site.path())
        .arg("--format")
        .arg("json")
        .arg("--today")
        .arg(TODAY)
        .output()
        .unwrap();
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&result.stdout).unwrap();
    let warnings: Vec<(String, u64, String)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["severity"] == "warning" && d["message"].as_str().unwrap().contains("left out")
        })
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // The first payload's heading in each source, at the line it is written on.
    let line_of = |file: &str, needle: &str| -> u64 {
        let text = fs::read_to_string(site.path().join(file)).unwrap();
        text.lines().position(|l| l.contains(needle)).unwrap() as u64 + 1
    };
    for (file, heading) in [
        ("clients/acme.yaml", "# Welcome0 "),
        ("clients/acme.yaml", "# Handoff0 "),
        ("clients/acme.yaml", "# Risk0 "),
        ("team/ann.yaml", "# Bio0 "),
        ("journey/050-payload.md", "## Script0 "),
        ("playbook/03-payload.md", "# Chapter0 "),
    ] {
        let line = line_of(file, heading);
        let hit = warnings
            .iter()
            .find(|(f, l, _)| f == file && *l == line)
            .unwrap_or_else(|| panic!("no warning for {file}:{line}: {warnings:#?}"));
        assert!(hit.2.contains("onfocus=document"), "{hit:?}");
    }
    // Nothing is said about what is kept, nor about a script's `{{ … }}`.
    assert!(
        !warnings.iter().any(|(_, _, m)| m.contains("client.name")),
        "{warnings:#?}"
    );
    // `build` shows the same warnings and succeeds.
    let out = tempfile::TempDir::new().unwrap();
    let result = Build::of(site.path())
        .output(&out.path().join("public"))
        .ok();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("playbook/03-payload.md:4:") && stderr.contains("left out"),
        "{stderr}"
    );
}

/// Builds `site` into its own `public/`, expecting failure and nothing written; returns stderr.
fn failing_build(site: &Path) -> String {
    let stderr = Build::of(site).fails();
    assert!(!site.join("public").exists(), "wrote output");
    stderr
}

#[test]
fn portal_templates_cannot_reach_scripts_or_internal_templates() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        // A script, with and without a site template of the same name to satisfy the loader.
        ("journey/001-welcome-call.md", "journey script", None),
        (
            "journey/002-handoff.md",
            "journey script",
            Some("journey/002-handoff.md"),
        ),
        ("internal/runbook.html", "internal site", None),
        ("partials/runbook_body.html", "internal site", None),
    ];
    for (target, words, placeholder) in cases {
        let site = copy_fixture("canary");
        let s = site.path();
        fs::create_dir_all(s.join("templates/portal")).unwrap();
        fs::write(
            s.join("templates/portal/welcome.html"),
            format!(
                "{{% extends \"portal/base.html\" %}}\n{{% block content %}}\n<p>{{% include \"{target}\" %}}</p>\n{{% endblock content %}}\n"
            ),
        )
        .unwrap();
        if let Some(p) = placeholder {
            let path = s.join("templates").join(p);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "placeholder").unwrap();
        }
        let stderr = failing_build(s);
        assert!(
            stderr.contains("templates/portal/welcome.html:3:") && stderr.contains(words),
            "{target}: {stderr}"
        );
        assert!(stderr.contains("help"), "{stderr}");
    }
}

#[test]
fn portal_templates_cannot_extend_internal_ones() {
    let site = copy_fixture("canary");
    let s = site.path();
    fs::create_dir_all(s.join("templates/portal")).unwrap();
    fs::write(
        s.join("templates/portal/team.html"),
        "{% extends \"internal/base.html\" %}\n{% block content %}{% endblock content %}\n",
    )
    .unwrap();
    let stderr = failing_build(s);
    assert!(
        stderr.contains("templates/portal/team.html:1:") && stderr.contains("internal site"),
        "{stderr}"
    );
}

#[test]
fn the_internal_site_can_still_use_its_own_templates() {
    // A site partial shared by both sites, and an internal override including an internal
    // partial: only what the portal uses is held to the portal's rules.
    let site = copy_fixture("canary");
    let s = site.path();
    fs::create_dir_all(s.join("templates/partials")).unwrap();
    fs::create_dir_all(s.join("templates/internal")).unwrap();
    fs::write(
        s.join("templates/partials/extra.html"),
        "{% include \"partials/due_table.html\" %}",
    )
    .unwrap();
    let clients = include_str!("../../themes/default/templates/internal/clients.html");
    fs::write(
        s.join("templates/internal/clients.html"),
        clients.replacen(
            "{% include \"partials/client_table.html\" %}",
            "{% include \"partials/client_table.html\" %}{% set items = [] %}{% include \"partials/extra.html\" %}",
            1,
        ),
    )
    .unwrap();
    build(s);
}

#[test]
fn nested_loops_stop_with_an_error_naming_the_file() {
    // Nested `range` calls: stopped by the count of elements, whatever the machine's speed.
    let site = copy_fixture("canary");
    let s = site.path();
    fs::write(
        s.join("journey/060-loop.md"),
        "---\ntitle: Loop\nday: 6\nstage: customer\nchannel: call\nowner: account-lead\n---\nHi\n{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}\n",
    )
    .unwrap();
    let stderr = failing_build(s);
    assert!(
        stderr.contains("journey/060-loop.md:9:") && stderr.contains("stopped"),
        "{stderr}"
    );
    assert!(stderr.contains("loops inside loops"), "{stderr}");

    // One list looped over twice, writing as it goes: stopped by the page's time limit (set
    // low here through the environment), in an HTML template as well.
    let site = copy_fixture("canary");
    let s = site.path();
    fs::create_dir_all(s.join("templates/internal")).unwrap();
    let team = include_str!("../../themes/default/templates/internal/team.html");
    fs::write(
        s.join("templates/internal/team.html"),
        team.replacen(
            "{% block content %}",
            "{% block content %}{% set r = range(end=100000) %}{% for i in r %}{% for j in r %}x{% endfor %}{% endfor %}",
            1,
        ),
    )
    .unwrap();
    let stderr = Build::of(s)
        .no_minify()
        .env("HUNDRED_PAGE_TIME_LIMIT", "0.5")
        .fails();
    assert!(
        stderr.contains("templates/internal/team.html") && stderr.contains("took more than 0.5 s"),
        "{stderr}"
    );
}

#[test]
fn template_mistakes_name_their_file_and_line() {
    // Two partials that include each other.
    let site = copy_fixture("canary");
    let s = site.path();
    fs::create_dir_all(s.join("templates/partials")).unwrap();
    fs::write(
        s.join("templates/partials/a.html"),
        "<p>a</p>\n{% include \"partials/b.html\" %}\n",
    )
    .unwrap();
    fs::write(
        s.join("templates/partials/b.html"),
        "<p>b</p>\n\n{% include \"partials/a.html\" %}\n",
    )
    .unwrap();
    let stderr = failing_build(s);
    assert!(
        stderr.contains("templates/partials/b.html:3:")
            && stderr.contains("include each other in")
            && stderr.contains("partials/a.html -> partials/b.html ->"),
        "{stderr}"
    );
    assert!(stderr.contains("help"), "{stderr}");

    // Two templates that extend each other.
    let site = copy_fixture("canary");
    let s = site.path();
    fs::create_dir_all(s.join("templates/partials")).unwrap();
    fs::write(
        s.join("templates/partials/a.html"),
        "{% extends \"partials/b.html\" %}\n",
    )
    .unwrap();
    fs::write(
        s.join("templates/partials/b.html"),
        "\n{% extends \"partials/a.html\" %}\n",
    )
    .unwrap();
    let stderr = failing_build(s);
    assert!(
        stderr.contains("templates/partials/b.html:2:") && stderr.contains("extend each other"),
        "{stderr}"
    );

    // A filter that does not exist, in an override.
    let site = copy_fixture("canary");
    let s = site.path();
    fs::create_dir_all(s.join("templates/portal")).unwrap();
    fs::write(
        s.join("templates/portal/team.html"),
        "{% extends \"portal/base.html\" %}\n{% block content %}\n{{ client.name | shout }}\n{% endblock content %}\n",
    )
    .unwrap();
    let stderr = failing_build(s);
    assert!(
        stderr.contains("templates/portal/team.html:3:") && stderr.contains("filter `shout`"),
        "{stderr}"
    );
    assert!(!stderr.contains("\ntemplates:"), "{stderr}");
}

#[test]
fn serve_renders_with_the_same_engines() {
    use hundred::build::BuildOptions;
    use hundred::session::Session;
    let dir = copy_fixture("canary");
    let site = dir.path();
    let opts = BuildOptions {
        today: Some(hundred::dates::parse(TODAY).unwrap()),
        minify: Some(false),
        ..BuildOptions::default()
    };
    let mut session = Session::start(site, &opts).unwrap();

    // A script's new body (swapped into the running engines) still gets inert values.
    let script = site.join("journey/002-handoff.md");
    let text = fs::read_to_string(&script).unwrap();
    fs::write(&script, format!("{text}\n## For {{{{ client.name }}}}\n")).unwrap();
    let acme = site.join("clients/acme.yaml");
    let text = fs::read_to_string(&acme).unwrap();
    fs::write(
        &acme,
        text.replacen("name: Acme Widgets", "name: \"Acme {onfocus=alert(1)}\"", 1),
    )
    .unwrap();
    session
        .update(&[script.clone(), acme.clone()])
        .unwrap_or_else(|f| panic!("{:?}", f.diagnostics));
    let files = session.files();
    let runbook = String::from_utf8_lossy(&files["internal/clients/acme/index.html"]).to_string();
    assert!(problems("runbook", &runbook).is_empty(), "{runbook}");
    assert!(text_contains(&runbook, "For Acme {onfocus=alert(1)}"));

    // A portal override that includes a script fails, naming the override.
    fs::create_dir_all(site.join("templates/portal")).unwrap();
    let welcome = site.join("templates/portal/welcome.html");
    fs::write(
        &welcome,
        "{% extends \"portal/base.html\" %}\n{% block content %}{% include \"journey/002-handoff.md\" %}{% endblock content %}\n",
    )
    .unwrap();
    let failure = session.update(&[welcome]).unwrap_err();
    assert!(
        failure.diagnostics.items.iter().any(|d| {
            d.file == Path::new("templates/portal/welcome.html")
                && d.position.map(|p| p.line) == Some(2)
                && d.message.contains("journey script")
        }),
        "{:?}",
        failure.diagnostics
    );
}

fn text_contains(html: &str, words: &str) -> bool {
    text(html).contains(words)
}
