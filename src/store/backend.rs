//! The store as a [`Backend`]: the front ends' one way in.

use chrono::NaiveDate;

use super::Store;
use crate::api::{ActivityFilter, Backend, Review, Snapshot};
use crate::domain::{
    Activity, ActivityId, AuditEntry, Branch, BranchId, BureauEvent, ContactPoint, Leader, LeaderId, PointId, Problem,
    ProblemId, Targets, YearStatus,
};
use crate::domain::{Assessment, Plan, Rubric};
use crate::error::Result;

impl Backend for Store {
    fn leaders(&self) -> Result<Vec<Leader>> {
        Store::leaders(self)
    }
    fn leaders_matching(&self, input: &str) -> Result<Vec<Leader>> {
        Store::leaders_matching(self, input)
    }
    fn branches(&self) -> Result<Vec<Branch>> {
        Store::branches(self)
    }
    fn points(&self) -> Result<Vec<ContactPoint>> {
        Store::points(self)
    }
    fn activities(&self, filter: &ActivityFilter) -> Result<Vec<Activity>> {
        Store::activities(self, filter)
    }
    fn problems(&self) -> Result<Vec<Problem>> {
        Store::problems(self)
    }
    fn events(&self, year: Option<i32>) -> Result<Vec<BureauEvent>> {
        Store::events(self, year)
    }
    fn targets(&self, year: i32) -> Result<Targets> {
        Store::targets(self, year)
    }
    fn year_status(&self, year: i32) -> Result<YearStatus> {
        Store::year_status(self, year)
    }
    fn year_status_json(&self, year: i32) -> Result<String> {
        Store::year_status_json(self, year)
    }
    fn last_visits(&self) -> Result<Vec<(PointId, NaiveDate)>> {
        Store::last_visits(self)
    }
    fn activity_years(&self) -> Result<Option<(i32, i32)>> {
        Store::activity_years(self)
    }
    fn activities_newest(
        &self,
        filter: &ActivityFilter,
        before: Option<(NaiveDate, ActivityId)>,
        limit: usize,
    ) -> Result<Vec<Activity>> {
        Store::activities_newest(self, filter, before, limit)
    }

    fn activities_per_month(&self, year: i32) -> Result<Vec<(LeaderId, [u32; 12])>> {
        Store::activities_per_month(self, year)
    }
    fn audit(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        Store::audit(self, limit)
    }
    fn export(&self) -> Result<Snapshot> {
        Store::export(self)
    }
    fn add_leader(&self, leader: Leader) -> Result<Leader> {
        Store::add_leader(self, leader)
    }
    fn add_branch(&self, branch: Branch) -> Result<Branch> {
        Store::add_branch(self, branch)
    }
    fn assign_point(&self, leader: LeaderId, branch: BranchId, from: NaiveDate, years: u32) -> Result<ContactPoint> {
        Store::assign_point(self, leader, branch, from, years)
    }
    fn review_point(&self, leader: LeaderId, review: Review, date: NaiveDate) -> Result<ContactPoint> {
        Store::review_point(self, leader, review, date)
    }
    fn hand_over(&self, leader: LeaderId, successor: LeaderId, date: NaiveDate) -> Result<ContactPoint> {
        Store::hand_over(self, leader, successor, date)
    }
    fn add_activity(&self, activity: Activity) -> Result<Activity> {
        Store::add_activity(self, activity)
    }
    fn update_activity(&self, activity: Activity) -> Result<Activity> {
        Store::update_activity(self, activity)
    }
    fn delete_activity(&self, id: ActivityId) -> Result<Activity> {
        Store::delete_activity(self, id)
    }
    fn restore_activity(&self, activity: Activity) -> Result<Activity> {
        Store::restore_activity(self, activity)
    }
    fn add_problem(&self, problem: Problem) -> Result<Problem> {
        Store::add_problem(self, problem)
    }
    fn update_problem(&self, problem: Problem) -> Result<Problem> {
        Store::update_problem(self, problem)
    }
    fn delete_problem(&self, id: ProblemId) -> Result<Problem> {
        Store::delete_problem(self, id)
    }
    fn delete_event(&self, id: crate::domain::EventId) -> Result<BureauEvent> {
        Store::delete_event(self, id)
    }
    fn update_branch(&self, branch: Branch) -> Result<Branch> {
        Store::update_branch(self, branch)
    }
    fn update_leader(&self, leader: Leader) -> Result<Leader> {
        Store::update_leader(self, leader)
    }
    fn delete_leader(&self, id: LeaderId) -> Result<Leader> {
        Store::delete_leader(self, id)
    }
    fn solve_problem(&self, id: ProblemId, date: NaiveDate, measures: Option<String>) -> Result<Problem> {
        Store::solve_problem(self, id, date, measures)
    }
    fn reopen_problem(&self, id: ProblemId) -> Result<Problem> {
        Store::reopen_problem(self, id)
    }
    fn add_event(&self, event: BureauEvent) -> Result<BureauEvent> {
        Store::add_event(self, event)
    }
    fn set_targets(&self, year: i32, targets: Targets) -> Result<()> {
        Store::set_targets(self, year, targets)
    }
    fn import(&self, snapshot: Snapshot) -> Result<usize> {
        Store::import(self, snapshot)
    }
    fn flag(&self, name: &str) -> Result<bool> {
        Store::flag(self, name)
    }
    fn set_flag(&self, name: &str) -> Result<()> {
        Store::set_flag(self, name)
    }
    fn assessments(&self, point: Option<PointId>) -> Result<Vec<Assessment>> {
        Store::assessments(self, point)
    }
    fn set_assessment(&self, assessment: Assessment) -> Result<Assessment> {
        Store::set_assessment(self, assessment)
    }
    fn rubric(&self, year: i32) -> Result<Rubric> {
        Store::rubric(self, year)
    }
    fn set_rubric(&self, year: i32, rubric: Rubric) -> Result<()> {
        Store::set_rubric(self, year, rubric)
    }
    fn plan(&self, year: i32) -> Result<Plan> {
        Store::plan(self, year)
    }
    fn set_plan_item(&self, year: i32, phase: u32, task: u32, done: Option<NaiveDate>) -> Result<Plan> {
        Store::set_plan_item(self, year, phase, task, done)
    }
    fn set_plan_window(&self, year: i32, phase: u32, from: NaiveDate, to: NaiveDate) -> Result<Plan> {
        Store::set_plan_window(self, year, phase, from, to)
    }
    fn data_version(&self) -> u64 {
        Store::data_version(self)
    }
    fn last_visits_until(&self, day: NaiveDate) -> Result<Vec<(PointId, NaiveDate)>> {
        Store::last_visits_until(self, day)
    }
}
