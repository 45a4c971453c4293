//! Azure Speech batch transcription JSON: `recognizedPhrases[]` with `offsetInTicks` and
//! `durationInTicks` (100 ns units), the best reading in `nBest[0].display`, and a numeric
//! `speaker` when diarisation was on (else `channel` tells a stereo recording's sides
//! apart). Each recognised phrase is one turn; phrases whose `recognitionStatus` is not
//! `Success` carry no text and are not turns.

use super::asr::{self, Unit};
use super::{InputError, ReadOptions};
use crate::transcript::Transcript;
use serde::Deserialize;

#[derive(Deserialize)]
struct Document {
    #[serde(rename = "recognizedPhrases")]
    recognized_phrases: Vec<Phrase>,
}

#[derive(Deserialize)]
struct Phrase {
    #[serde(rename = "recognitionStatus", default)]
    recognition_status: Option<String>,
    #[serde(default)]
    speaker: Option<u32>,
    #[serde(default)]
    channel: Option<u32>,
    #[serde(rename = "offsetInTicks")]
    offset_in_ticks: f64,
    #[serde(rename = "durationInTicks")]
    duration_in_ticks: f64,
    #[serde(rename = "nBest", default)]
    n_best: Vec<Reading>,
}

#[derive(Deserialize)]
struct Reading {
    display: String,
}

pub(super) fn parse(text: &str, options: &ReadOptions) -> Result<Transcript, InputError> {
    read(text, options).map_err(asr::in_format("Azure"))
}

fn read(text: &str, options: &ReadOptions) -> Result<Transcript, InputError> {
    let doc: Document = asr::document(text)?;
    let phrases = doc.recognized_phrases;
    let multichannel = asr::multichannel(phrases.iter().map(|p| p.channel));
    let mut segments = Vec::with_capacity(phrases.len());
    for (i, phrase) in phrases.into_iter().enumerate() {
        if phrase
            .recognition_status
            .as_deref()
            .is_some_and(|s| s != "Success")
        {
            continue;
        }
        let field = format!("recognizedPhrases[{i}]");
        // Checked here so a bad duration is named as such, not as an end before the start.
        asr::millis(
            phrase.duration_in_ticks,
            Unit::Ticks,
            &format!("{field}.durationInTicks"),
        )?;
        let reading = phrase.n_best.into_iter().next().ok_or_else(|| {
            InputError::new(
                "field",
                format!("{field}.nBest is empty: no recognised text"),
            )
        })?;
        let segment = asr::Segment {
            speaker: asr::numbered_speaker(phrase.speaker, phrase.channel, multichannel),
            start: phrase.offset_in_ticks,
            end: phrase.offset_in_ticks + phrase.duration_in_ticks,
            text: reading.display,
        };
        segments.push((i, segment));
    }
    let turns = asr::turns(
        "recognizedPhrases",
        ("offsetInTicks", "offsetInTicks + durationInTicks"),
        Unit::Ticks,
        segments,
        options,
    )?;
    Ok(Transcript {
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
    fn reads_phrases_in_ticks_and_skips_unrecognised_ones() {
        let t = read(
            r#"{"source": "x.wav", "durationInTicks": 90000000, "recognizedPhrases": [
                {"recognitionStatus": "Success", "channel": 0, "speaker": 1, "offset": "PT0.5S",
                 "duration": "PT2S", "offsetInTicks": 5000000.0, "durationInTicks": 20000000.0,
                 "nBest": [{"confidence": 0.9, "lexical": "goedemorgen", "display": "Goedemorgen."}]},
                {"recognitionStatus": "NoMatch", "channel": 0, "offsetInTicks": 30000000, "durationInTicks": 1000},
                {"recognitionStatus": "Success", "channel": 0, "speaker": 2, "offsetInTicks": 31000000,
                 "durationInTicks": 9000000, "nBest": [{"display": "Hallo."}]}]}"#,
        )
        .unwrap();
        assert_eq!(t.turns.len(), 2);
        assert_eq!(
            (t.turns[0].start_ms, t.turns[0].end_ms),
            (Some(500), Some(2500))
        );
        assert_eq!(t.turns[1].speaker_label.as_deref(), Some("2"));
        assert_eq!(t.turns[1].text, "Hallo.");
    }

    #[test]
    fn missing_best_reading_is_an_error() {
        let err = read(
            r#"{"recognizedPhrases": [{"offsetInTicks": 0, "durationInTicks": 1, "nBest": []}]}"#,
        )
        .unwrap_err();
        assert!(
            err.message.contains("recognizedPhrases[0].nBest"),
            "{}",
            err.message
        );
    }
}
