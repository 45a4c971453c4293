//! `callqa check [--rules DIR]`: loads a rule pack and runs every technique's examples,
//! so whoever edits a pack sees at once what the edit broke (and any example written
//! twice).

use super::{EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE, RuleArgs};
use callqa::Engine;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    rules: RuleArgs,
}

pub fn run(args: Args) -> i32 {
    let Some(rules) = args.rules.load_or_report() else {
        return EXIT_USAGE;
    };
    let techniques = rules.techniques.len();
    let run = callqa::examples::run(&Engine::new(rules), 3);
    for failure in &run.failures {
        println!("{failure}");
    }
    for repeat in &run.repeated {
        println!("{repeat}");
    }
    for id in &run.too_few {
        println!("{id}: fewer than 3 positive or 3 negative examples");
    }
    let repeated = match run.repeated.len() {
        0 => String::new(),
        n => format!(", {n} listed twice"),
    };
    eprintln!(
        "{} examples of {techniques} techniques: {} failed{repeated}",
        run.checked,
        run.failures.len()
    );
    if run.failures.is_empty() && run.too_few.is_empty() && run.repeated.is_empty() {
        EXIT_OK
    } else {
        EXIT_INPUT_ERRORS
    }
}
