//! `callqa summarize REPORTS.jsonl...`: the QA summary of reports written earlier by
//! `callqa analyze --format jsonl`, the same summary `analyze --summary` writes.
//!
//! Reads line by line (files, `.gz`/`.zst`, `-` for stdin) in constant memory. Error
//! records count as failed inputs by their kind; a line that is neither a report nor an
//! error record is reported as `file:line:col: problem`, counted as a failed input of
//! kind `report`, and makes the exit code 1.

use super::{EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE};
use callqa::batch::output::OutputFile;
use callqa::batch::sources::{self, Input, SourceOptions};
use callqa::batch::summary::{self, CallRecord, MethodologyRecord, Summary};
use callqa::input::InputError;
use clap::ValueEnum;
use serde::Deserialize;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Report files from `callqa analyze --format jsonl` (also .gz, .zst), or - for stdin.
    #[arg(required = true, value_name = "REPORTS")]
    paths: Vec<PathBuf>,
    /// Metadata fields to group by, e.g. agent_id,team,date.
    #[arg(long, value_delimiter = ',', value_name = "FIELDS")]
    group_by: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: SummaryFormat,
    /// Write the summary to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// How many of the most often missing phases and techniques to list.
    #[arg(long, value_name = "N", default_value_t = 5)]
    top: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SummaryFormat {
    /// For people.
    Text,
    /// The `callqa.summary/1` JSON object.
    Json,
}

/// A report line or an error record: the fields a summary reads.
#[derive(Deserialize)]
struct Line {
    source: String,
    #[serde(default)]
    metadata: serde_json::Map<String, serde_json::Value>,
    methodologies: Option<Vec<MethodologyRecord>>,
    error: Option<ErrorFields>,
}

#[derive(Deserialize)]
struct ErrorFields {
    kind: String,
}

pub fn run(args: Args) -> i32 {
    let options = SourceOptions {
        all_jsonl: true,
        refuse_reports: false,
        ..SourceOptions::default()
    };
    let mut summary = Summary::new(&args.group_by, args.top);
    let mut unreadable = 0;
    sources::walk(&args.paths, &options, &mut |input: Input| {
        match read_line(&input) {
            Ok(Line {
                methodologies: Some(methodologies),
                source,
                metadata,
                ..
            }) => summary.add(&CallRecord {
                source,
                metadata,
                methodologies,
            }),
            Ok(Line {
                error: Some(error), ..
            }) => summary.add_failure(&error.kind),
            Ok(_) => {
                let error = InputError::new(
                    "report",
                    "not a callqa report: neither `methodologies` nor `error`",
                );
                eprintln!(
                    "error: {}",
                    input.locate(&error.at_line(input.stream_line.unwrap_or(1)))
                );
                unreadable += 1;
                summary.add_failure("report");
            }
            Err(error) => {
                eprintln!("error: {}", input.locate(&error));
                unreadable += 1;
                summary.add_failure(error.kind);
            }
        }
        true
    });
    super::warn_unseen_group_fields(&summary);
    let report = summary.report();
    let bytes = match args.format {
        SummaryFormat::Text => summary::text::render(&report).into_bytes(),
        SummaryFormat::Json => {
            let mut bytes = serde_json::to_vec_pretty(&report).unwrap_or_default();
            bytes.push(b'\n');
            bytes
        }
    };
    let written = match &args.output {
        Some(path) => OutputFile::create(path).and_then(|mut file| {
            file.write_all(&bytes)?;
            file.commit()
        }),
        None => std::io::stdout().lock().write_all(&bytes),
    };
    if let Err(e) = written {
        eprintln!("error: cannot write output: {e}");
        return EXIT_USAGE;
    }
    if unreadable > 0 {
        EXIT_INPUT_ERRORS
    } else {
        EXIT_OK
    }
}

fn read_line(input: &Input) -> Result<Line, InputError> {
    let bytes = input.content.as_ref().map_err(Clone::clone)?;
    serde_json::from_slice(bytes).map_err(|e| {
        let error = InputError::new("report", format!("not a callqa report: {e}"));
        match input.stream_line {
            Some(line) => error.at_line(line).at_column(e.column()),
            None => error,
        }
    })
}
