//! Where a byte offset lies in a text, as a person editing the file counts: 1-based line
//! and column in characters. Shared by everything that reports `file:line:col` for a span
//! a parser gave (rule packs, gold sidecars).

/// The 1-based line and column (in characters) of byte `offset` of `text`; an offset past
/// the end or inside a character counts as the position before it.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..text.floor_char_boundary(offset)];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// The lines of one text, for many lookups: `line_column`'s line costs a pass over the text
/// before the offset, and locating each of a technique file's thousand examples that way
/// was half of loading the pack.
pub struct Lines {
    /// Byte offset of each `\n`, ascending.
    newlines: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Lines {
        Lines {
            newlines: memchr::memchr_iter(b'\n', text.as_bytes()).collect(),
        }
    }

    /// The 1-based line of byte `offset`, as [`line_column`] counts it.
    pub fn line(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&newline| newline < offset) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_agree_with_line_column() {
        let text = "ab\néé x\n\nlast";
        let lines = Lines::new(text);
        for offset in 0..text.len() + 3 {
            assert_eq!(lines.line(offset), line_column(text, offset).0, "{offset}");
        }
    }

    #[test]
    fn counts_lines_and_characters_from_one() {
        let text = "ab\néé x\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(
            line_column(text, 8),
            (2, 4),
            "after two two-byte letters and a space"
        );
        assert_eq!(
            line_column(text, 5),
            (2, 2),
            "inside é: the position before it"
        );
        assert_eq!(line_column(text, 99), (3, 1), "past the end");
    }
}
