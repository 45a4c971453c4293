//! Speaker roles: which speaker is the agent, when the input only names speakers.
//!
//! Stage between reading and tagging. Formats that state roles (plain text role labels,
//! callqa JSON, Amazon Call Analytics, role words in subtitles) need nothing; formats that
//! only name speakers (`SPEAKER_00`, `spk_1`, `A`, `Bram (Servicedesk)`, plain text whose
//! labels are all names) leave those turns
//! [`Role::Unknown`], and [`resolve`] decides. `--agent SPEAKER` ([`ReadOptions::agent`])
//! overrides everything; otherwise roles are inferred from the pack's role cues
//! (`conversation.toml`):
//!
//! - techniques: each speaker's turns are tagged twice, once as if the speaker were the
//!   agent and once as if the customer; every turn showing a cue technique (greeting,
//!   diagnostic questions, instructions; or customer emotion) earns its points for that
//!   role;
//! - words: each turn containing a cue word earns points (`u`/`uw` for the agent, who
//!   addresses the customer formally; `mijn` for the customer, who describes their own
//!   problem);
//! - opening: the speaker of the first turn earns points for the agent role (support
//!   lines answer with the agent's greeting).
//!
//! A call has one agent: the speaker with the highest agent-minus-customer points (ties go
//! to the earliest speaker), or none of the named speakers when the input already names
//! an agent. The confidence is the share of all role points that agree with that choice,
//! smoothed by one point either way: `(agreeing + 1) / (all + 2)`. It is 0.5 with no
//! evidence at all and approaches 1 as agreeing evidence accumulates.
//!
//! With no speaker information at all (plain Whisper), every turn stays unknown: no
//! technique is tagged on it and no methodology is scored, and the report says so.

use crate::input::{InputError, ReadOptions};
use crate::metrics::round2;
use crate::rules::Rules;
use crate::tag;
use crate::transcript::{Role, Speaker, Transcript};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// How the roles were decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RoleSource {
    /// The input states every role.
    Input,
    /// Inferred from what the named speakers say.
    Inferred,
    /// Given with `--agent`.
    Override,
    /// The input names no speakers: roles are unknown.
    None,
}

/// The `roles` block of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Roles {
    pub source: RoleSource,
    /// The speaker taken to be the agent, as the input names them (inferred or override).
    pub agent: Option<String>,
    /// 1 when the input or `--agent` states the roles, the inference's confidence (0.5 to
    /// 1) when inferred, absent when roles are unknown.
    pub confidence: Option<f64>,
    /// Every speaker, in order of first appearance.
    pub speakers: Vec<SpeakerRole>,
    /// Turns that no speaker is known for (no technique is tagged on them).
    pub unknown_turns: usize,
    /// What this means for the report, in Dutch.
    pub message: String,
}

impl Roles {
    /// Whether any turn has a role, so techniques and methodologies mean something.
    pub fn known(&self) -> bool {
        self.source != RoleSource::None
    }
}

/// One speaker and the evidence for their role.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeakerRole {
    /// As the input names them; absent for turns that carry only a role.
    pub label: Option<String>,
    pub role: Role,
    pub turns: usize,
    /// Role points (inferred speakers only).
    #[serde(skip_serializing_if = "is_zero")]
    pub agent_points: u32,
    #[serde(skip_serializing_if = "is_zero")]
    pub customer_points: u32,
    /// Per cue (technique id, `word:...`, `opens_call`): how many of the speaker's turns
    /// show it.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub cues: BTreeMap<String, u32>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The transcript with every role decided that can be, and how.
#[derive(Debug, Clone)]
pub struct Resolved<'a> {
    pub transcript: Cow<'a, Transcript>,
    pub roles: Roles,
}

/// Decides roles, with `--agent` ([`ReadOptions::agent`]) when given. Fails only when the
/// override names no speaker of this input.
pub fn resolve<'a>(
    rules: &Rules,
    transcript: &'a Transcript,
    options: &ReadOptions,
) -> Result<Resolved<'a>, InputError> {
    match options.agent.as_deref() {
        Some(agent) => assign(transcript, agent),
        None => Ok(infer(rules, transcript)),
    }
}

/// The speakers in order of first appearance: (label, turn indices). Unlabelled turns
/// group by their role; unlabelled unknown turns are no speaker.
fn speakers(transcript: &Transcript) -> Vec<(Option<&str>, Role, Vec<usize>)> {
    let mut out: Vec<(Option<&str>, Role, Vec<usize>)> = Vec::new();
    for (i, turn) in transcript.turns.iter().enumerate() {
        let label = turn.speaker_label.as_deref();
        if label.is_none() && turn.speaker == Role::Unknown {
            continue;
        }
        match out
            .iter_mut()
            .find(|(l, r, _)| *l == label && (label.is_some() || *r == turn.speaker))
        {
            Some((_, _, turns)) => turns.push(i),
            None => out.push((label, turn.speaker, vec![i])),
        }
    }
    out
}

fn unknown_turns(transcript: &Transcript) -> usize {
    transcript
        .turns
        .iter()
        .filter(|t| t.speaker == Role::Unknown)
        .count()
}

fn unknown_note(count: usize) -> String {
    if count == 0 {
        String::new()
    } else {
        format!(" {count} beurt(en) zonder bekende spreker: daarop zijn geen technieken bepaald.")
    }
}

/// `--agent`: the named speaker is the agent, every other named speaker a customer.
fn assign<'a>(transcript: &'a Transcript, agent: &str) -> Result<Resolved<'a>, InputError> {
    let speakers = speakers(transcript);
    let labels: Vec<&str> = speakers.iter().filter_map(|(l, _, _)| *l).collect();
    let Some(&chosen) = labels
        .iter()
        .find(|l| l.trim().eq_ignore_ascii_case(agent.trim()))
    else {
        let known = if labels.is_empty() {
            "this input names no speakers".to_string()
        } else {
            format!("speakers: {}", labels.join(", "))
        };
        return Err(InputError::new(
            "speaker",
            format!("--agent `{agent}`: no speaker of that name in this input ({known})"),
        ));
    };
    let mut resolved = transcript.clone();
    for turn in &mut resolved.turns {
        if let Some(label) = &turn.speaker_label {
            turn.speaker = if label == chosen {
                Role::Agent
            } else {
                Role::Customer
            };
        }
    }
    let unknown = unknown_turns(&resolved);
    let roles = Roles {
        source: RoleSource::Override,
        agent: Some(chosen.to_string()),
        confidence: Some(1.0),
        speakers: report_speakers(&resolved, &BTreeMap::new()),
        unknown_turns: unknown,
        message: format!(
            "Rollen opgegeven met --agent: {chosen} is de medewerker, de andere sprekers zijn klant.{}",
            unknown_note(unknown)
        ),
    };
    Ok(Resolved {
        transcript: Cow::Owned(resolved),
        roles,
    })
}

/// Evidence gathered for one speaker.
#[derive(Debug, Clone, Default)]
struct Evidence {
    agent_points: u32,
    customer_points: u32,
    cues: BTreeMap<String, u32>,
}

impl Evidence {
    fn add(&mut self, cue: &str, party: Speaker, points: u32) {
        match party {
            Speaker::Agent => self.agent_points += points,
            Speaker::Customer => self.customer_points += points,
        }
        *self.cues.entry(cue.to_string()).or_default() += 1;
    }

    fn net(&self) -> i64 {
        i64::from(self.agent_points) - i64::from(self.customer_points)
    }
}

/// Infers the roles of the speakers the input names without a role.
pub fn infer<'a>(rules: &Rules, transcript: &'a Transcript) -> Resolved<'a> {
    let speakers = speakers(transcript);
    let open: Vec<&str> = speakers
        .iter()
        .filter(|(l, r, _)| l.is_some() && *r == Role::Unknown)
        .filter_map(|(l, _, _)| *l)
        .collect();
    let unknown = unknown_turns(transcript);
    if open.is_empty() {
        let stated = transcript.turns.iter().any(|t| t.speaker != Role::Unknown);
        let roles = Roles {
            source: if stated {
                RoleSource::Input
            } else {
                RoleSource::None
            },
            agent: None,
            confidence: stated.then_some(1.0),
            speakers: report_speakers(transcript, &BTreeMap::new()),
            unknown_turns: unknown,
            message: if stated {
                format!("De rollen staan in de invoer.{}", unknown_note(unknown))
            } else {
                "De invoer noemt geen sprekers: de rollen zijn onbekend. Zonder rollen zijn \
                 geen technieken, fasen of scores bepaald; alleen de gespreksmetrieken zonder \
                 verdeling over medewerker en klant."
                    .to_string()
            },
        };
        return Resolved {
            transcript: Cow::Borrowed(transcript),
            roles,
        };
    }

    let evidence = gather(rules, transcript, &open);
    let agent_stated = transcript.turns.iter().any(|t| t.speaker == Role::Agent);
    let agent = if agent_stated {
        None
    } else {
        // Highest net points; `max_by_key` keeps the last maximum, so walk in reverse to
        // let the earliest speaker win a tie.
        open.iter()
            .rev()
            .max_by_key(|l| evidence.get(**l).map_or(0, Evidence::net))
            .copied()
    };
    let (mut agreeing, mut all) = (0u32, 0u32);
    for label in &open {
        let e = evidence.get(*label).cloned().unwrap_or_default();
        all += e.agent_points + e.customer_points;
        agreeing += if Some(*label) == agent {
            e.agent_points
        } else {
            e.customer_points
        };
    }
    let confidence = round2(f64::from(agreeing + 1) / f64::from(all + 2));

    let mut resolved = transcript.clone();
    for turn in &mut resolved.turns {
        if turn.speaker == Role::Unknown
            && let Some(label) = turn.speaker_label.as_deref()
        {
            turn.speaker = if Some(label) == agent {
                Role::Agent
            } else {
                Role::Customer
            };
        }
    }
    let unknown = unknown_turns(&resolved);
    let verdict = match agent {
        Some(agent) => format!("{agent} is de medewerker, de andere spreker(s) klant"),
        None => format!(
            "de invoer noemt de medewerker al, dus {} klant",
            open.join(", ")
        ),
    };
    let caution = if confidence < 0.65 {
        " Lage zekerheid: controleer de rollen en geef ze zo nodig op met --agent."
    } else {
        ""
    };
    let roles = Roles {
        source: RoleSource::Inferred,
        agent: agent.map(str::to_string),
        confidence: Some(confidence),
        speakers: report_speakers(&resolved, &evidence),
        unknown_turns: unknown,
        message: format!(
            "Rollen afgeleid uit het gesprek: {verdict} (zekerheid {confidence:.2}).{caution}{}",
            unknown_note(unknown)
        ),
    };
    Resolved {
        transcript: Cow::Owned(resolved),
        roles,
    }
}

/// The role cues each open speaker's turns show, as agent and as customer.
fn gather(rules: &Rules, transcript: &Transcript, open: &[&str]) -> BTreeMap<String, Evidence> {
    let cues = &rules.conversation.roles;
    let as_role = |role: Role| {
        let mut t = transcript.clone();
        for turn in &mut t.turns {
            if turn.speaker == Role::Unknown && turn.speaker_label.is_some() {
                turn.speaker = role;
            }
        }
        tag::tag_transcript(rules, &t)
    };
    let as_agent = as_role(Role::Agent);
    let as_customer = as_role(Role::Customer);
    let first_speaker = transcript
        .turns
        .iter()
        .find(|t| t.speaker_label.is_some() || t.speaker != Role::Unknown)
        .and_then(|t| t.speaker_label.as_deref());

    let mut evidence: BTreeMap<String, Evidence> = BTreeMap::new();
    for (i, turn) in transcript.turns.iter().enumerate() {
        let Some(label) = turn.speaker_label.as_deref() else {
            continue;
        };
        if turn.speaker != Role::Unknown || !open.contains(&label) {
            continue;
        }
        let e = evidence.entry(label.to_string()).or_default();
        for &(technique, points) in &cues.techniques {
            let t = &rules.techniques[technique];
            let tagged = match t.speaker {
                Speaker::Agent => &as_agent[i],
                Speaker::Customer => &as_customer[i],
            };
            if tagged.techniques.contains(&technique) {
                e.add(&t.id, t.speaker, points);
            }
        }
        let folded = rules.language.normalizer.fold_phrase(&turn.text);
        for (word, folded_word, party, points) in &cues.words {
            if folded.contains(folded_word.as_str()) {
                e.add(&format!("word:{word}"), *party, *points);
            }
        }
    }
    if let Some(first) = first_speaker
        && cues.opens_call > 0
        && let Some(e) = evidence.get_mut(first)
    {
        e.add("opens_call", Speaker::Agent, cues.opens_call);
    }
    evidence
}

fn report_speakers(
    transcript: &Transcript,
    evidence: &BTreeMap<String, Evidence>,
) -> Vec<SpeakerRole> {
    speakers(transcript)
        .into_iter()
        .map(|(label, role, turns)| {
            let e = label
                .and_then(|l| evidence.get(l))
                .cloned()
                .unwrap_or_default();
            SpeakerRole {
                label: label.map(str::to_string),
                role,
                turns: turns.len(),
                agent_points: e.agent_points,
                customer_points: e.customer_points,
                cues: e.cues,
            }
        })
        .collect()
}
