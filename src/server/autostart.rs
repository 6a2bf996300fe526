//! Starting a server in the background when none answers, as tmux and
//! sccache do. A lock file beside the database makes the start a critical
//! section: of two clients starting together, one starts the server and
//! the other waits for it to answer, so there is always one server.

use std::fs::{File, OpenOptions, TryLockError};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::ServerError;

/// How long a client waits for a server it (or another client) started.
pub const START_TIMEOUT: Duration = Duration::from_secs(10);

/// The default idle time of an auto-started server.
pub const DEFAULT_IDLE_EXIT: Duration = Duration::from_secs(600);

/// How to start a server for a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoStart {
    pub db: PathBuf,
    /// The program to run as `<exe> serve …`: normally this very binary.
    pub exe: PathBuf,
    pub idle_exit: Duration,
    /// The language of what the server writes to its log, which a client
    /// quotes when the server cannot start: the starting client's.
    pub lang: crate::i18n::Lang,
}

impl AutoStart {
    /// Starting this very program, with the default idle time.
    pub fn this_program(db: &Path, lang: crate::i18n::Lang) -> Result<AutoStart, ServerError> {
        let exe = std::env::current_exe().map_err(|e| ServerError::Start(e.to_string()))?;
        Ok(AutoStart {
            db: db.to_path_buf(),
            exe,
            idle_exit: DEFAULT_IDLE_EXIT,
            lang,
        })
    }
}

/// Connects to the server on `socket`; when nothing answers and `start` is
/// given, starts one and connects to it.
pub fn connect(socket: &Path, start: Option<&AutoStart>) -> Result<UnixStream, ServerError> {
    let first = match UnixStream::connect(socket) {
        Ok(s) => return Ok(s),
        Err(e) => e,
    };
    let Some(start) = start else {
        return Err(no_server(socket, &first.to_string()));
    };
    let lock = open_lock(&start.db).map_err(|e| no_server(socket, &e))?;
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        match lock.try_lock() {
            Ok(()) => return start_locked(socket, start, deadline),
            Err(TryLockError::WouldBlock) => {
                // Another client is starting one: wait for it.
                if let Ok(s) = UnixStream::connect(socket) {
                    return Ok(s);
                }
                if Instant::now() > deadline {
                    return Err(ServerError::StartTimeout {
                        secs: START_TIMEOUT.as_secs(),
                        log: crate::paths::server_log_for(&start.db),
                    });
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(TryLockError::Error(e)) => return Err(no_server(socket, &e.to_string())),
        }
    }
    // The lock is released when `lock` is dropped, after the server answers.
}

fn no_server(socket: &Path, reason: &str) -> ServerError {
    ServerError::NoServer {
        socket: socket.to_path_buf(),
        reason: crate::domain::text::printable(reason),
    }
}

/// Opens (creating) the start lock file; creates the database's parent
/// directory first, private, as the store would.
fn open_lock(db: &Path) -> Result<File, String> {
    let path = crate::paths::start_lock_for(db);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// With the start lock held: check again, clear a stale socket, start the
/// server and wait until it accepts.
fn start_locked(socket: &Path, start: &AutoStart, deadline: Instant) -> Result<UnixStream, ServerError> {
    match UnixStream::connect(socket) {
        Ok(s) => return Ok(s),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            // A socket file nobody listens on: its server died.
            tracing::info!(socket = %socket.display(), "removing a stale socket");
            let _ = std::fs::remove_file(socket);
        }
        Err(_) => {}
    }
    let log_path = crate::paths::server_log_for(&start.db);
    // Where this start's lines begin: the log keeps every start's.
    let log_start = std::fs::metadata(&log_path).map_or(0, |m| m.len());
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&log_path)
        .map(Stdio::from)
        .unwrap_or_else(|_| Stdio::null());
    let mut child = Command::new(&start.exe)
        .arg("--lang")
        .arg(match start.lang {
            crate::i18n::Lang::Zh => "zh",
            crate::i18n::Lang::En => "en",
        })
        .arg("serve")
        .arg("--db")
        .arg(&start.db)
        .arg("--socket")
        .arg(socket)
        .arg("--idle-exit")
        .arg(start.idle_exit.as_secs().max(1).to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        // Its own process group: a Ctrl-C in the client's terminal must not
        // stop the server other terminals use.
        .process_group(0)
        .spawn()
        .map_err(|e| ServerError::Start(format!("{}: {e}", start.exe.display())))?;
    loop {
        if let Ok(s) = UnixStream::connect(socket) {
            // Reap the server when it exits, should this client outlive it.
            std::thread::spawn(move || child.wait());
            return Ok(s);
        }
        if let Ok(Some(status)) = child.try_wait() {
            // It may have lost a race with a server started by hand.
            if let Ok(s) = UnixStream::connect(socket) {
                return Ok(s);
            }
            tracing::info!(%status, "the server started exited");
            return Err(ServerError::Exited {
                last: last_line_from(&log_path, log_start),
                log: log_path,
            });
        }
        if Instant::now() > deadline {
            return Err(ServerError::StartTimeout {
                secs: START_TIMEOUT.as_secs(),
                log: log_path,
            });
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The last line that says something in what was written to the log at
/// `path` from byte `from` on (this start's), cleaned for a terminal and
/// cut to a line's length. Only the log's last 64 KiB are read.
fn last_line_from(path: &Path, from: u64) -> Option<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    file.seek(SeekFrom::Start(from.max(len.saturating_sub(64 * 1024))))
        .ok()?;
    let mut text = Vec::new();
    file.read_to_end(&mut text).ok()?;
    let text = String::from_utf8_lossy(&text);
    // After a panic the last line is the runtime's hint about backtraces.
    let line = text
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.starts_with("note: run with"))?;
    // The message says itself that it is an error.
    let prefixes = [crate::i18n::Lang::Zh, crate::i18n::Lang::En].map(|l| l.cli().error_prefix);
    let line = prefixes.iter().find_map(|p| line.strip_prefix(p)).unwrap_or(line);
    Some(crate::domain::text::printable(line).chars().take(300).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a start wrote is read from the log's tail: earlier starts'
    /// lines, a megabyte of this start's, the runtime's backtrace hint and
    /// the error prefix do not hide the line that says what went wrong.
    #[test]
    fn the_last_line_is_this_starts_and_says_something() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("db.server.log");
        std::fs::write(&log, "错误：an earlier start's line\n").unwrap();
        let from = std::fs::metadata(&log).unwrap().len();
        assert_eq!(last_line_from(&log, from), None, "this start wrote nothing");
        let mut text = String::new();
        for i in 0..20_000 {
            text.push_str(&format!("INFO a line of tracing {i}\n"));
        }
        text.push_str("error: the database is in use\n\n");
        text.push_str("note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n");
        std::fs::write(&log, format!("错误：an earlier start's line\n{text}")).unwrap();
        assert!(text.len() > 64 * 1024);
        assert_eq!(last_line_from(&log, from).as_deref(), Some("the database is in use"));
        // Control characters are not passed to the terminal.
        std::fs::write(&log, "错误：数据库\u{1b}[2J被占用\n").unwrap();
        let line = last_line_from(&log, 0).unwrap();
        assert!(line.starts_with("数据库") && !line.contains('\u{1b}'), "{line:?}");
    }
}
