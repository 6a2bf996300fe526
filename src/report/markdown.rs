//! The report as Markdown: prints cleanly, reads well in a terminal, and
//! pastes into a document. Stored text is already one line (text::clean),
//! so only the table separator needs escaping.

use std::fmt::Write;

use super::model::{LeaderReport, PointReport, Report};
use super::{counts_line, missing_line, rule_cell};
use crate::domain::{ProblemState, RuleId};
use crate::i18n::{Label, Lang, fill};

/// A table cell: `|` would end the cell.
fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|")
}

fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    out.push_str(&line(header.iter().map(|h| esc(h)).collect()));
    out.push_str(&line(header.iter().map(|_| "---".to_string()).collect()));
    for r in rows {
        out.push_str(&line(r.iter().map(|c| esc(c)).collect()));
    }
    out.push('\n');
}

pub fn render(report: &Report, lang: Lang) -> String {
    let t = lang.report();
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", fill(t.title, &[&report.year]));
    let _ = writeln!(out, "{}\n", fill(t.as_of, &[&report.as_of]));

    let _ = writeln!(out, "## {}\n", t.summary_heading);
    let mut header = vec![t.h_leader, t.h_branch];
    header.extend(RuleId::LEADER.iter().map(|r| r.label(lang)));
    header.push(t.h_days_since);
    let rows: Vec<Vec<String>> = report
        .leaders
        .iter()
        .map(|l| {
            let mut row = vec![
                l.name.clone(),
                l.point.as_ref().map(|p| p.short.clone()).unwrap_or_default(),
            ];
            row.extend(l.rules.iter().map(rule_cell));
            row.push(l.days_since_visit.map(|d| d.to_string()).unwrap_or_else(|| "—".into()));
            row
        })
        .collect();
    table(&mut out, &header, &rows);

    let _ = writeln!(out, "## {}\n", t.leaders_heading);
    for l in &report.leaders {
        leader(&mut out, report, l, lang);
    }

    let _ = writeln!(out, "## {}\n", t.bureau_heading);
    let rows: Vec<Vec<String>> = report
        .bureau
        .iter()
        .map(|b| {
            vec![
                b.status.rule.label(lang).to_string(),
                rule_cell(&b.status),
                b.events
                    .iter()
                    .map(|e| match &e.note {
                        Some(n) => format!("{} {n}", e.date),
                        None => e.date.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(t.list_sep),
            ]
        })
        .collect();
    table(&mut out, &[t.h_rule, t.h_done, t.h_dates], &rows);
    out.trim_end().to_string() + "\n"
}

fn leader(out: &mut String, report: &Report, l: &LeaderReport, lang: Lang) {
    let t = lang.report();
    let left = if l.in_post { "" } else { t.left_post };
    let _ = writeln!(out, "### {}{}{left}\n", l.name, lang.bracketed(&l.title));
    match &l.point {
        Some(p) => point_lines(out, p, lang),
        None => {
            let _ = writeln!(out, "- {}{}{}", t.l_point, lang.colon(), t.no_point);
        }
    }
    let _ = writeln!(out, "- {}{}{}", t.l_work, lang.colon(), counts_line(lang, &l.counts));
    let visit = match (l.last_visit, l.days_since_visit) {
        (Some(d), Some(n)) => fill(t.last_visit_value, &[&d, &n]),
        _ => t.no_visit.to_string(),
    };
    let _ = writeln!(out, "- {}{}{}", t.l_last_visit, lang.colon(), visit);
    let _ = writeln!(
        out,
        "- {}{}{}\n",
        t.l_missing,
        lang.colon(),
        missing_line(lang, &l.missing)
    );

    let rows: Vec<Vec<String>> = l
        .rules
        .iter()
        .map(|r| {
            vec![
                r.rule.label(lang).to_string(),
                r.done.to_string(),
                r.min.to_string(),
                r.full.to_string(),
                if r.met { t.yes } else { t.no }.to_string(),
            ]
        })
        .collect();
    table(out, &[t.h_rule, t.h_done, t.h_min, t.h_full, t.h_met], &rows);

    if !l.problems.is_empty() {
        let _ = writeln!(out, "{}{}\n", t.l_problems, lang.colon().trim_end());
        let rows: Vec<Vec<String>> = l
            .problems
            .iter()
            .map(|p| {
                vec![
                    p.id.to_string(),
                    p.category.label(lang).to_string(),
                    p.description.clone(),
                    p.measures.clone().unwrap_or_default(),
                    p.found.to_string(),
                    p.solved
                        .filter(|_| p.state == ProblemState::Solved)
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                ]
            })
            .collect();
        table(
            out,
            &[
                t.h_id,
                t.h_category,
                t.h_description,
                t.h_measures,
                t.h_found,
                t.h_solved,
            ],
            &rows,
        );
    }

    if let Some(p) = &l.point {
        assessment(out, report, p, lang);
    }
}

fn point_lines(out: &mut String, p: &PointReport, lang: Lang) {
    let t = lang.report();
    let (colon, semicolon) = (lang.colon(), lang.semicolon());
    let _ = writeln!(out, "- {}{colon}{}{}", t.l_point, p.branch, lang.bracketed(&p.short));
    let _ = writeln!(
        out,
        "- {}{colon}{}{semicolon}{}{colon}{}",
        t.l_cycle,
        fill(t.l_cycle_value, &[&p.cycle_start, &p.cycle_end]),
        t.l_state,
        p.state.label(lang)
    );
    let history = p
        .history
        .iter()
        .map(|h| fill(t.history_item, &[&h.date, &h.state.label(lang), &h.leader]))
        .collect::<Vec<_>>()
        .join(t.list_sep);
    let _ = writeln!(out, "- {}{colon}{}", t.l_history, history);
    let judgement = match &p.judgement {
        Some(h) => fill(t.judgement_value, &[&h.date, &h.state.label(lang), &h.leader]),
        None => t.not_reviewed.to_string(),
    };
    let _ = writeln!(out, "- {}{colon}{}", t.l_judgement, judgement);
}

/// The first and the latest assessment side by side.
fn assessment(out: &mut String, report: &Report, p: &PointReport, lang: Lang) {
    let t = lang.report();
    let (Some(first), Some(latest)) = (&p.first, &p.latest) else {
        let _ = writeln!(out, "{}{}{}\n", t.l_assessment, lang.colon(), t.not_assessed);
        return;
    };
    let _ = writeln!(out, "{}{}\n", t.l_assessment, lang.colon().trim_end());
    let r = &report.rubric;
    let grade = |a: &crate::domain::Assessment, i: usize| {
        a.grades.get(i).map_or_else(String::new, |g| {
            let name = r.grade_name(g.grade);
            match &g.note {
                Some(n) => format!("{name}{}", lang.bracketed(&n)),
                None => name.to_string(),
            }
        })
    };
    // One column when there is one assessment; first and latest side by
    // side once there are two, so the improvement is visible.
    let shown: Vec<&crate::domain::Assessment> = if first.year == latest.year {
        vec![latest]
    } else {
        vec![first, latest]
    };
    let mut header = vec![t.h_dimension.to_string()];
    if shown.len() == 2 {
        header.push(fill(t.first_of, &[&first.year]));
    }
    header.push(fill(t.latest_of, &[&latest.year]));
    let mut rows: Vec<Vec<String>> = (0..r.dimensions.len())
        .map(|i| {
            let mut row = vec![r.dimension_name(i).to_string()];
            row.extend(shown.iter().map(|a| grade(a, i)));
            row
        })
        .collect();
    let mut sat = vec![r.satisfaction.clone()];
    sat.extend(shown.iter().map(|a| format!("{}%", a.satisfaction)));
    rows.push(sat);
    if shown.iter().any(|a| a.note.is_some()) {
        let mut note = vec![t.h_note.to_string()];
        note.extend(shown.iter().map(|a| a.note.clone().unwrap_or_default()));
        rows.push(note);
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    table(out, &header, &rows);
}
