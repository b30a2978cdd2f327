//! Reading the site's sources safely: links that stay inside are followed, markdown is cleaned
//! of invisible characters with a warning, watch mode refuses the same links as a build, and
//! the reserved ids README.md lists are the ones the plan derives.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use crate::support::*;

fn build_with_stderr(site: &Path, out: &Path) -> String {
    let result = Build::of(site).output(out).ok();
    String::from_utf8_lossy(&result.stderr).into_owned()
}

#[test]
fn links_that_stay_inside_their_area_are_followed() {
    let site = copy_fixture("canary");
    let s = site.path();
    // static/brand -> static/team (inside static/); a client file kept in another folder of
    // the site and linked into clients/.
    symlink("team", s.join("static/brand")).unwrap();
    fs::create_dir_all(s.join("shared")).unwrap();
    fs::rename(s.join("clients/acme.yaml"), s.join("shared/acme.yaml")).unwrap();
    symlink("../shared/acme.yaml", s.join("clients/acme.yaml")).unwrap();
    let out = tempfile::TempDir::new().unwrap();
    let public = out.path().join("public");
    let stderr = build_with_stderr(s, &public);
    assert!(!stderr.contains("link"), "{stderr}");
    assert!(public.join("portal/brand/ann.svg").is_file());
    assert!(public.join("portal/acme/index.html").is_file());
}

#[test]
fn a_link_out_of_static_publishes_nothing() {
    let site = copy_fixture("canary");
    let s = site.path();
    symlink("../clients", s.join("static/notes")).unwrap();
    let result = hundred()
        .arg("check")
        .arg(s)
        .arg("--format")
        .arg("json")
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(stdout.contains("static/notes"), "{stdout}");
    assert!(stdout.contains("published to clients"), "{stdout}");
}

#[test]
fn markdown_loses_invisible_characters_with_a_warning() {
    let site = copy_fixture("canary");
    let s = site.path();
    let bio = "bio: Bo builds \u{202e}things\u{200b} well.\n";
    let bo = fs::read_to_string(s.join("team/bo.yaml")).unwrap();
    fs::write(
        s.join("team/bo.yaml"),
        bo.replace("bio: Bo builds things.\n", bio),
    )
    .unwrap();
    let note = "---\ntitle: Chapter three\n---\nHello\u{0} there,\n\u{2066}friend\u{2069}.\n";
    fs::write(s.join("playbook/03-note.md"), note).unwrap();
    let out = tempfile::TempDir::new().unwrap();
    let public = out.path().join("public");
    let stderr = build_with_stderr(s, &public);
    assert!(stderr.contains("team/bo.yaml:5:16"), "{stderr}");
    assert!(stderr.contains("U+202E"), "{stderr}");
    assert!(stderr.contains("playbook/03-note.md:4:6"), "{stderr}");
    // Every text file written; font files and the search index (gzip, WebAssembly) are
    // binary and hold zero bytes of their own; the index is made from the pages checked here.
    for (route, bytes) in read_tree(&public) {
        if route.ends_with(".woff2")
            || (route.starts_with("internal/pagefind/") && !route.ends_with(".js"))
        {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        for c in ['\u{202e}', '\u{200b}', '\u{0}', '\u{2066}', '\u{2069}'] {
            assert!(!text.contains(c), "U+{:04X} was written", c as u32);
        }
    }
    let chapter = read(&public.join("internal/playbook/03-note/index.html"));
    assert!(chapter.contains("Hello there"), "{chapter}");
    let member = read(&public.join("internal/team/bo/index.html"));
    assert!(member.contains("Bo builds things well."), "{member}");
}

#[test]
fn watch_mode_reloads_refuse_links_out_of_the_site() {
    let site = copy_fixture("canary");
    let s = site.path();
    let opts = hundred::build::BuildOptions {
        today: Some(hundred::dates::parse(TODAY).unwrap()),
        ..Default::default()
    };
    let mut session = hundred::session::Session::start(s, &opts).unwrap();
    let outside = tempfile::TempDir::new().unwrap();
    fs::copy(
        s.join("clients/acme.yaml"),
        outside.path().join("acme.yaml"),
    )
    .unwrap();
    fs::remove_file(s.join("clients/acme.yaml")).unwrap();
    symlink(
        outside.path().join("acme.yaml"),
        s.join("clients/acme.yaml"),
    )
    .unwrap();
    let problems = match session.update(&[s.join("clients/acme.yaml")]) {
        Err(p) => p.diagnostics.items,
        Ok(_) => panic!("a client file linked from outside the site was loaded"),
    };
    let link = problems
        .iter()
        .find(|d| d.file == Path::new("clients/acme.yaml"))
        .unwrap_or_else(|| panic!("{problems:?}"));
    assert!(link.message.contains("outside the site folder"), "{link}");
    assert!(
        !session.files()["portal/acme/index.html"].is_empty(),
        "the last good pages stay"
    );
}

#[test]
fn check_names_both_sources_of_a_collision() {
    let site = copy_fixture("canary");
    let s = site.path();
    fs::copy(s.join("playbook/01-intro.md"), s.join("playbook/print.md")).unwrap();
    let result = hundred()
        .arg("check")
        .arg(s)
        .arg("--format")
        .arg("json")
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        stdout.contains("\"file\": \"playbook/print.md\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("chapter `print` (playbook/print.md)"),
        "{stdout}"
    );
    assert!(stdout.contains("the printable playbook"), "{stdout}");
}

/// The ids README.md lists as reserved are the ones a plan of an empty site derives, so the
/// list cannot drift from what `hundred` writes.
#[test]
fn readme_lists_every_reserved_id() {
    let site = tempfile::TempDir::new().unwrap();
    fs::copy(
        fixture("canary").join("hundred.toml"),
        site.path().join("hundred.toml"),
    )
    .unwrap();
    let (loaded, _) = hundred::load::load_site(site.path());
    let mut loaded = loaded.expect("the settings load");
    loaded.config.firm.logo = None;
    let plan = hundred::plan::plan_site(&loaded).expect("an empty site plans");
    let reserved = hundred::plan::reserved_ids(&plan);
    assert!(
        reserved.contains(&("client", "assets".to_string())),
        "{reserved:?}"
    );
    assert!(
        reserved.contains(&("chapter", "print".to_string())),
        "{reserved:?}"
    );
    let readme = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"));
    let section = &readme[readme.find("## The site folder").unwrap()..];
    let section = &section[..section.find("\n## ").unwrap()];
    for (kind, id) in &reserved {
        assert!(
            section.contains(&format!("{kind} cannot be `{id}`"))
                || section.contains(&format!("`{id}` (")),
            "README.md's \"The site folder\" does not list the reserved {kind} id `{id}`"
        );
    }
}

/// A line break or tab written as an escape inside a one-line field is reported where that
/// field is, not at the first line break of the file (which is always line 1).
#[test]
fn an_escaped_line_break_is_reported_at_its_field() {
    let site = copy_fixture("canary");
    let s = site.path();
    let acme = fs::read_to_string(s.join("clients/acme.yaml")).unwrap();
    let line = acme.lines().position(|l| l.starts_with("goals:")).unwrap() + 2;
    let goals = "goals:\n  - \"Ship it\\n# now\"\n  - \"Tabbed\\tgoal\"\n";
    fs::write(
        s.join("clients/acme.yaml"),
        acme.replacen("goals:\n", goals, 1),
    )
    .unwrap();
    let result = hundred().arg("check").arg(s).output().unwrap();
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("U+000A"), "{stderr}");
    assert!(stderr.contains("U+0009"), "{stderr}");
    assert!(
        stderr.contains(&format!("clients/acme.yaml:{line}:")),
        "line {line}:\n{stderr}"
    );
    assert!(
        stderr.contains(&format!("clients/acme.yaml:{}:", line + 1)),
        "line {}:\n{stderr}",
        line + 1
    );
    assert!(!stderr.contains("clients/acme.yaml:1:"), "{stderr}");
}

/// An escaped character whose field starts with text an earlier field also has is reported in
/// its own field: `channel: "ca\u0000ll"` is not blamed on the title `Welcome call`.
#[test]
fn an_escaped_character_is_reported_in_its_own_field() {
    let site = copy_fixture("canary");
    let s = site.path();
    let path = s.join("journey/001-welcome-call.md");
    let script = fs::read_to_string(&path).unwrap();
    assert!(script.contains("title: Welcome call\n"));
    let line = script.lines().position(|l| l == "channel: call").unwrap() + 1;
    fs::write(
        &path,
        script.replacen("channel: call", "channel: \"ca\\u0000ll\"", 1),
    )
    .unwrap();
    let result = hundred().arg("check").arg(s).output().unwrap();
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("NUL"), "{stderr}");
    assert!(
        stderr.contains(&format!("journey/001-welcome-call.md:{line}:")),
        "line {line}:\n{stderr}"
    );
}

/// A link in static/ to a device that never stops giving bytes is reported, not read: the
/// report names the link and `check` ends.
#[test]
fn a_link_to_an_endless_device_is_reported_not_read() {
    let site = copy_fixture("canary");
    let s = site.path();
    symlink("/dev/zero", s.join("static/zero")).unwrap();
    let text = check_within_30s(s);
    assert!(text.contains("static/zero"), "{text}");
}

/// A named pipe in place of `hundred.toml` blocks any reader until something writes to it:
/// `check` names it instead of waiting for ever.
#[test]
fn a_named_pipe_as_a_source_is_reported_not_read() {
    let site = copy_fixture("canary");
    let s = site.path();
    fs::remove_file(s.join("hundred.toml")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(s.join("hundred.toml"))
        .status()
        .unwrap();
    assert!(made.success());
    let text = check_within_30s(s);
    assert!(
        text.contains("hundred.toml") && text.contains("not a plain file"),
        "{text}"
    );
}

/// Runs `hundred check` on `s`, expecting it to fail within 30 s; its standard error.
fn check_within_30s(s: &Path) -> String {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hundred"))
        .arg("check")
        .arg(s)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        let _ = tx.send(text);
    });
    let Ok(text) = rx.recv_timeout(std::time::Duration::from_secs(30)) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("check did not end within 30 s");
    };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{text}");
    text
}

/// Files of static/ whose routes differ from another output's only in case are one file on
/// macOS and Windows: `check` reports them as collisions, naming both.
#[test]
fn routes_that_differ_only_in_case_collide() {
    let site = copy_fixture("canary");
    let s = site.path();
    fs::write(s.join("static/Index.html"), "x").unwrap();
    fs::create_dir_all(s.join("static/ACME")).unwrap();
    fs::write(s.join("static/ACME/notes.txt"), "x").unwrap();
    fs::write(s.join("static/Logo.SVG"), "x").unwrap();
    let result = hundred().arg("check").arg(s).output().unwrap();
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr).replace("\n  │ ", " ");
    for needle in [
        "static/Index.html",
        "portal/index.html",
        "static/ACME/notes.txt",
        "client `acme`",
        "static/Logo.SVG",
        "ignores case",
    ] {
        assert!(stderr.contains(needle), "{needle}:\n{stderr}");
    }
    // Case alone, with nothing else of that name, is fine.
    for f in ["Index.html", "ACME/notes.txt", "Logo.SVG"] {
        fs::remove_file(s.join("static").join(f)).unwrap();
    }
    fs::write(s.join("static/Brochure.PDF"), "x").unwrap();
    let result = hundred().arg("check").arg(s).output().unwrap();
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
}

/// `static/portal/` is published in the portal alone and `static/internal/` in the internal
/// site alone, each without its folder's name; any other file of `static/` in both sites.
#[test]
fn static_portal_and_internal_go_to_one_site_each() {
    let site = copy_fixture("canary");
    let s = site.path();
    fs::create_dir_all(s.join("static/portal/docs")).unwrap();
    fs::create_dir_all(s.join("static/internal")).unwrap();
    fs::write(s.join("static/portal/docs/terms.txt"), "for clients").unwrap();
    fs::write(s.join("static/internal/rota.txt"), "for the team").unwrap();
    fs::write(s.join("static/shared.txt"), "for everyone").unwrap();
    let out = build(s);
    let public = out.path().join("public");
    assert_eq!(read(&public.join("portal/docs/terms.txt")), "for clients");
    assert_eq!(read(&public.join("internal/rota.txt")), "for the team");
    assert_eq!(read(&public.join("portal/shared.txt")), "for everyone");
    assert_eq!(read(&public.join("internal/shared.txt")), "for everyone");
    for absent in [
        "internal/docs/terms.txt",
        "portal/portal/docs/terms.txt",
        "internal/portal/docs/terms.txt",
        "portal/rota.txt",
        "portal/internal/rota.txt",
        "internal/internal/rota.txt",
    ] {
        assert!(!public.join(absent).exists(), "{absent} was written");
    }
    // The logo and the photos at the top of static/ are published as before.
    assert!(public.join("portal/logo.svg").is_file());
    assert!(public.join("internal/logo.svg").is_file());
    assert!(public.join("internal/team/ann.svg").is_file());
    assert!(public.join("portal/acme/assets/team/ann.svg").is_file());
}

/// A file of `static/portal/` and one at the top of `static/` with the same name would both be
/// the portal's file: `check` reports it, naming both.
#[test]
fn a_static_file_for_one_site_collides_with_one_for_both() {
    let site = copy_fixture("canary");
    let s = site.path();
    fs::create_dir_all(s.join("static/portal")).unwrap();
    fs::write(s.join("static/portal/notes.txt"), "portal").unwrap();
    fs::write(s.join("static/notes.txt"), "both").unwrap();
    let result = hundred()
        .arg("check")
        .arg(s)
        .arg("--format")
        .arg("json")
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        stdout.contains("static/notes.txt and static/portal/notes.txt would both be written to portal/notes.txt")
            || stdout.contains("static/portal/notes.txt and static/notes.txt would both be written to portal/notes.txt"),
        "{stdout}"
    );
    // The internal site has only the file for both: nothing collides there.
    assert!(!stdout.contains("internal/notes.txt"), "{stdout}");
}
