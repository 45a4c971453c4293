//! What a pattern may be, checked when the rules load so that a broken one is a located
//! error in the rule file instead of a rule that silently never matches:
//! - it must not match the empty string (`x*`, `(?:ja)?`): an empty match quotes nothing
//!   and would be dropped everywhere;
//! - it must stay small once its counted repetitions are written out. `(?:ja|nee){1000}{1000}`
//!   parses, but its automaton cannot be built (the regexes are compiled the first time
//!   text needs them, and a failed build is a pattern that never matches) or would take
//!   gigabytes. [`expanded_size`] estimates the automaton from the syntax tree without
//!   building it, so loading stays as fast as before.

use regex_syntax::hir::{Hir, HirKind};

/// The largest [`expanded_size`] a pattern may have. The built-in pack's largest is about
/// a sixteenth of it (a test keeps that headroom in view).
pub(super) const MAX_EXPANDED_SIZE: u64 = 200_000;

/// Why a pattern cannot be a rule, if it cannot.
pub(super) fn check(hir: &Hir) -> Result<(), String> {
    if hir.properties().minimum_len() == Some(0) {
        return Err(
            "the pattern can match the empty string (as `x*` or `(?:ja)?` can): \
                    a rule must match at least one character"
                .to_string(),
        );
    }
    let size = expanded_size(hir);
    if size > MAX_EXPANDED_SIZE {
        return Err(format!(
            "the pattern is too large: written out, its counted repetitions ({{n}}, \
             {{m,n}}) come to about {size} automaton states, more than {MAX_EXPANDED_SIZE}; \
             use fewer or smaller counted repetitions"
        ));
    }
    Ok(())
}

/// Roughly how many states the pattern's automaton has: literal bytes, classes and
/// assertions count one each, and a counted repetition copies what it repeats once per
/// count (an open-ended one once more, for the loop). Saturates instead of overflowing.
pub(super) fn expanded_size(hir: &Hir) -> u64 {
    match hir.kind() {
        HirKind::Empty | HirKind::Class(_) | HirKind::Look(_) => 1,
        HirKind::Literal(literal) => literal.0.len() as u64,
        HirKind::Capture(capture) => expanded_size(&capture.sub),
        HirKind::Repetition(repetition) => {
            let copies = match repetition.max {
                Some(max) => u64::from(max),
                None => u64::from(repetition.min) + 1,
            };
            copies.max(1).saturating_mul(expanded_size(&repetition.sub))
        }
        HirKind::Concat(parts) | HirKind::Alternation(parts) => {
            parts.iter().fold(0u64, |total, part| {
                total.saturating_add(expanded_size(part))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::pattern_syntax;
    use regex_automata::util::syntax;

    fn checked(pattern: &str) -> Result<(), String> {
        check(&syntax::parse_with(pattern, &pattern_syntax()).unwrap())
    }

    #[test]
    fn empty_matches_and_huge_repetitions_are_refused() {
        assert!(checked(r"\bexcuses\b").is_ok());
        assert!(checked(r"(?:^| )ja(?: [^ ]+){0,3} hoor\b").is_ok());
        for empty in ["x*", "(?:ja)?", "", r"\b", "(?:^| )"] {
            let err = checked(empty).unwrap_err();
            assert!(err.contains("empty string"), "{empty}: {err}");
        }
        let err = checked("(?:excuses|sorry){1000}{1000}").unwrap_err();
        assert!(err.contains("too large"), "{err}");
        assert!(err.contains("12000000"), "{err}");
    }

    #[test]
    fn sizes_count_repetitions_as_copies() {
        let size = |p: &str| expanded_size(&syntax::parse_with(p, &pattern_syntax()).unwrap());
        assert_eq!(size("abc"), 3);
        assert_eq!(size("(?:ab|c){2,3}"), 9);
        assert_eq!(size("a+"), 2);
        assert_eq!(size("(?:a{1000}){1000}{1000}{1000}{1000}"), 10u64.pow(15));
        assert_eq!(
            size("a{1000}{1000}{1000}{1000}{1000}{1000}{1000}"),
            u64::MAX
        );
    }

    #[test]
    fn the_built_in_pack_keeps_its_distance_from_the_limit() {
        let rules = crate::rules::Rules::load_default().unwrap();
        let largest = rules
            .rules
            .iter()
            .filter(|rule| matches!(rule.kind, crate::rules::RuleKind::Pattern))
            .map(|rule| {
                let nominating = crate::rules::macros::expand(&rule.source[0])
                    .unwrap()
                    .nominating;
                expanded_size(&syntax::parse_with(&nominating, &pattern_syntax()).unwrap())
            })
            .max()
            .unwrap();
        assert!(largest > 1000, "{largest}: the estimate counts something");
        assert!(largest * 10 < MAX_EXPANDED_SIZE, "{largest}");
    }
}
