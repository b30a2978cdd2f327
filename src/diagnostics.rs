//! Findings about the site's sources: what is wrong, where (file, line, column) and how to fix
//! it. Every stage reports through [`Diagnostic`] so that errors look the same whether they come
//! from YAML, TOML, front matter, templates or cross-reference checks.

use std::fmt;
use std::path::{Path, PathBuf};

use miette::{LabeledSpan, NamedSource, SourceSpan};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A 1-based line and column in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    pub fn new(line: usize, column: usize) -> Self {
        Position {
            line: line.max(1),
            column: column.max(1),
        }
    }
}

/// One finding. `file` is relative to the site folder, as the user would type it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    #[serde(flatten)]
    pub position: Option<Position>,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.into(),
            position: None,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, message)
        }
    }

    pub fn at(mut self, position: Option<Position>) -> Self {
        self.position = position;
        self
    }

    pub fn at_line(self, line: usize, column: usize) -> Self {
        self.at(Some(Position::new(line, column)))
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:column`, the form editors and terminals turn into a link.
    pub fn location(&self) -> String {
        match self.position {
            Some(p) => format!("{}:{}:{}", self.file.display(), p.line, p.column),
            None => self.file.display().to_string(),
        }
    }

    /// A report that shows the offending source line with a marker, read from `site_root`.
    pub fn report(&self, site_root: &Path) -> miette::Report {
        // Only a position needs the source, and only a plain file of sensible size is read: the
        // file a diagnostic names may be a link to `/dev/zero` or a named pipe (that is often
        // why it is reported), which would never finish reading.
        let path = site_root.join(&self.file);
        let readable = std::fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() <= 1 << 24);
        let source = (self.position.is_some() && readable)
            .then(|| std::fs::read_to_string(&path).ok())
            .flatten();
        let span = match (&source, self.position) {
            (Some(text), Some(pos)) => offset_of(text, pos).map(|o| SourceSpan::from((o, 1))),
            _ => None,
        };
        let severity = match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        };
        let mut diag =
            miette::MietteDiagnostic::new(format!("{}: {}", self.location(), self.message))
                .with_severity(severity);
        if let Some(help) = &self.help {
            diag = diag.with_help(help.clone());
        }
        if let Some(span) = span {
            diag = diag.with_label(LabeledSpan::new_with_span(Some("here".into()), span));
        }
        let report = miette::Report::new(diag);
        match (source, span) {
            (Some(text), Some(_)) => {
                report.with_source_code(NamedSource::new(self.file.display().to_string(), text))
            }
            _ => report,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{kind}: {}: {}", self.location(), self.message)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

/// Byte offset of a 1-based line and column (counted in characters) in `text`.
pub fn offset_of(text: &str, pos: Position) -> Option<usize> {
    let mut line_start = 0;
    for _ in 1..pos.line {
        line_start += text[line_start..].find('\n')? + 1;
    }
    let line = text[line_start..].split('\n').next().unwrap_or("");
    let col = line
        .char_indices()
        .nth(pos.column.saturating_sub(1))
        .map(|(i, _)| i)
        .unwrap_or(line.len());
    Some(line_start + col)
}

/// 1-based line and column of a byte offset in `text`.
pub fn position_of(text: &str, offset: usize) -> Position {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = text[line_start..offset].chars().count() + 1;
    Position::new(line, column)
}

/// The findings of one run, errors and warnings together.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// Sorted by file, then position, so output is stable and grouped the way people read it.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            (&a.file, a.position, a.severity, &a.message)
                .cmp(&(&b.file, b.position, b.severity, &b.message))
        });
        self.items.dedup();
    }
}

/// The closest candidate to a misspelt name, for "did you mean" hints.
pub fn suggest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wrong = wrong.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&wrong, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len().max(wrong.len()) / 3).max(1))
        .min()
        .map(|(_, c)| c)
}

/// Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`: a swap is the most
/// common typo (`dya` for `day`), so it counts as one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_positions_round_trip() {
        let text = "a: 1\nbé: 2\nc: 3\n";
        let pos = Position::new(2, 3);
        let off = offset_of(text, pos).unwrap();
        assert_eq!(&text[off..off + 1], ":");
        assert_eq!(position_of(text, off), pos);
    }

    #[test]
    fn suggestions_pick_close_names_only() {
        assert_eq!(suggest("dya", ["day", "stage", "title"]), Some("day"));
        assert_eq!(
            suggest("visiblity", ["visibility", "portal"]),
            Some("visibility")
        );
        assert_eq!(suggest("zzzzzz", ["day", "stage"]), None);
    }
}

/// What stops a build, a check or a rebuild in `serve`: the site has problems. Holds every
/// finding of the run, errors first among them in reading order, warnings included, so one
/// report says all there is to fix.
#[derive(Debug, Clone)]
pub struct Problems {
    pub diagnostics: Diagnostics,
}

impl Problems {
    /// The findings so far (`warnings`) and the errors that stopped the run.
    pub fn new(warnings: &Diagnostics, errors: impl IntoIterator<Item = Diagnostic>) -> Problems {
        let mut diagnostics = warnings.clone();
        diagnostics.extend(errors);
        Problems::from(diagnostics)
    }
}

impl From<Diagnostics> for Problems {
    fn from(mut diagnostics: Diagnostics) -> Self {
        diagnostics.sort();
        Problems { diagnostics }
    }
}

impl std::fmt::Display for Problems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let errors = self.diagnostics.error_count();
        write!(f, "the site has {errors} error(s)")?;
        if let Some(first) = self.diagnostics.items.iter().find(|d| d.is_error()) {
            write!(f, "; the first: {}: {}", first.location(), first.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}
