//! Reads. Each returns decoded records; a value that does not decode is
//! reported as damage, never a panic.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

use super::codec::{self, Versioned};
use super::{KeptStatus, Store, T, Tables, corrupt, io_error, keys, meta, packed};
use crate::api::ActivityFilter;
use crate::domain::date;
use crate::domain::status::{StatusInput, YearCounts, status_from_counts};
use crate::domain::{
    Activity, ActivityKind, AuditEntry, Branch, BureauEvent, ContactPoint, Leader, LeaderId, PointId, Problem, RuleId,
    Targets, YearStatus, rules,
};
use crate::error::{Result, StoreError};

impl Store {
    /// Every record of a tree, in id order.
    pub(crate) fn all<V: Versioned>(&self, tree: T) -> Result<Vec<V>> {
        self.entries(tree, packed::everything(), false)?
            .map(|entry| codec::decode::<V>(&entry?.1).map_err(|e| corrupt(e).into()))
            .collect()
    }

    /// One record by id.
    pub(crate) fn get<V: Versioned>(&self, tree: T, id: u64) -> Result<Option<V>> {
        match self.value(tree, &keys::id(id))? {
            None => Ok(None),
            Some(v) => Ok(Some(codec::decode::<V>(&v).map_err(corrupt)?)),
        }
    }

    /// The records an index range points to, in index order, each bucket
    /// of records read once. An index entry whose record is missing is
    /// damage.
    fn through_index<V: Versioned>(
        &self,
        index: T,
        records: T,
        entries: impl Iterator<Item = Result<packed::Entry, StoreError>>,
    ) -> Result<Vec<V>> {
        let ids: Vec<Vec<u8>> = entries
            .map(|entry| {
                let (k, _) = entry?;
                let id = keys::trailing_id(&k).ok_or_else(|| StoreError::Corrupt("index key".into()))?;
                Ok(keys::id(id).to_vec())
            })
            .collect::<Result<_>>()?;
        ids.iter()
            .zip(self.values(records, &ids)?)
            .map(|(id, value)| match value {
                Some(v) => Ok(codec::decode::<V>(&v).map_err(corrupt)?),
                None => Err(StoreError::Corrupt(format!(
                    "index {index:?} points at missing record {}",
                    keys::id_from(id).unwrap_or_default()
                ))
                .into()),
            })
            .collect()
    }

    /// The small tables as of the last commit that changed them. The
    /// version is read before the trees: a write committing meanwhile bumps
    /// it, so what was read is replaced on the next call rather than kept.
    pub(crate) fn tables(&self) -> Result<Arc<Tables>> {
        let version = self.table_writes.load(std::sync::atomic::Ordering::SeqCst);
        let mut cache = self.tables.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((v, tables)) = cache.as_ref()
            && *v == version
        {
            return Ok(Arc::clone(tables));
        }
        let tables = Arc::new(Tables {
            leaders: self.all(T::Leaders)?,
            branches: self.all(T::Branches)?,
            points: self.all(T::Points)?,
        });
        *cache = Some((version, Arc::clone(&tables)));
        Ok(tables)
    }

    /// The leaders that `input` could name (`domain::lookup::candidates`).
    /// A current table cache (the server's, the workbench's) answers;
    /// otherwise only the leaders are decoded, not branches and points as
    /// well: a one-shot `visit add` needs nothing else from the tables.
    pub fn leaders_matching(&self, input: &str) -> Result<Vec<Leader>> {
        let version = self.table_writes.load(std::sync::atomic::Ordering::SeqCst);
        let cached = {
            let cache = self.tables.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            cache
                .as_ref()
                .filter(|(v, _)| *v == version)
                .map(|(_, tables)| Arc::clone(tables))
        };
        Ok(match cached {
            Some(tables) => crate::domain::lookup::candidates(&tables.leaders, input),
            None => crate::domain::lookup::candidates(&self.leaders_holding(input)?, input),
        })
    }

    /// The leaders a typed text could name, read without the table cache.
    /// A whole name that one leader has (what scripts pass) is that leader
    /// alone, found in `leader_by_name`: `find` answers with that leader
    /// whatever else holds the text, unless the text is all digits, which
    /// `find` reads as an id first. Otherwise: the one whose id it is, and
    /// those whose record holds its bytes. A name is stored as its UTF-8
    /// bytes, so a leader whose name holds the text is among these;
    /// [`crate::domain::lookup::candidates`] then keeps the ones it names.
    /// Reading every leader's bucket was a sixth of what a one-shot
    /// `visit add` spent beyond sled's open (docs/PERFORMANCE.md).
    fn leaders_holding(&self, input: &str) -> Result<Vec<Leader>> {
        let text = input.trim();
        if !text.is_empty()
            && !text.bytes().all(|b| b.is_ascii_digit())
            && let [id] = self.leaders_named(text)?[..]
        {
            let leader = self
                .get::<Leader>(T::Leaders, id)?
                .ok_or_else(|| StoreError::Corrupt(format!("name index points at missing leader {id}")))?;
            return Ok(vec![leader]);
        }
        let mut out: Vec<Leader> = Vec::new();
        if !text.is_empty() {
            for (_, value) in self.entries_holding(T::Leaders, text.as_bytes())? {
                out.push(codec::decode(&value).map_err(corrupt)?);
            }
        }
        if let Ok(id) = text.parse::<u64>()
            && !out.iter().any(|l| l.id == id)
            && let Some(leader) = self.get::<Leader>(T::Leaders, id)?
        {
            out.push(leader);
            // In id order, as the table is.
            out.sort_by_key(|l| l.id);
        }
        Ok(out)
    }

    /// Whether any activity names `leader`.
    pub(crate) fn has_activities_of(&self, leader: LeaderId) -> Result<bool> {
        Ok(self
            .entries(T::ActivityByLeader, owner_range(leader), false)?
            .next()
            .is_some())
    }

    /// The ids of the leaders named exactly `name` (`leader_by_name`).
    fn leaders_named(&self, name: &str) -> Result<Vec<LeaderId>> {
        self.ids_in(
            T::LeaderByName,
            packed::inclusive(keys::name_id(name, 0), keys::name_id(name, u64::MAX)),
        )
    }

    /// The record ids at the end of an index's keys within `range`.
    fn ids_in(&self, index: T, range: packed::KeyRange) -> Result<Vec<u64>> {
        let mut ids = Vec::new();
        for entry in self.entries(index, range, false)? {
            let (k, _) = entry?;
            ids.push(keys::trailing_id(&k).ok_or_else(|| StoreError::Corrupt(format!("{} key", index.name())))?);
        }
        Ok(ids)
    }

    pub fn leaders(&self) -> Result<Vec<Leader>> {
        Ok(self.tables()?.leaders.clone())
    }

    pub fn branches(&self) -> Result<Vec<Branch>> {
        Ok(self.tables()?.branches.clone())
    }

    pub fn points(&self) -> Result<Vec<ContactPoint>> {
        Ok(self.tables()?.points.clone())
    }

    pub fn problems(&self) -> Result<Vec<Problem>> {
        self.all(T::Problems)
    }

    pub fn activity(&self, id: u64) -> Result<Option<Activity>> {
        self.get(T::Activities, id)
    }

    pub fn problem(&self, id: u64) -> Result<Option<Problem>> {
        self.get(T::Problems, id)
    }

    /// Activities in date order, through the narrowest index for the filter.
    pub fn activities(&self, filter: &ActivityFilter) -> Result<Vec<Activity>> {
        let (index, range) = match (filter.leader, filter.year) {
            (Some(l), Some(y)) => (T::ActivityByLeader, packed::span(keys::owner_year_range(l, y))),
            (Some(l), None) => (T::ActivityByLeader, owner_range(l)),
            (None, Some(y)) => (T::ActivityByDate, packed::span(keys::year_range(y))),
            (None, None) => (T::ActivityByDate, packed::everything()),
        };
        self.through_index(index, T::Activities, self.entries(index, range, false)?)
    }

    /// At most `limit` activities of the filter, newest first, before
    /// `(date, id)`: a reverse range over the narrowest index, reading
    /// only the records returned.
    pub fn activities_newest(
        &self,
        filter: &ActivityFilter,
        before: Option<(NaiveDate, u64)>,
        limit: usize,
    ) -> Result<Vec<Activity>> {
        use std::ops::Bound;
        let (first, last) = match filter.year {
            Some(y) => date::year_bounds(y),
            None => (NaiveDate::MIN, NaiveDate::MAX),
        };
        // Keys of the chosen index for a date and id.
        let index = if filter.leader.is_some() {
            T::ActivityByLeader
        } else {
            T::ActivityByDate
        };
        let key = |d: NaiveDate, id: u64| match filter.leader {
            Some(l) => keys::owner_date_id(l, d, id).to_vec(),
            None => keys::date_id(d, id).to_vec(),
        };
        let low = Bound::Included(key(first, 0));
        let end = key(last, u64::MAX);
        let high = match before.map(|(d, id)| key(d, id)) {
            Some(b) if b <= end => Bound::Excluded(b),
            _ => Bound::Included(end),
        };
        let entries = self.entries(index, (low, high), true)?.take(limit);
        self.through_index(index, T::Activities, entries)
    }

    pub fn events(&self, year: Option<i32>) -> Result<Vec<BureauEvent>> {
        let range = year.map_or_else(packed::everything, |y| packed::span(keys::year_range(y)));
        self.through_index(T::EventByDate, T::Events, self.entries(T::EventByDate, range, false)?)
    }

    /// Every value of a tree keyed by year (targets, rubrics), oldest first.
    pub(crate) fn by_year<V: Versioned>(&self, tree: T) -> Result<Vec<(i32, V)>> {
        self.tree(tree)
            .iter()
            .map(|entry| {
                let (k, v) = entry.map_err(io_error)?;
                let key = k
                    .as_ref()
                    .try_into()
                    .map_err(|_| StoreError::Corrupt(format!("{} key", V::WHAT)))?;
                Ok((keys::year_from(key), codec::decode::<V>(&v).map_err(corrupt)?))
            })
            .collect()
    }

    /// Targets set for particular years, oldest first.
    pub fn targets_set(&self) -> Result<Vec<(i32, Targets)>> {
        self.by_year(T::Targets)
    }

    pub fn targets(&self, year: i32) -> Result<Targets> {
        Ok(rules::targets_for(year, &self.targets_set()?))
    }

    /// The status of a year from the counters kept on write: one prefix
    /// scan of the year counters (one entry per leader) for the leaders in
    /// post all year, short day-counter scans for the few in post part of
    /// it. Neither activities nor problems are read. Agrees with the pure
    /// `domain::status::year_status` over all records (tested). Kept until
    /// the next write, so boards that ask again and again cost a copy.
    pub fn year_status(&self, year: i32) -> Result<YearStatus> {
        Ok(self.kept_status(year)?.status.clone())
    }

    /// The year's status as compact JSON, exactly as `serde_json` writes
    /// [`YearStatus`]; kept with the status until the next write.
    pub fn year_status_json(&self, year: i32) -> Result<String> {
        let kept = self.kept_status(year)?;
        if let Some(json) = kept.json.get() {
            return Ok(json.clone());
        }
        let json = serde_json::to_string(&kept.status).map_err(|e| StoreError::Io(e.to_string()))?;
        let _ = kept.json.set(json.clone());
        Ok(json)
    }

    fn kept_status(&self, year: i32) -> Result<Arc<KeptStatus>> {
        // The version is read before the trees, as for the table cache: a
        // write committing meanwhile makes this entry stale at once.
        let version = self.data_version();
        if let Some(kept) = self.statuses.lock().unwrap_or_else(|p| p.into_inner()).get(&year)
            && kept.version == version
        {
            return Ok(Arc::clone(kept));
        }
        let kept = Arc::new(KeptStatus {
            version,
            status: self.compute_year_status(year)?,
            json: std::sync::OnceLock::new(),
        });
        let mut cache = self.statuses.lock().unwrap_or_else(|p| p.into_inner());
        // A handful of years are watched at a time; forget the rest.
        if cache.len() >= 16 && !cache.contains_key(&year) {
            cache.clear();
        }
        cache.insert(year, Arc::clone(&kept));
        Ok(kept)
    }

    fn compute_year_status(&self, year: i32) -> Result<YearStatus> {
        let targets = self.targets(year)?;
        let tables = self.tables()?;
        let leaders = &tables.leaders;
        let events = self.events(Some(year))?;
        let input = StatusInput {
            year,
            targets: &targets,
            leaders,
            branches: &tables.branches,
            points: &tables.points,
            activities: &[],
            problems: &[],
            events: &events,
        };
        // Events only: activities and problems are in the counters.
        let mut counts = YearCounts::count(&input);
        let (first, last) = date::year_bounds(year);
        let whole_year = |l: &Leader| l.in_post_from <= first && l.in_post_to.is_none_or(|to| to >= last);
        let all_year: HashSet<LeaderId> = leaders.iter().filter(|l| whole_year(l)).map(|l| l.id).collect();
        let corrupt = || StoreError::Corrupt("year counter".into());
        for entry in self.tree(T::YearCount).scan_prefix(keys::year(year)) {
            let (k, v) = entry.map_err(io_error)?;
            let leader = keys::year_tally_leader(&k).ok_or_else(corrupt)?;
            if !all_year.contains(&leader) {
                continue;
            }
            for (tag, n) in keys::tagged_pairs(&v).ok_or_else(corrupt)? {
                if let Some(rule) = rule_of_tag(tag) {
                    add(&mut counts, leader, rule, n);
                }
            }
        }
        for l in leaders.iter().filter(|l| l.in_post_during(year) && !whole_year(l)) {
            // Only the days the leader was in post count.
            let from = first.max(l.in_post_from);
            let to = l.in_post_to.map_or(last, |t| t.min(last));
            for tag in counted_tags() {
                let mut n = 0u64;
                let range = packed::inclusive(keys::day_tally(l.id, tag, from), keys::day_tally(l.id, tag, to));
                for entry in self.entries(T::DayCount, range, false)? {
                    let (_, v) = entry?;
                    n += keys::id_from(&v).ok_or_else(|| StoreError::Corrupt("day counter".into()))?;
                }
                if let Some(rule) = rule_of_tag(tag) {
                    add(&mut counts, l.id, rule, n);
                }
            }
        }
        Ok(status_from_counts(&input, &counts))
    }

    /// Activities per month from the day counters (kept on write): a few
    /// short range scans per leader instead of reading the year's activities.
    pub fn activities_per_month(&self, year: i32) -> Result<Vec<(u64, [u32; 12])>> {
        let (first, last) = date::year_bounds(year);
        let mut out = Vec::new();
        for l in &self.tables()?.leaders {
            let mut counts = [0u32; 12];
            for kind in ActivityKind::ALL {
                let range = packed::inclusive(keys::day_count(l.id, *kind, first), keys::day_count(l.id, *kind, last));
                for entry in self.entries(T::DayCount, range, false)? {
                    let (k, v) = entry?;
                    let corrupt = || StoreError::Corrupt("day counter".into());
                    let day = k
                        .get(9..13)
                        .and_then(|b| keys::date_from(b.try_into().ok()?))
                        .ok_or_else(corrupt)?;
                    let n = keys::id_from(&v).ok_or_else(corrupt)?;
                    let slot = &mut counts[day.month0() as usize];
                    *slot = slot.saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
                }
            }
            if counts.iter().any(|c| *c > 0) {
                out.push((l.id, counts));
            }
        }
        out.sort_by_key(|(l, _)| *l);
        Ok(out)
    }

    /// The latest activity date per point.
    pub fn last_visits(&self) -> Result<Vec<(PointId, NaiveDate)>> {
        self.last_visits_until(NaiveDate::MAX)
    }

    /// The latest activity date per point on or before `day`. The
    /// `point_last` entries of the day's year and the year before (two
    /// short range scans, 16 points to a bucket) answer for most points;
    /// a point whose latest visit of the year falls after `day`, or that
    /// has none in either year, is looked up in its own `activity_by_point`
    /// buckets (see [`Store::last_in`]).
    pub fn last_visits_until(&self, day: NaiveDate) -> Result<Vec<(PointId, NaiveDate)>> {
        let corrupt = || StoreError::Corrupt("point_last entry".into());
        let mut known: HashMap<PointId, NaiveDate> = HashMap::new();
        let mut look_up: HashSet<PointId> = HashSet::new();
        // A day after every activity (`last_visits` asks up to the last
        // representable day): the year of the newest activity stands in.
        let year = match self.activity_years()? {
            Some((_, last)) => day.year().min(last),
            None => day.year(),
        };
        for year in [year, year - 1] {
            let range = packed::inclusive(keys::year_point(year, 0), keys::year_point(year, u64::MAX));
            for entry in self.entries(T::PointLast, range, false)? {
                let (k, v) = entry?;
                let point = keys::year_point_point(&k).ok_or_else(corrupt)?;
                let date = v
                    .get(..4)
                    .and_then(|b| keys::date_from(b.try_into().ok()?))
                    .ok_or_else(corrupt)?;
                if date > day {
                    look_up.insert(point);
                } else {
                    known.entry(point).or_insert(date);
                }
            }
        }
        let mut out = Vec::new();
        for p in &self.tables()?.points {
            if let Some(d) = known.get(&p.id).filter(|_| !look_up.contains(&p.id)) {
                out.push((p.id, *d));
                continue;
            }
            let low = keys::owner_date_id(p.id, NaiveDate::MIN, 0);
            let high = keys::owner_date_id(p.id, day, u64::MAX);
            if let Some((k, _)) = self.last_in(T::ActivityByPoint, &low, &high)?
                && let Some(d) = keys::owner_key_date(&k)
            {
                out.push((p.id, d));
            }
        }
        Ok(out)
    }

    pub fn activity_years(&self) -> Result<Option<(i32, i32)>> {
        let year = |entry: Option<Result<packed::Entry, StoreError>>| -> Result<Option<i32>> {
            match entry {
                None => Ok(None),
                Some(e) => {
                    let (k, _) = e?;
                    let d = k
                        .get(..4)
                        .and_then(|b| keys::date_from(b.try_into().ok()?))
                        .ok_or_else(|| StoreError::Corrupt("date index key".into()))?;
                    Ok(Some(d.year()))
                }
            }
        };
        let first = self.entries(T::ActivityByDate, packed::everything(), false)?.next();
        let last = self.entries(T::ActivityByDate, packed::everything(), true)?.next();
        Ok(match (year(first)?, year(last)?) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        })
    }

    pub fn audit(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        self.tree(T::Audit)
            .iter()
            .values()
            .rev()
            .take(limit)
            .map(|v| codec::decode::<AuditEntry>(&v.map_err(io_error)?).map_err(|e| corrupt(e).into()))
            .collect()
    }

    /// The points `leader` holds or held, best candidate first: the open one
    /// they hold now, then the rest by start date, newest first.
    pub(crate) fn points_of(&self, leader: LeaderId) -> Result<Vec<ContactPoint>> {
        let range = packed::inclusive(keys::owner_id(leader, 0), keys::owner_id(leader, u64::MAX));
        let ids = self.ids_in(T::PointByLeader, range)?;
        let mut points = Vec::new();
        for id in ids {
            points.push(
                self.get::<ContactPoint>(T::Points, id)?
                    .ok_or_else(|| StoreError::Corrupt(format!("point index points at missing point {id}")))?,
            );
        }
        crate::domain::order_points_of(&mut points, leader);
        Ok(points)
    }

    pub fn flag(&self, name: &str) -> Result<bool> {
        let key = format!("{}{name}", meta::FLAG_PREFIX);
        Ok(self.tree(T::Meta).contains_key(key.as_bytes()).map_err(io_error)?)
    }

    /// True when no record of any kind is stored.
    pub fn is_empty(&self) -> Result<bool> {
        for t in T::ALL {
            if t != T::Meta && !self.tree(t).is_empty() {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// Every `owner ‖ date ‖ id` key of one owner (leader or point).
fn owner_range(owner: u64) -> packed::KeyRange {
    packed::inclusive(
        keys::owner_date_id(owner, NaiveDate::MIN, 0),
        keys::owner_date_id(owner, NaiveDate::MAX, u64::MAX),
    )
}

/// The leader rule a counter tag counts for, if any.
fn rule_of_tag(tag: u8) -> Option<RuleId> {
    if tag == keys::SOLVED {
        return Some(RuleId::ProblemsSolved);
    }
    ActivityKind::ALL
        .get(usize::from(tag))
        .and_then(|k| RuleId::for_kind(*k))
}

/// The tags whose counters some leader rule counts.
fn counted_tags() -> impl Iterator<Item = u8> {
    ActivityKind::ALL
        .iter()
        .map(|k| keys::kind(*k))
        .chain([keys::SOLVED])
        .filter(|t| rule_of_tag(*t).is_some())
}

fn add(counts: &mut YearCounts, leader: LeaderId, rule: RuleId, n: u64) {
    if n > 0 {
        let slot = counts.leader.entry((leader, rule)).or_default();
        *slot = slot.saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_of_newest_activities_join_up_to_the_whole_list() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::reopen(dir.path());
        let snapshot = crate::synthetic::snapshot(2_000, 3);
        let leader = snapshot.activities[0].leader;
        let year = snapshot.activities[0].date.year();
        store.import(snapshot).unwrap();
        for filter in [
            ActivityFilter::default(),
            ActivityFilter {
                year: Some(year),
                leader: None,
            },
            ActivityFilter {
                year: None,
                leader: Some(leader),
            },
            ActivityFilter {
                year: Some(year),
                leader: Some(leader),
            },
        ] {
            let mut whole = store.activities(&filter).unwrap();
            whole.reverse();
            assert!(!whole.is_empty(), "{filter:?}");
            for limit in [1, 7, 500] {
                let mut pages: Vec<Activity> = Vec::new();
                loop {
                    let before = pages.last().map(|a| (a.date, a.id));
                    let page = store.activities_newest(&filter, before, limit).unwrap();
                    assert!(page.len() <= limit);
                    let short = page.len() < limit;
                    pages.extend(page);
                    if short {
                        break;
                    }
                }
                assert_eq!(pages, whole, "{filter:?}, pages of {limit}");
            }
        }
        // A start past the year's end is the year's end.
        let filter = ActivityFilter {
            year: Some(year),
            leader: None,
        };
        let far = NaiveDate::from_ymd_opt(year + 3, 1, 1).unwrap();
        assert_eq!(
            store.activities_newest(&filter, Some((far, 0)), 5).unwrap(),
            store.activities_newest(&filter, None, 5).unwrap()
        );
    }

    #[test]
    fn the_table_cache_follows_changes_to_leaders_and_not_visits() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::reopen(dir.path());
        crate::demo::load(&store).unwrap();
        let first = store.tables().unwrap();
        assert!(Arc::ptr_eq(&first, &store.tables().unwrap()));
        // A visit leaves the tables as they were: no second decoding.
        let mut visit = store.export().unwrap().activities[0].clone();
        visit.date = NaiveDate::from_ymd_opt(2020, 12, 1).unwrap();
        store.add_activity(visit).unwrap();
        assert!(Arc::ptr_eq(&first, &store.tables().unwrap()));
        // A new leader is seen at once, also through a clone of the handle.
        let mut leader = store.leaders().unwrap()[0].clone();
        leader.name = "赵新".into();
        store.add_leader(leader).unwrap();
        let clone = store.clone();
        assert!(!Arc::ptr_eq(&first, &clone.tables().unwrap()));
        assert!(clone.leaders().unwrap().iter().any(|l| l.name == "赵新"));
        assert_eq!(clone.leaders().unwrap(), clone.all::<Leader>(T::Leaders).unwrap());
    }

    #[test]
    fn a_kept_status_is_dropped_by_any_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::reopen(dir.path());
        crate::demo::load(&store).unwrap();
        let year = 2020;
        let before = store.year_status(year).unwrap();
        assert_eq!(store.year_status(year).unwrap(), before);
        // The JSON kept beside it is serde_json's for the same status.
        let json = |s: &Store| s.year_status_json(year).unwrap();
        assert_eq!(json(&store), serde_json::to_string(&before).unwrap());
        assert_eq!(json(&store), serde_json::to_string(&before).unwrap());
        let mut visit = store.export().unwrap().activities[0].clone();
        visit.date = NaiveDate::from_ymd_opt(year, 12, 1).unwrap();
        visit.kind = ActivityKind::Research;
        let leader = visit.leader;
        // Through a clone of the handle, as the server's connections write.
        store.clone().add_activity(visit).unwrap();
        let done = |s: &YearStatus| s.leaders.iter().find(|l| l.id == leader).unwrap().rules[0].done;
        assert_eq!(done(&store.year_status(year).unwrap()), done(&before) + 1);
        assert_eq!(
            json(&store),
            serde_json::to_string(&store.year_status(year).unwrap()).unwrap()
        );
        assert_ne!(json(&store), serde_json::to_string(&before).unwrap());
        // Targets are data too.
        let mut targets = store.targets(year).unwrap();
        for t in [&mut targets.secretary, &mut targets.member] {
            t.research = crate::domain::Target::new(t.research.min + 5, t.research.full + 5);
        }
        store.set_targets(year, targets).unwrap();
        let after = store.year_status(year).unwrap();
        assert_eq!(after.leaders[0].rules[0].min, before.leaders[0].rules[0].min + 5);
        assert_eq!(json(&store), serde_json::to_string(&after).unwrap());
    }

    #[test]
    fn leaders_matching_answers_the_same_with_the_tables_cached_or_not() {
        let dir = tempfile::tempdir().unwrap();
        let (name, title) = {
            let store = crate::store::reopen(dir.path());
            store.import(crate::synthetic::snapshot(200, 3)).unwrap();
            let leader = store.leaders().unwrap()[7].clone();
            // A later leader whose name holds "8": found by its bytes
            // before leader 8 is found by its id, and listed after it.
            let named_8 = store
                .add_leader(Leader {
                    id: 0,
                    name: "周8".into(),
                    ..leader.clone()
                })
                .unwrap();
            assert!(named_8.id > 8);
            // A leader named with a part of other names.
            let first: String = leader.name.chars().take(1).collect();
            store
                .add_leader(Leader {
                    id: 0,
                    name: first,
                    ..leader.clone()
                })
                .unwrap();
            (leader.name, leader.title)
        };
        let first: String = name.chars().take(1).collect();
        let part: String = name.chars().skip(1).collect();
        // A title is in the record's bytes but names no one.
        let inputs = [
            name.as_str(),
            first.as_str(),
            part.as_str(),
            &title,
            "no such leader",
            "8",
            " 8 ",
            "+8",
            "",
        ];
        // A fresh handle: nothing cached; a whole name is looked up in
        // `leader_by_name`, and otherwise only the leaders whose records
        // hold the text are decoded.
        let store = crate::store::reopen(dir.path());
        let cold: Vec<Vec<Leader>> = inputs.iter().map(|i| store.leaders_matching(i).unwrap()).collect();
        store.tables().unwrap();
        let warm: Vec<Vec<Leader>> = inputs.iter().map(|i| store.leaders_matching(i).unwrap()).collect();
        // Both give `find` what it needs to answer as over all leaders.
        let all = store.leaders().unwrap();
        let answer = |found: &[Leader], input: &str| {
            crate::domain::lookup::leader(found, input)
                .map(|l| l.id)
                .map_err(|e| e.to_string())
        };
        for (i, input) in inputs.iter().enumerate() {
            assert_eq!(answer(&cold[i], input), answer(&all, input), "{input:?} cold");
            assert_eq!(answer(&warm[i], input), answer(&all, input), "{input:?} warm");
        }
        fn names(found: &[Leader]) -> Vec<&str> {
            found.iter().map(|l| l.name.as_str()).collect()
        }
        assert_eq!(names(&cold[0]), [name.as_str()], "{name} names one leader");
        assert_eq!(names(&cold[1]), [first.as_str()], "the leader named {first} alone");
        assert!(warm[1].len() > 2, "{first} is part of several names");
        assert!(answer(&all, &part).is_err(), "{part} is part of several names");
        assert_eq!(cold[2], warm[2], "{part} is no whole name: the same leaders read");
        assert!(cold[3].is_empty(), "{title} names no one");
        assert_eq!(cold[4..], warm[4..]);
        let ids = |found: &[Leader]| found.iter().map(|l| l.id).collect::<Vec<_>>();
        assert_eq!(ids(&cold[5])[0], 8, "8 is an id, listed in id order");
        assert_eq!(cold[5].len(), 2, "and a name holds it: {:?}", ids(&cold[5]));
        assert!(cold[5].iter().any(|l| l.name == "周8"));
    }

    #[test]
    fn last_visits_are_the_latest_activity_per_point_up_to_a_day() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::reopen(dir.path());
        let snapshot = crate::synthetic::snapshot(3_000, 11);
        store.import(snapshot.clone()).unwrap();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // Changes after the import go through `point_last` too: a point's
        // latest visit deleted and another moved to a later day of 2022; a
        // visit later in 2022 than the day asked about; every visit of
        // 2022 and 2021 of one point deleted, so that its answer comes from
        // an older year.
        let mut activities = snapshot.activities.clone();
        let in_2022 = |a: &Activity| a.date.year() == 2022;
        let newest = activities
            .iter()
            .filter(|a| in_2022(a))
            .max_by_key(|a| (a.date, a.id))
            .unwrap()
            .clone();
        store.delete_activity(newest.id).unwrap();
        activities.retain(|a| a.id != newest.id);
        let moved = activities
            .iter_mut()
            .find(|a| in_2022(a) && a.point != newest.point)
            .unwrap();
        moved.date = d("2022-12-30");
        store.update_activity(moved.clone()).unwrap();
        let mut later = activities.iter().find(|a| in_2022(a)).unwrap().clone();
        later.date = d("2022-11-20");
        later = store.add_activity(later).unwrap();
        activities.push(later.clone());
        let gone = activities.iter().find(|a| a.date.year() == 2023).unwrap().point;
        for a in activities
            .iter()
            .filter(|a| a.point == gone && matches!(a.date.year(), 2021 | 2022))
        {
            store.delete_activity(a.id).unwrap();
        }
        activities.retain(|a| !(a.point == gone && matches!(a.date.year(), 2021 | 2022)));
        let latest = |until: NaiveDate| {
            let mut out: std::collections::BTreeMap<PointId, NaiveDate> = Default::default();
            for a in activities.iter().filter(|a| a.date <= until) {
                let d = out.entry(a.point).or_insert(a.date);
                *d = (*d).max(a.date);
            }
            out.into_iter().collect::<Vec<_>>()
        };
        let sorted = |mut v: Vec<(PointId, NaiveDate)>| {
            v.sort();
            v
        };
        // Days inside a year, on a year's first and last day, before all.
        for day in [
            "2016-06-01",
            "2017-01-01",
            "2019-12-31",
            "2020-01-01",
            "2022-07-15",
            "2022-11-19",
            "2022-11-20",
            "2022-12-31",
            "2023-01-01",
            "2023-03-01",
            "2030-01-01",
        ] {
            let day = d(day);
            assert_eq!(sorted(store.last_visits_until(day).unwrap()), latest(day), "{day}");
        }
        assert_eq!(sorted(store.last_visits().unwrap()), latest(NaiveDate::MAX));
    }
}
