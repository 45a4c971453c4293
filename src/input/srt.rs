//! SubRip (SRT) subtitles: numbered cues, each a number line, a timing line
//! `00:00:01,000 --> 00:00:04,000` and its text. The speaker is written at the start of
//! the text: `Medewerker: ...` or `[Klant] ...`. Each cue is one turn.

use super::cue::{self, Cue};
use super::{InputError, ReadOptions};
use crate::transcript::Transcript;

/// Whether `text` opens like an SRT file: a cue number line followed by a valid timing
/// line, or a valid timing line straight away.
pub(super) fn looks_like_srt(text: &str) -> bool {
    let timing = |line: &str| cue::timing(line).is_ok();
    let mut lines = text.lines().map(str::trim);
    match lines.next() {
        Some(first) if timing(first) => true,
        Some(first) if !first.is_empty() && first.bytes().all(|b| b.is_ascii_digit()) => {
            lines.next().is_some_and(timing)
        }
        _ => false,
    }
}

pub(super) fn parse(text: &str, options: &ReadOptions) -> Result<Transcript, InputError> {
    let mut cues = Vec::new();
    for block in cue::blocks(text.trim_start_matches('\u{feff}')) {
        let cue = cue::timed(
            &block,
            "expected a cue: a number line, then a timing line `00:00:01,000 --> 00:00:04,000`",
        )?;
        let text = cue::strip_markup(&cue.payload);
        cues.push(Cue::prefixed(block[0].0, cue.span, text, options));
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
    fn reads_cues_with_prefixed_and_continued_speakers() {
        let t = read(
            "1\n00:00:01,000 --> 00:00:04,000\nMedewerker: Goedemorgen,\nwaarmee kan ik u helpen?\n\n2\n00:00:04,500 --> 00:00:07,000\n[Klant] Mijn <i>printer</i> doet het niet.\n\n3\n00:00:07,000 --> 00:00:08,000\nAl sinds gisteren.\n",
        )
        .unwrap();
        assert_eq!(t.turns.len(), 3);
        assert_eq!(t.turns[0].speaker, Role::Agent);
        assert_eq!(t.turns[0].text, "Goedemorgen, waarmee kan ik u helpen?");
        assert_eq!(t.turns[1].speaker, Role::Customer);
        assert_eq!(t.turns[1].text, "Mijn printer doet het niet.");
        assert_eq!(t.turns[2].speaker, Role::Customer);
        assert_eq!(t.turns[2].line, Some(10));
        assert!(looks_like_srt("1\n00:00:01,000 --> 00:00:04,000\nx"));
        assert!(!looks_like_srt("[00:00:01] Klant: x"));
    }

    #[test]
    fn errors_are_located() {
        let err = read("1\n00:00:01,000 --> 00:00:04,000\nx\n\n2\nhallo\n").unwrap_err();
        assert_eq!(err.line, Some(5));
        let err = read("1\n00:00:01,000 --> 00:00:0x,000\nx\n").unwrap_err();
        assert_eq!(err.line, Some(2));
    }
}
