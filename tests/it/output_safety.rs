//! What a build may do to its output folder: delete only files hundred wrote, refuse folders
//! it must not touch however the path is spelled, and leave the previous output (and no
//! temporary files) when it fails, whether on a full disk, half-way through renaming, or
//! because another build is writing.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::support::*;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What the build said on stderr, with all white space (and the report's frame) removed:
/// reports are wrapped at 80 columns, anywhere in a long path. Compare with [`squash`]ed text.
fn stderr(o: &Output) -> String {
    squash(&String::from_utf8_lossy(&o.stderr))
}

fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '│')
        .collect()
}

/// Temporary files or staging folders anywhere under `out`.
fn temporaries(out: &Path) -> Vec<String> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .filter(|p| p.contains(".hundred-stage-") || p.contains(".hundred-new"))
        .collect()
}

#[test]
fn a_rebuild_leaves_files_hundred_did_not_write() {
    let site = copy_fixture("canary");
    let out = site.path().join("public");
    build_into(site.path(), &out);
    put(
        &out.join("internal/.htaccess"),
        "AuthType Basic\nRequire valid-user\n",
    );
    put(&out.join("portal/acme/uploads/contract.pdf"), "signed");
    put(&out.join("portal/hostile/uploads/brief.pdf"), "theirs");
    put(&out.join("README.txt"), "how we deploy");
    // An empty folder someone made is not hundred's to remove either.
    fs::create_dir_all(out.join("portal/acme/drafts")).unwrap();

    let again = Build::of(site.path()).output(&out).run();
    assert!(again.status.success(), "{}", stderr(&again));
    let said = stdout(&again);
    assert!(said.contains("(0 written, 0 removed)"), "{said}");
    assert!(
        said.contains("Left 4 file(s) hundred did not write: README.txt, internal/.htaccess, portal/acme/uploads/contract.pdf, portal/hostile/uploads/brief.pdf"),
        "{said}"
    );
    assert_eq!(
        read(&out.join("internal/.htaccess")),
        "AuthType Basic\nRequire valid-user\n"
    );

    // A deleted client's files go; the folder holding someone's upload stays, with the upload.
    fs::remove_file(site.path().join("clients/hostile.yaml")).unwrap();
    let without = Build::of(site.path()).output(&out).run();
    assert!(without.status.success(), "{}", stderr(&without));
    assert!(!out.join("portal/hostile/index.html").exists());
    assert!(!out.join("internal/clients/hostile").exists());
    assert_eq!(
        read(&out.join("portal/hostile/uploads/brief.pdf")),
        "theirs"
    );
    let left: Vec<String> = read_tree(&out.join("portal/hostile")).into_keys().collect();
    assert_eq!(left, ["uploads/brief.pdf"]);
    for kept in [
        "portal/acme/uploads/contract.pdf",
        "README.txt",
        "internal/.htaccess",
    ] {
        assert!(out.join(kept).is_file(), "{kept}");
    }
    assert!(out.join("portal/acme/drafts").is_dir());
}

#[test]
fn an_output_without_a_manifest_is_treated_as_before() {
    // An output written by an older hundred has no manifest: every file under portal/ and
    // internal/ counts as hundred's, as it did then, and the manifest is written.
    let site = copy_fixture("canary");
    let out = site.path().join("public");
    build_into(site.path(), &out);
    fs::remove_file(out.join(".hundred-manifest")).unwrap();
    put(&out.join("portal/acme/stray.html"), "old page");
    let again = Build::of(site.path()).output(&out).run();
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stdout(&again).contains("1 removed"), "{}", stdout(&again));
    assert!(!out.join("portal/acme/stray.html").exists());
    let manifest = read(&out.join(".hundred-manifest"));
    assert!(manifest.lines().any(|l| l == "portal/acme/index.html"));
    assert!(!manifest.contains("stray"));
    // Its top level is still checked: without a manifest, a foreign file there refuses.
    fs::remove_file(out.join(".hundred-manifest")).unwrap();
    put(&out.join("thesis.docx"), "years of work");
    let refused = Build::of(site.path()).output(&out).run();
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains(&squash("thesis.docx")),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn a_foreign_file_where_hundred_writes_stops_the_build() {
    let site = copy_fixture("canary");
    let out = site.path().join("public");
    build_into(site.path(), &out);
    put(&out.join("internal/notes.txt"), "my notes");
    put(&out.join("portal/guide"), "a file, where a folder will go");
    let before = read_tree(&out);
    put(&site.path().join("static/notes.txt"), "the site's notes");
    put(&site.path().join("static/guide/a.txt"), "a guide");
    let result = Build::of(site.path()).output(&out).run();
    assert_eq!(result.status.code(), Some(1));
    let err = stderr(&result);
    assert!(
        err.contains(&squash("internal/notes.txt: a file hundred did not write")),
        "{err}"
    );
    assert!(
        err.contains(&squash("portal/guide: a file hundred did not write")),
        "{err}"
    );
    assert!(err.contains(&squash("move these away")), "{err}");
    assert_eq!(read_tree(&out), before, "nothing changed");
    assert!(temporaries(&out).is_empty());
}

#[test]
fn a_folder_of_hundreds_files_becomes_a_file_and_back() {
    let site = copy_fixture("canary");
    let out = site.path().join("public");
    put(&site.path().join("static/docs/a.txt"), "a");
    put(&site.path().join("static/docs/deep/b.txt"), "b");
    build_into(site.path(), &out);
    assert!(out.join("portal/docs/deep/b.txt").is_file());

    fs::remove_dir_all(site.path().join("static/docs")).unwrap();
    put(&site.path().join("static/docs"), "now a file");
    build_into(site.path(), &out);
    assert_eq!(read(&out.join("portal/docs")), "now a file");
    assert_eq!(read(&out.join("internal/docs")), "now a file");

    fs::remove_file(site.path().join("static/docs")).unwrap();
    put(&site.path().join("static/docs/a.txt"), "a again");
    build_into(site.path(), &out);
    assert_eq!(read(&out.join("portal/docs/a.txt")), "a again");
    let fresh = build(site.path());
    assert_eq!(read_tree(&out), read_tree(&fresh.path().join("public")));

    // A folder holding someone else's file is not replaced: the build stops, naming it.
    put(&out.join("portal/docs/mine.txt"), "mine");
    fs::remove_dir_all(site.path().join("static/docs")).unwrap();
    put(&site.path().join("static/docs"), "a file again");
    let before = read_tree(&out);
    let result = Build::of(site.path()).output(&out).run();
    assert_eq!(result.status.code(), Some(1));
    assert!(
        stderr(&result).contains(&squash("portal/docs/mine.txt")),
        "{}",
        stderr(&result)
    );
    assert_eq!(read_tree(&out), before);
}

#[test]
fn a_full_disk_leaves_the_previous_output_and_no_temporary_files() {
    let site = copy_fixture("canary");
    let out = site.path().join("public");
    build_into(site.path(), &out);
    // The firm's name is on every page: every page changes.
    edit(
        &site.path().join("hundred.toml"),
        "Canary & Co",
        "Finch & Co",
    );
    let before = read_tree(&out);
    // The debug binary fails its Nth temporary file after a partial write, as a full disk does.
    for n in ["1", "9", "20"] {
        let result = Build::of(site.path())
            .output(&out)
            .env("HUNDRED_TEST_FAIL_WRITE", n)
            .run();
        assert_eq!(result.status.code(), Some(1));
        let err = stderr(&result);
        assert!(err.contains(&squash("cannot write")), "{err}");
        assert!(err.contains(&squash("No space left on device")), "{err}");
        let named = squash(&format!("cannot write {}/", out.display()));
        assert!(err.contains(&named), "names the file: {err}");
        assert_eq!(read_tree(&out), before);
        assert!(temporaries(&out).is_empty(), "{:?}", temporaries(&out));
    }
    // Into a new folder: no folder is left behind either.
    let fresh = tempfile::TempDir::new().unwrap();
    let target = fresh.path().join("a/b/public");
    let result = Build::of(site.path())
        .output(&target)
        .env("HUNDRED_TEST_FAIL_WRITE", "5")
        .run();
    assert_eq!(result.status.code(), Some(1));
    assert!(!fresh.path().join("a").exists());
}

#[test]
fn a_failure_while_renaming_says_what_was_replaced() {
    let site = copy_fixture("canary");
    let out = site.path().join("public");
    build_into(site.path(), &out);
    // The firm's name is on every page: every page changes.
    edit(
        &site.path().join("hundred.toml"),
        "Canary & Co",
        "Finch & Co",
    );
    let result = Build::of(site.path())
        .output(&out)
        .env("HUNDRED_TEST_FAIL_RENAME", "2")
        .run();
    assert_eq!(result.status.code(), Some(1));
    let err = stderr(&result);
    assert!(
        err.contains(&squash("half replaced: cannot replace")),
        "{err}"
    );
    assert!(
        err.contains(&squash("were put in place (")) && err.contains(&squash("1 were not (")),
        "{err}"
    );
    assert!(
        err.contains(&squash("the output is partly replaced")),
        "{err}"
    );
    assert!(!err.contains(&squash("nothing was written")), "{err}");
    assert!(temporaries(&out).is_empty(), "{:?}", temporaries(&out));
    // The next build finishes the job.
    build_into(site.path(), &out);
    let fresh = build(site.path());
    assert_eq!(read_tree(&out), read_tree(&fresh.path().join("public")));
}

#[test]
fn leftovers_of_a_killed_build_are_removed() {
    let site = copy_fixture("canary");
    let out = site.path().join("public");
    build_into(site.path(), &out);
    // What `kill -9` leaves: a staging folder, and an older hundred's temporary files.
    put(
        &out.join(".hundred-stage-4242-17/12"),
        "<!doctype html><p>half",
    );
    put(&out.join("portal/acme/.index.html.hundred-new"), "half");
    let again = Build::of(site.path()).output(&out).run();
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(temporaries(&out).is_empty(), "{:?}", temporaries(&out));
    assert!(!stdout(&again).contains("Left"), "{}", stdout(&again));
}

#[test]
fn a_second_build_into_the_same_folder_stops_while_one_writes() {
    let site = copy_fixture("canary");
    let out = site.path().join("public");
    build_into(site.path(), &out);
    edit(
        &site.path().join("clients/acme.yaml"),
        "delighted",
        "thrilled",
    );
    let before = read_tree(&out);
    // Another build holds the lock: this one stops, touching nothing.
    let lock = fs::OpenOptions::new()
        .write(true)
        .open(out.join(".hundred-lock"))
        .unwrap();
    lock.lock().unwrap();
    let result = Build::of(site.path()).output(&out).run();
    assert_eq!(result.status.code(), Some(1));
    assert!(
        stderr(&result).contains(&squash("another hundred is writing to")),
        "{}",
        stderr(&result)
    );
    assert_eq!(read_tree(&out), before);
    drop(lock);

    // Builds started together: each finishes or stops with that message; the output is whole.
    let children: Vec<_> = (0..3)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_hundred"))
                .arg("build")
                .arg(site.path())
                .args(["--today", TODAY])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let done = child.wait_with_output().unwrap();
        assert!(
            done.status.success() || stderr(&done).contains(&squash("another hundred is writing")),
            "{}",
            stderr(&done)
        );
    }
    build_into(site.path(), &out);
    let fresh = build(site.path());
    assert_eq!(read_tree(&out), read_tree(&fresh.path().join("public")));
    assert!(temporaries(&out).is_empty());
}

#[test]
fn output_paths_are_checked_after_resolving_dot_dot() {
    let dir = tempfile::TempDir::new().unwrap();
    let site = dir.path().join("site");
    copy_dir(&fixture("canary"), &site);
    let outside_before: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for (output, why) in [
        ("site/new/../..", "contains the site's sources"),
        ("site/new/../../..", "contains the site's sources"),
        ("/nonexistent/..", "root of the file system"),
        ("site/public/../", "the site folder itself"),
        ("site/public/../static/x", "static/ folder"),
        ("elsewhere/../site/new/../static", "static/ folder"),
    ] {
        let result = hundred()
            .current_dir(dir.path())
            .arg("build")
            .arg("site")
            .args(["--output", output, "--today", TODAY])
            .output()
            .unwrap();
        assert_eq!(
            result.status.code(),
            Some(1),
            "{output}: {}",
            stdout(&result)
        );
        let err = stderr(&result);
        assert!(
            err.contains(&squash("cannot be the output")) && err.contains(&squash(why)),
            "{output}: {err}"
        );
        assert!(!site.join("new").exists() && !site.join("public").exists());
        assert!(!dir.path().join("elsewhere").exists());
    }
    let outside_after: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(outside_before, outside_after);
    // A path with `..` that resolves to a folder of its own is fine, and is where it writes.
    let result = hundred()
        .current_dir(dir.path())
        .arg("build")
        .arg("site")
        .args(["--output", "site/new/../../out", "--today", TODAY])
        .output()
        .unwrap();
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(dir.path().join("out/portal/acme/index.html").is_file());
    assert!(!site.join("new").exists());
}
