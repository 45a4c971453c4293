//! What a rule edit changed: two evaluations of the same calls (a pack and the baseline it
//! was edited from) side by side. Per technique the scores before and after and how many
//! turns it gained, lost, newly tagged wrongly or stopped tagging wrongly; per methodology
//! the phase presence before and after; and every turn whose tags changed, with the rule
//! and quote behind a new false tag and the reason behind a lost one, so a rule author
//! sees what an edit bought and what it cost before shipping it.
//!
//! Both evaluations list every turn where the engine and the gold disagree
//! ([`super::Miss`]); on any other turn the engine found exactly the gold, so the two
//! lists are all a comparison needs.

use super::causes::{MissReason, Missed, Spurious};
use super::{CountsReport, Evaluation, Miss};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A pack against its baseline on the same calls.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// Per technique, in id order.
    pub techniques: BTreeMap<String, TechniqueChange>,
    pub micro: Change,
    pub macro_f1: Change,
    /// Per methodology: the share of phases whose presence is right (absent where a pack
    /// has no such methodology).
    pub phase_presence: BTreeMap<String, PhaseChange>,
    /// Every turn whose tags changed, by source and turn.
    pub turns: Vec<TurnChange>,
}

/// A figure before (the baseline) and after (the pack).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Change {
    pub before: f64,
    pub after: f64,
}

/// A methodology's phase presence before and after; `None` where its pack lacks it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PhaseChange {
    pub before: Option<f64>,
    pub after: Option<f64>,
}

/// One technique's scores before and after (`None` where its pack lacks the technique),
/// and the turns behind the difference.
#[derive(Debug, Clone, Serialize)]
pub struct TechniqueChange {
    pub before: Option<CountsReport>,
    pub after: Option<CountsReport>,
    /// Turns the gold labels with it that the pack now tags and the baseline did not.
    pub gained: usize,
    /// Turns the gold labels with it that the baseline tagged and the pack no longer does.
    pub lost: usize,
    /// Turns the pack tags with it against the gold, and the baseline did not.
    pub new_false: usize,
    /// Turns the baseline tagged with it against the gold, and the pack no longer does.
    pub fixed_false: usize,
}

/// A turn whose tags differ between the baseline and the pack.
#[derive(Debug, Clone, Serialize)]
pub struct TurnChange {
    pub source: String,
    pub turn: usize,
    pub speaker: String,
    pub text: String,
    pub gained: Vec<String>,
    /// With why the pack no longer tags each (no rule matched, negated, ...).
    pub lost: Vec<Missed>,
    /// With the rule and quote behind each.
    pub new_false: Vec<Spurious>,
    pub fixed_false: Vec<String>,
}

/// Compares `after` (the pack) with `before` (its baseline), both evaluations of the same
/// calls.
pub fn compare(before: &Evaluation, after: &Evaluation) -> Comparison {
    let techniques = before
        .scores
        .techniques
        .keys()
        .chain(after.scores.techniques.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|id| {
            let counts = |e: &Evaluation| e.scores.techniques.get(id).cloned();
            let change = TechniqueChange {
                before: counts(before),
                after: counts(after),
                gained: 0,
                lost: 0,
                new_false: 0,
                fixed_false: 0,
            };
            (id.clone(), change)
        })
        .collect();
    let presence = |e: &Evaluation, id: &str| {
        e.methodologies
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.phase_accuracy)
    };
    let phase_presence = before
        .methodologies
        .iter()
        .chain(&after.methodologies)
        .map(|m| {
            let change = PhaseChange {
                before: presence(before, &m.id),
                after: presence(after, &m.id),
            };
            (m.id.clone(), change)
        })
        .collect();
    let mut comparison = Comparison {
        techniques,
        micro: Change {
            before: before.scores.micro.f1,
            after: after.scores.micro.f1,
        },
        macro_f1: Change {
            before: before.scores.macro_f1,
            after: after.scores.macro_f1,
        },
        phase_presence,
        turns: Vec::new(),
    };
    let by_turn = |e: &'_ Evaluation| -> BTreeMap<(String, usize), Miss> {
        e.misses
            .iter()
            .map(|m| ((m.source.clone(), m.turn), m.clone()))
            .collect()
    };
    let (misses_before, misses_after) = (by_turn(before), by_turn(after));
    let keys: BTreeSet<&(String, usize)> =
        misses_before.keys().chain(misses_after.keys()).collect();
    for key in keys {
        let (b, a) = (misses_before.get(key), misses_after.get(key));
        let Some(any) = a.or(b) else { continue };
        let expected: BTreeSet<&String> = any.expected.iter().collect();
        // Off the miss list, the engine found exactly the gold.
        let (found_before, found_after) = (found(b, &expected), found(a, &expected));
        if found_before == found_after {
            continue;
        }
        let mut change = TurnChange {
            source: any.source.clone(),
            turn: any.turn,
            speaker: any.speaker.clone(),
            text: any.text.clone(),
            gained: Vec::new(),
            lost: Vec::new(),
            new_false: Vec::new(),
            fixed_false: Vec::new(),
        };
        for &id in found_after.difference(&found_before) {
            let technique = comparison.techniques.entry(id.clone());
            let counts = technique.or_insert_with(empty_change);
            if expected.contains(id) {
                counts.gained += 1;
                change.gained.push(id.clone());
            } else {
                counts.new_false += 1;
                let why = a.and_then(|m| m.why_spurious.iter().find(|s| &s.technique == id));
                change
                    .new_false
                    .push(why.cloned().unwrap_or_else(|| Spurious {
                        technique: id.clone(),
                        rule: String::new(),
                        quote: String::new(),
                    }));
            }
        }
        for &id in found_before.difference(&found_after) {
            let counts = comparison
                .techniques
                .entry(id.clone())
                .or_insert_with(empty_change);
            if expected.contains(id) {
                counts.lost += 1;
                // The pack's evaluation lists the turn as a miss, with why.
                let why = a.and_then(|m| m.why_missed.iter().find(|w| &w.technique == id));
                change.lost.push(why.cloned().unwrap_or_else(|| Missed {
                    technique: id.clone(),
                    reason: MissReason::NoMatch,
                    rule: None,
                    quote: None,
                    by: None,
                }));
            } else {
                counts.fixed_false += 1;
                change.fixed_false.push(id.clone());
            }
        }
        comparison.turns.push(change);
    }
    comparison
}

/// What the engine found on a turn: the miss's `found`, or off the miss list the gold.
fn found<'a>(miss: Option<&'a Miss>, expected: &BTreeSet<&'a String>) -> BTreeSet<&'a String> {
    miss.map_or_else(|| expected.clone(), |m| m.found.iter().collect())
}

fn empty_change() -> TechniqueChange {
    TechniqueChange {
        before: None,
        after: None,
        gained: 0,
        lost: 0,
        new_false: 0,
        fixed_false: 0,
    }
}
