//! The command line's grammar (clap derive). Values a person can get wrong
//! in domain terms (kinds, categories, dates, names) are taken as text and
//! checked by the library, so that each mistake gets the library's one-line
//! message and exit code 1; clap itself only rejects malformed usage (exit 2).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::i18n::Lang;

#[derive(Debug, Parser)]
#[command(
    name = "branchlink",
    version,
    about = "Workbench for the party-branch contact-point system (党支部工作联系点)",
    long_about = "Workbench for the party-branch contact-point system (党支部工作联系点).\n\
                  With no command, opens the workbench; the commands below do the same work from a shell."
)]
pub struct Cli {
    /// Database directory [default: the platform data directory]
    #[arg(long, global = true, env = "BRANCHLINK_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Language of messages and screens
    #[arg(long, global = true, value_enum, default_value = "zh")]
    pub lang: Lang,
    /// Viewer rights only, whatever your role: a read-only board, and
    /// commands that change data are refused by the server
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Open the database in this process instead of going through the
    /// server (fails if a server holds it)
    #[arg(long, global = true)]
    pub no_server: bool,
    /// The server's socket [default: beside the database, <db>.sock]
    #[arg(long, global = true, env = "BRANCHLINK_SOCKET", value_name = "PATH")]
    pub socket: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load the document's five 2020 contact points with sample records (once)
    Demo,
    /// Leaders of the leading party group (局党组)
    #[command(subcommand)]
    Leader(LeaderCmd),
    /// Party branches (党支部)
    #[command(subcommand)]
    Branch(BranchCmd),
    /// Contact points (联系点): assignments, reviews, hand-overs
    #[command(subcommand)]
    Point(PointCmd),
    /// Visits and other contact work (联系活动)
    #[command(subcommand)]
    Visit(VisitCmd),
    /// Prominent problems at contact points (突出问题)
    #[command(subcommand)]
    Problem(ProblemCmd),
    /// Work the bureau owes as a whole: training, thematic study, analysis
    #[command(subcommand)]
    Event(EventCmd),
    /// Each leader's and the bureau's standing against the year's targets
    Status {
        #[arg(long)]
        year: Option<i64>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Write the whole database to FILE as JSON
    Export { file: PathBuf },
    /// Read an export FILE into an empty database (checked in full first)
    Import { file: PathBuf },
    /// Write a consistent JSON export of the running database to FILE
    /// (restore it with import into an empty database)
    Backup { file: PathBuf },
    /// Run the server that owns the database; every other command and the
    /// workbench talk to it (one is started in the background when needed)
    Serve {
        /// Make the socket 0660 for this group (a shared install); otherwise
        /// only the server's own user can connect
        #[arg(long, value_name = "NAME")]
        group: Option<String>,
        /// Stop after this many seconds with no connection [default: never]
        #[arg(long, value_name = "SECS")]
        idle_exit: Option<u64>,
    },
    /// The latest entries of the audit log
    Audit {
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct ListFormat {
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum LeaderCmd {
    /// Add a leader
    Add {
        name: String,
        /// As written in documents, e.g. 副局长
        #[arg(long)]
        title: String,
        /// secretary (党组书记) or member (班子成员)
        #[arg(long, default_value = "member")]
        role: String,
        /// The branch the leader belongs to (name, short name or id)
        #[arg(long)]
        own_branch: Option<String>,
        /// In post since [default: today]
        #[arg(long)]
        from: Option<String>,
    },
    /// List leaders
    List(ListFormat),
}

#[derive(Debug, Subcommand)]
pub enum BranchCmd {
    /// Add a branch under its full official name
    Add {
        name: String,
        #[arg(long)]
        short: Option<String>,
        /// Field or category (领域类别)
        #[arg(long)]
        category: Option<String>,
        /// Parent general branch or committee
        #[arg(long)]
        parent: Option<String>,
        /// Why it is weak: organisation, team, premises, funding, role (repeatable)
        #[arg(long)]
        weakness: Vec<String>,
    },
    /// List branches
    List(ListFormat),
}

#[derive(Debug, Subcommand)]
pub enum PointCmd {
    /// Make BRANCH the contact point of LEADER
    Assign {
        leader: String,
        branch: String,
        /// Start of the cycle [default: today]
        #[arg(long)]
        from: Option<String>,
        /// Cycle length in years
        #[arg(long, default_value_t = 2)]
        years: u32,
    },
    /// List contact points with their cycles
    List(ListFormat),
    /// Judge a contact point at the end of its cycle (二)
    Review {
        leader: String,
        /// 实现转化提升: close the point; the leader then chooses a new one
        #[arg(long, conflicts_with = "keep", required_unless_present = "keep")]
        transformed: bool,
        /// 尚未转化提升: keep the point for another cycle
        #[arg(long = "continue", id = "keep")]
        keep: bool,
        #[arg(long)]
        date: Option<String>,
    },
    /// Hand LEADER's contact point to SUCCESSOR in the post (二)
    Handover {
        leader: String,
        successor: String,
        #[arg(long)]
        date: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum VisitCmd {
    /// Log contact work by LEADER at their contact point
    Add {
        leader: String,
        /// research 蹲点调研, interview 访谈座谈, guidance 调度指导, analysis 分析研判,
        /// spot-check 抽查调研, org-life 组织生活, lecture 专题党课, theme-day 主题党日,
        /// home-visit 走访慰问
        #[arg(long)]
        kind: String,
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        place: Option<String>,
        #[arg(long)]
        participants: Option<String>,
        /// What was found
        #[arg(long)]
        findings: Option<String>,
        /// What was done or decided
        #[arg(long)]
        actions: Option<String>,
    },
    /// List activities, oldest first
    List {
        #[arg(long)]
        year: Option<i64>,
        #[arg(long)]
        leader: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Delete an activity by id
    Delete { id: u64 },
}

#[derive(Debug, Subcommand)]
pub enum ProblemCmd {
    /// Record a problem at LEADER's contact point
    Add {
        leader: String,
        /// leadership-gap 班子配备不齐, irregular-org-life 组织生活不规范, weak-role 作用发挥不好,
        /// inspection 巡视巡察发现问题, other 其他
        #[arg(long)]
        category: String,
        description: String,
        #[arg(long)]
        found: Option<String>,
        #[arg(long)]
        measures: Option<String>,
    },
    /// Mark a problem solved
    Solve {
        id: u64,
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        measures: Option<String>,
    },
    /// Reopen a solved problem
    Reopen { id: u64 },
    /// List problems
    List {
        #[arg(long, conflicts_with = "solved")]
        open: bool,
        #[arg(long)]
        solved: bool,
        /// Problems found or solved in this year
        #[arg(long)]
        year: Option<i64>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum EventCmd {
    /// Record bureau work: training 轮训, thematic-study 专题研究, analysis 分析研判
    Add {
        kind: String,
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// List bureau events
    List {
        #[arg(long)]
        year: Option<i64>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}
