//! Whole-transcript tests over the bundled corpus: every call's analysis is snapshotted
//! (techniques per turn, phases, findings, scores), and every gold file's per-call part is
//! held to what its per-turn labels imply under the pack's phase and order rules.

use callqa::Engine;
use callqa::eval::{gold_findings, load_corpus};
use callqa::input::ReadOptions;
use callqa::rules::Rules;
use std::fmt::Write;
use std::path::Path;
use std::sync::LazyLock;

fn corpus() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/corpus"))
}

#[test]
fn gold_per_call_labels_follow_from_per_turn_labels() {
    let rules = Rules::load_default().unwrap();
    let (calls, errors) = load_corpus(&rules, corpus());
    assert!(errors.is_empty(), "corpus errors:\n{}", errors.join("\n"));
    assert!(
        calls.len() >= 40,
        "the corpus needs at least 40 calls, has {}",
        calls.len()
    );
    let holdout = calls.iter().filter(|c| c.part == "holdout").count();
    assert!(
        holdout * 4 >= calls.len(),
        "holdout is {holdout} of {} calls",
        calls.len()
    );
    let mut disagreements = Vec::new();
    for call in &calls {
        let derived = gold_findings(&rules, call);
        for (id, expected) in &derived {
            let written = call.expected.get(id).cloned().unwrap_or_default();
            if &written != expected {
                disagreements.push(format!(
                    "{} [{id}]: gold file says {written:?}, turn labels give {expected:?}",
                    call.source
                ));
            }
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// A compact, reviewable view of one report.
fn summary(source: &str, text: &[u8]) -> String {
    // Compiled once for every snapshot, as the CLI does for a batch.
    static ENGINE: LazyLock<Engine> = LazyLock::new(|| Engine::new(Rules::load_default().unwrap()));
    let engine = &*ENGINE;
    let report = engine
        .analyze_bytes(source, text, &ReadOptions::default())
        .unwrap();
    let mut out = String::new();
    for turn in &report.turns {
        let _ = writeln!(
            out,
            "{:>3} {:<8} {}",
            turn.index,
            turn.speaker,
            turn.techniques.join(" ")
        );
    }
    for m in &report.methodologies {
        let _ = writeln!(
            out,
            "{} score {} (earned {}, penalty {})",
            m.id, m.score, m.earned, m.penalty
        );
        for p in &m.phases {
            let _ = writeln!(out, "  {} {} {:?}", p.id, p.status, p.first_turn);
        }
        for f in &m.findings {
            let _ = writeln!(
                out,
                "  finding {} phase={:?} after={:?} turn={:?} quote={:?} -{}",
                f.kind, f.phase, f.expected_after, f.turn, f.quote, f.penalty
            );
        }
    }
    out
}

#[test]
fn corpus_reports_match_snapshots() {
    // Only the tuning part: snapshots of the held-back part would show its wording to
    // whoever edits rules and runs the tests.
    insta::glob!("../corpus/tuning", "*.{txt,json}", |path| {
        let name = path.strip_prefix(corpus()).unwrap().display().to_string();
        let text = std::fs::read(path).unwrap();
        insta::assert_snapshot!(summary(&name, &text));
    });
}
