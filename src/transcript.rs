//! The transcript model every input format is read into.
//!
//! A [`Transcript`] is the hand-off between the readers in [`crate::input`] and the
//! analysis pipeline: an ordered list of [`Turn`]s, each one input segment (a line, a JSON
//! turn, a cue), numbered from 0 in input order. Turns are never merged or dropped,
//! because QA users cite them by number.
//!
//! A turn's [`Role`] is what the input says about who speaks it. Formats that only name
//! speakers (`SPEAKER_00`, `spk_1`, `"A"`) leave the role [`Role::Unknown`] and keep the
//! name in [`Turn::speaker_label`]; [`crate::roles`] then decides who the agent is.

use serde::Serialize;
use std::fmt;

/// The two parties of a support call: whose turns a technique belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Speaker {
    Agent,
    Customer,
}

impl Speaker {
    /// The Dutch word used in text reports.
    pub fn dutch(self) -> &'static str {
        match self {
            Speaker::Agent => "medewerker",
            Speaker::Customer => "klant",
        }
    }
}

impl fmt::Display for Speaker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Speaker::Agent => "agent",
            Speaker::Customer => "customer",
        })
    }
}

/// Who speaks a turn: one of the two parties, or unknown when the input does not say
/// (no speaker information at all, or a speaker whose role is not decided yet). No
/// technique is ever tagged on an unknown turn, since every technique belongs to a party.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Agent,
    Customer,
    Unknown,
}

impl Role {
    /// The party, when known.
    pub fn known(self) -> Option<Speaker> {
        match self {
            Role::Agent => Some(Speaker::Agent),
            Role::Customer => Some(Speaker::Customer),
            Role::Unknown => None,
        }
    }
}

impl From<Speaker> for Role {
    fn from(speaker: Speaker) -> Role {
        match speaker {
            Speaker::Agent => Role::Agent,
            Speaker::Customer => Role::Customer,
        }
    }
}

// Comparing a turn's role with a technique's party reads as what it means ("is this an
// agent turn?"); an unknown role equals neither party.
impl PartialEq<Speaker> for Role {
    fn eq(&self, other: &Speaker) -> bool {
        self.known() == Some(*other)
    }
}

impl PartialEq<Role> for Speaker {
    fn eq(&self, other: &Role) -> bool {
        other == self
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.known() {
            Some(speaker) => speaker.fmt(f),
            None => f.write_str("unknown"),
        }
    }
}

/// One input segment of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub speaker: Role,
    /// The speaker as the input names them (`Medewerker`, `SPEAKER_00`, `spk_1`, `A`,
    /// `Bram (Servicedesk)`), when it names one.
    pub speaker_label: Option<String>,
    pub start_ms: Option<u64>,
    pub end_ms: Option<u64>,
    pub text: String,
    /// 1-based line in the source file where the turn starts, when the format has lines.
    pub line: Option<usize>,
}

/// A whole call as read from one input.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Transcript {
    /// The call id given by the input, if any.
    pub id: Option<String>,
    /// Free metadata fields (agent_id, team, date, ...), sorted by key.
    pub metadata: serde_json::Map<String, serde_json::Value>,
    pub turns: Vec<Turn>,
}
