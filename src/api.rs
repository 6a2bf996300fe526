//! The one interface through which front ends (command line, workbench)
//! reach the data: queries and commands, nothing about how they are kept.
//! The embedded store ([`crate::store::Store`]) and the client of a server
//! ([`crate::server::Client`]) both implement it; no screen knows which one
//! it has.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain::{
    Activity, ActivityId, AuditEntry, Branch, BranchId, BureauEvent, ContactPoint, Leader, LeaderId, PointId, Problem,
    ProblemId, Targets, YearStatus,
};
use crate::domain::{Assessment, Plan, Rubric};
use crate::error::Result;

/// Which activities to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityFilter {
    pub year: Option<i32>,
    pub leader: Option<LeaderId>,
}

/// The whole database as plain data, for `export` and `import`. Ordered by
/// id (targets by year) so that the same data always gives the same file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub format: String,
    pub version: u32,
    pub leaders: Vec<Leader>,
    pub branches: Vec<Branch>,
    pub points: Vec<ContactPoint>,
    pub activities: Vec<Activity>,
    pub problems: Vec<Problem>,
    pub events: Vec<BureauEvent>,
    pub targets: Vec<YearTargets>,
    /// The records of issue 5; absent from older exports, hence the defaults.
    #[serde(default)]
    pub assessments: Vec<Assessment>,
    #[serde(default)]
    pub rubrics: Vec<YearRubric>,
    #[serde(default)]
    pub plans: Vec<Plan>,
}

/// The assessment rubric set for one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearRubric {
    pub year: i32,
    pub rubric: Rubric,
}

impl Snapshot {
    pub const FORMAT: &'static str = "branchlink";
    pub const VERSION: u32 = 1;

    pub fn record_count(&self) -> usize {
        self.leaders.len()
            + self.branches.len()
            + self.points.len()
            + self.activities.len()
            + self.problems.len()
            + self.events.len()
            + self.targets.len()
            + self.assessments.len()
            + self.rubrics.len()
            + self.plans.len()
    }
}

/// Targets set for one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearTargets {
    pub year: i32,
    pub targets: Targets,
}

/// What a contact point's review decided (二).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Review {
    /// 实现转化提升: the point is closed; the leader chooses a new one.
    Transformed,
    /// 尚未实现转化提升: the point continues for another cycle.
    Continue,
}

pub trait Backend {
    // Queries.
    fn leaders(&self) -> Result<Vec<Leader>>;
    /// Leaders among whom `domain::lookup::find` answers `input` as it
    /// does among all of them: those `input` could name (see
    /// `domain::lookup::candidates`), or, when one leader has exactly that
    /// name, that leader alone. A command line resolves a name among
    /// these instead of fetching all leaders, 38 kB at provincial scale,
    /// through the server.
    fn leaders_matching(&self, input: &str) -> Result<Vec<Leader>> {
        Ok(crate::domain::lookup::candidates(&self.leaders()?, input))
    }
    fn branches(&self) -> Result<Vec<Branch>>;
    fn points(&self) -> Result<Vec<ContactPoint>>;
    /// Activities matching the filter, oldest first.
    fn activities(&self, filter: &ActivityFilter) -> Result<Vec<Activity>>;
    fn problems(&self) -> Result<Vec<Problem>>;
    fn events(&self, year: Option<i32>) -> Result<Vec<BureauEvent>>;
    /// The targets in force for a year.
    fn targets(&self, year: i32) -> Result<Targets>;
    fn year_status(&self, year: i32) -> Result<YearStatus>;
    /// The year's status as compact JSON, byte for byte what `serde_json`
    /// writes for [`Backend::year_status`]: the store keeps it until the
    /// next write, so a client asking through the server only prints it.
    fn year_status_json(&self, year: i32) -> Result<String> {
        serde_json::to_string(&self.year_status(year)?).map_err(|e| crate::error::StoreError::Io(e.to_string()).into())
    }
    /// The date of the latest activity at each contact point that has one.
    fn last_visits(&self) -> Result<Vec<(PointId, NaiveDate)>>;
    /// The first and last year with an activity, if any.
    fn activity_years(&self) -> Result<Option<(i32, i32)>>;
    /// The newest audit entries, newest first.
    fn audit(&self, limit: usize) -> Result<Vec<AuditEntry>>;
    fn export(&self) -> Result<Snapshot>;

    // Commands. Each is checked in full, stored in one transaction with its
    // audit entry, and flushed to disk before it returns Ok.
    fn add_leader(&self, leader: Leader) -> Result<Leader>;
    fn add_branch(&self, branch: Branch) -> Result<Branch>;
    fn assign_point(&self, leader: LeaderId, branch: BranchId, from: NaiveDate, years: u32) -> Result<ContactPoint>;
    fn review_point(&self, leader: LeaderId, review: Review, date: NaiveDate) -> Result<ContactPoint>;
    fn hand_over(&self, leader: LeaderId, successor: LeaderId, date: NaiveDate) -> Result<ContactPoint>;
    /// Stores a new activity; its id and contact point are filled in.
    fn add_activity(&self, activity: Activity) -> Result<Activity>;
    /// Replaces an activity; returns the version it replaced.
    fn update_activity(&self, activity: Activity) -> Result<Activity>;
    /// Deletes an activity; returns it, so that it can be restored.
    fn delete_activity(&self, id: ActivityId) -> Result<Activity>;
    /// Puts back a deleted activity under its old id.
    fn restore_activity(&self, activity: Activity) -> Result<Activity>;
    /// Stores a new problem; its id and contact point are filled in.
    fn add_problem(&self, problem: Problem) -> Result<Problem>;
    fn solve_problem(&self, id: ProblemId, date: NaiveDate, measures: Option<String>) -> Result<Problem>;
    fn reopen_problem(&self, id: ProblemId) -> Result<Problem>;
    fn add_event(&self, event: BureauEvent) -> Result<BureauEvent>;
    /// Corrects a problem's category, description, day found and measures;
    /// returns the version it replaced.
    fn update_problem(&self, problem: Problem) -> Result<Problem>;
    /// Deletes a problem recorded by mistake; returns it.
    fn delete_problem(&self, id: ProblemId) -> Result<Problem>;
    /// Deletes a bureau event recorded by mistake; returns it.
    fn delete_event(&self, id: crate::domain::EventId) -> Result<BureauEvent>;
    /// Corrects a branch's record; returns the version it replaced.
    fn update_branch(&self, branch: Branch) -> Result<Branch>;
    /// Corrects a leader's record; returns the version it replaced.
    fn update_leader(&self, leader: Leader) -> Result<Leader>;
    /// Deletes a leader added by mistake (never held a point, no activity).
    fn delete_leader(&self, id: LeaderId) -> Result<Leader>;
    fn set_targets(&self, year: i32, targets: Targets) -> Result<()>;
    /// Loads a snapshot into an empty database, after checking all of it.
    fn import(&self, snapshot: Snapshot) -> Result<usize>;
    /// A flag kept in the database (e.g. "the demo data was loaded").
    fn flag(&self, name: &str) -> Result<bool>;
    fn set_flag(&self, name: &str) -> Result<()>;

    // The year's rhythm (issue 5): assessments, their rubric, the work plan.
    /// The 五好一满意 assessments of one contact point (or of all), by point then year.
    fn assessments(&self, point: Option<PointId>) -> Result<Vec<Assessment>>;
    /// Records or replaces the assessment of `assessment.point` for `assessment.year`.
    fn set_assessment(&self, assessment: Assessment) -> Result<Assessment>;
    /// The dimensions and grades in force for a year (the document's unless set).
    fn rubric(&self, year: i32) -> Result<Rubric>;
    fn set_rubric(&self, year: i32, rubric: Rubric) -> Result<()>;
    /// The work plan of a year (the document's phases unless changed).
    fn plan(&self, year: i32) -> Result<Plan>;
    /// Ticks (`done` = Some(day)) or unticks task `phase.task`, both counted from 1.
    fn set_plan_item(&self, year: i32, phase: u32, task: u32, done: Option<NaiveDate>) -> Result<Plan>;
    /// Moves the window of `phase` (counted from 1).
    fn set_plan_window(&self, year: i32, phase: u32, from: NaiveDate, to: NaiveDate) -> Result<Plan>;
    // Live updates.
    /// A number that changes whenever the data may have changed, by this
    /// front end or anyone else. Cheap (an atomic load, no I/O): a screen
    /// checks it every ~100 ms and reloads what it shows when it differs
    /// from the value it last drew with. Only "differs" is meaningful: it
    /// may jump, and a client bumps it after reconnecting too.
    ///
    /// The store counts its own commands; a client counts the change
    /// notices its server pushes. The default, for backends that never
    /// change behind the caller's back, is a constant.
    fn data_version(&self) -> u64 {
        0
    }

    /// The latest activity date per point on or before `day` (a report of a
    /// past day must not see later visits). This default reads every
    /// activity; the store answers from its index.
    fn last_visits_until(&self, day: NaiveDate) -> Result<Vec<(PointId, NaiveDate)>> {
        let mut latest: std::collections::BTreeMap<PointId, NaiveDate> = std::collections::BTreeMap::new();
        for a in self
            .activities(&ActivityFilter::default())?
            .into_iter()
            .filter(|a| a.date <= day)
        {
            let d = latest.entry(a.point).or_insert(a.date);
            *d = (*d).max(a.date);
        }
        Ok(latest.into_iter().collect())
    }

    /// At most `limit` activities matching the filter, newest first,
    /// starting after `before` (the date and id of the last one already
    /// shown): the activities screen reads a page at a time instead of a
    /// year that holds 100,000 at provincial scale. This default reads
    /// them all; the store reads only the page, backwards through its index.
    fn activities_newest(
        &self,
        filter: &ActivityFilter,
        before: Option<(NaiveDate, ActivityId)>,
        limit: usize,
    ) -> Result<Vec<Activity>> {
        Ok(self
            .activities(filter)?
            .into_iter()
            .rev()
            .filter(|a| before.is_none_or(|b| (a.date, a.id) < b))
            .take(limit)
            .collect())
    }

    /// False while a client has lost its server and is reconnecting (a
    /// screen says so); always true for a backend in this process.
    fn connected(&self) -> bool {
        true
    }

    /// Activities per month of `year` (index 0 is January) for each leader
    /// who has any, by leader id: the workbench's monthly chart. This
    /// default reads the year's activities; a backend that keeps counts can
    /// answer without them.
    fn activities_per_month(&self, year: i32) -> Result<Vec<(LeaderId, [u32; 12])>> {
        let filter = ActivityFilter {
            year: Some(year),
            leader: None,
        };
        let mut out: Vec<(LeaderId, [u32; 12])> = Vec::new();
        for a in self.activities(&filter)? {
            let month = a.date.month0() as usize;
            match out.iter_mut().find(|(l, _)| *l == a.leader) {
                Some((_, counts)) => counts[month] += 1,
                None => {
                    let mut counts = [0; 12];
                    counts[month] = 1;
                    out.push((a.leader, counts));
                }
            }
        }
        out.sort_by_key(|(l, _)| *l);
        Ok(out)
    }
}
