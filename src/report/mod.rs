//! The report: what one call's analysis says, as data.
//!
//! [`build`] turns the outputs of every stage (transcript, roles, metrics, tagged turns,
//! check results) into a [`Report`]: plain serialisable data with ids and quotes instead
//! of indices.
//! Rendering lives in [`text`] (people) and serde_json (machines). The library never
//! prints; the CLI decides where reports go.

pub mod text;

use crate::check::{CheckResult, Finding};
use crate::metrics::Metrics;
use crate::roles::Roles;
use crate::rules::{Methodology, Rules};
use crate::score::{self, Score};
use crate::tag::TaggedTurn;
use crate::transcript::{Role, Transcript};
use serde::Serialize;

/// Version of the report shape; bumped on any incompatible change.
pub const SCHEMA: &str = "callqa.report/1";

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub source: String,
    pub id: Option<String>,
    pub format: &'static str,
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// Who the agent is and how that was decided.
    pub roles: Roles,
    /// Timing metrics; null when the input has no turn with both a start and an end.
    pub metrics: Option<Metrics>,
    pub turns: Vec<TurnReport>,
    /// Empty when the roles are unknown (see `roles.message`).
    pub methodologies: Vec<MethodologyReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TurnReport {
    pub index: usize,
    pub speaker: Role,
    /// The speaker as the input names them, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speaker_label: Option<String>,
    pub start_ms: Option<u64>,
    pub end_ms: Option<u64>,
    pub text: String,
    pub techniques: Vec<String>,
    pub evidence: Vec<EvidenceReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceReport {
    pub technique: String,
    /// Utterance index within the turn.
    pub utterance: usize,
    /// Byte offsets of the quote in the turn's original text.
    pub start: usize,
    pub end: usize,
    pub quote: String,
    /// Stable rule code, `technique.rule`.
    pub rule: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MethodologyReport {
    pub id: String,
    pub name: String,
    pub score: u32,
    /// Sum of the weights of the present phases.
    pub earned: u32,
    /// Sum of all phase weights.
    pub possible: u32,
    /// Points taken off by findings.
    pub penalty: u32,
    pub phases: Vec<PhaseReport>,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhaseReport {
    pub id: String,
    pub name: String,
    pub status: &'static str,
    pub first_turn: Option<usize>,
    pub weight: u32,
    /// What this phase contributes to `earned`.
    pub points: u32,
}

/// What the pipeline stages produced for one call.
pub struct Stages<'a> {
    /// The transcript with roles resolved.
    pub transcript: &'a Transcript,
    pub roles: Roles,
    pub metrics: Option<Metrics>,
    pub tagged: &'a [TaggedTurn],
    /// Moved into the report: the findings become its findings without a copy.
    pub checked: Vec<(&'a Methodology, CheckResult)>,
}

/// Assembles one call's report from the outputs of the pipeline stages.
pub fn build(rules: &Rules, source: &str, format: &'static str, stages: Stages<'_>) -> Report {
    let Stages {
        transcript,
        roles,
        metrics,
        tagged,
        checked,
    } = stages;
    let turns = transcript
        .turns
        .iter()
        .zip(tagged)
        .enumerate()
        .map(|(index, (turn, tags))| TurnReport {
            index,
            speaker: turn.speaker,
            speaker_label: turn.speaker_label.clone(),
            start_ms: turn.start_ms,
            end_ms: turn.end_ms,
            text: turn.text.clone(),
            techniques: tags
                .techniques
                .iter()
                .map(|&t| rules.techniques[t].id.clone())
                .collect(),
            evidence: tags
                .evidence
                .iter()
                .map(|e| EvidenceReport {
                    technique: rules.techniques[e.technique].id.clone(),
                    utterance: e.utterance,
                    start: e.span.start,
                    end: e.span.end,
                    quote: turn.text[e.span.clone()].to_string(),
                    rule: rules.rules[e.rule].code.clone(),
                })
                .collect(),
        })
        .collect();
    let methodologies = checked
        .into_iter()
        .map(|(methodology, result)| {
            let Score {
                score,
                earned,
                possible,
                penalty,
            } = score::score(methodology, &result);
            MethodologyReport {
                id: methodology.id.clone(),
                name: methodology.name.clone(),
                score,
                earned,
                possible,
                penalty,
                phases: methodology
                    .phases
                    .iter()
                    .zip(&result.phases)
                    .map(|(phase, status)| PhaseReport {
                        id: phase.id.clone(),
                        name: phase.name.clone(),
                        status: if status.first_turn.is_some() {
                            "present"
                        } else {
                            "missing"
                        },
                        first_turn: status.first_turn,
                        weight: phase.weight,
                        points: if status.first_turn.is_some() {
                            phase.weight
                        } else {
                            0
                        },
                    })
                    .collect(),
                findings: result.findings,
            }
        })
        .collect();
    Report {
        schema: SCHEMA,
        source: source.to_string(),
        id: transcript.id.clone(),
        format,
        metadata: transcript.metadata.clone(),
        roles,
        metrics,
        turns,
        methodologies,
    }
}
