//! The closed vocabularies of the domain, each with a stable English id (used
//! on the command line, in JSON and in the store) and the document's Chinese
//! name. Input accepts either.

use serde::{Deserialize, Serialize};

/// Implements id/Chinese-name lookups for a fieldless enum.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $id:literal, $zh:literal, $en:literal;)+ }) => {
        $(#[$meta])*
        // Renaming changes only the JSON spelling (to the stable ids);
        // bincode stores the variant index, so stored data is unaffected.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Stable English id, e.g. for `--kind` and JSON.
            pub fn id(self) -> &'static str {
                match self { $($name::$variant => $id),+ }
            }
            /// The document's Chinese name.
            pub fn zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }
            /// A short English label for `--lang en`.
            pub fn en(self) -> &'static str {
                match self { $($name::$variant => $en),+ }
            }
            /// Accepts the English id (any case) or the Chinese name.
            pub fn parse(input: &str) -> Option<$name> {
                let s = input.trim();
                Self::ALL.iter().copied().find(|v| v.id().eq_ignore_ascii_case(s) || v.zh() == s)
            }
            /// "id (中文)" for every value, for English error messages.
            pub fn accepted() -> String {
                Self::ALL
                    .iter()
                    .map(|v| format!("{} ({})", v.id(), v.zh()))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
            /// "id 中文" for every value, joined with 、, for Chinese ones.
            pub fn accepted_zh() -> String {
                Self::ALL
                    .iter()
                    .map(|v| format!("{} {}", v.id(), v.zh()))
                    .collect::<Vec<_>>()
                    .join("、")
            }
        }
    };
}

vocabulary! {
    /// A leader's place in the leading party group (局党组).
    Role {
        Secretary = "secretary", "党组书记", "secretary";
        Member = "member", "班子成员", "member";
    }
}

vocabulary! {
    /// Why a branch is weak (两区分 b).
    Weakness {
        Organisation = "organisation", "组织设置", "organisation";
        Team = "team", "队伍建设", "team building";
        Premises = "premises", "活动场所", "premises";
        Funding = "funding", "经费保障", "funding";
        Role = "role", "作用发挥", "playing its role";
    }
}

vocabulary! {
    /// Kinds of contact work (四(一), 六(二)).
    ActivityKind {
        Research = "research", "蹲点调研", "on-site research";
        Interview = "interview", "访谈座谈", "interview";
        Guidance = "guidance", "调度指导", "guidance";
        Analysis = "analysis", "分析研判", "analysis";
        SpotCheck = "spot-check", "抽查调研", "spot check";
        OrgLife = "org-life", "组织生活", "org life";
        Lecture = "lecture", "专题党课", "party lecture";
        ThemeDay = "theme-day", "主题党日", "theme day";
        HomeVisit = "home-visit", "走访慰问", "home visit";
    }
}

vocabulary! {
    /// Categories of prominent problems (五(一)).
    ProblemCategory {
        LeadershipGap = "leadership-gap", "班子配备不齐", "leadership gap";
        IrregularOrgLife = "irregular-org-life", "组织生活不规范", "irregular org life";
        WeakRole = "weak-role", "作用发挥不好", "weak role";
        Inspection = "inspection", "巡视巡察发现问题", "inspection finding";
        Other = "other", "其他", "other";
    }
}

vocabulary! {
    /// Where a problem stands.
    ProblemState {
        Open = "open", "未解决", "open";
        InProgress = "in-progress", "推进中", "in progress";
        Solved = "solved", "已解决", "solved";
    }
}

vocabulary! {
    /// Work the bureau (not one leader) owes each year (四(二)二, 七(一)).
    EventKind {
        Training = "training", "支部书记轮训", "branch secretary training";
        ThematicStudy = "thematic-study", "专题研究党支部建设", "thematic study";
        Analysis = "analysis", "本支部分析研判", "own-branch analysis";
    }
}

impl EventKind {
    /// The short names the command's help and the board use for bureau
    /// work (轮训, 专题研究, 分析研判), beside what [`EventKind::parse`]
    /// takes. Only these: matching any part of a name took 党支部 and 书记
    /// for kinds of work.
    pub fn parse_short(input: &str) -> Option<EventKind> {
        EventKind::parse(input).or(match input.trim() {
            "轮训" | "书记轮训" => Some(EventKind::Training),
            "专题研究" => Some(EventKind::ThematicStudy),
            "分析研判" => Some(EventKind::Analysis),
            _ => None,
        })
    }
}

vocabulary! {
    /// The state of a contact point through its cycles (二).
    PointState {
        Active = "active", "联系中", "active";
        Transformed = "transformed", "已转化提升", "transformed";
        Continued = "continued", "继续联系", "continued";
        HandedOver = "handed-over", "已接续", "handed over";
    }
}

impl PointState {
    /// A transformed point is closed; every other state is still being worked.
    pub fn is_open(self) -> bool {
        self != PointState::Transformed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bureau_work_takes_the_short_names_the_help_gives() {
        // `event add --help`: training 轮训, thematic-study 专题研究, analysis 分析研判.
        assert_eq!(EventKind::parse_short("轮训"), Some(EventKind::Training));
        assert_eq!(EventKind::parse_short("专题研究"), Some(EventKind::ThematicStudy));
        assert_eq!(EventKind::parse_short("分析研判"), Some(EventKind::Analysis));
        assert_eq!(EventKind::parse_short("analysis"), Some(EventKind::Analysis));
        // No other part of a name, and no other vocabulary loosened.
        assert_eq!(EventKind::parse_short("党支部"), None);
        assert_eq!(EventKind::parse_short("书记"), None);
        assert_eq!(Role::parse("党组"), None);
        assert_eq!(ProblemCategory::parse("问题"), None);
        assert_eq!(ActivityKind::parse("调研"), None);
    }

    #[test]
    fn parses_id_and_chinese() {
        assert_eq!(ActivityKind::parse("research"), Some(ActivityKind::Research));
        assert_eq!(ActivityKind::parse("蹲点调研"), Some(ActivityKind::Research));
        assert_eq!(ActivityKind::parse("Spot-Check"), Some(ActivityKind::SpotCheck));
        assert_eq!(ActivityKind::parse("visit"), None);
        assert_eq!(
            ProblemCategory::parse("巡视巡察发现问题"),
            Some(ProblemCategory::Inspection)
        );
        assert_eq!(EventKind::parse("thematic-study"), Some(EventKind::ThematicStudy));
    }

    #[test]
    fn ids_are_unique() {
        let ids: std::collections::HashSet<_> = ActivityKind::ALL.iter().map(|k| k.id()).collect();
        assert_eq!(ids.len(), ActivityKind::ALL.len());
        let zh: std::collections::HashSet<_> = ActivityKind::ALL.iter().map(|k| k.zh()).collect();
        assert_eq!(zh.len(), ActivityKind::ALL.len());
    }

    #[test]
    fn json_spelling_is_the_id() {
        for k in ActivityKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.id());
        }
        for c in ProblemCategory::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.id());
        }
        for v in PointState::ALL {
            assert_eq!(serde_json::to_value(v).unwrap(), v.id());
        }
        for v in ProblemState::ALL {
            assert_eq!(serde_json::to_value(v).unwrap(), v.id());
        }
        for v in Weakness::ALL {
            assert_eq!(serde_json::to_value(v).unwrap(), v.id());
        }
        for v in EventKind::ALL {
            assert_eq!(serde_json::to_value(v).unwrap(), v.id());
        }
        assert_eq!(serde_json::to_value(Role::Secretary).unwrap(), "secretary");
    }

    #[test]
    fn accepted_lists_every_value() {
        let s = ProblemCategory::accepted();
        for c in ProblemCategory::ALL {
            assert!(s.contains(c.id()) && s.contains(c.zh()));
        }
    }
}
