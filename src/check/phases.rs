//! Phase presence (`missing_phase`) and phase order (`out_of_order`).
//!
//! A phase is present from the first turn that shows any of its evidence techniques.

use super::{Call, Finding};
use crate::rules::Methodology;

/// Where a phase starts, if it occurs at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseStatus {
    pub first_turn: Option<usize>,
}

pub fn presence(call: &Call<'_>, methodology: &Methodology) -> Vec<PhaseStatus> {
    methodology
        .phases
        .iter()
        .map(|phase| PhaseStatus {
            first_turn: (0..call.tagged.len()).find(|&turn| call.has(turn, &phase.evidence)),
        })
        .collect()
}

pub fn missing(call: &Call<'_>, methodology: &Methodology, status: &[PhaseStatus]) -> Vec<Finding> {
    methodology
        .phases
        .iter()
        .zip(status)
        .filter(|(_, s)| s.first_turn.is_none())
        .map(|(phase, _)| {
            let mut f = Finding::new(
                "missing_phase",
                format!(
                    "Fase {} ontbreekt: geen enkele beurt toont {}.",
                    phase.name,
                    call.technique_ids(&phase.evidence)
                ),
                &phase.advice,
            );
            f.phase = Some(phase.id.clone());
            f
        })
        .collect()
}

pub fn out_of_order(
    call: &Call<'_>,
    methodology: &Methodology,
    status: &[PhaseStatus],
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for order in &methodology.orders {
        let (Some(earlier_turn), Some(later_turn)) = (
            status[order.before].first_turn,
            status[order.after].first_turn,
        ) else {
            continue;
        };
        if later_turn >= earlier_turn {
            continue;
        }
        let later = &methodology.phases[order.after];
        let earlier = &methodology.phases[order.before];
        let mut f = Finding::new(
            "out_of_order",
            format!(
                "Fase {} begint in beurt {later_turn}, vóór fase {} (beurt {earlier_turn}).",
                later.name, earlier.name
            ),
            &order.advice,
        );
        call.locate(&mut f, later_turn, &later.evidence);
        f.phase = Some(later.id.clone());
        f.expected_after = Some(earlier.id.clone());
        f.penalty = order.penalty;
        findings.push(f);
    }
    findings
}
