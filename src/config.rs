//! `hundred.toml`: the firm, where each site is hosted, and build settings.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::{position_of, suggest, Diagnostic};

pub const CONFIG_FILE: &str = "hundred.toml";

pub const DEFAULT_STAGES: [&str; 5] = ["prospect", "customer", "member", "advocate", "raving-fan"];

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub firm: Firm,
    pub portal: SiteUrl,
    pub internal: InternalSite,
    #[serde(default)]
    pub build: BuildSettings,
    #[serde(default)]
    pub journey: JourneySettings,
    #[serde(default)]
    pub print: PrintSettings,
    #[serde(default)]
    pub health: HealthRules,
    /// `[roles]`: what clients read for a role id (`billing = "Billing contact"`), over
    /// [`DEFAULT_ROLE_LABELS`]. Any role id may be named.
    #[serde(default)]
    pub roles: BTreeMap<String, String>,
    /// `[calendar]` as written.
    #[serde(default)]
    pub calendar: crate::calendar_rules::CalendarSettings,
    /// The days the firm works, from `[calendar]` and its holidays file.
    #[serde(skip)]
    pub calendar_rules: crate::calendar_rules::CalendarRules,
    /// Where `logo` is written in the file, for a finding about it: the check stage reads no
    /// files.
    #[serde(skip)]
    pub logo_at: Option<crate::diagnostics::Position>,
    /// Where `[build] output` is written, for a finding about the folder it names.
    #[serde(skip)]
    pub output_at: Option<crate::diagnostics::Position>,
    /// Warnings about the holidays file (repeat rules it could not expand), for the loader to
    /// report: the file loads all the same.
    #[serde(skip)]
    pub holidays_file_warnings: Vec<Diagnostic>,
    /// Warnings about text the starter left in `hundred.toml` and its logo (see
    /// [`crate::leftovers`]).
    #[serde(skip)]
    pub leftover_warnings: Vec<Diagnostic>,
}

/// The labels of the common roles, in the order a client meets them when the journey does not
/// say otherwise (see `context::portal`): a role not here, and not in `[roles]`, is shown as
/// its id in words (`content-lead` → `Content lead`).
pub const DEFAULT_ROLE_LABELS: [(&str, &str); 16] = [
    ("account-lead", "Account lead"),
    ("account-manager", "Account manager"),
    ("project-lead", "Project lead"),
    ("project-manager", "Project manager"),
    ("producer", "Producer"),
    ("strategist", "Strategist"),
    ("designer", "Designer"),
    ("engineer", "Engineer"),
    ("developer", "Developer"),
    ("support", "Support contact"),
    ("billing", "Billing contact"),
    ("finance", "Finance contact"),
    ("accounts", "Accounts contact"),
    ("sales", "Sales contact"),
    ("founder", "Executive sponsor"),
    ("director", "Executive sponsor"),
];

/// What `role` is called with the labels of `[roles]`: see [`Config::role_label`].
pub fn role_label_in(roles: &BTreeMap<String, String>, role: &str) -> String {
    if let Some(label) = roles.get(role) {
        return label.trim().to_string();
    }
    match DEFAULT_ROLE_LABELS.iter().find(|(id, _)| *id == role) {
        Some((_, label)) => label.to_string(),
        None => crate::context::portal::role_label(role),
    }
}

/// `[health]`: when a relationship needs attention, from what the journey log records.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthRules {
    /// Amber when the last personal contact is more than this many days old; red past twice
    /// this.
    #[serde(default = "default_quiet_after_days")]
    pub quiet_after_days: u32,
    /// Red when the last score is at or below this.
    #[serde(default = "default_low_score")]
    pub low_score: u8,
    /// Amber with this many open steps (dates passed, nothing logged) or more.
    #[serde(default = "default_open_steps")]
    pub open_steps: u32,
    /// The channels that count as personal contact.
    #[serde(default = "default_personal_channels")]
    pub personal_channels: Vec<String>,
}

impl Default for HealthRules {
    fn default() -> Self {
        HealthRules {
            quiet_after_days: default_quiet_after_days(),
            low_score: default_low_score(),
            open_steps: default_open_steps(),
            personal_channels: default_personal_channels(),
        }
    }
}

fn default_quiet_after_days() -> u32 {
    45
}
fn default_low_score() -> u8 {
    6
}
fn default_open_steps() -> u32 {
    2
}
fn default_personal_channels() -> Vec<String> {
    ["call", "meeting", "visit", "event"]
        .map(String::from)
        .to_vec()
}

/// `[print]`: how the print pages (playbook, runbooks, welcome packs) are laid out on paper.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrintSettings {
    /// `A4` (the default) or `Letter`.
    #[serde(default = "default_paper")]
    pub paper: String,
}

impl Default for PrintSettings {
    fn default() -> Self {
        PrintSettings {
            paper: default_paper(),
        }
    }
}

impl PrintSettings {
    /// The paper size as CSS names it: `A4` or `letter`.
    pub fn css_size(&self) -> &'static str {
        if self.paper.eq_ignore_ascii_case("letter") {
            "letter"
        } else {
            "A4"
        }
    }
}

fn default_paper() -> String {
    "A4".into()
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Firm {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// A file inside `static/`.
    #[serde(default)]
    pub logo: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteUrl {
    pub base_url: String,
    /// Whether the site's pages are published encrypted (see `src/private.rs`).
    #[serde(default)]
    pub private: bool,
}

/// `[internal]`: the team site's address, whether it is private, and whether it has search.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InternalSite {
    pub base_url: String,
    /// Whether the site's pages are published encrypted (see `src/private.rs`).
    #[serde(default)]
    pub private: bool,
    /// Whether the team site gets a search box and its index (see `src/search.rs`); a private
    /// team site never does.
    #[serde(default = "default_true")]
    pub search: bool,
}

impl InternalSite {
    /// Whether this build writes a search index: asked for, and the site is not sealed.
    pub fn has_search(&self) -> bool {
        self.search && !self.private
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildSettings {
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default = "default_output")]
    pub output: String,
    #[serde(default = "default_true")]
    pub minify: bool,
}

impl Default for BuildSettings {
    fn default() -> Self {
        BuildSettings {
            theme: default_theme(),
            output: default_output(),
            minify: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JourneySettings {
    #[serde(default = "default_stages")]
    pub stages: Vec<String>,
}

impl Default for JourneySettings {
    fn default() -> Self {
        JourneySettings {
            stages: default_stages(),
        }
    }
}

fn default_theme() -> String {
    "default".into()
}
fn default_output() -> String {
    "public".into()
}
fn default_true() -> bool {
    true
}
fn default_stages() -> Vec<String> {
    DEFAULT_STAGES.iter().map(|s| s.to_string()).collect()
}

/// A base URL split into what links need: the scheme and host, and the path it is served under.
#[derive(Debug, Clone, Serialize)]
pub struct BaseUrl {
    /// Always ends with `/`.
    pub full: String,
    /// The sub-path, starting and ending with `/` (just `/` at a host's root).
    pub path: String,
    pub host: String,
}

impl BaseUrl {
    pub fn parse(raw: &str) -> Result<BaseUrl, String> {
        let raw = raw.trim();
        let rest = raw
            .strip_prefix("https://")
            .or_else(|| raw.strip_prefix("http://"))
            .ok_or_else(|| format!("`{raw}` must start with https:// or http://"))?;
        // It is written into pages, links and calendar files as it is.
        if let Some(problem) = crate::load::text::web_url_problem(raw) {
            return Err(format!("`{}` {problem}", raw.escape_debug()));
        }
        let (host, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err(format!("`{raw}` has no valid host name"));
        }
        if path.contains(['?', '#']) {
            return Err(format!("`{raw}` must not have a query or fragment"));
        }
        let mut path = path.to_string();
        if !path.ends_with('/') {
            path.push('/');
        }
        let scheme = &raw[..raw.len() - rest.len()];
        Ok(BaseUrl {
            full: format!("{scheme}{host}{path}"),
            path,
            host: host.to_string(),
        })
    }
}

impl Config {
    /// Reads and validates `hundred.toml`, reporting problems at their line and column.
    pub fn load(site_root: &Path) -> Result<Config, Vec<Diagnostic>> {
        let path = site_root.join(CONFIG_FILE);
        if let Err(e) = std::fs::metadata(&path) {
            return Err(vec![Diagnostic::error(
                CONFIG_FILE,
                if e.kind() == std::io::ErrorKind::NotFound {
                    format!(
                        "there is no {CONFIG_FILE} in {}, so it is not a site folder",
                        site_root.display()
                    )
                } else {
                    format!(
                        "cannot read the site settings: {}",
                        crate::write::plain_io_error(&e)
                    )
                },
            )
            .help(
                "run `hundred init` to create a site, or pass the site folder as an argument",
            )]);
        }
        crate::load::links::check_file(site_root, Path::new(CONFIG_FILE)).map_err(|d| vec![d])?;
        let text =
            crate::load::read_text(site_root, Path::new(CONFIG_FILE)).map_err(|d| vec![d])?;
        let mut config = Config::parse(&text)?;
        let holidays = match &config.calendar.holidays_file {
            None => None,
            Some(name) => Some(read_holidays_file(site_root, name, &text)?),
        };
        let (rules, notes) = config
            .calendar
            .rules_and_notes(holidays.as_deref())
            .map_err(|msg| vec![calendar_problem(&text, msg)])?;
        config.calendar_rules = rules;
        config.leftover_warnings = crate::leftovers::in_text(Path::new(CONFIG_FILE), &text);
        if let Some(logo) = &config.firm.logo {
            config
                .leftover_warnings
                .extend(crate::leftovers::in_logo(site_root, logo.trim()));
        }
        let file = config.calendar.holidays_file.clone().unwrap_or_default();
        config.holidays_file_warnings = notes
            .into_iter()
            .map(|note| {
                Diagnostic::warning(file.as_str(), note).help(
                    "add the other dates as events of their own, or list them under `holidays`",
                )
            })
            .collect();
        Ok(config)
    }

    pub fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        // TOML does not allow raw control characters; say so plainly, where one is.
        if let Some((i, c)) = text
            .char_indices()
            .find(|&(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        {
            return Err(vec![Diagnostic::error(
                CONFIG_FILE,
                format!(
                    "this contains a control character (U+{:04X}), which TOML does not allow",
                    c as u32
                ),
            )
            .at(Some(position_of(text, i)))
            .help(
                "remove it: it is invisible in most editors, so retype the text around it",
            )]);
        }
        let mut config: Config =
            toml::from_str(text).map_err(|e| vec![toml_diagnostic(text, &e)])?;
        config.logo_at = find_key_in_section(text, "firm", "logo");
        config.output_at = find_key_in_section(text, "build", "output");
        let mut problems = config.unwanted_characters(text);
        let at = |key: &str| find_key(text, key);
        if config.firm.name.trim().is_empty() {
            problems.push(
                Diagnostic::error(CONFIG_FILE, "`firm.name` is empty")
                    .at(at("name"))
                    .help("the firm's name is shown on every page"),
            );
        }
        if let Some(problem) = crate::load::text::email_problem(config.firm.email.trim()) {
            problems.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    format!(
                        "`firm.email` `{}` is not an email address: it {problem}",
                        config.firm.email
                    ),
                )
                .at(at("email")),
            );
        }
        if let Some(website) = &config.firm.website {
            if let Some(problem) = crate::load::text::web_url_problem(website.trim()) {
                problems.push(
                    Diagnostic::error(CONFIG_FILE, format!("`firm.website` {problem}"))
                        .at(find_key_in_section(text, "firm", "website"))
                        .help("for example website = \"https://northwind.example\""),
                );
            }
        }
        for (section, url) in [
            ("portal", &config.portal.base_url),
            ("internal", &config.internal.base_url),
        ] {
            if let Err(msg) = BaseUrl::parse(url) {
                problems.push(
                    Diagnostic::error(CONFIG_FILE, format!("`{section}.base_url`: {msg}"))
                        .at(find_key_in_section(text, section, "base_url"))
                        .help("for example base_url = \"https://clients.example.com/\""),
                );
            }
        }
        if config.journey.stages.is_empty() {
            problems
                .push(Diagnostic::error(CONFIG_FILE, "`journey.stages` is empty").at(at("stages")));
        }
        let mut seen = std::collections::BTreeSet::new();
        for stage in &config.journey.stages {
            if !seen.insert(stage) {
                problems.push(
                    Diagnostic::error(CONFIG_FILE, format!("stage `{stage}` is listed twice"))
                        .at(at("stages")),
                );
            }
        }
        if !["a4", "letter"].contains(&config.print.paper.to_ascii_lowercase().as_str()) {
            problems.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    format!("unknown paper size `{}`", config.print.paper),
                )
                .at(find_key_in_section(text, "print", "paper"))
                .help("use paper = \"A4\" or paper = \"Letter\""),
            );
        }
        for (role, label) in &config.roles {
            if label.trim().is_empty() {
                problems.push(
                    Diagnostic::error(CONFIG_FILE, format!("`roles.{role}` is empty"))
                        .at(find_key_in_section(text, "roles", role))
                        .help(format!(
                            "write what clients read for this role, e.g. {role} = \"{}\"",
                            crate::context::portal::role_label(role)
                        )),
                );
            }
        }
        let health = &config.health;
        if health.low_score > 10 {
            problems.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    format!(
                        "`health.low_score` is {}, beyond the 0-10 scale of scores",
                        health.low_score
                    ),
                )
                .at(find_key_in_section(text, "health", "low_score")),
            );
        }
        if health.quiet_after_days == 0 || health.open_steps == 0 {
            problems.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    "`health.quiet_after_days` and `health.open_steps` must be at least 1",
                )
                .at(find_key_in_section(
                    text,
                    "health",
                    if health.open_steps == 0 {
                        "open_steps"
                    } else {
                        "quiet_after_days"
                    },
                ))
                .help("with 0 every client would need attention all the time"),
            );
        }
        if config.build.theme != "default" {
            problems.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    format!("unknown theme `{}`", config.build.theme),
                )
                .at(at("theme"))
                .help("the built-in theme is `default`; override single templates in templates/"),
            );
        }
        // The rules are made again with the holidays file by `load`; here, without it, so
        // that a mistake in the settings themselves is found by `parse` too.
        match config.calendar.rules(None) {
            Ok(rules) => config.calendar_rules = rules,
            Err(msg) => problems.push(calendar_problem(text, msg)),
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    /// Every setting is one line of text: control, line-break and invisible characters (which
    /// TOML lets through as escapes such as `"\u202E"` or `"\r\n"`) are errors.
    fn unwanted_characters(&self, text: &str) -> Vec<Diagnostic> {
        let mut check = crate::load::text::TextCheck::new(Path::new(CONFIG_FILE), text, 1);
        let firm = &self.firm;
        check.line("name", &firm.name);
        check.line("email", &firm.email);
        check.optional("phone", &firm.phone);
        check.optional("logo", &firm.logo);
        check.optional("website", &firm.website);
        // Base URLs: checked by `BaseUrl::parse`, at their own section.
        check.line("theme", &self.build.theme);
        check.line("output", &self.build.output);
        check.lines("stages", &self.journey.stages);
        check.line("paper", &self.print.paper);
        check.lines("personal_channels", &self.health.personal_channels);
        for (role, label) in &self.roles {
            check.line(&format!("roles.{role}"), label);
        }
        check.errors
    }

    /// What a role is called on every page: its `[roles]` label, else the common role's
    /// ([`DEFAULT_ROLE_LABELS`]), else its id in words. `billing` → `Billing contact`.
    pub fn role_label(&self, role: &str) -> String {
        role_label_in(&self.roles, role)
    }

    pub fn portal_url(&self) -> BaseUrl {
        BaseUrl::parse(&self.portal.base_url).expect("validated on load")
    }

    pub fn internal_url(&self) -> BaseUrl {
        BaseUrl::parse(&self.internal.base_url).expect("validated on load")
    }
}

fn toml_diagnostic(text: &str, e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim().to_string();
    let mut at = e.span().map(|s| position_of(text, s.start));
    let (plain, help, place) = plain_toml_message(text, e, &message, at);
    if place.is_some() {
        at = place;
    }
    Diagnostic::error(CONFIG_FILE, plain).at(at).help(help)
}

/// The sections of `hundred.toml`.
const SECTIONS: &[&str] = &[
    "firm", "portal", "internal", "build", "journey", "print", "health", "roles", "calendar",
];

/// The `[section]` that line `line` (1-based) of `text` is in, if any.
fn section_at(text: &str, line: usize) -> Option<String> {
    text.lines()
        .take(line)
        .collect::<Vec<_>>()
        .iter()
        .rev()
        .find_map(|l| {
            let t = l.trim();
            t.strip_prefix('[')
                .and_then(|r| r.split(']').next())
                .map(|n| n.trim_matches(['[', ' ']).to_string())
        })
}

/// The key written on line `line` (1-based) of `text`: `name` of `name = "x"`.
fn key_at(text: &str, line: usize) -> Option<String> {
    let l = text.lines().nth(line.checked_sub(1)?)?.trim();
    let (key, _) = l.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_string())
}

/// The names in a message's "expected one of `a`, `b`" or "expected `a` or `b`".
fn expected_names(message: &str) -> Vec<String> {
    let Some((_, rest)) = message.split_once("expected") else {
        return Vec::new();
    };
    rest.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// What a value of the kind a message names is called by people writing settings.
fn toml_kind(s: &str) -> &'static str {
    if s.contains("sequence") || s.contains("array") {
        "a list"
    } else if s.contains("bool") {
        "true or false"
    } else if s.contains("integer")
        || s.contains("u8")
        || s.contains("u32")
        || s.contains("u64")
        || s.contains("i64")
    {
        "a whole number"
    } else if s.contains("float") {
        "a decimal number"
    } else if s.contains("map") || s.contains("table") || s.contains("struct") {
        "a section"
    } else {
        "text"
    }
}

fn toml_example(kind: &str, key: &str) -> String {
    match kind {
        "a list" => format!("write a list in brackets, e.g. {key} = [\"a\", \"b\"]"),
        "true or false" => format!("write {key} = true or {key} = false, without quotes"),
        "a whole number" => format!("write digits without quotes, e.g. {key} = 5"),
        "a decimal number" => format!("write digits without quotes, e.g. {key} = 4.5"),
        "a section" => format!("write it as a section: a `[{key}]` line and its settings below"),
        _ => format!("write text in quotes, e.g. {key} = \"…\""),
    }
}

/// The TOML parser's terse messages, in plain words with a hint (and a better place, when
/// there is one).
fn plain_toml_message(
    text: &str,
    e: &toml::de::Error,
    message: &str,
    at: Option<crate::diagnostics::Position>,
) -> (String, String, Option<crate::diagnostics::Position>) {
    let spanned = e.span().and_then(|s| text.get(s)).unwrap_or("").trim();
    let line = at.map(|p| p.line).unwrap_or(1);
    let line_text = text
        .lines()
        .nth(line.saturating_sub(1))
        .unwrap_or("")
        .trim();
    let key = key_at(text, line);
    let section = section_at(text, line);
    let in_section = |s: &Option<String>| {
        s.as_ref()
            .map_or("at the top of hundred.toml".to_string(), |s| {
                format!("in [{s}]")
            })
    };
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or("");
        let allowed = expected_names(message);
        let header = line_text.starts_with('[');
        // The section a setting of this name belongs in, if any.
        let home = SECTIONS.iter().find(|s| section_keys(s).contains(&name));
        if header || section.is_none() {
            let hint = match suggest(name, SECTIONS.iter().copied()) {
                Some(s) => format!(
                    "did you mean `[{s}]`? The sections are {}",
                    SECTIONS.join(", ")
                ),
                None => format!("the sections are {}", SECTIONS.join(", ")),
            };
            return match (header, home) {
                (true, _) => (
                    format!("there is no section [{name}] in hundred.toml"),
                    hint,
                    None,
                ),
                (false, Some(home)) => (
                    format!("`{name}` is written outside a section"),
                    format!("`{name}` belongs in [{home}]: move it below a `[{home}]` line"),
                    None,
                ),
                (false, None) => (
                    format!("`{name}` is written outside a section"),
                    format!("settings go below a section line; {hint}"),
                    None,
                ),
            };
        }
        let hint = match (suggest(name, allowed.iter().map(String::as_str)), home) {
            (Some(s), _) if s != name => format!("did you mean `{s}`?"),
            (_, Some(other)) => {
                format!("`{name}` belongs in [{other}]: move it below a `[{other}]` line")
            }
            _ => format!(
                "the settings {} are {}",
                in_section(&section),
                allowed.join(", ")
            ),
        };
        return (
            format!("unknown setting `{name}` {}", in_section(&section)),
            hint,
            None,
        );
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or("");
        if SECTIONS.contains(&name) {
            return (
                format!("the section [{name}] is missing"),
                format!("add a line `[{name}]` and its settings below it, as `hundred init` writes them"),
                Some(crate::diagnostics::Position::new(1, 1)),
            );
        }
        return (
            format!("`{name}` is missing {}", in_section(&section)),
            format!(
                "add {name} = \"…\" below the [{}] line",
                section.as_deref().unwrap_or("…")
            ),
            None,
        );
    }
    if message.starts_with("invalid type") || message.starts_with("invalid value") {
        let (found, expected) = message
            .split_once(", expected")
            .map_or((message, ""), |(a, b)| (a, b));
        let want = toml_kind(expected);
        let got = toml_kind(found);
        let key = key.unwrap_or_else(|| "the setting".into());
        let negative = found.contains('-') && want == "a whole number";
        let in_list = line_text
            .split_once('=')
            .is_some_and(|(_, v)| v.trim_start().starts_with('['));
        if in_list && want != "a list" {
            let example = match want {
                "text" => format!("{key} = [\"a\", \"b\"]"),
                _ => format!("{key} = [1, 2]"),
            };
            return (
                format!("each item of `{key}` should be {want}, but one is {got}"),
                format!("write the list as {example}"),
                None,
            );
        }
        let what = if negative {
            format!("`{key}` must be a whole number, 0 or more")
        } else if want == got {
            format!("`{key}` is out of range")
        } else {
            format!("`{key}` should be {want}, but it is {got}")
        };
        return (what, toml_example(want, &key), None);
    }
    if message.starts_with("duplicate key") {
        let name = spanned.split(['=', ' ']).next().unwrap_or(spanned);
        let name = name.trim_matches(['[', ']']);
        if line_text.starts_with('[') {
            let first = text
                .lines()
                .position(|l| l.trim() == format!("[{name}]"))
                .map(|i| i + 1);
            return (
                match first {
                    Some(f) if f != line => {
                        format!("the section [{name}] is written twice (first on line {f})")
                    }
                    _ => format!("the section [{name}] is written twice"),
                },
                format!("move the settings below this line into the first [{name}] and remove this `[{name}]` line"),
                None,
            );
        }
        return (
            format!("`{name}` is written twice"),
            format!("keep one `{name} = …` and remove the other"),
            None,
        );
    }
    if message.contains("recurs") {
        return (
            "lists and tables are nested too deeply here".into(),
            "hundred.toml needs only a few levels of `[` and `{`".into(),
            None,
        );
    }
    if message.starts_with("invalid basic string") || message.starts_with("invalid literal string")
    {
        return (
            "a quoted value is never closed".into(),
            "add the closing quote at the end of the value that starts here".into(),
            None,
        );
    }
    if message.contains("must be quoted") || message.contains("expected literal string") {
        let key = key.unwrap_or_else(|| "name".into());
        return (
            format!("the value of `{key}` must be in quotes"),
            format!("write {key} = \"…\" (numbers, true and false go without quotes)"),
            None,
        );
    }
    if message.starts_with("unclosed table") || message.contains("expected `]`") {
        return (
            "this section name has no closing `]`".into(),
            format!("write it as [{}]", line_text.trim_matches(['[', ']', ' '])),
            None,
        );
    }
    if message.contains("expected `=`") {
        let name = line_text.split_whitespace().next().unwrap_or("name");
        return (
            format!("`{name}` has no `=` after it"),
            format!("write it as {name} = \"…\""),
            None,
        );
    }
    if message.contains("missing comma") || message.contains("expected `,`") {
        return (
            "this list is missing a `,` between its items, or its closing `]`".into(),
            "write a list on one line as [\"a\", \"b\"], or close it with `]` on a later line"
                .into(),
            None,
        );
    }
    if message.contains("expected newline") {
        return (
            "there is more on this line after the value".into(),
            "write one setting per line, and put text with spaces inside one pair of quotes".into(),
            None,
        );
    }
    let first = message.lines().next().unwrap_or(message);
    let plain_words = !crate::load::looks_technical(first);
    (
        if plain_words {
            format!("hundred.toml cannot be read here: {first}")
        } else {
            "hundred.toml cannot be read here".to_string()
        },
        "each setting is written as name = value, below its [section] line; text goes in quotes"
            .into(),
        None,
    )
}

/// The settings a section of `hundred.toml` may hold.
fn section_keys(section: &str) -> &'static [&'static str] {
    match section {
        "firm" => &["name", "email", "phone", "logo", "website"],
        "portal" => &["base_url", "private"],
        "internal" => &["base_url", "private", "search"],
        "build" => &["theme", "output", "minify"],
        "journey" => &["stages"],
        "print" => &["paper"],
        "health" => &[
            "quiet_after_days",
            "low_score",
            "open_steps",
            "personal_channels",
        ],
        "calendar" => &["working_days", "holidays", "holidays_file", "shift"],
        _ => &[],
    }
}

/// Where `key = …` first appears, for pointing at a value that parsed but is not valid.
pub fn find_key(text: &str, key: &str) -> Option<crate::diagnostics::Position> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key) {
            if rest.trim_start().starts_with('=') {
                return Some(position_of(text, offset + (line.len() - trimmed.len())));
            }
        }
        offset += line.len();
    }
    None
}

pub fn find_key_in_section(
    text: &str,
    section: &str,
    key: &str,
) -> Option<crate::diagnostics::Position> {
    let header = format!("[{section}]");
    let start = text.find(&header)?;
    let rest = &text[start..];
    let end = rest[header.len()..]
        .find("\n[")
        .map(|i| i + header.len())
        .unwrap_or(rest.len());
    let pos = find_key(&rest[..end], key)?;
    let line_offset = text[..start].matches('\n').count();
    Some(crate::diagnostics::Position::new(
        pos.line + line_offset,
        pos.column,
    ))
}

fn calendar_problem(text: &str, msg: String) -> Diagnostic {
    // The message starts with the setting it is about: `working_days`: …
    let key = msg.split('`').nth(1).unwrap_or("");
    let at = find_key_in_section(text, "calendar", key).or_else(|| {
        text.lines()
            .position(|l| l.trim() == "[calendar]")
            .map(|i| crate::diagnostics::Position::new(i + 1, 1))
    });
    Diagnostic::error(CONFIG_FILE, format!("`[calendar]`: {msg}"))
        .at(at)
        .help("see \"Working days and holidays\" in README.md")
}

/// The text of `[calendar] holidays_file`: an `.ics` file at the top of the site folder, where
/// `serve` watches it like `hundred.toml`.
fn read_holidays_file(
    site_root: &Path,
    name: &str,
    settings: &str,
) -> Result<String, Vec<Diagnostic>> {
    let at = find_key_in_section(settings, "calendar", "holidays_file");
    let plain = Path::new(name).components().count() == 1
        && !name.starts_with('.')
        && name.to_ascii_lowercase().ends_with(".ics");
    if !plain {
        return Err(vec![Diagnostic::error(
            CONFIG_FILE,
            format!("`calendar.holidays_file` `{name}` is not an .ics file in the site folder"),
        )
        .at(at)
        .help("put the calendar next to hundred.toml and name it, e.g. holidays_file = \"holidays.ics\"")]);
    }
    let rel = Path::new(name);
    crate::load::links::check_file(site_root, rel)
        .and_then(|()| crate::load::read_text(site_root, rel))
        .map_err(|d| vec![d.help("export the calendar of closed days as an .ics file and save it next to hundred.toml")])
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "[firm]\nname = \"Acme\"\nemail = \"a@b.example\"\n[portal]\nbase_url = \"https://c.example/clients\"\n[internal]\nbase_url = \"https://t.example/\"\n";

    #[test]
    fn base_urls_keep_their_sub_path() {
        let c = Config::parse(GOOD).unwrap();
        let p = c.portal_url();
        assert_eq!(p.path, "/clients/");
        assert_eq!(p.full, "https://c.example/clients/");
        assert_eq!(c.internal_url().path, "/");
        assert_eq!(c.journey.stages.len(), 5);
    }

    #[test]
    fn unknown_keys_are_reported_with_a_suggestion() {
        let text = GOOD.replace("email =", "emial =");
        let err = Config::parse(&text).unwrap_err();
        assert_eq!(err[0].position.unwrap().line, 3);
        assert!(err[0].message.contains("emial"), "{}", err[0].message);
        assert_eq!(err[0].help.as_deref(), Some("did you mean `email`?"));
    }

    #[test]
    fn paper_is_a4_or_letter() {
        assert_eq!(Config::parse(GOOD).unwrap().print.css_size(), "A4");
        let letter = format!("{GOOD}[print]\npaper = \"Letter\"\n");
        assert_eq!(Config::parse(&letter).unwrap().print.css_size(), "letter");
        let err = Config::parse(&letter.replace("Letter", "A3")).unwrap_err();
        assert!(err[0].message.contains("`A3`"), "{}", err[0].message);
        assert_eq!(err[0].position.unwrap().line, 9);
    }

    #[test]
    fn role_labels_come_from_roles_then_defaults_then_words() {
        let c = Config::parse(&format!(
            "{GOOD}[roles]\nbilling = \"Accounts\"\nux-lead = \"UX lead\"\n"
        ))
        .unwrap();
        assert_eq!(c.role_label("billing"), "Accounts");
        assert_eq!(c.role_label("ux-lead"), "UX lead");
        assert_eq!(c.role_label("account-lead"), "Account lead");
        assert_eq!(c.role_label("support"), "Support contact");
        assert_eq!(c.role_label("content_lead"), "Content lead");
        let defaults = Config::parse(GOOD).unwrap();
        assert_eq!(defaults.role_label("billing"), "Billing contact");
    }

    #[test]
    fn role_labels_are_one_line_and_not_empty() {
        let err = Config::parse(&format!(
            "{GOOD}[roles]\nbilling = \"\"\nfounder = \"A\\nB\"\n"
        ))
        .unwrap_err();
        assert!(
            err.iter().any(|d| d.message == "`roles.billing` is empty"
                && d.position.map(|p| p.line) == Some(9)),
            "{err:?}"
        );
        assert!(
            err.iter()
                .any(|d| d.message.starts_with("`roles.founder` contains")),
            "{err:?}"
        );
    }

    #[test]
    fn toml_mistakes_are_told_in_plain_words() {
        let one = |extra: &str| {
            let err = Config::parse(&format!("{GOOD}{extra}")).unwrap_err();
            let d = err.into_iter().next().unwrap();
            for word in crate::load::TECHNICAL_WORDS {
                assert!(!d.message.contains(word), "{d:?}");
                assert!(!d.help.as_deref().unwrap_or("").contains(word), "{d:?}");
            }
            (
                d.message,
                d.help.unwrap_or_default(),
                d.position.map(|p| p.line),
            )
        };
        let (m, h, line) = one("[branding]\ncolour = 1\n");
        assert_eq!(m, "there is no section [branding] in hundred.toml");
        assert!(h.starts_with("the sections are firm"), "{h}");
        assert_eq!(line, Some(8));
        let (m, h, _) = one("stages = [\"a\"]\n");
        assert_eq!(m, "unknown setting `stages` in [internal]");
        assert!(h.contains("belongs in [journey]"), "{h}");
        let (m, h, _) = one("[build]\nminify = \"yes\"\n");
        assert_eq!(m, "`minify` should be true or false, but it is text");
        assert!(h.contains("minify = true"), "{h}");
        let (m, _, _) = one("[health]\nlow_score = -1\n");
        assert_eq!(m, "`low_score` must be a whole number, 0 or more");
        let (m, _, line) = one("[portal]\nprivate = true\n");
        assert_eq!(m, "the section [portal] is written twice (first on line 4)");
        assert_eq!(line, Some(8));
        let (m, h, _) = one("[journey]\nstages = [\"a\", 1]\n");
        assert!(m.starts_with("each item of `stages` should be text"), "{m}");
        assert!(h.contains("[\"a\", \"b\"]"), "{h}");
        let err = Config::parse(&GOOD.replace("name = \"Acme\"", "name = Acme")).unwrap_err();
        assert_eq!(err[0].message, "the value of `name` must be in quotes");
        let err =
            Config::parse(&GOOD.replace("[internal]\nbase_url = \"https://t.example/\"\n", ""))
                .unwrap_err();
        assert_eq!(err[0].message, "the section [internal] is missing");
    }

    #[test]
    fn bad_base_url_points_at_its_section() {
        let text = GOOD.replace("https://t.example/", "t.example");
        let err = Config::parse(&text).unwrap_err();
        assert_eq!(err[0].position.unwrap().line, 7);
    }
}
