//! Every string a person sees, in Chinese (the default) and English.
//!
//! One catalog per front end ([`cli`], [`tui`], [`server`]) plus the rendering of errors
//! ([`errors`]) and of the domain's vocabularies. Templates use `{}` for
//! their arguments, filled in order by [`fill`]. No visible string is
//! written anywhere else, so no screen mixes languages.

pub mod cli;
pub mod errors;
pub mod help;
pub mod report;
pub mod server;
pub mod tui;

use std::fmt::Display;

use serde::{Deserialize, Serialize};

use crate::domain::{ActivityKind, EventKind, PointState, ProblemCategory, ProblemState, Role, RuleId, Weakness};

/// The language of messages and screens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn cli(self) -> &'static cli::CliText {
        match self {
            Lang::Zh => &cli::ZH,
            Lang::En => &cli::EN,
        }
    }

    pub fn server(self) -> &'static server::ServerText {
        match self {
            Lang::Zh => &server::ZH,
            Lang::En => &server::EN,
        }
    }

    pub fn tui(self) -> &'static tui::TuiText {
        match self {
            Lang::Zh => &tui::ZH,
            Lang::En => &tui::EN,
        }
    }

    pub fn report(self) -> &'static report::ReportText {
        match self {
            Lang::Zh => &report::ZH,
            Lang::En => &report::EN,
        }
    }

    /// Chooses between the two spellings of one string.
    pub fn pick(self, zh: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// [`Lang::pick`] for strings made at run time.
    pub fn pick_owned(self, zh: String, en: String) -> String {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// The punctuation that joins a label to its value: `：` or `: `.
    pub fn colon(self) -> &'static str {
        self.pick("：", ": ")
    }

    /// Between two clauses: `；` or `; `.
    pub fn semicolon(self) -> &'static str {
        self.pick("；", "; ")
    }

    /// Between two parts of one clause: `，` or `, `.
    pub fn comma(self) -> &'static str {
        self.pick("，", ", ")
    }

    /// `text` in brackets after what precedes it: `（text）` or ` (text)`.
    pub fn bracketed(self, text: &dyn std::fmt::Display) -> String {
        match self {
            Lang::Zh => format!("（{text}）"),
            Lang::En => format!(" ({text})"),
        }
    }
}

/// Fills the `{}` slots of a template with `args`, in order. Missing
/// arguments leave the slot empty; extra ones are ignored.
pub fn fill(template: &str, args: &[&dyn Display]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut args = args.iter();
    let mut rest = template;
    while let Some(i) = rest.find("{}") {
        out.push_str(&rest[..i]);
        if let Some(a) = args.next() {
            out.push_str(&a.to_string());
        }
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

/// Names of the domain's vocabularies in the chosen language.
pub trait Label {
    fn label(self, lang: Lang) -> &'static str;
}

macro_rules! vocabulary_label {
    ($($t:ty),+) => {$(
        impl Label for $t {
            fn label(self, lang: Lang) -> &'static str {
                match lang {
                    Lang::Zh => self.zh(),
                    Lang::En => self.en(),
                }
            }
        }
    )+};
}
vocabulary_label!(
    ActivityKind,
    ProblemCategory,
    ProblemState,
    EventKind,
    PointState,
    Role,
    Weakness
);

impl Label for RuleId {
    fn label(self, lang: Lang) -> &'static str {
        match self {
            RuleId::Research => lang.pick("蹲点调研", "research"),
            RuleId::ProblemsSolved => lang.pick("解决问题", "problems solved"),
            RuleId::OrgLife => lang.pick("组织生活", "org life"),
            RuleId::Training => lang.pick("支部书记轮训", "secretary training"),
            RuleId::ThematicStudy => lang.pick("专题研究", "thematic study"),
            RuleId::OwnBranchAnalysis => lang.pick("本支部分析研判", "own-branch analysis"),
        }
    }
}

/// A rule as a person types it: its id (with `-` or `_`), its name in
/// either language (`组织生活`, `org life`), or for a bureau rule the name
/// of the work it counts as `event add` takes it (`轮训`).
pub fn parse_rule(input: &str) -> Option<RuleId> {
    let s = input.trim();
    RuleId::parse(s)
        .or_else(|| {
            RuleId::ALL
                .into_iter()
                .find(|r| r.label(Lang::Zh) == s || r.label(Lang::En).eq_ignore_ascii_case(s))
        })
        .or_else(|| {
            let event = crate::domain::EventKind::parse_short(s)?;
            RuleId::BUREAU.into_iter().find(|r| r.counted_event() == Some(event))
        })
}

/// The rules as [`parse_rule`] takes them, for messages: ids written with
/// `-` as the activity kinds' are, each with its Chinese name.
pub fn rules_accepted(lang: Lang) -> String {
    let each = RuleId::ALL.iter().map(|r| {
        let id = r.id().replace('_', "-");
        match lang {
            Lang::Zh => format!("{id} {}", r.label(Lang::Zh)),
            Lang::En => format!("{id} ({})", r.label(Lang::Zh)),
        }
    });
    each.collect::<Vec<_>>().join(lang.pick("、", ", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_taken_by_id_or_name() {
        for r in RuleId::ALL {
            assert_eq!(parse_rule(r.id()), Some(r));
            assert_eq!(parse_rule(&r.id().replace('_', "-")), Some(r));
            assert_eq!(parse_rule(r.label(Lang::Zh)), Some(r));
            assert_eq!(parse_rule(&r.label(Lang::En).to_uppercase()), Some(r));
            assert!(rules_accepted(Lang::Zh).contains(r.label(Lang::Zh)));
        }
        assert_eq!(parse_rule(" 组织生活 "), Some(RuleId::OrgLife));
        // The bureau's work by the names `event add` takes.
        assert_eq!(parse_rule("轮训"), Some(RuleId::Training));
        assert_eq!(parse_rule("分析研判"), Some(RuleId::OwnBranchAnalysis));
        assert_eq!(parse_rule("组织"), None);
        assert!(rules_accepted(Lang::Zh).starts_with("research 蹲点调研、problems-solved 解决问题"));
        assert!(rules_accepted(Lang::En).starts_with("research (蹲点调研), problems-solved (解决问题)"));
    }

    #[test]
    fn fill_in_order() {
        assert_eq!(fill("{} 与 {}", &[&1, &"二"]), "1 与 二");
        assert_eq!(fill("no slots", &[&1]), "no slots");
        assert_eq!(fill("{}{}", &[&"a"]), "a");
    }

    #[test]
    fn labels_in_both_languages() {
        assert_eq!(ActivityKind::Lecture.label(Lang::Zh), "专题党课");
        assert_eq!(ActivityKind::Lecture.label(Lang::En), "party lecture");
        assert_eq!(RuleId::OrgLife.label(Lang::En), "org life");
    }
}
