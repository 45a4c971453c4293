//! Readers: bytes of one input in, a [`Transcript`] or a located [`InputError`] out.
//!
//! Each format family lives in its own module: our own `plain` and `json`, the subtitle
//! formats `vtt` and `srt` (sharing `cue`), and the speech-to-text outputs `amazon`,
//! `whisper`, `deepgram`, `assemblyai` and `azure` (sharing `asr`). [`read_transcript`]
//! checks the bytes are UTF-8, picks the format (forced, or detected from content by
//! [`detect_format`]) and hands the text to that format's parser. Readers never guess: an
//! unknown speaker label or a malformed field is an error that names the line or the
//! field and the problem. Readers record roles only where the input states them; a
//! speaker known only by name or id is left [`Role::Unknown`] for [`crate::roles`].

mod amazon;
mod asr;
mod assemblyai;
mod azure;
mod cue;
mod deepgram;
mod json;
mod plain;
mod srt;
mod vtt;
mod whisper;

use crate::transcript::{Role, Speaker, Transcript};
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// The transcript formats callqa reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    /// `Label: text` lines with optional timestamps.
    Plain,
    /// `{"id", "metadata", "turns": [{"speaker", "start_ms", "end_ms", "text"}]}`.
    Json,
    /// WebVTT (Teams, Zoom): speakers from `<v Name>` voice tags or `Name:` prefixes.
    Vtt,
    /// SubRip: speakers from `Name:` or `[Name]` at the start of the cue text.
    Srt,
    /// Amazon Transcribe: Call Analytics (`Transcript[]` with `ParticipantRole`) or
    /// standard output (`results.items` with `speaker_labels`).
    Amazon,
    /// OpenAI Whisper or WhisperX JSON: `segments[]` in seconds, `speaker` from WhisperX.
    Whisper,
    /// Deepgram: `results.utterances[]` in seconds with a numeric `speaker`.
    Deepgram,
    /// AssemblyAI: `utterances[]` in milliseconds with `speaker` "A", "B", ...
    #[value(name = "assemblyai")]
    #[serde(rename = "assemblyai")]
    AssemblyAi,
    /// Azure Speech batch transcription: `recognizedPhrases[]` in 100 ns ticks.
    Azure,
}

impl InputFormat {
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Plain => "plain",
            InputFormat::Json => "json",
            InputFormat::Vtt => "vtt",
            InputFormat::Srt => "srt",
            InputFormat::Amazon => "amazon",
            InputFormat::Whisper => "whisper",
            InputFormat::Deepgram => "deepgram",
            InputFormat::AssemblyAi => "assemblyai",
            InputFormat::Azure => "azure",
        }
    }
}

/// How to read an input and whom its speakers are.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Force a format instead of detecting it.
    pub format: Option<InputFormat>,
    /// Extra agent labels (compared case-insensitively).
    pub agent_labels: Vec<String>,
    /// Extra customer labels (compared case-insensitively).
    pub customer_labels: Vec<String>,
    /// The speaker (as the input names them) who is the agent; everyone else is a
    /// customer. Overrides the roles the input gives or inference would find; applied by
    /// [`crate::roles`], not by the readers.
    pub agent: Option<String>,
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

    /// The role a speaker name stands for: a known label, or a known label as its first
    /// word (`Agent (Sanne)`); anything else is a name whose role is still unknown.
    pub fn role_for_label(&self, label: &str) -> Role {
        let first_word = label
            .trim()
            .split(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("");
        self.speaker_for_label(label)
            .or_else(|| self.speaker_for_label(first_word))
            .map_or(Role::Unknown, Role::from)
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

/// Detects the format from content: `WEBVTT` opens WebVTT; a first block of a cue number
/// and a `-->` timing line is SRT; a JSON object is told apart by its top-level keys (see
/// [`sniff_json`]); any other JSON value is JSON; anything else is plain text.
pub fn detect_format(text: &str) -> InputFormat {
    sniff(text).unwrap_or(InputFormat::Json)
}

/// Like [`detect_format`], but an error for JSON no reader takes: an object with none of
/// the keys that mark a known format (the error lists them instead of blaming one
/// format's fields), or a value other than an object (read as plain text it would get a
/// message about speaker labels).
fn sniff(text: &str) -> Result<InputFormat, InputError> {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('{') {
        return sniff_json(text).ok_or_else(|| {
            InputError::new(
                "syntax",
                "JSON of unknown shape: expected the top-level key of a known format: \
                 `turns` (callqa), `Transcript` or `results.items` (Amazon Transcribe), \
                 `segments` (Whisper, WhisperX), `results.utterances` (Deepgram), \
                 `utterances` (AssemblyAI) or `recognizedPhrases` (Azure Speech)",
            )
        });
    }
    if let Some(kind) = json_value_kind(text) {
        return Err(InputError::new(
            "syntax",
            format!(
                "JSON {kind}, not an object: a transcript in JSON is one object \
                 (`{{\"turns\": [...]}}` or a speech-to-text tool's output); many \
                 transcripts go one object per line in a JSONL stream \
                 (`--input-format jsonl`)"
            ),
        ));
    }
    if vtt::has_header(text) {
        return Ok(InputFormat::Vtt);
    }
    if srt::looks_like_srt(text) {
        return Ok(InputFormat::Srt);
    }
    Ok(InputFormat::Plain)
}

/// What `text` is when it is a whole JSON value other than an object ("array", ...).
/// Plain text never parses as JSON: its first line has a label, and a timestamp before it
/// is no JSON either (`[00:00:02]` fails at `00`), so the parse gives up within the first
/// few bytes.
fn json_value_kind(text: &str) -> Option<&'static str> {
    let first = text.trim_start().bytes().next()?;
    if !matches!(first, b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') {
        return None;
    }
    serde_json::from_str::<IgnoredAny>(text).ok()?;
    Some(match first {
        b'[' => "array",
        b'"' => "string",
        b't' | b'f' => "boolean",
        b'n' => "null",
        _ => "number",
    })
}

/// Present when the key exists, whatever its value (even `null`: AssemblyAI writes
/// `"utterances": null` when speaker labels were off, and that is still AssemblyAI).
#[derive(Default)]
struct Present(bool);

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(d).map(|_| Present(true))
    }
}

/// The top-level keys that tell the JSON formats apart; every value is skipped unread.
#[derive(Deserialize, Default)]
#[serde(default)]
struct JsonKeys {
    turns: Present,
    segments: Present,
    utterances: Present,
    #[serde(rename = "recognizedPhrases")]
    recognized_phrases: Present,
    #[serde(rename = "Transcript")]
    call_analytics: Present,
    results: Option<ResultKeys>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ResultKeys {
    utterances: Present,
    channels: Present,
    items: Present,
}

/// Which JSON format a document is, from its keys. A document that does not parse is
/// handed to the callqa JSON reader, whose error then locates the syntax problem.
fn sniff_json(text: &str) -> Option<InputFormat> {
    let Ok(keys) = serde_json::from_str::<JsonKeys>(text) else {
        return Some(InputFormat::Json);
    };
    let results = keys.results.unwrap_or_default();
    if keys.turns.0 {
        Some(InputFormat::Json)
    } else if keys.call_analytics.0 || results.items.0 {
        Some(InputFormat::Amazon)
    } else if results.utterances.0 || results.channels.0 {
        Some(InputFormat::Deepgram)
    } else if keys.recognized_phrases.0 {
        Some(InputFormat::Azure)
    } else if keys.utterances.0 {
        Some(InputFormat::AssemblyAi)
    } else if keys.segments.0 {
        Some(InputFormat::Whisper)
    } else {
        None
    }
}

/// The file extensions of transcripts (their format is then told by their content): the
/// files taken when walking a directory or an archive (also under `.gz`/`.zst`), and looked
/// for beside a gold file.
pub const TRANSCRIPT_EXTENSIONS: &[&str] = &["txt", "json", "vtt", "srt"];

/// Whether a speaker label that names no role reads as a name or id (`Sanne`, `SPEAKER_00`,
/// `2`) rather than words of the text ("dus wat ik bedoel: ..."): capital or digit first.
pub(super) fn name_like(label: &str) -> bool {
    label
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_numeric())
}

/// An input's text: UTF-8, or UTF-16 that opens with its byte-order mark (what Windows
/// tools save as "Unicode text"). Errors are located by line and column of the text.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, InputError> {
    let little_endian = match bytes {
        [0xFF, 0xFE, ..] => true,
        [0xFE, 0xFF, ..] => false,
        _ => {
            return std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
                let valid = String::from_utf8_lossy(&bytes[..e.valid_up_to()]);
                invalid_at("invalid UTF-8: transcripts must be UTF-8 text", &valid)
            });
        }
    };
    let units = bytes[2..]
        .chunks(2)
        .map(|pair| match (pair, little_endian) {
            ([low, high], true) | ([high, low], false) => u16::from_le_bytes([*low, *high]),
            // An odd last byte: a unit no text has, reported as invalid below.
            _ => 0xDC00,
        });
    let mut text = String::with_capacity(bytes.len() / 2);
    for unit in char::decode_utf16(units) {
        match unit {
            Ok(c) => text.push(c),
            Err(_) => {
                return Err(invalid_at(
                    "invalid UTF-16 (it opens with a UTF-16 byte-order mark)",
                    &text,
                ));
            }
        }
    }
    Ok(Cow::Owned(text))
}

/// An encoding error just after `valid`, the text decoded before it.
fn invalid_at(message: &str, valid: &str) -> InputError {
    let line = valid.matches('\n').count() + 1;
    let column = valid.len() - valid.rfind('\n').map_or(0, |p| p + 1) + 1;
    InputError::new("encoding", message)
        .at_line(line)
        .at_column(column)
}

/// Reads one input. Returns the transcript and the format it was read as.
pub fn read_transcript(
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<(Transcript, InputFormat), InputError> {
    let text = decode(bytes)?;
    let text = text.as_ref();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(InputError::new("empty", "empty input: no turns to analyse"));
    }
    let format = match options.format {
        Some(format) => format,
        None => sniff(text)?,
    };
    let transcript = match format {
        InputFormat::Plain => plain::parse(text, options)?,
        InputFormat::Json => json::parse(text)?,
        InputFormat::Vtt => vtt::parse(text, options)?,
        InputFormat::Srt => srt::parse(text, options)?,
        InputFormat::Amazon => amazon::parse(text, options)?,
        InputFormat::Whisper => whisper::parse(text, options)?,
        InputFormat::Deepgram => deepgram::parse(text, options)?,
        InputFormat::AssemblyAi => assemblyai::parse(text, options)?,
        InputFormat::Azure => azure::parse(text, options)?,
    };
    if transcript.turns.is_empty() {
        return Err(InputError::new("empty", "no turns found in the input"));
    }
    Ok((transcript, format))
}

#[cfg(test)]
mod tests {
    use super::json_value_kind;

    #[test]
    fn json_values_other_than_objects_are_named() {
        assert_eq!(json_value_kind(" [1, 2]\n"), Some("array"));
        assert_eq!(json_value_kind("null"), Some("null"));
        assert_eq!(json_value_kind("\"Klant: hallo\""), Some("string"));
        assert_eq!(json_value_kind("{\"turns\": []}"), None);
        // Plain transcripts are not JSON, even when they open with a bracket or a digit.
        assert_eq!(json_value_kind("[00:00:02] Klant: hallo\n"), None);
        assert_eq!(json_value_kind("[1] Klant: hallo"), None);
        assert_eq!(json_value_kind("00:00:02.250 Klant: hallo"), None);
        assert_eq!(json_value_kind("nou, Klant: hallo"), None);
    }
}
