//! Text hygiene: every string that reaches the store passes through [`clean`].
//!
//! Stored text is later printed by the command line, written to exports and
//! drawn by the workbench. ratatui filters control characters when it draws,
//! but a CSV opened in a terminal or a `visit list` does not, so text is made
//! safe once, before it is stored: tabs and line breaks become spaces, and
//! anything that could drive a terminal or hide what the text says (C0/C1
//! controls, ESC sequences, bidirectional overrides, zero-width characters)
//! is refused with an error naming the character.

use std::fmt;

/// Longest free text accepted (a note, findings, measures), in characters.
pub const MAX_NOTE_CHARS: usize = 10_000;
/// Longest name-like text (leader, branch, title, place), in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Why a piece of text was refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TextProblem {
    Empty,
    TooLong { max: usize, len: usize },
    Forbidden { code: u32, position: usize },
}

impl fmt::Display for TextProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextProblem::Empty => write!(f, "empty"),
            TextProblem::TooLong { max, len } => write!(f, "{len} characters, at most {max}"),
            TextProblem::Forbidden { code, position } => {
                write!(f, "character U+{code:04X} at position {position}")
            }
        }
    }
}

/// True for characters that must never be stored: they can move the cursor,
/// change colours, write the clipboard (OSC 52), or reorder/hide text.
pub fn is_forbidden(c: char) -> bool {
    let u = c as u32;
    c.is_control() // C0, DEL and C1 (U+0080–U+009F)
        || matches!(u,
            0x200B..=0x200F   // zero-width space/joiners, LRM/RLM
            | 0x2028 | 0x2029 // line/paragraph separators
            | 0x202A..=0x202E // bidi embeddings and overrides
            | 0x2060..=0x2064 // word joiner, invisible operators
            | 0x2066..=0x2069 // bidi isolates
            | 0xFEFF          // BOM / zero-width no-break space
            | 0xFFF9..=0xFFFB // interlinear annotations
        )
}

/// Cleans one field of user text: tabs and line breaks become single spaces,
/// runs of spaces from them collapse, the ends are trimmed; the result must be
/// non-empty (when `required`), at most `max` characters, and free of
/// forbidden characters.
pub fn clean(input: &str, max: usize, required: bool) -> Result<String, TextProblem> {
    let mut out = String::with_capacity(input.len());
    let mut last_space = false;
    for (position, c) in input.chars().enumerate() {
        let c = match c {
            '\t' | '\n' | '\r' => ' ',
            c if is_forbidden(c) => {
                return Err(TextProblem::Forbidden {
                    code: c as u32,
                    position,
                });
            }
            c => c,
        };
        if c == ' ' && last_space {
            continue;
        }
        last_space = c == ' ';
        out.push(c);
    }
    let trimmed = out.trim();
    if required && trimmed.is_empty() {
        return Err(TextProblem::Empty);
    }
    let len = trimmed.chars().count();
    if len > max {
        return Err(TextProblem::TooLong { max, len });
    }
    Ok(trimmed.to_string())
}

/// Like [`clean`] for an optional field: empty input gives `None`.
pub fn clean_optional(input: Option<&str>, max: usize) -> Result<Option<String>, TextProblem> {
    match input {
        None => Ok(None),
        Some(s) => {
            let s = clean(s, max, false)?;
            Ok(if s.is_empty() { None } else { Some(s) })
        }
    }
}

/// Makes text safe to print in a terminal whatever its origin (for text that
/// did not come through [`clean`], such as file names or errors from the OS).
pub fn printable(input: &str) -> String {
    input
        .chars()
        .map(|c| if is_forbidden(c) { '\u{FFFD}' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_chinese_and_trims() {
        assert_eq!(clean("  蹲点调研 发现 ", 100, true).unwrap(), "蹲点调研 发现");
    }

    #[test]
    fn line_breaks_become_one_space() {
        assert_eq!(clean("a\r\n\tb", 100, true).unwrap(), "a b");
    }

    #[test]
    fn refuses_escape_sequences() {
        let err = clean("ok\u{1b}[31mred", 100, true).unwrap_err();
        assert_eq!(
            err,
            TextProblem::Forbidden {
                code: 0x1b,
                position: 2
            }
        );
    }

    #[test]
    fn refuses_osc52_c1_bidi_zero_width_nul() {
        for bad in [
            "\u{1b}]52;c;ZXZpbA==\u{7}",
            "x\u{9b}31m",
            "abc\u{202E}txt.exe",
            "a\u{200D}b",
            "nul\0",
            "del\u{7f}",
            "\u{2066}iso",
            "\u{feff}bom",
        ] {
            assert!(
                matches!(clean(bad, 100, true), Err(TextProblem::Forbidden { .. })),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn empty_and_whitespace_refused_when_required() {
        assert_eq!(clean("   \t\n", 10, true), Err(TextProblem::Empty));
        assert_eq!(clean("", 10, false), Ok(String::new()));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let s = "党".repeat(10);
        assert!(clean(&s, 10, true).is_ok());
        assert_eq!(
            clean(&"党".repeat(11), 10, true),
            Err(TextProblem::TooLong { max: 10, len: 11 })
        );
    }

    #[test]
    fn optional_empty_is_none() {
        assert_eq!(clean_optional(Some("  "), 10), Ok(None));
        assert_eq!(clean_optional(None, 10), Ok(None));
        assert_eq!(clean_optional(Some(" x "), 10), Ok(Some("x".into())));
    }

    #[test]
    fn printable_replaces_controls() {
        assert_eq!(printable("a\u{1b}b"), "a\u{FFFD}b");
    }
}
