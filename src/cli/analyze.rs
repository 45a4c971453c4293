//! `callqa analyze`: inputs in, one report (or error record) per input out, in input order.
//!
//! A thin layer over [`callqa::batch`]: it turns the arguments into source options, runs
//! the ordered parallel pipeline (reader thread, rayon workers, this thread writing), and
//! decides where things go: reports to standard output or `--output FILE` (atomic),
//! one located error line per failed input and the closing count to stderr, a progress
//! bar to stderr when it is a terminal, the QA summary to `--summary FILE`.

use super::{EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE, RuleArgs};
use callqa::Engine;
use callqa::batch::output::OutputFile;
use callqa::batch::pipeline::{self, Limits};
use callqa::batch::render::{Format, Renderer, ReportWriter};
use callqa::batch::shard::Shard;
use callqa::batch::sources::{
    self, DEFAULT_MAX_INPUT_BYTES, Input, OwnOutputs, PathFilter, Skipped, SourceOptions,
};
use callqa::batch::summary::{self, CallRecord, Summary};
use callqa::batch::table::Table;
use callqa::input::{InputFormat, ReadOptions, TRANSCRIPT_EXTENSIONS};
use clap::ValueEnum;
use clap::builder::PossibleValue;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

/// How many of the most often missing phases and techniques a summary lists.
const SUMMARY_TOP: usize = 5;

#[derive(clap::Args)]
pub struct Args {
    /// Transcript files, directories (searched recursively for .txt, .json, .vtt and .srt), archives
    /// (.tar, .tar.gz, .tgz, .tar.zst, .zip), compressed files (.gz, .zst), JSONL streams
    /// (.jsonl), or - for stdin.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    /// Comma-separated methodology ids to score (default: every methodology in the pack).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    methodology: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Read every input as this format instead of detecting it.
    #[arg(long, value_enum)]
    input_format: Option<SourceFormat>,
    /// An extra speaker label that means the agent (repeatable).
    #[arg(long, value_name = "LABEL")]
    agent_label: Vec<String>,
    /// An extra speaker label that means the customer (repeatable).
    #[arg(long, value_name = "LABEL")]
    customer_label: Vec<String>,
    /// The speaker (as the transcript names them, e.g. SPEAKER_01, spk_0, A) who is the
    /// agent; every other speaker is the customer. Overrides the inferred roles.
    #[arg(long, value_name = "SPEAKER")]
    agent: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// How much memory the patterns' automaton caches may hold in all, shared by every
    /// thread. More runs long archives of varied hand-written text faster (40 runs the
    /// bundled corpus ~20% faster, at 101-102 MiB peak on 2 threads); less keeps peak
    /// memory lower.
    /// Reports are the same whatever the value.
    #[arg(long, value_name = "MIB", default_value_t = callqa::matcher::CACHE_BUDGET >> 20)]
    cache_mib: usize,
    /// Write the reports to FILE instead of standard output, atomically: FILE appears,
    /// whole, only when the run completes. A directory walk does not read FILE back.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write a QA summary to FILE (JSON when FILE ends in .json, text otherwise).
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
    /// Metadata fields to group the summary by (and CSV columns), e.g. agent_id,team,date.
    #[arg(long, value_delimiter = ',', value_name = "FIELDS")]
    group_by: Vec<String>,
    /// Take only the files in directories and archives whose path below the directory
    /// (or inside the archive) matches GLOB; !GLOB excludes (repeatable).
    #[arg(long, value_name = "GLOB")]
    glob: Vec<String>,
    /// Process only shard K of N (by a stable hash of each input's name), e.g. 2/8.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// Report inputs larger than this (after decompression) as errors instead of reading them.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_INPUT_BYTES,
          value_parser = clap::value_parser!(u64).range(1..))]
    max_input_bytes: u64,
    /// No progress bar and no closing count line (failed inputs are still reported).
    #[arg(long, short = 'q')]
    quiet: bool,
}

/// `--input-format`: a transcript format (every one the reader knows) or `jsonl`, which is
/// handled before the reader: each line of the stream is one input.
#[derive(Debug, Clone, Copy)]
enum SourceFormat {
    Transcript(InputFormat),
    Jsonl,
}

impl ValueEnum for SourceFormat {
    fn value_variants<'a>() -> &'a [Self] {
        static ALL: OnceLock<Vec<SourceFormat>> = OnceLock::new();
        ALL.get_or_init(|| {
            InputFormat::value_variants()
                .iter()
                .map(|&f| SourceFormat::Transcript(f))
                .chain([SourceFormat::Jsonl])
                .collect()
        })
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        match self {
            SourceFormat::Transcript(format) => format.to_possible_value(),
            SourceFormat::Jsonl => Some(
                PossibleValue::new("jsonl")
                    .help("One transcript object per line; each line is one input, FILE:LINE"),
            ),
        }
    }
}

/// What a worker hands the writer for one input.
struct Outcome {
    /// The report or error record, rendered.
    rendered: Vec<u8>,
    /// For the summary, when one is wanted.
    record: Option<CallRecord>,
    /// The located error line and the error kind, when the input failed.
    failure: Option<(String, &'static str)>,
}

pub fn run(args: Args) -> i32 {
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
    {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("error: cannot start worker threads: {e}");
            return EXIT_USAGE;
        }
    };
    // In the pool: loading reads the pack's patterns in parallel, on `--threads` threads.
    let Some(mut rules) = pool.install(|| args.rules.load_or_report()) else {
        return EXIT_USAGE;
    };
    rules
        .matcher
        .set_cache_budget(args.cache_mib.saturating_mul(1 << 20));
    let engine = if args.methodology.is_empty() {
        Engine::new(rules)
    } else {
        match Engine::with_methodologies(rules, &args.methodology) {
            Ok(engine) => engine,
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_USAGE;
            }
        }
    };
    let filter = match PathFilter::new(&args.glob) {
        Ok(filter) => filter,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let options = ReadOptions {
        format: match args.input_format {
            Some(SourceFormat::Transcript(format)) => Some(format),
            _ => None,
        },
        agent_labels: args.agent_label.clone(),
        customer_labels: args.customer_label.clone(),
        agent: args.agent.clone(),
    };
    let mut source_options = SourceOptions {
        extensions: TRANSCRIPT_EXTENSIONS
            .iter()
            .map(|e| e.to_string())
            .collect(),
        filter,
        max_input_bytes: args.max_input_bytes,
        all_jsonl: matches!(args.input_format, Some(SourceFormat::Jsonl)),
        shard: args.shard,
        bytes_read: None,
        own_outputs: OwnOutputs::new(
            args.output
                .iter()
                .chain(&args.summary)
                .map(PathBuf::as_path),
        ),
        refuse_reports: true,
    };
    let out = match &args.output {
        Some(path) => match OutputFile::create(path) {
            Ok(file) => Destination::File(io::BufWriter::with_capacity(1 << 16, file)),
            Err(e) => {
                eprintln!("error: cannot create {}: {e}", path.display());
                return EXIT_USAGE;
            }
        },
        None => Destination::Stdout(io::BufWriter::with_capacity(1 << 16, io::stdout())),
    };
    let renderer = Renderer::new(
        args.format,
        Table::new(&args.group_by, engine.methodologies()),
    );
    let mut writer = match ReportWriter::new(out, &renderer) {
        Ok(writer) => writer,
        Err(e) => {
            eprintln!("error: cannot write output: {e}");
            return EXIT_USAGE;
        }
    };
    // The summary's file is opened now, not when the run ends: a path that cannot be
    // written fails the run before hours of work, not after.
    let summary_out = match &args.summary {
        Some(path) => match OutputFile::create(path) {
            Ok(file) => Some((path, file)),
            Err(e) => {
                eprintln!("error: cannot create summary {}: {e}", path.display());
                return EXIT_USAGE;
            }
        },
        None => None,
    };
    let mut summary = summary_out
        .as_ref()
        .map(|_| Summary::new(&args.group_by, SUMMARY_TOP));
    let progress = Progress::start(&args, &mut source_options);

    let (mut analysed, mut failed) = (0u64, 0u64);
    let mut skipped = Skipped::default();
    let group_by = &args.group_by;
    let wants_records = summary.is_some();
    let written = pipeline::run(
        &pool,
        Limits::default(),
        |emit| skipped = sources::walk(&args.paths, &source_options, emit),
        Input::weight,
        |input: Input| match input.analyze(&engine, &options) {
            Ok(report) => Outcome {
                rendered: renderer.report(&report),
                record: wants_records.then(|| CallRecord::from_report(&report, group_by)),
                failure: None,
            },
            Err(error) => {
                let located = input.locate(&error);
                Outcome {
                    rendered: renderer.error(&input.source, &error, &located),
                    record: None,
                    failure: Some((located, error.kind)),
                }
            }
        },
        |outcome: Outcome| {
            match &outcome.failure {
                Some((located, kind)) => {
                    failed += 1;
                    progress.bar.suspend(|| eprintln!("error: {located}"));
                    if let Some(summary) = &mut summary {
                        summary.add_failure(kind);
                    }
                }
                None => {
                    analysed += 1;
                    if let (Some(summary), Some(record)) = (&mut summary, &outcome.record) {
                        summary.add(record);
                    }
                }
            }
            progress.update(analysed + failed);
            writer.write(&outcome.rendered)
        },
    );
    progress.bar.finish_and_clear();
    // On any write error the output file is not committed: its temporary file is removed
    // and a previous FILE stays as it was.
    if let Err(e) = written
        .and_then(|()| writer.finish())
        .and_then(Destination::commit)
    {
        eprintln!("error: cannot write output: {e}");
        return EXIT_USAGE;
    }
    if let Some(summary) = &summary {
        super::warn_unseen_group_fields(summary);
    }
    if let (Some((path, file)), Some(summary)) = (summary_out, &summary)
        && let Err(e) = write_summary(file, path, summary)
    {
        eprintln!("error: cannot write summary {}: {e}", path.display());
        return EXIT_USAGE;
    }
    if !args.quiet {
        let shard = args
            .shard
            .map(|s| format!(" (shard {s})"))
            .unwrap_or_default();
        eprintln!(
            "callqa: {} input(s): {analysed} analysed, {failed} failed{shard}{}",
            analysed + failed,
            skipped_note(&skipped)
        );
    }
    if failed > 0 {
        EXIT_INPUT_ERRORS
    } else {
        EXIT_OK
    }
}

/// How many extensions the closing line names, most frequent first; a walk over a home
/// directory passes over hundreds.
const SKIPPED_EXTENSIONS_SHOWN: usize = 6;

/// The closing line's account of the files a walk passed over, if any.
fn skipped_note(skipped: &Skipped) -> String {
    match &skipped.first {
        Some(first) => {
            let mut by_count: Vec<(&String, &u64)> = skipped.by_extension.iter().collect();
            // Stable: equal counts stay in name order.
            by_count.sort_by(|a, b| b.1.cmp(a.1));
            let mut extensions: Vec<String> = by_count
                .iter()
                .take(SKIPPED_EXTENSIONS_SHOWN)
                .map(|(extension, count)| match extension.as_str() {
                    "" => format!("{count} without extension"),
                    _ => format!("{count} .{extension}"),
                })
                .collect();
            if let Some(rest) = by_count
                .get(SKIPPED_EXTENSIONS_SHOWN..)
                .filter(|r| !r.is_empty())
            {
                let files: u64 = rest.iter().map(|(_, count)| **count).sum();
                extensions.push(format!("{files} of {} other types", rest.len()));
            }
            format!(
                "; {} other file(s) not read ({}: not a transcript, archive or JSONL name), the first: {first}",
                skipped.files(),
                extensions.join(", ")
            )
        }
        None => String::new(),
    }
}

/// Where the reports go.
enum Destination {
    Stdout(io::BufWriter<io::Stdout>),
    File(io::BufWriter<OutputFile>),
}

impl Destination {
    fn commit(self) -> io::Result<()> {
        match self {
            Destination::Stdout(mut out) => out.flush(),
            Destination::File(out) => out.into_inner().map_err(|e| e.into_error())?.commit(),
        }
    }
}

impl Write for Destination {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Destination::Stdout(out) => out.write(buf),
            Destination::File(out) => out.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Destination::Stdout(out) => out.write_all(buf),
            Destination::File(out) => out.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Destination::Stdout(out) => out.flush(),
            Destination::File(out) => out.flush(),
        }
    }
}

/// Writes the summary: JSON when the file name ends in `.json`, text otherwise.
fn write_summary(mut file: OutputFile, path: &Path, summary: &Summary) -> io::Result<()> {
    let report = summary.report();
    let bytes = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        let mut bytes = serde_json::to_vec_pretty(&report).map_err(io::Error::from)?;
        bytes.push(b'\n');
        bytes
    } else {
        summary::text::render(&report).into_bytes()
    };
    file.write_all(&bytes)?;
    file.commit()
}

/// The progress bar on stderr (hidden unless stderr is a terminal and not `--quiet`).
struct Progress {
    bar: ProgressBar,
    bytes_read: Option<Arc<AtomicU64>>,
}

impl Progress {
    fn start(args: &Args, source_options: &mut SourceOptions) -> Progress {
        if args.quiet || !io::stderr().is_terminal() {
            return Progress {
                bar: ProgressBar::hidden(),
                bytes_read: None,
            };
        }
        let counter = Arc::new(AtomicU64::new(0));
        source_options.bytes_read = Some(counter.clone());
        let total = sources::disk_size(&args.paths, source_options);
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
        let template = if total.is_some() {
            "{spinner} {elapsed_precise} [{wide_bar}] {percent:>3}%  {msg}  ETA {eta}"
        } else {
            "{spinner} {elapsed_precise}  {msg}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress {
            bar,
            bytes_read: Some(counter),
        }
    }

    fn update(&self, done: u64) {
        let Some(counter) = &self.bytes_read else {
            return;
        };
        if done % 16 != 1 {
            return;
        }
        self.bar.set_position(counter.load(Ordering::Relaxed));
        let seconds = self.bar.elapsed().as_secs_f64().max(1e-3);
        self.bar.set_message(format!(
            "{done} calls, {:.0} calls/s",
            done as f64 / seconds
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_skipped_note_names_the_most_frequent_extensions_and_counts_the_rest() {
        let mut skipped = Skipped {
            first: Some("a/x.md".into()),
            ..Skipped::default()
        };
        for (extension, count) in [
            ("md", 3),
            ("", 1),
            ("png", 9),
            ("rs", 2),
            ("toml", 2),
            ("csv", 5),
            ("py", 1),
            ("pdf", 4),
        ] {
            skipped.by_extension.insert(extension.into(), count);
        }
        assert_eq!(
            skipped_note(&skipped),
            "; 27 other file(s) not read (9 .png, 5 .csv, 4 .pdf, 3 .md, 2 .rs, 2 .toml, \
             2 of 2 other types: not a transcript, archive or JSONL name), the first: a/x.md"
        );
        skipped.by_extension.remove("py");
        skipped.by_extension.remove("");
        assert!(skipped_note(&skipped).contains("2 .toml: not a transcript"));
        assert_eq!(skipped_note(&Skipped::default()), "");
    }
}
