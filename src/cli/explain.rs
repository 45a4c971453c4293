//! `callqa explain [ID]`: what a technique, rule code, methodology or finding kind means.

use super::{EXIT_OK, EXIT_USAGE, RuleArgs};
use callqa::explain;

#[derive(clap::Args)]
pub struct Args {
    /// A technique id, rule code, methodology id or finding kind; omit to list them all.
    id: Option<String>,
    /// Print the whole pack as the Markdown reference (docs/rules.md).
    #[arg(long, conflicts_with = "id")]
    markdown: bool,
    #[command(flatten)]
    rules: RuleArgs,
}

pub fn run(args: Args) -> i32 {
    let Some(rules) = args.rules.load_or_report() else {
        return EXIT_USAGE;
    };
    if args.markdown {
        print!("{}", explain::reference(&rules));
        return EXIT_OK;
    }
    match args.id {
        None => {
            print!("{}", explain::index(&rules));
            EXIT_OK
        }
        Some(id) => match explain::explain(&rules, &id) {
            Some(text) => {
                print!("{text}");
                EXIT_OK
            }
            None => {
                eprintln!(
                    "error: `{id}` is not a technique, rule code, methodology or finding kind (see `callqa explain`)"
                );
                EXIT_USAGE
            }
        },
    }
}
