//! The year-end assessment of a contact point against the "五好一满意" goal
//! (四, 一目标): five dimensions graded on a short scale, and the public's
//! satisfaction as a percentage from a survey.
//!
//! The names of the dimensions and of the grades belong to a year's
//! [`Rubric`], so another bureau can rename them; an assessment stores
//! grades as positions on the scale (0 = best), which survive a renaming.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::{DomainError, DomainResult, Field};
use super::records::{LeaderId, PointId};
use super::text::{self, MAX_NAME_CHARS, MAX_NOTE_CHARS};

/// The most dimensions or grades a rubric may name (a screen must show them).
pub const MAX_RUBRIC_ITEMS: usize = 10;

/// What an assessment scores: the dimensions and the grade scale, best first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rubric {
    /// The "五好" dimensions, e.g. 配强好书记.
    pub dimensions: Vec<String>,
    /// The grade scale, best first, e.g. 好 / 较好 / 一般 / 差.
    pub grades: Vec<String>,
    /// The name of the satisfaction score, e.g. 群众满意.
    pub satisfaction: String,
}

impl Default for Rubric {
    /// The document's "五好一满意".
    fn default() -> Self {
        Rubric {
            dimensions: ["配强好书记", "建设好队伍", "落实好制度", "开展好服务", "做出好业绩"]
                .map(String::from)
                .to_vec(),
            grades: ["好", "较好", "一般", "差"].map(String::from).to_vec(),
            satisfaction: "群众满意".into(),
        }
    }
}

impl Rubric {
    /// The position of a grade typed by a person: its name, or its number on
    /// the scale counted from 1 (so `1` is the best grade).
    pub fn grade(&self, input: &str) -> DomainResult<u8> {
        let s = input.trim();
        if let Some(i) = self.grades.iter().position(|g| g == s) {
            return Ok(i as u8);
        }
        match s.parse::<usize>() {
            Ok(n) if (1..=self.grades.len()).contains(&n) => Ok((n - 1) as u8),
            _ => Err(DomainError::UnknownGrade {
                input: s.to_string(),
                accepted: self.grades.join("/"),
            }),
        }
    }

    /// The name of a grade position ("?" for one the rubric does not have).
    pub fn grade_name(&self, grade: u8) -> &str {
        self.grades.get(usize::from(grade)).map_or("?", String::as_str)
    }

    /// The name of a dimension position.
    pub fn dimension_name(&self, index: usize) -> &str {
        self.dimensions.get(index).map_or("?", String::as_str)
    }
}

/// Picks the rubric in force for `year` from those set for particular years:
/// the latest year ≤ `year`, else the document's (like targets).
pub fn rubric_for(year: i32, set: &[(i32, Rubric)]) -> Rubric {
    set.iter()
        .filter(|(y, _)| *y <= year)
        .max_by_key(|(y, _)| *y)
        .map(|(_, r)| r.clone())
        .unwrap_or_default()
}

/// Checks and cleans a rubric before it is stored.
pub fn validate_rubric(mut r: Rubric) -> DomainResult<Rubric> {
    let clean = |s: &str| {
        text::clean(s, MAX_NAME_CHARS, true).map_err(|problem| DomainError::Text {
            field: Field::Name,
            problem,
        })
    };
    for list in [&mut r.dimensions, &mut r.grades] {
        if list.is_empty() || list.len() > MAX_RUBRIC_ITEMS {
            return Err(DomainError::RubricSize {
                got: list.len(),
                max: MAX_RUBRIC_ITEMS,
            });
        }
        for item in list.iter_mut() {
            *item = clean(item)?;
        }
        let mut seen = list.clone();
        seen.sort();
        seen.dedup();
        if seen.len() != list.len() {
            return Err(DomainError::RubricDuplicate(list.join("/")));
        }
    }
    r.satisfaction = clean(&r.satisfaction)?;
    Ok(r)
}

/// One dimension's grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimensionGrade {
    /// Position on the rubric's scale, 0 = best.
    pub grade: u8,
    pub note: Option<String>,
}

/// The assessment of one contact point for one year. One per point and
/// year: recording it again replaces it (the audit log keeps the old one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub point: PointId,
    pub year: i32,
    /// The holder of the point when it was assessed.
    pub leader: LeaderId,
    /// When the assessment was made (e.g. the 述职评议考核 meeting).
    pub date: NaiveDate,
    /// One per dimension of the year's rubric, in its order.
    pub grades: Vec<DimensionGrade>,
    /// 群众满意: share of satisfied answers in the survey, 0–100.
    pub satisfaction: u8,
    pub note: Option<String>,
}

impl Assessment {
    /// The mean grade position (lower is better), for a one-number comparison.
    pub fn mean_grade(&self) -> Option<f64> {
        if self.grades.is_empty() {
            return None;
        }
        let sum: u32 = self.grades.iter().map(|g| u32::from(g.grade)).sum();
        Some(f64::from(sum) / self.grades.len() as f64)
    }
}

/// A satisfaction percentage typed by a person.
pub fn satisfaction(input: i64) -> DomainResult<u8> {
    u8::try_from(input)
        .ok()
        .filter(|p| *p <= 100)
        .ok_or(DomainError::Satisfaction(input))
}

/// Checks an assessment against the rubric of its year and cleans its text.
pub fn validate_assessment(mut a: Assessment, rubric: &Rubric) -> DomainResult<Assessment> {
    super::validate::year(i64::from(a.year))?;
    super::validate::stored_date(a.date)?;
    if a.grades.len() != rubric.dimensions.len() {
        return Err(DomainError::GradeCount {
            expected: rubric.dimensions.len(),
            got: a.grades.len(),
        });
    }
    for g in &mut a.grades {
        if usize::from(g.grade) >= rubric.grades.len() {
            return Err(DomainError::UnknownGrade {
                input: (u32::from(g.grade) + 1).to_string(),
                accepted: rubric.grades.join("/"),
            });
        }
        g.note = text::clean_optional(g.note.as_deref(), MAX_NOTE_CHARS).map_err(|problem| DomainError::Text {
            field: Field::Note,
            problem,
        })?;
    }
    satisfaction(i64::from(a.satisfaction))?;
    a.note = text::clean_optional(a.note.as_deref(), MAX_NOTE_CHARS).map_err(|problem| DomainError::Text {
        field: Field::Note,
        problem,
    })?;
    Ok(a)
}

/// The first and the latest assessment of a point up to `year` (the same
/// one twice when there is only one), for the side-by-side comparison.
pub fn first_and_latest(all: &[Assessment], point: PointId, year: i32) -> Option<(&Assessment, &Assessment)> {
    let mine = || all.iter().filter(|a| a.point == point && a.year <= year);
    let first = mine().min_by_key(|a| a.year)?;
    let latest = mine().max_by_key(|a| a.year)?;
    Some((first, latest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn a(point: u64, year: i32, grades: &[u8], sat: u8) -> Assessment {
        Assessment {
            point,
            year,
            leader: 1,
            date: d(&format!("{year}-12-20")),
            grades: grades
                .iter()
                .map(|&g| DimensionGrade { grade: g, note: None })
                .collect(),
            satisfaction: sat,
            note: None,
        }
    }

    #[test]
    fn grades_by_name_or_number() {
        let r = Rubric::default();
        assert_eq!(r.grade("好"), Ok(0));
        assert_eq!(r.grade(" 一般 "), Ok(2));
        assert_eq!(r.grade("4"), Ok(3));
        assert!(matches!(r.grade("优"), Err(DomainError::UnknownGrade { .. })));
        assert!(r.grade("5").is_err());
        assert!(r.grade("0").is_err());
    }

    #[test]
    fn satisfaction_is_a_percentage() {
        assert_eq!(satisfaction(0), Ok(0));
        assert_eq!(satisfaction(100), Ok(100));
        assert_eq!(satisfaction(101), Err(DomainError::Satisfaction(101)));
        assert_eq!(satisfaction(-1), Err(DomainError::Satisfaction(-1)));
    }

    #[test]
    fn assessment_must_fit_the_rubric() {
        let r = Rubric::default();
        assert!(validate_assessment(a(1, 2020, &[0, 1, 2, 0, 0], 86), &r).is_ok());
        assert_eq!(
            validate_assessment(a(1, 2020, &[0, 1], 86), &r),
            Err(DomainError::GradeCount { expected: 5, got: 2 })
        );
        assert!(validate_assessment(a(1, 2020, &[0, 1, 2, 0, 4], 86), &r).is_err());
        assert!(validate_assessment(a(1, 2020, &[0, 1, 2, 0, 0], 101), &r).is_err());
    }

    #[test]
    fn a_renamed_rubric_keeps_positions() {
        let r = Rubric {
            grades: vec!["优秀".into(), "良好".into(), "合格".into(), "不合格".into()],
            ..Rubric::default()
        };
        assert_eq!(r.grade("良好"), Ok(1));
        assert_eq!(r.grade_name(1), "良好");
        let set = [(2021, r.clone())];
        assert_eq!(rubric_for(2020, &set), Rubric::default());
        assert_eq!(rubric_for(2022, &set), r);
    }

    #[test]
    fn rubric_checks() {
        let r = Rubric {
            grades: vec!["好".into(), "好".into()],
            ..Rubric::default()
        };
        assert!(matches!(validate_rubric(r), Err(DomainError::RubricDuplicate(_))));
        let mut r = Rubric::default();
        r.dimensions.clear();
        assert!(matches!(validate_rubric(r), Err(DomainError::RubricSize { .. })));
        assert!(validate_rubric(Rubric::default()).is_ok());
    }

    #[test]
    fn first_and_latest_up_to_the_year() {
        let all = vec![
            a(1, 2021, &[1, 1, 1, 1, 1], 80),
            a(1, 2020, &[2, 2, 3, 2, 2], 60),
            a(1, 2022, &[0, 0, 0, 0, 0], 95),
            a(2, 2020, &[0, 0, 0, 0, 0], 99),
        ];
        let (f, l) = first_and_latest(&all, 1, 2021).unwrap();
        assert_eq!((f.year, l.year), (2020, 2021));
        assert!(l.mean_grade() < f.mean_grade());
        let (f, l) = first_and_latest(&all, 2, 2025).unwrap();
        assert_eq!((f.year, l.year), (2020, 2020));
        assert!(first_and_latest(&all, 1, 2019).is_none());
    }
}
