//! AssemblyAI transcript JSON: `utterances[]` (filled when the request set
//! `speaker_labels: true`, `null` otherwise) with `start`/`end` in milliseconds, `text`
//! and `speaker` ("A", "B", ...). Each utterance is one turn.

use super::asr::{self, Unit};
use super::{InputError, ReadOptions};
use crate::transcript::Transcript;
use serde::Deserialize;

#[derive(Deserialize)]
struct Document {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    language_code: Option<String>,
    utterances: Option<Vec<Utterance>>,
}

#[derive(Deserialize)]
struct Utterance {
    // Integers: AssemblyAI counts milliseconds, so a fraction means seconds were given.
    start: u64,
    end: u64,
    text: String,
    #[serde(default)]
    speaker: Option<String>,
}

pub(super) fn parse(text: &str, options: &ReadOptions) -> Result<Transcript, InputError> {
    read(text, options).map_err(asr::in_format("AssemblyAI"))
}

fn read(text: &str, options: &ReadOptions) -> Result<Transcript, InputError> {
    let doc: Document = asr::document(text)?;
    let utterances = doc.utterances.ok_or_else(|| {
        InputError::new(
            "field",
            "utterances is null: request the transcript with \
             speaker_labels: true so it is split into speaker turns",
        )
    })?;
    let segments = utterances.into_iter().enumerate().map(|(i, u)| {
        let segment = asr::Segment {
            speaker: u.speaker,
            start: u.start as f64,
            end: u.end as f64,
            text: u.text,
        };
        (i, segment)
    });
    let turns = asr::turns(
        "utterances",
        ("start", "end"),
        Unit::Millis,
        segments,
        options,
    )?;
    Ok(asr::transcript(doc.id, turns, doc.language_code))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Transcript, InputError> {
        parse(text, &ReadOptions::default())
    }

    #[test]
    fn reads_utterances() {
        let t = read(
            r#"{"id": "t1", "status": "completed", "language_code": "nl", "utterances": [
                {"confidence": 0.9, "start": 250, "end": 2900, "text": "Goedemorgen.", "speaker": "A", "words": []}]}"#,
        )
        .unwrap();
        assert_eq!(t.id.as_deref(), Some("t1"));
        assert_eq!(
            (t.turns[0].start_ms, t.turns[0].end_ms),
            (Some(250), Some(2900))
        );
        assert_eq!(t.turns[0].speaker_label.as_deref(), Some("A"));
    }

    #[test]
    fn seconds_instead_of_milliseconds_and_null_utterances_are_errors() {
        let err =
            read(r#"{"utterances": [{"start": 0.25, "end": 2.9, "text": "x", "speaker": "A"}]}"#)
                .unwrap_err();
        assert!(
            err.message
                .contains("utterances[0].start: invalid type: floating point"),
            "{}",
            err.message
        );
        let err = read(r#"{"utterances": null}"#).unwrap_err();
        assert!(err.message.contains("speaker_labels"), "{}", err.message);
    }
}
