//! Checks a tagged call against one methodology: phases, order, technique-level checks.
//!
//! [`run`] is a pure function of the compiled methodology, the transcript and its tagged
//! turns. Phase presence and order come from [`phases`]; every technique-level check kind
//! in the closed set of [`crate::rules::CheckKind`] has its own module. Every finding that
//! points at a turn carries that turn's time, speaker and the quote that proves it.

mod emotion;
mod instruction;
mod interruption;
mod jargon;
mod missing_technique;
mod phases;
mod silence;

use crate::rules::{CheckKind, Methodology, Rules};
use crate::tag::TaggedTurn;
use crate::transcript::{Speaker, Transcript};
use serde::Serialize;

pub use phases::PhaseStatus;

/// One thing QA should look at, with its evidence and coaching.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable kind: missing_phase, out_of_order, unanswered_emotion, unchecked_instruction,
    /// jargon, missing_technique, interruption, silence.
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_after: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub technique: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub turn: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speaker: Option<Speaker>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// The rule whose match is quoted, when the quote comes from a match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub advice: String,
    /// Points this finding takes off the score.
    pub penalty: u32,
}

impl Finding {
    fn new(kind: &'static str, message: String, advice: &str) -> Self {
        Finding {
            kind,
            phase: None,
            expected_after: None,
            technique: None,
            turn: None,
            start_ms: None,
            speaker: None,
            quote: None,
            rule: None,
            message,
            advice: advice.to_string(),
            penalty: 0,
        }
    }
}

/// Everything the check stage hands to scoring and reporting.
#[derive(Debug, Clone)]
pub struct CheckResult {
    pub phases: Vec<PhaseStatus>,
    pub findings: Vec<Finding>,
}

/// What a check needs to read about the call.
pub struct Call<'a> {
    pub rules: &'a Rules,
    pub transcript: &'a Transcript,
    pub tagged: &'a [TaggedTurn],
}

impl Call<'_> {
    fn has(&self, turn: usize, techniques: &[usize]) -> bool {
        self.tagged[turn]
            .techniques
            .iter()
            .any(|t| techniques.contains(t))
    }

    /// Points `finding` at `turn`, quoting the first evidence of one of `techniques`
    /// (or the whole turn when none).
    fn locate(&self, finding: &mut Finding, turn: usize, techniques: &[usize]) {
        let t = &self.transcript.turns[turn];
        finding.turn = Some(turn);
        finding.start_ms = t.start_ms;
        finding.speaker = t.speaker.known();
        match self.tagged[turn]
            .evidence
            .iter()
            .find(|e| techniques.contains(&e.technique))
        {
            Some(e) => {
                finding.quote = Some(t.text[e.span.clone()].to_string());
                finding.rule = Some(self.rules.rules[e.rule].code.clone());
                finding.technique = Some(self.rules.techniques[e.technique].id.clone());
            }
            None => finding.quote = Some(t.text.clone()),
        }
    }

    fn technique_ids(&self, techniques: &[usize]) -> String {
        techniques
            .iter()
            .map(|&t| self.rules.techniques[t].id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The agent turns after `turn`, at most `count` of them.
    fn next_agent_turns(&self, turn: usize, count: usize) -> impl Iterator<Item = usize> + '_ {
        (turn + 1..self.transcript.turns.len())
            .filter(|&i| self.transcript.turns[i].speaker == Speaker::Agent)
            .take(count)
    }
}

/// A duration for a Dutch message: `1,5 s`.
fn seconds(ms: u64) -> String {
    format!("{},{} s", ms / 1000, ms % 1000 / 100)
}

pub fn run(call: &Call<'_>, methodology: &Methodology) -> CheckResult {
    let phases = phases::presence(call, methodology);
    let mut findings = phases::missing(call, methodology, &phases);
    findings.extend(phases::out_of_order(call, methodology, &phases));
    for check in &methodology.checks {
        let mut found = match check.kind {
            CheckKind::UnansweredEmotion => emotion::run(call, check),
            CheckKind::UncheckedInstruction => instruction::run(call, check),
            CheckKind::Jargon => jargon::run(call, check),
            CheckKind::MissingTechnique => missing_technique::run(call, check),
            CheckKind::Interruption => interruption::run(call, check),
            CheckKind::Silence => silence::run(call, check),
        };
        let mut budget = check.max_penalty;
        for finding in &mut found {
            finding.phase = check.phase.map(|p| methodology.phases[p].id.clone());
            finding.penalty = check.penalty.min(budget);
            budget -= finding.penalty;
        }
        findings.extend(found);
    }
    CheckResult { phases, findings }
}
