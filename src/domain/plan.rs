//! The year's work plan (六 工作步骤): four phases, each with a window of
//! dates and a checklist of tasks. Each bureau sets its own windows; the
//! defaults are the document's 2020 windows carried to the year asked for.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::{DomainError, DomainResult};

/// One task of a phase; `done` is the day it was ticked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanTask {
    pub text: String,
    pub done: Option<NaiveDate>,
}

/// One phase: a name, a window of dates (both days included) and tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanPhase {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub tasks: Vec<PlanTask>,
}

/// The plan of one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub year: i32,
    pub phases: Vec<PlanPhase>,
}

/// (name, from (month, day), to (month, day), tasks) as the document has them.
type PhaseTemplate = (&'static str, (u32, u32), (u32, u32), &'static [&'static str]);

/// 六(一)–(四). "7月初—7月下旬" is read as July 1–20, "7月下旬—9月末" as
/// July 21–September 30, "12月左右" as December.
const PHASES: [PhaseTemplate; 4] = [
    (
        "组织学习、形成实施办法",
        (7, 1),
        (7, 20),
        &["组成工作专班，学习党支部建设重要指示精神", "形成实施办法"],
    ),
    (
        "部署安排、推进工作实施",
        (7, 21),
        (9, 30),
        &[
            "提请局党组审议，印发实施办法",
            "局党组书记确定联系点，完成对接",
            "召开联系点工作座谈会",
            "到联系点参加组织生活（专题党课、走访慰问、主题党日）",
            "抽查调研、工作调度，发现问题及时沟通",
        ],
    ),
    (
        "交流做法、强化示范引领",
        (10, 1),
        (11, 30),
        &["召开现场会", "邀请省委党校专家进行党课讲座"],
    ),
    (
        "深化拓展、全面扎实推进",
        (12, 1),
        (12, 31),
        &[
            "举办联系点工作交流汇报会",
            "结合述职评议考核研究分析联系点工作",
            "形成综合报告报省直机关工委",
        ],
    ),
];

impl Plan {
    /// The document's plan, its windows moved to `year`.
    pub fn default_for(year: i32) -> Plan {
        let day = |(m, d): (u32, u32)| {
            NaiveDate::from_ymd_opt(year, m, d).unwrap_or_else(|| super::date::year_bounds(year).1)
        };
        Plan {
            year,
            phases: PHASES
                .iter()
                .map(|(name, from, to, tasks)| PlanPhase {
                    name: (*name).into(),
                    from: day(*from),
                    to: day(*to),
                    tasks: tasks
                        .iter()
                        .map(|t| PlanTask {
                            text: (*t).into(),
                            done: None,
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// The phase whose window holds `today` (1-based), or None between
    /// phases and outside the plan.
    pub fn current_phase(&self, today: NaiveDate) -> Option<usize> {
        self.phases
            .iter()
            .position(|p| p.from <= today && today <= p.to)
            .map(|i| i + 1)
    }

    /// Task `phase.task`, both counted from 1 as people read them.
    pub fn task(&self, phase: u32, task: u32) -> Option<&PlanTask> {
        self.phases
            .get((phase as usize).wrapping_sub(1))
            .and_then(|p| p.tasks.get((task as usize).wrapping_sub(1)))
    }

    /// Ticks (`done` = Some(date)) or unticks (None) task `phase.task`,
    /// both counted from 1 as people read them.
    pub fn set_done(&mut self, phase: u32, task: u32, done: Option<NaiveDate>) -> DomainResult<()> {
        let item = self
            .phases
            .get_mut((phase as usize).wrapping_sub(1))
            .and_then(|p| p.tasks.get_mut((task as usize).wrapping_sub(1)))
            .ok_or_else(|| DomainError::UnknownPlanItem(format!("{phase}.{task}")))?;
        item.done = done;
        Ok(())
    }

    /// Moves the window of `phase` (counted from 1).
    pub fn set_window(&mut self, phase: u32, from: NaiveDate, to: NaiveDate) -> DomainResult<()> {
        if to < from {
            return Err(DomainError::WindowEndsBeforeStart { from, to });
        }
        let p = self
            .phases
            .get_mut((phase as usize).wrapping_sub(1))
            .ok_or_else(|| DomainError::UnknownPlanItem(phase.to_string()))?;
        p.from = from;
        p.to = to;
        Ok(())
    }
}

/// Reads `PHASE.TASK` (e.g. `2.3`) as typed on the command line.
pub fn parse_item(input: &str) -> DomainResult<(u32, u32)> {
    let bad = || DomainError::UnknownPlanItem(input.trim().to_string());
    let (p, t) = input.trim().split_once('.').ok_or_else(bad)?;
    Ok((p.parse().map_err(|_| bad())?, t.parse().map_err(|_| bad())?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn default_plan_has_the_documents_phases() {
        let p = Plan::default_for(2020);
        assert_eq!(p.phases.len(), 4);
        assert_eq!(p.phases[1].from, d("2020-07-21"));
        assert_eq!(p.phases[3].to, d("2020-12-31"));
        assert!(p.phases[3].tasks.iter().any(|t| t.text.contains("综合报告")));
        assert_eq!(Plan::default_for(2023).phases[2].from, d("2023-10-01"));
    }

    #[test]
    fn current_phase_follows_the_windows() {
        let p = Plan::default_for(2020);
        assert_eq!(p.current_phase(d("2020-03-15")), None);
        assert_eq!(p.current_phase(d("2020-07-21")), Some(2));
        assert_eq!(p.current_phase(d("2020-11-20")), Some(3));
        assert_eq!(p.current_phase(d("2020-12-31")), Some(4));
    }

    #[test]
    fn tick_and_windows() {
        let mut p = Plan::default_for(2020);
        p.set_done(2, 3, Some(d("2020-09-01"))).unwrap();
        assert_eq!(p.phases[1].tasks[2].done, Some(d("2020-09-01")));
        // Counted from 1, as `set_done` counts them; none at 0 or past the end.
        assert_eq!(p.task(2, 3), Some(&p.phases[1].tasks[2]));
        assert_eq!(
            (p.task(0, 1), p.task(2, 0), p.task(2, 9), p.task(5, 1)),
            (None, None, None, None)
        );
        p.set_done(2, 3, None).unwrap();
        assert_eq!(p.phases[1].tasks[2].done, None);
        assert!(p.set_done(0, 1, None).is_err());
        assert!(p.set_done(2, 9, None).is_err());
        assert!(p.set_done(5, 1, None).is_err());
        p.set_window(4, d("2020-12-10"), d("2020-12-25")).unwrap();
        assert_eq!(p.current_phase(d("2020-12-05")), None);
        assert!(p.set_window(4, d("2020-12-25"), d("2020-12-10")).is_err());
    }

    #[test]
    fn items_parse() {
        assert_eq!(parse_item("2.3"), Ok((2, 3)));
        assert!(parse_item("2").is_err());
        assert!(parse_item("a.b").is_err());
        assert!(parse_item("-1.2").is_err());
    }
}
