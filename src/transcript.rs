//! The transcript model every input format is read into.
//!
//! A [`Transcript`] is the hand-off between the readers in [`crate::input`] and the
//! analysis pipeline: an ordered list of [`Turn`]s, each one input segment (a line, a JSON
//! turn, a cue), numbered from 0 in input order. Turns are never merged or dropped,
//! because QA users cite them by number.

use serde::Serialize;
use std::fmt;

/// Who speaks a turn.
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

/// One input segment of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub speaker: Speaker,
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
