//! Printing lists and status: aligned tables for people (double-width
//! characters measured), JSON for programs. All text printed here came
//! through the store's text checks; file names and OS errors are passed
//! through `printable` by the caller.

use std::io::IsTerminal;

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

/// JSON, indented for a person at a terminal and on one line for a
/// program reading a pipe: a year's status for 1,000 leaders is 616 kB
/// indented and a third of that on one line, and indenting it was most of
/// a `status --format json` through the server (docs/PERFORMANCE.md).
pub fn json(value: &impl Serialize) -> String {
    json_for(value, std::io::stdout().is_terminal())
}

pub fn json_for(value: &impl Serialize, pretty: bool) -> String {
    let mut out = Vec::with_capacity(16 * 1024);
    let written = if pretty {
        serde_json::to_writer_pretty(&mut out, value)
    } else {
        serde_json::to_writer(&mut out, value)
    };
    match written.ok().and_then(|()| String::from_utf8(out).ok()) {
        Some(text) => text,
        None => "null".into(),
    }
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
    fn json_is_indented_for_people_and_one_line_for_pipes() {
        let value = serde_json::json!({ "year": 2020, "leaders": [{ "name": "瑞林", "done": 2 }] });
        let pretty = json_for(&value, true);
        let compact = json_for(&value, false);
        assert!(pretty.lines().count() > 5);
        assert_eq!(compact, r#"{"leaders":[{"done":2,"name":"瑞林"}],"year":2020}"#);
        let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap();
        assert_eq!(parse(&pretty), parse(&compact));
    }

    #[test]
    fn cells_are_shortened_by_characters() {
        assert_eq!(cell("一二三四五", 3), "一二…");
        assert_eq!(cell("一二三", 3), "一二三");
    }
}
