//! WebVTT, as Teams and Zoom export meeting transcripts. The file opens with `WEBVTT`;
//! each cue is an optional id line, a timing line `00:00:01.000 --> 00:00:04.500` and its
//! text. The speaker is the cue's voice tag (`<v Sanne de Vries>`, `<v.loud Sanne>`, as
//! Teams writes it) or a `Name:` prefix (as Zoom writes it). `NOTE`, `STYLE` and `REGION`
//! blocks are skipped. Cues may overlap; each cue is one turn.

use super::cue::{self, Cue};
use super::{InputError, ReadOptions};
use crate::transcript::Transcript;
use regex::Regex;
use std::sync::LazyLock;

/// Whether `text` (leading white space and BOM removed) opens with the WebVTT header.
pub(super) fn has_header(text: &str) -> bool {
    text.strip_prefix("WEBVTT")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\n', '\r']))
}

static VOICE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>").expect("voice regex is valid"));

pub(super) fn parse(text: &str, options: &ReadOptions) -> Result<Transcript, InputError> {
    let blocks = cue::blocks(text);
    let header_ok = blocks
        .first()
        .and_then(|b| b.first())
        .is_some_and(|(_, line)| has_header(line.trim_start_matches('\u{feff}').trim_start()));
    if !header_ok {
        let line = blocks
            .first()
            .and_then(|b| b.first())
            .map_or(1, |(n, _)| *n);
        return Err(
            InputError::new("syntax", "a WebVTT file must start with `WEBVTT`").at_line(line),
        );
    }
    let mut cues = Vec::new();
    for block in blocks.iter().skip(1) {
        let (_, first) = block[0];
        let keyword = first.split_whitespace().next().unwrap_or("");
        if matches!(keyword, "NOTE" | "STYLE" | "REGION") && !cue::is_timing(first) {
            continue;
        }
        let cue = cue::timed(
            block,
            "cue has no timing line (expected `00:00:01.000 --> 00:00:04.500`)",
        )?;
        let voices: Vec<&str> = VOICE
            .captures_iter(&cue.payload)
            .filter_map(|c| c.get(1))
            .map(|m| m.as_str().trim())
            .collect();
        if let Some(other) = voices.iter().find(|v| **v != voices[0]) {
            return Err(InputError::new(
                "speaker",
                format!(
                    "cue has more than one voice (`{}` and `{other}`): callqa reads one speaker per cue",
                    voices[0]
                ),
            )
            .at_line(cue.timing_line));
        }
        let text = cue::strip_markup(&cue.payload);
        cues.push(match voices.first() {
            Some(voice) => Cue {
                line: block[0].0,
                span: cue.span,
                speaker: Some(voice.to_string()),
                text,
            },
            None => Cue::prefixed(block[0].0, cue.span, text, options),
        });
    }
    Ok(Transcript {
        turns: cue::turns(cues, options)?,
        ..Transcript::default()
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
    fn reads_voices_prefixes_and_skips_notes() {
        let t = read(
            "WEBVTT - Teams\n\nNOTE export\n\n1a2b/3-0\n00:00:01.000 --> 00:00:04.500\n<v Sanne de Vries>Goedemorgen,</v>\n<v Sanne de Vries>met Sanne.</v>\n\n00:00:04.000 --> 00:00:06.000\n<v.loud Klant>Hallo &amp; goedemorgen.</v>\n\n00:06.500 --> 00:08.000\nBram: Ja.\n",
        )
        .unwrap();
        assert_eq!(t.turns.len(), 3);
        assert_eq!(t.turns[0].text, "Goedemorgen, met Sanne.");
        assert_eq!(t.turns[0].speaker_label.as_deref(), Some("Sanne de Vries"));
        assert_eq!(t.turns[0].speaker, Role::Unknown);
        assert_eq!(t.turns[0].line, Some(5));
        assert_eq!(t.turns[1].speaker, Role::Customer);
        assert_eq!(t.turns[1].text, "Hallo & goedemorgen.");
        assert_eq!(t.turns[1].start_ms, Some(4000));
        assert_eq!(t.turns[2].speaker_label.as_deref(), Some("Bram"));
        assert_eq!(t.turns[2].text, "Ja.");
    }

    #[test]
    fn errors_are_located() {
        let err = read("WEBVTT\n\n00:00:01.000 -> 00:00:02.000\n<v A>x\n").unwrap_err();
        assert_eq!((err.kind, err.line), ("syntax", Some(3)));
        let err = read("WEBVTT\n\n00:00:03.000 --> 00:00:02.000\n<v A>x\n").unwrap_err();
        assert!(err.message.contains("before it starts"), "{}", err.message);
        let err = read("Hallo\n\n00:00:01.000 --> 00:00:02.000\nx\n").unwrap_err();
        assert_eq!(err.line, Some(1));
        let err = read("WEBVTT\n\n").unwrap_err();
        assert_eq!(err.kind, "empty");
    }
}
