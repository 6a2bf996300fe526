//! The records the system keeps. Plain data: validation lives in
//! [`crate::domain::validate`], storage in `crate::store`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::kinds::{ActivityKind, EventKind, PointState, ProblemCategory, ProblemState, Role, Weakness};

pub type LeaderId = u64;
pub type BranchId = u64;
pub type PointId = u64;
pub type ActivityId = u64;
pub type ProblemId = u64;
pub type EventId = u64;

/// A member of the leading party group (局党组).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leader {
    pub id: LeaderId,
    pub name: String,
    /// As written in documents, e.g. 书记、局长 or 副局长.
    pub title: String,
    pub role: Role,
    /// The branch the leader belongs to: never allowed as their contact point.
    pub own_branch: Option<BranchId>,
    pub in_post_from: NaiveDate,
    pub in_post_to: Option<NaiveDate>,
}

impl Leader {
    /// True when the leader held the post on `date`.
    pub fn in_post_on(&self, date: NaiveDate) -> bool {
        self.in_post_from <= date && self.in_post_to.is_none_or(|to| date <= to)
    }

    /// True when the leader held the post on any day of `year`.
    pub fn in_post_during(&self, year: i32) -> bool {
        let (first, last) = super::date::year_bounds(year);
        self.in_post_from <= last && self.in_post_to.is_none_or(|to| to >= first)
    }
}

/// A party branch (党支部, or a general branch / committee).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branch {
    pub id: BranchId,
    /// Full official name, e.g. 中共吉林省体育彩票管理中心党支部.
    pub name: String,
    /// The name used on screens, e.g. 体彩中心.
    pub short: String,
    pub parent: Option<String>,
    /// Field or category (两区分 a), free text.
    pub category: Option<String>,
    /// Why the branch is weak (两区分 b).
    pub weaknesses: Vec<Weakness>,
}

/// A change in a contact point's life, kept in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointChange {
    pub date: NaiveDate,
    pub state: PointState,
    /// Who held the point after this change.
    pub leader: LeaderId,
}

/// A leader's contact point (联系点): one branch, worked in cycles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPoint {
    pub id: PointId,
    /// The current holder (changes on hand-over).
    pub leader: LeaderId,
    pub branch: BranchId,
    /// When the point was first set up.
    pub start: NaiveDate,
    /// When the current cycle started (moves on at "continue").
    pub cycle_start: NaiveDate,
    pub cycle_years: u8,
    pub state: PointState,
    pub history: Vec<PointChange>,
}

impl ContactPoint {
    /// The day the current cycle ends.
    pub fn cycle_end(&self) -> NaiveDate {
        super::date::add_years(self.cycle_start, u32::from(self.cycle_years))
    }

    /// True when `leader` ever held this point.
    pub fn held_by(&self, leader: LeaderId) -> bool {
        self.leader == leader || self.history.iter().any(|c| c.leader == leader)
    }
}

/// One piece of contact work: a visit, a lecture, a forum …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub id: ActivityId,
    pub date: NaiveDate,
    pub leader: LeaderId,
    pub point: PointId,
    pub kind: ActivityKind,
    pub place: Option<String>,
    pub participants: Option<String>,
    /// What was found (what a visit record worth keeping says).
    pub findings: Option<String>,
    /// What was done or decided.
    pub actions: Option<String>,
    pub note: Option<String>,
}

impl Activity {
    /// All free text of the record, for searching.
    pub fn text_fields(&self) -> impl Iterator<Item = &str> {
        [
            &self.place,
            &self.participants,
            &self.findings,
            &self.actions,
            &self.note,
        ]
        .into_iter()
        .filter_map(|f| f.as_deref())
    }
}

/// A prominent problem (突出问题) at a contact point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub id: ProblemId,
    pub point: PointId,
    /// The leader who took the problem up.
    pub leader: LeaderId,
    pub category: ProblemCategory,
    pub description: String,
    pub found: NaiveDate,
    pub measures: Option<String>,
    pub state: ProblemState,
    pub solved: Option<NaiveDate>,
    /// The holder of the point on the day it was solved: the leader it counts for.
    pub solved_by: Option<LeaderId>,
}

/// Work the bureau owes as a whole (training, thematic study, analysis).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BureauEvent {
    pub id: EventId,
    pub kind: EventKind,
    pub date: NaiveDate,
    pub note: Option<String>,
}

/// One line of the audit log: who changed what, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    /// Unix time in milliseconds.
    pub at_ms: i64,
    /// The OS user that made the change.
    pub user: String,
    /// What was done, e.g. "activity.add".
    pub action: String,
    /// The record after the change (or before, for a delete), as JSON.
    pub detail: String,
}
