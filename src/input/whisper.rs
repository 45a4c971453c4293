//! OpenAI Whisper and WhisperX JSON: `{"segments": [{"start", "end", "text"}]}` with times
//! in seconds. WhisperX adds a diarised `speaker` (`SPEAKER_00`) per segment; plain Whisper
//! has none, so its turns keep an unknown role. Each segment is one turn.

use super::asr::{self, Unit};
use super::{InputError, ReadOptions};
use crate::transcript::Transcript;
use serde::Deserialize;

#[derive(Deserialize)]
struct Document {
    segments: Vec<Segment>,
    #[serde(default)]
    language: Option<String>,
}

#[derive(Deserialize)]
struct Segment {
    start: f64,
    end: f64,
    text: String,
    #[serde(default)]
    speaker: Option<String>,
}

pub(super) fn parse(text: &str, options: &ReadOptions) -> Result<Transcript, InputError> {
    read(text, options).map_err(asr::in_format("Whisper"))
}

fn read(text: &str, options: &ReadOptions) -> Result<Transcript, InputError> {
    let doc: Document = asr::document(text)?;
    let segments = doc.segments.into_iter().enumerate().map(|(i, s)| {
        let segment = asr::Segment {
            speaker: s.speaker,
            start: s.start,
            end: s.end,
            text: s.text,
        };
        (i, segment)
    });
    let turns = asr::turns(
        "segments",
        ("start", "end"),
        Unit::Seconds,
        segments,
        options,
    )?;
    Ok(asr::transcript(None, turns, doc.language))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::Role;

    fn read(text: &str) -> Result<Transcript, InputError> {
        parse(text, &ReadOptions::default())
    }

    #[test]
    fn reads_whisperx_speakers_and_plain_whisper_without() {
        let t = read(
            r#"{"segments": [
                {"id": 0, "start": 0.0, "end": 2.48, "text": " Goedemorgen.", "speaker": "SPEAKER_01", "words": []},
                {"id": 1, "start": 2.9, "end": 4.0, "text": " Hallo.", "speaker": "SPEAKER_00"}],
               "language": "nl"}"#,
        )
        .unwrap();
        assert_eq!(t.turns[0].text, "Goedemorgen.");
        assert_eq!(t.turns[0].end_ms, Some(2480));
        assert_eq!(t.turns[0].speaker, Role::Unknown);
        assert_eq!(t.turns[0].speaker_label.as_deref(), Some("SPEAKER_01"));
        assert_eq!(t.metadata["language"], "nl");
        let t =
            read(r#"{"text": "Hallo.", "segments": [{"start": 0, "end": 1, "text": "Hallo."}]}"#)
                .unwrap();
        assert_eq!(t.turns[0].speaker_label, None);
    }

    #[test]
    fn errors_name_the_field() {
        let err = read(
            r#"{"segments": [{"start": 0, "end": 1, "text": "a"}, {"start": 1, "text": "b"}]}"#,
        )
        .unwrap_err();
        assert_eq!(err.kind, "field");
        assert!(
            err.message.contains("segments[1]: missing field `end`"),
            "{}",
            err.message
        );
        let err = read(r#"{"segments": [{"start": "0.5", "end": 1, "text": "a"}]}"#).unwrap_err();
        assert!(
            err.message
                .starts_with("Whisper transcript: segments[0].start: invalid type: string"),
            "{}",
            err.message
        );
        let err = read(r#"{"segments": []}"#).unwrap_err();
        assert_eq!(err.kind, "empty");
    }
}
