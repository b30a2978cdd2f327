//! serde-saphyr's errors in the words of someone editing a profile: no Rust types, no parser
//! settings, and a hint that says what to change.

use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::Error;

/// A plain message and a hint for an error found at 1-based `line` of `text`, which starts at
/// line `first_line` of its file. `None`: the library's own message is plain enough.
pub(super) fn describe(
    e: &Error,
    text: &str,
    line: Option<usize>,
    first_line: usize,
) -> Option<(String, String)> {
    let mut e = e;
    while let Error::AliasError { error, .. } | Error::WithSnippet { error, .. } = e {
        e = error;
    }
    Some(match e {
        Error::DuplicateMappingKey { key, .. } => {
            let key = key.as_deref().unwrap_or("a key");
            let first = line.and_then(|l| earlier_key(text, key, l));
            let message = match first {
                Some(f) => format!(
                    "`{key}` is written twice (first on line {})",
                    f + first_line - 1
                ),
                None => format!("`{key}` is written twice"),
            };
            (message, format!("keep one `{key}:` and remove the other"))
        }
        Error::Budget { breach, .. } => budget(breach),
        Error::AliasReplayLimitExceeded { .. }
        | Error::AliasExpansionLimitExceeded { .. }
        | Error::AliasReplayCounterOverflow { .. } => too_many_aliases(),
        Error::AliasReplayStackDepthExceeded { .. } => too_deep(),
        Error::Eof { .. } if is_blank(text) => (
            "this has no fields".into(),
            "write the fields as `name: value` lines".into(),
        ),
        Error::Eof { .. } => (
            "the text ends in the middle of a value".into(),
            "look for a quote, `[` or `{` that is opened but never closed".into(),
        ),
        Error::NullIntoString { .. } => (
            "a value is missing here".into(),
            "write a value after the colon, or remove the line".into(),
        ),
        Error::UnknownAnchor { .. } => (
            "this `*name` refers to an anchor `&name` that is not defined above it".into(),
            "define the anchor first, or write the value out".into(),
        ),
        Error::Unexpected { expected, .. } => unexpected(expected),
        _ => {
            let msg = e.to_string();
            let msg = msg.lines().next().unwrap_or("");
            if msg.contains("recursion limit") {
                too_deep()
            } else if msg.starts_with("unclosed quote") {
                (
                    "a quoted value is never closed".into(),
                    "add the closing quote at the end of the value that starts here".into(),
                )
            } else if let Some(open) = msg.strip_prefix("unclosed bracket '") {
                let open = open.trim_end_matches('\'');
                let close = if open == "{" { "}" } else { "]" };
                (
                    format!("a `{open}` is never closed"),
                    format!("close the list that starts here with `{close}`"),
                )
            } else {
                return None;
            }
        }
    })
}

fn budget(breach: &BudgetBreach) -> (String, String) {
    match breach {
        BudgetBreach::Aliases { .. }
        | BudgetBreach::Anchors { .. }
        | BudgetBreach::AliasAnchorRatio { .. }
        | BudgetBreach::MergeKeys { .. } => too_many_aliases(),
        BudgetBreach::Depth { .. } => too_deep(),
        _ => (
            "this is too large to read safely: it has too many values, or uses too many aliases (`*name`)".into(),
            "a profile or front matter needs far fewer values; split long notes into separate files, and write repeated values out instead of using `&anchor` and `*alias`".into(),
        ),
    }
}

fn too_many_aliases() -> (String, String) {
    (
        "this uses too many aliases (`*name`): expanding them would make it too large to read safely".into(),
        "write the repeated values out instead of using `&anchor` and `*alias`".into(),
    )
}

fn too_deep() -> (String, String) {
    (
        "lists and maps are nested too deeply here".into(),
        "nest at most a few levels: more than a few hundred `[`, `{` or indented levels cannot be read".into(),
    )
}

/// What the parser expected, in the words of YAML's users.
fn unexpected(expected: &str) -> (String, String) {
    if expected.contains("mapping") {
        (
            "expected `field: value` lines here".into(),
            "each field is written as `name: value`, one per line".into(),
        )
    } else if expected.contains("sequence") {
        (
            "expected a list here".into(),
            "write a list as `[a, b]` or as lines starting with `- `".into(),
        )
    } else {
        (
            "expected a single value here".into(),
            "write one value after the colon; quote it if it starts with `[`, `{`, `*`, `&` or `!`"
                .into(),
        )
    }
}

fn is_blank(text: &str) -> bool {
    text.lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
}

/// The 1-based line before `line` where `key:` was first written at the same indentation.
fn earlier_key(text: &str, key: &str, line: usize) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let dup = lines.get(line.checked_sub(1)?)?;
    let indent = |l: &str| l.len() - l.trim_start_matches([' ', '-']).len();
    let depth = indent(dup);
    lines[..line - 1]
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, l)| {
            let body = l.trim_start_matches([' ', '-']);
            let named = body
                .strip_prefix(key)
                .or_else(|| body.strip_prefix(&format!("\"{key}\"")))
                .is_some_and(|rest| rest.trim_start().starts_with(':'));
            (named && indent(l) == depth).then_some(i + 1)
        })
}
