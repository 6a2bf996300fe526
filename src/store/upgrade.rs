//! Bringing a database written by an older layout up to the current one,
//! when it is opened. Each step is one command (one transaction with its
//! audit entry), so a crash part-way leaves the old layout, which the next
//! open upgrades again.

use std::collections::BTreeMap;

use chrono::Datelike;

use super::{Store, T, io_error, keys, meta, packed};
use crate::domain::Problem;
use crate::error::{Result, StoreError};

impl Store {
    /// Upgrades from `version` to [`meta::SCHEMA_VERSION`]: below layout 3
    /// the packed trees are built from the plain ones (from scratch, so an
    /// attempt cut short by a crash is simply done again), then one command
    /// adds what later layouts count or keep (year counters, `point_last`)
    /// and sets the new layout number, then the plain trees are dropped.
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
            b.put(T::Meta, meta::SCHEMA, meta::SCHEMA_VERSION.to_be_bytes().to_vec());
            b.audit(
                "store.upgrade",
                &serde_json::json!({ "from": version, "to": meta::SCHEMA_VERSION }),
            );
            Ok(())
        })?;
        self.drop_plain_trees()?;
        Ok(())
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
                            target.insert(b, packed::encode_bucket(&entries)).map_err(io_error)?;
                        }
                        current = Some((bucket, BTreeMap::from([(k.to_vec(), v.to_vec())])));
                    }
                }
            }
            if let Some((b, entries)) = current {
                target.insert(b, packed::encode_bucket(&entries)).map_err(io_error)?;
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
            let entries = packed::bucket_map(Some(&value))?;
            let (tree, key, last) = packed::point_last(&bucket, &entries)?;
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

    /// Turns a current database back into what layout 3 left: no
    /// `point_last`, schema 3.
    fn downgrade_to_3(store: &Store) {
        store.tree(T::PointLast).clear().unwrap();
        store.tree(T::Meta).insert(meta::SCHEMA, &3u64.to_be_bytes()).unwrap();
        store.flush().unwrap();
    }

    /// Turns a current database back into what layout 2 left: every tree
    /// plain, under its old name, and schema 2.
    fn downgrade_to_2(store: &Store) {
        downgrade_to_3(store);
        for t in T::ALL.iter().filter(|t| t.packing().is_some() && **t != T::PointLast) {
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
        let upgraded = Store::open(dir.path()).unwrap();
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
        let again = Store::open(dir.path()).unwrap();
        assert_eq!(trees(&again), trees(reference));
        let upgrades = again.audit(10).unwrap();
        assert_eq!(upgrades.iter().filter(|e| e.action == "store.upgrade").count(), 1);
    }

    fn reference(snapshot: &Snapshot) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.import(snapshot.clone()).unwrap();
        (dir, store)
    }

    #[test]
    fn an_older_database_is_brought_on_open_to_what_import_leaves() {
        let snapshot = crate::synthetic::snapshot(3_000, 5);
        let (_r, reference) = reference(&snapshot);
        for (downgrade, from) in [
            (downgrade_to_3 as fn(&Store), 3),
            (downgrade_to_2, 2),
            (downgrade_to_1, 1),
        ] {
            let (dir, upgraded) = upgraded_from(&snapshot, downgrade, |store| {
                // Layouts 1 and 2 have plain trees; all older ones lack point_last.
                assert_eq!(plain_trees_left(store).is_empty(), from == 3);
                assert!(store.tree(T::PointLast).is_empty());
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
                .insert(0u64.to_be_bytes(), packed::encode_bucket(&half))
                .unwrap();
            store.tree(T::DayCount).insert(b"junk", b"junk").unwrap();
            store.flush().unwrap();
        };
        let (dir, upgraded) = upgraded_from(&snapshot, downgrade_to_2, half_packed);
        check_upgraded(&snapshot, &fresh, &dir, upgraded, 2);

        // Died after committing, before dropping the plain trees: the
        // next open drops them and changes nothing else.
        let (dir, store) = reference(&snapshot);
        let stale = store.db.open_tree(T::Activities.plain_name()).unwrap();
        stale.insert(keys::id(1), b"stale".to_vec()).unwrap();
        store.flush().unwrap();
        drop((stale, store));
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(plain_trees_left(&store), Vec::<String>::new());
        assert_eq!(trees(&store), trees(&fresh));
    }
}
