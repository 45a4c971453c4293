//! Pattern macros: constructs a rule author needs that the regex syntax lacks.
//!
//! One macro exists: `{not:als,dat,of}` is one word that is none of the listed words
//! (normalised text has no look-around, so "up to three words, none of them a clause
//! link" is otherwise a hand-built trie of character classes no reader can check).
//! [`expand`] turns a pattern source into two regexes:
//! - `exact`: the macro as that trie, run to locate matches;
//! - `nominating`: the macro as any word, which matches wherever `exact` does (and more).
//!   The matcher reads the literals a pattern's matches must contain off this form: the
//!   tries hold no useful literal and would only make that reading slow.
//!
//! A word is a run of non-space bytes (normalised text separates words by one space); the
//! listed words are lower-case letters and digits, as normalisation leaves them.

use std::collections::BTreeMap;

/// One byte of a word.
const WORD: &str = "[^ ]";

/// A pattern with its macros expanded both ways (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandedPattern {
    pub exact: String,
    pub nominating: String,
}

/// A malformed macro: byte offset in the pattern source and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroError {
    pub offset: usize,
    pub message: String,
}

const OPEN: &str = "{not:";

/// Expands every `{not:...}` in `source`.
pub fn expand(source: &str) -> Result<ExpandedPattern, MacroError> {
    let mut exact = String::with_capacity(source.len());
    let mut nominating = String::with_capacity(source.len());
    let mut rest = 0;
    while let Some(found) = source[rest..].find(OPEN) {
        let start = rest + found;
        let escaped = source[..start].ends_with('\\') && !source[..start].ends_with("\\\\");
        let list_start = start + OPEN.len();
        if escaped {
            exact.push_str(&source[rest..list_start]);
            nominating.push_str(&source[rest..list_start]);
            rest = list_start;
            continue;
        }
        let Some(close) = source[list_start..].find('}') else {
            return Err(MacroError {
                offset: start,
                message: "`{not:` without its closing `}`".into(),
            });
        };
        let list_end = list_start + close;
        let words = parse_words(&source[list_start..list_end], list_start)?;
        exact.push_str(&source[rest..start]);
        nominating.push_str(&source[rest..start]);
        exact.push_str(&not_words(&words));
        nominating.push_str("(?:");
        nominating.push_str(WORD);
        nominating.push_str("+)");
        rest = list_end + 1;
    }
    exact.push_str(&source[rest..]);
    nominating.push_str(&source[rest..]);
    Ok(ExpandedPattern { exact, nominating })
}

fn parse_words(list: &str, offset: usize) -> Result<Vec<&str>, MacroError> {
    let mut words = Vec::new();
    let mut at = offset;
    for raw in list.split(',') {
        let word = raw.trim();
        let word_at = at + (raw.len() - raw.trim_start().len());
        if word.is_empty()
            || !word
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            return Err(MacroError {
                offset: word_at,
                message: format!(
                    "`{{not:...}}` lists words of lower-case letters and digits separated by commas, found `{word}`"
                ),
            });
        }
        words.push(word);
        at += raw.len() + 1;
    }
    Ok(words)
}

#[derive(Default)]
struct Node {
    ends_word: bool,
    next: BTreeMap<u8, Node>,
}

/// A regex for one word that is none of `words`: a trie whose
/// every branch also lets a word leave it.
fn not_words(words: &[&str]) -> String {
    let mut root = Node::default();
    for word in words {
        let mut node = &mut root;
        for b in word.bytes() {
            node = node.next.entry(b).or_default();
        }
        node.ends_word = true;
    }
    format!("(?:{})", render(&root, true))
}

fn render(node: &Node, root: bool) -> String {
    let mut alternatives = Vec::new();
    if node.next.is_empty() {
        alternatives.push(format!("{WORD}+"));
    } else {
        let listed: String = node.next.keys().map(|&b| b as char).collect();
        alternatives.push(format!("[^ {listed}]{WORD}*"));
        for (&b, child) in &node.next {
            alternatives.push(format!("{}{}", b as char, render(child, false)));
        }
    }
    let joined = alternatives.join("|");
    // Below the root, a prefix that is not itself a listed word is a word that may end here.
    if !root && !node.ends_word {
        format!("(?:{joined})?")
    } else if alternatives.len() == 1 {
        joined
    } else {
        format!("(?:{joined})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    fn whole(pattern: &str) -> Regex {
        Regex::new(&format!("^(?:{pattern})$")).unwrap()
    }

    #[test]
    fn not_matches_every_word_but_the_listed_ones() {
        let e = expand("{not:als,dat,da,of}").unwrap();
        let exact = whole(&e.exact);
        let nominating = whole(&e.nominating);
        for word in ["als", "dat", "da", "of"] {
            assert!(!exact.is_match(word), "{word}");
            assert!(nominating.is_match(word), "{word}");
        }
        for word in [
            "a", "al", "alsof", "d", "dan", "datum", "o", "off", "x", "2fa", "zo'n", "é",
        ] {
            assert!(exact.is_match(word), "{word}");
        }
        assert!(!exact.is_match("") && !exact.is_match("de router"));
    }

    #[test]
    fn macros_expand_in_place_and_the_rest_is_untouched() {
        let e = expand(r"\bik heb(?: {not:niet,geen}){0,3} gereset\b").unwrap();
        let exact = Regex::new(&e.exact).unwrap();
        assert!(exact.is_match("ik heb de router gereset"));
        assert!(exact.is_match("ik heb gereset"));
        assert!(!exact.is_match("ik heb de router niet gereset"));
        assert_eq!(
            e.nominating, r"\bik heb(?: (?:[^ ]+)){0,3} gereset\b",
            "the set only needs a superset"
        );
        // Both forms are one group, so a quantifier right after a macro applies to the
        // whole word in each (and a pattern parses in both forms or in neither).
        let optional = expand(r"^ik {not:niet}? gereset$").unwrap();
        for form in [&optional.exact, &optional.nominating] {
            let regex = Regex::new(form).unwrap();
            assert!(regex.is_match("ik  gereset"), "{form}");
            assert!(regex.is_match("ik heb gereset"), "{form}");
        }
        assert!(
            !Regex::new(&optional.exact)
                .unwrap()
                .is_match("ik niet gereset")
        );
        let plain = expand(r"\b(?:a|b){2}\b").unwrap();
        assert_eq!(plain.exact, r"\b(?:a|b){2}\b");
        assert_eq!(plain.nominating, plain.exact);
    }

    #[test]
    fn malformed_macros_are_located() {
        let err = expand("ab {not:als,Dat}").unwrap_err();
        assert_eq!(err.offset, 12);
        assert!(err.message.contains("`Dat`"), "{}", err.message);
        let err = expand("ab {not:als").unwrap_err();
        assert_eq!(err.offset, 3);
        assert_eq!(expand("ab {not:,x}").unwrap_err().offset, 8);
        let escaped = expand(r"a\{not:b}").unwrap();
        assert_eq!(escaped.exact, r"a\{not:b}");
    }
}
