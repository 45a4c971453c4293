//! Finds rule candidates in a turn's normalised text.
//!
//! A rule can only ever be tagged on its technique's speaker's turns, so the matcher is
//! built twice, once per speaker, each with only the rules that can apply to that speaker
//! (jargon `term` rules on both: the customer's use of a term matters too). Per side, every
//! phrase is compiled into one Aho-Corasick DFA and every pattern into one `RegexSet`
//! (plus the individual regexes, to locate a match: only the patterns the set says match
//! are searched). A turn is scanned once for phrases, each utterance once by the set.
//! (Tried and measured slower: nominating patterns by required literals found by the
//! automaton and running each nominated regex; in Dutch call text the literals a pattern
//! needs are too common.) The matcher is built with the rules and shared read-only across
//! threads; `find` only appends to the caller's buffer. Moods, negation and the rest of
//! what makes a candidate a tag are [`crate::tag`]'s.

use crate::transcript::Speaker;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::{RegexSet, RegexSetBuilder};
use regex_automata::meta::Regex;
use std::collections::HashMap;
use std::ops::Range;

/// One candidate: a rule matched the normalised text at `span` (padding spaces excluded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub rule: usize,
    pub span: Range<usize>,
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
    patterns: RegexSet,
    pattern_regexes: Vec<Regex>,
    pattern_rules: Vec<usize>,
}

impl Matcher {
    /// `phrases`: folded, space-padded phrases with their rule and sides; `patterns`:
    /// sources and compiled regexes with their rule and sides.
    pub fn new(
        phrases: &[(String, usize, Sides)],
        patterns: &[(String, Regex, usize, Sides)],
    ) -> Result<Matcher, String> {
        let side = |speaker: Speaker| {
            let phrases: Vec<(&str, usize)> = phrases
                .iter()
                .filter(|(_, _, sides)| sides.includes(speaker))
                .map(|(phrase, rule, _)| (phrase.as_str(), *rule))
                .collect();
            let patterns: Vec<(&str, &Regex, usize)> = patterns
                .iter()
                .filter(|(_, _, _, sides)| sides.includes(speaker))
                .map(|(source, regex, rule, _)| (source.as_str(), regex, *rule))
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
        out: &mut Vec<Candidate>,
    ) {
        let side = match speaker {
            Speaker::Agent => &self.agent,
            Speaker::Customer => &self.customer,
        };
        side.find_phrases(text, out);
        for range in utterances {
            side.find_patterns(text, range.clone(), out);
        }
    }
}

impl Side {
    fn new(phrases: &[(&str, usize)], patterns: &[(&str, &Regex, usize)]) -> Result<Side, String> {
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
            .kind(Some(AhoCorasickKind::DFA))
            .build(&texts)
            .map_err(|e| format!("cannot build the phrase automaton: {e}"))?;
        let sources: Vec<&str> = patterns.iter().map(|(p, _, _)| *p).collect();
        let set =
            // The packs' ~170 Dutch patterns overflow the lazy DFA's default 2 MiB cache,
            // which sends every search to the slow PikeVM (measured 90x slower); with
            // 16 MiB new text still thrashed the cache (whole corpus 37x slower than 64 MiB).
            // The cache grows only as states are needed: peak RSS stayed ~65 MiB.
            RegexSetBuilder::new(&sources)
                .dfa_size_limit(64 << 20)
                .build()
                .map_err(|e| format!("cannot build the pattern set: {e}"))?;
        Ok(Side {
            phrases: automaton,
            phrase_rules,
            patterns: set,
            pattern_rules: patterns.iter().map(|(_, _, r)| *r).collect(),
            pattern_regexes: patterns
                .iter()
                .map(|(_, regex, _)| (*regex).clone())
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
    fn find_patterns(&self, text: &str, range: Range<usize>, out: &mut Vec<Candidate>) {
        let utterance = &text[range.clone()];
        for index in self.patterns.matches(utterance).iter() {
            // Every match, not just the first: a later one may hold where the first is
            // negated or in the wrong mood (run-on ASR turns hold several sentences).
            for m in self.pattern_regexes[index].find_iter(utterance) {
                // Like phrase spans, pattern spans exclude the padding spaces a pattern
                // may consume as word boundaries.
                let found = &utterance[m.range()];
                let start = m.start() + (found.len() - found.trim_start_matches(' ').len());
                let end = (m.start() + found.trim_end_matches(' ').len()).max(start);
                out.push(Candidate {
                    rule: self.pattern_rules[index],
                    span: range.start + start..range.start + end,
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
        let pattern = |source: &str, rule, sides| {
            (source.to_string(), Regex::new(source).unwrap(), rule, sides)
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
        m.find(Speaker::Agent, text, &utterances, &mut out);
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
        m.find(Speaker::Customer, text, &utterances, &mut out);
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
