//! Bringing a database written by an older layout up to the current one,
//! when it is opened. Each step is one command (one transaction with its
//! audit entry), so a crash part-way leaves the old layout, which the next
//! open upgrades again.

use chrono::Datelike;

use super::{Store, T, io_error, keys, meta};
use crate::domain::Problem;
use crate::error::{Result, StoreError};

impl Store {
    /// Upgrades from `version` to [`meta::SCHEMA_VERSION`].
    pub(crate) fn upgrade(&self, version: u64) -> Result<()> {
        if version < 2 {
            self.upgrade_1_to_2()?;
        }
        Ok(())
    }

    /// Layout 2 added the year counters and the solved-problem counters:
    /// builds them from the day counters and the problems.
    fn upgrade_1_to_2(&self) -> Result<()> {
        self.write(|s, b| {
            let corrupt = || StoreError::Corrupt("day counter".into());
            for entry in s.tree(T::DayCount).iter() {
                let (k, v) = entry.map_err(io_error)?;
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
            for p in s.all::<Problem>(T::Problems)? {
                Store::tally_solved(b, &p, 1);
            }
            b.put(T::Meta, meta::SCHEMA, 2u64.to_be_bytes().to_vec());
            b.audit("store.upgrade", &serde_json::json!({ "from": 1, "to": 2 }));
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::status::{StatusInput, year_status};

    use crate::store::tree_contents as trees;

    /// Turns a current database back into what layout 1 left: no year
    /// counters, no solved-problem day counters, schema 1.
    fn downgrade_to_1(store: &Store) {
        store.tree(T::YearCount).clear().unwrap();
        let solved: Vec<sled::IVec> = store
            .tree(T::DayCount)
            .iter()
            .keys()
            .map(|k| k.unwrap())
            .filter(|k| k[8] == keys::SOLVED)
            .collect();
        assert!(!solved.is_empty(), "the data should have solved problems");
        for k in solved {
            store.tree(T::DayCount).remove(k).unwrap();
        }
        store.tree(T::Meta).insert(meta::SCHEMA, &1u64.to_be_bytes()).unwrap();
        store.flush().unwrap();
    }

    #[test]
    fn a_layout_1_database_is_upgraded_on_open_to_what_import_leaves() {
        let snapshot = crate::synthetic::snapshot(3_000, 5);
        let (fresh, old) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let reference = Store::open(fresh.path()).unwrap();
        reference.import(snapshot.clone()).unwrap();
        {
            let store = Store::open(old.path()).unwrap();
            store.import(snapshot.clone()).unwrap();
            downgrade_to_1(&store);
            assert_ne!(trees(&store), trees(&reference));
        }
        let upgraded = Store::open(old.path()).unwrap();
        assert_eq!(trees(&upgraded), trees(&reference));
        assert_eq!(upgraded.audit(1).unwrap()[0].action, "store.upgrade");
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
        // Opening again changes nothing.
        drop(upgraded);
        let again = Store::open(old.path()).unwrap();
        assert_eq!(trees(&again), trees(&reference));
        assert_eq!(
            again
                .audit(10)
                .unwrap()
                .iter()
                .filter(|e| e.action == "store.upgrade")
                .count(),
            1
        );
    }
}
