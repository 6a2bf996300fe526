//! The workbench with 100,000 activities: key press → next frame, and
//! start → first frame. Run with `cargo bench --bench workbench`.

use std::hint::black_box;

use branchlink::api::Snapshot;
use branchlink::app::{self, App, Settings};
use branchlink::domain::{Activity, ActivityKind};
use branchlink::i18n::Lang;
use branchlink::store::Store;
use branchlink::ui::{self, Theme};
use chrono::{Days, NaiveDate};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const ACTIVITIES: u64 = 100_000;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

/// The demo's leaders and points plus 100,000 activities over ten years,
/// imported in one transaction (adding them one by one flushes each).
fn big_store() -> (tempfile::TempDir, Store) {
    let demo_dir = tempfile::tempdir().unwrap();
    let demo = Store::open(demo_dir.path()).unwrap();
    branchlink::demo::load(&demo).unwrap();
    let mut snapshot: Snapshot = demo.export().unwrap();
    let points: Vec<(u64, u64)> = snapshot.points.iter().map(|p| (p.leader, p.id)).collect();
    let first_id = snapshot.activities.iter().map(|a| a.id).max().unwrap_or(0) + 1;
    let start = NaiveDate::from_ymd_opt(2017, 1, 1).unwrap();
    let span_days = (today() - start).num_days() as u64;
    for n in 0..ACTIVITIES {
        let (leader, point) = points[(n as usize) % points.len()];
        let kind = ActivityKind::ALL[(n as usize * 7) % ActivityKind::ALL.len()];
        snapshot.activities.push(Activity {
            id: first_id + n,
            date: start + Days::new((n * 7919) % span_days),
            leader,
            point,
            kind,
            place: Some("会议室".into()),
            participants: None,
            findings: Some(format!("第 {n} 次调研发现的问题")),
            actions: Some("明确整改措施和时间节点".into()),
            note: None,
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    store.import(snapshot).unwrap();
    (dir, store)
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
    let (_dir, store) = big_store();
    let theme = Theme::plain();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();

    c.bench_function("start to first frame (100k activities)", |b| {
        b.iter(|| {
            let app = App::new(&store, settings());
            terminal.draw(|f| ui::draw(f, &app, &theme)).unwrap();
            black_box(app.year)
        })
    });

    let mut app = App::new(&store, settings());
    let mut down = true;
    c.bench_function("key to frame: board", |b| {
        b.iter(|| {
            down = !down;
            press_and_draw(
                &mut app,
                &store,
                &mut terminal,
                if down { KeyCode::Down } else { KeyCode::Up },
            );
        })
    });

    // The activities screen reads the year's activities when it opens.
    c.bench_function("open the activities screen (year's activities read)", |b| {
        b.iter(|| {
            let mut app = App::new(&store, settings());
            press_and_draw(&mut app, &store, &mut terminal, KeyCode::Char('2'));
            black_box(app.data.activities.len())
        })
    });

    press_and_draw(&mut app, &store, &mut terminal, KeyCode::Char('2'));
    assert!(
        app.data.activities.len() > 5_000,
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
}

criterion_group! {
    name = workbench;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(workbench);
