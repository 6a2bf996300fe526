//! Problems 突出问题: open problems first, grouped by contact point (the
//! point's name is written on the first row of each group), then those
//! solved in the year on view or later (`app::problem_order`).

use chrono::Datelike;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Table};

use super::theme::Theme;
use super::widgets::{Columns, mark, window};
use crate::app::App;
use crate::domain::{Pace, ProblemState};
use crate::i18n::Label;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = app.text();
    if app.problem_order.is_empty() {
        frame.render_widget(Paragraph::new(Line::styled(t.no_problems, theme.dim())), area);
        return;
    }
    let wide = area.width >= 100;
    // Days without their year only when every date shown is in the year
    // on view: a problem found in an earlier year must not read as this
    // year's.
    let in_year = |d: chrono::NaiveDate| d.year() == app.year;
    let full_dates = wide
        || app.problem_order.iter().any(|i| {
            let p = &app.data.problems[*i];
            !in_year(p.found) || p.solved.is_some_and(|d| !in_year(d))
        });
    let date_width = if full_dates { 10 } else { 5 };
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(if wide { 12 } else { 8 }),
        Constraint::Length(14),
        Constraint::Length(if wide { 8 } else { 6 }),
    ];
    let mut header = vec!["", t.col_state, t.col_point, t.col_leader];
    if wide {
        widths.push(Constraint::Length(16));
        header.push(t.col_category);
    }
    widths.extend([
        Constraint::Fill(1),
        Constraint::Length(date_width),
        Constraint::Length(date_width),
    ]);
    header.extend([t.col_description, t.col_found, t.col_solved]);
    let columns = Columns::new(area.width, &widths);
    let height = area.height.saturating_sub(1) as usize;
    let first = window(app.prob_sel, height);
    let rows = app
        .problem_order
        .iter()
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(row, index)| {
            let p = &app.data.problems[*index];
            let previous = row.checked_sub(1).map(|r| &app.data.problems[app.problem_order[r]]);
            let new_group = previous.is_none_or(|q| {
                q.point != p.point || q.state.eq(&ProblemState::Solved) != (p.state == ProblemState::Solved)
            });
            let solved = p.state == ProblemState::Solved;
            let state_style = theme.pace(if solved { Pace::Met } else { Pace::Behind });
            let selected = row == app.prob_sel;
            let date = |d: chrono::NaiveDate| {
                if full_dates {
                    d.to_string()
                } else {
                    d.format("%m-%d").to_string()
                }
            };
            let state = format!("{} {}", if solved { "✓" } else { "○" }, p.state.label(app.lang));
            let mut cells = vec![
                Line::styled(mark(selected), theme.selected()),
                Line::styled(columns.cut(1, &state), state_style),
                Line::raw(if new_group {
                    columns.cut(2, app.data.point_short(p.point))
                } else {
                    String::new()
                }),
                Line::raw(columns.cut(3, app.data.leader_name(p.leader))),
            ];
            if wide {
                cells.push(Line::raw(columns.cut(4, p.category.label(app.lang))));
            }
            let last = columns.last();
            cells.push(Line::raw(columns.cut(last - 2, &p.description)));
            cells.push(Line::raw(columns.cut(last - 1, &date(p.found))));
            cells.push(Line::raw(columns.cut(last, &p.solved.map(date).unwrap_or_default())));
            let r = Row::new(cells);
            if selected { r.style(theme.selected()) } else { r }
        });
    frame.render_widget(
        Table::new(rows, widths).header(columns.header(&header).style(theme.heading())),
        area,
    );
}
