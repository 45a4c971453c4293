//! Renders a [`Report`] for people, in the spirit of a compiler diagnostic: a header per
//! call, how the roles were decided (when the input did not state them) and the timing
//! metrics, the score and phases per methodology, then each finding with where it is
//! (turn, time, speaker), the quote that proves it, the rule that matched and the coaching.

use super::Report;
use crate::metrics::Metrics;
use crate::roles::RoleSource;
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
    if report.roles.source != RoleSource::Input || report.roles.unknown_turns > 0 {
        let _ = writeln!(out, "rollen: {}", report.roles.message);
    }
    if let Some(metrics) = &report.metrics {
        out.push_str(&metrics_line(metrics));
    }
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

/// One line with the timing metrics a QA reviewer looks at first.
fn metrics_line(m: &Metrics) -> String {
    let role = |name: &str, ms: u64, wpm: Option<f64>| {
        let speed = wpm.map(|w| format!(" ({w:.0} wpm)")).unwrap_or_default();
        format!("{name} {}{speed}", clock(ms))
    };
    let mut parts = vec![format!("gesprek {}", clock(m.duration_ms))];
    if m.talk_ms.agent + m.talk_ms.customer > 0 {
        parts.push(role(
            "medewerker",
            m.talk_ms.agent,
            m.words_per_minute.agent,
        ));
        parts.push(role(
            "klant",
            m.talk_ms.customer,
            m.words_per_minute.customer,
        ));
    }
    if m.talk_ms.unknown > 0 {
        parts.push(role(
            "onbekend",
            m.talk_ms.unknown,
            m.words_per_minute.unknown,
        ));
    }
    if let Some(ratio) = m.talk_ratio {
        parts.push(format!("spreekverhouding {ratio:.2}"));
    }
    parts.push(format!(
        "stiltes {} (>= {} s, langste {} s)",
        m.silences.count,
        m.silences.threshold_ms / 1000,
        m.silences.longest_ms / 1000
    ));
    parts.push(format!(
        "onderbrekingen {} (medewerker {}, klant {})",
        m.interruptions.count, m.interruptions.by.agent.count, m.interruptions.by.customer.count
    ));
    if let Some(s) = m.longest_monologue.customer {
        parts.push(format!(
            "langste monoloog klant {} (beurt {}-{})",
            clock(s.duration_ms),
            s.first_turn,
            s.last_turn
        ));
    }
    format!("metrics: {}\n", parts.join(", "))
}
