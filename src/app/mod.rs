//! The workbench's state and its update function (the Elm architecture):
//! key events become [`Action`]s through the [`keymap`] table, [`update`]
//! applies an action to the [`App`] through a `&dyn Backend`, and `crate::ui`
//! draws the state. Nothing here draws or touches a terminal.

pub mod form;
pub mod keymap;

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use tui_input::InputRequest;

use crate::api::{ActivityFilter, Backend, Review};
use crate::domain::date::{self, DateForms, DateProblem};
use crate::domain::{
    Activity, ActivityId, ActivityKind, Branch, ContactPoint, DomainError, Leader, LeaderId, Plan, PointId, Problem,
    ProblemCategory, ProblemId, ProblemState, Role, RuleId, Target, Targets, YearStatus, lookup, validate,
};
use crate::error::Error;
use crate::i18n::{Label, Lang, errors, fill};
use crate::report::due::DueItem;
use form::{Choice, FieldKind, Form, FormField, Purpose};
use keymap::Ctx;

/// The screens, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    Board,
    Activities,
    Problems,
    Points,
    Help,
    /// The year's work plan and the monthly chart (issue 5); after Help so
    /// that the keys 1–5 keep their meaning.
    Calendar,
}

impl Screen {
    pub const ALL: [Screen; 6] = [
        Screen::Board,
        Screen::Activities,
        Screen::Problems,
        Screen::Points,
        Screen::Help,
        Screen::Calendar,
    ];

    pub fn name(self, lang: Lang) -> &'static str {
        let t = lang.tui();
        match self {
            Screen::Board => t.tab_board,
            Screen::Activities => t.tab_activities,
            Screen::Problems => t.tab_problems,
            Screen::Points => t.tab_points,
            Screen::Help => t.tab_help,
            Screen::Calendar => t.tab_calendar,
        }
    }

    /// The screen `forward` places on (Tab), or back (Shift-Tab), in a ring.
    fn step(self, forward: bool) -> Screen {
        let n = Screen::ALL.len();
        let i = Screen::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Screen::ALL[(i + if forward { 1 } else { n - 1 }) % n]
    }
}

/// Everything the workbench can be asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Time passed with no input (about every 100 ms): look for changes made
    /// elsewhere and for a lost server.
    Poll,
    Quit,
    Show(Screen),
    NextScreen,
    PrevScreen,
    PrevYear,
    NextYear,
    Up,
    Down,
    PageUp,
    PageDown,
    LoadDemo,
    Add,
    Edit,
    Delete,
    Undo,
    FilterLeader,
    Search,
    Solve,
    Reopen,
    Review,
    HandOver,
    AddLeader,
    EditLeader,
    AddBranch,
    Assign,
    /// Opens the form that writes the year's report to a file.
    Report,
    /// Ticks or unticks the selected task of the work plan.
    Tick,
    /// Shows the whole of the selected activity.
    Details,
    EditTargets,
    // Inside a form, a question or the search line.
    Submit,
    Cancel,
    NextField,
    PrevField,
    Yes,
    No,
    Choose(char),
    Cycle(isize),
    Input(InputRequest),
    Paste(String),
}

impl Action {
    /// Actions that change the database (refused in the read-only view).
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Action::LoadDemo
                | Action::Add
                | Action::Edit
                | Action::Delete
                | Action::Undo
                | Action::Solve
                | Action::Reopen
                | Action::Review
                | Action::HandOver
                | Action::AddLeader
                | Action::EditLeader
                | Action::AddBranch
                | Action::Assign
                | Action::Tick
                | Action::EditTargets
        )
    }
}

/// How many activities one read brings (the activities screen reads more
/// as the selection nears the end of what it has).
pub const ACTIVITY_PAGE: usize = 500;

/// How many rows PageUp/PageDown move.
pub const PAGE: usize = 10;

/// The records the screens show, loaded at start and after each change.
#[derive(Debug, Clone, Default)]
pub struct Data {
    pub leaders: Vec<Leader>,
    pub branches: Vec<Branch>,
    pub points: Vec<ContactPoint>,
    /// Every problem (read only when the problems screen is shown: see
    /// `problems_read`; 50,000 at provincial scale, most of a start).
    pub problems: Vec<Problem>,
    pub problems_read: bool,
    /// The year's activities (one leader's, with the leader filter on),
    /// newest first, read a page at a time when the activities screen is
    /// shown: see `activities_for` and `activities_complete`.
    pub activities: Vec<Activity>,
    /// The year and leader filter `activities` was read for, or None when
    /// nothing is read.
    pub activities_for: Option<(i32, Option<LeaderId>)>,
    /// Every activity of `activities_for` is read (the last page was short,
    /// or a search read the rest).
    pub activities_complete: bool,
    /// Computed once per load or year change, never per key press.
    pub status: Option<YearStatus>,
    pub last_visits: HashMap<PointId, NaiveDate>,
    pub years: Option<(i32, i32)>,
    /// The targets in force for the year.
    pub targets: Targets,
    /// What is still owed, most urgent first (the board's panel).
    pub due: Vec<DueItem>,
    /// The year's work plan.
    pub plan: Option<Plan>,
    /// Activities per month per leader, read only when the calendar screen
    /// is shown (see `monthly_year`).
    pub monthly: Vec<(LeaderId, [u32; 12])>,
    pub monthly_year: Option<i32>,
    leader_index: HashMap<LeaderId, usize>,
    point_index: HashMap<PointId, usize>,
    branch_index: HashMap<u64, usize>,
}

impl Data {
    /// Reads what every screen needs. The year's status comes from the
    /// backend, which keeps counts up to date on write, so this does not
    /// read the year's activities: those are read only for the activities
    /// screen ([`Data::load_activities`]).
    fn load(backend: &dyn Backend, year: i32, today: NaiveDate) -> Result<Data, Error> {
        let leaders = backend.leaders()?;
        let branches = backend.branches()?;
        let points = backend.points()?;
        let targets = backend.targets(year)?;
        let status = backend.year_status(year)?;
        // A past year is seen as it stood at its end (its last visits and
        // reminders are counted to that day, not to today); visits after
        // today (typed ahead) do not make a point "visited".
        let report_day = crate::report::model::as_of(year, today);
        let last_visits: HashMap<PointId, NaiveDate> = backend.last_visits_until(report_day)?.into_iter().collect();
        let years = backend.activity_years()?;
        // The reminders, from a summary report over what was just read (it
        // reads no activity); built on load and after a change, never on a
        // key press.
        let input = crate::report::model::ReportInput {
            year,
            today,
            targets: &targets,
            rubric: &backend.rubric(year)?,
            leaders: &leaders,
            branches: &branches,
            points: &points,
            activities: &[],
            // The reminders do not look at problems.
            problems: &[],
            events: &backend.events(Some(year))?,
            assessments: &[],
        };
        let report = crate::report::model::build_summary(&input, &status, &last_visits);
        let due = crate::report::due::due(&report, today, crate::report::due::DEFAULT_DAYS_WITHOUT_VISIT);
        let plan = backend.plan(year)?;
        let leader_index = leaders.iter().enumerate().map(|(i, l)| (l.id, i)).collect();
        let point_index = points.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
        let branch_index = branches.iter().enumerate().map(|(i, b)| (b.id, i)).collect();
        Ok(Data {
            leaders,
            branches,
            points,
            problems: Vec::new(),
            problems_read: false,
            activities: Vec::new(),
            activities_for: None,
            activities_complete: false,
            status: Some(status),
            last_visits,
            years,
            targets,
            due,
            plan: Some(plan),
            monthly: Vec::new(),
            monthly_year: None,
            leader_index,
            point_index,
            branch_index,
        })
    }

    /// Reads the newest page of the year's activities (one leader's, if
    /// `leader`).
    fn load_activities(&mut self, backend: &dyn Backend, year: i32, leader: Option<LeaderId>) -> Result<(), Error> {
        self.activities.clear();
        self.activities_complete = false;
        self.activities_for = Some((year, leader));
        self.more_activities(backend, ACTIVITY_PAGE)
    }

    /// What the next read asks for: the filter and the last activity read
    /// (the next ones are older); None when there is nothing left to read.
    fn next_read(&self) -> Option<(ActivityFilter, Option<(NaiveDate, ActivityId)>)> {
        let (year, leader) = self.activities_for.filter(|_| !self.activities_complete)?;
        let filter = ActivityFilter {
            year: Some(year),
            leader,
        };
        Some((filter, self.activities.last().map(|a| (a.date, a.id))))
    }

    /// Reads up to `limit` more activities, older than those read.
    fn more_activities(&mut self, backend: &dyn Backend, limit: usize) -> Result<(), Error> {
        let Some((filter, before)) = self.next_read() else {
            return Ok(());
        };
        let page = backend.activities_newest(&filter, before, limit)?;
        self.activities_complete = page.len() < limit;
        self.activities.extend(page);
        Ok(())
    }

    /// Reads the rest of the year's activities (a search looks at all).
    fn all_activities(&mut self, backend: &dyn Backend) -> Result<(), Error> {
        let Some((filter, before)) = self.next_read() else {
            return Ok(());
        };
        let rest = backend
            .activities(&filter)?
            .into_iter()
            .rev()
            .filter(|a| before.is_none_or(|b| (a.date, a.id) < b));
        self.activities.extend(rest);
        self.activities_complete = true;
        Ok(())
    }

    /// Reads every problem, for the problems screen.
    fn load_problems(&mut self, backend: &dyn Backend) -> Result<(), Error> {
        self.problems = backend.problems()?;
        self.problems_read = true;
        Ok(())
    }

    /// Reads the activities per month for the chart.
    fn load_monthly(&mut self, backend: &dyn Backend, year: i32) -> Result<(), Error> {
        self.monthly = backend.activities_per_month(year)?;
        self.monthly_year = Some(year);
        Ok(())
    }

    /// The chart's twelve counts: one leader's, or everyone's.
    pub fn month_counts(&self, leader: Option<LeaderId>) -> [u64; 12] {
        let mut out = [0u64; 12];
        for (_, counts) in self.monthly.iter().filter(|(l, _)| leader.is_none_or(|x| x == *l)) {
            for (o, c) in out.iter_mut().zip(counts) {
                *o += u64::from(*c);
            }
        }
        out
    }

    /// The plan's tasks in order, as (phase, task) counted from 1.
    pub fn plan_items(&self) -> Vec<(u32, u32)> {
        self.plan.as_ref().map_or_else(Vec::new, |plan| {
            plan.phases
                .iter()
                .enumerate()
                .flat_map(|(p, phase)| (0..phase.tasks.len()).map(move |t| (p as u32 + 1, t as u32 + 1)))
                .collect()
        })
    }

    pub fn is_empty(&self) -> bool {
        self.leaders.is_empty() && self.branches.is_empty()
    }

    pub fn leader(&self, id: LeaderId) -> Option<&Leader> {
        self.leader_index.get(&id).map(|i| &self.leaders[*i])
    }

    pub fn leader_name(&self, id: LeaderId) -> &str {
        self.leader(id).map_or("", |l| l.name.as_str())
    }

    pub fn branch(&self, id: u64) -> Option<&Branch> {
        self.branch_index.get(&id).map(|i| &self.branches[*i])
    }

    pub fn point(&self, id: PointId) -> Option<&ContactPoint> {
        self.point_index.get(&id).map(|i| &self.points[*i])
    }

    /// The short name of a point's branch.
    pub fn point_short(&self, id: PointId) -> &str {
        self.point(id)
            .and_then(|p| self.branch(p.branch))
            .map_or("", |b| b.short.as_str())
    }

    /// The open point a leader holds now.
    pub fn open_point_of(&self, leader: LeaderId) -> Option<&ContactPoint> {
        self.points.iter().find(|p| p.leader == leader && p.state.is_open())
    }
}

/// A row of the contact-points screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointRow {
    Point(usize),
    /// A leader in post without an open point.
    Leader(usize),
}

/// What `u` puts back.
#[derive(Debug, Clone, PartialEq)]
pub enum Undo {
    Deleted(Activity),
    /// The version before an edit.
    Edited(Activity),
}

#[derive(Debug, Clone)]
pub enum Modal {
    Form(Form),
    ConfirmDelete(ActivityId),
    /// Reopening a solved problem erases its solved date and lowers the
    /// leader's count, with no undo: asked first, as a delete is.
    ConfirmReopen(ProblemId),
    /// Unticking a done task of the year's plan (phase, task) erases the
    /// day it was done: asked first, as a reopen is.
    ConfirmUntick(u32, u32),
    /// A report form submitted with the name of a file that exists, and
    /// that file's name as written (with the extension added): the file is
    /// replaced only on yes; no goes back to the form.
    ConfirmOverwrite(Form, String),
    /// The whole of one activity, wrapped (the list cuts its text), and
    /// how many lines it is scrolled by.
    Details(ActivityId, u16),
    /// Deleting a problem recorded by mistake, with its counts: there is no
    /// undo, so the question names it.
    ConfirmDeleteProblem(ProblemId),
}

/// See [`App::scroll_limits`]. Cells, because drawing sees the state
/// read-only; nothing else is written while drawing.
#[derive(Debug, Clone, Default)]
pub struct ScrollLimits {
    pub help: std::cell::Cell<usize>,
    pub details: std::cell::Cell<u16>,
}

/// The status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

/// What the workbench starts with.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub lang: Lang,
    pub read_only: bool,
    pub today: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct App {
    pub lang: Lang,
    pub read_only: bool,
    pub today: NaiveDate,
    pub year: i32,
    pub screen: Screen,
    pub data: Data,
    pub board_sel: usize,
    pub act_sel: usize,
    pub prob_sel: usize,
    pub point_sel: usize,
    pub filter_leader: Option<LeaderId>,
    pub search: tui_input::Input,
    pub searching: bool,
    /// Indices into `data.activities` that pass the filter and search.
    pub visible: Vec<usize>,
    /// Indices into `data.problems`: open first, grouped by point.
    pub problem_order: Vec<usize>,
    pub point_rows: Vec<PointRow>,
    pub modal: Option<Modal>,
    pub message: Option<Message>,
    pub undo: Option<Undo>,
    pub last_leader: Option<LeaderId>,
    /// How far the help screen is scrolled (↑/↓ on a short terminal).
    pub help_scroll: usize,
    /// How far the help and the details box can scroll at the size they
    /// were last drawn: the drawing knows the wrapped length, and records
    /// it so that ↓ stops at the end instead of counting presses past it.
    pub scroll_limits: ScrollLimits,
    /// `Backend::data_version` when the data was last read: a different
    /// value on a tick means someone changed something.
    pub seen_version: u64,
    /// The server is gone and the client is reconnecting.
    pub disconnected: bool,
    /// The selected task of the work plan (an index into `plan_items`).
    pub plan_sel: usize,
    /// The leader the monthly chart shows; None: all.
    pub chart_leader: Option<LeaderId>,
    /// The terminal is below the smallest size the workbench draws at, so
    /// only a notice shows (set by the event loop from the last frame).
    pub too_small: bool,
    pub quit: bool,
}

impl App {
    /// Loads the data and picks the year: today's, unless it has no
    /// activity, then the latest year that has some (so demo data shows).
    pub fn new(backend: &dyn Backend, settings: Settings) -> App {
        let mut app = App {
            lang: settings.lang,
            read_only: settings.read_only,
            today: settings.today,
            year: settings.today.year(),
            screen: Screen::Board,
            data: Data::default(),
            board_sel: 0,
            act_sel: 0,
            prob_sel: 0,
            point_sel: 0,
            filter_leader: None,
            search: tui_input::Input::default(),
            searching: false,
            visible: Vec::new(),
            problem_order: Vec::new(),
            point_rows: Vec::new(),
            modal: None,
            message: None,
            undo: None,
            last_leader: None,
            help_scroll: 0,
            scroll_limits: ScrollLimits::default(),
            seen_version: 0,
            disconnected: false,
            plan_sel: 0,
            chart_leader: None,
            too_small: false,
            quit: false,
        };
        app.reload(backend);
        // A year after the last recorded activity shows nothing; the latest
        // year with records is the useful start (demo data is 2020).
        if let Some((_, last)) = app.data.years
            && last < app.year
        {
            app.year = last;
            app.reload(backend);
        }
        app
    }

    /// Moves "today" (the workbench follows the clock past midnight): days
    /// left, days since the last visit and the latest date a visit may take
    /// move with it, and so does the year shown when it was today's (a
    /// board left open over New Year shows the new year).
    pub fn set_today(&mut self, today: NaiveDate, backend: &dyn Backend) {
        if today != self.today {
            if self.year == self.today.year() {
                self.year = today.year();
            }
            self.today = today;
            self.reload(backend);
        }
    }

    /// Reads everything again (after a change or a year change).
    pub fn reload(&mut self, backend: &dyn Backend) {
        // Read before loading: a change that lands during the load is then
        // seen on the next tick.
        self.seen_version = backend.data_version();
        match Data::load(backend, self.year, self.today) {
            Ok(data) => self.data = data,
            Err(e) => self.error(&e),
        }
        // Indices into the problems just dropped; rebuilt when they are read.
        self.problem_order.clear();
        self.ensure_shown(backend);
        self.refilter();
        // A record shown whole that is gone (deleted, or moved to another
        // year elsewhere) must not leave an empty box holding the keys.
        if let Some(Modal::Details(id, _)) = self.modal
            && !self.data.activities.iter().any(|a| a.id == id)
        {
            self.modal = None;
        }
        // The same for a question about a problem deleted elsewhere (the
        // problems are read again above: the question is on their screen).
        if let Some(Modal::ConfirmDeleteProblem(id)) = self.modal
            && self.data.problems_read
            && !self.data.problems.iter().any(|p| p.id == id)
        {
            self.modal = None;
        }
        self.point_rows = point_rows(&self.data, self.today);
        let board_rows = self.data.status.as_ref().map_or(0, |s| s.leaders.len());
        self.board_sel = clamp(self.board_sel, board_rows);
        self.point_sel = clamp(self.point_sel, self.point_rows.len());
        self.plan_sel = clamp(self.plan_sel, self.data.plan_items().len());
    }

    /// Reads the first page of the year's activities if the screen needs
    /// them and they are not read yet (after start, a change, a year change
    /// or a new leader filter), then enough pages to fill the screen.
    pub fn ensure_activities(&mut self, backend: &dyn Backend) {
        if self.data.activities_for != Some((self.year, self.filter_leader)) {
            // After a change the list is read again from the top; the
            // selection stays on its row, reading as far as it needs.
            let keep = self.act_sel;
            if let Err(e) = self.data.load_activities(backend, self.year, self.filter_leader) {
                self.error(&e);
            }
            self.refilter();
            self.fill_activities_to(backend, keep);
            self.act_sel = clamp(keep, self.visible.len());
            return;
        }
        self.fill_activities(backend);
    }

    /// Reads further pages while the selection is within two screen pages
    /// of the end of what is read; a search reads the whole year once.
    fn fill_activities(&mut self, backend: &dyn Backend) {
        self.fill_activities_to(backend, self.act_sel);
    }

    fn fill_activities_to(&mut self, backend: &dyn Backend, row: usize) {
        let result = if !self.search.value().trim().is_empty() {
            self.data.all_activities(backend)
        } else {
            let mut result = Ok(());
            while result.is_ok() && !self.data.activities_complete && row + 2 * PAGE >= self.visible.len() {
                result = self.data.more_activities(backend, ACTIVITY_PAGE);
                self.refilter();
            }
            result
        };
        if let Err(e) = result {
            self.error(&e);
        }
        self.refilter();
    }

    /// Reads the problems if the screen needs them and they are not read
    /// yet (after start or a change).
    pub fn ensure_problems(&mut self, backend: &dyn Backend) {
        if self.data.problems_read {
            return;
        }
        if let Err(e) = self.data.load_problems(backend) {
            self.error(&e);
        }
        self.problem_order = problem_order(&self.data, self.year);
        self.prob_sel = clamp(self.prob_sel, self.problem_order.len());
    }

    /// Reads the month counts if the calendar is shown and they are not
    /// read yet for the year.
    pub fn ensure_monthly(&mut self, backend: &dyn Backend) {
        if self.data.monthly_year == Some(self.year) {
            return;
        }
        if let Err(e) = self.data.load_monthly(backend, self.year) {
            self.error(&e);
        }
    }

    /// Reads what the shown screen needs beyond `Data::load`.
    fn ensure_shown(&mut self, backend: &dyn Backend) {
        match self.screen {
            Screen::Activities => self.ensure_activities(backend),
            Screen::Problems => self.ensure_problems(backend),
            Screen::Calendar => self.ensure_monthly(backend),
            _ => {}
        }
    }

    /// Recomputes the visible activities after the filter or search changed.
    pub fn refilter(&mut self) {
        let needle = self.search.value().trim().to_lowercase();
        let leader = self.filter_leader;
        self.visible = self
            .data
            .activities
            .iter()
            .enumerate()
            .filter(|(_, a)| leader.is_none_or(|l| a.leader == l))
            .filter(|(_, a)| needle.is_empty() || a.text_fields().any(|t| t.to_lowercase().contains(&needle)))
            .map(|(i, _)| i)
            .collect();
        self.act_sel = clamp(self.act_sel, self.visible.len());
    }

    pub fn text(&self) -> &'static crate::i18n::tui::TuiText {
        self.lang.tui()
    }

    fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: false,
        });
    }

    fn warn(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: true,
        });
    }

    fn error(&mut self, e: &Error) {
        self.warn(errors::message(self.lang, e));
    }

    pub fn selected_activity(&self) -> Option<&Activity> {
        self.visible.get(self.act_sel).map(|i| &self.data.activities[*i])
    }

    pub fn selected_problem(&self) -> Option<&Problem> {
        self.problem_order.get(self.prob_sel).map(|i| &self.data.problems[*i])
    }

    pub fn selected_point_row(&self) -> Option<PointRow> {
        self.point_rows.get(self.point_sel).copied()
    }

    /// The leader the selected row of the current screen is about.
    fn row_leader(&self) -> Option<LeaderId> {
        match self.screen {
            Screen::Board => self.data.status.as_ref()?.leaders.get(self.board_sel).map(|l| l.id),
            Screen::Activities => self.selected_activity().map(|a| a.leader),
            Screen::Problems => self.selected_problem().map(|p| p.leader),
            Screen::Points => match self.selected_point_row()? {
                PointRow::Point(i) => Some(self.data.points[i].leader),
                PointRow::Leader(i) => Some(self.data.leaders[i].id),
            },
            Screen::Help => None,
            Screen::Calendar => self.chart_leader,
        }
    }

    /// The leader quick entry starts with: the row's, else the last one
    /// used, else the first.
    fn preselected_leader(&self) -> Option<&Leader> {
        self.row_leader()
            .or(self.last_leader)
            .and_then(|id| self.data.leader(id))
            .or(self.data.leaders.first())
    }

    /// The key contexts in force, most specific first.
    pub fn contexts(&self) -> Vec<Ctx> {
        match &self.modal {
            Some(Modal::Form(_)) => vec![Ctx::Form],
            Some(
                Modal::ConfirmDelete(_)
                | Modal::ConfirmDeleteProblem(_)
                | Modal::ConfirmReopen(_)
                | Modal::ConfirmUntick(..)
                | Modal::ConfirmOverwrite(..),
            ) => vec![Ctx::Confirm],
            Some(Modal::Details(..)) => vec![Ctx::Details, Ctx::Move],
            None if self.searching => vec![Ctx::Search],
            None => vec![Ctx::Screen(self.screen), Ctx::Lists, Ctx::Move],
        }
    }

    fn rows(&self) -> usize {
        match self.screen {
            Screen::Board => self.data.status.as_ref().map_or(0, |s| s.leaders.len()),
            Screen::Activities => self.visible.len(),
            Screen::Problems => self.problem_order.len(),
            Screen::Points => self.point_rows.len(),
            // Lines the help may scroll by; the drawing stops at its end.
            Screen::Help => self.scroll_limits.help.get() + 1,
            Screen::Calendar => self.data.plan_items().len(),
        }
    }

    fn selection_mut(&mut self) -> Option<&mut usize> {
        match self.screen {
            Screen::Board => Some(&mut self.board_sel),
            Screen::Activities => Some(&mut self.act_sel),
            Screen::Problems => Some(&mut self.prob_sel),
            Screen::Points => Some(&mut self.point_sel),
            Screen::Help => Some(&mut self.help_scroll),
            Screen::Calendar => Some(&mut self.plan_sel),
        }
    }

    fn move_selection(&mut self, delta: isize) {
        let rows = self.rows();
        if let Some(sel) = self.selection_mut() {
            let max = rows.saturating_sub(1) as isize;
            *sel = (*sel as isize + delta).clamp(0, max) as usize;
        }
    }
}

fn clamp(sel: usize, rows: usize) -> usize {
    sel.min(rows.saturating_sub(1))
}

/// The problems screen's rows: open problems first, then solved ones, by
/// point and day found. A problem solved before the year on view is done
/// with there and left out (the command line's `problem list` has all).
fn problem_order(data: &Data, year: i32) -> Vec<usize> {
    let mut order: Vec<usize> = (0..data.problems.len())
        .filter(|i| data.problems[*i].solved.is_none_or(|d| d.year() >= year))
        .collect();
    order.sort_by_key(|i| {
        let p = &data.problems[*i];
        (p.state == ProblemState::Solved, p.point, p.found, p.id)
    });
    order
}

fn point_rows(data: &Data, today: NaiveDate) -> Vec<PointRow> {
    let mut points: Vec<usize> = (0..data.points.len()).collect();
    // Open points first, in the order the leaders were entered.
    points.sort_by_key(|i| {
        let p = &data.points[*i];
        (
            !p.state.is_open(),
            data.leader_index.get(&p.leader).copied(),
            p.start,
            p.id,
        )
    });
    let mut rows: Vec<PointRow> = points.into_iter().map(PointRow::Point).collect();
    rows.extend(
        data.leaders
            .iter()
            .enumerate()
            .filter(|(_, l)| l.in_post_on(today) && data.open_point_of(l.id).is_none())
            .map(|(i, _)| PointRow::Leader(i)),
    );
    rows
}

/// True when a point's cycle is over and it awaits the review (二).
pub fn review_due(point: &ContactPoint, today: NaiveDate) -> bool {
    point.state.is_open() && point.cycle_end() <= today
}

/// Turns a key press into an action, through the keymap table. Only presses
/// count (terminals that report releases and repeats would double keys).
pub fn key_action(app: &App, key: KeyEvent) -> Option<Action> {
    if key.kind != KeyEventKind::Press {
        return None;
    }
    if app.too_small {
        // Nothing but the notice can be seen: a key would act blind (save a
        // form, confirm a delete, type). Quitting from a list still works,
        // and Ctrl-c quits from anywhere: a terminal that cannot be made
        // larger must not hold the user in a form they cannot see.
        let ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl_c {
            return Some(Action::Quit);
        }
        return keymap::lookup(&app.contexts(), &key).filter(|a| *a == Action::Quit);
    }
    if let Some(action) = keymap::lookup(&app.contexts(), &key) {
        return Some(action);
    }
    let to_input = || tui_input::backend::crossterm::to_input_request(&Event::Key(key)).map(Action::Input);
    match &app.modal {
        Some(Modal::Form(form)) if form.focused_choice().is_some() => match key.code {
            KeyCode::Char(c) => Some(Action::Choose(c)),
            KeyCode::Left => Some(Action::Cycle(-1)),
            KeyCode::Right => Some(Action::Cycle(1)),
            _ => None,
        },
        Some(Modal::Form(_)) => to_input(),
        Some(
            Modal::ConfirmDelete(_)
            | Modal::ConfirmDeleteProblem(_)
            | Modal::ConfirmReopen(_)
            | Modal::ConfirmUntick(..)
            | Modal::ConfirmOverwrite(..)
            | Modal::Details(..),
        ) => None,
        None if app.searching => to_input(),
        None => None,
    }
}

/// Turns any terminal event into an action (keys and pastes; resizes only
/// need a redraw, which the loop does after every event).
pub fn event_action(app: &App, event: &Event) -> Option<Action> {
    match event {
        Event::Key(key) => key_action(app, *key),
        Event::Paste(text) if !app.too_small => Some(Action::Paste(text.clone())),
        _ => None,
    }
}

/// Applies one action. Backend errors become the status line, never a panic.
pub fn update(app: &mut App, action: Action, backend: &dyn Backend) {
    if action == Action::Poll {
        // Others' changes show within a tick (the server pushes a notice
        // that bumps the version; nothing is polled from the database).
        app.disconnected = !backend.connected();
        if backend.data_version() != app.seen_version {
            app.reload(backend);
        }
        return;
    }
    if action == Action::Quit {
        // From a list, or from anywhere while the window is too small to
        // show what is open (`key_action`).
        app.quit = true;
        return;
    }
    if app.read_only && action.writes() {
        let t = app.text();
        app.warn(t.msg_read_only);
        return;
    }
    let modal_was_open = app.modal.is_some();
    let form_was_open = matches!(app.modal, Some(Modal::Form(_)));
    if app.modal.is_some() {
        update_modal(app, action, backend);
    } else if app.searching {
        update_search(app, action, backend);
    } else {
        update_list(app, action, backend);
    }
    // A form (from a list or from the details box) or a question opened:
    // the status line's last word (an old "saved", "nothing to undo") would
    // stand beside the form's own errors or under the question.
    let form_opened = !form_was_open && matches!(app.modal, Some(Modal::Form(_)));
    if form_opened || (!modal_was_open && app.modal.is_some()) {
        app.message = None;
    }
}

/// An action on a screen's list, with no form, question or search open.
fn update_list(app: &mut App, action: Action, backend: &dyn Backend) {
    let t = app.text();
    match action {
        // Handled above, before forms and searches.
        Action::Poll | Action::Quit => {}
        Action::Show(_) | Action::NextScreen | Action::PrevScreen => {
            let screen = match action {
                Action::Show(screen) => screen,
                _ => app.screen.step(action == Action::NextScreen),
            };
            // The last word belongs to what was done on the screen left
            // ("solved" under the board would read as the board's).
            if screen != app.screen {
                app.message = None;
            }
            app.screen = screen;
            app.ensure_shown(backend);
        }
        Action::PrevYear | Action::NextYear => {
            let step = if action == Action::PrevYear { -1 } else { 1 };
            let year = app.year + step;
            if date::check_year(year).is_ok() {
                app.year = year;
                app.reload(backend);
                app.info(fill(t.msg_year, &[&year]));
            }
        }
        Action::Up => app.move_selection(-1),
        Action::Down | Action::PageDown if app.screen == Screen::Activities => {
            app.move_selection(if action == Action::Down { 1 } else { PAGE as isize });
            // Near the end of what is read: read the next page.
            app.fill_activities(backend);
            app.move_selection(0);
        }
        Action::Down => app.move_selection(1),
        Action::PageUp => app.move_selection(-(PAGE as isize)),
        Action::PageDown => app.move_selection(PAGE as isize),
        Action::LoadDemo => match crate::demo::load(backend) {
            Ok(loaded) => {
                if let Ok(Some((_, last))) = backend.activity_years() {
                    app.year = last;
                }
                app.reload(backend);
                app.info(if loaded { t.msg_demo_loaded } else { t.msg_demo_already });
            }
            Err(e) => app.error(&e),
        },
        Action::Add => match app.screen {
            Screen::Problems => open_new_problem(app),
            _ => open_activity_form(app, None),
        },
        Action::Edit if app.screen == Screen::Problems => match app.selected_problem().cloned() {
            Some(p) => {
                let category = ProblemCategory::ALL.iter().position(|c| *c == p.category).unwrap_or(0);
                let fields = vec![
                    FormField::choice(t.f_category, Choice::Category, category),
                    FormField::new(t.f_description, FieldKind::Text, &p.description),
                    FormField::new(t.f_found, FieldKind::Date, &p.found.to_string()),
                    FormField::new(t.f_measures, FieldKind::Optional, p.measures.as_deref().unwrap_or("")),
                ];
                let mut form = Form::new(Purpose::EditProblem(p.id), t.form_edit_problem, fields, true);
                form.focus = 1;
                app.modal = Some(Modal::Form(form));
            }
            None => app.warn(t.msg_select_first),
        },
        Action::Edit => match app.selected_activity().cloned() {
            Some(a) => open_activity_form(app, Some(a)),
            None => app.warn(t.msg_select_first),
        },
        Action::Details => match app.selected_activity() {
            Some(a) => app.modal = Some(Modal::Details(a.id, 0)),
            None => app.warn(t.msg_select_first),
        },
        Action::Delete if app.screen == Screen::Problems => match app.selected_problem() {
            Some(p) => app.modal = Some(Modal::ConfirmDeleteProblem(p.id)),
            None => app.warn(t.msg_select_first),
        },
        Action::Delete => match app.selected_activity() {
            Some(a) => app.modal = Some(Modal::ConfirmDelete(a.id)),
            None => app.warn(t.msg_select_first),
        },
        Action::Undo => undo(app, backend),
        Action::FilterLeader if app.screen == Screen::Calendar => {
            // The chart cycles the same way; its counts are already loaded.
            let ids: Vec<LeaderId> = app.data.leaders.iter().map(|l| l.id).collect();
            app.chart_leader = match app.chart_leader.and_then(|id| ids.iter().position(|x| *x == id)) {
                None => ids.first().copied(),
                Some(i) => ids.get(i + 1).copied(),
            };
        }
        Action::FilterLeader => {
            // Cycles: all leaders, then each in turn, then all again.
            let ids: Vec<LeaderId> = app.data.leaders.iter().map(|l| l.id).collect();
            app.filter_leader = match app.filter_leader.and_then(|id| ids.iter().position(|x| *x == id)) {
                None => ids.first().copied(),
                Some(i) => ids.get(i + 1).copied(),
            };
            app.act_sel = 0;
            app.refilter();
            app.ensure_activities(backend);
        }
        Action::Search => app.searching = true,
        Action::Solve => match app.selected_problem() {
            Some(p) if p.state == ProblemState::Solved => app.warn(t.msg_already_solved),
            Some(p) => {
                let fields = vec![
                    FormField::new(t.f_solved_on, FieldKind::Date, &app.today.to_string()),
                    FormField::new(t.f_measures, FieldKind::Optional, p.measures.as_deref().unwrap_or("")),
                ];
                app.modal = Some(Modal::Form(Form::new(Purpose::Solve(p.id), t.form_solve, fields, true)));
            }
            None => app.warn(t.msg_select_first),
        },
        Action::Reopen => match app.selected_problem() {
            Some(p) if p.state != ProblemState::Solved => app.warn(t.msg_not_solved),
            Some(p) => app.modal = Some(Modal::ConfirmReopen(p.id)),
            None => app.warn(t.msg_select_first),
        },
        Action::Review => match app.selected_point_row() {
            Some(PointRow::Point(i)) if review_due(&app.data.points[i], app.today) => {
                let leader = app.data.points[i].leader;
                // No default: closing a contact point, or keeping it for
                // another cycle, is not decided by an Enter pressed in haste.
                let fields = vec![
                    FormField::choice_unmade(t.f_decision, Choice::Decision),
                    FormField::new(t.f_date, FieldKind::Date, &app.today.to_string()),
                ];
                app.modal = Some(Modal::Form(Form::new(
                    Purpose::Review(leader),
                    t.form_review,
                    fields,
                    false,
                )));
            }
            Some(_) => app.warn(t.msg_not_due),
            None => app.warn(t.msg_select_first),
        },
        Action::HandOver => match app.selected_point_row() {
            Some(PointRow::Point(i)) if app.data.points[i].state.is_open() => {
                let leader = app.data.points[i].leader;
                let fields = vec![
                    FormField::new(t.f_successor, FieldKind::Leader, ""),
                    FormField::new(t.f_date, FieldKind::Date, &app.today.to_string()),
                ];
                app.modal = Some(Modal::Form(Form::new(
                    Purpose::HandOver(leader),
                    t.form_hand_over,
                    fields,
                    false,
                )));
            }
            _ => app.warn(t.msg_select_first),
        },
        Action::EditLeader => match app.row_leader().and_then(|id| app.data.leader(id)).cloned() {
            Some(l) => {
                let own = l
                    .own_branch
                    .and_then(|b| app.data.branch(b))
                    .map_or(String::new(), |b| b.short.clone());
                let role = Role::ALL.iter().position(|r| *r == l.role).unwrap_or(0);
                let to = l.in_post_to.map_or(String::new(), |d| d.to_string());
                let fields = vec![
                    FormField::new(t.f_name, FieldKind::Text, &l.name),
                    FormField::new(t.f_title, FieldKind::Text, &l.title),
                    FormField::choice(t.f_role, Choice::Role, role),
                    FormField::new(t.f_own_branch, FieldKind::OptionalBranch, &own),
                    FormField::new(t.f_in_post_from, FieldKind::Date, &l.in_post_from.to_string()),
                    FormField::new(t.f_in_post_to, FieldKind::Optional, &to),
                ];
                app.modal = Some(Modal::Form(Form::new(
                    Purpose::EditLeader(Box::new(l.clone())),
                    t.form_edit_leader,
                    fields,
                    false,
                )));
            }
            None => app.warn(t.msg_select_first),
        },
        Action::AddLeader => {
            let fields = vec![
                FormField::new(t.f_name, FieldKind::Text, ""),
                FormField::new(t.f_title, FieldKind::Text, ""),
                FormField::choice(t.f_role, Choice::Role, 1),
                FormField::new(t.f_own_branch, FieldKind::OptionalBranch, ""),
                FormField::new(t.f_in_post_from, FieldKind::Date, &app.today.to_string()),
            ];
            app.modal = Some(Modal::Form(Form::new(
                Purpose::AddLeader,
                t.form_add_leader,
                fields,
                false,
            )));
        }
        Action::AddBranch => {
            let fields = vec![
                FormField::new(t.f_full_name, FieldKind::Text, ""),
                // Left empty, the full name is used (`validate::branch`).
                FormField::new(t.f_short, FieldKind::Optional, ""),
                FormField::new(t.f_parent, FieldKind::Optional, ""),
                FormField::new(t.f_branch_category, FieldKind::Optional, ""),
            ];
            app.modal = Some(Modal::Form(Form::new(
                Purpose::AddBranch,
                t.form_add_branch,
                fields,
                false,
            )));
        }
        Action::Assign => {
            let leader = app
                .row_leader()
                .and_then(|id| app.data.leader(id))
                .map_or("", |l| l.name.as_str());
            let fields = vec![
                FormField::new(t.f_leader, FieldKind::Leader, leader),
                FormField::new(t.f_branch, FieldKind::Branch, ""),
                FormField::new(t.f_from, FieldKind::Date, &app.today.to_string()),
                FormField::new(t.f_years, FieldKind::Number, "2"),
            ];
            let mut form = Form::new(Purpose::Assign, t.form_assign, fields, false);
            form.focus = usize::from(!leader.is_empty());
            app.modal = Some(Modal::Form(form));
        }
        Action::Report => {
            // Reports change no data, so the read-only view may write them.
            let fields = vec![
                FormField::choice(t.f_format, Choice::Format, 0),
                FormField::new(t.f_file, FieldKind::File, &report_file_name(app.year, 0)),
            ];
            app.modal = Some(Modal::Form(Form::new(
                Purpose::Report(app.year),
                t.form_report,
                fields,
                true,
            )));
        }
        Action::Tick => tick(app, backend),
        Action::EditTargets => {
            let target = app.data.targets.get(Role::Secretary, RuleId::Research);
            let mut fields = vec![
                FormField::choice(t.f_rule, Choice::Rule, 0),
                FormField::choice(t.f_role, Choice::Role, 0),
                FormField::new(t.f_min, FieldKind::Number, &target.min.to_string()),
                FormField::new(t.f_full, FieldKind::Number, &target.full.to_string()),
            ];
            // The numbers shown are the current ones: typing replaces them.
            fields[2].fresh = true;
            fields[3].fresh = true;
            app.modal = Some(Modal::Form(Form::new(
                Purpose::Targets(app.year),
                t.form_targets,
                fields,
                false,
            )));
        }
        // Keys of forms and questions do nothing on a list.
        Action::Submit
        | Action::Cancel
        | Action::NextField
        | Action::PrevField
        | Action::Yes
        | Action::No
        | Action::Choose(_)
        | Action::Cycle(_)
        | Action::Input(_)
        | Action::Paste(_) => {}
    }
}

fn update_search(app: &mut App, action: Action, backend: &dyn Backend) {
    match action {
        Action::Submit => app.searching = false,
        Action::Cancel => {
            app.searching = false;
            app.search.reset();
            app.refilter();
        }
        Action::Input(request) => {
            app.search.handle(request);
            app.act_sel = 0;
            app.fill_activities(backend);
        }
        Action::Paste(text) => {
            for c in form::pasted_line(&text).chars() {
                app.search.handle(InputRequest::InsertChar(c));
            }
            app.act_sel = 0;
            app.fill_activities(backend);
        }
        _ => {}
    }
}

fn update_modal(app: &mut App, action: Action, backend: &dyn Backend) {
    let t = app.text();
    match (app.modal.as_mut(), action) {
        (Some(Modal::ConfirmDelete(id)), Action::Yes) => {
            let id = *id;
            app.modal = None;
            match backend.delete_activity(id) {
                Ok(old) => {
                    app.undo = Some(Undo::Deleted(old));
                    app.reload(backend);
                    app.info(t.msg_deleted);
                }
                Err(e) => app.error(&e),
            }
        }
        (Some(Modal::ConfirmReopen(id)), Action::Yes) => {
            let id = *id;
            app.modal = None;
            match backend.reopen_problem(id) {
                Ok(_) => {
                    app.reload(backend);
                    app.info(t.msg_reopened);
                }
                Err(e) => app.error(&e),
            }
        }
        (Some(Modal::ConfirmDeleteProblem(id)), Action::Yes) => {
            let id = *id;
            app.modal = None;
            match backend.delete_problem(id) {
                Ok(_) => {
                    app.reload(backend);
                    app.info(t.msg_problem_deleted);
                }
                Err(e) => app.error(&e),
            }
        }
        (Some(Modal::ConfirmDeleteProblem(_)), Action::No) => {
            app.modal = None;
            app.info(t.msg_not_deleted);
        }
        (Some(Modal::ConfirmReopen(_)), Action::No) => {
            app.modal = None;
            app.info(t.msg_kept_solved);
        }
        (Some(Modal::ConfirmUntick(phase, task)), Action::Yes) => {
            let (phase, task) = (*phase, *task);
            app.modal = None;
            set_plan_item(app, backend, (phase, task), None);
        }
        (Some(Modal::ConfirmUntick(..)), Action::No) => {
            app.modal = None;
            app.info(t.msg_kept_ticked);
        }
        (Some(Modal::ConfirmDelete(_)), Action::No) => {
            app.modal = None;
            app.info(t.msg_not_deleted);
        }
        (Some(Modal::ConfirmOverwrite(form, _)), Action::Yes) => {
            let form = form.clone();
            finish_form(app, form, backend);
        }
        (Some(Modal::ConfirmOverwrite(form, _)), Action::No) => {
            let mut form = form.clone();
            form.error = Some(t.msg_not_overwritten.to_string());
            app.modal = Some(Modal::Form(form));
        }
        (Some(Modal::Details(..)), Action::Cancel) => app.modal = None,
        (Some(Modal::Details(_, scroll)), action @ (Action::Up | Action::Down | Action::PageUp | Action::PageDown)) => {
            let step = if matches!(action, Action::PageUp | Action::PageDown) {
                PAGE as u16
            } else {
                1
            };
            // From where the box is (a resize may have lowered the limit).
            let limit = app.scroll_limits.details.get();
            let at = (*scroll).min(limit);
            *scroll = if matches!(action, Action::Up | Action::PageUp) {
                at.saturating_sub(step)
            } else {
                at.saturating_add(step).min(limit)
            };
        }
        (Some(Modal::Details(id, _)), Action::Edit) => {
            // The activity shown, by its id: the selected row may have
            // moved under it since (a reload keeps the row, not the record).
            let id = *id;
            match app.data.activities.iter().find(|a| a.id == id).cloned() {
                Some(a) => open_activity_form(app, Some(a)),
                None => {
                    app.modal = None;
                    app.warn(t.msg_select_first);
                }
            }
        }
        (Some(Modal::Form(_)), Action::Cancel) => {
            app.modal = None;
            app.info(t.msg_cancelled);
        }
        (Some(Modal::Form(form)), Action::NextField) => form.next(),
        (Some(Modal::Form(form)), Action::PrevField) => form.prev(),
        (Some(Modal::Form(form)), Action::Choose(c)) => {
            let chosen = form.choose(c);
            if chosen {
                follow_choice(form, &app.data.targets);
            } else if !c.is_ascii() && form.to_text_after_choice() {
                // Not a choice key: the start of the text (see the method).
                form.input(InputRequest::InsertChar(c));
                return;
            }
            // Quick entry: after the kind, straight to the note (the date
            // already holds today).
            if chosen && form.quick {
                form.focus = form.fields.len() - 1;
            } else if chosen {
                form.next();
            }
        }
        (Some(Modal::Form(form)), Action::Cycle(step)) => {
            form.cycle(step);
            follow_choice(form, &app.data.targets);
        }
        (Some(Modal::Form(form)), Action::Input(request)) => {
            if let InputRequest::InsertChar(c) = request {
                form.to_text_after_fresh_date(c);
            }
            form.input(request)
        }
        (Some(Modal::Form(form)), Action::Paste(text)) => form.paste(&text),
        (Some(Modal::Form(form)), Action::Submit) => {
            if !form.quick && !form.on_last() {
                form.next();
                return;
            }
            let form = form.clone();
            // A report over a file that exists is asked about first (a
            // directory is refused when written, with no question).
            if let Purpose::Report(_) = form.purpose
                && let Some(path) = report_path(form.choice(0), form.value(1)).filter(|path| path.is_file())
            {
                let shown = crate::domain::text::printable(&path.display().to_string());
                app.modal = Some(Modal::ConfirmOverwrite(form, shown));
                return;
            }
            finish_form(app, form, backend);
        }
        _ => {}
    }
}

/// Carries out a submitted form: closed with the message on success, open
/// again with the error otherwise (also when it was behind a question).
fn finish_form(app: &mut App, form: Form, backend: &dyn Backend) {
    if let Some(i) = form.unmade_choice() {
        let mut form = form;
        form.error = Some(fill(app.text().msg_choose_first, &[&form.fields[i].label]));
        form.focus = i;
        app.modal = Some(Modal::Form(form));
        return;
    }
    match submit(app, &form, backend) {
        Ok(message) => {
            app.modal = None;
            // A report changes no data: nothing to read again.
            if !matches!(form.purpose, Purpose::Report(_)) {
                app.reload(backend);
            }
            app.info(message);
        }
        Err(text) => {
            let mut form = form;
            // Refused for a required text left empty (the description of a
            // problem, a name): the focus goes there, to type it. The store
            // checks the texts in the order the forms ask for them, after
            // every other field the form reads itself.
            if text.ends_with(errors::empty_text_suffix(app.lang))
                && let Some(i) = form
                    .fields
                    .iter()
                    .position(|f| f.kind == FieldKind::Text && f.value().trim().is_empty())
            {
                form.focus = i;
            }
            form.error = Some(text);
            app.modal = Some(Modal::Form(form));
        }
    }
}

/// The file name a report form starts with: `branchlink-2020.md` in the
/// current directory, the extension following the format chosen.
fn report_file_name(year: i32, format: usize) -> String {
    format!("branchlink-{year}.{}", REPORT_EXTENSIONS[format])
}

/// The extensions of the report formats, in the order of `Choice::Format`.
const REPORT_EXTENSIONS: [&str; 3] = ["md", "csv", "xlsx"];

/// Keeps a form's dependent fields in step with a choice just made: the
/// report's file extension, the targets' current numbers.
fn follow_choice(form: &mut Form, targets: &Targets) {
    match form.purpose {
        Purpose::Report(_) => {
            let format = form.choice(0);
            let name = form.value(1).to_string();
            // Only a name still ending in one of ours is changed: a name the
            // user chose otherwise stays as typed.
            let stem = REPORT_EXTENSIONS
                .iter()
                .find_map(|ext| name.strip_suffix(&format!(".{ext}")));
            if let Some(stem) = stem {
                let renamed = format!("{stem}.{}", REPORT_EXTENSIONS[format]);
                form.fields[1].input = tui_input::Input::new(renamed);
            }
        }
        Purpose::Targets(_) => {
            let target = targets.get(Role::ALL[form.choice(1)], TARGET_RULES[form.choice(0)]);
            for (i, n) in [(2, target.min), (3, target.full)] {
                form.fields[i].input = tui_input::Input::new(n.to_string());
                form.fields[i].fresh = true;
            }
        }
        _ => {}
    }
}

/// The rules the targets form offers, in the order of `Choice::Rule`.
pub const TARGET_RULES: [RuleId; 6] = RuleId::ALL;

/// Ticks the selected task of the plan, or, once asked
/// ([`Modal::ConfirmUntick`]), unticks it when it is done.
fn tick(app: &mut App, backend: &dyn Backend) {
    let items = app.data.plan_items();
    let Some(&(phase, task)) = items.get(app.plan_sel) else {
        app.warn(app.text().msg_select_first);
        return;
    };
    let Some(item) = app.data.plan.as_ref().and_then(|plan| plan.task(phase, task)) else {
        return;
    };
    match item.done {
        Some(_) => app.modal = Some(Modal::ConfirmUntick(phase, task)),
        None => set_plan_item(app, backend, (phase, task), Some(app.today)),
    }
}

/// Marks task `phase.task` of the year's plan done on `done`, or not done.
fn set_plan_item(app: &mut App, backend: &dyn Backend, (phase, task): (u32, u32), done: Option<NaiveDate>) {
    let t = app.text();
    let message = if done.is_some() { t.msg_ticked } else { t.msg_unticked };
    match backend.set_plan_item(app.year, phase, task, done) {
        // The plan is all that changed: no need to read the rest again.
        Ok(plan) => {
            let text = plan.task(phase, task).map(|item| item.text.clone()).unwrap_or_default();
            app.data.plan = Some(plan);
            app.info(fill(message, &[&phase, &task, &text]));
        }
        Err(e) => app.error(&e),
    }
}

fn open_activity_form(app: &mut App, existing: Option<Activity>) {
    let t = app.text();
    let (leader, kind, date, note) = match &existing {
        Some(a) => (
            app.data.leader_name(a.leader).to_string(),
            ActivityKind::ALL.iter().position(|k| *k == a.kind).unwrap_or(0),
            a.date.to_string(),
            a.note.clone().unwrap_or_default(),
        ),
        None => (
            app.preselected_leader().map(|l| l.name.clone()).unwrap_or_default(),
            0,
            app.today.to_string(),
            String::new(),
        ),
    };
    let fields = vec![
        FormField::new(t.f_leader, FieldKind::Leader, &leader),
        FormField::choice(t.f_kind, Choice::Kind, kind),
        FormField::new(t.f_date, FieldKind::Date, &date),
        FormField::new(t.f_note, FieldKind::Optional, &note),
    ];
    let (purpose, title) = match existing {
        Some(a) => (Purpose::EditActivity(Box::new(a)), t.form_edit_activity),
        None => (Purpose::NewActivity, t.form_new_activity),
    };
    let mut form = Form::new(purpose, title, fields, true);
    // With the leader known, start at the kind: `a`, kind key, note, Enter.
    form.focus = usize::from(!leader.is_empty());
    app.modal = Some(Modal::Form(form));
}

fn open_new_problem(app: &mut App) {
    let t = app.text();
    let leader = app.preselected_leader().map(|l| l.name.clone()).unwrap_or_default();
    let fields = vec![
        FormField::new(t.f_leader, FieldKind::Leader, &leader),
        FormField::choice(t.f_category, Choice::Category, 0),
        FormField::new(t.f_description, FieldKind::Text, ""),
        FormField::new(t.f_found, FieldKind::Date, &app.today.to_string()),
    ];
    let mut form = Form::new(Purpose::NewProblem, t.form_new_problem, fields, false);
    form.focus = usize::from(!leader.is_empty());
    app.modal = Some(Modal::Form(form));
}

fn undo(app: &mut App, backend: &dyn Backend) {
    let t = app.text();
    let result = match app.undo.take() {
        None => {
            app.warn(t.msg_nothing_to_undo);
            return;
        }
        Some(Undo::Deleted(a)) => backend.restore_activity(a).map(|_| ()),
        Some(Undo::Edited(old)) => backend.update_activity(old).map(|_| ()),
    };
    match result {
        Ok(()) => {
            app.reload(backend);
            app.info(t.msg_undone);
        }
        Err(e) => app.error(&e),
    }
}

/// Reads a date field the way quick entry accepts it.
fn parse_date(app: &App, input: &str) -> Result<NaiveDate, String> {
    // A date field emptied is today, as the command line's missing --date.
    if input.trim().is_empty() {
        return Ok(app.today);
    }
    date::parse(input, app.today, DateForms::Quick).map_err(|problem| match problem {
        DateProblem::Unreadable => fill(app.text().bad_date, &[&input.trim(), &errors::date_forms(app.lang)]),
        problem => errors::domain(
            app.lang,
            &DomainError::Date {
                input: input.to_string(),
                problem,
            },
        ),
    })
}

/// [`parse_date`] for work already done (see [`date::done_by`]).
fn parse_done_date(app: &App, input: &str) -> Result<NaiveDate, String> {
    let date = parse_date(app, input)?;
    date::done_by(date, app.today).map_err(|problem| {
        errors::domain(
            app.lang,
            &DomainError::Date {
                input: input.trim().to_string(),
                problem,
            },
        )
    })
}

/// What was done (`plain`), and when its day is in another year than the
/// one on view, which year it counts in (`other_year`, filled with the day
/// and the year): otherwise the board does not change and the work seems
/// lost.
fn done_on(app: &App, date: NaiveDate, plain: &str, other_year: &str) -> String {
    if date.year() == app.year {
        plain.to_string()
    } else {
        fill(other_year, &[&date, &date.year()])
    }
}

fn optional(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// The whole number in field `i` of `form`, or the message: one that
/// cannot be a number, or one too big for any count the tool keeps.
fn form_number(app: &App, form: &Form, i: usize) -> Result<u32, String> {
    let t = app.text();
    let value = form.value(i).trim();
    value.parse().map_err(|_| {
        let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
        fill(
            if digits { t.msg_number_too_big } else { t.msg_bad_number },
            &[&form.fields[i].label],
        )
    })
}

/// Checks a form and sends its command. Ok gives the message to show; Err
/// the line to show in the form, which stays open.
fn submit(app: &mut App, form: &Form, backend: &dyn Backend) -> Result<String, String> {
    let t = app.text();
    let lang = app.lang;
    let to_line = |e: Error| errors::message(lang, &e);
    let leader = |i: usize| -> Result<LeaderId, String> {
        lookup::leader(&app.data.leaders, form.value(i))
            .map(|l| l.id)
            .map_err(|e| errors::domain(lang, &e))
    };
    let branch = |i: usize| -> Result<u64, String> {
        lookup::branch(&app.data.branches, form.value(i))
            .map(|b| b.id)
            .map_err(|e| errors::domain(lang, &e))
    };
    // An emptied date is today for a new record only: an edit must not
    // move a recorded date to today unasked.
    let kept_date = |i: usize| -> Result<(), String> {
        if form.value(i).trim().is_empty() {
            return Err(errors::domain(
                lang,
                &DomainError::Date {
                    input: String::new(),
                    problem: DateProblem::Unreadable,
                },
            ));
        }
        Ok(())
    };
    match &form.purpose {
        Purpose::NewActivity | Purpose::EditActivity(_) => {
            let who = leader(0)?;
            let kind = ActivityKind::ALL[form.choice(1)];
            if matches!(form.purpose, Purpose::EditActivity(_)) {
                kept_date(2)?;
            }
            let date = parse_done_date(app, form.value(2))?;
            let note = optional(form.value(3));
            if let Purpose::EditActivity(old) = &form.purpose {
                let changed = Activity {
                    leader: who,
                    kind,
                    date,
                    note,
                    ..(**old).clone()
                };
                let before = backend.update_activity(changed).map_err(to_line)?;
                app.undo = Some(Undo::Edited(before));
            } else {
                let activity = Activity {
                    id: 0,
                    date,
                    leader: who,
                    point: 0,
                    kind,
                    place: None,
                    participants: None,
                    findings: None,
                    actions: None,
                    note,
                };
                backend.add_activity(activity).map_err(to_line)?;
            }
            app.last_leader = Some(who);
            Ok(done_on(app, date, t.msg_saved, t.msg_saved_other_year))
        }
        Purpose::NewProblem => {
            let who = leader(0)?;
            let found = parse_done_date(app, form.value(3))?;
            let problem = Problem {
                id: 0,
                point: 0,
                leader: who,
                category: ProblemCategory::ALL[form.choice(1)],
                description: form.value(2).to_string(),
                found,
                measures: None,
                state: ProblemState::Open,
                solved: None,
                solved_by: None,
            };
            backend.add_problem(problem).map_err(to_line)?;
            // Every problem is on the problems screen, whatever the year.
            Ok(t.msg_saved.into())
        }
        Purpose::EditProblem(id) => {
            let Some(old) = app.data.problems.iter().find(|p| p.id == *id).cloned() else {
                return Err(errors::domain(
                    lang,
                    &DomainError::Unknown {
                        kind: crate::domain::error::RecordKind::Problem,
                        input: id.to_string(),
                    },
                ));
            };
            kept_date(2)?;
            let corrected = Problem {
                category: ProblemCategory::ALL[form.choice(0)],
                description: form.value(1).to_string(),
                found: parse_done_date(app, form.value(2))?,
                measures: optional(form.value(3)),
                ..old
            };
            backend.update_problem(corrected).map_err(to_line)?;
            Ok(t.msg_saved.into())
        }
        Purpose::Solve(id) => {
            let date = parse_done_date(app, form.value(0))?;
            backend
                .solve_problem(*id, date, optional(form.value(1)))
                .map_err(to_line)?;
            Ok(done_on(app, date, t.msg_solved, t.msg_solved_other_year))
        }
        Purpose::AddLeader => {
            let own_branch = match optional(form.value(3)) {
                None => None,
                Some(_) => Some(branch(3)?),
            };
            let from = parse_date(app, form.value(4))?;
            let new = Leader {
                id: 0,
                name: form.value(0).to_string(),
                title: form.value(1).to_string(),
                role: Role::ALL[form.choice(2)],
                own_branch,
                in_post_from: from,
                in_post_to: None,
            };
            backend.add_leader(new).map_err(to_line)?;
            Ok(t.msg_saved.into())
        }
        Purpose::EditLeader(opened) => {
            kept_date(4)?;
            let own_branch = match optional(form.value(3)) {
                None => None,
                Some(_) => Some(branch(3)?),
            };
            let in_post_to = match optional(form.value(5)) {
                None => None,
                Some(to) => Some(parse_date(app, &to)?),
            };
            let typed = Leader {
                id: opened.id,
                name: form.value(0).to_string(),
                title: form.value(1).to_string(),
                role: Role::ALL[form.choice(2)],
                own_branch,
                in_post_from: parse_date(app, form.value(4))?,
                in_post_to,
            };
            // What the form changed, over the record as it is now: a
            // hand-over saved elsewhere while the form was open (a leaving
            // date) is not undone by fields left as they were.
            let now = app
                .data
                .leader(opened.id)
                .cloned()
                .unwrap_or_else(|| (**opened).clone());
            fn pick<V: PartialEq>(typed: V, opened: V, now: V) -> V {
                if typed == opened { now } else { typed }
            }
            let corrected = Leader {
                id: opened.id,
                name: pick(typed.name, opened.name.clone(), now.name),
                title: pick(typed.title, opened.title.clone(), now.title),
                role: pick(typed.role, opened.role, now.role),
                own_branch: pick(typed.own_branch, opened.own_branch, now.own_branch),
                in_post_from: pick(typed.in_post_from, opened.in_post_from, now.in_post_from),
                in_post_to: pick(typed.in_post_to, opened.in_post_to, now.in_post_to),
            };
            backend.update_leader(corrected).map_err(to_line)?;
            Ok(t.msg_saved.into())
        }
        Purpose::AddBranch => {
            let new = Branch {
                id: 0,
                name: form.value(0).to_string(),
                short: form.value(1).to_string(),
                parent: optional(form.value(2)),
                category: optional(form.value(3)),
                weaknesses: vec![],
            };
            backend.add_branch(new).map_err(to_line)?;
            Ok(t.msg_saved.into())
        }
        Purpose::Assign => {
            let who = leader(0)?;
            let to = branch(1)?;
            let from = parse_date(app, form.value(2))?;
            let years = form_number(app, form, 3)?;
            backend.assign_point(who, to, from, years).map_err(to_line)?;
            Ok(t.msg_saved.into())
        }
        Purpose::Review(who) => {
            let review = [Review::Transformed, Review::Continue][form.choice(0)];
            let date = parse_done_date(app, form.value(1))?;
            backend.review_point(*who, review, date).map_err(to_line)?;
            Ok(t.msg_saved.into())
        }
        Purpose::HandOver(who) => {
            let successor = leader(0)?;
            let date = parse_done_date(app, form.value(1))?;
            backend.hand_over(*who, successor, date).map_err(to_line)?;
            Ok(t.msg_saved.into())
        }
        Purpose::Report(year) => write_report(app, *year, form.choice(0), form.value(1), backend),
        Purpose::Targets(year) => {
            let number = |i: usize| form_number(app, form, i);
            let rule = TARGET_RULES[form.choice(0)];
            let role = Role::ALL[form.choice(1)];
            let min = number(2)?;
            // An empty full mark is the minimum, as on the command line.
            let full = if form.value(3).trim().is_empty() {
                min
            } else {
                number(3)?
            };
            let target = validate::target(Target::new(min, full)).map_err(|e| errors::domain(lang, &e))?;
            let mut targets = backend.targets(*year).map_err(to_line)?;
            // Bureau rules have no role: `set` ignores it for them.
            targets.set(Some(role), rule, target);
            backend.set_targets(*year, targets).map_err(to_line)?;
            let who = if RuleId::BUREAU.contains(&rule) {
                ""
            } else {
                role.label(lang)
            };
            Ok(fill(
                t.msg_targets_set,
                &[year, &rule.label(lang), &who, &target.min, &target.full],
            ))
        }
    }
}

/// The file a report form names, `None` when it names none. A name typed
/// without an extension gets the format's, so that the file opens in the
/// program the format is for.
fn report_path(format: usize, file: &str) -> Option<std::path::PathBuf> {
    let file = file.trim();
    if file.is_empty() {
        return None;
    }
    let mut path = std::path::PathBuf::from(file);
    let names_a_file = !file.ends_with(['/', std::path::MAIN_SEPARATOR]) && !path.is_dir();
    if names_a_file
        && path.extension().is_none()
        && let Some(ext) = REPORT_EXTENSIONS.get(format)
    {
        path.set_extension(ext);
    }
    Some(path)
}

/// Renders the year's report and writes it; the message says where.
fn write_report(app: &App, year: i32, format: usize, file: &str, backend: &dyn Backend) -> Result<String, String> {
    let t = app.text();
    let lang = app.lang;
    let path = report_path(format, file).ok_or_else(|| t.msg_no_file.to_string())?;
    let shown = crate::domain::text::printable(&path.display().to_string());
    let cannot = |e: &dyn std::fmt::Display| {
        fill(
            t.msg_cannot_write,
            &[&shown, &crate::domain::text::printable(&e.to_string())],
        )
    };
    let report = crate::report::load(backend, year, app.today).map_err(|e| errors::message(lang, &e))?;
    let bytes = match REPORT_EXTENSIONS.get(format) {
        Some(&"csv") => crate::report::csv::render(&report, lang).map_err(|e| cannot(&e))?,
        Some(&"xlsx") => crate::report::xlsx::render(&report, lang).map_err(|e| cannot(&e))?,
        _ => crate::report::markdown::render(&report, lang).into_bytes(),
    };
    crate::paths::write_atomically(&path, &bytes).map_err(|e| cannot(&errors::io(lang, &e)))?;
    // Where it went, in full: a bare name lands in the directory the
    // workbench was started from, which the person may not know.
    let written = std::fs::canonicalize(&path)
        .or_else(|_| std::path::absolute(&path))
        .map_or(shown, |p| crate::domain::text::printable(&p.display().to_string()));
    Ok(fill(t.msg_report_written, &[&year, &written]))
}
