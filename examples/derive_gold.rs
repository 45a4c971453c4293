//! Fills in the per-call part of gold files from their per-turn labels.
//!
//! ```sh
//! cargo run --release --example derive_gold -- corpus/tuning          # report what is missing
//! cargo run --release --example derive_gold -- --write corpus/tuning  # append it
//! ```
//!
//! A corpus author labels the turns (`[turns]`); the per-call sections (`[clear]`,
//! `[lasso]`: missing phases, order findings, unanswered emotions) follow from them under
//! the built-in pack's phase and order rules (docs/corpus-format.md). For every gold file
//! below DIR that lacks a methodology's section, this prints the derived section, and with
//! `--write` appends it to the file. Sections already written are left alone: the corpus
//! test (`tests/corpus.rs`) says where they disagree with the turn labels.

use callqa::eval::{GoldMethodology, gold_findings, load_corpus};
use callqa::rules::Rules;
use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let mut write = false;
    let mut dirs = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--write" => write = true,
            _ => dirs.push(arg),
        }
    }
    if dirs.is_empty() {
        eprintln!("usage: derive_gold [--write] DIR...");
        std::process::exit(2);
    }
    let rules = Rules::load_default().expect("built-in rules load");
    let mut failed = false;
    for dir in &dirs {
        let (calls, errors) = load_corpus(&rules, Path::new(dir));
        for error in &errors {
            eprintln!("error: {error}");
            failed = true;
        }
        for call in &calls {
            let stem = Path::new(&call.source).with_extension("");
            let gold_path = format!("{}.gold.toml", stem.display());
            let text = match std::fs::read_to_string(&gold_path) {
                Ok(text) => text,
                Err(e) => {
                    eprintln!("error: {gold_path}: {e}");
                    failed = true;
                    continue;
                }
            };
            let written: toml::Table = toml::from_str(&text).unwrap_or_default();
            let mut sections = String::new();
            for (id, derived) in gold_findings(&rules, call) {
                if !written.contains_key(&id) {
                    sections.push_str(&section(&id, &derived));
                }
            }
            if sections.is_empty() {
                continue;
            }
            println!("# {gold_path}\n{sections}");
            if write {
                let joined = format!("{}\n{sections}", text.trim_end());
                if let Err(e) = std::fs::write(&gold_path, joined) {
                    eprintln!("error: {gold_path}: {e}");
                    failed = true;
                }
            }
        }
    }
    std::process::exit(i32::from(failed));
}

/// One methodology's section in the layout the corpus uses.
fn section(id: &str, gold: &GoldMethodology) -> String {
    let quoted = |items: Vec<String>| items.join(", ");
    let mut out = format!("\n[{id}]\n");
    let missing = gold.missing.iter().map(|p| format!("\"{p}\"")).collect();
    let _ = writeln!(out, "missing = [{}]", quoted(missing));
    let order = gold
        .out_of_order
        .iter()
        .map(|o| {
            format!(
                "{{ phase = \"{}\", expected_after = \"{}\" }}",
                o.phase, o.expected_after
            )
        })
        .collect();
    let _ = writeln!(out, "out_of_order = [{}]", quoted(order));
    let emotion = gold
        .unanswered_emotion
        .iter()
        .map(|t| t.to_string())
        .collect();
    let _ = writeln!(out, "unanswered_emotion = [{}]", quoted(emotion));
    out
}
