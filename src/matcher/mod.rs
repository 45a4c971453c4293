//! Finds rule candidates in a turn's normalised text.
//!
//! A rule can only ever be tagged on its technique's speaker's turns, so the matcher is
//! built twice, once per speaker, each with only the rules that can apply to that speaker
//! (jargon `term` rules on both: the customer's use of a term matters too). Per side:
//! - every phrase is compiled into one Aho-Corasick automaton, run once over the turn;
//! - every pattern gets its own regex, compiled the first time it is needed. Each branch
//!   of its top-level alternation (or the whole, if it is none) gets up to three sets of
//!   literals such that each of the branch's matches contains a literal of every set
//!   ([`required`]). One more Aho-Corasick automaton finds all branches' literals in an
//!   utterance; a branch is nominated when a literal of each of its sets is there (or it
//!   has no set), and only patterns with a nominated branch are run. Many rules are large
//!   alternations of unrelated constructions (`\bslaat ... nergens op\b|\bik maak me ...
//!   zorgen\b|...`) that require nothing as a whole, while each branch requires its own
//!   words.
//! - a pattern is tried anchored at the places where its nominated branches' matches can
//!   start ([`starts`]): where the automaton found one of the few literals all a branch's
//!   matches start with (`\bik (?:ga|zal)`), else at the utterance's spaces, word
//!   boundaries or start, as the branch's syntax allows, and then only those within as
//!   many spaces before a literal of its first set as a match can hold
//!   ([`required::Required::lookback`]). Only the few branches whose matches may start
//!   inside a word (1 of the built-in pack's 936 agent branches) make their pattern searched
//!   for through the utterance. Anchored tries need only the pattern's forward lazy DFA,
//!   whose states then track one partial match instead of one from every position: on
//!   hand-written calls that took memory from 166 to 103 MiB and time by a third.
//!   Nominating and placing by branch instead of by pattern (2026-11-29) took the lazy
//!   DFAs' work on 2,000 generated calls from 3.9 to 1.6 billion instructions.
//! - each pattern's lazy DFA has one cache that all threads share, and all caches share a
//!   budget ([`CACHE_BUDGET`], `analyze --cache-mib`): over it, the least recently used are
//!   dropped after a turn, so memory stays bounded however varied the archive.
//!
//! The pattern regexes run each pattern's exact form (see [`crate::rules::macros`]); the
//! branches, literals and start places are read off its nominating form, which matches
//! wherever the exact form does, once when the rules load ([`PatternShape`]), and the parse
//! dropped. A match of the whole is a match of one branch, which then holds that branch's
//! literals and starts where it can, so a pattern is still tried at every place a match
//! can start, and finds the same leftmost-first matches.
//!
//! (Measured and replaced: all patterns in one lazy DFA that told which of them match an
//! utterance. On generated text it was fast, but on real calls its cache never warmed:
//! every new combination of words made new states for hundreds of patterns at once, and
//! the hand-written corpus ran at 0.04 MB/s in 280 MiB.)
//!
//! Patterns are compiled over bytes with ASCII classes ([`pattern_syntax`]): normalised
//! text is lower-case ASCII but for the rare letter no accent folding reaches, so `[^ ]`
//! and `\b` mean the same as their Unicode forms there, while the compiled automata are a
//! third smaller and the lazy DFAs never have to give up on a non-ASCII byte. Match spans
//! are widened to character boundaries. The matcher is built with the rules and shared
//! read-only across threads; `find` only appends to the caller's buffer. Moods, negation
//! and the rest of what makes a candidate a tag are [`crate::tag`]'s.

mod limits;
mod pattern;
mod required;
mod starts;

use crate::transcript::Speaker;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use pattern::{CacheMemory, PatternRegex};
use regex_automata::util::syntax;
use regex_syntax::hir::{Hir, HirKind};
use required::{Literals, Required};
use std::collections::HashMap;
use std::ops::Range;

/// A pattern rule as the matcher needs it (see [`crate::rules::macros`]).
#[derive(Debug, Clone)]
pub struct PatternSource {
    /// The regex that locates the rule's matches.
    pub exact: String,
    /// What the matcher reads off the pattern's nominating form ([`PatternShape::read`]).
    pub shape: PatternShape,
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
    cache_memory: CacheMemory,
    cache_budget: usize,
}

/// How much the patterns' lazy-DFA caches may hold in all before the least recently used
/// are dropped. Hand-written calls keep making new automaton states, so without a bound
/// the caches grow with the archive (up to 2 MiB per pattern). Measured on `corpus/` with
/// the round-7 pack (2 threads): no budget 102 MiB; 48 MiB 100 MiB at the same speed; 40
/// MiB 92 MiB, the same speed on one pass and 1.2x slower on three passes (states dropped
/// and built again); below that runs slow down more and RSS no longer falls. Rule round 9
/// (2026-11-29) added 5 MiB outside the caches (1 thread: 97.7 MiB, 2 threads: 103 MiB at
/// 40): 34 MiB keeps 2 threads at 97 MiB, for 7% more instructions on the tuning part.
pub const CACHE_BUDGET: usize = 34 << 20;

/// The compiled phrases and patterns of the rules that apply to one speaker.
#[derive(Debug)]
struct Side {
    phrases: AhoCorasick,
    /// Automaton pattern id -> the rules that share that phrase.
    phrase_rules: Vec<Vec<usize>>,
    /// The patterns' required and starting literals.
    literals: AhoCorasick,
    /// Automaton pattern id -> each pattern that needs that literal, and what for.
    literal_uses: Vec<Vec<(usize, LiteralUse)>>,
    patterns: Vec<Pattern>,
    /// The patterns' branches, pattern by pattern.
    branches: Vec<Branch>,
    /// The branches that require no literal, in order.
    unconditional: Vec<usize>,
}

/// One pattern rule as the matcher runs it.
#[derive(Debug)]
struct Pattern {
    rule: usize,
    regex: PatternRegex,
}

/// One branch of a pattern's top-level alternation (or the whole pattern), as the matcher
/// nominates it: the pattern is run on an utterance that holds what one of its branches
/// requires, and tried where the branches so nominated can start. Each branch of a large
/// alternation (`\bslaat ... nergens op\b|\bik maak me ... zorgen\b|...`) has literals
/// of its own to require and start at, where the whole has none.
#[derive(Debug)]
struct Branch {
    /// The pattern it is of.
    pattern: usize,
    /// A bit for each of its required literal sets (none: nominated on every utterance).
    required_sets: u8,
    /// Where its matches can start.
    start: Start,
}

/// What a branch needs a literal of the literal automaton for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LiteralUse {
    /// It is in the required set with this bit; `anchors`: where it is found bounds where
    /// the branch's matches can start (the lookback of [`Start::At`]).
    Required { bit: u8, anchors: bool },
    /// A match may start where it is found.
    Starts,
}

/// The syntax every pattern is compiled with: bytes, ASCII classes (see the module docs).
pub fn pattern_syntax() -> syntax::Config {
    syntax::Config::new().unicode(false).utf8(false)
}

/// What the matcher needs to know of a pattern before it runs it, read off its nominating
/// form: a regex that matches wherever the pattern does (perhaps more often) and is simpler
/// to read literals off (see [`crate::rules::macros`]).
#[derive(Debug, Clone)]
pub struct PatternShape {
    /// The branches of its top-level alternation, or itself if it is none.
    branches: Vec<BranchShape>,
}

/// A [`Branch`] as read off the pattern's syntax.
#[derive(Debug, Clone)]
struct BranchShape {
    /// Literal sets every match contains one literal of each ([`required`]).
    required: Vec<Required>,
    start: StartShape,
}

/// Where a pattern's matches can start, as read off its syntax ([`starts`]).
#[derive(Debug, Clone)]
enum StartShape {
    Literals(Literals),
    At(starts::Begins),
    Anywhere,
}

impl PatternShape {
    /// Parses `nominating` in the matcher's syntax (the error says why it is no valid regex
    /// there, or why it cannot be a rule: [`limits`]) and reads the shape off it. The parse
    /// is dropped here: kept for every pattern until the matcher was built, the syntax trees
    /// took 20 MiB at their peak.
    pub fn read(nominating: &str) -> Result<PatternShape, String> {
        let hir = syntax::parse_with(nominating, &pattern_syntax()).map_err(|e| e.to_string())?;
        limits::check(&hir)?;
        let mut branches = Vec::new();
        top_branches(&hir, &mut branches);
        Ok(PatternShape {
            branches: branches.into_iter().map(BranchShape::read).collect(),
        })
    }
}

/// The branches of `hir`'s top-level alternation, nested ones flattened (a match of the
/// whole is a match of one of them), or `hir` itself.
fn top_branches<'a>(hir: &'a Hir, out: &mut Vec<&'a Hir>) {
    match hir.kind() {
        HirKind::Capture(capture) => top_branches(&capture.sub, out),
        HirKind::Alternation(branches) => {
            for branch in branches {
                top_branches(branch, out);
            }
        }
        _ => out.push(hir),
    }
}

impl BranchShape {
    fn read(hir: &Hir) -> BranchShape {
        let begins = starts::where_matches_begin(hir);
        let only_at_utterance_start = starts::Begins {
            utterance_start: true,
            ..Default::default()
        };
        // One place beats the places a starting literal is found.
        let start = match begins {
            Some(begins) if begins == only_at_utterance_start => StartShape::At(begins),
            _ => match (starts::starting_set(hir), begins) {
                (Some(literals), _) => StartShape::Literals(literals),
                (None, Some(begins)) => StartShape::At(begins),
                (None, None) => StartShape::Anywhere,
            },
        };
        BranchShape {
            required: required::required_sets(hir),
            start,
        }
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
            cache_memory: CacheMemory::default(),
            cache_budget: CACHE_BUDGET,
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
        let side = match speaker {
            Speaker::Agent => &self.agent,
            Speaker::Customer => &self.customer,
        };
        side.find_phrases(text, out);
        self.cache_memory.count_turn();
        for range in utterances {
            side.find_patterns(text, range.clone(), &self.cache_memory, scratch, out);
        }
        self.keep_caches_in_budget();
    }

    /// Sets how much the patterns' lazy-DFA caches may hold in all, in bytes (default
    /// [`CACHE_BUDGET`]). Results never depend on it; speed and memory do.
    pub fn set_cache_budget(&mut self, bytes: usize) {
        self.cache_budget = bytes;
    }

    /// Over the budget ([`CACHE_BUDGET`]), drops the least recently used caches until all
    /// hold 1/32 less than it: the room lets some turns pass before the next round, which
    /// sorts every pattern's cache, instead of one round after nearly every turn. (Dropping
    /// to 3/4 of the budget was slower on `corpus/` three times over: more states to build
    /// again.) A cache another thread is using is left alone.
    fn keep_caches_in_budget(&self) {
        if self.cache_memory.bytes() <= self.cache_budget {
            return;
        }
        let enough = self.cache_budget - self.cache_budget / 32;
        let mut in_use: Vec<(u64, &PatternRegex)> = self
            .agent
            .patterns
            .iter()
            .chain(&self.customer.patterns)
            .filter_map(|pattern| Some((pattern.regex.cache_last_used()?, &pattern.regex)))
            .collect();
        in_use.sort_unstable_by_key(|&(last_used, _)| last_used);
        for (_, regex) in in_use {
            regex.drop_cache(&self.cache_memory);
            if self.cache_memory.bytes() <= enough {
                return;
            }
        }
    }
}

/// Where a pattern's matches can start (see [`starts`]).
#[derive(Debug, Clone, Copy)]
enum Start {
    /// Where the automaton found one of the pattern's [`LiteralUse::Starts`] literals.
    AtLiterals,
    /// At these kinds of places; with a `lookback`, only those at most this many spaces
    /// before a literal of its first required set ([`Required::lookback`]).
    At {
        begins: starts::Begins,
        lookback: Option<usize>,
    },
    /// Anywhere: the pattern is searched for.
    Anywhere,
}

/// Distinct keys in first-seen order (the ids an automaton built from them reports), each
/// with the distinct values added with it.
struct Grouped<K, V> {
    ids: HashMap<K, usize>,
    keys: Vec<K>,
    values: Vec<Vec<V>>,
}

impl<K, V> Default for Grouped<K, V> {
    fn default() -> Self {
        Grouped {
            ids: HashMap::new(),
            keys: Vec::new(),
            values: Vec::new(),
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone, V: PartialEq> Grouped<K, V> {
    fn add(&mut self, key: K, value: V) {
        let id = *self.ids.entry(key.clone()).or_insert_with(|| {
            self.keys.push(key);
            self.values.push(Vec::new());
            self.keys.len() - 1
        });
        if !self.values[id].contains(&value) {
            self.values[id].push(value);
        }
    }
}

/// Buffers [`Matcher::find`] reuses from turn to turn (one per thread).
#[derive(Debug, Default)]
pub struct MatchScratch {
    /// (branch, offset in the utterance) of each literal found that a match of the branch
    /// may start at.
    starts: Vec<(usize, usize)>,
    /// (branch, offset in the utterance) of each literal found that a match of the branch
    /// starts near (the lookback of [`Start::At`]).
    anchors: Vec<(usize, usize)>,
    /// The utterance's places where patterns may start, by kind.
    places: StartPlaces,
    /// Per branch of the side's patterns, the bits of its required sets found in the
    /// utterance at hand.
    found_sets: Vec<u8>,
    /// The branches with a literal of each of their required sets in the utterance at hand
    /// (and those that require none).
    nominated: Vec<usize>,
    /// Where the pattern at hand is tried.
    tried: Vec<usize>,
}

impl Side {
    fn new(phrases: &[(&str, usize)], patterns: &[&PatternSource]) -> Result<Side, String> {
        let mut phrase_rules = Grouped::default();
        for &(phrase, rule) in phrases {
            phrase_rules.add(phrase, rule);
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            // Not the DFA: with ~3,600 agent phrases it took 13.6 MiB against ~1 MiB,
            // and end to end it was no faster (phrases are ~10% of the time, the DFA's
            // build at load costs as much as it saves on a 10,000-call run).
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&phrase_rules.keys)
            .map_err(|e| format!("cannot build the phrase automaton: {e}"))?;
        let mut literal_uses = Grouped::default();
        let mut compiled = Vec::with_capacity(patterns.len());
        let mut branches = Vec::new();
        let mut unconditional = Vec::new();
        for (pattern_index, pattern) in patterns.iter().enumerate() {
            for shape in &pattern.shape.branches {
                let index = branches.len();
                let required_sets = ((1u16 << shape.required.len()) - 1) as u8;
                if required_sets == 0 {
                    unconditional.push(index);
                }
                let lookback = match shape.start {
                    StartShape::At(_) => shape.required.first().and_then(|set| set.lookback),
                    _ => None,
                };
                for (set_index, set) in shape.required.iter().enumerate() {
                    for literal in &set.literals {
                        let used = LiteralUse::Required {
                            bit: 1 << set_index,
                            anchors: set_index == 0 && lookback.is_some(),
                        };
                        literal_uses.add(literal.clone(), (index, used));
                    }
                }
                let start = match &shape.start {
                    StartShape::Literals(literals) => {
                        for literal in literals {
                            literal_uses.add(literal.clone(), (index, LiteralUse::Starts));
                        }
                        Start::AtLiterals
                    }
                    StartShape::At(begins) => Start::At {
                        begins: *begins,
                        lookback,
                    },
                    StartShape::Anywhere => Start::Anywhere,
                };
                branches.push(Branch {
                    pattern: pattern_index,
                    required_sets,
                    start,
                });
            }
            compiled.push(Pattern {
                rule: pattern.rule,
                regex: PatternRegex::new(&pattern.exact),
            });
        }
        let literal_automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            // ~15,500 literals on the agent side: 1.4 MB as a contiguous NFA. As a DFA the
            // 27,000 of an earlier version took 47 MB and were slower (no longer in cache).
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&literal_uses.keys)
            .map_err(|e| format!("cannot build the pattern literal automaton: {e}"))?;
        Ok(Side {
            phrases: automaton,
            phrase_rules: phrase_rules.values,
            literals: literal_automaton,
            literal_uses: literal_uses.values,
            patterns: compiled,
            branches,
            unconditional,
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
    /// every pattern with a literal of each of its required sets in it), appended to `out`
    /// with spans in `text` coordinates, pattern by pattern in pack order.
    fn find_patterns(
        &self,
        text: &str,
        range: Range<usize>,
        cache_memory: &CacheMemory,
        scratch: &mut MatchScratch,
        out: &mut Vec<Candidate>,
    ) {
        let utterance = &text[range.clone()];
        let haystack = utterance.as_bytes();
        let MatchScratch {
            starts,
            anchors,
            found_sets,
            nominated,
            places,
            tried,
        } = scratch;
        places.forget();
        found_sets.clear();
        found_sets.resize(self.branches.len(), 0);
        starts.clear();
        anchors.clear();
        nominated.clear();
        nominated.extend_from_slice(&self.unconditional);
        for found in self.literals.find_overlapping_iter(utterance) {
            for &(branch, used) in &self.literal_uses[found.pattern().as_usize()] {
                match used {
                    LiteralUse::Required {
                        bit,
                        anchors: anchored,
                    } => {
                        let before = found_sets[branch];
                        found_sets[branch] |= bit;
                        // Once, when its last set is found.
                        let all = self.branches[branch].required_sets;
                        if before != all && before | bit == all {
                            nominated.push(branch);
                        }
                        if anchored {
                            anchors.push((branch, found.start()));
                        }
                    }
                    LiteralUse::Starts => starts.push((branch, found.start())),
                }
            }
        }
        // Most literals found are of branches that are not nominated: sorting their places
        // too took 1.3 billion instructions on 2,000 generated calls, nearly as many as
        // the tries of the patterns that run.
        let nominated_branch = |&(branch, _): &(usize, usize)| {
            found_sets[branch] == self.branches[branch].required_sets
        };
        starts.retain(nominated_branch);
        anchors.retain(nominated_branch);
        let mut starts = sorted_by_branch(starts);
        let mut anchors = sorted_by_branch(anchors);
        // Pattern by pattern in pack order, as their branches are.
        nominated.sort_unstable();
        let pattern_of = |branch: usize| self.branches[branch].pattern;
        for of_pattern in nominated.chunk_by(|&a, &b| pattern_of(a) == pattern_of(b)) {
            let pattern = &self.patterns[pattern_of(of_pattern[0])];
            let push = |m: regex_automata::Match| {
                let (start, end) = char_aligned(utterance, m.start(), m.end());
                // Like phrase spans, pattern spans exclude the padding spaces a pattern
                // may consume as word boundaries.
                let found = &utterance[start..end];
                let trimmed_start = start + (found.len() - found.trim_start_matches(' ').len());
                let trimmed_end = (start + found.trim_end_matches(' ').len()).max(trimmed_start);
                out.push(Candidate {
                    rule: pattern.rule,
                    span: range.start + trimmed_start..range.start + trimmed_end,
                });
            };
            tried.clear();
            let mut anywhere = false;
            let mut several = false;
            for &branch in of_pattern {
                // Places of two branches need sorting into one ascending list.
                several |= !tried.is_empty();
                match self.branches[branch].start {
                    Start::AtLiterals => {
                        tried.extend(take_own(&mut starts, branch).iter().map(|&(_, at)| at));
                    }
                    Start::At {
                        begins,
                        lookback: None,
                    } => tried.extend_from_slice(places.of(haystack, begins)),
                    Start::At {
                        begins,
                        lookback: Some(lookback),
                    } => {
                        let near = take_own(&mut anchors, branch);
                        tried.extend(places.near(haystack, begins, near, lookback));
                    }
                    Start::Anywhere => anywhere = true,
                }
            }
            // Every match, not just the first: a later one may hold where the first is
            // negated or in the wrong mood (run-on ASR turns hold several sentences).
            if anywhere {
                pattern.regex.find_all(haystack, push);
            } else {
                if several {
                    tried.sort_unstable();
                    tried.dedup();
                }
                let tried = tried.iter().copied();
                pattern
                    .regex
                    .find_anchored(haystack, tried, cache_memory, push);
            }
        }
    }
}

/// `found` (branch, offset) pairs sorted by branch, then offset, each once.
fn sorted_by_branch(found: &mut Vec<(usize, usize)>) -> &[(usize, usize)] {
    found.sort_unstable();
    found.dedup();
    found
}

/// The pairs of branch `index` at the head of `found` (sorted by branch, as branches are
/// looked at in order), which then starts after them.
fn take_own<'a>(found: &mut &'a [(usize, usize)], index: usize) -> &'a [(usize, usize)] {
    let skip = found.partition_point(|&(branch, _)| branch < index);
    let count = found[skip..].partition_point(|&(branch, _)| branch == index);
    let (own, rest) = found[skip..].split_at(count);
    *found = rest;
    own
}

/// One utterance's places where patterns may start, per kind of [`starts::Begins`], each
/// found the first time a pattern needs it: most patterns share a few kinds.
#[derive(Debug, Default)]
struct StartPlaces {
    /// Indexed by [`starts::Begins::index`]: sorted offsets.
    by_kind: [Vec<usize>; starts::Begins::KINDS],
    /// A bit per kind in `by_kind` found for the utterance at hand.
    found: u8,
    /// With `spaces_counted`: at each offset of the utterance and its end, how many spaces
    /// come before it.
    spaces_before: Vec<u32>,
    spaces_counted: bool,
}

impl StartPlaces {
    /// Starts a new utterance.
    fn forget(&mut self) {
        self.found = 0;
        self.spaces_counted = false;
    }

    /// The places of [`Self::of`] that have, at or after them, one of the offsets `near`
    /// (sorted, in `(branch, offset)` pairs) with at most `lookback` spaces in between.
    fn near<'a>(
        &'a mut self,
        haystack: &[u8],
        begins: starts::Begins,
        near: &'a [(usize, usize)],
        lookback: usize,
    ) -> impl Iterator<Item = usize> + 'a {
        if !self.spaces_counted {
            self.spaces_before.clear();
            let mut count = 0;
            for &byte in haystack {
                self.spaces_before.push(count);
                count += u32::from(byte == b' ');
            }
            self.spaces_before.push(count);
            self.spaces_counted = true;
        }
        self.of(haystack, begins);
        let StartPlaces {
            by_kind,
            spaces_before,
            ..
        } = self;
        let mut next = near.iter().map(|&(_, at)| at).peekable();
        by_kind[begins.index()]
            .iter()
            .copied()
            .filter(move |&place| {
                while next.next_if(|&at| at < place).is_some() {}
                next.peek().is_some_and(|&at| {
                    (spaces_before[at] - spaces_before[place]) as usize <= lookback
                })
            })
    }

    /// The offsets in `haystack` where matches of a pattern that `begins` can start.
    fn of(&mut self, haystack: &[u8], begins: starts::Begins) -> &[usize] {
        let kind = begins.index();
        if self.found & (1 << kind) == 0 {
            let is_word = |at: usize| haystack[at].is_ascii_alphanumeric() || haystack[at] == b'_';
            let places = &mut self.by_kind[kind];
            places.clear();
            // Ascending, each once: a space is never a word boundary of the other kind.
            places.extend((0..haystack.len()).filter(|&at| {
                (begins.utterance_start && at == 0)
                    || if haystack[at] == b' ' {
                        begins.space
                    } else {
                        begins.boundary && is_word(at) != (at > 0 && is_word(at - 1))
                    }
            }));
            self.found |= 1 << kind;
        }
        &self.by_kind[kind]
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
            shape: PatternShape::read(source).unwrap(),
            rule,
            sides,
        };
        let m = Matcher::new(
            &[
                (" ja ".into(), 0, agent),
                (" ja ".into(), 1, Sides::Both),
                (" ik begrijp het ".into(), 2, agent),
                (" het hoe ".into(), 6, agent),
            ],
            &[
                pattern(r" (wat|hoe) ", 3, agent),
                pattern(r"^ [^ ]+ ", 4, agent),
                // Its literal is in the turn, but across the utterances' boundary.
                pattern(r"\bhet hoe\b", 5, agent),
            ],
        )
        .unwrap();
        let text = " jaar ja ja ik begrijp het hoe dan ";
        let utterances = [0..27, 26..text.len()];
        let found = |speaker| {
            let mut out = Vec::new();
            m.find(
                speaker,
                text,
                &utterances,
                &mut MatchScratch::default(),
                &mut out,
            );
            out.iter()
                .map(|c| (c.rule, &text[c.span.clone()]))
                .collect::<Vec<(usize, &str)>>()
        };
        assert_eq!(
            found(Speaker::Agent),
            vec![
                (0, "ja"),
                (1, "ja"),
                (0, "ja"),
                (1, "ja"),
                (2, "ik begrijp het"),
                (6, "het hoe"),
                (4, "jaar"),
                (3, "hoe"),
                (4, "hoe"),
            ]
        );
        assert_eq!(
            found(Speaker::Customer),
            vec![(1, "ja"), (1, "ja")],
            "only rules for both sides"
        );
    }

    #[test]
    fn each_branch_of_a_top_level_alternation_is_nominated_by_its_own_literals() {
        let shape = PatternShape::read(
            r"\bslaat (?:(?:echt|toch) )*nergens op\b|(?:\bik maak me (?:zorgen|druk)\b|^ [^ ]+ $)",
        )
        .unwrap();
        let described: Vec<String> = shape
            .branches
            .iter()
            .map(|branch| {
                let required: Vec<Vec<String>> = branch
                    .required
                    .iter()
                    .map(|set| required::tests::strings(set.literals.clone()))
                    .collect();
                let start = match &branch.start {
                    StartShape::Literals(literals) => {
                        format!("at {:?}", required::tests::strings(literals.clone()))
                    }
                    StartShape::At(begins) => format!("at {begins:?}"),
                    StartShape::Anywhere => "anywhere".to_string(),
                };
                format!("{required:?} {start}")
            })
            .collect();
        assert_eq!(
            described,
            [
                r#"[["nergens op"], ["slaat "]] at ["slaat "]"#,
                r#"[["ik maak me druk", "ik maak me zorgen"]] at ["ik maak me druk", "ik maak me zorgen"]"#,
                "[] at Begins { space: false, boundary: false, utterance_start: true }",
            ]
        );
    }

    #[test]
    fn a_pattern_runs_where_any_branch_is_nominated_and_tries_the_union_of_their_places() {
        let agent = Sides::Only(Speaker::Agent);
        let source = r"\bik heb (?:[^ ]+ ){0,2}gereset\b|\bdat is (?:nu )?gebeurd\b|\bklaar\b";
        let m = Matcher::new(
            &[],
            &[PatternSource {
                exact: source.to_string(),
                shape: PatternShape::read(source).unwrap(),
                rule: 0,
                sides: agent,
            }],
        )
        .unwrap();
        let found = |text: &str| {
            let mut out = Vec::new();
            let whole = 0..text.len();
            m.find(
                Speaker::Agent,
                text,
                std::slice::from_ref(&whole),
                &mut MatchScratch::default(),
                &mut out,
            );
            out.iter()
                .map(|c| text[c.span.clone()].to_string())
                .collect::<Vec<String>>()
        };
        assert_eq!(
            found(" zo dat is nu gebeurd en ik heb de modem gereset klaar "),
            ["dat is nu gebeurd", "ik heb de modem gereset", "klaar"]
        );
        // "gereset" three words after "heb": out of the branch's reach.
        assert_eq!(
            found(" ik heb de oude modem ook gereset "),
            Vec::<String>::new()
        );
        assert_eq!(found(" ik heb hem gereset "), ["ik heb hem gereset"]);
    }

    #[test]
    fn places_near_an_anchor_are_those_with_few_enough_spaces_before_it() {
        let haystack = b" a b c d e f ";
        let spaces = starts::Begins {
            space: true,
            ..Default::default()
        };
        let mut places = StartPlaces::default();
        // Anchors at "d" (offset 7) and "f" (offset 11), for branch 3.
        let anchors = [(3, 7), (3, 11)];
        let near: Vec<usize> = places.near(haystack, spaces, &anchors, 1).collect();
        assert_eq!(near, [6, 10], "the space right before each anchor");
        let near: Vec<usize> = places.near(haystack, spaces, &anchors, 2).collect();
        assert_eq!(near, [4, 6, 8, 10]);
        let near: Vec<usize> = places.near(haystack, spaces, &anchors[..1], 9).collect();
        assert_eq!(near, [0, 2, 4, 6], "never after the last anchor");
    }

    /// Patterns put together at random from the pieces rules are made of (words, word
    /// lists, bounded gaps, filler loops without end, optional words, word prefixes, `^`,
    /// `$`, `\b`, top-level alternations), all in one matcher, run on random word
    /// sequences: the matcher must find exactly what a plain search for each pattern
    /// finds, whatever branches, literals, start places and lookbacks it reads off them.
    /// Rule authors write such patterns; the built-in pack has only some of the shapes.
    #[test]
    fn random_patterns_find_what_a_plain_search_finds() {
        const WORDS: [&str; 8] = ["ik", "heb", "de", "modem", "nu", "gereset", "hij", "werkt"];
        let mut rng = fastrand::Rng::with_seed(20261129);
        let word = |rng: &mut fastrand::Rng| WORDS[rng.usize(..WORDS.len())];
        let branch = |rng: &mut fastrand::Rng| {
            let mut branch = match rng.usize(..5) {
                0 => " ".to_string(),
                1 => "^ ".to_string(),
                2 => "\\b".to_string(),
                3 => "(?:^| )".to_string(),
                _ => format!("(?:^|\\b(?:{}|{})) ", word(rng), word(rng)),
            };
            for _ in 0..rng.usize(1..5) {
                let piece = match rng.usize(..8) {
                    0 | 1 => format!("{} ", word(rng)),
                    2 => format!("(?:{}|{}) ", word(rng), word(rng)),
                    3 => format!("(?:[^ ]+ ){{0,{}}}", rng.usize(1..4)),
                    4 => format!("(?:(?:{}|{}) )*", word(rng), word(rng)),
                    5 => "[^ ]+ ".to_string(),
                    6 => format!("(?:{} )?", word(rng)),
                    _ => format!("{}[^ ]* ", &word(rng)[..1]),
                };
                branch.push_str(&piece);
            }
            if rng.bool() {
                branch.push('$');
            }
            branch
        };
        let mut sources = Vec::new();
        while sources.len() < 300 {
            let branches: Vec<String> = (0..rng.usize(1..5)).map(|_| branch(&mut rng)).collect();
            let source = branches.join("|");
            // Patterns that can match the empty string are refused at load.
            if PatternShape::read(&source).is_ok() {
                sources.push(source);
            }
        }
        let agent = Sides::Only(Speaker::Agent);
        let patterns: Vec<PatternSource> = sources
            .iter()
            .enumerate()
            .map(|(rule, source)| PatternSource {
                exact: source.clone(),
                shape: PatternShape::read(source).unwrap(),
                rule,
                sides: agent,
            })
            .collect();
        let matcher = Matcher::new(&[], &patterns).unwrap();
        let plain: Vec<regex::bytes::Regex> = sources
            .iter()
            .map(|source| {
                regex::bytes::RegexBuilder::new(source)
                    .unicode(false)
                    .build()
                    .unwrap()
            })
            .collect();
        let mut scratch = MatchScratch::default();
        let mut matched = 0;
        for _ in 0..400 {
            let words: Vec<&str> = (0..rng.usize(1..14)).map(|_| word(&mut rng)).collect();
            let text = format!(" {} ", words.join(" "));
            let whole = 0..text.len();
            let mut found = Vec::new();
            matcher.find(
                Speaker::Agent,
                &text,
                std::slice::from_ref(&whole),
                &mut scratch,
                &mut found,
            );
            // Starts compared without the padding spaces a pattern may consume.
            let start = |at: usize| text[..at].trim_end_matches(' ').len();
            for (rule, regex) in plain.iter().enumerate() {
                let expected: Vec<usize> = regex
                    .find_iter(text.as_bytes())
                    .map(|m| start(m.start()))
                    .collect();
                let by_matcher: Vec<usize> = found
                    .iter()
                    .filter(|c| c.rule == rule)
                    .map(|c| start(c.span.start))
                    .collect();
                assert_eq!(by_matcher, expected, "{:?} in {text:?}", sources[rule]);
                matched += expected.len();
            }
        }
        assert!(matched > 1_000, "only {matched} matches compared");
    }

    /// Every line of the hand-written tuning corpus, roughly as normalisation makes it (any
    /// text will do, as long as it is varied), padded.
    fn corpus_lines() -> Vec<String> {
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/tuning");
        let mut lines = Vec::new();
        for entry in std::fs::read_dir(corpus).unwrap().flatten() {
            if entry.path().extension().is_some_and(|e| e == "txt") {
                let text = std::fs::read_to_string(entry.path()).unwrap();
                lines.extend(text.lines().map(|line| {
                    let words: String = line
                        .to_lowercase()
                        .chars()
                        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
                        .collect();
                    format!(
                        " {} ",
                        words.split_whitespace().collect::<Vec<_>>().join(" ")
                    )
                }));
            }
        }
        assert!(lines.len() > 5_000, "only {} corpus lines", lines.len());
        lines
    }

    /// The literals only decide which patterns run: on every line of the hand-written
    /// corpus, the built-in pack's patterns must find exactly what running every pattern
    /// on every utterance finds.
    #[test]
    fn literal_nomination_loses_no_pattern_match_of_the_built_in_pack() {
        let rules = crate::rules::Rules::load_default().unwrap();
        let lines = corpus_lines();
        let mut scratch = MatchScratch::default();
        let (mut found, mut checked) = (Vec::new(), 0);
        for side in [&rules.matcher.agent, &rules.matcher.customer] {
            for line in &lines {
                found.clear();
                side.find_patterns(
                    line,
                    0..line.len(),
                    &rules.matcher.cache_memory,
                    &mut scratch,
                    &mut found,
                );
                let mut every = Vec::new();
                for pattern in &side.patterns {
                    for m in pattern.regex.regex().unwrap().find_iter(line.as_bytes()) {
                        every.push((pattern.rule, m.start()));
                    }
                }
                // Starts compared without the padding spaces a pattern may consume.
                let starts: Vec<(usize, usize)> = found
                    .iter()
                    .map(|c| (c.rule, line[..c.span.start].trim_end_matches(' ').len()))
                    .collect();
                let every_starts: Vec<(usize, usize)> = every
                    .iter()
                    .map(|&(rule, start)| (rule, line[..start].trim_end_matches(' ').len()))
                    .collect();
                assert_eq!(starts, every_starts, "in {line:?}");
                checked += every.len();
            }
        }
        assert!(checked > 10_000, "only {checked} pattern matches checked");
    }

    /// Over its budget the matcher drops caches, and finds the same: a cache only holds
    /// automaton states that are built again when text needs them.
    #[test]
    fn caches_over_budget_are_dropped_without_changing_a_match() {
        let mut rules = crate::rules::Rules::load_default().unwrap();
        let lines: Vec<String> = corpus_lines().into_iter().take(3_000).collect();
        let run = |matcher: &Matcher| {
            let mut scratch = MatchScratch::default();
            let mut found = Vec::new();
            for line in &lines {
                let whole_line = 0..line.len();
                let utterances = std::slice::from_ref(&whole_line);
                matcher.find(Speaker::Agent, line, utterances, &mut scratch, &mut found);
            }
            found
        };
        let roomy = run(&rules.matcher);
        let grown = rules.matcher.cache_memory.bytes();
        assert!(grown > 8 << 20, "caches hold only {grown} bytes");
        rules.matcher.cache_budget = 1 << 20;
        let bounded = run(&rules.matcher);
        assert_eq!(roomy, bounded);
        // Even an empty cache holds buffers the size of its pattern's automaton, so what is
        // kept ends above the budget, but far below what the caches had grown to.
        let kept = rules.matcher.cache_memory.bytes();
        assert!(kept * 3 < grown, "caches hold {kept} of {grown} bytes");
    }
}
