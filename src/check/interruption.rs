//! `interruption`: the agent takes the floor from the customer (starts talking while the
//! customer is still speaking, by at least the check's `min_overlap_ms`, and talks on
//! after the customer stops) before the problem is clarified: before the first turn that
//! shows one of the check's techniques, or anywhere when none does. Overlaps come from
//! [`crate::metrics::interruptions`], so calls without timestamps have none.

use super::{Call, Finding, seconds};
use crate::metrics;
use crate::rules::Check;
use crate::transcript::Speaker;

pub fn run(call: &Call<'_>, check: &Check) -> Vec<Finding> {
    let clarified = (0..call.tagged.len()).find(|&turn| call.has(turn, &check.techniques));
    let turns = &call.transcript.turns;
    metrics::interruptions(call.transcript, check.min_overlap_ms)
        .into_iter()
        .filter(|i| {
            i.speaker == Speaker::Agent && turns[i.interrupted_turn].speaker == Speaker::Customer
        })
        // The clarifying turn itself may be the one that cuts the customer off.
        .filter(|i| clarified.is_none_or(|c| i.turn <= c))
        .map(|i| {
            let mut f = Finding::new(
                "interruption",
                format!(
                    "De medewerker valt de klant in de rede in beurt {} ({} door beurt {} heen), \
                     voordat het probleem duidelijk was.",
                    i.turn,
                    seconds(i.overlap_ms),
                    i.interrupted_turn
                ),
                &check.advice,
            );
            call.locate(&mut f, i.turn, &[]);
            f
        })
        .collect()
}
