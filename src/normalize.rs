//! Folds utterance text into the normalised form rules are written in.
//!
//! Lower case, accents dropped, apostrophe forms expanded (`'t` -> `het`), fillers
//! removed, hyphens inside words joined (`wi-fi` -> `wifi`), all other punctuation and
//! white space reduced to single spaces. Every normalised utterance is padded with a
//! space on both sides, so a phrase padded the same way can only match whole words.
//!
//! Folding happens per turn into one reused [`NormText`]: each utterance appends its
//! tokens, and every normalised byte remembers the span of the original token it came
//! from, so matches are reported against the ORIGINAL text.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// The language data folding needs (from `language.toml`).
#[derive(Debug, Clone, Default)]
pub struct Normalizer {
    fillers: HashSet<String>,
    contractions: HashMap<String, String>,
}

/// A turn's normalised text: `" tok tok tok "`, with a map back to the original.
#[derive(Debug, Clone, Default)]
pub struct NormText {
    pub text: String,
    /// For each byte of `text`: the original byte span of the token it belongs to.
    origin: Vec<(u32, u32)>,
}

impl NormText {
    pub fn clear(&mut self) {
        self.text.clear();
        self.origin.clear();
    }

    /// The original byte span covered by the normalised span `range` (padding spaces at
    /// either end are ignored). `None` when the range holds only spaces.
    pub fn original_span(&self, range: Range<usize>) -> Option<Range<usize>> {
        let bytes = self.text.as_bytes();
        let mut start = range.start;
        let mut end = range.end.min(bytes.len());
        while start < end && bytes[start] == b' ' {
            start += 1;
        }
        while end > start && bytes[end - 1] == b' ' {
            end -= 1;
        }
        if start >= end {
            return None;
        }
        Some(self.origin[start].0 as usize..self.origin[end - 1].1 as usize)
    }

    fn push_str(&mut self, s: &str, origin: (u32, u32)) {
        self.text.push_str(s);
        self.origin.extend(std::iter::repeat_n(origin, s.len()));
    }
}

impl Normalizer {
    pub fn new<'a>(
        fillers: impl IntoIterator<Item = &'a str>,
        contractions: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        Normalizer {
            fillers: fillers.into_iter().map(fold_word).collect(),
            contractions: contractions
                .into_iter()
                .map(|(from, to)| (fold_word(from), to.to_string()))
                .collect(),
        }
    }

    /// Starts a turn: `out` becomes a single space, the left padding of the first utterance.
    pub fn begin(&self, out: &mut NormText) {
        out.clear();
        out.push_str(" ", (0, 0));
    }

    /// Appends `original[span]` (one utterance of the turn) to `out` and returns the range
    /// of `out.text` that holds it, padding spaces included.
    pub fn push_utterance(
        &self,
        original: &str,
        span: Range<usize>,
        out: &mut NormText,
        token: &mut String,
    ) -> Range<usize> {
        let start = out.text.len() - 1;
        let text = &original[span.clone()];
        let mut token_start: Option<usize> = None;
        token.clear();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let at = span.start + i;
            let c = if matches!(c, '\u{2019}' | '\u{2018}' | '`' | '\u{b4}' | '\u{2bc}') {
                '\''
            } else {
                c
            };
            if c.is_alphanumeric() || c == '\'' || (is_combining_mark(c) && token_start.is_some()) {
                token_start.get_or_insert(at);
                fold_char(c, token);
                continue;
            }
            let joins_word = matches!(c, '-' | '\u{2010}' | '\u{2011}')
                && token_start.is_some()
                && chars
                    .peek()
                    .is_some_and(|&(_, next)| next.is_alphanumeric());
            if joins_word {
                continue;
            }
            if let Some(s) = token_start.take() {
                self.emit_token(token, (s as u32, at as u32), out);
                token.clear();
            }
        }
        if let Some(s) = token_start {
            self.emit_token(token, (s as u32, span.end as u32), out);
            token.clear();
        }
        start..out.text.len()
    }

    fn emit_token(&self, token: &str, origin: (u32, u32), out: &mut NormText) {
        if let Some(replacement) = self.contractions.get(token) {
            out.push_str(replacement, origin);
            out.push_str(" ", (origin.1, origin.1));
            return;
        }
        let bare = token.trim_matches('\'');
        if bare.is_empty() || self.fillers.contains(bare) {
            return;
        }
        if bare.contains('\'') {
            let joined: String = bare.chars().filter(|&c| c != '\'').collect();
            return self.emit_token(&joined, origin, out);
        }
        match self.contractions.get(bare) {
            Some(replacement) => out.push_str(replacement, origin),
            None => out.push_str(bare, origin),
        }
        out.push_str(" ", (origin.1, origin.1));
    }

    /// Normalises a rule phrase the way utterances are normalised, padded: `" ik begrijp het "`.
    pub fn fold_phrase(&self, phrase: &str) -> String {
        let mut out = NormText::default();
        let mut token = String::new();
        self.begin(&mut out);
        self.push_utterance(phrase, 0..phrase.len(), &mut out, &mut token);
        out.text
    }
}

/// Lower-cases and strips accents from one word (no contraction or filler handling).
pub fn fold_word(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        fold_char(c, &mut out);
    }
    out
}

fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    for lower in c.to_lowercase() {
        match lower {
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ø' => out.push('o'),
            'ł' => out.push('l'),
            'ĳ' => out.push_str("ij"),
            '\u{2019}' | '\u{2018}' | '\u{b4}' | '\u{2bc}' => out.push('\''),
            _ => decompose_canonical(lower, |d| {
                if !is_combining_mark(d) {
                    out.push(d);
                }
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalizer() -> Normalizer {
        Normalizer::new(
            ["eh", "ehm", "uh", "uhm"],
            [
                ("'t", "het"),
                ("t", "het"),
                ("m'n", "mijn"),
                ("da's", "dat is"),
                ("ok", "oke"),
            ],
        )
    }

    fn fold(text: &str) -> String {
        normalizer().fold_phrase(text)
    }

    #[test]
    fn folds_case_accents_punctuation_and_space() {
        assert_eq!(fold("Geïnstalleerd,  ÉÉN?!"), " geinstalleerd een ");
        assert_eq!(fold("  "), " ");
    }

    #[test]
    fn expands_contractions_and_drops_fillers() {
        assert_eq!(
            fold("Eh, ’t werkt m'n wi-fi niet. Ehm da's raar"),
            " het werkt mijn wifi niet dat is raar "
        );
        assert_eq!(fold("t werkt ok"), " het werkt oke ");
        assert_eq!(fold("auto's - hm-hm"), " autos hmhm ");
    }

    #[test]
    fn maps_spans_back_to_original() {
        let n = normalizer();
        let original = "Eh, ’t Wérkt!";
        let mut out = NormText::default();
        let mut token = String::new();
        n.begin(&mut out);
        let range = n.push_utterance(original, 0..original.len(), &mut out, &mut token);
        assert_eq!(&out.text[range.clone()], " het werkt ");
        let pos = out.text.find("werkt").unwrap();
        let span = out.original_span(pos..pos + 5).unwrap();
        assert_eq!(&original[span], "Wérkt");
        let all = out.original_span(range).unwrap();
        assert_eq!(&original[all], "’t Wérkt");
    }
}
