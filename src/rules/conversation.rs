//! `conversation.toml`: the pack's settings for what is read from the shape of a call
//! rather than from its words. The role cues tell [`crate::roles`] which evidence shows
//! that an unnamed speaker is the agent or the customer; the metric settings tell
//! [`crate::metrics`] what counts as a silence or an interruption.
//!
//! The file is optional, so a pack written before it existed still loads: without it no
//! role cue scores (inference falls back to the first speaker, with confidence 0.5) and
//! the metrics use [`MetricSettings::default`].

use super::schema::ConversationFile;
use super::{PackFile, RuleError, TechniqueLookup};
use crate::normalize::Normalizer;
use crate::transcript::Speaker;

/// What the metrics measure against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricSettings {
    /// Gaps with nobody speaking at least this long are listed as silences.
    pub silence_ms: u64,
    /// Overlaps shorter than this are turn-taking, not interruptions.
    pub min_overlap_ms: u64,
}

impl Default for MetricSettings {
    /// Three seconds of silence is noticeable on the phone; half a second of overlap is
    /// more than the usual jitter of ASR segment boundaries.
    fn default() -> Self {
        MetricSettings {
            silence_ms: 3000,
            min_overlap_ms: 500,
        }
    }
}

/// Evidence for a speaker's role, each cue worth points per turn it shows in.
#[derive(Debug, Clone, Default)]
pub struct RoleCues {
    /// Points for the agent role to whoever speaks the first turn.
    pub opens_call: u32,
    /// (technique index, points): for the technique's own party.
    pub techniques: Vec<(usize, u32)>,
    /// (word or phrase as written, folded and padded like rule phrases, party, points).
    pub words: Vec<(String, String, Speaker, u32)>,
}

#[derive(Debug, Clone, Default)]
pub struct Conversation {
    pub metrics: MetricSettings,
    pub roles: RoleCues,
}

pub(super) fn compile(
    file: &PackFile,
    normalizer: &Normalizer,
    lookup: &TechniqueLookup<'_>,
) -> Result<Conversation, RuleError> {
    let c: ConversationFile = file.parse()?;
    let mut techniques = Vec::new();
    for (id, &points) in &c.roles.techniques {
        techniques.push((lookup(file, id)?, points));
    }
    let mut words = Vec::new();
    for (list, party) in [
        (&c.roles.agent_words, Speaker::Agent),
        (&c.roles.customer_words, Speaker::Customer),
    ] {
        for (word, &points) in list {
            let folded = normalizer.fold_phrase(word);
            if folded.trim().is_empty() {
                return Err(file.error(
                    None,
                    format!("role word `{word}` is empty after normalisation"),
                ));
            }
            words.push((word.clone(), folded, party, points));
        }
    }
    Ok(Conversation {
        metrics: MetricSettings {
            silence_ms: c.metrics.silence_ms,
            min_overlap_ms: c.metrics.min_overlap_ms,
        },
        roles: RoleCues {
            opens_call: c.roles.opens_call,
            techniques,
            words,
        },
    })
}
