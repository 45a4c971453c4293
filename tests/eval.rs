//! `callqa eval` explains its misses: for each technique the gold expects and the engine
//! missed, the condition that turned the matching rule down, or that no rule matched; for
//! each unexpected technique, the rule and quote behind it.

use callqa::Engine;
use callqa::eval::{self, causes::MissReason};
use callqa::rules::Rules;
use common::edited_pack;
use std::path::Path;

mod common;

/// One call whose misses each have a known cause under the built-in pack.
const CALL: &str = "\
Medewerker: Goedemorgen, waarmee kan ik u helpen?
Klant: Mijn internet doet het niet.
Medewerker: Klik op de knop.
Klant: Oké.
Medewerker: Werkt het nu weer.
Klant: Ja.
Medewerker: Ik begrijp het niet.
Klant: Hmm.
Medewerker: Zebra's dansen op het dak.
Klant: Hmm.
Medewerker: Wat is uw postcode?
";

const GOLD: &str = r#"
description = "Misses with known causes."

[turns]
0 = ["greeting"]
2 = ["step_instruction"]
4 = ["confirm_resolution"]
6 = ["backchannel"]
8 = ["reassurance"]
10 = ["detail_question"]
"#;

fn evaluate(dir: &Path) -> eval::Evaluation {
    let rules = Rules::load_default().expect("built-in rules load");
    let (calls, errors) = eval::load_corpus(&rules, dir);
    assert!(errors.is_empty(), "{errors:?}");
    eval::evaluate(&Engine::new(rules), &calls)
}

/// A corpus holding only CALL with its GOLD.
fn corpus_of_one_call() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let calls = dir.path().join("calls");
    std::fs::create_dir_all(&calls).unwrap();
    std::fs::write(calls.join("call.txt"), CALL).unwrap();
    std::fs::write(calls.join("call.gold.toml"), GOLD).unwrap();
    dir
}

#[test]
fn each_miss_names_the_condition_that_turned_its_rule_down() {
    let dir = corpus_of_one_call();
    let e = evaluate(dir.path());

    let why = |turn: usize| {
        let miss = e.misses.iter().find(|m| m.turn == turn).expect("a miss");
        assert_eq!(miss.why_missed.len(), 1, "{miss:?}");
        miss.why_missed[0].clone()
    };
    // A question-only rule on a statement (full stop, no question cue).
    let statement = why(4);
    assert_eq!(statement.technique, "confirm_resolution");
    assert_eq!(statement.reason, MissReason::NotAQuestion);
    assert!(statement.rule.unwrap().starts_with("confirm_resolution."));
    // The words the rule matched, from the original text (how far it reaches is the rule's).
    let quote = statement.quote.unwrap().to_lowercase();
    assert!(quote.starts_with("werkt het nu"), "{quote}");
    // "niet" after the acknowledgement.
    let negated = why(6);
    assert_eq!(negated.reason, MissReason::Negated);
    assert_eq!(negated.quote.as_deref(), Some("Ik begrijp het"));
    // Wording no rule knows.
    let unknown = why(8);
    assert_eq!(unknown.reason, MissReason::NoMatch);
    assert_eq!((unknown.rule, unknown.quote), (None, None));
    // The identity question suppresses the detail question in the same utterance.
    let suppressed = why(10);
    assert_eq!(suppressed.reason, MissReason::Suppressed);
    assert_eq!(suppressed.by.as_deref(), Some("identity_check"));
    let spurious = &e.misses.iter().find(|m| m.turn == 10).unwrap().why_spurious;
    assert_eq!(spurious.len(), 1);
    assert_eq!(spurious[0].technique, "identity_check");
    assert!(spurious[0].rule.starts_with("identity_check."));
    assert!(spurious[0].quote.contains("postcode"));
    assert_eq!(e.false_positive_rules.values().sum::<usize>(), 1);

    // Every phase whose only technique was missed is reported missing against the gold.
    let clear = e.methodologies.iter().find(|m| m.id == "clear").unwrap();
    let wrong: Vec<(&str, usize, usize)> = clear
        .phases
        .iter()
        .map(|p| (p.id.as_str(), p.reported_missing, p.reported_present))
        .collect();
    assert_eq!(
        wrong,
        vec![
            ("clarify", 1, 0),
            ("listen", 1, 0),
            ("empathize", 1, 0),
            ("act", 0, 0),
            ("resolve", 1, 0)
        ]
    );
    assert_eq!(clear.phases_total - clear.phases_right, 4);
}

#[test]
fn miss_reasons_account_for_every_false_negative() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cmd/fixtures/eval/scored");
    let dir = tempfile::tempdir().unwrap();
    // The fixture corpus plus one call with misses of every common kind.
    let calls = dir.path().join("calls");
    std::fs::create_dir_all(&calls).unwrap();
    for entry in std::fs::read_dir(corpus.join("calls")).unwrap().flatten() {
        std::fs::copy(entry.path(), calls.join(entry.file_name())).unwrap();
    }
    std::fs::write(calls.join("causes.txt"), CALL).unwrap();
    std::fs::write(calls.join("causes.gold.toml"), GOLD).unwrap();
    let e = evaluate(dir.path());
    for (id, counts) in &e.scores.techniques {
        let explained: usize = e
            .miss_reasons
            .get(id)
            .map_or(0, |reasons| reasons.values().sum());
        assert_eq!(explained, counts.counts.fn_, "{id}");
    }
    assert!(e.scores.micro.counts.fn_ >= 4);
}

#[test]
fn a_comparison_names_every_turn_an_edit_changed_and_why() {
    let corpus = corpus_of_one_call();
    let pack = tempfile::tempdir().unwrap();
    // An escalation phrase that suppresses the instruction in turn 2, and a reassurance
    // phrase for the words no rule knew in turn 8.
    edited_pack(
        pack.path(),
        &[
            (
                "escalation",
                "\n[[rule]]\nname = \"test_knop\"\nkind = \"phrase\"\nphrases = [\"klik op de knop\"]\n",
            ),
            (
                "reassurance",
                "\n[[rule]]\nname = \"test_dak\"\nkind = \"phrase\"\nphrases = [\"dansen op het dak\"]\n",
            ),
        ],
    );
    let builtin = Rules::load_default().unwrap();
    let edited = Rules::load_dir(pack.path()).unwrap();
    let (gold_calls, errors) = eval::load_corpus(&edited, corpus.path());
    assert!(errors.is_empty(), "{errors:?}");
    let before = eval::evaluate(&Engine::new(builtin), &gold_calls);
    let after = eval::evaluate(&Engine::new(edited), &gold_calls);
    let c = eval::compare::compare(&before, &after);

    let turns: Vec<usize> = c.turns.iter().map(|t| t.turn).collect();
    assert_eq!(turns, vec![2, 8]);
    let instruction = &c.turns[0];
    assert_eq!(instruction.lost.len(), 1);
    assert_eq!(instruction.lost[0].technique, "step_instruction");
    assert_eq!(instruction.lost[0].reason, MissReason::Suppressed);
    assert_eq!(instruction.lost[0].by.as_deref(), Some("escalation"));
    assert_eq!(instruction.new_false.len(), 1);
    assert_eq!(instruction.new_false[0].rule, "escalation.test_knop");
    assert_eq!(instruction.new_false[0].quote, "Klik op de knop");
    assert!(instruction.gained.is_empty() && instruction.fixed_false.is_empty());
    assert_eq!(c.turns[1].gained, vec!["reassurance".to_string()]);

    let step = &c.techniques["step_instruction"];
    assert_eq!((step.gained, step.lost, step.new_false), (0, 1, 0));
    let f1 = |c: &Option<eval::CountsReport>| c.as_ref().expect("in both packs").f1;
    assert!(f1(&step.after) < f1(&step.before));
    let reassurance = &c.techniques["reassurance"];
    assert_eq!((reassurance.gained, reassurance.lost), (1, 0));
    assert_eq!(c.techniques["escalation"].new_false, 1);
    assert_eq!(c.micro.before, before.scores.micro.f1);
    assert_eq!(c.micro.after, after.scores.micro.f1);

    // A technique only one pack has is absent from the other's side.
    let mut one_sided = after.clone();
    one_sided.scores.techniques.remove("reassurance");
    one_sided.methodologies.retain(|m| m.id != "lasso");
    let c = eval::compare::compare(&one_sided, &after);
    assert!(c.techniques["reassurance"].before.is_none());
    assert!(c.techniques["reassurance"].after.is_some());
    assert_eq!(c.phase_presence["lasso"].before, None);

    // A pack against itself changes nothing.
    let same = eval::compare::compare(&after, &after);
    assert!(same.turns.is_empty());
    assert!(
        same.techniques
            .values()
            .all(|t| t.gained + t.lost + t.new_false + t.fixed_false == 0)
    );
}
