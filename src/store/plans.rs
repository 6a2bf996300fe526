//! The year's work plan (tree `plans`, key `year`). A year with no stored
//! plan reads as the document's; the first tick or window change stores it.

use chrono::NaiveDate;

use super::{Store, T, codec, corrupt, io_error, keys};
use crate::domain::{Plan, validate};
use crate::error::Result;

impl Store {
    pub fn plan(&self, year: i32) -> Result<Plan> {
        let year = validate::year(i64::from(year))?;
        match self.tree(T::Plans).get(keys::year(year)).map_err(io_error)? {
            Some(v) => Ok(codec::decode::<Plan>(&v).map_err(corrupt)?),
            None => Ok(Plan::default_for(year)),
        }
    }

    /// Changes the stored plan of `year` with `change`, in one command.
    fn change_plan(
        &self,
        year: i32,
        action: &str,
        change: impl FnOnce(&mut Plan) -> crate::domain::DomainResult<()>,
    ) -> Result<Plan> {
        self.write(|s, b| {
            let mut plan = s.plan(year)?;
            change(&mut plan)?;
            b.put_value(T::Plans, keys::year(plan.year), plan.clone())?;
            b.audit(action, &plan);
            Ok(plan)
        })
    }

    /// Ticks (`done` = Some) or unticks task `phase.task` (both from 1).
    pub fn set_plan_item(&self, year: i32, phase: u32, task: u32, done: Option<NaiveDate>) -> Result<Plan> {
        if let Some(d) = done {
            validate::stored_date(d)?;
        }
        self.change_plan(year, "plan.tick", |p| p.set_done(phase, task, done))
    }

    pub fn set_plan_window(&self, year: i32, phase: u32, from: NaiveDate, to: NaiveDate) -> Result<Plan> {
        validate::stored_date(from)?;
        validate::stored_date(to)?;
        self.change_plan(year, "plan.window", |p| p.set_window(phase, from, to))
    }
}
