//! A [`Backend`] that talks to the server: what every front end uses by
//! default. One connection for requests (one at a time, in order) and, when
//! asked, a second one on which the server pushes change notices, read by a
//! background thread that keeps [`Backend::data_version`] current.
//!
//! A broken connection is mended: the next request reconnects (starting
//! the server again where auto-start is on) for a few seconds before it
//! fails. A query is simply sent again; a change is never sent twice: if
//! the connection broke after it was sent, the answer is
//! [`ServerError::Unconfirmed`] and the user decides.

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use super::access::AccessRole;
use super::autostart::{self, AutoStart};
use super::protocol::{
    self, Hello, Limit, MAX_FRAME, MAX_LARGE_FRAME, Notice, PROTOCOL_VERSION, Reply, Request, Session, Value, Welcome,
};
use crate::api::{ActivityFilter, Backend, Review, Snapshot};
use crate::domain::{
    Activity, ActivityId, AuditEntry, Branch, BranchId, BureauEvent, ContactPoint, Leader, LeaderId, PointId, Problem,
    ProblemId, Targets, YearStatus,
};
use crate::error::{Error, Result, ServerError};

/// How long a broken connection is retried before a request fails.
pub const RECONNECT_FOR: Duration = Duration::from_secs(5);

/// How a client connects.
#[derive(Clone)]
pub struct ClientOptions {
    pub socket: PathBuf,
    /// Ask for viewer rights whatever the role.
    pub read_only: bool,
    /// Keep a subscription open so that `data_version` follows others'
    /// changes (the workbench); one-shot commands do without.
    pub subscribe: bool,
    /// Start a server when none answers.
    pub autostart: Option<AutoStart>,
    pub reconnect_for: Duration,
    /// Called when a request finds the connection broken, before it
    /// reconnects (the command line prints "reconnecting…"; a screen can
    /// show it in its status line).
    pub on_reconnect: Option<Arc<dyn Fn() + Send + Sync>>,
}

impl ClientOptions {
    pub fn new(socket: PathBuf) -> ClientOptions {
        ClientOptions {
            socket,
            read_only: false,
            subscribe: false,
            autostart: None,
            reconnect_for: RECONNECT_FOR,
            on_reconnect: None,
        }
    }
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("socket", &self.socket)
            .field("read_only", &self.read_only)
            .field("subscribe", &self.subscribe)
            .field("autostart", &self.autostart)
            .finish()
    }
}

/// State shared with the subscription thread.
struct Shared {
    options: ClientOptions,
    /// What `data_version` returns.
    version: AtomicU64,
    closed: AtomicBool,
    /// False while the subscription has lost the server and is trying to
    /// reach it again (a board shows "reconnecting…").
    connected: AtomicBool,
    /// The subscription's socket, so that dropping the client can end the
    /// thread's blocking read.
    subscription: Mutex<Option<UnixStream>>,
}

pub struct Client {
    shared: Arc<Shared>,
    conn: Mutex<Option<UnixStream>>,
    session: Mutex<Session>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("options", &self.shared.options).finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Connects and shakes hands.
fn open(options: &ClientOptions, subscribe: bool) -> Result<(UnixStream, Session)> {
    let mut stream = autostart::connect(&options.socket, options.autostart.as_ref())?;
    let hello = Hello {
        version: PROTOCOL_VERSION,
        read_only: options.read_only,
        subscribe,
    };
    protocol::send(&mut stream, &hello).map_err(|e| e.into_protocol())?;
    let payload = protocol::read_frame(&mut stream, Limit::Small).map_err(|e| e.into_protocol())?;
    let server = protocol::leading_version(&payload)
        .ok_or_else(|| Error::from(ServerError::Protocol("no version in the server's answer".into())))?;
    protocol::check_version(PROTOCOL_VERSION, server)?;
    let welcome: Welcome = protocol::decode(&payload, Limit::Small).map_err(|e| e.into_protocol())?;
    let session = welcome.session?;
    Ok((stream, session))
}

/// The first connection: a server that is stopping as we arrive (idle
/// exit) closes on us, and the next try starts or finds a new one.
fn open_patiently(options: &ClientOptions) -> Result<(UnixStream, Session)> {
    let deadline = Instant::now() + options.reconnect_for;
    loop {
        match open(options, false) {
            Ok(done) => return Ok(done),
            Err(e) if is_final(options, &e) || Instant::now() >= deadline => return Err(e),
            Err(e) => {
                tracing::debug!("connecting: {e}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// Errors that waiting will not cure: the other side's version, the
/// access file's verdict, a server that cannot start, or (when we start
/// servers ourselves) a start lock we may not take.
fn is_final(options: &ClientOptions, e: &Error) -> bool {
    match e {
        Error::Server(ServerError::Version { .. } | ServerError::Refused { .. } | ServerError::Access { .. })
        | Error::Server(ServerError::Start(_) | ServerError::Exited { .. } | ServerError::StartTimeout { .. }) => true,
        Error::Server(ServerError::NoServer { .. }) => options.autostart.is_some(),
        _ => false,
    }
}

impl Client {
    /// Connects to the server (starting one if the options say so).
    pub fn connect(options: ClientOptions) -> Result<Client> {
        let (stream, session) = open_patiently(&options)?;
        let subscribe = options.subscribe;
        let shared = Arc::new(Shared {
            options,
            version: AtomicU64::new(0),
            closed: AtomicBool::new(false),
            connected: AtomicBool::new(true),
            subscription: Mutex::new(None),
        });
        if subscribe {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("branchlink-notices".into())
                .spawn(move || watch(&shared))
                .map_err(|e| ServerError::Start(e.to_string()))?;
        }
        Ok(Client {
            shared,
            conn: Mutex::new(Some(stream)),
            session: Mutex::new(session),
        })
    }

    /// What the server said about this connection: the user it saw, the
    /// role, its process id.
    pub fn session(&self) -> Session {
        lock(&self.session).clone()
    }

    /// The socket this client talks to.
    pub fn socket(&self) -> &std::path::Path {
        &self.shared.options.socket
    }

    /// The effective role of this connection.
    pub fn role(&self) -> AccessRole {
        lock(&self.session).role
    }

    /// Reconnects, for up to `reconnect_for`.
    fn reconnect(&self) -> Result<UnixStream> {
        let options = &self.shared.options;
        let deadline = Instant::now() + options.reconnect_for;
        if let Some(tell) = &options.on_reconnect {
            tell();
        }
        loop {
            match open(options, false) {
                Ok((stream, session)) => {
                    *lock(&self.session) = session;
                    // Changes may have happened while we were away.
                    self.shared.version.fetch_add(1, Ordering::SeqCst);
                    return Ok(stream);
                }
                Err(e) if is_final(options, &e) => return Err(e),
                Err(e) => {
                    if Instant::now() >= deadline {
                        tracing::warn!("reconnecting failed: {e}");
                        return Err(ServerError::Lost {
                            socket: options.socket.clone(),
                            seconds: options.reconnect_for.as_secs(),
                        }
                        .into());
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
    }

    /// Sends one request and waits for its answer.
    pub fn call(&self, request: Request) -> Result<Value> {
        let frame = protocol::encode(&request).map_err(|e| e.into_protocol())?;
        let size = frame.len() - 4;
        let session = self.session();
        let max = if session.role == AccessRole::Admin {
            MAX_LARGE_FRAME
        } else {
            MAX_FRAME
        };
        if size > max && request.needs() > session.role {
            // The server would close on the size before it could say why;
            // the reason that matters is the role.
            return Err(ServerError::Denied {
                user: session.user,
                role: session.role,
                needed: request.needs(),
                read_only: self.shared.options.read_only,
            }
            .into());
        }
        if size > max {
            return Err(ServerError::TooLarge {
                size: size as u64,
                max: max as u64,
            }
            .into());
        }
        let change = request.is_change();
        let mut conn = lock(&self.conn);
        let mut retried = false;
        loop {
            let stream = match conn.as_mut() {
                Some(s) => s,
                None => conn.insert(self.reconnect()?),
            };
            // A failed write means the server never had the whole request
            // (it drops partial frames): safe to send again, once.
            if stream.write_all(&frame).is_err() {
                *conn = None;
                if retried {
                    return Err(self.lost());
                }
                retried = true;
                continue;
            }
            match protocol::receive::<Reply>(stream, Limit::Large) {
                Ok(reply) => return reply,
                Err(e) => {
                    *conn = None;
                    tracing::debug!("no answer: {e}");
                    if change {
                        return Err(ServerError::Unconfirmed.into());
                    }
                    if retried {
                        return Err(self.lost());
                    }
                    retried = true;
                }
            }
        }
    }

    fn lost(&self) -> Error {
        ServerError::Lost {
            socket: self.shared.options.socket.clone(),
            seconds: self.shared.options.reconnect_for.as_secs(),
        }
        .into()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.shared.closed.store(true, Ordering::SeqCst);
        if let Some(s) = lock(&self.shared.subscription).take() {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }
}

/// The subscription thread: counts notices, reconnects when the server goes
/// away, and ends when the client is dropped.
fn watch(shared: &Shared) {
    while !shared.closed.load(Ordering::SeqCst) {
        let (mut stream, _) = match open(&shared.options, true) {
            Ok(s) => s,
            Err(Error::Server(ServerError::Version { .. } | ServerError::Refused { .. })) => return,
            Err(e) => {
                // Keep trying (the board recovers when the server is back),
                // but gently: a server that cannot start is not restarted
                // in a tight loop.
                let pause = if is_final(&shared.options, &e) { 2000 } else { 200 };
                tracing::debug!("subscription: {e}");
                std::thread::sleep(Duration::from_millis(pause));
                continue;
            }
        };
        match stream.try_clone() {
            Ok(handle) => *lock(&shared.subscription) = Some(handle),
            Err(_) => return,
        }
        if shared.closed.load(Ordering::SeqCst) {
            return;
        }
        shared.connected.store(true, Ordering::SeqCst);
        // Notices may have been missed while (re)connecting.
        shared.version.fetch_add(1, Ordering::SeqCst);
        while protocol::receive::<Notice>(&mut stream, Limit::Small).is_ok() {
            shared.version.fetch_add(1, Ordering::SeqCst);
        }
        shared.connected.store(false, Ordering::SeqCst);
        lock(&shared.subscription).take();
    }
}

pub(crate) fn unexpected(value: &Value) -> Error {
    let name = format!("{value:?}");
    let name = name.split(['(', ' ', '{']).next().unwrap_or("").to_string();
    ServerError::Protocol(format!("unexpected answer {name}")).into()
}

macro_rules! expect_value {
    ($self:ident, $request:expr, $variant:ident) => {
        match $self.call($request)? {
            $crate::server::protocol::Value::$variant(v) => Ok(v),
            other => Err($crate::server::client::unexpected(&other)),
        }
    };
}

macro_rules! expect_unit {
    ($self:ident, $request:expr) => {
        match $self.call($request)? {
            $crate::server::protocol::Value::Unit => Ok(()),
            other => Err($crate::server::client::unexpected(&other)),
        }
    };
}

/// Implements [`Backend`] for a type with
/// `fn call(&self, Request) -> Result<Value>`: one request per method.
macro_rules! backend_over_call {
    ($t:ty, $me:ident => $version:expr, $connected:expr) => {
        impl Backend for $t {
            fn leaders(&self) -> Result<Vec<Leader>> {
                $crate::server::client::expect_value!(self, Request::Leaders, Leaders)
            }
            fn leaders_matching(&self, input: &str) -> Result<Vec<Leader>> {
                $crate::server::client::expect_value!(self, Request::LeadersMatching(input.to_string()), Leaders)
            }
            fn branches(&self) -> Result<Vec<Branch>> {
                $crate::server::client::expect_value!(self, Request::Branches, Branches)
            }
            fn points(&self) -> Result<Vec<ContactPoint>> {
                $crate::server::client::expect_value!(self, Request::Points, Points)
            }
            fn activities(&self, filter: &ActivityFilter) -> Result<Vec<Activity>> {
                $crate::server::client::expect_value!(self, Request::Activities(filter.clone()), Activities)
            }
            fn problems(&self) -> Result<Vec<Problem>> {
                $crate::server::client::expect_value!(self, Request::Problems, Problems)
            }
            fn events(&self, year: Option<i32>) -> Result<Vec<BureauEvent>> {
                $crate::server::client::expect_value!(self, Request::Events(year), Events)
            }
            fn targets(&self, year: i32) -> Result<Targets> {
                $crate::server::client::expect_value!(self, Request::Targets(year), Targets)
            }
            fn year_status(&self, year: i32) -> Result<YearStatus> {
                $crate::server::client::expect_value!(self, Request::YearStatus(year), YearStatus).map(|b| *b)
            }
            fn year_status_json(&self, year: i32) -> Result<String> {
                $crate::server::client::expect_value!(self, Request::YearStatusJson(year), Json)
            }
            fn last_visits(&self) -> Result<Vec<(PointId, NaiveDate)>> {
                $crate::server::client::expect_value!(self, Request::LastVisits, LastVisits)
            }
            fn activity_years(&self) -> Result<Option<(i32, i32)>> {
                $crate::server::client::expect_value!(self, Request::ActivityYears, ActivityYears)
            }
            fn audit(&self, limit: usize) -> Result<Vec<AuditEntry>> {
                $crate::server::client::expect_value!(self, Request::Audit(limit), Audit)
            }
            fn export(&self) -> Result<Snapshot> {
                $crate::server::client::expect_value!(self, Request::Export, Snapshot).map(|b| *b)
            }
            fn add_leader(&self, leader: Leader) -> Result<Leader> {
                $crate::server::client::expect_value!(self, Request::AddLeader(leader), Leader)
            }
            fn add_branch(&self, branch: Branch) -> Result<Branch> {
                $crate::server::client::expect_value!(self, Request::AddBranch(branch), Branch)
            }
            fn assign_point(&self, leader: LeaderId, branch: BranchId, from: NaiveDate, years: u32) -> Result<ContactPoint> {
                $crate::server::client::expect_value!(
                    self,
                    Request::AssignPoint {
                        leader,
                        branch,
                        from,
                        years
                    },
                    Point
                )
            }
            fn review_point(&self, leader: LeaderId, review: Review, date: NaiveDate) -> Result<ContactPoint> {
                $crate::server::client::expect_value!(self, Request::ReviewPoint { leader, review, date }, Point)
            }
            fn hand_over(&self, leader: LeaderId, successor: LeaderId, date: NaiveDate) -> Result<ContactPoint> {
                $crate::server::client::expect_value!(
                    self,
                    Request::HandOver {
                        leader,
                        successor,
                        date
                    },
                    Point
                )
            }
            fn add_activity(&self, activity: Activity) -> Result<Activity> {
                $crate::server::client::expect_value!(self, Request::AddActivity(activity), Activity)
            }
            fn update_activity(&self, activity: Activity) -> Result<Activity> {
                $crate::server::client::expect_value!(self, Request::UpdateActivity(activity), Activity)
            }
            fn delete_activity(&self, id: ActivityId) -> Result<Activity> {
                $crate::server::client::expect_value!(self, Request::DeleteActivity(id), Activity)
            }
            fn restore_activity(&self, activity: Activity) -> Result<Activity> {
                $crate::server::client::expect_value!(self, Request::RestoreActivity(activity), Activity)
            }
            fn add_problem(&self, problem: Problem) -> Result<Problem> {
                $crate::server::client::expect_value!(self, Request::AddProblem(problem), Problem)
            }
            fn solve_problem(&self, id: ProblemId, date: NaiveDate, measures: Option<String>) -> Result<Problem> {
                $crate::server::client::expect_value!(self, Request::SolveProblem { id, date, measures }, Problem)
            }
            fn reopen_problem(&self, id: ProblemId) -> Result<Problem> {
                $crate::server::client::expect_value!(self, Request::ReopenProblem(id), Problem)
            }
            fn add_event(&self, event: BureauEvent) -> Result<BureauEvent> {
                $crate::server::client::expect_value!(self, Request::AddEvent(event), Event)
            }
            fn update_problem(&self, problem: Problem) -> Result<Problem> {
                $crate::server::client::expect_value!(self, Request::UpdateProblem(problem), Problem)
            }
            fn delete_problem(&self, id: ProblemId) -> Result<Problem> {
                $crate::server::client::expect_value!(self, Request::DeleteProblem(id), Problem)
            }
            fn delete_event(&self, id: $crate::domain::EventId) -> Result<BureauEvent> {
                $crate::server::client::expect_value!(self, Request::DeleteEvent(id), Event)
            }
            fn update_branch(&self, branch: Branch) -> Result<Branch> {
                $crate::server::client::expect_value!(self, Request::UpdateBranch(branch), Branch)
            }
            fn update_leader(&self, leader: Leader) -> Result<Leader> {
                $crate::server::client::expect_value!(self, Request::UpdateLeader(leader), Leader)
            }
            fn delete_leader(&self, id: LeaderId) -> Result<Leader> {
                $crate::server::client::expect_value!(self, Request::DeleteLeader(id), Leader)
            }
            fn set_targets(&self, year: i32, targets: Targets) -> Result<()> {
                $crate::server::client::expect_unit!(self, Request::SetTargets { year, targets })
            }
            fn import(&self, snapshot: Snapshot) -> Result<usize> {
                $crate::server::client::expect_value!(self, Request::Import(snapshot), Count)
            }
            fn flag(&self, name: &str) -> Result<bool> {
                $crate::server::client::expect_value!(self, Request::Flag(name.to_string()), Bool)
            }
            fn set_flag(&self, name: &str) -> Result<()> {
                $crate::server::client::expect_unit!(self, Request::SetFlag(name.to_string()))
            }
            fn assessments(&self, point: Option<PointId>) -> Result<Vec<$crate::domain::Assessment>> {
                $crate::server::client::expect_value!(self, Request::Assessments(point), Assessments)
            }
            fn set_assessment(&self, assessment: $crate::domain::Assessment) -> Result<$crate::domain::Assessment> {
                $crate::server::client::expect_value!(self, Request::SetAssessment(assessment), Assessment).map(|b| *b)
            }
            fn rubric(&self, year: i32) -> Result<$crate::domain::Rubric> {
                $crate::server::client::expect_value!(self, Request::Rubric(year), Rubric).map(|b| *b)
            }
            fn set_rubric(&self, year: i32, rubric: $crate::domain::Rubric) -> Result<()> {
                $crate::server::client::expect_unit!(self, Request::SetRubric { year, rubric })
            }
            fn plan(&self, year: i32) -> Result<$crate::domain::Plan> {
                $crate::server::client::expect_value!(self, Request::Plan(year), Plan).map(|b| *b)
            }
            fn set_plan_item(&self, year: i32, phase: u32, task: u32, done: Option<NaiveDate>) -> Result<$crate::domain::Plan> {
                $crate::server::client::expect_value!(self, Request::SetPlanItem { year, phase, task, done }, Plan)
                    .map(|b| *b)
            }
            fn set_plan_window(&self, year: i32, phase: u32, from: NaiveDate, to: NaiveDate) -> Result<$crate::domain::Plan> {
                $crate::server::client::expect_value!(self, Request::SetPlanWindow { year, phase, from, to }, Plan)
                    .map(|b| *b)
            }
            fn activities_per_month(&self, year: i32) -> Result<Vec<(LeaderId, [u32; 12])>> {
                $crate::server::client::expect_value!(self, Request::ActivitiesPerMonth(year), PerMonth)
            }
            fn activities_newest(
                &self,
                filter: &ActivityFilter,
                before: Option<(NaiveDate, ActivityId)>,
                limit: usize,
            ) -> Result<Vec<Activity>> {
                let request = Request::ActivitiesNewest {
                    filter: filter.clone(),
                    before,
                    limit: u32::try_from(limit).unwrap_or(u32::MAX),
                };
                $crate::server::client::expect_value!(self, request, Activities)
            }
            fn last_visits_until(&self, day: NaiveDate) -> Result<Vec<(PointId, NaiveDate)>> {
                $crate::server::client::expect_value!(self, Request::LastVisitsUntil(day), LastVisits)
            }
            fn data_version(&$me) -> u64 {
                $version
            }
            fn connected(&$me) -> bool {
                $connected
            }
        }
    };
}
pub(crate) use {backend_over_call, expect_unit, expect_value};

backend_over_call!(Client, self => self.shared.version.load(Ordering::SeqCst), self.shared.connected.load(Ordering::SeqCst));
