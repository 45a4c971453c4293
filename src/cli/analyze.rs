//! `callqa analyze`: inputs in, one report (or error record) per input out, in input order.

use super::{EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE, OutputFormat, RuleArgs};
use callqa::Engine;
use callqa::input::InputFormat;
use callqa::input::{InputError, ReadOptions};
use callqa::report::{Report, text};
use rayon::prelude::*;
use serde::Serialize;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// File endings picked up when walking a directory.
const TRANSCRIPT_EXTENSIONS: &[&str] = &["txt", "json"];

#[derive(clap::Args)]
pub struct Args {
    /// Transcript files, directories (searched recursively for .txt and .json), or - for stdin.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    /// Comma-separated methodology ids to score (default: every methodology in the pack).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    methodology: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
    /// Read every input as this format instead of detecting it.
    #[arg(long, value_enum)]
    input_format: Option<InputFormat>,
    /// An extra speaker label that means the agent (repeatable).
    #[arg(long, value_name = "LABEL")]
    agent_label: Vec<String>,
    /// An extra speaker label that means the customer (repeatable).
    #[arg(long, value_name = "LABEL")]
    customer_label: Vec<String>,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

/// A failed input, as it appears in json/jsonl output.
#[derive(Serialize)]
struct ErrorRecord<'a> {
    source: &'a str,
    error: &'a InputError,
}

/// One input as given or found in a directory.
struct Input {
    source: String,
    path: Option<PathBuf>,
}

pub fn run(args: Args) -> i32 {
    let rules = match args.rules.load() {
        Ok(rules) => rules,
        Err(e) => {
            eprintln!("error: broken rule pack: {e}");
            return EXIT_USAGE;
        }
    };
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
    let options = ReadOptions {
        format: args.input_format,
        agent_labels: args.agent_label.clone(),
        customer_labels: args.customer_label.clone(),
    };
    let mut inputs = Vec::new();
    let mut walk_errors = Vec::new();
    for path in &args.paths {
        collect_inputs(path, &mut inputs, &mut walk_errors);
    }
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
    let stdin = read_stdin_once(&inputs);
    let results: Vec<Result<Report, InputError>> = pool.install(|| {
        inputs
            .par_iter()
            .map(|input| match &input.path {
                Some(path) => match std::fs::read(path) {
                    Ok(bytes) => engine.analyze_bytes(&input.source, &bytes, &options),
                    Err(e) => Err(InputError::new("io", format!("cannot read: {e}"))),
                },
                None => match &stdin {
                    Ok(bytes) => engine.analyze_bytes(&input.source, bytes, &options),
                    Err(e) => Err(e.clone()),
                },
            })
            .collect()
    });

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = walk_errors.len();
    for (source, error) in &walk_errors {
        eprintln!("error: {}", error.located(source));
        let _ = write_error(&mut out, args.format, source, error);
    }
    let mut json_array = Vec::new();
    for (input, result) in inputs.iter().zip(&results) {
        let written = match (result, args.format) {
            (Ok(report), OutputFormat::Text) => out
                .write_all(text::render(report).as_bytes())
                .and_then(|_| writeln!(out)),
            (Ok(report), OutputFormat::Jsonl) => serde_json::to_writer(&mut out, report)
                .map_err(std::io::Error::from)
                .and_then(|_| writeln!(out)),
            (Ok(report), OutputFormat::Json) => {
                json_array.push(serde_json::to_value(report).unwrap_or_default());
                Ok(())
            }
            (Err(error), format) => {
                failed += 1;
                eprintln!("error: {}", error.located(&input.source));
                if format == OutputFormat::Json {
                    json_array.push(serde_json::json!({"source": input.source, "error": error}));
                    Ok(())
                } else {
                    write_error(&mut out, format, &input.source, error)
                }
            }
        };
        if let Err(e) = written {
            eprintln!("error: cannot write output: {e}");
            return EXIT_INPUT_ERRORS;
        }
    }
    if args.format == OutputFormat::Json {
        let _ = serde_json::to_writer_pretty(&mut out, &json_array)
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(out));
    }
    let _ = out.flush();
    let given = inputs.len() + walk_errors.len();
    eprintln!(
        "callqa: {given} input(s): {} analysed, {failed} failed",
        given - failed
    );
    if failed > 0 {
        EXIT_INPUT_ERRORS
    } else {
        EXIT_OK
    }
}

fn write_error(
    out: &mut impl Write,
    format: OutputFormat,
    source: &str,
    error: &InputError,
) -> std::io::Result<()> {
    match format {
        OutputFormat::Text => writeln!(out, "==> {source}\nerror: {}\n", error.located(source)),
        _ => {
            serde_json::to_writer(&mut *out, &ErrorRecord { source, error })?;
            writeln!(out)
        }
    }
}

/// Expands one PATH argument: `-`, a file, or a directory walked in name order.
fn collect_inputs(path: &Path, inputs: &mut Vec<Input>, errors: &mut Vec<(String, InputError)>) {
    let source = path.display().to_string();
    if source == "-" {
        inputs.push(Input { source, path: None });
        return;
    }
    if !path.is_dir() {
        // Reading a missing file fails later with the OS message, in its place in the order.
        inputs.push(Input {
            source,
            path: Some(path.to_path_buf()),
        });
        return;
    }
    for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
        match entry {
            Ok(entry) => {
                let p = entry.path();
                let wanted = entry.file_type().is_file()
                    && p.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| TRANSCRIPT_EXTENSIONS.contains(&e));
                if wanted {
                    inputs.push(Input {
                        source: p.display().to_string(),
                        path: Some(p.to_path_buf()),
                    });
                }
            }
            Err(e) => {
                let at = e.path().map_or(source.clone(), |p| p.display().to_string());
                errors.push((
                    at,
                    InputError::new("io", format!("cannot read directory entry: {e}")),
                ));
            }
        }
    }
}

/// Reads standard input once when `-` is among the inputs.
fn read_stdin_once(inputs: &[Input]) -> Result<Vec<u8>, InputError> {
    if !inputs.iter().any(|i| i.path.is_none()) {
        return Ok(Vec::new());
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map(|_| bytes)
        .map_err(|e| InputError::new("io", format!("cannot read standard input: {e}")))
}
