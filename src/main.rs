//! The `branchlink` binary: the workbench with no command, the command line
//! otherwise. Exit codes: 0 success, 1 a user error (one line on stderr),
//! 2 a usage error (from clap).

use std::process::ExitCode;

use branchlink::cli::{Cli, Context, Failure, run};
use branchlink::domain::date::{self, DateForms};
use branchlink::i18n::{Lang, errors, fill};
use branchlink::store::Store;
use chrono::NaiveDate;
use clap::Parser;

/// Set to a date (YYYY-MM-DD) to make "today" that day: for demonstrations,
/// training and tests that must not depend on the calendar.
const TODAY_VAR: &str = "BRANCHLINK_TODAY";

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = cli.lang;
    match start(cli) {
        Ok(out) => {
            if !out.is_empty() {
                // A closed pipe (`branchlink report | head`) is not an error
                // worth a panic; println! would panic on it.
                use std::io::Write;
                let _ = writeln!(std::io::stdout().lock(), "{out}");
            }
            ExitCode::SUCCESS
        }
        Err(Failure(message)) => {
            eprintln!("{}{message}", lang.cli().error_prefix);
            ExitCode::from(1)
        }
    }
}

fn today(lang: Lang) -> Result<NaiveDate, Failure> {
    let now = chrono::Local::now().date_naive();
    match std::env::var(TODAY_VAR) {
        Ok(s) if !s.trim().is_empty() => date::parse(&s, now, DateForms::Full).map_err(|problem| {
            let e = branchlink::domain::DomainError::Date {
                input: s.clone(),
                problem,
            };
            Failure(format!("{TODAY_VAR}: {}", errors::domain(lang, &e)))
        }),
        _ => Ok(now),
    }
}

fn start(cli: Cli) -> Result<String, Failure> {
    let lang = cli.lang;
    let today = today(lang)?;
    let db = cli.db.or_else(branchlink::paths::default_db).ok_or_else(|| {
        Failure(
            lang.pick(
                "找不到默认数据目录；请用 --db PATH 或 BRANCHLINK_DB 指定数据库位置",
                "no default data directory; give the database with --db PATH or BRANCHLINK_DB",
            )
            .to_string(),
        )
    })?;
    let store = Store::open(&db).map_err(|e| Failure(errors::store(lang, &e)))?;
    let cx = Context {
        backend: &store,
        lang,
        today,
    };
    match cli.command {
        Some(command) => run(&cx, command),
        None => {
            use std::io::IsTerminal;
            if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
                return Err(Failure(
                    lang.pick(
                        "工作台需要在终端中运行；脚本中请使用命令，例如 branchlink status",
                        "the workbench needs a terminal; from a script use a command such as branchlink status",
                    )
                    .to_string(),
                ));
            }
            start_log();
            let options = branchlink::ui::Options {
                lang,
                read_only: cli.read_only,
                today,
            };
            branchlink::ui::run(&store, options).map_err(|e| {
                Failure(fill(
                    lang.pick("终端出错：{}", "terminal error: {}"),
                    &[&branchlink::domain::text::printable(&e.to_string())],
                ))
            })?;
            Ok(String::new())
        }
    }
}

/// The workbench logs to a file in the data directory, never to the screen
/// (a line printed into the alternate screen would corrupt it). Level from
/// `BRANCHLINK_LOG` (e.g. `debug`), `info` by default.
fn start_log() {
    let Some(path) = branchlink::paths::log_file() else {
        return;
    };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let Ok(file) = std::fs::OpenOptions::new().create(true).append(true).open(&path) else {
        return;
    };
    let level = std::env::var("BRANCHLINK_LOG")
        .ok()
        .and_then(|l| l.parse::<tracing::Level>().ok())
        .unwrap_or(tracing::Level::INFO);
    let _ = tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_max_level(level)
        .try_init();
    tracing::info!("workbench started");
}
