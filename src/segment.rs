//! Splits a turn into utterances and tells questions from statements.
//!
//! Boundaries come from Unicode sentence segmentation (UAX #29). ASR text often has no
//! punctuation at all, so an utterance without final punctuation gets its mood from cues
//! in the normalised text instead: a leading question word, a finite verb followed by a
//! subject ("heeft u", "werkt het"), or a closing tag question ("..., toch").

use std::collections::HashSet;
use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

/// How an utterance ends in the original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terminal {
    Question,
    Statement,
    /// No final punctuation: typical of ASR output.
    Unpunctuated,
}

/// Byte ranges of the utterances of `text`, with how each ends. Empty-only pieces (white
/// space) are skipped; every non-blank byte belongs to exactly one utterance.
pub fn utterances(text: &str, out: &mut Vec<(Range<usize>, Terminal)>) {
    out.clear();
    for (start, sentence) in text.split_sentence_bound_indices() {
        let trimmed = sentence.trim_end();
        let lead = sentence.len() - sentence.trim_start().len();
        if trimmed.trim().is_empty() {
            continue;
        }
        let terminal = terminal_of(trimmed);
        out.push((start + lead..start + trimmed.len(), terminal));
    }
}

fn terminal_of(sentence: &str) -> Terminal {
    let last = sentence
        .chars()
        .rev()
        .find(|c| !matches!(c, '"' | '\'' | '\u{201d}' | '\u{2019}' | ')' | ']' | '»'));
    match last {
        Some('?' | '\u{ff1f}') => Terminal::Question,
        Some('.' | '!' | '\u{2026}' | ';') => Terminal::Statement,
        _ => Terminal::Unpunctuated,
    }
}

/// The word lists that mark an unpunctuated utterance as a question.
#[derive(Debug, Clone, Default)]
pub struct QuestionCues {
    pub words: HashSet<String>,
    pub verbs: HashSet<String>,
    pub subjects: HashSet<String>,
    /// Folded and padded, e.g. `" klopt dat "`; matched at the end of the utterance.
    pub tags: Vec<String>,
}

impl QuestionCues {
    /// Whether the normalised text opens a question: a question word,
    /// or a finite verb followed by a subject.
    pub fn opens_question(&self, normalised: &str) -> bool {
        let mut tokens = normalised.split(' ').filter(|t| !t.is_empty());
        let Some(first) = tokens.next() else {
            return false;
        };
        self.words.contains(first)
            || (self.verbs.contains(first)
                && tokens.next().is_some_and(|s| self.subjects.contains(s)))
    }

    /// Whether the padded normalised utterance ends in a tag question.
    pub fn ends_in_tag(&self, padded: &str) -> bool {
        self.tags.iter().any(|tag| padded.ends_with(tag.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<(&str, Terminal)> {
        let mut out = Vec::new();
        utterances(text, &mut out);
        out.into_iter().map(|(r, t)| (&text[r], t)).collect()
    }

    #[test]
    fn splits_sentences_with_terminals() {
        assert_eq!(
            split("Goedemorgen, u spreekt met Sanne. Waarmee kan ik u helpen?  ja"),
            vec![
                ("Goedemorgen, u spreekt met Sanne.", Terminal::Statement),
                ("Waarmee kan ik u helpen?", Terminal::Question),
                ("ja", Terminal::Unpunctuated),
            ]
        );
        assert!(split("   ").is_empty());
    }

    #[test]
    fn question_cues_without_punctuation() {
        let cues = QuestionCues {
            words: ["wat", "hoe"].map(String::from).into(),
            verbs: ["heeft", "werkt"].map(String::from).into(),
            subjects: ["u", "het"].map(String::from).into(),
            tags: vec![" toch ".into()],
        };
        assert!(cues.opens_question(" hoe gaat het "));
        assert!(cues.opens_question(" heeft u de router "));
        assert!(!cues.opens_question(" u heeft de router "));
        assert!(!cues.opens_question(" werkt niet "));
        assert!(cues.ends_in_tag(" het werkt nu toch "));
    }
}
