//! Replays demo.tape against the app, so the tape cannot go stale: every
//! Type/key line after the line that launches the workbench becomes key
//! events through the same key handling and update the terminal uses.

use branchlink::app::{self, App, Settings};
use branchlink::domain::RuleId;
use branchlink::i18n::Lang;
use branchlink::store::Store;
use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One key press of the tape.
fn keys_of_line(line: &str) -> Option<Vec<KeyEvent>> {
    let line = line.trim();
    let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
    if let Some(rest) = line.strip_prefix("Type") {
        // `Type "text"` or `Type@80ms "text"`.
        let text = rest.trim_start_matches(|c: char| c != '"' && c != '`');
        let text = text.trim();
        let inner = &text[1..text.len() - 1];
        return Some(inner.chars().map(|c| key(KeyCode::Char(c))).collect());
    }
    let mut words = line.split_whitespace();
    let name = words.next()?;
    let count: usize = words.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let code = match name.split('@').next()? {
        "Enter" => KeyCode::Enter,
        "Tab" => KeyCode::Tab,
        "Escape" => KeyCode::Esc,
        "Backspace" => KeyCode::Backspace,
        "Up" => KeyCode::Up,
        "Down" => KeyCode::Down,
        "Left" => KeyCode::Left,
        "Right" => KeyCode::Right,
        "Space" => KeyCode::Char(' '),
        ctrl if ctrl.starts_with("Ctrl+") => {
            let c = ctrl.trim_start_matches("Ctrl+").chars().next()?.to_ascii_lowercase();
            return Some(vec![KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL); count]);
        }
        // Sleep, Set, Output, Hide, Show, comments: no keys.
        _ => return None,
    };
    Some(vec![key(code); count])
}

#[test]
fn demo_tape_replays_against_the_app() {
    let tape = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/demo.tape")).unwrap();
    let today_line = tape
        .lines()
        .find(|l| l.contains("BRANCHLINK_TODAY="))
        .expect("the tape fixes today");
    let today: String = today_line
        .split("BRANCHLINK_TODAY=")
        .nth(1)
        .unwrap()
        .chars()
        .take(10)
        .collect();
    let today = NaiveDate::parse_from_str(&today, "%Y-%m-%d").unwrap();

    let lines: Vec<&str> = tape.lines().map(str::trim).collect();
    let launch = lines
        .windows(2)
        .position(|w| w[0] == "Type \"branchlink\"" && w[1] == "Enter")
        .expect("the tape launches the workbench");

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    branchlink::demo::load(&store).unwrap();
    let mut app = App::new(
        &store,
        Settings {
            lang: Lang::Zh,
            read_only: false,
            today,
        },
    );
    let before = app.data.status.clone().unwrap();

    let mut pressed = 0;
    for line in &lines[launch + 2..] {
        if line.starts_with('#') {
            continue;
        }
        for key in keys_of_line(line).unwrap_or_default() {
            pressed += 1;
            if let Some(action) = app::key_action(&app, key) {
                app::update(&mut app, action, &store);
            }
        }
    }
    assert!(pressed > 5, "the tape presses keys");
    assert!(app.quit, "the tape ends by quitting");

    let done = |s: &branchlink::domain::YearStatus, name: &str, rule| {
        s.leaders
            .iter()
            .find(|l| l.name == name)
            .unwrap()
            .rule(rule)
            .unwrap()
            .done
    };
    let after = app.data.status.clone().unwrap();
    assert_eq!(done(&before, "成亮", RuleId::Research), 1);
    assert_eq!(done(&after, "成亮", RuleId::Research), 2);
    assert_eq!(done(&before, "俊华", RuleId::ProblemsSolved), 0);
    assert_eq!(done(&after, "俊华", RuleId::ProblemsSolved), 1);
    // The store agrees with what the board shows.
    let stored = branchlink::api::Backend::year_status(&store, app.year).unwrap();
    assert_eq!(stored, after);
    let notes: Vec<_> = branchlink::api::Backend::activities(&store, &Default::default())
        .unwrap()
        .into_iter()
        .filter_map(|a| a.note)
        .collect();
    assert_eq!(notes, vec!["调研发现问题，指导整改".to_string()]);
    assert_eq!(app.screen, app::Screen::Board);
}

#[test]
fn tape_lines_become_keys() {
    assert_eq!(keys_of_line("Type \"ab\"").unwrap().len(), 2);
    assert_eq!(keys_of_line("Down 3").unwrap().len(), 3);
    assert_eq!(keys_of_line("Ctrl+G").unwrap()[0].modifiers, KeyModifiers::CONTROL);
    assert!(keys_of_line("Sleep 500ms").is_none());
}
