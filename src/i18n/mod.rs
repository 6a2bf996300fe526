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

#[cfg(test)]
mod tests {
    use super::*;

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
