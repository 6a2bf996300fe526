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

    /// Who held the point when: `(leader, first day, last day)`, in order,
    /// the last day `None` while they hold it still. Replayed from the
    /// history in date order (a database from before reviews and hand-overs
    /// were checked against the last change may hold them out of order):
    /// an assignment or hand-over gives the point to its leader from its
    /// day (the one before keeps it to the day before, and one who held it
    /// for no day at all has no span); a review to continue changes no
    /// holder; one that finds the branch transformed closes the point after
    /// its day (a visit on that day still counts).
    pub fn holdings(&self) -> Vec<(LeaderId, NaiveDate, Option<NaiveDate>)> {
        let mut changes: Vec<&PointChange> = self.history.iter().collect();
        changes.sort_by_key(|c| c.date);
        let mut spans = Vec::new();
        let mut holder: Option<(LeaderId, NaiveDate)> = None;
        for c in changes {
            match (c.state, holder) {
                (PointState::Transformed, Some((leader, from))) => {
                    spans.push((leader, from, Some(c.date)));
                    holder = None;
                }
                (PointState::Transformed, None) => {}
                (PointState::Continued, Some(_)) => {}
                (_, Some((leader, _))) if leader == c.leader => {}
                (_, Some((leader, from))) => {
                    if let Some(last) = c.date.pred_opt().filter(|last| *last >= from) {
                        spans.push((leader, from, Some(last)));
                    }
                    holder = Some((c.leader, c.date));
                }
                (_, None) => holder = Some((c.leader, c.date)),
            }
        }
        // A point without history (never written so) is held from its start.
        if self.history.is_empty() && self.state.is_open() {
            holder = Some((self.leader, self.start));
        }
        if let Some((leader, from)) = holder {
            spans.push((leader, from, None));
        }
        spans
    }

    /// Who held the point on `date` (see [`ContactPoint::holdings`]):
    /// nobody before it was set up, nor after the day it was closed.
    pub fn holder_on(&self, date: NaiveDate) -> Option<LeaderId> {
        self.holdings()
            .into_iter()
            .find(|(_, from, to)| *from <= date && to.is_none_or(|to| date <= to))
            .map(|(leader, ..)| leader)
    }

    /// The spans of days `leader` held the point, in order (see
    /// [`ContactPoint::holdings`]), for a message that says when work
    /// could be logged.
    pub fn spans_of(&self, leader: LeaderId) -> Vec<(NaiveDate, Option<NaiveDate>)> {
        self.holdings()
            .into_iter()
            .filter(|(l, ..)| *l == leader)
            .map(|(_, from, to)| (from, to))
            .collect()
    }

    /// The date of the latest change: a review or hand-over dated before
    /// it would put the history out of order.
    pub fn last_change(&self) -> NaiveDate {
        self.history.iter().map(|c| c.date).max().unwrap_or(self.start)
    }

    /// Refuses a review or hand-over dated before the last change.
    pub fn check_next_change(&self, date: NaiveDate) -> Result<(), super::DomainError> {
        let last = self.last_change();
        if date < last {
            return Err(super::DomainError::BeforePointChange { date, last });
        }
        Ok(())
    }

    /// The leader a problem solved on `date` counts for: the holder that
    /// day, else (a day after the point was closed: the measures came
    /// later) the holder now.
    pub fn credited_on(&self, date: NaiveDate) -> LeaderId {
        self.holder_on(date).unwrap_or(self.leader)
    }
}

/// Puts the points a leader was given or handed (the store's
/// `point_by_leader` index) in the order [`point_on`] and the screens
/// use: the leader's open point first, then the latest started.
pub fn order_points_of(points: &mut [ContactPoint], leader: LeaderId) {
    points.sort_by_key(|p| std::cmp::Reverse((p.leader == leader && p.state.is_open(), p.start, p.id)));
}

/// The point `leader` held on `date`, among the points they were given
/// or handed (in [`order_points_of`] order), which an activity or problem
/// of that day belongs to: work logged late goes to the point of its
/// day, not to one taken up since, and none is logged for a day the
/// leader held no point (before the first was set up, after one was
/// closed by its review, or after handing it over).
pub fn point_on<'a>(
    points: &'a [ContactPoint],
    leader: &Leader,
    date: NaiveDate,
) -> Result<&'a ContactPoint, super::DomainError> {
    if points.is_empty() {
        return Err(super::DomainError::NoPoint(leader.name.clone()));
    }
    if let Some(point) = points.iter().find(|p| p.holder_on(date) == Some(leader.id)) {
        return Ok(point);
    }
    let mut held: Vec<_> = points.iter().flat_map(|p| p.spans_of(leader.id)).collect();
    held.sort();
    Err(super::DomainError::NoPointOn {
        leader: leader.name.clone(),
        date,
        held,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn change(date: &str, state: PointState, leader: LeaderId) -> PointChange {
        PointChange {
            date: d(date),
            state,
            leader,
        }
    }

    /// Leader 1 from 2020-08-28, continued in 2022, handed to leader 2 on
    /// 2023-03-01, transformed under leader 2 on 2024-08-28.
    fn point() -> ContactPoint {
        ContactPoint {
            id: 1,
            leader: 2,
            branch: 1,
            start: d("2020-08-28"),
            cycle_start: d("2022-08-28"),
            cycle_years: 2,
            state: PointState::Transformed,
            history: vec![
                change("2020-08-28", PointState::Active, 1),
                change("2022-08-28", PointState::Continued, 1),
                change("2023-03-01", PointState::HandedOver, 2),
                change("2024-08-28", PointState::Transformed, 2),
            ],
        }
    }

    #[test]
    fn the_holder_of_each_day() {
        let p = point();
        for (day, holder) in [
            ("2020-08-27", None),
            ("2020-08-28", Some(1)),
            ("2022-08-28", Some(1)),
            ("2023-02-28", Some(1)),
            ("2023-03-01", Some(2)),
            ("2024-08-28", Some(2)),
            ("2024-08-29", None),
        ] {
            assert_eq!(p.holder_on(d(day)), holder, "{day}");
        }
        assert_eq!(p.last_change(), d("2024-08-28"));
    }

    /// Two changes on one day: the leader who held the point for no day
    /// has no span. A review logged late, after a hand-over (possible
    /// before dates were checked), still ends up in date order.
    #[test]
    fn same_day_changes_and_history_out_of_order() {
        let mut p = point();
        p.history = vec![
            change("2020-08-28", PointState::Active, 1),
            change("2020-08-28", PointState::HandedOver, 2),
        ];
        p.state = PointState::HandedOver;
        assert!(p.spans_of(1).is_empty());
        assert_eq!(p.holder_on(d("2020-08-28")), Some(2));
        let mut late = point();
        late.history = vec![
            change("2020-08-28", PointState::Active, 1),
            change("2023-03-01", PointState::HandedOver, 2),
            change("2022-08-28", PointState::Continued, 2),
        ];
        late.state = PointState::Continued;
        assert_eq!(late.holder_on(d("2022-10-01")), Some(1));
        assert_eq!(late.holder_on(d("2023-03-01")), Some(2));
        assert_eq!(late.spans_of(1), [(d("2020-08-28"), Some(d("2023-02-28")))]);
    }

    #[test]
    fn spans_give_the_same_days_as_holder_on() {
        let p = point();
        assert_eq!(p.spans_of(1), [(d("2020-08-28"), Some(d("2023-02-28")))]);
        assert_eq!(p.spans_of(2), [(d("2023-03-01"), Some(d("2024-08-28")))]);
        assert!(p.spans_of(3).is_empty());
        let mut open = p.clone();
        open.history.pop();
        open.state = PointState::HandedOver;
        assert_eq!(open.spans_of(2), [(d("2023-03-01"), None)]);
        for p in [p, open] {
            let mut day = d("2020-08-01");
            while day < d("2025-01-01") {
                for leader in [1, 2] {
                    let in_span = p
                        .spans_of(leader)
                        .iter()
                        .any(|(from, to)| *from <= day && to.is_none_or(|to| day <= to));
                    assert_eq!(p.holder_on(day) == Some(leader), in_span, "{day} {leader}");
                }
                day = day.succ_opt().unwrap();
            }
        }
    }
}
