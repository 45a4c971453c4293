//! Output formats of a batch run: each input's report or error record as bytes, and the
//! framing around them.
//!
//! Rendering one input ([`Renderer::report`], [`Renderer::error`]) is a pure function of
//! that input's result, so workers render in parallel; [`ReportWriter`] then writes the
//! pieces in input order with what goes between and around them (the JSON array's
//! brackets and commas, the CSV header). The output is byte-identical whatever the number
//! of threads.

use super::table::Table;
use crate::input::InputError;
use crate::report::{Report, text};
use serde::Serialize;
use std::io::{self, Write};

/// How a batch writes its reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// For people: one block per call.
    Text,
    /// One JSON array of reports (and error records).
    Json,
    /// One JSON object per input per line.
    Jsonl,
    /// One row per call per methodology, for spreadsheets.
    Csv,
}

/// A failed input, as it appears in json/jsonl output.
#[derive(Serialize)]
pub struct ErrorRecord<'a> {
    pub source: &'a str,
    pub error: &'a InputError,
}

/// Renders one input's result in the chosen format.
#[derive(Debug, Clone)]
pub struct Renderer {
    format: Format,
    table: Table,
}

impl Renderer {
    /// `table` lays out the CSV columns (unused by the other formats).
    pub fn new(format: Format, table: Table) -> Renderer {
        Renderer { format, table }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn report(&self, report: &Report) -> Vec<u8> {
        match self.format {
            Format::Text => {
                let mut out = text::render(report).into_bytes();
                out.push(b'\n');
                out
            }
            Format::Jsonl => jsonl(report, rendered_size_hint(report)),
            Format::Json => pretty_element(report),
            Format::Csv => self.table.report_rows(report),
        }
    }

    /// `located`: the error as people read it (`file:line:col: problem`).
    pub fn error(&self, source: &str, error: &InputError, located: &str) -> Vec<u8> {
        let record = ErrorRecord { source, error };
        match self.format {
            Format::Text => format!("==> {source}\nerror: {located}\n\n").into_bytes(),
            Format::Jsonl => jsonl(&record, ERROR_RECORD_SIZE),
            Format::Json => pretty_element(&record),
            Format::Csv => self.table.error_row(source, error),
        }
    }
}

/// Room for an error record line: source, kind, line, column and a one-line message.
const ERROR_RECORD_SIZE: usize = 256;

/// About how many bytes a report takes as one line of JSON, at most: with its quotes,
/// rule codes and findings a report is 5.6 (`corpus/`) to 7 (generated calls) times its
/// turns' text. Starting the buffer there saves the doublings from serde_json's 128 bytes,
/// each a new allocation and a copy of what was written (peak RSS on `corpus/` did not
/// change: the tail is never written).
fn rendered_size_hint(report: &Report) -> usize {
    let text: usize = report.turns.iter().map(|t| t.text.len()).sum();
    text * 8 + 1024
}

fn jsonl(value: &impl Serialize, size_hint: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size_hint);
    // Serialising plain data with string keys into memory cannot fail.
    let _ = serde_json::to_writer(&mut out, value);
    out.push(b'\n');
    out
}

/// One element of a pretty-printed JSON array, indented one level: the same bytes
/// `serde_json::to_writer_pretty` writes for it inside the array. JSON strings escape
/// their newlines, so every newline here is structure.
fn pretty_element(value: &impl Serialize) -> Vec<u8> {
    let pretty = serde_json::to_vec_pretty(value).unwrap_or_default();
    let mut out = Vec::with_capacity(pretty.len() + pretty.len() / 8);
    out.extend_from_slice(b"  ");
    for &b in &pretty {
        out.push(b);
        if b == b'\n' {
            out.extend_from_slice(b"  ");
        }
    }
    out
}

/// Writes rendered inputs in order, with the framing of the format around them.
pub struct ReportWriter<W: Write> {
    out: W,
    format: Format,
    written: u64,
}

impl<W: Write> ReportWriter<W> {
    /// Starts the output (the CSV header goes out at once, so even a run without inputs
    /// gives a well-formed file).
    pub fn new(mut out: W, renderer: &Renderer) -> io::Result<ReportWriter<W>> {
        if renderer.format == Format::Csv {
            out.write_all(&renderer.table.header())?;
        }
        Ok(ReportWriter {
            out,
            format: renderer.format,
            written: 0,
        })
    }

    /// Writes one rendered report or error record.
    pub fn write(&mut self, rendered: &[u8]) -> io::Result<()> {
        if self.format == Format::Json {
            self.out
                .write_all(if self.written == 0 { b"[\n" } else { b",\n" })?;
        }
        self.written += 1;
        self.out.write_all(rendered)
    }

    /// Closes the output and hands back the writer, flushed.
    pub fn finish(mut self) -> io::Result<W> {
        if self.format == Format::Json {
            self.out
                .write_all(if self.written == 0 { b"[]\n" } else { b"\n]\n" })?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_framing_matches_serde_pretty_array() {
        let values = [
            serde_json::json!({"a": [1, 2], "b": "x\ny"}),
            serde_json::json!({"c": {}}),
        ];
        let renderer = Renderer::new(Format::Json, Table::default());
        for n in 0..=values.len() {
            let mut writer = ReportWriter::new(Vec::new(), &renderer).unwrap();
            for v in &values[..n] {
                writer.write(&pretty_element(v)).unwrap();
            }
            let got = writer.finish().unwrap();
            let mut expected = serde_json::to_vec_pretty(&values[..n]).unwrap();
            expected.push(b'\n');
            assert_eq!(
                String::from_utf8(got).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
    }
}
