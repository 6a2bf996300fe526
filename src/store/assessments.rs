//! The 五好一满意 assessments (tree `assessments`, key `point ‖ year`) and
//! the rubric each year scores them with (tree `rubrics`, key `year`).

use super::codec;
use super::{Store, T, corrupt, io_error, keys};
use crate::domain::assessment::{self, Assessment, Rubric};
use crate::domain::error::{DomainError, RecordKind};
use crate::domain::{ContactPoint, PointId, validate};
use crate::error::Result;

impl Store {
    /// Rubrics set for particular years, oldest first.
    pub fn rubrics_set(&self) -> Result<Vec<(i32, Rubric)>> {
        self.by_year(T::Rubrics)
    }

    /// The rubric in force for a year.
    pub fn rubric(&self, year: i32) -> Result<Rubric> {
        Ok(assessment::rubric_for(year, &self.rubrics_set()?))
    }

    pub fn set_rubric(&self, year: i32, rubric: Rubric) -> Result<()> {
        let year = validate::year(i64::from(year))?;
        let rubric = assessment::validate_rubric(rubric)?;
        self.write(|_, b| {
            b.put_value(T::Rubrics, keys::year(year), rubric.clone())?;
            b.audit("rubric.set", &serde_json::json!({ "year": year, "rubric": rubric }));
            Ok(())
        })
    }

    /// Assessments of one point (or all), by point then year.
    pub fn assessments(&self, point: Option<PointId>) -> Result<Vec<Assessment>> {
        let tree = self.tree(T::Assessments);
        let entries: Box<dyn Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>> = match point {
            Some(p) => Box::new(tree.scan_prefix(keys::id(p))),
            None => Box::new(tree.iter()),
        };
        entries
            .map(|entry| {
                let (_, v) = entry.map_err(io_error)?;
                codec::decode::<Assessment>(&v).map_err(|e| corrupt(e).into())
            })
            .collect()
    }

    /// Records (or replaces) the assessment of a point for a year, after
    /// checking it against that year's rubric and that its leader held the point.
    pub fn set_assessment(&self, assessment: Assessment) -> Result<Assessment> {
        let rubric = self.rubric(assessment.year)?;
        let a = assessment::validate_assessment(assessment, &rubric)?;
        self.write(|s, b| {
            let point: ContactPoint = s.get(T::Points, a.point)?.ok_or(DomainError::Unknown {
                kind: RecordKind::Point,
                input: a.point.to_string(),
            })?;
            if !point.held_by(a.leader) {
                return Err(DomainError::Unknown {
                    kind: RecordKind::Leader,
                    input: a.leader.to_string(),
                }
                .into());
            }
            b.put_value(T::Assessments, keys::point_year(a.point, a.year), a.clone())?;
            b.audit("assessment.set", &a);
            Ok(a)
        })
    }
}
