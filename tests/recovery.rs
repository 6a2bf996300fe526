//! Vendored sled patch 5: recovery starts reading the log at the last
//! snapshot's position instead of at the start of its segment
//! (vendor/sled/PATCHES.md). Every open of a database written by short-lived
//! processes depends on it: each one recovers from the middle of the active
//! segment, where the previous one started writing.

mod common;

/// A value of a few kilobytes that differs with `i`, so that a record read
/// back from the wrong place cannot pass for the right one.
fn value(i: u32) -> Vec<u8> {
    let len = 2_000 + (i % 7) * 300;
    (0..len)
        .map(|b| (b.wrapping_mul(31) ^ i.wrapping_mul(7)) as u8)
        .collect()
}

/// 250 opens, each finding every earlier write and adding one, across about
/// 700 KB of log: the 512 KiB active segment fills and rolls over, so
/// recovery starts at the segment's start, in its middle and near its end.
/// A start one byte off, or a skipped message, loses or garbles a record.
#[test]
fn reopening_after_every_write_keeps_every_write() {
    const WRITES: u32 = 250;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    for i in 0..WRITES {
        let db = branchlink::store::sled_config(&path).open().unwrap();
        let tree = db.open_tree("t").unwrap();
        assert_eq!(tree.len(), i as usize, "after {i} writes and reopens");
        if let Some(last) = i.checked_sub(1) {
            let read = tree.get(last.to_be_bytes()).unwrap();
            assert_eq!(read.as_deref(), Some(&value(last)[..]), "record {last}");
        }
        tree.insert(i.to_be_bytes(), value(i)).unwrap();
        db.flush().unwrap();
        drop(tree);
        drop(db);
        common::wait_closed(&path);
    }
    let db = branchlink::store::sled_config(&path).open().unwrap();
    let tree = db.open_tree("t").unwrap();
    assert_eq!(tree.len(), WRITES as usize);
    for i in 0..WRITES {
        assert_eq!(
            tree.get(i.to_be_bytes()).unwrap().as_deref(),
            Some(&value(i)[..]),
            "record {i}"
        );
    }
}
