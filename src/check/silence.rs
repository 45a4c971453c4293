//! `silence`: nobody speaks for at least the check's `min_silence_ms`, and the agent's
//! last turn before the silence did not announce it with one of the check's techniques
//! ("ik zoek het even voor u op"). Silences come from [`crate::metrics::silences`], so
//! calls without timestamps have none.

use super::{Call, Finding, seconds};
use crate::metrics;
use crate::rules::Check;
use crate::transcript::Speaker;

pub fn run(call: &Call<'_>, check: &Check) -> Vec<Finding> {
    let turns = &call.transcript.turns;
    metrics::silences(call.transcript, check.min_silence_ms)
        .into_iter()
        .filter(|s| {
            let last_agent_turn = (0..turns.len())
                .filter(|&t| {
                    turns[t].speaker == Speaker::Agent
                        && turns[t].start_ms.is_some_and(|start| start < s.start_ms)
                })
                .max_by_key(|&t| (turns[t].start_ms, t));
            !last_agent_turn.is_some_and(|t| call.has(t, &check.techniques))
        })
        .map(|s| {
            let mut f = Finding::new(
                "silence",
                format!(
                    "Stilte van {} na beurt {}, zonder dat de medewerker aankondigde wat er \
                     gebeurt ({}).",
                    seconds(s.duration_ms),
                    s.after_turn,
                    call.technique_ids(&check.techniques)
                ),
                &check.advice,
            );
            call.locate(&mut f, s.after_turn, &[]);
            f
        })
        .collect()
}
