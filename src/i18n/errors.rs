//! One line for every error, in the chosen language.

use super::{Lang, fill};
use crate::domain::date::{DateProblem, MAX_YEAR, MIN_YEAR};
use crate::domain::error::{DomainError, Field, RecordKind};
use crate::domain::text::{TextProblem, printable};
use crate::domain::{ActivityKind, EventKind, ProblemCategory, Role, Weakness};
use crate::error::{Error, ServerError, StoreError};

pub fn field(lang: Lang, f: Field) -> &'static str {
    match f {
        Field::Name => lang.pick("名称", "name"),
        Field::Title => lang.pick("职务", "title"),
        Field::ShortName => lang.pick("简称", "short name"),
        Field::Parent => lang.pick("上级组织", "parent unit"),
        Field::Category => lang.pick("领域类别", "category"),
        Field::Place => lang.pick("地点", "place"),
        Field::Participants => lang.pick("参加人员", "participants"),
        Field::Findings => lang.pick("发现问题", "findings"),
        Field::Actions => lang.pick("工作措施", "actions"),
        Field::Note => lang.pick("备注", "note"),
        Field::Description => lang.pick("问题描述", "description"),
        Field::Measures => lang.pick("整改措施", "measures"),
        Field::Date => lang.pick("日期", "date"),
        Field::Year => lang.pick("年份", "year"),
    }
}

pub fn record(lang: Lang, k: RecordKind) -> &'static str {
    match k {
        RecordKind::Leader => lang.pick("领导", "leader"),
        RecordKind::Branch => lang.pick("支部", "branch"),
        RecordKind::Point => lang.pick("联系点", "contact point"),
        RecordKind::Activity => lang.pick("活动", "activity"),
        RecordKind::Problem => lang.pick("问题", "problem"),
        RecordKind::Event => lang.pick("局级工作", "bureau event"),
    }
}

/// The accepted date forms, for error messages.
pub fn date_forms(lang: Lang) -> &'static str {
    lang.pick(
        "可用格式：2020-09-10、09-10、0910、today（今天）、yesterday（昨天）、-3（三天前）",
        "accepted: 2020-09-10, 09-10, 0910, today, yesterday, -3 (three days ago)",
    )
}

fn text(lang: Lang, f: Field, p: &TextProblem) -> String {
    let name = field(lang, f);
    match p {
        TextProblem::Empty => format!("{name}{}", empty_text_suffix(lang)),
        TextProblem::TooLong { max, len } => fill(
            lang.pick(
                "{}太长：{} 个字，最多 {} 个",
                "{} is too long: {} characters, at most {}",
            ),
            &[&name, len, max],
        ),
        TextProblem::Forbidden { code, position } => fill(
            lang.pick(
                "{}含有不允许的控制字符 U+{}（第 {} 个字符）",
                "{} holds a forbidden control character U+{} (character {})",
            ),
            &[&name, &format!("{code:04X}"), &(position + 1)],
        ),
    }
}

pub fn domain(lang: Lang, e: &DomainError) -> String {
    let p = |s: &str| printable(s);
    match e {
        DomainError::Text { field, problem } => text(lang, *field, problem),
        DomainError::Date { input, problem } => match problem {
            DateProblem::Unreadable => fill(
                lang.pick("无法识别的日期“{}”；{}", "cannot read the date \"{}\"; {}"),
                &[&p(input), &date_forms(lang)],
            ),
            DateProblem::OutOfRange => fill(
                lang.pick(
                    "日期“{}”超出范围（{}–{} 年）",
                    "date \"{}\" is out of range (years {}–{})",
                ),
                &[&p(input), &MIN_YEAR, &MAX_YEAR],
            ),
            // The date read is named when the input does not spell it
            // (`12-01`, `-3`): which year a short form took matters.
            DateProblem::NotYet(date) if input.trim() == date.to_string() => fill(
                lang.pick(
                    "日期“{}”还没到：只能记录已经做过的工作",
                    "date \"{}\" is after today: only work already done can be recorded",
                ),
                &[&p(input)],
            ),
            DateProblem::NotYet(date) => fill(
                lang.pick(
                    "日期“{}”（{}）还没到：只能记录已经做过的工作",
                    "date \"{}\" ({}) is after today: only work already done can be recorded",
                ),
                &[&p(input), date],
            ),
        },
        DomainError::Year(y) => fill(
            lang.pick("年份 {} 超出范围（{}–{}）", "year {} is out of range ({}–{})"),
            &[y, &MIN_YEAR, &MAX_YEAR],
        ),
        DomainError::Unknown { kind, input } if input.trim().is_empty() => {
            fill(lang.pick("请填写{}", "a {} is needed"), &[&record(lang, *kind)])
        }
        DomainError::Unknown { kind, input } => fill(
            lang.pick("没有找到{}“{}”", "no {} \"{}\""),
            &[&record(lang, *kind), &p(input)],
        ),
        DomainError::Ambiguous { kind, input, matches } => fill(
            lang.pick(
                "“{}”对应多个{}：{}；请写全名或编号",
                "\"{}\" matches several {}s: {}; give the full name or the id",
            ),
            &[&p(input), &record(lang, *kind), &p(&matches.join(", "))],
        ),
        DomainError::Duplicate { kind, name } => fill(
            lang.pick("已有同名{}“{}”", "a {} named \"{}\" already exists"),
            &[&record(lang, *kind), &p(name)],
        ),
        DomainError::UnknownActivityKind(s) => fill(
            lang.pick(
                "未知的活动类型“{}”；可用：{}",
                "unknown activity kind \"{}\"; accepted: {}",
            ),
            &[
                &p(s),
                &lang.pick_owned(ActivityKind::accepted_zh(), ActivityKind::accepted()),
            ],
        ),
        DomainError::UnknownCategory(s) => fill(
            lang.pick(
                "未知的问题类别“{}”；可用：{}",
                "unknown problem category \"{}\"; accepted: {}",
            ),
            &[
                &p(s),
                &lang.pick_owned(ProblemCategory::accepted_zh(), ProblemCategory::accepted()),
            ],
        ),
        DomainError::UnknownEventKind(s) => fill(
            lang.pick(
                "未知的局级工作类型“{}”；可用：{}",
                "unknown bureau event \"{}\"; accepted: {}",
            ),
            &[&p(s), &lang.pick_owned(EventKind::accepted_zh(), EventKind::accepted())],
        ),
        DomainError::UnknownWeakness(s) => fill(
            lang.pick("未知的薄弱方面“{}”；可用：{}", "unknown weakness \"{}\"; accepted: {}"),
            &[&p(s), &lang.pick_owned(Weakness::accepted_zh(), Weakness::accepted())],
        ),
        DomainError::OwnBranch { leader, branch } => fill(
            lang.pick(
                "{}不能把本人所在支部“{}”作为联系点（二）",
                "{} cannot take their own branch \"{}\" as contact point (section 二)",
            ),
            &[&p(leader), &p(branch)],
        ),
        DomainError::PointExists { leader, branch } => fill(
            lang.pick(
                "{}已有联系点“{}”，请先评估或移交",
                "{} already has the contact point \"{}\"; review or hand it over first",
            ),
            &[&p(leader), &p(branch)],
        ),
        DomainError::NoPoint(l) => fill(
            lang.pick(
                "{}还没有联系点；请先确定（联系点页面按 n，或命令 point assign）",
                "{} has no contact point yet; assign one first (n on the contact points screen, or point assign)",
            ),
            &[&p(l)],
        ),
        DomainError::PointClosed(l) => fill(
            lang.pick("{}当前没有在联系中的联系点", "{} holds no open contact point"),
            &[&p(l)],
        ),
        DomainError::AlreadySolved(id) => fill(lang.pick("问题 {} 已经解决", "problem {} is already solved"), &[id]),
        DomainError::NotSolved(id) => fill(lang.pick("问题 {} 尚未解决", "problem {} is not solved"), &[id]),
        DomainError::SolvedBeforeFound { found, solved } => fill(
            lang.pick(
                "解决日期 {} 早于发现日期 {}",
                "solved date {} is before the found date {}",
            ),
            &[solved, found],
        ),
        DomainError::PostEndsBeforeStart { from, to } => fill(
            lang.pick("离任日期 {} 早于任职日期 {}", "post end {} is before post start {}"),
            &[to, from],
        ),
        DomainError::SelfHandover(l) => fill(
            lang.pick("{}不能移交给自己", "{} cannot hand over to themselves"),
            &[&p(l)],
        ),
        DomainError::CycleLength(n) => fill(
            lang.pick(
                "周期 {} 年无效：应为 1–10 年",
                "a cycle of {} years is not allowed: 1 to 10",
            ),
            &[n],
        ),
        DomainError::BadTarget { full, .. } if *full > crate::domain::validate::MAX_TARGET => fill(
            lang.pick(
                "目标无效：满分 {} 超过上限 {}",
                "bad target: full {} is over the limit of {}",
            ),
            &[full, &crate::domain::validate::MAX_TARGET],
        ),
        DomainError::BadTarget { min, full } => fill(
            lang.pick(
                "目标无效：最低 {} 不能高于满分 {}",
                "bad target: min {} is above full {}",
            ),
            &[min, full],
        ),
        DomainError::UnknownRule(s) => fill(
            lang.pick("未知的规则“{}”；可用：{}", "unknown rule \"{}\"; accepted: {}"),
            &[&p(s), &super::rules_accepted(lang)],
        ),
        DomainError::UnknownGrade { input, accepted } => fill(
            lang.pick(
                "未知的等次“{}”；可用：{}（或从 1 起的序号）",
                "unknown grade \"{}\"; accepted: {} (or its number from 1)",
            ),
            &[&p(input), &p(accepted)],
        ),
        DomainError::GradeCount { expected, got } => fill(
            lang.pick(
                "给出了 {} 个等次，应为 {} 个（每个维度一个）",
                "{} grades given; {} expected (one per dimension)",
            ),
            &[got, expected],
        ),
        DomainError::Satisfaction(n) => fill(
            lang.pick("满意度 {} 无效：应为 0–100", "satisfaction {} is not allowed: 0 to 100"),
            &[n],
        ),
        DomainError::RubricSize { got, max } => fill(
            lang.pick(
                "评价维度或等次有 {} 项：应为 1–{} 项",
                "a rubric list of {} items: 1 to {} allowed",
            ),
            &[got, max],
        ),
        DomainError::RubricDuplicate(list) => fill(
            lang.pick("评价维度或等次有重名：{}", "a rubric names an item twice: {}"),
            &[&p(list)],
        ),
        DomainError::UnknownPlanItem(s) => fill(
            lang.pick(
                "工作计划中没有“{}”；请写阶段.任务，如 2.3",
                "no plan item \"{}\"; write PHASE.TASK, e.g. 2.3",
            ),
            &[&p(s)],
        ),
        DomainError::WindowEndsBeforeStart { from, to } => fill(
            lang.pick("结束日期 {} 早于开始日期 {}", "end date {} is before start date {}"),
            &[to, from],
        ),
        DomainError::UnknownDimension(s) => fill(
            lang.pick(
                "没有评价维度“{}”；请写 序号=说明，序号从 1 起",
                "no assessment dimension \"{}\"; write N=TEXT with N counted from 1",
            ),
            &[&p(s)],
        ),
        DomainError::UnknownRole(s) => fill(
            lang.pick("未知的角色“{}”；可用：{}", "unknown role \"{}\"; accepted: {}"),
            &[&p(s), &lang.pick_owned(Role::accepted_zh(), Role::accepted())],
        ),
        DomainError::BeforePointChange { date, last } => fill(
            lang.pick(
                "日期 {} 早于联系点上一次变动的日期 {}",
                "date {} is before the contact point's last change on {}",
            ),
            &[date, last],
        ),
        DomainError::NoPointOn { leader, date, held } => {
            let spans: Vec<String> = held
                .iter()
                .map(|(from, to)| match to {
                    Some(to) => format!("{from} – {to}"),
                    None => fill(lang.pick("{} 起", "from {}"), &[from]),
                })
                .collect();
            let held = if spans.is_empty() {
                lang.pick("无", "none").to_string()
            } else {
                spans.join(lang.pick("、", ", "))
            };
            fill(
                lang.pick(
                    "{}在 {} 没有在联系中的联系点（联系期间：{}）",
                    "{} held no open contact point on {} (held one: {})",
                ),
                &[&p(leader), date, &held],
            )
        }
        DomainError::LeaderInUse(l) => fill(
            lang.pick(
                "{}有过联系点或联系活动，不能删除；离任请用移交（point handover）",
                "{} has held a contact point or has activities, so is not deleted; to leave the post, hand the point over (point handover)",
            ),
            &[&p(l)],
        ),
        DomainError::StillHoldsPoint { leader, branch } => fill(
            lang.pick(
                "{}仍在联系“{}”；离任前请先移交（point handover）",
                "{} still holds the open contact point \"{}\"; hand it over first (point handover)",
            ),
            &[&p(leader), &p(branch)],
        ),
        DomainError::BranchTaken { branch, leader } => fill(
            lang.pick(
                "“{}”已是{}在联系中的联系点",
                "\"{}\" is already the open contact point of {}",
            ),
            &[&p(branch), &p(leader)],
        ),
    }
}

pub fn store(lang: Lang, e: &StoreError) -> String {
    let p = |s: &str| printable(s);
    match e {
        StoreError::Locked { path } => fill(
            lang.pick(
                "数据库 {} 正被另一个进程使用（同一时间只能由一个进程打开）",
                "the database {} is in use by another process (only one may open it at a time)",
            ),
            &[&p(&path.display().to_string())],
        ),
        StoreError::Open { path, reason } => fill(
            lang.pick("无法打开数据库 {}：{}", "cannot open the database {}: {}"),
            &[&p(&path.display().to_string()), &p(reason)],
        ),
        StoreError::Io(r) => fill(
            lang.pick(
                "数据库读写失败，未保存：{}",
                "database read/write failed, nothing saved: {}",
            ),
            &[&p(r)],
        ),
        StoreError::Corrupt(r) => fill(
            lang.pick("数据库中有损坏的记录：{}", "the database holds a damaged record: {}"),
            &[&p(r)],
        ),
        StoreError::NotEmpty => lang
            .pick(
                "只能导入到空数据库；请用 --db 指定一个新位置",
                "import needs an empty database; name a new one with --db",
            )
            .to_string(),
        StoreError::Import(r) => fill(
            lang.pick("导入失败，未写入任何数据：{}", "import refused, nothing written: {}"),
            &[&p(r)],
        ),
        StoreError::Missing(r) => p(r),
        StoreError::NotJson { line, column } => fill(
            lang.pick(
                "导入失败，未写入任何数据：这不是 branchlink 导出的 JSON 文件（第 {} 行第 {} 列读不下去）",
                "import refused, nothing written: not a JSON file exported by branchlink (unreadable at line {}, column {})",
            ),
            &[line, column],
        ),
    }
}

pub fn server(lang: Lang, e: &ServerError) -> String {
    let p = |s: &str| printable(s);
    let path = |s: &std::path::Path| printable(&s.display().to_string());
    match e {
        ServerError::NoServer { socket, reason } => fill(
            lang.pick("套接字 {} 上没有服务应答：{}", "no server answers on {}: {}"),
            &[&path(socket), &p(reason)],
        ),
        ServerError::Lost { socket, seconds } => fill(
            lang.pick(
                "与服务（{}）的连接已断开，{} 秒内未能恢复",
                "lost the server on {} and could not reconnect within {} s",
            ),
            &[&path(socket), seconds],
        ),
        ServerError::Unconfirmed => lang
            .pick(
                "连接在服务确认之前断开：这次修改可能已保存，也可能没有；请先查看再决定是否重做",
                "the connection broke before the server confirmed the change: it may or may not be saved; look before repeating it",
            )
            .to_string(),
        ServerError::Version { client, server } => fill(
            lang.pick(
                "协议版本不一致：本程序为第 {} 版，服务为第 {} 版；请两边使用同一版本的 branchlink（或重启服务）",
                "protocol version mismatch: this client speaks version {}, the server version {}; use the same branchlink on both sides (or restart the server)",
            ),
            &[client, server],
        ),
        ServerError::Protocol(r) => fill(
            lang.pick("与服务通信出错：{}", "protocol error talking to the server: {}"),
            &[&p(r)],
        ),
        ServerError::Denied { needed, read_only, .. } if *read_only => fill(
            // The role is the viewer's because of --read-only, not the
            // user's own: say so, not that the user is a viewer.
            lang.pick(
                "这次是只读连接（--read-only），此操作需要{}权限",
                "this connection is read-only (--read-only); this needs {} rights",
            ),
            &[&super::server::role(lang, *needed)],
        ),
        ServerError::Denied {
            user, role, needed, ..
        } => fill(
            lang.pick(
                "{} 在此数据库的权限是{}，此操作需要{}权限",
                "{} has the role {} here; this needs {} rights",
            ),
            &[&p(user), &super::server::role(lang, *role), &super::server::role(lang, *needed)],
        ),
        ServerError::Refused { user } => fill(
            lang.pick(
                "访问文件不允许用户 {} 使用此数据库",
                "the access file does not let the user {} use this database",
            ),
            &[&p(user)],
        ),
        ServerError::AlreadyRunning { db, socket } => fill(
            lang.pick(
                "数据库 {} 已有服务在运行（套接字 {}），不再启动第二个",
                "a server for the database {} is already running (socket {}); not starting a second one",
            ),
            &[&path(db), &path(socket)],
        ),
        ServerError::HeldByServer { db, socket } => fill(
            lang.pick(
                "数据库 {} 正由服务使用（套接字 {}）；去掉 --no-server 即可通过服务操作",
                "the database {} is held by a server (socket {}); drop --no-server to go through it",
            ),
            &[&path(db), &path(socket)],
        ),
        ServerError::OtherDatabase { socket, db, served } => fill(
            lang.pick(
                "套接字 {} 上的服务使用的是数据库 {}，不是 {}；请检查 --socket 与 --db",
                "the server on {} serves the database {}, not {}; check --socket and --db",
            ),
            &[&path(socket), &path(served), &path(db)],
        ),
        ServerError::UnknownGroup(g) => fill(
            lang.pick("系统中没有用户组 {}（--group）", "the system has no group {} (--group)"),
            &[&p(g)],
        ),
        ServerError::Start(r) => fill(
            lang.pick("无法启动服务：{}", "cannot start the server: {}"),
            &[&p(r)],
        ),
        ServerError::Exited { log, last: Some(last) } => fill(
            lang.pick("服务没能启动：{}（日志 {}）", "the server did not start: {} (log {})"),
            &[last, &path(log)],
        ),
        ServerError::Exited { log, last: None } => fill(
            lang.pick("服务没能启动，见日志 {}", "the server did not start; see its log {}"),
            &[&path(log)],
        ),
        ServerError::StartTimeout { secs, log } => fill(
            lang.pick("服务 {} 秒内没有应答，见日志 {}", "no server answered within {} s; see its log {}"),
            &[secs, &path(log)],
        ),
        ServerError::Access { path: file, reason } => fill(
            lang.pick("访问文件 {} 有误：{}", "the access file {} is wrong: {}"),
            &[&path(file), &p(reason)],
        ),
        ServerError::TooLarge { size, max } => fill(
            lang.pick("请求过大：{} 字节，上限 {} 字节", "request too large: {} bytes, the limit is {}"),
            &[size, max],
        ),
    }
}

/// The one line shown for an error.
/// The tail of the message for a database that cannot be opened: the
/// latest backup and the command that restores it into a new database.
pub fn restore_hint(lang: Lang, db: &std::path::Path, backup: &std::path::Path) -> String {
    let p = |x: &std::path::Path| crate::domain::text::printable(&x.display().to_string());
    let mut restored = db.as_os_str().to_os_string();
    restored.push(".restored");
    let restored = std::path::PathBuf::from(restored);
    fill(
        lang.pick(
            "；最新备份是 {}，恢复到新数据库：branchlink --db {} import {}",
            "; the latest backup is {}; restore it into a new database with: branchlink --db {} import {}",
        ),
        &[&p(backup), &p(&restored), &p(backup)],
    )
}

/// After [`restore_hint`], when the damaged database's inbox holds visits
/// (`store::inbox`): a restore from the backup would not have them.
pub fn inbox_hint(lang: Lang, inbox: &std::path::Path) -> String {
    let p = crate::domain::text::printable(&inbox.display().to_string());
    fill(
        lang.pick(
            "；{} 中另有其后记录、尚未写入数据库的活动，恢复的数据库里没有",
            "; {} holds visits logged since, not yet in the database, which a restore leaves out",
        ),
        &[&p],
    )
}

/// What went wrong with a file, for a message: in Chinese, the usual
/// causes said in Chinese; otherwise the system's own words (English),
/// cleaned for a terminal.
pub fn io(lang: Lang, e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let zh = match e.kind() {
        K::NotFound => "文件或目录不存在",
        K::PermissionDenied => "没有权限",
        K::AlreadyExists => "已经存在",
        K::IsADirectory => "这是一个目录",
        K::NotADirectory => "路径中有一段不是目录",
        K::StorageFull => "磁盘已满",
        K::ReadOnlyFilesystem => "文件系统只读",
        K::FileTooLarge => "文件太大",
        _ => return printable(&e.to_string()),
    };
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => printable(&e.to_string()),
    }
}

/// The end of the message for a required text left empty (a form moves
/// the focus to the empty field on it).
pub fn empty_text_suffix(lang: Lang) -> &'static str {
    lang.pick("不能为空", " must not be empty")
}

pub fn message(lang: Lang, e: &Error) -> String {
    match e {
        Error::Domain(d) => domain(lang, d),
        Error::Store(s) => store(lang, s),
        Error::Server(s) => server(lang, s),
    }
}
