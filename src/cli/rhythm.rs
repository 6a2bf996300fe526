//! The year's rhythm on the command line (issue 5): `report`, `due`,
//! `assess`, `plan` and `targets`, through the same [`Backend`] calls the
//! workbench makes. Every value is checked by the library before anything
//! is written, so a mistake prints one line and changes nothing.

use std::path::Path;

use super::args::{AssessArgs, AssessCmd, Format, PlanArgs, PlanCmd, ReportFormat, TargetsCmd};
use super::output::{cell, json, table};
use super::run::{Context, Failure, write_atomically};
use crate::api::Backend;
use crate::domain::assessment::{self, Assessment, DimensionGrade};
use crate::domain::status::point_in_year;
use crate::domain::{DomainError, Role, RuleId, Target, plan as plan_model, validate};
use crate::i18n::{Label, fill};
use crate::report::{self, due as due_model};

type Outcome = Result<String, Failure>;

/// Splits a list typed as `a,b,c` (Chinese commas and 、 also accepted).
fn split_list(s: &str) -> Vec<String> {
    s.split([',', '，', '、']).map(|x| x.trim().to_string()).collect()
}

fn shown_path(file: &Path) -> String {
    crate::domain::text::printable(&file.display().to_string())
}

pub fn report(cx: &Context<'_>, year: Option<i64>, format: ReportFormat, output: Option<&Path>) -> Outcome {
    let t = cx.lang.report();
    if format == ReportFormat::Xlsx && output.is_none() {
        return Err(Failure(t.xlsx_needs_file.to_string()));
    }
    let year = cx.year(year)?;
    let r = report::load(cx.backend, year, cx.today).map_err(|e| cx.fail(e))?;
    let bytes = match format {
        ReportFormat::Md => report::markdown::render(&r, cx.lang).into_bytes(),
        ReportFormat::Csv => report::csv::render(&r, cx.lang).map_err(|e| Failure(e.to_string()))?,
        ReportFormat::Xlsx => report::xlsx::render(&r, cx.lang).map_err(|e| Failure(e.to_string()))?,
    };
    match output {
        Some(file) => {
            write_atomically(file, &bytes).map_err(|e| {
                Failure(fill(
                    cx.text().cannot_write_file,
                    &[&shown_path(file), &crate::i18n::errors::io(cx.lang, &e)],
                ))
            })?;
            Ok(fill(t.report_written, &[&year, &shown_path(file)]))
        }
        // Markdown and CSV are UTF-8; the caller prints the final newline.
        None => Ok(String::from_utf8_lossy(&bytes).trim_end().to_string()),
    }
}

pub fn due(cx: &Context<'_>, year: Option<i64>, days_without_visit: u32, format: Format) -> Outcome {
    let t = cx.lang.report();
    let year = cx.year(year)?;
    let r = report::load(cx.backend, year, cx.today).map_err(|e| cx.fail(e))?;
    let items = due_model::due(&r, cx.today, days_without_visit);
    if format == Format::Json {
        return Ok(json(&items));
    }
    let heading = fill(t.due_heading, &[&year, &cx.today]);
    if items.is_empty() {
        return Ok(format!("{heading}\n\n{}", t.due_none));
    }
    let rows = items
        .iter()
        .map(|i| {
            let days = if i.days_left < 0 {
                fill(t.overdue, &[&-i.days_left])
            } else if i.missed(year, cx.today) {
                t.missed.to_string()
            } else {
                i.days_left.to_string()
            };
            vec![days, due_line(cx, &i.what)]
        })
        .collect();
    Ok(format!("{heading}\n\n{}", table(vec![t.h_days_left, t.h_item], rows)))
}

fn due_line(cx: &Context<'_>, d: &due_model::Due) -> String {
    report::due_line(cx.lang, d)
}

pub fn assess(cx: &Context<'_>, a: AssessArgs) -> Outcome {
    match a.command {
        Some(AssessCmd::List { year, format }) => assess_list(cx, year, format),
        Some(AssessCmd::Rubric {
            year,
            dimensions,
            grades,
            satisfaction_name,
        }) => rubric(cx, year, dimensions, grades, satisfaction_name),
        None => {
            // clap requires these without a subcommand; checked again so
            // that no path can panic.
            let (Some(leader), Some(grades), Some(satisfaction)) = (a.leader, a.grades, a.satisfaction) else {
                return Err(Failure(
                    cx.lang
                        .pick(
                            "需要 LEADER、--grades 和 --satisfaction",
                            "LEADER, --grades and --satisfaction are required",
                        )
                        .to_string(),
                ));
            };
            record_assessment(cx, &leader, a.year, &grades, satisfaction, a.note, &a.dim_notes, a.date)
        }
    }
}

#[allow(clippy::too_many_arguments)] // the command's options, one each
fn record_assessment(
    cx: &Context<'_>,
    leader: &str,
    year: Option<i64>,
    grades: &str,
    satisfaction: i64,
    note: Option<String>,
    dim_notes: &[String],
    date: Option<String>,
) -> Outcome {
    let t = cx.lang.report();
    let year = cx.year(year)?;
    let rubric = cx.backend.rubric(year).map_err(|e| cx.fail(e))?;
    let mut grades = split_list(grades)
        .iter()
        .map(|g| {
            rubric
                .grade(g)
                .map(|grade| DimensionGrade { grade, note: None })
                .map_err(|e| cx.fail(e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if grades.len() != rubric.dimensions.len() {
        return Err(cx.fail(DomainError::GradeCount {
            expected: rubric.dimensions.len(),
            got: grades.len(),
        }));
    }
    for dn in dim_notes {
        let slot = dn
            .split_once('=')
            .and_then(|(n, text)| Some((n.trim().parse::<usize>().ok()?.checked_sub(1)?, text)))
            .and_then(|(i, text)| grades.get_mut(i).map(|g| (g, text)));
        match slot {
            Some((g, text)) => g.note = Some(text.to_string()),
            None => {
                let n = dn.split_once('=').map_or(dn.as_str(), |(n, _)| n);
                return Err(cx.fail(DomainError::UnknownDimension(n.to_string())));
            }
        }
    }
    let satisfaction = assessment::satisfaction(satisfaction).map_err(|e| cx.fail(e))?;
    let l = cx.leader(leader)?;
    let date = cx.done_date(date.as_deref())?;
    let points = cx.backend.points().map_err(|e| cx.fail(e))?;
    let point = point_in_year(&points, l.id, year).ok_or_else(|| cx.fail(DomainError::NoPoint(l.name.clone())))?;
    let saved = cx
        .backend
        .set_assessment(Assessment {
            point: point.id,
            year,
            leader: l.id,
            date,
            grades,
            satisfaction,
            note,
        })
        .map_err(|e| cx.fail(e))?;
    let branch = branch_short(cx.backend, point.branch);
    let shown = saved
        .grades
        .iter()
        .map(|g| rubric.grade_name(g.grade))
        .collect::<Vec<_>>()
        .join("/");
    Ok(fill(
        t.assessed,
        &[
            &l.name,
            &branch,
            &year,
            &shown,
            &rubric.satisfaction,
            &saved.satisfaction,
        ],
    ))
}

fn branch_short(backend: &dyn Backend, id: u64) -> String {
    backend
        .branches()
        .ok()
        .and_then(|bs| bs.into_iter().find(|b| b.id == id))
        .map_or_else(|| id.to_string(), |b| b.short)
}

fn assess_list(cx: &Context<'_>, year: Option<i64>, format: Format) -> Outcome {
    let t = cx.lang.report();
    let year = year.map(|y| validate::year(y).map_err(|e| cx.fail(e))).transpose()?;
    let mut all = cx.backend.assessments(None).map_err(|e| cx.fail(e))?;
    all.retain(|a| year.is_none_or(|y| a.year == y));
    if format == Format::Json {
        return Ok(json(&all));
    }
    if all.is_empty() {
        return Ok(cx.text().nothing.to_string());
    }
    let leaders = cx.backend.leaders().map_err(|e| cx.fail(e))?;
    let points = cx.backend.points().map_err(|e| cx.fail(e))?;
    let mut rows = Vec::new();
    for a in &all {
        let rubric = cx.backend.rubric(a.year).map_err(|e| cx.fail(e))?;
        let name = leaders.iter().find(|l| l.id == a.leader).map_or("?", |l| &l.name);
        let branch = points
            .iter()
            .find(|p| p.id == a.point)
            .map_or_else(String::new, |p| branch_short(cx.backend, p.branch));
        rows.push(vec![
            a.year.to_string(),
            name.to_string(),
            branch,
            a.grades
                .iter()
                .map(|g| rubric.grade_name(g.grade))
                .collect::<Vec<_>>()
                .join("/"),
            format!("{}%", a.satisfaction),
            a.date.to_string(),
            cell(a.note.as_deref().unwrap_or(""), 30),
        ]);
    }
    Ok(table(
        vec![
            t.h_year,
            t.h_leader,
            t.h_branch,
            t.l_assessment,
            t.h_satisfaction,
            t.h_date,
            t.h_note,
        ],
        rows,
    ))
}

fn rubric(
    cx: &Context<'_>,
    year: Option<i64>,
    dimensions: Option<String>,
    grades: Option<String>,
    satisfaction_name: Option<String>,
) -> Outcome {
    let t = cx.lang.report();
    let year = cx.year(year)?;
    let mut r = cx.backend.rubric(year).map_err(|e| cx.fail(e))?;
    if dimensions.is_none() && grades.is_none() && satisfaction_name.is_none() {
        let colon = cx.lang.colon();
        return Ok(format!(
            "{}\n{}{colon}{}\n{}{colon}{}\n{}{colon}{}",
            fill(t.rubric_heading, &[&year]),
            t.l_dimensions,
            r.dimensions.join(t.list_sep),
            t.l_grades,
            r.grades.join(t.list_sep),
            t.h_satisfaction,
            r.satisfaction
        ));
    }
    if let Some(d) = dimensions {
        r.dimensions = split_list(&d);
    }
    if let Some(g) = grades {
        r.grades = split_list(&g);
    }
    if let Some(s) = satisfaction_name {
        r.satisfaction = s;
    }
    cx.backend.set_rubric(year, r).map_err(|e| cx.fail(e))?;
    Ok(fill(t.rubric_set, &[&year]))
}

pub fn plan(cx: &Context<'_>, p: PlanArgs) -> Outcome {
    let t = cx.lang.report();
    let year = cx.year(p.year)?;
    let item = |s: &str| plan_model::parse_item(s).map_err(|e| cx.fail(e));
    let task_text = |plan: &crate::domain::Plan, phase: u32, task: u32| {
        plan.task(phase, task).map_or_else(String::new, |t| t.text.clone())
    };
    match p.command {
        None => {
            let plan = cx.backend.plan(year).map_err(|e| cx.fail(e))?;
            Ok(render_plan(cx, &plan))
        }
        Some(PlanCmd::Tick { item: i, date }) => {
            let (phase, task) = item(&i)?;
            let date = cx.done_date(date.as_deref())?;
            let plan = cx
                .backend
                .set_plan_item(year, phase, task, Some(date))
                .map_err(|e| cx.fail(e))?;
            Ok(fill(t.plan_ticked, &[&phase, &task, &task_text(&plan, phase, task)]))
        }
        Some(PlanCmd::Untick { item: i }) => {
            let (phase, task) = item(&i)?;
            let plan = cx
                .backend
                .set_plan_item(year, phase, task, None)
                .map_err(|e| cx.fail(e))?;
            Ok(fill(t.plan_unticked, &[&phase, &task, &task_text(&plan, phase, task)]))
        }
        Some(PlanCmd::SetWindow { phase, from, to }) => {
            // A window belongs to the plan's year, which a short form
            // (`09-10`, read in today's year) would not follow: full dates.
            let from = cx.full_date(&from)?;
            let to = cx.full_date(&to)?;
            cx.backend
                .set_plan_window(year, phase, from, to)
                .map_err(|e| cx.fail(e))?;
            Ok(fill(t.plan_window_set, &[&phase, &from, &to]))
        }
    }
}

/// The plan as a checklist, the current phase marked.
pub fn render_plan(cx: &Context<'_>, plan: &crate::domain::Plan) -> String {
    let t = cx.lang.report();
    let current = plan.current_phase(cx.today);
    let mut out = vec![fill(t.plan_heading, &[&plan.year])];
    for (i, p) in plan.phases.iter().enumerate() {
        let n = i + 1;
        let mut line = fill(t.plan_phase, &[&n, &p.name, &p.from, &p.to]);
        if current == Some(n) {
            line = format!("{line}  {}", t.plan_current);
        }
        out.push(String::new());
        out.push(line);
        for (j, task) in p.tasks.iter().enumerate() {
            let (mark, done) = match task.done {
                Some(d) => ("✓", fill(t.plan_done_on, &[&d])),
                None => ("☐", String::new()),
            };
            out.push(format!("  {mark} {n}.{} {}{done}", j + 1, task.text));
        }
    }
    out.join("\n")
}

pub fn targets(cx: &Context<'_>, c: TargetsCmd) -> Outcome {
    let t = cx.lang.report();
    match c {
        TargetsCmd::Show { year, format } => {
            let year = cx.year(year)?;
            let targets = cx.backend.targets(year).map_err(|e| cx.fail(e))?;
            if format == Format::Json {
                return Ok(json(&targets));
            }
            let mut rows = Vec::new();
            for role in Role::ALL {
                for rule in RuleId::LEADER {
                    let x = targets.get(*role, rule);
                    rows.push(vec![
                        rule.id().to_string(),
                        rule.label(cx.lang).to_string(),
                        role.label(cx.lang).to_string(),
                        x.min.to_string(),
                        x.full.to_string(),
                    ]);
                }
            }
            for rule in RuleId::BUREAU {
                let x = targets.get(Role::Secretary, rule);
                rows.push(vec![
                    rule.id().to_string(),
                    rule.label(cx.lang).to_string(),
                    t.bureau_role.to_string(),
                    x.min.to_string(),
                    x.full.to_string(),
                ]);
            }
            Ok(format!(
                "{}\n\n{}",
                fill(t.targets_heading, &[&year]),
                table(vec!["id", t.h_rule, t.h_role, t.h_min, t.h_full], rows)
            ))
        }
        TargetsCmd::Set {
            year,
            rule,
            min,
            full,
            role,
        } => {
            let year = validate::year(year).map_err(|e| cx.fail(e))?;
            let rule_id =
                crate::i18n::parse_rule(&rule).ok_or_else(|| cx.fail(DomainError::UnknownRule(rule.clone())))?;
            let role = role
                .map(|r| Role::parse(&r).ok_or_else(|| cx.fail(DomainError::UnknownRole(r.clone()))))
                .transpose()?;
            let target = validate::target(Target::new(min, full.unwrap_or(min))).map_err(|e| cx.fail(e))?;
            let mut targets = cx.backend.targets(year).map_err(|e| cx.fail(e))?;
            targets.set(role, rule_id, target);
            cx.backend.set_targets(year, targets).map_err(|e| cx.fail(e))?;
            let who = if RuleId::BUREAU.contains(&rule_id) {
                t.bureau_role
            } else {
                role.map_or(t.all_leaders, |r| r.label(cx.lang))
            };
            Ok(fill(
                t.targets_changed,
                &[&year, &rule_id.label(cx.lang), &who, &target.min, &target.full],
            ))
        }
    }
}
