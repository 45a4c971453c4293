//! The on-disk shape of a rule pack, as serde reads it. Every struct rejects unknown
//! keys, so a misspelt field is a located error rather than a silently ignored setting.
//! Values that later checks may reject carry their span ([`Spanned`]) for the message.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageFile {
    pub fillers: Vec<String>,
    pub negations: Vec<String>,
    pub negation_window: NegationWindow,
    /// Words that do not count towards the negation window ("het werkt nog steeds niet").
    #[serde(default)]
    pub negation_transparent: Vec<String>,
    /// Subject pronouns that open a clause: a negation right before a match that starts
    /// with one belongs to the clause before ("dat hoeft niet ik plan een monteur in").
    #[serde(default)]
    pub clause_subjects: Vec<String>,
    pub question_words: Vec<String>,
    pub question_verbs: Vec<String>,
    pub question_subjects: Vec<String>,
    /// Adverbs that may stand between the verb and the subject of a question ("is nu
    /// alles in orde", "werkt inmiddels de app").
    #[serde(default)]
    pub question_adverbs: Vec<String>,
    /// Words or short phrases that may open an utterance before its question starts
    /// ("en", "oke", "ja hoor").
    #[serde(default)]
    pub question_openers: Vec<String>,
    /// Fronted adverbs after which verb + subject is a statement ("nu werkt alles weer").
    #[serde(default)]
    pub inversion_adverbs: Vec<String>,
    /// Exclamations that start like a question ("wat een pech", "wat fijn").
    #[serde(default)]
    pub question_exclamations: Vec<String>,
    pub tag_questions: Vec<String>,
    #[serde(default)]
    pub contractions: BTreeMap<String, String>,
    /// Abbreviations (without the final dot) after which a full stop does not end an
    /// utterance even before a lower-case word.
    #[serde(default)]
    pub abbreviations: Vec<String>,
}

#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub struct NegationWindow {
    pub before: usize,
    pub after: usize,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SpeakerName {
    Agent,
    Customer,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TechniqueFile {
    pub id: Spanned<String>,
    pub name: String,
    pub speaker: SpeakerName,
    pub summary: String,
    pub explanation: String,
    #[serde(default)]
    pub suppressed_by: Vec<Spanned<String>>,
    #[serde(default)]
    pub requires_earlier: Vec<Spanned<String>>,
    #[serde(rename = "rule")]
    pub rules: Vec<RuleEntry>,
    #[serde(default)]
    pub examples: Examples,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RuleKindName {
    Phrase,
    Pattern,
    OnlyTokens,
    Term,
}

/// Which utterances a rule may match in.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mood {
    #[default]
    Any,
    Question,
    Statement,
    /// A question, or an utterance without final punctuation: for wordings that ask in
    /// any word order when nothing says otherwise (ASR text has no question mark), while
    /// a typed full stop still makes them a statement.
    #[serde(rename = "question_or_unpunctuated")]
    QuestionOrUnpunctuated,
}

/// Whether a nearby negation word cancels a match.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Negation {
    #[default]
    Blocks,
    Ignore,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleEntry {
    pub name: Spanned<String>,
    pub kind: RuleKindName,
    #[serde(default)]
    pub phrases: Vec<Spanned<String>>,
    #[serde(default)]
    pub pattern: Option<Spanned<String>>,
    #[serde(default)]
    pub tokens: Vec<String>,
    #[serde(default)]
    pub mood: Mood,
    #[serde(default)]
    pub negation: Negation,
    /// Only in a turn right after one that shows one of these techniques (an answer).
    #[serde(default)]
    pub after: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default)]
    pub positive: Vec<Spanned<String>>,
    #[serde(default)]
    pub negative: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodologyFile {
    pub id: Spanned<String>,
    pub name: String,
    pub description: String,
    #[serde(rename = "phase")]
    pub phases: Vec<PhaseEntry>,
    #[serde(rename = "order", default)]
    pub orders: Vec<OrderEntry>,
    #[serde(rename = "check", default)]
    pub checks: Vec<CheckEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseEntry {
    pub id: Spanned<String>,
    pub name: String,
    pub evidence: Vec<Spanned<String>>,
    pub weight: u32,
    pub advice: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderEntry {
    pub before: Spanned<String>,
    pub after: Spanned<String>,
    pub penalty: u32,
    pub advice: String,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CheckKindName {
    UnansweredEmotion,
    UncheckedInstruction,
    Jargon,
    MissingTechnique,
    Interruption,
    Silence,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckEntry {
    pub kind: Spanned<CheckKindName>,
    /// Techniques that start the check (emotion, instruction, jargon), are expected
    /// somewhere in the call (missing_technique), mark the problem as clarified
    /// (interruption) or announce a silence (silence).
    pub techniques: Vec<Spanned<String>>,
    /// Techniques that answer a trigger (unanswered_emotion, unchecked_instruction).
    #[serde(default)]
    pub responses: Vec<Spanned<String>>,
    /// How many following agent turns may carry the response (0: the same turn only).
    #[serde(default)]
    pub within_agent_turns: usize,
    /// The phase the finding is reported under, if any.
    #[serde(default)]
    pub phase: Option<Spanned<String>>,
    /// `interruption`: the least overlap, in ms, that counts as cutting the customer off.
    #[serde(default)]
    pub min_overlap_ms: Option<Spanned<u64>>,
    /// `silence`: the shortest stretch, in ms, with nobody speaking that needs announcing.
    #[serde(default)]
    pub min_silence_ms: Option<Spanned<u64>>,
    /// Points off per finding.
    pub penalty: u32,
    /// Cap on the points this check can take off in one call.
    pub max_penalty: u32,
    pub advice: String,
}

/// `conversation.toml`: speaker-role inference and timing metrics (optional in a pack).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConversationFile {
    pub metrics: MetricsEntry,
    pub roles: RolesEntry,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsEntry {
    /// Gaps with nobody speaking at least this long are listed as silences.
    pub silence_ms: u64,
    /// Overlaps shorter than this are turn-taking, not interruptions.
    pub min_overlap_ms: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolesEntry {
    /// Points for the agent role to whoever speaks the first turn.
    pub opens_call: u32,
    /// Points per turn that shows the technique, for the technique's own party.
    pub techniques: BTreeMap<Spanned<String>, u32>,
    /// Points for the agent role per turn that contains the word or phrase.
    pub agent_words: BTreeMap<String, u32>,
    /// Points for the customer role per turn that contains the word or phrase.
    pub customer_words: BTreeMap<String, u32>,
}
