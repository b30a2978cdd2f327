//! **write::change**: writing a file only when its bytes change. A file whose bytes are
//! already right is read but not written, so it keeps its modification time and sync tools
//! upload only what changed.

use std::borrow::Cow;
use std::fs;
use std::io;
use std::path::Path;

use super::staging::{self, Staging};
use super::{Content, MakeInto, Unmade, WriteError};

/// Writes one file to its staging path `tmp`, unless `target` already has these bytes.
/// Returns whether it wrote one (to be renamed over `target`).
pub(crate) fn stage_one(
    stage: &Staging,
    tmp: &Path,
    target: &Path,
    content: &Content,
) -> Result<bool, WriteError> {
    if let Content::Streamed(make) = content {
        return stage_streamed(target, tmp, make).map_err(|e| match e {
            Unmade::Failed(d) => WriteError::Unmade { pages: vec![d] },
            Unmade::Io(e) => WriteError::io("write", target, e),
        });
    }
    let bytes: Cow<[u8]> = match content {
        Content::Borrowed(b) => (*b).into(),
        Content::Owned(b) => b.as_slice().into(),
        Content::File(src) => fs::read(src)
            .map_err(|e| WriteError::io("read", src, e))?
            .into(),
        Content::Made(make) => make()
            .map_err(|d| WriteError::Unmade { pages: vec![d] })?
            .into(),
        Content::Streamed(_) => unreachable!("handled above"),
    };
    // Not following a link: one at the target is never hundred's (the survey refuses it).
    if let Ok(meta) = fs::symlink_metadata(target) {
        if meta.is_file() && meta.len() == bytes.len() as u64 {
            let old = fs::read(target).map_err(|e| WriteError::io("read", target, e))?;
            if old == *bytes {
                return Ok(false);
            }
        }
    }
    stage
        .write(tmp, &bytes)
        .map_err(|e| WriteError::io("write", target, e))?;
    Ok(true)
}

/// [`stage_one`] for a file made as it is written.
pub(crate) fn stage_streamed(
    target: &Path,
    tmp: &Path,
    make: &MakeInto<'_>,
) -> Result<bool, Unmade> {
    use io::Write as _;
    let mut writer = io::BufWriter::with_capacity(1 << 16, ChangeWriter::new(target, tmp)?);
    make(&mut writer)?;
    writer.flush()?;
    let (changes, unflushed) = writer.into_parts();
    match unflushed {
        Ok(_) => Ok(changes.finish()?),
        Err(_) => Err(io::Error::other("the page was not written in full").into()),
    }
}

/// A writer that writes nothing while the bytes match the file already at the target. At the
/// first difference it copies the matching part to a temporary file and goes on there, so an
/// unchanged file is read but never written, and a changed one is written once. A temporary
/// file it leaves on failure is removed with the staging folder.
struct ChangeWriter<'a> {
    tmp: &'a Path,
    existing: Option<io::BufReader<fs::File>>,
    /// Bytes written so far that matched the existing file.
    matched: u64,
    out: Option<fs::File>,
    scratch: Vec<u8>,
}

impl<'a> ChangeWriter<'a> {
    fn new(target: &Path, tmp: &'a Path) -> io::Result<Self> {
        let is_file = fs::symlink_metadata(target).is_ok_and(|m| m.is_file());
        let existing = match is_file.then(|| fs::File::open(target)) {
            Some(Ok(f)) => Some(io::BufReader::with_capacity(1 << 16, f)),
            _ => None,
        };
        Ok(ChangeWriter {
            tmp,
            existing,
            matched: 0,
            out: None,
            scratch: Vec::new(),
        })
    }

    /// Switches to writing the temporary file, starting with the part that matched.
    fn diverge(&mut self) -> io::Result<&mut fs::File> {
        if self.out.is_none() {
            let mut out = staging::create_temporary(self.tmp)?;
            if let Some(existing) = self.existing.take() {
                let mut file = existing.into_inner();
                io::Seek::rewind(&mut file)?;
                io::copy(&mut io::Read::take(file, self.matched), &mut out)?;
            }
            self.out = Some(out);
        }
        Ok(self.out.as_mut().expect("just made"))
    }

    /// Whether the file changed (and so was written to the temporary file).
    fn finish(mut self) -> io::Result<bool> {
        if self.out.is_none() {
            // Unchanged only if the existing file has nothing more after what matched.
            let at_end = match &mut self.existing {
                Some(existing) => io::Read::read(existing, &mut [0u8])? == 0,
                None => false,
            };
            if at_end {
                return Ok(false);
            }
            self.diverge()?;
        }
        Ok(true)
    }
}

impl io::Write for ChangeWriter<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if let Some(existing) = &mut self.existing {
            self.scratch.resize(data.len(), 0);
            let mut filled = 0;
            while filled < data.len() {
                match io::Read::read(existing, &mut self.scratch[filled..])? {
                    0 => break,
                    n => filled += n,
                }
            }
            if filled == data.len() && self.scratch[..filled] == *data {
                self.matched += data.len() as u64;
                return Ok(data.len());
            }
        }
        self.diverge()?.write_all(data)?;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.out {
            Some(out) => out.flush(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Streams `new` (in uneven pieces, as a template engine writes) over a target that
    /// holds `old` (or nothing), and returns whether a file was staged and what it holds.
    fn stream(old: Option<&[u8]>, new: &[u8]) -> (bool, Option<Vec<u8>>) {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("page.html");
        let tmp = dir.path().join("staged");
        if let Some(old) = old {
            fs::write(&target, old).unwrap();
        }
        let make = |out: &mut dyn io::Write| -> Result<(), Unmade> {
            for piece in new.chunks(7) {
                out.write_all(piece)?;
            }
            Ok(())
        };
        let staged = stage_streamed(&target, &tmp, &make).unwrap();
        let written = fs::read(&tmp).ok();
        assert_eq!(staged, written.is_some(), "staged iff a file was written");
        if let Some(old) = old {
            assert_eq!(
                fs::read(&target).unwrap(),
                old,
                "the target is not touched yet"
            );
        }
        (staged, written)
    }

    #[test]
    fn an_unchanged_streamed_file_is_not_written() {
        let page: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        assert_eq!(stream(Some(&page), &page), (false, None));
        assert_eq!(stream(Some(b""), b""), (false, None));
    }

    #[test]
    fn a_changed_streamed_file_is_written_whole() {
        let page: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let mut changed = page.clone();
        changed[500_000] ^= 1;
        for (old, new) in [
            (None, &page[..]),
            (Some(&page[..]), &changed[..]),
            (Some(&page[..]), &page[..page.len() - 1]),
            (Some(&page[..page.len() - 1]), &page[..]),
            (Some(&page[..]), b""),
        ] {
            let (staged, written) = stream(old, new);
            assert!(staged);
            assert_eq!(written.as_deref(), Some(new));
        }
    }
}
