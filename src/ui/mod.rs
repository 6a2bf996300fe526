//! Drawing the workbench from its state, and `run`, which owns the terminal.
//! One file per screen; [`widgets`] holds what they share.

pub mod activities;
pub mod board;
pub mod calendar;
pub mod help;
pub mod points;
pub mod problems;
pub mod theme;
pub mod widgets;

use std::io::{self, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::cursor::{MoveTo, Show};
use ratatui::crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::api::Backend;
use crate::app::{self, App, Modal, Screen, Settings};
use crate::i18n::{Lang, fill};
pub use theme::Theme;

/// How often the workbench looks for changes made elsewhere.
const TICK: std::time::Duration = std::time::Duration::from_millis(100);

/// Smallest size the screens are drawn at; below it a message says so.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// How the command line opens the workbench.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub lang: Lang,
    pub read_only: bool,
    pub today: NaiveDate,
    /// Whether "today" follows the clock while the workbench runs (a
    /// workbench left open in tmux overnight must take the new day's
    /// visits); false when today was set (`BRANCHLINK_TODAY`).
    pub follow_clock: bool,
}

/// Opens the workbench on the terminal until the user quits. The terminal
/// is restored on every way out, a panic included.
pub fn run(backend: &dyn Backend, options: Options) -> io::Result<()> {
    let theme = Theme::from_env();
    install_panic_hook();
    let mut terminal = match setup() {
        Ok(t) => t,
        Err(e) => {
            let _ = restore();
            return Err(e);
        }
    };
    let settings = Settings {
        lang: options.lang,
        read_only: options.read_only,
        today: options.today,
    };
    let result = event_loop(&mut terminal, backend, settings, options.follow_clock, &theme);
    let restored = restore();
    result.and(restored)
}

/// Whether the workbench is on the alternate screen: [`restore`] erases
/// and leaves it only then, so that a second call (the panic hook after a
/// normal quit, or after a failed `setup`) never erases the shell's screen.
static ON_ALTERNATE_SCREEN: AtomicBool = AtomicBool::new(false);

fn setup() -> io::Result<Terminal<CrosstermBackend<Stdout>>> {
    enable_raw_mode()?;
    // Set before the switch: if writing it fails part-way, restore still
    // leaves the alternate screen.
    ON_ALTERNATE_SCREEN.store(true, Ordering::SeqCst);
    // Mouse capture stays off so that people can select and copy text.
    execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// Puts the terminal back as the shell expects it. Safe to call twice.
fn restore() -> io::Result<()> {
    let raw = disable_raw_mode();
    let mut out = io::stdout();
    let mut screen = execute!(out, DisableBracketedPaste);
    if ON_ALTERNATE_SCREEN.swap(false, Ordering::SeqCst) {
        // The alternate screen is erased before it is left: tmux (3.3a),
        // when the window was resized while the workbench ran, showed a
        // line of the last frame above the shell's prompt after the
        // workbench quit. Erased from the top left down, not with "erase
        // display": that is the sequence tests/pty.rs looks for as stored
        // text reaching the terminal (ratatui writes it itself only when
        // the terminal is resized).
        screen = screen.and(execute!(
            out,
            MoveTo(0, 0),
            Clear(ClearType::FromCursorDown),
            LeaveAlternateScreen
        ));
    }
    raw.and(screen).and(execute!(out, Show))
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Restore first, so that the message lands on the normal screen.
        let _ = restore();
        previous(info);
    }));
}

fn event_loop(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    backend: &dyn Backend,
    settings: Settings,
    follow_clock: bool,
    theme: &Theme,
) -> io::Result<()> {
    let mut app = App::new(backend, settings);
    tracing::info!(year = app.year, read_only = app.read_only, "workbench opened");
    // TEST HOOK (tests/pty.rs), not a feature: with BRANCHLINK_TEST_PANIC=1
    // the workbench panics right after its first frame, so that a test can
    // prove through a real pseudo-terminal that the panic hook gives the
    // terminal back (raw mode off, main screen, cursor shown, no bracketed
    // paste) before the message is printed.
    let test_panic = std::env::var_os("BRANCHLINK_TEST_PANIC").is_some_and(|v| v == "1");
    while !app.quit {
        let frame = terminal.draw(|frame| draw(frame, &app, theme))?;
        app.too_small = !fits(frame.area);
        if test_panic {
            panic!("BRANCHLINK_TEST_PANIC: a panic on purpose, after the first frame");
        }
        // Redraws after an event (a resize is one too) or a tick; a tick
        // only costs an atomic load unless something changed elsewhere.
        if event::poll(TICK)? {
            let event = event::read()?;
            if let Some(action) = app::event_action(&app, &event) {
                tracing::debug!(?action, "action");
                app::update(&mut app, action, backend);
            }
        } else {
            if follow_clock {
                app.set_today(chrono::Local::now().date_naive(), backend);
            }
            app::update(&mut app, app::Action::Poll, backend);
        }
    }
    Ok(())
}

/// True when the workbench can be drawn in `area`; below that only a
/// notice shows, and keys do nothing but quit (`app::key_action`).
pub fn fits(area: Rect) -> bool {
    area.width >= MIN_WIDTH && area.height >= MIN_HEIGHT
}

/// Draws the whole workbench.
pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let area = frame.area();
    let t = app.text();
    if !fits(area) {
        let text = Paragraph::new(t.too_small)
            .wrap(Wrap { trim: true })
            .style(theme.warn());
        let y = area.height / 2;
        frame.render_widget(
            text,
            Rect {
                y: area.y + y,
                height: area.height - y,
                ..area
            },
        );
        return;
    }
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(frame, header, app, theme);
    match app.screen {
        Screen::Board => board::draw(frame, body, app, theme),
        Screen::Activities => activities::draw(frame, body, app, theme),
        Screen::Problems => problems::draw(frame, body, app, theme),
        Screen::Points => points::draw(frame, body, app, theme),
        Screen::Help => help::draw(frame, body, app, theme),
        Screen::Calendar => calendar::draw(frame, body, app, theme),
    }
    widgets::draw_status(frame, status, app, theme);
    widgets::draw_footer(frame, footer, app, theme);
    match &app.modal {
        Some(Modal::Form(form)) => widgets::draw_form(frame, area, app, form, theme),
        Some(Modal::ConfirmDelete(id)) => {
            let t = app.text();
            let question = match app.data.activities.iter().find(|a| a.id == *id) {
                Some(a) => {
                    let leader = app.data.leader(a.leader).map_or("", |l| l.name.as_str());
                    let what = format!(
                        "{} {} {} {}",
                        a.id,
                        a.date,
                        leader,
                        crate::i18n::Label::label(a.kind, app.lang)
                    );
                    crate::i18n::fill(t.confirm_delete_named, &[&what])
                }
                None => t.confirm_delete.to_string(),
            };
            widgets::draw_confirm(frame, area, &question, theme)
        }
        Some(Modal::ConfirmDeleteProblem(id)) => {
            let t = app.text();
            let description = app
                .data
                .problems
                .iter()
                .find(|p| p.id == *id)
                .map_or("", |p| p.description.as_str());
            let description = widgets::ellipsize(description, 30);
            let question = crate::i18n::fill(t.confirm_delete_problem, &[id, &description]);
            widgets::draw_confirm(frame, area, &question, theme)
        }
        Some(Modal::ConfirmReopen(_)) => widgets::draw_confirm(frame, area, app.text().confirm_reopen, theme),
        Some(Modal::ConfirmUntick(phase, task)) => {
            let done = app
                .data
                .plan
                .as_ref()
                .and_then(|plan| plan.task(*phase, *task))
                .and_then(|item| item.done)
                .map(|d| d.to_string())
                .unwrap_or_default();
            let question = crate::i18n::fill(app.text().confirm_untick, &[phase, task, &done]);
            widgets::draw_confirm(frame, area, &question, theme)
        }
        Some(Modal::ConfirmOverwrite(_, file)) => {
            let question = crate::i18n::fill(app.text().confirm_overwrite, &[file]);
            widgets::draw_confirm(frame, area, &question, theme)
        }
        Some(Modal::Details(id, scroll)) => widgets::draw_details(frame, area, app, *id, *scroll, theme),
        None => {}
    }
}

fn draw_header(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    // Six tabs, the year and the read-only badge may not fit 80 columns:
    // the tabs lose their padding first, then the names of the others.
    for compact in 0..3 {
        let line = header_line(app, theme, area.width >= 100, compact);
        if line.width() <= usize::from(area.width) || compact == 2 {
            frame.render_widget(Paragraph::new(line), area);
            return;
        }
    }
}

fn header_line(app: &App, theme: &Theme, title: bool, compact: u8) -> Line<'static> {
    let t = app.text();
    let mut spans = Vec::new();
    if title {
        spans.push(Span::styled(t.app_title, theme.heading()));
        spans.push(Span::raw("  "));
    }
    for (i, screen) in Screen::ALL.iter().enumerate() {
        let name = screen.name(app.lang);
        let n = i + 1;
        // The current screen is bracketed, not only highlighted.
        if *screen == app.screen {
            spans.push(Span::styled(format!("[{n} {name}]"), theme.selected()));
        } else {
            let tab = match compact {
                0 => format!(" {n} {name} "),
                1 => format!(" {n} {name}"),
                _ => format!(" {n}"),
            };
            spans.push(Span::styled(tab, theme.dim()));
        }
    }
    spans.push(Span::raw("  "));
    spans.push(Span::styled(fill(t.year, &[&app.year]), theme.heading()));
    if app.read_only {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(format!("[{}]", t.read_only_badge), theme.warn()));
    }
    Line::from(spans)
}
