//! Rule packs: loading, validation and compilation.
//!
//! A pack is a set of TOML files (`language.toml`, `techniques/*.toml`,
//! `methodologies/*.toml`, and optionally `conversation.toml`, see [`conversation`]). [`Rules::load_default`] reads the pack embedded in the binary,
//! [`Rules::load_dir`] one on disk. Loading checks every reference (technique ids,
//! phases, patterns) and fails with a [`RuleError`] at `file:line:col`; the patterns are
//! read in parallel on the rayon pool the caller runs in (the global one otherwise), and the
//! first error in file order is the one reported. The result is immutable: one [`Rules`] is
//! built per run and shared read-only by every thread.

pub mod conversation;
pub mod macros;
mod schema;

pub use conversation::{Conversation, MetricSettings, RoleCues};
pub use schema::{Mood, Negation};

use crate::matcher::{Matcher, PatternShape, PatternSource, Sides};
use crate::normalize::{Normalizer, fold_word};
use crate::segment::QuestionCues;
use crate::transcript::Speaker;
use include_dir::{Dir, include_dir};
use rayon::prelude::*;
use schema::{
    CheckKindName, LanguageFile, MethodologyFile, RuleKindName, SpeakerName, TechniqueFile,
};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

/// A set of folded words, looked up for every token of every turn: rustc's fast hash (the
/// words are the pack's own, not untrusted keys an attacker could choose to collide).
pub type WordSet = rustc_hash::FxHashSet<String>;

static DEFAULT_PACK: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/rules");

/// A broken rule pack: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for RuleError {}

/// One file of a pack: its display path and its text.
struct PackFile {
    path: String,
    text: String,
}

impl PackFile {
    fn error(&self, span: Option<Range<usize>>, message: impl Into<String>) -> RuleError {
        let (line, column) = self.line_column(span.map_or(0, |s| s.start));
        RuleError {
            file: self.path.clone(),
            line,
            column,
            message: message.into(),
        }
    }

    /// 1-based line and column (in characters) of byte `offset`.
    fn line_column(&self, offset: usize) -> (usize, usize) {
        crate::location::line_column(&self.text, offset)
    }

    /// The span of byte `offset` of a string value written at `span`: exact for a
    /// one-line literal string (`'...'`, the form patterns are written in), else the
    /// value's start (escapes and multi-line strings shift offsets).
    fn offset_in_string(&self, span: Range<usize>, offset: usize) -> Range<usize> {
        let raw = self.text.get(span.clone()).unwrap_or("");
        let literal = raw.starts_with('\'') && !raw.starts_with("'''");
        let at = if literal {
            span.start + 1 + offset
        } else {
            span.start
        };
        at..at
    }

    fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, RuleError> {
        toml::from_str(&self.text).map_err(|e| self.error(e.span(), e.message().trim().to_string()))
    }

    fn stem(&self) -> &str {
        Path::new(&self.path)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
    }
}

/// Language data used by normalisation, mood and negation.
#[derive(Debug)]
pub struct Language {
    pub normalizer: Normalizer,
    pub cues: QuestionCues,
    pub negations: WordSet,
    pub negation_transparent: WordSet,
    /// A match starting with one of these opens a clause: no negation window before it.
    pub clause_subjects: WordSet,
    pub negation_before: usize,
    pub negation_after: usize,
    /// Folded, without the final dot: a full stop after one does not end an utterance.
    pub abbreviations: WordSet,
}

/// How a rule finds candidates.
#[derive(Debug)]
pub enum RuleKind {
    /// Literal phrases, whole words, via the shared Aho-Corasick automaton.
    Phrase,
    /// A regular expression over the normalised utterance, run where the shared automaton
    /// finds one of its required literals.
    Pattern,
    /// The whole turn is made of these tokens only.
    OnlyTokens(WordSet),
    /// Literal terms, only when the customer has not used them earlier (jargon).
    Term,
}

#[derive(Debug)]
pub struct Rule {
    /// Stable code, `technique.rule_name`, reported as the evidence's `rule`.
    pub code: String,
    pub technique: usize,
    pub kind: RuleKind,
    pub mood: Mood,
    pub negation: Negation,
    /// The rule's phrases, pattern or tokens as written, for `callqa explain`.
    pub source: Vec<String>,
    /// Only in a turn right after one that shows one of these techniques (empty: anywhere).
    pub after: Vec<usize>,
}

#[derive(Debug)]
pub struct Technique {
    pub id: String,
    pub name: String,
    pub speaker: Speaker,
    pub summary: String,
    pub explanation: String,
    pub suppressed_by: Vec<usize>,
    pub requires_earlier: Vec<usize>,
    pub rules: Vec<usize>,
    pub examples: TechniqueExamples,
    pub file: String,
}

/// A technique's `[examples]`: sentences that must (positive) or must not (negative) be
/// tagged with it, each with its line in the technique file.
#[derive(Debug, Clone, Default)]
pub struct TechniqueExamples {
    pub positive: Vec<Example>,
    pub negative: Vec<Example>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub text: String,
    /// 1-based line of the example in the technique file ([`Technique::file`]).
    pub line: usize,
}

#[derive(Debug)]
pub struct Phase {
    pub id: String,
    pub name: String,
    pub evidence: Vec<usize>,
    pub weight: u32,
    pub advice: String,
}

#[derive(Debug)]
pub struct Order {
    pub before: usize,
    pub after: usize,
    pub penalty: u32,
    pub advice: String,
}

/// The closed set of technique-level checks; one module each in [`crate::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKind {
    UnansweredEmotion,
    UncheckedInstruction,
    Jargon,
    MissingTechnique,
    Interruption,
    Silence,
}

impl CheckKind {
    pub fn id(self) -> &'static str {
        match self {
            CheckKind::UnansweredEmotion => "unanswered_emotion",
            CheckKind::UncheckedInstruction => "unchecked_instruction",
            CheckKind::Jargon => "jargon",
            CheckKind::MissingTechnique => "missing_technique",
            CheckKind::Interruption => "interruption",
            CheckKind::Silence => "silence",
        }
    }
}

#[derive(Debug)]
pub struct Check {
    pub kind: CheckKind,
    pub techniques: Vec<usize>,
    pub responses: Vec<usize>,
    pub within_agent_turns: usize,
    pub phase: Option<usize>,
    /// `interruption`: the least overlap that counts (0 for other kinds).
    pub min_overlap_ms: u64,
    /// `silence`: the shortest silence that counts (0 for other kinds).
    pub min_silence_ms: u64,
    pub penalty: u32,
    pub max_penalty: u32,
    pub advice: String,
}

#[derive(Debug)]
pub struct Methodology {
    pub id: String,
    pub name: String,
    pub description: String,
    pub phases: Vec<Phase>,
    pub orders: Vec<Order>,
    pub checks: Vec<Check>,
    pub file: String,
}

/// A compiled rule pack.
#[derive(Debug)]
pub struct Rules {
    pub language: Language,
    pub techniques: Vec<Technique>,
    pub rules: Vec<Rule>,
    pub methodologies: Vec<Methodology>,
    pub matcher: Matcher,
    /// The `only_tokens` rules, checked once per turn.
    pub only_token_rules: Vec<usize>,
    /// Role cues and metric settings (`conversation.toml`).
    pub conversation: Conversation,
}

impl Rules {
    /// The pack built into the binary (the repository's `rules/` directory).
    pub fn load_default() -> Result<Rules, RuleError> {
        let mut files = Vec::new();
        collect_embedded(&DEFAULT_PACK, &mut files);
        Self::compile(Path::new("rules"), files)
    }

    /// A pack on disk with the same layout as `rules/`.
    pub fn load_dir(dir: &Path) -> Result<Rules, RuleError> {
        let mut files = Vec::new();
        for sub in ["", "techniques", "methodologies"] {
            let folder = dir.join(sub);
            if !sub.is_empty() && !folder.exists() {
                continue; // reported below as a pack without techniques or methodologies
            }
            let entries = std::fs::read_dir(&folder).map_err(|e| RuleError {
                file: folder.display().to_string(),
                line: 1,
                column: 1,
                message: format!("cannot read rule directory: {e}"),
            })?;
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
                    let text = std::fs::read_to_string(&path).map_err(|e| RuleError {
                        file: path.display().to_string(),
                        line: 1,
                        column: 1,
                        message: format!("cannot read rule file: {e}"),
                    })?;
                    let relative = path.strip_prefix(dir).unwrap_or(&path);
                    files.push((
                        relative.to_string_lossy().replace('\\', "/"),
                        path.display().to_string(),
                        text,
                    ));
                }
            }
        }
        Self::compile(dir, files)
    }

    pub fn technique_index(&self, id: &str) -> Option<usize> {
        self.techniques.iter().position(|t| t.id == id)
    }

    pub fn methodology(&self, id: &str) -> Option<&Methodology> {
        self.methodologies.iter().find(|m| m.id == id)
    }

    /// `files`: (path relative to the pack root, display path, text); `root` names the pack
    /// where no file of it can (a missing language.toml).
    fn compile(root: &Path, mut files: Vec<(String, String, String)>) -> Result<Rules, RuleError> {
        files.sort();
        let mut language_file = None;
        let mut conversation_file = None;
        let mut technique_files = Vec::new();
        let mut methodology_files = Vec::new();
        for (relative, display, text) in files {
            let file = PackFile {
                path: display,
                text,
            };
            match relative.split_once('/') {
                None if relative == "language.toml" => language_file = Some(file),
                None if relative == "conversation.toml" => conversation_file = Some(file),
                Some(("techniques", _)) => technique_files.push(file),
                Some(("methodologies", _)) => methodology_files.push(file),
                // A misspelt `conversaton.toml` would otherwise leave the pack on default
                // settings without a word.
                _ => {
                    return Err(file.error(
                        None,
                        "not a rule file: a pack holds language.toml, conversation.toml, \
                         techniques/*.toml and methodologies/*.toml",
                    ));
                }
            }
        }
        let language_file = language_file.ok_or_else(|| RuleError {
            file: root.join("language.toml").display().to_string(),
            line: 1,
            column: 1,
            message: "the rule pack has no language.toml (is this a rule pack directory?)".into(),
        })?;
        let language = compile_language(&language_file)?;
        if technique_files.is_empty() || methodology_files.is_empty() {
            return Err(language_file.error(
                None,
                "the rule pack needs techniques/*.toml and methodologies/*.toml beside language.toml",
            ));
        }

        let parsed: Vec<(PackFile, TechniqueFile)> = technique_files
            .into_iter()
            .map(|f| f.parse().map(|t| (f, t)))
            .collect::<Result<_, _>>()?;
        let mut index = HashMap::new();
        for (i, (file, t)) in parsed.iter().enumerate() {
            if t.id.get_ref() != file.stem() {
                return Err(file.error(
                    Some(t.id.span()),
                    format!(
                        "technique id `{}` must equal the file name `{}`",
                        t.id.get_ref(),
                        file.stem()
                    ),
                ));
            }
            index.insert(t.id.get_ref().clone(), i);
        }
        let lookup = |file: &PackFile, id: &Spanned<String>| -> Result<usize, RuleError> {
            index.get(id.get_ref()).copied().ok_or_else(|| {
                file.error(
                    Some(id.span()),
                    format!("unknown technique `{}`", id.get_ref()),
                )
            })
        };

        let mut pattern_shapes = read_patterns(&parsed).into_iter();
        let mut techniques = Vec::with_capacity(parsed.len());
        let mut rules = Vec::new();
        let mut phrases: Vec<(String, usize, Sides)> = Vec::new();
        let mut patterns: Vec<PatternSource> = Vec::new();
        for (tech_index, (file, t)) in parsed.iter().enumerate() {
            if t.rules.is_empty() {
                return Err(
                    file.error(Some(t.id.span()), "a technique needs at least one [[rule]]")
                );
            }
            let mut rule_ids = Vec::new();
            let mut names = HashSet::new();
            let speaker = match t.speaker {
                SpeakerName::Agent => Speaker::Agent,
                SpeakerName::Customer => Speaker::Customer,
            };
            for entry in &t.rules {
                // A term used by the other speaker matters too (jargon the customer said
                // first is no jargon); every other rule only on its own speaker's turns.
                let sides = if entry.kind == RuleKindName::Term {
                    Sides::Both
                } else {
                    Sides::Only(speaker)
                };
                let name = entry.name.get_ref();
                if !names.insert(name.clone()) {
                    return Err(file.error(
                        Some(entry.name.span()),
                        format!("duplicate rule name `{name}`"),
                    ));
                }
                let rule_index = rules.len();
                let (kind, source) = match entry.kind {
                    RuleKindName::Phrase | RuleKindName::Term => {
                        if entry.phrases.is_empty() {
                            return Err(file.error(
                                Some(entry.name.span()),
                                "this rule kind needs `phrases = [...]`",
                            ));
                        }
                        for phrase in &entry.phrases {
                            let folded = language.normalizer.fold_phrase(phrase.get_ref());
                            if folded.trim().is_empty() {
                                return Err(file.error(
                                    Some(phrase.span()),
                                    "phrase is empty after normalisation",
                                ));
                            }
                            phrases.push((folded, rule_index, sides));
                        }
                        let kind = if entry.kind == RuleKindName::Term {
                            RuleKind::Term
                        } else {
                            RuleKind::Phrase
                        };
                        (
                            kind,
                            entry.phrases.iter().map(|p| p.get_ref().clone()).collect(),
                        )
                    }
                    RuleKindName::Pattern => {
                        let pattern = entry.pattern.as_ref().ok_or_else(|| {
                            file.error(
                                Some(entry.name.span()),
                                "kind = \"pattern\" needs `pattern = '...'`",
                            )
                        })?;
                        let (exact, shape) = pattern_shapes
                            .next()
                            .expect("read_patterns yields one result per pattern rule")?;
                        patterns.push(PatternSource {
                            exact,
                            shape,
                            rule: rule_index,
                            sides,
                        });
                        (RuleKind::Pattern, vec![pattern.get_ref().clone()])
                    }
                    RuleKindName::OnlyTokens => {
                        if entry.tokens.is_empty() {
                            return Err(file.error(
                                Some(entry.name.span()),
                                "kind = \"only_tokens\" needs `tokens = [...]`",
                            ));
                        }
                        let tokens = entry
                            .tokens
                            .iter()
                            .flat_map(|t| {
                                language
                                    .normalizer
                                    .fold_phrase(t)
                                    .split_whitespace()
                                    .map(String::from)
                                    .collect::<Vec<_>>()
                            })
                            .collect();
                        (RuleKind::OnlyTokens(tokens), entry.tokens.clone())
                    }
                };
                rules.push(Rule {
                    code: format!("{}.{}", t.id.get_ref(), name),
                    technique: tech_index,
                    kind,
                    mood: entry.mood,
                    negation: entry.negation,
                    source,
                    after: entry
                        .after
                        .iter()
                        .map(|id| lookup(file, id))
                        .collect::<Result<_, _>>()?,
                });
                rule_ids.push(rule_index);
            }
            techniques.push(Technique {
                id: t.id.get_ref().clone(),
                name: t.name.clone(),
                speaker,
                summary: t.summary.trim().to_string(),
                explanation: t.explanation.trim().to_string(),
                suppressed_by: t
                    .suppressed_by
                    .iter()
                    .map(|id| lookup(file, id))
                    .collect::<Result<_, _>>()?,
                requires_earlier: t
                    .requires_earlier
                    .iter()
                    .map(|id| lookup(file, id))
                    .collect::<Result<_, _>>()?,
                rules: rule_ids,
                examples: {
                    let lines = crate::location::Lines::new(&file.text);
                    let located = |list: &[Spanned<String>]| -> Vec<Example> {
                        list.iter()
                            .map(|e| Example {
                                text: e.get_ref().clone(),
                                line: lines.line(e.span().start),
                            })
                            .collect()
                    };
                    TechniqueExamples {
                        positive: located(&t.examples.positive),
                        negative: located(&t.examples.negative),
                    }
                },
                file: file.path.clone(),
            });
        }

        let mut methodologies = Vec::new();
        for file in &methodology_files {
            let m: MethodologyFile = file.parse()?;
            methodologies.push(compile_methodology(file, m, &lookup)?);
        }
        let conversation = match &conversation_file {
            Some(file) => conversation::compile(file, &language.normalizer, &lookup)?,
            None => Conversation::default(),
        };
        let matcher = Matcher::new(&phrases, &patterns).map_err(|message| RuleError {
            file: "rules".into(),
            line: 1,
            column: 1,
            message,
        })?;
        let only_token_rules = (0..rules.len())
            .filter(|&i| matches!(rules[i].kind, RuleKind::OnlyTokens(_)))
            .collect();
        Ok(Rules {
            language,
            techniques,
            only_token_rules,
            rules,
            methodologies,
            matcher,
            conversation,
        })
    }
}

/// Every pattern rule's exact regex and shape, in the order of the technique files and
/// their rules (a rule with `kind = "pattern"` but no `pattern` yields nothing). Reading the
/// shapes parses every pattern, most of the time it takes to load a pack (1.7 of 2.2 billion
/// instructions for the built-in one), so the patterns are read in parallel, on the rayon
/// pool the caller runs in; the results, errors included, keep their order, so the first
/// error reported is the one a serial pass would meet first.
fn read_patterns(
    parsed: &[(PackFile, TechniqueFile)],
) -> Vec<Result<(String, PatternShape), RuleError>> {
    let sources: Vec<(&PackFile, &Spanned<String>)> = parsed
        .iter()
        .flat_map(|(file, technique)| {
            technique
                .rules
                .iter()
                .filter(|entry| entry.kind == RuleKindName::Pattern)
                .filter_map(move |entry| Some((file, entry.pattern.as_ref()?)))
        })
        .collect();
    sources
        .into_par_iter()
        .map(|(file, pattern)| {
            let expanded = macros::expand(pattern.get_ref()).map_err(|e| {
                file.error(
                    Some(file.offset_in_string(pattern.span(), e.offset)),
                    format!("invalid pattern: {}", e.message),
                )
            })?;
            // The exact form differs from the nominating one only where a macro stands, as
            // one group of bytes for another: when one parses, so does the other, so the
            // pattern is parsed once.
            let shape = PatternShape::read(&expanded.nominating)
                .map_err(|e| file.error(Some(pattern.span()), format!("invalid pattern: {e}")))?;
            Ok((expanded.exact, shape))
        })
        .collect()
}

fn collect_embedded(dir: &Dir<'_>, out: &mut Vec<(String, String, String)>) {
    for file in dir.files() {
        if let Some(text) = file.contents_utf8() {
            let relative = file.path().to_string_lossy().replace('\\', "/");
            out.push((
                relative.clone(),
                format!("<built-in>/rules/{relative}"),
                text.to_string(),
            ));
        }
    }
    for sub in dir.dirs() {
        collect_embedded(sub, out);
    }
}

fn compile_language(file: &PackFile) -> Result<Language, RuleError> {
    let l: LanguageFile = file.parse()?;
    let normalizer = Normalizer::new(
        l.fillers.iter().map(String::as_str),
        l.contractions.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let words = |list: &[String]| list.iter().map(|w| fold_word(w)).collect::<WordSet>();
    // Folded phrases as token sequences, longest first (so "ja hoor" wins over "ja").
    let token_sequences = |list: &[String]| {
        let mut sequences: Vec<Vec<String>> = list
            .iter()
            .map(|phrase| {
                normalizer
                    .fold_phrase(phrase)
                    .split_whitespace()
                    .map(String::from)
                    .collect::<Vec<_>>()
            })
            .filter(|sequence| !sequence.is_empty())
            .collect();
        sequences.sort_by_key(|sequence| std::cmp::Reverse(sequence.len()));
        sequences
    };
    let cues = QuestionCues {
        words: words(&l.question_words),
        verbs: words(&l.question_verbs),
        subjects: words(&l.question_subjects),
        adverbs: words(&l.question_adverbs),
        openers: token_sequences(&l.question_openers),
        exclamations: token_sequences(&l.question_exclamations),
        inversion_adverbs: words(&l.inversion_adverbs),
        tags: l
            .tag_questions
            .iter()
            .map(|t| normalizer.fold_phrase(t))
            .collect(),
    };
    Ok(Language {
        cues,
        negations: words(&l.negations),
        negation_transparent: words(&l.negation_transparent),
        clause_subjects: words(&l.clause_subjects),
        abbreviations: words(&l.abbreviations),
        negation_before: l.negation_window.before,
        negation_after: l.negation_window.after,
        normalizer,
    })
}

/// Resolves a technique id written in `file` to its index, or a located error.
type TechniqueLookup<'a> = dyn Fn(&PackFile, &Spanned<String>) -> Result<usize, RuleError> + 'a;

fn compile_methodology(
    file: &PackFile,
    m: MethodologyFile,
    lookup: &TechniqueLookup<'_>,
) -> Result<Methodology, RuleError> {
    if m.id.get_ref() != file.stem() {
        return Err(file.error(
            Some(m.id.span()),
            format!(
                "methodology id `{}` must equal the file name `{}`",
                m.id.get_ref(),
                file.stem()
            ),
        ));
    }
    if m.phases.is_empty() {
        return Err(file.error(
            Some(m.id.span()),
            "a methodology needs at least one [[phase]]",
        ));
    }
    let mut phases = Vec::new();
    for p in &m.phases {
        if phases.iter().any(|q: &Phase| &q.id == p.id.get_ref()) {
            return Err(file.error(
                Some(p.id.span()),
                format!("duplicate phase `{}`", p.id.get_ref()),
            ));
        }
        if p.evidence.is_empty() {
            return Err(file.error(
                Some(p.id.span()),
                "a phase needs at least one evidence technique",
            ));
        }
        phases.push(Phase {
            id: p.id.get_ref().clone(),
            name: p.name.clone(),
            evidence: p
                .evidence
                .iter()
                .map(|id| lookup(file, id))
                .collect::<Result<_, _>>()?,
            weight: p.weight,
            advice: p.advice.trim().to_string(),
        });
    }
    if phases.iter().all(|p| p.weight == 0) {
        return Err(file.error(
            Some(m.id.span()),
            "at least one phase needs a weight above 0",
        ));
    }
    let phase_index = |id: &Spanned<String>| {
        phases
            .iter()
            .position(|p| &p.id == id.get_ref())
            .ok_or_else(|| file.error(Some(id.span()), format!("unknown phase `{}`", id.get_ref())))
    };
    let orders = m
        .orders
        .iter()
        .map(|o| {
            let (before, after) = (phase_index(&o.before)?, phase_index(&o.after)?);
            if before == after {
                return Err(file.error(
                    Some(o.after.span()),
                    format!(
                        "an order needs two different phases; `{}` cannot come before itself",
                        o.after.get_ref()
                    ),
                ));
            }
            Ok(Order {
                before,
                after,
                penalty: o.penalty,
                advice: o.advice.trim().to_string(),
            })
        })
        .collect::<Result<Vec<_>, RuleError>>()?;
    let mut checks = Vec::new();
    for c in &m.checks {
        let kind = match c.kind.get_ref() {
            CheckKindName::UnansweredEmotion => CheckKind::UnansweredEmotion,
            CheckKindName::UncheckedInstruction => CheckKind::UncheckedInstruction,
            CheckKindName::Jargon => CheckKind::Jargon,
            CheckKindName::MissingTechnique => CheckKind::MissingTechnique,
            CheckKindName::Interruption => CheckKind::Interruption,
            CheckKindName::Silence => CheckKind::Silence,
        };
        let needs_responses = matches!(
            kind,
            CheckKind::UnansweredEmotion | CheckKind::UncheckedInstruction
        );
        if needs_responses == c.responses.is_empty() {
            let message = if needs_responses {
                format!("check `{}` needs `responses = [...]`", kind.id())
            } else {
                format!("check `{}` takes no `responses`", kind.id())
            };
            return Err(file.error(Some(c.kind.span()), message));
        }
        if c.techniques.is_empty() {
            return Err(file.error(Some(c.kind.span()), "a check needs `techniques = [...]`"));
        }
        let threshold = |field: &Option<Spanned<u64>>, name: &str, wanted: CheckKind| match (
            field,
            kind == wanted,
        ) {
            (Some(value), true) => Ok(*value.get_ref()),
            (None, true) => Err(file.error(
                Some(c.kind.span()),
                format!("check `{}` needs `{name} = ...`", kind.id()),
            )),
            (Some(value), false) => Err(file.error(
                Some(value.span()),
                format!("check `{}` takes no `{name}`", kind.id()),
            )),
            (None, false) => Ok(0),
        };
        let min_overlap_ms =
            threshold(&c.min_overlap_ms, "min_overlap_ms", CheckKind::Interruption)?;
        let min_silence_ms = threshold(&c.min_silence_ms, "min_silence_ms", CheckKind::Silence)?;
        checks.push(Check {
            kind,
            techniques: c
                .techniques
                .iter()
                .map(|id| lookup(file, id))
                .collect::<Result<_, _>>()?,
            responses: c
                .responses
                .iter()
                .map(|id| lookup(file, id))
                .collect::<Result<_, _>>()?,
            within_agent_turns: c.within_agent_turns,
            phase: c.phase.as_ref().map(phase_index).transpose()?,
            min_overlap_ms,
            min_silence_ms,
            penalty: c.penalty,
            max_penalty: c.max_penalty,
            advice: c.advice.trim().to_string(),
        });
    }
    Ok(Methodology {
        id: m.id.get_ref().clone(),
        name: m.name,
        description: m.description.trim().to_string(),
        phases,
        orders,
        checks,
        file: file.path.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LANGUAGE: &str = "fillers = [\"eh\"]\nnegations = [\"niet\"]\nnegation_window = { before = 1, after = 2 }\nquestion_words = [\"wat\"]\nquestion_verbs = [\"heeft\"]\nquestion_subjects = [\"u\"]\ntag_questions = [\"toch\"]\n";
    const TECHNIQUE: &str = "id = \"apology\"\nname = \"Excuses\"\nspeaker = \"agent\"\nsummary = \"s\"\nexplanation = \"e\"\n\n[[rule]]\nname = \"sorry\"\nkind = \"phrase\"\nphrases = [\"sorry\"]\n";
    const METHODOLOGY: &str = "id = \"m\"\nname = \"M\"\ndescription = \"d\"\n\n[[phase]]\nid = \"p\"\nname = \"P\"\nevidence = [\"apology\"]\nweight = 10\nadvice = \"a\"\n";

    /// Compiles a pack of `(path in the pack, text)` files, shown as `pack/<path>`.
    fn compile_files(files: &[(&str, &str)]) -> Result<Rules, RuleError> {
        Rules::compile(
            Path::new("pack"),
            files
                .iter()
                .map(|(path, text)| (path.to_string(), format!("pack/{path}"), text.to_string()))
                .collect(),
        )
    }

    fn pack(language: &str, technique: &str, methodology: &str) -> Result<Rules, RuleError> {
        compile_files(&[
            ("language.toml", language),
            ("techniques/apology.toml", technique),
            ("methodologies/m.toml", methodology),
        ])
    }

    #[test]
    fn minimal_pack_compiles() {
        let rules = pack(LANGUAGE, TECHNIQUE, METHODOLOGY).unwrap();
        assert_eq!(rules.techniques[0].id, "apology");
        assert_eq!(rules.rules[0].code, "apology.sorry");
    }

    /// Asserts the error's file, line and column, and a part of its message.
    fn assert_located(err: &RuleError, at: (&str, usize, usize), says: &str) {
        assert_eq!(
            (err.file.as_str(), err.line, err.column),
            at,
            "{}",
            err.message
        );
        assert!(err.message.contains(says), "{}", err.message);
    }

    #[test]
    fn unknown_key_is_located() {
        let broken = TECHNIQUE.replace("summary", "sumary");
        let err = pack(LANGUAGE, &broken, METHODOLOGY).unwrap_err();
        let at = ("pack/techniques/apology.toml", 4, 1);
        assert_located(&err, at, "unknown field `sumary`");
    }

    #[test]
    fn bad_pattern_is_located_at_the_pattern() {
        let broken = TECHNIQUE.replace(
            "kind = \"phrase\"\nphrases = [\"sorry\"]",
            "kind = \"pattern\"\npattern = '(sorry'",
        );
        let err = pack(LANGUAGE, &broken, METHODOLOGY).unwrap_err();
        assert_eq!((err.line, err.column), (10, 11));
        assert!(
            err.message.starts_with("invalid pattern"),
            "{}",
            err.message
        );
    }

    /// Patterns are read in parallel; the error reported must still be the first a reader
    /// of the pack meets, whatever the thread count.
    #[test]
    fn first_broken_pattern_in_pack_order_is_reported() {
        let mut technique = TECHNIQUE.to_string();
        for i in 0..40 {
            technique.push_str(&format!(
                "\n[[rule]]\nname = \"p{i}\"\nkind = \"pattern\"\npattern = '{}'\n",
                if i % 10 == 7 {
                    "(broken"
                } else {
                    "\\bsorry\\b"
                }
            ));
        }
        // Rule p7 sits after ten lines of the technique and seven rules of five lines.
        let first_broken_line = 10 + 7 * 5 + 5;
        let duplicate_first = technique.replace("name = \"p0\"", "name = \"sorry\"");
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        for _ in 0..5 {
            let err = pool
                .install(|| pack(LANGUAGE, &technique, METHODOLOGY))
                .unwrap_err();
            assert_located(
                &err,
                ("pack/techniques/apology.toml", first_broken_line, 11),
                "invalid pattern",
            );
        }
        // A rule before the broken pattern that the serial checks refuse is met first.
        let err = pool
            .install(|| pack(LANGUAGE, &duplicate_first, METHODOLOGY))
            .unwrap_err();
        assert_located(
            &err,
            ("pack/techniques/apology.toml", 13, 8),
            "duplicate rule name",
        );
    }

    #[test]
    fn bad_word_list_is_located_at_the_word() {
        let broken = TECHNIQUE.replace(
            "kind = \"phrase\"\nphrases = [\"sorry\"]",
            "kind = \"pattern\"\npattern = 'sorry {not:dus,Nou}'",
        );
        let err = pack(LANGUAGE, &broken, METHODOLOGY).unwrap_err();
        assert_eq!((err.line, err.column), (10, 27));
        assert!(err.message.contains("`Nou`"), "{}", err.message);
    }

    #[test]
    fn bad_word_list_in_a_multi_line_pattern_is_located_at_the_value() {
        let broken = TECHNIQUE.replace(
            "kind = \"phrase\"\nphrases = [\"sorry\"]",
            "kind = \"pattern\"\npattern = '''\néé sorry {not:dus,Één}'''",
        );
        let err = pack(LANGUAGE, &broken, METHODOLOGY).unwrap_err();
        assert_eq!((err.line, err.column), (10, 11));
        assert!(err.message.contains("`Één`"), "{}", err.message);
    }

    #[test]
    fn unknown_technique_in_phase_is_located() {
        let broken = METHODOLOGY.replace("[\"apology\"]", "[\"apolgy\"]");
        let err = pack(LANGUAGE, TECHNIQUE, &broken).unwrap_err();
        let at = ("pack/methodologies/m.toml", 8, 13);
        assert_located(&err, at, "unknown technique `apolgy`");
        assert_eq!(err.message, "unknown technique `apolgy`");
    }

    #[test]
    fn id_must_match_file_name() {
        let broken = TECHNIQUE.replace("id = \"apology\"", "id = \"sorry\"");
        let err = pack(LANGUAGE, &broken, METHODOLOGY).unwrap_err();
        assert_eq!((err.line, err.column), (1, 6));
    }

    fn pack_with_conversation(methodology: &str, conversation: &str) -> Result<Rules, RuleError> {
        compile_files(&[
            ("language.toml", LANGUAGE),
            ("techniques/apology.toml", TECHNIQUE),
            ("methodologies/m.toml", methodology),
            ("conversation.toml", conversation),
        ])
    }

    const CONVERSATION: &str = "[metrics]\nsilence_ms = 3000\nmin_overlap_ms = 500\n\n[roles]\nopens_call = 2\n\n[roles.techniques]\napology = 1\n\n[roles.agent_words]\nu = 1\n\n[roles.customer_words]\nmijn = 1\n";
    const TIMING_CHECK: &str = "\n[[check]]\nkind = \"silence\"\ntechniques = [\"apology\"]\nmin_silence_ms = 10000\npenalty = 1\nmax_penalty = 2\nadvice = \"a\"\n";

    #[test]
    fn conversation_settings_and_timing_checks_compile() {
        let rules =
            pack_with_conversation(&format!("{METHODOLOGY}{TIMING_CHECK}"), CONVERSATION).unwrap();
        assert_eq!(rules.conversation.metrics.silence_ms, 3000);
        assert_eq!(rules.conversation.roles.techniques, vec![(0, 1)]);
        assert_eq!(rules.conversation.roles.words[0].1, " u ");
        let check = &rules.methodologies[0].checks[0];
        assert_eq!(
            (check.kind, check.min_silence_ms),
            (CheckKind::Silence, 10000)
        );
        // Without conversation.toml the pack still loads, with default metric settings.
        let rules = pack(LANGUAGE, TECHNIQUE, METHODOLOGY).unwrap();
        assert_eq!(rules.conversation.metrics, MetricSettings::default());
    }

    #[test]
    fn conversation_and_threshold_errors_are_located() {
        let broken = CONVERSATION.replace("apology = 1", "apolgy = 1");
        let err = pack_with_conversation(METHODOLOGY, &broken).unwrap_err();
        assert_eq!((err.file.as_str(), err.line), ("pack/conversation.toml", 9));
        assert_eq!(err.message, "unknown technique `apolgy`");
        let missing = TIMING_CHECK.replace("min_silence_ms = 10000\n", "");
        let err =
            pack_with_conversation(&format!("{METHODOLOGY}{missing}"), CONVERSATION).unwrap_err();
        assert_eq!(err.message, "check `silence` needs `min_silence_ms = ...`");
        let wrong = TIMING_CHECK.replace("min_silence_ms", "min_overlap_ms");
        let err =
            pack_with_conversation(&format!("{METHODOLOGY}{wrong}"), CONVERSATION).unwrap_err();
        assert_eq!(err.message, "check `silence` takes no `min_overlap_ms`");
    }

    #[test]
    fn an_order_of_a_phase_with_itself_is_located() {
        let looped = format!(
            "{METHODOLOGY}\n[[order]]\nbefore = \"p\"\nafter = \"p\"\npenalty = 5\nadvice = \"a\"\n"
        );
        let err = pack(LANGUAGE, TECHNIQUE, &looped).unwrap_err();
        assert_located(
            &err,
            ("pack/methodologies/m.toml", 14, 9),
            "two different phases",
        );
    }

    #[test]
    fn a_misspelt_pack_file_is_an_error() {
        let err = compile_files(&[
            ("language.toml", LANGUAGE),
            ("techniques/apology.toml", TECHNIQUE),
            ("methodologies/m.toml", METHODOLOGY),
            ("conversaton.toml", CONVERSATION),
        ])
        .unwrap_err();
        assert_located(&err, ("pack/conversaton.toml", 1, 1), "not a rule file");
    }

    #[test]
    fn wrong_type_is_located() {
        let broken = LANGUAGE.replace("before = 1", "before = \"one\"");
        let err = pack(&broken, TECHNIQUE, METHODOLOGY).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.column > 1);
    }
}
