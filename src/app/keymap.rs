//! The one keymap table. Key handling, the footer line and the help screen
//! are all read from [`BINDINGS`], so they cannot disagree.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Action, Screen};
use crate::i18n::tui::TuiText;

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    /// Every screen when no form is open.
    Lists,
    Screen(Screen),
    /// A form is open.
    Form,
    /// A yes/no question is open.
    Confirm,
    /// The search line of the activities screen has the keyboard.
    Search,
    /// One activity is shown whole.
    Details,
    /// Moving through what is shown: a list's rows or the lines of the
    /// details box (in force with `Lists` and with `Details`).
    Move,
}

pub struct Binding {
    pub ctx: Ctx,
    pub code: KeyCode,
    pub mods: KeyModifiers,
    /// How the key is written in the footer and help.
    pub shown: &'static str,
    pub action: Action,
    pub desc: fn(&TuiText) -> &'static str,
    /// Shown in the footer line (all bindings are in help).
    pub footer: bool,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

const fn b(
    ctx: Ctx,
    code: KeyCode,
    mods: KeyModifiers,
    shown: &'static str,
    action: Action,
    desc: fn(&TuiText) -> &'static str,
    footer: bool,
) -> Binding {
    Binding {
        ctx,
        code,
        mods,
        shown,
        action,
        desc,
        footer,
    }
}

const fn ch(c: char) -> KeyCode {
    KeyCode::Char(c)
}

use Ctx::{Confirm, Details, Form, Lists, Move, Search};
const BOARD: Ctx = Ctx::Screen(Screen::Board);
const ACTS: Ctx = Ctx::Screen(Screen::Activities);
const PROBS: Ctx = Ctx::Screen(Screen::Problems);
const POINTS: Ctx = Ctx::Screen(Screen::Points);
const CAL: Ctx = Ctx::Screen(Screen::Calendar);

pub static BINDINGS: &[Binding] = &[
    // Screen-specific keys come first so that they are found before the
    // screen-wide ones and lead the footer.
    // The footer drops keys from the end when it is too narrow (see
    // `ui::widgets::footer_groups`): the screen's main action first.
    b(BOARD, ch('a'), NONE, "a", Action::Add, |t| t.k_add_activity, true),
    b(BOARD, ch('R'), NONE, "R", Action::Report, |t| t.k_report, true),
    b(BOARD, ch('['), NONE, "[", Action::PrevYear, |t| t.k_prev_year, true),
    b(BOARD, ch(']'), NONE, "]", Action::NextYear, |t| t.k_next_year, true),
    b(BOARD, ch('D'), NONE, "D", Action::LoadDemo, |t| t.k_demo, false),
    b(ACTS, ch('a'), NONE, "a", Action::Add, |t| t.k_add_activity, true),
    b(
        ACTS,
        KeyCode::Enter,
        NONE,
        "Enter",
        Action::Details,
        |t| t.k_details,
        true,
    ),
    b(ACTS, ch('e'), NONE, "e", Action::Edit, |t| t.k_edit, true),
    b(ACTS, ch('d'), NONE, "d", Action::Delete, |t| t.k_delete, true),
    b(ACTS, ch('u'), NONE, "u", Action::Undo, |t| t.k_undo, true),
    b(ACTS, ch('f'), NONE, "f", Action::FilterLeader, |t| t.k_filter, true),
    b(ACTS, ch('/'), NONE, "/", Action::Search, |t| t.k_search, true),
    b(ACTS, ch('['), NONE, "[", Action::PrevYear, |t| t.k_prev_year, false),
    b(ACTS, ch(']'), NONE, "]", Action::NextYear, |t| t.k_next_year, false),
    b(PROBS, ch('a'), NONE, "a", Action::Add, |t| t.k_add_problem, true),
    b(PROBS, ch('s'), NONE, "s", Action::Solve, |t| t.k_solve, true),
    b(PROBS, ch('r'), NONE, "r", Action::Reopen, |t| t.k_reopen, true),
    b(PROBS, ch('e'), NONE, "e", Action::Edit, |t| t.k_edit, false),
    b(PROBS, ch('d'), NONE, "d", Action::Delete, |t| t.k_delete, false),
    b(POINTS, ch('n'), NONE, "n", Action::Assign, |t| t.k_assign, true),
    b(POINTS, ch('v'), NONE, "v", Action::Review, |t| t.k_review, true),
    b(POINTS, ch('h'), NONE, "h", Action::HandOver, |t| t.k_hand_over, true),
    b(POINTS, ch('l'), NONE, "l", Action::AddLeader, |t| t.k_add_leader, true),
    b(
        POINTS,
        ch('e'),
        NONE,
        "e",
        Action::EditLeader,
        |t| t.k_edit_leader,
        false,
    ),
    b(POINTS, ch('b'), NONE, "b", Action::AddBranch, |t| t.k_add_branch, true),
    b(POINTS, ch('t'), NONE, "t", Action::EditTargets, |t| t.k_targets, false),
    b(CAL, ch(' '), NONE, "Space", Action::Tick, |t| t.k_tick, true),
    b(CAL, ch('x'), NONE, "x", Action::Tick, |t| t.k_tick, false),
    b(
        CAL,
        ch('f'),
        NONE,
        "f",
        Action::FilterLeader,
        |t| t.k_chart_leader,
        true,
    ),
    b(CAL, ch('['), NONE, "[", Action::PrevYear, |t| t.k_prev_year, false),
    b(CAL, ch(']'), NONE, "]", Action::NextYear, |t| t.k_next_year, false),
    // Every screen.
    b(
        Lists,
        ch('1'),
        NONE,
        "1",
        Action::Show(Screen::Board),
        |t| t.tab_board,
        false,
    ),
    b(
        Lists,
        ch('2'),
        NONE,
        "2",
        Action::Show(Screen::Activities),
        |t| t.tab_activities,
        false,
    ),
    b(
        Lists,
        ch('3'),
        NONE,
        "3",
        Action::Show(Screen::Problems),
        |t| t.tab_problems,
        false,
    ),
    b(
        Lists,
        ch('4'),
        NONE,
        "4",
        Action::Show(Screen::Points),
        |t| t.tab_points,
        false,
    ),
    b(
        Lists,
        ch('5'),
        NONE,
        "5",
        Action::Show(Screen::Help),
        |t| t.tab_help,
        false,
    ),
    b(
        Lists,
        ch('6'),
        NONE,
        "6",
        Action::Show(Screen::Calendar),
        |t| t.tab_calendar,
        false,
    ),
    b(
        Lists,
        ch('?'),
        NONE,
        "?",
        Action::Show(Screen::Help),
        |t| t.tab_help,
        true,
    ),
    b(
        Lists,
        KeyCode::Tab,
        NONE,
        "Tab",
        Action::NextScreen,
        |t| t.k_next_screen,
        true,
    ),
    b(
        Lists,
        KeyCode::BackTab,
        KeyModifiers::SHIFT,
        "Shift-Tab",
        Action::PrevScreen,
        |t| t.k_prev_screen,
        false,
    ),
    b(Move, KeyCode::Up, NONE, "↑", Action::Up, |t| t.k_up, false),
    b(Move, ch('k'), NONE, "k", Action::Up, |t| t.k_up, false),
    b(Move, KeyCode::Down, NONE, "↓", Action::Down, |t| t.k_down, false),
    b(Move, ch('j'), NONE, "j", Action::Down, |t| t.k_down, false),
    b(
        Move,
        KeyCode::PageUp,
        NONE,
        "PgUp",
        Action::PageUp,
        |t| t.k_page_up,
        false,
    ),
    b(
        Move,
        KeyCode::PageDown,
        NONE,
        "PgDn",
        Action::PageDown,
        |t| t.k_page_down,
        false,
    ),
    b(Lists, ch('q'), NONE, "q", Action::Quit, |t| t.k_quit, true),
    b(Lists, ch('c'), CTRL, "Ctrl-c", Action::Quit, |t| t.k_quit, false),
    // Forms. Esc is unreliable over SSH, so Ctrl-g cancels too.
    b(Form, KeyCode::Enter, NONE, "Enter", Action::Submit, |t| t.k_save, true),
    b(
        Form,
        KeyCode::Tab,
        NONE,
        "Tab",
        Action::NextField,
        |t| t.k_next_field,
        true,
    ),
    b(
        Form,
        KeyCode::Down,
        NONE,
        "↓",
        Action::NextField,
        |t| t.k_next_field,
        false,
    ),
    b(
        Form,
        KeyCode::BackTab,
        KeyModifiers::SHIFT,
        "Shift-Tab",
        Action::PrevField,
        |t| t.k_prev_field,
        false,
    ),
    b(
        Form,
        KeyCode::Up,
        NONE,
        "↑",
        Action::PrevField,
        |t| t.k_prev_field,
        false,
    ),
    b(Form, ch('g'), CTRL, "Ctrl-g", Action::Cancel, |t| t.k_cancel, true),
    b(Form, KeyCode::Esc, NONE, "Esc", Action::Cancel, |t| t.k_cancel, true),
    // Pressed by reflex to get out: it closes what is open, and a second
    // one quits.
    b(Form, ch('c'), CTRL, "Ctrl-c", Action::Cancel, |t| t.k_cancel, false),
    b(Details, ch('e'), NONE, "e", Action::Edit, |t| t.k_edit, true),
    b(Details, KeyCode::Esc, NONE, "Esc", Action::Cancel, |t| t.k_close, true),
    b(
        Details,
        KeyCode::Enter,
        NONE,
        "Enter",
        Action::Cancel,
        |t| t.k_close,
        true,
    ),
    b(Details, ch('q'), NONE, "q", Action::Cancel, |t| t.k_close, true),
    b(Details, ch('g'), CTRL, "Ctrl-g", Action::Cancel, |t| t.k_close, false),
    b(Details, ch('c'), CTRL, "Ctrl-c", Action::Cancel, |t| t.k_close, false),
    b(Confirm, ch('y'), NONE, "y", Action::Yes, |t| t.k_yes, true),
    b(Confirm, ch('n'), NONE, "n", Action::No, |t| t.k_no, true),
    b(Confirm, ch('g'), CTRL, "Ctrl-g", Action::No, |t| t.k_no, false),
    b(Confirm, KeyCode::Esc, NONE, "Esc", Action::No, |t| t.k_no, false),
    b(Confirm, ch('c'), CTRL, "Ctrl-c", Action::No, |t| t.k_no, false),
    b(
        Search,
        KeyCode::Enter,
        NONE,
        "Enter",
        Action::Submit,
        |t| t.k_search_done,
        true,
    ),
    b(
        Search,
        ch('g'),
        CTRL,
        "Ctrl-g",
        Action::Cancel,
        |t| t.k_search_clear,
        true,
    ),
    b(
        Search,
        KeyCode::Esc,
        NONE,
        "Esc",
        Action::Cancel,
        |t| t.k_search_clear,
        true,
    ),
    b(
        Search,
        ch('c'),
        CTRL,
        "Ctrl-c",
        Action::Cancel,
        |t| t.k_search_clear,
        false,
    ),
];

/// Letters arrive with SHIFT when typed in capitals or as `?`/`[`; the table
/// writes the character itself, so SHIFT is ignored for characters.
fn normalise(key: &KeyEvent) -> (KeyCode, KeyModifiers) {
    match key.code {
        KeyCode::Char(_) => (key.code, key.modifiers - KeyModifiers::SHIFT),
        KeyCode::BackTab => (key.code, KeyModifiers::SHIFT),
        _ => (key.code, key.modifiers),
    }
}

/// The action bound to `key` in the given contexts, searched in order.
pub fn lookup(ctxs: &[Ctx], key: &KeyEvent) -> Option<Action> {
    let (code, mods) = normalise(key);
    ctxs.iter().find_map(|ctx| {
        BINDINGS
            .iter()
            .find(|b| b.ctx == *ctx && b.code == code && b.mods == mods)
            .map(|b| b.action.clone())
    })
}

/// The bindings of the given contexts, in table order.
pub fn bindings(ctxs: &[Ctx]) -> impl Iterator<Item = &'static Binding> + '_ {
    ctxs.iter()
        .flat_map(|ctx| BINDINGS.iter().filter(move |b| b.ctx == *ctx))
}
