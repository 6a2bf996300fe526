//! Printing lists and status: aligned tables for people (double-width
//! characters measured), JSON for programs. All text printed here came
//! through the store's text checks; file names and OS errors are passed
//! through `printable` by the caller.

use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

/// A table with a header row, columns padded by display width.
pub fn table(header: Vec<&str>, rows: Vec<Vec<String>>) -> String {
    let mut t = Table::new();
    t.load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    for r in rows {
        t.add_row(r);
    }
    // comfy-table pads the last column too; trailing spaces help nobody.
    t.lines()
        .map(|l| l.trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn json(value: &impl Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into())
}

/// Shortens text to `max` characters for a table cell.
pub fn cell(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn columns_align_by_display_width() {
        let out = table(
            vec!["名称", "x"],
            vec![vec!["瑞林".into(), "1".into()], vec!["ab".into(), "2".into()]],
        );
        let lines: Vec<&str> = out.lines().collect();
        let pos = |l: &str, c: char| l[..l.find(c).unwrap()].width();
        assert_eq!(pos(lines[1], '1'), pos(lines[2], '2'));
    }

    #[test]
    fn cells_are_shortened_by_characters() {
        assert_eq!(cell("一二三四五", 3), "一二…");
        assert_eq!(cell("一二三", 3), "一二三");
    }
}
