//! Renders a [`SummaryReport`] for people: the whole run per methodology in detail, then,
//! with `--group-by`, one table row per group so a team lead sees each agent's score and
//! weakest phase at a glance.

use super::{GroupReport, MethodologySummary, Ranked, SummaryReport};
use std::fmt::Write;

pub fn render(report: &SummaryReport) -> String {
    let mut out = String::new();
    let inputs = &report.inputs;
    let _ = write!(
        out,
        "callqa summary: {} input(s): {} analysed, {} failed",
        inputs.given, inputs.analysed, inputs.failed
    );
    if !inputs.failed_by_kind.is_empty() {
        let kinds: Vec<String> = inputs
            .failed_by_kind
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        let _ = write!(out, " ({})", kinds.join(", "));
    }
    out.push('\n');
    for m in &report.overall.methodologies {
        out.push('\n');
        methodology(&mut out, m);
    }
    if !report.group_by.is_empty() {
        let ids: Vec<(&str, &str)> = report
            .overall
            .methodologies
            .iter()
            .map(|m| (m.id.as_str(), m.name.as_str()))
            .collect();
        for (id, name) in ids {
            out.push('\n');
            group_table(&mut out, report, id, name);
        }
    }
    out
}

fn ranked(items: &[Ranked]) -> String {
    if items.is_empty() {
        return "-".into();
    }
    items
        .iter()
        .map(|r| format!("{} {} ({:.1}%)", r.id, r.calls, r.pct))
        .collect::<Vec<_>>()
        .join(", ")
}

fn methodology(out: &mut String, m: &MethodologySummary) {
    let s = &m.score;
    let _ = writeln!(out, "{} ({} calls)", m.name, m.calls);
    let _ = writeln!(
        out,
        "  score               mean {:.1}  median {}  p10 {}  p90 {}  min {}  max {}",
        s.mean, s.median, s.p10, s.p90, s.min, s.max
    );
    let most = s
        .histogram
        .iter()
        .map(|b| b.calls)
        .max()
        .unwrap_or(0)
        .max(1);
    for b in &s.histogram {
        let bar = "#".repeat(((b.calls * 40).div_ceil(most)) as usize);
        let line = format!("    {:>3}-{:<3} {:>7}  {bar}", b.from, b.to, b.calls);
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let _ = writeln!(out, "  phase coverage");
    let width = m.phases.iter().map(|p| p.id.len()).max().unwrap_or(0);
    for p in &m.phases {
        let _ = writeln!(
            out,
            "    {:<width$}  {:>5.1}%  {}",
            p.id, p.coverage_pct, p.name
        );
    }
    let weakest = m.weakest_phase.as_deref().unwrap_or("-");
    let _ = writeln!(out, "  weakest phase       {weakest}");
    let _ = writeln!(out, "  missing phases      {}", ranked(&m.missing_phases));
    let _ = writeln!(
        out,
        "  missing techniques  {}",
        ranked(&m.missing_techniques)
    );
    let o = &m.out_of_order;
    let pairs: Vec<String> = o
        .pairs
        .iter()
        .map(|p| format!("{} before {} {}", p.phase, p.expected_after, p.count))
        .collect();
    let _ = write!(
        out,
        "  out of order        {} calls ({:.1}%)",
        o.calls, o.pct
    );
    if !pairs.is_empty() {
        let _ = write!(out, ": {}", pairs.join(", "));
    }
    out.push('\n');
    let e = &m.unanswered_emotion;
    let _ = writeln!(
        out,
        "  unanswered emotion  {} calls ({:.1}%), {} findings",
        e.calls, e.pct, e.findings
    );
}

fn group_table(out: &mut String, report: &SummaryReport, id: &str, name: &str) {
    let _ = writeln!(out, "{name} by {}", report.group_by.join(", "));
    let mut rows: Vec<Vec<String>> = vec![
        report
            .group_by
            .iter()
            .cloned()
            .chain(
                [
                    "calls",
                    "mean",
                    "median",
                    "p10",
                    "p90",
                    "weakest phase",
                    "out of order",
                    "unanswered emotion",
                ]
                .map(String::from),
            )
            .collect(),
    ];
    for group in &report.groups {
        if let Some(m) = find(group, id) {
            let weakest = match &m.weakest_phase {
                Some(phase) => {
                    let coverage = m
                        .phases
                        .iter()
                        .find(|p| &p.id == phase)
                        .map_or(0.0, |p| p.coverage_pct);
                    format!("{phase} ({coverage:.1}%)")
                }
                None => "-".into(),
            };
            let mut row: Vec<String> = group
                .group
                .0
                .iter()
                .map(|(_, v)| {
                    if v.is_empty() {
                        "(none)".into()
                    } else {
                        v.clone()
                    }
                })
                .collect();
            row.extend([
                m.calls.to_string(),
                format!("{:.1}", m.score.mean),
                m.score.median.to_string(),
                m.score.p10.to_string(),
                m.score.p90.to_string(),
                weakest,
                format!("{:.1}%", m.out_of_order.pct),
                format!("{:.1}%", m.unanswered_emotion.pct),
            ]);
            rows.push(row);
        }
    }
    let columns = rows[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let keys = report.group_by.len();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                let pad = widths[c] - cell.chars().count();
                // Group values and the weakest phase read left to right; numbers align right.
                if c < keys || c == keys + 5 {
                    format!("{cell}{}", " ".repeat(pad))
                } else {
                    format!("{}{cell}", " ".repeat(pad))
                }
            })
            .collect();
        let _ = writeln!(out, "  {}", cells.join("  ").trim_end());
    }
}

fn find<'a>(group: &'a GroupReport, id: &str) -> Option<&'a MethodologySummary> {
    group.methodologies.iter().find(|m| m.id == id)
}
