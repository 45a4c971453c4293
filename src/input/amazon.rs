//! Amazon Transcribe output, both kinds:
//!
//! - Call Analytics (post-call): `Transcript[]`, one segment per turn, with
//!   `ParticipantRole` AGENT or CUSTOMER, `BeginOffsetMillis`, `EndOffsetMillis`, `Content`.
//! - Standard transcription: `results.items[]`, one word or punctuation mark each, with
//!   `start_time`/`end_time` as decimal strings of seconds. Speakers come from the item's
//!   own `speaker_label` or from `results.speaker_labels.segments[].items[]` (matched on
//!   `start_time`), or from channel identification (`results.channel_labels`). Words are
//!   grouped into one turn per run of the same speaker.

use super::asr::{self, Unit};
use super::{InputError, ReadOptions};
use crate::transcript::{Transcript, Turn};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize)]
struct Document {
    #[serde(rename = "Transcript", default)]
    call_analytics: Option<Vec<Segment>>,
    #[serde(rename = "JobName", default)]
    analytics_job_name: Option<String>,
    #[serde(rename = "jobName", default)]
    job_name: Option<String>,
    #[serde(default)]
    results: Option<Results>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Segment {
    participant_role: String,
    begin_offset_millis: u64,
    end_offset_millis: u64,
    content: String,
}

#[derive(Deserialize)]
struct Results {
    items: Vec<Item>,
    #[serde(default)]
    speaker_labels: Option<SpeakerLabels>,
    #[serde(default)]
    channel_labels: Option<ChannelLabels>,
}

#[derive(Deserialize)]
struct Item {
    #[serde(rename = "type")]
    kind: String,
    alternatives: Vec<Alternative>,
    #[serde(default)]
    start_time: Option<String>,
    #[serde(default)]
    end_time: Option<String>,
    #[serde(default)]
    speaker_label: Option<String>,
    #[serde(default)]
    channel_label: Option<String>,
}

#[derive(Deserialize)]
struct Alternative {
    content: String,
}

#[derive(Deserialize)]
struct SpeakerLabels {
    segments: Vec<SpeakerSegment>,
}

#[derive(Deserialize)]
struct SpeakerSegment {
    #[serde(default)]
    items: Vec<LabelledTime>,
}

#[derive(Deserialize)]
struct LabelledTime {
    start_time: String,
    speaker_label: String,
}

#[derive(Deserialize)]
struct ChannelLabels {
    channels: Vec<Channel>,
}

#[derive(Deserialize)]
struct Channel {
    channel_label: String,
    #[serde(default)]
    items: Vec<ChannelItem>,
}

#[derive(Deserialize)]
struct ChannelItem {
    #[serde(default)]
    start_time: Option<String>,
}

pub(super) fn parse(text: &str, options: &ReadOptions) -> Result<Transcript, InputError> {
    read(text, options).map_err(asr::in_format("Amazon Transcribe"))
}

fn read(text: &str, options: &ReadOptions) -> Result<Transcript, InputError> {
    let doc: Document = asr::document(text)?;
    let mut transcript = Transcript {
        id: doc.analytics_job_name.or(doc.job_name),
        ..Transcript::default()
    };
    transcript.turns = match (doc.call_analytics, doc.results) {
        (Some(segments), _) => call_analytics(segments, options)?,
        (None, Some(results)) => {
            let turns = standard(results, options)?;
            asr::plausible_rate(&turns, Unit::Seconds, "results.items")?;
            turns
        }
        (None, None) => {
            return Err(InputError::new(
                "field",
                "expected `Transcript` (Call Analytics) or \
                 `results` (standard transcription)",
            ));
        }
    };
    Ok(transcript)
}

fn call_analytics(segments: Vec<Segment>, options: &ReadOptions) -> Result<Vec<Turn>, InputError> {
    let mut checked = Vec::with_capacity(segments.len());
    for (i, s) in segments.into_iter().enumerate() {
        if !matches!(s.participant_role.as_str(), "AGENT" | "CUSTOMER") {
            return Err(InputError::new(
                "speaker",
                format!(
                    "Transcript[{i}].ParticipantRole is `{}`: expected AGENT or CUSTOMER",
                    s.participant_role
                ),
            ));
        }
        let segment = asr::Segment {
            speaker: Some(s.participant_role),
            start: s.begin_offset_millis as f64,
            end: s.end_offset_millis as f64,
            text: s.content,
        };
        checked.push((i, segment));
    }
    asr::turns(
        "Transcript",
        ("BeginOffsetMillis", "EndOffsetMillis"),
        Unit::Millis,
        checked,
        options,
    )
}

/// Groups the words of a standard transcription into turns at each change of speaker.
fn standard(results: Results, options: &ReadOptions) -> Result<Vec<Turn>, InputError> {
    let mut speaker_at: HashMap<String, String> = HashMap::new();
    for segment in results.speaker_labels.iter().flat_map(|l| &l.segments) {
        for item in &segment.items {
            speaker_at.insert(item.start_time.clone(), item.speaker_label.clone());
        }
    }
    for channel in results.channel_labels.iter().flat_map(|c| &c.channels) {
        for item in &channel.items {
            if let Some(start) = &item.start_time {
                speaker_at.insert(start.clone(), channel.channel_label.clone());
            }
        }
    }
    let labelled_items = results
        .items
        .iter()
        .any(|i| i.speaker_label.is_some() || i.channel_label.is_some());
    if speaker_at.is_empty() && !labelled_items {
        return Err(InputError::new(
            "field",
            "results.speaker_labels is missing: request the \
             transcription with ShowSpeakerLabels (or ChannelIdentification) so the call can \
             be split into speaker turns",
        ));
    }
    let mut turns: Vec<Turn> = Vec::new();
    let mut current: Option<String> = None;
    for (i, item) in results.items.into_iter().enumerate() {
        let field = format!("results.items[{i}]");
        let content = item.alternatives.first().map(|a| a.content.as_str());
        let Some(content) = content else {
            return Err(InputError::new(
                "field",
                format!("{field}.alternatives is empty"),
            ));
        };
        match item.kind.as_str() {
            "pronunciation" => {
                let start = seconds(item.start_time.as_deref(), &field, "start_time")?;
                let end = seconds(item.end_time.as_deref(), &field, "end_time")?;
                let span = asr::span(
                    &field,
                    ("start_time", start),
                    ("end_time", end),
                    Unit::Seconds,
                )?;
                let speaker = item
                    .speaker_label
                    .or(item.channel_label)
                    .or_else(|| {
                        item.start_time
                            .as_ref()
                            .and_then(|t| speaker_at.get(t).cloned())
                    })
                    .or_else(|| current.clone());
                match turns.last_mut() {
                    Some(turn) if speaker == current => {
                        turn.text.push(' ');
                        turn.text.push_str(content);
                        turn.end_ms = turn.end_ms.max(Some(span.1));
                    }
                    _ => {
                        turns.push(asr::turn(speaker.clone(), span, content, options));
                        current = speaker;
                    }
                }
            }
            "punctuation" => {
                if let Some(turn) = turns.last_mut() {
                    turn.text.push_str(content);
                }
            }
            // Later additions to the format carry no words of the call.
            _ => {}
        }
    }
    if turns.is_empty() {
        return Err(asr::no_turns("results.items"));
    }
    Ok(turns)
}

/// A required time of a word, a decimal string of seconds (`"12.34"`).
fn seconds(value: Option<&str>, item: &str, name: &str) -> Result<f64, InputError> {
    let value =
        value.ok_or_else(|| InputError::new("field", format!("{item}: missing field `{name}`")))?;
    value.trim().parse().map_err(|_| {
        InputError::new(
            "field",
            format!(
                "{item}.{name} is `{value}`: expected seconds as a \
                 decimal string such as \"12.34\""
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::Role;

    fn read(text: &str) -> Result<Transcript, InputError> {
        parse(text, &ReadOptions::default())
    }

    #[test]
    fn reads_call_analytics_roles() {
        let t = read(
            r#"{"JobName": "job-1", "Transcript": [
                {"Id": "a", "ParticipantRole": "AGENT", "BeginOffsetMillis": 100, "EndOffsetMillis": 2500,
                 "Content": "Goedemorgen.", "Sentiment": "NEUTRAL", "LoudnessScores": [70.1]},
                {"ParticipantRole": "CUSTOMER", "BeginOffsetMillis": 2600, "EndOffsetMillis": 4000, "Content": "Hoi."}]}"#,
        )
        .unwrap();
        assert_eq!(t.id.as_deref(), Some("job-1"));
        assert_eq!(t.turns[0].speaker, Role::Agent);
        assert_eq!(t.turns[1].speaker, Role::Customer);
        let err = read(r#"{"Transcript": [{"ParticipantRole": "BOT", "BeginOffsetMillis": 0, "EndOffsetMillis": 1, "Content": "x"}]}"#)
            .unwrap_err();
        assert!(
            err.message.contains("Transcript[0].ParticipantRole"),
            "{}",
            err.message
        );
    }

    #[test]
    fn groups_standard_items_by_speaker() {
        let t = read(
            r#"{"jobName": "j", "status": "COMPLETED", "results": {
                "transcripts": [{"transcript": "Goedemorgen, met Sanne. Hallo."}],
                "speaker_labels": {"speakers": 2, "segments": [
                  {"start_time": "0.1", "end_time": "1.5", "speaker_label": "spk_0", "items": [
                    {"start_time": "0.1", "end_time": "0.8", "speaker_label": "spk_0"},
                    {"start_time": "0.9", "end_time": "1.2", "speaker_label": "spk_0"},
                    {"start_time": "1.2", "end_time": "1.5", "speaker_label": "spk_0"}]},
                  {"start_time": "2.0", "end_time": "2.5", "speaker_label": "spk_1", "items": [
                    {"start_time": "2.0", "end_time": "2.5", "speaker_label": "spk_1"}]}]},
                "items": [
                  {"start_time": "0.1", "end_time": "0.8", "alternatives": [{"confidence": "0.99", "content": "Goedemorgen"}], "type": "pronunciation"},
                  {"alternatives": [{"confidence": "0.0", "content": ","}], "type": "punctuation"},
                  {"start_time": "0.9", "end_time": "1.2", "alternatives": [{"content": "met"}], "type": "pronunciation"},
                  {"start_time": "1.2", "end_time": "1.5", "alternatives": [{"content": "Sanne"}], "type": "pronunciation"},
                  {"alternatives": [{"content": "."}], "type": "punctuation"},
                  {"start_time": "2.0", "end_time": "2.5", "alternatives": [{"content": "Hallo"}], "type": "pronunciation"},
                  {"alternatives": [{"content": "."}], "type": "punctuation"}]}}"#,
        )
        .unwrap();
        assert_eq!(t.turns.len(), 2);
        assert_eq!(t.turns[0].text, "Goedemorgen, met Sanne.");
        assert_eq!(
            (t.turns[0].start_ms, t.turns[0].end_ms),
            (Some(100), Some(1500))
        );
        assert_eq!(t.turns[1].speaker_label.as_deref(), Some("spk_1"));
    }

    #[test]
    fn numbers_where_strings_belong_and_missing_labels_are_errors() {
        let err = read(
            r#"{"results": {"speaker_labels": {"segments": []}, "items": [
                {"start_time": 0.1, "end_time": "0.8", "alternatives": [{"content": "a"}], "type": "pronunciation", "speaker_label": "spk_0"}]}}"#,
        )
        .unwrap_err();
        assert!(
            err.message
                .contains("results.items[0].start_time: invalid type: floating point"),
            "{}",
            err.message
        );
        let err = read(r#"{"results": {"items": [{"start_time": "0.1", "end_time": "0.8", "alternatives": [{"content": "a"}], "type": "pronunciation"}]}}"#)
            .unwrap_err();
        assert!(err.message.contains("ShowSpeakerLabels"), "{}", err.message);
    }
}
