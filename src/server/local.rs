//! `--read-only --no-server`: the store opened in this process, with the
//! same refusal a server gives a viewer, so that `--read-only` means the
//! same with or without a server.

use super::access::AccessRole;
use super::client::backend_over_call;
use super::protocol::{Request, Value};
use super::server::execute;
use crate::api::{ActivityFilter, Backend, Review, Snapshot};
use crate::domain::{
    Activity, ActivityId, AuditEntry, Branch, BranchId, BureauEvent, ContactPoint, Leader, LeaderId, PointId, Problem,
    ProblemId, Targets, YearStatus,
};
use crate::error::{Result, ServerError};
use crate::store::Store;
use chrono::NaiveDate;

/// A store that answers queries and refuses changes.
#[derive(Debug, Clone)]
pub struct ReadOnlyStore {
    store: Store,
}

impl ReadOnlyStore {
    pub fn new(store: Store) -> ReadOnlyStore {
        ReadOnlyStore { store }
    }

    fn call(&self, request: Request) -> Result<Value> {
        let needed = request.needs();
        if needed > AccessRole::Viewer {
            return Err(ServerError::Denied {
                user: self.store.user().to_string(),
                role: AccessRole::Viewer,
                needed,
                read_only: true,
            }
            .into());
        }
        execute(&self.store, request)
    }
}

backend_over_call!(ReadOnlyStore, self => self.store.data_version(), true);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        crate::demo::load(&store).unwrap();
        let ro = ReadOnlyStore::new(store.clone());
        assert_eq!(ro.leaders().unwrap(), store.leaders().unwrap());
        assert_eq!(ro.export().unwrap(), store.export().unwrap());
        let version = ro.data_version();
        let leader = ro.leaders().unwrap()[0].id;
        let e = ro.delete_activity(1).unwrap_err();
        assert!(matches!(
            e,
            crate::error::Error::Server(ServerError::Denied {
                needed: AccessRole::Editor,
                read_only: true,
                ..
            })
        ));
        assert!(ro.set_targets(2020, crate::domain::Targets::default()).is_err());
        assert!(
            ro.hand_over(leader, leader, NaiveDate::from_ymd_opt(2020, 1, 1).unwrap())
                .is_err()
        );
        assert_eq!(ro.data_version(), version);
        // The store counts its own commands, failed ones not.
        store.set_flag("counted").unwrap();
        assert_eq!(ro.data_version(), version + 1);
        assert!(store.reopen_problem(9999).is_err());
        assert_eq!(store.data_version(), version + 1);
        assert!(
            store
                .activities(&ActivityFilter::default())
                .unwrap()
                .iter()
                .any(|a| a.id == 1)
        );
    }
}
