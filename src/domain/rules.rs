//! The rulebook: what each leader and the bureau must do in a year (四, 七).
//!
//! Targets belong to a year. The targets in force for year Y are the ones
//! set for the latest year ≤ Y, or the document's defaults; so setting 2021's
//! targets never changes how 2020 is judged.

use serde::{Deserialize, Serialize};

use super::kinds::{ActivityKind, EventKind, Role};

/// The rules a tool can check, with stable ids used in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleId {
    Research,
    ProblemsSolved,
    OrgLife,
    Training,
    ThematicStudy,
    OwnBranchAnalysis,
}

impl RuleId {
    pub const LEADER: [RuleId; 3] = [RuleId::Research, RuleId::ProblemsSolved, RuleId::OrgLife];
    pub const BUREAU: [RuleId; 3] = [RuleId::Training, RuleId::ThematicStudy, RuleId::OwnBranchAnalysis];
    pub const ALL: [RuleId; 6] = [
        RuleId::Research,
        RuleId::ProblemsSolved,
        RuleId::OrgLife,
        RuleId::Training,
        RuleId::ThematicStudy,
        RuleId::OwnBranchAnalysis,
    ];

    pub fn id(self) -> &'static str {
        match self {
            RuleId::Research => "research",
            RuleId::ProblemsSolved => "problems_solved",
            RuleId::OrgLife => "org_life",
            RuleId::Training => "training",
            RuleId::ThematicStudy => "thematic_study",
            RuleId::OwnBranchAnalysis => "own_branch_analysis",
        }
    }

    pub fn parse(s: &str) -> Option<RuleId> {
        let s = s.trim().replace('-', "_");
        RuleId::ALL.into_iter().find(|r| r.id() == s)
    }

    /// Activity kinds that count toward a leader rule (empty for the others).
    pub fn counted_kinds(self) -> &'static [ActivityKind] {
        match self {
            RuleId::Research => &[ActivityKind::Research],
            // 四(二)五 and 六(二)四: a lecture, a theme day or a visit to
            // members are all ways of attending the point's organisational life.
            RuleId::OrgLife => &[
                ActivityKind::OrgLife,
                ActivityKind::Lecture,
                ActivityKind::ThemeDay,
                ActivityKind::HomeVisit,
            ],
            _ => &[],
        }
    }

    /// The bureau event that counts toward a bureau rule.
    pub fn counted_event(self) -> Option<EventKind> {
        match self {
            RuleId::Training => Some(EventKind::Training),
            RuleId::ThematicStudy => Some(EventKind::ThematicStudy),
            RuleId::OwnBranchAnalysis => Some(EventKind::Analysis),
            _ => None,
        }
    }

    /// The leader rule an activity kind counts toward, if any.
    pub fn for_kind(kind: ActivityKind) -> Option<RuleId> {
        RuleId::LEADER.into_iter().find(|r| r.counted_kinds().contains(&kind))
    }
}

/// A yearly number: `min` must be reached; `full` is the full mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub min: u32,
    pub full: u32,
}

impl Target {
    pub const fn new(min: u32, full: u32) -> Target {
        Target { min, full }
    }
}

/// The three rules each leader is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderTargets {
    pub research: Target,
    pub problems_solved: Target,
    pub org_life: Target,
}

/// The three rules the bureau is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BureauTargets {
    pub training: Target,
    pub thematic_study: Target,
    pub own_branch_analysis: Target,
}

/// All targets of one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Targets {
    pub secretary: LeaderTargets,
    /// Members' targets are arranged by the organs party committee (二);
    /// they default to the secretary's.
    pub member: LeaderTargets,
    pub bureau: BureauTargets,
}

impl Default for Targets {
    /// The document's numbers.
    fn default() -> Self {
        let leader = LeaderTargets {
            research: Target::new(2, 2),        // 四(一) 不少于2次
            problems_solved: Target::new(1, 2), // 四(二)四 1至2个
            org_life: Target::new(1, 1),        // 四(二)五 不少于1次
        };
        Targets {
            secretary: leader,
            member: leader,
            bureau: BureauTargets {
                training: Target::new(1, 1),            // 四(二)二 每年开展1次
                thematic_study: Target::new(1, 1),      // 七(一) 至少专题研究1次
                own_branch_analysis: Target::new(1, 1), // 七(一) 1次分析研判
            },
        }
    }
}

impl Targets {
    pub fn for_role(&self, role: Role) -> &LeaderTargets {
        match role {
            Role::Secretary => &self.secretary,
            Role::Member => &self.member,
        }
    }

    /// The target of `rule`, for a leader of `role` (ignored for bureau rules).
    pub fn get(&self, role: Role, rule: RuleId) -> Target {
        let l = self.for_role(role);
        match rule {
            RuleId::Research => l.research,
            RuleId::ProblemsSolved => l.problems_solved,
            RuleId::OrgLife => l.org_life,
            RuleId::Training => self.bureau.training,
            RuleId::ThematicStudy => self.bureau.thematic_study,
            RuleId::OwnBranchAnalysis => self.bureau.own_branch_analysis,
        }
    }

    /// Sets one target; `role` selects the leader targets (None sets both).
    pub fn set(&mut self, role: Option<Role>, rule: RuleId, target: Target) {
        let leader_slots: Vec<&mut LeaderTargets> = match role {
            Some(Role::Secretary) => vec![&mut self.secretary],
            Some(Role::Member) => vec![&mut self.member],
            None => vec![&mut self.secretary, &mut self.member],
        };
        match rule {
            RuleId::Research => leader_slots.into_iter().for_each(|l| l.research = target),
            RuleId::ProblemsSolved => leader_slots.into_iter().for_each(|l| l.problems_solved = target),
            RuleId::OrgLife => leader_slots.into_iter().for_each(|l| l.org_life = target),
            RuleId::Training => self.bureau.training = target,
            RuleId::ThematicStudy => self.bureau.thematic_study = target,
            RuleId::OwnBranchAnalysis => self.bureau.own_branch_analysis = target,
        }
    }
}

/// Picks the targets in force for `year` from those set for particular years
/// (sorted or not): the latest year ≤ `year`, else the defaults.
pub fn targets_for(year: i32, set: &[(i32, Targets)]) -> Targets {
    set.iter()
        .filter(|(y, _)| *y <= year)
        .max_by_key(|(y, _)| *y)
        .map(|(_, t)| *t)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documents() {
        let t = Targets::default();
        assert_eq!(t.get(Role::Secretary, RuleId::Research), Target::new(2, 2));
        assert_eq!(t.get(Role::Secretary, RuleId::ProblemsSolved), Target::new(1, 2));
        assert_eq!(t.get(Role::Member, RuleId::OrgLife), Target::new(1, 1));
        assert_eq!(t.get(Role::Member, RuleId::Training), Target::new(1, 1));
    }

    #[test]
    fn a_later_years_targets_do_not_reach_back() {
        let mut t2021 = Targets::default();
        t2021.set(None, RuleId::Research, Target::new(4, 6));
        let set = [(2021, t2021)];
        assert_eq!(targets_for(2020, &set).get(Role::Secretary, RuleId::Research).min, 2);
        assert_eq!(targets_for(2021, &set).get(Role::Secretary, RuleId::Research).min, 4);
        assert_eq!(targets_for(2023, &set).get(Role::Member, RuleId::Research).min, 4);
    }

    #[test]
    fn role_specific_targets() {
        let mut t = Targets::default();
        t.set(Some(Role::Member), RuleId::Research, Target::new(1, 1));
        assert_eq!(t.get(Role::Member, RuleId::Research).min, 1);
        assert_eq!(t.get(Role::Secretary, RuleId::Research).min, 2);
    }

    #[test]
    fn org_life_counts_four_kinds() {
        for k in [
            ActivityKind::Lecture,
            ActivityKind::ThemeDay,
            ActivityKind::HomeVisit,
            ActivityKind::OrgLife,
        ] {
            assert_eq!(RuleId::for_kind(k), Some(RuleId::OrgLife));
        }
        assert_eq!(RuleId::for_kind(ActivityKind::Research), Some(RuleId::Research));
        assert_eq!(RuleId::for_kind(ActivityKind::Interview), None);
    }

    #[test]
    fn rule_ids_round_trip() {
        for r in [RuleId::LEADER, RuleId::BUREAU].concat() {
            assert_eq!(RuleId::parse(r.id()), Some(r));
        }
        assert_eq!(RuleId::parse("org-life"), Some(RuleId::OrgLife));
    }
}
