//! One pattern's compiled automata, and the two ways the matcher runs them: searched for
//! through an utterance (a `meta::Regex`), or tried anchored at the places its matches can
//! start (its forward lazy DFA alone: the start is known, so no reverse automaton is
//! needed, and a try that fails mostly dies within a word). See [`super::starts`] for how
//! the places are known.

use super::pattern_syntax;
use regex_automata::hybrid;
use regex_automata::meta::Regex;
use regex_automata::nfa::thompson;
use regex_automata::{Anchored, Input};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// One pattern as run to locate its matches, each automaton compiled the first time it is
/// needed: a run compiles only what its calls need, and loading the rules builds none.
#[derive(Debug)]
pub(super) struct PatternRegex {
    source: String,
    regex: OnceLock<Option<Regex>>,
    /// For searches anchored where a match can start: the forward lazy DFA alone, as the
    /// start is known (and without the dispatch of a `meta::Regex`).
    forward: OnceLock<Option<Forward>>,
}

/// A forward lazy DFA and its one cache, shared by all threads: a thread holds the lock for
/// one utterance's tries of this one pattern, and hundreds of patterns keep two threads
/// mostly apart. A cache per thread (the pool `meta::Regex` uses) made memory grow with the
/// thread count, and every thread build the same states again: on `corpus/` with 2
/// threads that was 132 MiB and 1.09 s, against 99 MiB and 0.99 s shared.
struct Forward {
    dfa: hybrid::dfa::DFA,
    cache: Mutex<hybrid::dfa::Cache>,
    /// What `cache` held when it was last used, in bytes.
    memory: AtomicUsize,
    /// The [`CacheMemory::turns`] count when `cache` was last used.
    last_used: AtomicU64,
}

impl Forward {
    /// Records what `cache` holds now, in `self.memory` and in the total.
    fn record(&self, cache: &hybrid::dfa::Cache, total: &CacheMemory) {
        self.last_used
            .store(total.turns.load(Ordering::Relaxed), Ordering::Relaxed);
        let now = cache.memory_usage();
        let before = self.memory.swap(now, Ordering::Relaxed);
        if now >= before {
            total.bytes.fetch_add(now - before, Ordering::Relaxed);
        } else {
            total.bytes.fetch_sub(before - now, Ordering::Relaxed);
        }
    }
}

/// What all patterns' lazy-DFA caches hold, as last recorded, and a clock for when each was
/// last used: the matcher drops the least recently used caches when they pass its budget.
#[derive(Debug, Default)]
pub(super) struct CacheMemory {
    bytes: AtomicUsize,
    /// Turns matched so far.
    turns: AtomicU64,
}

impl CacheMemory {
    pub(super) fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }

    pub(super) fn count_turn(&self) {
        self.turns.fetch_add(1, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for Forward {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forward").finish_non_exhaustive()
    }
}

impl PatternRegex {
    pub(super) fn new(source: &str) -> PatternRegex {
        PatternRegex {
            source: source.to_string(),
            regex: OnceLock::new(),
            forward: OnceLock::new(),
        }
    }

    /// `None` only if the regex cannot be built, which loading rules out: the source was
    /// validated and there is no size limit.
    pub(super) fn regex(&self) -> Option<&Regex> {
        self.regex
            .get_or_init(|| {
                Regex::builder()
                    .syntax(pattern_syntax())
                    .configure(
                        Regex::config()
                            .utf8_empty(false)
                            .nfa_size_limit(None)
                            .which_captures(thompson::WhichCaptures::Implicit)
                            // The matcher only runs a regex where its literals are, so
                            // the regex's own literal scan finds what is known to be there
                            // and costs more than it skips: -20% time on 2,000 calls.
                            .auto_prefilter(false),
                    )
                    .build(&self.source)
                    .ok()
            })
            .as_ref()
    }

    fn forward(&self) -> Option<&Forward> {
        self.forward
            .get_or_init(|| {
                hybrid::dfa::DFA::builder()
                    .syntax(pattern_syntax())
                    .thompson(
                        thompson::Config::new()
                            .utf8(false)
                            .which_captures(thompson::WhichCaptures::None)
                            .nfa_size_limit(None),
                    )
                    .configure(
                        hybrid::dfa::DFA::config()
                            .match_kind(regex_automata::MatchKind::LeftmostFirst)
                            .cache_capacity(2 << 20),
                    )
                    .build(&self.source)
                    .ok()
                    .map(|dfa| Forward {
                        cache: Mutex::new(dfa.create_cache()),
                        dfa,
                        memory: AtomicUsize::new(0),
                        last_used: AtomicU64::new(0),
                    })
            })
            .as_ref()
    }

    /// Every match, as `meta::Regex::find_iter` finds them.
    pub(super) fn find_all(&self, haystack: &[u8], push: impl FnMut(regex_automata::Match)) {
        if let Some(regex) = self.regex() {
            regex.find_iter(haystack).for_each(push);
        }
    }

    /// The matches [`Self::find_all`] finds, found by trying the pattern anchored at
    /// `places` (in order) that include every place a match can start: the first place where
    /// it matches starts the leftmost match, and the next match may start where it ends. The
    /// matches are never empty (see [`super::starts`]).
    pub(super) fn find_anchored(
        &self,
        haystack: &[u8],
        places: impl Iterator<Item = usize>,
        memory: &CacheMemory,
        mut push: impl FnMut(regex_automata::Match),
    ) {
        let mut places = places.peekable();
        // Neither compile the automaton nor take its cache for nothing.
        if places.peek().is_none() {
            return;
        }
        let forward = self.forward();
        let mut cache = forward.map(|forward| {
            forward
                .cache
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        });
        let mut previous_end = 0;
        for at in places {
            if at < previous_end {
                continue;
            }
            let input = Input::new(haystack).range(at..).anchored(Anchored::Yes);
            let by_regex = || self.regex()?.search(&input).map(|m| m.end());
            let end = match (forward, cache.as_mut()) {
                (Some(Forward { dfa, .. }), Some(cache)) => {
                    let cache = &mut **cache;
                    // The lazy DFA gives up only on a byte it cannot handle, which the
                    // matcher's syntax has none of; the regex would then decide.
                    match dfa.try_search_fwd(cache, &input) {
                        Ok(found) => found.map(|half| half.offset()),
                        Err(_) => by_regex(),
                    }
                }
                _ => by_regex(),
            };
            if let Some(end) = end {
                previous_end = end;
                push(regex_automata::Match::must(0, at..end));
            }
        }
        if let (Some(forward), Some(cache)) = (forward, cache) {
            forward.record(&cache, memory);
        }
    }

    /// When the pattern's lazy-DFA cache was last used (see [`CacheMemory::count_turn`]), if
    /// it holds anything.
    pub(super) fn cache_last_used(&self) -> Option<u64> {
        match self.forward.get() {
            Some(Some(forward)) if forward.memory.load(Ordering::Relaxed) > 0 => {
                Some(forward.last_used.load(Ordering::Relaxed))
            }
            _ => None,
        }
    }

    /// Replaces the pattern's lazy-DFA cache by an empty one (dropping the old one frees its
    /// memory; clearing it would keep its buffers), unless a thread is using it. Results
    /// never depend on what a cache holds: its states are built again as text needs them.
    pub(super) fn drop_cache(&self, memory: &CacheMemory) {
        if let Some(Some(forward)) = self.forward.get()
            && let Ok(mut cache) = forward.cache.try_lock()
        {
            *cache = forward.dfa.create_cache();
            forward.record(&cache, memory);
        }
    }
}
