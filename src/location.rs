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

#[cfg(test)]
mod tests {
    use super::*;

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
