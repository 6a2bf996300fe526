//! The wire protocol between clients and the server.
//!
//! A frame is a `u32` big-endian length followed by that many bytes of
//! bincode 2 (serde, standard config). Every connection starts with a
//! handshake: the client sends [`Hello`], the server answers [`Welcome`].
//! Both begin with the protocol version, so that two different versions can
//! always read each other's version and say so, whatever else changed.
//! Then the client sends [`Request`]s and reads one [`Reply`] for each, or,
//! on a subscription, only reads [`Notice`]s.
//!
//! Decoding never trusts a length: frames are bounded before they are read,
//! bincode runs with an allocation limit, and trailing bytes are refused.

use std::io::{self, Read, Write};
use std::path::PathBuf;

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::access::AccessRole;
use crate::api::{ActivityFilter, Review, Snapshot};
use crate::domain::{
    Activity, ActivityId, AuditEntry, Branch, BranchId, BureauEvent, ContactPoint, EventId, Leader, LeaderId, PointId,
    Problem, ProblemId, Targets, YearStatus,
};
use crate::domain::{Assessment, DomainError, Plan, Rubric, validate};
use crate::error::{Error, ServerError};

/// Bumped whenever a message changes shape or a request is added (an older
/// server would close the connection on a request it cannot decode, where
/// the handshake can name both versions). 2: `ActivitiesNewest`,
/// `LeadersMatching`; 3: `YearStatusJson`; 4: three domain errors (dates
/// of reviews, hand-overs and work checked against the point's history);
/// 5: `DeleteProblem`, `DeleteEvent`, `DeleteLeader`, `UpdateLeader`,
/// `UpdateBranch`, `UpdateProblem`,
/// `LeaderInUse`, `StillHoldsPoint`, `StoreError::NotJson`.
pub const PROTOCOL_VERSION: u32 = 5;

/// The largest frame a client may send before it is known to be an admin,
/// and for every request but `import`.
pub const MAX_FRAME: usize = 1024 * 1024;

/// The largest frame an admin may send (an `import`) and the largest reply
/// a client reads (a whole export): the import file limit.
pub const MAX_LARGE_FRAME: usize = crate::store::MAX_IMPORT_BYTES as usize;

/// bincode's allocation limit while decoding a frame of at most
/// [`MAX_FRAME`] bytes. Values take more room in memory than on the wire, so
/// the limit is a multiple of the frame size; it still stops a forged
/// length prefix from allocating gigabytes.
const DECODE_LIMIT_SMALL: usize = 16 * MAX_FRAME;
/// The same for large frames.
const DECODE_LIMIT_LARGE: usize = 8 * MAX_LARGE_FRAME;

/// What the client says first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// Must stay the first field (see the module comment).
    pub version: u32,
    /// Ask for viewer rights whatever the role.
    pub read_only: bool,
    /// Make this a subscription: the server sends [`Notice`]s and takes no
    /// requests.
    pub subscribe: bool,
}

/// What the server answers to [`Hello`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Welcome {
    /// Must stay the first field (see the module comment).
    pub version: u32,
    pub session: Result<Session, Error>,
}

/// What the server made of a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The OS user the server saw in the socket's peer credentials.
    pub user: String,
    pub role: AccessRole,
    /// The server's process id (tests and `status` use it).
    pub pid: u32,
    pub db: PathBuf,
}

/// Pushed on a subscription after every change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The server's count of changes since it started.
    pub version: u64,
}

/// The [`crate::api::Backend`] methods, one variant each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    Leaders,
    Branches,
    Points,
    Activities(ActivityFilter),
    Problems,
    Events(Option<i32>),
    Targets(i32),
    YearStatus(i32),
    LastVisits,
    ActivityYears,
    Audit(usize),
    Export,
    Flag(String),
    AddLeader(Leader),
    AddBranch(Branch),
    AssignPoint {
        leader: LeaderId,
        branch: BranchId,
        from: NaiveDate,
        years: u32,
    },
    ReviewPoint {
        leader: LeaderId,
        review: Review,
        date: NaiveDate,
    },
    HandOver {
        leader: LeaderId,
        successor: LeaderId,
        date: NaiveDate,
    },
    AddActivity(Activity),
    UpdateActivity(Activity),
    DeleteActivity(ActivityId),
    RestoreActivity(Activity),
    AddProblem(Problem),
    SolveProblem {
        id: ProblemId,
        date: NaiveDate,
        measures: Option<String>,
    },
    ReopenProblem(ProblemId),
    AddEvent(BureauEvent),
    SetTargets {
        year: i32,
        targets: Targets,
    },
    Import(Snapshot),
    SetFlag(String),
    // The year's rhythm: assessments, their rubric, the work plan.
    Assessments(Option<PointId>),
    SetAssessment(Assessment),
    Rubric(i32),
    SetRubric {
        year: i32,
        rubric: Rubric,
    },
    Plan(i32),
    SetPlanItem {
        year: i32,
        phase: u32,
        task: u32,
        done: Option<NaiveDate>,
    },
    SetPlanWindow {
        year: i32,
        phase: u32,
        from: NaiveDate,
        to: NaiveDate,
    },
    ActivitiesPerMonth(i32),
    LastVisitsUntil(NaiveDate),
    ActivitiesNewest {
        filter: ActivityFilter,
        before: Option<(NaiveDate, ActivityId)>,
        limit: u32,
    },
    LeadersMatching(String),
    YearStatusJson(i32),
    DeleteProblem(ProblemId),
    DeleteEvent(EventId),
    DeleteLeader(LeaderId),
    UpdateLeader(Leader),
    UpdateBranch(Branch),
    UpdateProblem(Problem),
}

impl Request {
    /// The least role allowed to send this request.
    pub fn needs(&self) -> AccessRole {
        use Request::*;
        match self {
            Leaders | Branches | Points | Activities(_) | Problems | Events(_) | Targets(_) | YearStatus(_)
            | LastVisits | ActivityYears | Audit(_) | Export | Flag(_) | Assessments(_) | Rubric(_) | Plan(_)
            | ActivitiesPerMonth(_)
            | LastVisitsUntil(_)
            | ActivitiesNewest { .. }
            | LeadersMatching(_)
            | YearStatusJson(_) => {
                AccessRole::Viewer
            }
            AddActivity(_)
            | UpdateActivity(_)
            | DeleteActivity(_)
            | RestoreActivity(_)
            | AddProblem(_)
            | SolveProblem { .. }
            | ReopenProblem(_)
            | DeleteProblem(_)
            | UpdateProblem(_)
            | AddEvent(_)
            | DeleteEvent(_) => AccessRole::Editor,
            // Flags mark database-wide facts (the demo data was loaded), set
            // together with leaders and branches.
            AddLeader(_)
            | UpdateLeader(_)
            | UpdateBranch(_)
            | DeleteLeader(_)
            | AddBranch(_)
            | AssignPoint { .. }
            | ReviewPoint { .. }
            | HandOver { .. }
            | SetTargets { .. }
            | Import(_)
            | SetFlag(_)
            // The year-end assessment and the plan belong to the organs
            // party committee, which administers the system.
            | SetAssessment(_)
            | SetRubric { .. }
            | SetPlanItem { .. }
            | SetPlanWindow { .. } => AccessRole::Admin,
        }
    }

    /// Checks the years and dates the store takes as given (the front ends
    /// check them when they parse what a person typed, but a request can
    /// carry any number): nothing a client sends may drive the store
    /// outside the calendar it knows. Records are checked by the store.
    pub fn check(&self) -> Result<(), DomainError> {
        use Request::*;
        let year = |y: i32| validate::year(i64::from(y)).map(|_| ());
        let date = |d: NaiveDate| validate::stored_date(d).map(|_| ());
        match self {
            Activities(filter) => filter.year.map_or(Ok(()), year),
            Events(Some(y))
            | Targets(y)
            | YearStatus(y)
            | YearStatusJson(y)
            | SetTargets { year: y, .. }
            | Rubric(y)
            | SetRubric { year: y, .. }
            | Plan(y)
            | ActivitiesPerMonth(y) => year(*y),
            SetAssessment(a) => year(a.year),
            LastVisitsUntil(d) => date(*d),
            ActivitiesNewest { filter, before, .. } => {
                filter.year.map_or(Ok(()), year)?;
                before.map_or(Ok(()), |(d, _)| date(d))
            }
            SetPlanItem { year: y, done, .. } => year(*y).and_then(|_| done.map_or(Ok(()), date)),
            SetPlanWindow { year: y, from, to, .. } => year(*y).and_then(|_| date(*from)).and_then(|_| date(*to)),
            AssignPoint { from, .. } => date(*from),
            ReviewPoint { date: d, .. } | HandOver { date: d, .. } | SolveProblem { date: d, .. } => date(*d),
            _ => Ok(()),
        }
    }

    /// True for requests that change data: they are never sent twice.
    pub fn is_change(&self) -> bool {
        self.needs() > AccessRole::Viewer
    }
}

/// The value of a successful request, one variant per return type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Value {
    Unit,
    Bool(bool),
    Count(usize),
    Leaders(Vec<Leader>),
    Leader(Leader),
    Branches(Vec<Branch>),
    Branch(Branch),
    Points(Vec<ContactPoint>),
    Point(ContactPoint),
    Activities(Vec<Activity>),
    Activity(Activity),
    Problems(Vec<Problem>),
    Problem(Problem),
    Events(Vec<BureauEvent>),
    Event(BureauEvent),
    Targets(Targets),
    YearStatus(Box<YearStatus>),
    LastVisits(Vec<(PointId, NaiveDate)>),
    ActivityYears(Option<(i32, i32)>),
    Audit(Vec<AuditEntry>),
    Snapshot(Box<Snapshot>),
    Assessments(Vec<Assessment>),
    Assessment(Box<Assessment>),
    Rubric(Box<Rubric>),
    Plan(Box<Plan>),
    PerMonth(Vec<(LeaderId, [u32; 12])>),
    /// Text already written as JSON (`YearStatusJson`).
    Json(String),
}

/// The answer to one request.
pub type Reply = Result<Value, Error>;

/// Why a frame could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The peer closed the connection between frames.
    #[error("connection closed")]
    Closed,
    #[error("i/o: {0}")]
    Io(#[from] io::Error),
    #[error("frame of {size} bytes, the limit is {max}")]
    TooLarge { size: usize, max: usize },
    #[error("undecodable frame: {0}")]
    Decode(String),
}

impl FrameError {
    /// The error a client reports for a broken exchange.
    pub fn into_protocol(self) -> Error {
        ServerError::Protocol(self.to_string()).into()
    }
}

/// How big a frame may be and how much decoding it may allocate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// [`MAX_FRAME`]: handshakes and everyone's requests.
    Small,
    /// [`MAX_LARGE_FRAME`]: replies, and an admin's `import`.
    Large,
}

impl Limit {
    pub fn max(self) -> usize {
        match self {
            Limit::Small => MAX_FRAME,
            Limit::Large => MAX_LARGE_FRAME,
        }
    }
}

/// Encodes `value` as a whole frame, length prefix included, so that it is
/// written with one call.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, FrameError> {
    let mut out = vec![0u8; 4];
    bincode::serde::encode_into_std_write(value, &mut out, bincode::config::standard())
        .map_err(|e| FrameError::Decode(e.to_string()))?;
    let len = out.len() - 4;
    let len32 = u32::try_from(len).map_err(|_| FrameError::TooLarge {
        size: len,
        max: u32::MAX as usize,
    })?;
    out[..4].copy_from_slice(&len32.to_be_bytes());
    Ok(out)
}

/// Writes one value as a frame.
pub fn send<T: Serialize>(w: &mut impl Write, value: &T) -> Result<(), FrameError> {
    let frame = encode(value)?;
    w.write_all(&frame)?;
    w.flush()?;
    Ok(())
}

/// Reads one frame's payload, refusing lengths over `limit` before reading
/// them.
pub fn read_frame(r: &mut impl Read, limit: Limit) -> Result<Vec<u8>, FrameError> {
    let mut header = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match r.read(&mut header[got..]) {
            Ok(0) if got == 0 => return Err(FrameError::Closed),
            Ok(0) => return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into()),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    let size = u32::from_be_bytes(header) as usize;
    if size > limit.max() {
        return Err(FrameError::TooLarge { size, max: limit.max() });
    }
    // Grows as bytes arrive rather than trusting the length up front.
    let mut payload = Vec::with_capacity(size.min(64 * 1024));
    r.take(size as u64).read_to_end(&mut payload)?;
    if payload.len() != size {
        return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
    }
    Ok(payload)
}

/// Decodes a whole payload: bounded allocation, no trailing bytes.
pub fn decode<T: DeserializeOwned>(payload: &[u8], limit: Limit) -> Result<T, FrameError> {
    let result = match limit {
        Limit::Small => {
            bincode::serde::decode_from_slice(payload, bincode::config::standard().with_limit::<DECODE_LIMIT_SMALL>())
        }
        Limit::Large => {
            bincode::serde::decode_from_slice(payload, bincode::config::standard().with_limit::<DECODE_LIMIT_LARGE>())
        }
    };
    let (value, used) = result.map_err(|e| FrameError::Decode(e.to_string()))?;
    if used != payload.len() {
        return Err(FrameError::Decode(format!("{} trailing bytes", payload.len() - used)));
    }
    Ok(value)
}

/// Reads and decodes one frame.
pub fn receive<T: DeserializeOwned>(r: &mut impl Read, limit: Limit) -> Result<T, FrameError> {
    let payload = read_frame(r, limit)?;
    decode(&payload, limit)
}

/// The version at the start of a [`Hello`] or [`Welcome`], read on its own
/// so that a peer of another version can still be named.
pub fn leading_version(payload: &[u8]) -> Option<u32> {
    bincode::serde::decode_from_slice::<u32, _>(payload, bincode::config::standard().with_limit::<16>())
        .ok()
        .map(|(v, _)| v)
}

/// Both sides must speak the same version.
pub fn check_version(client: u32, server: u32) -> Result<(), ServerError> {
    if client == server {
        Ok(())
    } else {
        Err(ServerError::Version { client, server })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trip() {
        let req = Request::AssignPoint {
            leader: 3,
            branch: 7,
            from: NaiveDate::from_ymd_opt(2020, 9, 1).unwrap(),
            years: 2,
        };
        let frame = encode(&req).unwrap();
        assert_eq!(
            u32::from_be_bytes(frame[..4].try_into().unwrap()) as usize,
            frame.len() - 4
        );
        let back: Request = receive(&mut &frame[..], Limit::Small).unwrap();
        assert_eq!(back, req);
    }

    #[test]
    fn errors_travel() {
        let reply: Reply = Err(ServerError::Denied {
            user: "alice".into(),
            role: AccessRole::Viewer,
            needed: AccessRole::Editor,
            read_only: true,
        }
        .into());
        let frame = encode(&reply).unwrap();
        let back: Reply = receive(&mut &frame[..], Limit::Large).unwrap();
        assert_eq!(back, reply);
    }

    #[test]
    fn oversized_length_is_refused_before_reading() {
        let mut bytes = ((MAX_FRAME + 1) as u32).to_be_bytes().to_vec();
        bytes.extend_from_slice(&[0; 16]);
        match read_frame(&mut &bytes[..], Limit::Small) {
            Err(FrameError::TooLarge { size, max }) => {
                assert_eq!(size, MAX_FRAME + 1);
                assert_eq!(max, MAX_FRAME);
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }

    #[test]
    fn trailing_bytes_are_refused() {
        let mut frame = encode(&Request::Leaders).unwrap();
        frame.push(0);
        let len = (frame.len() - 4) as u32;
        frame[..4].copy_from_slice(&len.to_be_bytes());
        assert!(matches!(
            receive::<Request>(&mut &frame[..], Limit::Small),
            Err(FrameError::Decode(_))
        ));
    }

    #[test]
    fn truncated_and_empty_input() {
        assert!(matches!(
            read_frame(&mut &[][..], Limit::Small),
            Err(FrameError::Closed)
        ));
        assert!(matches!(
            read_frame(&mut &[0, 0][..], Limit::Small),
            Err(FrameError::Io(_))
        ));
        assert!(matches!(
            read_frame(&mut &[0, 0, 0, 9, 1, 2][..], Limit::Small),
            Err(FrameError::Io(_))
        ));
    }

    #[test]
    fn forged_vector_length_does_not_allocate() {
        // A Vec<Leader> claiming u64::MAX elements in a few bytes.
        let mut payload = vec![3u8]; // Value::Leaders
        payload.push(0xFF);
        payload.extend_from_slice(&u64::MAX.to_le_bytes());
        assert!(decode::<Value>(&payload, Limit::Small).is_err());
    }

    #[test]
    fn version_is_read_whatever_follows() {
        let hello = encode(&Hello {
            version: 7,
            read_only: true,
            subscribe: false,
        })
        .unwrap();
        assert_eq!(leading_version(&hello[4..]), Some(7));
        let welcome = encode(&Welcome {
            version: 9,
            session: Err(ServerError::Protocol("x".into()).into()),
        })
        .unwrap();
        assert_eq!(leading_version(&welcome[4..]), Some(9));
    }

    #[test]
    fn version_mismatch_names_both() {
        assert!(check_version(PROTOCOL_VERSION, PROTOCOL_VERSION).is_ok());
        let e = check_version(1, 2).unwrap_err();
        assert_eq!(e, ServerError::Version { client: 1, server: 2 });
        for lang in [crate::i18n::Lang::Zh, crate::i18n::Lang::En] {
            let line = crate::i18n::errors::message(lang, &e.clone().into());
            assert!(line.contains('1') && line.contains('2'), "{line}");
            assert!(!line.contains('\n'));
        }
    }

    #[test]
    fn roles_of_requests() {
        assert_eq!(Request::DeleteProblem(1).needs(), AccessRole::Editor);
        assert_eq!(Request::DeleteEvent(1).needs(), AccessRole::Editor);
        assert_eq!(Request::DeleteLeader(1).needs(), AccessRole::Admin);
        assert_eq!(
            Request::UpdateLeader(crate::domain::Leader {
                id: 1,
                name: "x".into(),
                title: "x".into(),
                role: crate::domain::Role::Member,
                own_branch: None,
                in_post_from: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
                in_post_to: None,
            })
            .needs(),
            AccessRole::Admin
        );
        assert_eq!(Request::Leaders.needs(), AccessRole::Viewer);
        assert_eq!(Request::Export.needs(), AccessRole::Viewer);
        assert_eq!(Request::DeleteActivity(1).needs(), AccessRole::Editor);
        assert_eq!(Request::SetFlag("demo".into()).needs(), AccessRole::Admin);
        assert!(!Request::Audit(3).is_change());
        assert!(Request::ReopenProblem(1).is_change());
    }

    #[test]
    fn years_and_dates_outside_the_calendar_are_refused() {
        let far = NaiveDate::from_ymd_opt(200_000, 1, 1).unwrap();
        for bad in [
            Request::YearStatus(i32::MAX),
            Request::Targets(i32::MIN),
            Request::Events(Some(-5)),
            Request::Activities(ActivityFilter {
                year: Some(99_999),
                leader: None,
            }),
            Request::SolveProblem {
                id: 1,
                date: far,
                measures: None,
            },
            Request::HandOver {
                leader: 1,
                successor: 2,
                date: far,
            },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
        }
        assert!(Request::YearStatus(2020).check().is_ok());
        assert!(Request::Events(None).check().is_ok());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = receive::<Request>(&mut &bytes[..], Limit::Small);
            let _ = receive::<Hello>(&mut &bytes[..], Limit::Small);
            let _ = decode::<Request>(&bytes, Limit::Small);
            let _ = decode::<Reply>(&bytes, Limit::Large);
            let _ = leading_version(&bytes);
        }

        #[test]
        fn framed_arbitrary_payloads_never_panic(payload in proptest::collection::vec(any::<u8>(), 0..1024)) {
            let mut frame = (payload.len() as u32).to_be_bytes().to_vec();
            frame.extend_from_slice(&payload);
            let _ = receive::<Request>(&mut &frame[..], Limit::Small);
        }
    }
}
