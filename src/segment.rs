//! Splits a turn into utterances and tells questions from statements.
//!
//! Boundaries come from Unicode sentence segmentation (UAX #29): the `unicode-segmentation`
//! crate, and for ASCII text (nearly every transcript) [`ascii`], the same rules over an
//! ASCII category table, several times faster and held to the crate by a test. ASR text often has no
//! punctuation at all, so an utterance without final punctuation gets its mood from cues
//! in the normalised text instead: a leading question word, a finite verb followed by a
//! subject ("heeft u", "werkt het"), or a closing tag question ("..., toch").

use crate::rules::WordSet;
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
///
/// On top of UAX #29, a full stop followed by a lower-case word or an apostrophe
/// contraction ends an utterance too ("Ja, weg. 't Werkt.", ASR's "oke. dan klikt u"),
/// unless the word before it is an abbreviation (`abbreviations`, folded, without the
/// final dot: "bijv", "o.a") or a single letter (an initial). UAX #29 keeps such text
/// together because English abbreviations are followed by lower case.
pub fn utterances(text: &str, abbreviations: &WordSet, out: &mut Vec<(Range<usize>, Terminal)>) {
    out.clear();
    let mut push_piece = |start: usize, piece: &str| {
        let trimmed = piece.trim_end();
        let lead = piece.len() - piece.trim_start().len();
        if !trimmed.trim().is_empty() {
            out.push((start + lead..start + trimmed.len(), terminal_of(trimmed)));
        }
    };
    let mut push = |start: usize, sentence: &str| {
        let mut from = 0;
        for at in memchr::memchr_iter(b'.', sentence.as_bytes()) {
            if let Some(next) = lower_case_after(sentence, at, abbreviations) {
                push_piece(start + from, &sentence[from..next]);
                from = next;
            }
        }
        push_piece(start + from, &sentence[from..]);
    };
    if text.is_ascii() {
        let mut start = 0;
        for end in ascii::SentenceBreaks::new(text.as_bytes()) {
            push(start, &text[start..end]);
            start = end;
        }
    } else {
        for (start, sentence) in text.split_sentence_bound_indices() {
            push(start, sentence);
        }
    }
}

/// UAX #29 sentence boundaries of ASCII text: the state machine of `unicode-segmentation`
/// (1.13, `sentence.rs`) over a 128-entry category table instead of the Unicode tables.
mod ascii {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Cat {
        Cr,
        Lf,
        Sp,
        Lower,
        Upper,
        Numeric,
        ATerm,
        STerm,
        Close,
        SContinue,
        Other,
    }

    const fn category_of(byte: u8) -> Cat {
        match byte {
            b'\r' => Cat::Cr,
            b'\n' => Cat::Lf,
            b'\t' | 0x0b | 0x0c | b' ' => Cat::Sp,
            b'a'..=b'z' => Cat::Lower,
            b'A'..=b'Z' => Cat::Upper,
            b'0'..=b'9' => Cat::Numeric,
            b'.' => Cat::ATerm,
            b'!' | b'?' => Cat::STerm,
            b'"' | b'\'' | b'(' | b')' | b'[' | b']' | b'{' | b'}' => Cat::Close,
            b',' | b'-' | b':' | b';' => Cat::SContinue,
            _ => Cat::Other,
        }
    }

    static CATEGORIES: [Cat; 128] = {
        let mut table = [Cat::Other; 128];
        let mut byte = 0;
        while byte < 128 {
            table[byte] = category_of(byte as u8);
            byte += 1;
        }
        table
    };

    /// Bytes after which, following a word byte, no rule can break (non-ASCII never occurs).
    static WORD_BYTES: [bool; 256] = {
        let mut table = [false; 256];
        let mut byte = 0;
        while byte < 128 {
            table[byte] = matches!(
                category_of(byte as u8),
                Cat::Lower | Cat::Upper | Cat::Numeric | Cat::SContinue | Cat::Other
            );
            byte += 1;
        }
        table
    };

    #[inline]
    fn category(byte: u8) -> Cat {
        CATEGORIES[(byte & 0x7f) as usize]
    }

    /// What the recent text looked like: runs of Close and of Sp collapse into one part.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Part {
        Sot,
        Eot,
        Other,
        Cr,
        Lf,
        ATerm,
        UpperLower,
        ClosePlus,
        SpPlus,
        STerm,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct State([Part; 4]);

    impl State {
        fn next(self, cat: Cat) -> State {
            let parts = self.0;
            if (parts[3], cat) == (Part::ClosePlus, Cat::Close)
                || (parts[3], cat) == (Part::SpPlus, Cat::Sp)
            {
                return self;
            }
            let part = match cat {
                Cat::Cr => Part::Cr,
                Cat::Lf => Part::Lf,
                Cat::ATerm => Part::ATerm,
                Cat::Upper | Cat::Lower => Part::UpperLower,
                Cat::Close => Part::ClosePlus,
                Cat::Sp => Part::SpPlus,
                Cat::STerm => Part::STerm,
                _ => Part::Other,
            };
            State([parts[1], parts[2], parts[3], part])
        }

        fn last(self) -> Part {
            self.0[3]
        }

        /// The part before any trailing Sp+ and then Close+ (`skip_sp`), or before Close+.
        fn before_close(self, skip_sp: bool) -> Part {
            let parts = self.0;
            let mut i = if skip_sp && parts[3] == Part::SpPlus {
                2
            } else {
                3
            };
            if parts[i] == Part::ClosePlus {
                i -= 1;
            }
            parts[i]
        }

        fn is_term(part: Part) -> bool {
            matches!(part, Part::STerm | Part::ATerm)
        }
    }

    /// SB8: ATerm Close* Sp* × (¬(OLetter | Upper | Lower | ParaSep | SATerm))* Lower.
    fn sb8(state: State, ahead: &[u8]) -> bool {
        state.before_close(true) == Part::ATerm
            && ahead.iter().map(|&b| category(b)).find(|c| {
                matches!(
                    c,
                    Cat::Lower | Cat::Upper | Cat::Cr | Cat::Lf | Cat::STerm | Cat::ATerm
                )
            }) == Some(Cat::Lower)
    }

    /// SB11: SATerm Close* Sp* ParaSep? ÷.
    fn sb11(state: State) -> bool {
        let parts = state.0;
        let mut i = if matches!(parts[3], Part::Cr | Part::Lf) {
            2
        } else {
            3
        };
        if parts[i] == Part::SpPlus {
            i -= 1;
        }
        if parts[i] == Part::ClosePlus {
            i -= 1;
        }
        State::is_term(parts[i])
    }

    /// Byte offsets where a sentence ends (the end of the text included), as
    /// `unicode_segmentation`'s forward sentence breaks give them after the first.
    pub struct SentenceBreaks<'a> {
        text: &'a [u8],
        pos: usize,
        state: State,
    }

    impl<'a> SentenceBreaks<'a> {
        pub fn new(text: &'a [u8]) -> Self {
            SentenceBreaks {
                text,
                pos: 0,
                state: State([Part::Sot; 4]),
            }
        }
    }

    impl Iterator for SentenceBreaks<'_> {
        type Item = usize;

        fn next(&mut self) -> Option<usize> {
            while self.pos < self.text.len() {
                // After a word byte, no rule breaks before another word byte, nor at a single
                // space between two: skip words and the single spaces between them, and
                // replay only the run's last four bytes (each is one part of the state, as
                // only runs of spaces or of closing marks collapse into one part).
                if matches!(self.state.last(), Part::UpperLower | Part::Other) {
                    let rest = &self.text[self.pos..];
                    let word = |from: usize| {
                        rest[from..]
                            .iter()
                            .take_while(|&&b| WORD_BYTES[b as usize])
                            .count()
                    };
                    let mut run = word(0);
                    while rest.get(run) == Some(&b' ')
                        && rest.get(run + 1).is_some_and(|&b| WORD_BYTES[b as usize])
                    {
                        run += 1 + word(run + 1);
                    }
                    for &b in &self.text[self.pos + run - run.min(4)..self.pos + run] {
                        self.state = self.state.next(category(b));
                    }
                    self.pos += run;
                    if self.pos == self.text.len() {
                        break;
                    }
                }
                let before = self.pos;
                let previous = self.state;
                let cat = category(self.text[before]);
                self.pos += 1;
                self.state = previous.next(cat);
                let last = previous.last();
                if last == Part::Sot {
                    continue; // the start of the text is no sentence end
                }
                if cat == Cat::Lf && last == Part::Cr {
                    continue;
                }
                if matches!(last, Part::Cr | Part::Lf) {
                    return Some(before);
                }
                if cat == Cat::Numeric && last == Part::ATerm {
                    continue;
                }
                if cat == Cat::Upper && previous.0[2] == Part::UpperLower && last == Part::ATerm {
                    continue;
                }
                if sb8(previous, &self.text[before..]) {
                    continue;
                }
                let sb8a = State::is_term(previous.before_close(true));
                if matches!(cat, Cat::SContinue | Cat::STerm | Cat::ATerm) && sb8a {
                    continue;
                }
                if matches!(cat, Cat::Close | Cat::Sp | Cat::Cr | Cat::Lf)
                    && State::is_term(previous.before_close(false))
                {
                    continue;
                }
                if matches!(cat, Cat::Sp | Cat::Cr | Cat::Lf) && sb8a {
                    continue;
                }
                if sb11(previous) {
                    return Some(before);
                }
            }
            if matches!(self.state.last(), Part::Sot | Part::Eot) {
                return None;
            }
            let mut parts = self.state.0;
            parts.rotate_left(1);
            parts[3] = Part::Eot;
            self.state = State(parts);
            Some(self.pos)
        }
    }
}

/// Where a new utterance starts after the full stop at `dot`: the next word, when it is
/// lower case or an apostrophe contraction and the word before the stop is no
/// abbreviation or initial.
fn lower_case_after(sentence: &str, dot: usize, abbreviations: &WordSet) -> Option<usize> {
    let after = &sentence[dot + 1..];
    let gap = after.len() - after.trim_start().len();
    if gap == 0 {
        return None;
    }
    let mut next = after[gap..].chars();
    let starts_word = match next.next()? {
        c if c.is_lowercase() => true,
        '\'' | '\u{2019}' | '`' => next.next().is_some_and(char::is_alphabetic),
        _ => false,
    };
    let before = &sentence[..dot];
    let word_start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '.' || c == '/'))
        .map_or(0, |i| {
            i + before[i..].chars().next().map_or(1, char::len_utf8)
        });
    let word = before[word_start..].trim_matches('.');
    let is_word = word.chars().count() > 1 && word.chars().any(char::is_alphabetic);
    (starts_word && is_word && !abbreviations.contains(&crate::normalize::fold_word(word)))
        .then_some(dot + 1 + gap)
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
    pub words: WordSet,
    pub verbs: WordSet,
    pub subjects: WordSet,
    /// May stand between the verb and the subject ("is nu alles in orde").
    pub adverbs: WordSet,
    /// May open the utterance before the question starts ("en", "oke", "ja hoor"): token
    /// sequences, longest first.
    pub openers: Vec<Vec<String>>,
    /// After one of these, verb + subject is the inversion of a statement ("nu werkt alles
    /// weer"), not a question.
    pub inversion_adverbs: WordSet,
    /// Exclamations that start like a question ("wat een pech", "wat fijn"): token
    /// sequences.
    pub exclamations: Vec<Vec<String>>,
    /// Folded and padded, e.g. `" klopt dat "`; matched at the end of the utterance.
    pub tags: Vec<String>,
}

/// How a piece of normalised text opens a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuestionStart {
    /// With a question word ("wanneer is dat begonnen").
    Word,
    /// With a finite verb followed by its subject ("heeft u de router").
    Verb,
}

/// The tokens after `sequence`, when the tokens start with it.
fn after_sequence<'a, I>(tokens: &I, sequence: &[String]) -> Option<I>
where
    I: Iterator<Item = &'a str> + Clone,
{
    let mut rest = tokens.clone();
    sequence
        .iter()
        .all(|word| rest.next() == Some(word.as_str()))
        .then_some(rest)
}

impl QuestionCues {
    /// Whether the normalised text opens a question: a question word, or a finite verb
    /// followed by a subject (adverbs in between allowed), after any openers.
    pub fn opens_question(&self, normalised: &str) -> bool {
        self.question_start(normalised).is_some()
    }

    /// Whether a question starts at `rest`, the middle of an unpunctuated utterance whose
    /// word before it is `previous` (a run-on ASR turn: "dat snap ik heeft u de router al
    /// herstart"). After a fronted adverb verb + subject is the inversion of a statement
    /// ("en nu werkt alles weer"); a question word still asks ("nou wanneer is dat
    /// begonnen").
    pub fn opens_question_after(&self, previous: Option<&str>, rest: &str) -> bool {
        match self.question_start(rest) {
            Some(QuestionStart::Word) => true,
            Some(QuestionStart::Verb) => {
                !previous.is_some_and(|word| self.inversion_adverbs.contains(word))
            }
            None => false,
        }
    }

    fn question_start(&self, normalised: &str) -> Option<QuestionStart> {
        let mut tokens = normalised.split(' ').filter(|t| !t.is_empty());
        while let Some(rest) = self
            .openers
            .iter()
            .find_map(|opener| after_sequence(&tokens, opener))
        {
            tokens = rest;
        }
        if self
            .exclamations
            .iter()
            .any(|e| after_sequence(&tokens, e).is_some())
        {
            return None;
        }
        let first = tokens.next()?;
        if self.words.contains(first) {
            Some(QuestionStart::Word)
        } else if self.verbs.contains(first)
            && tokens
                .find(|t| !self.adverbs.contains(*t))
                .is_some_and(|s| self.subjects.contains(s))
        {
            Some(QuestionStart::Verb)
        } else {
            None
        }
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
        let abbreviations = ["bijv", "o.a"].map(String::from).into_iter().collect();
        let mut out = Vec::new();
        utterances(text, &abbreviations, &mut out);
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
    fn full_stop_before_lower_case_ends_an_utterance_unless_abbreviated() {
        assert_eq!(
            split("Ja, weg. 't Werkt. oke. dan klikt u"),
            vec![
                ("Ja, weg.", Terminal::Statement),
                ("'t Werkt.", Terminal::Statement),
                ("oke.", Terminal::Statement),
                ("dan klikt u", Terminal::Unpunctuated),
            ]
        );
        assert_eq!(
            split("Kijk bijv. de router na, o.a. de kabel. J. de Vries belt."),
            vec![
                (
                    "Kijk bijv. de router na, o.a. de kabel.",
                    Terminal::Statement
                ),
                ("J. de Vries belt.", Terminal::Statement),
            ]
        );
    }

    #[test]
    fn ascii_breaks_agree_with_unicode_segmentation() {
        // Random ASCII text over the characters the sentence rules care about, and text
        // of mostly words and single spaces (what the fast path skips).
        let mixed: &[u8] = b"aZ .?!\"')([,-:;\r\n\t09xY.. ";
        let wordy: &[u8] = b"abcdeXY   ..?,'\n";
        let mut rng = fastrand::Rng::with_seed(29);
        for case in 0..40_000 {
            let alphabet = if case % 2 == 0 { mixed } else { wordy };
            let len = rng.usize(0..60);
            let text: String = (0..len)
                .map(|_| alphabet[rng.usize(..alphabet.len())] as char)
                .collect();
            let ours: Vec<usize> = ascii::SentenceBreaks::new(text.as_bytes()).collect();
            let theirs: Vec<usize> = text
                .split_sentence_bound_indices()
                .map(|(start, s)| start + s.len())
                .collect();
            assert_eq!(ours, theirs, "case {case}: {text:?}");
        }
        for text in [
            "Goedemorgen, u spreekt met Sanne. Waarmee kan ik u helpen?  ja",
            "Het is v.d. router. dus niet 3.5 maar U.S.A. Klopt?! \"Ja.\" (ok) ",
            "een\r\ntwee\n\ndrie...",
        ] {
            let ours: Vec<usize> = ascii::SentenceBreaks::new(text.as_bytes()).collect();
            let theirs: Vec<usize> = text
                .split_sentence_bound_indices()
                .map(|(start, s)| start + s.len())
                .collect();
            assert_eq!(ours, theirs, "{text:?}");
        }
    }

    #[test]
    fn question_cues_without_punctuation() {
        let cues = QuestionCues {
            words: ["wat", "hoe"].map(String::from).into_iter().collect(),
            verbs: ["heeft", "werkt", "hoor"]
                .map(String::from)
                .into_iter()
                .collect(),
            subjects: ["u", "het", "alles"]
                .map(String::from)
                .into_iter()
                .collect(),
            adverbs: ["nu"].map(String::from).into_iter().collect(),
            openers: vec![
                vec!["ja".into(), "hoor".into()],
                vec!["en".into()],
                vec!["oke".into()],
            ],
            inversion_adverbs: ["nu"].map(String::from).into_iter().collect(),
            exclamations: vec![vec!["wat".into(), "een".into()]],
            tags: vec![" toch ".into()],
        };
        assert!(cues.opens_question(" hoe gaat het "));
        assert!(cues.opens_question(" heeft u de router "));
        assert!(cues.opens_question(" werkt nu alles "));
        assert!(cues.opens_question(" en oke hoe gaat het "));
        assert!(!cues.opens_question(" ja hoor het werkt "));
        assert!(cues.opens_question(" ja hoor heeft u het "));
        assert!(!cues.opens_question(" oke wat een pech "));
        assert!(!cues.opens_question(" oke "));
        assert!(!cues.opens_question(" werkt nu goed "));
        assert!(!cues.opens_question(" u heeft de router "));
        assert!(!cues.opens_question(" werkt niet "));
        assert!(cues.ends_in_tag(" het werkt nu toch "));
        assert!(cues.opens_question_after(Some("snap"), " heeft u het "));
        assert!(!cues.opens_question_after(Some("nu"), " werkt alles "));
        assert!(cues.opens_question_after(Some("nu"), " hoe gaat het "));
    }
}
