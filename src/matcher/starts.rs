//! Where a pattern's matches can start, so that the matcher can try the pattern anchored at
//! those places instead of searching the whole utterance for it.
//!
//! An unanchored search runs the pattern from every position at once, and its lazy DFA
//! needs a state for every mix of partial matches that text produces: on hand-written
//! calls, most of the regexes' memory and time. Anchored searches at the places a match
//! can start need only the states of one partial match, and most die within a word.
//!
//! Two ways of knowing the places, both read off the pattern's syntax tree:
//! - [`starting_set`]: every match starts with one of a few literals (`\bik (?:ga|zal) `);
//!   the places are where the matcher's Aho-Corasick pass found them;
//! - [`where_matches_begin`]: every match starts at a space, at a word boundary (after
//!   `\b`) or at the start of the utterance (after `^`), as patterns like
//!   `(?:^| {not:als,dat}) ik ...` or `\b(?:[^ ]+ )?router` do.
//!
//! A pattern that may match the empty string, or start in the middle of a word, is
//! searched for.

use super::required::{Literals, deduplicated, exact, multiplied, selectivity, without_redundant};
use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// Literals one of which every match of `hir` starts with, if there are few enough and
/// none is empty: then a match can only start where one of them is found.
pub fn starting_set(hir: &Hir) -> Option<Literals> {
    starts(hir)
        .filter(|set| selectivity(set).0 > 0)
        .map(without_redundant)
}

fn starts(hir: &Hir) -> Option<Literals> {
    if let Some(set) = exact(hir) {
        return Some(set);
    }
    match hir.kind() {
        HirKind::Capture(capture) => starts(&capture.sub),
        HirKind::Repetition(repetition) if repetition.min >= 1 => starts(&repetition.sub),
        HirKind::Alternation(branches) => {
            let mut union = Vec::new();
            for branch in branches {
                union.extend(starts(branch)?);
            }
            Some(deduplicated(union))
        }
        // The exact parts up front, multiplied out as far as they stay few, then the start
        // of the first inexact part (when the exact ones can be empty).
        HirKind::Concat(parts) => {
            let mut product = vec![Vec::new()];
            for part in parts {
                match exact(part) {
                    Some(set) => match multiplied(&product, &set) {
                        Some(longer) => product = longer,
                        None => break,
                    },
                    None => {
                        if product.iter().any(Vec::is_empty) {
                            product = multiplied(&product, &starts(part)?)?;
                        }
                        break;
                    }
                }
            }
            Some(product)
        }
        _ => None,
    }
}

/// The kinds of places where a pattern's matches can start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Begins {
    /// At a space.
    pub space: bool,
    /// At an ASCII word boundary (`\b`), but not at a space: the start of a word, or a
    /// hyphen or the like right after one.
    pub boundary: bool,
    /// At the start of the utterance.
    pub utterance_start: bool,
}

impl Begins {
    /// How many distinct `Begins` there are ([`Begins::index`] is below this).
    pub const KINDS: usize = 8;

    /// A distinct number below [`Begins::KINDS`] for each `Begins`.
    pub fn index(self) -> usize {
        usize::from(self.space)
            | usize::from(self.boundary) << 1
            | usize::from(self.utterance_start) << 2
    }

    fn union(self, other: Begins) -> Begins {
        Begins {
            space: self.space || other.space,
            boundary: self.boundary || other.boundary,
            utterance_start: self.utterance_start || other.utterance_start,
        }
    }
}

/// Where every match of `hir` starts, or `None` when a match may start anywhere (or be
/// empty).
pub fn where_matches_begin(hir: &Hir) -> Option<Begins> {
    match begin(hir, Before::Nothing) {
        Begin::Found(begins) => Some(begins),
        Begin::Anywhere | Begin::MaybeEmpty(..) => None,
    }
}

/// The zero-width assertion a position is known to satisfy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Before {
    Nothing,
    UtteranceStart,
    WordBoundary,
}

enum Begin {
    /// Every non-empty match starts at one of these places.
    Found(Begins),
    /// Or so, but the expression may also match the empty string, after which the
    /// position still satisfies the given assertion.
    MaybeEmpty(Begins, Before),
    Anywhere,
}

fn first_byte(bytes: &[u8], before: Before) -> Begin {
    let space = bytes.contains(&b' ');
    if before == Before::UtteranceStart {
        // Whatever comes first, after `^` it comes at the start.
        Begin::Found(Begins {
            utterance_start: true,
            ..Begins::default()
        })
    } else if bytes.iter().all(|&b| b == b' ') {
        Begin::Found(Begins {
            space,
            ..Begins::default()
        })
    } else if before == Before::WordBoundary {
        Begin::Found(Begins {
            space,
            boundary: true,
            ..Begins::default()
        })
    } else {
        Begin::Anywhere
    }
}

fn class_first_bytes(class: &Class) -> Vec<u8> {
    match class {
        Class::Bytes(bytes) => bytes
            .ranges()
            .iter()
            .flat_map(|r| r.start()..=r.end())
            .collect(),
        // Never in the matcher's byte syntax; a class that is not all ASCII begins anywhere.
        Class::Unicode(chars) => chars
            .ranges()
            .iter()
            .flat_map(|r| r.start()..=r.end())
            .map(|c| u8::try_from(c).unwrap_or(0))
            .collect(),
    }
}

fn begin(hir: &Hir, before: Before) -> Begin {
    match hir.kind() {
        HirKind::Empty => Begin::MaybeEmpty(Begins::default(), before),
        HirKind::Literal(literal) => first_byte(&literal.0[..1], before),
        HirKind::Class(class) => first_byte(&class_first_bytes(class), before),
        HirKind::Look(look) => Begin::MaybeEmpty(
            Begins::default(),
            match look {
                Look::Start => Before::UtteranceStart,
                Look::WordAscii => Before::WordBoundary,
                _ => Before::Nothing,
            },
        ),
        HirKind::Capture(capture) => begin(&capture.sub, before),
        HirKind::Repetition(repetition) => match begin(&repetition.sub, before) {
            Begin::Found(begins) if repetition.min == 0 => Begin::MaybeEmpty(begins, before),
            // A part that may be empty, at most once: either way, what held before it or
            // after it holds (if the two differ, nothing known does).
            Begin::MaybeEmpty(begins, after) if repetition.max == Some(1) => Begin::MaybeEmpty(
                begins,
                if after == before {
                    before
                } else {
                    Before::Nothing
                },
            ),
            // Repeated, a part that may be empty could begin its next round anywhere.
            Begin::MaybeEmpty(..) => Begin::Anywhere,
            other => other,
        },
        HirKind::Concat(parts) => {
            let mut found = Begins::default();
            let mut before = before;
            for part in parts {
                match begin(part, before) {
                    Begin::Anywhere => return Begin::Anywhere,
                    Begin::Found(begins) => return Begin::Found(found.union(begins)),
                    Begin::MaybeEmpty(begins, after) => {
                        found = found.union(begins);
                        before = after;
                    }
                }
            }
            Begin::MaybeEmpty(found, before)
        }
        HirKind::Alternation(branches) => {
            let mut found = Begins::default();
            let mut empty_after: Option<Before> = None;
            for branch in branches {
                match begin(branch, before) {
                    Begin::Anywhere => return Begin::Anywhere,
                    Begin::Found(begins) => found = found.union(begins),
                    Begin::MaybeEmpty(begins, after) => {
                        found = found.union(begins);
                        empty_after = Some(match empty_after {
                            Some(other) if other != after => Before::Nothing,
                            _ => after,
                        });
                    }
                }
            }
            match empty_after {
                Some(after) => Begin::MaybeEmpty(found, after),
                None => Begin::Found(found),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::required::tests::{owned, parsed, strings};

    fn starting(pattern: &str) -> Option<Vec<String>> {
        starting_set(&parsed(pattern)).map(strings)
    }

    #[test]
    fn matches_start_with_the_exact_parts_up_front() {
        assert_eq!(
            starting(r"\b(?:ik|we) (?:ga|zal) [^ ]+ doen\b"),
            Some(owned(&["ik ga ", "ik zal ", "we ga ", "we zal "]))
        );
        // An optional part up front multiplies out like any other.
        assert_eq!(
            starting(r"(?:de )?(?:modem|router) [^ ]+"),
            Some(owned(&["de modem ", "de router ", "modem ", "router "]))
        );
        assert_eq!(
            starting(r"\bsorry\b|\bexcuses\b"),
            Some(vec!["excuses".into(), "sorry".into()])
        );
    }

    #[test]
    fn no_starting_set_when_a_match_may_start_anywhere() {
        assert_eq!(starting(r"(?:^| [^ ]+) ik doe\b"), None);
        assert_eq!(starting(r"[^ ]*link\b"), None);
        assert_eq!(starting(r"\bsorry\b|[^ ]+ excuses\b"), None);
    }

    fn begins(pattern: &str) -> Option<(bool, bool, bool)> {
        where_matches_begin(&parsed(pattern)).map(|b| (b.space, b.boundary, b.utterance_start))
    }

    #[test]
    fn matches_begin_at_spaces_word_starts_or_the_utterance_start() {
        // (space, word boundary, utterance start)
        assert_eq!(begins(r"(?:^| [^ ]+) ik doe\b"), Some((true, false, true)));
        assert_eq!(
            begins(r"\b(?:[^ ]+ )?(?:modem|router)\b"),
            Some((false, true, false))
        );
        assert_eq!(begins(r"^ [^ ]+ $"), Some((false, false, true)));
        assert_eq!(begins(r"\bsorry\b| ja $"), Some((true, true, false)));
    }

    #[test]
    fn a_match_that_may_begin_inside_a_word_or_be_empty_begins_anywhere() {
        assert_eq!(begins(r"[^ ]*link\b"), None);
        assert_eq!(begins(r"link\b"), None);
        assert_eq!(begins(r"\b(?:ja )?"), None);
        assert_eq!(begins(r"\bsorry\b|excuses"), None);
        // After `\b` a space is a space, a word byte or hyphen a boundary.
        assert_eq!(begins(r"\b [^ ]+"), Some((true, false, false)));
        assert_eq!(begins(r"\b[^ ]+"), Some((false, true, false)));
        assert_eq!(begins(r"\b[^a]+"), Some((true, true, false)));
    }
}
