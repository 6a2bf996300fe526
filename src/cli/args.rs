//! The command line's grammar (clap derive). Values a person can get wrong
//! in domain terms (kinds, categories, dates, names) are taken as text and
//! checked by the library, so that each mistake gets the library's one-line
//! message and exit code 1; clap itself only rejects malformed usage (exit 2).

use std::path::PathBuf;

use clap::{ArgMatches, Args, FromArgMatches, Parser, Subcommand, ValueEnum};

use super::usage::localise_deferred;
use crate::i18n::Lang;

/// The heading of the program's own (global) options in every help.
pub const GLOBAL_OPTIONS: &str = "Global options";

#[derive(Debug, Parser)]
#[command(
    name = "branchlink",
    version,
    about = "Workbench for the party-branch contact-point system (党支部工作联系点)",
    long_about = "Workbench for the party-branch contact-point system (党支部工作联系点).\n\
                  With no command, opens the workbench; the commands below do the same work from a shell.",
    // Every argument of the program itself is global: listed after a
    // command's own, under their own heading.
    next_help_heading = GLOBAL_OPTIONS
)]
pub struct Cli {
    /// Database directory [default: the platform data directory]
    #[arg(
        long,
        global = true,
        env = "BRANCHLINK_DB",
        hide_env_values = true,
        value_name = "PATH"
    )]
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
    #[arg(long, global = true, env = "BRANCHLINK_NO_SERVER", hide_env_values = true, value_parser = clap::builder::FalseyValueParser::new())]
    pub no_server: bool,
    /// The server's socket [default: beside the database, <db>.sock]
    #[arg(
        long,
        global = true,
        env = "BRANCHLINK_SOCKET",
        hide_env_values = true,
        value_name = "PATH"
    )]
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
    Leader(Deferred<LeaderCmd>),
    /// Party branches (党支部)
    #[command(subcommand)]
    Branch(Deferred<BranchCmd>),
    /// Contact points (联系点): assignments, reviews, hand-overs
    #[command(subcommand)]
    Point(Deferred<PointCmd>),
    /// Visits and other contact work (联系活动)
    #[command(subcommand)]
    Visit(Deferred<VisitCmd>),
    /// Prominent problems at contact points (突出问题)
    #[command(subcommand)]
    Problem(Deferred<ProblemCmd>),
    /// Work the bureau owes as a whole: training, thematic study, analysis
    #[command(subcommand)]
    Event(Deferred<EventCmd>),
    /// Each leader's and the bureau's standing against the year's targets
    Status {
        /// The year [default: this year]
        #[arg(long)]
        year: Option<i64>,
        /// table for people, json for programs
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Write the whole database to FILE as JSON
    Export {
        /// The JSON file to write
        file: PathBuf,
    },
    /// Read an export FILE into an empty database (checked in full first)
    Import {
        /// The export file to read
        file: PathBuf,
    },
    /// Write a consistent JSON export of the running database to FILE
    /// (restore it with import into an empty database)
    Backup {
        /// The JSON file to write
        file: PathBuf,
    },
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
        /// How many entries, newest first
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// The year's report: a summary table, then each leader, then the bureau rules
    Report {
        /// The year [default: this year]
        #[arg(long)]
        year: Option<i64>,
        /// md (Markdown), csv (one row per leader) or xlsx (needs -o)
        #[arg(long, value_enum, default_value = "md")]
        format: ReportFormat,
        /// Write to FILE instead of standard output
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// What each leader and the bureau still owe, most urgent first
    Due {
        /// The year [default: this year]
        #[arg(long)]
        year: Option<i64>,
        /// List contact points with no visit in this many days
        #[arg(long, default_value_t = 90)]
        days_without_visit: u32,
        /// table for people, json for programs
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// The 五好一满意 assessment of LEADER's contact point; `assess list`, `assess rubric`
    Assess(Deferred<AssessArgs>),
    /// The year's work plan (六): phases, windows and a checklist
    Plan(Deferred<PlanArgs>),
    /// The yearly targets of each rule, per year and role
    #[command(subcommand)]
    Targets(Deferred<TargetsCmd>),
}

/// A command's own arguments or subcommands, which clap builds only when
/// the command line names that command (`clap::Command::defer`). clap
/// builds every argument of every command before it parses, and drops them
/// all after: for this grammar 0.3 ms of a one-shot `visit add` whose
/// whole work takes a few ms, and the same again for every other command.
/// The commands' names and one-line help are not deferred, so `--help`
/// and the suggestions for a mistyped command are unchanged.
///
/// Limits: clap runs a command's deferred function once, so a command
/// must not be deferred twice (not with clap's own `#[command(defer)]` on
/// top of this); a `#[command]` attribute on the wrapped type applies to
/// that command's own help only, after the variant's; and an argument of
/// a deferred command whose id is a root global's is only caught by
/// clap's checks in debug builds (`tests::the_grammar_passes_claps_checks`,
/// run by CI's `cargo test`).
#[derive(Debug)]
pub struct Deferred<T>(pub T);

impl<T: FromArgMatches> FromArgMatches for Deferred<T> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Deferred)
    }

    // The derive calls these; without them the defaults would go through
    // the methods above, which clone the matches.
    fn from_arg_matches_mut(matches: &mut ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(matches).map(Deferred)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }

    fn update_from_arg_matches_mut(&mut self, matches: &mut ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches_mut(matches)
    }
}

impl<T: Subcommand> Subcommand for Deferred<T> {
    fn augment_subcommands(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| localise_deferred(T::augment_subcommands(cmd)))
    }

    fn augment_subcommands_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| localise_deferred(T::augment_subcommands_for_update(cmd)))
    }

    fn has_subcommand(name: &str) -> bool {
        T::has_subcommand(name)
    }
}

impl<T: Args> Args for Deferred<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| localise_deferred(T::augment_args(cmd)))
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| localise_deferred(T::augment_args_for_update(cmd)))
    }

    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Md,
    Csv,
    Xlsx,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct AssessArgs {
    #[command(subcommand)]
    pub command: Option<AssessCmd>,
    /// The leader whose contact point is assessed (name or id)
    #[arg(required = true)]
    pub leader: Option<String>,
    /// The year assessed [default: this year]
    #[arg(long)]
    pub year: Option<i64>,
    /// One grade per dimension, in order, comma-separated: 好,较好,一般,好,好 (or 1–4)
    #[arg(long, required = true)]
    pub grades: Option<String>,
    /// 群众满意: the survey's share of satisfied answers, 0–100
    #[arg(long, required = true, allow_negative_numbers = true)]
    pub satisfaction: Option<i64>,
    /// A note on the whole assessment
    #[arg(long)]
    pub note: Option<String>,
    /// A note on one dimension: N=TEXT, N counted from 1 (repeatable)
    #[arg(long = "dim-note", value_name = "N=TEXT")]
    pub dim_notes: Vec<String>,
    /// The day of the assessment [default: today]
    #[arg(long, allow_negative_numbers = true)]
    pub date: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AssessCmd {
    /// List recorded assessments
    List {
        /// Only this year's [default: every year]
        #[arg(long)]
        year: Option<i64>,
        /// table for people, json for programs
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Show the dimensions and grades of a year, or rename them from that year on
    Rubric {
        /// The year [default: this year]
        #[arg(long)]
        year: Option<i64>,
        /// The dimensions, comma-separated
        #[arg(long)]
        dimensions: Option<String>,
        /// The grades, best first, comma-separated
        #[arg(long)]
        grades: Option<String>,
        /// The name of the satisfaction score
        #[arg(long)]
        satisfaction_name: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The plan's year [default: this year]
    #[arg(long, global = true)]
    pub year: Option<i64>,
    #[command(subcommand)]
    pub command: Option<PlanCmd>,
}

#[derive(Debug, Subcommand)]
pub enum PlanCmd {
    /// Tick task PHASE.TASK, e.g. 2.3
    Tick {
        /// The task, PHASE.TASK, e.g. 2.3
        item: String,
        /// The day it was done [default: today]
        #[arg(long, allow_negative_numbers = true)]
        date: Option<String>,
    },
    /// Untick task PHASE.TASK
    Untick {
        /// The task, PHASE.TASK
        item: String,
    },
    /// Set the window of PHASE to FROM–TO (both days included)
    SetWindow {
        /// The phase's number
        phase: u32,
        /// The first day, YYYY-MM-DD
        from: String,
        /// The last day, YYYY-MM-DD
        to: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TargetsCmd {
    /// The targets in force for a year
    Show {
        /// The year [default: this year]
        #[arg(long)]
        year: Option<i64>,
        /// table for people, json for programs
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Set RULE's yearly MIN (and FULL mark, default MIN) from YEAR on
    Set {
        /// The first year the target applies to
        #[arg(long)]
        year: i64,
        /// research, problems-solved, org-life, training, thematic-study, own-branch-analysis,
        /// or the rule's name (组织生活, 轮训)
        rule: String,
        /// The yearly minimum
        min: u32,
        /// The full mark [default: MIN]
        full: Option<u32>,
        /// secretary or member [default: both] (ignored for bureau rules)
        #[arg(long)]
        role: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct ListFormat {
    /// table for people, json for programs
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum LeaderCmd {
    /// Add a leader
    Add {
        /// The leader's name
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
        #[arg(long, allow_negative_numbers = true)]
        from: Option<String>,
    },
    /// List leaders
    List(ListFormat),
    /// Correct a leader: name, title, role, own branch, days in post
    Edit {
        /// The leader (name, part of it, or id)
        leader: String,
        /// The corrected name
        #[arg(long)]
        name: Option<String>,
        /// As written in documents, e.g. 副局长
        #[arg(long)]
        title: Option<String>,
        /// secretary (党组书记) or member (班子成员)
        #[arg(long)]
        role: Option<String>,
        /// The branch the leader belongs to (name, short name or id; none clears it)
        #[arg(long)]
        own_branch: Option<String>,
        /// In post since
        #[arg(long, allow_negative_numbers = true)]
        from: Option<String>,
        /// Left the post on (hand the contact point over first; none clears it)
        #[arg(long, allow_negative_numbers = true)]
        to: Option<String>,
    },
    /// Delete a leader added by mistake (one who never held a contact point or logged an activity)
    Delete {
        /// The leader (name, part of it, or id)
        leader: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum BranchCmd {
    /// Add a branch under its full official name
    Add {
        /// The branch's full official name
        name: String,
        /// A short name, typed and shown instead, e.g. 体科所支部
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
    /// Correct a branch: its names, parent, category, weaknesses
    Edit {
        /// The branch (name, short name or id)
        branch: String,
        /// The corrected full official name
        #[arg(long)]
        name: Option<String>,
        /// The corrected short name
        #[arg(long)]
        short: Option<String>,
        /// Field or category (领域类别)
        #[arg(long)]
        category: Option<String>,
        /// Parent general branch or committee
        #[arg(long)]
        parent: Option<String>,
        /// Why it is weak, replacing those recorded: organisation, team, premises, funding, role (repeatable)
        #[arg(long)]
        weakness: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PointCmd {
    /// Make BRANCH the contact point of LEADER
    Assign {
        /// The leader (name, part of it, or id)
        leader: String,
        /// The branch (name, short name or id)
        branch: String,
        /// Start of the cycle [default: today]
        #[arg(long, allow_negative_numbers = true)]
        from: Option<String>,
        /// Cycle length in years
        #[arg(long, default_value_t = 2)]
        years: u32,
    },
    /// List contact points with their cycles
    List(ListFormat),
    /// Judge a contact point at the end of its cycle (二)
    #[command(group(clap::ArgGroup::new("verdict").required(true).args(["transformed", "keep"])))]
    Review {
        /// The leader (name, part of it, or id)
        leader: String,
        /// 实现转化提升: close the point; the leader then chooses a new one
        #[arg(long)]
        transformed: bool,
        /// 尚未转化提升: keep the point for another cycle
        #[arg(long = "continue", id = "keep")]
        keep: bool,
        /// The day of the review [default: today]
        #[arg(long, allow_negative_numbers = true)]
        date: Option<String>,
    },
    /// Hand LEADER's contact point to SUCCESSOR in the post (二)
    Handover {
        /// The leader (name, part of it, or id)
        leader: String,
        /// The leader who takes over the post
        successor: String,
        /// The day of the hand-over [default: today]
        #[arg(long, allow_negative_numbers = true)]
        date: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum VisitCmd {
    /// Log contact work by LEADER at their contact point
    Add(VisitAdd),
    /// List activities, oldest first
    List {
        /// Only this year's [default: every year]
        #[arg(long)]
        year: Option<i64>,
        /// Only this leader's
        #[arg(long)]
        leader: Option<String>,
        /// table for people, json for programs
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Delete an activity by id
    Delete {
        /// The activity's id (as visit list shows it)
        id: u64,
    },
}

/// `visit add`'s arguments: what the command line logs, through the
/// data or through the inbox (`store::inbox`).
#[derive(Debug, clap::Args)]
pub struct VisitAdd {
    /// Who did the work (name, part of it, or id)
    pub leader: String,
    /// research 蹲点调研, interview 访谈座谈, guidance 调度指导, analysis 分析研判,
    /// spot-check 抽查调研, org-life 组织生活, lecture 专题党课, theme-day 主题党日,
    /// home-visit 走访慰问
    #[arg(long)]
    pub kind: String,
    /// The day it was done: 2020-09-10, 09-10 or 0910 (this year), -3 (days ago), today or
    /// yesterday [default: today]
    #[arg(long, allow_negative_numbers = true)]
    pub date: Option<String>,
    /// A note
    #[arg(long)]
    pub note: Option<String>,
    /// Where
    #[arg(long)]
    pub place: Option<String>,
    /// Who took part
    #[arg(long)]
    pub participants: Option<String>,
    /// What was found
    #[arg(long)]
    pub findings: Option<String>,
    /// What was done or decided
    #[arg(long)]
    pub actions: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ProblemCmd {
    /// Record a problem at LEADER's contact point
    Add {
        /// The leader whose contact point has the problem
        leader: String,
        /// leadership-gap 班子配备不齐, irregular-org-life 组织生活不规范, weak-role 作用发挥不好,
        /// inspection 巡视巡察发现问题, other 其他
        #[arg(long)]
        category: String,
        /// What the problem is
        description: String,
        /// The day it was found [default: today]
        #[arg(long, allow_negative_numbers = true)]
        found: Option<String>,
        /// Measures taken or planned
        #[arg(long)]
        measures: Option<String>,
    },
    /// Mark a problem solved
    Solve {
        /// The problem's id (as problem list shows it)
        id: u64,
        /// The day it was solved [default: today]
        #[arg(long, allow_negative_numbers = true)]
        date: Option<String>,
        /// What solved it
        #[arg(long)]
        measures: Option<String>,
    },
    /// Reopen a solved problem
    Reopen {
        /// The problem's id (as problem list shows it)
        id: u64,
    },
    /// Correct a problem: its category, description, day found, measures
    Edit {
        /// The problem's id (as problem list shows it)
        id: u64,
        /// leadership-gap, irregular-org-life, weak-role, inspection, other (or the Chinese name)
        #[arg(long)]
        category: Option<String>,
        /// What the problem is
        #[arg(long)]
        description: Option<String>,
        /// The day it was found
        #[arg(long, allow_negative_numbers = true)]
        found: Option<String>,
        /// Measures taken or planned
        #[arg(long)]
        measures: Option<String>,
    },
    /// Delete a problem recorded by mistake
    Delete {
        /// The problem's id (as problem list shows it)
        id: u64,
    },
    /// List problems
    List {
        /// Only open problems
        #[arg(long, conflicts_with = "solved")]
        open: bool,
        /// Only solved problems
        #[arg(long)]
        solved: bool,
        /// Problems found or solved in this year
        #[arg(long)]
        year: Option<i64>,
        /// table for people, json for programs
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum EventCmd {
    /// Record bureau work: training 轮训, thematic-study 专题研究, analysis 分析研判
    Add {
        /// training, thematic-study or analysis (or 轮训, 专题研究, 分析研判)
        kind: String,
        /// The day it was held [default: today]
        #[arg(long, allow_negative_numbers = true)]
        date: Option<String>,
        /// A note
        #[arg(long)]
        note: Option<String>,
    },
    /// List bureau events
    List {
        /// Only this year's [default: every year]
        #[arg(long)]
        year: Option<i64>,
        /// table for people, json for programs
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Delete a bureau event recorded by mistake
    Delete {
        /// The event's id (as event list shows it)
        id: u64,
    },
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// clap's own checks of the grammar (conflicting names, bad defaults),
    /// over every command, the deferred parts built too. clap runs them in
    /// debug builds only, as `cargo test` builds.
    #[test]
    fn the_grammar_passes_claps_checks() {
        Cli::command().debug_assert();
    }

    /// A deferred command's arguments are there when the command line
    /// names it, and its subcommands parse into the same values.
    #[test]
    fn deferred_commands_parse_their_arguments() {
        let cli = Cli::try_parse_from([
            "branchlink",
            "visit",
            "add",
            "王建国",
            "--kind",
            "research",
            "--note",
            "座谈",
        ])
        .unwrap();
        match cli.command {
            Some(Command::Visit(Deferred(VisitCmd::Add(VisitAdd { leader, kind, note, .. })))) => {
                assert_eq!((leader.as_str(), kind.as_str()), ("王建国", "research"));
                assert_eq!(note.as_deref(), Some("座谈"));
            }
            other => panic!("{other:?}"),
        }
        let cli = Cli::try_parse_from(["branchlink", "plan", "--year", "2026", "tick", "2.3"]).unwrap();
        match cli.command {
            Some(Command::Plan(Deferred(PlanArgs {
                year: Some(2026),
                command: Some(PlanCmd::Tick { item, .. }),
            }))) => assert_eq!(item, "2.3"),
            other => panic!("{other:?}"),
        }
        // A deferred command's own usage errors are still clap's.
        let error = Cli::try_parse_from(["branchlink", "visit", "add", "王建国"]).unwrap_err();
        assert_eq!(error.kind(), clap::error::ErrorKind::MissingRequiredArgument);
        let error = Cli::try_parse_from(["branchlink", "visit", "ad"]).unwrap_err();
        assert_eq!(error.kind(), clap::error::ErrorKind::InvalidSubcommand);
    }
}
