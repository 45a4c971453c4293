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

use rustc_hash::FxHashMap;
use std::ops::Range;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// What folding does with a whole token (after lower-casing and accent stripping).
#[derive(Debug, Clone)]
enum Special {
    /// A filler ("eh", "ehm"): dropped.
    Filler,
    /// A contraction ("'t", "m'n", "da's"): replaced.
    Contraction(String),
}

/// The language data folding needs (from `language.toml`).
#[derive(Debug, Clone, Default)]
pub struct Normalizer {
    /// Fillers and contractions in one map (a contraction wins over a filler): every token
    /// is looked up once, so the hash is the fast one of rustc.
    special: FxHashMap<String, Special>,
    /// No special token is longer: longer tokens skip the lookup.
    longest_special: usize,
}

/// A turn's normalised text: `" tok tok tok "`, with a map back to the original.
#[derive(Debug, Clone, Default)]
pub struct NormText {
    pub text: String,
    /// Per emitted token, in order: where it starts in `text` and the original byte span it
    /// came from (a contraction's replacement maps back to the whole contraction).
    tokens: Vec<TokenOrigin>,
}

#[derive(Debug, Clone, Copy)]
struct TokenOrigin {
    start: u32,
    original: (u32, u32),
}

impl NormText {
    pub fn clear(&mut self) {
        self.text.clear();
        self.tokens.clear();
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
        let token_at = |at: usize| {
            let after = self.tokens.partition_point(|t| t.start as usize <= at);
            self.tokens[after.checked_sub(1)?].original.into()
        };
        let first: Option<(u32, u32)> = token_at(start);
        let last: Option<(u32, u32)> = token_at(end - 1);
        Some(first?.0 as usize..last?.1 as usize)
    }

    /// Appends one token and the space after it.
    fn push_token(&mut self, token: &str, original: (u32, u32)) {
        self.tokens.push(TokenOrigin {
            start: self.text.len() as u32,
            original,
        });
        self.text.push_str(token);
        self.text.push(' ');
    }
}

impl Normalizer {
    pub fn new<'a>(
        fillers: impl IntoIterator<Item = &'a str>,
        contractions: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        let mut special = FxHashMap::default();
        for filler in fillers {
            special.insert(fold_word(filler), Special::Filler);
        }
        for (from, to) in contractions {
            special.insert(fold_word(from), Special::Contraction(to.to_string()));
        }
        let longest_special = special.keys().map(String::len).max().unwrap_or(0);
        Normalizer {
            special,
            longest_special,
        }
    }

    /// Starts a turn: `out` becomes a single space, the left padding of the first utterance.
    pub fn begin(&self, out: &mut NormText) {
        out.clear();
        out.text.push(' ');
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
        let bytes = original.as_bytes();
        let mut token_start: Option<usize> = None;
        token.clear();
        let mut at = span.start;
        while at < span.end {
            let byte = bytes[at];
            // ASCII needs no tables: letters and digits extend the token, lower-cased.
            let (c, width) = if byte.is_ascii() {
                if byte.is_ascii_alphanumeric() {
                    token_start.get_or_insert(at);
                    token.push(byte.to_ascii_lowercase() as char);
                    at += 1;
                    continue;
                }
                (byte as char, 1)
            } else {
                let c = original[at..].chars().next().unwrap_or(' ');
                (c, c.len_utf8())
            };
            let c = if matches!(c, '\u{2019}' | '\u{2018}' | '`' | '\u{b4}' | '\u{2bc}') {
                '\''
            } else {
                c
            };
            let joins_mark = !c.is_ascii() && token_start.is_some() && is_combining_mark(c);
            if c.is_alphanumeric() || c == '\'' || joins_mark {
                token_start.get_or_insert(at);
                fold_char(c, token);
                at += width;
                continue;
            }
            let joins_word = matches!(c, '-' | '\u{2010}' | '\u{2011}')
                && token_start.is_some()
                && original[at + width..span.end]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric);
            if !joins_word && let Some(s) = token_start.take() {
                self.emit_token(token, (s as u32, at as u32), out);
                token.clear();
            }
            at += width;
        }
        if let Some(s) = token_start {
            self.emit_token(token, (s as u32, span.end as u32), out);
            token.clear();
        }
        start..out.text.len()
    }

    fn emit_token(&self, token: &str, origin: (u32, u32), out: &mut NormText) {
        if !token.contains('\'') {
            return match self.special(token) {
                Some(Special::Filler) => {}
                Some(Special::Contraction(replacement)) => out.push_token(replacement, origin),
                None => out.push_token(token, origin),
            };
        }
        if let Some(Special::Contraction(replacement)) = self.special(token) {
            return out.push_token(replacement, origin);
        }
        let bare = token.trim_matches('\'');
        if bare.is_empty() || matches!(self.special(bare), Some(Special::Filler)) {
            return;
        }
        if bare.contains('\'') {
            let joined: String = bare.chars().filter(|&c| c != '\'').collect();
            return self.emit_token(&joined, origin, out);
        }
        match self.special(bare) {
            Some(Special::Contraction(replacement)) => out.push_token(replacement, origin),
            _ => out.push_token(bare, origin),
        }
    }

    fn special(&self, token: &str) -> Option<&Special> {
        if token.len() > self.longest_special {
            return None;
        }
        self.special.get(token)
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
