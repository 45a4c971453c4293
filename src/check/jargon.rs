//! `jargon`: the agent uses a technical term the customer has not used earlier. The
//! tagger already applies the "not used by the customer" condition; this check turns each
//! tagged turn into a finding that quotes the term.

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
        let mut f = Finding::new("jargon", String::new(), &check.advice);
        call.locate(&mut f, turn, &check.techniques);
        f.message = format!(
            "Vakterm \"{}\" in beurt {turn}, terwijl de klant die term niet eerder gebruikte.",
            f.quote.as_deref().unwrap_or("")
        );
        findings.push(f);
    }
    findings
}
