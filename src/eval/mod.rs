//! Measures the engine against the annotated corpus (`corpus/`, see docs/corpus-format.md).
//!
//! Each call is a transcript plus a `NAME.gold.toml` sidecar with per-turn technique labels
//! and per-call expectations. [`load_corpus`] pairs them; [`evaluate`] runs the engine and
//! counts agreement: per technique over (turn, technique) pairs, phase presence per
//! methodology, and order and unanswered-emotion findings. [`gold_findings`] derives the
//! per-call expectations from per-turn labels with the same check code the engine uses,
//! so a test can hold the two parts of every gold file to each other.
//!
//! A call may also carry `NAME.second.toml`: per-turn labels by a second annotator who saw
//! neither the gold nor the engine's output. [`evaluate`] then measures that annotator
//! against the gold on the same footing as the engine ([`Agreement`]): how far two careful
//! people agree is the ceiling any rule pack can be held to.
//!
//! Every turn where the engine and the gold disagree is a [`Miss`], explained by
//! [`causes`]: why each expected technique was not tagged, which rule produced each
//! unexpected one.

pub mod causes;
pub mod compare;

use crate::Engine;
use crate::check::{self, Call};
use crate::input::{self, ReadOptions};
use crate::report::Report;
use crate::rules::Rules;
use crate::tag::TaggedTurn;
use crate::transcript::Transcript;
use causes::{MissReason, Missed, Spurious};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Per-call expectations for one methodology.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct GoldMethodology {
    #[serde(default)]
    pub missing: BTreeSet<String>,
    #[serde(default)]
    pub out_of_order: BTreeSet<OrderPair>,
    #[serde(default)]
    pub unanswered_emotion: BTreeSet<usize>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct OrderPair {
    pub phase: String,
    pub expected_after: String,
}

/// A gold sidecar file. Methodology sections are keyed by methodology id.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldFile {
    #[serde(default)]
    pub description: String,
    /// Turn number -> technique ids, with their places in the file for error messages.
    #[serde(default)]
    pub turns: Turns,
    #[serde(flatten)]
    pub methodologies: BTreeMap<String, GoldMethodology>,
}

/// A second annotator's labels for a call (`NAME.second.toml`): per-turn labels only, the
/// per-call expectations follow from them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecondFile {
    /// Who labelled, and how: a record for the people reading the file, checked to be
    /// text but not used by eval.
    #[serde(default, rename = "annotator")]
    _annotator: String,
    #[serde(default)]
    turns: Turns,
}

/// A sidecar's `[turns]` table as written, each key and label with its place in the file.
pub type Turns = BTreeMap<toml::Spanned<String>, Vec<toml::Spanned<String>>>;

/// One annotated call, read and validated.
#[derive(Debug, Clone)]
pub struct GoldCall {
    /// Path of the transcript, as reports name it.
    pub source: String,
    /// The corpus part: the first directory below the corpus root (`tuning`, `holdout`).
    pub part: String,
    pub format: &'static str,
    pub transcript: Transcript,
    /// Per turn: the gold technique ids.
    pub turn_labels: Vec<BTreeSet<String>>,
    pub expected: BTreeMap<String, GoldMethodology>,
    /// Per turn: a second annotator's technique ids, when `NAME.second.toml` exists.
    pub second_labels: Option<Vec<BTreeSet<String>>>,
}

/// Reads every `*.gold.toml` below `root` with its transcript (`.txt` or `.json`).
/// Problems are collected per file, never fatal for the rest.
pub fn load_corpus(rules: &Rules, root: &Path) -> (Vec<GoldCall>, Vec<String>) {
    let mut calls = Vec::new();
    let mut errors = Vec::new();
    let mut gold_paths = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        match entry {
            Ok(entry) if entry.path().to_string_lossy().ends_with(".gold.toml") => {
                gold_paths.push(entry.into_path());
            }
            Ok(_) => {}
            // An unreadable directory would silently shrink the corpus: say so.
            Err(e) => errors.push(format!("{}: {e}", e.path().unwrap_or(root).display())),
        }
    }
    for gold_path in gold_paths {
        match load_call(rules, root, &gold_path) {
            Ok(mut call) => {
                // A broken second annotation costs only the agreement figures: the call
                // is still measured against its gold.
                match load_second_labels(rules, &call) {
                    Ok(labels) => call.second_labels = labels,
                    Err(e) => errors.push(e),
                }
                calls.push(call);
            }
            Err(e) => errors.push(e),
        }
    }
    (calls, errors)
}

fn load_call(rules: &Rules, root: &Path, gold_path: &Path) -> Result<GoldCall, String> {
    let gold_name = gold_path.display().to_string();
    let stem = gold_name.trim_end_matches(".gold.toml");
    let transcript_path = input::TRANSCRIPT_EXTENSIONS
        .iter()
        .map(|ext| format!("{stem}.{ext}"))
        .find(|p| Path::new(p).is_file())
        .ok_or_else(|| {
            format!(
                "{gold_name}: no transcript beside it ({stem}.{})",
                input::TRANSCRIPT_EXTENSIONS.join(&format!(", {stem}."))
            )
        })?;
    let bytes = std::fs::read(&transcript_path).map_err(|e| format!("{transcript_path}: {e}"))?;
    let (transcript, format) = input::read_transcript(&bytes, &ReadOptions::default())
        .map_err(|e| e.located(&transcript_path))?;
    let (gold, gold_text): (GoldFile, String) = read_toml(gold_path)?;
    let turn_count = transcript.turns.len();
    let sidecar = Sidecar {
        name: &gold_name,
        text: &gold_text,
    };
    let turn_labels = labels_per_turn(rules, &sidecar, &transcript_path, turn_count, &gold.turns)?;
    for id in gold.methodologies.keys() {
        if rules.methodology(id).is_none() {
            return Err(format!("{gold_name}: unknown methodology section `[{id}]`"));
        }
    }
    let part = gold_path
        .strip_prefix(root)
        .ok()
        .and_then(|rel| rel.components().next())
        .filter(|_| gold_path.parent() != Some(root))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_else(|| part_name(root));
    Ok(GoldCall {
        source: transcript_path,
        part,
        format: format.name(),
        transcript,
        turn_labels,
        expected: gold.methodologies,
        second_labels: None,
    })
}

/// The labels of `NAME.second.toml` beside the call's transcript, if there is one.
fn load_second_labels(
    rules: &Rules,
    call: &GoldCall,
) -> Result<Option<Vec<BTreeSet<String>>>, String> {
    let stem = Path::new(&call.source).with_extension("");
    let path = PathBuf::from(format!("{}.second.toml", stem.display()));
    if !path.is_file() {
        return Ok(None);
    }
    let (second, text): (SecondFile, String) = read_toml(&path)?;
    let name = path.display().to_string();
    labels_per_turn(
        rules,
        &Sidecar {
            name: &name,
            text: &text,
        },
        &call.source,
        call.transcript.turns.len(),
        &second.turns,
    )
    .map(Some)
}

/// Reads and parses a TOML sidecar (returned with its text, to locate later errors); errors
/// name the file and line.
fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<(T, String), String> {
    let name = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
    match toml::from_str(&text) {
        Ok(value) => Ok((value, text)),
        Err(e) => {
            let (line, _) = crate::location::line_column(&text, e.span().map_or(0, |s| s.start));
            Err(format!("{name}:{line}: {}", e.message().trim()))
        }
    }
}

/// A sidecar file being checked: its name and text, to say where a problem is.
struct Sidecar<'a> {
    name: &'a str,
    text: &'a str,
}

impl Sidecar<'_> {
    /// `name:line:column: message` for the value at `span`.
    fn error(&self, span: std::ops::Range<usize>, message: String) -> String {
        let (line, column) = crate::location::line_column(self.text, span.start);
        format!("{}:{line}:{column}: {message}", self.name)
    }
}

/// A sidecar's `[turns]` table as one label set per turn, checked against the transcript's
/// turns and the pack's techniques.
fn labels_per_turn(
    rules: &Rules,
    sidecar: &Sidecar,
    transcript_path: &str,
    turn_count: usize,
    turns: &Turns,
) -> Result<Vec<BTreeSet<String>>, String> {
    let mut per_turn = vec![BTreeSet::new(); turn_count];
    for (key, labels) in turns {
        let index: usize = key.get_ref().parse().map_err(|_| {
            sidecar.error(
                key.span(),
                format!("turn key `{}` is not a turn number", key.get_ref()),
            )
        })?;
        let slot = per_turn.get_mut(index).ok_or_else(|| {
            sidecar.error(
                key.span(),
                format!("turn {index} does not exist ({turn_count} turns in {transcript_path})"),
            )
        })?;
        for label in labels {
            if rules.technique_index(label.get_ref()).is_none() {
                return Err(sidecar.error(
                    label.span(),
                    format!("turn {index}: unknown technique `{}`", label.get_ref()),
                ));
            }
            slot.insert(label.get_ref().clone());
        }
    }
    Ok(per_turn)
}

/// A corpus directory's own name (`corpus/tuning` -> `tuning`) for calls directly in it.
fn part_name(root: &Path) -> String {
    std::fs::canonicalize(root)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| root.display().to_string())
}

/// The per-call expectations that follow from a call's per-turn gold labels.
pub fn gold_findings(rules: &Rules, call: &GoldCall) -> BTreeMap<String, GoldMethodology> {
    findings_from_labels(rules, &call.transcript, &call.turn_labels)
}

/// The per-call findings that per-turn `labels` lead to under the pack's phase and order
/// rules.
fn findings_from_labels(
    rules: &Rules,
    transcript: &Transcript,
    labels: &[BTreeSet<String>],
) -> BTreeMap<String, GoldMethodology> {
    let tagged: Vec<TaggedTurn> = labels
        .iter()
        .map(|labels| TaggedTurn {
            techniques: labels
                .iter()
                .filter_map(|l| rules.technique_index(l))
                .collect(),
            evidence: Vec::new(),
        })
        .collect();
    let view = Call {
        rules,
        transcript,
        tagged: &tagged,
    };
    rules
        .methodologies
        .iter()
        .map(|m| {
            let result = check::run(&view, m);
            (
                m.id.clone(),
                summarise(
                    result
                        .findings
                        .iter()
                        .map(|f| (f.kind, f.phase.clone(), f.expected_after.clone(), f.turn)),
                ),
            )
        })
        .collect()
}

fn summarise<'a>(
    findings: impl Iterator<Item = (&'a str, Option<String>, Option<String>, Option<usize>)>,
) -> GoldMethodology {
    let mut out = GoldMethodology::default();
    for (kind, phase, expected_after, turn) in findings {
        match (kind, phase, expected_after, turn) {
            ("missing_phase", Some(phase), _, _) => {
                out.missing.insert(phase);
            }
            ("out_of_order", Some(phase), Some(expected_after), _) => {
                out.out_of_order.insert(OrderPair {
                    phase,
                    expected_after,
                });
            }
            ("unanswered_emotion", _, _, Some(turn)) => {
                out.unanswered_emotion.insert(turn);
            }
            _ => {}
        }
    }
    out
}

/// Counts for precision and recall.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }
    fn add<T: Ord>(&mut self, expected: &BTreeSet<T>, found: &BTreeSet<T>) {
        self.tp += expected.intersection(found).count();
        self.fp += found.difference(expected).count();
        self.fn_ += expected.difference(found).count();
    }
}

/// No cases at all counts as perfect: nothing was expected and nothing was found.
fn ratio(numerator: usize, denominator: usize) -> f64 {
    if denominator == 0 {
        1.0
    } else {
        numerator as f64 / denominator as f64
    }
}

/// A turn where the engine and the gold disagree.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub source: String,
    pub turn: usize,
    pub speaker: String,
    pub text: String,
    pub expected: Vec<String>,
    pub found: Vec<String>,
    pub missed: Vec<String>,
    pub spurious: Vec<String>,
    /// Why each of `missed` was not tagged.
    pub why_missed: Vec<Missed>,
    /// The rule and quote behind each of `spurious`.
    pub why_spurious: Vec<Spurious>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MethodologyScore {
    pub id: String,
    /// Share of (call, phase) pairs whose presence the engine got right.
    pub phase_accuracy: f64,
    pub phases_right: usize,
    pub phases_total: usize,
    /// Per phase, in the methodology's order: where the engine's presence was wrong.
    pub phases: Vec<PhaseErrors>,
    pub out_of_order: CountsReport,
    pub unanswered_emotion: CountsReport,
}

/// One phase's wrong presence calls over the calls of a part.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PhaseErrors {
    pub id: String,
    /// Calls where the gold has the phase and the engine reports it missing.
    pub reported_missing: usize,
    /// Calls where the gold misses the phase and the engine reports it present.
    pub reported_present: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct CountsReport {
    #[serde(flatten)]
    pub counts: Counts,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl From<Counts> for CountsReport {
    fn from(counts: Counts) -> Self {
        CountsReport {
            counts,
            precision: counts.precision(),
            recall: counts.recall(),
            f1: counts.f1(),
        }
    }
}

/// Per-technique and overall counts of one labeller against the gold.
#[derive(Debug, Clone, Default)]
struct Tally {
    per_technique: BTreeMap<String, Counts>,
    micro: Counts,
}

impl Tally {
    fn new(rules: &Rules) -> Tally {
        Tally {
            per_technique: rules
                .techniques
                .iter()
                .map(|t| (t.id.clone(), Counts::default()))
                .collect(),
            micro: Counts::default(),
        }
    }

    fn add(&mut self, expected: &BTreeSet<String>, found: &BTreeSet<String>) {
        for (id, counts) in self.per_technique.iter_mut() {
            match (expected.contains(id), found.contains(id)) {
                (true, true) => counts.tp += 1,
                (false, true) => counts.fp += 1,
                (true, false) => counts.fn_ += 1,
                (false, false) => {}
            }
        }
        self.micro.add(expected, found);
    }

    /// Mean F1 over the techniques that occur in the gold or the labels.
    fn macro_f1(&self) -> f64 {
        let used: Vec<f64> = self
            .per_technique
            .values()
            .filter(|c| c.tp + c.fp + c.fn_ > 0)
            .map(Counts::f1)
            .collect();
        if used.is_empty() {
            1.0
        } else {
            used.iter().sum::<f64>() / used.len() as f64
        }
    }

    fn scores(self) -> Scores {
        Scores {
            macro_f1: self.macro_f1(),
            micro: self.micro.into(),
            techniques: self
                .per_technique
                .into_iter()
                .map(|(k, v)| (k, v.into()))
                .collect(),
        }
    }
}

/// One labeller against the gold: per technique, micro and macro.
#[derive(Debug, Clone, Serialize)]
pub struct Scores {
    pub techniques: BTreeMap<String, CountsReport>,
    pub micro: CountsReport,
    pub macro_f1: f64,
}

/// The second annotator and the engine, each against the gold, on the calls that have a
/// second annotation.
#[derive(Debug, Clone, Serialize)]
pub struct Agreement {
    pub calls: usize,
    pub turns: usize,
    pub second_annotator: Scores,
    pub engine: Scores,
    /// Per methodology: phase presence as it follows from each one's labels.
    pub phases: Vec<PhaseAgreement>,
}

/// Share of (call, phase) pairs whose presence each labeller got right, on the calls with
/// a second annotation.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseAgreement {
    pub id: String,
    pub total: usize,
    pub second_annotator: f64,
    pub engine: f64,
}

/// Accuracy of one set of calls.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub calls: usize,
    pub turns: usize,
    /// The engine against the gold: per technique, micro and macro.
    #[serde(flatten)]
    pub scores: Scores,
    pub methodologies: Vec<MethodologyScore>,
    pub misses: Vec<Miss>,
    /// Per technique with misses: how many of its false negatives each reason explains
    /// (they add up to the technique's `fn`).
    pub miss_reasons: BTreeMap<String, BTreeMap<MissReason, usize>>,
    /// Per rule code: on how many turns it tagged a technique the gold does not expect.
    pub false_positive_rules: BTreeMap<String, usize>,
    /// Present when some calls carry a second annotation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement: Option<Agreement>,
}

/// Runs the engine over `calls` and measures it against their gold.
pub fn evaluate(engine: &Engine, calls: &[GoldCall]) -> Evaluation {
    let rules = engine.rules();
    let mut tally = Tally::new(rules);
    let mut second = Tally::new(rules);
    let mut engine_on_second = Tally::new(rules);
    let (mut second_calls, mut second_turns) = (0, 0);
    // Per methodology: (second annotator right, engine right, total) over phases.
    let mut second_phases: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    // Per methodology: the calls scored, and per phase the calls where it was wrong.
    let mut phase_errors: BTreeMap<String, (usize, Vec<PhaseErrors>)> = BTreeMap::new();
    let mut orders: BTreeMap<String, Counts> = BTreeMap::new();
    let mut emotions: BTreeMap<String, Counts> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut miss_reasons: BTreeMap<String, BTreeMap<MissReason, usize>> = BTreeMap::new();
    let mut false_positive_rules: BTreeMap<String, usize> = BTreeMap::new();
    let mut turns = 0;
    for call in calls {
        let (report, rejections): (Report, _) =
            engine.analyze_traced(&call.source, call.format, &call.transcript);
        second_calls += usize::from(call.second_labels.is_some());
        for (turn, expected) in report.turns.iter().zip(&call.turn_labels) {
            turns += 1;
            let found: BTreeSet<String> = turn.techniques.iter().cloned().collect();
            tally.add(expected, &found);
            if let Some(labels) = call.second_labels.as_ref().and_then(|l| l.get(turn.index)) {
                second_turns += 1;
                second.add(expected, labels);
                engine_on_second.add(expected, &found);
            }
            if &found != expected {
                let missed: Vec<String> = expected.difference(&found).cloned().collect();
                let spurious: Vec<String> = found.difference(expected).cloned().collect();
                let turn_rejections = rejections.get(turn.index).map_or(&[][..], Vec::as_slice);
                let why_missed =
                    causes::explain_missed(rules, &turn.text, &missed, turn_rejections);
                let why_spurious = causes::explain_spurious(turn, &spurious);
                for m in &why_missed {
                    *miss_reasons
                        .entry(m.technique.clone())
                        .or_default()
                        .entry(m.reason)
                        .or_default() += 1;
                }
                for s in &why_spurious {
                    *false_positive_rules.entry(s.rule.clone()).or_default() += 1;
                }
                misses.push(Miss {
                    source: call.source.clone(),
                    turn: turn.index,
                    speaker: turn.speaker.to_string(),
                    text: turn.text.clone(),
                    expected: expected.iter().cloned().collect(),
                    found: found.iter().cloned().collect(),
                    missed,
                    spurious,
                    why_missed,
                    why_spurious,
                });
            }
        }
        // Only a gold file without a section for a methodology needs it derived.
        let mut derived = None;
        let second_findings = call
            .second_labels
            .as_ref()
            .map(|labels| findings_from_labels(rules, &call.transcript, labels));
        for m in &report.methodologies {
            let gold = match call.expected.get(&m.id) {
                Some(written) => written.clone(),
                None => derived
                    .get_or_insert_with(|| gold_findings(rules, call))
                    .get(&m.id)
                    .cloned()
                    .unwrap_or_default(),
            };
            let (scored, errors) = phase_errors.entry(m.id.clone()).or_insert_with(|| {
                let phases = m.phases.iter().map(|p| PhaseErrors {
                    id: p.id.clone(),
                    ..PhaseErrors::default()
                });
                (0, phases.collect())
            });
            *scored += 1;
            // Every report of a methodology lists its phases in the same order.
            for (phase, errors) in m.phases.iter().zip(errors.iter_mut()) {
                let gold_missing = gold.missing.contains(&phase.id);
                let engine_missing = phase.status == "missing";
                let engine_right = engine_missing == gold_missing;
                errors.reported_missing += usize::from(engine_missing && !gold_missing);
                errors.reported_present += usize::from(!engine_missing && gold_missing);
                if let Some(second) = second_findings.as_ref() {
                    let second_missing = second
                        .get(&m.id)
                        .is_some_and(|f| f.missing.contains(&phase.id));
                    let tally = second_phases.entry(m.id.clone()).or_default();
                    tally.0 += usize::from(second_missing == gold_missing);
                    tally.1 += usize::from(engine_right);
                    tally.2 += 1;
                }
            }
            let found = summarise(
                m.findings
                    .iter()
                    .map(|f| (f.kind, f.phase.clone(), f.expected_after.clone(), f.turn)),
            );
            orders
                .entry(m.id.clone())
                .or_default()
                .add(&gold.out_of_order, &found.out_of_order);
            emotions
                .entry(m.id.clone())
                .or_default()
                .add(&gold.unanswered_emotion, &found.unanswered_emotion);
        }
    }
    misses.sort_by_key(|m| std::cmp::Reverse(m.missed.len() + m.spurious.len()));
    let agreement = (second_calls > 0).then(|| Agreement {
        calls: second_calls,
        turns: second_turns,
        second_annotator: second.scores(),
        engine: engine_on_second.scores(),
        phases: second_phases
            .into_iter()
            .map(|(id, (second, engine, total))| PhaseAgreement {
                id,
                total,
                second_annotator: ratio(second, total),
                engine: ratio(engine, total),
            })
            .collect(),
    });
    Evaluation {
        calls: calls.len(),
        turns,
        scores: tally.scores(),
        methodologies: phase_errors
            .into_iter()
            .map(|(id, (scored, phases))| {
                let total = scored * phases.len();
                let wrong: usize = phases
                    .iter()
                    .map(|p| p.reported_missing + p.reported_present)
                    .sum();
                MethodologyScore {
                    phase_accuracy: ratio(total - wrong, total),
                    phases_right: total - wrong,
                    phases_total: total,
                    phases,
                    out_of_order: orders.remove(&id).unwrap_or_default().into(),
                    unanswered_emotion: emotions.remove(&id).unwrap_or_default().into(),
                    id,
                }
            })
            .collect(),
        misses,
        miss_reasons,
        false_positive_rules,
        agreement,
    }
}
