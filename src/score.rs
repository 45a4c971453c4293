//! Scores one methodology: the weights of the phases that occur, minus the penalties of
//! the findings, as a share of all phase weights, 0-100.

use crate::check::CheckResult;
use crate::rules::Methodology;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Score {
    pub score: u32,
    pub earned: u32,
    pub possible: u32,
    pub penalty: u32,
}

pub fn score(methodology: &Methodology, result: &CheckResult) -> Score {
    let possible: u32 = methodology.phases.iter().map(|p| p.weight).sum();
    let earned: u32 = methodology
        .phases
        .iter()
        .zip(&result.phases)
        .filter(|(_, s)| s.first_turn.is_some())
        .map(|(p, _)| p.weight)
        .sum();
    let penalty: u32 = result.findings.iter().map(|f| f.penalty).sum();
    let net = earned.saturating_sub(penalty);
    // Rounded half up, in integers so every platform gives the same number.
    let score = if possible == 0 {
        0
    } else {
        (net * 200 + possible) / (2 * possible)
    };
    Score {
        score,
        earned,
        possible,
        penalty,
    }
}
