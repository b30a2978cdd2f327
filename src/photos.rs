//! **photos**: team members' photos, made into the few square files the theme shows instead of
//! being copied as uploaded.
//!
//! A raster photo (JPEG, PNG or WebP) is decoded once (within [`limits`], so a huge or hostile
//! file cannot eat the machine's memory), turned upright by its EXIF orientation, cropped to a
//! centred square (the theme shows photos in circles, with `object-fit: cover`) and scaled down
//! to each of [`SIZES`]. Each size is written twice: as lossy WebP, which every current browser
//! shows, and as a fallback in the upload's own family (JPEG, or PNG for a PNG upload, which
//! keeps its transparency). Every file is encoded afresh, so no metadata of the upload (EXIF,
//! its GPS position, XMP, comments) reaches the output. An SVG photo is published as it is.
//!
//! Making a photo's files is the slow part of a build, so it happens once per photo, however many
//! client folders show it, and is kept between builds in `.hundred-cache/photos/` inside the
//! site folder, keyed by a hash of the upload's bytes and of everything that shapes the output
//! ([`RECIPE`]). A cache entry carries its own checksum: a damaged one is ignored and made again.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use sha2::{Digest, Sha256};

use crate::diagnostics::Diagnostic;
use crate::model::Site;

/// The square sizes, in pixels, each raster photo is made at. The theme shows a photo at most
/// 240 CSS pixels wide (a profile's header), 152 on a member's card, 120 in the welcome pack
/// and 44-56 in a facepile:
///
/// | use | shown at | 1x | 2x |
/// |---|---|---|---|
/// | facepile avatar | 44-56 px | 160 | 160 |
/// | member card | 152 px (80 or 72 when compact) | 160 | 320 |
/// | welcome pack | 120 px (30 mm on paper) | 160 | 320 (on paper: 320) |
/// | profile | up to 240 px | 320 | 480 |
pub const SIZES: [u32; 3] = [160, 320, 480];

/// libwebp's quality for the WebP files (0-100).
pub const WEBP_QUALITY: f32 = 80.0;
/// The JPEG fallback's quality (1-100).
pub const JPEG_QUALITY: u8 = 82;

/// Everything besides the upload's bytes that decides the files made from it. Part of every
/// cache key: changing any of it (or the way photos are made) makes every entry stale.
pub const RECIPE: &str = "hundred photos 1: square centre crop, upright, lanczos3, sizes 160/320/480, webp lossy q80 (libwebp), jpeg q82, png";

/// The largest photo, on either side, that is decoded at all.
pub const MAX_SIDE: u32 = 12_000;
/// The most memory one photo's decoding may take.
pub const MAX_DECODE_BYTES: u64 = 600 * 1024 * 1024;

/// The cache folder inside the site folder.
pub const CACHE_DIR: &str = ".hundred-cache/photos";

/// How a photo file is published, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// JPEG, PNG or WebP: made into sized WebP files and fallbacks of `Fallback`.
    Raster(Fallback),
    /// Published as it is.
    Svg,
}

/// The format of the fallback files beside the WebP ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fallback {
    Jpeg,
    Png,
}

impl Fallback {
    pub fn extension(self) -> &'static str {
        match self {
            Fallback::Jpeg => "jpg",
            Fallback::Png => "png",
        }
    }
}

/// One file made from a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Variant {
    pub size: u32,
    /// WebP, or the photo's fallback format.
    pub webp: bool,
}

/// What a photo's file name says it is, or why it cannot be a photo.
pub fn kind(photo: &str) -> Result<Kind, String> {
    let ext = Path::new(photo)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" => Ok(Kind::Raster(Fallback::Jpeg)),
        // A WebP upload's fallback is a JPEG: the files browsers without WebP get are small.
        "webp" => Ok(Kind::Raster(Fallback::Jpeg)),
        "png" => Ok(Kind::Raster(Fallback::Png)),
        "svg" => Ok(Kind::Svg),
        "gif" => Err("a GIF cannot be a team photo".into()),
        "" => Err("a team photo needs a file extension (.jpg, .png, .webp or .svg)".into()),
        other => Err(format!("a `.{other}` file cannot be a team photo")),
    }
}

/// The variants a raster photo is made into, in a fixed order.
pub fn variants() -> impl Iterator<Item = Variant> {
    SIZES
        .into_iter()
        .flat_map(|size| [true, false].map(|webp| Variant { size, webp }))
}

/// Where a variant of `photo` (a path inside `static/`, `team/ana.jpg`) is published, relative
/// to where the photo itself would be: `team/ana-160.webp`, `team/ana-160.jpg`.
pub fn variant_path(photo: &str, fallback: Fallback, v: Variant) -> String {
    let stem = match photo.rfind('.') {
        Some(dot) if !photo[dot..].contains('/') => &photo[..dot],
        _ => photo,
    };
    let ext = if v.webp { "webp" } else { fallback.extension() };
    format!("{stem}-{}.{ext}", v.size)
}

/// The photos of `site` to be made into sized files: every raster photo a member names (paths
/// inside `static/`), once each.
pub fn raster_photos(site: &Site) -> BTreeMap<String, Fallback> {
    site.team
        .iter()
        .filter_map(|m| m.photo.as_ref())
        .filter_map(|p| match kind(&p.value) {
            Ok(Kind::Raster(f)) => Some((p.value.clone(), f)),
            _ => None,
        })
        .collect()
}

/// The files made from one photo.
#[derive(Debug, PartialEq, Eq)]
pub struct Made {
    files: Vec<(Variant, Vec<u8>)>,
}

impl Made {
    pub fn bytes(&self, v: Variant) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(x, _)| *x == v)
            .map(|(_, b)| b.as_slice())
    }

    pub fn files(&self) -> impl Iterator<Item = (Variant, &[u8])> {
        self.files.iter().map(|(v, b)| (*v, b.as_slice()))
    }
}

/// A photo's cache key: the hash of its bytes and of [`RECIPE`] and its fallback format.
pub fn key(bytes: &[u8], fallback: Fallback) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(RECIPE.as_bytes());
    h.update([0, fallback as u8]);
    h.update(bytes);
    h.finalize().into()
}

/// What to do with photos whose files are in no cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Make their files, and keep them in the cache folder.
    Make,
    /// Only find out whether they can be made (`hundred check`): decode them, keep nothing.
    Check,
}

/// The photos of one version of a site, made (or found in a cache), by their path in `static/`.
#[derive(Debug, Default, Clone)]
pub struct Photos {
    made: HashMap<String, Entry>,
}

/// A photo's fallback format, cache key and files.
type Entry = (Fallback, [u8; 32], Arc<Made>);

impl Photos {
    /// The made files of `photo`, if it is a raster photo of the site.
    pub fn get(&self, photo: &str) -> Option<&Made> {
        self.made.get(photo).map(|(_, _, m)| &**m)
    }

    /// The bytes of one file made from `photo`; empty when the photo was only checked.
    pub fn bytes(&self, photo: &str, variant: Variant) -> &[u8] {
        self.get(photo)
            .and_then(|m| m.bytes(variant))
            .unwrap_or_default()
    }

    /// Makes (or finds) the files of every raster photo of `site`, in parallel. A photo that is
    /// not in `changed` and that `earlier` holds is taken from there without being read: what
    /// `serve` does with photos an edit did not touch. Every photo that cannot be made is
    /// reported.
    pub fn prepare(
        site: &Site,
        mode: Mode,
        earlier: Option<&Photos>,
        changed: &BTreeSet<String>,
    ) -> Result<Photos, Vec<Diagnostic>> {
        use rayon::prelude::*;
        let cache = Cache::new(&site.root);
        let wanted = raster_photos(site);
        let results: Vec<Result<(String, Entry), Diagnostic>> = wanted
            .into_par_iter()
            .map(|(photo, fallback)| {
                if !changed.contains(&photo) {
                    if let Some(kept) = earlier.and_then(|e| e.made.get(&photo)) {
                        if kept.0 == fallback {
                            return Ok((photo, kept.clone()));
                        }
                    }
                }
                let shown = Path::new("static").join(&photo);
                let path = site.root.join(&shown);
                let bytes = std::fs::read(&path).map_err(|e| {
                    Diagnostic::error(&shown, format!("cannot read this photo: {e}"))
                })?;
                let key = key(&bytes, fallback);
                // The same bytes as before (an edit undone, a file touched): no work.
                if let Some(e) = earlier {
                    if let Some(m) = e.made.values().find(|m| m.1 == key) {
                        return Ok((photo, m.clone()));
                    }
                }
                if let Some(made) = cache.read(&key) {
                    return Ok((photo, (fallback, key, Arc::new(made))));
                }
                let made = match mode {
                    Mode::Make => {
                        let made = make(&bytes, fallback).map_err(|e| e.diagnostic(&shown))?;
                        cache.write(&key, &made);
                        made
                    }
                    Mode::Check => {
                        decode(&bytes).map_err(|e| e.diagnostic(&shown))?;
                        Made { files: Vec::new() }
                    }
                };
                Ok((photo, (fallback, key, Arc::new(made))))
            })
            .collect();
        let mut photos = Photos::default();
        let mut errors = Vec::new();
        for r in results {
            match r {
                Ok((photo, m)) => {
                    photos.made.insert(photo, m);
                }
                Err(d) => errors.push(d),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // A fresh build's photos are all the cache needs to keep: entries of photos since
        // replaced or removed go, so the folder does not grow with every edit.
        if mode == Mode::Make && earlier.is_none() {
            let keep: BTreeSet<String> = photos
                .made
                .values()
                .map(|m| crate::entry_cache::hex(&m.1))
                .collect();
            cache.prune(|key| keep.contains(key));
        }
        Ok(photos)
    }
}

/// Why a photo could not be made.
#[derive(Debug)]
pub enum PhotoError {
    /// Not an image hundred reads (with the format it seems to be, if any).
    Format(Option<ImageFormat>),
    TooLarge {
        width: u32,
        height: u32,
    },
    Unreadable(String),
}

impl PhotoError {
    fn diagnostic(&self, shown: &Path) -> Diagnostic {
        let redo = "export it again as a JPEG or PNG (at least 480×480 pixels; a phone photo as it is, up to 12,000 pixels a side, is fine), or remove `photo` from the member's file";
        match self {
            PhotoError::Format(Some(f)) => Diagnostic::error(
                shown,
                format!(
                    "this photo is a {} image, which hundred does not make into photo files",
                    format!("{f:?}").to_uppercase()
                ),
            )
            .help(redo),
            PhotoError::Format(None) => {
                Diagnostic::error(shown, "this photo is not an image hundred can read").help(redo)
            }
            PhotoError::TooLarge { width, height } => Diagnostic::error(
                shown,
                format!(
                    "this photo is {width}×{height} pixels, more than hundred reads ({MAX_SIDE} a side at most)"
                ),
            )
            .help("scale it down (the largest file made from it is 480×480 pixels) and export it again"),
            PhotoError::Unreadable(e) => {
                Diagnostic::error(shown, format!("this photo cannot be read: {e}")).help(redo)
            }
        }
    }
}

/// Decodes a photo, within the limits, turned upright by its EXIF orientation.
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, PhotoError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    let format = match reader.format() {
        Some(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => f,
        other => return Err(PhotoError::Format(other)),
    };
    // The header alone first, so a photo too large to decode is named with its size.
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(unreadable)?;
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(PhotoError::TooLarge { width, height });
    }
    let mut reader = reader;
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    // A file whose orientation tag cannot be read is shown as it is stored.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    img.apply_orientation(orientation);
    Ok(img)
}

fn unreadable(e: image::ImageError) -> PhotoError {
    match e {
        image::ImageError::Limits(_) => PhotoError::Unreadable(
            "it needs more memory to open than hundred allows for a photo".into(),
        ),
        e => PhotoError::Unreadable(e.to_string()),
    }
}

/// What one photo may take to decode.
pub fn limits() -> image::Limits {
    let mut l = image::Limits::default();
    l.max_image_width = Some(MAX_SIDE);
    l.max_image_height = Some(MAX_SIDE);
    l.max_alloc = Some(MAX_DECODE_BYTES);
    l
}

/// Makes a photo's files from its bytes.
pub fn make(bytes: &[u8], fallback: Fallback) -> Result<Made, PhotoError> {
    let img = decode(bytes)?;
    let (w, h) = (img.width(), img.height());
    let side = w.min(h);
    let square = img.crop_imm((w - side) / 2, (h - side) / 2, side, side);
    let alpha = fallback == Fallback::Png && square.color().has_alpha();
    // Scaling a 3,000-pixel square straight to 160 with Lanczos takes long; a first pass to
    // twice the largest size with a cheap filter loses nothing visible.
    let largest = SIZES[SIZES.len() - 1];
    let square = if side > 4 * largest {
        square.resize_exact(
            2 * largest,
            2 * largest,
            image::imageops::FilterType::Triangle,
        )
    } else {
        square
    };
    let mut files = Vec::new();
    for size in SIZES {
        // Never made larger than the upload: a small photo's files are all its own size.
        let px = size.min(side);
        let scaled = if px == square.width() {
            square.clone()
        } else {
            square.resize_exact(px, px, image::imageops::FilterType::Lanczos3)
        };
        let scaled = if alpha {
            DynamicImage::ImageRgba8(scaled.to_rgba8())
        } else {
            DynamicImage::ImageRgb8(flatten(&scaled))
        };
        files.push((Variant { size, webp: true }, encode_webp(&scaled)?));
        let fb = match fallback {
            Fallback::Jpeg => encode_jpeg(&scaled)?,
            Fallback::Png => encode_png(&scaled)?,
        };
        files.push((Variant { size, webp: false }, fb));
    }
    Ok(Made { files })
}

/// The image as RGB, any transparency laid over white.
fn flatten(img: &DynamicImage) -> image::RgbImage {
    if !img.color().has_alpha() {
        return img.to_rgb8();
    }
    let rgba = img.to_rgba8();
    image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y).0;
        let a = u32::from(p[3]);
        let over = |c: u8| ((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
        image::Rgb([over(p[0]), over(p[1]), over(p[2])])
    })
}

fn encode_webp(img: &DynamicImage) -> Result<Vec<u8>, PhotoError> {
    let (w, h) = (img.width(), img.height());
    let encoder = match img {
        DynamicImage::ImageRgba8(b) => webp::Encoder::from_rgba(b.as_raw(), w, h),
        DynamicImage::ImageRgb8(b) => webp::Encoder::from_rgb(b.as_raw(), w, h),
        _ => unreachable!("photos are RGB or RGBA by now"),
    };
    let memory = encoder
        .encode_simple(false, WEBP_QUALITY)
        .map_err(|e| PhotoError::Unreadable(format!("WebP encoding failed: {e:?}")))?;
    Ok(memory.to_vec())
}

fn encode_jpeg(img: &DynamicImage) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    let rgb = match img {
        DynamicImage::ImageRgb8(b) => b.clone(),
        other => flatten(other),
    };
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    Ok(out)
}

fn encode_png(img: &DynamicImage) -> Result<Vec<u8>, PhotoError> {
    use image::ImageEncoder;
    let mut out = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Best,
        image::codecs::png::FilterType::Adaptive,
    );
    encoder
        .write_image(
            img.as_bytes(),
            img.width(),
            img.height(),
            img.color().into(),
        )
        .map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    Ok(out)
}

/// The made files of photos, kept between builds: one entry per photo, named by its key.
struct Cache(crate::entry_cache::EntryCache);

/// The first bytes of a cache entry.
const MAGIC: &[u8; 16] = b"hundred-photo-1\n";

impl Cache {
    fn new(site_root: &Path) -> Cache {
        Cache(crate::entry_cache::EntryCache::new(
            site_root.join(CACHE_DIR),
            MAGIC,
        ))
    }

    /// The entry for `key`, unless it is missing or damaged.
    fn read(&self, key: &[u8; 32]) -> Option<Made> {
        decode_entry(&self.0.read(key)?)
    }

    /// Keeps `made` under `key`.
    fn write(&self, key: &[u8; 32], made: &Made) {
        self.0.write(key, &encode_entry(made));
    }

    fn prune(&self, keep: impl Fn(&str) -> bool) {
        self.0.prune(keep);
    }
}

/// A cache entry's body (after [`MAGIC`], before the checksum the cache adds): the number of
/// files, each file's size, format and length, and its bytes.
fn encode_entry(made: &Made) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend((made.files.len() as u32).to_le_bytes());
    for (v, bytes) in &made.files {
        out.extend(v.size.to_le_bytes());
        out.push(u8::from(v.webp));
        out.extend((bytes.len() as u32).to_le_bytes());
        out.extend(bytes);
    }
    out
}

fn decode_entry(body: &[u8]) -> Option<Made> {
    let mut rest = body;
    let mut take = |n: usize| -> Option<&[u8]> {
        if rest.len() < n {
            return None;
        }
        let (a, b) = rest.split_at(n);
        rest = b;
        Some(a)
    };
    let u32_of = |b: &[u8]| u32::from_le_bytes(b.try_into().expect("four bytes"));
    let count = u32_of(take(4)?);
    let mut files = Vec::new();
    for _ in 0..count {
        let size = u32_of(take(4)?);
        let webp = match take(1)?[0] {
            0 => false,
            1 => true,
            _ => return None,
        };
        let len = u32_of(take(4)?) as usize;
        files.push((Variant { size, webp }, take(len)?.to_vec()));
    }
    if !rest.is_empty() || files.len() != variants().count() {
        return None;
    }
    Some(Made { files })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A photo-like test image, `w`×`h`: soft gradients and shapes with some texture and a
    /// little sensor noise, so that it compresses about as a real photo does.
    pub(crate) fn photo_like(w: u32, h: u32) -> image::RgbImage {
        let mut seed = 0x2545_f491_u32;
        image::RgbImage::from_fn(w, h, |x, y| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let noise = (seed % 9) as f32 - 4.0;
            let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
            // A "face": a lighter disc in the middle; "hair" texture above it.
            let d = ((fx - 0.5).powi(2) + (fy - 0.45).powi(2)).sqrt();
            let face = if d < 0.22 { 60.0 } else { 0.0 };
            let texture = 18.0 * ((x as f32 / 7.0).sin() * (y as f32 / 11.0).cos());
            let hair = if fy < 0.3 && d < 0.3 {
                texture
            } else {
                texture / 4.0
            };
            let c = |base: f32| (base + face + hair + noise).clamp(0.0, 255.0) as u8;
            image::Rgb([
                c(90.0 + 80.0 * fx),
                c(70.0 + 60.0 * fy),
                c(60.0 + 40.0 * (1.0 - fx)),
            ])
        })
    }

    fn jpeg(img: &image::RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(img)
            .unwrap();
        out
    }

    #[test]
    fn kinds_follow_the_name() {
        assert_eq!(kind("team/a.JPG"), Ok(Kind::Raster(Fallback::Jpeg)));
        assert_eq!(kind("team/a.png"), Ok(Kind::Raster(Fallback::Png)));
        assert_eq!(kind("a.svg"), Ok(Kind::Svg));
        assert!(kind("a.gif").unwrap_err().contains("GIF"));
        assert!(kind("a.heic").is_err());
        assert!(kind("a").is_err());
    }

    #[test]
    fn variant_paths() {
        let v = Variant {
            size: 160,
            webp: true,
        };
        assert_eq!(
            variant_path("team/ana.jpg", Fallback::Jpeg, v),
            "team/ana-160.webp"
        );
        let v = Variant {
            size: 480,
            webp: false,
        };
        assert_eq!(
            variant_path("team/a.b/ana.png", Fallback::Png, v),
            "team/a.b/ana-480.png"
        );
        assert_eq!(
            variant_path("team/x.y/ana", Fallback::Png, v),
            "team/x.y/ana-480.png"
        );
    }

    #[test]
    fn a_photo_becomes_squares_of_each_size() {
        let made = make(&jpeg(&photo_like(900, 600)), Fallback::Jpeg).unwrap();
        assert_eq!(made.files().count(), 6);
        for (v, bytes) in made.files() {
            let img = image::load_from_memory(bytes).unwrap();
            assert_eq!((img.width(), img.height()), (v.size, v.size));
            let format = image::guess_format(bytes).unwrap();
            let want = if v.webp {
                ImageFormat::WebP
            } else {
                ImageFormat::Jpeg
            };
            assert_eq!(format, want);
        }
    }

    #[test]
    fn a_small_photo_is_not_enlarged() {
        let made = make(&jpeg(&photo_like(200, 300)), Fallback::Jpeg).unwrap();
        for (v, bytes) in made.files() {
            let img = image::load_from_memory(bytes).unwrap();
            assert_eq!(img.width(), v.size.min(200));
        }
    }

    #[test]
    fn cache_entries_round_trip_and_damage_is_noticed() {
        let made = make(&jpeg(&photo_like(300, 300)), Fallback::Jpeg).unwrap();
        let site = std::env::temp_dir().join(format!("hundred-photo-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&site);
        let cache = Cache::new(&site);
        let key = [7u8; 32];
        cache.write(&key, &made);
        assert_eq!(cache.read(&key), Some(made));
        let path = cache.0.path(&key);
        let entry = std::fs::read(&path).unwrap();
        for i in [0, 20, entry.len() / 2, entry.len() - 1] {
            let mut bad = entry.clone();
            bad[i] ^= 1;
            std::fs::write(&path, &bad).unwrap();
            assert_eq!(cache.read(&key), None, "byte {i}");
        }
        std::fs::write(&path, &entry[..entry.len() - 5]).unwrap();
        assert_eq!(cache.read(&key), None);
        std::fs::write(&path, b"").unwrap();
        assert_eq!(cache.read(&key), None);
        let _ = std::fs::remove_dir_all(&site);
    }

    #[test]
    fn not_an_image_and_gif_are_refused() {
        assert!(matches!(
            decode(b"hello, I am text"),
            Err(PhotoError::Format(None))
        ));
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";
        assert!(matches!(
            decode(gif),
            Err(PhotoError::Format(Some(ImageFormat::Gif)))
        ));
    }

    #[test]
    fn a_huge_image_is_refused_before_decoding() {
        // A PNG header claiming 20,000×20,000 pixels, with no pixels behind it.
        let mut png = Vec::new();
        png.extend(b"\x89PNG\r\n\x1a\n");
        let mut ihdr = Vec::new();
        ihdr.extend(b"IHDR");
        ihdr.extend(20_000u32.to_be_bytes());
        ihdr.extend(20_000u32.to_be_bytes());
        ihdr.extend([8, 2, 0, 0, 0]);
        for chunk in [ihdr, b"IDAT\x78\x9c\x03\x00".to_vec(), b"IEND".to_vec()] {
            png.extend(((chunk.len() - 4) as u32).to_be_bytes());
            png.extend(&chunk);
            png.extend(crc32(&chunk).to_be_bytes());
        }
        let err = decode(&png).unwrap_err();
        assert!(
            matches!(
                err,
                PhotoError::TooLarge {
                    width: 20_000,
                    height: 20_000
                }
            ),
            "{err:?}"
        );
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// Sizes of the files made from a 4000×3000 photo, with lossless WebP beside: run with
    /// `cargo test --lib photo_sizes -- --ignored --nocapture`.
    #[test]
    #[ignore = "a measurement that prints sizes, not a check; CI runs it as a smoke test"]
    fn photo_sizes() {
        // HUNDRED_PHOTO_IN=path measures that photo instead.
        let big = match std::env::var_os("HUNDRED_PHOTO_IN") {
            Some(path) => std::fs::read(path).unwrap(),
            None => jpeg(&photo_like(4000, 3000)),
        };
        println!("source: {} bytes", big.len());
        // HUNDRED_PHOTO_OUT=path keeps the source, to put in a site for a benchmark.
        if let Some(path) = std::env::var_os("HUNDRED_PHOTO_OUT") {
            std::fs::write(path, &big).unwrap();
        }
        let t = std::time::Instant::now();
        let made = make(&big, Fallback::Jpeg).unwrap();
        println!("made in {:?}", t.elapsed());
        for (v, bytes) in made.files() {
            println!(
                "{} {}: {} bytes",
                v.size,
                if v.webp { "webp" } else { "jpeg" },
                bytes.len()
            );
        }
        let img = decode(&big).unwrap();
        for size in SIZES {
            let side = img.width().min(img.height());
            let s = img
                .crop_imm(
                    (img.width() - side) / 2,
                    (img.height() - side) / 2,
                    side,
                    side,
                )
                .resize_exact(size, size, image::imageops::FilterType::Lanczos3)
                .to_rgb8();
            let mut out = Vec::new();
            image::codecs::webp::WebPEncoder::new_lossless(&mut out)
                .encode(s.as_raw(), size, size, image::ExtendedColorType::Rgb8)
                .unwrap();
            println!("{size} lossless webp (image crate): {} bytes", out.len());
        }
    }
}
