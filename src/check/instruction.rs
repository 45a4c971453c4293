//! `unchecked_instruction`: the agent gives an instruction and neither that turn (after
//! the instruction) nor the next agent turns check whether it worked or was clear.

use super::{Call, Finding};
use crate::rules::Check;
use crate::transcript::Speaker;

pub fn run(call: &Call<'_>, check: &Check) -> Vec<Finding> {
    let mut findings = Vec::new();
    for turn in 0..call.tagged.len() {
        if call.transcript.turns[turn].speaker != Speaker::Agent
            || !call.has(turn, &check.techniques)
        {
            continue;
        }
        let instruction_at = call.tagged[turn]
            .evidence
            .iter()
            .filter(|e| check.techniques.contains(&e.technique))
            .map(|e| e.span.start)
            .min()
            .unwrap_or(0);
        let checked_here = call.tagged[turn]
            .evidence
            .iter()
            .any(|e| check.responses.contains(&e.technique) && e.span.start >= instruction_at);
        let checked_later = call
            .next_agent_turns(turn, check.within_agent_turns)
            .any(|t| call.has(t, &check.responses));
        if checked_here || checked_later {
            continue;
        }
        let mut f = Finding::new(
            "unchecked_instruction",
            format!(
                "Instructie in beurt {turn} wordt niet gevolgd door een controle ({}).",
                call.technique_ids(&check.responses)
            ),
            &check.advice,
        );
        call.locate(&mut f, turn, &check.techniques);
        findings.push(f);
    }
    findings
}
