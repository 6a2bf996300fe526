//! Everything a user can get wrong, as data. The text shown for each lives in
//! `crate::i18n`, in Chinese and English.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::date::DateProblem;
use super::text::TextProblem;

/// Which piece of input a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Name,
    Title,
    ShortName,
    Parent,
    Category,
    Place,
    Participants,
    Findings,
    Actions,
    Note,
    Description,
    Measures,
    Date,
    Year,
}

/// Which kind of record a look-up was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordKind {
    Leader,
    Branch,
    Point,
    Activity,
    Problem,
    Event,
}

// Serializable so that a server can send it to its clients as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum DomainError {
    #[error("{field:?}: {problem}")]
    Text { field: Field, problem: TextProblem },
    #[error("date {input:?}: {problem:?}")]
    Date { input: String, problem: DateProblem },
    #[error("year {0} out of range")]
    Year(i64),
    #[error("unknown {kind:?} {input:?}")]
    Unknown { kind: RecordKind, input: String },
    #[error("{input:?} matches several: {matches:?}")]
    Ambiguous {
        kind: RecordKind,
        input: String,
        matches: Vec<String>,
    },
    #[error("a {kind:?} named {name:?} already exists")]
    Duplicate { kind: RecordKind, name: String },
    #[error("unknown activity kind {0:?}")]
    UnknownActivityKind(String),
    #[error("unknown problem category {0:?}")]
    UnknownCategory(String),
    #[error("unknown event kind {0:?}")]
    UnknownEventKind(String),
    #[error("unknown weakness {0:?}")]
    UnknownWeakness(String),
    #[error("{leader} cannot take their own branch {branch} as contact point")]
    OwnBranch { leader: String, branch: String },
    #[error("{leader} already has an open contact point at {branch}")]
    PointExists { leader: String, branch: String },
    #[error("{0} has no contact point")]
    NoPoint(String),
    #[error("the contact point of {0} is already closed")]
    PointClosed(String),
    #[error("problem {0} is already solved")]
    AlreadySolved(u64),
    #[error("problem {0} is not solved")]
    NotSolved(u64),
    #[error("solved date {solved} is before found date {found}")]
    SolvedBeforeFound { found: NaiveDate, solved: NaiveDate },
    #[error("post end {to} is before post start {from}")]
    PostEndsBeforeStart { from: NaiveDate, to: NaiveDate },
    #[error("{0} cannot hand over to themselves")]
    SelfHandover(String),
    #[error("cycle length {0} years: 1 to 10")]
    CycleLength(u32),
    #[error("target min {min} above full {full}, or over 1000")]
    BadTarget { min: u32, full: u32 },
    #[error("unknown rule {0:?}")]
    UnknownRule(String),
    #[error("unknown grade {input:?}; accepted {accepted}")]
    UnknownGrade { input: String, accepted: String },
    #[error("{got} grades given, the rubric has {expected} dimensions")]
    GradeCount { expected: usize, got: usize },
    #[error("satisfaction {0}: 0 to 100")]
    Satisfaction(i64),
    #[error("a rubric list of {got} items: 1 to {max}")]
    RubricSize { got: usize, max: usize },
    #[error("a rubric names an item twice: {0}")]
    RubricDuplicate(String),
    #[error("no plan item {0:?}")]
    UnknownPlanItem(String),
    #[error("window end {to} is before its start {from}")]
    WindowEndsBeforeStart { from: NaiveDate, to: NaiveDate },
    #[error("no assessment dimension {0:?}")]
    UnknownDimension(String),
    #[error("unknown role {0:?}")]
    UnknownRole(String),
    #[error("date {date} is before the contact point's last change on {last}")]
    BeforePointChange { date: NaiveDate, last: NaiveDate },
    #[error("{leader} held no contact point on {date}")]
    NoPointOn {
        leader: String,
        date: NaiveDate,
        /// The spans the leader held a point (see `ContactPoint::spans_of`).
        held: Vec<(NaiveDate, Option<NaiveDate>)>,
    },
    #[error("{branch} is already the open contact point of {leader}")]
    BranchTaken { branch: String, leader: String },
    #[error("{0} held a contact point or has activities: not deleted")]
    LeaderInUse(String),
    #[error("{leader} still holds the open contact point {branch}: hand it over first")]
    StillHoldsPoint { leader: String, branch: String },
}

pub type DomainResult<T> = Result<T, DomainError>;
