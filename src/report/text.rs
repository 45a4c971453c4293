//! Renders a [`Report`] for people, in the spirit of a compiler diagnostic: a header per
//! call, the score and phases per methodology, then each finding with where it is (turn,
//! time, speaker), the quote that proves it, the rule that matched and the coaching.

use super::Report;
use std::fmt::Write;

/// `[hh:mm:ss]` or `[mm:ss]` for a time in milliseconds.
pub fn clock(ms: u64) -> String {
    let seconds = ms / 1000;
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h:02}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let id = report
        .id
        .as_deref()
        .map(|id| format!(", id {id}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "==> {} ({}, {} turns{id})",
        report.source,
        report.format,
        report.turns.len()
    );
    for m in &report.methodologies {
        let _ = writeln!(
            out,
            "{} {}/100  (phases {}/{}, penalties -{})",
            m.name, m.score, m.earned, m.possible, m.penalty
        );
        for p in &m.phases {
            let at = p
                .first_turn
                .map_or("-".to_string(), |t| format!("turn {t}"));
            let mark = if p.first_turn.is_some() {
                "present"
            } else {
                "MISSING"
            };
            let _ = writeln!(
                out,
                "  {:<14} {mark:<8} {at:<9} {:>3}/{:<3} {}",
                p.id, p.points, p.weight, p.name
            );
        }
        for f in &m.findings {
            let target = f
                .phase
                .as_deref()
                .map(|p| format!("[{p}]"))
                .unwrap_or_default();
            let penalty = if f.penalty > 0 {
                format!(" (-{})", f.penalty)
            } else {
                String::new()
            };
            let _ = writeln!(out, "  {}{target}: {}{penalty}", f.kind, f.message);
            if let Some(turn) = f.turn {
                let time = f
                    .start_ms
                    .map(|ms| format!(" [{}]", clock(ms)))
                    .unwrap_or_default();
                let speaker = f
                    .speaker
                    .map(|s| format!(" {}", s.dutch()))
                    .unwrap_or_default();
                let rule = f
                    .rule
                    .as_deref()
                    .map(|r| format!("  ({r})"))
                    .unwrap_or_default();
                let _ = writeln!(out, "     --> turn {turn}{time}{speaker}{rule}");
            }
            if let Some(quote) = &f.quote {
                let _ = writeln!(out, "      | \"{quote}\"");
            }
            if !f.advice.is_empty() {
                let _ = writeln!(out, "      = advies: {}", f.advice);
            }
        }
    }
    out
}
