//! Finds rule candidates in a turn's normalised text.
//!
//! A rule can only ever be tagged on its technique's speaker's turns, so the matcher is
//! built twice, once per speaker, each with only the rules that can apply to that speaker
//! (jargon `term` rules on both: the customer's use of a term matters too). Per side, every
//! phrase is compiled into one Aho-Corasick automaton and every pattern into one forward lazy DFA
//! that tells which patterns match an utterance (plus the individual regexes, compiled
//! the first time the set nominates them, to locate the matches of only those). The set
//! runs each pattern's nominating form, the individual regex its exact form (see
//! [`crate::rules::macros`]). A turn is scanned once for phrases, each utterance once by
//! the pattern set.
//!
//! Patterns are compiled over bytes with ASCII classes ([`pattern_syntax`]): normalised
//! text is lower-case ASCII but for the rare letter no accent folding reaches, so `[^ ]`
//! and `\b` mean the same as their Unicode forms there, while the compiled automata are a
//! third smaller and the lazy DFA never has to give up on a non-ASCII byte. Match spans
//! are widened to character boundaries.
//! (Tried and measured slower: nominating patterns by required literals found by the
//! automaton and running each nominated regex; in Dutch call text the literals a pattern
//! needs are too common.) The matcher is built with the rules and shared read-only across
//! threads; `find` only appends to the caller's buffer. Moods, negation and the rest of
//! what makes a candidate a tag are [`crate::tag`]'s.

use crate::transcript::Speaker;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::meta::Regex;
use regex_automata::nfa::thompson;
use regex_automata::util::pool::Pool;
use regex_automata::util::syntax;
use regex_automata::{Input, PatternSet};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

/// A pattern rule as the matcher needs it (see [`crate::rules::macros`]).
#[derive(Debug, Clone)]
pub struct PatternSource {
    /// The regex that locates the rule's matches.
    pub exact: String,
    /// A regex that matches wherever `exact` does (perhaps more often), for the pattern set.
    pub nominating: String,
    pub rule: usize,
    pub sides: Sides,
}

/// One candidate: a rule matched the normalised text at `span` (padding spaces excluded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub rule: usize,
    pub span: Range<usize>,
}

/// Widens a byte span of `text` to character boundaries (a byte-level match may start or
/// end inside a multi-byte character).
fn char_aligned(text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    (start, end)
}

/// Which speakers' turns a phrase or pattern is looked for in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sides {
    Only(Speaker),
    Both,
}

impl Sides {
    fn includes(self, speaker: Speaker) -> bool {
        self == Sides::Both || self == Sides::Only(speaker)
    }
}

#[derive(Debug)]
pub struct Matcher {
    agent: Side,
    customer: Side,
}

/// The compiled phrases and patterns of the rules that apply to one speaker.
#[derive(Debug)]
struct Side {
    phrases: AhoCorasick,
    /// Automaton pattern id -> the rules that share that phrase.
    phrase_rules: Vec<Vec<usize>>,
    patterns: Patterns,
    pattern_regexes: Vec<LocatingRegex>,
    pattern_rules: Vec<usize>,
}

/// The syntax every pattern is compiled with: bytes, ASCII classes (see the module docs).
pub fn pattern_syntax() -> syntax::Config {
    syntax::Config::new().unicode(false).utf8(false)
}

/// Checks that `pattern` is a valid regex in the matcher's syntax (parsing only: the
/// matcher compiles a pattern when it first needs it).
pub fn validate_pattern(pattern: &str) -> Result<(), String> {
    syntax::parse_with(pattern, &pattern_syntax())
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// One pattern as run to locate its matches, compiled the first time the pattern set
/// nominates it: a run compiles only the patterns its calls need, and loading the rules
/// builds one automaton instead of hundreds.
#[derive(Debug)]
struct LocatingRegex {
    source: String,
    regex: OnceLock<Option<Regex>>,
}

impl LocatingRegex {
    fn new(source: &str) -> LocatingRegex {
        LocatingRegex {
            source: source.to_string(),
            regex: OnceLock::new(),
        }
    }

    /// `None` only if the regex cannot be built, which loading rules out: the source was
    /// validated and there is no size limit.
    fn get(&self) -> Option<&Regex> {
        self.regex
            .get_or_init(|| {
                Regex::builder()
                    .syntax(pattern_syntax())
                    .configure(
                        Regex::config()
                            .utf8_empty(false)
                            .nfa_size_limit(None)
                            .which_captures(thompson::WhichCaptures::Implicit),
                    )
                    .build(&self.source)
                    .ok()
            })
            .as_ref()
    }
}

type CacheFn =
    Box<dyn Fn() -> Cache + Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe>;

/// All of a side's patterns as one forward lazy DFA, which only answers "which patterns
/// match this utterance" (no reverse automaton, no captures: half the memory of a
/// `RegexSet`). Each thread takes a cache from the pool.
struct Patterns {
    dfa: DFA,
    caches: Pool<Cache, CacheFn>,
}

impl std::fmt::Debug for Patterns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Patterns")
            .field("patterns", &self.dfa.pattern_len())
            .finish()
    }
}

impl Patterns {
    fn new(sources: &[&str]) -> Result<Patterns, String> {
        let dfa = DFA::builder()
            .syntax(pattern_syntax())
            .thompson(
                thompson::Config::new()
                    .utf8(false)
                    .which_captures(thompson::WhichCaptures::None)
                    // A full pack's agent patterns compile past the default 10 MiB.
                    .nfa_size_limit(Some(64 << 20)),
            )
            .configure(
                DFA::config()
                    .match_kind(regex_automata::MatchKind::All)
                    // ~200 Dutch patterns overflow the default 2 MiB cache, which made
                    // searches many times slower (16 MiB still thrashed). The cache grows
                    // only as states are needed.
                    .cache_capacity(64 << 20),
            )
            .build_many(sources)
            .map_err(|e| format!("cannot build the pattern set: {e}"))?;
        let for_caches = dfa.clone();
        let create: CacheFn = Box::new(move || for_caches.create_cache());
        Ok(Patterns {
            dfa,
            caches: Pool::new(create),
        })
    }

    /// Which patterns match `haystack`, into `set`; false when the lazy DFA gave up.
    fn which_match(&self, cache: &mut Cache, haystack: &str, set: &mut PatternSet) -> bool {
        set.clear();
        self.dfa
            .try_which_overlapping_matches(cache, &Input::new(haystack), set)
            .is_ok()
    }
}

impl Matcher {
    /// `phrases`: folded, space-padded phrases with their rule and sides; `patterns`:
    /// validated patterns with their rule and sides.
    pub fn new(
        phrases: &[(String, usize, Sides)],
        patterns: &[PatternSource],
    ) -> Result<Matcher, String> {
        let side = |speaker: Speaker| {
            let phrases: Vec<(&str, usize)> = phrases
                .iter()
                .filter(|(_, _, sides)| sides.includes(speaker))
                .map(|(phrase, rule, _)| (phrase.as_str(), *rule))
                .collect();
            let patterns: Vec<&PatternSource> = patterns
                .iter()
                .filter(|p| p.sides.includes(speaker))
                .collect();
            Side::new(&phrases, &patterns)
        };
        Ok(Matcher {
            agent: side(Speaker::Agent)?,
            customer: side(Speaker::Customer)?,
        })
    }

    /// Every candidate for a turn of `speaker` in `text` (the whole normalised turn),
    /// appended to `out`. `utterances` are the ranges of `text` that hold the turn's
    /// utterances (padding included): a pattern matches within one utterance, a phrase
    /// anywhere (the caller drops phrases that cross a boundary).
    pub fn find(
        &self,
        speaker: Speaker,
        text: &str,
        utterances: &[Range<usize>],
        scratch: &mut MatchScratch,
        out: &mut Vec<Candidate>,
    ) {
        let (side, set) = match speaker {
            Speaker::Agent => (&self.agent, &mut scratch.agent),
            Speaker::Customer => (&self.customer, &mut scratch.customer),
        };
        let set = set.get_or_insert_with(|| PatternSet::new(side.pattern_regexes.len()));
        side.find_phrases(text, out);
        // One cache for the whole turn: taking it from the pool is a lock on every thread
        // but the one that built the pool.
        let mut cache = side.patterns.caches.get();
        for range in utterances {
            side.find_patterns(text, range.clone(), &mut cache, set, out);
        }
    }
}

/// Buffers [`Matcher::find`] reuses from turn to turn (one per thread).
#[derive(Debug, Default)]
pub struct MatchScratch {
    agent: Option<PatternSet>,
    customer: Option<PatternSet>,
}

impl Side {
    fn new(phrases: &[(&str, usize)], patterns: &[&PatternSource]) -> Result<Side, String> {
        let mut unique: HashMap<&str, usize> = HashMap::new();
        let mut texts: Vec<&str> = Vec::new();
        let mut phrase_rules: Vec<Vec<usize>> = Vec::new();
        for &(phrase, rule) in phrases {
            let id = *unique.entry(phrase).or_insert_with(|| {
                texts.push(phrase);
                phrase_rules.push(Vec::new());
                texts.len() - 1
            });
            if !phrase_rules[id].contains(&rule) {
                phrase_rules[id].push(rule);
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            // Not the DFA: with ~3,600 agent phrases it took 13.6 MiB against ~1 MiB,
            // and end to end it was no faster (phrases are ~10% of the time, the DFA's
            // build at load costs as much as it saves on a 10,000-call run).
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&texts)
            .map_err(|e| format!("cannot build the phrase automaton: {e}"))?;
        let nominating: Vec<&str> = patterns.iter().map(|p| p.nominating.as_str()).collect();
        Ok(Side {
            phrases: automaton,
            phrase_rules,
            patterns: Patterns::new(&nominating)?,
            pattern_rules: patterns.iter().map(|p| p.rule).collect(),
            pattern_regexes: patterns
                .iter()
                .map(|p| LocatingRegex::new(&p.exact))
                .collect(),
        })
    }

    /// Phrase candidates anywhere in `text` (a whole turn), appended to `out`.
    fn find_phrases(&self, text: &str, out: &mut Vec<Candidate>) {
        for m in self.phrases.find_overlapping_iter(text) {
            for &rule in &self.phrase_rules[m.pattern().as_usize()] {
                out.push(Candidate {
                    rule,
                    span: m.start() + 1..m.end() - 1,
                });
            }
        }
    }

    /// Pattern candidates in one utterance `text[range]` (every non-overlapping match of
    /// every pattern the set says matches), appended to `out` with spans in `text`
    /// coordinates.
    fn find_patterns(
        &self,
        text: &str,
        range: Range<usize>,
        cache: &mut Cache,
        set: &mut PatternSet,
        out: &mut Vec<Candidate>,
    ) {
        let utterance = &text[range.clone()];
        if !self.patterns.which_match(cache, utterance, set) {
            // The lazy DFA gave up (it never has so far): search every pattern.
            for index in 0..self.pattern_regexes.len() {
                set.insert(regex_automata::PatternID::must(index));
            }
        }
        let matching = set.iter().map(|p| p.as_usize());
        for index in matching {
            let Some(regex) = self.pattern_regexes[index].get() else {
                continue;
            };
            // Every match, not just the first: a later one may hold where the first is
            // negated or in the wrong mood (run-on ASR turns hold several sentences).
            for m in regex.find_iter(utterance.as_bytes()) {
                let (start, end) = char_aligned(utterance, m.start(), m.end());
                // Like phrase spans, pattern spans exclude the padding spaces a pattern
                // may consume as word boundaries.
                let found = &utterance[start..end];
                let trimmed_start = start + (found.len() - found.trim_start_matches(' ').len());
                let trimmed_end = (start + found.trim_end_matches(' ').len()).max(trimmed_start);
                out.push(Candidate {
                    rule: self.pattern_rules[index],
                    span: range.start + trimmed_start..range.start + trimmed_end,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_whole_words_and_patterns_per_utterance() {
        let agent = Sides::Only(Speaker::Agent);
        let pattern = |source: &str, rule, sides| PatternSource {
            exact: source.to_string(),
            nominating: source.to_string(),
            rule,
            sides,
        };
        let m = Matcher::new(
            &[
                (" ja ".into(), 0, agent),
                (" ja ".into(), 1, Sides::Both),
                (" ik begrijp het ".into(), 2, agent),
            ],
            &[
                pattern(r" (wat|hoe) ", 3, agent),
                pattern(r"^ [^ ]+ ", 4, agent),
            ],
        )
        .unwrap();
        let text = " jaar ja ja ik begrijp het hoe dan ";
        let utterances = [0..27, 26..text.len()];
        let mut out = Vec::new();
        let mut scratch = MatchScratch::default();
        m.find(Speaker::Agent, text, &utterances, &mut scratch, &mut out);
        let found: Vec<(usize, &str)> = out
            .iter()
            .map(|c| (c.rule, &text[c.span.clone()]))
            .collect();
        assert_eq!(
            found,
            vec![
                (0, "ja"),
                (1, "ja"),
                (0, "ja"),
                (1, "ja"),
                (2, "ik begrijp het"),
                (4, "jaar"),
                (3, "hoe"),
                (4, "hoe"),
            ]
        );
        out.clear();
        m.find(Speaker::Customer, text, &utterances, &mut scratch, &mut out);
        let found: Vec<(usize, &str)> = out
            .iter()
            .map(|c| (c.rule, &text[c.span.clone()]))
            .collect();
        assert_eq!(
            found,
            vec![(1, "ja"), (1, "ja")],
            "only rules for both sides"
        );
    }
}
