//! The year's report as plain data, built from the records alone (no I/O,
//! no clock: "today" is a parameter). The renderers (Markdown, CSV, xlsx)
//! and the reminders ([`super::due`]) read this, so they can never disagree.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::domain::assessment::{self, Assessment, Rubric};
use crate::domain::date::{add_years, year_bounds};
use crate::domain::status::{StatusInput, best_point, held_in_year, points_by_leader, year_status};
use crate::domain::{
    Activity, ActivityKind, Branch, BureauEvent, ContactPoint, Leader, LeaderId, PointId, PointState, Problem,
    ProblemState, Role, RuleId, RuleStatus, Targets,
};

/// Everything a report is built from. The slices may hold records of any
/// year; they are filtered here.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    pub year: i32,
    pub today: NaiveDate,
    pub targets: &'a Targets,
    pub rubric: &'a Rubric,
    pub leaders: &'a [Leader],
    pub branches: &'a [Branch],
    pub points: &'a [ContactPoint],
    pub activities: &'a [Activity],
    pub problems: &'a [Problem],
    pub events: &'a [BureauEvent],
    pub assessments: &'a [Assessment],
}

/// The report of one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub year: i32,
    /// The day the report speaks for: today, or the year's last day for a
    /// past year.
    pub as_of: NaiveDate,
    pub rubric: Rubric,
    /// The secretary first, then in the order the leaders were entered.
    pub leaders: Vec<LeaderReport>,
    pub bureau: Vec<BureauRule>,
}

/// How many activities of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KindCount {
    pub kind: ActivityKind,
    pub count: u32,
}

/// Something a leader has not done (the plain list at the end of a section).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "what")]
pub enum Missing {
    /// `short` more are needed to reach the rule's minimum.
    Rule { rule: RuleId, short: u32 },
    /// The leader held no contact point in the year.
    NoPoint,
}

/// One change in a point's life, with the holder's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryLine {
    pub date: NaiveDate,
    pub state: PointState,
    pub leader: String,
}

/// A contact point as it stood on the report's day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointReport {
    pub id: PointId,
    /// Full official name of the branch.
    pub branch: String,
    pub short: String,
    pub start: NaiveDate,
    pub cycle_start: NaiveDate,
    pub cycle_end: NaiveDate,
    pub state: PointState,
    /// Who held the point on the report's day.
    pub holder: LeaderId,
    /// Every change up to the report's day, oldest first (hand-overs included).
    pub history: Vec<HistoryLine>,
    /// The latest review (transformed or continued) up to the report's day.
    pub judgement: Option<HistoryLine>,
    /// The first and the latest assessment up to the year (the same one
    /// when there is only one).
    pub first: Option<Assessment>,
    pub latest: Option<Assessment>,
}

/// One leader's year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeaderReport {
    pub id: LeaderId,
    pub name: String,
    pub title: String,
    pub role: Role,
    /// Whether the leader held the post on the report's day.
    pub in_post: bool,
    pub point: Option<PointReport>,
    /// Activities of the year per kind, kinds with none left out.
    pub counts: Vec<KindCount>,
    pub rules: Vec<RuleStatus>,
    /// The year's activities by this leader, oldest first.
    pub activities: Vec<Activity>,
    /// Problems of the point worked on in the year: found in it, solved in
    /// it, or still open during it.
    pub problems: Vec<Problem>,
    /// The latest activity at the point (by anyone) up to the report's day.
    pub last_visit: Option<NaiveDate>,
    pub days_since_visit: Option<i64>,
    pub missing: Vec<Missing>,
}

/// A bureau rule with the events that count for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BureauRule {
    pub status: RuleStatus,
    pub events: Vec<BureauEvent>,
}

impl Report {
    pub fn leader(&self, id: LeaderId) -> Option<&LeaderReport> {
        self.leaders.iter().find(|l| l.id == id)
    }
}

impl LeaderReport {
    pub fn count(&self, kind: ActivityKind) -> u32 {
        self.counts.iter().find(|c| c.kind == kind).map_or(0, |c| c.count)
    }

    pub fn rule(&self, rule: RuleId) -> Option<&RuleStatus> {
        self.rules.iter().find(|r| r.rule == rule)
    }
}

/// The day a report of `year` speaks for, seen from `today`.
pub fn as_of(year: i32, today: NaiveDate) -> NaiveDate {
    today.min(year_bounds(year).1)
}

/// Builds the report of `input.year`.
pub fn build(input: &ReportInput<'_>) -> Report {
    let status = year_status(&StatusInput {
        year: input.year,
        targets: input.targets,
        leaders: input.leaders,
        branches: input.branches,
        points: input.points,
        activities: input.activities,
        problems: input.problems,
        events: input.events,
    });
    let as_of = as_of(input.year, input.today);
    // Once over the activities, not once per point.
    let mut last_by_point: HashMap<PointId, NaiveDate> = HashMap::new();
    for a in input.activities.iter().filter(|a| a.date <= as_of) {
        let last = last_by_point.entry(a.point).or_insert(a.date);
        *last = (*last).max(a.date);
    }
    let last_visit = |point: PointId| last_by_point.get(&point).copied();
    assemble(input, &status, &last_visit)
}

/// The report without reading any activity: the status comes from the
/// backend's counters and the last visits from its index, so it costs a
/// few reads however many activities there are. Activity lists and counts
/// per kind are left empty; everything [`super::due::due`] reads is there.
/// `last_visits` must hold each point's latest visit up to the report's day
/// (`Backend::last_visits_until`).
pub fn build_summary(
    input: &ReportInput<'_>,
    status: &crate::domain::YearStatus,
    last_visits: &HashMap<PointId, NaiveDate>,
) -> Report {
    let as_of = as_of(input.year, input.today);
    let last_visit = |point: PointId| last_visits.get(&point).copied().filter(|d| *d <= as_of);
    assemble(input, status, &last_visit)
}

fn assemble(
    input: &ReportInput<'_>,
    status: &crate::domain::YearStatus,
    last_visit_at: &dyn Fn(PointId) -> Option<NaiveDate>,
) -> Report {
    let year = input.year;
    let as_of = as_of(year, input.today);
    let (first_day, last_day) = year_bounds(year);
    let names: HashMap<LeaderId, &str> = input.leaders.iter().map(|l| (l.id, l.name.as_str())).collect();
    let by_id: HashMap<LeaderId, &Leader> = input.leaders.iter().map(|l| (l.id, l)).collect();
    // Grouped once, in input order: filtering all activities and problems
    // for each of 1,000 leaders made a report quadratic (docs/PERFORMANCE.md).
    let held = points_by_leader(input.points);
    let mut by_leader: HashMap<LeaderId, Vec<&Activity>> = HashMap::new();
    for a in input.activities {
        by_leader.entry(a.leader).or_default().push(a);
    }
    let mut by_point: HashMap<PointId, Vec<&Problem>> = HashMap::new();
    for pr in input.problems {
        by_point.entry(pr.point).or_default().push(pr);
    }
    let leaders = status
        .leaders
        .iter()
        .filter_map(|s| by_id.get(&s.id).map(|l| (s, *l)))
        .map(|(s, l)| {
            let point = held
                .get(&l.id)
                .and_then(|ps| best_point(ps.iter().copied(), l.id, year));
            let activities: Vec<Activity> = by_leader
                .get(&l.id)
                .into_iter()
                .flatten()
                .filter(|a| a.date.year() == year && l.in_post_on(a.date))
                .map(|a| (*a).clone())
                .collect();
            let counts = ActivityKind::ALL
                .iter()
                .map(|&kind| KindCount {
                    kind,
                    count: activities.iter().filter(|a| a.kind == kind).count() as u32,
                })
                .filter(|c| c.count > 0)
                .collect();
            // Those of every point the leader held in the year: one closed
            // during it (and the work logged for it) still belongs to the
            // year's report beside the point that followed.
            let problems = held
                .get(&l.id)
                .into_iter()
                .flatten()
                .filter(|p| held_in_year(p, l.id, year))
                .flat_map(|p| by_point.get(&p.id).into_iter().flatten())
                .filter(|pr| {
                    pr.found <= last_day
                        && !(pr.state == ProblemState::Solved && pr.solved.is_some_and(|d| d < first_day))
                })
                .map(|pr| (*pr).clone())
                .collect();
            let last_visit = point.and_then(|p| last_visit_at(p.id));
            let mut missing: Vec<Missing> = s
                .rules
                .iter()
                .filter(|r| !r.met)
                .map(|r| Missing::Rule {
                    rule: r.rule,
                    short: r.missing(),
                })
                .collect();
            if point.is_none() {
                missing.insert(0, Missing::NoPoint);
            }
            LeaderReport {
                id: l.id,
                name: l.name.clone(),
                title: l.title.clone(),
                role: l.role,
                in_post: l.in_post_on(as_of),
                point: point.map(|p| point_report(p, input, &names, as_of, year)),
                counts,
                rules: s.rules.clone(),
                activities,
                problems,
                last_visit,
                days_since_visit: last_visit.map(|d| (as_of - d).num_days()),
                missing,
            }
        })
        .collect();
    let bureau = status
        .bureau
        .iter()
        .map(|r| BureauRule {
            status: *r,
            events: input
                .events
                .iter()
                .filter(|e| e.date.year() == year && r.rule.counted_event() == Some(e.kind))
                .cloned()
                .collect(),
        })
        .collect();
    Report {
        year,
        as_of,
        rubric: input.rubric.clone(),
        leaders,
        bureau,
    }
}

/// The point as it stood on `as_of`: its state, holder and cycle replayed
/// from its history, so a report of a past year is not rewritten by later
/// reviews and hand-overs.
fn point_report(
    p: &ContactPoint,
    input: &ReportInput<'_>,
    names: &HashMap<LeaderId, &str>,
    as_of: NaiveDate,
    year: i32,
) -> PointReport {
    let branch = input.branches.iter().find(|b| b.id == p.branch);
    let name = |id: LeaderId| names.get(&id).map_or_else(|| id.to_string(), |n| n.to_string());
    let mut cycle_start = p.start;
    let mut state = PointState::Active;
    let mut holder = p.history.first().map_or(p.leader, |c| c.leader);
    let mut history = Vec::new();
    let mut judgement = None;
    for c in p.history.iter().filter(|c| c.date <= as_of) {
        if c.state == PointState::Continued {
            // The same rule as the review command: the next cycle starts at
            // the end of this one, or on the review day if that is later.
            cycle_start = add_years(cycle_start, u32::from(p.cycle_years)).max(c.date);
        }
        state = c.state;
        holder = c.leader;
        let line = HistoryLine {
            date: c.date,
            state: c.state,
            leader: name(c.leader),
        };
        if matches!(c.state, PointState::Transformed | PointState::Continued) {
            judgement = Some(line.clone());
        }
        history.push(line);
    }
    let (first, latest) = assessment::first_and_latest(input.assessments, p.id, year)
        .map(|(f, l)| (Some(f.clone()), Some(l.clone())))
        .unwrap_or((None, None));
    PointReport {
        id: p.id,
        branch: branch.map_or_else(String::new, |b| b.name.clone()),
        short: branch.map_or_else(String::new, |b| b.short.clone()),
        start: p.start,
        cycle_start,
        cycle_end: add_years(cycle_start, u32::from(p.cycle_years)),
        state,
        holder,
        history,
        judgement,
        first,
        latest,
    }
}
