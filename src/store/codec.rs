//! Versioned record encoding.
//!
//! bincode is not self-describing: a value encoded with one struct layout
//! cannot be read with another. So every stored value is an *envelope*, an
//! enum with one variant per layout version, encoded with bincode (the
//! variant index comes first). To change a record's layout:
//! 1. copy the current struct into a frozen `…V1` struct here and point the
//!    `V1` variant at it;
//! 2. add a `V2` variant, at the end, holding the new struct;
//! 3. write the upgrade from V1 to V2 in `from_envelope`.
//!
//! Old databases then keep reading: their bytes say V1 and are upgraded on
//! read. Rules that keep this sound: no `#[serde(skip)]`, `flatten` or `tag`
//! on stored types; variants are only ever added at the end; decoding
//! rejects trailing bytes and is bounded in size.

use bincode::config::{self, Config};
use serde::{Serialize, de::DeserializeOwned};

use crate::domain::{Activity, AuditEntry, Branch, BureauEvent, ContactPoint, Leader, Problem, Targets};

/// The largest value the store will decode (a 10,000-character note in
/// several fields is well under this).
pub const MAX_VALUE_BYTES: usize = 1 << 20;

fn config() -> impl Config {
    config::standard().with_limit::<MAX_VALUE_BYTES>()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("cannot decode {what}: {reason}")]
    Decode { what: &'static str, reason: String },
    #[error("cannot decode {what}: {extra} trailing bytes")]
    Trailing { what: &'static str, extra: usize },
    #[error("cannot encode {what}: {reason}")]
    Encode { what: &'static str, reason: String },
}

/// A type stored through a versioned envelope.
pub trait Versioned: Sized {
    type Envelope: Serialize + DeserializeOwned;
    /// Name used in error messages.
    const WHAT: &'static str;
    fn into_envelope(self) -> Self::Envelope;
    fn from_envelope(envelope: Self::Envelope) -> Self;
}

/// Encodes a value in the latest envelope version.
pub fn encode<T: Versioned>(value: T) -> Result<Vec<u8>, CodecError> {
    encode_envelope::<T>(&value.into_envelope())
}

/// Encodes an envelope as it is (used by tests to write older versions).
pub fn encode_envelope<T: Versioned>(envelope: &T::Envelope) -> Result<Vec<u8>, CodecError> {
    bincode::serde::encode_to_vec(envelope, config()).map_err(|e| CodecError::Encode {
        what: T::WHAT,
        reason: e.to_string(),
    })
}

/// Decodes any known version, upgrading it to the current type. Trailing
/// bytes and values over [`MAX_VALUE_BYTES`] are errors, never panics.
pub fn decode<T: Versioned>(bytes: &[u8]) -> Result<T, CodecError> {
    let (envelope, read): (T::Envelope, usize) =
        bincode::serde::decode_from_slice(bytes, config()).map_err(|e| CodecError::Decode {
            what: T::WHAT,
            reason: e.to_string(),
        })?;
    if read != bytes.len() {
        return Err(CodecError::Trailing {
            what: T::WHAT,
            extra: bytes.len() - read,
        });
    }
    Ok(T::from_envelope(envelope))
}

/// Declares the envelope of a type whose only layout so far is version 1.
macro_rules! single_version {
    ($ty:ty, $envelope:ident, $what:literal) => {
        #[derive(serde::Serialize, serde::Deserialize)]
        pub enum $envelope {
            V1($ty),
        }
        impl Versioned for $ty {
            type Envelope = $envelope;
            const WHAT: &'static str = $what;
            fn into_envelope(self) -> $envelope {
                $envelope::V1(self)
            }
            fn from_envelope(envelope: $envelope) -> Self {
                match envelope {
                    $envelope::V1(v) => v,
                }
            }
        }
    };
}

single_version!(Leader, LeaderRecord, "leader");
single_version!(Branch, BranchRecord, "branch");
single_version!(ContactPoint, PointRecord, "contact point");
single_version!(Activity, ActivityRecord, "activity");
single_version!(Problem, ProblemRecord, "problem");
single_version!(BureauEvent, EventRecord, "bureau event");
single_version!(Targets, TargetsRecord, "targets");
single_version!(AuditEntry, AuditRecord, "audit entry");
single_version!(crate::domain::Assessment, AssessmentRecord, "assessment");
single_version!(crate::domain::Rubric, RubricRecord, "rubric");
single_version!(crate::domain::Plan, PlanRecord, "work plan");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ActivityKind, Role};
    use chrono::NaiveDate;
    use serde::{Deserialize, Serialize};

    fn leader() -> Leader {
        Leader {
            id: 7,
            name: "瑞林".into(),
            title: "书记、局长".into(),
            role: Role::Secretary,
            own_branch: Some(3),
            in_post_from: NaiveDate::from_ymd_opt(2018, 3, 1).unwrap(),
            in_post_to: None,
        }
    }

    #[test]
    fn round_trip() {
        let l = leader();
        assert_eq!(decode::<Leader>(&encode(l.clone()).unwrap()).unwrap(), l);
    }

    #[test]
    fn trailing_bytes_are_refused() {
        let mut bytes = encode(leader()).unwrap();
        bytes.push(0);
        assert!(matches!(
            decode::<Leader>(&bytes),
            Err(CodecError::Trailing { extra: 1, .. })
        ));
    }

    #[test]
    fn truncated_and_garbage_are_errors() {
        let bytes = encode(leader()).unwrap();
        for cut in 0..bytes.len() {
            assert!(decode::<Leader>(&bytes[..cut]).is_err());
        }
        assert!(decode::<Activity>(&[9, 9, 9]).is_err());
        // A length prefix claiming gigabytes must fail fast, not allocate.
        assert!(decode::<Leader>(&[0, 7, 252, 255, 255, 255, 255]).is_err());
        let _ = ActivityKind::Research;
    }

    // The scenario the envelope exists for: version 1 of a record is on disk,
    // then a field is added. The old bytes must still decode.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct NoteV1 {
        id: u64,
        text: String,
    }
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Note {
        id: u64,
        text: String,
        place: Option<String>,
    }
    #[derive(Serialize, Deserialize)]
    enum OldEnvelope {
        V1(NoteV1),
    }
    #[derive(Serialize, Deserialize)]
    enum NoteEnvelope {
        V1(NoteV1),
        V2(Note),
    }
    impl Versioned for Note {
        type Envelope = NoteEnvelope;
        const WHAT: &'static str = "note";
        fn into_envelope(self) -> NoteEnvelope {
            NoteEnvelope::V2(self)
        }
        fn from_envelope(e: NoteEnvelope) -> Note {
            match e {
                NoteEnvelope::V1(v) => Note {
                    id: v.id,
                    text: v.text,
                    place: None,
                },
                NoteEnvelope::V2(v) => v,
            }
        }
    }

    #[test]
    fn previous_layout_still_decodes_after_a_field_is_added() {
        let old = bincode::serde::encode_to_vec(
            OldEnvelope::V1(NoteV1 {
                id: 3,
                text: "蹲点".into(),
            }),
            config(),
        )
        .unwrap();
        let upgraded: Note = decode(&old).unwrap();
        assert_eq!(
            upgraded,
            Note {
                id: 3,
                text: "蹲点".into(),
                place: None
            }
        );
        let new = Note {
            id: 4,
            text: "x".into(),
            place: Some("会议室".into()),
        };
        assert_eq!(decode::<Note>(&encode(new.clone()).unwrap()).unwrap(), new);
        // And a bare struct without the envelope would not have survived:
        assert!(
            bincode::serde::decode_from_slice::<Note, _>(
                &bincode::serde::encode_to_vec(
                    NoteV1 {
                        id: 3,
                        text: "蹲点".into()
                    },
                    config()
                )
                .unwrap(),
                config()
            )
            .is_err()
        );
    }
}
