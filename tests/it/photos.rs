//! Team photos: a large upload becomes a few small square files, in WebP and a fallback, with
//! no metadata; the pages say which file to load at which density; the files are made once and
//! kept between builds; a photo that cannot be made is reported, not panicked on.

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::support::*;
use image::GenericImageView;

/// Text in the test photo's EXIF that must never reach the output.
const EXIF_CANARY: &[u8] = b"hundred-exif-canary";

/// A photo-like image: soft gradients, a lighter disc and some texture.
fn photo_like(w: u32, h: u32) -> image::RgbImage {
    image::RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
        let d = ((fx - 0.5).powi(2) + (fy - 0.45).powi(2)).sqrt();
        let face = if d < 0.22 { 60.0 } else { 0.0 };
        let texture = 12.0 * ((x as f32 / 7.0).sin() * (y as f32 / 11.0).cos());
        let c = |base: f32| (base + face + texture).clamp(0.0, 255.0) as u8;
        image::Rgb([
            c(90.0 + 80.0 * fx),
            c(70.0 + 60.0 * fy),
            c(60.0 + 40.0 * (1.0 - fx)),
        ])
    })
}

/// An EXIF block (APP1's payload) with a description, an orientation and a GPS position.
fn exif(orientation: u16) -> Vec<u8> {
    let mut t: Vec<u8> = Vec::new();
    t.extend(b"MM\x00\x2a");
    t.extend(8u32.to_be_bytes());
    // IFD0 at 8: three entries, then the next IFD's offset (none); ends at 50.
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        t.extend(tag.to_be_bytes());
        t.extend(kind.to_be_bytes());
        t.extend(count.to_be_bytes());
        t.extend(value);
    };
    t.extend(3u16.to_be_bytes());
    let description = [EXIF_CANARY, b"\0"].concat();
    entry(
        &mut t,
        0x010e,
        2,
        description.len() as u32,
        50u32.to_be_bytes(),
    );
    let o = orientation.to_be_bytes();
    entry(&mut t, 0x0112, 3, 1, [o[0], o[1], 0, 0]);
    let gps_at = 50 + description.len() as u32;
    entry(&mut t, 0x8825, 4, 1, gps_at.to_be_bytes());
    t.extend(0u32.to_be_bytes());
    t.extend(&description);
    // The GPS IFD: latitude reference and latitude (three rationals after it).
    t.extend(2u16.to_be_bytes());
    entry(&mut t, 0x0001, 2, 2, *b"N\0\0\0");
    entry(&mut t, 0x0002, 5, 3, (gps_at + 2 + 24 + 4).to_be_bytes());
    t.extend(0u32.to_be_bytes());
    for (n, d) in [(51u32, 1u32), (30, 1), (1234, 100)] {
        t.extend(n.to_be_bytes());
        t.extend(d.to_be_bytes());
    }
    [b"Exif\0\0".as_slice(), &t].concat()
}

/// `img` as a JPEG with `exif` in an APP1 segment after SOI.
fn jpeg_with_exif(img: &image::RgbImage, exif: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 92)
        .encode_image(img)
        .unwrap();
    let mut out = plain[..2].to_vec();
    out.extend([0xff, 0xe1]);
    out.extend(((exif.len() + 2) as u16).to_be_bytes());
    out.extend(exif);
    out.extend(&plain[2..]);
    out
}

/// The canary site with Bo's photo at `static/team/bo.<ext>`.
fn site_with_photo(ext: &str, bytes: &[u8]) -> tempfile::TempDir {
    let dir = copy_fixture("canary");
    let site = dir.path();
    fs::write(site.join(format!("static/team/bo.{ext}")), bytes).unwrap();
    let member = site.join("team/bo.yaml");
    let text = read(&member);
    put(&member, &format!("{text}photo: team/bo.{ext}\n"));
    dir
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn cache_entries(site: &Path) -> Vec<std::path::PathBuf> {
    let dir = site.join(".hundred-cache/photos");
    let mut v: Vec<_> = fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn a_large_photo_becomes_small_files_with_the_right_sizes_and_no_exif() {
    let upload = jpeg_with_exif(&photo_like(4000, 3000), &exif(1));
    assert!(contains(&upload, EXIF_CANARY));
    let dir = site_with_photo("jpg", &upload);
    let out = Build::of(dir.path()).no_minify().into_temp();
    let public = out.path().join("public");

    let tree = read_tree(&public);
    for (route, bytes) in &tree {
        assert!(!contains(bytes, EXIF_CANARY), "{route} holds the EXIF text");
        assert!(
            !route.ends_with("bo.jpg"),
            "the upload is published at {route}"
        );
    }
    for folder in ["portal/acme/assets/team", "portal/team", "internal/team"] {
        for size in [160u32, 320, 480] {
            for (ext, format) in [
                ("webp", image::ImageFormat::WebP),
                ("jpg", image::ImageFormat::Jpeg),
            ] {
                let route = format!("{folder}/bo-{size}.{ext}");
                let bytes = tree.get(&route).unwrap_or_else(|| panic!("no {route}"));
                assert_eq!(image::guess_format(bytes).unwrap(), format, "{route}");
                let img = image::load_from_memory(bytes).unwrap();
                assert_eq!(img.dimensions(), (size, size), "{route}");
                assert!(!contains(bytes, b"Exif"), "{route} has an EXIF block");
                // Small: a few tens of kilobytes at most, from a photo of megabytes.
                assert!(bytes.len() < 60_000, "{route}: {} bytes", bytes.len());
            }
        }
    }
    // Hostile's portal does not show Bo: none of his files are in it.
    assert!(!tree
        .keys()
        .any(|r| r.starts_with("portal/hostile/") && r.contains("bo-")));

    // The pages name the files with their densities, in a <picture> with a WebP source.
    let team = read(&public.join("portal/acme/team/index.html"));
    assert!(
        team.contains(
            r#"<source type="image/webp" srcset="../assets/team/bo-160.webp 1x, ../assets/team/bo-320.webp 2x">"#
        ),
        "{team}"
    );
    assert!(team.contains(
        r#"<img src="../assets/team/bo-160.jpg" srcset="../assets/team/bo-160.jpg 1x, ../assets/team/bo-320.jpg 2x" alt="Photo of Bo Builder" width="152" height="152">"#
    ));
    let profile = read(&public.join("portal/acme/team/bo/index.html"));
    assert!(profile.contains(
        r#"srcset="../../assets/team/bo-320.webp 1x, ../../assets/team/bo-480.webp 2x""#
    ));
    assert!(profile.contains(r#"width="240" height="240""#));
    let welcome = read(&public.join("portal/acme/index.html"));
    assert!(welcome.contains(r#"<source type="image/webp" srcset="./assets/team/bo-160.webp">"#));
    // The welcome pack prints its photos from the 2x file.
    let print = read(&public.join("portal/acme/print/index.html"));
    assert!(
        print.contains(r#"srcset="../assets/team/bo-320.webp">"#),
        "{print}"
    );
    let internal = read(&public.join("internal/team/index.html"));
    assert!(internal.contains(r#"srcset="../team/bo-160.webp 1x, ../team/bo-320.webp 2x""#));
}

#[test]
fn photos_are_made_once_and_kept_between_builds() {
    let upload = jpeg_with_exif(&photo_like(1200, 900), &exif(1));
    let dir = site_with_photo("jpg", &upload);
    let site = dir.path();
    let first = Build::of(site).into_temp();
    let entries = cache_entries(site);
    assert_eq!(entries.len(), 1, "{entries:?}");
    let entry = &entries[0];
    let kept = fs::read(entry).unwrap();

    // A second build takes the files from the cache: the entry is not written again.
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    fs::File::options()
        .write(true)
        .open(entry)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let second = Build::of(site).into_temp();
    assert_eq!(fs::metadata(entry).unwrap().modified().unwrap(), old);
    assert_eq!(cache_entries(site), entries);
    let (a, b) = (
        read_tree(&first.path().join("public")),
        read_tree(&second.path().join("public")),
    );
    assert!(a == b, "a build from the cache differs");

    // A damaged entry is ignored and made again.
    let mut damaged = kept.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x55;
    fs::write(entry, &damaged).unwrap();
    let third = Build::of(site).into_temp();
    assert!(read_tree(&third.path().join("public")) == a);
    assert_eq!(fs::read(entry).unwrap(), kept);

    // A new photo's build keeps only its entry: the old one is of no use any more.
    fs::write(
        site.join("static/team/bo.jpg"),
        jpeg_with_exif(&photo_like(900, 900), &exif(1)),
    )
    .unwrap();
    Build::of(site).into_temp();
    let now = cache_entries(site);
    assert_eq!(now.len(), 1);
    assert_ne!(now, entries);

    // `hundred init` keeps the cache out of version control.
    let fresh = tempfile::TempDir::new().unwrap();
    hundred()
        .arg("init")
        .arg(fresh.path().join("firm"))
        .assert()
        .success();
    let ignore = read(&fresh.path().join("firm/.gitignore"));
    assert!(ignore.lines().any(|l| l == "/.hundred-cache/"), "{ignore}");
}

#[test]
fn a_png_with_transparency_keeps_a_png_fallback() {
    let img = image::RgbaImage::from_fn(600, 600, |x, y| {
        let inside = (x as i32 - 300).pow(2) + (y as i32 - 300).pow(2) < 250 * 250;
        image::Rgba([200, (y / 3) as u8, 90, if inside { 255 } else { 0 }])
    });
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let dir = site_with_photo("png", &png);
    let out = build(dir.path());
    let assets = out.path().join("public/portal/acme/assets/team");
    for size in [160u32, 320, 480] {
        for ext in ["png", "webp"] {
            let made = image::open(assets.join(format!("bo-{size}.{ext}"))).unwrap();
            assert_eq!(made.dimensions(), (size, size));
            assert!(
                made.color().has_alpha(),
                "bo-{size}.{ext} lost its transparency"
            );
            assert_eq!(made.get_pixel(0, 0).0[3], 0, "bo-{size}.{ext}'s corner");
        }
    }
    assert!(!assets.join("bo-160.jpg").exists());
}

#[test]
fn a_sideways_phone_photo_is_turned_upright() {
    // Stored 600×400 with its left third red; EXIF orientation 6 says: turn it a quarter
    // clockwise to show it. Upright, the red is at the top.
    let stored = image::RgbImage::from_fn(600, 400, |x, _| {
        if x < 200 {
            image::Rgb([220, 20, 20])
        } else {
            image::Rgb([20, 20, 220])
        }
    });
    let dir = site_with_photo("jpg", &jpeg_with_exif(&stored, &exif(6)));
    let out = build(dir.path());
    let made = image::open(out.path().join("public/internal/team/bo-320.jpg"))
        .unwrap()
        .to_rgb8();
    let top = made.get_pixel(160, 10).0;
    let bottom = made.get_pixel(160, 310).0;
    assert!(top[0] > 150 && top[2] < 100, "top is {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "bottom is {bottom:?}");
}

#[test]
fn a_photo_that_cannot_be_made_is_reported() {
    // Not an image at all: build and check both say which file, what is wrong and what to do.
    let dir = site_with_photo("jpg", b"this is not a photo");
    let stderr = Build::of(dir.path()).fails();
    assert!(stderr.contains("static/team/bo.jpg"), "{stderr}");
    assert!(stderr.contains("not an image"), "{stderr}");
    assert!(stderr.contains("export it again"), "{stderr}");
    let check = hundred().arg("check").arg(dir.path()).output().unwrap();
    let said = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(1), "{said}");
    assert!(
        said.contains("static/team/bo.jpg") && said.contains("not an image"),
        "{said}"
    );
    assert!(!said.contains("panicked"));

    // A PNG that claims 20,000×20,000 pixels is refused before any memory is taken for it.
    fs::write(dir.path().join("static/team/bo.jpg"), huge_png_header()).unwrap();
    let stderr = Build::of(dir.path()).fails();
    assert!(stderr.contains("20000×20000"), "{stderr}");

    // A GIF: refused by its name, at the member's `photo` line.
    let dir = site_with_photo("gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;");
    let stderr = Build::of(dir.path()).fails();
    assert!(stderr.contains("team/bo.yaml"), "{stderr}");
    assert!(stderr.contains("a GIF cannot be a team photo"), "{stderr}");
}

#[test]
fn an_svg_photo_is_published_as_it_is() {
    let out = build(&fixture("canary"));
    let public = out.path().join("public");
    let svg = fs::read(fixture("canary").join("static/team/ann.svg")).unwrap();
    assert_eq!(
        fs::read(public.join("portal/acme/assets/team/ann.svg")).unwrap(),
        svg
    );
    assert!(!public.join("portal/acme/assets/team/ann-160.webp").exists());
    assert!(!fixture("canary").join(".hundred-cache/photos").exists());
}

#[test]
fn serve_makes_again_only_the_photo_that_changed() {
    let dir = site_with_photo("jpg", &jpeg_with_exif(&photo_like(800, 600), &exif(1)));
    let site = dir.path();
    let opts = hundred::build::BuildOptions {
        today: Some(hundred::dates::parse(TODAY).unwrap()),
        minify: Some(false),
        ..Default::default()
    };
    let mut session = hundred::session::Session::start(site, &opts).unwrap();
    assert_eq!(cache_entries(site).len(), 1);
    fs::remove_dir_all(site.join(".hundred-cache")).unwrap();

    // An edit that has nothing to do with the photo makes nothing.
    edit(&site.join("clients/acme.yaml"), "delighted", "thrilled");
    let r = session.update(&[site.join("clients/acme.yaml")]).unwrap();
    assert!(
        !r.changed.iter().any(|c| c.contains("bo-")),
        "{:?}",
        r.changed
    );
    assert!(
        cache_entries(site).is_empty(),
        "an unrelated edit made a photo"
    );

    // A new photo makes that photo's files again, and only its.
    let before = session.files()["portal/acme/assets/team/bo-160.webp"].clone();
    fs::write(
        site.join("static/team/bo.jpg"),
        jpeg_with_exif(&photo_like(700, 700), &exif(1)),
    )
    .unwrap();
    let r = session.update(&[site.join("static/team/bo.jpg")]).unwrap();
    assert_eq!(cache_entries(site).len(), 1);
    assert!(r
        .changed
        .contains(&"portal/acme/assets/team/bo-160.webp".to_string()));
    assert!(session.files()["portal/acme/assets/team/bo-160.webp"] != before);
    let fresh = hundred::session::Session::start(site, &opts).unwrap();
    assert!(
        *fresh.files() == *session.files(),
        "serve differs from a fresh start"
    );
}

/// A PNG that says it is a 20,000×20,000 RGB image, with almost no pixel data.
fn huge_png_header() -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(20_000u32.to_be_bytes());
    ihdr.extend(20_000u32.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for chunk in [ihdr, b"IDAT\x78\x9c\x03\x00".to_vec(), b"IEND".to_vec()] {
        let mut crc = 0xffff_ffffu32;
        for &b in &chunk {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        png.extend(((chunk.len() - 4) as u32).to_be_bytes());
        png.extend(&chunk);
        png.extend((!crc).to_be_bytes());
    }
    png
}

/// The example, with Felix's photo (he is on Oakfield Vets' team, beside people with SVG
/// photos) a JPEG: what the browser tests look at.
pub fn example_with_a_jpeg_photo() -> tempfile::TempDir {
    let dir = copy_site(&example());
    let site = dir.path();
    let photo = jpeg_with_exif(&photo_like(1600, 1200), &exif(1));
    fs::write(site.join("static/team/felix.jpg"), photo).unwrap();
    edit(
        &site.join("team/felix.yaml"),
        "team/felix.svg",
        "team/felix.jpg",
    );
    dir
}

/// In a browser, a photo made into a <picture> takes exactly the room an SVG photo's <img>
/// takes, wherever the theme shows photos, and the browser loads its WebP at 1x.
#[cfg(unix)]
#[test]
#[ignore = "needs Chromium (apt-get install chromium); CI runs it with --include-ignored"]
fn a_picture_takes_the_room_an_image_takes() {
    let site = example_with_a_jpeg_photo();
    let out = build_preview(site.path());
    let public = out.path().join("public/portal/oakfield-vets");
    let browser = start_browser(&chromium(), "about:blank");
    let mut page = browser.isolated_page("photos");
    // Each box that holds a photo, as "width×height", and for the picture what it loaded.
    const MEASURE: &str = r#"(() => {
        const size = e => { const r = e.getBoundingClientRect(); return `${Math.round(r.width)}×${Math.round(r.height)}`; };
        const groups = [".person__photo > *", ".facepile .avatar:not(.avatar--initials)", ".pack-person__photo > *"]
          .map(q => [...document.querySelectorAll(q)].map(size)).filter(g => g.length > 0);
        const img = document.querySelector("picture.photo img");
        const pic = img && img.parentElement;
        return JSON.stringify({ groups, fills: img ? size(img) === `${Math.round(pic.clientWidth)}×${Math.round(pic.clientHeight)}` : null,
          loaded: img ? img.currentSrc.split("/").pop() : null, complete: img ? img.complete && img.naturalWidth > 0 : null });
    })()"#;
    for (path, loads) in [
        ("team/index.html", "felix-160.webp"),
        ("index.html", "felix-160.webp"),
        ("team/felix/index.html", "felix-320.webp"),
        ("print/index.html", "felix-160.webp"),
    ] {
        for width in [390, 1280] {
            page.call(
                "Emulation.setDeviceMetricsOverride",
                serde_json::json!({ "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600 }),
            )
            .unwrap();
            let url = format!("file://{}", public.join(path).display());
            page.navigate(&url);
            page.eventually(
                &format!("{path} loads"),
                "document.readyState === 'complete' && [...document.images].every(i => i.complete)",
                |v| *v == true,
            );
            let m: serde_json::Value =
                serde_json::from_str(page.eval(MEASURE).unwrap().as_str().unwrap()).unwrap();
            let at = format!("{path} at {width}px: {m}");
            // Cards, facepile faces and pack photos: each kind all one size, whether its photo
            // is the <picture> or an SVG's <img>.
            for group in m["groups"].as_array().unwrap() {
                let g = group.as_array().unwrap();
                assert!(g.windows(2).all(|w| w[0] == w[1]), "{at}");
            }
            assert_eq!(m["fills"], true, "{at}");
            assert_eq!(m["complete"], true, "{at}");
            assert_eq!(m["loaded"], loads, "{at}");
        }
    }
    // The profile photo box is as large as an SVG member's.
    let measure_profile = |page: &mut Cdp, member: &str| {
        let url = format!(
            "file://{}",
            public.join(format!("team/{member}/index.html")).display()
        );
        page.navigate(&url);
        page.eventually("profile loads", "document.readyState === 'complete'", |v| {
            *v == true
        });
        page.eval("(() => { const r = document.querySelector('.profile__photo').getBoundingClientRect(); return `${r.width}×${r.height}`; })()").unwrap()
    };
    assert_eq!(
        measure_profile(&mut page, "felix"),
        measure_profile(&mut page, "ada")
    );
}

#[test]
fn a_private_portal_publishes_photo_files_as_other_static_files() {
    // As an SVG photo is, the files made from a JPEG are published readable in the client's
    // unguessable folder, not sealed: they name no client.
    let dir = private_site(false);
    let site = dir.path();
    fs::write(
        site.join("static/team/bo.jpg"),
        jpeg_with_exif(&photo_like(600, 600), &exif(1)),
    )
    .unwrap();
    let member = site.join("team/bo.yaml");
    let text = read(&member);
    put(&member, &format!("{text}photo: team/bo.jpg\n"));
    let out = Build::of(site)
        .env(
            "HUNDRED_SECRET",
            "a test secret, long enough to be accepted as one",
        )
        .into_temp();
    let tree = read_tree(&out.path().join("public"));
    let webp: Vec<_> = tree
        .iter()
        .filter(|(r, _)| r.starts_with("portal/") && r.ends_with("/assets/team/bo-160.webp"))
        .collect();
    assert_eq!(webp.len(), 1, "one private client folder shows Bo");
    let (_, bytes) = webp[0];
    assert_eq!(
        image::guess_format(bytes).unwrap(),
        image::ImageFormat::WebP
    );
    let svg: Vec<_> = tree
        .iter()
        .filter(|(r, _)| r.starts_with("portal/") && r.ends_with("/assets/team/ann.svg"))
        .collect();
    assert!(
        svg.iter().all(|(_, b)| b.starts_with(b"<svg")),
        "the SVG is published as it is"
    );
    assert!(
        !tree.keys().any(|r| r.contains("portal/acme/")),
        "folders are by token"
    );
}
