//! The callqa JSON transcript: `{"id", "metadata", "turns": [{"speaker", "start_ms",
//! "end_ms", "text"}]}`. Parsed with serde; unknown fields in a turn are rejected so a
//! typo (`start` for `start_ms`) is reported instead of silently read as "no time".

use super::InputError;
use crate::transcript::{Speaker, Transcript, Turn};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonTranscript {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    metadata: serde_json::Map<String, serde_json::Value>,
    turns: Vec<JsonTurn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonTurn {
    speaker: String,
    #[serde(default)]
    start_ms: Option<u64>,
    #[serde(default)]
    end_ms: Option<u64>,
    text: String,
}

pub(super) fn parse(text: &str) -> Result<Transcript, InputError> {
    let doc: JsonTranscript = serde_json::from_str(text).map_err(|e| {
        InputError::new("syntax", format!("invalid callqa JSON transcript: {e}"))
            .at_line(e.line())
            .at_column(e.column())
    })?;
    let mut turns = Vec::with_capacity(doc.turns.len());
    for (index, turn) in doc.turns.into_iter().enumerate() {
        let speaker = match turn.speaker.to_ascii_lowercase().as_str() {
            "agent" => Speaker::Agent,
            "customer" => Speaker::Customer,
            other => {
                return Err(InputError::new(
                    "speaker",
                    format!(
                        "turns[{index}].speaker is `{other}`: expected \"agent\" or \"customer\""
                    ),
                ));
            }
        };
        if let (Some(start), Some(end)) = (turn.start_ms, turn.end_ms)
            && end < start
        {
            return Err(InputError::new(
                "field",
                format!("turns[{index}] ends ({end} ms) before it starts ({start} ms)"),
            ));
        }
        turns.push(Turn {
            speaker: speaker.into(),
            speaker_label: None,
            start_ms: turn.start_ms,
            end_ms: turn.end_ms,
            text: turn.text,
            line: None,
        });
    }
    Ok(Transcript {
        id: doc.id,
        metadata: doc.metadata,
        turns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_turns_and_metadata() {
        let t = parse(
            r#"{"id":"c1","metadata":{"agent_id":"a7"},"turns":[
                {"speaker":"agent","start_ms":0,"end_ms":5200,"text":"Goedemorgen"},
                {"speaker":"customer","text":"Hallo"}]}"#,
        )
        .unwrap();
        assert_eq!(t.id.as_deref(), Some("c1"));
        assert_eq!(t.metadata["agent_id"], "a7");
        assert_eq!(t.turns[0].end_ms, Some(5200));
        assert_eq!(t.turns[1].speaker, Speaker::Customer);
        assert_eq!(t.turns[1].start_ms, None);
    }

    #[test]
    fn bad_speaker_and_typo_fields_are_errors() {
        let err = parse(r#"{"turns":[{"speaker":"bot","text":"x"}]}"#).unwrap_err();
        assert!(err.message.contains("turns[0].speaker"), "{}", err.message);
        let err = parse(r#"{"turns":[{"speaker":"agent","start":1,"text":"x"}]}"#).unwrap_err();
        assert!(
            err.message.contains("unknown field `start`"),
            "{}",
            err.message
        );
        assert_eq!(err.line, Some(1));
    }
}
