//! `hundred new`: writes a new client, team member, touchpoint or playbook chapter from an
//! archetype, a commented example file. The theme has one of each (`themes/default/archetypes/`,
//! embedded in the binary); a file of the same name in the site's `archetypes/` folder is used
//! instead.
//!
//! An archetype is the file as it will be written, with placeholders such as `[[name]]` where
//! the values given on the command line go. Each placeholder becomes a complete YAML value,
//! quoted when it needs to be, so a name with a colon, quotes or `#` reads back as written. A
//! value of several lines (a client's `team`) keeps the indentation of the placeholder's line.
//! The result is read back with the loader of its kind before anything is written, and an
//! existing file is never overwritten.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::diagnostics::{suggest, Diagnostic, Diagnostics, Problems};
use crate::load::SourceKind;
use crate::model::Site;
use crate::record::scalar;

/// The `portal` line of a new touchpoint: the sentence a client reads on their timeline.
const PORTAL_LINE: &str =
    "portal: \"Replace this with one sentence telling the client what happens and why.\"";

/// What to create, as given on the command line.
#[derive(Debug, Clone)]
pub enum New {
    Client {
        id: String,
        name: Option<String>,
        /// Default: today.
        start: Option<Date>,
        /// The account lead: a team member's id.
        lead: Option<String>,
    },
    Member {
        id: String,
        name: Option<String>,
    },
    Touchpoint {
        name: String,
        day: u32,
        client_visible: bool,
    },
    Chapter {
        name: String,
    },
}

impl New {
    fn archetype(&self) -> &'static str {
        match self {
            New::Client { .. } => "client.yaml",
            New::Member { .. } => "member.yaml",
            New::Touchpoint { .. } => "touchpoint.md",
            New::Chapter { .. } => "chapter.md",
        }
    }

    fn kind(&self) -> SourceKind {
        match self {
            New::Client { .. } => SourceKind::Clients,
            New::Member { .. } => SourceKind::Team,
            New::Touchpoint { .. } => SourceKind::Journey,
            New::Chapter { .. } => SourceKind::Playbook,
        }
    }
}

/// The folder of a site's own archetypes, beside `hundred.toml`.
pub const ARCHETYPES: &str = "archetypes";

/// The largest `--day`: the loader's limit, ten years.
pub const MAX_DAY: u32 = 3660;

/// What was written.
#[derive(Debug)]
pub struct Created {
    /// The new file, relative to the site folder.
    pub file: PathBuf,
    /// The archetype it was made from: `archetypes/client.yaml` in the site, or the theme's.
    pub archetype: String,
    /// Things the user should know, one sentence each (who was assigned to a role…).
    pub notes: Vec<String>,
}

/// `--day`: a whole number of days from 1 (the client's start date) to [`MAX_DAY`].
pub fn parse_day(text: &str) -> Result<u32, String> {
    let text = text.trim();
    match text.parse::<i64>() {
        Ok(0) => Err("day 1 is the client's start date, so days count from 1".into()),
        Ok(d) if d < 0 => Err(format!(
            "`{text}` is before the start: day 1 is the client's start date, so use a whole \
             number from 1 to {MAX_DAY}"
        )),
        Ok(d) if d > i64::from(MAX_DAY) => Err(format!(
            "`{text}` is more than ten years in: use a whole number from 1 to {MAX_DAY}"
        )),
        Ok(d) => Ok(d as u32),
        Err(_) => Err(format!(
            "`{text}` is not a whole number of days: write e.g. --day 30 (day 1 is the \
             client's start date)"
        )),
    }
}

/// Writes the file `new` describes into the site at `root`. `today` is the default start of
/// a new client. Nothing is written when anything is wrong.
pub fn create(root: &Path, new: &New, today: Date) -> Result<Created, Problems> {
    let site = load(root)?;
    let kind = new.kind();
    let folder = kind.folder();
    let (existing, _) = crate::load::list_files(root, folder);
    let stems: Vec<String> = existing
        .iter()
        .filter(|p| SourceKind::of(&Path::new(folder).join(p)) == Some(kind))
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string))
        .collect();
    let mut notes = Vec::new();
    let (id, values) = match new {
        New::Client {
            id,
            name,
            start,
            lead,
        } => {
            check_id(id, "client", folder)?;
            if id == "assets" || static_folders(root).contains(id) {
                return Err(refuse(
                    folder,
                    format!("a client cannot be called `{id}`: the portal has a folder of that name already"),
                    "choose another id, e.g. the client's name with a word added",
                ));
            }
            let name = one_line(
                folder,
                "--name",
                name.clone().unwrap_or_else(|| in_words(id)),
            )?;
            let start = start.unwrap_or(today);
            let team = team_for(&site, lead.as_deref(), &mut notes)?;
            (
                id.clone(),
                vec![
                    ("id", id.clone()),
                    ("name", scalar(&name)),
                    ("start", start.to_string()),
                    ("team", team),
                ],
            )
        }
        New::Member { id, name } => {
            check_id(id, "team member", folder)?;
            let name = one_line(
                folder,
                "--name",
                name.clone().unwrap_or_else(|| in_words(id)),
            )?;
            let domain = site
                .config
                .firm
                .email
                .rsplit_once('@')
                .map_or("example.com", |(_, d)| d.trim());
            (
                id.clone(),
                vec![
                    ("id", id.clone()),
                    ("name", scalar(&name)),
                    ("email", email(&format!("{id}@{domain}"))),
                ],
            )
        }
        New::Touchpoint {
            name,
            day,
            client_visible,
        } => {
            let name = one_line(folder, "NAME", name.clone())?;
            let id = numbered(&slug(&name, folder)?, &stems);
            let owner = owner_for(&site, &mut notes);
            let values = vec![
                ("id", id.clone()),
                ("title", scalar(&title_of(&name))),
                ("day", day.to_string()),
                ("stage", scalar(&stage_for(&site, *day))),
                ("channel", "call".to_string()),
                ("owner", scalar(&owner)),
                (
                    "visibility",
                    if *client_visible {
                        "client"
                    } else {
                        "internal"
                    }
                    .to_string(),
                ),
                // A `portal` sentence on an internal step is never read (and `check` warns
                // about it), so an internal step gets the line as a note to switch on.
                (
                    "portal",
                    if *client_visible {
                        PORTAL_LINE.to_string()
                    } else {
                        format!("# {PORTAL_LINE}")
                    },
                ),
            ];
            (id, values)
        }
        New::Chapter { name } => {
            let name = one_line(folder, "NAME", name.clone())?;
            let base = slug(&name, folder)?;
            let next = next_number(&stems).max(
                site.playbook
                    .iter()
                    .filter_map(|c| c.order)
                    .max()
                    .unwrap_or(0)
                    .saturating_add(1),
            );
            let id = numbered_with(&base, &stems, next);
            if id == "print" {
                return Err(refuse(
                    folder,
                    "a chapter cannot be called `print`: that is the printable playbook's page",
                    "choose another name",
                ));
            }
            let values = vec![
                ("id", id.clone()),
                ("title", scalar(&title_of(&name))),
                ("order", next.to_string()),
            ];
            (id, values)
        }
    };
    let ext = if matches!(kind, SourceKind::Journey | SourceKind::Playbook) {
        "md"
    } else {
        "yaml"
    };
    let file = Path::new(folder).join(format!("{id}.{ext}"));
    if let Some(other) = existing
        .iter()
        .find(|p| p.file_stem().and_then(|s| s.to_str()) == Some(id.as_str()))
    {
        let other = Path::new(folder).join(other);
        return Err(refuse(
            &other,
            "this file already exists; hundred new never overwrites a file",
            "edit that file, or choose another name for the new one",
        ));
    }
    let (source, archetype) = archetype(root, new.archetype())?;
    let text = fill(&archetype, &values).map_err(|e| one(Diagnostic::error(&source, e)))?;
    reads_back(new, &file, &id, &text, &source)?;
    write_new(root, &file, &text)?;
    Ok(Created {
        file,
        archetype: source,
        notes,
    })
}

/// The site, as far as it loads: other files' mistakes are no reason not to add one.
fn load(root: &Path) -> Result<Site, Problems> {
    let config = root.join(crate::config::CONFIG_FILE);
    if !config.is_file() {
        return Err(refuse(
            crate::config::CONFIG_FILE,
            format!(
                "there is no {} in {}: this is not a hundred site",
                crate::config::CONFIG_FILE,
                if root == Path::new(".") {
                    "the current folder".to_string()
                } else {
                    root.display().to_string()
                }
            ),
            "run this in your site's folder, or name it with --site DIR (`hundred init DIR` makes a new site)",
        ));
    }
    let (site, diags) = crate::load::load_site(root);
    site.ok_or_else(|| Problems::from(diags))
}

fn refuse(file: impl AsRef<Path>, message: impl Into<String>, help: impl Into<String>) -> Problems {
    one(Diagnostic::error(file.as_ref(), message).help(help))
}

fn one(d: Diagnostic) -> Problems {
    Problems::from(Diagnostics { items: vec![d] })
}

/// An id given on the command line: it becomes a file name and part of page addresses.
fn check_id(id: &str, what: &str, folder: &str) -> Result<(), Problems> {
    if crate::load::is_valid_id(id) {
        return Ok(());
    }
    let why = if id.is_empty() {
        "it is empty".to_string()
    } else if id.contains(['/', '\\']) || id.contains("..") {
        format!("it would be a path, not a file name in {folder}/")
    } else if id.starts_with(['-', '_']) {
        "it starts with `-` or `_`".to_string()
    } else {
        "it becomes a file name and part of page addresses, so it may only have lowercase \
         letters, digits, `-` and `_`"
            .to_string()
    };
    let suggestion = slug_text(id);
    let help = if suggestion.is_empty() || suggestion == id {
        "use lowercase letters, digits, `-` and `_`, e.g. `harbour-dental`".to_string()
    } else {
        format!("use lowercase letters, digits, `-` and `_`, e.g. `{suggestion}`")
    };
    Err(refuse(
        folder,
        format!("`{id}` cannot be a {what}'s id: {why}"),
        help,
    ))
}

/// A value that goes on one line of the file.
fn one_line(folder: &str, what: &str, value: String) -> Result<String, Problems> {
    let value = value.trim().to_string();
    if value.is_empty() {
        return Err(refuse(
            folder,
            format!("{what} is empty"),
            format!("give {what} a value, between quotes if it has spaces: \"Harbour Dental\""),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(refuse(
            folder,
            format!("{what} has a line break or another control character"),
            "write it on one line",
        ));
    }
    Ok(value)
}

/// An email address as a YAML value: plain, as people write them, when that is safe.
fn email(address: &str) -> String {
    let plain = address.starts_with(|c: char| c.is_ascii_alphanumeric())
        && address
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '@' | '.' | '-' | '_' | '+'));
    if plain {
        address.to_string()
    } else {
        scalar(address)
    }
}

/// `harbour-dental` → `Harbour Dental`.
fn in_words(id: &str) -> String {
    id.split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The title of a touchpoint or chapter named `name`: as written, unless it was written as a
/// file name (`six-month-review`), which becomes words (`Six month review`).
fn title_of(name: &str) -> String {
    if crate::load::is_valid_id(name) {
        let words = name.replace(['-', '_'], " ");
        let mut c = words.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect())
            .unwrap_or_default()
    } else {
        name.to_string()
    }
}

/// `name` as a file name: lowercase letters and digits, words joined by `-`; common accented
/// letters lose their accents and apostrophes go (`Ada's café` → `adas-cafe`).
fn slug_text(name: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        if matches!(c, '\'' | '’' | '‘') {
            continue;
        }
        let folded = fold(c);
        match folded {
            Some(s) => {
                if gap && !out.is_empty() {
                    out.push('-');
                }
                gap = false;
                out.push_str(s);
            }
            None if c.is_ascii_alphanumeric() => {
                if gap && !out.is_empty() {
                    out.push('-');
                }
                gap = false;
                out.push(c);
            }
            None => gap = true,
        }
    }
    out
}

/// A few accented Latin letters as plain ones.
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'æ' => "ae",
        'ç' | 'č' | 'ć' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'ñ' | 'ń' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'œ' => "oe",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => "u",
        'ý' | 'ÿ' => "y",
        'ß' => "ss",
        'ł' => "l",
        'š' | 'ś' => "s",
        'ž' | 'ź' | 'ż' => "z",
        _ => return None,
    })
}

fn slug(name: &str, folder: &str) -> Result<String, Problems> {
    // A title may have a slash ("Before/after review" is `before-after-review`), but not
    // look like a path: that is a mistake, and its file would not be where it seems to say.
    if name.contains("..") || name.starts_with(['/', '\\', '~']) {
        return Err(refuse(
            folder,
            format!("`{name}` looks like a path: the file name is made from it, in {folder}/"),
            "give the title only, e.g. \"Six-month review\"",
        ));
    }
    let s = slug_text(name);
    if s.is_empty() {
        return Err(refuse(
            folder,
            format!("cannot make a file name from `{name}`: it has no letters or digits a file name can use"),
            "give it a name with latin letters or digits, e.g. \"Six-month review\"",
        ));
    }
    Ok(s)
}

/// The number in front of a file name (`019` in `019-launch-follow-up`) and its width, if it
/// has one.
fn number_of(stem: &str) -> Option<(u64, usize)> {
    let (digits, _) = stem.split_once('-')?;
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((digits.parse().ok()?, digits.len()))
}

/// One more than the highest number in front of the folder's file names (1 without any).
fn next_number(stems: &[String]) -> i64 {
    stems
        .iter()
        .filter_map(|s| number_of(s))
        .map(|(n, _)| n as i64 + 1)
        .max()
        .unwrap_or(1)
}

/// `slug` numbered like the folder's files: when they start with a number (`019-…`), the new
/// one gets the next number, as wide as theirs (`020-…`). A name that already starts with a
/// number, and a folder whose files do not, keep the name as it is.
fn numbered(slug: &str, stems: &[String]) -> String {
    numbered_with(slug, stems, next_number(stems))
}

fn numbered_with(slug: &str, stems: &[String], next: i64) -> String {
    if number_of(slug).is_some() {
        return slug.to_string();
    }
    match stems
        .iter()
        .filter_map(|s| number_of(s))
        .map(|(_, w)| w)
        .max()
    {
        Some(width) => format!("{next:0width$}-{slug}"),
        None => slug.to_string(),
    }
}

/// The top-level folders of `static/` and `static/portal/`: a client's portal folder may not
/// share their names.
fn static_folders(root: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for dir in ["static", "static/portal"] {
        if let Ok(entries) = std::fs::read_dir(root.join(dir)) {
            for e in entries.flatten() {
                if e.path().is_dir() {
                    names.push(e.file_name().to_string_lossy().into_owned());
                }
            }
        }
    }
    names
}

/// The roles the journey's touchpoints are owned by, that some team member holds: the ones a
/// client needs someone in. The account lead comes first.
fn roles_in_use(site: &Site) -> Vec<String> {
    let held = |role: &str| site.team.iter().any(|m| m.roles.iter().any(|r| r == role));
    let mut roles: Vec<String> = site
        .journey
        .iter()
        .map(|t| t.owner.value.clone())
        .filter(|r| held(r))
        .collect();
    roles.sort_by_key(|r| (r != "account-lead", r.clone()));
    roles.dedup();
    roles
}

/// A new client's `team`: `lead` as the account lead, and for every other role the journey
/// needs, the first team member (by id) who holds it.
fn team_for(site: &Site, lead: Option<&str>, notes: &mut Vec<String>) -> Result<String, Problems> {
    let ids: Vec<&str> = site.team.iter().map(|m| m.id.as_str()).collect();
    if let Some(lead) = lead {
        if ids.is_empty() {
            return Err(refuse(
                SourceKind::Team.folder(),
                format!("there is no team member `{lead}`: the site has no team members yet"),
                "add one first with `hundred new member ID`, or leave out --lead",
            ));
        }
        let Some(member) = site.member(lead) else {
            let help = match suggest(lead, ids.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!(
                    "--lead takes a team member's id (a file name in team/): {}",
                    ids.join(", ")
                ),
            };
            return Err(refuse(
                SourceKind::Team.folder(),
                format!("there is no team member `{lead}`"),
                help,
            ));
        };
        if !member.roles.iter().any(|r| r == "account-lead") {
            notes.push(format!(
                "{lead} does not list `account-lead` in their roles: add it to {} or \
                 `hundred check` will warn",
                member.file.display()
            ));
        }
    }
    let mut roles = roles_in_use(site);
    if lead.is_some() && !roles.iter().any(|r| r == "account-lead") {
        roles.insert(0, "account-lead".into());
    }
    let mut lines = Vec::new();
    let mut chosen = Vec::new();
    for role in roles {
        let member = match (role.as_str(), lead) {
            ("account-lead", Some(lead)) => lead.to_string(),
            _ => match site.team.iter().find(|m| m.roles.contains(&role)) {
                Some(m) => {
                    chosen.push(format!("{role}: {}", m.id));
                    m.id.clone()
                }
                None => continue,
            },
        };
        lines.push(format!("{}: {member}", scalar(&role)));
    }
    if !chosen.is_empty() {
        notes.push(format!(
            "Assigned the first team member who holds each role ({}): change them under `team` \
             if someone else looks after this client",
            chosen.join(", ")
        ));
    }
    if lines.is_empty() {
        if !ids.is_empty() {
            notes.push(
                "Nobody is assigned yet: add `account-lead: <team member id>` under `team`".into(),
            );
        }
        return Ok("{}".into());
    }
    Ok(lines.join("\n"))
}

/// A new touchpoint's owner: the account lead when someone holds that role, else the first
/// role anyone holds.
fn owner_for(site: &Site, notes: &mut Vec<String>) -> String {
    let mut held: Vec<&str> = site
        .team
        .iter()
        .flat_map(|m| m.roles.iter().map(String::as_str))
        .collect();
    held.sort_unstable();
    held.dedup();
    if held.contains(&"account-lead") || held.is_empty() {
        if held.is_empty() {
            notes.push(
                "No team member lists a role yet: add `account-lead` to someone's `roles` in \
                 team/, or `hundred check` will report this touchpoint's owner"
                    .into(),
            );
        }
        "account-lead".into()
    } else {
        notes.push(format!(
            "Nobody holds `account-lead`, so the owner is `{}`: change `owner` if another role does it",
            held[0]
        ));
        held[0].to_string()
    }
}

/// The stage a touchpoint on `day` is in: that of the journey's last touchpoint on or before
/// it, else of its first, else the second configured stage (the first after `prospect`), else
/// the first.
fn stage_for(site: &Site, day: u32) -> String {
    let stages = site.stages();
    site.journey
        .iter()
        .filter(|t| stages.contains(&t.stage.value))
        .filter(|t| t.when.day().is_some_and(|d| d <= day))
        .max_by_key(|t| t.when.day())
        .or_else(|| {
            site.journey
                .iter()
                .find(|t| stages.contains(&t.stage.value) && t.when.day().is_some())
        })
        .map(|t| t.stage.value.clone())
        .or_else(|| stages.get(1).or(stages.first()).cloned())
        .unwrap_or_else(|| "customer".into())
}

/// The archetype's source: the site's `archetypes/NAME` if there is one, else the theme's.
/// Returns what to call it in messages, and its text.
fn archetype(root: &Path, name: &str) -> Result<(String, String), Problems> {
    let rel = Path::new(ARCHETYPES).join(name);
    if root.join(&rel).exists() {
        let text = crate::load::read_text(root, &rel).map_err(one)?;
        return Ok((crate::load::slash_path(&rel), text));
    }
    let text = crate::theme::archetype(name).expect("the theme has every archetype");
    Ok((format!("the theme's archetypes/{name}"), text.to_string()))
}

/// `archetype` with every `[[placeholder]]` replaced by its value. Lines after the first of a
/// value get the leading white space of the placeholder's line. An unknown placeholder is an
/// error, naming the known ones.
fn fill(archetype: &str, values: &[(&str, String)]) -> Result<String, String> {
    let mut out = String::with_capacity(archetype.len() + 256);
    let mut rest = archetype;
    while let Some(open) = rest.find("[[") {
        let Some(close) = rest[open + 2..].find("]]").map(|c| open + 2 + c) else {
            break;
        };
        let inner = rest[open + 2..close].trim();
        let is_name = !inner.is_empty()
            && inner
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !is_name {
            out.push_str(&rest[..open + 2]);
            rest = &rest[open + 2..];
            continue;
        }
        out.push_str(&rest[..open]);
        let Some((_, value)) = values.iter().find(|(k, _)| *k == inner) else {
            let known: Vec<&str> = values.iter().map(|(k, _)| *k).collect();
            let hint = match suggest(inner, known.iter().copied()) {
                Some(s) => format!("did you mean `[[{s}]]`? "),
                None => String::new(),
            };
            return Err(format!(
                "unknown placeholder `[[{inner}]]`: {hint}this archetype can use {}",
                known
                    .iter()
                    .map(|k| format!("[[{k}]]"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        };
        let line_start = out.rfind('\n').map_or(0, |i| i + 1);
        let indent: String = out[line_start..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        out.push_str(&value.replace('\n', &format!("\n{indent}")));
        rest = &rest[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Reads the new file's text back with the loader of its kind, as a build will.
fn reads_back(new: &New, file: &Path, id: &str, text: &str, source: &str) -> Result<(), Problems> {
    let errors: Vec<Diagnostic> = match new {
        New::Client { .. } => crate::load::clients::load(file, id, text).err(),
        New::Member { .. } => crate::load::team::load(file, id, text).err(),
        New::Touchpoint { .. } => crate::load::journey::load(file, id, text).err(),
        New::Chapter { .. } => crate::load::playbook::load(file, id, text).err(),
    }
    .unwrap_or_default();
    if errors.is_empty() {
        return Ok(());
    }
    Err(Problems::from(Diagnostics {
        items: errors
            .into_iter()
            .map(|d| {
                let mut e = Diagnostic::error(
                    source,
                    format!(
                        "{} would not load, so it was not written: {}",
                        file.display(),
                        d.message
                    ),
                );
                e.help = Some(d.help.unwrap_or_else(|| {
                    "check the values you gave, and the archetype's fields".into()
                }));
                e
            })
            .collect(),
    }))
}

/// Whether `folder` is inside the site at `root` once links are followed (as far as it
/// exists yet): a folder that is a link to elsewhere must not get files hundred writes.
pub(crate) fn inside(root: &Path, folder: &Path) -> Result<(), String> {
    let existing = folder.ancestors().find(|a| a.exists()).unwrap_or(folder);
    let (Ok(root), Ok(real)) = (root.canonicalize(), existing.canonicalize()) else {
        return Err(format!("cannot find {}", folder.display()));
    };
    if real.starts_with(&root) {
        Ok(())
    } else {
        Err(format!(
            "{} leads outside the site folder (to {}), so nothing is written there",
            folder.strip_prefix(&root).unwrap_or(folder).display(),
            real.display()
        ))
    }
}

/// Creates `root/file` with `text`, never replacing a file that is there.
fn write_new(root: &Path, file: &Path, text: &str) -> Result<(), Problems> {
    let path = root.join(file);
    let fail = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            refuse(
                file,
                "this file already exists; hundred new never overwrites a file",
                "edit that file, or choose another name for the new one",
            )
        } else {
            refuse(
                file,
                format!("cannot write it: {e}"),
                "check the folder's permissions",
            )
        }
    };
    if let Some(parent) = path.parent() {
        if let Err(why) = inside(root, parent) {
            return Err(refuse(
                file,
                why,
                "write the file in the site folder itself",
            ));
        }
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(fail)?;
    f.write_all(text.as_bytes()).map_err(|e| {
        let _ = std::fs::remove_file(&path);
        fail(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_file_names() {
        assert_eq!(slug_text("Six-month review"), "six-month-review");
        assert_eq!(slug_text("  Ada's  café: \"best\" #1 "), "adas-cafe-best-1");
        assert_eq!(slug_text("../etc/passwd"), "etc-passwd");
        assert_eq!(slug_text("日本"), "");
        assert_eq!(slug_text("Straße"), "strasse");
    }

    #[test]
    fn new_files_are_numbered_like_the_folder() {
        let stems: Vec<String> = ["001-welcome", "019-launch", "notes"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(numbered("review", &stems), "020-review");
        assert_eq!(numbered("007-bond", &stems), "007-bond");
        assert_eq!(numbered("review", &["notes".to_string()]), "review");
        assert_eq!(numbered("review", &[]), "review");
        assert_eq!(numbered("x", &["01-a".to_string()]), "02-x");
    }

    #[test]
    fn days_count_from_one() {
        assert_eq!(parse_day("30"), Ok(30));
        assert!(parse_day("0").unwrap_err().contains("count from 1"));
        assert!(parse_day("-3").unwrap_err().contains("before the start"));
        assert!(parse_day("soon")
            .unwrap_err()
            .contains("not a whole number"));
        assert!(parse_day("3661").is_err());
        assert_eq!(parse_day("3660"), Ok(3660));
    }

    #[test]
    fn ids_are_checked_and_explained() {
        for (id, why) in [
            ("", "empty"),
            ("..", "path"),
            ("a/b", "path"),
            ("Acme", "lowercase"),
            ("-x", "starts with"),
        ] {
            let e = check_id(id, "client", "clients").unwrap_err();
            let msg = &e.diagnostics.items[0].message;
            assert!(msg.contains(why), "{id:?}: {msg}");
        }
        assert!(check_id("harbour-dental", "client", "clients").is_ok());
    }

    #[test]
    fn placeholders_are_filled_with_indented_values() {
        let text = fill(
            "name: [[name]]\nteam:\n  [[team]]\nkeep [[ not a placeholder ]] and [[x\n",
            &[
                ("name", scalar("A: \"b\" #c")),
                ("team", "a: x\nb: y".into()),
            ],
        )
        .unwrap();
        assert_eq!(
            text,
            "name: \"A: \\\"b\\\" #c\"\nteam:\n  a: x\n  b: y\nkeep [[ not a placeholder ]] and [[x\n"
        );
        let e = fill("name: [[nmae]]", &[("name", "x".into())]).unwrap_err();
        assert!(e.contains("did you mean `[[name]]`"), "{e}");
    }

    #[test]
    fn hostile_values_read_back_as_written() {
        for value in [
            "Acme: \"Best\" #1",
            "- leading dash",
            "{{ client.internal }}",
            "<script>alert(1)</script>",
            "Café Ünïcode ☕",
            "'single' and \\ backslash",
            "null",
            "2026-01-01",
        ] {
            let yaml = format!("name: {}\n", scalar(value));
            let map: std::collections::BTreeMap<String, String> =
                crate::load::yaml::parse(&yaml, Path::new("-"), 1, &[]).unwrap();
            assert_eq!(map["name"], value, "{yaml}");
        }
    }

    #[test]
    fn emails_are_plain_when_they_can_be() {
        assert_eq!(email("maya@fieldnote.example"), "maya@fieldnote.example");
        assert_eq!(email("maya@a b"), "\"maya@a b\"");
        assert_eq!(email("@x"), "\"@x\"");
    }

    #[test]
    fn every_archetype_is_in_the_theme() {
        for kind in ["client.yaml", "member.yaml", "touchpoint.md", "chapter.md"] {
            assert!(crate::theme::archetype(kind).is_some(), "{kind}");
        }
    }

    #[test]
    fn words_from_ids() {
        assert_eq!(in_words("harbour-dental_co"), "Harbour Dental Co");
        assert_eq!(title_of("six-month-review"), "Six month review");
        assert_eq!(title_of("Six-month review"), "Six-month review");
        assert_eq!(title_of("pricing"), "Pricing");
        assert_eq!(title_of("Pricing"), "Pricing");
    }
}
