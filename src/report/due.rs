//! Reminders: what is still owed, computed from a [`Report`] and a fixed
//! "today", most urgent first.

use chrono::NaiveDate;
use serde::Serialize;

use super::model::Report;
use crate::domain::RuleId;
use crate::domain::date::year_bounds;

/// Cycles ending within this many days are listed.
pub const CYCLE_WINDOW_DAYS: i64 = 60;

/// The default for "no visit in N days".
pub const DEFAULT_DAYS_WITHOUT_VISIT: u32 = 90;

/// One thing owed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Due {
    /// No activity at the point for `days` days (`last` None: none since it started).
    NoVisit {
        leader: String,
        branch: String,
        last: Option<NaiveDate>,
        days: i64,
    },
    /// The point's cycle ends on `cycle_end`: the review is due.
    CycleEnds {
        leader: String,
        branch: String,
        cycle_end: NaiveDate,
    },
    /// A leader rule not yet met.
    Rule {
        leader: String,
        branch: Option<String>,
        rule: RuleId,
        done: u32,
        min: u32,
    },
    /// A bureau rule not yet met.
    Bureau { rule: RuleId, done: u32, min: u32 },
    /// A leader in post with no contact point in the year: one reminder to
    /// assign one, rather than one per rule for visits that cannot be made.
    NoPoint { leader: String },
}

impl Due {
    /// Ties in days left are broken in this order: a visit overdue first.
    fn rank(&self) -> u8 {
        match self {
            Due::NoVisit { .. } => 0,
            Due::CycleEnds { .. } => 1,
            Due::Rule { .. } | Due::NoPoint { .. } => 2,
            Due::Bureau { .. } => 3,
        }
    }
}

/// A reminder with the days left before its deadline (negative: overdue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueItem {
    pub days_left: i64,
    #[serde(flatten)]
    pub what: Due,
}

impl DueItem {
    /// A target of `year` not met, when `year` is over on `today`: shown
    /// as "not done" rather than "0 days left" (a past year's reminders
    /// stand as of its last day). Visit and cycle reminders keep their days.
    pub fn missed(&self, year: i32, today: NaiveDate) -> bool {
        use chrono::Datelike;
        year < today.year()
            && self.days_left == 0
            && matches!(self.what, Due::Rule { .. } | Due::Bureau { .. } | Due::NoPoint { .. })
    }
}

/// Everything owed on `today` for the year of `report`, most urgent first:
/// fewest days left, then the order of [`Due`], then by leader as in the
/// report. Leaders no longer in post owe nothing; a point's reminders go to
/// its holder only (so a handed-over point is not listed twice).
pub fn due(report: &Report, today: NaiveDate, days_without_visit: u32) -> Vec<DueItem> {
    // A past year as it stood at its end: nothing is owed "-2,000 days ago".
    let today = super::model::as_of(report.year, today);
    let year_left = (year_bounds(report.year).1 - today).num_days();
    let limit = i64::from(days_without_visit);
    let mut items: Vec<(usize, DueItem)> = Vec::new();
    for (order, l) in report.leaders.iter().enumerate().filter(|(_, l)| l.in_post) {
        let mut push = |days_left, what| items.push((order, DueItem { days_left, what }));
        if let Some(p) = l.point.as_ref().filter(|p| p.holder == l.id && p.state.is_open()) {
            let since = l.last_visit.unwrap_or(p.start);
            let days = (today - since).num_days();
            if days >= limit {
                push(
                    limit - days,
                    Due::NoVisit {
                        leader: l.name.clone(),
                        branch: p.short.clone(),
                        last: l.last_visit,
                        days,
                    },
                );
            }
            let to_end = (p.cycle_end - today).num_days();
            if to_end <= CYCLE_WINDOW_DAYS {
                push(
                    to_end,
                    Due::CycleEnds {
                        leader: l.name.clone(),
                        branch: p.short.clone(),
                        cycle_end: p.cycle_end,
                    },
                );
            }
        }
        if l.point.is_none() {
            push(year_left, Due::NoPoint { leader: l.name.clone() });
            continue;
        }
        for r in l.rules.iter().filter(|r| !r.met) {
            push(
                year_left,
                Due::Rule {
                    leader: l.name.clone(),
                    branch: l.point.as_ref().map(|p| p.short.clone()),
                    rule: r.rule,
                    done: r.done,
                    min: r.min,
                },
            );
        }
    }
    for b in report.bureau.iter().filter(|b| !b.status.met) {
        items.push((
            usize::MAX,
            DueItem {
                days_left: year_left,
                what: Due::Bureau {
                    rule: b.status.rule,
                    done: b.status.done,
                    min: b.status.min,
                },
            },
        ));
    }
    items.sort_by_key(|(order, i)| (i.days_left, i.what.rank(), *order));
    items.into_iter().map(|(_, i)| i).collect()
}
