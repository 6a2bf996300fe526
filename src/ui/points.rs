//! Contact points 联系点: every point with its cycle, those due for review
//! marked; leaders without a point; the branches below.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

use super::theme::Theme;
use super::widgets::{Columns, mark, window};
use crate::app::{App, PointRow, review_due};
use crate::domain::Pace;
use crate::i18n::{Label, fill};
use unicode_width::UnicodeWidthStr;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = app.text();
    let table_height = (app.point_rows.len() as u16 + 1)
        .min(area.height.saturating_sub(3))
        .max(2);
    let [table_area, branches_area] =
        Layout::vertical([Constraint::Length(table_height), Constraint::Min(1)]).areas(area);
    let height = table_area.height.saturating_sub(1) as usize;
    let first = window(app.point_sel, height);
    let widths = [
        Constraint::Length(1),
        Constraint::Length(8),
        Constraint::Length(16),
        Constraint::Length(10),
        Constraint::Length(23),
        Constraint::Fill(1),
    ];
    let columns = Columns::new(table_area.width, &widths);
    let rows = app
        .point_rows
        .iter()
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(row, point_row)| {
            let selected = row == app.point_sel;
            let cells = match *point_row {
                PointRow::Point(i) => {
                    let p = &app.data.points[i];
                    let branch = app.data.branch(p.branch).map_or("", |b| b.short.as_str());
                    let due = review_due(p, app.today);
                    vec![
                        Line::styled(mark(selected), theme.selected()),
                        Line::raw(columns.cut(1, app.data.leader_name(p.leader))),
                        Line::raw(columns.cut(2, branch)),
                        Line::raw(columns.cut(3, &p.start.to_string())),
                        Line::raw(columns.cut(4, &format!("{} – {}", p.cycle_start, p.cycle_end()))),
                        if due {
                            Line::styled(columns.cut(5, &format!("! {}", t.review_due)), theme.pace(Pace::Behind))
                        } else {
                            Line::raw(columns.cut(5, p.state.label(app.lang)))
                        },
                    ]
                }
                PointRow::Leader(i) => {
                    let l = &app.data.leaders[i];
                    vec![
                        Line::styled(mark(selected), theme.selected()),
                        Line::raw(columns.cut(1, &l.name)),
                        Line::styled(columns.cut(2, t.no_point), theme.dim()),
                    ]
                }
            };
            let r = Row::new(cells);
            if selected { r.style(theme.selected()) } else { r }
        });
    let header = columns
        .header(&["", t.col_leader, t.col_point, t.col_start, t.col_cycle, t.col_state])
        .style(theme.heading());
    frame.render_widget(Table::new(rows, widths).header(header), table_area);

    let mut lines = vec![Line::raw(""), Line::styled(t.branches_heading, theme.heading())];
    if app.data.branches.is_empty() {
        lines.push(Line::styled(t.no_branches, theme.dim()));
    }
    let room = branches_area.height.saturating_sub(2) as usize;
    let branches = &app.data.branches;
    // The last line says how many are left out when they do not all fit.
    let shown = if branches.len() > room {
        room.saturating_sub(1)
    } else {
        branches.len()
    };
    // Full names in one column: short names padded to the widest shown
    // (at most 16 columns, so that a long one does not push them all).
    let column = branches[..shown]
        .iter()
        .map(|b| b.short.width())
        .max()
        .unwrap_or(0)
        .min(16);
    lines.extend(branches[..shown].iter().map(|b| {
        // A longer one is cut, or it would push its full name aside.
        let short = super::widgets::ellipsize(&b.short, column);
        let pad = column.saturating_sub(short.width());
        Line::from(vec![
            Span::raw(format!("  {}{}  ", short, " ".repeat(pad))),
            Span::styled(b.name.clone(), theme.dim()),
        ])
    }));
    if shown < branches.len() {
        lines.push(Line::styled(
            fill(t.branches_more, &[&(branches.len() - shown)]),
            theme.dim(),
        ));
    }
    frame.render_widget(Paragraph::new(lines), branches_area);
}
