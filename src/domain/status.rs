//! The status of a year: per leader and per rule, what was done against the
//! targets; the same for the bureau. A pure function of the records.
//!
//! Counting rules (from the document, made precise):
//! - an activity counts in the year of its date, for the leader who did it,
//!   and only if that leader was in post on that date;
//! - a problem counts in the year it was solved, for the leader who held the
//!   point that day (`solved_by`), again only while in post;
//! - a leader is listed for every year in which they were in post at all.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::kinds::{ProblemState, Role};
use super::records::{Activity, Branch, BureauEvent, ContactPoint, Leader, LeaderId, PointId, Problem};
use super::rules::{RuleId, Target, Targets};

/// One rule's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleStatus {
    pub rule: RuleId,
    pub done: u32,
    pub min: u32,
    pub full: u32,
    pub met: bool,
}

/// Where a rule stands against the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// The minimum is reached.
    Met,
    /// Not yet met, but no more behind than the share of the year gone.
    OnPace,
    /// Fewer done than the share of the year gone asks for.
    Behind,
}

impl RuleStatus {
    pub fn new(rule: RuleId, done: u32, target: Target) -> RuleStatus {
        RuleStatus {
            rule,
            done,
            min: target.min,
            full: target.full,
            met: done >= target.min,
        }
    }

    /// Judges the rule with `elapsed` (0.0–1.0) of the year gone: on pace
    /// means at least the whole visits the elapsed share of the minimum asks
    /// for (0 research visits of 2 is on pace in March, behind in November).
    pub fn pace(&self, elapsed: f64) -> Pace {
        if self.met {
            return Pace::Met;
        }
        let expected = (f64::from(self.min) * elapsed.clamp(0.0, 1.0)).floor() as u32;
        if elapsed >= 1.0 || self.done < expected {
            Pace::Behind
        } else {
            Pace::OnPace
        }
    }

    /// What is still owed to reach the minimum.
    pub fn missing(&self) -> u32 {
        self.min.saturating_sub(self.done)
    }
}

/// One leader's year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderStatus {
    pub id: LeaderId,
    pub name: String,
    pub title: String,
    /// Short name of the contact-point branch held in the year, if any.
    pub branch: Option<String>,
    pub point: Option<PointId>,
    pub role: Role,
    pub rules: Vec<RuleStatus>,
}

/// The whole year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearStatus {
    pub year: i32,
    pub leaders: Vec<LeaderStatus>,
    pub bureau: Vec<RuleStatus>,
}

impl YearStatus {
    pub fn leader(&self, id: LeaderId) -> Option<&LeaderStatus> {
        self.leaders.iter().find(|l| l.id == id)
    }
}

impl LeaderStatus {
    pub fn rule(&self, rule: RuleId) -> Option<&RuleStatus> {
        self.rules.iter().find(|r| r.rule == rule)
    }
}

/// Everything the status of a year is computed from. The slices may hold
/// records of other years too; they are filtered here.
#[derive(Debug, Clone, Copy)]
pub struct StatusInput<'a> {
    pub year: i32,
    pub targets: &'a Targets,
    pub leaders: &'a [Leader],
    pub branches: &'a [Branch],
    pub points: &'a [ContactPoint],
    pub activities: &'a [Activity],
    pub problems: &'a [Problem],
    pub events: &'a [BureauEvent],
}

/// Counts per leader and rule, and per bureau rule, for one year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearCounts {
    pub leader: HashMap<(LeaderId, RuleId), u32>,
    pub bureau: HashMap<RuleId, u32>,
}

impl YearCounts {
    /// Counts the records of `input.year`.
    pub fn count(input: &StatusInput<'_>) -> YearCounts {
        let year = input.year;
        let in_post: HashMap<LeaderId, &Leader> = input.leaders.iter().map(|l| (l.id, l)).collect();
        let counts_for = |leader: LeaderId, date: NaiveDate| {
            date.year() == year && in_post.get(&leader).is_some_and(|l| l.in_post_on(date))
        };
        let mut c = YearCounts::default();
        for a in input.activities {
            if let Some(rule) = RuleId::for_kind(a.kind)
                && counts_for(a.leader, a.date)
            {
                *c.leader.entry((a.leader, rule)).or_default() += 1;
            }
        }
        for p in input.problems {
            if p.state == ProblemState::Solved
                && let (Some(date), Some(by)) = (p.solved, p.solved_by)
                && counts_for(by, date)
            {
                *c.leader.entry((by, RuleId::ProblemsSolved)).or_default() += 1;
            }
        }
        for e in input.events.iter().filter(|e| e.date.year() == year) {
            if let Some(rule) = RuleId::BUREAU.into_iter().find(|r| r.counted_event() == Some(e.kind)) {
                *c.bureau.entry(rule).or_default() += 1;
            }
        }
        c
    }
}

/// The point a leader held in `year`: of those they held on a day of the
/// year, the open one they hold now, else the latest. None for a year they
/// held none (a point closed as transformed in an earlier year is not
/// theirs any more).
pub fn point_in_year(points: &[ContactPoint], leader: LeaderId, year: i32) -> Option<&ContactPoint> {
    best_point(points.iter(), leader, year)
}

/// [`point_in_year`] among `candidates` (in the order of the points).
pub(crate) fn best_point<'a>(
    candidates: impl Iterator<Item = &'a ContactPoint>,
    leader: LeaderId,
    year: i32,
) -> Option<&'a ContactPoint> {
    candidates
        .filter(|p| held_in_year(p, leader, year))
        .max_by_key(|p| (p.leader == leader && p.state.is_open(), p.start, p.id))
}

/// Whether `leader` held `point` on a day of `year`.
pub(crate) fn held_in_year(point: &ContactPoint, leader: LeaderId, year: i32) -> bool {
    let (first, last) = super::date::year_bounds(year);
    point.start <= last
        && point
            .spans_of(leader)
            .iter()
            .any(|(from, to)| *from <= last && to.is_none_or(|to| to >= first))
}

/// The points each leader holds or held, in the order of `points`: a
/// status looks a point up for every leader, and scanning all points for
/// each made it quadratic (1,000 leaders × 1,000 points, most of a status
/// at provincial scale; docs/PERFORMANCE.md).
pub(crate) fn points_by_leader(points: &[ContactPoint]) -> HashMap<LeaderId, Vec<&ContactPoint>> {
    let mut out: HashMap<LeaderId, Vec<&ContactPoint>> = HashMap::new();
    for p in points {
        let mut holders: Vec<LeaderId> = std::iter::once(p.leader)
            .chain(p.history.iter().map(|c| c.leader))
            .collect();
        holders.sort_unstable();
        holders.dedup();
        for l in holders {
            out.entry(l).or_default().push(p);
        }
    }
    out
}

/// The status of `input.year` from its counts.
pub fn year_status(input: &StatusInput<'_>) -> YearStatus {
    status_from_counts(input, &YearCounts::count(input))
}

/// Builds the status from counts kept elsewhere (e.g. updated on write).
pub fn status_from_counts(input: &StatusInput<'_>, counts: &YearCounts) -> YearStatus {
    let branches: HashMap<_, _> = input.branches.iter().map(|b| (b.id, b)).collect();
    let held = points_by_leader(input.points);
    let mut leaders: Vec<&Leader> = input.leaders.iter().filter(|l| l.in_post_during(input.year)).collect();
    // The secretary first, then in the order they were entered.
    leaders.sort_by_key(|l| (l.role != Role::Secretary, l.id));
    let leaders = leaders
        .into_iter()
        .map(|l| {
            let point = held
                .get(&l.id)
                .and_then(|ps| best_point(ps.iter().copied(), l.id, input.year));
            let rules = RuleId::LEADER
                .into_iter()
                .map(|rule| {
                    let done = counts.leader.get(&(l.id, rule)).copied().unwrap_or(0);
                    RuleStatus::new(rule, done, input.targets.get(l.role, rule))
                })
                .collect();
            LeaderStatus {
                id: l.id,
                name: l.name.clone(),
                title: l.title.clone(),
                branch: point.and_then(|p| branches.get(&p.branch)).map(|b| b.short.clone()),
                point: point.map(|p| p.id),
                role: l.role,
                rules,
            }
        })
        .collect();
    let bureau = RuleId::BUREAU
        .into_iter()
        .map(|rule| {
            let done = counts.bureau.get(&rule).copied().unwrap_or(0);
            RuleStatus::new(rule, done, input.targets.get(Role::Secretary, rule))
        })
        .collect();
    YearStatus {
        year: input.year,
        leaders,
        bureau,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kinds::{ActivityKind, EventKind, PointState, ProblemCategory};
    use crate::domain::records::PointChange;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn leader(id: u64, name: &str, role: Role, from: &str, to: Option<&str>) -> Leader {
        Leader {
            id,
            name: name.into(),
            title: "副局长".into(),
            role,
            own_branch: None,
            in_post_from: d(from),
            in_post_to: to.map(d),
        }
    }

    fn act(id: u64, leader: u64, kind: ActivityKind, date: &str) -> Activity {
        Activity {
            id,
            date: d(date),
            leader,
            point: leader,
            kind,
            place: None,
            participants: None,
            findings: None,
            actions: None,
            note: None,
        }
    }

    fn solved(id: u64, by: u64, found: &str, on: Option<&str>) -> Problem {
        Problem {
            id,
            point: by,
            leader: by,
            category: ProblemCategory::Other,
            description: "x".into(),
            found: d(found),
            measures: None,
            state: if on.is_some() {
                ProblemState::Solved
            } else {
                ProblemState::Open
            },
            solved: on.map(d),
            solved_by: on.map(|_| by),
        }
    }

    fn point(id: u64, leader: u64, branch: u64, start: &str) -> ContactPoint {
        ContactPoint {
            id,
            leader,
            branch,
            start: d(start),
            cycle_start: d(start),
            cycle_years: 2,
            state: PointState::Active,
            history: vec![PointChange {
                date: d(start),
                state: PointState::Active,
                leader,
            }],
        }
    }

    fn branch(id: u64, short: &str) -> Branch {
        Branch {
            id,
            name: format!("中共{short}党支部"),
            short: short.into(),
            parent: None,
            category: None,
            weaknesses: vec![],
        }
    }

    /// A hand-counted fixture: leader 1 (secretary) and 2 (member, left the
    /// post on 2020-10-31), leader 3 (joined 2021).
    #[allow(clippy::type_complexity)] // a test fixture: one tuple of the record lists
    fn fixture() -> (
        Vec<Leader>,
        Vec<Branch>,
        Vec<ContactPoint>,
        Vec<Activity>,
        Vec<Problem>,
        Vec<BureauEvent>,
    ) {
        let leaders = vec![
            leader(1, "瑞林", Role::Secretary, "2018-01-01", None),
            leader(2, "俊华", Role::Member, "2019-01-01", Some("2020-10-31")),
            leader(3, "新人", Role::Member, "2021-03-01", None),
        ];
        let branches = vec![branch(1, "体彩中心"), branch(2, "夏季保障三支部")];
        let points = vec![point(1, 1, 1, "2020-08-28"), point(2, 2, 2, "2020-08-28")];
        let activities = vec![
            act(1, 1, ActivityKind::Research, "2020-09-10"),
            act(2, 1, ActivityKind::Research, "2020-11-02"),
            act(3, 1, ActivityKind::Research, "2021-01-05"),  // next year
            act(4, 1, ActivityKind::Lecture, "2020-09-25"),   // org life
            act(5, 1, ActivityKind::Interview, "2020-09-11"), // counts for no rule
            act(6, 2, ActivityKind::Research, "2020-10-30"),  // in post
            act(7, 2, ActivityKind::Research, "2020-11-15"),  // after leaving: not counted
            act(8, 2, ActivityKind::ThemeDay, "2020-10-01"),
            act(9, 2, ActivityKind::HomeVisit, "2020-10-02"),
        ];
        let problems = vec![
            solved(1, 1, "2020-09-10", Some("2020-12-01")),
            solved(2, 1, "2020-09-10", Some("2021-02-01")), // counts in 2021
            solved(3, 1, "2020-09-10", None),
            solved(4, 2, "2020-09-10", Some("2020-10-20")),
        ];
        let events = vec![
            BureauEvent {
                id: 1,
                kind: EventKind::Training,
                date: d("2020-10-10"),
                note: None,
            },
            BureauEvent {
                id: 2,
                kind: EventKind::ThematicStudy,
                date: d("2020-07-10"),
                note: None,
            },
            BureauEvent {
                id: 3,
                kind: EventKind::ThematicStudy,
                date: d("2020-12-10"),
                note: None,
            },
            BureauEvent {
                id: 4,
                kind: EventKind::Analysis,
                date: d("2021-01-10"),
                note: None,
            },
        ];
        (leaders, branches, points, activities, problems, events)
    }

    fn status(year: i32, targets: &Targets) -> YearStatus {
        let (l, b, p, a, pr, e) = fixture();
        year_status(&StatusInput {
            year,
            targets,
            leaders: &l,
            branches: &b,
            points: &p,
            activities: &a,
            problems: &pr,
            events: &e,
        })
    }

    fn done(s: &YearStatus, leader: u64, rule: RuleId) -> (u32, bool) {
        let r = s.leader(leader).unwrap().rule(rule).unwrap();
        (r.done, r.met)
    }

    #[test]
    fn counts_2020_by_hand() {
        let s = status(2020, &Targets::default());
        assert_eq!(s.leaders.iter().map(|l| l.id).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(done(&s, 1, RuleId::Research), (2, true));
        assert_eq!(done(&s, 1, RuleId::ProblemsSolved), (1, true));
        assert_eq!(done(&s, 1, RuleId::OrgLife), (1, true));
        assert_eq!(done(&s, 2, RuleId::Research), (1, false));
        assert_eq!(done(&s, 2, RuleId::ProblemsSolved), (1, true));
        assert_eq!(done(&s, 2, RuleId::OrgLife), (2, true));
        let bureau: Vec<_> = s.bureau.iter().map(|r| (r.rule, r.done, r.met)).collect();
        assert_eq!(
            bureau,
            vec![
                (RuleId::Training, 1, true),
                (RuleId::ThematicStudy, 2, true),
                (RuleId::OwnBranchAnalysis, 0, false)
            ]
        );
        assert_eq!(s.leader(1).unwrap().branch.as_deref(), Some("体彩中心"));
    }

    #[test]
    fn counts_2021_by_hand() {
        let s = status(2021, &Targets::default());
        // Leader 2 left in 2020; leader 3 joined in 2021 without a point.
        assert_eq!(s.leaders.iter().map(|l| l.id).collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!(done(&s, 1, RuleId::Research), (1, false));
        assert_eq!(done(&s, 1, RuleId::ProblemsSolved), (1, true));
        assert_eq!(s.leader(3).unwrap().branch, None);
        assert_eq!(s.bureau[2].done, 1);
    }

    #[test]
    fn targets_of_the_year_decide_met() {
        let mut t = Targets::default();
        t.set(Some(Role::Secretary), RuleId::Research, Target::new(3, 4));
        let s = status(2020, &t);
        assert_eq!(done(&s, 1, RuleId::Research), (2, false));
        let r = s.leader(1).unwrap().rule(RuleId::Research).unwrap();
        assert_eq!((r.min, r.full), (3, 4));
        // The member's target did not change.
        assert_eq!(s.leader(2).unwrap().rule(RuleId::Research).unwrap().min, 2);
    }

    #[test]
    fn pace_follows_the_calendar() {
        let r = RuleStatus::new(RuleId::Research, 0, Target::new(2, 2));
        let march = crate::domain::date::year_elapsed(2020, d("2020-03-15"));
        let november = crate::domain::date::year_elapsed(2020, d("2020-11-15"));
        assert_eq!(r.pace(march), Pace::OnPace);
        assert_eq!(r.pace(november), Pace::Behind);
        let one = RuleStatus::new(RuleId::Research, 1, Target::new(2, 2));
        assert_eq!(one.pace(november), Pace::OnPace);
        assert_eq!(one.pace(1.0), Pace::Behind);
        assert_eq!(
            RuleStatus::new(RuleId::Research, 2, Target::new(2, 2)).pace(0.1),
            Pace::Met
        );
        assert_eq!(one.missing(), 1);
    }

    #[test]
    fn json_shape() {
        let s = status(2020, &Targets::default());
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["year"], 2020);
        assert_eq!(v["leaders"][0]["name"], "瑞林");
        assert_eq!(v["leaders"][0]["rules"][0]["rule"], "research");
        assert_eq!(v["leaders"][0]["rules"][1]["rule"], "problems_solved");
        assert_eq!(v["leaders"][0]["rules"][1]["full"], 2);
        assert_eq!(v["bureau"][2]["rule"], "own_branch_analysis");
        assert_eq!(v["bureau"][2]["met"], false);
    }
    /// A point closed as transformed is the leader's in the years they held
    /// it, not after; a new one takes over from its first year.
    #[test]
    fn a_closed_point_is_not_held_in_later_years() {
        let mut old = point(1, 1, 1, "2020-08-28");
        old.state = PointState::Transformed;
        old.history.push(PointChange {
            date: d("2022-08-28"),
            state: PointState::Transformed,
            leader: 1,
        });
        let new = point(2, 1, 2, "2024-03-01");
        let points = vec![old, new];
        let held = |year| point_in_year(&points, 1, year).map(|p| p.id);
        assert_eq!(held(2019), None);
        assert_eq!(held(2022), Some(1));
        assert_eq!(held(2023), None);
        assert_eq!(held(2024), Some(2));
    }

    /// The per-leader grouping a status uses picks the same point as
    /// `point_in_year` over all points, hand-overs and repeats included.
    #[test]
    fn grouped_points_pick_what_point_in_year_picks() {
        let point = |id: u64, leader: u64, start: &str, state: PointState, history: Vec<PointChange>| ContactPoint {
            id,
            leader,
            branch: id,
            start: d(start),
            cycle_start: d(start),
            cycle_years: 2,
            state,
            history,
        };
        let handed = |date: &str, leader: u64| PointChange {
            date: d(date),
            state: PointState::HandedOver,
            leader,
        };
        let points = vec![
            point(1, 2, "2019-01-01", PointState::Active, vec![handed("2020-06-01", 1)]),
            point(2, 1, "2021-03-01", PointState::Active, vec![]),
            point(
                3,
                1,
                "2018-01-01",
                PointState::Transformed,
                vec![handed("2019-01-01", 1), handed("2019-02-01", 1)],
            ),
            point(4, 3, "2022-01-01", PointState::Continued, vec![]),
            point(5, 3, "2022-01-01", PointState::Active, vec![handed("2023-01-01", 2)]),
        ];
        let held = points_by_leader(&points);
        for leader in 0..5 {
            for year in 2017..2025 {
                let grouped = held
                    .get(&leader)
                    .and_then(|ps| best_point(ps.iter().copied(), leader, year));
                assert_eq!(
                    grouped.map(|p| p.id),
                    point_in_year(&points, leader, year).map(|p| p.id),
                    "leader {leader} in {year}"
                );
            }
        }
    }
}
