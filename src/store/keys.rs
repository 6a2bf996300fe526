//! Key layout. Every key is built by hand, big-endian, so that sled's byte
//! order is the order people think in: by id, by date, by leader then date.
//! One year is one range scan of `activity_by_date`; one leader's work is one
//! prefix scan of `activity_by_leader`. Never encode a key with bincode: its
//! varints do not sort.

use chrono::{Datelike, NaiveDate};

use crate::domain::ActivityKind;

/// A date as 4 bytes that sort like the dates: days from the common era,
/// with the sign bit flipped so that negative days sort first.
pub fn date(d: NaiveDate) -> [u8; 4] {
    ((d.num_days_from_ce() as u32) ^ 0x8000_0000).to_be_bytes()
}

/// The inverse of [`date`].
pub fn date_from(bytes: [u8; 4]) -> Option<NaiveDate> {
    let days = (u32::from_be_bytes(bytes) ^ 0x8000_0000) as i32;
    NaiveDate::from_num_days_from_ce_opt(days)
}

/// A year as 4 bytes that sort like the years (for the targets tree).
pub fn year(y: i32) -> [u8; 4] {
    ((y as u32) ^ 0x8000_0000).to_be_bytes()
}

pub fn year_from(bytes: [u8; 4]) -> i32 {
    (u32::from_be_bytes(bytes) ^ 0x8000_0000) as i32
}

/// A record id.
pub fn id(id: u64) -> [u8; 8] {
    id.to_be_bytes()
}

pub fn id_from(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

/// `date ‖ id`: a record in date order (activities, events).
pub fn date_id(d: NaiveDate, rec: u64) -> [u8; 12] {
    let mut k = [0u8; 12];
    k[..4].copy_from_slice(&date(d));
    k[4..].copy_from_slice(&id(rec));
    k
}

/// `owner ‖ date ‖ id`: a record under its owner (leader or point), in date order.
pub fn owner_date_id(owner: u64, d: NaiveDate, rec: u64) -> [u8; 20] {
    let mut k = [0u8; 20];
    k[..8].copy_from_slice(&id(owner));
    k[8..12].copy_from_slice(&date(d));
    k[12..].copy_from_slice(&id(rec));
    k
}

/// `owner ‖ id`: a record under its owner, in id order.
pub fn owner_id(owner: u64, rec: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&id(owner));
    k[8..].copy_from_slice(&id(rec));
    k
}

/// The byte after a name in [`name_id`]: UTF-8 never holds it, so the
/// keys of one name are exactly those that start with `hash ‖ name ‖
/// 0xFF`, and no longer name that begins with it falls among them.
const NAME_END: u8 = 0xFF;

/// How many groups [`name_hash`] spreads names over: the buckets of
/// `leader_by_name`. sled splits a leaf at 16 keys whatever their size,
/// so 64 buckets are 4 leaves: about 6 kB each for 1,000 leaders, and
/// under sled's 128 kB blob threshold up to some 20,000 (a blob is a file
/// of its own that sled does not sync).
pub const NAME_GROUPS: u32 = 64;

/// The group of a name: FNV-1a (32 bits) of its bytes, modulo
/// [`NAME_GROUPS`]. Part of the key layout, so it never changes.
pub fn name_hash(name: &str) -> u8 {
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    (h % NAME_GROUPS) as u8
}

/// `hash ‖ name ‖ 0xFF ‖ id`: a record under its name (`leader_by_name`).
/// Only exact names are looked up there, so the names need no order: the
/// hash in front spreads them over [`NAME_GROUPS`] buckets of the packed
/// tree, each one sled key. One key per name was 63 sled leaves for
/// 1,000 leaders, and sled reads the state of every leaf on each open.
pub fn name_id(name: &str, rec: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(name.len() + 10);
    k.push(name_hash(name));
    k.extend_from_slice(name.as_bytes());
    k.push(NAME_END);
    k.extend_from_slice(&id(rec));
    k
}

/// The id at the end of an index key (the last 8 bytes).
pub fn trailing_id(key: &[u8]) -> Option<u64> {
    key.len().checked_sub(8).and_then(|start| id_from(&key[start..]))
}

/// The date inside an `owner ‖ date ‖ id` key.
pub fn owner_key_date(key: &[u8]) -> Option<NaiveDate> {
    date_from(key.get(8..12)?.try_into().ok()?)
}

/// The range of `date ‖ id` keys of one year.
pub fn year_range(y: i32) -> std::ops::RangeInclusive<[u8; 12]> {
    let (first, last) = crate::domain::date::year_bounds(y);
    date_id(first, 0)..=date_id(last, u64::MAX)
}

/// The range of `owner ‖ date ‖ id` keys of one owner in one year.
pub fn owner_year_range(owner: u64, y: i32) -> std::ops::RangeInclusive<[u8; 20]> {
    let (first, last) = crate::domain::date::year_bounds(y);
    owner_date_id(owner, first, 0)..=owner_date_id(owner, last, u64::MAX)
}

/// The byte that stands for an activity kind in keys: its position in
/// `ActivityKind::ALL`, so new kinds must only ever be added at the end.
pub fn kind(k: ActivityKind) -> u8 {
    ActivityKind::ALL.iter().position(|x| *x == k).unwrap_or(0) as u8
}

/// The tag of solved problems in the tally trees, beside the activity
/// kinds' bytes (see [`kind`]): far above them, so kinds can be added.
pub const SOLVED: u8 = 0xFF;

/// `leader ‖ kind ‖ date`: a day counter of the `day_count` tree.
pub fn day_count(leader: u64, k: ActivityKind, d: NaiveDate) -> [u8; 13] {
    day_tally(leader, kind(k), d)
}

/// `leader ‖ tag ‖ date`: a day counter of the `day_count` tree, for an
/// activity kind's byte or [`SOLVED`].
pub fn day_tally(leader: u64, tag: u8, d: NaiveDate) -> [u8; 13] {
    let mut key = [0u8; 13];
    key[..8].copy_from_slice(&id(leader));
    key[8] = tag;
    key[9..].copy_from_slice(&date(d));
    key
}

/// `year ‖ leader`: the key of a leader's year counters in the
/// `year_count` tree (the value holds one counter per tag, see
/// [`encode_tagged`]): a year of 1,000 leaders is 1,000 entries to scan.
pub fn year_tally(y: i32, leader: u64) -> [u8; 12] {
    let mut key = [0u8; 12];
    key[..4].copy_from_slice(&year(y));
    key[4..].copy_from_slice(&id(leader));
    key
}

/// `year ‖ point`: a point's `point_last` entry of one year (the same
/// layout as [`year_tally`]).
pub fn year_point(y: i32, point: u64) -> [u8; 12] {
    year_tally(y, point)
}

/// The point of a `point_last` key.
pub fn year_point_point(key: &[u8]) -> Option<u64> {
    year_tally_leader(key)
}

/// The leader of a `year_count` key.
pub fn year_tally_leader(key: &[u8]) -> Option<u64> {
    if key.len() != 12 {
        return None;
    }
    id_from(&key[4..])
}

/// Tagged counters as a value: `tag ‖ count` (1 + 8 bytes, big-endian)
/// for each counter above zero, in tag order.
pub fn encode_tagged(counts: &std::collections::BTreeMap<u8, u64>) -> Vec<u8> {
    let mut out = Vec::with_capacity(counts.len() * 9);
    for (tag, n) in counts.iter().filter(|(_, n)| **n > 0) {
        out.push(*tag);
        out.extend_from_slice(&n.to_be_bytes());
    }
    out
}

/// The counters of an [`encode_tagged`] value; `None` if it is malformed
/// (a partial pair, tags out of order or repeated).
pub fn decode_tagged(bytes: &[u8]) -> Option<std::collections::BTreeMap<u8, u64>> {
    tagged_pairs(bytes).map(|pairs| pairs.collect())
}

/// The `(tag, count)` pairs of an [`encode_tagged`] value without
/// collecting them (a year's status reads a thousand of these); `None` if
/// it is malformed.
pub fn tagged_pairs(bytes: &[u8]) -> Option<impl Iterator<Item = (u8, u64)> + '_> {
    let in_order = bytes.len().is_multiple_of(9)
        && bytes
            .chunks_exact(9)
            .zip(bytes.chunks_exact(9).skip(1))
            .all(|(a, b)| a[0] < b[0]);
    in_order.then(|| {
        bytes
            .chunks_exact(9)
            .map(|pair| (pair[0], u64::from_be_bytes(pair[1..].try_into().unwrap_or_default())))
    })
}

/// The date of a `day_count` key.
pub fn day_tally_date(key: &[u8]) -> Option<NaiveDate> {
    date_from(key.get(9..13)?.try_into().ok()?)
}

/// `point ‖ year`: an assessment, one per point and year.
pub fn point_year(point: u64, y: i32) -> [u8; 12] {
    let mut k = [0u8; 12];
    k[..8].copy_from_slice(&id(point));
    k[8..].copy_from_slice(&year(y));
    k
}

/// The first day of a year key's year (for tests of ordering).
pub fn year_of(d: NaiveDate) -> i32 {
    d.year()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_name_s_keys_hold_that_name_alone() {
        // The hash is part of the layout: stored keys must keep finding it
        // (FNV-1a test values: "" 0x811c9dc5, "a" 0xe40c292c).
        assert_eq!([name_hash(""), name_hash("王建国"), name_hash("a")], [5, 4, 44]);
        let names = ["王建", "王建国", "王建\u{0}", "a", "ab", "王"];
        for n in names {
            let (low, high) = (name_id(n, 0), name_id(n, u64::MAX));
            assert_eq!(trailing_id(&name_id(n, 42)), Some(42));
            assert!(low <= name_id(n, 42) && name_id(n, 42) <= high);
            for other in names.iter().filter(|o| **o != n) {
                let k = name_id(other, 42);
                assert!(k < low || k > high, "{other:?} among the keys of {n:?}");
            }
        }
        // Thousands of names spread over all the groups, none with many.
        let mut groups = [0u32; NAME_GROUPS as usize];
        for i in 0..6_400 {
            groups[usize::from(name_hash(&format!("干部{i}")))] += 1;
        }
        assert!(groups.iter().all(|n| (50..200).contains(n)), "{groups:?}");
    }

    #[test]
    fn dates_round_trip_and_sort() {
        let ds = [
            d(-5, 1, 1),
            d(1, 1, 1),
            d(1999, 12, 31),
            d(2020, 2, 29),
            d(2020, 3, 1),
            d(2100, 1, 1),
        ];
        for w in ds.windows(2) {
            assert!(date(w[0]) < date(w[1]), "{} !< {}", w[0], w[1]);
        }
        for x in ds {
            assert_eq!(date_from(date(x)), Some(x));
        }
    }

    #[test]
    fn years_sort() {
        assert!(year(-1) < year(0));
        assert!(year(2020) < year(2021));
        assert_eq!(year_from(year(2021)), 2021);
    }

    #[test]
    fn composite_keys_sort_by_owner_then_date_then_id() {
        let a = owner_date_id(1, d(2020, 12, 31), 99);
        let b = owner_date_id(2, d(2020, 1, 1), 1);
        let c = owner_date_id(2, d(2020, 1, 1), 2);
        let e = owner_date_id(2, d(2020, 1, 2), 0);
        assert!(a < b && b < c && c < e);
        assert_eq!(trailing_id(&c), Some(2));
        assert_eq!(owner_key_date(&e), Some(d(2020, 1, 2)));
    }

    #[test]
    fn tagged_counters_round_trip_and_refuse_garbage() {
        let counts: std::collections::BTreeMap<u8, u64> = [(0, 3), (2, 1), (SOLVED, 70_000)].into();
        let bytes = encode_tagged(&counts);
        assert_eq!(bytes.len(), 27);
        assert_eq!(decode_tagged(&bytes), Some(counts));
        assert_eq!(decode_tagged(&bytes[..26]), None);
        let mut swapped = bytes.clone();
        swapped[..9].copy_from_slice(&bytes[9..18]);
        swapped[9..18].copy_from_slice(&bytes[..9]);
        assert_eq!(decode_tagged(&swapped), None);
        assert_eq!(decode_tagged(&[]), Some(Default::default()));
        let zero: std::collections::BTreeMap<u8, u64> = [(1, 0)].into();
        assert!(encode_tagged(&zero).is_empty());
    }

    #[test]
    fn year_counters_sort_by_year_then_leader() {
        assert!(year_tally(2019, 900) < year_tally(2020, 1));
        assert!(year_tally(2020, 1) < year_tally(2020, 2));
        assert_eq!(year_tally_leader(&year_tally(2020, 77)), Some(77));
        assert_eq!(year_tally_leader(&year_tally(2020, 77)[..11]), None);
    }

    #[test]
    fn day_counters_sort_by_leader_kind_date() {
        let a = day_count(1, ActivityKind::Research, d(2020, 12, 31));
        let b = day_count(1, ActivityKind::Interview, d(2020, 1, 1));
        let c = day_count(2, ActivityKind::Research, d(2019, 1, 1));
        assert!(a < b && b < c);
        assert_eq!(kind(ActivityKind::Research), 0);
        assert_eq!(kind(ActivityKind::HomeVisit), 8);
    }

    #[test]
    fn year_range_holds_exactly_the_year() {
        let r = year_range(2020);
        assert!(r.contains(&date_id(d(2020, 1, 1), 0)));
        assert!(r.contains(&date_id(d(2020, 12, 31), u64::MAX)));
        assert!(!r.contains(&date_id(d(2019, 12, 31), u64::MAX)));
        assert!(!r.contains(&date_id(d(2021, 1, 1), 0)));
    }
}
