//! The command line's own help and usage errors in Chinese.
//!
//! The grammar (`cli::args`) is written with clap's derive, whose doc
//! comments are the English help. Under `--lang zh` (the default)
//! `cli::usage` puts these texts in their place, by command path (`""` for
//! the program, `"visit add"`) and argument id, and renders clap's errors
//! from their parts with [`UsageText`]. A test in `cli::usage` checks that
//! every English help line has its Chinese one here and no Chinese one
//! stands where there is no English (an entry left here for an argument
//! that is gone is not noticed: remove it with the argument).

/// A command's one-line help.
pub fn about(path: &str) -> Option<&'static str> {
    Some(match path {
        "" => "党支部工作联系点工作台",
        "demo" => "载入吉体党字〔2020〕32号中 2020 年的五个联系点和示例记录（只载入一次）",
        "leader" => "局党组领导",
        "leader add" => "添加领导",
        "leader list" => "列出领导",
        "branch" => "党支部",
        "branch add" => "按正式全称添加党支部",
        "branch list" => "列出党支部",
        "point" => "联系点：确定、评估、交接",
        "point assign" => "把 BRANCH 确定为 LEADER 的联系点",
        "point list" => "列出联系点及其联系周期",
        "point review" => "联系周期结束时评估联系点（二）",
        "point handover" => "把 LEADER 的联系点交给接任的 SUCCESSOR（二）",
        "visit" => "蹲点调研等联系活动",
        "visit add" => "记录 LEADER 在联系点的联系活动",
        "visit list" => "列出联系活动，日期早的在前",
        "visit delete" => "按编号删除联系活动",
        "problem" => "联系点的突出问题",
        "problem add" => "记录 LEADER 联系点的问题",
        "problem solve" => "把问题标为已解决",
        "problem reopen" => "重新打开已解决的问题",
        "problem list" => "列出问题",
        "problem delete" => "删除误记的问题",
        "problem edit" => "修改问题：类别、描述、发现日期、措施",
        "branch edit" => "修改支部：全称、简称、上级、领域类别、薄弱方面",
        "leader edit" => "修改领导：姓名、职务、角色、所在支部、任职日期",
        "leader delete" => "删除误加的领导（从未有过联系点、没有联系活动的）",
        "event delete" => "删除误记的局里工作",
        "event" => "局里整体的工作：轮训、专题研究、分析研判",
        "event add" => "记录局里的工作：training 轮训、thematic-study 专题研究、analysis 分析研判",
        "event list" => "列出局里的工作",
        "status" => "各位领导和全局对照年度指标的完成情况",
        "export" => "把整个数据库以 JSON 写入 FILE",
        "import" => "把导出的 FILE 读入空数据库（先全部检查）",
        "backup" => "把运行中的数据库导出为 JSON 写入 FILE（用 import 恢复）",
        "serve" => "运行持有数据库的服务（需要时自动在后台启动）",
        "audit" => "审计日志的最新记录",
        "report" => "年度报告：汇总表，然后每位领导，然后局里的规定",
        "due" => "每位领导和全局还差什么，最急的在前",
        "assess" => "LEADER 联系点的“五好一满意”评估；另有 assess list、assess rubric",
        "assess list" => "列出已记录的评估",
        "assess rubric" => "显示某年的评估维度和等次，或从该年起改名",
        "plan" => "年度工作安排（六）：阶段、时间和清单",
        "plan tick" => "勾选任务 PHASE.TASK，如 2.3",
        "plan untick" => "取消勾选任务 PHASE.TASK",
        "plan set-window" => "把阶段 PHASE 的时间设为 FROM 到 TO（含首尾两天）",
        "targets" => "各项规定的年度指标，按年份和角色",
        "targets show" => "某年有效的指标",
        "targets set" => "从 YEAR 年起设定 RULE 每年至少 MIN 次（满分 FULL 次，默认等于 MIN）",
        _ => return None,
    })
}

/// A command's longer help (`--help` rather than `-h`).
pub fn long_about(path: &str) -> Option<&'static str> {
    Some(match path {
        "" => "党支部工作联系点工作台。\n不带命令时打开工作台；下面的命令在命令行里做同样的工作。",
        _ => return None,
    })
}

/// The help of argument `id` of the command at `path`. clap wraps help
/// at ASCII spaces only, so lists of ids are written with `, ` (and a
/// no-break space inside an `id 名称` pair), not `、`, which it could not
/// break.
pub fn arg(path: &str, id: &str) -> Option<&'static str> {
    Some(match (path, id) {
        ("", "db") => "数据库目录 [默认：系统的数据目录]",
        ("", "lang") => "消息和界面的语言",
        ("", "read_only") => "只有查看权限：看板只读，改数据的命令被拒绝",
        ("", "no_server") => "在本进程中打开数据库，不经过服务",
        ("", "socket") => "服务的套接字 [默认：数据库旁的 <db>.sock]",
        ("leader add", "title") => "公文中的职务，如 副局长",
        ("leader add", "role") => "secretary（党组书记）或 member（班子成员）",
        ("leader add", "own_branch") => "领导所在的党支部（全称、简称或编号）",
        ("leader add", "from") => "任职起始日期 [默认：今天]",
        ("branch add", "category") => "领域类别",
        ("branch add", "parent") => "上级党总支或党委",
        ("branch add", "weakness") => "软弱涣散的原因：organisation, team, premises, funding, role（可重复）",
        ("point assign", "from") => "联系周期的开始日期 [默认：今天]",
        ("point assign", "years") => "联系周期的年数",
        ("point review", "transformed") => "实现转化提升：结束该联系点，领导再另选联系点",
        ("point review", "keep") => "尚未转化提升：该联系点再延续一个周期",
        ("visit add", "kind") => {
            "research\u{a0}蹲点调研, interview\u{a0}访谈座谈, guidance\u{a0}调度指导, analysis\u{a0}分析研判, \
             spot-check\u{a0}抽查调研, org-life\u{a0}组织生活, lecture\u{a0}专题党课, theme-day\u{a0}主题党日, \
             home-visit\u{a0}走访慰问"
        }
        ("visit add", "findings") => "发现的情况",
        ("visit add", "actions") => "做了什么或定了什么",
        ("problem add", "category") => {
            "leadership-gap\u{a0}班子配备不齐, irregular-org-life\u{a0}组织生活不规范, \
             weak-role\u{a0}作用发挥不好, inspection\u{a0}巡视巡察发现问题, other\u{a0}其他"
        }
        ("problem list", "year") => "这一年发现或解决的问题",
        ("serve", "group") => "这个用户组也能连接（套接字 0660，多人共用时）",
        ("serve", "idle_exit") => "连续这么多秒没有连接就停止 [默认：不停止]",
        ("report", "format") => "md（Markdown）、csv（每位领导一行）或 xlsx（需要 -o）",
        ("report", "output") => "写入 FILE，而不是标准输出",
        ("due", "days_without_visit") => "列出这么多天没有联系活动的联系点",
        ("assess", "leader") => "被评估联系点的领导（姓名或编号）",
        ("assess", "year") => "评估的年份 [默认：今年]",
        ("assess", "grades") => "每个维度一个等次，按顺序，逗号分隔：好,较好,一般,好,好（或 1–4）",
        ("assess", "satisfaction") => "群众满意：调查中满意的比例，0–100",
        ("assess", "dim_notes") => "某一维度的备注：N=TEXT，N 从 1 数起（可重复）",
        ("assess", "date") => "评估的日期 [默认：今天]",
        ("assess rubric", "dimensions") => "评估维度，逗号分隔",
        ("assess rubric", "grades") => "等次，好的在前，逗号分隔",
        ("assess rubric", "satisfaction_name") => "满意度的名称",
        ("plan", "year") => "工作安排的年份 [默认：今年]",
        ("plan tick", "date") => "完成的日期 [默认：今天]",
        ("targets set", "rule") => {
            "research, problems-solved, org-life, training, thematic-study, own-branch-analysis, \
             或规则名称（如 组织生活、轮训）"
        }
        ("targets set", "role") => "secretary 或 member [默认：两者]（局里的规定不分角色）",
        // Said the same wherever they stand.
        ("status" | "report" | "due" | "assess rubric" | "targets show", "year") => "年份 [默认：今年]",
        ("visit list" | "event list" | "assess list", "year") => "只列这一年的 [默认：所有年份]",
        (
            "status" | "due" | "leader list" | "branch list" | "point list" | "visit list" | "problem list"
            | "event list" | "assess list" | "targets show",
            "format",
        ) => "table 给人看，json 给程序用",
        ("export", "file") => "要写入的 JSON 文件",
        ("import", "file") => "要读入的导出文件",
        ("backup", "file") => "要写入的 JSON 文件",
        ("audit", "limit") => "显示多少条，新的在前",
        ("assess", "note") => "整个评估的备注",
        ("targets set", "year") => "从哪一年起生效",
        ("targets set", "min") => "每年至少几次",
        ("targets set", "full") => "满分次数 [默认：等于 MIN]",
        ("plan tick", "item") => "任务，PHASE.TASK，如 2.3",
        ("plan untick", "item") => "任务，PHASE.TASK",
        ("plan set-window", "phase") => "阶段的序号",
        ("plan set-window", "from") => "第一天，YYYY-MM-DD",
        ("plan set-window", "to") => "最后一天，YYYY-MM-DD",
        ("leader add", "name") => "领导姓名",
        ("branch add", "name") => "党支部的正式全称",
        ("branch add", "short") => "简称，输入和显示时代替全称，如 体科所支部",
        ("point assign" | "point review" | "point handover", "leader") => "领导（姓名、姓名的一部分或编号）",
        ("point assign", "branch") => "党支部（全称、简称或编号）",
        ("point review", "date") => "评估的日期 [默认：今天]",
        ("point handover", "successor") => "接任这个职务的领导",
        ("point handover", "date") => "交接的日期 [默认：今天]",
        ("visit add", "leader") => "做这项工作的领导（姓名、姓名的一部分或编号）",
        ("visit add", "date") => {
            "做的日期：2020-09-10, 09-10 或 0910（今年）, -3（三天前）, today 或 yesterday [默认：今天]"
        }
        ("visit add" | "event add", "note") => "备注",
        ("visit add", "place") => "地点",
        ("visit add", "participants") => "参加人员",
        ("visit list", "leader") => "只列这位领导的",
        ("visit delete", "id") => "活动的编号（visit list 里有）",
        ("problem add", "leader") => "出问题的联系点所属的领导",
        ("problem add", "description") => "问题是什么",
        ("problem add", "found") => "发现的日期 [默认：今天]",
        ("problem add", "measures") => "采取或计划的措施",
        ("problem solve" | "problem reopen" | "problem delete" | "problem edit", "id") => {
            "问题的编号（problem list 里有）"
        }
        ("problem edit", "category") => {
            "类别：leadership-gap, irregular-org-life, weak-role, inspection, other（或中文名称）"
        }
        ("problem edit", "description") => "问题是什么",
        ("problem edit", "found") => "发现的日期",
        ("problem edit", "measures") => "采取或计划的措施",
        ("event delete", "id") => "工作的编号（event list 里有）",
        ("leader delete" | "leader edit", "leader") => "领导（姓名、姓名的一部分或编号）",
        ("leader edit", "name") => "改正后的姓名",
        ("branch edit", "branch") => "党支部（全称、简称或编号）",
        ("branch edit", "name") => "改正后的正式全称",
        ("branch edit", "short") => "改正后的简称",
        ("branch edit", "category") => "领域类别",
        ("branch edit", "parent") => "上级党总支或党委",
        ("branch edit", "weakness") => {
            "软弱涣散的原因，替换已记的：organisation, team, premises, funding, role（可重复）"
        }
        ("leader edit", "title") => "公文中的职务，如 副局长",
        ("leader edit", "role") => "secretary（党组书记）或 member（班子成员）",
        ("leader edit", "own_branch") => "领导所在的党支部（全称、简称或编号；none 清除）",
        ("leader edit", "from") => "任职起始日期",
        ("leader edit", "to") => "离任日期（先移交联系点；none 清除）",
        ("problem solve", "date") => "解决的日期 [默认：今天]",
        ("problem solve", "measures") => "解决问题的措施",
        ("problem list", "open") => "只列未解决的",
        ("problem list", "solved") => "只列已解决的",
        ("event add", "kind") => "training、thematic-study 或 analysis（也可写 轮训、专题研究、分析研判）",
        ("event add", "date") => "举行的日期 [默认：今天]",
        _ => return None,
    })
}

/// clap's own words in a help or usage it renders, and their Chinese.
/// Applied in this order, so a longer phrase goes before its start.
pub const CLAP_WORDS: &[(&str, &str)] = &[
    ("Print help (see more with '--help')", "显示帮助（--help 显示更多）"),
    ("Print help (see a summary with '-h')", "显示帮助（-h 显示摘要）"),
    (
        "Print this message or the help of the given subcommand(s)",
        "显示本帮助或所给命令的帮助",
    ),
    ("Print help for the subcommand(s)", "显示所给命令的帮助"),
    ("Print help", "显示帮助"),
    ("Print version", "显示版本"),
    // A full-width colon needs no space after it, styled or not.
    ("Usage: ", "用法："),
    ("Usage:\x1b[0m ", "用法：\x1b[0m"),
    ("Usage:", "用法："),
    ("Commands:", "命令："),
    ("Arguments:", "参数："),
    ("Options:", "选项："),
    ("[OPTIONS]", "[选项]"),
    ("[COMMAND]", "[命令]"),
    ("<COMMAND>", "<命令>"),
];

/// The heading of the program's own options (`cli::args::GLOBAL_OPTIONS`).
pub const GLOBAL_OPTIONS: &str = "全局选项";

/// What clap notes after an argument's help, said in Chinese inside it,
/// so that clap wraps them with the help.
pub const DEFAULT: &str = "[默认：{}]";
pub const POSSIBLE: &str = "[可选：{}]";
pub const ENV: &str = "[环境变量\u{a0}{}]";

/// A usage error, said in Chinese. `{}` slots are filled in order.
pub struct UsageText {
    pub unknown_argument: &'static str,
    pub unknown_command: &'static str,
    pub did_you_mean: &'static str,
    pub invalid_value: &'static str,
    pub empty_value: &'static str,
    pub valid_values: &'static str,
    pub missing: &'static str,
    pub missing_command: &'static str,
    pub conflict: &'static str,
    pub repeated: &'static str,
    pub too_many_values: &'static str,
    pub wrong_number: &'static str,
    pub no_equals: &'static str,
    pub not_integer: &'static str,
    pub too_big: &'static str,
    pub too_small: &'static str,
    pub not_utf8: &'static str,
    pub other: &'static str,
    /// Between the items of a list (valid values, missing arguments).
    pub list_separator: &'static str,
    pub more: &'static str,
}

pub static ZH: UsageText = UsageText {
    unknown_argument: "不认识的参数“{}”",
    unknown_command: "没有“{}”这个命令",
    did_you_mean: "；是不是 {}？",
    invalid_value: "{} 不接受“{}”",
    empty_value: "{} 要给一个值",
    valid_values: "；可用：{}",
    missing: "缺少 {}",
    missing_command: "{} 后面要跟一个命令：{}",
    conflict: "{} 不能和 {} 一起用",
    repeated: "{} 只能给一次",
    too_many_values: "{} 只取一个值，“{}”多余",
    wrong_number: "{} 要 {} 个值，给了 {} 个",
    no_equals: "{} 的值要用等号给出，如 {}=…",
    not_integer: "：要是整数",
    too_big: "：数太大",
    too_small: "：数太小",
    not_utf8: "参数不是有效的 UTF-8 文本",
    other: "命令行用法不对",
    list_separator: "、",
    more: "用 --help 查看更多信息。",
};
