//! What the screens share: the status and footer lines, the selection
//! column, windows over long lists, forms and the yes/no question.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Row, Wrap};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use super::theme::{SELECTED, Theme};
use crate::app::form::{FieldKind, Form};
use crate::app::{Action, App, Screen, keymap};
use crate::domain::{ActivityId, DomainError, lookup};
use crate::i18n::{Label, fill};

/// The first row of the page holding `selected`, for lists `height` rows
/// high. Paging keeps drawing stateless: only the visible rows are built.
pub fn window(selected: usize, height: usize) -> usize {
    selected.checked_div(height).map_or(0, |page| page * height)
}

/// The selection mark column.
pub fn mark(selected: bool) -> &'static str {
    if selected { SELECTED } else { " " }
}

pub fn draw_status(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if app.disconnected {
        let text = format!("! {}", app.text().reconnecting);
        frame.render_widget(Paragraph::new(Line::styled(text, theme.error())), area);
        return;
    }
    if let Some(m) = &app.message {
        let (symbol, style) = if m.error {
            ("! ", theme.error())
        } else {
            ("✓ ", theme.info())
        };
        frame.render_widget(Paragraph::new(Line::styled(format!("{symbol}{}", m.text), style)), area);
    }
}

/// A group of keys bound to the same thing: ("Ctrl-g/Esc", "cancel"), and
/// whether the footer must always keep it (help, quit, the way out of a
/// form or question).
struct KeyGroup {
    keys: String,
    desc: &'static str,
    kept: bool,
}

/// The bindings of `ctxs` grouped by what they do; in the read-only view
/// without the ones that write.
fn grouped(app: &App, ctxs: &[keymap::Ctx], footer_only: bool) -> Vec<KeyGroup> {
    let t = app.text();
    let mut groups: Vec<KeyGroup> = Vec::new();
    let shown = |b: &&keymap::Binding| (b.footer || !footer_only) && !(app.read_only && b.action.writes());
    // A form filled a field at a time takes Enter to the next field and
    // saves on the last (its own hint says so): the footer says the same.
    let step_form = matches!(&app.modal, Some(crate::app::Modal::Form(f)) if !f.quick);
    for b in keymap::bindings(ctxs).filter(shown) {
        let desc = match b.action {
            Action::Submit if step_form => t.k_next_or_save,
            _ => (b.desc)(t),
        };
        let kept = matches!(
            b.action,
            Action::Quit | Action::Show(Screen::Help) | Action::Cancel | Action::No
        );
        match groups.iter_mut().find(|g| g.desc == desc) {
            Some(g) => {
                g.keys.push('/');
                g.keys.push_str(b.shown);
                g.kept |= kept;
            }
            None => groups.push(KeyGroup {
                keys: b.shown.to_string(),
                desc,
                kept,
            }),
        }
    }
    groups
}

/// The bindings of `ctxs` grouped by what they do (for help).
pub fn key_groups(app: &App, ctxs: &[keymap::Ctx], footer_only: bool) -> Vec<(String, &'static str)> {
    grouped(app, ctxs, footer_only)
        .into_iter()
        .map(|g| (g.keys, g.desc))
        .collect()
}

/// The footer's key groups for a line `width` columns wide: the footer
/// bindings of the contexts in force, without the ones that write in the
/// read-only view. Help, quit and the ways out of a form or question
/// always stay (at 80 columns a screen with many keys used to push
/// "q quit" off the line); the others follow in the table's order as long
/// as they fit, a short one after a long one that did not. Every key stays
/// in help.
pub fn footer_groups(app: &App, width: usize) -> Vec<(String, &'static str)> {
    let groups = grouped(app, &app.contexts(), true);
    // Each group takes its keys, a space and its words, and " · " before it.
    let cost = |g: &KeyGroup| g.keys.width() + 1 + g.desc.width() + 3;
    let mut used: usize = groups.iter().filter(|g| g.kept).map(cost).sum();
    let mut shown = Vec::new();
    for g in groups {
        if !g.kept {
            if used + cost(&g) > width + 3 {
                continue;
            }
            used += cost(&g);
        }
        shown.push((g.keys, g.desc));
    }
    shown
}

/// The keys of the contexts in force, from the keymap table.
pub fn draw_footer(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut spans = Vec::new();
    for (keys, desc) in footer_groups(app, area.width as usize) {
        if !spans.is_empty() {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        spans.push(Span::styled(keys, theme.key()));
        spans.push(Span::raw(format!(" {desc}")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// Clears `rect` for a box drawn over the screen. A wide character (a
/// Chinese one) that starts in the column just left of the box covers the
/// box's first column too: the terminal would show it over the box's left
/// border, which ratatui never writes, as that column belongs to the
/// character. Such a character is blanked.
pub fn clear_box(frame: &mut Frame, rect: Rect) {
    frame.render_widget(Clear, rect);
    let Some(left) = rect.x.checked_sub(1) else {
        return;
    };
    let buffer = frame.buffer_mut();
    for y in rect.top()..rect.bottom() {
        if let Some(cell) = buffer.cell_mut((left, y))
            && cell.symbol().width() > 1
        {
            cell.set_symbol(" ");
        }
    }
}

/// A yes/no question over the screen.
/// Wrapped when the window is narrower than the question, so that its
/// answers (y …, n …) stay in view.
pub fn draw_confirm(frame: &mut Frame, area: Rect, text: &str, theme: &Theme) {
    // Borders and a space of margin on each side: four columns.
    let width = (text.width() as u16 + 4).min(area.width.saturating_sub(2)).max(5);
    let lines = wrap(text, usize::from(width - 4));
    let height = (lines.len() as u16).saturating_add(2);
    let rect = centered(area, width, height);
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| Line::styled(format!(" {l}"), theme.warn()))
        .collect();
    clear_box(frame, rect);
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL)),
        rect,
    );
}

/// One activity whole over the screen: every field it has, its text wrapped
/// beside its label; `scroll` lines are skipped (a note may be 10,000
/// characters). Records how far it can scroll at this size
/// ([`App::scroll_limits`]). The status line below stays in view.
pub fn draw_details(frame: &mut Frame, area: Rect, app: &App, id: ActivityId, scroll: u16, theme: &Theme) {
    let Some(a) = app.data.activities.iter().find(|a| a.id == id) else {
        return;
    };
    let t = app.text();
    let r = app.lang.report();
    let mut rows: Vec<(&str, String)> = vec![
        (r.h_date, a.date.to_string()),
        (r.h_leader, app.data.leader_name(a.leader).to_string()),
        (r.h_kind, a.kind.label(app.lang).to_string()),
        (r.h_branch, app.data.point_short(a.point).to_string()),
    ];
    for (label, value) in [
        (r.h_place, &a.place),
        (t.f_participants, &a.participants),
        (r.h_findings, &a.findings),
        (r.h_actions, &a.actions),
        (r.h_note, &a.note),
    ] {
        if let Some(v) = value {
            rows.push((label, v.clone()));
        }
    }
    let width = area.width.saturating_sub(4).min(76);
    let label_width = rows.iter().map(|(l, _)| l.width()).max().unwrap_or(0);
    let text_width = usize::from(width.saturating_sub(2))
        .saturating_sub(label_width + 2)
        .max(1);
    let mut lines: Vec<Line> = Vec::new();
    for (label, value) in rows {
        for (i, part) in wrap(&value, text_width).into_iter().enumerate() {
            let head = if i == 0 { label } else { "" };
            let pad = " ".repeat(label_width - head.width() + 2);
            lines.push(Line::from(vec![
                Span::styled(format!("{head}{pad}"), theme.dim()),
                Span::raw(part),
            ]));
        }
    }
    // Above the status and footer lines, so that a message (a refusal of
    // `e` in the read-only view, say) is seen.
    let room = area.height.saturating_sub(4);
    let height = (lines.len() as u16).saturating_add(2).min(room);
    let rect = centered(
        Rect {
            height: area.height.saturating_sub(2),
            ..area
        },
        width,
        height,
    );
    let inner = usize::from(rect.height.saturating_sub(2));
    let limit = u16::try_from(lines.len().saturating_sub(inner)).unwrap_or(u16::MAX);
    app.scroll_limits.details.set(limit);
    let title = format!(" {} {} ", t.details_title, a.id);
    clear_box(frame, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((scroll.min(limit), 0))
            .block(Block::default().borders(Borders::ALL).title(title)),
        rect,
    );
}

/// A table's columns as drawn in a given width, to cut each cell to its
/// column: every table of the workbench ends a cell cut by a narrow
/// terminal in "…" instead of losing its end unseen.
pub struct Columns(Vec<usize>);

impl Columns {
    /// The columns a `Table` with `widths` has in `width` terminal columns.
    pub fn new(width: u16, widths: &[Constraint]) -> Columns {
        Columns(column_widths(width, widths).into_iter().map(usize::from).collect())
    }

    /// `text` cut to column `index` (see [`ellipsize`]); a column past the
    /// last has no room.
    pub fn cut(&self, index: usize, text: &str) -> String {
        ellipsize(text, self.0.get(index).copied().unwrap_or(0))
    }

    /// A header row of `titles`, each cut to its column like the cells.
    pub fn header(&self, titles: &[&str]) -> Row<'static> {
        Row::new(titles.iter().enumerate().map(|(i, title)| self.cut(i, title)))
    }

    /// The index of the last column.
    pub fn last(&self) -> usize {
        self.0.len().saturating_sub(1)
    }
}

/// The width a `Table` with `widths` gives each column in `width` terminal
/// columns: ratatui's own layout for a table drawn without a selection
/// state (column spacing 1, flex start, no highlight column).
fn column_widths(width: u16, widths: &[Constraint]) -> Vec<u16> {
    Layout::horizontal(widths.iter().copied())
        .flex(Flex::Start)
        .spacing(1)
        .split(Rect::new(0, 0, width, 1))
        .iter()
        .map(|r| r.width)
        .collect()
}

/// `text` in at most `width` display columns, ending in "…" when some is
/// left out, so that a cell cut by a narrow terminal says so. Measured
/// grapheme by grapheme, as ratatui draws it (an emoji with its variation
/// selector is one picture two columns wide).
pub fn ellipsize(text: &str, width: usize) -> String {
    // One pass that stops just past the width: a note may be 10,000
    // characters and every visible row is cut at each frame.
    let mut cut = 0; // bytes that fit with the ellipsis after them
    let mut used = 0;
    for (at, g) in text.grapheme_indices(true) {
        used += g.width();
        if used > width {
            return if width == 0 {
                String::new()
            } else {
                format!("{}…", &text[..cut])
            };
        }
        if used < width {
            cut = at + g.len();
        }
    }
    text.to_string()
}

/// `text` in lines at most `width` columns wide: broken at the last space
/// that fits, or anywhere in a run without one (Chinese has none).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_width = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if line_width + w > width && !line.is_empty() {
            match line.rfind(' ').filter(|at| *at > 0 && c != ' ') {
                Some(at) => {
                    let rest = line.split_off(at + 1);
                    lines.push(line.trim_end().to_string());
                    line_width = rest.width();
                    line = rest;
                }
                None => {
                    lines.push(std::mem::take(&mut line));
                    line_width = 0;
                }
            }
        }
        if line.is_empty() && c == ' ' {
            continue;
        }
        line.push(c);
        line_width += w;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// What a pick field's text resolves to, shown after it: the record, or
/// that nothing or several match (by their short names, which fit).
fn resolution(app: &App, kind: FieldKind, value: &str) -> Option<String> {
    let t = app.text();
    let (found, several) = match kind {
        FieldKind::Leader => {
            let found = lookup::leader(&app.data.leaders, value).map(|l| format!("{} {}", l.name, l.title));
            let names = lookup::candidates(&app.data.leaders, value).into_iter().map(|l| l.name);
            (found, names.collect::<Vec<_>>())
        }
        FieldKind::Branch | FieldKind::OptionalBranch => {
            if kind == FieldKind::OptionalBranch && value.trim().is_empty() {
                return None;
            }
            let found = lookup::branch(&app.data.branches, value).map(|b| b.short.clone());
            let names = lookup::candidates(&app.data.branches, value)
                .into_iter()
                .map(|b| b.short);
            (found, names.collect::<Vec<_>>())
        }
        _ => return None,
    };
    Some(match found {
        Ok(name) => format!("→ {name}"),
        Err(_) if value.trim().is_empty() => t.type_a_name.to_string(),
        Err(DomainError::Ambiguous { .. }) => fill(t.many_match, &[&several.join(app.lang.report().list_sep)]),
        Err(_) => t.no_match.to_string(),
    })
}

/// Draws a form over the screen and puts the real cursor after the last
/// character typed in the focused field (the input method opens its window
/// there).
pub fn draw_form(frame: &mut Frame, area: Rect, app: &App, form: &Form, theme: &Theme) {
    let t = app.text();
    let label_width = form.fields.iter().map(|f| f.label.width()).max().unwrap_or(0) as u16;
    let width = area.width.saturating_sub(4).min(76);
    let inner_width = width.saturating_sub(2);
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor = None;
    let value_x = 2 + label_width + 2;
    for (i, field) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let mark_style = if focused { theme.selected() } else { theme.dim() };
        let mut spans = vec![
            Span::styled(format!("{} ", mark(focused)), mark_style),
            Span::styled(
                format!("{:<w$}  ", field.label, w = label_width as usize - extra(field.label)),
                mark_style,
            ),
        ];
        match field.kind {
            FieldKind::Choice(choice) => {
                spans.push(if field.chosen {
                    Span::styled(choice.label(field.choice, app.lang), theme.selected())
                } else {
                    Span::styled(app.text().choice_unmade, theme.dim())
                });
                lines.push(Line::from(spans));
                // Every choice with its key, wrapped under the field.
                let mut row: Vec<Span> = vec![Span::raw(" ".repeat(value_x as usize))];
                let mut used = value_x as usize;
                for (k, key) in choice.keys().iter().enumerate() {
                    let label = choice.label(k, app.lang);
                    let piece = label.width() + 5;
                    if used + piece > inner_width as usize && used > value_x as usize {
                        lines.push(Line::from(std::mem::take(&mut row)));
                        row.push(Span::raw(" ".repeat(value_x as usize)));
                        used = value_x as usize;
                    }
                    let chosen = field.chosen && k == field.choice;
                    row.push(Span::styled(key.to_string(), theme.key()));
                    row.push(Span::styled(
                        if chosen {
                            format!("[{label}] ")
                        } else {
                            format!(" {label}  ")
                        },
                        if chosen { theme.selected() } else { Style::default() },
                    ));
                    used += piece;
                }
                lines.push(Line::from(row));
            }
            _ => {
                let room = inner_width.saturating_sub(value_x + 1) as usize;
                let scroll = field.input.visual_scroll(room);
                let shown = skip_columns(field.value(), scroll);
                spans.push(Span::raw(shown.to_string()));
                if let Some(r) = resolution(app, field.kind, field.value()) {
                    // Beside a value, apart from it; in an empty field (the
                    // hint to type a name) where the value would start.
                    let gap = if shown.is_empty() { "" } else { "  " };
                    spans.push(Span::styled(format!("{gap}{r}"), theme.dim()));
                }
                if matches!(field.kind, FieldKind::Optional) && field.value().is_empty() && !focused {
                    spans.push(Span::styled(t.optional, theme.dim()));
                }
                if focused {
                    let x = value_x as usize + field.input.visual_cursor().saturating_sub(scroll);
                    cursor = Some((x as u16, lines.len() as u16));
                }
                lines.push(Line::from(spans));
            }
        }
    }
    lines.push(Line::raw(""));
    // The error and the hint may be long: they wrap, below the fields.
    let mut notes: Vec<Line> = Vec::new();
    if let Some(e) = &form.error {
        // A no-break space keeps the mark with the message's first word
        // (all of a Chinese message) when ratatui wraps it.
        notes.push(Line::styled(format!("!\u{a0}{e}"), theme.error()));
    }
    notes.push(Line::styled(
        if form.quick {
            t.form_hint_quick
        } else {
            t.form_hint_step
        },
        theme.dim(),
    ));
    // Counted as ratatui wraps them, by words: counting columns alone left
    // the hint below the window's edge when a message wrapped at a word.
    let notes = Paragraph::new(notes).wrap(Wrap { trim: false });
    let wrapped = u16::try_from(notes.line_count(inner_width.max(1))).unwrap_or(u16::MAX);
    let fields_height = lines.len() as u16;
    let rect = centered(area, width, fields_height + wrapped + 2);
    clear_box(frame, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {} ", form.title), theme.heading()));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let fields_area = Rect {
        height: fields_height.min(inner.height),
        ..inner
    };
    frame.render_widget(Paragraph::new(lines), fields_area);
    let notes_area = Rect {
        y: inner.y + fields_area.height,
        height: inner.height - fields_area.height,
        ..inner
    };
    frame.render_widget(notes, notes_area);
    if let Some((x, y)) = cursor {
        let x = (inner.x + x).min(inner.right().saturating_sub(1));
        if y < fields_area.height {
            frame.set_cursor_position((x, inner.y + y));
        }
    }
}

/// Padding correction: `format!` pads by characters, the screen by columns.
fn extra(label: &str) -> usize {
    label.width() - label.chars().count()
}

/// `text` without its first `columns` display columns.
fn skip_columns(text: &str, columns: usize) -> &str {
    let mut used = 0;
    for (i, c) in text.char_indices() {
        if used >= columns {
            return &text[i..];
        }
        used += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::{Columns, column_widths, ellipsize, wrap};
    use ratatui::layout::Constraint;
    use unicode_segmentation::UnicodeSegmentation;
    use unicode_width::UnicodeWidthStr;

    /// A box whose left border falls on the second column of a Chinese
    /// character: the character is blanked so that the border shows, and
    /// the terminal gets the border written.
    #[test]
    fn a_box_over_chinese_keeps_its_left_border() {
        use ratatui::Terminal;
        use ratatui::backend::TestBackend;
        use ratatui::layout::Rect;
        use ratatui::widgets::{Block, Borders, Paragraph};
        let draw = |terminal: &mut Terminal<TestBackend>, boxed: bool| {
            terminal
                .draw(|frame| {
                    frame.render_widget(Paragraph::new("交流座谈交流座谈"), frame.area());
                    if boxed {
                        let rect = Rect::new(3, 0, 6, 3);
                        super::clear_box(frame, rect);
                        frame.render_widget(Block::default().borders(Borders::ALL), rect);
                    }
                })
                .unwrap();
        };
        let mut terminal = Terminal::new(TestBackend::new(16, 3)).unwrap();
        draw(&mut terminal, false);
        draw(&mut terminal, true);
        let buffer = terminal.backend().buffer();
        assert_eq!(buffer[(2, 0)].symbol(), " ", "流 would cover the border");
        assert_eq!(buffer[(0, 0)].symbol(), "交");
        assert_eq!(buffer[(3, 0)].symbol(), "┌");
    }

    /// A cut cell ends in "…" and never passes its column, wide
    /// characters included.
    #[test]
    fn a_cut_cell_says_so_within_its_width() {
        assert_eq!(ellipsize("整改推进", 8), "整改推进");
        assert_eq!(ellipsize("整改推进较慢", 8), "整改推…");
        assert_eq!(ellipsize("整改推进较慢", 7), "整改推…");
        assert_eq!(ellipsize("abcdef", 4), "abc…");
        assert_eq!(ellipsize("整改", 1), "…");
        assert_eq!(ellipsize("整改", 0), "");
        // Measured as drawn: grapheme by grapheme.
        let drawn = |s: &str| s.graphemes(true).map(|g| g.width()).sum::<usize>();
        for text in [
            "党建经费保障不足，活动开展困难",
            "☺\u{fe0f}☺\u{fe0f}☺\u{fe0f}abc",
            "e\u{301}e\u{301}xyz",
        ] {
            for width in 0..12 {
                let cut = ellipsize(text, width);
                assert!(drawn(&cut) <= width, "{cut:?} at {width}");
            }
        }
    }

    /// The widths are those ratatui's table gives: the fill column takes
    /// what the fixed ones and the spaces between leave.
    #[test]
    fn column_widths_follow_the_tables_layout() {
        let widths = [Constraint::Length(1), Constraint::Length(10), Constraint::Fill(1)];
        assert_eq!(column_widths(80, &widths), vec![1, 10, 67]);
        assert_eq!(column_widths(12, &widths), vec![1, 9, 0]);
        let columns = Columns::new(12, &widths);
        assert_eq!(columns.last(), 2);
        assert_eq!(columns.cut(1, "2026-12-05 王建国"), "2026-12-…");
        assert_eq!(columns.cut(2, "蹲点调研"), "");
        assert_eq!(columns.cut(3, "past the last column"), "");
    }

    #[test]
    fn wrap_breaks_chinese_anywhere_and_english_at_spaces() {
        let zh = "组织生活计划已落实记录规范总结经验准备现场会材料";
        let lines = wrap(zh, 10);
        assert!(lines.iter().all(|l| l.width() <= 10), "{lines:?}");
        assert_eq!(lines.concat(), zh);
        assert_eq!(lines[0], "组织生活计");
        let en = "the branch keeps its minutes well and prepares the meeting";
        let lines = wrap(en, 20);
        assert!(lines.iter().all(|l| l.width() <= 20), "{lines:?}");
        assert_eq!(lines.join(" "), en);
        assert_eq!(lines[0], "the branch keeps its");
        // A word longer than the line is cut.
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("", 5), [""]);
    }
}
