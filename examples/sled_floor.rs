//! The floor under `branchlink --no-server visit add`: open the same sled
//! database with the same settings (`store::sled_config`), insert one
//! record of the size an added activity has, flush and `fdatasync` (as
//! `Store::flush`), exit (without sled's teardown). Writes to a tree of its
//! own so that the branchlink data is left as it was.
//!
//! cargo run --release --example sled_floor -- DB_DIR NOTE

use branchlink::domain::{Activity, ActivityKind};
use branchlink::store::codec;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("DB_DIR");
    let note = args.next().unwrap_or_default();
    // The same record the command line stores: same size, same encoding.
    let activity = Activity {
        id: 1,
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 27).expect("valid date"),
        leader: 1,
        point: 1,
        kind: ActivityKind::Research,
        place: None,
        participants: None,
        findings: None,
        actions: None,
        note: Some(note),
    };
    let value = codec::encode(activity).expect("encodes");
    let db = branchlink::store::sled_config(std::path::Path::new(&dir))
        .open()
        .expect("database opens");
    let tree = db.open_tree("floor").expect("tree opens");
    let key = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos() as u64;
    tree.insert(key.to_be_bytes(), value).expect("insert");
    db.flush().expect("flush");
    // As `Store::flush`: sled's flush does not fsync (sync_file_range only).
    std::fs::File::open(std::path::Path::new(&dir).join(branchlink::store::LOG_FILE))
        .and_then(|log| log.sync_data())
        .expect("fdatasync");
    // Exit without tearing sled down, as branchlink's one-shot commands do
    // (`Store::leave`): the floor is the least a program must do.
    std::mem::forget(tree);
    std::mem::forget(db);
}
