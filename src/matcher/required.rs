//! Required literals: for one pattern, a set of strings at least one of which occurs in
//! every match of the pattern.
//!
//! The matcher looks for all packs' required literals in one Aho-Corasick pass over an
//! utterance and runs only the patterns one of whose literals it found. A pattern without
//! such a set (one that can match with no fixed text, like `^ [^ ]+ $`) is run on every
//! utterance.
//!
//! The set is read off the pattern's syntax tree ([`Hir`]):
//! - a literal, a small class, an alternation or a concatenation of those has a finite
//!   *exact* set (every string it matches), and an exact set is also a required one;
//! - an alternation requires one literal of each branch, a repetition at least once what
//!   its body requires;
//! - a concatenation requires what any one of its parts requires, and runs of exact parts
//!   multiply into longer literals (`(?:ik|we) (?:ga|zal)` requires one of `ik ga`,
//!   `ik zal`, `we ga`, `we zal`). Of these candidates the most selective set is kept:
//!   the one whose shortest literal is longest, then the one with fewest literals.
//!
//! Look-around assertions match the empty string, so they neither add nor remove a
//! requirement; a set holding the empty string requires nothing and is dropped.
//!
//! Each set also says how far into a match its literal can start, counted in spaces
//! ([`Required::lookback`]): in `\bik (?:[^ ]+ ){0,3}doen\b` a match holds at most four
//! spaces before `doen`, so it starts within four spaces before a `doen` the automaton
//! found, and the matcher need not try the pattern at the utterance's other places.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Above this many strings an exact set is given up (cross products grow fast). 64 against
/// 256: as fast, 3 MiB smaller, the pack loads in 0.36 s instead of 0.41 s.
const MAX_EXACT: usize = 64;
/// Classes with more members than this are not expanded into single-byte literals.
const MAX_CLASS: usize = 8;
/// Literals longer than this are not more selective in call text: `ik heb het` is rare
/// enough already.
const ENOUGH: usize = 8;

/// At most this many literal sets are required of one pattern.
const MAX_SETS: usize = 3;
/// A set is required besides the most selective one only if its shortest literal is at
/// least this long: shorter ones are everywhere, and finding them costs more than they
/// save.
const WORTH_ADDING: usize = 3;

pub type Literals = Vec<Vec<u8>>;

/// One required set: every match contains one of `literals`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Required {
    pub literals: Literals,
    /// At most this many spaces precede, within the match, the start of a literal of the
    /// set that the match contains (`None`: no bound, as after `.*`). Dropping a literal
    /// that starts with another keeps it: the shorter one starts at the same place.
    pub lookback: Option<usize>,
}

/// Sets of literals such that every match of `hir` contains a literal of each set, most
/// selective first. Empty when no useful set was found: the pattern has to be run on every
/// utterance.
pub fn required_sets(hir: &Hir) -> Vec<Required> {
    sets(hir)
        .into_iter()
        .map(|set| Required {
            literals: without_redundant(set.literals),
            ..set
        })
        .collect()
}

/// The most spaces a match of `hir` can hold (`None`: no bound).
pub(super) fn max_spaces(hir: &Hir) -> Option<usize> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(0),
        HirKind::Literal(literal) => Some(literal.0.iter().filter(|&&b| b == b' ').count()),
        HirKind::Class(Class::Bytes(bytes)) => Some(
            bytes
                .ranges()
                .iter()
                .any(|range| (range.start()..=range.end()).contains(&b' '))
                .into(),
        ),
        HirKind::Class(Class::Unicode(chars)) => Some(
            chars
                .ranges()
                .iter()
                .any(|range| (range.start()..=range.end()).contains(&' '))
                .into(),
        ),
        HirKind::Capture(capture) => max_spaces(&capture.sub),
        HirKind::Repetition(repetition) => match max_spaces(&repetition.sub)? {
            0 => Some(0),
            body => body.checked_mul(usize::try_from(repetition.max?).ok()?),
        },
        HirKind::Concat(parts) => parts
            .iter()
            .try_fold(0usize, |sum, part| sum.checked_add(max_spaces(part)?)),
        HirKind::Alternation(branches) => branches
            .iter()
            .try_fold(0, |most, branch| Some(most.max(max_spaces(branch)?))),
    }
}

/// Drops every literal that starts with another literal of the set: where it occurs, the
/// shorter one does too. (Only for required sets: exact sets must stay exact.) In sorted
/// order the literals a literal starts are right after it.
pub(super) fn without_redundant(mut set: Literals) -> Literals {
    set.sort_unstable();
    let mut kept: Literals = Vec::with_capacity(set.len());
    for literal in set {
        if !kept
            .last()
            .is_some_and(|shorter| literal.starts_with(shorter))
        {
            kept.push(literal);
        }
    }
    kept
}

fn sets(hir: &Hir) -> Vec<Required> {
    if let Some(set) = exact(hir) {
        return if selectivity(&set).0 > 0 {
            vec![Required {
                literals: set,
                lookback: Some(0),
            }]
        } else {
            Vec::new()
        };
    }
    inexact_sets(hir)
}

/// [`sets`] of a `hir` known to have no exact set.
fn inexact_sets(hir: &Hir) -> Vec<Required> {
    match hir.kind() {
        // A capture is exact when what it holds is.
        HirKind::Capture(capture) => inexact_sets(&capture.sub),
        // The first repeat holds one.
        HirKind::Repetition(repetition) if repetition.min >= 1 => sets(&repetition.sub),
        // (a1 and a2) or (b1 and b2) requires (a1 or b1) and (a2 or b2).
        HirKind::Alternation(branches) => {
            let per_branch: Vec<Vec<Required>> = branches.iter().map(sets).collect();
            let common = per_branch.iter().map(Vec::len).min().unwrap_or(0);
            let mut unions: Vec<Required> = (0..common)
                .map(|i| Required {
                    literals: deduplicated(
                        per_branch
                            .iter()
                            .flat_map(|b| b[i].literals.clone())
                            .collect(),
                    ),
                    lookback: per_branch
                        .iter()
                        .try_fold(0, |most, b| Some(most.max(b[i].lookback?))),
                })
                .collect();
            unions.sort_by_key(|set| std::cmp::Reverse(selectivity(&set.literals)));
            unions
        }
        HirKind::Concat(parts) => concat_sets(parts),
        _ => Vec::new(),
    }
}

/// The most selective requirements among a concatenation's parts and its runs of exact
/// parts multiplied out, taken from parts that do not overlap (a run and a longer run from
/// the same start would require the same text twice).
fn concat_sets(parts: &[Hir]) -> Vec<Required> {
    struct Candidate {
        set: Literals,
        lookback: Option<usize>,
        parts: std::ops::Range<usize>,
        /// One of a single inexact part's own sets, which go together.
        of_part: bool,
    }
    let exact_parts: Vec<Option<Literals>> = parts.iter().map(exact).collect();
    let mut candidates = Vec::new();
    // The most spaces the parts before each part can hold.
    let mut before = Some(0usize);
    for (start, part) in parts.iter().enumerate() {
        let spaces_before = before;
        before = before.and_then(|sum| sum.checked_add(max_spaces(part)?));
        match &exact_parts[start] {
            None => candidates.extend(inexact_sets(part).into_iter().map(|set| Candidate {
                set: set.literals,
                lookback: spaces_before.and_then(|b| b.checked_add(set.lookback?)),
                parts: start..start + 1,
                of_part: true,
            })),
            Some(first) => {
                let mut product = first.clone();
                let mut end = start + 1;
                loop {
                    if selectivity(&product).0 > 0 {
                        candidates.push(Candidate {
                            set: product.clone(),
                            lookback: spaces_before,
                            parts: start..end,
                            of_part: false,
                        });
                    }
                    let Some(Some(next)) = exact_parts.get(end) else {
                        break;
                    };
                    let Some(longer) = multiplied(&product, next) else {
                        break;
                    };
                    product = longer;
                    end += 1;
                }
            }
        }
    }
    // Stable: among equally selective sets the leftmost comes first.
    candidates.sort_by_key(|c| std::cmp::Reverse(selectivity(&c.set)));
    let mut chosen: Vec<Candidate> = Vec::new();
    for candidate in candidates {
        if chosen.len() == MAX_SETS {
            break;
        }
        let overlaps = |other: &Candidate| {
            other.parts.start < candidate.parts.end
                && candidate.parts.start < other.parts.end
                && !(other.of_part && candidate.of_part)
        };
        if !chosen.is_empty() && selectivity(&candidate.set).0 < WORTH_ADDING
            || chosen.iter().any(overlaps)
        {
            continue;
        }
        chosen.push(candidate);
    }
    chosen
        .into_iter()
        .map(|c| Required {
            literals: c.set,
            lookback: c.lookback,
        })
        .collect()
}

/// How selective a required set is, as an ordering key: the length of its shortest
/// literal (capped, and zero if it holds the empty string or only spaces), then fewer
/// literals.
pub(super) fn selectivity(set: &Literals) -> (usize, std::cmp::Reverse<usize>) {
    let shortest = set
        .iter()
        .map(|literal| {
            if literal.iter().all(|&b| b == b' ') {
                0
            } else {
                literal.len().min(ENOUGH)
            }
        })
        .min()
        .unwrap_or(0);
    (shortest, std::cmp::Reverse(set.len()))
}

/// Every string `hir` matches, if there are few enough.
pub(super) fn exact(hir: &Hir) -> Option<Literals> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(vec![Vec::new()]),
        HirKind::Literal(literal) => Some(vec![literal.0.to_vec()]),
        HirKind::Class(class) => class_members(class),
        HirKind::Capture(capture) => exact(&capture.sub),
        HirKind::Repetition(repetition) => {
            let max = repetition.max?;
            let body = exact(&repetition.sub)?;
            let mut power = vec![Vec::new()];
            for _ in 0..repetition.min {
                power = multiplied(&power, &body)?;
            }
            let mut all = power.clone();
            for _ in repetition.min..max {
                power = multiplied(&power, &body)?;
                all.extend(power.iter().cloned());
                if all.len() > MAX_EXACT {
                    return None;
                }
            }
            Some(deduplicated(all))
        }
        HirKind::Concat(parts) => parts.iter().try_fold(vec![Vec::new()], |product, part| {
            multiplied(&product, &exact(part)?)
        }),
        HirKind::Alternation(branches) => {
            let mut union = Vec::new();
            for branch in branches {
                union.extend(exact(branch)?);
                if union.len() > MAX_EXACT {
                    return None;
                }
            }
            Some(deduplicated(union))
        }
    }
}

fn class_members(class: &Class) -> Option<Literals> {
    let mut members = Vec::new();
    match class {
        Class::Bytes(bytes) => {
            for range in bytes.ranges() {
                for byte in range.start()..=range.end() {
                    members.push(vec![byte]);
                    if members.len() > MAX_CLASS {
                        return None;
                    }
                }
            }
        }
        Class::Unicode(chars) => {
            for range in chars.ranges() {
                for c in range.start()..=range.end() {
                    members.push(c.to_string().into_bytes());
                    if members.len() > MAX_CLASS {
                        return None;
                    }
                }
            }
        }
    }
    (!members.is_empty()).then_some(members)
}

/// Every `a` followed by every `b`, if there are few enough.
pub(super) fn multiplied(a: &Literals, b: &Literals) -> Option<Literals> {
    if a.len().saturating_mul(b.len()) > MAX_EXACT {
        return None;
    }
    let mut product = Vec::with_capacity(a.len() * b.len());
    for x in a {
        for y in b {
            let mut joined = x.clone();
            joined.extend_from_slice(y);
            product.push(joined);
        }
    }
    Some(deduplicated(product))
}

pub(super) fn deduplicated(mut set: Literals) -> Literals {
    set.sort_unstable();
    set.dedup();
    set
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::matcher::pattern_syntax;

    /// The most selective required set.
    fn literals(pattern: &str) -> Option<Vec<String>> {
        all_sets(pattern).into_iter().next()
    }

    pub(in crate::matcher) fn parsed(pattern: &str) -> Hir {
        regex_automata::util::syntax::parse_with(pattern, &pattern_syntax()).unwrap()
    }

    pub(in crate::matcher) fn strings(set: Literals) -> Vec<String> {
        set.into_iter()
            .map(|l| String::from_utf8(l).unwrap())
            .collect()
    }

    fn all_sets(pattern: &str) -> Vec<Vec<String>> {
        required_sets(&parsed(pattern))
            .into_iter()
            .map(|set| strings(set.literals))
            .collect()
    }

    /// Each required set's lookback, most selective first.
    fn lookbacks(pattern: &str) -> Vec<Option<usize>> {
        required_sets(&parsed(pattern))
            .into_iter()
            .map(|set| set.lookback)
            .collect()
    }

    #[test]
    fn lookback_counts_the_spaces_a_match_can_hold_before_its_literal() {
        // "doen" after up to 1 + 3 spaces; "ik " at the start.
        assert_eq!(
            lookbacks(r"\bik (?:[^ ]+ ){0,3}(?:doen|maken)\b"),
            vec![Some(4), Some(0)]
        );
        // The larger of the branches'.
        assert_eq!(
            lookbacks(r"\bik (?:[^ ]+ )?hoor\b|\bwe [^ ]+ zien\b"),
            vec![Some(2), Some(0)]
        );
        // A repeat's body: its first repeat holds it (the literal starts at its space).
        assert_eq!(lookbacks(r"(?:[^ ]+ gereset ){2,}"), vec![Some(0)]);
        // A run of exact parts starts where its first part does.
        assert_eq!(lookbacks(r"^ [^ ]+ (?:ik|we) (?:ga|zal) "), vec![Some(1)]);
        // No bound after a class with a space in it, repeated without end.
        assert_eq!(lookbacks(r"\bik [^x]* gereset\b"), vec![None, Some(0)]);
        assert_eq!(
            lookbacks(r"\bik .{0,20} gereset\b"),
            vec![Some(21), Some(0)]
        );
    }

    #[test]
    fn runs_of_exact_parts_multiply_into_longer_literals() {
        assert_eq!(
            literals(r"\b(?:ik|we) (?:ga|zal) [^ ]+ doen\b"),
            Some(owned(&["ik ga ", "ik zal ", "we ga ", "we zal "]))
        );
    }

    #[test]
    fn the_most_selective_part_of_a_concatenation_wins() {
        // " doen" (5 bytes) beats "ik " (3 bytes).
        assert_eq!(
            literals(r"\bik (?:[^ ]+ ){0,3}doen\b"),
            Some(vec!["doen".to_string()])
        );
    }

    #[test]
    fn parts_that_do_not_overlap_are_all_required() {
        assert_eq!(
            all_sets(r"\bik (?:[^ ]+ ){0,3}(?:doen|maken)\b"),
            vec![
                vec!["doen".to_string(), "maken".to_string()],
                vec!["ik ".to_string()],
            ]
        );
        // Each branch's best set joins the other branch's best, its second the second.
        assert_eq!(
            all_sets(r"\bik (?:[^ ]+ )?hoor\b|\bwe [^ ]+ zien\b"),
            vec![
                vec![" zien".to_string(), "hoor".to_string()],
                vec!["ik ".to_string(), "we ".to_string()],
            ]
        );
        // "k " is too short to be worth a second look-up.
        assert_eq!(
            all_sets(r"\bk [^ ]+ hoor\b"),
            vec![vec![" hoor".to_string()]]
        );
    }

    #[test]
    fn every_branch_must_require_something() {
        assert_eq!(
            literals(r"\bsorry\b|\bexcuses\b"),
            Some(vec!["excuses".to_string(), "sorry".to_string()])
        );
        assert_eq!(literals(r"\bsorry\b|^ [^ ]+ $"), None);
    }

    #[test]
    fn optional_parts_and_wide_classes_require_nothing() {
        assert_eq!(literals(r"^ [^ ]+ $"), None);
        assert_eq!(literals(r"(?:hallo )?[^ ]+"), None);
        assert_eq!(
            literals(r"(?:hallo )+[^ ]+"),
            Some(vec!["hallo ".to_string()])
        );
    }

    pub(in crate::matcher) fn owned(literals: &[&str]) -> Vec<String> {
        literals.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn a_set_holding_only_spaces_is_no_requirement() {
        assert_eq!(literals(r"[^ ]+ [^ ]+"), None);
    }
}
