//! `callqa eval [DIR]`: accuracy of the rules on an annotated corpus, per corpus part.

use super::{EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE, RuleArgs};
use callqa::Engine;
use callqa::eval::causes::MissReason;
use callqa::eval::compare::{self, Comparison};
use callqa::eval::{self, Agreement, Evaluation, GoldCall};
use callqa::rules::Rules;
use std::fmt::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Corpus directory (default: the bundled corpus/). Each subdirectory is reported as its own part.
    dir: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: EvalFormat,
    /// Exit with code 3 when the turn-level micro F1 of any part is below this.
    #[arg(long, value_name = "F1", value_parser = f1_value)]
    min_f1: Option<f64>,
    /// How many of the worst-missed turns to list per part (and with --baseline, how many
    /// of the turns whose tags changed).
    #[arg(long, default_value_t = 15)]
    misses: usize,
    /// Also evaluate the pack in this directory (or `builtin`, the built-in pack) on the
    /// same calls, and report what changed from it: scores before and after, and every turn
    /// whose tags changed.
    #[arg(long, value_name = "DIR|builtin")]
    baseline: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum EvalFormat {
    Text,
    Json,
}

/// Exit code when the accuracy gate fails.
const EXIT_BELOW_GATE: i32 = 3;

pub fn run(args: Args) -> i32 {
    let Some(rules) = args.rules.load_or_report() else {
        return EXIT_USAGE;
    };
    let dir = args.dir.clone().unwrap_or_else(|| {
        let local = PathBuf::from("corpus");
        if local.is_dir() {
            local
        } else {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus")
        }
    });
    let (calls, errors) = eval::load_corpus(&rules, &dir);
    for e in &errors {
        eprintln!("error: {e}");
    }
    if calls.is_empty() {
        eprintln!(
            "error: no annotated calls (NAME.gold.toml beside a transcript NAME.{}) under {}",
            callqa::input::TRANSCRIPT_EXTENSIONS.join(", NAME."),
            dir.display()
        );
        return EXIT_USAGE;
    }
    let baseline = match &args.baseline {
        None => None,
        Some(pack) => {
            let loaded = if pack.as_os_str() == "builtin" {
                Rules::load_default()
            } else {
                Rules::load_dir(pack)
            };
            match loaded {
                Ok(rules) => Some(Engine::new(rules)),
                Err(e) => {
                    eprintln!("error: broken baseline rule pack: {e}");
                    return EXIT_USAGE;
                }
            }
        }
    };
    let engine = Engine::new(rules);
    let mut parts: Vec<(String, Vec<GoldCall>)> = Vec::new();
    for call in calls {
        match parts.iter_mut().find(|(p, _)| *p == call.part) {
            Some((_, list)) => list.push(call),
            None => parts.push((call.part.clone(), vec![call])),
        }
    }
    let results: Vec<(String, Evaluation)> = parts
        .iter()
        .map(|(part, calls)| (part.clone(), eval::evaluate(&engine, calls)))
        .collect();
    let comparisons: Vec<Option<Comparison>> = parts
        .iter()
        .zip(&results)
        .map(|((_, calls), (_, after))| {
            let before = eval::evaluate(baseline.as_ref()?, calls);
            Some(compare::compare(&before, after))
        })
        .collect();
    match args.format {
        EvalFormat::Json => {
            let map: serde_json::Map<String, serde_json::Value> = results
                .iter()
                .zip(&comparisons)
                .map(|((part, e), comparison)| {
                    let mut e = e.clone();
                    e.misses.truncate(args.misses);
                    let mut value = serde_json::to_value(e).unwrap_or_default();
                    if let (Some(c), Some(object)) = (comparison, value.as_object_mut()) {
                        let mut c = c.clone();
                        c.turns.truncate(args.misses);
                        object.insert(
                            "comparison".into(),
                            serde_json::to_value(c).unwrap_or_default(),
                        );
                    }
                    (part.clone(), value)
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&map).unwrap_or_default());
        }
        EvalFormat::Text => {
            for ((part, e), comparison) in results.iter().zip(&comparisons) {
                print!("{}", render(part, e, args.misses));
                if let (Some(c), Some(pack)) = (comparison, &args.baseline) {
                    print!(
                        "{}",
                        render_comparison(part, &pack.display().to_string(), c, args.misses)
                    );
                }
            }
        }
    }
    if let Some(gate) = args.min_f1 {
        for (part, e) in &results {
            if e.scores.micro.f1 < gate {
                eprintln!(
                    "callqa eval: {part}: micro F1 {:.3} is below --min-f1 {gate}",
                    e.scores.micro.f1
                );
                return EXIT_BELOW_GATE;
            }
        }
    }
    if errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_INPUT_ERRORS
    }
}

fn render(part: &str, e: &Evaluation, misses: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "== corpus part `{part}`: {} calls, {} turns",
        e.calls, e.turns
    );
    let _ = writeln!(
        out,
        "{:<28} {:>5} {:>5} {:>5} {:>4} {:>4} {:>4}",
        "technique", "P", "R", "F1", "tp", "fp", "fn"
    );
    for (id, c) in &e.scores.techniques {
        let _ = writeln!(
            out,
            "{id:<28} {:>5.2} {:>5.2} {:>5.2} {:>4} {:>4} {:>4}",
            c.precision, c.recall, c.f1, c.counts.tp, c.counts.fp, c.counts.fn_
        );
    }
    let _ = writeln!(
        out,
        "micro: P {:.3} R {:.3} F1 {:.3}    macro F1 {:.3}",
        e.scores.micro.precision, e.scores.micro.recall, e.scores.micro.f1, e.scores.macro_f1
    );
    for m in &e.methodologies {
        let _ = writeln!(
            out,
            "{}: phase presence {:.3} ({}/{}); out_of_order P {:.2} R {:.2} ({} tp, {} fp, {} fn); unanswered_emotion P {:.2} R {:.2} ({} tp, {} fp, {} fn)",
            m.id,
            m.phase_accuracy,
            m.phases_right,
            m.phases_total,
            m.out_of_order.precision,
            m.out_of_order.recall,
            m.out_of_order.counts.tp,
            m.out_of_order.counts.fp,
            m.out_of_order.counts.fn_,
            m.unanswered_emotion.precision,
            m.unanswered_emotion.recall,
            m.unanswered_emotion.counts.tp,
            m.unanswered_emotion.counts.fp,
            m.unanswered_emotion.counts.fn_,
        );
        let wrong: Vec<String> = m
            .phases
            .iter()
            .filter(|p| p.reported_missing + p.reported_present > 0)
            .map(|p| {
                format!(
                    "{} {} missing/{} present",
                    p.id, p.reported_missing, p.reported_present
                )
            })
            .collect();
        if !wrong.is_empty() {
            let _ = writeln!(
                out,
                "  wrongly reported phases (of {} calls): {}",
                e.calls,
                wrong.join(", ")
            );
        }
    }
    if let Some(a) = &e.agreement {
        render_agreement(&mut out, a);
    }
    render_causes(&mut out, e);
    if !e.misses.is_empty() && misses > 0 {
        let _ = writeln!(out, "worst misses:");
        for m in e.misses.iter().take(misses) {
            let _ = writeln!(
                out,
                "  {}:{} {}: \"{}\"",
                m.source, m.turn, m.speaker, m.text
            );
            let _ = writeln!(out, "      expected {:?} found {:?}", m.expected, m.found);
            for w in &m.why_missed {
                let _ = write!(out, "      missed {}: {}", w.technique, w.reason.label());
                if let Some(by) = &w.by {
                    let _ = write!(out, " by {by}");
                }
                match (&w.rule, &w.quote) {
                    (Some(rule), Some(quote)) => {
                        let _ = write!(out, " ({rule} matched \"{quote}\")");
                    }
                    (Some(rule), None) => {
                        let _ = write!(out, " ({rule} matched)");
                    }
                    _ => {}
                }
                out.push('\n');
            }
            for w in &m.why_spurious {
                let _ = writeln!(
                    out,
                    "      spurious {}: {} matched \"{}\"",
                    w.technique, w.rule, w.quote
                );
            }
        }
    }
    out.push('\n');
    out
}

/// Why the techniques the gold expects were missed, per technique, and the rules behind
/// the most false positives.
fn render_causes(out: &mut String, e: &Evaluation) {
    if !e.miss_reasons.is_empty() {
        let used: Vec<MissReason> = MissReason::ALL
            .into_iter()
            .filter(|r| e.miss_reasons.values().any(|counts| counts.contains_key(r)))
            .collect();
        let _ = writeln!(out, "why techniques were missed ({}):", legend(&used));
        let _ = write!(out, "  {:<28}", "technique");
        for r in &used {
            let _ = write!(out, " {:>7}", r.heading());
        }
        out.push('\n');
        for (id, counts) in &e.miss_reasons {
            let _ = write!(out, "  {id:<28}");
            for r in &used {
                let _ = write!(out, " {:>7}", counts.get(r).copied().unwrap_or(0));
            }
            out.push('\n');
        }
    }
    if !e.false_positive_rules.is_empty() {
        let mut rules: Vec<(&String, &usize)> = e.false_positive_rules.iter().collect();
        rules.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let _ = writeln!(out, "rules behind the most false positives (turns):");
        for (rule, count) in rules.into_iter().take(10) {
            let _ = writeln!(out, "  {count:>4}  {rule}");
        }
    }
}

/// `heading = label` for each reason shown.
fn legend(reasons: &[MissReason]) -> String {
    reasons
        .iter()
        .map(|r| format!("{} = {}", r.heading(), r.label()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The second annotator next to the engine, both against the gold, on the same calls.
fn render_agreement(out: &mut String, a: &Agreement) {
    let (human, engine) = (&a.second_annotator, &a.engine);
    let _ = writeln!(
        out,
        "second annotator vs gold ({} calls, {} turns): micro F1 {:.3}, macro {:.3}; engine on the same turns: micro F1 {:.3}, macro {:.3}",
        a.calls, a.turns, human.micro.f1, human.macro_f1, engine.micro.f1, engine.macro_f1
    );
    for p in &a.phases {
        let _ = writeln!(
            out,
            "  {}: phase presence, second annotator {:.3}, engine {:.3} ({} phases)",
            p.id, p.second_annotator, p.engine, p.total
        );
    }
    let _ = writeln!(
        out,
        "  {:<28} {:>7} {:>7} {:>5}",
        "technique", "second", "engine", "gold"
    );
    for (id, h) in &human.techniques {
        let g = h.counts.tp + h.counts.fn_;
        let f = h.counts.tp + h.counts.fp;
        if g + f == 0 {
            continue;
        }
        let engine_f1 = engine.techniques.get(id).map_or(1.0, |c| c.f1);
        let _ = writeln!(out, "  {id:<28} {:>7.2} {engine_f1:>7.2} {g:>5}", h.f1);
    }
}

/// What changed from the baseline pack on one part: the techniques whose scores or tags
/// changed, the overall figures, and the first `limit` turns whose tags changed.
fn render_comparison(part: &str, pack: &str, c: &Comparison, limit: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "== part `{part}` compared with the baseline pack `{pack}`"
    );
    let delta =
        |before: f64, after: f64| format!("{before:.3} -> {after:.3} ({:+.3})", after - before);
    let _ = writeln!(
        out,
        "micro F1 {}; macro F1 {}",
        delta(c.micro.before, c.micro.after),
        delta(c.macro_f1.before, c.macro_f1.after)
    );
    let phases: Vec<String> = c
        .phase_presence
        .iter()
        .map(|(id, p)| match (p.before, p.after) {
            (Some(before), Some(after)) => format!("{id} {}", delta(before, after)),
            (before, after) => {
                let show = |f: Option<f64>| f.map_or_else(|| "-".into(), |f| format!("{f:.3}"));
                format!("{id} {} -> {}", show(before), show(after))
            }
        })
        .collect();
    let _ = writeln!(out, "phase presence: {}", phases.join(", "));
    let changed: Vec<_> = c
        .techniques
        .iter()
        .filter(|(_, t)| t.gained + t.lost + t.new_false + t.fixed_false > 0)
        .collect();
    if changed.is_empty() {
        let _ = writeln!(out, "no turn's tags changed\n");
        return out;
    }
    let _ = writeln!(
        out,
        "{:<28} {:>6} {:>6} {:>7} {:>6} {:>5} {:>9} {:>11}",
        "technique", "F1 was", "now", "change", "gained", "lost", "new false", "fixed false"
    );
    for (id, t) in changed {
        let (before, after) = (
            t.before.as_ref().map(|c| c.f1),
            t.after.as_ref().map(|c| c.f1),
        );
        let change = match (before, after) {
            (Some(before), Some(after)) => format!("{:+.2}", after - before),
            _ => "-".into(),
        };
        let _ = writeln!(
            out,
            "{id:<28} {:>6} {:>6} {change:>7} {:>6} {:>5} {:>9} {:>11}",
            or_absent(before),
            or_absent(after),
            t.gained,
            t.lost,
            t.new_false,
            t.fixed_false
        );
    }
    let _ = writeln!(
        out,
        "turns whose tags changed: {} (listing {})",
        c.turns.len(),
        c.turns.len().min(limit)
    );
    for turn in c.turns.iter().take(limit) {
        let _ = writeln!(
            out,
            "  {}:{} {}: \"{}\"",
            turn.source, turn.turn, turn.speaker, turn.text
        );
        for id in &turn.gained {
            let _ = writeln!(out, "      gained {id}");
        }
        for w in &turn.lost {
            let _ = write!(out, "      lost {}: {}", w.technique, w.reason.label());
            if let Some(rule) = &w.rule {
                let _ = write!(out, " ({rule})");
            }
            out.push('\n');
        }
        for s in &turn.new_false {
            let _ = writeln!(
                out,
                "      new false {}: {} matched \"{}\"",
                s.technique, s.rule, s.quote
            );
        }
        for id in &turn.fixed_false {
            let _ = writeln!(out, "      fixed false {id}");
        }
    }
    out.push('\n');
    out
}

/// A figure, or "-" where a pack lacks what it measures.
fn or_absent(figure: Option<f64>) -> String {
    figure.map_or_else(|| "-".into(), |f| format!("{f:.2}"))
}

/// `--min-f1`: an F1 score, 0 to 1 (a gate of 1.5 could never pass, one of -1 never fail).
fn f1_value(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if (0.0..=1.0).contains(&value) => Ok(value),
        Ok(_) => Err("an F1 score is between 0 and 1".into()),
        Err(e) => Err(e.to_string()),
    }
}
