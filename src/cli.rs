//! The command line: `hundred init | build | pdf | serve | check | log | new | theme`. Parsing and printing only; the work is
//! done by the library.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::build::BuildOptions;
use crate::diagnostics::{Diagnostic, Diagnostics, Problems};

#[derive(Parser)]
#[command(
    name = "hundred",
    version,
    about = "Client portals, team profiles and printable playbooks from YAML and markdown"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new site with a small working example
    Init {
        /// Folder to create (must be empty or new)
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Build the client portal and the internal site
    Build {
        /// The site folder (the one with hundred.toml)
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Where to write the two sites (default: DIR/public)
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// The build date, YYYY-MM-DD: what counts as done, due and upcoming (default: today)
        #[arg(long, value_parser = parse_date)]
        today: Option<jiff::civil::Date>,
        /// Do not minify HTML, whatever hundred.toml says
        #[arg(long)]
        no_minify: bool,
        /// Write private sites unencrypted, each client's portal in a folder named by its id,
        /// as `serve` previews them, into DIR/preview unless --output says otherwise: for
        /// reading the output, never for publishing it
        #[arg(long)]
        preview: bool,
    },
    /// Build, then print the playbook, every runbook and every welcome pack to PDF with headless Chromium
    Pdf {
        /// The site folder (the one with hundred.toml)
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Where to write the two sites (default: DIR/public)
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// The build date, YYYY-MM-DD (default: today)
        #[arg(long, value_parser = parse_date)]
        today: Option<jiff::civil::Date>,
        /// The Chromium (or Chrome) to print with; default: $HUNDRED_CHROMIUM, else chromium,
        /// chromium-browser or google-chrome on the PATH
        #[arg(long, value_name = "PATH")]
        chromium: Option<PathBuf>,
        /// Build and print private sites unencrypted, as `build --preview` does: never publish
        /// the result
        #[arg(long)]
        preview: bool,
    },
    /// Preview both sites with live reload, rebuilding what each edit touches
    Serve {
        /// The site folder (the one with hundred.toml)
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Port to listen on (0 picks a free one)
        #[arg(short, long, default_value_t = 1111)]
        port: u16,
        /// Address or host name to listen on; the default keeps the preview on this machine.
        /// Requests are answered only when they name it, localhost, 127.0.0.1 or [::1]
        #[arg(long, default_value = "127.0.0.1", value_name = "ADDRESS")]
        bind: String,
        /// Open the preview in a browser
        #[arg(long)]
        open: bool,
        /// The build date, YYYY-MM-DD (default: today)
        #[arg(long, value_parser = parse_date)]
        today: Option<jiff::civil::Date>,
        /// Milliseconds to wait for a burst of saves to end before rebuilding
        #[arg(long, default_value_t = 10)]
        debounce_ms: u64,
        /// Serve private sites as a build publishes them (sealed, each client's portal opened
        /// by its link, which is printed), instead of the unencrypted preview
        #[arg(long)]
        private: bool,
    },
    /// Print each client's portal link: for a private portal, the link with its key
    Links {
        /// The site folder (the one with hundred.toml)
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// How to print them: aligned text, tab-separated (id, name, link; no header) or JSON
        #[arg(long, value_enum, default_value_t = LinkFormat::Text)]
        format: LinkFormat,
    },
    /// Check every file for mistakes without writing anything
    Check {
        /// The site folder (the one with hundred.toml)
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// How to print the findings
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// The build date, YYYY-MM-DD (default: today)
        #[arg(long, value_parser = parse_date)]
        today: Option<jiff::civil::Date>,
    },
    /// Record what happened with a client in its journey log (log/CLIENT.yaml)
    Log(LogArgs),
    /// Add a client, team member, touchpoint or playbook chapter: a new file to fill in, with
    /// notes explaining each field
    New {
        #[command(subcommand)]
        what: NewCommand,
    },
    /// List the theme's templates, or copy them into the site's templates/ folder to change them
    Theme {
        #[command(subcommand)]
        what: ThemeCommand,
    },
}

/// `hundred new`'s kinds of file.
#[derive(Subcommand)]
enum NewCommand {
    /// A client: clients/ID.yaml
    Client {
        /// The client's id: lowercase letters, digits, `-` and `_`, e.g. harbour-dental. It
        /// names the file and the client's portal folder
        id: String,
        /// The client's name as they write it (default: the id in words)
        #[arg(long, allow_hyphen_values = true)]
        name: Option<String>,
        /// Day 1 of the client's journey, YYYY-MM-DD (default: today)
        #[arg(long, value_parser = parse_date)]
        start: Option<jiff::civil::Date>,
        /// The client's account lead: a team member's id (a file name in team/). The other
        /// roles the journey needs get the first team member who holds them
        #[arg(long, value_name = "MEMBER")]
        lead: Option<String>,
        #[command(flatten)]
        site: SiteArg,
    },
    /// A team member: team/ID.yaml
    Member {
        /// The person's id: lowercase letters, digits, `-` and `_`, e.g. maya
        id: String,
        /// Their full name (default: the id in words)
        #[arg(long, allow_hyphen_values = true)]
        name: Option<String>,
        #[command(flatten)]
        site: SiteArg,
    },
    /// A touchpoint of the journey: journey/NNN-NAME.md, numbered after the last one
    Touchpoint {
        /// What the step is called, e.g. "Six-month review"; the file name is made from it
        #[arg(allow_hyphen_values = true)]
        name: String,
        /// When it happens: day 1 is the client's start date
        #[arg(long, value_name = "N", value_parser = crate::scaffold::parse_day, allow_negative_numbers = true)]
        day: u32,
        /// Show it on the client's portal timeline (without it, it is for the team only)
        #[arg(long)]
        client_visible: bool,
        #[command(flatten)]
        site: SiteArg,
    },
    /// A playbook chapter: playbook/NN-NAME.md, after the last chapter
    Chapter {
        /// The chapter's title, e.g. "Pricing conversations"; the file name is made from it
        #[arg(allow_hyphen_values = true)]
        name: String,
        #[command(flatten)]
        site: SiteArg,
    },
}

/// `hundred theme`'s commands.
#[derive(Subcommand)]
enum ThemeCommand {
    /// List the theme's templates and archetypes, marking those the site has its own copy of
    List {
        #[command(flatten)]
        site: SiteArg,
    },
    /// Copy the theme's templates into the site's templates/ folder, where they replace the
    /// theme's: every template, or those named. A file already there is left as it is
    Eject {
        /// Templates to copy, as `hundred theme list` names them (portal/welcome.html), or
        /// an archetype (archetypes/client.yaml); none: every template
        #[arg(value_name = "TEMPLATE")]
        names: Vec<String>,
        #[command(flatten)]
        site: SiteArg,
    },
}

/// The site folder of a command whose positional arguments are something else.
#[derive(clap::Args)]
struct SiteArg {
    /// The site folder (the one with hundred.toml)
    #[arg(
        long = "site",
        visible_alias = "dir",
        value_name = "DIR",
        default_value = "."
    )]
    dir: PathBuf,
}

/// `hundred log`'s arguments.
#[derive(clap::Args)]
struct LogArgs {
    /// The client's id (its file name in clients/ without .yaml)
    client: String,
    /// The touchpoint (a journey file's name without .md); leave it out for an unplanned
    /// contact, with --title and --channel
    touchpoint: Option<String>,
    /// The touchpoint was skipped: it will not happen
    #[arg(long, conflicts_with = "moved")]
    skipped: bool,
    /// The touchpoint was moved to this date, YYYY-MM-DD
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    moved: Option<jiff::civil::Date>,
    /// When it happened, YYYY-MM-DD (default: today)
    #[arg(long, value_parser = parse_date)]
    date: Option<jiff::civil::Date>,
    /// The team member who did it (default: the touchpoint's owner)
    #[arg(long, value_name = "ID")]
    by: Option<String>,
    /// A contact who took part, by name (repeat for several)
    #[arg(long, value_name = "NAME")]
    with: Vec<String>,
    /// A score from 0 to 10 (surveys, reviews)
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    score: Option<i64>,
    /// How it felt: green, amber or red
    #[arg(long, value_name = "MOOD")]
    mood: Option<String>,
    /// What it was, for an unplanned contact
    #[arg(long, value_name = "TEXT")]
    title: Option<String>,
    /// How it happened (call, meeting, email…); for an unplanned contact, or to record that a
    /// touchpoint happened another way than planned
    #[arg(long, value_name = "CHANNEL")]
    channel: Option<String>,
    /// A note for the team (markdown; never shown to the client)
    #[arg(long, value_name = "TEXT")]
    note: Option<String>,
    /// The site folder (the one with hundred.toml)
    #[arg(long, value_name = "DIR", default_value = ".")]
    site: PathBuf,
    /// The build date entries are checked against (default: today)
    #[arg(long, value_parser = parse_date)]
    today: Option<jiff::civil::Date>,
}

#[derive(Clone, Copy, ValueEnum)]
enum LinkFormat {
    Text,
    Tsv,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

fn parse_date(s: &str) -> Result<jiff::civil::Date, String> {
    crate::dates::parse(s)
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Init { dir } => match crate::init::init_site(&dir) {
            Ok(n) => {
                println!("Created a new site in {} ({n} files).", dir.display());
                println!(
                    "Its client portals are private: {} holds the key to them (keep it safe; \
                     .gitignore keeps it out of git).",
                    crate::private::SECRET_FILE
                );
                let d = dir.display();
                println!("Next: `hundred serve {d} --open` shows both sites and rebuilds them as you edit;");
                println!("      `hundred build {d}` writes them into {d}/public.");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: cannot create the site: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Pdf {
            dir,
            output,
            today,
            chromium,
            preview,
        } => pdf(&dir, output, today, chromium.as_deref(), preview),
        Command::Build {
            dir,
            output,
            today,
            no_minify,
            preview,
        } => {
            let opts = BuildOptions {
                output,
                today,
                minify: no_minify.then_some(false),
                preview,
                ..Default::default()
            };
            match crate::build::build(&dir, &opts) {
                Ok(report) => {
                    print_diagnostics(&dir, &report.warnings);
                    println!(
                        "Built {} client portal(s) and the internal site: {} pages, {} files ({} written, {} removed) in {} ms → {}",
                        report.clients,
                        report.pages,
                        report.files,
                        report.changes.written,
                        report.changes.removed,
                        report.elapsed.as_millis(),
                        shown_path(&report.output)
                    );
                    print_left(&report);
                    if report.search == crate::build::SearchOutcome::LeftOutPrivate {
                        println!(
                            "note: the internal site is private, so it has no search: an index would hold its pages' words unencrypted."
                        );
                    }
                    if preview {
                        println!(
                            "This is a preview: private sites are written unencrypted. Do not publish it."
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(Problems { diagnostics }) => failed(&dir, &diagnostics, "build"),
            }
        }
        Command::Serve {
            dir,
            port,
            bind,
            open,
            today,
            debounce_ms,
            private,
        } => {
            let opts = crate::serve::ServeOptions {
                root: dir,
                private,
                bind,
                port,
                open,
                today,
                debounce: std::time::Duration::from_millis(debounce_ms),
            };
            match crate::serve::serve(opts) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Log(args) => log(args),
        Command::New { what } => new(what),
        Command::Theme { what } => theme(what),
        Command::Links { dir, format } => links(&dir, format),
        Command::Check { dir, format, today } => {
            let opts = BuildOptions {
                today,
                stand_in_secrets: true,
                ..Default::default()
            };
            let diagnostics = match crate::build::check(&dir, &opts) {
                Ok(warnings) => warnings,
                Err(Problems { diagnostics }) => diagnostics,
            };
            match format {
                Format::Json => {
                    let json = serde_json::json!({
                        "errors": diagnostics.error_count(),
                        "warnings": diagnostics.warning_count(),
                        "diagnostics": diagnostics.items,
                    });
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&json).expect("plain data")
                    );
                }
                Format::Human => {
                    print_diagnostics(&dir, &diagnostics);
                    if !diagnostics.has_errors() {
                        println!("No errors ({} warning(s)).", diagnostics.warning_count());
                    }
                }
            }
            if diagnostics.has_errors() {
                if matches!(format, Format::Human) {
                    summary(&diagnostics, "check");
                }
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}

/// `hundred links`: every client's portal link, from a site that loads and checks.
fn links(dir: &Path, format: LinkFormat) -> ExitCode {
    let opts = BuildOptions {
        links_only: true,
        ..Default::default()
    };
    let (site, diagnostics) = crate::engine::load_and_check(dir, &mut Default::default(), &opts);
    let Some(site) = site else {
        print_diagnostics(dir, &diagnostics);
        eprintln!(
            "links failed: {} error(s), {} warning(s).",
            diagnostics.error_count(),
            diagnostics.warning_count()
        );
        return ExitCode::FAILURE;
    };
    let rows: Vec<(&str, &str, String)> = site
        .clients
        .iter()
        .map(|c| {
            let link = crate::private::portal_link(&site, c);
            (c.id.as_str(), c.name.as_str(), link)
        })
        .collect();
    match format {
        LinkFormat::Json => {
            let list: Vec<serde_json::Value> = rows
                .iter()
                .map(|(id, name, link)| serde_json::json!({"id": id, "name": name, "link": link}))
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&list).expect("plain data")
            );
        }
        LinkFormat::Tsv => {
            // One row per client and nothing else, for `cut` and scripts: tabs and line breaks
            // cannot be in a one-line field (ids and names are checked on load).
            for (id, name, link) in &rows {
                println!("{id}\t{name}\t{link}");
            }
        }
        LinkFormat::Text => {
            let width = rows
                .iter()
                .map(|(id, ..)| id.chars().count())
                .max()
                .unwrap_or(0);
            for (id, _, link) in &rows {
                println!("{id:width$}  {link}");
            }
        }
    }
    ExitCode::SUCCESS
}

fn log(args: LogArgs) -> ExitCode {
    let today = args.today.unwrap_or_else(crate::dates::today);
    let new = crate::record::NewEntry {
        client: args.client,
        touchpoint: args.touchpoint,
        skipped: args.skipped,
        moved_to: args.moved,
        date: args.date,
        by: args.by,
        with: args.with,
        score: args.score,
        mood: args.mood,
        title: args.title,
        channel: args.channel,
        note: args.note,
    };
    match crate::record::record(&args.site, &new, today) {
        Ok(done) => {
            print_diagnostics(&args.site, &done.warnings);
            println!(
                "{} {}:",
                if done.created { "Created" } else { "Added to" },
                done.file.display()
            );
            print!("{}", done.entry);
            ExitCode::SUCCESS
        }
        Err(Problems { diagnostics }) => {
            print_diagnostics(&args.site, &diagnostics);
            eprintln!(
                "log failed: {} error(s), {} warning(s); nothing was written.",
                diagnostics.error_count(),
                diagnostics.warning_count()
            );
            ExitCode::FAILURE
        }
    }
}

fn new(what: NewCommand) -> ExitCode {
    use crate::scaffold::New;
    let (new, dir) = match what {
        NewCommand::Client {
            id,
            name,
            start,
            lead,
            site,
        } => (
            New::Client {
                id,
                name,
                start,
                lead,
            },
            site.dir,
        ),
        NewCommand::Member { id, name, site } => (New::Member { id, name }, site.dir),
        NewCommand::Touchpoint {
            name,
            day,
            client_visible,
            site,
        } => (
            New::Touchpoint {
                name,
                day,
                client_visible,
            },
            site.dir,
        ),
        NewCommand::Chapter { name, site } => (New::Chapter { name }, site.dir),
    };
    match crate::scaffold::create(&dir, &new, crate::dates::today()) {
        Ok(created) => {
            println!("Created {}", in_site(&dir, &created.file));
            for note in &created.notes {
                println!("  {note}");
            }
            if created.archetype.starts_with(crate::scaffold::ARCHETYPES) {
                println!("  (from the site's {})", created.archetype);
            }
            println!("Fill it in, then run `hundred check` to look for mistakes.");
            ExitCode::SUCCESS
        }
        Err(Problems { diagnostics }) => {
            print_diagnostics(&dir, &diagnostics);
            eprintln!("new failed: nothing was written.");
            ExitCode::FAILURE
        }
    }
}

fn theme(what: ThemeCommand) -> ExitCode {
    match what {
        ThemeCommand::List { site } => {
            let files = crate::eject::theme_files(&site.dir);
            let width = files.iter().map(|f| f.name.len()).max().unwrap_or(0);
            println!("Templates (copy one into templates/ with `hundred theme eject NAME`):");
            let mut archetypes = false;
            for f in &files {
                if f.name.starts_with("archetypes/") && !archetypes {
                    archetypes = true;
                    println!();
                    println!(
                        "Archetypes, the files `hundred new` starts from (`hundred theme eject archetypes/NAME`):"
                    );
                }
                if f.in_site {
                    println!(
                        "  {:width$}  the site's own: {}",
                        f.name,
                        crate::load::slash_path(&f.file)
                    );
                } else {
                    println!("  {}", f.name);
                }
            }
            ExitCode::SUCCESS
        }
        ThemeCommand::Eject { names, site } => {
            let dir = site.dir;
            match crate::eject::eject(&dir, &names) {
                Ok(done) => {
                    for f in &done.written {
                        println!("Wrote {}", in_site(&dir, f));
                    }
                    for f in &done.skipped {
                        println!(
                            "Skipped {}: the site has it already (delete it to get the theme's copy)",
                            in_site(&dir, f)
                        );
                    }
                    if done.written.is_empty() {
                        println!("Nothing written: the site has its own copy of each already.");
                    } else {
                        println!(
                            "{} file(s) written{}. hundred now uses the site's copies instead of \
                             the theme's: edit them to change what they make, or delete one to \
                             go back to the theme's.",
                            done.written.len(),
                            if done.skipped.is_empty() {
                                String::new()
                            } else {
                                format!(", {} skipped", done.skipped.len())
                            }
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(Problems { diagnostics }) => {
                    print_diagnostics(&dir, &diagnostics);
                    eprintln!("eject failed.");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn pdf(
    dir: &Path,
    output: Option<PathBuf>,
    today: Option<jiff::civil::Date>,
    chromium: Option<&Path>,
    preview: bool,
) -> ExitCode {
    // Find the browser first: without one, nothing is built or written.
    let chromium = match crate::pdf::find_chromium(
        chromium,
        std::env::var_os(crate::pdf::CHROMIUM_ENV),
        std::env::var_os("PATH"),
    ) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let opts = BuildOptions {
        output,
        today,
        preview,
        ..Default::default()
    };
    let report = match crate::build::build(dir, &opts) {
        Ok(report) => report,
        Err(Problems { diagnostics }) => return failed(dir, &diagnostics, "build"),
    };
    print_diagnostics(dir, &report.warnings);
    println!(
        "Built {} client portal(s) and the internal site → {}",
        report.clients,
        shown_path(&report.output)
    );
    print_left(&report);
    println!(
        "Printing {} document(s) with {} ({} at a time)…",
        report.documents.len(),
        chromium.display(),
        crate::pdf::PARALLEL.min(report.documents.len()).max(1)
    );
    let progress =
        |p: &crate::pdf::Printed| println!("  printed {} ({} kB)", p.pdf, p.bytes.div_ceil(1024));
    let sites = [
        crate::pdf_links::PublishedAt {
            folder: "portal/",
            url: &report.published.portal,
        },
        crate::pdf_links::PublishedAt {
            folder: "internal/",
            url: &report.published.internal,
        },
    ];
    match crate::pdf::print_documents(
        &chromium,
        &report.output,
        &report.documents,
        &sites,
        &progress,
    ) {
        Ok(printed) => {
            println!(
                "Wrote {} PDF(s) beside their print pages in {}",
                printed.len(),
                shown_path(&report.output)
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            let partly = matches!(&e, crate::pdf::PdfError::Place { why, .. }
                if why.starts_with(crate::write::HALF_REPLACED));
            if partly {
                eprintln!(
                    "pdf failed: some PDFs were placed (see above); the HTML build is in place."
                );
            } else {
                eprintln!("pdf failed: no PDF was written (the HTML build is in place).");
            }
            ExitCode::FAILURE
        }
    }
}

/// One line naming the files in the output that hundred did not write and so left alone.
fn print_left(report: &crate::build::BuildReport) {
    let left = &report.changes.left;
    if !left.is_empty() {
        println!(
            "Left {} file(s) hundred did not write: {}",
            left.len(),
            crate::write::some(left, 10)
        );
    }
}

fn failed(dir: &Path, diagnostics: &Diagnostics, verb: &str) -> ExitCode {
    print_diagnostics(dir, diagnostics);
    summary(diagnostics, verb);
    ExitCode::FAILURE
}

fn summary(diagnostics: &Diagnostics, verb: &str) {
    // Only a build stopped while renaming its files into place has changed the output.
    let half_replaced = diagnostics
        .items
        .iter()
        .any(|d| d.message.starts_with(crate::write::HALF_REPLACED));
    eprintln!(
        "{verb} failed: {} error(s), {} warning(s); {}.",
        diagnostics.error_count(),
        diagnostics.warning_count(),
        if half_replaced {
            "the output is partly replaced (see above)"
        } else {
            "nothing was written"
        }
    );
}

fn print_diagnostics(dir: &Path, diagnostics: &Diagnostics) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for d in &diagnostics.items {
        let _ = writeln!(err, "{:?}", report(dir, d));
    }
}

fn report(dir: &Path, d: &Diagnostic) -> miette::Report {
    d.report(dir)
}

/// `file` (relative to the site) as the user can open it from where they are.
fn in_site(dir: &Path, file: &Path) -> String {
    if dir == Path::new(".") {
        crate::load::slash_path(file)
    } else {
        shown_path(&dir.join(file))
    }
}

fn shown_path(p: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    p.strip_prefix(&cwd).unwrap_or(p).display().to_string()
}
