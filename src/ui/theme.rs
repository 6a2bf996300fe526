//! Colours and marks. Only the 16 named colours are used, and every colour
//! has a symbol beside it, so the screens read the same under NO_COLOR.

use ratatui::style::{Color, Modifier, Style};

use crate::domain::Pace;

/// Marks the selected row; never colour alone.
pub const SELECTED: &str = "▶";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colours unless NO_COLOR is set to something non-empty (no-color.org).
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    pub fn plain() -> Theme {
        Theme { color: false }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color { Style::new().fg(c) } else { Style::new() }
    }

    pub fn pace(&self, pace: Pace) -> Style {
        self.fg(match pace {
            Pace::Met => Color::Green,
            Pace::OnPace => Color::Yellow,
            Pace::Behind => Color::Red,
        })
    }

    pub fn heading(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn selected(&self) -> Style {
        self.fg(Color::White).add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        self.fg(Color::DarkGray)
    }

    pub fn error(&self) -> Style {
        self.fg(Color::LightRed).add_modifier(Modifier::BOLD)
    }

    pub fn info(&self) -> Style {
        self.fg(Color::LightGreen)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::LightCyan).add_modifier(Modifier::BOLD)
    }

    pub fn warn(&self) -> Style {
        self.fg(Color::LightYellow)
    }
}

/// The symbol of a pace: ✓ met, · on pace, ! behind.
pub fn pace_symbol(pace: Pace) -> &'static str {
    match pace {
        Pace::Met => "✓",
        Pace::OnPace => "·",
        Pace::Behind => "!",
    }
}
