//! Property tests of issue 6 for the pieces that take bytes or text from
//! outside: the date parser, the key encoding (byte order is the order of
//! what is encoded), the record encoding (round trip; arbitrary bytes never
//! panic, and bincode's size limit holds) and import (arbitrary bytes never
//! panic). The server's frame decoder has its own in src/server/protocol.rs.

use branchlink::domain::date::{self, DateForms, MAX_YEAR, MIN_YEAR};
use branchlink::domain::{Activity, ActivityKind, Leader};
use branchlink::store::{codec, keys, parse_snapshot};
use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;

fn any_date() -> impl Strategy<Value = NaiveDate> {
    // Every day from year -2000 to 12000: wider than the stored range.
    (-2000i32 * 366..12000 * 366).prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).unwrap())
}

fn stored_date() -> impl Strategy<Value = NaiveDate> {
    any_date().prop_filter("in the stored range", |d| (MIN_YEAR..=MAX_YEAR).contains(&d.year()))
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 12, 15).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn the_date_parser_takes_any_text_and_answers_in_range(s in "\\PC{0,24}|[0-9+\\-/. ]{0,14}") {
        for forms in [DateForms::Full, DateForms::Quick] {
            if let Ok(d) = date::parse(&s, today(), forms) {
                prop_assert!((MIN_YEAR..=MAX_YEAR).contains(&d.year()), "{s:?} gave {d}");
            }
        }
    }

    #[test]
    fn a_written_date_reads_back(d in any_date()) {
        let text = d.format("%Y-%m-%d").to_string();
        let parsed = date::parse(&text, today(), DateForms::Full);
        if (MIN_YEAR..=MAX_YEAR).contains(&d.year()) {
            prop_assert_eq!(parsed, Ok(d));
        } else {
            prop_assert!(parsed.is_err(), "{text} accepted");
        }
    }

    #[test]
    fn key_bytes_sort_like_their_values(a in any_date(), b in any_date(), i in any::<u64>(), j in any::<u64>(),
                                        o in any::<u64>(), p in any::<u64>()) {
        prop_assert_eq!(keys::date(a).cmp(&keys::date(b)), a.cmp(&b));
        prop_assert_eq!(keys::date_from(keys::date(a)), Some(a));
        prop_assert_eq!(keys::date_id(a, i).cmp(&keys::date_id(b, j)), (a, i).cmp(&(b, j)));
        prop_assert_eq!(
            keys::owner_date_id(o, a, i).cmp(&keys::owner_date_id(p, b, j)),
            (o, a, i).cmp(&(p, b, j))
        );
        prop_assert_eq!(keys::owner_id(o, i).cmp(&keys::owner_id(p, j)), (o, i).cmp(&(p, j)));
        prop_assert_eq!(keys::id_from(&keys::id(i)), Some(i));
    }

    #[test]
    fn a_record_decodes_to_what_was_encoded(
        id in 1u64.., leader in 1u64.., point in any::<u64>(), d in stored_date(), kind in 0..ActivityKind::ALL.len(),
        note in proptest::option::of("\\PC{0,200}"), place in proptest::option::of("\\PC{0,40}"),
    ) {
        let a = Activity {
            id, date: d, leader, point, kind: ActivityKind::ALL[kind], place,
            participants: None, findings: note.clone(), actions: None, note,
        };
        let bytes = codec::encode(a.clone()).unwrap();
        prop_assert_eq!(codec::decode::<Activity>(&bytes).unwrap(), a);
        // One byte more or less is refused, never misread.
        let mut longer = bytes.clone();
        longer.push(0);
        prop_assert!(codec::decode::<Activity>(&longer).is_err());
        prop_assert!(codec::decode::<Activity>(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_record_decoder(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = codec::decode::<Activity>(&bytes);
        let _ = codec::decode::<Leader>(&bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic_import(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        prop_assert!(parse_snapshot(&bytes).is_err());
    }

    #[test]
    fn json_shaped_junk_never_panics_import(s in "[\\[\\]{}\",:0-9a-z\\\\ ]{0,300}") {
        let _ = parse_snapshot(s.as_bytes());
    }
}

/// A length prefix claiming far more than the bytes hold (or than the 1 MiB
/// limit) is refused at once instead of allocating it.
#[test]
fn a_huge_length_prefix_is_refused_without_allocating_it() {
    let a = Activity {
        id: 1,
        date: today(),
        leader: 1,
        point: 1,
        kind: ActivityKind::Research,
        place: None,
        participants: None,
        findings: None,
        actions: None,
        note: Some("x".into()),
    };
    let bytes = codec::encode(a).unwrap();
    // Replace every byte in turn by 0xFF / 0xFB (bincode's varint markers for
    // u64 / u32 lengths) followed by the largest length.
    for at in 0..bytes.len() {
        for marker in [0xFBu8, 0xFC, 0xFD] {
            let mut evil = bytes[..at].to_vec();
            evil.push(marker);
            evil.extend_from_slice(&[0xFF; 16]);
            let started = std::time::Instant::now();
            let _ = codec::decode::<Activity>(&evil);
            assert!(started.elapsed() < std::time::Duration::from_secs(1));
        }
    }
}
