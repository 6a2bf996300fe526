//! Commands: check against the domain rules and the stored data, then write
//! the record, its indexes and the audit entry in one transaction.

use chrono::{Datelike, NaiveDate};

use super::batch::Batch;
use super::{Store, T, inbox, io_error, keys, meta};
use crate::api::Review;
use crate::domain::error::{DomainError, RecordKind};
use crate::domain::{
    Activity, ActivityId, Branch, BranchId, BureauEvent, ContactPoint, EventId, Leader, LeaderId, PointChange,
    PointState, Problem, ProblemId, ProblemState, Targets, validate,
};
use crate::error::{Error, Result};

fn unknown(kind: RecordKind, id: u64) -> DomainError {
    DomainError::Unknown {
        kind,
        input: id.to_string(),
    }
}

impl Store {
    fn must_leader(&self, id: LeaderId) -> Result<Leader> {
        Ok(self.get(T::Leaders, id)?.ok_or(unknown(RecordKind::Leader, id))?)
    }

    fn must_branch(&self, id: BranchId) -> Result<Branch> {
        Ok(self.get(T::Branches, id)?.ok_or(unknown(RecordKind::Branch, id))?)
    }

    fn must_problem(&self, id: ProblemId) -> Result<Problem> {
        Ok(self.get(T::Problems, id)?.ok_or(unknown(RecordKind::Problem, id))?)
    }

    /// The point `leader` holds now: the open one first (see `points_of`).
    fn point_for(&self, leader: &Leader) -> Result<ContactPoint> {
        Ok(self
            .points_of(leader.id)?
            .into_iter()
            .next()
            .ok_or_else(|| DomainError::NoPoint(leader.name.clone()))?)
    }

    /// The point `leader` held on `date` ([`crate::domain::point_on`]).
    fn point_on(&self, leader: &Leader, date: NaiveDate) -> Result<ContactPoint> {
        let points = self.points_of(leader.id)?;
        Ok(crate::domain::point_on(&points, leader, date)?.clone())
    }

    /// Refuses a point for `leader` from `from` on while a point they held
    /// before still has them on or after that day: two points would claim
    /// the same days, and work logged for them could go to either.
    fn check_after_earlier_points(&self, leader: LeaderId, from: NaiveDate) -> Result<()> {
        for point in self.points_of(leader)? {
            for (_, to) in point.spans_of(leader) {
                if let Some(last) = to.filter(|to| *to >= from) {
                    return Err(DomainError::BeforePointChange { date: from, last }.into());
                }
            }
        }
        Ok(())
    }

    /// The open point whose branch is `branch`, if any (a branch is the
    /// contact point of one leader at a time).
    fn open_point_at(&self, branch: BranchId) -> Result<Option<ContactPoint>> {
        Ok(self
            .points()?
            .into_iter()
            .find(|p| p.branch == branch && p.state.is_open()))
    }

    /// Refuses a name another leader than `leader` has: a name finds one
    /// leader.
    fn check_leader_name(&self, leader: &Leader) -> Result<()> {
        if self
            .leaders()?
            .iter()
            .any(|l| l.name == leader.name && l.id != leader.id)
        {
            return Err(DomainError::Duplicate {
                kind: RecordKind::Leader,
                name: leader.name.clone(),
            }
            .into());
        }
        Ok(())
    }

    /// A branch answers to its full and its short name (lookups take
    /// either), so neither may be a name another branch answers to: a
    /// second "体科所支部" would be picked in its place unseen.
    fn check_branch_names(&self, branch: &Branch) -> Result<()> {
        let others = self.branches()?;
        let taken = [&branch.name, &branch.short].into_iter().find(|n| {
            others
                .iter()
                .any(|x| x.id != branch.id && (x.name == **n || x.short == **n))
        });
        if let Some(name) = taken {
            return Err(DomainError::Duplicate {
                kind: RecordKind::Branch,
                name: name.clone(),
            }
            .into());
        }
        Ok(())
    }

    pub fn add_leader(&self, leader: Leader) -> Result<Leader> {
        let mut leader = validate::leader(leader)?;
        self.write(|s, b| {
            s.check_leader_name(&leader)?;
            if let Some(own) = leader.own_branch {
                s.must_branch(own)?;
            }
            leader.id = s.next_id(b, meta::NEXT_LEADER)?;
            b.put_record(T::Leaders, leader.id, leader.clone())?;
            Self::index_leader(b, &leader);
            b.audit("leader.add", &leader);
            Ok(leader)
        })
    }

    pub fn add_branch(&self, branch: Branch) -> Result<Branch> {
        let mut branch = validate::branch(branch)?;
        self.write(|s, b| {
            s.check_branch_names(&branch)?;
            branch.id = s.next_id(b, meta::NEXT_BRANCH)?;
            b.put_record(T::Branches, branch.id, branch.clone())?;
            b.audit("branch.add", &branch);
            Ok(branch)
        })
    }

    /// Corrects a branch: names, parent, category, weaknesses. Returns the
    /// version it replaced. Neither name may be one another branch answers
    /// to, as when adding.
    pub fn update_branch(&self, branch: Branch) -> Result<Branch> {
        let branch = validate::branch(branch)?;
        self.write(|s, b| {
            let old = s.must_branch(branch.id)?;
            s.check_branch_names(&branch)?;
            b.put_record(T::Branches, branch.id, branch.clone())?;
            b.audit("branch.edit", &branch);
            Ok(old)
        })
    }

    pub fn assign_point(
        &self,
        leader: LeaderId,
        branch: BranchId,
        from: NaiveDate,
        years: u32,
    ) -> Result<ContactPoint> {
        let years = validate::cycle_years(years)?;
        validate::stored_date(from)?;
        self.write(|s, b| {
            let leader = s.must_leader(leader)?;
            let branch = s.must_branch(branch)?;
            if leader.own_branch == Some(branch.id) {
                return Err(DomainError::OwnBranch {
                    leader: leader.name,
                    branch: branch.name,
                }
                .into());
            }
            if let Some(open) = s
                .points_of(leader.id)?
                .into_iter()
                .find(|p| p.leader == leader.id && p.state.is_open())
            {
                let name = s.must_branch(open.branch)?.short;
                return Err(DomainError::PointExists {
                    leader: leader.name,
                    branch: name,
                }
                .into());
            }
            s.check_after_earlier_points(leader.id, from)?;
            if let Some(taken) = s.open_point_at(branch.id)? {
                let holder = s.must_leader(taken.leader)?;
                return Err(DomainError::BranchTaken {
                    branch: branch.short,
                    leader: holder.name,
                }
                .into());
            }
            let id = s.next_id(b, meta::NEXT_POINT)?;
            let point = ContactPoint {
                id,
                leader: leader.id,
                branch: branch.id,
                start: from,
                cycle_start: from,
                cycle_years: years,
                state: PointState::Active,
                history: vec![PointChange {
                    date: from,
                    state: PointState::Active,
                    leader: leader.id,
                }],
            };
            b.put_record(T::Points, id, point.clone())?;
            b.put_index(T::PointByLeader, keys::owner_id(leader.id, id));
            b.audit("point.assign", &point);
            Ok(point)
        })
    }

    /// The open point `leader` holds now.
    fn open_point_of(&self, leader: &Leader) -> Result<ContactPoint> {
        let point = self.point_for(leader)?;
        if point.leader != leader.id || !point.state.is_open() {
            return Err(DomainError::PointClosed(leader.name.clone()).into());
        }
        Ok(point)
    }

    pub fn review_point(&self, leader: LeaderId, review: Review, date: NaiveDate) -> Result<ContactPoint> {
        validate::stored_date(date)?;
        self.write(|s, b| {
            let leader = s.must_leader(leader)?;
            let mut point = s.open_point_of(&leader)?;
            point.check_next_change(date)?;
            match review {
                Review::Transformed => point.state = PointState::Transformed,
                Review::Continue => {
                    point.state = PointState::Continued;
                    // The next cycle starts where this one ends (or on the
                    // review date, if the review comes after the end).
                    point.cycle_start = point.cycle_end().max(date);
                }
            }
            point.history.push(PointChange {
                date,
                state: point.state,
                leader: leader.id,
            });
            b.put_record(T::Points, point.id, point.clone())?;
            b.audit("point.review", &point);
            Ok(point)
        })
    }

    pub fn hand_over(&self, leader: LeaderId, successor: LeaderId, date: NaiveDate) -> Result<ContactPoint> {
        validate::stored_date(date)?;
        self.write(|s, b| {
            let mut outgoing = s.must_leader(leader)?;
            let incoming = s.must_leader(successor)?;
            if outgoing.id == incoming.id {
                return Err(DomainError::SelfHandover(outgoing.name).into());
            }
            let mut point = s.open_point_of(&outgoing)?;
            if incoming.own_branch == Some(point.branch) {
                let branch = s.must_branch(point.branch)?;
                return Err(DomainError::OwnBranch {
                    leader: incoming.name,
                    branch: branch.name,
                }
                .into());
            }
            if let Some(open) = s
                .points_of(incoming.id)?
                .into_iter()
                .find(|p| p.leader == incoming.id && p.state.is_open())
            {
                let name = s.must_branch(open.branch)?.short;
                return Err(DomainError::PointExists {
                    leader: incoming.name,
                    branch: name,
                }
                .into());
            }
            point.check_next_change(date)?;
            s.check_after_earlier_points(incoming.id, date)?;
            point.leader = incoming.id;
            point.state = PointState::HandedOver;
            point.history.push(PointChange {
                date,
                state: PointState::HandedOver,
                leader: incoming.id,
            });
            // The outgoing leader leaves the post the day before.
            let last_day = date.pred_opt().unwrap_or(date).max(outgoing.in_post_from);
            outgoing.in_post_to = Some(outgoing.in_post_to.map_or(last_day, |to| to.min(last_day)));
            b.put_record(T::Points, point.id, point.clone())?;
            b.put_record(T::Leaders, outgoing.id, outgoing.clone())?;
            // The old holder keeps their index entry: the point is part of their history.
            b.put_index(T::PointByLeader, keys::owner_id(incoming.id, point.id));
            b.audit("point.handover", &point);
            b.audit("leader.leave", &outgoing);
            Ok(point)
        })
    }

    pub(crate) fn index_activity(b: &mut Batch, a: &Activity) {
        b.put_index(T::ActivityByDate, keys::date_id(a.date, a.id));
        b.put_index(T::ActivityByLeader, keys::owner_date_id(a.leader, a.date, a.id));
        b.put_index(T::ActivityByPoint, keys::owner_date_id(a.point, a.date, a.id));
        Self::tally_activity(b, a, 1);
    }

    /// The day and year counters an activity adds to.
    fn tally_activity(b: &mut Batch, a: &Activity, delta: i64) {
        b.tally(T::DayCount, keys::day_count(a.leader, a.kind, a.date), delta);
        b.tally_tagged(
            T::YearCount,
            keys::year_tally(a.date.year(), a.leader),
            keys::kind(a.kind),
            delta,
        );
    }

    /// A leader's entry under their name (`update_leader` moves it when
    /// the name is corrected, `delete_leader` removes it).
    pub(crate) fn index_leader(b: &mut Batch, l: &Leader) {
        b.put_index(T::LeaderByName, keys::name_id(&l.name, l.id));
    }

    /// A problem's index entry and, once solved, its counters.
    pub(crate) fn index_problem(b: &mut Batch, p: &Problem) {
        b.put_index(T::ProblemByPoint, keys::owner_id(p.point, p.id));
        Self::tally_solved(b, p, 1);
    }

    /// The day and year counters a solved problem adds to: the day it was
    /// solved, for the leader who held the point (what
    /// `domain::status::YearCounts::count` counts).
    pub(crate) fn tally_solved(b: &mut Batch, p: &Problem, delta: i64) {
        if p.state == ProblemState::Solved
            && let (Some(date), Some(by)) = (p.solved, p.solved_by)
        {
            b.tally(T::DayCount, keys::day_tally(by, keys::SOLVED, date), delta);
            b.tally_tagged(T::YearCount, keys::year_tally(date.year(), by), keys::SOLVED, delta);
        }
    }

    fn unindex_activity(b: &mut Batch, a: &Activity) {
        b.remove(T::ActivityByDate, keys::date_id(a.date, a.id));
        b.remove(T::ActivityByLeader, keys::owner_date_id(a.leader, a.date, a.id));
        b.remove(T::ActivityByPoint, keys::owner_date_id(a.point, a.date, a.id));
        Self::tally_activity(b, a, -1);
    }

    pub fn add_activity(&self, activity: Activity) -> Result<Activity> {
        let mut activity = validate::activity(activity)?;
        self.write(|s, b| {
            let leader = s.must_leader(activity.leader)?;
            activity.point = s.point_on(&leader, activity.date)?.id;
            activity.id = s.next_id(b, meta::NEXT_ACTIVITY)?;
            b.put_record(T::Activities, activity.id, activity.clone())?;
            Self::index_activity(b, &activity);
            b.audit("activity.add", &activity);
            Ok(activity)
        })
    }

    /// Applies the visits logged in the inbox since the last replay
    /// (`store::inbox`), in one transaction that also records how far the
    /// inbox is applied, then empties the inbox. Each is checked as
    /// [`Store::add_activity`] checks it and keeps the id it was reported
    /// with; were that id taken (the digest older than the data), it gets
    /// the next one. One that no longer fits is not applied: the audit log
    /// records it as refused, with the reason.
    pub(crate) fn replay_inbox(&self) -> Result<()> {
        let applied = self
            .tree(T::Meta)
            .get(meta::INBOX_APPLIED)
            .map_err(io_error)?
            .and_then(|v| Some((keys::id_from(v.get(..8)?)?, keys::id_from(v.get(8..)?)?)));
        let Some(pending) = inbox::pending(&self.path, applied)? else {
            return Ok(());
        };
        let (nonce, entries) = (pending.nonce, &pending.entries);
        let aside = pending.damage.as_ref().map(|_| inbox::aside_name());
        if !entries.is_empty() || aside.is_some() {
            let done = applied.filter(|(n, _)| *n == nonce).map_or(0, |(_, count)| count) + entries.len() as u64;
            // The last id before this inbox's first entry.
            let before = self.counter(meta::NEXT_ACTIVITY)?;
            self.write(|s, b| {
                for entry in entries {
                    let entry = match entry {
                        Ok(entry) => entry,
                        Err(id) => {
                            // Kept in the file set aside below; its id
                            // stays its own.
                            if let Some(id) = id {
                                s.reserve_id(b, meta::NEXT_ACTIVITY, *id)?;
                            }
                            let detail = serde_json::json!({ "id": id, "reason": "the inbox entry cannot be read" });
                            b.audit("activity.refused", &detail);
                            continue;
                        }
                    };
                    match s.inbox_activity(b, entry.activity.clone()) {
                        Ok(activity) => b.audit_by("activity.add", &activity, entry.at_ms, &entry.user),
                        // Only the rules refuse: an error of the store
                        // fails the open and keeps the inbox.
                        Err(Error::Domain(e)) => {
                            tracing::warn!("refused a visit from the inbox: {e}");
                            // Its id was reported; no other visit gets it.
                            s.reserve_id(b, meta::NEXT_ACTIVITY, entry.activity.id)?;
                            let detail = serde_json::json!({ "activity": entry.activity, "reason": e.to_string() });
                            b.audit_by("activity.refused", &detail, entry.at_ms, &entry.user);
                        }
                        Err(e) => return Err(e),
                    }
                }
                // Entries lost to damage were reported saved too.
                if let Some((last, count)) = pending.lost {
                    let last = last.unwrap_or(before);
                    s.reserve_id(b, meta::NEXT_ACTIVITY, last.saturating_add(count))?;
                }
                if let (Some(damage), Some(aside)) = (&pending.damage, &aside) {
                    tracing::warn!("{damage}: kept as {aside}");
                    b.audit("inbox.damaged", &serde_json::json!({ "reason": damage, "kept": aside }));
                }
                let mut mark = nonce.to_be_bytes().to_vec();
                mark.extend_from_slice(&done.to_be_bytes());
                b.put(T::Meta, meta::INBOX_APPLIED, mark);
                Ok(())
            })?;
        }
        match &aside {
            None => inbox::empty_inbox(&self.path),
            Some(aside) => inbox::keep_aside(&self.path, aside),
        }
    }

    fn inbox_activity(&self, b: &mut Batch, activity: Activity) -> Result<Activity> {
        let wanted = activity.id;
        let mut activity = validate::activity(activity)?;
        let leader = self.must_leader(activity.leader)?;
        activity.point = self.point_on(&leader, activity.date)?.id;
        activity.id = if wanted > self.counter_in(b, meta::NEXT_ACTIVITY)? {
            self.reserve_id(b, meta::NEXT_ACTIVITY, wanted)?;
            wanted
        } else {
            self.next_id(b, meta::NEXT_ACTIVITY)?
        };
        b.put_record(T::Activities, activity.id, activity.clone())?;
        Self::index_activity(b, &activity);
        Ok(activity)
    }

    pub fn update_activity(&self, activity: Activity) -> Result<Activity> {
        let mut activity = validate::activity(activity)?;
        self.write(|s, b| {
            let old: Activity = s
                .get(T::Activities, activity.id)?
                .ok_or(unknown(RecordKind::Activity, activity.id))?;
            let leader = s.must_leader(activity.leader)?;
            // An edit that keeps the leader and the day keeps the point, so
            // that the note of a record from before these checks can still
            // be corrected.
            activity.point = if leader.id == old.leader && activity.date == old.date {
                old.point
            } else if s
                .get::<ContactPoint>(T::Points, activity.point)?
                .is_some_and(|p| p.holder_on(activity.date) == Some(leader.id))
            {
                // The point it names is the leader's on that day (an undo
                // puts back the version before an edit, point included).
                activity.point
            } else {
                s.point_on(&leader, activity.date)?.id
            };
            Self::unindex_activity(b, &old);
            b.put_record(T::Activities, activity.id, activity.clone())?;
            Self::index_activity(b, &activity);
            b.audit("activity.edit", &activity);
            Ok(old)
        })
    }

    pub fn delete_activity(&self, id: ActivityId) -> Result<Activity> {
        self.write(|s, b| {
            let old: Activity = s.get(T::Activities, id)?.ok_or(unknown(RecordKind::Activity, id))?;
            Self::unindex_activity(b, &old);
            b.remove(T::Activities, keys::id(id));
            b.audit("activity.delete", &old);
            Ok(old)
        })
    }

    pub fn restore_activity(&self, activity: Activity) -> Result<Activity> {
        let activity = validate::activity(activity)?;
        self.write(|s, b| {
            if s.value(T::Activities, &keys::id(activity.id))?.is_some() {
                return Err(DomainError::Duplicate {
                    kind: RecordKind::Activity,
                    name: activity.id.to_string(),
                }
                .into());
            }
            s.must_leader(activity.leader)?;
            if s.get::<ContactPoint>(T::Points, activity.point)?.is_none() {
                return Err(unknown(RecordKind::Point, activity.point).into());
            }
            b.put_record(T::Activities, activity.id, activity.clone())?;
            Self::index_activity(b, &activity);
            b.audit("activity.restore", &activity);
            Ok(activity)
        })
    }

    pub fn add_problem(&self, problem: Problem) -> Result<Problem> {
        let mut problem = validate::problem(problem)?;
        self.write(|s, b| {
            let leader = s.must_leader(problem.leader)?;
            let point = s.point_on(&leader, problem.found)?;
            problem.point = point.id;
            problem.id = s.next_id(b, meta::NEXT_PROBLEM)?;
            if problem.state == ProblemState::Solved {
                // As `solve_problem`: the holder on the day it was solved,
                // else the holder now; never a leader the request names.
                problem.solved_by = Some(problem.solved.map_or(point.leader, |day| point.credited_on(day)));
            }
            b.put_record(T::Problems, problem.id, problem.clone())?;
            Self::index_problem(b, &problem);
            b.audit("problem.add", &problem);
            Ok(problem)
        })
    }

    pub fn solve_problem(&self, id: ProblemId, date: NaiveDate, measures: Option<String>) -> Result<Problem> {
        self.write(|s, b| {
            let mut p = s.must_problem(id)?;
            if p.state == ProblemState::Solved {
                return Err(DomainError::AlreadySolved(id).into());
            }
            let point: ContactPoint = s.get(T::Points, p.point)?.ok_or(unknown(RecordKind::Point, p.point))?;
            p.state = ProblemState::Solved;
            p.solved = Some(date);
            // The holder on that day, as the record says; the holder now
            // for a day the point was closed (the measures came later).
            p.solved_by = Some(point.credited_on(date));
            if measures.as_deref().is_some_and(|m| !m.trim().is_empty()) {
                p.measures = measures;
            }
            let p = validate::problem(p)?;
            b.put_record(T::Problems, p.id, p.clone())?;
            Self::tally_solved(b, &p, 1);
            b.audit("problem.solve", &p);
            Ok(p)
        })
    }

    pub fn reopen_problem(&self, id: ProblemId) -> Result<Problem> {
        self.write(|s, b| {
            let mut p = s.must_problem(id)?;
            if p.state != ProblemState::Solved {
                return Err(DomainError::NotSolved(id).into());
            }
            Self::tally_solved(b, &p, -1);
            p.state = ProblemState::Open;
            p.solved = None;
            p.solved_by = None;
            b.put_record(T::Problems, p.id, p.clone())?;
            b.audit("problem.reopen", &p);
            Ok(p)
        })
    }

    /// Corrects a leader: name, title, role, own branch, the days in post.
    /// Returns the version it replaced. The checks of `add_leader` hold
    /// (one name per leader; never the own branch as the open point).
    pub fn update_leader(&self, leader: Leader) -> Result<Leader> {
        let leader = validate::leader(leader)?;
        self.write(|s, b| {
            let old = s.must_leader(leader.id)?;
            s.check_leader_name(&leader)?;
            // The points they hold now (a past holder's are another's).
            let held: Vec<ContactPoint> = s
                .points_of(leader.id)?
                .into_iter()
                .filter(|p| p.leader == leader.id)
                .collect();
            if let Some(own) = leader.own_branch {
                let branch = s.must_branch(own)?;
                // Any point they hold, closed ones too: an export (and so a
                // backup) with such a pair would not import again.
                if held.iter().any(|p| p.branch == own) {
                    return Err(DomainError::OwnBranch {
                        leader: leader.name.clone(),
                        branch: branch.name,
                    }
                    .into());
                }
            }
            // Leaving the post is a hand-over while a point is open: the
            // point must not be left without a holder in post.
            if leader.in_post_to.is_some()
                && let Some(open) = held.iter().find(|p| p.state.is_open())
            {
                return Err(DomainError::StillHoldsPoint {
                    leader: leader.name.clone(),
                    branch: s.must_branch(open.branch)?.short,
                }
                .into());
            }
            if leader.name != old.name {
                b.remove(T::LeaderByName, keys::name_id(&old.name, old.id));
                Self::index_leader(b, &leader);
            }
            b.put_record(T::Leaders, leader.id, leader.clone())?;
            b.audit("leader.edit", &leader);
            Ok(old)
        })
    }

    /// Corrects a problem's category, description, day found and measures
    /// (its leader, state and solving stay; `solve` and `reopen` change
    /// those). A new day found moves it to the point its leader held then.
    /// Returns the version it replaced.
    pub fn update_problem(&self, problem: Problem) -> Result<Problem> {
        self.write(|s, b| {
            let old = s.must_problem(problem.id)?;
            let mut new = Problem {
                category: problem.category,
                description: problem.description.clone(),
                found: problem.found,
                measures: problem.measures.clone(),
                ..old.clone()
            };
            new = validate::problem(new)?;
            if new.found != old.found {
                let leader = s.must_leader(old.leader)?;
                let point = s.point_on(&leader, new.found)?;
                new.point = point.id;
                // Solved, it counts for the holder of its new point on the
                // day it was solved, as `solve_problem` has it.
                if new.point != old.point
                    && let Some(day) = new.solved
                {
                    new.solved_by = Some(point.credited_on(day));
                }
            }
            if new.point != old.point {
                b.remove(T::ProblemByPoint, keys::owner_id(old.point, old.id));
                b.put_index(T::ProblemByPoint, keys::owner_id(new.point, new.id));
            }
            if new.solved_by != old.solved_by {
                Self::tally_solved(b, &old, -1);
                Self::tally_solved(b, &new, 1);
            }
            b.put_record(T::Problems, new.id, new.clone())?;
            b.audit("problem.edit", &new);
            Ok(old)
        })
    }

    /// Deletes a problem recorded by mistake, with its index entry and, if
    /// it was solved, its counts; returns it.
    pub fn delete_problem(&self, id: ProblemId) -> Result<Problem> {
        self.write(|s, b| {
            let p = s.must_problem(id)?;
            b.remove(T::ProblemByPoint, keys::owner_id(p.point, p.id));
            Self::tally_solved(b, &p, -1);
            b.remove(T::Problems, keys::id(p.id));
            b.audit("problem.delete", &p);
            Ok(p)
        })
    }

    /// Deletes a bureau event recorded by mistake; returns it.
    pub fn delete_event(&self, id: EventId) -> Result<BureauEvent> {
        self.write(|s, b| {
            let e: BureauEvent = s.get(T::Events, id)?.ok_or(unknown(RecordKind::Event, id))?;
            b.remove(T::EventByDate, keys::date_id(e.date, e.id));
            b.remove(T::Events, keys::id(e.id));
            b.audit("event.delete", &e);
            Ok(e)
        })
    }

    /// Deletes a leader added by mistake: one who never held a contact
    /// point and has no activity. One who worked leaves the post by a
    /// hand-over instead, and stays in the years they served.
    pub fn delete_leader(&self, id: LeaderId) -> Result<Leader> {
        self.write(|s, b| {
            let leader = s.must_leader(id)?;
            if !s.points_of(id)?.is_empty() || s.has_activities_of(id)? {
                return Err(DomainError::LeaderInUse(leader.name).into());
            }
            b.remove(T::LeaderByName, keys::name_id(&leader.name, leader.id));
            b.remove(T::Leaders, keys::id(leader.id));
            b.audit("leader.delete", &leader);
            Ok(leader)
        })
    }

    pub fn add_event(&self, event: BureauEvent) -> Result<BureauEvent> {
        let mut event = validate::event(event)?;
        self.write(|s, b| {
            event.id = s.next_id(b, meta::NEXT_EVENT)?;
            b.put_record(T::Events, event.id, event.clone())?;
            b.put_index(T::EventByDate, keys::date_id(event.date, event.id));
            b.audit("event.add", &event);
            Ok(event)
        })
    }

    pub fn set_targets(&self, year: i32, targets: Targets) -> Result<()> {
        let year = validate::year(i64::from(year))?;
        for role in [&targets.secretary, &targets.member] {
            for t in [role.research, role.problems_solved, role.org_life] {
                validate::target(t)?;
            }
        }
        for t in [
            targets.bureau.training,
            targets.bureau.thematic_study,
            targets.bureau.own_branch_analysis,
        ] {
            validate::target(t)?;
        }
        self.write(|_, b| {
            b.put_value(T::Targets, keys::year(year), targets)?;
            b.audit("targets.set", &serde_json::json!({ "year": year, "targets": targets }));
            Ok(())
        })
    }

    pub fn set_flag(&self, name: &str) -> Result<()> {
        let key = format!("{}{name}", meta::FLAG_PREFIX);
        self.write(|_, b| {
            b.put(T::Meta, key.as_bytes(), vec![1]);
            b.audit("flag.set", &name);
            Ok(())
        })
    }
}
