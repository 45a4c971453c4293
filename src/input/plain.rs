//! Plain text transcripts: one turn per line, `[timestamp] Label: text`.
//!
//! The timestamp is optional (`[00:01:23]`, `[01:23]`, `00:01:23.250`). A line without a
//! label continues the previous turn; blank lines and lines starting with `#` are skipped.
//!
//! Labels are roles (`Medewerker`, `Klant`, `Agent (Sanne)`, `--agent-label` words) or,
//! in a file that has no role label at all, speaker names (`SPEAKER_00:`, `Piet:`, as
//! diarised speech-to-text exports them): those turns are left [`Role::Unknown`] with the
//! name, and [`crate::roles`] infers the agent, as for the JSON formats. A name must look
//! like one (capital or digit first), so "dus wat ik bedoel: ..." stays text. In a file
//! with role labels, a short `Word:` prefix that is not one is an error, never a guess.

use super::{InputError, ReadOptions, name_like};
use crate::transcript::{Role, Transcript, Turn};
use regex::Regex;
use std::sync::LazyLock;

static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:\[\s*((?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)\s*\]|((?:\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3}|\d{1,2}:\d{2}:\d{2}))\s*(?:-\s*)?")
        .expect("timestamp regex is valid")
});

/// What may stand before the colon of `Label:` or `Label (name):`: at most three words.
static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*[\p{L}][\p{L}\p{N}_.\-]*(?:[ \t]+[\p{L}\p{N}_.\-()]+){0,2}\s*$")
        .expect("label regex is valid")
});

/// Splits `Label: text` into the label and the offset of the text. A label cannot hold a
/// colon, so only the text before the first colon can be one; it must be followed by white
/// space or the end of the line.
fn split_label(line: &str) -> Option<(&str, usize)> {
    let colon = line.find(':')?;
    let after = line[colon + 1..].chars().next();
    if after.is_some_and(|c| !c.is_whitespace()) || !LABEL.is_match(&line[..colon]) {
        return None;
    }
    Some((
        line[..colon].trim(),
        colon + 1 + after.map_or(0, char::len_utf8),
    ))
}

/// A line's timestamp (if any) and the rest of the line after it.
fn split_timestamp(line: &str, line_no: usize) -> Result<(Option<u64>, &str), InputError> {
    // Only a line that starts with `[` or a digit can hold a timestamp.
    let stamped = line
        .trim_start()
        .starts_with(|c: char| c == '[' || c.is_ascii_digit());
    let Some(found) = stamped.then(|| TIMESTAMP.find(line)).flatten() else {
        return Ok((None, line));
    };
    // The match is `[ 00:01:23 ] -` or `00:01:23.250 `: the stamp is what the brackets,
    // dash and white space enclose.
    let stamp = found
        .as_str()
        .trim()
        .trim_end_matches('-')
        .trim_end()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim();
    let ms = parse_timestamp(stamp).ok_or_else(|| {
        InputError::new("syntax", format!("bad timestamp `{stamp}`")).at_line(line_no)
    })?;
    Ok((Some(ms), &line[found.end()..]))
}

/// The lines worth reading, with their 1-based numbers.
fn content_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim_end()))
        .filter(|(_, line)| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
}

pub(super) fn parse(text: &str, options: &ReadOptions) -> Result<Transcript, InputError> {
    // Speaker names are taken only where no line names a role: in a file with roles, an
    // unknown label is more likely a typo or a new role word than a third party.
    let names_speakers = !content_lines(text).any(|(line_no, line)| {
        split_timestamp(line, line_no)
            .ok()
            .and_then(|(_, rest)| split_label(rest))
            .is_some_and(|(label, _)| options.role_for_label(label) != Role::Unknown)
    });
    let mut transcript = Transcript::default();
    for (line_no, line) in content_lines(text) {
        let (start_ms, rest) = split_timestamp(line, line_no)?;
        // In a file of names, a `words:` prefix that is no name is text, not a label.
        let labelled = split_label(rest)
            .map(|(label, body_start)| (label, body_start, options.role_for_label(label)))
            .filter(|&(label, _, role)| {
                role != Role::Unknown || !names_speakers || name_like(label)
            });
        match labelled {
            Some((label, body_start, role)) => {
                if role == Role::Unknown && !names_speakers {
                    let column = line.len() - rest.len() + rest.find(label).unwrap_or(0) + 1;
                    return Err(InputError::new(
                        "speaker",
                        format!(
                            "unknown speaker label `{label}` (known: medewerker, agent, operator, \
                             servicedesk, helpdesk, support / klant, beller, customer, caller, \
                             client; add others with --agent-label or --customer-label; a file \
                             whose labels are all names, such as `SPEAKER_00:`, has its roles \
                             inferred)"
                        ),
                    )
                    .at_line(line_no)
                    .at_column(column));
                }
                transcript.turns.push(Turn {
                    speaker: role,
                    speaker_label: (role == Role::Unknown).then(|| label.to_string()),
                    start_ms,
                    end_ms: None,
                    text: rest[body_start..].trim().to_string(),
                    line: Some(line_no),
                });
            }
            None => {
                let Some(previous) = transcript.turns.last_mut() else {
                    return Err(InputError::new(
                        "speaker",
                        "line has no speaker label and there is no earlier turn to continue \
                         (expected `Label: text`, e.g. `Klant: ...`)",
                    )
                    .at_line(line_no));
                };
                if start_ms.is_some() {
                    return Err(InputError::new(
                        "speaker",
                        "timestamped line has no speaker label (expected `[00:01:23] Label: text`)",
                    )
                    .at_line(line_no));
                }
                if !previous.text.is_empty() {
                    previous.text.push(' ');
                }
                previous.text.push_str(rest.trim());
            }
        }
    }
    Ok(transcript)
}

/// `01:23`, `00:01:23`, `00:01:23.250` or `00:01:23,25` to milliseconds.
pub(super) fn parse_timestamp(stamp: &str) -> Option<u64> {
    let (clock, fraction) = match stamp.find(['.', ',']) {
        Some(pos) => (&stamp[..pos], &stamp[pos + 1..]),
        None => (stamp, ""),
    };
    let mut seconds: u64 = 0;
    for part in clock.split(':') {
        seconds = seconds.checked_mul(60)?.checked_add(part.parse().ok()?)?;
    }
    let millis = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<u64>().ok()? * 100,
        2 => fraction.parse::<u64>().ok()? * 10,
        _ => fraction.parse::<u64>().ok()?,
    };
    seconds.checked_mul(1000)?.checked_add(millis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::Speaker;

    fn read(text: &str) -> Result<Transcript, InputError> {
        parse(text, &ReadOptions::default())
    }

    #[test]
    fn reads_labels_timestamps_and_continuations() {
        let t = read(
            "[00:01:23] Medewerker: Goedemorgen.\n\n[01:30] KLANT: Hallo\nnog een regel\n00:02:05.250 Agent (Sanne): Ja.\n",
        )
        .unwrap();
        assert_eq!(t.turns.len(), 3);
        assert_eq!(t.turns[0].speaker, Speaker::Agent);
        assert_eq!(t.turns[0].start_ms, Some(83_000));
        assert_eq!(t.turns[1].speaker, Speaker::Customer);
        assert_eq!(t.turns[1].text, "Hallo nog een regel");
        assert_eq!(t.turns[1].start_ms, Some(90_000));
        assert_eq!(t.turns[2].start_ms, Some(125_250));
        assert_eq!(t.turns[2].line, Some(5));
    }

    #[test]
    fn unknown_label_is_located_error() {
        let err = read("Klant: hoi\nManager: wat is er\n").unwrap_err();
        assert_eq!(err.kind, "speaker");
        assert_eq!(err.line, Some(2));
        assert_eq!(err.column, Some(1));
        assert!(err.message.contains("`Manager`"), "{}", err.message);
    }

    #[test]
    fn a_file_of_names_leaves_roles_to_inference() {
        let t = read(
            "[00:00:01] SPEAKER_00: Goedemiddag, helpdesk.\nSPEAKER_01: Hoi, let op: mijn wifi\nis weg.\nPiet van Dam: Ik kijk mee.\ndus wat ik bedoel: het werkt niet\n",
        )
        .unwrap();
        let speakers: Vec<_> = t
            .turns
            .iter()
            .map(|t| (t.speaker, t.speaker_label.as_deref()))
            .collect();
        assert_eq!(
            speakers,
            [
                (Role::Unknown, Some("SPEAKER_00")),
                (Role::Unknown, Some("SPEAKER_01")),
                (Role::Unknown, Some("Piet van Dam")),
            ]
        );
        assert_eq!(t.turns[0].start_ms, Some(1_000));
        assert_eq!(t.turns[1].text, "Hoi, let op: mijn wifi is weg.");
        // Not name-like (lower case): text of the turn before, not a fourth speaker.
        assert_eq!(
            t.turns[2].text,
            "Ik kijk mee. dus wat ik bedoel: het werkt niet"
        );
    }

    #[test]
    fn names_beside_role_labels_are_errors() {
        let err = read("SPEAKER_00: hallo\nKlant: hoi\n").unwrap_err();
        assert_eq!((err.line, err.column), (Some(1), Some(1)));
        assert!(err.message.contains("`SPEAKER_00`"), "{}", err.message);
        assert!(err.message.contains("roles inferred"), "{}", err.message);
    }

    #[test]
    fn extra_labels_are_accepted() {
        let options = ReadOptions {
            agent_labels: vec!["Bram".into()],
            ..ReadOptions::default()
        };
        let t = parse("bram: hallo\nklant: hoi", &options).unwrap();
        assert_eq!(t.turns[0].speaker, Speaker::Agent);
    }

    #[test]
    fn first_line_without_label_is_error() {
        let err = read("zomaar wat tekst\n").unwrap_err();
        assert_eq!(err.line, Some(1));
    }

    #[test]
    fn long_colon_prefix_is_continuation_not_label() {
        let t = read("Klant: hoi\ndus wat ik eigenlijk bedoel: het werkt niet\n").unwrap();
        assert_eq!(t.turns.len(), 1);
    }
}
