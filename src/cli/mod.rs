//! Argument parsing and the subcommands. Exit codes: 0 every input analysed; 1 one or more
//! inputs could not be read (each reported, the rest still analysed); 2 usage error or a
//! broken rule pack.

mod analyze;
mod check;
mod eval;
mod explain;
mod summarize;

use callqa::rules::{RuleError, Rules};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub const EXIT_OK: i32 = 0;
pub const EXIT_INPUT_ERRORS: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

#[derive(Parser)]
#[command(
    name = "callqa",
    version,
    about = "Scores Dutch support-call transcripts against the CLEAR and LASSO methodologies.",
    after_help = "Exit codes:\n  0  every input was analysed\n  1  one or more inputs could not be read (each is reported; the rest are analysed); (check) an example failed\n  2  usage error or broken rule pack\n  3  (eval) accuracy below --min-f1"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run: the size of the analyze options is no concern.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Analyse transcripts: tag techniques, check phases and order, score, coach.
    Analyze(analyze::Args),
    /// Load a rule pack and run every technique's examples (exit 1 if any fails).
    Check(check::Args),
    /// Measure accuracy against an annotated corpus (per technique, phase and finding).
    Eval(eval::Args),
    /// Explain a technique, rule code, methodology or finding kind (all, when no id).
    Explain(explain::Args),
    /// QA summary of reports written by `analyze --format jsonl` (as `analyze --summary`).
    Summarize(summarize::Args),
}

/// Where the rules come from; shared by every subcommand that needs them.
#[derive(clap::Args, Clone)]
pub struct RuleArgs {
    /// Load the rule pack from DIR (same layout as rules/) instead of the built-in one.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
}

impl RuleArgs {
    pub fn load(&self) -> Result<Rules, RuleError> {
        match &self.rules {
            Some(dir) => Rules::load_dir(dir),
            None => Rules::load_default(),
        }
    }

    /// Loads the rules, or says on stderr why the pack is broken (`file:line:col: ...`).
    pub fn load_or_report(&self) -> Option<Rules> {
        let rules = self
            .load()
            .map_err(|e| eprintln!("error: broken rule pack: {e}"))
            .ok();
        release_freed_memory();
        rules
    }
}

/// Compiling a pack allocates and frees far more than the compiled rules keep (TOML trees,
/// regex syntax trees, automaton builders: ~40 MiB); glibc keeps freed memory in the
/// process unless asked to give it back, which would count against every batch run's
/// peak RSS.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns unused heap pages to the OS; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// glibc returns freed memory at the top of the heap to the OS only past a threshold that
/// it raises each time a large block is freed, up to 64 MiB; the analysing threads' lazy-DFA
/// caches and rendered reports free such blocks, so a batch run held on to memory it no
/// longer used. A fixed 128 KiB threshold (glibc's starting value) took 5-8 MiB off peak RSS
/// on `corpus/` (1 and 2 threads), at the same speed.
fn return_freed_memory_promptly() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes an allocator tuning parameter; it has no preconditions.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 << 10);
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Jsonl,
}

pub fn run() -> i32 {
    return_freed_memory_promptly();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    match cli.command {
        Command::Analyze(args) => analyze::run(args),
        Command::Check(args) => check::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Summarize(args) => summarize::run(args),
    }
}

/// A warning line per `--group-by` field that no analysed call had (a typo would otherwise
/// only show as one `(none)` group in the summary).
fn warn_unseen_group_fields(summary: &callqa::batch::summary::Summary) {
    for field in summary.fields_never_seen() {
        eprintln!(
            "warning: no analysed call has the metadata field `{field}` (--group-by): every call is in its group (none)"
        );
    }
}
