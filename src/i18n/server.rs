//! The server's and the client's strings (errors are in `errors.rs`).

use super::Lang;
use crate::server::AccessRole;

pub struct ServerText {
    /// Shown by a command whose connection broke, while it reconnects.
    pub reconnecting: &'static str,
    /// `serve` on start: database, socket, pid.
    pub serving: &'static str,
    /// `serve` when it stops after the idle time: seconds.
    pub stopped_idle: &'static str,
    /// `serve` stopped by SIGTERM or Ctrl-C.
    pub stopped: &'static str,
    /// `backup`: records, file.
    pub backup_written: &'static str,
    /// `serve` reached the command runner (it runs before any backend).
    pub serve_alone: &'static str,
    /// No data directory for the default database.
    pub no_default_db: &'static str,
}

pub static ZH: ServerText = ServerText {
    reconnecting: "与服务的连接已断开，正在重新连接…",
    serving: "服务已启动：数据库 {}，套接字 {}（进程 {}）",
    stopped_idle: "连续 {} 秒无连接，服务已退出",
    stopped: "服务已停止",
    backup_written: "已备份 {} 条记录到 {}（恢复：在空数据库上 import）",
    serve_alone: "serve 须单独运行：branchlink serve [--db PATH]",
    no_default_db: "找不到默认数据目录；请用 --db PATH 或 BRANCHLINK_DB 指定数据库位置",
};

pub static EN: ServerText = ServerText {
    reconnecting: "lost the server; reconnecting…",
    serving: "serving the database {} on {} (pid {})",
    stopped_idle: "no connection for {} s; server stopped",
    stopped: "server stopped",
    backup_written: "backed up {} records to {} (restore: import into an empty database)",
    serve_alone: "serve runs on its own: branchlink serve [--db PATH]",
    no_default_db: "no default data directory; give the database with --db PATH or BRANCHLINK_DB",
};

/// The name of a role.
pub fn role(lang: Lang, r: AccessRole) -> &'static str {
    match r {
        AccessRole::Viewer => lang.pick("查看者（只读）", "viewer (read only)"),
        AccessRole::Editor => lang.pick(
            "编辑者（活动、问题、局级工作）",
            "editor (activities, problems, events)",
        ),
        AccessRole::Admin => lang.pick("管理员", "admin"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Error, ServerError};
    use std::path::PathBuf;

    #[test]
    fn every_server_error_is_one_filled_line() {
        let p = || PathBuf::from("/var/lib/branchlink/db");
        let all = [
            ServerError::NoServer {
                socket: p(),
                reason: "refused".into(),
            },
            ServerError::Lost {
                socket: p(),
                seconds: 5,
            },
            ServerError::Unconfirmed,
            ServerError::Version { client: 1, server: 2 },
            ServerError::Protocol("x".into()),
            ServerError::Denied {
                user: "li".into(),
                role: AccessRole::Editor,
                needed: AccessRole::Admin,
                read_only: false,
            },
            ServerError::Refused { user: "li".into() },
            ServerError::AlreadyRunning { db: p(), socket: p() },
            ServerError::HeldByServer { db: p(), socket: p() },
            ServerError::OtherDatabase {
                socket: p(),
                db: p(),
                served: p(),
            },
            ServerError::UnknownGroup("staff".into()),
            ServerError::Start("x".into()),
            ServerError::Access {
                path: p(),
                reason: "x".into(),
            },
            ServerError::TooLarge { size: 2, max: 1 },
        ];
        for e in all {
            for lang in [Lang::Zh, Lang::En] {
                let line = crate::i18n::errors::message(lang, &Error::Server(e.clone()));
                assert!(
                    !line.is_empty() && !line.contains('\n') && !line.contains("{}"),
                    "{line}"
                );
            }
        }
        for lang in [Lang::Zh, Lang::En] {
            let t = lang.server();
            for s in [t.reconnecting, t.serving, t.stopped_idle, t.stopped, t.backup_written] {
                assert!(!s.is_empty());
            }
        }
    }
}
