//! Help: every key, drawn from the keymap table, and what each rule counts.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::theme::Theme;
use super::widgets;
use crate::app::keymap::Ctx;
use crate::app::{App, Screen};
use crate::domain::{Role, RuleId};
use crate::i18n::{Label, fill};

fn context_name(app: &App, ctx: Ctx) -> &'static str {
    let t = app.text();
    match ctx {
        Ctx::Lists => t.ctx_lists,
        Ctx::Screen(s) => s.name(app.lang),
        Ctx::Form => t.ctx_form,
        Ctx::Confirm => t.ctx_confirm,
        Ctx::Search => t.ctx_search,
        Ctx::Details => t.ctx_details,
        Ctx::Move => t.ctx_move,
    }
}

/// One line per context: its name, then each key group (keys bound to
/// the same thing share an entry), wrapped by the paragraph.
pub fn key_lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let contexts = [
        Ctx::Lists,
        Ctx::Move,
        Ctx::Screen(Screen::Board),
        Ctx::Screen(Screen::Activities),
        Ctx::Screen(Screen::Problems),
        Ctx::Screen(Screen::Points),
        Ctx::Screen(Screen::Calendar),
        Ctx::Form,
        Ctx::Confirm,
        Ctx::Search,
        Ctx::Details,
    ];
    contexts
        .into_iter()
        .filter_map(|ctx| {
            // A context whose keys all write has none in a read-only view:
            // no heading with nothing after it.
            let groups = widgets::key_groups(app, &[ctx], false);
            if groups.is_empty() {
                return None;
            }
            let mut spans = vec![Span::styled(format!("{}  ", context_name(app, ctx)), theme.heading())];
            // No-break spaces keep a key, what it does and the dot before
            // it together when the line wraps: it breaks before a dot.
            for (i, (keys, desc)) in groups.into_iter().enumerate() {
                if i > 0 {
                    spans.push(Span::styled(" ·\u{a0}", theme.dim()));
                }
                spans.push(Span::styled(keys, theme.key()));
                spans.push(Span::raw(format!("\u{a0}{}", desc.replace(' ', "\u{a0}"))));
            }
            Some(Line::from(spans))
        })
        .collect()
}

/// What each rule counts, from the rulebook.
pub fn rule_lines(app: &App) -> Vec<String> {
    let t = app.text();
    let lang = app.lang;
    let targets = &app.data.targets;
    let mut out = Vec::new();
    for rule in RuleId::LEADER {
        let target = targets.get(Role::Secretary, rule);
        if rule == RuleId::ProblemsSolved {
            out.push(fill(
                t.help_problems_rule,
                &[&rule.label(lang), &target.min, &target.full],
            ));
        } else {
            let kinds: Vec<&str> = rule.counted_kinds().iter().map(|k| k.label(lang)).collect();
            out.push(fill(
                t.help_rule,
                &[&rule.label(lang), &target.min, &kinds.join(lang.pick("、", ", "))],
            ));
        }
    }
    for rule in RuleId::BUREAU {
        let target = targets.get(Role::Secretary, rule);
        let event = rule.counted_event().map_or("", |e| e.label(lang));
        out.push(fill(t.help_bureau_rule, &[&rule.label(lang), &target.min, &event]));
    }
    out
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = app.text();
    let mut lines = key_lines(app, theme);
    lines.push(Line::raw(""));
    lines.push(Line::styled(t.help_rules_heading, theme.heading()));
    lines.extend(rule_lines(app).into_iter().map(Line::raw));
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    // On a short terminal ↑/↓ scroll; never past the last line (ratatui
    // counts the lines its word wrapping makes).
    let wrapped = paragraph.line_count(area.width);
    let max_scroll = wrapped.saturating_sub(area.height as usize);
    app.scroll_limits.help.set(max_scroll);
    let scroll = app.help_scroll.min(max_scroll) as u16;
    frame.render_widget(paragraph.scroll((scroll, 0)), area);
}
