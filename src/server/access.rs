//! Who may do what: the OS user of a connection, learnt from the socket's
//! peer credentials (never from anything the client says), mapped to a role
//! by the access file `access.toml` beside the database.
//!
//! ```toml
//! unknown = "viewer"        # or "refuse": users the file does not name
//! [users]
//! zhang = "admin"
//! [groups]
//! branchlink = "editor"     # a user gets the highest role of any group
//! ```
//!
//! Without the file, the server's own OS user is admin and everyone else a
//! viewer: a single user on a laptop has every right, and a shared server
//! shows its data to the staff who can reach the socket, but no more.

use std::collections::BTreeMap;
use std::ffi::CString;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use nix::sys::socket::{getsockopt, sockopt};
use nix::unistd::{Gid, Group, Uid, User};
use serde::{Deserialize, Serialize};

use crate::error::ServerError;

/// What a connection may do. Ordered: each role has the rights of those
/// below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccessRole {
    /// Read everything, change nothing.
    Viewer,
    /// Also activities, problems and bureau events.
    Editor,
    /// Also leaders, branches, contact points, targets and import.
    Admin,
}

/// What to do with users the access file does not name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unknown {
    #[default]
    Viewer,
    Refuse,
}

/// The access file as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessFile {
    #[serde(default)]
    pub unknown: Unknown,
    #[serde(default)]
    pub users: BTreeMap<String, AccessRole>,
    #[serde(default)]
    pub groups: BTreeMap<String, AccessRole>,
}

/// The rules in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Policy {
    /// No access file: the owner is admin, others viewers.
    Owner {
        uid: u32,
    },
    File(AccessFile),
}

/// The other end of a connection, as the kernel reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    pub uid: u32,
    pub gid: u32,
    pub pid: i32,
    /// The user name, or the uid as text when the system has no name for it.
    pub name: String,
}

impl Peer {
    /// Reads the peer credentials of a connected socket.
    pub fn of(stream: &UnixStream) -> std::io::Result<Peer> {
        let cred = getsockopt(stream, sockopt::PeerCredentials).map_err(std::io::Error::from)?;
        Ok(Peer {
            uid: cred.uid(),
            gid: cred.gid(),
            pid: cred.pid(),
            name: user_name(cred.uid()),
        })
    }

    /// The names of every group the user belongs to (primary, the
    /// connection's own, and supplementary).
    fn groups(&self) -> Vec<String> {
        let mut gids = vec![Gid::from_raw(self.gid)];
        if let Ok(Some(user)) = User::from_uid(Uid::from_raw(self.uid)) {
            gids.push(user.gid);
            if let Ok(name) = CString::new(user.name.as_bytes()) {
                gids.extend(nix::unistd::getgrouplist(&name, user.gid).unwrap_or_default());
            }
        }
        gids.sort_by_key(|g| g.as_raw());
        gids.dedup();
        gids.into_iter()
            .filter_map(|g| Group::from_gid(g).ok().flatten().map(|g| g.name))
            .collect()
    }
}

/// The name of a uid, or the number when it has none.
pub fn user_name(uid: u32) -> String {
    match User::from_uid(Uid::from_raw(uid)) {
        Ok(Some(u)) => crate::domain::text::printable(&u.name),
        _ => uid.to_string(),
    }
}

/// The OS user this process runs as.
pub fn own_user() -> String {
    user_name(nix::unistd::geteuid().as_raw())
}

impl Policy {
    /// Reads the access file at `path`; without one, the owner rule.
    pub fn load(path: &Path) -> Result<Policy, ServerError> {
        let fail = |reason: String| ServerError::Access {
            path: path.to_path_buf(),
            reason,
        };
        match std::fs::read_to_string(path) {
            Ok(_) if world_writable(path) => Err(fail("writable by everyone; refusing to trust it".into())),
            Ok(text) => parse(&text).map(Policy::File).map_err(fail),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Policy::Owner {
                uid: nix::unistd::geteuid().as_raw(),
            }),
            Err(e) => Err(fail(e.to_string())),
        }
    }

    /// The role of a peer, or a refusal.
    pub fn role(&self, peer: &Peer) -> Result<AccessRole, ServerError> {
        match self {
            Policy::Owner { uid } if *uid == peer.uid => Ok(AccessRole::Admin),
            Policy::Owner { .. } => Ok(AccessRole::Viewer),
            Policy::File(file) => {
                if let Some(role) = file.users.get(&peer.name) {
                    return Ok(*role);
                }
                let from_groups = if file.groups.is_empty() {
                    None
                } else {
                    peer.groups().iter().filter_map(|g| file.groups.get(g)).max().copied()
                };
                match (from_groups, file.unknown) {
                    (Some(role), _) => Ok(role),
                    (None, Unknown::Viewer) => Ok(AccessRole::Viewer),
                    (None, Unknown::Refuse) => Err(ServerError::Refused {
                        user: peer.name.clone(),
                    }),
                }
            }
        }
    }
}

/// Parses the text of an access file.
pub fn parse(text: &str) -> Result<AccessFile, String> {
    toml::from_str(text).map_err(|e| e.message().to_string())
}

/// Keeps the policy current: the access file is looked at again for each
/// connection, so that an administrator's edit takes effect for the next
/// one without a restart. A broken edit keeps the last good rules (and is
/// logged). The file is small; comparing its bytes and mode, rather than
/// its modification time, catches two edits within one clock tick.
#[derive(Debug)]
pub struct Access {
    path: PathBuf,
    seen: Option<(u32, Vec<u8>)>,
    policy: Policy,
}

impl Access {
    pub fn open(path: &Path) -> Result<Access, ServerError> {
        Ok(Access {
            path: path.to_path_buf(),
            seen: signature(path),
            policy: Policy::load(path)?,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The rules in force now.
    pub fn current(&mut self) -> &Policy {
        let now = signature(&self.path);
        if now != self.seen {
            match Policy::load(&self.path) {
                Ok(policy) => {
                    tracing::info!(path = %self.path.display(), "access file reloaded");
                    self.policy = policy;
                    self.seen = now;
                }
                Err(e) => tracing::warn!("{e}; keeping the previous access rules"),
            }
        }
        &self.policy
    }
}

/// A file anyone may write cannot say who is admin.
fn world_writable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o002 != 0)
}

fn signature(path: &Path) -> Option<(u32, Vec<u8>)> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    Some((mode, std::fs::read(path).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(name: &str, uid: u32) -> Peer {
        Peer {
            uid,
            gid: u32::MAX - 1,
            pid: 1,
            name: name.into(),
        }
    }

    #[test]
    fn owner_rule_without_a_file() {
        let p = Policy::Owner { uid: 1000 };
        assert_eq!(p.role(&peer("me", 1000)), Ok(AccessRole::Admin));
        assert_eq!(p.role(&peer("other", 1001)), Ok(AccessRole::Viewer));
    }

    #[test]
    fn users_and_unknown() {
        let f = parse("unknown = \"refuse\"\n[users]\nalice = \"editor\"\nbob = \"viewer\"\n").unwrap();
        let p = Policy::File(f);
        assert_eq!(p.role(&peer("alice", 5)), Ok(AccessRole::Editor));
        assert_eq!(p.role(&peer("bob", 6)), Ok(AccessRole::Viewer));
        assert_eq!(
            p.role(&peer("mallory", 7)),
            Err(ServerError::Refused { user: "mallory".into() })
        );
        let open = Policy::File(parse("[users]\nalice = \"admin\"\n").unwrap());
        assert_eq!(open.role(&peer("mallory", 7)), Ok(AccessRole::Viewer));
    }

    #[test]
    fn bad_files_are_errors() {
        assert!(parse("unknown = \"maybe\"").is_err());
        assert!(parse("[users]\nalice = \"root\"").is_err());
        assert!(parse("colour = \"red\"").is_err());
        assert_eq!(parse("").unwrap(), AccessFile::default());
    }

    #[test]
    fn a_world_writable_file_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("access.toml");
        std::fs::write(&path, "[users]\nalice = \"admin\"\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(Policy::load(&path), Ok(Policy::File(_))));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        assert!(matches!(Policy::load(&path), Err(ServerError::Access { .. })));
        assert!(matches!(
            Policy::load(&dir.path().join("none.toml")),
            Ok(Policy::Owner { .. })
        ));
    }

    #[test]
    fn roles_are_ordered() {
        assert!(AccessRole::Admin > AccessRole::Editor);
        assert!(AccessRole::Editor > AccessRole::Viewer);
    }
}
