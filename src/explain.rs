//! Explanations generated from the rules (ruff's `explain`): every technique, rule code,
//! methodology and finding kind can be looked up by id, and [`reference`] renders the
//! whole pack as Markdown for `docs/rules.md`.

use crate::rules::{RuleKind, Rules};
use std::fmt::Write;

/// The finding kinds, a closed set, with what each means.
pub const FINDING_KINDS: &[(&str, &str)] = &[
    (
        "missing_phase",
        "A phase of the methodology has no evidence in any turn. Costs the phase's weight.",
    ),
    (
        "out_of_order",
        "Both phases occur, but the later phase's first turn comes before the earlier phase's first turn. Reported as {phase: later, expected_after: earlier}.",
    ),
    (
        "unanswered_emotion",
        "A customer_emotion turn is not followed by empathy_statement, apology or reassurance within the configured number of agent turns.",
    ),
    (
        "unchecked_instruction",
        "A step_instruction is not followed by a check_step in the same turn or the configured number of following agent turns.",
    ),
    (
        "jargon",
        "The agent used a technical term from the jargon lexicon that the customer had not used earlier in the call.",
    ),
    (
        "missing_technique",
        "A technique the methodology expects somewhere in the call (such as thanks_closing) occurs in no turn.",
    ),
    (
        "interruption",
        "From timestamps: the agent starts talking while the customer is still speaking (overlap of at least the check's min_overlap_ms) and talks on after the customer stops, before the problem is clarified (the first turn showing one of the check's techniques).",
    ),
    (
        "silence",
        "From timestamps: nobody speaks for at least the check's min_silence_ms, and the agent's last turn before it did not announce it (announce_action or another of the check's techniques).",
    ),
];

/// The explanation for one id (technique, rule code, methodology or finding kind).
pub fn explain(rules: &Rules, id: &str) -> Option<String> {
    if let Some(t) = rules.technique_index(id) {
        return Some(technique(rules, t));
    }
    if let Some(rule) = rules.rules.iter().find(|r| r.code == id) {
        let mut out = technique(rules, rule.technique);
        let _ = writeln!(out, "\nSelected rule: {}", rule.code);
        return Some(out);
    }
    if let Some(m) = rules.methodology(id) {
        return Some(methodology(rules, m));
    }
    FINDING_KINDS
        .iter()
        .find(|(kind, _)| *kind == id)
        .map(|(kind, text)| format!("finding {kind}\n\n{text}\n"))
}

/// A one-line-per-id index of everything `explain` knows.
pub fn index(rules: &Rules) -> String {
    let mut out = String::from("Techniques:\n");
    for t in &rules.techniques {
        let _ = writeln!(out, "  {:<28} {:<9} {}", t.id, t.speaker, t.summary);
    }
    out.push_str("\nMethodologies:\n");
    for m in &rules.methodologies {
        let phases: Vec<&str> = m.phases.iter().map(|p| p.id.as_str()).collect();
        let _ = writeln!(out, "  {:<28} {}", m.id, phases.join(" -> "));
    }
    out.push_str("\nFinding kinds:\n");
    for (kind, text) in FINDING_KINDS {
        let _ = writeln!(out, "  {kind:<28} {text}");
    }
    out.push_str("\nRun `callqa explain ID` for one of these, or a rule code such as `open_question.vertel`.\n");
    out
}

fn technique(rules: &Rules, index: usize) -> String {
    let t = &rules.techniques[index];
    let mut out = String::new();
    let _ = writeln!(
        out,
        "technique {} ({}), spoken by the {}\n",
        t.id, t.name, t.speaker
    );
    let _ = writeln!(out, "{}\n\n{}\n", t.summary, t.explanation);
    let names = |list: &[usize]| {
        list.iter()
            .map(|&i| rules.techniques[i].id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !t.suppressed_by.is_empty() {
        let _ = writeln!(
            out,
            "Not tagged on an utterance that also shows: {}",
            names(&t.suppressed_by)
        );
    }
    if !t.requires_earlier.is_empty() {
        let _ = writeln!(out, "Only tagged after: {}", names(&t.requires_earlier));
    }
    let used_in: Vec<String> = rules
        .methodologies
        .iter()
        .flat_map(|m| {
            m.phases
                .iter()
                .filter(|p| p.evidence.contains(&index))
                .map(move |p| format!("{}/{}", m.id, p.id))
        })
        .collect();
    if !used_in.is_empty() {
        let _ = writeln!(out, "Evidence for phases: {}", used_in.join(", "));
    }
    out.push_str("\nRules:\n");
    for &r in &t.rules {
        let rule = &rules.rules[r];
        let kind = match rule.kind {
            RuleKind::Phrase => "phrase",
            RuleKind::Pattern => "pattern",
            RuleKind::OnlyTokens(_) => "only_tokens",
            RuleKind::Term => "term",
        };
        let _ = writeln!(
            out,
            "  {} [{kind}, mood {:?}, negation {:?}]",
            rule.code, rule.mood, rule.negation
        );
        let _ = writeln!(out, "      {}", rule.source.join(" | "));
    }
    for (title, list) in [
        ("Examples (tagged)", &t.examples.positive),
        ("Examples (not tagged)", &t.examples.negative),
    ] {
        if !list.is_empty() {
            let _ = writeln!(out, "\n{title}:");
            for example in list {
                let _ = writeln!(out, "  - {}", example.text.replace('\n', " / "));
            }
        }
    }
    out
}

fn methodology(rules: &Rules, m: &crate::rules::Methodology) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "methodology {} ({})\n\n{}\n\nPhases:",
        m.id, m.name, m.description
    );
    for p in &m.phases {
        let evidence: Vec<&str> = p
            .evidence
            .iter()
            .map(|&i| rules.techniques[i].id.as_str())
            .collect();
        let _ = writeln!(
            out,
            "  {} ({}), weight {}: {}",
            p.id,
            p.name,
            p.weight,
            evidence.join(" | ")
        );
    }
    out.push_str("\nOrder:\n");
    for o in &m.orders {
        let _ = writeln!(
            out,
            "  {} before {} (penalty {})",
            m.phases[o.before].id, m.phases[o.after].id, o.penalty
        );
    }
    out.push_str("\nChecks:\n");
    for c in &m.checks {
        let techniques: Vec<&str> = c
            .techniques
            .iter()
            .map(|&i| rules.techniques[i].id.as_str())
            .collect();
        let threshold = match c.kind {
            crate::rules::CheckKind::Interruption => {
                format!(", overlap >= {} ms", c.min_overlap_ms)
            }
            crate::rules::CheckKind::Silence => format!(", silence >= {} ms", c.min_silence_ms),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "  {} on {} (penalty {} each, at most {}{threshold})",
            c.kind.id(),
            techniques.join(", "),
            c.penalty,
            c.max_penalty
        );
    }
    out
}

/// The whole pack as Markdown: the generated reference in `docs/rules.md`.
pub fn reference(rules: &Rules) -> String {
    let mut out = String::from(
        "# Rule reference\n\nGenerated from the built-in rule pack by `callqa explain --markdown`; do not edit by hand.\n\n",
    );
    for m in &rules.methodologies {
        let _ = writeln!(
            out,
            "## Methodology `{}`\n\n```text\n{}```\n",
            m.id,
            methodology(rules, m)
        );
    }
    out.push_str("## Finding kinds\n\n");
    for (kind, text) in FINDING_KINDS {
        let _ = writeln!(out, "- `{kind}`: {text}");
    }
    out.push('\n');
    for i in 0..rules.techniques.len() {
        let _ = writeln!(
            out,
            "## Technique `{}`\n\n```text\n{}```\n",
            rules.techniques[i].id,
            technique(rules, i)
        );
    }
    out
}
