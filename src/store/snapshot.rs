//! Export and import of the whole database as JSON.
//!
//! Export is deterministic (records by id, targets by year) so that export →
//! import into an empty database → export gives the same bytes. Import
//! checks everything (format, every record's own rules, ids, references)
//! before it writes anything, then writes it all in one transaction.
//! The audit log is not part of a snapshot: import records itself there.

use std::collections::HashSet;

use super::batch::Batch;
use super::{Store, T, keys, meta};
use crate::api::{Snapshot, YearRubric, YearTargets};
use crate::domain::assessment;
use crate::domain::{ProblemState, validate};
use crate::error::{Result, StoreError};

/// The largest import file taken. A province's ten years are well under it.
pub const MAX_IMPORT_BYTES: u64 = 512 * 1024 * 1024;

/// Parses an import file; the error says where it stopped making sense.
pub fn parse_snapshot(bytes: &[u8]) -> Result<Snapshot> {
    if bytes.len() as u64 > MAX_IMPORT_BYTES {
        return Err(StoreError::Import(format!(
            "file is {} bytes, the limit is {MAX_IMPORT_BYTES}",
            bytes.len()
        ))
        .into());
    }
    let snapshot: Snapshot = serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        // Not JSON at all: said in the user's language. JSON of another
        // shape keeps serde's words, which name the field.
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => StoreError::NotJson {
            line: e.line(),
            column: e.column(),
        },
        _ => StoreError::Import(e.to_string()),
    })?;
    if snapshot.format != Snapshot::FORMAT || snapshot.version != Snapshot::VERSION {
        return Err(StoreError::Import(format!(
            "not a branchlink export of version {} (format {:?}, version {})",
            Snapshot::VERSION,
            crate::domain::text::printable(&snapshot.format),
            snapshot.version
        ))
        .into());
    }
    Ok(snapshot)
}

fn bad(what: String) -> crate::error::Error {
    StoreError::Import(what).into()
}

fn unique_ids(kind: &str, ids: impl Iterator<Item = u64>) -> Result<HashSet<u64>> {
    let mut seen = HashSet::new();
    for id in ids {
        if id == 0 || !seen.insert(id) {
            return Err(bad(format!("{kind} id {id} is zero or used twice")));
        }
    }
    Ok(seen)
}

/// [`check`], for a front end that checks a file before it opens the
/// database (the store checks it again when it imports).
pub fn check_snapshot(s: Snapshot) -> Result<Snapshot> {
    check(s)
}

/// Checks a snapshot in full and returns it with its text cleaned.
fn check(s: Snapshot) -> Result<Snapshot> {
    fn ctx(kind: &'static str, id: u64) -> impl Fn(crate::domain::DomainError) -> crate::error::Error {
        move |e| bad(format!("{kind} {id}: {e}"))
    }
    let mut out = Snapshot {
        format: s.format,
        version: s.version,
        ..Snapshot::default()
    };
    for l in s.leaders {
        let id = l.id;
        out.leaders.push(validate::leader(l).map_err(ctx("leader", id))?);
    }
    for b in s.branches {
        let id = b.id;
        out.branches.push(validate::branch(b).map_err(ctx("branch", id))?);
    }
    for a in s.activities {
        let id = a.id;
        out.activities.push(validate::activity(a).map_err(ctx("activity", id))?);
    }
    for p in s.problems {
        let id = p.id;
        out.problems.push(validate::problem(p).map_err(ctx("problem", id))?);
    }
    for e in s.events {
        let id = e.id;
        out.events.push(validate::event(e).map_err(ctx("event", id))?);
    }
    out.points = s.points;
    out.targets = s.targets;
    let mut years = HashSet::new();
    for r in s.rubrics {
        validate::year(i64::from(r.year)).map_err(ctx("rubric", r.year as u64))?;
        if !years.insert(r.year) {
            return Err(bad(format!("rubric for {} given twice", r.year)));
        }
        let rubric = assessment::validate_rubric(r.rubric).map_err(ctx("rubric", r.year as u64))?;
        out.rubrics.push(YearRubric { year: r.year, rubric });
    }
    let rubrics: Vec<(i32, assessment::Rubric)> = out.rubrics.iter().map(|r| (r.year, r.rubric.clone())).collect();
    let mut seen = HashSet::new();
    for a in s.assessments {
        let (point, year) = (a.point, a.year);
        let rubric = assessment::rubric_for(year, &rubrics);
        let a = assessment::validate_assessment(a, &rubric).map_err(ctx("assessment of point", point))?;
        if !seen.insert((point, year)) {
            return Err(bad(format!("assessment of point {point} for {year} given twice")));
        }
        out.assessments.push(a);
    }
    let mut years = HashSet::new();
    for plan in s.plans {
        validate::year(i64::from(plan.year)).map_err(ctx("plan", plan.year as u64))?;
        if !years.insert(plan.year) {
            return Err(bad(format!("plan for {} given twice", plan.year)));
        }
        for phase in &plan.phases {
            let dates = [phase.from, phase.to]
                .into_iter()
                .chain(phase.tasks.iter().filter_map(|t| t.done));
            for d in dates {
                validate::stored_date(d).map_err(ctx("plan", plan.year as u64))?;
            }
            if phase.to < phase.from {
                return Err(bad(format!("plan {}: a window ends before it starts", plan.year)));
            }
        }
        out.plans.push(plan);
    }

    let leaders = unique_ids("leader", out.leaders.iter().map(|l| l.id))?;
    let branches = unique_ids("branch", out.branches.iter().map(|b| b.id))?;
    let points = unique_ids("point", out.points.iter().map(|p| p.id))?;
    unique_ids("activity", out.activities.iter().map(|a| a.id))?;
    unique_ids("problem", out.problems.iter().map(|p| p.id))?;
    unique_ids("event", out.events.iter().map(|e| e.id))?;
    let mut names = HashSet::new();
    for l in &out.leaders {
        if !names.insert(&l.name) {
            return Err(bad(format!("leader name {:?} used twice", l.name)));
        }
        if l.own_branch.is_some_and(|b| !branches.contains(&b)) {
            return Err(bad(format!("leader {}: unknown own branch", l.id)));
        }
    }
    let mut names = HashSet::new();
    for b in &out.branches {
        if !names.insert(&b.name) {
            return Err(bad(format!("branch name {:?} used twice", b.name)));
        }
    }
    for p in &out.points {
        let known = leaders.contains(&p.leader)
            && branches.contains(&p.branch)
            && p.history.iter().all(|c| leaders.contains(&c.leader));
        if !known {
            return Err(bad(format!("point {}: unknown leader or branch", p.id)));
        }
        validate::cycle_years(u32::from(p.cycle_years)).map_err(ctx("point", p.id))?;
        for d in [p.start, p.cycle_start]
            .into_iter()
            .chain(p.history.iter().map(|c| c.date))
        {
            validate::stored_date(d).map_err(ctx("point", p.id))?;
        }
        let holder = out.leaders.iter().find(|l| l.id == p.leader);
        if holder.is_some_and(|l| l.own_branch == Some(p.branch)) {
            return Err(bad(format!("point {}: a leader's own branch", p.id)));
        }
    }
    for a in &out.assessments {
        let held = out.points.iter().any(|p| p.id == a.point && p.held_by(a.leader));
        if !held || !leaders.contains(&a.leader) {
            return Err(bad(format!("assessment of point {}: unknown point or leader", a.point)));
        }
    }
    for a in &out.activities {
        if !leaders.contains(&a.leader) || !points.contains(&a.point) {
            return Err(bad(format!("activity {}: unknown leader or point", a.id)));
        }
    }
    for p in &out.problems {
        let refs_ok = leaders.contains(&p.leader)
            && points.contains(&p.point)
            && p.solved_by.is_none_or(|l| leaders.contains(&l));
        if !refs_ok {
            return Err(bad(format!("problem {}: unknown leader or point", p.id)));
        }
        if (p.state == ProblemState::Solved) != p.solved.is_some() {
            return Err(bad(format!("problem {}: state and solved date disagree", p.id)));
        }
    }
    let mut years = HashSet::new();
    for t in &out.targets {
        validate::year(i64::from(t.year)).map_err(ctx("targets", t.year as u64))?;
        if !years.insert(t.year) {
            return Err(bad(format!("targets for {} given twice", t.year)));
        }
        let all = [&t.targets.secretary, &t.targets.member];
        for x in all
            .iter()
            .flat_map(|r| [r.research, r.problems_solved, r.org_life])
            .chain([
                t.targets.bureau.training,
                t.targets.bureau.thematic_study,
                t.targets.bureau.own_branch_analysis,
            ])
        {
            validate::target(x).map_err(ctx("targets", t.year as u64))?;
        }
    }
    Ok(out)
}

impl Store {
    /// The whole database, read while commands wait, so that a backup
    /// taken while others write is consistent.
    pub fn export(&self) -> Result<Snapshot> {
        self.read_still(|| self.export_unlocked())
    }

    fn export_unlocked(&self) -> Result<Snapshot> {
        Ok(Snapshot {
            format: Snapshot::FORMAT.into(),
            version: Snapshot::VERSION,
            leaders: self.leaders()?,
            branches: self.branches()?,
            points: self.points()?,
            activities: self.all(T::Activities)?,
            problems: self.problems()?,
            events: self.all(T::Events)?,
            targets: self
                .targets_set()?
                .into_iter()
                .map(|(year, targets)| YearTargets { year, targets })
                .collect(),
            assessments: self.assessments(None)?,
            rubrics: self
                .rubrics_set()?
                .into_iter()
                .map(|(year, rubric)| YearRubric { year, rubric })
                .collect(),
            plans: self.all(T::Plans)?,
        })
    }

    /// Imports into an empty database; returns the number of records.
    pub fn import(&self, snapshot: Snapshot) -> Result<usize> {
        let s = check(snapshot)?;
        let count = self.write(|store, b| {
            if !store.is_empty()? {
                return Err(StoreError::NotEmpty.into());
            }
            write_all(b, &s)?;
            b.audit("import", &serde_json::json!({ "records": s.record_count() }));
            Ok(s.record_count())
        })?;
        self.collect_garbage();
        Ok(count)
    }

    /// Imports like [`Store::import`], but commits activities and problems
    /// `chunk` at a time instead of in one transaction: a sled transaction
    /// holds all its writes in memory, too much for a million activities.
    /// Checks the whole snapshot first, like import, and leaves the same
    /// records, indexes, day counters, id counters and one `import` audit
    /// entry (tested: the same export afterwards). Not atomic: if it fails
    /// part-way the database holds part of the data, so it is for filling a
    /// fresh database (benchmarks), not for restoring a backup.
    pub fn import_in_chunks(&self, snapshot: Snapshot, chunk: usize) -> Result<usize> {
        let mut s = check(snapshot)?;
        let chunk = chunk.max(1);
        let count = s.record_count();
        let activities = std::mem::take(&mut s.activities);
        let problems = std::mem::take(&mut s.problems);
        self.write(|store, b| {
            if !store.is_empty()? {
                return Err(StoreError::NotEmpty.into());
            }
            write_all(b, &s)
        })?;
        for part in activities.chunks(chunk) {
            self.write(|_, b| {
                for a in part {
                    b.put_record(T::Activities, a.id, a.clone())?;
                    Store::index_activity(b, a);
                }
                Ok(())
            })?;
        }
        for part in problems.chunks(chunk) {
            self.write(|_, b| {
                for p in part {
                    b.put_record(T::Problems, p.id, p.clone())?;
                    Store::index_problem(b, p);
                }
                Ok(())
            })?;
        }
        self.write(|_, b| {
            // write_all's batch raised the counters without the activities
            // and problems: raise them all again over the whole snapshot.
            for (counter, max) in [
                (meta::NEXT_LEADER, s.leaders.iter().map(|x| x.id).max()),
                (meta::NEXT_BRANCH, s.branches.iter().map(|x| x.id).max()),
                (meta::NEXT_POINT, s.points.iter().map(|x| x.id).max()),
                (meta::NEXT_EVENT, s.events.iter().map(|x| x.id).max()),
                (meta::NEXT_ACTIVITY, activities.iter().map(|x| x.id).max()),
                (meta::NEXT_PROBLEM, problems.iter().map(|x| x.id).max()),
            ] {
                b.raise_counter(counter, max.unwrap_or(0));
            }
            b.audit("import", &serde_json::json!({ "records": count }));
            Ok(())
        })?;
        self.collect_garbage();
        Ok(count)
    }
}

fn write_all(b: &mut Batch, s: &Snapshot) -> Result<()> {
    let max = |ids: &mut dyn Iterator<Item = u64>| ids.max().unwrap_or(0);
    for l in &s.leaders {
        b.put_record(T::Leaders, l.id, l.clone())?;
        Store::index_leader(b, l);
    }
    for x in &s.branches {
        b.put_record(T::Branches, x.id, x.clone())?;
    }
    for p in &s.points {
        b.put_record(T::Points, p.id, p.clone())?;
        for leader in std::iter::once(p.leader).chain(p.history.iter().map(|c| c.leader)) {
            b.put_index(T::PointByLeader, keys::owner_id(leader, p.id));
        }
    }
    for a in &s.activities {
        b.put_record(T::Activities, a.id, a.clone())?;
        Store::index_activity(b, a);
    }
    for p in &s.problems {
        b.put_record(T::Problems, p.id, p.clone())?;
        Store::index_problem(b, p);
    }
    for e in &s.events {
        b.put_record(T::Events, e.id, e.clone())?;
        b.put_index(T::EventByDate, keys::date_id(e.date, e.id));
    }
    for t in &s.targets {
        b.put_value(T::Targets, keys::year(t.year), t.targets)?;
    }
    for a in &s.assessments {
        b.put_value(T::Assessments, keys::point_year(a.point, a.year), a.clone())?;
    }
    for r in &s.rubrics {
        b.put_value(T::Rubrics, keys::year(r.year), r.rubric.clone())?;
    }
    for p in &s.plans {
        b.put_value(T::Plans, keys::year(p.year), p.clone())?;
    }
    b.raise_counter(meta::NEXT_LEADER, max(&mut s.leaders.iter().map(|x| x.id)));
    b.raise_counter(meta::NEXT_BRANCH, max(&mut s.branches.iter().map(|x| x.id)));
    b.raise_counter(meta::NEXT_POINT, max(&mut s.points.iter().map(|x| x.id)));
    b.raise_counter(meta::NEXT_ACTIVITY, max(&mut s.activities.iter().map(|x| x.id)));
    b.raise_counter(meta::NEXT_PROBLEM, max(&mut s.problems.iter().map(|x| x.id)));
    b.raise_counter(meta::NEXT_EVENT, max(&mut s.events.iter().map(|x| x.id)));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::store::tree_contents as trees;

    #[test]
    fn import_in_chunks_leaves_what_import_leaves() {
        let snapshot = crate::synthetic::snapshot(3_000, 11);
        let (one, chunked) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let a = Store::open(one.path()).unwrap();
        let b = Store::open(chunked.path()).unwrap();
        let n = a.import(snapshot.clone()).unwrap();
        assert_eq!(b.import_in_chunks(snapshot.clone(), 700).unwrap(), n);
        assert_eq!(a.export().unwrap(), b.export().unwrap());
        assert_eq!(b.export().unwrap(), snapshot);
        // Indexes, day counters and id counters too, byte for byte.
        assert_eq!(trees(&a), trees(&b));
        assert_eq!(a.audit(10).unwrap().len(), 1);
        assert_eq!(b.audit(10).unwrap().len(), 1);
        assert_eq!(b.audit(10).unwrap()[0].action, "import");
        assert!(matches!(
            b.import_in_chunks(snapshot, 700),
            Err(crate::error::Error::Store(StoreError::NotEmpty))
        ));
    }
}
