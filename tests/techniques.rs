//! Runs every example kept next to every rule (`[examples]` in rules/techniques/*.toml)
//! through the whole engine: positives must be tagged on the last turn, negatives must not.

use callqa::Engine;
use callqa::input::ReadOptions;
use callqa::rules::Rules;
use callqa::transcript::Speaker;

/// Turns an example into a plain transcript: unlabelled lines are the technique's speaker.
fn transcript(example: &str, speaker: Speaker) -> String {
    let default = match speaker {
        Speaker::Agent => "Medewerker",
        Speaker::Customer => "Klant",
    };
    example
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let labelled = line.split_once(':').is_some_and(|(label, _)| {
                ReadOptions::default().speaker_for_label(label).is_some()
            });
            if labelled {
                line.to_string()
            } else {
                format!("{default}: {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_technique_example_behaves_as_documented() {
    let rules = Rules::load_default().expect("built-in rules load");
    let ids: Vec<(String, Speaker, Vec<String>, Vec<String>)> = rules
        .techniques
        .iter()
        .map(|t| {
            (
                t.id.clone(),
                t.speaker,
                t.examples.positive.clone(),
                t.examples.negative.clone(),
            )
        })
        .collect();
    let engine = Engine::new(rules);
    let mut failures = Vec::new();
    let mut checked = 0;
    for (id, speaker, positive, negative) in &ids {
        assert!(
            positive.len() >= 3 && negative.len() >= 3,
            "technique {id} needs at least 3 positive and 3 negative examples"
        );
        for (expect, examples) in [(true, positive), (false, negative)] {
            for example in examples {
                let text = transcript(example, *speaker);
                let report =
                    match engine.analyze_bytes("example", text.as_bytes(), &ReadOptions::default())
                    {
                        Ok(report) => report,
                        Err(e) => {
                            failures.push(format!("{id}: example {example:?} does not read: {e}"));
                            continue;
                        }
                    };
                let last = report.turns.last().expect("examples have a turn");
                checked += 1;
                if last.techniques.contains(id) != expect {
                    let verdict = if expect {
                        "NOT tagged (expected tagged)"
                    } else {
                        "tagged (expected NOT)"
                    };
                    failures.push(format!(
                        "{id}: {verdict}: {example:?} -> {:?}",
                        last.techniques
                    ));
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} examples ran");
    assert!(
        failures.is_empty(),
        "{} of {checked} examples failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
