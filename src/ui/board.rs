//! Board 看板: one row per leader with a bar per rule, the reminders below
//! them, the bureau's rules at the bottom. Drawn from the year status and
//! reminders computed at load, never recounted here.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, Wrap};

use super::theme::{Theme, pace_symbol};
use super::widgets::{Columns, mark, window};
use crate::app::App;
use crate::domain::date::{year_elapsed, year_elapsed_since};
use crate::domain::{Pace, RuleId, RuleStatus};
use crate::i18n::{Label, fill};
use crate::report::due_line;
use unicode_width::UnicodeWidthStr;

/// The count as written on a bar: `2/2`, or `1/1–2` when the minimum and
/// the full mark differ.
pub fn count_text(r: &RuleStatus) -> String {
    if r.min == r.full {
        format!("{}/{}", r.done, r.min)
    } else {
        format!("{}/{}–{}", r.done, r.min, r.full)
    }
}

/// A bar `width` columns wide: pace symbol, count, then filled blocks for
/// the share of the full mark reached. Colour and symbol both say the pace.
pub fn bar(r: &RuleStatus, pace: Pace, width: usize, theme: &Theme) -> Line<'static> {
    let text = format!("{} {} ", pace_symbol(pace), count_text(r));
    let room = width.saturating_sub(text.chars().count());
    let full = r.full.max(1) as usize;
    let filled = (room * (r.done as usize).min(full)).div_ceil(full).min(room);
    let style = theme.pace(pace);
    Line::from(vec![
        Span::styled(text, style),
        Span::styled("█".repeat(filled), style),
        Span::styled("░".repeat(room - filled), theme.dim()),
    ])
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = app.text();
    // Days since the last visit: to today, or to the end of a past year.
    let as_of = crate::report::model::as_of(app.year, app.today);
    if app.data.is_empty() {
        let lines = vec![
            Line::raw(""),
            Line::styled(t.empty_title, theme.heading()),
            Line::raw(""),
            Line::raw(t.empty_demo_hint),
            Line::raw(t.empty_real_hint),
        ];
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
        return;
    }
    let Some(status) = &app.data.status else {
        return;
    };
    // The leader rows take what they need; the reminders get the rest.
    let table_height = (status.leaders.len().max(1) as u16 + 1).min(area.height.saturating_sub(5).max(3));
    let [table_area, due_area, bureau_area] = Layout::vertical([
        Constraint::Length(table_height),
        Constraint::Min(0),
        Constraint::Length(3),
    ])
    .areas(area);
    draw_due(frame, due_area, app, theme);
    if status.leaders.is_empty() {
        frame.render_widget(Paragraph::new(fill(t.no_leaders_in_year, &[&status.year])), table_area);
    } else {
        let elapsed = year_elapsed(status.year, app.today);
        let wide = area.width >= 100;
        let bar_width: u16 = if wide { 16 } else { 11 };
        let height = table_area.height.saturating_sub(1) as usize;
        let first = window(app.board_sel, height);
        let widths = [
            Constraint::Length(1),
            Constraint::Length(if wide { 8 } else { 6 }),
            Constraint::Length(if wide { 12 } else { 10 }),
            Constraint::Length(if wide { 16 } else { 14 }),
            Constraint::Length(bar_width),
            Constraint::Length(bar_width),
            Constraint::Length(bar_width),
            Constraint::Length(8),
        ];
        let columns = Columns::new(table_area.width, &widths);
        let rows = status
            .leaders
            .iter()
            .enumerate()
            .skip(first)
            .take(height)
            .map(|(i, l)| {
                let elapsed =
                    leader_since(app, l.id).map_or(elapsed, |since| year_elapsed_since(status.year, since, app.today));
                let bars = RuleId::LEADER.into_iter().map(|rule| {
                    l.rule(rule)
                        .map_or_else(Line::default, |r| bar(r, r.pace(elapsed), bar_width as usize, theme))
                });
                let days = l.point.and_then(|p| app.data.last_visits.get(&p)).map_or_else(
                    || t.never.to_string(),
                    |d| fill(t.days_ago, &[&(as_of - *d).num_days().max(0)]),
                );
                let selected = i == app.board_sel;
                let mut cells = vec![
                    Line::styled(mark(selected), theme.selected()),
                    Line::raw(columns.cut(1, &l.name)),
                    Line::raw(columns.cut(2, &l.title)),
                    Line::raw(columns.cut(3, l.branch.as_deref().unwrap_or(t.no_point))),
                ];
                cells.extend(bars);
                cells.push(Line::raw(columns.cut(7, &days)));
                let row = Row::new(cells);
                if selected { row.style(theme.selected()) } else { row }
            });
        let header = columns
            .header(&[
                "",
                t.col_leader,
                t.col_title,
                t.col_point,
                t.col_research,
                t.col_problems,
                t.col_org_life,
                t.col_last_visit,
            ])
            .style(theme.heading());
        frame.render_widget(Table::new(rows, widths).header(header), table_area);
    }
    let elapsed = year_elapsed(status.year, app.today);
    let mut spans = vec![Span::styled(
        format!("{}{}", t.bureau_heading, app.lang.colon()),
        theme.heading(),
    )];
    for r in &status.bureau {
        let pace = r.pace(elapsed);
        spans.push(Span::raw(format!("{} ", r.rule.label(app.lang))));
        spans.push(Span::styled(
            format!("{} {}", pace_symbol(pace), count_text(r)),
            theme.pace(pace),
        ));
        spans.push(Span::raw("   "));
    }
    let lines = vec![Line::raw(""), Line::from(spans), Line::styled(t.legend, theme.dim())];
    frame.render_widget(Paragraph::new(lines), bureau_area);
}

/// The reminders, most urgent first, as many as fit. Overdue ones carry a
/// `!` as well as the colour, so they read without colour too.
fn draw_due(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = app.text();
    if area.height < 2 {
        return;
    }
    let mut lines = vec![Line::raw(""), Line::styled(t.due_heading, theme.heading())];
    if app.data.due.is_empty() {
        lines.push(Line::styled(t.due_none, theme.dim()));
    }
    let mut room = area.height.saturating_sub(2) as usize;
    // More than fit: the last row says how many more, so none is thought
    // to be the last.
    if app.data.due.len() > room {
        room = room.saturating_sub(1);
    }
    let shown: Vec<_> = app
        .data
        .due
        .iter()
        .take(room)
        .map(|item| {
            let (mark, days, style) = if item.days_left < 0 {
                ("!", fill(t.due_overdue, &[&-item.days_left]), theme.pace(Pace::Behind))
            } else if item.missed(app.year, app.today) {
                ("!", t.due_missed.to_string(), theme.pace(Pace::Behind))
            } else {
                ("·", fill(t.due_days_left, &[&item.days_left]), theme.dim())
            };
            (mark, days, style, item)
        })
        .collect();
    // The names line up however many digits the days take.
    let column = shown
        .iter()
        .map(|(_, days, ..)| days.width())
        .max()
        .unwrap_or(0)
        .max(10);
    lines.extend(shown.into_iter().map(|(mark, days, style, item)| {
        let pad = column - days.width();
        Line::from(vec![
            Span::styled(format!("{mark} {days}{}  ", " ".repeat(pad)), style),
            Span::raw(due_line(app.lang, &item.what)),
        ])
    }));
    let hidden = app.data.due.len().saturating_sub(room);
    if hidden > 0 {
        lines.push(Line::styled(fill(t.due_more, &[&hidden]), theme.dim()));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// The first day `leader` could work at a contact point: the later of the
/// day they took the post and the first day they held a point.
fn leader_since(app: &App, leader: crate::domain::LeaderId) -> Option<chrono::NaiveDate> {
    let in_post = app.data.leader(leader)?.in_post_from;
    let first_point = app
        .data
        .points
        .iter()
        // Cheap first: the board draws this for every row it shows.
        .filter(|p| p.held_by(leader))
        .flat_map(|p| p.spans_of(leader))
        .map(|(from, _)| from)
        .min();
    // No point yet: from the day they took the post.
    Some(first_point.map_or(in_post, |first| in_post.max(first)))
}
