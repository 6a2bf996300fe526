//! The report as one CSV table, a row per leader: what a spreadsheet needs
//! to sort and filter. It starts with a UTF-8 byte-order mark, without
//! which Excel reads the Chinese text as another encoding.

use chrono::Datelike;

use super::model::Report;
use super::{missing_line, rule_cell};
use crate::domain::{ActivityKind, ProblemState, RuleId};
use crate::i18n::{Label, Lang};

pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The header row, in the chosen language.
pub fn header(report: &Report, lang: Lang) -> Vec<String> {
    let t = lang.report();
    let mut h: Vec<String> = [
        t.h_leader,
        t.h_title,
        t.h_branch,
        t.h_cycle_start,
        t.h_cycle_end,
        t.h_state,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    h.extend(ActivityKind::ALL.iter().map(|k| k.label(lang).to_string()));
    h.extend(RuleId::LEADER.iter().map(|r| r.label(lang).to_string()));
    h.extend(
        [
            t.h_problems_found,
            t.h_problems_solved,
            t.h_last_visit,
            t.h_days_since,
            t.h_missing,
            t.h_judgement,
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    h.push(report.rubric.satisfaction.clone());
    h
}

pub fn render(report: &Report, lang: Lang) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(BOM.to_vec());
    w.write_record(header(report, lang))?;
    for l in &report.leaders {
        let p = l.point.as_ref();
        let mut row = vec![
            l.name.clone(),
            l.title.clone(),
            p.map(|p| p.branch.clone()).unwrap_or_default(),
            p.map(|p| p.cycle_start.to_string()).unwrap_or_default(),
            p.map(|p| p.cycle_end.to_string()).unwrap_or_default(),
            p.map(|p| p.state.label(lang).to_string()).unwrap_or_default(),
        ];
        row.extend(ActivityKind::ALL.iter().map(|k| l.count(*k).to_string()));
        row.extend(l.rules.iter().map(rule_cell));
        let found = l.problems.iter().filter(|pr| pr.found.year() == report.year).count();
        let solved = l
            .problems
            .iter()
            .filter(|pr| pr.state == ProblemState::Solved && pr.solved.is_some_and(|d| d.year() == report.year))
            .count();
        row.push(found.to_string());
        row.push(solved.to_string());
        row.push(l.last_visit.map(|d| d.to_string()).unwrap_or_default());
        row.push(l.days_since_visit.map(|d| d.to_string()).unwrap_or_default());
        row.push(missing_line(lang, &l.missing));
        row.push(
            p.and_then(|p| p.judgement.as_ref())
                .map(|j| format!("{} {}", j.date, j.state.label(lang)))
                .unwrap_or_default(),
        );
        row.push(
            p.and_then(|p| p.latest.as_ref())
                .map(|a| a.satisfaction.to_string())
                .unwrap_or_default(),
        );
        w.write_record(row)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}
