//! What the subtitle formats (WebVTT, SRT) share: blocks separated by blank lines, the
//! `start --> end` timing line, stripping markup from cue text, a speaker written at the
//! start of the text (`Klant: ...`, `[Klant] ...`), and turning cues into turns.
//!
//! Subtitle files usually name the speaker only when it changes, so a cue without a
//! speaker continues the previous cue's speaker; a file that names nobody leaves every
//! turn's role unknown.

use super::plain::parse_timestamp;
use super::{InputError, ReadOptions};
use crate::transcript::{Role, Turn};
use regex::Regex;
use std::sync::LazyLock;

/// One block of non-blank lines, each with its 1-based line number.
pub(super) type Block<'a> = Vec<(usize, &'a str)>;

/// The blocks of `text` in order.
pub(super) fn blocks(text: &str) -> Vec<Block<'_>> {
    let mut blocks = Vec::new();
    let mut block = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            if !block.is_empty() {
                blocks.push(std::mem::take(&mut block));
            }
        } else {
            block.push((i + 1, line.trim_end()));
        }
    }
    if !block.is_empty() {
        blocks.push(block);
    }
    blocks
}

static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}$").expect("time regex is valid")
});

/// Whether `line` is meant as a timing line (it has the `-->` arrow).
pub(super) fn is_timing(line: &str) -> bool {
    line.contains("-->")
}

/// The start and end of a timing line `00:01:02.500 --> 00:01:04.000 [settings]`, in
/// milliseconds. The error says what is wrong, for the caller to locate.
pub(super) fn timing(line: &str) -> Result<(u64, u64), String> {
    let (start, rest) = line.split_once("-->").unwrap_or((line, ""));
    let end = rest.split_whitespace().next().unwrap_or("");
    let parse = |stamp: &str| {
        let stamp = stamp.trim();
        TIME.is_match(stamp)
            .then(|| parse_timestamp(stamp))
            .flatten()
            .ok_or_else(|| {
                format!(
                    "bad cue time `{stamp}` in `{}` (expected `00:01:02.500 --> 00:01:04.000`)",
                    line.trim()
                )
            })
    };
    let (start, end) = (parse(start)?, parse(end)?);
    if end < start {
        return Err(format!("cue ends ({end} ms) before it starts ({start} ms)"));
    }
    Ok((start, end))
}

static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<[^>]*>|\{\\[^}]*\}").expect("tag regex is valid"));

/// Cue text without markup (`<i>`, `<c.x>`, `<00:00:01.000>`, `{\an8}`) and with the
/// character references subtitle files use decoded.
pub(super) fn strip_markup(text: &str) -> String {
    let text = TAG.replace_all(text, "");
    let mut out = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&lrm;", "")
        .replace("&rlm;", "")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'");
    // Last, so `&amp;lt;` becomes `&lt;` and not `<`.
    out = out.replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

static PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(?:\[([^\]]{1,40})\]\s*:?|([\p{L}\p{N}][\p{L}\p{N}_.\-]*(?:[ \t]+[\p{L}\p{N}_.\-()]+){0,2})\s*:)(?:\s+|$)",
    )
    .expect("speaker prefix regex is valid")
});

/// A speaker written at the start of cue text: `[Klant] ...`, or `Name: ...` with at most
/// three words before the colon. A `name:` prefix counts only when it is a role label or
/// is capitalised like a name or id (`Sanne:`, `SPEAKER_00:`), so a sentence such as
/// "dus wat ik bedoel: ..." stays text. Returns the speaker and the rest of the text.
pub(super) fn speaker_prefix<'a>(
    text: &'a str,
    options: &ReadOptions,
) -> Option<(&'a str, &'a str)> {
    let caps = PREFIX.captures(text)?;
    let rest = &text[caps.get(0)?.end()..];
    if let Some(bracketed) = caps.get(1) {
        return Some((bracketed.as_str().trim(), rest));
    }
    let label = caps.get(2)?.as_str().trim();
    (super::name_like(label) || options.role_for_label(label) != Role::Unknown)
        .then_some((label, rest))
}

/// A cue as read: the line its block starts on, its times, the speaker it names (if any), its text.
pub(super) struct Cue {
    pub line: usize,
    pub span: (u64, u64),
    pub speaker: Option<String>,
    pub text: String,
}

impl Cue {
    /// A cue whose text may open with its speaker (`Klant: ...`, `[Klant] ...`).
    pub fn prefixed(line: usize, span: (u64, u64), text: String, options: &ReadOptions) -> Cue {
        let (speaker, text) = match speaker_prefix(&text, options) {
            Some((speaker, rest)) => (Some(speaker.to_string()), rest.to_string()),
            None => (None, text),
        };
        Cue {
            line,
            span,
            speaker,
            text,
        }
    }
}

/// A cue block as read: its timing line's number, its times and its text lines joined.
pub(super) struct Timed {
    pub timing_line: usize,
    pub span: (u64, u64),
    pub payload: String,
}

/// Reads a cue block whose timing line is its first line or follows a cue id or number.
/// `missing` is the error message for a block without one.
pub(super) fn timed(block: &Block<'_>, missing: &str) -> Result<Timed, InputError> {
    let Some(at) = block.iter().take(2).position(|(_, l)| is_timing(l)) else {
        let line = block.first().map_or(1, |(n, _)| *n);
        return Err(InputError::new("syntax", missing).at_line(line));
    };
    let (timing_line, line) = block[at];
    let span =
        timing(line).map_err(|message| InputError::new("syntax", message).at_line(timing_line))?;
    let payload = block[at + 1..]
        .iter()
        .map(|(_, l)| *l)
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Timed {
        timing_line,
        span,
        payload,
    })
}

/// Turns cues into turns: one each, a cue without a speaker continuing the previous one's.
pub(super) fn turns(cues: Vec<Cue>, options: &ReadOptions) -> Result<Vec<Turn>, InputError> {
    if cues.is_empty() {
        return Err(InputError::new("empty", "no cues found in the input"));
    }
    let mut previous: Option<String> = None;
    Ok(cues
        .into_iter()
        .map(|cue| {
            let speaker = cue.speaker.or_else(|| previous.clone());
            previous.clone_from(&speaker);
            Turn {
                speaker: speaker
                    .as_deref()
                    .map_or(Role::Unknown, |s| options.role_for_label(s)),
                speaker_label: speaker,
                start_ms: Some(cue.span.0),
                end_ms: Some(cue.span.1),
                text: cue.text,
                line: Some(cue.line),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timing_lines() {
        assert_eq!(
            timing("00:01:02.500 --> 00:01:04.000 align:start"),
            Ok((62_500, 64_000))
        );
        assert_eq!(timing("01:02.5 --> 01:04,000"), Ok((62_500, 64_000)));
        assert!(timing("00:01:02.500 -> 00:01:04.000").is_err());
        assert!(
            timing("00:01:04.000 --> 00:01:02.000")
                .unwrap_err()
                .contains("before")
        );
        assert!(timing("00:01:62 --> 00:01:64").is_err());
    }

    #[test]
    fn markup_and_prefixes() {
        assert_eq!(
            strip_markup("<i>Ja</i>, &amp; <c.loud>nee</c>&nbsp;hoor"),
            "Ja, & nee hoor"
        );
        let options = ReadOptions::default();
        assert_eq!(
            speaker_prefix("[Klant] Hallo", &options),
            Some(("Klant", "Hallo"))
        );
        assert_eq!(
            speaker_prefix("Sanne de Vries: Hallo", &options),
            Some(("Sanne de Vries", "Hallo"))
        );
        assert_eq!(
            speaker_prefix("klant: Hallo", &options),
            Some(("klant", "Hallo"))
        );
        assert_eq!(
            speaker_prefix("dus wat ik bedoel: het werkt niet", &options),
            None
        );
        assert_eq!(speaker_prefix("om 10:30 bel ik", &options), None);
    }
}
