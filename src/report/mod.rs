//! The year's reports and reminders (issue 5): a pure model built from the
//! records ([`model`]), its renderings ([`markdown`], [`csv`], [`xlsx`]) and
//! what is still owed ([`due`]). The work plan lives in `domain::plan`.

pub mod csv;
pub mod due;
pub mod markdown;
pub mod model;
pub mod xlsx;

pub use model::{Report, ReportInput, build};

use crate::api::{ActivityFilter, Backend};
use crate::error::Result;

/// Gathers what a report of `year` needs through the [`Backend`] and builds it.
pub fn load(backend: &dyn Backend, year: i32, today: chrono::NaiveDate) -> Result<Report> {
    let targets = backend.targets(year)?;
    let rubric = backend.rubric(year)?;
    let leaders = backend.leaders()?;
    let branches = backend.branches()?;
    let points = backend.points()?;
    // Every year's activities: the last visit may lie in an earlier year.
    let activities = backend.activities(&ActivityFilter::default())?;
    let problems = backend.problems()?;
    let events = backend.events(Some(year))?;
    let assessments = backend.assessments(None)?;
    Ok(build(&ReportInput {
        year,
        today,
        targets: &targets,
        rubric: &rubric,
        leaders: &leaders,
        branches: &branches,
        points: &points,
        activities: &activities,
        problems: &problems,
        events: &events,
        assessments: &assessments,
    }))
}

/// The report as far as the reminders need it, without reading any
/// activity (see [`model::build_summary`]): what the workbench's board uses.
pub fn load_summary(backend: &dyn Backend, year: i32, today: chrono::NaiveDate) -> Result<Report> {
    let targets = backend.targets(year)?;
    let rubric = backend.rubric(year)?;
    let leaders = backend.leaders()?;
    let branches = backend.branches()?;
    let points = backend.points()?;
    let problems = backend.problems()?;
    let events = backend.events(Some(year))?;
    let status = backend.year_status(year)?;
    let last_visits = backend
        .last_visits_until(model::as_of(year, today))?
        .into_iter()
        .collect();
    let input = ReportInput {
        year,
        today,
        targets: &targets,
        rubric: &rubric,
        leaders: &leaders,
        branches: &branches,
        points: &points,
        activities: &[],
        problems: &problems,
        events: &events,
        assessments: &[],
    };
    Ok(model::build_summary(&input, &status, &last_visits))
}

use crate::domain::RuleStatus;
use crate::i18n::{Label, Lang, fill};
use model::{KindCount, Missing};

/// "✓ 2/2", or "✗ 1/1–2" when the full mark is above the minimum.
pub fn rule_cell(r: &RuleStatus) -> String {
    let mark = if r.met { "✓" } else { "✗" };
    if r.full > r.min {
        format!("{mark} {}/{}–{}", r.done, r.min, r.full)
    } else {
        format!("{mark} {}/{}", r.done, r.min)
    }
}

/// "蹲点调研 2 次、专题党课 1 次", the form such reports use.
pub fn counts_line(lang: Lang, counts: &[KindCount]) -> String {
    let t = lang.report();
    if counts.is_empty() {
        return t.none.to_string();
    }
    counts
        .iter()
        .map(|c| fill(t.count_item, &[&c.kind.label(lang), &c.count]))
        .collect::<Vec<_>>()
        .join(t.list_sep)
}

/// The plain list of what is missing ("无" when nothing is).
pub fn missing_line(lang: Lang, missing: &[Missing]) -> String {
    let t = lang.report();
    if missing.is_empty() {
        return t.none.to_string();
    }
    missing
        .iter()
        .map(|m| match m {
            Missing::Rule { rule, short } => fill(t.missing_rule, &[&rule.label(lang), &how_many(lang, *rule, *short)]),
            Missing::NoPoint => t.no_point.to_string(),
        })
        .collect::<Vec<_>>()
        .join(t.list_sep)
}

/// "2 次" or "1 个" (problems are counted, visits are times); plain numbers
/// in English.
fn how_many(lang: Lang, rule: crate::domain::RuleId, n: u32) -> String {
    let unit = match rule {
        crate::domain::RuleId::ProblemsSolved => lang.pick(" 个", ""),
        _ => lang.pick(" 次", ""),
    };
    format!("{n}{unit}")
}

/// One reminder as a line (the command line's `due` and the board's panel).
pub fn due_line(lang: Lang, d: &due::Due) -> String {
    let t = lang.report();
    match d {
        due::Due::NoVisit {
            leader,
            branch,
            last: Some(last),
            days,
        } => fill(t.due_no_visit, &[leader, branch, days, last]),
        due::Due::NoVisit {
            leader,
            branch,
            last: None,
            days,
        } => fill(t.due_never, &[leader, branch, days]),
        due::Due::CycleEnds {
            leader,
            branch,
            cycle_end,
        } => fill(t.due_cycle, &[leader, branch, cycle_end]),
        due::Due::Rule {
            leader,
            rule,
            done,
            min,
            ..
        } => fill(
            t.due_rule,
            &[
                leader,
                &rule.label(lang),
                &how_many(lang, *rule, min.saturating_sub(*done)),
                done,
                min,
            ],
        ),
        due::Due::Bureau { rule, done, min } => fill(
            t.due_bureau,
            &[
                &rule.label(lang),
                &how_many(lang, *rule, min.saturating_sub(*done)),
                done,
                min,
            ],
        ),
        due::Due::NoPoint { leader } => fill(t.due_no_point, &[leader]),
    }
}
