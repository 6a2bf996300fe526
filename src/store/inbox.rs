//! The inbox: visits logged on the command line without opening sled.
//!
//! Opening sled is most of what a one-shot `visit add --no-server` costs
//! (it reads sled's snapshot, replays its log, writes a new snapshot and
//! `fsync`s twice: 4 ms of a 5.5 ms add at 10k activities, 23 of 25 ms at
//! 1M; docs/PERFORMANCE.md). Logging a visit needs little of the data: the
//! leaders (to find the one named), the points they held (to find the one
//! of the day) and the last activity id. So:
//!
//! - **The digest** (`<db>/digest`) holds exactly that. The process that
//!   holds the database writes it when it is done (after a flush, while it
//!   still holds sled's lock, and not at all once a commit failed), and
//!   removes it before its first change: a digest on disk always matches
//!   the data in sled plus the inbox. An open removes at once a digest
//!   that is not whole, of this layout and of the data's last activity.
//!   It is rebuilt from sled, so losing it costs one slower add.
//! - **The inbox** (`<db>/inbox`) is a file of framed, checksummed
//!   entries. A `visit add --no-server` that finds a digest takes sled's
//!   own lock (an `flock` of `<db>/db`, so neither sled nor another adder
//!   runs meanwhile), checks the visit against the digest as the store
//!   would (same validation, same leader look-up, same point of the day),
//!   appends it with its id, and `fdatasync`s before it reports it saved.
//! - **The replay**: every [`Store::open`](super::Store::open) applies the
//!   inbox's entries before anything reads the store, in one transaction
//!   that also records which inbox and how many of its entries it applied,
//!   so a crash before the inbox is emptied cannot apply one twice. Each
//!   entry is checked again against sled; one that no longer fits is
//!   refused into the audit log (`activity.refused`, with the reason) and
//!   keeps its id from other visits; an id taken meanwhile gives way to
//!   the next. Neither happens while every process is of this layout (8,
//!   which older versions refuse to open). An error of the store fails the
//!   open and keeps the inbox.
//!
//! Each entry is framed by its length, the length's crc32 and the entry's
//! crc32. A torn last entry (a process killed while appending, before it
//! said "saved") is part of a frame's head, a whole length running past
//! the end of the file, or zeros: the replay stops there, and the next
//! adder cuts it off. Anything else that does not read is damage from the
//! disk: adders leave such an inbox alone, and the next open applies the
//! whole entries, keeps the ids of the others from other visits, and keeps
//! the file aside as `inbox.damaged-<n>` (`inbox.damaged` in the audit
//! log).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::codec;
use crate::domain::{self, Activity, ContactPoint, Leader, LeaderId, PointId};
use crate::error::{Result, StoreError};

/// The digest file inside the database directory.
pub const DIGEST_FILE: &str = "digest";
/// The inbox file inside the database directory.
pub const INBOX_FILE: &str = "inbox";

/// The digest's format: a derived file, so a new layout is a new magic,
/// and a digest of another is not used (the next add rebuilds it).
const DIGEST_MAGIC: &[u8; 8] = b"BLDIGST1";
/// The inbox's format. Its entries are data until applied: a new layout
/// must go with a reader for this one.
const INBOX_MAGIC: &[u8; 8] = b"BLINBOX2";
/// Magic and the inbox's nonce.
const INBOX_HEADER: usize = 16;
/// Before each entry: its length, the length's crc32 (so that a damaged
/// length is told from a torn append) and the entry's crc32.
const FRAME: usize = 12;
/// The largest entry read back: a visit's longest texts are far below.
const MAX_ENTRY: usize = codec::MAX_VALUE_BYTES + 4096;
/// The fewest bytes an entry takes with its frame (the head, id, time,
/// user's length, and an activity with one-byte ids, its date and no
/// texts): damaged bytes held at most one entry per this many.
const SMALLEST_FRAME: u64 = 40;
/// The inbox is applied once it holds this much: past it, `visit add`
/// opens the store, which applies it first. Each inbox add reads the whole
/// inbox, and each open applies it in one transaction; this keeps both
/// small (about 800 visits with short notes).
const MAX_INBOX: u64 = 256 << 10;

/// Reads the big-endian fields of the digest and of inbox entries,
/// refusing to read past the end.
struct Fields<'a>(&'a [u8]);

impl<'a> Fields<'a> {
    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_be_bytes(self.bytes(8)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.bytes(4)?.try_into().ok()?))
    }
    /// A length (u32) and that many bytes.
    fn blob(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.bytes(n)
    }
}

fn put_blob(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// One visit logged in the inbox.
///
/// An entry is `id u64 ‖ at_ms u64 ‖ user (u32 length, UTF-8) ‖ the
/// activity in its stored encoding ([`codec`])`, framed as `length u32 ‖
/// the length's crc32 u32 ‖ the entry's crc32 u32 ‖ entry`. The id is
/// outside the record so that an adder finds the last one without
/// decoding.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub activity: Activity,
    /// When it was logged, for the audit log.
    pub at_ms: i64,
    /// Who logged it, for the audit log.
    pub user: String,
}

/// An inbox file read back.
enum Inbox<'a> {
    /// Nothing to read: no file, an empty one, or a torn first append
    /// (never reported saved).
    Empty,
    /// Not an inbox this branchlink writes.
    Foreign,
    Read(Parsed<'a>),
}

/// An inbox's nonce, its frames in order (`Err`: a damaged stretch, one
/// frame or more), where the last frame read ends, whether any is
/// damaged, and how many bytes follow the last whole entry if so (they
/// bound how many entries were lost there).
struct Parsed<'a> {
    nonce: u64,
    entries: Vec<std::result::Result<&'a [u8], ()>>,
    valid_len: u64,
    damaged: bool,
    damaged_tail: u64,
}

fn all_zero(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| *b == 0)
}

/// Reads an inbox. After the last whole frame there may be a torn append
/// (an adder killed before it said "saved": see [`Frame::Torn`], or part
/// of a frame's head, or zeros where a power loss left the file longer
/// than its data). The next adder cuts it off. Anything else that does not
/// read is damage: adders leave it alone, and the next open applies the
/// whole entries, after the damage too, and keeps the file aside.
fn parse_inbox(bytes: &[u8]) -> Inbox<'_> {
    if all_zero(bytes) || (bytes.len() < INBOX_HEADER && INBOX_MAGIC.starts_with(&bytes[..bytes.len().min(8)])) {
        return Inbox::Empty;
    }
    if bytes.len() < INBOX_HEADER || &bytes[..8] != INBOX_MAGIC {
        return Inbox::Foreign;
    }
    let nonce = u64::from_be_bytes(bytes[8..16].try_into().unwrap_or_default());
    let mut entries = Vec::new();
    let mut at = INBOX_HEADER;
    let mut damaged = false;
    let mut whole_end = INBOX_HEADER;
    while at < bytes.len() {
        let rest = &bytes[at..];
        if rest.len() < FRAME || all_zero(rest) {
            break;
        }
        match frame(rest) {
            Frame::Whole(payload) => {
                entries.push(Ok(payload));
                at += FRAME + payload.len();
                whole_end = at;
            }
            Frame::Torn => break,
            Frame::Damaged(Some(len)) => {
                damaged = true;
                entries.push(Err(()));
                at += FRAME + len;
            }
            // A damaged head: the next whole frame, if any, is found by
            // trying each later place.
            Frame::Damaged(None) => {
                damaged = true;
                entries.push(Err(()));
                at = (at + 1..bytes.len())
                    .find(|p| matches!(frame(&bytes[*p..]), Frame::Whole(_)))
                    .unwrap_or(bytes.len());
            }
        }
    }
    Inbox::Read(Parsed {
        nonce,
        entries,
        valid_len: at as u64,
        damaged,
        damaged_tail: if damaged { (bytes.len() - whole_end) as u64 } else { 0 },
    })
}

/// One frame at the start of `rest`, as [`parse_inbox`] tells them.
enum Frame<'a> {
    Whole(&'a [u8]),
    /// A torn append: a whole length running past the end of the file, or
    /// the file's last frame with zeros at the end where its data never
    /// reached the disk (an entry never ends in 16 zero bytes: texts hold
    /// no NUL).
    Torn,
    /// With the entry's length when its head is whole.
    Damaged(Option<usize>),
}

fn frame(rest: &[u8]) -> Frame<'_> {
    let mut head = Fields(rest);
    let (Some(len), Some(len_sum), Some(sum)) = (head.u32(), head.u32(), head.u32()) else {
        return Frame::Torn;
    };
    let len = len as usize;
    if crc32fast::hash(&rest[..4]) != len_sum || len == 0 || len > MAX_ENTRY {
        return Frame::Damaged(None);
    }
    let Some(payload) = rest.get(FRAME..FRAME + len) else {
        return Frame::Torn;
    };
    if crc32fast::hash(payload) == sum {
        Frame::Whole(payload)
    } else if rest.len() == FRAME + len && payload.ends_with(&[0; 16]) {
        Frame::Torn
    } else {
        Frame::Damaged(Some(len))
    }
}

/// The id an entry was reported saved with.
fn entry_id(payload: &[u8]) -> Option<u64> {
    Fields(payload).u64()
}

fn decode_entry(payload: &[u8]) -> Option<Entry> {
    let mut fields = Fields(payload);
    let id = fields.u64()?;
    let at_ms = fields.u64()? as i64;
    let user = String::from_utf8(fields.blob()?.to_vec()).ok()?;
    let activity = codec::decode::<Activity>(fields.0).ok()?;
    (activity.id == id).then_some(Entry { activity, at_ms, user })
}

fn encode_entry(entry: &Entry) -> Result<Vec<u8>> {
    let mut payload = Vec::new();
    payload.extend_from_slice(&entry.activity.id.to_be_bytes());
    payload.extend_from_slice(&(entry.at_ms as u64).to_be_bytes());
    put_blob(&mut payload, entry.user.as_bytes());
    payload.extend(codec::encode(entry.activity.clone()).map_err(|e| StoreError::Io(e.to_string()))?);
    let len = (payload.len() as u32).to_be_bytes();
    let mut framed = Vec::with_capacity(FRAME + payload.len());
    framed.extend_from_slice(&len);
    framed.extend_from_slice(&crc32fast::hash(&len).to_be_bytes());
    framed.extend_from_slice(&crc32fast::hash(&payload).to_be_bytes());
    framed.extend_from_slice(&payload);
    Ok(framed)
}

fn io(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io(format!("{what} {}: {e}", path.display()))
}

/// `fsync`s a directory, so that a file created, renamed or removed in it
/// stays so after a power loss.
fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io("sync", dir, e).into())
}

/// A nonce for a new inbox file: the clock's nanoseconds and the process
/// id. Two inbox files of one database are never made in the same
/// nanosecond by the same process.
fn new_nonce() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    nanos ^ ((std::process::id() as u64) << 48) | 1
}

/// What an inbox add needs of the data, as of the last flush of the
/// process that held the database, read in place from the digest file:
///
/// `magic ‖ crc32 u32 of the rest ‖ schema u64 ‖ last activity id u64 ‖
/// leaders: count u32, each id u64 ‖ name blob ‖ record blob ‖ points:
/// count u32, each id u64 ‖ record blob (by id) ‖ point_by_leader: count
/// u32, each leader u64 ‖ point u64`, blobs as a u32 length and bytes,
/// records in their stored encoding ([`codec`]). Only the records an add
/// needs are decoded: the leader named and that leader's points.
struct Digest {
    /// The file's bytes; the sections below are read in place, one
    /// record at a time, when needed: a one-shot add needs one leader and
    /// that leader's points of a thousand.
    bytes: Vec<u8>,
    /// The last activity id given out when the digest was written.
    last_activity: u64,
    /// Leaders' ids, names and encoded records, in id order: count and
    /// where they start.
    leaders: (u32, usize),
    /// Points' ids and encoded records: count and where they start.
    points: (u32, usize),
    /// The `point_by_leader` pairs (leader, point), 16 bytes each.
    point_index: std::ops::Range<usize>,
}

impl Digest {
    /// (id, name, record) of every leader.
    fn leaders(&self) -> impl Iterator<Item = (LeaderId, &[u8], &[u8])> {
        let mut f = Fields(&self.bytes[self.leaders.1..]);
        (0..self.leaders.0).map_while(move |_| Some((f.u64()?, f.blob()?, f.blob()?)))
    }

    /// (id, record) of every point.
    fn points(&self) -> impl Iterator<Item = (PointId, &[u8])> {
        let mut f = Fields(&self.bytes[self.points.1..]);
        (0..self.points.0).map_while(move |_| Some((f.u64()?, f.blob()?)))
    }

    fn point_index(&self) -> impl Iterator<Item = (LeaderId, PointId)> {
        // Whole 16-byte chunks: the two reads cannot fail.
        self.bytes[self.point_index.clone()].chunks_exact(16).map(|pair| {
            let mut f = Fields(pair);
            (f.u64().unwrap_or(0), f.u64().unwrap_or(0))
        })
    }
}

/// The digest of `store`'s data, from the stored bytes as they are: the
/// records' encodings copied, the names from the `leader_by_name` index
/// (which the store's own look-up of a whole name reads); only the points
/// are decoded, for their holders.
fn encode_digest(store: &super::Store) -> Result<Vec<u8>> {
    use super::{T, keys};
    let corrupt = |what: &str| StoreError::Corrupt(format!("{what} key"));
    let mut names = std::collections::HashMap::new();
    for entry in store.entries(T::LeaderByName, super::packed::everything(), false)? {
        let (k, _) = entry?;
        let name = k
            .len()
            .checked_sub(9)
            .and_then(|end| std::str::from_utf8(k.get(1..end)?).ok())
            .ok_or_else(|| corrupt("leader_by_name"))?;
        names.insert(
            keys::trailing_id(&k).ok_or_else(|| corrupt("leader_by_name"))?,
            name.to_string(),
        );
    }
    let mut body = Vec::new();
    body.extend_from_slice(&super::meta::SCHEMA_VERSION.to_be_bytes());
    body.extend_from_slice(&store.counter(super::meta::NEXT_ACTIVITY)?.to_be_bytes());
    let leaders: Vec<_> = store.entries(T::Leaders, super::packed::everything(), false)?.collect();
    body.extend_from_slice(&(leaders.len() as u32).to_be_bytes());
    for entry in leaders {
        let (k, v) = entry?;
        let id = keys::trailing_id(&k).ok_or_else(|| corrupt("leader"))?;
        body.extend_from_slice(&id.to_be_bytes());
        put_blob(
            &mut body,
            names.get(&id).ok_or_else(|| corrupt("leader_by_name"))?.as_bytes(),
        );
        put_blob(&mut body, &v);
    }
    let points: Vec<_> = store.entries(T::Points, super::packed::everything(), false)?.collect();
    body.extend_from_slice(&(points.len() as u32).to_be_bytes());
    // The `point_by_leader` pairs, from the points' own records: every
    // write of the index writes a pair for the point's holder and for
    // each leader in its history (assign, hand-over, import), and nothing
    // removes one, so these are the index's pairs. Decoding 1,000 points
    // takes less time than sled reading the index's 1,000 buckets on a
    // cold open (most of a rebuild's 1.6 ms at 10k activities).
    let mut index = Vec::new();
    for entry in points {
        let (k, v) = entry?;
        let id = keys::trailing_id(&k).ok_or_else(|| corrupt("point"))?;
        let point = codec::decode::<ContactPoint>(&v).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        index.extend(
            std::iter::once(point.leader)
                .chain(point.history.iter().map(|c| c.leader))
                .map(|l| (l, id)),
        );
        body.extend_from_slice(&id.to_be_bytes());
        put_blob(&mut body, &v);
    }
    // In the index's key order (leader, point), as sled would give them.
    index.sort_unstable();
    index.dedup();
    body.extend_from_slice(&(index.len() as u32).to_be_bytes());
    for (leader, point) in index {
        body.extend_from_slice(&leader.to_be_bytes());
        body.extend_from_slice(&point.to_be_bytes());
    }
    let mut bytes = Vec::with_capacity(12 + body.len());
    bytes.extend_from_slice(DIGEST_MAGIC);
    bytes.extend_from_slice(&crc32fast::hash(&body).to_be_bytes());
    bytes.extend_from_slice(&body);
    Ok(bytes)
}

/// Checks a digest whole and finds its sections, copying nothing.
fn decode_digest(bytes: Vec<u8>) -> Option<Digest> {
    let last_activity = digest_last_activity(&bytes)?;
    // Magic, checksum, schema and last id, read above.
    let mut f = Fields(bytes.get(28..)?);
    let at = |f: &Fields| bytes.len() - f.0.len();
    let leaders = f.u32()?;
    let leaders_at = at(&f);
    for _ in 0..leaders {
        f.u64()?;
        f.blob()?;
        f.blob()?;
    }
    let points = f.u32()?;
    let points_at = at(&f);
    for _ in 0..points {
        f.u64()?;
        f.blob()?;
    }
    let pairs = f.u32()? as usize;
    let index_at = at(&f);
    f.bytes(pairs.checked_mul(16)?)?;
    if !f.0.is_empty() {
        return None;
    }
    Some(Digest {
        last_activity,
        leaders: (leaders, leaders_at),
        points: (points, points_at),
        point_index: index_at..index_at + pairs * 16,
        bytes,
    })
}

/// Writes the digest of `store`'s data (see the module comment). Not
/// `fsync`ed: after a power loss a digest is either whole (its checksum
/// says so) and right, since the data it describes was flushed first, or
/// not used.
/// `earlier` is the digest this process removed before its first change,
/// if no leader, branch or point changed since: only the last activity id
/// is then new, and the rest is kept (rebuilding it reads three trees,
/// about 1 ms of a 6–7 ms one-shot add at 10k activities).
pub(crate) fn write_digest(store: &super::Store, earlier: Option<Vec<u8>>) -> Result<()> {
    let last_activity = store.counter(super::meta::NEXT_ACTIVITY)?;
    let bytes = match earlier.and_then(|bytes| with_last_activity(bytes, last_activity)) {
        Some(bytes) => bytes,
        None => encode_digest(store)?,
    };
    let dir = store.path();
    let temporary = dir.join(format!("{DIGEST_FILE}.new"));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(&temporary)
        .and_then(|mut f| f.write_all(&bytes))
        .map_err(|e| io("write", &temporary, e))?;
    std::fs::rename(&temporary, dir.join(DIGEST_FILE)).map_err(|e| io("rename", &temporary, e))?;
    Ok(())
}

/// A whole digest with another last activity id; `None` if it is not one.
fn with_last_activity(mut bytes: Vec<u8>, last_activity: u64) -> Option<Vec<u8>> {
    // Magic, checksum, schema, then the id. A digest whose checksum holds
    // was written whole; the rest need not be read.
    digest_last_activity(&bytes)?;
    bytes.get_mut(20..28)?.copy_from_slice(&last_activity.to_be_bytes());
    let sum = crc32fast::hash(&bytes[12..]);
    bytes[8..12].copy_from_slice(&sum.to_be_bytes());
    Some(bytes)
}

/// The digest's bytes, to keep while the data changes (see
/// [`write_digest`]).
pub(crate) fn read_digest(dir: &Path) -> Option<Vec<u8>> {
    std::fs::read(dir.join(DIGEST_FILE)).ok()
}

/// Removes the digest before the data changes, durably: a digest left
/// behind by a power loss would describe data that is no longer there.
pub(crate) fn remove_digest(dir: &Path) -> Result<()> {
    match std::fs::remove_file(dir.join(DIGEST_FILE)) {
        Ok(()) => sync_dir(dir),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io("remove", &dir.join(DIGEST_FILE), e).into()),
    }
}

/// Whether a digest's bytes are whole, of this layout, and say
/// `last_activity` (a fresh [`Store::open`](super::Store::open) asks).
/// One that is not is removed, and written again when the process is done.
pub(crate) fn digest_says(bytes: &[u8], last_activity: u64) -> bool {
    digest_last_activity(bytes) == Some(last_activity)
}

/// The last activity id of a whole digest of this layout.
fn digest_last_activity(bytes: &[u8]) -> Option<u64> {
    let sum = u32::from_be_bytes(bytes.get(8..12)?.try_into().ok()?);
    if bytes.get(..8)? != DIGEST_MAGIC
        || crc32fast::hash(bytes.get(12..)?) != sum
        || bytes.get(12..20)? != super::meta::SCHEMA_VERSION.to_be_bytes()
    {
        return None;
    }
    Some(u64::from_be_bytes(bytes.get(20..28)?.try_into().ok()?))
}

/// What the inbox holds that a store has not applied yet.
pub(crate) struct Pending {
    /// The inbox's nonce (see [`INBOX_MAGIC`]'s header).
    pub nonce: u64,
    /// Its entries after those applied already, each with the id it was
    /// reported saved with when it cannot be read.
    pub entries: Vec<std::result::Result<Entry, Option<u64>>>,
    /// Why the file must be kept aside rather than emptied: entries that
    /// fail their checksum or do not decode, or a file that is not an
    /// inbox. Only a bug or a failing disk writes those.
    pub damage: Option<String>,
    /// Entries lost to damage after the last whole one: its id (`None`:
    /// no whole entry, so they follow the store's last id) and at most how
    /// many. Their ids were reported saved: the replay keeps them from
    /// other visits.
    pub lost: Option<(Option<u64>, u64)>,
}

/// The inbox's entries not yet applied to a store; `applied` is what the
/// store recorded of an earlier replay (nonce, count).
pub(crate) fn pending(dir: &Path, applied: Option<(u64, u64)>) -> Result<Option<Pending>> {
    let path = dir.join(INBOX_FILE);
    // An adder stops at MAX_INBOX and writes one entry past it at most:
    // anything larger is not an inbox, and is not read whole.
    let bytes = match std::fs::metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Ok(m) if m.len() > MAX_INBOX + (FRAME + MAX_ENTRY) as u64 => {
            return Ok(Some(Pending {
                nonce: 0,
                entries: Vec::new(),
                damage: Some("the inbox file is larger than an inbox can be".into()),
                lost: Some((None, m.len() / SMALLEST_FRAME)),
            }));
        }
        _ => std::fs::read(&path).map_err(|e| io("read", &path, e))?,
    };
    let nothing = |damage: Option<&str>| Pending {
        nonce: 0,
        entries: Vec::new(),
        damage: damage.map(str::to_string),
        // Another format: how many entries it held is not known; at most
        // one per smallest entry.
        lost: damage.map(|_| (None, bytes.len() as u64 / SMALLEST_FRAME)),
    };
    let parsed = match parse_inbox(&bytes) {
        Inbox::Empty if bytes.is_empty() => return Ok(None),
        // A torn first append: emptied as an applied inbox is.
        Inbox::Empty => return Ok(Some(nothing(None))),
        Inbox::Foreign => {
            return Ok(Some(nothing(Some(
                "the inbox file is not in a format this branchlink reads",
            ))));
        }
        Inbox::Read(parsed) => parsed,
    };
    let skip = match applied {
        Some((nonce, count)) if nonce == parsed.nonce => count as usize,
        _ => 0,
    };
    let decoded: Vec<_> = parsed
        .entries
        .iter()
        .map(|e| match e {
            // Its checksum holds: its id is the one reported.
            Ok(payload) => decode_entry(payload).ok_or_else(|| entry_id(payload)),
            Err(()) => Err(None),
        })
        .collect();
    // Over the whole file, applied entries too: the file is still kept
    // aside if an open stopped between applying it and keeping it.
    let unreadable = decoded.iter().filter(|e| e.is_err()).count();
    let damage = (unreadable > 0).then(|| format!("{unreadable} inbox entries cannot be read"));
    // Ids follow each other in an inbox: those lost after the last whole
    // entry are at most one per smallest entry in the bytes after it.
    let last_whole = decoded
        .iter()
        .filter_map(|e| e.as_ref().ok().map(|e| e.activity.id))
        .max();
    let lost_after = parsed.damaged_tail.div_ceil(SMALLEST_FRAME);
    Ok(Some(Pending {
        nonce: parsed.nonce,
        entries: decoded.into_iter().skip(skip).collect(),
        damage,
        lost: (lost_after > 0).then_some((last_whole, lost_after)),
    }))
}

/// A new name to keep a damaged inbox aside under.
pub(crate) fn aside_name() -> String {
    format!("{INBOX_FILE}.damaged-{:016x}", new_nonce())
}

/// Keeps a damaged inbox aside as `name`, where nothing cuts or reads it,
/// once what could be applied is durably in sled.
pub(crate) fn keep_aside(dir: &Path, name: &str) -> Result<()> {
    std::fs::rename(dir.join(INBOX_FILE), dir.join(name)).map_err(|e| io("keep aside", &dir.join(INBOX_FILE), e))?;
    sync_dir(dir)
}

/// Empties the inbox once its entries are durably in sled.
pub(crate) fn empty_inbox(dir: &Path) -> Result<()> {
    let path = dir.join(INBOX_FILE);
    match std::fs::OpenOptions::new().write(true).open(&path) {
        Ok(f) => f
            .set_len(0)
            .and_then(|()| f.sync_data())
            .map_err(|e| io("empty", &path, e).into()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io("empty", &path, e).into()),
    }
}

/// A `visit add` that goes to the inbox: open while it holds the
/// database's lock (see the module comment).
pub struct InboxWriter {
    dir: PathBuf,
    /// `<db>/db`, locked as sled locks it, for as long as this lives.
    _lock: File,
    /// The inbox file, if there is one yet.
    inbox: Option<File>,
    /// Where the next entry goes: after the last whole one.
    end: u64,
    /// The inbox is empty (or was no inbox): the entry starts a new one,
    /// with a new nonce.
    fresh: bool,
    digest: Digest,
    /// The last activity id given out, the inbox's included.
    last_activity: u64,
    user: String,
}

impl InboxWriter {
    /// The inbox of the database at `db`, if a visit can be logged there
    /// without opening sled: the database exists, nobody holds it, its
    /// digest is there and of this layout, and the inbox is not full.
    /// `None` means: open the store (which applies the inbox, and reports
    /// why the database cannot be used, if so).
    pub fn open(db: &Path) -> Option<InboxWriter> {
        // sled takes its lock on these systems only; elsewhere the lock
        // below would exclude nothing.
        if !cfg!(any(target_os = "linux", target_os = "macos")) {
            return None;
        }
        let lock = File::open(db.join(super::LOG_FILE)).ok()?;
        lock.try_lock().ok()?;
        let digest = decode_digest(std::fs::read(db.join(DIGEST_FILE)).ok()?)?;
        // Made by the first entry: an add that is refused leaves no file.
        let inbox = match File::options().read(true).write(true).open(db.join(INBOX_FILE)) {
            Ok(file) => Some(file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(_) => return None,
        };
        let mut bytes = Vec::new();
        if let Some(mut file) = inbox.as_ref() {
            if file.metadata().ok()?.len() >= MAX_INBOX {
                return None;
            }
            file.read_to_end(&mut bytes).ok()?;
        }
        let (end, fresh, last_in_inbox) = match parse_inbox(&bytes) {
            // Damage is not cut off here: the store keeps it aside.
            Inbox::Read(parsed) if parsed.damaged => return None,
            Inbox::Read(parsed) => {
                let last = parsed.entries.iter().filter_map(|e| entry_id(e.ok()?)).max();
                (parsed.valid_len, false, last.unwrap_or(0))
            }
            // Applied and emptied, none yet, or a torn first append: the
            // first entry starts a new one.
            Inbox::Empty => (0, true, 0),
            // The store's to keep aside.
            Inbox::Foreign => return None,
        };
        Some(InboxWriter {
            dir: db.to_path_buf(),
            _lock: lock,
            inbox,
            end,
            fresh,
            last_activity: digest.last_activity.max(last_in_inbox),
            digest,
            user: super::current_user(),
        })
    }

    /// The leaders `input` could name, as [`Store::leaders_matching`](super::Store::leaders_matching)
    /// answers without its table cache (`Store::leaders_holding`): a whole
    /// name one leader has is that leader alone; otherwise the leader whose
    /// id it is and those whose record holds its bytes, then
    /// [`domain::lookup::candidates`] keeps the ones it names. Only those
    /// are decoded.
    pub fn leaders_matching(&self, input: &str) -> Result<Vec<Leader>> {
        let decode = |bytes: &[u8]| codec::decode::<Leader>(bytes).map_err(|e| StoreError::Corrupt(e.to_string()));
        let text = input.trim();
        let mut named = self.digest.leaders().filter(|(_, name, _)| *name == text.as_bytes());
        if !text.is_empty()
            && !text.bytes().all(|b| b.is_ascii_digit())
            && let (Some((_, _, bytes)), None) = (named.next(), named.next())
        {
            return Ok(domain::lookup::candidates(&[decode(bytes)?], input));
        }
        let id = text.parse::<u64>().ok();
        let finder = memchr::memmem::Finder::new(text.as_bytes());
        let mut out = Vec::new();
        for (leader, _, bytes) in self.digest.leaders() {
            if (!text.is_empty() && finder.find(bytes).is_some()) || Some(leader) == id {
                out.push(decode(bytes)?);
            }
        }
        Ok(domain::lookup::candidates(&out, input))
    }

    /// The points `leader` was given or handed, in the store's order.
    fn points_of(&self, leader: LeaderId) -> Result<Vec<ContactPoint>> {
        let mut points = Vec::new();
        for (_, id) in self.digest.point_index().filter(|(l, _)| *l == leader) {
            let bytes = self
                .digest
                .points()
                .find(|(p, _)| *p == id)
                .map(|(_, bytes)| bytes)
                .ok_or_else(|| StoreError::Corrupt(format!("digest names missing point {id}")))?;
            points.push(codec::decode::<ContactPoint>(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))?);
        }
        domain::order_points_of(&mut points, leader);
        Ok(points)
    }

    /// Logs `activity` as [`Store::add_activity`](super::Store::add_activity) would, and reports it
    /// saved once it is durably in the inbox.
    pub fn add_activity(&self, activity: Activity) -> Result<Activity> {
        let mut activity = domain::validate::activity(activity)?;
        let leader = match self.digest.leaders().find(|(id, ..)| *id == activity.leader) {
            Some((_, _, bytes)) => codec::decode::<Leader>(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            None => Err(domain::DomainError::Unknown {
                kind: domain::RecordKind::Leader,
                input: activity.leader.to_string(),
            })?,
        };
        activity.point = domain::point_on(&self.points_of(leader.id)?, &leader, activity.date)?.id;
        activity.id = self
            .last_activity
            .checked_add(1)
            .ok_or_else(|| StoreError::Io("id counter overflow".into()))?;
        let entry = Entry {
            activity,
            at_ms: chrono::Utc::now().timestamp_millis(),
            user: self.user.clone(),
        };
        let mut framed = Vec::new();
        if self.fresh {
            framed.extend_from_slice(INBOX_MAGIC);
            framed.extend_from_slice(&new_nonce().to_be_bytes());
        }
        framed.extend(encode_entry(&entry)?);
        let path = self.dir.join(INBOX_FILE);
        let created;
        let mut file = match &self.inbox {
            Some(file) => file,
            None => {
                let mut options = std::fs::OpenOptions::new();
                options.read(true).write(true).create(true).truncate(false);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                created = options.open(&path).map_err(|e| io("create", &path, e))?;
                &created
            }
        };
        // Cut off a torn entry left by a process killed while appending,
        // then append and make it durable before saying it is saved.
        file.set_len(self.end)
            .and_then(|()| file.seek(SeekFrom::Start(self.end)).map(|_| ()))
            .and_then(|()| file.write_all(&framed))
            .and_then(|()| file.sync_data())
            .map_err(|e| io("append to", &path, e))?;
        if self.inbox.is_none() {
            sync_dir(&self.dir)?;
        }
        Ok(entry.activity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: u64, note: &str) -> Entry {
        Entry {
            activity: Activity {
                id,
                date: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
                leader: 1,
                point: 2,
                kind: crate::domain::ActivityKind::Research,
                place: None,
                participants: None,
                findings: None,
                actions: None,
                note: Some(note.into()),
            },
            at_ms: 1_700_000_000_000,
            user: "张三".into(),
        }
    }

    fn inbox_of(entries: &[Entry]) -> Vec<u8> {
        let mut bytes = INBOX_MAGIC.to_vec();
        bytes.extend_from_slice(&42u64.to_be_bytes());
        for e in entries {
            bytes.extend(encode_entry(e).unwrap());
        }
        bytes
    }

    fn read(bytes: &[u8]) -> Parsed<'_> {
        match parse_inbox(bytes) {
            Inbox::Read(parsed) => parsed,
            _ => panic!("not read as an inbox"),
        }
    }

    #[test]
    fn entries_read_back_as_written() {
        let entries = [entry(7, "调研"), entry(8, "座谈")];
        let bytes = inbox_of(&entries);
        let parsed = read(&bytes);
        assert_eq!(parsed.nonce, 42);
        assert!(!parsed.damaged);
        let payloads: Vec<&[u8]> = parsed.entries.iter().map(|e| e.unwrap()).collect();
        let decoded: Vec<Entry> = payloads.iter().map(|p| decode_entry(p).unwrap()).collect();
        assert_eq!(decoded, entries);
        assert_eq!(
            payloads.iter().map(|p| entry_id(p)).collect::<Vec<_>>(),
            [Some(7), Some(8)]
        );
    }

    #[test]
    fn a_torn_append_ends_the_inbox_and_damage_does_not() {
        let entries = [entry(7, "调研"), entry(8, "座谈"), entry(9, "走访")];
        let whole = inbox_of(&entries);
        let first_end = inbox_of(&entries[..1]).len();
        let second_end = inbox_of(&entries[..2]).len();
        for cut in second_end..whole.len() {
            let parsed = read(&whole[..cut]);
            assert_eq!(parsed.entries.len(), 2, "cut at {cut}");
            assert_eq!(parsed.valid_len as usize, second_end);
            assert!(!parsed.damaged, "cut at {cut}");
        }
        let mut zeros = whole[..second_end].to_vec();
        zeros.extend_from_slice(&[0; 100]);
        let parsed = read(&zeros);
        assert_eq!((parsed.entries.len(), parsed.damaged), (2, false));
        // A bit flipped inside the first entry: the others are still read.
        let mut flipped = whole.clone();
        flipped[INBOX_HEADER + FRAME + 3] ^= 1;
        let parsed = read(&flipped);
        assert!(parsed.damaged);
        assert!(parsed.entries[0].is_err());
        assert_eq!(decode_entry(parsed.entries[2].unwrap()).as_ref(), Some(&entries[2]));
        // A damaged length, in the middle or at the end, is damage too,
        // never a torn append to cut off.
        for at in [first_end, second_end] {
            for bit in [0x01, 0x80] {
                let mut bad = whole.clone();
                bad[at] ^= bit;
                assert!(read(&bad).damaged, "length at {at} flipped by {bit:#x}");
            }
        }
    }

    #[test]
    fn a_last_entry_whose_end_never_reached_the_disk_is_torn() {
        let entries = [entry(7, "调研"), entry(8, &"长".repeat(40))];
        let mut bytes = inbox_of(&entries);
        let len = bytes.len();
        bytes[len - 20..].fill(0);
        let parsed = read(&bytes);
        assert_eq!((parsed.entries.len(), parsed.damaged), (1, false));
        // Fewer zeros than an entry may end with: damage, not cut off.
        let mut bytes = inbox_of(&entries);
        bytes[len - 3..].fill(0);
        assert!(read(&bytes).damaged);
    }

    #[test]
    fn the_entries_after_a_damaged_head_are_found() {
        let entries = [entry(7, "调研"), entry(8, "座谈"), entry(9, "走访"), entry(10, "党课")];
        let mut bytes = inbox_of(&entries);
        let second = inbox_of(&entries[..1]).len();
        bytes[second + 1] ^= 0x01;
        let parsed = read(&bytes);
        assert!(parsed.damaged);
        let ids: Vec<_> = parsed.entries.iter().map(|e| e.ok().and_then(entry_id)).collect();
        assert_eq!(ids, [Some(7), None, Some(9), Some(10)]);
        assert_eq!(parsed.damaged_tail, 0);
    }

    #[test]
    fn a_torn_first_append_is_no_inbox_yet() {
        let whole = inbox_of(&[entry(7, "调研")]);
        for cut in 1..INBOX_HEADER {
            assert!(matches!(parse_inbox(&whole[..cut]), Inbox::Empty), "cut at {cut}");
        }
        assert!(matches!(parse_inbox(&[0; 40]), Inbox::Empty));
        assert_eq!(read(&whole[..INBOX_HEADER + 5]).entries.len(), 0);
    }

    #[test]
    fn no_digest_is_left_after_a_commit_failed() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::reopen(dir.path());
        store.leave_digest();
        assert!(dir.path().join(DIGEST_FILE).exists());
        crate::demo::load(&store).unwrap();
        assert!(!dir.path().join(DIGEST_FILE).exists(), "the digest outlived a change");
        // What a commit whose transaction or flush failed marks.
        store.mark_unsure();
        store.leave_digest();
        assert!(
            !dir.path().join(DIGEST_FILE).exists(),
            "a digest was left after a failed commit"
        );
    }

    #[test]
    fn the_digest_holds_the_point_index_pairs() {
        use crate::store::{T, keys, packed};
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::reopen(dir.path());
        crate::demo::load(&store).unwrap();
        // A hand-over: the point gets a second leader, who keeps it in
        // the index beside the first.
        let holder = store.points().unwrap()[0].leader;
        let mut successor = store.leaders().unwrap()[0].clone();
        successor.name = "新书记".into();
        successor.own_branch = None;
        let successor = store.add_leader(successor).unwrap();
        store
            .hand_over(holder, successor.id, "2021-03-01".parse().unwrap())
            .unwrap();
        let mut index = Vec::new();
        for entry in store.entries(T::PointByLeader, packed::everything(), false).unwrap() {
            let (k, _) = entry.unwrap();
            index.push((keys::id_from(&k[..8]).unwrap(), keys::trailing_id(&k).unwrap()));
        }
        let digest = decode_digest(encode_digest(&store).unwrap()).unwrap();
        let pairs: Vec<_> = digest.point_index().collect();
        assert_eq!(pairs, index);
        assert!(pairs.iter().any(|&(l, _)| l == successor.id), "{pairs:?}");
        assert!(pairs.len() > store.points().unwrap().len(), "{pairs:?}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Any bytes in the inbox or the digest are read without a panic.
        #[test]
        fn any_bytes_read_without_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
            let _ = parse_inbox(&bytes);
            let _ = decode_digest(bytes.clone());
            let _ = digest_last_activity(&bytes);
            let mut inbox = INBOX_MAGIC.to_vec();
            inbox.extend_from_slice(&bytes);
            let _ = parse_inbox(&inbox);
        }

        /// A whole digest (magic, checksum, this layout) around any body:
        /// its sections are walked and read without a panic.
        #[test]
        fn any_digest_body_reads_without_panic(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
            let mut inner = crate::store::meta::SCHEMA_VERSION.to_be_bytes().to_vec();
            inner.extend_from_slice(&body);
            let mut bytes = DIGEST_MAGIC.to_vec();
            bytes.extend_from_slice(&crc32fast::hash(&inner).to_be_bytes());
            bytes.extend_from_slice(&inner);
            if let Some(digest) = decode_digest(bytes) {
                let _ = digest.leaders().count() + digest.points().count() + digest.point_index().count();
            }
        }

        /// A real inbox with bytes changed: never a panic, and every entry
        /// still read whole is one that was written.
        #[test]
        fn a_changed_inbox_gives_only_entries_written(
            changes in proptest::collection::vec((0usize..4096, proptest::prelude::any::<u8>()), 1..8)
        ) {
            let entries = [entry(7, "调研"), entry(8, "座谈"), entry(9, &"长".repeat(30))];
            let mut bytes = inbox_of(&entries);
            for (at, value) in changes {
                let at = at % bytes.len();
                bytes[at] = value;
            }
            if let Inbox::Read(parsed) = parse_inbox(&bytes) {
                for payload in parsed.entries.iter().filter_map(|e| e.ok()) {
                    if let Some(read) = decode_entry(payload) {
                        proptest::prop_assert!(entries.contains(&read));
                    }
                }
            }
        }
    }

    #[test]
    fn a_file_that_is_no_inbox_is_not_read() {
        assert!(matches!(parse_inbox(b""), Inbox::Empty));
        assert!(matches!(parse_inbox(b"BLINBOX1 and more after it"), Inbox::Foreign));
        assert!(matches!(parse_inbox(b"something else entirely"), Inbox::Foreign));
        assert!(matches!(parse_inbox(b"short"), Inbox::Foreign));
    }

    /// A store with the demo, its digest left, and `entries` in its inbox.
    fn with_inbox(entries: &[Entry]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::reopen(dir.path());
        crate::demo::load(&store).unwrap();
        store.leave_digest();
        drop(store);
        std::fs::write(dir.path().join(INBOX_FILE), inbox_of(entries)).unwrap();
        dir
    }

    fn activities(dir: &Path) -> Vec<Activity> {
        crate::store::reopen(dir).export().unwrap().activities
    }

    #[test]
    fn an_entry_whose_id_is_taken_overwrites_nothing() {
        let mut low = entry(3, "编号已被占用");
        (low.activity.leader, low.activity.point) = (1, 1);
        low.activity.date = "2020-12-01".parse().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let before = {
            let store = crate::store::reopen(dir.path());
            crate::demo::load(&store).unwrap();
            store.export().unwrap().activities
        };
        // And one refused (no point on that day) with a low id too: its id
        // is kept from others, which must not lower the counter.
        let mut refused = entry(2, "无联系点");
        refused.activity.date = "2019-01-01".parse().unwrap();
        std::fs::write(dir.path().join(INBOX_FILE), inbox_of(&[refused, low])).unwrap();
        let after = activities(dir.path());
        assert_eq!(after[..before.len()], before[..], "a stored visit was overwritten");
        assert_eq!(after.len(), before.len() + 1);
        let added = after.last().unwrap();
        assert_eq!(
            (added.id, added.note.as_deref()),
            (before.len() as u64 + 1, Some("编号已被占用"))
        );
        // The counter did not go down either.
        let store = crate::store::reopen(dir.path());
        assert_eq!(store.counter(crate::store::meta::NEXT_ACTIVITY).unwrap(), added.id);
    }

    fn visit_of(id: u64, day: &str) -> Entry {
        let mut e = entry(id, day);
        (e.activity.leader, e.activity.point) = (1, 1);
        e.activity.date = day.parse().unwrap();
        e
    }

    fn next_id(dir: &Path) -> u64 {
        let store = crate::store::reopen(dir);
        store.counter(crate::store::meta::NEXT_ACTIVITY).unwrap() + 1
    }

    #[test]
    fn ids_lost_to_damage_are_not_given_again() {
        // A damaged head in the middle: the entries after it are applied,
        // and the damaged one's id stays its own.
        let dir = with_inbox(&[
            visit_of(12, "2020-12-01"),
            visit_of(13, "2020-12-02"),
            visit_of(14, "2020-12-03"),
        ]);
        let path = dir.path().join(INBOX_FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        let second = inbox_of(&[visit_of(12, "2020-12-01")]).len();
        bytes[second + 2] ^= 0x10;
        std::fs::write(&path, &bytes).unwrap();
        let ids: Vec<_> = activities(dir.path())[11..].iter().map(|a| a.id).collect();
        assert_eq!(ids, [12, 14]);
        assert_eq!(next_id(dir.path()), 15);
        // One damaged entry and nothing whole: its id follows the store's.
        let dir = with_inbox(&[visit_of(12, "2020-12-01")]);
        let path = dir.path().join(INBOX_FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        let end = bytes.len();
        bytes[end - 2] ^= 0x01;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(activities(dir.path()).len(), 11);
        assert!(next_id(dir.path()) > 12, "the damaged entry's id was given again");
    }

    #[test]
    fn a_damaged_inbox_already_applied_is_still_kept_aside() {
        let mut good = entry(12, "完整");
        (good.activity.leader, good.activity.point) = (1, 1);
        good.activity.date = "2020-12-01".parse().unwrap();
        let dir = with_inbox(std::slice::from_ref(&good));
        // Damage after the whole entry.
        let path = dir.path().join(INBOX_FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend_from_slice(&[0xAB; 40]);
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(activities(dir.path()).len(), 12);
        // As if that open had stopped before keeping the file aside.
        let aside: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains("inbox.damaged-"))
            .collect();
        assert_eq!(aside.len(), 1);
        std::fs::rename(&aside[0], &path).unwrap();
        assert_eq!(activities(dir.path()).len(), 12, "applied twice");
        assert!(!path.exists() || std::fs::metadata(&path).unwrap().len() == 0);
        let kept = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with("inbox.damaged-")
            })
            .count();
        assert_eq!(kept, 1, "the damaged file was not kept aside again");
    }
}
