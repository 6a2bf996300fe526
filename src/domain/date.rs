//! Dates as people type them.
//!
//! The workbench and the command line accept `2020-09-10`, `today` and
//! `yesterday` (今天, 昨天), and the short forms people use in a meeting:
//! `09-10` and `0910` (in the year of today, whatever year the screen
//! shows), and `-3` (three days ago); full-width digits as plain ones.
//! [`DateForms::Full`] is the strict subset without the short forms.
//! Everything else is an error that lists the accepted forms. "Today" is always passed in, so parsing
//! is pure and testable. Work already done is dated today or earlier
//! ([`done_by`]).

use chrono::{Datelike, Days, NaiveDate};

/// Earliest and latest year a record may carry. Years outside this range are
/// almost always typing mistakes (0, 9999) and would sort oddly in reports.
pub const MIN_YEAR: i32 = 1950;
pub const MAX_YEAR: i32 = 2100;

/// Which forms a parser accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateForms {
    /// `YYYY-MM-DD`, `today`, `yesterday` only.
    Full,
    /// Also `MM-DD`, `MMDD` and `-N` days ago: what people type (the
    /// workbench and the command line).
    Quick,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DateProblem {
    /// Not one of the accepted forms, or not a day of the calendar (2020-02-30).
    Unreadable,
    /// A real date but outside MIN_YEAR..=MAX_YEAR.
    OutOfRange,
    /// After today, for work that can only be recorded once it is done
    /// (see [`done_by`]); holds the date the input was read as, since a
    /// short form like `12-01` names the year only implicitly.
    NotYet(NaiveDate),
}

/// Parses one date. `today` anchors the relative forms.
pub fn parse(input: &str, today: NaiveDate, forms: DateForms) -> Result<NaiveDate, DateProblem> {
    // Full-width digits and minus, as an input method in full-width mode
    // types them, read as the ASCII ones.
    let ascii: String = input
        .trim()
        .chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' => char::from(b'0' + (c as u32 - 0xFF10) as u8),
            '\u{FF0D}' => '-',
            c => c,
        })
        .collect();
    let s = ascii.as_str();
    let lower = s.to_ascii_lowercase();
    let date = match lower.as_str() {
        "today" | "今天" => today,
        "yesterday" | "昨天" => today.pred_opt().ok_or(DateProblem::OutOfRange)?,
        _ => parse_explicit(s, today, forms)?,
    };
    check_range(date)
}

/// `date` if it is not after `today`: visits, problems found or solved and
/// bureau events are recorded once they happened, and a date in the future
/// is a slip (`12-01` typed in November, a year mistyped) that would count
/// the work in the wrong year without anyone noticing.
pub fn done_by(date: NaiveDate, today: NaiveDate) -> Result<NaiveDate, DateProblem> {
    if date > today {
        Err(DateProblem::NotYet(date))
    } else {
        Ok(date)
    }
}

fn parse_explicit(s: &str, today: NaiveDate, forms: DateForms) -> Result<NaiveDate, DateProblem> {
    // Full ISO form: exactly YYYY-MM-DD with ASCII digits.
    if let Some((y, m, d)) = split3(s) {
        return ymd(y, m, d);
    }
    if forms == DateForms::Full {
        return Err(DateProblem::Unreadable);
    }
    if let Some(rest) = s.strip_prefix('-') {
        if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DateProblem::Unreadable);
        }
        // Any number of days back is a date: too many is out of range,
        // not unreadable.
        let days: u64 = rest.parse().map_err(|_| DateProblem::OutOfRange)?;
        return today
            .checked_sub_days(Days::new(days))
            .ok_or(DateProblem::OutOfRange)
            .and_then(check_range);
    }
    // MM-DD or MMDD in the year of `today`.
    let (m, d) = if let Some((m, d)) = s.split_once('-') {
        (m, d)
    } else if s.len() == 4 && s.is_ascii() {
        s.split_at(2)
    } else {
        return Err(DateProblem::Unreadable);
    };
    if !(1..=2).contains(&m.len()) || !(1..=2).contains(&d.len()) {
        return Err(DateProblem::Unreadable);
    }
    ymd(&today.year().to_string(), m, d)
}

fn split3(s: &str) -> Option<(&str, &str, &str)> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    Some((y, m, d))
}

fn ymd(y: &str, m: &str, d: &str) -> Result<NaiveDate, DateProblem> {
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit()) && !t.is_empty();
    if !(digits(y) && digits(m) && digits(d)) {
        return Err(DateProblem::Unreadable);
    }
    let (y, m, d): (i32, u32, u32) = (
        y.parse().map_err(|_| DateProblem::Unreadable)?,
        m.parse().map_err(|_| DateProblem::Unreadable)?,
        d.parse().map_err(|_| DateProblem::Unreadable)?,
    );
    NaiveDate::from_ymd_opt(y, m, d).ok_or(DateProblem::Unreadable)
}

/// Refuses dates outside MIN_YEAR..=MAX_YEAR.
pub fn check_range(date: NaiveDate) -> Result<NaiveDate, DateProblem> {
    if (MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        Ok(date)
    } else {
        Err(DateProblem::OutOfRange)
    }
}

/// Checks a year given as a number (for `--year`).
pub fn check_year(year: i32) -> Result<i32, DateProblem> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(year)
    } else {
        Err(DateProblem::OutOfRange)
    }
}

/// First and last day of a year.
pub fn year_bounds(year: i32) -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(year, 1, 1).expect("January 1st exists in every year"),
        NaiveDate::from_ymd_opt(year, 12, 31).expect("December 31st exists in every year"),
    )
}

/// Share of `year` that has gone by on `today`: 0.0 before it starts, 1.0
/// after it ends. Used for "on pace" judgements on the board.
pub fn year_elapsed(year: i32, today: NaiveDate) -> f64 {
    let (first, last) = year_bounds(year);
    span_elapsed(first, last, today)
}

/// The same for the part of `year` a leader could work at a contact point,
/// from `since` (the day they took the post or their first point, if that
/// falls in the year): a leader appointed in November is not behind on
/// the day they start.
pub fn year_elapsed_since(year: i32, since: NaiveDate, today: NaiveDate) -> f64 {
    let (first, last) = year_bounds(year);
    span_elapsed(since.clamp(first, last), last, today)
}

/// Share of the days `first` to `last` (both counted) gone by on `today`.
fn span_elapsed(first: NaiveDate, last: NaiveDate, today: NaiveDate) -> f64 {
    if today < first {
        return 0.0;
    }
    if today >= last {
        return 1.0;
    }
    let days = (last - first).num_days() as f64 + 1.0;
    ((today - first).num_days() as f64 + 1.0) / days
}

/// Adds whole years, clamping Feb 29 to Feb 28 when needed.
pub fn add_years(date: NaiveDate, years: u32) -> NaiveDate {
    let y = date.year() + years as i32;
    NaiveDate::from_ymd_opt(y, date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, date.month(), 28))
        .unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn done_work_is_dated_today_or_before() {
        let today = d(2026, 11, 29);
        assert_eq!(done_by(today, today), Ok(today));
        assert_eq!(done_by(d(2020, 12, 1), today), Ok(d(2020, 12, 1)));
        assert_eq!(
            done_by(d(2026, 11, 30), today),
            Err(DateProblem::NotYet(d(2026, 11, 30)))
        );
        // A short form typed in November for a day of December: this year's.
        let short = parse("12-01", today, DateForms::Quick).unwrap();
        assert_eq!(done_by(short, today), Err(DateProblem::NotYet(d(2026, 12, 1))));
    }
    const TODAY: fn() -> NaiveDate = || NaiveDate::from_ymd_opt(2020, 11, 20).unwrap();

    #[test]
    fn full_forms() {
        let t = TODAY();
        assert_eq!(parse("2020-09-10", t, DateForms::Full), Ok(d(2020, 9, 10)));
        assert_eq!(parse("today", t, DateForms::Full), Ok(t));
        assert_eq!(parse("Yesterday", t, DateForms::Full), Ok(d(2020, 11, 19)));
        assert_eq!(parse(" 昨天 ", t, DateForms::Full), Ok(d(2020, 11, 19)));
    }

    #[test]
    fn quick_forms_only_in_quick_mode() {
        let t = TODAY();
        assert_eq!(parse("09-10", t, DateForms::Quick), Ok(d(2020, 9, 10)));
        assert_eq!(parse("0910", t, DateForms::Quick), Ok(d(2020, 9, 10)));
        assert_eq!(parse("9-1", t, DateForms::Quick), Ok(d(2020, 9, 1)));
        assert_eq!(parse("-3", t, DateForms::Quick), Ok(d(2020, 11, 17)));
        assert_eq!(parse("-0", t, DateForms::Quick), Ok(t));
        for quick in ["09-10", "0910", "-3"] {
            assert_eq!(parse(quick, t, DateForms::Full), Err(DateProblem::Unreadable));
        }
        // As a full-width input method types them.
        assert_eq!(parse("０９１０", t, DateForms::Quick), Ok(d(2020, 9, 10)));
        assert_eq!(parse("－３", t, DateForms::Quick), Ok(d(2020, 11, 17)));
        assert_eq!(parse("２０２０－０９－１０", t, DateForms::Full), Ok(d(2020, 9, 10)));
    }

    #[test]
    fn impossible_dates_are_unreadable() {
        let t = TODAY();
        for bad in ["2020-02-30", "2021-02-29", "2020-13-01", "2020-00-10", "0230", "02-30"] {
            assert_eq!(parse(bad, t, DateForms::Quick), Err(DateProblem::Unreadable), "{bad}");
        }
        assert_eq!(parse("2020-02-29", t, DateForms::Full), Ok(d(2020, 2, 29)));
    }

    #[test]
    fn garbage_is_unreadable() {
        let t = TODAY();
        for bad in [
            "",
            "tomorrow",
            "2020/09/10",
            "20200910",
            "2020-9-10",
            "-",
            "-x",
            "--3",
            "+3",
            "１２３４",
        ] {
            assert_eq!(parse(bad, t, DateForms::Quick), Err(DateProblem::Unreadable), "{bad:?}");
        }
        // Days back beyond the calendar the tool keeps: out of range, which
        // is what the message then says (not "unreadable").
        for far in ["-30000", "-99999", "-99999999999999999999999"] {
            assert_eq!(parse(far, t, DateForms::Quick), Err(DateProblem::OutOfRange), "{far}");
        }
        assert_eq!(parse("-10000", t, DateForms::Quick), Ok(d(1993, 7, 5)));
    }

    #[test]
    fn out_of_range_years() {
        let t = TODAY();
        assert_eq!(parse("0000-01-01", t, DateForms::Full), Err(DateProblem::OutOfRange));
        assert_eq!(parse("0001-01-01", t, DateForms::Full), Err(DateProblem::OutOfRange));
        assert_eq!(parse("9999-12-31", t, DateForms::Full), Err(DateProblem::OutOfRange));
        assert_eq!(check_year(2020), Ok(2020));
        assert_eq!(check_year(9999), Err(DateProblem::OutOfRange));
    }

    #[test]
    fn elapsed_share() {
        assert_eq!(year_elapsed(2020, d(2019, 6, 1)), 0.0);
        assert_eq!(year_elapsed(2020, d(2021, 1, 1)), 1.0);
        assert_eq!(year_elapsed(2020, d(2020, 12, 31)), 1.0);
        // From a start in the year: the first day counts as gone, as in the
        // whole year's share (0 of 2 is not behind then).
        assert_eq!(year_elapsed_since(2026, d(2026, 12, 5), d(2026, 12, 4)), 0.0);
        let start = year_elapsed_since(2026, d(2026, 12, 5), d(2026, 12, 5));
        assert!((start - 1.0 / 27.0).abs() < 1e-9, "{start}");
        assert_eq!(
            year_elapsed_since(2026, d(2019, 1, 1), d(2026, 7, 2)),
            year_elapsed(2026, d(2026, 7, 2))
        );
        assert_eq!(year_elapsed_since(2026, d(2026, 3, 1), d(2027, 1, 1)), 1.0);
        let mid = year_elapsed(2020, d(2020, 7, 1));
        assert!((0.49..0.51).contains(&mid), "{mid}");
    }

    #[test]
    fn add_years_clamps_leap_day() {
        assert_eq!(add_years(d(2020, 2, 29), 1), d(2021, 2, 28));
        assert_eq!(add_years(d(2020, 8, 28), 2), d(2022, 8, 28));
    }
}
