//! Runs the examples kept next to every technique (`[examples]` in a technique file)
//! through the whole engine: a positive example must be tagged with the technique on its
//! last turn, a negative one must not.
//!
//! An example is a short transcript: `Label: text` lines, where unlabelled lines are the
//! technique's own speaker (so `"Klik op Start."` is an agent turn for an agent technique).
//! Used by `callqa check` (for whoever edits a pack) and by the test suite.

use crate::Engine;
use crate::input::ReadOptions;
use crate::transcript::Speaker;
use std::collections::HashMap;

/// One example that does not behave as documented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    /// Where the example is written: the technique file and its line.
    pub file: String,
    pub line: usize,
    pub technique: String,
    /// Whether it was listed as a positive example.
    pub positive: bool,
    pub example: String,
    /// What the last turn was tagged with (or why the example could not be read).
    pub found: Result<Vec<String>, String>,
}

impl std::fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verdict = if self.positive {
            "positive example NOT tagged"
        } else {
            "negative example tagged"
        };
        match &self.found {
            Ok(found) => write!(
                f,
                "{}:{}: {}: {verdict}: {:?} -> {:?}",
                self.file, self.line, self.technique, self.example, found
            ),
            Err(e) => write!(
                f,
                "{}:{}: {}: example does not read: {:?}: {e}",
                self.file, self.line, self.technique, self.example
            ),
        }
    }
}

/// An example written a second time in the same technique's examples (positive or
/// negative): it checks nothing new, and a copy edited later would drift from the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatedExample {
    pub file: String,
    pub line: usize,
    /// Where the same text is first listed.
    pub first_line: usize,
    pub technique: String,
    pub example: String,
}

impl std::fmt::Display for RepeatedExample {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {}: example listed again (first at line {}): {:?}",
            self.file, self.line, self.technique, self.first_line, self.example
        )
    }
}

/// The outcome of running every example of a pack.
#[derive(Debug, Default)]
pub struct ExampleRun {
    pub checked: usize,
    pub failures: Vec<ExampleFailure>,
    /// Techniques with fewer than `min` positive or negative examples.
    pub too_few: Vec<String>,
    /// Examples listed more than once in one technique (each repeat, not run again).
    pub repeated: Vec<RepeatedExample>,
}

/// Runs every example of every technique of the engine's rules. Techniques with fewer
/// than `min` positive or negative examples are listed in `too_few`.
pub fn run(engine: &Engine, min: usize) -> ExampleRun {
    let mut run = ExampleRun::default();
    for technique in &engine.rules().techniques {
        let examples = &technique.examples;
        if examples.positive.len() < min || examples.negative.len() < min {
            run.too_few.push(technique.id.clone());
        }
        let mut first_lines: HashMap<&str, usize> = HashMap::new();
        for (positive, list) in [(true, &examples.positive), (false, &examples.negative)] {
            for example in list {
                if let Some(&first_line) = first_lines.get(example.text.as_str()) {
                    run.repeated.push(RepeatedExample {
                        file: technique.file.clone(),
                        line: example.line,
                        first_line,
                        technique: technique.id.clone(),
                        example: example.text.clone(),
                    });
                    continue;
                }
                first_lines.insert(&example.text, example.line);
                run.checked += 1;
                let text = transcript(&example.text, technique.speaker);
                let found = engine
                    .analyze_bytes("example", text.as_bytes(), &ReadOptions::default())
                    .map_err(|e| e.to_string())
                    .and_then(|report| {
                        report
                            .turns
                            .last()
                            .map(|turn| turn.techniques.clone())
                            .ok_or_else(|| "the example has no turn".to_string())
                    });
                let behaves = found
                    .as_ref()
                    .is_ok_and(|tags| tags.contains(&technique.id) == positive);
                if !behaves {
                    run.failures.push(ExampleFailure {
                        file: technique.file.clone(),
                        line: example.line,
                        technique: technique.id.clone(),
                        positive,
                        example: example.text.clone(),
                        found,
                    });
                }
            }
        }
    }
    run
}

/// Turns an example into a plain transcript: unlabelled lines are `speaker`'s.
fn transcript(example: &str, speaker: Speaker) -> String {
    let default = match speaker {
        Speaker::Agent => "Medewerker",
        Speaker::Customer => "Klant",
    };
    let options = ReadOptions::default();
    example
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let labelled = line
                .split_once(':')
                .is_some_and(|(label, _)| options.speaker_for_label(label).is_some());
            if labelled {
                line.to_string()
            } else {
                format!("{default}: {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
