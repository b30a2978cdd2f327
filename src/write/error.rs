//! **write::error**: what can stop a write, each naming the path involved, and what to do.

use std::io;
use std::path::{Path, PathBuf};

use super::survey::Conflict;

/// How the message of a build stopped half-way through its renames starts.
pub const HALF_REPLACED: &str = "the output is half replaced";

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot {op} {}: {}", path.display(), super::plain_io_error(source))]
    Io {
        op: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("refusing to write the output to {}: {why}", output.display())]
    Refused { output: PathBuf, why: String },
    #[error("another hundred is writing to {} right now", output.display())]
    Busy { output: PathBuf },
    #[error("{} is damaged: {why}", path.display())]
    BadManifest { path: PathBuf, why: String },
    #[error(
        "nothing was written, because of what is in the way:{}",
        list_conflicts(conflicts)
    )]
    InTheWay {
        output: PathBuf,
        conflicts: Vec<Conflict>,
    },
    /// Files made on the spot (pages) that could not be made; nothing was written.
    #[error("{} file(s) could not be made", pages.len())]
    Unmade {
        pages: Vec<crate::diagnostics::Diagnostic>,
    },
    #[error(
        "{HALF_REPLACED}: {first}; {} file(s) were put in place ({}), {} were not ({})",
        done.len(), super::some(done, 5), not_done.len(), super::some(not_done, 5)
    )]
    Unfinished {
        first: Box<WriteError>,
        done: Vec<String>,
        not_done: Vec<String>,
    },
}

fn list_conflicts(conflicts: &[Conflict]) -> String {
    conflicts
        .iter()
        .map(|c| format!("\n  {}: {}", c.path, c.why))
        .collect()
}

impl WriteError {
    pub(crate) fn io(op: &'static str, path: &Path, source: io::Error) -> WriteError {
        WriteError::Io {
            op,
            path: path.to_path_buf(),
            source,
        }
    }

    /// What the user can do about it.
    pub fn help(&self) -> String {
        match self {
            WriteError::Io { .. } => {
                "the previous output is as it was; fix the cause (space, permissions) and build again".into()
            }
            WriteError::Refused { .. } => {
                "choose an output folder of its own, e.g. `--output public` (the default)".into()
            }
            WriteError::Busy { .. } => {
                "wait for the other build (or `hundred pdf`) to finish, then build again".into()
            }
            WriteError::BadManifest { .. } => format!(
                "it lists the files hundred may delete; delete {} and hundred treats every file \
                 under portal/ and internal/ as its own once more",
                super::manifest::NAME
            ),
            WriteError::InTheWay { .. } => {
                "hundred deletes or overwrites only files it wrote itself: move these away (or \
                 delete them) and build again"
                    .into()
            }
            WriteError::Unmade { .. } => {
                "the previous output is as it was; fix the pages named and build again".into()
            }
            WriteError::Unfinished { .. } => {
                "fix the cause and build again: the next build finishes the job, and deletes only \
                 files hundred wrote"
                    .into()
            }
        }
    }
}
