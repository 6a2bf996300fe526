//! A command's writes, gathered first and then committed as one sled
//! transaction together with the command's audit entry, then flushed.

use std::collections::BTreeMap;

use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use super::codec::{self, Versioned};
use super::{Store, T, io_error, keys, meta, packed};
use crate::domain::AuditEntry;
use crate::error::{Result, StoreError};

/// An audit entry to write: action, detail, and when and by whom if not
/// now by the store's user (see [`Batch::audit_by`]).
type AuditNote = (String, String, Option<(i64, String)>);

/// The writes of one command.
#[derive(Default)]
pub(crate) struct Batch {
    ops: Vec<Op>,
    /// Counters advanced by this batch (id allocation).
    counters: BTreeMap<&'static [u8], u64>,
    audit: Vec<AuditNote>,
    /// Changes to u64 tallies (day counters), summed per key.
    tallies: BTreeMap<(T, Vec<u8>), i64>,
    /// Changes to tagged tallies (year counters): several counters under
    /// one key, summed per key and tag.
    tagged: BTreeMap<(T, Vec<u8>), BTreeMap<u8, i64>>,
}

impl Batch {
    pub(crate) fn put(&mut self, tree: T, key: impl AsRef<[u8]>, value: Vec<u8>) {
        self.ops.push((tree, key.as_ref().to_vec(), Some(value)));
    }

    /// Stores a record under its id, in its versioned envelope.
    pub(crate) fn put_record<V: Versioned>(&mut self, tree: T, id: u64, value: V) -> Result<()> {
        self.put_value(tree, keys::id(id), value)
    }

    /// Stores a value under any key, in its versioned envelope.
    pub(crate) fn put_value<V: Versioned>(&mut self, tree: T, key: impl AsRef<[u8]>, value: V) -> Result<()> {
        let bytes = codec::encode(value).map_err(|e| StoreError::Io(e.to_string()))?;
        self.put(tree, key, bytes);
        Ok(())
    }

    /// An index entry: the key says it all, the value is empty.
    pub(crate) fn put_index(&mut self, tree: T, key: impl AsRef<[u8]>) {
        self.put(tree, key, Vec::new());
    }

    pub(crate) fn remove(&mut self, tree: T, key: impl AsRef<[u8]>) {
        self.ops.push((tree, key.as_ref().to_vec(), None));
    }

    /// Records what the command did, for the audit log. `detail` is
    /// serialised to JSON.
    pub(crate) fn audit(&mut self, action: &str, detail: &impl serde::Serialize) {
        let detail = serde_json::to_string(detail).unwrap_or_default();
        self.audit.push((action.to_string(), detail, None));
    }

    /// [`Batch::audit`] for a change made at `at_ms` by `user`, not now by
    /// the store's user: a visit from the inbox (`store::inbox`).
    pub(crate) fn audit_by(&mut self, action: &str, detail: &impl serde::Serialize, at_ms: i64, user: &str) {
        let detail = serde_json::to_string(detail).unwrap_or_default();
        self.audit
            .push((action.to_string(), detail, Some((at_ms, user.to_string()))));
    }

    /// Adds `delta` to the tally stored under `key` (a missing tally is 0;
    /// a tally that falls to 0 is removed).
    pub(crate) fn tally(&mut self, tree: T, key: impl AsRef<[u8]>, delta: i64) {
        *self.tallies.entry((tree, key.as_ref().to_vec())).or_insert(0) += delta;
    }

    /// Adds `delta` to the counter `tag` among the tagged tallies stored
    /// under `key` (see [`keys::encode_tagged`]).
    pub(crate) fn tally_tagged(&mut self, tree: T, key: impl AsRef<[u8]>, tag: u8, delta: i64) {
        *self
            .tagged
            .entry((tree, key.as_ref().to_vec()))
            .or_default()
            .entry(tag)
            .or_insert(0) += delta;
    }

    /// Raises a counter to at least `value`, counting from 0 if this batch
    /// has not used it: for import, which writes every counter. Elsewhere
    /// [`Store::reserve_id`].
    pub(crate) fn raise_counter(&mut self, counter: &'static [u8], value: u64) {
        let c = self.counters.entry(counter).or_insert(0);
        *c = (*c).max(value);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.ops.is_empty() && self.counters.is_empty() && self.tallies.is_empty() && self.tagged.is_empty()
    }
}

impl Store {
    /// Runs a command: takes the write lock, lets `build` check and gather
    /// the writes, commits them in one transaction with the audit entry,
    /// and flushes. Nothing is written if `build` fails.
    pub(crate) fn write<R>(&self, build: impl FnOnce(&Store, &mut Batch) -> Result<R>) -> Result<R> {
        let _guard = self.write_lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut batch = Batch::default();
        let result = build(self, &mut batch)?;
        self.commit(batch)?;
        Ok(result)
    }

    /// Runs `read` while no command can write: a consistent view across
    /// trees (sled has no multi-tree snapshot).
    pub(crate) fn read_still<R>(&self, read: impl FnOnce() -> Result<R>) -> Result<R> {
        let _guard = self.write_lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        read()
    }

    /// The next id of a counter, counting ids this batch already took.
    pub(crate) fn next_id(&self, batch: &mut Batch, counter: &'static [u8]) -> Result<u64> {
        let current = match batch.counters.get(counter) {
            Some(v) => *v,
            None => self.counter(counter)?,
        };
        let next = current
            .checked_add(1)
            .ok_or_else(|| StoreError::Io("id counter overflow".into()))?;
        batch.counters.insert(counter, next);
        Ok(next)
    }

    /// A counter's value counting ids this batch already took.
    pub(crate) fn counter_in(&self, batch: &Batch, counter: &'static [u8]) -> Result<u64> {
        match batch.counters.get(counter) {
            Some(v) => Ok(*v),
            None => self.counter(counter),
        }
    }

    /// Raises a counter to at least `id`, from its stored value: `id` is
    /// then never given out.
    pub(crate) fn reserve_id(&self, batch: &mut Batch, counter: &'static [u8], id: u64) -> Result<()> {
        let current = self.counter_in(batch, counter)?;
        batch.counters.insert(counter, current.max(id));
        Ok(())
    }

    pub(crate) fn counter(&self, counter: &[u8]) -> Result<u64> {
        Ok(self
            .tree(T::Meta)
            .get(counter)
            .map_err(io_error)?
            .and_then(|v| keys::id_from(&v))
            .unwrap_or(0))
    }

    fn commit(&self, mut batch: Batch) -> Result<()> {
        if batch.is_empty() && batch.audit.is_empty() {
            return Ok(());
        }
        // The digest of the inbox describes the data as it was: not after this.
        self.forget_digest(true)?;
        let now_ms = chrono::Utc::now().timestamp_millis();
        for (action, detail, stamp) in std::mem::take(&mut batch.audit) {
            let seq = self.next_id(&mut batch, meta::NEXT_AUDIT)?;
            let (at_ms, user) = stamp.unwrap_or_else(|| (now_ms, self.user.to_string()));
            let entry = AuditEntry {
                seq,
                at_ms,
                user,
                action,
                detail,
            };
            batch.put_record(T::Audit, seq, entry)?;
        }
        // Tallies are read here, under the write lock, so no other command
        // can change them before this transaction commits.
        for ((tree, key), delta) in std::mem::take(&mut batch.tallies) {
            let current = self.value(tree, &key)?.and_then(|v| keys::id_from(&v)).unwrap_or(0);
            let next = (current as i64).saturating_add(delta).max(0) as u64;
            if next == 0 {
                batch.remove(tree, key);
            } else {
                batch.put(tree, key, next.to_be_bytes().to_vec());
            }
        }
        for ((tree, key), deltas) in std::mem::take(&mut batch.tagged) {
            let mut counts = match self.value(tree, &key)? {
                Some(v) => keys::decode_tagged(&v).ok_or_else(|| StoreError::Corrupt("year counter".into()))?,
                None => BTreeMap::new(),
            };
            for (tag, delta) in deltas {
                let next = (counts.get(&tag).copied().unwrap_or(0) as i64)
                    .saturating_add(delta)
                    .max(0) as u64;
                counts.insert(tag, next);
            }
            counts.retain(|_, n| *n > 0);
            if counts.is_empty() {
                batch.remove(tree, key);
            } else {
                batch.put(tree, key, keys::encode_tagged(&counts));
            }
        }
        for (counter, value) in std::mem::take(&mut batch.counters) {
            batch.put(T::Meta, counter, value.to_be_bytes().to_vec());
        }
        self.pack(&mut batch)?;
        // Only the trees this batch touches take part in the transaction.
        let mut used: Vec<T> = batch.ops.iter().map(|(t, _, _)| *t).collect();
        used.sort();
        used.dedup();
        let trees: Vec<&sled::Tree> = used.iter().map(|t| self.tree(*t)).collect();
        let ops = &batch.ops;
        let result: Result<(), TransactionError<()>> = trees.as_slice().transaction(|txs| {
            for (tree, key, value) in ops {
                let tx = &txs[used
                    .binary_search(tree)
                    .map_err(|_| ConflictableTransactionError::Abort(()))?];
                match value {
                    Some(v) => tx.insert(key.as_slice(), v.as_slice())?,
                    None => tx.remove(key.as_slice())?,
                };
            }
            Ok(())
        });
        if let Err(e) = result {
            self.mark_unsure();
            return Err(StoreError::Io(format!("{e:?}")).into());
        }
        // Counted as soon as it is committed, even if the flush below fails:
        // readers (and the table cache) must not keep what was there before.
        // The table version first: a status computed at the new data
        // version must not be built from the old tables and then kept.
        if used.iter().any(|t| matches!(t, T::Leaders | T::Branches | T::Points)) {
            self.table_writes.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        self.writes.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        // Only now is the change durable; callers report success after this.
        if let Err(e) = self.flush() {
            self.mark_unsure();
            return Err(e.into());
        }
        Ok(())
    }

    /// Turns the batch's writes to packed trees into writes of their
    /// buckets: each bucket the command touches is read (under the write
    /// lock, so it cannot change before the commit), changed in the order
    /// of the writes, and written back whole, or removed once empty. A
    /// rewritten `activity_by_point` bucket also rewrites its `point_last`
    /// entry (itself packed, so a second round).
    fn pack(&self, batch: &mut Batch) -> Result<()> {
        let mut plain = Vec::with_capacity(batch.ops.len());
        let mut buckets = Buckets::new();
        for (tree, key, value) in std::mem::take(&mut batch.ops) {
            match tree.packing() {
                None => plain.push((tree, key, value)),
                Some(p) => {
                    let bucket = p
                        .bucket(&key)
                        .ok_or_else(|| StoreError::Io(format!("key too short for {tree:?}")))?;
                    buckets.entry((tree, bucket)).or_default().push((key, value));
                }
            }
        }
        // `point_last` buckets are rewritten last, after the writes derived
        // from `activity_by_point`, so that a batch writing both keeps all.
        let mut derived = Buckets::new();
        buckets.retain(|(tree, bucket), writes| {
            if *tree != T::PointLast {
                return true;
            }
            derived.insert((*tree, bucket.clone()), std::mem::take(writes));
            false
        });
        for ((tree, bucket), writes) in buckets {
            let entries = self.rewrite_bucket(tree, &bucket, writes)?;
            if tree == T::ActivityByPoint {
                let (to, key, value) = packed::point_last(&bucket, entries.last_key()?)?;
                let derived_bucket = to
                    .packing()
                    .and_then(|p| p.bucket(&key))
                    .ok_or_else(|| StoreError::Io("point_last is packed".into()))?;
                derived.entry((to, derived_bucket)).or_default().push((key, value));
            }
            let stored = (!entries.is_empty()).then(|| entries.encode(tree, &bucket));
            plain.push((tree, bucket, stored));
        }
        for ((tree, bucket), writes) in derived {
            let entries = self.rewrite_bucket(tree, &bucket, writes)?;
            let stored = (!entries.is_empty()).then(|| entries.encode(tree, &bucket));
            plain.push((tree, bucket, stored));
        }
        batch.ops = plain;
        Ok(())
    }

    /// A bucket after `writes`, applied in order to what is stored.
    fn rewrite_bucket(&self, tree: T, bucket: &[u8], writes: Writes) -> Result<packed::PlainBucket> {
        let stored = self.tree(tree).get(bucket).map_err(io_error)?;
        let mut entries = packed::PlainBucket::read(bucket, stored.as_deref())?;
        entries.write_all(writes)?;
        Ok(entries)
    }
}

/// One write of a batch: a tree, a key, and the new value or `None` to remove.
pub(crate) type Op = (T, Vec<u8>, Option<Vec<u8>>);

/// Per bucket, the writes to its keys in the command's order.
type Writes = Vec<(Vec<u8>, Option<Vec<u8>>)>;
type Buckets = BTreeMap<(T, Vec<u8>), Writes>;

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    /// A batch that writes a `point_last` entry itself and changes an
    /// `activity_by_point` bucket whose `point_last` entry shares the
    /// bucket keeps both: the derived write is applied on top of the
    /// direct one, not beside it.
    #[test]
    fn direct_and_derived_point_last_writes_in_one_batch_are_both_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::reopen(dir.path());
        let day = NaiveDate::from_ymd_opt(2024, 5, 6).unwrap();
        let direct = keys::year_point(2024, 2).to_vec();
        store
            .write(|_, b| {
                b.put(T::PointLast, direct.clone(), keys::date_id(day, 9).to_vec());
                b.put(T::ActivityByPoint, keys::owner_date_id(3, day, 7), Vec::new());
                Ok(())
            })
            .unwrap();
        let entries: Vec<(Vec<u8>, Vec<u8>)> = store
            .entries(T::PointLast, packed::everything(), false)
            .unwrap()
            .map(|e| e.unwrap())
            .collect();
        assert_eq!(
            entries,
            vec![
                (direct, keys::date_id(day, 9).to_vec()),
                (keys::year_point(2024, 3).to_vec(), keys::date_id(day, 7).to_vec()),
            ]
        );
    }
}
