//! Why the engine and the gold disagree on a turn, in terms a rule author can act on.
//!
//! For each technique the gold expects and the engine missed: which condition turned the
//! matching rule down (mood, negation, `suppressed_by`, ...), read from
//! [`crate::tag::trace_transcript`], or that no rule matched at all. The first calls for a
//! fix to a condition or the pack's language lists, the second for new wording. For each
//! technique the engine found and the gold does not expect: the rule and the quote behind
//! it, from the report's evidence.

use crate::report::TurnReport;
use crate::rules::{Mood, Rules};
use crate::tag::{Rejected, Rejection};
use serde::Serialize;

/// Why a technique the gold expects was not tagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissReason {
    /// No rule of the technique matched the turn: wording the pack does not know.
    NoMatch,
    /// A rule matched, but across an utterance boundary.
    CrossesUtterance,
    /// A question-only rule matched a statement.
    NotAQuestion,
    /// A statement-only rule matched a question.
    NotAStatement,
    /// A negation word stood near the match.
    Negated,
    /// The turn before did not show the rule's `after` techniques.
    NotAfter,
    /// A jargon term the customer had used first.
    CustomerTerm,
    /// Another technique in the same utterance suppresses it (`suppressed_by`).
    Suppressed,
    /// None of its `requires_earlier` techniques came earlier in the call.
    NothingEarlier,
}

impl MissReason {
    /// Every reason, in the order the text report prints them.
    pub const ALL: [MissReason; 9] = [
        MissReason::NoMatch,
        MissReason::NotAQuestion,
        MissReason::NotAStatement,
        MissReason::Negated,
        MissReason::Suppressed,
        MissReason::NotAfter,
        MissReason::NothingEarlier,
        MissReason::CustomerTerm,
        MissReason::CrossesUtterance,
    ];

    pub fn label(self) -> &'static str {
        match self {
            MissReason::NoMatch => "no rule matched",
            MissReason::CrossesUtterance => "match crosses an utterance boundary",
            MissReason::NotAQuestion => "not a question",
            MissReason::NotAStatement => "not a statement",
            MissReason::Negated => "negated",
            MissReason::NotAfter => "not after the turn its rule needs",
            MissReason::CustomerTerm => "customer used the term first",
            MissReason::Suppressed => "suppressed",
            MissReason::NothingEarlier => "nothing it requires came earlier",
        }
    }

    /// Short column heading for the text report.
    pub fn heading(self) -> &'static str {
        match self {
            MissReason::NoMatch => "nomatch",
            MissReason::CrossesUtterance => "crosses",
            MissReason::NotAQuestion => "notq",
            MissReason::NotAStatement => "nots",
            MissReason::Negated => "neg",
            MissReason::NotAfter => "after",
            MissReason::CustomerTerm => "term",
            MissReason::Suppressed => "supp",
            MissReason::NothingEarlier => "earlier",
        }
    }

    fn from_rejected(reason: Rejected) -> MissReason {
        match reason {
            Rejected::CrossesUtterance => MissReason::CrossesUtterance,
            Rejected::Mood(Mood::Question | Mood::QuestionOrUnpunctuated) => {
                MissReason::NotAQuestion
            }
            Rejected::Mood(_) => MissReason::NotAStatement,
            Rejected::Negated => MissReason::Negated,
            Rejected::NotAfter => MissReason::NotAfter,
            Rejected::CustomerTerm => MissReason::CustomerTerm,
            Rejected::SuppressedBy(_) => MissReason::Suppressed,
            Rejected::NothingEarlier => MissReason::NothingEarlier,
        }
    }

    /// When a technique was turned down several times in a turn, the report names the
    /// rejection that came closest to a tag: one that passed every per-match condition
    /// says more than a match in the wrong place.
    fn closeness(self) -> u8 {
        match self {
            MissReason::Suppressed | MissReason::NothingEarlier => 6,
            MissReason::Negated => 5,
            MissReason::NotAQuestion | MissReason::NotAStatement => 4,
            MissReason::NotAfter => 3,
            MissReason::CustomerTerm => 2,
            MissReason::CrossesUtterance => 1,
            MissReason::NoMatch => 0,
        }
    }
}

/// A technique the gold expects on a turn and the engine did not tag, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Missed {
    pub technique: String,
    pub reason: MissReason,
    /// The rule that matched and was turned down (absent for `no_match`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// What that rule matched, from the turn's original text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// For `suppressed`: the technique that suppressed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// A technique the engine tagged on a turn where the gold does not expect it.
#[derive(Debug, Clone, Serialize)]
pub struct Spurious {
    pub technique: String,
    pub rule: String,
    pub quote: String,
}

/// Why each of `missed` (technique ids) was not tagged on the turn whose text is `text`,
/// given the candidates the tagger turned down there.
pub fn explain_missed(
    rules: &Rules,
    text: &str,
    missed: &[String],
    rejections: &[Rejection],
) -> Vec<Missed> {
    missed
        .iter()
        .map(|id| {
            let closest = rejections
                .iter()
                .filter(|r| rules.techniques[r.technique].id == *id)
                .max_by_key(|r| {
                    let reason = MissReason::from_rejected(r.reason);
                    // Among equally close ones, the earliest match.
                    (
                        reason.closeness(),
                        std::cmp::Reverse(r.span.clone().map(|s| s.start)),
                    )
                });
            match closest {
                None => Missed {
                    technique: id.clone(),
                    reason: MissReason::NoMatch,
                    rule: None,
                    quote: None,
                    by: None,
                },
                Some(r) => Missed {
                    technique: id.clone(),
                    reason: MissReason::from_rejected(r.reason),
                    rule: Some(rules.rules[r.rule].code.clone()),
                    quote: r.span.clone().and_then(|s| text.get(s)).map(str::to_string),
                    by: match r.reason {
                        Rejected::SuppressedBy(t) => Some(rules.techniques[t].id.clone()),
                        _ => None,
                    },
                },
            }
        })
        .collect()
}

/// The rule and quote behind each of `spurious` (technique ids) on `turn`.
pub fn explain_spurious(turn: &TurnReport, spurious: &[String]) -> Vec<Spurious> {
    spurious
        .iter()
        .filter_map(|id| {
            let e = turn.evidence.iter().find(|e| e.technique == *id)?;
            Some(Spurious {
                technique: id.clone(),
                rule: e.rule.clone(),
                quote: e.quote.clone(),
            })
        })
        .collect()
}
