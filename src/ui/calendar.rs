//! Calendar 年度安排: the year's work plan (六) as a checklist with the
//! current phase marked, and the activities per month as a bar chart, for
//! everyone or one leader, so that a gap over the summer is seen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph};

use super::theme::Theme;
use super::widgets::mark;
use crate::app::App;
use crate::i18n::fill;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    // The chart needs about ten rows to show a shape; the plan scrolls.
    let chart_height = if area.height >= 30 { 14 } else { 9 }.min(area.height / 2);
    let [plan_area, chart_area] = Layout::vertical([Constraint::Min(3), Constraint::Length(chart_height)]).areas(area);
    draw_plan(frame, plan_area, app, theme);
    draw_chart(frame, chart_area, app, theme);
}

fn draw_plan(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = app.text();
    let Some(plan) = &app.data.plan else {
        return;
    };
    let current = plan.current_phase(app.today);
    // Each line with the plan item it shows, so that the window can follow
    // the selection. Seventeen lines at most: cheap to build whole.
    let mut lines: Vec<(Line, bool)> = vec![(
        Line::styled(fill(t.plan_heading, &[&plan.year]), theme.heading()),
        false,
    )];
    let mut item = 0;
    for (i, phase) in plan.phases.iter().enumerate() {
        let n = i + 1;
        let is_current = current == Some(n);
        let mut spans = vec![Span::styled(
            format!("  {n}. {}  {} – {}", phase.name, phase.from, phase.to),
            if is_current { theme.selected() } else { theme.heading() },
        )];
        if is_current {
            spans.push(Span::styled(format!("  {}", t.plan_current), theme.selected()));
        }
        lines.push((Line::from(spans), false));
        for (j, task) in phase.tasks.iter().enumerate() {
            let selected = item == app.plan_sel;
            let (check, done) = match task.done {
                Some(d) => ("✓", format!("  {d}")),
                None => ("☐", String::new()),
            };
            let line = Line::from(vec![
                Span::styled(format!("{} ", mark(selected)), theme.selected()),
                Span::raw(format!("   {check} {n}.{} {}", j + 1, task.text)),
                Span::styled(done, theme.dim()),
            ]);
            lines.push((if selected { line.style(theme.selected()) } else { line }, selected));
            item += 1;
        }
    }
    let height = area.height as usize;
    let at = lines.iter().position(|(_, s)| *s).unwrap_or(0);
    let first = (at + 1).saturating_sub(height);
    let shown: Vec<Line> = lines.into_iter().skip(first).take(height).map(|(l, _)| l).collect();
    frame.render_widget(Paragraph::new(shown), area);
}

fn draw_chart(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = app.text();
    let who = app
        .chart_leader
        .and_then(|id| app.data.leader(id))
        .map_or(t.all_leaders, |l| l.name.as_str());
    let counts = app.data.month_counts(app.chart_leader);
    let bars: Vec<Bar> = counts
        .iter()
        .zip(t.months)
        .map(|(n, label)| Bar::with_label(label, *n).style(theme.heading()))
        .collect();
    let block = Block::default().borders(Borders::TOP).title(Span::styled(
        format!(" {} ", fill(t.chart_heading, &[&app.year, &who])),
        theme.heading(),
    ));
    // Twelve bars with a gap of one: as wide as the area allows, up to 8.
    let bar_width = ((area.width + 1) / 12).saturating_sub(1).clamp(1, 8);
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let chart = BarChart::default()
        .block(block)
        .data(BarGroup::default().bars(&bars))
        .bar_width(bar_width)
        .bar_gap(1)
        .max(max)
        .value_style(theme.selected());
    frame.render_widget(chart, area);
}
