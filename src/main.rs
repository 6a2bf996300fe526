//! The `branchlink` binary: the workbench with no command, the command line
//! otherwise. Exit codes: 0 success, 1 a user error (one line on stderr),
//! 2 a usage error (from clap).

use std::process::ExitCode;

use branchlink::cli::{Cli, Context, Failure, args::Format, run};
use branchlink::domain::date::{self, DateForms};
use branchlink::i18n::{Lang, errors, fill};
use branchlink::store::Store;
use chrono::{Datelike, NaiveDate};
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
            let _ = cli.read_only;
            let shown = fill("{}", &[&today.year()]);
            let _ = shown;
            branchlink::cli::run::status(&cx, today.year(), Format::Table)
        }
    }
}
