//! Activities 联系活动: the year's activities, newest first, with the leader
//! filter and the search line. Only the visible page of rows is built.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};
use unicode_width::UnicodeWidthStr;

use super::theme::Theme;
use super::widgets::{Columns, mark, window};
use crate::app::App;
use crate::domain::Activity;
use crate::i18n::{Label, Lang, fill};

/// The text shown for an activity: its note, what was found and what was
/// done, those it has. All three: a note added in the workbench (whose form
/// edits the note) used to hide the findings and actions from the list.
pub fn summary(a: &Activity, lang: Lang) -> String {
    [&a.note, &a.findings, &a.actions]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(lang.semicolon())
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = app.text();
    let [top, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let who = app.filter_leader.map_or(t.all_leaders, |id| app.data.leader_name(id));
    let filter = fill(t.filter_leader, &[&who]);
    let prefix = format!("{filter}   {}", t.search_label);
    let mut spans = vec![
        Span::raw(prefix.clone()),
        Span::styled(app.search.value().to_string(), theme.key()),
    ];
    spans.push(Span::styled(
        format!("   {}", fill(t.count, &[&app.visible.len()])),
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), top);
    if app.searching && app.modal.is_none() {
        let x = top.x + (prefix.width() + app.search.visual_cursor()) as u16;
        frame.set_cursor_position((x.min(top.right().saturating_sub(1)), top.y));
    }
    if app.visible.is_empty() {
        frame.render_widget(Paragraph::new(Line::styled(t.no_activities, theme.dim())), list);
        return;
    }
    let wide = area.width >= 100;
    let height = list.height.saturating_sub(1) as usize;
    let first = window(app.act_sel, height);
    let widths = [
        Constraint::Length(1),
        Constraint::Length(10),
        Constraint::Length(if wide { 8 } else { 6 }),
        Constraint::Length(if wide { 16 } else { 12 }),
        Constraint::Length(if wide { 16 } else { 14 }),
        Constraint::Fill(1),
    ];
    let columns = Columns::new(list.width, &widths);
    let rows = app
        .visible
        .iter()
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(row, index)| {
            let a = &app.data.activities[*index];
            let selected = row == app.act_sel;
            let r = Row::new(vec![
                Line::styled(mark(selected), theme.selected()),
                Line::raw(columns.cut(1, &a.date.to_string())),
                Line::raw(columns.cut(2, app.data.leader_name(a.leader))),
                Line::raw(columns.cut(3, a.kind.label(app.lang))),
                Line::raw(columns.cut(4, app.data.point_short(a.point))),
                Line::raw(columns.cut(5, &summary(a, app.lang))),
            ]);
            if selected { r.style(theme.selected()) } else { r }
        });
    let header = columns
        .header(&["", t.col_date, t.col_leader, t.col_kind, t.col_point, t.col_text])
        .style(theme.heading());
    frame.render_widget(Table::new(rows, widths).header(header), list);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ActivityKind;

    #[test]
    fn the_list_shows_the_note_with_the_findings_and_actions() {
        let mut a = Activity {
            id: 1,
            date: chrono::NaiveDate::from_ymd_opt(2020, 9, 10).unwrap(),
            leader: 1,
            point: 1,
            kind: ActivityKind::Research,
            place: None,
            participants: None,
            findings: Some("三会一课记录不全".into()),
            actions: Some("当场指导".into()),
            note: None,
        };
        assert_eq!(summary(&a, Lang::Zh), "三会一课记录不全；当场指导");
        a.note = Some("补充备注".into());
        assert_eq!(summary(&a, Lang::Zh), "补充备注；三会一课记录不全；当场指导");
        assert_eq!(summary(&a, Lang::En), "补充备注; 三会一课记录不全; 当场指导");
    }
}
