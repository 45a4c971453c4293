//! `--format csv`: one row per call per methodology, for spreadsheets.
//!
//! Columns: `source`, `id`, the `--group-by` fields, `methodology`, `score`, `earned`,
//! `possible`, `penalty`, one `phase:<id>` column per phase of the selected methodologies
//! (`present`, `missing`, or empty when the row's methodology has no such phase), the
//! number of `findings` and one count per finding kind, then `error_kind` and `error`,
//! filled only on the one row of an input that could not be read. Written with the `csv`
//! crate (RFC 4180 quoting), UTF-8 with a byte-order mark so spreadsheet programs do not
//! guess another encoding for the Dutch text.

use super::group_value;
use crate::input::InputError;
use crate::report::Report;
use crate::rules::Methodology;

/// The finding kinds counted in their own columns (the closed set of `check`).
pub const FINDING_KINDS: &[&str] = &[
    "missing_phase",
    "out_of_order",
    "unanswered_emotion",
    "unchecked_instruction",
    "jargon",
    "missing_technique",
];

/// The column layout, fixed before the first row.
#[derive(Debug, Clone, Default)]
pub struct Table {
    group_by: Vec<String>,
    phases: Vec<String>,
}

impl Table {
    pub fn new<'a>(
        group_by: &[String],
        methodologies: impl IntoIterator<Item = &'a Methodology>,
    ) -> Table {
        let mut phases: Vec<String> = Vec::new();
        for methodology in methodologies {
            for phase in &methodology.phases {
                if !phases.contains(&phase.id) {
                    phases.push(phase.id.clone());
                }
            }
        }
        Table {
            group_by: group_by.to_vec(),
            phases,
        }
    }

    fn width(&self) -> usize {
        2 + self.group_by.len() + 5 + self.phases.len() + 1 + FINDING_KINDS.len() + 2
    }

    /// The byte-order mark and the header row.
    pub fn header(&self) -> Vec<u8> {
        let mut row: Vec<String> = vec!["source".into(), "id".into()];
        row.extend(self.group_by.iter().cloned());
        row.extend(["methodology", "score", "earned", "possible", "penalty"].map(String::from));
        row.extend(self.phases.iter().map(|p| format!("phase:{p}")));
        row.push("findings".into());
        row.extend(FINDING_KINDS.iter().map(|k| k.to_string()));
        row.extend(["error_kind", "error"].map(String::from));
        let mut out = "\u{feff}".as_bytes().to_vec();
        out.extend(rows(&[row]));
        out
    }

    /// One row per methodology of the report.
    pub fn report_rows(&self, report: &Report) -> Vec<u8> {
        let mut lead = vec![report.source.clone(), report.id.clone().unwrap_or_default()];
        lead.extend(
            self.group_by
                .iter()
                .map(|f| group_value(&report.metadata, f)),
        );
        let table: Vec<Vec<String>> = report
            .methodologies
            .iter()
            .map(|m| {
                let mut row = lead.clone();
                row.extend([
                    m.id.clone(),
                    m.score.to_string(),
                    m.earned.to_string(),
                    m.possible.to_string(),
                    m.penalty.to_string(),
                ]);
                row.extend(self.phases.iter().map(|id| {
                    m.phases
                        .iter()
                        .find(|p| &p.id == id)
                        .map_or(String::new(), |p| p.status.to_string())
                }));
                row.push(m.findings.len().to_string());
                row.extend(FINDING_KINDS.iter().map(|kind| {
                    m.findings
                        .iter()
                        .filter(|f| f.kind == *kind)
                        .count()
                        .to_string()
                }));
                row.extend([String::new(), String::new()]);
                row
            })
            .collect();
        rows(&table)
    }

    /// The one row of an input that could not be read.
    pub fn error_row(&self, source: &str, error: &InputError) -> Vec<u8> {
        let mut row = vec![String::new(); self.width()];
        row[0] = source.to_string();
        let n = row.len();
        row[n - 2] = error.kind.to_string();
        row[n - 1] = error.to_string();
        rows(&[row])
    }
}

fn rows(rows: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    for row in rows {
        // Writing to memory cannot fail.
        let _ = writer.write_record(row);
    }
    writer.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_needs_quoting() {
        let out = rows(&[vec![
            "a,b".into(),
            "zei \"hoi\"".into(),
            "één\nregel".into(),
        ]]);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a,b\",\"zei \"\"hoi\"\"\",\"één\nregel\"\n"
        );
    }

    #[test]
    fn error_rows_are_as_wide_as_the_header() {
        let table = Table {
            group_by: vec!["team".into()],
            phases: vec!["clarify".into(), "act".into()],
        };
        let header = table.header();
        let header = String::from_utf8(header).unwrap();
        let columns = header.trim_end().split(',').count();
        let error = InputError::new("empty", "empty input").at_line(3);
        let row = String::from_utf8(table.error_row("a.txt", &error)).unwrap();
        assert_eq!(row.trim_end().split(',').count(), columns);
        assert!(row.ends_with(",empty,3: empty input\n"), "{row}");
    }
}
