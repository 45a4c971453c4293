//! Readers: bytes of one input in, a [`Transcript`] or a located [`InputError`] out.
//!
//! Each format lives in its own module. [`read_transcript`] checks the bytes are UTF-8,
//! picks the format (forced, or detected from content by [`detect_format`]) and hands the
//! text to that format's parser. Readers never guess: an unknown speaker label or a
//! malformed field is an error that names the line and the problem.

mod json;
mod plain;

use crate::transcript::{Speaker, Transcript};
use serde::Serialize;
use std::fmt;

/// The transcript formats callqa reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    /// `Label: text` lines with optional timestamps.
    Plain,
    /// `{"id", "metadata", "turns": [{"speaker", "start_ms", "end_ms", "text"}]}`.
    Json,
}

impl InputFormat {
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Plain => "plain",
            InputFormat::Json => "json",
        }
    }
}

/// Speaker labels accepted in plain text, beyond the built-in ones.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Force a format instead of detecting it.
    pub format: Option<InputFormat>,
    /// Extra agent labels (compared case-insensitively).
    pub agent_labels: Vec<String>,
    /// Extra customer labels (compared case-insensitively).
    pub customer_labels: Vec<String>,
}

const AGENT_LABELS: &[&str] = &[
    "medewerker",
    "agent",
    "operator",
    "servicedesk",
    "helpdesk",
    "support",
];
const CUSTOMER_LABELS: &[&str] = &["klant", "beller", "customer", "caller", "client"];

impl ReadOptions {
    /// The speaker a label stands for, if it is a known label.
    pub fn speaker_for_label(&self, label: &str) -> Option<Speaker> {
        let label = label.trim();
        let is = |known: &str| known.eq_ignore_ascii_case(label);
        if AGENT_LABELS.iter().any(|l| is(l)) || self.agent_labels.iter().any(|l| is(l)) {
            Some(Speaker::Agent)
        } else if CUSTOMER_LABELS.iter().any(|l| is(l))
            || self.customer_labels.iter().any(|l| is(l))
        {
            Some(Speaker::Customer)
        } else {
            None
        }
    }
}

/// Why an input could not be read. Always names where, so one message is enough to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputError {
    /// Stable machine-readable kind: `io`, `encoding`, `empty`, `syntax`, `speaker`, `field`.
    pub kind: &'static str,
    /// 1-based line, when the problem is on one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    pub message: String,
}

impl InputError {
    pub fn new(kind: &'static str, message: impl Into<String>) -> Self {
        InputError {
            kind,
            line: None,
            column: None,
            message: message.into(),
        }
    }

    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    pub fn at_column(mut self, column: usize) -> Self {
        self.column = Some(column);
        self
    }
}

impl InputError {
    /// `source:line:col: message`, the one line a user needs to find the problem.
    pub fn located(&self, source: &str) -> String {
        match self.line {
            Some(_) => format!("{source}:{self}"),
            None => format!("{source}: {self}"),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(col)) => write!(f, "{line}:{col}: {}", self.message),
            (Some(line), None) => write!(f, "{line}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

/// Detects the format from content: a document whose first non-blank byte opens a JSON
/// object is JSON, anything else is plain text.
pub fn detect_format(text: &str) -> InputFormat {
    match text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .as_bytes()
        .first()
    {
        Some(b'{') => InputFormat::Json,
        _ => InputFormat::Plain,
    }
}

/// Reads one input. Returns the transcript and the format it was read as.
pub fn read_transcript(
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<(Transcript, InputFormat), InputError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = valid.len() - valid.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
        InputError::new("encoding", "invalid UTF-8: transcripts must be UTF-8 text")
            .at_line(line)
            .at_column(column)
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(InputError::new("empty", "empty input: no turns to analyse"));
    }
    let format = options.format.unwrap_or_else(|| detect_format(text));
    let transcript = match format {
        InputFormat::Plain => plain::parse(text, options)?,
        InputFormat::Json => json::parse(text)?,
    };
    if transcript.turns.is_empty() {
        return Err(InputError::new("empty", "no turns found in the input"));
    }
    Ok((transcript, format))
}
