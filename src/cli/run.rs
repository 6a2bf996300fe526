//! Carrying out one command through the [`Backend`], the same library
//! calls the workbench makes.

use std::path::Path;

use chrono::{Datelike, NaiveDate};

use super::args::{
    BranchCmd, Command, Deferred, EventCmd, Format, LeaderCmd, PointCmd, ProblemCmd, VisitAdd, VisitCmd,
};
use super::output::{cell, json, table};
use crate::api::{ActivityFilter, Backend, Review};
use crate::domain::date::{self, DateForms};
use crate::domain::{
    Activity, ActivityKind, Branch, BureauEvent, DomainError, EventKind, Field, Leader, Problem, ProblemCategory,
    ProblemState, Role, Weakness, lookup, validate,
};
use crate::error::Error;
use crate::i18n::{Label, Lang, errors, fill};
pub(crate) use crate::paths::write_atomically;
use crate::store::parse_snapshot;

/// What a failed command tells the user: one line, already in their language.
#[derive(Debug)]
pub struct Failure(pub String);

impl Failure {
    fn from_error(lang: Lang, e: &Error) -> Failure {
        Failure(errors::message(lang, e))
    }
}

/// What every command knows besides the data: the user's language and
/// today, and how to read dates and words and word a failure with them.
pub struct Ground {
    pub lang: Lang,
    pub today: NaiveDate,
}

/// Everything a command needs: the [`Ground`] and the data.
pub struct Context<'a> {
    pub backend: &'a dyn Backend,
    pub ground: Ground,
}

impl std::ops::Deref for Context<'_> {
    type Target = Ground;
    fn deref(&self) -> &Ground {
        &self.ground
    }
}

type Outcome = Result<String, Failure>;

impl Ground {
    pub(crate) fn fail(&self, e: impl Into<Error>) -> Failure {
        Failure::from_error(self.lang, &e.into())
    }

    pub(crate) fn date(&self, input: Option<&str>) -> Result<NaiveDate, Failure> {
        match input {
            None => Ok(self.today),
            Some(s) => self.parse_date(s, DateForms::Quick),
        }
    }

    /// A date written out in full (`2020-09-10`, `today`, `yesterday`).
    pub(crate) fn full_date(&self, input: &str) -> Result<NaiveDate, Failure> {
        match date::parse(input, self.today, DateForms::Full) {
            Err(date::DateProblem::Unreadable) => Err(Failure(fill(
                self.text().full_date_needed,
                &[&crate::domain::text::printable(input.trim())],
            ))),
            _ => self.parse_date(input, DateForms::Full),
        }
    }

    fn parse_date(&self, input: &str, forms: DateForms) -> Result<NaiveDate, Failure> {
        date::parse(input, self.today, forms).map_err(|problem| {
            self.fail(DomainError::Date {
                input: input.to_string(),
                problem,
            })
        })
    }

    /// [`Ground::date`] for work already done: not after today
    /// (`date::done_by`).
    pub(crate) fn done_date(&self, input: Option<&str>) -> Result<NaiveDate, Failure> {
        let d = self.date(input)?;
        date::done_by(d, self.today).map_err(|problem| {
            self.fail(DomainError::Date {
                input: input.unwrap_or_default().trim().to_string(),
                problem,
            })
        })
    }

    pub(crate) fn year(&self, y: Option<i64>) -> Result<i32, Failure> {
        match y {
            None => Ok(self.today.year()),
            Some(y) => validate::year(y).map_err(|e| self.fail(e)),
        }
    }

    fn role(&self, input: &str) -> Result<Role, Failure> {
        Role::parse(input).ok_or_else(|| self.fail(DomainError::UnknownRole(input.to_string())))
    }

    fn weaknesses(&self, inputs: &[String]) -> Result<Vec<Weakness>, Failure> {
        inputs
            .iter()
            .map(|w| Weakness::parse(w).ok_or_else(|| self.fail(DomainError::UnknownWeakness(w.clone()))))
            .collect()
    }

    pub(crate) fn text(&self) -> &'static crate::i18n::cli::CliText {
        self.lang.cli()
    }
}

impl Context<'_> {
    pub(crate) fn leader(&self, input: &str) -> Result<Leader, Failure> {
        let leaders = self.backend.leaders_matching(input).map_err(|e| self.fail(e))?;
        lookup::leader(&leaders, input).cloned().map_err(|e| self.fail(e))
    }

    fn branch(&self, input: &str) -> Result<Branch, Failure> {
        let branches = self.backend.branches().map_err(|e| self.fail(e))?;
        lookup::branch(&branches, input).cloned().map_err(|e| self.fail(e))
    }
}

/// Runs one command; returns what to print on success.
pub fn run(cx: &Context<'_>, command: Command) -> Outcome {
    match command {
        Command::Demo => {
            let loaded = crate::demo::load(cx.backend).map_err(|e| cx.fail(e))?;
            Ok(if loaded {
                cx.text().demo_loaded
            } else {
                cx.text().demo_already
            }
            .to_string())
        }
        Command::Leader(Deferred(c)) => leader(cx, c),
        Command::Branch(Deferred(c)) => branch(cx, c),
        Command::Point(Deferred(c)) => point(cx, c),
        Command::Visit(Deferred(c)) => visit(cx, c),
        Command::Problem(Deferred(c)) => problem(cx, c),
        Command::Event(Deferred(c)) => event(cx, c),
        Command::Status { year, format } => status(cx, cx.year(year)?, format),
        Command::Export { file } => export(cx, &file),
        Command::Backup { file } => backup(cx, &file),
        // Needs no backend: main runs it before opening one.
        Command::Serve { .. } => Err(Failure(cx.lang.server().serve_alone.to_string())),
        Command::Import { file } => import(cx, &file),
        Command::Report { year, format, output } => super::rhythm::report(cx, year, format, output.as_deref()),
        Command::Due {
            year,
            days_without_visit,
            format,
        } => super::rhythm::due(cx, year, days_without_visit, format),
        Command::Assess(Deferred(a)) => super::rhythm::assess(cx, a),
        Command::Plan(Deferred(p)) => super::rhythm::plan(cx, p),
        Command::Targets(Deferred(t)) => super::rhythm::targets(cx, t),
        Command::Audit { limit } => {
            let entries = cx.backend.audit(limit).map_err(|e| cx.fail(e))?;
            Ok(json(&entries))
        }
    }
}

fn leader(cx: &Context<'_>, c: LeaderCmd) -> Outcome {
    let t = cx.text();
    match c {
        LeaderCmd::Add {
            name,
            title,
            role,
            own_branch,
            from,
        } => {
            let role = cx.role(&role)?;
            let own_branch = match own_branch {
                Some(b) => Some(cx.branch(&b)?.id),
                None => None,
            };
            let leader = Leader {
                id: 0,
                name,
                title,
                role,
                own_branch,
                in_post_from: cx.date(from.as_deref())?,
                in_post_to: None,
            };
            let l = cx.backend.add_leader(leader).map_err(|e| cx.fail(e))?;
            Ok(fill(t.leader_added, &[&l.name, &l.id]))
        }
        LeaderCmd::Edit {
            leader,
            name,
            title,
            role,
            own_branch,
            from,
            to,
        } => {
            let mut l = cx.leader(&leader)?;
            if let Some(name) = name {
                l.name = name;
            }
            if let Some(title) = title {
                l.title = title;
            }
            if let Some(role) = role {
                l.role = cx.role(&role)?;
            }
            // `none` clears the own branch or the leaving date.
            let none = |s: &str| s.trim().eq_ignore_ascii_case("none");
            if let Some(b) = own_branch {
                l.own_branch = if none(&b) { None } else { Some(cx.branch(&b)?.id) };
            }
            if let Some(from) = from {
                l.in_post_from = cx.date(Some(&from))?;
            }
            if let Some(to) = to {
                l.in_post_to = if none(&to) { None } else { Some(cx.date(Some(&to))?) };
            }
            let id = l.id;
            cx.backend.update_leader(l).map_err(|e| cx.fail(e))?;
            Ok(fill(t.leader_edited, &[&id]))
        }
        LeaderCmd::Delete { leader } => {
            let l = cx.leader(&leader)?;
            let l = cx.backend.delete_leader(l.id).map_err(|e| cx.fail(e))?;
            Ok(fill(t.leader_deleted, &[&l.name, &l.id]))
        }
        LeaderCmd::List(f) => {
            let leaders = cx.backend.leaders().map_err(|e| cx.fail(e))?;
            if f.format == Format::Json {
                return Ok(json(&leaders));
            }
            let branches = cx.backend.branches().map_err(|e| cx.fail(e))?;
            let branch_name = |id: Option<u64>| {
                id.and_then(|id| branches.iter().find(|b| b.id == id))
                    .map(|b| b.short.clone())
            };
            let rows = leaders
                .iter()
                .map(|l| {
                    vec![
                        l.id.to_string(),
                        l.name.clone(),
                        l.title.clone(),
                        l.role.label(cx.lang).to_string(),
                        branch_name(l.own_branch).unwrap_or_default(),
                        format!(
                            "{} – {}",
                            l.in_post_from,
                            l.in_post_to.map_or(t.open_ended.to_string(), |d| d.to_string())
                        ),
                    ]
                })
                .collect();
            Ok(list(
                t,
                vec![t.h_id, t.h_name, t.h_title, t.h_role, t.h_own_branch, t.h_in_post],
                rows,
            ))
        }
    }
}

fn list(t: &crate::i18n::cli::CliText, header: Vec<&str>, rows: Vec<Vec<String>>) -> String {
    if rows.is_empty() {
        t.nothing.to_string()
    } else {
        table(header, rows)
    }
}

fn branch(cx: &Context<'_>, c: BranchCmd) -> Outcome {
    let t = cx.text();
    match c {
        BranchCmd::Add {
            name,
            short,
            category,
            parent,
            weakness,
        } => {
            let weaknesses = cx.weaknesses(&weakness)?;
            let b = Branch {
                id: 0,
                name,
                short: short.unwrap_or_default(),
                parent,
                category,
                weaknesses,
            };
            let b = cx.backend.add_branch(b).map_err(|e| cx.fail(e))?;
            Ok(fill(t.branch_added, &[&b.name, &b.id]))
        }
        BranchCmd::Edit {
            branch,
            name,
            short,
            category,
            parent,
            weakness,
        } => {
            let mut b = cx.branch(&branch)?;
            if let Some(name) = name {
                // A short name that was the full name (none was given) follows it.
                if short.is_none() && b.short == b.name {
                    b.short = name.clone();
                }
                b.name = name;
            }
            if let Some(short) = short {
                b.short = short;
            }
            if let Some(category) = category {
                b.category = Some(category);
            }
            if let Some(parent) = parent {
                b.parent = Some(parent);
            }
            if !weakness.is_empty() {
                b.weaknesses = cx.weaknesses(&weakness)?;
            }
            let id = b.id;
            cx.backend.update_branch(b).map_err(|e| cx.fail(e))?;
            Ok(fill(t.branch_edited, &[&id]))
        }
        BranchCmd::List(f) => {
            let branches = cx.backend.branches().map_err(|e| cx.fail(e))?;
            if f.format == Format::Json {
                return Ok(json(&branches));
            }
            let rows = branches
                .iter()
                .map(|b| {
                    vec![
                        b.id.to_string(),
                        b.short.clone(),
                        b.name.clone(),
                        b.category.clone().unwrap_or_default(),
                        b.weaknesses
                            .iter()
                            .map(|w| w.label(cx.lang))
                            .collect::<Vec<_>>()
                            .join(cx.lang.report().list_sep),
                    ]
                })
                .collect();
            Ok(list(
                t,
                vec![t.h_id, t.h_short, t.h_name, t.h_category, t.h_weakness],
                rows,
            ))
        }
    }
}

fn point(cx: &Context<'_>, c: PointCmd) -> Outcome {
    let t = cx.text();
    match c {
        PointCmd::Assign {
            leader,
            branch,
            from,
            years,
        } => {
            let l = cx.leader(&leader)?;
            let b = cx.branch(&branch)?;
            let from = cx.date(from.as_deref())?;
            let p = cx
                .backend
                .assign_point(l.id, b.id, from, years)
                .map_err(|e| cx.fail(e))?;
            Ok(fill(
                t.point_assigned,
                &[&l.name, &b.short, &p.start, &p.cycle_end(), &p.id],
            ))
        }
        PointCmd::List(f) => {
            let points = cx.backend.points().map_err(|e| cx.fail(e))?;
            if f.format == Format::Json {
                return Ok(json(&points));
            }
            let leaders = cx.backend.leaders().map_err(|e| cx.fail(e))?;
            let branches = cx.backend.branches().map_err(|e| cx.fail(e))?;
            let rows = points
                .iter()
                .map(|p| {
                    let leader = leaders.iter().find(|l| l.id == p.leader).map_or("?", |l| &l.name);
                    let branch = branches.iter().find(|b| b.id == p.branch).map_or("?", |b| &b.short);
                    let mut state = p.state.label(cx.lang).to_string();
                    if p.state.is_open() && p.cycle_end() <= cx.today {
                        state = format!("{state}{}{}", cx.lang.comma(), t.review_due);
                    }
                    vec![
                        p.id.to_string(),
                        leader.to_string(),
                        branch.to_string(),
                        p.start.to_string(),
                        p.cycle_end().to_string(),
                        state,
                    ]
                })
                .collect();
            Ok(list(
                t,
                vec![t.h_id, t.h_leader, t.h_branch, t.h_start, t.h_cycle_end, t.h_state],
                rows,
            ))
        }
        PointCmd::Review {
            leader,
            transformed,
            keep: _,
            date,
        } => {
            let l = cx.leader(&leader)?;
            // A review and a hand-over are recorded once made, as visits are.
            let date = cx.done_date(date.as_deref())?;
            let review = if transformed {
                Review::Transformed
            } else {
                Review::Continue
            };
            let p = cx.backend.review_point(l.id, review, date).map_err(|e| cx.fail(e))?;
            let branch = cx.branch(&p.branch.to_string())?;
            Ok(match review {
                Review::Transformed => fill(t.point_transformed, &[&l.name, &branch.short]),
                Review::Continue => fill(t.point_continued, &[&l.name, &branch.short, &p.cycle_end()]),
            })
        }
        PointCmd::Handover {
            leader,
            successor,
            date,
        } => {
            let l = cx.leader(&leader)?;
            let s = cx.leader(&successor)?;
            let date = cx.done_date(date.as_deref())?;
            let p = cx.backend.hand_over(l.id, s.id, date).map_err(|e| cx.fail(e))?;
            let branch = cx.branch(&p.branch.to_string())?;
            Ok(fill(t.point_handed_over, &[&l.name, &branch.short, &s.name, &date]))
        }
    }
}

fn kind(g: &Ground, s: &str) -> Result<ActivityKind, Failure> {
    ActivityKind::parse(s).ok_or_else(|| g.fail(DomainError::UnknownActivityKind(s.to_string())))
}

/// Where `visit add` logs a visit: the data, through any [`Backend`], or
/// the inbox of a database no process holds (`store::inbox`).
pub trait VisitLog {
    fn leaders_matching(&self, input: &str) -> Result<Vec<Leader>, Error>;
    fn add_activity(&self, activity: Activity) -> Result<Activity, Error>;
}

impl VisitLog for dyn Backend + '_ {
    fn leaders_matching(&self, input: &str) -> Result<Vec<Leader>, Error> {
        Backend::leaders_matching(self, input)
    }
    fn add_activity(&self, activity: Activity) -> Result<Activity, Error> {
        Backend::add_activity(self, activity)
    }
}

impl VisitLog for crate::store::inbox::InboxWriter {
    fn leaders_matching(&self, input: &str) -> Result<Vec<Leader>, Error> {
        crate::store::inbox::InboxWriter::leaders_matching(self, input)
    }
    fn add_activity(&self, activity: Activity) -> Result<Activity, Error> {
        crate::store::inbox::InboxWriter::add_activity(self, activity)
    }
}

/// `visit add`: the one command that can also go to the inbox, where it
/// is checked and worded the same.
pub fn add_visit<L: VisitLog + ?Sized>(g: &Ground, log: &L, add: VisitAdd) -> Outcome {
    let VisitAdd {
        leader,
        kind: k,
        date,
        note,
        place,
        participants,
        findings,
        actions,
    } = add;
    let kind = kind(g, &k)?;
    let leaders = log.leaders_matching(&leader).map_err(|e| g.fail(e))?;
    let l = lookup::leader(&leaders, &leader).map_err(|e| g.fail(e))?;
    let date = g.done_date(date.as_deref())?;
    let a = Activity {
        id: 0,
        date,
        leader: l.id,
        point: 0,
        kind,
        place,
        participants,
        findings,
        actions,
        note,
    };
    let a = log.add_activity(a).map_err(|e| g.fail(e))?;
    Ok(fill(
        g.text().visit_added,
        &[&a.id, &a.date, &l.name, &a.kind.label(g.lang)],
    ))
}

fn visit(cx: &Context<'_>, c: VisitCmd) -> Outcome {
    let t = cx.text();
    match c {
        VisitCmd::Add(add) => add_visit(cx, cx.backend, add),
        VisitCmd::List { year, leader, format } => {
            let year = year.map(|y| validate::year(y).map_err(|e| cx.fail(e))).transpose()?;
            let leaders = cx.backend.leaders().map_err(|e| cx.fail(e))?;
            let leader = match leader {
                Some(l) => Some(lookup::leader(&leaders, &l).map_err(|e| cx.fail(e))?.id),
                None => None,
            };
            let acts = cx
                .backend
                .activities(&ActivityFilter { year, leader })
                .map_err(|e| cx.fail(e))?;
            if format == Format::Json {
                return Ok(json(&acts));
            }
            let points = cx.backend.points().map_err(|e| cx.fail(e))?;
            let branches = cx.backend.branches().map_err(|e| cx.fail(e))?;
            let rows = acts
                .iter()
                .map(|a| {
                    let name = leaders.iter().find(|l| l.id == a.leader).map_or("?", |l| &l.name);
                    let branch = points
                        .iter()
                        .find(|p| p.id == a.point)
                        .and_then(|p| branches.iter().find(|b| b.id == p.branch))
                        .map_or("?", |b| &b.short);
                    let text = a.text_fields().collect::<Vec<_>>().join(cx.lang.semicolon());
                    vec![
                        a.id.to_string(),
                        a.date.to_string(),
                        name.to_string(),
                        a.kind.label(cx.lang).to_string(),
                        branch.to_string(),
                        cell(&text, 30),
                    ]
                })
                .collect();
            Ok(list(
                t,
                vec![t.h_id, t.h_date, t.h_leader, t.h_kind, t.h_branch, t.h_text],
                rows,
            ))
        }
        VisitCmd::Delete { id } => {
            let a = cx.backend.delete_activity(id).map_err(|e| cx.fail(e))?;
            Ok(fill(t.activity_deleted, &[&a.id]))
        }
    }
}

fn problem(cx: &Context<'_>, c: ProblemCmd) -> Outcome {
    let t = cx.text();
    match c {
        ProblemCmd::Add {
            leader,
            category,
            description,
            found,
            measures,
        } => {
            let category = ProblemCategory::parse(&category)
                .ok_or_else(|| cx.fail(DomainError::UnknownCategory(category.clone())))?;
            let l = cx.leader(&leader)?;
            let found = cx.done_date(found.as_deref())?;
            let p = Problem {
                id: 0,
                point: 0,
                leader: l.id,
                category,
                description,
                found,
                measures,
                state: ProblemState::Open,
                solved: None,
                solved_by: None,
            };
            let p = cx.backend.add_problem(p).map_err(|e| cx.fail(e))?;
            Ok(fill(t.problem_added, &[&p.id, &p.description]))
        }
        ProblemCmd::Solve { id, date, measures } => {
            let date = cx.done_date(date.as_deref())?;
            // Checked here too so that a bad note is refused before anything is looked up.
            crate::domain::text::clean_optional(measures.as_deref(), crate::domain::text::MAX_NOTE_CHARS).map_err(
                |problem| {
                    cx.fail(DomainError::Text {
                        field: Field::Measures,
                        problem,
                    })
                },
            )?;
            let p = cx.backend.solve_problem(id, date, measures).map_err(|e| cx.fail(e))?;
            Ok(fill(t.problem_solved, &[&p.id, &date]))
        }
        ProblemCmd::Reopen { id } => {
            let p = cx.backend.reopen_problem(id).map_err(|e| cx.fail(e))?;
            Ok(fill(t.problem_reopened, &[&p.id]))
        }
        ProblemCmd::Edit {
            id,
            category,
            description,
            found,
            measures,
        } => {
            let mut p = cx
                .backend
                .problems()
                .map_err(|e| cx.fail(e))?
                .into_iter()
                .find(|p| p.id == id)
                .ok_or_else(|| {
                    cx.fail(DomainError::Unknown {
                        kind: crate::domain::error::RecordKind::Problem,
                        input: id.to_string(),
                    })
                })?;
            if let Some(c) = category {
                p.category =
                    ProblemCategory::parse(&c).ok_or_else(|| cx.fail(DomainError::UnknownCategory(c.clone())))?;
            }
            if let Some(d) = description {
                p.description = d;
            }
            if let Some(f) = found {
                p.found = cx.done_date(Some(&f))?;
            }
            if let Some(m) = measures {
                p.measures = Some(m);
            }
            cx.backend.update_problem(p).map_err(|e| cx.fail(e))?;
            Ok(fill(t.problem_edited, &[&id]))
        }
        ProblemCmd::Delete { id } => {
            let p = cx.backend.delete_problem(id).map_err(|e| cx.fail(e))?;
            Ok(fill(t.problem_deleted, &[&p.id]))
        }
        ProblemCmd::List {
            open,
            solved,
            year,
            format,
        } => {
            let year = year.map(|y| validate::year(y).map_err(|e| cx.fail(e))).transpose()?;
            let mut problems = cx.backend.problems().map_err(|e| cx.fail(e))?;
            problems.retain(|p| {
                let state_ok = match (open, solved) {
                    (true, _) => p.state != ProblemState::Solved,
                    (_, true) => p.state == ProblemState::Solved,
                    _ => true,
                };
                let year_ok = year.is_none_or(|y| p.found.year() == y || p.solved.is_some_and(|s| s.year() == y));
                state_ok && year_ok
            });
            if format == Format::Json {
                return Ok(json(&problems));
            }
            let leaders = cx.backend.leaders().map_err(|e| cx.fail(e))?;
            let rows = problems
                .iter()
                .map(|p| {
                    vec![
                        p.id.to_string(),
                        leaders
                            .iter()
                            .find(|l| l.id == p.leader)
                            .map_or("?".into(), |l| l.name.clone()),
                        p.category.label(cx.lang).to_string(),
                        cell(&p.description, 24),
                        p.found.to_string(),
                        p.state.label(cx.lang).to_string(),
                        p.solved.map(|d| d.to_string()).unwrap_or_default(),
                    ]
                })
                .collect();
            Ok(list(
                t,
                vec![
                    t.h_id,
                    t.h_leader,
                    t.h_category,
                    t.h_description,
                    t.h_found,
                    t.h_state,
                    t.h_solved,
                ],
                rows,
            ))
        }
    }
}

fn event(cx: &Context<'_>, c: EventCmd) -> Outcome {
    let t = cx.text();
    match c {
        EventCmd::Add { kind, date, note } => {
            let kind =
                EventKind::parse_short(&kind).ok_or_else(|| cx.fail(DomainError::UnknownEventKind(kind.clone())))?;
            let date = cx.done_date(date.as_deref())?;
            let e = cx
                .backend
                .add_event(BureauEvent {
                    id: 0,
                    kind,
                    date,
                    note,
                })
                .map_err(|e| cx.fail(e))?;
            Ok(fill(t.event_added, &[&e.id, &e.date, &e.kind.label(cx.lang)]))
        }
        EventCmd::List { year, format } => {
            let year = year.map(|y| validate::year(y).map_err(|e| cx.fail(e))).transpose()?;
            let events = cx.backend.events(year).map_err(|e| cx.fail(e))?;
            if format == Format::Json {
                return Ok(json(&events));
            }
            let rows = events
                .iter()
                .map(|e| {
                    vec![
                        e.id.to_string(),
                        e.date.to_string(),
                        e.kind.label(cx.lang).to_string(),
                        cell(e.note.as_deref().unwrap_or(""), 30),
                    ]
                })
                .collect();
            Ok(list(t, vec![t.h_id, t.h_date, t.h_kind, t.h_text], rows))
        }
        EventCmd::Delete { id } => {
            let e = cx.backend.delete_event(id).map_err(|e| cx.fail(e))?;
            Ok(fill(t.event_deleted, &[&e.id]))
        }
    }
}

/// The year's status as a table (or the JSON the issue specifies).
pub fn status(cx: &Context<'_>, year: i32, format: Format) -> Outcome {
    // For a program reading a pipe, the JSON the store keeps (written once
    // per change, not decoded and written again by every client).
    if format == Format::Json && !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return cx.backend.year_status_json(year).map_err(|e| cx.fail(e));
    }
    let s = cx.backend.year_status(year).map_err(|e| cx.fail(e))?;
    if format == Format::Json {
        return Ok(json(&s));
    }
    let t = cx.text();
    let mark = |met: bool| if met { "✓" } else { "✗" };
    let rule_cell = |r: &crate::domain::RuleStatus| {
        if r.full > r.min {
            format!("{} {}/{}–{}", mark(r.met), r.done, r.min, r.full)
        } else {
            format!("{} {}/{}", mark(r.met), r.done, r.min)
        }
    };
    let mut header = vec![t.h_leader, t.h_title, t.h_branch];
    header.extend(crate::domain::RuleId::LEADER.iter().map(|r| r.label(cx.lang)));
    let rows = s
        .leaders
        .iter()
        .map(|l| {
            let mut row = vec![l.name.clone(), l.title.clone(), l.branch.clone().unwrap_or_default()];
            row.extend(l.rules.iter().map(rule_cell));
            row
        })
        .collect();
    let bureau_rows = s
        .bureau
        .iter()
        .map(|r| vec![r.rule.label(cx.lang).to_string(), rule_cell(r)])
        .collect();
    Ok(format!(
        "{}\n\n{}\n\n{}\n{}",
        fill(t.status_heading, &[&year]),
        list(t, header, rows),
        t.bureau_heading,
        table(vec![t.h_rule, ""], bureau_rows)
    ))
}

fn export(cx: &Context<'_>, file: &Path) -> Outcome {
    let (records, shown) = write_export(cx, file)?;
    Ok(fill(cx.text().exported, &[&records, &shown]))
}

/// The server's export is taken while writes wait, so a backup made while
/// others work is consistent; the file is the same format as `export`.
fn backup(cx: &Context<'_>, file: &Path) -> Outcome {
    let (records, shown) = write_export(cx, file)?;
    Ok(fill(cx.lang.server().backup_written, &[&records, &shown]))
}

/// Writes an export to `file`; returns the record count and the file name
/// as shown.
fn write_export(cx: &Context<'_>, file: &Path) -> Result<(usize, String), Failure> {
    let t = cx.text();
    let snapshot = cx.backend.export().map_err(|e| cx.fail(e))?;
    let shown = crate::domain::text::printable(&file.display().to_string());
    let text = serde_json::to_string_pretty(&snapshot).map_err(|e| Failure(e.to_string()))? + "\n";
    write_atomically(file, text.as_bytes()).map_err(|e| {
        Failure(fill(
            t.cannot_write_file,
            &[&shown, &crate::i18n::errors::io(cx.lang, &e)],
        ))
    })?;
    Ok((snapshot.record_count(), shown))
}

fn import(cx: &Context<'_>, file: &Path) -> Outcome {
    let snapshot = read_import(cx.lang, file)?;
    import_snapshot(cx, snapshot)
}

/// Reads and checks the file of an `import`. The program does this before
/// it opens the database or starts a server, so that a file that is no
/// export leaves nothing behind (not even a new, empty database).
pub fn read_import(lang: Lang, file: &Path) -> Result<crate::api::Snapshot, Failure> {
    let t = lang.cli();
    let shown = crate::domain::text::printable(&file.display().to_string());
    let too_big = std::fs::metadata(file)
        .map(|m| m.len() > crate::store::MAX_IMPORT_BYTES)
        .unwrap_or(false);
    if too_big {
        let e = crate::error::StoreError::Import(format!(
            "{shown} is larger than {} bytes",
            crate::store::MAX_IMPORT_BYTES
        ));
        return Err(Failure::from_error(lang, &e.into()));
    }
    let bytes = std::fs::read(file)
        .map_err(|e| Failure(fill(t.cannot_read_file, &[&shown, &crate::i18n::errors::io(lang, &e)])))?;
    parse_snapshot(&bytes)
        .and_then(crate::store::check_snapshot)
        .map_err(|e| Failure::from_error(lang, &e))
}

/// Loads a snapshot [`read_import`] read into the (empty) database.
pub fn import_snapshot(cx: &Context<'_>, snapshot: crate::api::Snapshot) -> Outcome {
    let n = cx.backend.import(snapshot).map_err(|e| cx.fail(e))?;
    Ok(fill(cx.text().imported, &[&n]))
}
