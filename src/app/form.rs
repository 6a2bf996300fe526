//! Forms: a sequence of labelled fields, each a tui-input line or a choice
//! made with one key. The form knows nothing of the store; `update` reads
//! the values and sends the command.

use tui_input::{Input, InputRequest};

use crate::domain::{Activity, ActivityKind, LeaderId, ProblemCategory, ProblemId, Role};
use crate::i18n::{Label, Lang};

/// A closed set chosen with one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Kind,
    Category,
    Role,
    Decision,
    /// The report's format: Markdown, CSV, xlsx.
    Format,
    /// A rule of the rulebook, in the order of `app::TARGET_RULES`.
    Rule,
}

/// One key per activity kind, in the order of `ActivityKind::ALL`; letters
/// people remember from the Chinese or English name.
pub const KIND_KEYS: [char; 9] = ['r', 'i', 'g', 'n', 'c', 'o', 'l', 't', 'v'];
const CATEGORY_KEYS: [char; 5] = ['1', '2', '3', '4', '5'];
const ROLE_KEYS: [char; 2] = ['s', 'm'];
const DECISION_KEYS: [char; 2] = ['t', 'c'];
const FORMAT_KEYS: [char; 3] = ['m', 'c', 'x'];
/// research, problems solved, org life, training, thematic study, analysis.
const RULE_KEYS: [char; 6] = ['r', 'p', 'o', 't', 's', 'a'];

impl Choice {
    pub fn keys(self) -> &'static [char] {
        match self {
            Choice::Kind => &KIND_KEYS,
            Choice::Category => &CATEGORY_KEYS,
            Choice::Role => &ROLE_KEYS,
            Choice::Decision => &DECISION_KEYS,
            Choice::Format => &FORMAT_KEYS,
            Choice::Rule => &RULE_KEYS,
        }
    }

    pub fn label(self, index: usize, lang: Lang) -> &'static str {
        let t = lang.tui();
        match self {
            Choice::Kind => ActivityKind::ALL[index].label(lang),
            Choice::Category => ProblemCategory::ALL[index].label(lang),
            Choice::Role => Role::ALL[index].label(lang),
            Choice::Decision => [t.decision_transformed, t.decision_continue][index],
            Choice::Format => [t.fmt_md, t.fmt_csv, t.fmt_xlsx][index],
            Choice::Rule => crate::app::TARGET_RULES[index].label(lang),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Required text.
    Text,
    /// Text that may stay empty.
    Optional,
    Date,
    /// A leader by name (type-ahead: any unambiguous part).
    Leader,
    Branch,
    OptionalBranch,
    Number,
    /// A file name; pre-filled, so the first character typed replaces it.
    File,
    Choice(Choice),
}

#[derive(Debug, Clone)]
pub struct FormField {
    pub label: &'static str,
    pub kind: FieldKind,
    pub input: Input,
    /// The chosen index, for choice fields.
    pub choice: usize,
    /// Whether a choice field holds a choice: false for one that must be
    /// made on purpose (the review's decision), until a key makes it.
    pub chosen: bool,
    /// A pre-filled pick field: the first character typed replaces the
    /// value, so that type-ahead starts from nothing.
    pub fresh: bool,
}

impl FormField {
    pub fn new(label: &'static str, kind: FieldKind, value: &str) -> FormField {
        let fresh = matches!(
            kind,
            FieldKind::Leader | FieldKind::Branch | FieldKind::OptionalBranch | FieldKind::Date | FieldKind::File
        ) && !value.is_empty();
        FormField {
            label,
            kind,
            input: Input::new(value.to_string()),
            choice: 0,
            chosen: true,
            fresh,
        }
    }

    pub fn choice(label: &'static str, choice: Choice, index: usize) -> FormField {
        FormField {
            label,
            kind: FieldKind::Choice(choice),
            input: Input::default(),
            choice: index,
            chosen: true,
            fresh: false,
        }
    }

    /// A choice with nothing chosen: the form refuses to save until a key
    /// (or a step with the arrows) makes it. For decisions that must not
    /// be taken by an Enter pressed in haste.
    pub fn choice_unmade(label: &'static str, choice: Choice) -> FormField {
        FormField {
            chosen: false,
            ..FormField::choice(label, choice, 0)
        }
    }

    pub fn value(&self) -> &str {
        self.input.value()
    }

    /// Before words carried in from another field (see
    /// [`Form::to_text_after_choice`]) are added to the free text this
    /// field already holds, a separator, so that the two do not run
    /// together: the measures of a problem being solved hold those taken
    /// so far. `；` after Chinese, `; ` after text with none; nothing after
    /// a space or a mark that already separates, when the cursor is not at
    /// the end, or in a field of names (a leader, a branch, a file), where
    /// the words are the name going on.
    fn continue_words(&mut self) {
        let value = self.input.value();
        let Some(last) = value.chars().last() else {
            return;
        };
        let free_text = matches!(self.kind, FieldKind::Text | FieldKind::Optional);
        let at_end = self.input.cursor() == value.chars().count();
        if !free_text || self.fresh || !at_end || last.is_whitespace() || "；;，,。.、：:".contains(last) {
            return;
        }
        let separator = if value.chars().any(is_cjk) { "；" } else { "; " };
        self.input = Input::new(format!("{value}{separator}"));
    }
}

/// A CJK ideograph (the unified block and extension A).
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// What a form will do when saved.
#[derive(Debug, Clone, PartialEq)]
pub enum Purpose {
    NewActivity,
    EditActivity(Box<Activity>),
    NewProblem,
    Solve(ProblemId),
    AddLeader,
    AddBranch,
    Assign,
    Review(LeaderId),
    HandOver(LeaderId),
    /// Writes the report of a year to a file.
    Report(i32),
    /// Changes one target of a year.
    Targets(i32),
    /// Corrects a leader's record, as it was when the form opened.
    EditLeader(Box<crate::domain::Leader>),
    /// Corrects a problem's category, description, day found and measures.
    EditProblem(ProblemId),
}

#[derive(Debug, Clone)]
pub struct Form {
    pub purpose: Purpose,
    pub title: &'static str,
    pub fields: Vec<FormField>,
    pub focus: usize,
    /// Quick forms save on Enter from any field (every field has a default);
    /// the others move to the next field and save on the last.
    pub quick: bool,
    /// The last refusal, shown in the form; the form stays open.
    pub error: Option<String>,
}

impl Form {
    pub fn new(purpose: Purpose, title: &'static str, fields: Vec<FormField>, quick: bool) -> Form {
        Form {
            purpose,
            title,
            fields,
            focus: 0,
            quick,
            error: None,
        }
    }

    pub fn focused(&self) -> &FormField {
        &self.fields[self.focus]
    }

    pub fn focused_choice(&self) -> Option<Choice> {
        match self.focused().kind {
            FieldKind::Choice(c) => Some(c),
            _ => None,
        }
    }

    pub fn value(&self, i: usize) -> &str {
        self.fields.get(i).map_or("", |f| f.value())
    }

    pub fn choice(&self, i: usize) -> usize {
        self.fields.get(i).map_or(0, |f| f.choice)
    }

    /// The first choice field still without a choice.
    pub fn unmade_choice(&self) -> Option<usize> {
        self.fields
            .iter()
            .position(|f| matches!(f.kind, FieldKind::Choice(_)) && !f.chosen)
    }

    pub fn next(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len();
    }

    pub fn prev(&mut self) {
        self.focus = (self.focus + self.fields.len() - 1) % self.fields.len();
    }

    pub fn on_last(&self) -> bool {
        self.focus + 1 == self.fields.len()
    }

    /// Picks the choice bound to `key`; true when it was one of the field's.
    pub fn choose(&mut self, key: char) -> bool {
        let Some(choice) = self.focused_choice() else {
            return false;
        };
        match choice.keys().iter().position(|k| *k == key.to_ascii_lowercase()) {
            Some(i) => {
                let field = &mut self.fields[self.focus];
                field.choice = i;
                field.chosen = true;
                true
            }
            None => false,
        }
    }

    /// On a choice field, text that is no choice key (a Chinese character
    /// from an input method, say) belongs to the field after it that takes
    /// names or words (free text, a leader, a branch): moves the focus there
    /// and reports whether there was one. People start typing the
    /// description, the note or the branch before they think of the choice;
    /// the characters must not be lost.
    pub fn to_text_after_choice(&mut self) -> bool {
        if self.focused_choice().is_none() {
            return false;
        }
        self.focus_next_words()
    }

    /// The same for a date still holding the day it was filled with: a
    /// Chinese word typed there is the start of the text after it (the
    /// measures of a solved problem). Only a CJK ideograph that cannot
    /// start a date moves on: 今天, 昨天, 前天, 九月十日 and full-width
    /// digits stay in the date, to be read or refused there. Once the date
    /// has been edited, what is typed stays.
    pub fn to_text_after_fresh_date(&mut self, c: char) -> bool {
        let field = &self.fields[self.focus];
        let ideograph = is_cjk(c);
        let may_start_a_date = "今昨前明后上下本大一二三四五六七八九十〇零两".contains(c);
        if field.kind != FieldKind::Date || !field.fresh || !ideograph || may_start_a_date {
            return false;
        }
        self.focus_next_words() || self.focus_empty_text_before()
    }

    /// Moves the focus back to the nearest empty field of required text
    /// before this one; whether there was one. The problem form asks for
    /// the description before the date: words typed on the date after
    /// passing an empty description are the description.
    fn focus_empty_text_before(&mut self) -> bool {
        let empty_text = |f: &FormField| f.kind == FieldKind::Text && f.value().is_empty();
        match (0..self.focus).rev().find(|i| empty_text(&self.fields[*i])) {
            Some(i) => {
                self.focus = i;
                true
            }
            None => false,
        }
    }

    /// Moves the focus to the next field that takes names or words (free
    /// text, a leader, a branch, a file); whether there was one.
    fn focus_next_words(&mut self) -> bool {
        let takes_words = |kind: FieldKind| {
            matches!(
                kind,
                FieldKind::Text
                    | FieldKind::Optional
                    | FieldKind::Leader
                    | FieldKind::Branch
                    | FieldKind::OptionalBranch
                    | FieldKind::File
            )
        };
        match (self.focus + 1..self.fields.len()).find(|i| takes_words(self.fields[*i].kind)) {
            Some(i) => {
                self.focus = i;
                self.fields[i].continue_words();
                true
            }
            None => false,
        }
    }

    pub fn cycle(&mut self, step: isize) {
        if let Some(choice) = self.focused_choice() {
            let n = choice.keys().len() as isize;
            let field = &mut self.fields[self.focus];
            field.choice = if field.chosen {
                (field.choice as isize + step).rem_euclid(n) as usize
            } else if step > 0 {
                // The first step from nothing lands on the first or the
                // last choice, as it would from before the first.
                0
            } else {
                n as usize - 1
            };
            field.chosen = true;
        }
    }

    /// Edits the focused text field.
    pub fn input(&mut self, request: InputRequest) {
        let field = &mut self.fields[self.focus];
        if matches!(field.kind, FieldKind::Choice(_)) {
            return;
        }
        if field.fresh && matches!(request, InputRequest::InsertChar(_)) {
            field.input.reset();
        }
        field.fresh = false;
        field.input.handle(request);
    }

    /// Inserts pasted text; line breaks and tabs become spaces, since every
    /// field is one line, and other control characters (a terminal's
    /// colour codes, a bell) are dropped: they would sit in the field
    /// unseen and only show up as an error on saving.
    ///
    /// The text goes in as one edit: inserting a character costs the length
    /// of the value, so inserting a 1 MB paste one character at a time froze
    /// the workbench for hours (tests/hostile.rs pastes 1 MB).
    pub fn paste(&mut self, text: &str) {
        if !text.is_empty() {
            self.to_text_after_choice();
        }
        let field = &mut self.fields[self.focus];
        if matches!(field.kind, FieldKind::Choice(_)) || text.is_empty() {
            return;
        }
        if field.fresh {
            field.input.reset();
        }
        field.fresh = false;
        let pasted = pasted_line(text);
        let value = field.input.value();
        let cursor = field.input.cursor();
        let at = value.char_indices().nth(cursor).map_or(value.len(), |(i, _)| i);
        let mut joined = String::with_capacity(value.len() + pasted.len());
        joined.push_str(&value[..at]);
        joined.push_str(&pasted);
        joined.push_str(&value[at..]);
        let cursor = cursor + pasted.chars().count();
        field.input = Input::new(joined).with_cursor(cursor);
    }
}

/// Pasted text as one line: line breaks and tabs become spaces; terminal
/// escape sequences (a colour code, a title, a clipboard write: ESC or C1
/// introducer to its end) are dropped whole; so is every other character
/// the store refuses (controls, zero-width and direction marks, see
/// `domain::text::is_forbidden`), which a paste from a word processor or
/// a web page brings along unseen (see [`Form::paste`]).
pub fn pasted_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\r' | '\t' | '\u{85}' | '\u{2028}' | '\u{2029}' => out.push(' '),
            '\x1b' => match chars.peek() {
                Some('[') => {
                    chars.next();
                    skip_csi(&mut chars);
                }
                Some(']' | 'P' | 'X' | '^' | '_') => {
                    chars.next();
                    skip_string(&mut chars);
                }
                // ESC, intermediates (`(` in `ESC ( B`), one final byte;
                // anything else after ESC is text and stays.
                _ => {
                    while chars.next_if(|c| ('\u{20}'..='\u{2f}').contains(c)).is_some() {}
                    chars.next_if(|c| ('\u{30}'..='\u{7e}').contains(c));
                }
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if crate::domain::text::is_forbidden(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Skips a control sequence's parameters up to its final byte (@ to ~);
/// one cut short by text that cannot be part of it (a Chinese character)
/// ends there and leaves the text.
fn skip_csi(chars: &mut std::iter::Peekable<impl Iterator<Item = char>>) {
    while let Some(c) = chars.next_if(|c| ('\u{20}'..='\u{7e}').contains(c)) {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

/// Skips a string sequence (OSC, DCS …) up to BEL or the string
/// terminator (ESC \\ or U+009C).
fn skip_string(chars: &mut std::iter::Peekable<impl Iterator<Item = char>>) {
    while let Some(c) = chars.next() {
        match c {
            '\x07' | '\u{9c}' => break,
            '\x1b' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision_form() -> Form {
        let fields = vec![
            FormField::choice_unmade("decision", Choice::Decision),
            FormField::new("date", FieldKind::Date, "2020-11-20"),
        ];
        Form::new(Purpose::Review(1), "review", fields, false)
    }

    /// Chinese typed on a date still holding today goes on in the measures
    /// after a separator when they hold some already, and in the language
    /// of what is there.
    #[test]
    fn words_carried_into_a_field_with_text_are_kept_apart() {
        let solve = |measures: &str| {
            let fields = vec![
                FormField::new("date", FieldKind::Date, "2020-11-20"),
                FormField::new("measures", FieldKind::Optional, measures),
            ];
            let mut form = Form::new(Purpose::Solve(1), "solve", fields, true);
            assert!(form.to_text_after_fresh_date('整'));
            form.input(InputRequest::InsertChar('整'));
            form.value(1).to_string()
        };
        assert_eq!(solve(""), "整");
        // With no words after the date, an empty description before it
        // takes them (the problem form); one already written does not.
        let found = |description: &str| {
            let fields = vec![
                FormField::new("description", FieldKind::Text, description),
                FormField::new("found", FieldKind::Date, "2020-11-20"),
            ];
            let mut form = Form::new(Purpose::NewProblem, "problem", fields, false);
            form.focus = 1;
            let moved = form.to_text_after_fresh_date('党');
            (moved, form.focus)
        };
        assert_eq!(found(""), (true, 0));
        assert_eq!(found("经费不足"), (false, 1));
        assert_eq!(solve("建立台账"), "建立台账；整");
        assert_eq!(solve("建立台账；"), "建立台账；整");
        assert_eq!(solve("ledger set up"), "ledger set up; 整");
        assert_eq!(solve("建立台账 "), "建立台账 整");
        assert_eq!(solve("召开会议（2次）"), "召开会议（2次）；整");
        // Into a field of names, the words are the name going on.
        let fields = vec![
            FormField::choice("role", Choice::Role, 0),
            FormField::new("own branch", FieldKind::OptionalBranch, "体科"),
        ];
        let mut form = Form::new(Purpose::AddLeader, "leader", fields, false);
        // Typed there by the user (not a value the form was filled with).
        form.fields[1].fresh = false;
        assert!(form.to_text_after_choice());
        form.input(InputRequest::InsertChar('所'));
        assert_eq!(form.value(1), "体科所");
        // A field whose cursor is not at the end is left as it is.
        let mut field = FormField::new("measures", FieldKind::Optional, "建立台账");
        field.input.handle(InputRequest::GoToStart);
        field.continue_words();
        assert_eq!(field.value(), "建立台账");
    }

    /// An unmade choice stays unmade until a key or an arrow makes it; the
    /// first arrow lands on the first (→) or the last (←) choice.
    #[test]
    fn an_unmade_choice_is_made_by_a_key_or_an_arrow() {
        let mut form = decision_form();
        assert_eq!(form.unmade_choice(), Some(0));
        assert!(!form.choose('x'), "not one of the choice's keys");
        assert_eq!(form.unmade_choice(), Some(0));
        assert!(form.choose('c'));
        assert_eq!((form.unmade_choice(), form.choice(0)), (None, 1));
        for (step, index) in [(1, 0), (-1, 1)] {
            let mut form = decision_form();
            form.cycle(step);
            assert_eq!((form.unmade_choice(), form.choice(0)), (None, index), "step {step}");
        }
        // Made choices step round as before.
        let mut form = decision_form();
        form.cycle(1);
        form.cycle(1);
        assert_eq!(form.choice(0), 1);
        form.cycle(1);
        assert_eq!(form.choice(0), 0);
    }

    #[test]
    fn a_paste_keeps_what_is_seen_and_drops_sequences_whole() {
        assert_eq!(pasted_line("第一行\r\n第二行\t完"), "第一行  第二行 完");
        assert_eq!(pasted_line("\x1b[31mred\x1b[0m"), "red");
        assert_eq!(pasted_line("ok\x1b[1A\x1b[2Kforged"), "okforged");
        assert_eq!(pasted_line("a\x1b]52;c;ZWNobw==\x07b"), "ab");
        assert_eq!(pasted_line("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b"), "alinkb");
        assert_eq!(pasted_line("a\x1bP+q544e\x1b\\b"), "ab");
        assert_eq!(pasted_line("\u{9b}31mred"), "red");
        assert_eq!(pasted_line("a\u{9d}52;c;eA==\u{9c}b"), "ab");
        assert_eq!(pasted_line("a\u{200b}b\u{202e}c\u{feff}d\u{2028}e"), "abcd e");
        // An escape at the very end, or one that is never closed, loses
        // only itself and what it would have swallowed.
        assert_eq!(pasted_line("abc\x1b"), "abc");
        assert_eq!(pasted_line("abc\x1b]0;title"), "abc");
        // `tput sgr0`'s ESC ( B goes whole; text after a lone ESC stays,
        // and a control sequence cut short by Chinese keeps the Chinese.
        assert_eq!(pasted_line("a\x1b(Bb"), "ab");
        assert_eq!(pasted_line("a\x1b中文"), "a中文");
        assert_eq!(pasted_line("a\x1b[31中文"), "a中文");
        assert_eq!(pasted_line("line\u{85}next"), "line next");
    }
}
