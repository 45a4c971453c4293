//! Archive-scale batch runs: many inputs in, one report or error record per input out, in
//! input order, in bounded memory.
//!
//! - [`sources`]: files, directories, standard input, JSONL streams, `.gz`/`.zst`, tar and
//!   zip archives, read in place into a stream of [`sources::Input`]s;
//! - [`shard`]: `--shard K/N`, a stable split of the inputs over N machines;
//! - [`pipeline`]: the ordered parallel stream (reader thread, rayon workers, in-order sink);
//! - [`render`] and [`table`]: each result as text, JSON, JSONL or CSV rows;
//! - [`summary`]: QA summaries (score distribution, phase coverage, ...), overall and per
//!   group;
//! - [`output`]: atomic output files.
//!
//! Like the rest of the library this never prints: the CLI decides what goes where.

pub mod output;
pub mod pipeline;
pub mod render;
pub mod shard;
pub mod sources;
pub mod summary;
pub mod table;

/// A metadata field as text, for grouping and CSV: strings as they are, other values as
/// JSON, a missing or null field as the empty string.
pub fn group_value(metadata: &serde_json::Map<String, serde_json::Value>, field: &str) -> String {
    match metadata.get(field) {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}
