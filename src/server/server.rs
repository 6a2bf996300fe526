//! The server: the one process that opens the sled database. A thread per
//! connection; every answer is sent after the store's command returned, and
//! the store flushes before it returns, so "saved" on any client means on
//! disk.

use std::io::Read;
use std::os::fd::AsFd;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use super::access::{Access, AccessRole, Peer};
use super::protocol::{
    self, FrameError, Hello, Limit, Notice, PROTOCOL_VERSION, Reply, Request, Session, Value, Welcome,
};
use crate::api::Backend;
use crate::error::{Error, Result, ServerError, StoreError};
use crate::store::Store;

/// How long a new connection may take to say hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// How long an answer or a notice may wait for a client that does not read
/// before the connection is given up.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// Connections served at once; more are closed at once (and logged), so
/// that a runaway script cannot exhaust the server's threads.
pub const MAX_CONNECTIONS: usize = 256;
/// The most activities one page request returns.
pub const MAX_PAGE: usize = 5_000;

/// How often the accept loop looks at the stop flag, in milliseconds.
const ACCEPT_TICK_MS: u16 = 250;

/// How long the data must have gone unchanged before the server tidies
/// sled's log (`Store::tidy_log`, a bounded round a tick while there is
/// work): a meeting's run of visits does not meet it, and it runs in the
/// pauses between runs.
const TIDY_AFTER: Duration = Duration::from_secs(2);

/// How long `bind` waits for a database that another process holds while
/// no server answers: a server that just went idle is still exiting.
const LOCKED_WAIT: Duration = Duration::from_secs(3);

/// How `serve` runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeOptions {
    pub db: PathBuf,
    pub socket: PathBuf,
    /// Make the socket 0660 and owned by this group (a shared install);
    /// otherwise it is 0600, for the server's own user.
    pub group: Option<String>,
    /// Stop after this long with no connection (auto-started servers).
    pub idle_exit: Option<Duration>,
}

/// Why `serve` returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// No connection for the idle time.
    Idle,
    /// [`StopHandle::stop`] (SIGTERM, Ctrl-C).
    Asked,
}

/// Stops a running server from another thread: a signal, a test.
#[derive(Clone)]
pub struct StopHandle {
    shared: Arc<Shared>,
    socket: PathBuf,
}

impl StopHandle {
    pub fn stop(&self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which then sees `stop`.
        let _ = UnixStream::connect(&self.socket);
    }
}

/// A message for a subscription's thread.
enum Push {
    Change(u64),
    Closed,
}

struct Shared {
    store: Store,
    access: Mutex<Access>,
    subscribers: Mutex<Vec<Sender<Push>>>,
    active: AtomicUsize,
    idle_since: Mutex<Instant>,
    stop: AtomicBool,
    /// Set when the idle timer (not a stop handle) stopped the server.
    idle: AtomicBool,
    changes: AtomicU64,
    /// When a change last started or ended, for [`TIDY_AFTER`].
    last_change: Mutex<Instant>,
    db: PathBuf,
}

impl Shared {
    /// Tells every subscription that the data changed.
    fn notify(&self) {
        let version = self.changes.fetch_add(1, Ordering::SeqCst) + 1;
        self.touch();
        let mut subs = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
        subs.retain(|tx| tx.send(Push::Change(version)).is_ok());
    }

    /// Marks a change starting or ending: no tidy starts within
    /// [`TIDY_AFTER`] of it.
    fn touch(&self) {
        *self.last_change.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
    }
}

/// Counts a live connection for the idle timer.
struct Active(Arc<Shared>);

impl Active {
    fn new(shared: &Arc<Shared>) -> Active {
        shared.active.fetch_add(1, Ordering::SeqCst);
        Active(shared.clone())
    }
}

impl Drop for Active {
    fn drop(&mut self) {
        if self.0.active.fetch_sub(1, Ordering::SeqCst) == 1 {
            *self.0.idle_since.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
        }
    }
}

/// True when a server answers on `socket`.
pub fn answers(socket: &Path) -> bool {
    UnixStream::connect(socket).is_ok()
}

/// A server ready to accept: the database is open and the socket bound.
pub struct Server {
    listener: UnixListener,
    /// The socket file we bound (device, inode), to remove only our own.
    bound: Option<(u64, u64)>,
    shared: Arc<Shared>,
    options: ServeOptions,
}

impl Server {
    /// Opens the database and binds the socket. A second server for the
    /// same database, or a database another process holds, is refused here.
    pub fn bind(options: ServeOptions) -> Result<Server> {
        let already = || -> Error {
            ServerError::AlreadyRunning {
                db: options.db.clone(),
                socket: options.socket.clone(),
            }
            .into()
        };
        if answers(&options.socket) {
            return Err(already());
        }
        let store = open_store(&options.db, &options.socket)?;
        let access = Access::open(&crate::paths::access_file_for(&options.db))?;
        // The database is ours (sled's lock), so whatever sits at the socket
        // path is left over from a server that died: replace it.
        if std::fs::symlink_metadata(&options.socket).is_ok() {
            std::fs::remove_file(&options.socket).map_err(|e| start_error(&options.socket, e))?;
        }
        let listener = bind_private(&options.socket, options.group.as_deref())?;
        let bound = file_id(&options.socket);
        let shared = Arc::new(Shared {
            store,
            access: Mutex::new(access),
            subscribers: Mutex::new(Vec::new()),
            active: AtomicUsize::new(0),
            idle_since: Mutex::new(Instant::now()),
            stop: AtomicBool::new(false),
            idle: AtomicBool::new(false),
            changes: AtomicU64::new(0),
            last_change: Mutex::new(Instant::now()),
            // Absolute, so that a client can check it reached the server of
            // the database it meant.
            db: std::fs::canonicalize(&options.db).unwrap_or_else(|_| options.db.clone()),
        });
        Ok(Server {
            listener,
            bound,
            shared,
            options,
        })
    }

    /// A handle that stops the server once it runs.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle {
            shared: self.shared.clone(),
            socket: self.options.socket.clone(),
        }
    }

    /// Accepts connections until the idle time passes with none, or until
    /// a [`StopHandle`] stops it.
    pub fn run(self) -> Result<Stopped> {
        let Server {
            listener,
            bound,
            shared,
            options,
        } = self;
        tracing::info!(
            db = %options.db.display(),
            socket = %options.socket.display(),
            pid = std::process::id(),
            "serving"
        );
        let handle = StopHandle {
            shared: shared.clone(),
            socket: options.socket.clone(),
        };
        let idle = options.idle_exit;
        let socket = options.socket.clone();
        std::thread::spawn(move || watch(&handle, &socket, bound, idle));
        // Accepts with a timeout, so that a stop is seen even when nothing
        // can connect to wake the loop (the socket file removed).
        listener
            .set_nonblocking(true)
            .map_err(|e| start_error(&options.socket, e))?;
        while !shared.stop.load(Ordering::SeqCst) {
            let mut ready = [PollFd::new(listener.as_fd(), PollFlags::POLLIN)];
            match poll(&mut ready, PollTimeout::from(ACCEPT_TICK_MS)) {
                Ok(0) => continue,
                Ok(_) => {}
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => {
                    tracing::warn!("poll failed: {e}");
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
            }
            if shared.stop.load(Ordering::SeqCst) {
                break;
            }
            match listener.accept() {
                Ok((stream, _)) => {
                    if shared.active.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
                        tracing::warn!("{MAX_CONNECTIONS} connections open; refusing another");
                        continue;
                    }
                    // Connections block; the listener's mode is its own.
                    if let Err(e) = stream.set_nonblocking(false) {
                        tracing::warn!("cannot use a connection: {e}");
                        continue;
                    }
                    let active = Active::new(&shared);
                    let spawned = std::thread::Builder::new()
                        .name("branchlink-conn".into())
                        .spawn(move || connection(active, stream));
                    if let Err(e) = spawned {
                        tracing::error!("cannot start a connection thread: {e}");
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
        }
        // Leave no socket behind that nothing answers; but only our own
        // (a newer server may have replaced it already).
        if bound.is_some() && file_id(&options.socket) == bound {
            let _ = std::fs::remove_file(&options.socket);
        }
        drop(listener);
        // One bounded round for what this server wrote since the last;
        // the rest waits for the next process that runs a while.
        shared.store.tidy_log();
        shared.store.flush()?;
        // The next `visit add --no-server` can then log to the inbox
        // without opening the database (src/store/inbox.rs).
        shared.store.leave_digest();
        if shared.idle.load(Ordering::SeqCst) {
            tracing::info!("idle, stopped");
            Ok(Stopped::Idle)
        } else {
            tracing::info!("stopped");
            Ok(Stopped::Asked)
        }
    }
}

/// Opens the database; if another process holds it, says whether that is
/// a server, and waits a little for one that is on its way out.
fn open_store(db: &Path, socket: &Path) -> Result<Store> {
    let deadline = Instant::now() + LOCKED_WAIT;
    loop {
        match Store::open(db) {
            Ok(s) => return Ok(s),
            Err(StoreError::Locked { .. }) if answers(socket) => {
                return Err(ServerError::AlreadyRunning {
                    db: db.to_path_buf(),
                    socket: socket.to_path_buf(),
                }
                .into());
            }
            Err(StoreError::Locked { .. }) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// `branchlink serve`: binds, then serves until idle.
pub fn serve(options: ServeOptions) -> Result<Stopped> {
    Server::bind(options)?.run()
}

fn start_error(socket: &Path, e: std::io::Error) -> Error {
    ServerError::Start(format!("{}: {e}", socket.display())).into()
}

/// Binds the socket with its final mode from the start (by umask), so
/// there is no moment at which others could connect.
fn bind_private(socket: &Path, group: Option<&str>) -> Result<UnixListener> {
    use nix::sys::stat::{Mode, umask};
    let gid = match group {
        None => None,
        Some(name) => match nix::unistd::Group::from_name(name) {
            Ok(Some(g)) => Some(g.gid),
            _ => {
                return Err(ServerError::UnknownGroup(name.to_string()).into());
            }
        },
    };
    let mode = if gid.is_some() { 0o660 } else { 0o600 };
    let old = umask(Mode::from_bits_truncate(0o777 & !mode));
    let bound = UnixListener::bind(socket);
    umask(old);
    let listener = bound.map_err(|e| start_error(socket, e))?;
    if let Some(gid) = gid {
        nix::unistd::chown(socket, None, Some(gid)).map_err(|e| start_error(socket, e.into()))?;
    }
    std::fs::set_permissions(socket, std::fs::Permissions::from_mode(mode)).map_err(|e| start_error(socket, e))?;
    Ok(listener)
}

fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Stops the server once no connection has been open for `idle` (when
/// set), or when its socket file is gone or replaced: nobody can reach it
/// then, and it must not keep the database from a server that can be
/// reached.
fn watch(handle: &StopHandle, socket: &Path, bound: Option<(u64, u64)>, idle: Option<Duration>) {
    let shared = &handle.shared;
    let tick = idle.map_or(Duration::from_secs(1), |i| {
        (i / 4).clamp(Duration::from_millis(50), Duration::from_secs(1))
    });
    loop {
        std::thread::sleep(tick);
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        if file_id(socket) != bound {
            tracing::warn!(socket = %socket.display(), "the socket was removed or replaced; stopping");
            handle.stop();
            return;
        }
        let since = *shared.idle_since.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(idle) = idle
            && shared.active.load(Ordering::SeqCst) == 0
            && since.elapsed() >= idle
        {
            shared.idle.store(true, Ordering::SeqCst);
            handle.stop();
            return;
        }
        // A round does nothing unless something was committed since the
        // last or the last moved pages; it takes milliseconds, and a write
        // that arrives meanwhile commits beside it.
        let changed = *shared.last_change.lock().unwrap_or_else(|p| p.into_inner());
        if changed.elapsed() >= TIDY_AFTER {
            shared.store.tidy_log();
        }
    }
}

/// One connection, from hello to close. Whatever the client sends, the
/// worst outcome is that this connection ends (and is logged).
fn connection(active: Active, mut stream: UnixStream) {
    let shared = active.0.clone();
    if shared.stop.load(Ordering::SeqCst) {
        return;
    }
    let peer = match Peer::of(&stream) {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!("no peer credentials: {e}");
            return;
        }
    };
    let Some((hello, role)) = handshake(&shared, &mut stream, &peer) else {
        return;
    };
    tracing::debug!(user = %peer.name, pid = peer.pid, ?role, subscribe = hello.subscribe, "connected");
    if hello.subscribe {
        subscription(&shared, stream);
    } else {
        requests(&shared, stream, &peer, role, hello.read_only);
    }
    drop(active);
}

fn handshake(shared: &Shared, stream: &mut UnixStream, peer: &Peer) -> Option<(Hello, AccessRole)> {
    let _ = stream.set_read_timeout(Some(HELLO_TIMEOUT));
    let payload = match protocol::read_frame(stream, Limit::Small) {
        Ok(p) => p,
        Err(FrameError::Closed) => return None,
        Err(e) => {
            tracing::warn!(user = %peer.name, pid = peer.pid, "bad hello: {e}");
            return None;
        }
    };
    let welcome = |session| Welcome {
        version: PROTOCOL_VERSION,
        session,
    };
    let Some(client) = protocol::leading_version(&payload) else {
        tracing::warn!(user = %peer.name, pid = peer.pid, "bad hello: no version");
        return None;
    };
    if let Err(e) = protocol::check_version(client, PROTOCOL_VERSION) {
        tracing::warn!(user = %peer.name, client, "protocol version mismatch");
        let _ = protocol::send(stream, &welcome(Err(e.into())));
        return None;
    }
    let hello: Hello = match protocol::decode(&payload, Limit::Small) {
        Ok(h) => h,
        Err(e) => {
            tracing::warn!(user = %peer.name, pid = peer.pid, "bad hello: {e}");
            return None;
        }
    };
    let role = shared
        .access
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .current()
        .role(peer);
    let role = match role {
        Ok(r) if hello.read_only => r.min(AccessRole::Viewer),
        Ok(r) => r,
        Err(e) => {
            tracing::info!(user = %peer.name, "refused by the access file");
            let _ = protocol::send(stream, &welcome(Err(e.into())));
            return None;
        }
    };
    let session = Session {
        user: peer.name.clone(),
        role,
        pid: std::process::id(),
        db: shared.db.clone(),
    };
    if let Err(e) = protocol::send(stream, &welcome(Ok(session))) {
        tracing::debug!("client left during the handshake: {e}");
        return None;
    }
    let _ = stream.set_read_timeout(None);
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    Some((hello, role))
}

fn requests(shared: &Shared, mut stream: UnixStream, peer: &Peer, role: AccessRole, read_only: bool) {
    // Changes are recorded under the name the kernel gave, never one the
    // client claimed.
    let store = shared.store.as_user(&peer.name);
    // Only an admin may send a large frame (an import); everyone else's
    // frames are bounded before they are read.
    let limit = if role == AccessRole::Admin {
        Limit::Large
    } else {
        Limit::Small
    };
    loop {
        let payload = match protocol::read_frame(&mut stream, limit) {
            Ok(p) => p,
            Err(FrameError::Closed) => return,
            Err(FrameError::TooLarge { size, max }) => {
                tracing::warn!(user = %peer.name, pid = peer.pid, size, "frame over the limit; closing");
                let reply: Reply = Err(ServerError::TooLarge {
                    size: size as u64,
                    max: max as u64,
                }
                .into());
                let _ = protocol::send(&mut stream, &reply);
                return;
            }
            Err(e) => {
                tracing::warn!(user = %peer.name, pid = peer.pid, "connection dropped mid-request: {e}");
                return;
            }
        };
        let request: Request = match protocol::decode(&payload, limit) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(user = %peer.name, pid = peer.pid, "undecodable request; closing: {e}");
                let reply: Reply = Err(ServerError::Protocol(e.to_string()).into());
                let _ = protocol::send(&mut stream, &reply);
                return;
            }
        };
        let needed = request.needs();
        let reply = if needed > role {
            Err(ServerError::Denied {
                user: peer.name.clone(),
                role,
                needed,
                read_only,
            }
            .into())
        } else {
            let change = request.is_change();
            if change {
                shared.touch();
            }
            let reply = execute(&store, request);
            if change && reply.is_ok() {
                shared.notify();
                // The first change of a day leaves a backup (src/backup.rs).
                crate::backup::after_change(&store, &shared.db);
            }
            reply
        };
        if let Err(e) = protocol::send(&mut stream, &reply) {
            tracing::warn!(user = %peer.name, pid = peer.pid, "client left before its answer: {e}");
            return;
        }
    }
}

fn subscription(shared: &Shared, mut stream: UnixStream) {
    let (tx, rx) = mpsc::channel();
    shared
        .subscribers
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(tx.clone());
    // A subscriber sends nothing after hello; reading only tells us when it
    // goes away, so that it stops counting as a client.
    if let Ok(mut reader) = stream.try_clone() {
        let spawned = std::thread::Builder::new()
            .name("branchlink-sub".into())
            .spawn(move || {
                let mut buf = [0u8; 256];
                while matches!(reader.read(&mut buf), Ok(n) if n > 0) {}
                let _ = tx.send(Push::Closed);
            });
        if spawned.is_err() {
            return;
        }
    }
    while let Ok(push) = rx.recv() {
        let Push::Change(mut version) = push else {
            return;
        };
        // Changes that came meanwhile make one notice: a board reloads once.
        for more in rx.try_iter() {
            match more {
                Push::Change(v) => version = v,
                Push::Closed => return,
            }
        }
        if protocol::send(&mut stream, &Notice { version }).is_err() {
            return;
        }
    }
}

/// Carries out one request on the store.
pub fn execute(store: &dyn Backend, request: Request) -> Reply {
    use Request as R;
    request.check()?;
    Ok(match request {
        R::Leaders => Value::Leaders(store.leaders()?),
        R::LeadersMatching(input) => Value::Leaders(store.leaders_matching(&input)?),
        R::Branches => Value::Branches(store.branches()?),
        R::Points => Value::Points(store.points()?),
        R::Activities(filter) => Value::Activities(store.activities(&filter)?),
        R::Problems => Value::Problems(store.problems()?),
        R::Events(year) => Value::Events(store.events(year)?),
        R::Targets(year) => Value::Targets(store.targets(year)?),
        R::YearStatus(year) => Value::YearStatus(Box::new(store.year_status(year)?)),
        R::YearStatusJson(year) => Value::Json(store.year_status_json(year)?),
        R::LastVisits => Value::LastVisits(store.last_visits()?),
        R::ActivityYears => Value::ActivityYears(store.activity_years()?),
        R::Audit(limit) => Value::Audit(store.audit(limit)?),
        R::Export => Value::Snapshot(Box::new(store.export()?)),
        R::Flag(name) => Value::Bool(store.flag(&name)?),
        R::AddLeader(l) => Value::Leader(store.add_leader(l)?),
        R::AddBranch(b) => Value::Branch(store.add_branch(b)?),
        R::AssignPoint {
            leader,
            branch,
            from,
            years,
        } => Value::Point(store.assign_point(leader, branch, from, years)?),
        R::ReviewPoint { leader, review, date } => Value::Point(store.review_point(leader, review, date)?),
        R::HandOver {
            leader,
            successor,
            date,
        } => Value::Point(store.hand_over(leader, successor, date)?),
        R::AddActivity(a) => Value::Activity(store.add_activity(a)?),
        R::UpdateActivity(a) => Value::Activity(store.update_activity(a)?),
        R::DeleteActivity(id) => Value::Activity(store.delete_activity(id)?),
        R::RestoreActivity(a) => Value::Activity(store.restore_activity(a)?),
        R::AddProblem(p) => Value::Problem(store.add_problem(p)?),
        R::SolveProblem { id, date, measures } => Value::Problem(store.solve_problem(id, date, measures)?),
        R::ReopenProblem(id) => Value::Problem(store.reopen_problem(id)?),
        R::AddEvent(e) => Value::Event(store.add_event(e)?),
        R::DeleteProblem(id) => Value::Problem(store.delete_problem(id)?),
        R::DeleteEvent(id) => Value::Event(store.delete_event(id)?),
        R::DeleteLeader(id) => Value::Leader(store.delete_leader(id)?),
        R::UpdateLeader(l) => Value::Leader(store.update_leader(l)?),
        R::UpdateBranch(b) => Value::Branch(store.update_branch(b)?),
        R::UpdateProblem(p) => Value::Problem(store.update_problem(p)?),
        R::SetTargets { year, targets } => {
            store.set_targets(year, targets)?;
            Value::Unit
        }
        R::Import(snapshot) => Value::Count(store.import(snapshot)?),
        R::SetFlag(name) => {
            store.set_flag(&name)?;
            Value::Unit
        }
        R::Assessments(point) => Value::Assessments(store.assessments(point)?),
        R::SetAssessment(a) => Value::Assessment(Box::new(store.set_assessment(a)?)),
        R::Rubric(year) => Value::Rubric(Box::new(store.rubric(year)?)),
        R::SetRubric { year, rubric } => {
            store.set_rubric(year, rubric)?;
            Value::Unit
        }
        R::Plan(year) => Value::Plan(Box::new(store.plan(year)?)),
        R::SetPlanItem {
            year,
            phase,
            task,
            done,
        } => Value::Plan(Box::new(store.set_plan_item(year, phase, task, done)?)),
        R::SetPlanWindow { year, phase, from, to } => {
            Value::Plan(Box::new(store.set_plan_window(year, phase, from, to)?))
        }
        R::ActivitiesPerMonth(year) => Value::PerMonth(store.activities_per_month(year)?),
        R::LastVisitsUntil(day) => Value::LastVisits(store.last_visits_until(day)?),
        // A page is what one screen shows; a client cannot make the server
        // gather a whole year this way.
        R::ActivitiesNewest { filter, before, limit } => {
            Value::Activities(store.activities_newest(&filter, before, (limit as usize).min(MAX_PAGE))?)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Whatever decodes as a request, the store answers without panicking.
    #[test]
    fn any_decodable_request_is_answered() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        crate::demo::load(&store).unwrap();
        let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
            cases: 512,
            ..Default::default()
        });
        let bytes = (0u8..31, proptest::collection::vec(any::<u8>(), 0..96));
        runner
            .run(&bytes, |(variant, rest)| {
                let mut payload = vec![variant];
                payload.extend_from_slice(&rest);
                // Most random tails do not decode; a prefix often does.
                for end in (1..=payload.len()).rev() {
                    if let Ok(request) = protocol::decode::<Request>(&payload[..end], Limit::Small) {
                        let _ = execute(&store, request);
                        break;
                    }
                }
                Ok(())
            })
            .unwrap();
        // And the store still works.
        assert!(!store.leaders().unwrap().is_empty());
    }
}
