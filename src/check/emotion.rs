//! `unanswered_emotion`: a customer shows frustration, anger, stress or urgency and none
//! of the next agent turns answers it with one of the response techniques.

use super::{Call, Finding};
use crate::rules::Check;
use crate::transcript::Speaker;

pub fn run(call: &Call<'_>, check: &Check) -> Vec<Finding> {
    let mut findings = Vec::new();
    for turn in 0..call.tagged.len() {
        if call.transcript.turns[turn].speaker != Speaker::Customer
            || !call.has(turn, &check.techniques)
        {
            continue;
        }
        let answered = call
            .next_agent_turns(turn, check.within_agent_turns)
            .any(|t| call.has(t, &check.responses));
        if answered {
            continue;
        }
        let mut f = Finding::new(
            "unanswered_emotion",
            format!(
                "De klant uit emotie in beurt {turn}, maar de volgende {} beurt(en) van de medewerker tonen geen {}.",
                check.within_agent_turns,
                call.technique_ids(&check.responses)
            ),
            &check.advice,
        );
        call.locate(&mut f, turn, &check.techniques);
        findings.push(f);
    }
    findings
}
