//! Deepgram pre-recorded transcription JSON: `results.utterances[]` (present when the
//! request asked for `utterances=true`) with `start`/`end` in seconds, the `transcript`,
//! and a numeric `speaker` when it asked for `diarize=true`. Without diarisation, a
//! multichannel recording's `channel` tells the speakers apart instead. Each utterance
//! is one turn.

use super::asr::{self, Unit};
use super::{InputError, ReadOptions};
use crate::transcript::Transcript;
use serde::Deserialize;

#[derive(Deserialize)]
struct Document {
    #[serde(default)]
    metadata: Option<Metadata>,
    results: Results,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(default)]
    request_id: Option<String>,
}

#[derive(Deserialize)]
struct Results {
    #[serde(default)]
    utterances: Option<Vec<Utterance>>,
}

#[derive(Deserialize)]
struct Utterance {
    start: f64,
    end: f64,
    transcript: String,
    #[serde(default)]
    speaker: Option<u32>,
    #[serde(default)]
    channel: Option<u32>,
}

pub(super) fn parse(text: &str, options: &ReadOptions) -> Result<Transcript, InputError> {
    read(text, options).map_err(asr::in_format("Deepgram"))
}

fn read(text: &str, options: &ReadOptions) -> Result<Transcript, InputError> {
    let doc: Document = asr::document(text)?;
    let utterances = doc.results.utterances.ok_or_else(|| {
        InputError::new(
            "field",
            "results.utterances is missing: request the transcript with \
             utterances=true (and diarize=true to tell the speakers apart)",
        )
    })?;
    let multichannel = asr::multichannel(utterances.iter().map(|u| u.channel));
    let segments = utterances.into_iter().enumerate().map(|(i, u)| {
        let segment = asr::Segment {
            speaker: asr::numbered_speaker(u.speaker, u.channel, multichannel),
            start: u.start,
            end: u.end,
            text: u.transcript,
        };
        (i, segment)
    });
    let turns = asr::turns(
        "results.utterances",
        ("start", "end"),
        Unit::Seconds,
        segments,
        options,
    )?;
    Ok(Transcript {
        id: doc.metadata.and_then(|m| m.request_id),
        turns,
        ..Transcript::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Transcript, InputError> {
        parse(text, &ReadOptions::default())
    }

    #[test]
    fn reads_utterances_with_speakers_or_channels() {
        let t = read(
            r#"{"metadata": {"request_id": "r1", "channels": 1},
                "results": {"channels": [], "utterances": [
                  {"start": 0.08, "end": 2.5, "confidence": 0.99, "channel": 0, "transcript": "Goedemiddag.", "speaker": 1, "id": "u1", "words": []},
                  {"start": 2.9, "end": 3.2, "channel": 0, "transcript": "Hoi.", "speaker": 0}]}}"#,
        )
        .unwrap();
        assert_eq!(t.id.as_deref(), Some("r1"));
        assert_eq!(t.turns[0].speaker_label.as_deref(), Some("1"));
        assert_eq!(
            (t.turns[0].start_ms, t.turns[0].end_ms),
            (Some(80), Some(2500))
        );
        let t = read(
            r#"{"results": {"utterances": [
                  {"start": 0, "end": 1, "channel": 0, "transcript": "a"},
                  {"start": 1, "end": 2, "channel": 1, "transcript": "b"}]}}"#,
        )
        .unwrap();
        assert_eq!(t.turns[1].speaker_label.as_deref(), Some("channel 1"));
    }

    #[test]
    fn missing_utterances_says_how_to_get_them() {
        let err = read(r#"{"results": {"channels": [{"alternatives": []}]}}"#).unwrap_err();
        assert!(err.message.contains("utterances=true"), "{}", err.message);
    }
}
