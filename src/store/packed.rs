//! Packed trees (layout 3): many logical entries under one sled key.
//!
//! Why: sled 0.34 splits a leaf at 16 keys and, from the moment it opens,
//! keeps bookkeeping for every page in memory (its page table and the page
//! states of its snapshot) whatever the cache size. A million activities
//! with their three indexes and day counters were 5.1 million keys, some
//! 600,000 pages, 257 MB resident and 0.9 s of recovery before the first
//! read (docs/PERFORMANCE.md). So the big trees keep the same logical
//! entries as before (the keys of [`super::keys`], the same values) but
//! grouped in *buckets*: one sled key per bucket, whose value holds the
//! bucket's entries in key order. The bucket of a key is a monotone
//! function of the key, so buckets in sled's order hold the entries in
//! logical order, and a range of logical keys is a range of buckets.
//!
//! Everything else goes through [`Store::value`], [`Store::values`] and
//! [`Store::entries`], which read packed and plain trees alike, and
//! through [`super::batch`], which rewrites the buckets a command touches
//! in the command's transaction. `point_last` (layout 4) is packed from the
//! start and derived there from each rewritten `activity_by_point` bucket
//! ([`point_last`]).
//!
//! Layout 5 compresses a bucket's value with zstd when that makes it
//! smaller ([`encode_bucket`]): activities are mostly Chinese notes and the
//! indexes repeat their owner in every key, so the stored bytes fall by
//! more than half, and sled's log, which keeps superseded page versions
//! until a segment is half free, shrinks with them. Every reader goes
//! through [`plain_of`], so plain and compressed buckets can sit side by
//! side (a layout-4 bucket stays readable until it is next written).
//!
//! Layout 8 stores the buckets too small to compress *compact*
//! ([`COMPACT`]): without the bytes their keys share with the bucket's own
//! key (the owner an index repeats in every key), with lengths of one byte
//! where the plain format spends six. At 10k activities most index and
//! counter buckets hold one or two entries, so the plain format's framing
//! was half of their bytes (docs/PERFORMANCE.md). Readers go through
//! [`plain_of`], which needs the bucket's key to put the shared bytes back.

use std::collections::BTreeMap;
use std::ops::Bound;

use super::{Store, T, io_error, keys};
use crate::error::StoreError;

/// Records per bucket of an id-keyed tree: about 4 kB of activities, so a
/// sled leaf of 16 buckets stays well under sled's 128 kB blob threshold.
pub(crate) const IDS_PER_BUCKET: u64 = 16;

/// A logical entry: key and value.
pub(crate) type Entry = (Vec<u8>, Vec<u8>);

/// A bucket's entries by key, ready to change.
pub(crate) type BucketMap = BTreeMap<Vec<u8>, Vec<u8>>;

/// The format byte at the start of every bucket value: the entries as
/// they are (see [`encode_plain`]) …
const PLAIN: u8 = 1;
/// … or (layout 5) the plain value's length (u32 BE), then the plain
/// value, format byte included, compressed as one zstd frame …
const ZSTD: u8 = 2;
/// … or (layout 8) how many leading bytes every key shares with the
/// bucket's key (one byte), then for each entry in key order `varint(key
/// length − shared) ‖ key without them ‖ varint(value length) ‖ value`,
/// varints as LEB128 (see [`compact`]).
const COMPACT: u8 = 3;

/// Plain values shorter than this are not compressed (they are stored
/// compact): a zstd frame costs about a dozen bytes, and a few counters
/// do not compress.
const COMPRESS_FROM: usize = 64;

/// zstd's default level: on these buckets level 1 is 1–9 % larger and no
/// faster that anyone could notice beside an `fsync`.
const ZSTD_LEVEL: i32 = 3;

/// The size of zstd's match tables (log2 of entries) instead of the level's
/// own: level 3 sizes its tables for the bucket it is given, 146 kB of
/// context for a 6 kB bucket, and a command's buckets come in rising sizes,
/// each a new context above glibc's 128 kB mmap threshold, so fresh zeroed
/// pages every time. With 2^12 entries the context stays near 80 kB for
/// buckets up to about 10 kB (147 kB at 24 kB, 338 kB at 74 kB, against
/// 508 and 698 kB without) and is reused from the heap: one-shot
/// `visit add` at 10k, 1,125 → 948 page faults and 11.0 → 10.4 ms (100
/// alternated runs each); the 100k database's buckets come out 0.03 %
/// larger.
const ZSTD_TABLE_LOG: u32 = 12;

/// The largest plain value a compressed bucket may claim: inflating
/// allocates the claimed length first, so a damaged length must not ask
/// for more than this; nor may a compact bucket expand past it. A bucket
/// whose plain value would be larger is stored plain ([`encode_bucket`]);
/// 16 records of at most 1 MiB fit.
const MAX_INFLATED: usize = 1 << 25;

/// How a tree's logical keys map to buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Packing {
    /// An 8-byte id → `id / IDS_PER_BUCKET`: records in id order.
    IdBlock,
    /// The first `n` bytes: e.g. a day of the date index, a point's problems.
    Prefix(usize),
    /// The first `n` bytes, then the year of the 4-byte date that follows
    /// them: an owner's index entries or day counters of one year.
    PrefixYear(usize),
    /// The first `n` bytes, then the 8-byte id that follows them divided by
    /// `IDS_PER_BUCKET`: `point_last`'s points of one year, 16 to a bucket,
    /// so that a visit rewrites half a kilobyte, not the whole year's.
    PrefixIdBlock(usize),
}

impl Packing {
    /// The bucket of a logical key; `None` if the key is too short.
    pub(crate) fn bucket(self, key: &[u8]) -> Option<Vec<u8>> {
        match self {
            Packing::IdBlock => Some((keys::id_from(key.get(..8)?)? / IDS_PER_BUCKET).to_be_bytes().to_vec()),
            Packing::Prefix(n) => Some(key.get(..n)?.to_vec()),
            Packing::PrefixYear(n) => {
                let date: [u8; 4] = key.get(n..n + 4)?.try_into().ok()?;
                let mut bucket = key[..n].to_vec();
                bucket.extend_from_slice(&year_of_date_key(date));
                Some(bucket)
            }
            Packing::PrefixIdBlock(n) => {
                let id = keys::id_from(key.get(n..n + 8)?)?;
                let mut bucket = key[..n].to_vec();
                bucket.extend_from_slice(&(id / IDS_PER_BUCKET).to_be_bytes());
                Some(bucket)
            }
        }
    }
}

/// The year of a date key as a year key; a date chrono cannot represent
/// sorts before or after every year, which keeps the bucket monotone.
fn year_of_date_key(date: [u8; 4]) -> [u8; 4] {
    use chrono::Datelike;
    match keys::date_from(date) {
        Some(d) => keys::year(d.year()),
        None if u32::from_be_bytes(date) < 0x8000_0000 => [0; 4],
        None => [0xFF; 4],
    }
}

impl T {
    /// How this tree is packed, or `None` for a plain tree (one sled key
    /// per entry: the small tables, the audit log, the year counters).
    pub(crate) fn packing(self) -> Option<Packing> {
        match self {
            // The small tables too: every command line reads them whole,
            // and sled's iterator descends the tree again for every key.
            T::Activities | T::Problems | T::Leaders | T::Branches | T::Points => Some(Packing::IdBlock),
            T::PointByLeader => Some(Packing::Prefix(8)),
            T::ActivityByDate => Some(Packing::Prefix(4)),
            T::ActivityByLeader | T::ActivityByPoint => Some(Packing::PrefixYear(8)),
            T::ProblemByPoint => Some(Packing::Prefix(8)),
            T::DayCount => Some(Packing::PrefixYear(9)),
            T::PointLast => Some(Packing::PrefixIdBlock(4)),
            T::LeaderByName => Some(Packing::Prefix(1)),
            _ => None,
        }
    }
}

impl T {
    /// Whether this packed tree's buckets are compressed (layout 5) or,
    /// where that is smaller, compact (layout 8; see [`store_plain`]). Not
    /// the small tables: every command line reads them whole, they are
    /// about 100 kB at provincial scale, and inflating them cost a
    /// one-shot `visit add` a tenth of its instructions; nor the leaders'
    /// name index, read by the same command line. Not the problems
    /// either: the problems screen reads all of them, and inflating 50,000
    /// made its opening at 1M take 91 ms against 66 plain (criterion, the
    /// same round), for 6 MB of disk.
    pub(crate) fn compressed(self) -> bool {
        self.packing().is_some()
            && !matches!(
                self,
                T::Leaders | T::Branches | T::Points | T::PointByLeader | T::Problems | T::LeaderByName
            )
    }
}

/// The `point_last` write (see [`T::PointLast`]) for a point's
/// `activity_by_point` bucket of one year (`point ‖ year`), given the
/// bucket's last key after a commit: `year ‖ point` → `date ‖ id` of the
/// last entry, or removed when the bucket is empty.
pub(crate) fn point_last(bucket: &[u8], last_key: Option<&[u8]>) -> Result<super::batch::Op, StoreError> {
    let (point, year) = (bucket.get(..8), bucket.get(8..12));
    let (Some(point), Some(year), 12) = (point, year, bucket.len()) else {
        return Err(damaged("activity_by_point bucket key"));
    };
    let key = [year, point].concat();
    let last = match last_key {
        None => None,
        Some(k) => Some(k.get(8..20).ok_or_else(|| damaged("activity_by_point key"))?.to_vec()),
    };
    Ok((T::PointLast, key, last))
}

fn damaged(what: &str) -> StoreError {
    StoreError::Corrupt(format!("packed bucket: {what}"))
}

/// The value of the bucket `bucket` as stored: for a tree whose buckets
/// are compressed, the smallest of its compact form ([`COMPACT`]) and its
/// zstd frame ([`ZSTD`]); plain otherwise.
pub(crate) fn encode_bucket(tree: T, bucket: &[u8], entries: &BucketMap) -> Vec<u8> {
    store_plain(tree, bucket, encode_plain(entries))
}

/// A plain bucket value (see [`encode_plain`]) as stored: the smallest of
/// plain, compact and compressed when the tree's buckets are compressed,
/// the first of them on a tie (so the choice is the same every time: a
/// layout upgrade and a fresh import store the same bytes).
fn store_plain(tree: T, bucket: &[u8], plain: Vec<u8>) -> Vec<u8> {
    if !tree.compressed() || plain.len() > MAX_INFLATED {
        return plain;
    }
    let compact = compact(bucket, &plain).filter(|c| c.len() < plain.len());
    let packed = (COMPRESS_FROM..=MAX_INFLATED)
        .contains(&plain.len())
        .then(|| compress(&plain))
        .flatten();
    let best = compact.unwrap_or(plain);
    match packed {
        Some(packed) if packed.len() < best.len() => packed,
        _ => best,
    }
}

/// A bucket being changed by a command: its plain value, rewritten in one
/// pass. A command writes one or two entries of a bucket that may hold
/// hundreds (a leader's visits of a year at provincial scale, a day's
/// visits); taking every entry apart into an owned key and value and
/// putting them together again cost more than reading and writing the
/// bucket (about half of the bucket work in a server's `visit add`). An
/// import writes thousands of entries into one bucket, so the writes are
/// merged with the stored entries in key order, not applied one by one.
pub(crate) struct PlainBucket {
    /// The format byte, then the entries in key order as
    /// [`encode_plain`] writes them: checked when read, kept so by
    /// [`PlainBucket::write_all`].
    bytes: Vec<u8>,
}

impl PlainBucket {
    /// The plain value of the bucket `bucket` as stored, checked as
    /// [`decode_bucket`] checks it; an empty bucket for `None`.
    pub(crate) fn read(bucket: &[u8], stored: Option<&[u8]>) -> Result<PlainBucket, StoreError> {
        let Some(stored) = stored else {
            return Ok(PlainBucket { bytes: vec![PLAIN] });
        };
        let bytes = match plain_of(bucket, stored)? {
            Some(plain) => plain,
            None => stored.to_vec(),
        };
        decode_spans(&bytes)?;
        Ok(PlainBucket { bytes })
    }

    /// Applies `writes` in their order (the last write of a key wins): a
    /// value sets the entry under its key, `None` removes it.
    pub(crate) fn write_all(
        &mut self,
        writes: impl IntoIterator<Item = (Vec<u8>, Option<Vec<u8>>)>,
    ) -> Result<(), StoreError> {
        let writes: BTreeMap<Vec<u8>, Option<Vec<u8>>> = writes.into_iter().collect();
        let old = std::mem::take(&mut self.bytes);
        let added: usize = writes
            .iter()
            .map(|(k, v)| v.as_ref().map_or(0, |v| 6 + k.len() + v.len()))
            .sum();
        let mut out = Vec::with_capacity(old.len() + added);
        out.push(PLAIN);
        // A write of `None` (a removal) puts nothing in.
        let put = |out: &mut Vec<u8>, (key, value): (Vec<u8>, Option<Vec<u8>>)| {
            if let Some(value) = value {
                push_entry(out, &key, &value);
            }
        };
        let mut writes = writes.into_iter().peekable();
        let mut at = 1;
        while at < old.len() {
            let k = field(&old, at, 2)?;
            let v = field(&old, k.end, 4)?;
            let key = &old[k];
            while let Some(write) = writes.next_if(|(write_key, _)| write_key.as_slice() < key) {
                put(&mut out, write);
            }
            match writes.next_if(|(write_key, _)| write_key.as_slice() == key) {
                // Replaced, or removed.
                Some(write) => put(&mut out, write),
                None => out.extend_from_slice(&old[at..v.end]),
            }
            at = v.end;
        }
        for write in writes {
            put(&mut out, write);
        }
        self.bytes = out;
        Ok(())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.bytes.len() <= 1
    }

    /// The last entry's key.
    pub(crate) fn last_key(&self) -> Result<Option<&[u8]>, StoreError> {
        let mut at = 1;
        let mut last = None;
        while at < self.bytes.len() {
            let k = field(&self.bytes, at, 2)?;
            at = field(&self.bytes, k.end, 4)?.end;
            last = Some(k);
        }
        Ok(last.map(|k| &self.bytes[k]))
    }

    /// The value of the bucket `bucket` as stored in `tree`
    /// ([`encode_bucket`]).
    pub(crate) fn encode(self, tree: T, bucket: &[u8]) -> Vec<u8> {
        store_plain(tree, bucket, self.bytes)
    }
}

/// Appends one entry as the plain format lays it out (see
/// [`encode_plain`]).
fn push_entry(out: &mut Vec<u8>, key: &[u8], value: &[u8]) {
    // Keys are at most 20 bytes and values at most codec::MAX_VALUE_BYTES.
    out.extend_from_slice(&(key.len() as u16).to_be_bytes());
    out.extend_from_slice(key);
    out.extend_from_slice(&(value.len() as u32).to_be_bytes());
    out.extend_from_slice(value);
}

/// A bucket's plain value: the format byte, then for each entry in key
/// order `key length (u16 BE) ‖ key ‖ value length (u32 BE) ‖ value`.
pub(crate) fn encode_plain(entries: &BucketMap) -> Vec<u8> {
    let size: usize = entries.iter().map(|(k, v)| 6 + k.len() + v.len()).sum();
    let mut out = Vec::with_capacity(1 + size);
    out.push(PLAIN);
    for (k, v) in entries {
        push_entry(&mut out, k, v);
    }
    out
}

/// The compact form ([`COMPACT`]) of a plain value stored under the
/// bucket key `bucket`; `None` if `plain` is not a plain value.
fn compact(bucket: &[u8], plain: &[u8]) -> Option<Vec<u8>> {
    let spans = decode_spans(plain).ok()?;
    // At most 255, and no more than the bucket's key: a byte says it.
    let shared = spans
        .iter()
        .map(|(k, _)| common_prefix(bucket, &plain[k.clone()]))
        .min()
        .unwrap_or(0)
        .min(usize::from(u8::MAX));
    let mut out = Vec::with_capacity(plain.len());
    out.push(COMPACT);
    out.push(shared as u8);
    for (k, v) in spans {
        push_varint(&mut out, k.len() - shared);
        out.extend_from_slice(&plain[k.start + shared..k.end]);
        push_varint(&mut out, v.len());
        out.extend_from_slice(&plain[v]);
    }
    Some(out)
}

/// How many leading bytes `a` and `b` have in common.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Appends `n` as LEB128: seven bits a byte, low bits first, the top bit
/// set on every byte but the last.
fn push_varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7F) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// The LEB128 number at `*at` (see [`push_varint`]), moving `*at` past
/// it. Refuses a number cut short, one over `u32::MAX` and one written
/// longer than it needs (a zero last byte), so that each value has one
/// encoding.
fn read_varint(bytes: &[u8], at: &mut usize) -> Result<usize, StoreError> {
    let mut n: u64 = 0;
    for i in 0..5 {
        let byte = *bytes.get(*at).ok_or_else(|| damaged("cut length"))?;
        *at += 1;
        n |= u64::from(byte & 0x7F) << (7 * i);
        if byte & 0x80 == 0 {
            if i > 0 && byte == 0 {
                return Err(damaged("overlong length"));
            }
            return usize::try_from(n)
                .ok()
                .filter(|_| n <= u64::from(u32::MAX))
                .ok_or_else(|| damaged("length out of range"));
        }
    }
    Err(damaged("length out of range"))
}

/// The `len` bytes at `*at`, moving `*at` past them.
fn take<'a>(bytes: &'a [u8], at: &mut usize, len: usize) -> Result<&'a [u8], StoreError> {
    let end = at
        .checked_add(len)
        .filter(|e| *e <= bytes.len())
        .ok_or_else(|| damaged("cut entry"))?;
    let out = &bytes[*at..end];
    *at = end;
    Ok(out)
}

/// The plain value of a compact bucket value stored under the bucket key
/// `bucket`. Refuses more shared bytes than the bucket's key has, a cut
/// entry, a key too long for the plain format and a plain value over
/// [`MAX_INFLATED`]; the plain value's own checks (keys in order) are the
/// reader's, as for every bucket.
fn expand(bucket: &[u8], stored: &[u8]) -> Result<Vec<u8>, StoreError> {
    let (&shared, body) = stored
        .get(1..)
        .and_then(<[u8]>::split_first)
        .ok_or_else(|| damaged("cut compact header"))?;
    let prefix = bucket
        .get(..usize::from(shared))
        .ok_or_else(|| damaged("more shared key bytes than the bucket key has"))?;
    // Not sized from the lengths it claims: a damaged value must not ask
    // for more memory than its entries take.
    let mut out = Vec::with_capacity(2 * stored.len());
    out.push(PLAIN);
    let mut at = 0;
    while at < body.len() {
        let suffix_len = read_varint(body, &mut at)?;
        let suffix = take(body, &mut at, suffix_len)?;
        let key_len = u16::try_from(prefix.len() + suffix.len()).map_err(|_| damaged("key too long"))?;
        let value_len = read_varint(body, &mut at)?;
        let value = take(body, &mut at, value_len)?;
        out.extend_from_slice(&key_len.to_be_bytes());
        out.extend_from_slice(prefix);
        out.extend_from_slice(suffix);
        out.extend_from_slice(&(value.len() as u32).to_be_bytes());
        out.extend_from_slice(value);
        if out.len() > MAX_INFLATED {
            return Err(damaged("compact value expands out of range"));
        }
    }
    Ok(out)
}

/// The plain value of the bucket `bucket` as stored, when it is stored in
/// another form (compressed or compact); `None` for a plain value (or an
/// unknown format, which [`decode_spans`] refuses).
pub(crate) fn plain_of(bucket: &[u8], stored: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
    match stored.first() {
        Some(&ZSTD) => inflate(stored),
        Some(&COMPACT) => expand(bucket, stored).map(Some),
        _ => Ok(None),
    }
}

/// What a bucket stored by an older layout is stored as now (see
/// [`store_plain`]), or `None` if it is stored so already. A compressed
/// bucket of a compressed tree is not compressed again: it becomes compact
/// where that is no larger, and keeps its frame otherwise (one written by
/// an older build may differ from today's frame for the same entries, and
/// reads the same). Compressing every bucket again would make the first
/// open of a 1M-activity database seconds longer.
pub(crate) fn recoded(tree: T, bucket: &[u8], stored: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
    let now = match stored.first() {
        Some(&COMPACT) => return Ok(None),
        Some(&ZSTD) if tree.compressed() => {
            let plain = inflate(stored)?.ok_or_else(|| damaged("compressed value"))?;
            decode_spans(&plain)?;
            match compact(bucket, &plain) {
                Some(compact) if compact.len() <= stored.len() => compact,
                _ => return Ok(None),
            }
        }
        _ => {
            let plain = PlainBucket::read(bucket, Some(stored))?.bytes;
            store_plain(tree, bucket, plain)
        }
    };
    Ok((now[..] != stored[..]).then_some(now))
}

/// A bucket's value as layout 7 stored it: compressed where that was
/// smaller (compressed trees, plain values of at least [`COMPRESS_FROM`]
/// bytes), plain otherwise. For the upgrade tests.
#[cfg(test)]
pub(crate) fn layout_7_value(tree: T, entries: &BucketMap) -> Vec<u8> {
    let plain = encode_plain(entries);
    if !tree.compressed() || plain.len() < COMPRESS_FROM {
        return plain;
    }
    match compress(&plain) {
        Some(packed) if packed.len() < plain.len() => packed,
        _ => plain,
    }
}

/// A zstd context of each kind.
type Contexts = (zstd::bulk::Compressor<'static>, zstd::bulk::Decompressor<'static>);

/// zstd contexts made and not in use, for the next `with_zstd`: a context
/// costs an allocation of tables each time it is made, a scan inflates
/// thousands of buckets, and the server answers each connection on a
/// thread of its own, which would make a pair for every add. At most
/// [`POOLED_CONTEXTS`] are kept.
static ZSTD_CONTEXTS: std::sync::Mutex<Vec<Contexts>> = std::sync::Mutex::new(Vec::new());

/// Enough for the threads that compress or inflate at once (a few
/// connections and the workbench's reader); about 200 kB each.
const POOLED_CONTEXTS: usize = 4;

fn new_contexts() -> std::io::Result<Contexts> {
    let mut compressor = zstd::bulk::Compressor::new(ZSTD_LEVEL)?;
    // The length is kept in front of the frame already.
    compressor.set_parameter(zstd::zstd_safe::CParameter::ContentSizeFlag(false))?;
    compressor.set_parameter(zstd::zstd_safe::CParameter::HashLog(ZSTD_TABLE_LOG))?;
    compressor.set_parameter(zstd::zstd_safe::CParameter::ChainLog(ZSTD_TABLE_LOG))?;
    Ok((compressor, zstd::bulk::Decompressor::new()?))
}

/// Runs `f` with a pair of zstd contexts, from the pool or new; an error
/// if they cannot be made (zstd refused the settings). The pool's lock is
/// not held while `f` runs.
fn with_zstd<R>(f: impl FnOnce(&mut Contexts) -> R) -> std::io::Result<R> {
    let pool = || ZSTD_CONTEXTS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let pooled = pool().pop();
    let mut contexts = match pooled {
        Some(contexts) => contexts,
        None => new_contexts()?,
    };
    let result = f(&mut contexts);
    let mut pool = pool();
    if pool.len() < POOLED_CONTEXTS {
        pool.push(contexts);
    }
    Ok(result)
}

/// `ZSTD ‖ length ‖ frame` for a plain value; `None` if zstd fails (the
/// bucket is then stored compact).
fn compress(plain: &[u8]) -> Option<Vec<u8>> {
    let frame = with_zstd(|(c, _)| c.compress(plain)).ok()?.ok()?;
    let mut out = Vec::with_capacity(5 + frame.len());
    out.push(ZSTD);
    out.extend_from_slice(&u32::try_from(plain.len()).ok()?.to_be_bytes());
    out.extend_from_slice(&frame);
    Some(out)
}

/// The plain value of a compressed bucket, or `None` if `stored` is not
/// compressed (plain, or an unknown format that [`decode_spans`] refuses).
/// Refuses a length over [`MAX_INFLATED`], a damaged frame and a frame
/// that inflates to another length than the one stored.
pub(crate) fn inflate(stored: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
    let Some((&ZSTD, rest)) = stored.split_first() else {
        return Ok(None);
    };
    let (len, frame) = rest.split_at_checked(4).ok_or_else(|| damaged("cut length"))?;
    let len = len.iter().fold(0usize, |n, b| (n << 8) | usize::from(*b));
    if len > MAX_INFLATED {
        return Err(damaged("compressed length out of range"));
    }
    let plain = with_zstd(|(_, d)| d.decompress(frame, len))
        .map_err(|e| StoreError::Io(format!("zstd: {e}")))?
        .map_err(|e| damaged(&format!("compressed value: {e}")))?;
    if plain.len() != len {
        return Err(damaged("compressed value of the wrong length"));
    }
    Ok(Some(plain))
}

/// A bucket's plain value: as sled returned it, or inflated or expanded.
pub(crate) enum Plain {
    Stored(sled::IVec),
    Inflated(Vec<u8>),
}

impl Plain {
    /// The plain value of the bucket `bucket` as stored.
    pub(crate) fn of(bucket: &[u8], stored: sled::IVec) -> Result<Plain, StoreError> {
        Ok(match plain_of(bucket, &stored)? {
            Some(plain) => Plain::Inflated(plain),
            None => Plain::Stored(stored),
        })
    }
}

impl std::ops::Deref for Plain {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Plain::Stored(v) => v,
            Plain::Inflated(v) => v,
        }
    }
}

/// The entries of a bucket's plain value, borrowed from it. Refuses an
/// unknown format, a cut entry, trailing bytes and keys out of order.
pub(crate) fn decode_bucket(bytes: &[u8]) -> Result<Vec<Borrowed<'_>>, StoreError> {
    Ok(decode_spans(bytes)?
        .into_iter()
        .map(|(k, v)| (&bytes[k], &bytes[v]))
        .collect())
}

/// Where each entry's key and value lie in a bucket's value: what
/// [`decode_bucket`] checks, without borrowing, so that an iterator can
/// keep the bucket and copy out only the entries it returns.
fn decode_spans(bytes: &[u8]) -> Result<Vec<Spans>, StoreError> {
    let (&format, _) = bytes.split_first().ok_or_else(|| damaged("empty"))?;
    if format != PLAIN {
        return Err(damaged(&format!("unknown format {format}")));
    }
    let mut out: Vec<Spans> = Vec::new();
    let mut at = 1;
    while at < bytes.len() {
        let key = field(bytes, at, 2)?;
        let value = field(bytes, key.end, 4)?;
        if out
            .last()
            .is_some_and(|(last, _)| bytes[last.clone()] >= bytes[key.clone()])
        {
            return Err(damaged("keys out of order"));
        }
        at = value.end;
        out.push((key, value));
    }
    Ok(out)
}

/// The byte ranges of an entry's key and value in a bucket's value.
type Spans = (std::ops::Range<usize>, std::ops::Range<usize>);

/// A logical entry borrowed from a bucket's value.
pub(crate) type Borrowed<'a> = (&'a [u8], &'a [u8]);

/// The range of the field at `at`: `width` bytes of big-endian length,
/// then that many bytes.
fn field(bytes: &[u8], at: usize, width: usize) -> Result<std::ops::Range<usize>, StoreError> {
    let cut = || damaged("cut entry");
    let start = at.checked_add(width).filter(|s| *s <= bytes.len()).ok_or_else(cut)?;
    let len = bytes[at..start].iter().fold(0usize, |n, b| (n << 8) | usize::from(*b));
    let end = start.checked_add(len).filter(|e| *e <= bytes.len()).ok_or_else(cut)?;
    Ok(start..end)
}

/// The entries of the bucket `bucket` as stored, owned, ready to change.
pub(crate) fn bucket_map(bucket: &[u8], stored: Option<&[u8]>) -> Result<BucketMap, StoreError> {
    let Some(stored) = stored else {
        return Ok(BTreeMap::new());
    };
    let inflated = plain_of(bucket, stored)?;
    Ok(decode_bucket(inflated.as_deref().unwrap_or(stored))?
        .into_iter()
        .map(|(k, v)| (k.to_vec(), v.to_vec()))
        .collect())
}

/// Logical entries of a tree in a key range, forwards or backwards.
pub(crate) struct Entries {
    /// sled's items: buckets of a packed tree, entries of a plain one.
    items: Box<dyn Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>> + Send>,
    packed: bool,
    bounds: (Bound<Vec<u8>>, Bound<Vec<u8>>),
    /// The current bucket, and where its entries within the bounds lie, in
    /// the order they are returned: an entry is copied out only when it is
    /// (the board asks for the last visit of 1,000 points, one entry each
    /// out of buckets of a hundred).
    bucket: Plain,
    pending: std::vec::IntoIter<Spans>,
    reverse: bool,
}

/// A logical key range for [`Store::entries`].
pub(crate) type KeyRange = (Bound<Vec<u8>>, Bound<Vec<u8>>);

/// Every key of a tree.
pub(crate) fn everything() -> KeyRange {
    (Bound::Unbounded, Bound::Unbounded)
}

/// A range of whole keys as [`keys`] builds them (a year, an owner's year).
pub(crate) fn span<const N: usize>(range: std::ops::RangeInclusive<[u8; N]>) -> KeyRange {
    inclusive(range.start(), range.end())
}

/// `low..=high`.
pub(crate) fn inclusive(low: impl AsRef<[u8]>, high: impl AsRef<[u8]>) -> KeyRange {
    (
        Bound::Included(low.as_ref().to_vec()),
        Bound::Included(high.as_ref().to_vec()),
    )
}

fn in_bounds(key: &[u8], bounds: &KeyRange) -> bool {
    let above = match &bounds.0 {
        Bound::Included(lo) => key >= lo.as_slice(),
        Bound::Excluded(lo) => key > lo.as_slice(),
        Bound::Unbounded => true,
    };
    let below = match &bounds.1 {
        Bound::Included(hi) => key <= hi.as_slice(),
        Bound::Excluded(hi) => key < hi.as_slice(),
        Bound::Unbounded => true,
    };
    above && below
}

impl Iterator for Entries {
    type Item = Result<Entry, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some((k, v)) = self.pending.next() {
                return Some(Ok((self.bucket[k].to_vec(), self.bucket[v].to_vec())));
            }
            let (bucket, value) = match self.items.next()? {
                Ok(item) if !self.packed => return Some(Ok((item.0.to_vec(), item.1.to_vec()))),
                Ok(item) => item,
                Err(e) => return Some(Err(io_error(e))),
            };
            let value = match Plain::of(&bucket, value) {
                Ok(value) => value,
                Err(e) => return Some(Err(e)),
            };
            let mut spans: Vec<Spans> = match decode_spans(&value) {
                Ok(spans) => spans
                    .into_iter()
                    .filter(|(k, _)| in_bounds(&value[k.clone()], &self.bounds))
                    .collect(),
                Err(e) => return Some(Err(e)),
            };
            if self.reverse {
                spans.reverse();
            }
            self.bucket = value;
            self.pending = spans.into_iter();
        }
    }
}

/// The last entry with `low <= key <= high` of the bucket `bucket` as
/// stored.
fn last_within(bucket: &[u8], stored: sled::IVec, low: &[u8], high: &[u8]) -> Result<Option<Entry>, StoreError> {
    let bucket = Plain::of(bucket, stored)?;
    for (k, v) in decode_spans(&bucket)?.into_iter().rev() {
        let key = &bucket[k];
        if key < low {
            break;
        }
        if key <= high {
            return Ok(Some((key.to_vec(), bucket[v].to_vec())));
        }
    }
    Ok(None)
}

/// A bound on logical keys as a bound on buckets: a bucket is read if it
/// may hold a key within the bound.
fn bucket_bound(packing: Packing, bound: &Bound<Vec<u8>>) -> Result<Bound<Vec<u8>>, StoreError> {
    match bound {
        Bound::Unbounded => Ok(Bound::Unbounded),
        Bound::Included(k) | Bound::Excluded(k) => packing
            .bucket(k)
            .map(Bound::Included)
            .ok_or_else(|| damaged("range bound too short")),
    }
}

impl Store {
    /// The value under a logical key of any tree.
    pub(crate) fn value(&self, tree: T, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(packing) = tree.packing() else {
            return Ok(self.tree(tree).get(key).map_err(io_error)?.map(|v| v.to_vec()));
        };
        let bucket = packing.bucket(key).ok_or_else(|| damaged("key too short"))?;
        let Some(raw) = self.tree(tree).get(&bucket).map_err(io_error)? else {
            return Ok(None);
        };
        let raw = Plain::of(&bucket, raw)?;
        let entries = decode_bucket(&raw)?;
        Ok(entries
            .binary_search_by(|(k, _)| (*k).cmp(key))
            .ok()
            .map(|i| entries[i].1.to_vec()))
    }

    /// The values under many logical keys, in the order of `wanted`: each
    /// bucket is read and decoded once however many of its keys are wanted.
    pub(crate) fn values(&self, tree: T, wanted: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        let Some(packing) = tree.packing() else {
            return wanted.iter().map(|k| self.value(tree, k)).collect();
        };
        let mut order: Vec<usize> = (0..wanted.len()).collect();
        order.sort_by(|a, b| wanted[*a].cmp(&wanted[*b]));
        let mut out = vec![None; wanted.len()];
        // The bucket last read, decoded once.
        let mut current: Option<(Vec<u8>, BucketMap)> = None;
        for i in order {
            let key = &wanted[i];
            let bucket = packing.bucket(key).ok_or_else(|| damaged("key too short"))?;
            let entries = match &mut current {
                Some((b, entries)) if *b == bucket => entries,
                _ => {
                    let raw = self.tree(tree).get(&bucket).map_err(io_error)?;
                    let entries = bucket_map(&bucket, raw.as_deref())?;
                    &mut current.insert((bucket, entries)).1
                }
            };
            // A key asked for twice is answered twice.
            out[i] = entries.get(key).cloned();
        }
        Ok(out)
    }

    /// The last entry with `low <= key <= high`. For a packed tree one
    /// `get` of the bucket `high` falls in, and a step back through sled
    /// only when that bucket holds none: the board asks this of every
    /// point (its last visit), and a reverse iterator per point was most of
    /// a start at 1M.
    pub(crate) fn last_in(&self, tree: T, low: &[u8], high: &[u8]) -> Result<Option<Entry>, StoreError> {
        let Some(packing) = tree.packing() else {
            return match self.tree(tree).range(low..=high).next_back() {
                None => Ok(None),
                Some(item) => {
                    let (k, v) = item.map_err(io_error)?;
                    Ok(Some((k.to_vec(), v.to_vec())))
                }
            };
        };
        let short = || damaged("key too short");
        let top = packing.bucket(high).ok_or_else(short)?;
        let bottom = packing.bucket(low).ok_or_else(short)?;
        if let Some(raw) = self.tree(tree).get(&top).map_err(io_error)?
            && let Some(entry) = last_within(&top, raw, low, high)?
        {
            return Ok(Some(entry));
        }
        // Buckets below `top` hold only keys below `high` (the bucket
        // function is monotone), so the first that holds one at or above
        // `low` has the answer.
        for item in self.tree(tree).range(bottom..top).rev() {
            let (bucket, raw) = item.map_err(io_error)?;
            if let Some(entry) = last_within(&bucket, raw, low, high)? {
                return Ok(Some(entry));
            }
        }
        Ok(None)
    }

    /// The entries of a tree whose value holds `needle`'s bytes, in key
    /// order: a bucket that does not hold them at all is passed over
    /// without decoding its entries or copying them out.
    pub(crate) fn entries_holding(&self, tree: T, needle: &[u8]) -> Result<Vec<Entry>, StoreError> {
        let finder = memchr::memmem::Finder::new(needle);
        if tree.packing().is_none() {
            return self
                .tree(tree)
                .iter()
                .filter(|item| item.as_ref().map_or(true, |(_, v)| finder.find(v).is_some()))
                .map(|item| item.map(|(k, v)| (k.to_vec(), v.to_vec())).map_err(io_error))
                .collect();
        }
        let mut out = Vec::new();
        for item in self.tree(tree).iter() {
            let (bucket, stored) = item.map_err(io_error)?;
            let bucket = Plain::of(&bucket, stored)?;
            if finder.find(&bucket).is_none() {
                continue;
            }
            for (k, v) in decode_bucket(&bucket)? {
                if finder.find(v).is_some() {
                    out.push((k.to_vec(), v.to_vec()));
                }
            }
        }
        Ok(out)
    }

    /// The logical entries of a tree within `bounds`, in key order or
    /// (with `reverse`) backwards.
    pub(crate) fn entries(&self, tree: T, bounds: KeyRange, reverse: bool) -> Result<Entries, StoreError> {
        let sled_tree = self.tree(tree);
        let (packed, range) = match tree.packing() {
            None => (false, bounds.clone()),
            Some(p) => (true, (bucket_bound(p, &bounds.0)?, bucket_bound(p, &bounds.1)?)),
        };
        let iter = sled_tree.range::<Vec<u8>, _>(range);
        let items: Box<dyn Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>> + Send> =
            if reverse { Box::new(iter.rev()) } else { Box::new(iter) };
        Ok(Entries {
            items,
            packed,
            bounds,
            bucket: Plain::Stored(sled::IVec::default()),
            pending: Vec::new().into_iter(),
            reverse,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    /// The bucket key of ids 0 to 15 in an id-keyed tree.
    const B: &[u8] = &[0; 8];

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn buckets_follow_the_key_order() {
        let by_leader = Packing::PrefixYear(8);
        let keys = [
            keys::owner_date_id(1, NaiveDate::MIN, 0).to_vec(),
            keys::owner_date_id(1, d(2019, 12, 31), 9).to_vec(),
            keys::owner_date_id(1, d(2020, 1, 1), 1).to_vec(),
            keys::owner_date_id(1, d(2020, 12, 31), u64::MAX).to_vec(),
            keys::owner_date_id(2, d(1990, 1, 1), 0).to_vec(),
            keys::owner_date_id(2, NaiveDate::MAX, u64::MAX).to_vec(),
        ];
        for w in keys.windows(2) {
            assert!(w[0] < w[1]);
            assert!(by_leader.bucket(&w[0]).unwrap() <= by_leader.bucket(&w[1]).unwrap());
        }
        assert_eq!(by_leader.bucket(&keys[2]), by_leader.bucket(&keys[3]));
        assert_ne!(by_leader.bucket(&keys[1]), by_leader.bucket(&keys[2]));
        assert_eq!(
            Packing::IdBlock.bucket(&keys::id(31)),
            Some(1u64.to_be_bytes().to_vec())
        );
        assert_eq!(Packing::IdBlock.bucket(&[1, 2]), None);
    }

    #[test]
    fn damaged_buckets_are_refused() {
        let mut entries = BTreeMap::new();
        entries.insert(b"a".to_vec(), b"xyz".to_vec());
        entries.insert(b"b".to_vec(), Vec::new());
        let good = encode_plain(&entries);
        assert_eq!(bucket_map(B, Some(&good)).unwrap(), entries);
        assert!(decode_bucket(&[]).is_err());
        assert!(decode_bucket(&[2]).is_err());
        assert!(decode_bucket(&good[..good.len() - 1]).is_err());
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(decode_bucket(&trailing).is_err());
        // The same entry twice is out of order.
        let mut twice = good.clone();
        twice.extend_from_slice(&good[1..]);
        assert!(decode_bucket(&twice).is_err());
    }

    /// Sixteen activities' worth of notes that repeat as a bureau's do.
    fn notes() -> BucketMap {
        (0..16u64)
            .map(|i| {
                let note = format!("第{i}次到联系点调研，与支部书记座谈，帮助解决党员活动场地问题。");
                (keys::id(i).to_vec(), note.into_bytes())
            })
            .collect()
    }

    #[test]
    fn buckets_that_compress_are_stored_compressed_and_plain_ones_still_read() {
        let entries = notes();
        let plain = encode_plain(&entries);
        let stored = encode_bucket(T::Activities, B, &entries);
        assert_eq!(stored[0], ZSTD);
        assert!(stored.len() * 3 < plain.len(), "{} of {}", stored.len(), plain.len());
        assert_eq!(inflate(&stored).unwrap().as_deref(), Some(&plain[..]));
        assert_eq!(bucket_map(B, Some(&stored)).unwrap(), entries);
        // The small tables stay plain.
        assert_eq!(encode_bucket(T::Leaders, B, &entries), plain);
        // A layout-4 bucket.
        assert_eq!(inflate(&plain).unwrap(), None);
        assert_eq!(bucket_map(B, Some(&plain)).unwrap(), entries);
        // Short or incompressible values are stored compact.
        let mut few = BTreeMap::new();
        few.insert(keys::id(1).to_vec(), 7u64.to_be_bytes().to_vec());
        let stored = encode_bucket(T::Activities, B, &few);
        assert_eq!(stored[0], COMPACT);
        assert_eq!(bucket_map(B, Some(&stored)).unwrap(), few);
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let noise: Vec<u8> = (0..400)
            .map(|_| {
                // xorshift64: bytes with nothing for zstd to find.
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let mut noisy = BTreeMap::new();
        noisy.insert(keys::id(1).to_vec(), noise);
        let stored = encode_bucket(T::Activities, B, &noisy);
        assert_eq!(stored[0], COMPACT);
        assert_eq!(bucket_map(B, Some(&stored)).unwrap(), noisy);
    }

    /// An index bucket of one visit, as most are at 10k activities: the
    /// owner and the year's first byte are the bucket key's, and the
    /// lengths take a byte each.
    #[test]
    fn small_buckets_are_stored_compact() {
        let key = keys::owner_date_id(7, d(2024, 5, 6), 42).to_vec();
        let bucket = Packing::PrefixYear(8).bucket(&key).unwrap();
        let entries: BucketMap = [(key.clone(), Vec::new())].into();
        let stored = encode_bucket(T::ActivityByLeader, &bucket, &entries);
        assert_eq!(stored[0], COMPACT);
        // Format, shared bytes (9), key length, 11 bytes of key, value length.
        assert_eq!(stored, [&[COMPACT, 9, 11][..], &key[9..], &[0]].concat());
        assert_eq!(encode_plain(&entries).len(), 27);
        assert_eq!(bucket_map(&bucket, Some(&stored)).unwrap(), entries);
        // The key's first bytes come from the bucket's key.
        let other = Packing::PrefixYear(8)
            .bucket(&keys::owner_date_id(8, d(2024, 5, 6), 42))
            .unwrap();
        assert_ne!(bucket_map(&other, Some(&stored)).unwrap(), entries);
        // A day counter: the leader, the kind and the year's first byte.
        let key = keys::day_count(7, crate::domain::ActivityKind::ALL[0], d(2024, 5, 6)).to_vec();
        let bucket = Packing::PrefixYear(9).bucket(&key).unwrap();
        let entries: BucketMap = [(key, 1u64.to_be_bytes().to_vec())].into();
        let stored = encode_bucket(T::DayCount, &bucket, &entries);
        assert_eq!(stored.len(), 2 + 1 + 3 + 1 + 8, "{stored:?}");
        assert_eq!(bucket_map(&bucket, Some(&stored)).unwrap(), entries);
        // The small tables stay plain.
        assert_eq!(encode_bucket(T::Leaders, B, &entries), encode_plain(&entries));
    }

    #[test]
    fn damaged_compact_buckets_are_refused() {
        let entries: BucketMap = [(b"ab".to_vec(), b"x".to_vec()), (b"ac".to_vec(), Vec::new())].into();
        let bucket = b"a";
        let good = encode_bucket(T::Activities, bucket, &entries);
        assert_eq!(good, [COMPACT, 1, 1, b'b', 1, b'x', 1, b'c', 0]);
        assert_eq!(bucket_map(bucket, Some(&good)).unwrap(), entries);
        let refused = |bucket: &[u8], bytes: &[u8]| bucket_map(bucket, Some(bytes)).unwrap_err().to_string();
        for (bytes, why) in [
            (&[COMPACT][..], "cut compact header"),
            (&good[..good.len() - 1], "cut length"),
            (&good[..good.len() - 2], "cut entry"),
            (&[COMPACT, 0, 0x80, 0x00, 0][..], "overlong length"),
            (&[COMPACT, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F][..], "length out of range"),
            (
                &[COMPACT, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01][..],
                "length out of range",
            ),
            (&[COMPACT, 0, 1, b'b', 0, 1, b'a', 0][..], "keys out of order"),
            (&[COMPACT, 0, 1, b'b', 0, 1, b'b', 0][..], "keys out of order"),
        ] {
            let error = refused(bucket, bytes);
            assert!(error.contains(why), "{bytes:?}: {error}");
        }
        let error = refused(b"", &good);
        assert!(error.contains("more shared key bytes"), "{error}");
        // A key longer than the plain format holds.
        let mut long = vec![COMPACT, 0];
        push_varint(&mut long, 1 << 16);
        long.extend(std::iter::repeat_n(b'k', 1 << 16));
        long.push(0);
        assert!(refused(bucket, &long).contains("key too long"));
        // Entries of two bytes that each take the bucket key's 255 bytes:
        // 256 kB that would expand past 32 MiB.
        let mut huge = vec![COMPACT, 255];
        huge.extend(std::iter::repeat_n(0, 2 * (MAX_INFLATED / 261 + 1)));
        assert!(refused(&[7; 255], &huge).contains("expands out of range"));
    }

    /// What an older layout stored is rewritten as this one stores it, and
    /// only that.
    #[test]
    fn older_buckets_are_recoded_once() {
        let key = keys::owner_date_id(7, d(2024, 5, 6), 42).to_vec();
        let bucket = Packing::PrefixYear(8).bucket(&key).unwrap();
        let few: BucketMap = [(key, Vec::new())].into();
        let plain = encode_plain(&few);
        let now = encode_bucket(T::ActivityByLeader, &bucket, &few);
        assert_eq!(
            recoded(T::ActivityByLeader, &bucket, &plain).unwrap(),
            Some(now.clone())
        );
        assert_eq!(recoded(T::ActivityByLeader, &bucket, &now).unwrap(), None);
        // A compressed bucket stays so while its compact form is larger …
        let stored = encode_bucket(T::Activities, B, &notes());
        assert_eq!(stored[0], ZSTD);
        assert_eq!(recoded(T::Activities, B, &stored).unwrap(), None);
        // … and becomes compact where that is smaller.
        let squeezed = compress(&plain).unwrap();
        assert!(squeezed.len() > now.len());
        assert_eq!(recoded(T::ActivityByLeader, &bucket, &squeezed).unwrap(), Some(now));
        // The small tables stay plain, and become so again where layout 5
        // compressed them.
        assert_eq!(recoded(T::Leaders, B, &encode_plain(&notes())).unwrap(), None);
        let compressed = compress(&encode_plain(&notes())).unwrap();
        assert_eq!(
            recoded(T::Leaders, B, &compressed).unwrap(),
            Some(encode_plain(&notes()))
        );
        assert!(recoded(T::ActivityByLeader, &bucket, &[PLAIN, 0]).is_err());
    }

    /// A bucket of sixteen activities with long notes (about 6 kB) leaves
    /// the compression context below glibc's mmap threshold, so that a
    /// command's next bucket reuses heap memory (see [`ZSTD_TABLE_LOG`]).
    #[test]
    fn the_compression_context_stays_small() {
        let entries: BucketMap = (0..16u64)
            .map(|i| {
                let note = format!("第{i}次到联系点调研，听取支部书记汇报，查阅三会一课记录，指出问题并提出整改要求。")
                    .repeat(3);
                (keys::id(i).to_vec(), note.into_bytes())
            })
            .collect();
        let plain = encode_plain(&entries);
        assert!(plain.len() > 5000, "{}", plain.len());
        let mut contexts = new_contexts().unwrap();
        contexts.0.compress(&plain).unwrap();
        let size = contexts.0.context_mut().sizeof();
        assert!(size < 128 * 1024, "{size} bytes");
    }

    /// Threads that compress and inflate at once each get a pair of
    /// contexts of their own from the shared pool, and the pool keeps no
    /// more than [`POOLED_CONTEXTS`] afterwards.
    #[test]
    fn threads_share_the_pool_of_contexts() {
        std::thread::scope(|scope| {
            for t in 0..8u64 {
                scope.spawn(move || {
                    for round in 0..20u64 {
                        let mut entries = notes();
                        entries.insert(keys::id(1000 + t).to_vec(), format!("线程{t}第{round}轮").into_bytes());
                        let stored = encode_bucket(T::Activities, B, &entries);
                        assert_eq!(stored[0], ZSTD);
                        assert_eq!(bucket_map(B, Some(&stored)).unwrap(), entries);
                    }
                });
            }
        });
        let pooled = ZSTD_CONTEXTS.lock().unwrap().len();
        assert!((1..=POOLED_CONTEXTS).contains(&pooled), "{pooled} pooled");
    }

    #[test]
    fn damaged_compressed_buckets_are_refused() {
        let stored = encode_bucket(T::Activities, B, &notes());
        assert_eq!(stored[0], ZSTD);
        let refused = |bytes: &[u8]| bucket_map(B, Some(bytes)).is_err();
        assert!(refused(&[ZSTD]));
        assert!(refused(&stored[..3]));
        assert!(refused(&stored[..5]));
        assert!(refused(&stored[..stored.len() - 1]));
        // Another length than the frame's.
        for len in [
            0u32,
            1,
            u32::from_be_bytes(stored[1..5].try_into().unwrap()) + 1,
            u32::MAX,
        ] {
            let mut wrong = stored.clone();
            wrong[1..5].copy_from_slice(&len.to_be_bytes());
            assert!(refused(&wrong), "length {len}");
        }
        // A length past the bound is refused before anything is inflated;
        // at the bound, the frame's own length decides.
        let mut huge = stored.clone();
        huge[1..5].copy_from_slice(&(MAX_INFLATED as u32 + 1).to_be_bytes());
        let error = inflate(&huge).unwrap_err().to_string();
        assert!(error.contains("compressed length out of range"), "{error}");
        huge[1..5].copy_from_slice(&(MAX_INFLATED as u32).to_be_bytes());
        let error = inflate(&huge).unwrap_err().to_string();
        assert!(!error.contains("out of range"), "{error}");
        // A frame of something that is not a plain bucket.
        let mut other = vec![ZSTD];
        let junk = b"not a bucket at all, not a bucket at all, not a bucket at all".repeat(3);
        other.extend_from_slice(&(junk.len() as u32).to_be_bytes());
        other.extend_from_slice(&zstd::bulk::compress(&junk, 3).unwrap());
        assert!(refused(&other));
        let mut trailing = stored.clone();
        trailing.push(0);
        assert!(refused(&trailing));
    }

    #[test]
    fn a_rewritten_bucket_keeps_its_entries_in_order() {
        let write = |key: &[u8], value: Option<&[u8]>| (key.to_vec(), value.map(<[u8]>::to_vec));
        let mut bucket = PlainBucket::read(B, None).unwrap();
        assert!(bucket.is_empty());
        assert_eq!(bucket.last_key().unwrap(), None);
        bucket
            .write_all([write(b"m", Some(b"1")), write(b"a", Some(b"22"))])
            .unwrap();
        // The last write of a key wins; removing a missing key changes nothing.
        bucket
            .write_all([
                write(b"z", Some(b"x")),
                write(b"m", Some(b"longer")),
                write(b"q", None),
                write(b"z", Some(b"")),
            ])
            .unwrap();
        assert_eq!(bucket.last_key().unwrap(), Some(&b"z"[..]));
        let expected: BucketMap = [(b"a", &b"22"[..]), (b"m", b"longer"), (b"z", b"")]
            .into_iter()
            .map(|(k, v)| (k.to_vec(), v.to_vec()))
            .collect();
        let stored = bucket.encode(T::Activities, B);
        assert_eq!(stored, encode_bucket(T::Activities, B, &expected));
        let mut again = PlainBucket::read(B, Some(&stored)).unwrap();
        again
            .write_all([write(b"z", None), write(b"a", None), write(b"m", None)])
            .unwrap();
        assert!(again.is_empty());
        // Damaged values are refused as every reader refuses them.
        let compressed = encode_bucket(T::Activities, B, &notes());
        assert_eq!(compressed[0], ZSTD);
        assert_eq!(
            PlainBucket::read(B, Some(&compressed))
                .unwrap()
                .encode(T::Activities, B),
            compressed
        );
        for damaged in [&compressed[..compressed.len() - 1], &[PLAIN, 0, 9][..], &[7][..]] {
            assert!(PlainBucket::read(B, Some(damaged)).is_err());
        }
    }

    proptest! {
        /// Writes merged into a bucket, in batches, leave what the same
        /// writes leave in a map of its entries, stored the same way.
        #[test]
        fn merged_writes_match_writes_to_a_map(
            start in proptest::collection::btree_map(
                proptest::collection::vec(0u8..6, 0..4),
                proptest::collection::vec(0u8..4, 0..80),
                0..12,
            ),
            batches in proptest::collection::vec(proptest::collection::vec(
                (proptest::collection::vec(0u8..6, 0..4), proptest::option::of(proptest::collection::vec(0u8..4, 0..80))),
                0..12,
            ), 0..4),
        ) {
            let mut map = start.clone();
            let mut bucket = PlainBucket::read(B, Some(&encode_bucket(T::Activities, B, &start))).unwrap();
            for writes in batches {
                bucket.write_all(writes.clone()).unwrap();
                for (key, value) in writes {
                    match value {
                        Some(v) => map.insert(key, v),
                        None => map.remove(&key),
                    };
                }
            }
            prop_assert_eq!(bucket.is_empty(), map.is_empty());
            prop_assert_eq!(bucket.last_key().unwrap(), map.last_key_value().map(|(k, _)| k.as_slice()));
            prop_assert_eq!(bucket.encode(T::Activities, B), encode_bucket(T::Activities, B, &map));
        }

        /// A bucket function must never put a larger key in a smaller bucket,
        /// for any bytes (damaged dates included).
        #[test]
        fn buckets_are_monotone(a in proptest::collection::vec(any::<u8>(), 20), b in proptest::collection::vec(any::<u8>(), 20)) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            for p in [Packing::IdBlock, Packing::Prefix(4), Packing::Prefix(8), Packing::PrefixYear(8), Packing::PrefixYear(9), Packing::PrefixIdBlock(4)] {
                prop_assert!(p.bucket(&lo).unwrap() <= p.bucket(&hi).unwrap(), "{p:?}");
            }
        }

        #[test]
        fn encode_then_decode_is_identity(entries in proptest::collection::btree_map(
            proptest::collection::vec(any::<u8>(), 0..24),
            proptest::collection::vec(any::<u8>(), 0..64),
            0..20,
        )) {
            prop_assert_eq!(bucket_map(B, Some(&encode_bucket(T::Activities, B, &entries))).unwrap(), entries);
        }

        /// Keys of few letters, so that they share bytes with each other and
        /// with the bucket's key (any of its bytes, up to all of them).
        #[test]
        fn compact_values_expand_to_the_plain_value(
            bucket in proptest::collection::vec(0u8..3, 0..6),
            entries in proptest::collection::btree_map(
                proptest::collection::vec(0u8..3, 0..8),
                proptest::collection::vec(any::<u8>(), 0..200),
                0..20,
            ),
        ) {
            let plain = encode_plain(&entries);
            let compact = compact(&bucket, &plain).unwrap();
            prop_assert_eq!(compact[0], COMPACT);
            prop_assert_eq!(expand(&bucket, &compact).unwrap(), plain);
            prop_assert_eq!(bucket_map(&bucket, Some(&encode_bucket(T::DayCount, &bucket, &entries))).unwrap(), entries);
        }

        /// LEB128 both ways, at the edges of each byte count.
        #[test]
        fn varints_read_back(n in prop_oneof![0usize..300, Just(0x3FFF), Just(0x4000), Just(u32::MAX as usize)]) {
            let mut bytes = Vec::new();
            push_varint(&mut bytes, n);
            let mut at = 0;
            prop_assert_eq!(read_varint(&bytes, &mut at).unwrap(), n);
            prop_assert_eq!(at, bytes.len());
        }

        /// The same with values of a few letters, which compress.
        #[test]
        fn compressed_buckets_decode_to_what_was_encoded(entries in proptest::collection::btree_map(
            proptest::collection::vec(any::<u8>(), 0..24),
            proptest::collection::vec(0u8..4, 0..300),
            0..20,
        )) {
            prop_assert_eq!(bucket_map(B, Some(&encode_bucket(T::Activities, B, &entries))).unwrap(), entries);
        }
    }
}
