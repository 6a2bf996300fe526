//! Checks and cleans a record before it is stored. Each function takes the
//! record as the user filled it in and returns it with its text cleaned, or
//! the first thing wrong with it. The store calls these inside every write,
//! so no front end can skip them.

use chrono::NaiveDate;

use super::date;
use super::error::{DomainError, DomainResult, Field};
use super::records::{Activity, Branch, BureauEvent, Leader, Problem};
use super::rules::Target;
use super::text::{self, MAX_NAME_CHARS, MAX_NOTE_CHARS};

/// The longest cycle a contact point may be given, in years.
pub const MAX_CYCLE_YEARS: u32 = 10;

fn name(field: Field, s: &str) -> DomainResult<String> {
    text::clean(s, MAX_NAME_CHARS, true).map_err(|problem| DomainError::Text { field, problem })
}

fn opt_name(field: Field, s: &Option<String>) -> DomainResult<Option<String>> {
    text::clean_optional(s.as_deref(), MAX_NAME_CHARS).map_err(|problem| DomainError::Text { field, problem })
}

fn opt_note(field: Field, s: &Option<String>) -> DomainResult<Option<String>> {
    text::clean_optional(s.as_deref(), MAX_NOTE_CHARS).map_err(|problem| DomainError::Text { field, problem })
}

/// A date stored in a record must lie in the accepted years.
pub fn stored_date(d: NaiveDate) -> DomainResult<NaiveDate> {
    date::check_range(d).map_err(|problem| DomainError::Date {
        input: d.to_string(),
        problem,
    })
}

pub fn year(y: i64) -> DomainResult<i32> {
    i32::try_from(y)
        .ok()
        .and_then(|y| date::check_year(y).ok())
        .ok_or(DomainError::Year(y))
}

pub fn leader(mut l: Leader) -> DomainResult<Leader> {
    l.name = name(Field::Name, &l.name)?;
    l.title = name(Field::Title, &l.title)?;
    stored_date(l.in_post_from)?;
    if let Some(to) = l.in_post_to {
        stored_date(to)?;
        if to < l.in_post_from {
            return Err(DomainError::PostEndsBeforeStart {
                from: l.in_post_from,
                to,
            });
        }
    }
    Ok(l)
}

pub fn branch(mut b: Branch) -> DomainResult<Branch> {
    b.name = name(Field::Name, &b.name)?;
    b.short = if b.short.trim().is_empty() {
        b.name.clone()
    } else {
        name(Field::ShortName, &b.short)?
    };
    b.parent = opt_name(Field::Parent, &b.parent)?;
    b.category = opt_name(Field::Category, &b.category)?;
    b.weaknesses.sort();
    b.weaknesses.dedup();
    Ok(b)
}

pub fn activity(mut a: Activity) -> DomainResult<Activity> {
    stored_date(a.date)?;
    a.place = opt_name(Field::Place, &a.place)?;
    a.participants = opt_note(Field::Participants, &a.participants)?;
    a.findings = opt_note(Field::Findings, &a.findings)?;
    a.actions = opt_note(Field::Actions, &a.actions)?;
    a.note = opt_note(Field::Note, &a.note)?;
    Ok(a)
}

pub fn problem(mut p: Problem) -> DomainResult<Problem> {
    p.description = text::clean(&p.description, MAX_NOTE_CHARS, true).map_err(|problem| DomainError::Text {
        field: Field::Description,
        problem,
    })?;
    stored_date(p.found)?;
    p.measures = opt_note(Field::Measures, &p.measures)?;
    if let Some(solved) = p.solved {
        stored_date(solved)?;
        if solved < p.found {
            return Err(DomainError::SolvedBeforeFound { found: p.found, solved });
        }
    }
    Ok(p)
}

pub fn event(mut e: BureauEvent) -> DomainResult<BureauEvent> {
    stored_date(e.date)?;
    e.note = opt_note(Field::Note, &e.note)?;
    Ok(e)
}

pub fn cycle_years(n: u32) -> DomainResult<u8> {
    if (1..=MAX_CYCLE_YEARS).contains(&n) {
        Ok(n as u8)
    } else {
        Err(DomainError::CycleLength(n))
    }
}

/// The largest yearly number a target may ask for.
pub const MAX_TARGET: u32 = 1000;

pub fn target(t: Target) -> DomainResult<Target> {
    if t.min > t.full || t.full > MAX_TARGET {
        return Err(DomainError::BadTarget {
            min: t.min,
            full: t.full,
        });
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kinds::{ActivityKind, ProblemCategory, ProblemState, Role};
    use crate::domain::text::TextProblem;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn leader_names_are_cleaned_and_required() {
        let mut l = Leader {
            id: 0,
            name: " 瑞林 ".into(),
            title: "书记、局长".into(),
            role: Role::Secretary,
            own_branch: None,
            in_post_from: d("2018-01-01"),
            in_post_to: None,
        };
        assert_eq!(leader(l.clone()).unwrap().name, "瑞林");
        l.name = "  ".into();
        assert_eq!(
            leader(l.clone()),
            Err(DomainError::Text {
                field: Field::Name,
                problem: TextProblem::Empty
            })
        );
        l.name = "x".into();
        l.in_post_to = Some(d("2017-01-01"));
        assert!(matches!(leader(l), Err(DomainError::PostEndsBeforeStart { .. })));
    }

    #[test]
    fn long_notes_and_escapes_refused() {
        let mut a = Activity {
            id: 0,
            date: d("2020-09-10"),
            leader: 1,
            point: 1,
            kind: ActivityKind::Research,
            place: None,
            participants: None,
            findings: None,
            actions: None,
            note: Some("x".repeat(MAX_NOTE_CHARS + 1)),
        };
        assert!(matches!(
            activity(a.clone()),
            Err(DomainError::Text { field: Field::Note, .. })
        ));
        a.note = Some("好\u{1b}]52;c;AAAA\u{7}".into());
        assert!(matches!(
            activity(a.clone()),
            Err(DomainError::Text { field: Field::Note, .. })
        ));
        a.note = Some(" ".into());
        assert_eq!(activity(a).unwrap().note, None);
    }

    #[test]
    fn problem_dates_in_order() {
        let p = Problem {
            id: 0,
            point: 1,
            leader: 1,
            category: ProblemCategory::Other,
            description: "班子配备不齐".into(),
            found: d("2020-09-10"),
            measures: None,
            state: ProblemState::Solved,
            solved: Some(d("2020-09-01")),
            solved_by: Some(1),
        };
        assert!(matches!(problem(p), Err(DomainError::SolvedBeforeFound { .. })));
    }

    #[test]
    fn branch_short_defaults_to_name() {
        let b = Branch {
            id: 0,
            name: "中共吉林省体育科学研究所党支部".into(),
            short: "".into(),
            parent: Some(" ".into()),
            category: None,
            weaknesses: vec![],
        };
        let b = branch(b).unwrap();
        assert_eq!(b.short, b.name);
        assert_eq!(b.parent, None);
    }

    #[test]
    fn numbers() {
        assert!(cycle_years(0).is_err());
        assert_eq!(cycle_years(2), Ok(2));
        assert!(target(Target::new(3, 2)).is_err());
        assert!(target(Target::new(1, 2)).is_ok());
        assert!(year(-1).is_err());
        assert!(year(i64::MAX).is_err());
        assert_eq!(year(2020), Ok(2020));
    }
}
