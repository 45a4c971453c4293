//! What the speech-to-text readers share: deserialising a vendor document so that an
//! error names the path of the bad field, converting each vendor's time unit (seconds,
//! milliseconds, 100 ns ticks) to milliseconds, and building turns from speaker names.
//!
//! The vendor formats are not ours: their structs accept the documented fields and
//! ignore any others the vendor adds, but a missing required field or a wrong type is an
//! [`InputError`] naming the field (`segments[3].end`).

use super::{InputError, ReadOptions};
use crate::transcript::{Role, Transcript, Turn};
use serde::de::DeserializeOwned;
use unicode_segmentation::UnicodeSegmentation;

/// No support call lasts a day: a time past that means a wrong unit (milliseconds where
/// seconds belong, ticks where milliseconds belong), which is reported, not analysed.
const MAX_MS: f64 = 24.0 * 3600.0 * 1000.0;

/// Names the format at the start of an error's message, so an error from a forced or
/// mis-detected format says which reading failed: `Whisper transcript: segments[1]: ...`.
pub(super) fn in_format(format: &'static str) -> impl Fn(InputError) -> InputError {
    move |mut error| {
        error.message = format!("{format} transcript: {}", error.message);
        error
    }
}

/// Deserialises a whole vendor document.
pub(super) fn document<T: DeserializeOwned>(text: &str) -> Result<T, InputError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let doc = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| (e.path().to_string(), e.into_inner()))
        .and_then(|doc| de.end().map(|()| doc).map_err(|e| (".".to_string(), e)));
    doc.map_err(|(path, inner)| {
        let kind = match inner.classify() {
            serde_json::error::Category::Data => "field",
            _ => "syntax",
        };
        // serde_json ends its message with the position, which the error carries anyway.
        let message = inner.to_string();
        let position = format!(" at line {} column {}", inner.line(), inner.column());
        let message = message.strip_suffix(&position).unwrap_or(&message);
        let message = if path == "." {
            message.to_string()
        } else {
            format!("{path}: {message}")
        };
        let error = InputError::new(kind, message);
        if inner.line() > 0 {
            error.at_line(inner.line()).at_column(inner.column())
        } else {
            error
        }
    })
}

/// The unit a vendor gives times in, and how many of it make a millisecond.
#[derive(Debug, Clone, Copy)]
pub(super) enum Unit {
    Seconds,
    Millis,
    /// 100 ns, as .NET and Azure count.
    Ticks,
}

impl Unit {
    fn name(self) -> &'static str {
        match self {
            Unit::Seconds => "seconds",
            Unit::Millis => "milliseconds",
            Unit::Ticks => "100 ns ticks",
        }
    }

    fn to_ms(self, value: f64) -> f64 {
        match self {
            Unit::Seconds => value * 1000.0,
            Unit::Millis => value,
            Unit::Ticks => value / 10_000.0,
        }
    }
}

/// One time value in milliseconds; `field` names it in the error.
pub(super) fn millis(value: f64, unit: Unit, field: &str) -> Result<u64, InputError> {
    if !value.is_finite() || value < 0.0 {
        return Err(InputError::new(
            "field",
            format!(
                "{field} is {value}: expected a time of 0 or more {}",
                unit.name()
            ),
        ));
    }
    let ms = unit.to_ms(value).round();
    if ms > MAX_MS {
        return Err(InputError::new(
            "field",
            format!(
                "{field} is {value} {}, more than 24 hours into the call: is the unit right?",
                unit.name()
            ),
        ));
    }
    // In range and rounded, so the cast is exact.
    Ok(ms as u64)
}

/// A segment's start and end in milliseconds. `segment` names the segment
/// (`segments[3]`), the pairs give each time's field name and value.
pub(super) fn span(
    segment: &str,
    (start_name, start): (&str, f64),
    (end_name, end): (&str, f64),
    unit: Unit,
) -> Result<(u64, u64), InputError> {
    let start_ms = millis(start, unit, &format!("{segment}.{start_name}"))?;
    let end_ms = millis(end, unit, &format!("{segment}.{end_name}"))?;
    if end_ms < start_ms {
        return Err(InputError::new(
            "field",
            format!("{segment} ends ({end_ms} ms) before it starts ({start_ms} ms)"),
        ));
    }
    Ok((start_ms, end_ms))
}

/// The name of a speaker a vendor numbers: the diarised `speaker`, or else the recording
/// channel when there is more than one (stereo call recordings put each party on its own).
pub(super) fn numbered_speaker(
    speaker: Option<u32>,
    channel: Option<u32>,
    multichannel: bool,
) -> Option<String> {
    match (speaker, channel) {
        (Some(speaker), _) => Some(speaker.to_string()),
        (None, Some(channel)) if multichannel => Some(format!("channel {channel}")),
        _ => None,
    }
}

/// Whether the channels used number more than one.
pub(super) fn multichannel(channels: impl Iterator<Item = Option<u32>>) -> bool {
    let mut seen = channels.flatten();
    let first = seen.next();
    seen.any(|c| Some(c) != first)
}

/// One segment as a vendor gives it: who (as named), when (in the vendor's unit), what.
pub(super) struct Segment {
    pub speaker: Option<String>,
    pub start: f64,
    pub end: f64,
    pub text: String,
}

/// The turns of a vendor's list of segments, one each in order, times converted and
/// checked. Each segment comes with its index in the list; `list` names the list
/// (`segments`) and `names` its start and end fields, for errors.
pub(super) fn turns(
    list: &str,
    names: (&str, &str),
    unit: Unit,
    segments: impl IntoIterator<Item = (usize, Segment)>,
    options: &ReadOptions,
) -> Result<Vec<Turn>, InputError> {
    let turns = segments
        .into_iter()
        .map(|(i, s)| {
            let span = span(
                &format!("{list}[{i}]"),
                (names.0, s.start),
                (names.1, s.end),
                unit,
            )?;
            Ok(turn(s.speaker, span, &s.text, options))
        })
        .collect::<Result<Vec<_>, InputError>>()?;
    if turns.is_empty() {
        return Err(no_turns(list));
    }
    plausible_rate(&turns, unit, list)?;
    Ok(turns)
}

/// A vendor transcript: its turns, its id, and the language it reports (kept as the
/// `language` metadata field, so summaries can group by it).
pub(super) fn transcript(
    id: Option<String>,
    turns: Vec<Turn>,
    language: Option<String>,
) -> Transcript {
    let mut transcript = Transcript {
        id,
        turns,
        ..Transcript::default()
    };
    if let Some(language) = language {
        transcript
            .metadata
            .insert("language".into(), language.into());
    }
    transcript
}

/// A timed turn spoken by `speaker` as the input names them (`None`: the input names no
/// speaker). A name that is a known role label gives the role; any other is kept for
/// role inference.
pub(super) fn turn(
    speaker: Option<String>,
    (start_ms, end_ms): (u64, u64),
    text: &str,
    options: &ReadOptions,
) -> Turn {
    let label = speaker
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    Turn {
        speaker: label
            .as_deref()
            .map_or(Role::Unknown, |l| options.role_for_label(l)),
        speaker_label: label,
        start_ms: Some(start_ms),
        end_ms: Some(end_ms),
        text: text.trim().to_string(),
        line: None,
    }
}

/// Checks that the call's speaking rate is one people can have. Times in the wrong unit
/// (milliseconds read as seconds, ticks as milliseconds) are off by a factor of a
/// thousand or more; a single value need not show it (a short call's milliseconds read as
/// seconds stay under a day), but the rate does. Needs enough words to judge; `segments`
/// names the list in the error.
pub(super) fn plausible_rate(turns: &[Turn], unit: Unit, segments: &str) -> Result<(), InputError> {
    let words: usize = turns.iter().map(|t| t.text.unicode_words().count()).sum();
    let talk_ms: u64 = turns
        .iter()
        .filter_map(|t| Some(t.end_ms?.saturating_sub(t.start_ms?)))
        .sum();
    if words < 20 || talk_ms == 0 {
        return Ok(());
    }
    let per_minute = words as f64 * 60_000.0 / talk_ms as f64;
    if (MIN_WORDS_PER_MINUTE..=MAX_WORDS_PER_MINUTE).contains(&per_minute) {
        return Ok(());
    }
    Err(InputError::new(
        "field",
        format!(
            "{segments}: {words} words in {:.1} minutes of speech is {per_minute:.1} words per \
             minute, not a speaking rate: are the times really in {}?",
            talk_ms as f64 / 60_000.0,
            unit.name()
        ),
    ))
}

/// Slower than this, even with pauses inside segments, is not speech.
const MIN_WORDS_PER_MINUTE: f64 = 20.0;
/// Faster than this is not speech either (fast speech is about 300).
const MAX_WORDS_PER_MINUTE: f64 = 1000.0;

/// An error for a document that parsed but holds no segment at all.
pub(super) fn no_turns(field: &str) -> InputError {
    InputError::new("empty", format!("{field} is empty: no turns to analyse"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_units_and_rejects_implausible_times() {
        assert_eq!(millis(1.5, Unit::Seconds, "x"), Ok(1500));
        assert_eq!(millis(15_000_000.0, Unit::Ticks, "x"), Ok(1500));
        assert_eq!(millis(1500.0, Unit::Millis, "x"), Ok(1500));
        let err = millis(90_000_000.0, Unit::Seconds, "segments[0].start").unwrap_err();
        assert!(err.message.contains("segments[0].start"), "{}", err.message);
        assert!(err.message.contains("unit"), "{}", err.message);
        assert!(millis(-1.0, Unit::Seconds, "x").is_err());
        assert!(millis(f64::NAN, Unit::Seconds, "x").is_err());
        let err = span("segments[2]", ("start", 2.0), ("end", 1.0), Unit::Seconds).unwrap_err();
        assert!(
            err.message.starts_with("segments[2] ends"),
            "{}",
            err.message
        );
    }
}
