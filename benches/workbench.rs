//! The workbench on provincial-scale data: key press → next frame on
//! each screen, and start → first frame. Run with `cargo bench --bench workbench`.
//!
//! `BENCH_BUREAU=1` uses one bureau (the demo's five leaders) instead.
//! `BENCH_ACTIVITIES=N` sets the size (default 100,000 activities of
//! `branchlink::synthetic`); `BENCH_DB=DIR` uses a database made by
//! `examples/generate` instead (building 1M takes minutes). docs/PERFORMANCE.md
//! quotes the results.

use std::hint::black_box;

use branchlink::app::{self, App, Settings};
use branchlink::i18n::Lang;
use branchlink::store::Store;
use branchlink::ui::{self, Theme};
use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn today() -> NaiveDate {
    branchlink::synthetic::last_day()
}

/// The synthetic data, imported a chunk at a time (adding records one by
/// one flushes each); or the database named by `BENCH_DB`.
fn big_store() -> (Option<tempfile::TempDir>, Store, String) {
    if let Ok(db) = std::env::var("BENCH_DB") {
        let store = Store::open(std::path::Path::new(&db)).unwrap();
        return (None, store, db);
    }
    let n: u64 = std::env::var("BENCH_ACTIVITIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    if std::env::var("BENCH_BUREAU").is_ok_and(|v| v == "1") {
        // One bureau (issue 3's case): the document's five leaders and
        // points, with N activities over ten years.
        store.import_in_chunks(bureau_snapshot(n), 20_000).unwrap();
        return (Some(dir), store, format!("{n} activities, one bureau"));
    }
    store
        .import_in_chunks(branchlink::synthetic::snapshot(n, 2026), 20_000)
        .unwrap();
    (Some(dir), store, format!("{n} activities"))
}

/// The demo's five leaders and points plus `n` activities spread over
/// 2017–2026.
fn bureau_snapshot(n: u64) -> branchlink::api::Snapshot {
    use branchlink::domain::{Activity, ActivityKind};
    let demo_dir = tempfile::tempdir().unwrap();
    let demo = Store::open(demo_dir.path()).unwrap();
    branchlink::demo::load(&demo).unwrap();
    let mut snapshot = demo.export().unwrap();
    let points: Vec<(u64, u64)> = snapshot.points.iter().map(|p| (p.leader, p.id)).collect();
    let first = snapshot.activities.iter().map(|a| a.id).max().unwrap_or(0) + 1;
    let start = NaiveDate::from_ymd_opt(2017, 1, 1).unwrap();
    let span = (today() - start).num_days() as u64;
    for i in 0..n {
        let (leader, point) = points[i as usize % points.len()];
        snapshot.activities.push(Activity {
            id: first + i,
            date: start + chrono::Days::new((i * 7919) % span),
            leader,
            point,
            kind: ActivityKind::ALL[(i as usize * 7) % ActivityKind::ALL.len()],
            place: Some("会议室".into()),
            participants: None,
            findings: Some(format!("第 {i} 次调研发现的问题")),
            actions: Some("明确整改措施和时间节点".into()),
            note: None,
        });
    }
    snapshot
}

fn settings() -> Settings {
    Settings {
        lang: Lang::Zh,
        read_only: false,
        today: today(),
    }
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn press_and_draw(app: &mut App, store: &Store, terminal: &mut Terminal<TestBackend>, code: KeyCode) {
    if let Some(action) = app::key_action(app, key(code)) {
        app::update(app, action, store);
    }
    terminal.draw(|f| ui::draw(f, app, &Theme::plain())).unwrap();
}

fn benches(c: &mut Criterion) {
    let (_dir, store, label) = big_store();
    let theme = Theme::plain();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();

    c.bench_function(&format!("start to first frame ({label})"), |b| {
        b.iter(|| {
            let app = App::new(&store, settings());
            terminal.draw(|f| ui::draw(f, &app, &theme)).unwrap();
            black_box(app.year)
        })
    });

    let mut app = App::new(&store, settings());
    moves_down_and_back(c, "board", &mut app, &store, &mut terminal);

    // The problems screen reads every problem when it opens.
    c.bench_function("open the problems screen (every problem read)", |b| {
        b.iter(|| {
            let mut app = App::new(&store, settings());
            press_and_draw(&mut app, &store, &mut terminal, KeyCode::Char('3'));
            black_box(app.data.problems.len())
        })
    });

    // The activities screen reads the newest page of the year's activities
    // when it opens.
    c.bench_function("open the activities screen (a page read)", |b| {
        b.iter(|| {
            let mut app = App::new(&store, settings());
            press_and_draw(&mut app, &store, &mut terminal, KeyCode::Char('2'));
            black_box(app.data.activities.len())
        })
    });

    press_and_draw(&mut app, &store, &mut terminal, KeyCode::Char('2'));
    assert!(
        app.data.activities.len() >= branchlink::app::ACTIVITY_PAGE,
        "the year is full: {}",
        app.data.activities.len()
    );
    let mut step = 0u32;
    c.bench_function("key to frame: activities", |b| {
        b.iter(|| {
            // Walks down a page at a time and back, so pages really change.
            step += 1;
            let code = if step % 40 < 20 {
                KeyCode::PageDown
            } else {
                KeyCode::PageUp
            };
            press_and_draw(&mut app, &store, &mut terminal, code);
        })
    });

    // The other screens, each opened once (what opening reads is timed
    // above for the problems), then a selection moved down and back: the
    // key → frame the workbench gives there all day.
    for (open, name) in [('3', "problems"), ('4', "points"), ('5', "help"), ('6', "plan")] {
        press_and_draw(&mut app, &store, &mut terminal, KeyCode::Char(open));
        moves_down_and_back(c, name, &mut app, &store, &mut terminal);
    }
}

/// "key to frame: NAME": the selection of the screen shown moved down one
/// row and back up, a frame drawn after each key.
fn moves_down_and_back(
    c: &mut Criterion,
    name: &str,
    app: &mut App,
    store: &Store,
    terminal: &mut Terminal<TestBackend>,
) {
    let mut down = true;
    c.bench_function(&format!("key to frame: {name}"), |b| {
        b.iter(|| {
            down = !down;
            let code = if down { KeyCode::Down } else { KeyCode::Up };
            press_and_draw(app, store, terminal, code);
        })
    });
}

criterion_group! {
    name = workbench;
    // BENCH_SAMPLES (at least 10): at 1M one start takes seconds.
    config = Criterion::default()
        .sample_size(std::env::var("BENCH_SAMPLES").ok().and_then(|v| v.parse().ok()).unwrap_or(30))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(workbench);
