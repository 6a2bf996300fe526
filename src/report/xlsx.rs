//! The report as an Excel workbook: a summary sheet and one sheet per topic
//! (activities, problems, assessment, bureau rules). Each sheet has its
//! header in the chosen language, a frozen header row, an autofilter, real
//! dates, and column widths set here: rust_xlsxwriter's autofit counts a
//! Chinese character as narrow, so the widths come from display width.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use unicode_width::UnicodeWidthStr;

use super::model::Report;
use super::{missing_line, rule_cell};
use crate::domain::{Assessment, ProblemState};
use crate::i18n::{Label, Lang};

/// The widest a column is made, in character widths (long notes wrap in Excel anyway).
const MAX_WIDTH: f64 = 60.0;

/// One cell of a sheet.
#[derive(Debug, Clone)]
enum Cell {
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Empty,
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }
    fn opt_date(d: Option<NaiveDate>) -> Cell {
        d.map_or(Cell::Empty, Cell::Date)
    }
    /// The width the cell needs, counting a CJK character as 2.
    fn width(&self) -> usize {
        match self {
            Cell::Text(s) => s.width(),
            Cell::Number(n) => n.to_string().len(),
            Cell::Date(_) => 10,
            Cell::Empty => 0,
        }
    }
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(d.year()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)
}

/// Fills one sheet: header, rows, widths, frozen header, autofilter.
fn sheet(ws: &mut Worksheet, name: &str, header: &[String], rows: &[Vec<Cell>]) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    ws.set_name(name)?;
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(s) => {
                    ws.write_string(r, col, s)?;
                }
                Cell::Number(n) => {
                    ws.write_number(r, col, *n)?;
                }
                Cell::Date(d) => {
                    ws.write_datetime_with_format(r, col, excel_date(*d)?, &date)?;
                }
                Cell::Empty => {}
            }
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(cell.width());
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        // Room for the filter button beside the header.
        ws.set_column_width(c as u16, (*w as f64 + 4.0).min(MAX_WIDTH))?;
    }
    ws.set_freeze_panes(1, 0)?;
    let last_col = header.len().saturating_sub(1) as u16;
    ws.autofilter(0, 0, rows.len() as u32, last_col)?;
    Ok(())
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The workbook's bytes.
pub fn render(report: &Report, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let t = lang.report();
    let mut wb = Workbook::new();

    // Summary.
    let mut header = strings(&[
        t.h_leader,
        t.h_title,
        t.h_branch,
        t.h_cycle_start,
        t.h_cycle_end,
        t.h_state,
    ]);
    header.extend(crate::domain::RuleId::LEADER.iter().map(|r| r.label(lang).to_string()));
    header.extend(strings(&[t.h_last_visit, t.h_days_since, t.h_missing, t.h_judgement]));
    header.push(report.rubric.satisfaction.clone());
    let rows: Vec<Vec<Cell>> = report
        .leaders
        .iter()
        .map(|l| {
            let p = l.point.as_ref();
            let mut row = vec![
                Cell::text(&l.name),
                Cell::text(&l.title),
                p.map_or(Cell::Empty, |p| Cell::text(&p.short)),
                p.map_or(Cell::Empty, |p| Cell::Date(p.cycle_start)),
                p.map_or(Cell::Empty, |p| Cell::Date(p.cycle_end)),
                p.map_or(Cell::Empty, |p| Cell::text(p.state.label(lang))),
            ];
            row.extend(l.rules.iter().map(|r| Cell::text(rule_cell(r))));
            row.push(Cell::opt_date(l.last_visit));
            row.push(l.days_since_visit.map_or(Cell::Empty, |d| Cell::Number(d as f64)));
            row.push(Cell::text(missing_line(lang, &l.missing)));
            row.push(p.and_then(|p| p.judgement.as_ref()).map_or(Cell::Empty, |j| {
                Cell::text(format!("{} {}", j.date, j.state.label(lang)))
            }));
            row.push(
                p.and_then(|p| p.latest.as_ref())
                    .map_or(Cell::Empty, |a| Cell::Number(f64::from(a.satisfaction))),
            );
            row
        })
        .collect();
    sheet(wb.add_worksheet(), t.sheet_summary, &header, &rows)?;

    // Activities.
    let header = strings(&[
        t.h_date,
        t.h_leader,
        t.h_branch,
        t.h_kind,
        t.h_place,
        t.h_findings,
        t.h_actions,
        t.h_note,
    ]);
    let mut rows = Vec::new();
    for l in &report.leaders {
        let branch = l.point.as_ref().map_or("", |p| p.short.as_str());
        for a in &l.activities {
            let opt = |s: &Option<String>| s.as_deref().map_or(Cell::Empty, Cell::text);
            rows.push(vec![
                Cell::Date(a.date),
                Cell::text(&l.name),
                Cell::text(branch),
                Cell::text(a.kind.label(lang)),
                opt(&a.place),
                opt(&a.findings),
                opt(&a.actions),
                opt(&a.note),
            ]);
        }
    }
    rows.sort_by_key(|r| match r.first() {
        Some(Cell::Date(d)) => *d,
        _ => NaiveDate::MIN,
    });
    sheet(wb.add_worksheet(), t.sheet_activities, &header, &rows)?;

    // Problems.
    let header = strings(&[
        t.h_id,
        t.h_leader,
        t.h_branch,
        t.h_category,
        t.h_description,
        t.h_measures,
        t.h_found,
        t.h_state,
        t.h_solved,
    ]);
    let mut rows = Vec::new();
    for l in &report.leaders {
        let branch = l.point.as_ref().map_or("", |p| p.short.as_str());
        for p in &l.problems {
            rows.push(vec![
                Cell::Number(p.id as f64),
                Cell::text(&l.name),
                Cell::text(branch),
                Cell::text(p.category.label(lang)),
                Cell::text(&p.description),
                p.measures.as_deref().map_or(Cell::Empty, Cell::text),
                Cell::Date(p.found),
                Cell::text(p.state.label(lang)),
                Cell::opt_date(p.solved.filter(|_| p.state == ProblemState::Solved)),
            ]);
        }
    }
    sheet(wb.add_worksheet(), t.sheet_problems, &header, &rows)?;

    // Assessment: the first and the latest of each point, one row each.
    let r = &report.rubric;
    let mut header = strings(&[t.h_leader, t.h_branch, t.h_year, t.h_date]);
    header.extend(r.dimensions.iter().cloned());
    header.push(r.satisfaction.clone());
    header.push(t.h_note.to_string());
    let mut rows = Vec::new();
    for l in &report.leaders {
        let Some(p) = &l.point else { continue };
        if p.holder != l.id {
            continue;
        }
        let mut shown: Vec<&Assessment> = p.first.iter().chain(p.latest.iter()).collect();
        shown.dedup_by_key(|a| a.year);
        for a in shown {
            let mut row = vec![
                Cell::text(&l.name),
                Cell::text(&p.short),
                Cell::Number(f64::from(a.year)),
                Cell::Date(a.date),
            ];
            row.extend(a.grades.iter().map(|g| {
                Cell::text(match &g.note {
                    Some(n) => format!("{}{}", r.grade_name(g.grade), lang.bracketed(n)),
                    None => r.grade_name(g.grade).to_string(),
                })
            }));
            row.push(Cell::Number(f64::from(a.satisfaction)));
            row.push(a.note.as_deref().map_or(Cell::Empty, Cell::text));
            rows.push(row);
        }
    }
    sheet(wb.add_worksheet(), t.sheet_assessment, &header, &rows)?;

    // Bureau rules, a row per event (or one row for a rule with none).
    let header = strings(&[t.h_rule, t.h_done, t.h_min, t.h_met, t.h_date, t.h_note]);
    let mut rows = Vec::new();
    for b in &report.bureau {
        let s = &b.status;
        let base = || {
            vec![
                Cell::text(s.rule.label(lang)),
                Cell::Number(f64::from(s.done)),
                Cell::Number(f64::from(s.min)),
                Cell::text(if s.met { t.yes } else { t.no }),
            ]
        };
        if b.events.is_empty() {
            let mut row = base();
            row.extend([Cell::Empty, Cell::Empty]);
            rows.push(row);
        }
        for e in &b.events {
            let mut row = base();
            row.push(Cell::Date(e.date));
            row.push(e.note.as_deref().map_or(Cell::Empty, Cell::text));
            rows.push(row);
        }
    }
    sheet(wb.add_worksheet(), t.sheet_bureau, &header, &rows)?;

    wb.save_to_buffer()
}
