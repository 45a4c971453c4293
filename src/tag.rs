//! Tags every turn with techniques, each backed by evidence.
//!
//! Per turn: segment into utterances, fold each into the turn's normalised text, collect
//! candidates from the shared matcher, then keep those whose conditions hold: the
//! technique's speaker, the rule's mood and negation, the jargon rule (a term the customer
//! has not used yet), a rule's `after` (the turn right before showed one of its
//! techniques), `suppressed_by` and `requires_earlier`. The only state carried from
//! turn to turn is what the call has shown so far (techniques, customer terms).
//!
//! [`trace_transcript`] tags the same way and also keeps every candidate a condition
//! turned down, with the condition: `callqa eval` uses it to say why a technique the gold
//! expects was missed (no rule matched, or a rule matched and was turned down).

use crate::matcher::{Candidate, MatchScratch};
use crate::normalize::NormText;
use crate::rules::{Language, Mood, Negation, Rule, RuleKind, Rules, WordSet};
use crate::segment::{self, Terminal};
use crate::transcript::{Speaker, Transcript, Turn};
use std::ops::Range;

/// Why a technique was tagged: which rule matched where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub technique: usize,
    /// Index of the utterance within the turn.
    pub utterance: usize,
    /// Byte span in the ORIGINAL turn text.
    pub span: Range<usize>,
    pub rule: usize,
}

/// One turn's techniques (sorted technique indices) and their evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaggedTurn {
    pub techniques: Vec<usize>,
    pub evidence: Vec<Evidence>,
}

/// Why a rule that matched in a turn did not tag its technique there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    /// The match crosses an utterance boundary.
    CrossesUtterance,
    /// The rule needs a question (or a statement) and the utterance is not one.
    Mood(Mood),
    /// A negation word stands in the window around the match.
    Negated,
    /// The turn right before showed none of the rule's `after` techniques.
    NotAfter,
    /// A jargon term the customer had already used.
    CustomerTerm,
    /// Another technique tagged in the same utterance suppresses this one.
    SuppressedBy(usize),
    /// No earlier turn showed any of the technique's `requires_earlier`.
    NothingEarlier,
}

/// A candidate turned down (see [`trace_transcript`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub technique: usize,
    pub rule: usize,
    /// Byte span of the match in the ORIGINAL turn text, when it maps onto it.
    pub span: Option<Range<usize>>,
    pub reason: Rejected,
}

struct Utterance {
    /// Range in the normalised text, padding spaces included.
    norm: Range<usize>,
    terminal: Terminal,
    /// The whole utterance reads as a question: it ends in `?`, or it is unpunctuated and
    /// opens like a question or ends in a tag question.
    asks: bool,
}

struct Hit {
    utterance: usize,
    technique: usize,
    rule: usize,
    norm_span: Range<usize>,
}

/// Buffers reused across the turns of a call.
#[derive(Default)]
struct Scratch {
    spans: Vec<(Range<usize>, Terminal)>,
    utterances: Vec<Utterance>,
    norm: NormText,
    token: String,
    candidates: Vec<Candidate>,
    utterance_ranges: Vec<Range<usize>>,
    matching: MatchScratch,
    hits: Vec<Hit>,
    /// `Some` only when tracing: the candidates turned down in the current turn.
    rejections: Option<Vec<Rejection>>,
}

impl Scratch {
    fn reject(&mut self, technique: usize, rule: usize, norm_span: Range<usize>, reason: Rejected) {
        if let Some(rejections) = self.rejections.as_mut() {
            rejections.push(Rejection {
                technique,
                rule,
                span: self.norm.original_span(norm_span),
                reason,
            });
        }
    }
}

/// Tags every turn of `transcript`. Pure: same rules and transcript, same result.
pub fn tag_transcript(rules: &Rules, transcript: &Transcript) -> Vec<TaggedTurn> {
    tag_each(rules, transcript, Scratch::default(), |_| {})
}

/// Tags every turn like [`tag_transcript`] and also returns, per turn, the candidates a
/// condition turned down.
pub fn trace_transcript(
    rules: &Rules,
    transcript: &Transcript,
) -> (Vec<TaggedTurn>, Vec<Vec<Rejection>>) {
    let scratch = Scratch {
        rejections: Some(Vec::new()),
        ..Scratch::default()
    };
    let mut rejected = Vec::with_capacity(transcript.turns.len());
    let tagged = tag_each(rules, transcript, scratch, |s| {
        rejected.push(
            s.rejections
                .as_mut()
                .map(std::mem::take)
                .unwrap_or_default(),
        );
    });
    (tagged, rejected)
}

/// Tags turn after turn, handing the scratch to `after_turn` once each turn is tagged.
fn tag_each(
    rules: &Rules,
    transcript: &Transcript,
    mut scratch: Scratch,
    mut after_turn: impl FnMut(&mut Scratch),
) -> Vec<TaggedTurn> {
    let mut seen = vec![false; rules.techniques.len()];
    let mut customer_terms = WordSet::default();
    let mut tagged: Vec<TaggedTurn> = Vec::with_capacity(transcript.turns.len());
    for turn in &transcript.turns {
        let previous = tagged.last().map_or(&[][..], |t| t.techniques.as_slice());
        let context = Context {
            previous,
            seen: &mut seen,
            customer_terms: &mut customer_terms,
        };
        let next = tag_turn(rules, turn, &mut scratch, context);
        after_turn(&mut scratch);
        tagged.push(next);
    }
    tagged
}

/// What the call has shown before this turn.
struct Context<'a> {
    /// The techniques of the turn right before (for rules with `after`).
    previous: &'a [usize],
    /// Per technique, whether any earlier turn showed it (for `requires_earlier`).
    seen: &'a mut [bool],
    /// Terms the customer has used (for jargon).
    customer_terms: &'a mut WordSet,
}

impl Context<'_> {
    /// Whether a rule's `after` condition holds for this turn.
    fn follows(&self, after: &[usize]) -> bool {
        after.is_empty() || after.iter().any(|t| self.previous.contains(t))
    }
}

fn tag_turn(rules: &Rules, turn: &Turn, s: &mut Scratch, context: Context<'_>) -> TaggedTurn {
    let language = &rules.language;
    segment::utterances(&turn.text, &language.abbreviations, &mut s.spans);
    language.normalizer.begin(&mut s.norm);
    s.utterances.clear();
    for (span, terminal) in &s.spans {
        let norm =
            language
                .normalizer
                .push_utterance(&turn.text, span.clone(), &mut s.norm, &mut s.token);
        let padded = &s.norm.text[norm.clone()];
        let asks = match terminal {
            Terminal::Question => true,
            Terminal::Statement => false,
            Terminal::Unpunctuated => {
                language.cues.opens_question(padded) || language.cues.ends_in_tag(padded)
            }
        };
        s.utterances.push(Utterance {
            norm,
            terminal: *terminal,
            asks,
        });
    }
    s.candidates.clear();
    s.utterance_ranges.clear();
    s.utterance_ranges
        .extend(s.utterances.iter().map(|u| u.norm.clone()));
    // A turn of no known speaker gets no technique; the customer side still collects the
    // terms it uses, as the jargon rule counts them.
    let side = turn.speaker.known().unwrap_or(Speaker::Customer);
    rules.matcher.find(
        side,
        &s.norm.text,
        &s.utterance_ranges,
        &mut s.matching,
        &mut s.candidates,
    );

    s.hits.clear();
    let mut new_customer_terms = Vec::new();
    let candidates = std::mem::take(&mut s.candidates);
    for c in &candidates {
        let rule = &rules.rules[c.rule];
        let own_speaker = turn.speaker == rules.techniques[rule.technique].speaker;
        let is_term = matches!(rule.kind, RuleKind::Term);
        if !own_speaker && !is_term {
            continue;
        }
        let Some(utterance) = s
            .utterances
            .iter()
            .position(|u| u.norm.start <= c.span.start && c.span.end < u.norm.end)
        else {
            if own_speaker {
                s.reject(
                    rule.technique,
                    c.rule,
                    c.span.clone(),
                    Rejected::CrossesUtterance,
                );
            }
            continue;
        };
        // "ip adres" and "IP-adres" (folded to "ipadres") are the same term.
        let term: Option<String> =
            is_term.then(|| s.norm.text[c.span.clone()].split(' ').collect());
        if !own_speaker {
            new_customer_terms.extend(term);
            continue;
        }
        let u = &s.utterances[utterance];
        match turned_down(language, rule, u, &s.norm.text, &c.span, term, &context) {
            Some(reason) => s.reject(rule.technique, c.rule, c.span.clone(), reason),
            None => s.hits.push(Hit {
                utterance,
                technique: rule.technique,
                rule: c.rule,
                norm_span: c.span.clone(),
            }),
        }
    }
    s.candidates = candidates;
    context.customer_terms.extend(new_customer_terms);

    let text = s.norm.text.as_str();
    for &rule_index in &rules.only_token_rules {
        let rule = &rules.rules[rule_index];
        let RuleKind::OnlyTokens(tokens) = &rule.kind else {
            continue;
        };
        if rules.techniques[rule.technique].speaker != turn.speaker
            || s.utterances.is_empty()
            || !context.follows(&rule.after)
        {
            continue;
        }
        let mut words = text.split(' ').filter(|w| !w.is_empty()).peekable();
        if words.peek().is_some() && words.all(|w| tokens.contains(w)) {
            s.hits.push(Hit {
                utterance: 0,
                technique: rule.technique,
                rule: rule_index,
                norm_span: 0..text.len(),
            });
        }
    }

    resolve_hits(rules, s, context.seen)
}

/// Applies `suppressed_by` and `requires_earlier`, keeps one evidence per technique and
/// utterance (the earliest, longest), and records what the call has now shown.
fn resolve_hits(rules: &Rules, s: &mut Scratch, seen: &mut [bool]) -> TaggedTurn {
    s.hits.sort_by_key(|h| {
        (
            h.norm_span.start,
            std::cmp::Reverse(h.norm_span.end),
            h.technique,
            h.rule,
        )
    });
    let hits = std::mem::take(&mut s.hits);
    let suppressor = |h: &Hit| {
        let technique = &rules.techniques[h.technique];
        hits.iter()
            .find(|other| {
                other.utterance == h.utterance && technique.suppressed_by.contains(&other.technique)
            })
            .map(|other| other.technique)
    };
    let mut tagged = TaggedTurn::default();
    for h in &hits {
        if let Some(by) = suppressor(h) {
            s.reject(
                h.technique,
                h.rule,
                h.norm_span.clone(),
                Rejected::SuppressedBy(by),
            );
            continue;
        }
        let technique = &rules.techniques[h.technique];
        if !technique.requires_earlier.is_empty()
            && !technique.requires_earlier.iter().any(|&t| seen[t])
        {
            s.reject(
                h.technique,
                h.rule,
                h.norm_span.clone(),
                Rejected::NothingEarlier,
            );
            continue;
        }
        if tagged
            .evidence
            .iter()
            .any(|e| e.technique == h.technique && e.utterance == h.utterance)
        {
            continue;
        }
        let Some(span) = s.norm.original_span(h.norm_span.clone()) else {
            continue;
        };
        seen[h.technique] = true;
        tagged.evidence.push(Evidence {
            technique: h.technique,
            utterance: h.utterance,
            span,
            rule: h.rule,
        });
    }
    s.hits = hits;
    tagged.techniques = tagged.evidence.iter().map(|e| e.technique).collect();
    tagged.techniques.sort_unstable();
    tagged.techniques.dedup();
    tagged
}

/// The condition that turns down a candidate on its own technique's speaker's turn, if
/// any: a term the customer used first, the rule's `after`, its mood, its negation.
fn turned_down(
    language: &Language,
    rule: &Rule,
    u: &Utterance,
    text: &str,
    span: &Range<usize>,
    term: Option<String>,
    context: &Context<'_>,
) -> Option<Rejected> {
    if term.is_some_and(|t| context.customer_terms.contains(&t)) {
        Some(Rejected::CustomerTerm)
    } else if !context.follows(&rule.after) {
        Some(Rejected::NotAfter)
    } else if !mood_allows(language, rule.mood, u, text, span.start) {
        Some(Rejected::Mood(rule.mood))
    } else if rule.negation == Negation::Blocks && negated(language, text, &u.norm, span) {
        Some(Rejected::Negated)
    } else {
        None
    }
}

fn mood_allows(language: &Language, mood: Mood, u: &Utterance, text: &str, at: usize) -> bool {
    // Unpunctuated, a run-on ASR turn may also ask its question mid-utterance, where the
    // match starts.
    let question = || {
        u.asks
            || (u.terminal == Terminal::Unpunctuated && {
                let previous = text[u.norm.start..at].split(' ').rfind(|w| !w.is_empty());
                language
                    .cues
                    .opens_question_after(previous, &text[at..u.norm.end])
            })
    };
    match mood {
        Mood::Any => true,
        Mood::Question => question(),
        Mood::Statement => !question(),
        Mood::QuestionOrUnpunctuated => u.terminal == Terminal::Unpunctuated || question(),
    }
}

/// Whether a negation word stands within the window before or after `span`, inside the
/// utterance. Transparent words ("nog", "steeds") do not use up the window. A match that
/// opens with a subject pronoun starts a clause of its own (in Dutch a negation never comes
/// before the subject of its clause), so a negation before it belongs to the clause before:
/// "nee dat hoeft niet ik plan een monteur in", run together by ASR.
fn negated(language: &Language, text: &str, utterance: &Range<usize>, span: &Range<usize>) -> bool {
    let counts = |w: &&str| !w.is_empty() && !language.negation_transparent.contains(*w);
    let opens_clause = text[span.clone()]
        .split(' ')
        .find(|w| !w.is_empty())
        .is_some_and(|w| language.clause_subjects.contains(w));
    let before = text[utterance.start..span.start]
        .rsplit(' ')
        .filter(counts)
        .take(if opens_clause {
            0
        } else {
            language.negation_before
        });
    let after = text[span.end..utterance.end]
        .split(' ')
        .filter(counts)
        .take(language.negation_after);
    before.chain(after).any(|w| language.negations.contains(w))
}
