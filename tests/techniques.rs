//! Runs every example kept next to every rule (`[examples]` in rules/techniques/*.toml)
//! through the whole engine: positives must be tagged on the last turn, negatives must not.

use callqa::Engine;
use callqa::rules::Rules;
use common::edited_pack_dir;

mod common;

#[test]
fn every_technique_example_behaves_as_documented() {
    let engine = Engine::new(Rules::load_default().expect("built-in rules load"));
    let run = callqa::examples::run(&engine, 3);
    assert!(
        run.too_few.is_empty(),
        "techniques need at least 3 positive and 3 negative examples: {:?}",
        run.too_few
    );
    assert!(run.checked > 100, "only {} examples ran", run.checked);
    let repeated: Vec<String> = run.repeated.iter().map(ToString::to_string).collect();
    assert!(
        repeated.is_empty(),
        "examples listed twice:\n{}",
        repeated.join("\n")
    );
    let failures: Vec<String> = run.failures.iter().map(ToString::to_string).collect();
    assert!(
        failures.is_empty(),
        "{} of {} examples failed:\n{}",
        failures.len(),
        run.checked,
        failures.join("\n")
    );
}

#[test]
fn a_failing_example_is_reported_with_what_was_found() {
    // A pack whose greeting example cannot hold: the check must say so, not pass.
    let dir = edited_pack_dir(&[]);
    let greeting = dir.path().join("techniques/greeting.toml");
    let text = std::fs::read_to_string(&greeting).unwrap();
    let text = text.replacen("positive = [", "positive = [\n  \"Klik op Start.\",", 1);
    std::fs::write(&greeting, text).unwrap();
    let engine = Engine::new(Rules::load_dir(dir.path()).unwrap());
    let run = callqa::examples::run(&engine, 3);
    assert_eq!(run.failures.len(), 1, "{:?}", run.failures);
    let failure = &run.failures[0];
    assert_eq!(failure.technique, "greeting");
    assert!(failure.positive);
    assert_eq!(failure.found, Ok(vec!["step_instruction".to_string()]));
    // Located: the technique file and the line the example was inserted on.
    let line = std::fs::read_to_string(&greeting)
        .unwrap()
        .lines()
        .position(|l| l.contains("Klik op Start."))
        .unwrap()
        + 1;
    assert_eq!(failure.line, line);
    let message = failure.to_string();
    assert!(
        message.ends_with(&format!(
            "techniques/greeting.toml:{line}: greeting: positive example NOT tagged: \"Klik op Start.\" -> [\"step_instruction\"]"
        )),
        "{message}"
    );
}

#[test]
fn each_mood_admits_its_utterances() {
    // One phrase no built-in rule knows, under one mood at a time: which utterances tag it.
    let lines = [
        "Zebra dansen.",        // a typed full stop: a statement
        "Zebra dansen?",        // a question mark: a question
        "zebra dansen",         // no final punctuation, no question cue (ASR text)
        "heeft u zebra dansen", // no punctuation, with a question cue: a question
    ];
    let tagged_lines = |mood: &str| -> Vec<&str> {
        let rule = format!(
            "\n[[rule]]\nname = \"mood_test\"\nkind = \"phrase\"\nphrases = [\"zebra dansen\"]\nmood = \"{mood}\"\n"
        );
        let dir = edited_pack_dir(&[("reassurance", &rule)]);
        let engine = Engine::new(Rules::load_dir(dir.path()).unwrap());
        lines
            .into_iter()
            .filter(|line| {
                let text = format!("Medewerker: {line}\n");
                let report = engine
                    .analyze_bytes("t.txt", text.as_bytes(), &Default::default())
                    .unwrap();
                report.turns[0]
                    .evidence
                    .iter()
                    .any(|e| e.rule == "reassurance.mood_test")
            })
            .collect()
    };
    assert_eq!(tagged_lines("any"), lines);
    assert_eq!(
        tagged_lines("question"),
        ["Zebra dansen?", "heeft u zebra dansen"]
    );
    assert_eq!(tagged_lines("statement"), ["Zebra dansen.", "zebra dansen"]);
    assert_eq!(
        tagged_lines("question_or_unpunctuated"),
        ["Zebra dansen?", "zebra dansen", "heeft u zebra dansen"]
    );
}

#[test]
fn an_example_listed_twice_is_reported_where_it_repeats() {
    // Inserted at the top of the positives and again at the top of the negatives: the
    // second copy is reported with both lines and is not run (it would fail as a negative).
    let dir = edited_pack_dir(&[]);
    let greeting = dir.path().join("techniques/greeting.toml");
    let text = std::fs::read_to_string(&greeting).unwrap();
    let text = text
        .replacen(
            "positive = [",
            "positive = [\n  \"Goedemorgen, met Sanne.\",",
            1,
        )
        .replacen(
            "negative = [",
            "negative = [\n  \"Goedemorgen, met Sanne.\",",
            1,
        );
    std::fs::write(&greeting, &text).unwrap();
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("Goedemorgen, met Sanne."))
        .map(|(i, _)| i + 1)
        .collect();
    let engine = Engine::new(Rules::load_dir(dir.path()).unwrap());
    let run = callqa::examples::run(&engine, 3);
    assert!(run.failures.is_empty(), "{:?}", run.failures);
    assert_eq!(run.repeated.len(), 1, "{:?}", run.repeated);
    let repeat = &run.repeated[0];
    assert_eq!(
        (repeat.technique.as_str(), repeat.first_line, repeat.line),
        ("greeting", lines[0], lines[1])
    );
    assert!(
        repeat.to_string().ends_with(&format!(
            "techniques/greeting.toml:{}: greeting: example listed again (first at line {}): \"Goedemorgen, met Sanne.\"",
            lines[1], lines[0]
        )),
        "{repeat}"
    );
}
