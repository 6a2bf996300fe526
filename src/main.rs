//! The `branchlink` binary: the workbench with no command, the command line
//! otherwise, and `serve`, the server that owns the database. Every front
//! end is a client of that server unless `--no-server` is given; when none
//! answers, the first client starts one in the background. Exit codes: 0
//! success, 1 a user error (one line on stderr), 2 a usage error (from clap).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use branchlink::cli::args::{Deferred, VisitCmd};
use branchlink::cli::{Cli, Command, Context, Failure, Ground, run};
use branchlink::domain::date::{self, DateForms};
use branchlink::error::{Error, ServerError, StoreError};
use branchlink::i18n::{Lang, errors, fill};
use branchlink::server::{AutoStart, Client, ClientOptions, ReadOnlyStore, ServeOptions, Server, Stopped};
use branchlink::store::Store;
use branchlink::store::inbox::InboxWriter;
use chrono::NaiveDate;
use nix::sys::signal::{SigSet, Signal};

/// Set to a date (YYYY-MM-DD) to make "today" that day: for demonstrations,
/// training and tests that must not depend on the calendar.
const TODAY_VAR: &str = "BRANCHLINK_TODAY";

fn main() -> ExitCode {
    let cli = match branchlink::cli::usage::parse_from(std::env::args_os().collect()) {
        Ok((cli, _)) => cli,
        Err((refusal, lang)) => return refuse(lang, &refusal),
    };
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

/// Prints what clap refused, or the help or version asked for, where clap
/// would (help and version on stdout, errors on stderr), in colour on a
/// terminal unless `NO_COLOR` is set. Exit codes as clap's: 0 for help
/// and version, 2 for a usage error.
fn refuse(lang: Lang, refusal: &clap::Error) -> ExitCode {
    use std::io::{IsTerminal, Write};
    let to_stdout = !refusal.use_stderr();
    let terminal = match to_stdout {
        true => std::io::stdout().is_terminal(),
        false => std::io::stderr().is_terminal(),
    };
    // As clap decides: CLICOLOR_FORCE forces it; NO_COLOR and a dumb
    // terminal turn it off.
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    let colour = set("CLICOLOR_FORCE")
        || (terminal
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::env::var_os("TERM").is_none_or(|t| t != "dumb"));
    let text = branchlink::cli::usage::render(lang, refusal, colour);
    // A closed pipe (`branchlink --help | head`) is not worth a panic.
    let _ = match to_stdout {
        true => std::io::stdout().lock().write_all(text.as_bytes()),
        false => std::io::stderr().lock().write_all(text.as_bytes()),
    };
    ExitCode::from(refusal.exit_code().clamp(0, 255) as u8)
}

/// Today, and whether it was set (`BRANCHLINK_TODAY`) rather than read
/// from the clock, which the workbench then follows past midnight.
fn today(lang: Lang) -> Result<(NaiveDate, bool), Failure> {
    let now = chrono::Local::now().date_naive();
    match std::env::var(TODAY_VAR) {
        Ok(s) if !s.trim().is_empty() => date::parse(&s, now, DateForms::Quick)
            .map(|d| (d, true))
            .map_err(|problem| {
                let e = branchlink::domain::DomainError::Date {
                    input: s.clone(),
                    problem,
                };
                Failure(format!("{TODAY_VAR}: {}", errors::domain(lang, &e)))
            }),
        _ => Ok((now, false)),
    }
}

fn fail(lang: Lang, e: impl Into<Error>) -> Failure {
    Failure(errors::message(lang, &e.into()))
}

fn start(cli: Cli) -> Result<String, Failure> {
    let lang = cli.lang;
    let (today, today_set) = today(lang)?;
    let db = cli
        .db
        .or_else(branchlink::paths::default_db)
        .ok_or_else(|| Failure(lang.server().no_default_db.to_string()))?;
    let socket = cli.socket.unwrap_or_else(|| branchlink::paths::socket_for(&db));
    if let Some(Command::Serve { group, idle_exit }) = cli.command {
        return serve(lang, db, socket, group, idle_exit);
    }
    let workbench = cli.command.is_none();
    if workbench {
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
    }
    // An import's file is read and checked first: one that is no export
    // must not leave a new database (or a server started for it) behind.
    let import = match &cli.command {
        Some(Command::Import { file }) => Some(branchlink::cli::run::read_import(lang, file)?),
        _ => None,
    };
    let embedded_writer = cli.no_server && !cli.read_only;
    // `visit add --no-server` logs to the inbox when nobody holds the
    // database and its digest is there (src/store/inbox.rs): no sled open.
    // The day's first change goes through the store, which writes the
    // day's backup.
    let ground = Ground { lang, today };
    if embedded_writer
        && matches!(&cli.command, Some(Command::Visit(Deferred(VisitCmd::Add(_)))))
        && branchlink::backup::written_today(&db)
        && let Some(inbox) = InboxWriter::open(&db)
        && let Some(Command::Visit(Deferred(VisitCmd::Add(add)))) = cli.command
    {
        return branchlink::cli::run::add_visit(&ground, &inbox, add);
    }
    // This process's own store, if it opened one: it leaves the inbox's
    // digest when done, and a one-shot command leaves the store to the
    // exit (below).
    let mut own_store: Option<Store> = None;
    let backend: Box<dyn branchlink::api::Backend> = if cli.no_server {
        let store = open_directly(&db, &socket).map_err(|e| cannot_open(lang, &db, e))?;
        own_store = Some(store.clone());
        if cli.read_only {
            Box::new(ReadOnlyStore::new(store))
        } else {
            Box::new(store)
        }
    } else {
        let mut options = ClientOptions::new(socket);
        options.read_only = cli.read_only;
        // Only a board needs to hear about others' changes.
        options.subscribe = workbench;
        options.autostart = Some(AutoStart::this_program(&db, lang).map_err(|e| fail(lang, e))?);
        if !workbench {
            // The workbench shows its own state; a command says it on stderr.
            options.on_reconnect = Some(Arc::new(move || eprintln!("{}", lang.server().reconnecting)));
        }
        let client = Client::connect(options).map_err(|e| fail(lang, e))?;
        same_database(&client, &db).map_err(|e| fail(lang, e))?;
        Box::new(client)
    };
    let cx = Context {
        backend: backend.as_ref(),
        ground,
    };
    let result = match (cli.command, import) {
        (Some(_), Some(snapshot)) => branchlink::cli::run::import_snapshot(&cx, snapshot),
        (Some(command), None) => run(&cx, command),
        (None, _) => {
            let options = branchlink::ui::Options {
                lang,
                read_only: cli.read_only,
                today,
                follow_clock: !today_set,
            };
            branchlink::ui::run(backend.as_ref(), options).map_err(|e| {
                Failure(fill(
                    lang.pick("终端出错：{}", "terminal error: {}"),
                    &[&branchlink::domain::text::printable(&e.to_string())],
                ))
            })?;
            Ok(String::new())
        }
    };
    // With no server, this process owns the database: after a change it
    // leaves the day's backup (src/backup.rs).
    if embedded_writer && backend.data_version() > 0 {
        branchlink::backup::after_change(backend.as_ref(), &db);
    }
    if let Some(store) = own_store {
        // A workbench may have logged a meeting's visits: leave sled's log
        // compact for the next open (a one-shot command writes too little
        // to be worth the wait).
        if workbench {
            store.tidy_log();
        }
        store.leave_digest();
        // The process exits next: sled's caches need not be freed one by
        // one (`Store::leave`). Not the workbench's: it has restored the
        // terminal and may have run for hours; a second of teardown is not
        // felt there.
        if !workbench {
            store.leave();
        }
    }
    result
}

/// A database that cannot be opened: the message names the latest backup
/// and the command that restores it, when there is one.
fn cannot_open(lang: Lang, db: &Path, e: Error) -> Failure {
    let mut message = errors::message(lang, &e);
    // Not for an I/O error from the system (a full disk, a permission):
    // the database is not damaged then, and a restore would not help.
    if let Error::Store(StoreError::Open { reason, .. }) = &e
        && !reason.starts_with("IO error")
        && let Some(backup) = branchlink::backup::latest(db)
    {
        message.push_str(&errors::restore_hint(lang, db, &backup));
        let inbox = db.join(branchlink::store::inbox::INBOX_FILE);
        if std::fs::metadata(&inbox).is_ok_and(|m| m.len() > 0) {
            message.push_str(&errors::inbox_hint(lang, &inbox));
        }
    }
    Failure(message)
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

/// A `--socket` pointing at another database's server would quietly show
/// and change the wrong data: refuse. (Paths this user cannot resolve are
/// not compared.)
fn same_database(client: &Client, db: &Path) -> Result<(), Error> {
    let session = client.session();
    // A database that does not exist yet is named by its directory.
    let ours = std::fs::canonicalize(db).or_else(|e| {
        let parent = db
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = db.file_name().ok_or(e)?;
        std::fs::canonicalize(parent).map(|p| p.join(name))
    });
    match ours {
        Ok(ours) if ours != session.db => Err(ServerError::OtherDatabase {
            socket: client.socket().to_path_buf(),
            db: ours,
            served: session.db,
        }
        .into()),
        _ => Ok(()),
    }
}

/// `--no-server`: this process opens the database; a server holding it is
/// named as such, not as "another process".
fn open_directly(db: &Path, socket: &Path) -> Result<Store, Error> {
    Store::open(db).map_err(|e| match e {
        StoreError::Locked { .. } if branchlink::server::server::answers(socket) => ServerError::HeldByServer {
            db: db.to_path_buf(),
            socket: socket.to_path_buf(),
        }
        .into(),
        e => e.into(),
    })
}

fn serve(
    lang: Lang,
    db: PathBuf,
    socket: PathBuf,
    group: Option<String>,
    idle_exit: Option<u64>,
) -> Result<String, Failure> {
    // The server's log goes to stderr: the journal under systemd, the log
    // file beside the database when a client started it.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .try_init();
    // SIGTERM (systemd's stop) and Ctrl-C stop the server cleanly: the
    // socket removed, the database flushed. They are blocked here, before
    // any thread exists, so every thread inherits the mask and only the
    // waiting thread below receives them; SIGHUP (a closed terminal) is
    // taken and ignored.
    let mut signals = SigSet::empty();
    for s in [Signal::SIGTERM, Signal::SIGINT, Signal::SIGHUP] {
        signals.add(s);
    }
    let _ = signals.thread_block();
    let idle = idle_exit.filter(|s| *s > 0).map(Duration::from_secs);
    let server = Server::bind(ServeOptions {
        db: db.clone(),
        socket: socket.clone(),
        group,
        idle_exit: idle,
    })
    .map_err(|e| cannot_open(lang, &db, e))?;
    let stop = server.stop_handle();
    std::thread::spawn(move || {
        loop {
            match signals.wait() {
                Ok(Signal::SIGHUP) => {}
                Ok(_) => break,
                Err(_) => return,
            }
        }
        stop.stop();
    });
    let shown = |p: &Path| branchlink::domain::text::printable(&p.display().to_string());
    println!(
        "{}",
        fill(
            lang.server().serving,
            &[&shown(&db), &shown(&socket), &std::process::id()]
        )
    );
    match server.run().map_err(|e| fail(lang, e))? {
        Stopped::Idle => Ok(fill(lang.server().stopped_idle, &[&idle_exit.unwrap_or(0)])),
        Stopped::Asked => Ok(lang.server().stopped.to_string()),
    }
}
