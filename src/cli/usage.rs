//! Reading the command line in the language it asks for: under `--lang zh`
//! (the default) clap's help, usage and errors are Chinese like every
//! other message. clap has no translations of its own, so the grammar's
//! help texts are replaced by command path and argument id
//! (`i18n::help`), clap's own words in what it renders are replaced
//! after it renders them, and its errors are said again from their parts
//! (the offending argument, the valid values, the usage line).
//!
//! The language must be known before clap parses, so it is read from the
//! arguments first ([`lang_of`]); a command deferred by `args::Deferred`
//! is localised when clap builds it, from `HELP_IN_CHINESE`. A command
//! line that parses is parsed without the Chinese texts, which it never
//! shows; help and refusals are parsed again with them ([`parse_from`]).

use std::cell::Cell;
use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, FromArgMatches};

use super::args::Cli;
use crate::i18n::{Lang, fill, help};

thread_local! {
    /// Whether the help being built is Chinese (else clap's English). Set
    /// by [`parse_from`] before clap builds anything; commands deferred by
    /// `args::Deferred` read it when clap builds them, which it does on
    /// the thread that parses. Per thread, so that tests parsing in
    /// parallel do not see each other's language.
    static HELP_IN_CHINESE: Cell<bool> = const { Cell::new(false) };
}

/// The language the arguments ask for: `--lang VALUE` or `--lang=VALUE`
/// before a `--` (the last, should there be two: clap then refuses the
/// repetition, in that language), Chinese when none (clap's default). A
/// value clap will refuse counts as Chinese, so that refusal is Chinese.
pub fn lang_of(args: &[OsString]) -> Lang {
    let mut lang = Lang::Zh;
    let mut args = args.iter().skip(1).map(|a| a.to_str().unwrap_or(""));
    while let Some(arg) = args.next() {
        let value = match arg {
            "--" => break,
            "--lang" => args.next().unwrap_or(""),
            _ => match arg.strip_prefix("--lang=") {
                Some(value) => value,
                None => continue,
            },
        };
        lang = if value == "en" { Lang::En } else { Lang::Zh };
    }
    lang
}

/// Parses `args` (the program's name first) in the language they ask for.
/// On `Err`, [`render`] says what clap refused, or the help or version
/// asked for.
pub fn parse_from(args: Vec<OsString>) -> Result<(Cli, Lang), (clap::Error, Lang)> {
    parse_with(args, |command| command)
}

/// [`parse_from`] with the grammar changed by `adjust` first (tests set
/// the width of the help with it).
fn parse_with(
    args: Vec<OsString>,
    adjust: impl Fn(clap::Command) -> clap::Command,
) -> Result<(Cli, Lang), (clap::Error, Lang)> {
    let lang = lang_of(&args);
    // A command line is first parsed with a lean grammar, and only what
    // that refuses (help, mistakes, the program's options after the
    // command) is parsed again with the whole one, whose help and
    // refusals are shown:
    // - no Chinese help texts, which a command that parses never shows
    //   (putting them in place was a tenth of a one-shot command's
    //   instructions);
    // - the program's own options (`--db`, `--lang` …) not global: clap
    //   copies a global option into each of the twenty commands before it
    //   parses, a third of the rest. Without that they are taken before
    //   the command only, which is how scripts and the docs write them;
    //   after it they are unknown to the lean grammar, so such a line
    //   falls through to the whole one, which reads it as always.
    // What the lean grammar accepts, it reads as the whole one does
    // (tested): no command has an option of the same name as a global
    // (`args::tests`, clap's own checks). One exception kept out: a global
    // read from a variable set empty (`BRANCHLINK_DB=`) is refused by the
    // whole grammar at the command's level even when the option is given
    // before it, so such an option stays global in the lean one too.
    let attempt = |lean: bool, chinese: bool, args: Vec<OsString>| {
        HELP_IN_CHINESE.set(chinese);
        let mut command = adjust(localise(Cli::command(), ""));
        if lean {
            command = lean_grammar(command);
        }
        let parsed = command
            .try_get_matches_from_mut(args)
            .and_then(|mut matches| Cli::from_arg_matches_mut(&mut matches))
            // A lean refusal is never shown: the whole grammar parses again.
            .map_err(|e| if lean { e } else { e.format(&mut command) });
        // A command line that parsed is run next, and a one-shot command
        // exits soon after: the grammar, a few hundred small allocations,
        // is left to the exit (the workbench and the server keep it too).
        // Freeing it was a fifth of a one-shot command's parse (callgrind).
        if parsed.is_ok() {
            std::mem::forget(command);
        }
        parsed
    };
    let parsed = match attempt(true, false, args.clone()) {
        Err(_) => attempt(false, lang == Lang::Zh, args),
        parsed => parsed,
    };
    match parsed {
        Ok(cli) => Ok((cli, lang)),
        Err(e) => Err((e, lang)),
    }
}

/// `command` with the program's own options not global (see
/// [`parse_with`]), but for one read from a variable set empty.
fn lean_grammar(command: clap::Command) -> clap::Command {
    command.mut_args(|a| {
        let set_empty = a
            .get_env()
            .and_then(std::env::var_os)
            .is_some_and(|value| value.is_empty());
        if a.is_global_set() && !set_empty {
            a.global(false)
        } else {
            a
        }
    })
}

/// The text to print for a help, version or usage error, styled with
/// terminal colours when `ansi`. English is clap's own rendering.
pub fn render(lang: Lang, error: &clap::Error, ansi: bool) -> String {
    let styled = |s: &clap::builder::StyledStr| if ansi { s.ansi().to_string() } else { s.to_string() };
    match (lang, error.kind()) {
        (Lang::En, _) | (_, ErrorKind::DisplayVersion) => styled(&error.render()),
        (Lang::Zh, ErrorKind::DisplayHelp | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand) => {
            chinese_words(&styled(&error.render()))
        }
        (Lang::Zh, _) => {
            let mut out = format!("{}{}\n", Lang::Zh.cli().error_prefix, message(error));
            if let Some(ContextValue::StyledStr(usage)) = error.get(ContextKind::Usage) {
                out.push('\n');
                out.push_str(chinese_words(&styled(usage)).trim_end());
                out.push('\n');
            }
            out.push('\n');
            out.push_str(help::ZH.more);
            out.push('\n');
            out
        }
    }
}

/// One line saying what clap refused, from the error's parts.
fn message(error: &clap::Error) -> String {
    let t = &help::ZH;
    let text = |kind| match error.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(t.list_separator),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let suggestion = |kind| match error.get(kind) {
        Some(ContextValue::String(s)) => fill(t.did_you_mean, &[s]),
        Some(ContextValue::Strings(v)) if !v.is_empty() => fill(t.did_you_mean, &[&v.join(t.list_separator)]),
        _ => String::new(),
    };
    let arg = text(ContextKind::InvalidArg);
    match error.kind() {
        ErrorKind::UnknownArgument => fill(t.unknown_argument, &[&arg]) + &suggestion(ContextKind::SuggestedArg),
        ErrorKind::InvalidSubcommand => {
            fill(t.unknown_command, &[&text(ContextKind::InvalidSubcommand)])
                + &suggestion(ContextKind::SuggestedSubcommand)
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let value = text(ContextKind::InvalidValue);
            let mut out = if value.is_empty() {
                fill(t.empty_value, &[&arg])
            } else {
                fill(t.invalid_value, &[&arg, &value])
            };
            let valid = text(ContextKind::ValidValue);
            if !valid.is_empty() {
                out += &fill(t.valid_values, &[&valid]);
            }
            // A number clap could not read: say what a number must be.
            let number = std::error::Error::source(error).and_then(|e| e.downcast_ref::<std::num::ParseIntError>());
            out += match number.map(|e| e.kind()) {
                Some(std::num::IntErrorKind::PosOverflow) => t.too_big,
                Some(std::num::IntErrorKind::NegOverflow) => t.too_small,
                // Nothing given: `empty_value` said so already.
                Some(std::num::IntErrorKind::Empty) => "",
                Some(_) => t.not_integer,
                // An integer outside the type's range that still fits an
                // i64 (clap reads an u32 as an i64, then checks the range,
                // with a message of its own in English).
                None if error.kind() == ErrorKind::ValueValidation => match value.trim().parse::<i128>() {
                    Ok(n) if n < 0 => t.too_small,
                    Ok(_) => t.too_big,
                    Err(_) => "",
                },
                None => "",
            };
            out
        }
        ErrorKind::MissingRequiredArgument => fill(t.missing, &[&arg]),
        ErrorKind::MissingSubcommand => fill(
            t.missing_command,
            &[
                &text(ContextKind::InvalidSubcommand),
                &text(ContextKind::ValidSubcommand),
            ],
        ),
        ErrorKind::ArgumentConflict => {
            let first = match arg.is_empty() {
                true => text(ContextKind::InvalidSubcommand),
                false => arg,
            };
            let prior = text(ContextKind::PriorArg);
            match prior == first {
                // clap's way of saying an argument was given twice.
                true => fill(t.repeated, &[&first]),
                false => fill(t.conflict, &[&first, &prior]),
            }
        }
        ErrorKind::TooManyValues => fill(t.too_many_values, &[&arg, &text(ContextKind::InvalidValue)]),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            let expected = match error.get(ContextKind::ExpectedNumValues) {
                Some(_) => text(ContextKind::ExpectedNumValues),
                None => text(ContextKind::MinValues),
            };
            fill(t.wrong_number, &[&arg, &expected, &text(ContextKind::ActualNumValues)])
        }
        ErrorKind::NoEquals => fill(t.no_equals, &[&arg, &arg]),
        ErrorKind::InvalidUtf8 => t.not_utf8.to_string(),
        _ => t.other.to_string(),
    }
}

/// clap's own words in rendered text, in Chinese.
fn chinese_words(text: &str) -> String {
    help::CLAP_WORDS
        .iter()
        .fold(text.to_string(), |text, (en, zh)| text.replace(en, zh))
        // clap ends every heading with an ASCII colon, ours too.
        .replace(
            &format!("{}:", help::GLOBAL_OPTIONS),
            &format!("{}：", help::GLOBAL_OPTIONS),
        )
}

/// Puts the Chinese help in place in `command` (at `path`) and the
/// commands built with it, when the help being built is Chinese. A
/// deferred command's own arguments are not there yet: clap builds them
/// later and [`localise_deferred`] does the same to them.
fn localise(mut command: clap::Command, path: &str) -> clap::Command {
    if !HELP_IN_CHINESE.get() {
        return command;
    }
    if let Some(about) = help::about(path) {
        command = command.about(about);
    }
    if let Some(long) = help::long_about(path) {
        command = command.long_about(long);
    }
    // In place: `mut_arg` would move the argument to the end, and clap
    // numbers positional arguments in their order.
    command = command.mut_args(|a| chinese_arg(path, a));
    for sub in command.get_subcommands_mut() {
        let sub_path = match path {
            "" => sub.get_name().to_string(),
            _ => format!("{path} {}", sub.get_name()),
        };
        *sub = localise(std::mem::take(sub), &sub_path);
    }
    command
}

/// An argument's Chinese help, heading and notes. clap's own notes
/// (default, possible values, environment variable) are hidden and said in
/// Chinese at the end of the help instead: replacing them after clap
/// renders would miss those it wrapped onto two lines.
fn chinese_arg(path: &str, mut a: clap::Arg) -> clap::Arg {
    let mut text = help::arg(path, a.get_id().as_str()).unwrap_or_default().to_string();
    let mut note = |template: &str, value: &str| {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&fill(template, &[&value]));
    };
    if a.get_action().takes_values() {
        let defaults: Vec<String> = a
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into())
            .collect();
        if !defaults.is_empty() && !a.is_hide_default_value_set() {
            note(help::DEFAULT, &defaults.join(", "));
            a = a.hide_default_value(true);
        }
        let possible: Vec<String> = a
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if !possible.is_empty() && !a.is_hide_possible_values_set() {
            note(help::POSSIBLE, &possible.join(", "));
            a = a.hide_possible_values(true);
        }
    }
    if let Some(env) = a.get_env().filter(|_| !a.is_hide_env_set()) {
        note(help::ENV, &env.to_string_lossy());
        a = a.hide_env(true);
    }
    if a.get_help_heading() == Some(super::args::GLOBAL_OPTIONS) {
        a = a.help_heading(help::GLOBAL_OPTIONS);
    }
    if text.is_empty() { a } else { a.help(text) }
}

/// [`localise`] for a command that `args::Deferred` builds late: they are
/// all commands of the program itself, so the command's name is its path.
pub(crate) fn localise_deferred(command: clap::Command) -> clap::Command {
    let path = command.get_name().to_string();
    localise(command, &path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`parse_with`] as a test needs it: help 80 columns wide, and the
    /// environment's BRANCHLINK_DB and the like left out (clap names an
    /// option it took from there in the usage line).
    fn parse_here(args: &[&str]) -> Result<(Cli, Lang), (clap::Error, Lang)> {
        parse_with(os(args), |c| {
            c.mut_arg("db", |a| a.env(None))
                .mut_arg("socket", |a| a.env(None))
                .mut_arg("no_server", |a| a.env(None))
                .term_width(80)
        })
    }

    fn os(args: &[&str]) -> Vec<OsString> {
        std::iter::once("branchlink")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect()
    }

    /// Every command and argument, with its path (the whole grammar built,
    /// deferred commands included).
    fn grammar(lang: Lang) -> Vec<(String, Option<String>, Option<String>)> {
        type Texts = Vec<(String, Option<String>, Option<String>)>;
        fn walk(c: &clap::Command, path: &str, inherited: &[String], out: &mut Texts) {
            out.push((path.to_string(), None, c.get_about().map(|s| s.to_string())));
            let mut globals = inherited.to_vec();
            for a in c.get_arguments() {
                let id = a.get_id().as_str().to_string();
                // A global is listed where it is declared, not in the
                // commands clap copies it to; help and version are clap's
                // own (see `chinese_words`).
                if inherited.contains(&id) || id == "help" || id == "version" {
                    continue;
                }
                if a.is_global_set() {
                    globals.push(id.clone());
                }
                out.push((path.to_string(), Some(id), a.get_help().map(|s| s.to_string())));
            }
            for s in c.get_subcommands().filter(|s| s.get_name() != "help") {
                let p = match path {
                    "" => s.get_name().to_string(),
                    _ => format!("{path} {}", s.get_name()),
                };
                walk(s, &p, &globals, out);
            }
        }
        HELP_IN_CHINESE.set(lang == Lang::Zh);
        let mut command = localise(Cli::command(), "");
        command.build();
        let mut out = Vec::new();
        walk(&command, "", &[], &mut out);
        out
    }

    /// The Chinese help covers exactly what the English help says: no
    /// command or argument left in English, none translated that has no
    /// English help (a rename in `args` would leave the text unused).
    #[test]
    fn every_help_text_has_its_chinese_and_errors_are_chinese() {
        let english = grammar(Lang::En);
        let chinese = grammar(Lang::Zh);
        assert_eq!(english.len(), chinese.len());
        assert!(english.len() > 100, "the walk found the grammar: {}", english.len());
        for ((path, id, en), (_, _, zh)) in english.iter().zip(&chinese) {
            let translated = match id {
                None => help::about(path),
                Some(id) => help::arg(path, id),
            };
            assert_eq!(
                en.is_some(),
                translated.is_some(),
                "{path:?} {id:?}: {en:?} / {translated:?}"
            );
            if let Some(translated) = translated {
                let zh = zh.as_deref().unwrap_or_default();
                assert!(zh.starts_with(translated), "{path:?} {id:?} not put in place: {zh:?}");
            }
        }
        // Every command's help, short and long, has none of clap's English
        // left (the values and names of the grammar aside), and fits an
        // 80-column terminal in both languages.
        let paths: std::collections::BTreeSet<&str> = chinese.iter().map(|(path, _, _)| path.as_str()).collect();
        for path in paths {
            for (lang, flag) in [
                (None, "-h"),
                (None, "--help"),
                (Some("en"), "-h"),
                (Some("en"), "--help"),
            ] {
                let mut args: Vec<&str> = lang.map(|l| vec!["--lang", l]).unwrap_or_default();
                args.extend(path.split_whitespace());
                args.push(flag);
                let (e, lang) = parse_here(&args).map(|_| ()).unwrap_err();
                let text = render(lang, &e, false);
                // The usage line is a command line, which clap does not
                // break (nor should it); every other line must fit.
                for line in text
                    .lines()
                    .filter(|l| !l.starts_with("用法：") && !l.starts_with("Usage:"))
                {
                    let width = unicode_width::UnicodeWidthStr::width(line);
                    assert!(width <= 80, "{args:?}: a line of {width} columns:\n{line}");
                }
                if lang == Lang::En {
                    continue;
                }
                for english in [
                    "Usage",
                    "Options",
                    "Arguments",
                    "Commands",
                    "Print",
                    "[default",
                    "[env",
                    "[possible",
                ] {
                    assert!(!text.contains(english), "{args:?} says {english:?}:\n{text}");
                }
            }
        }

        // Errors, in Chinese, from their parts.
        let refused = |args: &[&str]| {
            let (e, lang) = parse_here(args).map(|_| ()).unwrap_err();
            assert_eq!(lang, Lang::Zh);
            render(lang, &e, false)
        };
        let r = refused(&["visit", "add", "瑞林"]);
        assert!(r.starts_with("错误：缺少 --kind <KIND>\n"), "{r}");
        assert!(r.contains("用法：branchlink visit add --kind <KIND> <LEADER>"), "{r}");
        assert!(r.ends_with("用 --help 查看更多信息。\n"), "{r}");
        let r = refused(&["vist"]);
        assert!(r.starts_with("错误：没有“vist”这个命令；是不是 visit？"), "{r}");
        let r = refused(&["status", "--format", "xml"]);
        assert!(
            r.starts_with("错误：--format <FORMAT> 不接受“xml”；可用：table、json"),
            "{r}"
        );
        let r = refused(&["problem", "list", "--open", "--solved"]);
        assert!(r.starts_with("错误：--open 不能和 --solved 一起用"), "{r}");
        let r = refused(&[
            "visit", "add", "瑞林", "--kind", "research", "--date", "today", "--date", "today",
        ]);
        assert!(r.starts_with("错误：--date <DATE> 只能给一次"), "{r}");
        let r = refused(&["visit", "delete", "one"]);
        assert!(r.starts_with("错误：<ID> 不接受“one”：要是整数\n"), "{r}");
        let r = refused(&["status", "--year", "99999999999999999999"]);
        assert!(
            r.starts_with("错误：--year <YEAR> 不接受“99999999999999999999”：数太大\n"),
            "{r}"
        );
        let r = refused(&["visit", "add", "瑞林", "--kind", "research", "--colour"]);
        assert!(r.starts_with("错误：不认识的参数“--colour”"), "{r}");
        let r = refused(&["status", "--year="]);
        assert_eq!(r.lines().next(), Some("错误：--year <YEAR> 要给一个值"), "{r}");
        let r = refused(&["--lang", "fr"]);
        assert!(r.starts_with("错误：--lang <LANG> 不接受“fr”；可用：zh、en"), "{r}");

        // Help: Chinese texts and clap's words, English under --lang en.
        let help = |args: &[&str]| {
            let (e, lang) = parse_here(args).map(|_| ()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::DisplayHelp);
            render(lang, &e, false)
        };
        let h = help(&["visit", "add", "--help"]);
        assert!(
            h.starts_with("记录 LEADER 在联系点的联系活动\n\n用法：branchlink visit add [选项]"),
            "{h}"
        );
        let styled = render(
            Lang::Zh,
            &parse_here(&["visit", "add", "--help"]).map(|_| ()).unwrap_err().0,
            true,
        );
        // No space after the full-width colon, styled as plain.
        assert!(styled.contains("用法：\x1b[0m\x1b[1mbranchlink"), "{styled:?}");
        // The help of `help` itself, which the walk above leaves out.
        let of_help = help(&["help", "help"]);
        assert!(
            of_help.contains("显示所给命令的帮助") && !of_help.contains("Print"),
            "{of_help}"
        );
        assert!(
            h.contains("选项：") && h.contains("参数：") && h.contains("显示帮助"),
            "{h}"
        );
        assert!(
            h.contains("全局选项：") && h.contains("消息和界面的语言 [默认：zh] [可选：zh, en]"),
            "{h}"
        );
        let h = help(&["--help"]);
        assert!(h.contains("命令：\n") && h.contains("蹲点调研等联系活动"), "{h}");
        assert!(!h.contains("Print") && !h.contains("Usage"), "{h}");
        let h = help(&["--lang", "en", "visit", "add", "--help"]);
        assert!(
            h.starts_with("Log contact work by LEADER at their contact point\n\nUsage: branchlink"),
            "{h}"
        );
    }

    #[test]
    fn the_language_is_read_before_parsing() {
        assert_eq!(lang_of(&os(&[])), Lang::Zh);
        assert_eq!(lang_of(&os(&["--lang", "en", "status"])), Lang::En);
        assert_eq!(lang_of(&os(&["status", "--lang=en"])), Lang::En);
        assert_eq!(lang_of(&os(&["--lang", "en", "--lang", "zh"])), Lang::Zh);
        assert_eq!(lang_of(&os(&["--lang", "fr"])), Lang::Zh);
        assert_eq!(lang_of(&os(&["visit", "add", "x", "--", "--lang", "en"])), Lang::Zh);
        assert_eq!(lang_of(&os(&["--lang"])), Lang::Zh);
    }

    /// A command line that parses is parsed without the Chinese texts
    /// ([`parse_with`]): it must come out as it would with them, for every
    /// command that clap builds late as for the top level.
    #[test]
    fn the_lean_grammar_changes_nothing_that_parses() {
        // The whole grammar, with or without the Chinese texts, or the
        // lean one (no Chinese, the program's options not global).
        let parse = |line: &[&str], lean: bool, chinese: bool| {
            HELP_IN_CHINESE.set(chinese);
            let mut command = localise(Cli::command(), "");
            if lean {
                command = lean_grammar(command);
            }
            command
                .try_get_matches_from_mut(os(line))
                .and_then(|mut m| Cli::from_arg_matches_mut(&mut m))
                .map(|cli| format!("{cli:?}"))
        };
        let lines = [
            "status --year 2026 --format json",
            "visit add 王建国 --kind research --date 09-10 --note 听取意见",
            "--db /tmp/x --no-server visit add 王建国 --kind research",
            "problem solve 3 --measures 建立台账",
            "point review 王建国 --transformed --date -3",
            "targets set 组织生活 2 --year 2026",
            "report --year 2025 --format xlsx --output r.xlsx",
            "--read-only --lang zh due --days-without-visit 30",
            "--lang en --socket /tmp/s status",
            "visit add 王建国 --kind research --note=--db",
        ];
        for line in lines {
            let line: Vec<&str> = line.split_whitespace().collect();
            let line = line.as_slice();
            let whole = parse(line, false, true).expect("parses");
            assert_eq!(parse(line, false, false).expect("parses"), whole, "{line:?}");
            assert_eq!(parse(line, true, false).expect("lean parses"), whole, "{line:?}");
            let (cli, _) = parse_here(line).expect("parses");
            assert_eq!(format!("{cli:?}"), whole, "{line:?}");
        }
        // The program's options after the command: refused by the lean
        // grammar, read by the whole one, as before.
        for line in [
            "visit add 王建国 --kind research --no-server --db /tmp/x",
            "status --lang en --read-only",
            "--lang zh status --lang en",
        ] {
            let line: Vec<&str> = line.split_whitespace().collect();
            let line = line.as_slice();
            assert!(parse(line, true, false).is_err(), "{line:?}");
            let (cli, lang) = parse_here(line).expect("parses");
            assert_eq!(
                format!("{cli:?}"),
                parse(line, false, true).expect("parses"),
                "{line:?}"
            );
            assert_eq!(lang, lang_of(&os(line)));
        }
        // Help, and a refusal's usage, come from the Chinese grammar.
        let (e, _) = parse_here(&["visit", "--help"]).expect_err("help");
        let shown = render(Lang::Zh, &e, false);
        let about = help::about("visit").expect("visit has a Chinese about");
        assert!(shown.starts_with(about), "{shown}");
        let (e, _) = parse_here(&["visit", "add"]).expect_err("refused");
        let shown = render(Lang::Zh, &e, false);
        assert!(shown.starts_with("错误：") && shown.contains("用法"), "{shown}");
    }
}
