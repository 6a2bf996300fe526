//! Bringing a database written by an older layout up to the current one,
//! when it is opened. What changes the data is one command (one
//! transaction with its audit entry), so a crash part-way leaves the old
//! layout, which the next open upgrades again; what only changes how the
//! same data is stored (the compressed buckets of layout 5, the compact
//! ones of layout 8, the log's garbage) runs after that commit, and a
//! crash there leaves a database that reads the same.

use std::collections::BTreeMap;

use chrono::Datelike;

use super::{Store, T, io_error, keys, meta, packed};
use crate::domain::Problem;
use crate::error::{Result, StoreError};

impl Store {
    /// Upgrades from `version` to [`meta::SCHEMA_VERSION`]: below layout 3
    /// the packed trees are built from the plain ones (from scratch, so an
    /// attempt cut short by a crash is simply done again), then one command
    /// adds what later layouts count or keep (year counters, `point_last`,
    /// `leader_by_name`)
    /// and sets the new layout number, then the plain trees are dropped and
    /// the buckets of layouts 3 to 7 stored as this layout stores them.
    pub(crate) fn upgrade(&self, version: u64) -> Result<()> {
        if version < 3 {
            self.repack()?;
        }
        self.write(|s, b| {
            if version < 2 {
                s.year_counters_from_day_counters(b)?;
            }
            if version < 4 {
                s.point_last_from_buckets(b)?;
            }
            if version < 6 {
                for l in s.all::<crate::domain::Leader>(T::Leaders)? {
                    Store::index_leader(b, &l);
                }
            }
            b.put(T::Meta, meta::SCHEMA, meta::SCHEMA_VERSION.to_be_bytes().to_vec());
            b.audit(
                "store.upgrade",
                &serde_json::json!({ "from": version, "to": meta::SCHEMA_VERSION }),
            );
            Ok(())
        })?;
        self.drop_plain_trees()?;
        if (3..8).contains(&version) {
            self.recode_buckets();
        }
        self.collect_garbage();
        Ok(())
    }

    /// Layout 5 compresses bucket values and layout 8 stores the small ones
    /// compact (`packed::encode_bucket`): rewrites each bucket that this
    /// layout stores otherwise, so that an upgraded database holds the
    /// bytes a fresh import would. Below layout 3 the repack wrote them so
    /// already. Runs after the commit that set the layout, so a crash or an
    /// error part-way leaves buckets of several formats, which read the
    /// same (the rest are rewritten when next written); an error is logged,
    /// and the database opens (a damaged bucket is then reported by the
    /// reads that need it, as before).
    fn recode_buckets(&self) {
        let recode = |t: T, bucket: &[u8], stored: &[u8]| -> Result<(), StoreError> {
            let Some(encoded) = packed::recoded(t, bucket, stored)? else {
                return Ok(());
            };
            self.tree(t).insert(bucket, encoded).map_err(io_error)?;
            Ok(())
        };
        // Every packed tree: layout 5 compressed the small tables' and the
        // problems' buckets too, before they were kept plain again.
        for t in T::ALL.iter().filter(|t| t.packing().is_some()) {
            for item in self.tree(*t).iter() {
                let (bucket, stored) = match item {
                    Ok(item) => item,
                    Err(e) => {
                        tracing::warn!("recoding the buckets of {}: {e}", t.name());
                        break;
                    }
                };
                // A bucket that does not decode stays as it was.
                if let Err(e) = recode(*t, &bucket, &stored) {
                    tracing::warn!("recoding a bucket of {}: {e}", t.name());
                }
            }
        }
        if let Err(e) = self.flush() {
            tracing::warn!("recoding the buckets: {e}");
        }
    }

    /// Layout 3: copies each plain tree of layout 2 into its packed tree,
    /// bucket by bucket (the plain tree is read in key order, so each bucket
    /// is complete when the next begins).
    fn repack(&self) -> Result<(), StoreError> {
        for t in T::ALL {
            let Some(packing) = t.packing() else { continue };
            let plain = self.db.open_tree(t.plain_name()).map_err(io_error)?;
            let target = self.tree(t);
            target.clear().map_err(io_error)?;
            let mut current: Option<(Vec<u8>, packed::BucketMap)> = None;
            for entry in plain.iter() {
                let (k, v) = entry.map_err(io_error)?;
                let bucket = packing
                    .bucket(&k)
                    .ok_or_else(|| StoreError::Corrupt(format!("short key in {}", t.plain_name())))?;
                match &mut current {
                    Some((b, entries)) if *b == bucket => {
                        entries.insert(k.to_vec(), v.to_vec());
                    }
                    _ => {
                        if let Some((b, entries)) = current.take() {
                            let stored = packed::encode_bucket(t, &b, &entries);
                            target.insert(b, stored).map_err(io_error)?;
                        }
                        current = Some((bucket, BTreeMap::from([(k.to_vec(), v.to_vec())])));
                    }
                }
            }
            if let Some((b, entries)) = current {
                let stored = packed::encode_bucket(t, &b, &entries);
                target.insert(b, stored).map_err(io_error)?;
            }
        }
        self.flush()
    }

    /// Drops the plain trees the packed ones replaced; also run on every
    /// open, for an upgrade whose process died after it committed.
    pub(crate) fn drop_plain_trees(&self) -> Result<(), StoreError> {
        let mut dropped = false;
        for t in T::ALL.iter().filter(|t| t.packing().is_some()) {
            dropped |= self.db.drop_tree(t.plain_name()).map_err(io_error)?;
        }
        if dropped {
            self.flush()?;
        }
        Ok(())
    }

    /// Layout 4 added `point_last`: the last key of every
    /// `activity_by_point` bucket, under `year ‖ point`.
    fn point_last_from_buckets(&self, b: &mut super::batch::Batch) -> Result<()> {
        for bucket in self.tree(T::ActivityByPoint).iter() {
            let (bucket, value) = bucket.map_err(io_error)?;
            let entries = packed::PlainBucket::read(&bucket, Some(&value))?;
            let (tree, key, last) = packed::point_last(&bucket, entries.last_key()?)?;
            if let Some(last) = last {
                b.put(tree, key, last);
            }
        }
        Ok(())
    }

    /// Layout 2 added the year counters and the solved-problem counters:
    /// builds them from the day counters and the problems.
    fn year_counters_from_day_counters(&self, b: &mut super::batch::Batch) -> Result<()> {
        let corrupt = || StoreError::Corrupt("day counter".into());
        for entry in self.entries(T::DayCount, packed::everything(), false)? {
            let (k, v) = entry?;
            let day = keys::day_tally_date(&k).ok_or_else(corrupt)?;
            let leader = keys::id_from(k.get(..8).ok_or_else(corrupt)?).ok_or_else(corrupt)?;
            if k[8] == keys::SOLVED {
                // Only layout 2 writes these; a half-done upgrade never commits.
                return Err(StoreError::Corrupt("solved-problem counter in a layout-1 database".into()).into());
            }
            let n = keys::id_from(&v).ok_or_else(corrupt)?;
            b.tally_tagged(
                T::YearCount,
                keys::year_tally(day.year(), leader),
                k[8],
                i64::try_from(n).unwrap_or(i64::MAX),
            );
        }
        for p in self.all::<Problem>(T::Problems)? {
            Store::tally_solved(b, &p, 1);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::status::{StatusInput, year_status};

    use crate::api::Snapshot;
    use crate::store::tree_contents as trees;

    /// Turns a current database back into what layout 7 left: no compact
    /// buckets (what layout 7 stored in their place: compressed where that
    /// was smaller, plain otherwise), schema 7.
    fn downgrade_to_7(store: &Store) {
        let (mut compact, mut compressed) = (0, 0);
        for t in T::ALL.iter().filter(|t| t.packing().is_some()) {
            for item in store.tree(*t).iter() {
                let (bucket, stored) = item.unwrap();
                if is_compact(&bucket, &stored) {
                    compact += 1;
                    let entries = packed::bucket_map(&bucket, Some(&stored)).unwrap();
                    let old = packed::layout_7_value(*t, &entries);
                    // The upgrade must find these and store them compact.
                    compressed += usize::from(packed::inflate(&old).unwrap().is_some());
                    store.tree(*t).insert(bucket, old).unwrap();
                }
            }
        }
        assert!(compact > 100, "only {compact} buckets were compact");
        assert!(
            compressed > 10,
            "only {compressed} compact buckets were compressed in layout 7"
        );
        store.tree(T::Meta).insert(meta::SCHEMA, &7u64.to_be_bytes()).unwrap();
        store.flush().unwrap();
    }

    /// Whether a bucket is stored compact, and reads.
    fn is_compact(bucket: &[u8], stored: &[u8]) -> bool {
        stored.first() == Some(&3) && packed::bucket_map(bucket, Some(stored)).is_ok()
    }

    /// Turns a current database back into what layout 5 left: no
    /// `leader_by_name`, schema 5.
    fn downgrade_to_5(store: &Store) {
        downgrade_to_7(store);
        assert!(!store.tree(T::LeaderByName).is_empty(), "the data should have leaders");
        store.tree(T::LeaderByName).clear().unwrap();
        store.tree(T::Meta).insert(meta::SCHEMA, &5u64.to_be_bytes()).unwrap();
        store.flush().unwrap();
    }

    /// Turns a current database back into what layout 4 left: every bucket
    /// plain, schema 4.
    fn downgrade_to_4(store: &Store) {
        downgrade_to_5(store);
        let mut compressed = 0;
        for t in T::ALL.iter().filter(|t| t.packing().is_some()) {
            for item in store.tree(*t).iter() {
                let (bucket, stored) = item.unwrap();
                if packed::inflate(&stored).unwrap().is_some() {
                    compressed += 1;
                    let plain = packed::encode_plain(&packed::bucket_map(&bucket, Some(&stored)).unwrap());
                    store.tree(*t).insert(bucket, plain).unwrap();
                }
            }
        }
        assert!(compressed > 100, "only {compressed} buckets were compressed");
        store.tree(T::Meta).insert(meta::SCHEMA, &4u64.to_be_bytes()).unwrap();
        store.flush().unwrap();
    }

    /// Whether any bucket of a packed tree is stored compressed.
    fn any_compressed(store: &Store) -> bool {
        T::ALL.iter().filter(|t| t.packing().is_some()).any(|t| {
            store
                .tree(*t)
                .iter()
                .values()
                .any(|v| packed::inflate(&v.unwrap()).unwrap().is_some())
        })
    }

    /// Whether any bucket of a packed tree is stored compact.
    fn any_compact(store: &Store) -> bool {
        T::ALL.iter().filter(|t| t.packing().is_some()).any(|t| {
            store.tree(*t).iter().any(|item| {
                let (bucket, stored) = item.unwrap();
                is_compact(&bucket, &stored)
            })
        })
    }

    /// Turns a current database back into what layout 3 left: plain
    /// buckets, no `point_last`, schema 3.
    fn downgrade_to_3(store: &Store) {
        downgrade_to_4(store);
        store.tree(T::PointLast).clear().unwrap();
        store.tree(T::Meta).insert(meta::SCHEMA, &3u64.to_be_bytes()).unwrap();
        store.flush().unwrap();
    }

    /// Turns a current database back into what layout 2 left: every tree
    /// plain, under its old name, and schema 2.
    fn downgrade_to_2(store: &Store) {
        downgrade_to_3(store);
        // Packed from the start: never plain.
        let born_packed = [T::PointLast, T::LeaderByName];
        for t in T::ALL
            .iter()
            .filter(|t| t.packing().is_some() && !born_packed.contains(t))
        {
            let plain = store.db.open_tree(t.plain_name()).unwrap();
            for entry in store.entries(*t, packed::everything(), false).unwrap() {
                let (k, v) = entry.unwrap();
                plain.insert(k, v).unwrap();
            }
            store.tree(*t).clear().unwrap();
        }
        store.tree(T::Meta).insert(meta::SCHEMA, &2u64.to_be_bytes()).unwrap();
        store.flush().unwrap();
    }

    /// Turns a current database back into what layout 1 left: layout 2
    /// without year counters and solved-problem day counters, schema 1.
    fn downgrade_to_1(store: &Store) {
        downgrade_to_2(store);
        store.tree(T::YearCount).clear().unwrap();
        let day_count = store.db.open_tree(T::DayCount.plain_name()).unwrap();
        let solved: Vec<sled::IVec> = day_count
            .iter()
            .keys()
            .map(|k| k.unwrap())
            .filter(|k| k[8] == keys::SOLVED)
            .collect();
        assert!(!solved.is_empty(), "the data should have solved problems");
        for k in solved {
            day_count.remove(k).unwrap();
        }
        store.tree(T::Meta).insert(meta::SCHEMA, &1u64.to_be_bytes()).unwrap();
        store.flush().unwrap();
    }

    fn plain_trees_left(store: &Store) -> Vec<String> {
        let packed: Vec<&str> = T::ALL
            .iter()
            .filter(|t| t.packing().is_some())
            .map(|t| t.plain_name())
            .collect();
        store
            .db
            .tree_names()
            .iter()
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .filter(|n| packed.contains(&n.as_str()))
            .collect()
    }

    /// A database of the old layout made by `downgrade`, then opened.
    fn upgraded_from(
        snapshot: &Snapshot,
        downgrade: impl Fn(&Store),
        between: impl Fn(&Store),
    ) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            store.import(snapshot.clone()).unwrap();
            downgrade(&store);
            between(&store);
        }
        let upgraded = crate::store::reopen(dir.path());
        (dir, upgraded)
    }

    fn check_upgraded(snapshot: &Snapshot, reference: &Store, dir: &tempfile::TempDir, upgraded: Store, from: u64) {
        assert_eq!(trees(&upgraded), trees(reference));
        assert_eq!(plain_trees_left(&upgraded), Vec::<String>::new());
        let entry = &upgraded.audit(1).unwrap()[0];
        assert_eq!(entry.action, "store.upgrade");
        assert!(entry.detail.contains(&format!("\"from\":{from}")), "{}", entry.detail);
        for year in 2016..=2027 {
            let targets = upgraded.targets(year).unwrap();
            let pure = year_status(&StatusInput {
                year,
                targets: &targets,
                leaders: &snapshot.leaders,
                branches: &snapshot.branches,
                points: &snapshot.points,
                activities: &snapshot.activities,
                problems: &snapshot.problems,
                events: &snapshot.events,
            });
            assert_eq!(upgraded.year_status(year).unwrap(), pure, "year {year}");
        }
        assert_eq!(upgraded.export().unwrap(), reference.export().unwrap());
        // Opening again changes nothing.
        drop(upgraded);
        let again = crate::store::reopen(dir.path());
        assert_eq!(trees(&again), trees(reference));
        let upgrades = again.audit(10).unwrap();
        assert_eq!(upgrades.iter().filter(|e| e.action == "store.upgrade").count(), 1);
    }

    fn reference(snapshot: &Snapshot) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::reopen(dir.path());
        store.import(snapshot.clone()).unwrap();
        (dir, store)
    }

    #[test]
    fn an_older_database_is_brought_on_open_to_what_import_leaves() {
        let snapshot = crate::synthetic::snapshot(3_000, 5);
        let (_r, reference) = reference(&snapshot);
        for (downgrade, from) in [
            (downgrade_to_7 as fn(&Store), 7),
            (downgrade_to_5, 5),
            (downgrade_to_4, 4),
            (downgrade_to_3, 3),
            (downgrade_to_2, 2),
            (downgrade_to_1, 1),
        ] {
            let (dir, upgraded) = upgraded_from(&snapshot, downgrade, |store| {
                // Layouts 1 and 2 have plain trees, 3 and 4 plain buckets;
                // all before 4 lack point_last, all before 6 lack
                // leader_by_name, and none has compact buckets.
                assert_eq!(plain_trees_left(store).is_empty(), from >= 3);
                assert_eq!(store.tree(T::PointLast).is_empty(), from < 4);
                assert_eq!(any_compressed(store), from >= 5);
                assert_eq!(store.tree(T::LeaderByName).is_empty(), from < 6);
                assert!(!any_compact(store));
            });
            check_upgraded(&snapshot, &reference, &dir, upgraded, from);
        }
    }

    #[test]
    fn an_upgrade_cut_short_is_done_again_and_one_that_committed_is_tidied() {
        let snapshot = crate::synthetic::snapshot(2_000, 6);
        let (_r, fresh) = reference(&snapshot);
        // Died while packing: half-built packed trees, plain trees intact.
        let half_packed = |store: &Store| {
            let mut half = BTreeMap::new();
            half.insert(keys::id(1).to_vec(), b"half".to_vec());
            store
                .tree(T::Activities)
                .insert(0u64.to_be_bytes(), packed::encode_bucket(T::Activities, &[0; 8], &half))
                .unwrap();
            store.tree(T::DayCount).insert(b"junk", b"junk").unwrap();
            store.flush().unwrap();
        };
        let (dir, upgraded) = upgraded_from(&snapshot, downgrade_to_2, half_packed);
        check_upgraded(&snapshot, &fresh, &dir, upgraded, 2);

        // Died after committing the layout, while recoding the buckets:
        // the plain ones left read the same, and stay until next written.
        {
            let (dir, store) = reference(&snapshot);
            downgrade_to_4(&store);
            store
                .tree(T::Meta)
                .insert(meta::SCHEMA, &meta::SCHEMA_VERSION.to_be_bytes())
                .unwrap();
            store.flush().unwrap();
            drop(store);
            let store = crate::store::reopen(dir.path());
            assert!(!any_compressed(&store));
            assert!(!any_compact(&store));
            assert_eq!(store.export().unwrap(), fresh.export().unwrap());
            assert_eq!(store.year_status(2024).unwrap(), fresh.year_status(2024).unwrap());
            assert_eq!(store.last_visits().unwrap(), fresh.last_visits().unwrap());
            // A write compresses the buckets it rewrites (or stores them
            // compact); the rest stay plain and read the same beside them.
            let mut changed = snapshot.activities[0].clone();
            changed.note = Some("复查整改落实情况，与支部书记逐项核对问题清单。".into());
            store.update_activity(changed.clone()).unwrap();
            let bucket = packed::Packing::IdBlock.bucket(&keys::id(changed.id)).unwrap();
            let stored = store.tree(T::Activities).get(bucket).unwrap().unwrap();
            assert!(packed::inflate(&stored).unwrap().is_some(), "the rewritten bucket");
            assert!(
                store
                    .tree(T::Activities)
                    .iter()
                    .values()
                    .any(|v| packed::decode_bucket(&v.unwrap()).is_ok()),
                "plain buckets beside it"
            );
            let mut want = fresh.export().unwrap();
            let at = want.activities.iter().position(|a| a.id == changed.id).unwrap();
            want.activities[at].note = changed.note.clone();
            let got = store.export().unwrap();
            assert_eq!(got.activities, want.activities);
            assert_eq!(got.problems, want.problems);
        }

        // Died after committing, before dropping the plain trees: the
        // next open drops them and changes nothing else.
        let (dir, store) = reference(&snapshot);
        let stale = store.db.open_tree(T::Activities.plain_name()).unwrap();
        stale.insert(keys::id(1), b"stale".to_vec()).unwrap();
        store.flush().unwrap();
        drop((stale, store));
        let store = crate::store::reopen(dir.path());
        assert_eq!(plain_trees_left(&store), Vec::<String>::new());
        assert_eq!(trees(&store), trees(&fresh));
    }
}
